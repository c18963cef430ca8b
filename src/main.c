/* snitrace: trace every connection attempt, the name the client meant, and
 * what came of it.  Wires capture -> engine -> output and owns the exit code. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/hugepages.h"
#include "snitrace/capture.h"
#include "snitrace/cert.h"
#include "snitrace/engine.h"
#include "snitrace/flags.h"
#include "snitrace/keylog.h"
#include "snitrace/session.h"
#include "snitrace/options.h"
#include "snitrace/output.h"
#include "snitrace/probe.h"
#include "snitrace/probe_hold.h"
#include "snitrace/report.h"

#define EXIT_READ_ERROR 1
#define EXIT_USAGE      2

#define KEYLOG_HOLD_USEC    2000000ULL /* live: how long a handshake waits for its keys */
#define OUTPUT_QUEUE        4096       /* records on their way to the output thread */
#define CERT_QUEUE          1024       /* chains on their way to the certificate checks */
#define CERT_WAKE_BATCH     64         /* offline: chains waiting before the checks' thread wakes */
#define REPORT_HELD         8192       /* events held behind a pending certificate verdict */
#define REPORT_BYTES        (16u << 20) /* and the bytes of their copies */
#define REPORT_POLL_PACKETS 16 /* packets between looks for verdicts come in (a power of 2) */
#define OUTPUT_BUFFER       (1u << 20) /* stdio buffer of the text view written offline */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

struct run {
    struct snt_engine *engine;
    struct snt_cert_checker *checker;
    struct snt_cert_judge *certs; /* the checker's work, on a thread of its own with 2 threads */
    struct snt_flags *flags;
    struct snt_sessions *sessions;
    struct snt_probes *probes;   /* --probe only */
    struct snt_probe_hold *hold; /* attempts waiting for their probe */
    struct snt_report *report;   /* the engine's events on their way to sessions, flags, output */
    const char *openssl_config_dir;
    struct snt_capture *capture;
    struct snt_keylog *keylog; /* NULL until a key log or pcapng secrets block needs it */
    bool keylog_used;          /* one was read: the stats say what came of it */
    bool keylog_warned_malformed, keylog_warned_capped;
    bool quiet;
    struct snt_sink *out;
    int linktype;
    unsigned stats_interval;
    uint64_t last_stats_usec;
    uint64_t packets_seen;
    bool progress; /* offline, on a terminal: a progress line on stderr */
    uint64_t progress_start_usec;
    bool progress_shown;
    bool write_failed;
    int write_errno; /* why the first write failed */
};

/* The first failed write stops the trace: nothing more can be said.  Its
 * errno is kept, since a reader that went away (EPIPE) is no error. */
static void note_write(struct run *r, bool ok)
{
    if (!ok && !r->write_failed) {
        r->write_failed = true;
        r->write_errno = snt_sink_error(r->out) ? snt_sink_error(r->out) : errno;
        stop_requested = 1;
    }
}

/* ---- the report stage: what the engine's events become (in order, through
 * the report queue of include/snitrace/report.h) ---- */

static void on_started(struct snt_attempt *a, void *arg)
{
    struct run *r = arg;
    if (r->hold && snt_probe_hold_is_own(r->hold, a))
        return; /* a probe's own connection is never reported, so it joins no session */
    snt_sessions_attempt_started(r->sessions, a);
}

static void on_dns(const struct snt_addr *client, const struct snt_dns_message *m, uint64_t ts_usec,
                   void *arg)
{
    struct run *r = arg;
    snt_sessions_dns(r->sessions, client, m, ts_usec);
}

static void on_scan(const struct snt_scan_record *rec, void *arg)
{
    struct run *r = arg;
    note_write(r, snt_sink_scan(r->out, rec));
}

static void on_advance(uint64_t now_usec, void *arg)
{
    struct run *r = arg;
    snt_sessions_advance(r->sessions, now_usec);
}

static void write_session(const struct snt_session *s, void *arg)
{
    struct run *r = arg;
    note_write(r, snt_sink_session(r->out, s));
}

/* An attempt's records: the attempt, then its session when the attempt
 * completed it, then its host's flag when the attempt raised one (flags
 * follow the attempts that raise them; the text view shows attempts within
 * their sessions and the flags at the end, as people read it).  Sessions
 * and flags take what they need of a first: with block (report.h), a is
 * given to the sink, which may be writing it on its own thread already. */
