/* NDJSON output, schema version 1 (docs/schema.md, docs/snitrace.schema.json).
 *
 * Field names follow the Elastic Common Schema as nested objects.  Absent
 * knowledge is an absent field.  Every wire string passes through
 * snt_utf8_sanitize before cJSON sees it.
 */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snitrace/flags.h"
#include "snitrace/dns.h"
#include "snitrace/output.h"
#include "snitrace/quic.h"
#include "snitrace/tls.h"

void snt_format_time(uint64_t ts_usec, char *buf, size_t len)
{
    time_t secs = (time_t)(ts_usec / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06uZ", day, (unsigned)(ts_usec % 1000000u));
}

void snt_format_addr(const struct snt_addr *a, char *buf, size_t len)
{
    if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

void snt_output_init(struct snt_output *o, FILE *f, enum snt_format format, bool live)
{
    memset(o, 0, sizeof *o);
    o->f = f;
    o->format = format;
    o->live = live;
}

/* Add a wire string, made valid UTF-8. */
static void add_wire_string(cJSON *obj, const char *key, const uint8_t *p, size_t len)
{
    char *s = snt_utf8_sanitize(p, len);
    if (s) {
        cJSON_AddStringToObject(obj, key, s);
        free(s);
    }
}

/* Lowercase hex of p, malloc'd. */
static char *hex_of(const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(len * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 0x0f];
    }
    s[len * 2] = '\0';
    return s;
}

/* A name off the wire: its readable form under key, and what that form
 * cannot tell: key_truncated when the wire had more than was kept, and
 * key_hex with the bytes as sent when they were not UTF-8 or held NUL
 * (the readable form has U+FFFD there, and the original is gone). */
static void add_wire_name(cJSON *obj, const char *key, const struct snt_bytes *b)
{
    char field[64];
    add_wire_string(obj, key, b->p, b->len);
    if (b->truncated) {
        snprintf(field, sizeof field, "%s_truncated", key);
        cJSON_AddBoolToObject(obj, field, true);
    }
    if (snt_utf8_is_clean(b->p, b->len))
        return;
    char *hex = hex_of(b->p, b->len);
    if (hex) {
        snprintf(field, sizeof field, "%s_hex", key);
        cJSON_AddStringToObject(obj, field, hex);
        free(hex);
    }
}

static cJSON *add_object(cJSON *parent, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
    return o ? o : cJSON_AddObjectToObject(parent, key);
}

static void add_endpoint(cJSON *root, const char *key, const struct snt_addr *addr, uint16_t port)
{
    char ip[64];
    cJSON *o = add_object(root, key);
    snt_format_addr(addr, ip, sizeof ip);
    cJSON_AddStringToObject(o, "ip", ip);
    cJSON_AddNumberToObject(o, "port", port);
}

static void add_tls_client(cJSON *tls, const struct snt_attempt *a)
{
    cJSON *client = add_object(tls, "client");
    if (a->sni.len)
        add_wire_name(client, "server_name", &a->sni);
    if (a->n_alpn) {
        cJSON *arr = cJSON_AddArrayToObject(client, "alpn");
        for (unsigned i = 0; i < a->n_alpn; i++) {
            char *s = snt_utf8_sanitize(a->alpn[i].p, a->alpn[i].len);
            if (s) {
                cJSON_AddItemToArray(arr, cJSON_CreateString(s));
                free(s);
            }
        }
    }
    if (a->ja3[0])
        cJSON_AddStringToObject(client, "ja3", a->ja3);
    if (a->ja4[0])
        cJSON_AddStringToObject(client, "ja4", a->ja4);
}

static void add_tls(cJSON *root, const struct snt_attempt *a)
{
    if (!a->has_client_hello && !a->has_server_hello)
        return;
    cJSON *tls = add_object(root, "tls");
    if (a->has_client_hello)
        add_tls_client(tls, a);
    if (a->has_server_hello) {
        const char *v = snt_tls_version_name(a->version);
        if (v) {
            cJSON_AddStringToObject(tls, "version", v);
            cJSON_AddStringToObject(tls, "version_protocol", strcmp(v, "ssl3") ? "tls" : "ssl");
        }
        const char *c = snt_tls_cipher_name(a->cipher);
        if (c)
            cJSON_AddStringToObject(tls, "cipher", c);
        if (a->next_protocol.len)
            add_wire_string(tls, "next_protocol", a->next_protocol.p, a->next_protocol.len);
        if (a->resumed)
            cJSON_AddBoolToObject(tls, "resumed", true);
    }
    cJSON_AddBoolToObject(tls, "established", a->established);
}

static void add_http(cJSON *root, const struct snt_attempt *a)
{
    if (a->http_method.len) {
        cJSON *req = add_object(add_object(root, "http"), "request");
        add_wire_string(req, "method", a->http_method.p, a->http_method.len);
    }
    if (a->http_uri.len)
        add_wire_string(add_object(root, "url"), "original", a->http_uri.p, a->http_uri.len);
}

static void add_problems(cJSON *root, const char *key, unsigned problems)
{
    cJSON *arr = cJSON_AddArrayToObject(root, key);
    for (unsigned i = 0; i < SNT_PROBLEM_COUNT; i++)
        if (problems & (1u << i))
            cJSON_AddItemToArray(arr, cJSON_CreateString(snt_problem_name(i)));
}

static void add_string_array(cJSON *obj, const char *key, char *const *list, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    for (size_t i = 0; i < n; i++) {
        char *s = snt_utf8_sanitize((const uint8_t *)list[i], strlen(list[i]));
        if (s) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(s));
            free(s);
        }
    }
}

