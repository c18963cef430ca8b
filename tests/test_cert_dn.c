/* Distinguished names as text (src/cert_dn.c): the text written without
 * OpenSSL is, byte for byte, what X509_NAME_print_ex writes (RFC 2253,
 * UTF-8 kept), on names made here: plain ones, ones with every character
 * RFC 2253 escapes, multi-valued RDNs, unknown attributes, other string
 * types, and thousands of random ones.  Plain names take the direct way;
 * the rest go to OpenSSL.  Names as memo keys compare by their DER. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>

#include "../src/cert_internal.h"
#include "testutil.h"

#define RANDOM_NAMES 3000

/* What OpenSSL writes, cut and made printable as snt_cert_dn_text does. */
static char *reference(const X509_NAME *name, size_t max)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL;
    CHECK(X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0);
    long n = BIO_get_mem_data(b, &data);
    char *out = snt_cert_printable((const uint8_t *)(data ? data : ""),
                                   (size_t)n > max ? max : (size_t)n, true);
    BIO_free(b);
    return out;
}

/* set: 0 a new RDN, -1 another value of the last one. */
static void add(X509_NAME *name, int nid, const char *oid, int type, const char *value, int set)
{
    ASN1_OBJECT *obj = nid != NID_undef ? OBJ_nid2obj(nid) : OBJ_txt2obj(oid, 1);
    X509_NAME_ENTRY *e = X509_NAME_ENTRY_create_by_OBJ(
        NULL, obj, type, (const unsigned char *)value, (int)strlen(value));
    CHECK(e != NULL);
    CHECK(X509_NAME_add_entry(name, e, -1, set) == 1);
    X509_NAME_ENTRY_free(e);
    if (nid == NID_undef)
        ASN1_OBJECT_free(obj);
}

/* name's text both ways, at two cuts; whether it went the direct way. */
static bool same_as_openssl(const X509_NAME *name)
{
    bool plain = false;
    const size_t cuts[] = {1024, 13};
    for (size_t i = 0; i < 2; i++) {
        char *got = snt_cert_dn_text(name, cuts[i], &plain);
        char *want = reference(name, cuts[i]);
        CHECK(got && want && strcmp(got, want) == 0);
        if (got && want && strcmp(got, want) != 0)
            fprintf(stderr, "  got  \"%s\"\n  want \"%s\"\n", got, want);
        free(got);
        free(want);
    }
    return plain;
}

static void test_plain(void)
{
    X509_NAME *n = X509_NAME_new();
    add(n, NID_countryName, NULL, V_ASN1_PRINTABLESTRING, "DE", 0);
    add(n, NID_organizationName, NULL, V_ASN1_UTF8STRING, "Example Org (Test) GmbH", 0);
    add(n, NID_organizationalUnitName, NULL, V_ASN1_UTF8STRING, "Unit 7/a", 0);
    add(n, NID_commonName, NULL, V_ASN1_UTF8STRING, "*.www.example.test", 0);
    add(n, NID_pkcs9_emailAddress, NULL, V_ASN1_IA5STRING, "admin@example.test", 0);
    CHECK(same_as_openssl(n));
    X509_NAME_free(n);

    /* A multi-valued RDN: its values joined by '+'. */
    n = X509_NAME_new();
    add(n, NID_organizationName, NULL, V_ASN1_UTF8STRING, "Org", 0);
    add(n, NID_commonName, NULL, V_ASN1_UTF8STRING, "a", 0);
    add(n, NID_serialNumber, NULL, V_ASN1_PRINTABLESTRING, "42", -1); /* with "a" */
    CHECK(same_as_openssl(n));
    X509_NAME_free(n);
}

