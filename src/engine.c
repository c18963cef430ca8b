/* The engine's dispatcher, its top layer: each frame is decoded and handed
 * to DNS (UDP), TCP or QUIC by its flow; the capture-time clock finishes
 * what timed out; key-log keys that arrive late go to the connections that
 * waited for them.  It calls down into the transports (engine_tcp.c,
 * engine_quic.c, engine_dns.c), the application parsers (engine_app.c), the
 * key-log code (engine_keys.c) and the connections' lifecycle
 * (engine_conn.c); nothing below calls up into it. */
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
            engine_syn_queue_unlink(e, c);
        }
        snt_flow_remove(e->flows, f);
    }
    engine_works_free(e);
    snt_flow_table_free(e->flows);
    snt_names_free(e->names);
    snt_scans_free(e->scans);
    free(e);
}

/* A flow starts at a TCP SYN (or SYN-ACK, or a recognisable first payload)
 * or a UDP datagram carrying a QUIC Initial; anything else is not tracked. */
static struct snt_flow *flow_for_packet(struct snt_engine *e, const struct snt_packet *p,
                                        uint64_t ts_usec, int *dir)
{
    struct snt_flow_key key;
    uint32_t hash = snt_flow_key_make(e->flows, p, &key, dir);
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

/* Handshakes held for key-log keys that did not come in time. */
static struct conn_keys *oldest_key_wait(const struct snt_engine *e)
{
    return SNT_DLIST_OLDEST(&e->key_waits, struct conn_keys, wait_link);
}

static void expire_key_waits(struct snt_engine *e)
{
    for (struct conn_keys *k; (k = oldest_key_wait(e)) && k->wait_until_usec <= e->now_usec;) {
        struct conn *c = k->conn;
        if (c->w->attempt->protocol != SNT_PROTO_QUIC) {
            engine_app_keys_missing(e, c);
            continue;
        }
        engine_keys_release(e, c->w);
        engine_quic_keys_missing(e, c);
    }
}

/* New keys in the store: the connections waiting for theirs look again
 * (QUIC keeps its own keys: the list only tells it when to look). */
void snt_engine_keys_arrived(struct snt_engine *e)
{
    struct snt_dlink *l = e->key_waits.oldest, *next;
    for (; l; l = next) {
        next = l->newer;
        struct conn *c = SNT_CONTAINER_OF(l, struct conn_keys, wait_link)->conn;
        if (c->w->attempt->protocol == SNT_PROTO_QUIC) {
            if (engine_quic_keys_arrived(e, c))
                e->stats.tls_keys_late++;
        } else if (engine_keys_look_up_again(e, c)) {
            engine_app_keys_came(e, c);
        }
    }
}

static struct conn *oldest_syn(const struct snt_engine *e)
{
    return SNT_DLIST_OLDEST(&e->syns, struct conn, syn_link);
}

static void expire_unanswered_syns(struct snt_engine *e)
{
    for (struct conn *c;
         (c = oldest_syn(e)) && c->syn_usec + e->cfg.syn_timeout_usec <= e->now_usec;) {
        engine_syn_queue_unlink(e, c);
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
    expire_key_waits(e);
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
