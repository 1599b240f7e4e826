/* test_dump.c — the -w evidence capture: held packets written when a flow
 * is flagged, dropped when it ends unflagged, --write-role, hold limits,
 * sorting by time on close, a full disk (/dev/full), read back by libpcap;
 * rotation (-G, -C, -W): the names, files by packet time (and the live
 * clock) and by size, the ring, -W's end, a file that cannot be created or
 * written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>
#include <pcap/pcap.h>

#include "omnisniff/classify.h"
#include "omnisniff/dump.h"

#define S 1000000000ULL

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/test_dump_%d.pcap", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(path);
    return 0;
}

/* A flow with an id and a role. */
static os_flow mkflow(uint64_t id, int16_t rule)
{
    os_flow f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.label.rule = rule;
    f.label.conf = OS_CONF_INFERRED; /* a label a host role confirms */
    return f;
}

/* A 60-byte frame at time t whose first byte tags it. */
static void pkt_to(os_dump *d, const os_flow *f, uint64_t t, uint8_t tag)
{
    static uint8_t b[60];
    os_frame fr = { .ts_ns = t, .caplen = sizeof b, .wirelen = 1500, .data = b, .dlt = DLT_EN10MB };
    b[0] = tag;
    os_dump_packet(d, f, &fr);
}

/* Read file back with libpcap: tags in file order, times checked. */
static size_t read_tags_of(const char *file, uint8_t *tags, size_t max, bool *in_order)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, eb);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t last = 0;
    size_t n = 0;
    assert_non_null(p);
    *in_order = true;
    while (pcap_next_ex(p, &h, &data) == 1) {
        uint64_t t = (uint64_t)h->ts.tv_sec * S + (uint64_t)h->ts.tv_usec;
        assert_int_equal(h->caplen, 60);
        assert_int_equal(h->len, 1500);
        if (t < last)
            *in_order = false;
        last = t;
        if (n < max)
            tags[n] = data[0];
        n++;
    }
    assert_int_equal(pcap_datalink(p), 1);
    pcap_close(p);
    return n;
}

/* Read the test's file back (see read_tags_of). */
static size_t read_tags(uint8_t *tags, size_t max, bool *in_order)
{
    return read_tags_of(path, tags, max, in_order);
}

static void test_held_until_flagged_dropped_if_not(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2), b = mkflow(22, 2);
    assert_non_null(d);
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    pkt_to(d, &a, 3 * S, 'a');
    os_dump_flag(d, a.id);   /* both held packets of a go out */
    pkt_to(d, &a, 4 * S, 'a'); /* and later ones at once */
    os_dump_flow_end(d, &b); /* b never flagged: dropped */
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(st.written, 3);
    assert_int_equal(st.flows, 1);
    assert_int_equal(st.not_held, 0);
    assert_int_equal(read_tags(tags, 16, &ordered), 3);
    assert_memory_equal(tags, "aaa", 3);
    assert_true(ordered);
}

static void test_flows_flagged_late_are_sorted_on_close(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2), b = mkflow(22, 2);
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    os_dump_flag(d, b.id); /* b at 2 s written first */
    pkt_to(d, &b, 3 * S, 'b');
    os_dump_flag(d, a.id); /* then a's packet of 1 s */
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_true(st.sorted);
    assert_int_equal(read_tags(tags, 16, &ordered), 3);
    assert_true(ordered);
    assert_memory_equal(tags, "abb", 3);
}

static void test_write_role_selects_by_label(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, 5, err, sizeof err);
    os_flow a = mkflow(11, 5), b = mkflow(22, 2);
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    os_dump_flag(d, b.id); /* findings do not select in role mode */
    pkt_to(d, &a, 3 * S, 'a');
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(read_tags(tags, 16, &ordered), 2);
    assert_memory_equal(tags, "aa", 2);
    assert_int_equal(st.flows, 1);
}

/* A label resting on the port alone may change (a role learnt later): such
 * a flow is held and judged by its label when it ends — written if it is
 * still of the role, dropped if it became another. */
static void test_write_role_port_label_waits_for_the_end(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, 5, err, sizeof err);
    os_flow a = mkflow(11, 5), b = mkflow(22, 5);
    a.label.conf = b.label.conf = OS_CONF_PORT;
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    pkt_to(d, &a, 3 * S, 'a');
    b.label.rule = 7; /* relabelled: another role now */
    os_dump_flow_end(d, &b);
    os_dump_flow_end(d, &a);
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(read_tags(tags, 16, &ordered), 2);
    assert_memory_equal(tags, "aa", 2);
    assert_int_equal(st.flows, 1);
}

