/* Tests for TLS record framing and handshake extraction (RFC 5246 section
 * 6.2, RFC 8446 section 5), ClientHello / ServerHello / SSLv2 hello parsing
 * (RFC 8446 section 4.1, RFC 5246 appendix E.2) and version / suite names.
 * Every stream vector is also fed at every shorter prefix, and every message
 * body is parsed at every shorter prefix, as exact-size heap copies. */
#include "snitrace/tls.h"
#include "testutil.h"
#include "tls_vectors.h"

#include <stdlib.h>
#include <string.h>

struct bytes {
    uint8_t *p;
    size_t len;
};

static struct bytes from_hex(const char *hex)
{
    struct bytes b;
    b.p = snt_test_hex(hex, &b.len);
    return b;
}

static struct bytes concat(struct bytes a, struct bytes b)
{
    struct bytes c = {malloc(a.len + b.len), a.len + b.len};
    if (!c.p)
        abort();
    if (a.len)
        memcpy(c.p, a.p, a.len);
    if (b.len)
        memcpy(c.p + a.len, b.p, b.len);
    return c;
}

/* A record of content type ct carrying payload[0, n). */
static struct bytes record(uint8_t ct, const uint8_t *payload, size_t n)
{
    struct bytes r = {malloc(n + 5), n + 5};
    if (!r.p)
        abort();
    r.p[0] = ct;
    r.p[1] = 3;
    r.p[2] = 3;
    r.p[3] = (uint8_t)(n >> 8);
    r.p[4] = (uint8_t)n;
    memcpy(r.p + 5, payload, n);
    return r;
}

/* Every message a direction yields, copied out (bodies die at the next feed). */
struct transcript {
    uint8_t buf[16384];
    size_t len, n;
    uint8_t types[16];
};

static void drain(struct snt_tls_dir *d, struct transcript *t)
{
    uint8_t type;
    struct snt_span b;
    while (snt_tls_next_message(d, &type, &b) == SNT_OK) {
        if (t->len + 4 + b.len > sizeof t->buf) {
            CHECK(!"transcript too small");
            return;
        }
        if (t->n < sizeof t->types)
            t->types[t->n] = type;
        t->n++;
        t->buf[t->len++] = type;
        t->buf[t->len++] = (uint8_t)(b.len >> 16);
        t->buf[t->len++] = (uint8_t)(b.len >> 8);
        t->buf[t->len++] = (uint8_t)b.len;
        memcpy(t->buf + t->len, b.p, b.len);
        t->len += b.len;
    }
}

/* Feed the whole stream once (as an exact copy) and collect the messages. */
static enum snt_result frame_once(struct bytes s, struct snt_tls_dir *d, struct transcript *t)
{
    uint8_t *copy = snt_test_exact_copy(s.p, s.len);
    snt_tls_dir_init(d, 0);
    memset(t, 0, sizeof *t);
    enum snt_result rc = snt_tls_dir_feed(d, copy, s.len);
    drain(d, t);
    free(copy);
    return rc;
}

/* The n-th handshake message of a stream, as a fresh exact-size copy. */
static struct bytes message(struct bytes s, size_t index, uint8_t *type)
{
    struct snt_tls_dir d;
    struct transcript t;
    struct bytes out = {NULL, 0};
    frame_once(s, &d, &t);
    struct snt_reader r = snt_reader_make(t.buf, t.len);
    struct snt_reader body;
    for (size_t i = 0; i <= index && i < t.n; i++) {
        if (!snt_read_u8(&r, type) || !snt_read_vec24(&r, &body))
            break;
        if (i == index)
            out = (struct bytes){snt_test_exact_copy(body.p, snt_reader_left(&body)),
                                 snt_reader_left(&body)};
    }
    snt_tls_dir_free(&d);
    CHECK(out.p != NULL);
    return out;
}

/* Parsed hellos borrow from their message, so messages live until exit. */
static struct bytes kept[64];
static size_t n_kept;

static struct bytes keep(struct bytes m)
{
    if (n_kept < sizeof kept / sizeof kept[0])
        kept[n_kept++] = m;
    else
        CHECK(!"too many kept messages");
    return m;
}

static enum snt_result parse_ch(struct bytes s, size_t index, struct snt_tls_client_hello *ch)
{
    uint8_t type = 0;
    struct bytes m = keep(message(s, index, &type));
    CHECK_EQ_INT(type, SNT_TLS_HS_CLIENT_HELLO);
    return snt_tls_parse_client_hello(m.p, m.len, ch);
}

static enum snt_result parse_sh(struct bytes s, size_t index, struct snt_tls_server_hello *sh)
{
    uint8_t type = 0;
    struct bytes m = keep(message(s, index, &type));
    CHECK_EQ_INT(type, SNT_TLS_HS_SERVER_HELLO);
    return snt_tls_parse_server_hello(m.p, m.len, sh);
}

/* ---- the vectors, decoded once -------------------------------------------- */

/* clang-format off */
enum {
    V_CH13, V_CH12, V_NOSNI, V_GREASE, V_NOEXT, V_SSLV2, V_CLIENT12_TAIL, V_SH12, V_SH13,
    V_HRR_CLIENT, V_HRR_SERVER, V_ALERT_PV, V_ALERT_CA,
    V_CH13_SPLIT, V_SH12_ONE_RECORD, V_CLIENT12, V_COUNT
};
/* clang-format on */

/* What framing the whole vector must give. */
struct vector {
    const char *name;
    const char *hex; /* NULL: built from other vectors */
    size_t messages;
    bool ccs, app_data;
    unsigned alerts;
    struct bytes b;
};

