/* Connections and the work they hold: a connection begins (its attempt
 * and session), is finished (its attempt concluded and written) and
 * dropped; its work (attempt, streams, TLS and QUIC state) comes from a
 * pool under one memory budget, and when the budget is spent the least
 * recently active attempt is finished as it stands.  Everything above
 * (transports, application parsers, key-log decryption, the dispatcher)
 * calls down into here; this file calls only engine_attempt.c and
 * engine_tls13.c, below it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

#define USEC 1000000ULL

/* ---- connections ------------------------------------------------------------ */

void engine_syn_queue_unlink(struct snt_engine *e, struct conn *c)
{
    if (!c->in_syn_queue)
        return;
    snt_dlist_unlink(&e->syns, &c->syn_link);
    c->in_syn_queue = false;
}

void engine_syn_queue_push(struct snt_engine *e, struct conn *c)
{
    if (c->in_syn_queue)
        return;
    snt_dlist_push(&e->syns, &c->syn_link);
    c->in_syn_queue = true;
}

/* A TCP attempt that never got past the SYN may be part of a scan or a
 * flood: then it is summarised, not written. */
static bool summarised(struct snt_engine *e, const struct conn *c, enum snt_outcome outcome)
{
    if (c->alive || c->proto != SNT_IPPROTO_TCP)
        return false;
    const struct snt_flow_key *k = &c->flow->key;
    struct snt_scan_syn syn = {.ts_usec = c->flow->first_usec, .outcome = outcome};
    syn.client.family = syn.server.family = k->family;
    memcpy(syn.client.b, k->addr[c->client_side], sizeof syn.client.b);
    memcpy(syn.server.b, k->addr[!c->client_side], sizeof syn.server.b);
    syn.server_port = k->port[!c->client_side];
    return snt_scans_note(e->scans, &syn, e->now_usec);
}

void engine_finish(struct snt_engine *e, struct conn *c, enum snt_outcome outcome)
{
    engine_syn_queue_unlink(e, c);
    if (c->written)
        return;
    if (!c->w && summarised(e, c, outcome)) {
        c->written = true;
        return;
    }
    /* Embryonic or starved, it is written from what the handshake showed:
     * a work for as long as that takes, past the budget if need be. */
    if (!c->w && !engine_conn_begin(e, c, false)) {
        c->written = true; /* out of memory: this attempt is lost */
        return;
    }
    struct snt_attempt *a = c->w->attempt;
    engine_attempt_fallback_name(a);
    if (c->w->keys && c->w->keys->waiting)
        e->stats.tls_keys_missing++; /* its keys never came in time */
    engine_tls13_conclude(c->w);
    a->outcome = outcome;
    a->end_usec = e->now_usec;
    for (int i = 0; i < 2; i++)
        if (c->w->stream[i].hit_limit)
            e->stats.reassembly_limit++;
    if (a->name.truncated || a->sni.truncated)
        e->stats.name_truncations++;
    e->stats.attempts++;
    if (e->emit)
        e->emit(a, &c->w->attempt, e->emit_arg);
    engine_work_release(e, c->w);
    c->w = NULL;
    c->written = true;
}

/* An attempt still open when its flow goes away: say how far it got.  A
 * SYN unanswered for longer than the first retransmission timeout (1 s,
 * RFC 6298) had no answer; a younger one is merely incomplete. */
enum snt_outcome engine_outcome_when_dropped(const struct snt_engine *e, const struct conn *c)
{
    if (c->w && c->w->handshake_done)
        return SNT_OUTCOME_ESTABLISHED; /* only the client's first data was still awaited */
    if (c->syn_seen && !c->synack_seen && e->now_usec - c->syn_usec >= USEC)
        return SNT_OUTCOME_NO_ANSWER;
    return SNT_OUTCOME_INCOMPLETE;
}

