/* Scans and floods (include/snitrace/scan.h): two bounded tables, clients
 * and servers, set-associative on a keyed hash of the address, swept for
 * quiet entries four times a window.  An entry is a count; past the
 * threshold it gets a summary, which keeps the outcomes
 * and the most frequent ports and peers in a few slots (the Space-Saving
 * algorithm of Metwally, Agrawal and El Abbadi, 2005: a new value takes
 * the slot of the least counted one and inherits its count as its
 * possible error).  Records list what each was surely seen: its count
 * less that error, exact while no slot was taken over. */
#include <stdlib.h>
#include <string.h>

#include "dlist.h"
#include "secret.h"
#include "snitrace/flow.h"
#include "snitrace/limits.h"
#include "snitrace/scan.h"

#define TRACKED 8 /* slots for ports and peers per summary */

struct port_slot {
    uint16_t port;
    uint64_t count, error; /* seen at most count, at least count - error times */
};

struct peer_slot {
    struct snt_addr addr;
    uint64_t count, error;
};

struct summary {
    struct snt_dlink link; /* in the scans' list of summaries, by period start */
    struct scan_entry *entry;
    uint64_t period_usec; /* capture time its record's period began */
    struct snt_scan_record r;
    struct port_slot ports[TRACKED];
    struct peer_slot peers[TRACKED];
    unsigned n_ports, n_peers;
    bool ports_over, peers_over; /* a slot was taken over: more were seen than kept */
};

/* A client or server followed: a slot of its table. */
struct scan_entry {
    struct snt_addr addr;
    uint32_t count;      /* attempts noted since it began to be followed */
    uint32_t written;    /* of them, written as attempts since the last record */
    uint64_t last_usec;  /* capture time of the latest */
    struct summary *sum; /* past the threshold */
};

/* Set-associative: an address has WAYS slots to be in, and a tag (a
 * fingerprint of its hash, 0 for a free slot) beside each, four sets of
 * tags to a cache line: a lookup that finds nothing reads only those; when
 * all are taken, the slot with the least to lose goes. */
#define WAYS 4

struct scan_table {
    enum snt_scan_kind kind;
    struct scan_entry *slots; /* sets of WAYS; allocated at the first note */
    uint32_t *tags;           /* one per slot */
    size_t sets;              /* a power of two */
    size_t used;              /* slots in use: an empty table is not swept */
};

struct snt_scans {
    struct scan_table clients, servers;
    struct snt_dlist summaries; /* struct summary, by period start */
    unsigned threshold;
    size_t followed; /* slots per table */
    uint64_t window_usec, seed, last_sweep_usec;
    snt_scan_fn emit;
    void *arg;
    struct snt_scan_counters counters;
};

static bool table_init(struct scan_table *t, size_t max)
{
    t->sets = 1;
    while (t->sets * 2 * WAYS <= max)
        t->sets *= 2;
    t->slots = calloc(t->sets * WAYS, sizeof *t->slots);
    t->tags = calloc(t->sets * WAYS, sizeof *t->tags);
    return t->slots && t->tags;
}

/* Both tables, at the first attempt noted: a run without any costs none. */
static bool tables_ready(struct snt_scans *s)
{
    if (s->clients.tags && s->servers.tags)
        return true;
    return (s->clients.tags || table_init(&s->clients, s->followed)) &&
           (s->servers.tags || table_init(&s->servers, s->followed));
}

static void table_free(struct scan_table *t)
{
    for (size_t i = 0; t->slots && i < t->sets * WAYS; i++)
        free(t->slots[i].sum);
    free(t->slots);
    free(t->tags);
}

struct snt_scans *snt_scans_new(unsigned threshold, uint64_t window_usec, size_t followed,
                                snt_scan_fn emit, void *arg)
{
    struct snt_scans *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->threshold = threshold;
    s->window_usec = window_usec ? window_usec : SNT_DEFAULT_SCAN_WINDOW_USEC;
    s->followed = followed ? followed : SNT_SCAN_MAX_FOLLOWED;
    s->emit = emit;
    s->arg = arg;
    snt_secret_draw(&s->seed, sizeof s->seed);
    s->clients.kind = SNT_SCAN_CLIENT;
    s->servers.kind = SNT_SCAN_SERVER;
    return s;
}

