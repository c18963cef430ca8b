/* A distinguished name as text: RFC 2253 order and escaping, as
 * X509_NAME_print_ex writes it with XN_FLAG_RFC2253 but UTF-8 kept as is
 * (no ASN1_STRFLGS_ESC_MSB), for people to read.
 *
 * X509_NAME_print_ex goes through a BIO, about 13,000 instructions a
 * name, and every leaf has a subject of its own.  Most names are plain:
 * attributes OpenSSL has a short name for, values in PrintableString,
 * IA5String or UTF8String of printable ASCII that RFC 2253 does not
 * escape.  Those are written here directly, with the same text; any other
 * name goes to OpenSSL. */
#include "cert_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>

#include "htable.h"

#define PLAIN_MAX 2048 /* a plain name longer than this goes to OpenSSL */

/* RFC 2253 section 2.4: these are escaped anywhere, '#' and ' ' at the
 * start, ' ' at the end; '=' is left to OpenSSL too. */
static bool plain_byte(uint8_t c)
{
    return c >= 0x20 && c < 0x7f && !strchr("\",+;<>\\#=", c);
}

static bool plain_value(const ASN1_STRING *v)
{
    int type = ASN1_STRING_type(v);
    if (type != V_ASN1_PRINTABLESTRING && type != V_ASN1_IA5STRING && type != V_ASN1_UTF8STRING)
        return false;
    const uint8_t *p = ASN1_STRING_get0_data(v);
    int len = ASN1_STRING_length(v);
    if (!p || len <= 0 || p[0] == ' ' || p[len - 1] == ' ')
        return false;
    for (int i = 0; i < len; i++)
        if (!plain_byte(p[i]))
            return false;
    return true;
}

static bool append(char *buf, size_t *len, const void *p, size_t n)
{
    if (n > PLAIN_MAX - *len)
        return false;
    memcpy(buf + *len, p, n);
    *len += n;
    return true;
}

/* The name written directly into buf (PLAIN_MAX bytes); false when it is
 * not a plain one. */
static bool plain_text(const X509_NAME *name, char *buf, size_t *len)
{
    int n = X509_NAME_entry_count(name), prev_set = -1;
    *len = 0;
    if (n <= 0)
        return false;
    for (int i = n - 1; i >= 0; i--) { /* RFC 2253: the last RDN first */
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        const char *field = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
        int set = X509_NAME_ENTRY_set(e);
        if (!field || !plain_value(v))
            return false;
        if (prev_set != -1 && !append(buf, len, set == prev_set ? "+" : ",", 1))
            return false;
        prev_set = set;
        if (!append(buf, len, field, strlen(field)) || !append(buf, len, "=", 1) ||
            !append(buf, len, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v)))
            return false;
    }
    return true;
}

/* Through OpenSSL, for every other name. */
static char *openssl_text(const X509_NAME *name, size_t max)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL, *out = NULL;
    if (b && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        /* An empty subject is legal (RFC 5280 section 4.1.2.6): "" then. */
        long n = BIO_get_mem_data(b, &data);
        if (n >= 0)
            out = snt_cert_printable((const uint8_t *)(data ? data : ""),
                                     (size_t)n > max ? max : (size_t)n, true);
    }
    BIO_free(b);
    snt_cert_forget_errors();
    return out;
}

char *snt_cert_dn_text(const X509_NAME *name, size_t max, bool *plain)
{
    char buf[PLAIN_MAX];
    size_t len = 0;
    bool is_plain = plain_text(name, buf, &len);
    if (plain)
        *plain = is_plain;
    if (is_plain)
        return snt_cert_printable((const uint8_t *)buf, len > max ? max : len, true);
    return openssl_text(name, max);
}

bool snt_cert_name_key(const X509_NAME *name, struct snt_cert_name_key *key)
{
    const unsigned char *der = NULL;
    size_t len = 0;
    key->len = 0;
    if (!name || X509_NAME_get0_der(name, &der, &len) != 1 || len == 0 ||
        len > SNT_CERT_NAME_KEY_MAX)
        return false;
    key->tag = snt_hash_bytes(der, len);
    key->len = len;
    memcpy(key->der, der, len);
    return true;
}

bool snt_cert_name_key_eq(const struct snt_cert_name_key *a, const struct snt_cert_name_key *b)
{
    return a->len && a->len == b->len && a->tag == b->tag && memcmp(a->der, b->der, a->len) == 0;
}
