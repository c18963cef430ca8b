/* Tests for the QUIC Initial parser (src/quic.c) and its packet protection
 * (src/quic_crypto.c): the RFC 9001 appendix A and RFC 9369 appendix A
 * vectors, every shorter prefix of them, ClientHellos spread over several
 * Initial packets and datagrams in any order, coalesced packets, the
 * versions with public Initial salts, frame parsing and CRYPTO assembly.
 */
#include "snitrace/quic.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "quic_vectors.h"
#include "testutil.h"

#define RFC_PAYLOAD_LEN   1162
#define RFC_PN            2
#define RFC_CH_LEN        0xed /* ClientHello body */
#define RFC_CRYPTO_LEN    0xf1 /* CRYPTO data: handshake header + body */
#define RFC_FRAME_HDR_LEN 4    /* type 0x06, offset 0, 2-byte length */
#define RFC_PN_OFFSET     18   /* the 4-byte packet number starts here */
static const char rfc_dcid[] = "8394c8f03e515708";

/* ---- helpers ------------------------------------------------------------ */

static bool contains(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(p + i, needle, k) == 0)
            return true;
    return false;
}

static struct snt_quic_crypto *fresh(void)
{
    struct snt_quic_crypto *c = malloc(sizeof *c);
    if (!c)
        abort();
    snt_quic_crypto_init(c);
    return c;
}

static void release(struct snt_quic_crypto *c)
{
    snt_quic_crypto_free(c);
    free(c);
}

/* c emptied for another try. */
static void reset(struct snt_quic_crypto *c)
{
    snt_quic_crypto_free(c);
    snt_quic_crypto_init(c);
}

/* Feed one datagram from an exact-size heap copy, so ASan sees overreads. */
static enum snt_result feed(struct snt_quic_crypto *c, const uint8_t *p, size_t n)
{
    uint8_t *copy = snt_test_exact_copy(p, n);
    enum snt_result r = snt_quic_feed_client_datagram(c, copy, n);
    free(copy);
    return r;
}

static bool has_example_hello(const struct snt_quic_crypto *c)
{
    const uint8_t *body;
    size_t len;
    return snt_quic_client_hello(c, &body, &len) == SNT_OK && len == RFC_CH_LEN &&
           contains(body, len, "example.com");
}

/* ---- building protected Initial packets ---------------------------------- */

struct spec {
    uint32_t version;
    const uint8_t *dcid, *key_dcid; /* header DCID; keys derive from key_dcid */
    size_t dcid_len, key_dcid_len;
    uint64_t pn;
    size_t pn_len;
    const uint8_t *payload; /* frames, zero-padded (PADDING) to pad_to */
    size_t payload_len, pad_to;
};

static void seal_and_mask(const struct snt_traffic_keys *k, const struct spec *s, uint8_t *pkt,
                          size_t pn_offset, size_t plain_len)
{
    uint8_t nonce[12], block[32];
    size_t hdr = pn_offset + s->pn_len;
    int n = 0;
    memcpy(nonce, k->iv, sizeof nonce);
    for (size_t i = 0; i < 8; i++)
        nonce[12 - 1 - i] ^= (uint8_t)(s->pn >> (8 * i));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, nonce) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &n, pkt, (int)hdr) == 1 &&
              EVP_EncryptUpdate(ctx, pkt + hdr, &n, pkt + hdr, (int)plain_len) == 1 &&
              EVP_EncryptFinal_ex(ctx, block, &n) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, pkt + hdr + plain_len) == 1 &&
              EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k->hp, NULL) == 1 &&
              EVP_EncryptUpdate(ctx, block, &n, pkt + pn_offset + 4, 16) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        abort();
    pkt[0] ^= block[0] & 0x0f;
    for (size_t i = 0; i < s->pn_len; i++)
        pkt[pn_offset + i] ^= block[1 + i];
}

/* A client Initial as RFC 9001 section 5 protects it; returns its length. */
static size_t build_initial(const struct spec *s, uint8_t *out, size_t cap)
{
    const struct snt_quic_version *v = snt_quic_version_lookup(s->version);
    struct snt_traffic_keys k;
    size_t plain = s->payload_len > s->pad_to ? s->payload_len : s->pad_to, n = 0;
    size_t length = s->pn_len + plain + 16;
    if (!v || !snt_quic_initial_keys(v, s->key_dcid, s->key_dcid_len, false, &k) ||
        cap < 64 + s->dcid_len + length || length > 0x3fff)
        abort();
    out[n++] = (uint8_t)(0xc0u | (unsigned)v->initial_type << 4 | (unsigned)(s->pn_len - 1));
    for (int i = 3; i >= 0; i--)
        out[n++] = (uint8_t)(s->version >> (8 * i));
    if (v->nibble_cid_lengths) {
        out[n++] = (uint8_t)((s->dcid_len - 3) << 4); /* no SCID */
    } else {
        out[n++] = (uint8_t)s->dcid_len;
    }
    memcpy(out + n, s->dcid, s->dcid_len);
    n += s->dcid_len;
    if (!v->nibble_cid_lengths)
        out[n++] = 0; /* SCID length */
    out[n++] = 0;     /* token length */
    out[n++] = (uint8_t)(0x40 | length >> 8);
    out[n++] = (uint8_t)length;
    size_t pn_offset = n;
    for (size_t i = 0; i < s->pn_len; i++)
        out[n++] = (uint8_t)(s->pn >> (8 * (s->pn_len - 1 - i)));
    memset(out + n, 0, plain);
    memcpy(out + n, s->payload, s->payload_len);
    seal_and_mask(&k, s, out, pn_offset, plain);
    return n + plain + 16;
}

