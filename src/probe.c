/* The prober: a queue of probes served by a few worker threads, one entry
 * per (server, port, SNI) for the whole run, and the registry of the
 * probes' own sockets.
 *
 * Threads and what they share:
 * - The main thread owns the entry table (lookup, creation, counters) and
 *   is the only one to read results, after collecting them.
 * - An entry's key and ALPN are written before it is queued and only read
 *   after; its result is written by one worker while it runs and read by
 *   the main thread only after the worker put it on the done list.  The
 *   queue, the done list and the states are under `lock`, which orders
 *   those writes before those reads.
 * - `done_ready` lets the main thread look for finished probes between
 *   packets without taking the lock.
 * - The own-socket registry is written by workers and read by the main
 *   thread, under `own_lock`.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "probe_internal.h"
#include "secret.h"
#include "thread.h"

#define ENTRY_BUCKETS 1024 /* main-thread table of probes by key */
#define OWN_BUCKETS   1024 /* registry of probe sockets by local port */

enum entry_state { QUEUED, RUNNING, DONE };

struct entry {
    struct entry *next;  /* queue or done list (under lock) */
    struct entry *hnext; /* key table chain (main thread) */
    snt_probe_id id;
    enum entry_state state; /* under lock */
    bool collected;         /* main thread: the result may be read */
    struct snt_probe_key key;
    size_t alpn_len;
    uint8_t alpn[SNT_PROBE_MAX_ALPN_BYTES];
    struct snt_probe_result result;
};

/* One probe socket: the connection it makes, as the capture will see it. */
struct own_socket {
    struct snt_addr local, server;
    uint16_t server_port, local_port;
    int next; /* index of the next in its bucket, -1 at the end */
};

struct entry_list {
    struct entry *head, *tail;
};

struct snt_probes {
    struct snt_probe_config cfg;
    SSL_CTX *ctx;
    pthread_t threads[SNT_PROBE_MAX_PARALLEL];
    unsigned n_threads;

    pthread_mutex_t lock;
    pthread_cond_t work, done_cond;
    struct entry_list queue, done; /* under lock */
    bool stopping;                 /* under lock */
    atomic_uint done_ready;        /* entries on the done list */

    /* main thread only */
    struct entry **entries; /* by id */
    size_t n_entries;
    struct entry *buckets[ENTRY_BUCKETS];
    uint8_t hash_secret[SNT_PROBE_HASH_KEY_LEN]; /* the buckets' hash: drawn for each prober */
    size_t outstanding;
    struct snt_probe_counters counters;

    pthread_mutex_t own_lock;
    struct own_socket *own; /* up to cfg.max_probes, never evicted */
    size_t n_own;
    int own_buckets[OWN_BUCKETS];
    atomic_size_t own_count; /* lets lookups skip the lock while there are none */
};

/* Ties a worker's own-socket callback to the probe it is running. */
struct bound_ctx {
    struct snt_probes *p;
    const struct entry *e;
};

void snt_probe_config_default(struct snt_probe_config *c)
{
    memset(c, 0, sizeof *c);
    c->parallel = SNT_PROBE_DEFAULT_PARALLEL;
    c->timeout_ms = SNT_PROBE_DEFAULT_TIMEOUT_MS;
    c->max_probes = SNT_PROBE_DEFAULT_MAX;
}

static void list_push(struct entry_list *l, struct entry *e)
{
    e->next = NULL;
    if (l->tail)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
}

static struct entry *list_pop(struct entry_list *l)
{
    struct entry *e = l->head;
    if (e && !(l->head = e->next))
        l->tail = NULL;
    return e;
}

/* ---- the own-socket registry ----------------------------------------------- */

static void remember_socket(void *arg, const struct snt_addr *local, uint16_t local_port)
{
    struct bound_ctx *b = arg;
    struct snt_probes *p = b->p;
    pthread_mutex_lock(&p->own_lock);
    if (p->n_own < p->cfg.max_probes) {
        struct own_socket *s = &p->own[p->n_own];
        s->local = *local;
        s->server = b->e->key.server;
        s->server_port = b->e->key.port;
        s->local_port = local_port;
        s->next = p->own_buckets[local_port % OWN_BUCKETS];
        p->own_buckets[local_port % OWN_BUCKETS] = (int)p->n_own++;
        atomic_store(&p->own_count, p->n_own);
    }
    pthread_mutex_unlock(&p->own_lock);
}

