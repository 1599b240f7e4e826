/* load.c — the files a run is configured with: the rules (-R FILE or the
 * built-in ones), the hosts file (-H) and the site file (--site). Each is
 * read whole, parsed by its library module, and every diagnostic printed;
 * a refused file ends with one line saying so. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


/* Read a whole file into a NUL-terminated buffer; NULL with err set. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);
            if (!nb)
                break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f) || !buf) {
        snprintf(err, errlen, "%s: %s", path, ferror(f) ? strerror(errno) : "out of memory");
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    fclose(f);
    return buf;
}

/* Print the diagnostics, and when the file was refused one line saying so;
 * frees them. */
static void say_diags(os_diags *d, bool ok, const char *what, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        fputs(d->msg[i], stderr);
    if (!ok)
        fprintf(stderr, "omnisniff: %zu error%s in %s file %s; not running\n", d->errors,
                d->errors == 1 ? "" : "s", what, path);
    os_diags_free(d);
}

bool cli_load_rules(const char *path, os_ruleset *rs)
{
    char err[512];
    os_rules_text def = os_rules_default();
    size_t len = def.len;
    const char *buf = def.text;
    char *owned = NULL;
    os_diags d = { 0 };
    bool ok;

    if (path && !(buf = owned = read_file(path, &len, err, sizeof err))) {
        cli_fail("cannot read rules file %s", err);
        return false;
    }
    ok = os_rules_parse(path ? path : def.name, buf, len, rs, &d);
    say_diags(&d, ok, "rules", path ? path : def.name);
    free(owned);
    return ok;
}

/* Parses a file's text into its target (see load_file). */
typedef bool (*parse_fn)(void *target, const char *path, const char *buf, size_t len,
                         os_diags *d);

/* Read and parse the `what` file (hosts, site). */
static bool load_file(const char *path, const char *what, parse_fn parse, void *target)
{
    char err[512];
    size_t len;
    char *buf = read_file(path, &len, err, sizeof err);
    os_diags d = { 0 };
    bool ok;

    if (!buf) {
        cli_fail("cannot read %s file %s", what, err);
        return false;
    }
    ok = parse(target, path, buf, len, &d);
    say_diags(&d, ok, what, path);
    free(buf);
    return ok;
}

static bool parse_hosts(void *target, const char *path, const char *buf, size_t len, os_diags *d)
{
    return os_hosts_parse(path, buf, len, target, d);
}

/* What a site file is parsed with and into. */
typedef struct site_target {
    const os_ruleset *rs; /* the rules its unused lines name */
    os_site *site;        /* the result */
} site_target;

static bool parse_site(void *target, const char *path, const char *buf, size_t len, os_diags *d)
{
    site_target *t = target;
    return os_site_parse(path, buf, len, t->rs, t->site, d);
}

bool cli_load_hosts(const char *path, os_hostsfile *hf)
{
    return load_file(path, "hosts", parse_hosts, hf);
}

bool cli_load_site(const char *path, const os_ruleset *rs, os_site *site)
{
    site_target t = { rs, site };
    return load_file(path, "site", parse_site, &t);
}
