/* QUIC packets (RFC 9000, RFC 9001 section 5, RFC 9369 for v2, and the
 * drafts and vendor versions whose Initial protection is public): walk the
 * packets of a datagram, derive the Initial keys from the client's
 * Destination Connection ID, remove header protection and decrypt with any
 * packet protection keys (long and short headers), parse the frames of the
 * Initial, Handshake and 1-RTT spaces, and assemble CRYPTO streams into TLS
 * handshake messages.
 *
 * The client-Initial path the engine uses (struct snt_quic_crypto) is built
 * from the same pieces.
 */
#ifndef SNITRACE_QUIC_H
#define SNITRACE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/limits.h"
#include "snitrace/reader.h"
#include "snitrace/result.h"
#include "snitrace/tls_crypto.h"

#define SNT_QUIC_VERSION_1    0x00000001u /* RFC 9000 */
#define SNT_QUIC_VERSION_2    0x6b3343cfu /* RFC 9369 */
#define SNT_QUIC_MAX_RANGES   32          /* CRYPTO ranges held beyond the contiguous prefix */
#define SNT_QUIC_MAX_DATAGRAM 65535       /* largest UDP payload decrypted */
#define SNT_QUIC_SALT_LEN     20

/* The frame encoding, and which frame types a payload may hold. */
enum snt_quic_frames {
    SNT_QUIC_FRAMES_IETF,      /* RFC 9000: what Initial and Handshake packets carry */
    SNT_QUIC_FRAMES_GQUIC,     /* Google QUIC T050/T051: gQUIC frame types, CRYPTO is 0x08 */
    SNT_QUIC_FRAMES_IETF_1RTT, /* RFC 9000: every frame type of section 19 (0-RTT, 1-RTT) */
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

/* The version's Initial protection parameters, or NULL when unknown. */
const struct snt_quic_version *snt_quic_version_lookup(uint32_t version);

/* ---- packets in a datagram (RFC 9000 sections 12.2 and 17) ---------------- */

/* Long-header types in RFC 9000's numbering (v2's rotated wire bits, RFC
 * 9369 section 3.2, map to the same values), then the two packets that have
 * no long-header type. */
enum snt_quic_packet_type {
    SNT_QUIC_INITIAL = 0,
    SNT_QUIC_ZERO_RTT = 1,
    SNT_QUIC_HANDSHAKE = 2,
    SNT_QUIC_RETRY = 3,
    SNT_QUIC_SHORT,
    SNT_QUIC_VERSION_NEGOTIATION,
};

struct snt_quic_packet {
    enum snt_quic_packet_type type;
    uint32_t version;                 /* 0 for short headers */
    const struct snt_quic_version *v; /* NULL for short headers and Version Negotiation */
    struct snt_span dcid, scid;       /* scid is empty for short headers */
    struct snt_span bytes;            /* the whole packet, borrowed from the datagram */
    size_t pn_offset; /* packet number's offset in bytes; 0 for Retry and Version Negotiation */
};

/* Take the next packet of a datagram and move the reader past it.  Long
 * headers carry a Length; a Retry, a Version Negotiation or a short-header
 * packet runs to the end of the datagram, and a short header's DCID length
 * is known only to the caller (short_dcid_len).  SNT_OK; SNT_NOT_MINE when
 * the walk ends without error: nothing left, padding or other bytes that are
 * no QUIC packet (fixed bit clear), or a version we cannot parse past the
 * invariants of RFC 8999; SNT_MALFORMED when a header runs past the datagram
 * or holds a CID over 20 bytes.  The reader is left alone unless SNT_OK. */
enum snt_result snt_quic_next_packet(struct snt_reader *datagram, size_t short_dcid_len,
                                     struct snt_quic_packet *out);

/* Is this UDP payload the start of a QUIC long-header Initial packet of a
 * version we can decrypt?  Cheap check, no crypto.  SNT_OK or SNT_NOT_MINE. */
enum snt_result snt_quic_sniff_initial(const uint8_t *p, size_t len);

/* ---- packet protection (RFC 9001 section 5) -------------------------------- */

/* The Initial keys of one side from the client's original Destination
 * Connection ID (RFC 9001 section 5.2: "client in" or, when server, "server
 * in"); after a Retry that is the server's chosen CID, which may be empty.
 * AES-128-GCM with SHA-256.  false when OpenSSL fails. */
bool snt_quic_initial_keys(const struct snt_quic_version *v, const uint8_t *dcid, size_t dcid_len,
                           bool server, struct snt_traffic_keys *out);

/* Remove header protection from the packet pkt[0, pkt_len) (long or short
 * header: RFC 9001 section 5.4.1 masks 4 or 5 bits of the first byte) whose
 * packet number starts at pn_offset, and decrypt its payload into plain
 * (plain_cap bytes) with any AEAD and header protection the keys hold.
 * largest_pn is the largest packet number seen so far in this space (-1 for
 * none); *pn gets the recovered one.  SNT_OK, SNT_MALFORMED (too short to
 * hold a sample and a tag, or a payload over plain_cap) or SNT_NOT_MINE
 * (authentication failed: other keys, the other side's packet, or garbage). */
enum snt_result snt_quic_unprotect(const struct snt_traffic_keys *k, const uint8_t *pkt,
                                   size_t pkt_len, size_t pn_offset, int64_t largest_pn,
                                   uint8_t *plain, size_t plain_cap, size_t *plain_len,
                                   uint64_t *pn);

/* ---- CRYPTO streams (RFC 9000 section 19.6) -------------------------------- */

/* One packet number space's CRYPTO stream: the contiguous prefix from
 * offset 0 and up to SNT_QUIC_MAX_RANGES ranges beyond it.  The first copy
 * of a byte wins.  Bytes at or past max are dropped (dropped is set). */
struct snt_quic_stream {
    uint8_t *buf;
    size_t cap;        /* bytes allocated, grown on demand up to max */
    size_t max;        /* the stream's limit */
    size_t contiguous; /* bytes [0, contiguous) are known */
    size_t taken;      /* bytes handed out as handshake messages */
    /* received ranges [have_lo, have_hi) beyond contiguous, sorted, disjoint */
    uint64_t have_lo[SNT_QUIC_MAX_RANGES], have_hi[SNT_QUIC_MAX_RANGES];
    unsigned n_ranges;
    bool dropped; /* data past a limit (max, ranges, memory) was not kept */
};

/* A stream whose buffer is allocated on first use and grows up to max
 * (SNT_QUIC_MAX_CRYPTO for a client's Initial, SNT_QUIC_MAX_HS_CRYPTO for
 * a server's Handshake space).  Free with snt_quic_stream_free. */
void snt_quic_stream_init(struct snt_quic_stream *s, size_t max);
/* Frees a heap buffer and makes the stream empty again; accepts NULL. */
void snt_quic_stream_free(struct snt_quic_stream *s);

/* Add stream bytes at offset. */
void snt_quic_stream_add(struct snt_quic_stream *s, uint64_t offset, const uint8_t *data,
                         size_t len);

/* Take the next complete TLS handshake message (RFC 8446 section 4: type and
 * 3-byte length) from the contiguous prefix: *type and *body, borrowed from
 * the stream, valid until the next add.  SNT_OK, SNT_NEED_MORE, or
 * SNT_MALFORMED (a message that could never fit under max). */
enum snt_result snt_quic_stream_next_message(struct snt_quic_stream *s, uint8_t *type,
                                             struct snt_span *body);

/* ---- frames (RFC 9000 section 19) ------------------------------------------ */

/* A CONNECTION_CLOSE frame (section 19.19). */
struct snt_quic_close {
    bool application;       /* type 0x1d: an application error code, no frame type */
    uint64_t error_code;    /* RFC 9000 section 20 (transport) or the application's */
    uint64_t frame_type;    /* 0x1c: the frame type that caused the error, 0 if unknown */
    bool tls_alert;         /* 0x1c with crypto_error 0x0100..0x01ff (RFC 9001 section 4.8) */
    uint8_t alert;          /* then the TLS alert description: error_code - 0x100 */
    struct snt_span reason; /* reason phrase, borrowed from the payload; not sanitised */
};

/* What a payload held besides CRYPTO data. */
struct snt_quic_frames_seen {
    bool closed;                 /* a CONNECTION_CLOSE was seen */
    struct snt_quic_close close; /* the first one */
    bool handshake_done;         /* HANDSHAKE_DONE (0x1e); SNT_QUIC_FRAMES_IETF_1RTT only */
    unsigned crypto_frames;
};

/* Parse the frames of a decrypted payload in the given encoding, adding
 * CRYPTO data to crypto (may be NULL: then it is skipped) and filling seen
 * (may be NULL; zeroed first).  Stops quietly at a frame type not allowed
 * in (or not needed from) the payload's packet types.  SNT_OK, or
 * SNT_MALFORMED when a frame runs past the payload (what came before it
 * is kept). */
enum snt_result snt_quic_parse_frames(struct snt_quic_stream *crypto, enum snt_quic_frames format,
                                      const uint8_t *p, size_t len,
                                      struct snt_quic_frames_seen *seen);

/* ---- a client's Initial packets, as the engine reads them ------------------ */

struct snt_quic_crypto {
    struct snt_quic_stream stream;  /* the client's Initial CRYPTO stream, up to
                                       SNT_QUIC_MAX_CRYPTO, on the heap once data comes */
    uint32_t version;               /* version of the first decrypted Initial */
    uint8_t dcid[SNT_QUIC_MAX_CID]; /* original DCID the keys derive from */
    uint8_t dcid_len;
    bool have_dcid;
    unsigned packets; /* Initial packets decrypted */

