/* firewall.h — minimal allow rules for the Omnicast flows that cross the
 * site's firewall, in four dialects: nftables (a loadable `nft -f` ruleset),
 * iptables (iptables-restore input), netsh (Windows Defender Firewall
 * commands, one per receiving host) and cisco-asa (extended access lists).
 *
 * Made from an audit (audit.h): every needed row that crosses the firewall
 * (all needed rows when the site declares no firewall) becomes an allow
 * rule with a comment naming its traffic role, its Omnicast host roles and
 * its audit status; every seen-not-needed row that crosses is written
 * commented out, marked as observed, for a person to review. Replies ride
 * on connection tracking (nftables, iptables, ASA are stateful; Windows
 * Firewall too). */
#ifndef OMNISNIFF_FIREWALL_H
#define OMNISNIFF_FIREWALL_H

#include <stdbool.h>
#include <stdio.h>

#include "omnisniff/audit.h"

/* Output dialects; stable ids (os_fw_format_name). */
typedef enum {
    OS_FW_NFTABLES = 0, /* "nftables" */
    OS_FW_IPTABLES,     /* "iptables" */
    OS_FW_NETSH,        /* "netsh" */
    OS_FW_CISCO_ASA,    /* "cisco-asa" */
    OS_FW_NFORMATS
} os_fw_format;

/* Parse a dialect id; false if unknown. */
bool os_fw_format_parse(const char *s, os_fw_format *out);

/* Stable id of a dialect; NULL if out of range. */
const char *os_fw_format_name(os_fw_format f);

/* Write the rules for audit a in dialect fmt to f. */
void os_fw_write(FILE *f, const os_audit *a, os_fw_format fmt);

#endif