bool snt_probes_own_connection(struct snt_probes *p, const struct snt_addr *local,
                               uint16_t local_port, const struct snt_addr *server,
                               uint16_t server_port)
{
    if (atomic_load(&p->own_count) == 0)
        return false;
    bool found = false;
    pthread_mutex_lock(&p->own_lock);
    for (int i = p->own_buckets[local_port % OWN_BUCKETS]; i >= 0 && !found; i = p->own[i].next) {
        const struct own_socket *s = &p->own[i];
        found = s->local_port == local_port && s->server_port == server_port &&
                memcmp(&s->server, server, sizeof *server) == 0 &&
                memcmp(&s->local, local, sizeof *local) == 0;
    }
    pthread_mutex_unlock(&p->own_lock);
    return found;
}

/* ---- workers --------------------------------------------------------------- */

static void run_probe(struct snt_probes *p, struct entry *e)
{
    struct bound_ctx b = {p, e};
    probe_tls_run(p->ctx, &e->key, e->alpn, e->alpn_len, p->cfg.timeout_ms, remember_socket, &b,
                  &e->result);
}

static void finish_locked(struct snt_probes *p, struct entry *e)
{
    e->state = DONE;
    list_push(&p->done, e);
    atomic_fetch_add(&p->done_ready, 1);
    pthread_cond_broadcast(&p->done_cond);
}

static void *worker(void *arg)
{
    struct snt_probes *p = arg;
    pthread_setname_np(pthread_self(), "snitrace-probe"); /* what top -H and perf show */
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && !p->queue.head)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->stopping)
            break;
        struct entry *e = list_pop(&p->queue);
        e->state = RUNNING;
        pthread_mutex_unlock(&p->lock);
        run_probe(p, e);
        pthread_mutex_lock(&p->lock);
        finish_locked(p, e);
    }
    pthread_mutex_unlock(&p->lock);
    OPENSSL_thread_stop();
    return NULL;
}

/* Signals go to the main thread, whose poll() they must interrupt
 * (src/thread.h). */
static bool start_workers(struct snt_probes *p, unsigned n)
{
    for (; p->n_threads < n; p->n_threads++)
        if (snt_thread_start(&p->threads[p->n_threads], worker, p) != 0)
            break;
    return p->n_threads > 0;
}

static bool init_sync(struct snt_probes *p)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return false;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = pthread_mutex_init(&p->lock, NULL) == 0 &&
              pthread_mutex_init(&p->own_lock, NULL) == 0 &&
              pthread_cond_init(&p->work, NULL) == 0 && pthread_cond_init(&p->done_cond, &ca) == 0;
    pthread_condattr_destroy(&ca);
    return ok;
}

struct snt_probes *snt_probes_new(const struct snt_probe_config *c, char *err, size_t errlen)
{
    struct snt_probes *p = calloc(1, sizeof *p);
    if (!p || !init_sync(p)) {
        snprintf(err, errlen, "cannot set up --probe: out of memory");
        free(p);
        return NULL;
    }
    p->cfg = *c;
    snt_secret_draw(p->hash_secret, sizeof p->hash_secret);
    memset(p->own_buckets, 0xff, sizeof p->own_buckets); /* every bucket -1: empty */
    p->own = calloc(c->max_probes, sizeof *p->own);
    p->entries = calloc(c->max_probes, sizeof *p->entries);
    p->ctx = p->own && p->entries ? probe_tls_context(err, errlen) : NULL;
    if (!p->ctx || !start_workers(p, c->parallel)) {
        if (p->ctx)
            snprintf(err, errlen, "cannot start the --probe threads");
        else if (!p->own || !p->entries)
            snprintf(err, errlen, "cannot set up --probe: out of memory");
        snt_probes_free(p);
        return NULL;
    }
    return p;
}

void snt_probes_free(struct snt_probes *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    for (size_t i = 0; i < p->n_entries; i++) {
        free(p->entries[i]->result.der);
        free(p->entries[i]);
    }
    free(p->entries);
    free(p->own);
    SSL_CTX_free(p->ctx);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done_cond);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->own_lock);
    free(p);
}

