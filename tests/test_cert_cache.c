/* The cert stage's verdict cache (src/cert_cache.c), shared certificate
 * information (src/cert_info.c) and decoding beside other OpenSSL users
 * (src/cert_decode.c): equal hashes never make two questions share a
 * verdict; copies of a result share its strings, which outlive the checker
 * and survive copies dropped on several threads at once; TLS handshakes on
 * another thread (as the probes make) succeed while certificates are
 * decoded.
 *
 * Usage: test_cert_cache CERT_DIR (the certificates of tests/certs/).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "../src/cert_internal.h"
#include "../src/htable.h"
#include "certutil.h"
#include "testutil.h"

#define T_2025_06_01 INT64_C(1748736000)
#define DAY          (T_2025_06_01 / 86400)

static const char *cert_dir;

static struct snt_span load(const char *name)
{
    return snt_test_cert(cert_dir, name);
}

static struct snt_cert_checker *test_checker(void)
{
    return snt_test_checker(cert_dir, 0, 0);
}

/* Remember a result saying `what` for q. */
static const struct snt_cert_result *put(struct snt_cert_cache *cache,
                                         const struct snt_cert_question *q, const char *what)
{
    struct snt_cert_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.verdict.name_check, sizeof r.verdict.name_check, "%s", what);
    return snt_cert_cache_put(cache, q, &r, 0, INT64_MIN, INT64_MAX);
}

static const char *answer(struct snt_cert_cache *cache, const struct snt_cert_question *q)
{
    const struct snt_cert_result *r = snt_cert_cache_get(cache, q, T_2025_06_01);
    return r ? r->verdict.name_check : "(none)";
}

/* A question about chain[0..n), with the chain's identity and a hash
 * chosen by the test. */
static struct snt_cert_question question(struct snt_cert_cache *cache, const struct snt_span *chain,
                                         size_t n, const struct snt_cert_name *name, int64_t day,
                                         uint64_t hash)
{
    struct snt_cert_question q = {.chain = chain, .n = n, .name = name, .day = day, .hash = hash};
    CHECK(snt_cert_cache_chain_id(cache, &q));
    return q;
}

static bool same_id(const struct snt_cert_question *a, const struct snt_cert_question *b)
{
    return memcmp(a->id.sha256, b->id.sha256, sizeof a->id.sha256) == 0;
}

/* An intermediate's SHA-256 is kept for the very bytes it was made of: a
 * chain whose intermediate differs by one bit, after the original was
 * seen and before it is seen again, is another chain; the leaf's SHA-256
 * comes out as OpenSSL makes it, whichever certificates were kept. */
