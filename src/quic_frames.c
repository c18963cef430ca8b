/* QUIC frames (RFC 9000 section 19) in decrypted payloads: the frames an
 * Initial or Handshake packet may carry (section 12.4: PADDING, PING, ACK,
 * CRYPTO, CONNECTION_CLOSE), every frame type of the 0-RTT and 1-RTT spaces
 * when asked (so that HANDSHAKE_DONE and a late CONNECTION_CLOSE are found
 * behind STREAM data), and gQUIC's own frame types inside T050/T051 Initials.
 */
#include "snitrace/quic.h"

#include <string.h>

#define FT_PADDING              0x00
#define FT_PING                 0x01
#define FT_ACK                  0x02
#define FT_ACK_ECN              0x03
#define FT_RESET_STREAM         0x04
#define FT_STOP_SENDING         0x05
#define FT_CRYPTO               0x06
#define FT_NEW_TOKEN            0x07
#define FT_STREAM               0x08 /* 0x08..0x0f: OFF, LEN and FIN bits */
#define FT_STREAM_LAST          0x0f
#define FT_MAX_DATA             0x10
#define FT_MAX_STREAM_DATA      0x11
#define FT_MAX_STREAMS_BIDI     0x12
#define FT_MAX_STREAMS_UNI      0x13
#define FT_DATA_BLOCKED         0x14
#define FT_STREAM_DATA_BLOCKED  0x15
#define FT_STREAMS_BLOCKED_BIDI 0x16
#define FT_STREAMS_BLOCKED_UNI  0x17
#define FT_NEW_CONNECTION_ID    0x18
#define FT_RETIRE_CONNECTION_ID 0x19
#define FT_PATH_CHALLENGE       0x1a
#define FT_PATH_RESPONSE        0x1b
#define FT_CLOSE_TRANSPORT      0x1c
#define FT_CLOSE_APP            0x1d
#define FT_HANDSHAKE_DONE       0x1e
#define FT_DATAGRAM             0x30 /* RFC 9221: runs to the end of the packet */
#define FT_DATAGRAM_LEN         0x31 /* RFC 9221: with a Length */

#define STREAM_OFF_BIT     0x04
#define STREAM_LEN_BIT     0x02
#define PATH_DATA_LEN      8
#define RESET_TOKEN_LEN    16
#define CRYPTO_ERROR_FIRST 0x0100 /* RFC 9001 section 4.8: 0x0100 + TLS alert */
#define CRYPTO_ERROR_LAST  0x01ff

/* Google QUIC frame types, used by T050/T051 inside IETF-style packets. */
#define GQ_FT_PADDING 0x00 /* runs to the end of the packet */
#define GQ_FT_PING    0x07
#define GQ_FT_CRYPTO  0x08 /* varint offset and length, as in IETF QUIC */

#define VARINT_MAX (((uint64_t)1 << 62) - 1)

static bool skip_varints(struct snt_reader *r, unsigned n)
{
    uint64_t v;
    for (unsigned i = 0; i < n; i++)
        if (!snt_read_varint(r, &v))
            return false;
    return true;
}

/* A varint length, then that many bytes. */
static bool read_block(struct snt_reader *r, struct snt_span *block)
{
    uint64_t len;
    return snt_read_varint(r, &len) && len <= snt_reader_left(r) &&
           snt_read_span(r, (size_t)len, block);
}

/* ACK (section 19.3): Largest Acknowledged, ACK Delay, ACK Range Count,
 * First ACK Range, then Count pairs of Gap and ACK Range Length, then three
 * ECN counts for type 0x03.  Each range costs at least two bytes, so a huge
 * Count fails on the reader, not on time. */
static bool skip_ack(struct snt_reader *r, bool ecn)
{
    uint64_t v, count;
    if (!snt_read_varint(r, &v) || !snt_read_varint(r, &v) || !snt_read_varint(r, &count) ||
        !snt_read_varint(r, &v))
        return false;
    for (uint64_t i = 0; i < count; i++)
        if (!skip_varints(r, 2))
            return false;
    return !ecn || skip_varints(r, 3);
}

