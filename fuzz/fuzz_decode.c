/* fuzz_decode.c — libFuzzer target: one frame of any supported link type.
 * Byte 0 picks the link type, byte 1 how many bytes the wire had beyond the
 * capture (so snaplen cuts are exercised), the rest is the frame. The frame
 * is copied into an exactly-sized buffer so ASan sees any over-read. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                                DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP };
    /* VXLAN and Geneve on their IANA ports, so the fuzzer reaches them */
    static os_decode_cfg cfg;
    os_pkt p;
    os_reason why;
    if (!cfg.quick) {
        os_decode_cfg_add(&cfg, false, 4789);
        os_decode_cfg_add(&cfg, true, 6081);
    }
    if (size < 2)
        return 0;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    uint32_t extra = data[1] & 0x80 ? (uint32_t)(data[1] & 0x7f) * 16 : 0;
    size_t n = size - 2;
    uint8_t *frame = malloc(n ? n : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 2, n);
    os_decode(&cfg, dlt, frame, (uint32_t)n, (uint32_t)n + extra, &p, &why);
    free(frame);
    return 0;
}
