/* The report stage's ordered queue (src/report.c): with a verdict pending,
 * later events are held and reach their handlers in the engine's order,
 * with the same contents (a held start's session id reaches its finished
 * attempt; runs of "time moved" become the latest time); without holding,
 * the handlers see exactly the same; a held copy may be taken by the
 * finished handler; a leaf that does not parse is counted when its
 * verdict is collected; capture time noted reaches the handlers once, at
 * its latest, before what comes next.
 *
 * Usage: test_report CERT_DIR (the certificates of tests/certs/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certutil.h"
#include "snitrace/report.h"
#include "testutil.h"

#define T_2025_06_01 INT64_C(1748736000)

static char log_lines[32][96];
static unsigned n_log;

/* The next line of the handlers' log (the last one again when it is full). */
static char *next_line(void)
{
    if (n_log < sizeof log_lines / sizeof log_lines[0])
        n_log++;
    return log_lines[n_log - 1];
}
#define LINE sizeof log_lines[0]

/* Sessions as a stand-in: one per client, its id from the client's last byte. */
static void on_started(struct snt_attempt *a, void *arg)
{
    (void)arg;
    a->session_id = 100u + a->client.b[3];
    snprintf(next_line(), LINE, "start %u %s", a->client.b[3],
             a->server_port ? "full" : "stand-in");
}

/* The DNS message given to the report, to compare what its handler gets. */
static struct snt_dns_message dns_sent;

static bool same_answer(const struct snt_dns_answer *a, const struct snt_dns_answer *b)
{
    return a->type == b->type && a->ttl == b->ttl && strcmp(a->owner, b->owner) == 0 &&
           a->addr_len == b->addr_len && memcmp(a->addr, b->addr, sizeof a->addr) == 0 &&
           strcmp(a->cname, b->cname) == 0;
}

/* Whether m says all that was sent: every field, every answer kept. */
static bool same_dns(const struct snt_dns_message *m)
{
    const struct snt_dns_message *d = &dns_sent;
    bool same = m->id == d->id && m->response == d->response && m->opcode == d->opcode &&
                m->rcode == d->rcode && m->truncated_flag == d->truncated_flag &&
                m->qdcount == d->qdcount && m->ancount == d->ancount &&
                strcmp(m->qname, d->qname) == 0 && m->qtype == d->qtype &&
                m->n_answers == d->n_answers && m->answers_dropped == d->answers_dropped &&
                m->answers_read == d->answers_read && m->malformed == d->malformed;
    for (unsigned i = 0; same && i < d->n_answers; i++)
        same = same_answer(&m->answers[i], &d->answers[i]);
    return same;
}

static void on_dns(const struct snt_addr *client, const struct snt_dns_message *m, uint64_t ts,
                   void *arg)
{
    (void)arg;
    snprintf(next_line(), LINE, "dns %u %.40s at %llu%s", client->b[3], m->qname,
             (unsigned long long)ts, same_dns(m) ? "" : " changed");
}

/* A response as the parser leaves it: three answers (a CNAME, then an A
 * and an AAAA for its target), each name at the start of its array. */
static void make_dns(struct snt_dns_message *m)
{
    static const uint8_t v4[4] = {192, 0, 2, 7}, v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};
    memset(m, 0, sizeof *m);
    m->id = 0x4242;
    m->response = true;
    m->rcode = 0;
    m->qdcount = 1;
    m->ancount = 4;
    strcpy(m->qname, "c.example.test");
    m->qtype = SNT_DNS_TYPE_A;
    m->n_answers = 3;
    m->answers_dropped = 1;
    m->answers_read = 4;
    m->malformed = true;
    struct snt_dns_answer *a = m->answers;
    a[0].type = SNT_DNS_TYPE_CNAME;
    a[0].ttl = 300;
    strcpy(a[0].owner, "c.example.test");
    memset(a[0].cname, 'x', 255); /* the longest name there is room for */
    a[1].type = SNT_DNS_TYPE_A;
    a[1].ttl = 60;
    memset(a[1].owner, 'x', 255);
    memcpy(a[1].addr, v4, sizeof v4);
    a[1].addr_len = 4;
    a[2].type = SNT_DNS_TYPE_AAAA;
    a[2].ttl = 61;
    strcpy(a[2].owner, "edge.cdn.test");
    memcpy(a[2].addr, v6, sizeof v6);
    a[2].addr_len = 16;
}

