/* Certificate names: the subject CNs and subjectAltName dNSName / iPAddress
 * entries (RFC 5280 section 4.2.1.6), and whether they cover the name a
 * client meant (RFC 6125 section 6, as OpenSSL's X509_check_host does it:
 * no partial wildcards, a wildcard covers exactly one leftmost label, the
 * subject CN only when there is no DNS SAN; IP literals only against IP
 * SANs).
 *
 * OpenSSL decides; the code here only explains the decision in words.
 * Names are compared as sent: an internationalised name must arrive in
 * A-label form ("xn--..."), as SNI always carries it (RFC 6066 section 3);
 * U-labels are not converted and will not match A-label SANs.
 */
#include "cert_internal.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#define SHOWN_NAME_MAX 80 /* bytes of the asked name quoted in explanations */
#define LIST_RESERVE   24 /* room kept for ", ... and N more" */

/* ---- normalising the asked name ----------------------------------------- */

static bool parse_ip(struct snt_cert_name *out)
{
    unsigned char bin[16];
    char inner[SNT_CERT_NAME_MAX + 1];
    const char *s = out->text;
    int af = AF_INET;
    /* HTTP Host writes IPv6 literals in brackets (RFC 3986 section 3.2.2). */
    if (out->len > 2 && s[0] == '[' && s[out->len - 1] == ']') {
        memcpy(inner, s + 1, out->len - 2);
        inner[out->len - 2] = '\0';
        s = inner;
        af = AF_INET6;
    }
    if (inet_pton(af, s, bin) != 1) {
        if (af == AF_INET6 || inet_pton(AF_INET6, s, bin) != 1)
            return false;
        af = AF_INET6;
    }
    /* Canonical text, so "2001:DB8:0::5" and "2001:db8::5" ask the same. */
    if (!inet_ntop(af, bin, out->text, sizeof out->text))
        return false;
    out->len = strlen(out->text);
    out->kind = SNT_CERT_NAME_IP;
    return true;
}

static bool has_non_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/* An internationalised name in UTF-8 (U-labels) as certificates list it:
 * A-labels ("xn--...", RFC 5890), per IDNA2008 with UTS #46 mapping. */
static bool to_a_labels(const char *name, size_t len, char *out, size_t outlen)
{
    char in[SNT_CERT_NAME_MAX * 4 + 1];
    char *ascii = NULL;
    if (len >= sizeof in)
        return false;
    memcpy(in, name, len);
    in[len] = '\0';
    bool ok = idn2_to_ascii_8z(in, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK &&
              strlen(ascii) < outlen;
    if (ok)
        memcpy(out, ascii, strlen(ascii) + 1);
    idn2_free(ascii);
    return ok;
}

void snt_cert_name_normalize(const char *name, struct snt_cert_name *out)
{
    size_t len = name ? strlen(name) : 0;
    char alabels[SNT_CERT_NAME_MAX + 2];
    memset(out, 0, sizeof *out);
    if (len && has_non_ascii(name, len)) {
        if (!to_a_labels(name, len, alabels, sizeof alabels)) {
            out->kind = SNT_CERT_NAME_INVALID;
            out->why = "not a valid internationalised domain name";
            return;
        }
        name = alabels;
        len = strlen(name);
    }
    /* The root label's dot is not part of what certificates list. */
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0)
        return;
    out->kind = SNT_CERT_NAME_DNS;
    if (len > SNT_CERT_NAME_MAX) {
        out->kind = SNT_CERT_NAME_INVALID;
        out->why = "longer than 253 bytes";
        len = SNT_CERT_NAME_MAX;
    }
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        out->text[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    out->len = len;
    /* X509_check_host reads a leading dot as "any subdomain of": a name off
     * the wire must not get that meaning. */
    if (out->kind == SNT_CERT_NAME_DNS && out->text[0] == '.') {
        out->kind = SNT_CERT_NAME_INVALID;
        out->why = "starts with a dot";
        return;
    }
    if (out->kind == SNT_CERT_NAME_DNS)
        parse_ip(out);
}

/* ---- collecting names --------------------------------------------------- */

char *snt_cert_printable(const uint8_t *p, size_t len, bool utf8)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        bool ok = (c >= 0x20 && c < 0x7f) || (utf8 && c >= 0x80);
        out[i] = ok ? (char)c : '?';
    }
    out[len] = '\0';
    return out;
}