static void test_intermediates_kept(void)
{
    struct snt_span www = load("www"), inter = load("intermediate");
    /* One bit flipped where the copy falls in the original's set, so the
     * two meet there. */
    struct snt_span tampered = {snt_test_exact_copy(inter.p, inter.len), inter.len};
    uint8_t *t = (uint8_t *)tampered.p;
    uint32_t set = snt_hash_bytes(inter.p, inter.len) % SNT_CERT_KNOWN_SETS;
    size_t bit = 0;
    for (; bit < 8 * inter.len; bit++) {
        t[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (snt_hash_bytes(t, inter.len) % SNT_CERT_KNOWN_SETS == set)
            break;
        t[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(bit < 8 * inter.len);
    struct snt_span a[2] = {www, inter}, b[2] = {www, tampered};
    struct snt_cert_name name;
    snt_cert_name_normalize("www.example.test", &name);
    struct snt_cert_cache *cache = snt_cert_cache_new(64, (size_t)1 << 24);
    struct snt_cert_question first = question(cache, a, 2, &name, DAY, 1),
                             other = question(cache, b, 2, &name, DAY, 1),
                             again = question(cache, a, 2, &name, DAY, 1),
                             other_again = question(cache, b, 2, &name, DAY, 1);
    CHECK(same_id(&first, &again) && same_id(&other, &other_again));
    CHECK(!same_id(&first, &other));
    uint8_t md[32];
    unsigned int len = 0;
    CHECK(EVP_Digest(www.p, www.len, md, &len, EVP_sha256(), NULL) == 1 && len == 32);
    CHECK(memcmp(first.leaf_sha256, md, 32) == 0 && memcmp(other_again.leaf_sha256, md, 32) == 0);
    /* A leaf sent as an intermediate is hashed alike. */
    struct snt_span twice[2] = {www, www};
    struct snt_cert_question q = question(cache, twice, 2, &name, DAY, 1);
    CHECK(!same_id(&q, &first));
    snt_cert_cache_free(cache);
    free((void *)www.p);
    free((void *)inter.p);
    free((void *)tampered.p);
}

/* Questions made to share one hash, as a server would want them to: each
 * is answered by its own entry or by none. */
static void test_equal_hashes(void)
{
    struct snt_span www = load("www"), inter = load("intermediate"), other = load("other-leaf");
    struct snt_span tampered = {snt_test_exact_copy(www.p, www.len), www.len};
    struct snt_span again = {snt_test_exact_copy(www.p, www.len), www.len};
    ((uint8_t *)tampered.p)[www.len - 1] ^= 1; /* one bit of the signature */
    struct snt_span a[2] = {www, inter}, b[2] = {tampered, inter}, c[2] = {other, inter};
    struct snt_span a_again[2] = {again, inter};
    struct snt_span many[SNT_CERT_MAX_CHAIN + 2];
    for (size_t i = 0; i < SNT_CERT_MAX_CHAIN + 2; i++)
        many[i] = i ? inter : www;
    /* The same bytes, one after the other, cut elsewhere: another chain. */
    uint8_t *both = malloc(www.len + inter.len);
    memcpy(both, www.p, www.len);
    memcpy(both + www.len, inter.p, inter.len);
    struct snt_span split[2] = {{both, www.len + 10}, {both + www.len + 10, inter.len - 10}};
    struct snt_cert_name name, none;
    snt_cert_name_normalize("www.example.test", &name);
    snt_cert_name_normalize(NULL, &none);
    struct snt_cert_cache *cache = snt_cert_cache_new(64, (size_t)1 << 24);
    const uint64_t h = 42;
    struct snt_cert_question qa = question(cache, a, 2, &name, DAY, h),
                             qb = question(cache, b, 2, &name, DAY, h),
                             qc = question(cache, c, 2, &name, DAY, h),
                             qleaf = question(cache, a, 1, &name, DAY, h),
                             qnone = question(cache, a, 2, &none, DAY, h),
                             qday = question(cache, a, 2, &name, DAY + 1, h),
                             qagain = question(cache, a_again, 2, &name, DAY, h),
                             qsplit = question(cache, split, 2, &name, DAY, h),
                             q17 = question(cache, many, SNT_CERT_MAX_CHAIN + 1, &name, DAY, h),
                             q18 = question(cache, many, SNT_CERT_MAX_CHAIN + 2, &name, DAY, h);
    CHECK(put(cache, &qa, "a") != NULL);
    CHECK(strcmp(answer(cache, &qa), "a") == 0);
    CHECK(strcmp(answer(cache, &qagain), "a") == 0);  /* the same bytes elsewhere */
    CHECK(strcmp(answer(cache, &qb), "(none)") == 0); /* one bit differs */
    CHECK(strcmp(answer(cache, &qc), "(none)") == 0);
    CHECK(strcmp(answer(cache, &qleaf), "(none)") == 0); /* a prefix of the chain */
    CHECK(strcmp(answer(cache, &qsplit), "(none)") == 0);
    CHECK(strcmp(answer(cache, &qnone), "(none)") == 0);
    CHECK(strcmp(answer(cache, &qday), "(none)") == 0);
    put(cache, &qb, "b");
    put(cache, &q17, "17");
    CHECK(strcmp(answer(cache, &qa), "a") == 0);
    CHECK(strcmp(answer(cache, &qb), "b") == 0);
    CHECK(strcmp(answer(cache, &q17), "17") == 0);
    CHECK(strcmp(answer(cache, &q18), "(none)") == 0); /* same first 16, more sent */
    /* The cache's own hash tells the chains apart too. */
    snt_cert_cache_hash(cache, &qa);
    snt_cert_cache_hash(cache, &qb);
    snt_cert_cache_hash(cache, &qagain);
    CHECK(qa.hash != qb.hash && qa.hash == qagain.hash);
    snt_cert_cache_free(cache);
    free((void *)www.p);
    free((void *)inter.p);
    free((void *)other.p);
    free((void *)tampered.p);
    free((void *)again.p);
    free(both);
}

/* An entry keeps its texts at their own lengths: what comes back is what
 * went in, from empty to as long as the verdict's arrays hold, problems
 * and window too; an answer stays as it was while the next one is asked. */
static void test_texts_kept(void)
{
    struct snt_span www = load("www"), inter = load("intermediate");
    struct snt_span chain[2] = {www, inter};
    struct snt_cert_name longest, empty;
    char name[SNT_CERT_NAME_MAX + 1];
    memset(name, 'a', sizeof name - 1);
    for (size_t i = 63; i < sizeof name - 1; i += 64)
        name[i] = '.'; /* labels of 63 */
    name[sizeof name - 1] = '\0';
    snt_cert_name_normalize(name, &longest);
    snt_cert_name_normalize(NULL, &empty);
    CHECK(longest.len == SNT_CERT_NAME_MAX);
    struct snt_cert_cache *cache = snt_cert_cache_new(8, (size_t)1 << 20);
    struct snt_cert_question full = question(cache, chain, 2, &longest, DAY, 1),
                             bare = question(cache, chain, 2, &empty, DAY, 2);
    struct snt_cert_result r;
    memset(&r, 0, sizeof r);
    r.verdict.problems = 5;
    memset(r.verdict.verify_error, 'v', sizeof r.verdict.verify_error - 1);
    memset(r.verdict.name_check, 'n', sizeof r.verdict.name_check - 1);
    struct snt_cert_verdict want = r.verdict;
    CHECK(snt_cert_cache_put(cache, &full, &r, 0, 10, 20) != NULL);
    memset(&r, 0, sizeof r);
    CHECK(snt_cert_cache_put(cache, &bare, &r, 0, 30, 40) != NULL);
    const struct snt_cert_result *a = snt_cert_cache_get(cache, &full, 15);
    const struct snt_cert_result *b = snt_cert_cache_get(cache, &bare, 35);
    int64_t from = 0, to = 0;
    CHECK(a && b && a != b);
    if (a && b) {
        CHECK(a->verdict.problems == 5 && b->verdict.problems == 0);
        CHECK(memcmp(a->verdict.verify_error, want.verify_error, sizeof want.verify_error) == 0);
        CHECK(memcmp(a->verdict.name_check, want.name_check, sizeof want.name_check) == 0);
        CHECK(b->verdict.verify_error[0] == '\0' && b->verdict.name_check[0] == '\0');
        snt_cert_cache_window(a, &from, &to);
        CHECK(from == 10 && to == 20);
        snt_cert_cache_window(b, &from, &to);
        CHECK(from == 30 && to == 40);
    }
    CHECK(snt_cert_cache_get(cache, &full, 25) == NULL); /* outside its window: gone */
    snt_cert_cache_free(cache);
    free((void *)www.p);
    free((void *)inter.p);
}

/* A copy of a result's information is a reference, and outlives the
 * checker; information put together by hand gets a block of its own. */
static void test_shared_info(void)
{
    struct snt_span s[2] = {load("www"), load("intermediate")};
    struct snt_cert_checker *c = test_checker();
    const struct snt_cert_result *r = snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01);
    struct snt_cert_info copy;
    CHECK(r && r->info.strings != NULL);
    if (!r) {
        snt_cert_checker_free(c);
        return;
    }
    snt_cert_info_copy(&copy, &r->info);
    CHECK(copy.strings == r->info.strings && copy.dns_names == r->info.dns_names &&
          copy.subject_dn == r->info.subject_dn);
    struct snt_cert_strings *held = snt_cert_info_hold(&r->info);
    CHECK(held == r->info.strings);
    snt_cert_checker_free(c); /* the cache's reference goes */
    CHECK(copy.n_dns_names == 2 && strcmp(copy.dns_names[1], "mail.example.test") == 0);
    CHECK(strcmp(copy.subject_dn, "CN=www.example.test") == 0);
    snt_cert_info_free(&copy);
    snt_cert_strings_release(held);
    snt_cert_strings_release(NULL);

    char cn[] = "by.hand.example.test", ip[] = "192.0.2.7";
    char *cns[] = {cn}, *ips[] = {ip};
    struct snt_cert_info loose = {
        .subject_cn = cns, .n_subject_cn = 1, .ip_addresses = ips, .n_ip_addresses = 1};
    snt_cert_info_copy(&copy, &loose);
    CHECK(copy.strings != NULL && snt_cert_info_hold(&loose) == NULL);
    CHECK(copy.subject_cn != cns && copy.subject_cn[0] != cn);
    cn[0] = 'X';
    CHECK(strcmp(copy.subject_cn[0], "by.hand.example.test") == 0);
    CHECK(strcmp(copy.ip_addresses[0], "192.0.2.7") == 0 && copy.dns_names == NULL);
    CHECK(copy.subject_dn == NULL && copy.issuer_dn == NULL);
    snt_cert_info_free(&copy);
    free((void *)s[0].p);
    free((void *)s[1].p);
}

#define THREADS 4
#define ROUNDS  20000

static void *copy_and_drop(void *arg)
{
    struct snt_cert_info *own = arg;
    void *failed = NULL;
    for (int i = 0; i < ROUNDS && !failed; i++) {
        struct snt_cert_info copy;
        snt_cert_info_copy(&copy, own);
        if (copy.n_subject_cn != 1 || strcmp(copy.subject_cn[0], "www.example.test") != 0)
            failed = (void *)1;
        snt_cert_info_free(&copy);
    }
    snt_cert_info_free(own); /* the last reference goes on whichever thread ends last */
    return failed;
}

/* References taken and dropped on several threads at once, after the
 * checker and the thread that made them have let go. */
static void test_threads(void)
{
    struct snt_span s[2] = {load("www"), load("intermediate")};
    struct snt_cert_checker *c = test_checker();
    const struct snt_cert_result *r = snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01);
    struct snt_cert_info own[THREADS];
    pthread_t t[THREADS];
    int started = 0;
    CHECK(r != NULL);
    for (int i = 0; r && i < THREADS; i++)
        snt_cert_info_copy(&own[i], &r->info);
    snt_cert_checker_free(c);
    for (int i = 0; r && i < THREADS; i++) {
        if (pthread_create(&t[started], NULL, copy_and_drop, &own[i]) == 0)
            started++;
        else
            snt_cert_info_free(&own[i]);
    }
    for (int i = 0; i < started; i++) {
        void *failed = (void *)1;
        pthread_join(t[i], &failed);
        CHECK(failed == NULL);
    }
    CHECK(!r || started == THREADS);
    free((void *)s[0].p);
    free((void *)s[1].p);
}

/* ---- handshakes beside decoding ------------------------------------------ */

#define HANDSHAKES 500

/* A throwaway P-256 key and a self-signed certificate for it. */
static SSL_CTX *server_context(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    bool ok =
        key && x && ctx && X509_set_version(x, X509_VERSION_3) == 1 &&
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
        X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
        X509_gmtime_adj(X509_getm_notAfter(x), 3600) &&
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                   (const unsigned char *)"probe.example.test", -1, -1, 0) == 1 &&
        X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 && X509_set_pubkey(x, key) == 1 &&
        X509_sign(x, key, EVP_sha256()) > 0 && SSL_CTX_use_certificate(ctx, x) == 1 &&
        SSL_CTX_use_PrivateKey(ctx, key) == 1;
    X509_free(x);
    EVP_PKEY_free(key);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* One TLS 1.2 ECDHE handshake over a BIO pair, each step inside OpenSSL
 * between snt_cert_openssl_enter and _leave, as a probe makes its own. */
static bool handshake(SSL_CTX *client_ctx, SSL_CTX *server_ctx)
{
    SSL *c = SSL_new(client_ctx), *s = SSL_new(server_ctx);
    BIO *cb = NULL, *sb = NULL;
    bool done = false;
    if (c && s && BIO_new_bio_pair(&cb, 0, &sb, 0) == 1) {
        SSL_set_bio(c, cb, cb);
        SSL_set_bio(s, sb, sb);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        for (int step = 0; step < 20 && !done; step++) {
            snt_cert_openssl_enter();
            int rc = SSL_do_handshake(c), rs = SSL_do_handshake(s);
            snt_cert_openssl_leave();
            done = rc == 1 && rs == 1;
            if ((rc != 1 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ) ||
                (rs != 1 && SSL_get_error(s, rs) != SSL_ERROR_WANT_READ))
                break;
        }
    }
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    return done;
}

struct handshakes {
    SSL_CTX *client, *server;
    atomic_int done, failed;
};

static void *make_handshakes(void *arg)
{
    struct handshakes *h = arg;
    for (int i = 0; i < HANDSHAKES; i++) {
        if (!handshake(h->client, h->server))
            atomic_fetch_add(&h->failed, 1);
        atomic_fetch_add(&h->done, 1);
    }
    return NULL;
}

/* OpenSSL's tables, which decoding changes for a moment, are process-wide:
 * a key made on another thread in that moment must still work. */
static void test_handshakes_beside_decoding(void)
{
    struct handshakes h = {SSL_CTX_new(TLS_client_method()), server_context(), 0, 0};
    struct snt_span leaf = load("ec256"), inter = load("intermediate");
    struct snt_cert_decoder *d = snt_cert_decoder_new();
    pthread_t t;
    long decoded = 0;
    CHECK(h.client && h.server && d);
    if (h.client && h.server && d && SSL_CTX_set_max_proto_version(h.client, TLS1_2_VERSION) == 1 &&
        SSL_CTX_set1_groups_list(h.client, "P-256") == 1 &&
        pthread_create(&t, NULL, make_handshakes, &h) == 0) {
        while (atomic_load(&h.done) < HANDSHAKES) {
            X509 *x = snt_cert_decode(d, decoded % 2 ? &leaf : &inter);
            CHECK(x != NULL);
            X509_free(x);
            decoded++;
        }
        pthread_join(t, NULL);
        CHECK(decoded > 0);
        CHECK_EQ_INT(atomic_load(&h.failed), 0);
    }
    snt_cert_decoder_free(d);
    SSL_CTX_free(h.client);
    SSL_CTX_free(h.server);
    free((void *)leaf.p);
    free((void *)inter.p);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    cert_dir = argv[1];
    test_equal_hashes();
    test_intermediates_kept();
    test_texts_kept();
    test_shared_info();
    test_threads();
    test_handshakes_beside_decoding();
    return snt_test_finish("cert_cache");
}