static void on_scan(const struct snt_scan_record *rec, void *arg)
{
    (void)arg;
    snprintf(next_line(), LINE, "scan %llu", (unsigned long long)rec->attempts);
}

static void on_advance(uint64_t now, void *arg)
{
    (void)arg;
    snprintf(next_line(), LINE, "advance %llu", (unsigned long long)now);
}

static void on_stats(const struct snt_stats *s, uint64_t ts, bool final, void *arg)
{
    (void)arg;
    (void)ts;
    snprintf(next_line(), LINE, "stats %llu%s", (unsigned long long)s->attempts,
             final ? " final" : "");
}

/* Held copies offered to the finished handler, and (take_blocks) the
 * ones it took, another block or none given back in turn. */
static bool take_blocks;
static unsigned n_given;
static struct snt_attempt *taken[8];
static unsigned n_taken;

static void take(struct snt_attempt **block)
{
    if (!block)
        return;
    CHECK(*block != NULL);
    n_given++;
    if (!take_blocks || n_taken >= sizeof taken / sizeof taken[0])
        return;
    taken[n_taken] = *block;
    *block = n_taken++ % 2 ? NULL : calloc(1, sizeof **block); /* owns nothing */
}

static void free_taken(void)
{
    for (unsigned i = 0; i < n_taken; i++) {
        snt_attempt_free(taken[i]);
        free(taken[i]);
    }
    n_taken = 0;
}

static void on_finished(struct snt_attempt *a, struct snt_attempt **block, void *arg)
{
    (void)arg;
    CHECK(!block || *block == a);
    char what[64];
    snprintf(what, sizeof what, "session %llu cert %s", (unsigned long long)a->session_id,
             a->cert_job                  ? "pending"
             : a->cert.info.sha256_hex[0] ? "judged"
                                          : "none");
    snprintf(next_line(), LINE, "finish %u %s", a->client.b[3], what);
    take(block); /* after the last look at a */
}

static void make(struct snt_attempt *a, uint8_t client)
{
    snt_attempt_init(a);
    a->client.family = a->server.family = 4;
    a->client.b[0] = 192;
    a->client.b[3] = client;
    a->server_port = 443;
    a->ts_usec = 1000u * client;
}

struct scenario {
    struct snt_cert_checker *checker;
    struct snt_cert_judge *judge;
    struct snt_report *report;
};

static void open_scenario(struct scenario *s, const char *dir, bool hold, size_t max_bytes)
{
    static const struct snt_report_handlers h = {on_started, on_dns,      on_scan, on_advance,
                                                 on_stats,   on_finished, NULL};
    s->checker = snt_test_checker(dir, 0, 0);
    s->judge = snt_cert_judge_new(s->checker, true, 16);
    s->report = snt_report_new(&h, s->judge, hold, 4, max_bytes);
    CHECK(s->judge && s->report);
    n_log = 0;
    n_given = 0;
}

static void close_scenario(struct scenario *s)
{
    snt_report_free(s->report);
    snt_cert_judge_free(s->judge);
    snt_cert_checker_free(s->checker);
}

/* Chains ahead of A's in the judge's queue, each new to the checker, so
 * that A's verdict cannot be in when A is finished. */
#define AHEAD 3
static const char *const ahead_leaves[AHEAD] = {"many-sans", "partial-wildcard", "rsa1024"};

/* The engine's attempts: its own, to be read during the call only, or
 * (engine_blocks) each in a block of its own that the report may take,
 * giving another back (or none). */
static bool engine_blocks;
static struct snt_attempt *block_of[3];

static struct snt_attempt **offered(unsigned i)
{
    return engine_blocks ? &block_of[i] : NULL;
}

static void finished(struct snt_report *r, struct snt_attempt *a, unsigned i)
{
    struct snt_attempt **block = offered(i);
    snt_report_finished(r, a, block);
    if (!block || *block == a)
        CHECK(a->cert_job == NULL); /* taken, or collected */
}

static void free_blocks(void)
{
    for (unsigned i = 0; i < 3; i++) {
        snt_attempt_free(block_of[i]);
        free(block_of[i]);
        block_of[i] = NULL;
    }
}

/* A's chain is judged while B, C and the rest come in behind it.  bad: the
 * leaf parse errors expected. */
