/* rules.c — parse and compile the Omnicast rules file.
 *
 * os_rules_parse() is a pure function over a buffer. Pass 1 reads each line
 * into a rule or a setting, collecting every diagnostic; pass 2 resolves
 * over= references and checks for overlapping rules the file does not
 * resolve; pass 3 compiles port ranges into per-transport tables (port →
 * candidate set), so classifying costs one array read per port. Nothing is
 * handed back unless there was no error at all. Grammar: rules/README.md;
 * its keys, value words and settings are the tables of rule_table.h, which
 * the writers (rules_write.c) share; words and comments: tokens.h. */
#include "omnisniff/rules.h"

#include "omnisniff/tokens.h"
#include "rule_table.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
    bool set_seen[OS_RSETTINGS_MAX]; /* settings given (setting_index) */
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
    if (val_is(p, t, OS_RW_ANY))
        return true;
    while (i <= t->vlen) {
        size_t s = i;
        os_hrole r;
        while (i < t->vlen && v[i] != ',')
            i++;
        if (os_hrole_parse(v + s, i - s, &r)) {
            *set |= OS_HR_BIT(r);
        } else {
            char pre[64], roles[OS_HROLES_STRLEN], post[OS_HROLES_STRLEN + 16];
            snprintf(pre, sizeof pre, "%s: unknown host role ", key);
            snprintf(post, sizeof post, " (%s, or " OS_RW_ANY ")",
                     os_hrole_join(OS_HR_ALL, " ", false, roles, sizeof roles));
            equote(p, t->voff + s, pre, v + s, i - s, post);
            ok = false;
        }
        i++;
    }
    return ok;
}

/* ---- rule keys: one reader per kind of value (rule_table.h) ------------ */

/* Keys seen so far on a rule line, and infer= kept until the rest is known. */
typedef struct pending {
    const tok *infer;          /* infer= token or NULL */
    const os_rkey *infer_key;  /* its row */
    bool seen[OS_RKEYS_MAX];   /* keys given (duplicate detection) */
} pending;

/* A word of the key's vocabulary. */
static bool v_word(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    int v;
    char allowed[128];
    if (os_rword_parse(k->words, p->text + t->voff, t->vlen, &v)) {
        os_rfield_set(r, k->off, k->size, v);
        return true;
    }
    ebad(p, t, k->name, os_rword_list(k->words, allowed, sizeof allowed));
    return false;
}

/* A number in the key's range. */
static bool v_count(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    unsigned long v;
    if (!num(p->text + t->voff, t->vlen, k->lo, k->hi, &v)) {
        ebad(p, t, k->name, k->allowed);
        return false;
    }
    os_rfield_set(r, k->off, k->size, (long)v);
    return true;
}

/* A set of host roles. */
static bool v_roles(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    os_hrole_set set;
    bool ok = role_list(p, t, k->name, &set);
    os_rfield_set(r, k->off, k->size, set);
    return ok;
}

/* N, N-M or any. */
static bool v_ports(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    const char *v = p->text + t->voff, *dash = memchr(v, '-', t->vlen);
    unsigned long lo, hi;
    if (val_is(p, t, OS_RW_ANY)) {
        r->port_lo = 0;
        r->port_hi = 65535;
        return true;
    }
    size_t n1 = dash ? (size_t)(dash - v) : t->vlen;
    if (!num(v, n1, 1, 65535, &lo) ||
        (dash && !num(dash + 1, t->vlen - n1 - 1, 1, 65535, &hi))) {
        ebad(p, t, k->name, k->allowed);
        return false;
    }
    if (!dash)
        hi = lo;
    if (hi < lo) {
        ebad(p, t, k->name, " (the range is reversed: N-M needs N <= M)");
        return false;
    }
    r->port_lo = (uint16_t)lo;
    r->port_hi = (uint16_t)hi;
    return true;
}

