/* QUIC packets in a datagram: long headers (RFC 9000 section 17.2, RFC 9369
 * section 3.2 for v2's packet types, the draft-21 combined CID length byte),
 * Version Negotiation (RFC 8999 section 6), short headers (RFC 9000 section
 * 17.3) and coalesced packets (RFC 9000 section 12.2); and, built on them,
 * a client's Initial packets up to the complete TLS ClientHello (RFC 9001
 * section 4.1.3).
 *
 * Decryption lives in quic_crypto.c, frames in quic_frames.c and CRYPTO
 * stream assembly in quic_stream.c.
 */
#include "snitrace/quic.h"

#include <string.h>

#define LONG_HEADER_FORM    0x80
#define FIXED_BIT           0x40
#define LONG_TYPE_SHIFT     4
#define LONG_TYPE_MASK      0x03
#define VERSION_NEGOTIATION 0
#define NIBBLE_CID_BIAS     3   /* draft-21: a non-zero 4-bit length n means n + 3 */
#define INVARIANT_CID_MAX   255 /* RFC 8999 section 5.1: any version's CIDs */

/* RFC 9287: a peer that advertised grease_quic_bit may receive long
 * headers with the fixed bit clear, in QUIC v1 and v2. */
static bool may_grease_fixed_bit(uint32_t version)
{
    return version == SNT_QUIC_VERSION_1 || version == SNT_QUIC_VERSION_2;
}

void snt_quic_crypto_init(struct snt_quic_crypto *c)
{
    memset(c, 0, sizeof *c);
    snt_quic_stream_init(&c->stream, SNT_QUIC_MAX_CRYPTO);
    c->largest_pn = -1;
}

void snt_quic_crypto_free(struct snt_quic_crypto *c)
{
    if (c)
        snt_quic_stream_free(&c->stream);
}

/* ---- headers ------------------------------------------------------------- */

static bool read_cid(struct snt_reader *r, size_t len, size_t max, struct snt_span *cid)
{
    return len <= max && snt_read_span(r, len, cid);
}

static bool read_cids(struct snt_reader *r, const struct snt_quic_version *v,
                      struct snt_quic_packet *p)
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
        return read_cid(r, dl, SNT_QUIC_MAX_CID, &p->dcid) &&
               read_cid(r, sl, SNT_QUIC_MAX_CID, &p->scid);
    }
    return snt_read_u8(r, &dl) && read_cid(r, dl, SNT_QUIC_MAX_CID, &p->dcid) &&
           snt_read_u8(r, &sl) && read_cid(r, sl, SNT_QUIC_MAX_CID, &p->scid);
}

/* Version Negotiation (RFC 8999 section 6): the CIDs, then supported
 * versions to the end of the datagram. */
static enum snt_result version_negotiation(struct snt_reader *r, struct snt_quic_packet *p)
{
    uint8_t dl, sl;
    p->type = SNT_QUIC_VERSION_NEGOTIATION;
    if (!snt_read_u8(r, &dl) || !read_cid(r, dl, INVARIANT_CID_MAX, &p->dcid) ||
        !snt_read_u8(r, &sl) || !read_cid(r, sl, INVARIANT_CID_MAX, &p->scid))
        return SNT_MALFORMED;
    return snt_skip(r, snt_reader_left(r)) ? SNT_OK : SNT_MALFORMED;
}

/* A long header from its first byte on; total is what the datagram had
 * left where the packet starts. */
static enum snt_result long_packet(struct snt_reader *r, size_t total, struct snt_quic_packet *p)
{
    uint8_t first;
    uint64_t token_len, length;
    if (!snt_read_u8(r, &first) || !snt_read_u32(r, &p->version))
        return SNT_MALFORMED;
    if (p->version == VERSION_NEGOTIATION)
        return version_negotiation(r, p);
    p->v = snt_quic_version_lookup(p->version);
    if (!p->v || (!(first & FIXED_BIT) && !may_grease_fixed_bit(p->version)))
        return SNT_NOT_MINE;
    unsigned wire_type = (first >> LONG_TYPE_SHIFT) & LONG_TYPE_MASK;
    p->type = (enum snt_quic_packet_type)((wire_type - p->v->initial_type) & LONG_TYPE_MASK);
    if (!read_cids(r, p->v, p))
        return SNT_MALFORMED;
    if (p->type == SNT_QUIC_RETRY) /* no Length: the token and tag run to the end */
        return snt_skip(r, snt_reader_left(r)) ? SNT_OK : SNT_MALFORMED;
    if (p->type == SNT_QUIC_INITIAL &&
        (!snt_read_varint(r, &token_len) || token_len > snt_reader_left(r) ||
         !snt_skip(r, (size_t)token_len)))
        return SNT_MALFORMED;
    if (!snt_read_varint(r, &length) || length > snt_reader_left(r))
        return SNT_MALFORMED;
    p->pn_offset = total - snt_reader_left(r);
    return snt_skip(r, (size_t)length) ? SNT_OK : SNT_MALFORMED;
}

/* A short header: the first byte, the DCID of the length the caller
 * knows, the packet number; it runs to the end of the datagram. */
static enum snt_result short_packet(struct snt_reader *r, size_t dcid_len,
                                    struct snt_quic_packet *p)
{
    uint8_t first;
    if (!snt_read_u8(r, &first) || !(first & FIXED_BIT))
        return SNT_NOT_MINE; /* padding after the last coalesced packet */
    p->type = SNT_QUIC_SHORT;
    if (!read_cid(r, dcid_len, SNT_QUIC_MAX_CID, &p->dcid))
        return SNT_MALFORMED;
    p->pn_offset = 1 + dcid_len;
    return snt_skip(r, snt_reader_left(r)) ? SNT_OK : SNT_MALFORMED;
}

