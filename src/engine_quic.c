/* QUIC attempts (RFC 9000, RFC 9001): the client's Initial packets give its
 * ClientHello; the server's Initial packets, protected with keys anyone can
 * derive, give the ServerHello (cipher, version); with key-log keys the
 * Handshake packets of both sides give the server's EncryptedExtensions and
 * certificate, and the client's Finished.  Without keys what is left to see
 * is how the client went on: 1-RTT packets (it accepted the handshake) or a
 * CONNECTION_CLOSE carrying a TLS alert, which clients also send in
 * Initial packets, readable by anyone (RFC 9000 section 10.2.3).
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "growbuf.h"
#include "snitrace/keylog.h"

#define TLS_ALERT_FATAL     2
#define PENDING_FIRST_BYTES 4096

static void space_init(struct quic_space *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->largest_pn = -1;
    snt_quic_stream_init(&s->crypto, max);
}

static struct conn_quic *quic_new(const struct snt_engine *e)
{
    struct conn_quic *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    snt_quic_crypto_init(&q->client);
    space_init(&q->server_initial, SNT_QUIC_MAX_CRYPTO);
    space_init(&q->handshake[C2S], e->cfg.c2s_bytes);
    space_init(&q->handshake[S2C], e->cfg.s2c_bytes);
    return q;
}

/* ---- opening packets ---------------------------------------------------------- */

static void note_length(struct quic_space *s, size_t len)
{
    if (s->n_lens < SNT_INFER_MAX_RECORDS)
        s->lens[s->n_lens++] = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
}

/* Decrypt one packet of a space and parse its frames, CRYPTO data into
 * crypto (NULL: not kept).  false when the keys do not open it. */
static bool open_packet(struct snt_engine *e, struct quic_space *s, struct snt_quic_stream *crypto,
                        const struct snt_quic_packet *pkt, struct snt_quic_frames_seen *seen)
{
    uint8_t plain[SNT_QUIC_MAX_DATAGRAM];
    size_t plain_len = 0;
    uint64_t pn = 0;
    if (snt_quic_unprotect(&s->keys, pkt->bytes.p, pkt->bytes.len, pkt->pn_offset, s->largest_pn,
                           plain, sizeof plain, &plain_len, &pn) != SNT_OK)
        return false;
    if ((int64_t)pn > s->largest_pn)
        s->largest_pn = (int64_t)pn;
    enum snt_quic_frames format = pkt->v ? pkt->v->frames : SNT_QUIC_FRAMES_IETF;
    if (snt_quic_parse_frames(crypto, format, plain, plain_len, seen) != SNT_OK)
        e->stats.parse_errors++;
    return true;
}

/* A CONNECTION_CLOSE: its TLS alert, if it carries one, goes with the
 * attempt's alerts; a client's after the server's flight turns it down. */
static void take_close(struct conn_work *w, int role, const struct snt_quic_close *cl)
{
    struct snt_attempt *a = w->attempt;
    w->quic->closed = true;
    if (!cl->tls_alert)
        return;
    bool after_certificate = a->has_cert || w->quic->server_handshake;
    if (a->n_alerts < SNT_ATTEMPT_MAX_ALERTS) {
        struct snt_attempt_alert *al = &a->alerts[a->n_alerts++];
        al->from_client = role == C2S;
        al->after_certificate = after_certificate;
        al->level = TLS_ALERT_FATAL;
        al->description = cl->alert;
    }
    if (role == C2S && after_certificate) {
        a->problems |= SNT_PROBLEM_CLIENT_REJECTED;
        a->client_rejected = a->has_cert ? "fatal alert after the certificate"
                                         : "fatal alert after the server's encrypted flight";
    }
}

/* ---- the messages the spaces carry ---------------------------------------------- */

static void server_hello(struct snt_engine *e, struct conn *c, struct snt_span body)
{
    struct conn_work *w = c->w;
    struct snt_tls_server_hello sh;
    if (w->attempt->has_server_hello)
        return;
    if (snt_tls_parse_server_hello(body.p, body.len, &sh) != SNT_OK) {
        e->stats.parse_errors++;
        return;
    }
    engine_attempt_server_hello(w->attempt, &sh);
    w->attempt->certificate_known = true;
    w->attempt->certificate_visible = false;
}

