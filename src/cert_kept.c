/* Certificates kept decoded, by their DER: a d2i_X509 costs a hundred
 * times what hashing and comparing the bytes does.  A bounded table with
 * least-recently-used eviction; a certificate is found only for the very
 * bytes it was decoded from.  Which certificates are kept depends only on
 * the order they are asked for, never on the hash, so runs repeat. */
#include "cert_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dlist.h"
#include "htable.h"

#define KEPT_DER      16384 /* larger certificates than real CAs send are not kept */
#define KEPT_MIN_BITS 6

struct kept {
    struct snt_dlink lru;
    uint32_t hash;
    size_t len;
    X509 *x; /* a reference of the table's own */
    uint8_t der[];
};

struct snt_cert_kept {
    struct snt_htable table;
    struct snt_dlist lru; /* least recently used first */
    size_t count, max;
};

struct snt_cert_kept *snt_cert_kept_new(size_t max)
{
    struct snt_cert_kept *k = calloc(1, sizeof *k);
    if (k && !snt_htable_init(&k->table, KEPT_MIN_BITS)) {
        free(k);
        return NULL;
    }
    if (k)
        k->max = max ? max : 1;
    return k;
}

static void drop(struct snt_cert_kept *k, struct kept *e)
{
    snt_htable_remove(&k->table, e, e->hash);
    snt_dlist_unlink(&k->lru, &e->lru);
    k->count--;
    X509_free(e->x);
    free(e);
}

void snt_cert_kept_free(struct snt_cert_kept *k)
{
    if (!k)
        return;
    struct kept *e;
    while ((e = SNT_DLIST_OLDEST(&k->lru, struct kept, lru)))
        drop(k, e);
    snt_htable_free(&k->table);
    free(k);
}

static struct kept *lookup(struct snt_cert_kept *k, const struct snt_span *der, uint32_t hash)
{
    size_t at = snt_htable_start(&k->table, hash);
    struct kept *e;
    while ((e = snt_htable_next(&k->table, hash, &at)))
        if (e->len == der->len && memcmp(e->der, der->p, der->len) == 0)
            return e;
    return NULL;
}

static bool keepable(const struct snt_span *der)
{
    return der->p && der->len && der->len <= KEPT_DER;
}

X509 *snt_cert_kept_find(struct snt_cert_kept *k, const struct snt_span *der)
{
    if (!k || !keepable(der))
        return NULL;
    struct kept *e = lookup(k, der, snt_hash_bytes(der->p, der->len));
    if (!e || X509_up_ref(e->x) != 1)
        return NULL;
    snt_dlist_touch(&k->lru, &e->lru);
    return e->x;
}

void snt_cert_kept_put(struct snt_cert_kept *k, const struct snt_span *der, X509 *x)
{
    if (!k || !x || !keepable(der))
        return;
    uint32_t hash = snt_hash_bytes(der->p, der->len);
    if (lookup(k, der, hash))
        return;
    struct kept *e = malloc(sizeof *e + der->len);
    if (!e)
        return;
    if (X509_up_ref(x) != 1) {
        free(e);
        return;
    }
    if (!snt_htable_insert(&k->table, e, hash)) {
        X509_free(x);
        free(e);
        return;
    }
    e->hash = hash;
    e->len = der->len;
    e->x = x;
    memcpy(e->der, der->p, der->len);
    snt_dlist_push(&k->lru, &e->lru);
    if (++k->count > k->max)
        drop(k, SNT_DLIST_OLDEST(&k->lru, struct kept, lru));
}