/* The RFC's ClientHello split into two CRYPTO frames, [0, cut) and
 * [cut, end), each with its frame header, written to a and b. */
static void split_crypto(size_t cut, uint8_t *a, size_t *alen, uint8_t *b, size_t *blen)
{
    size_t n;
    uint8_t *frame = snt_test_hex(rfc_crypto_frame, &n);
    const uint8_t *ch = frame + RFC_FRAME_HDR_LEN;
    size_t rest = RFC_CRYPTO_LEN - cut;
    a[0] = 0x06, a[1] = 0x00, a[2] = (uint8_t)(0x40 | cut >> 8), a[3] = (uint8_t)cut;
    memcpy(a + 4, ch, cut);
    *alen = 4 + cut;
    b[0] = 0x06, b[1] = (uint8_t)(0x40 | cut >> 8), b[2] = (uint8_t)cut;
    b[3] = (uint8_t)(0x40 | rest >> 8), b[4] = (uint8_t)rest;
    memcpy(b + 5, ch + cut, rest);
    *blen = 5 + rest;
    free(frame);
}

/* ---- RFC vectors ---------------------------------------------------------- */

static void test_versions(void)
{
    const struct snt_quic_version *v = snt_quic_version_lookup(SNT_QUIC_VERSION_2);
    CHECK(v && v->initial_type == 1 && v->v2_labels);
    v = snt_quic_version_lookup(0xff000015);
    CHECK(v && v->nibble_cid_lengths);
    v = snt_quic_version_lookup(0xff000016);
    CHECK(v && !v->nibble_cid_lengths);
    CHECK(snt_quic_version_lookup(0) == NULL);          /* Version Negotiation */
    CHECK(snt_quic_version_lookup(0x1a2a3a4a) == NULL); /* greased */
    CHECK(snt_quic_version_lookup(0x51303530) == NULL); /* Q050: no TLS inside */
}

static void check_keys(uint32_t version, const char *key, const char *iv, const char *hp)
{
    size_t n;
    uint8_t *dcid = snt_test_hex(rfc_dcid, &n);
    struct snt_traffic_keys k;
    CHECK(snt_quic_initial_keys(snt_quic_version_lookup(version), dcid, n, false, &k));
    CHECK(snt_test_hex_eq(k.key, k.key_len, key));
    CHECK(snt_test_hex_eq(k.iv, k.iv_len, iv));
    CHECK(snt_test_hex_eq(k.hp, k.hp_len, hp));
    /* After a Retry from a server without CIDs the DCID is empty. */
    struct snt_traffic_keys empty;
    CHECK(snt_quic_initial_keys(snt_quic_version_lookup(version), dcid, 0, false, &empty));
    CHECK(memcmp(empty.key, k.key, sizeof k.key) != 0);
    free(dcid);
}

static void test_keys(void)
{
    /* RFC 9001 A.1 */
    check_keys(SNT_QUIC_VERSION_1, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
               "9f50449e04a0e810283a1e9933adedd2");
    /* RFC 9369 A.1 */
    check_keys(SNT_QUIC_VERSION_2, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
               "45b95e15235d6f45a6b19cbcb0294ba9");
    /* draft-ietf-quic-tls-29 A.1 */
    check_keys(0xff00001d, "175257a31eb09dea9366d8bb79ad80ba", "6b26114b9cba2b63a9e8dd4f",
               "9ddd12c994c0698b89374a9c077a3077");
}

static void check_vector(const char *hex, uint32_t version)
{
    size_t n;
    uint8_t *pkt = snt_test_hex(hex, &n);
    struct snt_quic_crypto *c = fresh();
    CHECK_EQ_INT(n, 1200);
    CHECK_EQ_INT(snt_quic_sniff_initial(pkt, n), SNT_OK);
    CHECK_EQ_INT(feed(c, pkt, n), SNT_OK);
    CHECK_EQ_INT(c->version, version);
    CHECK_EQ_INT(c->packets, 1);
    CHECK_EQ_INT(c->largest_pn, RFC_PN);
    CHECK_EQ_INT(c->stream.contiguous, RFC_CRYPTO_LEN);
    CHECK(has_example_hello(c));
    CHECK(snt_test_hex_eq(c->dcid, c->dcid_len, rfc_dcid));
    /* The same datagram again is a retransmission: nothing changes. */
    CHECK_EQ_INT(feed(c, pkt, n), SNT_OK);
    CHECK_EQ_INT(c->stream.contiguous, RFC_CRYPTO_LEN);
    CHECK(has_example_hello(c));
    release(c);
    free(pkt);
}

