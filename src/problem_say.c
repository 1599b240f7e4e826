/* problem_say.c — the sentence of a problem, for a technician.
 *
 * Built when it is shown, from the problem's counters and the host roles
 * known then (a role inferred after the first finding still names the
 * host). Connection problems get sentences of their own that say how many
 * peers failed how often and what to allow; other kinds repeat their first
 * finding's sentence with the counts in front. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "omnisniff/problems.h"
#include "omnisniff/report.h"

/* The plural of a role label: "clients", "Directories", "hosts" (no role). */
static const char *plural(int role, char *buf, size_t n)
{
    const char *l = role >= 0 ? os_hrole_label((os_hrole)role) : "host";
    size_t len = strlen(l);
    if (len > 1 && l[len - 1] == 'y' && !strchr("aeiou", l[len - 2]))
        snprintf(buf, n, "%.*sies", (int)(len - 1), l);
    else
        snprintf(buf, n, "%s%s", l, len && l[len - 1] == 'x' ? "es" : "s");
    return buf;
}

/* The role the first peers share (preferring the rule's peer roles), or -1. */
static int common_role(const os_problem *p, os_hrole_set prefer, os_classifier *cls)
{
    int role = -1;
    uint64_t shown = p->peers < OS_PROBLEM_PEERS_SHOWN ? p->peers : OS_PROBLEM_PEERS_SHOWN;
    for (uint64_t i = 0; i < shown; i++) {
        os_conf c;
        os_hrole_set r = os_classify_host_roles(cls, &p->peer[i], &c);
        int first = os_hrole_first(r & prefer) >= 0 ? os_hrole_first(r & prefer) : os_hrole_first(r);
        if (first < 0 || (i && first != role))
            return -1;
        role = first;
    }
    return role;
}

/* "client 10.3.0.23" or "10 clients (10.3.0.101-10.3.0.110)". */
static const char *peers_word(const os_problem *p, os_hrole_set prefer, os_classifier *cls,
                              char *buf, size_t n)
{
    char pl[64], range[2 * OS_ADDRSTRLEN + 2];
    if (p->peers == 0)
        snprintf(buf, n, "no peer");
    else if (p->peers == 1)
        os_classify_who(cls, &p->peer[0], prefer, buf, n);
    else
        snprintf(buf, n, "%s%" PRIu64 " %s (%s)", p->peers_capped ? "at least " : "", p->peers,
                 plural(common_role(p, prefer, cls), pl, sizeof pl),
                 os_problem_peer_range(p, range, sizeof range));
    return buf;
}

/* "TCP 6061" or "TCP 6061, 6062, ...". */
static const char *ports_word(const os_problem *p, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "%s", p->proto == 6 ? "TCP" : p->proto == 17 ? "UDP" : "IP");
    for (unsigned i = 0; i < p->nports && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%u", i ? ", " : " ", p->ports[i]);
    if (p->more_ports && k < n)
        snprintf(buf + k, n - k, ", ...");
    return buf;
}

/* "over 9 min 57 s" / "over 4.0 s" / "at 10:00:05". */
static const char *span_word(const os_problem *p, char *buf, size_t n)
{
    uint64_t d = p->last_ns - p->first_ns;
    char t[32];
    if (d < 1000000ULL) {
        os_report_iso_time(p->first_ns, t);
        snprintf(buf, n, "at %.8s", t + 11);
    } else if (d < 120 * 1000000000ULL) {
        snprintf(buf, n, "over %.1f s", (double)d / 1e9);
    } else {
        snprintf(buf, n, "over %" PRIu64 " min %" PRIu64 " s", (uint64_t)(d / 60000000000ULL),
                 (uint64_t)(d / 1000000000ULL % 60));
    }
    return buf;
}

/* ", each retrying every 3.0 s" (nothing without an interval). */
static const char *retry_word(const os_problem *p, char *buf, size_t n)
{
    double iv = os_problem_interval(p);
    if (iv < 0)
        buf[0] = '\0';
    else
        snprintf(buf, n, ", %s every %.1f s", p->peers > 1 ? "each retrying" : "retrying", iv);
    return buf;
}

/* "10:01:29" of a time. */
static void hms(uint64_t ts, char out[16])
{
    char t[32];
    os_report_iso_time(ts, t);
    snprintf(out, 16, "%.8s", t + 11);
}

