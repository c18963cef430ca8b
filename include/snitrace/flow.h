/* Flow table: one entry per connection (both directions share it), keyed by
 * the 5-tuple in a canonical order, with an LRU list on capture time for
 * timeouts and eviction.  Entries come from a pool: no allocation per packet.
 */
#ifndef SNITRACE_FLOW_H
#define SNITRACE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/decode.h"

struct snt_flow_key {
    uint8_t addr[2][16];
    uint16_t port[2];
    uint8_t family;
    uint8_t proto;
    uint8_t pad[2]; /* always zero, so keys compare with memcmp */
};

/* What a lookup reads comes first, in one cache line. */
struct snt_flow {
    struct snt_flow *hnext; /* hash chain */
    uint32_t hash;
    struct snt_flow_key key;
    struct snt_flow **pprev;        /* what points at it in the chain: removal walks none */
    struct snt_flow *older, *newer; /* LRU list, newest at the head */
    uint64_t first_usec, last_usec;
    void *user; /* the owner's per-connection state */
};

struct snt_flow_table;

/* A 64-bit mix (the finaliser of MurmurHash3), for hashing packet fields:
 * addresses in src/scan.c.  Inline: it runs for packets. */
static inline uint64_t snt_hash_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* Called for a flow the table must drop to make room (the oldest). */
typedef void (*snt_flow_evict_fn)(struct snt_flow *f, void *arg);

/* Every entry comes with an area of area_size bytes for its owner
 * (snt_flow_area), so a connection's state needs no allocation of its own. */
struct snt_flow_table *snt_flow_table_new(size_t max_flows, size_t area_size,
                                          snt_flow_evict_fn evict, void *arg);
void snt_flow_table_free(struct snt_flow_table *t); /* accepts NULL; does not call evict */

/* Canonical key for a packet; *dir is 0 when the packet goes from side 0 to
 * side 1 of the key, else 1.  Returns the hash, keyed with t's secret: the
 * same key hashes differently in another table (and another run). */
uint32_t snt_flow_key_make(const struct snt_flow_table *t, const struct snt_packet *p,
                           struct snt_flow_key *key, int *dir);

struct snt_flow *snt_flow_lookup(struct snt_flow_table *t, const struct snt_flow_key *k,
                                 uint32_t hash);

/* Insert a new flow (the key must not be present).  Evicts the oldest flow
 * through the callback when the table is full.  NULL only if out of memory. */
struct snt_flow *snt_flow_insert(struct snt_flow_table *t, const struct snt_flow_key *k,
                                 uint32_t hash, uint64_t now_usec);

/* Mark activity: the flow becomes the newest. */
void snt_flow_touch(struct snt_flow_table *t, struct snt_flow *f, uint64_t now_usec);

/* Unlink and return the flow to the pool. */
void snt_flow_remove(struct snt_flow_table *t, struct snt_flow *f);

/* The owner's area of a flow (area_size bytes, 8-aligned; contents
 * undefined until the owner writes them; gone when the flow is removed). */
void *snt_flow_area(struct snt_flow *f);

/* The least recently active flow, or NULL. */
struct snt_flow *snt_flow_oldest(const struct snt_flow_table *t);

size_t snt_flow_count(const struct snt_flow_table *t);
uint64_t snt_flow_evictions(const struct snt_flow_table *t);

#endif
