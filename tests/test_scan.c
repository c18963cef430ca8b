/* Scan and flood summaries: the threshold per client and per server, the
 * client before the server, quiet expiry and records while it goes on,
 * the most frequent ports and peers, and a full table keeping what it
 * summarises. */
#include <string.h>

#include "snitrace/limits.h"
#include "snitrace/scan.h"
#include "testutil.h"

#define SEC 1000000ull

static struct snt_scan_record records[16];
static unsigned n_records;

static void on_record(const struct snt_scan_record *r, void *arg)
{
    (void)arg;
    if (n_records < sizeof records / sizeof records[0])
        records[n_records] = *r;
    n_records++;
}

static struct snt_addr v4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    struct snt_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.b[0] = (uint8_t)a;
    x.b[1] = (uint8_t)b;
    x.b[2] = (uint8_t)c;
    x.b[3] = (uint8_t)d;
    return x;
}

static bool note(struct snt_scans *s, struct snt_addr client, struct snt_addr server, uint16_t port,
                 uint64_t usec, enum snt_outcome outcome)
{
    struct snt_scan_syn syn = {client, server, port, usec, outcome};
    return snt_scans_note(s, &syn, usec);
}

static struct snt_scans *fresh(unsigned threshold, uint64_t window)
{
    n_records = 0;
    memset(records, 0, sizeof records);
    return snt_scans_new(threshold, window, 0, on_record, NULL);
}

/* One client to many ports of one server: a scan, written past 3. */
static void test_scan(void)
{
    struct snt_scans *s = fresh(3, 60 * SEC);
    struct snt_addr me = v4(192, 0, 2, 66), srv = v4(198, 51, 100, 1);
    unsigned summarised = 0;
    for (unsigned i = 0; i < 20; i++) {
        enum snt_outcome o = i % 2 ? SNT_OUTCOME_REFUSED : SNT_OUTCOME_NO_ANSWER;
        summarised += note(s, me, srv, (uint16_t)(1000 + i), SEC + i, o);
    }
    CHECK_EQ_INT(summarised, 17);
    CHECK_EQ_INT(n_records, 0);
    snt_scans_finish(s);
    CHECK_EQ_INT(n_records, 1);
    const struct snt_scan_record *r = &records[0];
    CHECK_EQ_INT(r->kind, SNT_SCAN_CLIENT);
    CHECK(memcmp(&r->addr, &me, sizeof me) == 0);
    CHECK_EQ_INT(r->attempts, 17);
    CHECK_EQ_INT(r->attempts_written, 3);
    CHECK_EQ_INT(r->first_usec, SEC + 3);
    CHECK_EQ_INT(r->last_usec, SEC + 19);
    CHECK_EQ_INT(r->no_answer, 8);
    CHECK_EQ_INT(r->refused, 9);
    CHECK_EQ_INT(r->n_peers, 1);
    CHECK_EQ_INT(r->peers[0].attempts, 17);
    CHECK_EQ_INT(r->n_ports, SNT_SCAN_TOP);
    CHECK(r->more_ports);
    CHECK(!r->more_peers);
    CHECK(!r->ongoing);
    struct snt_scan_counters c;
    snt_scans_counters(s, &c);
    CHECK_EQ_INT(c.summarised, 17);
    CHECK_EQ_INT(c.scans, 1);
    CHECK_EQ_INT(c.floods, 0);
    snt_scans_free(s);
}

/* Spoofed sources, each once: a flood at the server.  A client followed
 * from before, past the threshold on its own, is a scan even at the flooded
 * server; one first seen there is part of the flood. */
static void test_flood(void)
{
    struct snt_scans *s = fresh(5, 60 * SEC);
    struct snt_addr srv = v4(198, 51, 100, 2), loud = v4(192, 0, 2, 7), late = v4(192, 0, 2, 8);
    CHECK(!note(s, loud, v4(198, 51, 100, 99), 80, SEC, SNT_OUTCOME_REFUSED));
    unsigned summarised = 0;
    for (unsigned i = 0; i < 100; i++)
        summarised +=
            note(s, v4(203, 0, i / 256, i % 256), srv, 443, SEC + i, SNT_OUTCOME_NO_ANSWER);
    CHECK_EQ_INT(summarised, 95);
    for (unsigned i = 0; i < 10; i++)
        CHECK(note(s, loud, srv, 443, 2 * SEC + i, SNT_OUTCOME_NO_ANSWER));
    for (unsigned i = 0; i < 3; i++)
        CHECK(note(s, late, srv, 443, 3 * SEC + i, SNT_OUTCOME_NO_ANSWER));
    snt_scans_finish(s);
    CHECK_EQ_INT(n_records, 2);
    const struct snt_scan_record *f = &records[0], *sc = &records[1];
    CHECK_EQ_INT(f->kind, SNT_SCAN_SERVER);
    CHECK_EQ_INT(f->attempts, 102); /* 95, the loud client's first 4, the late one's 3 */
    CHECK_EQ_INT(f->attempts_written, 5);
    CHECK_EQ_INT(f->n_ports, 1);
    CHECK_EQ_INT(f->ports[0].port, 443);
    CHECK_EQ_INT(f->ports[0].attempts, 102);
    CHECK(f->more_peers);
    for (unsigned i = 0; i < f->n_peers; i++)
        CHECK(f->peers[i].attempts >= 1);
    CHECK_EQ_INT(sc->kind, SNT_SCAN_CLIENT);
    CHECK(memcmp(&sc->addr, &loud, sizeof loud) == 0);
    CHECK_EQ_INT(sc->attempts, 6);
    CHECK_EQ_INT(sc->attempts_written, 1);
    struct snt_scan_counters c;
    snt_scans_counters(s, &c);
    CHECK_EQ_INT(c.table_full, 0);
    snt_scans_free(s);
}

