/* TCP connection state for attempts (RFC 9293): SYN, SYN-ACK, RST, FIN, and
 * the hand-off of payload to per-direction reassembly.
 *
 * A connection stays embryonic (struct conn only, no work) until it shows
 * life: the client acknowledges a SYN-ACK, or payload comes.  A server that
 * answers one SYN with SYN-ACKs of different initial sequence numbers has
 * the one the client acknowledges followed.  A RST is believed only near
 * the sequence numbers its sender was seen to use (RFC 5961 section 3.2). */
#include <stdlib.h>

#include "engine_internal.h"

/* How far from the sequence number expected next a RST may be and still be
 * believed.  RFC 5961 asks for the receive window; a passive observer sees
 * neither the window scale nor every segment, so it allows 1 MiB either
 * side, as wide as a young connection's window gets.  A forged RST with a
 * random sequence number falls in it once in 2,048 tries. */
#define RST_WINDOW (1u << 20)

static bool is_syn(const struct snt_packet *p)
{
    return (p->tcp_flags & (SNT_TCP_SYN | SNT_TCP_ACK)) == SNT_TCP_SYN;
}

static bool is_synack(const struct snt_packet *p)
{
    return (p->tcp_flags & (SNT_TCP_SYN | SNT_TCP_ACK)) == (SNT_TCP_SYN | SNT_TCP_ACK);
}

bool engine_tcp_starts_flow(const struct snt_packet *p)
{
    if (p->tcp_flags & SNT_TCP_RST)
        return false;
    if (p->tcp_flags & SNT_TCP_SYN)
        return true;
    return p->payload_len > 0 && engine_app_recognised_start(p->payload, p->payload_len);
}

/* A new SYN with another ISN on a known 5-tuple: the port was reused. */
static bool is_new_connection(const struct conn *c, const struct snt_packet *p, int role)
{
    return role == C2S && is_syn(p) && c->syn_seen && p->seq != c->client_isn;
}

/* a is at or after b in sequence space (RFC 9293 section 3.4). */
static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

static void expect_seq(struct conn *c, int role, uint32_t seq)
{
    if (!c->seq_known[role] || seq_after(seq, c->next_seq[role]))
        c->next_seq[role] = seq;
    c->seq_known[role] = true;
}

/* What each side will send next: after its own segments, and as far as the
 * other side acknowledges. */
static void note_seq(struct conn *c, const struct snt_packet *p, int role)
{
    uint32_t len = (uint32_t)p->payload_wire_len;
    len += (p->tcp_flags & SNT_TCP_SYN) ? 1 : 0;
    len += (p->tcp_flags & SNT_TCP_FIN) ? 1 : 0;
    expect_seq(c, role, p->seq + len);
    if (p->tcp_flags & SNT_TCP_ACK)
        expect_seq(c, !role, p->ack);
}

static bool near(uint32_t seq, uint32_t expected)
{
    return seq - expected <= RST_WINDOW || expected - seq <= RST_WINDOW;
}

/* RFC 5961 section 3.2, for a passive observer.  Before any SYN-ACK (the
 * client in SYN-SENT) a server's RST counts when it acknowledges the SYN,
 * as RFC 9293 says; after it, any RST near what its sender was to send
 * next.  A sender never seen cannot be checked: believed. */
static bool rst_believable(const struct conn *c, const struct snt_packet *p, int role)
{
    if (role == S2C && !c->synack_seen && !c->seq_known[S2C])
        return !(p->tcp_flags & SNT_TCP_ACK) || !c->syn_seen || p->ack == c->client_isn + 1;
    if (!c->seq_known[role] || near(p->seq, c->next_seq[role]))
        return true;
    for (unsigned i = 0; role == S2C && i < c->n_server_isn; i++)
        if (near(p->seq, c->server_isn[i] + 1))
            return true;
    return false;
}

