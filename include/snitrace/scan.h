/* Scans and floods: TCP attempts that never got past the SYN (no answer,
 * refused, or reset or abandoned before the client acknowledged a
 * SYN-ACK), counted per client and per server address.  Past a threshold
 * of them, further ones are summarised instead of written one by one:
 * per client in a "scan" record, and -- the SYNs of clients that each stay
 * under the threshold, as spoofed floods' random sources do -- per server
 * in a "flood" record.  A client or server is followed until it has been
 * quiet for a window; its record is written then, once per window while
 * it goes on, when the table must make room, or at the end of input.
 */
#ifndef SNITRACE_SCAN_H
#define SNITRACE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/decode.h"

#define SNT_SCAN_TOP                 5         /* ports and peers listed per record */
#define SNT_DEFAULT_SCAN_THRESHOLD   100       /* attempts written before summarising */
#define SNT_DEFAULT_SCAN_WINDOW_USEC 60000000u /* quiet this long: followed no more */

enum snt_scan_kind {
    SNT_SCAN_CLIENT, /* "scan": one client's attempts */
    SNT_SCAN_SERVER, /* "flood": attempts at one server */
};

/* One attempt that never got past the SYN. */
struct snt_scan_syn {
    struct snt_addr client, server;
    uint16_t server_port;
    uint64_t ts_usec; /* the attempt's start (its SYN) */
    enum snt_outcome outcome;
};

struct snt_scan_port {
    uint16_t port;
    uint64_t attempts;
};

struct snt_scan_peer {
    struct snt_addr addr;
    uint64_t attempts;
};

/* A summary record.  The listed ports and peers are the most frequent
 * (8 are followed), each with the attempts it surely had: exact while no
 * more than 8 distinct ones were seen, else (more_ports, more_peers) at
 * least that many. */
struct snt_scan_record {
    enum snt_scan_kind kind;
    struct snt_addr addr;           /* the client (scan) or the server (flood) */
    uint64_t first_usec, last_usec; /* the first and last summarised attempt's SYN */
    uint64_t attempts;              /* summarised here, not written as attempts */
    uint64_t attempts_written;      /* written as attempts since the last record */
    uint64_t no_answer, refused, reset, incomplete; /* outcomes of the summarised */
    unsigned n_ports, n_peers;
    struct snt_scan_port ports[SNT_SCAN_TOP]; /* the servers' ports, most attempts first */
    struct snt_scan_peer peers[SNT_SCAN_TOP]; /* servers (scan) or clients (flood) */
    bool more_ports, more_peers; /* more distinct than listed; counts may be approximate */
    bool ongoing; /* written a window after the last while still active: more may follow */
};

typedef void (*snt_scan_fn)(const struct snt_scan_record *r, void *arg);

struct snt_scan_counters {
    uint64_t summarised;    /* attempts summarised, not written */
    uint64_t scans, floods; /* records written */
    uint64_t table_full;    /* clients or servers forgotten early: a table was full */
};

struct snt_scans;

/* threshold 0: nothing is summarised.  followed: clients, and servers,
 * followed at most (0: SNT_SCAN_MAX_FOLLOWED; rounded down to a power of
 * two of sets of 4). */
struct snt_scans *snt_scans_new(unsigned threshold, uint64_t window_usec, size_t followed,
                                snt_scan_fn emit, void *arg);
void snt_scans_free(struct snt_scans *s); /* accepts NULL; writes nothing */

/* An attempt that never got past the SYN ended at capture time now_usec:
 * true when it is summarised (and must not be written). */
bool snt_scans_note(struct snt_scans *s, const struct snt_scan_syn *syn, uint64_t now_usec);

/* Capture time moved: write the records of those quiet for the window,
 * and of those still going on whose record spans the window. */
void snt_scans_advance(struct snt_scans *s, uint64_t now_usec);

/* End of input: write every record. */
void snt_scans_finish(struct snt_scans *s);

void snt_scans_counters(const struct snt_scans *s, struct snt_scan_counters *out);

#endif
