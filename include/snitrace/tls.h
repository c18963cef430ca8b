/* TLS: record framing (RFC 5246 section 6.2, RFC 8446 section 5), handshake
 * message extraction, ClientHello (RFC 8446 section 4.1.2) and ServerHello,
 * plaintext alerts, and the JA3 / JA4 client fingerprints.
 *
 * Framing is incremental: a struct snt_tls_dir is fed the in-order bytes of
 * one direction of a connection (always the whole prefix seen so far; it
 * remembers how far it got) and collects handshake-record payloads into its
 * own bounded buffer, from which complete handshake messages are taken.
 * Message parsers only ever see complete messages.
 */
#ifndef SNITRACE_TLS_H
#define SNITRACE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/limits.h"
#include "snitrace/reader.h"
#include "snitrace/result.h"

#define SNT_TLS_CT_CHANGE_CIPHER_SPEC 20
#define SNT_TLS_CT_ALERT              21
#define SNT_TLS_CT_HANDSHAKE          22
#define SNT_TLS_CT_APPLICATION_DATA   23

#define SNT_TLS_RANDOM_LEN 32

#define SNT_TLS_HS_CLIENT_HELLO      1
#define SNT_TLS_HS_SERVER_HELLO      2
#define SNT_TLS_HS_CERTIFICATE       11
#define SNT_TLS_HS_SERVER_HELLO_DONE 14

/* ---- detection ---------------------------------------------------------- */

/* Do the first bytes of a stream look like a TLS handshake record (content
 * type 22, version 3.x) or an SSLv2-format ClientHello?  SNT_OK, SNT_NEED_MORE
 * (fewer than 5 bytes and nothing contradicts it) or SNT_NOT_MINE. */
enum snt_result snt_tls_sniff(const uint8_t *p, size_t len);

/* ---- record framing, one direction --------------------------------------- */

struct snt_tls_alert {
    uint8_t level;       /* 1 warning, 2 fatal */
    uint8_t description; /* RFC 8446 section 6 */
};

#define SNT_TLS_PROTECTED_LOG 8 /* protected record lengths remembered per direction */

struct snt_tls_dir {
    size_t consumed;         /* stream bytes already framed into records */
    uint16_t record_version; /* version field of the first record */
    uint8_t *hs;             /* handshake bytes (owned, malloc'd lazily) */
    size_t hs_len, hs_cap, hs_max;
    size_t hs_taken; /* handshake bytes handed out as messages */
    bool saw_ccs;    /* ChangeCipherSpec seen: the rest is encrypted */
    bool saw_app_data;
    bool failed; /* broken framing or a limit hit: give up */
    bool sslv2;  /* stream starts with an SSLv2 ClientHello */
    unsigned n_alerts;
    struct snt_tls_alert alerts[4]; /* first plaintext alerts seen */
    /* Protected records (application_data, or anything after ChangeCipherSpec
     * that is not plaintext): how many, where the first starts in the stream
     * (decryption begins there), and the first lengths as sent. */
    unsigned n_protected;
    size_t first_protected;
    uint16_t protected_len[SNT_TLS_PROTECTED_LOG];
};

/* Prepare state; hs_max caps the handshake bytes kept (<= SNT_MAX_HANDSHAKE_MSG
 * is not required; a message larger than hs_max fails the direction).
 * hs_max 0 means SNT_MAX_HANDSHAKE_MSG. */
void snt_tls_dir_init(struct snt_tls_dir *d, size_t hs_max);
void snt_tls_dir_free(struct snt_tls_dir *d);
/* Like snt_tls_dir_init, but keeps the handshake buffer for reuse. */
void snt_tls_dir_reset(struct snt_tls_dir *d, size_t hs_max);

/* Frame every complete record in stream[d->consumed, len).  Returns SNT_OK
 * when progress was made or nothing is pending, SNT_NEED_MORE when a record is
 * incomplete, SNT_MALFORMED (and sets d->failed) when the bytes are not TLS
 * records or a limit was hit.
 *
 * Precisely: SNT_NEED_MORE whenever the stream ends inside a record (the
 * complete records before it are framed all the same, so take messages after
 * either result).  If the handshake buffer would pass hs_max while complete
 * messages wait in it, framing pauses with SNT_OK and d->consumed < len: take
 * the messages, then feed again.  After ChangeCipherSpec handshake records are
 * encrypted and skipped, except a record holding exactly one plaintext
 * ClientHello or ServerHello (the TLS 1.3 HelloRetryRequest exchange, RFC 8446
 * appendix D.4).  A fed stream must not shrink (that is SNT_MALFORMED). */
enum snt_result snt_tls_dir_feed(struct snt_tls_dir *d, const uint8_t *stream, size_t len);

