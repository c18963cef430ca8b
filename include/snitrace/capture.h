/* Capture: libpcap handles, live and offline, BPF filter, signals-safe stop.
 * The only module that talks to libpcap. */
#ifndef SNITRACE_CAPTURE_H
#define SNITRACE_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/pcapng_dsb.h"

struct snt_capture_opts {
    const char *file;   /* -r: path, or "-" for stdin */
    const char *iface;  /* -i: interface name, or "any" */
    const char *filter; /* BPF expression, NULL for none */
    int snaplen;        /* 0: the default (262144) */
    int buffer_mb;      /* live: the kernel ring's size in MiB; 0: the default (32) */
    bool promisc;
    /* Offline: called with the text of every TLS key log found in a pcapng
     * Decryption Secrets Block, as the file is read (also while opening it);
     * NULL: not wanted. */
    void (*secrets)(void *arg, const uint8_t *p, size_t len);
    void *secrets_arg;
    /* Offline: a plain pcap file whose records are walked is read on a
     * thread of its own (src/readahead.h), the kernel's copy of it beside
     * the capture instead of in it. */
    bool read_ahead;
};

enum snt_capture_error {
    SNT_CAPTURE_OK = 0,
    SNT_CAPTURE_ERR_OPEN = -1,     /* missing file, not a capture, no such interface */
    SNT_CAPTURE_ERR_PERM = -2,     /* no permission to capture */
    SNT_CAPTURE_ERR_FILTER = -3,   /* bad BPF expression */
    SNT_CAPTURE_ERR_LINKTYPE = -4, /* link type we cannot decode */
    SNT_CAPTURE_ERR_READ = -5,     /* damaged file or interface gone while reading */
};

struct snt_capture;

typedef void (*snt_packet_fn)(void *arg, uint64_t ts_usec, const uint8_t *data, size_t caplen,
                              size_t wirelen);
typedef void (*snt_idle_fn)(void *arg, uint64_t wall_usec);

/* Open per opts.  On failure returns an error code and writes a message
 * for the user into err. */
enum snt_capture_error snt_capture_open(struct snt_capture **out, const struct snt_capture_opts *o,
                                        char *err, size_t errlen);
void snt_capture_close(struct snt_capture *c); /* accepts NULL */

int snt_capture_linktype(const struct snt_capture *c);
const char *snt_capture_linktype_name(const struct snt_capture *c);
bool snt_capture_is_live(const struct snt_capture *c);

/* Read until the end of the file, an error, or *stop becomes non-zero (also
 * when packet() sets it: the stop is seen before the next packet).  packet()
 * gets the bytes where they lie (the kernel's ring, live; libpcap's buffer,
 * or ours for a plain pcap file whose records are walked here): they are
 * valid only during the call.  Live captures see a packet at most 50 ms after
 * it arrived (the ring hands over blocks of packets), and after a stop go on
 * for 100 ms with the packets that reached the ring before it.  Live captures call
 * idle() about every 200 ms of wall time without packets (and at least that
 * often with them); offline reads call it at most that often, checking the
 * clock every few thousand packets (for progress reports).  On a read error
 * returns SNT_CAPTURE_ERR_READ with a message in err. */
enum snt_capture_error snt_capture_loop(struct snt_capture *c, snt_packet_fn packet,
                                        snt_idle_fn idle, void *arg, volatile sig_atomic_t *stop,
                                        char *err, size_t errlen);

/* How far an offline read has got in a regular file: false for stdin and
 * live captures. */
bool snt_capture_progress(struct snt_capture *c, uint64_t *done, uint64_t *total);

/* Offline: the file is pcapng (a Section Header Block was read). */
bool snt_capture_is_pcapng(const struct snt_capture *c);

/* Offline: what the scan for secrets blocks met so far (zero for live). */
void snt_capture_secrets_counters(const struct snt_capture *c, struct snt_pcapng_dsb_counters *out);

/* Kernel and interface drops (live only; zero otherwise). */
void snt_capture_drops(struct snt_capture *c, uint64_t *kernel, uint64_t *iface);

#endif
