/* main.c — the omnisniff command: parse the command line (options.c), load
 * the rules, hosts and site (load.c), run the capture with its signals and
 * outputs, and turn the outcome into the exit code. src/cli/ is the only
 * code that prints usage or exits; every layer below returns status and an
 * error message. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "omnisniff/audit.h"
#include "omnisniff/dot.h"
#include "omnisniff/dump.h"
#include "omnisniff/firewall.h"
#include "omnisniff/mdreport.h"

static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_usr1;
static volatile sig_atomic_t g_hup;
static os_capture *volatile g_cap;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        g_usr1 = 1; /* print the summary so far; keep going */
        return;
    }
    if (sig == SIGHUP) {
        g_hup = 1; /* reopen --json-file (logrotate moved it) */
        return;
    }
    g_stop = 1;
    os_capture_break(g_cap);
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("omnisniff: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* The audit of --audit / --firewall-rules, made when the capture is done. */
typedef struct audit_run {
    const cli_opts *o;      /* options */
    const os_site *site;    /* the site (NULL: no audit asked) */
    const os_ruleset *rs;   /* rules */
    os_audit a;             /* the audit */
    bool ok;                /* it was made */
    char err[256];          /* why not */
} audit_run;

/* Between the pipeline's flush and its summary: make the audit (JSON: write
 * its records, so the summary stays the last line). */
static void make_audit(audit_run *ar, os_pipeline *pl)
{
    ar->ok = os_audit_build(&ar->a, ar->site, ar->rs, ar->o->site_file, ar->err,
                            sizeof ar->err) &&
             os_audit_observe(&ar->a, os_pipeline_graph(pl), os_pipeline_stats(pl)->last_ns,
                              ar->err, sizeof ar->err);
    if (ar->ok && ar->o->audit && ar->o->mode == OS_MODE_JSON)
        os_audit_write_json(stdout, &ar->a);
}

/* After the summary: the audit text or the firewall rules. False if the audit failed. */
static bool write_audit(audit_run *ar)
{
    if (!ar->site)
        return true;
    if (!ar->ok) {
        cli_fail("audit: %s", ar->err);
        return false;
    }
    if (ar->o->fw >= 0)
        os_fw_write(stdout, &ar->a, (os_fw_format)ar->o->fw);
    else if (ar->o->audit && ar->o->mode != OS_MODE_JSON)
        os_audit_write_text(stdout, &ar->a);
    fflush(stdout);
    return true;
}

static char g_sigbus_msg[700]; /* the SIGBUS line, made before it is needed */
static size_t g_sigbus_len;

/* SIGBUS on the mapped capture file: another program truncated it between
 * two of the reader's size checks (pcapfile.c). One line and exit 2; the
 * state of the run cannot be trusted from a signal handler, so no summary. */
static void on_sigbus(int sig)
{
    (void)sig;
    ssize_t w = write(STDERR_FILENO, g_sigbus_msg, g_sigbus_len);
    (void)w;
    _exit(EXIT_USAGE);
}

/* While a file is read through its mapping, a SIGBUS means the file shrank. */
static void guard_mapping(const os_capture *cap, const char *file)
{
    struct sigaction sa;
    if (!os_capture_is_mapped(cap))
        return;
    snprintf(g_sigbus_msg, sizeof g_sigbus_msg,
             "omnisniff: %s: the file was truncated while being read (bus error on "
             "its mapping); no summary: run again on a copy nothing writes to\n", file);
    g_sigbus_len = strlen(g_sigbus_msg);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* A run in progress: what the periodic work (--status, progress, SIGUSR1)
 * needs. */
typedef struct session {
    const cli_opts *o;      /* options */
    os_capture *cap;        /* the capture */
    os_pipeline *pl;        /* the pipeline */
    const char *source;     /* file or interface name */
    double t0;              /* start (monotonic seconds) */
    double last_status;     /* last --status table */
    double next_progress;   /* next progress line */
    int status_lines;       /* lines of the last table (redrawn in place on a tty) */
    bool tty;               /* standard error is a terminal */
    bool progress_on;       /* a progress line is on the screen */
    FILE *json;             /* --json-file stream, or NULL */
    bool json_failed;       /* it could not be written or reopened (said once) */
} session;

/* Monotonic time in seconds. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The wall clock in ns since the epoch (the time base of live packets). */
static uint64_t now_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Seconds of work before the offline progress line appears
 * (OMNISNIFF_PROGRESS_AFTER overrides it, for tests). */
static double progress_after(void)
{
    const char *e = getenv("OMNISNIFF_PROGRESS_AFTER");
    return e && *e ? atof(e) : 2.0;
}

/* Erase the progress line, if one is shown. */
static void clear_progress(session *s)
{
    if (s->progress_on)
        fputs("\r\033[K", stderr);
    s->progress_on = false;
}

/* Offline, on a terminal: "omnisniff: 42% of FILE, 1234567 packets/s". */
static void show_progress(session *s, double t)
{
    uint64_t pos, size;
    if (!s->tty || t < s->next_progress || !os_capture_progress(s->cap, &pos, &size) || !size)
        return;
    fprintf(stderr, "\r\033[Komnisniff: %3.0f%% of %s, %.0f packets/s", 100.0 * (double)pos / (double)size,
            s->source, (double)os_pipeline_stats(s->pl)->packets / (t - s->t0));
    fflush(stderr);
    s->progress_on = true;
    s->next_progress = t + 0.5;
}

/* The --status table, redrawn in place on a terminal. */
static void show_status(session *s, double t)
{
    if (!s->o->status_secs || t - s->last_status < s->o->status_secs)
        return;
    clear_progress(s);
    if (s->tty && s->status_lines)
        fprintf(stderr, "\033[%dA\033[J", s->status_lines);
    s->status_lines = os_pipeline_status(s->pl, stderr, t - s->last_status);
    s->last_status = t;
}

/* --json-file failed: one line (once); during the capture it stops (records
 * would be lost). */
static void json_file_failed(session *s, const char *what, bool capturing)
{
    if (!s->json_failed)
        cli_fail("%s: %s: %s (the file is incomplete; its last line may be cut)", s->o->json_file,
             what, strerror(errno ? errno : EIO));
    s->json_failed = true;
    if (capturing) {
        g_stop = 1;
        os_capture_break(s->cap);
    }
}

/* --json-file: reopen it after SIGHUP (logrotate moved it away); stop on a
 * write error. */
static void json_file_tick(session *s)
{
    if (fflush(s->json) != 0 || ferror(s->json)) {
        json_file_failed(s, "write error", true);
        return;
    }
    if (!g_hup)
        return;
    g_hup = 0;
    FILE *f = fopen(s->o->json_file, "a");
    if (!f) {
        json_file_failed(s, "cannot reopen", true);
        return;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    fclose(s->json);
    s->json = f;
    os_pipeline_set_out(s->pl, f);
}

/* Periodic work: SIGUSR1's summary, --status, the progress line. */
static void tick(session *s)
{
    double t = now_s();
    if (g_usr1) {
        os_capture_stats ks = os_capture_get_stats(s->cap);
        g_usr1 = 0;
        clear_progress(s);
        s->status_lines = 0; /* the summary scrolls the table away */
        os_pipeline_summary_now(s->pl, stderr, s->source, os_capture_dlt_name(s->cap), &ks);
    }
    show_status(s, t);
    if (!os_capture_is_live(s->cap)) {
        show_progress(s, t);
    } else { /* live packets carry the wall clock: verdicts due by now are judged */
        os_capture_stats ks = os_capture_get_stats(s->cap);
        os_pipeline_set_kernel(s->pl, &ks);
        os_pipeline_tick(s->pl, now_wall_ns());
    }
    if (s->json)
        json_file_tick(s);
}

/* Read frames until the end, the count, a signal or an error. Returns the
 * read error message (in err) or NULL. */
static const char *capture_loop(session *s, uint64_t count, char *err, size_t errlen)
{
    uint64_t n = 0;
    os_frame fr;

    while (!g_stop && (!count || n < count)) {
        os_cap_status st = os_capture_next(s->cap, &fr, err, errlen);
        if (st == OS_CAP_PACKET) {
            if (!os_pipeline_packet(s->pl, &fr)) {
                snprintf(err, errlen, "out of memory");
                return err;
            }
            if ((++n & 1023) == 0 || g_usr1)
                tick(s);
        } else if (st == OS_CAP_TIMEOUT) {
            tick(s);
        } else if (st == OS_CAP_END) {
            break;
        } else if (st == OS_CAP_ERROR) {
            return err;
        }
    }
    clear_progress(s);
    return NULL;
}

/* -Z USER: become USER (groups, gid, uid), for good. */
static bool drop_privileges(const char *user, char *err, size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "-Z %s: no such user", user);
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "-Z %s: cannot switch to uid %u: %s", user, (unsigned)pw->pw_uid,
                 strerror(errno));
        return false;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "-Z %s: privileges could not be dropped", user);
        return false;
    }
    return true;
}

