/* Tests for the output sinks (src/output*.c): the queue in front of a sink
 * writes exactly what the sink alone writes, in the same order, whatever
 * the queue's depth; write errors reach the caller; the text view keeps
 * attempts within their sessions and lists flags at the end. */
#include "snitrace/output.h"
#include "../src/cert_internal.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORDS 3000

static void make_attempt(struct snt_attempt *a, unsigned i)
{
    static const char *const names[] = {"www.example.test", "a\"b\\c", "caf\xc3\xa9.test",
                                        "bad\xff\x00name"};
    const char *name = names[i % 4];
    size_t len = i % 4 == 3 ? 9 : strlen(name);
    snt_attempt_init(a);
    a->ts_usec = 1795622400000000ULL + i * 1000u;
    a->client = (struct snt_addr){.family = 4, .b = {192, 0, 2, (uint8_t)i}};
    a->server = (struct snt_addr){.family = 6, .b = {0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)i}};
    a->client_port = (uint16_t)(40000 + i);
    a->server_port = 443;
    a->transport = SNT_IPPROTO_TCP;
    a->protocol = SNT_PROTO_TLS;
    a->has_client_hello = true;
    snt_attempt_set_bytes(a, &a->sni, (const uint8_t *)name, len, SNT_MAX_NAME_LEN);
    snt_attempt_set_bytes(a, &a->name, (const uint8_t *)name, len, SNT_MAX_NAME_LEN);
    a->name_source = SNT_NAME_SNI;
    a->outcome = (enum snt_outcome)(i % 7);
    a->problems = i % 5 ? 0 : SNT_PROBLEM_NO_SNI;
    a->session_id = i / 3 + 1;
}

static void make_session(struct snt_session *x, struct snt_session_attempt *e, char **names,
                         unsigned i)
{
    memset(x, 0, sizeof *x);
    memset(e, 0, sizeof *e);
    x->id = i;
    x->client = (struct snt_addr){.family = 4, .b = {192, 0, 2, (uint8_t)i}};
    x->start_usec = 1795622400000000ULL + i;
    x->end_usec = x->start_usec + 2500000;
    e->ts_usec = x->start_usec;
    e->server = (struct snt_addr){.family = 4, .b = {198, 51, 100, 1}};
    e->server_port = 443;
    e->protocol = SNT_PROTO_TLS;
    e->name = names[0];
    e->outcome = SNT_OUTCOME_ESTABLISHED;
    x->attempts = e;
    x->n_attempts = x->attempts_total = 1;
    x->names = names;
    x->n_names = 1;
}

/* The attempt i written: given in a block of its own (the block that
 * comes back is filled next), or lent. */
/* make_attempt, and every tenth with a string longer than the text area
 * (kept apart: one more thing to hand over when given). */
static void make_long_attempt(struct snt_attempt *a, unsigned i)
{
    static uint8_t long_uri[2 * SNT_ATTEMPT_TEXT_INLINE];
    make_attempt(a, i);
    if (i % 10)
        return;
    memset(long_uri, '/', sizeof long_uri);
    snt_attempt_set_bytes(a, &a->http_uri, long_uri, sizeof long_uri, sizeof long_uri);
}

static void write_attempt(struct snt_sink *s, unsigned i, bool give, struct snt_attempt **block)
{
    struct snt_attempt a;
    if (!give) {
        make_long_attempt(&a, i);
        CHECK(snt_sink_attempt(s, &a));
        snt_attempt_free(&a);
        return;
    }
    if (!*block)
        *block = malloc(sizeof **block);
    CHECK(*block != NULL);
    if (!*block)
        return;
    make_long_attempt(*block, i);
    CHECK(snt_sink_attempt_give(s, block));
}

/* The same records into a sink; returns what it wrote.  give: the
 * attempts are given to the sink in blocks (snt_sink_attempt_give). */
