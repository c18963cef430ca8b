/* The cert stage's verdict cache: one entry per distinct question (chain,
 * name, capture day), so a certificate seen on many connections is decoded
 * and verified once per question (X.509 per RFC 5280, names per RFC 6125).
 *
 * A chain is known by its identity, SHA-256 over what was sent (DESIGN:
 * "cache by SHA-256"): over the count of certificates and, for each, its
 * length and its own SHA-256.  An entry answers only a question with the
 * same identity, name and day, so two chains share a verdict only if
 * SHA-256 collides.  A question is found by a SipHash-1-3 of the three
 * under a key drawn at random for each cache (src/siphash.h), so no server
 * can aim its chains at one bucket.  A hit costs one SHA-256 pass over the
 * leaf, a look-up per intermediate and a 32-byte comparison.  Entries keep
 * the identity, not the chain: the copies of the chains were 9 MB of the
 * mixed GB's peak, and the cold comparison of a whole chain on every hit
 * went too.
 *
 * Intermediates come again and again (a few CAs sign most leaves): the
 * last ones seen are kept with their SHA-256, and one sent again, byte for
 * byte, is not hashed again.  They are kept in sets by a hash of their
 * bytes (ways.h), the least recently seen of a set given up first.  The
 * leaf's SHA-256 is its fingerprint, which the verdict shows: it is hashed
 * once for both.
 *
 * Bounded twice, by entries and by bytes (names and results counted),
 * because servers control how big certificates and their name lists are.
 * Least recently used entries go first.
 */
#include "cert_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dlist.h"
#include "htable.h"
#include "secret.h"
#include "siphash.h"
#include "ways.h"

#define MAX_BUCKETS ((size_t)1 << 20)
#define KNOWN_SETS  SNT_CERT_KNOWN_SETS
#define KNOWN_DER   4096 /* larger ones are hashed each time */

/* An intermediate seen, its bytes and their SHA-256. */
struct known_cert {
    size_t len;
    uint8_t sha256[SNT_CERT_CHAIN_ID_LEN];
    uint8_t der[KNOWN_DER];
};

struct known_set {
    struct snt_ways ways;
    struct known_cert slot[SNT_WAYS];
};

/* An entry keeps its strings at their own lengths, after it: the name
 * asked, then the verdict's two texts, each ended by a NUL (a name's
 * struct has room for the longest name, 280 bytes, and a verdict for the
 * longest texts, 480; most take 20 and 100).  What a look-up returns is
 * the entry spelled out again in one of two answers the cache keeps, so a
 * caller may hold the previous one while asking again (an answer stays
 * good until the second look-up after it). */
struct entry {
    uint64_t hash;
    int64_t day;
    struct snt_cert_chain_id id;
    struct entry *next;       /* in the same bucket */
    struct snt_dlink recency; /* in the cache's recency list */
    int64_t from, to;         /* capture times the verdict holds for */
    size_t bytes;
    struct snt_cert_info info;
    unsigned problems;
    enum snt_cert_name_kind name_kind; /* kind, len and text compared */
    size_t name_len;
    uint16_t verify_error_len, name_check_len;
    char text[]; /* the name (not ended), verify_error, name_check */
};

struct answer {
    struct snt_cert_result result; /* first: a result's address is its answer's */
    int64_t from, to;
};

