/* IPv4 (RFC 791, fragments per RFC 791 section 3.2), IPv6 and its
 * extension headers (RFC 8200 section 4; AH per RFC 4302), TCP (RFC 9293
 * section 3.1) and UDP (RFC 768).
 *
 * Every length comes in two kinds: what a header claims (the wire length)
 * and what the capture holds (the reader).  A header that does not fit the
 * length its enclosing header claims is malformed; one that fits the claim
 * but not the capture is truncated.  Bytes after the IP length (Ethernet
 * padding, vendor trailers) are cut off before the transport layer.
 */
#include <string.h>

#include "decode_internal.h"

/* IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
#define IPPROTO_NUM_HOPOPT   0
#define IPPROTO_NUM_IPIP     4
#define IPPROTO_NUM_IPV6     41
#define IPPROTO_NUM_ROUTING  43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_GRE      47
#define IPPROTO_NUM_AH       51
#define IPPROTO_NUM_DSTOPTS  60

#define IPV4_MIN_HDR     20
#define IPV4_FLAG_MF     0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_HDR         40
#define IPV6_OPT_PAD1    0
#define IPV6_OPT_JUMBO   0xc2
#define IPV6_JUMBO_LEN   4
#define IPV6_MIN_JUMBO   65536 /* RFC 2675 section 2: a smaller one is an error */
#define IPV6_FRAG_HDR    8
#define IPV6_FRAG_M      0x0001
#define IPV6_OFFSET_MASK 0xfff8
#define TCP_MIN_HDR      20
#define UDP_HDR          8

/* Take the next n bytes of a layer whose headers claim *wire more bytes. */
static enum snt_decode_status take(struct snt_reader *r, size_t *wire, size_t n,
                                   struct snt_reader *hdr)
{
    if (n > *wire)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_sub(r, n, hdr))
        return SNT_DECODE_TRUNCATED;
    *wire -= n;
    return SNT_DECODE_OK;
}

/* take() for a fixed-size header: its n bytes are copied into buf, where
 * its fields are read at constant offsets. */
static enum snt_decode_status take_bytes(struct snt_reader *r, size_t *wire, size_t n, uint8_t *buf)
{
    if (n > *wire)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_bytes(r, n, buf))
        return SNT_DECODE_TRUNCATED;
    *wire -= n;
    return SNT_DECODE_OK;
}

/* An IPv4 address from its 4 bytes: the other 12 are zero. */
static void set_addr4(struct snt_addr *a, const uint8_t *b)
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    memcpy(a->b, b, 4);
}

/* An IPv6 address from its 16 bytes: they fill the whole of a->b. */
static void set_addr6(struct snt_addr *a, const uint8_t *b)
{
    a->family = 6;
    memcpy(a->b, b, 16);
}

/* r holds the captured payload, never more than wire; it is left as it is. */
static void set_payload(struct snt_dec *d, const struct snt_reader *r, size_t wire)
{
    struct snt_packet *o = d->out;
    struct snt_span s = snt_reader_rest(r);
    o->payload = s.p;
    o->payload_len = s.len;
    o->payload_wire_len = wire;
    o->ip_fragment = d->fragment;
    o->truncated = s.len < wire || d->fragment;
}

static enum snt_decode_status tcp(struct snt_dec *d, struct snt_reader *r, size_t wire)
{
    struct snt_packet *o = d->out;
    uint8_t h[TCP_MIN_HDR]; /* ports, sequence, ack, data offset, flags, ... */
    enum snt_decode_status st = take_bytes(r, &wire, TCP_MIN_HDR, h);
    if (st != SNT_DECODE_OK)
        return st;
    o->sport = snt_load_be16(h);
    o->dport = snt_load_be16(h + 2);
    o->seq = snt_load_be32(h + 4);
    o->ack = snt_load_be32(h + 8);
    uint8_t flags = h[13];
    size_t opts = (size_t)(h[12] >> 4) * 4;
    if (opts < TCP_MIN_HDR)
        return SNT_DECODE_MALFORMED;
    opts -= TCP_MIN_HDR;
    if (opts > wire)
        return SNT_DECODE_MALFORMED;
    o->proto = SNT_IPPROTO_TCP;
    o->tcp_flags = flags;
    wire -= opts;
    /* Options cut off by the snaplen still leave ports, sequence numbers
     * and flags usable (a SYN is worth tracking); the payload is then lost. */
    struct snt_reader body = *r;
    if (!snt_skip(&body, opts)) {
        body = *r;
        snt_dec_clip(&body, 0);
    }
    set_payload(d, &body, wire);
    return SNT_DECODE_OK;
}

