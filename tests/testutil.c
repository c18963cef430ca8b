#include "testutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/tls_crypto.h"

int snt_test_failures;
int snt_test_checks;

bool snt_test_span_eq(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return n == len && (n == 0 || memcmp(p, s, n) == 0);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

uint8_t *snt_test_hex(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2 + 1, n = 0;
    uint8_t *out = malloc(cap);
    int hi = -1;
    if (!out)
        abort();
    for (const char *c = hex; *c; c++) {
        int v = hexval((unsigned char)*c);
        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    *len = n;
    return out;
}

bool snt_test_hex_eq(const uint8_t *p, size_t n, const char *hex)
{
    size_t len;
    uint8_t *want = snt_test_hex(hex, &len);
    bool eq = len == n && (n == 0 || memcmp(p, want, n) == 0);
    free(want);
    return eq;
}

size_t snt_test_fixed_secret(uint16_t suite, uint8_t out[48])
{
    size_t hash_len = 0;
    if (!snt_tls13_suite(suite, NULL, NULL, &hash_len))
        return 0;
    for (size_t i = 0; i < hash_len; i++)
        out[i] = (uint8_t)(0x40 + i);
    return hash_len;
}

uint8_t *snt_test_exact_copy(const uint8_t *p, size_t len)
{
    uint8_t *out = malloc(len ? len : 1);
    if (!out)
        abort();
    if (len)
        memcpy(out, p, len);
    return out;
}

uint64_t snt_test_rand(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

int snt_test_finish(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, snt_test_checks, snt_test_failures);
    return snt_test_failures ? 1 : 0;
}

void snt_test_put_u32(uint8_t *b, size_t *len, uint32_t v, bool big)
{
    for (int i = 0; i < 4; i++)
        b[(*len)++] = (uint8_t)(big ? v >> (24 - 8 * i) : v >> (8 * i));
}

void snt_test_put_u16(uint8_t *b, size_t *len, uint16_t v, bool big)
{
    b[(*len)++] = (uint8_t)(big ? v >> 8 : v);
    b[(*len)++] = (uint8_t)(big ? v : v >> 8);
}