static void write_attempt_records(struct run *r, const struct snt_attempt *a,
                                  struct snt_attempt **block)
{
    uint64_t complete = snt_sessions_attempt_note(r->sessions, a);
    struct snt_flag *fl = r->flags ? snt_flags_note_attempt(r->flags, a) : NULL;
    note_write(r, block ? snt_sink_attempt_give(r->out, block) : snt_sink_attempt(r->out, a));
    snt_sessions_close_complete(r->sessions, complete);
    if (fl)
        note_write(r, snt_sink_flag(r->out, fl, SNT_FLAG_FIRST));
}

static void write_ready_attempt(const struct snt_attempt *a, void *arg)
{
    write_attempt_records(arg, a, NULL);
}

/* A finished attempt, its verdict in: with --probe it may wait for its
 * probe first. */
static void on_finished(struct snt_attempt *a, struct snt_attempt **block, void *arg)
{
    struct run *r = arg;
    if (r->hold)
        snt_probe_hold_attempt(r->hold, a);
    else
        write_attempt_records(r, a, block);
}

static void write_flag_update(struct snt_flag *fl, void *arg)
{
    struct run *r = arg;
    note_write(r, snt_sink_flag(r->out, fl, SNT_FLAG_UPDATE));
}

static void write_openssl_config(struct snt_flag *fl, void *arg)
{
    struct run *r = arg;
    char path[4096];
    if (!snt_write_openssl_config(r->openssl_config_dir, fl, path, sizeof path)) {
        fprintf(stderr, "snitrace: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    fprintf(stderr,
            "snitrace: wrote %s; make a request with:\n  openssl req -new -config %s "
            "-key KEY -out CSR\n",
            path, path);
}

static void write_flag_summary(struct snt_flag *fl, void *arg)
{
    struct run *r = arg;
    note_write(r, snt_sink_flag(r->out, fl, SNT_FLAG_SUMMARY));
}

static void finish_flags(struct run *r)
{
    if (!r->flags)
        return;
    snt_flags_each_changed(r->flags, write_flag_update, r);
    snt_flags_each_written(r->flags, write_flag_summary, r);
    if (r->openssl_config_dir)
        snt_flags_each_written(r->flags, write_openssl_config, r);
}

static void keylog_stats(struct run *r, struct snt_stats *s)
{
    struct snt_keylog_counters kc;
    if (!r->keylog_used)
        return;
    snt_keylog_counters(r->keylog, &kc);
    s->keylog_used = true;
    s->keylog_keys = kc.keys;
    s->keylog_malformed = kc.malformed;
    s->keylog_clients_evicted = kc.clients_evicted;
}

static void on_stats(const struct snt_stats *engine, uint64_t ts_usec, bool final, void *arg)
{
    struct run *r = arg;
    struct snt_stats st = *engine, *s = &st;
    s->parse_errors += snt_report_cert_parse_errors(r->report);
    s->live = snt_capture_is_live(r->capture);
    if (r->hold) {
        snt_probe_hold_stats(r->hold, &s->probe);
        /* Records written: not the probes' own connections, not those still waiting. */
        s->attempts -= s->probe.own_connections + s->probe.waiting;
    }
    if (r->flags) {
        s->flags = snt_flags_count(r->flags);
        s->flags_untracked = snt_flags_dropped(r->flags);
    }
    s->sessions = snt_sessions_written(r->sessions);
    if (r->certs) {
        struct snt_cert_counters cc;
        snt_cert_judge_counters(r->certs, &cc);
        s->certs_parsed = cc.parsed;
        s->cert_verifications = cc.verified;
        s->cert_cache_hits = cc.cache_hits;
    }
    keylog_stats(r, s);
    snt_capture_drops(r->capture, &s->drops_kernel, &s->drops_interface);
    note_write(r, snt_sink_stats(r->out, s, ts_usec, final));
}

/* ---- the engine's events, into the report stage ---- */

static void attempt_started(struct snt_attempt *a, void *arg)
{
    struct run *r = arg;
    snt_report_started(r->report, a);
}

static void dns_response(const struct snt_addr *client, const struct snt_dns_message *m,
                         uint64_t ts_usec, void *arg)
{
    struct run *r = arg;
    snt_report_dns(r->report, client, m, ts_usec);
}

static void scan_record(const struct snt_scan_record *rec, void *arg)
{
    struct run *r = arg;
    snt_report_scan(r->report, rec);
}

static void attempt_finished(struct snt_attempt *a, struct snt_attempt **block, void *arg)
{
    struct run *r = arg;
    snt_report_finished(r->report, a, block);
}

static void write_stats(struct run *r, uint64_t ts_usec, bool final)
{
    snt_report_stats(r->report, snt_engine_stats(r->engine), ts_usec, final);
}

static void on_packet(void *arg, uint64_t ts_usec, const uint8_t *data, size_t caplen,
                      size_t wirelen)
{
    struct run *r = arg;
    snt_engine_packet(r->engine, ts_usec, r->linktype, data, caplen, wirelen);
    if (r->hold) {
        snt_report_poll(r->report); /* the time, before the probes' attempts are written */
        snt_probe_hold_poll(r->hold);
    }
    snt_report_time(r->report, ts_usec);
    /* Held events whose verdicts came in go on between events too, but a
     * look every few packets is enough: a look is a load of a line the
     * certificate thread writes. */
    if ((++r->packets_seen & (REPORT_POLL_PACKETS - 1)) == 0)
        snt_report_poll(r->report);
}

static void show_progress(struct run *r, uint64_t wall_usec)
{
    uint64_t done, total;
    if (!snt_capture_progress(r->capture, &done, &total) || !total)
        return;
    if (!r->progress_start_usec)
        r->progress_start_usec = wall_usec;
    double secs = (double)(wall_usec - r->progress_start_usec) / 1e6;
    double pps = secs > 0 ? (double)snt_engine_stats(r->engine)->packets / secs : 0;
    fprintf(stderr, "\rsnitrace: %5.1f%%  %llu / %llu MB  %.0f packets/s ",
            100.0 * (double)done / (double)total, (unsigned long long)(done >> 20),
            (unsigned long long)(total >> 20), pps);
    r->progress_shown = true;
}

/* Key logs and pcapng secrets blocks fill one store.  Skipped lines and a
 * file that reached its read cap are each told once a run; the stats count
 * the rest. */
static bool ensure_keylog(struct run *r)
{
    if (!r->keylog)
        r->keylog = snt_keylog_new(0);
    return r->keylog != NULL;
}

static void warn_keylog(struct run *r)
{
    struct snt_keylog_counters c;
    if (r->quiet || !r->keylog)
        return;
    snt_keylog_counters(r->keylog, &c);
    if (c.malformed && !r->keylog_warned_malformed) {
        fprintf(stderr, "snitrace: warning: skipped %llu malformed key log lines\n",
                (unsigned long long)c.malformed);
        r->keylog_warned_malformed = true;
    }
    if (c.files_capped && !r->keylog_warned_capped) {
        fprintf(stderr,
                "snitrace: warning: a key log reached %llu MiB read; no more is read of it\n",
                (unsigned long long)(SNT_KEYLOG_FILE_CAP >> 20));
        r->keylog_warned_capped = true;
    }
}

static void on_secrets(void *arg, const uint8_t *p, size_t len)
{
    struct run *r = arg;
    if (!ensure_keylog(r))
        return; /* out of memory: these keys are lost, the trace goes on */
    r->keylog_used = true;
    uint64_t before = snt_keylog_generation(r->keylog);
    snt_keylog_add_text(r->keylog, p, len);
    warn_keylog(r);
    if (r->engine && snt_keylog_generation(r->keylog) != before)
        snt_engine_keys_arrived(r->engine);
}

/* Live: a browser appends keys as it connects.  One stat() per file when
 * nothing changed; this runs every ~200 ms, with or without packets. */
static void refresh_keylogs(struct run *r)
{
    if (!r->keylog)
        return;
    bool grew = snt_keylog_refresh(r->keylog);
    warn_keylog(r);
    if (grew && r->engine)
        snt_engine_keys_arrived(r->engine);
}

static int open_keylogs(struct run *r, const struct snt_options *o)
{
    char err[512];
    bool follow = o->capture.iface != NULL;
    for (unsigned i = 0; i < o->n_keylog_files; i++) {
        if (!ensure_keylog(r)) {
            fprintf(stderr, "snitrace: out of memory\n");
            return EXIT_READ_ERROR;
        }
        if (!snt_keylog_add_file(r->keylog, o->keylog_files[i], follow, err, sizeof err)) {
            fprintf(stderr, "snitrace: %s\n", err);
            return EXIT_READ_ERROR;
        }
        r->keylog_used = true;
    }
    warn_keylog(r);
    return 0;
}

/* Secrets blocks the scan had to pass over, and framing it gave up on. */
static void warn_secrets_skipped(struct run *r)
{
    struct snt_pcapng_dsb_counters dc;
    snt_capture_secrets_counters(r->capture, &dc);
    if (r->quiet)
        return;
    if (dc.secrets_oversized || dc.secrets_malformed)
        fprintf(stderr,
                "snitrace: warning: skipped %llu pcapng secrets blocks (damaged, or over %u "
                "MiB)\n",
                (unsigned long long)(dc.secrets_oversized + dc.secrets_malformed),
                SNT_PCAPNG_DSB_MAX >> 20);
    if (dc.framing_errors)
        fprintf(stderr, "snitrace: warning: pcapng blocks not understood: secrets blocks after "
                        "them were not looked for\n");
}

/* Live: wall time moves the clock when no packets come, so timeouts fire.
 * Offline: only the progress line. */
static void on_idle(void *arg, uint64_t wall_usec)
{
    struct run *r = arg;
    snt_report_poll(r->report); /* the time too, before the probes' attempts */
    if (r->hold)
        snt_probe_hold_poll(r->hold);
    if (!snt_capture_is_live(r->capture)) {
        if (r->progress)
            show_progress(r, wall_usec);
        return;
    }
    snt_engine_advance(r->engine, wall_usec);
    snt_report_advance(r->report, wall_usec);
    refresh_keylogs(r);
    if (!r->stats_interval)
        return;
    if (!r->last_stats_usec)
        r->last_stats_usec = wall_usec;
    if (wall_usec - r->last_stats_usec >= (uint64_t)r->stats_interval * 1000000u) {
        write_stats(r, wall_usec, false);
        r->last_stats_usec = wall_usec;
    }
}

static FILE *open_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "snitrace: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

/* --threads, or as many as there are CPUs for, up to 3.  The third, the
 * file read ahead, takes the kernel's copy of the file off the capture
 * thread (15% of its time on the mixed GB), but with two CPUs the
 * certificate and output threads need the other one: there it gained no
 * time and cost 5% more CPU time (bench/RESULTS.md). */
static unsigned worker_threads(const struct snt_options *o)
{
    if (o->threads)
        return o->threads;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus >= 3 ? 3 : cpus == 2 ? 2 : 1;
}

/* The sink the command line chose.  With two threads it sits behind the
 * queue, which flushes whenever it runs dry; alone it flushes each record
 * when capturing live. */
static int open_sink(struct run *r, const struct snt_options *o, FILE *f, bool live)
{
    unsigned threads = worker_threads(o);
    bool flush_each = live && threads == 1;
    /* glibc sizes a buffer it allocates itself by st_blksize (4 KiB), so
     * the text view's is given: one write(2) a MiB instead of one per 4
     * KiB.  Static, since stdout may still be flushed after main returns.
     * The JSON sink gathers its records itself, offline a batch of them
     * per write: unbuffered, stdio hands them to write(2) without copying
     * them again. */
    static char output_buffer[OUTPUT_BUFFER];
    if (!live && o->format == SNT_FORMAT_TEXT)
        setvbuf(f, output_buffer, _IOFBF, sizeof output_buffer);
    else if (!live)
        setvbuf(f, NULL, _IONBF, 0);
    if (o->format == SNT_FORMAT_TEXT) {
        bool color = isatty(fileno(f)) && !getenv("NO_COLOR");
        r->out = snt_sink_text_new(f, flush_each, color);
    } else {
        r->out = snt_sink_json_new(f, flush_each);
    }
    if (r->out && threads > 1)
        r->out = snt_sink_queue_new(r->out, OUTPUT_QUEUE, live);
    if (!r->out) {
        fprintf(stderr, "snitrace: cannot set up the output: out of memory or threads\n");
        return EXIT_READ_ERROR;
    }
    return 0;
}

static int open_capture(struct run *r, const struct snt_options *o)
{
    char err[512];
    enum snt_capture_error rc = snt_capture_open(&r->capture, &o->capture, err, sizeof err);
    if (rc == SNT_CAPTURE_OK) {
        r->linktype = snt_capture_linktype(r->capture);
        return 0;
    }
    fprintf(stderr, "snitrace: %s\n", err);
    return rc == SNT_CAPTURE_ERR_FILTER ? EXIT_USAGE : EXIT_READ_ERROR;
}

static int open_cert_checks(struct run *r, struct snt_options *o)
{
    if (o->no_cert_checks)
        return 0;
    char err[512] = "";
    struct snt_cert_checker_opts co = {.ca_file = o->ca_file, .ca_path = o->ca_path};
    r->checker = snt_cert_checker_new(&co, err, sizeof err);
    r->certs =
        r->checker ? snt_cert_judge_new(r->checker, worker_threads(o) > 1, CERT_QUEUE) : NULL;
    r->flags = snt_flags_new(0);
    if (!r->certs || !r->flags) {
        fprintf(stderr, "snitrace: %s\n", *err ? err : "out of memory");
        return EXIT_READ_ERROR;
    }
    o->engine.certs = r->certs;
    r->openssl_config_dir = o->openssl_config_dir;
    return 0;
}

/* --probe: the worker threads start after privileges were given up; a
 * probe needs none. */
static int open_probes(struct run *r, const struct snt_options *o, bool live)
{
    char err[512] = "";
    if (!o->probe)
        return 0;
    r->probes = snt_probes_new(&o->probe_cfg, err, sizeof err);
    r->hold = r->probes ? snt_probe_hold_new(r->probes, r->certs, o->probe_cfg.max_probes, live,
                                             write_ready_attempt, r)
                        : NULL;
    if (!r->hold) {
        fprintf(stderr, "snitrace: %s\n", *err ? err : "out of memory");
        return EXIT_READ_ERROR;
    }
    if (!live && !o->quiet)
        fprintf(stderr, "snitrace: --probe: servers in the capture are probed now; their "
                        "certificates are reported as of now, not as of the capture\n");
    return 0;
}

/* Hostile bytes are parsed with as few rights as possible: once the capture
 * and the output are open, root is not needed any more. */
static int drop_privileges(const struct snt_options *o, bool live)
{
    const char *user = o->drop_user;
    if (!user && (!live || geteuid() != 0))
        return 0;
    if (!user)
        user = "nobody";
    if (strcmp(user, "root") == 0)
        return 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        fprintf(stderr, "snitrace: -Z: no such user '%s'\n", user);
        return EXIT_USAGE;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        fprintf(stderr, "snitrace: cannot change to user %s: %s\n", user, strerror(errno));
        return EXIT_READ_ERROR;
    }
    return 0;
}

