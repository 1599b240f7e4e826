/* rule_table.c — the vocabulary of a rules file, once (see rule_table.h):
 * the value words of each key, the key table, the settings table, and the
 * few helpers both the parser and the writers read them with. The grammar
 * these rows describe: top of rules/omnicast4.rules and rules/README.md. */
#include "rule_table.h"

#include <stdio.h>
#include <string.h>

#include "omnisniff/classify.h" /* the host table's bounds: defaults of max-hosts */
#include "omnisniff/problems.h" /* the problem table's: of max-problems */

/* ---- value vocabularies --------------------------------------------------- */

static const os_rword w_proto[] = {
    { "tcp", OS_T_TCP }, { "udp", OS_T_UDP }, { "tcp,udp", OS_T_TCP | OS_T_UDP },
    { "udp,tcp", OS_T_TCP | OS_T_UDP }, { NULL, 0 } };
static const os_rword w_port_on[] = {
    { "service", OS_PORT_ON_SERVICE }, { "either", OS_PORT_ON_EITHER }, { NULL, 0 } };
static const os_rword w_dest[] = {
    { "any", OS_DEST_ANY }, { "multicast", OS_DEST_MULTICAST },
    { "multicast-test", OS_DEST_MCAST_TEST }, { NULL, 0 } };
static const os_rword w_initiator[] = {
    { "peer", OS_INIT_PEER }, { "service", OS_INIT_SERVICE }, { "any", OS_INIT_ANY },
    { NULL, 0 } };
static const os_rword w_bulk[] = {
    { "to-service", OS_BULK_TO_SERVICE }, { "from-service", OS_BULK_FROM_SERVICE },
    { "any", OS_BULK_ANY }, { NULL, 0 } };
static const os_rword w_match[] = {
    { "port", OS_NEED_NONE }, { "role", OS_NEED_ANY }, { "service-role", OS_NEED_SERVICE },
    { "peer-role", OS_NEED_PEER }, { NULL, 0 } };
static const os_rword w_infer_from[] = {
    { "any", OS_INFER_FROM_ANY }, { "known", OS_INFER_FROM_KNOWN }, { NULL, 0 } };
static const os_rword w_yes_no[] = { { "yes", 1 }, { "no", 0 }, { NULL, 0 } };

const os_rword os_rw_sides[] = { { "service", 0 }, { "peer", 1 }, { NULL, 0 } };

/* ---- keys ------------------------------------------------------------------ */

#define FIELD(m) .off = offsetof(os_rule, m), .size = sizeof(((os_rule *)0)->m)

/* The keys of a rule line; .col is the order of a --check-rules line:
 * ID, proto, ports, port-on, dest, service <- peer, then KEY=VALUE items. */
