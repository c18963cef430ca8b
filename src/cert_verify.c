/* The last pass of a chain's verification, the issuers' signatures and
 * every certificate's validity dates (RFC 5280 section 6.1.3), as OpenSSL
 * 3.0's own pass (internal_verify in crypto/x509/x509_vfy.c) makes it,
 * through public calls, with one difference: an intermediate kept decoded
 * from one chain to the next remembers the issuer key that verified its
 * signature, and is not verified again against that same key.
 *
 * Why: on a real network nearly every new chain ends in a trusted root,
 * and its verification checks two signatures, the leaf's by the
 * intermediate and the intermediate's by the root.  The leaf is new, but
 * the intermediate is one of a handful a network's servers share, so
 * every new chain checked the same signature again: an ECDSA P-256 check
 * is some 65 us on the project's machine, an RSA-2048 one 17 us, a whole
 * new chain's decoding and judging otherwise 30 us.
 *
 * Why this is sound: X509_verify(x, key) depends on nothing but the
 * certificate and the key, and neither changes once decoded.  The memo
 * lives in the certificate (ex_data, freed with it) and holds a reference
 * to the key, so the key it names cannot be freed and another take its
 * address while the memo stands; only a success is remembered, so an
 * error (a bad signature, memory running out) is met again each time.
 * Only the certificates the checker keeps get a memo, and a checker is
 * used by one thread at a time.
 *
 * Everything else is OpenSSL's order and callbacks: each check reports
 * through the context's verify callback with the same error, depth and
 * certificate, so a verdict is the same with or without the memo
 * (tests/test_cert_verify.c runs both passes on the same chains and
 * compares every callback).  What cannot be set from outside is the
 * context's current issuer, which nothing here reads.  DANE is never set
 * on these contexts; the pass it needs (a bare trust-anchor key) is not
 * here.
 */
#include "cert_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/x509v3.h>

struct sig_memo {
    EVP_PKEY *key; /* the key that verified the certificate (a reference), or NULL */
};

static int memo_index = -1;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t memo_hits;

static void memo_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    struct sig_memo *m = ptr;
    if (m) {
        EVP_PKEY_free(m->key);
        free(m);
    }
}

static void memo_setup(void)
{
    memo_index = X509_get_ex_new_index(0, NULL, NULL, NULL, memo_free);
}

/* The ex_data index of the memos (made once, whichever thread comes
 * first); -1 when OpenSSL could not give one. */
static int memo_slot(void)
{
    pthread_once(&memo_once, memo_setup);
    return memo_index;
}

bool snt_cert_remember_signature(X509 *x)
{
    int slot = memo_slot();
    if (slot < 0 || !x)
        return false;
    if (X509_get_ex_data(x, slot))
        return true;
    struct sig_memo *m = calloc(1, sizeof *m);
    if (!m)
        return false;
    if (!X509_set_ex_data(x, slot, m)) {
        free(m);
        return false;
    }
    return true;
}

uint64_t snt_cert_signatures_remembered(void)
{
    return atomic_load_explicit(&memo_hits, memory_order_relaxed);
}

/* X509_verify(xs, key) > 0, from xs's memo when it has one for key. */
static bool signature_holds(X509 *xs, EVP_PKEY *key)
{
    int slot = memo_slot();
    struct sig_memo *m = slot >= 0 ? X509_get_ex_data(xs, slot) : NULL;
    if (m && m->key == key) {
        atomic_fetch_add_explicit(&memo_hits, 1, memory_order_relaxed);
        return true;
    }
    if (X509_verify(xs, key) <= 0)
        return false;
    if (m && EVP_PKEY_up_ref(key)) {
        EVP_PKEY_free(m->key);
        m->key = key;
    }
    return true;
}

/* ---- OpenSSL's reporting, through public calls ----------------------------- */

/* err about x, at depth in the chain, to the verify callback (as
 * verify_cb_cert in x509_vfy.c).  Returns the callback's answer: 0 stops
 * the verification. */
static int report(X509_STORE_CTX *ctx, X509 *x, int depth, int err)
{
    X509_STORE_CTX_set_error_depth(ctx, depth);
    X509_STORE_CTX_set_current_cert(ctx, x);
    X509_STORE_CTX_set_error(ctx, err);
    return X509_STORE_CTX_get_verify_cb(ctx)(0, ctx);
}