void snt_scans_free(struct snt_scans *s)
{
    if (!s)
        return;
    table_free(&s->clients);
    table_free(&s->servers);
    free(s);
}

/* ---- tables ------------------------------------------------------------------ */

/* The address's two halves through the flow hash's mix, keyed: the first
 * slot of its set, and its tag. */
static size_t set_of(const struct snt_scans *s, const struct scan_table *t,
                     const struct snt_addr *a, uint32_t *tag)
{
    uint64_t w[2];
    memcpy(w, a->b, sizeof w);
    uint64_t h = snt_hash_mix64(snt_hash_mix64(s->seed ^ w[0] ^ a->family) ^ w[1]);
    *tag = (uint32_t)(h >> 32) | 1;
    return (size_t)(h & (t->sets - 1)) * WAYS; /* sets: a power of two */
}

static bool same_addr(const struct snt_addr *a, const struct snt_addr *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a->b, sizeof x);
    memcpy(y, b->b, sizeof y);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0 && a->family == b->family;
}

static struct summary *oldest_summary(const struct snt_scans *s)
{
    return SNT_DLIST_OLDEST(&s->summaries, struct summary, link);
}

/* ---- records ----------------------------------------------------------------- */

static int by_ports(const void *a, const void *b)
{
    const struct snt_scan_port *x = a, *y = b;
    if (x->attempts != y->attempts)
        return x->attempts > y->attempts ? -1 : 1;
    return (x->port > y->port) - (x->port < y->port);
}

static int by_peers(const void *a, const void *b)
{
    const struct snt_scan_peer *x = a, *y = b;
    if (x->attempts != y->attempts)
        return x->attempts > y->attempts ? -1 : 1;
    return memcmp(&x->addr, &y->addr, sizeof x->addr);
}

/* The slots as sure counts, the largest first, into the record. */
static void list_tops(struct summary *m)
{
    struct snt_scan_record *r = &m->r;
    struct snt_scan_port ports[TRACKED];
    struct snt_scan_peer peers[TRACKED];
    for (unsigned i = 0; i < m->n_ports; i++)
        ports[i] = (struct snt_scan_port){m->ports[i].port, m->ports[i].count - m->ports[i].error};
    for (unsigned i = 0; i < m->n_peers; i++) {
        peers[i].addr = m->peers[i].addr;
        peers[i].attempts = m->peers[i].count - m->peers[i].error;
    }
    qsort(ports, m->n_ports, sizeof ports[0], by_ports);
    qsort(peers, m->n_peers, sizeof peers[0], by_peers);
    r->n_ports = m->n_ports < SNT_SCAN_TOP ? m->n_ports : SNT_SCAN_TOP;
    r->n_peers = m->n_peers < SNT_SCAN_TOP ? m->n_peers : SNT_SCAN_TOP;
    memcpy(r->ports, ports, r->n_ports * sizeof r->ports[0]);
    memcpy(r->peers, peers, r->n_peers * sizeof r->peers[0]);
    r->more_ports = m->ports_over || m->n_ports > SNT_SCAN_TOP;
    r->more_peers = m->peers_over || m->n_peers > SNT_SCAN_TOP;
}

/* Write the summary's record and begin its next period afresh. */
static void write_record(struct snt_scans *s, struct scan_entry *x, bool ongoing)
{
    struct summary *m = x->sum;
    struct snt_scan_record *r = &m->r;
    list_tops(m);
    r->attempts_written = x->written;
    r->ongoing = ongoing;
    if (r->kind == SNT_SCAN_CLIENT)
        s->counters.scans++;
    else
        s->counters.floods++;
    if (s->emit)
        s->emit(r, s->arg);
    x->written = 0;
    enum snt_scan_kind kind = r->kind;
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->addr = x->addr;
    m->n_ports = m->n_peers = 0;
    m->ports_over = m->peers_over = false;
}

