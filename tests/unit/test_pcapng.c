/* test_pcapng.c — the capture layer's inputs as they come (issue 18):
 * omnisniff's pcapng reader (interfaces of mixed link types, time
 * resolutions and offsets, both byte orders, several sections, skipped
 * blocks, and every bad length as one clear error with no over-read: the
 * files are built in memory here and written to temporary files), gzip,
 * zstd and lz4 input giving the frames of the plain file (from a file and
 * from stdin; several members; cut short), several files merged by time
 * (different link types, ties in file order, progress summed), the time
 * window, time going back, undecodable link types skipped, and classic
 * pcap files joined with cat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lz4frame.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "omnisniff/capture.h"

#define SITE OS_SOURCE_DIR "/pcaps/omnicast-site.pcap"
#define RAWPCAP OS_SOURCE_DIR "/pcaps/linktype-raw.pcap"
#define SEC 1000000000ull

/* ---- building files in memory ------------------------------------------ */

typedef struct buf {
    uint8_t b[1 << 16]; /* the bytes */
    size_t n;           /* how many */
    bool be;            /* write big-endian */
} buf;

static void put32(buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->b[b->n++] = (uint8_t)(b->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(buf *b, uint16_t v)
{
    b->b[b->n++] = (uint8_t)(b->be ? v >> 8 : v);
    b->b[b->n++] = (uint8_t)(b->be ? v : v >> 8);
}

/* Section header block. */
static void shb(buf *b)
{
    put32(b, 0x0A0D0D0A), put32(b, 28), put32(b, 0x1A2B3C4D), put16(b, 1), put16(b, 0);
    put32(b, 0xffffffff), put32(b, 0xffffffff), put32(b, 28);
}

/* Interface description block; tsresol 0 = none (µs), else that option
 * byte; tsoff: an if_tsoffset option when nonzero. */
static void idb(buf *b, uint16_t lt, uint32_t snap, uint8_t tsresol, int64_t tsoff)
{
    uint32_t len = 20 + (tsresol ? 8 : 0) + (tsoff ? 12 : 0) + (tsresol || tsoff ? 4 : 0);
    put32(b, 1), put32(b, len), put16(b, lt), put16(b, 0), put32(b, snap);
    if (tsresol)
        put16(b, 9), put16(b, 1), put32(b, b->be ? (uint32_t)tsresol << 24 : tsresol);
    if (tsoff) {
        put16(b, 14), put16(b, 8);
        put32(b, b->be ? (uint32_t)((uint64_t)tsoff >> 32) : (uint32_t)tsoff);
        put32(b, b->be ? (uint32_t)tsoff : (uint32_t)((uint64_t)tsoff >> 32));
    }
    if (tsresol || tsoff)
        put32(b, 0); /* opt_endofopt */
    put32(b, len);
}

/* Enhanced packet block of n bytes of 0x45 (an IPv4-ish first byte). */
static void epb(buf *b, uint32_t ifid, uint64_t ts, uint32_t n)
{
    uint32_t pad = (4 - n % 4) % 4, len = 32 + n + pad;
    put32(b, 6), put32(b, len), put32(b, ifid), put32(b, (uint32_t)(ts >> 32));
    put32(b, (uint32_t)ts), put32(b, n), put32(b, n);
    memset(b->b + b->n, 0x45, n);
    b->n += n;
    memset(b->b + b->n, 0, pad);
    b->n += pad;
    put32(b, len);
}

/* Write bytes to a new temporary file; path gets its name. */
static void write_tmp(char *path, const void *data, size_t n)
{
    strcpy(path, "/tmp/omnisniff-test-pcapng-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* Open one file (or several) with a time window. */
static os_capture *open_files(const char *const *files, size_t n, uint64_t since,
                              uint64_t until, char *err, size_t errlen)
{
    os_capture_opts o;
    memset(&o, 0, sizeof o);
    if (n == 1)
        o.file = files[0];
    else
        o.files = files, o.nfiles = n;
    o.since_ns = since;
    o.until_ns = until;
    return os_capture_open(&o, err, errlen);
}

static os_capture *open1(const char *path, char *err, size_t errlen)
{
    return open_files(&path, 1, 0, 0, err, errlen);
}

/* Read b as a file to its end: the frames read, *end how it ended, err
 * its message (or the open error, *end = OS_CAP_ERROR, 0 frames). */
static size_t read_all(const buf *b, os_cap_status *end, char *err, size_t errlen)
{
    char path[64];
    os_frame fr;
    size_t n = 0;
    write_tmp(path, b->b, b->n);
    os_capture *c = open1(path, err, errlen);
    *end = OS_CAP_ERROR;
    while (c && (*end = os_capture_next(c, &fr, err, errlen)) == OS_CAP_PACKET)
        n++;
    os_capture_close(c);
    unlink(path);
    return n;
}

/* ---- pcapng -------------------------------------------------------------- */

/* Three interfaces of three link types: each frame carries its own. */
static void test_mixed_link_types(void **state)
{
    (void)state;
    static buf b;
    char path[64], err[512];
    os_frame fr;
    const int want[6] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL };
    b.n = 0;
    shb(&b);
    idb(&b, 1, 262144, 0, 0), idb(&b, 101, 262144, 0, 0), idb(&b, 113, 65535, 0, 0);
    for (uint32_t k = 0; k < 6; k++)
        epb(&b, k % 3, 1000000u + k, 40 + k);
    write_tmp(path, b.b, b.n);
    os_capture *c = open1(path, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(os_capture_dlt(c), DLT_EN10MB);
    assert_string_equal(os_capture_dlt_name(c), "EN10MB");
    assert_int_equal(os_capture_snaplen(c), 262144);
    assert_true(os_capture_mixed_dlt(c));
    assert_false(os_capture_is_mapped(c));
    for (int k = 0; k < 6; k++) {
        assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
        assert_int_equal(fr.dlt, want[k]);
        assert_int_equal(fr.caplen, 40 + k);
        assert_true(fr.ts_ns == (1000000u + (uint64_t)k) * 1000);
        assert_int_equal(fr.data[0], 0x45);
    }
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_END);
    os_capture_close(c);
    unlink(path);
}

/* Time resolutions (10^-9, 10^-3, 2^-20, 10^-12), an offset, a big-endian
 * second section whose interfaces start anew, unknown blocks skipped. */
static void test_time_resolutions(void **state)
{
    (void)state;
    static buf b;
    char path[64], err[512];
    os_frame fr;
    b.n = 0, b.be = false;
    shb(&b);
    idb(&b, 1, 0, 9, 0);            /* ns */
    idb(&b, 1, 0, 3, 100);          /* ms, 100 s later */
    idb(&b, 1, 0, 0x80 | 20, 0);    /* 2^-20 s */
    idb(&b, 1, 0, 12, 0);           /* ps */
    put32(&b, 0x40000BAD), put32(&b, 16), put32(&b, 7), put32(&b, 16); /* custom block */
    epb(&b, 0, 5 * SEC + 123456789, 60);
    epb(&b, 1, 5 * 1000 + 7, 60);
    epb(&b, 2, (5ull << 20) | (1u << 19), 60); /* 5.5 s */
    epb(&b, 3, 5000000123456ull, 60);
    b.be = true;
    shb(&b);
    idb(&b, 101, 262144, 6, 0);
    epb(&b, 0, 7000001, 60);
    write_tmp(path, b.b, b.n);
    os_capture *c = open1(path, err, sizeof err);
    assert_non_null(c);
    const uint64_t want[5] = { 5 * SEC + 123456789, 105 * SEC + 7000000, 5 * SEC + 500000000,
                               5 * SEC + 123, 7 * SEC + 1000 };
    for (int k = 0; k < 5; k++) {
        assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
        assert_true(fr.ts_ns == want[k]);
    }
    assert_int_equal(fr.dlt, DLT_RAW);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_END);
    os_capture_input_stats st = os_capture_get_input_stats(c);
    assert_int_equal(st.backwards, 2); /* 105 s -> 5.5 s, 5.5 s -> 5.000000123 s */
    assert_true(st.max_back_ns == 100 * SEC - 500000000 + 7000000);
    os_capture_close(c);
    unlink(path);
}

/* A valid file of three packets to damage. */
static void base_file(buf *b)
{
    b->n = 0, b->be = false;
    shb(b);
    idb(b, 1, 262144, 0, 0);
    epb(b, 0, 1, 60), epb(b, 0, 2, 60), epb(b, 0, 3, 60);
}

#define EPB2 (28 + 20 + 92) /* offset of the second packet block */

/* Damage at `at` (32-bit LE value v); the read must end with an error
 * containing `want` after `frames` frames. */
static void expect_error(size_t at, uint32_t v, size_t frames, const char *want)
{
    static buf b;
    char err[512] = "";
    os_cap_status end;
    base_file(&b);
    b.b[at] = (uint8_t)v, b.b[at + 1] = (uint8_t)(v >> 8);
    b.b[at + 2] = (uint8_t)(v >> 16), b.b[at + 3] = (uint8_t)(v >> 24);
    assert_int_equal(read_all(&b, &end, err, sizeof err), frames);
    assert_int_equal(end, OS_CAP_ERROR);
    if (!strstr(err, want))
        fail_msg("'%s' does not say '%s'", err, want);
}

/* Every bad length is a clear error naming the block's offset. */
static void test_bad_lengths(void **state)
{
    (void)state;
    expect_error(EPB2 + 4, 8, 1, "pcapng block at byte 140 claims a length of 8, below the minimum of 12");
    expect_error(EPB2 + 4, 94, 1, "claims a length of 94, not a multiple of 4");
    expect_error(EPB2 + 4, 1u << 30, 1, "claims a length of 1073741824, above the maximum of 16777216");
    expect_error(EPB2 + 4, 88, 1, "claims a length of 88 at its start and 1162167621 at its end");
    expect_error(EPB2 + 4, 96, 1, "claims a length of 96 at its start and 6 at its end");
    expect_error(EPB2 + 20, 61, 1, "captured length 61 runs past the block's end (60 bytes there)");
    expect_error(EPB2 + 20, 0xffffffffu, 1, "captured length 4294967295 runs past");
    expect_error(EPB2 + 8, 1, 1, "is from interface 1, but the section describes 1 interface before it");
    expect_error(28 + 12, 40, 0, "captured length 60 is above interface 0's snapshot length 40");
    expect_error(28 + 4, 16, 0, "block at byte 28 claims a length of 16 at its start and 262144");
    expect_error(8, 0x12345678, 0, "bad byte-order magic 0x78563412");
    expect_error(12, 2, 0, "has version 2.0; omnisniff reads version 1");
}

/* Cut at every length: never more than the frames before the cut, an
 * error unless the cut falls between blocks, and no over-read (ASan). */
static void test_cut_everywhere(void **state)
{
    (void)state;
    static buf b, cut;
    char err[512];
    os_cap_status end;
    base_file(&b);
    for (size_t n = 1; n < b.n; n++) {
        memcpy(cut.b, b.b, n);
        cut.n = n;
        size_t frames = read_all(&cut, &end, err, sizeof err);
        bool boundary = n == 48 || n == 48 + 92 || n == 48 + 184;
        assert_true(frames == (n < 48 ? 0 : (n - 48) / 92));
        assert_int_equal(end, boundary ? OS_CAP_END : OS_CAP_ERROR);
        if (n > 48 && !boundary && !strstr(err, "pcapng file cut short in the block at byte"))
            fail_msg("cut at %zu: '%s'", n, err);
    }
}

/* Options that do not fit; a resolution too fine; no interface. */
static void test_bad_options(void **state)
{
    (void)state;
    static buf b;
    char err[512];
    os_cap_status end;
    b.n = 0, b.be = false;
    shb(&b);
    put32(&b, 1), put32(&b, 28), put16(&b, 1), put16(&b, 0), put32(&b, 0);
    put16(&b, 9), put16(&b, 9), put32(&b, 6); /* option of 9 bytes in 4 */
    put32(&b, 28);
    assert_int_equal(read_all(&b, &end, err, sizeof err), 0);
    assert_string_equal(strchr(err, ':') + 2, "pcapng interface description at byte 28: option 9 "
                        "(9 bytes) runs past the block's end");
    b.n = 0;
    shb(&b);
    idb(&b, 1, 0, 20, 0); /* 10^-20 */
    assert_int_equal(read_all(&b, &end, err, sizeof err), 0);
    assert_non_null(strstr(err, "time resolution 10^-20 is finer than omnisniff reads"));
    b.n = 0;
    shb(&b);
    epb(&b, 0, 1, 60);
    assert_int_equal(read_all(&b, &end, err, sizeof err), 0);
    assert_non_null(strstr(err, "describes no interface before its first packet"));
    b.n = 0;
    shb(&b);
    put32(&b, 1), put32(&b, 16), put32(&b, 0), put32(&b, 16); /* too short for its fields */
    assert_int_equal(read_all(&b, &end, err, sizeof err), 0);
    assert_non_null(strstr(err, "pcapng interface description block at byte 28 is 16 bytes long, "
                                "too short for its fields (20)"));
}

/* An interface of a link type omnisniff does not decode: its frames are
 * skipped and counted, with one note; the others are read. */
static void test_unsupported_interface(void **state)
{
    (void)state;
    static buf b;
    char path[64], err[512];
    os_frame fr;
    size_t n = 0;
    b.n = 0, b.be = false;
    shb(&b);
    idb(&b, 127, 0, 0, 0), idb(&b, 1, 0, 0, 0); /* radiotap, Ethernet */
    for (uint32_t k = 0; k < 6; k++)
        epb(&b, k % 2, k, 60);
    write_tmp(path, b.b, b.n);
    os_capture *c = open1(path, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(os_capture_dlt(c), DLT_EN10MB); /* the first one omnisniff decodes */
    while (os_capture_next(c, &fr, err, sizeof err) == OS_CAP_PACKET)
        n++, assert_int_equal(fr.dlt, DLT_EN10MB);
    assert_int_equal(n, 3);
    assert_int_equal(os_capture_get_input_stats(c).unsupported, 3);
    const char *note = os_capture_note(c);
    assert_non_null(note);
    assert_non_null(strstr(note, ": frames of link type 127 (IEEE802_11_RADIO) are skipped"));
    assert_null(os_capture_note(c));
    os_capture_close(c);
    b.n = 0;
    shb(&b);
    idb(&b, 127, 0, 0, 0);
    epb(&b, 0, 1, 60);
    write_tmp(path, b.b, b.n);
    assert_null(open1(path, err, sizeof err));
    assert_non_null(strstr(err, "unsupported link type 127 (IEEE802_11_RADIO)"));
    unlink(path);
}

/* ---- compressed input -------------------------------------------------- */

static uint8_t *site;
static size_t site_len;

static int load_site(void **state)
{
    (void)state;
    FILE *f = fopen(SITE, "rb");
    if (!f)
        return -1;
    site = malloc(1 << 20);
    site_len = fread(site, 1, 1 << 20, f);
    fclose(f);
    return site_len > 1000 ? 0 : -1;
}

static int free_site(void **state)
{
    (void)state;
    free(site);
    return 0;
}

/* gzip of in[0..n) into out (returns its length); members: that many gzip
 * members, each of a part of the input. */
static size_t gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int members)
{
    size_t len = 0;
    for (int m = 0; m < members; m++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        size_t from = n * (size_t)m / (size_t)members, to = n * (size_t)(m + 1) / (size_t)members;
        z.next_in = (uint8_t *)in + from, z.avail_in = (uInt)(to - from);
        z.next_out = out + len, z.avail_out = (uInt)(cap - len);
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        len = cap - z.avail_out;
        deflateEnd(&z);
    }
    return len;
}

/* Read path and the plain site capture in step: the same frames. */
static void same_as_site(const char *path)
{
    char e1[512], e2[512];
    os_frame a, b;
    os_cap_status sa, sb;
    size_t n = 0;
    os_capture *plain = open1(SITE, e1, sizeof e1), *c = open1(path, e2, sizeof e2);
    assert_non_null(plain);
    if (!c)
        fail_msg("%s", e2);
    assert_false(os_capture_is_mapped(c));
    while ((sa = os_capture_next(plain, &a, e1, sizeof e1)) == OS_CAP_PACKET) {
        assert_int_equal(sb = os_capture_next(c, &b, e2, sizeof e2), OS_CAP_PACKET);
        assert_true(a.ts_ns == b.ts_ns);
        assert_int_equal(a.caplen, b.caplen);
        assert_int_equal(a.wirelen, b.wirelen);
        assert_int_equal(a.dlt, b.dlt);
        assert_memory_equal(a.data, b.data, a.caplen);
        n++;
    }
    assert_int_equal(os_capture_next(c, &b, e2, sizeof e2), OS_CAP_END);
    assert_true(n > 200);
    uint64_t pos, size;
    if (strcmp(path, "-") != 0) {
        assert_true(os_capture_progress(c, &pos, &size));
        assert_true(pos == size);
    } else
        assert_false(os_capture_progress(c, &pos, &size));
    os_capture_close(plain);
    os_capture_close(c);
}

/* gzip (one member and three), zstd and lz4 of the site capture: the same
 * frames as the plain file; from stdin too. */
static void test_compressed_same_frames(void **state)
{
    (void)state;
    size_t cap = site_len + 65536, n;
    uint8_t *z = malloc(cap);
    char path[64];
    assert_non_null(z);
    n = gzip(site, site_len, z, cap, 1);
    write_tmp(path, z, n), same_as_site(path), unlink(path);
    n = gzip(site, site_len, z, cap, 3);
    write_tmp(path, z, n), same_as_site(path);
    assert_non_null(freopen(path, "rb", stdin));
    same_as_site("-");
    unlink(path);
    n = ZSTD_compress(z, cap, site, site_len, 3);
    assert_false(ZSTD_isError(n));
    write_tmp(path, z, n), same_as_site(path), unlink(path);
    n = LZ4F_compressFrame(z, cap, site, site_len, NULL);
    assert_false(LZ4F_isError(n));
    write_tmp(path, z, n), same_as_site(path), unlink(path);
    free(z);
}

/* A gzip file cut short: the frames before the cut, then a clear error;
 * corrupt data: an error too; compressed garbage: not a capture. */
static void test_compressed_damage(void **state)
{
    (void)state;
    size_t cap = site_len + 65536, n, frames = 0;
    uint8_t *z = malloc(cap);
    char path[64], err[512];
    os_frame fr;
    os_cap_status st;
    n = gzip(site, site_len, z, cap, 1);
    write_tmp(path, z, n / 2);
    os_capture *c = open1(path, err, sizeof err);
    assert_non_null(c);
    while ((st = os_capture_next(c, &fr, err, sizeof err)) == OS_CAP_PACKET)
        frames++;
    assert_int_equal(st, OS_CAP_ERROR);
    assert_true(frames > 10);
    assert_string_equal(err, "the gzip data ends early (the file was cut short?)");
    os_capture_close(c);
    unlink(path);
    z[n / 2] ^= 0xff, z[n / 2 + 1] ^= 0xff, z[n / 2 + 7] ^= 0x55;
    write_tmp(path, z, n);
    c = open1(path, err, sizeof err);
    assert_non_null(c);
    while ((st = os_capture_next(c, &fr, err, sizeof err)) == OS_CAP_PACKET)
        ;
    assert_int_equal(st, OS_CAP_ERROR);
    assert_true(strncmp(err, "corrupt gzip data", 17) == 0 || strstr(err, "truncated") ||
                strstr(err, "invalid"));
    os_capture_close(c);
    unlink(path);
    n = gzip((const uint8_t *)"hello, not a capture", 20, z, cap, 1);
    write_tmp(path, z, n);
    assert_null(open1(path, err, sizeof err));
    assert_non_null(strstr(err, ": compressed, but not a pcap or pcapng capture file"));
    unlink(path);
    free(z);
}

/* ---- several files, time window, joined captures ------------------------ */

/* Classic pcap (LE, µs) of frames at the given times (µs), link type lt. */
static void classic_file(buf *b, uint32_t lt, const uint64_t *us, size_t n)
{
    b->n = 0, b->be = false;
    put32(b, 0xa1b2c3d4), put16(b, 2), put16(b, 4), put32(b, 0), put32(b, 0);
    put32(b, 65535), put32(b, lt);
    for (size_t i = 0; i < n; i++) {
        put32(b, (uint32_t)(us[i] / 1000000)), put32(b, (uint32_t)(us[i] % 1000000));
        put32(b, 20), put32(b, 20);
        memset(b->b + b->n, (int)(0x45 + i), 20);
        b->n += 20;
    }
}

/* Two files, times interleaved (one tie), link types Ethernet and raw:
 * merged earliest first, the tie in file order, each frame its link type;
 * the progress is the sum; a time window after merging. */
static void test_merge(void **state)
{
    (void)state;
    static buf a, b;
    const uint64_t ta[3] = { 1000000, 3000000, 5000000 }, tb[3] = { 2000000, 3000000, 4000000 };
    const uint64_t want[6] = { 1, 2, 3, 3, 4, 5 };
    const int wdlt[6] = { DLT_EN10MB, DLT_RAW, DLT_EN10MB, DLT_RAW, DLT_RAW, DLT_EN10MB };
    char pa[64], pb[64], err[512];
    os_frame fr;
    uint64_t pos, size;
    classic_file(&a, 1, ta, 3), classic_file(&b, 101, tb, 3);
    write_tmp(pa, a.b, a.n), write_tmp(pb, b.b, b.n);
    const char *files[2] = { pa, pb };
    os_capture *c = open_files(files, 2, 0, 0, err, sizeof err);
    assert_non_null(c);
    assert_true(os_capture_is_mapped(c));
    assert_true(os_capture_mixed_dlt(c));
    assert_int_equal(os_capture_dlt(c), DLT_EN10MB);
    for (int k = 0; k < 6; k++) {
        assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
        assert_true(fr.ts_ns == want[k] * SEC);
        assert_int_equal(fr.dlt, wdlt[k]);
    }
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_END);
    assert_true(os_capture_progress(c, &pos, &size));
    assert_true(pos == a.n + b.n && size == a.n + b.n);
    assert_int_equal(os_capture_get_input_stats(c).backwards, 0);
    os_capture_close(c);
    c = open_files(files, 2, 2 * SEC, 4 * SEC, err, sizeof err); /* [2 s, 4 s) */
    size_t n = 0;
    while (os_capture_next(c, &fr, err, sizeof err) == OS_CAP_PACKET)
        n++, assert_true(fr.ts_ns >= 2 * SEC && fr.ts_ns < 4 * SEC);
    assert_int_equal(n, 3);
    os_capture_input_stats st = os_capture_get_input_stats(c);
    assert_int_equal(st.before_since, 1);
    assert_int_equal(st.after_until, 2);
    os_capture_close(c);
    const char *twice[2] = { "-", "-" };
    assert_null(open_files(twice, 2, 0, 0, err, sizeof err));
    assert_string_equal(err, "standard input (-) can be read only once");
    unlink(pa), unlink(pb);
}

/* A read error in one file of a merge ends the read, naming the file. */
static void test_merge_error(void **state)
{
    (void)state;
    static buf a, b;
    const uint64_t ta[2] = { 1000000, 3000000 }, tb[2] = { 2000000, 4000000 };
    char pa[64], pb[64], err[512];
    os_frame fr;
    size_t n = 0;
    os_cap_status st;
    classic_file(&a, 1, ta, 2), classic_file(&b, 1, tb, 2);
    write_tmp(pa, a.b, a.n), write_tmp(pb, b.b, b.n - 5); /* b's second record cut */
    const char *files[2] = { pa, pb };
    os_capture *c = open_files(files, 2, 0, 0, err, sizeof err);
    assert_non_null(c);
    while ((st = os_capture_next(c, &fr, err, sizeof err)) == OS_CAP_PACKET)
        n++;
    assert_int_equal(st, OS_CAP_ERROR);
    assert_int_equal(n, 2); /* 1 s, 2 s; then b reads ahead and fails */
    assert_true(strncmp(err, pb, strlen(pb)) == 0);
    assert_non_null(strstr(err, ": truncated dump file; tried to read 20 captured bytes, only got 15"));
    os_capture_close(c);
    unlink(pa), unlink(pb);
}

/* Two classic pcap files joined with cat (the second big-endian, ns, raw
 * IP): read as one, with the second's byte order, precision and link
 * type, counted, and one note; a pcapng joined after a pcap: an error. */
static void test_joined_with_cat(void **state)
{
    (void)state;
    static buf a, j;
    const uint64_t ta[2] = { 1000000, 2000000 };
    char path[64], err[512];
    os_frame fr;
    classic_file(&a, 1, ta, 2);
    memcpy(j.b, a.b, a.n);
    j.n = a.n, j.be = true;
    put32(&j, 0xa1b23c4d), put16(&j, 2), put16(&j, 4), put32(&j, 0), put32(&j, 0);
    put32(&j, 65535), put32(&j, 101);
    put32(&j, 3), put32(&j, 5), put32(&j, 20), put32(&j, 20); /* 3 s + 5 ns */
    memset(j.b + j.n, 0x45, 20);
    j.n += 20;
    write_tmp(path, j.b, j.n);
    os_capture *c = open1(path, err, sizeof err);
    assert_non_null(c);
    assert_true(os_capture_is_mapped(c));
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
    assert_true(fr.ts_ns == 3 * SEC + 5);
    assert_int_equal(fr.dlt, DLT_RAW);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_END);
    assert_int_equal(os_capture_get_input_stats(c).joined, 1);
    assert_true(os_capture_mixed_dlt(c));
    char want[256];
    snprintf(want, sizeof want, "%s: a second capture starts at byte %zu (files concatenated "
             "with cat?); read as one, with that capture's link type", path, a.n);
    assert_string_equal(os_capture_note(c), want);
    os_capture_close(c);
    unlink(path);
    j.n = a.n, j.be = false;
    shb(&j), idb(&j, 1, 0, 0, 0);
    write_tmp(path, j.b, j.n);
    c = open1(path, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_PACKET);
    assert_int_equal(os_capture_next(c, &fr, err, sizeof err), OS_CAP_ERROR);
    snprintf(want, sizeof want, "a pcapng capture starts at byte %zu, where a record was due "
             "(files concatenated with cat?): give the files to read one by one", a.n);
    assert_string_equal(err, want);
    os_capture_close(c);
    unlink(path);
}

