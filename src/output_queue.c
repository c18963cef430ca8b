/* The queue sink: records go, in order, through a bounded ring to an
 * output thread that serialises and writes them with the inner sink, so
 * capture and parsing go on while a record is being written.
 *
 * Each record is copied when it is queued (the caller's stays the
 * caller's) and freed by the output thread once written; an attempt's
 * copy, the most common record, goes back to the caller's side instead, to
 * be the next one's, so no thread frees what another allocated (glibc then
 * takes the other thread's heap lock, and the threads wait on each other).
 * An attempt given (snt_sink_attempt_give: the report stage's held copies)
 * is queued as it is, and a written one's block goes back in exchange.  A full ring
 * makes the caller wait: memory stays bounded and nothing is dropped.  The
 * output thread takes records in batches, one lock per batch.  A write
 * error is kept; the caller sees it on its next call and the thread
 * drains the rest without writing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/output.h"

/* Offline, a wake-up (a futex call, and an interrupt to the other CPU of a
 * virtual machine) costs more than writing a record: the output thread
 * sleeps until 256 records are waiting and takes them all under one lock.
 * 256 rather than 64 (with 64 chains rather than 16 before the certificate
 * checks' thread is woken) took 4% off the CPU time of the mixed GB, twelve
 * runs in turn on two CPUs. */
#define BATCH   256 /* records taken per lock */
#define WAKE_AT 256 /* offline, the output thread is woken for this many records */

enum item_kind { ITEM_ATTEMPT, ITEM_SESSION, ITEM_FLAG, ITEM_SCAN, ITEM_STATS, ITEM_FLUSH };

struct item {
    enum item_kind kind;
    enum snt_flag_event event;
    bool final;
    uint64_t ts_usec;
    union {
        struct snt_attempt *attempt;
        struct snt_session *session;
        struct snt_flag *flag;
        struct snt_scan_record *scan;
        struct snt_stats *stats;
    } u;
};

/* A record's copy, written and free for the next one: an attempt's
 * (overlaid on the attempt itself) or a session's block (the header of
 * the block, cap bytes after it). */
struct spare {
    struct spare *next;
    size_t cap;
};

/* A session's copy is one block of its own size; once written it goes
 * back too, kept for a session it is large enough for.  A block larger
 * than most (a session of hundreds of attempts) is freed instead, so what
 * is kept stays small. */
#define SESSION_BLOCK_MIN  2048
#define SESSION_BLOCK_KEEP 16384

struct queue_sink {
    struct snt_sink base;
    struct snt_sink *inner;
    bool live;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full, progress;
    struct item *ring;
    size_t cap, head, count;
    uint64_t queued, written; /* items ever queued, ever done (both under lock) */
    bool closing;
    bool sleeping;          /* the output thread waits for records */
    struct spare *returned; /* written attempts' copies, back from the output thread (lock) */
    struct spare *spare;    /* the caller's, taken from `returned` */
    struct spare *returned_sessions, *spare_sessions; /* the same for sessions */
    atomic_int error; /* the inner sink's first error, for the caller to see */
};

/* ---- copies the output thread owns ------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char **dup_strings(char *const *list, size_t n)
{
    char **out = n ? calloc(n, sizeof *out) : NULL;
    for (size_t i = 0; out && i < n; i++)
        out[i] = dup_or_null(list[i]);
    return out;
}

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

/* On the caller's side: a spare copy's memory when there is one. */
static struct snt_attempt *attempt_clone(struct spare **spare, const struct snt_attempt *a)
{
    struct snt_attempt *c;
    if (*spare) {
        c = (struct snt_attempt *)(void *)*spare;
        *spare = (*spare)->next;
    } else {
        c = malloc(sizeof *c);
    }
    if (c)
        snt_attempt_copy(c, a);
    return c;
}

/* On the output thread: a written copy's strings freed, its memory kept. */
static void attempt_spare(struct snt_attempt *a, struct spare **list)
{
    snt_attempt_free(a);
    struct spare *s = (struct spare *)(void *)a;
    s->next = *list;
    *list = s;
}

static void free_spares(struct spare *s)
{
    while (s) {
        struct spare *next = s->next;
        free(s);
        s = next;
    }
}

static void attempt_drop(struct snt_attempt *a)
{
    snt_attempt_free(a);
    free(a);
}

/* ---- a session as one block: the struct, its arrays, then its strings -- */

struct block {
    char *at;
};

