/* test_capture.c — the memory-mapped pcap reader against libpcap: on every
 * capture in pcaps/ and on damaged copies of the site capture (cut at every
 * length of its first records and its last bytes, oversized caplen, a
 * snaplen smaller than the records, odd timestamps), both readers must hand
 * out the same frames (time, lengths, bytes) and end the same way, with the
 * same error message. omnisniff's pcapng reader against libpcap on every
 * pcapng in pcaps/: the same frames as far as libpcap reads (it stops at an
 * interface unlike the first; the messages differ). Also: filters, break,
 * which reader is used, and a file truncated by another program while it
 * is mapped. The pcapng reader's own cases: test_pcapng.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "omnisniff/capture.h"

#define PCAPS OS_SOURCE_DIR "/pcaps"
#define SITE PCAPS "/omnicast-site.pcap"

/* True when the file starts with a classic pcap magic (either order). */
static bool classic_magic(const char *path)
{
    uint8_t m[4] = { 0 };
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(m, 1, 4, f) : 0;
    if (f)
        fclose(f);
    return n == 4 && ((m[0] == 0xa1 && m[1] == 0xb2) || (m[3] == 0xa1 && m[2] == 0xb2));
}

/* True when the file starts with the pcapng magic. */
static bool pcapng_magic(const char *path)
{
    uint8_t m[4] = { 0 };
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(m, 1, 4, f) : 0;
    if (f)
        fclose(f);
    return n == 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

/* Open path with one reader (libpcap or the mapping); err gets the message. */
static os_capture *open_with(const char *path, const char *filter, bool libpcap, char *err,
                             size_t errlen)
{
    os_capture_opts o;
    memset(&o, 0, sizeof o);
    o.file = path;
    o.filter = filter;
    o.use_libpcap = libpcap;
    return os_capture_open(&o, err, errlen);
}

/* A pcapng read by libpcap (ref) and by omnisniff's reader (ours): the
 * same frames while libpcap reads; where libpcap fails, ours may read on;
 * where libpcap ends, ours ends too. Closes both; returns the frames
 * libpcap read. */
static size_t compare_pcapng(os_capture *ref, os_capture *ours)
{
    char e1[512] = "", e2[512] = "";
    os_frame a, b;
    size_t n = 0;
    os_cap_status sa, sb;
    assert_non_null(ours);
    assert_false(os_capture_is_mapped(ours));
    assert_int_equal(os_capture_dlt(ref), os_capture_dlt(ours));
    assert_int_equal(os_capture_snaplen(ref), os_capture_snaplen(ours));
    while ((sa = os_capture_next(ref, &a, e1, sizeof e1)) == OS_CAP_PACKET) {
        assert_int_equal(os_capture_next(ours, &b, e2, sizeof e2), OS_CAP_PACKET);
        assert_true(a.ts_ns == b.ts_ns);
        assert_int_equal(a.caplen, b.caplen);
        assert_int_equal(a.wirelen, b.wirelen);
        assert_int_equal(a.dlt, b.dlt);
        assert_memory_equal(a.data, b.data, a.caplen);
        n++;
    }
    sb = os_capture_next(ours, &b, e2, sizeof e2);
    if (sa == OS_CAP_END)
        assert_int_equal(sb, OS_CAP_END);
    while (sb == OS_CAP_PACKET) /* libpcap stopped; ours reads on */
        sb = os_capture_next(ours, &b, e2, sizeof e2);
    os_capture_close(ref);
    os_capture_close(ours);
    return n;
}

/* Read path with both readers in step; every frame and the end must be the
 * same. Returns the frames read; *end gets how it ended. */
static size_t compare_readers(const char *path, const char *filter, os_cap_status *end)
{
    char e1[512] = "", e2[512] = "";
    os_capture *ref = open_with(path, filter, true, e1, sizeof e1);
    os_capture *map = open_with(path, filter, false, e2, sizeof e2);
    os_frame a, b;
    size_t n = 0;

    *end = OS_CAP_ERROR;
    if (ref && pcapng_magic(path))
        return compare_pcapng(ref, map);
    if (!ref && pcapng_magic(path)) { /* libpcap refused it: a cut section header */
        assert_null(map);
        return 0;
    }
    if (!ref) { /* libpcap refused the file: so does the capture layer */
        assert_null(map);
        assert_string_equal(e1, e2);
        return 0;
    }
    assert_non_null(map);
    assert_false(os_capture_is_mapped(ref));
    assert_int_equal(os_capture_is_mapped(map), classic_magic(path));
    assert_int_equal(os_capture_snaplen(ref), os_capture_snaplen(map));
    for (;;) {
        os_cap_status sa = os_capture_next(ref, &a, e1, sizeof e1);
        os_cap_status sb = os_capture_next(map, &b, e2, sizeof e2);
        assert_int_equal(sa, sb);
        if (sa != OS_CAP_PACKET) {
            if (sa == OS_CAP_ERROR)
                assert_string_equal(e1, e2);
            *end = sa;
            break;
        }
        assert_true(a.ts_ns == b.ts_ns);
        assert_int_equal(a.caplen, b.caplen);
        assert_int_equal(a.wirelen, b.wirelen);
        assert_memory_equal(a.data, b.data, a.caplen);
        n++;
    }
    os_capture_close(ref);
    os_capture_close(map);
    return n;
}

/* Every capture in pcaps/. */
static void test_every_sample_capture(void **state)
{
    (void)state;
    DIR *d = opendir(PCAPS);
    struct dirent *e;
    char path[1024];
    int files = 0, mapped = 0;
    os_cap_status end;

    assert_non_null(d);
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng")))
            continue;
        snprintf(path, sizeof path, "%s/%s", PCAPS, e->d_name);
        compare_readers(path, NULL, &end);
        files++;
        mapped += classic_magic(path);
    }
    closedir(d);
    assert_true(files >= 20);
    assert_true(mapped >= 15);
}