static char *write_all(bool text, size_t queue_depth, bool give, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct snt_sink *s = text ? snt_sink_text_new(f, false, false) : snt_sink_json_new(f, false);
    if (queue_depth)
        s = snt_sink_queue_new(s, queue_depth, false);
    CHECK(s != NULL);
    char name[] = "www.example.test", *names[] = {name};
    struct snt_stats st = {.packets = 12, .bytes = 3456, .attempts = RECORDS};
    struct snt_attempt *block = NULL;
    for (unsigned i = 0; i < RECORDS; i++) {
        write_attempt(s, i, give, &block);
        if (i % 3 == 2) {
            struct snt_session x;
            struct snt_session_attempt e;
            make_session(&x, &e, names, i);
            CHECK(snt_sink_session(s, &x));
        }
        if (i == RECORDS / 2)
            CHECK(snt_sink_flush(s));
    }
    CHECK(snt_sink_stats(s, &st, 1795622400000000ULL, true));
    CHECK(snt_sink_error(s) == 0);
    snt_sink_free(s);
    free(block); /* nothing in it */
    fclose(f);
    return buf;
}

static void test_queue_writes_the_same(void)
{
    for (int text = 0; text < 2; text++) {
        size_t direct_len, queued_len, tight_len, small_len;
        char *direct = write_all(text, 0, false, &direct_len);
        char *queued = write_all(text, 4096, false, &queued_len);
        char *tight = write_all(text, 1, false, &tight_len); /* the caller waits on every record */
        char *small = write_all(text, 3, false, &small_len); /* ... until half the ring is free */
        CHECK(direct_len > 0);
        CHECK(direct_len == queued_len && memcmp(direct, queued, direct_len) == 0);
        CHECK(direct_len == tight_len && memcmp(direct, tight, direct_len) == 0);
        CHECK(direct_len == small_len && memcmp(direct, small, direct_len) == 0);
        free(direct);
        free(queued);
        free(tight);
        free(small);
    }
}

/* Attempts given in blocks are written as lent ones are, by a sink alone
 * and through queues of every depth; the blocks that come back are filled
 * again (ASan: none is freed twice, lost, or still in use by the output
 * thread when it comes back). */
static void test_attempts_given(void)
{
    static const size_t depths[] = {0, 4096, 1, 3};
    for (int text = 0; text < 2; text++) {
        size_t lent_len;
        char *lent = write_all(text, 0, false, &lent_len);
        CHECK(lent_len > 0 && (text || strstr(lent, "////////") != NULL));
        for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
            size_t given_len;
            char *given = write_all(text, depths[d], true, &given_len);
            CHECK(given_len == lent_len && memcmp(given, lent, lent_len) == 0);
            free(given);
        }
        free(lent);
    }
}

/* Sessions of every size through a queue (a written session's block is
 * kept for the next one it is large enough for, a large one freed): what
 * the queue writes is what the sink alone writes. */
static char *write_sessions(size_t queue_depth, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct snt_sink *s = snt_sink_json_new(f, false);
    if (queue_depth)
        s = snt_sink_queue_new(s, queue_depth, false);
    static char name[40000];
    for (unsigned i = 0; i < 300; i++) {
        /* 1 byte to 39 KB, up and down again */
        size_t n = 1 + (size_t)((i * 7919u) % 300) * 130;
        memset(name, 'a' + (char)(i % 26), n);
        name[n] = '\0';
        char *names[] = {name};
        struct snt_session x;
        struct snt_session_attempt e;
        make_session(&x, &e, names, i);
        CHECK(snt_sink_session(s, &x));
    }
    CHECK(snt_sink_flush(s));
    snt_sink_free(s);
    fclose(f);
    return buf;
}

static void test_sessions_of_every_size(void)
{
    size_t direct_len, queued_len, small_len;
    char *direct = write_sessions(0, &direct_len);
    char *queued = write_sessions(64, &queued_len);
    char *small = write_sessions(2, &small_len);
    CHECK(direct_len > 300 * 100);
    CHECK(direct_len == queued_len && memcmp(direct, queued, direct_len) == 0);
    CHECK(direct_len == small_len && memcmp(direct, small, direct_len) == 0);
    free(direct);
    free(queued);
    free(small);
}