static enum snt_decode_status udp(struct snt_dec *d, struct snt_reader *r, size_t wire)
{
    struct snt_packet *o = d->out;
    uint8_t h[UDP_HDR]; /* ports, length, checksum */
    enum snt_decode_status st = take_bytes(r, &wire, UDP_HDR, h);
    if (st != SNT_DECODE_OK)
        return st;
    o->sport = snt_load_be16(h);
    o->dport = snt_load_be16(h + 2);
    uint16_t ulen = snt_load_be16(h + 4);
    if (ulen != 0 && ulen < UDP_HDR)
        return SNT_DECODE_MALFORMED;
    /* Length 0: an IPv6 jumbogram (RFC 2675) or segmentation offload; the
     * IP length is all there is to go by. */
    size_t body = ulen == 0 ? wire : (size_t)ulen - UDP_HDR;
    /* In a first fragment the UDP length covers the whole datagram. */
    if (body > wire && !d->fragment)
        return SNT_DECODE_MALFORMED;
    if (body < wire)
        snt_dec_clip(r, body);
    o->proto = SNT_IPPROTO_UDP;
    set_payload(d, r, body);
    d->udp_wire = body; /* it may be a tunnel's */
    return snt_dec_then(d, SNT_DEC_UDP_TUNNEL);
}

static enum snt_decode_status transport(struct snt_dec *d, uint8_t proto, struct snt_reader *r,
                                        size_t wire)
{
    switch (proto) {
    case SNT_IPPROTO_TCP: return tcp(d, r, wire);
    case SNT_IPPROTO_UDP: return udp(d, r, wire);
    case IPPROTO_NUM_IPIP: return snt_dec_then(d, SNT_DEC_IPV4);
    case IPPROTO_NUM_IPV6: return snt_dec_then(d, SNT_DEC_IPV6);
    case IPPROTO_NUM_GRE: return snt_dec_then(d, SNT_DEC_GRE);
    default: return SNT_DECODE_OTHER_PROTO;
    }
}

enum snt_decode_status snt_dec_ipv4(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t h[IPV4_MIN_HDR]; /* the fixed part; options are skipped */
    uint8_t vihl = 0;
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_peek_u8(r, 0, &vihl))
        return SNT_DECODE_TRUNCATED;
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || ihl < IPV4_MIN_HDR)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_bytes(r, IPV4_MIN_HDR, h) || !snt_skip(r, ihl - IPV4_MIN_HDR))
        return SNT_DECODE_TRUNCATED;
    uint16_t total = snt_load_be16(h + 2), frag = snt_load_be16(h + 6);
    uint8_t proto = h[9];
    set_addr4(&d->out->src, h + 12);
    set_addr4(&d->out->dst, h + 16);
    /* Total length 0 is what a sender's capture shows under segmentation
     * offload: the frame is all there is. */
    size_t len = total ? total : ihl + snt_reader_left(r);
    if (len < ihl)
        return SNT_DECODE_MALFORMED;
    if (frag & IPV4_OFFSET_MASK)
        return SNT_DECODE_FRAGMENT;
    if (frag & IPV4_FLAG_MF)
        d->fragment = true;
    snt_dec_clip(r, len - ihl);
    return transport(d, proto, r, len - ihl);
}

/* Hop-by-hop, routing, destination options and AH: a next-header byte, a
 * length byte, the length counting (len + add) units of unit bytes. */
static enum snt_decode_status ext_header(struct snt_reader *r, size_t *wire, uint8_t *nh,
                                         size_t add, size_t unit)
{
    struct snt_reader peek = *r, h;
    size_t w = *wire;
    uint8_t next = 0, len = 0;
    enum snt_decode_status st = take(&peek, &w, 2, &h);
    if (st != SNT_DECODE_OK)
        return st;
    snt_read_u8(&h, &next);
    snt_read_u8(&h, &len);
    st = take(r, wire, ((size_t)len + add) * unit, &h);
    if (st == SNT_DECODE_OK)
        *nh = next;
    return st;
}