/* Quiet for the window: the record is written and counting starts over;
 * still going on after a window: a record marked ongoing. */
static void test_time(void)
{
    struct snt_scans *s = fresh(2, 10 * SEC);
    struct snt_addr me = v4(192, 0, 2, 9), srv = v4(198, 51, 100, 3);
    for (unsigned i = 0; i < 5; i++)
        note(s, me, srv, 22, SEC, SNT_OUTCOME_REFUSED);
    snt_scans_advance(s, 5 * SEC);
    CHECK_EQ_INT(n_records, 0);
    snt_scans_advance(s, 30 * SEC); /* quiet since 1 s */
    CHECK_EQ_INT(n_records, 1);
    CHECK_EQ_INT(records[0].attempts, 3);
    CHECK(!records[0].ongoing);
    CHECK(!note(s, me, srv, 22, 31 * SEC, SNT_OUTCOME_REFUSED)); /* a fresh start */
    CHECK(!note(s, me, srv, 22, 31 * SEC, SNT_OUTCOME_REFUSED));
    for (uint64_t t = 32; t < 60; t++) {
        CHECK(note(s, me, srv, 22, t * SEC, SNT_OUTCOME_REFUSED));
        snt_scans_advance(s, t * SEC);
    }
    CHECK(n_records >= 3);
    CHECK(records[1].ongoing);
    CHECK_EQ_INT(records[1].attempts_written, 2);
    CHECK_EQ_INT(records[2].attempts_written, 0);
    uint64_t total = 0;
    snt_scans_finish(s);
    for (unsigned i = 1; i < n_records; i++)
        total += records[i].attempts;
    CHECK_EQ_INT(total, 28);
    snt_scans_free(s);
}

/* One port far more often than 20 others: listed first, its count sure. */
static void test_top_ports(void)
{
    struct snt_scans *s = fresh(1, 60 * SEC);
    struct snt_addr me = v4(192, 0, 2, 10), srv = v4(198, 51, 100, 4);
    for (unsigned i = 0; i < 200; i++)
        note(s, me, srv, i % 2 ? 443 : (uint16_t)(2000 + i % 40), SEC + i, SNT_OUTCOME_RESET);
    snt_scans_finish(s);
    CHECK_EQ_INT(n_records, 1);
    CHECK_EQ_INT(records[0].ports[0].port, 443);
    CHECK_EQ_INT(records[0].ports[0].attempts, 100);
    CHECK(records[0].more_ports);
    CHECK_EQ_INT(records[0].reset, 199);
    snt_scans_free(s);
}

/* A table full of one-off clients keeps the one that summarises. */
static void test_full_table(void)
{
    struct snt_scans *s = fresh(3, 600 * SEC);
    struct snt_addr me = v4(192, 0, 2, 11);
    for (unsigned i = 0; i < 10; i++)
        note(s, me, v4(198, 51, 100, i), 80, SEC, SNT_OUTCOME_NO_ANSWER);
    for (unsigned i = 0; i < 4 * SNT_SCAN_MAX_FOLLOWED; i++)
        note(s, v4(10, i >> 16, (i >> 8) & 255, i & 255),
             v4(198, 18 + (i >> 16), (i >> 8) & 255, i & 255), 80, 2 * SEC, SNT_OUTCOME_NO_ANSWER);
    CHECK(note(s, me, v4(198, 51, 100, 99), 80, 3 * SEC, SNT_OUTCOME_NO_ANSWER));
    struct snt_scan_counters c;
    snt_scans_counters(s, &c);
    CHECK(c.table_full > 0);
    CHECK_EQ_INT(n_records, 0);
    snt_scans_finish(s);
    CHECK_EQ_INT(n_records, 1);
    CHECK_EQ_INT(records[0].attempts, 8);
    snt_scans_free(s);
}

/* A table of 16 (four sets): the same, where every set fills. */
static void test_small_table(void)
{
    n_records = 0;
    struct snt_scans *s = snt_scans_new(2, 600 * SEC, 16, on_record, NULL);
    struct snt_addr me = v4(192, 0, 2, 12);
    for (unsigned i = 0; i < 5; i++)
        note(s, me, v4(198, 51, 100, i), 80, SEC, SNT_OUTCOME_REFUSED);
    for (unsigned i = 0; i < 1000; i++)
        note(s, v4(10, 1, i >> 8, i & 255), v4(198, 19, i >> 8, i & 255), 80, 2 * SEC,
             SNT_OUTCOME_REFUSED);
    CHECK(note(s, me, v4(198, 51, 100, 9), 80, 3 * SEC, SNT_OUTCOME_REFUSED));
    snt_scans_advance(s, 700 * SEC); /* all quiet: the record, and empty tables */
    CHECK_EQ_INT(n_records, 1);
    CHECK_EQ_INT(records[0].attempts, 4);
    struct snt_scan_counters c;
    snt_scans_counters(s, &c);
    CHECK(c.table_full >= 1000);
    snt_scans_finish(s);
    CHECK_EQ_INT(n_records, 1);
    snt_scans_free(s);
}

static void test_off(void)
{
    struct snt_scans *s = fresh(0, 60 * SEC);
    for (unsigned i = 0; i < 50; i++)
        CHECK(!note(s, v4(192, 0, 2, 1), v4(198, 51, 100, 1), 80, SEC, SNT_OUTCOME_REFUSED));
    snt_scans_advance(s, 1000 * SEC);
    snt_scans_finish(s);
    CHECK_EQ_INT(n_records, 0);
    snt_scans_free(s);
}

int main(void)
{
    test_scan();
    test_flood();
    test_time();
    test_top_ports();
    test_full_table();
    test_small_table();
    test_off();
    return snt_test_finish("scan");
}
