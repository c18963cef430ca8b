/* Link layers, by LINKTYPE (https://www.tcpdump.org/linktypes.html):
 * Ethernet II and 802.3 with LLC/SNAP (IEEE 802.2, RFC 1042), 802.1Q,
 * 802.1ad and pre-standard QinQ tags, 802.1ah backbone tags, MPLS label
 * stacks (RFC 3032) with Ethernet pseudowires behind a control word
 * (RFC 4385, RFC 4448), PPPoE sessions (RFC 2516), PPP (RFC 1661, RFC 1662
 * framing) and Cisco HDLC, Linux cooked captures (SLL, SLL2), BSD loopback
 * (NULL, LOOP), raw IP, NFLOG (linux/netfilter/nfnetlink_log.h), FDDI,
 * Linux ARCnet (RFC 1051, RFC 1201, RFC 2497), and IEEE 802.11 data frames,
 * bare or behind radiotap or PPI headers.
 */
#include "decode_internal.h"

#define ETH_ADDRS    12
#define ETH_MIN_TYPE 0x0600 /* 1501..1535 are neither lengths nor types */

#define LLC_SAP_SNAP     0xaa
#define LLC_SAP_IP       0x06
#define LLC_UI           0x03
#define SNAP_OUI_RFC1042 0x000000
#define SNAP_OUI_8021H   0x0000f8

#define MPLS_BOTTOM    0x100
#define MPLS_IPV4_NULL 0
#define MPLS_IPV6_NULL 2
#define MPLS_CW_LEN    4

#define PPPOE_VERTYPE   0x11
#define PPPOE_SESSION   0x00
#define PPP_ADDRESS     0xff
#define PPP_CONTROL     0x03
#define PPP_IPV4        0x0021
#define PPP_IPV6        0x0057
#define PPP_VJ_COMP     0x002d
#define PPP_VJ_UNCOMP   0x002f
#define PPP_MPLS_UC     0x0281
#define PPP_MPLS_MC     0x0283
#define CHDLC_UNICAST   0x0f
#define CHDLC_BROADCAST 0x8f

/* AF_INET6 differs between the systems that write DLT_NULL captures. */
#define BSD_AF_INET      2
#define LINUX_AF_INET6   10
#define NETBSD_AF_INET6  24
#define FREEBSD_AF_INET6 28
#define DARWIN_AF_INET6  30

#define SLL_P_802_2    0x0004
#define SLL_P_PPPHDLC  0x0007
#define ARPHRD_NETLINK 824

#define NFLOG_VERSION 0
#define NFLOG_TLV_HDR 4
#define NFULA_PAYLOAD 9
#define NLA_TYPE_MASK 0x3fff

#define FDDI_FC_LLC_MASK 0x30
#define FDDI_FC_LLC      0x10

#define ARC_IP_RFC1051  0xf0
#define ARC_ARP_RFC1051 0xf1
#define ARC_DIAGNOSE    0x80
#define ARC_IP          0xd4
#define ARC_IPV6        0xc4

#define WLAN_VERSION_MASK   0x03
#define WLAN_TYPE_DATA      2
#define WLAN_SUBTYPE_NODATA 0x4
#define WLAN_SUBTYPE_QOS    0x8
#define WLAN_DS_MASK        0x03
#define WLAN_MORE_FRAGS     0x04
#define WLAN_PROTECTED      0x40
#define WLAN_ORDER          0x80
#define WLAN_FRAG_NUMBER    0x000f
#define WLAN_QOS_AMSDU      0x80
#define WLAN_BASE_HDR       24
#define WLAN_SEQCTL_OFF     22 /* frame control, duration, three addresses */
#define WLAN_ADDR4          6
#define WLAN_QOS_CTL        2
#define WLAN_HT_CTL         4
#define AMSDU_ADDRS         12

#define RADIOTAP_FIXED     4 /* version, pad, length */
#define RADIOTAP_MIN_HDR   8
#define RADIOTAP_TSFT      0x00000001u
#define RADIOTAP_FLAGS     0x00000002u
#define RADIOTAP_EXT       0x80000000u
#define RADIOTAP_F_DATAPAD 0x20
#define PPI_MIN_HDR        8

