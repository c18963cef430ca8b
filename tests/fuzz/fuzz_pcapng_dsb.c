/* Fuzz target for the pcapng secrets-block scanner.  Besides not crashing:
 * the input fed in one piece and fed in small pieces of varying size gives
 * the same secrets blocks and the same final answer, and no block is longer
 * than the input. */
#include <stdint.h>
#include <stdlib.h>

#include "snitrace/pcapng_dsb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
    uint64_t blocks, hash;
    size_t input_size;
};

static void on_secrets(void *arg, uint32_t type, const uint8_t *p, size_t len)
{
    struct tally *t = arg;
    if (len > t->input_size)
        abort();
    t->blocks++;
    t->hash = (t->hash ^ type) * 1099511628211ull; /* FNV-1a over type and bytes */
    for (size_t i = 0; i < len; i++)
        t->hash = (t->hash ^ p[i]) * 1099511628211ull;
}

static enum snt_result scan(const uint8_t *data, size_t size, bool pieces, struct tally *t)
{
    struct snt_pcapng_dsb s;
    enum snt_result st = SNT_OK;
    size_t off = 0, step = size % 13 + 1;
    snt_pcapng_dsb_init(&s);
    *t = (struct tally){0, 14695981039346656037ull, size};
    if (!pieces)
        st = snt_pcapng_dsb_feed(&s, data, size, on_secrets, t);
    while (pieces && off < size) {
        size_t n = size - off < step ? size - off : step;
        st = snt_pcapng_dsb_feed(&s, data + off, n, on_secrets, t);
        off += n;
        step = step * 7 % 17 + 1;
    }
    snt_pcapng_dsb_release(&s);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tally whole, pieces;
    enum snt_result a = scan(data, size, false, &whole);
    enum snt_result b = scan(data, size, true, &pieces);
    if (a != b || whole.blocks != pieces.blocks || whole.hash != pieces.hash)
        abort();
    return 0;
}
