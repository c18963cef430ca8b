/*
 * The libpcap read floor: open a capture and walk every packet with
 * pcap_next_ex, touching nothing but the record headers. No tool that
 * reads through libpcap can be faster than this on the same file, so it
 * is the baseline the benchmark's ratios are taken against.
 *
 * The file is read through a stdio stream with the same buffer snitrace
 * gives its own (src/capture.c, OFFLINE_BUFFER): pcap_open_offline's
 * stream would read it 4 KiB at a time (st_blksize), a quarter of a
 * million read(2) calls per GB, and the floor would be slower than the
 * reading snitrace does.  -b BYTES sets another buffer; -b 0 leaves
 * stdio's default, as pcap_open_offline does.
 *
 * usage: floor [-b BYTES] FILE
 */
/* pcap.h uses the BSD u_char/u_int types, hidden by a strict -std=c11. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUFFER (256u << 10) /* as src/capture.c reads */

/* The buffer is ours: glibc's setvbuf ignores the size when given NULL. */
static pcap_t *open_capture(const char *path, char *buffer, size_t size, char *errbuf)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
        return NULL;
    }
    if (buffer != NULL && setvbuf(f, buffer, _IOFBF, size) != 0) {
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot set a buffer of %zu bytes", size);
        fclose(f);
        return NULL;
    }
    pcap_t *p = pcap_fopen_offline(f, errbuf);
    if (p == NULL)
        fclose(f); /* libpcap leaves a stream it could not read to its owner */
    return p;
}

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    unsigned sink = 0;
    size_t buffer = DEFAULT_BUFFER;
    const char *prog = argv[0];
    char *end;
    int rc;

    if (argc == 4 && strcmp(argv[1], "-b") == 0) {
        errno = 0;
        buffer = strtoul(argv[2], &end, 10);
        if (errno || *argv[2] == '\0' || *end != '\0') {
            fprintf(stderr, "%s: -b takes a number of bytes\n", prog);
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: %s [-b BYTES] FILE\n", prog);
        return 2;
    }
    char *space = buffer > 0 ? malloc(buffer) : NULL;
    if (buffer > 0 && space == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    pcap_t *p = open_capture(argv[1], space, buffer, errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        free(space);
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
        free(space);
        return 1;
    }
    pcap_close(p); /* closes the stream: its buffer can go after it */
    free(space);
    printf("%" PRIu64 " packets, %" PRIu64 " bytes (%u)\n", packets, bytes, sink & 1);
    return 0;
}
