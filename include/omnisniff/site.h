/* site.h — the site file: what an Omnicast site is, for --audit and
 * --firewall-rules.
 *
 * A site file is a hosts file (every host line means what it means with -H)
 * plus directive lines that say what the host roles alone cannot:
 *     record ARCHIVER unicast|multicast ENCODER [ENCODER...]
 *     primary-gateway GATEWAY
 *     firewall NAME inside NET-or-HOST [NET-or-HOST...]
 *     unused RULE-ID [HOST...]
 * A line whose first word is only lower-case letters and '-' is a directive;
 * any other line is a host line. Words and comments: tokens.h, as in hosts
 * and rules files. Hosts are referred to by name or by the
 * address/network of their line. Grammar in full: rules/example.site and
 * README.md. Like the hosts and rules parsers, os_site_parse() is a pure
 * function over a buffer that collects every diagnostic. */
#ifndef OMNISNIFF_SITE_H
#define OMNISNIFF_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "omnisniff/addr.h"
#include "omnisniff/diag.h"
#include "omnisniff/hosts.h"
#include "omnisniff/rules.h"

/* One 'record' pairing: this Archiver records this encoder. */
typedef struct os_site_record {
    size_t archiver;  /* index of the Archiver in hosts.v */
    size_t encoder;   /* index of the encoder (host or network) in hosts.v */
    bool multicast;   /* recorded from multicast (else unicast UDP) */
    unsigned line;    /* line in the site file */
} os_site_record;

/* One 'unused' statement: a traffic role the site does not use. */
typedef struct os_site_unused {
    int16_t rule;     /* rule index in the ruleset */
    size_t host;      /* only flows with this host (index in hosts.v); SIZE_MAX = all */
    unsigned line;    /* line in the site file */
} os_site_unused;

/* A network inside the firewall. */
typedef struct os_site_net {
    os_addr net;      /* network address */
    uint8_t plen;     /* prefix length in bits */
} os_site_net;

/* A parsed site file. */
typedef struct os_site {
    os_hostsfile hosts;        /* the host lines (sorted most specific first) */
    os_site_record *rec;       /* record pairings (owned) */
    size_t nrec;               /* how many */
    size_t primary;            /* the primary Gateway (index in hosts.v); SIZE_MAX if none */
    char firewall[OS_HOST_NAME_MAX]; /* firewall name, "" when none is declared */
    os_site_net *inside;       /* networks inside the firewall (owned) */
    size_t ninside;            /* how many */
    os_site_unused *unused;    /* unused traffic roles (owned) */
    size_t nunused;            /* how many */
} os_site;

/* Parse buf[0..len) named `file` against the rules rs (for 'unused' ids).
 * True and *out filled only if there is no error; otherwise every problem
 * (the hosts file's own, unknown directives, hosts that are not in the file
 * or lack the role a directive needs, a second firewall, several Gateways
 * with a Directory and no primary-gateway) is in *d as file:line:col:
 * errors, in line order. */
bool os_site_parse(const char *file, const char *buf, size_t len, const os_ruleset *rs,
                   os_site *out, os_diags *d);

/* Index in hosts.v of the most specific host line containing a; SIZE_MAX if none. */
size_t os_site_host_of(const os_site *s, const os_addr *a);

/* True if the network net/plen lies inside the firewall (false when the site
 * declares none). */
bool os_site_inside(const os_site *s, const os_addr *net, unsigned plen);

/* Free *s and zero it. */
void os_site_free(os_site *s);

#endif
