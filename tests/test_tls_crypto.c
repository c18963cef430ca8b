/* Tests for TLS record protection (src/tls_crypto.c, src/tls12_crypto.c):
 * the RFC 8448 section 3 key schedule values and records, one TLS 1.3
 * record per suite sealed by an independent implementation, TLS 1.2
 * Finished records from real handshakes (tests/tls12_vectors.sh), and
 * every truncation and corruption of them as exact-size heap copies.
 */
#include "snitrace/tls_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/tls_crypto_internal.h"
#include "testutil.h"
#include "tls12_vectors.h"
#include "tls_crypto_vectors.h"
#include "tls_suite_vectors.h"

#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA   23
#define TLS_HS_FINISHED  20
#define RECORD_MAX       ((1u << 14) + 256)

/* ---- helpers ------------------------------------------------------------ */

/* A hex string as a malloc'd buffer of exactly its length. */
static uint8_t *unhex(const char *hex, size_t *n)
{
    return snt_test_hex(hex, n);
}

static struct snt_traffic_keys tls13_keys(uint16_t suite, const char *secret_hex)
{
    struct snt_traffic_keys k;
    size_t n;
    uint8_t *secret = unhex(secret_hex, &n);
    memset(&k, 0, sizeof k);
    CHECK(snt_tls13_traffic_keys(suite, secret, n, &k));
    free(secret);
    return k;
}

/* The fixed secret tls_suite_vectors.h was sealed with: 0x40, 0x41, ... */
static struct snt_traffic_keys suite_keys(uint16_t suite)
{
    struct snt_traffic_keys k;
    uint8_t secret[SNT_HASH_MAX];
    size_t hash_len = snt_test_fixed_secret(suite, secret);
    memset(&k, 0, sizeof k);
    CHECK(snt_tls13_traffic_keys(suite, secret, hash_len, &k));
    return k;
}

/* Open a TLS 1.3 record from an exact-size copy. */
static enum snt_result open13(const struct snt_traffic_keys *k, uint64_t seq, const uint8_t *rec,
                              size_t n, uint8_t *out, size_t cap, size_t *len, uint8_t *type)
{
    uint8_t *copy = snt_test_exact_copy(rec, n);
    enum snt_result r = snt_tls13_open_record(k, seq, copy, n, out, cap, len, type);
    free(copy);
    return r;
}

/* Every strict prefix of a record fails as malformed, and so does the
 * record with a byte more. */
static void check_truncations13(const struct snt_traffic_keys *k, uint64_t seq, const uint8_t *rec,
                                size_t n)
{
    uint8_t out[RECORD_MAX], type = 0;
    size_t len = 0;
    int bad = 0;
    for (size_t cut = 0; cut < n; cut++)
        bad += open13(k, seq, rec, cut, out, sizeof out, &len, &type) != SNT_MALFORMED;
    CHECK_EQ_INT(bad, 0);
    uint8_t *longer = malloc(n + 1);
    memcpy(longer, rec, n);
    longer[n] = 0;
    CHECK_EQ_INT(open13(k, seq, longer, n + 1, out, sizeof out, &len, &type), SNT_MALFORMED);
    free(longer);
}

/* ---- suites and the key schedule ------------------------------------------ */

static void test_suites(void)
{
    enum snt_aead a = SNT_AEAD_NONE;
    const char *digest = NULL;
    size_t hash_len = 0;
    CHECK(snt_tls13_suite(0x1301, &a, &digest, &hash_len));
    CHECK(a == SNT_AEAD_AES_128_GCM && strcmp(digest, "SHA256") == 0 && hash_len == 32);
    CHECK(snt_tls13_suite(0x1302, &a, &digest, &hash_len));
    CHECK(a == SNT_AEAD_AES_256_GCM && strcmp(digest, "SHA384") == 0 && hash_len == 48);
    CHECK(snt_tls13_suite(0x1303, &a, NULL, NULL) && a == SNT_AEAD_CHACHA20_POLY1305);
    CHECK(snt_tls13_suite(0x1304, &a, NULL, NULL) && a == SNT_AEAD_AES_128_CCM);
    CHECK(snt_tls13_suite(0x1305, &a, NULL, NULL) && a == SNT_AEAD_AES_128_CCM_8);
    CHECK(!snt_tls13_suite(0x1300, &a, NULL, NULL));
    CHECK(!snt_tls13_suite(0xc02b, &a, NULL, NULL));
    struct snt_traffic_keys k = suite_keys(0x1305);
    CHECK(k.key_len == 16 && k.iv_len == 12 && k.tag_len == 8 && k.hp_len == 0);
    k = suite_keys(0x1302);
    CHECK(k.key_len == 32 && k.tag_len == 16);
}

