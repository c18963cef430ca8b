/* Tests for what snitrace reads from TLS 1.3 without keys: the protected
 * record log of the record layer, the client verdict inferred from record
 * sizes (src/tls_infer.c), and the hello fields the key log and ECH need
 * (client random, encrypted_client_hello, pre_shared_key). */
#include "snitrace/tls.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define AES128GCM 0x1301
#define AES256GCM 0x1302
#define CCM8      0x1305

static void test_record_lengths(void)
{
    CHECK_EQ_INT(snt_tls13_alert_record_len(AES128GCM), 19);
    CHECK_EQ_INT(snt_tls13_alert_record_len(CCM8), 11);
    CHECK_EQ_INT(snt_tls13_finished_record_len(AES128GCM), 53);
    CHECK_EQ_INT(snt_tls13_finished_record_len(AES256GCM), 69);
    CHECK_EQ_INT(snt_tls13_finished_record_len(CCM8), 45);
}

struct verdict_case {
    uint16_t cipher;
    uint16_t records[4];
    unsigned kept, total;
    bool ended, client_ended;
    enum snt_tls_client_verdict want;
};

static void test_verdicts(void)
{
    static const struct verdict_case cases[] = {
        /* cipher, records, kept, total, ended, client ended, verdict */
        {AES128GCM, {0}, 0, 0, false, false, SNT_TLS_VERDICT_NONE},    /* nothing yet */
        {AES128GCM, {0}, 0, 0, true, true, SNT_TLS_VERDICT_NONE},      /* left without a word */
        {AES128GCM, {53}, 1, 1, false, false, SNT_TLS_VERDICT_NONE},   /* its Finished: wait */
        {AES128GCM, {53}, 1, 1, true, true, SNT_TLS_VERDICT_REJECTED}, /* Finished, then left */
        {AES128GCM, {53}, 1, 1, true, false, SNT_TLS_VERDICT_NONE},    /* the server closed */
        {AES256GCM, {69, 19}, 2, 2, true, false, SNT_TLS_VERDICT_REJECTED}, /* + close_notify */
        {AES256GCM, {69, 19}, 2, 2, false, false, SNT_TLS_VERDICT_NONE},
        {AES256GCM, {69, 120}, 2, 2, false, false, SNT_TLS_VERDICT_ACCEPTED},  /* data */
        {AES256GCM, {69, 19, 19}, 3, 9, true, true, SNT_TLS_VERDICT_ACCEPTED}, /* more than kept */
        {AES128GCM, {1200, 53}, 2, 2, false, false, SNT_TLS_VERDICT_ACCEPTED}, /* client cert */
        {AES128GCM, {19}, 1, 1, false, false, SNT_TLS_VERDICT_NONE},           /* an alert: wait */
        {AES128GCM, {19}, 1, 1, true, true, SNT_TLS_VERDICT_REJECTED},     /* alert, then close */
        {AES128GCM, {19}, 1, 1, true, false, SNT_TLS_VERDICT_REJECTED},    /* the server hung up */
        {AES128GCM, {19, 19}, 2, 2, true, true, SNT_TLS_VERDICT_REJECTED}, /* two alerts */
        {AES128GCM, {19, 300}, 2, 2, true, true, SNT_TLS_VERDICT_UNKNOWN}, /* alert, then data */
        {AES128GCM, {19, 19}, 2, 9, true, true, SNT_TLS_VERDICT_UNKNOWN},  /* more than kept */
        {CCM8, {11}, 1, 1, true, true, SNT_TLS_VERDICT_REJECTED},
        {CCM8, {19, 45}, 2, 2, false, false, SNT_TLS_VERDICT_ACCEPTED}, /* 19: no alert here */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct verdict_case *c = &cases[i];
        CHECK_EQ_INT(snt_tls13_infer_client_verdict(c->cipher, c->records, c->kept, c->total,
                                                    c->ended, c->client_ended),
                     c->want);
    }
}

/* A record of content type ct with n payload bytes of filler, at out. */
static size_t put_record(uint8_t *out, uint8_t ct, size_t n)
{
    out[0] = ct;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(n >> 8);
    out[4] = (uint8_t)n;
    memset(out + 5, 0xa5, n);
    return n + 5;
}

