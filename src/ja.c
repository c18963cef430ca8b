/* TLS client fingerprints over a parsed ClientHello:
 * - JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,
 *   EllipticCurvePointFormats", decimal values joined by '-', and its MD5;
 * - JA4 (FoxIO JA4 technical specification, BSD-3-Clause):
 *   "<t|q|d><version><d|i><ciphers><extensions><alpn>_<hash>_<hash>".
 * GREASE values (RFC 8701) are left out of both.
 */
/* The low-level digests: OpenSSL 3.0's EVP allocates a provider context
 * for every digest (two allocations per EVP_Digest), which a fingerprint per
 * connection cannot afford; MD5_* and SHA256_* hash on the stack. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "snitrace/tls.h"

#include "htable.h"
#include "ways.h"

#include <openssl/md5.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <string.h>

#define EXT_SERVER_NAME 0x0000
#define EXT_ALPN        0x0010
#define JA4_COUNT_CAP   99
#define JA4_HASH_CHARS  12
#define JA4_A_LEN       10 /* "t13d1516h2" */
#define JA4_EMPTY_HASH  "000000000000"
/* Room for "xxxx," per value of the longest lists a hello can hold. */
#define JA4_LIST_MAX ((SNT_MAX_CIPHERS + SNT_MAX_EXTENSIONS + SNT_MAX_SIGALGS) * 5 + 2)

static const char hex_digits[] = "0123456789abcdef";

/* ---- a bounded string builder -------------------------------------------- */

struct strbuf {
    char *p;
    size_t cap, len;
    bool overflow; /* sticky: something did not fit */
};

static void sb_str(struct strbuf *sb, const char *s, size_t n)
{
    if (sb->overflow || sb->cap - sb->len <= n) {
        sb->overflow = true;
        return;
    }
    memcpy(sb->p + sb->len, s, n);
    sb->len += n;
    sb->p[sb->len] = '\0';
}

static void sb_char(struct strbuf *sb, char c)
{
    sb_str(sb, &c, 1);
}

/* Decimal, written backwards into a small buffer: printf's machinery cost
 * more than the rest of a fingerprint. */
static void sb_uint(struct strbuf *sb, unsigned v)
{
    char tmp[10];
    size_t at = sizeof tmp;
    do {
        tmp[--at] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_str(sb, tmp + at, sizeof tmp - at);
}

static void sb_hex4(struct strbuf *sb, uint16_t v)
{
    char tmp[4] = {hex_digits[v >> 12], hex_digits[(v >> 8) & 0xf], hex_digits[(v >> 4) & 0xf],
                   hex_digits[v & 0xf]};
    sb_str(sb, tmp, sizeof tmp);
}

static void bytes_to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_digits[p[i] >> 4];
        out[2 * i + 1] = hex_digits[p[i] & 0xf];
    }
    out[2 * n] = '\0';
}

/* ---- JA3 ------------------------------------------------------------------ */

/* Decimal values joined by '-', GREASE skipped. */
static void ja3_list(struct strbuf *sb, const uint16_t *v, size_t n)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (snt_tls_is_grease(v[i]))
            continue;
        if (!first)
            sb_char(sb, '-');
        sb_uint(sb, v[i]);
        first = false;
    }
}

static bool md5_hex(const char *text, size_t n, char *hex)
{
    uint8_t md[MD5_DIGEST_LENGTH];
    MD5_CTX ctx;
    if (!MD5_Init(&ctx) || !MD5_Update(&ctx, text, n) || !MD5_Final(md, &ctx))
        return false;
    bytes_to_hex(md, sizeof md, hex);
    return true;
}

