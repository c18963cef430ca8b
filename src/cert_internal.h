/* Shared by the cert stage's files (cert.c, cert_names.c, cert_cache.c,
 * cert_decode.c, cert_eckey.c); not part of the public surface.  X.509 per
 * RFC 5280, names per RFC 6125. */
#ifndef SNITRACE_CERT_INTERNAL_H
#define SNITRACE_CERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "snitrace/cert.h"

/* Empty this thread's OpenSSL error queue.  ERR_clear_error walks all its
 * slots even when nothing was queued, which is nearly always: a look first
 * is a twentieth of the cost. */
static inline void snt_cert_forget_errors(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

/* ---- the name asked for (cert_names.c) --------------------------------- */

#define SNT_CERT_NAME_MAX 253 /* longest DNS name in text form (RFC 1035) */

enum snt_cert_name_kind {
    SNT_CERT_NAME_NONE,    /* no name known: nothing to check */
    SNT_CERT_NAME_DNS,     /* a host name */
    SNT_CERT_NAME_IP,      /* an IPv4 or IPv6 literal, canonical text */
    SNT_CERT_NAME_INVALID, /* cannot be a host name: never matches */
};

struct snt_cert_name {
    enum snt_cert_name_kind kind;
    char text[SNT_CERT_NAME_MAX + 1]; /* lower-cased, one trailing dot dropped */
    size_t len;
    const char *why; /* SNT_CERT_NAME_INVALID: the reason */
};

/* Classify and normalise a name as the client sent it (NULL or "" is none). */
void snt_cert_name_normalize(const char *name, struct snt_cert_name *out);

/* Fill info's subject CNs and subjectAltName DNS / IP entries.  false only
 * when memory runs out. */
bool snt_cert_collect_names(X509 *x, struct snt_cert_info *info);

/* Judge the name against x: sets SNT_PROBLEM_NAME_MISMATCH in v->problems
 * and explains the decision in v->name_check.  info must describe x. */
void snt_cert_check_name(X509 *x, const struct snt_cert_info *info, const struct snt_cert_name *nm,
                         struct snt_cert_verdict *v);

/* Untrusted bytes as a malloc'd string safe to print: control bytes become
 * '?', and so does every byte >= 0x80 unless utf8 says the bytes are
 * already valid UTF-8 (OpenSSL's conversion output). */
char *snt_cert_printable(const uint8_t *p, size_t len, bool utf8);

/* ---- distinguished names (cert_dn.c) ------------------------------------ */

/* name as RFC 2253 text (X509_NAME_print_ex with XN_FLAG_RFC2253, UTF-8
 * kept as is), cut to max bytes and made printable (snt_cert_printable); a
 * malloc'd string, NULL when memory ran out.  *plain (when not NULL) says
 * whether it was written without OpenSSL. */
char *snt_cert_dn_text(const X509_NAME *name, size_t max, bool *plain);

/* A name as the key of a memo: its DER, compared byte for byte (the hash
 * only picks a slot).  Names of more than SNT_CERT_NAME_KEY_MAX bytes of
 * DER are not kept. */
#define SNT_CERT_NAME_KEY_MAX 256

struct snt_cert_name_key {
    uint32_t tag; /* a hash of the DER */
    size_t len;   /* 0: no name */
    uint8_t der[SNT_CERT_NAME_KEY_MAX];
};

/* name's key in *key; false when it has none (no DER, or too long). */
bool snt_cert_name_key(const X509_NAME *name, struct snt_cert_name_key *key);
bool snt_cert_name_key_eq(const struct snt_cert_name_key *a, const struct snt_cert_name_key *b);

/* ---- decoding (cert_decode.c) ------------------------------------------- */

struct snt_cert_decoder;

/* NULL only when memory runs out. */
struct snt_cert_decoder *snt_cert_decoder_new(void);
void snt_cert_decoder_free(struct snt_cert_decoder *d); /* accepts NULL */

/* One DER certificate, which must fill s exactly (trailing bytes mean the
 * framing around it was wrong), or NULL; the error queue is left empty. */
X509 *snt_cert_decode(struct snt_cert_decoder *d, const struct snt_span *s);

/* An ASN.1 method for EC keys that decodes them on curves made once
 * (cert_eckey.c); made on the first call and kept for the life of the
 * process; NULL when memory ran out then. */
EVP_PKEY_ASN1_METHOD *snt_cert_ec_method(void);

/* ---- certificates kept decoded (cert_kept.c) --------------------------- */

struct snt_cert_kept;

/* Room for max certificates; NULL only when memory runs out. */
struct snt_cert_kept *snt_cert_kept_new(size_t max);
void snt_cert_kept_free(struct snt_cert_kept *k); /* accepts NULL */

/* The certificate decoded from exactly the bytes der, made the most
 * recently used, as a reference of the caller's own; NULL when not kept. */
X509 *snt_cert_kept_find(struct snt_cert_kept *k, const struct snt_span *der);

/* Keep x (a reference of the table's own) as decoded from der, unless
 * those bytes are kept already or are too many; the least recently used
 * goes when the table is full. */
void snt_cert_kept_put(struct snt_cert_kept *k, const struct snt_span *der, X509 *x);

/* ---- issuers the trust store lacks (cert_issuer.c) ---------------------- */

struct snt_cert_absent_issuers;

/* NULL only when memory runs out. */
struct snt_cert_absent_issuers *snt_cert_absent_issuers_new(void);
void snt_cert_absent_issuers_free(struct snt_cert_absent_issuers *a); /* accepts NULL */

/* X509_STORE_CTX_get1_issuer, but answered at once for an issuer name the
 * store was found to hold no certificate of; a is NULL: no memo. */
int snt_cert_get_issuer(struct snt_cert_absent_issuers *a, X509 **issuer, X509_STORE_CTX *ctx,
                        X509 *x);
/* How many searches were answered from memory. */
uint64_t snt_cert_absent_issuers_answered(const struct snt_cert_absent_issuers *a);

/* ---- the signatures and dates of a chain (cert_verify.c) --------------- */

/* OpenSSL's last verification pass (X509_STORE_CTX_set_verify), with the
 * signature of a certificate marked below remembered for the issuer key
 * that verified it.  Every error goes to the context's verify callback as
 * OpenSSL reports it. */
int snt_cert_verify_signatures(X509_STORE_CTX *ctx);
/* Mark x (a certificate the checker keeps, used by one thread at a time)
 * as one whose verified signature is remembered, for as long as x lives.
 * false when it cannot be (then it is verified each time, as before). */
bool snt_cert_remember_signature(X509 *x);
/* Signature checks answered from memory, in the whole process. */
uint64_t snt_cert_signatures_remembered(void);

/* ---- results (cert.c) ---------------------------------------------------- */

/* Free what a result owns (not the struct itself); accepts a zeroed one. */
void snt_cert_result_clear(struct snt_cert_result *r);

/* Move ci's own strings into a shared block (cert_info.c); false, and ci
 * unchanged, when memory runs out. */
bool snt_cert_info_share(struct snt_cert_info *ci);

/* What a result costs the cache, roughly (cert_info.c). */
size_t snt_cert_result_bytes(const struct snt_cert_result *r);

/* ---- the verdict cache (cert_cache.c) ----------------------------------- */

/* A chain's identity: SHA-256 over the number of certificates sent, then
 * the length and the bytes of each of the first SNT_CERT_MAX_CHAIN.  Two
 * chains share an identity only if they are the same bytes (or SHA-256
 * collides). */
#define SNT_CERT_CHAIN_ID_LEN 32
/* Intermediates kept with their SHA-256 (src/cert_cache.c): SNT_WAYS to a
 * set, the set chosen by snt_hash_bytes of the bytes (a power of two). */
#define SNT_CERT_KNOWN_SETS 16
struct snt_cert_chain_id {
    uint8_t sha256[SNT_CERT_CHAIN_ID_LEN];
};

/* What a verdict answers: a chain as sent, the name asked of it, the
 * capture day.  hash only finds candidates; an entry answers a question
 * with its own chain identity, name and day. */
struct snt_cert_question {
    const struct snt_span *chain;
    size_t n; /* certificates as sent; the first SNT_CERT_MAX_CHAIN are hashed */
    const struct snt_cert_name *name;
    int64_t day;
    struct snt_cert_chain_id id;                /* snt_cert_cache_chain_id */
    uint8_t leaf_sha256[SNT_CERT_CHAIN_ID_LEN]; /* the leaf's, which it read on the way */
    uint64_t hash;                              /* snt_cert_cache_hash */
};

struct snt_cert_cache;

struct snt_cert_cache *snt_cert_cache_new(size_t max_entries, size_t max_bytes);
void snt_cert_cache_free(struct snt_cert_cache *cache); /* accepts NULL */

/* The identity of q's chain, and its leaf's SHA-256 (false only when
 * OpenSSL cannot hash); and the hash of a question, under the cache's
 * random key, from its id, name and day (so asking twice about one chain
 * reads the chain once). */
bool snt_cert_cache_chain_id(struct snt_cert_cache *cache, struct snt_cert_question *q);
void snt_cert_cache_hash(const struct snt_cert_cache *cache, struct snt_cert_question *q);

/* The result remembered for q if it still holds at time t; an entry whose
 * window does not contain t is dropped and NULL returned.  A result the
 * cache returns (here and from a put) is good until the second get or put
 * after it, or until its entry goes: copy what you keep. */
const struct snt_cert_result *snt_cert_cache_get(struct snt_cert_cache *cache,
                                                 const struct snt_cert_question *q, int64_t t);

/* The window [from, to) a result the cache returned holds for. */
void snt_cert_cache_window(const struct snt_cert_result *r, int64_t *from, int64_t *to);

/* Remember *r (moved in: the cache owns its strings from now on) for q, as
 * valid for capture times in [from, to).  bytes is what it costs beside
 * its entry.  Evicts the least recently used entries to stay within
 * bounds, never the new one.  Returns the result as stored, or NULL (and
 * *r freed) when memory runs out. */
const struct snt_cert_result *snt_cert_cache_put(struct snt_cert_cache *cache,
                                                 const struct snt_cert_question *q,
                                                 struct snt_cert_result *r, size_t bytes,
                                                 int64_t from, int64_t to);

#endif
