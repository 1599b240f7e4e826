/* options.c — the command line: ONE table of the options (long name, short
 * letter, argument name, help text) from which getopt_long's option array,
 * its short-option string and the --help text are all made; the parsing of
 * each option's argument and the checks of the options together. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "omnisniff/firewall.h"

/* Ids of the long options. Their order is the order getopt_long is given
 * them in (make_getopt sorts by id), which is the order glibc lists the
 * candidates of an ambiguous abbreviation in ("--w": '--write-hosts'
 * '--write-role'): add new ones at the end. */
enum { O_JSON = 256, O_CHECK, O_MAXFLOWS, O_TTCP, O_TTCPC, O_TUDP, O_TOTHER, O_FAILON,
       O_FINDINGS, O_DOTUNCL, O_WHOSTS, O_JSONFILE, O_STATSINT, O_EXPLAIN, O_WROLE, O_STATUS,
       O_DOT, O_REPORT, O_SITE, O_AUDIT, O_FIREWALL, O_HELP, O_VERSION, O_SINCE, O_UNTIL };

/* take_* results besides an exit code. */
enum { GO_ON = -1, NOT_MINE = -2 };

/* A row of the table: an option; a line of --help that is no option (an
 * argument, a file format: id 0, the label in arg); or text --help prints
 * as it is (id 0, only help). */
typedef struct row {
    int id;           /* getopt_long's value: the short letter, or an O_ id; 0: --help only */
    const char *name; /* long name without "--", or NULL */
    char letter;      /* short option letter, or 0 */
    const char *arg;  /* the argument's name (the option takes one), or NULL */
    const char *help; /* help text, '\n' continuing it under the text column;
                         NULL: the option shares the next row's line */
} row;

#define SHORT(c, a, h) { c, NULL, c, a, h }
#define LONG(id, n, a, h) { id, n, 0, a, h }
#define ITEM(label, h) { 0, NULL, 0, label, h }
#define TEXT(t) { 0, NULL, 0, NULL, t }

