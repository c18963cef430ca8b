/* The signature and dates pass of src/cert_verify.c against OpenSSL's
 * own: each chain is verified by X509_verify_cert as OpenSSL comes, then
 * with snt_cert_verify_signatures in its place, twice (the second time
 * the intermediates' signatures come from memory), and every call of the
 * verify callback must be the same: ok, error, depth and certificate.
 * Each is done with a callback that lets every error pass (all checks
 * run) and with one that stops at the first.  The chains are made here
 * with fresh keys: good ones, bad signatures at each depth, dates past and
 * to come, an issuer whose key usage forbids signing, partial chains,
 * self-signed certificates, and an intermediate verified under one root
 * and then met under another root of the same name and another key (the
 * memo must not answer for a key it did not see).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certutil.h"
#include "testutil.h"
#include "verify_trace.h"

#define DAY 86400L

struct opts {
    long not_before, not_after; /* seconds from now */
    const char *key_usage;      /* NULL: a CA's keyCertSign,cRLSign; "" none */
    bool ca, key_ids;
};

/* A certificate for key named subject, signed by signer (issuer: its
 * certificate, NULL for self-signed). */
static X509 *make(EVP_PKEY *key, const char *subject, EVP_PKEY *signer, X509 *issuer,
                  const struct opts *o)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *s = X509_NAME_new();
    X509V3_CTX v3;
    X509_NAME_add_entry_by_txt(s, "CN", MBSTRING_ASC, (const unsigned char *)subject, -1, -1, 0);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_set_subject_name(x, s);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : s);
    X509_gmtime_adj(X509_getm_notBefore(x), o->not_before);
    X509_gmtime_adj(X509_getm_notAfter(x), o->not_after);
    X509_set_pubkey(x, key);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    if (o->key_ids) {
        snt_test_add_ext(x, &v3, NID_subject_key_identifier, "hash");
        snt_test_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
    }
    if (o->ca)
        snt_test_add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE");
    const char *ku = o->key_usage ? o->key_usage : (o->ca ? "critical,keyCertSign,cRLSign" : "");
    if (*ku)
        snt_test_add_ext(x, &v3, NID_key_usage, ku);
    CHECK(X509_sign(x, signer, EVP_sha256()) > 0);
    X509_NAME_free(s);
    return x;
}

/* A copy of x whose signature no longer holds (one bit of it turned). */
static X509 *spoiled(X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    CHECK(len > 10);
    der[len - 5] ^= 0x01; /* inside the signature's last integer */
    const unsigned char *p = der;
    X509 *y = d2i_X509(NULL, &p, len);
    OPENSSL_free(der);
    CHECK(y != NULL);
    return y;
}

struct chain_case {
    const char *what;
    X509 *certs[3];
    size_t n;
    X509 *trusted[2];
    unsigned long flags;
};

/* One verification: OpenSSL's own pass (ours false) or ours. */
static void verify(const struct chain_case *c, bool ours, bool stop_at_first,
                   struct snt_vt_trace *t)
{
    X509_STORE *store = X509_STORE_new();
    CHECK(store != NULL);
    for (size_t i = 0; i < 2 && c->trusted[i]; i++)
        CHECK(X509_STORE_add_cert(store, c->trusted[i]) == 1);
    const struct snt_vt_run r = {store, c->certs, c->n, c->flags, NULL, ours};
    CHECK(snt_vt_verify(&r, stop_at_first, t));
    X509_STORE_free(store);
}

/* Whether the verification succeeded (err X509_V_OK) or reported err. */
static bool saw(const struct snt_vt_trace *t, int err)
{
    if (err == X509_V_OK)
        return t->result == 1 && t->err == X509_V_OK;
    for (int i = 0; i < t->n; i++)
        if (!t->calls[i].ok && t->calls[i].err == err)
            return true;
    return false;
}

/* OpenSSL's pass against ours (twice), both callbacks; err must be among
 * the errors reported when every error is let pass (X509_V_OK: none).
 * Returns the memo hits of ours. */
static uint64_t compare(const struct chain_case *c, int expect_err)
{
    uint64_t hits = 0;
    for (int stop = 0; stop < 2; stop++) {
        struct snt_vt_trace theirs, mine;
        verify(c, false, stop, &theirs);
        for (int round = 0; round < 2; round++) {
            uint64_t before = snt_cert_signatures_remembered();
            verify(c, true, stop, &mine);
            hits += snt_cert_signatures_remembered() - before;
            if (!snt_vt_same(&theirs, c->certs, &mine, c->certs, c->n)) {
                fprintf(stderr, "%s (%s, round %d)\n", c->what, stop ? "stop at first" : "let pass",
                        round);
                snt_vt_print("OpenSSL's pass", &theirs);
                snt_vt_print("cert_verify.c's", &mine);
                CHECK(false);
            }
        }
        if (!stop && !saw(&theirs, expect_err)) {
            fprintf(stderr, "%s: no error %d reported\n", c->what, expect_err);
            CHECK(false);
        }
    }
    return hits;
}