static void add_cstring(cJSON *obj, const char *key, const char *s)
{
    if (s && *s)
        add_wire_string(obj, key, (const uint8_t *)s, strlen(s));
}

static void add_time_field(cJSON *obj, const char *key, int64_t secs)
{
    char ts[40];
    if (secs < 0)
        return; /* before 1970: RFC 3339 could say it, our formatter does not */
    snt_format_time((uint64_t)secs * 1000000u, ts, sizeof ts);
    cJSON_AddStringToObject(obj, key, ts);
}

/* The certificate fields, ECS tls.server.x509.* and tls.server.hash.sha256;
 * shared by attempt and flag records. */
static void add_x509(cJSON *server, const struct snt_cert_info *ci)
{
    cJSON *x509 = add_object(server, "x509");
    cJSON *subject = add_object(x509, "subject");
    add_string_array(subject, "common_name", ci->subject_cn, ci->n_subject_cn);
    add_cstring(subject, "distinguished_name", ci->subject_dn);
    add_string_array(x509, "alternative_names", ci->dns_names, ci->n_dns_names);
    cJSON *alt = cJSON_GetObjectItemCaseSensitive(x509, "alternative_names");
    for (size_t i = 0; i < ci->n_ip_addresses; i++)
        cJSON_AddItemToArray(alt, cJSON_CreateString(ci->ip_addresses[i]));
    add_cstring(add_object(x509, "issuer"), "distinguished_name", ci->issuer_dn);
    add_time_field(x509, "not_before", ci->not_before);
    add_time_field(x509, "not_after", ci->not_after);
    add_cstring(x509, "public_key_algorithm", ci->key_type);
    if (ci->key_bits > 0)
        cJSON_AddNumberToObject(x509, "public_key_size", ci->key_bits);
    add_cstring(x509, "signature_algorithm", ci->signature_algorithm);
    cJSON_AddStringToObject(add_object(server, "hash"), "sha256", ci->sha256_hex);
}

static void add_alerts(cJSON *root, const struct snt_attempt *a)
{
    if (!a->n_alerts)
        return;
    cJSON *arr = cJSON_AddArrayToObject(root, "alerts");
    for (unsigned i = 0; i < a->n_alerts; i++) {
        const struct snt_attempt_alert *al = &a->alerts[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "from", al->from_client ? "client" : "server");
        cJSON_AddStringToObject(o, "level", al->level == 2 ? "fatal" : "warning");
        const char *d = snt_tls_alert_name(al->description);
        if (d)
            cJSON_AddStringToObject(o, "description", d);
        cJSON_AddNumberToObject(o, "code", al->description);
        cJSON_AddBoolToObject(o, "after_certificate", al->after_certificate);
        cJSON_AddItemToArray(arr, o);
    }
}

static void add_certificate(cJSON *root, const struct snt_attempt *a)
{
    if (!a->has_cert)
        return;
    add_x509(add_object(add_object(root, "tls"), "server"), &a->cert.info);
    cJSON_AddStringToObject(root, "certificate_source", snt_cert_source_name(a->cert_source));
    cJSON_AddNumberToObject(root, "certificate_chain_length", a->cert.info.chain_length);
    add_cstring(root, "name_check", a->cert.verdict.name_check);
    add_cstring(root, "verify_error", a->cert.verdict.verify_error);
}

static void add_lengths(cJSON *obj, const char *key, const uint16_t *lens, unsigned n)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    for (unsigned i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(lens[i]));
}

