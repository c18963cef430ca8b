/* The record writer of include/snitrace/json.h: one growing buffer, the
 * escapes cJSON's print_string_ptr uses (\" \\ \b \f \n \r \t, other bytes
 * below 0x20 as \u00xx, everything else as is) and whole numbers as cJSON
 * prints them (decimal up to 10^15, as its "%1.15g" does for integers). */
#include "snitrace/json.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "growbuf.h"
#include "snitrace/format.h"
#include "snitrace/utf8.h"

#define FIRST_BYTES  4096
#define MAX_BYTES    (64u * 1024 * 1024) /* one record: far beyond any real one */
#define EXACT_DIGITS 1000000000000000ULL /* cJSON's %1.15g writes these in full */
#define ESCAPE_LEN   6                   /* \u00xx */
#define NUMBER_ROOM  32                  /* a number's digits and the NUL written after them */

static const uint8_t replacement[3] = {0xef, 0xbf, 0xbd};

void snt_json_init(struct snt_json *j)
{
    memset(j, 0, sizeof *j);
}

void snt_json_free(struct snt_json *j)
{
    free(j->buf);
    snt_json_init(j);
}

void snt_json_reset(struct snt_json *j)
{
    j->len = 0;
    j->depth = 0;
    j->failed = false;
}

void snt_json_truncate(struct snt_json *j, size_t len)
{
    if (len < j->len)
        j->len = len;
    j->depth = 0;
    j->failed = false;
}

static bool grow(struct snt_json *j, size_t n)
{
    if (j->failed)
        return false;
    if (n > MAX_BYTES - j->len ||
        !snt_buf_reserve((uint8_t **)&j->buf, &j->cap, j->len + n, FIRST_BYTES, MAX_BYTES)) {
        j->failed = true;
        return false;
    }
    return true;
}

/* Room for n more bytes; the common case is one comparison. */
static inline bool room(struct snt_json *j, size_t n)
{
    return (n <= j->cap - j->len && !j->failed) || grow(j, n);
}

static void put(struct snt_json *j, const void *p, size_t n)
{
    if (n && room(j, n)) {
        memcpy(j->buf + j->len, p, n);
        j->len += n;
    }
}

static inline void put_char(struct snt_json *j, char c)
{
    if (room(j, 1))
        j->buf[j->len++] = c;
}

/* Bytes that cannot stand in a JSON string as they are. */
static inline bool needs_escape(uint8_t c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* The escape of one such byte at out; returns the end. */
static char *escape(char *out, uint8_t c)
{
    static const char hex[] = "0123456789abcdef";
    *out++ = '\\';
    switch (c) {
    case '"': *out++ = '"'; break;
    case '\\': *out++ = '\\'; break;
    case '\b': *out++ = 'b'; break;
    case '\f': *out++ = 'f'; break;
    case '\n': *out++ = 'n'; break;
    case '\r': *out++ = 'r'; break;
    case '\t': *out++ = 't'; break;
    default:
        memcpy(out, "u00", 3);
        out[3] = hex[c >> 4];
        out[4] = hex[c & 0x0f];
        out += 5;
    }
    return out;
}

/* n < 8 bytes from s to out, for the short runs a record is made of:
 * fixed-size copies that overlap rather than a call to memcpy with a
 * length it must dispatch on. */
static inline void copy_tail(char *out, const uint8_t *s, size_t n)
{
    if (n >= 4) {
        memcpy(out, s, 4);
        memcpy(out + n - 4, s + n - 4, 4);
    } else if (n >= 2) {
        memcpy(out, s, 2);
        memcpy(out + n - 2, s + n - 2, 2);
    } else if (n) {
        out[0] = (char)s[0];
    }
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether all 8 bytes of w are ASCII other than NUL (0x01-0x7f): no high
 * bit, and no zero byte (exact when there is no high bit, as borrows then
 * stay in their byte). */
static inline bool all_plain_ascii(uint64_t w)
{
    return ((w | ((w - ONES) & ~w)) & HIGHS) == 0;
}

/* How many bytes from s, in whole words of 8, are plain ASCII (for
 * checking UTF-8: those need no look one by one). */
static inline size_t plain_ascii_words(const uint8_t *s, size_t n)
{
    size_t i = 0;
    uint64_t w;
    for (; n - i >= 8; i += 8) {
        memcpy(&w, s + i, 8);
        if (!all_plain_ascii(w))
            break;
    }
    return i;
}

/* s[i, n) with its escapes, at out, byte by byte; returns the end. */
static char *escape_from(char *out, const uint8_t *s, size_t i, size_t n)
{
    for (; i < n; i++) {
        if (needs_escape(s[i]))
            out = escape(out, s[i]);
        else
            *out++ = (char)s[i];
    }
    return out;
}

#if defined(__SSE2__) && defined(__x86_64__)
#define ESCAPE_VECTORS 1
/* Whether any of the bytes of v is below 0x20, '"' or '\\': all 16, or
 * the first 8 (mask 0xff, the others zero).  In vector registers, the
 * constants need none of the general ones, which the short texts of a
 * record cannot afford to save and restore on every call. */
static inline bool vector_needs_escape(__m128i v, int mask)
{
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v); /* <= 0x1f */
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return (_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, slash))) & mask) != 0;
}