/* Rule index of --write-role ROLE; -1 with err set if there is none. */
static int role_index(const os_ruleset *rs, const char *id, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->rule[i].id, id))
            return (int)i;
    n = (size_t)snprintf(err, errlen, "--write-role: no traffic role '%s'; roles:", id);
    for (size_t i = 0; i < rs->n && n < errlen; i++)
        n += (size_t)snprintf(err + n, errlen - n, " %s", rs->rule[i].id);
    return -1;
}

/* Open the -w evidence file (after -Z, so it belongs to USER). */
static bool open_outputs(const cli_opts *o, const os_ruleset *rs, os_capture *cap,
                         os_pipeline_cfg *cfg, char *err, size_t errlen)
{
    int role = -1;
    if (o->run_as && !drop_privileges(o->run_as, err, errlen))
        return false;
    if (!o->write_file)
        return true;
    if (o->write_role && (role = role_index(rs, o->write_role, err, errlen)) < 0)
        return false;
    cfg->dump = os_dump_open(o->write_file, os_capture_dlt(cap), os_capture_snaplen(cap), role,
                             err, errlen);
    return cfg->dump != NULL;
}

/* Close the -w file and say what it holds; false if a write failed. */
static bool close_outputs(const cli_opts *o, os_pipeline_cfg *cfg)
{
    char err[512];
    os_dump_stats ds;
    if (!cfg->dump)
        return true;
    if (!os_dump_close(cfg->dump, &ds, err, sizeof err)) {
        cli_fail("%s", err);
        return false;
    }
    fprintf(stderr, "omnisniff: wrote %llu packets of %llu %s%s to %s\n",
            (unsigned long long)ds.written, (unsigned long long)ds.flows,
            o->write_role ? "flows of role " : "flagged flows", o->write_role ? o->write_role : "",
            o->write_file);
    if (ds.not_held)
        fprintf(stderr, "omnisniff: %s lacks %llu earlier packets of those flows: at most %d "
                "packets a flow are kept until it is flagged\n", o->write_file,
                (unsigned long long)ds.not_held, OS_DUMP_HOLD_PKTS);
    return true;
}

