/* Stream reassembly: in order, out of order, retransmission, overlap (first
 * copy wins), gaps, limits, sequence wrap-around. */
#include <string.h>

#include "snitrace/stream.h"
#include "testutil.h"

static const uint8_t text[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void add(struct snt_stream *s, uint32_t base, size_t off, size_t len)
{
    snt_stream_add(s, base + (uint32_t)off, text + off, len);
}

static void test_in_order(void)
{
    struct snt_stream s;
    snt_stream_init(&s, 1024);
    snt_stream_set_base(&s, 1000);
    CHECK(snt_stream_add(&s, 1000, text, 10));
    CHECK(snt_stream_add(&s, 1010, text + 10, 10));
    CHECK_EQ_INT(s.contiguous, 20);
    CHECK(memcmp(s.buf, text, 20) == 0);
    CHECK(!snt_stream_has_gap(&s));
    snt_stream_free(&s);
}

static void test_out_of_order(void)
{
    struct snt_stream s;
    snt_stream_init(&s, 1024);
    snt_stream_set_base(&s, 5);
    CHECK(!snt_stream_add(&s, 5 + 20, text + 20, 10));
    CHECK(!snt_stream_add(&s, 5 + 10, text + 10, 5));
    CHECK(snt_stream_has_gap(&s));
    CHECK_EQ_INT(s.contiguous, 0);
    CHECK(snt_stream_add(&s, 5, text, 10));
    CHECK_EQ_INT(s.contiguous, 15);
    CHECK(snt_stream_add(&s, 5 + 15, text + 15, 5));
    CHECK_EQ_INT(s.contiguous, 30);
    CHECK(memcmp(s.buf, text, 30) == 0);
    CHECK(!snt_stream_has_gap(&s));
    snt_stream_free(&s);
}

static void test_first_copy_wins(void)
{
    struct snt_stream s;
    const uint8_t other[] = "XXXXXXXXXXXXXXXXXXXX";
    snt_stream_init(&s, 1024);
    snt_stream_set_base(&s, 0);
    CHECK(!snt_stream_add(&s, 10, text + 10, 10));
    /* A different copy overlapping held and new bytes: only new bytes count. */
    CHECK(snt_stream_add(&s, 0, other, 15));
    CHECK_EQ_INT(s.contiguous, 20);
    CHECK(memcmp(s.buf, other, 10) == 0);
    CHECK(memcmp(s.buf + 10, text + 10, 10) == 0);
    /* Retransmission of delivered bytes changes nothing. */
    CHECK(!snt_stream_add(&s, 0, text, 20));
    CHECK(memcmp(s.buf, other, 10) == 0);
    snt_stream_free(&s);
}

static void test_limit_and_before_base(void)
{
    struct snt_stream s;
    snt_stream_init(&s, 16);
    snt_stream_set_base(&s, 100);
    /* Starts 4 bytes before the base: the part after the base is kept. */
    CHECK(snt_stream_add(&s, 96, text, 10));
    CHECK_EQ_INT(s.contiguous, 6);
    CHECK(memcmp(s.buf, text + 4, 6) == 0);
    CHECK(snt_stream_add(&s, 106, text, 30));
    CHECK_EQ_INT(s.contiguous, 16);
    CHECK(s.hit_limit);
    CHECK(!snt_stream_add(&s, 200, text, 4));
    snt_stream_free(&s);
}

static void test_wraparound(void)
{
    struct snt_stream s;
    snt_stream_init(&s, 1024);
    uint32_t base = 0xfffffffau;
    snt_stream_set_base(&s, base);
    add(&s, base, 0, 4);
    add(&s, base, 4, 8); /* crosses 2^32 */
    CHECK_EQ_INT(s.contiguous, 12);
    CHECK(memcmp(s.buf, text, 12) == 0);
    snt_stream_free(&s);
}

static void test_too_many_ranges(void)
{
    struct snt_stream s;
    uint8_t byte = 'x';
    snt_stream_init(&s, 4096);
    snt_stream_set_base(&s, 0);
    for (uint32_t i = 0; i < SNT_MAX_OOO_SEGMENTS + 5; i++)
        snt_stream_add(&s, 10 + i * 2, &byte, 1);
    CHECK(s.hit_limit);
    CHECK_EQ_INT(s.n_ranges, SNT_MAX_OOO_SEGMENTS);
    CHECK_EQ_INT(s.contiguous, 0);
    snt_stream_free(&s);
}

static void test_no_base(void)
{
    struct snt_stream s;
    snt_stream_init(&s, 64);
    CHECK(!snt_stream_add(&s, 0, text, 4));
    CHECK_EQ_INT(s.contiguous, 0);
    snt_stream_free(&s);
}

/* Two streams share a budget: what one holds the other cannot take; a
 * refused add changes nothing and says how much it wanted, and bytes freed
 * go back to the budget. */
static void test_budget(void)
{
    struct snt_budget b = {.used = 0, .max = 3000};
    struct snt_stream s, t;
    snt_stream_init(&s, 8192);
    snt_stream_init(&t, 8192);
    s.budget = t.budget = &b;
    snt_stream_set_base(&s, 0);
    snt_stream_set_base(&t, 0);
    CHECK(snt_stream_add(&s, 0, text, 10));
    CHECK_EQ_INT(b.used, 2048); /* the first allocation */
    CHECK(!snt_stream_add(&t, 0, text, 10));
    CHECK_EQ_INT(t.memory_wanted, 2048);
    CHECK(!t.hit_limit);
    CHECK_EQ_INT(t.contiguous, 0);
    CHECK(t.buf == NULL);
    /* Growing s past its first buffer needs 2048 more: refused too. */
    CHECK(!snt_stream_add(&s, 3000, text, 4));
    CHECK_EQ_INT(s.memory_wanted, 2048);
    CHECK_EQ_INT(s.n_ranges, 0);
    snt_stream_free(&s);
    CHECK_EQ_INT(b.used, 0);
    CHECK(snt_stream_add(&t, 0, text, 10));
    CHECK_EQ_INT(t.memory_wanted, 0);
    CHECK_EQ_INT(t.contiguous, 10);
    /* A reset keeps the buffer, still counted. */
    snt_stream_reset(&t, 8192);
    CHECK_EQ_INT(b.used, 2048);
    CHECK(t.budget == &b);
    snt_stream_free(&t);
    CHECK_EQ_INT(b.used, 0);
}

int main(void)
{
    test_in_order();
    test_out_of_order();
    test_first_copy_wins();
    test_limit_and_before_base();
    test_wraparound();
    test_too_many_ranges();
    test_no_base();
    test_budget();
    return snt_test_finish("stream");
}
