/* TLS 1.2 AEAD record protection: the key block (RFC 5246 section 6.3) for
 * the AES-GCM suites (RFC 5288, RFC 5289, RFC 5487, RFC 8442), the AES-CCM
 * suites (RFC 6655, RFC 7251, RFC 8442) and the ChaCha20-Poly1305 suites
 * (RFC 7905), and opening their records (RFC 5246 section 6.2.3.3).
 *
 * CBC, stream and NULL suites are left out on purpose: they need MAC keys
 * and padding checks, and every TLS 1.2 client of today offers an AEAD.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "snitrace/tls_crypto.h"
#include "tls_crypto_internal.h"

#define MASTER_LEN      48
#define RANDOM_LEN      32
#define KEY_EXPANSION   "key expansion"
#define SALT_LEN        4 /* GCM/CCM fixed_iv_length (RFC 5288 section 3) */
#define EXPLICIT_LEN    8 /* GCM/CCM nonce_explicit, carried in each record */
#define CHACHA_IV_LEN   12
#define NONCE_LEN       12
#define RECORD_HDR      5
#define MAX_CIPHERTEXT  ((1u << 14) + 2048) /* RFC 5246 section 6.2.3 */
#define ADDITIONAL_DATA 13                  /* seq(8) type(1) version(2) length(2) */
#define KEY_BLOCK_MAX   (2 * 32 + 2 * 12)

struct tls12_suite {
    uint16_t id;
    enum snt_aead aead;
    bool sha384; /* the _SHA384 suites use it for the PRF (RFC 5288 section 3) */
};

static const struct tls12_suite suites[] = {
    /* AES-GCM: RFC 5288 (RSA, DH, DHE, DH_anon), RFC 5487 (PSK) */
    {0x009c, SNT_AEAD_AES_128_GCM, false},
    {0x009d, SNT_AEAD_AES_256_GCM, true},
    {0x009e, SNT_AEAD_AES_128_GCM, false},
    {0x009f, SNT_AEAD_AES_256_GCM, true},
    {0x00a0, SNT_AEAD_AES_128_GCM, false},
    {0x00a1, SNT_AEAD_AES_256_GCM, true},
    {0x00a2, SNT_AEAD_AES_128_GCM, false},
    {0x00a3, SNT_AEAD_AES_256_GCM, true},
    {0x00a4, SNT_AEAD_AES_128_GCM, false},
    {0x00a5, SNT_AEAD_AES_256_GCM, true},
    {0x00a6, SNT_AEAD_AES_128_GCM, false},
    {0x00a7, SNT_AEAD_AES_256_GCM, true},
    {0x00a8, SNT_AEAD_AES_128_GCM, false},
    {0x00a9, SNT_AEAD_AES_256_GCM, true},
    {0x00aa, SNT_AEAD_AES_128_GCM, false},
    {0x00ab, SNT_AEAD_AES_256_GCM, true},
    {0x00ac, SNT_AEAD_AES_128_GCM, false},
    {0x00ad, SNT_AEAD_AES_256_GCM, true},
    /* AES-GCM with ECDH(E): RFC 5289 */
    {0xc02b, SNT_AEAD_AES_128_GCM, false},
    {0xc02c, SNT_AEAD_AES_256_GCM, true},
    {0xc02d, SNT_AEAD_AES_128_GCM, false},
    {0xc02e, SNT_AEAD_AES_256_GCM, true},
    {0xc02f, SNT_AEAD_AES_128_GCM, false},
    {0xc030, SNT_AEAD_AES_256_GCM, true},
    {0xc031, SNT_AEAD_AES_128_GCM, false},
    {0xc032, SNT_AEAD_AES_256_GCM, true},
    /* AES-CCM: RFC 6655 (RSA, DHE, PSK), RFC 7251 (ECDHE_ECDSA) */
    {0xc09c, SNT_AEAD_AES_128_CCM, false},
    {0xc09d, SNT_AEAD_AES_256_CCM, false},
    {0xc09e, SNT_AEAD_AES_128_CCM, false},
    {0xc09f, SNT_AEAD_AES_256_CCM, false},
    {0xc0a0, SNT_AEAD_AES_128_CCM_8, false},
    {0xc0a1, SNT_AEAD_AES_256_CCM_8, false},
    {0xc0a2, SNT_AEAD_AES_128_CCM_8, false},
    {0xc0a3, SNT_AEAD_AES_256_CCM_8, false},
    {0xc0a4, SNT_AEAD_AES_128_CCM, false},
    {0xc0a5, SNT_AEAD_AES_256_CCM, false},
    {0xc0a6, SNT_AEAD_AES_128_CCM, false},
    {0xc0a7, SNT_AEAD_AES_256_CCM, false},
    {0xc0a8, SNT_AEAD_AES_128_CCM_8, false},
    {0xc0a9, SNT_AEAD_AES_256_CCM_8, false},
    {0xc0aa, SNT_AEAD_AES_128_CCM_8, false},
    {0xc0ab, SNT_AEAD_AES_256_CCM_8, false},
    {0xc0ac, SNT_AEAD_AES_128_CCM, false},
    {0xc0ad, SNT_AEAD_AES_256_CCM, false},
    {0xc0ae, SNT_AEAD_AES_128_CCM_8, false},
    {0xc0af, SNT_AEAD_AES_256_CCM_8, false},
    /* ChaCha20-Poly1305: RFC 7905 */
    {0xcca8, SNT_AEAD_CHACHA20_POLY1305, false},
    {0xcca9, SNT_AEAD_CHACHA20_POLY1305, false},
    {0xccaa, SNT_AEAD_CHACHA20_POLY1305, false},
    {0xccab, SNT_AEAD_CHACHA20_POLY1305, false},
    {0xccac, SNT_AEAD_CHACHA20_POLY1305, false},
    {0xccad, SNT_AEAD_CHACHA20_POLY1305, false},
    {0xccae, SNT_AEAD_CHACHA20_POLY1305, false},
    /* ECDHE_PSK: RFC 8442 */
    {0xd001, SNT_AEAD_AES_128_GCM, false},
    {0xd002, SNT_AEAD_AES_256_GCM, true},
    {0xd003, SNT_AEAD_AES_128_CCM_8, false},
    {0xd005, SNT_AEAD_AES_128_CCM, false},
};

