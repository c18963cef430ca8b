/* Sessions: attempts grouped per client by an idle gap in capture time.
 *
 * Open sessions are found by client address; every session (open or
 * draining: its gap passed but attempts in it are still being made) by id,
 * for the attempts that finish later.  An LRU list of open sessions on their
 * latest attempt start finds the ones whose gap has passed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/session.h"
#include "snitrace/tls.h"

#define BUCKETS 65536

struct snt_sessions {
    struct snt_session *by_client[BUCKETS];
    struct snt_session *by_id[BUCKETS];
    struct snt_session *newest, *oldest; /* open sessions, by latest attempt start */
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
    s->gap_usec = gap_usec;
    s->emit = emit;
    s->arg = arg;
    s->next_id = 1;
    return s;
}

static uint32_t client_bucket(const struct snt_addr *a)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof a->b; i++)
        h = (h ^ a->b[i]) * 16777619u;
    return h % BUCKETS;
}

static uint32_t id_bucket(uint64_t id)
{
    return (uint32_t)(id % BUCKETS);
}

static void lru_unlink(struct snt_sessions *s, struct snt_session *x)
{
    if (x->newer)
        x->newer->older = x->older;
    else
        s->newest = x->older;
    if (x->older)
        x->older->newer = x->newer;
    else
        s->oldest = x->newer;
    x->older = x->newer = NULL;
}

static void lru_push(struct snt_sessions *s, struct snt_session *x)
{
    x->older = s->newest;
    x->newer = NULL;
    if (s->newest)
        s->newest->newer = x;
    s->newest = x;
    if (!s->oldest)
        s->oldest = x;
}

/* No new attempts join: out of the client table and the LRU. */
static void stop_taking(struct snt_sessions *s, struct snt_session *x)
{
    if (x->draining)
        return;
    struct snt_session **pp = &s->by_client[client_bucket(&x->client)];
    while (*pp && *pp != x)
        pp = &(*pp)->next_by_client;
    if (*pp)
        *pp = x->next_by_client;
    lru_unlink(s, x);
    s->open--;
    x->draining = true;
}

static void session_destroy(struct snt_session *x)
{
    for (unsigned i = 0; i < x->n_attempts; i++) {
        free(x->attempts[i].name);
        free(x->attempts[i].cert_cn);
        free(x->attempts[i].probe_error);
        free(x->attempts[i].version);
    }
    for (unsigned i = 0; i < x->n_names; i++)
        free(x->names[i]);
    for (unsigned i = 0; i < x->n_lookups; i++) {
        free(x->lookups[i].question);
        free(x->lookups[i].answers);
        free(x->lookups[i].chain);
    }
    free(x->lookups);
    free(x->attempts);
    free(x->names);
    free(x);
}

static int by_time(const void *a, const void *b)
{
    const struct snt_session_attempt *x = a, *y = b;
    return x->ts_usec < y->ts_usec ? -1 : x->ts_usec > y->ts_usec;
}

/* Write a session and forget it. */
static void session_close(struct snt_sessions *s, struct snt_session *x)
{
    stop_taking(s, x);
    struct snt_session **pp = &s->by_id[id_bucket(x->id)];
    while (*pp && *pp != x)
        pp = &(*pp)->next_by_id;
    if (*pp)
        *pp = x->next_by_id;
    if (x->n_attempts > 1) /* a session of DNS lookups only has none */
        qsort(x->attempts, x->n_attempts, sizeof x->attempts[0], by_time);
    s->written++;
    if (s->emit)
        s->emit(x, s->arg);
    session_destroy(x);
}

/* The gap passed: write it now, or when its last attempt is written. */
static void session_end(struct snt_sessions *s, struct snt_session *x)
{
    if (x->pending == 0)
        session_close(s, x);
    else
        stop_taking(s, x);
}

static struct snt_session *find_open(struct snt_sessions *s, const struct snt_addr *client)
{
    for (struct snt_session *x = s->by_client[client_bucket(client)]; x; x = x->next_by_client)
        if (memcmp(&x->client, client, sizeof *client) == 0)
            return x;
    return NULL;
}