/* ServerHello-like plaintext, compatibility ChangeCipherSpec, then encrypted
 * records: the log keeps where they start and their lengths. */
static void test_protected_log(void)
{
    uint8_t stream[4096];
    size_t n = 0, first;
    static const uint8_t hello_hdr[] = {22, 3, 3, 0, 4, 2, 0, 0, 0}; /* an empty ServerHello */
    memcpy(stream, hello_hdr, sizeof hello_hdr);
    n += sizeof hello_hdr;
    n += put_record(stream + n, 20, 1);
    first = n;
    static const size_t lens[] = {38, 530, 96, 69, 19, 19, 300, 301, 302, 303};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        n += put_record(stream + n, 23, lens[i]);
    struct snt_tls_dir d;
    snt_tls_dir_init(&d, 0);
    /* Fed at every prefix, the log comes out the same. */
    for (size_t cut = 1; cut <= n; cut++)
        snt_tls_dir_feed(&d, stream, cut);
    CHECK(!d.failed);
    CHECK(d.saw_ccs);
    CHECK_EQ_INT(d.n_protected, 10);
    CHECK_EQ_INT(d.first_protected, first);
    for (unsigned i = 0; i < SNT_TLS_PROTECTED_LOG; i++)
        CHECK_EQ_INT(d.protected_len[i], lens[i]);
    uint8_t type;
    struct snt_span body;
    CHECK_EQ_INT(snt_tls_next_message(&d, &type, &body), SNT_OK);
    CHECK_EQ_INT(type, 2);
    CHECK_EQ_INT(snt_tls_next_message(&d, &type, &body), SNT_NEED_MORE);
    snt_tls_dir_free(&d);
}

/* Hand-built ClientHello (no capture tool in Debian 12 sends ECH): TLS 1.2
 * legacy version, random 00..1f, empty session id, one suite, null
 * compression, then server_name "public.example", a draft-18 style
 * encrypted_client_hello (outer type 0, HPKE suite, config id, enc, payload)
 * and supported_versions 1.3. */
static const char ech_hello_hex[] =
    "0303 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "00 0002 1301 0100"
    "0038"                                                          /* extensions: 56 bytes */
    "0000 0013 0011 00 000e 7075626c69632e6578616d706c65"           /* server_name */
    "fe0d 0016 00 0001 0001 2a 0004 a1a2a3a4 0008 b1b2b3b4b5b6b7b8" /* ECH outer */
    "002b 0003 02 0304";                                            /* versions */

static void test_ech_and_random(void)
{
    size_t len;
    uint8_t *body = snt_test_hex(ech_hello_hex, &len);
    struct snt_tls_client_hello ch;
    CHECK_EQ_INT(snt_tls_parse_client_hello(body, len, &ch), SNT_OK);
    CHECK(ch.has_ech);
    CHECK(!ch.has_esni);
    CHECK(ch.has_sni);
    CHECK_SPAN(ch.sni, "public.example");
    for (unsigned i = 0; i < SNT_TLS_RANDOM_LEN; i++)
        CHECK_EQ_INT(ch.random[i], i);
    free(body);
}

/* ServerHello with supported_versions 1.3 and pre_shared_key (selected 0). */
static const char psk_server_hello_hex[] =
    "0303 f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
    "00 1301 00"
    "000c 002b 0002 0304 0029 0002 0000";

static void test_psk_server_hello(void)
{
    size_t len;
    uint8_t *body = snt_test_hex(psk_server_hello_hex, &len);
    struct snt_tls_server_hello sh;
    CHECK_EQ_INT(snt_tls_parse_server_hello(body, len, &sh), SNT_OK);
    CHECK(sh.psk);
    CHECK_EQ_INT(snt_tls_server_hello_version(&sh), 0x0304);
    CHECK_EQ_INT(sh.random[0], 0xf0);
    CHECK_EQ_INT(sh.random[31], 0x0f);
    free(body);
}

int main(void)
{
    test_record_lengths();
    test_verdicts();
    test_protected_log();
    test_ech_and_random();
    test_psk_server_hello();
    return snt_test_finish("tls13");
}
