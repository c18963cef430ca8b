/* Sessions: grouping by idle gap, attempts finishing after the gap, order
 * by start time, distinct names, one session per client. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/session.h"
#include "testutil.h"

#define SEC 1000000ull

static unsigned emitted;
static uint64_t last_id;
static unsigned last_count, last_lookups, last_lookups_total;
static char first_name[64];
static char summary[32768]; /* the last session written, as summarise() spells it */
static size_t summary_len;
static uint64_t ids[64]; /* ids in the order written */

static void put(const char *a, const char *b)
{
    int n = snprintf(summary + summary_len, sizeof summary - summary_len, "%s%s", a, b);
    if (n > 0 && (size_t)n < sizeof summary - summary_len)
        summary_len += (size_t)n;
}

/* "names a,b | attempts a@1,b@2 | lookups q=answers/chain" */
static void summarise(const struct snt_session *s)
{
    char at[32];
    summary_len = 0;
    summary[0] = '\0';
    put("names", "");
    for (unsigned i = 0; i < s->n_names; i++)
        put(i ? "," : " ", s->names[i]);
    put(" | attempts", "");
    for (unsigned i = 0; i < s->n_attempts; i++) {
        put(i ? "," : " ", s->attempts[i].name ? s->attempts[i].name : "-");
        snprintf(at, sizeof at, "%llu", (unsigned long long)(s->attempts[i].ts_usec / SEC));
        put("@", at);
    }
    put(" | lookups", "");
    for (unsigned i = 0; i < s->n_lookups; i++) {
        char answers[SNT_SESSION_LOOKUP_ANSWERS_TEXT];
        put(" ", s->lookups[i].question);
        put("=", snt_session_lookup_answers_text(&s->lookups[i], answers, sizeof answers) ? answers
                                                                                          : "-");
        put("/", s->lookups[i].chain ? s->lookups[i].chain : "-");
    }
}

static void on_session(const struct snt_session *s, void *arg)
{
    (void)arg;
    if (emitted < sizeof ids / sizeof ids[0])
        ids[emitted] = s->id;
    emitted++;
    last_id = s->id;
    last_count = s->attempts_total;
    last_lookups = s->n_lookups;
    last_lookups_total = s->lookups_total;
    snprintf(first_name, sizeof first_name, "%s",
             s->n_attempts && s->attempts[0].name ? s->attempts[0].name : "");
    summarise(s);
}

/* An attempt holds pointers into itself: filled in place, never returned. */
static void attempt(struct snt_attempt *a, uint8_t client, uint64_t ts, const char *name)
{
    snt_attempt_init(a);
    a->client.family = 4;
    a->client.b[0] = 192;
    a->client.b[3] = client;
    a->server.family = 4;
    a->server.b[0] = 198;
    a->ts_usec = ts;
    a->server_port = 443;
    snt_attempt_set_bytes(a, &a->name, (const uint8_t *)name, strlen(name), 255);
}

static void test_gap(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_attempt a, b, c;
    attempt(&a, 1, 100 * SEC, "a.test");
    attempt(&b, 1, 105 * SEC, "b.test");
    attempt(&c, 1, 200 * SEC, "c.test");
    snt_sessions_attempt_started(s, &a);
    snt_sessions_attempt_started(s, &b);
    CHECK_EQ_INT(a.session_id, b.session_id);
    /* b finishes first, but the session lists a first. */
    snt_sessions_attempt_finished(s, &b);
    snt_sessions_attempt_finished(s, &a);
    snt_sessions_advance(s, 110 * SEC);
    CHECK_EQ_INT(emitted, 0);
    snt_sessions_advance(s, 116 * SEC);
    CHECK_EQ_INT(emitted, 1);
    CHECK_EQ_INT(last_count, 2);
    CHECK(strcmp(first_name, "a.test") == 0);
    snt_sessions_attempt_started(s, &c);
    CHECK(c.session_id != a.session_id);
    snt_sessions_attempt_finished(s, &c);
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, 2);
    CHECK_EQ_INT(snt_sessions_written(s), 2);
    snt_sessions_free(s);
    snt_attempt_free(&a);
    snt_attempt_free(&b);
    snt_attempt_free(&c);
}

