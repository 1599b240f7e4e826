/* readahead.c — the mapped reader's helper thread. Reading a mapped file
 * costs two things that have nothing to do with the packets: a page fault
 * for each new stretch of the mapping, and a cache miss for each record
 * header (records are bigger than a cache line, and the hardware
 * prefetcher stops at page boundaries). This thread pays both on another
 * CPU: it stays up to a window (4 MiB) ahead of the reader and loads one
 * byte of every cache line of each chunk (1 MiB), so the reader finds its
 * pages mapped and its records in the shared cache. On the bench's full-size capture
 * omnisniff -q -r takes half the time it takes without it
 * (bench/RESULTS.md).
 *
 * It only reads the mapping, never writes it, and never reads past the end
 * the reader gave it. Before each chunk it checks the file's size (fstat)
 * and stops if the chunk is no longer all there: loading a page past the
 * end of a file that shrank would raise SIGBUS, and the reader's own size
 * checks (pcapfile.c) deal with the shrink. (A truncation between that
 * check and the loads still faults: src/cli/session.c reports it as for
 * the reader.)
 * Page faults rather than madvise(MADV_POPULATE_READ): the kernel's
 * fault-around maps 16 pages a fault, which measured ~6% faster here.
 * The reader releases the pages behind it, so resident memory stays
 * within a few windows. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "readahead.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#define LINE 64u          /* cache line: one load each */

struct os_readahead {
    pthread_t thread;     /* the helper */
    pthread_mutex_t lock; /* guards the three fields below */
    pthread_cond_t moved; /* signalled when they change */
    size_t reader;        /* where the reader is */
    size_t end;           /* prepare nothing at or past this */
    size_t done;          /* prepared up to here */
    size_t loaded;        /* bytes prepared in all (what the helper did) */
    bool stop;            /* the reader is done: exit */
    const uint8_t *map;   /* the mapping (read-only) */
    int fd;               /* the mapped file (for its size) */
};

/* Load one byte of each cache line of map[from, from + len), faulting its
 * pages in; false, touching nothing, if the file no longer has them. */
static bool prepare(const os_readahead *ra, size_t from, size_t len)
{
    struct stat st;
    volatile uint8_t sink = 0;
    if (fstat(ra->fd, &st) != 0 || (uint64_t)st.st_size < from + len)
        return false;
    for (size_t i = from; i < from + len; i += LINE)
        sink = ra->map[i];
    (void)sink;
    return true;
}

/* Wait until the next chunk is due (within the window of the reader); its
 * length, or 0 when the helper should exit. A reader that overtook the
 * helper has read and released the pages behind it: the helper jumps to
 * the reader rather than map them again. Called with lock held. */
static size_t next_chunk(os_readahead *ra)
{
    while (!ra->stop && ra->done < ra->end && ra->done >= ra->reader + OS_READAHEAD_WINDOW)
        pthread_cond_wait(&ra->moved, &ra->lock);
    if (ra->done < ra->reader)
        ra->done = ra->reader - ra->reader % LINE;
    if (ra->stop || ra->done >= ra->end)
        return 0;
    size_t left = ra->end - ra->done;
    return left < OS_READAHEAD_CHUNK ? left : OS_READAHEAD_CHUNK;
}

/* The helper: prepare chunk after chunk, up to the window ahead of the reader. */
static void *run(void *arg)
{
    os_readahead *ra = arg;
    size_t len;
    pthread_mutex_lock(&ra->lock);
    while ((len = next_chunk(ra)) != 0) {
        size_t from = ra->done;
        pthread_mutex_unlock(&ra->lock);
        bool ok = prepare(ra, from, len);
        pthread_mutex_lock(&ra->lock);
        if (!ok)
            break;
        ra->done = from + len;
        ra->loaded += len;
    }
    pthread_mutex_unlock(&ra->lock);
    return NULL;
}

/* CPUs this process may run on (1 when unknown). */
static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    return CPU_COUNT(&set);
}

/* Create the thread with every signal blocked but the ones a fault raises:
 * SIGINT, SIGUSR1 and the rest go to the main thread, whose handlers
 * expect them; a SIGBUS on the mapping (src/cli/session.c) can come from
 * either. */
static bool spawn(os_readahead *ra)
{
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool ok = pthread_create(&ra->thread, NULL, run, ra) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ok;
}

os_readahead *os_readahead_start(const uint8_t *map, size_t size, int fd)
{
    os_readahead *ra;
    if (size <= OS_READAHEAD_WINDOW || usable_cpus() < 2 || !(ra = calloc(1, sizeof *ra)))
        return NULL;
    ra->map = map;
    ra->fd = fd;
    ra->end = size;
    pthread_mutex_init(&ra->lock, NULL);
    pthread_cond_init(&ra->moved, NULL);
    if (!spawn(ra)) {
        pthread_cond_destroy(&ra->moved);
        pthread_mutex_destroy(&ra->lock);
        free(ra);
        return NULL;
    }
    return ra;
}

void os_readahead_at(os_readahead *ra, size_t pos, size_t end)
{
    if (!ra)
        return;
    pthread_mutex_lock(&ra->lock);
    ra->reader = pos;
    if (end < ra->end)
        ra->end = end;
    pthread_cond_signal(&ra->moved);
    pthread_mutex_unlock(&ra->lock);
}

size_t os_readahead_prepared(os_readahead *ra, size_t *loaded)
{
    pthread_mutex_lock(&ra->lock);
    size_t done = ra->done;
    *loaded = ra->loaded;
    pthread_mutex_unlock(&ra->lock);
    return done;
}

void os_readahead_stop(os_readahead *ra)
{
    if (!ra)
        return;
    pthread_mutex_lock(&ra->lock);
    ra->stop = true;
    pthread_cond_signal(&ra->moved);
    pthread_mutex_unlock(&ra->lock);
    pthread_join(ra->thread, NULL);
    pthread_cond_destroy(&ra->moved);
    pthread_mutex_destroy(&ra->lock);
    free(ra);
}