static struct vector vectors[V_COUNT] = {
    [V_CH13] = {"ch13_sni_alpn", ch13_sni_alpn_hex, 1, false, false, 0, {0}},
    [V_CH12] = {"ch12_sni_alpn", ch12_sni_alpn_hex, 1, false, false, 0, {0}},
    [V_NOSNI] = {"ch13_no_sni", ch13_no_sni_hex, 1, false, false, 0, {0}},
    [V_GREASE] = {"ch13_grease", ch13_grease_hex, 1, false, false, 0, {0}},
    [V_NOEXT] = {"ch12_no_ext", ch12_no_ext_hex, 1, false, false, 0, {0}},
    [V_SSLV2] = {"sslv2_hello", sslv2_hello_hex, 0, false, false, 0, {0}},
    [V_CLIENT12_TAIL] = {"client12_tail", client12_tail_hex, 1, true, false, 0, {0}},
    [V_SH12] = {"sh12_flight", sh12_flight_hex, 4, false, false, 0, {0}},
    [V_SH13] = {"sh13_flight", sh13_flight_hex, 1, true, true, 0, {0}},
    [V_HRR_CLIENT] = {"hrr_client", hrr_client_hex, 2, true, false, 0, {0}},
    [V_HRR_SERVER] = {"hrr_server", hrr_server_hex, 2, true, true, 0, {0}},
    [V_ALERT_PV] = {"alert_protocol_version", alert_protocol_version_hex, 0, false, false, 1, {0}},
    [V_ALERT_CA] = {"alert_unknown_ca", alert_unknown_ca_hex, 0, false, false, 1, {0}},
    [V_CH13_SPLIT] = {"ch13_split", NULL, 1, false, false, 0, {0}},
    [V_SH12_ONE_RECORD] = {"sh12_one_record", NULL, 4, false, false, 0, {0}},
    [V_CLIENT12] = {"client12", NULL, 2, true, false, 0, {0}},
};

/* ch13's handshake message cut into three records, the first cut inside the
 * 4-byte handshake header. */
static struct bytes build_split(struct bytes ch)
{
    const uint8_t *m = ch.p + 5;
    size_t n = ch.len - 5;
    struct bytes a = record(SNT_TLS_CT_HANDSHAKE, m, 2);
    struct bytes b = record(SNT_TLS_CT_HANDSHAKE, m + 2, 100);
    struct bytes c = record(SNT_TLS_CT_HANDSHAKE, m + 102, n - 102);
    struct bytes ab = concat(a, b), abc = concat(ab, c);
    free(a.p);
    free(b.p);
    free(c.p);
    free(ab.p);
    return abc;
}

/* The payloads of every record of a flight, in one record. */
static struct bytes build_one_record(struct bytes flight)
{
    uint8_t payload[4096];
    size_t n = 0;
    struct snt_reader r = snt_reader_make(flight.p, flight.len), body;
    uint8_t ct;
    uint16_t version;
    while (snt_read_u8(&r, &ct) && snt_read_u16(&r, &version) && snt_read_vec16(&r, &body)) {
        size_t k = snt_reader_left(&body);
        CHECK(n + k <= sizeof payload);
        if (n + k > sizeof payload)
            break;
        memcpy(payload + n, body.p, k);
        n += k;
    }
    return record(SNT_TLS_CT_HANDSHAKE, payload, n);
}

static void vectors_load(void)
{
    for (size_t i = 0; i < V_COUNT; i++)
        if (vectors[i].hex)
            vectors[i].b = from_hex(vectors[i].hex);
    vectors[V_CH13_SPLIT].b = build_split(vectors[V_CH13].b);
    vectors[V_SH12_ONE_RECORD].b = build_one_record(vectors[V_SH12].b);
    vectors[V_CLIENT12].b = concat(vectors[V_CH12].b, vectors[V_CLIENT12_TAIL].b);
}

static void vectors_free(void)
{
    for (size_t i = 0; i < V_COUNT; i++)
        free(vectors[i].b.p);
    for (size_t i = 0; i < n_kept; i++)
        free(kept[i].p);
}

#define VEC(i) (vectors[(i)].b)

/* ---- sniffing ------------------------------------------------------------- */

static void test_sniff(void)
{
    /* clang-format off */
    static const struct {
        const char *hex;
        enum snt_result want;
    } cases[] = {
        {"", SNT_NEED_MORE},
        {"16", SNT_NEED_MORE},
        {"1603", SNT_NEED_MORE},
        {"160301", SNT_NEED_MORE},
        {"16030102", SNT_NEED_MORE},
        {"1603010102", SNT_OK},
        {"1602", SNT_NOT_MINE},          /* not version 3.x */
        {"160305", SNT_NOT_MINE},        /* no such minor version */
        {"1603010000", SNT_NOT_MINE},    /* empty handshake record */
        {"1603034801", SNT_NOT_MINE},    /* longer than any record */
        {"1503030002", SNT_NOT_MINE},    /* an alert does not start a stream */
        {"474554202f", SNT_NOT_MINE},    /* "GET /" */
        {"5353482d32", SNT_NOT_MINE},    /* "SSH-2" */
        {"802e01", SNT_NEED_MORE},
        {"802e010301", SNT_OK},          /* SSLv2 hello offering TLS 1.0 */
        {"802e010002", SNT_OK},          /* SSLv2 hello offering SSL 2.0 */
        {"802e02", SNT_NOT_MINE},        /* SSLv2, not CLIENT-HELLO */
        {"802e010401", SNT_NOT_MINE},
        {"8005010301", SNT_NOT_MINE},    /* too short to be a hello */
        {"802e010003", SNT_NOT_MINE},    /* version 0.3 */
        {"802e010305", SNT_NOT_MINE},    /* version 3.5 */
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bytes b = from_hex(cases[i].hex);
        uint8_t *copy = snt_test_exact_copy(b.p, b.len);
        CHECK_EQ_INT(snt_tls_sniff(copy, b.len), cases[i].want);
        free(copy);
        free(b.p);
    }
    CHECK_EQ_INT(snt_tls_sniff(NULL, 0), SNT_NEED_MORE);
    CHECK_EQ_INT(snt_tls_sniff(VEC(V_CH13).p, VEC(V_CH13).len), SNT_OK);
    CHECK_EQ_INT(snt_tls_sniff(VEC(V_SSLV2).p, VEC(V_SSLV2).len), SNT_OK);
    CHECK_EQ_INT(snt_tls_sniff(VEC(V_ALERT_PV).p, VEC(V_ALERT_PV).len), SNT_NOT_MINE);
}

/* ---- framing -------------------------------------------------------------- */