/* IEEE 802.2 LLC; only SNAP-encapsulated EtherTypes and the IP SAP lead on. */
static enum snt_decode_status llc(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t dsap = 0, ssap = 0, control = 0;
    uint32_t oui = 0;
    uint16_t type = 0;
    if (!snt_read_u8(r, &dsap) || !snt_read_u8(r, &ssap) || !snt_read_u8(r, &control))
        return SNT_DECODE_TRUNCATED;
    if (dsap == LLC_SAP_IP && ssap == LLC_SAP_IP && control == LLC_UI)
        return snt_dec_then(d, SNT_DEC_IPV4);
    /* The low bit of the SSAP is command/response, not part of the SAP. */
    if (dsap != LLC_SAP_SNAP || (ssap & 0xfe) != LLC_SAP_SNAP || control != LLC_UI)
        return SNT_DECODE_NOT_IP;
    if (!snt_read_u24(r, &oui) || !snt_read_u16(r, &type))
        return SNT_DECODE_TRUNCATED;
    if (oui != SNAP_OUI_RFC1042 && oui != SNAP_OUI_8021H)
        return SNT_DECODE_NOT_IP;
    return snt_dec_then_ethertype(d, type);
}

/* An Ethernet type field: an EtherType, or (802.3) the length of an LLC frame
 * which also tells where the padding starts. */
static enum snt_decode_status type_or_length(struct snt_dec *d, uint16_t v, struct snt_reader *r)
{
    if (v <= SNT_ETH_MAX_LENGTH) {
        snt_dec_clip(r, v);
        return llc(d, r);
    }
    if (v < ETH_MIN_TYPE)
        return SNT_DECODE_NOT_IP;
    return snt_dec_then_ethertype(d, v);
}

enum snt_decode_status snt_dec_ethernet(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t h[ETH_ADDRS + 2]; /* destination, source, type */
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_read_bytes(r, sizeof h, h))
        return SNT_DECODE_TRUNCATED;
    return type_or_length(d, snt_load_be16(h + ETH_ADDRS), r);
}

/* 802.1Q / 802.1ad tag: TCI, then the next type field. */
static enum snt_decode_status vlan(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t h[4]; /* TCI, type */
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_read_bytes(r, sizeof h, h))
        return SNT_DECODE_TRUNCATED;
    return type_or_length(d, snt_load_be16(h + 2), r);
}

/* 802.1ah I-tag: 4 bytes, then the customer's addresses and type. */
static enum snt_decode_status pbb(struct snt_dec *d, struct snt_reader *r)
{
    if (!snt_skip(r, 4))
        return SNT_DECODE_TRUNCATED;
    return snt_dec_then(d, SNT_DEC_ETHERNET);
}

/* MPLS says nothing about its payload: the explicit-null labels do, else the
 * first nibble tells IP from an Ethernet pseudowire's control word. */
static enum snt_decode_status mpls_payload(struct snt_dec *d, uint32_t label, struct snt_reader *r)
{
    uint8_t first = 0;
    if (label == MPLS_IPV4_NULL)
        return snt_dec_then(d, SNT_DEC_IPV4);
    if (label == MPLS_IPV6_NULL)
        return snt_dec_then(d, SNT_DEC_IPV6);
    if (!snt_peek_u8(r, 0, &first))
        return SNT_DECODE_TRUNCATED;
    switch (first >> 4) {
    case 4: return snt_dec_then(d, SNT_DEC_IPV4);
    case 6: return snt_dec_then(d, SNT_DEC_IPV6);
    case 0:
        if (!snt_skip(r, MPLS_CW_LEN))
            return SNT_DECODE_TRUNCATED;
        return snt_dec_then(d, SNT_DEC_ETHERNET);
    /* 1: an associated channel (RFC 5586), OAM rather than traffic. */
    case 1: return SNT_DECODE_NOT_IP;
    default: return SNT_DECODE_UNSUPPORTED;
    }
}

/* The whole label stack counts as one level; its length has its own cap. */
static enum snt_decode_status mpls(struct snt_dec *d, struct snt_reader *r)
{
    uint32_t entry = 0;
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    for (unsigned n = 0; !(entry & MPLS_BOTTOM); n++) {
        if (n == SNT_MAX_MPLS_LABELS)
            return SNT_DECODE_TOO_DEEP;
        if (!snt_read_u32(r, &entry))
            return SNT_DECODE_TRUNCATED;
    }
    return mpls_payload(d, entry >> 12, r);
}

