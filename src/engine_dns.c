/* DNS in the engine: responses (UDP, and TCP connections to port 53) teach
 * the name cache which name a client resolved to which address; attempts
 * with no SNI or Host are named from it. */
#include <string.h>

#include "engine_internal.h"

#define DNS_PORT 53

/* A damaged message still teaches what it holds before the damage (the
 * question, whole records): those are as good as any record, and dropping
 * them would lose the lookup.  It is counted all the same. */
static void learn(struct snt_engine *e, const struct snt_addr *client, const uint8_t *p, size_t len,
                  uint64_t ts_usec)
{
    struct snt_dns_message m;
    enum snt_result st = snt_dns_parse_partial(p, len, &m);
    if (st != SNT_OK || m.malformed) {
        e->stats.dns_malformed++;
        e->stats.parse_errors++;
    }
    if (st != SNT_OK)
        return;
    e->stats.dns_partial += m.malformed;
    e->stats.dns_answers_dropped += m.answers_dropped;
    if (!m.response)
        return;
    e->stats.dns_responses++;
    if (e->names)
        e->stats.dns_names_learnt += snt_names_learn(e->names, client, &m, ts_usec);
    if (e->cfg.dns_response)
        e->cfg.dns_response(client, &m, ts_usec, e->emit_arg);
}

/* A UDP response from port 53: learnt, and no flow is kept for it. */
bool engine_dns_udp(struct snt_engine *e, const struct snt_packet *p, uint64_t ts_usec)
{
    if (p->sport != DNS_PORT && p->dport != DNS_PORT)
        return false;
    if (p->sport == DNS_PORT && snt_dns_plausible(p->payload, p->payload_len))
        learn(e, &p->dst, p->payload, p->payload_len, ts_usec);
    return true;
}

/* DNS over TCP: the client's first query names the attempt, as the SNI
 * names a TLS one. */
static void name_from_query(struct conn_work *w)
{
    const struct snt_stream *s = &w->stream[C2S];
    struct snt_attempt *a = w->attempt;
    struct snt_dns_message m;
    const uint8_t *msg;
    size_t len, used;
    if (a->name_source == SNT_NAME_DNS_QUERY ||
        snt_dns_tcp_frame(s->buf, s->contiguous, &msg, &len, &used) != SNT_OK ||
        snt_dns_parse_partial(msg, len, &m) != SNT_OK || m.response || !m.qname[0])
        return;
    size_t n = strlen(m.qname);
    snt_attempt_set_bytes(a, &a->name, (const uint8_t *)m.qname, n, SNT_MAX_NAME_LEN);
    snt_attempt_set_bytes(a, &a->dns_qname, (const uint8_t *)m.qname, n, SNT_MAX_NAME_LEN);
    a->name_source = SNT_NAME_DNS_QUERY;
}

/* DNS over TCP: every complete response message in the server's bytes. */
void engine_dns_stream(struct snt_engine *e, struct conn *c, int role)
{
    struct conn_work *w = c->w;
    name_from_query(w);
    if (role != S2C)
        return;
    const struct snt_stream *s = &w->stream[S2C];
    size_t at = w->dns_consumed;
    const uint8_t *msg;
    size_t len, used;
    bool answered = false;
    while (at < s->contiguous &&
           snt_dns_tcp_frame(s->buf + at, s->contiguous - at, &msg, &len, &used) == SNT_OK) {
        learn(e, &w->attempt->client, msg, len, e->now_usec);
        at += used;
        answered = true;
    }
    w->dns_consumed = at;
    if (answered)
        engine_finish(e, c, SNT_OUTCOME_ESTABLISHED);
}
