/* --probe, the parts that need no network: --probe-only networks, the key
 * that makes one probe per (server, port, name), the ALPN list sent, the
 * deep copy of a held attempt, and a prober that is started, asked only
 * for filtered addresses, and stopped (no packet is sent). */
#include <string.h>

#include "snitrace/probe.h"
#include "testutil.h"

static struct snt_addr addr(const char *text)
{
    struct snt_cidr c;
    memset(&c, 0, sizeof c);
    CHECK(snt_cidr_parse(text, &c));
    return c.net;
}

static const struct {
    const char *text;
    bool ok;
    unsigned prefix;
    const char *net; /* the network address it must equal */
} cidr_cases[] = {
    {"192.0.2.0/24", true, 24, "192.0.2.0"},
    {"192.0.2.77/24", true, 24, "192.0.2.0"}, /* host bits cleared */
    {"192.0.2.130/25", true, 25, "192.0.2.128"},
    {"198.51.100.7", true, 32, "198.51.100.7"},
    {"0.0.0.0/0", true, 0, "0.0.0.0"},
    {"10.1.2.3/8", true, 8, "10.0.0.0"},
    {"2001:db8::/32", true, 32, "2001:db8::"},
    {"2001:db8:1234:5678::1/33", true, 33, "2001:db8:0:0::"},
    {"2001:db8::1", true, 128, "2001:db8::1"},
    {"::/0", true, 0, "::"},
    {"::ffff:192.0.2.1/128", true, 128, "::ffff:192.0.2.1"},
    {"", false, 0, NULL},
    {"/24", false, 0, NULL},
    {"192.0.2.0/", false, 0, NULL},
    {"192.0.2.0/33", false, 0, NULL},
    {"192.0.2.0/2a", false, 0, NULL},
    {"192.0.2.0/-1", false, 0, NULL},
    {"192.0.2.0/ 24", false, 0, NULL},
    {"192.0.2.0/24/1", false, 0, NULL},
    {"192.0.2.0/0024", false, 0, NULL},
    {"2001:db8::/129", false, 0, NULL},
    {"300.1.1.1", false, 0, NULL},
    {"192.0.2", false, 0, NULL},
    {"example.test", false, 0, NULL},
    {"192.0.2.0/24 ", false, 0, NULL},
    {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd/64", false, 0, NULL},
};

static void test_cidr_parse(void)
{
    for (size_t i = 0; i < sizeof cidr_cases / sizeof cidr_cases[0]; i++) {
        struct snt_cidr c;
        memset(&c, 0xaa, sizeof c);
        bool ok = snt_cidr_parse(cidr_cases[i].text, &c);
        CHECK_EQ_INT(ok, cidr_cases[i].ok);
        if (!ok) {
            CHECK_EQ_INT(c.prefix, 0xaa); /* untouched on failure */
            continue;
        }
        CHECK_EQ_INT(c.prefix, cidr_cases[i].prefix);
        struct snt_addr want = addr(cidr_cases[i].net);
        CHECK(memcmp(&c.net, &want, sizeof want) == 0);
    }
    CHECK(!snt_cidr_parse(NULL, &(struct snt_cidr){0}));
}

static bool contains(const char *net, const char *a)
{
    struct snt_cidr c;
    CHECK(snt_cidr_parse(net, &c));
    struct snt_addr x = addr(a);
    return snt_cidr_contains(&c, &x);
}

static void test_cidr_contains(void)
{
    CHECK(contains("192.0.2.0/24", "192.0.2.255"));
    CHECK(contains("192.0.2.0/24", "192.0.2.0"));
    CHECK(!contains("192.0.2.0/24", "192.0.3.0"));
    CHECK(contains("192.0.2.128/25", "192.0.2.200"));
    CHECK(!contains("192.0.2.128/25", "192.0.2.100"));
    CHECK(contains("192.0.2.2/32", "192.0.2.2"));
    CHECK(!contains("192.0.2.2/32", "192.0.2.3"));
    CHECK(contains("0.0.0.0/0", "203.0.113.9"));
    CHECK(!contains("0.0.0.0/0", "2001:db8::1")); /* families never mix */
    CHECK(!contains("::/0", "192.0.2.1"));
    CHECK(contains("::/0", "2001:db8::1"));
    CHECK(contains("2001:db8::/32", "2001:db8:ffff::1"));
    CHECK(!contains("2001:db8::/32", "2001:db9::"));
    CHECK(contains("2001:db8::/127", "2001:db8::1"));
    CHECK(!contains("2001:db8::/127", "2001:db8::2"));
}

static struct snt_probe_key key(const char *server, uint16_t port, const char *sni)
{
    struct snt_probe_key k;
    struct snt_addr a = addr(server);
    CHECK(snt_probe_key_make(&k, &a, port, (const uint8_t *)sni, sni ? strlen(sni) : 0));
    return k;
}

static void test_key(void)
{
    struct snt_probe_key a = key("192.0.2.2", 443, "www.example.test");
    struct snt_probe_key b = key("192.0.2.2", 443, "WWW.Example.TEST");
    static const uint8_t secret[SNT_PROBE_HASH_KEY_LEN] = {1, 2, 3};
    CHECK(snt_probe_key_equal(&a, &b)); /* DNS names compare without case */
    CHECK_EQ_INT(snt_probe_key_hash(&a, secret), snt_probe_key_hash(&b, secret));
    CHECK(strcmp(b.name, "WWW.Example.TEST") == 0); /* sent as the client spelt it */
    struct snt_probe_key other[] = {
        key("192.0.2.2", 8443, "www.example.test"),
        key("192.0.2.3", 443, "www.example.test"),
        key("192.0.2.2", 443, "example.test"),
        key("192.0.2.2", 443, "www.example.tes"),
        key("192.0.2.2", 443, NULL),
        key("::ffff:192.0.2.2", 443, "www.example.test"),
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        CHECK(!snt_probe_key_equal(&a, &other[i]));
        CHECK(snt_probe_key_hash(&a, secret) != snt_probe_key_hash(&other[i], secret));
    }
    /* Keyed: under another secret the same keys hash otherwise (two
     * secrets agreeing on both of two keys: one chance in 2^64). */
    static const uint8_t another[SNT_PROBE_HASH_KEY_LEN] = {4, 5, 6};
    CHECK(snt_probe_key_hash(&a, secret) != snt_probe_key_hash(&a, another) ||
          snt_probe_key_hash(&other[0], secret) != snt_probe_key_hash(&other[0], another));
    struct snt_probe_key n1 = key("2001:db8::2", 443, NULL), n2 = key("2001:db8::2", 443, "");
    CHECK(snt_probe_key_equal(&n1, &n2));
    CHECK_EQ_INT(n1.name_len, 0);
    CHECK_EQ_INT(n1.name[0], '\0');

    struct snt_probe_key k;
    struct snt_addr s = addr("192.0.2.2");
    CHECK(!snt_probe_key_make(&k, &s, 443, (const uint8_t *)"a\0b", 3)); /* cannot be sent */
    uint8_t long_name[SNT_MAX_NAME_LEN + 1];
    memset(long_name, 'a', sizeof long_name);
    CHECK(!snt_probe_key_make(&k, &s, 443, long_name, sizeof long_name));
    CHECK(snt_probe_key_make(&k, &s, 443, long_name, SNT_MAX_NAME_LEN));
    CHECK_EQ_INT(strlen(k.name), SNT_MAX_NAME_LEN);
}

static size_t alpn(const char *const *names, unsigned n, bool quic, uint8_t *out, size_t max)
{
    struct snt_bytes b[8];
    memset(b, 0, sizeof b);
    for (unsigned i = 0; i < n; i++) {
        b[i].p = (uint8_t *)names[i];
        b[i].len = (uint16_t)strlen(names[i]);
    }
    return snt_probe_alpn_wire(b, n, quic, out, max);
}

static void test_alpn(void)
{
    uint8_t out[64];
    const char *web[] = {"h2", "http/1.1"};
    const uint8_t web_wire[] = "\x02h2\x08http/1.1";
    CHECK_EQ_INT(alpn(web, 2, false, out, sizeof out), 12);
    CHECK(memcmp(out, web_wire, 12) == 0);

    /* QUIC's HTTP/3 becomes what the server speaks over TCP, once. */
    const char *h3[] = {"h3", "h3-29", "h3x", "h3-"};
    const uint8_t h3_wire[] = "\x02h2\x08http/1.1\x03h3x";
    CHECK_EQ_INT(alpn(h3, 4, true, out, sizeof out), 16);
    CHECK(memcmp(out, h3_wire, 16) == 0);
    const uint8_t h3_kept[] = "\x02h3\x05h3-29";
    CHECK_EQ_INT(alpn(h3, 2, false, out, sizeof out), 9);
    CHECK(memcmp(out, h3_kept, 9) == 0);

    const char *dup[] = {"h2", "", "h2", "smtp"};
    const uint8_t dup_wire[] = "\x02h2\x04smtp";
    CHECK_EQ_INT(alpn(dup, 4, false, out, sizeof out), 8);
    CHECK(memcmp(out, dup_wire, 8) == 0);

    /* What does not fit is left out, whole. */
    CHECK_EQ_INT(alpn(web, 2, false, out, 11), 3);
    CHECK_EQ_INT(alpn(web, 2, false, out, 2), 0);
    CHECK_EQ_INT(alpn(web, 0, false, out, sizeof out), 0);
}

static void set(struct snt_attempt *a, struct snt_bytes *b, const char *s)
{
    snt_attempt_set_bytes(a, b, (const uint8_t *)s, strlen(s), 255);
}

static void test_attempt_copy(void)
{
    struct snt_attempt a, c;
    snt_attempt_init(&a);
    set(&a, &a.name, "www.example.test");
    set(&a, &a.sni, "www.example.test");
    a.n_alpn = 2;
    set(&a, &a.alpn[0], "h2");
    set(&a, &a.alpn[1], "http/1.1");
    set(&a, &a.next_protocol, "h2");
    set(&a, &a.dns_qname, "cdn.example.test");
    a.n_cname = 1;
    set(&a, &a.cname_chain[0], "edge.example.test");
    set(&a, &a.http_method, "GET");
    set(&a, &a.http_uri, "/");
    a.client_rejected = "fatal alert after the certificate";
    struct snt_cert_result r;
    memset(&r, 0, sizeof r);
    char *cn = "www.example.test";
    r.info.subject_cn = &cn;
    r.info.n_subject_cn = 1;
    snprintf(r.verdict.name_check, sizeof r.verdict.name_check, "matched");
    snt_attempt_set_cert(&a, &r);
    a.probe.done = true;
    snprintf(a.probe.error, sizeof a.probe.error, "none");

    snt_attempt_copy(&c, &a);
    snt_attempt_free(&a); /* the copy must not lean on anything freed here */
    CHECK_SPAN(c.name, "www.example.test");
    CHECK_SPAN(c.sni, "www.example.test");
    CHECK_SPAN(c.alpn[1], "http/1.1");
    CHECK_SPAN(c.next_protocol, "h2");
    CHECK_SPAN(c.dns_qname, "cdn.example.test");
    CHECK_SPAN(c.cname_chain[0], "edge.example.test");
    CHECK_SPAN(c.http_method, "GET");
    CHECK_SPAN(c.http_uri, "/");
    CHECK(c.has_cert && c.cert.info.n_subject_cn == 1);
    CHECK(strcmp(c.cert.info.subject_cn[0], "www.example.test") == 0);
    CHECK(strcmp(c.cert.verdict.name_check, "matched") == 0);
    CHECK(c.probe.done && strcmp(c.probe.error, "none") == 0);
    snt_attempt_free(&c);
}

/* Threads start and stop; a filtered request never reaches them. */
static void test_prober_filtered(void)
{
    struct snt_probe_config cfg;
    snt_probe_config_default(&cfg);
    CHECK_EQ_INT(cfg.parallel, 4);
    CHECK_EQ_INT(cfg.timeout_ms, 3000);
    CHECK_EQ_INT(cfg.max_probes, 256);
    CHECK(snt_cidr_parse("198.51.100.0/24", &cfg.only[cfg.n_only++]));
    char err[128] = "";
    struct snt_probes *p = snt_probes_new(&cfg, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    struct snt_probe_request rq;
    memset(&rq, 0, sizeof rq);
    rq.key = key("192.0.2.2", 443, "www.example.test");
    snt_probe_id id = 77;
    const struct snt_probe_result *res = NULL;
    CHECK_EQ_INT(snt_probes_request(p, &rq, &id, &res), SNT_PROBE_FILTERED);
    CHECK_EQ_INT(id, 77);
    CHECK(res == NULL);
    CHECK_EQ_INT(snt_probes_outstanding(p), 0);
    struct snt_addr srv = addr("192.0.2.2");
    struct snt_addr cli = addr("192.0.2.1");
    CHECK(!snt_probes_own_connection(p, &cli, 40000, &srv, 443));
    struct snt_probe_counters c;
    snt_probes_counters(p, &c);
    CHECK_EQ_INT(c.filtered, 1);
    CHECK_EQ_INT(c.sent, 0);
    snt_probes_free(p);
}

int main(void)
{
    test_cidr_parse();
    test_cidr_contains();
    test_key();
    test_alpn();
    test_attempt_copy();
    test_prober_filtered();
    return snt_test_finish("probe");
}
