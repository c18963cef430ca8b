/* Key derivation and AEAD for TLS 1.3 records (RFC 8446 sections 5.2, 7.1,
 * 7.3) and QUIC packets (RFC 9001 sections 5.1 and 5.4, RFC 9369 section
 * 3.3), with OpenSSL 3 EVP.  The TLS 1.2 suites are in tls12_crypto.c.
 *
 * The EVP_CIPHER and EVP_KDF objects are fetched once (pthread_once) and
 * never freed: fetching costs a provider lookup under a lock, which is too
 * much for every record of a busy capture.  HKDF itself is src/hkdf.c's.
 */
#include "snitrace/tls_crypto.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tls_crypto_internal.h"

#define TLS13_LABEL_PREFIX "tls13 "
#define TLS13_LABEL_MAX    255 /* opaque label<7..255>, prefix included */
#define TLS13_CONTEXT_MAX  255 /* opaque context<0..255> */
#define TLS13_IV_LEN       12
#define TLS13_RECORD_HDR   5
#define TLS13_MAX_INNER    ((1u << 14) + 1)   /* TLSInnerPlaintext (section 5.4) */
#define TLS13_MAX_CIPHER   ((1u << 14) + 256) /* encrypted_record (section 5.2) */
#define TLS_CT_APPDATA     23
#define AEAD_NONCE_LEN     12
#define HP_SAMPLE_LEN      16
#define HP_MASK_LEN        5
#define AES_BLOCK          16

/* ---- the EVP objects, fetched once --------------------------------------- */

static struct {
    EVP_CIPHER *aead[SNT_AEAD_AES_256_CCM_8 + 1];
    EVP_CIPHER *aes_128_ecb, *aes_256_ecb, *chacha20;
    EVP_KDF *hkdf, *tls1_prf;
} evp;
static pthread_once_t evp_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    static const char *const aead_names[] = {
        [SNT_AEAD_AES_128_GCM] = "AES-128-GCM",
        [SNT_AEAD_AES_256_GCM] = "AES-256-GCM",
        [SNT_AEAD_CHACHA20_POLY1305] = "ChaCha20-Poly1305",
        [SNT_AEAD_AES_128_CCM] = "AES-128-CCM",
        [SNT_AEAD_AES_128_CCM_8] = "AES-128-CCM",
        [SNT_AEAD_AES_256_CCM] = "AES-256-CCM",
        [SNT_AEAD_AES_256_CCM_8] = "AES-256-CCM",
    };
    for (size_t i = 1; i < sizeof aead_names / sizeof aead_names[0]; i++)
        evp.aead[i] = EVP_CIPHER_fetch(NULL, aead_names[i], NULL);
    evp.aes_128_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    evp.aes_256_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
    evp.chacha20 = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
    evp.hkdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
    evp.tls1_prf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_PRF, NULL);
}

static void fetch_once(void)
{
    (void)pthread_once(&evp_once, fetch_all);
}

EVP_KDF *snt_evp_tls1_prf(void)
{
    fetch_once();
    return evp.tls1_prf;
}

/* ---- suites ---------------------------------------------------------------- */

bool snt_tls13_suite(uint16_t suite, enum snt_aead *aead, const char **digest, size_t *hash_len)
{
    enum snt_aead a;
    bool sha384 = false;
    switch (suite) {
    case 0x1301: a = SNT_AEAD_AES_128_GCM; break;
    case 0x1302: a = SNT_AEAD_AES_256_GCM, sha384 = true; break;
    case 0x1303: a = SNT_AEAD_CHACHA20_POLY1305; break;
    case 0x1304: a = SNT_AEAD_AES_128_CCM; break;
    case 0x1305: a = SNT_AEAD_AES_128_CCM_8; break;
    default: return false;
    }
    if (aead)
        *aead = a;
    if (digest)
        *digest = sha384 ? "SHA384" : "SHA256";
    if (hash_len)
        *hash_len = sha384 ? 48 : 32;
    return true;
}

