/* Decode tests: hand-built frames for every link type and encapsulation,
 * each also fed at every shorter prefix from an exact-size heap copy. */
#include <stdlib.h>
#include <string.h>

#include "../src/decode_internal.h"
#include "snitrace/decode.h"
#include "snitrace/limits.h"
#include "testutil.h"

#define PKT_MAX 2048

struct pkt {
    uint8_t b[PKT_MAX];
    size_t n;
};

/* ---- builders ------------------------------------------------------------ */

static void put8(struct pkt *p, unsigned v)
{
    if (p->n >= PKT_MAX)
        abort();
    p->b[p->n++] = (uint8_t)v;
}

static void put16(struct pkt *p, unsigned v)
{
    put8(p, v >> 8);
    put8(p, v);
}

static void put16le(struct pkt *p, unsigned v)
{
    put8(p, v);
    put8(p, v >> 8);
}

static void put32(struct pkt *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}

static void puthex(struct pkt *p, const char *hex)
{
    size_t n;
    uint8_t *b = snt_test_hex(hex, &n);
    for (size_t i = 0; i < n; i++)
        put8(p, b[i]);
    free(b);
}

static void putpkt(struct pkt *p, const struct pkt *q)
{
    for (size_t i = 0; i < q->n; i++)
        put8(p, q->b[i]);
}

static void zeros(struct pkt *p, size_t n)
{
    while (n--)
        put8(p, 0);
}

/* A header given in hex, then the inner packet. */
static struct pkt hdr(const char *hex, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    puthex(&p, hex);
    putpkt(&p, &inner);
    return p;
}

static struct pkt text(const char *s)
{
    struct pkt p = {{0}, 0};
    while (*s)
        put8(&p, (uint8_t)*s++);
    return p;
}

/* TCP with PSH|ACK, seq 1000, ack 2000, optwords 4-byte option words. */
static struct pkt tcp_opt(uint16_t sport, uint16_t dport, size_t optwords, struct pkt payload)
{
    struct pkt p = {{0}, 0};
    put16(&p, sport);
    put16(&p, dport);
    put32(&p, 1000);
    put32(&p, 2000);
    put8(&p, (unsigned)(5 + optwords) << 4);
    put8(&p, SNT_TCP_PSH | SNT_TCP_ACK);
    puthex(&p, "ffff 0000 0000");
    for (size_t i = 0; i < optwords; i++)
        puthex(&p, "01010101"); /* NOPs */
    putpkt(&p, &payload);
    return p;
}

static struct pkt tcp(uint16_t sport, uint16_t dport, const char *payload)
{
    return tcp_opt(sport, dport, 0, text(payload));
}

static struct pkt udp(uint16_t sport, uint16_t dport, struct pkt payload)
{
    struct pkt p = {{0}, 0};
    put16(&p, sport);
    put16(&p, dport);
    put16(&p, (unsigned)(8 + payload.n));
    put16(&p, 0);
    putpkt(&p, &payload);
    return p;
}

/* IPv4 with src a.1.1.1 and dst a.2.2.2, optwords option words, the given
 * flags/offset field and total length claimed for wire_len payload bytes. */
static struct pkt ip4_full(uint8_t a, uint8_t proto, size_t optwords, uint16_t frag,
                           size_t wire_len, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    put8(&p, 0x45 + (unsigned)optwords);
    put8(&p, 0);
    put16(&p, (unsigned)(20 + optwords * 4 + wire_len));
    put16(&p, 0x1234);
    put16(&p, frag);
    put8(&p, 64);
    put8(&p, proto);
    put16(&p, 0);
    put32(&p, (uint32_t)a << 24 | 0x010101);
    put32(&p, (uint32_t)a << 24 | 0x020202);
    for (size_t i = 0; i < optwords; i++)
        puthex(&p, i + 1 == optwords ? "01010100" : "01010101"); /* NOPs, EOL */
    putpkt(&p, &inner);
    return p;
}

static struct pkt ip4(uint8_t proto, struct pkt inner)
{
    return ip4_full(10, proto, 0, 0x4000, inner.n, inner);
}

static struct pkt ip4o(uint8_t proto, struct pkt inner) /* outer: 192.x */
{
    return ip4_full(192, proto, 0, 0x4000, inner.n, inner);
}

/* IPv6 from a::1 to a::2 where a is the first address byte. */
static struct pkt ip6_from(uint8_t a, uint8_t nh, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    puthex(&p, "60000000");
    put16(&p, (unsigned)inner.n);
    put8(&p, nh);
    put8(&p, 64);
    put8(&p, a);
    puthex(&p, "01 0db8 0000 0000 0000 0000 0000 00 01");
    put8(&p, a);
    puthex(&p, "01 0db8 0000 0000 0000 0000 0000 00 02");
    putpkt(&p, &inner);
    return p;
}

static struct pkt ip6(uint8_t nh, struct pkt inner)
{
    return ip6_from(0x20, nh, inner);
}

static struct pkt ip6o(uint8_t nh, struct pkt inner)
{
    return ip6_from(0xfd, nh, inner);
}

/* Hop-by-hop, routing or destination options of (len + 1) * 8 bytes. */
static struct pkt ext6(uint8_t nh, uint8_t len, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    put8(&p, nh);
    put8(&p, len);
    zeros(&p, (size_t)len * 8 + 6);
    putpkt(&p, &inner);
    return p;
}

static struct pkt frag6(uint8_t nh, uint16_t offset, bool more, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    put8(&p, nh);
    put8(&p, 0);
    put16(&p, (unsigned)(offset << 3) | (more ? 1 : 0));
    put32(&p, 42);
    putpkt(&p, &inner);
    return p;
}

/* AH (RFC 4302): 24 bytes, 12 of them ICV; the length counts 4-byte words
 * minus 2. */
static struct pkt ah6(uint8_t nh, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    put8(&p, nh);
    puthex(&p, "04 0000 00000100 00000001 000000000000000000000000");
    putpkt(&p, &inner);
    return p;
}

static struct pkt eth(uint16_t type, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    puthex(&p, "020000000001 020000000002");
    put16(&p, type);
    putpkt(&p, &inner);
    return p;
}

static struct pkt tag(uint16_t type, struct pkt inner) /* 802.1Q, VLAN 100 */
{
    struct pkt p = {{0}, 0};
    put16(&p, 100);
    put16(&p, type);
    putpkt(&p, &inner);
    return p;
}

static struct pkt pad_to(struct pkt p, size_t n)
{
    while (p.n < n)
        put8(&p, 0);
    return p;
}

static struct pkt cut(struct pkt p, size_t n)
{
    p.n = n < p.n ? n : p.n;
    return p;
}

static struct pkt snap(uint16_t type, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    puthex(&p, "aa aa 03 000000");
    put16(&p, type);
    putpkt(&p, &inner);
    return p;
}

