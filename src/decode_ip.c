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

static bool read_addr(struct snt_reader *r, uint8_t family, struct snt_addr *a)
{
    struct snt_span s;
    if (!snt_read_span(r, family == 4 ? 4 : 16, &s))
        return false;
    memset(a, 0, sizeof *a);
    a->family = family;
    memcpy(a->b, s.p, s.len);
    return true;
}

/* r holds the captured payload, never more than wire; it is left as it is. */
static void set_payload(struct snt_dec *d, const struct snt_reader *r, size_t wire)
{
    struct snt_packet *o = d->out;
    struct snt_reader all = *r;
    struct snt_span s = {r->p, 0};
    snt_read_span(&all, snt_reader_left(&all), &s);
    o->payload = s.p;
    o->payload_len = s.len;
    o->payload_wire_len = wire;
    o->ip_fragment = d->fragment;
    o->truncated = s.len < wire || d->fragment;
}

static enum snt_decode_status tcp(struct snt_dec *d, struct snt_reader *r, size_t wire)
{
    struct snt_packet *o = d->out;
    struct snt_reader h;
    uint8_t offset = 0, flags = 0;
    enum snt_decode_status st = take(r, &wire, TCP_MIN_HDR, &h);
    if (st != SNT_DECODE_OK)
        return st;
    snt_read_u16(&h, &o->sport);
    snt_read_u16(&h, &o->dport);
    snt_read_u32(&h, &o->seq);
    snt_read_u32(&h, &o->ack);
    snt_read_u8(&h, &offset);
    snt_read_u8(&h, &flags);
    size_t opts = (size_t)(offset >> 4) * 4;
    if (h.failed || opts < TCP_MIN_HDR)
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
    struct snt_reader h;
    uint16_t ulen = 0;
    enum snt_decode_status st = take(r, &wire, UDP_HDR, &h);
    if (st != SNT_DECODE_OK)
        return st;
    snt_read_u16(&h, &o->sport);
    snt_read_u16(&h, &o->dport);
    snt_read_u16(&h, &ulen);
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
    struct snt_reader h;
    uint8_t vihl = 0, proto = 0;
    uint16_t total = 0, frag = 0;
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_peek_u8(r, 0, &vihl))
        return SNT_DECODE_TRUNCATED;
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || ihl < IPV4_MIN_HDR)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_sub(r, ihl, &h))
        return SNT_DECODE_TRUNCATED;
    snt_skip(&h, 2);
    snt_read_u16(&h, &total);
    snt_skip(&h, 2);
    snt_read_u16(&h, &frag);
    snt_skip(&h, 1);
    snt_read_u8(&h, &proto);
    snt_skip(&h, 2);
    if (!read_addr(&h, 4, &d->out->src) || !read_addr(&h, 4, &d->out->dst))
        return SNT_DECODE_MALFORMED;
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
    struct snt_reader h;
    uint16_t off = 0;
    enum snt_decode_status st = take(r, wire, IPV6_FRAG_HDR, &h);
    if (st != SNT_DECODE_OK)
        return st;
    snt_read_u8(&h, nh);
    snt_skip(&h, 1);
    snt_read_u16(&h, &off);
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
    struct snt_reader h;
    uint8_t first = 0, nh = 0;
    uint16_t plen = 0;
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_peek_u8(r, 0, &first))
        return SNT_DECODE_TRUNCATED;
    if ((first >> 4) != 6)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_sub(r, IPV6_HDR, &h))
        return SNT_DECODE_TRUNCATED;
    snt_skip(&h, 4);
    snt_read_u16(&h, &plen);
    snt_read_u8(&h, &nh);
    snt_skip(&h, 1);
    if (!read_addr(&h, 6, &d->out->src) || !read_addr(&h, 6, &d->out->dst))
        return SNT_DECODE_MALFORMED;
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
