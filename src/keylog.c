/* TLS key log lines and the store of their secrets (include/snitrace/keylog.h).
 *
 * The format is NSS's key log format (the SSLKEYLOGFILE format, described by
 * NSS and by the IETF draft draft-ietf-tls-keylogfile): "LABEL <client_random>
 * <secret>", hex fields separated by blanks.  TLS 1.3 labels are those of RFC 8446 section 7.1
 * (the secret's length is the handshake hash's: 32 for SHA-256, 48 for
 * SHA-384); CLIENT_RANDOM carries the TLS 1.2 master secret (48 bytes).
 *
 * The store is a chained hash on the client random whose entries live in
 * one array used as a ring in insertion order: when it is full, the oldest
 * client random is the one the next one replaces, so eviction costs nothing
 * to track.  The hash is keyed with a random seed, because the randoms in a
 * key log or a capture file are chosen by whoever wrote it.
 */
#include <stdlib.h>
#include <string.h>

#include "keylog_internal.h"
#include "secret.h"

#define MIN_CLIENTS_ALLOCATED 64
#define MAX_CLIENTS           ((size_t)1 << 22) /* indices stay well inside uint32_t */

struct snt_keylog_client {
    uint8_t random[SNT_KEYLOG_RANDOM_LEN];
    uint32_t chain;                   /* next client in the same bucket, as index + 1; 0 ends */
    uint8_t len[SNT_KEYLOG_N_LABELS]; /* 0: no secret for this label */
    uint8_t secret[SNT_KEYLOG_N_LABELS][SNT_KEYLOG_SECRET_MAX];
};