/* Without keys: what the encrypted records suggest, and the evidence. */
static void add_inferred(cJSON *root, const struct snt_attempt_inference *in)
{
    const char *verdict = snt_inferred_verdict_name(in->verdict);
    if (!verdict)
        return;
    cJSON *o = add_object(root, "inferred");
    cJSON_AddStringToObject(o, "client_verdict", verdict);
    add_lengths(o, "client_records", in->client_records, in->n_client);
    add_lengths(o, "server_records", in->server_records, in->n_server);
    if (in->ended_by)
        cJSON_AddStringToObject(o, "ended_by", in->ended_by);
}

/* What --probe did: when, how, and that the answer is as of that time. */
static void add_probe(cJSON *root, const struct snt_attempt *a)
{
    const struct snt_attempt_probe *pr = &a->probe;
    char ts[40];
    if (!pr->done)
        return;
    cJSON *o = add_object(root, "probe");
    snt_format_time(pr->usec, ts, sizeof ts);
    cJSON_AddStringToObject(o, "@timestamp", ts);
    cJSON_AddStringToObject(o, "transport", "tcp");
    cJSON_AddNumberToObject(o, "port", pr->port);
    cJSON_AddStringToObject(o, "as_of", "probe_time");
    cJSON_AddBoolToObject(o, "live", pr->live);
    cJSON_AddBoolToObject(o, "for_quic", pr->tcp_for_quic);
    add_cstring(o, "error", pr->error);
}

/* The QUIC version the server's packets carry: "1", "2", "draft-29", ... */
static void add_quic_version(cJSON *root, uint32_t version)
{
    const struct snt_quic_version *v = version ? snt_quic_version_lookup(version) : NULL;
    if (v)
        cJSON_AddStringToObject(root, "quic_version", v->name);
}

static cJSON *attempt_to_json(const struct snt_attempt *a)
{
    char ts[40];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "type", "attempt");
    snt_format_time(a->ts_usec, ts, sizeof ts);
    cJSON_AddStringToObject(root, "@timestamp", ts);
    add_endpoint(root, "client", &a->client, a->client_port);
    add_endpoint(root, "server", &a->server, a->server_port);
    cJSON *net = add_object(root, "network");
    cJSON_AddStringToObject(net, "transport", a->transport == SNT_IPPROTO_UDP ? "udp" : "tcp");
    cJSON_AddStringToObject(net, "type", a->client.family == 6 ? "ipv6" : "ipv4");
    cJSON_AddStringToObject(net, "protocol", snt_protocol_name(a->protocol));
    add_cstring(root, "starttls", snt_starttls_name(a->starttls));
    if (a->starttls_refused.len)
        add_wire_string(root, "starttls_refused", a->starttls_refused.p, a->starttls_refused.len);
    if (a->name.len)
        add_wire_name(root, "name", &a->name);
    cJSON_AddStringToObject(root, "name_source", snt_name_source_name(a->name_source));
    cJSON_AddStringToObject(root, "outcome", snt_outcome_name(a->outcome));
    add_tls(root, a);
    if (a->certificate_known || a->has_cert)
        cJSON_AddBoolToObject(root, "certificate_visible", a->has_cert || a->certificate_visible);
    add_certificate(root, a);
    add_inferred(root, &a->inferred);
    add_quic_version(root, a->quic_version);
    if (a->ech_offered)
        cJSON_AddBoolToObject(root, "ech_offered", true);
    add_probe(root, a);
    if (a->dns_qname.len) {
        cJSON *q = add_object(add_object(root, "dns"), "question");
        add_wire_string(q, "name", a->dns_qname.p, a->dns_qname.len);
    }
    if (a->n_cname) {
        cJSON *arr = cJSON_AddArrayToObject(root, "cname_chain");
        for (unsigned i = 0; i < a->n_cname; i++) {
            char *s = snt_utf8_sanitize(a->cname_chain[i].p, a->cname_chain[i].len);
            if (s) {
                cJSON_AddItemToArray(arr, cJSON_CreateString(s));
                free(s);
            }
        }
    }
    add_alerts(root, a);
    add_cstring(root, "client_rejected", a->client_rejected);
    add_http(root, a);
    add_problems(root, "problems", a->problems);
    if (a->session_id)
        cJSON_AddNumberToObject(root, "session_id", (double)a->session_id);
    return root;
}

static bool write_json_line(struct snt_output *o, cJSON *root)
{
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s)
        return false;
    bool ok = fputs(s, o->f) >= 0 && fputc('\n', o->f) != EOF;
    free(s);
    if (o->live)
        fflush(o->f);
    return ok && !ferror(o->f);
}

bool snt_output_attempt(struct snt_output *o, const struct snt_attempt *a)
{
    if (o->format == SNT_FORMAT_TEXT)
        return snt_output_text_attempt(o, a);
    return write_json_line(o, attempt_to_json(a));
}

