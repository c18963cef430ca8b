/* Fuzz target for the TLS Certificate message (RFC 5246 section 7.4.2,
 * RFC 8446 section 4.4.2) and the cert stage behind it (RFC 5280
 * certificates, RFC 6125 name checks).
 *
 * The input is a Certificate handshake body, parsed in both forms; every
 * chain that parses goes to snt_cert_check whole and certificate by
 * certificate, and the input itself is tried as one DER certificate.  Name
 * and capture time are fixed.  Every buffer handed to the code under test is
 * an exact-size heap copy, so AddressSanitizer sees any read past its end.
 *
 * Each chain is also verified against the test root of tests/certs/ with
 * OpenSSL's own last pass and with src/cert_verify.c's (twice, the second
 * time with the intermediates' signatures remembered), every error let
 * pass: the two must call the verify callback alike, call for call.
 */
#include "snitrace/cert.h"
#include "snitrace/tls.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "../verify_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "www.example.test"
#define FUZZ_TIME INT64_C(1748736000) /* 2025-06-01 */

#define ALL_PROBLEMS                                                                               \
    (SNT_PROBLEM_NAME_MISMATCH | SNT_PROBLEM_EXPIRED | SNT_PROBLEM_NOT_YET_VALID |                 \
     SNT_PROBLEM_SELF_SIGNED | SNT_PROBLEM_UNTRUSTED | SNT_PROBLEM_WEAK_KEY |                      \
     SNT_PROBLEM_WEAK_SIGNATURE)

/* Two checkers for the whole run, with small caches so eviction happens;
 * they stay reachable, so leak checkers do not count them.  The first
 * trusts the system's roots; the second the test root of tests/certs/, so
 * that chains made under it (the corpus holds some) get as far as the
 * signature and date checks (src/cert_verify.c), bad signatures and all. */
#ifndef SNT_FUZZ_CA_FILE
#define SNT_FUZZ_CA_FILE NULL
#endif

static struct snt_cert_checker *checker(int which)
{
    static struct snt_cert_checker *c[2];
    struct snt_cert_checker_opts o = {.cache_max = 8, .ca_file = which ? SNT_FUZZ_CA_FILE : NULL};
    if (!c[which])
        c[which] = snt_cert_checker_new(&o, NULL, 0);
    if (!c[which])
        abort();
    return c[which];
}

/* ---- OpenSSL's signature and date pass against cert_verify.c's ---------- */

/* The test root as a store (NULL without one); kept for the whole run. */
static X509_STORE *test_store(void)
{
    static X509_STORE *store;
    static bool tried;
    if (!tried && SNT_FUZZ_CA_FILE) {
        tried = true;
        store = X509_STORE_new();
        if (!store || X509_STORE_load_file(store, SNT_FUZZ_CA_FILE) != 1)
            abort();
    }
    return store;
}

/* The chain's certificates that decode (the leaf must), as the checker
 * takes them (intermediates with a memo when mine); how many. */
static size_t decode_all(const struct snt_span *certs, size_t n, X509 **x, bool mine)
{
    size_t m = 0;
    for (size_t i = 0; i < n && i < 16; i++) {
        const unsigned char *p = certs[i].p;
        X509 *c = d2i_X509(NULL, &p, (long)certs[i].len);
        if (c && m > 0 && mine)
            snt_cert_remember_signature(c);
        if (c)
            x[m++] = c;
        else if (i == 0)
            break;
    }
    ERR_clear_error();
    return m;
}

/* OpenSSL's pass and this one, each on a decoding of its own (OpenSSL
 * caches what it learns of a certificate in it, and a first verification
 * can differ from later ones), twice each: the second time the
 * intermediates' signatures come from the memo. */
static void compare_passes(const struct snt_span *certs, size_t n)
{
    X509 *xa[16], *xb[16];
    if (!test_store())
        return;
    size_t ma = decode_all(certs, n, xa, false), mb = decode_all(certs, n, xb, true);
    if (ma != mb)
        abort();
    const time_t at = (time_t)FUZZ_TIME;
    const struct snt_vt_run theirs_run = {test_store(), xa, ma, 0, &at, false};
    const struct snt_vt_run ours_run = {test_store(), xb, mb, 0, &at, true};
    for (int round = 0; ma > 0 && round < 2; round++) {
        struct snt_vt_trace theirs, ours;
        if (!snt_vt_verify(&theirs_run, false, &theirs) || !snt_vt_verify(&ours_run, false, &ours))
            abort();
        if (!snt_vt_same(&theirs, xa, &ours, xb, ma)) {
            fprintf(stderr, "round %d\n", round);
            snt_vt_print("OpenSSL's pass", &theirs);
            snt_vt_print("cert_verify.c's", &ours);
            abort();
        }
    }
    for (size_t i = 0; i < ma; i++) {
        X509_free(xa[i]);
        X509_free(xb[i]);
    }
}

/* ---- the checker's results -------------------------------------------------- */

static void check_list(char *const *items, size_t n, size_t total)
{
    if (n > SNT_CERT_MAX_NAMES || n > total || (n > 0 && !items))
        abort();
    for (size_t i = 0; i < n; i++)
        if (!items[i])
            abort();
}

/* What any result must look like, whatever the input. */
static void check_result(const struct snt_cert_result *r, size_t n)
{
    const struct snt_cert_info *in = &r->info;
    const struct snt_cert_verdict *v = &r->verdict;
    check_list(in->subject_cn, in->n_subject_cn, in->n_subject_cn);
    check_list(in->dns_names, in->n_dns_names, in->dns_names_total);
    check_list(in->ip_addresses, in->n_ip_addresses, in->ip_addresses_total);
    if (!in->subject_dn || !in->issuer_dn || strlen(in->sha256_hex) != 64 || in->chain_length != n)
        abort();
    if ((v->problems & ~(unsigned)ALL_PROBLEMS) != 0 ||
        strlen(v->name_check) >= sizeof v->name_check ||
        ((v->problems & SNT_PROBLEM_UNTRUSTED) != 0) != (v->verify_error[0] != '\0'))
        abort();
}

static void check_chain(const struct snt_span *certs, size_t n)
{
    struct snt_span copies[16];
    const struct snt_cert_result *r;
    if (n > 16)
        n = 16;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = malloc(certs[i].len ? certs[i].len : 1);
        if (!p)
            abort();
        memcpy(p, certs[i].p, certs[i].len);
        copies[i].p = p;
        copies[i].len = certs[i].len;
    }
    compare_passes(copies, n);
    for (int which = 0; which < 2; which++)
        if (n > 0 && (r = snt_cert_check(checker(which), copies, n, FUZZ_NAME, FUZZ_TIME)) != NULL)
            check_result(r, n);
    for (size_t i = 0; n > 1 && i < n; i++)
        if ((r = snt_cert_check(checker(0), &copies[i], 1, FUZZ_NAME, FUZZ_TIME)) != NULL)
            check_result(r, 1);
    for (size_t i = 0; i < n; i++)
        free((void *)copies[i].p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_tls_certificate_list list;
    struct snt_span whole = {data, size};
    for (int tls13 = 0; tls13 <= 1; tls13++) {
        if (snt_tls_parse_certificate(data, size, tls13, &list) != SNT_OK)
            continue;
        if (list.n > 16 || list.n > list.total)
            abort();
        check_chain(list.certs, list.n);
    }
    check_chain(&whole, 1);
    return 0;
}
