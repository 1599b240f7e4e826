/* tokens.h — the one tokenizer of omnisniff's text files: rules (-R), hosts
 * (-H) and site (--site) files split into lines and their lines into words
 * here, so they agree on line ends, blanks, quotes and comments.
 *
 * The lexical rules, the same in every file:
 *   - words are separated by spaces and tabs;
 *   - a double quote that starts a word, or its value (right after the
 *     word's first '='), starts a quoted part that runs to the next double
 *     quote not escaped by '\'; inside it blanks and '#' are ordinary
 *     characters, and \" and \\ are escapes. The word goes on after it up
 *     to a blank (kba="a b" is one word). Elsewhere in a word a double quote
 *     is an ordinary character (a host named gw"1);
 *   - '#' outside double quotes starts a comment that runs to the end of the
 *     line, wherever it stands: "port=81# x" is the word "port=81";
 *   - a double quote left open at the end of the line is an error
 *     (OS_TOKENS_OPEN_QUOTE, at the column of the quote).
 * Lines come from os_next_line(); columns are byte offsets + 1. */
#ifndef OMNISNIFF_TOKENS_H
#define OMNISNIFF_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

/* The diagnostic for a quote left open (every parser says the same). */
#define OS_TOKENS_OPEN_QUOTE "unterminated quoted value (a closing \" is missing)"

/* The next line of a text buffer, for the file parsers: from *pos, up to
 * (not including) its newline and a trailing '\r'; *pos moves past the
 * newline. False at the end of buf. */
bool os_next_line(const char *buf, size_t len, size_t *pos, const char **text, size_t *line_len);

/* A word of a line. */
typedef struct os_token {
    size_t off;      /* offset in the line (its column is off + 1) */
    size_t len;      /* length, quotes and escapes included */
    size_t key_len;  /* length before its first '=' outside quotes (len: none) */
} os_token;

/* Split line text[0..len) into words, up to a comment. Stores at most max
 * of them in t and returns how many the line has (those past max are
 * counted, not stored); -1 when a double quote is left open, with *open
 * set to its offset (t then holds the words before it, up to max). */
int os_tokens(const char *text, size_t len, os_token *t, int max, size_t *open);

/* The text of a word or value s[0..n) with one pair of enclosing double
 * quotes removed and every '\' escape resolved, as a new NUL-terminated
 * string (the caller frees it); NULL when out of memory. */
char *os_token_unquote(const char *s, size_t n);

#endif