/* Names OpenSSL writes: each must come out as it does. */
static void test_not_plain(void)
{
    static const char *const values[] = {
        "a,b",     "a+b",   "a\"b",   "a\\b", "a<b",     "a>b",     "a;b",         "#lead",
        "mid#dle", " lead", "trail ", "a=b",  "ctl\x01", "del\x7f", "caf\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        X509_NAME *n = X509_NAME_new();
        add(n, NID_commonName, NULL, V_ASN1_UTF8STRING, values[i], 0);
        CHECK(!same_as_openssl(n));
        X509_NAME_free(n);
    }
    const struct {
        int nid;
        const char *oid;
        int type;
        const char *value;
    } odd[] = {
        {NID_undef, "1.2.3.4.5", V_ASN1_UTF8STRING, "unknown"},
        {NID_commonName, NULL, V_ASN1_T61STRING, "latin\xe9"},
        {NID_commonName, NULL, V_ASN1_BMPSTRING, "\x00h\x00i"},
        {NID_commonName, NULL, V_ASN1_UTF8STRING, ""},
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        X509_NAME *n = X509_NAME_new();
        add(n, odd[i].nid, odd[i].oid, odd[i].type, odd[i].value, 0);
        CHECK(!same_as_openssl(n));
        X509_NAME_free(n);
    }
    X509_NAME *empty = X509_NAME_new();
    CHECK(!same_as_openssl(empty));
    X509_NAME_free(empty);
}

/* Random names of attributes and characters, specials included. */
static void test_random(void)
{
    static const int nids[] = {
        NID_commonName,   NID_organizationName,    NID_organizationalUnitName, NID_countryName,
        NID_localityName, NID_stateOrProvinceName, NID_domainComponent,        NID_undef};
    static const int types[] = {V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING,
                                V_ASN1_T61STRING};
    static const char chars[] = "abcXYZ019 .-_*@/():'?,+\"\\<>;#=";
    unsigned seed = 12345, plain = 0;
    for (unsigned k = 0; k < RANDOM_NAMES; k++) {
        X509_NAME *n = X509_NAME_new();
        unsigned entries = 1 + (seed = seed * 1103515245 + 12345) % 5;
        for (unsigned e = 0; e < entries; e++) {
            char value[24];
            unsigned len = 1 + (seed = seed * 1103515245 + 12345) % 20;
            /* Mostly letters, sometimes a special one. */
            for (unsigned c = 0; c < len; c++) {
                seed = seed * 1103515245 + 12345;
                unsigned r = (seed >> 8) % 100;
                value[c] = r < 97 ? chars[r % 20] : chars[20 + (seed >> 16) % 11];
            }
            value[len] = '\0';
            seed = seed * 1103515245 + 12345;
            int nid = nids[(seed >> 8) % 8];
            int type = types[(seed >> 12) % 4];
            int set = e > 0 && (seed >> 20) % 6 == 0 ? -1 : 0; /* sometimes joins the last RDN */
            add(n, nid, "1.3.6.1.4.1.99999.1", type, value, set);
        }
        plain += same_as_openssl(n);
        X509_NAME_free(n);
    }
    /* Both ways are exercised. */
    CHECK(plain > RANDOM_NAMES / 10);
    CHECK(plain < RANDOM_NAMES);
}

/* Names as memo keys: equal for the same DER only; a long name has none. */
static void test_name_keys(void)
{
    X509_NAME *a = X509_NAME_new(), *b = X509_NAME_new(), *c = X509_NAME_new();
    X509_NAME *big = X509_NAME_new();
    add(a, NID_commonName, NULL, V_ASN1_UTF8STRING, "CA one", 0);
    add(b, NID_commonName, NULL, V_ASN1_UTF8STRING, "CA one", 0);
    add(c, NID_commonName, NULL, V_ASN1_UTF8STRING, "CA two", 0);
    char long_value[300];
    memset(long_value, 'x', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    add(big, NID_organizationName, NULL, V_ASN1_UTF8STRING, long_value, 0);
    struct snt_cert_name_key ka, kb, kc, kbig;
    CHECK(snt_cert_name_key(a, &ka) && snt_cert_name_key(b, &kb) && snt_cert_name_key(c, &kc));
    CHECK(snt_cert_name_key_eq(&ka, &kb));
    CHECK(!snt_cert_name_key_eq(&ka, &kc));
    CHECK(!snt_cert_name_key(big, &kbig));
    CHECK(!snt_cert_name_key_eq(&kbig, &kbig)); /* no key matches nothing */
    X509_NAME_free(a);
    X509_NAME_free(b);
    X509_NAME_free(c);
    X509_NAME_free(big);
}

int main(void)
{
    test_plain();
    test_not_plain();
    test_random();
    test_name_keys();
    return snt_test_finish("cert_dn");
}