enum snt_result snt_quic_next_packet(struct snt_reader *datagram, size_t short_dcid_len,
                                     struct snt_quic_packet *out)
{
    struct snt_reader r = *datagram;
    struct snt_quic_packet p;
    uint8_t first;
    size_t total = snt_reader_left(&r);
    if (!snt_peek_u8(&r, 0, &first))
        return SNT_NOT_MINE;
    memset(&p, 0, sizeof p);
    enum snt_result res = (first & LONG_HEADER_FORM) ? long_packet(&r, total, &p)
                                                     : short_packet(&r, short_dcid_len, &p);
    if (res != SNT_OK)
        return res;
    p.bytes.p = datagram->p;
    p.bytes.len = total - snt_reader_left(&r);
    *datagram = r;
    *out = p;
    return SNT_OK;
}

/* A client's first Initial cannot grease the fixed bit: it has not yet
 * heard whether the server would accept that. */
enum snt_result snt_quic_sniff_initial(const uint8_t *p, size_t len)
{
    struct snt_reader r = snt_reader_make(p, len);
    struct snt_quic_packet pkt;
    if (len == 0 || !(p[0] & FIXED_BIT) || snt_quic_next_packet(&r, 0, &pkt) != SNT_OK ||
        pkt.type != SNT_QUIC_INITIAL)
        return SNT_NOT_MINE;
    return SNT_OK;
}

/* ---- a client's Initial packets ------------------------------------------ */

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
    c->have_keys = snt_quic_initial_keys(v, c->dcid, c->dcid_len, false, &c->keys);
    c->keys_version = v->number;
    return c->have_keys;
}

static void remember(struct snt_quic_crypto *c, const struct snt_quic_packet *p,
                     const struct snt_traffic_keys *k)
{
    memcpy(c->dcid, p->dcid.p, p->dcid.len);
    c->dcid_len = (uint8_t)p->dcid.len;
    c->have_dcid = true;
    c->keys = *k;
    c->keys_version = p->version;
    c->have_keys = true;
}

/* Keys derive from the client's first DCID and stay even when the client
 * moves to the server's chosen CID (RFC 9001 section 5.2), so try those
 * first; a packet that only opens with keys from its own DCID followed a
 * Retry (RFC 9000 section 17.2.5.2), and its DCID becomes the new base. */
static enum snt_result open_initial(struct snt_quic_crypto *c, const struct snt_quic_packet *p,
                                    uint8_t *plain, size_t *plain_len)
{
    struct snt_traffic_keys k;
    uint64_t pn = 0;
    enum snt_result r = SNT_NOT_MINE;
    if (c->have_dcid && cached_keys(c, p->v))
        r = snt_quic_unprotect(&c->keys, p->bytes.p, p->bytes.len, p->pn_offset, c->largest_pn,
                               plain, SNT_QUIC_MAX_DATAGRAM, plain_len, &pn);
    if (r == SNT_NOT_MINE && !(c->have_dcid && same_cid(c, p->dcid))) {
        if (!snt_quic_initial_keys(p->v, p->dcid.p, p->dcid.len, false, &k))
            return SNT_NOT_MINE;
        r = snt_quic_unprotect(&k, p->bytes.p, p->bytes.len, p->pn_offset, c->largest_pn, plain,
                               SNT_QUIC_MAX_DATAGRAM, plain_len, &pn);
        if (r == SNT_OK)
            remember(c, p, &k);
    }
    if (r != SNT_OK)
        return r;
    if ((int64_t)pn > c->largest_pn)
        c->largest_pn = (int64_t)pn;
    if (c->packets++ == 0)
        c->version = p->version;
    return SNT_OK;
}

static enum snt_result feed_initial(struct snt_quic_crypto *c, const struct snt_quic_packet *p,
                                    uint8_t *plain)
{
    size_t plain_len = 0;
    enum snt_result r = open_initial(c, p, plain, &plain_len);
    if (r != SNT_OK)
        return r;
    /* A frame error past good CRYPTO frames keeps what came before it; the
     * packet was authentic, so it still counts as decrypted. */
    (void)snt_quic_parse_frames(&c->stream, p->v->frames, plain, plain_len, NULL);
    return SNT_OK;
}

enum snt_result snt_quic_feed_client_datagram(struct snt_quic_crypto *c, const uint8_t *p,
                                              size_t len)
{
    uint8_t plain[SNT_QUIC_MAX_DATAGRAM];
    struct snt_reader r = snt_reader_make(p, len);
    struct snt_quic_packet pkt;
    bool decrypted = false, broken = false;
    enum snt_result walk;
    /* A short header ends the walk: its DCID length is unknown here, and it
     * runs to the end of the datagram anyway. */
    while ((walk = snt_quic_next_packet(&r, 0, &pkt)) == SNT_OK) {
        if (pkt.type != SNT_QUIC_INITIAL)
            continue; /* 0-RTT and Handshake: not ours to read */
        enum snt_result fr = feed_initial(c, &pkt, plain);
        decrypted |= fr == SNT_OK;
        broken |= fr == SNT_MALFORMED;
    }
    broken |= walk == SNT_MALFORMED;
    return decrypted ? SNT_OK : broken ? SNT_MALFORMED : SNT_NOT_MINE;
}
