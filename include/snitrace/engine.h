/* The engine: drives decode -> flow table -> stream reassembly -> parsers ->
 * attempt records, on capture time.  Finished attempts go to a callback (the
 * output stage); the engine itself never writes anything.
 */
#ifndef SNITRACE_ENGINE_H
#define SNITRACE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/cert.h"
#include "snitrace/cert_judge.h"
#include "snitrace/dns.h"
#include "snitrace/scan.h"
#include "snitrace/stats.h"

struct snt_keylog;

struct snt_engine_config {
    size_t max_flows;
    size_t c2s_bytes, s2c_bytes; /* reassembly limits per direction */
    size_t reassembly_bytes;     /* all connections' reassembly memory together */
    uint64_t syn_timeout_usec;   /* no SYN-ACK by then: no_answer */
    uint64_t tcp_idle_usec;      /* idle TCP flows are finished and dropped */
    uint64_t udp_idle_usec;
    /* Borrowed (include/snitrace/cert_judge.h); NULL: certificates are not examined. */
    struct snt_cert_judge *certs;
    /* Borrowed TLS key store (include/snitrace/keylog.h); NULL: no key log given and the
     * input cannot carry pcapng secrets blocks.  It may be empty at first: keys arrive as
     * followed key logs grow and as secrets blocks are read, and snt_keylog_generation()
     * changes whenever they do. */
    struct snt_keylog *keylog;
    uint64_t keylog_hold_usec; /* a TLS 1.3 handshake without keys waits this long for them
                                  (live: a key log still being written); 0: no wait */
    /* Called when an attempt begins (its endpoints and start time are set),
     * with the emit callback's argument; may set a->session_id. */
    void (*attempt_started)(struct snt_attempt *a, void *arg);
    /* Attempts that never got past the SYN, past this many from one client
     * or to one server within scan_window_usec, are summarised in records
     * given to scan_record (with the emit callback's argument) instead of
     * written; 0, or no scan_record: never. */
    unsigned scan_threshold;
    uint64_t scan_window_usec;
    size_t scan_followed; /* clients, and servers, followed (0: SNT_SCAN_MAX_FOLLOWED) */
    snt_scan_fn scan_record;
    /* Called for every DNS response seen (client = the response's
     * destination), with the emit callback's argument. */
    void (*dns_response)(const struct snt_addr *client, const struct snt_dns_message *m,
                         uint64_t ts_usec, void *arg);
};

/* Defaults, documented in docs/snitrace.md and --help. */
void snt_engine_config_default(struct snt_engine_config *c);

/* A finished attempt, the engine's until the call returns.  Its
 * certificate verdict may still be pending (a->cert_job, with the checks on
 * a thread of their own): the callee collects it (snt_cert_judge_collect)
 * or takes it along.  *block == a, a malloc'd block of sizeof(struct
 * snt_attempt): the callee may take it, strings, pending verdict and all,
 * putting another such block that owns nothing (snt_attempt_free left it
 * so, or snt_attempt_init), or NULL, in its place, so that an attempt is
 * handed on without a copy. */
typedef void (*snt_attempt_fn)(struct snt_attempt *a, struct snt_attempt **block, void *arg);

struct snt_engine;

struct snt_engine *snt_engine_new(const struct snt_engine_config *c, snt_attempt_fn emit,
                                  void *arg);
void snt_engine_free(struct snt_engine *e); /* accepts NULL */

/* One captured frame.  ts_usec is its capture time. */
void snt_engine_packet(struct snt_engine *e, uint64_t ts_usec, int linktype, const uint8_t *frame,
                       size_t caplen, size_t wirelen);

/* Move the clock (capture time; wall time in live mode when idle): finishes
 * attempts whose timeouts passed. */
void snt_engine_advance(struct snt_engine *e, uint64_t now_usec);

/* The key log has new keys: handshakes held for theirs are decrypted now. */
void snt_engine_keys_arrived(struct snt_engine *e);

/* End of input or a stop signal: finish every open attempt. */
void snt_engine_finish(struct snt_engine *e);

/* Latest capture time seen (0 before the first packet). */
uint64_t snt_engine_now(const struct snt_engine *e);

struct snt_stats *snt_engine_stats(struct snt_engine *e);

#endif
