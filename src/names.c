/* The DNS name cache (include/snitrace/names.h): a chained hash on (client,
 * server address) with an LRU list for the bound. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/names.h"

#define BUCKETS 65536

struct snt_names {
    struct snt_name_entry *buckets[BUCKETS];
    struct snt_name_entry *newest, *oldest;
    size_t count, max;
    uint64_t evictions;
};

struct snt_names *snt_names_new(size_t max_entries)
{
    struct snt_names *n = calloc(1, sizeof *n);
    if (n)
        n->max = max_entries ? max_entries : SNT_NAMES_DEFAULT_MAX;
    return n;
}

static void entry_free(struct snt_name_entry *e)
{
    free(e->qname);
    for (unsigned i = 0; i < e->n_chain; i++)
        free(e->chain[i]);
    free(e);
}

void snt_names_free(struct snt_names *n)
{
    if (!n)
        return;
    struct snt_name_entry *e = n->newest;
    while (e) {
        struct snt_name_entry *older = e->older;
        entry_free(e);
        e = older;
    }
    free(n);
}

static uint32_t bucket(const struct snt_addr *client, const struct snt_addr *server)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof client->b; i++)
        h = (h ^ client->b[i]) * 16777619u;
    h = (h ^ client->family) * 16777619u;
    for (size_t i = 0; i < sizeof server->b; i++)
        h = (h ^ server->b[i]) * 16777619u;
    return h % BUCKETS;
}

static void lru_unlink(struct snt_names *n, struct snt_name_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        n->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        n->oldest = e->newer;
    e->older = e->newer = NULL;
}

static void lru_push(struct snt_names *n, struct snt_name_entry *e)
{
    e->older = n->newest;
    e->newer = NULL;
    if (n->newest)
        n->newest->newer = e;
    n->newest = e;
    if (!n->oldest)
        n->oldest = e;
}

static void entry_remove(struct snt_names *n, struct snt_name_entry *e)
{
    struct snt_name_entry **pp = &n->buckets[bucket(&e->client, &e->server)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    lru_unlink(n, e);
    n->count--;
    entry_free(e);
}

static struct snt_name_entry *find(struct snt_names *n, const struct snt_addr *client,
                                   const struct snt_addr *server)
{
    for (struct snt_name_entry *e = n->buckets[bucket(client, server)]; e; e = e->hnext)
        if (memcmp(&e->client, client, sizeof *client) == 0 &&
            memcmp(&e->server, server, sizeof *server) == 0)
            return e;
    return NULL;
}

/* Store (replacing) what client learnt about server. */
static void store(struct snt_names *n, const struct snt_addr *client, const struct snt_addr *server,
                  const char *qname, char *const *chain, unsigned n_chain, uint64_t ts)
{
    struct snt_name_entry *e = find(n, client, server);
    if (e)
        entry_remove(n, e);
    while (n->count >= n->max && n->oldest) {
        entry_remove(n, n->oldest);
        n->evictions++;
    }
    if (!(e = calloc(1, sizeof *e)) || !(e->qname = strdup(qname))) {
        free(e);
        return;
    }
    e->client = *client;
    e->server = *server;
    e->ts_usec = ts;
    for (unsigned i = 0; i < n_chain; i++)
        if ((e->chain[e->n_chain] = strdup(chain[i])) != NULL)
            e->n_chain++;
    uint32_t b = bucket(client, server);
    e->hnext = n->buckets[b];
    n->buckets[b] = e;
    lru_push(n, e);
    n->count++;
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
        store(n, client, &server, m->qname, chain, (unsigned)pos, ts_usec);
        store(n, &anyone, &server, m->qname, chain, (unsigned)pos, ts_usec);
        learnt++;
    }
    return learnt;
}

const struct snt_name_entry *snt_names_lookup(struct snt_names *n, const struct snt_addr *client,
                                              const struct snt_addr *server)
{
    struct snt_addr anyone;
    memset(&anyone, 0, sizeof anyone);
    const struct snt_name_entry *e = find(n, client, server);
    return e ? e : find(n, &anyone, server);
}

uint64_t snt_names_evictions(const struct snt_names *n)
{
    return n->evictions;
}