static const char *const label_names[SNT_KEYLOG_N_LABELS] = {
    [SNT_KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [SNT_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [SNT_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [SNT_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [SNT_KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [SNT_KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [SNT_KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
    [SNT_KEYLOG_EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
};

const char *snt_keylog_label_name(enum snt_keylog_label label)
{
    return (unsigned)label < SNT_KEYLOG_N_LABELS ? label_names[label] : NULL;
}

/* --- one line ------------------------------------------------------------ */

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static void skip_blanks(struct snt_reader *r)
{
    uint8_t c;
    while (snt_peek_u8(r, 0, &c) && is_blank(c))
        snt_skip(r, 1);
}

/* The next run of non-blank bytes; empty at the end of the line. */
static struct snt_span read_field(struct snt_reader *r)
{
    struct snt_span field = {r->p, 0};
    size_t n = 0;
    uint8_t c;
    while (snt_peek_u8(r, n, &c) && !is_blank(c))
        n++;
    snt_read_span(r, n, &field);
    return field;
}

/* Labels are words of capitals, digits and '_': one snitrace does not use
 * (RSA, CLIENT_TRAFFIC_SECRET_1, ECH_SECRET...) is not an error, anything
 * else in the first field is. */
static enum snt_result parse_label(struct snt_span word, enum snt_keylog_label *label)
{
    for (size_t i = 0; i < SNT_KEYLOG_N_LABELS; i++) {
        if (strlen(label_names[i]) == word.len && memcmp(label_names[i], word.p, word.len) == 0) {
            *label = (enum snt_keylog_label)i;
            return SNT_OK;
        }
    }
    struct snt_reader r = snt_reader_make(word.p, word.len);
    uint8_t c;
    if (word.len == 0)
        return SNT_MALFORMED;
    while (snt_read_u8(&r, &c))
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return SNT_MALFORMED;
    return SNT_NOT_MINE;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Exactly 2 * n hex digits, either case, into out[0..n). */
static bool decode_hex(struct snt_span field, uint8_t *out, size_t n)
{
    if (field.len != 2 * n)
        return false;
    struct snt_reader r = snt_reader_make(field.p, field.len);
    for (size_t i = 0; i < n; i++) {
        uint8_t hi = 0, lo = 0;
        snt_read_u8(&r, &hi);
        snt_read_u8(&r, &lo);
        int h = hex_value(hi), l = hex_value(lo);
        if (r.failed || h < 0 || l < 0)
            return false;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return snt_reader_done(&r);
}

static bool secret_len_ok(enum snt_keylog_label label, size_t n)
{
    if (label == SNT_KEYLOG_CLIENT_RANDOM)
        return n == 48; /* the TLS 1.2 master secret */
    return n == 32 || n == 48;
}

enum snt_result snt_keylog_parse_line(const uint8_t *p, size_t len, struct snt_keylog_line *out)
{
    if (len > SNT_KEYLOG_LINE_MAX)
        return SNT_MALFORMED;
    struct snt_reader r = snt_reader_make(p, len);
    uint8_t last = 0;
    if (snt_peek_u8(&r, len ? len - 1 : 0, &last) && last == '\r')
        r = snt_reader_make(p, len - 1);
    skip_blanks(&r);
    uint8_t first;
    if (!snt_peek_u8(&r, 0, &first) || first == '#')
        return SNT_NOT_MINE; /* blank or comment */
    struct snt_keylog_line line;
    enum snt_result st = parse_label(read_field(&r), &line.label);
    if (st != SNT_OK)
        return st;
    skip_blanks(&r);
    struct snt_span random = read_field(&r);
    skip_blanks(&r);
    struct snt_span secret = read_field(&r);
    skip_blanks(&r);
    line.secret_len = secret.len / 2;
    if (!snt_reader_done(&r) || !decode_hex(random, line.client_random, SNT_KEYLOG_RANDOM_LEN) ||
        !secret_len_ok(line.label, line.secret_len) ||
        !decode_hex(secret, line.secret, line.secret_len))
        return SNT_MALFORMED;
    memset(line.secret + line.secret_len, 0, sizeof line.secret - line.secret_len);
    *out = line;
    return SNT_OK;
}

/* --- the store ----------------------------------------------------------- */

struct snt_keylog *snt_keylog_new(size_t max_clients)
{
    struct snt_keylog *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->max = max_clients ? max_clients : SNT_KEYLOG_DEFAULT_CLIENTS;
    if (k->max > MAX_CLIENTS)
        k->max = MAX_CLIENTS;
    snt_secret_draw(&k->seed, sizeof k->seed);
    k->file_cap = SNT_KEYLOG_FILE_CAP;
    return k;
}

void snt_keylog_free(struct snt_keylog *k)
{
    if (!k)
        return;
    snt_keylog_files_close(k);
    free(k->clients);
    free(k->buckets);
    free(k);
}

void snt_keylog_set_file_cap(struct snt_keylog *k, uint64_t bytes)
{
    k->file_cap = bytes ? bytes : SNT_KEYLOG_FILE_CAP;
}

/* SplitMix64's finaliser: every input bit moves every output bit. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t bucket_of(const struct snt_keylog *k, const uint8_t random[SNT_KEYLOG_RANDOM_LEN])
{
    uint64_t h = k->seed, word;
    for (size_t i = 0; i < SNT_KEYLOG_RANDOM_LEN; i += sizeof word) {
        memcpy(&word, random + i, sizeof word);
        h = mix(h ^ word);
    }
    return (size_t)h & k->mask;
}

/* The client's index + 1, or 0. */
static uint32_t find_client(const struct snt_keylog *k, const uint8_t random[SNT_KEYLOG_RANDOM_LEN],
                            size_t bucket)
{
    if (!k->buckets)
        return 0;
    for (uint32_t i = k->buckets[bucket]; i; i = k->clients[i - 1].chain)
        if (memcmp(k->clients[i - 1].random, random, SNT_KEYLOG_RANDOM_LEN) == 0)
            return i;
    return 0;
}

static void unlink_client(struct snt_keylog *k, size_t slot)
{
    uint32_t *link = &k->buckets[bucket_of(k, k->clients[slot].random)];
    while (*link && *link != slot + 1)
        link = &k->clients[*link - 1].chain;
    if (*link)
        *link = k->clients[slot].chain;
}

/* Buckets for the most clients the store may hold, made at the first key. */
static bool ensure_buckets(struct snt_keylog *k)
{
    size_t n = 16;
    if (k->buckets)
        return true;
    while (n < k->max)
        n <<= 1;
    k->buckets = calloc(n, sizeof *k->buckets);
    k->mask = n - 1;
    return k->buckets != NULL;
}

/* Room for one more client: a larger array, or, when the store may not (or
 * cannot) grow, the oldest client's slot. */
static bool next_slot(struct snt_keylog *k, size_t *slot)
{
    if (k->count < k->max && k->count == k->allocated) {
        size_t n = k->allocated ? 2 * k->allocated : MIN_CLIENTS_ALLOCATED;
        if (n > k->max)
            n = k->max;
        struct snt_keylog_client *grown = realloc(k->clients, n * sizeof *grown);
        if (grown) {
            k->clients = grown;
            k->allocated = n;
        } else {
            k->max = k->allocated; /* out of memory: full at this size */
        }
    }
    if (k->count < k->max) {
        *slot = k->count++;
        return true;
    }
    if (!k->count)
        return false;
    *slot = k->oldest;
    k->oldest = (k->oldest + 1) % k->count;
    unlink_client(k, *slot);
    k->counters.clients_evicted++;
    return true;
}

static uint32_t new_client(struct snt_keylog *k, const uint8_t random[SNT_KEYLOG_RANDOM_LEN])
{
    size_t slot;
    if (!ensure_buckets(k) || !next_slot(k, &slot))
        return 0;
    struct snt_keylog_client *c = &k->clients[slot];
    size_t bucket = bucket_of(k, random);
    memset(c, 0, sizeof *c);
    memcpy(c->random, random, SNT_KEYLOG_RANDOM_LEN);
    c->chain = k->buckets[bucket];
    k->buckets[bucket] = (uint32_t)slot + 1;
    return (uint32_t)slot + 1;
}

static void store_key(struct snt_keylog *k, const struct snt_keylog_line *l)
{
    uint32_t i = k->buckets ? find_client(k, l->client_random, bucket_of(k, l->client_random)) : 0;
    if (!i)
        i = new_client(k, l->client_random);
    if (!i) {
        k->counters.ignored++; /* out of memory before the first client */
        return;
    }
    struct snt_keylog_client *c = &k->clients[i - 1];
    memcpy(c->secret[l->label], l->secret, l->secret_len);
    c->len[l->label] = (uint8_t)l->secret_len;
    k->counters.keys++;
    k->generation++;
}

static void take_line(struct snt_keylog *k, const uint8_t *p, size_t len)
{
    struct snt_keylog_line line;
    k->counters.lines++;
    switch (snt_keylog_parse_line(p, len, &line)) {
    case SNT_OK: store_key(k, &line); break;
    case SNT_NOT_MINE: k->counters.ignored++; break;
    default: k->counters.malformed++; break;
    }
}

/* --- lines out of a byte stream ------------------------------------------ */

static void hold(struct snt_keylog_pending *pending, struct snt_span part)
{
    if (pending->overlong)
        return;
    if (part.len > sizeof pending->buf - pending->len) {
        pending->overlong = true;
        pending->len = 0;
        return;
    }
    if (part.len)
        memcpy(pending->buf + pending->len, part.p, part.len);
    pending->len += part.len;
}

/* The held line, completed: a line of its own, or a malformed one. */
static void release(struct snt_keylog *k, struct snt_keylog_pending *pending)
{
    if (pending->overlong) {
        k->counters.lines++;
        k->counters.malformed++;
    } else {
        take_line(k, pending->buf, pending->len);
    }
    pending->len = 0;
    pending->overlong = false;
}

void snt_keylog_feed(struct snt_keylog *k, struct snt_keylog_pending *pending, const uint8_t *p,
                     size_t len)
{
    struct snt_reader r = snt_reader_make(p, len);
    while (snt_reader_left(&r)) {
        const uint8_t *nl = memchr(r.p, '\n', snt_reader_left(&r));
        struct snt_span part = {r.p, 0};
        snt_read_span(&r, nl ? (size_t)(nl - r.p) : snt_reader_left(&r), &part);
        if (!nl) {
            hold(pending, part);
            return;
        }
        snt_skip(&r, 1); /* the newline */
        if (pending->len || pending->overlong) {
            hold(pending, part);
            release(k, pending);
        } else {
            take_line(k, part.p, part.len); /* the common case: no copy */
        }
    }
}

void snt_keylog_feed_end(struct snt_keylog *k, struct snt_keylog_pending *pending)
{
    if (pending->len || pending->overlong)
        release(k, pending);
}

void snt_keylog_add_text(struct snt_keylog *k, const uint8_t *p, size_t len)
{
    struct snt_keylog_pending pending = {.len = 0, .overlong = false};
    snt_keylog_feed(k, &pending, p, len);
    snt_keylog_feed_end(k, &pending);
}

bool snt_keylog_find(const struct snt_keylog *k, const uint8_t random[SNT_KEYLOG_RANDOM_LEN],
                     enum snt_keylog_label label, struct snt_span *secret)
{
    if (!k || !k->buckets || (unsigned)label >= SNT_KEYLOG_N_LABELS)
        return false;
    uint32_t i = find_client(k, random, bucket_of(k, random));
    if (!i || !k->clients[i - 1].len[label])
        return false;
    secret->p = k->clients[i - 1].secret[label];
    secret->len = k->clients[i - 1].len[label];
    return true;
}

uint64_t snt_keylog_generation(const struct snt_keylog *k)
{
    return k ? k->generation : 0;
}

void snt_keylog_counters(const struct snt_keylog *k, struct snt_keylog_counters *out)
{
    *out = k->counters;
    out->clients = k->count;
}
