/* Tests for src/format.c: addresses exactly as inet_ntop(3) writes them
 * and timestamps exactly as gmtime_r + strftime write them, for generated
 * values and the shapes RFC 5952 singles out. */
#include "snitrace/format.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    return snt_test_rand(&rnd_state);
}

static void check_addr(const struct snt_addr *a)
{
    char want[INET6_ADDRSTRLEN], got[SNT_FORMAT_ADDR_LEN];
    inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->b, want, sizeof want);
    size_t n = snt_format_addr(a, got, sizeof got);
    CHECK(strcmp(want, got) == 0);
    CHECK_EQ_INT(n, strlen(want));
    if (strcmp(want, got) != 0)
        fprintf(stderr, "  inet_ntop %s, snt_format_addr %s\n", want, got);
}

/* IPv6 addresses made of zero and non-zero words in every pattern, so
 * that every placement of zero runs (and of the IPv4 tails) is seen. */
static void test_ipv6_word_patterns(void)
{
    for (unsigned mask = 0; mask < 256; mask++) {
        for (unsigned variant = 0; variant < 4; variant++) {
            struct snt_addr a = {.family = 6};
            for (int w = 0; w < 8; w++) {
                unsigned v = 0;
                if (mask & (1u << w))
                    v = variant == 0 ? 1 : variant == 1 ? 0xffff : (unsigned)(rnd() & 0xffff);
                a.b[2 * w] = (uint8_t)(v >> 8);
                a.b[2 * w + 1] = (uint8_t)v;
            }
            check_addr(&a);
        }
    }
}

static void test_ipv6_special(void)
{
    static const char *const texts[] = {
        "::",
        "::1",
        "::2",
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "::0.0.1.0",
        "::ffff:0.0.0.0",
        "1::",
        "2001:db8::1",
        "fe80::1:2",
        "1:0:0:1::",
        "1::1:0:0:1",
        "0:0:1::",
        "::ffff:0:1.2.3.4",
        "64:ff9b::1.2.3.4",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct snt_addr a = {.family = 6};
        CHECK(inet_pton(AF_INET6, texts[i], a.b) == 1);
        check_addr(&a);
    }
}

static void test_ipv4(void)
{
    struct snt_addr a = {.family = 4};
    check_addr(&a);
    memset(a.b, 255, 4);
    check_addr(&a);
    for (int i = 0; i < 10000; i++) {
        uint64_t r = rnd();
        memcpy(a.b, &r, 4);
        check_addr(&a);
    }
}

static void test_random_ipv6(void)
{
    for (int i = 0; i < 20000; i++) {
        struct snt_addr a = {.family = 6};
        for (int k = 0; k < 16; k += 8) {
            uint64_t r = rnd();
            memcpy(a.b + k, &r, 8);
        }
        check_addr(&a);
    }
}

static void check_time(uint64_t usec)
{
    char want[64], day[40], got[SNT_FORMAT_TIME_LEN];
    time_t secs = (time_t)(usec / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(want, sizeof want, "%s.%06uZ", day, (unsigned)(usec % 1000000u));
    size_t n = snt_format_time(usec, got, sizeof got);
    CHECK(strcmp(want, got) == 0);
    CHECK_EQ_INT(n, strlen(want));
    if (strcmp(want, got) != 0)
        fprintf(stderr, "  strftime %s, snt_format_time %s\n", want, got);
}

static void test_times(void)
{
    static const uint64_t fixed[] = {
        0,
        999999,
        1000000,
        951782400ULL * 1000000u,        /* 2000-02-29 */
        951868799ULL * 1000000u + 1,    /* 2000-02-29T23:59:59 */
        4107542400ULL * 1000000u,       /* 2100-03-01: no leap day */
        1795622400ULL * 1000000u + 42,  /* the captures' day */
        253402300799ULL * 1000000u,     /* 9999-12-31T23:59:59 */
        253402300800ULL * 1000000u + 7, /* year 10000 */
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_time(fixed[i]);
    for (int i = 0; i < 20000; i++)
        check_time(rnd() % (300000000000ULL * 1000000u));
    /* The same second twice, then another: the per-second memory must not
     * keep a stale date. */
    check_time(1795622400ULL * 1000000u + 1);
    check_time(1795622400ULL * 1000000u + 2);
    check_time(1795622401ULL * 1000000u);
    /* A record's second, then a certificate's dates between records: each
     * of the seconds remembered keeps its own text, whichever goes. */
    static const uint64_t turns[] = {1795622400, 1577836800, 1795622400, 2208988800,
                                     1577836800, 2208988800, 1795622401, 1795622400};
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof turns / sizeof turns[0]; i++)
            check_time(turns[i] * 1000000u + (uint64_t)round);
}

static void check_uint(uint64_t v)
{
    char want[32], got[SNT_FORMAT_UINT_LEN];
    snprintf(want, sizeof want, "%llu", (unsigned long long)v);
    size_t n = snt_format_uint(v, got);
    CHECK(strcmp(want, got) == 0);
    CHECK_EQ_INT(n, strlen(want));
    if (strcmp(want, got) != 0)
        fprintf(stderr, "  printf %s, snt_format_uint %s\n", want, got);
}

/* Every length of number, at both ends, and random ones of every size. */
static void test_uints(void)
{
    uint64_t power = 1;
    for (int digits = 1; digits <= 20; digits++) {
        check_uint(power);
        check_uint(power - 1);
        check_uint(power + 1);
        check_uint(power * 5);
        if (digits < 20)
            power *= 10;
    }
    check_uint(UINT64_MAX);
    check_uint(UINT64_MAX - 1);
    for (int i = 0; i < 20000; i++)
        check_uint(rnd() >> (rnd() % 64));
}

static void test_short_buffers(void)
{
    char buf[8];
    struct snt_addr a = {.family = 4, .b = {192, 0, 2, 10}};
    CHECK_EQ_INT(snt_format_addr(&a, buf, sizeof buf), 7);
    CHECK(strcmp(buf, "192.0.2") == 0);
    CHECK_EQ_INT(snt_format_time(0, buf, sizeof buf), 7);
    CHECK(strcmp(buf, "1970-01") == 0);
    char digits[SNT_FORMAT_UINT_LEN];
    CHECK_EQ_INT(snt_format_uint(UINT64_MAX, digits), 20);
    CHECK(strcmp(digits, "18446744073709551615") == 0);
    CHECK_EQ_INT(snt_format_uint(0, digits), 1);
    CHECK(strcmp(digits, "0") == 0);
}

int main(void)
{
    test_ipv4();
    test_ipv6_special();
    test_ipv6_word_patterns();
    test_random_ipv6();
    test_times();
    test_uints();
    test_short_buffers();
    return snt_test_finish("format");
}