/* A directory string in any ASN.1 string type, as printable UTF-8. */
static char *asn1_text(const ASN1_STRING *s)
{
    unsigned char *u = NULL;
    int n = ASN1_STRING_to_UTF8(&u, s);
    char *out;
    if (n >= 0) {
        out = snt_cert_printable(u, (size_t)n, true);
        OPENSSL_free(u);
        return out;
    }
    snt_cert_forget_errors();
    return snt_cert_printable(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), false);
}

static bool collect_cns(X509 *x, struct snt_cert_info *info)
{
    const X509_NAME *subj = X509_get_subject_name(x);
    size_t total = 0;
    int i;
    for (i = -1; (i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0;)
        total++;
    if (total == 0)
        return true;
    if (total > SNT_CERT_MAX_NAMES)
        total = SNT_CERT_MAX_NAMES;
    info->subject_cn = calloc(total, sizeof *info->subject_cn);
    if (!info->subject_cn)
        return false;
    for (i = -1; info->n_subject_cn < total &&
                 (i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0;) {
        char *s = asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i)));
        if (!s)
            return false;
        info->subject_cn[info->n_subject_cn++] = s;
    }
    return true;
}

/* One subjectAltName entry of a kind we report; other kinds are ignored. */
static bool collect_general_name(const GENERAL_NAME *g, struct snt_cert_info *info)
{
    char buf[INET6_ADDRSTRLEN];
    char *s;
    if (g->type == GEN_DNS) {
        if (info->dns_names_total++ >= SNT_CERT_MAX_NAMES)
            return true;
        /* Shown up to an embedded NUL, as OpenSSL and Wireshark print it (the
         * form a C-string client once matched: the NUL-prefix attack).  The
         * name check itself sees every byte and never matches such a name. */
        const uint8_t *p = ASN1_STRING_get0_data(g->d.dNSName);
        size_t len = (size_t)ASN1_STRING_length(g->d.dNSName);
        const uint8_t *nul = len ? memchr(p, 0, len) : NULL;
        s = snt_cert_printable(p, nul ? (size_t)(nul - p) : len, false);
        if (!s)
            return false;
        info->dns_names[info->n_dns_names++] = s;
        return true;
    }
    if (g->type != GEN_IPADD)
        return true;
    int len = ASN1_STRING_length(g->d.iPAddress);
    int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
    if (!af || !inet_ntop(af, ASN1_STRING_get0_data(g->d.iPAddress), buf, sizeof buf))
        return true;
    if (info->ip_addresses_total++ >= SNT_CERT_MAX_NAMES)
        return true;
    if (!(s = strdup(buf)))
        return false;
    info->ip_addresses[info->n_ip_addresses++] = s;
    return true;
}

static bool collect_sans(X509 *x, struct snt_cert_info *info)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t num, keep;
    bool ok = true;
    if (!gens) {
        snt_cert_forget_errors();
        return true;
    }
    num = (size_t)sk_GENERAL_NAME_num(gens);
    keep = num < SNT_CERT_MAX_NAMES ? num : SNT_CERT_MAX_NAMES;
    if (keep > 0) {
        info->dns_names = calloc(keep, sizeof *info->dns_names);
        info->ip_addresses = calloc(keep, sizeof *info->ip_addresses);
        ok = info->dns_names && info->ip_addresses;
    }
    for (size_t i = 0; ok && i < num; i++)
        ok = collect_general_name(sk_GENERAL_NAME_value(gens, (int)i), info);
    GENERAL_NAMES_free(gens);
    return ok;
}

