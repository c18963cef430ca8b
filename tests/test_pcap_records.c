/* Classic pcap records walked out of a buffer: file headers of both
 * magics and byte orders, records cut at every length, captured lengths
 * past the limit and past the snapshot, time stamps as libpcap gives them,
 * and libpcap's words for damage.  (tests/pcap_walk_test.py checks the
 * same against libpcap itself, through snitrace.) */
#include <stdlib.h>
#include <string.h>

#include "snitrace/pcap_records.h"
#include "testutil.h"

struct file {
    uint8_t b[4096];
    size_t len;
    bool big;
};

static void put_u32(struct file *f, uint32_t v)
{
    snt_test_put_u32(f->b, &f->len, v, f->big);
}

static void put_u16(struct file *f, uint16_t v)
{
    snt_test_put_u16(f->b, &f->len, v, f->big);
}

static void put_header(struct file *f, uint32_t magic, uint16_t major, uint16_t minor,
                       uint32_t snaplen, uint32_t linktype)
{
    put_u32(f, magic);
    put_u16(f, major);
    put_u16(f, minor);
    put_u32(f, 0);
    put_u32(f, 0);
    put_u32(f, snaplen);
    put_u32(f, linktype);
}

/* A record with caplen bytes 0, 1, 2, ... (only stored ones are written). */
static void put_record(struct file *f, uint32_t sec, uint32_t frac, uint32_t caplen,
                       uint32_t wirelen, uint32_t stored)
{
    put_u32(f, sec);
    put_u32(f, frac);
    put_u32(f, caplen);
    put_u32(f, wirelen);
    for (uint32_t i = 0; i < stored; i++)
        f->b[f->len++] = (uint8_t)i;
}

static bool host_is_big(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 0;
}

static void test_file_headers(void)
{
    struct snt_pcap_file pf;
    for (int big = 0; big < 2; big++) {
        struct file f = {.big = big};
        put_header(&f, 0xA1B23C4Du, 2, 4, 65535, 1);
        CHECK_EQ_INT(snt_pcap_file_header(f.b, f.len, &pf), SNT_OK);
        CHECK(pf.nanoseconds);
        CHECK_EQ_INT(pf.big_endian, big);
        CHECK_EQ_INT(pf.swapped, big != host_is_big());
        CHECK_EQ_INT(pf.version_major, 2);
        CHECK_EQ_INT(pf.version_minor, 4);
        CHECK_EQ_INT(pf.snaplen, 65535);
        CHECK_EQ_INT(pf.linktype, 1);
        CHECK_EQ_INT(snt_pcap_file_walkable(&pf), !pf.swapped);
        for (size_t cut = 0; cut < f.len; cut++)
            CHECK_EQ_INT(snt_pcap_file_header(f.b, cut, &pf), SNT_NEED_MORE);
    }
    struct file f = {.big = host_is_big()};
    put_header(&f, 0xA1B2C3D4u, 2, 3, 0, 0x10000001u);
    CHECK_EQ_INT(snt_pcap_file_header(f.b, f.len, &pf), SNT_OK);
    CHECK(!pf.nanoseconds);
    CHECK_EQ_INT(pf.linktype, 0x10000001u); /* FCS bits kept */
    CHECK(!snt_pcap_file_walkable(&pf));    /* 2.3: libpcap may swap lengths */
    static const uint8_t pcapng[] = {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a};
    CHECK_EQ_INT(snt_pcap_file_header(pcapng, sizeof pcapng, &pf), SNT_NOT_MINE);
    static const uint8_t modified[] = {0x34, 0xcd, 0xb2,
                                       0xa1}; /* patched libpcap: left to libpcap */
    CHECK_EQ_INT(snt_pcap_file_header(modified, sizeof modified, &pf), SNT_NOT_MINE);
}

static struct snt_pcap_file native(bool nanoseconds)
{
    return (struct snt_pcap_file){.nanoseconds = nanoseconds,
                                  .big_endian = host_is_big(),
                                  .version_major = 2,
                                  .version_minor = 4};
}

static void test_records(void)
{
    struct snt_pcap_file pf = native(false);
    struct file f = {.big = host_is_big()};
    put_record(&f, 1700000000u, 123456u, 60, 1514, 60);
    size_t first = f.len;
    put_record(&f, 1700000001u, 0, 0, 0, 0);
    struct snt_pcap_record r;
    CHECK_EQ_INT(snt_pcap_record_next(&pf, 65535, f.b, f.len, &r), SNT_OK);
    CHECK_EQ_INT(r.ts_sec, 1700000000);
    CHECK_EQ_INT(r.ts_usec, 123456);
    CHECK_EQ_INT(r.caplen, 60);
    CHECK_EQ_INT(r.stored, 60);
    CHECK_EQ_INT(r.wirelen, 1514);
    CHECK(r.data == f.b + 16 && r.data[59] == 59);
    /* The next record starts where this one's bytes end; an empty one is fine. */
    CHECK_EQ_INT(snt_pcap_record_next(&pf, 65535, f.b + first, f.len - first, &r), SNT_OK);
    CHECK_EQ_INT(r.caplen, 0);
    /* Cut anywhere before its end, a record is not there yet; each cut is
     * read from an exact copy, so a read past it shows under ASan. */
    for (size_t cut = 0; cut < first; cut++) {
        uint8_t *copy = snt_test_exact_copy(f.b, cut);
        CHECK_EQ_INT(snt_pcap_record_next(&pf, 65535, copy, cut, &r), SNT_NEED_MORE);
        free(copy);
    }
}

