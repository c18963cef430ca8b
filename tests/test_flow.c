/* Flow table: both directions map to one entry, LRU order, eviction when
 * full, removal, many flows, a keyed hash that spreads keys alike. */
#include <stdlib.h>
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
    uint32_t h = snt_flow_key_make(t, &p, &k, &dir);
    return snt_flow_insert(t, &k, h, now);
}

static struct snt_flow *lookup(struct snt_flow_table *t, struct snt_packet p, int *dir)
{
    struct snt_flow_key k;
    uint32_t h = snt_flow_key_make(t, &p, &k, dir);
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

/* The largest number of the n keys made by key_of that share one of n
 * buckets (n a power of two). */
static unsigned fullest_bucket(struct snt_flow_table *t, unsigned n,
                               struct snt_packet (*key_of)(unsigned))
{
    unsigned *count = calloc(n, sizeof *count), most = 0;
    for (unsigned i = 0; count && i < n; i++) {
        struct snt_flow_key k;
        int dir;
        struct snt_packet p = key_of(i);
        unsigned b = snt_flow_key_make(t, &p, &k, &dir) & (n - 1);
        if (++count[b] > most)
            most = count[b];
    }
    free(count);
    return most;
}

static struct snt_packet by_client_port(unsigned i)
{
    return packet(1, (uint16_t)i, 2, 443);
}

static struct snt_packet by_client_v4(unsigned i)
{
    struct snt_packet p = packet(0, 50000, 2, 443);
    p.src.b[1] = (uint8_t)(i >> 16);
    p.src.b[2] = (uint8_t)(i >> 8);
    p.src.b[3] = (uint8_t)i;
    return p;
}

/* IPv6 clients that differ only in the bytes far from the low end. */
static struct snt_packet by_client_v6_prefix(unsigned i)
{
    struct snt_packet p = packet(0, 50000, 0, 443);
    p.src.family = p.dst.family = 6;
    p.src.b[0] = p.dst.b[0] = 0x20;
    p.src.b[4] = (uint8_t)(i >> 8);
    p.src.b[5] = (uint8_t)i;
    p.dst.b[15] = 1;
    return p;
}

/* Keys that differ in one field, a few bits at a time, spread over the
 * buckets as random ones would: 65,536 keys in as many buckets put at most
 * 8 or so in one (12 is one chance in millions); a hash that kept the
 * low bits of one field would put thousands in one. */
static void test_spread(void)
{
    enum { N = 65536 };
    struct snt_flow_table *t = snt_flow_table_new(16, 0, on_evict, NULL);
    CHECK(fullest_bucket(t, N, by_client_port) <= 12);
    CHECK(fullest_bucket(t, N, by_client_v4) <= 12);
    CHECK(fullest_bucket(t, N, by_client_v6_prefix) <= 12);
    snt_flow_table_free(t);
}

/* The hash is keyed, each table with its own secret: keys chosen to share
 * a bucket in one table (here, run) do not share it in another.  Four
 * tables agreeing on both of two keys is one chance in 2^192. */
static void test_keyed(void)
{
    struct snt_flow_table *t[4];
    uint32_t h[4][2];
    struct snt_flow_key k;
    int dir;
    struct snt_packet p0 = packet(1, 40000, 2, 443), p1 = packet(1, 40001, 2, 443);
    for (int i = 0; i < 4; i++) {
        t[i] = snt_flow_table_new(16, 0, on_evict, NULL);
        h[i][0] = snt_flow_key_make(t[i], &p0, &k, &dir);
        h[i][1] = snt_flow_key_make(t[i], &p1, &k, &dir);
        CHECK(h[i][0] == snt_flow_key_make(t[i], &p0, &k, &dir)); /* stable within a table */
    }
    bool all_same = true;
    for (int i = 1; i < 4; i++)
        all_same = all_same && h[i][0] == h[0][0] && h[i][1] == h[0][1];
    CHECK(!all_same);
    for (int i = 0; i < 4; i++)
        snt_flow_table_free(t[i]);
}

int main(void)
{
    test_spread();
    test_keyed();
    test_both_directions();
    test_eviction_and_lru();
    test_many();
    test_areas();
    return snt_test_finish("flow");
}
