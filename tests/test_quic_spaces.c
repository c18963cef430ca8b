/* Tests for QUIC beyond the client's Initial: walking the packets of a
 * datagram (every packet type, v2's type bits, coalesced packets), packets
 * of the Handshake and 1-RTT spaces under each QUIC suite (sealed by an
 * independent implementation: tests/tls_suite_vectors.h), the frames of
 * those spaces with CONNECTION_CLOSE and HANDSHAKE_DONE, and CRYPTO streams
 * on the heap up to a chosen limit.
 */
#include "snitrace/quic.h"

#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tls_suite_vectors.h"

#define TLS_HS_CERTIFICATE  11
#define ALERT_BAD_CERT      42
#define FT_CRYPTO           0x06
#define RFC9001_RETRY       "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba"
#define RFC9369_RETRY       "cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6"
#define SHORT_PAYLOAD_BYTES 24

/* ---- helpers ------------------------------------------------------------ */

/* Keys from the fixed secret the vectors were sealed with: 0x40, 0x41, ... */
static struct snt_traffic_keys fixed_keys(uint16_t suite, bool v2)
{
    struct snt_traffic_keys k;
    uint8_t secret[SNT_HASH_MAX];
    size_t hash_len = snt_test_fixed_secret(suite, secret);
    memset(&k, 0, sizeof k);
    CHECK(snt_quic_packet_keys(suite, v2, secret, hash_len, &k));
    return k;
}

/* The one packet of a datagram, opened: its payload into plain. */
static enum snt_result open_only(const struct snt_traffic_keys *k, const uint8_t *d, size_t n,
                                 struct snt_quic_packet *p, uint8_t *plain, size_t cap, size_t *len,
                                 uint64_t *pn)
{
    struct snt_reader r = snt_reader_make(d, n);
    enum snt_result res = snt_quic_next_packet(&r, 0, p);
    if (res != SNT_OK)
        return res;
    return snt_quic_unprotect(k, p->bytes.p, p->bytes.len, p->pn_offset, -1, plain, cap, len, pn);
}

/* No prefix of a datagram opens, and none reads past its end. */
static void check_prefixes(const struct snt_traffic_keys *k, const uint8_t *d, size_t n)
{
    struct snt_quic_packet p;
    uint8_t plain[256];
    size_t len;
    uint64_t pn;
    int opened = 0;
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = snt_test_exact_copy(d, cut);
        opened += open_only(k, copy, cut, &p, plain, sizeof plain, &len, &pn) == SNT_OK;
        free(copy);
    }
    CHECK_EQ_INT(opened, 0);
}

static enum snt_result walk_hex(const char *hex, size_t dcid_len, struct snt_quic_packet *p,
                                size_t *left)
{
    size_t n;
    uint8_t *d = snt_test_hex(hex, &n), *copy = snt_test_exact_copy(d, n);
    struct snt_reader r = snt_reader_make(copy, n);
    enum snt_result res = snt_quic_next_packet(&r, dcid_len, p);
    *left = snt_reader_left(&r);
    free(copy);
    free(d);
    return res;
}

/* ---- the packet walk ------------------------------------------------------ */

