/* Sessions: attempts grouped per client by an idle gap in capture time.
 *
 * Open sessions are found by client address; every session (open or
 * draining: its gap passed but attempts in it are still being made) by id,
 * for the attempts that finish later; both tables grow with the sessions
 * they hold.  An LRU list of open sessions on their latest attempt start
 * finds the ones whose gap has passed, and a list in id (so opening) order
 * gives the order they are written in at the end.
 *
 * A session keeps its attempts, names and lookups, strings and arrays
 * alike, in an arena that begins inside the session itself; sessions come
 * from a pool and go back to it once written, so an ordinary session
 * allocates nothing of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dlist.h"
#include "htable.h"
#include "pool.h"
#include "snitrace/format.h"
#include "snitrace/utf8.h"
#include "snitrace/session.h"
#include "snitrace/tls.h"
#include "strindex.h"

#define TABLE_MIN_BITS 8
#define POOL_CHUNK     32  /* sessions allocated at a time */
#define OWN_ARENA      512 /* bytes of arena inside each session: one of a single attempt fits */
#define FIRST_CAP      4   /* entries of an array when it first grows */

struct session {
    struct snt_session pub;  /* what is written; its id and client are the keys */
    struct snt_dlink lru;    /* open sessions, by latest attempt start */
    struct snt_dlink by_age; /* every live session, in id order */
    bool draining;           /* the gap passed: waits for its attempts, takes no new ones */
    unsigned pending;        /* attempts started, not yet written */
    unsigned cap_attempts, cap_names, cap_lookups;
    struct snt_strindex name_index; /* over pub.names */
    struct snt_arena arena;         /* everything the session keeps; begins in own_arena */
    alignas(max_align_t) unsigned char own_arena[OWN_ARENA];
};

struct snt_sessions {
    struct snt_htable by_client, by_id;
    struct snt_dlist lru;    /* open sessions, by latest attempt start */
    struct snt_dlist by_age; /* every live session, in id order */
    struct snt_pool pool;    /* sessions, live and written */
    size_t open;
    uint64_t gap_usec, next_id, written;
    snt_session_fn emit;
    void *arg;
};

struct snt_sessions *snt_sessions_new(uint64_t gap_usec, snt_session_fn emit, void *arg)
{
    struct snt_sessions *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (!snt_htable_init(&s->by_client, TABLE_MIN_BITS) ||
        !snt_htable_init(&s->by_id, TABLE_MIN_BITS)) {
        snt_htable_free(&s->by_client);
        free(s);
        return NULL;
    }
    snt_pool_init(&s->pool, sizeof(struct session), POOL_CHUNK);
    s->gap_usec = gap_usec;
    s->emit = emit;
    s->arg = arg;
    s->next_id = 1;
    return s;
}

/* ---- lists and tables ------------------------------------------------------ */

static struct session *lru_session(struct snt_dlink *l)
{
    return SNT_CONTAINER_OF(l, struct session, lru);
}

static struct session *oldest_session(const struct snt_sessions *s)
{
    return SNT_DLIST_OLDEST(&s->by_age, struct session, by_age);
}

static uint32_t client_hash(const struct snt_addr *client)
{
    return snt_hash_addr(client, 0);
}

static struct session *find_open(const struct snt_sessions *s, const struct snt_addr *client)
{
    uint32_t h = client_hash(client);
    size_t at = snt_htable_start(&s->by_client, h);
    for (struct session *x; (x = snt_htable_next(&s->by_client, h, &at));)
        if (memcmp(&x->pub.client, client, sizeof *client) == 0)
            return x;
    return NULL;
}

static struct session *find_id(const struct snt_sessions *s, uint64_t id)
{
    uint32_t h = snt_hash_u64(id);
    size_t at = snt_htable_start(&s->by_id, h);
    for (struct session *x; (x = snt_htable_next(&s->by_id, h, &at));)
        if (x->pub.id == id)
            return x;
    return NULL;
}

/* ---- life of a session ----------------------------------------------------- */

/* A session from the pool, cleared, its arena back to its own bytes. */
static struct session *session_get(struct snt_sessions *s)
{
    struct session *x = snt_pool_get(&s->pool);
    if (!x)
        return NULL;
    memset(x, 0, offsetof(struct session, arena));
    snt_arena_init_inline(&x->arena, x->own_arena, sizeof x->own_arena);
    return x;
}

