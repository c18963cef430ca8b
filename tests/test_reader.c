/* Bounded reader tests: every read at its exact boundary and one byte short
 * (from exact-size heap copies), sticky failure, vectors, QUIC varints. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/reader.h"
#include "testutil.h"

#define SENTINEL 0xa5a5a5a5u

enum fixed_read { R_U8, R_U16, R_U16_LE, R_U24, R_U32, R_U32_LE };

/* One fixed-width read into a sentinel-filled variable: *v gets the value
 * on success; *touched says whether a failed read wrote anyway. */
static bool read_fixed(enum fixed_read which, struct snt_reader *r, uint32_t *v, bool *touched)
{
    uint8_t v8 = 0xa5;
    uint16_t v16 = 0xa5a5;
    uint32_t v32 = SENTINEL;
    bool ok = false;
    switch (which) {
    case R_U8:
        ok = snt_read_u8(r, &v8);
        v32 = ok ? v8 : (v8 == 0xa5 ? SENTINEL : 0);
        break;
    case R_U16:
    case R_U16_LE:
        ok = which == R_U16 ? snt_read_u16(r, &v16) : snt_read_u16_le(r, &v16);
        v32 = ok ? v16 : (v16 == 0xa5a5 ? SENTINEL : 0);
        break;
    case R_U24: ok = snt_read_u24(r, &v32); break;
    case R_U32: ok = snt_read_u32(r, &v32); break;
    case R_U32_LE: ok = snt_read_u32_le(r, &v32); break;
    }
    if (ok)
        *v = v32;
    else
        *touched = v32 != SENTINEL;
    return ok;
}

static const struct {
    const char *name;
    enum fixed_read which;
    size_t width;
    const char *hex;
    uint32_t want;
} fixed[] = {
    {"u8", R_U8, 1, "7f", 0x7f},
    {"u8 high bit", R_U8, 1, "ff", 0xff},
    {"u16", R_U16, 2, "0102", 0x0102},
    {"u16 high bits", R_U16, 2, "ffff", 0xffff},
    {"u16_le", R_U16_LE, 2, "0102", 0x0201},
    {"u16_le high bits", R_U16_LE, 2, "fe80", 0x80fe},
    {"u24", R_U24, 3, "010203", 0x010203},
    {"u24 high bits", R_U24, 3, "ffffff", 0xffffff},
    {"u32", R_U32, 4, "01020304", 0x01020304},
    {"u32 high bits", R_U32, 4, "ffffffff", 0xffffffff},
    {"u32_le", R_U32_LE, 4, "01020304", 0x04030201},
    {"u32_le high bits", R_U32_LE, 4, "000000ff", 0xff000000},
};

/* Exactly width bytes: the read succeeds and consumes all; one short: it
 * fails, leaves output and cursor alone, and the failure sticks. */
static void test_fixed(void)
{
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        int before = snt_test_failures;
        size_t n;
        uint8_t *hex = snt_test_hex(fixed[i].hex, &n);
        uint8_t *b = snt_test_exact_copy(hex, n);
        struct snt_reader r = snt_reader_make(b, n);
        uint32_t v = SENTINEL;
        bool touched = false;
        CHECK_EQ_INT(n, fixed[i].width);
        CHECK(read_fixed(fixed[i].which, &r, &v, &touched));
        CHECK_EQ_INT(v, fixed[i].want);
        CHECK_EQ_INT(snt_reader_left(&r), 0);
        CHECK(snt_reader_done(&r));
        free(b);

        b = snt_test_exact_copy(hex, n - 1);
        r = snt_reader_make(b, n - 1);
        CHECK(!read_fixed(fixed[i].which, &r, &v, &touched));
        CHECK(!touched);
        CHECK(r.failed);
        CHECK_EQ_INT(snt_reader_left(&r), n - 1);
        CHECK(!snt_reader_done(&r));
        free(b);
        free(hex);
        if (snt_test_failures != before)
            fprintf(stderr, "  ^ in case \"%s\"\n", fixed[i].name);
    }
}