static void run(const char *dir, bool hold, size_t max_bytes, struct snt_span leaf,
                struct snt_span im, unsigned bad)
{
    struct scenario s;
    open_scenario(&s, dir, hold, max_bytes);
    static struct snt_attempt ahead[AHEAD], own[3];
    for (unsigned i = 0; i < 3; i++)
        block_of[i] = engine_blocks ? malloc(sizeof *block_of[i]) : NULL;
    CHECK(!engine_blocks || (block_of[0] && block_of[1] && block_of[2]));
    struct snt_attempt *a = engine_blocks ? block_of[0] : &own[0];
    struct snt_attempt *b = engine_blocks ? block_of[1] : &own[1];
    struct snt_attempt *c = engine_blocks ? block_of[2] : &own[2];
    for (unsigned i = 0; i < AHEAD; i++) {
        struct snt_span chain[2] = {snt_test_cert(dir, ahead_leaves[i]), im};
        make(&ahead[i], (uint8_t)(10 + i));
        snt_cert_judge_submit(s.judge, &ahead[i], chain, 2, 2, T_2025_06_01, SNT_CERT_SOURCE_WIRE);
        free((void *)chain[0].p);
    }
    static struct snt_dns_message m;
    struct snt_scan_record rec;
    struct snt_stats st;
    struct snt_span chain[2] = {leaf, im};
    make(a, 1);
    make(b, 2);
    make(c, 3);
    snt_report_started(s.report, a);
    snt_cert_judge_submit(s.judge, a, chain, 2, 2, T_2025_06_01, SNT_CERT_SOURCE_WIRE);
    snt_report_started(s.report, b);
    finished(s.report, a, 0);
    snt_report_started(s.report, c);
    make_dns(&dns_sent);
    m = dns_sent;
    snt_report_dns(s.report, &c->client, &m, 3500);
    memset(&m, 0xa5, sizeof m); /* the engine reuses its message at once */
    snt_report_advance(s.report, 4000);
    snt_report_advance(s.report, 3900); /* capture time may step back */
    snt_report_advance(s.report, 5000);
    memset(&rec, 0, sizeof rec);
    rec.attempts = 7;
    snt_report_scan(s.report, &rec);
    memset(&st, 0, sizeof st);
    st.attempts = 3;
    snt_report_stats(s.report, &st, 5000, false);
    finished(s.report, c, 2);
    finished(s.report, b, 1);
    snt_report_drain(s.report);
    CHECK_EQ_INT(snt_report_cert_parse_errors(s.report), bad);
    for (unsigned i = 0; i < AHEAD; i++) {
        snt_cert_judge_collect(s.judge, &ahead[i]);
        snt_attempt_free(&ahead[i]);
    }
    close_scenario(&s);
    if (engine_blocks) {
        free_blocks(); /* what the report gave back in place of those it took */
        return;
    }
    for (unsigned i = 0; i < 3; i++)
        snt_attempt_free(&own[i]);
}

static void check_log(const char *const *want, unsigned n)
{
    CHECK_EQ_INT(n_log, n);
    for (unsigned i = 0; i < n && i < n_log; i++) {
        CHECK(strcmp(log_lines[i], want[i]) == 0);
        if (strcmp(log_lines[i], want[i]) != 0)
            fprintf(stderr, "  event %u: \"%s\", expected \"%s\"\n", i, log_lines[i], want[i]);
    }
}

