/* Fuzz target for snt_decode: the first byte picks one of the supported link
 * types (in ascending order of value), the rest is the frame.  Besides not
 * crashing, a decoded packet's payload must lie inside the frame and agree
 * with its lengths. */
#include <stdint.h>
#include <stdlib.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_packet p;
    if (n_linktypes == 0)
        find_linktypes();
    if (size < 1 || n_linktypes == 0)
        return 0;
    int lt = linktypes[data[0] % n_linktypes];
    if (snt_decode(lt, data + 1, size - 1, &p) == SNT_DECODE_OK)
        check(&p, data + 1, size - 1);
    return 0;
}