/* The PPP protocol field and what follows it. */
static enum snt_decode_status ppp_protocol(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t first = 0;
    uint16_t proto = 0;
    if (!snt_peek_u8(r, 0, &first))
        return SNT_DECODE_TRUNCATED;
    /* An odd first byte is a field compressed to one byte (RFC 1661 section 6.5). */
    if (first & 1) {
        snt_skip(r, 1);
        proto = first;
    } else if (!snt_read_u16(r, &proto)) {
        return SNT_DECODE_TRUNCATED;
    }
    switch (proto) {
    case PPP_IPV4: return snt_dec_then(d, SNT_DEC_IPV4);
    case PPP_IPV6: return snt_dec_then(d, SNT_DEC_IPV6);
    case PPP_MPLS_UC:
    case PPP_MPLS_MC: return mpls(d, r);
    case PPP_VJ_COMP:
    case PPP_VJ_UNCOMP: return SNT_DECODE_UNSUPPORTED;
    default: return SNT_DECODE_NOT_IP;
    }
}

/* A PPP frame, with or without the RFC 1662 address/control bytes. */
static enum snt_decode_status ppp(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t address = 0, control = 0;
    if (snt_peek_u8(r, 0, &address) && snt_peek_u8(r, 1, &control) && address == PPP_ADDRESS &&
        control == PPP_CONTROL)
        snt_skip(r, 2);
    return ppp_protocol(d, r);
}

/* PPPoE session stage: the length field bounds the PPP frame, so Ethernet
 * padding never reaches it. */
static enum snt_decode_status pppoe(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t vertype = 0, code = 0;
    uint16_t len = 0;
    if (!snt_dec_enter(d))
        return SNT_DECODE_TOO_DEEP;
    if (!snt_read_u8(r, &vertype) || !snt_read_u8(r, &code) || !snt_skip(r, 2) ||
        !snt_read_u16(r, &len))
        return SNT_DECODE_TRUNCATED;
    if (vertype != PPPOE_VERTYPE)
        return SNT_DECODE_MALFORMED;
    if (code != PPPOE_SESSION)
        return SNT_DECODE_NOT_IP;
    snt_dec_clip(r, len);
    return ppp_protocol(d, r);
}

enum snt_decode_status snt_dec_ethertype(struct snt_dec *d, struct snt_reader *r)
{
    switch (d->ethertype) {
    case SNT_ETH_IPV4: return snt_dec_then(d, SNT_DEC_IPV4);
    case SNT_ETH_IPV6: return snt_dec_then(d, SNT_DEC_IPV6);
    case SNT_ETH_VLAN:
    case SNT_ETH_QINQ:
    case SNT_ETH_QINQ_OLD:
    case SNT_ETH_QINQ_OLD2: return vlan(d, r);
    case SNT_ETH_MPLS_UC:
    case SNT_ETH_MPLS_MC: return mpls(d, r);
    case SNT_ETH_PPPOE_SESSION: return pppoe(d, r);
    case SNT_ETH_PPP: return ppp(d, r);
    case SNT_ETH_TEB: return snt_dec_then(d, SNT_DEC_ETHERNET);
    case SNT_ETH_PBB: return pbb(d, r);
    default: return SNT_DECODE_NOT_IP;
    }
}

/* Cisco HDLC carries an EtherType; the serial link types may also hold PPP,
 * whose frames never start with the Cisco address bytes. */
static enum snt_decode_status hdlc(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t address = 0;
    uint16_t type = 0;
    if (!snt_peek_u8(r, 0, &address))
        return SNT_DECODE_TRUNCATED;
    if (address != CHDLC_UNICAST && address != CHDLC_BROADCAST)
        return ppp(d, r);
    if (!snt_skip(r, 2) || !snt_read_u16(r, &type))
        return SNT_DECODE_TRUNCATED;
    return snt_dec_then_ethertype(d, type);
}

/* NULL stores the address family in the capturing host's byte order, LOOP in
 * network order; families fit in 16 bits, so the order shows. */
static enum snt_decode_status loopback(struct snt_dec *d, struct snt_reader *r)
{
    struct snt_reader le = *r;
    uint32_t af = 0;
    if (!snt_read_u32(r, &af))
        return SNT_DECODE_TRUNCATED;
    if (af > 0xffff)
        snt_read_u32_le(&le, &af);
    switch (af) {
    case BSD_AF_INET: return snt_dec_then(d, SNT_DEC_IPV4);
    case LINUX_AF_INET6:
    case NETBSD_AF_INET6:
    case FREEBSD_AF_INET6:
    case DARWIN_AF_INET6: return snt_dec_then(d, SNT_DEC_IPV6);
    default: return SNT_DECODE_NOT_IP;
    }
}