static void test_framing(void)
{
    for (size_t i = 0; i < V_COUNT; i++) {
        const struct vector *v = &vectors[i];
        struct snt_tls_dir d;
        struct transcript t;
        CHECK_EQ_INT(frame_once(v->b, &d, &t), SNT_OK);
        CHECK_EQ_INT(d.consumed, v->b.len);
        CHECK_EQ_INT(t.n, v->messages);
        CHECK(d.saw_ccs == v->ccs && d.saw_app_data == v->app_data);
        CHECK_EQ_INT(d.n_alerts, v->alerts);
        CHECK(d.sslv2 == (i == V_SSLV2) && !d.failed);
        if (t.n != v->messages || d.saw_ccs != v->ccs)
            fprintf(stderr, "  in %s\n", v->name);
        snt_tls_dir_free(&d);
    }
}

static bool same_messages(struct bytes a, struct bytes b)
{
    struct snt_tls_dir d;
    struct transcript *ta = calloc(1, sizeof *ta), *tb = calloc(1, sizeof *tb);
    if (!ta || !tb)
        abort();
    frame_once(a, &d, ta);
    snt_tls_dir_free(&d);
    frame_once(b, &d, tb);
    snt_tls_dir_free(&d);
    bool same = ta->len == tb->len && memcmp(ta->buf, tb->buf, ta->len) == 0;
    free(ta);
    free(tb);
    return same;
}

static void test_framing_details(void)
{
    static const uint8_t sh12_types[] = {SNT_TLS_HS_SERVER_HELLO, SNT_TLS_HS_CERTIFICATE, 12,
                                         SNT_TLS_HS_SERVER_HELLO_DONE};
    struct snt_tls_dir d;
    struct transcript t;
    /* one message over three records; four messages in one record */
    CHECK(same_messages(VEC(V_CH13), VEC(V_CH13_SPLIT)));
    CHECK(same_messages(VEC(V_SH12), VEC(V_SH12_ONE_RECORD)));
    frame_once(VEC(V_SH12), &d, &t);
    CHECK(memcmp(t.types, sh12_types, sizeof sh12_types) == 0);
    CHECK_EQ_INT(d.record_version, 0x0303);
    snt_tls_dir_free(&d);
    frame_once(VEC(V_CH13), &d, &t);
    CHECK_EQ_INT(d.record_version, 0x0301);
    snt_tls_dir_free(&d);
    /* TLS 1.2: the Finished after ChangeCipherSpec is encrypted, no message */
    frame_once(VEC(V_CLIENT12), &d, &t);
    CHECK_EQ_INT(t.types[0], SNT_TLS_HS_CLIENT_HELLO);
    CHECK_EQ_INT(t.types[1], 16); /* ClientKeyExchange */
    snt_tls_dir_free(&d);
    /* TLS records may follow an SSLv2 hello on the same stream */
    struct bytes more = concat(VEC(V_SSLV2), VEC(V_ALERT_PV));
    CHECK_EQ_INT(frame_once(more, &d, &t), SNT_OK);
    CHECK(d.sslv2);
    CHECK_EQ_INT(d.n_alerts, 1);
    CHECK_EQ_INT(d.consumed, more.len);
    snt_tls_dir_free(&d);
    free(more.p);
}

/* ---- ClientHello and ServerHello fields (as tshark shows them) ------------ */

static const struct ch_case {
    int vec;
    size_t msg;
    uint16_t n_ciphers, cipher0, n_exts, ext0, ext_last, n_groups, group0, n_sigalgs, sigalg_last;
    uint16_t n_versions, version0, n_key_shares, key_share0, n_alpn;
    const char *sni, *alpn_last; /* NULL: absent */
} ch_cases[] = {
    {V_CH13, 0, 4, 0x1302, 11, 0, 51, 10, 0x001d, 14, 0x0601, 1, 0x0304, 1, 0x001d, 2,
     "example.com", "http/1.1"},
    {V_CH12, 0, 28, 0xc02c, 8, 0, 13, 5, 0x001d, 20, 0x0602, 0, 0, 0, 0, 2, "example.com",
     "http/1.1"},
    {V_NOSNI, 0, 31, 0x1302, 9, 11, 51, 10, 0x001d, 20, 0x0602, 4, 0x0304, 1, 0x001d, 0, NULL,
     NULL},
    {V_GREASE, 0, 5, 0x0a0a, 13, 0x1a1a, 0x2a2a, 11, 0x3a3a, 14, 0x0601, 2, 0x4a4a, 2, 0x3a3a, 2,
     "example.com", "http/1.1"},
    {V_NOEXT, 0, 2, 0xc02f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL},
    {V_HRR_CLIENT, 0, 31, 0x1302, 10, 0, 51, 2, 0x0017, 20, 0x0602, 4, 0x0304, 1, 0x0017, 0,
     "hrr.example.com", NULL},
    {V_HRR_CLIENT, 1, 31, 0x1302, 10, 0, 51, 2, 0x0017, 20, 0x0602, 4, 0x0304, 1, 0x001d, 0,
     "hrr.example.com", NULL},
    {V_CH13_SPLIT, 0, 4, 0x1302, 11, 0, 51, 10, 0x001d, 14, 0x0601, 1, 0x0304, 1, 0x001d, 2,
     "example.com", "http/1.1"},
};

static void check_ch_case(const struct ch_case *c)
{
    struct snt_tls_client_hello ch;
    CHECK_EQ_INT(parse_ch(VEC(c->vec), c->msg, &ch), SNT_OK);
    CHECK_EQ_INT(ch.legacy_version, 0x0303);
    CHECK_EQ_INT(ch.n_ciphers, c->n_ciphers);
    CHECK_EQ_INT(ch.ciphers[0], c->cipher0);
    CHECK_EQ_INT(ch.n_exts, c->n_exts);
    CHECK_EQ_INT(ch.exts[0], c->ext0);
    CHECK_EQ_INT(ch.exts[c->n_exts ? c->n_exts - 1 : 0], c->ext_last);
    CHECK_EQ_INT(ch.n_groups, c->n_groups);
    CHECK_EQ_INT(ch.groups[0], c->group0);
    CHECK_EQ_INT(ch.n_sigalgs, c->n_sigalgs);
    CHECK_EQ_INT(ch.sigalgs[c->n_sigalgs ? c->n_sigalgs - 1 : 0], c->sigalg_last);
    CHECK(ch.has_supported_versions == (c->n_versions > 0));
    CHECK_EQ_INT(ch.n_versions, c->n_versions);
    CHECK_EQ_INT(ch.versions[0], c->version0);
    CHECK_EQ_INT(ch.n_key_shares, c->n_key_shares);
    CHECK_EQ_INT(ch.key_share_groups[0], c->key_share0);
    CHECK(ch.has_sni == (c->sni != NULL));
    CHECK_SPAN(ch.sni, c->sni ? c->sni : "");
    CHECK_EQ_INT(ch.n_alpn, c->n_alpn);
    if (c->alpn_last)
        CHECK_SPAN(ch.alpn[c->n_alpn - 1], c->alpn_last);
    CHECK(!ch.sslv2 && !ch.truncated_lists);
}

