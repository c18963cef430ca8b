/* Tests for the cert stage (src/cert.c, src/cert_names.c, src/cert_cache.c:
 * RFC 5280 certificates, RFC 6125 name checks) and the TLS Certificate
 * message parser (src/tls_cert.c: RFC 5246 section 7.4.2, RFC 8446 section
 * 4.4.2), with the certificates made by tests/certs/make-certs.sh.
 *
 * Usage: test_cert CERT_DIR.  Capture times are chosen against the fixed
 * validity windows of those certificates, never the wall clock.
 */
#include "snitrace/cert.h"
#include "snitrace/tls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "certutil.h"
#include "testutil.h"

#define T_2021_01_01 INT64_C(1609459200)
#define T_2022_06_01 INT64_C(1654041600)
#define T_2023_06_01 INT64_C(1685577600)
#define T_2024_01_01 INT64_C(1704067200) /* leaves' notBefore */
#define T_2025_06_01 INT64_C(1748736000) /* "now" for most cases */
#define T_2034_01_01 INT64_C(2019686400) /* leaves' notAfter */
#define T_2035_01_01 INT64_C(2051222400)
#define T_2045_01_01 INT64_C(2366841600) /* after the CAs' notAfter too */

#define NAME_MISMATCH  SNT_PROBLEM_NAME_MISMATCH
#define EXPIRED        SNT_PROBLEM_EXPIRED
#define NOT_YET_VALID  SNT_PROBLEM_NOT_YET_VALID
#define SELF_SIGNED    SNT_PROBLEM_SELF_SIGNED
#define UNTRUSTED      SNT_PROBLEM_UNTRUSTED
#define WEAK_KEY       SNT_PROBLEM_WEAK_KEY
#define WEAK_SIGNATURE SNT_PROBLEM_WEAK_SIGNATURE

static const char *cert_dir;

struct der {
    uint8_t *p;
    size_t len;
};

/* The DER file tests/certs/NAME.der as an exact-size heap copy. */
static struct der load(const char *name)
{
    struct snt_span s = snt_test_cert(cert_dir, name);
    return (struct der){(uint8_t *)s.p, s.len};
}

static struct snt_cert_checker *test_checker(size_t cache_max, size_t cache_bytes)
{
    return snt_test_checker(cert_dir, cache_max, cache_bytes);
}

/* ---- verdicts, table-driven ------------------------------------------------ */

struct verdict_case {
    const char *what;
    const char *chain; /* DER file names, leaf first, space-separated */
    const char *name;
    int64_t t;
    unsigned problems;        /* exactly these */
    const char *name_check;   /* exact text; NULL: not checked */
    const char *verify_error; /* a substring; "" means none at all */
};

#define WWW       "www intermediate"
#define MATCH_WWW "\"www.example.test\" matched SAN DNS:www.example.test"

