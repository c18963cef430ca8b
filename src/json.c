/* The record writer of include/snitrace/json.h: one growing buffer, the
 * escapes cJSON's print_string_ptr uses (\" \\ \b \f \n \r \t, other bytes
 * below 0x20 as \u00xx, everything else as is) and whole numbers as cJSON
 * prints them (decimal up to 10^15, as its "%1.15g" does for integers). */
#include "snitrace/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growbuf.h"
#include "snitrace/output.h"

#define FIRST_BYTES  4096
#define MAX_BYTES    (64u * 1024 * 1024) /* one record: far beyond any real one */
#define EXACT_DIGITS 1000000000000000ULL /* cJSON's %1.15g writes these in full */
#define ESCAPE_LEN   6                   /* \u00xx */

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

static bool room(struct snt_json *j, size_t n)
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

static void put(struct snt_json *j, const void *p, size_t n)
{
    if (n && room(j, n)) {
        memcpy(j->buf + j->len, p, n);
        j->len += n;
    }
}

static void put_char(struct snt_json *j, char c)
{
    if (room(j, 1))
        j->buf[j->len++] = c;
}

/* The byte string's escaped form, bytes as they are (UTF-8 assumed). */
static void put_escaped(struct snt_json *j, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(j, s + run, i - run);
        run = i + 1;
        char esc[ESCAPE_LEN] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0x0f];
            put(j, esc, ESCAPE_LEN);
            continue;
        }
        put(j, esc, 2);
    }
    put(j, s + run, n - run);
}

/* The separator a new member needs, then its "key": when in an object. */
static void member(struct snt_json *j, const char *key)
{
    if (j->depth && !j->first[j->depth - 1])
        put_char(j, ',');
    if (j->depth)
        j->first[j->depth - 1] = false;
    if (key) {
        put_char(j, '"');
        put_escaped(j, (const uint8_t *)key, strlen(key));
        put(j, "\":", 2);
    }
}

static void open_level(struct snt_json *j, const char *key, char bracket)
{
    member(j, key);
    put_char(j, bracket);
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

void snt_json_begin_object(struct snt_json *j, const char *key)
{
    open_level(j, key, '{');
}

void snt_json_end_object(struct snt_json *j)
{
    close_level(j, '}');
}

void snt_json_begin_array(struct snt_json *j, const char *key)
{
    open_level(j, key, '[');
}

void snt_json_end_array(struct snt_json *j)
{
    close_level(j, ']');
}

void snt_json_string_n(struct snt_json *j, const char *key, const char *s, size_t len)
{
    member(j, key);
    put_char(j, '"');
    put_escaped(j, (const uint8_t *)s, len);
    put_char(j, '"');
}

void snt_json_string(struct snt_json *j, const char *key, const char *s)
{
    snt_json_string_n(j, key, s, strlen(s));
}

void snt_json_wire_string(struct snt_json *j, const char *key, const uint8_t *p, size_t len)
{
    member(j, key);
    put_char(j, '"');
    for (size_t i = 0; i < len;) {
        size_t n = snt_utf8_sequence_len(p + i, len - i);
        if (n == 0) {
            put(j, replacement, sizeof replacement);
            i++;
            continue;
        }
        put_escaped(j, p + i, n); /* a multi-byte sequence never needs escaping */
        i += n;
    }
    put_char(j, '"');
}

size_t snt_format_uint(uint64_t v, char *out)
{
    char tmp[21];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

void snt_json_uint(struct snt_json *j, const char *key, uint64_t v)
{
    char digits[32];
    size_t n;
    member(j, key);
    if (v < EXACT_DIGITS)
        n = snt_format_uint(v, digits);
    else /* what cJSON writes for a double this large */
        n = (size_t)snprintf(digits, sizeof digits, "%1.15g", (double)v);
    put(j, digits, n);
}

void snt_json_bool(struct snt_json *j, const char *key, bool v)
{
    member(j, key);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

bool snt_json_ok(const struct snt_json *j)
{
    return !j->failed && j->depth == 0;
}
