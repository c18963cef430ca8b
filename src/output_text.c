/* The text view: one aligned line per attempt, for people.
 *
 *   2026-11-25 14:00:00.123456  192.0.2.10:51234 -> 198.51.100.21:443  tls  www.example.test (sni)
 * TLS1.3  h2  established
 */
#include <stdlib.h>
#include <string.h>

#include "snitrace/output.h"
#include "snitrace/tls.h"

static void format_endpoint(const struct snt_addr *a, uint16_t port, char *buf, size_t len)
{
    char ip[64];
    snt_format_addr(a, ip, sizeof ip);
    if (a->family == 6)
        snprintf(buf, len, "[%s]:%u", ip, port);
    else
        snprintf(buf, len, "%s:%u", ip, port);
}

static void format_name(const struct snt_attempt *a, char *buf, size_t len)
{
    if (!a->name.len) {
        snprintf(buf, len, "-");
        return;
    }
    char *name = snt_utf8_sanitize(a->name.p, a->name.len);
    snprintf(buf, len, "%s (%s)", name ? name : "?", snt_name_source_name(a->name_source));
    free(name);
}

static void format_version(const struct snt_attempt *a, char *buf, size_t len)
{
    const char *v = a->has_server_hello ? snt_tls_version_name(a->version) : NULL;
    if (!v)
        snprintf(buf, len, "-");
    else if (strcmp(v, "ssl3") == 0)
        snprintf(buf, len, "SSL3");
    else
        snprintf(buf, len, "TLS%s", v);
}

bool snt_output_text_attempt(struct snt_output *o, const struct snt_attempt *a)
{
    char ts[40], client[80], server[80], name[600], version[16];
    snt_format_time(a->ts_usec, ts, sizeof ts);
    ts[10] = ' ';
    ts[strlen(ts) - 1] = '\0'; /* drop the Z: the header says UTC */
    format_endpoint(&a->client, a->client_port, client, sizeof client);
    format_endpoint(&a->server, a->server_port, server, sizeof server);
    format_name(a, name, sizeof name);
    format_version(a, version, sizeof version);
    if (!o->text_header_done) {
        fprintf(o->f, "%-26s  %-21s    %-21s  %-5s  %-32s  %-6s  %s\n", "time (UTC)", "client",
                "server", "proto", "name", "tls", "outcome");
        o->text_header_done = true;
    }
    char *alpn =
        a->next_protocol.len ? snt_utf8_sanitize(a->next_protocol.p, a->next_protocol.len) : NULL;
    fprintf(o->f, "%-26s  %-21s -> %-21s  %-5s  %-32s  %-6s  %s%s%s%s\n", ts, client, server,
            snt_protocol_name(a->protocol), name, version, snt_outcome_name(a->outcome),
            alpn ? "  alpn " : "", alpn ? alpn : "",
            (a->has_client_hello && !a->sni.len) ? "  NO SNI" : "");
    free(alpn);
    if (o->live)
        fflush(o->f);
    return !ferror(o->f);
}

bool snt_output_text_stats(struct snt_output *o, const struct snt_stats *s, bool final)
{
    fprintf(o->f,
            "%s %llu packets, %llu bytes, %llu flows, %llu attempts, %llu truncated, "
            "%llu parse errors, %llu evictions",
            final ? "#" : "# (so far)", (unsigned long long)s->packets,
            (unsigned long long)s->bytes, (unsigned long long)s->flows,
            (unsigned long long)s->attempts, (unsigned long long)s->truncated,
            (unsigned long long)s->parse_errors, (unsigned long long)s->evictions);
    if (s->live)
        fprintf(o->f, ", %llu dropped by the kernel, %llu by the interface",
                (unsigned long long)s->drops_kernel, (unsigned long long)s->drops_interface);
    fputc('\n', o->f);
    fflush(o->f);
    return !ferror(o->f);
}
