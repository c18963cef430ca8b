/* HTTP request-head tests: a table of heads, each also fed at every shorter
 * prefix from an exact-size heap copy. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/http.h"
#include "snitrace/limits.h"
#include "testutil.h"

struct hcase {
    const char *name;
    const char *input;
    enum snt_result st;
    const char *method, *target, *version;
    const char *host; /* NULL: no Host */
    bool from_target;
    const char *connect_host; /* NULL: not CONNECT */
    uint16_t connect_port;
};

#define H11 " HTTP/1.1\r\n"

static const struct hcase cases[] = {
    {"simple", "GET /" H11 "Host: example.com\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1",
     "example.com", false, NULL, 0},
    {"bare LF", "GET /a HTTP/1.0\nUser-Agent: x\nHost: example.org\n\n", SNT_OK, "GET", "/a",
     "HTTP/1.0", "example.org", false, NULL, 0},
    {"host with port", "GET /" H11 "Host: example.com:8080\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1",
     "example.com", false, NULL, 0},
    {"ipv6 literal with port", "GET /" H11 "Host: [::1]:8080\r\n\r\n", SNT_OK, "GET", "/",
     "HTTP/1.1", "::1", false, NULL, 0},
    {"ipv6 literal", "GET /" H11 "Host: [2001:db8::1]\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1",
     "2001:db8::1", false, NULL, 0},
    {"bare ipv6 address", "GET /" H11 "Host: 2001:db8::1\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1",
     "2001:db8::1", false, NULL, 0},
    {"whitespace around host", "GET /" H11 "Host: \t example.net \t \r\n\r\n", SNT_OK, "GET", "/",
     "HTTP/1.1", "example.net", false, NULL, 0},
    {"host name in odd case", "GET /" H11 "hOsT:a.b\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1", "a.b",
     false, NULL, 0},
    {"host after other fields",
     "POST /submit?x=1" H11 "User-Agent: curl/8.0\r\nAccept: */*\r\nContent-Length: 3\r\n"
     "Host: www.example.com\r\n\r\nabc",
     SNT_OK, "POST", "/submit?x=1", "HTTP/1.1", "www.example.com", false, NULL, 0},
    {"first host wins", "GET /" H11 "Host: first\r\nHost: second\r\n\r\n", SNT_OK, "GET", "/",
     "HTTP/1.1", "first", false, NULL, 0},
    {"empty host", "GET /" H11 "Host:\r\nHost: second\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1", "",
     false, NULL, 0},
    {"no host", "GET /index.html" H11 "Accept: */*\r\n\r\n", SNT_OK, "GET", "/index.html",
     "HTTP/1.1", NULL, false, NULL, 0},
    {"obs-fold before host", "GET /" H11 "X-Long: a\r\n  b\r\nHost: c.example\r\n\r\n", SNT_OK,
     "GET", "/", "HTTP/1.1", "c.example", false, NULL, 0},
    {"absolute form", "GET http://proxy.example/x?y" H11 "Accept: */*\r\n\r\n", SNT_OK, "GET",
     "http://proxy.example/x?y", "HTTP/1.1", "proxy.example", true, NULL, 0},
    {"absolute form, userinfo and port", "GET HTTP://user:pw@bro.org:81/" H11 "\r\n", SNT_OK, "GET",
     "HTTP://user:pw@bro.org:81/", "HTTP/1.1", "bro.org", true, NULL, 0},
    {"absolute form, no path", "HEAD http://[2001:db8::2]:8080" H11 "\r\n", SNT_OK, "HEAD",
     "http://[2001:db8::2]:8080", "HTTP/1.1", "2001:db8::2", true, NULL, 0},
    {"absolute form and host", "GET http://a.example/" H11 "Host: b.example\r\n\r\n", SNT_OK, "GET",
     "http://a.example/", "HTTP/1.1", "b.example", false, NULL, 0},
    {"absolute form, empty host", "GET http://a.example/" H11 "Host: \r\n\r\n", SNT_OK, "GET",
     "http://a.example/", "HTTP/1.1", "a.example", true, NULL, 0},
    {"connect", "CONNECT abc:443" H11 "\r\n", SNT_OK, "CONNECT", "abc:443", "HTTP/1.1", NULL, false,
     "abc", 443},
    {"connect with host",
     "CONNECT www.example.com:443 HTTP/1.0\r\nHost: www.example.com:443\r\n\r\n", SNT_OK, "CONNECT",
     "www.example.com:443", "HTTP/1.0", "www.example.com", false, "www.example.com", 443},
    {"connect ipv6", "CONNECT [2001:db8::1]:8443" H11 "\r\n", SNT_OK, "CONNECT",
     "[2001:db8::1]:8443", "HTTP/1.1", NULL, false, "2001:db8::1", 8443},
    {"connect without port", "CONNECT example.com" H11 "\r\n", SNT_OK, "CONNECT", "example.com",
     "HTTP/1.1", NULL, false, "example.com", 0},
    {"http/0.9", "GET /\r\n\r\n", SNT_OK, "GET", "/", "", NULL, false, NULL, 0},
    {"options *", "OPTIONS *" H11 "Host: h\r\n\r\n", SNT_OK, "OPTIONS", "*", "HTTP/1.1", "h", false,
     NULL, 0},
    {"propfind", "PROPFIND /dav/" H11 "Host: dav.example\r\nDepth: 1\r\n\r\n", SNT_OK, "PROPFIND",
     "/dav/", "HTTP/1.1", "dav.example", false, NULL, 0},
    {"utf-8 in target", "GET /caf\xc3\xa9" H11 "Host: h\r\n\r\n", SNT_OK, "GET", "/caf\xc3\xa9",
     "HTTP/1.1", "h", false, NULL, 0},
    {"tls", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", SNT_NOT_MINE, NULL, NULL, NULL, NULL,
     false, NULL, 0},
    {"lower-case method", "get /" H11 "Host: h\r\n\r\n", SNT_NOT_MINE, NULL, NULL, NULL, NULL,
     false, NULL, 0},
    {"unknown method", "FETCH /" H11 "\r\n", SNT_NOT_MINE, NULL, NULL, NULL, NULL, false, NULL, 0},
    {"ssh", "SSH-2.0-OpenSSH_9.6\r\n", SNT_NOT_MINE, NULL, NULL, NULL, NULL, false, NULL, 0},
    {"space before colon", "GET /" H11 "Host : a\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL,
     false, NULL, 0},
    {"field without colon", "GET /" H11 "no colon here\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL,
     NULL, false, NULL, 0},
    {"empty field name", "GET /" H11 ": x\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false,
     NULL, 0},
    {"bad version", "GET / HTTX/1.1\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false, NULL,
     0},
    {"long version", "GET / HTTP/1.10\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false, NULL,
     0},
    {"extra word", "GET / HTTP/1.1 extra\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false,
     NULL, 0},
    {"empty target", "GET  HTTP/1.1\r\n\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false, NULL,
     0},
    {"control byte in target",
     "GET /a\x01"
     "b" H11 "\r\n",
     SNT_MALFORMED, NULL, NULL, NULL, NULL, false, NULL, 0},
    /* A Host the grammar does not allow is kept as sent (and marked). */
    {"space in host", "GET /" H11 "Host: a b\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1", "a b", false,
     NULL, 0},
    {"bare CR in host", "GET /" H11 "Host: a\rb\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1", "a\rb",
     false, NULL, 0},
    {"unclosed bracket", "GET /" H11 "Host: [::1\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1", "[::1",
     false, NULL, 0},
    {"junk after bracket", "GET /" H11 "Host: [::1]x\r\n\r\n", SNT_OK, "GET", "/", "HTTP/1.1",
     "[::1]x", false, NULL, 0},
    {"connect port too big", "CONNECT a:65536" H11 "\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL,
     false, NULL, 0},
    {"connect port not a number", "CONNECT a:4x3" H11 "\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL,
     false, NULL, 0},
    {"connect empty host", "CONNECT :443" H11 "\r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false,
     NULL, 0},
    {"empty line as request", "GET \r\n", SNT_MALFORMED, NULL, NULL, NULL, NULL, false, NULL, 0},
};

