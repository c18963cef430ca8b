/* Flow table: both directions map to one entry, LRU order, eviction when
 * full, removal, many flows. */
#include <string.h>

#include "snitrace/flow.h"
#include "testutil.h"

static struct snt_packet packet(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport)
{
    struct snt_packet p;
    memset(&p, 0, sizeof p);
    p.src.family = p.dst.family = 4;
    p.src.b[0] = 192;
    p.src.b[3] = a;
    p.dst.b[0] = 192;
    p.dst.b[3] = b;
    p.sport = sport;
    p.dport = dport;
    p.proto = SNT_IPPROTO_TCP;
    return p;
}

static int evicted;
static void on_evict(struct snt_flow *f, void *arg)
{
    (void)f;
    (void)arg;
    evicted++;
}

static struct snt_flow *insert(struct snt_flow_table *t, struct snt_packet p, uint64_t now)
{
    struct snt_flow_key k;
    int dir;
    uint32_t h = snt_flow_key_make(&p, &k, &dir);
    return snt_flow_insert(t, &k, h, now);
}

static struct snt_flow *lookup(struct snt_flow_table *t, struct snt_packet p, int *dir)
{
    struct snt_flow_key k;
    uint32_t h = snt_flow_key_make(&p, &k, dir);
    return snt_flow_lookup(t, &k, h);
}

static void test_both_directions(void)
{
    struct snt_flow_table *t = snt_flow_table_new(16, 0, on_evict, NULL);
    struct snt_flow *f = insert(t, packet(1, 40000, 2, 443), 1);
    int d1, d2;
    CHECK(lookup(t, packet(1, 40000, 2, 443), &d1) == f);
    CHECK(lookup(t, packet(2, 443, 1, 40000), &d2) == f);
    CHECK(d1 != d2);
    CHECK(lookup(t, packet(1, 40001, 2, 443), &d1) == NULL);
    /* Same addresses and ports, other protocol: another flow. */
    struct snt_packet udp = packet(1, 40000, 2, 443);
    udp.proto = SNT_IPPROTO_UDP;
    CHECK(lookup(t, udp, &d1) == NULL);
    snt_flow_table_free(t);
}

static void test_eviction_and_lru(void)
{
    evicted = 0;
    struct snt_flow_table *t = snt_flow_table_new(3, 0, on_evict, NULL);
    struct snt_flow *a = insert(t, packet(1, 1, 9, 80), 1);
    struct snt_flow *b = insert(t, packet(2, 1, 9, 80), 2);
    insert(t, packet(3, 1, 9, 80), 3);
    snt_flow_touch(t, a, 4); /* a is now the newest; b the oldest */
    CHECK(snt_flow_oldest(t) == b);
    insert(t, packet(4, 1, 9, 80), 5);
    CHECK_EQ_INT(evicted, 1);
    CHECK_EQ_INT(snt_flow_evictions(t), 1);
    CHECK_EQ_INT(snt_flow_count(t), 3);
    int d;
    CHECK(lookup(t, packet(2, 1, 9, 80), &d) == NULL);
    CHECK(lookup(t, packet(1, 1, 9, 80), &d) == a);
    snt_flow_table_free(t);
}

static void test_many(void)
{
    enum { N = 5000 };
    struct snt_flow_table *t = snt_flow_table_new(N, 24, on_evict, NULL);
    for (unsigned i = 0; i < N; i++)
        insert(t, packet((uint8_t)(i % 250), (uint16_t)(1000 + i), 7, 443), i);
    CHECK_EQ_INT(snt_flow_count(t), N);
    int found = 0, d;
    for (unsigned i = 0; i < N; i++) {
        struct snt_flow *f =
            lookup(t, packet(7, 443, (uint8_t)(i % 250), (uint16_t)(1000 + i)), &d);
        if (f) {
            found++;
            snt_flow_remove(t, f);
        }
    }
    CHECK_EQ_INT(found, N);
    CHECK_EQ_INT(snt_flow_count(t), 0);
    CHECK(snt_flow_oldest(t) == NULL);
    snt_flow_table_free(t);
}

/* Each flow's owner area is its own: 8-aligned, not overlapping the
 * flow or another's area, across pool chunks. */
static void test_areas(void)
{
    enum { N = 3000, AREA = 40 };
    struct snt_flow_table *t = snt_flow_table_new(N, AREA, on_evict, NULL);
    struct snt_flow *flows[N];
    for (unsigned i = 0; i < N; i++) {
        flows[i] = insert(t, packet((uint8_t)(i % 250), (uint16_t)(2000 + i), 9, 80), i);
        unsigned char *a = snt_flow_area(flows[i]);
        CHECK(((uintptr_t)a & 7) == 0);
        CHECK(a >= (unsigned char *)(flows[i] + 1));
        memset(a, (int)(i & 0xff), AREA);
    }
    int intact = 0;
    for (unsigned i = 0; i < N; i++) {
        const unsigned char *a = snt_flow_area(flows[i]);
        bool ok = flows[i]->key.port[0] == 2000 + i || flows[i]->key.port[1] == 2000 + i;
        for (unsigned k = 0; k < AREA; k++)
            ok = ok && a[k] == (i & 0xff);
        intact += ok;
    }
    CHECK_EQ_INT(intact, N);
    snt_flow_table_free(t);
}

int main(void)
{
    test_both_directions();
    test_eviction_and_lru();
    test_many();
    test_areas();
    return snt_test_finish("flow");
}
