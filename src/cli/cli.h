/* cli.h — what the files of the omnisniff command share: the parsed command
 * line, the exit codes, and each file's entry points.
 * Private to src/cli/; the library (include/omnisniff/) knows nothing of it.
 *   main.c     parse, load, run (the capture and the outputs, for now),
 *              exit code
 *   options.c  the option table: getopt_long's arrays and --help from it
 *   load.c     the rules, hosts and site files and their diagnostics */
#ifndef OMNISNIFF_CLI_H
#define OMNISNIFF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/capture.h"
#include "omnisniff/findings.h"
#include "omnisniff/hosts.h"
#include "omnisniff/pipeline.h"
#include "omnisniff/rules.h"
#include "omnisniff/site.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

/* The parsed command line. */
typedef struct cli_opts {
    os_capture_opts cap;     /* what to capture from */
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
    const char *run_as;      /* -Z USER: drop privileges after opening the capture */
    unsigned status_secs;    /* --status SECONDS (live; 0 = off) */
    const char *site_file;   /* --site */
    bool audit;              /* --audit */
    int fw;                  /* --firewall-rules: os_fw_format, or -1 */
} cli_opts;

/* ---- main.c ---- */

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

#endif
