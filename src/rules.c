/* rules.c — parse and compile the Omnicast rules file.
 *
 * os_rules_parse() is a pure function over a buffer. Pass 1 reads each line
 * into a rule or a setting, collecting every diagnostic; pass 2 resolves
 * over= references and checks for overlapping rules the file does not
 * resolve; pass 3 compiles port ranges into per-transport tables (port →
 * candidate set), so classifying costs one array read per port. Nothing is
 * handed back unless there was no error at all. Grammar: rules/README.md. */
#include "omnisniff/rules.h"

#include "omnisniff/tokens.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
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

/* ---- lines and tokens ------------------------------------------------- */

#define MAX_TOK 32

/* A token of a line; for KEY=VALUE, the value part too. */
typedef struct tok {
    size_t off, len;   /* whole token */
    size_t voff, vlen; /* value (after '='), quotes included */
    bool has_eq;       /* KEY=VALUE form */
} tok;

/* Parse state. */
typedef struct ps {
    const char *file;   /* name for diagnostics */
    unsigned no;        /* line number */
    const char *text;   /* line start */
    size_t len;         /* line length */
    os_diags *d;        /* diagnostics */
    os_ruleset *rs;     /* what is being built */
    size_t cap;         /* capacity of rs->rule */
    struct rmeta *meta; /* where each rule stands in the file (rs->n entries) */
    struct ovref *ov;   /* over= references to resolve */
    size_t nov, ovcap;  /* used / capacity of ov */
    bool set_seen[12];  /* settings given (setting_index) */
} ps;

/* Where a rule stands, for diagnostics after the line was read. */
typedef struct rmeta {
    const char *text;  /* line text */
    size_t len;        /* its length */
    unsigned line;     /* line number */
    size_t port_off;   /* offset of the port= value */
} rmeta;

/* An over= reference: rule `rule` wins over the rule named id. */
typedef struct ovref {
    uint16_t rule;               /* the rule that says over= (or infer-pair=) */
    bool pair;                   /* an infer-pair= reference, not over= */
    char id[OS_RULE_ID_MAX];     /* the id it names */
    size_t off;                  /* offset of the id in the line */
} ovref;

/* An error at column off+1 of the current line. */
static void emsg(ps *p, size_t off, const char *msg)
{
    os_diag_error(p->d, p->file, p->no, (unsigned)off + 1, p->text, p->len, "%s", msg);
}

/* An error quoting text: pre 'text' post. */
static void equote(ps *p, size_t off, const char *pre, const char *text, size_t n, const char *post)
{
    os_diag_error(p->d, p->file, p->no, (unsigned)off + 1, p->text, p->len, "%s'%.*s'%s", pre,
                  (int)n, text, post);
}

/* A bad value of key `key`: say what is allowed. */
static void ebad(ps *p, const tok *t, const char *key, const char *allowed)
{
    char pre[64];
    snprintf(pre, sizeof pre, "bad value for %s: ", key);
    equote(p, t->voff, pre, p->text + t->voff, t->vlen, allowed);
}

/* Split the line into tokens (tokens.h); false (with a diagnostic) on an
 * open quote or too many words. */
static bool tokenize(ps *p, tok *t, int *n)
{
    os_token w[MAX_TOK + 1];
    size_t open;
    *n = os_tokens(p->text, p->len, w, MAX_TOK + 1, &open);
    if (*n < 0) {
        emsg(p, open, OS_TOKENS_OPEN_QUOTE);
        return false;
    }
    if (*n > MAX_TOK) {
        emsg(p, w[MAX_TOK].off, "too many words on one line");
        return false;
    }
    for (int i = 0; i < *n; i++) {
        bool eq = w[i].key_len < w[i].len;
        t[i] = (tok){ w[i].off, w[i].len, eq ? w[i].off + w[i].key_len + 1 : 0,
                      eq ? w[i].len - w[i].key_len - 1 : 0, eq };
    }
    return true;
}

/* Compare a token's value (or whole token) with a word. */
static bool val_is(const ps *p, const tok *t, const char *w)
{
    return t->vlen == strlen(w) && memcmp(p->text + t->voff, w, t->vlen) == 0;
}

/* ---- values ----------------------------------------------------------- */

/* Parse a decimal number in [lo, hi] from s[0..n). */
static bool num(const char *s, size_t n, unsigned long lo, unsigned long hi, unsigned long *out)
{
    unsigned long v = 0;
    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return v >= lo && v <= hi;
}

/* "any" or ROLE[,ROLE...] into *set (any = 0). */
static bool role_list(ps *p, const tok *t, const char *key, os_hrole_set *set)
{
    const char *v = p->text + t->voff;
    size_t i = 0;
    bool ok = true;
    *set = 0;
    if (val_is(p, t, "any"))
        return true;
    while (i <= t->vlen) {
        size_t s = i;
        os_hrole r;
        while (i < t->vlen && v[i] != ',')
            i++;
        if (os_hrole_parse(v + s, i - s, &r)) {
            *set |= OS_HR_BIT(r);
        } else {
            char pre[64];
            snprintf(pre, sizeof pre, "%s: unknown host role ", key);
            equote(p, t->voff + s, pre, v + s, i - s, " (directory gateway archiver encoder "
                   "client dfc failover-directory federation remote-gateway virtual-matrix, or any)");
            ok = false;
        }
        i++;
    }
    return ok;
}

