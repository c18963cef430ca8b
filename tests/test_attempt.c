/* Attempt strings: copied into the attempt's own text area while it has
 * room, into blocks of their own after that; bounded, replaced, copied
 * whole by snt_attempt_copy, and gone with snt_attempt_free. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/attempt.h"
#include "testutil.h"

static bool in_area(const struct snt_attempt *a, const struct snt_bytes *b)
{
    return b->p >= a->text.bytes && b->p < a->text.bytes + sizeof a->text.bytes;
}

static bool holds(const struct snt_bytes *b, const uint8_t *p, size_t len)
{
    return b->len == len && memcmp(b->p, p, len) == 0 && b->p[len] == 0;
}

static void set_str(struct snt_attempt *a, struct snt_bytes *b, const char *s)
{
    snt_attempt_set_bytes(a, b, (const uint8_t *)s, strlen(s), SNT_MAX_NAME_LEN);
}

/* An ordinary connection's strings take no allocation. */
static void test_inline(void)
{
    struct snt_attempt a;
    snt_attempt_init(&a);
    set_str(&a, &a.sni, "www.example.test");
    set_str(&a, &a.name, "www.example.test");
    a.n_alpn = 2;
    set_str(&a, &a.alpn[0], "h2");
    set_str(&a, &a.alpn[1], "http/1.1");
    CHECK(in_area(&a, &a.sni) && in_area(&a, &a.name) && in_area(&a, &a.alpn[1]));
    CHECK(a.text.spill == NULL);
    CHECK(a.sni.p != a.name.p); /* each string its own bytes */
    CHECK(holds(&a.alpn[1], (const uint8_t *)"http/1.1", 8));
    /* empty strings have no bytes at all */
    set_str(&a, &a.next_protocol, "");
    CHECK(a.next_protocol.p == NULL && a.next_protocol.len == 0);
    snt_attempt_free(&a);
}

/* Strings past the area's room still come out whole; the bound truncates
 * and says so; a string set again from another of the same attempt. */
static void test_spill_and_bounds(void)
{
    static uint8_t uri[2048], name[300];
    struct snt_attempt a;
    memset(uri, 'u', sizeof uri);
    memset(name, 'n', sizeof name);
    snt_attempt_init(&a);
    snt_attempt_set_bytes(&a, &a.name, name, sizeof name, SNT_MAX_NAME_LEN);
    CHECK(a.name.truncated && a.name.len == SNT_MAX_NAME_LEN);
    CHECK(in_area(&a, &a.name));
    snt_attempt_set_bytes(&a, &a.http_uri, uri, sizeof uri, sizeof uri);
    CHECK(!a.http_uri.truncated && holds(&a.http_uri, uri, sizeof uri));
    CHECK(!in_area(&a, &a.http_uri) && a.text.spill != NULL);
    for (unsigned i = 0; i < 8; i++) {
        a.n_cname++;
        snt_attempt_set_bytes(&a, &a.cname_chain[i], name, SNT_MAX_NAME_LEN, SNT_MAX_NAME_LEN);
    }
    for (unsigned i = 0; i < 8; i++)
        CHECK(holds(&a.cname_chain[i], name, SNT_MAX_NAME_LEN));
    CHECK(holds(&a.name, name, SNT_MAX_NAME_LEN)); /* untouched by the later ones */
    /* the source may be a string of the same attempt, even the same one */
    snt_attempt_set_bytes(&a, &a.dns_qname, a.cname_chain[7].p, 10, SNT_MAX_NAME_LEN);
    CHECK(holds(&a.dns_qname, name, 10));
    snt_attempt_set_bytes(&a, &a.dns_qname, a.dns_qname.p + 2, 5, SNT_MAX_NAME_LEN);
    CHECK(holds(&a.dns_qname, name, 5));
    /* set again shorter: not truncated any more */
    snt_attempt_set_bytes(&a, &a.name, name, 3, SNT_MAX_NAME_LEN);
    CHECK(!a.name.truncated && holds(&a.name, name, 3));
    snt_attempt_free(&a);
    CHECK(a.name.len == 0 && a.name.p == NULL && a.text.used == 0 && a.text.spill == NULL);
}

/* A copy owns every string (the STARTTLS refusal and spilled ones too)
 * and outlives the original. */
static void test_copy(void)
{
    static uint8_t uri[1500];
    struct snt_attempt *a = malloc(sizeof *a), *c = malloc(sizeof *c);
    if (!a || !c)
        abort();
    memset(uri, '/', sizeof uri);
    snt_attempt_init(a);
    set_str(a, &a->sni, "mail.example.test");
    set_str(a, &a->starttls_refused, "454 TLS not available");
    snt_attempt_set_bytes(a, &a->http_uri, uri, sizeof uri, sizeof uri);
    a->n_cname = 1;
    set_str(a, &a->cname_chain[0], "edge.example.test");
    a->sni.truncated = true;
    snt_attempt_copy(c, a);
    memset(a->text.bytes, 0xee, sizeof a->text.bytes); /* what the copy must not read */
    snt_attempt_free(a);
    free(a);
    CHECK(holds(&c->sni, (const uint8_t *)"mail.example.test", 17) && c->sni.truncated);
    CHECK(holds(&c->starttls_refused, (const uint8_t *)"454 TLS not available", 21));
    CHECK(holds(&c->http_uri, uri, sizeof uri));
    CHECK(holds(&c->cname_chain[0], (const uint8_t *)"edge.example.test", 17));
    CHECK(in_area(c, &c->sni) && in_area(c, &c->starttls_refused));
    snt_attempt_free(c);
    free(c);
}

int main(void)
{
    test_inline();
    test_spill_and_bounds();
    test_copy();
    return snt_test_finish("attempt");
}
