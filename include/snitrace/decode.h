/* Decode: link layers, tunnels, IPv4/IPv6, TCP and UDP.
 *
 * snt_decode() gives a read-only view of one captured frame: the innermost
 * IP addresses, the transport ports and flags, and the transport payload as
 * a span into the caller's buffer.  It never reads past caplen.
 */
#ifndef SNITRACE_DECODE_H
#define SNITRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNT_IPPROTO_TCP 6
#define SNT_IPPROTO_UDP 17

#define SNT_TCP_FIN 0x01
#define SNT_TCP_SYN 0x02
#define SNT_TCP_RST 0x04
#define SNT_TCP_PSH 0x08
#define SNT_TCP_ACK 0x10

/* Link types snt_decode() takes: LINKTYPE_* values as pcap files store them,
 * plus the platform DLT_* values libpcap may hand out instead (12, 14). */
#define SNT_LINKTYPE_NULL         0 /* BSD loopback, AF in host byte order */
#define SNT_LINKTYPE_ETHERNET     1
#define SNT_LINKTYPE_PPP          9
#define SNT_LINKTYPE_FDDI         10
#define SNT_LINKTYPE_DLT_RAW12    12 /* DLT_RAW on most platforms */
#define SNT_LINKTYPE_DLT_RAW14    14 /* DLT_RAW on OpenBSD */
#define SNT_LINKTYPE_PPP_HDLC     50
#define SNT_LINKTYPE_RAW          101
#define SNT_LINKTYPE_C_HDLC       104
#define SNT_LINKTYPE_IEEE802_11   105
#define SNT_LINKTYPE_LOOP         108 /* OpenBSD loopback, AF in network order */
#define SNT_LINKTYPE_LINUX_SLL    113
#define SNT_LINKTYPE_RADIOTAP     127
#define SNT_LINKTYPE_ARCNET_LINUX 129
#define SNT_LINKTYPE_PPI          192
#define SNT_LINKTYPE_IPV4         228
#define SNT_LINKTYPE_IPV6         229
#define SNT_LINKTYPE_NFLOG        239
#define SNT_LINKTYPE_LINUX_SLL2   276

struct snt_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t b[16];  /* IPv4 in the first 4 bytes, rest zero */
};

enum snt_decode_status {
    SNT_DECODE_OK = 0,
    SNT_DECODE_NOT_IP,      /* ARP, LLDP, ... : nothing for us, not an error */
    SNT_DECODE_OTHER_PROTO, /* IP, but neither TCP nor UDP (ICMP, ...) */
    SNT_DECODE_FRAGMENT,    /* a non-first IP fragment, or a first one we can't use */
    SNT_DECODE_TRUNCATED,   /* caplen ended inside a header */
    SNT_DECODE_MALFORMED,   /* a header that contradicts itself */
    SNT_DECODE_UNSUPPORTED, /* link type or encapsulation we do not know */
    SNT_DECODE_TOO_DEEP,    /* more nested layers than SNT_MAX_DECODE_DEPTH, or an MPLS
                             * stack of more than SNT_MAX_MPLS_LABELS labels */
};

struct snt_packet {
    struct snt_addr src, dst;
    uint16_t sport, dport;
    uint8_t proto;           /* SNT_IPPROTO_TCP or SNT_IPPROTO_UDP */
    uint8_t tcp_flags;       /* SNT_TCP_* */
    uint32_t seq, ack;       /* TCP only */
    const uint8_t *payload;  /* transport payload, as captured */
    size_t payload_len;      /* captured bytes of payload */
    size_t payload_wire_len; /* payload length the IP header claims */
    bool truncated;          /* payload_len < payload_wire_len (snaplen), or
                              * ip_fragment: the payload is not all there */
    bool ip_fragment;        /* a first IP fragment: the rest of the transport
                              * payload is in fragments not decoded here */
};

/* Link types (DLT_* / LINKTYPE_* values) snt_decode understands. */
bool snt_decode_linktype_supported(int linktype);

/* Decode one frame of the given link type down to the innermost IP packet
 * (through VLAN tags, MPLS, PPPoE and the tunnels of decode_tunnel.c) and
 * its TCP or UDP header.  On SNT_DECODE_OK *out is filled; otherwise its
 * content is unspecified.  Pure: no global state, no allocation. */
enum snt_decode_status snt_decode(int linktype, const uint8_t *frame, size_t caplen,
                                  struct snt_packet *out);

#endif
