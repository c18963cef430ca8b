/* Application layer for attempts: recognise what the client speaks (TLS,
 * HTTP, QUIC) from its first bytes, run the parsers over the reassembled
 * stream and fill the attempt record; decide when the handshake is
 * understood. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "snitrace/http.h"

#define MAX_URI_LEN     2048
#define TLS_ALERT_FATAL 2

/* Bytes that start a ClientHello record (or an SSLv2-format hello). */
static bool is_client_hello_start(const uint8_t *p, size_t len)
{
    if (snt_tls_sniff(p, len) != SNT_OK)
        return false;
    struct snt_reader r = snt_reader_make(p, len);
    uint8_t content_type = 0, hs_type = 0;
    /* An SSLv2 hello has no handshake-type byte at offset 5. */
    if (!snt_peek_u8(&r, 0, &content_type) || content_type != SNT_TLS_CT_HANDSHAKE)
        return true;
    return snt_peek_u8(&r, 5, &hs_type) && hs_type == SNT_TLS_HS_CLIENT_HELLO;
}

bool engine_app_recognised_start(const uint8_t *p, size_t len)
{
    return is_client_hello_start(p, len) || snt_http_sniff(p, len) == SNT_OK;
}

static void client_hello_message(struct snt_engine *e, struct conn_work *w, struct snt_span body)
{
    struct snt_tls_client_hello ch;
    if (snt_tls_parse_client_hello_partial(body.p, body.len, &ch) != SNT_OK) {
        e->stats.parse_errors++;
        return;
    }
    if (ch.malformed)
        e->stats.parse_errors++;
    ch.record_version = w->tls[C2S].record_version;
    if (!w->has_client_random) {
        memcpy(w->client_random, ch.random, sizeof w->client_random);
        w->has_client_random = true;
    }
    engine_attempt_client_hello(w->attempt, &ch, 't');
}

static void server_hello_message(struct snt_engine *e, struct conn *c, struct snt_span body)
{
    struct conn_work *w = c->w;
    struct snt_tls_server_hello sh;
    if (snt_tls_parse_server_hello(body.p, body.len, &sh) != SNT_OK) {
        e->stats.parse_errors++;
        return;
    }
    engine_attempt_server_hello(w->attempt, &sh);
    if (!w->attempt->has_server_hello)
        return; /* a HelloRetryRequest */
    memcpy(w->server_random, sh.random, sizeof w->server_random);
    engine_keys_server_hello(e, c);
}

static void tls_message(struct snt_engine *e, struct conn *c, int role, uint8_t type,
                        struct snt_span body)
{
    struct conn_work *w = c->w;
    if (role == C2S && type == SNT_TLS_HS_CLIENT_HELLO)
        client_hello_message(e, w, body);
    else if (role == S2C && type == SNT_TLS_HS_SERVER_HELLO && !w->attempt->has_server_hello)
        server_hello_message(e, c, body);
    else if (role == S2C && type == SNT_TLS_HS_CERTIFICATE && w->attempt->has_server_hello)
        engine_attempt_certificate(e, w, body, SNT_CERT_SOURCE_WIRE);
}

/* ECH's "retry with these keys" (draft-ietf-tls-esni section 11.2) is no
 * verdict on the certificate. */
#define TLS_ALERT_ECH_REQUIRED 121

#define TLS_ALERT_CLOSE_NOTIFY 0

/* Application data from the client, as far as can be told: decrypted, or
 * in TLS 1.2 the records after its Finished. */
static bool client_sent_data(const struct conn_work *w)
{
    if (w->keys && w->keys->active && engine_is_tls13(w->attempt))
        return w->keys->client_data;
    return w->tls[C2S].saw_app_data;
}

/* The server's certificate went by: seen, or inside a TLS 1.3 server's
 * encrypted flight. */
static bool saw_certificate(const struct conn_work *w)
{
    const struct snt_attempt *a = w->attempt;
    return a->has_cert || (engine_is_tls13(a) && !a->resumed && w->tls[S2C].n_protected > 0);
}

/* How a client turns down a certificate it saw, in its alerts: a fatal
 * one, or, once the handshake is done, close_notify before any data (a
 * client that checks the name after the handshake, as curl does). */
static const char *rejection(const struct conn_work *w, const struct snt_tls_alert *al)
{
    if (al->level == TLS_ALERT_FATAL && al->description != TLS_ALERT_ECH_REQUIRED)
        return w->attempt->has_cert ? "fatal alert after the certificate"
                                    : "fatal alert after the server's encrypted flight";
    if (al->description == TLS_ALERT_CLOSE_NOTIFY && w->handshake_done && !client_sent_data(w))
        return "closed right after the handshake, before sending data";
    return NULL;
}