/* A reader that stopped reading (`| head`, a closed pager) ends the trace
 * quietly, as a pipe's writer should: it got what it wanted.  Any other
 * failed write is an error the user must hear of. */
static int finish_output_status(const struct run *r, int status)
{
    if (!r->write_failed || r->write_errno == EPIPE)
        return status;
    fprintf(stderr, "snitrace: writing the output failed: %s\n", strerror(r->write_errno));
    return EXIT_READ_ERROR;
}

static int trace(struct run *r, const struct snt_options *o)
{
    char err[512] = "";
    int status = 0;
    install_signal_handlers();
    enum snt_capture_error rc =
        snt_capture_loop(r->capture, on_packet, on_idle, r, &stop_requested, err, sizeof err);
    if (rc != SNT_CAPTURE_OK) {
        /* Everything read before the damage is still written out. */
        fprintf(stderr, "snitrace: reading %s stopped early: %s\n",
                o->capture.file ? o->capture.file : o->capture.iface, err);
        status = EXIT_READ_ERROR;
    }
    if (r->progress_shown)
        fputs("\r\033[K", stderr); /* the progress line goes away */
    warn_secrets_skipped(r);
    if (r->hold && stop_requested)
        snt_probe_hold_stop(r->hold); /* stopped: no new connections */
    snt_engine_finish(r->engine);
    snt_report_drain(r->report);
    /* Held attempts keep their sessions open: they are written first. */
    if (r->hold)
        snt_probe_hold_finish(r->hold, &stop_requested);
    snt_sessions_finish(r->sessions);
    finish_flags(r);
    write_stats(r, snt_engine_now(r->engine), true);
    note_write(r, snt_sink_flush(r->out));
    return finish_output_status(r, status);
}

