/* Tests for the JA3 and JA4 client fingerprints.  Expected JA3 values are
 * tshark 4.0's own (tls.handshake.ja3_full / tls.handshake.ja3) for the same
 * bytes; expected JA4 values follow the FoxIO JA4 specification, whose
 * published example and ALPN rules are checked directly. */
#include "snitrace/tls.h"
#include "testutil.h"
#include "tls_vectors.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Parse the ClientHello in a one-record vector; *keep owns the bytes the
 * result borrows from. */
static bool hello_from_record(const char *hex, struct snt_tls_client_hello *ch, uint8_t **keep)
{
    size_t len;
    uint8_t *rec = snt_test_hex(hex, &len);
    struct snt_tls_dir d;
    uint8_t type = 0;
    struct snt_span body = {NULL, 0};
    bool ok = false;
    *keep = NULL;
    snt_tls_dir_init(&d, 0);
    if (snt_tls_dir_feed(&d, rec, len) == SNT_OK &&
        snt_tls_next_message(&d, &type, &body) == SNT_OK && type == SNT_TLS_HS_CLIENT_HELLO) {
        *keep = snt_test_exact_copy(body.p, body.len);
        ok = snt_tls_parse_client_hello(*keep, body.len, ch) == SNT_OK;
    }
    snt_tls_dir_free(&d);
    free(rec);
    return ok;
}

static void check_ja3(const struct snt_tls_client_hello *ch, const char *want, const char *want_md5)
{
    char buf[SNT_JA3_MAX], md5[33];
    CHECK(snt_ja3(ch, buf, sizeof buf, md5));
    CHECK(strcmp(buf, want) == 0);
    CHECK(strcmp(md5, want_md5) == 0);
    if (strcmp(buf, want) != 0 || strcmp(md5, want_md5) != 0)
        fprintf(stderr, "  ja3 %s\n  md5 %s\n", buf, md5);
}

static void check_ja4(const struct snt_tls_client_hello *ch, char transport, const char *want)
{
    char out[40];
    snt_ja4(ch, transport, out);
    CHECK(strcmp(out, want) == 0);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "  ja4 %s, expected %s\n", out, want);
}

/* ---- captured hellos ------------------------------------------------------ */

static const struct {
    const char *name, *hex, *ja3, *ja3_md5, *ja4;
} captured[] = {
    {"ch13_sni_alpn", ch13_sni_alpn_hex,
     "771,4866-4867-4865-255,0-11-10-35-16-22-23-13-43-45-51,"
     "29-23-30-25-24-256-257-258-259-260,0-1-2",
     "9dffdb8b608a430b774a2ff7d36c1a0c", "t13d0411h2_16476d049b0b_78f1d400d464"},
    /* GREASE must change neither fingerprint. */
    {"ch13_grease", ch13_grease_hex,
     "771,4866-4867-4865-255,0-11-10-35-16-22-23-13-43-45-51,"
     "29-23-30-25-24-256-257-258-259-260,0-1-2",
     "9dffdb8b608a430b774a2ff7d36c1a0c", "t13d0411h2_16476d049b0b_78f1d400d464"},
    {"ch12_sni_alpn", ch12_sni_alpn_hex,
     "771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-"
     "49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13,"
     "29-23-30-25-24,0-1-2",
     "22558766122974704364c9c75c5cce0a", "t12d2808h2_d943125447b4_e7e480e5a997"},
    {"ch13_no_sni", ch13_no_sni_hex,
     "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-"
     "49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,"
     "11-10-35-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
     "c216e752cae6f8755fd27f561d031636", "t13i310900_e8f1e7e78f70_1f22a2ca17c4"},
    {"hrr_client", hrr_client_hex,
     "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-"
     "49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,"
     "0-11-10-35-22-23-13-43-45-51,23-29,0-1-2",
     "a4cb0a2566ce0ad47dcd4e59ad18f66e", "t13d311000_e8f1e7e78f70_1f22a2ca17c4"},
    /* No extensions: the empty JA3 fields stay, and JA4_c has nothing to hash. */
    {"ch12_no_ext", ch12_no_ext_hex, "771,49199-156,,,", "1d5b2c24c9fb46b333b668810869e7fb",
     "t12i020000_08dfa304a768_000000000000"},
};

static void test_captured(void)
{
    for (size_t i = 0; i < sizeof captured / sizeof captured[0]; i++) {
        struct snt_tls_client_hello ch;
        uint8_t *keep;
        bool ok = hello_from_record(captured[i].hex, &ch, &keep);
        CHECK(ok);
        if (ok) {
            check_ja3(&ch, captured[i].ja3, captured[i].ja3_md5);
            check_ja4(&ch, 't', captured[i].ja4);
        }
        free(keep);
    }
}