static const row rows[] = {
    TEXT("usage: omnisniff [options] (-r FILE | -i IFACE) [BPF filter expression]\n"
         "       omnisniff -D | --check-rules [-R FILE] | --explain KIND | --help | --version\n"
         "\n"
         "Label Genetec Omnicast 4.x traffic (KBA-00170) in a capture or on an interface,\n"
         "and flag what breaks the documented ports and directions. Manual: man omnisniff.\n"
         "\n"
         "input\n"),
    SHORT('r', "FILE", "read a pcap or pcapng file, also gzip/zstd/lz4-compressed\n"
                       "('-' = standard input); -r again: several files, merged by time"),
    SHORT('i', "IFACE", "capture live on IFACE (immediate mode with -l or on a terminal)"),
    SHORT('s', "SNAPLEN", "live: bytes kept per packet (default 262144; 96 is enough)"),
    SHORT('B', "KIB", "live: kernel capture buffer in KiB (default 32768)"),
    SHORT('p', NULL, "live: do not put the interface in promiscuous mode"),
    SHORT('c', "COUNT", "stop after COUNT packets"),
    LONG(O_SINCE, "since", "TIME",
         "only packets from TIME on: 2026-01-15T14:02:00[Z|+01:00],\n"
         "@EPOCH, 14:02 (that time on the first packet's day, UTC), +90s"),
    LONG(O_UNTIL, "until", "TIME", "only packets before TIME (same forms; +OFFSET from the first)"),
    SHORT('D', NULL, "list the interfaces omnisniff can capture on"),
    ITEM("FILTER...", "trailing arguments form a BPF filter, as with tcpdump"),
    TEXT("rules and hosts\n"),
    SHORT('R', "FILE", "use FILE instead of the built-in rules (omnicast4.rules)"),
    SHORT('H', "FILE", "hosts file (format below)"),
    LONG(O_CHECK, "check-rules", NULL, "validate the rules (-R FILE or built-in), print the table"),
    TEXT("site audit\n"),
    LONG(O_SITE, "site", "FILE",
         "site file: a hosts file (replaces -H) plus record,\n"
         "primary-gateway, firewall and unused lines (format below)"),
    LONG(O_AUDIT, "audit", NULL,
         "after the summary: the flows the site needs, each seen and\n"
         "healthy, attempted and failed, or never seen; and what was\n"
         "seen that it does not need (--json: 'audit' records)"),
    LONG(O_FIREWALL, "firewall-rules", "F",
         "print only the allow rules for the flows that cross the\n"
         "site's firewall: nftables, iptables, netsh or cisco-asa"),
    TEXT("findings and problems\n"
         "  (findings fold into problems: one per kind, service host, traffic role and\n"
         "  port range, across clients and attempts; reports lead with problems)\n"),
    LONG(O_FAILON, "fail-on", "SEV",
         "exit 1 when a problem of severity SEV or worse was found:\n"
         "error (default), warning, info, or never; a dropped or\n"
         "refused service that failed on every attempt from several\n"
         "peers or for long (rules: persist-peers, persist-seconds)\n"
         "is an error"),
    LONG(O_FINDINGS, "findings", "WHICH",
         "problems (default): live '!!' lines and the summary show\n"
         "problems; all: also every finding, one per flow and kind"),
    LONG(O_EXPLAIN, "explain", "KIND",
         "what a finding kind means, the KBA text behind it, what to check"),
    TEXT("output\n"),
    ITEM("(default)", "one line per packet, then the summary"),
    SHORT('q', NULL, "only the summary"),
    LONG(O_JSON, "json", NULL,
         "JSON Lines: 'flow', 'finding', 'problem', 'audit' and a\n"
         "final 'summary'\n"
         "record, each with schema_version (docs/json-schema.md)"),
    SHORT('l', NULL, "line-buffer standard output; live: immediate mode"),
    LONG(O_JSONFILE, "json-file", "FILE",
         "JSON Lines appended to FILE instead of standard output, a\n"
         "whole record a line; SIGHUP reopens it (after logrotate)"),
    LONG(O_STATSINT, "stats-interval", "S",
         "JSON: a 'stats' record every S seconds (of packet time)"),
    SHORT('w', "FILE",
          "write the packets of flagged flows (all of each flow, both\n"
          "directions) to FILE, a pcap for Wireshark or tcpdump"),
    LONG(O_WROLE, "write-role", "ROLE", "with -w: write every flow of traffic role ROLE instead"),
    SHORT('G', "SECONDS",
          "with -w: a file per SECONDS of packet time, periods\n"
          "aligned to the epoch (-G 3600: clock hours, UTC), FILE\n"
          "named by strftime of the start: -w ev-%Y%m%d-%H%M.pcap"),
    SHORT('C', "MB",
          "with -w: a new file before one would pass MB million\n"
          "bytes: FILE, then FILE1, FILE2... (as tcpdump)"),
    SHORT('W', "COUNT",
          "with -C: a ring of COUNT files, FILE0... overwritten in\n"
          "turn; with -G alone: stop after COUNT files"),
    LONG(O_DOT, "dot", "FILE",
         "the system as observed, as a Graphviz graph\n"
         "(render: dot -Tsvg FILE > site.svg); hosts of one role in\n"
         "one /24 (/64) fold into one node from 5 of them on"),
    LONG(O_DOTUNCL, "dot-unclassified", NULL, "with --dot: also draw traffic no rule labels"),
    LONG(O_WHOSTS, "write-hosts", "FILE",
         "a hosts file of every host with a role (inferred ones with\n"
         "their evidence as a comment): correct it, pass it with -H"),
    LONG(O_REPORT, "report", "FILE",
         "a Markdown report for a ticket: capture, hosts, traffic by\n"
         "role, findings with BPF filters and handshake ladders, audit\n"
         "('-' or /dev/stdout: after the summary, the graph first)"),
    LONG(O_STATUS, "status", "SECONDS",
         "live: redraw a per-role table (packets/s, flows, findings)\n"
         "on standard error every SECONDS"),
    ITEM("(SIGUSR1)", "print the summary so far to standard error and go on"),
    TEXT("  (a file read with standard error on a terminal shows a progress line)\n"
         "flows\n"),
    LONG(O_MAXFLOWS, "max-flows", "N", "keep at most N flows, evicting the least recently seen"),
    LONG(O_TTCP, "tcp-timeout", "S", "idle timeout of open TCP flows (default 300 s)"),
    LONG(O_TTCPC, "tcp-closed-timeout", "S", "after FIN both ways or RST (default 10 s)"),
    LONG(O_TUDP, "udp-timeout", "S", "idle timeout of UDP flows (default 120 s)"),
    LONG(O_TOTHER, "other-timeout", "S", "idle timeout of ICMP and other flows (default 60 s)"),
    TEXT("privileges\n"),
    SHORT('Z', "USER",
          "after opening the capture, become USER (before any output\n"
          "file is created)"),
    LONG(O_HELP, "help", NULL, NULL),
    LONG(O_VERSION, "version", NULL, "this text; the version"),
    TEXT("\n"
         "files\n"),
    ITEM("hosts file (-H)",
         "one host or network a line, '#' starts a comment:\n"
         "  ADDRESS-or-CIDR  ROLE[,ROLE...]  [name]\n"
         "roles: directory gateway archiver encoder client dfc\n"
         "failover-directory federation remote-gateway virtual-matrix"),
    ITEM("site file (--site)",
         "a hosts file plus lines\n"
         "  record ARCHIVER unicast|multicast ENCODER...\n"
         "  primary-gateway GATEWAY\n"
         "  firewall NAME inside NET-or-HOST...\n"
         "  unused RULE-ID [HOST...]\n"
         "(grammar: rules/example.site)"),
    ITEM("rules file (-R)",
         "'set' lines and one traffic role a line:\n"
         "  rule ID proto=tcp|udp port=P[-Q] service=ROLE peer=ROLE...\n"
         "(grammar at the top of rules/omnicast4.rules; --check-rules)"),
    TEXT("\n"
         "exit status\n"
         "  0  the input was read to its end (or the capture was stopped)\n"
         "  1  findings at or above the --fail-on severity (default: error)\n"
         "  2  usage error, bad rules, hosts or site file, unreadable or cut capture,\n"
         "     unsupported link type, interface missing or not permitted, an output\n"
         "     file that cannot be written (e.g. a full disk for -w), memory that\n"
         "     ran out (the summary says how many allocations failed)\n"
         "\n"
         "examples\n"
         "  omnisniff -r site.pcap -H site.hosts\n"
         "  omnisniff -q -r customer.pcapng\n"
         "  omnisniff -i eth0 -s 96 udp portrange 15000-16000\n"
         "  omnisniff -q -i eth0 --status 5 -Z nobody -w /tmp/evidence.pcap\n"
         "  omnisniff -q -r customer.pcap -H site.hosts --report ticket.md --dot site.dot\n"
         "  omnisniff -q -r customer.pcap --site site.txt --audit\n"
         "  omnisniff -r customer.pcap --site site.txt --firewall-rules nftables > allow.nft\n"
         "  omnisniff --json -r customer.pcap | jq 'select(.type == \"finding\")'\n"
         "  omnisniff --check-rules -R my-site.rules\n"
         "  omnisniff -q --fail-on warning -r customer.pcap || echo 'look at the findings'\n"
         "  omnisniff --explain unanswered-connection\n"),
};