static void take_messages(struct snt_engine *e, struct conn *c, struct quic_space *s, int role,
                          bool handshake_space)
{
    struct conn_work *w = c->w;
    uint8_t type;
    struct snt_span body;
    enum snt_result r;
    while ((r = snt_quic_stream_next_message(&s->crypto, &type, &body)) == SNT_OK) {
        if (!handshake_space) {
            if (role == S2C && type == SNT_TLS_HS_SERVER_HELLO)
                server_hello(e, c, body);
            continue;
        }
        if (role == C2S) {
            if (type == SNT_TLS_HS_FINISHED)
                w->quic->client_finished = true;
            continue;
        }
        if (type != SNT_TLS_HS_FINISHED)
            engine_keys_server_message(e, w, type, body);
    }
    if (r == SNT_MALFORMED)
        e->stats.parse_errors++;
}

/* ---- keys ------------------------------------------------------------------------ */

static bool v2_labels(uint32_t version)
{
    const struct snt_quic_version *v = snt_quic_version_lookup(version);
    return v && v->v2_labels;
}

/* Handshake keys for both sides from the key log, once the cipher is
 * known; true when the server's were there. */
static bool find_keys(struct snt_engine *e, struct conn_work *w)
{
    struct conn_quic *q = w->quic;
    static const enum snt_keylog_label labels[2] = {SNT_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
                                                    SNT_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET};
    bool v2 = v2_labels(w->attempt->quic_version);
    for (int role = 0; role < 2; role++) {
        struct snt_span secret;
        struct quic_space *s = &q->handshake[role];
        s->have_keys = snt_keylog_find(e->cfg.keylog, w->client_random, labels[role], &secret) &&
                       snt_quic_packet_keys(w->attempt->cipher, v2, secret.p, secret.len, &s->keys);
    }
    return q->handshake[S2C].have_keys;
}

static void drop_held(struct conn_quic *q)
{
    free(q->pending);
    q->pending = NULL;
    q->pending_len = q->pending_cap = 0;
}

static void server_packet(struct snt_engine *e, struct conn *c, const struct snt_quic_packet *pkt);
static void client_packet(struct snt_engine *e, struct conn *c, const struct snt_quic_packet *pkt);

/* Open the Handshake packets held for the keys, in the order they came. */
static void replay_held(struct snt_engine *e, struct conn *c)
{
    struct conn_quic *q = c->w->quic;
    uint8_t *held = q->pending;
    struct snt_reader r = snt_reader_make(held, q->pending_len);
    q->pending = NULL;
    q->pending_len = q->pending_cap = 0;
    uint8_t role;
    uint16_t len;
    struct snt_reader one;
    while (c->w && snt_read_u8(&r, &role) && snt_read_u16(&r, &len) &&
           snt_read_sub(&r, len, &one)) {
        struct snt_quic_packet pkt;
        if (snt_quic_next_packet(&one, 0, &pkt) != SNT_OK)
            continue;
        if (role == S2C)
            server_packet(e, c, &pkt);
        else
            client_packet(e, c, &pkt);
    }
    free(held);
}

/* Once both hellos are whole: the keys, and what waited for them.  Live,
 * keys a browser has yet to write are waited for a little. */
static void keys_when_ready(struct snt_engine *e, struct conn *c)
{
    struct conn_work *w = c->w;
    struct conn_quic *q = w->quic;
    if (q->keys_looked || q->waiting || !w->attempt->has_server_hello || !w->has_client_random ||
        !engine_keys_may_come(e))
        return;
    if (find_keys(e, w)) {
        q->keys_looked = true;
        replay_held(e, c);
        return;
    }
    if (engine_keys_hold(e, c)) {
        q->waiting = true;
        return;
    }
    q->keys_looked = true;
    e->stats.tls_keys_missing++;
    drop_held(q);
}

static void decide(struct snt_engine *e, struct conn *c);

bool engine_quic_keys_arrived(struct snt_engine *e, struct conn *c)
{
    struct conn_quic *q = c->w->quic;
    if (!q || !find_keys(e, c->w))
        return false;
    engine_keys_release(e, c->w); /* off the wait list before anything may end it */
    q->waiting = false;
    q->keys_looked = true;
    replay_held(e, c);
    if (c->w)
        decide(e, c);
    return true;
}

void engine_quic_keys_missing(struct snt_engine *e, struct conn *c)
{
    struct conn_quic *q = c->w->quic;
    e->stats.tls_keys_missing++;
    if (!q)
        return;
    q->waiting = false;
    q->keys_looked = true;
    drop_held(q);
    decide(e, c);
}

/* The server's Initial keys derive from the client's original DCID (or
 * the one a Retry chose), with the salt of the server's version. */
