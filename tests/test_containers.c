/* The containers sessions and the name cache keep their state in: the
 * arena (alignment, growth, reset keeping a chunk, a first chunk inside
 * its owner), the
 * object pool (reuse, objects apart), the growing hash table (found
 * through growth, removed from the middle of a probe run), and the ways of
 * a set-associative memo (empty slots first, then the least recently
 * used; a tag found only where it was filled; the clock never 0). */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/arena.h"
#include "../src/htable.h"
#include "../src/pool.h"
#include "../src/ways.h"
#include "testutil.h"

static bool aligned(const void *p)
{
    return (uintptr_t)p % alignof(max_align_t) == 0;
}

static void test_arena(void)
{
    struct snt_arena a;
    snt_arena_init(&a);
    char *first = snt_arena_memdup(&a, "abc", 3);
    CHECK(first && strcmp(first, "abc") == 0 && aligned(first));
    /* many allocations across chunks: each aligned, none overlapping */
    char *items[600];
    for (unsigned i = 0; i < 600; i++) {
        items[i] = snt_arena_alloc(&a, 1 + i % 40);
        CHECK(items[i] && aligned(items[i]));
        memset(items[i], (int)(i & 0xff), 1 + i % 40);
    }
    for (unsigned i = 0; i < 600; i++)
        CHECK(items[i][i % 40] == (char)(i & 0xff));
    CHECK(strcmp(first, "abc") == 0);
    /* a large one gets a chunk big enough */
    char *big = snt_arena_alloc(&a, 100000);
    CHECK(big != NULL);
    if (big)
        memset(big, 1, 100000);
    snt_arena_free(&a);

    /* a reset keeps the (small) chunk: the next use starts where it began */
    char *x = snt_arena_alloc(&a, 256), *y = snt_arena_alloc(&a, 16);
    CHECK(y == x + 256);
    snt_arena_reset(&a);
    CHECK(snt_arena_alloc(&a, 8) == x);
    snt_arena_free(&a);
    snt_arena_free(&a); /* twice is harmless */
}

/* An arena that begins in its owner's buffer: used first, then chunks of
 * its own, and back to the buffer alone after a reset. */
static void test_arena_inline(void)
{
    static alignas(max_align_t) unsigned char own[512];
    struct snt_arena a;
    snt_arena_init_inline(&a, own, sizeof own);
    char *p = snt_arena_alloc(&a, 100), *q = snt_arena_alloc(&a, 100);
    CHECK((unsigned char *)p > own && (unsigned char *)q < own + sizeof own);
    char *far = snt_arena_alloc(&a, 2000);
    CHECK(far && ((unsigned char *)far < own || (unsigned char *)far >= own + sizeof own));
    if (far)
        memset(far, 2, 2000);
    snt_arena_reset(&a);
    CHECK(snt_arena_alloc(&a, 100) == p);
    snt_arena_alloc(&a, 3000);
    snt_arena_free(&a); /* the chunk of its own, not the buffer */
    CHECK(snt_arena_alloc(&a, 100) == p);
    snt_arena_free(&a);
}

static void test_pool(void)
{
    struct snt_pool p;
    snt_pool_init(&p, 40, 4);
    void *objs[10];
    for (unsigned i = 0; i < 10; i++) {
        objs[i] = snt_pool_get(&p);
        CHECK(objs[i] && aligned(objs[i]));
        memset(objs[i], (int)i, 40);
    }
    for (unsigned i = 0; i < 10; i++)
        for (unsigned k = 0; k < 40; k++)
            CHECK(((unsigned char *)objs[i])[k] == i);
    snt_pool_put(&p, objs[3]);
    snt_pool_put(&p, objs[7]);
    CHECK(snt_pool_get(&p) == objs[7]); /* the last given back comes first */
    CHECK(snt_pool_get(&p) == objs[3]);
    snt_pool_put(&p, NULL);
    snt_pool_free(&p);
}

struct item {
    int key;
};

static uint32_t item_hash(int key)
{
    return snt_hash_u64((uint64_t)key);
}

static struct item *lookup(const struct snt_htable *t, int key)
{
    uint32_t h = item_hash(key);
    size_t at = snt_htable_start(t, h);
    for (struct item *it; (it = snt_htable_next(t, h, &at));)
        if (it->key == key)
            return it;
    return NULL;
}

