/* DNS message tests: responses captured from dnsmasq and hand-built
 * messages, each also fed at every shorter prefix from an exact-size heap
 * copy; TCP framing; the plausibility check. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/dns.h"
#include "testutil.h"

/* Header lines shared by the hand-built messages: id 0xabcd, a response
 * (QR, RD, RA), QDCOUNT 1, then ANCOUNT as given, no NS or AR records. */
#define RESP_AN0 "abcd 8180 0001 0000 0000 0000"
#define RESP_AN1 "abcd 8180 0001 0001 0000 0000"
#define RESP_AN2 "abcd 8180 0001 0002 0000 0000"
/* Question "a.example.test" A IN at offset 12; c00c points to its name. */
#define Q_A "01 61 07 6578616d706c65 04 74657374 00 0001 0001"

struct dcase {
    const char *name;
    const char *hex;
    enum snt_result st;
    uint16_t id;
    bool response;
    uint8_t rcode;
    const char *qname;
    uint16_t qtype;
    const char *answers; /* as format_answers() writes them */
};

static const struct dcase cases[] = {
    /* dnsmasq 2.90, --host-record=a.example.test,192.0.2.1 --local-ttl=300 */
    {"dnsmasq A",
     "1111858000010001000000000161076578616d706c6504746573740000010001c00c0001000100"
     "00012c0004c0000201",
     SNT_OK, 0x1111, true, 0, "a.example.test", SNT_DNS_TYPE_A, "a.example.test A 300 192.0.2.1"},
    {"dnsmasq AAAA",
     "2222858000010001000000000363646e076578616d706c65047465737400001c0001c00c001c"
     "00010000012c001020010db8000000000000000000000010",
     SNT_OK, 0x2222, true, 0, "cdn.example.test", SNT_DNS_TYPE_AAAA,
     "cdn.example.test AAAA 300 2001:db8::10"},
    /* The query was "WWW.Example.test"; the A record's owner points into the
     * CNAME's RDATA. */
    {"dnsmasq CNAME chain",
     "33338580000100020000000003575757074578616d706c65047465737400000100"
     "01c00c000500010000012c00120363646e076578616d706c65047465737400c0"
     "2e000100010000012c0004c000020a",
     SNT_OK, 0x3333, true, 0, "www.example.test", SNT_DNS_TYPE_A,
     "www.example.test CNAME 300 cdn.example.test, cdn.example.test A 300 192.0.2.10"},
    {"dnsmasq NXDOMAIN",
     "444481830001000000000000076e6f7468657265076578616d706c6504746573740000"
     "010001",
     SNT_OK, 0x4444, true, SNT_DNS_RCODE_NXDOMAIN, "nothere.example.test", SNT_DNS_TYPE_A, ""},
    {"query", "1111010000010000000000000161076578616d706c6504746573740000010001", SNT_OK, 0x1111,
     false, 0, "a.example.test", SNT_DNS_TYPE_A, ""},
    {"no question", "abcd 8180 0000 0000 0000 0000", SNT_OK, 0xabcd, true, 0, "", 0, ""},
    {"root name", RESP_AN0 "00 0002 0001", SNT_OK, 0xabcd, true, 0, "", 2, ""},
    {"escaped bytes", RESP_AN0 "06 412e625c0020 00 0001 0001", SNT_OK, 0xabcd, true, 0,
     "a\\046b\\092\\000\\032", SNT_DNS_TYPE_A, ""},
    {"other types and classes skipped",
     RESP_AN2 Q_A "c00c 0010 0001 0000003c 0002 0161"      /* TXT */
                  "c00c 0001 0003 0000003c 0004 7f000001", /* CHAOS A */
     SNT_OK, 0xabcd, true, 0, "a.example.test", SNT_DNS_TYPE_A, ""},
    {"uncompressed owner", RESP_AN1 Q_A "0162 00 0001 0001 00000001 0004 0a000001", SNT_OK, 0xabcd,
     true, 0, "a.example.test", SNT_DNS_TYPE_A, "b A 1 10.0.0.1"},
    {"pointer to itself", RESP_AN0 "c00c 0001 0001", SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"pointer loop", RESP_AN0 "0161 c00c 0001 0001", SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"forward pointer", RESP_AN0 "c012 0001 0001 0161 00", SNT_MALFORMED, 0, false, 0, NULL, 0,
     NULL},
    {"pointer past the end", RESP_AN0 "c0ff 0001 0001", SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"label of 64", RESP_AN0 "40", SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"extended label type", RESP_AN0 "8001 61 00 0001 0001", SNT_MALFORMED, 0, false, 0, NULL, 0,
     NULL},
    {"answer count past the end", RESP_AN2 Q_A "c00c 0001 0001 0000012c 0004 c0000201",
     SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"A of 5 bytes", RESP_AN1 Q_A "c00c 0001 0001 0000012c 0005 c000020100", SNT_MALFORMED, 0,
     false, 0, NULL, 0, NULL},
    {"AAAA of 4 bytes", RESP_AN1 Q_A "c00c 001c 0001 0000012c 0004 c0000201", SNT_MALFORMED, 0,
     false, 0, NULL, 0, NULL},
    {"CNAME with trailing bytes", RESP_AN1 Q_A "c00c 0005 0001 0000012c 0004 0162 00 ff",
     SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"CNAME running out of RDATA", RESP_AN1 Q_A "c00c 0005 0001 0000012c 0002 0162 00 00",
     SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
    {"RDLENGTH past the end", RESP_AN1 Q_A "c00c 0010 0001 0000012c 0009 0161", SNT_MALFORMED, 0,
     false, 0, NULL, 0, NULL},
    {"header cut short", "abcd 8180 0001 0000 00", SNT_MALFORMED, 0, false, 0, NULL, 0, NULL},
};

static const char *type_name(uint16_t type)
{
    switch (type) {
    case SNT_DNS_TYPE_A: return "A";
    case SNT_DNS_TYPE_AAAA: return "AAAA";
    case SNT_DNS_TYPE_CNAME: return "CNAME";
    default: return "?";
    }
}

/* "owner TYPE ttl value" for each answer, joined by ", ". */
static void format_answers(const struct snt_dns_message *m, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < m->n_answers && n < cap; i++) {
        const struct snt_dns_answer *a = &m->answers[i];
        char value[INET6_ADDRSTRLEN + 256] = "";
        if (a->type == SNT_DNS_TYPE_CNAME)
            snprintf(value, sizeof value, "%s", a->cname);
        else
            inet_ntop(a->addr_len == 4 ? AF_INET : AF_INET6, a->addr, value, sizeof value);
        n += (size_t)snprintf(out + n, cap - n, "%s%s %s %u %s", i ? ", " : "", a->owner,
                              type_name(a->type), (unsigned)a->ttl, value);
    }
}