/* A length field (16 bits, big-endian) in front of the inner packet. */
static struct pkt len16(struct pkt inner)
{
    struct pkt p = {{0}, 0};
    put16(&p, (unsigned)inner.n);
    putpkt(&p, &inner);
    return p;
}

static struct pkt pppoe(uint16_t proto, struct pkt inner)
{
    struct pkt p = {{0}, 0};
    puthex(&p, "11 00 0001");
    put16(&p, (unsigned)(inner.n + 2));
    put16(&p, proto);
    putpkt(&p, &inner);
    return p;
}

/* NFLOG: a prefix TLV (odd length, so padded), the payload TLV, then one
 * more TLV; TLV lengths and types in the given byte order. */
static struct pkt nflog(bool le, struct pkt ip)
{
    struct pkt p = {{0}, 0};
    put8(&p, (ip.b[0] >> 4) == 6 ? 10 : 2); /* AF_INET6 / AF_INET */
    puthex(&p, "00 0000");
    puthex(&p, le ? "0700 0a00 616200 00" : "0007 000a 616200 00");
    if (le) {
        put16le(&p, (unsigned)(4 + ip.n));
        put16le(&p, 9);
    } else {
        put16(&p, (unsigned)(4 + ip.n));
        put16(&p, 9);
    }
    putpkt(&p, &ip);
    zeros(&p, (4 - ip.n % 4) % 4);
    puthex(&p, le ? "0800 0b00 00000001" : "0008 000b 00000001");
    return p;
}

/* GTP-U T-PDU; optional fields (sequence, N-PDU, extensions) in hex. */
static struct pkt gtpu(const char *optional, struct pkt inner)
{
    struct pkt h = hdr(optional, inner);
    struct pkt p = {{0}, 0};
    put8(&p, optional[0] ? 0x34 : 0x30);
    put8(&p, 0xff);
    put16(&p, (unsigned)h.n);
    put32(&p, 0x11223344);
    putpkt(&p, &h);
    return p;
}

/* ---- frames -------------------------------------------------------------- */

enum frame {
    F_ETH_TCP,
    F_ETH_SYN_PADDED,
    F_ETH_TRAILER,
    F_IP4_OPTIONS,
    F_TCP_OPTIONS,
    F_TCP_OPTIONS_CUT,
    F_ETH_UDP,
    F_ETH_ICMP,
    F_ETH_ARP,
    F_ETH_IP6,
    F_IP6_PADDED,
    F_IP6_CHAIN,
    F_IP6_PLEN0,
    F_IP6_PLEN0_PADDED,
    F_IP6_JUMBO,
    F_IP6_JUMBO_SMALL,
    F_IP6_ESP,
    F_IP6_FIRST_FRAG,
    F_IP6_LATER_FRAG,
    F_IP4_FIRST_FRAG,
    F_IP4_LATER_FRAG,
    F_IP4_BAD_IHL,
    F_IP4_SHORT_TOTAL,
    F_IP4_TSO,
    F_IP4_PROTO_HOP,
    F_TCP_BAD_OFFSET,
    F_UDP_SHORT_LEN,
    F_UDP_LONG_LEN,
    F_UDP_TRAILING,
    F_VLAN,
    F_QINQ,
    F_QINQ_9100,
    F_VLAN_8023,
    F_LLC_SNAP,
    F_LLC_STP,
    F_TAGS_AT_LIMIT,
    F_TAGS_PAST_LIMIT,
    F_TAGS_8,
    F_CARRIER_STACK,
    F_PBB,
    F_MPLS,
    F_MPLS6,
    F_MPLS_NULL6,
    F_MPLS_PW,
    F_MPLS_DEEP,
    F_PPPOE,
    F_PPPOE6,
    F_PPPOE_LCP,
    F_PPPOE_DISC,
    F_SLL,
    F_SLL_LLC,
    F_SLL_NETLINK,
    F_SLL2,
    F_RAW4,
    F_RAW6,
    F_RAW_BAD,
    F_NULL_LE,
    F_NULL_BE,
    F_NULL_V6_10,
    F_NULL_V6_24,
    F_NULL_V6_28,
    F_NULL_V6_30,
    F_NULL_OTHER,
    F_PPP,
    F_PPP_BARE,
    F_PPP_PFC,
    F_PPP_LCP,
    F_PPP_MPLS,
    F_PPP_VJ,
    F_CHDLC,
    F_CHDLC6,
    F_CHDLC_SLARP,
    F_NFLOG_LE,
    F_NFLOG_BE,
    F_NFLOG_NOPAYLOAD,
    F_NFLOG_ZERO_TLV,
    F_FDDI,
    F_FDDI_SMT,
    F_ARCNET_1051,
    F_ARCNET_1201,
    F_ARCNET_ARP,
    F_RADIOTAP,
    F_RADIOTAP_TSFT,
    F_RADIOTAP_EXT,
    F_RADIOTAP_WEP,
    F_RADIOTAP_BEACON,
    F_PPI,
    F_PPI_ETH,
    F_WLAN_4ADDR_AMSDU,
    F_WLAN_FRAG,
    F_IP4IN4,
    F_IP6IN4,
    F_IP4IN6,
    F_IP6IN6,
    F_IP4IN4_BAD,
    F_GRE,
    F_GRE_OPTS,
    F_GRE_ROUTING,
    F_GRE_TEB,
    F_GRE_MPLS,
    F_GRE_ARP,
    F_ERSPAN1,
    F_ERSPAN2,
    F_ERSPAN2_BAD,
    F_ERSPAN3,
    F_ERSPAN3_SUB,
    F_PPTP,
    F_GRE_V2,
    F_VXLAN,
    F_VXLAN_BAD,
    F_VXLAN_SHORT,
    F_VXLAN_SPORT,
    F_VXLAN_INNER_BAD,
    F_VXLAN_GPE,
    F_GENEVE,
    F_GENEVE_IP,
    F_GENEVE_BAD,
    F_GTPU,
    F_GTPU_EXT,
    F_GTPU_ECHO,
    F_GTPU_BADLEN,
    F_TEREDO,
    F_TEREDO_ORIGIN,
    F_TEREDO_AUTH,
    F_TEREDO_BUBBLE,
    F_TEREDO_NOT,
    F_NESTED,
};

#define TCP_IN      tcp(1234, 443, "hello")
#define UDP_IN      udp(5353, 53, text("dns?"))
#define IP4_TCP     ip4(SNT_IPPROTO_TCP, TCP_IN)
#define IP6_TCP     ip6(SNT_IPPROTO_TCP, TCP_IN)
#define ETH_IP4_TCP eth(0x0800, IP4_TCP)

static struct pkt build(enum frame f);
static struct pkt build_link(enum frame f);
static struct pkt build_other_links(enum frame f);
static struct pkt build_tunnel(enum frame f);
static struct pkt build_udp_tunnel(enum frame f);