static void test_packet_types(void)
{
    struct snt_quic_packet p;
    size_t left = 0;
    /* RFC 9001 A.4 and RFC 9369 A.4: Retry, no Length, runs to the end. */
    CHECK_EQ_INT(walk_hex(RFC9001_RETRY, 0, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_RETRY && p.version == SNT_QUIC_VERSION_1 && left == 0);
    CHECK(p.bytes.len == 36 && p.scid.len == 8 && p.pn_offset == 0);
    CHECK_EQ_INT(walk_hex(RFC9369_RETRY, 0, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_RETRY && p.version == SNT_QUIC_VERSION_2 && left == 0);
    /* 0-RTT: wire type 0b01 in v1, 0b10 in v2 (RFC 9369 section 3.2). */
    CHECK_EQ_INT(walk_hex("d0 00000001 00 00 02 aabb cc", 0, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_ZERO_RTT && p.pn_offset == 8 && p.bytes.len == 10 && left == 1);
    CHECK_EQ_INT(walk_hex("e0 6b3343cf 00 00 01 aa", 0, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_ZERO_RTT && p.v && p.v->v2_labels);
    CHECK_EQ_INT(walk_hex("d0 6b3343cf 00 00 00 01 aa", 0, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_INITIAL); /* v2's Initial is 0b01 */
    /* Version Negotiation: any first byte, CIDs up to 255 bytes, versions. */
    CHECK_EQ_INT(walk_hex("80 00000000 01 aa 02 bbcc 00000001 6b3343cf", 0, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_VERSION_NEGOTIATION && !p.v && p.dcid.len == 1 && p.scid.len == 2);
    CHECK_EQ_INT(walk_hex("80 00000000 05 aa", 0, &p, &left), SNT_MALFORMED);
    /* Short headers: the caller says how long the DCID is. */
    CHECK_EQ_INT(walk_hex("41 a1a2a3a4 0001 ffffffff", 4, &p, &left), SNT_OK);
    CHECK(p.type == SNT_QUIC_SHORT && p.dcid.len == 4 && p.pn_offset == 5 && p.version == 0);
    CHECK_EQ_INT(walk_hex("41 a1a2", 4, &p, &left), SNT_MALFORMED);
    CHECK_EQ_INT(walk_hex("41 a1a2", 21, &p, &left), SNT_MALFORMED);
    CHECK_EQ_INT(walk_hex("00 000000", 0, &p, &left), SNT_NOT_MINE); /* padding */
    CHECK_EQ_INT(walk_hex("", 0, &p, &left), SNT_NOT_MINE);
    CHECK_EQ_INT(walk_hex("c0 0a1a2a3a 00 00", 0, &p, &left), SNT_NOT_MINE); /* unknown version */
    CHECK_EQ_INT(walk_hex("e0 00000001 00 00 05 aa", 0, &p, &left), SNT_MALFORMED); /* Length */
    CHECK_EQ_INT(walk_hex("c0 000000", 0, &p, &left), SNT_MALFORMED);
}

/* A Handshake packet, then a short-header one, or padding. */
static void test_coalesced_spaces(void)
{
    size_t n1, n2;
    uint8_t *hs = snt_test_hex(quic_handshake_1302, &n1), *one = snt_test_hex(quic_short_1301, &n2);
    uint8_t *d = calloc(1, n1 + n2);
    struct snt_quic_packet p;
    memcpy(d, hs, n1);
    memcpy(d + n1, one, n2);
    struct snt_reader r = snt_reader_make(d, n1 + n2);
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_OK);
    CHECK(p.type == SNT_QUIC_HANDSHAKE && p.bytes.p == d && p.bytes.len == n1);
    CHECK(snt_test_span_eq(p.dcid.p, p.dcid.len, "dcid"));
    CHECK(snt_test_span_eq(p.scid.p, p.scid.len, "scid"));
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_OK);
    CHECK(p.type == SNT_QUIC_SHORT && p.bytes.p == d + n1 && p.bytes.len == n2);
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_NOT_MINE);
    memset(d + n1, 0, n2);
    r = snt_reader_make(d, n1 + n2);
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_OK);
    CHECK_EQ_INT(snt_quic_next_packet(&r, 0, &p), SNT_NOT_MINE);
    CHECK_EQ_INT(snt_reader_left(&r), n2); /* the padding, left alone */
    free(hs);
    free(one);
    free(d);
}

/* ---- Handshake and 1-RTT packets under each suite ---------------------------- */

static void check_handshake(const char *hex, uint16_t suite, bool v2)
{
    struct snt_traffic_keys k = fixed_keys(suite, v2);
    struct snt_quic_packet p;
    struct snt_quic_stream s;
    struct snt_quic_frames_seen seen;
    struct snt_span body;
    size_t n, len = 0;
    uint8_t *d = snt_test_hex(hex, &n), plain[256], type = 0;
    uint64_t pn = 0;
    CHECK_EQ_INT(open_only(&k, d, n, &p, plain, sizeof plain, &len, &pn), SNT_OK);
    CHECK(p.type == SNT_QUIC_HANDSHAKE && pn == SUITE_HANDSHAKE_PN);
    CHECK(p.v && p.v->v2_labels == v2);
    snt_quic_stream_init(&s, SNT_QUIC_MAX_HS_CRYPTO);
    CHECK_EQ_INT(snt_quic_parse_frames(&s, SNT_QUIC_FRAMES_IETF, plain, len, &seen), SNT_OK);
    CHECK_EQ_INT(snt_quic_stream_next_message(&s, &type, &body), SNT_OK);
    CHECK(type == TLS_HS_CERTIFICATE && snt_test_span_eq(body.p, body.len, "certs"));
    CHECK(seen.crypto_frames == 1 && seen.closed && !seen.close.application);
    CHECK(seen.close.tls_alert && seen.close.alert == ALERT_BAD_CERT);
    CHECK(seen.close.error_code == 0x12a && seen.close.frame_type == FT_CRYPTO);
    CHECK(snt_test_span_eq(seen.close.reason.p, seen.close.reason.len, "bad"));
    snt_quic_stream_free(&s);
    /* The other version's labels give other keys. */
    struct snt_traffic_keys other = fixed_keys(suite, !v2);
    CHECK_EQ_INT(open_only(&other, d, n, &p, plain, sizeof plain, &len, &pn), SNT_NOT_MINE);
    check_prefixes(&k, d, n);
    free(d);
}

static void check_short(const char *hex, uint16_t suite)
{
    struct snt_traffic_keys k = fixed_keys(suite, false);
    struct snt_quic_packet p;
    struct snt_quic_frames_seen seen;
    size_t n, len = 0;
    uint8_t *d = snt_test_hex(hex, &n), plain[256];
    uint64_t pn = 0;
    CHECK_EQ_INT(open_only(&k, d, n, &p, plain, sizeof plain, &len, &pn), SNT_OK);
    CHECK(p.type == SNT_QUIC_SHORT && pn == SUITE_SHORT_PN && len == SHORT_PAYLOAD_BYTES);
    /* STREAM, HANDSHAKE_DONE, PING: the 1-RTT parser sees them all... */
    CHECK_EQ_INT(snt_quic_parse_frames(NULL, SNT_QUIC_FRAMES_IETF_1RTT, plain, len, &seen), SNT_OK);
    CHECK(seen.handshake_done && !seen.closed);
    /* ...the Handshake-space one stops at STREAM. */
    CHECK_EQ_INT(snt_quic_parse_frames(NULL, SNT_QUIC_FRAMES_IETF, plain, len, &seen), SNT_OK);
    CHECK(!seen.handshake_done);
    CHECK_EQ_INT(open_only(&k, d, n - 1, &p, plain, 4, &len, &pn), SNT_MALFORMED); /* cap */
    d[n - 1] ^= 1;
    CHECK_EQ_INT(open_only(&k, d, n, &p, plain, sizeof plain, &len, &pn), SNT_NOT_MINE);
    d[n - 1] ^= 1;
    check_prefixes(&k, d, n);
    free(d);
}

static void test_suite_packets(void)
{
    check_handshake(quic_handshake_1302, 0x1302, false);
    check_handshake(quic_v2_handshake_1301, 0x1301, true);
    check_short(quic_short_1301, 0x1301);
    check_short(quic_short_1302, 0x1302);
    check_short(quic_short_1303, 0x1303);
    check_short(quic_short_1304, 0x1304);
    struct snt_traffic_keys k = fixed_keys(0x1302, false);
    CHECK(k.aead == SNT_AEAD_AES_256_GCM && k.key_len == 32 && k.hp_len == 32);
    k = fixed_keys(0x1304, false);
    CHECK(k.aead == SNT_AEAD_AES_128_CCM && k.tag_len == 16 && k.hp_len == 16);
}

/* ---- frames ------------------------------------------------------------------ */

static enum snt_result frames_hex(enum snt_quic_frames format, const char *hex,
                                  struct snt_quic_stream *s, struct snt_quic_frames_seen *seen)
{
    size_t n;
    uint8_t *p = snt_test_hex(hex, &n), *copy = snt_test_exact_copy(p, n);
    enum snt_result r = snt_quic_parse_frames(s, format, copy, n, seen);
    free(copy);
    free(p);
    return r;
}

/* Every RFC 9000 frame type once, then CRYPTO, then DATAGRAM to the end. */
static const char every_frame[] =
    "04 00 00 00  05 00 00  07 02 aabb  0f 04 05 01 aa  10 00  11 00 00"
    "12 00  13 00  14 00  15 00 00  16 00  17 00  19 00"
    "18 01 00 04 01020304 00112233445566778899aabbccddeeff"
    "1a 0001020304050607  1b 0001020304050607  31 01 aa  1e"
    "1d 05 00  1c 4128 00 00  06 00 02 0100  30 ffff";

static void test_app_frames(void)
{
    struct snt_quic_stream s;
    struct snt_quic_frames_seen seen;
    snt_quic_stream_init(&s, 1024);
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF_1RTT, every_frame, &s, &seen), SNT_OK);
    CHECK(seen.handshake_done && seen.crypto_frames == 1 && s.contiguous == 2);
    CHECK(seen.closed && seen.close.application && seen.close.error_code == 5);
    CHECK(!seen.close.tls_alert); /* the first close was the application's */
    snt_quic_stream_free(&s);
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF, every_frame, NULL, &seen), SNT_OK);
    CHECK(!seen.handshake_done && !seen.closed && seen.crypto_frames == 0);
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF_1RTT, "18 01 00 00", NULL, &seen),
                 SNT_MALFORMED); /* a zero-length connection ID */
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF_1RTT, "0a 00 05 aabb", NULL, &seen),
                 SNT_MALFORMED);
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF_1RTT, "1a 0001", NULL, &seen), SNT_MALFORMED);
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF_1RTT, "1e 40ff 1e", NULL, &seen), SNT_OK);
    CHECK(seen.handshake_done); /* an unknown type after it ends the walk quietly */
}