static void test_sslv2(void)
{
    size_t len;
    uint8_t *rec = snt_test_hex(sslv2_hello_hex, &len);
    struct snt_tls_client_hello ch;
    CHECK_EQ_INT(snt_tls_parse_sslv2_client_hello(rec, len, &ch), SNT_OK);
    check_ja3(&ch, "769,57-56-53-255,,,", "0bfeaebbba9180ce260b2ed30c1e4d6d");
    check_ja4(&ch, 't', "t10i040000_349cbe807c5a_000000000000");
    free(rec);
}

/* ---- the JA4 specification's own example ---------------------------------- */

static const uint16_t spec_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                        0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                        0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t spec_exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
                                     0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
                                     0xff01, 0x000b, 0x000a, 0x0015};
static const uint16_t spec_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                        0x0805, 0x0501, 0x0806, 0x0601};
static const uint8_t alpn_h2[] = "h2";
static const uint8_t host[] = "example.com";

static void spec_hello(struct snt_tls_client_hello *ch, bool grease)
{
    memset(ch, 0, sizeof *ch);
    ch->legacy_version = 0x0303;
    if (grease)
        ch->ciphers[ch->n_ciphers++] = 0x2a2a;
    for (size_t i = 0; i < sizeof spec_ciphers / sizeof spec_ciphers[0]; i++)
        ch->ciphers[ch->n_ciphers++] = spec_ciphers[i];
    for (size_t i = 0; i < sizeof spec_exts / sizeof spec_exts[0]; i++) {
        ch->exts[ch->n_exts++] = spec_exts[i];
        if (grease && i == 7)
            ch->exts[ch->n_exts++] = 0xdada;
    }
    for (size_t i = 0; i < sizeof spec_sigalgs / sizeof spec_sigalgs[0]; i++)
        ch->sigalgs[ch->n_sigalgs++] = spec_sigalgs[i];
    ch->has_supported_versions = true;
    if (grease)
        ch->versions[ch->n_versions++] = 0x7a7a;
    ch->versions[ch->n_versions++] = 0x0304;
    ch->versions[ch->n_versions++] = 0x0303;
    ch->alpn[ch->n_alpn++] = (struct snt_span){alpn_h2, 2};
    ch->sni = (struct snt_span){host, sizeof host - 1};
    ch->has_sni = true;
}

static void test_spec_example(void)
{
    struct snt_tls_client_hello ch;
    spec_hello(&ch, false);
    check_ja4(&ch, 't', "t13d1516h2_8daaf6152771_e5627efa2ab1");
    check_ja4(&ch, 'q', "q13d1516h2_8daaf6152771_e5627efa2ab1");
    check_ja4(&ch, 'd', "d13d1516h2_8daaf6152771_e5627efa2ab1");
    spec_hello(&ch, true);
    check_ja4(&ch, 't', "t13d1516h2_8daaf6152771_e5627efa2ab1");
    /* "If there are no signature algorithms ... the string ends without an
     * underscore": the spec gives 6d807ffa2a79 for that case. */
    ch.n_sigalgs = 0;
    check_ja4(&ch, 't', "t13d1516h2_8daaf6152771_6d807ffa2a79");
    /* GREASE among the signature algorithms is ignored like anywhere else. */
    spec_hello(&ch, false);
    ch.sigalgs[ch.n_sigalgs++] = 0x1a1a;
    check_ja4(&ch, 't', "t13d1516h2_8daaf6152771_e5627efa2ab1");
    /* JA4 "d" comes from the extension, whether or not a name was read. */
    spec_hello(&ch, false);
    ch.has_sni = false;
    check_ja4(&ch, 't', "t13d1516h2_8daaf6152771_e5627efa2ab1");
    memmove(&ch.exts[1], &ch.exts[2], (size_t)(ch.n_exts - 2) * sizeof ch.exts[0]);
    ch.n_exts--;
    check_ja4(&ch, 't', "t13i1515h2_8daaf6152771_e5627efa2ab1");
}

/* ---- JA4_a details -------------------------------------------------------- */

static void check_alpn(const char *value, size_t len, const char *want)
{
    struct snt_tls_client_hello ch;
    char out[40];
    spec_hello(&ch, false);
    ch.alpn[0] = (struct snt_span){(const uint8_t *)value, len};
    snt_ja4(&ch, 't', out);
    CHECK(strncmp(out + 8, want, 2) == 0);
    if (strncmp(out + 8, want, 2) != 0)
        fprintf(stderr, "  alpn case %s: got %s\n", want, out);
}

