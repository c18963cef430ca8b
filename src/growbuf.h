/* The one growth rule for the reassembly buffers (TCP streams, TLS
 * handshake bytes, QUIC CRYPTO streams): allocated on first use, doubled
 * from a first size up to the buffer's limit, so a small handshake costs a
 * few KiB and a large one no more than twice its size. */
#ifndef SNITRACE_GROWBUF_H
#define SNITRACE_GROWBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make *buf (of *cap bytes, NULL when 0) hold at least need bytes, growing
 * it from first (when empty) by doubling, never past max.  false, with the
 * buffer as it was, when need is over max or memory runs out. */
bool snt_buf_reserve(uint8_t **buf, size_t *cap, size_t need, size_t first, size_t max);

/* The size snt_buf_reserve grows a buffer of cap bytes to for need bytes
 * (cap when it holds them already; more than max when need is over max). */
size_t snt_buf_grown_size(size_t cap, size_t need, size_t first, size_t max);

#endif
