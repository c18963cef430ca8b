/* Untrusted bytes made valid UTF-8 for JSON. */
#include <stdlib.h>
#include <string.h>

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
        free(out);
        free(in);
    }
    return snt_test_finish("utf8");
}
