/* fuzz_rules.c — libFuzzer target: the rules parser over any buffer; a file
 * that parses is dumped (to /dev/null) and its port table walked. */
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *out;
    os_ruleset rs;
    os_diags d = { 0 };
    unsigned n;
    if (!out && !(out = fopen("/dev/null", "w")))
        return 0;
    if (os_rules_parse("fuzz.rules", (const char *)data, size, &rs, &d)) {
        os_rules_dump(&rs, out);
        for (unsigned port = 0; port < 65536; port += 97)
            os_rules_candidates(&rs, (port & 1) ? 6 : 17, (uint16_t)port, &n);
        os_rules_free(&rs);
    }
    for (size_t i = 0; i < d.n; i++)
        fputs(d.msg[i], out);
    os_diags_free(&d);
    return 0;
}