void engine_drop_flow(struct snt_engine *e, struct snt_flow *f)
{
    struct conn *c = f->user;
    if (c) {
        if (!c->written)
            engine_finish(e, c, engine_outcome_when_dropped(e, c));
        engine_syn_queue_unlink(e, c);
    }
    f->user = NULL;
    snt_flow_remove(e->flows, f);
}

const char *engine_end_name(uint8_t end)
{
    static const char *const names[] = {NULL, "client_fin", "client_rst", "server_fin",
                                        "server_rst"};
    return end < sizeof names / sizeof names[0] ? names[end] : NULL;
}

/* The attempt's endpoints are the flow key's, the client on its side. */
static void fill_endpoints(struct snt_attempt *a, const struct snt_flow *f, uint8_t client_side)
{
    const struct snt_flow_key *k = &f->key;
    a->client.family = a->server.family = k->family;
    memcpy(a->client.b, k->addr[client_side], sizeof a->client.b);
    memcpy(a->server.b, k->addr[!client_side], sizeof a->server.b);
    a->client_port = k->port[client_side];
    a->server_port = k->port[!client_side];
}

/* Stream byte 0 of each direction, as far as the handshake told it. */
static void set_stream_bases(struct conn *c)
{
    if (c->proto != SNT_IPPROTO_TCP)
        return;
    if (c->syn_seen)
        snt_stream_set_base(&c->w->stream[C2S], c->client_isn + 1);
    if (c->n_server_isn)
        snt_stream_set_base(&c->w->stream[S2C], c->server_isn[c->server_isn_chosen] + 1);
}

bool engine_conn_begin(struct snt_engine *e, struct conn *c, bool within_budget)
{
    struct conn_work *w = engine_work_get(e, c, within_budget);
    if (!w) {
        if (within_budget && !c->starved)
            e->stats.reassembly_memory_full++;
        c->starved = true;
        return false;
    }
    c->w = w;
    struct snt_attempt *a = w->attempt; /* empty (engine_work_get) */
    snt_starttls_init(&w->starttls);
    a->ts_usec = c->flow->first_usec;
    a->transport = c->proto;
    fill_endpoints(a, c->flow, c->client_side);
    w->ended_by = engine_end_name(c->ended);
    set_stream_bases(c);
    engine_attempt_dns_names(e, a);
    if (e->cfg.attempt_started)
        e->cfg.attempt_started(a, e->emit_arg);
    return true;
}

struct conn *engine_conn_new(struct snt_engine *e, struct snt_flow *f, const struct snt_packet *p,
                             uint8_t client_side)
{
    struct conn *c = snt_flow_area(f);
    memset(c, 0, sizeof *c);
    c->flow = f;
    c->client_side = client_side;
    c->proto = p->proto;
    if (c->proto == SNT_IPPROTO_UDP) {
        c->alive = true;
        if (!engine_conn_begin(e, c, true))
            return NULL;
    }
    f->user = c;
    e->stats.flows++;
    return c;
}

/* ---- key-log and QUIC state a work holds -------------------------------------- */

void engine_keys_wait_unlink(struct snt_engine *e, struct conn_keys *k)
{
    if (!k->waiting)
        return;
    snt_dlist_unlink(&e->key_waits, &k->wait_link);
    k->waiting = false;
}

void engine_keys_wait_push(struct snt_engine *e, struct conn_keys *k)
{
    snt_dlist_push(&e->key_waits, &k->wait_link);
    k->waiting = true;
}

void engine_keys_release(struct snt_engine *e, struct conn_work *w)
{
    struct conn_keys *k = w->keys;
    if (!k)
        return;
    engine_keys_wait_unlink(e, k);
    for (int i = 0; i < 2; i++)
        snt_tls_decrypt_free(&k->dir[i]);
    free(k);
    w->keys = NULL;
}