static void check_extract(const char *salt_hex, const char *ikm_hex, const char *want)
{
    size_t sn, in;
    uint8_t *salt = unhex(salt_hex, &sn), *ikm = unhex(ikm_hex, &in), out[32];
    CHECK(snt_hkdf_extract("SHA256", salt, sn, ikm, in, out, sizeof out));
    CHECK(snt_test_hex_eq(out, sizeof out, want));
    free(salt);
    free(ikm);
}

struct label_case {
    const char *secret, *label, *context, *want;
};

/* RFC 8448 section 3: every "derive secret", "calculate finished" and
 * traffic key of the simple 1-RTT handshake. */
static const struct label_case rfc8448_labels[] = {
    {rfc8448_early_secret, "derived", rfc8448_empty_hash, rfc8448_derived_early},
    {rfc8448_handshake_secret, "c hs traffic", rfc8448_hello_hash, rfc8448_c_hs_traffic},
    {rfc8448_handshake_secret, "s hs traffic", rfc8448_hello_hash, rfc8448_s_hs_traffic},
    {rfc8448_handshake_secret, "derived", rfc8448_empty_hash, rfc8448_derived_handshake},
    {rfc8448_s_hs_traffic, "finished", "", rfc8448_s_finished_key},
    {rfc8448_c_hs_traffic, "finished", "", rfc8448_c_finished_key},
    {rfc8448_master_secret, "c ap traffic", rfc8448_finished_hash, rfc8448_c_ap_traffic},
    {rfc8448_master_secret, "s ap traffic", rfc8448_finished_hash, rfc8448_s_ap_traffic},
    {rfc8448_master_secret, "exp master", rfc8448_finished_hash, rfc8448_exp_master},
    {rfc8448_master_secret, "res master", rfc8448_client_finished_hash, rfc8448_res_master},
    {rfc8448_res_master, "resumption", "0000", rfc8448_resumption_psk},
    {rfc8448_s_hs_traffic, "key", "", rfc8448_s_hs_key},
    {rfc8448_s_hs_traffic, "iv", "", rfc8448_s_hs_iv},
    {rfc8448_c_ap_traffic, "key", "", rfc8448_c_ap_key},
};

static void test_key_schedule(void)
{
    static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
    check_extract("", zeros, rfc8448_early_secret);
    check_extract(rfc8448_derived_early, rfc8448_ecdhe, rfc8448_handshake_secret);
    check_extract(rfc8448_derived_handshake, zeros, rfc8448_master_secret);
    for (size_t i = 0; i < sizeof rfc8448_labels / sizeof rfc8448_labels[0]; i++) {
        const struct label_case *c = &rfc8448_labels[i];
        size_t sn, cn, wn;
        uint8_t *secret = unhex(c->secret, &sn), *ctx = unhex(c->context, &cn);
        uint8_t *want = unhex(c->want, &wn), out[64];
        CHECK(snt_tls13_expand_label("SHA256", secret, sn, c->label, ctx, cn, out, wn));
        if (memcmp(out, want, wn) != 0)
            fprintf(stderr, "HKDF-Expand-Label(%s) differs\n", c->label);
        CHECK(memcmp(out, want, wn) == 0);
        memset(out, 0, sizeof out); /* the fallback without TLS13-KDF gives the same */
        CHECK(snt_tls13_expand_label_hkdf("SHA256", secret, sn, c->label, ctx, cn, out, wn));
        CHECK(memcmp(out, want, wn) == 0);
        free(secret);
        free(ctx);
        free(want);
    }
}

