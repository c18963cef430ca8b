/* QUIC client Initial packets: long headers (RFC 9000 section 17.2, RFC 9369
 * section 3.2 for v2's packet types, the draft-21 combined CID length byte),
 * coalesced packets in one datagram (RFC 9000 section 12.2), the frames an
 * Initial may carry (RFC 9000 section 19: PADDING, PING, ACK, CRYPTO,
 * CONNECTION_CLOSE; gQUIC's own frame types for T050/T051) and reassembly of
 * the CRYPTO stream (section 19.6) up to the complete TLS ClientHello (RFC
 * 9001 section 4.1.3).
 *
 * Decryption itself lives in quic_crypto.c.
 */
#include "snitrace/quic.h"

#include <string.h>

#include "snitrace/reader.h"

#define LONG_HEADER_FORM    0x80
#define FIXED_BIT           0x40
#define LONG_TYPE_SHIFT     4
#define LONG_TYPE_MASK      0x03
#define VERSION_NEGOTIATION 0

/* Long-header packet types as RFC 9000 numbers them; v2 rotates the wire
 * bits, so the wire value is normalised against the version's Initial. */
enum packet_type { PT_INITIAL = 0, PT_0RTT = 1, PT_HANDSHAKE = 2, PT_RETRY = 3 };

#define NIBBLE_CID_BIAS 3 /* draft-21: a non-zero 4-bit length n means n + 3 */

#define FT_PADDING         0x00
#define FT_PING            0x01
#define FT_ACK             0x02
#define FT_ACK_ECN         0x03
#define FT_CRYPTO          0x06
#define FT_CLOSE_TRANSPORT 0x1c
#define FT_CLOSE_APP       0x1d

/* Google QUIC frame types, used by T050/T051 inside IETF-style packets. */
#define GQ_FT_PADDING 0x00 /* runs to the end of the packet */
#define GQ_FT_PING    0x07
#define GQ_FT_CRYPTO  0x08 /* varint offset and length, as in IETF QUIC */

#define VARINT_MAX          (((uint64_t)1 << 62) - 1)
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_HEADER_LEN   4

struct long_header {
    uint8_t first;
    uint32_t version;
    const struct snt_quic_version *v;
    enum packet_type type;
    struct snt_span dcid, scid;
    size_t pn_offset;  /* from the packet's first byte */
    size_t packet_len; /* header, packet number and protected payload */
};

void snt_quic_crypto_init(struct snt_quic_crypto *c)
{
    memset(c, 0, sizeof *c);
    c->largest_pn = -1;
}

/* ---- long header --------------------------------------------------------- */

static bool read_cid(struct snt_reader *r, size_t len, struct snt_span *cid)
{
    return len <= SNT_QUIC_MAX_CID && snt_read_span(r, len, cid);
}

static bool read_cids(struct snt_reader *r, const struct snt_quic_version *v, struct long_header *h)
{
    uint8_t dl, sl;
    if (v->nibble_cid_lengths) {
        uint8_t both;
        if (!snt_read_u8(r, &both))
            return false;
        dl = (uint8_t)(both >> 4);
        sl = (uint8_t)(both & 0x0f);
        dl = dl ? (uint8_t)(dl + NIBBLE_CID_BIAS) : 0;
        sl = sl ? (uint8_t)(sl + NIBBLE_CID_BIAS) : 0;
        return read_cid(r, dl, &h->dcid) && read_cid(r, sl, &h->scid);
    }
    return snt_read_u8(r, &dl) && read_cid(r, dl, &h->dcid) && snt_read_u8(r, &sl) &&
           read_cid(r, sl, &h->scid);
}

/* Parse one long header at the start of r (a datagram's remaining bytes).
 * SNT_NOT_MINE for what ends the walk through a datagram without being an
 * error: a short header or padding, Version Negotiation, a version we do
 * not know, or a Retry (which has no Length and so runs to the end). */
