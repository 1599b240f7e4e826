/* when.c — the times --since and --until accept, read into a bound of the
 * capture layer's time window (os_capture_opts since/until and their base):
 *
 *   2026-01-15T10:02:00[.123][Z|+01:00|+0100]  an absolute time (UTC unless
 *   2026-01-15 10:02:00                         an offset is given; a date
 *   2026-01-15                                  alone is its midnight)
 *   @1768471320[.5]                             seconds since the epoch
 *   14:02[:30[.5]]                              a time of day (UTC) on the
 *                                               day of the first packet
 *   +90  +90s  +2.5m  +1h                       an offset from the first packet
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define NS 1000000000ULL

/* Read exactly n digits at *s into *v. */
static bool digits(const char **s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (!isdigit((unsigned char)**s))
            return false;
        *v = *v * 10 + (**s - '0');
    }
    return true;
}

/* Seconds with an optional fraction ("30", "30.25") into ns; *s moves on. */
static bool seconds(const char **s, uint64_t *ns)
{
    char *end;
    if (!isdigit((unsigned char)**s))
        return false;
    double v = strtod(*s, &end);
    if (end == *s || v < 0 || v > 1e11)
        return false;
    *ns = (uint64_t)(v * 1e9 + 0.5);
    *s = end;
    return true;
}

/* "HH:MM[:SS[.frac]]" into ns since midnight. */
static bool time_of_day(const char **s, uint64_t *ns)
{
    int h, m;
    uint64_t sec = 0;
    if (!digits(s, 2, &h) || *(*s)++ != ':' || !digits(s, 2, &m) || h > 23 || m > 59)
        return false;
    if (**s == ':') {
        (*s)++;
        if (!isdigit((unsigned char)(*s)[0]) || !isdigit((unsigned char)(*s)[1]) ||
            !seconds(s, &sec) || sec >= 61 * NS)
            return false;
    }
    *ns = ((uint64_t)h * 3600 + (uint64_t)m * 60) * NS + sec;
    return true;
}

/* "Z", "+HH:MM", "+HHMM", "-HH:MM" or nothing (UTC): seconds east of UTC. */
static bool utc_offset(const char **s, long *east)
{
    int h, m, sign = **s == '-' ? -1 : 1;
    *east = 0;
    if (**s == 'Z' || **s == 'z') {
        (*s)++;
        return true;
    }
    if (**s != '+' && **s != '-')
        return true;
    (*s)++;
    if (!digits(s, 2, &h))
        return false;
    if (**s == ':')
        (*s)++;
    if (!digits(s, 2, &m) || h > 23 || m > 59)
        return false;
    *east = sign * (h * 3600L + m * 60L);
    return true;
}

/* "YYYY-MM-DD[(T| )HH:MM[:SS[.frac]][offset]]" into ns since the epoch. */
static bool absolute(const char *s, uint64_t *ns)
{
    struct tm tm;
    int y, mo, d;
    uint64_t tod = 0;
    long east = 0;
    memset(&tm, 0, sizeof tm);
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
        !digits(&s, 2, &d) || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    if ((*s == 'T' || *s == 't' || *s == ' ') && (s++, !time_of_day(&s, &tod)))
        return false;
    if (!utc_offset(&s, &east) || *s)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || (int64_t)t * (int64_t)NS + (int64_t)tod < east * (int64_t)NS)
        return false;
    *ns = (uint64_t)((int64_t)t * (int64_t)NS + (int64_t)tod - east * (int64_t)NS);
    return true;
}

/* "+90", "+90s", "+2.5m", "+1h": an offset, in ns. */
static bool offset(const char *s, uint64_t *ns)
{
    uint64_t v;
    if (!seconds(&s, &v))
        return false;
    if (*s == 'm' || *s == 'h') {
        double k = *s == 'm' ? 60.0 : 3600.0;
        if ((double)v * k > 1e20)
            return false;
        v = (uint64_t)((double)v * k);
        s++;
    } else if (*s == 's') {
        s++;
    }
    *ns = v;
    return !*s;
}

bool cli_parse_when(const char *s, uint64_t *ns, uint8_t *base)
{
    if (!s || !*s)
        return false;
    if (*s == '+') {
        *base = OS_WHEN_FIRST;
        return offset(s + 1, ns);
    }
    if (*s == '@') {
        const char *p = s + 1;
        *base = OS_WHEN_EPOCH;
        return seconds(&p, ns) && !*p && *ns > 0;
    }
    if (strlen(s) >= 5 && s[2] == ':') {
        *base = OS_WHEN_DAY;
        return time_of_day(&s, ns) && !*s;
    }
    *base = OS_WHEN_EPOCH;
    return absolute(s, ns) && *ns > 0;
}
