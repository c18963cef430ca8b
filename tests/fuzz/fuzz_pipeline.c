/* Fuzz target for the whole pipeline: decode, flow table, reassembly, every
 * parser, attempts, certificate checks, sessions, host flags and both
 * output formats, as `snitrace -r` runs them.
 *
 * The input is the body of a classic pcap file (the records after the
 * 24-byte global header, which is fixed here: little-endian, Ethernet,
 * microsecond timestamps): each record is a 16-byte header (seconds,
 * microseconds, captured length, original length) and its bytes.  A record
 * claiming more bytes than are left gets what is left, as a damaged file
 * would.  A seed is a capture from pcaps/ without its first 24 bytes.
 *
 * The flow table is small so eviction runs too; so are the reassembly
 * memory (older attempts finished to make room) and the scan threshold
 * (scan and flood records written, in both formats).  Every frame handed to the
 * engine is an exact-size heap copy, so AddressSanitizer sees any read past
 * its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/cert.h"
#include "snitrace/decode.h"
#include "snitrace/engine.h"
#include "snitrace/flags.h"
#include "snitrace/output.h"
#include "snitrace/reader.h"
#include "snitrace/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PCAP_RECORD_HDR 16
#define MAX_CAPLEN      262144 /* snitrace's default snapshot length */
#define MAX_FLOWS       16
#define SESSION_GAP     (30ull * 1000000u)
#define REASSEMBLY      (64u * 1024) /* about 20 connections' work */
#define SCAN_THRESHOLD  2
#define SCAN_WINDOW     (2ull * 1000000u)
#define SCAN_FOLLOWED   16 /* clients and servers: full tables, too */

struct pipeline {
    struct snt_engine *engine;
    struct snt_sessions *sessions;
    struct snt_flags *flags;
    struct snt_sink *json, *text;
};

/* Shared by every run: the trust store is loaded once, output goes nowhere. */
static struct snt_cert_checker *checker;
static struct snt_cert_judge *judge; /* on this thread: one run after another */
static FILE *sink;

static void setup_once(void)
{
    struct snt_cert_checker_opts o = {.cache_max = 16};
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (!checker)
        checker = snt_cert_checker_new(&o, NULL, 0);
    if (checker && !judge)
        judge = snt_cert_judge_new(checker, false, 1);
    if (!sink || !judge)
        abort();
}

static void attempt_started(struct snt_attempt *a, void *arg)
{
    struct pipeline *p = arg;
    snt_sessions_attempt_started(p->sessions, a);
}

static void dns_response(const struct snt_addr *client, const struct snt_dns_message *m,
                         uint64_t ts_usec, void *arg)
{
    struct pipeline *p = arg;
    snt_sessions_dns(p->sessions, client, m, ts_usec);
}

static void write_scan(const struct snt_scan_record *r, void *arg)
{
    struct pipeline *p = arg;
    snt_sink_scan(p->json, r);
    snt_sink_scan(p->text, r);
}

static void write_session(const struct snt_session *s, void *arg)
{
    struct pipeline *p = arg;
    snt_sink_session(p->json, s);
    snt_sink_session(p->text, s);
}

static void write_attempt(struct snt_attempt *a, struct snt_attempt **block, void *arg)
{
    struct pipeline *p = arg;
    (void)block; /* written from the engine's own: nothing kept */
    snt_sink_attempt(p->json, a);
    snt_sink_attempt(p->text, a);
    snt_sessions_attempt_finished(p->sessions, a);
    struct snt_flag *fl = snt_flags_note_attempt(p->flags, a);
    if (fl)
        snt_sink_flag(p->json, fl, SNT_FLAG_FIRST);
}

static void write_flag_update(struct snt_flag *fl, void *arg)
{
    struct pipeline *p = arg;
    snt_sink_flag(p->json, fl, SNT_FLAG_UPDATE);
    snt_sink_flag(p->text, fl, SNT_FLAG_SUMMARY);
}

static bool pipeline_open(struct pipeline *p)
{
    struct snt_engine_config c;
    memset(p, 0, sizeof *p);
    memset(&c, 0, sizeof c);
    p->json = snt_sink_json_new(sink, false);
    p->text = snt_sink_text_new(sink, false, true);
    snt_engine_config_default(&c);
    c.max_flows = MAX_FLOWS;
    c.certs = judge;
    c.attempt_started = attempt_started;
    c.dns_response = dns_response;
    c.reassembly_bytes = REASSEMBLY;
    c.scan_threshold = SCAN_THRESHOLD;
    c.scan_window_usec = SCAN_WINDOW;
    c.scan_followed = SCAN_FOLLOWED;
    c.scan_record = write_scan;
    p->sessions = snt_sessions_new(SESSION_GAP, write_session, p);
    p->flags = snt_flags_new(0);
    bool ready = p->sessions && p->flags && p->json && p->text;
    p->engine = ready ? snt_engine_new(&c, write_attempt, p) : NULL;
    return p->engine != NULL;
}

static void pipeline_close(struct pipeline *p)
{
    if (p->engine) {
        snt_engine_finish(p->engine);
        snt_sessions_finish(p->sessions);
        snt_flags_each_changed(p->flags, write_flag_update, p);
        snt_sink_stats(p->json, snt_engine_stats(p->engine), snt_engine_now(p->engine), true);
        snt_sink_stats(p->text, snt_engine_stats(p->engine), snt_engine_now(p->engine), true);
    }
    snt_sink_free(p->json);
    snt_sink_free(p->text);
    snt_engine_free(p->engine);
    snt_sessions_free(p->sessions);
    snt_flags_free(p->flags);
}

/* One record: its header, then up to caplen bytes of frame. */
static bool next_record(struct snt_reader *r, struct pipeline *p)
{
    uint32_t secs, usecs, caplen, wirelen;
    struct snt_span frame;
    if (!snt_read_u32_le(r, &secs) || !snt_read_u32_le(r, &usecs) || !snt_read_u32_le(r, &caplen) ||
        !snt_read_u32_le(r, &wirelen))
        return false;
    size_t n = caplen < MAX_CAPLEN ? caplen : MAX_CAPLEN;
    if (n > snt_reader_left(r))
        n = snt_reader_left(r);
    snt_read_span(r, n, &frame);
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    if (n)
        memcpy(copy, frame.p, n);
    uint64_t ts = (uint64_t)secs * 1000000u + usecs;
    snt_engine_packet(p->engine, ts, SNT_LINKTYPE_ETHERNET, copy, n, wirelen < n ? n : wirelen);
    snt_sessions_advance(p->sessions, ts);
    free(copy);
    return n > 0 || snt_reader_left(r) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pipeline p;
    struct snt_reader r = snt_reader_make(data, size);
    setup_once();
    if (!pipeline_open(&p)) {
        pipeline_close(&p);
        return 0;
    }
    while (snt_reader_left(&r) >= PCAP_RECORD_HDR && next_record(&r, &p))
        ;
    pipeline_close(&p);
    return 0;
}
