/* site.c — parse the site file: a hosts file plus the directives that say
 * which Archiver records which encoders, which Gateway is primary, where the
 * firewall sits and which traffic roles the site does not use.
 *
 * The host lines are handed to the hosts parser unchanged (directive lines
 * blanked, so line and column numbers stay true); the directives are then
 * parsed and their host references resolved against the parsed hosts. Every
 * problem of either kind is collected, and the diagnostics are put in line
 * order. No port appears here: the site file names hosts and roles only. */
#include "omnisniff/site.h"

#include "omnisniff/tokens.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line being parsed. */
typedef struct line {
    unsigned no;       /* line number */
    const char *text;  /* start of the line */
    size_t len;        /* length without newline */
} line;

/* A token: offset and length inside the line. */
typedef os_token tok;

#define MAX_TOK 64

/* Parser state. */
typedef struct ctx {
    const char *file;        /* file name for diagnostics */
    os_diags *d;             /* where errors go */
    const os_ruleset *rs;    /* rules, for 'unused' ids (may be NULL) */
    os_site *s;              /* what is being built */
    bool resolve;            /* the host lines parsed: references can be resolved */
    size_t cap_rec, cap_in, cap_un; /* capacities of the arrays in s */
    unsigned primary_line;   /* line of 'primary-gateway', 0 if none */
    unsigned firewall_line;  /* line of the first 'firewall', 0 if none */
} ctx;

/* Split a line into tokens (tokens.h): how many; -1 on an open quote. */
static int tokenize(const line *l, tok *t)
{
    size_t open;
    return os_tokens(l->text, l->len, t, MAX_TOK, &open);
}

/* True when the line's first word is a directive keyword ([a-z-] only). A
 * line with an open quote is left to the hosts parser, which reports it. */
static bool is_directive(const line *l)
{
    tok t[MAX_TOK];
    if (tokenize(l, t) <= 0)
        return false;
    for (size_t i = 0; i < t[0].len; i++) {
        char c = l->text[t[0].off + i];
        if (!((c >= 'a' && c <= 'z') || c == '-'))
            return false;
    }
    return true;
}

/* Error at the token's column: pre 'token' post (token omitted if NULL). */
static void err(ctx *c, const line *l, size_t off, const char *pre, const tok *t,
                const char *post)
{
    if (t)
        os_diag_error(c->d, c->file, l->no, (unsigned)off + 1, l->text, l->len, "%s'%.*s'%s",
                      pre, (int)t->len, l->text + t->off, post);
    else
        os_diag_error(c->d, c->file, l->no, (unsigned)off + 1, l->text, l->len, "%s%s", pre,
                      post);
}

/* Next line of buf from *pos; false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos, line *l)
{
    if (!os_next_line(buf, len, pos, &l->text, &l->len))
        return false;
    l->no++;
    return true;
}

/* Parse "ADDRESS[/LEN]" (host bits masked off); false if it is not one. */
static bool parse_net(const line *l, const tok *t, os_addr *net, uint8_t *plen)
{
    char buf[64];
    char *slash, *end;
    if (t->len >= sizeof buf)
        return false;
    memcpy(buf, l->text + t->off, t->len);
    buf[t->len] = '\0';
    if ((slash = strchr(buf, '/')))
        *slash = '\0';
    if (!os_addr_parse(buf, net))
        return false;
    unsigned long max = net->ver == 6 ? 128 : 32, p = max;
    if (slash) {
        p = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || p > max)
            return false;
    }
    for (unsigned i = (unsigned)p; i < 128; i++)
        net->b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
    *plen = (uint8_t)p;
    return true;
}

/* The host entry a token names (its name, or its address/network); SIZE_MAX if none. */
static size_t find_host(const ctx *c, const line *l, const tok *t)
{
    const os_hostsfile *h = &c->s->hosts;
    os_addr net;
    uint8_t plen;
    for (size_t i = 0; i < h->n; i++)
        if (strlen(h->v[i].name) == t->len && !memcmp(h->v[i].name, l->text + t->off, t->len))
            return i;
    if (!parse_net(l, t, &net, &plen))
        return SIZE_MAX;
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].plen == plen && !os_addr_cmp(&h->v[i].net, &net))
            return i;
    return SIZE_MAX;
}

/* Resolve a host reference that must hold `role` (OS_HR_COUNT: any); SIZE_MAX on error. */
static size_t host_ref(ctx *c, const line *l, const tok *t, os_hrole role)
{
    char post[160];
    size_t i = find_host(c, l, t);
    if (i == SIZE_MAX) {
        err(c, l, t->off, "", t, " is not a name, address or network of a host line of this file");
        return SIZE_MAX;
    }
    if (role != OS_HR_COUNT && !(c->s->hosts.v[i].roles & OS_HR_BIT(role))) {
        snprintf(post, sizeof post, " (line %u) is not declared %s", c->s->hosts.v[i].line,
                 os_hrole_name(role));
        err(c, l, t->off, "", t, post);
        return SIZE_MAX;
    }
    return i;
}

