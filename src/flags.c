/* Host flags: (server, port, certificate) entries with the names clients
 * asked of them; a flag is due when a name fails the certificate. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "snitrace/attempt.h"
#include "snitrace/flags.h"

#define FLAG_BUCKETS 65536

struct snt_flags {
    struct snt_flag *buckets[FLAG_BUCKETS];
    struct snt_flag **entries; /* insertion order: output is deterministic */
    size_t n, max;
    uint64_t written, dropped;
};

struct snt_flags *snt_flags_new(size_t max_entries)
{
    struct snt_flags *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->max = max_entries ? max_entries : 65536;
    return f;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void flag_free(struct snt_flag *fl)
{
    snt_cert_info_free(&fl->cert);
    free_list(fl->cert_names, fl->n_cert_names);
    free_list(fl->asked, fl->n_asked);
    free_list(fl->failed, fl->n_failed);
    free(fl);
}

void snt_flags_free(struct snt_flags *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        flag_free(f->entries[i]);
    free(f->entries);
    free(f);
}

static bool list_has(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], s) == 0)
            return true;
    return false;
}

/* Append a copy unless present.  False when the list is full. */
static bool list_add(char ***list, size_t *n, const char *s)
{
    if (list_has(*list, *n, s))
        return true;
    if (*n >= SNT_FLAG_MAX_NAMES)
        return false;
    char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return false;
    *list = nl;
    char *copy = strdup(s);
    if (!copy)
        return false;
    nl[(*n)++] = copy;
    return true;
}

static void copy_cert(struct snt_flag *fl, const struct snt_cert_info *ci)
{
    snt_cert_info_copy(&fl->cert, ci);
    /* What the certificate covers: DNS SANs, or the CNs when it has none. */
    if (ci->n_dns_names)
        for (size_t i = 0; i < ci->n_dns_names; i++)
            list_add(&fl->cert_names, &fl->n_cert_names, ci->dns_names[i]);
    else
        for (size_t i = 0; i < ci->n_subject_cn; i++)
            list_add(&fl->cert_names, &fl->n_cert_names, ci->subject_cn[i]);
    for (size_t i = 0; i < ci->n_ip_addresses; i++)
        list_add(&fl->cert_names, &fl->n_cert_names, ci->ip_addresses[i]);
}

/* FNV-1a over the address, port and fingerprint. */
static uint32_t flag_hash(const struct snt_addr *server, uint16_t port, const char *sha256_hex)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof server->b; i++)
        h = (h ^ server->b[i]) * 16777619u;
    h = (h ^ (port & 0xff)) * 16777619u;
    h = (h ^ (port >> 8)) * 16777619u;
    for (const char *c = sha256_hex; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    return h % FLAG_BUCKETS;
}

static struct snt_flag *find(struct snt_flags *f, const struct snt_addr *server, uint16_t port,
                             const char *sha256_hex)
{
    for (struct snt_flag *fl = f->buckets[flag_hash(server, port, sha256_hex)]; fl; fl = fl->hnext)
        if (fl->port == port && memcmp(&fl->server, server, sizeof *server) == 0 &&
            strcmp(fl->cert.sha256_hex, sha256_hex) == 0)
            return fl;
    return NULL;
}

static struct snt_flag *create(struct snt_flags *f, const struct snt_addr *server, uint16_t port,
                               const struct snt_cert_info *ci, uint64_t ts_usec)
{
    if (f->n >= f->max) {
        f->dropped++;
        return NULL;
    }
    struct snt_flag **ne = realloc(f->entries, (f->n + 1) * sizeof *ne);
    struct snt_flag *fl = calloc(1, sizeof *fl);
    if (!ne || !fl) {
        free(fl);
        if (ne)
            f->entries = ne;
        return NULL;
    }
    f->entries = ne;
    fl->server = *server;
    fl->port = port;
    fl->first_usec = ts_usec;
    copy_cert(fl, ci);
    f->entries[f->n++] = fl;
    uint32_t h = flag_hash(server, port, fl->cert.sha256_hex);
    fl->hnext = f->buckets[h];
    f->buckets[h] = fl;
    return fl;
}

