/* SipHash-c-d, as specified in section 2 of the SipHash paper (see
 * siphash.h): four 64-bit words of state initialised from the key, c
 * rounds per 8-byte little-endian word of input, a last word holding the
 * leftover bytes and the length, then d rounds. */
#include "siphash.h"

#include <endian.h>
#include <string.h>

static uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl(v[2], 32);
}

static void compress(uint64_t v[4], uint64_t m, unsigned rounds)
{
    v[3] ^= m;
    for (unsigned i = 0; i < rounds; i++)
        sip_round(v);
    v[0] ^= m;
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return le64toh(w);
}

void snt_siphash_init(struct snt_siphash *s, const uint8_t key[SNT_SIPHASH_KEY_LEN],
                      unsigned c_rounds, unsigned d_rounds)
{
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    s->v[0] = k0 ^ 0x736f6d6570736575ULL; /* "somepseu" */
    s->v[1] = k1 ^ 0x646f72616e646f6dULL; /* "dorandom" */
    s->v[2] = k0 ^ 0x6c7967656e657261ULL; /* "lygenera" */
    s->v[3] = k1 ^ 0x7465646279746573ULL; /* "tedbytes" */
    s->tail = 0;
    s->total = 0;
    s->c_rounds = c_rounds;
    s->d_rounds = d_rounds;
}

void snt_siphash_update(struct snt_siphash *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    unsigned have = (unsigned)(s->total & 7);
    s->total += len;
    if (have) {
        for (; have < 8 && len; have++, len--)
            s->tail |= (uint64_t)*p++ << (8 * have);
        if (have < 8)
            return;
        compress(s->v, s->tail, s->c_rounds);
        s->tail = 0;
    }
    /* The state in locals: stores through s could alias the input bytes,
     * and the compiler would keep it in memory. */
    uint64_t v[4] = {s->v[0], s->v[1], s->v[2], s->v[3]};
    if (s->c_rounds == 1) /* SipHash-1-3, the table hash: a round without a loop */
        for (; len >= 8; p += 8, len -= 8)
            compress(v, load_le64(p), 1);
    for (; len >= 8; p += 8, len -= 8)
        compress(v, load_le64(p), s->c_rounds);
    memcpy(s->v, v, sizeof v);
    for (unsigned i = 0; i < len; i++)
        s->tail |= (uint64_t)p[i] << (8 * i);
}

void snt_siphash_u64(struct snt_siphash *s, uint64_t v)
{
    uint8_t b[8];
    for (unsigned i = 0; i < sizeof b; i++, v >>= 8)
        b[i] = (uint8_t)v;
    snt_siphash_update(s, b, sizeof b);
}

uint64_t snt_siphash_final(const struct snt_siphash *s)
{
    uint64_t v[4] = {s->v[0], s->v[1], s->v[2], s->v[3]};
    uint64_t last = (s->total & 0xff) << 56 | s->tail;
    compress(v, last, s->c_rounds);
    v[2] ^= 0xff;
    for (unsigned i = 0; i < s->d_rounds; i++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