static void test_json_lines(void)
{
    size_t len;
    char *out = write_all(false, 0, false, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out[i] == '\n';
    CHECK_EQ_INT(lines, RECORDS + RECORDS / 3 + 1);
    /* A quote, a backslash and bytes that are not UTF-8 stay valid JSON. */
    CHECK(strstr(out, "\"name\":\"a\\\"b\\\\c\"") != NULL);
    CHECK(strstr(out, "\"name\":\"bad\xef\xbf\xbd\xef\xbf\xbdname\",\"name_hex\":"
                      "\"626164ff006e616d65\"") != NULL);
    CHECK(strstr(out, "\"server\":{\"ip\":\"2001:db8::2\",\"port\":443}") != NULL);
    CHECK(strstr(out, "{\"type\":\"stats\",\"@timestamp\":\"2026-11-25T16:00:00.000000Z\","
                      "\"final\":true,\"packets\":12,\"bytes\":3456,") != NULL);
    free(out);
}

static void test_text_view(void)
{
    size_t len;
    char *out = write_all(true, 0, false, &len);
    CHECK(strstr(out, "\"type\"") == NULL); /* attempts are shown in their sessions */
    CHECK(strstr(out, "session 2  client 192.0.2.2  2026-11-25 16:00:00.000002 UTC  2.5 s  "
                      "1 attempt\n") != NULL);
    CHECK(strstr(out, "# 12 packets, 3456 bytes, 3000 attempts") != NULL);
    free(out);
}

/* The JSON sink gathers records and writes them in batches: a sink made
 * to write each record at once has it in the stream right after the call;
 * another has written what it was given once flushed, and both write the
 * same bytes over many batches. */
static void test_json_batches(void)
{
    char *out[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    for (int each = 0; each < 2; each++) {
        FILE *f = open_memstream(&out[each], &len[each]);
        struct snt_sink *s = snt_sink_json_new(f, each);
        size_t before = 0;
        for (unsigned i = 0; i < RECORDS; i++) {
            struct snt_attempt a;
            make_attempt(&a, i);
            CHECK(snt_sink_attempt(s, &a));
            snt_attempt_free(&a);
            fflush(f);
            if (each)
                CHECK(len[each] > before); /* written at once */
            else if (i < 10)
                CHECK(len[each] == 0); /* held for a batch */
            before = len[each];
        }
        CHECK(snt_sink_flush(s));
        fflush(f);
        CHECK(len[each] > 512u * 1024); /* more than two batches */
        CHECK(out[each][len[each] - 1] == '\n');
        snt_sink_free(s);
        fclose(f);
    }
    CHECK(len[0] == len[1] && memcmp(out[0], out[1], len[0]) == 0);
    free(out[0]);
    free(out[1]);
}

/* A disk that is full: the error comes back to the caller, with or
 * without the output thread, and the sink can still be freed. */
static void test_write_error(void)
{
    for (size_t depth = 0; depth <= 8; depth += 8) {
        FILE *f = fopen("/dev/full", "w");
        if (!f)
            return;
        setvbuf(f, NULL, _IONBF, 0);
        struct snt_sink *s = snt_sink_json_new(f, false);
        if (depth)
            s = snt_sink_queue_new(s, depth, false);
        bool ok = true;
        for (unsigned i = 0; i < 100 && ok; i++) {
            struct snt_attempt a;
            make_attempt(&a, i);
            ok = snt_sink_attempt(s, &a);
            snt_attempt_free(&a);
        }
        ok = ok && snt_sink_flush(s);
        CHECK(!ok);
        CHECK_EQ_INT(snt_sink_error(s), ENOSPC);
        snt_sink_free(s);
        fclose(f);
    }
}

/* prefix, i and suffix as one malloc'd string. */
static char *text(const char *prefix, unsigned i, const char *suffix)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s%u%s", prefix, i, suffix);
    return strdup(buf);
}

static char **list_of(char *item)
{
    char **list = malloc(sizeof *list);
    list[0] = item;
    return list;
}

/* Certificate i, its strings shared as the checker shares them (or left
 * loose, as after running out of memory, when loose). */
static void make_cert(struct snt_cert_result *r, unsigned i, bool loose)
{
    memset(r, 0, sizeof *r);
    struct snt_cert_info *ci = &r->info;
    ci->subject_cn = list_of(text("host-", i, ".example.test"));
    ci->n_subject_cn = 1;
    ci->dns_names = list_of(text("host-", i, ".example.test"));
    ci->n_dns_names = ci->dns_names_total = 1;
    ci->subject_dn = text("CN=host-", i, ".example.test");
    ci->issuer_dn = text("CN=CA ", i % 3, "");
    ci->not_before = 1700000000 + i;
    ci->not_after = 1800000000 + i;
    snprintf(ci->sha256_hex, sizeof ci->sha256_hex, "%064u", i);
    snprintf(ci->key_type, sizeof ci->key_type, "EC");
    ci->key_bits = 256;
    snprintf(ci->signature_algorithm, sizeof ci->signature_algorithm, "ecdsa-with-SHA256");
    if (!loose)
        CHECK(snt_cert_info_share(ci));
}

/* One attempt with certificate r written by a sink of its own. */
static void write_alone(FILE *out, const struct snt_attempt *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct snt_sink *s = snt_sink_json_new(f, false);
    CHECK(snt_sink_attempt(s, a));
    snt_sink_free(s);
    fclose(f);
    fwrite(buf, 1, len, out);
    free(buf);
}

/* A certificate's part of a record is written once and then repeated:
 * what one sink writes for many attempts to many certificates (more than
 * it remembers, so they replace each other) is what a fresh sink writes
 * for each, and each record names its own certificate. */
static void test_certificates_repeated(void)
{
    enum { CERTS = 600, ATTEMPTS = 4000 };
    static struct snt_cert_result certs[CERTS];
    for (unsigned i = 0; i < CERTS; i++)
        make_cert(&certs[i], i, i % 50 == 7);
    char *together = NULL, *alone = NULL;
    size_t together_len = 0, alone_len = 0;
    FILE *ft = open_memstream(&together, &together_len), *fa = open_memstream(&alone, &alone_len);
    struct snt_sink *s = snt_sink_json_new(ft, false);
    for (unsigned i = 0; i < ATTEMPTS; i++) {
        unsigned c = (i * 7 + i / 13) % CERTS;
        struct snt_attempt a;
        make_attempt(&a, i);
        snt_attempt_set_cert(&a, &certs[c]);
        CHECK(snt_sink_attempt(s, &a));
        write_alone(fa, &a);
        snt_attempt_free(&a);
    }
    snt_sink_free(s);
    fclose(ft);
    fclose(fa);
    CHECK(together_len > 0 && together_len == alone_len);
    CHECK(memcmp(together, alone, together_len) == 0);
    /* Record i shows certificate (i * 7 + i / 13) % CERTS. */
    char *line = together;
    for (unsigned i = 0; i < ATTEMPTS && line; i++) {
        char want[96];
        snprintf(want, sizeof want, "\"distinguished_name\":\"CN=host-%u.example.test\"",
                 (i * 7 + i / 13) % CERTS);
        char *end = strchr(line, '\n');
        CHECK(end != NULL);
        if (!end)
            break;
        *end = '\0';
        CHECK(strstr(line, want) != NULL);
        line = end + 1;
    }
    free(together);
    free(alone);
    for (unsigned i = 0; i < CERTS; i++)
        snt_cert_result_clear(&certs[i]);
}

int main(void)
{
    test_queue_writes_the_same();
    test_attempts_given();
    test_sessions_of_every_size();
    test_json_lines();
    test_json_batches();
    test_text_view();
    test_write_error();
    test_certificates_repeated();
    return snt_test_finish("output");
}
