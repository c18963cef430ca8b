/* The text sink: the view for people.  Each session as the client lived
 * it (its lookups and attempts in time order, one line each), then the
 * hosts whose certificates do not fit, then a line of counts:
 *
 *   session 1  client 192.0.2.10  2026-11-25 15:07:07.484025 UTC  0.2 s  4 attempts  (problems)
 *     dns    mail.hosted.test                          A     198.51.100.21
 *     https  mail.hosted.test:443                      198.51.100.21    TLS1.2  cert ...
 * established
 *
 * Attempts are shown within their sessions, so the attempt records
 * themselves are not written here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/dns.h"
#include "snitrace/format.h"
#include "snitrace/output.h"
#include "snitrace/tls.h"
#include "snitrace/utf8.h"

#define RED    "\033[1;31m"
#define YELLOW "\033[1;33m"
#define GREEN  "\033[32m"
#define RESET  "\033[0m"

struct text_sink {
    struct snt_sink base;
    FILE *f;
    bool live;
    bool color;
    bool flags_header_done;
};

static const char *paint(const struct text_sink *o, const char *colour)
{
    return o->color ? colour : "";
}

static void format_endpoint(const struct snt_addr *a, uint16_t port, char *buf, size_t len)
{
    char ip[SNT_FORMAT_ADDR_LEN];
    snt_format_addr(a, ip, sizeof ip);
    if (a->family == 6)
        snprintf(buf, len, "[%s]:%u", ip, port);
    else
        snprintf(buf, len, "%s:%u", ip, port);
}

/* "tls", or "smtp+tls" for TLS asked for inside a plaintext protocol. */
static const char *protocol_column(enum snt_protocol p, enum snt_starttls_protocol starttls,
                                   char *buf, size_t len)
{
    const char *carrier = snt_starttls_name(starttls);
    if (!carrier)
        return snt_protocol_name(p);
    snprintf(buf, len, "%s+tls", carrier);
    return buf;
}

/* Where a certificate shown came from, when not the wire. */
static const char *source_note(enum snt_cert_source source)
{
    switch (source) {
    case SNT_CERT_SOURCE_KEYLOG: return " (keylog)";
    case SNT_CERT_SOURCE_PROBE: return " (probe)";
    case SNT_CERT_SOURCE_WIRE: break;
    }
    return "";
}

/* "  NAME MISMATCH, EXPIRED" into buf: the problem words in capitals, a
 * suspicion said as one.  Returns the length written. */
static int problem_words(unsigned problems, char *buf, size_t len)
{
    int at = 0;
    const char *sep = "  ";
    buf[0] = '\0';
    for (unsigned i = 0; i < SNT_PROBLEM_COUNT && (size_t)at < len; i++) {
        if (!(problems & (1u << i)))
            continue;
        char word[40];
        size_t k = 0;
        for (const char *c = snt_problem_name(i); *c && k + 1 < sizeof word; c++)
            word[k++] = *c == '_' ? ' ' : (char)toupper((unsigned char)*c);
        word[k] = '\0';
        if (1u << i == SNT_PROBLEM_CLIENT_REJECTED_INFERRED)
            snprintf(word, sizeof word, "CLIENT REJECTED? (inferred)");
        at += snprintf(buf + at, len - (size_t)at, "%s%s", sep, word);
        sep = ", ";
    }
    return at;
}

static void print_stats(struct text_sink *o, const struct snt_stats *s, bool final)
{
    fprintf(o->f,
            "%s %llu packets, %llu bytes, %llu attempts in %llu sessions, %llu flagged hosts, "
            "%llu truncated, %llu parse errors, %llu evictions",
            final ? "#" : "# (so far)", (unsigned long long)s->packets,
            (unsigned long long)s->bytes, (unsigned long long)s->attempts,
            (unsigned long long)s->sessions, (unsigned long long)s->flags,
            (unsigned long long)s->truncated, (unsigned long long)s->parse_errors,
            (unsigned long long)s->evictions);
    if (s->live)
        fprintf(o->f, ", %llu dropped by the kernel, %llu by the interface",
                (unsigned long long)s->drops_kernel, (unsigned long long)s->drops_interface);
    if (s->keylog_used)
        fprintf(o->f, ", %llu TLS keys", (unsigned long long)s->keylog_keys);
    if (s->probe.on)
        fprintf(o->f, ", %llu probes (%llu ok, %llu failed, %llu capped, %llu filtered)",
                (unsigned long long)s->probe.sent, (unsigned long long)s->probe.ok,
                (unsigned long long)s->probe.failed, (unsigned long long)s->probe.capped,
                (unsigned long long)s->probe.filtered);
    fputc('\n', o->f);
}