static const struct verdict_case verdict_cases[] = {
    {"match", WWW, "www.example.test", T_2025_06_01, 0, MATCH_WWW, ""},
    {"case and trailing dot", WWW, "WWW.Example.TEST.", T_2025_06_01, 0, MATCH_WWW, ""},
    {"second SAN", WWW, "mail.example.test", T_2025_06_01, 0,
     "\"mail.example.test\" matched SAN DNS:mail.example.test", ""},
    {"mismatch", WWW, "autodiscover.example.test", T_2025_06_01, NAME_MISMATCH,
     "\"autodiscover.example.test\" not covered by SAN DNS:www.example.test, "
     "DNS:mail.example.test",
     ""},
    {"no name", WWW, NULL, T_2025_06_01, 0, "", ""},
    {"only a dot", WWW, ".", T_2025_06_01, 0, "", ""},
    {"leading dot", WWW, ".example.test", T_2025_06_01, NAME_MISMATCH,
     "\".example.test\" not covered: not a host name (starts with a dot)", ""},
    {"IP against DNS-only", WWW, "192.0.2.5", T_2025_06_01, NAME_MISMATCH,
     "IP 192.0.2.5 not covered: no IP SAN (addresses are never compared with DNS names or CNs)",
     ""},
    {"wildcard one label", "wildcard intermediate", "a.example.test", T_2025_06_01, 0,
     "\"a.example.test\" matched SAN DNS:*.example.test", ""},
    {"wildcard two labels", "wildcard intermediate", "a.b.example.test", T_2025_06_01,
     NAME_MISMATCH,
     "\"a.b.example.test\" not covered: wildcard *.example.test covers one label only", ""},
    {"wildcard bare domain", "wildcard intermediate", "example.test", T_2025_06_01, NAME_MISMATCH,
     "\"example.test\" not covered: wildcard *.example.test does not cover the bare domain", ""},
    {"partial wildcard", "partial-wildcard intermediate", "www.example.test", T_2025_06_01,
     NAME_MISMATCH,
     "\"www.example.test\" not covered: partial wildcard w*.example.test is not honoured", ""},
    {"CN only, match", "cn-only intermediate", "cn-only.example.test", T_2025_06_01, 0,
     "\"cn-only.example.test\" matched subject CN cn-only.example.test (no DNS SAN)", ""},
    {"CN only, mismatch", "cn-only intermediate", "x.example.test", T_2025_06_01, NAME_MISMATCH,
     "\"x.example.test\" not covered: no DNS SAN: compared subject CN cn-only.example.test", ""},
    {"CN is not a SAN", "cn-not-in-san intermediate", "old-name.example.test", T_2025_06_01,
     NAME_MISMATCH,
     "\"old-name.example.test\" not covered by SAN DNS:new-name.example.test (the subject CN "
     "names it, but CNs do not count when DNS SANs exist)",
     ""},
    {"IPv4 SAN", "ip intermediate", "192.0.2.5", T_2025_06_01, 0,
     "IP 192.0.2.5 matched SAN IP:192.0.2.5", ""},
    {"IPv6 SAN, bracketed, long form", "ip intermediate", "[2001:DB8:0:0::5]", T_2025_06_01, 0,
     "IP 2001:db8::5 matched SAN IP:2001:db8::5", ""},
    {"IP mismatch", "ip intermediate", "192.0.2.9", T_2025_06_01, NAME_MISMATCH,
     "IP 192.0.2.9 not covered by SAN IP:192.0.2.5, IP:2001:db8::5", ""},
    {"DNS SAN next to IP SANs", "ip intermediate", "ip.example.test", T_2025_06_01, 0,
     "\"ip.example.test\" matched SAN DNS:ip.example.test", ""},
    {"expired", WWW, "www.example.test", T_2035_01_01, EXPIRED, MATCH_WWW, ""},
    {"not yet valid", WWW, "www.example.test", T_2023_06_01, NOT_YET_VALID, MATCH_WWW, ""},
    {"last valid second", WWW, "www.example.test", T_2034_01_01, 0, NULL, ""},
    {"first expired second", WWW, "www.example.test", T_2034_01_01 + 1, EXPIRED, NULL, ""},
    {"first valid second", WWW, "www.example.test", T_2024_01_01, 0, NULL, ""},
    {"last early second", WWW, "www.example.test", T_2024_01_01 - 1, NOT_YET_VALID, NULL, ""},
    {"whole chain expired", WWW, "www.example.test", T_2045_01_01, EXPIRED | UNTRUSTED, NULL,
     "certificate has expired"},
    {"intermediate expired", "short-leaf short-intermediate", "short.example.test", T_2025_06_01,
     UNTRUSTED, NULL, "certificate has expired (depth 1)"},
    {"intermediate still valid", "short-leaf short-intermediate", "short.example.test",
     T_2022_06_01, 0, NULL, ""},
    {"leaf early, intermediate valid", "short-leaf short-intermediate", "short.example.test",
     T_2021_01_01 - 1, NOT_YET_VALID, NULL, ""},
    {"self-signed", "selfsigned", "selfsigned.example.test", T_2025_06_01, SELF_SIGNED | UNTRUSTED,
     NULL, "self-signed certificate (depth 0)"},
    {"unknown issuer", "other-leaf", "other.example.test", T_2025_06_01, UNTRUSTED, NULL,
     "unable to get local issuer certificate (depth 0)"},
    {"unknown root sent along", "other-leaf other-root", "other.example.test", T_2025_06_01,
     UNTRUSTED, NULL, "self-signed certificate in certificate chain"},
    {"missing intermediate", "www", "www.example.test", T_2025_06_01, UNTRUSTED, MATCH_WWW,
     "unable to get local issuer certificate (depth 0)"},
    {"root sent along", "www intermediate root", "www.example.test", T_2025_06_01, 0, MATCH_WWW,
     ""},
    {"out of order with a stranger", "www other-root intermediate", "www.example.test",
     T_2025_06_01, 0, MATCH_WWW, ""},
    {"RSA-1024", "rsa1024 intermediate", "rsa1024.example.test", T_2025_06_01, WEAK_KEY, NULL, ""},
    {"EC P-256", "ec256 intermediate", "ec256.example.test", T_2025_06_01, 0, NULL, ""},
    {"EC P-192", "ec192 intermediate", "ec192.example.test", T_2025_06_01, WEAK_KEY, NULL, ""},
    {"SHA-1 signature", "sha1 intermediate", "sha1.example.test", T_2025_06_01, WEAK_SIGNATURE,
     NULL, ""},
    /* RSA-PSS: the digest is in the signature's parameters, not its OID. */
    {"RSA-PSS with SHA-1", "pss-sha1", "pss-sha1.example.test", T_2025_06_01,
     WEAK_SIGNATURE | SELF_SIGNED | UNTRUSTED, NULL, "self-signed certificate (depth 0)"},
    {"RSA-PSS with SHA-256", "pss-sha256", "pss-sha256.example.test", T_2025_06_01,
     SELF_SIGNED | UNTRUSTED, NULL, "self-signed certificate (depth 0)"},
    {"SHA-1 root sent along is exempt", "legacy-leaf legacy-root", "legacy.example.test",
     T_2025_06_01, 0, NULL, ""},
    {"SHA-1 root from the store", "legacy-leaf", "legacy.example.test", T_2025_06_01, 0, NULL, ""},
    {"empty subject", "empty-subject intermediate", "empty-subject.example.test", T_2025_06_01, 0,
     "\"empty-subject.example.test\" matched SAN DNS:empty-subject.example.test", ""},
    {"many SANs, the last", "many-sans intermediate", "n1999.example.test", T_2025_06_01, 0,
     "\"n1999.example.test\" matched SAN DNS:n1999.example.test", ""},
    {"many SANs, the first", "many-sans intermediate", "n0000.example.test", T_2025_06_01, 0, NULL,
     ""},
    {"many SANs, none", "many-sans intermediate", "zzz.example.test", T_2025_06_01, NAME_MISMATCH,
     NULL, ""},
};