static void check_close(const char *hex, bool tls_alert, uint8_t alert)
{
    struct snt_quic_frames_seen seen;
    CHECK_EQ_INT(frames_hex(SNT_QUIC_FRAMES_IETF, hex, NULL, &seen), SNT_OK);
    CHECK(seen.closed && seen.close.tls_alert == tls_alert && seen.close.alert == alert);
}

static void test_close(void)
{
    check_close("1c 4100 00 00", true, 0);
    check_close("1c 41ff 00 00", true, 255);
    check_close("1c 4200 00 00", false, 0);
    check_close("1c 40ff 00 00", false, 0);
    check_close("1d 4128 00", false, 0); /* an application's code, whatever its value */
    check_close("1c 0a 1c 00  1c 4128 00 00", false, 0); /* the first one is reported */
}

/* ---- CRYPTO streams on the heap ---------------------------------------------- */

static void add_message(struct snt_quic_stream *s, uint64_t at, uint8_t type, size_t body_len)
{
    uint8_t *m = calloc(1, 4 + body_len);
    m[0] = type, m[1] = (uint8_t)(body_len >> 16), m[2] = (uint8_t)(body_len >> 8);
    m[3] = (uint8_t)body_len;
    /* in 1000-byte pieces, last first */
    size_t n = 4 + body_len;
    for (size_t off = (n - 1) / 1000 * 1000;; off -= 1000) {
        snt_quic_stream_add(s, at + off, m + off, n - off < 1000 ? n - off : 1000);
        if (off == 0)
            break;
    }
    free(m);
}