/* Once a read fails, later reads fail too, even ones that would fit. */
static void test_sticky(void)
{
    static const uint8_t bytes[3] = {1, 2, 3};
    uint8_t *b = snt_test_exact_copy(bytes, 3);
    struct snt_reader r = snt_reader_make(b, 3);
    uint32_t v32 = SENTINEL;
    uint16_t v16 = 0x5a5a;
    uint8_t v8 = 0x5a;
    struct snt_span s = {NULL, 77};
    CHECK(!snt_read_u32(&r, &v32));
    CHECK(!snt_read_u8(&r, &v8));
    CHECK(!snt_read_u16(&r, &v16));
    CHECK(!snt_skip(&r, 0));
    CHECK(!snt_read_span(&r, 1, &s));
    CHECK(!snt_reader_need(&r, 0));
    CHECK(!snt_peek_u8(&r, 0, &v8));
    CHECK_EQ_INT(v32, SENTINEL);
    CHECK_EQ_INT(v16, 0x5a5a);
    CHECK_EQ_INT(v8, 0x5a);
    CHECK(s.p == NULL && s.len == 77);
    CHECK_EQ_INT(snt_reader_left(&r), 3);
    CHECK(!snt_reader_done(&r));
    free(b);
}

static void test_make_and_done(void)
{
    struct snt_reader r = snt_reader_make(NULL, 0);
    uint8_t v = 0;
    CHECK_EQ_INT(snt_reader_left(&r), 0);
    CHECK(snt_reader_done(&r));
    CHECK(!snt_read_u8(&r, &v));
    CHECK(!snt_reader_done(&r));

    static const uint8_t two[2] = {9, 8};
    uint8_t *b = snt_test_exact_copy(two, 2);
    r = snt_reader_make(b, 2);
    CHECK(!snt_reader_done(&r));
    CHECK(snt_reader_need(&r, 2));
    CHECK(!r.failed);
    CHECK(snt_read_u8(&r, &v));
    CHECK(!snt_reader_done(&r));
    CHECK(snt_read_u8(&r, &v));
    CHECK_EQ_INT(v, 8);
    CHECK(snt_reader_done(&r));
    CHECK(!snt_reader_need(&r, 1));
    CHECK(r.failed);
    free(b);
}

static void test_skip_span_peek(void)
{
    static const uint8_t bytes[4] = {10, 11, 12, 13};
    uint8_t *b = snt_test_exact_copy(bytes, 4);
    struct snt_reader r = snt_reader_make(b, 4);
    struct snt_span s = {NULL, 0};
    uint8_t v = 0;
    CHECK(snt_skip(&r, 0));
    CHECK(snt_skip(&r, 1));
    CHECK(snt_peek_u8(&r, 0, &v) && v == 11);
    CHECK(snt_peek_u8(&r, 2, &v) && v == 13);
    CHECK(!snt_peek_u8(&r, 3, &v)); /* one past the end */
    CHECK(!r.failed);               /* peeking never fails the reader */
    CHECK_EQ_INT(snt_reader_left(&r), 3);
    CHECK(snt_read_span(&r, 3, &s));
    CHECK(s.p == b + 1 && s.len == 3);
    CHECK(snt_reader_done(&r));
    free(b);

    b = snt_test_exact_copy(bytes, 4);
    r = snt_reader_make(b, 4);
    s.p = NULL;
    s.len = 99;
    CHECK(!snt_read_span(&r, 5, &s));
    CHECK(s.p == NULL && s.len == 99);
    r = snt_reader_make(b, 4);
    CHECK(snt_skip(&r, 4));
    CHECK(!snt_skip(&r, 1));
    r = snt_reader_make(b, 4);
    CHECK(!snt_skip(&r, 5));
    CHECK_EQ_INT(snt_reader_left(&r), 4);
    free(b);
}

