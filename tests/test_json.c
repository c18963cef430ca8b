/* Tests for the record writer (src/json.c): for many generated records,
 * the bytes must be exactly what cJSON_PrintUnformatted writes for the
 * same tree (strings with every byte value, untrusted bytes made valid
 * UTF-8, numbers small and large, nesting), so records can move from
 * cJSON to it without a golden file changing. */
#include "snitrace/json.h"
#include "snitrace/format.h"
#include "snitrace/output.h"
#include "snitrace/utf8.h"
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
    return snt_test_rand(&rnd_state);
}

static size_t rnd_bytes(uint8_t *out, size_t max)
{
    size_t n = rnd() % max;
    for (size_t i = 0; i < n; i++) {
        /* mostly text, some controls, quotes, backslashes and high bytes */
        unsigned k = (unsigned)(rnd() % 10);
        out[i] = k < 6   ? (uint8_t)('a' + rnd() % 26)
                 : k < 7 ? (uint8_t)(rnd() % 0x20)
                 : k < 8 ? (uint8_t) "\"\\/"[rnd() % 3]
                         : (uint8_t)(0x80 + rnd() % 0x80);
    }
    return n;
}

static const uint64_t numbers[] = {0,
                                   1,
                                   9,
                                   10,
                                   255,
                                   65535,
                                   2147483647,
                                   2147483648u,
                                   4294967296,
                                   999999999999999,
                                   1000000000000000ULL};

/* One member of each kind into both writers. */
static void add_member(struct snt_json *j, cJSON *parent, bool in_array, int depth)
{
    char key[16];
    snprintf(key, sizeof key, "k%u", (unsigned)(rnd() % 1000));
    const char *k = in_array ? NULL : key;
    uint8_t bytes[64];
    size_t n;
    unsigned kind = (unsigned)(rnd() % (depth < 3 ? 6 : 4));
    cJSON *item = NULL;
    switch (kind) {
    case 0: {
        n = rnd_bytes(bytes, sizeof bytes);
        snt_json_wire_string(j, k, bytes, n);
        char *s = snt_utf8_sanitize(bytes, n);
        item = cJSON_CreateString(s);
        free(s);
        break;
    }
    case 1: {
        uint64_t v = numbers[rnd() % (sizeof numbers / sizeof numbers[0])];
        snt_json_uint(j, k, v);
        item = cJSON_CreateNumber((double)v);
        break;
    }
    case 2: {
        bool b = rnd() & 1;
        snt_json_bool(j, k, b);
        item = cJSON_CreateBool(b);
        break;
    }
    case 3:
        snt_json_string(j, k, "plain");
        item = cJSON_CreateString("plain");
        break;
    default: {
        bool array = kind == 4;
        item = array ? cJSON_CreateArray() : cJSON_CreateObject();
        if (array)
            snt_json_begin_array(j, k);
        else
            snt_json_begin_object(j, k);
        unsigned members = (unsigned)(rnd() % 4);
        for (unsigned i = 0; i < members; i++)
            add_member(j, item, array, depth + 1);
        if (array)
            snt_json_end_array(j);
        else
            snt_json_end_object(j);
    }
    }
    if (in_array)
        cJSON_AddItemToArray(parent, item);
    else
        cJSON_AddItemToObject(parent, key, item);
}

static void test_same_as_cjson(void)
{
    struct snt_json j;
    snt_json_init(&j);
    for (int round = 0; round < 3000; round++) {
        snt_json_reset(&j);
        cJSON *root = cJSON_CreateObject();
        snt_json_begin_object(&j, NULL);
        unsigned members = (unsigned)(rnd() % 8);
        for (unsigned i = 0; i < members; i++)
            add_member(&j, root, false, 0);
        snt_json_end_object(&j);
        char *want = cJSON_PrintUnformatted(root);
        CHECK(snt_json_ok(&j));
        CHECK(want && j.len == strlen(want) && memcmp(j.buf, want, j.len) == 0);
        if (want && (j.len != strlen(want) || memcmp(j.buf, want, j.len) != 0)) {
            fprintf(stderr, "want %s\ngot  %.*s\n", want, (int)j.len, j.buf);
            round = 3000;
        }
        free(want);
        cJSON_Delete(root);
    }
    snt_json_free(&j);
}

static void test_limits(void)
{
    struct snt_json j;
    char out[32];
    snt_json_init(&j);
    for (int i = 0; i < SNT_JSON_MAX_DEPTH + 1; i++)
        snt_json_begin_array(&j, NULL);
    CHECK(!snt_json_ok(&j)); /* too deep */
    snt_json_reset(&j);
    snt_json_begin_object(&j, NULL);
    CHECK(!snt_json_ok(&j)); /* not closed */
    snt_json_end_object(&j);
    CHECK(snt_json_ok(&j));
    snt_json_free(&j);
    CHECK_EQ_INT(snt_format_uint(18446744073709551615ULL, out), 20);
    CHECK(strcmp(out, "18446744073709551615") == 0);
    CHECK_EQ_INT(snt_format_uint(0, out), 1);
}

/* An empty string off the wire may come as (NULL, 0): an ALPN entry of
 * length 0 in a ClientHello does.  It is "" and nothing is read. */
