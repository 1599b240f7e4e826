/* cli.h — what the files of the omnisniff command share: the parsed command
 * line, the exit codes, the outputs of a run, and each file's entry points.
 * Private to src/cli/; the library (include/omnisniff/) knows nothing of it.
 *   main.c     parse, load, run, exit code
 *   options.c  the option table: getopt_long's arrays and --help from it
 *   load.c     the rules, hosts and site files and their diagnostics
 *   session.c  signals, the SIGBUS guard, the capture loop, progress and
 *              status, the privilege drop
 *   outputs.c  every output file, the audit and firewall rules, write errors */
#ifndef OMNISNIFF_CLI_H
#define OMNISNIFF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/audit.h"
#include "omnisniff/capture.h"
#include "omnisniff/dump.h"
#include "omnisniff/findings.h"
#include "omnisniff/hosts.h"
#include "omnisniff/pipeline.h"
#include "omnisniff/rules.h"
#include "omnisniff/site.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

/* The parsed command line. */
#define CLI_MAX_FILES 64 /* -r given at most this often */

typedef struct cli_opts {
    os_capture_opts cap;     /* what to capture from */
    const char *files[CLI_MAX_FILES]; /* each -r FILE, in order */
    size_t nfiles;           /* how many */
    const char *source;      /* what the summary names: the file(s) or the interface */
    char *sources;           /* several files joined with ", " (owned), or NULL */
    const char *rules_file;  /* -R */
    const char *hosts_file;  /* -H */
    os_mode mode;            /* output */
    bool check_rules;        /* --check-rules */
    bool list_ifaces;        /* -D */
    bool line_buffered;      /* -l */
    uint64_t count;          /* -c (0 = all) */
    os_flow_cfg flow;        /* timeouts and cap */
    os_severity fail_on;     /* --fail-on */
    bool findings_all;       /* --findings all */
    bool dot_unclassified;   /* --dot-unclassified */
    const char *explain;     /* --explain KIND */
    const char *dot_file;    /* --dot FILE, or NULL */
    const char *report_file; /* --report FILE, or NULL */
    const char *hosts_out;   /* --write-hosts FILE, or NULL */
    const char *json_file;   /* --json-file FILE: JSON Lines appended there, or NULL */
    unsigned stats_secs;     /* --stats-interval SECONDS (0 = off) */
    char *filter;            /* joined trailing arguments (owned) */
    const char *write_file;  /* -w FILE: evidence capture */
    const char *write_role;  /* --write-role ROLE: write this role instead of flagged flows */
    os_dump_rotate rotate;   /* -G, -C (in bytes), -W: -w's rotation */
    const char *run_as;      /* -Z USER: drop privileges after opening the capture */
    unsigned status_secs;    /* --status SECONDS (live; 0 = off) */
    const char *site_file;   /* --site */
    bool audit;              /* --audit */
    int fw;                  /* --firewall-rules: os_fw_format, or -1 */
} cli_opts;

/* An output file of --dot / --report / --write-hosts. */
typedef struct cli_outfile {
    const char *path; /* as given, or NULL when not asked for */
    FILE *f;          /* the stream (stdout for '-' and /dev/stdout), or NULL */
} cli_outfile;

/* The audit of --audit / --firewall-rules / --report with a site. */
typedef struct cli_audit {
    const os_site *site; /* the site (NULL: no audit wanted) */
    os_audit a;          /* the audit */
    bool ok;             /* it was made */
    char err[256];       /* why not */
} cli_audit;

/* Everything a run writes besides the pipeline's records on stdout. */
typedef struct cli_outputs {
    const cli_opts *o;     /* options */
    const os_ruleset *rs;  /* rules (role ids) */
    os_dump *dump;         /* -w evidence file, or NULL */
    uint32_t dump_files;   /* -w files finished (each said in a line) */
    bool dump_quiet;       /* say no more of them (the run is abandoned) */
    bool dump_said;        /* one was said since the session last looked: the
                              --status table starts afresh below it */
    bool err_tty;          /* standard error is a terminal */
    cli_outfile dot;       /* --dot */
    cli_outfile md;        /* --report */
    cli_outfile hosts;     /* --write-hosts */
    FILE *json;            /* --json-file stream, or NULL */
    bool json_failed;      /* it could not be written or reopened (said once) */
    cli_audit audit;       /* the site audit */
} cli_outputs;