static const struct tls12_suite *find_suite(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

/* key_block = PRF(master, "key expansion", server_random + client_random);
 * OpenSSL's TLS1-PRF takes the label as the start of the seed. */
static bool key_block(const struct tls12_suite *s, const uint8_t master[MASTER_LEN],
                      const uint8_t client_random[RANDOM_LEN],
                      const uint8_t server_random[RANDOM_LEN], uint8_t *out, size_t out_len)
{
    uint8_t seed[sizeof KEY_EXPANSION - 1 + 2 * RANDOM_LEN];
    size_t label_len = sizeof KEY_EXPANSION - 1;
    OSSL_PARAM params[4], *p = params;
    memcpy(seed, KEY_EXPANSION, label_len);
    memcpy(seed + label_len, server_random, RANDOM_LEN);
    memcpy(seed + label_len + RANDOM_LEN, client_random, RANDOM_LEN);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                            s->sha384 ? (char *)"SHA384" : (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master, MASTER_LEN);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed);
    *p = OSSL_PARAM_construct_end();
    return snt_kdf_derive(snt_evp_tls1_prf(), params, out, out_len);
}

static void side_keys(const struct tls12_suite *s, const uint8_t *key, const uint8_t *iv,
                      size_t key_len, size_t iv_len, struct snt_traffic_keys *out)
{
    memset(out, 0, sizeof *out);
    out->aead = s->aead;
    memcpy(out->key, key, key_len);
    out->key_len = key_len;
    memcpy(out->iv, iv, iv_len);
    out->iv_len = iv_len;
    out->tag_len = snt_aead_tag_len(s->aead);
}

bool snt_tls12_keys(uint16_t suite, const uint8_t master[48], const uint8_t client_random[32],
                    const uint8_t server_random[32], struct snt_traffic_keys *client,
                    struct snt_traffic_keys *server)
{
    const struct tls12_suite *s = find_suite(suite);
    uint8_t block[KEY_BLOCK_MAX];
    if (!s)
        return false;
    /* No MAC keys for AEAD suites: client key, server key, client IV,
     * server IV (RFC 5246 section 6.3). */
    size_t key_len = snt_aead_key_len(s->aead);
    size_t iv_len = s->aead == SNT_AEAD_CHACHA20_POLY1305 ? CHACHA_IV_LEN : SALT_LEN;
    size_t need = 2 * key_len + 2 * iv_len;
    if (!key_block(s, master, client_random, server_random, block, need))
        return false;
    side_keys(s, block, block + 2 * key_len, key_len, iv_len, client);
    side_keys(s, block + key_len, block + 2 * key_len + iv_len, key_len, iv_len, server);
    memset(block, 0, sizeof block);
    return true;
}

/* The nonce and the ciphertext of one record's payload (RFC 5288 section 3,
 * RFC 6655 section 3, RFC 7905 section 2). */
static bool record_nonce(const struct snt_traffic_keys *k, uint64_t seq, struct snt_reader *payload,
                         uint8_t nonce[NONCE_LEN])
{
    struct snt_span explicit_part;
    if (k->aead == SNT_AEAD_CHACHA20_POLY1305) {
        if (k->iv_len != CHACHA_IV_LEN)
            return false;
        snt_aead_nonce(k->iv, seq, nonce);
        return true;
    }
    if (k->iv_len != SALT_LEN || !snt_read_span(payload, EXPLICIT_LEN, &explicit_part))
        return false;
    memcpy(nonce, k->iv, SALT_LEN);
    memcpy(nonce + SALT_LEN, explicit_part.p, EXPLICIT_LEN);
    return true;
}

enum snt_result snt_tls12_open_record(const struct snt_traffic_keys *k, uint64_t seq,
                                      const uint8_t *record, size_t record_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len)
{
    struct snt_reader r = snt_reader_make(record, record_len), payload;
    uint8_t type, nonce[NONCE_LEN], aad[ADDITIONAL_DATA];
    uint16_t version, length;
    if (!snt_read_u8(&r, &type) || !snt_read_u16(&r, &version) || !snt_read_u16(&r, &length) ||
        length > MAX_CIPHERTEXT || !snt_read_sub(&r, length, &payload) || !snt_reader_done(&r))
        return SNT_MALFORMED;
    if (!record_nonce(k, seq, &payload, nonce) || snt_reader_left(&payload) < k->tag_len ||
        snt_reader_left(&payload) - k->tag_len > out_cap)
        return SNT_MALFORMED;
    size_t plain_len = snt_reader_left(&payload) - k->tag_len;
    for (size_t i = 0; i < 8; i++)
        aad[i] = (uint8_t)(seq >> (8 * (7 - i)));
    aad[8] = type;
    aad[9] = (uint8_t)(version >> 8);
    aad[10] = (uint8_t)version;
    aad[11] = (uint8_t)(plain_len >> 8);
    aad[12] = (uint8_t)plain_len;
    struct snt_span a = {aad, sizeof aad};
    if (!snt_aead_open_nonce(k, nonce, &a, 1, payload.p, snt_reader_left(&payload), out, out_len))
        return SNT_NOT_MINE;
    return SNT_OK;
}
