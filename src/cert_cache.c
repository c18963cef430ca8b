/* The cert stage's verdict cache: one entry per distinct question (chain,
 * name, capture day), so a certificate seen on many connections is decoded
 * and verified once per question (X.509 per RFC 5280, names per RFC 6125).
 *
 * A question is found by a SipHash-1-3 of all three under a key drawn at
 * random for each cache (src/siphash.h), so no server can aim its chains
 * at one bucket; and an entry answers only a question equal to its own,
 * byte for byte: it keeps a copy of the chain it was asked about (shared by
 * the entries of the same chain), so no two chains ever share a verdict,
 * whatever their hashes.  A hit costs one pass of the hash over the chain
 * and one comparison of it.
 *
 * Bounded twice, by entries and by bytes (chains, names and results all
 * counted), because servers control how big certificates and their name
 * lists are.  Least recently used entries go first.
 */
#include "cert_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dlist.h"
#include "siphash.h"

#define MAX_BUCKETS ((size_t)1 << 20)
#define SIP_C       1 /* SipHash-1-3: the rounds of a table hash */
#define SIP_D       3

/* The certificates a question was about, as sent (the first
 * SNT_CERT_MAX_CHAIN of them), back to back. */
struct chain_copy {
    size_t refs;  /* entries holding it: the chain's own and its names' */
    size_t n;     /* certificates as sent */
    size_t kept;  /* of which copied */
    size_t bytes; /* of this allocation */
    size_t len[SNT_CERT_MAX_CHAIN];
    uint8_t der[];
};

struct entry {
    uint64_t hash;
    int64_t day;
    struct chain_copy *chain_copy;
    struct snt_cert_name name; /* kind, len and text compared */
    struct entry *next;        /* in the same bucket */
    struct snt_dlink recency;  /* in the cache's recency list */
    int64_t from, to;          /* capture times the verdict holds for */
    size_t bytes;
    struct snt_cert_result result;
};

struct snt_cert_cache {
    uint8_t key[SNT_SIPHASH_KEY_LEN];
    struct entry **buckets;
    size_t mask;
    struct snt_dlist recency; /* struct entry, least recently used first */
    size_t count, max_entries;
    size_t bytes, max_bytes;
};

static void random_key(uint8_t key[SNT_SIPHASH_KEY_LEN])
{
    if (getrandom(key, SNT_SIPHASH_KEY_LEN, GRND_NONBLOCK) == (ssize_t)SNT_SIPHASH_KEY_LEN)
        return;
    /* No entropy yet (early boot): still unknown to a server far away. */
    uint64_t w[2] = {(uint64_t)time(NULL), (uint64_t)(uintptr_t)key};
    memcpy(key, w, SNT_SIPHASH_KEY_LEN);
}

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
    random_key(cache->key);
    cache->mask = n - 1;
    cache->max_entries = max_entries ? max_entries : 1;
    cache->max_bytes = max_bytes;
    return cache;
}

/* ---- questions ------------------------------------------------------------ */

static size_t kept_of(size_t n)
{
    return n < SNT_CERT_MAX_CHAIN ? n : SNT_CERT_MAX_CHAIN;
}

uint64_t snt_cert_cache_chain_hash(const struct snt_cert_cache *cache, const struct snt_span *chain,
                                   size_t n)
{
    struct snt_siphash s;
    snt_siphash_init(&s, cache->key, SIP_C, SIP_D);
    snt_siphash_u64(&s, n);
    for (size_t i = 0; i < kept_of(n); i++) {
        snt_siphash_u64(&s, chain[i].len);
        if (chain[i].len)
            snt_siphash_update(&s, chain[i].p, chain[i].len);
    }
    return snt_siphash_final(&s);
}

void snt_cert_cache_hash(const struct snt_cert_cache *cache, struct snt_cert_question *q,
                         uint64_t chain_hash)
{
    struct snt_siphash s;
    snt_siphash_init(&s, cache->key, SIP_C, SIP_D);
    snt_siphash_u64(&s, chain_hash);
    snt_siphash_u64(&s, (uint64_t)q->name->kind);
    snt_siphash_u64(&s, q->name->len);
    snt_siphash_update(&s, q->name->text, q->name->len);
    snt_siphash_u64(&s, (uint64_t)q->day);
    q->hash = snt_siphash_final(&s);
}

static bool same_chain(const struct chain_copy *cc, const struct snt_span *chain, size_t n)
{
    const uint8_t *p = cc->der;
    if (cc->n != n)
        return false;
    for (size_t i = 0; i < cc->kept; p += cc->len[i], i++)
        if (cc->len[i] != chain[i].len || (cc->len[i] && memcmp(p, chain[i].p, cc->len[i]) != 0))
            return false;
    return true;
}

static bool answers(const struct entry *e, const struct snt_cert_question *q)
{
    return e->hash == q->hash && e->day == q->day && e->name.kind == q->name->kind &&
           e->name.len == q->name->len && memcmp(e->name.text, q->name->text, e->name.len) == 0 &&
           same_chain(e->chain_copy, q->chain, q->n);
}

