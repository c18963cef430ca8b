/* Certificate results: copying, releasing and sizing them, and the result
 * for a leaf that does not parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "cert_internal.h"

/* ---- results -------------------------------------------------------------- */

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

void snt_cert_result_clear(struct snt_cert_result *r)
{
    snt_cert_info_free(&r->info);
    X509_free(r->leaf);
    memset(r, 0, sizeof *r);
}

static size_t list_bytes(char *const *list, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++)
        b += strlen(list[i]) + 1 + sizeof *list;
    return b;
}

/* What a result costs the cache, roughly (allocator overhead aside). */
size_t snt_cert_result_bytes(const struct snt_cert_result *r)
{
    const struct snt_cert_info *in = &r->info;
    return list_bytes(in->subject_cn, in->n_subject_cn) +
           list_bytes(in->dns_names, in->n_dns_names) +
           list_bytes(in->ip_addresses, in->n_ip_addresses) +
           (in->subject_dn ? strlen(in->subject_dn) + 1 : 0) +
           (in->issuer_dn ? strlen(in->issuer_dn) + 1 : 0);
}

/* ---- copies --------------------------------------------------------------- */

static char **copy_strings(char *const *src, size_t n)
{
    if (!n)
        return NULL;
    char **out = calloc(n, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        out[i] = strdup(src[i] ? src[i] : "");
    return out;
}

void snt_cert_info_free(struct snt_cert_info *ci)
{
    free_list(ci->subject_cn, ci->n_subject_cn);
    free_list(ci->dns_names, ci->n_dns_names);
    free_list(ci->ip_addresses, ci->n_ip_addresses);
    free(ci->subject_dn);
    free(ci->issuer_dn);
    memset(ci, 0, sizeof *ci);
}

void snt_cert_info_copy(struct snt_cert_info *ci, const struct snt_cert_info *src)
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

void snt_cert_describe_unparsed(const struct snt_span *leaf, unsigned chain_length,
                                struct snt_cert_result *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    memset(out, 0, sizeof *out);
    out->info.chain_length = chain_length;
    out->info.not_before = out->info.not_after = -1;
    if (leaf->len && EVP_Digest(leaf->p, leaf->len, md, &len, EVP_sha256(), NULL) == 1) {
        for (unsigned i = 0; i < len && i < 32; i++)
            snprintf(out->info.sha256_hex + 2 * i, 3, "%02X", md[i]);
    }
    ERR_clear_error();
    out->verdict.problems = SNT_PROBLEM_UNTRUSTED;
    snprintf(out->verdict.verify_error, sizeof out->verdict.verify_error,
             "the server's certificate is not valid DER and cannot be parsed");
}