/* The plaintext matches the RFC's unprotected payload exactly. */
static void check_plaintext(const char *hex, uint32_t version)
{
    size_t n, fn;
    size_t dn;
    uint8_t *pkt = snt_test_hex(hex, &n), *frame = snt_test_hex(rfc_crypto_frame, &fn);
    uint8_t *dcid = snt_test_hex(rfc_dcid, &dn), plain[1200];
    struct snt_traffic_keys k;
    size_t plain_len = 0;
    uint64_t pn = 0;
    CHECK(snt_quic_initial_keys(snt_quic_version_lookup(version), dcid, dn, false, &k));
    CHECK_EQ_INT(
        snt_quic_unprotect(&k, pkt, n, RFC_PN_OFFSET, -1, plain, sizeof plain, &plain_len, &pn),
        SNT_OK);
    CHECK_EQ_INT(pn, RFC_PN);
    CHECK_EQ_INT(plain_len, RFC_PAYLOAD_LEN);
    CHECK(fn == RFC_FRAME_HDR_LEN + RFC_CRYPTO_LEN && memcmp(plain, frame, fn) == 0);
    size_t zeros = 0;
    for (size_t i = fn; i < plain_len; i++)
        zeros += plain[i] == 0;
    CHECK_EQ_INT(zeros, RFC_PAYLOAD_LEN - fn);
    /* One flipped ciphertext bit fails authentication. */
    pkt[600] ^= 1;
    CHECK_EQ_INT(
        snt_quic_unprotect(&k, pkt, n, RFC_PN_OFFSET, -1, plain, sizeof plain, &plain_len, &pn),
        SNT_NOT_MINE);
    free(pkt);
    free(frame);
    free(dcid);
}

/* Protecting the RFC's plaintext with build_initial gives the RFC's bytes,
 * which vouches for the packets the later tests build. */
static void check_builder(const char *hex, uint32_t version)
{
    size_t n, fn, dn;
    uint8_t *want = snt_test_hex(hex, &n), *frame = snt_test_hex(rfc_crypto_frame, &fn);
    uint8_t *dcid = snt_test_hex(rfc_dcid, &dn), got[1300];
    struct spec s = {version, dcid, dcid, dn, dn, RFC_PN, 4, frame, fn, RFC_PAYLOAD_LEN};
    size_t len = build_initial(&s, got, sizeof got);
    CHECK(len == n && memcmp(got, want, n) == 0);
    free(want);
    free(frame);
    free(dcid);
}

static void test_rfc_vectors(void)
{
    check_vector(rfc9001_client_initial, SNT_QUIC_VERSION_1);
    check_vector(rfc9369_client_initial, SNT_QUIC_VERSION_2);
    check_plaintext(rfc9001_client_initial, SNT_QUIC_VERSION_1);
    check_plaintext(rfc9369_client_initial, SNT_QUIC_VERSION_2);
    check_builder(rfc9001_client_initial, SNT_QUIC_VERSION_1);
    check_builder(rfc9369_client_initial, SNT_QUIC_VERSION_2);
}

/* The server's Initial (RFC 9001 A.3) is an Initial, but client keys do not
 * open it. */
static void test_server_initial(void)
{
    size_t n;
    uint8_t *pkt = snt_test_hex(rfc9001_server_initial, &n);
    struct snt_quic_crypto *c = fresh();
    const uint8_t *body;
    size_t len;
    CHECK_EQ_INT(snt_quic_sniff_initial(pkt, n), SNT_OK);
    CHECK_EQ_INT(feed(c, pkt, n), SNT_NOT_MINE);
    CHECK_EQ_INT(c->packets, 0);
    CHECK_EQ_INT(snt_quic_client_hello(c, &body, &len), SNT_NEED_MORE);
    release(c);
    free(pkt);
}

/* Every shorter prefix of datagram p, fed after the datagrams before it
 * (pre), as an exact-size copy: no crash, and no ClientHello before
 * hello_at bytes; from there on the ClientHello must be found. */
static void check_prefixes(const uint8_t *pre, size_t pre_len, const uint8_t *p, size_t n,
                           size_t hello_at)
{
    struct snt_quic_crypto *c = fresh();
    const uint8_t *body;
    size_t len;
    int early = 0, late = 0;
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t *copy = snt_test_exact_copy(p, cut);
        reset(c);
        if (pre_len)
            (void)feed(c, pre, pre_len);
        (void)snt_quic_sniff_initial(copy, cut);
        (void)snt_quic_feed_client_datagram(c, copy, cut);
        bool found = snt_quic_client_hello(c, &body, &len) == SNT_OK;
        early += cut < hello_at && found;
        late += cut >= hello_at && !(found && has_example_hello(c));
        free(copy);
    }
    CHECK_EQ_INT(early, 0);
    CHECK_EQ_INT(late, 0);
    release(c);
}

static void test_prefixes(void)
{
    const char *vectors[] = {rfc9001_client_initial, rfc9369_client_initial};
    for (size_t i = 0; i < 2; i++) {
        size_t n;
        uint8_t *pkt = snt_test_hex(vectors[i], &n);
        check_prefixes(NULL, 0, pkt, n, n);
        free(pkt);
    }
}

