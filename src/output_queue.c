/* The queue sink: records go, in order, through a bounded ring to an
 * output thread that serialises and writes them with the inner sink, so
 * capture and parsing go on while a record is being written.
 *
 * Each record is copied when it is queued (the caller's stays the
 * caller's), and the copy's memory goes back to the caller's side once
 * written, to be a later record's: no thread frees what another allocated
 * (glibc then takes the other thread's heap lock, and the threads wait on
 * each other), but for the rare attempt whose text outgrew its own area.
 * An attempt's copy, the most common record, is a block the size of an
 * attempt; any other record's is one block holding the record, its arrays
 * and its strings.  An attempt given (snt_sink_attempt_give: the report
 * stage's held copies) is queued as it is, and a written one's block goes
 * back in exchange.  A full ring makes the caller wait: memory stays
 * bounded and nothing is dropped.  The output thread takes records in
 * batches, one lock per batch.  A write error is kept; the caller sees it
 * on its next call and the thread drains the rest without writing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/output.h"
#include "thread.h"

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
 * (overlaid on the attempt itself) or another record's block (the header
 * of the block, cap bytes after it). */
struct spare {
    struct spare *next;
    size_t cap;
};

/* A session's, a flag's, a scan's or a stats record's copy is one block
 * of at least its own size; once written it goes back, to be the copy of
 * a later record it is large enough for.  A block larger than most (a
 * session of hundreds of attempts) is freed when it comes back instead, so
 * what is kept stays small. */
#define BLOCK_MIN  2048
#define BLOCK_KEEP 16384

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
    struct spare *returned_blocks, *spare_blocks; /* the same for other records' blocks */
    atomic_int error; /* the inner sink's first error, for the caller to see */
};

/* ---- attempts' copies -------------------------------------------------------- */

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

/* ---- other records' copies: one block each, arrays first, strings last ---- */

struct block {
    char *at;
};

static size_t text_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* A list of strings: its pointers and their characters. */
static size_t list_size(char *const *list, size_t n)
{
    size_t size = n * sizeof *list;
    for (size_t i = 0; i < n; i++)
        size += text_size(list[i]);
    return size;
}

