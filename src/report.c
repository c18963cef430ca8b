/* The report stage's events, held in order behind a pending certificate
 * verdict (include/snitrace/report.h).
 *
 * Held events sit in a ring, each with its own copy of what it carries
 * (the DNS answer, the scan or stats record), since the engine reuses its
 * own as soon as the call returns; a finished attempt is held in the block
 * the engine gives up (an empty one goes back in its place), or copied
 * when it gives none.  The ring's first event goes
 * to its handler as soon as it may: at once, unless it is a finished
 * attempt whose verdict is still being judged.  While anything is held,
 * every new event queues behind it, so the handlers see the engine's
 * order.
 *
 * A held "attempt began" event gives its handler a stand-in attempt (the
 * client and start time: all sessions look at).  The session id it gets
 * is kept under the attempt's serial number until the finished attempt
 * comes by, which always comes later.
 *
 * Runs of "time moved" events with nothing between them are one event at
 * the latest time: sessions end in the same order either way (each pass
 * ends the least recently active sessions that are past their gap).  So
 * capture time, which moves with every packet (snt_report_time), is only
 * noted, and handed on as one such event just before whatever comes next.
 */
#include "snitrace/report.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "pool.h"

enum event_kind { EV_STARTED, EV_DNS, EV_SCAN, EV_ADVANCE, EV_STATS, EV_FINISHED };

struct event {
    enum event_kind kind;
    bool final;             /* EV_STATS */
    uint64_t ts_usec;       /* STARTED, DNS, ADVANCE, STATS */
    uint64_t serial;        /* STARTED */
    struct snt_addr client; /* STARTED, DNS */
    void *copy;             /* DNS, SCAN, STATS, FINISHED: the event's own */
    size_t bytes;           /* what copy holds, counted against the bound */
};

/* Copies up to a block's size (an attempt; a DNS answer with up to three
 * answers, a scan or stats record) live in blocks kept for reuse: most
 * are bigger than what malloc keeps per thread, and one is taken and given
 * back for nearly every connection while anything is held.  A block is
 * what the finished handler may take an attempt's copy in (and give
 * another back in): malloc'd, the size of an attempt. */
#define BLOCK_BYTES sizeof(struct snt_attempt)
#define MAX_SPARE   1024 /* blocks kept: 2.2 MB */

struct block {
    struct block *next; /* while spare */
};

/* The session a held attempt start was given, until the attempt finishes:
 * one per connection while verdicts are pending, from a pool. */
struct session_of {
    uint64_t serial, session_id;
};
#define SESSION_OF_CHUNK 256

struct snt_report {
    struct snt_report_handlers h;
    struct snt_cert_judge *certs;
    bool hold;
    struct event *ring;
    size_t mask, head, tail;      /* tail - head events held */
    size_t held_bytes, max_bytes; /* of the events' copies */
    struct snt_dns_message *dns;  /* a held DNS answer, whole again for its handler */
    uint64_t serials;             /* the last serial number given */
    struct snt_htable session_of;
    struct snt_pool session_of_pool;
    uint64_t cert_parse_errors;
    struct snt_attempt stand_in; /* for held starts */
    bool time_due;               /* capture time moved since it was last handed on */
    uint64_t time_usec;          /* to here */
    struct block *spare;         /* copies' blocks kept for reuse */
    size_t n_spare;
};

struct snt_report *snt_report_new(const struct snt_report_handlers *h, struct snt_cert_judge *certs,
                                  bool hold, size_t max_held, size_t max_bytes)
{
    struct snt_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t size = 2;
    while (size < max_held)
        size <<= 1;
    r->h = *h;
    snt_attempt_init(&r->stand_in);
    r->certs = certs;
    r->hold = hold && certs;
    r->mask = size - 1;
    snt_pool_init(&r->session_of_pool, sizeof(struct session_of), SESSION_OF_CHUNK);
    r->max_bytes = max_bytes;
    r->ring = r->hold ? calloc(size, sizeof *r->ring) : NULL;
    r->dns = r->hold ? malloc(sizeof *r->dns) : NULL;
    if ((r->hold && (!r->ring || !r->dns)) || !snt_htable_init(&r->session_of, 4)) {
        snt_report_free(r);
        return NULL;
    }
    return r;
}

