/* Fuzz target for TLS: record framing and handshake extraction (RFC 5246
 * section 6.2, RFC 8446 section 5), the ClientHello / ServerHello / SSLv2
 * hello parsers (RFC 8446 section 4.1, RFC 5246 appendix E.2) and the JA3 /
 * JA4 fingerprints.  The input is one direction of a connection.
 *
 * Besides "no crash", it checks that feeding the stream in pieces yields
 * exactly what feeding it at once does.  Every buffer handed to the code
 * under test is an exact-size heap copy, so AddressSanitizer sees any read
 * past its end.
 */
#include "snitrace/tls.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a direction yielded, reduced to a count and an FNV-1a hash. */
struct seen {
    uint64_t hash;
    size_t n;
};

static void mix(struct seen *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s->hash = (s->hash ^ p[i]) * 0x100000001b3ull;
}

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    return c;
}

static void use_client_hello(const struct snt_tls_client_hello *ch)
{
    char ja3[SNT_JA3_MAX], md5[33], ja4[40];
    if (snt_ja3(ch, ja3, sizeof ja3, md5) && strlen(md5) != 32)
        abort();
    snt_ja4(ch, 't', ja4);
    if (strlen(ja4) != 36)
        abort();
    for (size_t i = 0; i < ch->n_ciphers; i++)
        (void)snt_tls_cipher_name(ch->ciphers[i]);
}

/* The partial parser agrees with the strict one on every hello the strict
 * one takes, and what it keeps of a broken one is usable. */
static void parse_client_hello(const uint8_t *p, size_t n)
{
    struct snt_tls_client_hello strict, partial;
    bool strict_ok = snt_tls_parse_client_hello(p, n, &strict) == SNT_OK;
    bool partial_ok = snt_tls_parse_client_hello_partial(p, n, &partial) == SNT_OK;
    if (strict_ok && (!partial_ok || partial.malformed || partial.n_exts != strict.n_exts ||
                      partial.has_sni != strict.has_sni || partial.sni.len != strict.sni.len))
        abort();
    if (!strict_ok && partial_ok && !partial.malformed)
        abort();
    if (partial_ok && partial.has_sni &&
        (partial.sni.p < p || partial.sni.len > n ||
         (size_t)(partial.sni.p - p) > n - partial.sni.len))
        abort();
    if (partial_ok)
        use_client_hello(&partial);
}

static void parse_body(uint8_t type, const uint8_t *p, size_t n)
{
    struct snt_tls_server_hello sh;
    if (type == SNT_TLS_HS_CLIENT_HELLO)
        parse_client_hello(p, n);
    if (type == SNT_TLS_HS_SERVER_HELLO && snt_tls_parse_server_hello(p, n, &sh) == SNT_OK) {
        (void)snt_tls_version_name(snt_tls_server_hello_version(&sh));
        (void)snt_tls_cipher_name(sh.cipher);
        if (sh.has_alpn && sh.alpn.len == 0)
            abort();
    }
}

static void drain(struct snt_tls_dir *d, struct seen *s)
{
    uint8_t type;
    struct snt_span body;
    while (snt_tls_next_message(d, &type, &body) == SNT_OK) {
        uint8_t *exact = copy_of(body.p, body.len);
        s->n++;
        mix(s, &type, 1);
        mix(s, exact, body.len);
        parse_body(type, exact, body.len);
        free(exact);
    }
}

/* Feed data[0, cut) for each cut in turn, taking messages in between. */
static void feed_cuts(struct snt_tls_dir *d, const uint8_t *data, const size_t *cuts, size_t n_cuts,
                      struct seen *s)
{
    for (size_t i = 0; i < n_cuts; i++) {
        uint8_t *prefix = copy_of(data, cuts[i]);
        enum snt_result rc = snt_tls_dir_feed(d, prefix, cuts[i]);
        if (rc == SNT_OK && d->consumed > cuts[i])
            abort();
        drain(d, s);
        free(prefix);
    }
}

/* A small handshake buffer: feed stops early while complete messages wait,
 * and must go on once they are taken. */
static void run_small_buffer(const uint8_t *data, size_t size)
{
    struct snt_tls_dir d;
    struct seen s = {0, 0};
    snt_tls_dir_init(&d, 1 + (size_t)data[0] * 8);
    for (int round = 0; round < 256; round++) {
        size_t before = d.consumed;
        enum snt_result rc = snt_tls_dir_feed(&d, data, size);
        drain(&d, &s);
        if (rc != SNT_OK || d.consumed == size || d.consumed == before)
            break;
    }
    if (d.hs_cap > d.hs_max)
        abort();
    snt_tls_dir_free(&d);
}

static void run_directly(const uint8_t *data, size_t size)
{
    struct snt_tls_client_hello ch;
    (void)snt_tls_sniff(data, size);
    parse_body(SNT_TLS_HS_CLIENT_HELLO, data, size);
    parse_body(SNT_TLS_HS_SERVER_HELLO, data, size);
    if (snt_tls_parse_sslv2_client_hello(data, size, &ch) == SNT_OK)
        use_client_hello(&ch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_tls_dir once, pieces;
    struct seen a = {0, 0}, b = {0, 0};
    struct snt_tls_client_hello ch;
    size_t all[1] = {size};
    size_t cuts[] = {1, 5, size / 3, size / 2, (2 * size) / 3, size - 1, size};

    run_directly(data, size);
    if (size == 0)
        return 0;
    snt_tls_dir_init(&once, 0);
    snt_tls_dir_init(&pieces, 0);
    feed_cuts(&once, data, all, 1, &a);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        if (cuts[i] > size || (i > 0 && cuts[i] < cuts[i - 1]))
            cuts[i] = i > 0 ? cuts[i - 1] : 0;
    feed_cuts(&pieces, data, cuts, sizeof cuts / sizeof cuts[0], &b);
    if (once.sslv2 && snt_tls_parse_sslv2_client_hello(data, size, &ch) == SNT_OK)
        use_client_hello(&ch);
    /* Below the buffer limit, how the bytes arrive must not matter. */
    if (size < SNT_MAX_HANDSHAKE_MSG / 2) {
        if (once.failed != pieces.failed)
            abort();
        if (!once.failed && (once.consumed != pieces.consumed || a.n != b.n || a.hash != b.hash ||
                             once.n_alerts != pieces.n_alerts || once.saw_ccs != pieces.saw_ccs))
            abort();
    }
    snt_tls_dir_free(&once);
    snt_tls_dir_free(&pieces);
    run_small_buffer(data, size);
    return 0;
}