    bool have_keys; /* keys below are derived for (keys_version, dcid) */
    uint32_t keys_version;
    struct snt_traffic_keys keys;
    int64_t largest_pn; /* for packet number recovery; -1 before the first */
};

/* Prepare c, which must not be copied once in use; its stream's buffer is
 * allocated as CRYPTO data comes (most ClientHellos take a few KiB of the
 * 16 KiB allowed).  Free with snt_quic_crypto_free, after which it may be
 * prepared again. */
void snt_quic_crypto_init(struct snt_quic_crypto *c);
void snt_quic_crypto_free(struct snt_quic_crypto *c); /* accepts NULL */

/* Decrypt every client Initial packet in one UDP datagram (coalesced packets
 * included) and add their CRYPTO frames to c.  Returns SNT_OK when at least
 * one Initial was decrypted, SNT_NOT_MINE when the datagram holds no Initial
 * we can decrypt, SNT_MALFORMED on broken packets. */
enum snt_result snt_quic_feed_client_datagram(struct snt_quic_crypto *c, const uint8_t *p,
                                              size_t len);

/* Once the stream's contiguous prefix holds a complete ClientHello handshake
 * message (type 1 + 3-byte length + body), give its body.  SNT_OK /
 * SNT_NEED_MORE / SNT_MALFORMED (not a ClientHello). */
enum snt_result snt_quic_client_hello(const struct snt_quic_crypto *c, const uint8_t **body,
                                      size_t *len);

/* Add CRYPTO stream bytes at offset to c's stream (snt_quic_stream_add). */
void snt_quic_crypto_add(struct snt_quic_crypto *c, uint64_t offset, const uint8_t *data,
                         size_t len);

#endif