bool snt_cert_collect_names(X509 *x, struct snt_cert_info *info)
{
    return collect_cns(x, info) && collect_sans(x, info);
}

/* ---- explaining ---------------------------------------------------------- */

struct text {
    char *buf;
    size_t cap, len;
};

/* Append what fits; a cut never splits a UTF-8 sequence. */
static void put(struct text *t, const char *s)
{
    size_t n = strlen(s), room = t->cap - 1 - t->len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct text *t, const char *fmt, ...)
{
    char tmp[sizeof(((struct snt_cert_verdict *)0)->name_check)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(t, tmp);
}

static void put_asked(struct text *t, const struct snt_cert_name *nm)
{
    char shown[SHOWN_NAME_MAX + 1];
    size_t n = nm->len > SHOWN_NAME_MAX ? SHOWN_NAME_MAX : nm->len;
    if (nm->kind == SNT_CERT_NAME_IP) {
        putf(t, "IP %s", nm->text);
        return;
    }
    /* The name is whatever the client sent: show it as plain ASCII. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)nm->text[i];
        shown[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    shown[n] = '\0';
    putf(t, "\"%s%s\"", shown, n < nm->len ? "..." : "");
}

/* "DNS:a, DNS:b, ... and 1200 more": as many as fit, then a count. */
static void put_list(struct text *t, const char *tag, char *const *items, size_t kept, size_t total)
{
    size_t shown = 0;
    for (; shown < kept; shown++) {
        size_t need = strlen(tag) + strlen(items[shown]) + 2;
        if (t->len + need + LIST_RESERVE >= t->cap)
            break;
        putf(t, "%s%s%s", shown ? ", " : "", tag, items[shown]);
    }
    if (shown < total)
        putf(t, "%s... and %zu more", shown ? ", " : "", total - shown);
}

/* Does name end in ".suffix"?  *labels_before: the part in front of it
 * holds more than one label. */
static bool under_suffix(const struct snt_cert_name *nm, const char *suffix, bool *labels_before)
{
    size_t n = strlen(suffix);
    if (nm->len <= n + 1 || nm->text[nm->len - n - 1] != '.' ||
        strcasecmp(nm->text + nm->len - n, suffix) != 0)
        return false;
    *labels_before = memchr(nm->text, '.', nm->len - n - 1) != NULL;
    return true;
}

/* Why a wildcard pattern that looks related did not cover the name (the
 * tail of the sentence; *partial for a star inside a label); NULL when the
 * pattern is unrelated.  The rules are OpenSSL's (valid_star and
 * wildcard_match in crypto/x509/v3_utl.c). */
static const char *wildcard_reason(const char *pattern, const struct snt_cert_name *nm,
                                   bool *partial)
{
    const char *star = strchr(pattern, '*'), *dot = strchr(pattern, '.');
    bool deeper = false;
    if (!star || !dot || star > dot)
        return NULL;
    *partial = star != pattern || dot != pattern + 1;
    if (*partial) {
        const char *first_dot = strchr(nm->text, '.');
        if (first_dot && strcasecmp(first_dot, dot) == 0)
            return "is not honoured";
        return NULL;
    }
    bool bare = strcasecmp(nm->text, dot + 1) == 0, under = under_suffix(nm, dot + 1, &deeper);
    if ((bare || under) && !strchr(dot + 1, '.'))
        return "is ignored: a wildcard needs two labels after it";
    if (bare)
        return "does not cover the bare domain";
    if (under && deeper)
        return "covers one label only";
    return NULL;
}

/* The first list entry whose wildcard explains the miss, in words. */
static bool explain_wildcards(struct text *t, const char *lead, const char *tag, char *const *items,
                              size_t n, const struct snt_cert_name *nm)
{
    bool partial = false;
    for (size_t i = 0; i < n; i++) {
        const char *why = wildcard_reason(items[i], nm, &partial);
        if (why) {
            putf(t, "%s%s %s%s %s", lead, partial ? "partial wildcard" : "wildcard", tag, items[i],
                 why);
            return true;
        }
    }
    return false;
}

static void explain_dns_miss(struct text *t, const struct snt_cert_info *info,
                             const struct snt_cert_name *nm)
{
    if (info->dns_names_total == 0) {
        if (info->n_subject_cn == 0) {
            put(t, " not covered: no DNS SAN and no subject CN");
            return;
        }
        put(t, " not covered: no DNS SAN: ");
        if (!explain_wildcards(t, "", "subject CN ", info->subject_cn, info->n_subject_cn, nm)) {
            put(t, "compared subject CN ");
            put_list(t, "", info->subject_cn, info->n_subject_cn, info->n_subject_cn);
        }
        return;
    }
    put(t, " not covered");
    if (explain_wildcards(t, ": ", "", info->dns_names, info->n_dns_names, nm))
        return;
    put(t, " by SAN ");
    put_list(t, "DNS:", info->dns_names, info->n_dns_names, info->dns_names_total);
    for (size_t i = 0; i < info->n_subject_cn; i++)
        if (strcasecmp(info->subject_cn[i], nm->text) == 0)
            put(t, " (the subject CN names it, but CNs do not count when DNS SANs exist)");
}

static void check_dns(X509 *x, const struct snt_cert_info *info, const struct snt_cert_name *nm,
                      struct text *t, unsigned *problems)
{
    char *peer = NULL;
    int rc = X509_check_host(x, nm->text, nm->len, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, &peer);
    if (rc == 1) {
        char *shown = peer ? snt_cert_printable((const uint8_t *)peer, strlen(peer), true) : NULL;
        const char *s = shown ? shown : "?";
        if (info->dns_names_total > 0)
            putf(t, " matched SAN DNS:%s", s);
        else
            putf(t, " matched subject CN %s (no DNS SAN)", s);
        free(shown);
    } else {
        *problems |= SNT_PROBLEM_NAME_MISMATCH;
        if (rc < 0)
            put(t, " not covered: OpenSSL could not compare it");
        else
            explain_dns_miss(t, info, nm);
    }
    OPENSSL_free(peer);
    snt_cert_forget_errors();
}

static void check_ip(X509 *x, const struct snt_cert_info *info, const struct snt_cert_name *nm,
                     struct text *t, unsigned *problems)
{
    int rc = X509_check_ip_asc(x, nm->text, 0);
    snt_cert_forget_errors();
    if (rc == 1) {
        putf(t, " matched SAN IP:%s", nm->text);
        return;
    }
    *problems |= SNT_PROBLEM_NAME_MISMATCH;
    if (info->ip_addresses_total == 0) {
        put(t, " not covered: no IP SAN (addresses are never compared with DNS names or CNs)");
        return;
    }
    put(t, " not covered by SAN ");
    put_list(t, "IP:", info->ip_addresses, info->n_ip_addresses, info->ip_addresses_total);
}

void snt_cert_check_name(X509 *x, const struct snt_cert_info *info, const struct snt_cert_name *nm,
                         struct snt_cert_verdict *v)
{
    struct text t = {v->name_check, sizeof v->name_check, 0};
    v->name_check[0] = '\0';
    if (nm->kind == SNT_CERT_NAME_NONE)
        return;
    put_asked(&t, nm);
    switch (nm->kind) {
    case SNT_CERT_NAME_DNS: check_dns(x, info, nm, &t, &v->problems); break;
    case SNT_CERT_NAME_IP: check_ip(x, info, nm, &t, &v->problems); break;
    default:
        v->problems |= SNT_PROBLEM_NAME_MISMATCH;
        putf(&t, " not covered: not a host name (%s)", nm->why);
        break;
    }
}