/* "leaf intermediate ..." to up to 4 loaded certificates. */
static size_t load_chain(const char *files, struct der *ders, struct snt_span *spans)
{
    char buf[256], *save = NULL;
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", files);
    for (char *f = strtok_r(buf, " ", &save); f && n < 4; f = strtok_r(NULL, " ", &save), n++) {
        ders[n] = load(f);
        spans[n].p = ders[n].p;
        spans[n].len = ders[n].len;
    }
    return n;
}

static void check_verdict(struct snt_cert_checker *c, const struct verdict_case *vc)
{
    struct der ders[4];
    struct snt_span spans[4];
    size_t n = load_chain(vc->chain, ders, spans);
    const struct snt_cert_result *r = snt_cert_check(c, spans, n, vc->name, vc->t);
    CHECK(r != NULL);
    if (r) {
        const struct snt_cert_verdict *v = &r->verdict;
        bool ok = v->problems == vc->problems &&
                  (!vc->name_check || strcmp(v->name_check, vc->name_check) == 0) &&
                  (vc->verify_error[0] ? strstr(v->verify_error, vc->verify_error) != NULL
                                       : v->verify_error[0] == '\0');
        CHECK(ok);
        if (!ok)
            fprintf(stderr,
                    "  case \"%s\": problems %#x (expected %#x)\n  name_check: %s\n"
                    "  verify_error: %s\n",
                    vc->what, v->problems, vc->problems, v->name_check, v->verify_error);
        CHECK_EQ_INT(r->info.chain_length, n);
    }
    for (size_t i = 0; i < n; i++)
        free(ders[i].p);
}

static void test_verdicts(void)
{
    struct snt_cert_checker *c = test_checker(0, 0);
    for (size_t i = 0; i < sizeof verdict_cases / sizeof verdict_cases[0]; i++)
        check_verdict(c, &verdict_cases[i]);
    snt_cert_checker_free(c);
}