static size_t text_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static size_t session_size(const struct snt_session *s)
{
    size_t n = sizeof *s + s->n_attempts * sizeof *s->attempts + s->n_lookups * sizeof *s->lookups +
               s->n_names * sizeof *s->names;
    for (unsigned i = 0; i < s->n_attempts; i++)
        n += text_size(s->attempts[i].name) + text_size(s->attempts[i].cert_cn) +
             text_size(s->attempts[i].probe_error);
    for (unsigned i = 0; i < s->n_lookups; i++)
        n += text_size(s->lookups[i].question) + text_size(s->lookups[i].answers) +
             text_size(s->lookups[i].chain);
    for (unsigned i = 0; i < s->n_names; i++)
        n += text_size(s->names[i]);
    return n;
}

static void *block_take(struct block *b, size_t n)
{
    void *p = b->at;
    b->at += n;
    return p;
}

static char *block_text(struct block *b, const char *s)
{
    size_t n = text_size(s);
    return n ? memcpy(block_take(b, n), s, n) : NULL;
}

/* On the caller's side: a block of at least size bytes after its header,
 * a spare one when the first spare is large enough. */
static struct spare *session_block_take(struct spare **spare, size_t size)
{
    struct spare *b = *spare;
    if (b) {
        *spare = b->next;
        if (b->cap >= size)
            return b;
        free(b); /* the caller's own: too small for this one */
    }
    size_t cap = size < SESSION_BLOCK_MIN ? SESSION_BLOCK_MIN : size;
    b = malloc(sizeof *b + cap);
    if (b)
        b->cap = cap;
    return b;
}

static struct spare *session_block_of(struct snt_session *x)
{
    return (struct spare *)(void *)x - 1;
}

/* Arrays of structs first (every size there is a multiple of 8), strings
 * last, so nothing is misaligned. */
static struct snt_session *session_clone(struct spare **spare, const struct snt_session *s)
{
    size_t size = session_size(s);
    struct spare *blk = session_block_take(spare, size);
    if (!blk)
        return NULL;
    struct block b = {(char *)(blk + 1)};
    struct snt_session *x = block_take(&b, sizeof *x);
    *x = *s;
    x->attempts = block_take(&b, s->n_attempts * sizeof *s->attempts);
    x->lookups = block_take(&b, s->n_lookups * sizeof *s->lookups);
    x->names = block_take(&b, s->n_names * sizeof *s->names);
    for (unsigned i = 0; i < s->n_attempts; i++) {
        x->attempts[i] = s->attempts[i]; /* version: a static string */
        x->attempts[i].name = block_text(&b, s->attempts[i].name);
        x->attempts[i].cert_cn = block_text(&b, s->attempts[i].cert_cn);
        x->attempts[i].probe_error = block_text(&b, s->attempts[i].probe_error);
    }
    for (unsigned i = 0; i < s->n_lookups; i++) {
        x->lookups[i] = s->lookups[i];
        x->lookups[i].question = block_text(&b, s->lookups[i].question);
        x->lookups[i].answers = block_text(&b, s->lookups[i].answers);
        x->lookups[i].chain = block_text(&b, s->lookups[i].chain);
    }
    for (unsigned i = 0; i < s->n_names; i++)
        x->names[i] = block_text(&b, s->names[i]);
    return x;
}

static void session_drop(struct snt_session *x)
{
    if (x)
        free(session_block_of(x));
}

/* On the output thread: a written session's block kept. */
static void session_spare(struct snt_session *x, struct spare **list)
{
    struct spare *b = session_block_of(x);
    if (b->cap > SESSION_BLOCK_KEEP) {
        free(b);
        return;
    }
    b->next = *list;
    *list = b;
}

static void flag_drop(struct snt_flag *fl)
{
    if (!fl)
        return;
    snt_cert_info_free(&fl->cert);
    free_strings(fl->cert_names, fl->n_cert_names);
    free_strings(fl->asked, fl->n_asked);
    free_strings(fl->failed, fl->n_failed);
    free(fl);
}

static struct snt_flag *flag_clone(const struct snt_flag *f)
{
    struct snt_flag *fl = malloc(sizeof *fl);
    if (!fl)
        return NULL;
    *fl = *f;
    snt_cert_info_copy(&fl->cert, &f->cert);
    fl->cert_names = dup_strings(f->cert_names, f->n_cert_names);
    fl->asked = dup_strings(f->asked, f->n_asked);
    fl->failed = dup_strings(f->failed, f->n_failed);
    return fl;
}

static void item_drop(struct item *it)
{
    switch (it->kind) {
    case ITEM_ATTEMPT: attempt_drop(it->u.attempt); break;
    case ITEM_SESSION: session_drop(it->u.session); break;
    case ITEM_FLAG: flag_drop(it->u.flag); break;
    case ITEM_SCAN: free(it->u.scan); break;
    case ITEM_STATS: free(it->u.stats); break;
    case ITEM_FLUSH: break;
    }
}