static const struct sh_case {
    int vec;
    size_t msg;
    uint16_t selected, cipher;
    const char *alpn; /* NULL: absent */
    bool hrr;
} sh_cases[] = {
    {V_SH12, 0, 0, 0xc02c, "h2", false},
    {V_SH12_ONE_RECORD, 0, 0, 0xc02c, "h2", false},
    {V_SH13, 0, 0x0304, 0x1302, NULL, false},
    {V_HRR_SERVER, 0, 0x0304, 0x1302, NULL, true},
    {V_HRR_SERVER, 1, 0x0304, 0x1302, NULL, false}, /* the plaintext hello after CCS */
};

static void check_sh_case(const struct sh_case *c)
{
    struct snt_tls_server_hello sh;
    CHECK_EQ_INT(parse_sh(VEC(c->vec), c->msg, &sh), SNT_OK);
    CHECK_EQ_INT(sh.legacy_version, 0x0303);
    CHECK_EQ_INT(sh.selected_version, c->selected);
    CHECK_EQ_INT(snt_tls_server_hello_version(&sh), c->selected ? c->selected : 0x0303);
    CHECK_EQ_INT(sh.cipher, c->cipher);
    CHECK(sh.has_alpn == (c->alpn != NULL));
    CHECK_SPAN(sh.alpn, c->alpn ? c->alpn : "");
    CHECK(sh.hello_retry_request == c->hrr);
}

static void test_hellos(void)
{
    struct snt_tls_client_hello ch;
    for (size_t i = 0; i < sizeof ch_cases / sizeof ch_cases[0]; i++)
        check_ch_case(&ch_cases[i]);
    for (size_t i = 0; i < sizeof sh_cases / sizeof sh_cases[0]; i++)
        check_sh_case(&sh_cases[i]);

    CHECK_EQ_INT(parse_ch(VEC(V_CH13), 0, &ch), SNT_OK);
    CHECK_SPAN(ch.alpn[0], "h2");
    CHECK_EQ_INT(ch.n_point_formats, 3);
    CHECK_EQ_INT(ch.point_formats[2], 2);
    CHECK_EQ_INT(parse_ch(VEC(V_GREASE), 0, &ch), SNT_OK);
    CHECK_EQ_INT(ch.versions[1], 0x0304);
    CHECK_EQ_INT(ch.key_share_groups[1], 0x001d);
    CHECK(snt_tls_is_grease(0xfafa) && !snt_tls_is_grease(0x0a0b) && !snt_tls_is_grease(0x1a2a));

    CHECK_EQ_INT(snt_tls_parse_sslv2_client_hello(VEC(V_SSLV2).p, VEC(V_SSLV2).len, &ch), SNT_OK);
    CHECK(ch.sslv2);
    CHECK_EQ_INT(ch.legacy_version, 0x0301);
    CHECK_EQ_INT(ch.n_ciphers, 4);
    CHECK_EQ_INT(ch.ciphers[0], 0x0039);
    CHECK_EQ_INT(ch.ciphers[3], 0x00ff);
    CHECK_EQ_INT(ch.n_exts, 0);
}

/* ---- alerts --------------------------------------------------------------- */

static void test_alerts(void)
{
    struct snt_tls_dir d;
    struct transcript t;
    frame_once(VEC(V_ALERT_PV), &d, &t);
    CHECK_EQ_INT(d.alerts[0].level, 2);
    CHECK_EQ_INT(d.alerts[0].description, 70);
    snt_tls_dir_free(&d);

    struct bytes s = concat(VEC(V_CH12), VEC(V_ALERT_CA));
    CHECK_EQ_INT(frame_once(s, &d, &t), SNT_OK);
    CHECK_EQ_INT(t.n, 1);
    CHECK_EQ_INT(d.n_alerts, 1);
    CHECK_EQ_INT(d.alerts[0].description, 48);
    snt_tls_dir_free(&d);
    free(s.p);

    /* TLS 1.2 lets one record carry several alerts; only four are kept. */
    struct bytes many = from_hex("150303000a 0100 0164 015a 0228 0250");
    CHECK_EQ_INT(frame_once(many, &d, &t), SNT_OK);
    CHECK_EQ_INT(d.n_alerts, 4);
    CHECK_EQ_INT(d.alerts[1].description, 100);
    CHECK_EQ_INT(d.alerts[3].level, 2);
    snt_tls_dir_free(&d);
    free(many.p);

    /* An encrypted alert after ChangeCipherSpec is not read as plaintext. */
    struct bytes enc = from_hex("140303000101 150303001a 0228000000000001 0102030405060708"
                                "090a0b0c0d0e0f101112");
    CHECK_EQ_INT(frame_once(enc, &d, &t), SNT_OK);
    CHECK_EQ_INT(d.n_alerts, 0);
    snt_tls_dir_free(&d);
    free(enc.p);
}

/* A 10000-byte message in 4000-byte records grows the buffer by doubling,
 * but never past hs_max. */
static void check_big_message(size_t hs_max, size_t want_cap)
{
    enum { BODY = 10000, CHUNK = 4000 };
    uint8_t *m = calloc(1, BODY + 4);
    struct bytes stream = {NULL, 0};
    struct snt_tls_dir d;
    struct transcript *t = calloc(1, sizeof *t);
    if (!m || !t)
        abort();
    m[0] = 99, m[2] = BODY >> 8, m[3] = BODY & 0xff;
    for (size_t off = 0; off < BODY + 4; off += CHUNK) {
        size_t n = BODY + 4 - off < CHUNK ? BODY + 4 - off : CHUNK;
        struct bytes r = record(SNT_TLS_CT_HANDSHAKE, m + off, n), joined = concat(stream, r);
        free(stream.p);
        free(r.p);
        stream = joined;
    }
    snt_tls_dir_init(&d, hs_max);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, stream.p, stream.len), SNT_OK);
    CHECK_EQ_INT(d.hs_cap, want_cap);
    drain(&d, t);
    CHECK_EQ_INT(t->n, 1);
    CHECK_EQ_INT(t->len, BODY + 4);
    snt_tls_dir_free(&d);
    free(stream.p);
    free(m);
    free(t);
}

