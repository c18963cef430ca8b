/* The test certificates of tests/certs/ (made by make-certs.sh), for the
 * cert stage's tests. */
#ifndef SNITRACE_CERTUTIL_H
#define SNITRACE_CERTUTIL_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "snitrace/cert.h"
#include "snitrace/reader.h"

/* DIR/NAME.der as an exact-size heap copy; exits when it cannot be read. */
struct snt_span snt_test_cert(const char *dir, const char *name);

/* A checker trusting DIR/ca.pem (0: the default cache bounds); exits when
 * it cannot be made. */
struct snt_cert_checker *snt_test_checker(const char *dir, size_t cache_max, size_t cache_bytes);

/* x's DER, as the wire would carry it (OpenSSL's heap: free p with
 * OPENSSL_free). */
struct snt_span snt_test_der_of(X509 *x);

/* A fresh P-256 key; NULL (and a failed check) when none could be made. */
EVP_PKEY *snt_test_new_key(void);

/* The extension nid with value (OpenSSL's config syntax) added to x. */
void snt_test_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value);

#endif
