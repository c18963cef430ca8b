/* Issuer searches against a hashed trust directory (src/cert_issuer.c,
 * through snt_cert_check): an issuer the directory lacks is remembered as
 * absent and the verdict stays the same; a name the directory has a
 * certificate of is never remembered as absent, even when that certificate
 * did not issue the chain at hand.  Chain certificates are decoded once
 * and taken again only for the same bytes (src/cert.c).  Certificates and the directory are
 * made here, with fresh keys, on each run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "snitrace/cert.h"
#include "certutil.h"
#include "testutil.h"

static X509_NAME *cn(const char *name)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
    return n;
}

/* A certificate for key, named subject, signed by signer (whose own
 * certificate is issuer; NULL: self-signed); a CA one, or a server's for
 * the DNS name subject.  Key identifiers are set as CAs set them, so an
 * issuer is told by its key and not only by its name. */
static X509 *make_cert(EVP_PKEY *key, const char *subject, EVP_PKEY *signer, X509 *issuer, bool ca)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *s = cn(subject);
    X509V3_CTX v3;
    char san[300];
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_set_subject_name(x, s);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : s);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    snt_test_add_ext(x, &v3, NID_subject_key_identifier, "hash");
    snt_test_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
    if (ca) {
        snt_test_add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE");
        snt_test_add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        snprintf(san, sizeof san, "DNS:%s", subject);
        snt_test_add_ext(x, &v3, NID_subject_alt_name, san);
    }
    CHECK(X509_sign(x, signer, EVP_sha256()) > 0);
    X509_NAME_free(s);
    return x;
}

/* root as DIR/<subject hash>.0, as c_rehash names it. */
static void add_to_dir(const char *dir, X509 *root)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%08lx.0", dir, X509_subject_name_hash(root));
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        CHECK(PEM_write_X509(f, root) == 1);
        fclose(f);
    }
}

/* The verdict on leaf (for name) with im after it, at the current time. */
static const struct snt_cert_result *check(struct snt_cert_checker *c, X509 *leaf, X509 *im,
                                           const char *name)
{
    struct snt_span chain[2] = {snt_test_der_of(leaf), snt_test_der_of(im)};
    const struct snt_cert_result *r = snt_cert_check(c, chain, 2, name, (int64_t)time(NULL));
    OPENSSL_free((void *)chain[0].p);
    OPENSSL_free((void *)chain[1].p);
    CHECK(r != NULL);
    return r;
}

static struct snt_cert_counters counters(struct snt_cert_checker *c)
{
    struct snt_cert_counters n;
    snt_cert_counters(c, &n);
    return n;
}

static uint64_t known_absent(struct snt_cert_checker *c)
{
    return counters(c).issuers_known_absent;
}

int main(void)
{
    char dir[] = "/tmp/snitrace-issuers-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);

    EVP_PKEY *root_key = snt_test_new_key(), *twin_key = snt_test_new_key(),
             *absent_key = snt_test_new_key();
    EVP_PKEY *im_key = snt_test_new_key(), *leaf_key = snt_test_new_key();
    X509 *root = make_cert(root_key, "Issuer Test Root", root_key, NULL, true);
    add_to_dir(dir, root);
    /* A CA under the trusted root, one under a root nobody has, and one
     * under a root with the trusted root's name but another key. */
    X509 *absent_root = make_cert(absent_key, "Absent Root", absent_key, NULL, true);
    X509 *twin_root = make_cert(twin_key, "Issuer Test Root", twin_key, NULL, true);
    X509 *im = make_cert(im_key, "Issuer Test CA", root_key, root, true);
    X509 *lost_im = make_cert(im_key, "Lost CA", absent_key, absent_root, true);
    X509 *twin_im = make_cert(im_key, "Twin CA", twin_key, twin_root, true);

    struct snt_cert_checker_opts o = {.ca_path = dir};
    char err[256] = "";
    struct snt_cert_checker *c = snt_cert_checker_new(&o, err, sizeof err);
    CHECK(c != NULL);
    if (!c)
        return snt_test_finish("cert_issuer");

    /* Trusted through the directory, the second time too, with the
     * intermediate then taken as decoded the first time. */
    const char *names[] = {"a.issuer.test", "b.issuer.test"};
    for (int i = 0; i < 2; i++) {
        X509 *leaf = make_cert(leaf_key, names[i], im_key, im, false);
        const struct snt_cert_result *r = check(c, leaf, im, names[i]);
        CHECK_EQ_INT(r ? (int)r->verdict.problems : -1, 0);
        CHECK_EQ_INT((int)counters(c).intermediates_reused, i);
        X509_free(leaf);
    }

    /* The absent root: untrusted, for the same reason, both times; the
     * second search is answered from memory. */
    uint64_t before = known_absent(c);
    char first_error[sizeof((struct snt_cert_verdict *)0)->verify_error] = "";
    const char *lost[] = {"c.issuer.test", "d.issuer.test"};
    for (int i = 0; i < 2; i++) {
        X509 *leaf = make_cert(leaf_key, lost[i], im_key, lost_im, false);
        const struct snt_cert_result *r = check(c, leaf, lost_im, lost[i]);
        CHECK(r && (r->verdict.problems & SNT_PROBLEM_UNTRUSTED));
        if (r && i == 0)
            snprintf(first_error, sizeof first_error, "%s", r->verdict.verify_error);
        else if (r)
            CHECK(strcmp(r->verdict.verify_error, first_error) == 0);
        X509_free(leaf);
    }
    CHECK(strstr(first_error, "unable to get local issuer certificate") != NULL);
    CHECK(known_absent(c) > before);
    CHECK_EQ_INT((int)counters(c).intermediates_reused, 2); /* lost_im the second time */

    /* The twin: a root of that name is in the directory but did not issue
     * this CA, so the chain is untrusted, and the name is not taken as
     * absent: the trusted chain still verifies afterwards. */
    X509 *twin_leaf = make_cert(leaf_key, "e.issuer.test", im_key, twin_im, false);
    const struct snt_cert_result *r = check(c, twin_leaf, twin_im, "e.issuer.test");
    CHECK(r && (r->verdict.problems & SNT_PROBLEM_UNTRUSTED));
    X509 *leaf = make_cert(leaf_key, "f.issuer.test", im_key, im, false);
    r = check(c, leaf, im, "f.issuer.test");
    CHECK_EQ_INT(r ? (int)r->verdict.problems : -1, 0);

    snt_cert_checker_free(c);
    X509_free(leaf);
    X509_free(twin_leaf);
    X509_free(twin_im);
    X509_free(lost_im);
    X509_free(twin_root);
    X509_free(absent_root);
    X509_free(im);
    char path[512];
    snprintf(path, sizeof path, "%s/%08lx.0", dir, X509_subject_name_hash(root));
    unlink(path);
    rmdir(dir);
    X509_free(root);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(im_key);
    EVP_PKEY_free(absent_key);
    EVP_PKEY_free(twin_key);
    EVP_PKEY_free(root_key);
    return snt_test_finish("cert_issuer");
}
