/* Host flags: (server, port, certificate) entries with the names clients
 * asked of them; a flag is due when a name fails the certificate.  Flags
 * are found through a hash table that grows with them; the names asked of
 * one are kept in an arena of its own, indexed for O(1) lookups. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "htable.h"
#include "snitrace/attempt.h"
#include "snitrace/flags.h"
#include "snitrace/utf8.h"
#include "strindex.h"

#define TABLE_MIN_BITS 8
#define ENTRIES_FIRST  64  /* flags the insertion-order array holds at first */
#define NAMES_FIRST    4   /* names an asked or failed list holds at first */
#define OWN_ARENA      256 /* bytes of arena inside each flag: a few names fit */

struct flag {
    struct snt_flag pub;    /* its server, port and certificate are the key */
    struct snt_arena arena; /* the asked and failed names and their arrays; begins in own_arena */
    unsigned cap_asked, cap_failed;
    struct snt_strindex asked_index; /* over pub.asked */
    /* bit i: a spelling of pub.asked[i] is in pub.failed */
    uint64_t in_failed[(SNT_FLAG_MAX_NAMES + 63) / 64];
    alignas(max_align_t) unsigned char own_arena[OWN_ARENA];
};

struct snt_flags {
    struct snt_htable table;
    struct snt_flag **entries; /* insertion order: output is deterministic */
    size_t n, cap, max;
    uint64_t written, dropped;
};

static struct flag *flag_of(struct snt_flag *fl)
{
    return SNT_CONTAINER_OF(fl, struct flag, pub);
}

struct snt_flags *snt_flags_new(size_t max_entries)
{
    struct snt_flags *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    if (!snt_htable_init(&f->table, TABLE_MIN_BITS)) {
        free(f);
        return NULL;
    }
    f->max = max_entries ? max_entries : 65536;
    return f;
}

static void flag_free(struct snt_flag *fl)
{
    snt_cert_info_free(&fl->cert);
    snt_arena_free(&flag_of(fl)->arena);
    free(flag_of(fl));
}

void snt_flags_free(struct snt_flags *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        flag_free(f->entries[i]);
    free(f->entries);
    snt_htable_free(&f->table);
    free(f);
}

static bool list_has(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], s) == 0)
            return true;
    return false;
}

/* Add a name the certificate covers unless present (case-insensitively)
 * or the list, of cap, is full. */
static void cover(struct snt_flag *fl, size_t cap, char *name)
{
    if (fl->n_cert_names < cap && !list_has(fl->cert_names, fl->n_cert_names, name))
        fl->cert_names[fl->n_cert_names++] = name;
}

/* The flag's copy of the certificate (a reference to its strings), and
 * what it covers: its DNS SANs, or its CNs when it has none, then its IP
 * SANs.  The names point into the copy, which lasts as long as the flag. */
static void copy_cert(struct flag *x, const struct snt_cert_info *ci)
{
    struct snt_flag *fl = &x->pub;
    snt_cert_info_copy(&fl->cert, ci);
    const struct snt_cert_info *own = &fl->cert;
    char **names = own->n_dns_names ? own->dns_names : own->subject_cn;
    size_t n_names = own->n_dns_names ? own->n_dns_names : own->n_subject_cn;
    size_t cap = n_names + own->n_ip_addresses;
    if (cap > SNT_FLAG_MAX_NAMES)
        cap = SNT_FLAG_MAX_NAMES;
    if (!cap || !(fl->cert_names = snt_arena_alloc(&x->arena, cap * sizeof *fl->cert_names)))
        return;
    for (size_t i = 0; i < n_names; i++)
        cover(fl, cap, names[i]);
    for (size_t i = 0; i < own->n_ip_addresses; i++)
        cover(fl, cap, own->ip_addresses[i]);
}

/* The address and port mixed with the fingerprint's hash (eight bytes at a
 * time: a byte-wise hash of its 64 characters was a chain of 64
 * dependent multiplications per finished attempt). */
static uint32_t flag_hash(const struct snt_addr *server, uint16_t port, const char *sha256_hex)
{
    return snt_hash_addr(server, port) ^ snt_hash_bytes(sha256_hex, strlen(sha256_hex));
}

static struct snt_flag *find(struct snt_flags *f, const struct snt_addr *server, uint16_t port,
                             const char *sha256_hex)
{
    uint32_t h = flag_hash(server, port, sha256_hex);
    size_t at = snt_htable_start(&f->table, h);
    for (struct flag *x; (x = snt_htable_next(&f->table, h, &at));)
        if (x->pub.port == port && memcmp(&x->pub.server, server, sizeof *server) == 0 &&
            strcmp(x->pub.cert.sha256_hex, sha256_hex) == 0)
            return &x->pub;
    return NULL;
}

