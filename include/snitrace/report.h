/* The report stage's events, in the engine's order, held while an attempt
 * ahead of them waits for its certificate verdict.
 *
 * Everything after the engine (sessions, host flags, the output) is fed
 * through here: an attempt began, a DNS answer, a scan record, capture time
 * moved, a stats record is due, an attempt finished.  With the certificate
 * checks on a thread of their own (include/snitrace/cert_judge.h), a
 * finished attempt whose verdict is not in yet is held (in the engine's
 * block when it gives it up, else in a copy), and so is every event after
 * it, until the verdict is in; the capture thread
 * goes on reading meanwhile instead of waiting.  The handlers see the same
 * events, in the same order and with the same contents, as when nothing is
 * held, so the records are the same whichever way they ran.
 *
 * Without holding (one thread, or --probe, which holds attempts its own
 * way) every event goes to its handler at once, a verdict collected first
 * if it must be.
 */
#ifndef SNITRACE_REPORT_H
#define SNITRACE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/cert_judge.h"
#include "snitrace/dns.h"
#include "snitrace/scan.h"
#include "snitrace/stats.h"

struct snt_report_handlers {
    /* The attempt began: may set a->session_id (the handler gets an
     * attempt with only its client and start time when the event was
     * held; the id then reaches the finished attempt all the same). */
    void (*started)(struct snt_attempt *a, void *arg);
    void (*dns)(const struct snt_addr *client, const struct snt_dns_message *m, uint64_t ts_usec,
                void *arg);
    void (*scan)(const struct snt_scan_record *rec, void *arg);
    void (*advance)(uint64_t now_usec, void *arg); /* capture (or, live, wall) time moved */
    /* A stats record: engine is the engine's counters when it was asked for. */
    void (*stats)(const struct snt_stats *engine, uint64_t ts_usec, bool final, void *arg);
    /* The attempt is finished, its certificate verdict in it.  block is
     * NULL when a may be read during the call only.  Otherwise *block == a
     * (the engine's own block, or the one it was held in): a malloc'd
     * block of sizeof(struct snt_attempt) (include/snitrace/output.h) that
     * the handler may take, strings and all, putting another such block
     * that owns nothing, or NULL, in its place. */
    void (*finished)(struct snt_attempt *a, struct snt_attempt **block, void *arg);
    void *arg;
};

struct snt_report;

/* certs: the certificate checks whose verdicts attempts may wait for (NULL:
 * none).  hold: hold events while a verdict is pending, at most max_held
 * of them and max_bytes of their copies (then the capture thread waits for
 * the first).  NULL when memory ran out. */
struct snt_report *snt_report_new(const struct snt_report_handlers *h, struct snt_cert_judge *certs,
                                  bool hold, size_t max_held, size_t max_bytes);
void snt_report_free(struct snt_report *r); /* held events are dropped; accepts NULL */

void snt_report_started(struct snt_report *r, struct snt_attempt *a);
void snt_report_dns(struct snt_report *r, const struct snt_addr *client,
                    const struct snt_dns_message *m, uint64_t ts_usec);
void snt_report_scan(struct snt_report *r, const struct snt_scan_record *rec);
void snt_report_advance(struct snt_report *r, uint64_t now_usec);
/* Capture time moved (every packet does): only noted, and handed on, at
 * its latest, as one advance just before the next event, poll or drain.
 * A run of advances with nothing between them ends the same sessions, in
 * the same order, as the last one alone. */
void snt_report_time(struct snt_report *r, uint64_t ts_usec);
void snt_report_stats(struct snt_report *r, const struct snt_stats *engine, uint64_t ts_usec,
                      bool final);
/* The engine finished a; a pending verdict is taken from it (a->cert_job
 * is then NULL).  block: NULL, or where a lives, to be taken as the
 * engine's emit callback says (include/snitrace/engine.h), so that a held
 * or written attempt is not copied. */
void snt_report_finished(struct snt_report *r, struct snt_attempt *a, struct snt_attempt **block);

/* Hand on the capture time noted, then the held events whose turn has
 * come; never waits. */
void snt_report_poll(struct snt_report *r);
/* The same, and every held event, waiting for verdicts as needed. */
void snt_report_drain(struct snt_report *r);

/* Certificates whose leaf did not parse, found when their verdict was
 * collected here (a threaded check only knows then); the stats handler
 * adds them to the engine's parse errors. */
uint64_t snt_report_cert_parse_errors(const struct snt_report *r);

#endif
