/* Connections decrypted with keys from a key log (--keylog, or a pcapng
 * secrets block): finding a connection's keys by its client random,
 * holding a handshake briefly when its keys are not there yet, opening
 * both directions' protected records, and reading the handshake messages
 * they held: EncryptedExtensions (the ALPN chosen), the server's
 * Certificate or CompressedCertificate, both Finished messages, and alerts.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "snitrace/keylog.h"

#define TLS12             0x0303
#define MASTER_SECRET_LEN 48

struct tls13_secret {
    enum snt_keylog_label label;
    int role;
    enum snt_tls_epoch epoch;
};

static const struct tls13_secret tls13_secrets[] = {
    {SNT_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, C2S, SNT_TLS_EPOCH_EARLY},
    {SNT_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, C2S, SNT_TLS_EPOCH_HANDSHAKE},
    {SNT_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, S2C, SNT_TLS_EPOCH_HANDSHAKE},
    {SNT_KEYLOG_CLIENT_TRAFFIC_SECRET_0, C2S, SNT_TLS_EPOCH_APPLICATION},
    {SNT_KEYLOG_SERVER_TRAFFIC_SECRET_0, S2C, SNT_TLS_EPOCH_APPLICATION},
};

/* ---- finding keys ----------------------------------------------------------- */

static size_t start_of_protected(const struct snt_tls_dir *d)
{
    return d->n_protected ? d->first_protected : d->consumed;
}

static void init_dirs(struct snt_engine *e, struct conn_work *w, bool tls12)
{
    struct conn_keys *k = w->keys;
    snt_tls_decrypt_init(&k->dir[C2S], start_of_protected(&w->tls[C2S]), e->cfg.c2s_bytes, tls12);
    snt_tls_decrypt_init(&k->dir[S2C], start_of_protected(&w->tls[S2C]), e->cfg.s2c_bytes, tls12);
    /* A direction that is past its ChangeCipherSpec already starts there. */
    for (int i = 0; i < 2; i++)
        k->dir[i].past_ccs = w->tls[i].n_protected > 0;
}

/* TLS 1.3: traffic keys for every secret the key log has for this client
 * random; the server's handshake secret is the one that matters. */
/* Derive one secret's record keys into its direction and epoch; true when
 * the key log had it. */
static bool derive(struct snt_engine *e, struct conn_work *w, const struct tls13_secret *s)
{
    struct snt_span secret;
    struct snt_traffic_keys tk;
    if (!snt_keylog_find(e->cfg.keylog, w->client_random, s->label, &secret) ||
        !snt_tls13_traffic_keys(w->attempt->cipher, secret.p, secret.len, &tk))
        return false;
    snt_tls_decrypt_set_keys(&w->keys->dir[s->role], s->epoch, &tk);
    return true;
}

/* TLS 1.3: the handshake keys of both sides now.  Each derivation costs a
 * key and an IV through the KDF, so the other epochs (0-RTT, application)
 * wait until a record needs them. */
static bool tls13_keys(struct snt_engine *e, struct conn_work *w)
{
    struct snt_span secret;
    if (!snt_keylog_find(e->cfg.keylog, w->client_random,
                         SNT_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, &secret))
        return false;
    init_dirs(e, w, false);
    for (size_t i = 0; i < sizeof tls13_secrets / sizeof tls13_secrets[0]; i++)
        if (tls13_secrets[i].epoch == SNT_TLS_EPOCH_HANDSHAKE)
            derive(e, w, &tls13_secrets[i]);
    return w->keys->dir[S2C].have[SNT_TLS_EPOCH_HANDSHAKE];
}

/* A record the keys so far do not open: derive the epochs of that side not
 * derived yet, once.  true when there are new keys to try it with. */
static bool derive_late(struct snt_engine *e, struct conn_work *w, int role)
{
    struct conn_keys *k = w->keys;
    bool more = false;
    if (k->late_derived[role] || w->keys->dir[role].tls12)
        return false;
    k->late_derived[role] = true;
    for (size_t i = 0; i < sizeof tls13_secrets / sizeof tls13_secrets[0]; i++) {
        const struct tls13_secret *s = &tls13_secrets[i];
        if (s->role == role && s->epoch != SNT_TLS_EPOCH_HANDSHAKE)
            more |= derive(e, w, s);
    }
    return more;
}

