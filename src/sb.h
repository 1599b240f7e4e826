/* sb.h — the bounded line buffer and its appenders, shared by the writers
 * of text lines and JSON records (report.c, report_problem.c). Private to
 * src/. Everything is static inline: packet lines are the hot path, and an
 * appender call across files would cost as much as the appending. */
#ifndef OMNISNIFF_SB_H
#define OMNISNIFF_SB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "omnisniff/report.h"

/* A bounded line buffer. */
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

/* JSON string with escapes. */
static inline void sb_json_str(sb *s, const char *t)
{
    static const char hex[] = "0123456789abcdef";
    sb_putc(s, '"');
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (c == '"' || c == '\\') {
            sb_putc(s, '\\');
            sb_putc(s, (char)c);
        } else if (c < 0x20) {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            sb_putn(s, e, 6);
        } else {
            sb_putc(s, (char)c);
        }
    }
    sb_putc(s, '"');
}

static inline void sb_flush(os_report *r, sb *s)
{
    sb_putc(s, '\n');
    fwrite(s->b, 1, s->n, r->out);
    s->n = 0;
}

/* Write v as exactly `w` decimal digits (v mod 10^w), two at a time. */
static inline char *put_digits(char *p, unsigned v, int w)
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

static inline void sb_kv_time(sb *s, const char *k, uint64_t ts)
{
    char t[32];
    os_report_iso_time(ts, t);
    sb_kv_str(s, k, t);
}

/* JSON array of role ids in a set. */
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

/* Start a JSON Lines record: {"timestamp":…,"type":… */
static inline void sb_record(sb *s, uint64_t ts, const char *type)
{
    char t[32];
    s->n = 0;
    os_report_iso_time(ts, t);
    sb_lit(s, "{\"timestamp\":");
    sb_json_str(s, t);
    sb_kv_str(s, "type", type);
    sb_kv_u64(s, "schema_version", OS_JSON_SCHEMA_VERSION);
}

/* Write and reset a partial record (records can outgrow one buffer). */
static inline void sb_spill(os_report *r, sb *s)
{
    fwrite(s->b, 1, s->n, r->out);
    s->n = 0;
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

/* HH:MM:SS.uuuuuu, the second part cached. */
static inline void sb_time(os_report *r, sb *s, uint64_t ts_ns)
{
    uint64_t sec = ts_ns / 1000000000ULL;
    unsigned us = (unsigned)(ts_ns % 1000000000ULL / 1000);
    char f[7];
    if (sec != r->cached_sec) {
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(r->cached_hms, sizeof r->cached_hms, "%02d:%02d:%02d", tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
        r->cached_sec = sec;
    }
    sb_putn(s, r->cached_hms, 8);
    f[0] = '.';
    put_digits(f + 1, us, 6);
    sb_putn(s, f, 7);
}

/* "src_host"/"dest_host": roles and confidence of an endpoint, if known. */
static inline void sb_host_addr(os_report *r, sb *s, const char *k, os_addr a)
{
    os_conf c;
    os_hrole_set set = os_classify_host_roles(r->cls, &a, &c);
    const os_host *h;
    if (!set)
        return;
    h = os_classify_host(r->cls, &a);
    sb_key(s, k);
    sb_lit(s, "{\"roles\":");
    sb_roles(s, set);
    sb_kv_str(s, "confidence", os_conf_name(c));
    if (h && h->decl && h->decl->name[0])
        sb_kv_str(s, "name", h->decl->name);
    sb_putc(s, '}');
}

#endif