static void print_list(FILE *f, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *s = snt_utf8_sanitize((const uint8_t *)list[i], strlen(list[i]));
        fprintf(f, "%s%s", i ? ", " : "", s ? s : "?");
        free(s);
    }
}

static void print_flag(struct text_sink *o, const struct snt_flag *fl)
{
    char server[80];
    format_endpoint(&fl->server, fl->port, server, sizeof server);
    const char *cn = fl->cert.n_subject_cn ? fl->cert.subject_cn[0] : "(no CN)";
    fprintf(o->f, "%s%s%s%s %s: ", paint(o, RED), "FLAG", fl->suspected ? " (suspected)" : "",
            paint(o, RESET), server);
    if (fl->suspected) {
        fprintf(o->f, "%s (the certificate was not seen) for: ",
                fl->problems & SNT_PROBLEM_CLIENT_REJECTED
                    ? "clients turned its certificate down"
                    : "clients seem to turn its certificate down (inferred from encrypted record "
                      "sizes)");
    } else {
        fprintf(o->f, "certificate ");
        print_list(o->f, &cn, 1);
        fputs(source_note(fl->source), o->f);
        fprintf(o->f, " (SHA-256 %.16s...) does not cover: ", fl->cert.sha256_hex);
    }
    print_list(o->f, (const char *const *)fl->failed, fl->n_failed);
    const char *suggested[2 * SNT_FLAG_MAX_NAMES + SNT_CERT_MAX_NAMES];
    size_t n = snt_flag_suggested_names(fl, suggested, sizeof suggested / sizeof suggested[0]);
    fprintf(o->f, "\n     a certificate for this host should list: ");
    print_list(o->f, suggested, n);
    fputc('\n', o->f);
}

static const char *scheme_of(const struct snt_session_attempt *e, char *buf, size_t len)
{
    if (e->starttls)
        return protocol_column(e->protocol, e->starttls, buf, len);
    switch (e->protocol) {
    case SNT_PROTO_TLS: return e->server_port == 443 ? "https" : "tls";
    case SNT_PROTO_HTTP: return "http";
    case SNT_PROTO_QUIC: return "quic";
    case SNT_PROTO_DNS: return "dns";
    case SNT_PROTO_UNKNOWN: break;
    }
    return "tcp";
}

/* "  https  autodiscover.example.test:443  198.51.100.21  TLS1.2  cert shared7.webhost.test  NAME
 * MISMATCH  established" */
static void print_session_attempt(struct text_sink *o, const struct snt_session_attempt *e)
{
    char ip[SNT_FORMAT_ADDR_LEN], target[320], scheme[32];
    snt_format_addr(&e->server, ip, sizeof ip);
    const char *name = e->name ? e->name : ip;
    char *safe = snt_utf8_sanitize((const uint8_t *)name, strlen(name));
    snprintf(target, sizeof target, "%s:%u", safe ? safe : "?", e->server_port);
    free(safe);
    fprintf(o->f, "  %-5s  %-40s  %-15s  %-6s", scheme_of(e, scheme, sizeof scheme), target, ip,
            e->version ? e->version : "-");
    if (e->cert_cn) {
        char *cn = snt_utf8_sanitize((const uint8_t *)e->cert_cn, strlen(e->cert_cn));
        fprintf(o->f, "  cert %s%s", cn ? cn : "?", source_note(e->cert_source));
        free(cn);
    }
    char words[512];
    problem_words(e->problems, words, sizeof words);
    const char *sep = e->problems ? ", " : "  ";
    fprintf(o->f, "%s%s", paint(o, RED), words);
    if (e->starttls_refused)
        fprintf(o->f, "%sSTARTTLS REFUSED", sep);
    bool ok = e->outcome == SNT_OUTCOME_ESTABLISHED;
    fprintf(o->f, "%s  %s%s%s", paint(o, RESET), paint(o, ok ? GREEN : YELLOW),
            snt_outcome_name(e->outcome), paint(o, RESET));
    if (e->probe_error)
        fprintf(o->f, "  (probe: %s)", e->probe_error);
    fputc('\n', o->f);
}

