/* Untrusted bytes made valid UTF-8 for JSON, and the wire strings of attempts. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/attempt.h"
#include "snitrace/utf8.h"
#include "snitrace/output.h"
#include "testutil.h"

struct vector {
    const char *in;
    size_t len;
    const char *out;
};

#define V(s, o)                                                                                    \
    {                                                                                              \
        s, sizeof(s) - 1, o                                                                        \
    }
#define FFFD "\xef\xbf\xbd"

static const struct vector vectors[] = {
    V("www.example.test", "www.example.test"),
    V("", ""),
    V("caf\xc3\xa9", "caf\xc3\xa9"),
    V("\xe2\x82\xac", "\xe2\x82\xac"),
    V("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),
    V("a\xffz", "a" FFFD "z"),
    V("\xc0\xaf", FFFD FFFD),                   /* overlong '/' */
    V("\xe0\x80\xaf", FFFD FFFD FFFD),          /* overlong */
    V("\xed\xa0\x80", FFFD FFFD FFFD),          /* surrogate */
    V("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD), /* above U+10FFFF */
    V("\xe2\x82", FFFD FFFD),                   /* cut short */
    V("a\x00"
      "b",
      "a" FFFD "b"),
    V("\x80", FFFD),
};

/* Wire strings keep whether they were cut, through copies; their readable
 * form never stops at a NUL. */
static void test_bytes(void)
{
    static const uint8_t nul_name[] = "www.example.test\0.evil";
    struct snt_attempt a, copy;
    snt_attempt_init(&a);
    uint8_t long_name[300];
    memset(long_name, 'a', sizeof long_name);
    snt_attempt_set_bytes(&a, &a.name, long_name, sizeof long_name, SNT_MAX_NAME_LEN);
    CHECK_EQ_INT(a.name.len, SNT_MAX_NAME_LEN);
    CHECK(a.name.truncated);
    snt_attempt_set_bytes(&a, &a.sni, nul_name, sizeof nul_name - 1, SNT_MAX_NAME_LEN);
    CHECK(!a.sni.truncated);
    snt_attempt_copy(&copy, &a);
    CHECK(copy.name.truncated && !copy.sni.truncated);
    char *readable = snt_bytes_readable(&copy.sni);
    CHECK(readable && strcmp(readable, "www.example.test" FFFD ".evil") == 0);
    free(readable);
    CHECK(!snt_utf8_is_clean(copy.sni.p, copy.sni.len));
    snt_attempt_set_bytes(&a, &a.name, long_name, SNT_MAX_NAME_LEN, SNT_MAX_NAME_LEN);
    CHECK(!a.name.truncated);
    snt_attempt_free(&copy);
    snt_attempt_free(&a);
    CHECK(snt_bytes_readable(&a.name) == NULL);
}

int main(void)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const struct vector *v = &vectors[i];
        uint8_t *in = snt_test_exact_copy((const uint8_t *)v->in, v->len);
        char *out = snt_utf8_sanitize(in, v->len);
        CHECK(out != NULL);
        if (out && strcmp(out, v->out) != 0) {
            fprintf(stderr, "vector %zu: got '%s'\n", i, out);
            CHECK(false);
        }
        /* Clean exactly when sanitizing keeps the bytes as they are. */
        bool same = out && strlen(out) == v->len && memcmp(out, v->in, v->len) == 0;
        CHECK_EQ_INT(snt_utf8_is_clean(in, v->len), same);
        free(out);
        free(in);
    }
    test_bytes();
    return snt_test_finish("utf8");
}