/* Everything that needs privileges first (capture, output, trust store),
 * then drop them, then the stages that see packets. */
static int setup(struct run *r, struct snt_options *o, FILE **out)
{
    r->stats_interval = o->capture.iface ? o->stats_interval : 0;
    r->quiet = o->quiet;
    o->capture.secrets = on_secrets;
    o->capture.secrets_arg = r;
    o->capture.read_ahead = worker_threads(o) > 2;
    int status = open_cert_checks(r, o);
    if (!status)
        status = open_keylogs(r, o);
    if (!status)
        status = open_capture(r, o);
    if (!status && !(*out = open_output(o->output_file)))
        status = EXIT_READ_ERROR;
    if (status)
        return status;
    bool live = snt_capture_is_live(r->capture);
    if ((status = open_sink(r, o, *out, live)) != 0)
        return status;
    r->progress = !o->quiet && !live && isatty(STDERR_FILENO);
    if ((status = drop_privileges(o, live)) != 0 || (status = open_probes(r, o, live)) != 0)
        return status;
    r->sessions = snt_sessions_new(o->session_gap_usec, write_session, r);
    /* With a thread for the certificate checks, the capture thread goes on
     * reading while a verdict is pending; --probe holds attempts its own way. */
    const struct snt_report_handlers report = {on_started, on_dns,      on_scan, on_advance,
                                               on_stats,   on_finished, r};
    r->report = snt_report_new(&report, r->certs, worker_threads(o) > 1 && !r->hold, REPORT_HELD,
                               REPORT_BYTES);
    if (r->certs && !live && !r->hold)
        snt_cert_judge_set_wake_batch(r->certs, CERT_WAKE_BATCH);
    o->engine.attempt_started = attempt_started;
    o->engine.dns_response = dns_response;
    o->engine.scan_record = scan_record;
    /* pcapng may carry secrets blocks anywhere: the engine gets the store
     * now, even if the first block comes later. */
    bool keys_ok = !snt_capture_is_pcapng(r->capture) || ensure_keylog(r);
    o->engine.keylog = r->keylog;
    /* Live, a browser writes its keys as it connects: a handshake may wait
     * for them a little.  A file's keys are all there before its packets. */
    o->engine.keylog_hold_usec = live ? KEYLOG_HOLD_USEC : 0;
    bool ready = r->sessions && r->report && keys_ok;
    r->engine = ready ? snt_engine_new(&o->engine, attempt_finished, r) : NULL;
    if (!r->engine) {
        fprintf(stderr, "snitrace: out of memory\n");
        return EXIT_READ_ERROR;
    }
    return 0;
}