#define NROWS (sizeof rows / sizeof rows[0])

#define TIMEOUT_MAX (365ULL * 86400)
#define TIMEOUT_MSG "timeout must be whole seconds (0 = never), not "

/* The numeric options: range, and the message (up to the argument) when the
 * argument is not a whole number in it. */
static const struct numeric {
    int id;                 /* option */
    unsigned long long lo;  /* smallest value */
    unsigned long long hi;  /* largest value */
    const char *msg;        /* "...not " ('ARG' follows) */
} numerics[] = {
    { 's', 1, 262144, "-s: snaplen must be a number from 1 to 262144, not " },
    { 'B', 1, 4194304, "-B: buffer size must be a number of KiB from 1 to 4194304, not " },
    { 'c', 1, ULLONG_MAX, "-c: count must be a positive number, not " },
    { O_MAXFLOWS, 1, ULLONG_MAX, "--max-flows: must be a positive number, not " },
    { O_STATSINT, 1, 86400, "--stats-interval: seconds from 1 to 86400, not " },
    { O_STATUS, 1, 3600, "--status: seconds from 1 to 3600, not " },
    { O_TTCP, 0, TIMEOUT_MAX, TIMEOUT_MSG },
    { O_TTCPC, 0, TIMEOUT_MAX, TIMEOUT_MSG },
    { O_TUDP, 0, TIMEOUT_MAX, TIMEOUT_MSG },
    { O_TOTHER, 0, TIMEOUT_MAX, TIMEOUT_MSG },
    { 'G', 1, TIMEOUT_MAX, "-G: seconds from 1 to 31536000 (a year), not " },
    { 'C', 1, 1000000, "-C: millions of bytes from 1 to 1000000, not " },
    { 'W', 1, 1000000, "-W: a number of files from 1 to 1000000, not " },
};