/* Copy alerts a record layer found since last time into the attempt; true
 * when one of them is fatal. */
static bool take_alerts_from(struct conn_work *w, int role, const struct snt_tls_dir *d,
                             unsigned *taken)
{
    if (*taken == d->n_alerts)
        return false; /* nearly always: looked at for every segment of a handshake */
    struct snt_attempt *a = w->attempt;
    bool fatal = false;
    for (unsigned i = *taken; i < d->n_alerts && i < 4; i++) {
        fatal |= d->alerts[i].level == TLS_ALERT_FATAL;
        if (a->n_alerts < SNT_ATTEMPT_MAX_ALERTS) {
            struct snt_attempt_alert *out = &a->alerts[a->n_alerts++];
            out->from_client = role == C2S;
            out->after_certificate = saw_certificate(w);
            out->level = d->alerts[i].level;
            out->description = d->alerts[i].description;
        }
        const char *how = role == C2S && saw_certificate(w) ? rejection(w, &d->alerts[i]) : NULL;
        if (how && !a->client_rejected) {
            a->problems |= SNT_PROBLEM_CLIENT_REJECTED;
            a->client_rejected = how;
        }
    }
    *taken = d->n_alerts;
    return fatal;
}

/* Alerts in clear, and those decrypted with key-log keys. */
static bool take_alerts(struct conn_work *w, int role)
{
    bool fatal = take_alerts_from(w, role, &w->tls[role], &w->alerts_taken[role]);
    if (w->keys && w->keys->active)
        fatal |= take_alerts_from(w, role, &w->keys->dir[role].inner, &w->keys->alerts_taken[role]);
    return fatal;
}

static void tls_sslv2_hello(struct snt_engine *e, struct conn_work *w)
{
    struct snt_tls_client_hello ch;
    const struct snt_stream *s = &w->stream[C2S];
    if (w->attempt->has_client_hello)
        return;
    enum snt_result r = snt_tls_parse_sslv2_client_hello(s->buf, s->contiguous, &ch);
    if (r == SNT_OK)
        engine_attempt_client_hello(w->attempt, &ch, 't');
    else if (r == SNT_MALFORMED)
        e->stats.parse_errors++;
}

/* Feed the direction's new bytes to the record layer and take messages. */
static void tls_direction(struct snt_engine *e, struct conn *c, int role)
{
    struct conn_work *w = c->w;
    struct snt_tls_dir *d = &w->tls[role];
    const struct snt_stream *s = &w->stream[role];
    if (d->failed)
        return;
    if (snt_tls_dir_feed(d, s->buf, s->contiguous) == SNT_MALFORMED) {
        e->stats.parse_errors++;
        return;
    }
    if (d->sslv2 && role == C2S) {
        tls_sslv2_hello(e, w);
        return;
    }
    uint8_t type;
    struct snt_span body;
    enum snt_result r;
    while ((r = snt_tls_next_message(d, &type, &body)) == SNT_OK)
        tls_message(e, c, role, type, body);
    if (r == SNT_MALFORMED)
        e->stats.parse_errors++;
}

/* With a visible certificate the attempt stays open until the client sends
 * application data: a client that closes instead has turned it down. */
void engine_app_tls_decide(struct snt_engine *e, struct conn *c)
{
    struct conn_work *w = c->w;
    /* Both directions' alerts are taken, whichever is fatal. */
    bool client_fatal = take_alerts(w, C2S), server_fatal = take_alerts(w, S2C);
    if (client_fatal || server_fatal) {
        engine_finish(e, c, SNT_OUTCOME_HANDSHAKE_FAILED);
        return;
    }
    const struct snt_tls_dir *cd = &w->tls[C2S], *sd = &w->tls[S2C];
    if (!w->attempt->has_server_hello)
        return;
    w->server_after_handshake = sd->saw_ccs || sd->saw_app_data;
    w->client_after_handshake = cd->saw_ccs || cd->saw_app_data;
    if (!w->server_after_handshake || !w->client_after_handshake)
        return;
    w->handshake_done = true;
    w->attempt->established = true;
    if (engine_keys_pending(w) || engine_tls13_pending(e, c))
        return;
    if (!w->attempt->has_cert || cd->saw_app_data)
        engine_finish(e, c, SNT_OUTCOME_ESTABLISHED);
}

static void tls_stream(struct snt_engine *e, struct conn *c, int role)
{
    tls_direction(e, c, role);
    if (c->w)
        engine_keys_stream(e, c, role);
    if (c->w)
        engine_app_tls_decide(e, c);
}