static void on_syn(struct snt_engine *e, struct conn *c, const struct snt_packet *p)
{
    if (c->syn_seen)
        return; /* a retransmission */
    c->syn_seen = true;
    c->client_isn = p->seq;
    c->syn_usec = e->now_usec;
    if (c->w)
        snt_stream_set_base(&c->w->stream[C2S], p->seq + 1);
    engine_syn_queue_push(e, c);
}

/* Every SYN-ACK's ISN is remembered (a few): which one the server's stream
 * follows is for the client's acknowledgement to say. */
static void on_synack(struct snt_engine *e, struct conn *c, const struct snt_packet *p)
{
    c->synack_seen = true;
    for (unsigned i = 0; i < c->n_server_isn; i++)
        if (c->server_isn[i] == p->seq)
            return; /* a retransmission */
    if (c->n_server_isn == SNT_MAX_SYNACK_ISNS) {
        e->stats.synack_isns_dropped++;
        return;
    }
    c->server_isn[c->n_server_isn++] = p->seq;
    if (c->w && !c->w->stream[S2C].have_base)
        snt_stream_set_base(&c->w->stream[S2C], p->seq + 1);
}

/* The SYN-ACK this packet confirms: the one the client acknowledges, or
 * whose ISN + 1 the server's first data starts at.  Decided once the
 * server's stream has bytes. */
static void follow_synack(struct snt_engine *e, struct conn *c, const struct snt_packet *p,
                          int role)
{
    if (c->n_server_isn < 2)
        return;
    struct snt_stream *s = c->w ? &c->w->stream[S2C] : NULL;
    if (s && (s->contiguous || snt_stream_has_gap(s)))
        return;
    uint32_t next;
    if (role == C2S && (p->tcp_flags & SNT_TCP_ACK))
        next = p->ack;
    else if (role == S2C && p->payload_len && !(p->tcp_flags & SNT_TCP_SYN))
        next = p->seq;
    else
        return;
    for (uint8_t i = 0; i < c->n_server_isn; i++) {
        if (c->server_isn[i] + 1 != next || i == c->server_isn_chosen)
            continue;
        c->server_isn_chosen = i;
        e->stats.synack_isn_switches++;
        if (s)
            snt_stream_set_base(s, next);
    }
}

/* Life: payload, a FIN, or the client's ACK that completes the handshake. */
static bool shows_life(const struct snt_packet *p, int role)
{
    if (p->tcp_flags & (SNT_TCP_RST | SNT_TCP_SYN))
        return p->payload_len > 0 && !(p->tcp_flags & SNT_TCP_RST);
    if (p->payload_len > 0 || (p->tcp_flags & SNT_TCP_FIN))
        return true;
    return role == C2S && (p->tcp_flags & SNT_TCP_ACK);
}

/* The first side to close or reset, for what is inferred from it. */
static void note_end(struct conn *c, int role, bool rst)
{
    if (!c->ended)
        c->ended = (uint8_t)(role == C2S ? (rst ? END_CLIENT_RST : END_CLIENT_FIN)
                                         : (rst ? END_SERVER_RST : END_SERVER_FIN));
    if (c->w && !c->w->ended_by)
        c->w->ended_by = engine_end_name(c->ended);
}

static void on_rst(struct snt_engine *e, struct conn *c, int role)
{
    c->rst = true;
    note_end(c, role, true);
    if (role == S2C && c->syn_seen && !c->synack_seen)
        engine_finish(e, c, SNT_OUTCOME_REFUSED);
    else if (!c->w)
        engine_finish(e, c, SNT_OUTCOME_RESET);
    else if (engine_keys_defer_end(c, SNT_OUTCOME_RESET, role == C2S))
        return;
    else if (role == C2S)
        engine_app_client_gave_up(e, c, SNT_OUTCOME_RESET);
    else
        engine_finish(e, c, SNT_OUTCOME_RESET);
}

/* The segment into its stream; when the reassembly memory is spent, older
 * attempts are finished to make room, and failing that the stream stops
 * collecting. */