static void add_count(cJSON *root, const char *key, uint64_t v)
{
    cJSON_AddNumberToObject(root, key, (double)v);
}

/* Counters of damage and limits that ordinary traffic never reaches:
 * present only when something was counted. */
static void add_rare_counts(cJSON *root, const struct snt_stats *s)
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
            add_count(root, rare[i].key, rare[i].v);
}

/* Only with --probe: a run that sends nothing says nothing about it. */
static void add_probe_stats(cJSON *root, const struct snt_stats_probe *p)
{
    if (!p->on)
        return;
    add_count(root, "probes_sent", p->sent);
    add_count(root, "probes_ok", p->ok);
    add_count(root, "probes_failed", p->failed);
    add_count(root, "probes_reused", p->reused);
    add_count(root, "probes_capped", p->capped);
    add_count(root, "probes_filtered", p->filtered);
    add_count(root, "probes_cancelled", p->cancelled);
    add_count(root, "probe_connections_ignored", p->own_connections);
    add_count(root, "probes_not_awaited", p->not_awaited);
    add_count(root, "attempts_waiting_for_probe", p->waiting);
}

bool snt_output_stats(struct snt_output *o, const struct snt_stats *s, uint64_t ts_usec, bool final)
{
    if (o->format == SNT_FORMAT_TEXT)
        return snt_output_text_stats(o, s, final);
    char ts[40];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "type", "stats");
    snt_format_time(ts_usec, ts, sizeof ts);
    cJSON_AddStringToObject(root, "@timestamp", ts);
    cJSON_AddBoolToObject(root, "final", final);
    add_count(root, "packets", s->packets);
    add_count(root, "bytes", s->bytes);
    if (s->live) {
        cJSON *drops = cJSON_AddObjectToObject(root, "drops");
        add_count(drops, "kernel", s->drops_kernel);
        add_count(drops, "interface", s->drops_interface);
    }
    add_count(root, "flows", s->flows);
    add_count(root, "attempts", s->attempts);
    add_count(root, "sessions", s->sessions);
    add_count(root, "flags", s->flags);
    add_count(root, "parse_errors", s->parse_errors);
    add_count(root, "truncated", s->truncated);
    add_count(root, "evictions", s->evictions);
    add_count(root, "decode_errors", s->decode_errors);
    add_count(root, "non_ip", s->non_ip);
    add_count(root, "reassembly_limit", s->reassembly_limit);
    add_count(root, "certificates_parsed", s->certs_parsed);
    add_count(root, "certificate_verifications", s->cert_verifications);
    add_count(root, "certificate_cache_hits", s->cert_cache_hits);
    add_count(root, "dns_responses", s->dns_responses);
    add_count(root, "dns_malformed", s->dns_malformed);
    add_count(root, "dns_names_learnt", s->dns_names_learnt);
    add_count(root, "dns_names_evicted", s->dns_names_evicted);
    add_count(root, "flags_untracked", s->flags_untracked);
    add_rare_counts(root, s);
    if (s->keylog_used) {
        add_count(root, "keylog_keys", s->keylog_keys);
        add_count(root, "keylog_malformed", s->keylog_malformed);
        add_count(root, "keylog_clients_evicted", s->keylog_clients_evicted);
        add_count(root, "tls_decrypted", s->tls_decrypted);
        add_count(root, "tls_decrypt_failures", s->tls_decrypt_failures);
        add_count(root, "tls_keys_late", s->tls_keys_late);
        add_count(root, "tls_keys_missing", s->tls_keys_missing);
    }
    add_probe_stats(root, &s->probe);
    return write_json_line(o, root);
}

bool snt_output_flag(struct snt_output *o, const struct snt_flag *fl, bool update)
{
    if (o->format == SNT_FORMAT_TEXT)
        return snt_output_text_flag(o, fl, update);
    char ts[40];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "type", "flag");
    snt_format_time(fl->last_usec, ts, sizeof ts);
    cJSON_AddStringToObject(root, "@timestamp", ts);
    cJSON_AddBoolToObject(root, "update", update);
    add_endpoint(root, "server", &fl->server, fl->port);
    if (fl->suspected)
        cJSON_AddBoolToObject(root, "suspected", true);
    else
        add_x509(add_object(add_object(root, "tls"), "server"), &fl->cert);
    /* Absent for the common case, a certificate seen on the wire. */
    if (!fl->suspected && fl->source != SNT_CERT_SOURCE_WIRE)
        cJSON_AddStringToObject(root, "certificate_source", snt_cert_source_name(fl->source));
    add_problems(root, "problems", fl->problems);
    add_string_array(root, "names", fl->failed, fl->n_failed);
    add_string_array(root, "names_asked", fl->asked, fl->n_asked);
    const char *suggested[2 * SNT_FLAG_MAX_NAMES + SNT_CERT_MAX_NAMES];
    size_t n = snt_flag_suggested_names(fl, suggested, sizeof suggested / sizeof suggested[0]);
    add_string_array(root, "suggested_alt_names", (char *const *)suggested, n);
    if (fl->names_dropped)
        cJSON_AddBoolToObject(root, "names_truncated", true);
    return write_json_line(o, root);
}

