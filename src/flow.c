/* Flow table: chained hash on a canonical 5-tuple, an LRU list ordered by
 * last activity in capture time, and a pooled allocator so the per-packet
 * path never calls malloc. */
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "snitrace/flow.h"

#define FLOWS_PER_CHUNK 1024
#define INITIAL_BUCKETS 1024
#define MAX_BUCKETS     ((size_t)1 << 26)

/* Entries with their owner's area after each (8-aligned), each entry
 * starting a cache line: a flow and its connection, 192 bytes, are then
 * exactly three lines, and an eviction reads no more than those. */
#define CACHE_LINE     64
#define ROUND(n, a)    (((n) + (a)-1) / (a) * (a))
#define AREA_OFFSET    ROUND(sizeof(struct snt_flow), 8)
#define CHUNK_ENTRIES0 CACHE_LINE /* the chunk's own header takes the first line */

struct flow_chunk {
    struct flow_chunk *next;
};

#define SEED_WORDS 7

struct snt_flow_table {
    /* The key hash's secret, drawn for each table: a flow's addresses and
     * ports are the sender's to choose, and with a hash anyone can compute
     * a capture could put every flow in one bucket. */
    uint64_t seed[SEED_WORDS];
    struct snt_flow **buckets;
    uint32_t mask;
    size_t count, max;
    size_t stride; /* bytes per entry: the flow, then the owner's area */
    uint64_t evictions;
    struct snt_flow *newest, *oldest;
    struct snt_flow *free_list;
    struct flow_chunk *chunks;
    snt_flow_evict_fn evict;
    void *evict_arg;
};