/* The same of the 8 bytes in w. */
static inline bool word_needs_escape(uint64_t w)
{
    return vector_needs_escape(_mm_cvtsi64_si128((long long)w), 0xff);
}
#else
/* Whether any of the 8 bytes in w is below 0x20, '"' or '\\' (the usual
 * zero-byte tests: exact about whether there is one, not which). */
static inline bool word_needs_escape(uint64_t w)
{
    uint64_t below = (w - ONES * 0x20) & ~w;
    uint64_t quote = w ^ (ONES * '"');
    uint64_t slash = w ^ (ONES * '\\');
    quote = (quote - ONES) & ~quote;
    slash = (slash - ONES) & ~slash;
    return ((below | quote | slash) & HIGHS) != 0;
}
#endif

/* s[0, n) with its escapes, at out (room for ESCAPE_LEN * n bytes);
 * returns the end.  Most text has none: sixteen bytes at a time (eight
 * without SSE2) are looked at and copied, the last few padded with a
 * letter for the look, and from the first piece with an escape on the
 * bytes go one by one. */
static char *copy_escaped(char *out, const uint8_t *s, size_t n)
{
    size_t i = 0;
    uint64_t w;
#ifdef ESCAPE_VECTORS
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        if (vector_needs_escape(v, 0xffff))
            return escape_from(out + i, s, i, n);
        _mm_storeu_si128((__m128i *)(void *)(out + i), v);
    }
#endif
    for (; n - i >= 8; i += 8) {
        memcpy(&w, s + i, 8);
        if (word_needs_escape(w))
            return escape_from(out + i, s, i, n);
        memcpy(out + i, &w, 8);
    }
    if (i == n)
        return out + n; /* s may be NULL when n is 0 (an empty ALPN entry) */
    w = ONES * 'a';
    copy_tail((char *)&w, s + i, n - i);
    if (word_needs_escape(w))
        return escape_from(out + i, s, i, n);
    copy_tail(out + i, s + i, n - i);
    return out + n;
}

/* A key (the program's own names: nothing to escape) of any length, in
 * fixed-size copies only, so that writing a member calls nothing. */
static inline void copy_key(char *out, const char *key, size_t n)
{
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            memcpy(out + i, key + i, 16);
        memcpy(out + n - 16, key + n - 16, 16);
    } else if (n >= 8) {
        memcpy(out, key, 8);
        memcpy(out + n - 8, key + n - 8, 8);
    } else {
        copy_tail(out, (const uint8_t *)key, n);
    }
}

/* Whether the level's next member needs a comma before it (its first
 * does not); the level then has a member. */
static inline bool take_comma(struct snt_json *j)
{
    if (!j->depth)
        return false;
    bool *first = &j->first[j->depth - 1];
    bool comma = !*first;
    *first = false;
    return comma;
}

/* The comma and "key": at the end, in room already made; where the value
 * goes. */
static inline char *put_member(struct snt_json *j, bool comma, const char *key, size_t klen)
{
    char *out = j->buf + j->len;
    if (comma)
        *out++ = ',';
    if (key) {
        out[0] = '"';
        copy_key(out + 1, key, klen);
        out[1 + klen] = '"';
        out[2 + klen] = ':';
        out += klen + 3;
    }
    j->len = (size_t)(out - j->buf);
    return out;
}

/* member_then when the buffer may have to grow (or has failed). */
static __attribute__((noinline)) char *member_then_growing(struct snt_json *j, const char *key,
                                                           size_t klen, size_t value_room)
{
    bool comma = take_comma(j);
    size_t key_room = key ? klen + 3 : 0;
    if (value_room > MAX_BYTES || !room(j, comma + key_room + value_room))
        return NULL;
    return put_member(j, comma, key, klen);
}

/* The separator a new member needs, then its "key": (klen bytes) when in
 * an object, with room for value_room bytes after them (the key's own
 * room and the value's asked for at once); where the value goes, or NULL
 * when out of room.  Inlined into each writer, with nothing called on the
 * way unless the buffer must grow: a record is some sixty members. */
static inline __attribute__((always_inline)) char *member_then(struct snt_json *j, const char *key,
                                                               size_t klen, size_t value_room)
{
    size_t key_room = key ? klen + 3 : 0;
    if (__builtin_expect(
            j->failed || value_room > MAX_BYTES || 1 + key_room + value_room > j->cap - j->len, 0))
        return member_then_growing(j, key, klen, value_room);
    return put_member(j, take_comma(j), key, klen);
}