/* The frame with one byte changed. */
static struct pkt poke(struct pkt p, size_t off, uint8_t v)
{
    p.b[off] = v;
    return p;
}

static struct pkt f_ip4_first_frag(void)
{
    struct pkt u = cut(udp(53, 5353, pad_to(text("y"), 300)), 48);
    return eth(0x0800, ip4_full(10, 17, 0, 0x2000, u.n, u));
}

static struct pkt f_tags(unsigned n)
{
    struct pkt p = IP4_TCP;
    for (unsigned i = 0; i < n; i++)
        p = tag(i == 0 ? 0x0800 : 0x8100, p);
    return eth(0x8100, p);
}

/* What a carrier link may carry: QinQ, a three-label MPLS stack, an
 * Ethernet pseudowire with its own two tags, IPv4, VXLAN, and inside it
 * Ethernet, a tag and IPv4 again: 14 levels. */
static struct pkt f_carrier_stack(void)
{
    struct pkt inner = eth(0x8100, tag(0x0800, IP4_TCP));
    struct pkt vxlan = ip4o(17, udp(40000, 4789, hdr("08000000 00006400", inner)));
    struct pkt pw = eth(0x88a8, tag(0x8100, tag(0x0800, vxlan)));
    struct pkt mpls = hdr("000100ff 000200ff 00031140 00000000", pw);
    return eth(0x88a8, tag(0x8100, tag(0x8847, mpls)));
}

static struct pkt f_mpls_deep(void)
{
    struct pkt p = hdr("00011140", IP4_TCP);
    for (int i = 0; i < 16; i++)
        p = hdr("000100ff", p);
    return eth(0x8847, p);
}

/* IPv4, IPv6, TCP and UDP over Ethernet. */
static struct pkt build_ip(enum frame f)
{
    switch (f) {
    case F_ETH_TCP: return ETH_IP4_TCP;
    case F_ETH_SYN_PADDED: return pad_to(eth(0x0800, ip4(6, tcp(1234, 80, ""))), 60);
    case F_ETH_TRAILER: return pad_to(eth(0x0800, ip4(17, UDP_IN)), 80);
    case F_IP4_OPTIONS: return eth(0x0800, ip4_full(10, 6, 3, 0, TCP_IN.n, TCP_IN));
    case F_TCP_OPTIONS: return eth(0x0800, ip4(6, tcp_opt(1234, 443, 3, text("hello"))));
    case F_TCP_OPTIONS_CUT: return cut(build(F_TCP_OPTIONS), 14 + 20 + 24);
    case F_ETH_UDP: return eth(0x0800, ip4(17, UDP_IN));
    case F_ETH_ICMP: return eth(0x0800, ip4(1, text("\x08\x01pingping")));
    case F_ETH_ARP: return eth(0x0806, text("arp-payload-here"));
    case F_ETH_IP6: return eth(0x86dd, IP6_TCP);
    case F_IP6_PADDED: return pad_to(eth(0x86dd, ip6(6, tcp(1234, 80, ""))), 100);
    case F_IP6_CHAIN:
        return eth(
            0x86dd,
            ip6(0, ext6(60, 0, ext6(43, 1, frag6(51, 0, false, ah6(60, ext6(17, 2, UDP_IN)))))));
    case F_IP6_ESP: return eth(0x86dd, ip6(0, ext6(50, 0, text("espespespesp"))));
    /* Payload length 0 without a jumbo option: nothing follows the header,
     * whatever the capture holds after it. */
    case F_IP6_PLEN0: return poke(poke(eth(0x86dd, IP6_TCP), 14 + 4, 0), 14 + 5, 0);
    case F_IP6_PLEN0_PADDED: return pad_to(eth(0x86dd, ip6(59, text(""))), 80);
    /* RFC 2675: a Hop-by-Hop Jumbo Payload option of 65536 bytes. */
    case F_IP6_JUMBO:
        return poke(poke(eth(0x86dd, ip6(0, hdr("06 00 c2 04 00010000", TCP_IN))), 18, 0), 19, 0);
    case F_IP6_JUMBO_SMALL:
        return poke(poke(eth(0x86dd, ip6(0, hdr("06 00 c2 04 0000ffff", TCP_IN))), 18, 0), 19, 0);
    case F_IP6_FIRST_FRAG:
        return eth(0x86dd,
                   ip6(44, frag6(17, 0, true, cut(udp(53, 5353, pad_to(text("x"), 200)), 48))));
    case F_IP6_LATER_FRAG: return eth(0x86dd, ip6(44, frag6(17, 6, false, text("later bytes"))));
    case F_IP4_FIRST_FRAG: return f_ip4_first_frag();
    case F_IP4_LATER_FRAG: return eth(0x0800, ip4_full(10, 17, 0, 0x0006, 11, text("later bytes")));
    case F_IP4_BAD_IHL: return poke(ETH_IP4_TCP, 14, 0x44);
    case F_IP4_SHORT_TOTAL: return poke(poke(ETH_IP4_TCP, 16, 0), 17, 16);
    case F_IP4_TSO: return poke(poke(ETH_IP4_TCP, 16, 0), 17, 0);
    case F_IP4_PROTO_HOP: return eth(0x0800, ip4(0, text("not an ipv4 thing")));
    case F_TCP_BAD_OFFSET: return poke(ETH_IP4_TCP, 14 + 20 + 12, 0x40);
    case F_UDP_SHORT_LEN: return poke(build(F_ETH_UDP), 14 + 20 + 5, 7);
    case F_UDP_LONG_LEN: return poke(build(F_ETH_UDP), 14 + 20 + 5, 200);
    case F_UDP_TRAILING: return poke(build(F_ETH_UDP), 14 + 20 + 5, 10);
    default: return build_link(f);
    }
}