static bool add_segment(struct snt_engine *e, struct conn *c, struct snt_stream *s,
                        const struct snt_packet *p)
{
    bool grew = snt_stream_add(s, p->seq, p->payload, p->payload_len);
    if (!s->memory_wanted)
        return grew;
    if (engine_work_make_room(e, s->memory_wanted, c))
        grew = snt_stream_add(s, p->seq, p->payload, p->payload_len);
    if (s->memory_wanted && !s->hit_limit) {
        s->hit_limit = true;
        e->stats.reassembly_memory_full++;
    }
    return grew;
}

static void on_payload(struct snt_engine *e, struct conn *c, const struct snt_packet *p, int role)
{
    struct snt_stream *s = &c->w->stream[role];
    if (!s->have_base) /* picked up mid-stream: this payload is byte 0 */
        snt_stream_set_base(s, p->seq);
    bool grew = add_segment(e, c, s, p);
    if (role == C2S && c->w->plaintext) {
        engine_app_plaintext_segment(c, p->seq - s->base, p->payload, p->payload_len);
        grew = grew || c->w->attempt->protocol == SNT_PROTO_TLS;
    }
    if (grew)
        engine_app_stream(e, c, role);
    engine_work_account(e, c);
}

static void on_fin(struct snt_engine *e, struct conn *c, int role)
{
    if (role == C2S)
        c->fin_c = true;
    else
        c->fin_s = true;
    note_end(c, role, false);
    if (!c->w)
        engine_finish(e, c, SNT_OUTCOME_CLOSED);
    else if (engine_keys_defer_end(c, SNT_OUTCOME_CLOSED, role == C2S))
        return;
    else if (role == C2S)
        engine_app_client_gave_up(e, c, SNT_OUTCOME_CLOSED);
    else
        engine_finish(e, c, SNT_OUTCOME_CLOSED);
}

/* Attempt written: only watch for the end of the connection. */
static void after_attempt(struct snt_engine *e, struct snt_flow *f, struct conn *c,
                          const struct snt_packet *p, int role)
{
    if ((p->tcp_flags & SNT_TCP_RST) || (c->fin_c && c->fin_s))
        engine_drop_flow(e, f);
    else if (p->tcp_flags & SNT_TCP_FIN)
        role == C2S ? (void)(c->fin_c = true) : (void)(c->fin_s = true);
}

void engine_tcp_packet(struct snt_engine *e, struct snt_flow *f, const struct snt_packet *p,
                       int dir)
{
    struct conn *c = f->user;
    int role = dir == c->client_side ? C2S : S2C;
    if (is_new_connection(c, p, role)) {
        engine_drop_flow(e, f);
        int ndir;
        struct snt_flow_key key;
        uint32_t hash = snt_flow_key_make(e->flows, p, &key, &ndir);
        f = snt_flow_insert(e->flows, &key, hash, e->now_usec);
        if (!f || !(c = engine_conn_new(e, f, p, (uint8_t)ndir)))
            return;
        role = C2S;
    }
    if (c->written) {
        after_attempt(e, f, c, p, role);
        return;
    }
    if ((p->tcp_flags & SNT_TCP_RST) && !rst_believable(c, p, role)) {
        e->stats.rst_ignored++;
        return;
    }
    if (is_syn(p) && role == C2S)
        on_syn(e, c, p);
    else if (is_synack(p) && role == S2C)
        on_synack(e, c, p);
    note_seq(c, p, role);
    follow_synack(e, c, p, role);
    if (!c->w && shows_life(p, role)) {
        c->alive = true;
        engine_conn_begin(e, c, true);
    }
    if (c->w)
        engine_work_touch(e, c->w);
    if (p->tcp_flags & SNT_TCP_RST) {
        on_rst(e, c, role);
        return;
    }
    if (p->payload_len > 0 && c->w)
        on_payload(e, c, p, role);
    if ((p->tcp_flags & SNT_TCP_FIN) && !c->written)
        on_fin(e, c, role);
}