static struct snt_session *find_id(struct snt_sessions *s, uint64_t id)
{
    for (struct snt_session *x = s->by_id[id_bucket(id)]; x; x = x->next_by_id)
        if (x->id == id)
            return x;
    return NULL;
}

static struct snt_session *session_open(struct snt_sessions *s, const struct snt_addr *client,
                                        uint64_t ts_usec)
{
    if (s->open >= SNT_SESSION_MAX_CLIENTS && s->oldest)
        session_end(s, s->oldest); /* early, but memory stays bounded */
    struct snt_session *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->id = s->next_id++;
    x->client = *client;
    x->start_usec = x->end_usec = ts_usec;
    uint32_t h = client_bucket(client);
    x->next_by_client = s->by_client[h];
    s->by_client[h] = x;
    h = id_bucket(x->id);
    x->next_by_id = s->by_id[h];
    s->by_id[h] = x;
    lru_push(s, x);
    s->open++;
    return x;
}

/* The client's session for activity at ts, opened if the last one's gap
 * has passed. */
static struct snt_session *session_for(struct snt_sessions *s, const struct snt_addr *client,
                                       uint64_t ts)
{
    struct snt_session *x = find_open(s, client);
    if (x && ts > x->end_usec + s->gap_usec) {
        session_end(s, x);
        x = NULL;
    }
    if (!x && !(x = session_open(s, client, ts)))
        return NULL;
    if (ts > x->end_usec)
        x->end_usec = ts;
    if (ts < x->start_usec)
        x->start_usec = ts;
    lru_unlink(s, x);
    lru_push(s, x);
    return x;
}

void snt_sessions_attempt_started(struct snt_sessions *s, struct snt_attempt *a)
{
    struct snt_session *x = session_for(s, &a->client, a->ts_usec);
    if (!x)
        return;
    x->pending++;
    a->session_id = x->id;
}

/* "a,b,c" of the strings, or NULL for none. */
static char *join(const char *const *list, unsigned n)
{
    size_t len = 1;
    if (!n)
        return NULL;
    for (unsigned i = 0; i < n; i++)
        len += strlen(list[i]) + 1;
    char *out = malloc(len), *at = out;
    for (unsigned i = 0; out && i < n; i++)
        at += sprintf(at, "%s%s", i ? "," : "", list[i]);
    return out;
}

static void lookup_addresses(const struct snt_dns_message *m, struct snt_session_lookup *l)
{
    char text[8][64];
    const char *addrs[8], *chain[8];
    unsigned n = 0, c = 0;
    for (unsigned i = 0; i < m->n_answers; i++) {
        const struct snt_dns_answer *a = &m->answers[i];
        if (a->addr_len && n < 8) {
            inet_ntop(a->addr_len == 4 ? AF_INET : AF_INET6, a->addr, text[n], sizeof text[n]);
            addrs[n] = text[n];
            n++;
        } else if (a->type == SNT_DNS_TYPE_CNAME && c < 8) {
            chain[c++] = a->cname;
        }
    }
    l->answers = join(addrs, n);
    l->chain = join(chain, c);
}

static struct snt_session_lookup *new_lookup(struct snt_session *x)
{
    x->lookups_total++;
    if (x->n_lookups >= SNT_SESSION_MAX_LOOKUPS)
        return NULL;
    if (x->n_lookups == x->cap_lookups) {
        unsigned cap = x->cap_lookups ? x->cap_lookups * 2 : 8;
        struct snt_session_lookup *nl = realloc(x->lookups, cap * sizeof *nl);
        if (!nl)
            return NULL;
        x->lookups = nl;
        x->cap_lookups = cap;
    }
    struct snt_session_lookup *l = &x->lookups[x->n_lookups++];
    memset(l, 0, sizeof *l);
    return l;
}

