/* Tests for the certificate checks' thread (src/cert_judge.c): chains
 * judged on a thread of their own give every attempt exactly the verdict
 * judging on the spot gives, whatever the queue's depth and whenever the
 * verdicts are collected, and the checker's counters end the same; a leaf
 * that does not parse is reported at collection.
 *
 * Usage: test_cert_judge CERT_DIR (tests/certs, made by make-certs.sh).
 */
#include "snitrace/cert_judge.h"

#include <stdlib.h>
#include <string.h>

#include "certutil.h"
#include "testutil.h"

#define T_2025_06_01 INT64_C(1748736000)
#define ATTEMPTS     400

static const char *cert_dir;

static struct snt_span load(const char *name)
{
    return snt_test_cert(cert_dir, name);
}

static struct snt_cert_checker *checker(void)
{
    return snt_test_checker(cert_dir, 8, 0);
}

static struct snt_span chains[4][2];
static const size_t chain_len[4] = {2, 2, 1, 1};
static const char *const names[] = {"www.example.test", "other.example.test", "", "a\0b"};

static void load_chains(void)
{
    chains[0][0] = load("www");
    chains[0][1] = load("intermediate");
    chains[1][0] = load("wildcard");
    chains[1][1] = chains[0][1];
    chains[2][0] = load("selfsigned");
    uint8_t junk[40];
    memset(junk, 0x30, sizeof junk); /* not one DER certificate */
    chains[3][0] = (struct snt_span){snt_test_exact_copy(junk, sizeof junk), sizeof junk};
}

static void make_attempt(struct snt_attempt *a, unsigned i)
{
    const char *name = names[i % 4];
    size_t len = i % 4 == 3 ? 3 : strlen(name);
    snt_attempt_init(a);
    a->server = (struct snt_addr){.family = 4, .b = {198, 51, 100, (uint8_t)i}};
    snt_attempt_set_bytes(a, &a->sni, (const uint8_t *)name, len, SNT_MAX_NAME_LEN);
}

struct outcome {
    unsigned problems;
    bool has_cert;
    char sha256[65];
    char name_check[320];
    char verify_error[160];
    unsigned chain_length;
    bool parsed;
};

static void record(struct outcome *o, const struct snt_attempt *a, bool parsed)
{
    memset(o, 0, sizeof *o);
    o->problems = a->problems;
    o->has_cert = a->has_cert;
    o->parsed = parsed;
    memcpy(o->sha256, a->cert.info.sha256_hex, sizeof o->sha256);
    memcpy(o->name_check, a->cert.verdict.name_check, sizeof o->name_check);
    memcpy(o->verify_error, a->cert.verdict.verify_error, sizeof o->verify_error);
    o->chain_length = a->cert.info.chain_length;
}

/* Every attempt's chain handed over, collected `lag` attempts later (the
 * engine collects when an attempt is finished, often long after). */
static void run(bool threaded, size_t depth, unsigned lag, size_t wake_batch, struct outcome *out,
                struct snt_cert_counters *counters)
{
    struct snt_cert_checker *c = checker();
    struct snt_cert_judge *j = snt_cert_judge_new(c, threaded, depth);
    if (j)
        snt_cert_judge_set_wake_batch(j, wake_batch);
    static struct snt_attempt attempts[ATTEMPTS];
    bool parsed[ATTEMPTS];
    CHECK(j != NULL);
    for (unsigned i = 0; i < ATTEMPTS + lag; i++) {
        if (i < ATTEMPTS) {
            unsigned k = (i * 7) % 4;
            make_attempt(&attempts[i], i);
            parsed[i] = snt_cert_judge_submit(j, &attempts[i], chains[k], chain_len[k], 2,
                                              T_2025_06_01, SNT_CERT_SOURCE_WIRE);
            CHECK(attempts[i].has_cert);
        }
        if (i >= lag) {
            unsigned d = i - lag;
            parsed[d] = snt_cert_judge_collect(j, &attempts[d]) && parsed[d];
            CHECK(attempts[d].cert_job == NULL);
            record(&out[d], &attempts[d], parsed[d]);
            snt_attempt_free(&attempts[d]);
        }
    }
    snt_cert_judge_counters(j, counters);
    snt_cert_judge_free(j);
    snt_cert_checker_free(c);
}

static void test_same_verdicts(void)
{
    static struct outcome inline_out[ATTEMPTS], threaded_out[ATTEMPTS];
    struct snt_cert_counters ic, tc;
    run(false, 1, 0, 1, inline_out, &ic);
    CHECK(inline_out[0].problems == 0);                     /* www.example.test, trusted chain */
    CHECK(!inline_out[1].parsed && inline_out[1].has_cert); /* junk: said so */
    /* A thread woken only for a batch of chains still answers a caller
     * who waits (lag 0), and one whose ring is full before a batch. */
    const struct {
        size_t depth;
        unsigned lag;
        size_t wake_batch;
    } shapes[] = {{1, 0, 1},    {2, 5, 1},           {64, 0, 1},
                  {64, 300, 1}, {1024, ATTEMPTS, 1}, {64, 0, 16},
                  {2, 5, 16},   {64, 300, 1000},     {1024, ATTEMPTS, 16}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        run(true, shapes[s].depth, shapes[s].lag, shapes[s].wake_batch, threaded_out, &tc);
        for (unsigned i = 0; i < ATTEMPTS; i++) {
            CHECK(memcmp(&inline_out[i], &threaded_out[i], sizeof inline_out[i]) == 0);
            if (memcmp(&inline_out[i], &threaded_out[i], sizeof inline_out[i]) != 0) {
                fprintf(stderr, "  attempt %u differs (depth %zu, lag %u)\n", i, shapes[s].depth,
                        shapes[s].lag);
                break;
            }
        }
        CHECK(memcmp(&ic, &tc, sizeof ic) == 0);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_cert_judge CERT_DIR\n");
        return 2;
    }
    cert_dir = argv[1];
    load_chains();
    test_same_verdicts();
    return snt_test_finish("cert_judge");
}