/* Words shared by the sentences. */
typedef struct words {
    char svc[128], peers[160], ports[96], span[48], retry[48], range[2 * OS_ADDRSTRLEN + 2],
        svc_ip[OS_ADDRSTRLEN];
    char first[16], last[16]; /* HH:MM:SS of the first and last time */
    const char *role;   /* traffic role id, or "-" */
    const char *srole;  /* the service host's role label, or "server" */
} words;

static void words_init(words *w, const os_problem *p, const os_ruleset *rs, os_classifier *cls)
{
    const os_rule *r = p->rule >= 0 && (unsigned)p->rule < rs->n ? &rs->rule[p->rule] : NULL;
    os_hrole_set svc_roles = r ? r->service : 0, peer_roles = r ? r->peers : 0;
    os_conf c;
    int sr = os_hrole_first(os_classify_host_roles(cls, &p->svc, &c) & (svc_roles ? svc_roles : 0xffff));
    sr = sr >= 0 ? sr : os_hrole_first(svc_roles);
    os_classify_who(cls, &p->svc, svc_roles, w->svc, sizeof w->svc);
    peers_word(p, peer_roles, cls, w->peers, sizeof w->peers);
    ports_word(p, w->ports, sizeof w->ports);
    span_word(p, w->span, sizeof w->span);
    retry_word(p, w->retry, sizeof w->retry);
    os_problem_peer_range(p, w->range, sizeof w->range);
    os_addr_str(&p->svc, w->svc_ip);
    hms(p->first_ns, w->first);
    hms(p->last_ns, w->last);
    w->role = r ? r->id : "-";
    w->srole = sr >= 0 ? os_hrole_label((os_hrole)sr) : "server";
}

static void say_unanswered(const os_problem *p, const words *w, char *buf, size_t len)
{
    uint64_t tries = p->flows + p->answered;
    if (!p->answered)
        snprintf(buf, len, "%s cannot reach %s on %s %s: %" PRIu64 " attempt%s %s, none answered%s: "
                 "a firewall between them drops it, or the %s service is down; if a firewall is "
                 "in the path, allow %s from %s to %s", w->peers, w->svc, w->role, w->ports,
                 p->flows, p->flows == 1 ? "" : "s", w->span, w->retry, w->srole, w->ports,
                 w->range, w->svc_ip);
    else
        snprintf(buf, len, "%" PRIu64 " of %" PRIu64 " attempts by %s to reach %s on %s %s went "
                 "unanswered %s (%" PRIu64 " answered): the service is up, so look for packet "
                 "loss or an overloaded %s, or a firewall that lets only some peers through",
                 p->flows, tries, w->peers, w->svc, w->role, w->ports, w->span, p->answered, w->srole);
}

static void say_refused(const os_problem *p, const words *w, char *buf, size_t len)
{
    if (!p->answered)
        snprintf(buf, len, "%s refused every connection from %s on %s %s: %" PRIu64 " attempt%s "
                 "%s answered with RST%s: nothing listens on that port; is the %s service "
                 "running, and configured on this port?", w->svc, w->peers, w->role, w->ports,
                 p->flows, p->flows == 1 ? "" : "s", w->span, w->retry, w->srole);
    else
        snprintf(buf, len, "%s refused %" PRIu64 " of %" PRIu64 " connections from %s on %s %s "
                 "%s (%" PRIu64 " accepted): the service restarts or turns connections away; "
                 "check its log and its connection limit", w->svc, p->flows,
                 p->flows + p->answered, w->peers, w->role, w->ports, w->span, p->answered);
}

/* The sentence of a problem. */
const char *os_problem_say(const os_problem *p, const os_ruleset *rs, os_classifier *cls,
                           char *buf, size_t len)
{
    words w;
    words_init(&w, p, rs, cls);
    if (p->kind == OS_FK_UNANSWERED_CONNECTION)
        say_unanswered(p, &w, buf, len);
    else if (p->kind == OS_FK_CONNECTION_REFUSED)
        say_refused(p, &w, buf, len);
    else if (p->kind == OS_FK_STREAM_STOPPED && p->peers > 1)
        snprintf(buf, len, "%s stopped sending %s to %s from %s on, while other streams went "
                 "on (silent by %s): streams that stop together share a cause — a switch, a "
                 "link, a PoE budget, or a firewall between them and the %s", w.peers, w.role,
                 w.svc, w.first, w.last, w.srole);
    else if (p->flows > 1 && p->nexamples)
        snprintf(buf, len, "%" PRIu64 " flows from %s %s, like this one: %s", p->flows, w.peers,
                 w.span, p->example[0].text);
    else
        snprintf(buf, len, "%s", p->nexamples ? p->example[0].text : "");
    return buf;
}