/* ---- --help, from the table ------------------------------------------- */

enum { HELP_COL = 21 }; /* the column help text starts in */

/* A row printed as it is. */
static bool is_text(const row *r)
{
    return !r->id && !r->arg;
}

/* Append to buf, which holds n characters in len bytes (cut to fit);
 * returns the new length. */
__attribute__((format(printf, 4, 5))) static size_t append(char *buf, size_t n, size_t len,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + n, len - n, fmt, ap);
    va_end(ap);
    n += k > 0 ? (size_t)k : 0;
    return n < len ? n : len - 1;
}

/* Append the row's label ("-r FILE", "--site FILE", "--audit", "FILTER...")
 * to buf; returns the new length (see append). */
static size_t add_label(const row *r, char *buf, size_t n, size_t len)
{
    if (r->letter)
        n = append(buf, n, len, "-%c%s", r->letter, r->name ? ", " : "");
    if (r->name)
        n = append(buf, n, len, "--%s", r->name);
    if (r->arg)
        n = append(buf, n, len, "%s%s", r->id ? " " : "", r->arg);
    return n;
}

/* "  LABEL" and the help text at HELP_COL (two spaces after a longer
 * label), each further line of it under the first. */
static void usage_line(FILE *f, const char *label, const char *help)
{
    size_t n = 2 + strlen(label);
    fprintf(f, "  %s%*s", label, n < HELP_COL ? HELP_COL - (int)n : 2, "");
    for (;;) {
        size_t k = strcspn(help, "\n");
        fwrite(help, 1, k, f);
        fputc('\n', f);
        if (!help[k])
            return;
        help += k + 1;
        fprintf(f, "%*s", HELP_COL, "");
    }
}

/* The --help text. */
static void usage(FILE *f)
{
    char label[80];
    size_t n = 0; /* the label so far (rows sharing a line) */
    for (size_t i = 0; i < NROWS; i++) {
        const row *r = &rows[i];
        if (is_text(r)) {
            fputs(r->help, f);
            continue;
        }
        n = add_label(r, label, n, sizeof label);
        if (!r->help) {
            n = append(label, n, sizeof label, ", ");
            continue;
        }
        usage_line(f, label, r->help);
        n = 0;
    }
}

/* ---- getopt_long's arrays, from the table ----------------------------- */

static int by_id(const void *a, const void *b)
{
    const struct option *x = a, *y = b;
    return (x->val > y->val) - (x->val < y->val);
}

/* The long options (sorted by id, see the O_ enum) into lo, NROWS + 1 of
 * them room, and the short-option string into so, 2 * NROWS + 2 room. */
