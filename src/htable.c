/* The growing chained hash table of src/htable.h. */
#include <stdlib.h>
#include <string.h>

#include "htable.h"

bool snt_htable_init(struct snt_htable *t, unsigned min_bits, unsigned max_bits)
{
    size_t n = (size_t)1 << min_bits;
    t->buckets = calloc(n, sizeof *t->buckets);
    t->mask = (uint32_t)(n - 1);
    t->max_bits = max_bits < min_bits ? min_bits : max_bits;
    t->count = 0;
    return t->buckets != NULL;
}

void snt_htable_free(struct snt_htable *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->count = 0;
}

struct snt_hlink *snt_htable_chain(const struct snt_htable *t, uint32_t hash)
{
    return t->buckets[hash & t->mask];
}

/* Twice the buckets, every link moved to its new chain; when memory runs
 * out the table stays as it is, only slower. */
static void grow(struct snt_htable *t)
{
    size_t n = (size_t)t->mask + 1;
    struct snt_hlink **nb = calloc(2 * n, sizeof *nb);
    if (!nb)
        return;
    uint32_t mask = (uint32_t)(2 * n - 1);
    for (size_t b = 0; b < n; b++) {
        struct snt_hlink *l = t->buckets[b];
        while (l) {
            struct snt_hlink *next = l->next;
            l->next = nb[l->hash & mask];
            nb[l->hash & mask] = l;
            l = next;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->mask = mask;
}

void snt_htable_insert(struct snt_htable *t, struct snt_hlink *l, uint32_t hash)
{
    if (t->count >= (size_t)t->mask + 1 && t->mask < ((uint32_t)1 << t->max_bits) - 1)
        grow(t);
    l->hash = hash;
    l->next = t->buckets[hash & t->mask];
    t->buckets[hash & t->mask] = l;
    t->count++;
}

void snt_htable_remove(struct snt_htable *t, struct snt_hlink *l)
{
    struct snt_hlink **pp = &t->buckets[l->hash & t->mask];
    while (*pp && *pp != l)
        pp = &(*pp)->next;
    if (!*pp)
        return;
    *pp = l->next;
    l->next = NULL;
    t->count--;
}

/* Multiply-and-fold (the constants are the 64-bit golden ratio and a
 * murmur finaliser's): the high half of a product mixes every input bit. */
static uint32_t fold(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)h;
}

uint32_t snt_hash_addr(const struct snt_addr *a, uint64_t seed)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, sizeof lo);
    memcpy(&hi, a->b + sizeof lo, sizeof hi);
    return fold((lo ^ seed) * 0x9e3779b97f4a7c15ull + (hi ^ a->family) * 0xc2b2ae3d27d4eb4full);
}

uint32_t snt_hash_u64(uint64_t v)
{
    return fold(v * 0x9e3779b97f4a7c15ull);
}