static void check_answers(const struct snt_dns_message *m, const char *want)
{
    static char got[4096];
    format_answers(m, got, sizeof got);
    CHECK(strcmp(got, want) == 0);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "  answers: \"%s\"\n", got);
}

/* Every case ends where its last read record does, so every shorter prefix
 * is cut short. */
static void check_prefixes(const uint8_t *p, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *b = snt_test_exact_copy(p, n);
        struct snt_dns_message m;
        CHECK_EQ_INT(snt_dns_parse(b, n, &m), SNT_MALFORMED);
        free(b);
    }
}

static void run_case(const struct dcase *c)
{
    int before = snt_test_failures;
    size_t len;
    uint8_t *hex = snt_test_hex(c->hex, &len);
    uint8_t *b = snt_test_exact_copy(hex, len);
    static struct snt_dns_message m;
    CHECK_EQ_INT(snt_dns_parse(b, len, &m), c->st);
    if (c->st == SNT_OK) {
        CHECK_EQ_INT(m.id, c->id);
        CHECK_EQ_INT(m.response, c->response);
        CHECK_EQ_INT(m.rcode, c->rcode);
        CHECK(strcmp(m.qname, c->qname) == 0);
        CHECK_EQ_INT(m.qtype, c->qtype);
        check_answers(&m, c->answers);
    }
    check_prefixes(b, len);
    free(b);
    free(hex);
    if (snt_test_failures != before)
        fprintf(stderr, "  ^ in case \"%s\"\n", c->name);
}

