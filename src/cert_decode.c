/* Decoding the DER certificates a server sent (RFC 5280) with d2i_X509,
 * at a tenth of what OpenSSL 3.0 charges by default for an RSA key, and
 * less still for an EC key on a common curve (cert_eckey.c).
 *
 * Why an ENGINE, a deprecated interface, in new code: OpenSSL 3.0's
 * d2i_X509 decodes the subjectPublicKeyInfo through the provider decoders,
 * and sets up their whole decoder chain afresh for every certificate
 * (OSSL_DECODER_CTX_new_for_pkey: about 1 M of the 1.2 M instructions a
 * d2i_X509 costs; openssl/openssl issues #15199, #17950, #19119; 3.2 caches
 * the chain, pull request #21426).  Before trying the providers, the decoder
 * (x509_pubkey_decode in crypto/x509/x_pubkey.c) takes the legacy path for
 * any key type an ENGINE has registered public-key methods for.  So while
 * one d2i_X509 runs, an ENGINE of our own is registered for RSA and EC with
 * the built-in methods (EVP_PKEY_meth_find): nothing of it is ours but the
 * registration.
 *
 * Why that changes no verdict: the provider decoders for these two types
 * parse the key with the very same legacy functions (d2i_RSA_PUBKEY and
 * d2i_EC_PUBKEY go through ossl_d2i_PUBKEY_legacy); only the EVP_PKEY
 * around the key differs, a legacy one instead of a provided one.  Every
 * later use of an RSA key (signature checks while verifying, the
 * self-signed test) runs after the ENGINE is unregistered again, so it goes
 * to the providers as before, through OpenSSL's own export of legacy keys
 * (EC keys: below).  A key
 * the legacy decoder refuses falls through to the providers, as without the
 * ENGINE.  Other key types (RSA-PSS, Ed25519, Ed448, DSA, ...) are not
 * registered and are decoded exactly as before.
 *
 * EC keys go further (cert_eckey.c): the ENGINE also lends an ASN.1 method
 * for EC that copies the key's curve from one made once instead of building
 * it (about half of what a d2i_X509 of an EC certificate cost).  A key made
 * that way keeps the ENGINE (OpenSSL holds it in the EVP_PKEY), so its later
 * uses, the signature checks it makes as an issuer and the self-signed
 * test, run through the ENGINE's built-in legacy EC method (ECDSA_verify on
 * the same EC_KEY) instead of an export to the providers: the same check,
 * done without copying the key.
 *
 * Why only around d2i_X509, and only when no other thread is inside
 * OpenSSL: the registration is process-wide.  Any RSA or EC context that
 * another thread creates while it is in place is a legacy one, and libssl
 * does not cope when that context is given a provided key (a probe's TLS
 * 1.2 ECDHE handshake then fails, "inaccessible domain parameters").  So
 * threads that use OpenSSL keys (the probes' handshakes) hold
 * snt_cert_openssl_enter() while they do, and a decode that finds one
 * there skips the shortcut instead of waiting.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* ENGINE_*, EVP_PKEY_meth_find: see above */

#include "cert_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#ifndef OPENSSL_NO_ENGINE
#include <openssl/engine.h>
#endif

/* Read-held by threads inside OpenSSL; write-held by a decode's shortcut. */
static pthread_rwlock_t openssl_users = PTHREAD_RWLOCK_INITIALIZER;

void snt_cert_openssl_enter(void)
{
    pthread_rwlock_rdlock(&openssl_users);
}

void snt_cert_openssl_leave(void)
{
    pthread_rwlock_unlock(&openssl_users);
}

struct snt_cert_decoder {
    void *engine; /* ENGINE *, NULL when there is none: d2i_X509 as it comes */
};

#ifndef OPENSSL_NO_ENGINE

static const int legacy_key_types[] = {EVP_PKEY_RSA, EVP_PKEY_EC};