static enum snt_decode_status sll_protocol(struct snt_dec *d, uint16_t hatype, uint16_t proto,
                                           struct snt_reader *r)
{
    if (hatype == ARPHRD_NETLINK)
        return SNT_DECODE_NOT_IP;
    if (proto >= ETH_MIN_TYPE)
        return snt_dec_then_ethertype(d, proto);
    switch (proto) {
    case SLL_P_802_2: return llc(d, r);
    case SLL_P_PPPHDLC: return hdlc(d, r);
    default: return SNT_DECODE_NOT_IP;
    }
}

/* Linux cooked v1: packet type, ARPHRD type, address length, 8 address
 * bytes, protocol. */
static enum snt_decode_status sll(struct snt_dec *d, struct snt_reader *r)
{
    uint16_t hatype = 0, proto = 0;
    snt_skip(r, 2);
    snt_read_u16(r, &hatype);
    snt_skip(r, 2 + 8);
    snt_read_u16(r, &proto);
    if (r->failed)
        return SNT_DECODE_TRUNCATED;
    return sll_protocol(d, hatype, proto, r);
}

/* Linux cooked v2: protocol, reserved, interface index, ARPHRD type, packet
 * type, address length, 8 address bytes. */
static enum snt_decode_status sll2(struct snt_dec *d, struct snt_reader *r)
{
    uint16_t hatype = 0, proto = 0;
    snt_read_u16(r, &proto);
    snt_skip(r, 2 + 4);
    snt_read_u16(r, &hatype);
    snt_skip(r, 1 + 1 + 8);
    if (r->failed)
        return SNT_DECODE_TRUNCATED;
    return sll_protocol(d, hatype, proto, r);
}

/* NFLOG TLV lengths are in the capturing host's byte order (libpcap turns
 * them into the reading host's); the first TLV's length tells which. */
static bool nflog_little_endian(const struct snt_reader *r)
{
    uint8_t lo = 0, hi = 0;
    if (!snt_peek_u8(r, 0, &lo) || !snt_peek_u8(r, 1, &hi))
        return true;
    size_t le = (size_t)lo | (size_t)hi << 8;
    return le >= NFLOG_TLV_HDR && le <= snt_reader_left(r);
}

/* Header (family, version, resource id), then TLVs padded to 4 bytes; the
 * packet is the NFULA_PAYLOAD one, starting at the network header.  The
 * version nibble decides over the family, which bridge logging leaves
 * unspecific. */
static enum snt_decode_status nflog(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t version = 0;
    if (!snt_skip(r, 1) || !snt_read_u8(r, &version) || !snt_skip(r, 2))
        return SNT_DECODE_TRUNCATED;
    if (version != NFLOG_VERSION)
        return SNT_DECODE_MALFORMED;
    bool le = nflog_little_endian(r);
    while (snt_reader_left(r) > 0) {
        uint16_t len = 0, type = 0;
        bool ok = le ? snt_read_u16_le(r, &len) && snt_read_u16_le(r, &type)
                     : snt_read_u16(r, &len) && snt_read_u16(r, &type);
        if (!ok)
            return SNT_DECODE_TRUNCATED;
        if (len < NFLOG_TLV_HDR)
            return SNT_DECODE_MALFORMED;
        size_t value = (size_t)len - NFLOG_TLV_HDR,
               padded = ((size_t)len + 3) / 4 * 4 - NFLOG_TLV_HDR;
        if ((type & NLA_TYPE_MASK) == NFULA_PAYLOAD) {
            snt_dec_clip(r, value);
            return snt_dec_then(d, SNT_DEC_IP);
        }
        if (value > snt_reader_left(r))
            return SNT_DECODE_TRUNCATED;
        snt_skip(r, padded < snt_reader_left(r) ? padded : snt_reader_left(r));
    }
    return SNT_DECODE_NOT_IP; /* logged without the packet */
}

/* FDDI: frame control, two addresses, then LLC for LLC frames. */
static enum snt_decode_status fddi(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t fc = 0;
    if (!snt_read_u8(r, &fc) || !snt_skip(r, 12))
        return SNT_DECODE_TRUNCATED;
    if ((fc & FDDI_FC_LLC_MASK) != FDDI_FC_LLC)
        return SNT_DECODE_NOT_IP;
    return llc(d, r);
}

/* Linux ARCnet: source, destination, 2 offset bytes, protocol id; RFC 1201
 * types add a split flag and a sequence number (RFC 1051 ones don't). */