/* The parser clears only what it reports (the answers array is read up
 * to n_answers), so a message struct full of an earlier message's, or of
 * garbage, must read the same as a fresh one. */
static void test_reused_message(void)
{
    static struct snt_dns_message fresh, dirty;
    static char want[4096], got[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *b = snt_test_hex(cases[i].hex, &len);
        memset(&fresh, 0, sizeof fresh);
        memset(&dirty, 0xa5, sizeof dirty);
        enum snt_result st = snt_dns_parse_partial(b, len, &fresh);
        CHECK_EQ_INT(snt_dns_parse_partial(b, len, &dirty), st);
        if (st == SNT_OK) {
            CHECK_EQ_INT(dirty.n_answers, fresh.n_answers);
            CHECK_EQ_INT(dirty.answers_dropped, fresh.answers_dropped);
            CHECK_EQ_INT(dirty.answers_read, fresh.answers_read);
            CHECK_EQ_INT(dirty.malformed, fresh.malformed);
            CHECK_EQ_INT(dirty.qtype, fresh.qtype);
            CHECK(strcmp(dirty.qname, fresh.qname) == 0);
            format_answers(&fresh, want, sizeof want);
            format_answers(&dirty, got, sizeof got);
            CHECK(strcmp(got, want) == 0);
            for (unsigned k = 0; k < fresh.n_answers; k++) {
                const struct snt_dns_answer *x = &dirty.answers[k], *y = &fresh.answers[k];
                CHECK(x->type == y->type && x->ttl == y->ttl && x->addr_len == y->addr_len);
                CHECK(memcmp(x->addr, y->addr, sizeof x->addr) == 0);
                CHECK(strcmp(x->owner, y->owner) == 0 && strcmp(x->cname, y->cname) == 0);
            }
        }
        free(b);
    }
}

/* ---- messages built in code ----------------------------------------------- */

struct msgbuf {
    uint8_t b[8192];
    size_t n;
};

static void put_u8(struct msgbuf *m, unsigned v)
{
    if (m->n >= sizeof m->b)
        abort();
    m->b[m->n++] = (uint8_t)v;
}

static void put_u16(struct msgbuf *m, unsigned v)
{
    put_u8(m, v >> 8);
    put_u8(m, v & 0xff);
}

static void put_hex(struct msgbuf *m, const char *hex)
{
    size_t len;
    uint8_t *b = snt_test_hex(hex, &len);
    for (size_t i = 0; i < len; i++)
        put_u8(m, b[i]);
    free(b);
}

/* An A record of 192.0.2.1 for the name at owner (a pointer). */
static void put_a_record(struct msgbuf *m, unsigned owner)
{
    put_u16(m, 0xc000 | owner);
    put_hex(m, "0001 0001 0000012c 0004 c0000201");
}

static enum snt_result parse_exact(const struct msgbuf *mb, struct snt_dns_message *m)
{
    uint8_t *b = snt_test_exact_copy(mb->b, mb->n);
    enum snt_result st = snt_dns_parse(b, mb->n, m);
    free(b);
    return st;
}

/* Each answer's owner points to the previous one's, so answer k takes k
 * hops: 16 answers parse, the 17th is one hop too many. */