static void test_hold_limit_is_counted(void **state)
{
    (void)state;
    char err[256];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2);
    for (int i = 0; i < OS_DUMP_HOLD_PKTS + 44; i++)
        pkt_to(d, &a, (uint64_t)i * S, 'a');
    os_dump_flag(d, a.id);
    pkt_to(d, &a, 1000 * S, 'a');
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(st.not_held, 44);
    assert_int_equal(st.written, OS_DUMP_HOLD_PKTS + 1);
    assert_int_equal(read_tags(NULL, 0, &ordered), OS_DUMP_HOLD_PKTS + 1);
}

static void test_full_disk_is_reported(void **state)
{
    (void)state;
    char err[256];
    os_dump_stats st;
    os_dump *d = os_dump_open("/dev/full", 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2);
    assert_non_null(d);
    os_dump_flag(d, a.id);
    for (int i = 0; i < 200; i++) /* more than stdio buffers */
        pkt_to(d, &a, (uint64_t)i * S, 'a');
    assert_false(os_dump_close(d, &st, err, sizeof err));
    assert_true(st.failed);
    assert_non_null(strstr(err, "/dev/full: No space left on device: the file is incomplete"));
}

static void test_bad_paths(void **state)
{
    (void)state;
    char err[256];
    assert_null(os_dump_open("-", 1, 262144, -1, err, sizeof err));
    assert_non_null(strstr(err, "give a file name"));
    assert_null(os_dump_open("/nonexistent/x.pcap", 1, 262144, -1, err, sizeof err));
    assert_string_equal(err, "/nonexistent/x.pcap: No such file or directory");
}

/* ---- rotation ---------------------------------------------------------- */

#define T0 1768471200ULL /* 2026-01-15 10:00:00 UTC */

static const os_dump_rotate by_time = { .seconds = 60 };

static void test_name_strftime_utc(void **state)
{
    (void)state;
    char b[64];
    assert_true(os_dump_name("ev-%Y%m%d-%H%M%S.pcap", &by_time, (int64_t)T0 + 150, 0, b, sizeof b));
    assert_string_equal(b, "ev-20260115-100230.pcap");
    assert_true(os_dump_name("%%-%j", &by_time, (int64_t)T0, 7, b, sizeof b)); /* no -C: no number */
    assert_string_equal(b, "%-015");
    assert_false(os_dump_name("ev-%Y%m%d-%H%M%S.pcap", &by_time, (int64_t)T0, 0, b, 10));
    assert_false(os_dump_name("%p", &by_time, (int64_t)T0, 0, b, 2)); /* "AM" does not fit */
}

static void test_name_numbers_as_tcpdump(void **state)
{
    (void)state;
    char b[64];
    os_dump_rotate r = { .bytes = 1000000 };
    assert_true(os_dump_name("ev.pcap", &r, 0, 0, b, sizeof b));
    assert_string_equal(b, "ev.pcap"); /* the first file keeps the name */
    assert_true(os_dump_name("ev.pcap", &r, 0, 12, b, sizeof b));
    assert_string_equal(b, "ev.pcap12");
    r.files = 10; /* -W: every file numbered, as wide as COUNT - 1 */
    assert_true(os_dump_name("ev.pcap", &r, 0, 0, b, sizeof b));
    assert_string_equal(b, "ev.pcap0");
    assert_true(os_dump_name("ev.pcap", &r, 0, 9, b, sizeof b));
    assert_string_equal(b, "ev.pcap9");
    r.files = 11;
    assert_true(os_dump_name("ev.pcap", &r, 0, 3, b, sizeof b));
    assert_string_equal(b, "ev.pcap03");
    r.files = 1;
    assert_true(os_dump_name("ev.pcap", &r, 0, 0, b, sizeof b));
    assert_string_equal(b, "ev.pcap0");
    r.files = 0;
    r.seconds = 3600; /* -G and -C: the time, then the number */
    assert_true(os_dump_name("ev-%H.pcap", &r, (int64_t)T0, 2, b, sizeof b));
    assert_string_equal(b, "ev-10.pcap2");
    assert_false(os_dump_name("ev.pcap", &r, 0, 12, b, 9)); /* "ev.pcap12" + NUL */
}