static void session_put(struct snt_sessions *s, struct session *x)
{
    snt_arena_free(&x->arena);
    snt_pool_put(&s->pool, x);
}

/* No new attempts join: out of the client table and the LRU. */
static void stop_taking(struct snt_sessions *s, struct session *x)
{
    if (x->draining)
        return;
    snt_htable_remove(&s->by_client, x, client_hash(&x->pub.client));
    snt_dlist_unlink(&s->lru, &x->lru);
    s->open--;
    x->draining = true;
}

/* Write a session and recycle it. */
static void session_close(struct snt_sessions *s, struct session *x)
{
    stop_taking(s, x);
    snt_htable_remove(&s->by_id, x, snt_hash_u64(x->pub.id));
    snt_dlist_unlink(&s->by_age, &x->by_age);
    s->written++;
    if (s->emit)
        s->emit(&x->pub, s->arg);
    session_put(s, x);
}

/* The gap passed: write it now, or when its last attempt is written. */
static void session_end(struct snt_sessions *s, struct session *x)
{
    if (x->pending == 0)
        session_close(s, x);
    else
        stop_taking(s, x);
}

static struct session *session_open(struct snt_sessions *s, const struct snt_addr *client,
                                    uint64_t ts_usec)
{
    if (s->open >= SNT_SESSION_MAX_CLIENTS && s->lru.oldest)
        session_end(s, lru_session(s->lru.oldest)); /* early, but memory stays bounded */
    struct session *x = session_get(s);
    if (!x)
        return NULL;
    x->pub.id = s->next_id++;
    x->pub.client = *client;
    snt_strindex_init(&x->name_index, SNT_SESSION_MAX_NAMES, false);
    x->pub.start_usec = x->pub.end_usec = ts_usec;
    if (!snt_htable_insert(&s->by_client, x, client_hash(client))) {
        session_put(s, x);
        return NULL;
    }
    if (!snt_htable_insert(&s->by_id, x, snt_hash_u64(x->pub.id))) {
        snt_htable_remove(&s->by_client, x, client_hash(client));
        session_put(s, x);
        return NULL;
    }
    snt_dlist_push(&s->lru, &x->lru);
    snt_dlist_push(&s->by_age, &x->by_age);
    s->open++;
    return x;
}

/* The client's session for activity at ts, opened if the last one's gap
 * has passed. */
static struct session *session_for(struct snt_sessions *s, const struct snt_addr *client,
                                   uint64_t ts)
{
    struct session *x = find_open(s, client);
    if (x && ts > x->pub.end_usec + s->gap_usec) {
        session_end(s, x);
        x = NULL;
    }
    if (!x && !(x = session_open(s, client, ts)))
        return NULL;
    if (ts > x->pub.end_usec)
        x->pub.end_usec = ts;
    if (ts < x->pub.start_usec)
        x->pub.start_usec = ts;
    snt_dlist_touch(&s->lru, &x->lru);
    return x;
}

void snt_sessions_attempt_started(struct snt_sessions *s, struct snt_attempt *a)
{
    struct session *x = session_for(s, &a->client, a->ts_usec);
    if (!x)
        return;
    x->pending++;
    a->session_id = x->pub.id;
}

/* ---- what a session keeps -------------------------------------------------- */

static bool array_room(struct snt_arena *arena, void **arr, unsigned n, unsigned *cap, unsigned max,
                       size_t size)
{
    return snt_arena_array_room(arena, arr, n, cap, FIRST_CAP, max, size);
}

/* The addresses and CNAME targets of a response into the arena: the
 * addresses as they are (the sinks write them as text, on the output
 * thread when there is one), the targets joined by commas; NULL for none. */
