/* Scan and flood records (docs/schema.md): NDJSON through the record
 * writer of include/snitrace/json.h, or one line of the text view. */
#include <stdio.h>

#include "snitrace/json.h"
#include "snitrace/output.h"

static void add_time(struct snt_json *j, const char *key, uint64_t usec)
{
    char ts[40];
    snt_format_time(usec, ts, sizeof ts);
    snt_json_string(j, key, ts);
}

static void add_ip(struct snt_json *j, const char *key, const struct snt_addr *a)
{
    char ip[64];
    snt_format_addr(a, ip, sizeof ip);
    snt_json_string(j, key, ip);
}

static void add_outcomes(struct snt_json *j, const struct snt_scan_record *r)
{
    snt_json_begin_object(j, "outcomes");
    snt_json_uint(j, "no_answer", r->no_answer);
    snt_json_uint(j, "refused", r->refused);
    snt_json_uint(j, "reset", r->reset);
    snt_json_uint(j, "incomplete", r->incomplete);
    snt_json_end_object(j);
}

static void add_tops(struct snt_json *j, const struct snt_scan_record *r, const char *peers)
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
        add_ip(j, "ip", &r->peers[i].addr);
        snt_json_uint(j, "attempts", r->peers[i].attempts);
        snt_json_end_object(j);
    }
    snt_json_end_array(j);
}

static void scan_to_json(struct snt_json *j, const struct snt_scan_record *r)
{
    bool scan = r->kind == SNT_SCAN_CLIENT;
    snt_json_begin_object(j, NULL);
    snt_json_string(j, "type", scan ? "scan" : "flood");
    add_time(j, "@timestamp", r->first_usec);
    snt_json_begin_object(j, scan ? "client" : "server");
    add_ip(j, "ip", &r->addr);
    snt_json_end_object(j);
    snt_json_begin_object(j, "network");
    snt_json_string(j, "transport", "tcp");
    snt_json_end_object(j);
    snt_json_begin_object(j, "event");
    add_time(j, "start", r->first_usec);
    add_time(j, "end", r->last_usec);
    snt_json_end_object(j);
    snt_json_uint(j, "attempt_count", r->attempts);
    snt_json_uint(j, "attempts_written", r->attempts_written);
    add_outcomes(j, r);
    add_tops(j, r, scan ? "servers" : "clients");
    if (r->more_ports)
        snt_json_bool(j, "more_ports", true);
    if (r->more_peers)
        snt_json_bool(j, scan ? "more_servers" : "more_clients", true);
    if (r->ongoing)
        snt_json_bool(j, "ongoing", true);
    snt_json_end_object(j);
}

bool snt_output_scan(struct snt_output *o, const struct snt_scan_record *r)
{
    if (o->format == SNT_FORMAT_TEXT)
        return snt_output_text_scan(o, r);
    struct snt_json j;
    snt_json_init(&j);
    scan_to_json(&j, r);
    bool ok = snt_json_ok(&j) && fwrite(j.buf, 1, j.len, o->f) == j.len && fputc('\n', o->f) != EOF;
    snt_json_free(&j);
    if (o->live)
        fflush(o->f);
    return ok && !ferror(o->f);
}