static enum snt_decode_status ipv6_fragment(struct snt_dec *d, struct snt_reader *r, size_t *wire,
                                            uint8_t *nh)
{
    uint8_t h[IPV6_FRAG_HDR]; /* next header, reserved, offset and M, id */
    enum snt_decode_status st = take_bytes(r, wire, IPV6_FRAG_HDR, h);
    if (st != SNT_DECODE_OK)
        return st;
    *nh = h[0];
    uint16_t off = snt_load_be16(h + 2);
    if (off & IPV6_OFFSET_MASK)
        return SNT_DECODE_FRAGMENT;
    if (off & IPV6_FRAG_M)
        d->fragment = true;
    return SNT_DECODE_OK;
}

/* Each extension header takes at least 8 bytes, so the walk ends. */
static enum snt_decode_status ipv6_chain(struct snt_dec *d, uint8_t nh, struct snt_reader *r,
                                         size_t wire)
{
    for (;;) {
        enum snt_decode_status st;
        switch (nh) {
        case IPPROTO_NUM_HOPOPT:
        case IPPROTO_NUM_ROUTING:
        case IPPROTO_NUM_DSTOPTS: st = ext_header(r, &wire, &nh, 1, 8); break;
        case IPPROTO_NUM_AH: st = ext_header(r, &wire, &nh, 2, 4); break;
        case IPPROTO_NUM_FRAGMENT: st = ipv6_fragment(d, r, &wire, &nh); break;
        default: return transport(d, nh, r, wire);
        }
        if (st != SNT_DECODE_OK)
            return st;
    }
}

/* RFC 2675: a payload length of 0 with a Jumbo Payload option in the
 * Hop-by-Hop header is a jumbogram of the length the option gives (it
 * counts from the end of the fixed header, as the payload length does).
 * Without one, 0 means what it says: nothing follows the fixed header. */
static size_t ipv6_jumbo_length(uint8_t nh, const struct snt_reader *r)
{
    struct snt_reader h = *r, opts;
    uint8_t len = 0, type = 0, opt_len = 0;
    uint32_t jumbo = 0;
    if (nh != IPPROTO_NUM_HOPOPT || !snt_skip(&h, 1) || !snt_read_u8(&h, &len) ||
        !snt_read_sub(&h, (size_t)len * 8 + 6, &opts))
        return 0;
    while (snt_read_u8(&opts, &type)) {
        if (type == IPV6_OPT_PAD1)
            continue;
        if (!snt_read_u8(&opts, &opt_len))
            return 0;
        if (type == IPV6_OPT_JUMBO) {
            bool ok = opt_len == IPV6_JUMBO_LEN && snt_read_u32(&opts, &jumbo);
            return ok && jumbo >= IPV6_MIN_JUMBO ? jumbo : 0;
        }
        if (!snt_skip(&opts, opt_len))
            return 0;
    }
    return 0;
}

enum snt_decode_status snt_dec_ipv6(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t h[IPV6_HDR]; /* version to hop limit, then the two addresses */
    uint8_t first = 0;
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_peek_u8(r, 0, &first))
        return SNT_DECODE_TRUNCATED;
    if ((first >> 4) != 6)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_bytes(r, IPV6_HDR, h))
        return SNT_DECODE_TRUNCATED;
    uint16_t plen = snt_load_be16(h + 4);
    uint8_t nh = h[6];
    set_addr6(&d->out->src, h + 8);
    set_addr6(&d->out->dst, h + 24);
    /* The IP length decides where the packet ends, never the capture:
     * what follows it is padding or a trailer. */
    size_t wire = plen ? plen : ipv6_jumbo_length(nh, r);
    snt_dec_clip(r, wire);
    return ipv6_chain(d, nh, r, wire);
}

enum snt_decode_status snt_dec_ip(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t first;
    if (!snt_peek_u8(r, 0, &first))
        return SNT_DECODE_TRUNCATED;
    switch (first >> 4) {
    case 4: return snt_dec_ipv4(d, r);
    case 6: return snt_dec_ipv6(d, r);
    default: return SNT_DECODE_MALFORMED;
    }
}
