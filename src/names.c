/* The DNS name cache (include/snitrace/names.h): entries from a pool,
 * found through a growing hash table on (client, server address), with an
 * LRU list for the bound.  An entry keeps its names' bytes in itself while
 * they fit (nearly always), else in one block of their own. */
#include <stdlib.h>
#include <string.h>

#include "dlist.h"
#include "htable.h"
#include "pool.h"
#include "snitrace/names.h"

#define ENTRY_TEXT     96  /* a question and a CNAME or two: the entry is 192 bytes */
#define POOL_CHUNK     256 /* entries allocated at a time */
#define TABLE_MIN_BITS 10

struct entry {
    struct snt_name_entry pub; /* the key first: what a lookup reads */
    struct snt_dlink lru;
    char *spill; /* the names when they did not fit in text, else NULL */
    char text[ENTRY_TEXT];
};

struct snt_names {
    struct snt_htable table;
    struct snt_pool pool;
    struct snt_dlist lru; /* least recently stored first */
    size_t count, max;
    uint64_t evictions;
};

struct snt_names *snt_names_new(size_t max_entries)
{
    struct snt_names *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->max = max_entries ? max_entries : SNT_NAMES_DEFAULT_MAX;
    snt_pool_init(&n->pool, sizeof(struct entry), POOL_CHUNK);
    if (!snt_htable_init(&n->table, TABLE_MIN_BITS)) {
        free(n);
        return NULL;
    }
    return n;
}

static struct entry *lru_entry(struct snt_dlink *l)
{
    return SNT_CONTAINER_OF(l, struct entry, lru);
}

void snt_names_free(struct snt_names *n)
{
    if (!n)
        return;
    for (struct snt_dlink *l = n->lru.newest; l; l = l->older)
        free(lru_entry(l)->spill);
    snt_pool_free(&n->pool);
    snt_htable_free(&n->table);
    free(n);
}

static uint32_t key_hash(const struct snt_addr *client, const struct snt_addr *server)
{
    return snt_hash_addr(server, snt_hash_addr(client, 0));
}

static void entry_remove(struct snt_names *n, struct entry *e)
{
    snt_htable_remove(&n->table, e, key_hash(&e->pub.client, &e->pub.server));
    snt_dlist_unlink(&n->lru, &e->lru);
    n->count--;
    free(e->spill);
    snt_pool_put(&n->pool, e);
}

static struct entry *find_hashed(const struct snt_names *n, const struct snt_addr *client,
                                 const struct snt_addr *server, uint32_t h)
{
    size_t at = snt_htable_start(&n->table, h);
    for (struct entry *e; (e = snt_htable_next(&n->table, h, &at));)
        if (memcmp(&e->pub.server, server, sizeof *server) == 0 &&
            memcmp(&e->pub.client, client, sizeof *client) == 0)
            return e;
    return NULL;
}

/* Copy the question and the chain into the entry, one after the other, in
 * its own text when they fit.  false when memory ran out for a long chain. */
static bool set_names(struct entry *e, const char *qname, char *const *chain, unsigned n_chain)
{
    size_t len[1 + SNT_NAMES_MAX_CHAIN], total = 0;
    const char *src[1 + SNT_NAMES_MAX_CHAIN];
    src[0] = qname;
    for (unsigned i = 0; i < n_chain; i++)
        src[i + 1] = chain[i];
    for (unsigned i = 0; i <= n_chain; i++)
        total += (len[i] = strlen(src[i])) + 1;
    free(e->spill);
    e->spill = total > sizeof e->text ? malloc(total) : NULL;
    char *at = total > sizeof e->text ? e->spill : e->text;
    if (!at)
        return false;
    e->pub.qname = at;
    e->pub.chain = at + len[0] + 1;
    for (unsigned i = 0; i <= n_chain; i++) {
        memcpy(at, src[i], len[i] + 1);
        at += len[i] + 1;
    }
    e->pub.n_chain = n_chain;
    return true;
}

/* A fresh entry for (client, server), whose key hashes to h; the oldest
 * ones evicted for room. */
static struct entry *entry_new(struct snt_names *n, const struct snt_addr *client,
                               const struct snt_addr *server, uint32_t h)
{
    while (n->count >= n->max && n->lru.oldest) {
        entry_remove(n, lru_entry(n->lru.oldest));
        n->evictions++;
    }
    struct entry *e = snt_pool_get(&n->pool);
    if (!e)
        return NULL;
    memset(e, 0, offsetof(struct entry, text));
    e->pub.client = *client;
    e->pub.server = *server;
    if (!snt_htable_insert(&n->table, e, h)) {
        snt_pool_put(&n->pool, e);
        return NULL;
    }
    snt_dlist_push(&n->lru, &e->lru);
    n->count++;
    return e;
}