static void test_buffer_growth(void)
{
    struct snt_tls_dir d;
    struct transcript t;
    check_big_message(0, 16384);
    check_big_message(12000, 12000);
    /* after ChangeCipherSpec a lone non-hello message is taken as encrypted */
    struct bytes b = from_hex("140303000101 1603030008 0b000004 03030000");
    CHECK_EQ_INT(frame_once(b, &d, &t), SNT_OK);
    CHECK_EQ_INT(t.n, 0);
    snt_tls_dir_free(&d);
    free(b.p);
}

/* ---- prefixes and incremental feeding ------------------------------------- */

/* Offsets at which a record ends (the framing layer may say "done" there). */
static bool is_record_boundary(struct bytes s, size_t k)
{
    struct snt_reader r = snt_reader_make(s.p, s.len);
    uint8_t ct;
    uint16_t hdr, version;
    struct snt_reader body;
    if (s.len > 0 && (s.p[0] & 0x80) && snt_read_u16(&r, &hdr))
        snt_skip(&r, hdr & 0x7fff);
    while ((size_t)(r.p - s.p) < k && snt_read_u8(&r, &ct) && snt_read_u16(&r, &version) &&
           snt_read_vec16(&r, &body))
        ;
    return (size_t)(r.p - s.p) == k && !r.failed;
}

static void check_prefixes(const struct vector *v)
{
    struct snt_tls_dir d;
    struct transcript t;
    for (size_t k = 1; k < v->b.len; k++) {
        struct bytes prefix = {v->b.p, k};
        enum snt_result rc = frame_once(prefix, &d, &t);
        enum snt_result want = is_record_boundary(v->b, k) ? SNT_OK : SNT_NEED_MORE;
        if (rc != want)
            fprintf(stderr, "%s: prefix %zu of %zu\n", v->name, k, v->b.len);
        CHECK_EQ_INT(rc, want);
        CHECK(t.n <= v->messages);
        snt_tls_dir_free(&d);
    }
}

/* Growing prefixes into one direction give the same messages as one feed. */
static void check_incremental(const struct vector *v)
{
    struct snt_tls_dir once, inc;
    struct transcript whole, steps;
    frame_once(v->b, &once, &whole);
    CHECK_EQ_INT(whole.n, v->messages);
    memset(&steps, 0, sizeof steps);
    snt_tls_dir_init(&inc, 0);
    for (size_t k = 0; k <= v->b.len; k++) {
        uint8_t *copy = snt_test_exact_copy(v->b.p, k);
        enum snt_result rc = snt_tls_dir_feed(&inc, copy, k);
        CHECK(rc == SNT_OK || rc == SNT_NEED_MORE);
        drain(&inc, &steps);
        free(copy);
    }
    CHECK(whole.len == steps.len && memcmp(whole.buf, steps.buf, whole.len) == 0);
    CHECK_EQ_INT(inc.consumed, once.consumed);
    CHECK_EQ_INT(inc.n_alerts, once.n_alerts);
    CHECK(inc.saw_ccs == once.saw_ccs && inc.sslv2 == once.sslv2);
    snt_tls_dir_free(&once);
    snt_tls_dir_free(&inc);
}

typedef enum snt_result (*body_parser)(const uint8_t *, size_t, void *);

static enum snt_result ch_parser(const uint8_t *p, size_t n, void *out)
{
    return snt_tls_parse_client_hello(p, n, out);
}

static enum snt_result sh_parser(const uint8_t *p, size_t n, void *out)
{
    return snt_tls_parse_server_hello(p, n, out);
}

/* Every cut of a hello body is malformed except the one right after the
 * compression method(s), which is a valid hello without extensions. */
static void check_body_prefixes(const struct vector *v)
{
    struct snt_tls_dir d;
    struct transcript t;
    union {
        struct snt_tls_client_hello ch;
        struct snt_tls_server_hello sh;
    } out;
    frame_once(v->b, &d, &t);
    snt_tls_dir_free(&d);
    struct snt_reader r = snt_reader_make(t.buf, t.len), body;
    uint8_t type;
    while (snt_read_u8(&r, &type) && snt_read_vec24(&r, &body)) {
        body_parser parse = type == SNT_TLS_HS_CLIENT_HELLO   ? ch_parser
                            : type == SNT_TLS_HS_SERVER_HELLO ? sh_parser
                                                              : NULL;
        if (!parse)
            continue;
        size_t n = snt_reader_left(&body), ok = 0;
        for (size_t k = 0; k < n; k++) {
            uint8_t *copy = snt_test_exact_copy(body.p, k);
            enum snt_result rc = parse(copy, k, &out);
            CHECK(rc == SNT_OK || rc == SNT_MALFORMED);
            ok += rc == SNT_OK;
            free(copy);
        }
        CHECK_EQ_INT(ok, v - vectors == V_NOEXT ? 0 : 1);
        CHECK_EQ_INT(parse(body.p, n, &out), SNT_OK);
    }
}

static void test_prefixes(void)
{
    struct snt_tls_client_hello ch;
    for (size_t i = 0; i < V_COUNT; i++) {
        check_prefixes(&vectors[i]);
        check_incremental(&vectors[i]);
        check_body_prefixes(&vectors[i]);
    }
    for (size_t k = 0; k < VEC(V_SSLV2).len; k++) {
        uint8_t *copy = snt_test_exact_copy(VEC(V_SSLV2).p, k);
        CHECK_EQ_INT(snt_tls_parse_sslv2_client_hello(copy, k, &ch), SNT_MALFORMED);
        free(copy);
    }
}

/* ---- malformed input and limits ------------------------------------------- */