/* ---- what the leaf says ---------------------------------------------------- */

static const struct snt_cert_result *check_files(struct snt_cert_checker *c, const char *leaf,
                                                 const char *name, struct der *d)
{
    struct snt_span s;
    *d = load(leaf);
    s.p = d->p;
    s.len = d->len;
    return snt_cert_check(c, &s, 1, name, T_2025_06_01);
}

static void test_info_www(struct snt_cert_checker *c)
{
    struct der d;
    const struct snt_cert_result *r = check_files(c, "www", "www.example.test", &d);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char hex[65];
    CHECK(r != NULL);
    if (!r) {
        free(d.p);
        return;
    }
    const struct snt_cert_info *in = &r->info;
    CHECK_EQ_INT(in->n_subject_cn, 1);
    CHECK(in->n_subject_cn == 1 && strcmp(in->subject_cn[0], "www.example.test") == 0);
    CHECK_EQ_INT(in->n_dns_names, 2);
    CHECK_EQ_INT(in->dns_names_total, 2);
    CHECK(in->n_dns_names == 2 && strcmp(in->dns_names[0], "www.example.test") == 0 &&
          strcmp(in->dns_names[1], "mail.example.test") == 0);
    CHECK_EQ_INT(in->n_ip_addresses, 0);
    CHECK(strcmp(in->subject_dn, "CN=www.example.test") == 0);
    CHECK(strcmp(in->issuer_dn, "CN=snitrace Test Intermediate CA,O=snitrace tests") == 0);
    CHECK_EQ_INT(in->not_before, T_2024_01_01);
    CHECK_EQ_INT(in->not_after, T_2034_01_01);
    CHECK(strcmp(in->key_type, "RSA") == 0);
    CHECK_EQ_INT(in->key_bits, 2048);
    CHECK(strcmp(in->signature_algorithm, "sha256WithRSAEncryption") == 0);
    CHECK_EQ_INT(in->chain_length, 1);
    EVP_Digest(d.p, d.len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02X", md[i]);
    CHECK(mdlen == 32 && strcmp(in->sha256_hex, hex) == 0);
    free(d.p);
}

static void test_info_others(struct snt_cert_checker *c)
{
    struct der d;
    const struct snt_cert_result *r = check_files(c, "ip", NULL, &d);
    CHECK(r && r->info.n_ip_addresses == 2 && r->info.ip_addresses_total == 2 &&
          strcmp(r->info.ip_addresses[0], "192.0.2.5") == 0 &&
          strcmp(r->info.ip_addresses[1], "2001:db8::5") == 0);
    free(d.p);
    r = check_files(c, "cn-only", NULL, &d);
    CHECK(r && r->info.n_dns_names == 0 && r->info.dns_names_total == 0 &&
          r->info.n_subject_cn == 1 && strcmp(r->info.subject_cn[0], "cn-only.example.test") == 0);
    CHECK(r && strcmp(r->info.subject_dn, "CN=cn-only.example.test,O=snitrace tests") == 0);
    /* The issuer's text again, remembered from www's: the same. */
    CHECK(r && strcmp(r->info.issuer_dn, "CN=snitrace Test Intermediate CA,O=snitrace tests") == 0);
    free(d.p);
    r = check_files(c, "other-leaf", NULL, &d);
    CHECK(r && strcmp(r->info.subject_dn, "CN=other.example.test") == 0 &&
          strcmp(r->info.issuer_dn, "CN=Other Root CA,O=elsewhere") == 0);
    free(d.p);
    r = check_files(c, "empty-subject", NULL, &d);
    CHECK(r && strcmp(r->info.subject_dn, "") == 0 && r->info.n_subject_cn == 0);
    free(d.p);
    r = check_files(c, "ec256", NULL, &d);
    CHECK(r && strcmp(r->info.key_type, "EC") == 0 && r->info.key_bits == 256);
    free(d.p);
    r = check_files(c, "sha1", NULL, &d);
    CHECK(r && strcmp(r->info.signature_algorithm, "sha1WithRSAEncryption") == 0);
    free(d.p);
    r = check_files(c, "rsa1024", NULL, &d);
    CHECK(r && r->info.key_bits == 1024);
    free(d.p);
}

static void test_info_many_sans(struct snt_cert_checker *c)
{
    struct der d;
    const struct snt_cert_result *r = check_files(c, "many-sans", "nothing.example.test", &d);
    CHECK(r != NULL);
    if (r) {
        CHECK_EQ_INT(r->info.n_dns_names, SNT_CERT_MAX_NAMES);
        CHECK_EQ_INT(r->info.dns_names_total, 2000);
        CHECK(strcmp(r->info.dns_names[0], "n0000.example.test") == 0);
        CHECK(strcmp(r->info.dns_names[SNT_CERT_MAX_NAMES - 1], "n1023.example.test") == 0);
        /* The explanation lists what fits and counts the rest. */
        const char *nc = r->verdict.name_check;
        CHECK(strncmp(nc, "\"nothing.example.test\" not covered by SAN DNS:n0000.example.test, ",
                      66) == 0);
        CHECK(strstr(nc, ", ... and ") != NULL && strstr(nc, " more") != NULL);
        CHECK(strlen(nc) < sizeof r->verdict.name_check);
    }
    free(d.p);
}

static void test_info(void)
{
    struct snt_cert_checker *c = test_checker(0, 0);
    test_info_www(c);
    test_info_others(c);
    test_info_many_sans(c);
    snt_cert_checker_free(c);
}

/* ---- parse errors and checker set-up --------------------------------------- */

static void test_parse_errors(void)
{
    struct snt_cert_checker *c = test_checker(0, 0);
    struct snt_cert_counters k;
    struct der www = load("www"), inter = load("intermediate");
    uint8_t *longer = malloc(www.len + 1);
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct snt_span s[2] = {{junk, sizeof junk}, {inter.p, inter.len}};
    CHECK(longer != NULL);
    CHECK(snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01) == NULL);
    CHECK(snt_cert_check(c, s, 0, "www.example.test", T_2025_06_01) == NULL);
    /* A valid certificate followed by one more byte is not a certificate. */
    memcpy(longer, www.p, www.len);
    longer[www.len] = 0;
    s[0].p = longer;
    s[0].len = www.len + 1;
    CHECK(snt_cert_check(c, s, 1, "www.example.test", T_2025_06_01) == NULL);
    /* An intermediate that does not decode is left out: the leaf still
     * counts, but without its issuer. */
    s[0].p = www.p;
    s[0].len = www.len;
    s[1].p = junk;
    s[1].len = sizeof junk;
    const struct snt_cert_result *r = snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01);
    CHECK(r && r->verdict.problems == UNTRUSTED && r->info.chain_length == 2);
    snt_cert_counters(c, &k);
    CHECK_EQ_INT(k.parse_errors, 3);
    CHECK_EQ_INT(k.parsed, 1);
    free(longer);
    free(www.p);
    free(inter.p);
    snt_cert_checker_free(c);
}

