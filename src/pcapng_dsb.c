/* Decryption Secrets Blocks in a pcapng byte stream
 * (include/snitrace/pcapng_dsb.h).  Block framing per the pcapng draft
 * (draft-ietf-opsawg-pcapng, section 3.1), every block:
 *
 *     uint32 block type
 *     uint32 block total length     (header, body and trailer; a multiple of 4)
 *     ...    body
 *     uint32 block total length     (again)
 *
 * in the byte order of its section, which the Section Header Block
 * (type 0x0A0D0D0A, the same bytes either way) sets with its byte-order
 * magic 0x1A2B3C4D, the first thing in its body.  A Decryption Secrets
 * Block (section 4.7) is type 0x0000000A with the body
 *
 *     uint32 secrets type           (0x544c534b: a TLS key log)
 *     uint32 secrets length
 *     ...    secrets, padded to 4 bytes, then options
 *
 * The scanner holds a block's head or trailer across pieces (12 bytes at
 * most), steps over bodies by their length, and keeps a secrets body only
 * up to SNT_PCAPNG_DSB_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "snitrace/pcapng_dsb.h"
#include "snitrace/reader.h"

#define BLOCK_SHB        0x0A0D0D0Au
#define BLOCK_DSB        0x0000000Au
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define BYTE_ORDER_SWAP  0x4D3C2B1Au
#define MIN_BLOCK        12u /* type, length, trailing length */
#define MIN_SHB          28u /* and magic, version, section length */
#define MIN_DSB          20u /* and secrets type and length */

enum { ST_HEAD, ST_SKIP, ST_BODY, ST_TRAILER };

void snt_pcapng_dsb_init(struct snt_pcapng_dsb *s)
{
    memset(s, 0, sizeof *s);
    s->state = ST_HEAD;
    s->status = SNT_OK;
}

void snt_pcapng_dsb_release(struct snt_pcapng_dsb *s)
{
    free(s->body);
    s->body = NULL;
    s->body_len = s->body_have = 0;
}

bool snt_pcapng_dsb_is_pcapng(const struct snt_pcapng_dsb *s)
{
    return s->counters.sections > 0;
}

static uint32_t read_u32_ordered(struct snt_reader *r, bool big_endian)
{
    uint32_t v = 0;
    if (big_endian)
        snt_read_u32(r, &v);
    else
        snt_read_u32_le(r, &v);
    return v;
}

/* Copy from r into buf until it holds want bytes; true when it does. */
static bool fill(struct snt_reader *r, uint8_t *buf, size_t *have, size_t want)
{
    size_t n = want - *have;
    struct snt_span part;
    if (n > snt_reader_left(r))
        n = snt_reader_left(r);
    if (snt_read_span(r, n, &part) && n)
        memcpy(buf + *have, part.p, n);
    *have += n;
    return *have == want;
}

static void go_quiet(struct snt_pcapng_dsb *s, enum snt_result why)
{
    if (why == SNT_MALFORMED)
        s->counters.framing_errors++;
    s->status = why;
    snt_pcapng_dsb_release(s);
}

static bool is_section_header(const struct snt_pcapng_dsb *s)
{
    struct snt_reader r = snt_reader_make(s->head, 4);
    uint32_t type = 0;
    return snt_read_u32(&r, &type) && type == BLOCK_SHB;
}

/* A section's first body bytes say its byte order.  Wrong ones in the first
 * block: not pcapng (a text file may begin "\n\r\r\n"); later: damage. */
static bool take_byte_order(struct snt_pcapng_dsb *s)
{
    struct snt_reader r = snt_reader_make(s->head + 8, 4);
    uint32_t magic = read_u32_ordered(&r, true);
    if (magic != BYTE_ORDER_MAGIC && magic != BYTE_ORDER_SWAP) {
        go_quiet(s, s->counters.sections ? SNT_MALFORMED : SNT_NOT_MINE);
        return false;
    }
    s->big_endian = magic == BYTE_ORDER_MAGIC;
    return true;
}

static bool length_ok(uint32_t type, uint32_t total)
{
    uint32_t min = type == BLOCK_SHB ? MIN_SHB : type == BLOCK_DSB ? MIN_DSB : MIN_BLOCK;
    return total >= min && total % 4 == 0;
}

