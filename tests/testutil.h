/* Minimal test helpers: CHECK records a failure and goes on; the test's
 * main returns snt_test_finish(), non-zero when anything failed. */
#ifndef SNITRACE_TESTUTIL_H
#define SNITRACE_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int snt_test_failures;
extern int snt_test_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        snt_test_checks++;                                                                         \
        if (!(cond)) {                                                                             \
            snt_test_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        snt_test_checks++;                                                                         \
        if (a_ != b_) {                                                                            \
            snt_test_failures++;                                                                   \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a,    \
                    a_, #b, b_);                                                                   \
        }                                                                                          \
    } while (0)

/* Compare a (pointer, length) byte string with a C string. */
bool snt_test_span_eq(const uint8_t *p, size_t len, const char *s);
#define CHECK_SPAN(span, str) CHECK(snt_test_span_eq((span).p, (span).len, (str)))

/* Decode a hex string (whitespace ignored) into a malloc'd buffer. */
uint8_t *snt_test_hex(const char *hex, size_t *len);

/* Do the n bytes at p equal the bytes the hex string spells? */
bool snt_test_hex_eq(const uint8_t *p, size_t n, const char *hex);

/* The secret tests/fuzz/make_tls_crypto_corpus.py seals its vectors with:
 * bytes 0x40, 0x41, ... of the suite's hash length, which is returned (0 for
 * a suite that is not TLS 1.3's). */
size_t snt_test_fixed_secret(uint16_t suite, uint8_t out[48]);

/* Copy bytes to a fresh heap buffer of exactly len bytes, so that
 * AddressSanitizer catches any read past the end. */
uint8_t *snt_test_exact_copy(const uint8_t *p, size_t len);

/* The next number of a xorshift64 sequence kept in *state (never 0):
 * repeatable pseudo-random test data. */
uint64_t snt_test_rand(uint64_t *state);

/* Append an integer to b at *len (advanced), in big- or little-endian
 * order: the fields of hand-built capture files. */
void snt_test_put_u32(uint8_t *b, size_t *len, uint32_t v, bool big);
void snt_test_put_u16(uint8_t *b, size_t *len, uint16_t v, bool big);

int snt_test_finish(const char *name);

#endif
