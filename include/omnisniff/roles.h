/* roles.h — Omnicast host roles: the words a host role goes by.
 *
 * A host role is what a machine is in an Omnicast system (Directory,
 * Archiver, encoder...: docs/omnicast-roles.md section 1). The rules file
 * names them in service= and peer=, the hosts and site files declare them,
 * the classifier infers them and every report names them: all from this one
 * table. A set of roles is one bit per role. */
#ifndef OMNISNIFF_ROLES_H
#define OMNISNIFF_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host roles (docs/omnicast-roles.md section 1). Stable ids; add at the end only. */
#define OS_HOST_ROLES(X)                                  \
    X(DIRECTORY, "directory", "Directory")                \
    X(GATEWAY, "gateway", "Gateway")                      \
    X(ARCHIVER, "archiver", "Archiver")                   \
    X(ENCODER, "encoder", "encoder")                      \
    X(CLIENT, "client", "client")                         \
    X(DFC, "dfc", "Directory Failover Coordinator")       \
    X(FAILOVER_DIRECTORY, "failover-directory", "failover Directory") \
    X(FEDERATION, "federation", "federation server")      \
    X(REMOTE_GATEWAY, "remote-gateway", "remote Gateway") \
    X(VIRTUAL_MATRIX, "virtual-matrix", "Virtual Matrix")

#define OS_HR_ENUM(e, id, label) OS_HR_##e,
typedef enum os_hrole { OS_HOST_ROLES(OS_HR_ENUM) OS_HR_COUNT } os_hrole;
#undef OS_HR_ENUM

typedef uint16_t os_hrole_set;          /* bit (1u << os_hrole) per role */
#define OS_HR_BIT(r) ((os_hrole_set)(1u << (r)))
#define OS_HR_ALL ((os_hrole_set)((1u << OS_HR_COUNT) - 1)) /* every role */

/* Stable id of a host role ("archiver"); NULL if out of range. */
const char *os_hrole_name(os_hrole r);
/* Human label of a host role ("Archiver"). */
const char *os_hrole_label(os_hrole r);
/* Parse a host role id; false if unknown. */
bool os_hrole_parse(const char *s, size_t len, os_hrole *out);
/* The lowest role in set, or -1 for the empty set. */
int os_hrole_first(os_hrole_set set);
/* The ids (labels if `labels`) of the roles in set, in role order, joined
 * by sep into buf (cut to len, "" for the empty set); returns buf.
 * OS_HROLES_STRLEN holds every role with any separator up to 4 chars. */
#define OS_HROLES_STRLEN 256
const char *os_hrole_join(os_hrole_set set, const char *sep, bool labels, char *buf, size_t len);

#endif
