/* Stream reassembly: the first bytes of one direction of a TCP connection,
 * delivered in order despite reordering, retransmission and overlap.
 *
 * Overlap policy: the first copy of a byte wins (later retransmissions with
 * different content are ignored), as on most BSD-derived and Windows stacks
 * for data not yet delivered.  Bytes beyond `max` are dropped and counted; a
 * gap that never fills simply stops delivery (the owner decides when to give
 * up, on close or timeout).
 */
#ifndef SNITRACE_STREAM_H
#define SNITRACE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/limits.h"

/* One byte budget shared by the reassembly memory of every connection
 * (--reassembly-memory): the streams' buffers take from it as they grow,
 * and the engine counts its per-connection work against it too. */
struct snt_budget {
    size_t used, max;
};

struct snt_stream_range {
    uint32_t lo, hi; /* [lo, hi) relative to base */
};

struct snt_stream {
    uint32_t base; /* sequence number of stream byte 0 */
    bool have_base;
    bool hit_limit; /* something was dropped: max bytes or out-of-order ranges */
    uint8_t *buf;   /* owned; grows up to max */
    size_t cap, max;
    struct snt_budget *budget; /* NULL: none; the buffer's bytes are counted in it */
    size_t memory_wanted;      /* the last add needed this many bytes the budget did not have */
    size_t contiguous;         /* bytes [0, contiguous) are in order and final */
    unsigned n_ranges;         /* filled ranges beyond contiguous, sorted, disjoint */
    struct snt_stream_range ranges[SNT_MAX_OOO_SEGMENTS];
};

void snt_stream_init(struct snt_stream *s, size_t max);
void snt_stream_free(struct snt_stream *s); /* keeps base; drops the bytes */

/* Forget everything but the buffer and the budget, for the next connection. */
void snt_stream_reset(struct snt_stream *s, size_t max);

/* Byte 0 of the stream has sequence number seq (SYN's ISN + 1, or the first
 * payload seen of a connection picked up mid-stream). */
void snt_stream_set_base(struct snt_stream *s, uint32_t seq);

/* Add a segment.  Returns true when `contiguous` grew.  Segments before the
 * base, duplicates and bytes past max are ignored (the latter sets hit_limit).
 * When the buffer would have to grow past what the budget has left, nothing
 * is added and memory_wanted says how much more it needed (hit_limit stays
 * as it was: the owner may make room and add the segment again). */
bool snt_stream_add(struct snt_stream *s, uint32_t seq, const uint8_t *p, size_t len);

/* Bytes held beyond a gap (out of order, not yet deliverable). */
bool snt_stream_has_gap(const struct snt_stream *s);

#endif
