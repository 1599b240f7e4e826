/* roles.c — the host-role table: ids, labels, parsing and joining sets.
 *
 * Every word comes from OS_HOST_ROLES (roles.h), so the rules, hosts and
 * site parsers and every report name a role the same way. */
#include "omnisniff/roles.h"

#include <stdio.h>
#include <string.h>

#define HR_NAME(e, id, label) id,
#define HR_LABEL(e, id, label) label,
static const char *const hrole_ids[] = { OS_HOST_ROLES(HR_NAME) };
static const char *const hrole_labels[] = { OS_HOST_ROLES(HR_LABEL) };

/* Stable id of a host role. */
const char *os_hrole_name(os_hrole r) { return (unsigned)r < OS_HR_COUNT ? hrole_ids[r] : NULL; }

/* Human label of a host role. */
const char *os_hrole_label(os_hrole r) { return (unsigned)r < OS_HR_COUNT ? hrole_labels[r] : NULL; }

/* The lowest role in set, or -1. */
int os_hrole_first(os_hrole_set set) { return set ? __builtin_ctz(set) : -1; }

/* The roles of set joined by sep into buf. */
const char *os_hrole_join(os_hrole_set set, const char *sep, bool labels, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < OS_HR_COUNT && used < len; i++)
        if (set & OS_HR_BIT(i))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? sep : "",
                                     labels ? hrole_labels[i] : hrole_ids[i]);
    return buf;
}

/* Parse a host role id. */
bool os_hrole_parse(const char *s, size_t len, os_hrole *out)
{
    for (int i = 0; i < OS_HR_COUNT; i++)
        if (strlen(hrole_ids[i]) == len && memcmp(hrole_ids[i], s, len) == 0) {
            *out = (os_hrole)i;
            return true;
        }
    return false;
}