/* Pick one of several words; index into *out. */
static bool one_of(ps *p, const tok *t, const char *key, const char *const *words, int n,
                   const char *allowed, int *out)
{
    for (int i = 0; i < n; i++)
        if (val_is(p, t, words[i])) {
            *out = i;
            return true;
        }
    ebad(p, t, key, allowed);
    return false;
}

/* ---- rule keys -------------------------------------------------------- */

/* Raw infer= and over= text kept until the rest of the rule is known. */
typedef struct pending {
    const tok *infer;   /* infer= token or NULL */
    bool seen[24];      /* keys given (duplicate detection) */
} pending;

static bool k_proto(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "tcp", "udp", "tcp,udp", "udp,tcp" };
    static const uint8_t v[] = { OS_T_TCP, OS_T_UDP, OS_T_TCP | OS_T_UDP, OS_T_TCP | OS_T_UDP };
    int i;
    if (!one_of(p, t, "proto", w, 4, " (tcp, udp or tcp,udp)", &i))
        return false;
    r->transports = v[i];
    return true;
}

static bool k_port(ps *p, os_rule *r, const tok *t)
{
    const char *v = p->text + t->voff, *dash = memchr(v, '-', t->vlen);
    unsigned long lo, hi;
    if (val_is(p, t, "any")) {
        r->port_lo = 0;
        r->port_hi = 65535;
        return true;
    }
    size_t n1 = dash ? (size_t)(dash - v) : t->vlen;
    if (!num(v, n1, 1, 65535, &lo) ||
        (dash && !num(dash + 1, t->vlen - n1 - 1, 1, 65535, &hi))) {
        ebad(p, t, "port", " (N or N-M with 1 <= N <= M <= 65535, or any)");
        return false;
    }
    if (!dash)
        hi = lo;
    if (hi < lo) {
        ebad(p, t, "port", " (the range is reversed: N-M needs N <= M)");
        return false;
    }
    r->port_lo = (uint16_t)lo;
    r->port_hi = (uint16_t)hi;
    return true;
}

static bool k_service(ps *p, os_rule *r, const tok *t) { return role_list(p, t, "service", &r->service); }
static bool k_peer(ps *p, os_rule *r, const tok *t) { return role_list(p, t, "peer", &r->peers); }

static bool k_port_on(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "service", "either" };
    int i;
    if (!one_of(p, t, "port-on", w, 2, " (service or either)", &i))
        return false;
    r->port_on = (os_port_on)i;
    return true;
}

static bool k_dest(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "any", "multicast", "multicast-test" };
    int i;
    if (!one_of(p, t, "dest", w, 3, " (any, multicast or multicast-test)", &i))
        return false;
    r->dest = (os_dest)i;
    return true;
}

static bool k_initiator(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "peer", "service", "any" };
    int i;
    if (!one_of(p, t, "initiator", w, 3, " (peer, service or any)", &i))
        return false;
    r->initiator = (os_initiator)i;
    return true;
}

static bool k_bulk(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "to-service", "from-service", "any" };
    int i;
    if (!one_of(p, t, "bulk", w, 3, " (to-service, from-service or any)", &i))
        return false;
    r->bulk = (os_bulk)i;
    return true;
}

static bool k_min_peers(ps *p, os_rule *r, const tok *t)
{
    unsigned long v;
    if (!num(p->text + t->voff, t->vlen, 1, 255, &v)) {
        ebad(p, t, "min-peers", " (a number from 1 to 255)");
        return false;
    }
    r->min_peers = (uint8_t)v;
    return true;
}

static bool k_infer_from(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "any", "known" };
    int i;
    if (!one_of(p, t, "infer-from", w, 2, " (any or known)", &i))
        return false;
    r->infer_from = (os_infer_from)i;
    return true;
}

/* A byte count key (infer-bytes=, max-mean-size=): 1 .. 4000000000. */
static bool bytes_key(ps *p, const tok *t, const char *key, uint32_t *out)
{
    unsigned long v;
    if (!num(p->text + t->voff, t->vlen, 1, 4000000000UL, &v)) {
        ebad(p, t, key, " (a number of bytes)");
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool k_stream(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "no", "yes" };
    int i;
    if (!one_of(p, t, "stream", w, 2, " (yes or no)", &i))
        return false;
    r->stream = i == 1;
    return true;
}

static bool k_infer_bytes(ps *p, os_rule *r, const tok *t)
{
    return bytes_key(p, t, "infer-bytes", &r->infer_bytes);
}

static bool k_max_mean_size(ps *p, os_rule *r, const tok *t)
{
    return bytes_key(p, t, "max-mean-size", &r->max_mean_size);
}

static bool k_match(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "port", "role", "service-role", "peer-role" };
    int i;
    if (!one_of(p, t, "match", w, 4, " (port, role, service-role or peer-role)", &i))
        return false;
    r->needs = (os_need)i;
    return true;
}

