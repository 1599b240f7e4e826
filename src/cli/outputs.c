/* outputs.c — everything a run writes besides the pipeline's records: the
 * -w evidence file, --dot, --report, --write-hosts, --json-file (and its
 * reopening after SIGHUP), the site audit and the firewall rules; each file
 * opened, written and closed here, and every write error said in one line
 * (it makes the run fail with exit 2). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "omnisniff/dot.h"
#include "omnisniff/firewall.h"
#include "omnisniff/mdreport.h"

/* ---- --dot, --report, --write-hosts ----------------------------------- */

/* Open o for path (NULL: nothing to do); false after one line on stderr. */
static bool out_open(cli_outfile *o, const char *path)
{
    bool std = path && (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"));
    o->path = path;
    o->f = !path ? NULL : std ? stdout : fopen(path, "w");
    if (path && !o->f)
        cli_fail("cannot write %s: %s", path, strerror(errno));
    return !path || o->f;
}

/* Close o (stdout is only flushed); false after one line on stderr if a
 * write failed. */
static bool out_close(cli_outfile *o)
{
    bool ok = !o->f || (o->f == stdout ? fflush(stdout) == 0 : fclose(o->f) == 0);
    if (!ok)
        cli_fail("%s: write error: %s", o->path, strerror(errno));
    o->f = NULL;
    return ok;
}

/* ---- -w --------------------------------------------------------------- */

/* A -w file is finished: say what it holds (one line, and one for each
 * kind of packet it lacks). */
static void dump_said(void *ctx, const char *name, const os_dump_stats *ds)
{
    cli_outputs *out = ctx;
    const cli_opts *o = out->o;
    if (out->dump_quiet)
        return;
    out->dump_files++;
    out->dump_said = true;
    if (out->err_tty) /* on a progress line, if one is shown */
        fputs("\r\033[K", stderr);
    fprintf(stderr, "omnisniff: wrote %llu packets of %llu %s%s to %s\n",
            (unsigned long long)ds->written, (unsigned long long)ds->flows,
            o->write_role ? "flows of role " : "flagged flows", o->write_role ? o->write_role : "",
            name);
    if (ds->other_link)
        fprintf(stderr, "omnisniff: %s lacks %llu packets of another link type than its own "
                "(a pcap file has one; the input mixes them)\n", name,
                (unsigned long long)ds->other_link);
    if (ds->not_held)
        fprintf(stderr, "omnisniff: %s lacks %llu earlier packets of those flows: at most %d "
                "packets a flow are kept until it is flagged\n", name,
                (unsigned long long)ds->not_held, OS_DUMP_HOLD_PKTS);
}

/* Open the -w evidence file (the first of a rotation); false with err set. */
static bool dump_open(cli_outputs *out, const os_capture *cap, char *err, size_t errlen)
{
    const cli_opts *o = out->o;
    os_dump_cfg cfg = { .path = o->write_file, .dlt = os_capture_dlt(cap),
                        .snaplen = os_capture_snaplen(cap), .role = -1, .rot = o->rotate,
                        .on_file = dump_said, .ctx = out };
    size_t n;
    if (!o->write_file)
        return true;
    if (o->write_role && (cfg.role = os_rules_find(out->rs, o->write_role)) < 0) {
        n = (size_t)snprintf(err, errlen, "--write-role: no traffic role '%s'; roles:",
                             o->write_role);
        for (size_t i = 0; i < out->rs->n && n < errlen; i++)
            n += (size_t)snprintf(err + n, errlen - n, " %s", out->rs->rule[i].id);
        return false;
    }
    out->dump = os_dump_start(&cfg, err, errlen);
    return out->dump != NULL;
}

/* Close the -w file (dump_said says what the last one holds); false after
 * one line if a write failed. */
static bool dump_close(cli_outputs *out)
{
    char err[512];
    if (!out->dump)
        return true;
    bool ok = os_dump_close(out->dump, NULL, err, sizeof err);
    out->dump = NULL;
    if (!ok) {
        cli_fail("%s", err);
        return false;
    }
    if (!out->dump_files) /* -G: a file is named by its first packet's time */
        fprintf(stderr, "omnisniff: wrote no file for -w %s: no packets came\n",
                out->o->write_file);
    return true;
}

/* ---- --json-file ------------------------------------------------------ */

/* --json-file failed: one line (once). */
static void json_failed(cli_outputs *out, const char *what)
{
    if (!out->json_failed)
        cli_fail("%s: %s: %s (the file is incomplete; its last line may be cut)",
                 out->o->json_file, what, strerror(errno ? errno : EIO));
    out->json_failed = true;
}

/* Open --json-file for appending, a record a line; false after one line. */
static bool json_open(cli_outputs *out)
{
    if (!out->o->json_file)
        return true;
    if (!(out->json = fopen(out->o->json_file, "a"))) {
        cli_fail("cannot write %s: %s", out->o->json_file, strerror(errno));
        return false;
    }
    setvbuf(out->json, NULL, _IOLBF, 0);
    return true;
}

bool cli_json_tick(cli_outputs *out, os_pipeline *pl, bool reopen)
{
    FILE *f;
    if (fflush(out->json) != 0 || ferror(out->json)) {
        json_failed(out, "write error");
        return false;
    }
    if (!reopen)
        return true;
    if (!(f = fopen(out->o->json_file, "a"))) {
        json_failed(out, "cannot reopen");
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    fclose(out->json);
    out->json = f;
    os_pipeline_set_out(pl, f);
    return true;
}

/* Close --json-file; false after one line if a write failed. */
static bool json_close(cli_outputs *out)
{
    if (!out->json)
        return !out->json_failed;
    bool ok = fflush(out->json) == 0 && !ferror(out->json);
    if (fclose(out->json) != 0)
        ok = false;
    out->json = NULL;
    if (!ok)
        json_failed(out, "write error");
    return ok && !out->json_failed;
}

/* ---- opening and abandoning ------------------------------------------- */

bool cli_outputs_open(cli_outputs *out, const cli_opts *o, const os_ruleset *rs,
                      const os_site *site, const os_capture *cap)
{
    char err[512];
    memset(out, 0, sizeof *out);
    out->o = o;
    out->err_tty = isatty(STDERR_FILENO);
    out->rs = rs;
    out->audit.site = (o->audit || o->fw >= 0 || o->report_file) && o->site_file ? site : NULL;
    if (!dump_open(out, cap, err, sizeof err)) {
        cli_fail("%s", err);
        return false;
    }
    if (!out_open(&out->dot, o->dot_file) || !out_open(&out->md, o->report_file) ||
        !out_open(&out->hosts, o->hosts_out) || !json_open(out)) {
        cli_outputs_abandon(out); /* out_open or json_open said why */
        return false;
    }
    return true;
}

void cli_outputs_abandon(cli_outputs *out)
{
    char err[512];
    if (out->json)
        fclose(out->json);
    out->json = NULL;
    out_close(&out->dot);
    out_close(&out->md);
    out_close(&out->hosts);
    out->dump_quiet = true;
    if (out->dump)
        os_dump_close(out->dump, NULL, err, sizeof err);
    out->dump = NULL;
}

/* ---- the site audit --------------------------------------------------- */

void cli_audit_make(cli_outputs *out, os_pipeline *pl)
{
    cli_audit *ar = &out->audit;
    if (!ar->site)
        return;
    ar->ok = os_audit_build(&ar->a, ar->site, out->rs, out->o->site_file, ar->err,
                            sizeof ar->err) &&
             os_audit_observe(&ar->a, os_pipeline_graph(pl), os_pipeline_stats(pl)->last_ns,
                              ar->err, sizeof ar->err);
    if (ar->ok && out->o->audit && out->o->mode == OS_MODE_JSON)
        os_audit_write_json(stdout, &ar->a);
}

bool cli_audit_write(cli_outputs *out)
{
    const cli_audit *ar = &out->audit;
    if (!ar->site)
        return true;
    if (!ar->ok) {
        cli_fail("audit: %s", ar->err);
        return false;
    }
    if (out->o->fw >= 0)
        os_fw_write(stdout, &ar->a, (os_fw_format)out->o->fw);
    else if (out->o->audit && out->o->mode != OS_MODE_JSON)
        os_audit_write_text(stdout, &ar->a);
    fflush(stdout);
    return true;
}

/* ---- after the summary ------------------------------------------------ */

/* The --report file, with the "Audit" section when the audit was made. */
static bool write_report(cli_outputs *out, const os_mdreport_cfg *mc, char *err, size_t errlen)
{
    os_mdreport_write_body(out->md.f, mc);
    if (out->audit.site && out->audit.ok)
        os_audit_write_md(out->md.f, &out->audit.a);
    return os_mdreport_write_end(out->md.f, mc, err, errlen);
}

bool cli_outputs_write(cli_outputs *out, os_pipeline *pl)
{
    char err[256];
    bool ok = true;
    os_dot_opts dopts = { .unclassified = out->o->dot_unclassified, .fold_min = 0 };
    os_mdreport_cfg mc = { .st = os_pipeline_stats(pl), .cls = os_pipeline_classifier(pl),
                           .rules = out->rs, .graph = os_pipeline_graph(pl) };
    if (out->dot.f &&
        !os_dot_write(out->dot.f, mc.graph, mc.cls, out->rs, &dopts, err, sizeof err)) {
        cli_fail("%s: %s", out->dot.path, err);
        ok = false;
    }
    if (out->md.f && !write_report(out, &mc, err, sizeof err)) {
        cli_fail("%s: %s", out->md.path, err);
        ok = false;
    }
    if (out->hosts.f)
        os_classify_write_hosts(mc.cls, out->hosts.f, mc.st->source);
    ok &= out_close(&out->dot);
    ok &= out_close(&out->md);
    ok &= out_close(&out->hosts);
    return ok;
}

/* Everything written to standard output reached it (a full disk, a closed
 * pipe: one line, and the run fails). */
static bool stdout_ok(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return true;
    cli_fail("standard output: write error: %s (the output is incomplete)",
             strerror(errno ? errno : EIO));
    return false;
}

bool cli_outputs_close(cli_outputs *out)
{
    os_audit_free(&out->audit.a); /* zeroed when none was made */
    out->audit.site = NULL;
    bool ok = stdout_ok() && json_close(out);
    return dump_close(out) && ok;
}
