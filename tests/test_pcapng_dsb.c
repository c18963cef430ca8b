/* The pcapng secrets-block scanner: hand-built files of both byte orders,
 * every split of a file across two feeds and byte-by-byte feeding, bodies
 * over the cap, broken lengths, and files that are not pcapng. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/pcapng_dsb.h"
#include "testutil.h"

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define BLOCK_DSB 0x0000000Au
#define WIREGUARD 0x57474b4cu /* "WGKL" */

static const char keys1[] = "CLIENT_RANDOM 00112233 aabb\n";
static const char keys2[] = "# second block, no final newline";

/* --- building files ---------------------------------------------------- */

struct file {
    uint8_t b[8192];
    size_t len;
    bool big; /* byte order of the current section */
};

static void put_u32(struct file *f, uint32_t v)
{
    snt_test_put_u32(f->b, &f->len, v, f->big);
}

static void put_u16(struct file *f, uint16_t v)
{
    snt_test_put_u16(f->b, &f->len, v, f->big);
}

static void put_bytes(struct file *f, const void *p, size_t n)
{
    memcpy(f->b + f->len, p, n);
    f->len += n;
    while (f->len % 4)
        f->b[f->len++] = 0;
}

/* A block around a body that the caller writes between begin and end. */
static size_t begin_block(struct file *f, uint32_t type)
{
    size_t start = f->len;
    put_u32(f, type);
    put_u32(f, 0); /* total length, patched by end_block */
    return start;
}

static void end_block(struct file *f, size_t start)
{
    uint32_t total = (uint32_t)(f->len - start + 4);
    size_t end = f->len;
    f->len = start + 4;
    put_u32(f, total);
    f->len = end;
    put_u32(f, total);
}

static void add_section(struct file *f, bool big)
{
    f->big = big;
    size_t b = begin_block(f, BLOCK_SHB);
    put_u32(f, 0x1A2B3C4D);
    put_u16(f, 1);
    put_u16(f, 0);
    put_u32(f, 0xffffffff); /* section length: unknown */
    put_u32(f, 0xffffffff);
    end_block(f, b);
}

static void add_interface(struct file *f)
{
    size_t b = begin_block(f, BLOCK_IDB);
    put_u16(f, 1); /* Ethernet */
    put_u16(f, 0);
    put_u32(f, 262144);
    end_block(f, b);
}

static void add_packet(struct file *f, size_t n)
{
    uint8_t frame[64] = {0};
    size_t b = begin_block(f, BLOCK_EPB);
    put_u32(f, 0); /* interface */
    put_u32(f, 0); /* timestamp */
    put_u32(f, 0);
    put_u32(f, (uint32_t)n);
    put_u32(f, (uint32_t)n);
    put_bytes(f, frame, n);
    end_block(f, b);
}

static void add_secrets(struct file *f, uint32_t type, const char *text, bool with_option)
{
    size_t b = begin_block(f, BLOCK_DSB);
    put_u32(f, type);
    put_u32(f, (uint32_t)strlen(text));
    put_bytes(f, text, strlen(text));
    if (with_option) { /* opt_comment, then opt_endofopt */
        put_u16(f, 1);
        put_u16(f, 3);
        put_bytes(f, "hey", 3);
        put_u32(f, 0);
    }
    end_block(f, b);
}

/* SHB, IDB, secrets, a packet, other secrets (with an option), a packet. */
static void make_file(struct file *f, bool big)
{
    memset(f, 0, sizeof *f);
    add_section(f, big);
    add_interface(f);
    add_secrets(f, SNT_PCAPNG_SECRETS_TLS, keys1, false);
    add_packet(f, 60);
    add_secrets(f, WIREGUARD, keys2, true);
    add_packet(f, 42);
}

/* --- what the scanner found -------------------------------------------- */

struct found {
    int n;
    uint32_t type[8];
    char text[8][128];
};

static void on_secrets(void *arg, uint32_t type, const uint8_t *data, size_t len)
{
    struct found *got = arg;
    if (got->n == 8 || len >= sizeof got->text[0])
        abort();
    got->type[got->n] = type;
    memcpy(got->text[got->n], data, len);
    got->text[got->n][len] = 0;
    got->n++;
}

static void check_both(const struct found *got)
{
    CHECK_EQ_INT(got->n, 2);
    CHECK_EQ_INT(got->type[0], SNT_PCAPNG_SECRETS_TLS);
    CHECK(strcmp(got->text[0], keys1) == 0);
    CHECK_EQ_INT(got->type[1], WIREGUARD);
    CHECK(strcmp(got->text[1], keys2) == 0);
}

static enum snt_result scan(const uint8_t *p, size_t len, struct found *got,
                            struct snt_pcapng_dsb_counters *counters)
{
    struct snt_pcapng_dsb s;
    snt_pcapng_dsb_init(&s);
    memset(got, 0, sizeof *got);
    uint8_t *copy = snt_test_exact_copy(p, len);
    enum snt_result st = snt_pcapng_dsb_feed(&s, copy, len, on_secrets, got);
    if (counters)
        *counters = s.counters;
    snt_pcapng_dsb_release(&s);
    free(copy);
    return st;
}