static void test_name_has_time(void **state)
{
    (void)state;
    assert_true(os_dump_name_has_time("ev-%H.pcap"));
    assert_true(os_dump_name_has_time("%%%M"));
    assert_false(os_dump_name_has_time("ev.pcap"));
    assert_false(os_dump_name_has_time("100%%.pcap"));
    assert_false(os_dump_name_has_time("ev%"));
}

/* The files a rotating dump finished, in order. */
typedef struct finished {
    int n;                  /* how many */
    char name[8][256];      /* their names */
    os_dump_stats st[8];    /* and counters */
} finished;

static void on_file(void *ctx, const char *name, const os_dump_stats *st)
{
    finished *f = ctx;
    assert_true(f->n < 8);
    snprintf(f->name[f->n], sizeof f->name[0], "%s", name);
    f->st[f->n++] = *st;
}

static char dir[64]; /* the rotation tests' files */

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_dump_rot_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char p[400];
    DIR *dp = opendir(dir);
    struct dirent *e;
    (void)state;
    while (dp && (e = readdir(dp)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            remove(p);
        }
    if (dp)
        closedir(dp);
    return rmdir(dir);
}

/* A rotating dump of flagged flows writing dir/NAME; its files into fin. */
static os_dump *start_in_dir(const char *name, os_dump_rotate rot, finished *fin)
{
    char p[128], err[256];
    os_dump_cfg cfg = { .path = p, .dlt = 1, .snaplen = 262144, .role = -1, .rot = rot,
                        .on_file = on_file, .ctx = fin };
    os_dump *d;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    memset(fin, 0, sizeof *fin);
    d = os_dump_start(&cfg, err, sizeof err);
    assert_non_null(d);
    return d;
}

/* dir/name's tags (in_order checked true). */
static size_t tags_in(const char *name, uint8_t *tags, size_t max)
{
    char p[128];
    bool ordered;
    size_t n;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    n = read_tags_of(p, tags, max, &ordered);
    assert_true(ordered);
    return n;
}

/* -G 60: a file per minute of packet time, named by its start; a flow's
 * held packets go to the file open when it is flagged (with its later
 * ones), which is then sorted; a minute without packets has no file. */
static void test_rotate_by_time(void **state)
{
    (void)state;
    char err[256], want[128];
    uint8_t tags[16];
    finished fin;
    os_dump_stats st;
    os_dump *d = start_in_dir("ev-%H%M%S.pcap", by_time, &fin);
    os_flow a = mkflow(11, 2), b = mkflow(22, 2);
    os_dump_flag(d, a.id);
    pkt_to(d, &a, (T0 + 30) * S, 'a');
    pkt_to(d, &b, (T0 + 40) * S, 'b'); /* held */
    pkt_to(d, &a, (T0 + 50) * S, 'a');
    pkt_to(d, &a, (T0 + 70) * S, 'A'); /* 10:01: the first file is done */
    assert_int_equal(fin.n, 1);
    os_dump_flag(d, b.id);             /* b's 10:00:40 packet goes to 10:01's file */
    pkt_to(d, &b, (T0 + 80) * S, 'B');
    pkt_to(d, &a, (T0 + 200) * S, 'c'); /* 10:03 */
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(fin.n, 3);
    snprintf(want, sizeof want, "%s/ev-100000.pcap", dir);
    assert_string_equal(fin.name[0], want);
    assert_int_equal(fin.st[0].written, 2);
    assert_int_equal(fin.st[0].flows, 1);
    assert_int_equal(fin.st[1].written, 3);
    assert_int_equal(fin.st[1].flows, 2);
    assert_true(fin.st[1].sorted);
    assert_int_equal(fin.st[2].written, 1);
    assert_int_equal(tags_in("ev-100000.pcap", tags, 16), 2);
    assert_int_equal(tags_in("ev-100100.pcap", tags, 16), 3);
    assert_memory_equal(tags, "bAB", 3);
    assert_int_equal(tags_in("ev-100300.pcap", tags, 16), 1);
    assert_int_equal(st.written, 6);
    assert_int_equal(st.flows, 2);
    assert_true(st.sorted);
}

/* A name coarser than -G's period (%H with -G 60) goes on in the open file
 * rather than overwrite it; time going back stays in the open file. */