/* Tags, MPLS, PPPoE, cooked, raw, loopback, PPP and HDLC. */
static struct pkt build_link(enum frame f)
{
    switch (f) {
    case F_VLAN: return eth(0x8100, tag(0x0800, IP4_TCP));
    case F_QINQ: return eth(0x88a8, tag(0x8100, tag(0x86dd, IP6_TCP)));
    case F_QINQ_9100: return eth(0x9100, tag(0x8100, tag(0x0800, IP4_TCP)));
    case F_VLAN_8023: return eth(0x8100, hdr("0064", len16(snap(0x0800, IP4_TCP))));
    case F_LLC_SNAP:
        return pad_to(hdr("020000000001 020000000002", len16(snap(0x0800, ip4(17, UDP_IN)))), 90);
    case F_LLC_STP:
        return hdr("020000000001 020000000002", len16(hdr("42 42 03 0000 00", text("bpdu"))));
    /* Ethernet, the tags and IPv4 each count one level. */
    case F_TAGS_AT_LIMIT: return f_tags(SNT_MAX_DECODE_DEPTH - 2);
    case F_TAGS_PAST_LIMIT: return f_tags(SNT_MAX_DECODE_DEPTH - 1);
    case F_TAGS_8: return f_tags(8);
    case F_CARRIER_STACK: return f_carrier_stack();
    case F_PBB: return eth(0x88e7, hdr("00 000064", ETH_IP4_TCP));
    case F_MPLS: return eth(0x8847, hdr("000100ff 00011140", IP4_TCP));
    case F_MPLS6: return eth(0x8848, hdr("00011140", IP6_TCP));
    case F_MPLS_NULL6: return eth(0x8847, hdr("00002140", IP6_TCP));
    case F_MPLS_PW: return eth(0x8847, hdr("000100ff 00011140 00000000", ETH_IP4_TCP));
    case F_MPLS_DEEP: return f_mpls_deep();
    case F_PPPOE: return pad_to(eth(0x8864, pppoe(0x0021, ip4(6, tcp(1, 2, "")))), 64);
    case F_PPPOE6: return eth(0x8100, tag(0x8864, pppoe(0x0057, IP6_TCP)));
    case F_PPPOE_LCP: return eth(0x8864, pppoe(0xc021, text("lcp-echo")));
    case F_PPPOE_DISC: return eth(0x8863, hdr("11 09 0000 0000", text("")));
    case F_SLL: return hdr("0000 0001 0006 020000000001 0000 0800", IP4_TCP);
    case F_SLL_LLC: return hdr("0000 0001 0006 020000000001 0000 0004", snap(0x86dd, IP6_TCP));
    case F_SLL_NETLINK: return hdr("0000 0338 0000 0000000000000000 0000", text("netlink-message"));
    case F_SLL2: return hdr("86dd 0000 00000002 0001 00 06 020000000001 0000", IP6_TCP);
    case F_RAW4: return IP4_TCP;
    case F_RAW6: return IP6_TCP;
    case F_RAW_BAD: return text("\x50not ip");
    case F_NULL_LE: return hdr("02000000", IP4_TCP);
    case F_NULL_BE: return hdr("00000002", IP4_TCP);
    case F_NULL_V6_10: return hdr("0a000000", IP6_TCP);
    case F_NULL_V6_24: return hdr("18000000", IP6_TCP);
    case F_NULL_V6_28: return hdr("1c000000", IP6_TCP);
    case F_NULL_V6_30: return hdr("0000001e", IP6_TCP);
    case F_NULL_OTHER: return hdr("07000000", text("appletalk"));
    case F_PPP: return hdr("ff03 0021", IP4_TCP);
    case F_PPP_BARE: return hdr("0057", IP6_TCP);
    case F_PPP_PFC: return hdr("21", IP4_TCP);
    case F_PPP_LCP: return hdr("ff03 c021", text("lcp"));
    case F_PPP_MPLS: return hdr("ff03 0281 00011140", IP4_TCP);
    case F_PPP_VJ: return hdr("ff03 002d", text("compressed"));
    case F_CHDLC: return hdr("0f00 0800", IP4_TCP);
    case F_CHDLC6: return hdr("8f00 86dd", IP6_TCP);
    case F_CHDLC_SLARP: return hdr("8f00 8035", text("slarp-keepalive"));
    default: return build_other_links(f);
    }
}

/* NFLOG, FDDI, ARCnet and 802.11. */
static struct pkt build_other_links(enum frame f)
{
    switch (f) {
    case F_NFLOG_LE: return nflog(true, ip4(17, UDP_IN));
    case F_NFLOG_BE: return nflog(false, IP6_TCP);
    case F_NFLOG_NOPAYLOAD: return hdr("02 00 0000 0800 0b00 00000001", text(""));
    case F_NFLOG_ZERO_TLV: return hdr("02 00 0000 0000 0b00 00000001", text(""));
    case F_FDDI: return hdr("50 020000000001 020000000002", snap(0x0800, IP4_TCP));
    case F_FDDI_SMT: return hdr("41 020000000001 020000000002", text("station management"));
    case F_ARCNET_1051: return hdr("01 02 0000 f0", IP4_TCP);
    case F_ARCNET_1201: return hdr("01 02 0000 d4 00 0000", IP4_TCP);
    case F_ARCNET_ARP: return hdr("01 02 0000 f1", text("arp-request"));
    /* QoS data to the AP behind radiotap with the data-pad flag: 2 pad bytes. */
    case F_RADIOTAP:
        return hdr("00 00 0c00 02000000 20 000000"
                   "8801 0000 020000000001 020000000002 020000000003 1000 0000 0000",
                   snap(0x0800, IP4_TCP));
    /* TSFT before the flags, 8-aligned after the present word. */
    case F_RADIOTAP_TSFT:
        return hdr("00 00 1200 03000000 1122334455667788 00 00"
                   "0802 0000 020000000001 020000000002 020000000003 2000",
                   snap(0x86dd, IP6_TCP));
    case F_RADIOTAP_EXT:
        return hdr("00 00 1400 02000080 00000000 00000000 00 000000"
                   "0801 0000 020000000001 020000000002 020000000003 2000",
                   snap(0x0800, IP4_TCP));
    case F_RADIOTAP_WEP:
        return hdr("00 00 0800 00000000 0841 0000 020000000001 020000000002 020000000003 2000",
                   text("encrypted-body"));
    case F_RADIOTAP_BEACON:
        return hdr("00 00 0800 00000000 8000 0000 ffffffffffff 020000000002 020000000002 2000",
                   text("beacon body"));
    case F_PPI:
        return hdr("00 00 0800 69000000 0802 0000 020000000001 020000000002 020000000003 2000",
                   snap(0x0800, ip4(17, UDP_IN)));
    case F_PPI_ETH: return hdr("00 00 0800 01000000", ETH_IP4_TCP);
    case F_WLAN_4ADDR_AMSDU:
        return hdr("8803 0000 020000000001 020000000002 020000000003 3000 020000000004 8000"
                   "020000000001 020000000002",
                   len16(snap(0x0800, IP4_TCP)));
    case F_WLAN_FRAG:
        return hdr("0802 0000 020000000001 020000000002 020000000003 2100",
                   text("second fragment"));
    default: return build_tunnel(f);
    }
}

