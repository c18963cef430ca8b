/* The JSON sink: NDJSON, schema version 1 (docs/schema.md,
 * docs/snitrace.schema.json).
 *
 * Field names follow the Elastic Common Schema as nested objects, each
 * object written whole, in the order the schema documents.  Absent
 * knowledge is an absent field.  Every string from the wire or from a
 * certificate is made valid UTF-8 as it is written.  A record is built in
 * one reusable buffer and written with one call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/dns.h"
#include "snitrace/format.h"
#include "snitrace/json.h"
#include "snitrace/output.h"
#include "snitrace/quic.h"
#include "snitrace/tls.h"
#include "snitrace/utf8.h"
#include "container.h"

/* The x509 and hash members of tls.server as last written for a
 * certificate, by the certificate's shared strings: the same server's
 * certificate is in every attempt to it, and writing it is a third of
 * writing the attempt.  The slot holds a reference to the strings, so the
 * block cannot be freed and another take its address while it is kept;
 * every field written comes from the result those strings were made for.
 * Direct-mapped; a clash replaces. */
#define X509_MEMO 256 /* a power of two */

struct x509_written {
    struct snt_cert_strings *strings; /* NULL: empty */
    char *text;
    size_t len, cap;
};

/* Records are built one after another in the sink's buffer and written
 * this many bytes at a time, or when the sink is flushed: one fwrite per
 * record, with its lock, checks and copy into the stream's buffer, was a
 * tenth of the output thread's time on the bench's captures (main leaves
 * the stream unbuffered offline, so a batch goes to write(2) as it is).
 * A sink made to write each record at once (live, on one thread) does. */
#define BATCH_BYTES (256u << 10)

struct json_sink {
    struct snt_sink base;
    FILE *f;
    bool live;
    struct snt_json j;   /* every record is built here, after those not yet written */
    size_t record_start; /* where the record being built begins in j */
    struct x509_written x509[X509_MEMO];
};

/* ---- fields shared by several records ------------------------------------ */

static void put_time(struct snt_json *j, const char *key, uint64_t ts_usec)
{
    char ts[SNT_FORMAT_TIME_LEN];
    size_t n = snt_format_time(ts_usec, ts, sizeof ts);
    snt_json_string_n(j, key, ts, n);
}

/* Certificate times (seconds, signed): before 1970 they are left out. */
static void put_cert_time(struct snt_json *j, const char *key, int64_t secs)
{
    if (secs >= 0)
        put_time(j, key, (uint64_t)secs * 1000000u);
}

static void put_ip(struct snt_json *j, const struct snt_addr *addr)
{
    char ip[SNT_FORMAT_ADDR_LEN];
    size_t n = snt_format_addr(addr, ip, sizeof ip);
    snt_json_string_n(j, "ip", ip, n);
}

static void put_endpoint(struct snt_json *j, const char *key, const struct snt_addr *addr,
                         uint16_t port)
{
    snt_json_begin_object(j, key);
    put_ip(j, addr);
    snt_json_uint(j, "port", port);
    snt_json_end_object(j);
}

/* A C string from a certificate or the program, made valid UTF-8. */
static void put_text(struct snt_json *j, const char *key, const char *s)
{
    snt_json_wire_string(j, key, (const uint8_t *)s, strlen(s));
}

/* Absent when NULL or empty. */
static void put_text_if(struct snt_json *j, const char *key, const char *s)
{
    if (s && *s)
        put_text(j, key, s);
}

static void put_text_array(struct snt_json *j, const char *key, char *const *list, size_t n)
{
    snt_json_begin_array(j, key);
    for (size_t i = 0; i < n; i++)
        put_text(j, NULL, list[i]);
    snt_json_end_array(j);
}

static void put_bytes(struct snt_json *j, const char *key, const struct snt_bytes *b)
{
    snt_json_wire_string(j, key, b->p, b->len);
}

/* A name off the wire: its readable form under key, and what that form
 * cannot tell: key_truncated when the wire had more than was kept, and
 * key_hex with the bytes as sent when they were not UTF-8 or held NUL
 * (the readable form has U+FFFD there, and the original is gone). */