static void test_pointer_hops(void)
{
    static struct snt_dns_message m;
    for (unsigned count = SNT_DNS_MAX_POINTER_HOPS; count <= SNT_DNS_MAX_POINTER_HOPS + 1;
         count++) {
        struct msgbuf mb = {.n = 0};
        put_hex(&mb, "abcd 8180 0001");
        put_u16(&mb, count);
        put_hex(&mb, "0000 0000" Q_A);
        unsigned prev = 12;
        for (unsigned i = 0; i < count; i++) {
            unsigned here = (unsigned)mb.n;
            put_a_record(&mb, prev);
            prev = here;
        }
        enum snt_result st = parse_exact(&mb, &m);
        CHECK_EQ_INT(st, count <= SNT_DNS_MAX_POINTER_HOPS ? SNT_OK : SNT_MALFORMED);
        if (st == SNT_OK)
            CHECK(strcmp(m.answers[count - 1].owner, "a.example.test") == 0);
    }
}

static void test_too_many_answers(void)
{
    static struct snt_dns_message m;
    struct msgbuf mb = {.n = 0};
    put_hex(&mb, "abcd 8180 0001 0028 0000 0000" Q_A); /* 40 answers */
    for (unsigned i = 0; i < 40; i++)
        put_a_record(&mb, 12);
    CHECK_EQ_INT(parse_exact(&mb, &m), SNT_OK);
    CHECK_EQ_INT(m.ancount, 40);
    CHECK_EQ_INT(m.n_answers, SNT_DNS_MAX_ANSWERS);
    CHECK(m.answers_dropped);
}

/* Labels of the given lengths, all bytes b, as the only question. */
static void put_name_question(struct msgbuf *mb, const unsigned *labels, size_t n, uint8_t b)
{
    put_hex(mb, RESP_AN0);
    for (size_t i = 0; i < n; i++) {
        put_u8(mb, labels[i]);
        for (unsigned j = 0; j < labels[i]; j++)
            put_u8(mb, b);
    }
    put_hex(mb, "00 0001 0001");
}

/* 255 bytes on the wire is the most a name may have; presentation form
 * must also fit in 255 characters. */
static void test_name_limits(void)
{
    static struct snt_dns_message m;
    static const unsigned longest[] = {63, 63, 63, 61}, too_long[] = {63, 63, 63, 62},
                          short_wire[] = {63, 2};
    struct msgbuf mb = {.n = 0};
    put_name_question(&mb, longest, 4, 'X');
    CHECK_EQ_INT(parse_exact(&mb, &m), SNT_OK);
    CHECK_EQ_INT(strlen(m.qname), 253);
    CHECK_EQ_INT(m.qname[0], 'x');
    mb.n = 0;
    put_name_question(&mb, too_long, 4, 'x');
    CHECK_EQ_INT(parse_exact(&mb, &m), SNT_MALFORMED);
    mb.n = 0;
    put_name_question(&mb, short_wire, 2, 0xff); /* 65 bytes become 65 * 4 + 1 characters */
    CHECK_EQ_INT(parse_exact(&mb, &m), SNT_MALFORMED);
}

/* ---- TCP framing ---------------------------------------------------------- */

/* dnsmasq over TCP: AAAA for www.example.test, then the A response of
 * "dnsmasq A" with its length prefix. */
static const char tcp_two[] =
    "005c55558580000100020000000003777777076578616d706c65047465737400001c0001c00c00050001000001"
    "2c00120363646e076578616d706c65047465737400c02e001c00010000012c001020010db80000000000000000"
    "00000010"
    "00301111858000010001000000000161076578616d706c6504746573740000010001c00c000100010000012c00"
    "04c0000201";