/* Grow an array of n elements of size sz to hold one more; false on failure. */
static bool grow(void **v, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 8;
    void *nv = realloc(*v, nc * sz);
    if (!nv)
        return false;
    *v = nv;
    *cap = nc;
    return true;
}

/* Report an allocation failure on line l. */
static void oom(ctx *c, const line *l) { err(c, l, 0, "out of memory", NULL, ""); }

/* A directive: its keyword, its reader and what follows the keyword. */
typedef struct directive {
    const char *name;  /* the keyword that starts its line */
    void (*fn)(ctx *c, const line *l, const tok *t, int n, const struct directive *dv);
    const char *args;  /* its grammar after the keyword (for "expected: ...") */
} directive;

/* "expected: NAME ARGS" at column off+1. */
static void expected(ctx *c, const line *l, size_t off, const directive *dv)
{
    char msg[160];
    snprintf(msg, sizeof msg, "expected: %s %s", dv->name, dv->args);
    err(c, l, off, msg, NULL, "");
}

/* How an Archiver records an encoder (record): index = multicast. */
static const char *const record_via[] = { "unicast", "multicast" };

/* The word between a firewall's name and its networks. */
#define INSIDE "inside"

/* Is token t the word w? */
static bool tok_is(const line *l, const tok *t, const char *w)
{
    return strlen(w) == t->len && !memcmp(w, l->text + t->off, t->len);
}

/* record ARCHIVER unicast|multicast ENCODER [ENCODER...] */
static void do_record(ctx *c, const line *l, const tok *t, int n, const directive *dv)
{
    char post[64];
    bool mc;
    if (n < 4) {
        expected(c, l, l->len, dv);
        return;
    }
    mc = tok_is(l, &t[2], record_via[1]);
    if (!mc && !tok_is(l, &t[2], record_via[0])) {
        snprintf(post, sizeof post, " must be '%s' or '%s'", record_via[0], record_via[1]);
        err(c, l, t[2].off, "", &t[2], post);
    }
    if (!c->resolve)
        return;
    size_t a = host_ref(c, l, &t[1], OS_HR_ARCHIVER);
    for (int i = 3; i < n && i < MAX_TOK; i++) {
        size_t e = host_ref(c, l, &t[i], OS_HR_ENCODER);
        if (a == SIZE_MAX || e == SIZE_MAX)
            continue;
        if (!grow((void **)&c->s->rec, c->s->nrec, &c->cap_rec, sizeof *c->s->rec)) {
            oom(c, l);
            return;
        }
        c->s->rec[c->s->nrec++] = (os_site_record){ a, e, mc, l->no };
    }
}

/* primary-gateway GATEWAY */
static void do_primary(ctx *c, const line *l, const tok *t, int n, const directive *dv)
{
    char pre[96];
    if (n != 2) {
        expected(c, l, n < 2 ? l->len : t[2].off, dv);
        return;
    }
    if (c->primary_line) {
        snprintf(pre, sizeof pre, "%s given twice (first on line %u)", dv->name,
                 c->primary_line);
        err(c, l, t[0].off, pre, NULL, "");
        return;
    }
    c->primary_line = l->no;
    if (c->resolve)
        c->s->primary = host_ref(c, l, &t[1], OS_HR_GATEWAY);
}

/* Add one 'inside' network (a host reference or an address/network). */
static void inside_net(ctx *c, const line *l, const tok *t)
{
    os_site_net sn;
    size_t h = c->resolve ? find_host(c, l, t) : SIZE_MAX;
    if (h != SIZE_MAX) {
        sn.net = c->s->hosts.v[h].net;
        sn.plen = c->s->hosts.v[h].plen;
    } else if (!parse_net(l, t, &sn.net, &sn.plen)) {
        err(c, l, t->off, "", t, " is neither a host of this file nor an address or network");
        return;
    }
    if (!grow((void **)&c->s->inside, c->s->ninside, &c->cap_in, sizeof sn)) {
        oom(c, l);
        return;
    }
    c->s->inside[c->s->ninside++] = sn;
}