static bool opt_span_eq(struct snt_span s, const char *want)
{
    return want ? snt_test_span_eq(s.p, s.len, want) : s.len == 0;
}

static void check_fields(const struct hcase *c, const struct snt_http_request *r)
{
    CHECK(opt_span_eq(r->method, c->method));
    CHECK(opt_span_eq(r->target, c->target));
    CHECK(opt_span_eq(r->version, c->version));
    CHECK_EQ_INT(r->has_host, c->host != NULL);
    CHECK(opt_span_eq(r->host, c->host));
    CHECK_EQ_INT(r->host_from_target, c->from_target);
    CHECK_EQ_INT(r->is_connect, c->connect_host != NULL);
    CHECK(opt_span_eq(r->connect_host, c->connect_host));
    CHECK_EQ_INT(r->connect_port, c->connect_port);
}

static bool same_request(const struct snt_http_request *a, const struct snt_http_request *b)
{
    return a->method.len == b->method.len && a->target.len == b->target.len &&
           a->version.len == b->version.len && a->host.len == b->host.len &&
           a->has_host == b->has_host && a->host_from_target == b->host_from_target &&
           a->connect_host.len == b->connect_host.len && a->connect_port == b->connect_port &&
           a->is_connect == b->is_connect;
}

/* Every prefix answers "need more" or what the whole answers; when that is
 * OK, with the same request.  Long inputs are sampled with a stride. */
static void check_prefixes(const uint8_t *p, size_t len, enum snt_result whole_st,
                           const struct snt_http_request *whole)
{
    size_t stride = len > 2048 ? 61 : 1;
    for (size_t n = 0; n < len; n += stride) {
        uint8_t *b = snt_test_exact_copy(p, n);
        struct snt_http_request r;
        enum snt_result st = snt_http_parse_request(b, n, &r);
        CHECK(st == SNT_NEED_MORE || st == whole_st);
        if (st == SNT_OK)
            CHECK(same_request(&r, whole));
        enum snt_result sniff = snt_http_sniff(b, n);
        CHECK(sniff == SNT_NEED_MORE || sniff == snt_http_sniff(p, len));
        free(b);
    }
}

