/* Sessions: grouping by idle gap, attempts finishing after the gap, order
 * by start time, distinct names, one session per client. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/session.h"
#include "testutil.h"

#define SEC 1000000ull

static unsigned emitted;
static uint64_t last_id;
static unsigned last_count;
static char first_name[64];

static void on_session(const struct snt_session *s, void *arg)
{
    (void)arg;
    emitted++;
    last_id = s->id;
    last_count = s->attempts_total;
    snprintf(first_name, sizeof first_name, "%s",
             s->n_attempts && s->attempts[0].name ? s->attempts[0].name : "");
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

int main(void)
{
    test_gap();
    test_draining();
    test_clients_apart();
    return snt_test_finish("session");
}