static void test_tcp_two_messages(void)
{
    static struct snt_dns_message m;
    size_t len, off = 0;
    uint8_t *hex = snt_test_hex(tcp_two, &len);
    uint8_t *b = snt_test_exact_copy(hex, len);
    const char *want_qname[] = {"www.example.test", "a.example.test"};
    for (unsigned i = 0; i < 2; i++) {
        const uint8_t *msg = NULL;
        size_t msg_len = 0, used = 0;
        CHECK_EQ_INT(snt_dns_tcp_frame(b + off, len - off, &msg, &msg_len, &used), SNT_OK);
        CHECK(msg == b + off + 2);
        CHECK_EQ_INT(used, msg_len + 2);
        CHECK_EQ_INT(snt_dns_parse(msg, msg_len, &m), SNT_OK);
        CHECK(strcmp(m.qname, want_qname[i]) == 0);
        off += used;
    }
    CHECK_EQ_INT(off, len);
    CHECK_EQ_INT(m.n_answers, 1);
    CHECK_EQ_INT(m.answers[0].addr_len, 4);
    free(b);
    free(hex);
}

/* Every prefix of the first message, from an exact-size copy, needs more;
 * the whole first message is enough however much of the second follows. */
static void test_tcp_split(void)
{
    size_t len;
    uint8_t *hex = snt_test_hex(tcp_two, &len);
    size_t first = 2 + 0x5c;
    for (size_t n = 0; n < len; n++) {
        uint8_t *b = snt_test_exact_copy(hex, n);
        const uint8_t *msg = NULL;
        size_t msg_len = 0, used = 0;
        enum snt_result st = snt_dns_tcp_frame(b, n, &msg, &msg_len, &used);
        CHECK_EQ_INT(st, n < first ? SNT_NEED_MORE : SNT_OK);
        if (st == SNT_OK)
            CHECK_EQ_INT(used, first);
        free(b);
    }
    const uint8_t zero[] = {0, 0, 0x12};
    const uint8_t *msg;
    size_t msg_len, used;
    CHECK_EQ_INT(snt_dns_tcp_frame(zero, sizeof zero, &msg, &msg_len, &used), SNT_MALFORMED);
    CHECK_EQ_INT(snt_dns_tcp_frame(NULL, 0, &msg, &msg_len, &used), SNT_NEED_MORE);
    free(hex);
}

/* ---- plausibility --------------------------------------------------------- */

static void test_plausible(void)
{
    static const struct {
        const char *hex;
        bool want;
    } v[] = {
        {"1111010000010000000000000161076578616d706c6504746573740000010001", true},
        {RESP_AN1 Q_A "c00c 0001 0001 0000012c 0004 c0000201", true},
        {"abcd 2800 0001 0000 0001 0000 00 0006 0001 00 0006 0001 00000000 0000",
         true},                                                /* UPDATE */
        {"abcd 3000 0001 0000 0000 0000 00 0001 0001", false}, /* opcode 6 */
        {"abcd 0100 0000 0000 0000 0000", false},              /* no question */
        {"abcd 0100 0005 0000 0000 0000"
         "00 0001 0001",
         false},
        /* counts beyond the length: the parser keeps what is there */
        {"abcd 0100 0001 ffff 0000 0000 00 0001 0001", true},
        {"abcd 0100 0001 0000 0000", false}, /* short header */
        {"160301020001000001fc0303", false}, /* TLS ClientHello */
        {"", false},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t len;
        uint8_t *hex = snt_test_hex(v[i].hex, &len);
        uint8_t *b = snt_test_exact_copy(hex, len);
        CHECK_EQ_INT(snt_dns_plausible(b, len), v[i].want);
        if (snt_dns_plausible(b, len) != v[i].want)
            fprintf(stderr, "  ^ in plausible case %zu\n", i);
        free(b);
        free(hex);
    }
}

/* ---- damaged messages, read up to the damage ------------------------------ */

struct pcase {
    const char *name;
    const char *hex;
    enum snt_result st;  /* of snt_dns_parse_partial */
    bool malformed;      /* broke off before the counts were read */
    bool tc;             /* TC set */
    const char *qname;   /* NULL: none */
    const char *answers; /* as format_answers() writes them */
};

