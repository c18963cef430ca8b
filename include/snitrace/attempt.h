/* Attempt records: one connection attempt as the output stage sees it.
 *
 * An attempt owns copies of everything it reports (names, ALPN, fingerprints)
 * so it outlives the flow and the packet buffers it came from.  Strings here
 * are raw bytes off the wire: the output stage makes them valid UTF-8.
 */
#ifndef SNITRACE_ATTEMPT_H
#define SNITRACE_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/cert.h"
#include "snitrace/decode.h"
#include "snitrace/limits.h"
#include "snitrace/tls.h"

enum snt_protocol {
    SNT_PROTO_UNKNOWN = 0,
    SNT_PROTO_TLS,
    SNT_PROTO_HTTP,
    SNT_PROTO_QUIC,
    SNT_PROTO_DNS,
};

/* The plaintext protocol a TLS upgrade happened in (STARTTLS and its
 * kin; include/snitrace/starttls.h recognises them). */
enum snt_starttls_protocol {
    SNT_STARTTLS_NONE = 0,
    SNT_STARTTLS_SMTP,
    SNT_STARTTLS_IMAP,
    SNT_STARTTLS_POP3,
    SNT_STARTTLS_FTP,
    SNT_STARTTLS_XMPP,
    SNT_STARTTLS_LDAP,
    SNT_STARTTLS_POSTGRESQL,
    SNT_STARTTLS_MYSQL,
};

enum snt_name_source {
    SNT_NAME_NONE = 0,
    SNT_NAME_SNI,
    SNT_NAME_HTTP_HOST,
    SNT_NAME_HTTP_CONNECT,
    SNT_NAME_DNS,
    SNT_NAME_ECH_OUTER, /* the SNI of a ClientHello offering ECH: the public, outer name */
    SNT_NAME_DNS_QUERY, /* DNS over TCP: the question of the client's first query */
};

enum snt_outcome {
    SNT_OUTCOME_INCOMPLETE = 0,
    SNT_OUTCOME_ESTABLISHED,
    SNT_OUTCOME_REFUSED,
    SNT_OUTCOME_NO_ANSWER,
    SNT_OUTCOME_RESET,
    SNT_OUTCOME_CLOSED,
    SNT_OUTCOME_HANDSHAKE_FAILED,
};

/* Attempt-level problems, beside the certificate ones (SNT_PROBLEM_* in cert.h). */
#define SNT_PROBLEM_CLIENT_REJECTED          (1u << 7)
#define SNT_PROBLEM_NO_SNI                   (1u << 8)
#define SNT_PROBLEM_CLIENT_REJECTED_INFERRED (1u << 9)  /* suspected from record sizes */
#define SNT_PROBLEM_MALFORMED_CLIENT_HELLO   (1u << 10) /* fields read up to damage in it */
#define SNT_PROBLEM_COUNT                    11

/* Where the certificate of an attempt came from. */
enum snt_cert_source {
    SNT_CERT_SOURCE_WIRE = 0, /* in clear on the wire (TLS <= 1.2) */
    SNT_CERT_SOURCE_KEYLOG,   /* decrypted with keys from a key log */
    SNT_CERT_SOURCE_PROBE,    /* fetched by --probe from the same server and name */
};

/* What --probe did for an attempt whose certificate could not be seen. */
struct snt_attempt_probe {
    bool done;         /* a probe answered (certificate or error) */
    uint64_t usec;     /* wall time of the probe (µs since epoch) */
    uint16_t port;     /* TCP port probed */
    bool tcp_for_quic; /* the attempt was QUIC; the probe went over TCP */
    bool live;         /* probed while capturing live (else: reading a file, maybe long after) */
    char error[96];    /* why no certificate came back; "" on success */
};

/* Without keys, what the sizes and order of encrypted records suggest
 * about the client's verdict on the certificate (TLS 1.3, QUIC). */