/* CONNECTION_CLOSE (section 19.19): Error Code, Frame Type (transport
 * variant only), Reason Phrase Length, Reason Phrase.  The first one is
 * reported. */
static bool read_close(struct snt_reader *r, bool transport, struct snt_quic_frames_seen *seen)
{
    struct snt_quic_close c;
    memset(&c, 0, sizeof c);
    c.application = !transport;
    if (!snt_read_varint(r, &c.error_code) || (transport && !snt_read_varint(r, &c.frame_type)) ||
        !read_block(r, &c.reason))
        return false;
    if (transport && c.error_code >= CRYPTO_ERROR_FIRST && c.error_code <= CRYPTO_ERROR_LAST) {
        c.tls_alert = true;
        c.alert = (uint8_t)(c.error_code - CRYPTO_ERROR_FIRST);
    }
    if (seen && !seen->closed) {
        seen->closed = true;
        seen->close = c;
    }
    return true;
}

/* CRYPTO (section 19.6): Offset, Length, Crypto Data. */
static bool crypto_frame(struct snt_quic_stream *s, struct snt_reader *r,
                         struct snt_quic_frames_seen *seen)
{
    uint64_t offset;
    struct snt_span data;
    if (!snt_read_varint(r, &offset) || !read_block(r, &data))
        return false;
    if (offset + data.len > VARINT_MAX)
        return false; /* the stream may not reach 2^62 */
    if (s)
        snt_quic_stream_add(s, offset, data.p, data.len);
    if (seen)
        seen->crypto_frames++;
    return true;
}

/* STREAM (section 19.8): Stream ID, Offset if OFF, Length if LEN (else the
 * data runs to the end of the packet), Stream Data. */
static bool skip_stream(struct snt_reader *r, uint64_t type)
{
    struct snt_span data;
    if (!skip_varints(r, 1) || ((type & STREAM_OFF_BIT) && !skip_varints(r, 1)))
        return false;
    if (type & STREAM_LEN_BIT)
        return read_block(r, &data);
    return snt_skip(r, snt_reader_left(r));
}

/* NEW_CONNECTION_ID (section 19.15): Sequence Number, Retire Prior To,
 * Length (1..20), Connection ID, Stateless Reset Token. */
static bool skip_new_cid(struct snt_reader *r)
{
    uint8_t len;
    return skip_varints(r, 2) && snt_read_u8(r, &len) && len >= 1 && len <= SNT_QUIC_MAX_CID &&
           snt_skip(r, len) && snt_skip(r, RESET_TOKEN_LEN);
}

/* How many varint fields a frame of fixed layout has, or -1. */
static int fixed_varints(uint64_t type)
{
    switch (type) {
    case FT_HANDSHAKE_DONE: return 0;
    case FT_MAX_DATA:
    case FT_MAX_STREAMS_BIDI:
    case FT_MAX_STREAMS_UNI:
    case FT_DATA_BLOCKED:
    case FT_STREAMS_BLOCKED_BIDI:
    case FT_STREAMS_BLOCKED_UNI:
    case FT_RETIRE_CONNECTION_ID: return 1;
    case FT_STOP_SENDING:
    case FT_MAX_STREAM_DATA:
    case FT_STREAM_DATA_BLOCKED: return 2;
    case FT_RESET_STREAM: return 3;
    default: return -1;
    }
}

/* The frames only 0-RTT and 1-RTT packets carry.  1 when skipped, 0 for a
 * type whose layout is unknown, -1 when it runs past the payload. */