/* "b.example.test" A 192.0.2.2, the second record after the one at offset
 * 32 (the first A record's owner is a pointer to the question). */
#define A1 "c00c 0001 0001 0000012c 0004 c0000201"
#define A2 "c00c 0001 0001 0000012c 0004 c0000202"

static const struct pcase partial_cases[] = {
    {"whole", RESP_AN2 Q_A A1 A2, SNT_OK, false, false, "a.example.test",
     "a.example.test A 300 192.0.2.1, a.example.test A 300 192.0.2.2"},
    {"ANCOUNT 65535, two answers there", "abcd 8180 0001 ffff 0000 0000" Q_A A1 A2, SNT_OK, true,
     false, "a.example.test", "a.example.test A 300 192.0.2.1, a.example.test A 300 192.0.2.2"},
    {"TC, cut inside the second record", "abcd 8380 0001 0002 0000 0000" Q_A A1 "c00c 0001 00",
     SNT_OK, true, true, "a.example.test", "a.example.test A 300 192.0.2.1"},
    {"TC, counts as sent", "abcd 8380 0001 0000 0000 0000" Q_A, SNT_OK, false, true,
     "a.example.test", ""},
    {"RDATA cut off", RESP_AN2 Q_A A1 "c00c 0001 0001 0000012c 0004 c000", SNT_OK, true, false,
     "a.example.test", "a.example.test A 300 192.0.2.1"},
    {"second record of the wrong size", RESP_AN2 Q_A A1 "c00c 0001 0001 0000012c 0005 c000020200",
     SNT_OK, true, false, "a.example.test", "a.example.test A 300 192.0.2.1"},
    {"only the question", RESP_AN1 Q_A, SNT_OK, true, false, "a.example.test", ""},
    {"second question broken", "abcd 8180 0002 0001 0000 0000" Q_A "c0ff 0001 0001" A1, SNT_OK,
     true, false, "a.example.test", ""},
    {"first question broken", RESP_AN1 "0161 c00c 0001 0001" A1, SNT_MALFORMED, false, false, NULL,
     NULL},
    {"header only", "abcd 8180 0001 0001 0000", SNT_MALFORMED, false, false, NULL, NULL},
};

static void run_partial_case(const struct pcase *c)
{
    int before = snt_test_failures;
    size_t len;
    uint8_t *hex = snt_test_hex(c->hex, &len);
    uint8_t *b = snt_test_exact_copy(hex, len);
    static struct snt_dns_message m;
    CHECK_EQ_INT(snt_dns_parse_partial(b, len, &m), c->st);
    if (c->st == SNT_OK) {
        CHECK_EQ_INT(m.malformed, c->malformed);
        CHECK_EQ_INT(m.truncated_flag, c->tc);
        CHECK(strcmp(m.qname, c->qname) == 0);
        check_answers(&m, c->answers);
        CHECK_EQ_INT(m.answers_read, m.n_answers);
        /* The strict parser takes only a message read whole. */
        CHECK_EQ_INT(snt_dns_parse(b, len, &m), c->malformed ? SNT_MALFORMED : SNT_OK);
    }
    /* A shorter prefix keeps at most what the whole did, never more. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *p = snt_test_exact_copy(hex, n);
        static struct snt_dns_message pm;
        if (snt_dns_parse_partial(p, n, &pm) == SNT_OK)
            CHECK(pm.malformed && pm.n_answers <= m.n_answers);
        free(p);
    }
    free(b);
    free(hex);
    if (snt_test_failures != before)
        fprintf(stderr, "  ^ in partial case \"%s\"\n", c->name);
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    for (size_t i = 0; i < sizeof partial_cases / sizeof partial_cases[0]; i++)
        run_partial_case(&partial_cases[i]);
    test_reused_message();
    test_pointer_hops();
    test_too_many_answers();
    test_name_limits();
    test_tcp_two_messages();
    test_tcp_split();
    test_plausible();
    return snt_test_finish("dns");
}
