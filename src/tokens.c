/* tokens.c — split a rules, hosts or site file into lines, and a line into
 * words with the lexical rules of tokens.h: blanks separate, a double quote
 * opening a word or a value groups (with \" and \\ escapes), '#' outside
 * quotes starts a comment. */
#include "omnisniff/tokens.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The next line of a text buffer. */
bool os_next_line(const char *buf, size_t len, size_t *pos, const char **text, size_t *line_len)
{
    if (*pos >= len)
        return false;
    const char *nl = memchr(buf + *pos, '\n', len - *pos);
    *text = buf + *pos;
    *line_len = nl ? (size_t)(nl - *text) : len - *pos;
    *pos += *line_len + (nl != NULL);
    if (*line_len && (*text)[*line_len - 1] == '\r')
        (*line_len)--;
    return true;
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

/* The index after the double quote closing the one at text[i]; len + 1 if
 * it is left open. */
static size_t end_quote(const char *text, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (text[i] == '\\' && i + 1 < len)
            i++;
        else if (text[i] == '"')
            return i + 1;
    }
    return len + 1;
}

/* Split a line into words, up to a comment. */
int os_tokens(const char *text, size_t len, os_token *t, int max, size_t *open)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && blank(text[i]))
            i++;
        if (i >= len || text[i] == '#')
            return n;
        os_token k = { i, 0, SIZE_MAX };
        while (i < len && !blank(text[i]) && text[i] != '#') {
            if (text[i] == '=' && k.key_len == SIZE_MAX)
                k.key_len = i - k.off;
            bool opens = i == k.off || (k.key_len != SIZE_MAX && i == k.off + k.key_len + 1);
            if (text[i] != '"' || !opens) {
                i++;
                continue;
            }
            size_t q = i;
            if ((i = end_quote(text, q, len)) > len) {
                *open = q;
                return -1;
            }
        }
        k.len = i - k.off;
        if (k.key_len == SIZE_MAX)
            k.key_len = k.len;
        if (n < max)
            t[n] = k;
        n++;
    }
}

/* A word's text without its enclosing quotes and escapes. */
char *os_token_unquote(const char *s, size_t n)
{
    size_t j = 0;
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        o[j++] = s[i];
    }
    o[j] = '\0';
    return o;
}