int main(void)
{
    const struct opts ca = {-DAY, DAY, NULL, true, true};
    const struct opts leaf = {-DAY, DAY, NULL, false, true};
    const struct opts old_ca = {-2 * DAY, -DAY, NULL, true, true};
    const struct opts early_leaf = {DAY, 2 * DAY, NULL, false, true};
    const struct opts signing_only = {-DAY, DAY, "critical,digitalSignature", true, true};
    const struct opts bare_ca = {-DAY, DAY, NULL, true, false};
    const struct opts bare_leaf = {-DAY, DAY, NULL, false, false};

    EVP_PKEY *root_key = snt_test_new_key(), *twin_key = snt_test_new_key(),
             *im_key = snt_test_new_key();
    EVP_PKEY *leaf_key = snt_test_new_key();
    X509 *root = make(root_key, "Verify Test Root", root_key, NULL, &ca);
    X509 *im = make(im_key, "Verify Test CA", root_key, root, &ca);
    X509 *good = make(leaf_key, "good.test", im_key, im, &leaf);
    X509 *bad_leaf = spoiled(good);
    X509 *bad_im = spoiled(im);
    X509 *old_im = make(im_key, "Verify Test CA", root_key, root, &old_ca);
    X509 *early = make(leaf_key, "early.test", im_key, im, &early_leaf);
    X509 *no_sign_im = make(im_key, "Verify Test CA", root_key, root, &signing_only);
    X509 *self = make(leaf_key, "self.test", leaf_key, NULL, &leaf);
    X509 *bad_self = spoiled(self);
    /* Without key identifiers a root is told by its name alone, so the
     * twin (same name, another key) is taken as the intermediate's issuer
     * and its signature must be checked against the twin's key. */
    X509 *bare_root = make(root_key, "Bare Root", root_key, NULL, &bare_ca);
    X509 *twin_root = make(twin_key, "Bare Root", twin_key, NULL, &bare_ca);
    X509 *bare_im = make(im_key, "Bare CA", root_key, bare_root, &bare_ca);
    X509 *bare_leafc = make(leaf_key, "bare.test", im_key, bare_im, &bare_leaf);

    X509 *kept[] = {im, bad_im, old_im, no_sign_im, bare_im};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        CHECK(snt_cert_remember_signature(kept[i]));

    const struct chain_case good_chain = {"good chain", {good, im}, 2, {root}, 0};
    CHECK(compare(&good_chain, X509_V_OK) == 3); /* im's signature from memory after the first */

    const struct chain_case cases[] = {
        {"bad leaf signature", {bad_leaf, im}, 2, {root}, 0},
        {"bad intermediate signature", {good, bad_im}, 2, {root}, 0},
        {"intermediate expired", {good, old_im}, 2, {root}, 0},
        {"leaf not yet valid", {early, im}, 2, {root}, 0},
        {"issuer may not sign", {good, no_sign_im}, 2, {root}, 0},
        {"partial chain", {good}, 1, {im}, X509_V_FLAG_PARTIAL_CHAIN},
        {"intermediate trusted, no partial chain", {good}, 1, {im}, 0},
        {"trusted self-signed", {self}, 1, {self}, 0},
        {"self-signed untrusted", {self}, 1, {NULL}, 0},
        {"self-signature checked", {bad_self}, 1, {bad_self}, X509_V_FLAG_CHECK_SS_SIGNATURE},
        {"self-signature not checked", {bad_self}, 1, {bad_self}, 0},
        {"chain with root sent", {good, im, root}, 3, {root}, 0},
        {"no time check", {good, old_im}, 2, {root}, X509_V_FLAG_NO_CHECK_TIME},
    };
    const int expected[] = {
        X509_V_ERR_CERT_SIGNATURE_FAILURE,
        X509_V_ERR_CERT_SIGNATURE_FAILURE,
        X509_V_ERR_CERT_HAS_EXPIRED,
        X509_V_ERR_CERT_NOT_YET_VALID,
        X509_V_ERR_KEYUSAGE_NO_CERTSIGN,
        X509_V_OK,
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
        X509_V_OK,
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
        X509_V_ERR_CERT_SIGNATURE_FAILURE,
        X509_V_OK,
        X509_V_OK,
        X509_V_OK,
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        compare(&cases[i], expected[i]);

    /* The intermediate verified under its root, then met under the twin:
     * the memo holds the root's key, so the twin's is checked and fails. */
    const struct chain_case under_root = {
        "under its root", {bare_leafc, bare_im}, 2, {bare_root}, 0};
    const struct chain_case under_twin = {
        "under the twin", {bare_leafc, bare_im}, 2, {twin_root}, 0};
    CHECK(compare(&under_root, X509_V_OK) == 3);
    CHECK(compare(&under_twin, X509_V_ERR_CERT_SIGNATURE_FAILURE) == 0);
    CHECK(compare(&under_root, X509_V_OK) == 4); /* the root's key is still the one kept */

    X509 *all[] = {root,       im,   good,     bad_leaf,  bad_im,    old_im,  early,
                   no_sign_im, self, bad_self, bare_root, twin_root, bare_im, bare_leafc};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        X509_free(all[i]);
    EVP_PKEY *keys[] = {root_key, twin_key, im_key, leaf_key};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        EVP_PKEY_free(keys[i]);
    return snt_test_finish("cert_verify");
}