/* Where the body goes: kept (a secrets block that fits), or stepped over. */
static void plan_body(struct snt_pcapng_dsb *s, uint64_t body)
{
    if (s->type == BLOCK_DSB && body <= SNT_PCAPNG_DSB_MAX && (s->body = malloc(body)) != NULL) {
        s->body_len = (size_t)body;
        s->body_have = 0;
        s->state = ST_BODY;
        return;
    }
    if (s->type == BLOCK_DSB)
        s->counters.secrets_oversized++;
    s->skip = body;
    s->state = body ? ST_SKIP : ST_TRAILER;
}

static void start_block(struct snt_pcapng_dsb *s)
{
    bool section = is_section_header(s);
    s->have = 0;
    if (!section && !s->counters.sections) {
        go_quiet(s, SNT_NOT_MINE);
        return;
    }
    if (section && !take_byte_order(s))
        return;
    struct snt_reader r = snt_reader_make(s->head, 8);
    s->type = read_u32_ordered(&r, s->big_endian);
    s->total = read_u32_ordered(&r, s->big_endian);
    if (!length_ok(s->type, s->total)) {
        go_quiet(s, SNT_MALFORMED);
        return;
    }
    s->counters.blocks++;
    s->counters.sections += section;
    /* A section's byte-order magic is read already. */
    plan_body(s, (uint64_t)s->total - MIN_BLOCK - (section ? 4 : 0));
}

static void take_head(struct snt_pcapng_dsb *s, struct snt_reader *r)
{
    /* 8 bytes, and 4 more when they start a section (its byte order). */
    size_t want = s->have >= 4 && is_section_header(s) ? 12 : 8;
    fill(r, s->head, &s->have, want);
    if (s->have >= 4 && is_section_header(s))
        want = 12;
    if (s->have == want)
        start_block(s);
}

static void skip_body(struct snt_pcapng_dsb *s, struct snt_reader *r)
{
    size_t n = snt_reader_left(r);
    if (n > s->skip)
        n = (size_t)s->skip;
    snt_skip(r, n);
    s->skip -= n;
    if (!s->skip)
        s->state = ST_TRAILER;
}

static void take_body(struct snt_pcapng_dsb *s, struct snt_reader *r)
{
    if (fill(r, s->body, &s->body_have, s->body_len))
        s->state = ST_TRAILER;
}

static void deliver(struct snt_pcapng_dsb *s, snt_pcapng_secrets_fn fn, void *arg)
{
    struct snt_reader r = snt_reader_make(s->body, s->body_len);
    uint32_t type = read_u32_ordered(&r, s->big_endian);
    uint32_t len = read_u32_ordered(&r, s->big_endian);
    struct snt_span data;
    if (!snt_read_span(&r, len, &data)) {
        s->counters.secrets_malformed++; /* framing holds: later blocks still count */
        return;
    }
    s->counters.secrets++;
    if (fn)
        fn(arg, type, data.p, data.len);
}

static void take_trailer(struct snt_pcapng_dsb *s, struct snt_reader *r, snt_pcapng_secrets_fn fn,
                         void *arg)
{
    if (!fill(r, s->head, &s->have, 4))
        return;
    struct snt_reader t = snt_reader_make(s->head, 4);
    s->have = 0;
    if (read_u32_ordered(&t, s->big_endian) != s->total) {
        go_quiet(s, SNT_MALFORMED);
        return;
    }
    if (s->body)
        deliver(s, fn, arg);
    snt_pcapng_dsb_release(s);
    s->state = ST_HEAD;
}

enum snt_result snt_pcapng_dsb_feed(struct snt_pcapng_dsb *s, const uint8_t *p, size_t len,
                                    snt_pcapng_secrets_fn fn, void *arg)
{
    struct snt_reader r = snt_reader_make(p, len);
    /* Every step consumes bytes or moves to a state that will. */
    while (s->status == SNT_OK && snt_reader_left(&r)) {
        switch (s->state) {
        case ST_HEAD: take_head(s, &r); break;
        case ST_SKIP: skip_body(s, &r); break;
        case ST_BODY: take_body(s, &r); break;
        default: take_trailer(s, &r, fn, arg); break;
        }
    }
    return s->status;
}