/* ---- ClientHellos over several packets ----------------------------------- */

static const uint8_t dcid0[8] = {0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88};
static const uint8_t server_cid[5] = {0xa1, 0xb2, 0xc3, 0xd4, 0xe5};
#define SPLIT_AT 100

/* The second half of the ClientHello in the client's first datagram, the
 * first half in the next one, now addressed to the server's chosen CID but
 * still under the keys of the original DCID. */
static void split_datagrams(uint8_t *d1, size_t *n1, uint8_t *d2, size_t *n2)
{
    uint8_t a[300], b[300], p2[320];
    size_t alen, blen;
    static const uint8_t ack_ping[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    split_crypto(SPLIT_AT, a, &alen, b, &blen);
    memcpy(p2, ack_ping, sizeof ack_ping);
    memcpy(p2 + sizeof ack_ping, a, alen);
    struct spec s1 = {SNT_QUIC_VERSION_1, dcid0, dcid0, 8, 8, 0, 1, b, blen, 1100};
    struct spec s2 = {SNT_QUIC_VERSION_1,     server_cid, dcid0, 5, 8, 1, 2, p2,
                      alen + sizeof ack_ping, 1100};
    *n1 = build_initial(&s1, d1, 1300);
    *n2 = build_initial(&s2, d2, 1300);
}

static void test_split_out_of_order(void)
{
    uint8_t d1[1300], d2[1300];
    size_t n1, n2;
    const uint8_t *body;
    size_t len;
    split_datagrams(d1, &n1, d2, &n2);
    struct snt_quic_crypto *c = fresh();
    CHECK_EQ_INT(feed(c, d1, n1), SNT_OK);
    CHECK_EQ_INT(snt_quic_client_hello(c, &body, &len), SNT_NEED_MORE);
    CHECK_EQ_INT(c->stream.contiguous, 0);
    CHECK_EQ_INT(c->stream.n_ranges, 1);
    CHECK_EQ_INT(feed(c, d2, n2), SNT_OK);
    CHECK(has_example_hello(c));
    CHECK_EQ_INT(c->stream.n_ranges, 0);
    CHECK_EQ_INT(c->packets, 2);
    CHECK_EQ_INT(c->largest_pn, 1);
    CHECK(c->dcid_len == 8 && memcmp(c->dcid, dcid0, 8) == 0);
    /* In capture order the other way round as well. */
    reset(c);
    CHECK_EQ_INT(feed(c, d2, n2), SNT_NOT_MINE); /* keys of dcid0 unknown yet */
    CHECK_EQ_INT(feed(c, d1, n1), SNT_OK);
    CHECK_EQ_INT(feed(c, d2, n2), SNT_OK);
    CHECK(has_example_hello(c));
    release(c);
    check_prefixes(NULL, 0, d1, n1, n1 + 1);
    check_prefixes(d1, n1, d2, n2, n2);
}

/* Two Initials coalesced, then 0-RTT and Handshake packets and padding; the
 * second Initial also overlaps the first's data. */
static size_t coalesced_datagram(uint8_t *out, size_t *hello_at)
{
    uint8_t a[300], b[300], p1[320];
    size_t alen, blen, n;
    static const uint8_t ack_ecn[] = {0x03, 0x05, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03};
    static const uint8_t zero_rtt_and_handshake[] = {
        0xd0, 0x00, 0x00, 0x00, 0x01, 0x01, 0x77, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef,
        0x00, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03};
    split_crypto(SPLIT_AT, a, &alen, b, &blen);
    memcpy(p1, ack_ecn, sizeof ack_ecn);
    memcpy(p1 + sizeof ack_ecn, b, blen);
    struct spec s1 = {SNT_QUIC_VERSION_1, dcid0, dcid0, 8, 8, 7, 2, p1, sizeof ack_ecn + blen, 0};
    struct spec s2 = {SNT_QUIC_VERSION_1, dcid0, dcid0, 8, 8, 8, 4, a, alen, 0};
    n = build_initial(&s1, out, 1400);
    n += build_initial(&s2, out + n, 1400 - n);
    *hello_at = n;
    memcpy(out + n, zero_rtt_and_handshake, sizeof zero_rtt_and_handshake);
    n += sizeof zero_rtt_and_handshake;
    memset(out + n, 0, 40);
    return n + 40;
}

static void test_coalesced(void)
{
    uint8_t d[1400];
    size_t hello_at, n = coalesced_datagram(d, &hello_at);
    struct snt_quic_crypto *c = fresh();
    CHECK_EQ_INT(snt_quic_sniff_initial(d, n), SNT_OK);
    CHECK_EQ_INT(feed(c, d, n), SNT_OK);
    CHECK(has_example_hello(c));
    CHECK_EQ_INT(c->packets, 2);
    CHECK_EQ_INT(c->largest_pn, 8);
    release(c);
    check_prefixes(NULL, 0, d, n, hello_at);
}

/* After a Retry the client derives new keys from the server's CID. */
static void test_retry_new_dcid(void)
{
    uint8_t a[300], b[300], d1[1300], d2[1300], d3[1300];
    size_t alen, blen, fn;
    uint8_t *frame = snt_test_hex(rfc_crypto_frame, &fn);
    split_crypto(SPLIT_AT, a, &alen, b, &blen);
    struct spec s1 = {SNT_QUIC_VERSION_1, dcid0, dcid0, 8, 8, 0, 1, a, alen, 1100};
    struct spec s2 = {SNT_QUIC_VERSION_1, server_cid, server_cid, 5, 5, 1, 1, frame, fn, 1100};
    struct spec s3 = {SNT_QUIC_VERSION_1, server_cid, dcid0 + 1, 5, 7, 2, 1, frame, fn, 1100};
    size_t n1 = build_initial(&s1, d1, sizeof d1), n2 = build_initial(&s2, d2, sizeof d2);
    size_t n3 = build_initial(&s3, d3, sizeof d3);
    struct snt_quic_crypto *c = fresh();
    CHECK_EQ_INT(feed(c, d1, n1), SNT_OK);
    CHECK_EQ_INT(feed(c, d3, n3), SNT_NOT_MINE); /* keys from neither CID */
    CHECK_EQ_INT(feed(c, d2, n2), SNT_OK);
    CHECK(has_example_hello(c));
    CHECK(c->dcid_len == 5 && memcmp(c->dcid, server_cid, 5) == 0);
    release(c);
    free(frame);
}

/* Each version's header layout, packet type bits and salt, end to end. */
static void test_all_versions(void)
{
    static const uint32_t vs[] = {0x00000001, 0x6b3343cf, 0xff000015, 0xff000016, 0xff000017,
                                  0xff00001c, 0xff00001d, 0xff000020, 0xff000021, 0xff000022,
                                  0xfaceb001, 0xfaceb002, 0xfaceb00e, 0x54303530, 0x54303531};
    size_t fn;
    uint8_t *frame = snt_test_hex(rfc_crypto_frame, &fn), d[1300];
    struct snt_quic_crypto *c = fresh();
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        struct spec s = {vs[i], dcid0, dcid0, 8, 8, 0, 1, frame, fn, 1150};
        bool gquic = snt_quic_version_lookup(vs[i])->frames == SNT_QUIC_FRAMES_GQUIC;
        frame[0] = gquic ? 0x06 : 0x08; /* the other encoding's CRYPTO type first */
        size_t n = build_initial(&s, d, sizeof d);
        reset(c);
        CHECK_EQ_INT(feed(c, d, n), SNT_OK);
        CHECK_EQ_INT(c->stream.contiguous, 0);
        frame[0] = gquic ? 0x08 : 0x06;
        n = build_initial(&s, d, sizeof d);
        reset(c);
        CHECK_EQ_INT(snt_quic_sniff_initial(d, n), SNT_OK);
        CHECK_EQ_INT(feed(c, d, n), SNT_OK);
        CHECK_EQ_INT(c->version, vs[i]);
        CHECK(has_example_hello(c));
        /* A different long-header type is not an Initial any more. */
        d[0] ^= 0x10;
        CHECK_EQ_INT(snt_quic_sniff_initial(d, n), SNT_NOT_MINE);
    }
    release(c);
    free(frame);
}

