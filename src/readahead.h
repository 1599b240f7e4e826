/* readahead.h — private to the mapped reader (pcapfile.c): a helper thread
 * that runs a few MiB ahead of the reader in a memory-mapped file, taking
 * its page faults and cache misses on another CPU. Not a public header. */
#ifndef OMNISNIFF_READAHEAD_H
#define OMNISNIFF_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct os_readahead os_readahead;

#define OS_READAHEAD_CHUNK (1u << 20)  /* prepared at a time */
#define OS_READAHEAD_WINDOW (4u << 20) /* at most this far ahead of the reader */

/* Start the helper over map[0, size), the mapping of the open file fd
 * (page-aligned, as mmap returns it; fd stays open until the helper is
 * stopped). Returns NULL, and the reader goes on alone, when it would not help
 * (fewer than two CPUs usable by this process, a file smaller than the
 * window) or the thread cannot be created. */
os_readahead *os_readahead_start(const uint8_t *map, size_t size, int fd);

/* Tell the helper the reader is at `pos` and the file now ends at `end`
 * (smaller than size if it shrank while read): it prepares the bytes up
 * to pos + its window, never past end. Cheap; call it every MiB or so. */
void os_readahead_at(os_readahead *ra, size_t pos, size_t end);

/* How far the helper has prepared the mapping (never past the reader's
 * last position + the window + one chunk, nor the end), and in *loaded how
 * many bytes it prepared in all (less when the reader overtook it: it
 * skips what the reader has read). For tests. */
size_t os_readahead_prepared(os_readahead *ra, size_t *loaded);

/* Stop the helper and wait for it (NULL is fine). */
void os_readahead_stop(os_readahead *ra);

#endif