bool snt_ja3(const struct snt_tls_client_hello *ch, char *buf, size_t buflen, char md5hex[33])
{
    struct strbuf sb = {buf, buflen, 0, buflen == 0};
    md5hex[0] = '\0';
    if (buflen > 0)
        buf[0] = '\0';
    sb_uint(&sb, ch->legacy_version);
    sb_char(&sb, ',');
    ja3_list(&sb, ch->ciphers, ch->n_ciphers);
    sb_char(&sb, ',');
    ja3_list(&sb, ch->exts, ch->n_exts);
    sb_char(&sb, ',');
    ja3_list(&sb, ch->groups, ch->n_groups);
    sb_char(&sb, ',');
    for (size_t i = 0; i < ch->n_point_formats; i++) {
        if (i)
            sb_char(&sb, '-');
        sb_uint(&sb, ch->point_formats[i]);
    }
    if (sb.overflow) {
        if (buflen > 0)
            buf[0] = '\0';
        return false;
    }
    return md5_hex(buf, sb.len, md5hex);
}

/* ---- JA4 ------------------------------------------------------------------ */

static size_t count_non_grease(const uint16_t *v, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += !snt_tls_is_grease(v[i]);
    return count;
}

static bool has_ext(const struct snt_tls_client_hello *ch, uint16_t type)
{
    for (size_t i = 0; i < ch->n_exts; i++)
        if (ch->exts[i] == type)
            return true;
    return false;
}

/* The highest supported_versions entry when the extension is there, else the
 * hello's own version; the record version is never used. */
static const char *ja4_version(const struct snt_tls_client_hello *ch)
{
    uint16_t v = 0;
    for (size_t i = 0; ch->has_supported_versions && i < ch->n_versions; i++)
        if (!snt_tls_is_grease(ch->versions[i]) && ch->versions[i] > v)
            v = ch->versions[i];
    if (v == 0)
        v = ch->legacy_version;
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0200:
    case 0x0002: return "s2"; /* SSL 2.0 as it is on the wire */
    case 0x0100: return "s1";
    default: return "00";
    }
}

static bool is_ascii_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* First and last character of the first ALPN value; when either is not
 * alphanumeric, the first hex digit of the first byte and the last hex digit
 * of the last byte instead, so the fingerprint stays printable. */
static void ja4_alpn(const struct snt_tls_client_hello *ch, char out[2])
{
    struct snt_reader r = snt_reader_make(ch->alpn[0].p, ch->alpn[0].len);
    uint8_t first, last;
    out[0] = out[1] = '0';
    if (ch->n_alpn == 0 || !snt_peek_u8(&r, 0, &first) ||
        !snt_peek_u8(&r, snt_reader_left(&r) - 1, &last))
        return;
    if (is_ascii_alnum(first) && is_ascii_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hex_digits[first >> 4];
        out[1] = hex_digits[last & 0xf];
    }
}

/* Two decimal digits of a count, capped at 99. */
static void two_digits(size_t n, char out[2])
{
    if (n > JA4_COUNT_CAP)
        n = JA4_COUNT_CAP;
    out[0] = (char)('0' + n / 10);
    out[1] = (char)('0' + n % 10);
}

static void ja4_a(const struct snt_tls_client_hello *ch, char transport, char out[JA4_A_LEN])
{
    const char *version = ja4_version(ch);
    out[0] = transport;
    out[1] = version[0];
    out[2] = version[1];
    out[3] = ch->has_sni || has_ext(ch, EXT_SERVER_NAME) ? 'd' : 'i';
    two_digits(count_non_grease(ch->ciphers, ch->n_ciphers), out + 4);
    two_digits(count_non_grease(ch->exts, ch->n_exts), out + 6);
    ja4_alpn(ch, out + 8);
}

/* Insertion sort: the lists are a few dozen values, bounded by the limits
 * (SNT_MAX_CIPHERS at most), and qsort's calls per comparison cost more
 * than the sort itself. */
static void sort_u16(uint16_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint16_t x = v[i];
        size_t k = i;
        for (; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
}

/* Sorting the numbers sorts their fixed-width hex forms the same way. */
static size_t sorted_without(const uint16_t *v, size_t n, bool drop_sni_alpn, uint16_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (snt_tls_is_grease(v[i]))
            continue;
        if (drop_sni_alpn && (v[i] == EXT_SERVER_NAME || v[i] == EXT_ALPN))
            continue;
        out[k++] = v[i];
    }
    sort_u16(out, k);
    return k;
}

static void hex_list(struct strbuf *sb, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_char(sb, ',');
        sb_hex4(sb, v[i]);
    }
}