/* TLS 1.2: the master secret gives both directions' keys (AEAD suites only). */
static bool tls12_keys(struct snt_engine *e, struct conn_work *w)
{
    struct snt_span master;
    struct snt_traffic_keys ck, sk;
    if (!snt_keylog_find(e->cfg.keylog, w->client_random, SNT_KEYLOG_CLIENT_RANDOM, &master) ||
        master.len != MASTER_SECRET_LEN)
        return false;
    if (!snt_tls12_keys(w->attempt->cipher, master.p, w->client_random, w->server_random, &ck, &sk))
        return false;
    init_dirs(e, w, true);
    snt_tls_decrypt_set_keys(&w->keys->dir[C2S], SNT_TLS_EPOCH_HANDSHAKE, &ck);
    snt_tls_decrypt_set_keys(&w->keys->dir[S2C], SNT_TLS_EPOCH_HANDSHAKE, &sk);
    return true;
}

static bool look_up(struct snt_engine *e, struct conn_work *w)
{
    if (engine_is_tls13(w->attempt))
        return tls13_keys(e, w);
    if (w->attempt->version == TLS12)
        return tls12_keys(e, w);
    return false;
}

bool engine_keys_may_come(const struct snt_engine *e)
{
    /* Offline, a store that never had a key (a pcapng without secrets)
     * never will: then TLS costs nothing here.  Live, keys come later. */
    return e->cfg.keylog && (snt_keylog_generation(e->cfg.keylog) || e->cfg.keylog_hold_usec);
}

/* The key a connection cannot do without: the server's handshake secret
 * (TLS 1.3) or the master secret (TLS 1.2). */
static bool has_keys(const struct snt_engine *e, const struct conn_work *w)
{
    struct snt_span secret;
    enum snt_keylog_label label = engine_is_tls13(w->attempt)
                                      ? SNT_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET
                                      : SNT_KEYLOG_CLIENT_RANDOM;
    return snt_keylog_find(e->cfg.keylog, w->client_random, label, &secret);
}

static bool keys_new(struct conn *c)
{
    c->w->keys = calloc(1, sizeof *c->w->keys);
    if (c->w->keys)
        c->w->keys->conn = c;
    return c->w->keys != NULL;
}

void engine_keys_server_hello(struct snt_engine *e, struct conn *c)
{
    struct conn_work *w = c->w;
    bool tls13 = engine_is_tls13(w->attempt);
    if (!engine_keys_may_come(e) || w->keys || !w->has_client_random ||
        (!tls13 && w->attempt->version != TLS12))
        return;
    if (has_keys(e, w)) {
        if (!keys_new(c))
            return;
        w->keys->active = look_up(e, w);
        if (!w->keys->active)
            engine_keys_release(e, w); /* a suite we cannot open */
        return;
    }
    if (!tls13)
        return; /* TLS 1.2 shows its certificate anyway */
    /* Keys may still come while a key log is being written: hold briefly. */
    if (!e->cfg.keylog_hold_usec || !keys_new(c)) {
        e->stats.tls_keys_missing++;
        return;
    }
    w->keys->wait_until_usec = e->now_usec + e->cfg.keylog_hold_usec;
    engine_keys_wait_push(e, w->keys);
}

/* ---- what the records held --------------------------------------------------- */

static void take_encrypted_extensions(struct snt_attempt *a, struct snt_span body)
{
    struct snt_tls_encrypted_extensions ee;
    if (snt_tls_parse_encrypted_extensions(body.p, body.len, &ee) != SNT_OK)
        return;
    if (ee.has_alpn && !a->next_protocol.len)
        snt_attempt_set_bytes(a, &a->next_protocol, ee.alpn.p, ee.alpn.len, SNT_MAX_NAME_LEN);
}

static void take_compressed_certificate(struct snt_engine *e, struct conn_work *w,
                                        struct snt_span body)
{
    size_t cap = e->cfg.s2c_bytes, len = 0;
    uint16_t algorithm;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return;
    if (snt_tls_decompress_certificate(body.p, body.len, buf, cap, &len, &algorithm) == SNT_OK)
        engine_attempt_certificate(e, w, (struct snt_span){buf, len}, SNT_CERT_SOURCE_KEYLOG);
    else
        e->stats.parse_errors++;
    free(buf);
}

void engine_keys_server_message(struct snt_engine *e, struct conn_work *w, uint8_t type,
                                struct snt_span body)
{
    switch (type) {
    case SNT_TLS_HS_ENCRYPTED_EXTENSIONS: take_encrypted_extensions(w->attempt, body); break;
    case SNT_TLS_HS_CERTIFICATE:
        engine_attempt_certificate(e, w, body, SNT_CERT_SOURCE_KEYLOG);
        break;
    case SNT_TLS_HS_COMPRESSED_CERTIFICATE: take_compressed_certificate(e, w, body); break;
    default: break;
    }
}

