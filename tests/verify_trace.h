/* Every call of a verification's callback, recorded, to compare OpenSSL's
 * own last verification pass with src/cert_verify.c's
 * (tests/test_cert_verify.c, tests/fuzz/fuzz_cert.c). */
#ifndef SNITRACE_VERIFY_TRACE_H
#define SNITRACE_VERIFY_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "../src/cert_internal.h"

#define SNT_VT_MAX_CALLS 64

struct snt_vt_call {
    int ok, err, depth;
    X509 *cert;
};

struct snt_vt_trace {
    struct snt_vt_call calls[SNT_VT_MAX_CALLS];
    int n, result, err, depth; /* X509_verify_cert's result, final error and depth */
    bool stop_at_first;        /* else every error is let pass, so every check runs */
};

/* One verification: certs[0] the leaf, the rest untrusted. */
struct snt_vt_run {
    X509_STORE *store;
    X509 *const *certs;
    size_t n;
    unsigned long flags; /* X509_V_FLAG_*, added to ssl_server's */
    const time_t *at;    /* NULL: now */
    bool ours;           /* snt_cert_verify_signatures as the last pass */
};

static inline int snt_vt_record(int ok, X509_STORE_CTX *ctx)
{
    struct snt_vt_trace *t = X509_STORE_CTX_get_app_data(ctx);
    if (t->n < SNT_VT_MAX_CALLS)
        t->calls[t->n++] = (struct snt_vt_call){ok, X509_STORE_CTX_get_error(ctx),
                                                X509_STORE_CTX_get_error_depth(ctx),
                                                X509_STORE_CTX_get_current_cert(ctx)};
    return t->stop_at_first ? ok : 1;
}

/* false when the context could not be set up. */
static inline bool snt_vt_verify(const struct snt_vt_run *r, bool stop_at_first,
                                 struct snt_vt_trace *t)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *rest = sk_X509_new_null();
    bool ok = ctx && rest;
    memset(t, 0, sizeof *t);
    t->stop_at_first = stop_at_first;
    for (size_t i = 1; ok && i < r->n; i++)
        ok = sk_X509_push(rest, r->certs[i]) > 0;
    ok = ok && X509_STORE_CTX_init(ctx, r->store, r->certs[0], rest) == 1;
    if (ok) {
        X509_STORE_CTX_set_default(ctx, "ssl_server");
        if (r->flags)
            X509_STORE_CTX_set_flags(ctx, r->flags);
        if (r->at)
            X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), *r->at);
        X509_STORE_CTX_set_verify_cb(ctx, snt_vt_record);
        X509_STORE_CTX_set_app_data(ctx, t);
        if (r->ours)
            X509_STORE_CTX_set_verify(ctx, snt_cert_verify_signatures);
        t->result = X509_verify_cert(ctx);
        t->err = X509_STORE_CTX_get_error(ctx);
        t->depth = X509_STORE_CTX_get_error_depth(ctx);
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(rest);
    ERR_clear_error();
    return ok;
}

/* A call's certificate as its place in the chain x (n of them), so that
 * two decodings of one chain compare; any other (the store's) as itself. */
static inline uintptr_t snt_vt_cert_id(X509 *c, X509 *const *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c == x[i])
            return i;
    return (uintptr_t)c;
}

/* The two verifications, of chains xa and xb (n each), called back alike. */
static inline bool snt_vt_same(const struct snt_vt_trace *a, X509 *const *xa,
                               const struct snt_vt_trace *b, X509 *const *xb, size_t n)
{
    if (a->n != b->n || a->result != b->result || a->err != b->err || a->depth != b->depth)
        return false;
    for (int i = 0; i < a->n; i++)
        if (a->calls[i].ok != b->calls[i].ok || a->calls[i].err != b->calls[i].err ||
            a->calls[i].depth != b->calls[i].depth ||
            snt_vt_cert_id(a->calls[i].cert, xa, n) != snt_vt_cert_id(b->calls[i].cert, xb, n))
            return false;
    return true;
}

static inline void snt_vt_print(const char *what, const struct snt_vt_trace *t)
{
    fprintf(stderr, "%s: result %d, error %d at depth %d, %d calls:", what, t->result, t->err,
            t->depth, t->n);
    for (int i = 0; i < t->n; i++)
        fprintf(stderr, " (%d %d %d)", t->calls[i].ok, t->calls[i].err, t->calls[i].depth);
    fprintf(stderr, "\n");
}

#endif
