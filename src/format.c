/* The text forms of include/snitrace/format.h. */
#include "snitrace/format.h"

#include <stdbool.h>
#include <string.h>

#define USEC_PER_SEC   1000000u
#define SECS_PER_DAY   86400u
#define IPV6_WORDS     8
#define IPV4_TAIL_WORD 6 /* where a dotted IPv4 tail begins */

/* "00" to "99", two characters a value: numbers are written two digits
 * at a time. */
static const char two_digits[] = "00010203040506070809"
                                 "10111213141516171819"
                                 "20212223242526272829"
                                 "30313233343536373839"
                                 "40414243444546474849"
                                 "50515253545556575859"
                                 "60616263646566676869"
                                 "70717273747576777879"
                                 "80818283848586878889"
                                 "90919293949596979899";

/* v < 100 as two digits. */
static inline char *put_two(char *at, unsigned v)
{
    memcpy(at, two_digits + 2 * v, 2);
    return at + 2;
}

/* How many decimal digits v has. */
static size_t decimal_len(uint64_t v)
{
    size_t n = 1;
    for (uint64_t bound = 10; v >= bound; bound *= 10) {
        n++;
        if (n == SNT_FORMAT_UINT_LEN - 1)
            break; /* 10^19 is the last power of ten below 2^64 */
    }
    return n;
}

size_t snt_format_uint(uint64_t v, char *out)
{
    size_t n = decimal_len(v);
    char *at = out + n;
    *at = '\0';
    for (; v >= 100; v /= 100)
        memcpy(at -= 2, two_digits + 2 * (v % 100), 2);
    if (v >= 10)
        memcpy(at - 2, two_digits + 2 * v, 2);
    else
        at[-1] = (char)('0' + v);
    return n;
}

/* v as exactly `width` digits, zero-padded. */
static char *put_digits(char *at, uint64_t v, unsigned width)
{
    for (unsigned i = width; i-- > 0; v /= 10)
        at[i] = (char)('0' + v % 10);
    return at + width;
}

/* The proleptic Gregorian date of a day count since 1970-01-01 (H.
 * Hinnant's civil_from_days), for days >= 0. */
static void civil_from_days(uint64_t days, uint64_t *y, unsigned *m, unsigned *d)
{
    uint64_t z = days + 719468;
    uint64_t era = z / 146097;
    uint64_t doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DDT" of a day into out (24 bytes); returns the length. */
static size_t day_text_of(uint64_t days, char *out)
{
    uint64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    char *at = out;
    if (year > 9999)
        at += snt_format_uint(year, at);
    else
        at = put_digits(at, year, 4);
    *at++ = '-';
    at = put_two(at, month);
    *at++ = '-';
    at = put_two(at, day);
    *at++ = 'T';
    return (size_t)(at - out);
}

/* The text of a day, remembered per thread for the last few days asked:
 * records mostly fall on one day, and the validity dates of a
 * certificate (two more days) come between them. */
#define DAY_MEMO 4

struct day_memo {
    uint64_t days;
    size_t len;
    char text[24];
};

static size_t day_text(uint64_t days, char *out)
{
    static _Thread_local struct day_memo memo[DAY_MEMO] = {
        {UINT64_MAX, 0, ""}, {UINT64_MAX, 0, ""}, {UINT64_MAX, 0, ""}, {UINT64_MAX, 0, ""}};
    static _Thread_local unsigned next;
    struct day_memo *m = NULL;
    for (unsigned i = 0; i < DAY_MEMO && !m; i++)
        if (memo[i].days == days)
            m = &memo[i];
    if (!m) {
        m = &memo[next];
        next = (next + 1) % DAY_MEMO;
        m->len = day_text_of(days, m->text);
        m->days = days;
    }
    memcpy(out, m->text, sizeof m->text);
    return m->len;
}

/* The whole text into out (SNT_FORMAT_TIME_LEN bytes), not ended; returns
 * the length. */
static size_t time_text(uint64_t ts_usec, char *out)
{
    uint64_t secs = ts_usec / USEC_PER_SEC;
    unsigned sod = (unsigned)(secs % SECS_PER_DAY);
    unsigned usec = (unsigned)(ts_usec % USEC_PER_SEC);
    char *at = out + day_text(secs / SECS_PER_DAY, out);
    at = put_two(at, sod / 3600);
    *at++ = ':';
    at = put_two(at, sod / 60 % 60);
    *at++ = ':';
    at = put_two(at, sod % 60);
    *at++ = '.';
    at = put_two(at, usec / 10000);
    at = put_two(at, usec / 100 % 100);
    at = put_two(at, usec % 100);
    *at++ = 'Z';
    return (size_t)(at - out);
}

/* tmp[0, n) into buf of len bytes, NUL-terminated, cut to fit. */
static size_t copy_out(const char *tmp, size_t n, char *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (n >= len)
        n = len - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return n;
}

size_t snt_format_time(uint64_t ts_usec, char *buf, size_t len)
{
    if (len >= SNT_FORMAT_TIME_LEN) { /* the usual case: straight into buf */
        size_t n = time_text(ts_usec, buf);
        buf[n] = '\0';
        return n;
    }
    char tmp[SNT_FORMAT_TIME_LEN];
    return copy_out(tmp, time_text(ts_usec, tmp), buf, len);
}

static char *put_ipv4(char *at, const uint8_t b[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (i)
            *at++ = '.';
        if (v >= 100)
            *at++ = (char)('0' + v / 100);
        if (v >= 10)
            *at++ = (char)('0' + v / 10 % 10);
        *at++ = (char)('0' + v % 10);
    }
    return at;
}

static char *put_hex16(char *at, unsigned w)
{
    static const char digits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned nibble = (w >> shift) & 0xf;
        if (nibble || started || shift == 0) {
            *at++ = digits[nibble];
            started = true;
        }
    }
    return at;
}

/* The longest run of two or more zero words (the first of equals), as
 * [*base, *base + *run); *run is 0 when there is none. */
static void longest_zero_run(const unsigned w[IPV6_WORDS], int *base, int *run)
{
    *base = -1;
    *run = 0;
    for (int i = 0; i < IPV6_WORDS;) {
        int j = i;
        while (j < IPV6_WORDS && w[j] == 0)
            j++;
        if (j - i > *run) {
            *base = i;
            *run = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (*run < 2) {
        *base = -1;
        *run = 0;
    }
}

static char *put_ipv6(char *at, const uint8_t b[16])
{
    unsigned w[IPV6_WORDS];
    int base, run;
    for (int i = 0; i < IPV6_WORDS; i++)
        w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    longest_zero_run(w, &base, &run);
    for (int i = 0; i < IPV6_WORDS; i++) {
        if (base >= 0 && i >= base && i < base + run) {
            if (i == base)
                *at++ = ':';
            continue;
        }
        if (i)
            *at++ = ':';
        /* ::a.b.c.d and ::ffff:a.b.c.d keep their IPv4 tail dotted. */
        if (i == IPV4_TAIL_WORD && base == 0 && (run == 6 || (run == 5 && w[5] == 0xffff)))
            return put_ipv4(at, b + 12);
        at = put_hex16(at, w[i]);
    }
    if (base >= 0 && base + run == IPV6_WORDS)
        *at++ = ':';
    return at;
}

size_t snt_format_addr(const struct snt_addr *a, char *buf, size_t len)
{
    char tmp[SNT_FORMAT_ADDR_LEN + 8];
    char *end = a->family == 6 ? put_ipv6(tmp, a->b) : put_ipv4(tmp, a->b);
    return copy_out(tmp, (size_t)(end - tmp), buf, len);
}