/* IP-in-IP, GRE and ERSPAN. */
static struct pkt build_tunnel(enum frame f)
{
    switch (f) {
    case F_IP4IN4: return eth(0x0800, ip4o(4, IP4_TCP));
    case F_IP6IN4: return eth(0x0800, ip4o(41, IP6_TCP));
    case F_IP4IN6: return eth(0x86dd, ip6o(4, IP4_TCP));
    case F_IP6IN6: return eth(0x86dd, ip6o(41, IP6_TCP));
    case F_IP4IN4_BAD: return eth(0x0800, ip4o(4, text("\x46garbage")));
    case F_GRE: return eth(0x0800, ip4o(47, hdr("0000 0800", IP4_TCP)));
    case F_GRE_OPTS:
        return eth(0x0800, ip4o(47, hdr("b000 86dd 12340000 0000abcd 00000007", IP6_TCP)));
    case F_GRE_ROUTING:
        return eth(0x0800,
                   ip4o(47, hdr("4000 0800 00000000 0800 00 04 01020304 0000 00 00", IP4_TCP)));
    case F_GRE_TEB: return eth(0x86dd, ip6o(47, hdr("2000 6558 00000001", ETH_IP4_TCP)));
    case F_GRE_MPLS: return eth(0x0800, ip4o(47, hdr("0000 8847 00011140", IP4_TCP)));
    case F_GRE_ARP: return eth(0x0800, ip4o(47, hdr("0000 6558", build(F_ETH_ARP))));
    case F_ERSPAN1: return eth(0x0800, ip4o(47, hdr("0000 88be", ETH_IP4_TCP)));
    case F_ERSPAN2:
        return eth(0x0800, ip4o(47, hdr("1000 88be 00000001 1064 0001 00000000", ETH_IP4_TCP)));
    case F_ERSPAN2_BAD:
        return eth(0x0800, ip4o(47, hdr("1000 88be 00000001 3064 0001 00000000", ETH_IP4_TCP)));
    case F_ERSPAN3:
        return eth(0x0800,
                   ip4o(47, hdr("1000 22eb 00000001 2064 0001 00000000 0000 0000", build(F_VLAN))));
    case F_ERSPAN3_SUB:
        return eth(0x0800,
                   ip4o(47, hdr("1000 22eb 00000001 2064 0001 00000000 0000 0001 0000000000000000",
                                ETH_IP4_TCP)));
    case F_PPTP:
        return eth(0x0800,
                   ip4o(47, hdr("3081 880b 0020 0001 00000005 00000004 ff03 0021", IP4_TCP)));
    case F_GRE_V2: return eth(0x0800, ip4o(47, hdr("0002 0800", IP4_TCP)));
    default: return build_udp_tunnel(f);
    }
}

/* Tunnels in UDP, and ports that only look like them. */
static struct pkt build_udp_tunnel(enum frame f)
{
    switch (f) {
    case F_VXLAN:
        return eth(0x0800, ip4o(17, udp(40000, 4789, hdr("08000000 00006400", ETH_IP4_TCP))));
    case F_VXLAN_BAD:
        return eth(0x0800, ip4o(17, udp(40000, 4789, hdr("01000000 00006400", ETH_IP4_TCP))));
    case F_VXLAN_SHORT: return eth(0x0800, ip4o(17, udp(40000, 4789, text("short"))));
    case F_VXLAN_SPORT:
        return eth(0x0800, ip4o(17, udp(4789, 53, hdr("08000000 00006400", ETH_IP4_TCP))));
    case F_VXLAN_INNER_BAD:
        return eth(0x0800,
                   ip4o(17, udp(40000, 4789, hdr("08000000 00006400", eth(0x0800, text("\x45"))))));
    case F_VXLAN_GPE:
        return eth(0x0800, ip4o(17, udp(40000, 4790, hdr("0c000002 00006400", IP6_TCP))));
    case F_GENEVE:
        return eth(0x0800,
                   ip4o(17, udp(40000, 6081,
                                hdr("02 00 6558 000064 00 0102 03 01 aabbccdd", ETH_IP4_TCP))));
    case F_GENEVE_IP:
        return eth(0x86dd, ip6o(17, udp(40000, 6081, hdr("00 00 86dd 000064 00", IP6_TCP))));
    case F_GENEVE_BAD:
        return eth(0x0800, ip4o(17, udp(40000, 6081, hdr("40 00 6558 000064 00", ETH_IP4_TCP))));
    case F_GTPU: return eth(0x0800, ip4o(17, udp(2152, 2152, gtpu("", IP4_TCP))));
    case F_GTPU_EXT:
        return eth(0x0800, ip4o(17, udp(2152, 2152, gtpu("0000 00 85 01 10 05 00", IP6_TCP))));
    case F_GTPU_ECHO:
        return eth(0x0800,
                   ip4o(17, udp(2152, 2152, hdr("32 01 0004 00000000 0001 0000", text("")))));
    case F_GTPU_BADLEN:
        return eth(0x0800, ip4o(17, udp(2152, 2152, hdr("30 ff 002c 11223344", IP4_TCP))));
    case F_TEREDO: return eth(0x0800, ip4o(17, udp(3544, 40000, IP6_TCP)));
    case F_TEREDO_ORIGIN:
        return eth(0x0800, ip4o(17, udp(40000, 3544, hdr("0000 1234 c0000201", IP6_TCP))));
    case F_TEREDO_AUTH:
        return eth(0x0800,
                   ip4o(17, udp(3544, 40000,
                                hdr("0001 02 01 aabb cc 0102030405060708 00 0000 1234 c0000201",
                                    IP6_TCP))));
    case F_TEREDO_BUBBLE: return eth(0x0800, ip4o(17, udp(3544, 40000, ip6(59, text("")))));
    case F_TEREDO_NOT:
        return eth(0x0800, ip4o(17, udp(3544, 40000, text("just some udp payload"))));
    case F_NESTED:
        return eth(
            0x0800,
            ip4o(47, hdr("0000 6558",
                         eth(0x8100,
                             tag(0x0800,
                                 ip4o(17, udp(1, 4789, hdr("08000000 00006400", ETH_IP4_TCP))))))));
    default: abort();
    }
}

static struct pkt build(enum frame f)
{
    return build_ip(f);
}

/* ---- the table ----------------------------------------------------------- */

struct dcase {
    const char *name;
    int linktype;
    enum frame frame;
    enum snt_decode_status status;
    uint8_t family, src0; /* src0: first byte of the source address */
    uint16_t sport, dport;
    uint8_t proto;
    size_t payload_len, wire_len;
    bool truncated, fragment;
    bool no_length; /* IP length 0: a prefix looks like a whole packet */
};

#define OK_TCP4              SNT_DECODE_OK, 4, 10, 1234, 443, 6, 5, 5, false, false, false
#define OK_TCP6              SNT_DECODE_OK, 6, 0x20, 1234, 443, 6, 5, 5, false, false, false
#define OK_UDP4              SNT_DECODE_OK, 4, 10, 5353, 53, 17, 4, 4, false, false, false
#define OK_UDP6              SNT_DECODE_OK, 6, 0x20, 5353, 53, 17, 4, 4, false, false, false
#define OUTER_UDP(sp, dp, n) SNT_DECODE_OK, 4, 192, sp, dp, 17, n, n, false, false, false
#define FAIL(st)             SNT_DECODE_##st, 0, 0, 0, 0, 0, 0, 0, false, false, false

