/* Decode: the entry point and the loop over layers.
 *
 * Each layer's decoder (decode_link.c, decode_ip.c, decode_tunnel.c) reads
 * its header and says which layer follows; this loop, the only code that
 * knows them all, goes on there until a transport payload is found or a
 * layer gives up.  Each step either consumes header bytes or enters one
 * more level (snt_dec_enter), so the loop is bounded by the frame and by
 * SNT_MAX_DECODE_DEPTH; MAX_STEPS is a second bound, for certainty.
 * Ethernet frames of the commonest shape (IPv4 or IPv6 and TCP) are taken
 * in one pass first (decode_fast.c).
 */
#include <string.h>

#include "decode_internal.h"

#define MAX_STEPS (4 * SNT_MAX_DECODE_DEPTH + 16)

static enum snt_decode_status layer(struct snt_dec *d, enum snt_dec_layer which,
                                    struct snt_reader *r)
{
    switch (which) {
    case SNT_DEC_LINK: return snt_dec_link(d, r);
    case SNT_DEC_ETHERNET: return snt_dec_ethernet(d, r);
    case SNT_DEC_ETHERTYPE: return snt_dec_ethertype(d, r);
    case SNT_DEC_IP: return snt_dec_ip(d, r);
    case SNT_DEC_IPV4: return snt_dec_ipv4(d, r);
    case SNT_DEC_IPV6: return snt_dec_ipv6(d, r);
    case SNT_DEC_GRE: return snt_dec_gre(d, r);
    case SNT_DEC_UDP_TUNNEL: return snt_dec_udp_tunnel(d, r);
    case SNT_DEC_DONE: break;
    }
    return SNT_DECODE_OK;
}

bool snt_decode_linktype_supported(int linktype)
{
    return snt_dec_link_known(linktype);
}

enum snt_decode_status snt_dec_layers(int linktype, const uint8_t *frame, size_t caplen,
                                      struct snt_packet *out)
{
    struct snt_dec d = {.out = out, .next = SNT_DEC_LINK, .linktype = linktype};
    struct snt_reader r = snt_reader_make(frame, caplen);
    memset(out, 0, sizeof *out);
    if (!frame)
        return SNT_DECODE_TRUNCATED;
    for (unsigned step = 0; d.next != SNT_DEC_DONE; step++) {
        enum snt_dec_layer which = d.next;
        d.next = SNT_DEC_DONE;
        if (step == MAX_STEPS)
            return SNT_DECODE_TOO_DEEP;
        enum snt_decode_status st = layer(&d, which, &r);
        if (st != SNT_DECODE_OK)
            return st;
    }
    return SNT_DECODE_OK;
}

enum snt_decode_status snt_decode(int linktype, const uint8_t *frame, size_t caplen,
                                  struct snt_packet *out)
{
    if (linktype == SNT_LINKTYPE_ETHERNET && snt_dec_fast_ethernet_tcp(frame, caplen, out))
        return SNT_DECODE_OK;
    return snt_dec_layers(linktype, frame, caplen, out);
}
