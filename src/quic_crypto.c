/* QUIC Initial packet protection: the per-version Initial salts, Initial
 * key derivation (RFC 9001 section 5.2, RFC 9369 section 3.3), header
 * protection removal with AES-128-ECB (RFC 9001 section 5.4) and AEAD
 * AES-128-GCM payload decryption (RFC 9001 section 5.3), with OpenSSL 3.
 *
 * Initial keys are derived from public values only, so any observer can
 * read a client's first flight.  That is the whole point here.
 */
#include "snitrace/quic.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "snitrace/reader.h"

#define SHA256_LEN          32
#define AEAD_TAG_LEN        16
#define HP_SAMPLE_LEN       16
#define HP_SAMPLE_OFFSET    4 /* the sample assumes a 4-byte packet number */
#define HP_MASK_LEN         5
#define LONG_HEADER_HP_BITS 0x0f /* reserved bits and packet number length */
#define PN_LEN_MASK         0x03
#define MAX_PN_LEN          4
#define PN_MAX              ((uint64_t)1 << 62)
#define TLS13_LABEL_PREFIX  "tls13 "

/* RFC 9001 section 5.2. */
static const uint8_t salt_v1[SNT_QUIC_SALT_LEN] = {
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
/* RFC 9369 section 3.3.1. */
static const uint8_t salt_v2[SNT_QUIC_SALT_LEN] = {
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};
/* draft-ietf-quic-tls-29 to -32. */
static const uint8_t salt_draft29[SNT_QUIC_SALT_LEN] = {
    0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
    0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};
/* draft-ietf-quic-tls-23 to -28; also mvfst's own versions. */
static const uint8_t salt_draft23[SNT_QUIC_SALT_LEN] = {
    0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
    0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
};
/* draft-ietf-quic-tls-21 and -22; mvfst 0xfaceb001 kept it. */
static const uint8_t salt_draft21[SNT_QUIC_SALT_LEN] = {
    0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
    0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a,
};
/* Google QUIC with TLS 1.3 inside, versions T050 and T051. */
static const uint8_t salt_t050[SNT_QUIC_SALT_LEN] = {
    0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
    0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10,
};
static const uint8_t salt_t051[SNT_QUIC_SALT_LEN] = {
    0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
    0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d,
};

#define V2_INITIAL_TYPE 1 /* RFC 9369 section 3.2: Initial is 0b01 in v2 */

/* Every version whose Initial protection is public.  Drafts 33 and 34
 * already used the final RFC 9001 salt. */
static const struct snt_quic_version versions[] = {
    {SNT_QUIC_VERSION_1, "1", 0, false, false, salt_v1, SNT_QUIC_FRAMES_IETF},
    {SNT_QUIC_VERSION_2, "2", V2_INITIAL_TYPE, false, true, salt_v2, SNT_QUIC_FRAMES_IETF},
    {0xff000015u, "draft-21", 0, true, false, salt_draft21, SNT_QUIC_FRAMES_IETF},
    {0xff000016u, "draft-22", 0, false, false, salt_draft21, SNT_QUIC_FRAMES_IETF},
    {0xff000017u, "draft-23", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff000018u, "draft-24", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff000019u, "draft-25", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001au, "draft-26", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001bu, "draft-27", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001cu, "draft-28", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001du, "draft-29", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff00001eu, "draft-30", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff00001fu, "draft-31", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff000020u, "draft-32", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff000021u, "draft-33", 0, false, false, salt_v1, SNT_QUIC_FRAMES_IETF},
    {0xff000022u, "draft-34", 0, false, false, salt_v1, SNT_QUIC_FRAMES_IETF},
    {0xfaceb001u, "mvfst-d24", 0, false, false, salt_draft21, SNT_QUIC_FRAMES_IETF},
    {0xfaceb002u, "mvfst", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xfaceb00eu, "mvfst-experimental", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0x54303530u, "T050", 0, false, false, salt_t050, SNT_QUIC_FRAMES_GQUIC},
    {0x54303531u, "T051", 0, false, false, salt_t051, SNT_QUIC_FRAMES_GQUIC},
};

const struct snt_quic_version *snt_quic_version_lookup(uint32_t version)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i].number == version)
            return &versions[i];
    return NULL;
}

/* ---- key derivation ------------------------------------------------------ */

static bool hkdf(EVP_KDF *kdf, int mode, const uint8_t *salt, size_t salt_len, const uint8_t *key,
                 size_t key_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    if (!ctx)
        return false;
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/* TLS 1.3 HKDF-Expand-Label with an empty context (RFC 8446 section 7.1):
 * struct { uint16 length; opaque label<7..255>; opaque context<0..255>; }. */
static bool expand_label(EVP_KDF *kdf, const uint8_t secret[SHA256_LEN], const char *label,
                         uint8_t *out, size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1];
    size_t prefix_len = strlen(TLS13_LABEL_PREFIX), label_len = strlen(label);
    size_t full = prefix_len + label_len, n = 0;
    if (full > 255 || out_len > 0xffff)
        return false;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)full;
    memcpy(info + n, TLS13_LABEL_PREFIX, prefix_len);
    n += prefix_len;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = 0; /* empty context */
    return hkdf(kdf, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret, SHA256_LEN, info, n, out,
                out_len);
}

