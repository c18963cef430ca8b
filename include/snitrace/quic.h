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

#define SNT_QUIC_VERSION_1    0x00000001u /* RFC 9000 */
#define SNT_QUIC_VERSION_2    0x6b3343cfu /* RFC 9369 */
#define SNT_QUIC_MAX_RANGES   32          /* CRYPTO ranges held beyond the contiguous prefix */
#define SNT_QUIC_MAX_DATAGRAM 65535       /* largest UDP payload decrypted */

#define SNT_QUIC_KEY_LEN  16 /* AES-128-GCM, the Initial AEAD */
#define SNT_QUIC_IV_LEN   12
#define SNT_QUIC_HP_LEN   16
#define SNT_QUIC_SALT_LEN 20

/* Packet protection keys of one direction of the Initial space. */
struct snt_quic_keys {
    uint8_t key[SNT_QUIC_KEY_LEN];
    uint8_t iv[SNT_QUIC_IV_LEN];
    uint8_t hp[SNT_QUIC_HP_LEN];
};

/* The frame encoding inside Initial packets. */
enum snt_quic_frames {
    SNT_QUIC_FRAMES_IETF,  /* RFC 9000 section 19 */
    SNT_QUIC_FRAMES_GQUIC, /* Google QUIC T050/T051: gQUIC frame types, CRYPTO is 0x08 */
};

/* What differs between the versions we can decrypt. */
struct snt_quic_version {
    uint32_t number;
    const char *name;
    uint8_t initial_type;    /* long-header type bits of an Initial packet */
    bool nibble_cid_lengths; /* drafts up to 21: one byte holds both CID lengths */
    bool v2_labels;          /* "quicv2 key"/"quicv2 iv"/"quicv2 hp" (RFC 9369) */
    const uint8_t *salt;     /* SNT_QUIC_SALT_LEN bytes */
    enum snt_quic_frames frames;
};

/* Client-side CRYPTO stream assembly for the Initial packet number space. */
struct snt_quic_crypto {
    uint8_t buf[SNT_QUIC_MAX_CRYPTO];
    size_t contiguous; /* bytes [0, contiguous) are known */
    /* received ranges [have_lo, have_hi) beyond contiguous, sorted, disjoint */
    uint64_t have_lo[SNT_QUIC_MAX_RANGES], have_hi[SNT_QUIC_MAX_RANGES];
    unsigned n_ranges;
    uint32_t version;               /* version of the first decrypted Initial */
    uint8_t dcid[SNT_QUIC_MAX_CID]; /* original DCID the keys derive from */
    uint8_t dcid_len;
    bool have_dcid;
    unsigned packets; /* Initial packets decrypted */

    bool have_keys; /* keys below are derived for (keys_version, dcid) */
    uint32_t keys_version;
    struct snt_quic_keys keys;
    int64_t largest_pn; /* for packet number recovery; -1 before the first */
    bool dropped;       /* CRYPTO data fell past a limit and was not kept */
};

void snt_quic_crypto_init(struct snt_quic_crypto *c);

/* Is this UDP payload the start of a QUIC long-header Initial packet of a
 * version we can decrypt?  Cheap check, no crypto.  SNT_OK or SNT_NOT_MINE. */
enum snt_result snt_quic_sniff_initial(const uint8_t *p, size_t len);

/* Decrypt every client Initial packet in one UDP datagram (coalesced packets
 * included) and add their CRYPTO frames to c.  Returns SNT_OK when at least
 * one Initial was decrypted, SNT_NOT_MINE when the datagram holds no Initial
 * we can decrypt, SNT_MALFORMED on broken packets. */
enum snt_result snt_quic_feed_client_datagram(struct snt_quic_crypto *c, const uint8_t *p,
                                              size_t len);

/* Once c->contiguous holds a complete ClientHello handshake message
 * (type 1 + 3-byte length + body), give its body.  SNT_OK / SNT_NEED_MORE /
 * SNT_MALFORMED (not a ClientHello). */
enum snt_result snt_quic_client_hello(const struct snt_quic_crypto *c, const uint8_t **body,
                                      size_t *len);

/* ---- building blocks, exposed for tests and fuzzing ---------------------- */

/* Parse the frames of a decrypted Initial payload in the given encoding,
 * adding CRYPTO data to c.  Stops quietly at a frame type not allowed in (or
 * not needed from) Initial packets.  SNT_OK, or
 * SNT_MALFORMED when a frame runs past the payload. */
enum snt_result snt_quic_parse_frames(struct snt_quic_crypto *c, enum snt_quic_frames format,
                                      const uint8_t *p, size_t len);

/* Add CRYPTO stream bytes at offset; data past SNT_QUIC_MAX_CRYPTO, or
 * beyond SNT_QUIC_MAX_RANGES separate gaps, is dropped (c->dropped). */
void snt_quic_crypto_add(struct snt_quic_crypto *c, uint64_t offset, const uint8_t *data,
                         size_t len);

/* The version's Initial protection parameters, or NULL when unknown. */
const struct snt_quic_version *snt_quic_version_lookup(uint32_t version);

/* Derive the client's Initial keys from the client's original Destination
 * Connection ID (RFC 9001 section 5.2); after a Retry that is the server's
 * chosen CID, which may be empty.  false when OpenSSL fails. */
bool snt_quic_client_initial_keys(const struct snt_quic_version *v, const uint8_t *dcid,
                                  size_t dcid_len, struct snt_quic_keys *out);

/* Remove header protection from the long-header packet pkt[0, pkt_len)
 * whose packet number starts at pn_offset, and decrypt its payload into
 * plain (plain_cap bytes).  largest_pn is the largest packet number seen so
 * far in this space (-1 for none); *pn gets the recovered one.  SNT_OK,
 * SNT_MALFORMED (too short to hold a sample, or a payload over plain_cap) or
 * SNT_NOT_MINE (authentication failed: other keys, the server's packet, or
 * garbage). */
enum snt_result snt_quic_unprotect(const struct snt_quic_keys *k, const uint8_t *pkt,
                                   size_t pkt_len, size_t pn_offset, int64_t largest_pn,
                                   uint8_t *plain, size_t plain_cap, size_t *plain_len,
                                   uint64_t *pn);

#endif