static enum snt_result feed_hex(const char *hex)
{
    size_t n;
    uint8_t *p = snt_test_hex(hex, &n);
    struct snt_quic_crypto *c = fresh();
    enum snt_result r = feed(c, p, n);
    release(c);
    free(p);
    return r;
}

static void test_bad_headers(void)
{
    CHECK_EQ_INT(feed_hex(""), SNT_NOT_MINE);
    CHECK_EQ_INT(feed_hex("40 0102030405060708 00"), SNT_NOT_MINE); /* short header */
    /* RFC 9287: v1 and v2 long headers may have the fixed bit greased (this
     * one's Length then runs past the end); other versions may not. */
    CHECK_EQ_INT(feed_hex("80 00000001 00 00 00 41 00"), SNT_MALFORMED);
    CHECK_EQ_INT(feed_hex("80 ff00001d 00 00 00 41 00"), SNT_NOT_MINE); /* fixed bit clear */
    CHECK_EQ_INT(feed_hex("c0 00000000 00 00 00000001"), SNT_NOT_MINE); /* Version Negotiation */
    CHECK_EQ_INT(feed_hex("c0 0a1a2a3a 00 00 00 41 00"), SNT_NOT_MINE); /* unknown version */
    CHECK_EQ_INT(feed_hex("f0 00000001 00 00 00 00"), SNT_NOT_MINE);    /* Retry */
    CHECK_EQ_INT(feed_hex("c0 00000001 15 000102030405060708090a0b0c0d0e0f1011121314 00 00 41"),
                 SNT_MALFORMED);                                              /* 21-byte DCID */
    CHECK_EQ_INT(feed_hex("c0 00000001 01 aa 00 05 0102"), SNT_MALFORMED);    /* token past end */
    CHECK_EQ_INT(feed_hex("c0 00000001 01 aa 00 00 4400 00"), SNT_MALFORMED); /* Length past end */
    CHECK_EQ_INT(feed_hex("c0 00000001 01 aa 00 00 05 0001020304"), SNT_MALFORMED); /* no sample */
    CHECK_EQ_INT(
        feed_hex("c0 00000001 01 aa 00 00 18 000102030405060708090a0b0c0d0e0f1011121314151617"),
        SNT_NOT_MINE); /* garbage that does not authenticate */
    CHECK_EQ_INT(snt_quic_sniff_initial(NULL, 0), SNT_NOT_MINE);
}

