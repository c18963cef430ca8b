/* QUIC Initial packets (RFC 9000, RFC 9001 section 5, RFC 9369 for v2, and
 * the drafts and vendor versions whose Initial protection is public): parse
 * long headers, derive the Initial keys from the client's Destination
 * Connection ID, remove header protection, decrypt, and collect the CRYPTO
 * stream so the ClientHello inside can be handed to the TLS parser.
 */
#ifndef SNITRACE_QUIC_H
#define SNITRACE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/limits.h"
#include "snitrace/result.h"

/* Client-side CRYPTO stream assembly for the Initial packet number space. */
struct snt_quic_crypto {
    uint8_t buf[SNT_QUIC_MAX_CRYPTO];
    size_t contiguous;      /* bytes [0, contiguous) are known */
    uint64_t have_lo[32], have_hi[32]; /* received ranges beyond contiguous */
    unsigned n_ranges;
    uint32_t version;       /* version of the first decrypted Initial */
    uint8_t dcid[SNT_QUIC_MAX_CID]; /* original DCID the keys derive from */
    uint8_t dcid_len;
    bool have_dcid;
    unsigned packets;       /* Initial packets decrypted */
};

void snt_quic_crypto_init(struct snt_quic_crypto *c);

/* Is this UDP payload the start of a QUIC long-header Initial packet of a
 * version we can decrypt?  Cheap check, no crypto.  SNT_OK or SNT_NOT_MINE. */
enum snt_result snt_quic_sniff_initial(const uint8_t *p, size_t len);

/* Decrypt every client Initial packet in one UDP datagram (coalesced packets
 * included) and add their CRYPTO frames to c.  Returns SNT_OK when at least
 * one Initial was decrypted, SNT_NOT_MINE when the datagram holds no Initial
 * we can decrypt, SNT_MALFORMED on broken packets. */
enum snt_result snt_quic_feed_client_datagram(struct snt_quic_crypto *c, const uint8_t *p, size_t len);

/* Once c->contiguous holds a complete ClientHello handshake message
 * (type 1 + 3-byte length + body), give its body.  SNT_OK / SNT_NEED_MORE /
 * SNT_MALFORMED (not a ClientHello). */
enum snt_result snt_quic_client_hello(const struct snt_quic_crypto *c, const uint8_t **body, size_t *len);

#endif
