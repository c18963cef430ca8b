/* EC keys of decoded certificates (src/cert_eckey.c, through
 * src/cert_decode.c): on every curve and parameter form, the key the
 * decoder makes is the key the certificate carries (same bits, same
 * encoding, equal to the signer's own key), it checks signatures as an
 * issuer and as a self-signed certificate, and a damaged signature still
 * fails.  Certificates are made here, with fresh keys, on each run.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../src/cert_internal.h"
#include "certutil.h"
#include "testutil.h"

static EVP_PKEY *ec_key(const char *curve, bool explicit_params)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING,
                                         explicit_params ? "explicit" : "named_curve", 0),
        OSSL_PARAM_construct_end()};
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
        EVP_PKEY_keygen(ctx, &k) != 1)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    return k;
}

static X509_NAME *cn(const char *name)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
    return n;
}

/* A certificate for key, named subject, signed by signer as issuer. */
static X509 *make_cert(EVP_PKEY *key, const char *subject, EVP_PKEY *signer, const char *issuer,
                       bool ca)
{
    X509 *x = X509_new();
    X509_NAME *s = cn(subject), *i = cn(issuer);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_set_subject_name(x, s);
    X509_set_issuer_name(x, i);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    if (ca) {
        X509_EXTENSION *bc =
            X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, bc, -1);
        X509_EXTENSION_free(bc);
    }
    CHECK(X509_sign(x, signer, EVP_sha256()) > 0);
    X509_NAME_free(s);
    X509_NAME_free(i);
    return x;
}

static X509 *decode(struct snt_cert_decoder *d, X509 *x)
{
    struct snt_span der = snt_test_der_of(x);
    X509 *out = snt_cert_decode(d, &der);
    OPENSSL_free((void *)der.p);
    return out;
}

static bool same_spki(EVP_PKEY *a, EVP_PKEY *b)
{
    unsigned char *pa = NULL, *pb = NULL;
    int la = i2d_PUBKEY(a, &pa), lb = i2d_PUBKEY(b, &pb);
    bool same = la > 0 && la == lb && memcmp(pa, pb, (size_t)la) == 0;
    OPENSSL_free(pa);
    OPENSSL_free(pb);
    return same;
}

static void test_curve(struct snt_cert_decoder *d, const char *curve, bool explicit_params,
                       int bits)
{
    fprintf(stderr, "curve %s%s\n", curve, explicit_params ? " (explicit parameters)" : "");
    EVP_PKEY *key = ec_key(curve, explicit_params);
    CHECK(key != NULL);
    if (!key)
        return;
    X509 *made = make_cert(key, "ec.example.test", key, "ec.example.test", false);
    X509 *x = decode(d, made);
    CHECK(x != NULL);
    EVP_PKEY *k = x ? X509_get0_pubkey(x) : NULL;
    CHECK(k != NULL);
    if (k) {
        CHECK(EVP_PKEY_get0_asn1(k) == snt_cert_ec_method()); /* decoded the short way */
        CHECK(EVP_PKEY_is_a(k, "EC"));
        CHECK_EQ_INT(EVP_PKEY_get_bits(k), bits);
        CHECK_EQ_INT(EVP_PKEY_get_size(k), EVP_PKEY_get_size(key));
        CHECK_EQ_INT(EVP_PKEY_get_security_bits(k), EVP_PKEY_get_security_bits(key));
        CHECK(same_spki(k, key)); /* encodes back to the certificate's own key */
        CHECK_EQ_INT(EVP_PKEY_eq(k, key), 1);
        CHECK_EQ_INT(X509_verify(x, k), 1); /* its self-signature, with the decoded key */
    }
    X509_free(x);
    X509_free(made);
    EVP_PKEY_free(key);
}

/* root (P-384) -> intermediate (P-256) -> leaf (P-521), all EC-signed;
 * the intermediate and leaf decoded as the checker decodes them. */