/* src/hkdf.c against OpenSSL's EVP HKDF: keys and salts shorter and
 * longer than a block, empty ones, outputs of one byte to several blocks,
 * contexts up to the largest, with both digests. */
static void test_hkdf_against_evp(void)
{
    static const char *const digests[] = {"SHA256", "SHA384"};
    static const size_t lens[] = {0, 1, 32, 48, 64, 127, 128, 129, 300};
    static const size_t outs[] = {1, 12, 16, 32, 48, 49, 64, 100, 200};
    static const size_t contexts[] = {0, 32, 255};
    uint8_t bytes[310], mine[200], theirs[200]; /* keys up to 300 bytes from offsets 0 to 9 */
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 7 + 1);
    for (size_t d = 0; d < 2; d++) {
        size_t hash_len = d ? 48 : 32;
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
            for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
                bool a = snt_hkdf_extract(digests[d], bytes, lens[t], bytes + 3, lens[k], mine,
                                          hash_len);
                bool b = snt_hkdf_extract_evp(digests[d], bytes, lens[t], bytes + 3, lens[k],
                                              theirs, hash_len);
                CHECK(a && b && memcmp(mine, theirs, hash_len) == 0);
            }
        CHECK(!snt_hkdf_extract(digests[d], bytes, 32, bytes, 32, mine, hash_len - 1));
        for (size_t o = 0; o < sizeof outs / sizeof outs[0]; o++)
            for (size_t c = 0; c < sizeof contexts / sizeof contexts[0]; c++) {
                memset(mine, 0, sizeof mine);
                memset(theirs, 1, sizeof theirs);
                bool a = snt_tls13_expand_label(digests[d], bytes + 9, hash_len, "quic key", bytes,
                                                contexts[c], mine, outs[o]);
                bool b = snt_tls13_expand_label_hkdf(digests[d], bytes + 9, hash_len, "quic key",
                                                     bytes, contexts[c], theirs, outs[o]);
                CHECK(a && b && memcmp(mine, theirs, outs[o]) == 0);
            }
    }
    /* RFC 5869 section 2.3: at most 255 blocks. */
    static uint8_t big[255 * 32 + 1];
    CHECK(snt_hkdf_expand("SHA256", bytes, 32, NULL, 0, big, 255 * 32));
    CHECK(!snt_hkdf_expand("SHA256", bytes, 32, NULL, 0, big, 255 * 32 + 1));
    CHECK(!snt_hkdf_expand("MD5", bytes, 16, NULL, 0, big, 16));
}

static void check_keys(const char *secret, const char *key, const char *iv)
{
    struct snt_traffic_keys k = tls13_keys(0x1301, secret);
    CHECK(k.aead == SNT_AEAD_AES_128_GCM && k.tag_len == 16 && k.hp_len == 0);
    CHECK(snt_test_hex_eq(k.key, k.key_len, key));
    CHECK(snt_test_hex_eq(k.iv, k.iv_len, iv));
}

static void test_traffic_keys(void)
{
    struct snt_traffic_keys k;
    size_t n;
    uint8_t *secret = unhex(rfc8448_s_hs_traffic, &n);
    check_keys(rfc8448_s_hs_traffic, rfc8448_s_hs_key, rfc8448_s_hs_iv);
    check_keys(rfc8448_c_hs_traffic, rfc8448_c_hs_key, rfc8448_c_hs_iv);
    check_keys(rfc8448_s_ap_traffic, rfc8448_s_ap_key, rfc8448_s_ap_iv);
    check_keys(rfc8448_c_ap_traffic, rfc8448_c_ap_key, rfc8448_c_ap_iv);
    CHECK(!snt_tls13_traffic_keys(0x1302, secret, n, &k)); /* a SHA-256 secret for SHA-384 */
    CHECK(!snt_tls13_traffic_keys(0x1301, secret, n - 1, &k));
    CHECK(!snt_tls13_traffic_keys(0x00ff, secret, n, &k));
    CHECK(!snt_tls13_expand_label("SHA256", secret, n, "", NULL, 300, k.key, 16));
    CHECK(!snt_tls13_expand_label("SHA256", secret, 0, "key", NULL, 0, k.key, 16));
    free(secret);
}

