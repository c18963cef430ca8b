/* What an attempt is: what its hellos say (the name, ALPN, fingerprints,
 * version and cipher), the certificate its server presented (handed to the
 * certificate checks), and the name it takes from DNS when it has no other.
 * Used by every protocol the engine follows; of the engine it calls only
 * engine_tls13.c. */
#include <string.h>

#include "engine_internal.h"

static uint16_t highest_offered_version(const struct snt_tls_client_hello *ch)
{
    uint16_t best = 0;
    for (unsigned i = 0; i < ch->n_versions; i++)
        if (!snt_tls_is_grease(ch->versions[i]) && ch->versions[i] > best)
            best = ch->versions[i];
    return best ? best : ch->legacy_version;
}

/* A hello broken in its extensions is reported with what came before the
 * damage and says so; its fingerprints would describe a hello nobody sent,
 * so it has none. */
void engine_attempt_client_hello(struct snt_attempt *a, const struct snt_tls_client_hello *ch,
                                 char transport)
{
    if (a->has_client_hello)
        return; /* a second hello (after HelloRetryRequest) repeats the first's name */
    a->has_client_hello = true;
    if (ch->malformed)
        a->problems |= SNT_PROBLEM_MALFORMED_CLIENT_HELLO;
    a->ech_offered = ch->has_ech || ch->has_esni;
    if (ch->has_sni && ch->sni.len) {
        snt_attempt_set_bytes(a, &a->sni, ch->sni.p, ch->sni.len, SNT_MAX_NAME_LEN);
        /* Through an HTTP proxy the CONNECT target stays the name.  With
         * ECH the site's name is inside, encrypted: this is the outer one. */
        if (a->name_source == SNT_NAME_NONE) {
            snt_attempt_set_bytes(a, &a->name, ch->sni.p, ch->sni.len, SNT_MAX_NAME_LEN);
            a->name_source = ch->has_ech ? SNT_NAME_ECH_OUTER : SNT_NAME_SNI;
        }
    } else {
        a->problems |= SNT_PROBLEM_NO_SNI;
        engine_attempt_fallback_name(a); /* old clients without SNI: what they resolved */
    }
    for (unsigned i = 0; i < ch->n_alpn && i < SNT_MAX_ALPN; i++)
        snt_attempt_set_bytes(a, &a->alpn[a->n_alpn++], ch->alpn[i].p, ch->alpn[i].len,
                              SNT_MAX_NAME_LEN);
    a->offered_version = highest_offered_version(ch);
    if (ch->malformed)
        return;
    snt_ja_fingerprints(ch, transport, a->ja3, a->ja4);
}

void engine_attempt_server_hello(struct snt_attempt *a, const struct snt_tls_server_hello *sh)
{
    if (sh->hello_retry_request)
        return; /* the real ServerHello follows the client's second hello */
    a->has_server_hello = true;
    a->version = snt_tls_server_hello_version(sh);
    a->cipher = sh->cipher;
    if (sh->has_alpn)
        snt_attempt_set_bytes(a, &a->next_protocol, sh->alpn.p, sh->alpn.len, SNT_MAX_NAME_LEN);
    /* TLS 1.3 encrypts the certificate: without keys it cannot be seen. */
    if (engine_is_tls13(a)) {
        a->resumed = sh->psk;
        a->certificate_known = !a->resumed; /* a resumed session sends none */
        a->certificate_visible = false;
    }
}

void engine_attempt_certificate(struct snt_engine *e, struct conn_work *w, struct snt_span body,
                                enum snt_cert_source source)
{
    struct snt_attempt *a = w->attempt;
    struct snt_tls_certificate_list list;
    if (a->has_cert || !e->cfg.certs)
        return;
    bool tls13 = engine_is_tls13(a);
    if (snt_tls_parse_certificate(body.p, body.len, tls13, &list) != SNT_OK || list.n == 0) {
        e->stats.parse_errors++;
        return;
    }
    int64_t when = (int64_t)(e->now_usec / 1000000u);
    if (!snt_cert_judge_submit(e->cfg.certs, a, list.certs, list.n, list.total, when, source))
        e->stats.parse_errors++;
}

void engine_attempt_dns_names(struct snt_engine *e, struct snt_attempt *a)
{
    const struct snt_name_entry *ne =
        e->names ? snt_names_lookup(e->names, &a->client, &a->server) : NULL;
    if (!ne)
        return;
    snt_attempt_set_bytes(a, &a->dns_qname, (const uint8_t *)ne->qname, strlen(ne->qname),
                          SNT_MAX_NAME_LEN);
    const char *target = ne->chain;
    for (unsigned i = 0; i < ne->n_chain && a->n_cname < 8; i++) {
        size_t len = strlen(target);
        snt_attempt_set_bytes(a, &a->cname_chain[a->n_cname++], (const uint8_t *)target, len,
                              SNT_MAX_NAME_LEN);
        target += len + 1;
    }
}

void engine_attempt_fallback_name(struct snt_attempt *a)
{
    if (a->name.len || !a->dns_qname.len)
        return;
    snt_attempt_set_bytes(a, &a->name, a->dns_qname.p, a->dns_qname.len, SNT_MAX_NAME_LEN);
    a->name_source = SNT_NAME_DNS;
}