static void put_wire_name(struct snt_json *j, const char *key, const struct snt_bytes *b)
{
    char field[64];
    size_t klen = strlen(key);
    put_bytes(j, key, b);
    if (klen + sizeof "_truncated" > sizeof field)
        return;
    memcpy(field, key, klen);
    if (b->truncated) {
        memcpy(field + klen, "_truncated", sizeof "_truncated");
        snt_json_bool(j, field, true);
    }
    if (snt_utf8_is_clean(b->p, b->len))
        return;
    memcpy(field + klen, "_hex", sizeof "_hex");
    snt_json_hex(j, field, b->p, b->len);
}

static void put_problems(struct snt_json *j, unsigned problems)
{
    snt_json_begin_array(j, "problems");
    for (unsigned i = 0; i < SNT_PROBLEM_COUNT; i++)
        if (problems & (1u << i))
            snt_json_string(j, NULL, snt_problem_name(i));
    snt_json_end_array(j);
}

/* The certificate as ECS has it: the "x509" and "hash" members of
 * tls.server; shared by attempt and flag records. */
static void put_x509(struct snt_json *j, const struct snt_cert_info *ci)
{
    snt_json_begin_object(j, "x509");
    snt_json_begin_object(j, "subject");
    put_text_array(j, "common_name", ci->subject_cn, ci->n_subject_cn);
    put_text_if(j, "distinguished_name", ci->subject_dn);
    snt_json_end_object(j);
    snt_json_begin_array(j, "alternative_names");
    for (size_t i = 0; i < ci->n_dns_names; i++)
        put_text(j, NULL, ci->dns_names[i]);
    for (size_t i = 0; i < ci->n_ip_addresses; i++)
        snt_json_string(j, NULL, ci->ip_addresses[i]);
    snt_json_end_array(j);
    snt_json_begin_object(j, "issuer");
    put_text_if(j, "distinguished_name", ci->issuer_dn);
    snt_json_end_object(j);
    put_cert_time(j, "not_before", ci->not_before);
    put_cert_time(j, "not_after", ci->not_after);
    put_text_if(j, "public_key_algorithm", ci->key_type);
    if (ci->key_bits > 0)
        snt_json_uint(j, "public_key_size", (uint64_t)ci->key_bits);
    put_text_if(j, "signature_algorithm", ci->signature_algorithm);
    snt_json_end_object(j);
    snt_json_begin_object(j, "hash");
    snt_json_string(j, "sha256", ci->sha256_hex);
    snt_json_end_object(j);
}

static struct x509_written *x509_slot(struct snt_json *j, const struct snt_cert_info *ci)
{
    if (!ci->strings)
        return NULL;
    struct json_sink *js = SNT_CONTAINER_OF(j, struct json_sink, j);
    uintptr_t at = (uintptr_t)ci->strings;
    return &js->x509[(at >> 6 ^ at >> 14) & (X509_MEMO - 1)];
}

/* Keep text[0, len) as what ci's certificate writes. */
static void x509_keep(struct x509_written *w, const struct snt_cert_info *ci, const char *text,
                      size_t len)
{
    if (len > w->cap) {
        char *grown = realloc(w->text, len);
        if (!grown)
            return;
        w->text = grown;
        w->cap = len;
    }
    snt_cert_strings_release(w->strings);
    w->strings = snt_cert_info_hold(ci);
    memcpy(w->text, text, len);
    w->len = len;
}

static void put_tls_server(struct snt_json *j, const struct snt_cert_info *ci)
{
    snt_json_begin_object(j, "server");
    struct x509_written *w = x509_slot(j, ci);
    if (w && w->strings == ci->strings) {
        snt_json_members_raw(j, w->text, w->len);
    } else {
        size_t start = j->len;
        put_x509(j, ci);
        if (w && snt_json_ok_so_far(j))
            x509_keep(w, ci, j->buf + start, j->len - start);
    }
    snt_json_end_object(j);
}

/* ---- attempt --------------------------------------------------------------- */