/* First 12 hex characters of SHA-256; an empty input has no hash to show. */
/* The first 12 hex digits of the SHA-256. */
static bool sha256_12_hex(const char *text, size_t n, char *hex)
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    SHA256_CTX ctx;
    if (!SHA256_Init(&ctx) || !SHA256_Update(&ctx, text, n) || !SHA256_Final(md, &ctx))
        return false;
    bytes_to_hex(md, JA4_HASH_CHARS / 2, hex);
    return true;
}

static void ja4_hash(const struct strbuf *sb, char out[JA4_HASH_CHARS + 1])
{
    if (sb->overflow || sb->len == 0 || !sha256_12_hex(sb->p, sb->len, out))
        memcpy(out, JA4_EMPTY_HASH, sizeof JA4_EMPTY_HASH);
}

static void ja4_b(const struct snt_tls_client_hello *ch, char out[JA4_HASH_CHARS + 1])
{
    uint16_t v[SNT_MAX_CIPHERS];
    char text[JA4_LIST_MAX];
    struct strbuf sb = {text, sizeof text, 0, false};
    text[0] = '\0';
    hex_list(&sb, v, sorted_without(ch->ciphers, ch->n_ciphers, false, v));
    ja4_hash(&sb, out);
}

/* Sorted extensions without SNI and ALPN (they are in JA4_a), then '_' and
 * the signature algorithms in wire order, the underscore only if there are
 * any. */
static void ja4_c(const struct snt_tls_client_hello *ch, char out[JA4_HASH_CHARS + 1])
{
    uint16_t v[SNT_MAX_EXTENSIONS], sigs[SNT_MAX_SIGALGS];
    char text[JA4_LIST_MAX];
    struct strbuf sb = {text, sizeof text, 0, false};
    size_t n_sigs = 0;
    text[0] = '\0';
    hex_list(&sb, v, sorted_without(ch->exts, ch->n_exts, true, v));
    for (size_t i = 0; i < ch->n_sigalgs; i++)
        if (!snt_tls_is_grease(ch->sigalgs[i]))
            sigs[n_sigs++] = ch->sigalgs[i];
    if (n_sigs > 0) {
        sb_char(&sb, '_');
        hex_list(&sb, sigs, n_sigs);
    }
    ja4_hash(&sb, out);
}

/* "<a>_<b>_<c>": 10 + 1 + 12 + 1 + 12 characters and the NUL. */
void snt_ja4(const struct snt_tls_client_hello *ch, char transport, char out[40])
{
    char *b = out + JA4_A_LEN + 1, *c = b + JA4_HASH_CHARS + 1;
    ja4_a(ch, transport, out);
    out[JA4_A_LEN] = '_';
    ja4_b(ch, b);
    b[JA4_HASH_CHARS] = '_';
    ja4_c(ch, c);
}

/* ---- both, remembered by what they are made of ------------------------------ */

/* A network shows few distinct hellos among many connections (every copy
 * of a browser sends the same lists), and building the lists costs about
 * 9,000 instructions a hello (sorting, decimal and hex text), the digests
 * more.  So both fingerprints are remembered, one memo per thread, by
 * everything they are made of: the transport, the versions, whether there
 * is an SNI, the lists and the first ALPN value's first and last bytes.
 * That key is laid out byte for byte and compared whole, so a hash
 * collision only costs the building; a key longer than KEY_MAX (a hello
 * with very long lists) is never remembered.
 *
 * The memo is set-associative (ways.h): under each bucket of the key's
 * hash, SNT_WAYS slots.  With one slot per bucket, two common hellos
 * whose hashes met (the hash's key is drawn per run) put each other out
 * on every connection: on the bench's captures, with their six to eight
 * hellos, about one run in ten to eighteen built the fingerprints again
 * and again. */
#define HELLO_SETS 64 /* a power of two: 256 slots */
#define KEY_MAX    640

struct hello_slot {
    uint16_t len;
    char ja3[33], ja4[40];
    uint8_t key[KEY_MAX];
};

struct hello_set {
    struct snt_ways ways;
    struct hello_slot slot[SNT_WAYS];
};