size_t snt_aead_key_len(enum snt_aead a)
{
    switch (a) {
    case SNT_AEAD_AES_128_GCM:
    case SNT_AEAD_AES_128_CCM:
    case SNT_AEAD_AES_128_CCM_8: return 16;
    case SNT_AEAD_AES_256_GCM:
    case SNT_AEAD_CHACHA20_POLY1305:
    case SNT_AEAD_AES_256_CCM:
    case SNT_AEAD_AES_256_CCM_8: return 32;
    case SNT_AEAD_NONE: break;
    }
    return 0;
}

size_t snt_aead_tag_len(enum snt_aead a)
{
    if (a == SNT_AEAD_NONE)
        return 0;
    return a == SNT_AEAD_AES_128_CCM_8 || a == SNT_AEAD_AES_256_CCM_8 ? 8 : 16;
}

static bool is_ccm(enum snt_aead a)
{
    return a == SNT_AEAD_AES_128_CCM || a == SNT_AEAD_AES_128_CCM_8 || a == SNT_AEAD_AES_256_CCM ||
           a == SNT_AEAD_AES_256_CCM_8;
}

/* ---- HKDF ------------------------------------------------------------------ */

bool snt_kdf_derive(EVP_KDF *kdf, const OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
    if (!kdf)
        return false;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

bool snt_hkdf_extract_evp(const char *digest, const uint8_t *salt, size_t salt_len,
                          const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t out_len)
{
    int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
    uint8_t empty = 0;
    OSSL_PARAM params[5], *p = params;
    fetch_once();
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    /* HMAC pads its key with zeros, so an empty salt is the zero string
     * RFC 5869 asks for; OpenSSL wants a non-NULL key all the same. */
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm_len ? (void *)ikm : &empty,
                                             ikm_len);
    if (salt_len)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    *p = OSSL_PARAM_construct_end();
    return snt_kdf_derive(evp.hkdf, params, out, out_len);
}

static bool label_fits(size_t secret_len, size_t label_len, size_t context_len, size_t out_len)
{
    return secret_len > 0 && label_len <= TLS13_LABEL_MAX - strlen(TLS13_LABEL_PREFIX) &&
           context_len <= TLS13_CONTEXT_MAX && out_len > 0 && out_len <= UINT16_MAX;
}

#define HKDF_LABEL_MAX (2 + 1 + TLS13_LABEL_MAX + 1 + TLS13_CONTEXT_MAX)

/* RFC 8446 section 7.1: struct { uint16 length; opaque label<7..255>;
 * opaque context<0..255>; } HkdfLabel, at info; its length, 0 when the
 * label, the context or the length does not fit. */
static size_t hkdf_label(uint8_t info[HKDF_LABEL_MAX], size_t secret_len, const char *label,
                         const uint8_t *context, size_t context_len, size_t out_len)
{
    size_t prefix_len = strlen(TLS13_LABEL_PREFIX), label_len = strlen(label), n = 0;
    if (!label_fits(secret_len, label_len, context_len, out_len))
        return 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(prefix_len + label_len);
    memcpy(info + n, TLS13_LABEL_PREFIX, prefix_len);
    n += prefix_len;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len)
        memcpy(info + n, context, context_len);
    return n + context_len;
}

bool snt_tls13_expand_label_hkdf(const char *digest, const uint8_t *secret, size_t secret_len,
                                 const char *label, const uint8_t *context, size_t context_len,
                                 uint8_t *out, size_t out_len)
{
    uint8_t info[HKDF_LABEL_MAX];
    size_t n = hkdf_label(info, secret_len, label, context, context_len, out_len);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[5], *p = params;
    if (!n)
        return false;
    fetch_once();
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
    *p = OSSL_PARAM_construct_end();
    return snt_kdf_derive(evp.hkdf, params, out, out_len);
}

