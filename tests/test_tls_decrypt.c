/* Tests for the protected-record walker (src/tls_decrypt.c): the server's
 * and the client's encrypted flights of RFC 8448 section 3 opened from a
 * growing stream, the epoch change from handshake to application keys,
 * TLS 1.2 AEAD records, wrong keys and broken framing. */
#include "snitrace/tls_decrypt.h"
#include "testutil.h"
#include "tls12_vectors.h"
#include "tls_crypto_vectors.h"

#include <stdlib.h>
#include <string.h>

#define AES128GCM_SHA256 0x1301

struct bytes {
    uint8_t *p;
    size_t len;
};

static struct bytes hex(const char *h)
{
    struct bytes b;
    b.p = snt_test_hex(h, &b.len);
    return b;
}

/* Several hex strings one after another, as one stream. */
static struct bytes cat(const char *const *parts, size_t n)
{
    struct bytes out = {malloc(65536), 0};
    if (!out.p)
        abort();
    for (size_t i = 0; i < n; i++) {
        struct bytes b = hex(parts[i]);
        memcpy(out.p + out.len, b.p, b.len);
        out.len += b.len;
        free(b.p);
    }
    return out;
}

static struct snt_traffic_keys keys_from(const char *secret_hex)
{
    struct bytes s = hex(secret_hex);
    struct snt_traffic_keys k;
    memset(&k, 0, sizeof k);
    CHECK(snt_tls13_traffic_keys(AES128GCM_SHA256, s.p, s.len, &k));
    free(s.p);
    return k;
}

/* Walk the stream as it grows one byte at a time; collect the inner
 * handshake message types and the content types of the records opened. */
struct walk {
    uint8_t types[16], contents[16];
    unsigned n_types, n_contents, not_mine;
    enum snt_result last;
};

static void walk_growing(struct snt_tls_decrypt *d, struct bytes s, struct walk *w)
{
    memset(w, 0, sizeof *w);
    for (size_t cut = 0; cut <= s.len; cut++) {
        uint8_t ct, type;
        struct snt_span body;
        enum snt_result r;
        while ((r = snt_tls_decrypt_next(d, s.p, cut, &ct)) != SNT_NEED_MORE) {
            w->last = r;
            if (r == SNT_MALFORMED)
                return;
            if (r == SNT_NOT_MINE) {
                w->not_mine++;
                continue;
            }
            if (w->n_contents < 16)
                w->contents[w->n_contents++] = ct;
            while (snt_tls_next_message(&d->inner, &type, &body) == SNT_OK)
                if (w->n_types < 16)
                    w->types[w->n_types++] = type;
        }
    }
}

static void test_server_flight(void)
{
    static const char *const parts[] = {"140303000101", rfc8448_server_flight_record};
    struct bytes s = cat(parts, 2);
    struct snt_traffic_keys k = keys_from(rfc8448_s_hs_traffic);
    struct snt_tls_decrypt d;
    struct walk w;
    snt_tls_decrypt_init(&d, 0, 0, false);
    snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_HANDSHAKE, &k);
    walk_growing(&d, s, &w);
    CHECK_EQ_INT(w.n_contents, 1);
    CHECK_EQ_INT(w.contents[0], SNT_TLS_CT_HANDSHAKE);
    /* EncryptedExtensions, Certificate, CertificateVerify, Finished */
    CHECK_EQ_INT(w.n_types, 4);
    CHECK_EQ_INT(w.types[0], 8);
    CHECK_EQ_INT(w.types[1], 11);
    CHECK_EQ_INT(w.types[2], 15);
    CHECK_EQ_INT(w.types[3], 20);
    CHECK_EQ_INT(d.opened, 1);
    CHECK_EQ_INT(d.consumed, s.len);
    snt_tls_decrypt_free(&d);
    free(s.p);
}

/* The client's Finished under its handshake keys, then data under its
 * application keys: the walker moves on to the later epoch by itself. */
static void test_client_epochs(void)
{
    static const char *const parts[] = {rfc8448_client_finished_record, rfc8448_client_app_record};
    struct bytes s = cat(parts, 2);
    struct snt_traffic_keys hs = keys_from(rfc8448_c_hs_traffic);
    struct snt_traffic_keys ap = keys_from(rfc8448_c_ap_traffic);
    struct snt_tls_decrypt d;
    struct walk w;
    snt_tls_decrypt_init(&d, 0, 0, false);
    snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_HANDSHAKE, &hs);
    snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_APPLICATION, &ap);
    walk_growing(&d, s, &w);
    CHECK_EQ_INT(w.n_contents, 2);
    CHECK_EQ_INT(w.contents[0], SNT_TLS_CT_HANDSHAKE);
    CHECK_EQ_INT(w.contents[1], SNT_TLS_CT_APPLICATION_DATA);
    CHECK_EQ_INT(w.n_types, 1);
    CHECK_EQ_INT(w.types[0], 20);
    CHECK_EQ_INT(d.epoch, SNT_TLS_EPOCH_APPLICATION);
    CHECK(d.inner.saw_app_data);
    snt_tls_decrypt_free(&d);
    free(s.p);
}