/* clang-format off */
static const struct feed_case {
    const char *hex;
    size_t hs_max;
    enum snt_result want;
} feed_cases[] = {
    {"1903030001 00", 0, SNT_MALFORMED},    /* unknown content type */
    {"00", 0, SNT_MALFORMED},
    {"1604", 0, SNT_MALFORMED},             /* not version 3.x */
    {"1603034801", 0, SNT_MALFORMED},       /* 18433 > 16384 + 2048 */
    {"1603034800", 0, SNT_NEED_MORE},       /* exactly the maximum */
    {"1603030000", 0, SNT_OK},              /* empty: nothing to take */
    {"1803030001 00", 0, SNT_OK},           /* heartbeat: skipped */
    {"802e02", 0, SNT_MALFORMED},           /* SSLv2, not a hello */
    {"800501", 0, SNT_MALFORMED},           /* SSLv2, too short */
    {"16030300040100000516030300", 0, SNT_NEED_MORE},
    {"1603030004 010186a0", 64, SNT_OK},    /* too big, but only the header is in */
    {"1503030002 0550", 0, SNT_OK},         /* no such alert level: not kept */
};
/* clang-format on */

static void check_feed_case(const struct feed_case *c)
{
    struct bytes b = from_hex(c->hex);
    uint8_t *copy = snt_test_exact_copy(b.p, b.len);
    struct snt_tls_dir d;
    uint8_t type;
    struct snt_span body;
    snt_tls_dir_init(&d, c->hs_max);
    enum snt_result rc = snt_tls_dir_feed(&d, copy, b.len);
    if (rc != c->want)
        fprintf(stderr, "feed %s\n", c->hex);
    CHECK_EQ_INT(rc, c->want);
    if (c->want == SNT_MALFORMED) {
        CHECK(d.failed);
        CHECK_EQ_INT(snt_tls_dir_feed(&d, copy, b.len), SNT_MALFORMED);
        CHECK_EQ_INT(snt_tls_next_message(&d, &type, &body), SNT_MALFORMED);
    }
    snt_tls_dir_free(&d);
    free(copy);
    free(b.p);
}

static void test_framing_errors(void)
{
    for (size_t i = 0; i < sizeof feed_cases / sizeof feed_cases[0]; i++)
        check_feed_case(&feed_cases[i]);

    /* a message that can never fit fails when its header is taken */
    struct snt_tls_dir d;
    uint8_t type;
    struct snt_span body;
    struct bytes b = from_hex("1603030004 010186a0");
    snt_tls_dir_init(&d, 64);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, b.p, b.len), SNT_OK);
    CHECK_EQ_INT(snt_tls_next_message(&d, &type, &body), SNT_MALFORMED);
    CHECK(d.failed);
    snt_tls_dir_free(&d);
    free(b.p);

    /* the stream cannot shrink */
    snt_tls_dir_init(&d, 0);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, VEC(V_CH13).p, VEC(V_CH13).len), SNT_OK);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, VEC(V_CH13).p, 3), SNT_MALFORMED);
    snt_tls_dir_free(&d);
    snt_tls_dir_free(NULL);
}

static void test_handshake_limit(void)
{
    struct snt_tls_dir d;
    struct transcript t;
    /* ch13's 258-byte message cannot fit 200 bytes, in one record or three */
    snt_tls_dir_init(&d, 200);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, VEC(V_CH13).p, VEC(V_CH13).len), SNT_MALFORMED);
    snt_tls_dir_free(&d);
    snt_tls_dir_init(&d, 200);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, VEC(V_CH13_SPLIT).p, VEC(V_CH13_SPLIT).len), SNT_MALFORMED);
    snt_tls_dir_free(&d);

    /* 500 bytes hold ServerHello + Certificate (473) but not the rest: feed
     * stops early, and goes on once the complete messages are taken. */
    memset(&t, 0, sizeof t);
    snt_tls_dir_init(&d, 500);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, VEC(V_SH12).p, VEC(V_SH12).len), SNT_OK);
    CHECK(d.consumed < VEC(V_SH12).len);
    drain(&d, &t);
    CHECK_EQ_INT(t.n, 2);
    CHECK_EQ_INT(snt_tls_dir_feed(&d, VEC(V_SH12).p, VEC(V_SH12).len), SNT_OK);
    CHECK_EQ_INT(d.consumed, VEC(V_SH12).len);
    drain(&d, &t);
    CHECK_EQ_INT(t.n, 4);
    CHECK(d.hs_cap <= 500);
    snt_tls_dir_free(&d);
}

/* clang-format off */
#define HELLO_HEAD  "0303" "0000000000000000000000000000000000000000000000000000000000000000"
#define CH_HEAD     HELLO_HEAD "00 0002c02f 0100"
#define SH_HEAD     HELLO_HEAD "00 c02f 00"
#define CHALLENGE16 "000102030405060708090a0b0c0d0e0f"