/* An attempt still being made when the gap passes keeps its session open
 * until it is written; a newcomer starts another session. */
static void test_draining(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_attempt slow, later;
    attempt(&slow, 2, 0, "slow.test");
    attempt(&later, 2, 60 * SEC, "later.test");
    snt_sessions_attempt_started(s, &slow);
    snt_sessions_advance(s, 30 * SEC);
    CHECK_EQ_INT(emitted, 0);
    snt_sessions_attempt_started(s, &later);
    CHECK(later.session_id != slow.session_id);
    snt_sessions_attempt_finished(s, &slow);
    CHECK_EQ_INT(emitted, 1);
    CHECK_EQ_INT(last_id, slow.session_id);
    snt_sessions_attempt_finished(s, &later);
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, 2);
    snt_sessions_free(s);
    snt_attempt_free(&slow);
    snt_attempt_free(&later);
}

/* The same in two steps: noting the slow attempt writes nothing and names
 * its session, complete now; closing it writes it, once; a session
 * still waiting for an attempt is not complete. */
static void test_draining_in_two_steps(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_attempt slow, other, later;
    attempt(&slow, 2, 0, "slow.test");
    attempt(&other, 2, 1 * SEC, "other.test");
    attempt(&later, 2, 60 * SEC, "later.test");
    snt_sessions_attempt_started(s, &slow);
    snt_sessions_attempt_started(s, &other);
    snt_sessions_advance(s, 30 * SEC);
    snt_sessions_attempt_started(s, &later);
    CHECK_EQ_INT(snt_sessions_attempt_note(s, &other), 0); /* slow is still out */
    uint64_t complete = snt_sessions_attempt_note(s, &slow);
    CHECK_EQ_INT(complete, slow.session_id);
    CHECK_EQ_INT(emitted, 0);
    snt_sessions_close_complete(s, complete);
    CHECK_EQ_INT(emitted, 1);
    CHECK_EQ_INT(last_id, slow.session_id);
    CHECK_EQ_INT(last_count, 2);
    snt_sessions_close_complete(s, complete); /* written already: nothing */
    snt_sessions_close_complete(s, 0);
    CHECK_EQ_INT(emitted, 1);
    CHECK_EQ_INT(snt_sessions_attempt_note(s, &later), 0); /* its session is open */
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, 2);
    snt_sessions_free(s);
    snt_attempt_free(&slow);
    snt_attempt_free(&other);
    snt_attempt_free(&later);
}

static void test_clients_apart(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_attempt x, y;
    attempt(&x, 3, SEC, "x.test");
    attempt(&y, 4, SEC, "y.test");
    snt_sessions_attempt_started(s, &x);
    snt_sessions_attempt_started(s, &y);
    CHECK(x.session_id != y.session_id);
    snt_sessions_attempt_finished(s, &x);
    snt_sessions_attempt_finished(s, &y);
    /* Freed without finishing: nothing is written, nothing leaks. */
    snt_sessions_free(s);
    CHECK_EQ_INT(emitted, 0);
    snt_attempt_free(&x);
    snt_attempt_free(&y);
}

static void expect_summary(const char *want)
{
    CHECK(strcmp(summary, want) == 0);
    if (strcmp(summary, want) != 0)
        fprintf(stderr, "  session: %s\n  expected %s\n", summary, want);
}

/* Attempts come out in start order whatever order they finish in (equal
 * starts in the order they finished); names are distinct, first seen
 * first, in their readable form. */
static void test_order_and_names(void)
{
    static const uint8_t nul_name[] = "nul.test\0.evil";
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_attempt a[6];
    const char *names[] = {"c.test", "b.test", "c.test", "a.test", "b.test", NULL};
    const uint64_t starts[] = {5, 3, 3, 1, 4, 2};
    for (unsigned i = 0; i < 6; i++) {
        attempt(&a[i], 9, starts[i] * SEC, names[i] ? names[i] : "");
        snt_sessions_attempt_started(s, &a[i]);
    }
    snt_attempt_set_bytes(&a[5], &a[5].name, nul_name, sizeof nul_name - 1, 255);
    for (unsigned i = 0; i < 6; i++)
        snt_sessions_attempt_finished(s, &a[i]);
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, 1);
    expect_summary("names c.test,b.test,a.test,nul.test\xef\xbf\xbd.evil | attempts "
                   "a.test@1,nul.test\xef\xbf\xbd.evil@2,b.test@3,c.test@3,b.test@4,c.test@5 | "
                   "lookups");
    snt_sessions_free(s);
    for (unsigned i = 0; i < 6; i++)
        snt_attempt_free(&a[i]);
}