bool snt_quic_client_initial_keys(const struct snt_quic_version *v, const uint8_t *dcid,
                                  size_t dcid_len, struct snt_quic_keys *out)
{
    uint8_t initial[SHA256_LEN], client[SHA256_LEN];
    struct snt_quic_keys k;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (!kdf)
        return false;
    bool ok =
        hkdf(kdf, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, v->salt, SNT_QUIC_SALT_LEN, dcid, dcid_len, NULL,
             0, initial, sizeof initial) &&
        expand_label(kdf, initial, "client in", client, sizeof client) &&
        expand_label(kdf, client, v->v2_labels ? "quicv2 key" : "quic key", k.key, sizeof k.key) &&
        expand_label(kdf, client, v->v2_labels ? "quicv2 iv" : "quic iv", k.iv, sizeof k.iv) &&
        expand_label(kdf, client, v->v2_labels ? "quicv2 hp" : "quic hp", k.hp, sizeof k.hp);
    EVP_KDF_free(kdf);
    if (ok)
        *out = k;
    return ok;
}

/* ---- header protection and AEAD ------------------------------------------ */

static bool hp_mask(const uint8_t hp[SNT_QUIC_HP_LEN], const uint8_t *sample,
                    uint8_t mask[HP_MASK_LEN])
{
    uint8_t block[HP_SAMPLE_LEN + 16];
    int n = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, hp, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, block, &n, sample, HP_SAMPLE_LEN) == 1 && n == HP_SAMPLE_LEN;
    EVP_CIPHER_CTX_free(ctx);
    if (ok)
        memcpy(mask, block, HP_MASK_LEN);
    return ok;
}

/* The pieces of an unprotected header: authenticated, not encrypted. */
struct aad {
    uint8_t first;
    struct snt_span middle; /* version .. Length field */
    uint8_t pn[MAX_PN_LEN];
    size_t pn_len;
};

static bool aead_open(const struct snt_quic_keys *k, uint64_t pn, const struct aad *a,
                      struct snt_span ct, struct snt_span tag, uint8_t *out)
{
    uint8_t nonce[SNT_QUIC_IV_LEN];
    int n = 0;
    memcpy(nonce, k->iv, sizeof nonce);
    for (size_t i = 0; i < 8; i++)
        nonce[SNT_QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SNT_QUIC_IV_LEN, NULL) == 1 &&
              EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, nonce) == 1 &&
              EVP_DecryptUpdate(ctx, NULL, &n, &a->first, 1) == 1 &&
              EVP_DecryptUpdate(ctx, NULL, &n, a->middle.p, (int)a->middle.len) == 1 &&
              EVP_DecryptUpdate(ctx, NULL, &n, a->pn, (int)a->pn_len) == 1 &&
              EVP_DecryptUpdate(ctx, out, &n, ct.p, (int)ct.len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN, (void *)tag.p) == 1 &&
              EVP_DecryptFinal_ex(ctx, out + n, &n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 9000 appendix A.3: the full packet number closest to the next one
 * expected. */
static uint64_t decode_pn(int64_t largest_pn, uint64_t truncated, size_t pn_len)
{
    uint64_t expected = (uint64_t)(largest_pn + 1);
    uint64_t win = (uint64_t)1 << (8 * pn_len), hwin = win / 2, mask = win - 1;
    uint64_t candidate = (expected & ~mask) | truncated;
    if (candidate + hwin <= expected && candidate < PN_MAX - win)
        return candidate + win;
    if (candidate > expected + hwin && candidate >= win)
        return candidate - win;
    return candidate;
}

enum snt_result snt_quic_unprotect(const struct snt_quic_keys *k, const uint8_t *pkt,
                                   size_t pkt_len, size_t pn_offset, int64_t largest_pn,
                                   uint8_t *plain, size_t plain_cap, size_t *plain_len,
                                   uint64_t *pn)
{
    struct snt_reader r = snt_reader_make(pkt, pkt_len), s;
    struct snt_span sample, pn_bytes, ct, tag;
    struct aad a;
    uint8_t mask[HP_MASK_LEN];
    if (pn_offset < 1 || !snt_read_u8(&r, &a.first) || !snt_read_span(&r, pn_offset - 1, &a.middle))
        return SNT_MALFORMED;
    s = r;
    if (!snt_skip(&s, HP_SAMPLE_OFFSET) || !snt_read_span(&s, HP_SAMPLE_LEN, &sample))
        return SNT_MALFORMED;
    if (!hp_mask(k->hp, sample.p, mask))
        return SNT_NOT_MINE;
    a.first ^= mask[0] & LONG_HEADER_HP_BITS;
    a.pn_len = (size_t)(a.first & PN_LEN_MASK) + 1;
    uint64_t truncated = 0;
    if (!snt_read_span(&r, a.pn_len, &pn_bytes))
        return SNT_MALFORMED;
    for (size_t i = 0; i < a.pn_len; i++) {
        a.pn[i] = pn_bytes.p[i] ^ mask[1 + i];
        truncated = truncated << 8 | a.pn[i];
    }
    size_t left = snt_reader_left(&r);
    if (left < AEAD_TAG_LEN || left - AEAD_TAG_LEN > plain_cap ||
        !snt_read_span(&r, left - AEAD_TAG_LEN, &ct) || !snt_read_span(&r, AEAD_TAG_LEN, &tag))
        return SNT_MALFORMED;
    uint64_t full = decode_pn(largest_pn, truncated, a.pn_len);
    if (!aead_open(k, full, &a, ct, tag, plain))
        return SNT_NOT_MINE;
    *plain_len = ct.len;
    *pn = full;
    return SNT_OK;
}
