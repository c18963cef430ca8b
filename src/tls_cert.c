/* TLS Certificate handshake message bodies: the TLS 1.0-1.2 form (RFC 5246
 * section 7.4.2) and the TLS 1.3 form with a request context and
 * per-certificate extensions (RFC 8446 section 4.4.2).
 *
 * Only the framing is checked here: each certificate is handed on as a
 * borrowed DER span for the cert stage to decode.  Every length-prefixed
 * block must be consumed exactly.  The result is built in a local and copied
 * out only on success.
 */
#include "snitrace/tls.h"

#define CERT_LIST_KEEP                                                                             \
    (sizeof(((struct snt_tls_certificate_list *)0)->certs) / sizeof(struct snt_span))

/* struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; }
 * Extension;  Extension extensions<0..2^16-1>;  Nothing in them is used, but
 * their framing has to hold for the entry to be believed. */
static bool skip_extensions(struct snt_reader *r)
{
    struct snt_reader exts, data;
    uint16_t type;
    if (!snt_read_vec16(r, &exts))
        return false;
    while (snt_reader_left(&exts) > 0)
        if (!snt_read_u16(&exts, &type) || !snt_read_vec16(&exts, &data))
            return false;
    return snt_reader_done(&exts);
}

/* opaque ASN.1Cert<1..2^24-1>; and, in TLS 1.3, the entry's extensions. */
static bool read_entry(struct snt_reader *list, bool tls13, struct snt_tls_certificate_list *out)
{
    struct snt_reader der;
    if (!snt_read_vec24(list, &der) || snt_reader_left(&der) == 0)
        return false;
    if (tls13 && !skip_extensions(list))
        return false;
    if (out->n < CERT_LIST_KEEP) {
        out->certs[out->n].p = der.p;
        out->certs[out->n].len = snt_reader_left(&der);
        out->n++;
    }
    out->total++;
    return true;
}

/* TLS 1.2:  ASN.1Cert certificate_list<0..2^24-1>;
 * TLS 1.3:  opaque certificate_request_context<0..2^8-1>;
 *           CertificateEntry certificate_list<0..2^24-1>;
 * An empty list is legal (a client without a certificate). */
enum snt_result snt_tls_parse_certificate(const uint8_t *body, size_t len, bool tls13,
                                          struct snt_tls_certificate_list *out)
{
    struct snt_reader r = snt_reader_make(body, len);
    struct snt_reader context, list;
    struct snt_tls_certificate_list res = {0};

    if (tls13 && !snt_read_vec8(&r, &context))
        return SNT_MALFORMED;
    if (!snt_read_vec24(&r, &list) || !snt_reader_done(&r))
        return SNT_MALFORMED;
    while (snt_reader_left(&list) > 0)
        if (!read_entry(&list, tls13, &res))
            return SNT_MALFORMED;
    if (!snt_reader_done(&list))
        return SNT_MALFORMED;
    *out = res;
    return SNT_OK;
}