static void make_getopt(struct option *lo, char *so)
{
    size_t nl = 0, ns = 0;
    so[ns++] = '+'; /* stop at the first argument that is no option: the filter */
    for (size_t i = 0; i < NROWS; i++) {
        const row *r = &rows[i];
        if (r->letter) {
            so[ns++] = r->letter;
            if (r->arg)
                so[ns++] = ':';
        }
        if (r->name)
            lo[nl++] = (struct option){ r->name, r->arg ? required_argument : no_argument,
                                        NULL, r->id };
    }
    so[ns] = '\0';
    lo[nl] = (struct option){ NULL, 0, NULL, 0 };
    qsort(lo, nl, sizeof *lo, by_id);
}

/* ---- each option's argument ------------------------------------------- */

/* Parse a whole number in [lo, hi]. */
static bool parse_num(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return false;
    *out = strtoull(s, &end, 10);
    return !errno && !*end && *out >= lo && *out <= hi;
}

/* An option without an argument. */
static int take_flag(cli_opts *o, int id)
{
    switch (id) {
    case 'p': o->cap.promisc = false; return GO_ON;
    case 'q': o->mode = OS_MODE_QUIET; return GO_ON;
    case 'l': o->line_buffered = true; return GO_ON;
    case 'D': o->list_ifaces = true; return GO_ON;
    case O_JSON: o->mode = OS_MODE_JSON; return GO_ON;
    case O_CHECK: o->check_rules = true; return GO_ON;
    case O_DOTUNCL: o->dot_unclassified = true; return GO_ON;
    case O_AUDIT: o->audit = true; return GO_ON;
    default: return NOT_MINE;
    }
}

/* An option whose argument is kept as it is (a file, a user, a name). */
static int take_path(cli_opts *o, int id, const char *arg)
{
    switch (id) {
    case 'r':
        if (o->nfiles >= CLI_MAX_FILES)
            return cli_fail("-r: at most %d files", CLI_MAX_FILES);
        o->files[o->nfiles++] = arg;
        return GO_ON;
    case 'i': o->cap.iface = arg; return GO_ON;
    case 'R': o->rules_file = arg; return GO_ON;
    case 'H': o->hosts_file = arg; return GO_ON;
    case 'w': o->write_file = arg; return GO_ON;
    case 'Z': o->run_as = arg; return GO_ON;
    case O_EXPLAIN: o->explain = arg; return GO_ON;
    case O_WHOSTS: o->hosts_out = arg; return GO_ON;
    case O_JSONFILE: o->json_file = arg; o->mode = OS_MODE_JSON; return GO_ON;
    case O_WROLE: o->write_role = arg; return GO_ON;
    case O_DOT: o->dot_file = arg; return GO_ON;
    case O_REPORT: o->report_file = arg; return GO_ON;
    case O_SITE: o->site_file = arg; return GO_ON;
    default: return NOT_MINE;
    }
}

/* Store the value of numeric option id. */
static void set_number(cli_opts *o, int id, unsigned long long v)
{
    switch (id) {
    case 's': o->cap.snaplen = (int)v; break;
    case 'B': o->cap.buffer_kib = (int)v; break;
    case 'c': o->count = v; break;
    case O_MAXFLOWS: o->flow.max_flows = v; break;
    case O_STATSINT: o->stats_secs = (unsigned)v; break;
    case O_STATUS: o->status_secs = (unsigned)v; break;
    case O_TTCP: o->flow.timeout_ns[OS_FL_TCP] = v * 1000000000ULL; break;
    case O_TTCPC: o->flow.timeout_ns[OS_FL_TCP_CLOSED] = v * 1000000000ULL; break;
    case O_TUDP: o->flow.timeout_ns[OS_FL_UDP] = v * 1000000000ULL; break;
    case 'G': o->rotate.seconds = v; break;
    case 'C': o->rotate.bytes = v * 1000000ULL; break;
    case 'W': o->rotate.files = (uint32_t)v; break;
    default: o->flow.timeout_ns[OS_FL_OTHER] = v * 1000000000ULL; break;
    }
}

