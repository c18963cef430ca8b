/* Per-attempt work (struct conn_work): taken when a connection shows life,
 * recycled with its buffers when the attempt is written, and counted with
 * everything it holds (stream and TLS handshake buffers, QUIC state)
 * against one reassembly memory budget.  When the budget runs out, the
 * least recently active attempts are finished as they stand to make room. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* Works are recycled with their buffers, up to a few: a handshake-heavy
 * capture then allocates almost nothing per connection. */
#define MAX_FREE_WORKS 64

static void lru_unlink(struct snt_engine *e, struct conn_work *w)
{
    if (!w->in_lru)
        return;
    if (w->newer)
        w->newer->older = w->older;
    else
        e->works_newest = w->older;
    if (w->older)
        w->older->newer = w->newer;
    else
        e->works_oldest = w->newer;
    w->older = w->newer = NULL;
    w->in_lru = false;
}

void engine_work_touch(struct snt_engine *e, struct conn_work *w)
{
    if (e->works_newest == w)
        return;
    lru_unlink(e, w);
    w->in_lru = true;
    w->older = e->works_newest;
    w->newer = NULL;
    if (e->works_newest)
        e->works_newest->newer = w;
    e->works_newest = w;
    if (!e->works_oldest)
        e->works_oldest = w;
}

/* What the work holds besides its streams' buffers (those count
 * themselves as they grow). */
static size_t held_bytes(const struct conn_work *w)
{
    return sizeof *w + w->tls[C2S].hs_cap + w->tls[S2C].hs_cap + engine_quic_bytes(w);
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
    engine_cert_collect(e, &w->attempt);
    snt_attempt_free(&w->attempt);
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
    engine_cert_collect(e, &w->attempt);
    snt_attempt_free(&w->attempt);
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
    struct conn_work *old = e->works_oldest;
    if (!old || old->conn == keep)
        return false;
    e->stats.reassembly_memory_evictions++;
    engine_finish(e, old->conn, engine_outcome_when_dropped(e, old->conn));
    return e->works_oldest != old; /* finishing it released it (a safeguard) */
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

/* A recycled work: its buffers kept, the rest forgotten. */
static struct conn_work *work_reuse(struct snt_engine *e)
{
    struct conn_work *w = e->free_works;
    e->free_works = w->next_free;
    e->n_free_works--;
    struct snt_stream streams[2] = {w->stream[C2S], w->stream[S2C]};
    struct snt_tls_dir tls[2] = {w->tls[C2S], w->tls[S2C]};
    size_t counted = w->counted;
    memset(w, 0, sizeof *w);
    w->counted = counted;
    for (int i = 0; i < 2; i++) {
        size_t max = i == C2S ? e->cfg.c2s_bytes : e->cfg.s2c_bytes;
        w->stream[i] = streams[i];
        w->tls[i] = tls[i];
        snt_stream_reset(&w->stream[i], max);
        snt_tls_dir_reset(&w->tls[i], max);
    }
    return w;
}

struct conn_work *engine_work_get(struct snt_engine *e, struct conn *c, bool within_budget)
{
    /* Full: the oldest attempt's work is taken over, buffers and all. */
    if (within_budget && !e->free_works && over_budget(e, sizeof(struct conn_work)) &&
        !finish_oldest(e, c))
        return NULL;
    struct conn_work *w = e->free_works ? work_reuse(e) : work_new(e);
    if (!w)
        return NULL;
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