struct snt_flow_table *snt_flow_table_new(size_t max_flows, size_t area_size,
                                          snt_flow_evict_fn evict, void *arg)
{
    struct snt_flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    /* Start small and grow with the number of flows, so the buckets of a
     * quiet capture stay in cache. */
    size_t n = INITIAL_BUCKETS;
    t->buckets = calloc(n, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    snt_secret_draw(t->seed, sizeof t->seed);
    t->mask = (uint32_t)(n - 1);
    t->max = max_flows ? max_flows : 1;
    t->stride = ROUND(AREA_OFFSET + area_size, CACHE_LINE);
    t->evict = evict;
    t->evict_arg = arg;
    return t;
}

void snt_flow_table_free(struct snt_flow_table *t)
{
    if (!t)
        return;
    struct flow_chunk *c = t->chunks;
    while (c) {
        struct flow_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(t->buckets);
    free(t);
}

/* The key's five words, each with a secret word, multiplied in pairs to
 * 128 bits and folded (the high and low halves xored), then the three
 * products the same way: the multiplications of a pair run side by side,
 * where mixing the words one after the other made a chain of ten.  Every
 * input bit reaches the high half of its product; a sender who does not
 * know the seed cannot choose keys that share a bucket. */
#define KEY_WORDS 5
_Static_assert(sizeof(struct snt_flow_key) == KEY_WORDS * 8, "the key is five whole words");

__extension__ typedef unsigned __int128 u128; /* GCC and Clang, on 64-bit targets */

static inline uint64_t fold_product(uint64_t a, uint64_t b)
{
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint32_t key_hash(const uint64_t seed[SEED_WORDS], const struct snt_flow_key *k)
{
    uint64_t w[KEY_WORDS];
    memcpy(w, k, sizeof w);
    uint64_t a = fold_product(w[0] ^ seed[0], w[1] ^ seed[1]);
    uint64_t b = fold_product(w[2] ^ seed[2], w[3] ^ seed[3]);
    uint64_t c = fold_product(w[4] ^ seed[4], seed[5]);
    uint64_t h = fold_product(a ^ seed[6], b ^ c);
    return (uint32_t)(h ^ (h >> 32));
}

/* Eight address bytes as a big-endian number: two such numbers compare as
 * memcmp() compares the bytes. */
static inline uint64_t addr_word(const uint8_t *b)
{
    return ((uint64_t)b[0] << 56) | ((uint64_t)b[1] << 48) | ((uint64_t)b[2] << 40) |
           ((uint64_t)b[3] << 32) | ((uint64_t)b[4] << 24) | ((uint64_t)b[5] << 16) |
           ((uint64_t)b[6] << 8) | b[7];
}

/* Whether the destination is side 0 of the key: its address is the lower
 * (in byte order), or on a tie its port is. */
static inline bool dst_first(const struct snt_packet *p)
{
    uint64_t s = addr_word(p->src.b), d = addr_word(p->dst.b);
    if (s == d) {
        s = addr_word(p->src.b + 8);
        d = addr_word(p->dst.b + 8);
    }
    if (s != d)
        return s > d;
    return p->sport > p->dport;
}

uint32_t snt_flow_key_make(const struct snt_flow_table *t, const struct snt_packet *p,
                           struct snt_flow_key *key, int *dir)
{
    int swap = dst_first(p);
    const struct snt_addr *a0 = swap ? &p->dst : &p->src, *a1 = swap ? &p->src : &p->dst;
    memset(key, 0, sizeof *key);
    memcpy(key->addr[0], a0->b, 16);
    memcpy(key->addr[1], a1->b, 16);
    key->port[0] = swap ? p->dport : p->sport;
    key->port[1] = swap ? p->sport : p->dport;
    key->family = p->src.family;
    key->proto = p->proto;
    *dir = swap;
    return key_hash(t->seed, key);
}

struct snt_flow *snt_flow_lookup(struct snt_flow_table *t, const struct snt_flow_key *k,
                                 uint32_t hash)
{
    for (struct snt_flow *f = t->buckets[hash & t->mask]; f; f = f->hnext)
        if (f->hash == hash && memcmp(&f->key, k, sizeof *k) == 0)
            return f;
    return NULL;
}

static void lru_unlink(struct snt_flow_table *t, struct snt_flow *f)
{
    if (f->newer)
        f->newer->older = f->older;
    else
        t->newest = f->older;
    if (f->older)
        f->older->newer = f->newer;
    else
        t->oldest = f->newer;
    f->older = f->newer = NULL;
}

static void lru_push_newest(struct snt_flow_table *t, struct snt_flow *f)
{
    f->newer = NULL;
    f->older = t->newest;
    if (t->newest)
        t->newest->newer = f;
    t->newest = f;
    if (!t->oldest)
        t->oldest = f;
}

static struct snt_flow *pool_get(struct snt_flow_table *t)
{
    if (!t->free_list) {
        struct flow_chunk *c =
            aligned_alloc(CACHE_LINE, CHUNK_ENTRIES0 + FLOWS_PER_CHUNK * t->stride);
        if (!c)
            return NULL;
        c->next = t->chunks;
        t->chunks = c;
        unsigned char *entries = (unsigned char *)c + CHUNK_ENTRIES0;
        for (size_t i = FLOWS_PER_CHUNK; i-- > 0;) {
            struct snt_flow *f = (struct snt_flow *)(void *)(entries + i * t->stride);
            f->hnext = t->free_list;
            t->free_list = f;
        }
    }
    struct snt_flow *f = t->free_list;
    t->free_list = f->hnext;
    return f;
}

static void chain_push(struct snt_flow **head, struct snt_flow *f)
{
    f->hnext = *head;
    if (f->hnext)
        f->hnext->pprev = &f->hnext;
    f->pprev = head;
    *head = f;
}

/* Double the buckets when flows reach half their number: at a load of 1/2
 * a lookup that finds nothing seldom reads a flow on the way. */
static void maybe_grow(struct snt_flow_table *t)
{
    size_t n = (size_t)t->mask + 1;
    if (t->count * 2 < n || n >= MAX_BUCKETS)
        return;
    struct snt_flow **nb = calloc(n * 2, sizeof *nb);
    if (!nb)
        return; /* keep the old size: longer chains, still correct */
    uint32_t mask = (uint32_t)(n * 2 - 1);
    for (size_t i = 0; i < n; i++) {
        struct snt_flow *f = t->buckets[i];
        while (f) {
            struct snt_flow *next = f->hnext;
            chain_push(&nb[f->hash & mask], f);
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->mask = mask;
}

struct snt_flow *snt_flow_insert(struct snt_flow_table *t, const struct snt_flow_key *k,
                                 uint32_t hash, uint64_t now_usec)
{
    while (t->count >= t->max && t->oldest) {
        struct snt_flow *victim = t->oldest;
        t->evictions++;
        if (t->evict)
            t->evict(victim, t->evict_arg);
        if (t->oldest == victim) /* the callback did not remove it */
            snt_flow_remove(t, victim);
    }
    maybe_grow(t);
    struct snt_flow *f = pool_get(t);
    if (!f)
        return NULL;
    memset(f, 0, sizeof *f);
    f->key = *k;
    f->hash = hash;
    f->first_usec = f->last_usec = now_usec;
    chain_push(&t->buckets[hash & t->mask], f);
    lru_push_newest(t, f);
    t->count++;
    return f;
}

void snt_flow_touch(struct snt_flow_table *t, struct snt_flow *f, uint64_t now_usec)
{
    if (now_usec > f->last_usec)
        f->last_usec = now_usec;
    if (t->newest != f) {
        lru_unlink(t, f);
        lru_push_newest(t, f);
    }
}

void snt_flow_remove(struct snt_flow_table *t, struct snt_flow *f)
{
    *f->pprev = f->hnext;
    if (f->hnext)
        f->hnext->pprev = f->pprev;
    lru_unlink(t, f);
    f->hnext = t->free_list;
    t->free_list = f;
    t->count--;
}

void *snt_flow_area(struct snt_flow *f)
{
    return (unsigned char *)f + AREA_OFFSET;
}

struct snt_flow *snt_flow_oldest(const struct snt_flow_table *t)
{
    return t->oldest;
}

size_t snt_flow_count(const struct snt_flow_table *t)
{
    return t->count;
}

uint64_t snt_flow_evictions(const struct snt_flow_table *t)
{
    return t->evictions;
}
