/* Certificates kept decoded (src/cert_kept.c): found only for the very
 * bytes they were decoded from, the least recently used forgotten first,
 * references counted so a caller's copy outlives its eviction. */
#include <stdlib.h>
#include <string.h>

#include "../src/cert_internal.h"
#include "certutil.h"
#include "testutil.h"

static X509 *decode(const struct snt_span *s)
{
    const unsigned char *p = s->p;
    return d2i_X509(NULL, &p, (long)s->len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    struct snt_span a = snt_test_cert(argv[1], "www"), b = snt_test_cert(argv[1], "other-leaf");
    struct snt_span c = snt_test_cert(argv[1], "intermediate");
    X509 *xa = decode(&a), *xb = decode(&b), *xc = decode(&c);
    CHECK(xa && xb && xc);
    struct snt_cert_kept *k = snt_cert_kept_new(2);
    CHECK(k != NULL);

    snt_cert_kept_put(k, &a, xa);
    snt_cert_kept_put(k, &b, xb);
    /* The same bytes from another buffer find it, as a reference more. */
    uint8_t *copy = malloc(a.len);
    memcpy(copy, a.p, a.len);
    struct snt_span a2 = {copy, a.len};
    X509 *found = snt_cert_kept_find(k, &a2);
    CHECK(found == xa);
    X509_free(found);
    /* One byte changed: not the same certificate. */
    copy[a.len - 1] ^= 1;
    CHECK(snt_cert_kept_find(k, &a2) == NULL);

    /* a was used last, so c pushes b out. */
    snt_cert_kept_put(k, &c, xc);
    CHECK(snt_cert_kept_find(k, &b) == NULL);
    found = snt_cert_kept_find(k, &c);
    CHECK(found == xc);
    X509_free(found);
    found = snt_cert_kept_find(k, &a);
    CHECK(found == xa);

    /* A reference held past the table's end stays good. */
    snt_cert_kept_free(k);
    CHECK(found && X509_get_subject_name(found) != NULL);
    X509_free(found);

    /* Nothing kept: empty, missing or oversized bytes, a NULL table. */
    k = snt_cert_kept_new(4);
    struct snt_span empty = {NULL, 0};
    uint8_t *big = calloc(1, 16385);
    struct snt_span huge = {big, 16385};
    snt_cert_kept_put(k, &empty, xa);
    snt_cert_kept_put(k, &huge, xa);
    CHECK(snt_cert_kept_find(k, &empty) == NULL);
    CHECK(snt_cert_kept_find(k, &huge) == NULL);
    CHECK(snt_cert_kept_find(NULL, &a) == NULL);
    snt_cert_kept_put(NULL, &a, xa);
    /* Keeping the same bytes twice keeps one. */
    snt_cert_kept_put(k, &a, xa);
    snt_cert_kept_put(k, &a, xa);
    found = snt_cert_kept_find(k, &a);
    CHECK(found == xa);
    X509_free(found);
    snt_cert_kept_free(k);

    free(big);
    free(copy);
    X509_free(xa);
    X509_free(xb);
    X509_free(xc);
    free((void *)a.p);
    free((void *)b.p);
    free((void *)c.p);
    return snt_test_finish("cert_kept");
}
