/* TLS record framing for one direction of a connection (RFC 5246 section
 * 6.2, RFC 8446 section 5), handshake message extraction (RFC 8446 section
 * 4), plaintext alerts (RFC 8446 section 6), and recognising the start of a
 * TLS stream, including the SSLv2-format ClientHello (RFC 5246 appendix E.2,
 * RFC 6101 appendix E).
 *
 * The caller always passes the whole in-order prefix of the direction seen so
 * far; d->consumed says how much of it has been framed, so a record split
 * over TCP segments is simply left alone until all of it has arrived.
 */
#include "snitrace/tls.h"

#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

#define TLS_RECORD_HEADER  5
#define TLS_HS_HEADER      4
#define TLS_MAX_RECORD_LEN (16384 + 2048) /* TLSCiphertext bound, RFC 5246 6.2.3 */
#define TLS_MAJOR_VERSION  3
#define TLS_MAX_MINOR      4 /* TLS 1.3 */
#define TLS_VERSION_1_2    0x0303
#define TLS_CT_HEARTBEAT   24 /* RFC 6520 */
#define TLS_ALERT_WARNING  1
#define TLS_ALERT_FATAL    2
#define TLS_HS_INITIAL_CAP 2048

#define SSL2_LENGTH_MASK     0x7fff
#define SSL2_HEADER_FLAG     0x80
#define SSL2_MT_CLIENT_HELLO 1
#define SSL2_VERSION         0x0002
#define SSL2_MIN_HELLO       9 /* type, version, three length fields */

/* What happened to one record. */
enum frame_status {
    FRAMED,     /* the record was complete and has been taken */
    INCOMPLETE, /* the stream ends inside the record */
    BROKEN,     /* not TLS, or a limit was hit */
    HOLD,       /* the handshake buffer is full of complete messages */
};

/* ---- sniffing ------------------------------------------------------------ */

/* The byte at off, or -1 when the prefix is too short to tell. */
static int peek(const struct snt_reader *r, size_t off)
{
    uint8_t v;
    return snt_peek_u8(r, off, &v) ? v : -1;
}

static enum snt_result sniff_record(const struct snt_reader *r)
{
    int major = peek(r, 1), minor = peek(r, 2), hi = peek(r, 3), lo = peek(r, 4);
    if (major >= 0 && major != TLS_MAJOR_VERSION)
        return SNT_NOT_MINE;
    if (minor > TLS_MAX_MINOR)
        return SNT_NOT_MINE;
    if (lo < 0)
        return SNT_NEED_MORE;
    size_t n = ((size_t)hi << 8) | (size_t)lo;
    if (n == 0 || n > TLS_MAX_RECORD_LEN)
        return SNT_NOT_MINE;
    return SNT_OK;
}

/* An SSLv2 record header with the high bit set, then CLIENT-HELLO and a
 * version of either SSL 2.0 or 3.x (the compatibility hello of TLS clients). */
static enum snt_result sniff_sslv2(const struct snt_reader *r)
{
    int hi = peek(r, 0) & (SSL2_LENGTH_MASK >> 8), lo = peek(r, 1);
    int type = peek(r, 2), major = peek(r, 3), minor = peek(r, 4);
    if (type >= 0 && type != SSL2_MT_CLIENT_HELLO)
        return SNT_NOT_MINE;
    if (major >= 0 && major != 0 && major != TLS_MAJOR_VERSION)
        return SNT_NOT_MINE;
    if (minor < 0)
        return SNT_NEED_MORE;
    if (major == 0 && minor != (SSL2_VERSION & 0xff))
        return SNT_NOT_MINE;
    if (major == TLS_MAJOR_VERSION && minor > TLS_MAX_MINOR)
        return SNT_NOT_MINE;
    if ((size_t)(hi << 8 | lo) < SSL2_MIN_HELLO)
        return SNT_NOT_MINE;
    return SNT_OK;
}

enum snt_result snt_tls_sniff(const uint8_t *p, size_t len)
{
    struct snt_reader r = snt_reader_make(p, len);
    int first = peek(&r, 0);
    if (first < 0)
        return SNT_NEED_MORE;
    if (first & SSL2_HEADER_FLAG)
        return sniff_sslv2(&r);
    if (first != SNT_TLS_CT_HANDSHAKE)
        return SNT_NOT_MINE;
    return sniff_record(&r);
}

/* ---- state --------------------------------------------------------------- */

void snt_tls_dir_init(struct snt_tls_dir *d, size_t hs_max)
{
    memset(d, 0, sizeof *d);
    d->hs_max = hs_max ? hs_max : SNT_MAX_HANDSHAKE_MSG;
}

void snt_tls_dir_reset(struct snt_tls_dir *d, size_t hs_max)
{
    uint8_t *hs = d->hs;
    size_t cap = d->hs_cap;
    snt_tls_dir_init(d, hs_max);
    if (cap <= d->hs_max) {
        d->hs = hs;
        d->hs_cap = cap;
    } else {
        free(hs);
    }
}

