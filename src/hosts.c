/* hosts.c — parse the hosts file: declared host roles by address or network.
 *
 * A pure function over a buffer: every line is checked, every problem is
 * collected as a file:line:col diagnostic, and the table is handed back only
 * when there is none. Entries are sorted most specific prefix first, so the
 * first containing entry is the best match. */
#include "omnisniff/hosts.h"

#include "omnisniff/tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line being parsed. */
typedef struct line {
    const char *file;  /* file name for diagnostics */
    unsigned no;       /* line number */
    const char *text;  /* start of the line */
    size_t len;        /* length without newline */
    os_diags *d;       /* where errors go */
} line;

/* A token: offset and length inside the line. */
typedef os_token tok;

#define MAX_TOK 8


/* Error at column off+1: pre, then the token quoted (if any), then post. */
static void err(const line *l, size_t off, const char *pre, const tok *t, const char *post)
{
    if (t)
        os_diag_error(l->d, l->file, l->no, (unsigned)off + 1, l->text, l->len, "%s'%.*s'%s",
                      pre, (int)t->len, l->text + t->off, post);
    else
        os_diag_error(l->d, l->file, l->no, (unsigned)off + 1, l->text, l->len, "%s%s", pre, post);
}

/* Split a line into tokens (tokens.h): how many, or -1 after reporting an
 * open quote. */
static int tokenize(const line *l, tok *t)
{
    size_t open;
    int n = os_tokens(l->text, l->len, t, MAX_TOK, &open);
    if (n < 0)
        err(l, open, OS_TOKENS_OPEN_QUOTE, NULL, "");
    return n;
}

/* Parse "ADDRESS[/LEN]" into e->net / e->plen. */
static bool parse_net(const line *l, const tok *t, os_hostdecl *e)
{
    char buf[64];
    const char *slash;
    unsigned long plen;
    char *end;

    if (t->len >= sizeof buf) {
        err(l, t->off, "", t, " is not an IPv4 or IPv6 address or network");
        return false;
    }
    memcpy(buf, l->text + t->off, t->len);
    buf[t->len] = '\0';
    slash = strchr(buf, '/');
    if (slash)
        buf[slash - buf] = '\0';
    if (!os_addr_parse(buf, &e->net)) {
        err(l, t->off, "", t, " is not an IPv4 or IPv6 address or network");
        return false;
    }
    unsigned max = e->net.ver == 6 ? 128 : 32;
    plen = max;
    if (slash) {
        plen = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || plen > max) {
            os_diag_error(l->d, l->file, l->no, (unsigned)(t->off + (size_t)(slash - buf) + 2),
                          l->text, l->len, "prefix length must be 0 to %u", max);
            return false;
        }
    }
    e->plen = (uint8_t)plen;
    return true;
}

/* Host bits beyond the prefix must be zero. */
static bool host_bits_clear(const os_hostdecl *e)
{
    os_addr m = e->net;
    for (unsigned i = e->plen; i < 128; i++)
        m.b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
    return memcmp(m.b, e->net.b, sizeof m.b) == 0;
}

/* Parse "role[,role...]" into e->roles. */
static bool parse_roles(const line *l, const tok *t, os_hostdecl *e)
{
    size_t i = 0;
    bool ok = true;
    while (i <= t->len) {
        size_t s = i;
        while (i < t->len && l->text[t->off + i] != ',')
            i++;
        os_hrole r;
        if (!os_hrole_parse(l->text + t->off + s, i - s, &r)) {
            tok rt = { t->off + s, i - s, i - s };
            char roles[OS_HROLES_STRLEN], post[OS_HROLES_STRLEN + 16];
            snprintf(post, sizeof post, " (roles: %s)",
                     os_hrole_join(OS_HR_ALL, " ", false, roles, sizeof roles));
            err(l, rt.off, "unknown host role ", &rt, post);
            ok = false;
        } else {
            e->roles |= OS_HR_BIT(r);
        }
        i++;
    }
    return ok;
}

/* Parse one non-blank line into e. */
static bool parse_line(const line *l, os_hostdecl *e)
{
    tok t[MAX_TOK];
    int n = tokenize(l, t);
    bool ok;

    memset(e, 0, sizeof *e);
    e->line = l->no;
    if (n < 0)
        return false;
    if (n == 1) {
        err(l, t[0].off + t[0].len, "expected ROLE[,ROLE...] after the address", NULL, "");
        return false;
    }
    if (n > 3) {
        err(l, t[3].off, "unexpected ", &t[3], ": a line is ADDRESS-or-CIDR ROLE[,ROLE...] [name]");
        return false;
    }
    ok = parse_net(l, &t[0], e);
    if (ok && !host_bits_clear(e)) {
        err(l, t[0].off, "", &t[0], " has host bits set beyond the prefix length");
        ok = false;
    }
    ok &= parse_roles(l, &t[1], e);
    if (n == 3) {
        if (t[2].len >= OS_HOST_NAME_MAX) {
            err(l, t[2].off, "name ", &t[2], " is too long (63 characters at most)");
            ok = false;
        } else {
            memcpy(e->name, l->text + t[2].off, t[2].len);
        }
    }
    return ok;
}

/* Report an entry for a network already declared. */
static bool check_duplicate(const line *l, const os_hostsfile *h, const os_hostdecl *e)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].plen == e->plen && os_addr_cmp(&h->v[i].net, &e->net) == 0) {
            os_diag_error(l->d, l->file, l->no, 1, l->text, l->len,
                          "network declared twice (first on line %u)", h->v[i].line);
            return false;
        }
    return true;
}

static bool append(os_hostsfile *h, const os_hostdecl *e, size_t *cap)
{
    if (h->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        os_hostdecl *nv = realloc(h->v, nc * sizeof *nv);
        if (!nv)
            return false;
        h->v = nv;
        *cap = nc;
    }
    h->v[h->n++] = *e;
    return true;
}

static int by_specificity(const void *a, const void *b)
{
    const os_hostdecl *x = a, *y = b;
    if (x->plen != y->plen)
        return x->plen > y->plen ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* A line with no word (blank or a comment); an open quote is not. */
static bool blank(const line *l)
{
    tok t[MAX_TOK];
    size_t open;
    return os_tokens(l->text, l->len, t, MAX_TOK, &open) == 0;
}

/* Parse a hosts file. */
bool os_hosts_parse(const char *file, const char *buf, size_t len, os_hostsfile *out,
                    os_diags *d)
{
    os_hostsfile h = { 0 };
    size_t cap = 0, pos = 0, errs = d->errors;
    line l = { file, 0, NULL, 0, d };

    memset(out, 0, sizeof *out);
    while (os_next_line(buf, len, &pos, &l.text, &l.len)) {
        l.no++;
        os_hostdecl e;
        if (blank(&l) || !parse_line(&l, &e) || !check_duplicate(&l, &h, &e))
            continue;
        if (!append(&h, &e, &cap)) {
            os_diag_error(d, file, l.no, 1, l.text, l.len, "out of memory");
            break;
        }
    }
    if (d->errors != errs) {
        free(h.v);
        return false;
    }
    if (h.n)
        qsort(h.v, h.n, sizeof *h.v, by_specificity);
    *out = h;
    return true;
}

/* The most specific entry containing a. */
const os_hostdecl *os_hosts_match(const os_hostsfile *h, const os_addr *a)
{
    for (size_t i = 0; i < h->n; i++)
        if (os_addr_in_prefix(a, &h->v[i].net, h->v[i].plen))
            return &h->v[i];
    return NULL;
}

/* Free and zero. */
void os_hosts_free(os_hostsfile *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}