static void put_network(struct snt_json *j, const struct snt_attempt *a)
{
    snt_json_begin_object(j, "network");
    snt_json_string(j, "transport", a->transport == SNT_IPPROTO_UDP ? "udp" : "tcp");
    snt_json_string(j, "type", a->client.family == 6 ? "ipv6" : "ipv4");
    snt_json_string(j, "protocol", snt_protocol_name(a->protocol));
    snt_json_end_object(j);
}

static void put_tls_client(struct snt_json *j, const struct snt_attempt *a)
{
    snt_json_begin_object(j, "client");
    if (a->sni.len)
        put_wire_name(j, "server_name", &a->sni);
    if (a->n_alpn) {
        snt_json_begin_array(j, "alpn");
        for (unsigned i = 0; i < a->n_alpn; i++)
            put_bytes(j, NULL, &a->alpn[i]);
        snt_json_end_array(j);
    }
    if (a->ja3[0])
        snt_json_string(j, "ja3", a->ja3);
    if (a->ja4[0])
        snt_json_string(j, "ja4", a->ja4);
    snt_json_end_object(j);
}

static void put_tls_server_hello(struct snt_json *j, const struct snt_attempt *a)
{
    const char *v = snt_tls_version_name(a->version);
    if (v) {
        snt_json_string(j, "version", v);
        snt_json_string(j, "version_protocol", strcmp(v, "ssl3") ? "tls" : "ssl");
    }
    const char *c = snt_tls_cipher_name(a->cipher);
    if (c)
        snt_json_string(j, "cipher", c);
    if (a->next_protocol.len)
        put_bytes(j, "next_protocol", &a->next_protocol);
    if (a->resumed)
        snt_json_bool(j, "resumed", true);
}

/* tls: what the hellos said, and the certificate (tls.server) with them. */
static void put_tls(struct snt_json *j, const struct snt_attempt *a)
{
    snt_json_begin_object(j, "tls");
    if (a->has_client_hello)
        put_tls_client(j, a);
    if (a->has_server_hello)
        put_tls_server_hello(j, a);
    snt_json_bool(j, "established", a->established);
    if (a->has_cert)
        put_tls_server(j, &a->cert.info);
    snt_json_end_object(j);
}

static void put_certificate(struct snt_json *j, const struct snt_attempt *a, bool tls_written)
{
    if (!a->has_cert)
        return;
    if (!tls_written) { /* a certificate without hellos: tls holds it alone */
        snt_json_begin_object(j, "tls");
        put_tls_server(j, &a->cert.info);
        snt_json_end_object(j);
    }
    snt_json_string(j, "certificate_source", snt_cert_source_name(a->cert_source));
    snt_json_uint(j, "certificate_chain_length", a->cert.info.chain_length);
    put_text_if(j, "name_check", a->cert.verdict.name_check);
    put_text_if(j, "verify_error", a->cert.verdict.verify_error);
}

static void put_lengths(struct snt_json *j, const char *key, const uint16_t *lens, unsigned n)
{
    snt_json_begin_array(j, key);
    for (unsigned i = 0; i < n; i++)
        snt_json_uint(j, NULL, lens[i]);
    snt_json_end_array(j);
}

/* Without keys: what the encrypted records suggest, and the evidence. */
static void put_inferred(struct snt_json *j, const struct snt_attempt_inference *in)
{
    const char *verdict = snt_inferred_verdict_name(in->verdict);
    if (!verdict)
        return;
    snt_json_begin_object(j, "inferred");
    snt_json_string(j, "client_verdict", verdict);
    put_lengths(j, "client_records", in->client_records, in->n_client);
    put_lengths(j, "server_records", in->server_records, in->n_server);
    if (in->ended_by)
        snt_json_string(j, "ended_by", in->ended_by);
    snt_json_end_object(j);
}

/* The QUIC version the server's packets carry: "1", "2", "draft-29", ... */
static void put_quic_version(struct snt_json *j, uint32_t version)
{
    const struct snt_quic_version *v = version ? snt_quic_version_lookup(version) : NULL;
    if (v)
        snt_json_string(j, "quic_version", v->name);
}