static size_t session_size(const struct snt_session *s)
{
    size_t n = sizeof *s + s->n_attempts * sizeof *s->attempts + s->n_lookups * sizeof *s->lookups +
               list_size(s->names, s->n_names);
    for (unsigned i = 0; i < s->n_attempts; i++)
        n += text_size(s->attempts[i].name) + text_size(s->attempts[i].cert_cn) +
             text_size(s->attempts[i].probe_error);
    for (unsigned i = 0; i < s->n_lookups; i++)
        n += text_size(s->lookups[i].question) +
             s->lookups[i].n_answers * sizeof *s->lookups[i].answers +
             text_size(s->lookups[i].chain);
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

/* Room for n pointers; NULL for none. */
static char **block_slots(struct block *b, size_t n)
{
    return n ? block_take(b, n * sizeof(char *)) : NULL;
}

static void block_texts(struct block *b, char **slots, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        slots[i] = block_text(b, list[i]);
}

/* On the caller's side: a block of at least size bytes after its header,
 * the first spare one when it is large enough and not too large to keep.
 * A spare passed over is freed, by the thread that allocated it. */
static struct spare *block_get(struct spare **spare, size_t size)
{
    struct spare *b = *spare;
    if (b) {
        *spare = b->next;
        if (b->cap >= size && b->cap <= BLOCK_KEEP)
            return b;
        free(b);
    }
    size_t cap = size < BLOCK_MIN ? BLOCK_MIN : size;
    b = malloc(sizeof *b + cap);
    if (b)
        b->cap = cap;
    return b;
}

/* The block a record's copy begins. */
static struct spare *block_of(void *record)
{
    return (struct spare *)record - 1;
}

/* On the output thread: a written record's block, back to the caller. */
static void block_spare(void *record, struct spare **list)
{
    struct spare *b = block_of(record);
    b->next = *list;
    *list = b;
}

static void block_drop(void *record)
{
    if (record)
        free(block_of(record));
}

/* Arrays of structs first (every size there is a multiple of 8), then
 * addresses and strings (bytes), so nothing is misaligned. */
static struct snt_session *session_clone(struct spare **spare, const struct snt_session *s)
{
    size_t size = session_size(s);
    struct spare *blk = block_get(spare, size);
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
    block_texts(&b, x->names, s->names, s->n_names);
    for (unsigned i = 0; i < s->n_lookups; i++) {
        const struct snt_session_lookup *l = &s->lookups[i];
        struct snt_session_lookup *c = &x->lookups[i];
        *c = *l;
        c->question = block_text(&b, l->question);
        c->answers = l->n_answers ? block_take(&b, l->n_answers * sizeof *l->answers) : NULL;
        if (c->answers)
            memcpy(c->answers, l->answers, l->n_answers * sizeof *l->answers);
        c->chain = block_text(&b, l->chain);
    }
    return x;
}

/* ---- a flag as one block: the struct, its three lists, their strings ---- */

static size_t flag_size(const struct snt_flag *f)
{
    return sizeof *f + list_size(f->cert_names, f->n_cert_names) + list_size(f->asked, f->n_asked) +
           list_size(f->failed, f->n_failed);
}

/* The certificate's strings are shared (a reference is taken), the names
 * copied: the flag goes on gaining names while its copy is written. */
static struct snt_flag *flag_clone(struct spare **spare, const struct snt_flag *f)
{
    struct spare *blk = block_get(spare, flag_size(f));
    if (!blk)
        return NULL;
    struct block b = {(char *)(blk + 1)};
    struct snt_flag *fl = block_take(&b, sizeof *fl);
    *fl = *f;
    fl->cert_names = block_slots(&b, f->n_cert_names);
    fl->asked = block_slots(&b, f->n_asked);
    fl->failed = block_slots(&b, f->n_failed);
    block_texts(&b, fl->cert_names, f->cert_names, f->n_cert_names);
    block_texts(&b, fl->asked, f->asked, f->n_asked);
    block_texts(&b, fl->failed, f->failed, f->n_failed);
    snt_cert_info_copy(&fl->cert, &f->cert);
    return fl;
}

/* A written flag's reference to its certificate's strings goes. */
static void flag_release(struct snt_flag *fl)
{
    snt_cert_info_free(&fl->cert);
}

static void flag_drop(struct snt_flag *fl)
{
    if (!fl)
        return;
    flag_release(fl);
    block_drop(fl);
}

/* A copy of a record of fixed size (a scan or stats record) in a block. */
static void *fixed_clone(struct spare **spare, const void *record, size_t size)
{
    struct spare *blk = block_get(spare, size);
    return blk ? memcpy(blk + 1, record, size) : NULL;
}

static void item_drop(struct item *it)
{
    switch (it->kind) {
    case ITEM_ATTEMPT: attempt_drop(it->u.attempt); break;
    case ITEM_SESSION: block_drop(it->u.session); break;
    case ITEM_FLAG: flag_drop(it->u.flag); break;
    case ITEM_SCAN: block_drop(it->u.scan); break;
    case ITEM_STATS: block_drop(it->u.stats); break;
    case ITEM_FLUSH: break;
    }
}

/* ---- the output thread -------------------------------------------------------- */

/* On the output thread: a written item's memory, back to the caller's
 * side (attempts to back, blocks to back_blocks). */
static void item_spare(struct item *it, struct spare **back, struct spare **back_blocks)
{
    switch (it->kind) {
    case ITEM_ATTEMPT: attempt_spare(it->u.attempt, back); break;
    case ITEM_SESSION: block_spare(it->u.session, back_blocks); break;
    case ITEM_FLAG:
        flag_release(it->u.flag);
        block_spare(it->u.flag, back_blocks);
        break;
    case ITEM_SCAN: block_spare(it->u.scan, back_blocks); break;
    case ITEM_STATS: block_spare(it->u.stats, back_blocks); break;
    case ITEM_FLUSH: break;
    }
}

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
                         struct spare *back_blocks)
{
    pthread_mutex_lock(&q->lock);
    splice(&q->returned, back);
    splice(&q->returned_blocks, back_blocks);
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
        struct spare *back_blocks = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!atomic_load(&q->error) && !item_write(q->inner, &batch[i]))
                atomic_store(&q->error, q->inner->error ? q->inner->error : EIO);
            item_spare(&batch[i], &back, &back_blocks);
        }
        /* Live, people watch: what is written reaches them when the
         * output thread has nothing more to do. */
        bool empty = finish_batch(q, n, back, back_blocks);
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
    take_returned(&q->spare_blocks, &q->returned_blocks);
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
        q, (struct item){.kind = ITEM_SESSION, .u.session = session_clone(&q->spare_blocks, x)});
}

static bool queue_flag(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev)
{
    struct queue_sink *q = queue_of(s);
    return push(q, (struct item){
                       .kind = ITEM_FLAG, .event = ev, .u.flag = flag_clone(&q->spare_blocks, fl)});
}

static bool queue_scan(struct snt_sink *s, const struct snt_scan_record *r)
{
    struct queue_sink *q = queue_of(s);
    return push(
        q, (struct item){.kind = ITEM_SCAN, .u.scan = fixed_clone(&q->spare_blocks, r, sizeof *r)});
}

static bool queue_stats(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec,
                        bool final)
{
    struct queue_sink *q = queue_of(s);
    return push(q, (struct item){.kind = ITEM_STATS,
                                 .ts_usec = ts_usec,
                                 .final = final,
                                 .u.stats = fixed_clone(&q->spare_blocks, st, sizeof *st)});
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
    free_spares(q->spare_blocks);
    free_spares(q->returned_blocks);
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
    if (snt_thread_start(&q->thread, output_thread, q) != 0) {
        release(q);
        return NULL;
    }
    return &q->base;
}
