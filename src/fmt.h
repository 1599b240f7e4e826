/* fmt.h — the formatting every writer shares (report*.c, audit_write.c,
 * mdreport.c; findings.c may take the role words): the bounded line buffer
 * and its appenders, JSON string escaping, Markdown table-cell escaping,
 * UTC times and durations, and the role word of a host. Private to src/.
 * The appenders are static inline: packet lines are the hot path, and an
 * appender call across files would cost as much as the appending. */
#ifndef OMNISNIFF_FMT_H
#define OMNISNIFF_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "omnisniff/addr.h"
#include "omnisniff/classify.h"
#include "omnisniff/roles.h"

/* ---- escaping and times (fmt.c unless inline) ---------------------------- */

/* JSON escape of the string at *src into dst (cap bytes of room, no NUL
 * written): '"' and '\\' get a backslash, control characters become
 * \u00XX, the rest is copied. Stops at the end of the string or before a
 * character whose escape does not fit; advances *src past what it wrote and
 * returns the bytes written. */
static inline size_t os_fmt_json_escape(char *dst, size_t cap, const char **src)
{
    static const char hex[] = "0123456789abcdef";
    const char *t = *src;
    size_t n = 0;
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (c >= 0x20 && c != '"' && c != '\\') {
            if (n == cap)
                break;
            dst[n++] = (char)c;
        } else if (c >= 0x20) {
            if (cap - n < 2)
                break;
            dst[n++] = '\\';
            dst[n++] = (char)c;
        } else {
            if (cap - n < 6)
                break;
            memcpy(dst + n, "\\u00", 4);
            dst[n + 4] = hex[c >> 4];
            dst[n + 5] = hex[c & 15];
            n += 6;
        }
    }
    *src = t;
    return n;
}

/* t as a quoted JSON string (os_fmt_json_escape) to f. */
void os_fmt_json_fputs(FILE *f, const char *t);

/* t as the text of a Markdown table cell to f: '|' as "\|", CR and LF as
 * spaces (a cell is one line). */
void os_fmt_md_cell(FILE *f, const char *t);

/* Write v as exactly w decimal digits (v mod 10^w) at p, two at a time;
 * returns p + w. */
static inline char *os_fmt_digits(char *p, unsigned v, int w)
{
    char *q = p + w;
    for (; q - p >= 2; v /= 100) {
        q -= 2;
        memcpy(q, os_digit_pairs + 2 * (v % 100), 2);
    }
    if (q > p)
        *p = (char)('0' + v % 10);
    return p + w;
}

/* ISO 8601 UTC time as EVE writes it: 2026-01-15T10:00:00.000000+0000
 * (31 characters and a NUL). */
void os_fmt_iso_time(uint64_t ts_ns, char buf[32]);

/* "HH:MM:SS", or with usec "HH:MM:SS.uuuuuu", UTC; returns buf. */
const char *os_fmt_hms(uint64_t ts_ns, bool usec, char buf[32]);

/* A duration as seconds with millisecond precision: "12.345 s"; returns buf. */
const char *os_fmt_duration(uint64_t ns, char *buf, size_t len);

/* The word a host is named by ("Archiver"): the label of its first known
 * role among `prefer`, else of its first known role, else of the first role
 * in `guess` (0: none), else `none`. */
const char *os_fmt_role_word(os_classifier *cls, const os_addr *a, os_hrole_set prefer,
                             os_hrole_set guess, const char *none);

/* ---- the line buffer ----------------------------------------------------- */

/* A bounded line buffer: appenders cut what does not fit (one byte stays
 * free, so b never fills up). */
typedef struct sb {
    char b[2048]; /* text */
    size_t n;     /* used */
} sb;

static inline void sb_putn(sb *s, const char *t, size_t n)
{
    if (n > sizeof s->b - 1 - s->n)
        n = sizeof s->b - 1 - s->n;
    memcpy(s->b + s->n, t, n);
    s->n += n;
}

