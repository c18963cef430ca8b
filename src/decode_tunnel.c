/* Tunnels, decoded down to the innermost packet: GRE (RFC 2784, RFC 2890 key
 * and sequence number, RFC 1701 routing, RFC 2637 enhanced GRE for PPTP),
 * ERSPAN types I to III (draft-foschiano-erspan-03), VXLAN (RFC 7348),
 * VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe-12), Geneve (RFC 8926), GTP-U
 * (3GPP TS 29.281 section 5) and Teredo (RFC 4380 section 5.1.1).  IP-in-IP
 * (RFC 2003, RFC 4213) has no header of its own and lives in decode_ip.c.
 *
 * GRE is chosen by IP protocol number, so its header is taken at its word
 * and a broken inner packet is reported as broken.  The UDP tunnels are
 * chosen by port, which any application may happen to use: their header
 * must look right, and lengths agree where it has them, before the payload
 * is taken as a tunnel at all; otherwise the UDP packet stands as it is.
 */
#include "decode_internal.h"

#define GRE_CHECKSUM     0x8000
#define GRE_ROUTING      0x4000
#define GRE_KEY          0x2000
#define GRE_SEQ          0x1000
#define GRE_ACK          0x0080 /* enhanced GRE only */
#define GRE_VERSION_MASK 0x0007
#define GRE_VERSION_0    0
#define GRE_VERSION_PPTP 1

#define ETH_ERSPAN_2     0x88be /* also type I, without sequence numbers */
#define ETH_ERSPAN_3     0x22eb
#define ERSPAN_2_HDR     8
#define ERSPAN_3_HDR     12
#define ERSPAN_3_SUBHDR  8
#define ERSPAN_3_FT_OFF  10 /* byte with P, the frame type and 2 HW ID bits */
#define ERSPAN_3_FT_MASK 0x1f
#define ERSPAN_3_O       0x01 /* byte 11: a platform subheader follows */
#define ERSPAN_VER_2     1
#define ERSPAN_VER_3     2
#define ERSPAN_FT_ETH    0
#define ERSPAN_FT_IP     2

#define VXLAN_PORT     4789
#define VXLAN_GPE_PORT 4790
#define GENEVE_PORT    6081
#define GTPU_PORT      2152
#define TEREDO_PORT    3544

#define VXLAN_HDR        8
#define VXLAN_I          0x08
#define VXLAN_GBP_G      0x80 /* group policy extension */
#define GPE_VERSION_MASK 0x30
#define GPE_P            0x04
#define GPE_NP_IPV4      1
#define GPE_NP_IPV6      2
#define GPE_NP_ETHERNET  3
#define GPE_NP_MPLS      5

#define GENEVE_HDR 8

#define GTP_HDR        8
#define GTP_V1_PT_MASK 0xf8 /* version, protocol type, spare */
#define GTP_V1_PT      0x30
#define GTP_OPTIONAL   0x07 /* E, S, PN: the 4 optional bytes are there */
#define GTP_T_PDU      0xff

#define TEREDO_AUTH       0x0001
#define TEREDO_ORIGIN     0x0000
#define TEREDO_ORIGIN_LEN 8
#define TEREDO_NONCE_CONF 9 /* nonce and confirmation byte */
#define IPV6_HDR          40

/* ---- GRE ----------------------------------------------------------------- */

/* RFC 1701 source routing: entries until one of length 0. */
static enum snt_decode_status gre_routing(struct snt_reader *r)
{
    for (;;) {
        uint8_t len = 0;
        if (!snt_skip(r, 3) || !snt_read_u8(r, &len))
            return SNT_DECODE_TRUNCATED;
        if (len == 0)
            return SNT_DECODE_OK;
        if (!snt_skip(r, len))
            return SNT_DECODE_TRUNCATED;
    }
}