/* 'c' ClientHello, 's' ServerHello, '2' SSLv2 ClientHello record */
static const struct parse_case {
    char kind;
    const char *hex;
    enum snt_result want;
} parse_cases[] = {
    {'c', CH_HEAD, SNT_OK},
    {'c', CH_HEAD "0000", SNT_OK},                           /* empty extensions */
    {'c', CH_HEAD "0000 00", SNT_MALFORMED},                 /* trailing byte */
    {'c', HELLO_HEAD "21" "00000000000000000000000000000000000000000000000000000000000000000000"
          "0002c02f 0100", SNT_MALFORMED},                   /* session id of 33 */
    {'c', HELLO_HEAD "00 0003c02f00 0100", SNT_MALFORMED},   /* odd suite bytes */
    {'c', HELLO_HEAD "00 0000 0100", SNT_MALFORMED},         /* no suites */
    {'c', HELLO_HEAD "00 0002c02f 00", SNT_MALFORMED},       /* no compression */
    {'c', CH_HEAD "0004 0000 0000", SNT_MALFORMED},          /* SNI: no list */
    {'c', CH_HEAD "0009 0000 0005 0003 000000", SNT_MALFORMED}, /* SNI: empty name */
    {'c', CH_HEAD "0009 0000 0005 0003 000001", SNT_MALFORMED}, /* SNI: name overruns */
    {'c', CH_HEAD "000a 0000 0006 0004 00000161", SNT_OK},
    {'c', CH_HEAD "0009 0010 0005 0003 056832", SNT_MALFORMED}, /* ALPN name overruns */
    {'c', CH_HEAD "0007 0010 0003 0001 00", SNT_OK},         /* ALPN: empty name */
    {'c', CH_HEAD "0008 002b 0004 03 030403", SNT_MALFORMED}, /* odd versions */
    {'c', CH_HEAD "0007 000a 0003 0001 1d", SNT_MALFORMED},  /* odd groups */
    {'c', CH_HEAD "0008 000b 0004 0200 0100", SNT_MALFORMED}, /* point formats + junk */
    {'c', CH_HEAD "000a 0033 0006 0004 001d0001", SNT_MALFORMED}, /* key share overruns */
    {'c', CH_HEAD "0006 ff01 0001 00 00", SNT_MALFORMED},    /* half an extension */
    {'c', CH_HEAD "0005 ff01 0001 00", SNT_OK},              /* unknown: skipped */
    {'c', "0303", SNT_MALFORMED},
    {'c', "", SNT_MALFORMED},
    {'s', SH_HEAD, SNT_OK},
    {'s', SH_HEAD "0006 002b 0002 0304", SNT_OK},
    {'s', SH_HEAD "0007 002b 0003 030400", SNT_MALFORMED},
    {'s', SH_HEAD "0009 0010 0005 0003 026832", SNT_OK},
    {'s', SH_HEAD "000c 0010 0008 0006 026832 026831", SNT_MALFORMED}, /* two names */
    {'s', SH_HEAD "0006 0010 0002 0000", SNT_MALFORMED},
    {'s', HELLO_HEAD "00 c02f", SNT_MALFORMED},
    {'s', SH_HEAD "00", SNT_MALFORMED},
    {'2', "801c 01 0002 0003 0000 0010 010080" CHALLENGE16, SNT_OK},
    {'2', "001c 01 0002 0003 0000 0010 010080" CHALLENGE16, SNT_MALFORMED}, /* no flag */
    {'2', "801c 02 0002 0003 0000 0010 010080" CHALLENGE16, SNT_MALFORMED}, /* not a hello */
    {'2', "801b 01 0002 0002 0000 0010 0100" CHALLENGE16, SNT_MALFORMED},   /* 2-byte spec */
    {'2', "8014 01 0002 0003 0000 0008 010080 0001020304050607", SNT_MALFORMED},
    {'2', "801d 01 0002 0003 0000 0010 010080" CHALLENGE16 "00", SNT_MALFORMED},
    /* bytes after the record belong to the next record, not to the hello */
    {'2', "801c 01 0002 0003 0000 0010 010080" CHALLENGE16 "16", SNT_OK},
};
/* clang-format on */

static void check_parse_case(const struct parse_case *c)
{
    struct bytes b = from_hex(c->hex);
    uint8_t *copy = snt_test_exact_copy(b.p, b.len);
    struct snt_tls_client_hello ch;
    struct snt_tls_server_hello sh;
    enum snt_result rc;
    ch.n_ciphers = 777; /* output is untouched on failure */
    sh.cipher = 777;
    if (c->kind == 'c')
        rc = snt_tls_parse_client_hello(copy, b.len, &ch);
    else if (c->kind == 's')
        rc = snt_tls_parse_server_hello(copy, b.len, &sh);
    else
        rc = snt_tls_parse_sslv2_client_hello(copy, b.len, &ch);
    if (rc != c->want)
        fprintf(stderr, "parse %c %s\n", c->kind, c->hex);
    CHECK_EQ_INT(rc, c->want);
    if (rc != SNT_OK)
        CHECK(ch.n_ciphers == 777 && sh.cipher == 777);
    free(copy);
    free(b.p);
}

static void test_parse_errors(void)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++)
        check_parse_case(&parse_cases[i]);
}

/* A ClientHello body (from its version on) with n_suites cipher suites,
 * (suite_hi + i / 256, i) each, and one extension of type ext_type whose
 * data is ext_len bytes of ext; its length in *len, for the caller to
 * free. */
static uint8_t *hello_with(size_t n_suites, uint8_t suite_hi, uint16_t ext_type, const uint8_t *ext,
                           size_t ext_len, size_t *len)
{
    *len = 35 + 2 + 2 * n_suites + 2 + 2 + 4 + ext_len;
    uint8_t *p = calloc(1, *len), *q = p;
    if (!p)
        abort();
    *q++ = 3, *q++ = 3, q += 33;
    *q++ = (uint8_t)(2 * n_suites >> 8), *q++ = (uint8_t)(2 * n_suites);
    for (size_t i = 0; i < n_suites; i++)
        *q++ = (uint8_t)(suite_hi + i / 256), *q++ = (uint8_t)i;
    *q++ = 1, *q++ = 0;
    *q++ = (uint8_t)((ext_len + 4) >> 8), *q++ = (uint8_t)(ext_len + 4);
    *q++ = (uint8_t)(ext_type >> 8), *q++ = (uint8_t)ext_type;
    *q++ = (uint8_t)(ext_len >> 8), *q++ = (uint8_t)ext_len;
    memcpy(q, ext, ext_len);
    return p;
}

/* Lists longer than their arrays keep the first entries and say so. */
static void test_truncated_lists(void)
{
    size_t n_alpn = SNT_MAX_ALPN + 3, len;
    uint8_t ext[2 + 2 * (SNT_MAX_ALPN + 3)], *q = ext;
    struct snt_tls_client_hello ch;
    *q++ = (uint8_t)(2 * n_alpn >> 8), *q++ = (uint8_t)(2 * n_alpn);
    for (size_t i = 0; i < n_alpn; i++)
        *q++ = 1, *q++ = (uint8_t)('a' + i);
    uint8_t *p = hello_with(SNT_MAX_CIPHERS + 4, 0xc0, 16, ext, sizeof ext, &len);
    CHECK_EQ_INT(snt_tls_parse_client_hello(p, len, &ch), SNT_OK);
    CHECK(ch.truncated_lists);
    CHECK_EQ_INT(ch.n_ciphers, SNT_MAX_CIPHERS);
    CHECK_EQ_INT(ch.ciphers[SNT_MAX_CIPHERS - 1], 0xc0ff);
    CHECK_EQ_INT(ch.n_alpn, SNT_MAX_ALPN);
    CHECK_SPAN(ch.alpn[SNT_MAX_ALPN - 1], "p");
    free(p);
}

