/* hosts.h — the user's hosts file: declared host roles by address or network.
 *
 * Format, one entry a line, words and comments as tokens.h says ('#'
 * outside double quotes starts a comment wherever it stands):
 *     ADDRESS-or-CIDR ROLE[,ROLE...] [name]
 * IPv4 or IPv6; a bare address is a /32 or /128. The most specific prefix
 * that contains an address wins. Like the rules parser this is a pure
 * function over a buffer that collects every diagnostic. */
#ifndef OMNISNIFF_HOSTS_H
#define OMNISNIFF_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "omnisniff/addr.h"
#include "omnisniff/diag.h"
#include "omnisniff/roles.h"

#define OS_HOST_NAME_MAX 64

/* One declared host or network. */
typedef struct os_hostdecl {
    os_addr net;                  /* address (host bits beyond plen are zero) */
    uint8_t plen;                 /* prefix length in bits */
    os_hrole_set roles;           /* declared roles */
    char name[OS_HOST_NAME_MAX];  /* optional name, "" if none */
    unsigned line;                /* line in the hosts file */
} os_hostdecl;

/* A parsed hosts file, entries sorted most specific first. */
typedef struct os_hostsfile {
    os_hostdecl *v;  /* entries (owned) */
    size_t n;        /* number of entries */
} os_hostsfile;

/* Parse buf[0..len) named `file`. True and *out filled only if no error;
 * otherwise every problem (bad address, prefix length, unknown role, host
 * bits set, duplicate entry) is in *d as file:line:col: errors. */
bool os_hosts_parse(const char *file, const char *buf, size_t len,
                    os_hostsfile *out, os_diags *d);

/* The most specific entry containing a, or NULL. */
const os_hostdecl *os_hosts_match(const os_hostsfile *h, const os_addr *a);

/* Free *h and zero it. */
void os_hosts_free(os_hostsfile *h);

#endif