/* Room for one more flag in the insertion-order array. */
static bool entries_room(struct snt_flags *f)
{
    if (f->n < f->cap)
        return true;
    size_t cap = f->cap ? f->cap * 2 : ENTRIES_FIRST;
    struct snt_flag **ne = realloc(f->entries, cap * sizeof *ne);
    if (!ne)
        return false;
    f->entries = ne;
    f->cap = cap;
    return true;
}

static struct snt_flag *create(struct snt_flags *f, const struct snt_addr *server, uint16_t port,
                               const struct snt_cert_info *ci, uint64_t ts_usec)
{
    if (f->n >= f->max) {
        f->dropped++;
        return NULL;
    }
    struct flag *x = entries_room(f) ? calloc(1, sizeof *x) : NULL;
    if (!x)
        return NULL;
    if (!snt_htable_insert(&f->table, x, flag_hash(server, port, ci->sha256_hex))) {
        free(x);
        return NULL;
    }
    struct snt_flag *fl = &x->pub;
    snt_arena_init_inline(&x->arena, x->own_arena, sizeof x->own_arena);
    snt_strindex_init(&x->asked_index, SNT_FLAG_MAX_NAMES, true);
    fl->server = *server;
    fl->port = port;
    fl->first_usec = ts_usec;
    copy_cert(x, ci);
    f->entries[f->n++] = fl;
    return fl;
}

/* A copy of name appended to a list in the flag's arena; false when it is
 * full or memory ran out. */
static bool names_append(struct flag *x, char ***list, size_t *n, unsigned *cap, const char *name)
{
    char *copy;
    if (!snt_arena_array_room(&x->arena, (void **)list, (unsigned)*n, cap, NAMES_FIRST,
                              SNT_FLAG_MAX_NAMES, sizeof **list) ||
        !(copy = snt_arena_memdup(&x->arena, name, strlen(name))))
        return false;
    (*list)[(*n)++] = copy;
    return true;
}

/* Add name to the names asked (case-insensitively distinct) and, when it
 * failed, to the failed ones: every failed name is also an asked one.
 * false when a list was full. */
static bool remember_name(struct flag *x, const char *name, bool failed_name)
{
    struct snt_flag *fl = &x->pub;
    int at = snt_strindex_find(&x->asked_index, fl->asked, (unsigned)fl->n_asked, name);
    if (at < 0) {
        if (!names_append(x, &fl->asked, &fl->n_asked, &x->cap_asked, name))
            return false;
        at = (int)fl->n_asked - 1;
        snt_strindex_added(&x->asked_index, &x->arena, fl->asked, (unsigned)fl->n_asked);
    }
    uint64_t bit = 1ull << (at % 64);
    if (!failed_name || (x->in_failed[at / 64] & bit))
        return true;
    if (!names_append(x, &fl->failed, &fl->n_failed, &x->cap_failed, name))
        return false;
    x->in_failed[at / 64] |= bit;
    return true;
}

/* Remember the name asked; a failed one makes the flag due.  Returns the
 * flag when it must be written now. */
static struct snt_flag *note_name(struct snt_flags *f, struct snt_flag *fl, const char *name,
                                  bool failed_name)
{
    if (!name || !*name)
        return NULL;
    size_t asked = fl->n_asked, failed = fl->n_failed;
    if (!remember_name(flag_of(fl), name, failed_name))
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
    const struct snt_bytes *asked = a->sni.len ? &a->sni : &a->name;
    char stack[SNT_UTF8_SANITIZED_MAX(SNT_MAX_NAME_LEN)], *heap = NULL, *name = NULL;
    if (!a->has_cert && !(a->problems & rejections))
        return NULL;
    if (asked->len > SNT_MAX_NAME_LEN)
        name = heap = snt_bytes_readable(asked); /* longer than any attempt keeps */
    else if (asked->len)
        snt_utf8_sanitize_into(asked->p, asked->len, name = stack);
    struct snt_flag *fl =
        a->has_cert ? snt_flags_note(f, &a->server, a->server_port, &a->cert, a->cert_source, name,
                                     a->ts_usec)
                    : snt_flags_note_suspected(f, &a->server, a->server_port,
                                               a->problems & rejections, name, a->ts_usec);
    free(heap);
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