/* ---- the output thread -------------------------------------------------------- */

static bool item_write(struct snt_sink *inner, const struct item *it)
{
    switch (it->kind) {
    case ITEM_ATTEMPT: return snt_sink_attempt(inner, it->u.attempt);
    case ITEM_SESSION: return snt_sink_session(inner, it->u.session);
    case ITEM_FLAG: return snt_sink_flag(inner, it->u.flag, it->event);
    case ITEM_SCAN: return snt_sink_scan(inner, it->u.scan);
    case ITEM_STATS: return snt_sink_stats(inner, it->u.stats, it->ts_usec, it->final);
    case ITEM_FLUSH: return snt_sink_flush(inner);
    }
    return true;
}

/* Up to BATCH items out of the ring; 0 when closing with nothing left. */
static size_t take_batch(struct queue_sink *q, struct item *batch)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closing) {
        q->sleeping = true;
        pthread_cond_wait(&q->not_empty, &q->lock);
        q->sleeping = false;
    }
    size_t n = 0;
    while (n < BATCH && q->count > 0) {
        batch[n++] = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    /* A caller that found the ring full sleeps until half of it is free,
     * not a batch: one wake-up per half ring instead of one per batch. */
    if (q->count <= q->cap / 2)
        pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* Every spare of from onto *to. */
static void splice(struct spare **to, struct spare *from)
{
    while (from) {
        struct spare *next = from->next;
        from->next = *to;
        *to = from;
        from = next;
    }
}

/* A batch is done, its attempts' copies given back; returns true when
 * the ring is empty now. */
static bool finish_batch(struct queue_sink *q, size_t n, struct spare *back,
                         struct spare *back_sessions)
{
    pthread_mutex_lock(&q->lock);
    splice(&q->returned, back);
    splice(&q->returned_sessions, back_sessions);
    q->written += n;
    bool empty = q->count == 0;
    pthread_cond_broadcast(&q->progress);
    pthread_mutex_unlock(&q->lock);
    return empty;
}

static void *output_thread(void *arg)
{
    struct queue_sink *q = arg;
    pthread_setname_np(pthread_self(), "snitrace-output"); /* what top -H and perf show */
    struct item batch[BATCH];
    size_t n;
    while ((n = take_batch(q, batch)) > 0) {
        struct spare *back = NULL;
        struct spare *back_sessions = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!atomic_load(&q->error) && !item_write(q->inner, &batch[i]))
                atomic_store(&q->error, q->inner->error ? q->inner->error : EIO);
            if (batch[i].kind == ITEM_ATTEMPT)
                attempt_spare(batch[i].u.attempt, &back);
            else if (batch[i].kind == ITEM_SESSION)
                session_spare(batch[i].u.session, &back_sessions);
            else
                item_drop(&batch[i]);
        }
        /* Live, people watch: what is written reaches them when the
         * output thread has nothing more to do. */
        bool empty = finish_batch(q, n, back, back_sessions);
        if (empty && q->live && !atomic_load(&q->error) && !snt_sink_flush(q->inner))
            atomic_store(&q->error, q->inner->error ? q->inner->error : EIO);
    }
    return NULL;
}

/* ---- the caller's side ---------------------------------------------------------- */

static struct queue_sink *queue_of(struct snt_sink *s)
{
    return (struct queue_sink *)s;
}

/* The output thread's first error, now the caller's to see. */
static bool healthy(struct queue_sink *q)
{
    if (!q->base.error)
        q->base.error = atomic_load(&q->error);
    return !q->base.error;
}

/* The item's copy was made (memory may have run out). */
static bool item_ready(const struct item *it)
{
    switch (it->kind) {
    case ITEM_ATTEMPT: return it->u.attempt != NULL;
    case ITEM_SESSION: return it->u.session != NULL;
    case ITEM_FLAG: return it->u.flag != NULL;
    case ITEM_SCAN: return it->u.scan != NULL;
    case ITEM_STATS: return it->u.stats != NULL;
    case ITEM_FLUSH: break;
    }
    return true;
}

/* Under the lock: wake the output thread when it sleeps and there is
 * reason to.  Offline it is left to sleep until a batch has gathered (a
 * wake-up per record costs more than writing it); live, people are
 * waiting for each record. */
static void wake(struct queue_sink *q, bool now)
{
    if (q->sleeping && (now || q->live || q->count >= WAKE_AT))
        pthread_cond_signal(&q->not_empty);
}

/* Under the lock: the caller's spares, once used up, become what the
 * output thread has given back. */
static void take_returned(struct spare **spare, struct spare **returned)
{
    if (!*spare) {
        *spare = *returned;
        *returned = NULL;
    }
}