static enum snt_decode_status gre_v0_fields(struct snt_reader *r, uint16_t flags)
{
    size_t n = ((flags & (GRE_CHECKSUM | GRE_ROUTING)) ? 4 : 0) + ((flags & GRE_KEY) ? 4 : 0) +
               ((flags & GRE_SEQ) ? 4 : 0);
    if (!snt_skip(r, n))
        return SNT_DECODE_TRUNCATED;
    return (flags & GRE_ROUTING) ? gre_routing(r) : SNT_DECODE_OK;
}

/* Enhanced GRE (PPTP): the key field is mandatory, checksum and routing are
 * forbidden, and the payload is PPP. */
static enum snt_decode_status gre_pptp_fields(struct snt_reader *r, uint16_t flags, uint16_t proto)
{
    if ((flags & (GRE_CHECKSUM | GRE_ROUTING)) || !(flags & GRE_KEY) || proto != SNT_ETH_PPP)
        return SNT_DECODE_MALFORMED;
    size_t n = 4 + ((flags & GRE_SEQ) ? 4 : 0) + ((flags & GRE_ACK) ? 4 : 0);
    return snt_skip(r, n) ? SNT_DECODE_OK : SNT_DECODE_TRUNCATED;
}

/* ERSPAN type III: the frame type says Ethernet or IP; an optional platform
 * subheader follows when the O bit is set. */
static enum snt_decode_status erspan3(struct snt_dec *d, struct snt_reader *r)
{
    struct snt_reader h;
    uint8_t version = 0, b10 = 0, b11 = 0;
    if (!snt_read_sub(r, ERSPAN_3_HDR, &h))
        return SNT_DECODE_TRUNCATED;
    snt_read_u8(&h, &version);
    snt_skip(&h, ERSPAN_3_FT_OFF - 1);
    snt_read_u8(&h, &b10);
    snt_read_u8(&h, &b11);
    if ((version >> 4) != ERSPAN_VER_3)
        return SNT_DECODE_MALFORMED;
    if ((b11 & ERSPAN_3_O) && !snt_skip(r, ERSPAN_3_SUBHDR))
        return SNT_DECODE_TRUNCATED;
    switch ((b10 >> 2) & ERSPAN_3_FT_MASK) {
    case ERSPAN_FT_ETH: return snt_dec_then(d, SNT_DEC_ETHERNET);
    case ERSPAN_FT_IP: return snt_dec_then(d, SNT_DEC_IP);
    default: return SNT_DECODE_UNSUPPORTED;
    }
}

static enum snt_decode_status gre_payload(struct snt_dec *d, uint16_t proto, bool seq,
                                          struct snt_reader *r)
{
    uint8_t version = 0;
    switch (proto) {
    case ETH_ERSPAN_2:
        /* Type I has no sequence number and no header of its own. */
        if (!seq)
            return snt_dec_then(d, SNT_DEC_ETHERNET);
        if (!snt_peek_u8(r, 0, &version) || !snt_skip(r, ERSPAN_2_HDR))
            return SNT_DECODE_TRUNCATED;
        if ((version >> 4) != ERSPAN_VER_2)
            return SNT_DECODE_MALFORMED;
        return snt_dec_then(d, SNT_DEC_ETHERNET);
    case ETH_ERSPAN_3: return erspan3(d, r);
    default: return snt_dec_then_ethertype(d, proto);
    }
}

enum snt_decode_status snt_dec_gre(struct snt_dec *d, struct snt_reader *r)
{
    uint16_t flags = 0, proto = 0;
    enum snt_decode_status st;
    if (!snt_read_u16(r, &flags) || !snt_read_u16(r, &proto))
        return SNT_DECODE_TRUNCATED;
    switch (flags & GRE_VERSION_MASK) {
    case GRE_VERSION_0: st = gre_v0_fields(r, flags); break;
    case GRE_VERSION_PPTP: st = gre_pptp_fields(r, flags, proto); break;
    default: return SNT_DECODE_UNSUPPORTED;
    }
    if (st != SNT_DECODE_OK)
        return st;
    return gre_payload(d, proto, (flags & GRE_SEQ) != 0, r);
}