static void test_rotate_by_time_keeps_a_coarser_name(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    finished fin;
    os_dump *d = start_in_dir("ev-%H.pcap", by_time, &fin);
    os_flow a = mkflow(11, 2);
    os_dump_flag(d, a.id);
    pkt_to(d, &a, (T0 + 30) * S, 'a');
    pkt_to(d, &a, (T0 + 130) * S, 'b');
    pkt_to(d, &a, (T0 + 20) * S, 'c');
    pkt_to(d, &a, (T0 + 3600) * S, 'd'); /* 11:00 */
    assert_true(os_dump_close(d, NULL, err, sizeof err));
    assert_int_equal(fin.n, 2);
    assert_int_equal(tags_in("ev-10.pcap", tags, 16), 3);
    assert_memory_equal(tags, "cab", 3);
    assert_int_equal(tags_in("ev-11.pcap", tags, 16), 1);
}

/* -G with -W 2: two files, then os_dump_ended says stop; the first packet
 * seen opens the first file, an evidence-free minute has an empty one. */
static void test_rotate_by_time_stops_after_count(void **state)
{
    (void)state;
    char err[256];
    finished fin;
    os_dump_rotate rot = { .seconds = 60, .files = 2 };
    os_dump *d = start_in_dir("ev-%H%M.pcap", rot, &fin);
    os_flow a = mkflow(11, 2);
    assert_false(os_dump_ended(d, (T0 + 500) * S)); /* no file yet */
    pkt_to(d, NULL, (T0 + 10) * S, 'x');
    pkt_to(d, &a, (T0 + 70) * S, 'a');
    assert_false(os_dump_ended(d, (T0 + 119) * S));
    assert_true(os_dump_ended(d, (T0 + 120) * S));
    assert_true(os_dump_close(d, NULL, err, sizeof err));
    assert_int_equal(fin.n, 2);
    assert_int_equal(fin.st[0].written, 0);
    assert_int_equal(tags_in("ev-1000.pcap", NULL, 0), 0);
    assert_int_equal(tags_in("ev-1001.pcap", NULL, 0), 0); /* a was never flagged */
}

/* Live, the clock: a tick before any packet creates the first file, one
 * past its period finishes it and starts the next. */
static void test_rotate_by_the_clock(void **state)
{
    (void)state;
    char err[256];
    finished fin;
    os_dump *d = start_in_dir("ev-%H%M.pcap", by_time, &fin);
    os_flow a = mkflow(11, 2);
    os_dump_tick(d, T0 * S);
    os_dump_tick(d, (T0 + 61) * S);
    assert_int_equal(fin.n, 1);
    assert_non_null(strstr(fin.name[0], "/ev-1000.pcap"));
    os_dump_flag(d, a.id);
    pkt_to(d, &a, (T0 + 60) * S, 'a'); /* before the clock: the open file */
    assert_true(os_dump_close(d, NULL, err, sizeof err));
    assert_int_equal(fin.n, 2);
    assert_int_equal(fin.st[1].written, 1);
    assert_int_equal(tags_in("ev-1001.pcap", NULL, 0), 1);
}

/* 24 + 3 records of 16 + 60 bytes: three packets a file. */
#define THREE_PKTS (24 + 3 * 76)

/* -C: a new file before one would pass the limit, numbered as tcpdump. */
static void test_rotate_by_size(void **state)
{
    (void)state;
    char err[256], want[128];
    uint8_t tags[16];
    finished fin;
    os_dump_stats st;
    os_dump_rotate rot = { .bytes = THREE_PKTS };
    os_dump *d = start_in_dir("ev.pcap", rot, &fin);
    os_flow a = mkflow(11, 2);
    for (int i = 0; i < 5; i++)
        pkt_to(d, &a, (T0 + (uint64_t)i) * S, (uint8_t)('a' + i)); /* held */
    os_dump_flag(d, a.id);
    pkt_to(d, &a, (T0 + 9) * S, 'z');
    pkt_to(d, &a, (T0 + 10) * S, 'y');
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(fin.n, 3);
    snprintf(want, sizeof want, "%s/ev.pcap2", dir);
    assert_string_equal(fin.name[2], want);
    assert_int_equal(tags_in("ev.pcap", tags, 16), 3);
    assert_memory_equal(tags, "abc", 3);
    assert_int_equal(tags_in("ev.pcap1", tags, 16), 3);
    assert_memory_equal(tags, "dez", 3);
    assert_int_equal(tags_in("ev.pcap2", tags, 16), 1);
    assert_int_equal(fin.st[1].flows, 1); /* the flow is in each file it has packets in */
    assert_int_equal(st.flows, 1);
    assert_int_equal(st.written, 7);
}