/* The site capture's bytes and frame count, loaded once. */
static uint8_t *site;
static size_t site_len, site_frames;

static int load_site(void **state)
{
    (void)state;
    FILE *f = fopen(SITE, "rb");
    if (!f)
        return -1;
    site = malloc(1 << 20);
    site_len = fread(site, 1, 1 << 20, f);
    fclose(f);
    os_cap_status end;
    site_frames = compare_readers(SITE, NULL, &end);
    return site_len > 24 && site_frames > 100 && end == OS_CAP_END ? 0 : -1;
}

static int free_site(void **state)
{
    (void)state;
    free(site);
    return 0;
}

/* Compare the readers on bytes b[0..n) written to a temporary file. */
static size_t compare_bytes(const uint8_t *b, size_t n, os_cap_status *end)
{
    char path[] = "/tmp/omnisniff-test-capture-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, n), (ssize_t)n);
    close(fd);
    size_t frames = compare_readers(path, NULL, end);
    unlink(path);
    return frames;
}

/* Little-endian 32-bit store into a copy of the capture. */
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* A copy of the site capture to damage (free it). */
static uint8_t *site_copy(void)
{
    uint8_t *b = malloc(site_len);
    assert_non_null(b);
    memcpy(b, site, site_len);
    return b;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Cut at every length through the first records and the last 64 bytes. */
static void test_cut_everywhere(void **state)
{
    (void)state;
    os_cap_status end;
    int errors = 0;
    for (size_t n = 0; n <= site_len; n++) {
        if (n == 400)
            n = site_len - 64;
        compare_bytes(site, n, &end);
        errors += end == OS_CAP_ERROR;
    }
    assert_true(errors > 300); /* most cuts end mid-record */
    assert_int_equal(compare_bytes(site, site_len, &end), site_frames);
    assert_int_equal(end, OS_CAP_END);
}

/* A caplen above 262144: both stop with libpcap's message. */
static void test_oversized_caplen(void **state)
{
    (void)state;
    uint8_t *b = site_copy();
    uint32_t second = 24 + 16 + get32(site + 32);
    os_cap_status end;
    put32(b + second + 8, 262145);
    assert_int_equal(compare_bytes(b, site_len, &end), 1);
    assert_int_equal(end, OS_CAP_ERROR);
    put32(b + second + 8, 0xffffffffu);
    assert_int_equal(compare_bytes(b, site_len, &end), 1);
    assert_int_equal(end, OS_CAP_ERROR);
    free(b);
}

/* A snaplen smaller than the records: cut to it, the rest skipped; a cut in
 * the skipped part is an error. */
static void test_small_snaplen(void **state)
{
    (void)state;
    uint8_t *b = site_copy();
    os_cap_status end;
    put32(b + 16, 60);
    assert_int_equal(compare_bytes(b, site_len, &end), site_frames);
    assert_int_equal(end, OS_CAP_END);
    assert_int_equal(compare_bytes(b, site_len - 3, &end), site_frames - 1);
    assert_int_equal(end, OS_CAP_ERROR);
    free(b);
}

/* Timestamps with the sign bit set are read as libpcap reads them; a
 * caplen above the wire length is handed out as is. */
static void test_odd_fields(void **state)
{
    (void)state;
    uint8_t *b = site_copy();
    os_cap_status end;
    put32(b + 24, 0x90000000u);
    put32(b + 28, 0xffffff00u);
    put32(b + 36, 10); /* wire length below the caplen */
    assert_int_equal(compare_bytes(b, site_len, &end), site_frames);
    assert_int_equal(end, OS_CAP_END);
    free(b);
}

/* A BPF filter selects the same frames in both readers. */
static void test_filter(void **state)
{
    (void)state;
    os_cap_status end;
    size_t udp = compare_readers(SITE, "udp", &end);
    size_t cmd = compare_readers(SITE, "tcp port 5001", &end);
    assert_true(udp > 50 && udp < site_frames);
    assert_true(cmd > 10 && cmd < udp);
    assert_int_equal(end, OS_CAP_END);
}

/* os_capture_break ends the mapped reader; a pcapng file is not mapped. */
static void test_break_and_choice(void **state)
{
    (void)state;
    char err[256];
    os_frame fr;
    os_capture *c = open_with(SITE, NULL, false, err, sizeof err);
    assert_non_null(c);
    assert_true(os_capture_is_mapped(c));
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
    os_capture_break(c);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_END);
    os_capture_close(c);
    c = open_with(PCAPS "/omnicast-site.pcapng", NULL, false, err, sizeof err);
    assert_non_null(c);
    assert_false(os_capture_is_mapped(c));
    os_capture_close(c);
}