static bool empty(const struct snt_report *r)
{
    return r->head == r->tail;
}

static void *take_bytes(struct snt_report *r, size_t len)
{
    if (len > BLOCK_BYTES)
        return malloc(len);
    struct block *b = r->spare;
    if (!b)
        return malloc(BLOCK_BYTES);
    r->spare = b->next;
    r->n_spare--;
    return b;
}

static void give_bytes(struct snt_report *r, void *p, size_t len)
{
    if (!p)
        return;
    if (len > BLOCK_BYTES || r->n_spare >= MAX_SPARE) {
        free(p);
        return;
    }
    struct block *b = p;
    b->next = r->spare;
    r->spare = b;
    r->n_spare++;
}

/* ---- session ids of held starts ----------------------------------------------- */

static void remember_session(struct snt_report *r, uint64_t serial, uint64_t session_id)
{
    struct session_of *s = snt_pool_get(&r->session_of_pool);
    if (!s)
        return; /* out of memory: the attempt's record goes without its session id */
    s->serial = serial;
    s->session_id = session_id;
    if (!snt_htable_insert(&r->session_of, s, snt_hash_u64(serial)))
        snt_pool_put(&r->session_of_pool, s);
}

/* The session id a's held start was given, into a. */
static void recall_session(struct snt_report *r, struct snt_attempt *a)
{
    uint32_t hash = snt_hash_u64(a->report_serial);
    size_t at = snt_htable_start(&r->session_of, hash);
    struct session_of *s;
    while ((s = snt_htable_next(&r->session_of, hash, &at))) {
        if (s->serial == a->report_serial) {
            a->session_id = s->session_id;
            snt_htable_remove(&r->session_of, s, hash);
            snt_pool_put(&r->session_of_pool, s);
            return;
        }
    }
}

/* ---- handing events on ------------------------------------------------------ */

/* block: NULL, or where a, the engine's or the report's, lives
 * (report.h). */
static void finish(struct snt_report *r, struct snt_attempt *a, struct snt_attempt **block)
{
    if (a->cert_job && !snt_cert_judge_collect(r->certs, a))
        r->cert_parse_errors++;
    if (a->report_serial)
        recall_session(r, a);
    r->h.finished(a, block, r->h.arg);
}

/* A held attempt to its handler, which may keep the copy and give another
 * block back: the block with nothing in it (or NULL) afterwards. */
static void *finish_held(struct snt_report *r, struct snt_attempt *copy)
{
    struct snt_attempt *block = copy;
    finish(r, copy, &block);
    if (block == copy)
        snt_attempt_free(copy); /* still ours: its strings go, the block stays */
    return block;
}

/* The stand-in is made once: the handler only reads its client and start
 * time and sets its session id. */
static void start_held(struct snt_report *r, const struct event *ev)
{
    struct snt_attempt *stand_in = &r->stand_in;
    stand_in->client = ev->client;
    stand_in->ts_usec = ev->ts_usec;
    stand_in->session_id = 0;
    r->h.started(stand_in, r->h.arg);
    if (stand_in->session_id)
        remember_session(r, ev->serial, stand_in->session_id);
}

/* A DNS message is mostly room it does not use: 32 answers, and 256 bytes
 * for each name in it, of which most take 20.  A held one is packed: its
 * fields and those of the answers it has, each name at its own length
 * with its NUL, one after the other (about a tenth of the message's
 * bytes with two answers).  Only the report reads it back. */
#define QNAME_AT offsetof(struct snt_dns_message, qname)
#define QTYPE_AT offsetof(struct snt_dns_message, qtype)
#define DNS_HEAD offsetof(struct snt_dns_message, answers)
#define DNS_TAIL offsetof(struct snt_dns_message, answers_dropped)
#define OWNER_AT offsetof(struct snt_dns_answer, owner)
#define ADDR_AT  offsetof(struct snt_dns_answer, addr)
#define CNAME_AT offsetof(struct snt_dns_answer, cname)