static inline void sb_puts(sb *s, const char *t) { sb_putn(s, t, strlen(t)); }

static inline void sb_putc(sb *s, char c)
{
    if (s->n < sizeof s->b - 1)
        s->b[s->n++] = c;
}

/* A string literal, its length known at compile time. */
#define sb_lit(s, lit) sb_putn((s), "" lit, sizeof(lit) - 1)

/* Spaces up to column from + width (nothing if the text is already past). */
static inline void sb_pad(sb *s, size_t from, size_t width)
{
    size_t to = from + width;
    if (to > sizeof s->b - 1)
        to = sizeof s->b - 1;
    if (s->n < to) {
        memset(s->b + s->n, ' ', to - s->n);
        s->n = to;
    }
}

/* Decimal digits of v, two per division (os_digit_pairs). */
static inline void sb_u64(sb *s, uint64_t v)
{
    char t[24];
    size_t i = sizeof t;
    for (; v >= 100; v /= 100) {
        i -= 2;
        memcpy(t + i, os_digit_pairs + 2 * (v % 100), 2);
    }
    if (v >= 10) {
        i -= 2;
        memcpy(t + i, os_digit_pairs + 2 * v, 2);
    } else {
        t[--i] = (char)('0' + v);
    }
    sb_putn(s, t + i, sizeof t - i);
}

/* Right-aligned number in `width` columns. */
static inline void sb_u64w(sb *s, uint64_t v, size_t width)
{
    sb tmp;
    tmp.n = 0;
    sb_u64(&tmp, v);
    for (size_t i = tmp.n; i < width; i++)
        sb_putc(s, ' ');
    sb_putn(s, tmp.b, tmp.n);
}

/* An address of 4 or 16 bytes (ver 4 or 6). */
static inline void sb_addr(sb *s, uint8_t ver, const uint8_t *a)
{
    char t[OS_ADDRSTRLEN];
    if (ver == 4) {
        sb_putn(s, t, (size_t)(os_ipv4_fmt(a, t) - t));
        return;
    }
    os_addr x = os_addr_from(ver, a);
    sb_puts(s, os_addr_str(&x, t));
}

/* t as a quoted JSON string (os_fmt_json_escape). */
static inline void sb_json_str(sb *s, const char *t)
{
    sb_putc(s, '"');
    s->n += os_fmt_json_escape(s->b + s->n, sizeof s->b - 1 - s->n, &t);
    sb_putc(s, '"');
}

/* ,"k": — the next member of an object. */
static inline void sb_key(sb *s, const char *k)
{
    sb_putc(s, ',');
    sb_json_str(s, k);
    sb_putc(s, ':');
}

static inline void sb_kv_u64(sb *s, const char *k, uint64_t v)
{
    sb_key(s, k);
    sb_u64(s, v);
}

static inline void sb_kv_str(sb *s, const char *k, const char *v)
{
    sb_key(s, k);
    sb_json_str(s, v);
}

/* ,"k":"2026-01-15T10:00:00.000000+0000" */
static inline void sb_kv_time(sb *s, const char *k, uint64_t ts)
{
    char t[32];
    os_fmt_iso_time(ts, t);
    sb_kv_str(s, k, t);
}

/* Open an object member: a comma unless it is the first. */
static inline void sb_member(sb *s, bool *first, const char *k)
{
    if (!*first)
        sb_putc(s, ',');
    *first = false;
    sb_json_str(s, k);
    sb_putc(s, ':');
}

/* JSON array of the ids of the host roles in a set. */
static inline void sb_roles(sb *s, os_hrole_set set)
{
    bool first = true;
    sb_putc(s, '[');
    for (int i = 0; i < OS_HR_COUNT; i++) {
        if (!(set & OS_HR_BIT(i)))
            continue;
        if (!first)
            sb_putc(s, ',');
        sb_json_str(s, os_hrole_name((os_hrole)i));
        first = false;
    }
    sb_putc(s, ']');
}

#endif
