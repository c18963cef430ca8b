/* What a TLS 1.3 client thought of the server's certificate, read from the
 * sizes of its encrypted records alone (RFC 8446 section 5.2).
 *
 * After the server's encrypted flight (EncryptedExtensions, Certificate,
 * CertificateVerify, Finished) a client that accepts the certificate sends
 * its Finished, a record of 4 + Hash.length bytes of message, one byte of
 * content type and the AEAD tag, and then application data.  A client that
 * rejects it sends a fatal alert instead: two bytes, the content type and
 * the tag, the shortest record TLS 1.3 can carry, and closes; or it
 * completes the handshake and checks the name afterwards (curl does), and
 * then leaves without sending any data, a close_notify at most.  Padding
 * could blur this, and so could one byte of application data, which
 * makes a record exactly alert-sized; clients do not do either in
 * practice.
 */
#include "snitrace/tls.h"

#define TLS13_AES_128_CCM_8_SHA256 0x1305
#define TLS13_AES_256_GCM_SHA384   0x1302
#define ALERT_LEN                  2
#define CONTENT_TYPE_LEN           1
#define HANDSHAKE_HEADER_LEN       4
#define SHA256_LEN                 32
#define SHA384_LEN                 48
#define TAG_LEN                    16
#define SHORT_TAG_LEN              8

size_t snt_tls13_alert_record_len(uint16_t cipher)
{
    size_t tag = cipher == TLS13_AES_128_CCM_8_SHA256 ? SHORT_TAG_LEN : TAG_LEN;
    return ALERT_LEN + CONTENT_TYPE_LEN + tag;
}

size_t snt_tls13_finished_record_len(uint16_t cipher)
{
    size_t hash = cipher == TLS13_AES_256_GCM_SHA384 ? SHA384_LEN : SHA256_LEN;
    size_t tag = cipher == TLS13_AES_128_CCM_8_SHA256 ? SHORT_TAG_LEN : TAG_LEN;
    return HANDSHAKE_HEADER_LEN + hash + CONTENT_TYPE_LEN + tag;
}

/* Only alert-sized records from i on? */
static bool only_alerts(const uint16_t *records, unsigned from, unsigned kept, size_t alert)
{
    for (unsigned i = from; i < kept; i++)
        if (records[i] != alert)
            return false;
    return true;
}

enum snt_tls_client_verdict snt_tls13_infer_client_verdict(uint16_t cipher, const uint16_t *records,
                                                           unsigned kept, unsigned total,
                                                           bool ended, bool client_ended)
{
    if (total == 0 || kept == 0)
        return SNT_TLS_VERDICT_NONE;
    size_t alert = snt_tls13_alert_record_len(cipher);
    bool all_kept = total == kept;
    if (records[0] == alert) { /* an alert before any Finished */
        if (!all_kept || !only_alerts(records, 1, kept, alert))
            return SNT_TLS_VERDICT_UNKNOWN;
        return ended ? SNT_TLS_VERDICT_REJECTED : SNT_TLS_VERDICT_NONE;
    }
    /* Its Finished (or the rest of its handshake): anything but alerts
     * after it is application data. */
    if (!all_kept || !only_alerts(records, 1, kept, alert))
        return SNT_TLS_VERDICT_ACCEPTED;
    /* The handshake went through and the client left without a word of
     * data: it turned the certificate down once it had it, as clients that
     * check the name afterwards do.  Its close_notify says it left even when
     * the server closes first; without one, only its own close does. */
    if (kept > 1 ? ended : client_ended)
        return SNT_TLS_VERDICT_REJECTED;
    return SNT_TLS_VERDICT_NONE;
}