static unsigned dns_answers(const struct snt_dns_message *m)
{
    return m->n_answers < SNT_DNS_MAX_ANSWERS ? m->n_answers : SNT_DNS_MAX_ANSWERS;
}

/* A name's bytes with its NUL, within its array. */
static size_t text_size(const char *s, size_t room)
{
    return strnlen(s, room - 1) + 1;
}

static size_t packed_size(const struct snt_dns_message *m)
{
    size_t n = QNAME_AT + text_size(m->qname, sizeof m->qname) + (DNS_HEAD - QTYPE_AT) +
               (sizeof *m - DNS_TAIL);
    const struct snt_dns_answer *end = m->answers + dns_answers(m);
    for (const struct snt_dns_answer *a = m->answers; a < end; a++)
        n += OWNER_AT + text_size(a->owner, sizeof a->owner) + (CNAME_AT - ADDR_AT) +
             text_size(a->cname, sizeof a->cname);
    return n;
}

static uint8_t *put(uint8_t *c, const void *from, size_t len)
{
    memcpy(c, from, len);
    return c + len;
}

static uint8_t *put_text(uint8_t *c, const char *s, size_t room)
{
    size_t len = text_size(s, room) - 1;
    memcpy(c, s, len);
    c[len] = '\0';
    return c + len + 1;
}

static void *dns_copy(struct snt_report *r, const struct snt_dns_message *m, size_t *bytes)
{
    size_t len = packed_size(m);
    uint8_t *c = take_bytes(r, len), *at = c;
    if (!c)
        return NULL;
    const uint8_t *whole = (const uint8_t *)m;
    at = put(at, whole, QNAME_AT);
    at = put_text(at, m->qname, sizeof m->qname);
    at = put(at, whole + QTYPE_AT, DNS_HEAD - QTYPE_AT);
    const struct snt_dns_answer *end = m->answers + dns_answers(m);
    for (const struct snt_dns_answer *a = m->answers; a < end; a++) {
        at = put(at, a, OWNER_AT);
        at = put_text(at, a->owner, sizeof a->owner);
        at = put(at, (const uint8_t *)a + ADDR_AT, CNAME_AT - ADDR_AT);
        at = put_text(at, a->cname, sizeof a->cname);
    }
    put(at, whole + DNS_TAIL, sizeof *m - DNS_TAIL);
    *bytes = len;
    return c;
}

static const uint8_t *get(void *to, const uint8_t *c, size_t len)
{
    memcpy(to, c, len);
    return c + len;
}

/* A name packed by put_text into its array (room bytes): its NUL is
 * within them. */
static const uint8_t *get_text(char *to, size_t room, const uint8_t *c)
{
    size_t len = strnlen((const char *)c, room - 1);
    memcpy(to, c, len);
    to[len] = '\0';
    return c + len + 1;
}

/* The held copy whole again, in the report's one DNS message (the arrays'
 * bytes past each name's NUL are left as they were). */
static const struct snt_dns_message *dns_whole(struct snt_report *r, const uint8_t *c)
{
    struct snt_dns_message *m = r->dns;
    uint8_t *whole = (uint8_t *)m;
    c = get(whole, c, QNAME_AT);
    c = get_text(m->qname, sizeof m->qname, c);
    c = get(whole + QTYPE_AT, c, DNS_HEAD - QTYPE_AT);
    struct snt_dns_answer *end = m->answers + dns_answers(m);
    for (struct snt_dns_answer *a = m->answers; a < end; a++) {
        c = get(a, c, OWNER_AT);
        c = get_text(a->owner, sizeof a->owner, c);
        c = get((uint8_t *)a + ADDR_AT, c, CNAME_AT - ADDR_AT);
        c = get_text(a->cname, sizeof a->cname, c);
    }
    get(whole + DNS_TAIL, c, sizeof *m - DNS_TAIL);
    return m;
}