/* Content recovered by decryption (the inner plaintext of a protected
 * record), taken as if it had come in clear: handshake bytes are kept for
 * snt_tls_next_message, alerts recorded, application data noted.  SNT_OK,
 * or SNT_MALFORMED (and d->failed) for an unknown content type or a
 * handshake message larger than hs_max. */
enum snt_result snt_tls_dir_add_plaintext(struct snt_tls_dir *d, uint8_t type, const uint8_t *p,
                                          size_t len);

/* Take the next complete handshake message: *type and *body (the message
 * without its 4-byte header; borrowed from d, valid until the next feed).
 * SNT_OK, SNT_NEED_MORE (none complete yet), or SNT_MALFORMED. */
enum snt_result snt_tls_next_message(struct snt_tls_dir *d, uint8_t *type, struct snt_span *body);

/* ---- ClientHello -------------------------------------------------------- */

struct snt_tls_client_hello {
    uint16_t record_version; /* 0 when unknown (QUIC) */
    uint16_t legacy_version;
    uint16_t n_ciphers, n_exts, n_groups, n_point_formats, n_sigalgs, n_versions, n_alpn,
        n_key_shares;
    uint16_t ciphers[SNT_MAX_CIPHERS];
    uint16_t exts[SNT_MAX_EXTENSIONS]; /* extension types in wire order */
    uint16_t groups[SNT_MAX_GROUPS];
    uint8_t point_formats[SNT_MAX_POINT_FORMATS];
    uint16_t sigalgs[SNT_MAX_SIGALGS];
    uint16_t versions[SNT_MAX_VERSIONS]; /* supported_versions, wire order */
    uint16_t key_share_groups[SNT_MAX_KEY_SHARES];
    struct snt_span alpn[SNT_MAX_ALPN]; /* protocol names, borrowed */
    struct snt_span sni;                /* first host_name, borrowed */
    uint8_t random[SNT_TLS_RANDOM_LEN]; /* keys in a key log are found by it */
    bool has_sni;
    bool has_ech;  /* encrypted_client_hello (0xfe0d): the SNI is the outer, public name */
    bool has_esni; /* the ESNI drafts' encrypted_server_name (0xffce) */
    bool has_supported_versions;
    bool sslv2;           /* SSLv2-format ClientHello (no extensions) */
    bool truncated_lists; /* a list was longer than its array: counted, kept prefix */
    bool malformed;       /* _partial only: the extensions broke off; what is here was read
                           * before the damage (lists may end early) */
};

/* Parse a ClientHello handshake body (after the 4-byte handshake header).
 * Spans borrow from body.  SNT_OK or SNT_MALFORMED; *out is untouched on
 * failure.  record_version is left 0: only the caller knows it. */
enum snt_result snt_tls_parse_client_hello(const uint8_t *body, size_t len,
                                           struct snt_tls_client_hello *out);

/* The same, but damage in the extensions (a length that overruns, a broken
 * extension, bytes left over) still gives what was read before it, as
 * tshark and Zeek report it: SNT_OK with out->malformed set.  An extension
 * broken inside keeps the entries read before the break.  SNT_MALFORMED
 * (and *out untouched) only when the fields before the extensions do not
 * parse. */
enum snt_result snt_tls_parse_client_hello_partial(const uint8_t *body, size_t len,
                                                   struct snt_tls_client_hello *out);

/* Parse an SSLv2-format ClientHello record (starting with the 2-byte header).
 * Bytes after the record are ignored.  Only cipher specs that carry a TLS
 * suite (first byte 0) are kept in ciphers[]. */
enum snt_result snt_tls_parse_sslv2_client_hello(const uint8_t *p, size_t len,
                                                 struct snt_tls_client_hello *out);

/* ---- ServerHello -------------------------------------------------------- */

struct snt_tls_server_hello {
    uint8_t random[SNT_TLS_RANDOM_LEN];
    uint16_t legacy_version;
    uint16_t selected_version; /* supported_versions extension, 0 if absent */
    uint16_t cipher;
    struct snt_span alpn; /* selected protocol, borrowed; len 0 if none */
    bool has_alpn;
    bool hello_retry_request;
    bool psk; /* pre_shared_key accepted (TLS 1.3 resumption): no certificate follows */
};

enum snt_result snt_tls_parse_server_hello(const uint8_t *body, size_t len,
                                           struct snt_tls_server_hello *out);

/* The negotiated version: selected_version if present, else legacy_version. */
uint16_t snt_tls_server_hello_version(const struct snt_tls_server_hello *sh);

/* "1.0".."1.3", "ssl3", or NULL for unknown. */
const char *snt_tls_version_name(uint16_t version);