void snt_tls_dir_free(struct snt_tls_dir *d)
{
    if (!d)
        return;
    free(d->hs);
    d->hs = NULL;
    d->hs_len = d->hs_cap = d->hs_taken = 0;
}

static enum snt_result fail(struct snt_tls_dir *d)
{
    d->failed = true;
    return SNT_MALFORMED;
}

/* ---- handshake buffer ---------------------------------------------------- */

/* Messages already handed out are dropped at the start of each feed, so the
 * buffer only ever holds what is still pending (the borrowed bodies are
 * documented to die at the next feed). */
static void hs_compact(struct snt_tls_dir *d)
{
    if (d->hs_taken == 0)
        return;
    memmove(d->hs, d->hs + d->hs_taken, d->hs_len - d->hs_taken);
    d->hs_len -= d->hs_taken;
    d->hs_taken = 0;
}

static struct snt_reader hs_pending(const struct snt_tls_dir *d)
{
    if (d->hs_len == d->hs_taken)
        return snt_reader_make(NULL, 0);
    return snt_reader_make(d->hs + d->hs_taken, d->hs_len - d->hs_taken);
}

static bool hs_has_complete_message(const struct snt_tls_dir *d)
{
    struct snt_reader r = hs_pending(d);
    uint8_t type;
    uint32_t n;
    return snt_read_u8(&r, &type) && snt_read_u24(&r, &n) && snt_skip(&r, n);
}

static enum frame_status hs_append(struct snt_tls_dir *d, struct snt_span payload)
{
    if (payload.len > d->hs_max - d->hs_len)
        return hs_has_complete_message(d) ? HOLD : BROKEN;
    if (payload.len == 0)
        return FRAMED;
    if (!snt_buf_reserve(&d->hs, &d->hs_cap, d->hs_len + payload.len, TLS_HS_INITIAL_CAP,
                         d->hs_max))
        return BROKEN;
    memcpy(d->hs + d->hs_len, payload.p, payload.len);
    d->hs_len += payload.len;
    return FRAMED;
}

/* ---- records ------------------------------------------------------------- */

/* RFC 8446 appendix D.4: a TLS 1.3 peer may send a no-op ChangeCipherSpec
 * and, after a HelloRetryRequest, still a plaintext ClientHello or
 * ServerHello.  Encrypted TLS 1.2 records look like noise, so only a record
 * holding exactly one hello with legacy_version 1.2 is taken as plaintext. */
static bool is_plaintext_hello(struct snt_span payload)
{
    struct snt_reader r = snt_reader_make(payload.p, payload.len);
    uint8_t type;
    uint32_t n;
    uint16_t version;
    if (!snt_read_u8(&r, &type) || !snt_read_u24(&r, &n) || n != snt_reader_left(&r))
        return false;
    if (type != SNT_TLS_HS_CLIENT_HELLO && type != SNT_TLS_HS_SERVER_HELLO)
        return false;
    return snt_read_u16(&r, &version) && version == TLS_VERSION_1_2;
}

/* Before ChangeCipherSpec a record may carry several alerts (TLS 1.2 allows
 * it); afterwards an encrypted alert is always longer than two bytes, so only
 * a bare two-byte record (TLS 1.3 compatibility mode) is still plaintext. */
static void take_alerts(struct snt_tls_dir *d, struct snt_span payload)
{
    const size_t max = sizeof d->alerts / sizeof d->alerts[0];
    struct snt_reader r = snt_reader_make(payload.p, payload.len);
    struct snt_tls_alert a;
    while (snt_read_u8(&r, &a.level) && snt_read_u8(&r, &a.description)) {
        if (a.level != TLS_ALERT_WARNING && a.level != TLS_ALERT_FATAL)
            return;
        if (d->n_alerts < max)
            d->alerts[d->n_alerts++] = a;
    }
}

/* Records whose content only keys can show: application_data (every TLS 1.3
 * record after the hellos), and after ChangeCipherSpec whatever is not a
 * plaintext hello or a bare plaintext alert. */
static bool is_protected(const struct snt_tls_dir *d, uint8_t type, struct snt_span payload)
{
    if (type == SNT_TLS_CT_APPLICATION_DATA)
        return true;
    if (!d->saw_ccs)
        return false;
    if (type == SNT_TLS_CT_HANDSHAKE)
        return !is_plaintext_hello(payload);
    return type == SNT_TLS_CT_ALERT && payload.len != 2;
}

static void note_protected(struct snt_tls_dir *d, struct snt_span payload)
{
    if (d->n_protected == 0)
        d->first_protected = d->consumed;
    if (d->n_protected < SNT_TLS_PROTECTED_LOG)
        d->protected_len[d->n_protected] = (uint16_t)payload.len;
    d->n_protected++;
}

