/* Host flags: one per (server, port, certificate), due at the first name
 * that fails it; names asked and failed kept distinct without case, first
 * spelling kept, bounded; suggested names; many servers. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/flags.h"
#include "testutil.h"

static struct snt_addr server(unsigned n)
{
    struct snt_addr a;
    memset(&a, 0, sizeof a);
    a.family = 4;
    a.b[0] = 198;
    a.b[1] = 51;
    a.b[2] = (uint8_t)(n >> 8);
    a.b[3] = (uint8_t)n;
    return a;
}

/* A certificate result for www.example.test; mismatch: the name asked
 * did not match it. */
static struct snt_cert_result cert(const char *sha, bool mismatch)
{
    static char *dns[] = {"www.example.test", "example.test"};
    struct snt_cert_result r;
    memset(&r, 0, sizeof r);
    r.info.dns_names = dns;
    r.info.n_dns_names = 2;
    snprintf(r.info.sha256_hex, sizeof r.info.sha256_hex, "%s", sha);
    r.verdict.problems = mismatch ? SNT_PROBLEM_NAME_MISMATCH : 0;
    return r;
}

static bool lists(char **list, size_t n, const char *want)
{
    char got[4096] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(got, i ? "," : "");
        strcat(got, list[i]);
    }
    if (strcmp(got, want) != 0)
        fprintf(stderr, "  list \"%s\", expected \"%s\"\n", got, want);
    return strcmp(got, want) == 0;
}

static void test_due_and_names(void)
{
    struct snt_flags *f = snt_flags_new(0);
    struct snt_addr s = server(1);
    struct snt_cert_result ok = cert("AA", false), bad = cert("AA", true);
    CHECK(snt_flags_note(f, &s, 443, &ok, SNT_CERT_SOURCE_WIRE, "www.example.test", 1) == NULL);
    struct snt_flag *fl =
        snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, "Mail.Example.test", 2);
    CHECK(fl != NULL); /* the first failed name: due now */
    CHECK(snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, "mail.example.TEST", 3) == NULL);
    CHECK(snt_flags_note(f, &s, 443, &ok, SNT_CERT_SOURCE_WIRE, "WWW.example.test", 4) == NULL);
    CHECK(fl && lists(fl->asked, fl->n_asked, "www.example.test,Mail.Example.test"));
    CHECK(fl && lists(fl->failed, fl->n_failed, "Mail.Example.test"));
    CHECK(fl && !fl->changed && fl->last_usec == 4);
    /* a name asked first and failing later is added to the failed ones in
     * the spelling it failed under */
    snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, "WWW.EXAMPLE.TEST", 5);
    CHECK(fl && lists(fl->failed, fl->n_failed, "Mail.Example.test,WWW.EXAMPLE.TEST"));
    CHECK(fl && fl->changed);
    const char *sugg[8];
    size_t n = fl ? snt_flag_suggested_names(fl, sugg, 8) : 0;
    CHECK_EQ_INT(n, 3);
    CHECK(n == 3 && strcmp(sugg[1], "Mail.Example.test") == 0 &&
          strcmp(sugg[2], "example.test") == 0);
    /* another port, another certificate: other flags */
    CHECK(snt_flags_note(f, &s, 8443, &bad, SNT_CERT_SOURCE_WIRE, "x.test", 6) != fl);
    struct snt_cert_result other = cert("BB", true);
    CHECK(snt_flags_note(f, &s, 443, &other, SNT_CERT_SOURCE_WIRE, "x.test", 7) != fl);
    CHECK_EQ_INT(snt_flags_count(f), 3);
    snt_flags_free(f);
}

static void test_bound(void)
{
    struct snt_flags *f = snt_flags_new(0);
    struct snt_addr s = server(2);
    struct snt_cert_result bad = cert("CC", true);
    char name[32];
    struct snt_flag *fl = NULL;
    for (unsigned i = 0; i < SNT_FLAG_MAX_NAMES + 20; i++) {
        snprintf(name, sizeof name, "n%u.test", i);
        struct snt_flag *due = snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, name, i);
        if (due)
            fl = due;
        snprintf(name, sizeof name, "N%u.TEST", i / 2); /* a repeat, other case */
        snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, name, i);
    }
    CHECK(fl && fl->n_asked == SNT_FLAG_MAX_NAMES && fl->n_failed == SNT_FLAG_MAX_NAMES);
    CHECK(fl && fl->names_dropped);
    CHECK(fl && strcmp(fl->asked[SNT_FLAG_MAX_NAMES - 1], "n255.test") == 0);
    snt_flags_free(f);
}

