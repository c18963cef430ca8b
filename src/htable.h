/* A chained hash table of links embedded in the entries it finds, whose
 * bucket array follows the number of entries (doubling, up to a bound): a
 * small capture's table stays in cache, a large one's chains stay short,
 * and no entry is allocated by the table.  Each link keeps its hash, so
 * growing needs no callback and a lookup compares keys only on a match. */
#ifndef SNITRACE_HTABLE_H
#define SNITRACE_HTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/decode.h"

struct snt_hlink {
    struct snt_hlink *next;
    uint32_t hash;
};

struct snt_htable {
    struct snt_hlink **buckets;
    uint32_t mask;
    unsigned max_bits;
    size_t count;
};

#define SNT_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* 2^min_bits buckets now, up to 2^max_bits as entries come.  false when
 * memory ran out. */
bool snt_htable_init(struct snt_htable *t, unsigned min_bits, unsigned max_bits);
void snt_htable_free(struct snt_htable *t); /* the buckets, not the entries */

/* The chain the hash falls in: walk ->next, skip links whose hash differs. */
struct snt_hlink *snt_htable_chain(const struct snt_htable *t, uint32_t hash);

void snt_htable_insert(struct snt_htable *t, struct snt_hlink *l, uint32_t hash);
void snt_htable_remove(struct snt_htable *t, struct snt_hlink *l);

/* Hashes of what the tables are keyed on: a few multiplications rather
 * than a loop over every byte. */
uint32_t snt_hash_addr(const struct snt_addr *a, uint64_t seed);
uint32_t snt_hash_u64(uint64_t v);

#endif
