/* The cert stage's verdict cache: one entry per distinct question (chain,
 * name, capture day), keyed by a SHA-256 over all three, so a certificate
 * seen on many connections is decoded and verified once per question
 * (X.509 per RFC 5280, names per RFC 6125).
 *
 * Bounded twice, by entries and by bytes, because servers control how big a
 * certificate's name lists are.  Least recently used entries go first.  The
 * key is already uniformly random, so its first bytes index the buckets.
 */
#include "cert_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BUCKETS ((size_t)1 << 20)

struct entry {
    uint8_t key[SNT_CERT_KEY_LEN];
    struct entry *chain;         /* next in the same bucket */
    struct entry *newer, *older; /* recency list */
    int64_t from, to;            /* capture times the verdict holds for */
    size_t bytes;
    struct snt_cert_result result;
};

struct snt_cert_cache {
    struct entry **buckets;
    size_t mask;
    struct entry *newest, *oldest;
    size_t count, max_entries;
    size_t bytes, max_bytes;
};

struct snt_cert_cache *snt_cert_cache_new(size_t max_entries, size_t max_bytes)
{
    struct snt_cert_cache *cache = calloc(1, sizeof *cache);
    size_t n = 1;
    if (!cache)
        return NULL;
    while (n < max_entries && n < MAX_BUCKETS)
        n <<= 1;
    cache->buckets = calloc(n, sizeof *cache->buckets);
    if (!cache->buckets) {
        free(cache);
        return NULL;
    }
    cache->mask = n - 1;
    cache->max_entries = max_entries ? max_entries : 1;
    cache->max_bytes = max_bytes;
    return cache;
}

static size_t bucket_of(const struct snt_cert_cache *cache, const uint8_t *key)
{
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof h; i++)
        h = (h << 8) | key[i];
    return (size_t)h & cache->mask;
}

static void unlink_recency(struct snt_cert_cache *cache, struct entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        cache->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        cache->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void link_newest(struct snt_cert_cache *cache, struct entry *e)
{
    e->newer = NULL;
    e->older = cache->newest;
    if (cache->newest)
        cache->newest->newer = e;
    cache->newest = e;
    if (!cache->oldest)
        cache->oldest = e;
}

static void drop(struct snt_cert_cache *cache, struct entry *e)
{
    struct entry **pp = &cache->buckets[bucket_of(cache, e->key)];
    while (*pp && *pp != e)
        pp = &(*pp)->chain;
    if (*pp)
        *pp = e->chain;
    unlink_recency(cache, e);
    cache->count--;
    cache->bytes -= e->bytes;
    snt_cert_result_clear(&e->result);
    free(e);
}

void snt_cert_cache_free(struct snt_cert_cache *cache)
{
    if (!cache)
        return;
    while (cache->oldest)
        drop(cache, cache->oldest);
    free(cache->buckets);
    free(cache);
}

static struct entry *find(const struct snt_cert_cache *cache, const uint8_t *key)
{
    struct entry *e = cache->buckets[bucket_of(cache, key)];
    while (e && memcmp(e->key, key, SNT_CERT_KEY_LEN) != 0)
        e = e->chain;
    return e;
}

const struct snt_cert_result *snt_cert_cache_get(struct snt_cert_cache *cache,
                                                 const uint8_t key[SNT_CERT_KEY_LEN], int64_t t)
{
    struct entry *e = find(cache, key);
    if (!e)
        return NULL;
    /* A certificate in the chain starts or ends its validity within the day:
     * the same question has a different answer now. */
    if (t < e->from || t >= e->to) {
        drop(cache, e);
        return NULL;
    }
    unlink_recency(cache, e);
    link_newest(cache, e);
    return &e->result;
}

void snt_cert_cache_window(const struct snt_cert_result *r, int64_t *from, int64_t *to)
{
    /* Results live inside their entries: step back to the entry. */
    const struct entry *e =
        (const struct entry *)(const void *)((const char *)r - offsetof(struct entry, result));
    *from = e->from;
    *to = e->to;
}

const struct snt_cert_result *snt_cert_cache_put(struct snt_cert_cache *cache,
                                                 const uint8_t key[SNT_CERT_KEY_LEN],
                                                 struct snt_cert_result *r, size_t bytes,
                                                 int64_t from, int64_t to)
{
    struct entry *e = calloc(1, sizeof *e), *old = find(cache, key);
    if (!e) {
        snt_cert_result_clear(r);
        return NULL;
    }
    if (old)
        drop(cache, old);
    bytes += sizeof *e;
    while (cache->oldest &&
           (cache->count >= cache->max_entries || cache->bytes + bytes > cache->max_bytes))
        drop(cache, cache->oldest);
    memcpy(e->key, key, SNT_CERT_KEY_LEN);
    e->from = from;
    e->to = to;
    e->bytes = bytes;
    e->result = *r;
    memset(r, 0, sizeof *r);
    size_t b = bucket_of(cache, key);
    e->chain = cache->buckets[b];
    cache->buckets[b] = e;
    link_newest(cache, e);
    cache->count++;
    cache->bytes += bytes;
    return &e->result;
}
