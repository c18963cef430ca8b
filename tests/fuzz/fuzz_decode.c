/* Fuzz target for snt_decode: the first byte picks one of the supported link
 * types (in ascending order of value), the rest is the frame.  Besides not
 * crashing, a decoded packet's payload must lie inside the frame and agree
 * with its lengths.  Every frame the fast path takes (an Ethernet frame,
 * whatever link type the first byte picked) must come out of the layer
 * loop the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/decode_internal.h"
#include "snitrace/decode.h"

#define MAX_LINKTYPE_SCAN 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int linktypes[64];
static size_t n_linktypes;

static void find_linktypes(void)
{
    for (int lt = 0; lt < MAX_LINKTYPE_SCAN && n_linktypes < 64; lt++)
        if (snt_decode_linktype_supported(lt))
            linktypes[n_linktypes++] = lt;
}

static void check(const struct snt_packet *p, const uint8_t *frame, size_t len)
{
    if (p->payload_len > p->payload_wire_len)
        abort();
    if (!p->truncated && p->payload_len != p->payload_wire_len)
        abort();
    if (p->proto != SNT_IPPROTO_TCP && p->proto != SNT_IPPROTO_UDP)
        abort();
    if (p->src.family != p->dst.family || (p->src.family != 4 && p->src.family != 6))
        abort();
    if (p->payload_len == 0)
        return;
    if (p->payload < frame || p->payload_len > len ||
        (size_t)(p->payload - frame) > len - p->payload_len)
        abort();
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < p->payload_len; i++)
        sink ^= p->payload[i]; /* let the sanitizers see every byte */
    (void)sink;
}

static bool same_addr(const struct snt_addr *a, const struct snt_addr *b)
{
    return a->family == b->family && memcmp(a->b, b->b, sizeof a->b) == 0;
}

static bool same_packet(const struct snt_packet *a, const struct snt_packet *b)
{
    return same_addr(&a->src, &b->src) && same_addr(&a->dst, &b->dst) && a->sport == b->sport &&
           a->dport == b->dport && a->proto == b->proto && a->tcp_flags == b->tcp_flags &&
           a->seq == b->seq && a->ack == b->ack && a->payload == b->payload &&
           a->payload_len == b->payload_len && a->payload_wire_len == b->payload_wire_len &&
           a->truncated == b->truncated && a->ip_fragment == b->ip_fragment;
}

/* What the fast path takes, the loop decodes the same. */
static void check_fast(const uint8_t *frame, size_t len)
{
    struct snt_packet fast, loop;
    if (!snt_dec_fast_ethernet_tcp(frame, len, &fast))
        return;
    if (snt_dec_layers(SNT_LINKTYPE_ETHERNET, frame, len, &loop) != SNT_DECODE_OK ||
        !same_packet(&fast, &loop))
        abort();
    check(&fast, frame, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_packet p;
    if (n_linktypes == 0)
        find_linktypes();
    if (size < 1 || n_linktypes == 0)
        return 0;
    check_fast(data + 1, size - 1);
    int lt = linktypes[data[0] % n_linktypes];
    if (snt_decode(lt, data + 1, size - 1, &p) == SNT_DECODE_OK)
        check(&p, data + 1, size - 1);
    return 0;
}