/* --- tests --------------------------------------------------------------- */

static void test_both_byte_orders(void)
{
    struct file f;
    struct found got;
    struct snt_pcapng_dsb_counters c;
    for (int big = 0; big <= 1; big++) {
        make_file(&f, big);
        CHECK_EQ_INT(scan(f.b, f.len, &got, &c), SNT_OK);
        check_both(&got);
        CHECK_EQ_INT(c.sections, 1);
        CHECK_EQ_INT(c.blocks, 6);
        CHECK_EQ_INT(c.secrets, 2);
        CHECK_EQ_INT(c.framing_errors, 0);
    }
}

/* A second section in the other byte order, as when files are concatenated. */
static void test_sections_change_byte_order(void)
{
    struct file f;
    struct found got;
    struct snt_pcapng_dsb_counters c;
    make_file(&f, false);
    add_section(&f, true);
    add_interface(&f);
    add_secrets(&f, SNT_PCAPNG_SECRETS_TLS, "big-endian keys\n", false);
    CHECK_EQ_INT(scan(f.b, f.len, &got, &c), SNT_OK);
    CHECK_EQ_INT(got.n, 3);
    CHECK(strcmp(got.text[2], "big-endian keys\n") == 0);
    CHECK_EQ_INT(c.sections, 2);
}

/* Two feeds split at every byte, then one byte per feed: the same blocks. */
static void test_every_split(void)
{
    struct file f;
    for (int big = 0; big <= 1; big++) {
        make_file(&f, big);
        for (size_t cut = 0; cut <= f.len; cut++) {
            struct snt_pcapng_dsb s;
            struct found got = {0};
            uint8_t *a = snt_test_exact_copy(f.b, cut),
                    *b = snt_test_exact_copy(f.b + cut, f.len - cut);
            snt_pcapng_dsb_init(&s);
            CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, a, cut, on_secrets, &got), SNT_OK);
            CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, b, f.len - cut, on_secrets, &got), SNT_OK);
            check_both(&got);
            snt_pcapng_dsb_release(&s);
            free(a);
            free(b);
        }
        struct snt_pcapng_dsb s;
        struct found got = {0};
        snt_pcapng_dsb_init(&s);
        for (size_t i = 0; i < f.len; i++) {
            uint8_t *one = snt_test_exact_copy(f.b + i, 1);
            snt_pcapng_dsb_feed(&s, one, 1, on_secrets, &got);
            free(one);
        }
        check_both(&got);
        snt_pcapng_dsb_release(&s);
    }
}

/* A file that ends inside a secrets block: nothing delivered, nothing leaked. */
static void test_cut_inside_secrets(void)
{
    struct file f;
    struct found got;
    make_file(&f, false);
    size_t shb_idb = 28 + 20;
    CHECK_EQ_INT(scan(f.b, shb_idb + 20, &got, NULL), SNT_OK);
    CHECK_EQ_INT(got.n, 0);
}

static void test_oversized_secrets_skipped(void)
{
    struct file f;
    struct snt_pcapng_dsb s;
    struct found got = {0};
    uint32_t body = SNT_PCAPNG_DSB_MAX + 8;
    memset(&f, 0, sizeof f);
    add_section(&f, false);
    put_u32(&f, BLOCK_DSB);
    put_u32(&f, body + 12);
    snt_pcapng_dsb_init(&s);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, f.b, f.len, on_secrets, &got), SNT_OK);
    uint8_t *zeros = calloc(1, body);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, zeros, body, on_secrets, &got), SNT_OK);
    free(zeros);
    CHECK(s.body == NULL);
    f.len = 0;
    put_u32(&f, body + 12); /* the trailer */
    add_secrets(&f, SNT_PCAPNG_SECRETS_TLS, keys1, false);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, f.b, f.len, on_secrets, &got), SNT_OK);
    CHECK_EQ_INT(s.counters.secrets_oversized, 1);
    CHECK_EQ_INT(got.n, 1);
    CHECK(strcmp(got.text[0], keys1) == 0);
    snt_pcapng_dsb_release(&s);
}

/* Secrets length past the block: that block is skipped, later ones count. */
static void test_secrets_length_past_block(void)
{
    struct file f;
    struct found got;
    struct snt_pcapng_dsb_counters c;
    memset(&f, 0, sizeof f);
    add_section(&f, false);
    size_t b = begin_block(&f, BLOCK_DSB);
    put_u32(&f, SNT_PCAPNG_SECRETS_TLS);
    put_u32(&f, 1000);
    put_bytes(&f, "short", 5);
    end_block(&f, b);
    add_secrets(&f, SNT_PCAPNG_SECRETS_TLS, keys1, false);
    CHECK_EQ_INT(scan(f.b, f.len, &got, &c), SNT_OK);
    CHECK_EQ_INT(c.secrets_malformed, 1);
    CHECK_EQ_INT(got.n, 1);
}