/* ---- CRYPTO assembly and frames ------------------------------------------- */

static void add(struct snt_quic_crypto *c, uint64_t off, size_t len, uint8_t fill)
{
    uint8_t data[64];
    memset(data, fill, sizeof data);
    snt_quic_crypto_add(c, off, data, len);
}

static void test_assembly(void)
{
    struct snt_quic_crypto *c = fresh();
    add(c, 10, 10, 'b');
    add(c, 30, 10, 'd');
    CHECK(c->stream.contiguous == 0 && c->stream.n_ranges == 2);
    add(c, 20, 10, 'c'); /* fills the gap between the two */
    CHECK(c->stream.n_ranges == 1 && c->stream.have_lo[0] == 10 && c->stream.have_hi[0] == 40);
    add(c, 0, 10, 'a');
    CHECK(c->stream.contiguous == 40 && c->stream.n_ranges == 0);
    add(c, 0, 4, 'x'); /* duplicate: the first copy stays */
    add(c, 35, 15, 'e');
    CHECK(c->stream.contiguous == 50 && c->stream.buf[0] == 'a' && c->stream.buf[39] == 'd' &&
          c->stream.buf[40] == 'e');
    CHECK(c->stream.cap <= 4096); /* a short stream takes little memory */
    for (unsigned i = 0; i <= SNT_QUIC_MAX_RANGES; i++)
        add(c, 100 + 10 * i, 1, 'g');
    CHECK(c->stream.n_ranges == SNT_QUIC_MAX_RANGES && c->stream.dropped);
    add(c, 50, 50, 'f'); /* reaches the first held range and takes it in */
    CHECK(c->stream.contiguous == 101 && c->stream.n_ranges == SNT_QUIC_MAX_RANGES - 1);
    release(c);
    c = fresh();
    add(c, SNT_QUIC_MAX_CRYPTO, 4, 'z');
    CHECK(c->stream.dropped && c->stream.n_ranges == 0);
    c->stream.dropped = false;
    add(c, SNT_QUIC_MAX_CRYPTO - 2, 10, 'z');
    CHECK(c->stream.dropped && c->stream.n_ranges == 1 &&
          c->stream.have_hi[0] == SNT_QUIC_MAX_CRYPTO && c->stream.cap <= SNT_QUIC_MAX_CRYPTO);
    release(c);
}

static enum snt_result hello_of(const char *hex, size_t *len)
{
    size_t n;
    uint8_t *p = snt_test_hex(hex, &n);
    struct snt_quic_crypto *c = fresh();
    const uint8_t *body;
    snt_quic_crypto_add(c, 0, p, n);
    enum snt_result r = snt_quic_client_hello(c, &body, len);
    release(c);
    free(p);
    return r;
}

static void test_client_hello_framing(void)
{
    size_t len = 0;
    CHECK_EQ_INT(hello_of("", &len), SNT_NEED_MORE);
    CHECK_EQ_INT(hello_of("01 00", &len), SNT_NEED_MORE);
    CHECK_EQ_INT(hello_of("02 000002 aabb", &len), SNT_MALFORMED);
    CHECK_EQ_INT(hello_of("01 ffffff", &len), SNT_MALFORMED);
    CHECK_EQ_INT(hello_of("01 000002 aa", &len), SNT_NEED_MORE);
    CHECK_EQ_INT(hello_of("01 000002 aabb", &len), SNT_OK);
    CHECK_EQ_INT(len, 2);
}

static enum snt_result frames(enum snt_quic_frames format, const char *hex, size_t *contiguous)
{
    size_t n;
    uint8_t *p = snt_test_hex(hex, &n);
    struct snt_quic_crypto *c = fresh();
    uint8_t *copy = snt_test_exact_copy(p, n);
    enum snt_result r = snt_quic_parse_frames(&c->stream, format, copy, n, NULL);
    *contiguous = c->stream.contiguous;
    free(copy);
    release(c);
    free(p);
    return r;
}