/* 16-bit lists are read in pieces of 64 values: a list of 100 (two pieces,
 * the second part full) is kept whole, and a list whose bound falls
 * inside a piece (40 versions, 32 kept) keeps exactly the first ones. */
static void test_u16_lists_in_pieces(void)
{
    size_t n_suites = 100, n_versions = SNT_MAX_VERSIONS + 8, len;
    uint8_t ext[1 + 2 * (SNT_MAX_VERSIONS + 8)], *q = ext;
    struct snt_tls_client_hello ch;
    *q++ = (uint8_t)(2 * n_versions);
    for (size_t i = 0; i < n_versions; i++)
        *q++ = 0x7f, *q++ = (uint8_t)i;
    uint8_t *p = hello_with(n_suites, 0x10, 0x2b, ext, sizeof ext, &len);
    CHECK_EQ_INT(snt_tls_parse_client_hello(p, len, &ch), SNT_OK);
    CHECK_EQ_INT(ch.n_ciphers, n_suites);
    for (size_t i = 0; i < n_suites && i < ch.n_ciphers; i++)
        CHECK_EQ_INT(ch.ciphers[i], 0x1000 + i);
    CHECK(ch.truncated_lists);
    CHECK_EQ_INT(ch.n_versions, SNT_MAX_VERSIONS);
    for (size_t i = 0; i < SNT_MAX_VERSIONS; i++)
        CHECK_EQ_INT(ch.versions[i], 0x7f00 + i);
    free(p);
}

/* A hello broken in its extensions: the partial parser keeps what came
 * before the damage and says so; the strict one refuses it. */
#define SNI_EXT "0000 000e 000c 00 0009 612e6578616d706c65" /* "a.example" */
static const struct {
    const char *name, *hex;
    enum snt_result st;
    bool malformed, sni;
    unsigned n_alpn;
} partial_hellos[] = {
    {"whole", CH_HEAD "001b" SNI_EXT "0010 0005 0003 026832", SNT_OK, false, true, 1},
    {"alpn list overruns its extension", CH_HEAD "001b" SNI_EXT "0010 0005 0004 026832", SNT_OK,
     true, true, 0},
    {"alpn list, second name cut", CH_HEAD "001e" SNI_EXT "0010 0008 0006 026832 03 6831", SNT_OK,
     true, true, 1},
    {"extension overruns the block", CH_HEAD "001b" SNI_EXT "0010 0010 0003 026832", SNT_OK, true,
     true, 0},
    {"block overruns the message", CH_HEAD "0040" SNI_EXT, SNT_OK, true, true, 0},
    {"byte after the block", CH_HEAD "0012" SNI_EXT "00", SNT_OK, true, true, 0},
    {"damage before the SNI", CH_HEAD "001b 0010 0005 0004 026832" SNI_EXT, SNT_OK, true, false, 0},
    {"half an extension length", CH_HEAD "0001 00", SNT_OK, true, false, 0},
    {"no cipher suites",
     HELLO_HEAD "00 0000 0100"
                "0012" SNI_EXT,
     SNT_MALFORMED, false, false, 0},
};

static void test_partial_hellos(void)
{
    for (size_t i = 0; i < sizeof partial_hellos / sizeof partial_hellos[0]; i++) {
        int before = snt_test_failures;
        struct bytes b = from_hex(partial_hellos[i].hex);
        uint8_t *copy = snt_test_exact_copy(b.p, b.len);
        struct snt_tls_client_hello ch, strict;
        CHECK_EQ_INT(snt_tls_parse_client_hello_partial(copy, b.len, &ch), partial_hellos[i].st);
        if (partial_hellos[i].st == SNT_OK) {
            CHECK_EQ_INT(ch.malformed, partial_hellos[i].malformed);
            CHECK_EQ_INT(ch.has_sni, partial_hellos[i].sni);
            if (partial_hellos[i].sni)
                CHECK_SPAN(ch.sni, "a.example");
            CHECK_EQ_INT(ch.n_alpn, partial_hellos[i].n_alpn);
            CHECK_EQ_INT(ch.n_ciphers, 1);
        }
        CHECK_EQ_INT(snt_tls_parse_client_hello(copy, b.len, &strict),
                     partial_hellos[i].st == SNT_OK && !partial_hellos[i].malformed
                         ? SNT_OK
                         : SNT_MALFORMED);
        free(copy);
        free(b.p);
        if (snt_test_failures != before)
            fprintf(stderr, "  ^ in partial hello \"%s\"\n", partial_hellos[i].name);
    }
}

/* ---- names ---------------------------------------------------------------- */

/* clang-format off */
static const struct {
    bool cipher;
    uint16_t value;
    const char *name; /* NULL: unknown */
} names[] = {
    {false, 0x0300, "ssl3"}, {false, 0x0301, "1.0"}, {false, 0x0302, "1.1"},
    {false, 0x0303, "1.2"}, {false, 0x0304, "1.3"}, {false, 0x7f1c, "1.3"},
    {false, 0x0002, NULL}, {false, 0x0305, NULL}, {false, 0x0a0a, NULL},
    {true, 0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {true, 0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {true, 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {true, 0x1301, "TLS_AES_128_GCM_SHA256"},
    {true, 0x1302, "TLS_AES_256_GCM_SHA384"},
    {true, 0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {true, 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {true, 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {true, 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {true, 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {true, 0x5600, "TLS_FALLBACK_SCSV"},
    {true, 0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384"},
    {true, 0x0a0a, NULL}, {true, 0xffff, NULL}, {true, 0x0003, NULL},
};
/* clang-format on */

static void test_names(void)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *got = names[i].cipher ? snt_tls_cipher_name(names[i].value)
                                          : snt_tls_version_name(names[i].value);
        if (!names[i].name)
            CHECK(got == NULL);
        else
            CHECK(got != NULL && strcmp(got, names[i].name) == 0);
    }
}

int main(void)
{
    vectors_load();
    test_sniff();
    test_framing();
    test_framing_details();
    test_hellos();
    test_alerts();
    test_prefixes();
    test_framing_errors();
    test_handshake_limit();
    test_buffer_growth();
    test_parse_errors();
    test_truncated_lists();
    test_u16_lists_in_pieces();
    test_partial_hellos();
    test_names();
    vectors_free();
    return snt_test_finish("tls");
}
