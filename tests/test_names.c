/* The DNS name cache: CNAME chains, per-client answers before the shared
 * fallback, replacement, and the bound. */
#include <string.h>

#include "snitrace/names.h"
#include "testutil.h"

static struct snt_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct snt_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.b[0] = a;
    x.b[1] = b;
    x.b[2] = c;
    x.b[3] = d;
    return x;
}

static void add_cname(struct snt_dns_message *m, const char *owner, const char *target)
{
    struct snt_dns_answer *a = &m->answers[m->n_answers++];
    a->type = SNT_DNS_TYPE_CNAME;
    snprintf(a->owner, sizeof a->owner, "%s", owner);
    snprintf(a->cname, sizeof a->cname, "%s", target);
}

static void add_a(struct snt_dns_message *m, const char *owner, struct snt_addr addr)
{
    struct snt_dns_answer *a = &m->answers[m->n_answers++];
    a->type = SNT_DNS_TYPE_A;
    snprintf(a->owner, sizeof a->owner, "%s", owner);
    memcpy(a->addr, addr.b, 4);
    a->addr_len = 4;
}

static struct snt_dns_message response(const char *qname)
{
    struct snt_dns_message m;
    memset(&m, 0, sizeof m);
    m.response = true;
    m.qtype = SNT_DNS_TYPE_A;
    snprintf(m.qname, sizeof m.qname, "%s", qname);
    return m;
}

static void test_chain(void)
{
    struct snt_names *n = snt_names_new(0);
    struct snt_addr client = v4(192, 0, 2, 10), server = v4(198, 51, 100, 7);
    struct snt_dns_message m = response("www.example.test");
    add_cname(&m, "www.example.test", "cdn.example.test");
    add_cname(&m, "cdn.example.test", "edge.cdn.test");
    add_a(&m, "edge.cdn.test", server);
    add_a(&m, "unrelated.test", v4(203, 0, 113, 1)); /* not reached from the question */
    CHECK_EQ_INT(snt_names_learn(n, &client, &m, 1), 1);
    const struct snt_name_entry *e = snt_names_lookup(n, &client, &server);
    CHECK(e && strcmp(e->qname, "www.example.test") == 0);
    CHECK(e && e->n_chain == 2 && strcmp(snt_name_entry_chain(e, 1), "edge.cdn.test") == 0);
    struct snt_addr other = v4(203, 0, 113, 1);
    CHECK(snt_names_lookup(n, &client, &other) == NULL);
    snt_names_free(n);
}

static void test_per_client_first(void)
{
    struct snt_names *n = snt_names_new(0);
    struct snt_addr alice = v4(192, 0, 2, 1), bob = v4(192, 0, 2, 2), carol = v4(192, 0, 2, 3);
    struct snt_addr shared = v4(198, 51, 100, 22);
    struct snt_dns_message a = response("example.test"), b = response("www.example.test");
    add_a(&a, "example.test", shared);
    add_a(&b, "www.example.test", shared);
    snt_names_learn(n, &alice, &a, 1);
    snt_names_learn(n, &bob, &b, 2);
    CHECK(strcmp(snt_names_lookup(n, &alice, &shared)->qname, "example.test") == 0);
    CHECK(strcmp(snt_names_lookup(n, &bob, &shared)->qname, "www.example.test") == 0);
    /* Carol asked nothing: the latest answer to anyone. */
    CHECK(strcmp(snt_names_lookup(n, &carol, &shared)->qname, "www.example.test") == 0);
    snt_names_free(n);
}

static void test_bound(void)
{
    struct snt_names *n = snt_names_new(4);
    struct snt_addr client = v4(192, 0, 2, 1);
    for (uint8_t i = 0; i < 10; i++) {
        struct snt_dns_message m = response("x.test");
        add_a(&m, "x.test", v4(198, 51, 100, i));
        snt_names_learn(n, &client, &m, i);
    }
    struct snt_addr first = v4(198, 51, 100, 0), last = v4(198, 51, 100, 9);
    CHECK(snt_names_lookup(n, &client, &first) == NULL);
    CHECK(snt_names_lookup(n, &client, &last) != NULL);
    CHECK(snt_names_evictions(n) > 0);
    snt_names_free(n);
}

