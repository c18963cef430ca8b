/* The shape nearly every packet of a capture has: an Ethernet II header,
 * IPv4 without options or IPv6 without extension headers, not a fragment,
 * and a TCP header captured whole.  It is read here at fixed offsets in
 * one pass; the layer loop (decode.c) spends two to three times the
 * instructions on it, a layer at a time.
 *
 * Anything else is declined, and the loop decides: tags, tunnels, UDP,
 * fragments, IP options, a length of 0 or one that contradicts another, a
 * header the capture cut short.  For every frame taken here the loop gives
 * the same packet; tests/fuzz/fuzz_decode.c checks that on every input.
 */
#include <string.h>

#include "decode_internal.h"

#define ETH_HDR        14
#define ETH_TYPE_AT    12
#define IPV4_HDR       20 /* without options: the version and IHL byte is 0x45 */
#define IPV4_VIHL      0x45
#define IPV4_FRAG_BITS 0x3fff /* more fragments, and the offset (DF may be set) */
#define IPV6_HDR       40
#define TCP_HDR        20

/* The TCP header next in r, which holds what was captured of the `wire`
 * bytes the IP header claims (never more: a header that fits the capture
 * fits the claim); false when the loop must decide.  An IPv6 payload
 * length of 0 (a jumbogram) ends here too.  *out is cleared only once the
 * frame is taken: the loop clears it itself for one declined. */
static bool tcp_whole(struct snt_reader *r, size_t wire, struct snt_packet *out)
{
    uint8_t h[TCP_HDR]; /* ports, sequence, ack, data offset, flags, ... */
    if (!snt_read_bytes(r, TCP_HDR, h))
        return false;
    size_t hdr = (size_t)(h[12] >> 4) * 4;
    if (hdr < TCP_HDR || !snt_skip(r, hdr - TCP_HDR))
        return false;
    memset(out, 0, sizeof *out);
    out->sport = snt_load_be16(h);
    out->dport = snt_load_be16(h + 2);
    out->seq = snt_load_be32(h + 4);
    out->ack = snt_load_be32(h + 8);
    out->proto = SNT_IPPROTO_TCP;
    out->tcp_flags = h[13];
    struct snt_span payload = snt_reader_rest(r);
    out->payload = payload.p;
    out->payload_len = payload.len;
    out->payload_wire_len = wire - hdr;
    out->truncated = payload.len < out->payload_wire_len;
    return true;
}

static bool ipv4_tcp(struct snt_reader *r, struct snt_packet *out)
{
    uint8_t h[IPV4_HDR];
    if (!snt_read_bytes(r, IPV4_HDR, h) || h[0] != IPV4_VIHL || h[9] != SNT_IPPROTO_TCP)
        return false;
    size_t total = snt_load_be16(h + 2);
    if (total < IPV4_HDR || (snt_load_be16(h + 6) & IPV4_FRAG_BITS))
        return false;
    snt_reader_clip(r, total - IPV4_HDR);
    if (!tcp_whole(r, total - IPV4_HDR, out))
        return false;
    out->src.family = out->dst.family = 4;
    memcpy(out->src.b, h + 12, 4);
    memcpy(out->dst.b, h + 16, 4);
    return true;
}

static bool ipv6_tcp(struct snt_reader *r, struct snt_packet *out)
{
    uint8_t h[IPV6_HDR];
    if (!snt_read_bytes(r, IPV6_HDR, h) || (h[0] >> 4) != 6 || h[6] != SNT_IPPROTO_TCP)
        return false;
    size_t wire = snt_load_be16(h + 4);
    snt_reader_clip(r, wire);
    if (!tcp_whole(r, wire, out))
        return false;
    out->src.family = out->dst.family = 6;
    memcpy(out->src.b, h + 8, 16);
    memcpy(out->dst.b, h + 24, 16);
    return true;
}

bool snt_dec_fast_ethernet_tcp(const uint8_t *frame, size_t caplen, struct snt_packet *out)
{
    uint8_t eth[ETH_HDR]; /* destination, source, type */
    struct snt_reader r = snt_reader_make(frame, caplen);
    if (!frame || !snt_read_bytes(&r, ETH_HDR, eth))
        return false;
    uint16_t type = snt_load_be16(eth + ETH_TYPE_AT);
    if (type == SNT_ETH_IPV4)
        return ipv4_tcp(&r, out);
    if (type == SNT_ETH_IPV6)
        return ipv6_tcp(&r, out);
    return false;
}