static cJSON *session_attempt_to_json(const struct snt_session_attempt *e)
{
    char ts[40];
    cJSON *o = cJSON_CreateObject();
    snt_format_time(e->ts_usec, ts, sizeof ts);
    cJSON_AddStringToObject(o, "@timestamp", ts);
    add_endpoint(o, "server", &e->server, e->server_port);
    cJSON_AddStringToObject(add_object(o, "network"), "protocol", snt_protocol_name(e->protocol));
    add_cstring(o, "starttls", snt_starttls_name(e->starttls));
    add_cstring(o, "name", e->name);
    cJSON_AddStringToObject(o, "name_source", snt_name_source_name(e->name_source));
    cJSON_AddStringToObject(o, "outcome", snt_outcome_name(e->outcome));
    add_problems(o, "problems", e->problems);
    return o;
}

static const char *dns_type_name(uint16_t t)
{
    return t == SNT_DNS_TYPE_A       ? "A"
           : t == SNT_DNS_TYPE_AAAA  ? "AAAA"
           : t == SNT_DNS_TYPE_CNAME ? "CNAME"
                                     : NULL;
}

/* "a,b" as a JSON array of strings. */
static void add_joined(cJSON *obj, const char *key, const char *joined)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    for (const char *p = joined; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *s = snt_utf8_sanitize((const uint8_t *)p, len);
        if (s) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(s));
            free(s);
        }
        p = end ? end + 1 : p + len;
    }
}

static cJSON *lookup_to_json(const struct snt_session_lookup *l)
{
    char ts[40];
    cJSON *o = cJSON_CreateObject();
    snt_format_time(l->ts_usec, ts, sizeof ts);
    cJSON_AddStringToObject(o, "@timestamp", ts);
    add_cstring(o, "question", l->question);
    /* Always a string, so a log store types the field once: RFC 3597's
     * TYPEnnn for types without a name here. */
    char type[16];
    const char *t = dns_type_name(l->qtype);
    snprintf(type, sizeof type, "%s", t ? t : "");
    if (!t)
        snprintf(type, sizeof type, "TYPE%u", l->qtype);
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddNumberToObject(o, "rcode", l->rcode);
    add_joined(o, "answers", l->answers);
    if (l->chain)
        add_joined(o, "cname_chain", l->chain);
    if (l->truncated)
        cJSON_AddBoolToObject(o, "truncated", true);
    if (l->malformed)
        cJSON_AddBoolToObject(o, "malformed", true);
    return o;
}

bool snt_output_session(struct snt_output *o, const struct snt_session *s)
{
    if (o->format == SNT_FORMAT_TEXT)
        return snt_output_text_session(o, s);
    char ts[40], ip[64];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "type", "session");
    snt_format_time(s->start_usec, ts, sizeof ts);
    cJSON_AddStringToObject(root, "@timestamp", ts);
    cJSON_AddNumberToObject(root, "session_id", (double)s->id);
    snt_format_addr(&s->client, ip, sizeof ip);
    cJSON_AddStringToObject(add_object(root, "client"), "ip", ip);
    cJSON_AddStringToObject(root, "start", ts);
    snt_format_time(s->end_usec, ts, sizeof ts);
    cJSON_AddStringToObject(root, "end", ts);
    cJSON *arr = cJSON_AddArrayToObject(root, "attempts");
    for (unsigned i = 0; i < s->n_attempts; i++)
        cJSON_AddItemToArray(arr, session_attempt_to_json(&s->attempts[i]));
    cJSON_AddNumberToObject(root, "attempt_count", s->attempts_total);
    cJSON *lookups = cJSON_AddArrayToObject(root, "dns_lookups");
    for (unsigned i = 0; i < s->n_lookups; i++)
        cJSON_AddItemToArray(lookups, lookup_to_json(&s->lookups[i]));
    add_string_array(root, "names", s->names, s->n_names);
    cJSON_AddNumberToObject(root, "problem_count", s->problem_count);
    return write_json_line(o, root);
}