/* ossl_x509_check_cert_time for a certificate of the chain (depth >= 0). */
static bool dates_hold(X509_STORE_CTX *ctx, X509 *x, int depth)
{
    const X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(p);
    time_t at, *when = NULL;
    if (flags & X509_V_FLAG_USE_CHECK_TIME) {
        at = X509_VERIFY_PARAM_get_time(p);
        when = &at;
    } else if (flags & X509_V_FLAG_NO_CHECK_TIME) {
        return true;
    }
    int i = X509_cmp_time(X509_get0_notBefore(x), when);
    if (i == 0 && !report(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD))
        return false;
    if (i > 0 && !report(ctx, x, depth, X509_V_ERR_CERT_NOT_YET_VALID))
        return false;
    i = X509_cmp_time(X509_get0_notAfter(x), when);
    if (i == 0 && !report(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD))
        return false;
    if (i < 0 && !report(ctx, x, depth, X509_V_ERR_CERT_HAS_EXPIRED))
        return false;
    return true;
}

/* ossl_x509_signing_allowed: whether issuer's key usage lets it sign
 * subject (a proxy certificate needs digitalSignature, any other
 * keyCertSign); X509_V_OK or the error. */
static int signing_allowed(X509 *issuer, X509 *subject)
{
    bool has_usage = (X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) != 0;
    uint32_t usage = X509_get_key_usage(issuer);
    if (X509_get_extension_flags(subject) & EXFLAG_PROXY)
        return has_usage && !(usage & X509v3_KU_DIGITAL_SIGNATURE)
                   ? X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE
                   : X509_V_OK;
    return has_usage && !(usage & X509v3_KU_KEY_CERT_SIGN) ? X509_V_ERR_KEYUSAGE_NO_CERTSIGN
                                                           : X509_V_OK;
}

/* ossl_x509_likely_issued(x, x) == X509_V_OK: X509_check_issued is that
 * test followed by the key usage one, whose only errors are these two. */
static bool self_issued(X509 *x)
{
    int r = X509_check_issued(x, x);
    return r == X509_V_OK || r == X509_V_ERR_KEYUSAGE_NO_CERTSIGN ||
           r == X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
}

/* The issuer xi's key usage and signature on xs, at depth n (xi one
 * above, or xs itself); false when the callback stopped it. */
static bool check_signature(X509_STORE_CTX *ctx, X509 *xi, X509 *xs, int n)
{
    bool self = xs == xi;
    int issuer_depth = self ? n : n + 1;
    int ret =
        self && !(X509_get_extension_flags(xi) & EXFLAG_CA) ? X509_V_OK : signing_allowed(xi, xs);
    if (ret != X509_V_OK && !report(ctx, xi, issuer_depth, ret))
        return false;
    EVP_PKEY *key = X509_get0_pubkey(xi);
    if (!key)
        return report(ctx, xi, issuer_depth, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY);
    if (!signature_holds(xs, key))
        return report(ctx, xs, n, X509_V_ERR_CERT_SIGNATURE_FAILURE);
    return true;
}

int snt_cert_verify_signatures(X509_STORE_CTX *ctx)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx));
    int n = sk_X509_num(chain) - 1;
    X509 *xi = sk_X509_value(chain, n), *xs = xi;
    X509_STORE_CTX_set_error_depth(ctx, n);
    /* A top certificate that is not self-issued: it is trusted without
     * its own issuer, and only what it signed is checked. */
    if (!self_issued(xi) && !(flags & X509_V_FLAG_PARTIAL_CHAIN)) {
        if (n > 0) {
            n--;
            X509_STORE_CTX_set_error_depth(ctx, n);
            xs = sk_X509_value(chain, n);
        } else if (!report(ctx, xi, 0, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)) {
            return 0;
        }
    }
    /* Errors stay set ("sticky") for the callback to clear if it will. */
    while (n >= 0) {
        /* A self-signed certificate's own signature only when asked for. */
        bool check = xs != xi || ((flags & X509_V_FLAG_CHECK_SS_SIGNATURE) &&
                                  (X509_get_extension_flags(xi) & EXFLAG_SS));
        if (check && !check_signature(ctx, xi, xs, n))
            return 0;
        if (!dates_hold(ctx, xs, n))
            return 0;
        X509_STORE_CTX_set_current_cert(ctx, xs);
        X509_STORE_CTX_set_error_depth(ctx, n);
        if (!X509_STORE_CTX_get_verify_cb(ctx)(1, ctx))
            return 0;
        if (--n >= 0) {
            xi = xs;
            xs = sk_X509_value(chain, n);
        }
    }
    return 1;
}
