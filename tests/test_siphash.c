/* SipHash (src/siphash.c): the test vectors of the SipHash paper's
 * reference code for SipHash-2-4 (key 00..0f, message 00..len-1), and the
 * incremental interface against hashing in one piece. */
#include <string.h>

#include "../src/secret.h"
#include "../src/siphash.h"
#include "testutil.h"

static const uint8_t key[SNT_SIPHASH_KEY_LEN] = {0, 1, 2,  3,  4,  5,  6,  7,
                                                 8, 9, 10, 11, 12, 13, 14, 15};

static uint64_t hash(const uint8_t *p, size_t len, unsigned c, unsigned d)
{
    struct snt_siphash s;
    snt_siphash_init(&s, key, c, d);
    snt_siphash_update(&s, p, len);
    return snt_siphash_final(&s);
}

static void test_vectors(void)
{
    uint8_t msg[64];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    CHECK(hash(msg, 0, 2, 4) == 0x726fdb47dd0e0e31ULL);
    CHECK(hash(msg, 1, 2, 4) == 0x74f839c593dc67fdULL);
    CHECK(hash(msg, 15, 2, 4) == 0xa129ca6149be45e5ULL); /* the paper's Appendix A */
    CHECK(hash(msg, 15, 1, 3) != hash(msg, 15, 2, 4));
}

/* Any split of the input, any copy of a state: the same hash. */
static void test_pieces(void)
{
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof msg; len += 13) {
        uint64_t whole = hash(msg, len, 1, 3);
        for (size_t cut = 0; cut <= len; cut += 3) {
            struct snt_siphash s, t;
            snt_siphash_init(&s, key, 1, 3);
            snt_siphash_update(&s, msg, cut / 2);
            snt_siphash_update(&s, msg + cut / 2, cut - cut / 2);
            t = s;
            snt_siphash_update(&s, msg + cut, len - cut);
            CHECK(snt_siphash_final(&s) == whole);
            CHECK(snt_siphash_final(&s) == whole); /* final leaves the state be */
            for (size_t i = cut; i < len; i++)
                snt_siphash_update(&t, msg + i, 1);
            CHECK(snt_siphash_final(&t) == whole);
        }
    }
    uint8_t le[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    struct snt_siphash s;
    snt_siphash_init(&s, key, 1, 3);
    snt_siphash_u64(&s, 0x0102030405060708ULL);
    CHECK(snt_siphash_final(&s) == hash(le, sizeof le, 1, 3));
}

/* Another key, another hash. */
static void test_key(void)
{
    uint8_t other[SNT_SIPHASH_KEY_LEN] = {1};
    struct snt_siphash s;
    snt_siphash_init(&s, other, 1, 3);
    snt_siphash_update(&s, "www.example.test", 16);
    CHECK(snt_siphash_final(&s) != hash((const uint8_t *)"www.example.test", 16, 1, 3));
}

/* Secrets for keyed tables (src/secret.h): every byte asked for is drawn,
 * odd lengths too, and two draws differ (equal 61-byte draws: one chance
 * in 2^488). */
static void test_secret_draw(void)
{
    uint8_t a[61], b[61], tail_a = 0, tail_b = 0;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    snt_secret_draw(a, sizeof a);
    snt_secret_draw(b, sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    for (size_t i = sizeof a - 8; i < sizeof a; i++) {
        tail_a |= a[i];
        tail_b |= b[i];
    }
    CHECK(tail_a != 0 || tail_b != 0); /* the last bytes too (all zero twice: 2^-128) */
}

int main(void)
{
    test_secret_draw();
    test_vectors();
    test_pieces();
    test_key();
    return snt_test_finish("siphash");
}