/* ENGINE_PKEY_METHS_PTR: the list of types, or the built-in method of one. */
static int builtin_pkey_methods(ENGINE *e, EVP_PKEY_METHOD **pmeth, const int **nids, int nid)
{
    (void)e;
    if (!pmeth) {
        *nids = legacy_key_types;
        return (int)(sizeof legacy_key_types / sizeof legacy_key_types[0]);
    }
    for (size_t i = 0; i < sizeof legacy_key_types / sizeof legacy_key_types[0]; i++) {
        if (nid == legacy_key_types[i]) {
            /* The ENGINE interface wants it writable; it is never written. */
            *pmeth = (EVP_PKEY_METHOD *)EVP_PKEY_meth_find(nid);
            return *pmeth != NULL;
        }
    }
    *pmeth = NULL;
    return 0;
}

/* ENGINE_PKEY_ASN1_METHS_PTR: the list of types, or the method of one. */
static int shared_curve_methods(ENGINE *e, EVP_PKEY_ASN1_METHOD **ameth, const int **nids, int nid)
{
    static const int types[] = {EVP_PKEY_EC};
    (void)e;
    if (!ameth) {
        *nids = types;
        return 1;
    }
    *ameth = nid == EVP_PKEY_EC ? snt_cert_ec_method() : NULL;
    return *ameth != NULL;
}

/* One ENGINE for the process, made on first use and never freed: keys
 * decoded with its EC method keep it, and an ENGINE frees its methods when
 * it goes.  NULL when it cannot be had (decoding is then plain d2i_X509). */
static ENGINE *process_engine;
static bool process_engine_ec; /* it lends the EC method too */
static pthread_once_t process_engine_once = PTHREAD_ONCE_INIT;

static void make_process_engine(void)
{
    ENGINE *e = ENGINE_new();
    if (e && ENGINE_set_id(e, "snitrace-legacy-keys") == 1 &&
        ENGINE_set_name(e, "built-in RSA and EC key methods, for decoding certificates") == 1 &&
        ENGINE_set_pkey_meths(e, builtin_pkey_methods) == 1 && ENGINE_init(e) == 1) {
        /* Only now, when e is kept: freeing it would free the EC method. */
        process_engine_ec =
            snt_cert_ec_method() && ENGINE_set_pkey_asn1_meths(e, shared_curve_methods) == 1;
        process_engine = e;
    } else {
        ENGINE_free(e);
    }
    snt_cert_forget_errors();
}

static ENGINE *legacy_key_engine(void)
{
    pthread_once(&process_engine_once, make_process_engine);
    return process_engine;
}

/* The shortcut when nobody else is inside OpenSSL, else the plain way. */
static X509 *d2i_with(void *engine, const unsigned char **p, long len)
{
    bool alone = engine && pthread_rwlock_trywrlock(&openssl_users) == 0;
    bool on = alone && ENGINE_register_pkey_meths(engine) == 1;
    bool ec = on && process_engine_ec && ENGINE_register_pkey_asn1_meths(engine) == 1;
    X509 *x = d2i_X509(NULL, p, len);
    if (ec)
        ENGINE_unregister_pkey_asn1_meths(engine);
    if (on)
        ENGINE_unregister_pkey_meths(engine);
    if (alone)
        pthread_rwlock_unlock(&openssl_users);
    return x;
}

#else

static void *legacy_key_engine(void)
{
    return NULL;
}

static X509 *d2i_with(void *engine, const unsigned char **p, long len)
{
    (void)engine;
    return d2i_X509(NULL, p, len);
}

#endif

struct snt_cert_decoder *snt_cert_decoder_new(void)
{
    struct snt_cert_decoder *d = calloc(1, sizeof *d);
    if (d)
        d->engine = legacy_key_engine(); /* none: slower, never wrong */
    return d;
}

void snt_cert_decoder_free(struct snt_cert_decoder *d)
{
    if (!d)
        return;
    free(d);
}

X509 *snt_cert_decode(struct snt_cert_decoder *d, const struct snt_span *s)
{
    const unsigned char *p = s->p;
    X509 *x;
    if (!s->p || s->len == 0 || s->len > LONG_MAX)
        return NULL;
    x = d2i_with(d ? d->engine : NULL, &p, (long)s->len);
    if (x && p != s->p + s->len) {
        X509_free(x);
        x = NULL;
    }
    snt_cert_forget_errors();
    return x;
}