void snt_sessions_dns(struct snt_sessions *s, const struct snt_addr *client,
                      const struct snt_dns_message *m, uint64_t ts_usec)
{
    struct snt_session *x = session_for(s, client, ts_usec);
    struct snt_session_lookup *l = x ? new_lookup(x) : NULL;
    if (!l)
        return;
    l->ts_usec = ts_usec;
    l->question = strdup(m->qname);
    l->qtype = m->qtype;
    l->rcode = m->rcode;
    l->truncated = m->truncated_flag;
    l->malformed = m->malformed;
    lookup_addresses(m, l);
}

/* Sessions keep names in their readable form (C strings): a NUL in a name
 * becomes U+FFFD instead of cutting it short. */
static void add_name(struct snt_session *x, const struct snt_bytes *name)
{
    if (!name->len || x->n_names >= SNT_SESSION_MAX_NAMES)
        return;
    char *c = snt_bytes_readable(name);
    if (!c)
        return;
    for (unsigned i = 0; i < x->n_names; i++)
        if (strcmp(x->names[i], c) == 0) {
            free(c);
            return;
        }
    if (x->n_names == x->cap_names) {
        unsigned cap = x->cap_names ? x->cap_names * 2 : 2;
        char **nn = realloc(x->names, cap * sizeof *nn);
        if (!nn) {
            free(c);
            return;
        }
        x->names = nn;
        x->cap_names = cap;
    }
    x->names[x->n_names++] = c;
}

static struct snt_session_attempt *new_entry(struct snt_session *x)
{
    if (x->n_attempts >= SNT_SESSION_MAX_ATTEMPTS)
        return NULL;
    if (x->n_attempts == x->cap_attempts) {
        unsigned cap = x->cap_attempts ? x->cap_attempts * 2 : 2;
        struct snt_session_attempt *na = realloc(x->attempts, cap * sizeof *na);
        if (!na)
            return NULL;
        x->attempts = na;
        x->cap_attempts = cap;
    }
    struct snt_session_attempt *e = &x->attempts[x->n_attempts++];
    memset(e, 0, sizeof *e);
    return e;
}

static void fill_entry(struct snt_session_attempt *e, const struct snt_attempt *a)
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
    e->name = snt_bytes_readable(&a->name);
    if (a->has_cert && a->cert.info.n_subject_cn)
        e->cert_cn = strdup(a->cert.info.subject_cn[0]);
    e->cert_source = a->cert_source;
    if (a->probe.done && a->probe.error[0])
        e->probe_error = strdup(a->probe.error);
    const char *v = a->has_server_hello ? snt_tls_version_name(a->version) : NULL;
    if (v) {
        char buf[16];
        bool ssl3 = strcmp(v, "ssl3") == 0;
        snprintf(buf, sizeof buf, "%s%s", ssl3 ? "" : "TLS", ssl3 ? "SSL3" : v);
        e->version = strdup(buf);
    }
}

void snt_sessions_attempt_finished(struct snt_sessions *s, const struct snt_attempt *a)
{
    struct snt_session *x = a->session_id ? find_id(s, a->session_id) : NULL;
    if (!x)
        return;
    x->attempts_total++;
    if (a->problems)
        x->problem_count++;
    struct snt_session_attempt *e = new_entry(x);
    if (e)
        fill_entry(e, a);
    add_name(x, &a->name);
    if (x->pending)
        x->pending--;
    if (x->draining && x->pending == 0)
        session_close(s, x);
}

void snt_sessions_advance(struct snt_sessions *s, uint64_t now_usec)
{
    while (s->oldest && s->oldest->end_usec + s->gap_usec < now_usec)
        session_end(s, s->oldest);
}

void snt_sessions_finish(struct snt_sessions *s)
{
    for (size_t b = 0; b < BUCKETS; b++)
        while (s->by_id[b])
            session_close(s, s->by_id[b]);
}

void snt_sessions_free(struct snt_sessions *s)
{
    if (!s)
        return;
    for (size_t b = 0; b < BUCKETS; b++) {
        struct snt_session *x = s->by_id[b];
        while (x) {
            struct snt_session *next = x->next_by_id;
            session_destroy(x);
            x = next;
        }
    }
    free(s);
}

uint64_t snt_sessions_written(const struct snt_sessions *s)
{
    return s->written;
}
