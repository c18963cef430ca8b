/* Shared between the decode files (decode.c, decode_link.c, decode_tunnel.c);
 * not part of the public surface.
 *
 * Each layer decoder takes a reader over the captured bytes from the start
 * of its header to the end of the enclosing layer and returns a
 * snt_decode_status.  It consumes the reader: its header is read off and
 * what is left is the next layer's.  A layer never calls the decoder of
 * another file's layer: it says which layer comes next (snt_dec_then), and
 * the loop in decode.c, the one place that knows every layer, goes on
 * there.  So the files depend on decode.c's loop and this header only,
 * never on each other.  Every chain of nested layers passes through an IP
 * header, an Ethernet header, a tag or a label stack, and each of those
 * first calls snt_dec_enter(): the chain stays bounded by
 * SNT_MAX_DECODE_DEPTH whatever the packet says.
 */
#ifndef SNITRACE_DECODE_INTERNAL_H
#define SNITRACE_DECODE_INTERNAL_H

#include "snitrace/decode.h"
#include "snitrace/limits.h"
#include "snitrace/reader.h"

/* EtherTypes (IEEE 802 numbers registry). */
#define SNT_ETH_IPV4          0x0800
#define SNT_ETH_IPV6          0x86dd
#define SNT_ETH_VLAN          0x8100 /* 802.1Q C-tag */
#define SNT_ETH_QINQ          0x88a8 /* 802.1ad S-tag */
#define SNT_ETH_QINQ_OLD      0x9100 /* pre-802.1ad S-tag */
#define SNT_ETH_QINQ_OLD2     0x9200
#define SNT_ETH_MPLS_UC       0x8847
#define SNT_ETH_MPLS_MC       0x8848
#define SNT_ETH_PPPOE_SESSION 0x8864
#define SNT_ETH_PPP           0x880b /* PPP over GRE (PPTP) */
#define SNT_ETH_TEB           0x6558 /* transparent Ethernet bridging */
#define SNT_ETH_PBB           0x88e7 /* 802.1ah I-tag */
#define SNT_ETH_MAX_LENGTH    1500   /* type field values up to here are 802.3 lengths */

/* The layer decode.c's loop decodes next. */
enum snt_dec_layer {
    SNT_DEC_DONE = 0,   /* the packet is decoded (or not decodable) */
    SNT_DEC_LINK,       /* by d->linktype (decode_link.c) */
    SNT_DEC_ETHERNET,   /* an Ethernet header (decode_link.c) */
    SNT_DEC_ETHERTYPE,  /* what d->ethertype names (decode_link.c) */
    SNT_DEC_IP,         /* IPv4 or IPv6 by the version nibble (decode_ip.c) */
    SNT_DEC_IPV4,       /* (decode_ip.c) */
    SNT_DEC_IPV6,       /* (decode_ip.c) */
    SNT_DEC_GRE,        /* (decode_tunnel.c) */
    SNT_DEC_UDP_TUNNEL, /* the UDP payload, if its ports say tunnel (decode_tunnel.c) */
};

struct snt_dec {
    struct snt_packet *out;
    unsigned depth; /* encapsulation levels entered so far */
    bool fragment;  /* some enclosing or the innermost IP packet is a first fragment */
    enum snt_dec_layer next;
    int linktype;       /* SNT_DEC_LINK */
    uint16_t ethertype; /* SNT_DEC_ETHERTYPE */
    size_t udp_wire;    /* SNT_DEC_UDP_TUNNEL: the payload length the UDP header claims */
};

/* Go on with `next`: what a layer returns when another one follows. */
static inline enum snt_decode_status snt_dec_then(struct snt_dec *d, enum snt_dec_layer next)
{
    d->next = next;
    return SNT_DECODE_OK;
}

/* Go on with what an EtherType names.  IPv4 and IPv6, nearly every packet,
 * go straight to their layer: what snt_dec_ethertype() would say, one turn
 * of the loop sooner. */
static inline enum snt_decode_status snt_dec_then_ethertype(struct snt_dec *d, uint16_t type)
{
    if (type == SNT_ETH_IPV4)
        return snt_dec_then(d, SNT_DEC_IPV4);
    if (type == SNT_ETH_IPV6)
        return snt_dec_then(d, SNT_DEC_IPV6);
    d->ethertype = type;
    return snt_dec_then(d, SNT_DEC_ETHERTYPE);
}

/* Count one more level of encapsulation; false when the limit is reached
 * (the caller then returns SNT_DECODE_TOO_DEEP).  Each link header, VLAN
 * tag, MPLS label stack, PPPoE header and IP header is one level.  Real
 * stacks stay well below SNT_MAX_DECODE_DEPTH: QinQ, an MPLS stack, a
 * pseudowire's Ethernet and tags, IP, VXLAN or GRE and the inner Ethernet,
 * tags and IP come to about 14.  The bound is there so that a packet cannot
 * drive the recursion at will.  Segment routing keeps MPLS stacks below
 * about 12 labels, under SNT_MAX_MPLS_LABELS. */
static inline bool snt_dec_enter(struct snt_dec *d)
{
    if (d->depth >= SNT_MAX_DECODE_DEPTH)
        return false;
    d->depth++;
    return true;
}

/* Narrow r to its first n bytes (all of it when it holds fewer): what a
 * length field says ends the layer, like padding after an IP packet. */
static inline void snt_dec_clip(struct snt_reader *r, size_t n)
{
    snt_reader_clip(r, n);
}

/* decode.c: the loop over layers, which decodes every frame snt_decode()
 * takes (snt_decode() first tries the fast path below). */
enum snt_decode_status snt_dec_layers(int linktype, const uint8_t *frame, size_t caplen,
                                      struct snt_packet *out);

/* decode_fast.c: an Ethernet II frame of IPv4 without options or IPv6
 * without extension headers, not a fragment, with its TCP header whole,
 * into *out as snt_dec_layers() would decode it; false (and *out
 * unspecified) for any other frame, which the loop then decodes. */
bool snt_dec_fast_ethernet_tcp(const uint8_t *frame, size_t caplen, struct snt_packet *out);

/* decode_ip.c: IPv4 and IPv6 with what they carry (TCP and UDP decoded
 * there; IP-in-IP, GRE and UDP tunnels through snt_dec_then). */
enum snt_decode_status snt_dec_ipv4(struct snt_dec *d, struct snt_reader *r);
enum snt_decode_status snt_dec_ipv6(struct snt_dec *d, struct snt_reader *r);
/* IPv4 or IPv6 by the version nibble, for layers that don't say which. */
enum snt_decode_status snt_dec_ip(struct snt_dec *d, struct snt_reader *r);

/* decode_link.c */
bool snt_dec_link_known(int linktype);
enum snt_decode_status snt_dec_link(struct snt_dec *d, struct snt_reader *r);
enum snt_decode_status snt_dec_ethernet(struct snt_dec *d, struct snt_reader *r);
enum snt_decode_status snt_dec_ethertype(struct snt_dec *d, struct snt_reader *r);

/* decode_tunnel.c */
enum snt_decode_status snt_dec_gre(struct snt_dec *d, struct snt_reader *r);
/* The UDP payload (r, what was captured of d->udp_wire bytes; the ports
 * are in d->out) as a tunnel chosen by port.  When it is not a tunnel
 * header after all, the UDP packet stands: SNT_DECODE_OK with nothing
 * next. */
enum snt_decode_status snt_dec_udp_tunnel(struct snt_dec *d, struct snt_reader *r);

#endif