bool snt_tls13_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                            const char *label, const uint8_t *context, size_t context_len,
                            uint8_t *out, size_t out_len)
{
    if (!snt_hkdf_has_digest(digest)) /* a provider without it, or another digest */
        return snt_tls13_expand_label_hkdf(digest, secret, secret_len, label, context, context_len,
                                           out, out_len);
    uint8_t info[HKDF_LABEL_MAX];
    size_t n = hkdf_label(info, secret_len, label, context, context_len, out_len);
    return n && snt_hkdf_expand(digest, secret, secret_len, info, n, out, out_len);
}

/* ---- traffic keys ------------------------------------------------------------ */

/* key, iv and (for QUIC) hp from one secret under the given label names. */
static bool derive_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                        const char *key_label, const char *iv_label, const char *hp_label,
                        struct snt_traffic_keys *out)
{
    struct snt_traffic_keys k;
    const char *digest;
    size_t hash_len;
    memset(&k, 0, sizeof k);
    if (!snt_tls13_suite(suite, &k.aead, &digest, &hash_len) || secret_len != hash_len)
        return false;
    k.key_len = snt_aead_key_len(k.aead);
    k.iv_len = TLS13_IV_LEN;
    k.tag_len = snt_aead_tag_len(k.aead);
    /* RFC 9001 section 5.4.3/5.4.4: the hp key is as long as the AEAD key. */
    k.hp_len = hp_label ? k.key_len : 0;
    bool ok =
        snt_tls13_expand_label(digest, secret, secret_len, key_label, NULL, 0, k.key, k.key_len) &&
        snt_tls13_expand_label(digest, secret, secret_len, iv_label, NULL, 0, k.iv, k.iv_len) &&
        (!hp_label ||
         snt_tls13_expand_label(digest, secret, secret_len, hp_label, NULL, 0, k.hp, k.hp_len));
    if (ok)
        *out = k;
    return ok;
}

bool snt_tls13_traffic_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                            struct snt_traffic_keys *out)
{
    return derive_keys(suite, secret, secret_len, "key", "iv", NULL, out);
}

bool snt_quic_packet_keys(uint16_t suite, bool v2_labels, const uint8_t *secret, size_t secret_len,
                          struct snt_traffic_keys *out)
{
    if (suite == 0x1305)
        return false; /* RFC 9001 section 5.3: not for QUIC */
    if (v2_labels)
        return derive_keys(suite, secret, secret_len, "quicv2 key", "quicv2 iv", "quicv2 hp", out);
    return derive_keys(suite, secret, secret_len, "quic key", "quic iv", "quic hp", out);
}

/* ---- AEAD --------------------------------------------------------------------- */

/* CCM takes its associated data in one call, so pieces are joined first. */
static bool ccm_aad(EVP_CIPHER_CTX *ctx, const struct snt_span *aad, size_t n_aad)
{
    size_t total = 0, at = 0;
    int n = 0;
    for (size_t i = 0; i < n_aad; i++) {
        if (aad[i].len > INT_MAX - total)
            return false;
        total += aad[i].len;
    }
    if (total == 0)
        return true;
    uint8_t *joined = malloc(total);
    if (!joined)
        return false;
    for (size_t i = 0; i < n_aad; i++) {
        if (aad[i].len)
            memcpy(joined + at, aad[i].p, aad[i].len);
        at += aad[i].len;
    }
    bool ok = EVP_DecryptUpdate(ctx, NULL, &n, joined, (int)total) == 1;
    free(joined);
    return ok;
}

static bool stream_aad(EVP_CIPHER_CTX *ctx, const struct snt_span *aad, size_t n_aad)
{
    int n = 0;
    for (size_t i = 0; i < n_aad; i++)
        if (aad[i].len && (aad[i].len > INT_MAX ||
                           EVP_DecryptUpdate(ctx, NULL, &n, aad[i].p, (int)aad[i].len) != 1))
            return false;
    return true;
}

