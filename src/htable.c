/* The open-addressing hash table of src/htable.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "secret.h"

bool snt_htable_init(struct snt_htable *t, unsigned min_bits)
{
    size_t n = (size_t)1 << min_bits;
    t->slots = calloc(n, sizeof *t->slots);
    t->mask = n - 1;
    t->count = 0;
    return t->slots != NULL;
}

void snt_htable_free(struct snt_htable *t)
{
    free(t->slots);
    t->slots = NULL;
    t->count = 0;
}

static void place(struct snt_hslot *slots, size_t mask, uint32_t hash, void *item)
{
    size_t at = hash & mask;
    while (slots[at].item)
        at = (at + 1) & mask;
    slots[at].hash = hash;
    slots[at].item = item;
}

/* Twice the slots, every entry placed again. */
static bool grow(struct snt_htable *t)
{
    size_t n = t->mask + 1;
    struct snt_hslot *ns = calloc(2 * n, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i < n; i++)
        if (t->slots[i].item)
            place(ns, 2 * n - 1, t->slots[i].hash, t->slots[i].item);
    free(t->slots);
    t->slots = ns;
    t->mask = 2 * n - 1;
    return true;
}

bool snt_htable_insert(struct snt_htable *t, void *item, uint32_t hash)
{
    if (2 * (t->count + 1) > t->mask + 1 && !grow(t) && t->count + 1 > t->mask)
        return false; /* a slot must stay free to end every search */
    place(t->slots, t->mask, hash, item);
    t->count++;
    return true;
}

/* Is `at` cyclically in (from, to]? */
static bool between(size_t from, size_t at, size_t to)
{
    return from <= to ? from < at && at <= to : from < at || at <= to;
}

/* Free the slot and pull back the entries after it that would otherwise
 * no longer be found from where their search starts (no tombstones). */
void snt_htable_remove(struct snt_htable *t, const void *item, uint32_t hash)
{
    size_t at = hash & t->mask;
    while (t->slots[at].item && t->slots[at].item != item)
        at = (at + 1) & t->mask;
    if (!t->slots[at].item)
        return;
    size_t hole = at;
    for (size_t next = (hole + 1) & t->mask; t->slots[next].item; next = (next + 1) & t->mask) {
        size_t home = t->slots[next].hash & t->mask;
        if (!between(hole, home, next)) {
            t->slots[hole] = t->slots[next];
            hole = next;
        }
    }
    t->slots[hole].item = NULL;
    t->count--;
}

/* The keys are addresses off the wire: hashed with a secret of the
 * process, addresses chosen to fall in one probe run cost no more than
 * others. */
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;
static uint64_t secret;

static void make_secret(void)
{
    snt_secret_draw(&secret, sizeof secret);
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
    pthread_once(&secret_once, make_secret);
    memcpy(&lo, a->b, sizeof lo);
    memcpy(&hi, a->b + sizeof lo, sizeof hi);
    return fold((lo ^ seed ^ secret) * 0x9e3779b97f4a7c15ull +
                (hi ^ a->family) * 0xc2b2ae3d27d4eb4full);
}

uint32_t snt_hash_u64(uint64_t v)
{
    pthread_once(&secret_once, make_secret);
    return fold((v ^ secret) * 0x9e3779b97f4a7c15ull);
}

uint32_t snt_hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h, w;
    size_t i = 0;
    pthread_once(&secret_once, make_secret);
    h = secret ^ n;
    for (; n - i >= 8; i += 8) {
        memcpy(&w, b + i, sizeof w);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 32;
    }
    w = 0;
    if (n > i)
        memcpy(&w, b + i, n - i);
    return fold((h ^ w) * 0x9e3779b97f4a7c15ull);
}