static void member(struct snt_json *j, const char *key, size_t klen)
{
    member_then(j, key, klen, 0);
}

static void open_level(struct snt_json *j, const char *key, size_t klen, char bracket)
{
    char *out = member_then(j, key, klen, 1);
    if (out) {
        *out = bracket;
        j->len++;
    }
    if (j->depth >= SNT_JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    j->first[j->depth++] = true;
}

static void close_level(struct snt_json *j, char bracket)
{
    if (j->depth)
        j->depth--;
    put_char(j, bracket);
}

void snt_json_begin_object_k(struct snt_json *j, const char *key, size_t klen)
{
    open_level(j, key, klen, '{');
}

void snt_json_end_object(struct snt_json *j)
{
    close_level(j, '}');
}

void snt_json_begin_array_k(struct snt_json *j, const char *key, size_t klen)
{
    open_level(j, key, klen, '[');
}

void snt_json_end_array(struct snt_json *j)
{
    close_level(j, ']');
}

/* A string member of len input bytes: its key and opening quote written,
 * with room for the text at its longest escaped form and the closing
 * quote; where the text goes, or NULL. */
static char *open_string(struct snt_json *j, const char *key, size_t klen, size_t len)
{
    if (len > (MAX_BYTES - 2) / ESCAPE_LEN) {
        j->failed = true;
        return NULL;
    }
    char *out = member_then(j, key, klen, 2 + len * ESCAPE_LEN);
    if (out)
        *out++ = '"';
    return out;
}

void snt_json_string_k(struct snt_json *j, const char *key, size_t klen, const char *s, size_t len)
{
    char *out = open_string(j, key, klen, len);
    if (!out)
        return;
    out = copy_escaped(out, (const uint8_t *)s, len);
    *out++ = '"';
    j->len = (size_t)(out - j->buf);
}

void snt_json_wire_string_k(struct snt_json *j, const char *key, size_t klen, const uint8_t *p,
                            size_t len)
{
    char *out = open_string(j, key, klen, len);
    if (!out)
        return;
    size_t run = 0; /* start of the valid bytes not yet copied (p may be NULL when len is 0) */
    for (size_t i = 0; i < len;) {
        i += plain_ascii_words(p + i, len - i);
        if (i == len)
            break;
        size_t n = p[i] - 1u < 0x7fu ? 1 : snt_utf8_sequence_len(p + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        out = copy_escaped(out, p + run, i - run);
        memcpy(out, replacement, sizeof replacement);
        out += sizeof replacement;
        run = ++i;
    }
    if (len)
        out = copy_escaped(out, p + run, len - run);
    *out++ = '"';
    j->len = (size_t)(out - j->buf);
}

/* What cJSON's print_number writes for a double beyond 10^15: 15
 * significant digits when they read back as the same double, else 17. */
static size_t large_number(uint64_t v, char *out, size_t len)
{
    double d = (double)v, back = 0;
    int n = snprintf(out, len, "%1.15g", d);
    bool same = sscanf(out, "%lg", &back) == 1 &&
                (back > d ? back - d : d - back) <= (back > d ? back : d) * DBL_EPSILON;
    if (!same)
        n = snprintf(out, len, "%1.17g", d);
    return n > 0 ? (size_t)n : 0;
}

void snt_json_uint_k(struct snt_json *j, const char *key, size_t klen, uint64_t v)
{
    char *out = member_then(j, key, klen, NUMBER_ROOM);
    if (out)
        j->len += v < EXACT_DIGITS ? snt_format_uint(v, out) : large_number(v, out, NUMBER_ROOM);
}

void snt_json_bool_k(struct snt_json *j, const char *key, size_t klen, bool v)
{
    char *out = member_then(j, key, klen, 5);
    if (!out)
        return;
    memcpy(out, v ? "true" : "false", v ? 4 : 5);
    j->len += v ? 4 : 5;
}

void snt_json_hex_k(struct snt_json *j, const char *key, size_t klen, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    member(j, key, klen);
    put_char(j, '"');
    if (len <= (MAX_BYTES - j->len) / 2 && room(j, 2 * len)) {
        for (size_t i = 0; i < len; i++) {
            j->buf[j->len++] = digits[p[i] >> 4];
            j->buf[j->len++] = digits[p[i] & 0x0f];
        }
    } else {
        j->failed = true;
    }
    put_char(j, '"');
}

void snt_json_members_raw(struct snt_json *j, const char *text, size_t len)
{
    if (len == 0)
        return;
    member(j, NULL, 0);
    put(j, text, len);
}

void snt_json_raw(struct snt_json *j, const char *p, size_t len)
{
    put(j, p, len);
}

bool snt_json_ok_so_far(const struct snt_json *j)
{
    return !j->failed;
}

bool snt_json_ok(const struct snt_json *j)
{
    return !j->failed && j->depth == 0;
}