/* GCM and ChaCha20-Poly1305 check the tag at the end (RFC 5116); CCM wants
 * the tag and the payload length before anything else (RFC 3610). */
static bool decrypt(EVP_CIPHER_CTX *ctx, const struct snt_traffic_keys *k,
                    const uint8_t nonce[AEAD_NONCE_LEN], const struct snt_span *aad, size_t n_aad,
                    struct snt_span ct, const uint8_t *tag, uint8_t *out)
{
    bool ccm = is_ccm(k->aead);
    int n = 0;
    if (EVP_DecryptInit_ex(ctx, evp.aead[k->aead], NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) != 1 ||
        (ccm &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)k->tag_len, (void *)tag) != 1) ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, nonce) != 1)
        return false;
    if (ccm)
        return EVP_DecryptUpdate(ctx, NULL, &n, NULL, (int)ct.len) == 1 &&
               ccm_aad(ctx, aad, n_aad) && EVP_DecryptUpdate(ctx, out, &n, ct.p, (int)ct.len) == 1;
    return stream_aad(ctx, aad, n_aad) &&
           (ct.len == 0 || EVP_DecryptUpdate(ctx, out, &n, ct.p, (int)ct.len) == 1) &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)k->tag_len, (void *)tag) == 1 &&
           EVP_DecryptFinal_ex(ctx, out + ct.len, &n) == 1;
}

bool snt_aead_open_nonce(const struct snt_traffic_keys *k, const uint8_t nonce[AEAD_NONCE_LEN],
                         const struct snt_span *aad, size_t n_aad, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t *out_len)
{
    uint8_t spare[1];
    fetch_once();
    if (k->aead <= SNT_AEAD_NONE || k->aead > SNT_AEAD_AES_256_CCM_8 || !evp.aead[k->aead] ||
        k->key_len != snt_aead_key_len(k->aead) || k->tag_len != snt_aead_tag_len(k->aead) ||
        in_len < k->tag_len || in_len > INT_MAX)
        return false;
    struct snt_span ct = {in, in_len - k->tag_len};
    uint8_t *dst = ct.len ? out : spare; /* CCM wants somewhere to write even nothing */
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && decrypt(ctx, k, nonce, aad, n_aad, ct, in + ct.len, dst);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        if (ct.len)
            memset(out, 0, ct.len); /* never hand out unauthenticated plaintext */
        return false;
    }
    *out_len = ct.len;
    return true;
}