static void test_frames(void)
{
    size_t got = 0;
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF,
                        "03 05 00 02 01 0000 0000 010203 06 00 05 01000001aa 00 00", &got),
                 SNT_OK);
    CHECK_EQ_INT(got, 5);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "1c 00 06 03 616263 1d 00 00 01 06 00 02 0100", &got),
                 SNT_OK);
    CHECK_EQ_INT(got, 2);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "08 00 02 0100 06 00 02 0100", &got),
                 SNT_OK); /* STREAM stops it */
    CHECK_EQ_INT(got, 0);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "06 4001 02 0100 06 00 01 01", &got),
                 SNT_OK); /* out of order */
    CHECK_EQ_INT(got, 3);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "02 05", &got), SNT_MALFORMED);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "02 05 00 bfffffffffffffff 00", &got),
                 SNT_MALFORMED); /* huge count */
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "06 00 05 0100", &got), SNT_MALFORMED);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "06 ffffffffffffffff 01 aa", &got),
                 SNT_MALFORMED); /* past 2^62 */
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "1c 00 00 05 61", &got), SNT_MALFORMED);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "40", &got), SNT_MALFORMED);
    /* Runs of PADDING (passed eight bytes at a time) of every length around
     * a word, between and after frames: what follows each is still read. */
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF,
                        "00000000000000000000000000 01 000000000000000000 06 00 02 0100 000000"
                        "06 02 03 000000 0000000000000000",
                        &got),
                 SNT_OK);
    CHECK_EQ_INT(got, 5);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "0000000000000000 06 00 01 01 00000000000000", &got),
                 SNT_OK);
    CHECK_EQ_INT(got, 1);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "000000000000000000 40", &got), SNT_MALFORMED);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_IETF, "0000000000000000 0000000000000000", &got), SNT_OK);
    CHECK_EQ_INT(got, 0);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_GQUIC, "07 08 00 02 0100 00 08 02 02 0101", &got), SNT_OK);
    CHECK_EQ_INT(got, 2); /* PADDING runs to the end */
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_GQUIC, "40 08 00 02 0100", &got), SNT_OK);
    CHECK_EQ_INT(got, 0);
    CHECK_EQ_INT(frames(SNT_QUIC_FRAMES_GQUIC, "08 00 05 01", &got), SNT_MALFORMED);
}

/* ---- the other RFC vectors: server keys, server Initials, short headers ---- */

static void check_server_keys(uint32_t version, const char *key, const char *iv, const char *hp)
{
    size_t n;
    uint8_t *dcid = snt_test_hex(rfc_dcid, &n);
    struct snt_traffic_keys k;
    CHECK(snt_quic_initial_keys(snt_quic_version_lookup(version), dcid, n, true, &k));
    CHECK(k.aead == SNT_AEAD_AES_128_GCM && k.tag_len == 16);
    CHECK(snt_test_hex_eq(k.key, k.key_len, key));
    CHECK(snt_test_hex_eq(k.iv, k.iv_len, iv));
    CHECK(snt_test_hex_eq(k.hp, k.hp_len, hp));
    free(dcid);
}

static void check_mask(uint32_t version, bool server, const char *sample_hex, const char *want)
{
    size_t n, sn;
    uint8_t *dcid = snt_test_hex(rfc_dcid, &n), *sample = snt_test_hex(sample_hex, &sn), mask[5];
    struct snt_traffic_keys k;
    CHECK(snt_quic_initial_keys(snt_quic_version_lookup(version), dcid, n, server, &k));
    CHECK(sn == 16 && snt_quic_hp_mask(&k, sample, mask) && snt_test_hex_eq(mask, 5, want));
    free(dcid);
    free(sample);
}

static void test_server_keys_and_masks(void)
{
    /* RFC 9001 A.1 and RFC 9369 A.1, the server's side */
    check_server_keys(SNT_QUIC_VERSION_1, "cf3a5331653c364c88f0f379b6067e37",
                      "0ac1493ca1905853b0bba03e", "c206b8d9b9f0f37644430b490eeaa314");
    check_server_keys(SNT_QUIC_VERSION_2, "82db637861d55e1d011f19ea71d5d2a7",
                      "dd13c276499c0249d3310652", "edf6d05c83121201b436e16877593c3a");
    /* The samples and masks of A.2 and A.3 in both RFCs */
    check_mask(SNT_QUIC_VERSION_1, false, "d1b1c98dd7689fb8ec11d242b123dc9b", "437b9aec36");
    check_mask(SNT_QUIC_VERSION_1, true, "2cd0991cd25b0aac406a5816b6394100", "2ec0d8356a");
    check_mask(SNT_QUIC_VERSION_2, false, "ffe67b6abcdb4298b485dd04de806071", "94a0c95e80");
    check_mask(SNT_QUIC_VERSION_2, true, "6f05d8a4398c47089698baeea26b91eb", "4dd92e91ea");
}

/* RFC 9001 A.3 / RFC 9369 A.3: the server's Initial opens with the server's
 * keys to an ACK and a CRYPTO frame holding the ServerHello. */
