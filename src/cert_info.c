/* Certificate results: sharing, releasing and sizing them, and the result
 * for a leaf that does not parse.
 *
 * What a certificate says (its names and distinguished names) is written
 * once, when the certificate is examined, into one immutable block with a
 * reference count; the cache entry, every attempt and every flag that
 * shows the certificate hold a reference, so a cache hit copies a few
 * hundred bytes of fixed fields and no string.  The count is atomic
 * because a reference may be dropped on another thread than the one that
 * took it (an attempt handed to an output thread). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "cert_internal.h"

/* One allocation: this header, the three lists' pointers, then the
 * characters of every string they point to and of the two DNs. */
struct snt_cert_strings {
    atomic_size_t refs;
    size_t bytes; /* of the whole block */
    char *lists[];
};

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
    memset(r, 0, sizeof *r);
}

static size_t list_bytes(char *const *list, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++)
        b += strlen(list[i] ? list[i] : "") + 1 + sizeof *list;
    return b;
}

static size_t text_bytes(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* The strings of an info that has its own: what a shared block of them
 * would need beside its header. */
static size_t loose_bytes(const struct snt_cert_info *in)
{
    return list_bytes(in->subject_cn, in->n_subject_cn) +
           list_bytes(in->dns_names, in->n_dns_names) +
           list_bytes(in->ip_addresses, in->n_ip_addresses) + text_bytes(in->subject_dn) +
           text_bytes(in->issuer_dn);
}

/* What a result costs the cache, roughly (allocator overhead aside). */
size_t snt_cert_result_bytes(const struct snt_cert_result *r)
{
    return r->info.strings ? r->info.strings->bytes : loose_bytes(&r->info);
}

/* ---- sharing -------------------------------------------------------------- */

static void free_loose(struct snt_cert_info *ci)
{
    free_list(ci->subject_cn, ci->n_subject_cn);
    free_list(ci->dns_names, ci->n_dns_names);
    free_list(ci->ip_addresses, ci->n_ip_addresses);
    free(ci->subject_dn);
    free(ci->issuer_dn);
}

void snt_cert_info_free(struct snt_cert_info *ci)
{
    if (ci->strings)
        snt_cert_strings_release(ci->strings);
    else
        free_loose(ci);
    memset(ci, 0, sizeof *ci);
}

void snt_cert_strings_release(struct snt_cert_strings *s)
{
    /* The last holder frees; acq_rel so it sees every other holder done. */
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        free(s);
}

struct snt_cert_strings *snt_cert_info_hold(const struct snt_cert_info *ci)
{
    if (ci->strings)
        atomic_fetch_add_explicit(&ci->strings->refs, 1, memory_order_relaxed);
    return ci->strings;
}

/* Where packing writes next: pointer slots, then characters. */
struct packer {
    char **slot;
    char *text;
};

static char *pack_text(struct packer *pk, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *out = memcpy(pk->text, s ? s : "", n);
    pk->text += n;
    return out;
}

static char **pack_list(struct packer *pk, char *const *src, size_t n)
{
    char **out = n ? pk->slot : NULL;
    for (size_t i = 0; i < n; i++)
        *pk->slot++ = pack_text(pk, src[i]);
    return out;
}

/* dst as src (already a struct copy of it), its strings in a new block of
 * their own; false when memory runs out (dst then keeps src's pointers). */
static bool pack(struct snt_cert_info *dst, const struct snt_cert_info *src)
{
    size_t bytes = sizeof(struct snt_cert_strings) + loose_bytes(src);
    struct snt_cert_strings *s = malloc(bytes);
    if (!s)
        return false;
    atomic_init(&s->refs, 1);
    s->bytes = bytes;
    struct packer pk = {
        s->lists, (char *)(s->lists + src->n_subject_cn + src->n_dns_names + src->n_ip_addresses)};
    dst->subject_cn = pack_list(&pk, src->subject_cn, src->n_subject_cn);
    dst->dns_names = pack_list(&pk, src->dns_names, src->n_dns_names);
    dst->ip_addresses = pack_list(&pk, src->ip_addresses, src->n_ip_addresses);
    dst->subject_dn = src->subject_dn ? pack_text(&pk, src->subject_dn) : NULL;
    dst->issuer_dn = src->issuer_dn ? pack_text(&pk, src->issuer_dn) : NULL;
    dst->strings = s;
    return true;
}

void snt_cert_info_copy(struct snt_cert_info *ci, const struct snt_cert_info *src)
{
    *ci = *src;
    if (src->strings) {
        snt_cert_info_hold(src);
        return;
    }
    if (loose_bytes(src) == 0 || !pack(ci, src)) {
        /* Nothing to share, or out of memory: the fixed fields only. */
        ci->subject_cn = ci->dns_names = ci->ip_addresses = NULL;
        ci->n_subject_cn = ci->n_dns_names = ci->n_ip_addresses = 0;
        ci->subject_dn = ci->issuer_dn = NULL;
    }
}

bool snt_cert_info_share(struct snt_cert_info *ci)
{
    struct snt_cert_info shared = *ci;
    if (ci->strings || loose_bytes(ci) == 0)
        return true;
    if (!pack(&shared, ci))
        return false;
    free_loose(ci);
    *ci = shared;
    return true;
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
    snt_cert_forget_errors();
    out->verdict.problems = SNT_PROBLEM_UNTRUSTED;
    snprintf(out->verdict.verify_error, sizeof out->verdict.verify_error,
             "the server's certificate is not valid DER and cannot be parsed");
}