/* A quoted or bare text value (shared=, kba=); must not be empty. */
static bool text_value(ps *p, const tok *t, const char *key, char **out)
{
    char *v = os_token_unquote(p->text + t->voff, t->vlen);
    if (!v || !*v) {
        ebad(p, t, key, " (a non-empty text, in double quotes if it has blanks)");
        free(v);
        return false;
    }
    free(*out);
    *out = v;
    return true;
}

static bool k_one_peer(ps *p, os_rule *r, const tok *t)
{
    static const char *const w[] = { "no", "yes" };
    int i;
    if (!one_of(p, t, "one-peer", w, 2, " (yes or no)", &i))
        return false;
    r->one_peer = i == 1;
    return true;
}

static bool k_shared(ps *p, os_rule *r, const tok *t) { return text_value(p, t, "shared", &r->shared); }
static bool k_kba(ps *p, os_rule *r, const tok *t) { return text_value(p, t, "kba", &r->kba); }

/* Remember the ids of over= for pass 2. */
/* Room for one more reference to resolve; NULL on allocation failure. */
static ovref *new_ref(ps *p)
{
    if (p->nov == p->ovcap) {
        size_t nc = p->ovcap ? p->ovcap * 2 : 16;
        ovref *n = realloc(p->ov, nc * sizeof *n);
        if (!n)
            return NULL;
        p->ov = n;
        p->ovcap = nc;
    }
    ovref *o = &p->ov[p->nov++];
    memset(o, 0, sizeof *o);
    o->rule = p->rs->n;
    return o;
}

/* infer-pair=ID: one rule id, resolved once the file is read. */
static bool k_infer_pair(ps *p, os_rule *r, const tok *t)
{
    ovref *o;
    if (t->vlen >= OS_RULE_ID_MAX) {
        ebad(p, t, "infer-pair", " (a rule id)");
        return false;
    }
    if (!(o = new_ref(p)))
        return false;
    o->pair = true;
    memcpy(o->id, p->text + t->voff, t->vlen);
    o->off = t->voff;
    r->infer_pair = -2; /* given: resolved later */
    return true;
}

static bool k_over(ps *p, os_rule *r, const tok *t)
{
    const char *v = p->text + t->voff;
    size_t i = 0;
    (void)r;
    while (i <= t->vlen) {
        size_t s = i;
        while (i < t->vlen && v[i] != ',')
            i++;
        if (i - s == 0 || i - s >= OS_RULE_ID_MAX) {
            ebad(p, t, "over", " (rule ids separated by commas)");
            return false;
        }
        ovref *o = new_ref(p);
        if (!o)
            return false;
        memcpy(o->id, v + s, i - s);
        o->off = t->voff + s;
        i++;
    }
    return true;
}

/* infer=: none | SIDE[:ROLE][,SIDE[:ROLE]], checked once service=/peer= are known. */
static bool infer_item(ps *p, os_rule *r, const tok *t, const char *v, size_t n, size_t off)
{
    const char *colon = memchr(v, ':', n);
    size_t sl = colon ? (size_t)(colon - v) : n;
    bool svc = sl == 7 && memcmp(v, "service", 7) == 0;
    os_hrole_set set;
    os_hrole role;

    if (!svc && !(sl == 4 && memcmp(v, "peer", 4) == 0)) {
        ebad(p, t, "infer", " (none, or service[:ROLE] and/or peer[:ROLE])");
        return false;
    }
    set = svc ? r->service : r->peers;
    if (colon) {
        if (!os_hrole_parse(colon + 1, n - sl - 1, &role)) {
            equote(p, off + sl + 1, "infer: unknown host role ", colon + 1, n - sl - 1, "");
            return false;
        }
    } else if (set && !(set & (set - 1))) {
        role = (os_hrole)__builtin_ctz(set);
    } else {
        equote(p, off, "infer: ", v, n, svc ? " needs :ROLE (service= is not exactly one role)"
                                            : " needs :ROLE (peer= is not exactly one role)");
        return false;
    }
    *(svc ? &r->infer_service : &r->infer_peer) = (int8_t)role;
    return true;
}

static bool resolve_infer(ps *p, os_rule *r, const tok *t)
{
    const char *v = p->text + t->voff;
    size_t i = 0;
    bool ok = true;
    if (val_is(p, t, "none"))
        return true;
    while (i <= t->vlen) {
        size_t s = i;
        while (i < t->vlen && v[i] != ',')
            i++;
        ok &= infer_item(p, r, t, v + s, i - s, t->voff + s);
        i++;
    }
    return ok;
}

static bool k_infer(ps *p, os_rule *r, const tok *t) { (void)p; (void)r; (void)t; return true; }