/* Many servers, one flag each, each found again; past the bound, dropped. */
static void test_many(void)
{
    struct snt_flags *f = snt_flags_new(3000);
    struct snt_cert_result bad = cert("DD", true);
    struct snt_flag *first[3000];
    for (unsigned i = 0; i < 3000; i++) {
        struct snt_addr s = server(i);
        first[i] = snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, "a.test", i);
        CHECK(first[i] != NULL);
    }
    for (unsigned i = 0; i < 3000; i++) {
        struct snt_addr s = server(i);
        CHECK(snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, "b.test", i) == NULL);
        CHECK(first[i] && first[i]->n_asked == 2 && first[i]->changed);
    }
    struct snt_addr s = server(4000);
    CHECK(snt_flags_note(f, &s, 443, &bad, SNT_CERT_SOURCE_WIRE, "a.test", 1) == NULL);
    CHECK_EQ_INT(snt_flags_dropped(f), 1);
    CHECK_EQ_INT(snt_flags_count(f), 3000);
    snt_flags_free(f);
}

/* What the certificate covers: its DNS SANs (distinct without case, the
 * first spelling kept), else its CNs, then its IP SANs; bounded; the
 * flag's own, whatever becomes of the result it was noted with. */
static void test_cert_names(void)
{
    struct snt_flags *f = snt_flags_new(0);
    struct snt_addr s = server(4);
    char dns0[] = "a.test", dns1[] = "B.test", dns2[] = "A.TEST", ip0[] = "192.0.2.1";
    char *dns[] = {dns0, dns1, dns2}, *cn[] = {"cn.test"}, *ips[] = {ip0};
    struct snt_cert_result r = cert("CC", true);
    r.info.dns_names = dns;
    r.info.n_dns_names = 3;
    r.info.subject_cn = cn;
    r.info.n_subject_cn = 1;
    r.info.ip_addresses = ips;
    r.info.n_ip_addresses = 1;
    struct snt_flag *fl = snt_flags_note(f, &s, 443, &r, SNT_CERT_SOURCE_WIRE, "x.test", 1);
    memcpy(dns0, "z.zzzz", sizeof dns0); /* the result's strings change or go */
    memcpy(ip0, "0.0.0.0.0", sizeof ip0);
    CHECK(fl && lists(fl->cert_names, fl->n_cert_names, "a.test,B.test,192.0.2.1"));
    /* no DNS SANs: the CNs */
    r = cert("DD", true);
    r.info.n_dns_names = 0;
    r.info.subject_cn = cn;
    r.info.n_subject_cn = 1;
    fl = snt_flags_note(f, &s, 443, &r, SNT_CERT_SOURCE_WIRE, "x.test", 2);
    CHECK(fl && lists(fl->cert_names, fl->n_cert_names, "cn.test"));
    /* more names than are kept */
    static char names[SNT_FLAG_MAX_NAMES + 10][16];
    char *many[SNT_FLAG_MAX_NAMES + 10];
    for (unsigned i = 0; i < SNT_FLAG_MAX_NAMES + 10; i++) {
        snprintf(names[i], sizeof names[i], "h%u.test", i);
        many[i] = names[i];
    }
    r = cert("EE", true);
    r.info.dns_names = many;
    r.info.n_dns_names = SNT_FLAG_MAX_NAMES + 10;
    fl = snt_flags_note(f, &s, 443, &r, SNT_CERT_SOURCE_WIRE, "x.test", 3);
    CHECK(fl && fl->n_cert_names == SNT_FLAG_MAX_NAMES);
    CHECK(fl && strcmp(fl->cert_names[SNT_FLAG_MAX_NAMES - 1], "h255.test") == 0);
    snt_flags_free(f);
}

static void test_suspected(void)
{
    struct snt_flags *f = snt_flags_new(0);
    struct snt_addr s = server(3);
    struct snt_flag *fl = snt_flags_note_suspected(f, &s, 443, SNT_PROBLEM_CLIENT_REJECTED_INFERRED,
                                                   "hidden.test", 1);
    CHECK(fl && fl->suspected && fl->n_failed == 1);
    CHECK(snt_flags_note_suspected(f, &s, 443, SNT_PROBLEM_CLIENT_REJECTED, "Hidden.Test", 2) ==
          NULL);
    CHECK(fl && fl->n_asked == 1 && !fl->changed);
    CHECK(fl &&
          fl->problems == (SNT_PROBLEM_CLIENT_REJECTED_INFERRED | SNT_PROBLEM_CLIENT_REJECTED));
    snt_flags_free(f);
}

int main(void)
{
    test_due_and_names();
    test_bound();
    test_many();
    test_cert_names();
    test_suspected();
    return snt_test_finish("flags");
}
