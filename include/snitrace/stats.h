/* The stats record's counters, filled by every stage and written by the
 * output stage at the end (and periodically live). */
#ifndef SNITRACE_STATS_H
#define SNITRACE_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* --probe, in the stats record only when it is on. */
struct snt_stats_probe {
    bool on;
    uint64_t sent, ok, failed; /* connections made, and how they ended */
    uint64_t reused;           /* attempts that took another attempt's probe */
    uint64_t capped, filtered; /* attempts not probed: --probe-max, --probe-only */
    uint64_t cancelled;        /* probes not made because snitrace was stopped */
    uint64_t own_connections;  /* the probes' own connections, captured and not reported */
    uint64_t not_awaited;      /* attempts written unprobed: too many were waiting */
    uint64_t waiting;          /* attempts waiting for their probe right now */
};

struct snt_stats {
    uint64_t packets, bytes;
    uint64_t drops_kernel, drops_interface; /* live only */
    uint64_t flows, attempts, sessions, flags;
    uint64_t parse_errors, truncated, evictions;
    uint64_t decode_errors;          /* frames we could not decode (not IP etc. excluded) */
    uint64_t decode_too_deep;        /* of those, frames nested past SNT_MAX_DECODE_DEPTH */
    uint64_t name_truncations;       /* attempts whose name or SNI was cut at SNT_MAX_NAME_LEN */
    uint64_t dns_partial;            /* of dns_malformed, read up to the damage: question kept */
    uint64_t dns_answers_dropped;    /* answers past SNT_DNS_MAX_ANSWERS in one message */
    uint64_t non_ip;                 /* frames that were not IP */
    uint64_t reassembly_limit;       /* reassembly buffers or queues that hit a limit */
    uint64_t reassembly_memory_full; /* connections or streams refused memory: none to free */
    uint64_t reassembly_memory_evictions; /* attempts finished early to free reassembly memory */
    uint64_t attempts_summarised;         /* attempts in scan and flood records, not written */
    uint64_t scans, floods;               /* scan and flood records written */
    uint64_t scan_table_full;             /* clients or servers forgotten early: table full */
    uint64_t rst_ignored;         /* RSTs far from the sequence numbers expected (RFC 5961) */
    uint64_t synack_isn_switches; /* the client acknowledged a later SYN-ACK's ISN */
    uint64_t synack_isns_dropped; /* SYN-ACKs with yet another ISN, past SNT_MAX_SYNACK_ISNS */
    uint64_t certs_parsed, cert_verifications, cert_cache_hits; /* cert stage */
    uint64_t dns_responses, dns_malformed, dns_names_learnt;
    uint64_t dns_names_evicted;    /* name cache full: oldest forgotten */
    uint64_t flags_untracked;      /* servers not tracked for flags: table full */
    uint64_t tls_decrypted;        /* connections whose records key-log keys opened */
    uint64_t tls_decrypt_failures; /* protected records no key opened */
    uint64_t tls_keys_late;        /* handshakes decrypted after waiting for their keys */
    uint64_t tls_keys_missing;     /* TLS 1.3 handshakes the key log had no keys for */
    bool live;                     /* drops are meaningful */

    /* TLS keys: written only when a key log or pcapng secrets block was read. */
    bool keylog_used;
    uint64_t keylog_keys;            /* loaded from key logs and secrets blocks */
    uint64_t keylog_malformed;       /* key log lines skipped */
    uint64_t keylog_clients_evicted; /* key store full: oldest client randoms forgotten */
    struct snt_stats_probe probe;
};

#endif
