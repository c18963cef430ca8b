/* TCP connection state for attempts (RFC 9293): SYN, SYN-ACK, RST, FIN, and
 * the hand-off of payload to per-direction reassembly. */
#include <stdlib.h>

#include "engine_internal.h"

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

static void on_syn(struct snt_engine *e, struct conn *c, const struct snt_packet *p)
{
    if (c->syn_seen)
        return; /* a retransmission */
    c->syn_seen = true;
    c->client_isn = p->seq;
    c->syn_usec = e->now_usec;
    if (c->w) {
        snt_stream_set_base(&c->w->stream[C2S], p->seq + 1);
        engine_syn_queue_push(e, c);
    }
}

static void on_synack(struct conn *c, const struct snt_packet *p)
{
    if (c->synack_seen)
        return;
    c->synack_seen = true;
    if (c->w)
        snt_stream_set_base(&c->w->stream[S2C], p->seq + 1);
}

/* The first side to close or reset, for what is inferred from it. */
static void note_end(struct conn *c, int role, bool rst)
{
    static const char *const names[2][2] = {{"client_fin", "client_rst"},
                                            {"server_fin", "server_rst"}};
    if (c->w && !c->w->ended_by)
        c->w->ended_by = names[role == S2C][rst];
}

static void on_rst(struct snt_engine *e, struct conn *c, int role)
{
    c->rst = true;
    if (!c->w)
        return;
    note_end(c, role, true);
    if (role == S2C && c->syn_seen && !c->synack_seen)
        engine_finish(e, c, SNT_OUTCOME_REFUSED);
    else if (engine_keys_defer_end(c, SNT_OUTCOME_RESET, role == C2S))
        return;
    else if (role == C2S)
        engine_app_client_gave_up(e, c, SNT_OUTCOME_RESET);
    else
        engine_finish(e, c, SNT_OUTCOME_RESET);
}

static void on_payload(struct snt_engine *e, struct conn *c, const struct snt_packet *p, int role)
{
    struct snt_stream *s = &c->w->stream[role];
    if (!s->have_base) /* picked up mid-stream: this payload is byte 0 */
        snt_stream_set_base(s, p->seq);
    bool grew = snt_stream_add(s, p->seq, p->payload, p->payload_len);
    if (role == C2S && c->w->plaintext) {
        engine_app_plaintext_segment(c, p->seq - s->base, p->payload, p->payload_len);
        grew = grew || c->w->attempt.protocol == SNT_PROTO_TLS;
    }
    if (grew)
        engine_app_stream(e, c, role);
}

static void on_fin(struct snt_engine *e, struct conn *c, int role)
{
    if (role == C2S)
        c->fin_c = true;
    else
        c->fin_s = true;
    note_end(c, role, false);
    if (engine_keys_defer_end(c, SNT_OUTCOME_CLOSED, role == C2S))
        return;
    if (c->w && role == C2S)
        engine_app_client_gave_up(e, c, SNT_OUTCOME_CLOSED);
    else if (c->w)
        engine_finish(e, c, SNT_OUTCOME_CLOSED);
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
        uint32_t hash = snt_flow_key_make(p, &key, &ndir);
        f = snt_flow_insert(e->flows, &key, hash, e->now_usec);
        if (!f || !(c = engine_conn_new(e, f, p, (uint8_t)ndir, e->now_usec)))
            return;
        role = C2S;
    }
    if (!c->w) {
        /* Attempt written: only watch for the end of the connection. */
        if ((p->tcp_flags & SNT_TCP_RST) || (c->fin_c && c->fin_s))
            engine_drop_flow(e, f);
        else if (p->tcp_flags & SNT_TCP_FIN)
            role == C2S ? (void)(c->fin_c = true) : (void)(c->fin_s = true);
        return;
    }
    if (is_syn(p) && role == C2S)
        on_syn(e, c, p);
    else if (is_synack(p) && role == S2C)
        on_synack(c, p);
    if (p->tcp_flags & SNT_TCP_RST) {
        on_rst(e, c, role);
        return;
    }
    if (p->payload_len > 0 && c->w)
        on_payload(e, c, p, role);
    if ((p->tcp_flags & SNT_TCP_FIN) && c->w)
        on_fin(e, c, role);
}
