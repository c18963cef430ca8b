/* Output: NDJSON (schema version 1, docs/schema.md) and the text view.
 * Everything upstream hands finished records here; nothing here looks back. */
#ifndef SNITRACE_OUTPUT_H
#define SNITRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "snitrace/attempt.h"
#include "snitrace/flags.h"
#include "snitrace/scan.h"
#include "snitrace/session.h"

enum snt_format { SNT_FORMAT_JSON, SNT_FORMAT_TEXT };

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

struct snt_output {
    FILE *f;
    enum snt_format format;
    bool live;  /* flush after every record */
    bool color; /* text view only */
    bool text_header_done;
};

void snt_output_init(struct snt_output *o, FILE *f, enum snt_format format, bool live);

/* Write one finished attempt.  Returns false on a write error. */
bool snt_output_attempt(struct snt_output *o, const struct snt_attempt *a);

/* Write a session (JSON record, or in the text view its header and one line
 * per attempt). */
bool snt_output_session(struct snt_output *o, const struct snt_session *s);
bool snt_output_text_session(struct snt_output *o, const struct snt_session *s);

/* Write a host flag; update is true for the end-of-input rewrite. */
bool snt_output_flag(struct snt_output *o, const struct snt_flag *fl, bool update);
bool snt_output_text_flag(struct snt_output *o, const struct snt_flag *fl, bool update);

/* Write DIR/<server>-<port>.cnf, an openssl req configuration whose
 * subjectAltNames are the flag's suggested names; the path goes to path.
 * Returns false (errno set) when the file cannot be written. */
bool snt_write_openssl_config(const char *dir, const struct snt_flag *fl, char *path, size_t len);

/* Write a scan or flood record (src/output_scan.c). */
bool snt_output_scan(struct snt_output *o, const struct snt_scan_record *r);
bool snt_output_text_scan(struct snt_output *o, const struct snt_scan_record *r);

/* Write the stats record (end of input, or periodically live). */
bool snt_output_stats(struct snt_output *o, const struct snt_stats *s, uint64_t ts_usec,
                      bool final);

/* The text view (src/output_text.c). */
bool snt_output_text_attempt(struct snt_output *o, const struct snt_attempt *a);
bool snt_output_text_stats(struct snt_output *o, const struct snt_stats *s, bool final);

/* RFC 3339 UTC with microseconds: "2026-11-25T14:00:00.123456Z"; buf >= 32. */
void snt_format_time(uint64_t ts_usec, char *buf, size_t len);

/* An IP address as text (inet_ntop form); buf >= 46. */
void snt_format_addr(const struct snt_addr *a, char *buf, size_t len);

/* Make untrusted bytes valid UTF-8: valid sequences are kept, every invalid
 * byte becomes U+FFFD, NUL becomes U+FFFD too.  Returns a malloc'd string. */
char *snt_utf8_sanitize(const uint8_t *p, size_t len);

/* Length of the well-formed UTF-8 sequence at p (1..4; NUL is none), or 0
 * when the byte at p starts none. */
size_t snt_utf8_sequence_len(const uint8_t *p, size_t left);

/* True when snt_utf8_sanitize would keep p as it is: well-formed UTF-8
 * without NUL.  Otherwise the sanitized form has lost bytes. */
bool snt_utf8_is_clean(const uint8_t *p, size_t len);

#endif