/* The pipeline configuration of a run. */
static void pipeline_cfg(const cli_opts *o, const os_ruleset *rs, const os_hostsfile *hf,
                         os_capture *cap, os_pipeline_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rules = rs;
    cfg->hosts = hf;
    cfg->flow = o->flow;
    cfg->dlt = os_capture_dlt(cap);
    cfg->mode = o->mode;
    cfg->out = stdout;
    cfg->graph = o->dot_file || o->report_file;
    cfg->findings_all = o->findings_all;
    cfg->stats_ns = (uint64_t)o->stats_secs * 1000000000ULL;
}

/* An output file of --dot / --report / --write-hosts, opened before the capture starts. */
typedef struct outfile {
    const char *path; /* as given, or NULL when not asked for */
    FILE *f;          /* the stream (stdout for '-' and /dev/stdout) */
} outfile;

/* Open o for path (NULL: nothing to do); false after one line on stderr. */
static bool out_open(outfile *o, const char *path)
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
static bool out_close(outfile *o)
{
    bool ok = !o->f || (o->f == stdout ? fflush(stdout) == 0 : fclose(o->f) == 0);
    if (!ok)
        cli_fail("%s: write error: %s", o->path, strerror(errno));
    o->f = NULL;
    return ok;
}

/* The --report file, with the "Audit" section when a site file was given. */
static bool write_report(FILE *out, const os_mdreport_cfg *mc, const audit_run *ar, char *err,
                         size_t errlen)
{
    os_mdreport_write_body(out, mc);
    if (ar->site && ar->ok)
        os_audit_write_md(out, &ar->a);
    return os_mdreport_write_end(out, mc, err, errlen);
}

