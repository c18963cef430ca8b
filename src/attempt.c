/* Attempt records: the text area their wire strings are copied into and
 * the names of the enumerations as the output contract spells them (docs/schema.md). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/attempt.h"
#include "snitrace/utf8.h"

/* A string that did not fit in the attempt's own area. */
struct snt_attempt_spill {
    struct snt_attempt_spill *next;
    uint8_t bytes[];
};

/* n bytes of the attempt's text: its own area while there is room, else a
 * block of their own; NULL when memory ran out. */
static uint8_t *text_take(struct snt_attempt_text *t, size_t n)
{
    if (n <= sizeof t->bytes - t->used) {
        uint8_t *at = t->bytes + t->used;
        t->used = (uint16_t)(t->used + n);
        return at;
    }
    struct snt_attempt_spill *s = malloc(sizeof *s + n);
    if (!s)
        return NULL;
    s->next = t->spill;
    t->spill = s;
    return s->bytes;
}

static void text_free(struct snt_attempt_text *t)
{
    while (t->spill) {
        struct snt_attempt_spill *next = t->spill->next;
        free(t->spill);
        t->spill = next;
    }
    t->used = 0;
}

void snt_attempt_set_bytes(struct snt_attempt *a, struct snt_bytes *b, const uint8_t *p, size_t len,
                           size_t max)
{
    if (max > UINT16_MAX)
        max = UINT16_MAX;
    b->truncated = len > max;
    if (len > max)
        len = max;
    b->p = NULL;
    b->len = 0;
    uint8_t *at = len ? text_take(&a->text, len + 1) : NULL;
    if (!at)
        return;
    memcpy(at, p, len);
    at[len] = 0;
    b->p = at;
    b->len = (uint16_t)len;
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

void snt_attempt_take_cert(struct snt_attempt *a, struct snt_cert_result *r)
{
    if (a->has_cert)
        snt_cert_info_free(&a->cert.info);
    a->cert = *r; /* the info's strings change hands, no copy */
    memset(r, 0, sizeof *r);
    a->has_cert = true;
    a->problems |= a->cert.verdict.problems;
}

/* The text area's bytes are left as they are: only `used` says what is
 * taken, and clearing half a kilobyte per connection is wasted work. */
void snt_attempt_init(struct snt_attempt *a)
{
    memset(a, 0, offsetof(struct snt_attempt, text.bytes));
}

/* dst holds src's pointers after a struct copy: give it its own bytes.
 * Most of an attempt's strings are empty (unused ALPN and CNAME slots). */
static inline void bytes_own(struct snt_attempt *dst, struct snt_bytes *b,
                             const struct snt_bytes *src)
{
    if (src->len)
        snt_attempt_set_bytes(dst, b, src->p, src->len, src->len);
    else
        b->p = NULL;
    b->truncated = src->truncated;
}

void snt_attempt_copy(struct snt_attempt *dst, const struct snt_attempt *src)
{
    /* Values, fixed arrays, and pointers to static strings; the text area
     * is filled below, string by string. */
    memcpy(dst, src, offsetof(struct snt_attempt, text.bytes));
    dst->text.used = 0;
    dst->text.spill = NULL;
    bytes_own(dst, &dst->name, &src->name);
    bytes_own(dst, &dst->starttls_refused, &src->starttls_refused);
    bytes_own(dst, &dst->sni, &src->sni);
    for (unsigned i = 0; i < SNT_MAX_ALPN; i++)
        bytes_own(dst, &dst->alpn[i], &src->alpn[i]);
    bytes_own(dst, &dst->next_protocol, &src->next_protocol);
    bytes_own(dst, &dst->dns_qname, &src->dns_qname);
    for (unsigned i = 0; i < sizeof dst->cname_chain / sizeof dst->cname_chain[0]; i++)
        bytes_own(dst, &dst->cname_chain[i], &src->cname_chain[i]);
    bytes_own(dst, &dst->http_method, &src->http_method);
    bytes_own(dst, &dst->http_uri, &src->http_uri);
    dst->cert_job = NULL; /* the original's to collect */
    if (src->has_cert)
        snt_cert_info_copy(&dst->cert.info, &src->cert.info);
}

void snt_attempt_free(struct snt_attempt *a)
{
    if (!a)
        return;
    text_free(&a->text);
    if (a->has_cert)
        snt_cert_info_free(&a->cert.info);
    snt_attempt_init(a);
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