#ifndef SNT_FREE_AT_EXIT
#define SNT_FREE_AT_EXIT 0
#endif

/* Memory the kernel takes back at once at exit, but freeing it block by
 * block takes milliseconds after the last record: the checker's thousands
 * of parsed certificates (tens of milliseconds), and the engine's
 * connections and DNS names, the sessions and the flags (7-9 ms on the
 * bench's captures).  A sanitizer's build frees them, so that a leak
 * elsewhere still shows; others leave them reachable from here, which
 * valgrind reports as such rather than as lost (volatile: a store never
 * read back would be left out). */
enum { KEPT_CHECKER, KEPT_ENGINE, KEPT_SESSIONS, KEPT_FLAGS, N_KEPT };
static void *volatile kept_until_exit[N_KEPT];

static void release_checker(struct snt_cert_checker *checker)
{
    if (SNT_FREE_AT_EXIT)
        snt_cert_checker_free(checker);
    else
        kept_until_exit[KEPT_CHECKER] = checker;
}

/* Once every record is written, nothing of these is used again. */
static void release_tables(struct run *r)
{
    if (SNT_FREE_AT_EXIT) {
        snt_engine_free(r->engine);
        snt_sessions_free(r->sessions);
        snt_flags_free(r->flags);
        return;
    }
    kept_until_exit[KEPT_ENGINE] = r->engine;
    kept_until_exit[KEPT_SESSIONS] = r->sessions;
    kept_until_exit[KEPT_FLAGS] = r->flags;
}

int main(int argc, char **argv)
{
    snt_hugepages_restart(argv);
    snt_heap_setup();
    struct snt_options o;
    enum snt_options_result pr = snt_options_parse(&o, argc, argv);
    if (pr != SNT_OPTIONS_RUN) {
        snt_options_free(&o);
        return pr == SNT_OPTIONS_EXIT_OK ? 0 : EXIT_USAGE;
    }
    struct run r;
    FILE *out = NULL;
    memset(&r, 0, sizeof r);
    int status = setup(&r, &o, &out);
    if (!status)
        status = trace(&r, &o);
    release_tables(&r);
    snt_report_free(r.report);
    snt_keylog_free(r.keylog);
    snt_probe_hold_free(r.hold);
    snt_probes_free(r.probes);
    snt_cert_judge_free(r.certs); /* its thread is done before the checker goes */
    release_checker(r.checker);
    snt_capture_close(r.capture);
    snt_sink_free(r.out); /* its thread has written everything by now */
    if (out && out != stdout)
        fclose(out);
    snt_options_free(&o);
    return status;
}