/* The files written after the summary. */
enum { OUT_DOT = 0, OUT_MD, OUT_HOSTS, OUT_N };

/* Write --dot, --report and --write-hosts after the summary; false if one failed. */
static bool write_outputs(outfile *out, os_pipeline *pl, const os_ruleset *rs, audit_run *ar,
                          bool unclassified)
{
    char err[256];
    bool ok = true;
    outfile *dot = &out[OUT_DOT], *md = &out[OUT_MD], *hosts = &out[OUT_HOSTS];
    os_dot_opts dopts = { .unclassified = unclassified, .fold_min = 0 };
    os_mdreport_cfg mc = { .st = os_pipeline_stats(pl), .cls = os_pipeline_classifier(pl),
                           .rules = rs, .graph = os_pipeline_graph(pl) };
    if (dot->f && !os_dot_write(dot->f, mc.graph, mc.cls, rs, &dopts, err, sizeof err)) {
        cli_fail("%s: %s", dot->path, err);
        ok = false;
    }
    if (md->f && !write_report(md->f, &mc, ar, err, sizeof err)) {
        cli_fail("%s: %s", md->path, err);
        ok = false;
    }
    if (hosts->f)
        os_classify_write_hosts(mc.cls, hosts->f, mc.st->source);
    for (int i = 0; i < OUT_N; i++)
        ok &= out_close(&out[i]);
    return ok;
}

/* Close what a run opened before it could start. */
static void abandon(outfile *out, os_pipeline_cfg *cfg, os_capture *cap)
{
    char err[512];
    for (int i = 0; i < OUT_N; i++)
        out_close(&out[i]);
    if (cfg->dump)
        os_dump_close(cfg->dump, NULL, err, sizeof err);
    os_capture_close(cap);
}