/* ---- TLS 1.3 records ---------------------------------------------------------- */

static void check_record(const char *secret, uint64_t seq, const char *record_hex,
                         const uint8_t *want, size_t want_len, uint8_t want_type)
{
    struct snt_traffic_keys k = tls13_keys(0x1301, secret);
    size_t n, len = 0;
    uint8_t *rec = unhex(record_hex, &n), out[RECORD_MAX], type = 0;
    CHECK_EQ_INT(open13(&k, seq, rec, n, out, sizeof out, &len, &type), SNT_OK);
    CHECK_EQ_INT(type, want_type);
    CHECK(len == want_len && memcmp(out, want, len) == 0);
    /* The next sequence number, the other side's keys, a flipped bit. */
    CHECK_EQ_INT(open13(&k, seq + 1, rec, n, out, sizeof out, &len, &type), SNT_NOT_MINE);
    k.key[0] ^= 1;
    CHECK_EQ_INT(open13(&k, seq, rec, n, out, sizeof out, &len, &type), SNT_NOT_MINE);
    k.key[0] ^= 1;
    rec[n / 2] ^= 0x80;
    CHECK_EQ_INT(open13(&k, seq, rec, n, out, sizeof out, &len, &type), SNT_NOT_MINE);
    rec[n / 2] ^= 0x80;
    rec[2] ^= 1; /* legacy_record_version is authenticated too */
    CHECK_EQ_INT(open13(&k, seq, rec, n, out, sizeof out, &len, &type), SNT_NOT_MINE);
    rec[2] ^= 1;
    CHECK_EQ_INT(open13(&k, seq, rec, n, out, want_len + 1, &len, &type), SNT_OK);
    CHECK_EQ_INT(open13(&k, seq, rec, n, out, want_len, &len, &type), SNT_MALFORMED);
    check_truncations13(&k, seq, rec, n);
    free(rec);
}

/* The server's flight is four handshake messages: EncryptedExtensions,
 * Certificate, CertificateVerify, Finished. */
static void check_flight_messages(const uint8_t *p, size_t n)
{
    static const uint8_t types[] = {8, 11, 15, 20};
    struct snt_reader r = snt_reader_make(p, n);
    for (size_t i = 0; i < sizeof types; i++) {
        uint8_t type = 0;
        struct snt_reader body;
        CHECK(snt_read_u8(&r, &type) && type == types[i] && snt_read_vec24(&r, &body));
    }
    CHECK(snt_reader_done(&r));
}

static void test_rfc8448_records(void)
{
    size_t fn, cn;
    uint8_t *flight = unhex(rfc8448_server_flight_plain, &fn);
    uint8_t *finished = unhex(rfc8448_client_finished, &cn), app[50];
    for (size_t i = 0; i < sizeof app; i++)
        app[i] = (uint8_t)i;
    CHECK_EQ_INT(fn, 657);
    check_flight_messages(flight, fn);
    check_record(rfc8448_s_hs_traffic, 0, rfc8448_server_flight_record, flight, fn,
                 TLS_CT_HANDSHAKE);
    check_record(rfc8448_c_hs_traffic, 0, rfc8448_client_finished_record, finished, cn,
                 TLS_CT_HANDSHAKE);
    CHECK(cn == 36 && finished[0] == TLS_HS_FINISHED);
    check_record(rfc8448_c_ap_traffic, 0, rfc8448_client_app_record, app, sizeof app,
                 TLS_CT_APPDATA);
    /* The server's first application record was its NewSessionTicket. */
    check_record(rfc8448_s_ap_traffic, 1, rfc8448_server_app_record, app, sizeof app,
                 TLS_CT_APPDATA);
    free(flight);
    free(finished);
}

