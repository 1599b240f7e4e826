/* fuzz_hosts.c — libFuzzer target: the hosts-file parser over any buffer;
 * a file that parses is queried for a few addresses. */
#include <stdint.h>

#include "omnisniff/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const probe[] = { "10.1.0.10", "0.0.0.0", "fd00:1::10", "::", "255.255.255.255" };
    os_hostsfile h;
    os_diags d = { 0 };
    if (os_hosts_parse("fuzz.hosts", (const char *)data, size, &h, &d)) {
        for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
            os_addr a;
            if (os_addr_parse(probe[i], &a))
                os_hosts_match(&h, &a);
        }
        os_hosts_free(&h);
    }
    os_diags_free(&d);
    return 0;
}