/* Close --json-file; false after one line if a write failed. */
static bool json_file_close(session *s)
{
    if (!s->json)
        return !s->json_failed;
    bool ok = fflush(s->json) == 0 && !ferror(s->json);
    if (fclose(s->json) != 0)
        ok = false;
    s->json = NULL;
    if (!ok)
        json_file_failed(s, "write error", false);
    return ok && !s->json_failed;
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

/* Open the capture, run the pipeline, print the summary. */
static int run(const cli_opts *o, const os_ruleset *rs, const os_hostsfile *hf, const os_site *site)
{
    audit_run ar = { o, (o->audit || o->fw >= 0 || o->report_file) && o->site_file ? site : NULL,
                     rs, { 0 }, false, "" };
    char err[512], perr[256];
    os_capture *cap = os_capture_open(&o->cap, err, sizeof err);
    os_pipeline_cfg cfg;
    const char *read_err;
    os_capture_stats ks;
    os_pipeline *pl = NULL;
    outfile out[OUT_N] = { { 0 } };
    session s;

    if (!cap)
        return cli_fail("%s", err);
    guard_mapping(cap, o->cap.file);
    pipeline_cfg(o, rs, hf, cap, &cfg);
    cfg.graph = cfg.graph || ar.site;
    if (!open_outputs(o, rs, cap, &cfg, err, sizeof err)) {
        os_capture_close(cap);
        return cli_fail("%s", err);
    }
    if (!out_open(&out[OUT_DOT], o->dot_file) || !out_open(&out[OUT_MD], o->report_file) ||
        !out_open(&out[OUT_HOSTS], o->hosts_out)) {
        abandon(out, &cfg, cap); /* out_open said why */
        return EXIT_USAGE;
    }
    memset(&s, 0, sizeof s);
    if (o->json_file) {
        if (!(s.json = fopen(o->json_file, "a"))) {
            abandon(out, &cfg, cap);
            return cli_fail("cannot write %s: %s", o->json_file, strerror(errno));
        }
        setvbuf(s.json, NULL, _IOLBF, 0);
        cfg.out = s.json;
    }
    if (!(pl = os_pipeline_new(&cfg, perr, sizeof perr))) {
        if (s.json)
            fclose(s.json);
        abandon(out, &cfg, cap);
        return cli_fail("%s", perr);
    }
    s.o = o, s.cap = cap, s.pl = pl;
    s.source = o->cap.file ? o->cap.file : o->cap.iface;
    s.t0 = s.last_status = now_s();
    s.next_progress = s.t0 + progress_after();
    s.tty = isatty(STDERR_FILENO);
    g_cap = cap;
    install_signals();
    read_err = capture_loop(&s, o->count, err, sizeof err);
    g_cap = NULL;
    ks = os_capture_get_stats(cap);
    os_pipeline_flush(pl, s.source, os_capture_dlt_name(cap), &ks, read_err);
    if (ar.site)
        make_audit(&ar, pl);
    os_pipeline_summary(pl);
    bool audited = write_audit(&ar);
    if (read_err)
        cli_fail("%s: %s", s.source, read_err);
    bool written = write_outputs(out, pl, rs, &ar, o->dot_unclassified);
    if (ar.site)
        os_audit_free(&ar.a);
    os_severity worst = os_pipeline_worst(pl);
    os_pipeline_free(pl);
    os_capture_close(cap);
    bool out_ok = stdout_ok() && json_file_close(&s);
    if (!close_outputs(o, &cfg) || read_err || !written || !audited || !out_ok)
        return EXIT_USAGE;
    return worst != OS_SEV_NEVER && o->fail_on != OS_SEV_NEVER && worst >= o->fail_on
               ? EXIT_FINDINGS : EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_opts o;
    os_ruleset rs = { 0 };
    os_hostsfile hf = { 0 };
    os_site site = { 0 };
    char err[512];
    int rc = cli_parse(argc, argv, &o);

    if (rc >= 0)
        goto out;
    if (o.explain) {
        rc = cli_explain(o.explain);
        goto out;
    }
    if (o.list_ifaces) {
        rc = os_capture_list(stdout, err, sizeof err) ? EXIT_OK : cli_fail("%s", err);
        goto out;
    }
    rc = EXIT_USAGE;
    if (!cli_load_rules(o.rules_file, &rs))
        goto out;
    if (o.check_rules) {
        os_rules_dump(&rs, stdout);
        rc = EXIT_OK;
        goto out;
    }
    if (o.hosts_file && !cli_load_hosts(o.hosts_file, &hf))
        goto out;
    if (o.site_file && !cli_load_site(o.site_file, &rs, &site))
        goto out;
    if (o.line_buffered || (o.cap.iface && isatty(STDOUT_FILENO)))
        setvbuf(stdout, NULL, _IOLBF, 0);
    o.cap.immediate = o.line_buffered || isatty(STDOUT_FILENO);
    /* not an option: for benchmarks and the reader comparison tests */
    o.cap.use_libpcap = getenv("OMNISNIFF_READER") && !strcmp(getenv("OMNISNIFF_READER"), "libpcap");
    rc = run(&o, &rs, o.site_file ? &site.hosts : &hf, &site);
out:
    os_rules_free(&rs);
    os_hosts_free(&hf);
    os_site_free(&site);
    free(o.filter);
    return rc;
}