/* What --probe did: when, how, and that the answer is as of that time. */
static void put_probe(struct snt_json *j, const struct snt_attempt_probe *pr)
{
    if (!pr->done)
        return;
    snt_json_begin_object(j, "probe");
    put_time(j, "@timestamp", pr->usec);
    snt_json_string(j, "transport", "tcp");
    snt_json_uint(j, "port", pr->port);
    snt_json_string(j, "as_of", "probe_time");
    snt_json_bool(j, "live", pr->live);
    snt_json_bool(j, "for_quic", pr->tcp_for_quic);
    put_text_if(j, "error", pr->error);
    snt_json_end_object(j);
}

/* "outer":{"inner":{"key":b}} */
static void put_nested_bytes(struct snt_json *j, const char *outer, const char *inner,
                             const char *key, const struct snt_bytes *b)
{
    snt_json_begin_object(j, outer);
    if (inner)
        snt_json_begin_object(j, inner);
    put_bytes(j, key, b);
    if (inner)
        snt_json_end_object(j);
    snt_json_end_object(j);
}

static void put_dns(struct snt_json *j, const struct snt_attempt *a)
{
    if (a->dns_qname.len)
        put_nested_bytes(j, "dns", "question", "name", &a->dns_qname);
    if (a->n_cname) {
        snt_json_begin_array(j, "cname_chain");
        for (unsigned i = 0; i < a->n_cname; i++)
            put_bytes(j, NULL, &a->cname_chain[i]);
        snt_json_end_array(j);
    }
}

static void put_alerts(struct snt_json *j, const struct snt_attempt *a)
{
    if (!a->n_alerts)
        return;
    snt_json_begin_array(j, "alerts");
    for (unsigned i = 0; i < a->n_alerts; i++) {
        const struct snt_attempt_alert *al = &a->alerts[i];
        const char *d = snt_tls_alert_name(al->description);
        snt_json_begin_object(j, NULL);
        snt_json_string(j, "from", al->from_client ? "client" : "server");
        snt_json_string(j, "level", al->level == 2 ? "fatal" : "warning");
        if (d)
            snt_json_string(j, "description", d);
        snt_json_uint(j, "code", al->description);
        snt_json_bool(j, "after_certificate", al->after_certificate);
        snt_json_end_object(j);
    }
    snt_json_end_array(j);
}

static void put_http(struct snt_json *j, const struct snt_attempt *a)
{
    if (a->http_method.len)
        put_nested_bytes(j, "http", "request", "method", &a->http_method);
    if (a->http_uri.len)
        put_nested_bytes(j, "url", NULL, "original", &a->http_uri);
}

static void put_attempt(struct snt_json *j, const struct snt_attempt *a)
{
    snt_json_begin_object(j, NULL);
    snt_json_string(j, "type", "attempt");
    put_time(j, "@timestamp", a->ts_usec);
    put_endpoint(j, "client", &a->client, a->client_port);
    put_endpoint(j, "server", &a->server, a->server_port);
    put_network(j, a);
    put_text_if(j, "starttls", snt_starttls_name(a->starttls));
    if (a->starttls_refused.len)
        put_bytes(j, "starttls_refused", &a->starttls_refused);
    if (a->name.len)
        put_wire_name(j, "name", &a->name);
    snt_json_string(j, "name_source", snt_name_source_name(a->name_source));
    snt_json_string(j, "outcome", snt_outcome_name(a->outcome));
    bool tls = a->has_client_hello || a->has_server_hello;
    if (tls)
        put_tls(j, a);
    if (a->certificate_known || a->has_cert)
        snt_json_bool(j, "certificate_visible", a->has_cert || a->certificate_visible);
    put_certificate(j, a, tls);
    put_inferred(j, &a->inferred);
    put_quic_version(j, a->quic_version);
    if (a->ech_offered)
        snt_json_bool(j, "ech_offered", true);
    put_probe(j, &a->probe);
    put_dns(j, a);
    put_alerts(j, a);
    put_text_if(j, "client_rejected", a->client_rejected);
    put_http(j, a);
    put_problems(j, a->problems);
    if (a->session_id)
        snt_json_uint(j, "session_id", a->session_id);
    snt_json_end_object(j);
}

