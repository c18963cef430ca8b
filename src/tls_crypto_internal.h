/* Shared by tls_crypto.c and tls12_crypto.c; not part of the public API. */
#ifndef SNITRACE_TLS_CRYPTO_INTERNAL_H
#define SNITRACE_TLS_CRYPTO_INTERNAL_H

#include <openssl/kdf.h>
#include <openssl/params.h>

#include "snitrace/tls_crypto.h"

/* The cached TLS1-PRF EVP_KDF, or NULL when the provider has none. */
EVP_KDF *snt_evp_tls1_prf(void);

/* EVP_KDF_derive with a fresh context; false when kdf is NULL. */
bool snt_kdf_derive(EVP_KDF *kdf, const OSSL_PARAM *params, uint8_t *out, size_t out_len);

/* HKDF through OpenSSL's EVP_KDF "HKDF": what hkdf.c falls back on for a
 * digest it has not fetched, and what the tests check it against. */
bool snt_hkdf_extract_evp(const char *digest, const uint8_t *salt, size_t salt_len,
                          const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t out_len);
/* snt_tls13_expand_label on EVP HKDF, with the HkdfLabel built here. */
bool snt_tls13_expand_label_hkdf(const char *digest, const uint8_t *secret, size_t secret_len,
                                 const char *label, const uint8_t *context, size_t context_len,
                                 uint8_t *out, size_t out_len);

/* ---- hkdf.c: HMAC and HKDF over the digests fetched once ---------------- */

/* Whether hkdf.c has the named digest ("SHA256", "SHA384"). */
bool snt_hkdf_has_digest(const char *digest);
/* HKDF-Expand (RFC 5869 section 2.3): out_len bytes from prk and info;
 * false for a digest it has not, an empty prk, or over 255 hash lengths. */
bool snt_hkdf_expand(const char *digest, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                     size_t info_len, uint8_t *out, size_t out_len);

/* Key and tag lengths of an AEAD; 0 for SNT_AEAD_NONE. */
size_t snt_aead_key_len(enum snt_aead a);
size_t snt_aead_tag_len(enum snt_aead a);

/* nonce = iv XOR seq, the sequence number big-endian and right-aligned
 * (RFC 8446 section 5.3, RFC 7905 section 2). */
void snt_aead_nonce(const uint8_t iv[12], uint64_t seq, uint8_t nonce[12]);

/* snt_aead_open_parts with the 12-byte nonce given whole (TLS 1.2 GCM/CCM
 * build it from the salt and the record's explicit part). */
bool snt_aead_open_nonce(const struct snt_traffic_keys *k, const uint8_t nonce[12],
                         const struct snt_span *aad, size_t n_aad, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t *out_len);

#endif