static struct snt_dns_message *dns_response(const char *qname)
{
    static struct snt_dns_message m;
    memset(&m, 0, sizeof m);
    m.response = true;
    m.qtype = SNT_DNS_TYPE_A;
    snprintf(m.qname, sizeof m.qname, "%s", qname);
    return &m;
}

static void add_answer(struct snt_dns_message *m, const char *cname, const uint8_t *addr,
                       uint8_t len)
{
    struct snt_dns_answer *a = &m->answers[m->n_answers++];
    memset(a, 0, sizeof *a);
    a->type = cname ? SNT_DNS_TYPE_CNAME : len == 4 ? SNT_DNS_TYPE_A : SNT_DNS_TYPE_AAAA;
    if (cname)
        snprintf(a->cname, sizeof a->cname, "%s", cname);
    else
        memcpy(a->addr, addr, len);
    a->addr_len = cname ? 0 : len;
}

/* Lookups list their addresses and CNAME targets; a session of lookups
 * only is written like any other. */
static void test_lookups(void)
{
    static const uint8_t v4[4] = {192, 0, 2, 1}, v4b[4] = {10, 200, 0, 255};
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_addr client;
    memset(&client, 0, sizeof client);
    client.family = 4;
    client.b[0] = 192;
    struct snt_dns_message *m = dns_response("www.example.test");
    add_answer(m, "cdn.example.test", NULL, 0);
    add_answer(m, "edge.example.test", NULL, 0);
    add_answer(m, NULL, v4, 4);
    add_answer(m, NULL, v6, 16);
    add_answer(m, NULL, v4b, 4);
    snt_sessions_dns(s, &client, m, SEC);
    snt_sessions_dns(s, &client, dns_response("nothing.test"), 2 * SEC);
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, 1);
    expect_summary("names | attempts | lookups www.example.test=192.0.2.1,2001:db8::1,10.200.0.255/"
                   "cdn.example.test,edge.example.test nothing.test=-/-");
    snt_sessions_free(s);
}

/* The bounds: attempts, names and lookups listed up to their limits, all
 * of them counted. */
static void test_bounds(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(3600 * SEC, on_session, NULL);
    struct snt_attempt a;
    struct snt_addr client;
    char name[32];
    unsigned n = SNT_SESSION_MAX_ATTEMPTS + 10;
    for (unsigned i = 0; i < n; i++) {
        snprintf(name, sizeof name, "n%u.test", i);
        attempt(&a, 7, SEC + i, name);
        client = a.client;
        snt_sessions_attempt_started(s, &a);
        snt_sessions_attempt_finished(s, &a);
        snt_attempt_free(&a);
    }
    for (unsigned i = 0; i < SNT_SESSION_MAX_LOOKUPS + 3; i++)
        snt_sessions_dns(s, &client, dns_response("q.test"), 2 * SEC);
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, 1);
    CHECK_EQ_INT(last_count, n);
    CHECK(strstr(summary, "names n0.test,n1.test,") == summary);
    CHECK(strstr(summary, ",n127.test |") != NULL && strstr(summary, "n128.test,") == NULL);
    CHECK(strstr(summary, "n511.test@1") != NULL && strstr(summary, "n512.test") == NULL);
    CHECK_EQ_INT(last_lookups, SNT_SESSION_MAX_LOOKUPS);
    CHECK_EQ_INT(last_lookups_total, SNT_SESSION_MAX_LOOKUPS + 3);
    snt_sessions_free(s);
}

/* Past the first few names, repeats are found through the session's hash
 * table: every name listed once, in the order first seen. */