static void take_messages(struct snt_engine *e, struct conn_work *w, int role)
{
    struct snt_tls_dir *inner = &w->keys->dir[role].inner;
    uint8_t type;
    struct snt_span body;
    enum snt_result r;
    while ((r = snt_tls_next_message(inner, &type, &body)) == SNT_OK) {
        if (type == SNT_TLS_HS_FINISHED)
            *(role == S2C ? &w->keys->server_finished : &w->keys->client_finished) = true;
        else if (role == S2C)
            engine_keys_server_message(e, w, type, body);
    }
    if (r == SNT_MALFORMED)
        e->stats.parse_errors++;
}

/* Open what arrived in one direction.  After the client's Finished,
 * whatever it sends is application data, readable or not. */
/* Past a side's Finished its records are application data (the client's
 * tell it went on), unless one has exactly an alert's size: that one is
 * opened, with the application keys derived then, to read the alert
 * (close_notify, or a late fatal one).  true to try the record again. */
static bool record_after_finished(struct snt_engine *e, struct conn_work *w, int role,
                                  struct snt_tls_decrypt *d)
{
    struct conn_keys *k = w->keys;
    if (d->last_len != snt_tls13_alert_record_len(w->attempt->cipher)) {
        if (role == C2S)
            k->client_data = true;
        k->skipped[role]++; /* it took a sequence number all the same */
        return false;
    }
    if (!derive_late(e, w, role))
        return false;
    d->seq[SNT_TLS_EPOCH_APPLICATION] = k->skipped[role];
    snt_tls_decrypt_retry_last(d);
    return true;
}

static bool finished(const struct conn_keys *k, int role)
{
    return role == S2C ? k->server_finished : k->client_finished;
}

/* Open what arrived in one direction. */
void engine_keys_stream(struct snt_engine *e, struct conn *c, int role)
{
    struct conn_work *w = c->w;
    struct conn_keys *k = w->keys;
    if (!k || !k->active)
        return;
    struct snt_tls_decrypt *d = &k->dir[role];
    const struct snt_stream *s = &w->stream[role];
    uint8_t type;
    enum snt_result r;
    while ((r = snt_tls_decrypt_next(d, s->buf, s->contiguous, &type)) != SNT_NEED_MORE) {
        if (r == SNT_NOT_MINE && finished(k, role) && !d->tls12) {
            record_after_finished(e, w, role, d);
            continue;
        }
        if (r == SNT_NOT_MINE && derive_late(e, w, role)) {
            snt_tls_decrypt_retry_last(d); /* 0-RTT data, say: its keys are there now */
            continue;
        }
        if (r != SNT_OK) {
            e->stats.tls_decrypt_failures++;
            if (r == SNT_MALFORMED)
                break;
            continue;
        }
        if (!k->decrypted) {
            k->decrypted = true;
            e->stats.tls_decrypted++;
        }
        if (role == C2S && type == SNT_TLS_CT_APPLICATION_DATA)
            k->client_data = true;
        take_messages(e, w, role);
        if (!c->w)
            return;
    }
}

/* ---- decisions ------------------------------------------------------------------ */

bool engine_keys_pending(const struct conn_work *w)
{
    const struct conn_keys *k = w->keys;
    if (!k)
        return false;
    if (k->waiting)
        return true;
    if (!k->active || !engine_is_tls13(w->attempt))
        return false;
    /* Understood once the client has answered, and with a certificate to
     * judge, once it went on to send data. */
    return !k->client_finished || (w->attempt->has_cert && !k->client_data);
}

bool engine_keys_defer_end(struct conn *c, enum snt_outcome outcome, bool client_gave_up)
{
    struct conn_keys *k = c->w ? c->w->keys : NULL;
    if (!k || !k->waiting)
        return false;
    if (!k->deferred) {
        k->deferred = true;
        k->deferred_client = client_gave_up;
        k->deferred_outcome = outcome;
    }
    return true;
}

/* Keys came for a connection that waited for them: it stops waiting. */
void engine_keys_activate(struct snt_engine *e, struct conn *c)
{
    struct conn_keys *k = c->w->keys;
    engine_keys_wait_unlink(e, k);
    k->active = true;
    e->stats.tls_keys_late++;
}

bool engine_keys_hold(struct snt_engine *e, struct conn *c)
{
    if (!e->cfg.keylog_hold_usec || c->w->keys || !keys_new(c))
        return false;
    c->w->keys->wait_until_usec = e->now_usec + e->cfg.keylog_hold_usec;
    engine_keys_wait_push(e, c->w->keys);
    return true;
}

/* A waiting TLS connection's keys, looked up again: true when they came. */
bool engine_keys_look_up_again(struct snt_engine *e, struct conn *c)
{
    return look_up(e, c->w);
}