static const struct dcase cases[] = {
    {"ethernet ipv4 tcp", 1, F_ETH_TCP, OK_TCP4},
    {"ethernet padding after a SYN", 1, F_ETH_SYN_PADDED, SNT_DECODE_OK, 4, 10, 1234, 80, 6, 0, 0,
     false, false, false},
    {"ethernet trailer after udp", 1, F_ETH_TRAILER, OK_UDP4},
    {"ipv4 options", 1, F_IP4_OPTIONS, OK_TCP4},
    {"tcp options", 1, F_TCP_OPTIONS, OK_TCP4},
    {"tcp options cut by snaplen", 1, F_TCP_OPTIONS_CUT, SNT_DECODE_OK, 4, 10, 1234, 443, 6, 0, 5,
     true, false, false},
    {"ipv4 udp", 1, F_ETH_UDP, OK_UDP4},
    {"ipv4 icmp", 1, F_ETH_ICMP, FAIL(OTHER_PROTO)},
    {"arp", 1, F_ETH_ARP, FAIL(NOT_IP)},
    {"ipv6 tcp", 1, F_ETH_IP6, OK_TCP6},
    {"ipv6 with ethernet padding", 1, F_IP6_PADDED, SNT_DECODE_OK, 6, 0x20, 1234, 80, 6, 0, 0,
     false, false, false},
    {"ipv6 extension chain", 1, F_IP6_CHAIN, OK_UDP6},
    {"ipv6 esp", 1, F_IP6_ESP, FAIL(OTHER_PROTO)},
    {"ipv6 payload length 0", 1, F_IP6_PLEN0, FAIL(MALFORMED)},
    {"ipv6 no next header, padded", 1, F_IP6_PLEN0_PADDED, FAIL(OTHER_PROTO)},
    {"ipv6 jumbogram", 1, F_IP6_JUMBO, SNT_DECODE_OK, 6, 0x20, 1234, 443, 6, 5, 65536 - 8 - 20,
     true, false, false},
    {"ipv6 jumbo option below 65536", 1, F_IP6_JUMBO_SMALL, FAIL(MALFORMED)},
    {"ipv6 first fragment", 1, F_IP6_FIRST_FRAG, SNT_DECODE_OK, 6, 0x20, 53, 5353, 17, 40, 200,
     true, true, false},
    {"ipv6 later fragment", 1, F_IP6_LATER_FRAG, FAIL(FRAGMENT)},
    {"ipv4 first fragment", 1, F_IP4_FIRST_FRAG, SNT_DECODE_OK, 4, 10, 53, 5353, 17, 40, 300, true,
     true, false},
    {"ipv4 later fragment", 1, F_IP4_LATER_FRAG, FAIL(FRAGMENT)},
    {"ipv4 ihl 4", 1, F_IP4_BAD_IHL, FAIL(MALFORMED)},
    {"ipv4 total length < ihl", 1, F_IP4_SHORT_TOTAL, FAIL(MALFORMED)},
    {"ipv4 total length 0 (offload)", 1, F_IP4_TSO, SNT_DECODE_OK, 4, 10, 1234, 443, 6, 5, 5, false,
     false, true},
    {"ipv4 protocol 0", 1, F_IP4_PROTO_HOP, FAIL(OTHER_PROTO)},
    {"tcp data offset 4", 1, F_TCP_BAD_OFFSET, FAIL(MALFORMED)},
    {"udp length 7", 1, F_UDP_SHORT_LEN, FAIL(MALFORMED)},
    {"udp length beyond ip", 1, F_UDP_LONG_LEN, FAIL(MALFORMED)},
    {"udp length short of ip", 1, F_UDP_TRAILING, SNT_DECODE_OK, 4, 10, 5353, 53, 17, 2, 2, false,
     false, false},
    {"802.1q", 1, F_VLAN, OK_TCP4},
    {"802.1ad qinq", 1, F_QINQ, OK_TCP6},
    {"0x9100 qinq", 1, F_QINQ_9100, OK_TCP4},
    {"802.1q then 802.3", 1, F_VLAN_8023, OK_TCP4},
    {"802.3 llc snap, padded", 1, F_LLC_SNAP, OK_UDP4},
    {"802.3 llc stp", 1, F_LLC_STP, FAIL(NOT_IP)},
    {"tags up to the depth limit", 1, F_TAGS_AT_LIMIT, OK_TCP4},
    {"tags past the depth limit", 1, F_TAGS_PAST_LIMIT, FAIL(TOO_DEEP)},
    {"eight stacked vlan tags", 1, F_TAGS_8, OK_TCP4},
    {"qinq, mpls, pseudowire, tags, vxlan, tag", 1, F_CARRIER_STACK, OK_TCP4},
    {"802.1ah", 1, F_PBB, OK_TCP4},
    {"mpls two labels", 1, F_MPLS, OK_TCP4},
    {"mpls multicast ipv6", 1, F_MPLS6, OK_TCP6},
    {"mpls ipv6 explicit null", 1, F_MPLS_NULL6, OK_TCP6},
    {"mpls ethernet pseudowire", 1, F_MPLS_PW, OK_TCP4},
    {"mpls 17 labels", 1, F_MPLS_DEEP, FAIL(TOO_DEEP)},
    {"pppoe padded", 1, F_PPPOE, SNT_DECODE_OK, 4, 10, 1, 2, 6, 0, 0, false, false, false},
    {"pppoe ipv6 in vlan", 1, F_PPPOE6, OK_TCP6},
    {"pppoe lcp", 1, F_PPPOE_LCP, FAIL(NOT_IP)},
    {"pppoe discovery", 1, F_PPPOE_DISC, FAIL(NOT_IP)},
    {"sll", 113, F_SLL, OK_TCP4},
    {"sll 802.2", 113, F_SLL_LLC, OK_TCP6},
    {"sll netlink", 113, F_SLL_NETLINK, FAIL(NOT_IP)},
    {"sll2", 276, F_SLL2, OK_TCP6},
    {"raw ipv4", 101, F_RAW4, OK_TCP4},
    {"raw ipv6", 101, F_RAW6, OK_TCP6},
    {"dlt raw 12", 12, F_RAW4, OK_TCP4},
    {"dlt raw 14", 14, F_RAW6, OK_TCP6},
    {"raw not ip", 101, F_RAW_BAD, FAIL(MALFORMED)},
    {"linktype ipv4", 228, F_RAW4, OK_TCP4},
    {"linktype ipv4 given ipv6", 228, F_RAW6, FAIL(MALFORMED)},
    {"linktype ipv6", 229, F_RAW6, OK_TCP6},
    {"null little-endian", 0, F_NULL_LE, OK_TCP4},
    {"null big-endian", 0, F_NULL_BE, OK_TCP4},
    {"null linux inet6", 0, F_NULL_V6_10, OK_TCP6},
    {"null netbsd inet6", 0, F_NULL_V6_24, OK_TCP6},
    {"null freebsd inet6", 0, F_NULL_V6_28, OK_TCP6},
    {"null darwin inet6", 0, F_NULL_V6_30, OK_TCP6},
    {"null other family", 0, F_NULL_OTHER, FAIL(NOT_IP)},
    {"loop", 108, F_NULL_BE, OK_TCP4},
    {"ppp", 9, F_PPP, OK_TCP4},
    {"ppp without address/control", 9, F_PPP_BARE, OK_TCP6},
    {"ppp compressed protocol", 9, F_PPP_PFC, OK_TCP4},
    {"ppp lcp", 9, F_PPP_LCP, FAIL(NOT_IP)},
    {"ppp mpls", 9, F_PPP_MPLS, OK_TCP4},
    {"ppp van jacobson", 9, F_PPP_VJ, FAIL(UNSUPPORTED)},
    {"ppp_hdlc", 50, F_PPP, OK_TCP4},
    {"ppp_hdlc holding cisco hdlc", 50, F_CHDLC, OK_TCP4},
    {"c_hdlc", 104, F_CHDLC, OK_TCP4},
    {"c_hdlc ipv6", 104, F_CHDLC6, OK_TCP6},
    {"c_hdlc slarp", 104, F_CHDLC_SLARP, FAIL(NOT_IP)},
    {"nflog little-endian", 239, F_NFLOG_LE, OK_UDP4},
    {"nflog big-endian", 239, F_NFLOG_BE, OK_TCP6},
    {"nflog without payload", 239, F_NFLOG_NOPAYLOAD, FAIL(NOT_IP)},
    {"nflog tlv length 0", 239, F_NFLOG_ZERO_TLV, FAIL(MALFORMED)},
    {"fddi", 10, F_FDDI, OK_TCP4},
    {"fddi smt", 10, F_FDDI_SMT, FAIL(NOT_IP)},
    {"arcnet rfc 1051", 129, F_ARCNET_1051, OK_TCP4},
    {"arcnet rfc 1201", 129, F_ARCNET_1201, OK_TCP4},
    {"arcnet arp", 129, F_ARCNET_ARP, FAIL(NOT_IP)},
    {"radiotap qos data, padded", 127, F_RADIOTAP, OK_TCP4},
    {"radiotap tsft", 127, F_RADIOTAP_TSFT, OK_TCP6},
    {"radiotap extended bitmap", 127, F_RADIOTAP_EXT, OK_TCP4},
    {"radiotap protected", 127, F_RADIOTAP_WEP, FAIL(NOT_IP)},
    {"radiotap beacon", 127, F_RADIOTAP_BEACON, FAIL(NOT_IP)},
    {"ppi 802.11", 192, F_PPI, OK_UDP4},
    {"ppi ethernet", 192, F_PPI_ETH, OK_TCP4},
    {"802.11 4-address a-msdu", 105, F_WLAN_4ADDR_AMSDU, OK_TCP4},
    {"802.11 later fragment", 105, F_WLAN_FRAG, FAIL(FRAGMENT)},
    {"ipv4 in ipv4", 1, F_IP4IN4, OK_TCP4},
    {"ipv6 in ipv4", 1, F_IP6IN4, OK_TCP6},
    {"ipv4 in ipv6", 1, F_IP4IN6, OK_TCP4},
    {"ipv6 in ipv6", 1, F_IP6IN6, OK_TCP6},
    {"ipv4 in ipv4, inner broken", 1, F_IP4IN4_BAD, FAIL(TRUNCATED)},
    {"gre", 1, F_GRE, OK_TCP4},
    {"gre checksum key sequence", 1, F_GRE_OPTS, OK_TCP6},
    {"gre rfc 1701 routing", 1, F_GRE_ROUTING, OK_TCP4},
    {"gre ethernet over ipv6", 1, F_GRE_TEB, OK_TCP4},
    {"gre mpls", 1, F_GRE_MPLS, OK_TCP4},
    {"gre ethernet arp", 1, F_GRE_ARP, FAIL(NOT_IP)},
    {"erspan type i", 1, F_ERSPAN1, OK_TCP4},
    {"erspan type ii", 1, F_ERSPAN2, OK_TCP4},
    {"erspan type ii, bad version", 1, F_ERSPAN2_BAD, FAIL(MALFORMED)},
    {"erspan type iii", 1, F_ERSPAN3, OK_TCP4},
    {"erspan type iii subheader", 1, F_ERSPAN3_SUB, OK_TCP4},
    {"pptp enhanced gre", 1, F_PPTP, OK_TCP4},
    {"gre version 2", 1, F_GRE_V2, FAIL(UNSUPPORTED)},
    {"vxlan", 1, F_VXLAN, OK_TCP4},
    {"vxlan port, bad flags", 1, F_VXLAN_BAD, OUTER_UDP(40000, 4789, 67)},
    {"vxlan port, short", 1, F_VXLAN_SHORT, OUTER_UDP(40000, 4789, 5)},
    {"vxlan source port only", 1, F_VXLAN_SPORT, OUTER_UDP(4789, 53, 67)},
    {"vxlan, inner truncated", 1, F_VXLAN_INNER_BAD, FAIL(TRUNCATED)},
    {"vxlan-gpe", 1, F_VXLAN_GPE, OK_TCP6},
    {"geneve with options", 1, F_GENEVE, OK_TCP4},
    {"geneve ipv6 over ipv6", 1, F_GENEVE_IP, OK_TCP6},
    {"geneve port, version 1", 1, F_GENEVE_BAD, OUTER_UDP(40000, 6081, 67)},
    {"gtp-u", 1, F_GTPU, OK_TCP4},
    {"gtp-u extension headers", 1, F_GTPU_EXT, OK_TCP6},
    {"gtp-u echo", 1, F_GTPU_ECHO, FAIL(NOT_IP)},
    {"gtp-u port, length mismatch", 1, F_GTPU_BADLEN, OUTER_UDP(2152, 2152, 53)},
    {"teredo", 1, F_TEREDO, OK_TCP6},
    {"teredo origin indicator", 1, F_TEREDO_ORIGIN, OK_TCP6},
    {"teredo authentication and origin", 1, F_TEREDO_AUTH, OK_TCP6},
    {"teredo bubble", 1, F_TEREDO_BUBBLE, FAIL(OTHER_PROTO)},
    {"teredo port, not ipv6", 1, F_TEREDO_NOT, OUTER_UDP(3544, 40000, 21)},
    {"gre, ethernet, vlan, vxlan", 1, F_NESTED, OK_TCP4},
};