/* ---- session ----------------------------------------------------------------- */

static void put_session_attempt(struct snt_json *j, const struct snt_session_attempt *e)
{
    snt_json_begin_object(j, NULL);
    put_time(j, "@timestamp", e->ts_usec);
    put_endpoint(j, "server", &e->server, e->server_port);
    snt_json_begin_object(j, "network");
    snt_json_string(j, "protocol", snt_protocol_name(e->protocol));
    snt_json_end_object(j);
    put_text_if(j, "starttls", snt_starttls_name(e->starttls));
    put_text_if(j, "name", e->name);
    snt_json_string(j, "name_source", snt_name_source_name(e->name_source));
    snt_json_string(j, "outcome", snt_outcome_name(e->outcome));
    put_problems(j, e->problems);
    snt_json_end_object(j);
}

/* "a,b" as a JSON array of strings. */
static void put_joined(struct snt_json *j, const char *key, const char *joined)
{
    snt_json_begin_array(j, key);
    for (const char *p = joined; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snt_json_wire_string(j, NULL, (const uint8_t *)p, len);
        p = end ? end + 1 : p + len;
    }
    snt_json_end_array(j);
}

/* The query type as a string, so a log store types the field once: RFC
 * 3597's TYPEnnn for types without a name here. */
static void put_dns_type(struct snt_json *j, uint16_t qtype)
{
    const char *name = qtype == SNT_DNS_TYPE_A       ? "A"
                       : qtype == SNT_DNS_TYPE_AAAA  ? "AAAA"
                       : qtype == SNT_DNS_TYPE_CNAME ? "CNAME"
                                                     : NULL;
    char text[4 + SNT_FORMAT_UINT_LEN] = "TYPE";
    if (name) {
        snt_json_string(j, "type", name);
        return;
    }
    size_t n = snt_format_uint(qtype, text + 4);
    snt_json_string_n(j, "type", text, 4 + n);
}

/* The addresses as an array of strings, as inet_ntop(3) writes them. */
static void put_addrs(struct snt_json *j, const char *key, const struct snt_addr *addrs, unsigned n)
{
    snt_json_begin_array(j, key);
    for (unsigned i = 0; i < n; i++) {
        char ip[SNT_FORMAT_ADDR_LEN];
        snt_json_string_n(j, NULL, ip, snt_format_addr(&addrs[i], ip, sizeof ip));
    }
    snt_json_end_array(j);
}

static void put_lookup(struct snt_json *j, const struct snt_session_lookup *l)
{
    snt_json_begin_object(j, NULL);
    put_time(j, "@timestamp", l->ts_usec);
    put_text_if(j, "question", l->question);
    put_dns_type(j, l->qtype);
    snt_json_uint(j, "rcode", l->rcode);
    put_addrs(j, "answers", l->answers, l->n_answers);
    if (l->chain)
        put_joined(j, "cname_chain", l->chain);
    if (l->truncated)
        snt_json_bool(j, "truncated", true);
    if (l->malformed)
        snt_json_bool(j, "malformed", true);
    snt_json_end_object(j);
}

static void put_session(struct snt_json *j, const struct snt_session *s)
{
    snt_json_begin_object(j, NULL);
    snt_json_string(j, "type", "session");
    put_time(j, "@timestamp", s->start_usec);
    snt_json_uint(j, "session_id", s->id);
    snt_json_begin_object(j, "client");
    put_ip(j, &s->client);
    snt_json_end_object(j);
    put_time(j, "start", s->start_usec);
    put_time(j, "end", s->end_usec);
    snt_json_begin_array(j, "attempts");
    for (unsigned i = 0; i < s->n_attempts; i++)
        put_session_attempt(j, &s->attempts[i]);
    snt_json_end_array(j);
    snt_json_uint(j, "attempt_count", s->attempts_total);
    snt_json_begin_array(j, "dns_lookups");
    for (unsigned i = 0; i < s->n_lookups; i++)
        put_lookup(j, &s->lookups[i]);
    snt_json_end_array(j);
    put_text_array(j, "names", s->names, s->n_names);
    snt_json_uint(j, "problem_count", s->problem_count);
    snt_json_end_object(j);
}