/* Keys that open nothing: every record is a miss, and after a few in a row
 * the walker stops instead of trying every record of a long stream. */
static void test_wrong_keys(void)
{
    static const char *const parts[] = {
        rfc8448_client_finished_record, rfc8448_client_finished_record,
        rfc8448_client_finished_record, rfc8448_client_finished_record,
        rfc8448_client_finished_record, rfc8448_client_finished_record,
        rfc8448_client_finished_record, rfc8448_client_finished_record,
        rfc8448_client_finished_record, rfc8448_client_finished_record,
    };
    struct bytes s = cat(parts, 10);
    struct snt_traffic_keys wrong = keys_from(rfc8448_s_hs_traffic);
    struct snt_tls_decrypt d;
    struct walk w;
    snt_tls_decrypt_init(&d, 0, 0, false);
    snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_HANDSHAKE, &wrong);
    walk_growing(&d, s, &w);
    CHECK_EQ_INT(w.n_contents, 0);
    CHECK_EQ_INT(w.not_mine, SNT_TLS_DECRYPT_MAX_MISSES - 1);
    CHECK_EQ_INT(w.last, SNT_MALFORMED);
    CHECK(d.stopped);
    snt_tls_decrypt_free(&d);
    free(s.p);
}

static void test_broken_framing(void)
{
    struct bytes s = hex("170203000401020304"); /* major version 2 */
    struct snt_traffic_keys k = keys_from(rfc8448_s_hs_traffic);
    struct snt_tls_decrypt d;
    uint8_t ct;
    snt_tls_decrypt_init(&d, 0, 0, false);
    snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_HANDSHAKE, &k);
    CHECK_EQ_INT(snt_tls_decrypt_next(&d, s.p, s.len, &ct), SNT_MALFORMED);
    CHECK_EQ_INT(snt_tls_decrypt_next(&d, s.p, s.len, &ct), SNT_MALFORMED); /* stays stopped */
    snt_tls_decrypt_free(&d);
    free(s.p);
    /* A stream that starts past its end, and an empty one: nothing to do. */
    snt_tls_decrypt_init(&d, 10, 0, false);
    CHECK_EQ_INT(snt_tls_decrypt_next(&d, NULL, 0, &ct), SNT_NEED_MORE);
    snt_tls_decrypt_free(&d);
}

/* TLS 1.2: a ClientKeyExchange in clear, ChangeCipherSpec, then the
 * client's Finished, type 22 outside: only what follows the
 * ChangeCipherSpec is opened. */
static void test_tls12(void)
{
    for (size_t i = 0; i < sizeof tls12_vectors / sizeof tls12_vectors[0]; i++) {
        const struct tls12_vector *v = &tls12_vectors[i];
        struct bytes cr = hex(v->client_random), sr = hex(v->server_random), ms = hex(v->master);
        struct snt_traffic_keys ck, sk;
        if (!snt_tls12_keys(v->suite, ms.p, cr.p, sr.p, &ck, &sk)) {
            CHECK(!"TLS 1.2 keys");
            continue;
        }
        static const char cke[] = "160303000410000000", ccs[] = "140303000101";
        const char *parts[] = {cke, ccs, v->finished_record};
        struct bytes s = cat(parts, 3);
        struct snt_tls_decrypt d;
        struct walk w;
        snt_tls_decrypt_init(&d, 0, 0, true);
        snt_tls_decrypt_set_keys(&d, SNT_TLS_EPOCH_HANDSHAKE, &ck);
        walk_growing(&d, s, &w);
        CHECK_EQ_INT(w.n_contents, 1);
        CHECK_EQ_INT(w.n_types, 1);
        CHECK_EQ_INT(w.types[0], 20);
        CHECK_EQ_INT(w.not_mine, 0); /* the ClientKeyExchange was not tried */
        snt_tls_decrypt_free(&d);
        free(s.p);
        free(cr.p);
        free(sr.p);
        free(ms.p);
    }
}

int main(void)
{
    test_server_flight();
    test_client_epochs();
    test_wrong_keys();
    test_broken_framing();
    test_tls12();
    return snt_test_finish("tls_decrypt");
}