static bool server_initial_keys(struct conn_quic *q, const struct snt_quic_packet *pkt)
{
    const struct snt_quic_crypto *cl = &q->client;
    struct quic_space *s = &q->server_initial;
    if (!cl->have_dcid || !pkt->v)
        return false;
    if (s->have_keys && q->server_initial_version == pkt->version &&
        q->server_initial_dcid_len == cl->dcid_len &&
        memcmp(q->server_initial_dcid, cl->dcid, cl->dcid_len) == 0)
        return true;
    s->have_keys = snt_quic_initial_keys(pkt->v, cl->dcid, cl->dcid_len, true, &s->keys);
    memcpy(q->server_initial_dcid, cl->dcid, cl->dcid_len);
    q->server_initial_dcid_len = cl->dcid_len;
    q->server_initial_version = pkt->version;
    return s->have_keys;
}

/* ---- datagrams ------------------------------------------------------------------ */

/* Could a key still open this Handshake packet, once the hellos are whole? */
static bool may_get_keys(const struct snt_engine *e, const struct conn_quic *q)
{
    return !q->keys_looked && engine_keys_may_come(e);
}

static void hold_packet(struct snt_engine *e, struct conn_quic *q, int role,
                        const struct snt_quic_packet *pkt)
{
    size_t need = q->pending_len + 3 + pkt->bytes.len;
    if (pkt->bytes.len > UINT16_MAX ||
        !snt_buf_reserve(&q->pending, &q->pending_cap, need, PENDING_FIRST_BYTES,
                         e->cfg.s2c_bytes + e->cfg.c2s_bytes)) {
        e->stats.reassembly_limit++;
        return;
    }
    uint8_t *at = q->pending + q->pending_len;
    at[0] = (uint8_t)role;
    at[1] = (uint8_t)(pkt->bytes.len >> 8);
    at[2] = (uint8_t)pkt->bytes.len;
    memcpy(at + 3, pkt->bytes.p, pkt->bytes.len);
    q->pending_len = need;
}

static void server_packet(struct snt_engine *e, struct conn *c, const struct snt_quic_packet *pkt)
{
    struct conn_work *w = c->w;
    struct conn_quic *q = w->quic;
    struct snt_quic_frames_seen seen;
    if (pkt->type == SNT_QUIC_INITIAL) {
        struct quic_space *s = &q->server_initial;
        if (!server_initial_keys(q, pkt) || !open_packet(e, s, &s->crypto, pkt, &seen))
            return;
        if (!w->attempt->quic_version)
            w->attempt->quic_version = pkt->version;
        take_messages(e, c, &q->server_initial, S2C, false);
        keys_when_ready(e, c);
        if (!c->w)
            return;
    } else if (pkt->type == SNT_QUIC_HANDSHAKE) {
        struct quic_space *s = &q->handshake[S2C];
        q->server_handshake = true;
        if (!s->have_keys && may_get_keys(e, q)) {
            hold_packet(e, q, S2C, pkt);
            return;
        }
        note_length(s, pkt->bytes.len);
        if (!s->have_keys || !open_packet(e, s, &s->crypto, pkt, &seen))
            return;
        if (!q->decrypted) {
            q->decrypted = true;
            e->stats.tls_decrypted++;
        }
        take_messages(e, c, s, S2C, true);
    } else {
        return;
    }
    if (c->w && seen.closed)
        take_close(w, S2C, &seen.close);
}

static void client_packet(struct snt_engine *e, struct conn *c, const struct snt_quic_packet *pkt)
{
    struct conn_work *w = c->w;
    struct conn_quic *q = w->quic;
    struct snt_quic_frames_seen seen = {0};
    if (pkt->type == SNT_QUIC_SHORT) {
        q->client_1rtt = true;
        return;
    }
    if (pkt->type == SNT_QUIC_INITIAL) {
        struct quic_space initial = {.keys = q->client.keys, .largest_pn = q->client.largest_pn};
        if (!q->client.have_keys || !open_packet(e, &initial, NULL, pkt, &seen))
            return;
        q->client.largest_pn = initial.largest_pn;
    } else if (pkt->type == SNT_QUIC_HANDSHAKE) {
        struct quic_space *s = &q->handshake[C2S];
        q->client_handshake = true;
        if (!s->have_keys && may_get_keys(e, q)) {
            hold_packet(e, q, C2S, pkt);
            return;
        }
        note_length(s, pkt->bytes.len);
        if (!s->have_keys || !open_packet(e, s, &s->crypto, pkt, &seen))
            return;
        take_messages(e, c, s, C2S, true);
    } else {
        return;
    }
    if (seen.closed)
        take_close(w, C2S, &seen.close);
}