static void lookup_answers(struct snt_arena *arena, const struct snt_dns_message *m,
                           struct snt_session_lookup *l)
{
    struct snt_addr addrs[SNT_SESSION_LOOKUP_ADDRS];
    char chain[SNT_SESSION_LOOKUP_ADDRS * (SNT_MAX_NAME_LEN + 1)];
    size_t nc = 0;
    unsigned n_addr = 0, n_cname = 0;
    for (unsigned i = 0; i < m->n_answers; i++) {
        const struct snt_dns_answer *a = &m->answers[i];
        if (a->addr_len && n_addr < SNT_SESSION_LOOKUP_ADDRS) {
            struct snt_addr *addr = &addrs[n_addr++];
            addr->family = a->addr_len == 4 ? 4 : 6;
            memset(addr->b, 0, sizeof addr->b);
            memcpy(addr->b, a->addr, a->addr_len == 4 ? 4 : 16);
        } else if (!a->addr_len && a->type == SNT_DNS_TYPE_CNAME &&
                   n_cname < SNT_SESSION_LOOKUP_ADDRS) {
            size_t len = strlen(a->cname);
            if (n_cname++)
                chain[nc++] = ',';
            memcpy(chain + nc, a->cname, len);
            nc += len;
        }
    }
    l->answers = n_addr ? snt_arena_alloc(arena, n_addr * sizeof *addrs) : NULL;
    if (l->answers) {
        memcpy(l->answers, addrs, n_addr * sizeof *addrs);
        l->n_answers = n_addr;
    }
    l->chain = n_cname ? snt_arena_memdup(arena, chain, nc) : NULL;
}