/* ---- flag -------------------------------------------------------------------- */

static void put_flag(struct snt_json *j, const struct snt_flag *fl, bool update)
{
    snt_json_begin_object(j, NULL);
    snt_json_string(j, "type", "flag");
    put_time(j, "@timestamp", fl->last_usec);
    snt_json_bool(j, "update", update);
    put_endpoint(j, "server", &fl->server, fl->port);
    if (fl->suspected) {
        snt_json_bool(j, "suspected", true);
    } else {
        snt_json_begin_object(j, "tls");
        put_tls_server(j, &fl->cert);
        snt_json_end_object(j);
    }
    /* Absent for the common case, a certificate seen on the wire. */
    if (!fl->suspected && fl->source != SNT_CERT_SOURCE_WIRE)
        snt_json_string(j, "certificate_source", snt_cert_source_name(fl->source));
    put_problems(j, fl->problems);
    put_text_array(j, "names", fl->failed, fl->n_failed);
    put_text_array(j, "names_asked", fl->asked, fl->n_asked);
    const char *suggested[2 * SNT_FLAG_MAX_NAMES + SNT_CERT_MAX_NAMES];
    size_t n = snt_flag_suggested_names(fl, suggested, sizeof suggested / sizeof suggested[0]);
    put_text_array(j, "suggested_alt_names", (char *const *)suggested, n);
    if (fl->names_dropped)
        snt_json_bool(j, "names_truncated", true);
    snt_json_end_object(j);
}

/* ---- scan and flood ---------------------------------------------------------- */

static void put_scan_outcomes(struct snt_json *j, const struct snt_scan_record *r)
{
    snt_json_begin_object(j, "outcomes");
    snt_json_uint(j, "no_answer", r->no_answer);
    snt_json_uint(j, "refused", r->refused);
    snt_json_uint(j, "reset", r->reset);
    snt_json_uint(j, "incomplete", r->incomplete);
    snt_json_end_object(j);
}

static void put_scan_tops(struct snt_json *j, const struct snt_scan_record *r, const char *peers)
{
    snt_json_begin_array(j, "ports");
    for (unsigned i = 0; i < r->n_ports; i++) {
        snt_json_begin_object(j, NULL);
        snt_json_uint(j, "port", r->ports[i].port);
        snt_json_uint(j, "attempts", r->ports[i].attempts);
        snt_json_end_object(j);
    }
    snt_json_end_array(j);
    snt_json_begin_array(j, peers);
    for (unsigned i = 0; i < r->n_peers; i++) {
        snt_json_begin_object(j, NULL);
        put_ip(j, &r->peers[i].addr);
        snt_json_uint(j, "attempts", r->peers[i].attempts);
        snt_json_end_object(j);
    }
    snt_json_end_array(j);
}

static void put_scan(struct snt_json *j, const struct snt_scan_record *r)
{
    bool scan = r->kind == SNT_SCAN_CLIENT;
    snt_json_begin_object(j, NULL);
    snt_json_string(j, "type", scan ? "scan" : "flood");
    put_time(j, "@timestamp", r->first_usec);
    snt_json_begin_object(j, scan ? "client" : "server");
    put_ip(j, &r->addr);
    snt_json_end_object(j);
    snt_json_begin_object(j, "network");
    snt_json_string(j, "transport", "tcp");
    snt_json_end_object(j);
    snt_json_begin_object(j, "event");
    put_time(j, "start", r->first_usec);
    put_time(j, "end", r->last_usec);
    snt_json_end_object(j);
    snt_json_uint(j, "attempt_count", r->attempts);
    snt_json_uint(j, "attempts_written", r->attempts_written);
    put_scan_outcomes(j, r);
    put_scan_tops(j, r, scan ? "servers" : "clients");
    if (r->more_ports)
        snt_json_bool(j, "more_ports", true);
    if (r->more_peers)
        snt_json_bool(j, scan ? "more_servers" : "more_clients", true);
    if (r->ongoing)
        snt_json_bool(j, "ongoing", true);
    snt_json_end_object(j);
}