/* ---- UDP tunnels ---------------------------------------------------------- */

/* VXLAN: the I flag set, the other flag bits clear but for group policy's G,
 * and the last reserved byte zero. */
static bool vxlan(struct snt_dec *d, struct snt_reader *r, enum snt_decode_status *st)
{
    struct snt_reader h;
    uint8_t flags = 0, last = 0;
    if (!snt_read_sub(r, VXLAN_HDR, &h))
        return false;
    snt_read_u8(&h, &flags);
    snt_skip(&h, 3 + 3); /* reserved, VNI */
    snt_read_u8(&h, &last);
    if (!(flags & VXLAN_I) || (flags & ~(VXLAN_I | VXLAN_GBP_G)) || last != 0)
        return false;
    *st = snt_dec_then(d, SNT_DEC_ETHERNET);
    return true;
}

/* VXLAN-GPE: version 0, I and P set; the next-protocol byte says what follows. */
static bool vxlan_gpe(struct snt_dec *d, struct snt_reader *r, enum snt_decode_status *st)
{
    struct snt_reader h;
    uint8_t flags = 0, next = 0;
    if (!snt_read_sub(r, VXLAN_HDR, &h))
        return false;
    snt_read_u8(&h, &flags);
    snt_skip(&h, 2);
    snt_read_u8(&h, &next);
    if ((flags & GPE_VERSION_MASK) || !(flags & VXLAN_I) || !(flags & GPE_P))
        return false;
    switch (next) {
    case GPE_NP_IPV4: *st = snt_dec_then(d, SNT_DEC_IPV4); return true;
    case GPE_NP_IPV6: *st = snt_dec_then(d, SNT_DEC_IPV6); return true;
    case GPE_NP_ETHERNET: *st = snt_dec_then(d, SNT_DEC_ETHERNET); return true;
    case GPE_NP_MPLS: *st = snt_dec_then_ethertype(d, SNT_ETH_MPLS_UC); return true;
    default: return false;
    }
}

/* Geneve: version 0, options of 4-byte units, and a protocol type we can
 * follow (Ethernet, IPv4, IPv6). */
static bool geneve(struct snt_dec *d, struct snt_reader *r, enum snt_decode_status *st)
{
    uint8_t first = 0;
    uint16_t proto = 0;
    if (!snt_read_u8(r, &first) || !snt_skip(r, 1) || !snt_read_u16(r, &proto) ||
        !snt_skip(r, GENEVE_HDR - 4))
        return false;
    if ((first >> 6) != 0)
        return false;
    if (proto != SNT_ETH_TEB && proto != SNT_ETH_IPV4 && proto != SNT_ETH_IPV6)
        return false;
    if (!snt_skip(r, (size_t)(first & 0x3f) * 4))
        return false;
    *st = snt_dec_then_ethertype(d, proto);
    return true;
}

/* GTP-U extension headers: a length in 4-byte units (0 is invalid) whose
 * last byte names the next one; type 0 ends the chain. */
static enum snt_decode_status gtpu_extensions(struct snt_reader *r, uint8_t next)
{
    while (next != 0) {
        uint8_t units = 0;
        if (!snt_read_u8(r, &units))
            return SNT_DECODE_TRUNCATED;
        if (units == 0)
            return SNT_DECODE_MALFORMED;
        if (!snt_skip(r, (size_t)units * 4 - 2) || !snt_read_u8(r, &next))
            return SNT_DECODE_TRUNCATED;
    }
    return SNT_DECODE_OK;
}