static void hand_on(struct snt_report *r, struct event *ev)
{
    switch (ev->kind) {
    case EV_STARTED: start_held(r, ev); break;
    case EV_DNS: r->h.dns(&ev->client, dns_whole(r, ev->copy), ev->ts_usec, r->h.arg); break;
    case EV_SCAN: r->h.scan(ev->copy, r->h.arg); break;
    case EV_ADVANCE: r->h.advance(ev->ts_usec, r->h.arg); break;
    case EV_STATS: r->h.stats(ev->copy, ev->ts_usec, ev->final, r->h.arg); break;
    case EV_FINISHED: ev->copy = finish_held(r, ev->copy); break;
    }
    give_bytes(r, ev->copy, ev->bytes);
    ev->copy = NULL;
    r->held_bytes -= ev->bytes;
}

static bool first_ready(const struct snt_report *r)
{
    const struct event *ev = &r->ring[r->head & r->mask];
    return ev->kind != EV_FINISHED || snt_cert_judge_ready(ev->copy);
}

static void hand_on_first(struct snt_report *r)
{
    struct event *ev = &r->ring[r->head & r->mask];
    r->head++; /* first: a handler never adds events, but stay safe if one did */
    hand_on(r, ev);
}

static void hand_on_ready(struct snt_report *r)
{
    while (!empty(r) && first_ready(r))
        hand_on_first(r);
}

/* A new event at the end of the ring, holding copy (bytes long); when the
 * ring or the bound on held bytes is full, the first events are handed on,
 * waiting for their verdicts. */
static struct event *push(struct snt_report *r, enum event_kind kind, void *copy, size_t bytes)
{
    while (!empty(r) && (r->tail - r->head > r->mask || r->held_bytes + bytes > r->max_bytes))
        hand_on_first(r);
    struct event *ev = &r->ring[r->tail++ & r->mask];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->copy = copy;
    ev->bytes = bytes;
    r->held_bytes += bytes;
    return ev;
}

static void *copy_of(struct snt_report *r, const void *p, size_t len)
{
    void *c = take_bytes(r, len);
    if (c)
        memcpy(c, p, len);
    return c;
}

/* ---- time ------------------------------------------------------------------- */

/* Time moved to now: to the handler at once, or held (one event with a
 * held advance just before it, nothing between them). */
static void advance(struct snt_report *r, uint64_t now_usec)
{
    hand_on_ready(r);
    if (empty(r)) {
        r->h.advance(now_usec, r->h.arg);
        return;
    }
    struct event *last = &r->ring[(r->tail - 1) & r->mask];
    if (last->kind == EV_ADVANCE) {
        if (now_usec > last->ts_usec)
            last->ts_usec = now_usec;
        return;
    }
    push(r, EV_ADVANCE, NULL, 0)->ts_usec = now_usec;
}

/* The capture time noted since the last event, before the next one. */
static void time_before_event(struct snt_report *r)
{
    if (!r->time_due)
        return;
    r->time_due = false;
    advance(r, r->time_usec);
}

void snt_report_time(struct snt_report *r, uint64_t ts_usec)
{
    if (!r->time_due || ts_usec > r->time_usec)
        r->time_usec = ts_usec;
    r->time_due = true;
}

void snt_report_advance(struct snt_report *r, uint64_t now_usec)
{
    time_before_event(r);
    advance(r, now_usec);
}

void snt_report_poll(struct snt_report *r)
{
    time_before_event(r);
    hand_on_ready(r);
}

void snt_report_drain(struct snt_report *r)
{
    time_before_event(r);
    while (!empty(r))
        hand_on_first(r); /* a finished attempt's verdict is waited for */
}

/* ---- the events -------------------------------------------------------------- */

void snt_report_started(struct snt_report *r, struct snt_attempt *a)
{
    time_before_event(r);
    if (empty(r)) {
        r->h.started(a, r->h.arg);
        return;
    }
    a->report_serial = ++r->serials;
    struct event *ev = push(r, EV_STARTED, NULL, 0);
    ev->client = a->client;
    ev->ts_usec = a->ts_usec;
    ev->serial = a->report_serial;
}

