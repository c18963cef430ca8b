/* Record and packet protection for TLS 1.3 (RFC 8446 sections 5.2, 7.1 and
 * 7.3), the TLS 1.2 AEAD suites (RFC 5246 section 6.3, RFC 5288, RFC 6655,
 * RFC 7905) and QUIC (RFC 9001 section 5, RFC 9369 section 3.3), with
 * OpenSSL 3 EVP.
 *
 * These are building blocks for reading handshakes whose secrets are known
 * (from a key log): derive the record keys of one direction from a traffic
 * secret or a TLS 1.2 master secret, then open records or QUIC payloads and
 * remove QUIC header protection.  Every input length may come off the wire:
 * nothing is read past what is given, and a failure leaves the output
 * parameters untouched (an output buffer may be overwritten, but never with
 * unauthenticated plaintext).
 *
 * OpenSSL's cipher and KDF objects are fetched once, on first use, and kept
 * for the life of the process; every function here is thread-safe.
 */
#ifndef SNITRACE_TLS_CRYPTO_H
#define SNITRACE_TLS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/reader.h"
#include "snitrace/result.h"

enum snt_aead {
    SNT_AEAD_NONE = 0,
    SNT_AEAD_AES_128_GCM,
    SNT_AEAD_AES_256_GCM,
    SNT_AEAD_CHACHA20_POLY1305,
    SNT_AEAD_AES_128_CCM,
    SNT_AEAD_AES_128_CCM_8,
    SNT_AEAD_AES_256_CCM,   /* TLS 1.2 only (RFC 6655) */
    SNT_AEAD_AES_256_CCM_8, /* TLS 1.2 only (RFC 6655) */
};

#define SNT_TRAFFIC_KEY_MAX 32
#define SNT_TRAFFIC_IV_MAX  12
#define SNT_AEAD_TAG_MAX    16
#define SNT_HASH_MAX        48 /* SHA-384, the largest TLS 1.3 suite hash */

/* The keys protecting one direction of a connection. */
struct snt_traffic_keys {
    enum snt_aead aead;
    uint8_t key[SNT_TRAFFIC_KEY_MAX];
    size_t key_len;
    uint8_t iv[SNT_TRAFFIC_IV_MAX];
    size_t iv_len; /* TLS 1.2 GCM/CCM: the 4-byte implicit salt */
    uint8_t hp[SNT_TRAFFIC_KEY_MAX];
    size_t hp_len; /* QUIC header protection key; 0 for TLS */
    size_t tag_len;
};

/* TLS 1.3 suites 0x1301..0x1305: AEAD, HKDF hash name ("SHA256"/"SHA384")
 * and its length.  false for any other suite; outputs may be NULL. */
bool snt_tls13_suite(uint16_t suite, enum snt_aead *aead, const char **digest, size_t *hash_len);

/* HKDF-Extract (RFC 5869 section 2.2) with the named digest; out_len must be
 * the digest's length.  An empty salt means a string of zeros. */
bool snt_hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                      size_t ikm_len, uint8_t *out, size_t out_len);

/* HKDF-Expand-Label (RFC 8446 section 7.1); label without the "tls13 "
 * prefix.  HMAC over a digest fetched once (src/hkdf.c) for SHA-256 and
 * SHA-384, else EVP HKDF.  false when the label is over 249 bytes, the
 * context over 255, or out_len over 255 hash lengths. */
bool snt_tls13_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                            const char *label, const uint8_t *context, size_t context_len,
                            uint8_t *out, size_t out_len);

/* Record keys from a TLS 1.3 traffic secret (RFC 8446 section 7.3): "key"
 * and "iv".  secret_len must be the suite's hash length. */
bool snt_tls13_traffic_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                            struct snt_traffic_keys *out);

/* QUIC packet protection keys from a TLS secret (RFC 9001 section 5.1):
 * "quic key", "quic iv" and "quic hp", or RFC 9369's "quicv2 ..." labels when
 * v2_labels.  false for TLS_AES_128_CCM_8_SHA256, which QUIC does not use
 * (RFC 9001 section 5.3). */
bool snt_quic_packet_keys(uint16_t suite, bool v2_labels, const uint8_t *secret, size_t secret_len,
                          struct snt_traffic_keys *out);

/* AEAD open; nonce = iv XOR seq (big-endian, right-aligned); in = ciphertext
 * || tag.  out must hold in_len - tag_len bytes.  false when too short,
 * the keys have no 12-byte IV (TLS 1.2 GCM/CCM: see snt_tls12_open_record)
 * or authentication fails. */
bool snt_aead_open(const struct snt_traffic_keys *k, uint64_t seq, const uint8_t *aad,
                   size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);

/* The same with the associated data in n_aad pieces, authenticated in order
 * (a QUIC header whose first byte and packet number were unmasked apart). */
bool snt_aead_open_parts(const struct snt_traffic_keys *k, uint64_t seq, const struct snt_span *aad,
                         size_t n_aad, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len);

/* One whole TLS 1.3 protected record (5-byte header + encrypted_record, RFC
 * 8446 section 5.2): decrypt, strip the zero padding, give the inner content
 * type.  SNT_OK; SNT_NOT_MINE when authentication fails (other keys, another
 * sequence number) or the outer type is not application_data (23: not a
 * protected record); SNT_MALFORMED (short, over 2^14+256, no content type,
 * over out_cap). */
enum snt_result snt_tls13_open_record(const struct snt_traffic_keys *k, uint64_t seq,
                                      const uint8_t *record, size_t record_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len, uint8_t *content_type);

/* QUIC header protection mask (RFC 9001 sections 5.4.3 AES-ECB and 5.4.4
 * ChaCha20) from the 16-byte sample.  false when the keys have no header
 * protection key. */
bool snt_quic_hp_mask(const struct snt_traffic_keys *k, const uint8_t sample[16], uint8_t mask[5]);

/* TLS 1.2 AEAD suites: the key block of RFC 5246 section 6.3 from the
 * TLS1-PRF EVP_KDF (SHA-384 PRF for the _SHA384 suites), split into each
 * side's write key and IV: the 4-byte implicit salt for GCM (RFC 5288
 * section 3) and CCM (RFC 6655 section 3), the 12-byte IV for
 * ChaCha20-Poly1305 (RFC 7905 section 2).  false for every CBC, stream or
 * NULL suite (they need MAC keys this module does not derive) and for
 * unknown suites. */
bool snt_tls12_keys(uint16_t suite, const uint8_t master[48], const uint8_t client_random[32],
                    const uint8_t server_random[32], struct snt_traffic_keys *client,
                    struct snt_traffic_keys *server);

/* One whole TLS 1.2 AEAD record (5-byte header + payload).  GCM and CCM
 * carry an 8-byte explicit nonce before the ciphertext (nonce = salt ||
 * explicit); ChaCha20-Poly1305 has none (nonce = iv XOR seq).  AAD =
 * seq || type || version || plaintext length (RFC 5246 section 6.2.3.3).
 * SNT_OK; SNT_NOT_MINE when authentication fails; SNT_MALFORMED (short,
 * over 2^14+2048, over out_cap, keys of no TLS 1.2 AEAD suite). */
enum snt_result snt_tls12_open_record(const struct snt_traffic_keys *k, uint64_t seq,
                                      const uint8_t *record, size_t record_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len);

#endif