static void test_empty_wire_string(void)
{
    struct snt_json j;
    snt_json_init(&j);
    snt_json_begin_array(&j, NULL);
    snt_json_wire_string(&j, NULL, NULL, 0);
    snt_json_wire_string(&j, NULL, (const uint8_t *)"h2", 2);
    snt_json_end_array(&j);
    CHECK(snt_json_ok(&j));
    CHECK(j.len == 9 && memcmp(j.buf, "[\"\",\"h2\"]", 9) == 0);
    snt_json_free(&j);
}

/* Plain text with one byte that needs an escape (or a byte just beside
 * those that do) at every position of strings up to 40 bytes: the writer
 * reads text 16 and 8 bytes at a time, so every place in and across a
 * block. */
static void test_escape_every_position(void)
{
    static const uint8_t odd[] = {'"',  '\\', '\n', 0x01, 0x1f, 0x00,
                                  0x20, 0x21, 0x5b, 0x5d, 0x7f, 0xff};
    struct snt_json j;
    uint8_t text[40];
    snt_json_init(&j);
    for (size_t len = 1; len <= sizeof text; len++) {
        for (size_t at = 0; at < len; at++) {
            for (size_t k = 0; k < sizeof odd; k++) {
                memset(text, 'a' + (int)(len % 26), len);
                text[at] = odd[k];
                snt_json_reset(&j);
                snt_json_wire_string(&j, NULL, text, len);
                char *clean = snt_utf8_sanitize(text, len);
                cJSON *item = cJSON_CreateString(clean);
                char *want = cJSON_PrintUnformatted(item);
                CHECK(want && j.len == strlen(want) && memcmp(j.buf, want, j.len) == 0);
                snt_json_reset(&j); /* the same text, already clean */
                snt_json_string_n(&j, NULL, clean, strlen(clean));
                CHECK(want && j.len == strlen(want) && memcmp(j.buf, want, j.len) == 0);
                free(want);
                cJSON_Delete(item);
                free(clean);
            }
        }
    }
    snt_json_free(&j);
}

/* Keys of every length up to 40 (a key is copied in pieces of 2, 4, 8
 * and 16 bytes that overlap), each after a member and before a value of
 * each kind. */
static void test_key_every_length(void)
{
    struct snt_json j;
    char key[41];
    snt_json_init(&j);
    for (size_t len = 1; len < sizeof key; len++) {
        for (size_t i = 0; i < len; i++)
            key[i] = (char)('a' + (i * 7 + len) % 26);
        key[len] = '\0';
        snt_json_reset(&j);
        cJSON *root = cJSON_CreateObject();
        snt_json_begin_object(&j, NULL);
        snt_json_uint(&j, "n", len);
        cJSON_AddNumberToObject(root, "n", (double)len);
        snt_json_string(&j, key, key);
        cJSON_AddStringToObject(root, key, key);
        snt_json_bool(&j, key, len & 1);
        cJSON_AddBoolToObject(root, key, len & 1);
        snt_json_begin_array(&j, key);
        snt_json_end_array(&j);
        cJSON_AddArrayToObject(root, key);
        snt_json_end_object(&j);
        char *want = cJSON_PrintUnformatted(root);
        CHECK(snt_json_ok(&j));
        CHECK(want && j.len == strlen(want) && memcmp(j.buf, want, j.len) == 0);
        free(want);
        cJSON_Delete(root);
    }
    snt_json_free(&j);
}

/* Members written raw when the buffer is exactly full (4,096 bytes, its
 * first size): nothing goes past its end (the AddressSanitizer build
 * would say so). */
static void test_full_buffer(void)
{
    struct snt_json j;
    char fill[4096];
    memset(fill, ' ', sizeof fill);
    snt_json_init(&j);
    snt_json_raw(&j, fill, sizeof fill);
    CHECK(j.len == j.cap);
    snt_json_members_raw(&j, "\"a\":1", 5);
    CHECK(snt_json_ok(&j));
    CHECK(j.len == sizeof fill + 5 && memcmp(j.buf + sizeof fill, "\"a\":1", 5) == 0);
    snt_json_free(&j);
}

/* Members whose comma, key and value end at every place around the end of
 * the buffer's first 4,096 bytes: where they fit they are written in
 * place, else the buffer grows first; the text is the same either way. */
static void test_member_at_every_fill(void)
{
    static const char key[] = "certificate_chain_length"; /* longer than 16 */
    struct snt_json j;
    char fill[4096];
    memset(fill, ' ', sizeof fill);
    for (size_t gap = 0; gap <= 64; gap++) {
        snt_json_init(&j); /* at its first size each time */
        snt_json_raw(&j, fill, sizeof fill - gap);
        snt_json_begin_object(&j, NULL);
        snt_json_uint(&j, "n", gap);
        snt_json_string(&j, key, "v");
        snt_json_end_object(&j);
        char want[128];
        int n = snprintf(want, sizeof want, "{\"n\":%zu,\"%s\":\"v\"}", gap, key);
        CHECK(snt_json_ok(&j));
        CHECK(j.len == sizeof fill - gap + (size_t)n);
        CHECK(j.len >= (size_t)n && memcmp(j.buf + j.len - (size_t)n, want, (size_t)n) == 0);
        snt_json_free(&j);
    }
}

int main(void)
{
    test_full_buffer();
    test_member_at_every_fill();
    test_key_every_length();
    test_escape_every_position();
    test_same_as_cjson();
    test_empty_wire_string();
    test_limits();
    return snt_test_finish("json");
}