/* A numeric option (see numerics). */
static int take_number(cli_opts *o, int id, const char *arg)
{
    unsigned long long v;
    for (size_t i = 0; i < sizeof numerics / sizeof numerics[0]; i++) {
        if (numerics[i].id != id)
            continue;
        if (!parse_num(arg, numerics[i].lo, numerics[i].hi, &v))
            return cli_fail("%s'%s'", numerics[i].msg, arg);
        set_number(o, id, v);
        return GO_ON;
    }
    return NOT_MINE;
}

/* --since / --until TIME. */
static int take_when(cli_opts *o, int id, const char *arg)
{
    bool since = id == O_SINCE;
    if (!cli_parse_when(arg, since ? &o->cap.since_ns : &o->cap.until_ns,
                        since ? &o->cap.since_base : &o->cap.until_base))
        return cli_fail("--%s: a time such as 2026-01-15T14:02:00, 14:02, @1768485720 or +90s, "
                        "not '%s'", since ? "since" : "until", arg);
    return GO_ON;
}

/* An option whose argument is one of a few words. */
static int take_choice(cli_opts *o, int id, const char *arg)
{
    os_fw_format ff;
    switch (id) {
    case O_FAILON:
        if (!os_severity_parse(arg, &o->fail_on))
            return cli_fail("--fail-on: error, warning, info or never, not '%s'", arg);
        return GO_ON;
    case O_FINDINGS:
        if (strcmp(arg, "all") != 0 && strcmp(arg, "problems") != 0)
            return cli_fail("--findings: problems or all, not '%s'", arg);
        o->findings_all = strcmp(arg, "all") == 0;
        return GO_ON;
    case O_SINCE:
    case O_UNTIL:
        return take_when(o, id, arg);
    case O_FIREWALL:
        if (!os_fw_format_parse(arg, &ff))
            return cli_fail("--firewall-rules: nftables, iptables, netsh or cisco-asa, not '%s'",
                            arg);
        o->fw = (int)ff;
        return GO_ON;
    default:
        return NOT_MINE;
    }
}

/* Handle one option; GO_ON, or an exit code. */
static int take_opt(cli_opts *o, int id, const char *arg)
{
    int rc;
    if (id == O_HELP) {
        usage(stdout);
        return EXIT_OK;
    }
    if (id == O_VERSION) {
        printf("omnisniff %s\n", OMNISNIFF_VERSION);
        return EXIT_OK;
    }
    if ((rc = take_flag(o, id)) == NOT_MINE && (rc = take_path(o, id, arg)) == NOT_MINE &&
        (rc = take_number(o, id, arg)) == NOT_MINE)
        rc = take_choice(o, id, arg);
    if (rc == NOT_MINE) { /* '?': getopt_long said what was wrong */
        usage(stderr);
        rc = EXIT_USAGE;
    }
    return rc;
}

/* ---- the command line as a whole -------------------------------------- */

/* Join the n words of v with sep (allocated), or NULL if none. */
static char *join_list(const char *const *v, size_t n, const char *sep)
{
    size_t len = 1;
    char *s;
    if (!n)
        return NULL;
    for (size_t k = 0; k < n; k++)
        len += strlen(v[k]) + strlen(sep);
    if (!(s = calloc(1, len)))
        return NULL;
    for (size_t k = 0; k < n; k++) {
        if (k)
            strcat(s, sep);
        strcat(s, v[k]);
    }
    return s;
}

/* Join argv[i..] with spaces (the BPF filter), or NULL if none. */
static char *join_args(int argc, char **argv, int i)
{
    return i < argc ? join_list((const char *const *)argv + i, (size_t)(argc - i), " ") : NULL;
}

/* Whether a trailing argument names a capture file rather than a word of a
 * BPF filter: a capture's file name ending, or an existing regular file
 * named with a '/'. */
static bool looks_like_capture(const char *a)
{
    static const char *const ends[] = { ".pcap", ".pcapng", ".cap", ".gz", ".zst", ".lz4",
                                        ".ntar", ".erf" };
    size_t n = strlen(a);
    struct stat st;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t k = strlen(ends[i]);
        if (n > k && strcasecmp(a + n - k, ends[i]) == 0)
            return true;
    }
    return strchr(a, '/') && stat(a, &st) == 0 && S_ISREG(st.st_mode);
}