/* A sub-reader fails on its own; the parent only moved past it. */
static void test_sub(void)
{
    static const uint8_t bytes[5] = {1, 2, 3, 4, 5};
    uint8_t *b = snt_test_exact_copy(bytes, 5);
    struct snt_reader r = snt_reader_make(b, 5), sub;
    uint32_t v = 0;
    uint8_t v8 = 0;
    CHECK(snt_read_sub(&r, 3, &sub));
    CHECK_EQ_INT(snt_reader_left(&sub), 3);
    CHECK(!snt_read_u32(&sub, &v));
    CHECK(sub.failed);
    CHECK(!r.failed);
    CHECK(snt_read_u8(&r, &v8) && v8 == 4);
    CHECK(!snt_read_sub(&r, 2, &sub));
    CHECK(r.failed);
    free(b);
}

static void test_vectors(void)
{
    static const struct {
        const char *hex;
        int prefix; /* 1, 2 or 3 */
        bool ok;
        size_t body;
    } v[] = {
        {"03 616263", 1, true, 3},     {"00", 1, true, 0},
        {"04 616263", 1, false, 0},    {"", 1, false, 0},
        {"0003 616263", 2, true, 3},   {"0004 616263", 2, false, 0},
        {"00", 2, false, 0},           {"0000", 2, true, 0},
        {"000003 616263", 3, true, 3}, {"000004 616263", 3, false, 0},
        {"0000", 3, false, 0},         {"000000", 3, true, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n;
        uint8_t *hex = snt_test_hex(v[i].hex, &n);
        uint8_t *b = snt_test_exact_copy(hex, n);
        struct snt_reader r = snt_reader_make(b, n), sub = {NULL, NULL, false};
        bool ok = v[i].prefix == 1   ? snt_read_vec8(&r, &sub)
                  : v[i].prefix == 2 ? snt_read_vec16(&r, &sub)
                                     : snt_read_vec24(&r, &sub);
        CHECK_EQ_INT(ok, v[i].ok);
        CHECK_EQ_INT(r.failed, !v[i].ok);
        if (ok) {
            CHECK_EQ_INT(snt_reader_left(&sub), v[i].body);
            CHECK(snt_reader_done(&r));
            CHECK(v[i].body == 0 || snt_test_span_eq(sub.p, v[i].body, "abc"));
        }
        free(b);
        free(hex);
    }
}

/* RFC 9000 appendix A.1's examples, the largest value of each size, and a
 * non-minimal encoding; every shorter prefix must fail. */
static void test_varints(void)
{
    static const struct {
        const char *hex;
        uint64_t want;
    } v[] = {
        {"25", 37},
        {"3f", 63},
        {"4025", 37},
        {"7bbd", 15293},
        {"7fff", 16383},
        {"9d7f3e7d", 494878333},
        {"bfffffff", 1073741823},
        {"c2197c5eff14e88c", 151288809941952652ull},
        {"ffffffffffffffff", 4611686018427387903ull},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n;
        uint8_t *hex = snt_test_hex(v[i].hex, &n);
        uint8_t *b = snt_test_exact_copy(hex, n);
        struct snt_reader r = snt_reader_make(b, n);
        uint64_t got = 0;
        CHECK(snt_read_varint(&r, &got));
        CHECK(got == v[i].want);
        CHECK(snt_reader_done(&r));
        free(b);
        for (size_t len = 0; len < n; len++) {
            b = snt_test_exact_copy(hex, len);
            r = snt_reader_make(b, len);
            got = 12345;
            CHECK(!snt_read_varint(&r, &got));
            CHECK(got == 12345);
            CHECK_EQ_INT(snt_reader_left(&r), len);
            free(b);
        }
        free(hex);
    }
}

int main(void)
{
    test_fixed();
    test_sticky();
    test_make_and_done();
    test_skip_span_peek();
    test_sub();
    test_vectors();
    test_varints();
    return snt_test_finish("reader");
}