/* Until its ClientHello is whole, the client's Initials are assembled by
 * the client-Initial reader (which follows Retry and version changes). */
static void client_hello(struct snt_engine *e, struct conn *c, const struct snt_packet *p)
{
    struct conn_work *w = c->w;
    struct conn_quic *q = w->quic;
    if (snt_quic_feed_client_datagram(&q->client, p->payload, p->payload_len) == SNT_MALFORMED)
        e->stats.parse_errors++;
    const uint8_t *body;
    size_t len;
    enum snt_result r = snt_quic_client_hello(&q->client, &body, &len);
    if (r == SNT_MALFORMED)
        e->stats.parse_errors++;
    if (r != SNT_OK)
        return;
    struct snt_tls_client_hello ch;
    enum snt_result hello = snt_tls_parse_client_hello_partial(body, len, &ch);
    if (hello != SNT_OK || ch.malformed)
        e->stats.parse_errors++;
    if (hello != SNT_OK)
        return;
    memcpy(w->client_random, ch.random, sizeof w->client_random);
    w->has_client_random = true;
    engine_attempt_client_hello(w->attempt, &ch, 'q');
    keys_when_ready(e, c);
}

/* RFC 9287 lets a peer clear the fixed bit of short headers too, and the
 * walk stops there.  What is left is a 1-RTT packet unless it is the zero
 * padding some stacks put after their last packet. */
static bool greased_short_header(const struct snt_reader *rest)
{
    struct snt_reader r = *rest;
    uint8_t first, b;
    if (!snt_read_u8(&r, &first) || (first & 0x80))
        return false;
    bool nonzero = first != 0;
    while (!nonzero && snt_read_u8(&r, &b))
        nonzero = b != 0;
    return nonzero;
}

static void walk_datagram(struct snt_engine *e, struct conn *c, const struct snt_packet *p,
                          int role)
{
    struct snt_reader r = snt_reader_make(p->payload, p->payload_len);
    struct snt_quic_packet pkt;
    enum snt_result walk;
    /* Short headers are only noticed, never opened: their DCID length does
     * not matter, and they run to the end of the datagram. */
    while (c->w && (walk = snt_quic_next_packet(&r, 0, &pkt)) == SNT_OK) {
        if (role == S2C)
            server_packet(e, c, &pkt);
        else
            client_packet(e, c, &pkt);
    }
    if (c->w && walk == SNT_MALFORMED)
        e->stats.parse_errors++;
    if (c->w && role == C2S && walk == SNT_NOT_MINE && greased_short_header(&r))
        c->w->quic->client_1rtt = true;
}

/* ---- decisions ------------------------------------------------------------------ */

static void copy_evidence(struct conn_work *w)
{
    struct snt_attempt_inference *in = &w->attempt->inferred;
    const struct quic_space *cs = &w->quic->handshake[C2S], *ss = &w->quic->handshake[S2C];
    in->n_client = cs->n_lens;
    in->n_server = ss->n_lens;
    memcpy(in->client_records, cs->lens, sizeof cs->lens);
    memcpy(in->server_records, ss->lens, sizeof ss->lens);
}

/* Understood once the client went on to 1-RTT data after the server's
 * flight, or someone closed the connection. */
static void decide(struct snt_engine *e, struct conn *c)
{
    struct conn_work *w = c->w;
    struct conn_quic *q = w->quic;
    struct snt_attempt *a = w->attempt;
    if (a->has_server_hello)
        w->handshake_done = true; /* as far as can be seen, it goes ahead */
    if (q->waiting)
        return; /* its keys may still come */
    if (q->closed) {
        engine_finish(e, c, SNT_OUTCOME_HANDSHAKE_FAILED);
        return;
    }
    if (!q->client_1rtt || !q->server_handshake)
        return;
    a->established = true;
    if (!a->has_cert && !q->handshake[S2C].have_keys) {
        copy_evidence(w);
        a->inferred.verdict = SNT_TLS_VERDICT_ACCEPTED;
    }
    engine_finish(e, c, SNT_OUTCOME_ESTABLISHED);
}

void engine_quic_packet(struct snt_engine *e, struct conn *c, const struct snt_packet *p, int role)
{
    struct conn_work *w = c->w;
    w->attempt->protocol = SNT_PROTO_QUIC;
    if (!w->quic && !(w->quic = quic_new(e)))
        return;
    if (role == C2S && !w->attempt->has_client_hello)
        client_hello(e, c, p);
    else
        walk_datagram(e, c, p, role);
    if (c->w)
        decide(e, c);
}
