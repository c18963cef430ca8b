/* Decrypting the protected records of one direction of a TLS connection
 * with keys from a key log: TLS 1.3 (RFC 8446 section 5.2) and the AEAD
 * suites of TLS 1.2 (RFC 5246 section 6.2.3.3).
 *
 * The walker is fed the same in-order stream prefix as the record layer
 * (struct snt_tls_dir), from the first protected record the record layer
 * found.  Each record is opened with the keys of the current epoch; when
 * they fail a later epoch is tried (the peer moved on from early data to
 * its handshake, or from the handshake to application data), so the key
 * changes are followed without having to understand a single message.
 * What a record held goes to `inner`, a record layer of its own, from which
 * handshake messages and alerts are taken as if they had come in clear.
 */
#ifndef SNITRACE_TLS_DECRYPT_H
#define SNITRACE_TLS_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/result.h"
#include "snitrace/tls.h"
#include "snitrace/tls_crypto.h"

enum snt_tls_epoch {
    SNT_TLS_EPOCH_EARLY = 0,   /* 0-RTT data (client only) */
    SNT_TLS_EPOCH_HANDSHAKE,   /* TLS 1.3 handshake traffic; TLS 1.2: after ChangeCipherSpec */
    SNT_TLS_EPOCH_APPLICATION, /* TLS 1.3 application traffic, generation 0 */
    SNT_TLS_EPOCHS,
};

#define SNT_TLS_DECRYPT_MAX_MISSES 8 /* records no key opens, in a row, before giving up */

struct snt_tls_decrypt {
    struct snt_traffic_keys keys[SNT_TLS_EPOCHS];
    uint64_t seq[SNT_TLS_EPOCHS]; /* next record sequence number per epoch */
    bool have[SNT_TLS_EPOCHS];
    unsigned epoch;    /* where the last record opened */
    bool tls12;        /* TLS 1.2 records: every record is protected, one epoch */
    bool past_ccs;     /* TLS 1.2: the ChangeCipherSpec was passed; what follows is protected */
    size_t consumed;   /* stream offset of the next record */
    size_t last_len;   /* length (after the header) of the last protected record */
    unsigned opened;   /* records opened */
    unsigned misses;   /* records no key opened */
    unsigned in_a_row; /* misses since the last record opened */
    bool stopped;      /* broken framing, a limit, or too many misses */
    struct snt_tls_dir inner; /* what the records held */
};

/* start: stream offset of the first protected record; hs_max: handshake
 * bytes kept (as for snt_tls_dir_init). */
void snt_tls_decrypt_init(struct snt_tls_decrypt *d, size_t start, size_t hs_max, bool tls12);
void snt_tls_decrypt_free(struct snt_tls_decrypt *d); /* keeps nothing; accepts zeroed */

void snt_tls_decrypt_set_keys(struct snt_tls_decrypt *d, enum snt_tls_epoch epoch,
                              const struct snt_traffic_keys *k);

/* Open the next complete protected record at d->consumed.  SNT_OK: one
 * record was opened and its content taken into d->inner; *content_type says
 * what it held (take the handshake messages before calling again).
 * SNT_NEED_MORE: no complete record yet.  SNT_NOT_MINE: no key opened it; it
 * was skipped (after SNT_TLS_DECRYPT_MAX_MISSES in a row the walker stops).
 * SNT_MALFORMED: not TLS records, or a limit was hit; the walker stops. */
enum snt_result snt_tls_decrypt_next(struct snt_tls_decrypt *d, const uint8_t *stream, size_t len,
                                     uint8_t *content_type);

/* Right after SNT_NOT_MINE (not after a stop for broken framing): step
 * back to that record, to open it again with keys set since. */
void snt_tls_decrypt_retry_last(struct snt_tls_decrypt *d);

#endif
