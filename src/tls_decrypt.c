/* Protected records of one direction, opened with key-log keys: the record
 * walk, the choice of epoch, and the hand-over of what they held to a
 * plaintext record layer (include/snitrace/tls_decrypt.h). */
#include "snitrace/tls_decrypt.h"

#include <string.h>

#define RECORD_HEADER   5
#define MAX_CIPHERTEXT  (16384 + 256) /* TLSCiphertext.length bound, RFC 8446 5.2 */
#define MAJOR_VERSION   3
#define CCS_CONTENT     20
#define PROTECTED_TLS13 23 /* every TLS 1.3 protected record says application_data */

void snt_tls_decrypt_init(struct snt_tls_decrypt *d, size_t start, size_t hs_max, bool tls12)
{
    memset(d, 0, sizeof *d);
    d->consumed = start;
    d->tls12 = tls12;
    d->epoch = tls12 ? SNT_TLS_EPOCH_HANDSHAKE : SNT_TLS_EPOCH_EARLY;
    snt_tls_dir_init(&d->inner, hs_max);
}

void snt_tls_decrypt_free(struct snt_tls_decrypt *d)
{
    snt_tls_dir_free(&d->inner);
}

void snt_tls_decrypt_set_keys(struct snt_tls_decrypt *d, enum snt_tls_epoch epoch,
                              const struct snt_traffic_keys *k)
{
    if ((unsigned)epoch >= SNT_TLS_EPOCHS)
        return;
    d->keys[epoch] = *k;
    d->have[epoch] = true;
    d->seq[epoch] = 0;
}

/* Open one record with one epoch's keys into plain. */
static enum snt_result open_with(struct snt_tls_decrypt *d, unsigned epoch, struct snt_span rec,
                                 uint8_t *plain, size_t *plain_len, uint8_t *type)
{
    const struct snt_traffic_keys *k = &d->keys[epoch];
    uint64_t seq = d->seq[epoch];
    if (d->tls12) {
        *type = rec.p[0];
        return snt_tls12_open_record(k, seq, rec.p, rec.len, plain, MAX_CIPHERTEXT, plain_len);
    }
    return snt_tls13_open_record(k, seq, rec.p, rec.len, plain, MAX_CIPHERTEXT, plain_len, type);
}

/* The current epoch first, then the later ones: a peer only moves forward. */
static enum snt_result open_record(struct snt_tls_decrypt *d, struct snt_span rec, uint8_t *plain,
                                   size_t *plain_len, uint8_t *type)
{
    enum snt_result worst = SNT_NOT_MINE;
    for (unsigned e = d->epoch; e < SNT_TLS_EPOCHS; e++) {
        if (!d->have[e])
            continue;
        enum snt_result r = open_with(d, e, rec, plain, plain_len, type);
        if (r == SNT_OK) {
            d->epoch = e;
            d->seq[e]++;
            return SNT_OK;
        }
        if (r == SNT_MALFORMED)
            worst = SNT_MALFORMED;
    }
    return worst;
}

/* The record at d->consumed: SNT_OK with its span, SNT_NEED_MORE, or
 * SNT_MALFORMED when the bytes are no TLS record. */
static enum snt_result next_record(const struct snt_tls_decrypt *d, const uint8_t *stream,
                                   size_t len, struct snt_span *rec)
{
    struct snt_reader r = snt_reader_make(stream + d->consumed, len - d->consumed);
    uint8_t type, major, minor;
    uint16_t n;
    if (!snt_read_u8(&r, &type) || !snt_read_u8(&r, &major))
        return SNT_NEED_MORE;
    if (major != MAJOR_VERSION)
        return SNT_MALFORMED;
    if (!snt_read_u8(&r, &minor) || !snt_read_u16(&r, &n))
        return SNT_NEED_MORE;
    if (n > MAX_CIPHERTEXT)
        return SNT_MALFORMED;
    if (!snt_skip(&r, n))
        return SNT_NEED_MORE;
    rec->p = stream + d->consumed;
    rec->len = RECORD_HEADER + (size_t)n;
    return SNT_OK;
}

/* TLS 1.3 protects only records that say application_data; the
 * compatibility ChangeCipherSpec and plaintext alerts stay in clear.  In
 * TLS 1.2 everything after ChangeCipherSpec is protected, and the
 * handshake before it (ClientKeyExchange) is not. */
static bool is_protected(struct snt_tls_decrypt *d, uint8_t outer_type)
{
    if (!d->tls12)
        return outer_type == PROTECTED_TLS13;
    if (outer_type == CCS_CONTENT) {
        d->past_ccs = true;
        return false;
    }
    return d->past_ccs;
}

enum snt_result snt_tls_decrypt_next(struct snt_tls_decrypt *d, const uint8_t *stream, size_t len,
                                     uint8_t *content_type)
{
    uint8_t plain[MAX_CIPHERTEXT];
    for (;;) {
        struct snt_span rec;
        if (d->stopped)
            return SNT_MALFORMED;
        if (len <= d->consumed)
            return SNT_NEED_MORE;
        enum snt_result r = next_record(d, stream, len, &rec);
        if (r != SNT_OK) {
            d->stopped = r == SNT_MALFORMED;
            return r;
        }
        d->consumed += rec.len;
        if (!is_protected(d, rec.p[0]))
            continue;
        d->last_len = rec.len - RECORD_HEADER;
        size_t plain_len = 0;
        uint8_t type = 0;
        r = open_record(d, rec, plain, &plain_len, &type);
        if (r != SNT_OK) {
            d->misses++;
            d->stopped = r == SNT_MALFORMED || ++d->in_a_row >= SNT_TLS_DECRYPT_MAX_MISSES;
            return d->stopped ? SNT_MALFORMED : SNT_NOT_MINE;
        }
        d->opened++;
        d->in_a_row = 0;
        *content_type = type;
        if (snt_tls_dir_add_plaintext(&d->inner, type, plain, plain_len) != SNT_OK) {
            d->stopped = true;
            return SNT_MALFORMED;
        }
        return SNT_OK;
    }
}

void snt_tls_decrypt_retry_last(struct snt_tls_decrypt *d)
{
    size_t len = RECORD_HEADER + d->last_len;
    if (!d->misses || !d->in_a_row || d->consumed < len)
        return;
    d->consumed -= len;
    d->misses--;
    d->in_a_row--;
    d->stopped = false; /* a stop for misses only: that miss is undone */
}