/* Forget an entry, writing its record if it summarised anything. */
static void entry_drop(struct snt_scans *s, struct scan_table *t, struct scan_entry *x)
{
    t->used--;
    t->tags[x - t->slots] = 0;
    if (x->sum) {
        if (x->sum->r.attempts)
            write_record(s, x, false);
        snt_dlist_unlink(&s->summaries, &x->sum->link);
        free(x->sum);
    }
    memset(x, 0, sizeof *x);
}

/* The slot to give up in a full set: one without a summary if any, and of
 * those the one quiet the longest. */
static struct scan_entry *victim(struct scan_entry *set)
{
    struct scan_entry *v = &set[0];
    for (unsigned i = 1; i < WAYS; i++) {
        struct scan_entry *x = &set[i];
        if ((v->sum && !x->sum) || (!v->sum == !x->sum && x->last_usec < v->last_usec))
            v = x;
    }
    return v;
}

/* The entry for a, or NULL; *room: where a new one would go (a free slot,
 * else the one with the least to lose), *tag its tag. */
static struct scan_entry *entry_find(const struct snt_scans *s, const struct scan_table *t,
                                     const struct snt_addr *a, struct scan_entry **room,
                                     uint32_t *tag)
{
    size_t first = set_of(s, t, a, tag);
    const uint32_t *tags = &t->tags[first];
    struct scan_entry *set = &t->slots[first], *free_slot = NULL;
    for (unsigned i = 0; i < WAYS; i++) {
        if (!tags[i])
            free_slot = free_slot ? free_slot : &set[i];
        else if (tags[i] == *tag && same_addr(&set[i].addr, a))
            return &set[i];
    }
    *room = free_slot;
    return NULL;
}

static void entry_count(struct scan_entry *x, uint64_t now)
{
    if (x->count < UINT32_MAX)
        x->count++;
    x->last_usec = now;
}

/* The entry for a, noted now: found or begun. */
static struct scan_entry *entry_for(struct snt_scans *s, struct scan_table *t,
                                    const struct snt_addr *a, uint64_t now)
{
    uint32_t tag;
    struct scan_entry *room, *x = entry_find(s, t, a, &room, &tag);
    if (!x) {
        x = room;
        if (!x) { /* a full set */
            x = victim(&t->slots[set_of(s, t, a, &tag)]);
            s->counters.table_full++;
            entry_drop(s, t, x);
        }
        t->tags[x - t->slots] = tag;
        t->used++;
        x->addr = *a;
    }
    entry_count(x, now);
    return x;
}

/* ---- summaries --------------------------------------------------------------- */

static void count_port(struct summary *m, uint16_t port)
{
    unsigned least = 0;
    for (unsigned i = 0; i < m->n_ports; i++) {
        if (m->ports[i].port == port) {
            m->ports[i].count++;
            return;
        }
        if (m->ports[i].count < m->ports[least].count)
            least = i;
    }
    if (m->n_ports < TRACKED) {
        m->ports[m->n_ports++] = (struct port_slot){port, 1, 0};
        return;
    }
    struct port_slot *p = &m->ports[least];
    *p = (struct port_slot){port, p->count + 1, p->count};
    m->ports_over = true;
}

static void count_peer(struct summary *m, const struct snt_addr *peer)
{
    unsigned least = 0;
    for (unsigned i = 0; i < m->n_peers; i++) {
        if (same_addr(&m->peers[i].addr, peer)) {
            m->peers[i].count++;
            return;
        }
        if (m->peers[i].count < m->peers[least].count)
            least = i;
    }
    if (m->n_peers < TRACKED) {
        m->peers[m->n_peers++] = (struct peer_slot){*peer, 1, 0};
        return;
    }
    struct peer_slot *p = &m->peers[least];
    *p = (struct peer_slot){*peer, p->count + 1, p->count};
    m->peers_over = true;
}

