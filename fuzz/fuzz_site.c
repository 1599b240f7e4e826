/* fuzz_site.c — libFuzzer target: the site-file parser over any buffer; a
 * file that parses is audited against an empty capture and written in every
 * format (text, JSON, Markdown, each firewall dialect). */
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/audit.h"
#include "omnisniff/firewall.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static os_ruleset rs;
    static bool loaded;
    static FILE *sink;
    os_site s;
    os_audit a;
    os_diags d = { 0 };
    char err[64];
    if (!loaded) {
        os_rules_text def = os_rules_default();
        loaded = os_rules_parse("r", def.text, def.len, &rs, &d);
        sink = fopen("/dev/null", "w");
        os_diags_free(&d);
    }
    if (os_site_parse("fuzz.site", (const char *)data, size, &rs, &s, &d)) {
        if (os_audit_build(&a, &s, &rs, "fuzz.site", err, sizeof err) &&
            os_audit_observe(&a, NULL, 0, err, sizeof err)) {
            os_audit_write_text(sink, &a);
            os_audit_write_json(sink, &a);
            os_audit_write_md(sink, &a);
            for (int f = 0; f < OS_FW_NFORMATS; f++)
                os_fw_write(sink, &a, (os_fw_format)f);
        }
        os_audit_free(&a);
        os_site_free(&s);
    }
    os_diags_free(&d);
    return 0;
}