/* -C with -W 2: a ring, ev.pcap0 overwritten by the third file. */
static void test_rotate_ring(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    finished fin;
    os_dump_rotate rot = { .bytes = THREE_PKTS, .files = 2 };
    os_dump *d = start_in_dir("ev.pcap", rot, &fin);
    os_flow a = mkflow(11, 2);
    os_dump_flag(d, a.id);
    for (int i = 0; i < 7; i++)
        pkt_to(d, &a, (T0 + (uint64_t)i) * S, (uint8_t)('a' + i));
    assert_true(os_dump_close(d, NULL, err, sizeof err));
    assert_int_equal(fin.n, 3);
    assert_non_null(strstr(fin.name[0], "/ev.pcap0"));
    assert_non_null(strstr(fin.name[1], "/ev.pcap1"));
    assert_string_equal(fin.name[2], fin.name[0]);
    assert_int_equal(tags_in("ev.pcap0", tags, 16), 1);
    assert_memory_equal(tags, "g", 1);
    assert_int_equal(tags_in("ev.pcap1", tags, 16), 3);
    assert_memory_equal(tags, "def", 3);
}

/* -G and -C: numbers start again in each period. */
static void test_rotate_by_time_and_size(void **state)
{
    (void)state;
    char err[256];
    finished fin;
    os_dump_rotate rot = { .seconds = 60, .bytes = THREE_PKTS };
    os_dump *d = start_in_dir("ev-%M.pcap", rot, &fin);
    os_flow a = mkflow(11, 2);
    os_dump_flag(d, a.id);
    for (int i = 0; i < 4; i++)
        pkt_to(d, &a, (T0 + (uint64_t)i) * S, 'a');
    pkt_to(d, &a, (T0 + 60) * S, 'b');
    assert_true(os_dump_close(d, NULL, err, sizeof err));
    assert_int_equal(fin.n, 3);
    assert_non_null(strstr(fin.name[0], "/ev-00.pcap"));
    assert_non_null(strstr(fin.name[1], "/ev-00.pcap1"));
    assert_non_null(strstr(fin.name[2], "/ev-01.pcap"));
}

/* A rotated file that cannot be written (a full disk: /dev/full behind
 * its name) or created: writing stops, close says which, earlier files
 * were finished. */
static void test_rotate_write_fails(void **state)
{
    (void)state;
    char err[512], p[128];
    finished fin;
    os_dump_stats st;
    os_dump *d = start_in_dir("ev-%H%M.pcap", by_time, &fin);
    os_flow a = mkflow(11, 2);
    snprintf(p, sizeof p, "%s/ev-1001.pcap", dir);
    assert_int_equal(symlink("/dev/full", p), 0);
    os_dump_flag(d, a.id);
    pkt_to(d, &a, (T0 + 1) * S, 'a');
    for (int i = 0; i < 200; i++) /* more than stdio buffers */
        pkt_to(d, &a, (T0 + 60) * S + (uint64_t)i, 'b');
    pkt_to(d, &a, (T0 + 120) * S, 'c'); /* not written: writing stopped */
    assert_false(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(fin.n, 1);
    assert_true(st.failed);
    assert_non_null(strstr(err, "/ev-1001.pcap: No space left on device: the file is incomplete"));
    snprintf(p, sizeof p, "%s/ev-1002.pcap", dir);
    assert_int_equal(access(p, F_OK), -1);

    d = start_in_dir("sub/ev-%H%M.pcap", by_time, &fin);
    pkt_to(d, NULL, T0 * S, 'x'); /* dir/sub does not exist */
    assert_false(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(fin.n, 0);
    assert_non_null(strstr(err, "/sub/ev-1000.pcap: No such file or directory: could not create it"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_held_until_flagged_dropped_if_not, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flows_flagged_late_are_sorted_on_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_role_selects_by_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_role_port_label_waits_for_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_limit_is_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_is_reported, setup, teardown),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_name_strftime_utc),
        cmocka_unit_test(test_name_numbers_as_tcpdump),
        cmocka_unit_test(test_name_has_time),
        cmocka_unit_test_setup_teardown(test_rotate_by_time, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_by_time_keeps_a_coarser_name, setup_dir,
                                        teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_by_time_stops_after_count, setup_dir,
                                        teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_by_the_clock, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_by_size, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_ring, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_by_time_and_size, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_rotate_write_fails, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
