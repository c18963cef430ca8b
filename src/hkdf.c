/* HMAC (RFC 2104) and HKDF (RFC 5869) over OpenSSL's SHA-256 and SHA-384,
 * the digests of the TLS 1.3 suites and of QUIC's Initial keys.
 *
 * Why not EVP_KDF "HKDF" or "TLS13-KDF": in OpenSSL 3.0 each derivation
 * through them sets up a MAC context and its parameters anew, about 16,000
 * instructions of overhead for a few compressions of SHA-256; a QUIC
 * connection's Initial keys take five derivations, which made them
 * three fifths of what a QUIC connection cost (14 us on the project's
 * machine).  Here an HMAC is two digests in one EVP_MD_CTX, the digests
 * fetched once.  tests/test_tls_crypto.c checks every result against the
 * RFC 8448 and RFC 9001 vectors and against OpenSSL's HKDF.
 */
#include "tls_crypto_internal.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define BLOCK_MAX  128 /* SHA-384's block */
#define HASH_MAX   64
#define EXPAND_MAX 255 /* blocks of output (RFC 5869 section 2.3) */
#define INNER_PAD  0x36
#define OUTER_PAD  0x5c

struct digest {
    const char *name;
    EVP_MD *md; /* NULL when the provider has none */
    size_t len, block;
};

static struct digest digests[] = {{"SHA256", NULL, 0, 0}, {"SHA384", NULL, 0, 0}};
static pthread_once_t digests_once = PTHREAD_ONCE_INIT;

static void fetch_digests(void)
{
    for (size_t i = 0; i < sizeof digests / sizeof digests[0]; i++) {
        struct digest *d = &digests[i];
        d->md = EVP_MD_fetch(NULL, d->name, NULL);
        int len = d->md ? EVP_MD_get_size(d->md) : 0;
        int block = d->md ? EVP_MD_get_block_size(d->md) : 0;
        if (len <= 0 || len > HASH_MAX || block < len || block > BLOCK_MAX) {
            EVP_MD_free(d->md);
            d->md = NULL;
            continue;
        }
        d->len = (size_t)len;
        d->block = (size_t)block;
    }
}

/* The named digest, fetched; NULL for any other name or none fetched. */
static const struct digest *digest_named(const char *name)
{
    (void)pthread_once(&digests_once, fetch_digests);
    for (size_t i = 0; i < sizeof digests / sizeof digests[0]; i++)
        if (strcmp(digests[i].name, name) == 0)
            return digests[i].md ? &digests[i] : NULL;
    return NULL;
}

bool snt_hkdf_has_digest(const char *digest)
{
    return digest_named(digest) != NULL;
}

/* One of HMAC's two digests: the key XOR pad as the first block, then the
 * parts. */
static bool padded_digest(EVP_MD_CTX *ctx, const struct digest *d, const uint8_t *key, uint8_t pad,
                          const struct snt_span *parts, size_t n_parts, uint8_t *out)
{
    uint8_t block[BLOCK_MAX];
    for (size_t i = 0; i < d->block; i++)
        block[i] = key[i] ^ pad;
    bool ok =
        EVP_DigestInit_ex(ctx, d->md, NULL) == 1 && EVP_DigestUpdate(ctx, block, d->block) == 1;
    for (size_t i = 0; ok && i < n_parts; i++)
        ok = parts[i].len == 0 || EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
    OPENSSL_cleanse(block, sizeof block);
    return ok;
}

/* HMAC of the parts, concatenated, under key: d->len bytes at out. */
static bool hmac(EVP_MD_CTX *ctx, const struct digest *d, const uint8_t *key, size_t key_len,
                 const struct snt_span *parts, size_t n_parts, uint8_t *out)
{
    uint8_t k[BLOCK_MAX], inner[HASH_MAX];
    memset(k, 0, sizeof k);
    bool ok = true;
    if (key_len > d->block) /* a long key is hashed first */
        ok = EVP_Digest(key, key_len, k, NULL, d->md, NULL) == 1;
    else if (key_len)
        memcpy(k, key, key_len);
    const struct snt_span inner_part = {inner, d->len};
    ok = ok && padded_digest(ctx, d, k, INNER_PAD, parts, n_parts, inner) &&
         padded_digest(ctx, d, k, OUTER_PAD, &inner_part, 1, out);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok;
}

bool snt_hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                      size_t ikm_len, uint8_t *out, size_t out_len)
{
    const struct digest *d = digest_named(digest);
    if (!d)
        return snt_hkdf_extract_evp(digest, salt, salt_len, ikm, ikm_len, out, out_len);
    if (out_len != d->len)
        return false;
    /* PRK = HMAC(salt, IKM); an empty salt is d->len zeros, which HMAC's
     * zero padding of the key makes the same as no key at all. */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const struct snt_span part = {ikm, ikm_len};
    bool ok = ctx && hmac(ctx, d, salt, salt_len, &part, 1, out);
    EVP_MD_CTX_free(ctx);
    return ok;
}

bool snt_hkdf_expand(const char *digest, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                     size_t info_len, uint8_t *out, size_t out_len)
{
    const struct digest *d = digest_named(digest);
    if (!d || prk_len == 0 || out_len == 0 || out_len > EXPAND_MAX * d->len)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t t[HASH_MAX];
    size_t t_len = 0, done = 0;
    bool ok = ctx != NULL;
    /* T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty; OKM = T(1) | T(2) | ... */
    for (uint8_t i = 1; ok && done < out_len; i++) {
        const struct snt_span parts[3] = {{t, t_len}, {info, info_len}, {&i, 1}};
        ok = hmac(ctx, d, prk, prk_len, parts, 3, t);
        t_len = d->len;
        size_t n = out_len - done < d->len ? out_len - done : d->len;
        if (ok)
            memcpy(out + done, t, n);
        done += n;
    }
    OPENSSL_cleanse(t, sizeof t);
    EVP_MD_CTX_free(ctx);
    return ok;
}