void engine_quic_release(struct conn_work *w)
{
    struct conn_quic *q = w->quic;
    if (!q)
        return;
    snt_quic_crypto_free(&q->client);
    snt_quic_stream_free(&q->server_initial.crypto);
    for (int i = 0; i < 2; i++)
        snt_quic_stream_free(&q->handshake[i].crypto);
    free(q->pending);
    free(q);
    w->quic = NULL;
}

size_t engine_quic_bytes(const struct conn_work *w)
{
    const struct conn_quic *q = w->quic;
    if (!q)
        return 0;
    size_t n = sizeof *q + q->pending_cap + q->client.stream.cap + q->server_initial.crypto.cap;
    for (int i = 0; i < 2; i++)
        n += q->handshake[i].crypto.cap;
    return n;
}

/* ---- works and their memory --------------------------------------------------- */

/* Works are recycled with their buffers, up to a few: a handshake-heavy
 * capture then allocates almost nothing per connection. */
#define MAX_FREE_WORKS 64

static struct conn_work *oldest_work(const struct snt_engine *e)
{
    return SNT_DLIST_OLDEST(&e->works, struct conn_work, lru);
}

static void lru_unlink(struct snt_engine *e, struct conn_work *w)
{
    if (!w->in_lru)
        return;
    snt_dlist_unlink(&e->works, &w->lru);
    w->in_lru = false;
}

void engine_work_touch(struct snt_engine *e, struct conn_work *w)
{
    if (w->in_lru) {
        snt_dlist_touch(&e->works, &w->lru);
        return;
    }
    snt_dlist_push(&e->works, &w->lru);
    w->in_lru = true;
}

/* A work and its attempt's block, counted as one whether or not the block
 * is there (it is handed on when the attempt is written). */
#define WORK_BYTES (sizeof(struct conn_work) + sizeof(struct snt_attempt))

/* What the work holds besides its streams' buffers (those count
 * themselves as they grow). */
static size_t held_bytes(const struct conn_work *w)
{
    return WORK_BYTES + w->tls[C2S].hs_cap + w->tls[S2C].hs_cap + engine_quic_bytes(w);
}

/* The attempt's verdict collected and what it holds freed; the block stays
 * with the work, with nothing in it. */
static void attempt_release(struct snt_engine *e, struct conn_work *w)
{
    if (!w->attempt)
        return;
    engine_cert_collect(e, w->attempt);
    snt_attempt_free(w->attempt);
}

static void recount(struct snt_engine *e, struct conn_work *w)
{
    size_t now = held_bytes(w);
    e->budget.used = e->budget.used - w->counted + now;
    w->counted = now;
}

static void work_destroy(struct snt_engine *e, struct conn_work *w)
{
    lru_unlink(e, w);
    engine_keys_release(e, w);
    attempt_release(e, w);
    free(w->attempt);
    for (int i = 0; i < 2; i++) {
        snt_stream_free(&w->stream[i]);
        snt_tls_dir_free(&w->tls[i]);
    }
    engine_quic_release(w);
    e->budget.used -= w->counted;
    free(w);
}

static bool over_budget(const struct snt_engine *e, size_t need)
{
    return e->budget.used > e->budget.max || need > e->budget.max - e->budget.used;
}

void engine_work_release(struct snt_engine *e, struct conn_work *w)
{
    if (!w)
        return;
    if (e->n_free_works >= MAX_FREE_WORKS) {
        work_destroy(e, w);
        return;
    }
    lru_unlink(e, w);
    w->conn = NULL;
    engine_keys_release(e, w);
    engine_quic_release(w);
    attempt_release(e, w);
    recount(e, w);
    w->next_free = e->free_works;
    e->free_works = w;
    e->n_free_works++;
}

/* Finish the least recently active attempt other than keep's as it
 * stands: its work goes to the works kept for reuse.  false when there is
 * none to finish. */