static enum frame_status take_record(struct snt_tls_dir *d, uint8_t type, struct snt_span payload)
{
    if (is_protected(d, type, payload)) {
        note_protected(d, payload);
        if (type == SNT_TLS_CT_APPLICATION_DATA)
            d->saw_app_data = true;
        return FRAMED;
    }
    switch (type) {
    case SNT_TLS_CT_HANDSHAKE: return hs_append(d, payload);
    case SNT_TLS_CT_CHANGE_CIPHER_SPEC: d->saw_ccs = true; return FRAMED;
    case SNT_TLS_CT_ALERT: take_alerts(d, payload); return FRAMED;
    case TLS_CT_HEARTBEAT: return FRAMED;
    default: return BROKEN;
    }
}

static bool known_content_type(uint8_t type)
{
    return (type >= SNT_TLS_CT_CHANGE_CIPHER_SPEC && type <= SNT_TLS_CT_APPLICATION_DATA) ||
           type == TLS_CT_HEARTBEAT;
}

/* One record starting at the reader's cursor.  Header fields are judged as
 * soon as they are there, so garbage fails without waiting for more bytes. */
static enum frame_status frame_record(struct snt_tls_dir *d, struct snt_reader *r)
{
    uint8_t type;
    uint16_t version, n;
    struct snt_span payload;
    if (!snt_read_u8(r, &type))
        return INCOMPLETE;
    if (!known_content_type(type))
        return BROKEN;
    int major = peek(r, 0);
    if (major >= 0 && major != TLS_MAJOR_VERSION)
        return BROKEN;
    if (!snt_read_u16(r, &version) || !snt_read_u16(r, &n))
        return INCOMPLETE;
    if (n > TLS_MAX_RECORD_LEN)
        return BROKEN;
    if (!snt_read_span(r, n, &payload))
        return INCOMPLETE;
    enum frame_status st = take_record(d, type, payload);
    if (st != FRAMED)
        return st;
    if (d->record_version == 0)
        d->record_version = version;
    d->consumed += TLS_RECORD_HEADER + (size_t)n;
    return FRAMED;
}

/* An SSLv2-format ClientHello is one record with a two-byte header; the
 * engine parses it from the raw stream, so only its extent matters here. */
static enum frame_status frame_sslv2(struct snt_tls_dir *d, struct snt_reader *r)
{
    uint16_t header;
    if (!snt_read_u16(r, &header))
        return INCOMPLETE;
    size_t n = header & SSL2_LENGTH_MASK;
    int type = peek(r, 0);
    if (type >= 0 && type != SSL2_MT_CLIENT_HELLO)
        return BROKEN;
    if (n < SSL2_MIN_HELLO)
        return BROKEN;
    if (!snt_skip(r, n))
        return INCOMPLETE;
    d->sslv2 = true;
    d->consumed += 2 + n;
    return FRAMED;
}

enum snt_result snt_tls_dir_feed(struct snt_tls_dir *d, const uint8_t *stream, size_t len)
{
    if (d->failed)
        return SNT_MALFORMED;
    if (len < d->consumed)
        return fail(d);
    if (len == d->consumed)
        return SNT_OK;
    hs_compact(d);
    struct snt_reader r = snt_reader_make(stream + d->consumed, len - d->consumed);
    int first = peek(&r, 0);
    if (d->consumed == 0 && first >= 0 && (first & SSL2_HEADER_FLAG)) {
        enum frame_status st = frame_sslv2(d, &r);
        if (st != FRAMED)
            return st == INCOMPLETE ? SNT_NEED_MORE : fail(d);
    }
    while (snt_reader_left(&r) > 0) {
        switch (frame_record(d, &r)) {
        case FRAMED: break;
        case INCOMPLETE: return SNT_NEED_MORE;
        case HOLD: return SNT_OK;
        case BROKEN: return fail(d);
        }
    }
    return SNT_OK;
}

enum snt_result snt_tls_dir_add_plaintext(struct snt_tls_dir *d, uint8_t type, const uint8_t *p,
                                          size_t len)
{
    struct snt_span payload = {p, len};
    if (d->failed)
        return SNT_MALFORMED;
    hs_compact(d);
    switch (type) {
    case SNT_TLS_CT_HANDSHAKE:
        if (hs_append(d, payload) != FRAMED)
            return fail(d);
        return SNT_OK;
    case SNT_TLS_CT_ALERT: take_alerts(d, payload); return SNT_OK;
    case SNT_TLS_CT_APPLICATION_DATA: d->saw_app_data = true; return SNT_OK;
    default: return fail(d);
    }
}

enum snt_result snt_tls_next_message(struct snt_tls_dir *d, uint8_t *type, struct snt_span *body)
{
    if (d->failed)
        return SNT_MALFORMED;
    struct snt_reader r = hs_pending(d);
    uint8_t t;
    uint32_t n;
    struct snt_span b;
    if (!snt_read_u8(&r, &t) || !snt_read_u24(&r, &n))
        return SNT_NEED_MORE;
    /* A message that can never fit the buffer would stall the direction. */
    if (d->hs_max < TLS_HS_HEADER || n > d->hs_max - TLS_HS_HEADER)
        return fail(d);
    if (!snt_read_span(&r, n, &b))
        return SNT_NEED_MORE;
    d->hs_taken += TLS_HS_HEADER + (size_t)n;
    *type = t;
    *body = b;
    return SNT_OK;
}