static void test_alpn(void)
{
    check_alpn("h2", 2, "h2");
    check_alpn("http/1.1", 8, "h1");
    check_alpn("h3", 2, "h3");
    check_alpn("a", 1, "aa");
    check_alpn("", 0, "00");
    /* the specification's examples for bytes that are not alphanumeric */
    check_alpn("\xab", 1, "ab");
    check_alpn("\xab\xcd", 2, "ad");
    check_alpn("\x30\xab", 2, "3b");
    check_alpn("\x30\x31\xab\xcd", 4, "3d");
    check_alpn("\x30\xab\xcd\x31", 4, "01");
    check_alpn("/x", 2, "28");

    struct snt_tls_client_hello ch;
    char out[40];
    spec_hello(&ch, false);
    ch.n_alpn = 0;
    snt_ja4(&ch, 't', out);
    CHECK(strcmp(out, "t13d151600_8daaf6152771_e5627efa2ab1") == 0);
}

static void check_version(const uint16_t *versions, size_t n, uint16_t legacy, const char *want)
{
    struct snt_tls_client_hello ch;
    char out[40];
    spec_hello(&ch, false);
    ch.legacy_version = legacy;
    ch.n_versions = 0;
    ch.has_supported_versions = versions != NULL;
    for (size_t i = 0; i < n; i++)
        ch.versions[ch.n_versions++] = versions[i];
    snt_ja4(&ch, 't', out);
    CHECK(strncmp(out + 1, want, 2) == 0);
    if (strncmp(out + 1, want, 2) != 0)
        fprintf(stderr, "  version case %s: got %s\n", want, out);
}

static void test_versions(void)
{
    static const uint16_t grease_first[] = {0xfafa, 0x0303, 0x0304};
    static const uint16_t only_12[] = {0x0303, 0x0302};
    static const uint16_t only_grease[] = {0x0a0a};
    check_version(grease_first, 3, 0x0303, "13");
    check_version(only_12, 2, 0x0303, "12");
    check_version(only_grease, 1, 0x0302, "11");
    check_version(NULL, 0, 0x0304, "13");
    check_version(NULL, 0, 0x0303, "12");
    check_version(NULL, 0, 0x0301, "10");
    check_version(NULL, 0, 0x0300, "s3");
    check_version(NULL, 0, 0x0002, "s2");
    check_version(NULL, 0, 0x0200, "s2");
    check_version(NULL, 0, 0x0100, "s1");
    check_version(NULL, 0, 0x0305, "00");
    check_version(NULL, 0, 0xfefd, "00");
}

static void test_counts_and_empty(void)
{
    struct snt_tls_client_hello ch;
    char out[40];
    memset(&ch, 0, sizeof ch);
    snt_ja4(&ch, 't', out);
    CHECK(strcmp(out, "t00i000000_000000000000_000000000000") == 0);

    spec_hello(&ch, false);
    ch.n_ciphers = 0;
    for (uint16_t i = 0; i < 120; i++)
        ch.ciphers[ch.n_ciphers++] = (uint16_t)(0x0100 + i);
    ch.ciphers[ch.n_ciphers++] = 0x0a0a;
    /* the extension array holds fewer than 99, so only ciphers reach the cap */
    while (ch.n_exts < SNT_MAX_EXTENSIONS)
        ch.exts[ch.n_exts] = (uint16_t)(0x1000 + ch.n_exts), ch.n_exts++;
    snt_ja4(&ch, 't', out);
    CHECK(strncmp(out, "t13d9996h2_", 11) == 0);
    CHECK_EQ_INT(strlen(out), 36);

    /* signature algorithms alone still hash, after an underscore */
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = 0x0303;
    ch.sigalgs[ch.n_sigalgs++] = 0x0403;
    snt_ja4(&ch, 't', out);
    CHECK(strcmp(out + 24, "000000000000") != 0);
}

/* JA4_b hashes the ciphers sorted: checked against a sort and digest done
 * here, the long way, for the longest list a hello holds, sent in
 * descending order with repeats (the worst case for the sort). */
static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

