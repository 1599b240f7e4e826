/* diag.h — collected diagnostics of the file parsers (rules, hosts, site).
 *
 * A parser does not stop at its first problem: it appends every one to an
 * os_diags, each formatted once as "file:line:col: error: message" followed
 * by the offending line and a caret under the column, so a user sees all
 * problems of a file at once. The command prints them; the library never
 * does. */
#ifndef OMNISNIFF_DIAG_H
#define OMNISNIFF_DIAG_H

#include <stddef.h>

/* A list of diagnostics, each a full message ending in '\n'. */
typedef struct os_diags {
    char **msg;   /* formatted messages, owned */
    size_t n;     /* messages held */
    size_t cap;   /* capacity of msg */
    size_t errors;/* how many are errors (the rest are notes) */
} os_diags;

/* Append "file:line:col: error: <fmt>\n<line text>\n<caret>\n" to d.
 * `line_text`/`line_len` is the offending line (without its newline);
 * col is 1-based. Allocation failure is recorded as a bare error count. */
void os_diag_error(os_diags *d, const char *file, unsigned line, unsigned col,
                   const char *line_text, size_t line_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Free all messages held by d and reset it to empty. */
void os_diags_free(os_diags *d);

#endif
