/* What --probe may probe and how a probe is named: address networks
 * (--probe-only, RFC 4632 prefixes for IPv4, RFC 4291 for IPv6), the
 * (server, port, SNI) key that makes one probe per run, and the ALPN list
 * in its wire form (RFC 7301 section 3.1).  Pure functions, no sockets. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "siphash.h"
#include "snitrace/probe.h"

#define MAX_CIDR_TEXT 64

static bool parse_prefix(const char *s, unsigned max, uint8_t *out)
{
    unsigned v = 0;
    if (!*s || strlen(s) > 3)
        return false;
    for (const char *c = s; *c; c++) {
        if (!isdigit((unsigned char)*c))
            return false;
        v = v * 10 + (unsigned)(*c - '0');
    }
    if (v > max)
        return false;
    *out = (uint8_t)v;
    return true;
}

static void clear_host_bits(struct snt_addr *a, unsigned prefix)
{
    unsigned bytes = a->family == 6 ? 16 : 4;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned keep = prefix > i * 8 ? prefix - i * 8 : 0;
        if (keep < 8)
            a->b[i] &= (uint8_t)(0xff00u >> keep);
    }
}

bool snt_cidr_parse(const char *s, struct snt_cidr *out)
{
    char text[MAX_CIDR_TEXT];
    if (!s || strlen(s) >= sizeof text)
        return false;
    strcpy(text, s);
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    struct snt_cidr c;
    memset(&c, 0, sizeof c);
    if (inet_pton(AF_INET, text, c.net.b) == 1)
        c.net.family = 4;
    else if (inet_pton(AF_INET6, text, c.net.b) == 1)
        c.net.family = 6;
    else
        return false;
    unsigned max = c.net.family == 6 ? 128 : 32;
    c.prefix = (uint8_t)max;
    if (slash && !parse_prefix(slash + 1, max, &c.prefix))
        return false;
    clear_host_bits(&c.net, c.prefix);
    *out = c;
    return true;
}

bool snt_cidr_contains(const struct snt_cidr *c, const struct snt_addr *a)
{
    if (c->net.family != a->family)
        return false;
    struct snt_addr masked = *a;
    clear_host_bits(&masked, c->prefix);
    return memcmp(masked.b, c->net.b, a->family == 6 ? 16 : 4) == 0;
}

bool snt_probe_key_make(struct snt_probe_key *k, const struct snt_addr *server, uint16_t port,
                        const uint8_t *sni, size_t sni_len)
{
    if (sni_len > SNT_MAX_NAME_LEN || (sni_len && memchr(sni, '\0', sni_len)))
        return false;
    memset(k, 0, sizeof *k);
    k->server = *server;
    k->port = port;
    k->name_len = (uint16_t)sni_len;
    if (sni_len)
        memcpy(k->name, sni, sni_len);
    return true;
}

_Static_assert(SNT_PROBE_HASH_KEY_LEN == SNT_SIPHASH_KEY_LEN,
               "a probe table's secret is a SipHash key");

/* Names compare without case, as DNS names do (RFC 4343): the name is
 * hashed in lower case. */
uint32_t snt_probe_key_hash(const struct snt_probe_key *k,
                            const uint8_t secret[SNT_PROBE_HASH_KEY_LEN])
{
    char lower[sizeof k->name];
    size_t n = k->name_len < sizeof lower ? k->name_len : sizeof lower;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)k->name[i]);
    struct snt_siphash s;
    snt_siphash_init(&s, secret, SNT_SIPHASH_TABLE_C, SNT_SIPHASH_TABLE_D);
    snt_siphash_u64(&s, k->server.family);
    snt_siphash_update(&s, k->server.b, sizeof k->server.b);
    snt_siphash_u64(&s, k->port);
    snt_siphash_u64(&s, n);
    snt_siphash_update(&s, lower, n);
    uint64_t h = snt_siphash_final(&s);
    return (uint32_t)(h ^ (h >> 32));
}

bool snt_probe_key_equal(const struct snt_probe_key *a, const struct snt_probe_key *b)
{
    return a->port == b->port && a->server.family == b->server.family &&
           memcmp(a->server.b, b->server.b, sizeof a->server.b) == 0 &&
           a->name_len == b->name_len && strncasecmp(a->name, b->name, a->name_len) == 0;
}

static bool is_http3(const struct snt_bytes *v)
{
    return v->len >= 2 && v->p[0] == 'h' && v->p[1] == '3' && (v->len == 2 || v->p[2] == '-');
}

/* Append one protocol name unless it is there already or does not fit. */
static size_t append_alpn(uint8_t *out, size_t at, size_t max, const uint8_t *p, size_t len)
{
    if (len == 0 || len > 255 || at + 1 + len > max)
        return at;
    for (size_t i = 0; i < at; i += 1 + (size_t)out[i])
        if (out[i] == len && memcmp(out + i + 1, p, len) == 0)
            return at;
    out[at] = (uint8_t)len;
    memcpy(out + at + 1, p, len);
    return at + 1 + len;
}

size_t snt_probe_alpn_wire(const struct snt_bytes *alpn, unsigned n, bool for_quic, uint8_t *out,
                           size_t max)
{
    size_t at = 0;
    for (unsigned i = 0; i < n; i++) {
        if (for_quic && is_http3(&alpn[i])) {
            at = append_alpn(out, at, max, (const uint8_t *)"h2", 2);
            at = append_alpn(out, at, max, (const uint8_t *)"http/1.1", 8);
        } else {
            at = append_alpn(out, at, max, alpn[i].p, alpn[i].len);
        }
    }
    return at;
}