/* firewall NAME inside NET-or-HOST [NET-or-HOST...] */
static void do_firewall(ctx *c, const line *l, const tok *t, int n, const directive *dv)
{
    char pre[160];
    if (n < 4 || !tok_is(l, &t[2], INSIDE)) {
        expected(c, l, n < 3 ? l->len : t[2].off, dv);
        return;
    }
    if (t[1].len >= OS_HOST_NAME_MAX) {
        err(c, l, t[1].off, "firewall name ", &t[1], " is too long (63 characters at most)");
        return;
    }
    if (c->firewall_line && (strlen(c->s->firewall) != t[1].len ||
                             memcmp(c->s->firewall, l->text + t[1].off, t[1].len))) {
        snprintf(pre, sizeof pre, "a second firewall (the first, '%s', is on line %u): "
                 "a site file describes one firewall; ", c->s->firewall, c->firewall_line);
        err(c, l, t[1].off, pre, &t[1], " is not it");
        return;
    }
    if (!c->firewall_line) {
        c->firewall_line = l->no;
        memcpy(c->s->firewall, l->text + t[1].off, t[1].len);
        c->s->firewall[t[1].len] = '\0';
    }
    for (int i = 3; i < n && i < MAX_TOK; i++)
        inside_net(c, l, &t[i]);
}

/* The rule index a token names; -1 if none (or no rules to look in). */
static int rule_ref(const ctx *c, const line *l, const tok *t)
{
    char id[OS_RULE_ID_MAX];
    if (!c->rs || t->len >= sizeof id)
        return -1;
    memcpy(id, l->text + t->off, t->len);
    id[t->len] = '\0';
    return os_rules_find(c->rs, id);
}

/* Append one 'unused' entry. */
static void add_unused(ctx *c, const line *l, int rule, size_t host)
{
    if (!grow((void **)&c->s->unused, c->s->nunused, &c->cap_un, sizeof *c->s->unused)) {
        oom(c, l);
        return;
    }
    c->s->unused[c->s->nunused++] = (os_site_unused){ (int16_t)rule, host, l->no };
}

/* unused RULE-ID [HOST...] */
static void do_unused(ctx *c, const line *l, const tok *t, int n, const directive *dv)
{
    int r = -1; /* no rules file: the role is not resolved */
    if (n < 2) {
        expected(c, l, l->len, dv);
        return;
    }
    if (c->rs && (r = rule_ref(c, l, &t[1])) < 0) {
        err(c, l, t[1].off, "", &t[1], " is not a traffic role of the rules file");
        return;
    }
    if (n == 2) {
        add_unused(c, l, r, SIZE_MAX);
        return;
    }
    for (int i = 2; i < n && i < MAX_TOK && c->resolve; i++) {
        size_t h = host_ref(c, l, &t[i], OS_HR_COUNT);
        if (h != SIZE_MAX)
            add_unused(c, l, r, h);
    }
}

/* The directives (grammar: site.h, rules/example.site). */
static const directive directives[] = {
    { "record", do_record, "ARCHIVER unicast|multicast ENCODER [ENCODER...]" },
    { "primary-gateway", do_primary, "GATEWAY" },
    { "firewall", do_firewall, "NAME " INSIDE " NET-or-HOST [NET-or-HOST...]" },
    { "unused", do_unused, "RULE-ID [HOST...]" },
};
enum { N_DIRECTIVES = sizeof directives / sizeof directives[0] };

/* One directive line. */
static void directive_line(ctx *c, const line *l)
{
    tok t[MAX_TOK];
    int n = tokenize(l, t);
    char post[160];
    size_t used;
    for (size_t k = 0; k < N_DIRECTIVES; k++)
        if (tok_is(l, &t[0], directives[k].name)) {
            directives[k].fn(c, l, t, n, &directives[k]);
            return;
        }
    used = (size_t)snprintf(post, sizeof post, " (directives:");
    for (size_t k = 0; k < N_DIRECTIVES && used < sizeof post; k++)
        used += (size_t)snprintf(post + used, sizeof post - used, " %s", directives[k].name);
    if (used < sizeof post)
        snprintf(post + used, sizeof post - used, "; a host line starts with an address)");
    err(c, l, t[0].off, "unknown directive ", &t[0], post);
}

/* The text of line `no` of buf (for diagnostics about host lines). */
static line line_no(const char *buf, size_t len, unsigned no)
{
    line l = { 0, buf, 0 };
    size_t pos = 0;
    while (next_line(buf, len, &pos, &l) && l.no < no)
        ;
    return l;
}

/* Names are references: a name given to two host lines is an error. */
static void check_names(ctx *c, const char *buf, size_t len)
{
    const os_hostsfile *h = &c->s->hosts;
    char pre[128];
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < h->n && h->v[i].name[0]; j++)
            if (h->v[j].line < h->v[i].line && !strcmp(h->v[i].name, h->v[j].name)) {
                line l = line_no(buf, len, h->v[i].line);
                snprintf(pre, sizeof pre, "name '%s' given twice (first on line %u)",
                         h->v[i].name, h->v[j].line);
                err(c, &l, 0, pre, NULL, "");
                break;
            }
}