static void test_checker_setup(void)
{
    char err[256] = "";
    struct snt_cert_checker_opts bad_file = {.ca_file = "/nonexistent/ca.pem"};
    struct snt_cert_checker_opts bad_dir = {.ca_path = "/nonexistent/certs"};
    CHECK(snt_cert_checker_new(&bad_file, err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/ca.pem") != NULL);
    err[0] = '\0';
    CHECK(snt_cert_checker_new(&bad_dir, err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/certs") != NULL);
    snt_cert_checker_free(NULL);

    /* The system store does not know the test CA. */
    struct snt_cert_checker *c = snt_cert_checker_new(NULL, err, sizeof err);
    struct der www = load("www"), inter = load("intermediate");
    struct snt_span s[2] = {{www.p, www.len}, {inter.p, inter.len}};
    CHECK(c != NULL);
    const struct snt_cert_result *r = snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01);
    CHECK(r && (r->verdict.problems & UNTRUSTED));
    snt_cert_checker_free(c);
    free(www.p);
    free(inter.p);
}

static void test_problem_names(void)
{
    static const char *const names[] = {"name_mismatch", "expired",  "not_yet_valid", "self_signed",
                                        "untrusted",     "weak_key", "weak_signature"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *got = snt_cert_problem_name(1u << i);
        CHECK(got && strcmp(got, names[i]) == 0);
    }
    CHECK(snt_cert_problem_name(0) == NULL);
    CHECK(snt_cert_problem_name(SNT_PROBLEM_EXPIRED | SNT_PROBLEM_WEAK_KEY) == NULL);
}

/* ---- the cache -------------------------------------------------------------- */

static void test_cache_hits(const struct snt_span *s)
{
    struct snt_cert_checker *c = test_checker(0, 0);
    struct snt_cert_counters k;
    const struct snt_cert_result *a = snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01);
    char name_check[sizeof a->verdict.name_check] = "";
    const struct snt_cert_strings *strings = a ? a->info.strings : NULL;
    if (a)
        memcpy(name_check, a->verdict.name_check, sizeof name_check);
    const struct snt_cert_result *b =
        snt_cert_check(c, s, 2, "WWW.example.test.", T_2025_06_01 + 3600);
    snt_cert_counters(c, &k);
    /* The same answer: the name as compared, the same shared information. */
    CHECK(a != NULL && b != NULL && strings != NULL);
    CHECK(b && b->info.strings == strings && strcmp(b->verdict.name_check, name_check) == 0 &&
          strstr(name_check, "\"www.example.test\"") != NULL);
    CHECK_EQ_INT(k.cache_hits, 1);
    CHECK_EQ_INT(k.verified, 1);
    CHECK_EQ_INT(k.parsed, 2);
    /* Another name on the same chain and day: a new question, but the chain
     * is not verified again.  Another day or another chain: verified. */
    const struct snt_cert_result *m = snt_cert_check(c, s, 2, "mail.example.test", T_2025_06_01);
    snt_cert_counters(c, &k);
    CHECK_EQ_INT(k.verified, 1);
    CHECK_EQ_INT(k.parsed, 2); /* the leaf was kept decoded for the names to come */
    CHECK(m && m->verdict.problems == 0);
    snt_cert_check(c, s, 2, "www.example.test", T_2025_06_01 + 86400);
    snt_cert_check(c, s, 1, "www.example.test", T_2025_06_01);
    snt_cert_counters(c, &k);
    CHECK_EQ_INT(k.cache_hits, 1);
    CHECK_EQ_INT(k.verified, 3);
    /* The leaf expires one second into a day: the same day's question has a
     * different answer after that second. */
    a = snt_cert_check(c, s, 2, "www.example.test", T_2034_01_01);
    CHECK(a && a->verdict.problems == 0);
    a = snt_cert_check(c, s, 2, "www.example.test", T_2034_01_01 + 1);
    CHECK(a && a->verdict.problems == EXPIRED);
    a = snt_cert_check(c, s, 2, "www.example.test", T_2034_01_01 + 2);
    CHECK(a && a->verdict.problems == EXPIRED);
    snt_cert_counters(c, &k);
    CHECK_EQ_INT(k.verified, 5);
    CHECK_EQ_INT(k.cache_hits, 2);
    snt_cert_checker_free(c);
}

static void test_cache_bounds(const struct snt_span *s)
{
    /* Room for the chain's own entry and two names. */
    struct snt_cert_checker *c = test_checker(3, 0);
    struct snt_cert_counters k;
    snt_cert_check(c, s, 2, "a.example.test", T_2025_06_01);
    snt_cert_check(c, s, 2, "b.example.test", T_2025_06_01);
    snt_cert_check(c, s, 2, "a.example.test", T_2025_06_01); /* hit; b is now the oldest */
    snt_cert_check(c, s, 2, "c.example.test", T_2025_06_01); /* evicts b */
    snt_cert_check(c, s, 2, "a.example.test", T_2025_06_01); /* hit */
    snt_cert_check(c, s, 2, "b.example.test", T_2025_06_01); /* miss */
    snt_cert_counters(c, &k);
    CHECK_EQ_INT(k.cache_hits, 2);
    CHECK_EQ_INT(k.verified, 1); /* the chain itself stayed remembered */
    snt_cert_checker_free(c);

    /* A byte budget smaller than one result keeps only the newest. */
    c = test_checker(0, 1);
    const struct snt_cert_result *r = snt_cert_check(c, s, 2, "a.example.test", T_2025_06_01);
    CHECK(r && strcmp(r->verdict.name_check, "\"a.example.test\" not covered by SAN "
                                             "DNS:www.example.test, DNS:mail.example.test") == 0);
    snt_cert_check(c, s, 2, "b.example.test", T_2025_06_01);
    r = snt_cert_check(c, s, 2, "b.example.test", T_2025_06_01);
    CHECK(r && r->info.n_dns_names == 2);
    snt_cert_check(c, s, 2, "a.example.test", T_2025_06_01);
    snt_cert_counters(c, &k);
    CHECK_EQ_INT(k.cache_hits, 1);
    CHECK_EQ_INT(k.verified, 3);
    snt_cert_checker_free(c);
}

/* A name in U-labels is compared in its A-label form (RFC 5890), and a
 * name that is not valid IDNA never matches. */
static void test_idn(const struct snt_span *s)
{
    struct snt_cert_checker *c = test_checker(0, 0);
    const struct snt_cert_result *r = snt_cert_check(c, s, 2,
                                                     "b\xc3\xbc"
                                                     "cher.example.test",
                                                     T_2025_06_01);
    CHECK(r && (r->verdict.problems & SNT_PROBLEM_NAME_MISMATCH));
    CHECK(r && strstr(r->verdict.name_check, "xn--bcher-kva.example.test") != NULL);
    r = snt_cert_check(c, s, 2, "bad\xff.example.test", T_2025_06_01);
    CHECK(r && (r->verdict.problems & SNT_PROBLEM_NAME_MISMATCH));
    snt_cert_checker_free(c);
}

static void test_cache(void)
{
    struct der www = load("www"), inter = load("intermediate");
    struct snt_span s[2] = {{www.p, www.len}, {inter.p, inter.len}};
    test_cache_hits(s);
    test_cache_bounds(s);
    test_idn(s);
    free(www.p);
    free(inter.p);
}

/* ---- the TLS Certificate message -------------------------------------------- */

struct msg {
    uint8_t buf[8192];
    size_t len;
};

static void put_bytes(struct msg *m, const void *p, size_t n)
{
    memcpy(m->buf + m->len, p, n);
    m->len += n;
}

static void put_int(struct msg *m, size_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        m->buf[m->len++] = (uint8_t)(v >> (8 * i));
}

/* A Certificate body of the given DER entries; tls13 adds a two-byte request
 * context and gives the last entry one extension. */
static void build(struct msg *m, const struct der *certs, size_t n, bool tls13)
{
    static const uint8_t ext[] = {0x00, 0x05, 0x00, 0x03, 0x01, 0x02, 0x03};
    size_t list = 0;
    m->len = 0;
    for (size_t i = 0; i < n; i++)
        list += 3 + certs[i].len + (tls13 ? 2 : 0) + (tls13 && i + 1 == n ? sizeof ext : 0);
    if (tls13) {
        put_int(m, 2, 1);
        put_int(m, 0xabcd, 2);
    }
    put_int(m, list, 3);
    for (size_t i = 0; i < n; i++) {
        put_int(m, certs[i].len, 3);
        put_bytes(m, certs[i].p, certs[i].len);
        if (tls13 && i + 1 == n) {
            put_int(m, sizeof ext, 2);
            put_bytes(m, ext, sizeof ext);
        } else if (tls13) {
            put_int(m, 0, 2);
        }
    }
}

static void check_prefixes(const struct msg *m, bool tls13)
{
    struct snt_tls_certificate_list out;
    for (size_t cut = 0; cut < m->len; cut++) {
        uint8_t *p = snt_test_exact_copy(m->buf, cut);
        memset(&out, 0x5a, sizeof out);
        enum snt_result rc = snt_tls_parse_certificate(p, cut, tls13, &out);
        if (rc != SNT_MALFORMED || out.n != 0x5a5a5a5au)
            fprintf(stderr, "  prefix %zu of %zu (tls13 %d): rc %d\n", cut, m->len, tls13, rc);
        CHECK(rc == SNT_MALFORMED && out.n == 0x5a5a5a5au);
        free(p);
    }
}

static void test_certificate_message(void)
{
    struct der certs[2] = {load("www"), load("intermediate")};
    static struct msg m;
    struct snt_tls_certificate_list out;
    for (int tls13 = 0; tls13 <= 1; tls13++) {
        build(&m, certs, 2, tls13);
        uint8_t *p = snt_test_exact_copy(m.buf, m.len);
        CHECK_EQ_INT(snt_tls_parse_certificate(p, m.len, tls13, &out), SNT_OK);
        CHECK_EQ_INT(out.n, 2);
        CHECK_EQ_INT(out.total, 2);
        for (size_t i = 0; i < 2; i++)
            CHECK(out.certs[i].len == certs[i].len &&
                  memcmp(out.certs[i].p, certs[i].p, certs[i].len) == 0);
        /* What the parser hands on is what the cert stage takes. */
        struct snt_cert_checker *c = test_checker(0, 0);
        const struct snt_cert_result *r =
            snt_cert_check(c, out.certs, out.n, "www.example.test", T_2025_06_01);
        CHECK(r && r->verdict.problems == 0);
        snt_cert_checker_free(c);
        free(p);
        check_prefixes(&m, tls13);
    }
    free(certs[0].p);
    free(certs[1].p);
}

struct framing_case {
    const char *what;
    const char *hex;
    bool tls13;
    enum snt_result rc;
    unsigned n, total;
};

static const struct framing_case framing_cases[] = {
    {"TLS 1.2 empty list", "000000", false, SNT_OK, 0, 0},
    {"TLS 1.3 empty list", "00 000000", true, SNT_OK, 0, 0},
    {"TLS 1.2 one byte entries", "000008 000001aa 000001bb", false, SNT_OK, 2, 2},
    {"TLS 1.3 entry with extensions", "00 00000c 000001aa 0006 0005 0002 0102", true, SNT_OK, 1, 1},
    {"empty entry", "000003 000000", false, SNT_MALFORMED, 0, 0},
    {"byte after the list", "000004 000001aa 00", false, SNT_MALFORMED, 0, 0},
    {"entry overruns the list", "000004 000002aabb", false, SNT_MALFORMED, 0, 0},
    {"list shorter than its entries", "000003 000001aa", false, SNT_MALFORMED, 0, 0},
    {"extension overruns its block", "00 00000a 000001aa 0004 0005 0002", true, SNT_MALFORMED, 0,
     0},
    {"TLS 1.3 entry without extensions", "00 000004 000001aa", true, SNT_MALFORMED, 0, 0},
    {"context overruns", "05 0000", true, SNT_MALFORMED, 0, 0},
    {"nothing", "", false, SNT_MALFORMED, 0, 0},
};

static void test_certificate_framing(void)
{
    for (size_t i = 0; i < sizeof framing_cases / sizeof framing_cases[0]; i++) {
        const struct framing_case *fc = &framing_cases[i];
        struct snt_tls_certificate_list out = {.n = 77};
        size_t len;
        uint8_t *hex = snt_test_hex(fc->hex, &len);
        uint8_t *p = snt_test_exact_copy(hex, len);
        enum snt_result rc = snt_tls_parse_certificate(p, len, fc->tls13, &out);
        if (rc != fc->rc)
            fprintf(stderr, "  case \"%s\": rc %d\n", fc->what, rc);
        CHECK_EQ_INT(rc, fc->rc);
        CHECK_EQ_INT(out.n, rc == SNT_OK ? fc->n : 77);
        if (rc == SNT_OK)
            CHECK_EQ_INT(out.total, fc->total);
        free(hex);
        free(p);
    }
}

/* More certificates than the list keeps: the first 16, and the count. */
static void test_certificate_many(void)
{
    static struct msg m;
    struct snt_tls_certificate_list out;
    m.len = 0;
    put_int(&m, 20 * 4, 3);
    for (int i = 0; i < 20; i++) {
        put_int(&m, 1, 3);
        put_int(&m, (size_t)i, 1);
    }
    uint8_t *p = snt_test_exact_copy(m.buf, m.len);
    CHECK_EQ_INT(snt_tls_parse_certificate(p, m.len, false, &out), SNT_OK);
    CHECK_EQ_INT(out.n, 16);
    CHECK_EQ_INT(out.total, 20);
    CHECK(out.certs[15].len == 1 && out.certs[15].p[0] == 15);
    free(p);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    cert_dir = argv[1];
    test_problem_names();
    test_verdicts();
    test_info();
    test_parse_errors();
    test_checker_setup();
    test_cache();
    test_certificate_message();
    test_certificate_framing();
    test_certificate_many();
    return snt_test_finish("cert");
}
