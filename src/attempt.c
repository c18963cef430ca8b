/* Attempt records: ownership of copied wire strings and the names of the
 * enumerations as the output contract spells them (docs/schema.md). */
#include <stdlib.h>
#include <string.h>

#include "snitrace/attempt.h"
#include "snitrace/utf8.h"

void snt_bytes_set(struct snt_bytes *b, const uint8_t *p, size_t len, size_t max)
{
    snt_bytes_free(b);
    if (max > UINT16_MAX)
        max = UINT16_MAX;
    b->truncated = len > max;
    if (len > max)
        len = max;
    if (len == 0)
        return;
    b->p = malloc(len + 1);
    if (!b->p)
        return;
    memcpy(b->p, p, len);
    b->p[len] = 0;
    b->len = (uint16_t)len;
}

void snt_bytes_free(struct snt_bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->truncated = false;
}

char *snt_bytes_readable(const struct snt_bytes *b)
{
    return b->len ? snt_utf8_sanitize(b->p, b->len) : NULL;
}

static const char *const problem_names[SNT_PROBLEM_COUNT] = {
    "name_mismatch",
    "expired",
    "not_yet_valid",
    "self_signed",
    "untrusted",
    "weak_key",
    "weak_signature",
    "client_rejected",
    "no_sni",
    "client_rejected_inferred",
    "malformed_client_hello",
};

const char *snt_problem_name(unsigned i)
{
    return i < SNT_PROBLEM_COUNT ? problem_names[i] : NULL;
}

void snt_attempt_set_cert(struct snt_attempt *a, const struct snt_cert_result *r)
{
    if (a->has_cert)
        snt_cert_info_free(&a->cert.info);
    a->cert.verdict = r->verdict;
    snt_cert_info_copy(&a->cert.info, &r->info);
    a->has_cert = true;
}

void snt_attempt_init(struct snt_attempt *a)
{
    memset(a, 0, sizeof *a);
}

/* dst holds src's pointers after a struct copy: give it its own bytes. */
static void bytes_own(struct snt_bytes *dst, const struct snt_bytes *src)
{
    dst->p = NULL;
    dst->len = 0;
    snt_bytes_set(dst, src->p, src->len, src->len);
    dst->truncated = src->truncated;
}

void snt_attempt_copy(struct snt_attempt *dst, const struct snt_attempt *src)
{
    *dst = *src; /* values, fixed arrays, and pointers to static strings */
    bytes_own(&dst->name, &src->name);
    bytes_own(&dst->starttls_refused, &src->starttls_refused);
    bytes_own(&dst->sni, &src->sni);
    for (unsigned i = 0; i < src->n_alpn; i++)
        bytes_own(&dst->alpn[i], &src->alpn[i]);
    bytes_own(&dst->next_protocol, &src->next_protocol);
    bytes_own(&dst->dns_qname, &src->dns_qname);
    for (unsigned i = 0; i < src->n_cname; i++)
        bytes_own(&dst->cname_chain[i], &src->cname_chain[i]);
    bytes_own(&dst->http_method, &src->http_method);
    bytes_own(&dst->http_uri, &src->http_uri);
    dst->cert.leaf = NULL; /* the checker's, never the attempt's */
    if (src->has_cert)
        snt_cert_info_copy(&dst->cert.info, &src->cert.info);
}

void snt_attempt_free(struct snt_attempt *a)
{
    if (!a)
        return;
    snt_bytes_free(&a->name);
    snt_bytes_free(&a->starttls_refused);
    snt_bytes_free(&a->sni);
    for (unsigned i = 0; i < a->n_alpn; i++)
        snt_bytes_free(&a->alpn[i]);
    snt_bytes_free(&a->next_protocol);
    snt_bytes_free(&a->http_method);
    snt_bytes_free(&a->http_uri);
    snt_bytes_free(&a->dns_qname);
    for (unsigned i = 0; i < a->n_cname; i++)
        snt_bytes_free(&a->cname_chain[i]);
    a->n_cname = 0;
    if (a->has_cert)
        snt_cert_info_free(&a->cert.info);
    a->has_cert = false;
    a->n_alpn = 0;
}

const char *snt_protocol_name(enum snt_protocol p)
{
    switch (p) {
    case SNT_PROTO_TLS: return "tls";
    case SNT_PROTO_HTTP: return "http";
    case SNT_PROTO_QUIC: return "quic";
    case SNT_PROTO_DNS: return "dns";
    case SNT_PROTO_UNKNOWN: break;
    }
    return "unknown";
}

const char *snt_name_source_name(enum snt_name_source s)
{
    switch (s) {
    case SNT_NAME_SNI: return "sni";
    case SNT_NAME_HTTP_HOST: return "http_host";
    case SNT_NAME_HTTP_CONNECT: return "http_connect";
    case SNT_NAME_DNS: return "dns";
    case SNT_NAME_ECH_OUTER: return "ech_outer";
    case SNT_NAME_DNS_QUERY: return "dns_query";
    case SNT_NAME_NONE: break;
    }
    return "none";
}

const char *snt_starttls_name(enum snt_starttls_protocol p)
{
    switch (p) {
    case SNT_STARTTLS_SMTP: return "smtp";
    case SNT_STARTTLS_IMAP: return "imap";
    case SNT_STARTTLS_POP3: return "pop3";
    case SNT_STARTTLS_FTP: return "ftp";
    case SNT_STARTTLS_XMPP: return "xmpp";
    case SNT_STARTTLS_LDAP: return "ldap";
    case SNT_STARTTLS_POSTGRESQL: return "postgresql";
    case SNT_STARTTLS_MYSQL: return "mysql";
    case SNT_STARTTLS_NONE: break;
    }
    return NULL;
}

const char *snt_outcome_name(enum snt_outcome o)
{
    switch (o) {
    case SNT_OUTCOME_ESTABLISHED: return "established";
    case SNT_OUTCOME_REFUSED: return "refused";
    case SNT_OUTCOME_NO_ANSWER: return "no_answer";
    case SNT_OUTCOME_RESET: return "reset";
    case SNT_OUTCOME_CLOSED: return "closed";
    case SNT_OUTCOME_HANDSHAKE_FAILED: return "handshake_failed";
    case SNT_OUTCOME_INCOMPLETE: break;
    }
    return "incomplete";
}

const char *snt_cert_source_name(enum snt_cert_source s)
{
    switch (s) {
    case SNT_CERT_SOURCE_KEYLOG: return "keylog";
    case SNT_CERT_SOURCE_PROBE: return "probe";
    case SNT_CERT_SOURCE_WIRE: break;
    }
    return "wire";
}

const char *snt_inferred_verdict_name(enum snt_tls_client_verdict v)
{
    switch (v) {
    case SNT_TLS_VERDICT_ACCEPTED: return "accepted";
    case SNT_TLS_VERDICT_REJECTED: return "rejected";
    case SNT_TLS_VERDICT_UNKNOWN: return "unknown";
    case SNT_TLS_VERDICT_NONE: break;
    }
    return NULL;
}
