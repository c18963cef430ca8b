/* QUIC CRYPTO stream assembly (RFC 9000 section 19.6) and the TLS
 * handshake messages in it (RFC 9001 section 4.1.3, RFC 8446 section 4):
 * out-of-order ranges are held up to SNT_QUIC_MAX_RANGES, the first copy of
 * a byte in the contiguous prefix wins, and nothing is kept at or past the
 * stream's limit.
 */
#include "snitrace/quic.h"

#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

#define TLS_HS_HEADER_LEN   4
#define TLS_HS_CLIENT_HELLO 1
#define FIRST_ALLOCATION    4096

void snt_quic_stream_init(struct snt_quic_stream *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
}

void snt_quic_stream_free(struct snt_quic_stream *s)
{
    if (!s)
        return;
    free(s->buf);
    snt_quic_stream_init(s, s->max);
}

/* Add [lo, hi) to the sorted, disjoint ranges held beyond the contiguous
 * prefix, merging those it overlaps or touches.  false when that would take
 * more slots than there are. */
static bool range_insert(struct snt_quic_stream *s, uint64_t lo, uint64_t hi)
{
    uint64_t nlo[SNT_QUIC_MAX_RANGES], nhi[SNT_QUIC_MAX_RANGES];
    unsigned n = 0, i = 0;
    for (; i < s->n_ranges && s->have_hi[i] < lo; i++, n++)
        nlo[n] = s->have_lo[i], nhi[n] = s->have_hi[i];
    for (; i < s->n_ranges && s->have_lo[i] <= hi; i++) {
        lo = s->have_lo[i] < lo ? s->have_lo[i] : lo;
        hi = s->have_hi[i] > hi ? s->have_hi[i] : hi;
    }
    if (n + 1 + (s->n_ranges - i) > SNT_QUIC_MAX_RANGES)
        return false;
    nlo[n] = lo, nhi[n++] = hi;
    for (; i < s->n_ranges; i++, n++)
        nlo[n] = s->have_lo[i], nhi[n] = s->have_hi[i];
    memcpy(s->have_lo, nlo, n * sizeof nlo[0]);
    memcpy(s->have_hi, nhi, n * sizeof nhi[0]);
    s->n_ranges = n;
    return true;
}

/* Move ranges that now touch the contiguous prefix into it. */
static void absorb_ranges(struct snt_quic_stream *s)
{
    unsigned i = 0;
    while (i < s->n_ranges && s->have_lo[i] <= s->contiguous) {
        if (s->have_hi[i] > s->contiguous)
            s->contiguous = (size_t)s->have_hi[i];
        i++;
    }
    if (i == 0)
        return;
    memmove(s->have_lo, s->have_lo + i, (s->n_ranges - i) * sizeof s->have_lo[0]);
    memmove(s->have_hi, s->have_hi + i, (s->n_ranges - i) * sizeof s->have_hi[0]);
    s->n_ranges -= i;
}

void snt_quic_stream_add(struct snt_quic_stream *s, uint64_t offset, const uint8_t *data,
                         size_t len)
{
    if (len == 0)
        return;
    if (offset >= s->max) {
        s->dropped = true;
        return;
    }
    if (len > s->max - offset) {
        len = (size_t)(s->max - offset);
        s->dropped = true;
    }
    size_t end = (size_t)offset + len;
    if (end <= s->contiguous)
        return; /* a retransmission of bytes already held */
    if (!snt_buf_reserve(&s->buf, &s->cap, end, FIRST_ALLOCATION, s->max)) {
        s->dropped = true;
        return;
    }
    if (offset > s->contiguous) {
        if (!range_insert(s, offset, end)) {
            s->dropped = true;
            return;
        }
        memcpy(s->buf + offset, data, len);
        return;
    }
    /* The first copy of a byte wins: only the part past the prefix is new. */
    size_t skip = s->contiguous - (size_t)offset;
    memcpy(s->buf + s->contiguous, data + skip, len - skip);
    s->contiguous = end;
    absorb_ranges(s);
}

/* The handshake message starting at stream offset at, without taking it. */
static enum snt_result peek_message(const struct snt_quic_stream *s, size_t at, uint8_t *type,
                                    struct snt_span *body, size_t *total)
{
    if (at >= s->contiguous)
        return SNT_NEED_MORE;
    struct snt_reader r = snt_reader_make(s->buf + at, s->contiguous - at);
    uint32_t n;
    if (!snt_read_u8(&r, type) || !snt_read_u24(&r, &n))
        return SNT_NEED_MORE;
    /* at + 4 <= contiguous <= max, so this cannot wrap. */
    if (n > s->max - at - TLS_HS_HEADER_LEN)
        return SNT_MALFORMED; /* could never be held whole */
    if (!snt_read_span(&r, n, body))
        return SNT_NEED_MORE;
    *total = TLS_HS_HEADER_LEN + (size_t)n;
    return SNT_OK;
}

enum snt_result snt_quic_stream_next_message(struct snt_quic_stream *s, uint8_t *type,
                                             struct snt_span *body)
{
    size_t total = 0;
    enum snt_result r = peek_message(s, s->taken, type, body, &total);
    if (r == SNT_OK)
        s->taken += total;
    return r;
}

void snt_quic_crypto_add(struct snt_quic_crypto *c, uint64_t offset, const uint8_t *data,
                         size_t len)
{
    snt_quic_stream_add(&c->stream, offset, data, len);
}

enum snt_result snt_quic_client_hello(const struct snt_quic_crypto *c, const uint8_t **body,
                                      size_t *len)
{
    const struct snt_quic_stream *s = &c->stream;
    struct snt_span msg;
    uint8_t type;
    size_t total;
    if (s->contiguous > 0 && s->buf[0] != TLS_HS_CLIENT_HELLO)
        return SNT_MALFORMED; /* known as soon as the first byte is */
    enum snt_result r = peek_message(s, 0, &type, &msg, &total);
    if (r != SNT_OK)
        return r;
    *body = msg.p;
    *len = msg.len;
    return SNT_OK;
}