/* ---- requests and results (main thread) ------------------------------------ */

static bool allowed(const struct snt_probes *p, const struct snt_addr *a)
{
    if (!p->cfg.n_only)
        return true;
    for (size_t i = 0; i < p->cfg.n_only; i++)
        if (snt_cidr_contains(&p->cfg.only[i], a))
            return true;
    return false;
}

static struct entry *find(struct snt_probes *p, const struct snt_probe_key *k)
{
    for (struct entry *e = p->buckets[snt_probe_key_hash(k, p->hash_secret) % ENTRY_BUCKETS]; e;
         e = e->hnext)
        if (snt_probe_key_equal(&e->key, k))
            return e;
    return NULL;
}

static struct entry *create(struct snt_probes *p, const struct snt_probe_request *rq)
{
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->id = (snt_probe_id)p->n_entries;
    e->key = rq->key;
    e->alpn_len = snt_probe_alpn_wire(rq->alpn, rq->n_alpn, rq->for_quic, e->alpn, sizeof e->alpn);
    p->entries[p->n_entries++] = e;
    uint32_t h = snt_probe_key_hash(&e->key, p->hash_secret) % ENTRY_BUCKETS;
    e->hnext = p->buckets[h];
    p->buckets[h] = e;
    return e;
}

enum snt_probe_status snt_probes_request(struct snt_probes *p, const struct snt_probe_request *rq,
                                         snt_probe_id *id, const struct snt_probe_result **result)
{
    if (!allowed(p, &rq->key.server)) {
        p->counters.filtered++;
        return SNT_PROBE_FILTERED;
    }
    struct entry *e = find(p, &rq->key);
    if (e) {
        p->counters.reused++;
        if (e->collected) {
            *result = &e->result;
            return SNT_PROBE_ANSWERED;
        }
        *id = e->id;
        return SNT_PROBE_WAIT;
    }
    if (p->n_entries >= p->cfg.max_probes) {
        p->counters.capped++;
        return SNT_PROBE_CAPPED;
    }
    if (!(e = create(p, rq)))
        return SNT_PROBE_FAILED;
    pthread_mutex_lock(&p->lock);
    list_push(&p->queue, e);
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    p->outstanding++;
    *id = e->id;
    return SNT_PROBE_WAIT;
}

static void count_result(struct snt_probes *p, const struct snt_probe_result *r)
{
    if (!r->made)
        p->counters.cancelled++;
    else if (r->ok)
        p->counters.ok++;
    else
        p->counters.failed++;
    if (r->made)
        p->counters.sent++;
}

size_t snt_probes_collect(struct snt_probes *p, snt_probe_fn fn, void *arg)
{
    if (atomic_load(&p->done_ready) == 0)
        return 0;
    pthread_mutex_lock(&p->lock);
    struct entry_list done = p->done;
    p->done.head = p->done.tail = NULL;
    atomic_store(&p->done_ready, 0);
    pthread_mutex_unlock(&p->lock);
    size_t n = 0;
    for (struct entry *e = done.head, *next; e; e = next, n++) {
        next = e->next;
        e->collected = true;
        p->outstanding--;
        count_result(p, &e->result);
        fn(e->id, &e->result, arg);
    }
    return n;
}

size_t snt_probes_outstanding(const struct snt_probes *p)
{
    return p->outstanding;
}

void snt_probes_wait(struct snt_probes *p, unsigned wait_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->lock);
    while (!p->done.head)
        if (pthread_cond_timedwait(&p->done_cond, &p->lock, &until) != 0)
            break;
    pthread_mutex_unlock(&p->lock);
}

void snt_probes_cancel_queued(struct snt_probes *p)
{
    pthread_mutex_lock(&p->lock);
    struct entry *e;
    while ((e = list_pop(&p->queue)) != NULL) {
        snprintf(e->result.error, sizeof e->result.error, "not probed: snitrace was stopped");
        finish_locked(p, e);
    }
    pthread_mutex_unlock(&p->lock);
}

void snt_probes_counters(const struct snt_probes *p, struct snt_probe_counters *out)
{
    *out = p->counters;
}
