/* Engine lifecycle: per-packet dispatch from decode to the flow table, the
 * capture-time clock with its timeouts, and writing finished attempts. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "snitrace/decode.h"
#include "snitrace/limits.h"

#define USEC                1000000ULL
#define SWEEP_INTERVAL_USEC USEC

void snt_engine_config_default(struct snt_engine_config *c)
{
    c->max_flows = SNT_DEFAULT_MAX_FLOWS;
    c->c2s_bytes = SNT_DEFAULT_C2S_BYTES;
    c->s2c_bytes = SNT_DEFAULT_S2C_BYTES;
    c->syn_timeout_usec = 10 * USEC;
    c->tcp_idle_usec = 300 * USEC;
    c->udp_idle_usec = 60 * USEC;
    c->reassembly_bytes = SNT_DEFAULT_REASSEMBLY_BYTES;
    c->scan_threshold = SNT_DEFAULT_SCAN_THRESHOLD;
    c->scan_window_usec = SNT_DEFAULT_SCAN_WINDOW_USEC;
}

static void evict_flow(struct snt_flow *f, void *arg)
{
    struct snt_engine *e = arg;
    engine_drop_flow(e, f);
}

struct snt_engine *snt_engine_new(const struct snt_engine_config *c, snt_attempt_fn emit, void *arg)
{
    struct snt_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = *c;
    e->budget.max = c->reassembly_bytes ? c->reassembly_bytes : SNT_DEFAULT_REASSEMBLY_BYTES;
    e->emit = emit;
    e->emit_arg = arg;
    e->flows = snt_flow_table_new(c->max_flows, sizeof(struct conn), evict_flow, e);
    e->names = snt_names_new(0);
    unsigned threshold = c->scan_record ? c->scan_threshold : 0;
    uint64_t window = c->scan_window_usec ? c->scan_window_usec : SNT_DEFAULT_SCAN_WINDOW_USEC;
    e->scans = snt_scans_new(threshold, window, c->scan_followed, c->scan_record, arg);
    if (!e->flows || !e->names || !e->scans) {
        snt_flow_table_free(e->flows);
        snt_names_free(e->names);
        snt_scans_free(e->scans);
        free(e);
        return NULL;
    }
    return e;
}

static void syn_queue_unlink(struct snt_engine *e, struct conn *c)
{
    if (!c->in_syn_queue)
        return;
    if (c->syn_newer)
        c->syn_newer->syn_older = c->syn_older;
    else
        e->syn_newest = c->syn_older;
    if (c->syn_older)
        c->syn_older->syn_newer = c->syn_newer;
    else
        e->syn_oldest = c->syn_newer;
    c->syn_older = c->syn_newer = NULL;
    c->in_syn_queue = false;
}

void engine_syn_queue_push(struct snt_engine *e, struct conn *c)
{
    if (c->in_syn_queue)
        return;
    c->syn_older = e->syn_newest;
    c->syn_newer = NULL;
    if (e->syn_newest)
        e->syn_newest->syn_newer = c;
    e->syn_newest = c;
    if (!e->syn_oldest)
        e->syn_oldest = c;
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
    syn_queue_unlink(e, c);
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
    struct snt_attempt *a = &c->w->attempt;
    engine_dns_fallback_name(a);
    engine_keys_finishing(e, c->w);
    engine_tls13_conclude(c->w);
    engine_cert_collect(e, a);
    a->outcome = outcome;
    a->end_usec = e->now_usec;
    for (int i = 0; i < 2; i++)
        if (c->w->stream[i].hit_limit)
            e->stats.reassembly_limit++;
    if (a->name.truncated || a->sni.truncated)
        e->stats.name_truncations++;
    e->stats.attempts++;
    if (e->emit)
        e->emit(a, e->emit_arg);
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
        syn_queue_unlink(e, c);
    }
    f->user = NULL;
    snt_flow_remove(e->flows, f);
}

void snt_engine_free(struct snt_engine *e)
{
    if (!e)
        return;
    struct snt_flow *f;
    while ((f = snt_flow_oldest(e->flows)) != NULL) {
        struct conn *c = f->user;
        if (c) {
            if (c->w)
                engine_work_destroy(e, c->w);
            c->w = NULL;
            syn_queue_unlink(e, c);
        }
        snt_flow_remove(e->flows, f);
    }
    engine_works_free(e);
    snt_flow_table_free(e->flows);
    snt_names_free(e->names);
    snt_scans_free(e->scans);
    free(e);
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
    struct snt_attempt *a = &w->attempt;
    snt_attempt_init(a);
    snt_starttls_init(&w->starttls);
    a->ts_usec = c->flow->first_usec;
    a->transport = c->proto;
    fill_endpoints(a, c->flow, c->client_side);
    w->ended_by = engine_end_name(c->ended);
    set_stream_bases(c);
    engine_dns_name_attempt(e, a);
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

/* A flow starts at a TCP SYN (or SYN-ACK, or a recognisable first payload)
 * or a UDP datagram carrying a QUIC Initial; anything else is not tracked. */