static void check_server_initial(const char *hex, uint32_t version)
{
    size_t n, dn, pn_len;
    uint8_t *pkt = snt_test_hex(hex, &n), *dcid = snt_test_hex(rfc_dcid, &dn), plain[256];
    uint8_t *want = snt_test_hex(rfc_server_initial_payload, &pn_len), type = 0;
    struct snt_reader r = snt_reader_make(pkt, n);
    struct snt_quic_packet p;
    struct snt_traffic_keys k;
    struct snt_quic_stream s;
    struct snt_span body;
    size_t len = 0;
    uint64_t pn = 0;
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_OK);
    CHECK(p.type == SNT_QUIC_INITIAL && p.version == version && p.dcid.len == 0);
    CHECK(snt_test_hex_eq(p.scid.p, p.scid.len, "f067a5502a4262b5"));
    CHECK(p.pn_offset == 18 && p.bytes.len == n && snt_reader_left(&r) == 0);
    CHECK(snt_quic_initial_keys(p.v, dcid, dn, true, &k));
    CHECK_EQ_INT(snt_quic_unprotect(&k, pkt, n, p.pn_offset, -1, plain, sizeof plain, &len, &pn),
                 SNT_OK);
    CHECK(pn == 1 && len == pn_len && memcmp(plain, want, len) == 0);
    snt_quic_stream_init(&s, SNT_QUIC_MAX_HS_CRYPTO);
    CHECK_EQ_INT(snt_quic_parse_frames(&s, SNT_QUIC_FRAMES_IETF, plain, len, NULL), SNT_OK);
    CHECK_EQ_INT(snt_quic_stream_next_message(&s, &type, &body), SNT_OK);
    CHECK(type == 2 && body.len == 0x56); /* ServerHello */
    CHECK_EQ_INT(snt_quic_stream_next_message(&s, &type, &body), SNT_NEED_MORE);
    snt_quic_stream_free(&s);
    /* The client's keys do not open it. */
    CHECK(snt_quic_initial_keys(p.v, dcid, dn, false, &k));
    CHECK_EQ_INT(snt_quic_unprotect(&k, pkt, n, p.pn_offset, -1, plain, sizeof plain, &len, &pn),
                 SNT_NOT_MINE);
    free(pkt);
    free(dcid);
    free(want);
}

/* RFC 9001 A.5 / RFC 9369 A.5: ChaCha20-Poly1305 keys from an application
 * secret, ChaCha20 header protection, a short header with a 3-byte packet
 * number that only decodes right next to the largest one seen. */
static void check_chacha(bool v2, const char *packet_hex, const char *key, const char *iv,
                         const char *hp)
{
    size_t sn, n;
    uint8_t *secret = snt_test_hex(rfc_chacha_secret, &sn), *pkt = snt_test_hex(packet_hex, &n);
    uint8_t plain[64];
    struct snt_traffic_keys k;
    struct snt_reader r = snt_reader_make(pkt, n);
    struct snt_quic_packet p;
    size_t len = 0;
    uint64_t pn = 0;
    CHECK(snt_quic_packet_keys(0x1303, v2, secret, sn, &k));
    CHECK(k.aead == SNT_AEAD_CHACHA20_POLY1305 && k.key_len == 32 && k.hp_len == 32);
    CHECK(snt_test_hex_eq(k.key, k.key_len, key) && snt_test_hex_eq(k.iv, k.iv_len, iv));
    CHECK(snt_test_hex_eq(k.hp, k.hp_len, hp));
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_OK);
    CHECK(p.type == SNT_QUIC_SHORT && p.pn_offset == 1 && p.bytes.len == 21 && !p.v);
    CHECK_EQ_INT(snt_quic_unprotect(&k, pkt, n, 1, 654360563, plain, sizeof plain, &len, &pn),
                 SNT_OK);
    CHECK(pn == 654360564 && len == 1 && plain[0] == 0x01); /* PING */
    CHECK_EQ_INT(snt_quic_unprotect(&k, pkt, n, 1, -1, plain, sizeof plain, &len, &pn),
                 SNT_NOT_MINE); /* packet number 49140: another nonce */
    int bad = 0;
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = snt_test_exact_copy(pkt, cut);
        bad += snt_quic_unprotect(&k, copy, cut, 1, 654360563, plain, sizeof plain, &len, &pn) ==
               SNT_OK;
        free(copy);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(!snt_quic_packet_keys(0x1305, v2, secret, sn, &k)); /* CCM_8: not for QUIC */
    free(secret);
    free(pkt);
}

static void test_more_rfc_vectors(void)
{
    check_server_initial(rfc9001_server_initial, SNT_QUIC_VERSION_1);
    check_server_initial(rfc9369_server_initial, SNT_QUIC_VERSION_2);
    check_chacha(false, rfc9001_chacha_packet,
                 "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8",
                 "e0459b3474bdd0e44a41c144",
                 "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
    check_chacha(true, rfc9369_chacha_packet,
                 "3bfcddd72bcf02541d7fa0dd1f5f9eeea817e09a6963a0e6c7df0f9a1bab90f2",
                 "a6b5bc6ab7dafce30ffff5dd",
                 "d659760d2ba434a226fd37b35c69e2da8211d10c4f12538787d65645d5d1b8e2");
}

int main(void)
{
    test_versions();
    test_keys();
    test_rfc_vectors();
    test_server_initial();
    test_prefixes();
    test_split_out_of_order();
    test_coalesced();
    test_retry_new_dcid();
    test_all_versions();
    test_bad_headers();
    test_assembly();
    test_client_hello_framing();
    test_frames();
    test_server_keys_and_masks();
    test_more_rfc_vectors();
    return snt_test_finish("quic");
}
