/* test_readahead.c — the mapped reader's read-ahead helper (src/readahead.c):
 * no thread where it would not help (small file, one CPU), never more than
 * its window ahead of the reader, never behind it (the reader released
 * those pages), up to the end the reader gives it, and a quiet stop (no
 * SIGBUS) when the file shrinks under it. */
#define _GNU_SOURCE /* sched_setaffinity */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "readahead.h"

#define MIB (1u << 20)

typedef struct mapped {
    char path[64];   /* the temporary file */
    int fd;          /* open on it */
    uint8_t *map;    /* all of it, read-only */
    size_t size;     /* its length at creation */
} mapped;

/* A temporary file of `size` bytes, mapped. */
static void map_new(mapped *m, size_t size)
{
    strcpy(m->path, "/tmp/omnisniff-test-ra-XXXXXX");
    m->fd = mkstemp(m->path);
    assert_true(m->fd >= 0);
    assert_int_equal(ftruncate(m->fd, (off_t)size), 0);
    m->size = size;
    m->map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, m->fd, 0);
    assert_true(m->map != MAP_FAILED);
}

static void map_free(mapped *m)
{
    munmap(m->map, m->size);
    close(m->fd);
    unlink(m->path);
}

static size_t g_loaded; /* bytes the helper prepared in all, at the last settle */

/* Wait (up to 5 s) until the helper has prepared the mapping up to `want`,
 * then give it 20 ms more to overshoot if it would; returns how far it
 * prepared (and sets g_loaded). */
static size_t settle(os_readahead *ra, size_t want)
{
    struct timespec ms = { 0, 1000000 };
    for (int i = 0; i < 5000 && os_readahead_prepared(ra, &g_loaded) < want; i++)
        nanosleep(&ms, NULL);
    ms.tv_nsec = 20000000;
    nanosleep(&ms, NULL);
    return os_readahead_prepared(ra, &g_loaded);
}

/* Start the helper and wait until it has prepared its first window (the
 * reader still at 0), or skip the test on a machine with one usable CPU. */
static os_readahead *start_or_skip(mapped *m)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < 2) {
        map_free(m);
        skip();
    }
    os_readahead *ra = os_readahead_start(m->map, m->size, m->fd);
    assert_non_null(ra);
    assert_int_equal(settle(ra, OS_READAHEAD_WINDOW), OS_READAHEAD_WINDOW);
    return ra;
}

static void test_no_helper_for_a_small_file(void **state)
{
    (void)state;
    mapped m;
    map_new(&m, OS_READAHEAD_WINDOW);
    assert_null(os_readahead_start(m.map, m.size, m.fd));
    os_readahead_at(NULL, 0, 0); /* what the reader then calls: harmless */
    os_readahead_stop(NULL);
    map_free(&m);
}

static void test_no_helper_on_one_cpu(void **state)
{
    (void)state;
    cpu_set_t all, one;
    mapped m;
    map_new(&m, 16 * MIB);
    assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all)) {
            CPU_SET(c, &one);
            break;
        }
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    os_readahead *ra = os_readahead_start(m.map, m.size, m.fd);
    assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);
    assert_null(ra);
    map_free(&m);
}

static void test_window_follows_the_reader(void **state)
{
    (void)state;
    mapped m;
    map_new(&m, 16 * MIB + 1000);
    os_readahead *ra = start_or_skip(&m);
    os_readahead_at(ra, 8 * MIB + 5, m.size);
    assert_int_equal(settle(ra, 12 * MIB), 13 * MIB); /* chunk-wise: 13 > 8 MiB + 5 + 4 MiB */
    os_readahead_at(ra, 13 * MIB, m.size);
    assert_int_equal(settle(ra, m.size), m.size); /* the last chunk is short */
    os_readahead_stop(ra);
    map_free(&m);
}

/* A reader that overtakes the helper has released the pages behind it: the
 * helper must not map them again (they would stay resident to the end). */
static void test_helper_skips_what_the_reader_read(void **state)
{
    (void)state;
    mapped m;
    map_new(&m, 24 * MIB);
    os_readahead *ra = start_or_skip(&m);
    os_readahead_at(ra, 12 * MIB, m.size);
    assert_int_equal(settle(ra, 16 * MIB), 16 * MIB);
    assert_int_equal(g_loaded, 8 * MIB); /* [0, 4) and [12, 16) MiB: not [4, 12) */
    os_readahead_stop(ra);
    map_free(&m);
}

static void test_shrunk_file_stops_the_helper_quietly(void **state)
{
    (void)state;
    mapped m;
    map_new(&m, 16 * MIB);
    os_readahead *ra = start_or_skip(&m);
    /* the reader noticed the shrink: the helper stops at the new end */
    assert_int_equal(ftruncate(m.fd, 6 * MIB + 100), 0);
    os_readahead_at(ra, 3 * MIB, 6 * MIB + 100);
    assert_int_equal(settle(ra, 6 * MIB + 100), 6 * MIB + 100);
    os_readahead_stop(ra);
    /* it did not (the helper was told nothing): the helper's chunk past
     * the new end is not touched, so no SIGBUS */
    assert_int_equal(ftruncate(m.fd, 6 * MIB), 0);
    ra = os_readahead_start(m.map, m.size, m.fd);
    assert_non_null(ra);
    assert_int_equal(settle(ra, 4 * MIB), 4 * MIB);
    os_readahead_at(ra, 4 * MIB, m.size);
    assert_int_equal(settle(ra, 6 * MIB), 6 * MIB);
    os_readahead_stop(ra);
    map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_helper_for_a_small_file),
        cmocka_unit_test(test_no_helper_on_one_cpu),
        cmocka_unit_test(test_window_follows_the_reader),
        cmocka_unit_test(test_helper_skips_what_the_reader_read),
        cmocka_unit_test(test_shrunk_file_stops_the_helper_quietly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
