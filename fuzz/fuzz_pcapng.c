/* fuzz_pcapng.c — libFuzzer target: a capture file image (pcapng, classic
 * pcap, or either compressed with gzip, zstd or lz4) opened through the
 * capture layer's public API from a memory file, as `-r FILE` opens it:
 * format detection, the decompressing stream, omnisniff's pcapng reader,
 * the mapped pcap reader with its joined-capture check, the time window
 * and the counters. Every byte of every frame handed out is read. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "omnisniff/capture.h"

#define MAX_FRAMES 200000 /* a small compressed input may expand a lot */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file with a name (mmap and fopen work on it). */
static int memory_file(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512];
    int fd = memory_file(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    os_capture_opts o;
    memset(&o, 0, sizeof o);
    o.file = path;
    o.until_ns = size > 8 && data[size - 1] & 1 ? 1800000000000000000ull : 0;
    os_capture *c = os_capture_open(&o, err, sizeof err);
    os_frame fr;
    volatile uint8_t sink = 0;
    for (int n = 0; c && n < MAX_FRAMES && os_capture_next(c, &fr, err, sizeof err) == OS_CAP_PACKET; n++)
        for (uint32_t i = 0; i < fr.caplen; i++)
            sink ^= fr.data[i];
    if (c) {
        uint64_t pos, sz;
        (void)os_capture_progress(c, &pos, &sz);
        (void)os_capture_get_input_stats(c);
        (void)os_capture_mixed_dlt(c);
        while (os_capture_note(c))
            ;
    }
    os_capture_close(c);
    close(fd);
    (void)sink;
    return 0;
}