const os_rkey os_rkeys[] = {
    { .name = "proto", .kind = OS_RV_WORD, FIELD(transports), .words = w_proto,
      .required = true, .col = 1, .width = 7, .sep = " " },
    { .name = "port", .kind = OS_RV_PORTS, FIELD(port_lo), .required = true,
      .allowed = " (N or N-M with 1 <= N <= M <= 65535, or any)", .col = 2, .width = 11,
      .sep = " " },
    { .name = "service", .kind = OS_RV_ROLES, FIELD(service), .col = 5, .sep = " <- " },
    { .name = "peer", .kind = OS_RV_ROLES, FIELD(peers), .col = 6, .sep = "" },
    { .name = "port-on", .kind = OS_RV_WORD, FIELD(port_on), .words = w_port_on,
      .def = OS_PORT_ON_SERVICE, .col = 3, .width = 7, .sep = " " },
    { .name = "dest", .kind = OS_RV_WORD, FIELD(dest), .words = w_dest, .def = OS_DEST_ANY,
      .col = 4, .width = 14, .sep = " " },
    { .name = "initiator", .kind = OS_RV_WORD, FIELD(initiator), .words = w_initiator,
      .def = OS_INIT_PEER, .col = 7, .always = true },
    { .name = "bulk", .kind = OS_RV_WORD, FIELD(bulk), .words = w_bulk, .def = OS_BULK_ANY,
      .col = 8, .always = true },
    { .name = "infer", .kind = OS_RV_INFER, FIELD(infer_service),
      .allowed = " (none, or service[:ROLE] and/or peer[:ROLE])", .col = 9 },
    { .name = "min-peers", .kind = OS_RV_COUNT, FIELD(min_peers), .lo = 1, .hi = 255,
      .def = 1, .allowed = " (a number from 1 to 255)", .col = 10 },
    { .name = "match", .kind = OS_RV_WORD, FIELD(needs), .words = w_match,
      .def = OS_NEED_NONE, .col = 11 },
    { .name = "over", .kind = OS_RV_OVER, FIELD(over),
      .allowed = " (rule ids separated by commas)", .col = 12 },
    { .name = "shared", .kind = OS_RV_TEXT, FIELD(shared),
      .allowed = " (a non-empty text, in double quotes if it has blanks)", .col = 19 },
    { .name = "kba", .kind = OS_RV_TEXT, FIELD(kba), .required = true,
      .allowed = " (a non-empty text, in double quotes if it has blanks)" },
    { .name = "one-peer", .kind = OS_RV_WORD, FIELD(one_peer), .words = w_yes_no, .def = 0,
      .col = 18 },
    { .name = "infer-from", .kind = OS_RV_WORD, FIELD(infer_from), .words = w_infer_from,
      .def = OS_INFER_FROM_ANY, .col = 13 },
    { .name = "infer-bytes", .kind = OS_RV_COUNT, FIELD(infer_bytes), .lo = 1,
      .hi = 4000000000UL, .allowed = " (a number of bytes)", .col = 14 },
    { .name = "max-mean-size", .kind = OS_RV_COUNT, FIELD(max_mean_size), .lo = 1,
      .hi = 4000000000UL, .allowed = " (a number of bytes)", .col = 15 },
    { .name = "stream", .kind = OS_RV_WORD, FIELD(stream), .words = w_yes_no, .def = 0,
      .col = 16 },
    { .name = "infer-pair", .kind = OS_RV_PAIR, FIELD(infer_pair), .allowed = " (a rule id)",
      .col = 17 },
};
const size_t os_nrkeys = sizeof os_rkeys / sizeof os_rkeys[0];
_Static_assert(sizeof os_rkeys / sizeof os_rkeys[0] <= OS_RKEYS_MAX, "raise OS_RKEYS_MAX");

/* ---- settings ---------------------------------------------------------------- */

#define SETTING(m) .off = offsetof(os_settings, m)

const os_rsetting os_rsettings[] = {
    { .name = "multicast-start", .kind = OS_RS_GROUP, SETTING(mcast_start),
      .given_off = offsetof(os_settings, mcast_start_set),
      .what = "a multicast address (224.0.0.0/4 or ff00::/8) or unset" },
    { .name = "multicast-range", .kind = OS_RS_GROUPS, SETTING(mcast_range), .lo = 1,
      .hi = 16777216, .what = "a number of groups (1 to 16777216) or unset" },
    { .name = "multicast-test", .kind = OS_RS_GROUP, SETTING(mcast_test),
      .given_off = offsetof(os_settings, mcast_test_set),
      .what = "a multicast address (224.0.0.0/4 or ff00::/8) or unset" },
    { .name = "bulk-min-bytes", .kind = OS_RS_NUMBER, SETTING(bulk_min), .lo = 0,
      .hi = 4000000000UL, .def = OS_BULK_MIN_DEFAULT, .what = "a number of bytes" },
    { .name = "syn-verdict-seconds", .kind = OS_RS_NUMBER, SETTING(syn_verdict_s), .lo = 1,
      .hi = 300, .def = OS_SYN_VERDICT_DEFAULT, .what = "seconds, 1 to 300" },
    { .name = "persist-peers", .kind = OS_RS_NUMBER, SETTING(persist_peers), .lo = 1,
      .hi = 65536, .def = OS_PERSIST_PEERS_DEFAULT, .what = "peers, 1 to 65536" },
    { .name = "persist-seconds", .kind = OS_RS_NUMBER, SETTING(persist_s), .lo = 1,
      .hi = 86400, .def = OS_PERSIST_SECONDS_DEFAULT, .what = "seconds, 1 to 86400" },
    { .name = "stream-gap-seconds", .kind = OS_RS_NUMBER, SETTING(stream_gap_s), .lo = 1,
      .hi = 3600, .def = OS_STREAM_GAP_DEFAULT, .what = "seconds, 1 to 3600" },
    { .name = "stream-stop-seconds", .kind = OS_RS_NUMBER, SETTING(stream_stop_s), .lo = 1,
      .hi = 3600, .def = OS_STREAM_STOP_DEFAULT, .what = "seconds, 1 to 3600" },
    { .name = "stream-loss-percent", .kind = OS_RS_NUMBER, SETTING(stream_loss_pct), .lo = 1,
      .hi = 100, .def = OS_STREAM_LOSS_DEFAULT, .what = "a percentage, 1 to 100" },
    { .name = "vxlan-port", .kind = OS_RS_NUMBER, SETTING(vxlan_port), .lo = 0, .hi = 65535,
      .def = 0, .what = "a UDP port, or 0 for none" },
    { .name = "geneve-port", .kind = OS_RS_NUMBER, SETTING(geneve_port), .lo = 0, .hi = 65535,
      .def = 0, .what = "a UDP port, or 0 for none" },
    { .name = "max-hosts", .kind = OS_RS_NUMBER, SETTING(max_hosts), .lo = OS_HOSTS_MIN,
      .hi = 16777216, .def = OS_HOSTS_MAX, .what = "hosts, 16 to 16777216" },
    { .name = "max-problems", .kind = OS_RS_NUMBER, SETTING(max_problems), .lo = 1,
      .hi = 1048576, .def = OS_PROBLEMS_MAX, .what = "problems, 1 to 1048576" },
};
_Static_assert(OS_HOSTS_MIN == 16, "max-hosts' diagnostic names OS_HOSTS_MIN");
const size_t os_nrsettings = sizeof os_rsettings / sizeof os_rsettings[0];
_Static_assert(sizeof os_rsettings / sizeof os_rsettings[0] <= OS_RSETTINGS_MAX,
               "raise OS_RSETTINGS_MAX");