static void test_suite_records(void)
{
    static const struct {
        uint16_t suite;
        const char *record;
    } cases[] = {
        {0x1301, tls13_record_1301}, {0x1302, tls13_record_1302}, {0x1303, tls13_record_1303},
        {0x1304, tls13_record_1304}, {0x1305, tls13_record_1305},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct snt_traffic_keys k = suite_keys(cases[i].suite), other;
        char want[64];
        size_t n, len = 0;
        uint8_t *rec = unhex(cases[i].record, &n), out[256], type = 0;
        snprintf(want, sizeof want, "snitrace TLS 1.3 record for suite %04x", cases[i].suite);
        CHECK_EQ_INT(open13(&k, SUITE_RECORD_SEQ, rec, n, out, sizeof out, &len, &type), SNT_OK);
        CHECK(type == TLS_CT_HANDSHAKE && snt_test_span_eq(out, len, want));
        CHECK_EQ_INT(open13(&k, 0, rec, n, out, sizeof out, &len, &type), SNT_NOT_MINE);
        other = suite_keys(cases[i].suite == 0x1301 ? 0x1304 : 0x1301);
        CHECK(open13(&other, SUITE_RECORD_SEQ, rec, n, out, sizeof out, &len, &type) != SNT_OK);
        check_truncations13(&k, SUITE_RECORD_SEQ, rec, n);
        free(rec);
    }
}

static void test_record_limits(void)
{
    struct snt_traffic_keys k = suite_keys(0x1301);
    size_t n, len = 0;
    uint8_t *rec = unhex(tls13_record_no_type, &n), out[RECORD_MAX + 64], type = 0;
    CHECK_EQ_INT(open13(&k, SUITE_RECORD_SEQ, rec, n, out, sizeof out, &len, &type), SNT_MALFORMED);
    free(rec);
    /* Outer type 22: a plaintext record, not for these keys. */
    rec = unhex("1603030011 000102030405060708090a0b0c0d0e0f10", &n);
    CHECK_EQ_INT(open13(&k, 0, rec, n, out, sizeof out, &len, &type), SNT_NOT_MINE);
    free(rec);
    /* A tag and nothing else: no room for a content type. */
    rec = unhex("1703030010 000102030405060708090a0b0c0d0e0f", &n);
    CHECK_EQ_INT(open13(&k, 0, rec, n, out, sizeof out, &len, &type), SNT_MALFORMED);
    free(rec);
    /* One byte over 2^14 + 256. */
    uint8_t *big = calloc(1, 5 + RECORD_MAX + 1);
    big[0] = 0x17, big[1] = 3, big[2] = 3, big[3] = (uint8_t)((RECORD_MAX + 1) >> 8);
    big[4] = (uint8_t)(RECORD_MAX + 1);
    CHECK_EQ_INT(open13(&k, 0, big, 5 + RECORD_MAX + 1, out, sizeof out, &len, &type),
                 SNT_MALFORMED);
    /* Within 2^14 + 256 but holding more than 2^14 + 1 bytes of inner
     * plaintext (section 5.4); at that much, read and found not authentic. */
    size_t inner_max = (1u << 14) + 1 + 16;
    big[3] = (uint8_t)(inner_max >> 8), big[4] = (uint8_t)inner_max;
    CHECK_EQ_INT(open13(&k, 0, big, 5 + inner_max, out, sizeof out, &len, &type), SNT_NOT_MINE);
    big[4] = (uint8_t)(inner_max + 1);
    CHECK_EQ_INT(open13(&k, 0, big, 5 + inner_max + 1, out, sizeof out, &len, &type),
                 SNT_MALFORMED);
    free(big);
    /* Keys without an AEAD open nothing. */
    struct snt_traffic_keys none;
    memset(&none, 0, sizeof none);
    uint8_t in[32] = {0};
    CHECK(!snt_aead_open(&none, 0, NULL, 0, in, sizeof in, out, &len));
    CHECK(!snt_aead_open(&k, 0, NULL, 0, in, 15, out, &len)); /* shorter than the tag */
    uint8_t mask[5];
    CHECK(!snt_quic_hp_mask(&k, in, mask)); /* TLS keys have no header protection key */
    CHECK(!snt_quic_hp_mask(&none, in, mask));
}

/* ---- TLS 1.2 ------------------------------------------------------------------ */