/* ---- checks -------------------------------------------------------------- */

static void check_result(const struct dcase *c, enum snt_decode_status st,
                         const struct snt_packet *o)
{
    CHECK_EQ_INT(st, c->status);
    if (st != SNT_DECODE_OK || c->status != SNT_DECODE_OK)
        return;
    CHECK_EQ_INT(o->src.family, c->family);
    CHECK_EQ_INT(o->dst.family, c->family);
    CHECK_EQ_INT(o->src.b[0], c->src0);
    CHECK_EQ_INT(o->sport, c->sport);
    CHECK_EQ_INT(o->dport, c->dport);
    CHECK_EQ_INT(o->proto, c->proto);
    CHECK_EQ_INT(o->payload_len, c->payload_len);
    CHECK_EQ_INT(o->payload_wire_len, c->wire_len);
    CHECK_EQ_INT(o->truncated, c->truncated);
    CHECK_EQ_INT(o->ip_fragment, c->fragment);
    if (c->payload_len == 5 && c->proto == SNT_IPPROTO_TCP)
        CHECK(snt_test_span_eq(o->payload, o->payload_len, "hello"));
    if (c->payload_len == 4 && c->proto == SNT_IPPROTO_UDP)
        CHECK(snt_test_span_eq(o->payload, o->payload_len, "dns?"));
}