void snt_aead_nonce(const uint8_t iv[AEAD_NONCE_LEN], uint64_t seq, uint8_t nonce[AEAD_NONCE_LEN])
{
    memcpy(nonce, iv, AEAD_NONCE_LEN);
    for (size_t i = 0; i < 8; i++)
        nonce[AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
}

bool snt_aead_open_parts(const struct snt_traffic_keys *k, uint64_t seq, const struct snt_span *aad,
                         size_t n_aad, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len)
{
    uint8_t nonce[AEAD_NONCE_LEN];
    if (k->iv_len != AEAD_NONCE_LEN)
        return false;
    snt_aead_nonce(k->iv, seq, nonce);
    return snt_aead_open_nonce(k, nonce, aad, n_aad, in, in_len, out, out_len);
}

bool snt_aead_open(const struct snt_traffic_keys *k, uint64_t seq, const uint8_t *aad,
                   size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    struct snt_span a = {aad, aad_len};
    return snt_aead_open_parts(k, seq, &a, 1, in, in_len, out, out_len);
}

/* ---- TLS 1.3 records ------------------------------------------------------------ */

/* TLSInnerPlaintext (section 5.4): content, then the non-zero content type,
 * then zero padding.  The type is the last non-zero byte. */
static bool strip_padding(const uint8_t *p, size_t len, size_t *content_len, uint8_t *type)
{
    while (len > 0 && p[len - 1] == 0)
        len--;
    if (len == 0)
        return false;
    *type = p[len - 1];
    *content_len = len - 1;
    return true;
}

enum snt_result snt_tls13_open_record(const struct snt_traffic_keys *k, uint64_t seq,
                                      const uint8_t *record, size_t record_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len, uint8_t *content_type)
{
    struct snt_reader r = snt_reader_make(record, record_len);
    struct snt_span header, payload;
    uint8_t type = 0;
    uint16_t version = 0, length = 0;
    size_t plain_len, content_len;
    /* The header is read twice: as fields, and whole as the AAD. */
    struct snt_reader h = r;
    if (!snt_read_u8(&h, &type) || !snt_read_u16(&h, &version) || !snt_read_u16(&h, &length) ||
        !snt_read_span(&r, TLS13_RECORD_HDR, &header))
        return SNT_MALFORMED;
    if (type != TLS_CT_APPDATA)
        return SNT_NOT_MINE;
    if (length > TLS13_MAX_CIPHER || length < k->tag_len + 1 ||
        !snt_read_span(&r, length, &payload) || !snt_reader_done(&r))
        return SNT_MALFORMED;
    if (length - k->tag_len > TLS13_MAX_INNER || length - k->tag_len > out_cap)
        return SNT_MALFORMED;
    if (!snt_aead_open(k, seq, header.p, header.len, payload.p, payload.len, out, &plain_len))
        return SNT_NOT_MINE;
    if (!strip_padding(out, plain_len, &content_len, &type))
        return SNT_MALFORMED;
    *out_len = content_len;
    *content_type = type;
    return SNT_OK;
}

/* ---- QUIC header protection --------------------------------------------------------- */

/* RFC 9001 section 5.4.4: the sample is the 4-byte little-endian block
 * counter and the 12-byte nonce; the mask is ChaCha20 of five zero bytes. */
static bool chacha_mask(EVP_CIPHER_CTX *ctx, const struct snt_traffic_keys *k,
                        const uint8_t sample[HP_SAMPLE_LEN], uint8_t mask[HP_MASK_LEN])
{
    static const uint8_t zeros[HP_MASK_LEN];
    int n = 0;
    return evp.chacha20 && k->hp_len == 32 &&
           EVP_EncryptInit_ex(ctx, evp.chacha20, NULL, k->hp, sample) == 1 &&
           EVP_EncryptUpdate(ctx, mask, &n, zeros, HP_MASK_LEN) == 1 && n == HP_MASK_LEN;
}

/* RFC 9001 section 5.4.3: mask = AES-ECB(hp, sample). */
static bool aes_mask(EVP_CIPHER_CTX *ctx, const struct snt_traffic_keys *k,
                     const uint8_t sample[HP_SAMPLE_LEN], uint8_t block[AES_BLOCK])
{
    EVP_CIPHER *ecb = k->hp_len == 16 ? evp.aes_128_ecb : k->hp_len == 32 ? evp.aes_256_ecb : NULL;
    int n = 0;
    return ecb && EVP_EncryptInit_ex(ctx, ecb, NULL, k->hp, NULL) == 1 &&
           EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
           EVP_EncryptUpdate(ctx, block, &n, sample, HP_SAMPLE_LEN) == 1 && n == AES_BLOCK;
}

bool snt_quic_hp_mask(const struct snt_traffic_keys *k, const uint8_t sample[16], uint8_t mask[5])
{
    uint8_t block[AES_BLOCK];
    bool ok;
    fetch_once();
    if (k->aead == SNT_AEAD_NONE || k->hp_len == 0)
        return false;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return false;
    if (k->aead == SNT_AEAD_CHACHA20_POLY1305) {
        ok = chacha_mask(ctx, k, sample, block);
    } else {
        ok = aes_mask(ctx, k, sample, block);
    }
    EVP_CIPHER_CTX_free(ctx);
    if (ok)
        memcpy(mask, block, HP_MASK_LEN);
    return ok;
}
