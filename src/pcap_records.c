/* Records of classic pcap files (include/snitrace/pcap_records.h).  The
 * layout (pcap-savefile(5)), every field in the file's byte order:
 *
 *     file header, 24 bytes:
 *         uint32 magic        0xA1B2C3D4 (microseconds) or 0xA1B23C4D (nanoseconds)
 *         uint16 version      major, minor (2.4)
 *         int32  thiszone, uint32 sigfigs (unused)
 *         uint32 snaplen
 *         uint32 linktype     (link type, and FCS bits above it)
 *     then records, each:
 *         int32  seconds, int32 fraction (micro- or nanoseconds)
 *         uint32 captured length, uint32 length on the wire
 *         captured bytes
 *
 * Time stamps go on as libpcap's struct timeval gets them: both fields
 * widened with their sign, nanoseconds divided by 1000.
 */
#include <stdio.h>
#include <string.h>

#include "snitrace/pcap_records.h"
#include "snitrace/reader.h"

#define MAGIC_USEC 0xA1B2C3D4u
#define MAGIC_NSEC 0xA1B23C4Du
#define SWAP32(x)  __builtin_bswap32(x)

static bool host_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

/* Fields of a header already copied out of the reader (snt_read_bytes: one
 * bounds check for all of them), in the file's byte order. */
static inline uint32_t load_u32(const uint8_t *b, bool big_endian)
{
    if (big_endian)
        return snt_load_be32(b);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint16_t load_u16(const uint8_t *b, bool big_endian)
{
    return big_endian ? snt_load_be16(b) : (uint16_t)(b[0] | b[1] << 8);
}

enum snt_result snt_pcap_file_header(const uint8_t *p, size_t len, struct snt_pcap_file *out)
{
    struct snt_reader r = snt_reader_make(p, len);
    uint32_t magic = 0;
    uint8_t rest[SNT_PCAP_FILE_HEADER_LEN - 4]; /* version, zone, sigfigs, snaplen, linktype */
    if (!snt_read_u32_le(&r, &magic))
        return SNT_NEED_MORE;
    struct snt_pcap_file f = {0};
    if (magic == MAGIC_USEC || magic == MAGIC_NSEC)
        f.big_endian = false;
    else if (magic == SWAP32(MAGIC_USEC) || magic == SWAP32(MAGIC_NSEC))
        f.big_endian = true;
    else
        return SNT_NOT_MINE;
    if (!snt_read_bytes(&r, sizeof rest, rest))
        return SNT_NEED_MORE;
    f.nanoseconds = magic == MAGIC_NSEC || magic == SWAP32(MAGIC_NSEC);
    f.swapped = f.big_endian != host_big_endian();
    f.version_major = load_u16(rest, f.big_endian);
    f.version_minor = load_u16(rest + 2, f.big_endian);
    f.snaplen = load_u32(rest + 12, f.big_endian);
    f.linktype = load_u32(rest + 16, f.big_endian);
    *out = f;
    return SNT_OK;
}

bool snt_pcap_file_walkable(const struct snt_pcap_file *f)
{
    return !f->swapped && f->version_major == 2 && f->version_minor == 4;
}

enum snt_result snt_pcap_record_next(const struct snt_pcap_file *f, uint32_t snapshot,
                                     const uint8_t *p, size_t len, struct snt_pcap_record *r)
{
    struct snt_reader rd = snt_reader_make(p, len);
    uint8_t head[SNT_PCAP_RECORD_HEADER_LEN];
    if (!snt_read_bytes(&rd, sizeof head, head))
        return SNT_NEED_MORE;
    uint32_t sec = load_u32(head, f->big_endian), frac = load_u32(head + 4, f->big_endian);
    uint32_t caplen = load_u32(head + 8, f->big_endian),
             wirelen = load_u32(head + 12, f->big_endian);
    if (caplen > SNT_PCAP_MAX_CAPLEN)
        return SNT_MALFORMED;
    struct snt_span data;
    if (!snt_read_span(&rd, caplen, &data))
        return SNT_NEED_MORE;
    r->ts_sec = (int32_t)sec;
    r->ts_usec = (int32_t)frac;
    if (f->nanoseconds)
        r->ts_usec /= 1000;
    r->stored = caplen;
    r->caplen = caplen > snapshot ? snapshot : caplen;
    r->wirelen = wirelen;
    r->data = data.p;
    return SNT_OK;
}

/* The record header's captured length, when all 16 bytes are there. */
static bool stored_length(const struct snt_pcap_file *f, const uint8_t *p, size_t len,
                          uint32_t *caplen)
{
    struct snt_reader r = snt_reader_make(p, len);
    uint8_t head[SNT_PCAP_RECORD_HEADER_LEN];
    if (!snt_read_bytes(&r, sizeof head, head))
        return false;
    *caplen = load_u32(head + 8, f->big_endian);
    return true;
}

void snt_pcap_record_damage(const struct snt_pcap_file *f, uint32_t snapshot, const uint8_t *p,
                            size_t len, char *msg, size_t msglen)
{
    uint32_t caplen = 0;
    if (!msglen)
        return;
    if (!stored_length(f, p, len, &caplen)) {
        snprintf(msg, msglen, "truncated dump file; tried to read %u header bytes, only got %zu",
                 SNT_PCAP_RECORD_HEADER_LEN, len);
        return;
    }
    size_t got = len - SNT_PCAP_RECORD_HEADER_LEN;
    if (caplen > SNT_PCAP_MAX_CAPLEN)
        snprintf(msg, msglen, "invalid packet capture length %u, bigger than snaplen of %u", caplen,
                 snapshot);
    else if (caplen > snapshot && got < snapshot)
        /* libpcap reads the snapshot's bytes first, and names that many */
        snprintf(msg, msglen, "truncated dump file; tried to read %u captured bytes, only got %zu",
                 snapshot, got);
    else
        snprintf(msg, msglen, "truncated dump file; tried to read %u captured bytes, only got %zu",
                 caplen, got);
}
