/* Fuzz target for the decrypted-handshake path: what a TLS 1.3 server's
 * encrypted flight holds once key-log keys open it.  The input chooses a
 * cipher suite and is cut into records whose inner plaintext (content and
 * content type) the fuzzer controls; the target seals each with fixed keys
 * (so the fuzzer reaches past authentication) and hands the stream to the
 * record walker, then every handshake message to the parsers the engine
 * uses: EncryptedExtensions, Certificate (TLS 1.3 form) and
 * CompressedCertificate (zlib, brotli, zstd).
 *
 * Input: byte 0 picks the suite (low 2 bits) and whether a record with
 * garbage instead of a valid tag follows each (bit 2); then records, each
 * a length byte L, L bytes of inner plaintext (its last byte is the inner
 * content type), repeated to the end.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/tls.h"
#include "snitrace/tls_decrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STREAM (64 * 1024)
#define TAG_LEN    16
#define HEADER_LEN 5

static const uint16_t suites[4] = {0x1301, 0x1302, 0x1303, 0x1301};

static const EVP_CIPHER *cipher_of(enum snt_aead aead)
{
    switch (aead) {
    case SNT_AEAD_AES_256_GCM: return EVP_aes_256_gcm();
    case SNT_AEAD_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
    default: return EVP_aes_128_gcm();
    }
}

/* AEAD-seal plain[0, n) as record seq into out (header included). */
static size_t seal(const struct snt_traffic_keys *k, uint64_t seq, const uint8_t *plain, size_t n,
                   uint8_t *out)
{
    uint8_t nonce[12];
    int len = 0;
    memcpy(nonce, k->iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
    size_t body = n + TAG_LEN;
    out[0] = SNT_TLS_CT_APPLICATION_DATA;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_EncryptInit_ex(ctx, cipher_of(k->aead), NULL, k->key, nonce) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &len, out, HEADER_LEN) == 1 &&
              EVP_EncryptUpdate(ctx, out + HEADER_LEN, &len, plain, (int)n) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + HEADER_LEN + n, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, out + HEADER_LEN + n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? HEADER_LEN + body : 0;
}

/* The parsers the engine runs on a server's decrypted messages. */
static void parse_message(uint8_t type, struct snt_span body)
{
    struct snt_tls_encrypted_extensions ee;
    struct snt_tls_certificate_list list;
    static uint8_t inflated[MAX_STREAM];
    size_t n;
    uint16_t alg;
    switch (type) {
    case SNT_TLS_HS_ENCRYPTED_EXTENSIONS:
        (void)snt_tls_parse_encrypted_extensions(body.p, body.len, &ee);
        break;
    case SNT_TLS_HS_CERTIFICATE:
        (void)snt_tls_parse_certificate(body.p, body.len, true, &list);
        break;
    case SNT_TLS_HS_COMPRESSED_CERTIFICATE:
        if (snt_tls_decompress_certificate(body.p, body.len, inflated, sizeof inflated, &n, &alg) ==
            SNT_OK)
            (void)snt_tls_parse_certificate(inflated, n, true, &list);
        break;
    default: break;
    }
}

/* Build the sealed stream from the input's records. */
static size_t build_stream(const struct snt_traffic_keys *k, bool garbage, const uint8_t *p,
                           size_t n, uint8_t *stream)
{
    size_t at = 0, i = 0;
    uint64_t seq = 0;
    while (i < n && at + 2 * (HEADER_LEN + 256 + TAG_LEN) < MAX_STREAM) {
        size_t len = p[i++];
        if (len > n - i)
            len = n - i;
        if (len == 0)
            continue;
        at += seal(k, seq++, p + i, len, stream + at);
        i += len;
        if (garbage) { /* a record no key opens: the walker must skip it */
            memcpy(stream + at, "\x17\x03\x03\x00\x14", HEADER_LEN);
            memset(stream + at + HEADER_LEN, 0xa5, 20);
            at += HEADER_LEN + 20;
        }
    }
    return at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t stream[MAX_STREAM];
    static const uint8_t secret[48] = {0x42};
    if (size < 1)
        return 0;
    uint16_t suite = suites[data[0] & 3];
    struct snt_traffic_keys k;
    if (!snt_tls13_traffic_keys(suite, secret, suite == 0x1302 ? 48 : 32, &k))
        return 0;
    size_t len = build_stream(&k, data[0] & 4, data + 1, size - 1, stream);
    uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
    if (!copy)
        return 0;
    memcpy(copy, stream, len);
    struct snt_tls_decrypt d;
    snt_tls_decrypt_init(&d, 0, 0, false);
    snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_HANDSHAKE, &k);
    uint8_t ct, type;
    struct snt_span body;
    enum snt_result r;
    while ((r = snt_tls_decrypt_next(&d, copy, len, &ct)) != SNT_NEED_MORE && r != SNT_MALFORMED)
        while (r == SNT_OK && snt_tls_next_message(&d.inner, &type, &body) == SNT_OK)
            parse_message(type, body);
    snt_tls_decrypt_free(&d);
    free(copy);
    return 0;
}