static void test_many_names(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(3600 * SEC, on_session, NULL);
    struct snt_attempt a;
    char name[32], want[1024] = "names";
    for (unsigned round = 0; round < 3; round++)
        for (unsigned i = 0; i < 20; i++) {
            snprintf(name, sizeof name, "%c%u.test", round == 1 ? 'N' : 'n', (i * 7) % 20);
            attempt(&a, 8, SEC, name);
            snt_sessions_attempt_started(s, &a);
            snt_sessions_attempt_finished(s, &a);
            snt_attempt_free(&a);
        }
    for (unsigned round = 0; round < 2; round++)
        for (unsigned i = 0; i < 20; i++) {
            snprintf(name, sizeof name, "%s%c%u.test", round || i ? "," : " ", round ? 'N' : 'n',
                     (i * 7) % 20);
            strcat(want, name);
        }
    snt_sessions_finish(s);
    CHECK(strncmp(summary, want, strlen(want)) == 0 && summary[strlen(want)] == ' ');
    if (strncmp(summary, want, strlen(want)) != 0)
        fprintf(stderr, "  session: %.300s\n  expected %s\n", summary, want);
    snt_sessions_free(s);
}

/* Sessions are recycled once written: a later one starts empty, and at
 * the end the open ones are written in the order they were opened. */
static void test_recycled(void)
{
    emitted = 0;
    struct snt_sessions *s = snt_sessions_new(10 * SEC, on_session, NULL);
    struct snt_attempt a;
    char name[32];
    for (unsigned round = 0; round < 20; round++) {
        for (unsigned c = 0; c < 3; c++) {
            snprintf(name, sizeof name, "r%u-c%u.test", round, c);
            attempt(&a, (uint8_t)(10 + c), (uint64_t)round * 100 * SEC, name);
            snt_sessions_attempt_started(s, &a);
            snt_sessions_attempt_finished(s, &a);
            snt_attempt_free(&a);
        }
        if (round == 5)
            expect_summary("names r4-c2.test | attempts r4-c2.test@400 | lookups");
    }
    CHECK_EQ_INT(emitted, 19 * 3);
    unsigned before = emitted;
    snt_sessions_finish(s);
    CHECK_EQ_INT(emitted, before + 3);
    CHECK(ids[before] < ids[before + 1] && ids[before + 1] < ids[before + 2]);
    expect_summary("names r19-c2.test | attempts r19-c2.test@1900 | lookups");
    snt_sessions_free(s);
}

/* A lookup's addresses as text: long addresses, as many as a lookup lists,
 * fit the room the header names; less room takes the addresses that fit
 * whole (room for the longest text an address may have, 46 bytes, is
 * asked of each), and always ends the text. */
static void test_answers_text(void)
{
    struct snt_addr addrs[SNT_SESSION_LOOKUP_ADDRS];
    for (unsigned i = 0; i < SNT_SESSION_LOOKUP_ADDRS; i++) {
        addrs[i].family = 6; /* ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff */
        memset(addrs[i].b, 0xff, sizeof addrs[i].b);
    }
    struct snt_session_lookup l = {.answers = addrs, .n_answers = SNT_SESSION_LOOKUP_ADDRS};
    char text[SNT_SESSION_LOOKUP_ANSWERS_TEXT];
    size_t n = snt_session_lookup_answers_text(&l, text, sizeof text);
    CHECK_EQ_INT(n, SNT_SESSION_LOOKUP_ADDRS * 40 - 1);
    CHECK_EQ_INT(strlen(text), n);
    CHECK(strncmp(text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,ffff:", 45) == 0);
    char small[100];
    n = snt_session_lookup_answers_text(&l, small, sizeof small);
    CHECK_EQ_INT(n, 2 * 40 - 1); /* 79 + 1 + 46 > 100 */
    CHECK_EQ_INT(strlen(small), n);
    l.n_answers = 0;
    CHECK_EQ_INT(snt_session_lookup_answers_text(&l, text, sizeof text), 0);
    CHECK_EQ_INT(text[0], '\0');
}

int main(void)
{
    test_answers_text();
    test_gap();
    test_draining();
    test_draining_in_two_steps();
    test_clients_apart();
    test_order_and_names();
    test_lookups();
    test_bounds();
    test_many_names();
    test_recycled();
    return snt_test_finish("session");
}