static _Thread_local struct hello_set hello_memo[HELLO_SETS];
static _Thread_local uint32_t hello_clock;

struct key {
    uint8_t *p;
    size_t len;
    bool overflow;
};

static void key_add(struct key *k, const void *p, size_t n)
{
    if (n == 0 || k->overflow)
        return;
    if (n > KEY_MAX - k->len) {
        k->overflow = true;
        return;
    }
    memcpy(k->p + k->len, p, n);
    k->len += n;
}

static void key_u16s(struct key *k, const uint16_t *v, uint16_t n)
{
    key_add(k, &n, sizeof n);
    key_add(k, v, n * sizeof *v);
}

/* Everything snt_ja3 and snt_ja4 read of ch, and the transport. */
static bool hello_key(const struct snt_tls_client_hello *ch, char transport, struct key *k)
{
    uint8_t flags[5] = {(uint8_t)transport, ch->has_sni, ch->has_supported_versions, ch->n_alpn > 0,
                        ch->n_alpn > 0 && ch->alpn[0].len > 0};
    uint8_t alpn_ends[2] = {0, 0};
    if (ch->n_alpn > 0 && ch->alpn[0].len > 0) {
        alpn_ends[0] = ch->alpn[0].p[0];
        alpn_ends[1] = ch->alpn[0].p[ch->alpn[0].len - 1];
    }
    key_add(k, flags, sizeof flags);
    key_add(k, alpn_ends, sizeof alpn_ends);
    key_add(k, &ch->legacy_version, sizeof ch->legacy_version);
    key_u16s(k, ch->ciphers, ch->n_ciphers);
    key_u16s(k, ch->exts, ch->n_exts);
    key_u16s(k, ch->groups, ch->n_groups);
    key_u16s(k, ch->sigalgs, ch->n_sigalgs);
    key_u16s(k, ch->has_supported_versions ? ch->versions : NULL,
             ch->has_supported_versions ? ch->n_versions : 0);
    key_add(k, &ch->n_point_formats, sizeof ch->n_point_formats);
    key_add(k, ch->point_formats, ch->n_point_formats);
    return !k->overflow;
}

/* The slot of set that holds the key (bytes, len bytes), or NULL. */
static const struct hello_slot *memo_find(struct hello_set *set, uint32_t tag, const uint8_t *bytes,
                                          size_t len)
{
    for (unsigned w = 0; w < SNT_WAYS; w++) {
        const struct hello_slot *s = &set->slot[w];
        if (snt_ways_holds(&set->ways, w, tag) && s->len == len &&
            memcmp(s->key, bytes, len) == 0) {
            snt_ways_touch(&set->ways, w, &hello_clock);
            return s;
        }
    }
    return NULL;
}

void snt_ja_fingerprints(const struct snt_tls_client_hello *ch, char transport, char ja3_md5[33],
                         char ja4[40])
{
    uint8_t bytes[KEY_MAX];
    struct key k = {bytes, 0, false};
    char ja3[SNT_JA3_MAX];
    bool keyed = hello_key(ch, transport, &k);
    uint32_t tag = keyed ? snt_hash_bytes(bytes, k.len) : 0;
    struct hello_set *set = &hello_memo[tag & (HELLO_SETS - 1)];
    const struct hello_slot *found = keyed ? memo_find(set, tag, bytes, k.len) : NULL;
    if (found) {
        memcpy(ja3_md5, found->ja3, sizeof found->ja3);
        memcpy(ja4, found->ja4, sizeof found->ja4);
        return;
    }
    if (!snt_ja3(ch, ja3, sizeof ja3, ja3_md5))
        ja3_md5[0] = '\0';
    snt_ja4(ch, transport, ja4);
    if (!keyed)
        return;
    struct hello_slot *s = &set->slot[snt_ways_take(&set->ways, tag, &hello_clock)];
    s->len = (uint16_t)k.len;
    memcpy(s->ja3, ja3_md5, sizeof s->ja3);
    memcpy(s->ja4, ja4, sizeof s->ja4);
    memcpy(s->key, bytes, k.len);
}