/* -G, -C and -W together with -w; GO_ON, or EXIT_USAGE. */
static int check_rotation(const cli_opts *o)
{
    const os_dump_rotate *r = &o->rotate;
    if ((r->seconds || r->bytes || r->files) && !o->write_file)
        return cli_fail("-G, -C and -W need -w FILE (the evidence file to rotate)");
    if (r->files && !r->seconds && !r->bytes)
        return cli_fail("-W needs -C MB (a ring of COUNT files) or -G SECONDS (stop after COUNT "
                        "files)");
    if (r->seconds && !os_dump_name_has_time(o->write_file))
        return cli_fail("-G: the -w name needs a time in it, or every period goes to one file: "
                        "strftime, e.g. -w ev-%%Y%%m%%d-%%H%%M%%S.pcap");
    return GO_ON;
}

/* The options that only make sense together; GO_ON, or EXIT_USAGE. */
static int check_args(cli_opts *o)
{
    if (o->list_ifaces || o->check_rules || o->explain)
        return GO_ON;
    if (!o->nfiles == !o->cap.iface)
        return cli_fail("give exactly one of -r FILE or -i IFACE (see --help)");
    if (o->nfiles == 1)
        o->cap.file = o->files[0];
    else if (o->nfiles > 1) {
        o->cap.files = o->files;
        o->cap.nfiles = o->nfiles;
    }
    o->source = o->cap.iface ? o->cap.iface : o->files[0];
    if (o->nfiles > 1 && (o->sources = join_list(o->files, o->nfiles, ", ")))
        o->source = o->sources;
    if (o->cap.since_base == o->cap.until_base && o->cap.until_ns &&
        o->cap.since_ns >= o->cap.until_ns)
        return cli_fail("--since must come before --until");
    if (o->write_role && !o->write_file)
        return cli_fail("--write-role needs -w FILE (the file to write the role's flows to)");
    if (check_rotation(o) != GO_ON)
        return EXIT_USAGE;
    if ((o->audit || o->fw >= 0) && !o->site_file)
        return cli_fail("--audit and --firewall-rules need the site: --site FILE");
    if (o->site_file && o->hosts_file)
        return cli_fail("the site file declares the hosts: give --site FILE without -H");
    if (o->fw >= 0 && (o->audit || o->mode == OS_MODE_JSON))
        return cli_fail("--firewall-rules prints only the ruleset: drop --audit and --json");
    if (o->fw >= 0)
        o->mode = OS_MODE_SILENT;
    o->cap.filter = o->filter;
    return GO_ON;
}

int cli_parse(int argc, char **argv, cli_opts *o)
{
    struct option lo[NROWS + 1];
    char so[2 * NROWS + 2];
    int c, rc;

    memset(o, 0, sizeof *o);
    o->cap.promisc = true;
    o->flow = os_flow_cfg_default();
    o->fail_on = OS_SEV_ERROR;
    o->fw = -1;
    make_getopt(lo, so);
    while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1)
        if ((rc = take_opt(o, c, optarg)) != GO_ON)
            return rc;
    for (int i = optind; i < argc; i++)
        if (looks_like_capture(argv[i]))
            return cli_fail("'%s' looks like a capture file, not a BPF filter: give each file its "
                            "own -r (-r FILE1 -r FILE2)", argv[i]);
    o->filter = join_args(argc, argv, optind);
    return check_args(o);
}

int cli_explain(const char *kind)
{
    os_finding_kind k;
    if (!os_finding_kind_parse(kind, &k)) {
        fprintf(stderr, "omnisniff: --explain: unknown finding kind '%s'; kinds:", kind);
        for (int i = 0; i < OS_FK_COUNT; i++)
            fprintf(stderr, " %s", os_finding_kind_name((os_finding_kind)i));
        fputc('\n', stderr);
        return EXIT_USAGE;
    }
    fputs(os_finding_explain(k), stdout);
    return EXIT_OK;
}
