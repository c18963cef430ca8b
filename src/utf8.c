/* Untrusted bytes to valid UTF-8 (RFC 3629).
 *
 * cJSON escapes quotes, backslashes and control bytes but passes invalid
 * UTF-8 through, so every string that came off the wire goes through here
 * first: well-formed sequences are kept, every other byte (overlong forms,
 * surrogates, code points above U+10FFFF, stray continuation bytes) and NUL
 * become U+FFFD.
 */
#include <stdlib.h>

#include "snitrace/utf8.h"

static const uint8_t replacement[3] = {0xef, 0xbf, 0xbd};

/* Length of the well-formed sequence at p (1..4), or 0 if the byte at p does
 * not start one.  Bounds follow RFC 3629 table 3-7 of Unicode. */
size_t snt_utf8_sequence_len(const uint8_t *p, size_t left)
{
    uint8_t c = p[0];
    if (c >= 0x01 && c < 0x80)
        return 1;
    size_t n;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (left < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static bool is_ascii(uint8_t c)
{
    return c >= 0x01 && c < 0x80;
}

/* Names and most wire strings are ASCII: a byte of it is taken without a
 * call per byte. */
bool snt_utf8_is_clean(const uint8_t *p, size_t len)
{
    for (size_t i = 0, n; i < len; i += n)
        if (!(n = is_ascii(p[i]) ? 1 : snt_utf8_sequence_len(p + i, len - i)))
            return false;
    return true;
}

size_t snt_utf8_sanitize_into(const uint8_t *p, size_t len, char *out)
{
    size_t o = 0, i = 0;
    while (i < len) {
        if (is_ascii(p[i])) {
            out[o++] = (char)p[i++];
            continue;
        }
        size_t n = snt_utf8_sequence_len(p + i, len - i);
        if (n == 0) {
            for (size_t k = 0; k < sizeof replacement; k++)
                out[o++] = (char)replacement[k];
            i++;
            continue;
        }
        for (size_t k = 0; k < n; k++)
            out[o++] = (char)p[i + k];
        i += n;
    }
    out[o] = '\0';
    return o;
}

char *snt_utf8_sanitize(const uint8_t *p, size_t len)
{
    /* Worst case every byte becomes a 3-byte replacement. */
    char *out = malloc(SNT_UTF8_SANITIZED_MAX(len));
    if (out)
        snt_utf8_sanitize_into(p, len, out);
    return out;
}