/* ---- stats ------------------------------------------------------------------- */

/* Counters of damage and limits that ordinary traffic never reaches:
 * present only when something was counted. */
static void put_rare_counts(struct snt_json *j, const struct snt_stats *s)
{
    const struct {
        const char *key;
        uint64_t v;
    } rare[] = {
        {"decode_too_deep", s->decode_too_deep},
        {"name_truncations", s->name_truncations},
        {"dns_partial", s->dns_partial},
        {"dns_answers_dropped", s->dns_answers_dropped},
        {"reassembly_memory_full", s->reassembly_memory_full},
        {"reassembly_memory_evictions", s->reassembly_memory_evictions},
        {"attempts_summarised", s->attempts_summarised},
        {"scans", s->scans},
        {"floods", s->floods},
        {"scan_table_full", s->scan_table_full},
        {"rst_ignored", s->rst_ignored},
        {"synack_isn_switches", s->synack_isn_switches},
        {"synack_isns_dropped", s->synack_isns_dropped},
    };
    for (size_t i = 0; i < sizeof rare / sizeof rare[0]; i++)
        if (rare[i].v)
            snt_json_uint(j, rare[i].key, rare[i].v);
}

static void put_keylog_stats(struct snt_json *j, const struct snt_stats *s)
{
    if (!s->keylog_used)
        return;
    snt_json_uint(j, "keylog_keys", s->keylog_keys);
    snt_json_uint(j, "keylog_malformed", s->keylog_malformed);
    snt_json_uint(j, "keylog_clients_evicted", s->keylog_clients_evicted);
    snt_json_uint(j, "tls_decrypted", s->tls_decrypted);
    snt_json_uint(j, "tls_decrypt_failures", s->tls_decrypt_failures);
    snt_json_uint(j, "tls_keys_late", s->tls_keys_late);
    snt_json_uint(j, "tls_keys_missing", s->tls_keys_missing);
}

/* Only with --probe: a run that sends nothing says nothing about it. */
static void put_probe_stats(struct snt_json *j, const struct snt_stats_probe *p)
{
    if (!p->on)
        return;
    snt_json_uint(j, "probes_sent", p->sent);
    snt_json_uint(j, "probes_ok", p->ok);
    snt_json_uint(j, "probes_failed", p->failed);
    snt_json_uint(j, "probes_reused", p->reused);
    snt_json_uint(j, "probes_capped", p->capped);
    snt_json_uint(j, "probes_filtered", p->filtered);
    snt_json_uint(j, "probes_cancelled", p->cancelled);
    snt_json_uint(j, "probe_connections_ignored", p->own_connections);
    snt_json_uint(j, "probes_not_awaited", p->not_awaited);
    snt_json_uint(j, "attempts_waiting_for_probe", p->waiting);
}

static void put_stats(struct snt_json *j, const struct snt_stats *s, uint64_t ts_usec, bool final)
{
    const struct {
        const char *key;
        uint64_t v;
    } counts[] = {
        {"flows", s->flows},
        {"attempts", s->attempts},
        {"sessions", s->sessions},
        {"flags", s->flags},
        {"parse_errors", s->parse_errors},
        {"truncated", s->truncated},
        {"evictions", s->evictions},
        {"decode_errors", s->decode_errors},
        {"non_ip", s->non_ip},
        {"reassembly_limit", s->reassembly_limit},
        {"certificates_parsed", s->certs_parsed},
        {"certificate_verifications", s->cert_verifications},
        {"certificate_cache_hits", s->cert_cache_hits},
        {"dns_responses", s->dns_responses},
        {"dns_malformed", s->dns_malformed},
        {"dns_names_learnt", s->dns_names_learnt},
        {"dns_names_evicted", s->dns_names_evicted},
        {"flags_untracked", s->flags_untracked},
    };
    snt_json_begin_object(j, NULL);
    snt_json_string(j, "type", "stats");
    put_time(j, "@timestamp", ts_usec);
    snt_json_bool(j, "final", final);
    snt_json_uint(j, "packets", s->packets);
    snt_json_uint(j, "bytes", s->bytes);
    if (s->live) {
        snt_json_begin_object(j, "drops");
        snt_json_uint(j, "kernel", s->drops_kernel);
        snt_json_uint(j, "interface", s->drops_interface);
        snt_json_end_object(j);
    }
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        snt_json_uint(j, counts[i].key, counts[i].v);
    put_rare_counts(j, s);
    put_keylog_stats(j, s);
    put_probe_stats(j, &s->probe);
    snt_json_end_object(j);
}