static enum snt_decode_status gtpu_pdu(struct snt_dec *d, uint8_t flags, struct snt_reader *r)
{
    uint8_t next = 0, first = 0;
    if (flags & GTP_OPTIONAL) {
        if (!snt_skip(r, 3) || !snt_read_u8(r, &next))
            return SNT_DECODE_TRUNCATED;
        enum snt_decode_status st = gtpu_extensions(r, next);
        if (st != SNT_DECODE_OK)
            return st;
    }
    if (!snt_peek_u8(r, 0, &first))
        return SNT_DECODE_TRUNCATED;
    /* A PDU session may carry Ethernet or unstructured data as well as IP. */
    if ((first >> 4) != 4 && (first >> 4) != 6)
        return SNT_DECODE_UNSUPPORTED;
    return snt_dec_then(d, SNT_DEC_IP);
}

/* GTPv1-U: version 1 and protocol type GTP, and the length field covering
 * exactly the rest of the datagram.  Only T-PDUs carry user traffic; echo,
 * error indication and end marker messages are not IP. */
static bool gtpu(struct snt_dec *d, struct snt_reader *r, size_t wire, enum snt_decode_status *st)
{
    uint8_t flags = 0, type = 0;
    uint16_t len = 0;
    if (!snt_read_u8(r, &flags) || !snt_read_u8(r, &type) || !snt_read_u16(r, &len) ||
        !snt_skip(r, 4))
        return false;
    if ((flags & GTP_V1_PT_MASK) != GTP_V1_PT || wire < GTP_HDR || len != wire - GTP_HDR)
        return false;
    *st = type == GTP_T_PDU ? gtpu_pdu(d, flags, r) : SNT_DECODE_NOT_IP;
    return true;
}

/* Teredo: an optional authentication indicator, an optional origin
 * indicator, then IPv6 whose length must fill the datagram exactly. */
static bool teredo(struct snt_dec *d, struct snt_reader *r, size_t wire, enum snt_decode_status *st)
{
    size_t start = snt_reader_left(r);
    struct snt_reader peek = *r;
    uint16_t indicator = 0, plen = 0;
    uint8_t id_len = 0, au_len = 0, first = 0;
    if (snt_read_u16(&peek, &indicator) && indicator == TEREDO_AUTH) {
        if (!snt_read_u8(&peek, &id_len) || !snt_read_u8(&peek, &au_len) ||
            !snt_skip(&peek, (size_t)id_len + au_len + TEREDO_NONCE_CONF))
            return false;
        *r = peek;
    }
    peek = *r;
    if (snt_read_u16(&peek, &indicator) && indicator == TEREDO_ORIGIN &&
        !snt_skip(r, TEREDO_ORIGIN_LEN))
        return false;
    peek = *r;
    if (!snt_read_u8(&peek, &first) || !snt_skip(&peek, 3) || !snt_read_u16(&peek, &plen))
        return false;
    size_t rest = wire - (start - snt_reader_left(r));
    if ((first >> 4) != 6 || (size_t)plen + IPV6_HDR != rest)
        return false;
    *st = snt_dec_then(d, SNT_DEC_IPV6);
    return true;
}

static bool udp_tunnel(struct snt_dec *d, struct snt_reader *r, enum snt_decode_status *st)
{
    uint16_t sport = d->out->sport, dport = d->out->dport;
    if (dport == VXLAN_PORT)
        return vxlan(d, r, st);
    if (dport == VXLAN_GPE_PORT)
        return vxlan_gpe(d, r, st);
    if (dport == GENEVE_PORT)
        return geneve(d, r, st);
    if (sport == GTPU_PORT || dport == GTPU_PORT)
        return gtpu(d, r, d->udp_wire, st);
    if (sport == TEREDO_PORT || dport == TEREDO_PORT)
        return teredo(d, r, d->udp_wire, st);
    return false;
}

enum snt_decode_status snt_dec_udp_tunnel(struct snt_dec *d, struct snt_reader *r)
{
    enum snt_decode_status st = SNT_DECODE_OK;
    if (!udp_tunnel(d, r, &st))
        d->next = SNT_DEC_DONE; /* not a tunnel: the UDP packet stands */
    return st;
}