static void test_ec_chain(struct snt_cert_decoder *d)
{
    EVP_PKEY *rk = ec_key("P-384", false), *ik = ec_key("P-256", false);
    EVP_PKEY *lk = ec_key("P-521", false);
    CHECK(rk && ik && lk);
    if (!rk || !ik || !lk)
        return;
    X509 *root = make_cert(rk, "EC Root", rk, "EC Root", true);
    X509 *im = make_cert(ik, "EC Intermediate", rk, "EC Root", true);
    X509 *leaf = make_cert(lk, "leaf.example.test", ik, "EC Intermediate", false);
    X509 *dim = decode(d, im), *dleaf = decode(d, leaf);
    CHECK(dim && dleaf);

    /* The decoded intermediate's key checks the leaf, and only the leaf. */
    CHECK_EQ_INT(X509_verify(dleaf, X509_get0_pubkey(dim)), 1);
    CHECK(X509_verify(dim, X509_get0_pubkey(dleaf)) != 1);
    ERR_clear_error();
    /* Two decodings of one key compare equal (the method's own compare);
     * different keys do not. */
    EVP_PKEY *ok = ec_key("P-256", false);
    X509 *other = make_cert(ok, "other.example.test", ok, "other.example.test", false);
    X509 *dim2 = decode(d, im), *dother = decode(d, other);
    CHECK_EQ_INT(EVP_PKEY_eq(X509_get0_pubkey(dim), X509_get0_pubkey(dim2)), 1);
    CHECK_EQ_INT(EVP_PKEY_eq(X509_get0_pubkey(dim), X509_get0_pubkey(dother)), 0); /* P-256 both */
    CHECK_EQ_INT(EVP_PKEY_eq(X509_get0_pubkey(dim), X509_get0_pubkey(dleaf)), 0);  /* P-521 */
    X509_free(dother);
    X509_free(other);
    EVP_PKEY_free(ok);

    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, root);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    sk_X509_push(untrusted, dim);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    CHECK(X509_STORE_CTX_init(ctx, store, dleaf, untrusted) == 1);
    CHECK_EQ_INT(X509_verify_cert(ctx), 1);
    X509_STORE_CTX_free(ctx);

    /* The leaf with its signature's last byte changed: the chain no longer verifies. */
    struct snt_span der = snt_test_der_of(leaf);
    ((unsigned char *)der.p)[der.len - 1] ^= 0x01;
    X509 *bad = snt_cert_decode(d, &der);
    CHECK(bad != NULL);
    if (bad) {
        ctx = X509_STORE_CTX_new();
        CHECK(X509_STORE_CTX_init(ctx, store, bad, untrusted) == 1);
        CHECK(X509_verify_cert(ctx) != 1);
        CHECK_EQ_INT(X509_STORE_CTX_get_error(ctx), X509_V_ERR_CERT_SIGNATURE_FAILURE);
        X509_STORE_CTX_free(ctx);
    }
    ERR_clear_error();
    OPENSSL_free((void *)der.p);
    X509_free(bad);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    X509_free(dim2);
    X509_free(dim);
    X509_free(dleaf);
    X509_free(leaf);
    X509_free(im);
    X509_free(root);
    EVP_PKEY_free(lk);
    EVP_PKEY_free(ik);
    EVP_PKEY_free(rk);
}

int main(void)
{
    struct snt_cert_decoder *d = snt_cert_decoder_new();
    CHECK(d != NULL);
    CHECK(snt_cert_ec_method() != NULL);
    test_curve(d, "P-256", false, 256);
    test_curve(d, "P-384", false, 384);
    test_curve(d, "P-521", false, 521);
    test_curve(d, "P-224", false, 224); /* not one of the shared curves */
    test_curve(d, "P-256", true, 256);  /* explicit parameters */
    test_ec_chain(d);
    snt_cert_decoder_free(d);
    return snt_test_finish("cert_eckey");
}
