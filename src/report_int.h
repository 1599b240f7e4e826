/* report_int.h — what report.c builds once for the writers of report.h
 * (report_text.c, report_json.c, report_problem.c, report_stream.c): the
 * frame of a line or JSON record on the report's stream, the packet time,
 * a host's roles as JSON, and counts more than one writer gives. The
 * appenders themselves are in fmt.h. Private to src/report*.c; what a
 * packet line calls is inline, as the appenders are. */
#ifndef OMNISNIFF_REPORT_INT_H
#define OMNISNIFF_REPORT_INT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "omnisniff/report.h"

/* End the line in s with '\n', write it to r->out and empty s. */
static inline void sb_flush(os_report *r, sb *s)
{
    sb_putc(s, '\n');
    fwrite(s->b, 1, s->n, r->out);
    s->n = 0;
}

/* Write what s holds to r->out and empty s: for a record longer than one
 * buffer, written in parts. */
void sb_spill(os_report *r, sb *s);

/* Append "HH:MM:SS.uuuuuu" (UTC) of ts_ns; the second part is cached in r. */
static inline void sb_time(os_report *r, sb *s, uint64_t ts_ns)
{
    uint64_t sec = ts_ns / 1000000000ULL;
    char f[7];
    if (sec != r->cached_sec) {
        char t[32];
        memcpy(r->cached_hms, os_fmt_hms(ts_ns, false, t), sizeof r->cached_hms);
        r->cached_sec = sec;
    }
    sb_putn(s, r->cached_hms, 8);
    f[0] = '.';
    os_fmt_digits(f + 1, (unsigned)(ts_ns % 1000000000ULL / 1000), 6);
    sb_putn(s, f, 7);
}

/* Empty s and start a JSON Lines record of `type` stamped ts:
 * {"timestamp":…,"type":…,"schema_version":… (the caller closes it). */
void sb_record(sb *s, uint64_t ts, const char *type);

/* ,"k":{"roles":[…],"confidence":…,"name":…} for the host at address a,
 * nothing when the classifier knows no role of it. */
void sb_host_addr(os_report *r, sb *s, const char *k, os_addr a);

/* ,"src_ip":…,"src_port":…,"dest_ip":…,"dest_port":…,"proto":… of
 * traffic from a (port pa) to b (port pb); ports only for TCP and UDP. */
void sb_endpoints(sb *s, const os_addr *a, uint16_t pa, const os_addr *b, uint16_t pb,
                  uint8_t proto);

/* ,"role":"id","kba":"…" of rule index `rule`, or ,"role":null for -1. */
void sb_role_kba(os_report *r, sb *s, int rule);

/* A "!!" line between the packet lines, at time ts: "HH:MM:SS.uuuuuu !!
 * [now ]severity kind: text" ("now " when `now`: a problem's new severity). */
void os_report_live_line(os_report *r, uint64_t ts, bool now, os_severity sev,
                         os_finding_kind kind, const char *text);

/* Every finding raised, of any kind. */
uint64_t os_report_findings_total(const os_stats *s);

/* True when a bounded table of s was full: it evicted or did not remember. */
bool os_report_tables_full(const os_stats *s);

/* ,"tables":{"hosts":N,"hosts_evicted":N,…}: the bounded tables' counters. */
void sb_tables(sb *s, const os_stats *st);

#endif