static void test_ja4_long_sorted_list(void)
{
    struct snt_tls_client_hello ch;
    uint16_t sorted[SNT_MAX_CIPHERS];
    char text[SNT_MAX_CIPHERS * 5 + 1], want[13], out[40];
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    size_t len = 0;
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = 0x0303;
    for (size_t i = 0; i < SNT_MAX_CIPHERS; i++)
        ch.ciphers[ch.n_ciphers++] = (uint16_t)(0xfff0 - (i / 2) * 0x101);
    memcpy(sorted, ch.ciphers, sizeof sorted);
    qsort(sorted, SNT_MAX_CIPHERS, sizeof sorted[0], cmp_u16);
    for (size_t i = 0; i < SNT_MAX_CIPHERS; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%04x", i ? "," : "", sorted[i]);
    CHECK(EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) == 1);
    for (size_t i = 0; i < 6; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    snt_ja4(&ch, 't', out);
    CHECK(strncmp(out, "t12i9900", 8) == 0);
    CHECK(strncmp(out + 11, want, 12) == 0);
    if (strncmp(out + 11, want, 12) != 0)
        fprintf(stderr, "  ja4 %s, expected JA4_b %s\n", out, want);
}

/* ---- JA3 details ---------------------------------------------------------- */

static void test_ja3_edges(void)
{
    struct snt_tls_client_hello ch;
    char buf[SNT_JA3_MAX], md5[33];
    spec_hello(&ch, true);
    ch.groups[ch.n_groups++] = 0x8a8a;
    ch.groups[ch.n_groups++] = 29;
    ch.point_formats[ch.n_point_formats++] = 0;
    CHECK(snt_ja3(&ch, buf, sizeof buf, md5));
    CHECK(strcmp(buf, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-"
                      "157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29,0") == 0);
    CHECK_EQ_INT(strlen(md5), 32);

    size_t need = strlen(buf) + 1;
    char *exact = malloc(need), *small = malloc(need - 1);
    if (!exact || !small)
        abort();
    CHECK(snt_ja3(&ch, exact, need, md5));
    CHECK(strcmp(exact, buf) == 0);
    CHECK(!snt_ja3(&ch, small, need - 1, md5));
    CHECK(small[0] == '\0' && md5[0] == '\0');
    CHECK(!snt_ja3(&ch, small, 0, md5));
    free(exact);
    free(small);

    memset(&ch, 0, sizeof ch);
    CHECK(snt_ja3(&ch, buf, sizeof buf, md5));
    CHECK(strcmp(buf, "0,,,,") == 0);
}

/* The longest lists a hello can hold fit the documented buffer. */
static void test_ja3_full_lists(void)
{
    struct snt_tls_client_hello ch;
    char buf[SNT_JA3_MAX], md5[33];
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = 0x0303;
    for (size_t i = 0; i < SNT_MAX_CIPHERS; i++)
        ch.ciphers[ch.n_ciphers++] = (uint16_t)(0xc000 + i);
    for (size_t i = 0; i < SNT_MAX_EXTENSIONS; i++)
        ch.exts[ch.n_exts++] = (uint16_t)(0xff00 + i);
    for (size_t i = 0; i < SNT_MAX_GROUPS; i++)
        ch.groups[ch.n_groups++] = (uint16_t)(0xfe00 + i);
    for (size_t i = 0; i < SNT_MAX_POINT_FORMATS; i++)
        ch.point_formats[ch.n_point_formats++] = (uint8_t)(200 + i);
    CHECK(snt_ja3(&ch, buf, sizeof buf, md5));
    CHECK(strlen(buf) < SNT_JA3_MAX);
}

/* Fingerprints are remembered per hello in a small memo: many distinct
 * hellos (more than it holds), asked for twice in different orders, give
 * the same fingerprints each time, those snt_ja3 and snt_ja4 give, and
 * JA3's is the MD5 of its own text. */
#define MEMO_ROUNDS 600
static void test_memo(void)
{
    static char ja3[MEMO_ROUNDS][33], ja4[MEMO_ROUNDS][40];
    struct snt_tls_client_hello ch;
    char buf[SNT_JA3_MAX], md5[33], out[40], got3[33], got4[40];
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < MEMO_ROUNDS; k++) {
            int i = pass ? MEMO_ROUNDS - 1 - k : k;
            memset(&ch, 0, sizeof ch);
            ch.legacy_version = 0x0303;
            ch.ciphers[ch.n_ciphers++] = 0x1301;
            ch.ciphers[ch.n_ciphers++] = (uint16_t)(0x0100 + i);
            ch.exts[ch.n_exts++] = (uint16_t)(0x2000 + i % 7);
            ch.exts[ch.n_exts++] = 0x000d;
            ch.sigalgs[ch.n_sigalgs++] = (uint16_t)(0x0400 + i % 3);
            CHECK(snt_ja3(&ch, buf, sizeof buf, md5));
            snt_ja4(&ch, 't', out);
            snt_ja_fingerprints(&ch, 't', got3, got4);
            CHECK(strcmp(got3, md5) == 0 && strcmp(got4, out) == 0);
            if (pass == 0) {
                unsigned char md[16];
                unsigned mdlen = 0;
                char want[33];
                CHECK(EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_md5(), NULL) == 1);
                for (unsigned b = 0; b < 16; b++)
                    snprintf(want + 2 * b, 3, "%02x", md[b]);
                CHECK(strcmp(md5, want) == 0);
                memcpy(ja3[i], md5, sizeof md5);
                memcpy(ja4[i], out, sizeof out);
            } else {
                CHECK(strcmp(md5, ja3[i]) == 0);
                CHECK(strcmp(out, ja4[i]) == 0);
            }
        }
    }
    CHECK(strcmp(ja4[1], ja4[2]) != 0);
}

