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

/* The TCP header at tcp, with `captured` bytes of it and after it in the
 * frame, of the `wire` bytes the IP header claims (captured <= wire: a
 * header that fits the capture fits the claim); false when the loop must
 * decide.  An IPv6 payload length of 0 (a jumbogram) ends here too. */
static bool tcp_whole(const uint8_t *tcp, size_t captured, size_t wire, struct snt_packet *out)
{
    if (captured < TCP_HDR)
        return false;
    size_t hdr = (size_t)(tcp[12] >> 4) * 4;
    if (hdr < TCP_HDR || hdr > captured)
        return false;
    out->sport = snt_load_be16(tcp);
    out->dport = snt_load_be16(tcp + 2);
    out->seq = snt_load_be32(tcp + 4);
    out->ack = snt_load_be32(tcp + 8);
    out->proto = SNT_IPPROTO_TCP;
    out->tcp_flags = tcp[13];
    out->payload = tcp + hdr;
    out->payload_len = captured - hdr;
    out->payload_wire_len = wire - hdr;
    out->truncated = out->payload_len < out->payload_wire_len;
    return true;
}

static bool ipv4_tcp(const uint8_t *ip, size_t captured, struct snt_packet *out)
{
    if (captured < IPV4_HDR || ip[0] != IPV4_VIHL || ip[9] != SNT_IPPROTO_TCP)
        return false;
    size_t total = snt_load_be16(ip + 2);
    if (total < IPV4_HDR || (snt_load_be16(ip + 6) & IPV4_FRAG_BITS))
        return false;
    size_t wire = total - IPV4_HDR, rest = captured - IPV4_HDR;
    if (!tcp_whole(ip + IPV4_HDR, rest < wire ? rest : wire, wire, out))
        return false;
    out->src.family = out->dst.family = 4;
    memcpy(out->src.b, ip + 12, 4);
    memcpy(out->dst.b, ip + 16, 4);
    return true;
}

static bool ipv6_tcp(const uint8_t *ip, size_t captured, struct snt_packet *out)
{
    if (captured < IPV6_HDR || (ip[0] >> 4) != 6 || ip[6] != SNT_IPPROTO_TCP)
        return false;
    size_t wire = snt_load_be16(ip + 4), rest = captured - IPV6_HDR;
    if (!tcp_whole(ip + IPV6_HDR, rest < wire ? rest : wire, wire, out))
        return false;
    out->src.family = out->dst.family = 6;
    memcpy(out->src.b, ip + 8, 16);
    memcpy(out->dst.b, ip + 24, 16);
    return true;
}

bool snt_dec_fast_ethernet_tcp(const uint8_t *frame, size_t caplen, struct snt_packet *out)
{
    if (!frame || caplen < ETH_HDR)
        return false;
    memset(out, 0, sizeof *out);
    uint16_t type = snt_load_be16(frame + ETH_TYPE_AT);
    if (type == SNT_ETH_IPV4)
        return ipv4_tcp(frame + ETH_HDR, caplen - ETH_HDR, out);
    if (type == SNT_ETH_IPV6)
        return ipv6_tcp(frame + ETH_HDR, caplen - ETH_HDR, out);
    return false;
}