static enum snt_result parse_long_header(struct snt_reader r, struct long_header *h)
{
    size_t total = snt_reader_left(&r);
    uint64_t token_len, length;
    if (!snt_read_u8(&r, &h->first) || !(h->first & LONG_HEADER_FORM))
        return SNT_NOT_MINE;
    if (!(h->first & FIXED_BIT) || !snt_read_u32(&r, &h->version) ||
        h->version == VERSION_NEGOTIATION)
        return SNT_NOT_MINE;
    h->v = snt_quic_version_lookup(h->version);
    if (!h->v)
        return SNT_NOT_MINE;
    unsigned wire_type = (h->first >> LONG_TYPE_SHIFT) & LONG_TYPE_MASK;
    h->type = (enum packet_type)((wire_type - h->v->initial_type) & LONG_TYPE_MASK);
    if (!read_cids(&r, h->v, h))
        return SNT_MALFORMED;
    if (h->type == PT_RETRY)
        return SNT_NOT_MINE;
    if (h->type == PT_INITIAL &&
        (!snt_read_varint(&r, &token_len) || token_len > snt_reader_left(&r) ||
         !snt_skip(&r, (size_t)token_len)))
        return SNT_MALFORMED;
    if (!snt_read_varint(&r, &length) || length > snt_reader_left(&r))
        return SNT_MALFORMED;
    h->pn_offset = total - snt_reader_left(&r);
    h->packet_len = h->pn_offset + (size_t)length;
    return SNT_OK;
}

enum snt_result snt_quic_sniff_initial(const uint8_t *p, size_t len)
{
    struct long_header h;
    if (parse_long_header(snt_reader_make(p, len), &h) != SNT_OK || h.type != PT_INITIAL)
        return SNT_NOT_MINE;
    return SNT_OK;
}

/* ---- CRYPTO stream assembly ----------------------------------------------- */

/* Add [lo, hi) to the sorted, disjoint ranges held beyond the contiguous
 * prefix, merging those it overlaps or touches.  false when that would take
 * more slots than there are. */
static bool range_insert(struct snt_quic_crypto *c, uint64_t lo, uint64_t hi)
{
    uint64_t nlo[SNT_QUIC_MAX_RANGES], nhi[SNT_QUIC_MAX_RANGES];
    unsigned n = 0, i = 0;
    for (; i < c->n_ranges && c->have_hi[i] < lo; i++, n++)
        nlo[n] = c->have_lo[i], nhi[n] = c->have_hi[i];
    for (; i < c->n_ranges && c->have_lo[i] <= hi; i++) {
        lo = c->have_lo[i] < lo ? c->have_lo[i] : lo;
        hi = c->have_hi[i] > hi ? c->have_hi[i] : hi;
    }
    if (n + 1 + (c->n_ranges - i) > SNT_QUIC_MAX_RANGES)
        return false;
    nlo[n] = lo, nhi[n++] = hi;
    for (; i < c->n_ranges; i++, n++)
        nlo[n] = c->have_lo[i], nhi[n] = c->have_hi[i];
    memcpy(c->have_lo, nlo, n * sizeof nlo[0]);
    memcpy(c->have_hi, nhi, n * sizeof nhi[0]);
    c->n_ranges = n;
    return true;
}

/* Move ranges that now touch the contiguous prefix into it. */
static void absorb_ranges(struct snt_quic_crypto *c)
{
    unsigned i = 0;
    while (i < c->n_ranges && c->have_lo[i] <= c->contiguous) {
        if (c->have_hi[i] > c->contiguous)
            c->contiguous = (size_t)c->have_hi[i];
        i++;
    }
    if (i == 0)
        return;
    memmove(c->have_lo, c->have_lo + i, (c->n_ranges - i) * sizeof c->have_lo[0]);
    memmove(c->have_hi, c->have_hi + i, (c->n_ranges - i) * sizeof c->have_hi[0]);
    c->n_ranges -= i;
}

void snt_quic_crypto_add(struct snt_quic_crypto *c, uint64_t offset, const uint8_t *data,
                         size_t len)
{
    if (len == 0)
        return;
    if (offset >= SNT_QUIC_MAX_CRYPTO) {
        c->dropped = true;
        return;
    }
    if (len > SNT_QUIC_MAX_CRYPTO - offset) {
        len = (size_t)(SNT_QUIC_MAX_CRYPTO - offset);
        c->dropped = true;
    }
    uint64_t end = offset + len;
    if (end <= c->contiguous)
        return; /* a retransmission of bytes already held */
    if (offset > c->contiguous) {
        if (!range_insert(c, offset, end)) {
            c->dropped = true;
            return;
        }
        memcpy(c->buf + offset, data, len);
        return;
    }
    /* The first copy of a byte wins: only the part past the prefix is new. */
    size_t skip = c->contiguous - (size_t)offset;
    memcpy(c->buf + c->contiguous, data + skip, len - skip);
    c->contiguous = (size_t)end;
    absorb_ranges(c);
}

/* ---- frames --------------------------------------------------------------- */