/* ---- the sink ---------------------------------------------------------------- */

static struct json_sink *json_of(struct snt_sink *s)
{
    return (struct json_sink *)s;
}

/* The records in the buffer, written out; the buffer is then empty. */
static bool write_out(struct json_sink *js)
{
    size_t len = js->j.len;
    snt_json_reset(&js->j);
    js->record_start = 0;
    if (len && fwrite(js->j.buf, 1, len, js->f) != len) {
        js->base.error = errno ? errno : EIO;
        return false;
    }
    return true;
}

/* The record built in the buffer ended as one line, and written out with
 * those before it when live or when they fill a batch.  A record that could
 * not be built is dropped, and those before it still written; so is every
 * record after a write failed (nothing more is written, and they would
 * pile up in the buffer). */
static bool write_record(struct json_sink *js)
{
    if (js->base.error) {
        snt_json_truncate(&js->j, js->record_start);
        return false;
    }
    snt_json_raw(&js->j, "\n", 1);
    if (!snt_json_ok(&js->j)) {
        snt_json_truncate(&js->j, js->record_start);
        write_out(js);
        js->base.error = ENOMEM;
        return false;
    }
    if (js->live) {
        if (write_out(js) && fflush(js->f) != 0)
            js->base.error = errno ? errno : EIO;
        return !js->base.error;
    }
    return js->j.len < BATCH_BYTES || write_out(js);
}

static struct snt_json *begin(struct snt_sink *s)
{
    struct json_sink *js = json_of(s);
    snt_json_truncate(&js->j, js->j.len);
    js->record_start = js->j.len;
    return &js->j;
}

static bool json_attempt(struct snt_sink *s, const struct snt_attempt *a)
{
    put_attempt(begin(s), a);
    return write_record(json_of(s));
}

static bool json_session(struct snt_sink *s, const struct snt_session *x)
{
    put_session(begin(s), x);
    return write_record(json_of(s));
}

static bool json_flag(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev)
{
    if (ev == SNT_FLAG_SUMMARY)
        return !s->error; /* every flag record is already written */
    put_flag(begin(s), fl, ev == SNT_FLAG_UPDATE);
    return write_record(json_of(s));
}

static bool json_scan(struct snt_sink *s, const struct snt_scan_record *r)
{
    put_scan(begin(s), r);
    return write_record(json_of(s));
}

static bool json_stats(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec, bool final)
{
    put_stats(begin(s), st, ts_usec, final);
    return write_record(json_of(s));
}

static bool json_flush(struct snt_sink *s)
{
    if (!s->error && write_out(json_of(s)) && fflush(json_of(s)->f) != 0)
        s->error = errno ? errno : EIO;
    return !s->error;
}

static void json_destroy(struct snt_sink *s)
{
    struct json_sink *js = json_of(s);
    for (size_t i = 0; i < X509_MEMO; i++) {
        snt_cert_strings_release(js->x509[i].strings);
        free(js->x509[i].text);
    }
    snt_json_free(&js->j);
    free(s);
}

static const struct snt_sink_ops json_ops = {
    .attempt = json_attempt,
    .session = json_session,
    .flag = json_flag,
    .scan = json_scan,
    .stats = json_stats,
    .flush = json_flush,
    .destroy = json_destroy,
};

struct snt_sink *snt_sink_json_new(FILE *f, bool live)
{
    struct json_sink *js = calloc(1, sizeof *js);
    if (!js)
        return NULL;
    js->base.ops = &json_ops;
    js->f = f;
    js->live = live;
    snt_json_init(&js->j);
    return &js->base;
}