/* Every shorter prefix: short of the packet's last meaningful byte, OK only
 * with the payload marked truncated; past it (padding, trailers), the same
 * answer as the whole frame. */
static void check_prefixes(const struct dcase *c, const struct pkt *p, size_t end,
                           const struct snt_packet *whole)
{
    for (size_t len = 0; len < p->n; len++) {
        uint8_t *b = snt_test_exact_copy(p->b, len);
        struct snt_packet o;
        enum snt_decode_status st = snt_decode(c->linktype, b, len, &o);
        if (len < end) {
            CHECK(st != SNT_DECODE_OK || o.truncated || c->no_length);
        } else {
            CHECK_EQ_INT(st, c->status);
            if (st == SNT_DECODE_OK) {
                CHECK_EQ_INT(o.sport, whole->sport);
                CHECK_EQ_INT(o.payload_len, whole->payload_len);
                CHECK_EQ_INT(o.truncated, whole->truncated);
            }
        }
        free(b);
    }
}

static void run_case(const struct dcase *c)
{
    int before = snt_test_failures;
    struct pkt p = build(c->frame);
    uint8_t *b = snt_test_exact_copy(p.b, p.n);
    struct snt_packet o;
    enum snt_decode_status st = snt_decode(c->linktype, b, p.n, &o);
    check_result(c, st, &o);
    CHECK(snt_decode_linktype_supported(c->linktype));
    size_t end = p.n;
    if (st == SNT_DECODE_OK && o.payload)
        end = (size_t)(o.payload - b) + o.payload_len;
    check_prefixes(c, &p, end, &o);
    free(b);
    if (snt_test_failures != before)
        fprintf(stderr, "  ^ in case \"%s\"\n", c->name);
}

static void test_fields(void)
{
    struct pkt p = build(F_IP4IN6);
    struct snt_packet o;
    CHECK_EQ_INT(snt_decode(1, p.b, p.n, &o), SNT_DECODE_OK);
    static const uint8_t src[16] = {10, 1, 1, 1}, dst[16] = {10, 2, 2, 2};
    /* The outer IPv6 addresses must not leak into the inner IPv4 ones. */
    CHECK(memcmp(o.src.b, src, 16) == 0);
    CHECK(memcmp(o.dst.b, dst, 16) == 0);
    CHECK_EQ_INT(o.seq, 1000);
    CHECK_EQ_INT(o.ack, 2000);
    CHECK_EQ_INT(o.tcp_flags, SNT_TCP_PSH | SNT_TCP_ACK);

    p = build(F_ETH_IP6);
    CHECK_EQ_INT(snt_decode(1, p.b, p.n, &o), SNT_DECODE_OK);
    static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    CHECK(memcmp(o.src.b, src6, 16) == 0);
    CHECK_EQ_INT(o.dst.b[15], 2);
}

static void test_linktypes(void)
{
    struct snt_packet o;
    static const uint8_t byte = 0x45;
    CHECK(!snt_decode_linktype_supported(147));
    CHECK(!snt_decode_linktype_supported(-1));
    CHECK(!snt_decode_linktype_supported(100000));
    CHECK_EQ_INT(snt_decode(147, &byte, 1, &o), SNT_DECODE_UNSUPPORTED);
    CHECK_EQ_INT(snt_decode(1, NULL, 0, &o), SNT_DECODE_TRUNCATED);
    CHECK_EQ_INT(snt_decode(101, &byte, 0, &o), SNT_DECODE_TRUNCATED);
}

static bool same_addr(const struct snt_addr *a, const struct snt_addr *b)
{
    return a->family == b->family && memcmp(a->b, b->b, sizeof a->b) == 0;
}

/* Where the fast path takes a frame, the layer loop decodes it the same. */
static void check_fast_agrees(const uint8_t *b, size_t len, unsigned *taken)
{
    struct snt_packet fast, loop;
    if (!snt_dec_fast_ethernet_tcp(b, len, &fast))
        return;
    ++*taken;
    CHECK_EQ_INT(snt_dec_layers(SNT_LINKTYPE_ETHERNET, b, len, &loop), SNT_DECODE_OK);
    CHECK(same_addr(&fast.src, &loop.src) && same_addr(&fast.dst, &loop.dst));
    CHECK(fast.sport == loop.sport && fast.dport == loop.dport && fast.proto == loop.proto);
    CHECK(fast.tcp_flags == loop.tcp_flags && fast.seq == loop.seq && fast.ack == loop.ack);
    CHECK(fast.payload == loop.payload && fast.payload_len == loop.payload_len);
    CHECK_EQ_INT(fast.payload_wire_len, loop.payload_wire_len);
    CHECK(fast.truncated == loop.truncated && fast.ip_fragment == loop.ip_fragment);
}

/* Every Ethernet case, at every length and with each of its header bytes
 * set in turn to values that matter to some header (versions, lengths,
 * protocol numbers, flag bits): the fast path takes some, and what it
 * takes it decodes as the loop does. */
static void test_fast_path(void)
{
    static const uint8_t values[] = {0x00, 0x01, 0x05, 0x06, 0x11, 0x14, 0x20, 0x28, 0x3f, 0x40,
                                     0x45, 0x46, 0x4f, 0x50, 0x60, 0x86, 0xdd, 0xf0, 0xff};
    unsigned taken = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].linktype != SNT_LINKTYPE_ETHERNET)
            continue;
        struct pkt p = build(cases[i].frame);
        for (size_t len = 0; len <= p.n; len++) {
            uint8_t *b = snt_test_exact_copy(p.b, len);
            check_fast_agrees(b, len, &taken);
            for (size_t at = 0; at < len && at < 96; at++) {
                uint8_t was = b[at];
                for (size_t v = 0; v < sizeof values; v++) {
                    b[at] = values[v];
                    check_fast_agrees(b, len, &taken);
                }
                b[at] = was;
            }
            free(b);
        }
    }
    CHECK(taken > 1000);
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    test_fields();
    test_linktypes();
    test_fast_path();
    return snt_test_finish("decode");
}
