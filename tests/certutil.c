/* The test certificates of tests/certs/, read for the cert stage's tests. */
#include "certutil.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"

EVP_PKEY *snt_test_new_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    CHECK(k != NULL);
    return k;
}

void snt_test_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    CHECK(e != NULL);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

struct snt_span snt_test_der_of(X509 *x)
{
    unsigned char *p = NULL;
    int len = i2d_X509(x, &p);
    return (struct snt_span){p, len > 0 ? (size_t)len : 0};
}

struct snt_span snt_test_cert(const char *dir, const char *name)
{
    char path[1024];
    uint8_t buf[65536];
    snprintf(path, sizeof path, "%s/%s.der", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return (struct snt_span){snt_test_exact_copy(buf, len), len};
}

struct snt_cert_checker *snt_test_checker(const char *dir, size_t cache_max, size_t cache_bytes)
{
    char ca[1024], err[256] = "";
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    struct snt_cert_checker_opts o = {
        .ca_file = ca, .cache_max = cache_max, .cache_bytes_max = cache_bytes};
    struct snt_cert_checker *c = snt_cert_checker_new(&o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "cannot create checker: %s\n", err);
        exit(1);
    }
    return c;
}
