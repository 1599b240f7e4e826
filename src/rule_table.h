/* rule_table.h — private to the rules module: the vocabulary of a rules
 * file, written once. rules.c parses with it, rules_write.c writes with it
 * (--check-rules' table and os_rules_write), so a key, a value word or a
 * setting is added in one row and both sides know it. Not a public header:
 * callers see include/omnisniff/rules.h. */
#ifndef OMNISNIFF_RULE_TABLE_H
#define OMNISNIFF_RULE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omnisniff/rules.h"

/* Words that several keys and settings share. */
#define OS_RW_ANY "any"     /* service=, peer=, port=: no restriction */
#define OS_RW_NONE "none"   /* infer=: nothing inferred */
#define OS_RW_UNSET "unset" /* multicast settings: not given */
#define OS_RW_RULE "rule"   /* statement: rule ID KEY=VALUE... */
#define OS_RW_SET "set"     /* statement: set NAME VALUE */

/* A word of a value vocabulary and the number it stands for. A list ends
 * with { NULL, 0 }; a word whose number an earlier word already has is an
 * alias: accepted, but never written nor listed ("udp,tcp"). */
typedef struct os_rword {
    const char *word;  /* as written in the file */
    int value;         /* the enum value (or bits) it stands for */
} os_rword;

/* The sides of infer= (0: service, 1: peer). */
extern const os_rword os_rw_sides[];

/* How a key's value is read and written. */
typedef enum {
    OS_RV_WORD,   /* one word of the key's vocabulary, into a 1-, 2- or 4-byte field */
    OS_RV_COUNT,  /* a decimal number lo..hi, into a 1-, 2- or 4-byte field */
    OS_RV_ROLES,  /* any | ROLE[,ROLE...], into an os_hrole_set */
    OS_RV_PORTS,  /* N | N-M | any, into port_lo and port_hi */
    OS_RV_TEXT,   /* a text, in double quotes if it has blanks, into an owned char * */
    OS_RV_INFER,  /* none | SIDE[:ROLE][,SIDE[:ROLE]], into infer_service, infer_peer */
    OS_RV_OVER,   /* ID[,ID...], into over[] and nover */
    OS_RV_PAIR    /* ID, into infer_pair */
} os_rvalue;

/* One key of a rule line. */
typedef struct os_rkey {
    const char *name;       /* KEY of KEY=VALUE */
    os_rvalue kind;         /* how its value is read and written */
    size_t off, size;       /* the os_rule field it fills (OS_RV_PORTS: port_lo) */
    const os_rword *words;  /* OS_RV_WORD: its vocabulary */
    unsigned long lo, hi;   /* OS_RV_COUNT: the accepted range */
    long def;               /* OS_RV_WORD, OS_RV_COUNT, OS_RV_ROLES: the value when not given */
    bool required;          /* every rule must give it */
    const char *allowed;    /* a bad value's diagnostic: " (what is allowed)"
                               (NULL for words and roles: listed from the vocabulary) */
    uint8_t col;            /* place in a --check-rules line, from 1 (0: not shown) */
    uint8_t width;          /* a positional column there: padded to this width */
    const char *sep;        /* a positional column there (non-NULL): what follows it;
                               the others are shown as " KEY=VALUE" */
    bool always;            /* a KEY=VALUE column shown even at its default */
} os_rkey;

/* The keys of a rule line, in the order the diagnostics list them. */
#define OS_RKEYS_MAX 32 /* room for keys in the parser's per-line state */
extern const os_rkey os_rkeys[];
extern const size_t os_nrkeys;

/* How a setting's value is read and written. */
typedef enum {
    OS_RS_GROUP,   /* a multicast address or unset (an os_addr and its bool "given") */
    OS_RS_GROUPS,  /* a number lo..hi or unset (a uint32_t, 0: unset) */
    OS_RS_NUMBER   /* a number lo..hi (a uint32_t) */
} os_rsetting_kind;

/* One setting of a `set NAME VALUE` line. */
typedef struct os_rsetting {
    const char *name;       /* NAME */
    os_rsetting_kind kind;  /* how its value is read and written */
    size_t off;             /* its os_settings field */
    size_t given_off;       /* OS_RS_GROUP: the bool that says it was given */
    unsigned long lo, hi;   /* OS_RS_GROUPS, OS_RS_NUMBER: the accepted range */
    uint32_t def;           /* OS_RS_NUMBER: the value when not given */
    const char *what;       /* a bad value's diagnostic: what the value must be */
} os_rsetting;

/* The settings, in the order the diagnostics list them and files show them. */
#define OS_RSETTINGS_MAX 16 /* room for settings in the parser's state */
extern const os_rsetting os_rsettings[];
extern const size_t os_nrsettings;

/* The value of word s[0..n) in list w into *value; false if it is not there. */
bool os_rword_parse(const os_rword *w, const char *s, size_t n, int *value);

/* The word for value in list w (the first, not an alias); NULL if none. */
const char *os_rword_name(const os_rword *w, long value);

/* " (a, b or c)": the words of w that are not aliases, into buf. */
const char *os_rword_list(const os_rword *w, char *buf, size_t len);

/* The number in unsigned field (off, size) of the struct at base (size 1, 2
 * or 4; an enum or a bool is such a field). */
long os_rfield_get(const void *base, size_t off, size_t size);

/* Store v in field (off, size) of the struct at base (size 1, 2 or 4). */
void os_rfield_set(void *base, size_t off, size_t size, long v);

/* True when rule r holds key k's value for "not given" (a required key
 * never is: it is always written). */
bool os_rkey_at_default(const os_rkey *k, const os_rule *r);

#endif
