/* The test certificates of tests/certs/ (made by make-certs.sh), for the
 * cert stage's tests. */
#ifndef SNITRACE_CERTUTIL_H
#define SNITRACE_CERTUTIL_H

#include <stddef.h>

#include <openssl/x509.h>

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

#endif