typedef bool (*key_fn)(ps *, os_rule *, const tok *);

static const struct key {
    const char *name;
    key_fn fn;
} keys[] = {
    { "proto", k_proto }, { "port", k_port }, { "service", k_service }, { "peer", k_peer },
    { "port-on", k_port_on }, { "dest", k_dest }, { "initiator", k_initiator },
    { "bulk", k_bulk }, { "infer", k_infer }, { "min-peers", k_min_peers },
    { "match", k_match }, { "over", k_over }, { "shared", k_shared }, { "kba", k_kba },
    { "one-peer", k_one_peer }, { "infer-from", k_infer_from }, { "infer-bytes", k_infer_bytes },
    { "max-mean-size", k_max_mean_size }, { "stream", k_stream },
    { "infer-pair", k_infer_pair },
};
enum { N_KEYS = sizeof keys / sizeof keys[0], K_PROTO = 0, K_PORT = 1, K_INFER = 8, K_KBA = 13 };

static int find_key(const ps *p, const tok *t)
{
    size_t kl = t->has_eq ? t->voff - 1 - t->off : t->len;
    for (int i = 0; i < N_KEYS; i++)
        if (strlen(keys[i].name) == kl && memcmp(keys[i].name, p->text + t->off, kl) == 0)
            return i;
    return -1;
}

/* One KEY=VALUE token of a rule. */
static bool rule_key(ps *p, os_rule *r, const tok *t, pending *pd, rmeta *m)
{
    int k = find_key(p, t);
    size_t kl = t->has_eq ? t->voff - 1 - t->off : t->len;
    if (k < 0) {
        equote(p, t->off, "unknown key ", p->text + t->off, kl, " (proto port service peer "
               "port-on dest initiator bulk infer min-peers match over shared kba one-peer "
               "infer-from infer-bytes max-mean-size stream infer-pair)");
        return false;
    }
    if (pd->seen[k]) {
        equote(p, t->off, "key ", keys[k].name, strlen(keys[k].name), " given twice");
        return false;
    }
    pd->seen[k] = true; /* even if its value is bad: one error per key */
    if (!t->has_eq || t->vlen == 0) {
        equote(p, t->off, "", p->text + t->off, kl, " needs a value: KEY=VALUE");
        return false;
    }
    if (k == K_INFER)
        pd->infer = t;
    if (k == K_PORT)
        m->port_off = t->voff;
    return keys[k].fn(p, r, t);
}

/* ---- statements ------------------------------------------------------- */