static bool push(struct queue_sink *q, struct item it)
{
    if (!item_ready(&it)) {
        q->base.error = ENOMEM;
        return false;
    }
    if (!healthy(q)) {
        item_drop(&it);
        return false;
    }
    pthread_mutex_lock(&q->lock);
    while (q->count == q->cap) {
        wake(q, true);
        pthread_cond_wait(&q->not_full, &q->lock);
    }
    q->ring[(q->head + q->count) % q->cap] = it;
    q->count++;
    q->queued++;
    /* the copies written so far, for the next records */
    take_returned(&q->spare, &q->returned);
    take_returned(&q->spare_sessions, &q->returned_sessions);
    wake(q, it.kind == ITEM_FLUSH || it.kind == ITEM_STATS);
    pthread_mutex_unlock(&q->lock);
    return true;
}

static bool queue_attempt(struct snt_sink *s, const struct snt_attempt *a)
{
    struct queue_sink *q = queue_of(s);
    return push(q, (struct item){.kind = ITEM_ATTEMPT, .u.attempt = attempt_clone(&q->spare, a)});
}

static bool queue_attempt_give(struct snt_sink *s, struct snt_attempt **block)
{
    struct queue_sink *q = queue_of(s);
    bool ok = push(q, (struct item){.kind = ITEM_ATTEMPT, .u.attempt = *block});
    *block = NULL;
    if (q->spare) { /* push took in what the output thread gave back */
        *block = (struct snt_attempt *)(void *)q->spare;
        q->spare = q->spare->next;
    }
    return ok;
}

static bool queue_session(struct snt_sink *s, const struct snt_session *x)
{
    struct queue_sink *q = queue_of(s);
    return push(
        q, (struct item){.kind = ITEM_SESSION, .u.session = session_clone(&q->spare_sessions, x)});
}

static bool queue_flag(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev)
{
    return push(queue_of(s),
                (struct item){.kind = ITEM_FLAG, .event = ev, .u.flag = flag_clone(fl)});
}

static bool queue_scan(struct snt_sink *s, const struct snt_scan_record *r)
{
    struct snt_scan_record *copy = malloc(sizeof *copy);
    if (copy)
        *copy = *r;
    return push(queue_of(s), (struct item){.kind = ITEM_SCAN, .u.scan = copy});
}

static bool queue_stats(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec,
                        bool final)
{
    struct snt_stats *copy = malloc(sizeof *copy);
    if (copy)
        *copy = *st;
    return push(
        queue_of(s),
        (struct item){.kind = ITEM_STATS, .ts_usec = ts_usec, .final = final, .u.stats = copy});
}

/* Wait until the output thread has written (and flushed) everything
 * queued so far. */
static bool queue_flush(struct snt_sink *s)
{
    struct queue_sink *q = queue_of(s);
    if (!push(q, (struct item){.kind = ITEM_FLUSH}))
        return false;
    pthread_mutex_lock(&q->lock);
    uint64_t target = q->queued;
    while (q->written < target)
        pthread_cond_wait(&q->progress, &q->lock);
    pthread_mutex_unlock(&q->lock);
    return healthy(q);
}

/* Everything the sink holds once its thread is gone (or never ran). */
static void release(struct queue_sink *q)
{
    free_spares(q->spare);
    free_spares(q->returned);
    free_spares(q->spare_sessions);
    free_spares(q->returned_sessions);
    snt_sink_free(q->inner);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->progress);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

static void queue_destroy(struct snt_sink *s)
{
    struct queue_sink *q = queue_of(s);
    pthread_mutex_lock(&q->lock);
    q->closing = true;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    release(q);
}

static const struct snt_sink_ops queue_ops = {
    .attempt = queue_attempt,
    .attempt_give = queue_attempt_give,
    .session = queue_session,
    .flag = queue_flag,
    .scan = queue_scan,
    .stats = queue_stats,
    .flush = queue_flush,
    .destroy = queue_destroy,
};

struct snt_sink *snt_sink_queue_new(struct snt_sink *inner, size_t depth, bool live)
{
    struct queue_sink *q = inner ? calloc(1, sizeof *q) : NULL;
    if (q) {
        q->cap = depth ? depth : 1;
        q->ring = calloc(q->cap, sizeof *q->ring);
    }
    if (!q || !q->ring) {
        if (q)
            free(q->ring);
        free(q);
        snt_sink_free(inner);
        return NULL;
    }
    q->base.ops = &queue_ops;
    q->inner = inner;
    q->live = live;
    atomic_init(&q->error, 0);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    pthread_cond_init(&q->progress, NULL);
    if (pthread_create(&q->thread, NULL, output_thread, q) != 0) {
        release(q);
        return NULL;
    }
    return &q->base;
}