size_t snt_session_lookup_answers_text(const struct snt_session_lookup *l, char *out, size_t cap)
{
    size_t n = 0;
    for (unsigned i = 0; i < l->n_answers && n + SNT_FORMAT_ADDR_LEN + 1 <= cap; i++) {
        if (i)
            out[n++] = ',';
        n += snt_format_addr(&l->answers[i], out + n, cap - n);
    }
    if (cap)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

void snt_sessions_dns(struct snt_sessions *s, const struct snt_addr *client,
                      const struct snt_dns_message *m, uint64_t ts_usec)
{
    struct session *x = session_for(s, client, ts_usec);
    if (!x)
        return;
    x->pub.lookups_total++;
    if (!array_room(&x->arena, (void **)&x->pub.lookups, x->pub.n_lookups, &x->cap_lookups,
                    SNT_SESSION_MAX_LOOKUPS, sizeof *x->pub.lookups))
        return;
    struct snt_session_lookup *l = &x->pub.lookups[x->pub.n_lookups++];
    memset(l, 0, sizeof *l);
    l->ts_usec = ts_usec;
    l->question = snt_arena_memdup(&x->arena, m->qname, strlen(m->qname));
    l->qtype = m->qtype;
    l->rcode = m->rcode;
    l->truncated = m->truncated_flag;
    l->malformed = m->malformed;
    lookup_answers(&x->arena, m, l);
}

/* The session's copy of a readable name, added to its distinct names when
 * there is room; NULL when memory ran out. */
static char *intern_name(struct session *x, const char *c, size_t len)
{
    int known = snt_strindex_find(&x->name_index, x->pub.names, x->pub.n_names, c);
    if (known >= 0)
        return x->pub.names[known];
    char *copy = snt_arena_memdup(&x->arena, c, len);
    if (!copy || !array_room(&x->arena, (void **)&x->pub.names, x->pub.n_names, &x->cap_names,
                             SNT_SESSION_MAX_NAMES, sizeof *x->pub.names))
        return copy;
    x->pub.names[x->pub.n_names++] = copy;
    snt_strindex_added(&x->name_index, &x->arena, x->pub.names, x->pub.n_names);
    return copy;
}

/* Sessions keep names in their readable form (C strings): a NUL in a name
 * becomes U+FFFD instead of cutting it short. */
static char *add_name(struct session *x, const struct snt_bytes *name)
{
    char stack[SNT_UTF8_SANITIZED_MAX(SNT_MAX_NAME_LEN)];
    size_t need = SNT_UTF8_SANITIZED_MAX((size_t)name->len);
    char *readable = need <= sizeof stack ? stack : snt_arena_alloc(&x->arena, need);
    if (!name->len || !readable)
        return NULL;
    size_t len = snt_utf8_sanitize_into(name->p, name->len, readable);
    return intern_name(x, readable, len);
}

/* "TLS1.2", "SSL3"; NULL when not known. */
static const char *version_label(uint16_t version)
{
    const char *v = snt_tls_version_name(version);
    static const char *const labels[][2] = {
        {"ssl3", "SSL3"},  {"1.0", "TLS1.0"}, {"1.1", "TLS1.1"},
        {"1.2", "TLS1.2"}, {"1.3", "TLS1.3"},
    };
    for (size_t i = 0; v && i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(v, labels[i][0]) == 0)
            return labels[i][1];
    return NULL;
}

/* A slot for an attempt that started at ts, the entries kept in start
 * order: attempts finish in about the order they start, so this is
 * nearly always the end; equal times keep the order they finished in. */
static struct snt_session_attempt *new_entry(struct session *x, uint64_t ts)
{
    if (!array_room(&x->arena, (void **)&x->pub.attempts, x->pub.n_attempts, &x->cap_attempts,
                    SNT_SESSION_MAX_ATTEMPTS, sizeof *x->pub.attempts))
        return NULL;
    unsigned at = x->pub.n_attempts++;
    while (at > 0 && x->pub.attempts[at - 1].ts_usec > ts)
        at--;
    struct snt_session_attempt *e = &x->pub.attempts[at];
    memmove(e + 1, e, (size_t)(x->pub.n_attempts - 1 - at) * sizeof *e);
    memset(e, 0, sizeof *e);
    return e;
}

static void fill_entry(struct session *x, struct snt_session_attempt *e,
                       const struct snt_attempt *a, char *name)
{
    e->ts_usec = a->ts_usec;
    e->server = a->server;
    e->server_port = a->server_port;
    e->protocol = a->protocol;
    e->starttls = a->starttls;
    e->starttls_refused = a->starttls_refused.len > 0;
    e->name_source = a->name_source;
    e->outcome = a->outcome;
    e->problems = a->problems;
    e->name = name;
    if (a->has_cert && a->cert.info.n_subject_cn) {
        const char *cn = a->cert.info.subject_cn[0];
        e->cert_cn = snt_arena_memdup(&x->arena, cn, strlen(cn));
    }
    e->cert_source = a->cert_source;
    if (a->probe.done && a->probe.error[0])
        e->probe_error = snt_arena_memdup(&x->arena, a->probe.error, strlen(a->probe.error));
    e->version = a->has_server_hello ? version_label(a->version) : NULL;
}

uint64_t snt_sessions_attempt_note(struct snt_sessions *s, const struct snt_attempt *a)
{
    struct session *x = a->session_id ? find_id(s, a->session_id) : NULL;
    if (!x)
        return 0;
    x->pub.attempts_total++;
    if (a->problems)
        x->pub.problem_count++;
    char *name = add_name(x, &a->name);
    struct snt_session_attempt *e = new_entry(x, a->ts_usec);
    if (e)
        fill_entry(x, e, a, name);
    if (x->pending)
        x->pending--;
    return x->draining && x->pending == 0 ? x->pub.id : 0;
}

void snt_sessions_close_complete(struct snt_sessions *s, uint64_t id)
{
    struct session *x = id ? find_id(s, id) : NULL;
    if (x && x->draining && x->pending == 0)
        session_close(s, x);
}

void snt_sessions_attempt_finished(struct snt_sessions *s, const struct snt_attempt *a)
{
    snt_sessions_close_complete(s, snt_sessions_attempt_note(s, a));
}

/* ---- time and the end -------------------------------------------------------- */

void snt_sessions_advance(struct snt_sessions *s, uint64_t now_usec)
{
    struct snt_dlink *l;
    while ((l = s->lru.oldest) && lru_session(l)->pub.end_usec + s->gap_usec < now_usec)
        session_end(s, lru_session(l));
}

void snt_sessions_finish(struct snt_sessions *s)
{
    struct session *x;
    while ((x = oldest_session(s)))
        session_close(s, x);
}

void snt_sessions_free(struct snt_sessions *s)
{
    if (!s)
        return;
    struct session *x;
    while ((x = oldest_session(s))) {
        snt_dlist_unlink(&s->by_age, &x->by_age);
        snt_arena_free(&x->arena);
    }
    snt_pool_free(&s->pool);
    snt_htable_free(&s->by_client);
    snt_htable_free(&s->by_id);
    free(s);
}

uint64_t snt_sessions_written(const struct snt_sessions *s)
{
    return s->written;
}