static void run_case(const struct hcase *c)
{
    int before = snt_test_failures;
    size_t len = strlen(c->input);
    uint8_t *b = snt_test_exact_copy((const uint8_t *)c->input, len);
    struct snt_http_request r;
    enum snt_result st = snt_http_parse_request(b, len, &r);
    CHECK_EQ_INT(st, c->st);
    if (st == SNT_OK && c->st == SNT_OK)
        check_fields(c, &r);
    check_prefixes(b, len, st, &r);
    free(b);
    if (snt_test_failures != before)
        fprintf(stderr, "  ^ in case \"%s\"\n", c->name);
}

static void test_sniff(void)
{
    static const struct {
        const char *in;
        enum snt_result st;
    } v[] = {
        {"", SNT_NEED_MORE},        {"G", SNT_NEED_MORE},   {"GET", SNT_NEED_MORE},
        {"GET ", SNT_OK},           {"GET/", SNT_NOT_MINE}, {"P", SNT_NEED_MORE},
        {"PROPFIN", SNT_NEED_MORE}, {"PUT /x", SNT_OK},     {"X", SNT_NOT_MINE},
        {"\x16\x03", SNT_NOT_MINE}, {"DELETE ", SNT_OK},    {"M-SEARCH ", SNT_NOT_MINE},
        {"CONNECT ", SNT_OK},       {"PATCH /", SNT_OK},    {"TRACE ", SNT_OK},
        {"HEAD\t/", SNT_NOT_MINE},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t len = strlen(v[i].in);
        uint8_t *b = snt_test_exact_copy((const uint8_t *)v[i].in, len);
        CHECK_EQ_INT(snt_http_sniff(b, len), v[i].st);
        free(b);
    }
    CHECK_EQ_INT(snt_http_sniff(NULL, 0), SNT_NEED_MORE);
}

/* A head that never ends is malformed once it reaches the limit; one whose
 * Host arrives in time is fine however long the rest. */
static void test_limit(void)
{
    size_t len = SNT_MAX_HTTP_HEAD + 100;
    uint8_t *b = malloc(len);
    struct snt_http_request r;
    if (!b)
        abort();
    static const char start[] = "GET / HTTP/1.1\r\nX-Filler: ";
    memset(b, 'a', len);
    memcpy(b, start, sizeof start - 1);
    CHECK_EQ_INT(snt_http_parse_request(b, SNT_MAX_HTTP_HEAD - 1, &r), SNT_NEED_MORE);
    CHECK_EQ_INT(snt_http_parse_request(b, SNT_MAX_HTTP_HEAD, &r), SNT_MALFORMED);
    CHECK_EQ_INT(snt_http_parse_request(b, len, &r), SNT_MALFORMED);
    memcpy(b, "GET /", 5); /* a request line that never ends */
    memset(b + 5, 'a', 32);
    CHECK_EQ_INT(snt_http_parse_request(b, SNT_MAX_HTTP_HEAD - 1, &r), SNT_NEED_MORE);
    CHECK_EQ_INT(snt_http_parse_request(b, len, &r), SNT_MALFORMED);
    static const char host[] = "GET / HTTP/1.1\r\nHost: h\r\nX-Filler: ";
    memcpy(b, host, sizeof host - 1);
    CHECK_EQ_INT(snt_http_parse_request(b, len, &r), SNT_OK);
    CHECK_SPAN(r.host, "h");
    check_prefixes(b, len, SNT_OK, &r);
    free(b);
}

/* A Host with NUL in it is kept whole, NUL included, and marked; a good
 * one is not marked. */
static void test_malformed_host(void)
{
    static const char nul_host[] = "GET / HTTP/1.1\r\nHost: www.example.test\0.evil\r\n\r\n";
    size_t len = sizeof nul_host - 1;
    uint8_t *b = snt_test_exact_copy((const uint8_t *)nul_host, len);
    struct snt_http_request r;
    CHECK_EQ_INT(snt_http_parse_request(b, len, &r), SNT_OK);
    CHECK(r.has_host && r.host_malformed);
    CHECK(snt_test_span_eq(r.host.p, r.host.len, "www.example.test") == false);
    CHECK_EQ_INT(r.host.len, strlen("www.example.test") + 1 + strlen(".evil"));
    free(b);
    static const char good[] = "GET / HTTP/1.1\r\nHost: www.example.test:8080\r\n\r\n";
    b = snt_test_exact_copy((const uint8_t *)good, sizeof good - 1);
    CHECK_EQ_INT(snt_http_parse_request(b, sizeof good - 1, &r), SNT_OK);
    CHECK(!r.host_malformed && snt_test_span_eq(r.host.p, r.host.len, "www.example.test"));
    free(b);
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    test_sniff();
    test_malformed_host();
    test_limit();
    return snt_test_finish("http");
}