static void test_order(const char *dir)
{
    struct snt_span www = snt_test_cert(dir, "www"), im = snt_test_cert(dir, "intermediate");
    /* Held: C's start waits behind A, and gets its session all the same. */
    const char *const held[] = {"start 1 full",
                                "start 2 full",
                                "finish 1 session 101 cert judged",
                                "start 3 stand-in",
                                "dns 3 c.example.test at 3500",
                                "advance 5000",
                                "scan 7",
                                "stats 3",
                                "finish 3 session 103 cert none",
                                "finish 2 session 102 cert none"};
    run(dir, true, 1u << 20, www, im, 0);
    check_log(held, sizeof held / sizeof held[0]);
    /* A's copy was held (its verdict cannot be in when it finishes), and
     * so were those finished behind it, until the verdict came. */
    CHECK(n_given >= 1 && n_given <= 3);
    /* The handler taking the copies (and giving blocks back, or none)
     * changes nothing the handlers see; the report goes on with what it
     * was given (ASan: nothing freed twice or lost). */
    take_blocks = true;
    run(dir, true, 1u << 20, www, im, 0);
    check_log(held, sizeof held / sizeof held[0]);
    CHECK(n_taken >= 1 && n_taken == n_given);
    for (unsigned i = 0; i < n_taken; i++)
        CHECK(taken[i]->session_id == 100u + taken[i]->client.b[3]);
    free_taken();
    take_blocks = false;
    /* Not held: the same, each event in turn (the three advances apart). */
    const char *direct[] = {"start 1 full",
                            "start 2 full",
                            "finish 1 session 101 cert judged",
                            "start 3 full",
                            "dns 3 c.example.test at 3500",
                            "advance 4000",
                            "advance 3900",
                            "advance 5000",
                            "scan 7",
                            "stats 3",
                            "finish 3 session 103 cert none",
                            "finish 2 session 102 cert none"};
    run(dir, false, 1u << 20, www, im, 0);
    check_log(direct, sizeof direct / sizeof direct[0]);
    CHECK_EQ_INT(n_given, 0); /* the engine's own attempts */
    /* The engine's attempts in blocks of their own: held without a copy,
     * or offered to the handler when not held; the handlers see the same,
     * whoever takes which block (ASan: none freed twice or lost). */
    engine_blocks = true;
    run(dir, false, 1u << 20, www, im, 0);
    check_log(direct, sizeof direct / sizeof direct[0]);
    CHECK_EQ_INT(n_given, 3);
    run(dir, true, 1u << 20, www, im, 0);
    check_log(held, sizeof held / sizeof held[0]);
    CHECK_EQ_INT(n_given, 3);
    take_blocks = true;
    run(dir, true, 1u << 20, www, im, 0);
    check_log(held, sizeof held / sizeof held[0]);
    CHECK_EQ_INT(n_taken, 3);
    for (unsigned i = 0; i < n_taken; i++)
        CHECK(taken[i]->session_id == 100u + taken[i]->client.b[3]);
    free_taken();
    run(dir, false, 1u << 20, www, im, 0);
    check_log(direct, sizeof direct / sizeof direct[0]);
    CHECK_EQ_INT(n_taken, 3);
    free_taken();
    take_blocks = false;
    engine_blocks = false;
    /* At most one copy held at a time: a copy that does not fit waits for
     * what is ahead, so later advances go straight through; C's start
     * was still held. */
    direct[3] = "start 3 stand-in";
    run(dir, true, 1, www, im, 0);
    check_log(direct, sizeof direct / sizeof direct[0]);
    /* A leaf that does not parse: counted when collected, held or not. */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct snt_span bad = {junk, sizeof junk};
    run(dir, true, 1u << 20, bad, im, 1);
    run(dir, false, 1u << 20, bad, im, 1);
    free((void *)www.p);
    free((void *)im.p);
}

/* Capture time (snt_report_time) is handed on once, at its latest, just
 * before the next event, poll or drain, and not again when it did not
 * move since. */
static void test_time(const char *dir)
{
    struct scenario s;
    open_scenario(&s, dir, false, 1u << 20);
    struct snt_attempt a;
    struct snt_scan_record rec;
    memset(&rec, 0, sizeof rec);
    rec.attempts = 7;
    make(&a, 1);
    snt_report_time(s.report, 4000);
    snt_report_time(s.report, 3900); /* capture time may step back */
    snt_report_time(s.report, 5000);
    CHECK_EQ_INT(n_log, 0); /* only noted */
    snt_report_started(s.report, &a);
    snt_report_time(s.report, 6000);
    snt_report_poll(s.report);
    snt_report_poll(s.report);
    snt_report_time(s.report, 7000);
    snt_report_advance(s.report, 7500);
    snt_report_scan(s.report, &rec);
    snt_report_time(s.report, 8000);
    snt_report_drain(s.report);
    const char *const want[] = {"advance 5000", "start 1 full", "advance 6000", "advance 7000",
                                "advance 7500", "scan 7",       "advance 8000"};
    check_log(want, sizeof want / sizeof want[0]);
    snt_attempt_free(&a);
    close_scenario(&s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_report CERT_DIR\n");
        return 2;
    }
    test_order(argv[1]);
    test_time(argv[1]);
    return snt_test_finish("report");
}