static void test_lengths(void)
{
    struct snt_pcap_file pf = native(false);
    struct snt_pcap_record r;
    /* Past libpcap's limit: damage, seen from the header alone. */
    struct file f = {.big = host_is_big()};
    put_record(&f, 1, 2, SNT_PCAP_MAX_CAPLEN + 1, 100, 0);
    CHECK_EQ_INT(snt_pcap_record_next(&pf, 65535, f.b, f.len, &r), SNT_MALFORMED);
    /* Exactly the limit is a record (once all of it is there). */
    struct file g = {.big = host_is_big()};
    put_record(&g, 1, 2, SNT_PCAP_MAX_CAPLEN, SNT_PCAP_MAX_CAPLEN, 0);
    CHECK_EQ_INT(snt_pcap_record_next(&pf, SNT_PCAP_MAX_CAPLEN, g.b, g.len, &r), SNT_NEED_MORE);
    /* Past the snapshot: cut to it, the whole record still stepped over. */
    struct file h = {.big = host_is_big()};
    put_record(&h, 1, 2, 100, 100, 100);
    CHECK_EQ_INT(snt_pcap_record_next(&pf, 40, h.b, h.len, &r), SNT_OK);
    CHECK_EQ_INT(r.caplen, 40);
    CHECK_EQ_INT(r.stored, 100);
    CHECK_EQ_INT(snt_pcap_record_next(&pf, 40, h.b, h.len - 1, &r), SNT_NEED_MORE);
}

static void test_time_stamps(void)
{
    struct snt_pcap_file ns = native(true), us = native(false);
    struct snt_pcap_record r;
    struct file f = {.big = host_is_big()};
    put_record(&f, 1700000000u, 999999999u, 0, 0, 0);
    CHECK_EQ_INT(snt_pcap_record_next(&ns, 65535, f.b, f.len, &r), SNT_OK);
    CHECK_EQ_INT(r.ts_usec, 999999); /* nanoseconds, cut down as libpcap does */
    struct file g = {.big = host_is_big()};
    put_record(&g, (uint32_t)-3, (uint32_t)-5999, 0, 0, 0);
    CHECK_EQ_INT(snt_pcap_record_next(&ns, 65535, g.b, g.len, &r), SNT_OK);
    CHECK_EQ_INT(r.ts_sec, -3); /* both fields are signed */
    CHECK_EQ_INT(r.ts_usec, -5);
    CHECK_EQ_INT(snt_pcap_record_next(&us, 65535, g.b, g.len, &r), SNT_OK);
    CHECK_EQ_INT(r.ts_usec, -5999);
}

static void test_other_byte_order(void)
{
    /* The parser reads the file's own order (only capture.c declines to
     * walk swapped files, for libpcap's link-layer header swaps). */
    struct snt_pcap_file pf = native(false);
    pf.big_endian = !pf.big_endian;
    struct file f = {.big = pf.big_endian};
    put_record(&f, 5, 6, 3, 70, 3);
    struct snt_pcap_record r;
    CHECK_EQ_INT(snt_pcap_record_next(&pf, 65535, f.b, f.len, &r), SNT_OK);
    CHECK_EQ_INT(r.ts_sec, 5);
    CHECK_EQ_INT(r.caplen, 3);
    CHECK_EQ_INT(r.wirelen, 70);
}

static void check_damage(const struct file *f, size_t len, uint32_t snapshot, const char *want)
{
    struct snt_pcap_file pf = native(false);
    char msg[256];
    snt_pcap_record_damage(&pf, snapshot, f->b, len, msg, sizeof msg);
    CHECK(strcmp(msg, want) == 0);
    if (strcmp(msg, want) != 0)
        fprintf(stderr, "  got '%s'\n  want '%s'\n", msg, want);
}

static void test_damage_words(void)
{
    struct file f = {.big = host_is_big()};
    put_record(&f, 1, 2, 66, 66, 66);
    check_damage(&f, 7, 65535, "truncated dump file; tried to read 16 header bytes, only got 7");
    check_damage(&f, 16 + 26, 65535,
                 "truncated dump file; tried to read 66 captured bytes, only got 26");
    /* Past the snapshot: libpcap reads the snapshot first and names it when
     * that read falls short, else the whole record. */
    check_damage(&f, 16 + 20, 40,
                 "truncated dump file; tried to read 40 captured bytes, only got 20");
    check_damage(&f, 16 + 50, 40,
                 "truncated dump file; tried to read 66 captured bytes, only got 50");
    struct file g = {.big = host_is_big()};
    put_record(&g, 1, 2, 0xFFFFFFFFu, 60, 0);
    check_damage(&g, g.len, 65535,
                 "invalid packet capture length 4294967295, bigger than snaplen of 65535");
    char tiny[8];
    snt_pcap_record_damage(&(struct snt_pcap_file){0}, 65535, f.b, 3, tiny, sizeof tiny);
    CHECK(strlen(tiny) == sizeof tiny - 1); /* cut, and terminated */
}

int main(void)
{
    test_file_headers();
    test_records();
    test_lengths();
    test_time_stamps();
    test_other_byte_order();
    test_damage_words();
    return snt_test_finish("pcap_records");
}