void snt_report_dns(struct snt_report *r, const struct snt_addr *client,
                    const struct snt_dns_message *m, uint64_t ts_usec)
{
    time_before_event(r);
    size_t bytes = 0;
    void *c = empty(r) ? NULL : dns_copy(r, m, &bytes);
    if (!c) {
        snt_report_drain(r); /* nothing held, or no memory to hold it: now */
        r->h.dns(client, m, ts_usec, r->h.arg);
        return;
    }
    struct event *ev = push(r, EV_DNS, c, bytes);
    ev->client = *client;
    ev->ts_usec = ts_usec;
}

void snt_report_scan(struct snt_report *r, const struct snt_scan_record *rec)
{
    time_before_event(r);
    void *c = empty(r) ? NULL : copy_of(r, rec, sizeof *rec);
    if (!c) {
        snt_report_drain(r);
        r->h.scan(rec, r->h.arg);
        return;
    }
    push(r, EV_SCAN, c, sizeof *rec);
}

void snt_report_stats(struct snt_report *r, const struct snt_stats *engine, uint64_t ts_usec,
                      bool final)
{
    time_before_event(r);
    void *c = empty(r) ? NULL : copy_of(r, engine, sizeof *engine);
    if (!c) {
        snt_report_drain(r);
        r->h.stats(engine, ts_usec, final, r->h.arg);
        return;
    }
    struct event *ev = push(r, EV_STATS, c, sizeof *engine);
    ev->ts_usec = ts_usec;
    ev->final = final;
}

/* An empty block for the engine in place of the one taken: one kept for
 * reuse (or malloc's), as snt_attempt_init leaves it; NULL without
 * memory. */
static struct snt_attempt *empty_block(struct snt_report *r)
{
    struct snt_attempt *b = take_bytes(r, BLOCK_BYTES);
    if (b)
        snt_attempt_init(b);
    return b;
}

/* The engine's attempt to hold: its own block when it gives it (one given
 * back in its place), else a copy; NULL without memory. */
static struct snt_attempt *held_attempt(struct snt_report *r, struct snt_attempt *a,
                                        struct snt_attempt **block)
{
    if (block && *block == a) {
        *block = empty_block(r);
        return a; /* its pending verdict comes along */
    }
    struct snt_attempt *c = take_bytes(r, sizeof *c);
    if (!c)
        return NULL;
    snt_attempt_copy(c, a);
    c->cert_job = a->cert_job; /* the verdict goes to the copy */
    a->cert_job = NULL;
    return c;
}

void snt_report_finished(struct snt_report *r, struct snt_attempt *a, struct snt_attempt **block)
{
    time_before_event(r);
    bool now = empty(r) && (!r->hold || snt_cert_judge_ready(a));
    struct snt_attempt *c = now ? NULL : held_attempt(r, a, block);
    if (!c) {
        snt_report_drain(r);
        finish(r, a, block);
        return;
    }
    push(r, EV_FINISHED, c, sizeof *c);
    hand_on_ready(r);
}

uint64_t snt_report_cert_parse_errors(const struct snt_report *r)
{
    return r->cert_parse_errors;
}

void snt_report_free(struct snt_report *r)
{
    if (!r)
        return;
    for (; !empty(r); r->head++) {
        struct event *ev = &r->ring[r->head & r->mask];
        if (ev->kind == EV_FINISHED && ev->copy) {
            struct snt_attempt *a = ev->copy;
            if (a->cert_job)
                snt_cert_judge_collect(r->certs, a); /* frees its job */
            snt_attempt_free(a);
        }
        free(ev->copy); /* a block or not, it came from malloc */
    }
    snt_htable_free(&r->session_of);
    snt_pool_free(&r->session_of_pool);
    snt_attempt_free(&r->stand_in);
    while (r->spare) {
        struct block *b = r->spare;
        r->spare = b->next;
        free(b);
    }
    free(r->dns);
    free(r->ring);
    free(r);
}