/* A quoted or bare text; must not be empty. */
static bool v_text(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    char **out = (char **)(void *)((char *)r + k->off);
    char *v = os_token_unquote(p->text + t->voff, t->vlen);
    if (!v || !*v) {
        ebad(p, t, k->name, k->allowed);
        free(v);
        return false;
    }
    free(*out);
    *out = v;
    return true;
}

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
static bool v_pair(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    ovref *o;
    if (t->vlen >= OS_RULE_ID_MAX) {
        ebad(p, t, k->name, k->allowed);
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

/* over=ID[,ID...]: rule ids, resolved once the file is read. */
static bool v_over(ps *p, os_rule *r, const os_rkey *k, const tok *t)
{
    const char *v = p->text + t->voff;
    size_t i = 0;
    (void)r;
    while (i <= t->vlen) {
        size_t s = i;
        while (i < t->vlen && v[i] != ',')
            i++;
        if (i - s == 0 || i - s >= OS_RULE_ID_MAX) {
            ebad(p, t, k->name, k->allowed);
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

/* One SIDE[:ROLE] of infer=, checked once service=/peer= are known. */
static bool infer_item(ps *p, os_rule *r, const pending *pd, const char *v, size_t n,
                       size_t off)
{
    const char *colon = memchr(v, ':', n);
    size_t sl = colon ? (size_t)(colon - v) : n;
    int side;
    os_hrole role;

    if (!os_rword_parse(os_rw_sides, v, sl, &side)) {
        ebad(p, pd->infer, pd->infer_key->name, pd->infer_key->allowed);
        return false;
    }
    os_hrole_set set = side == 0 ? r->service : r->peers;
    if (colon) {
        if (!os_hrole_parse(colon + 1, n - sl - 1, &role)) {
            equote(p, off + sl + 1, "infer: unknown host role ", colon + 1, n - sl - 1, "");
            return false;
        }
    } else if (set && !(set & (set - 1))) {
        role = (os_hrole)__builtin_ctz(set);
    } else {
        char post[96];
        snprintf(post, sizeof post, " needs :ROLE (%s= is not exactly one role)",
                 os_rw_sides[side].word);
        equote(p, off, "infer: ", v, n, post);
        return false;
    }
    *(side == 0 ? &r->infer_service : &r->infer_peer) = (int8_t)role;
    return true;
}

/* infer=: none | SIDE[:ROLE][,SIDE[:ROLE]]. */
static bool resolve_infer(ps *p, os_rule *r, const pending *pd)
{
    const tok *t = pd->infer;
    const char *v = p->text + t->voff;
    size_t i = 0;
    bool ok = true;
    if (val_is(p, t, OS_RW_NONE))
        return true;
    while (i <= t->vlen) {
        size_t s = i;
        while (i < t->vlen && v[i] != ',')
            i++;
        ok &= infer_item(p, r, pd, v + s, i - s, t->voff + s);
        i++;
    }
    return ok;
}

/* Read the value of key k; infer= waits for the whole rule (pending). */
static bool key_value(ps *p, os_rule *r, const os_rkey *k, const tok *t, pending *pd)
{
    switch (k->kind) {
    case OS_RV_WORD:
        return v_word(p, r, k, t);
    case OS_RV_COUNT:
        return v_count(p, r, k, t);
    case OS_RV_ROLES:
        return v_roles(p, r, k, t);
    case OS_RV_PORTS:
        return v_ports(p, r, k, t);
    case OS_RV_TEXT:
        return v_text(p, r, k, t);
    case OS_RV_OVER:
        return v_over(p, r, k, t);
    case OS_RV_PAIR:
        return v_pair(p, r, k, t);
    case OS_RV_INFER:
        pd->infer = t;
        pd->infer_key = k;
        return true;
    }
    return false;
}

/* Index of the key a token names (the part before '='), or -1. */
static int find_key(const ps *p, const tok *t, size_t kl)
{
    for (size_t i = 0; i < os_nrkeys; i++)
        if (strlen(os_rkeys[i].name) == kl && memcmp(os_rkeys[i].name, p->text + t->off, kl) == 0)
            return (int)i;
    return -1;
}

/* " (proto port ...)": every key, for the unknown-key diagnostic. */
static const char *key_list(char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, " (");
    for (size_t i = 0; i < os_nrkeys && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", os_rkeys[i].name);
    if (used < len)
        snprintf(buf + used, len - used, ")");
    return buf;
}

/* One KEY=VALUE token of a rule. */
static bool rule_key(ps *p, os_rule *r, const tok *t, pending *pd, rmeta *m)
{
    size_t kl = t->has_eq ? t->voff - 1 - t->off : t->len;
    int k = find_key(p, t, kl);
    char all[320];
    if (k < 0) {
        equote(p, t->off, "unknown key ", p->text + t->off, kl, key_list(all, sizeof all));
        return false;
    }
    if (pd->seen[k]) {
        equote(p, t->off, "key ", os_rkeys[k].name, strlen(os_rkeys[k].name), " given twice");
        return false;
    }
    pd->seen[k] = true; /* even if its value is bad: one error per key */
    if (!t->has_eq || t->vlen == 0) {
        equote(p, t->off, "", p->text + t->off, kl, " needs a value: KEY=VALUE");
        return false;
    }
    if (os_rkeys[k].kind == OS_RV_PORTS)
        m->port_off = t->voff;
    return key_value(p, r, &os_rkeys[k], t, pd);
}

/* A rule with every key at its "not given" value. */
static void rule_defaults(os_rule *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < os_nrkeys; i++) {
        const os_rkey *k = &os_rkeys[i];
        if (k->kind == OS_RV_WORD || k->kind == OS_RV_COUNT || k->kind == OS_RV_ROLES)
            os_rfield_set(r, k->off, k->size, k->def);
    }
    r->infer_service = r->infer_peer = -1;
    r->infer_pair = -1;
}

/* Each required key given? */
static bool required_keys(ps *p, const tok *id, const pending *pd)
{
    bool ok = true;
    for (size_t i = 0; i < os_nrkeys; i++)
        if (os_rkeys[i].required && !pd->seen[i]) {
            char post[64];
            snprintf(post, sizeof post, " needs %s=", os_rkeys[i].name);
            equote(p, id->off, "rule ", p->text + id->off, id->len, post);
            ok = false;
        }
    return ok;
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

    rule_defaults(&r);
    memset(&pd, 0, sizeof pd);
    r.line = p->no;
    if (n < 2) {
        emsg(p, t[0].off + t[0].len, "expected a rule id after '" OS_RW_RULE "'");
        return;
    }
    ok = rule_id(p, &t[1], &r);
    for (int i = 2; i < n; i++)
        ok &= rule_key(p, &r, &t[i], &pd, &m);
    ok &= required_keys(p, &t[1], &pd);
    if (pd.infer)
        ok &= resolve_infer(p, &r, &pd);
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

/* Index of a setting name, or -1 if unknown. */
static int setting_index(const char *name, size_t len)
{
    for (size_t i = 0; i < os_nrsettings; i++)
        if (len == strlen(os_rsettings[i].name) && memcmp(name, os_rsettings[i].name, len) == 0)
            return (int)i;
    return -1;
}

/* " (multicast-start, ...)": every setting, for the unknown-setting diagnostic. */
static const char *setting_list(char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, " (");
    for (size_t i = 0; i < os_nrsettings && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                 os_rsettings[i].name);
    if (used < len)
        snprintf(buf + used, len - used, ")");
    return buf;
}

/* Store setting s's value v in set; false if v is not one. */
static bool setting_value(os_settings *set, const os_rsetting *s, const char *v)
{
    unsigned long n;
    os_addr a;
    if (s->kind != OS_RS_NUMBER && strcmp(v, OS_RW_UNSET) == 0)
        return true;
    if (s->kind == OS_RS_GROUP) {
        if (!os_addr_parse(v, &a) || !os_addr_is_multicast(&a))
            return false;
        memcpy((char *)set + s->off, &a, sizeof a);
        *(bool *)(void *)((char *)set + s->given_off) = true;
        return true;
    }
    if (!num(v, strlen(v), s->lo, s->hi, &n))
        return false;
    os_rfield_set(set, s->off, sizeof(uint32_t), (long)n);
    return true;
}

/* set NAME VALUE */
static void stmt_set(ps *p, const tok *t, int n)
{
    char v[64], what[400];
    int k;

    if (n != 3) {
        emsg(p, t[0].off, "expected: " OS_RW_SET " NAME VALUE");
        return;
    }
    if ((k = setting_index(p->text + t[1].off, t[1].len)) < 0) {
        equote(p, t[1].off, "unknown setting ", p->text + t[1].off, t[1].len,
               setting_list(what, sizeof what));
        return;
    }
    if (p->set_seen[k]) {
        equote(p, t[1].off, "setting ", p->text + t[1].off, t[1].len, " given twice");
        return;
    }
    p->set_seen[k] = true;
    snprintf(v, sizeof v, "%.*s", (int)t[2].len, p->text + t[2].off);
    if (!setting_value(&p->rs->set, &os_rsettings[k], v)) {
        snprintf(what, sizeof what, ": %s", os_rsettings[k].what);
        equote(p, t[2].off, "bad value for ", os_rsettings[k].name,
               strlen(os_rsettings[k].name), what);
    }
}

static void statement(ps *p)
{
    tok t[MAX_TOK];
    int n;
    if (!tokenize(p, t, &n) || n == 0)
        return;
    if (t[0].len == strlen(OS_RW_RULE) && memcmp(p->text + t[0].off, OS_RW_RULE, t[0].len) == 0)
        stmt_rule(p, t, n);
    else if (t[0].len == strlen(OS_RW_SET) && memcmp(p->text + t[0].off, OS_RW_SET, t[0].len) == 0)
        stmt_set(p, t, n);
    else
        equote(p, t[0].off, "unknown statement ", p->text + t[0].off, t[0].len,
               " (a line is '" OS_RW_RULE " ID KEY=VALUE...' or '" OS_RW_SET " NAME VALUE')");
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
    for (size_t i = 0; i < os_nrsettings; i++)
        if (os_rsettings[i].kind == OS_RS_NUMBER)
            os_rfield_set(&rs.set, os_rsettings[i].off, sizeof(uint32_t), os_rsettings[i].def);
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