#define SNT_INFER_MAX_RECORDS SNT_TLS_PROTECTED_LOG
struct snt_attempt_inference {
    enum snt_tls_client_verdict verdict;
    uint8_t n_client, n_server;                     /* record lengths kept below */
    uint16_t client_records[SNT_INFER_MAX_RECORDS]; /* encrypted record lengths, in order */
    uint16_t server_records[SNT_INFER_MAX_RECORDS];
    const char *ended_by; /* "client_fin", "client_rst", "server_fin", ... or NULL */
};

/* "name_mismatch", ... for bit i (0 <= i < SNT_PROBLEM_COUNT). */
const char *snt_problem_name(unsigned i);

/* A plaintext TLS alert as seen on the wire. */
struct snt_attempt_alert {
    bool from_client;
    bool after_certificate; /* the server's Certificate had been seen */
    uint8_t level, description;
};
#define SNT_ATTEMPT_MAX_ALERTS 4

/* A byte string copied off the wire, bounded.  It may hold NUL and invalid
 * UTF-8: snt_bytes_readable() gives the form fit for people and matching. */
struct snt_bytes {
    uint16_t len;
    bool truncated; /* the wire had more than the bound kept */
    uint8_t *p;     /* in its attempt's text, NUL-terminated for convenience; NULL when len 0 */
};

/* Where an attempt's strings live: a fixed area inside the attempt that
 * holds the names of an ordinary connection, so the strings cost no
 * allocation; a string that does not fit gets a block of its own, freed
 * with the attempt.  A string set again takes new room: the area is only
 * ever appended to, and emptied when the attempt is freed. */
#define SNT_ATTEMPT_TEXT_INLINE 512
struct snt_attempt_spill;
struct snt_attempt_text {
    uint16_t used;                   /* bytes of `bytes` taken */
    struct snt_attempt_spill *spill; /* strings that did not fit, newest first */
    uint8_t bytes[SNT_ATTEMPT_TEXT_INLINE];
};

struct snt_cert_job;

struct snt_attempt {
    uint64_t ts_usec;  /* capture time of the first packet (µs since epoch) */
    uint64_t end_usec; /* capture time it was finished */
    struct snt_addr client, server;
    uint16_t client_port, server_port;
    uint8_t transport; /* SNT_IPPROTO_TCP / SNT_IPPROTO_UDP */
    enum snt_protocol protocol;
    enum snt_name_source name_source;
    enum snt_outcome outcome;
    struct snt_bytes name;

    /* STARTTLS: the client asked to upgrade this plaintext protocol to TLS */
    enum snt_starttls_protocol starttls;
    struct snt_bytes starttls_refused; /* the server's refusal, as it said it */

    /* TLS, client side */
    bool has_client_hello;
    bool tls_after_plaintext; /* began after plaintext: STARTTLS-style upgrade, HTTP CONNECT */
    struct snt_bytes sni;
    uint16_t n_alpn;
    struct snt_bytes alpn[SNT_MAX_ALPN];
    uint16_t offered_version; /* highest offered, GREASE ignored */
    char ja3[33];             /* MD5 hex, "" when none */
    char ja4[40];             /* "" when none */

    /* TLS, server side */
    bool has_server_hello;
    uint16_t version; /* negotiated */
    uint16_t cipher;
    struct snt_bytes next_protocol; /* negotiated ALPN */
    bool established;               /* handshake completed as far as we can see */
    bool certificate_known;         /* certificate_visible below is meaningful */
    bool certificate_visible;       /* false for TLS 1.3 / QUIC without keys */

    /* The server's certificate, a copy of the checker's result */
    bool has_cert;
    enum snt_cert_source cert_source;
    struct snt_cert_result cert;
    struct snt_attempt_probe probe;
    struct snt_attempt_inference inferred;
    bool ech_offered;      /* the ClientHello carried encrypted_client_hello */
    bool resumed;          /* the server resumed a session: it sends no certificate */
    uint32_t quic_version; /* QUIC: version of the server's packets (0: unknown) */
    unsigned problems;     /* SNT_PROBLEM_* bits */
    unsigned n_alerts;
    struct snt_attempt_alert alerts[SNT_ATTEMPT_MAX_ALERTS];
    const char *client_rejected; /* how the client turned it down, or NULL */