/* A chain too long for an entry's own room still comes back whole. */
static void test_long_chain(void)
{
    struct snt_names *n = snt_names_new(0);
    struct snt_addr client = v4(192, 0, 2, 10), server = v4(198, 51, 100, 8);
    char names[SNT_NAMES_MAX_CHAIN + 1][80];
    struct snt_dns_message m = response("start.example.test");
    snprintf(names[0], sizeof names[0], "start.example.test");
    for (unsigned i = 1; i <= SNT_NAMES_MAX_CHAIN; i++) {
        snprintf(names[i], sizeof names[i], "hop%u.a-rather-long-label-for-a-cdn.example.test", i);
        add_cname(&m, names[i - 1], names[i]);
    }
    add_a(&m, names[SNT_NAMES_MAX_CHAIN], server);
    CHECK_EQ_INT(snt_names_learn(n, &client, &m, 1), 1);
    const struct snt_name_entry *e = snt_names_lookup(n, &client, &server);
    CHECK(e && e->n_chain == SNT_NAMES_MAX_CHAIN);
    for (unsigned i = 0; e && i < SNT_NAMES_MAX_CHAIN; i++)
        CHECK(strcmp(snt_name_entry_chain(e, i), names[i + 1]) == 0);
    /* replaced by a short answer, then by the long one again */
    struct snt_dns_message s = response("short.test");
    add_a(&s, "short.test", server);
    snt_names_learn(n, &client, &s, 2);
    e = snt_names_lookup(n, &client, &server);
    CHECK(e && e->n_chain == 0 && strcmp(e->qname, "short.test") == 0 && e->ts_usec == 2);
    snt_names_learn(n, &client, &m, 3);
    e = snt_names_lookup(n, &client, &server);
    CHECK(e && e->n_chain == SNT_NAMES_MAX_CHAIN &&
          strcmp(snt_name_entry_chain(e, 7), names[8]) == 0);
    snt_names_free(n);
}

/* Many clients and servers: every one found, through the table's growth;
 * the same pair learnt again replaces, it does not add. */
static void test_many(void)
{
    struct snt_names *n = snt_names_new(0);
    for (unsigned i = 0; i < 6000; i++) {
        struct snt_addr client = v4(10, 0, (uint8_t)(i >> 8), (uint8_t)i);
        struct snt_dns_message m = response(i % 2 ? "odd.test" : "even.test");
        add_a(&m, m.qname, v4(198, 18, (uint8_t)(i >> 8), (uint8_t)i));
        CHECK_EQ_INT(snt_names_learn(n, &client, &m, i), 1);
        CHECK_EQ_INT(snt_names_learn(n, &client, &m, i), 1);
    }
    for (unsigned i = 0; i < 6000; i++) {
        struct snt_addr client = v4(10, 0, (uint8_t)(i >> 8), (uint8_t)i);
        struct snt_addr server = v4(198, 18, (uint8_t)(i >> 8), (uint8_t)i);
        const struct snt_name_entry *e = snt_names_lookup(n, &client, &server);
        CHECK(e && e->ts_usec == i && strcmp(e->qname, i % 2 ? "odd.test" : "even.test") == 0);
        struct snt_addr other = v4(10, 1, (uint8_t)(i >> 8), (uint8_t)i);
        const struct snt_name_entry *f = snt_names_lookup(n, &other, &server);
        CHECK(f && f != e && f->client.family == 0 && strcmp(f->qname, e->qname) == 0);
    }
    CHECK_EQ_INT(snt_names_evictions(n), 0);
    snt_names_free(n);
}

int main(void)
{
    test_chain();
    test_per_client_first();
    test_bound();
    test_long_chain();
    test_many();
    return snt_test_finish("names");
}