/* ---- helpers ------------------------------------------------------------------ */

/* The value of a word of list w. */
bool os_rword_parse(const os_rword *w, const char *s, size_t n, int *value)
{
    for (; w->word; w++)
        if (strlen(w->word) == n && memcmp(w->word, s, n) == 0) {
            *value = w->value;
            return true;
        }
    return false;
}

/* The first word for a value. */
const char *os_rword_name(const os_rword *w, long value)
{
    for (; w->word; w++)
        if (w->value == value)
            return w->word;
    return NULL;
}

/* Is w[i] an alias (an earlier word has its value)? */
static bool alias(const os_rword *w, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (w[j].value == w[i].value)
            return true;
    return false;
}

/* " (a, b or c)". */
const char *os_rword_list(const os_rword *w, char *buf, size_t len)
{
    size_t n = 0, used = (size_t)snprintf(buf, len, " (");
    for (size_t i = 0; w[i].word; i++)
        n += !alias(w, i);
    for (size_t i = 0, k = 0; w[i].word && used < len; i++) {
        if (alias(w, i))
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", k == 0 ? "" : k + 1 == n ?
                                 " or " : ", ", w[i].word);
        k++;
    }
    if (used < len)
        snprintf(buf + used, len - used, ")");
    return buf;
}

/* A 1-, 2- or 4-byte unsigned field as a number. */
long os_rfield_get(const void *base, size_t off, size_t size)
{
    const unsigned char *p = (const unsigned char *)base + off;
    uint16_t v2;
    uint32_t v4;
    if (size == 1)
        return *p;
    if (size == 2) {
        memcpy(&v2, p, sizeof v2);
        return (long)v2;
    }
    memcpy(&v4, p, sizeof v4);
    return (long)v4;
}

/* Store a number in a 1-, 2- or 4-byte field. */
void os_rfield_set(void *base, size_t off, size_t size, long v)
{
    unsigned char *p = (unsigned char *)base + off;
    uint16_t v2 = (uint16_t)v;
    uint32_t v4 = (uint32_t)v;
    if (size == 1)
        *p = (unsigned char)v;
    else if (size == 2)
        memcpy(p, &v2, sizeof v2);
    else
        memcpy(p, &v4, sizeof v4);
}

/* Does rule r hold key k's "not given" value? */
bool os_rkey_at_default(const os_rkey *k, const os_rule *r)
{
    if (k->required)
        return false;
    switch (k->kind) {
    case OS_RV_WORD:
    case OS_RV_COUNT:
    case OS_RV_ROLES: /* any: 0 */
        return os_rfield_get(r, k->off, k->size) == k->def;
    case OS_RV_TEXT:
        return *(char *const *)(const void *)((const char *)r + k->off) == NULL;
    case OS_RV_INFER:
        return r->infer_service < 0 && r->infer_peer < 0;
    case OS_RV_OVER:
        return r->nover == 0;
    case OS_RV_PAIR:
        return r->infer_pair < 0;
    case OS_RV_PORTS:
        break;
    }
    return false;
}