/* RFC 8446 section 6 name of an alert description ("unknown_ca"), or NULL. */
const char *snt_tls_alert_name(uint8_t description);

/* IANA name of a cipher suite ("TLS_AES_128_GCM_SHA256"), or NULL. */
const char *snt_tls_cipher_name(uint16_t cipher);

/* ---- Certificate (RFC 5246 section 7.4.2, RFC 8446 section 4.4.2) ------- */

struct snt_tls_certificate_list {
    struct snt_span certs[16]; /* DER, leaf first, borrowed from the body */
    unsigned n;                /* kept (at most 16) */
    unsigned total;            /* certificates in the message */
};

/* Parse a Certificate handshake body.  tls13: the TLS 1.3 form (request
 * context, per-certificate extensions).  SNT_OK or SNT_MALFORMED. */
enum snt_result snt_tls_parse_certificate(const uint8_t *body, size_t len, bool tls13,
                                          struct snt_tls_certificate_list *out);

/* ---- CompressedCertificate (RFC 8879; src/tls_compress.c) -------------- */

#define SNT_TLS_HS_COMPRESSED_CERTIFICATE 25

/* Inflate a CompressedCertificate body into out[0, cap) (the Certificate
 * message body it stands for) and say which algorithm it used.  SNT_OK;
 * SNT_NOT_MINE for an algorithm other than zlib (1), brotli (2), zstd (3);
 * SNT_MALFORMED when the framing is broken, the data does not inflate to
 * exactly the announced length, or that length is over cap. */
enum snt_result snt_tls_decompress_certificate(const uint8_t *body, size_t len, uint8_t *out,
                                               size_t cap, size_t *out_len, uint16_t *algorithm);

/* ---- EncryptedExtensions (RFC 8446 section 4.3.1) ------------------------ */

#define SNT_TLS_HS_ENCRYPTED_EXTENSIONS 8
#define SNT_TLS_HS_FINISHED             20

struct snt_tls_encrypted_extensions {
    struct snt_span alpn; /* selected protocol, borrowed */
    bool has_alpn;
    bool ech_retry_configs; /* the server sent ECH retry_configs: it did not accept ECH */
};

enum snt_result snt_tls_parse_encrypted_extensions(const uint8_t *body, size_t len,
                                                   struct snt_tls_encrypted_extensions *out);

/* ---- the client's verdict, inferred without keys (src/tls_infer.c) ----- */

enum snt_tls_client_verdict {
    SNT_TLS_VERDICT_NONE = 0, /* nothing to go on yet */
    SNT_TLS_VERDICT_ACCEPTED, /* its first encrypted record is not an alert: its Finished */
    SNT_TLS_VERDICT_REJECTED, /* only alert-sized records, then it closed or reset */
    SNT_TLS_VERDICT_UNKNOWN,  /* an alert-sized record followed by other records */
};

/* Lengths (as sent, tag included) of a TLS 1.3 record holding one alert, and
 * one holding the Finished message, under the given cipher suite. */
size_t snt_tls13_alert_record_len(uint16_t cipher);
size_t snt_tls13_finished_record_len(uint16_t cipher);

/* records: the lengths of the client's first encrypted records after its
 * hello (kept of total); ended: the connection is over; client_ended: the
 * client itself closed or reset it. */
enum snt_tls_client_verdict snt_tls13_infer_client_verdict(uint16_t cipher, const uint16_t *records,
                                                           unsigned kept, unsigned total,
                                                           bool ended, bool client_ended);

/* ---- fingerprints (include/snitrace/tls.h; src/ja.c) -------------------- */

#define SNT_JA3_MAX 4096
/* JA3 string "771,4865-...,0-23-...,29-23,0" (GREASE removed) into buf, and its
 * MD5 as 32 lowercase hex characters into md5hex[33].  false if buf too small
 * (or MD5 is unavailable); md5hex is then "". SNT_JA3_MAX always suffices. */
bool snt_ja3(const struct snt_tls_client_hello *ch, char *buf, size_t buflen, char md5hex[33]);

/* JA4 ("t13d1516h2_8daaf6152771_e5627efa2ab1") into out[40].  transport is
 * 't' for TCP, 'q' for QUIC, 'd' for DTLS. */
void snt_ja4(const struct snt_tls_client_hello *ch, char transport, char out[40]);

/* Both: JA3's MD5 ("" when snt_ja3 fails) and JA4, exactly as snt_ja3 and
 * snt_ja4 give them, remembered (per thread) by what they are made of, so a
 * hello seen before costs a look-up. */
void snt_ja_fingerprints(const struct snt_tls_client_hello *ch, char transport, char ja3_md5[33],
                         char ja4[40]);

static inline bool snt_tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#endif