/* With a Directory and several Gateways, the primary one must be named; with
 * one Gateway, it is the primary. */
static void settle_primary(ctx *c, const char *buf, size_t len)
{
    const os_hostsfile *h = &c->s->hosts;
    size_t ngw = 0, gw = SIZE_MAX, dir = SIZE_MAX;
    char pre[160];
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i].roles & OS_HR_BIT(OS_HR_GATEWAY))
            ngw++, gw = i;
        if ((h->v[i].roles & OS_HR_BIT(OS_HR_DIRECTORY)) && (dir == SIZE_MAX ||
                                                              h->v[i].line < h->v[dir].line))
            dir = i;
    }
    if (c->primary_line)
        return;
    if (ngw == 1) {
        c->s->primary = gw;
    } else if (ngw > 1 && dir != SIZE_MAX) {
        line l = line_no(buf, len, h->v[dir].line);
        snprintf(pre, sizeof pre, "the site has %zu Gateways: name the one that connects to "
                 "this Directory with 'primary-gateway NAME'", ngw);
        err(c, &l, 0, pre, NULL, "");
    }
}

/* "file:LINE:COL:" of a diagnostic, as one sortable number. */
static uint64_t diag_pos(const char *m, size_t flen)
{
    char *end;
    uint64_t no = strtoul(m + flen + 1, &end, 10);
    return no << 32 | (uint32_t)strtoul(end + 1, NULL, 10);
}

/* Put the diagnostics d->msg[from..] in line order (stable: insertion sort). */
static void sort_diags(os_diags *d, size_t from, const char *file)
{
    size_t flen = strlen(file);
    for (size_t i = from + 1; i < d->n; i++) {
        char *m = d->msg[i];
        uint64_t k = diag_pos(m, flen);
        size_t j = i;
        for (; j > from && diag_pos(d->msg[j - 1], flen) > k; j--)
            d->msg[j] = d->msg[j - 1];
        d->msg[j] = m;
    }
}

/* The buffer with every directive line blanked (newlines kept); NULL on failure. */
static char *hosts_only(const char *buf, size_t len)
{
    char *copy = malloc(len + 1);
    size_t pos = 0;
    line l = { 0, NULL, 0 };
    if (!copy)
        return NULL;
    memcpy(copy, buf, len);
    while (next_line(buf, len, &pos, &l))
        if (is_directive(&l))
            memset(copy + (l.text - buf), ' ', l.len);
    return copy;
}

/* Parse a site file. */
bool os_site_parse(const char *file, const char *buf, size_t len, const os_ruleset *rs,
                   os_site *out, os_diags *d)
{
    os_site s;
    size_t from = d->n, errs = d->errors, pos = 0;
    ctx c = { file, d, rs, &s, false, 0, 0, 0, 0, 0 };
    line l = { 0, NULL, 0 };
    char *copy = hosts_only(buf, len);

    memset(out, 0, sizeof *out);
    out->primary = SIZE_MAX;
    memset(&s, 0, sizeof s);
    s.primary = SIZE_MAX;
    if (!copy) {
        os_diag_error(d, file, 1, 1, "", 0, "out of memory");
        return false;
    }
    c.resolve = os_hosts_parse(file, copy, len, &s.hosts, d);
    free(copy);
    if (c.resolve)
        check_names(&c, buf, len);
    while (next_line(buf, len, &pos, &l))
        if (is_directive(&l))
            directive_line(&c, &l);
    if (c.resolve)
        settle_primary(&c, buf, len);
    sort_diags(d, from, file);
    if (d->errors != errs) {
        os_site_free(&s);
        return false;
    }
    *out = s;
    return true;
}

/* Index of the most specific host line containing a. */
size_t os_site_host_of(const os_site *s, const os_addr *a)
{
    const os_hostdecl *e = os_hosts_match(&s->hosts, a);
    return e ? (size_t)(e - s->hosts.v) : SIZE_MAX;
}

/* True if net/plen lies inside the firewall. */
bool os_site_inside(const os_site *s, const os_addr *net, unsigned plen)
{
    for (size_t i = 0; i < s->ninside; i++)
        if (plen >= s->inside[i].plen &&
            os_addr_in_prefix(net, &s->inside[i].net, s->inside[i].plen))
            return true;
    return false;
}

/* Free and zero. */
void os_site_free(os_site *s)
{
    os_hosts_free(&s->hosts);
    free(s->rec);
    free(s->inside);
    free(s->unused);
    memset(s, 0, sizeof *s);
    s->primary = SIZE_MAX;
}