/* "  dns    www.example.test  A  198.51.100.22  via cdn.example.test" */
static void print_session_lookup(struct text_sink *o, const struct snt_session_lookup *l)
{
    const char *q = l->question ? l->question : "";
    const char *type = l->qtype == SNT_DNS_TYPE_A      ? "A"
                       : l->qtype == SNT_DNS_TYPE_AAAA ? "AAAA"
                                                       : "?";
    char answers[SNT_SESSION_LOOKUP_ANSWERS_TEXT];
    if (!snt_session_lookup_answers_text(l, answers, sizeof answers))
        snprintf(answers, sizeof answers, "%s",
                 l->rcode == SNT_DNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "-");
    fprintf(o->f, "  dns    %-40s  %-4s  %s", q, type, answers);
    if (l->chain)
        fprintf(o->f, "  via %s", l->chain);
    if (l->truncated)
        fputs("  (truncated by the server)", o->f);
    if (l->malformed)
        fputs("  (malformed: read up to the damage)", o->f);
    fputc('\n', o->f);
}

static void print_session(struct text_sink *o, const struct snt_session *s)
{
    char ip[SNT_FORMAT_ADDR_LEN], start[SNT_FORMAT_TIME_LEN];
    snt_format_addr(&s->client, ip, sizeof ip);
    snt_format_time(s->start_usec, start, sizeof start);
    start[10] = ' ';
    start[strlen(start) - 1] = '\0'; /* the Z: the line says UTC */
    double secs = (double)(s->end_usec - s->start_usec) / 1e6;
    fprintf(o->f, "session %llu  client %s  %s UTC  %.1f s  %u attempt%s%s\n",
            (unsigned long long)s->id, ip, start, secs, s->attempts_total,
            s->attempts_total == 1 ? "" : "s", s->problem_count ? "  (problems)" : "");
    /* Lookups and attempts interleaved in time, as the client made them. */
    unsigned a = 0, l = 0;
    while (a < s->n_attempts || l < s->n_lookups) {
        bool lookup_first = l < s->n_lookups &&
                            (a == s->n_attempts || s->lookups[l].ts_usec <= s->attempts[a].ts_usec);
        if (lookup_first)
            print_session_lookup(o, &s->lookups[l++]);
        else
            print_session_attempt(o, &s->attempts[a++]);
    }
    if (s->attempts_total > s->n_attempts)
        fprintf(o->f, "  ... and %u more\n", s->attempts_total - s->n_attempts);
}

/* "22 (30), 80 (30) and more" */
static void print_scan_ports(FILE *f, const struct snt_scan_record *r)
{
    for (unsigned i = 0; i < r->n_ports; i++)
        fprintf(f, "%s%u (%llu)", i ? ", " : "", r->ports[i].port,
                (unsigned long long)r->ports[i].attempts);
    if (r->more_ports)
        fputs(" and more", f);
}

static void print_scan_peers(FILE *f, const struct snt_scan_record *r)
{
    char ip[SNT_FORMAT_ADDR_LEN];
    for (unsigned i = 0; i < r->n_peers; i++) {
        snt_format_addr(&r->peers[i].addr, ip, sizeof ip);
        fprintf(f, "%s%s (%llu)", i ? ", " : "", ip, (unsigned long long)r->peers[i].attempts);
    }
    if (r->more_peers)
        fputs(" and more", f);
}

