/* fmt.c — the formatting shared by every writer that is not on the hot
 * path (fmt.h has the inline appenders): escaped strings written to a
 * FILE, UTC times, durations and the role word of a host. */
#include "fmt.h"

#include <inttypes.h>
#include <time.h>

/* t as a quoted JSON string to f, escaped a buffer at a time. */
void os_fmt_json_fputs(FILE *f, const char *t)
{
    char buf[256];
    fputc('"', f);
    while (*t) {
        size_t n = os_fmt_json_escape(buf, sizeof buf, &t);
        fwrite(buf, 1, n, f);
    }
    fputc('"', f);
}

/* t as a Markdown table cell: '|' escaped, newlines as spaces. */
void os_fmt_md_cell(FILE *f, const char *t)
{
    for (; *t; t++) {
        if (*t == '|')
            fputs("\\|", f);
        else
            fputc(*t == '\n' || *t == '\r' ? ' ' : *t, f);
    }
}

/* ISO 8601 UTC time as EVE writes it: 2026-01-15T10:00:00.000000+0000. */
void os_fmt_iso_time(uint64_t ts_ns, char buf[32])
{
    time_t sec = (time_t)(ts_ns / 1000000000ULL);
    struct tm tm;
    char *p = buf;
    gmtime_r(&sec, &tm);
    p = os_fmt_digits(p, (unsigned)(tm.tm_year + 1900), 4);
    *p++ = '-';
    p = os_fmt_digits(p, (unsigned)tm.tm_mon + 1, 2);
    *p++ = '-';
    p = os_fmt_digits(p, (unsigned)tm.tm_mday, 2);
    *p++ = 'T';
    p = os_fmt_digits(p, (unsigned)tm.tm_hour, 2);
    *p++ = ':';
    p = os_fmt_digits(p, (unsigned)tm.tm_min, 2);
    *p++ = ':';
    p = os_fmt_digits(p, (unsigned)tm.tm_sec, 2);
    *p++ = '.';
    p = os_fmt_digits(p, (unsigned)(ts_ns % 1000000000ULL / 1000), 6);
    memcpy(p, "+0000", 6);
}

/* The time of day of the ISO time: its characters 11 to 18 (to 25 with usec). */
const char *os_fmt_hms(uint64_t ts_ns, bool usec, char buf[32])
{
    size_t n = usec ? 15 : 8;
    os_fmt_iso_time(ts_ns, buf);
    memmove(buf, buf + 11, n);
    buf[n] = '\0';
    return buf;
}

/* Seconds with millisecond precision. */
const char *os_fmt_duration(uint64_t ns, char *buf, size_t len)
{
    snprintf(buf, len, "%" PRIu64 ".%03u s", (uint64_t)(ns / 1000000000ULL),
             (unsigned)(ns % 1000000000ULL / 1000000));
    return buf;
}

/* The label of a host's role: known and preferred, known, guessed, none. */
const char *os_fmt_role_word(os_classifier *cls, const os_addr *a, os_hrole_set prefer,
                             os_hrole_set guess, const char *none)
{
    os_conf conf;
    os_hrole_set known = os_classify_host_roles(cls, a, &conf);
    int r = os_hrole_first(known & prefer ? known & prefer : known);
    r = r >= 0 ? r : os_hrole_first(guess);
    return r >= 0 ? os_hrole_label((os_hrole)r) : none;
}
