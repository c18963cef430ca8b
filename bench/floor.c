/*
 * The libpcap read floor: open a capture and walk every packet with
 * pcap_next_ex, touching nothing but the record headers. No tool that
 * reads through libpcap can be faster than this on the same file, so it
 * is the baseline the benchmark's ratios are taken against.
 *
 * usage: floor FILE
 */
/* pcap.h uses the BSD u_char/u_int types, hidden by a strict -std=c11. */
#define _DEFAULT_SOURCE
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    unsigned sink = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        bytes += hdr->caplen;
        /* One byte per packet, so the data is at least paged in. */
        if (hdr->caplen > 0)
            sink += data[0];
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("%" PRIu64 " packets, %" PRIu64 " bytes (%u)\n", packets, bytes, sink & 1);
    return 0;
}