/* A copy of the question's chain, or NULL when memory runs out. */
static struct chain_copy *copy_chain(const struct snt_span *chain, size_t n)
{
    size_t kept = kept_of(n), bytes = sizeof(struct chain_copy);
    for (size_t i = 0; i < kept; i++) {
        if (chain[i].len > SIZE_MAX - bytes)
            return NULL;
        bytes += chain[i].len;
    }
    struct chain_copy *cc = malloc(bytes);
    if (!cc)
        return NULL;
    uint8_t *p = cc->der;
    cc->refs = 1;
    cc->n = n;
    cc->kept = kept;
    cc->bytes = bytes;
    for (size_t i = 0; i < kept; p += chain[i].len, i++) {
        cc->len[i] = chain[i].len;
        if (chain[i].len)
            memcpy(p, chain[i].p, chain[i].len);
    }
    return cc;
}

static void release_chain(struct chain_copy *cc)
{
    if (cc && --cc->refs == 0)
        free(cc);
}

/* ---- entries ---------------------------------------------------------------- */

static size_t bucket_of(const struct snt_cert_cache *cache, uint64_t hash)
{
    return (size_t)hash & cache->mask;
}

static struct entry *oldest(const struct snt_cert_cache *cache)
{
    return SNT_DLIST_OLDEST(&cache->recency, struct entry, recency);
}

static void drop(struct snt_cert_cache *cache, struct entry *e)
{
    struct entry **pp = &cache->buckets[bucket_of(cache, e->hash)];
    while (*pp && *pp != e)
        pp = &(*pp)->next;
    if (*pp)
        *pp = e->next;
    snt_dlist_unlink(&cache->recency, &e->recency);
    cache->count--;
    cache->bytes -= e->bytes;
    snt_cert_result_clear(&e->result);
    release_chain(e->chain_copy);
    free(e);
}

void snt_cert_cache_free(struct snt_cert_cache *cache)
{
    if (!cache)
        return;
    for (struct entry *e; (e = oldest(cache)) != NULL;)
        drop(cache, e);
    free(cache->buckets);
    free(cache);
}

static struct entry *find(const struct snt_cert_cache *cache, const struct snt_cert_question *q)
{
    struct entry *e = cache->buckets[bucket_of(cache, q->hash)];
    while (e && !answers(e, q))
        e = e->next;
    return e;
}

/* Results live inside their entries: step back to the entry. */
static struct entry *entry_of(const struct snt_cert_result *r)
{
    return (struct entry *)(void *)((char *)(uintptr_t)r - offsetof(struct entry, result));
}

const struct snt_cert_result *snt_cert_cache_get(struct snt_cert_cache *cache,
                                                 const struct snt_cert_question *q, int64_t t)
{
    struct entry *e = find(cache, q);
    if (!e)
        return NULL;
    /* A certificate in the chain starts or ends its validity within the day:
     * the same question has a different answer now. */
    if (t < e->from || t >= e->to) {
        drop(cache, e);
        return NULL;
    }
    snt_dlist_touch(&cache->recency, &e->recency);
    return &e->result;
}

void snt_cert_cache_window(const struct snt_cert_result *r, int64_t *from, int64_t *to)
{
    const struct entry *e = entry_of(r);
    *from = e->from;
    *to = e->to;
}

const struct snt_cert_result *snt_cert_cache_put(struct snt_cert_cache *cache,
                                                 const struct snt_cert_question *q,
                                                 struct snt_cert_result *r, size_t bytes,
                                                 int64_t from, int64_t to,
                                                 const struct snt_cert_result *same_chain)
{
    struct entry *e = calloc(1, sizeof *e), *old = find(cache, q);
    /* Taken before anything is evicted: same_chain's entry may go. */
    struct chain_copy *cc = same_chain ? entry_of(same_chain)->chain_copy : NULL;
    if (cc)
        cc->refs++;
    else if (e)
        cc = copy_chain(q->chain, q->n);
    if (!e || !cc) {
        free(e);
        release_chain(cc);
        snt_cert_result_clear(r);
        return NULL;
    }
    if (old)
        drop(cache, old);
    bytes += sizeof *e + cc->bytes;
    for (struct entry *x; (x = oldest(cache)) != NULL && (cache->count >= cache->max_entries ||
                                                          cache->bytes + bytes > cache->max_bytes);)
        drop(cache, x);
    e->hash = q->hash;
    e->day = q->day;
    e->chain_copy = cc;
    e->name = *q->name;
    e->from = from;
    e->to = to;
    e->bytes = bytes;
    e->result = *r;
    memset(r, 0, sizeof *r);
    size_t b = bucket_of(cache, q->hash);
    e->next = cache->buckets[b];
    cache->buckets[b] = e;
    snt_dlist_push(&cache->recency, &e->recency);
    cache->count++;
    cache->bytes += bytes;
    return &e->result;
}