static enum snt_decode_status arcnet_linux(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t type = 0, split = 0;
    if (!snt_skip(r, 4) || !snt_read_u8(r, &type))
        return SNT_DECODE_TRUNCATED;
    if (type != ARC_IP_RFC1051 && type != ARC_ARP_RFC1051 && type != ARC_DIAGNOSE) {
        if (!snt_read_u8(r, &split) || !snt_skip(r, 2))
            return SNT_DECODE_TRUNCATED;
        /* An even non-zero split flag marks a later piece of a split packet. */
        if (split != 0 && (split & 1) == 0)
            return SNT_DECODE_FRAGMENT;
        if (split != 0)
            d->fragment = true;
    }
    switch (type) {
    case ARC_IP_RFC1051:
    case ARC_IP: return snt_dec_then(d, SNT_DEC_IPV4);
    case ARC_IPV6: return snt_dec_then(d, SNT_DEC_IPV6);
    default: return SNT_DECODE_NOT_IP;
    }
}

/* A-MSDU: decode the first subframe (addresses, length, LLC). */
static enum snt_decode_status amsdu(struct snt_dec *d, struct snt_reader *r)
{
    uint16_t len = 0;
    if (!snt_skip(r, AMSDU_ADDRS) || !snt_read_u16(r, &len))
        return SNT_DECODE_TRUNCATED;
    snt_dec_clip(r, len);
    return llc(d, r);
}

/* IEEE 802.11 data frames (802.11-2020 section 9.3.2.1): the header grows
 * with a fourth address, QoS control and HT control.  Encrypted bodies are
 * opaque here. */
static enum snt_decode_status wlan(struct snt_dec *d, struct snt_reader *r, bool datapad)
{
    uint8_t fc0 = 0, fc1 = 0, qos = 0;
    uint16_t seqctl = 0;
    struct snt_reader h;
    if (!snt_peek_u8(r, 0, &fc0) || !snt_peek_u8(r, 1, &fc1))
        return SNT_DECODE_TRUNCATED;
    uint8_t subtype = fc0 >> 4;
    if ((fc0 & WLAN_VERSION_MASK) != 0 || ((fc0 >> 2) & 3) != WLAN_TYPE_DATA ||
        (subtype & WLAN_SUBTYPE_NODATA) || (fc1 & WLAN_PROTECTED))
        return SNT_DECODE_NOT_IP;
    bool addr4 = (fc1 & WLAN_DS_MASK) == WLAN_DS_MASK;
    bool qos_frame = (subtype & WLAN_SUBTYPE_QOS) != 0;
    size_t len = WLAN_BASE_HDR + (addr4 ? WLAN_ADDR4 : 0) + (qos_frame ? WLAN_QOS_CTL : 0) +
                 (qos_frame && (fc1 & WLAN_ORDER) ? WLAN_HT_CTL : 0);
    /* Radiotap's data-pad flag: the body starts 4-byte aligned. */
    size_t pad = datapad ? (4 - len % 4) % 4 : 0;
    if (!snt_read_sub(r, len, &h) || !snt_skip(r, pad))
        return SNT_DECODE_TRUNCATED;
    snt_skip(&h, WLAN_SEQCTL_OFF);
    snt_read_u16_le(&h, &seqctl);
    if (addr4)
        snt_skip(&h, WLAN_ADDR4);
    if (qos_frame)
        snt_read_u8(&h, &qos);
    if (seqctl & WLAN_FRAG_NUMBER)
        return SNT_DECODE_FRAGMENT;
    if (fc1 & WLAN_MORE_FRAGS)
        d->fragment = true;
    return (qos & WLAN_QOS_AMSDU) ? amsdu(d, r) : llc(d, r);
}

/* Radiotap (https://www.radiotap.org): only the Flags field matters, for its
 * data-pad bit.  It follows the present bitmaps and the optional TSFT field
 * (8 bytes, 8-aligned from the start of the header). */
static uint8_t radiotap_flags(struct snt_reader h)
{
    uint32_t present = 0, word = 0;
    size_t off = RADIOTAP_FIXED;
    uint8_t flags = 0;
    do {
        if (!snt_read_u32_le(&h, &word))
            return 0;
        if (off == RADIOTAP_FIXED)
            present = word;
        off += 4;
    } while (word & RADIOTAP_EXT);
    if ((present & RADIOTAP_TSFT) && !snt_skip(&h, (8 - off % 8) % 8 + 8))
        return 0;
    if ((present & RADIOTAP_FLAGS) && snt_read_u8(&h, &flags))
        return flags;
    return 0;
}