static bool valid_id(const char *s, size_t n)
{
    if (n == 0 || n >= OS_RULE_ID_MAX || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* Room for one more rule and its metadata. */
static bool grow(ps *p)
{
    if (p->rs->n < p->cap)
        return true;
    size_t nc = p->cap ? p->cap * 2 : 32;
    os_rule *nr = realloc(p->rs->rule, nc * sizeof *nr);
    if (nr)
        p->rs->rule = nr;
    rmeta *nm = realloc(p->meta, nc * sizeof *nm);
    if (nm)
        p->meta = nm;
    if (!nr || !nm || nc > 65535)
        return false;
    p->cap = nc;
    return true;
}

/* Check the rule's id: well-formed and not seen before. */
static bool rule_id(ps *p, const tok *t, os_rule *r)
{
    const char *v = p->text + t->off;
    if (!valid_id(v, t->len)) {
        equote(p, t->off, "bad rule id ", v, t->len,
               " (lower-case letters, digits and '-', at most 47 characters)");
        return false;
    }
    memcpy(r->id, v, t->len);
    r->id[t->len] = '\0';
    for (unsigned i = 0; i < p->rs->n; i++)
        if (strcmp(p->rs->rule[i].id, r->id) == 0) {
            char post[64];
            snprintf(post, sizeof post, " defined twice (first on line %u)", p->rs->rule[i].line);
            equote(p, t->off, "rule ", v, t->len, post);
            return false;
        }
    return true;
}

/* rule ID KEY=VALUE ... */
static void stmt_rule(ps *p, const tok *t, int n)
{
    os_rule r;
    pending pd;
    rmeta m = { p->text, p->len, p->no, 0 };
    bool ok;

    memset(&r, 0, sizeof r);
    memset(&pd, 0, sizeof pd);
    r.infer_service = r.infer_peer = -1;
    r.infer_pair = -1;
    r.bulk = OS_BULK_ANY;
    r.min_peers = 1;
    r.line = p->no;
    if (n < 2) {
        emsg(p, t[0].off + t[0].len, "expected a rule id after 'rule'");
        return;
    }
    ok = rule_id(p, &t[1], &r);
    for (int i = 2; i < n; i++)
        ok &= rule_key(p, &r, &t[i], &pd, &m);
    for (int k = 0; k < 3; k++) {
        static const int req[] = { K_PROTO, K_PORT, K_KBA };
        if (!pd.seen[req[k]]) {
            char post[64];
            snprintf(post, sizeof post, " needs %s=", keys[req[k]].name);
            equote(p, t[1].off, "rule ", p->text + t[1].off, t[1].len, post);
            ok = false;
        }
    }
    if (pd.infer)
        ok &= resolve_infer(p, &r, pd.infer);
    if (ok && r.shared && (r.infer_service >= 0 || r.infer_peer >= 0) &&
        r.infer_from != OS_INFER_FROM_KNOWN && r.infer_pair == -1) {
        equote(p, pd.infer->off, "rule ", r.id, strlen(r.id),
               " infers from a port other software shares: add infer-from=known (a known role "
               "must vouch) or infer-pair=RULE (a flow the other way corroborates)");
        ok = false;
    }
    if (!ok || !grow(p)) {
        free(r.shared);
        free(r.kba);
        return;
    }
    p->meta[p->rs->n] = m;
    p->rs->rule[p->rs->n++] = r;
}

/* Numeric settings: one row each, used by the parser and the dumper. */
static const struct num_setting {
    const char *name;       /* setting name */
    unsigned long lo, hi;   /* accepted range */
    size_t off;             /* uint32_t field in os_settings */
    const char *what;       /* what the number is, for the error */
} num_settings[] = {
    { "bulk-min-bytes", 0, 4000000000UL, offsetof(os_settings, bulk_min), "a number of bytes" },
    { "syn-verdict-seconds", 1, 300, offsetof(os_settings, syn_verdict_s),
      "seconds, 1 to 300" },
    { "persist-peers", 1, 65536, offsetof(os_settings, persist_peers), "peers, 1 to 65536" },
    { "persist-seconds", 1, 86400, offsetof(os_settings, persist_s), "seconds, 1 to 86400" },
    { "stream-gap-seconds", 1, 3600, offsetof(os_settings, stream_gap_s), "seconds, 1 to 3600" },
    { "stream-stop-seconds", 1, 3600, offsetof(os_settings, stream_stop_s),
      "seconds, 1 to 3600" },
    { "stream-loss-percent", 1, 100, offsetof(os_settings, stream_loss_pct),
      "a percentage, 1 to 100" },
};
enum { N_NUM_SETTINGS = sizeof num_settings / sizeof num_settings[0], N_ADDR_SETTINGS = 3 };

/* set NAME N for a numeric setting (row ns). */
static void set_number(ps *p, const struct num_setting *ns, const tok *v, const char *text)
{
    unsigned long n;
    if (!num(text, strlen(text), ns->lo, ns->hi, &n)) {
        char why[64];
        snprintf(why, sizeof why, ": %s", ns->what);
        equote(p, v->off, "bad value for ", ns->name, strlen(ns->name), why);
        return;
    }
    *(uint32_t *)(void *)((char *)&p->rs->set + ns->off) = (uint32_t)n;
}

/* Index of a setting name: 0..2 the address settings, 3.. the numeric rows; -1 if unknown. */
static int setting_index(const char *name, size_t len)
{
    static const char *const addr_names[N_ADDR_SETTINGS] = { "multicast-start",
                                                             "multicast-range", "multicast-test" };
    for (int i = 0; i < N_ADDR_SETTINGS; i++)
        if (len == strlen(addr_names[i]) && memcmp(name, addr_names[i], len) == 0)
            return i;
    for (int i = 0; i < (int)N_NUM_SETTINGS; i++)
        if (len == strlen(num_settings[i].name) && memcmp(name, num_settings[i].name, len) == 0)
            return N_ADDR_SETTINGS + i;
    return -1;
}

/* set NAME VALUE */
static void stmt_set(ps *p, const tok *t, int n)
{
    os_settings *s = &p->rs->set;
    char v[64];
    int k;

    if (n != 3) {
        emsg(p, t[0].off, "expected: set NAME VALUE");
        return;
    }
    if ((k = setting_index(p->text + t[1].off, t[1].len)) < 0) {
        equote(p, t[1].off, "unknown setting ", p->text + t[1].off, t[1].len,
               " (multicast-start, multicast-range, multicast-test, bulk-min-bytes, "
               "syn-verdict-seconds, persist-peers, persist-seconds, stream-gap-seconds, "
               "stream-stop-seconds, stream-loss-percent)");
        return;
    }
    if (p->set_seen[k]) {
        equote(p, t[1].off, "setting ", p->text + t[1].off, t[1].len, " given twice");
        return;
    }
    p->set_seen[k] = true;
    snprintf(v, sizeof v, "%.*s", (int)t[2].len, p->text + t[2].off);
    if (k >= N_ADDR_SETTINGS) {
        set_number(p, &num_settings[k - N_ADDR_SETTINGS], &t[2], v);
        return;
    }
    if (strcmp(v, "unset") == 0)
        return;
    unsigned long cnt;
    os_addr a;
    bool ok = k == 1 ? num(v, strlen(v), 1, 16777216, &cnt)
                     : os_addr_parse(v, &a) && os_addr_is_multicast(&a);
    if (!ok) {
        equote(p, t[2].off, "bad value for ", p->text + t[1].off, t[1].len,
               k == 1 ? ": a number of groups (1 to 16777216) or unset"
                      : ": a multicast address (224.0.0.0/4 or ff00::/8) or unset");
        return;
    }
    if (k == 0)
        s->mcast_start_set = true, s->mcast_start = a;
    else if (k == 1)
        s->mcast_range = (uint32_t)cnt;
    else
        s->mcast_test_set = true, s->mcast_test = a;
}

static void statement(ps *p)
{
    tok t[MAX_TOK];
    int n;
    if (!tokenize(p, t, &n) || n == 0)
        return;
    if (t[0].len == 4 && memcmp(p->text + t[0].off, "rule", 4) == 0)
        stmt_rule(p, t, n);
    else if (t[0].len == 3 && memcmp(p->text + t[0].off, "set", 3) == 0)
        stmt_set(p, t, n);
    else
        equote(p, t[0].off, "unknown statement ", p->text + t[0].off, t[0].len,
               " (a line is 'rule ID KEY=VALUE...' or 'set NAME VALUE')");
}

/* ---- pass 2: over= and overlaps --------------------------------------- */

/* Point diagnostics at rule i's line. */
static void at_rule(ps *p, unsigned i)
{
    p->text = p->meta[i].text;
    p->len = p->meta[i].len;
    p->no = p->meta[i].line;
}

static void resolve_over(ps *p)
{
    for (size_t i = 0; i < p->nov; i++) {
        ovref *o = &p->ov[i];
        os_rule *r = &p->rs->rule[o->rule];
        int target = os_rules_find(p->rs, o->id);
        at_rule(p, o->rule);
        if (o->pair && target >= 0 && target != o->rule)
            r->infer_pair = (int16_t)target;
        else if (target < 0)
            equote(p, o->off, o->pair ? "infer-pair: no rule " : "over: no rule ", o->id,
                   strlen(o->id), " in this file");
        else if (target == o->rule)
            equote(p, o->off, o->pair ? "infer-pair: rule " : "over: rule ", o->id, strlen(o->id),
                   o->pair ? " cannot corroborate itself" : " cannot win over itself");
        else if (r->nover >= OS_RULE_MAX_OVER)
            emsg(p, o->off, "over: at most 8 rules");
        else
            r->over[r->nover++] = (uint16_t)target;
    }
}

static bool over_has(const os_rule *a, unsigned b)
{
    for (unsigned i = 0; i < a->nover; i++)
        if (a->over[i] == b)
            return true;
    return false;
}

/* Can host roles tell a and b apart? */
static bool roles_disjoint(const os_rule *a, const os_rule *b)
{
    return (a->service && b->service && !(a->service & b->service)) ||
           (a->peers && b->peers && !(a->peers & b->peers));
}

static void check_pair(ps *p, unsigned ia, unsigned ib)
{
    const os_rule *a = &p->rs->rule[ia], *b = &p->rs->rule[ib];
    uint8_t shared = a->transports & b->transports;
    if (!shared || a->dest != b->dest || a->port_hi < b->port_lo || b->port_hi < a->port_lo)
        return;
    if (over_has(a, ib) || over_has(b, ia) || roles_disjoint(a, b))
        return;
    unsigned port = a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
    at_rule(p, ib);
    os_diag_error(p->d, p->file, p->no, (unsigned)p->meta[ib].port_off + 1, p->text, p->len,
                  "rule '%s' overlaps rule '%s' (line %u) on %s port %u for the same host "
                  "roles; add over= to one of them or give them different service=/peer= roles",
                  b->id, a->id, a->line, (shared & OS_T_TCP) ? "tcp" : "udp", port);
}

static void check_overlaps(ps *p)
{
    for (unsigned i = 0; i < p->rs->n; i++)
        for (unsigned j = i + 1; j < p->rs->n; j++)
            check_pair(p, i, j);
}

/* ---- pass 3: port tables ---------------------------------------------- */

/* Rules of transport bit tb whose range holds port, in file order. */
static unsigned rules_at(const os_ruleset *rs, uint8_t tb, unsigned port, uint16_t *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < rs->n; i++)
        if ((rs->rule[i].transports & tb) && port >= rs->rule[i].port_lo &&
            port <= rs->rule[i].port_hi)
            out[n++] = (uint16_t)i;
    return n;
}

/* Index of an existing identical set, or -1. */
static int find_set(const os_ruleset *rs, const uint16_t *v, unsigned n)
{
    for (unsigned k = 0; k < rs->nsets; k++) {
        unsigned len = rs->set_off[k + 1] - rs->set_off[k];
        if (len == n && memcmp(rs->set_list + rs->set_off[k], v, n * sizeof *v) == 0)
            return (int)k;
    }
    return -1;
}

/* Append set v as a new candidate set; its index, or -1 without memory. */
static int add_set(os_ruleset *rs, const uint16_t *v, unsigned n, size_t *lcap)
{
    unsigned used = rs->set_off[rs->nsets];
    if (used + n > *lcap) {
        size_t nc = (*lcap + n) * 2;
        uint16_t *nl = realloc(rs->set_list, nc * sizeof *nl);
        if (!nl)
            return -1;
        rs->set_list = nl;
        *lcap = nc;
    }
    uint16_t *no = realloc(rs->set_off, (rs->nsets + 2u) * sizeof *no);
    if (!no)
        return -1;
    rs->set_off = no;
    memcpy(rs->set_list + used, v, n * sizeof *v);
    rs->set_off[rs->nsets + 1] = (uint16_t)(used + n);
    return rs->nsets++;
}

/* Mark in edge[] the ports where the rules of transport bit tb change: the
 * first port of each range and the one after its end. */
static void mark_edges(const os_ruleset *rs, uint8_t tb, bool *edge)
{
    memset(edge, 0, 65537 * sizeof *edge);
    edge[0] = true;
    for (unsigned i = 0; i < rs->n; i++)
        if (rs->rule[i].transports & tb)
            edge[rs->rule[i].port_lo] = edge[rs->rule[i].port_hi + 1u] = true;
}

/* Per transport, the candidate set of every port. The set is looked up only
 * where a range starts or ends; the ports in between share it. */
static bool compile(os_ruleset *rs)
{
    uint16_t *cur = malloc((rs->n + 1u) * sizeof *cur);
    bool *edge = malloc(65537 * sizeof *edge);
    size_t lcap = 0;
    bool ok = cur && edge;
    int k = 0;

    rs->set_off = calloc(2, sizeof *rs->set_off);
    rs->nsets = 1; /* set 0: empty */
    for (int t = 0; t < 2 && ok; t++) {
        rs->port_set[t] = malloc(65536 * sizeof *rs->port_set[t]);
        ok = rs->port_set[t] && rs->set_off;
        if (ok)
            mark_edges(rs, t ? OS_T_UDP : OS_T_TCP, edge);
        for (unsigned port = 0; port < 65536 && ok; port++) {
            if (edge[port]) {
                unsigned n = rules_at(rs, t ? OS_T_UDP : OS_T_TCP, port, cur);
                k = n ? find_set(rs, cur, n) : 0;
                if (k < 0)
                    k = add_set(rs, cur, n, &lcap);
                ok = k >= 0 && rs->set_off[rs->nsets] < 65535;
            }
            if (ok)
                rs->port_set[t][port] = (uint16_t)k;
        }
    }
    free(edge);
    free(cur);
    return ok;
}

/* ---- public ----------------------------------------------------------- */

/* Parse and compile the rules in buf[0..len). */
bool os_rules_parse(const char *file, const char *buf, size_t len, os_ruleset *out, os_diags *d)
{
    os_ruleset rs;
    ps p;
    size_t pos = 0, errs = d->errors;

    memset(&rs, 0, sizeof rs);
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.file = file;
    p.d = d;
    p.rs = &rs;
    rs.set.bulk_min = OS_BULK_MIN_DEFAULT;
    rs.set.syn_verdict_s = OS_SYN_VERDICT_DEFAULT;
    rs.set.persist_peers = OS_PERSIST_PEERS_DEFAULT;
    rs.set.persist_s = OS_PERSIST_SECONDS_DEFAULT;
    rs.set.stream_gap_s = OS_STREAM_GAP_DEFAULT;
    rs.set.stream_stop_s = OS_STREAM_STOP_DEFAULT;
    rs.set.stream_loss_pct = OS_STREAM_LOSS_DEFAULT;
    while (os_next_line(buf, len, &pos, &p.text, &p.len)) {
        p.no++;
        statement(&p);
    }
    if (d->errors == errs)
        resolve_over(&p);
    if (d->errors == errs)
        check_overlaps(&p);
    if (d->errors == errs && !compile(&rs))
        os_diag_error(d, file, 1, 1, "", 0, "out of memory compiling the rules");
    for (unsigned i = 0; i < rs.n; i++)
        rs.size_rules |= rs.rule[i].max_mean_size != 0;
    free(p.meta);
    free(p.ov);
    if (d->errors != errs) {
        os_rules_free(&rs);
        return false;
    }
    *out = rs;
    return true;
}

/* Candidate rules for a port. */
const uint16_t *os_rules_candidates(const os_ruleset *rs, uint8_t ipproto, uint16_t port,
                                    unsigned *n)
{
    int t = ipproto == 6 ? 0 : ipproto == 17 ? 1 : -1;
    *n = 0;
    if (t < 0 || !rs->port_set[t])
        return NULL;
    uint16_t k = rs->port_set[t][port];
    *n = (unsigned)(rs->set_off[k + 1] - rs->set_off[k]);
    return rs->set_list ? rs->set_list + rs->set_off[k] : NULL;
}

/* Index of the rule with this id, or -1. */
int os_rules_find(const os_ruleset *rs, const char *id)
{
    for (unsigned i = 0; i < rs->n; i++)
        if (strcmp(rs->rule[i].id, id) == 0)
            return (int)i;
    return -1;
}

static void dump_roles(FILE *f, os_hrole_set s)
{
    bool first = true;
    if (!s)
        fputs("any", f);
    for (int i = 0; i < OS_HR_COUNT; i++)
        if (s & OS_HR_BIT(i)) {
            fprintf(f, "%s%s", first ? "" : ",", hrole_ids[i]);
            first = false;
        }
}

static void dump_rule(const os_ruleset *rs, const os_rule *r, FILE *f)
{
    static const char *const tr[] = { "-", "tcp", "udp", "tcp,udp" };
    static const char *const dest[] = { "any", "multicast", "multicast-test" };
    static const char *const ini[] = { "peer", "service", "any" };
    static const char *const bulk[] = { "to-service", "from-service", "any" };
    char ports[16];

    snprintf(ports, sizeof ports, r->port_lo == r->port_hi ? "%u" : "%u-%u", r->port_lo, r->port_hi);
    fprintf(f, "%-26s %-7s %-11s %-7s %-14s ", r->id, tr[r->transports & 3], ports,
            r->port_on == OS_PORT_ON_EITHER ? "either" : "service", dest[r->dest]);
    dump_roles(f, r->service);
    fputs(" <- ", f);
    dump_roles(f, r->peers);
    fprintf(f, " initiator=%s bulk=%s", ini[r->initiator], bulk[r->bulk]);
    if (r->infer_service >= 0)
        fprintf(f, " infer=service:%s", hrole_ids[r->infer_service]);
    if (r->infer_peer >= 0)
        fprintf(f, " infer=peer:%s", hrole_ids[r->infer_peer]);
    if (r->min_peers > 1)
        fprintf(f, " min-peers=%u", r->min_peers);
    if (r->needs)
        fprintf(f, " match=%s", r->needs == OS_NEED_ANY ? "role"
                : r->needs == OS_NEED_SERVICE ? "service-role" : "peer-role");
    for (unsigned i = 0; i < r->nover; i++)
        fprintf(f, "%s%s", i ? "," : " over=", rs->rule[r->over[i]].id);
    if (r->infer_from == OS_INFER_FROM_KNOWN)
        fputs(" infer-from=known", f);
    if (r->infer_bytes)
        fprintf(f, " infer-bytes=%u", r->infer_bytes);
    if (r->max_mean_size)
        fprintf(f, " max-mean-size=%u", r->max_mean_size);
    if (r->stream)
        fputs(" stream=yes", f);
    if (r->infer_pair >= 0)
        fprintf(f, " infer-pair=%s", rs->rule[r->infer_pair].id);
    if (r->one_peer)
        fputs(" one-peer=yes", f);
    if (r->shared)
        fprintf(f, " shared=\"%s\"", r->shared);
    fputc('\n', f);
}

/* Write the compiled table, then the settings. */
void os_rules_dump(const os_ruleset *rs, FILE *f)
{
    char a[OS_ADDRSTRLEN];
    fprintf(f, "%-26s %-7s %-11s %-7s %-14s %s\n", "# rule", "proto", "ports", "port-on",
            "dest", "service <- peer, direction, inference");
    for (unsigned i = 0; i < rs->n; i++)
        dump_rule(rs, &rs->rule[i], f);
    fprintf(f, "set multicast-start %s\n",
            rs->set.mcast_start_set ? os_addr_str(&rs->set.mcast_start, a) : "unset");
    if (rs->set.mcast_range)
        fprintf(f, "set multicast-range %u\n", rs->set.mcast_range);
    else
        fputs("set multicast-range unset\n", f);
    fprintf(f, "set multicast-test %s\n",
            rs->set.mcast_test_set ? os_addr_str(&rs->set.mcast_test, a) : "unset");
    for (unsigned i = 0; i < N_NUM_SETTINGS; i++)
        fprintf(f, "set %s %u\n", num_settings[i].name,
                *(const uint32_t *)(const void *)((const char *)&rs->set + num_settings[i].off));
    fprintf(f, "# %u rules, %u candidate sets\n", rs->n, rs->nsets);
}

/* Generated by cmake/embed.cmake from rules/omnicast4.rules: declared here
 * only; everything else asks os_rules_default(). */
extern const char os_default_rules[];
extern const unsigned long os_default_rules_len;
extern const char os_default_rules_name[];

/* The built-in default rules. */
os_rules_text os_rules_default(void)
{
    return (os_rules_text){ os_default_rules_name, os_default_rules, os_default_rules_len };
}

/* Free everything *rs owns and zero it. */
void os_rules_free(os_ruleset *rs)
{
    for (unsigned i = 0; i < rs->n; i++) {
        free(rs->rule[i].shared);
        free(rs->rule[i].kba);
    }
    free(rs->rule);
    free(rs->port_set[0]);
    free(rs->port_set[1]);
    free(rs->set_off);
    free(rs->set_list);
    memset(rs, 0, sizeof *rs);
}