/* A capture of n records of 1000-byte frames (1016 bytes each) in a new
 * temporary file; path gets its name. */
static void write_big(char *path, size_t n)
{
    uint8_t hdr[24] = { 0 }, rec[1016] = { 0 };
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    put32(hdr, 0xa1b2c3d4u);
    put32(hdr + 4, 2u | 4u << 16);
    put32(hdr + 16, 65535);
    put32(hdr + 20, 1);
    assert_int_equal(write(fd, hdr, sizeof hdr), (ssize_t)sizeof hdr);
    put32(rec + 8, 1000);
    put32(rec + 12, 1000);
    for (size_t i = 0; i < n; i++) {
        put32(rec, (uint32_t)i);
        assert_int_equal(write(fd, rec, sizeof rec), (ssize_t)sizeof rec);
    }
    close(fd);
}

/* Read k frames of c; the status of the last read. */
static os_cap_status read_frames(os_capture *c, size_t k, char *err, size_t errlen)
{
    os_frame fr;
    os_cap_status st = OS_CAP_PACKET;
    for (size_t i = 0; i < k && st == OS_CAP_PACKET; i++)
        st = os_capture_next(c, &fr, err, errlen);
    return st;
}

/* Another program truncates the file while the mapped reader reads it:
 * the reader checks the size every MiB (record 1033 is the first record at
 * or past 1 MiB), reads up to the new end and reports the cut record
 * there; if the file shrank below what was read, it says so. Before the
 * checks, both runs ended with SIGBUS. */
static void test_truncated_while_read(void **state)
{
    (void)state;
    char path[] = "/tmp/omnisniff-test-shrink-XXXXXX", err[512] = "";
    write_big(path, 4000);
    os_capture *c = open_with(path, NULL, false, err, sizeof err);
    assert_non_null(c);
    assert_true(os_capture_is_mapped(c));
    assert_int_equal(read_frames(c, 1500, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(truncate(path, 24 + 2500 * 1016 + 500), 0);
    assert_int_equal(read_frames(c, 1000, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(read_frames(c, 1, err, sizeof err), OS_CAP_ERROR);
    assert_string_equal(err, "truncated dump file; tried to read 1000 captured bytes, only got 484");
    os_capture_close(c);
    unlink(path);

    write_big(strcpy(path, "/tmp/omnisniff-test-shrink-XXXXXX"), 4000);
    c = open_with(path, NULL, false, err, sizeof err);
    assert_int_equal(read_frames(c, 1033, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(truncate(path, 500000), 0);
    assert_int_equal(read_frames(c, 1, err, sizeof err), OS_CAP_ERROR);
    assert_string_equal(err, "the file shrank from 4064024 to 500000 bytes while being read "
                             "(another program truncated or rewrote it)");
    os_capture_close(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sample_capture),
        cmocka_unit_test(test_cut_everywhere),
        cmocka_unit_test(test_oversized_caplen),
        cmocka_unit_test(test_small_snaplen),
        cmocka_unit_test(test_odd_fields),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_break_and_choice),
        cmocka_unit_test(test_truncated_while_read),
    };
    return cmocka_run_group_tests(tests, load_site, free_site);
}