    /* DNS: the name this client last resolved to the server, and the CNAMEs */
    struct snt_bytes dns_qname;
    unsigned n_cname;
    struct snt_bytes cname_chain[8];

    /* HTTP */
    struct snt_bytes http_method;
    struct snt_bytes http_uri;

    uint64_t session_id; /* 0 until sessions exist */
    /* Its start was held by the report stage (src/report.c) under this
     * number, which finds its session id later; 0: it was not. */
    uint64_t report_serial;

    /* A verdict being worked out on the certificate checks' thread
     * (include/snitrace/cert_judge.h); NULL when none is pending.  A copy
     * never has one. */
    struct snt_cert_job *cert_job;

    struct snt_attempt_text text; /* what the snt_bytes above point into; last: not cleared */
};

/* Copy at most max bytes into b, a string of attempt a, replacing what was
 * there; more than max sets b->truncated.  p may be another string of a. */
void snt_attempt_set_bytes(struct snt_attempt *a, struct snt_bytes *b, const uint8_t *p, size_t len,
                           size_t max);

/* b as valid UTF-8 without NUL (snt_utf8_sanitize), malloc'd; NULL when b
 * is empty or memory ran out.  A name holding NUL must never be cut at it
 * ("www.example.test\0.evil" is not "www.example.test"). */
char *snt_bytes_readable(const struct snt_bytes *b);

/* A certificate result into the attempt (the strings shared, not copied:
 * snt_cert_info_copy). */
void snt_attempt_set_cert(struct snt_attempt *a, const struct snt_cert_result *r);
/* A verdict moved into the attempt, its strings and all (*r is left
 * empty), and its problems added to the attempt's. */
void snt_attempt_take_cert(struct snt_attempt *a, struct snt_cert_result *r);

/* Judge a certificate chain (DER, leaf first; chain_total as sent) for the
 * attempt at `when` (seconds), as the client would: against its SNI, else
 * its name, else -- for a client that connected by address -- the server's
 * address when the certificate lists addresses.  The result is copied into
 * the attempt and its problems.  False when the leaf does not parse (the
 * attempt then says that the server sent something unreadable). */
bool snt_attempt_judge_chain(struct snt_attempt *a, struct snt_cert_checker *c,
                             const struct snt_span *chain, size_t n, unsigned chain_total,
                             int64_t when);

/* The same judgement apart from any attempt, for a question asked
 * elsewhere (include/snitrace/cert_judge.h): the SNI, else the name, else
 * the server's address.  *out is the verdict, its strings shared with the
 * checker's (free with snt_cert_info_free); the return as above. */
bool snt_judge_chain(struct snt_cert_checker *c, const struct snt_bytes *sni,
                     const struct snt_bytes *name, const struct snt_addr *server,
                     const struct snt_span *chain, size_t n, unsigned chain_total, int64_t when,
                     struct snt_cert_result *out);

void snt_attempt_init(struct snt_attempt *a);
/* Frees what the attempt owns and leaves it as snt_attempt_init does;
 * accepts NULL. */
void snt_attempt_free(struct snt_attempt *a);

/* A deep copy: dst owns copies of every string, and a reference to the
 * certificate's immutable strings (dst is overwritten, not freed first).
 * An attempt holds pointers into itself: this is the only way to move one. */
void snt_attempt_copy(struct snt_attempt *dst, const struct snt_attempt *src);

const char *snt_protocol_name(enum snt_protocol p);
const char *snt_name_source_name(enum snt_name_source s);
const char *snt_starttls_name(enum snt_starttls_protocol p); /* "smtp", ...; NULL for NONE */
const char *snt_outcome_name(enum snt_outcome o);
const char *snt_cert_source_name(enum snt_cert_source s);
const char *snt_inferred_verdict_name(enum snt_tls_client_verdict v);

#endif
