/* Classic pcap files (pcap-savefile(5)): the file header and the records
 * after it, read straight out of a buffer of the file's bytes.
 *
 * libpcap reads each record with two fread calls into a buffer of its own:
 * the 16-byte header, then the captured bytes.  capture.c reads plain pcap
 * files in large pieces and walks the records here instead, handing on
 * each packet where it lies.  What a record comes out as is what libpcap
 * 1.10 makes of it (sf-pcap.c, pcap_next_packet): the same time stamp
 * (nanoseconds divided down to microseconds), a captured length cut to the
 * file's snapshot length, the same lengths called damage, and the same
 * words for it.  Files libpcap treats in other ways (the other byte order,
 * versions before 2.4, the patched-libpcap magics) are not for this
 * reader; capture.c leaves them to libpcap.
 */
#ifndef SNITRACE_PCAP_RECORDS_H
#define SNITRACE_PCAP_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/result.h"

#define SNT_PCAP_FILE_HEADER_LEN   24u
#define SNT_PCAP_RECORD_HEADER_LEN 16u
/* libpcap's MAXIMUM_SNAPLEN, its limit for every link type snitrace
 * decodes: a record claiming more is damage. */
#define SNT_PCAP_MAX_CAPLEN 262144u

struct snt_pcap_file {
    bool nanoseconds; /* time stamps' fraction field is in nanoseconds */
    bool big_endian;  /* the file's byte order */
    bool swapped;     /* the other byte order than this machine's */
    uint16_t version_major, version_minor;
    uint32_t snaplen;  /* as in the header */
    uint32_t linktype; /* as in the header, FCS bits and all */
};

/* The file header at p.  SNT_OK: *out filled; SNT_NEED_MORE: fewer than 24
 * bytes; SNT_NOT_MINE: not one of the two standard magics (microsecond or
 * nanosecond, either byte order). */
enum snt_result snt_pcap_file_header(const uint8_t *p, size_t len, struct snt_pcap_file *out);

/* Whether the records of such a file are read here: this machine's byte
 * order and version 2.4. */
bool snt_pcap_file_walkable(const struct snt_pcap_file *f);

/* One record as libpcap hands it on: struct pcap_pkthdr's fields. */
struct snt_pcap_record {
    int64_t ts_sec, ts_usec;
    uint32_t caplen;  /* bytes at data: the stored bytes, at most the snapshot */
    uint32_t wirelen; /* the length on the wire, as written */
    uint32_t stored;  /* captured bytes in the file (the header's caplen) */
    const uint8_t *data;
};

/* The record at the start of p[0..len) in a walkable file whose snapshot
 * length libpcap set to snapshot (pcap_snapshot: never 0, at most
 * SNT_PCAP_MAX_CAPLEN).  SNT_OK: *r filled, the record takes
 * SNT_PCAP_RECORD_HEADER_LEN + r->stored bytes of p; SNT_NEED_MORE: it does
 * not end within len; SNT_MALFORMED: its captured length is past
 * SNT_PCAP_MAX_CAPLEN.  Only bytes within len are read. */
enum snt_result snt_pcap_record_next(const struct snt_pcap_file *f, uint32_t snapshot,
                                     const uint8_t *p, size_t len, struct snt_pcap_record *r);

/* What libpcap says of the record at p when the file ends len bytes into
 * it (an incomplete record, len > 0), or when snt_pcap_record_next called
 * it malformed; written into msg (always terminated). */
void snt_pcap_record_damage(const struct snt_pcap_file *f, uint32_t snapshot, const uint8_t *p,
                            size_t len, char *msg, size_t msglen);

#endif