/* Remember the name asked; a failed one makes the flag due.  Returns the
 * flag when it must be written now. */
static struct snt_flag *note_name(struct snt_flags *f, struct snt_flag *fl, const char *name,
                                  bool failed_name)
{
    if (!name || !*name)
        return NULL;
    size_t asked = fl->n_asked, failed = fl->n_failed;
    if (!list_add(&fl->asked, &fl->n_asked, name) ||
        (failed_name && !list_add(&fl->failed, &fl->n_failed, name)))
        fl->names_dropped = true;
    if (fl->written) {
        if (fl->n_asked != asked || fl->n_failed != failed)
            fl->changed = true;
        return NULL;
    }
    if (!fl->n_failed)
        return NULL;
    fl->written = true;
    f->written++;
    return fl;
}

struct snt_flag *snt_flags_note(struct snt_flags *f, const struct snt_addr *server, uint16_t port,
                                const struct snt_cert_result *cert, enum snt_cert_source source,
                                const char *name, uint64_t ts_usec)
{
    struct snt_flag *fl = find(f, server, port, cert->info.sha256_hex);
    if (!fl) {
        if (!(fl = create(f, server, port, &cert->info, ts_usec)))
            return NULL;
        fl->source = source;
    }
    /* A certificate seen on the wire is firmer evidence than a probe's. */
    if (fl->source == SNT_CERT_SOURCE_PROBE)
        fl->source = source;
    fl->last_usec = ts_usec;
    fl->problems |= cert->verdict.problems;
    return note_name(f, fl, name, cert->verdict.problems & SNT_PROBLEM_NAME_MISMATCH);
}

struct snt_flag *snt_flags_note_suspected(struct snt_flags *f, const struct snt_addr *server,
                                          uint16_t port, unsigned problems, const char *name,
                                          uint64_t ts_usec)
{
    static const struct snt_cert_info unseen; /* no fingerprint: one entry per server */
    struct snt_flag *fl = find(f, server, port, unseen.sha256_hex);
    if (!fl && !(fl = create(f, server, port, &unseen, ts_usec)))
        return NULL;
    fl->suspected = true;
    fl->last_usec = ts_usec;
    fl->problems |= problems;
    return note_name(f, fl, name, true);
}

struct snt_flag *snt_flags_note_attempt(struct snt_flags *f, const struct snt_attempt *a)
{
    /* A client turning down a certificate nobody saw: a suspected flag. */
    const unsigned rejections = SNT_PROBLEM_CLIENT_REJECTED | SNT_PROBLEM_CLIENT_REJECTED_INFERRED;
    struct snt_flag *fl = NULL;
    if (!a->has_cert && !(a->problems & rejections))
        return NULL;
    char *name = snt_bytes_readable(a->sni.len ? &a->sni : &a->name);
    if (a->has_cert)
        fl = snt_flags_note(f, &a->server, a->server_port, &a->cert, a->cert_source, name,
                            a->ts_usec);
    else
        fl = snt_flags_note_suspected(f, &a->server, a->server_port, a->problems & rejections, name,
                                      a->ts_usec);
    free(name);
    return fl;
}

void snt_flags_each_changed(struct snt_flags *f, void (*fn)(struct snt_flag *, void *), void *arg)
{
    for (size_t i = 0; i < f->n; i++) {
        struct snt_flag *fl = f->entries[i];
        if (fl->written && fl->changed) {
            fl->changed = false;
            fn(fl, arg);
        }
    }
}

void snt_flags_each_written(struct snt_flags *f, void (*fn)(struct snt_flag *, void *), void *arg)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->entries[i]->written)
            fn(f->entries[i], arg);
}

size_t snt_flag_suggested_names(const struct snt_flag *fl, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < fl->n_asked && n < max; i++)
        out[n++] = fl->asked[i];
    for (size_t i = 0; i < fl->n_cert_names && n < max; i++) {
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcasecmp(out[k], fl->cert_names[i]) == 0;
        if (!dup)
            out[n++] = fl->cert_names[i];
    }
    return n;
}

uint64_t snt_flags_count(const struct snt_flags *f)
{
    return f->written;
}

uint64_t snt_flags_dropped(const struct snt_flags *f)
{
    return f->dropped;
}
