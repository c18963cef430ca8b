/* Fuzz target for record and packet protection (src/tls_crypto.c,
 * src/tls12_crypto.c, src/quic_crypto.c) and what reads the plaintext:
 * the input is opened as a TLS 1.3 record, as a TLS 1.2 record and as a
 * QUIC datagram (long and short headers) under fixed keys, and whatever
 * opens goes on to the padding strip, the frame parsers and CRYPTO
 * assembly.  The keys are those of the seeds (make_tls_crypto_corpus.py):
 * RFC 8448's, RFC 9001's and RFC 9369's, the TLS 1.2 handshakes of
 * tests/tls12_vectors.h and keys from the fixed secrets 0x40, 0x41, ...
 * Every buffer is an exact-size heap copy, so AddressSanitizer sees any
 * read past its end.
 */
#include "snitrace/quic.h"
#include "snitrace/tls_crypto.h"

#include <stdlib.h>
#include <string.h>

#include "../tls12_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KEYS     24
#define RECORD_OUT   ((1u << 14) + 2048)
#define A5_LARGEST   654360563 /* RFC 9001 A.5's packet number is 654360564 */
#define FIXED_SUITES 5

struct quic_keys {
    struct snt_traffic_keys k;
    int64_t largest_pn;
};

static struct snt_traffic_keys tls13[MAX_KEYS], tls12[MAX_KEYS];
static struct quic_keys quic[MAX_KEYS];
static size_t n_tls13, n_tls12, n_quic;
static uint8_t plain[SNT_QUIC_MAX_DATAGRAM];

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < cap; hex += 2)
        out[n++] = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
    return n;
}

static void add_tls13(uint16_t suite, const char *secret_hex)
{
    uint8_t secret[SNT_HASH_MAX];
    size_t n = unhex(secret_hex, secret, sizeof secret);
    if (!snt_tls13_traffic_keys(suite, secret, n, &tls13[n_tls13++]))
        abort();
}

static void add_quic(const struct snt_traffic_keys *k, int64_t largest_pn)
{
    quic[n_quic].k = *k;
    quic[n_quic++].largest_pn = largest_pn;
}

static void fixed_secret_keys(void)
{
    static const uint16_t suites[FIXED_SUITES] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
    uint8_t secret[SNT_HASH_MAX];
    struct snt_traffic_keys k;
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)(0x40 + i);
    for (size_t i = 0; i < FIXED_SUITES; i++) {
        size_t hash_len = 0;
        if (!snt_tls13_suite(suites[i], NULL, NULL, &hash_len) ||
            !snt_tls13_traffic_keys(suites[i], secret, hash_len, &tls13[n_tls13++]))
            abort();
        for (int v2 = 0; v2 <= 1; v2++)
            if (snt_quic_packet_keys(suites[i], v2, secret, hash_len, &k))
                add_quic(&k, -1);
    }
}

static void rfc_quic_keys(void)
{
    static const uint8_t dcid[] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    const uint32_t versions[] = {SNT_QUIC_VERSION_1, SNT_QUIC_VERSION_2};
    struct snt_traffic_keys k;
    uint8_t secret[32];
    unhex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", secret,
          sizeof secret);
    for (size_t i = 0; i < 2; i++) {
        for (int server = 0; server <= 1; server++)
            if (snt_quic_initial_keys(snt_quic_version_lookup(versions[i]), dcid, sizeof dcid,
                                      server, &k))
                add_quic(&k, -1);
        if (snt_quic_packet_keys(0x1303, i == 1, secret, sizeof secret, &k))
            add_quic(&k, A5_LARGEST);
    }
}

static void tls12_keys(void)
{
    for (size_t i = 0; i < sizeof tls12_vectors / sizeof tls12_vectors[0]; i++) {
        const struct tls12_vector *v = &tls12_vectors[i];
        uint8_t cr[32], sr[32], master[48];
        struct snt_traffic_keys server;
        unhex(v->client_random, cr, sizeof cr);
        unhex(v->server_random, sr, sizeof sr);
        unhex(v->master, master, sizeof master);
        if (!snt_tls12_keys(v->suite, master, cr, sr, &tls12[n_tls12++], &server))
            abort();
    }
}

static void setup(void)
{
    /* RFC 8448 section 3: both sides' handshake and application secrets */
    add_tls13(0x1301, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    add_tls13(0x1301, "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    add_tls13(0x1301, "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    add_tls13(0x1301, "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    fixed_secret_keys();
    rfc_quic_keys();
    tls12_keys();
}

static void records(const uint8_t *p, size_t n)
{
    static uint8_t out[RECORD_OUT];
    size_t len;
    uint8_t type;
    for (size_t i = 0; i < n_tls13; i++)
        for (uint64_t seq = 0; seq <= 1; seq++)
            if (snt_tls13_open_record(&tls13[i], seq, p, n, out, sizeof out, &len, &type) ==
                    SNT_OK &&
                (len >= n || type == 0))
                abort();
    for (size_t i = 0; i < n_tls12; i++)
        if (snt_tls12_open_record(&tls12[i], 0, p, n, out, sizeof out, &len) == SNT_OK && len >= n)
            abort();
}

/* What an opened payload holds, as its packet type allows. */
static void payload(const struct snt_quic_packet *pkt, size_t len)
{
    struct snt_quic_stream s;
    struct snt_quic_frames_seen seen;
    struct snt_span body;
    uint8_t type;
    enum snt_quic_frames format = pkt->type == SNT_QUIC_SHORT || pkt->type == SNT_QUIC_ZERO_RTT
                                      ? SNT_QUIC_FRAMES_IETF_1RTT
                                      : SNT_QUIC_FRAMES_IETF;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    if (len)
        memcpy(copy, plain, len);
    snt_quic_stream_init(&s, SNT_QUIC_MAX_HS_CRYPTO);
    (void)snt_quic_parse_frames(&s, format, copy, len, &seen);
    while (snt_quic_stream_next_message(&s, &type, &body) == SNT_OK)
        if (body.p < s.buf || (size_t)(body.p - s.buf) + body.len > s.contiguous)
            abort();
    if (s.contiguous > s.max || s.cap > s.max)
        abort();
    snt_quic_stream_free(&s);
    free(copy);
}

static void datagram(const uint8_t *p, size_t n)
{
    for (size_t dcid_len = 0; dcid_len <= 8; dcid_len += 8) {
        struct snt_reader r = snt_reader_make(p, n);
        struct snt_quic_packet pkt;
        while (snt_quic_next_packet(&r, dcid_len, &pkt) == SNT_OK) {
            if (pkt.pn_offset == 0)
                continue; /* Retry, Version Negotiation */
            for (size_t i = 0; i < n_quic; i++) {
                size_t len;
                uint64_t pn;
                if (snt_quic_unprotect(&quic[i].k, pkt.bytes.p, pkt.bytes.len, pkt.pn_offset,
                                       quic[i].largest_pn, plain, sizeof plain, &len,
                                       &pn) == SNT_OK)
                    payload(&pkt, len);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    uint8_t *c = malloc(size ? size : 1);
    if (!c)
        abort();
    if (size)
        memcpy(c, data, size);
    records(c, size);
    datagram(c, size);
    if (size >= 16 && n_quic > 0) {
        uint8_t mask[5];
        (void)snt_quic_hp_mask(&quic[0].k, c, mask);
    }
    free(c);
    return 0;
}