/* Real captures joined: the site capture twice (times go back once, by
 * its length) and the raw one after it. */
static void test_joined_real(void **state)
{
    (void)state;
    FILE *f = fopen(RAWPCAP, "rb");
    static uint8_t raw[1 << 16];
    size_t rn = fread(raw, 1, sizeof raw, f);
    fclose(f);
    uint8_t *j = malloc(2 * site_len + rn);
    memcpy(j, site, site_len), memcpy(j + site_len, site, site_len);
    memcpy(j + 2 * site_len, raw, rn);
    char path[64], err[512];
    os_frame fr;
    size_t n = 0, rawn = 0;
    write_tmp(path, j, 2 * site_len + rn);
    os_capture *c = open1(path, err, sizeof err);
    while (os_capture_next(c, &fr, err, sizeof err) == OS_CAP_PACKET)
        n++, rawn += fr.dlt == DLT_RAW;
    os_capture_input_stats st = os_capture_get_input_stats(c);
    assert_int_equal(st.joined, 2);
    assert_true(st.backwards >= 1);
    assert_true(rawn > 0 && n > 2 * 200);
    assert_non_null(os_capture_note(c));
    assert_non_null(strstr(os_capture_note(c), ": another capture starts at byte"));
    os_capture_close(c);
    unlink(path);
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_link_types),
        cmocka_unit_test(test_time_resolutions),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_cut_everywhere),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_unsupported_interface),
        cmocka_unit_test(test_compressed_same_frames),
        cmocka_unit_test(test_compressed_damage),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_error),
        cmocka_unit_test(test_joined_with_cat),
        cmocka_unit_test(test_joined_real),
    };
    return cmocka_run_group_tests(tests, load_site, free_site);
}