/* ACK (RFC 9000 section 19.3): Largest Acknowledged, ACK Delay, ACK Range
 * Count, First ACK Range, then Count pairs of Gap and ACK Range Length, then
 * three ECN counts for type 0x03.  Each range costs at least two bytes, so
 * a huge Count fails on the reader, not on time. */
static bool skip_ack(struct snt_reader *r, bool ecn)
{
    uint64_t v, count;
    if (!snt_read_varint(r, &v) || !snt_read_varint(r, &v) || !snt_read_varint(r, &count) ||
        !snt_read_varint(r, &v))
        return false;
    for (uint64_t i = 0; i < count; i++)
        if (!snt_read_varint(r, &v) || !snt_read_varint(r, &v))
            return false;
    return !ecn || (snt_read_varint(r, &v) && snt_read_varint(r, &v) && snt_read_varint(r, &v));
}

/* CONNECTION_CLOSE (section 19.19): Error Code, Frame Type (transport
 * variant only), Reason Phrase Length, Reason Phrase. */
static bool skip_close(struct snt_reader *r, bool transport)
{
    uint64_t v, reason_len;
    if (!snt_read_varint(r, &v) || (transport && !snt_read_varint(r, &v)) ||
        !snt_read_varint(r, &reason_len) || reason_len > snt_reader_left(r))
        return false;
    return snt_skip(r, (size_t)reason_len);
}

/* CRYPTO (section 19.6): Offset, Length, Crypto Data. */
static bool crypto_frame(struct snt_quic_crypto *c, struct snt_reader *r)
{
    uint64_t offset, length;
    struct snt_span data;
    if (!snt_read_varint(r, &offset) || !snt_read_varint(r, &length) ||
        length > snt_reader_left(r) || !snt_read_span(r, (size_t)length, &data))
        return false;
    if (offset + length > VARINT_MAX)
        return false; /* the stream may not reach 2^62 */
    snt_quic_crypto_add(c, offset, data.p, data.len);
    return true;
}

static enum snt_result parse_ietf_frames(struct snt_quic_crypto *c, struct snt_reader *r)
{
    while (snt_reader_left(r) > 0) {
        uint64_t type;
        bool ok;
        if (!snt_read_varint(r, &type))
            return SNT_MALFORMED;
        switch (type) {
        case FT_PADDING:
        case FT_PING: ok = true; break;
        case FT_ACK:
        case FT_ACK_ECN: ok = skip_ack(r, type == FT_ACK_ECN); break;
        case FT_CRYPTO: ok = crypto_frame(c, r); break;
        case FT_CLOSE_TRANSPORT:
        case FT_CLOSE_APP: ok = skip_close(r, type == FT_CLOSE_TRANSPORT); break;
        default:
            /* Not allowed in an Initial, and its layout may be unknown:
             * nothing after it can be found. */
            return SNT_OK;
        }
        if (!ok)
            return SNT_MALFORMED;
    }
    return SNT_OK;
}

/* Only what a client's first Initial carries; an ACK or anything else in
 * gQUIC's own encoding ends the walk. */
static enum snt_result parse_gquic_frames(struct snt_quic_crypto *c, struct snt_reader *r)
{
    uint8_t type;
    while (snt_read_u8(r, &type)) {
        switch (type) {
        case GQ_FT_PING: break;
        case GQ_FT_CRYPTO:
            if (!crypto_frame(c, r))
                return SNT_MALFORMED;
            break;
        case GQ_FT_PADDING:
        default: return SNT_OK;
        }
    }
    return SNT_OK;
}

enum snt_result snt_quic_parse_frames(struct snt_quic_crypto *c, enum snt_quic_frames format,
                                      const uint8_t *p, size_t len)
{
    struct snt_reader r = snt_reader_make(p, len);
    if (format == SNT_QUIC_FRAMES_GQUIC)
        return parse_gquic_frames(c, &r);
    return parse_ietf_frames(c, &r);
}

/* ---- decryption of one Initial packet ------------------------------------ */

static bool same_cid(const struct snt_quic_crypto *c, struct snt_span cid)
{
    return c->dcid_len == cid.len && memcmp(c->dcid, cid.p, cid.len) == 0;
}

/* Keys for this packet's version from the remembered original DCID,
 * derived once per connection and version. */
static bool cached_keys(struct snt_quic_crypto *c, const struct snt_quic_version *v)
{
    if (c->have_keys && c->keys_version == v->number)
        return true;
    c->have_keys = snt_quic_client_initial_keys(v, c->dcid, c->dcid_len, &c->keys);
    c->keys_version = v->number;
    return c->have_keys;
}

