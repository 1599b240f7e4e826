/* diag.c — collected parser diagnostics.
 *
 * Diagnostics are formatted once, when they are raised, as
 * "file:line:col: error: msg" followed by the offending line and a caret
 * under the column. */
#include "omnisniff/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append a formatted message; on allocation failure only count it. */
static void push(os_diags *d, char *m)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 8;
        char **nm = realloc(d->msg, nc * sizeof *nm);
        if (!nm) {
            free(m);
            return;
        }
        d->msg = nm;
        d->cap = nc;
    }
    d->msg[d->n++] = m;
}

/* Append "file:line:col: error: …", the line, and a caret. */
void os_diag_error(os_diags *d, const char *file, unsigned line, unsigned col,
                   const char *line_text, size_t line_len, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    size_t caret = col ? col - 1 : 0, n;
    char *m;

    d->errors++;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    n = strlen(file) + strlen(msg) + 2 * line_len + caret + 64;
    if (!(m = malloc(n)))
        return;
    int k = snprintf(m, n, "%s:%u:%u: error: %s\n%.*s\n", file, line, col, msg,
                     (int)line_len, line_text);
    for (size_t i = 0; i < caret && (size_t)k + 3 < n; i++)
        m[k++] = i < line_len && line_text[i] == '\t' ? '\t' : ' ';
    memcpy(m + k, "^\n", 3);
    push(d, m);
}

/* Free all messages and reset. */
void os_diags_free(os_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msg[i]);
    free(d->msg);
    memset(d, 0, sizeof *d);
}
