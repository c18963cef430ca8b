/* Bounded reader over untrusted bytes.
 *
 * Every read of packet or protocol bytes goes through a struct snt_reader:
 * a cursor and an end pointer.  A read past the end fails, sets the sticky
 * `failed` flag and leaves the output untouched, so a run of reads can be
 * checked once at the end.  Multi-byte integers are big-endian (network
 * order) unless the name says _le.
 */
#ifndef SNITRACE_READER_H
#define SNITRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A borrowed byte range: never owns memory. */
struct snt_span {
    const uint8_t *p;
    size_t len;
};

struct snt_reader {
    const uint8_t *p;
    const uint8_t *end;
    bool failed;
};

static inline struct snt_reader snt_reader_make(const uint8_t *p, size_t len)
{
    struct snt_reader r = {p, (p && len) ? p + len : p, false};
    return r;
}

static inline size_t snt_reader_left(const struct snt_reader *r)
{
    return (size_t)(r->end - r->p);
}

/* True when every byte was consumed and no read failed. */
static inline bool snt_reader_done(const struct snt_reader *r)
{
    return !r->failed && r->p == r->end;
}

static inline bool snt_reader_need(struct snt_reader *r, size_t n)
{
    if (r->failed || snt_reader_left(r) < n) {
        r->failed = true;
        return false;
    }
    return true;
}

static inline bool snt_read_u8(struct snt_reader *r, uint8_t *v)
{
    if (!snt_reader_need(r, 1))
        return false;
    *v = r->p[0];
    r->p += 1;
    return true;
}

static inline bool snt_read_u16(struct snt_reader *r, uint16_t *v)
{
    if (!snt_reader_need(r, 2))
        return false;
    *v = (uint16_t)((r->p[0] << 8) | r->p[1]);
    r->p += 2;
    return true;
}

static inline bool snt_read_u16_le(struct snt_reader *r, uint16_t *v)
{
    if (!snt_reader_need(r, 2))
        return false;
    *v = (uint16_t)((r->p[1] << 8) | r->p[0]);
    r->p += 2;
    return true;
}

static inline bool snt_read_u24(struct snt_reader *r, uint32_t *v)
{
    if (!snt_reader_need(r, 3))
        return false;
    *v = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
    r->p += 3;
    return true;
}

static inline bool snt_read_u32(struct snt_reader *r, uint32_t *v)
{
    if (!snt_reader_need(r, 4))
        return false;
    *v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) | r->p[3];
    r->p += 4;
    return true;
}

static inline bool snt_read_u32_le(struct snt_reader *r, uint32_t *v)
{
    if (!snt_reader_need(r, 4))
        return false;
    *v = ((uint32_t)r->p[3] << 24) | ((uint32_t)r->p[2] << 16) | ((uint32_t)r->p[1] << 8) | r->p[0];
    r->p += 4;
    return true;
}

static inline bool snt_skip(struct snt_reader *r, size_t n)
{
    if (!snt_reader_need(r, n))
        return false;
    if (n) /* a reader over no bytes may hold NULL: NULL + 0 is not defined in C */
        r->p += n;
    return true;
}

/* Take the next n bytes as a span (borrowed from the reader's buffer). */
static inline bool snt_read_span(struct snt_reader *r, size_t n, struct snt_span *s)
{
    if (!snt_reader_need(r, n))
        return false;
    s->p = r->p;
    s->len = n;
    if (n)
        r->p += n;
    return true;
}

/* Copy the next n bytes into buf (room for n bytes) and consume them.  For
 * a fixed-size header: one bounds check, then its fields come out of buf
 * with snt_load_be16/snt_load_be32 at constant offsets. */
static inline bool snt_read_bytes(struct snt_reader *r, size_t n, uint8_t *buf)
{
    if (!snt_reader_need(r, n))
        return false;
    if (n) {
        memcpy(buf, r->p, n);
        r->p += n;
    }
    return true;
}

/* Big-endian integers from bytes already copied out of a reader
 * (snt_read_bytes): the caller's memory, not the packet's. */
static inline uint16_t snt_load_be16(const uint8_t *b)
{
    return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t snt_load_be32(const uint8_t *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* What is left, as a span; empty (at the cursor) after a failed read.
 * Consumes nothing. */
static inline struct snt_span snt_reader_rest(const struct snt_reader *r)
{
    struct snt_span s = {r->p, r->failed ? 0 : snt_reader_left(r)};
    return s;
}

/* Narrow r to its next n bytes (all of them when fewer are left): what a
 * length field says ends a layer.  A failed reader stays as it is. */
static inline void snt_reader_clip(struct snt_reader *r, size_t n)
{
    if (!r->failed && n < snt_reader_left(r))
        r->end = r->p + n; /* inside the buffer: n < what is left */
}

/* Take the next n bytes as a sub-reader. */
static inline bool snt_read_sub(struct snt_reader *r, size_t n, struct snt_reader *sub)
{
    if (!snt_reader_need(r, n))
        return false;
    *sub = snt_reader_make(r->p, n);
    if (n)
        r->p += n;
    return true;
}

/* Length-prefixed blocks (TLS vectors): the prefix is 1, 2 or 3 bytes. */
static inline bool snt_read_vec8(struct snt_reader *r, struct snt_reader *sub)
{
    uint8_t n;
    return snt_read_u8(r, &n) && snt_read_sub(r, n, sub);
}

static inline bool snt_read_vec16(struct snt_reader *r, struct snt_reader *sub)
{
    uint16_t n;
    return snt_read_u16(r, &n) && snt_read_sub(r, n, sub);
}

static inline bool snt_read_vec24(struct snt_reader *r, struct snt_reader *sub)
{
    uint32_t n;
    return snt_read_u24(r, &n) && snt_read_sub(r, n, sub);
}

/* QUIC variable-length integer (RFC 9000 section 16). */
static inline bool snt_read_varint(struct snt_reader *r, uint64_t *v)
{
    uint8_t first;
    if (!snt_reader_need(r, 1))
        return false;
    first = r->p[0];
    size_t n = (size_t)1 << (first >> 6);
    if (!snt_reader_need(r, n))
        return false;
    uint64_t x = first & 0x3f;
    for (size_t i = 1; i < n; i++)
        x = (x << 8) | r->p[i];
    r->p += n;
    *v = x;
    return true;
}

/* Look at the byte at offset off from the cursor without consuming. */
static inline bool snt_peek_u8(const struct snt_reader *r, size_t off, uint8_t *v)
{
    if (r->failed || snt_reader_left(r) <= off)
        return false;
    *v = r->p[off];
    return true;
}

#endif