static enum snt_result open12(const struct snt_traffic_keys *k, uint64_t seq, const uint8_t *rec,
                              size_t n, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t *copy = snt_test_exact_copy(rec, n);
    enum snt_result r = snt_tls12_open_record(k, seq, copy, n, out, cap, len);
    free(copy);
    return r;
}

static void check_tls12(const struct tls12_vector *v)
{
    struct snt_traffic_keys client, server;
    size_t n, crn, srn, mn, len = 0;
    uint8_t *cr = unhex(v->client_random, &crn), *sr = unhex(v->server_random, &srn);
    uint8_t *master = unhex(v->master, &mn), *rec = unhex(v->finished_record, &n), out[256];
    CHECK(crn == 32 && srn == 32 && mn == 48);
    CHECK(snt_tls12_keys(v->suite, master, cr, sr, &client, &server));
    CHECK_EQ_INT(open12(&client, 0, rec, n, out, sizeof out, &len), SNT_OK);
    /* Finished: type 20, length 12, verify_data (RFC 5246 section 7.4.9). */
    CHECK(len == 16 && out[0] == TLS_HS_FINISHED && out[1] == 0 && out[2] == 0 && out[3] == 12);
    CHECK_EQ_INT(open12(&server, 0, rec, n, out, sizeof out, &len), SNT_NOT_MINE);
    CHECK_EQ_INT(open12(&client, 1, rec, n, out, sizeof out, &len), SNT_NOT_MINE);
    CHECK_EQ_INT(open12(&client, 0, rec, n, out, 15, &len), SNT_MALFORMED);
    int bad = 0;
    for (size_t cut = 0; cut < n; cut++)
        bad += open12(&client, 0, rec, cut, out, sizeof out, &len) != SNT_MALFORMED;
    CHECK_EQ_INT(bad, 0);
    rec[0] = 23; /* the type is in the additional data */
    CHECK_EQ_INT(open12(&client, 0, rec, n, out, sizeof out, &len), SNT_NOT_MINE);
    free(cr);
    free(sr);
    free(master);
    free(rec);
}

static void test_tls12(void)
{
    uint8_t master[48] = {0}, random[32] = {0};
    struct snt_traffic_keys c, s;
    for (size_t i = 0; i < sizeof tls12_vectors / sizeof tls12_vectors[0]; i++)
        check_tls12(&tls12_vectors[i]);
    CHECK(snt_tls12_keys(0xc030, master, random, random, &c, &s));
    CHECK(c.aead == SNT_AEAD_AES_256_GCM && c.key_len == 32 && c.iv_len == 4 && s.tag_len == 16);
    CHECK(snt_tls12_keys(0xcca8, master, random, random, &c, &s));
    CHECK(c.aead == SNT_AEAD_CHACHA20_POLY1305 && c.key_len == 32 && c.iv_len == 12);
    CHECK(snt_tls12_keys(0xc0a1, master, random, random, &c, &s));
    CHECK(c.aead == SNT_AEAD_AES_256_CCM_8 && c.tag_len == 8);
    CHECK(!snt_tls12_keys(0x002f, master, random, random, &c, &s)); /* AES128-SHA: CBC */
    CHECK(!snt_tls12_keys(0x0005, master, random, random, &c, &s)); /* RC4-SHA */
    CHECK(!snt_tls12_keys(0x1301, master, random, random, &c, &s)); /* TLS 1.3 */
    /* TLS 1.3 keys (12-byte IV, AES-GCM) are not TLS 1.2 GCM keys. */
    struct snt_traffic_keys k13 = suite_keys(0x1301);
    size_t len = 0;
    uint8_t rec[5 + 8 + 16] = {0x16, 3, 3, 0, 24}, out[16];
    CHECK_EQ_INT(open12(&k13, 0, rec, sizeof rec, out, sizeof out, &len), SNT_MALFORMED);
}

int main(void)
{
    test_suites();
    test_key_schedule();
    test_hkdf_against_evp();
    test_traffic_keys();
    test_rfc8448_records();
    test_suite_records();
    test_record_limits();
    test_tls12();
    return snt_test_finish("tls_crypto");
}
