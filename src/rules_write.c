/* rules_write.c — write a compiled ruleset: the --check-rules table
 * (os_rules_dump) and a rules file (os_rules_write). Both walk the key and
 * settings tables of rule_table.h, the ones the parser reads with, so what
 * is written is what is read. */
#include "omnisniff/rules.h"

#include <stdio.h>

#include "rule_table.h"

#define VALUE_MAX 512 /* a value but a text: 8 rule ids of OS_RULE_ID_MAX at most */

/* The infer= value of rule r, side by side with sep between them:
 * "service:gateway,peer:client" in a file. */
static void infer_str(const os_rule *r, const char *sep, char *buf, size_t len)
{
    int role[2] = { r->infer_service, r->infer_peer };
    size_t used = 0;
    buf[0] = '\0';
    for (int side = 0; side < 2 && used < len; side++)
        if (role[side] >= 0)
            used += (size_t)snprintf(buf + used, len - used, "%s%s:%s", used ? sep : "",
                                     os_rword_name(os_rw_sides, side),
                                     os_hrole_name((os_hrole)role[side]));
}

/* The over= value of rule r: ids separated by commas. */
static void over_str(const os_ruleset *rs, const os_rule *r, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < r->nover && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
                                 rs->rule[r->over[i]].id);
}

/* The port= value: "5001", "8000-9000"; port=any is "any" in a rules file,
 * "0-65535" in the table. */
static void ports_str(const os_rule *r, bool table, char *buf, size_t len)
{
    if (r->port_lo == r->port_hi)
        snprintf(buf, len, "%u", r->port_lo);
    else if (!table && r->port_lo == 0 && r->port_hi == 65535)
        snprintf(buf, len, "%s", OS_RW_ANY);
    else
        snprintf(buf, len, "%u-%u", r->port_lo, r->port_hi);
}

/* The value of key k (not a text) of rule r, as the file writes it. */
static const char *value_str(const os_ruleset *rs, const os_rule *r, const os_rkey *k, bool table,
                             char *buf, size_t len)
{
    long v = k->kind == OS_RV_WORD || k->kind == OS_RV_COUNT || k->kind == OS_RV_ROLES
                 ? os_rfield_get(r, k->off, k->size) : 0;
    const char *w;
    switch (k->kind) {
    case OS_RV_WORD:
        snprintf(buf, len, "%s", (w = os_rword_name(k->words, v)) ? w : "-");
        break;
    case OS_RV_COUNT:
        snprintf(buf, len, "%ld", v);
        break;
    case OS_RV_ROLES:
        if (!v)
            snprintf(buf, len, "%s", OS_RW_ANY);
        else
            os_hrole_join((os_hrole_set)v, ",", false, buf, len);
        break;
    case OS_RV_PORTS:
        ports_str(r, table, buf, len);
        break;
    case OS_RV_INFER: /* the table shows one infer= item per side */
        infer_str(r, table ? " infer=" : ",", buf, len);
        break;
    case OS_RV_OVER:
        over_str(rs, r, buf, len);
        break;
    case OS_RV_PAIR:
        snprintf(buf, len, "%s", r->infer_pair >= 0 ? rs->rule[r->infer_pair].id : "");
        break;
    case OS_RV_TEXT:
        buf[0] = '\0';
        break;
    }
    return buf;
}

/* " KEY=\"text\"": in a rules file with \" and \\ escaped, in the table as it is. */
static void put_text(FILE *f, const char *key, const char *text, bool table)
{
    fprintf(f, " %s=\"", key);
    for (const char *c = text; *c; c++) {
        if (!table && (*c == '"' || *c == '\\'))
            fputc('\\', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

/* " KEY=VALUE" of rule r. */
static void put_item(FILE *f, const os_ruleset *rs, const os_rule *r, const os_rkey *k, bool table)
{
    char v[VALUE_MAX];
    if (k->kind == OS_RV_TEXT)
        put_text(f, k->name, *(char *const *)(const void *)((const char *)r + k->off), table);
    else
        fprintf(f, " %s=%s", k->name, value_str(rs, r, k, table, v, sizeof v));
}

/* The key shown at place col of a table line, or NULL past the last. */
static const os_rkey *key_at(unsigned col)
{
    for (size_t i = 0; i < os_nrkeys; i++)
        if (os_rkeys[i].col == col)
            return &os_rkeys[i];
    return NULL;
}

/* One table line: id, the positional columns, then KEY=VALUE items. */
static void dump_rule(const os_ruleset *rs, const os_rule *r, FILE *f)
{
    char v[VALUE_MAX];
    const os_rkey *k;
    fprintf(f, "%-26s ", r->id);
    for (unsigned col = 1; (k = key_at(col)); col++) {
        if (k->sep)
            fprintf(f, "%-*s%s", k->width, value_str(rs, r, k, true, v, sizeof v), k->sep);
        else if (k->always || !os_rkey_at_default(k, r))
            put_item(f, rs, r, k, true);
    }
    fputc('\n', f);
}

/* Every setting as a `set NAME VALUE` line. */
static void put_settings(const os_settings *set, FILE *f)
{
    char a[OS_ADDRSTRLEN];
    for (size_t i = 0; i < os_nrsettings; i++) {
        const os_rsetting *s = &os_rsettings[i];
        const char *field = (const char *)set + s->off;
        long v = s->kind == OS_RS_GROUP ? 0 : os_rfield_get(set, s->off, sizeof(uint32_t));
        fprintf(f, "%s %s ", OS_RW_SET, s->name);
        const bool *given = (const bool *)(const void *)((const char *)set + s->given_off);
        if (s->kind == OS_RS_GROUP && *given)
            fprintf(f, "%s\n", os_addr_str((const os_addr *)(const void *)field, a));
        else if (s->kind == OS_RS_NUMBER || (s->kind == OS_RS_GROUPS && v))
            fprintf(f, "%ld\n", v);
        else
            fprintf(f, "%s\n", OS_RW_UNSET);
    }
}

/* Write the compiled table, then the settings. */
void os_rules_dump(const os_ruleset *rs, FILE *f)
{
    fprintf(f, "%-26s %-7s %-11s %-7s %-14s %s\n", "# rule", "proto", "ports", "port-on",
            "dest", "service <- peer, direction, inference");
    for (unsigned i = 0; i < rs->n; i++)
        dump_rule(rs, &rs->rule[i], f);
    put_settings(&rs->set, f);
    fprintf(f, "# %u rules, %u candidate sets\n", rs->n, rs->nsets);
}

/* Write rs as a rules file. */
void os_rules_write(const os_ruleset *rs, FILE *f)
{
    for (unsigned i = 0; i < rs->n; i++) {
        const os_rule *r = &rs->rule[i];
        fprintf(f, "%s %s", OS_RW_RULE, r->id);
        for (size_t k = 0; k < os_nrkeys; k++)
            if (!os_rkey_at_default(&os_rkeys[k], r))
                put_item(f, rs, r, &os_rkeys[k], false);
        fputc('\n', f);
    }
    put_settings(&rs->set, f);
}
