/* A hash table of pointers to entries kept elsewhere, open addressing
 * with linear probing over (hash, pointer) slots: a lookup reads the
 * slots, one or two cache lines, and touches an entry only when its stored
 * hash matches.  The slots double as entries come (at most half full), so
 * a small capture's table stays in cache; the table allocates nothing per
 * entry.  Keys live in the entries: the caller compares them. */
#ifndef SNITRACE_HTABLE_H
#define SNITRACE_HTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "snitrace/decode.h"

struct snt_hslot {
    uint32_t hash;
    void *item; /* NULL: free */
};

struct snt_htable {
    struct snt_hslot *slots;
    size_t mask, count;
};

/* 2^min_bits slots to begin with.  false when memory ran out. */
bool snt_htable_init(struct snt_htable *t, unsigned min_bits);
void snt_htable_free(struct snt_htable *t); /* the slots, not the entries */

/* Where the search for hash starts; then snt_htable_next gives each entry
 * stored under the same hash in turn, NULL after the last. */
static inline size_t snt_htable_start(const struct snt_htable *t, uint32_t hash)
{
    return hash & t->mask;
}

/* Ask for the slots where the search for hash starts, ahead of the search:
 * two searches whose slots are fetched together wait for memory once. */
static inline void snt_htable_prefetch(const struct snt_htable *t, uint32_t hash)
{
    __builtin_prefetch(&t->slots[hash & t->mask]);
}

static inline void *snt_htable_next(const struct snt_htable *t, uint32_t hash, size_t *at)
{
    for (; t->slots[*at].item; *at = (*at + 1) & t->mask)
        if (t->slots[*at].hash == hash) {
            void *item = t->slots[*at].item;
            *at = (*at + 1) & t->mask;
            return item;
        }
    return NULL;
}

/* false when memory ran out to grow a full table (it never is: at most
 * half its slots are used). */
bool snt_htable_insert(struct snt_htable *t, void *item, uint32_t hash);
/* item, stored under hash, out of the table (nothing when it is not there). */
void snt_htable_remove(struct snt_htable *t, const void *item, uint32_t hash);

/* Hashes of what the tables are keyed on: a few multiplications rather
 * than a loop over every byte, keyed with a random secret of the process
 * (the same in every thread). */
uint32_t snt_hash_addr(const struct snt_addr *a, uint64_t seed);
uint32_t snt_hash_u64(uint64_t v);
/* Bytes of any length, eight at a time: the keys of the memos (text a
 * fingerprint or a name is remembered by). */
uint32_t snt_hash_bytes(const void *p, size_t n);

#endif