/* ---- main.c ---- */

/* The link type a summary names: the capture's ("EN10MB"), or "mixed"
 * when its files or interfaces differ. */
const char *cli_linktype(const os_capture *cap);

/* A time --since/--until accepts (when.c: an ISO 8601 time, @EPOCH, a time
 * of day HH:MM[:SS], or +OFFSET from the first packet) into *ns and its
 * os_when_base; false if s is none of them. */
bool cli_parse_when(const char *s, uint64_t *ns, uint8_t *base);

/* Print "omnisniff: msg" on one line to stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int cli_fail(const char *fmt, ...);

/* ---- options.c ---- */

/* Parse argv into *o (o->filter is owned, even on failure). Returns -1 to go
 * on, else the exit code: --help and --version printed, or a usage error
 * said on stderr. */
int cli_parse(int argc, char **argv, cli_opts *o);

/* --explain KIND: the text to stdout, or the kinds to stderr; exit code. */
int cli_explain(const char *kind);

/* ---- load.c ---- (each: every diagnostic on stderr; false: refused, said) */

/* -R FILE, or the built-in rules when path is NULL. */
bool cli_load_rules(const char *path, os_ruleset *rs);

/* The -H hosts file. */
bool cli_load_hosts(const char *path, os_hostsfile *hf);

/* The --site file (its unused lines name rules of rs). */
bool cli_load_site(const char *path, const os_ruleset *rs, os_site *site);

/* ---- session.c ---- */

/* Install the SIGBUS guard when cap reads `file` through a mapping: a
 * truncation under the reader is one line on stderr and exit 2. */
void cli_guard_mapping(const os_capture *cap, const char *file);

/* -Z USER: become USER (groups, gid, uid) for good; false with err set. */
bool cli_drop_privileges(const char *user, char *err, size_t errlen);

/* The pipeline of a run: records to --json-file or stdout, -w's dump, a
 * graph when an output or the audit needs one. NULL with err set. */
os_pipeline *cli_pipeline_new(const cli_opts *o, const os_ruleset *rs, const os_hostsfile *hf,
                              const os_capture *cap, const cli_outputs *out, char *err,
                              size_t errlen);

/* Read frames into pl until the end, -c, a signal, an error, a failed
 * --json-file or -w's last file (-G with -W); SIGUSR1, --status, the
 * progress line, --json-file's rotation and -w's (live: by the clock)
 * meanwhile. Returns the read error (in err) or NULL. */
const char *cli_capture(const cli_opts *o, os_capture *cap, os_pipeline *pl, cli_outputs *out,
                        char *err, size_t errlen);

/* ---- outputs.c ---- */

/* Open -w, --dot, --report, --write-hosts and --json-file (after -Z, so
 * they belong to USER); `site` is audited when an output needs it. False
 * after one line on stderr, with nothing left open. */
bool cli_outputs_open(cli_outputs *out, const cli_opts *o, const os_ruleset *rs,
                      const os_site *site, const os_capture *cap);

/* Close what cli_outputs_open opened, nothing written (the run could not start). */
void cli_outputs_abandon(cli_outputs *out);

/* During the capture: --json-file's buffered records out, and reopened
 * when `reopen` (SIGHUP: logrotate moved it). False when it failed (said
 * once): the capture must stop, or records would be lost. */
bool cli_json_tick(cli_outputs *out, os_pipeline *pl, bool reopen);

/* Between os_pipeline_flush and os_pipeline_summary: make the audit (JSON:
 * its records, so the summary stays the last line). */
void cli_audit_make(cli_outputs *out, os_pipeline *pl);

/* After the summary: the audit text or the firewall rules to stdout. False
 * after one line if the audit could not be made. */
bool cli_audit_write(cli_outputs *out);

/* After the summary: --dot, --report and --write-hosts written and closed.
 * False after one line each for what failed. */
bool cli_outputs_write(cli_outputs *out, os_pipeline *pl);

/* At the end: stdout and --json-file checked, -w closed (its last file said
 * in a line, as each one before it when it was finished), the audit freed.
 * False after one line each for what failed. */
bool cli_outputs_close(cli_outputs *out);

#endif