static bool finish_oldest(struct snt_engine *e, const struct conn *keep)
{
    struct conn_work *old = oldest_work(e);
    if (!old || old->conn == keep)
        return false;
    e->stats.reassembly_memory_evictions++;
    engine_finish(e, old->conn, engine_outcome_when_dropped(e, old->conn));
    return oldest_work(e) != old; /* finishing it released it (a safeguard) */
}

/* Make room for need more bytes: the works kept for reuse go first, then
 * the least recently active attempts other than keep's are finished as
 * they stand.  false when that is not enough. */
bool engine_work_make_room(struct snt_engine *e, size_t need, const struct conn *keep)
{
    while (over_budget(e, need)) {
        if (e->free_works) {
            struct conn_work *w = e->free_works;
            e->free_works = w->next_free;
            e->n_free_works--;
            work_destroy(e, w);
        } else if (!finish_oldest(e, keep)) {
            return false;
        }
    }
    return true;
}

static struct conn_work *work_new(struct snt_engine *e)
{
    struct conn_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    for (int i = 0; i < 2; i++) {
        size_t max = i == C2S ? e->cfg.c2s_bytes : e->cfg.s2c_bytes;
        snt_stream_init(&w->stream[i], max);
        w->stream[i].budget = &e->budget;
        snt_tls_dir_init(&w->tls[i], max);
    }
    return w;
}

/* A recycled work: its buffers kept, the rest forgotten.  The streams and
 * record layers reset themselves around their buffers; only what lies
 * before and after them is cleared (the whole work is 1,144 bytes, most of
 * it theirs). */
_Static_assert(offsetof(struct conn_work, tls) ==
                   offsetof(struct conn_work, stream) + sizeof(((struct conn_work *)0)->stream),
               "the streams, then the record layers");
_Static_assert(offsetof(struct conn_work, quic) >=
                   offsetof(struct conn_work, tls) + sizeof(((struct conn_work *)0)->tls),
               "the rest after the record layers");

static struct conn_work *work_reuse(struct snt_engine *e)
{
    struct conn_work *w = e->free_works;
    e->free_works = w->next_free;
    e->n_free_works--;
    size_t counted = w->counted;
    struct snt_attempt *a = w->attempt;
    memset(w, 0, offsetof(struct conn_work, stream));
    memset(&w->quic, 0, sizeof *w - offsetof(struct conn_work, quic));
    w->counted = counted;
    w->attempt = a;
    for (int i = 0; i < 2; i++) {
        size_t max = i == C2S ? e->cfg.c2s_bytes : e->cfg.s2c_bytes;
        snt_stream_reset(&w->stream[i], max);
        snt_tls_dir_reset(&w->tls[i], max);
    }
    return w;
}

struct conn_work *engine_work_get(struct snt_engine *e, struct conn *c, bool within_budget)
{
    /* Full: the oldest attempt's work is taken over, buffers and all. */
    if (within_budget && !e->free_works && over_budget(e, WORK_BYTES) && !finish_oldest(e, c))
        return NULL;
    struct conn_work *w = e->free_works ? work_reuse(e) : work_new(e);
    if (!w)
        return NULL;
    if (!w->attempt) {
        if (!(w->attempt = malloc(sizeof *w->attempt))) {
            work_destroy(e, w); /* not in the list of open attempts yet */
            return NULL;
        }
        snt_attempt_init(w->attempt);
    }
    recount(e, w);
    w->conn = c;
    engine_work_touch(e, w);
    return w;
}

void engine_work_account(struct snt_engine *e, struct conn *c)
{
    if (!c->w)
        return;
    recount(e, c->w);
    if (over_budget(e, 0))
        engine_work_make_room(e, 0, c);
}

void engine_works_free(struct snt_engine *e)
{
    while (e->free_works) {
        struct conn_work *w = e->free_works;
        e->free_works = w->next_free;
        work_destroy(e, w);
    }
}

void engine_work_destroy(struct snt_engine *e, struct conn_work *w)
{
    work_destroy(e, w);
}
