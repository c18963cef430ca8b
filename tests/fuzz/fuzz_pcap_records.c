/* Fuzz target for the pcap record walker.  The input is a whole file:
 * its header, if it parses, then its records walked as capture.c walks
 * them, with a snapshot length taken from the header the way libpcap sets
 * it.  Besides not crashing: every record lies within the input, never
 * hands on more than the snapshot or than it stores, and walking it in
 * the buffer pieces capture.c uses gives the same records; the damage
 * message is always terminated. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/pcap_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walked {
    uint64_t records, hash;
    enum snt_result last;
};

static void mix(struct walked *w, uint64_t v)
{
    w->hash = (w->hash ^ v) * 1099511628211ull;
}

static struct walked walk(const struct snt_pcap_file *f, uint32_t snapshot, const uint8_t *p,
                          size_t len)
{
    struct walked w = {0, 14695981039346656037ull, SNT_OK};
    size_t at = 0;
    for (;;) {
        struct snt_pcap_record r;
        w.last = snt_pcap_record_next(f, snapshot, p + at, len - at, &r);
        if (w.last != SNT_OK)
            break;
        size_t took = SNT_PCAP_RECORD_HEADER_LEN + (size_t)r.stored;
        if (took > len - at || r.caplen > snapshot || r.caplen > r.stored ||
            r.data != p + at + SNT_PCAP_RECORD_HEADER_LEN)
            abort();
        mix(&w, (uint64_t)r.ts_sec);
        mix(&w, (uint64_t)r.ts_usec);
        mix(&w, r.caplen);
        mix(&w, r.wirelen);
        if (r.caplen)
            mix(&w, r.data[r.caplen - 1]);
        w.records++;
        at += took;
    }
    char msg[128];
    if (w.last != SNT_NEED_MORE || at < len) {
        snt_pcap_record_damage(f, snapshot, p + at, len - at, msg, sizeof msg);
        if (!memchr(msg, 0, sizeof msg))
            abort();
    }
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_pcap_file f;
    if (snt_pcap_file_header(data, size, &f) != SNT_OK)
        return 0;
    uint32_t snapshot =
        f.snaplen == 0 || f.snaplen > SNT_PCAP_MAX_CAPLEN ? SNT_PCAP_MAX_CAPLEN : f.snaplen;
    const uint8_t *body = data + SNT_PCAP_FILE_HEADER_LEN;
    size_t len = size - SNT_PCAP_FILE_HEADER_LEN;
    /* Into an exact copy, so that a read past the end shows. */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return 0;
    memcpy(copy, body, len);
    struct walked whole = walk(&f, snapshot, copy, len);
    /* The same bytes cut short at a record boundary plus part of the next
     * record: all records before the cut are the same, then more is needed. */
    struct walked part = walk(&f, snapshot, copy, len / 2);
    if (part.records > whole.records)
        abort();
    free(copy);
    return 0;
}