static struct snt_flow *flow_for_packet(struct snt_engine *e, const struct snt_packet *p,
                                        uint64_t ts_usec, int *dir)
{
    struct snt_flow_key key;
    uint32_t hash = snt_flow_key_make(p, &key, dir);
    struct snt_flow *f = snt_flow_lookup(e->flows, &key, hash);
    if (f)
        return f;
    bool starts = p->proto == SNT_IPPROTO_TCP
                      ? engine_tcp_starts_flow(p)
                      : snt_quic_sniff_initial(p->payload, p->payload_len) == SNT_OK;
    if (!starts)
        return NULL;
    f = snt_flow_insert(e->flows, &key, hash, ts_usec);
    if (!f)
        return NULL;
    /* The client is the SYN's sender, the SYN-ACK's receiver, or the sender
     * of the first recognised payload. */
    bool synack = (p->tcp_flags & (SNT_TCP_SYN | SNT_TCP_ACK)) == (SNT_TCP_SYN | SNT_TCP_ACK);
    uint8_t client_side = (uint8_t)(synack ? !*dir : *dir);
    if (!engine_conn_new(e, f, p, client_side)) {
        snt_flow_remove(e->flows, f);
        return NULL;
    }
    return f;
}

static void count_decode_status(struct snt_engine *e, enum snt_decode_status st)
{
    switch (st) {
    case SNT_DECODE_NOT_IP: e->stats.non_ip++; break;
    case SNT_DECODE_TRUNCATED: e->stats.truncated++; break;
    case SNT_DECODE_MALFORMED:
    case SNT_DECODE_UNSUPPORTED: e->stats.decode_errors++; break;
    case SNT_DECODE_TOO_DEEP:
        e->stats.decode_errors++;
        e->stats.decode_too_deep++;
        break;
    default: break;
    }
}

void snt_engine_packet(struct snt_engine *e, uint64_t ts_usec, int linktype, const uint8_t *frame,
                       size_t caplen, size_t wirelen)
{
    e->stats.packets++;
    e->stats.bytes += wirelen;
    if (caplen < wirelen)
        e->stats.truncated++;
    snt_engine_advance(e, ts_usec);
    struct snt_packet p;
    enum snt_decode_status st = snt_decode(linktype, frame, caplen, &p);
    if (st != SNT_DECODE_OK) {
        count_decode_status(e, st);
        return;
    }
    if (p.proto == SNT_IPPROTO_UDP && engine_dns_udp(e, &p, ts_usec))
        return;
    int dir;
    struct snt_flow *f = flow_for_packet(e, &p, ts_usec, &dir);
    if (!f)
        return;
    snt_flow_touch(e->flows, f, ts_usec);
    struct conn *c = f->user;
    if (p.proto == SNT_IPPROTO_TCP) {
        engine_tcp_packet(e, f, &p, dir);
    } else if (c->w) {
        engine_work_touch(e, c->w);
        engine_quic_packet(e, c, &p, dir == c->client_side ? C2S : S2C);
        engine_work_account(e, c);
    }
}

static void expire_unanswered_syns(struct snt_engine *e)
{
    while (e->syn_oldest && e->syn_oldest->syn_usec + e->cfg.syn_timeout_usec <= e->now_usec) {
        struct conn *c = e->syn_oldest;
        syn_queue_unlink(e, c);
        if (!c->synack_seen && !c->written)
            engine_finish(e, c, SNT_OUTCOME_NO_ANSWER);
    }
}

static void expire_idle_flows(struct snt_engine *e)
{
    struct snt_flow *f;
    while ((f = snt_flow_oldest(e->flows)) != NULL) {
        const struct conn *c = f->user;
        uint64_t idle =
            c && c->proto == SNT_IPPROTO_UDP ? e->cfg.udp_idle_usec : e->cfg.tcp_idle_usec;
        if (f->last_usec + idle > e->now_usec)
            break;
        engine_drop_flow(e, f);
    }
}

void snt_engine_advance(struct snt_engine *e, uint64_t now_usec)
{
    if (now_usec <= e->now_usec)
        return; /* capture time never runs backwards for timeouts */
    e->now_usec = now_usec;
    if (now_usec - e->last_sweep_usec < SWEEP_INTERVAL_USEC)
        return;
    e->last_sweep_usec = now_usec;
    engine_keys_expire(e);
    expire_unanswered_syns(e);
    expire_idle_flows(e);
    snt_scans_advance(e->scans, now_usec);
}

void snt_engine_finish(struct snt_engine *e)
{
    struct snt_flow *f;
    /* Oldest first, so attempts come out in the order they began to idle. */
    while ((f = snt_flow_oldest(e->flows)) != NULL) {
        engine_drop_flow(e, f);
    }
    snt_scans_finish(e->scans);
    e->stats.evictions = snt_flow_evictions(e->flows);
}

uint64_t snt_engine_now(const struct snt_engine *e)
{
    return e->now_usec;
}

struct snt_stats *snt_engine_stats(struct snt_engine *e)
{
    e->stats.evictions = snt_flow_evictions(e->flows);
    e->stats.dns_names_evicted = snt_names_evictions(e->names);
    struct snt_scan_counters sc;
    snt_scans_counters(e->scans, &sc);
    e->stats.attempts_summarised = sc.summarised;
    e->stats.scans = sc.scans;
    e->stats.floods = sc.floods;
    e->stats.scan_table_full = sc.table_full;
    return &e->stats;
}