static enum snt_decode_status radiotap(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t version = 0;
    uint16_t len = 0;
    struct snt_reader h;
    if (!snt_read_u8(r, &version) || !snt_skip(r, 1) || !snt_read_u16_le(r, &len))
        return SNT_DECODE_TRUNCATED;
    if (version != 0 || len < RADIOTAP_MIN_HDR)
        return SNT_DECODE_MALFORMED;
    if (!snt_read_sub(r, (size_t)len - RADIOTAP_FIXED, &h))
        return SNT_DECODE_TRUNCATED;
    return wlan(d, r, (radiotap_flags(h) & RADIOTAP_F_DATAPAD) != 0);
}

/* PPI (Per-Packet Information, CACE Technologies 2007): a length-prefixed
 * header naming the link type of what follows. */
static enum snt_decode_status ppi(struct snt_dec *d, struct snt_reader *r)
{
    uint8_t version = 0;
    uint16_t len = 0;
    uint32_t dlt = 0;
    if (!snt_read_u8(r, &version) || !snt_skip(r, 1) || !snt_read_u16_le(r, &len) ||
        !snt_read_u32_le(r, &dlt))
        return SNT_DECODE_TRUNCATED;
    if (version != 0 || len < PPI_MIN_HDR)
        return SNT_DECODE_MALFORMED;
    if (!snt_skip(r, (size_t)len - PPI_MIN_HDR))
        return SNT_DECODE_TRUNCATED;
    if (dlt == SNT_LINKTYPE_PPI || dlt > INT32_MAX)
        return SNT_DECODE_UNSUPPORTED;
    d->linktype = (int)dlt;
    return snt_dec_then(d, SNT_DEC_LINK);
}

static const int known_linktypes[] = {
    SNT_LINKTYPE_NULL,       SNT_LINKTYPE_ETHERNET,     SNT_LINKTYPE_PPP,
    SNT_LINKTYPE_FDDI,       SNT_LINKTYPE_DLT_RAW12,    SNT_LINKTYPE_DLT_RAW14,
    SNT_LINKTYPE_PPP_HDLC,   SNT_LINKTYPE_RAW,          SNT_LINKTYPE_C_HDLC,
    SNT_LINKTYPE_IEEE802_11, SNT_LINKTYPE_LOOP,         SNT_LINKTYPE_LINUX_SLL,
    SNT_LINKTYPE_RADIOTAP,   SNT_LINKTYPE_ARCNET_LINUX, SNT_LINKTYPE_PPI,
    SNT_LINKTYPE_IPV4,       SNT_LINKTYPE_IPV6,         SNT_LINKTYPE_NFLOG,
    SNT_LINKTYPE_LINUX_SLL2,
};

bool snt_dec_link_known(int linktype)
{
    for (size_t i = 0; i < sizeof known_linktypes / sizeof known_linktypes[0]; i++)
        if (known_linktypes[i] == linktype)
            return true;
    return false;
}

enum snt_decode_status snt_dec_link(struct snt_dec *d, struct snt_reader *r)
{
    switch (d->linktype) {
    case SNT_LINKTYPE_ETHERNET: return snt_dec_ethernet(d, r);
    case SNT_LINKTYPE_NULL:
    case SNT_LINKTYPE_LOOP: return loopback(d, r);
    case SNT_LINKTYPE_PPP:
    case SNT_LINKTYPE_PPP_HDLC:
    case SNT_LINKTYPE_C_HDLC: return hdlc(d, r);
    case SNT_LINKTYPE_RAW:
    case SNT_LINKTYPE_DLT_RAW12:
    case SNT_LINKTYPE_DLT_RAW14: return snt_dec_then(d, SNT_DEC_IP);
    case SNT_LINKTYPE_IPV4: return snt_dec_then(d, SNT_DEC_IPV4);
    case SNT_LINKTYPE_IPV6: return snt_dec_then(d, SNT_DEC_IPV6);
    case SNT_LINKTYPE_LINUX_SLL: return sll(d, r);
    case SNT_LINKTYPE_LINUX_SLL2: return sll2(d, r);
    case SNT_LINKTYPE_NFLOG: return nflog(d, r);
    case SNT_LINKTYPE_FDDI: return fddi(d, r);
    case SNT_LINKTYPE_ARCNET_LINUX: return arcnet_linux(d, r);
    case SNT_LINKTYPE_IEEE802_11: return wlan(d, r, false);
    case SNT_LINKTYPE_RADIOTAP: return radiotap(d, r);
    case SNT_LINKTYPE_PPI: return ppi(d, r);
    default: return SNT_DECODE_UNSUPPORTED;
    }
}