/* Patch the 32-bit word at off (little-endian) in a fresh file. */
static enum snt_result scan_patched(size_t off, uint32_t v, struct snt_pcapng_dsb_counters *c)
{
    struct file f;
    struct found got;
    make_file(&f, false);
    for (int i = 0; i < 4; i++)
        f.b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
    enum snt_result st = scan(f.b, f.len, &got, c);
    CHECK_EQ_INT(got.n, 0); /* the damage comes before the first secrets block */
    return st;
}

static void test_broken_lengths(void)
{
    struct snt_pcapng_dsb_counters c;
    size_t idb = 28, dsb = 28 + 20;
    CHECK_EQ_INT(scan_patched(4, 8, &c), SNT_MALFORMED);         /* SHB shorter than 28 */
    CHECK_EQ_INT(scan_patched(idb + 4, 4, &c), SNT_MALFORMED);   /* block shorter than 12 */
    CHECK_EQ_INT(scan_patched(idb + 4, 21, &c), SNT_MALFORMED);  /* not a multiple of 4 */
    CHECK_EQ_INT(scan_patched(idb + 16, 24, &c), SNT_MALFORMED); /* trailer differs */
    CHECK_EQ_INT(scan_patched(dsb + 4, 16, &c), SNT_MALFORMED);  /* DSB shorter than 20 */
    CHECK_EQ_INT(scan_patched(dsb + 4, 0xfffffff0, &c), SNT_OK); /* huge: skipped, waits */
    CHECK_EQ_INT(c.secrets_oversized, 1);
    CHECK_EQ_INT(scan_patched(idb + 4, 0xfffffffc, &c), SNT_OK); /* huge: stepped over */
    CHECK_EQ_INT(c.framing_errors, 0);
    CHECK_EQ_INT(scan_patched(idb + 4, 21, &c), SNT_MALFORMED);
    CHECK_EQ_INT(c.framing_errors, 1);

    /* Quiet after damage: later feeds answer the same and find nothing. */
    struct file f;
    struct snt_pcapng_dsb s;
    struct found got = {0};
    make_file(&f, false);
    f.b[idb + 16] ^= 0xff;
    snt_pcapng_dsb_init(&s);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, f.b, f.len, on_secrets, &got), SNT_MALFORMED);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, f.b, f.len, on_secrets, &got), SNT_MALFORMED);
    CHECK_EQ_INT(got.n, 0);
    CHECK_EQ_INT(s.counters.framing_errors, 1);
    snt_pcapng_dsb_release(&s);
}

static void test_not_pcapng(void)
{
    static const uint8_t pcap[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0};
    static const uint8_t text[] = "CLIENT_RANDOM 00 11\n";
    static const uint8_t crlf[] = "\n\r\r\nthis is text with a funny start";
    struct found got;
    struct snt_pcapng_dsb_counters c;
    CHECK_EQ_INT(scan(pcap, sizeof pcap, &got, &c), SNT_NOT_MINE);
    CHECK_EQ_INT(c.framing_errors, 0);
    CHECK_EQ_INT(scan(text, sizeof text - 1, &got, NULL), SNT_NOT_MINE);
    CHECK_EQ_INT(scan(crlf, sizeof crlf - 1, &got, &c), SNT_NOT_MINE);
    CHECK_EQ_INT(c.sections, 0);
    CHECK_EQ_INT(scan(pcap, 3, &got, NULL), SNT_OK); /* too short to tell yet */
    CHECK_EQ_INT(scan(NULL, 0, &got, NULL), SNT_OK);

    struct snt_pcapng_dsb s;
    snt_pcapng_dsb_init(&s);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, pcap, sizeof pcap, on_secrets, &got), SNT_NOT_MINE);
    CHECK(!snt_pcapng_dsb_is_pcapng(&s));
    struct file f;
    make_file(&f, false); /* too late: quiet stays quiet */
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, f.b, f.len, on_secrets, &got), SNT_NOT_MINE);
    CHECK_EQ_INT(got.n, 0);
    snt_pcapng_dsb_init(&s);
    CHECK_EQ_INT(snt_pcapng_dsb_feed(&s, f.b, f.len, NULL, NULL), SNT_OK);
    CHECK(snt_pcapng_dsb_is_pcapng(&s));
    CHECK_EQ_INT(s.counters.secrets, 2);
}

int main(void)
{
    test_both_byte_orders();
    test_sections_change_byte_order();
    test_every_split();
    test_cut_inside_secrets();
    test_oversized_secrets_skipped();
    test_secrets_length_past_block();
    test_broken_lengths();
    test_not_pcapng();
    return snt_test_finish("pcapng_dsb");
}