void engine_app_client_gave_up(struct snt_engine *e, struct conn *c, enum snt_outcome outcome)
{
    struct conn_work *w = c->w;
    struct snt_attempt *a = w->attempt;
    if (w->handshake_done && a->has_cert) {
        a->problems |= SNT_PROBLEM_CLIENT_REJECTED;
        a->client_rejected = outcome == SNT_OUTCOME_RESET
                                 ? "reset right after the handshake, before sending data"
                                 : "closed right after the handshake, before sending data";
    }
    engine_finish(e, c, outcome);
}

static void http_stream(struct snt_engine *e, struct conn *c)
{
    struct conn_work *w = c->w;
    const struct snt_stream *s = &w->stream[C2S];
    struct snt_http_request req;
    enum snt_result r = snt_http_parse_request(s->buf, s->contiguous, &req);
    if (r == SNT_NEED_MORE && !s->hit_limit)
        return;
    struct snt_attempt *a = w->attempt;
    if (r == SNT_OK) {
        snt_attempt_set_bytes(a, &a->http_method, req.method.p, req.method.len, 32);
        snt_attempt_set_bytes(a, &a->http_uri, req.target.p, req.target.len, MAX_URI_LEN);
        if (req.is_connect && req.connect_host.len) {
            snt_attempt_set_bytes(a, &a->name, req.connect_host.p, req.connect_host.len,
                                  SNT_MAX_NAME_LEN);
            a->name_source = SNT_NAME_HTTP_CONNECT;
        } else if (req.has_host && req.host.len) {
            snt_attempt_set_bytes(a, &a->name, req.host.p, req.host.len, SNT_MAX_NAME_LEN);
            a->name_source = SNT_NAME_HTTP_HOST;
        }
        if (req.host_malformed)
            e->stats.parse_errors++; /* counted as broken, named all the same */
    } else {
        e->stats.parse_errors++;
    }
    if (r == SNT_OK && req.is_connect) {
        /* A tunnel: the TLS handshake inside is the interesting part. */
        w->plaintext = true;
        return;
    }
    engine_finish(e, c, SNT_OUTCOME_ESTABLISHED);
}

/* The client's first bytes say what it speaks. */
static void classify(struct conn *c)
{
    struct conn_work *w = c->w;
    const struct snt_stream *s = &w->stream[C2S];
    enum snt_result tls = snt_tls_sniff(s->buf, s->contiguous);
    enum snt_result http = snt_http_sniff(s->buf, s->contiguous);
    if (w->attempt->server_port == 53 && tls != SNT_OK)
        w->attempt->protocol = SNT_PROTO_DNS;
    else if (tls == SNT_OK)
        w->attempt->protocol = SNT_PROTO_TLS;
    else if (http == SNT_OK)
        w->attempt->protocol = SNT_PROTO_HTTP;
    else if (tls == SNT_NEED_MORE || http == SNT_NEED_MORE)
        return;
    else
        w->plaintext = true;
}

/* From here on both directions are TLS records: the client's from stream
 * offset client_at, the server's from server_at (what came before in each
 * is the plaintext protocol's, never taken for TLS). */
static void begin_tls(struct conn_work *w, size_t client_at, size_t server_at)
{
    w->plaintext = false;
    w->attempt->protocol = SNT_PROTO_TLS;
    w->attempt->tls_after_plaintext = true;
    w->tls[C2S].consumed = client_at;
    w->tls[S2C].consumed = server_at;
}

void engine_app_plaintext_segment(struct conn *c, size_t off, const uint8_t *p, size_t len)
{
    struct conn_work *w = c->w;
    if (!w->plaintext || off >= w->stream[C2S].contiguous)
        return;
    /* Asked and not yet answered: the answer decides where each side's TLS
     * starts (a server reply still to come must not be taken for TLS). */
    if (w->starttls.status == SNT_STARTTLS_ASKED)
        return;
    if (!is_client_hello_start(p, len))
        return;
    /* The server's plaintext so far (banners, "ready to start TLS") is not TLS. */
    begin_tls(w, off, w->stream[S2C].contiguous);
}

/* The server refused the upgrade: no TLS will follow, so the attempt at it
 * failed; the server's words say why. */
static void starttls_refused(struct snt_engine *e, struct conn *c, struct snt_span server)
{
    struct snt_attempt *a = c->w->attempt;
    char why[SNT_MAX_NAME_LEN + 1];
    size_t n = snt_starttls_describe_reply(&c->w->starttls, server, why, sizeof why);
    snt_attempt_set_bytes(a, &a->starttls_refused, (const uint8_t *)why, n, SNT_MAX_NAME_LEN);
    engine_finish(e, c, SNT_OUTCOME_HANDSHAKE_FAILED);
}