static void summarise(struct summary *m, const struct snt_scan_syn *syn)
{
    struct snt_scan_record *r = &m->r;
    if (!r->attempts || syn->ts_usec < r->first_usec)
        r->first_usec = syn->ts_usec;
    if (syn->ts_usec > r->last_usec)
        r->last_usec = syn->ts_usec;
    r->attempts++;
    switch (syn->outcome) {
    case SNT_OUTCOME_NO_ANSWER: r->no_answer++; break;
    case SNT_OUTCOME_REFUSED: r->refused++; break;
    case SNT_OUTCOME_RESET: r->reset++; break;
    default: r->incomplete++; break;
    }
    count_port(m, syn->server_port);
    count_peer(m, r->kind == SNT_SCAN_CLIENT ? &syn->server : &syn->client);
}

static struct summary *summary_for(struct snt_scans *s, struct scan_table *t, struct scan_entry *x,
                                   uint64_t now)
{
    if (x->sum)
        return x->sum;
    struct summary *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->entry = x;
    m->period_usec = now;
    m->r.kind = t->kind;
    m->r.addr = x->addr;
    x->sum = m;
    snt_dlist_push(&s->summaries, &m->link);
    return m;
}

/* The server first: once it is summarised as flooded, a client not yet
 * followed is not begun for it (spoofed sources would only push out the
 * clients worth following); its attempt goes to the server's record. */
bool snt_scans_note(struct snt_scans *s, const struct snt_scan_syn *syn, uint64_t now_usec)
{
    if (!s || !s->threshold || !tables_ready(s))
        return false;
    struct scan_entry *v = entry_for(s, &s->servers, &syn->server, now_usec), *room;
    uint32_t tag;
    struct scan_entry *c = entry_find(s, &s->clients, &syn->client, &room, &tag);
    if (c)
        entry_count(c, now_usec);
    else if (!v->sum)
        c = entry_for(s, &s->clients, &syn->client, now_usec);
    struct scan_table *t = &s->clients;
    struct scan_entry *x = c && c->count > s->threshold ? c : NULL;
    if (!x && v->count > s->threshold) {
        x = v;
        t = &s->servers;
    }
    struct summary *m = x ? summary_for(s, t, x, now_usec) : NULL;
    if (!m) {
        if (c)
            c->written++;
        v->written++;
        return false;
    }
    summarise(m, syn);
    s->counters.summarised++;
    return true;
}

/* ---- time -------------------------------------------------------------------- */

static void drop_quiet(struct snt_scans *s, struct scan_table *t, uint64_t now)
{
    for (size_t i = 0; t->used && i < t->sets * WAYS; i++) {
        struct scan_entry *x = &t->slots[i];
        if (t->tags[i] && x->last_usec + s->window_usec < now)
            entry_drop(s, t, x);
    }
}

void snt_scans_advance(struct snt_scans *s, uint64_t now_usec)
{
    if (!s || !s->threshold)
        return;
    /* The tables are swept for quiet entries four times a window. */
    if (now_usec >= s->last_sweep_usec + s->window_usec / 4) {
        s->last_sweep_usec = now_usec;
        drop_quiet(s, &s->clients, now_usec);
        drop_quiet(s, &s->servers, now_usec);
    }
    /* Going on for a window: its record so far, and a new period. */
    struct summary *m;
    while ((m = oldest_summary(s)) != NULL && m->period_usec + s->window_usec <= now_usec) {
        if (m->r.attempts)
            write_record(s, m->entry, true);
        m->period_usec = now_usec;
        snt_dlist_touch(&s->summaries, &m->link);
    }
}

void snt_scans_finish(struct snt_scans *s)
{
    if (!s || !s->threshold)
        return;
    for (struct summary *m; (m = oldest_summary(s)) != NULL;) {
        entry_drop(s, m->r.kind == SNT_SCAN_CLIENT ? &s->clients : &s->servers, m->entry);
    }
}

void snt_scans_counters(const struct snt_scans *s, struct snt_scan_counters *out)
{
    memset(out, 0, sizeof *out);
    if (s)
        *out = s->counters;
}