static int skip_app_frame(struct snt_reader *r, uint64_t type, struct snt_quic_frames_seen *seen)
{
    struct snt_span block;
    int n = fixed_varints(type);
    bool ok;
    if (type == FT_HANDSHAKE_DONE && seen)
        seen->handshake_done = true;
    if (n >= 0)
        ok = skip_varints(r, (unsigned)n);
    else if (type >= FT_STREAM && type <= FT_STREAM_LAST)
        ok = skip_stream(r, type);
    else if (type == FT_NEW_TOKEN || type == FT_DATAGRAM_LEN)
        ok = read_block(r, &block);
    else if (type == FT_NEW_CONNECTION_ID)
        ok = skip_new_cid(r);
    else if (type == FT_PATH_CHALLENGE || type == FT_PATH_RESPONSE)
        ok = snt_skip(r, PATH_DATA_LEN);
    else if (type == FT_DATAGRAM)
        ok = snt_skip(r, snt_reader_left(r));
    else
        return 0;
    return ok ? 1 : -1;
}

/* A run of PADDING frames passed at once, eight bytes at a time: each is a
 * single 0x00 byte (RFC 9000 section 19.1), and a client's Initial is
 * padded to 1,200 bytes (section 14.1), most of them these. */
static void skip_padding(struct snt_reader *r)
{
    struct snt_span rest = snt_reader_rest(r);
    size_t n = 0;
    uint64_t w;
    for (; rest.len - n >= sizeof w; n += sizeof w) {
        memcpy(&w, rest.p + n, sizeof w);
        if (w != 0)
            break;
    }
    while (n < rest.len && rest.p[n] == 0)
        n++;
    (void)snt_skip(r, n);
}

static enum snt_result parse_ietf_frames(struct snt_quic_stream *s, bool app_space,
                                         struct snt_reader *r, struct snt_quic_frames_seen *seen)
{
    while (snt_reader_left(r) > 0) {
        uint64_t type;
        bool ok;
        if (!snt_read_varint(r, &type))
            return SNT_MALFORMED;
        switch (type) {
        case FT_PADDING:
            skip_padding(r); /* the rest of the run */
            ok = true;
            break;
        case FT_PING: ok = true; break;
        case FT_ACK:
        case FT_ACK_ECN: ok = skip_ack(r, type == FT_ACK_ECN); break;
        case FT_CRYPTO: ok = crypto_frame(s, r, seen); break;
        case FT_CLOSE_TRANSPORT:
        case FT_CLOSE_APP: ok = read_close(r, type == FT_CLOSE_TRANSPORT, seen); break;
        default: {
            /* Not allowed in an Initial or Handshake packet, and its layout
             * may be unknown: nothing after it can be found. */
            int skipped = app_space ? skip_app_frame(r, type, seen) : 0;
            if (skipped == 0)
                return SNT_OK;
            ok = skipped > 0;
        }
        }
        if (!ok)
            return SNT_MALFORMED;
    }
    return SNT_OK;
}

/* Only what a client's first Initial carries; an ACK or anything else in
 * gQUIC's own encoding ends the walk. */
static enum snt_result parse_gquic_frames(struct snt_quic_stream *s, struct snt_reader *r,
                                          struct snt_quic_frames_seen *seen)
{
    uint8_t type;
    while (snt_read_u8(r, &type)) {
        switch (type) {
        case GQ_FT_PING: break;
        case GQ_FT_CRYPTO:
            if (!crypto_frame(s, r, seen))
                return SNT_MALFORMED;
            break;
        case GQ_FT_PADDING:
        default: return SNT_OK;
        }
    }
    return SNT_OK;
}

enum snt_result snt_quic_parse_frames(struct snt_quic_stream *crypto, enum snt_quic_frames format,
                                      const uint8_t *p, size_t len,
                                      struct snt_quic_frames_seen *seen)
{
    struct snt_reader r = snt_reader_make(p, len);
    if (seen)
        memset(seen, 0, sizeof *seen);
    if (format == SNT_QUIC_FRAMES_GQUIC)
        return parse_gquic_frames(crypto, &r, seen);
    return parse_ietf_frames(crypto, format == SNT_QUIC_FRAMES_IETF_1RTT, &r, seen);
}