/* Follow the plaintext protocol to its upgrade (include/snitrace/starttls.h)
 * as either direction grows; once it is decided this costs nothing more. */
static void starttls_stream(struct snt_engine *e, struct conn *c)
{
    struct conn_work *w = c->w;
    struct snt_span client = {w->stream[C2S].buf, w->stream[C2S].contiguous};
    struct snt_span server = {w->stream[S2C].buf, w->stream[S2C].contiguous};
    enum snt_starttls_status st = snt_starttls_feed(&w->starttls, client, server);
    if (st == SNT_STARTTLS_UNDECIDED || st == SNT_STARTTLS_NO_UPGRADE)
        return;
    w->attempt->starttls = w->starttls.protocol;
    w->attempt->protocol = SNT_PROTO_TLS; /* an attempt at TLS from the request on */
    if (st == SNT_STARTTLS_REFUSED) {
        starttls_refused(e, c, server);
    } else if (st == SNT_STARTTLS_AGREED) {
        begin_tls(w, w->starttls.client_tls_at, w->starttls.server_tls_at);
        /* Either side's TLS may already be there (a ServerHello in the
         * segment of the server's "go ahead", a pipelining client). */
        tls_stream(e, c, C2S);
        if (c->w)
            tls_stream(e, c, S2C);
    }
}

/* A plaintext protocol that never turned into TLS within the client bytes we
 * keep: the attempt is as understood as it will get. */
static void plaintext_stream(struct snt_engine *e, struct conn *c)
{
    /* Inside an HTTP CONNECT tunnel the stream starts with the request. */
    if (c->w->attempt->protocol != SNT_PROTO_HTTP)
        starttls_stream(e, c);
    if (!c->w || !c->w->plaintext)
        return;
    const struct snt_stream *s = &c->w->stream[C2S];
    if (s->contiguous >= s->max || s->hit_limit)
        engine_finish(e, c, c->synack_seen ? SNT_OUTCOME_ESTABLISHED : SNT_OUTCOME_INCOMPLETE);
}

void engine_app_stream(struct snt_engine *e, struct conn *c, int role)
{
    struct conn_work *w = c->w;
    if (w->plaintext) { /* either side's words may move a plaintext protocol on */
        plaintext_stream(e, c);
        return;
    }
    if (w->attempt->protocol == SNT_PROTO_UNKNOWN) {
        if (role != C2S && w->attempt->server_port != 53)
            return; /* wait for the client: the server may speak first */
        classify(c);
        if (w->plaintext)
            plaintext_stream(e, c);
        if (!c->w || w->plaintext)
            return;
    }
    switch (w->attempt->protocol) {
    case SNT_PROTO_TLS: tls_stream(e, c, role); break;
    case SNT_PROTO_DNS: engine_dns_stream(e, c, role); break;
    case SNT_PROTO_HTTP:
        if (role == C2S)
            http_stream(e, c);
        break;
    default: break;
    }
}

/* ---- key-log keys that were waited for ------------------------------------- */

/* The end that came while waiting, now that what the keys show is in. */
static void end_as_deferred(struct snt_engine *e, struct conn *c, bool deferred, bool by_client,
                            enum snt_outcome outcome)
{
    if (!c->w || !deferred)
        return;
    if (by_client)
        engine_app_client_gave_up(e, c, outcome);
    else
        engine_finish(e, c, outcome);
}

void engine_app_keys_came(struct snt_engine *e, struct conn *c)
{
    struct conn_keys *k = c->w->keys;
    bool deferred = k->deferred, by_client = k->deferred_client;
    enum snt_outcome outcome = k->deferred_outcome;
    engine_keys_activate(e, c);
    engine_keys_stream(e, c, S2C);
    if (c->w)
        engine_keys_stream(e, c, C2S);
    if (c->w)
        engine_app_tls_decide(e, c);
    end_as_deferred(e, c, deferred, by_client, outcome);
}

void engine_app_keys_missing(struct snt_engine *e, struct conn *c)
{
    struct conn_keys *k = c->w->keys;
    bool deferred = k->deferred, by_client = k->deferred_client;
    enum snt_outcome outcome = k->deferred_outcome;
    e->stats.tls_keys_missing++;
    engine_keys_release(e, c->w);
    engine_app_tls_decide(e, c);
    end_as_deferred(e, c, deferred, by_client, outcome);
}
