/* session.c — a run while it captures: the signals (SIGINT/SIGTERM stop,
 * SIGUSR1 the summary so far, SIGHUP --json-file's rotation), the SIGBUS
 * guard of a mapped capture file, the capture loop and its periodic work
 * (the offline progress line, the live --status table and verdicts, -w's
 * rotation by the clock and its end), and -Z's privilege drop. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

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

/* ---- the SIGBUS guard ------------------------------------------------- */

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

void cli_guard_mapping(const os_capture *cap, const char *file)
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

/* ---- -Z USER ---------------------------------------------------------- */

bool cli_drop_privileges(const char *user, char *err, size_t errlen)
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

/* ---- the pipeline ----------------------------------------------------- */

os_pipeline *cli_pipeline_new(const cli_opts *o, const os_ruleset *rs, const os_hostsfile *hf,
                              const os_capture *cap, const cli_outputs *out, char *err,
                              size_t errlen)
{
    os_pipeline_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.rules = rs;
    cfg.hosts = hf;
    cfg.flow = o->flow;
    cfg.dlt = os_capture_dlt(cap);
    cfg.mode = o->mode;
    cfg.out = out->json ? out->json : stdout;
    cfg.graph = o->dot_file || o->report_file || out->audit.site;
    cfg.dump = out->dump;
    cfg.findings_all = o->findings_all;
    cfg.stats_ns = (uint64_t)o->stats_secs * 1000000000ULL;
    return os_pipeline_new(&cfg, err, errlen);
}

/* ---- the capture loop ------------------------------------------------- */

/* A run in progress: what the periodic work needs. */
typedef struct session {
    const cli_opts *o;      /* options */
    os_capture *cap;        /* the capture */
    os_pipeline *pl;        /* the pipeline */
    cli_outputs *out;       /* --json-file */
    const char *source;     /* file or interface name */
    double t0;              /* start (monotonic seconds) */
    double last_status;     /* last --status table */
    double next_progress;   /* next progress line */
    int status_lines;       /* lines of the last table (redrawn in place on a tty) */
    bool tty;               /* standard error is a terminal */
    bool progress_on;       /* a progress line is on the screen */
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
    fprintf(stderr, "\r\033[Komnisniff: %3.0f%% of %s, %.0f packets/s",
            100.0 * (double)pos / (double)size, s->source,
            (double)os_pipeline_stats(s->pl)->packets / (t - s->t0));
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

/* SIGUSR1: the summary so far, on standard error. */
static void summary_now(session *s)
{
    os_capture_stats ks = os_capture_get_stats(s->cap);
    g_usr1 = 0;
    clear_progress(s);
    s->status_lines = 0; /* the summary scrolls the table away */
    os_pipeline_summary_now(s->pl, stderr, s->source, cli_linktype(s->cap), &ks);
}

/* --json-file: its records out, reopened after SIGHUP; a failure stops the
 * capture (records would be lost). */
static void json_tick(session *s)
{
    bool reopen = g_hup;
    if (reopen)
        g_hup = 0;
    if (!cli_json_tick(s->out, s->pl, reopen)) {
        g_stop = 1;
        os_capture_break(s->cap);
    }
}

/* -G with -W COUNT: the COUNT files are written and time ns starts one
 * more, so the run stops (as tcpdump's). True after a line saying so. */
static bool dump_over(session *s, uint64_t ns)
{
    const os_dump_rotate *r = &s->o->rotate;
    if (!s->out->dump || !os_dump_ended(s->out->dump, ns))
        return false;
    clear_progress(s);
    fprintf(stderr, "omnisniff: -G %llu -W %u: the last file's period is over: stopped\n",
            (unsigned long long)r->seconds, (unsigned)r->files);
    g_stop = 1;
    return true;
}

/* Live: the wall clock is packet time, for -w's rotation too. */
static void dump_tick(session *s)
{
    uint64_t now = now_wall_ns();
    if (s->out->dump && !dump_over(s, now))
        os_dump_tick(s->out->dump, now);
}

/* Periodic work: SIGUSR1's summary, --status, the progress line. */
static void tick(session *s)
{
    double t = now_s();
    if (s->out->dump_said) { /* a -w file's line went below the table and the progress line */
        s->out->dump_said = false;
        s->status_lines = 0;
        s->progress_on = false;
    }
    if (g_usr1)
        summary_now(s);
    show_status(s, t);
    if (!os_capture_is_live(s->cap)) {
        show_progress(s, t);
    } else { /* live packets carry the wall clock: verdicts due by now are judged */
        os_capture_stats ks = os_capture_get_stats(s->cap);
        os_pipeline_set_kernel(s->pl, &ks);
        os_pipeline_tick(s->pl, now_wall_ns());
        dump_tick(s);
    }
    if (s->out->json)
        json_tick(s);
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
            if (s->o->rotate.files && s->o->rotate.seconds && dump_over(s, fr.ts_ns))
                break; /* (tested first: the only stop of -w, off the common path) */
            /* a failed allocation is counted and the run goes on; it ends
             * with the summary's out-of-memory line and exit 2 (finish) */
            os_pipeline_packet(s->pl, &fr);
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

const char *cli_capture(const cli_opts *o, os_capture *cap, os_pipeline *pl, cli_outputs *out,
                        char *err, size_t errlen)
{
    session s = { .o = o, .cap = cap, .pl = pl, .out = out };
    const char *read_err;

    s.source = o->source;
    s.t0 = s.last_status = now_s();
    s.next_progress = s.t0 + progress_after();
    s.tty = isatty(STDERR_FILENO);
    g_cap = cap;
    install_signals();
    read_err = capture_loop(&s, o->count, err, errlen);
    g_cap = NULL;
    return read_err;
}
