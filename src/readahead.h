/* A file read ahead on a thread of its own, so that the kernel's copy of
 * it out of the page cache runs beside the capture thread instead of in
 * it.  The bytes land in a ring mapped twice, back to back, so whatever
 * has been read and not released lies in one piece, however the ring
 * wraps: a record is walked where it lies.
 *
 * One reader and one walker: the walker asks for bytes, walks them in
 * place and releases them, oldest first; the reader fills the room they
 * leave.  Either sleeps only when the other is behind. */
#ifndef SNITRACE_READAHEAD_H
#define SNITRACE_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

/* The bytes the ring holds at most, and the most one call can ask for:
 * the largest pcap record (16 + 262,144 bytes) with room to spare. */
#define SNT_READAHEAD_RING (2u << 20)

struct snt_readahead;

/* Read fd from offset on a thread of its own (started with every signal
 * blocked, src/thread.h).  NULL when the ring or the thread cannot be had:
 * the caller then reads the file itself. */
struct snt_readahead *snt_readahead_start(int fd, uint64_t offset);

/* The bytes read and not yet released, from the oldest, in one piece:
 * *len of them.  Waits for the reader until there are at least `need`
 * (0: never waits), at most SNT_READAHEAD_RING; fewer only when the file
 * ended or a read failed, *error then its errno (0 at the end of the
 * file).  They stay in place until released. */
const uint8_t *snt_readahead_bytes(struct snt_readahead *r, size_t need, size_t *len, int *error);

/* The oldest n bytes are walked: the reader may use their room again.
 * Pointers into them are no longer valid. */
void snt_readahead_release(struct snt_readahead *r, size_t n);

/* Stop the reader and free the ring (accepts NULL). */
void snt_readahead_stop(struct snt_readahead *r);

#endif