/* "2026-11-25 16:00:00.001000  FLOOD  server 198.51.100.10: 2900 attempts
 * summarised (100 written) over 3.0 s: no answer 2900, refused 0, reset 0,
 * incomplete 0; ports 443 (2900); clients 203.0.113.7 (1), ... and more" */
static void print_scan(struct text_sink *o, const struct snt_scan_record *r)
{
    char ts[SNT_FORMAT_TIME_LEN], ip[SNT_FORMAT_ADDR_LEN];
    bool scan = r->kind == SNT_SCAN_CLIENT;
    snt_format_time(r->first_usec, ts, sizeof ts);
    ts[10] = ' ';
    ts[strlen(ts) - 1] = '\0'; /* the Z: the header says UTC */
    snt_format_addr(&r->addr, ip, sizeof ip);
    fprintf(o->f,
            "%-26s  %s%s%s  %s %s: %llu attempts summarised (%llu written) over %.1f s: no answer "
            "%llu, refused %llu, reset %llu, incomplete %llu; ports ",
            ts, paint(o, YELLOW), scan ? "SCAN " : "FLOOD", paint(o, RESET),
            scan ? "client" : "server", ip, (unsigned long long)r->attempts,
            (unsigned long long)r->attempts_written, (double)(r->last_usec - r->first_usec) / 1e6,
            (unsigned long long)r->no_answer, (unsigned long long)r->refused,
            (unsigned long long)r->reset, (unsigned long long)r->incomplete);
    print_scan_ports(o->f, r);
    fprintf(o->f, "; %s ", scan ? "servers" : "clients");
    print_scan_peers(o->f, r);
    fputs(r->ongoing ? "  (goes on)\n" : "\n", o->f);
}

/* ---- the sink ---------------------------------------------------------------- */

static struct text_sink *text_of(struct snt_sink *s)
{
    return (struct text_sink *)s;
}

/* After a record: flushed when people are watching; the stream's error
 * state is the sink's. */
static bool done(struct text_sink *o, bool flush)
{
    if (o->base.error)
        return false;
    if ((flush && fflush(o->f) != 0) || ferror(o->f))
        o->base.error = errno ? errno : EIO;
    return !o->base.error;
}

static bool text_attempt(struct snt_sink *s, const struct snt_attempt *a)
{
    return !s->error; /* shown in its session */
}

static bool text_session(struct snt_sink *s, const struct snt_session *x)
{
    struct text_sink *o = text_of(s);
    if (s->error)
        return false;
    print_session(o, x);
    return done(o, o->live);
}

/* People read the view to the end: the hosts to fix go last. */
static bool text_flag(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev)
{
    struct text_sink *o = text_of(s);
    if (s->error || ev != SNT_FLAG_SUMMARY)
        return !s->error;
    if (!o->flags_header_done) {
        fputs("\n# hosts whose certificates do not cover the names clients used:\n", o->f);
        o->flags_header_done = true;
    }
    print_flag(o, fl);
    return done(o, o->live);
}

static bool text_scan(struct snt_sink *s, const struct snt_scan_record *r)
{
    struct text_sink *o = text_of(s);
    if (s->error)
        return false;
    print_scan(o, r);
    return done(o, o->live);
}

static bool text_stats(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec, bool final)
{
    struct text_sink *o = text_of(s);
    if (s->error)
        return false;
    print_stats(o, st, final);
    return done(o, true);
}

static bool text_flush(struct snt_sink *s)
{
    return done(text_of(s), true);
}

static void text_destroy(struct snt_sink *s)
{
    free(s);
}

static const struct snt_sink_ops text_ops = {
    .attempt = text_attempt,
    .session = text_session,
    .flag = text_flag,
    .scan = text_scan,
    .stats = text_stats,
    .flush = text_flush,
    .destroy = text_destroy,
};

struct snt_sink *snt_sink_text_new(FILE *f, bool live, bool color)
{
    struct text_sink *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->base.ops = &text_ops;
    o->f = f;
    o->live = live;
    o->color = color;
    return &o->base;
}