static void test_heap_stream(void)
{
    struct snt_quic_stream s;
    struct snt_span body;
    uint8_t type = 0;
    snt_quic_stream_init(&s, SNT_QUIC_MAX_HS_CRYPTO);
    CHECK(s.buf == NULL && s.cap == 0); /* nothing allocated before data */
    CHECK_EQ_INT(snt_quic_stream_next_message(&s, &type, &body), SNT_NEED_MORE);
    add_message(&s, 0, 8, 30);      /* EncryptedExtensions */
    add_message(&s, 34, 11, 40000); /* a long certificate chain */
    add_message(&s, 40038, 15, 70); /* CertificateVerify */
    CHECK(!s.dropped && s.contiguous == 40112 && s.cap >= s.contiguous && s.cap <= s.max);
    CHECK(snt_quic_stream_next_message(&s, &type, &body) == SNT_OK && type == 8);
    CHECK(snt_quic_stream_next_message(&s, &type, &body) == SNT_OK && type == 11);
    CHECK(body.len == 40000);
    CHECK(snt_quic_stream_next_message(&s, &type, &body) == SNT_OK && type == 15);
    CHECK_EQ_INT(snt_quic_stream_next_message(&s, &type, &body), SNT_NEED_MORE);
    /* A message that could never fit under the limit. */
    static const uint8_t huge[] = {20, 0x01, 0x00, 0x00};
    snt_quic_stream_add(&s, s.contiguous, huge, sizeof huge);
    CHECK_EQ_INT(snt_quic_stream_next_message(&s, &type, &body), SNT_MALFORMED);
    /* Past the limit nothing is kept. */
    snt_quic_stream_add(&s, SNT_QUIC_MAX_HS_CRYPTO - 2, huge, sizeof huge);
    CHECK(s.dropped && s.n_ranges == 1 && s.have_hi[0] == SNT_QUIC_MAX_HS_CRYPTO);
    snt_quic_stream_free(&s);
    CHECK(s.buf == NULL && s.contiguous == 0 && s.max == SNT_QUIC_MAX_HS_CRYPTO);
    snt_quic_stream_free(NULL);
}

int main(void)
{
    test_packet_types();
    test_coalesced_spaces();
    test_suite_packets();
    test_app_frames();
    test_close();
    test_heap_stream();
    return snt_test_finish("quic_spaces");
}