static void test_htable(void)
{
    enum { N = 5000 };
    static struct item items[N];
    struct snt_htable t;
    CHECK(snt_htable_init(&t, 2));
    for (int i = 0; i < N; i++) {
        items[i].key = i * 7;
        CHECK(snt_htable_insert(&t, &items[i], item_hash(items[i].key)));
    }
    CHECK_EQ_INT(t.count, N);
    CHECK(t.mask + 1 >= 2 * N); /* grew to keep half its slots free */
    for (int i = 0; i < N; i++)
        CHECK(lookup(&t, i * 7) == &items[i]);
    CHECK(lookup(&t, 3) == NULL);
    for (int i = 0; i < N; i += 2)
        snt_htable_remove(&t, &items[i], item_hash(items[i].key));
    snt_htable_remove(&t, &items[0], item_hash(items[0].key)); /* gone already: no change */
    CHECK_EQ_INT(t.count, N / 2);
    for (int i = 0; i < N; i++)
        CHECK(lookup(&t, i * 7) == (i % 2 ? &items[i] : NULL));
    snt_htable_free(&t);

    /* Every key under one hash: a probe run that wraps around the end of
     * the slots, entries removed from its middle, the rest still found. */
    static struct item same[40];
    CHECK(snt_htable_init(&t, 7));
    for (int i = 0; i < 40; i++) {
        same[i].key = i;
        CHECK(snt_htable_insert(&t, &same[i], 0x7e));
    }
    for (int i = 0; i < 40; i += 3)
        snt_htable_remove(&t, &same[i], 0x7e);
    for (int i = 0; i < 40; i++) {
        size_t at = snt_htable_start(&t, 0x7e);
        struct item *it, *found = NULL;
        while ((it = snt_htable_next(&t, 0x7e, &at)))
            if (it->key == i)
                found = it;
        CHECK(found == (i % 3 ? &same[i] : NULL));
    }
    snt_htable_free(&t);

    /* addresses that differ in one byte or only in family hash apart */
    struct snt_addr a, b;
    memset(&a, 0, sizeof a);
    a.family = 4;
    b = a;
    b.b[15] = 1;
    CHECK(snt_hash_addr(&a, 0) != snt_hash_addr(&b, 0));
    b = a;
    b.family = 6;
    CHECK(snt_hash_addr(&a, 0) != snt_hash_addr(&b, 0));
    CHECK(snt_hash_addr(&a, 0) != snt_hash_addr(&a, 1));
}

/* The ways holding a key of tag, one bit each. */
static unsigned holding(const struct snt_ways *s, uint32_t tag)
{
    unsigned bits = 0;
    for (unsigned w = 0; w < SNT_WAYS; w++)
        bits |= (unsigned)snt_ways_holds(s, w, tag) << w;
    return bits;
}

/* Four keys of one tag fill the four ways; the least recently found goes
 * for a fifth; a tag is held in each way filled with it and nowhere else. */
static void test_ways(void)
{
    struct snt_ways s;
    uint32_t clock = 0;
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(holding(&s, 0), 0); /* empty slots hold nothing, tag 0 or not */
    unsigned filled[SNT_WAYS];
    for (unsigned i = 0; i < SNT_WAYS; i++)
        filled[i] = snt_ways_take(&s, 7, &clock);
    for (unsigned i = 0; i < SNT_WAYS; i++)
        CHECK_EQ_INT(filled[i], i); /* every empty way before any is given up */
    CHECK_EQ_INT(holding(&s, 7), 0xf);
    CHECK_EQ_INT(holding(&s, 8), 0);
    /* Ways 0, 2 and 3 found again: way 1 is the least recently used. */
    snt_ways_touch(&s, 0, &clock);
    snt_ways_touch(&s, 3, &clock);
    snt_ways_touch(&s, 2, &clock);
    CHECK_EQ_INT(snt_ways_take(&s, 9, &clock), 1);
    CHECK_EQ_INT(holding(&s, 9), 0x2);
    CHECK_EQ_INT(holding(&s, 7), 0xd);
    CHECK_EQ_INT(snt_ways_take(&s, 9, &clock), 0); /* then way 0, found before 3 and 2 */
    CHECK_EQ_INT(snt_ways_take(&s, 5, &clock), 3); /* then way 3, found before 2 */
    CHECK_EQ_INT(holding(&s, 7), 0x4);
    CHECK_EQ_INT(holding(&s, 5), 0x8);
    /* The clock skips 0, which marks a slot empty. */
    clock = UINT32_MAX;
    snt_ways_touch(&s, 3, &clock);
    CHECK_EQ_INT(clock, 1);
    CHECK(s.used[3] != 0);
    CHECK_EQ_INT(holding(&s, 5), 0x8);
}

int main(void)
{
    test_arena();
    test_arena_inline();
    test_pool();
    test_htable();
    test_ways();
    return snt_test_finish("containers");
}
