/* Attempt records: ownership of copied wire strings and the names of the
 * enumerations as the output contract spells them (docs/schema.md). */
#include <stdlib.h>
#include <string.h>

#include "snitrace/attempt.h"

void snt_bytes_set(struct snt_bytes *b, const uint8_t *p, size_t len, size_t max)
{
    snt_bytes_free(b);
    if (len > max)
        len = max;
    if (len > UINT16_MAX)
        len = UINT16_MAX;
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
}

static const char *const problem_names[SNT_PROBLEM_COUNT] = {
    "name_mismatch", "expired",         "not_yet_valid", "self_signed", "untrusted",
    "weak_key",      "weak_signature", "client_rejected", "no_sni",
};

const char *snt_problem_name(unsigned i)
{
    return i < SNT_PROBLEM_COUNT ? problem_names[i] : NULL;
}

static char **copy_strings(char *const *src, size_t n)
{
    if (!n)
        return NULL;
    char **out = calloc(n, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        out[i] = strdup(src[i] ? src[i] : "");
    return out;
}

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

void snt_cert_info_clear(struct snt_cert_info *ci)
{
    free_strings(ci->subject_cn, ci->n_subject_cn);
    free_strings(ci->dns_names, ci->n_dns_names);
    free_strings(ci->ip_addresses, ci->n_ip_addresses);
    free(ci->subject_dn);
    free(ci->issuer_dn);
    memset(ci, 0, sizeof *ci);
}

void snt_cert_info_dup(struct snt_cert_info *ci, const struct snt_cert_info *src)
{
    *ci = *src;
    ci->subject_cn = copy_strings(src->subject_cn, src->n_subject_cn);
    ci->dns_names = copy_strings(src->dns_names, src->n_dns_names);
    ci->ip_addresses = copy_strings(src->ip_addresses, src->n_ip_addresses);
    ci->subject_dn = src->subject_dn ? strdup(src->subject_dn) : NULL;
    ci->issuer_dn = src->issuer_dn ? strdup(src->issuer_dn) : NULL;
    if (!ci->subject_cn)
        ci->n_subject_cn = 0;
    if (!ci->dns_names)
        ci->n_dns_names = 0;
    if (!ci->ip_addresses)
        ci->n_ip_addresses = 0;
}

void snt_attempt_set_cert(struct snt_attempt *a, const struct snt_cert_result *r)
{
    if (a->has_cert)
        snt_cert_info_clear(&a->cert.info);
    a->cert.verdict = r->verdict;
    snt_cert_info_dup(&a->cert.info, &r->info);
    a->has_cert = true;
}

void snt_attempt_init(struct snt_attempt *a)
{
    memset(a, 0, sizeof *a);
}

void snt_attempt_free(struct snt_attempt *a)
{
    if (!a)
        return;
    snt_bytes_free(&a->name);
    snt_bytes_free(&a->sni);
    for (unsigned i = 0; i < a->n_alpn; i++)
        snt_bytes_free(&a->alpn[i]);
    snt_bytes_free(&a->next_protocol);
    snt_bytes_free(&a->http_method);
    snt_bytes_free(&a->http_uri);
    if (a->has_cert)
        snt_cert_info_clear(&a->cert.info);
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
    case SNT_NAME_NONE: break;
    }
    return "none";
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