static void remember(struct snt_quic_crypto *c, const struct long_header *h,
                     const struct snt_quic_keys *k)
{
    memcpy(c->dcid, h->dcid.p, h->dcid.len);
    c->dcid_len = (uint8_t)h->dcid.len;
    c->have_dcid = true;
    c->keys = *k;
    c->keys_version = h->version;
    c->have_keys = true;
}

/* Keys derive from the client's first DCID and stay even when the client
 * moves to the server's chosen CID (RFC 9001 section 5.2), so try those
 * first; a packet that only opens with keys from its own DCID followed a
 * Retry (RFC 9000 section 17.2.5.2), and its DCID becomes the new base. */
static enum snt_result open_initial(struct snt_quic_crypto *c, const struct long_header *h,
                                    struct snt_span pkt, uint8_t *plain, size_t *plain_len)
{
    struct snt_quic_keys k;
    uint64_t pn = 0;
    enum snt_result r = SNT_NOT_MINE;
    if (c->have_dcid && cached_keys(c, h->v))
        r = snt_quic_unprotect(&c->keys, pkt.p, pkt.len, h->pn_offset, c->largest_pn, plain,
                               SNT_QUIC_MAX_DATAGRAM, plain_len, &pn);
    if (r == SNT_NOT_MINE && !(c->have_dcid && same_cid(c, h->dcid))) {
        if (!snt_quic_client_initial_keys(h->v, h->dcid.p, h->dcid.len, &k))
            return SNT_NOT_MINE;
        r = snt_quic_unprotect(&k, pkt.p, pkt.len, h->pn_offset, c->largest_pn, plain,
                               SNT_QUIC_MAX_DATAGRAM, plain_len, &pn);
        if (r == SNT_OK)
            remember(c, h, &k);
    }
    if (r != SNT_OK)
        return r;
    if ((int64_t)pn > c->largest_pn)
        c->largest_pn = (int64_t)pn;
    if (c->packets++ == 0)
        c->version = h->version;
    return SNT_OK;
}

static enum snt_result feed_initial(struct snt_quic_crypto *c, const struct long_header *h,
                                    struct snt_span pkt, uint8_t *plain)
{
    size_t plain_len = 0;
    enum snt_result r = open_initial(c, h, pkt, plain, &plain_len);
    if (r != SNT_OK)
        return r;
    /* A frame error past good CRYPTO frames keeps what came before it; the
     * packet was authentic, so it still counts as decrypted. */
    (void)snt_quic_parse_frames(c, h->v->frames, plain, plain_len);
    return SNT_OK;
}

enum snt_result snt_quic_feed_client_datagram(struct snt_quic_crypto *c, const uint8_t *p,
                                              size_t len)
{
    uint8_t plain[SNT_QUIC_MAX_DATAGRAM];
    struct snt_reader r = snt_reader_make(p, len);
    bool decrypted = false, broken = false;
    while (snt_reader_left(&r) > 0) {
        struct long_header h;
        struct snt_span pkt;
        enum snt_result hr = parse_long_header(r, &h);
        if (hr == SNT_MALFORMED)
            broken = true;
        if (hr != SNT_OK || !snt_read_span(&r, h.packet_len, &pkt))
            break;
        if (h.type != PT_INITIAL)
            continue; /* 0-RTT and Handshake: not ours to read */
        enum snt_result fr = feed_initial(c, &h, pkt, plain);
        decrypted |= fr == SNT_OK;
        broken |= fr == SNT_MALFORMED;
    }
    return decrypted ? SNT_OK : broken ? SNT_MALFORMED : SNT_NOT_MINE;
}

/* ---- the ClientHello ------------------------------------------------------ */

enum snt_result snt_quic_client_hello(const struct snt_quic_crypto *c, const uint8_t **body,
                                      size_t *len)
{
    struct snt_reader r = snt_reader_make(c->buf, c->contiguous);
    struct snt_span msg;
    uint8_t type;
    uint32_t n;
    if (!snt_read_u8(&r, &type))
        return SNT_NEED_MORE;
    if (type != TLS_HS_CLIENT_HELLO)
        return SNT_MALFORMED;
    if (!snt_read_u24(&r, &n))
        return SNT_NEED_MORE;
    if (n > SNT_QUIC_MAX_CRYPTO - TLS_HS_HEADER_LEN)
        return SNT_MALFORMED; /* could never be held whole */
    if (!snt_read_span(&r, n, &msg))
        return SNT_NEED_MORE;
    *body = msg.p;
    *len = msg.len;
    return SNT_OK;
}