struct snt_cert_cache {
    uint8_t key[SNT_SIPHASH_KEY_LEN];
    EVP_MD *sha256;
    EVP_MD_CTX *md; /* reused for every chain's identity */
    struct entry **buckets;
    size_t mask;
    struct snt_dlist recency; /* struct entry, least recently used first */
    size_t count, max_entries;
    size_t bytes, max_bytes;
    struct answer answers[2];
    unsigned next_answer;
    struct known_set *known; /* KNOWN_SETS, by a hash of the bytes */
    uint32_t known_clock;
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
    cache->known = calloc(KNOWN_SETS, sizeof *cache->known);
    cache->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    cache->md = EVP_MD_CTX_new();
    if (!cache->buckets || !cache->known || !cache->sha256 || !cache->md) {
        free(cache->buckets);
        free(cache->known);
        EVP_MD_free(cache->sha256);
        EVP_MD_CTX_free(cache->md);
        free(cache);
        snt_cert_forget_errors();
        return NULL;
    }
    snt_secret_draw(cache->key, sizeof cache->key);
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

/* A count or a length into the digest, as 8 little-endian bytes (so the
 * identity is the same on every machine). */
static bool digest_u64(EVP_MD_CTX *md, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return EVP_DigestUpdate(md, b, sizeof b) == 1;
}

static bool sha256_of(struct snt_cert_cache *cache, const struct snt_span *der,
                      uint8_t out[SNT_CERT_CHAIN_ID_LEN])
{
    unsigned int len = 0;
    return EVP_Digest(der->p, der->len, out, &len, cache->sha256, NULL) == 1 &&
           len == SNT_CERT_CHAIN_ID_LEN;
}

/* An intermediate's SHA-256: the one kept for these very bytes, else
 * hashed now and kept in their set. */
static bool intermediate_sha256(struct snt_cert_cache *cache, const struct snt_span *der,
                                uint8_t out[SNT_CERT_CHAIN_ID_LEN])
{
    if (der->len == 0 || der->len > KNOWN_DER)
        return sha256_of(cache, der, out);
    uint32_t tag = snt_hash_bytes(der->p, der->len);
    struct known_set *set = &cache->known[tag & (KNOWN_SETS - 1)];
    for (unsigned w = 0; w < SNT_WAYS; w++) {
        const struct known_cert *k = &set->slot[w];
        if (snt_ways_holds(&set->ways, w, tag) && k->len == der->len &&
            memcmp(k->der, der->p, der->len) == 0) {
            snt_ways_touch(&set->ways, w, &cache->known_clock);
            memcpy(out, k->sha256, SNT_CERT_CHAIN_ID_LEN);
            return true;
        }
    }
    if (!sha256_of(cache, der, out))
        return false;
    struct known_cert *k = &set->slot[snt_ways_take(&set->ways, tag, &cache->known_clock)];
    k->len = der->len;
    memcpy(k->der, der->p, der->len);
    memcpy(k->sha256, out, SNT_CERT_CHAIN_ID_LEN);
    return true;
}

bool snt_cert_cache_chain_id(struct snt_cert_cache *cache, struct snt_cert_question *q)
{
    unsigned int len = 0;
    uint8_t md[SNT_CERT_CHAIN_ID_LEN];
    const struct snt_span *chain = q->chain;
    bool ok =
        EVP_DigestInit_ex2(cache->md, cache->sha256, NULL) == 1 && digest_u64(cache->md, q->n);
    for (size_t i = 0; ok && i < kept_of(q->n); i++) {
        ok = i ? intermediate_sha256(cache, &chain[i], md) : sha256_of(cache, &chain[i], md);
        ok = ok && digest_u64(cache->md, chain[i].len) &&
             EVP_DigestUpdate(cache->md, md, sizeof md) == 1;
        if (ok && i == 0)
            memcpy(q->leaf_sha256, md, sizeof md);
    }
    ok = ok && EVP_DigestFinal_ex(cache->md, q->id.sha256, &len) == 1 && len == sizeof q->id.sha256;
    if (!ok)
        snt_cert_forget_errors();
    return ok;
}

void snt_cert_cache_hash(const struct snt_cert_cache *cache, struct snt_cert_question *q)
{
    struct snt_siphash s;
    snt_siphash_init(&s, cache->key, SNT_SIPHASH_TABLE_C, SNT_SIPHASH_TABLE_D);
    snt_siphash_update(&s, q->id.sha256, sizeof q->id.sha256);
    snt_siphash_u64(&s, (uint64_t)q->name->kind);
    snt_siphash_u64(&s, q->name->len);
    snt_siphash_update(&s, q->name->text, q->name->len);
    snt_siphash_u64(&s, (uint64_t)q->day);
    q->hash = snt_siphash_final(&s);
}

static bool answers(const struct entry *e, const struct snt_cert_question *q)
{
    return e->hash == q->hash && e->day == q->day && e->name_kind == q->name->kind &&
           e->name_len == q->name->len && memcmp(e->text, q->name->text, e->name_len) == 0 &&
           memcmp(e->id.sha256, q->id.sha256, sizeof e->id.sha256) == 0;
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
    snt_cert_info_free(&e->info);
    free(e);
}

void snt_cert_cache_free(struct snt_cert_cache *cache)
{
    if (!cache)
        return;
    for (struct entry *e; (e = oldest(cache)) != NULL;)
        drop(cache, e);
    free(cache->buckets);
    free(cache->known);
    EVP_MD_free(cache->sha256);
    EVP_MD_CTX_free(cache->md);
    free(cache);
}

static struct entry *find(const struct snt_cert_cache *cache, const struct snt_cert_question *q)
{
    struct entry *e = cache->buckets[bucket_of(cache, q->hash)];
    while (e && !answers(e, q))
        e = e->next;
    return e;
}

static const char *verify_error_of(const struct entry *e)
{
    return e->text + e->name_len;
}

static const char *name_check_of(const struct entry *e)
{
    return verify_error_of(e) + e->verify_error_len + 1;
}

/* e spelled out in the next of the two answers.  The information is the
 * entry's own (its strings shared, not copied): good while e is. */
static const struct snt_cert_result *answer(struct snt_cert_cache *cache, const struct entry *e)
{
    struct answer *a = &cache->answers[cache->next_answer++ % 2];
    struct snt_cert_verdict *v = &a->result.verdict;
    a->result.info = e->info;
    v->problems = e->problems;
    memcpy(v->verify_error, verify_error_of(e), e->verify_error_len + 1u);
    memcpy(v->name_check, name_check_of(e), e->name_check_len + 1u);
    a->from = e->from;
    a->to = e->to;
    return &a->result;
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
    return answer(cache, e);
}

void snt_cert_cache_window(const struct snt_cert_result *r, int64_t *from, int64_t *to)
{
    const struct answer *a = (const struct answer *)(const void *)r;
    *from = a->from;
    *to = a->to;
}

/* A verdict's text at its own length: at most its array's, less its NUL. */
static uint16_t text_len(const char *text, size_t room)
{
    return (uint16_t)strnlen(text, room - 1);
}

const struct snt_cert_result *snt_cert_cache_put(struct snt_cert_cache *cache,
                                                 const struct snt_cert_question *q,
                                                 struct snt_cert_result *r, size_t bytes,
                                                 int64_t from, int64_t to)
{
    const struct snt_cert_verdict *v = &r->verdict;
    uint16_t ve = text_len(v->verify_error, sizeof v->verify_error);
    uint16_t nc = text_len(v->name_check, sizeof v->name_check);
    size_t size = sizeof(struct entry) + q->name->len + ve + 1u + nc + 1u;
    struct entry *e = calloc(1, size), *old = find(cache, q);
    if (!e) {
        snt_cert_result_clear(r);
        return NULL;
    }
    if (old)
        drop(cache, old);
    bytes += size;
    for (struct entry *x; (x = oldest(cache)) != NULL && (cache->count >= cache->max_entries ||
                                                          cache->bytes + bytes > cache->max_bytes);)
        drop(cache, x);
    e->hash = q->hash;
    e->day = q->day;
    e->id = q->id;
    e->name_kind = q->name->kind;
    e->name_len = q->name->len;
    e->verify_error_len = ve;
    e->name_check_len = nc;
    memcpy(e->text, q->name->text, q->name->len);
    memcpy(e->text + e->name_len, v->verify_error, ve); /* the NULs are calloc's */
    memcpy(e->text + e->name_len + ve + 1, v->name_check, nc);
    e->from = from;
    e->to = to;
    e->bytes = bytes;
    e->info = r->info; /* its strings move in */
    e->problems = v->problems;
    memset(r, 0, sizeof *r);
    size_t b = bucket_of(cache, q->hash);
    e->next = cache->buckets[b];
    cache->buckets[b] = e;
    snt_dlist_push(&cache->recency, &e->recency);
    cache->count++;
    cache->bytes += bytes;
    return answer(cache, e);
}