/* Both fingerprints remembered by what they are made of: every variant of
 * one hello (each input of JA3 or JA4 changed in turn), asked for again and
 * again in turn, gives what snt_ja3 and snt_ja4 give; so does a hello too
 * long to remember. */
#define VARIANTS 14
static void make_variant(struct snt_tls_client_hello *ch, int v, char *transport)
{
    static const uint8_t h2[] = "h2", h3[] = "h3", empty[] = "";
    spec_hello(ch, v == 13);
    *transport = v == 1 ? 'q' : 't';
    switch (v) {
    case 2: ch->has_sni = !ch->has_sni; break;
    case 3: ch->alpn[0] = (struct snt_span){h2, 2}, ch->n_alpn = 1; break;
    case 4: ch->alpn[0] = (struct snt_span){h3, 2}, ch->n_alpn = 1; break;
    case 5: ch->alpn[0] = (struct snt_span){empty, 0}, ch->n_alpn = 1; break;
    case 6: ch->n_alpn = 0; break;
    case 7: ch->has_supported_versions = !ch->has_supported_versions; break;
    case 8: ch->legacy_version = 0x0301; break;
    case 9: ch->ciphers[0] ^= 1; break;
    case 10: ch->exts[ch->n_exts - 1] ^= 0x100; break;
    case 11: ch->n_groups = ch->n_groups ? ch->n_groups - 1 : 0; break;
    case 12: ch->sigalgs[0] ^= 1; break;
    default: break;
    }
}

static void test_hello_memo(void)
{
    struct snt_tls_client_hello ch;
    char transport, buf[SNT_JA3_MAX], md5[33], ja4[40], got3[33], got4[40];
    for (int round = 0; round < 3; round++) {
        for (int v = 0; v < VARIANTS; v++) {
            make_variant(&ch, v, &transport);
            if (!snt_ja3(&ch, buf, sizeof buf, md5))
                md5[0] = '\0';
            snt_ja4(&ch, transport, ja4);
            snt_ja_fingerprints(&ch, transport, got3, got4);
            CHECK(strcmp(got3, md5) == 0);
            CHECK(strcmp(got4, ja4) == 0);
            if (strcmp(got4, ja4) != 0)
                fprintf(stderr, "  variant %d: %s, expected %s\n", v, got4, ja4);
        }
    }
    /* Every list full: too long a key to remember, built each time. */
    memset(&ch, 0, sizeof ch);
    ch.legacy_version = 0x0303;
    for (unsigned i = 0; i < SNT_MAX_CIPHERS; i++)
        ch.ciphers[ch.n_ciphers++] = (uint16_t)(0x1000 + i);
    for (unsigned i = 0; i < SNT_MAX_EXTENSIONS; i++)
        ch.exts[ch.n_exts++] = (uint16_t)(0x3000 + i);
    for (int pass = 0; pass < 2; pass++) {
        CHECK(snt_ja3(&ch, buf, sizeof buf, md5));
        snt_ja4(&ch, 't', ja4);
        snt_ja_fingerprints(&ch, 't', got3, got4);
        CHECK(strcmp(got3, md5) == 0 && strcmp(got4, ja4) == 0);
    }
}

int main(void)
{
    test_memo();
    test_captured();
    test_sslv2();
    test_spec_example();
    test_alpn();
    test_versions();
    test_counts_and_empty();
    test_ja4_long_sorted_list();
    test_ja3_edges();
    test_ja3_full_lists();
    test_hello_memo();
    return snt_test_finish("ja");
}