/* Store (replacing) what client learnt about server, whose key hashes to
 * h: the newest entry. */
static void store(struct snt_names *n, const struct snt_addr *client, const struct snt_addr *server,
                  uint32_t h, const char *qname, char *const *chain, unsigned n_chain, uint64_t ts)
{
    struct entry *e = find_hashed(n, client, server, h);
    if (e)
        snt_dlist_touch(&n->lru, &e->lru);
    else if (!(e = entry_new(n, client, server, h))) {
        return;
    }
    e->pub.ts_usec = ts;
    if (!set_names(e, qname, chain, n_chain))
        entry_remove(n, e);
}

/* Follow CNAMEs from the question: chain[] gets the targets in order. */
static unsigned follow_cnames(const struct snt_dns_message *m, char **chain)
{
    const char *at = m->qname;
    unsigned n = 0;
    for (unsigned hop = 0; hop < SNT_NAMES_MAX_CHAIN; hop++) {
        const struct snt_dns_answer *next = NULL;
        for (unsigned i = 0; i < m->n_answers && !next; i++)
            if (m->answers[i].type == SNT_DNS_TYPE_CNAME && strcmp(m->answers[i].owner, at) == 0)
                next = &m->answers[i];
        if (!next)
            break;
        chain[n++] = (char *)next->cname;
        at = next->cname;
    }
    return n;
}

/* How far along the chain owner is: 0 for the question, i+1 for chain[i]. */
static int chain_position(const struct snt_dns_message *m, char *const *chain, unsigned n,
                          const char *owner)
{
    if (strcmp(owner, m->qname) == 0)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (strcmp(owner, chain[i]) == 0)
            return (int)i + 1;
    return -1;
}

unsigned snt_names_learn(struct snt_names *n, const struct snt_addr *client,
                         const struct snt_dns_message *m, uint64_t ts_usec)
{
    char *chain[SNT_NAMES_MAX_CHAIN];
    unsigned n_chain = follow_cnames(m, chain), learnt = 0;
    struct snt_addr anyone;
    memset(&anyone, 0, sizeof anyone);
    if (!m->response || !m->qname[0])
        return 0;
    for (unsigned i = 0; i < m->n_answers; i++) {
        const struct snt_dns_answer *a = &m->answers[i];
        int pos = a->addr_len ? chain_position(m, chain, n_chain, a->owner) : -1;
        if (pos < 0)
            continue; /* an address for some other name: not what was asked */
        struct snt_addr server;
        memset(&server, 0, sizeof server);
        server.family = a->addr_len == 4 ? 4 : 6;
        memcpy(server.b, a->addr, a->addr_len);
        /* Both searches' slots are fetched together: they wait for memory
         * once. */
        uint32_t h_client = key_hash(client, &server), h_anyone = key_hash(&anyone, &server);
        snt_htable_prefetch(&n->table, h_client);
        snt_htable_prefetch(&n->table, h_anyone);
        store(n, client, &server, h_client, m->qname, chain, (unsigned)pos, ts_usec);
        store(n, &anyone, &server, h_anyone, m->qname, chain, (unsigned)pos, ts_usec);
        learnt++;
    }
    return learnt;
}

const struct snt_name_entry *snt_names_lookup(struct snt_names *n, const struct snt_addr *client,
                                              const struct snt_addr *server)
{
    struct snt_addr anyone;
    memset(&anyone, 0, sizeof anyone);
    /* Most connections follow no lookup of their client's own: the second
     * search's slots are fetched while the first one waits for its own. */
    uint32_t h_client = key_hash(client, server), h_anyone = key_hash(&anyone, server);
    snt_htable_prefetch(&n->table, h_anyone);
    const struct entry *e = find_hashed(n, client, server, h_client);
    if (!e)
        e = find_hashed(n, &anyone, server, h_anyone);
    return e ? &e->pub : NULL;
}

const char *snt_name_entry_chain(const struct snt_name_entry *e, unsigned i)
{
    const char *at = e->chain;
    while (i--)
        at += strlen(at) + 1;
    return at;
}

uint64_t snt_names_evictions(const struct snt_names *n)
{
    return n->evictions;
}
