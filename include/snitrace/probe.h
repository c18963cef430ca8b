/* Active certificate probe (--probe), the network side.
 *
 * TLS 1.3 and QUIC encrypt the server's certificate, so a passive observer
 * without keys cannot judge it.  On request this module connects once to
 * the same server address and port, sends the same SNI and ALPN the client
 * did, takes the chain the server presents (OpenSSL, never verifying) and
 * closes.  It SENDS PACKETS: nothing here runs unless the user asked for
 * --probe.
 *
 * Bounded everywhere: one probe per (server, port, name) per run, a few in
 * flight at once on worker threads, a timeout for connect + handshake, a
 * total cap, and an address filter (--probe-only).  Requests and results
 * cross threads only through this module; everything else, the certificate
 * checks in particular (the checker is not thread-safe), stays on the main
 * thread, which collects finished probes with snt_probes_collect.
 */
#ifndef SNITRACE_PROBE_H
#define SNITRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/cert.h"
#include "snitrace/decode.h"
#include "snitrace/limits.h"

#define SNT_PROBE_DEFAULT_PARALLEL   4
#define SNT_PROBE_MAX_PARALLEL       16
#define SNT_PROBE_DEFAULT_TIMEOUT_MS 3000
#define SNT_PROBE_MIN_TIMEOUT_MS     100
#define SNT_PROBE_MAX_TIMEOUT_MS     60000
#define SNT_PROBE_DEFAULT_MAX        256
#define SNT_PROBE_MAX_MAX            65536
#define SNT_PROBE_MAX_NETS           64            /* --probe-only networks */
#define SNT_PROBE_MAX_CHAIN_BYTES    (256u * 1024) /* DER kept per probe */
#define SNT_PROBE_MAX_ALPN_BYTES     512           /* ALPN list sent, wire form */

/* ---- pure parts (no threads, no sockets) ---------------------------------- */

/* An IPv4 or IPv6 network: "192.0.2.0/24", "2001:db8::/32", or one address. */
struct snt_cidr {
    struct snt_addr net; /* host bits cleared */
    uint8_t prefix;      /* 0..32 or 0..128 */
};

/* False for anything that is not an address with an optional /prefix in
 * range; out untouched then. */
bool snt_cidr_parse(const char *s, struct snt_cidr *out);
bool snt_cidr_contains(const struct snt_cidr *c, const struct snt_addr *a);

/* What makes two probes the same: at most one per key per run. */
struct snt_probe_key {
    struct snt_addr server;
    uint16_t port;
    uint16_t name_len;
    char name[SNT_MAX_NAME_LEN + 1]; /* the SNI to send, NUL-terminated; "" for none */
};

/* The key for a probe of server:port with the client's SNI (NULL/0: none);
 * false when the SNI is too long or holds a NUL (it could not be sent). */
bool snt_probe_key_make(struct snt_probe_key *k, const struct snt_addr *server, uint16_t port,
                        const uint8_t *sni, size_t sni_len);
/* The key's hash under a secret of 16 bytes (SipHash-1-3, the name without
 * case): the key is what the traffic says, so a table of probes draws its
 * secret, and no sender can aim many keys at one bucket. */
#define SNT_PROBE_HASH_KEY_LEN 16
uint32_t snt_probe_key_hash(const struct snt_probe_key *k,
                            const uint8_t secret[SNT_PROBE_HASH_KEY_LEN]);
bool snt_probe_key_equal(const struct snt_probe_key *a, const struct snt_probe_key *b);

/* The client's ALPN list in wire form (length-prefixed), at most max bytes
 * (values that do not fit are left out).  For a QUIC attempt, probed over
 * TCP, the HTTP/3 values ("h3", "h3-29", ...) become "h2" and "http/1.1",
 * what the same server speaks over TCP.  Returns the length written. */
size_t snt_probe_alpn_wire(const struct snt_bytes *alpn, unsigned n, bool for_quic, uint8_t *out,
                           size_t max);

/* ---- the prober ------------------------------------------------------------ */

struct snt_probe_config {
    unsigned parallel;   /* probes in flight at once (worker threads) */
    unsigned timeout_ms; /* connect + TLS handshake, per probe */
    unsigned max_probes; /* probes per run */
    size_t n_only;       /* 0: every address may be probed */
    struct snt_cidr only[SNT_PROBE_MAX_NETS];
};

void snt_probe_config_default(struct snt_probe_config *c);

/* A finished probe.  Owned by the prober, valid until snt_probes_free. */
struct snt_probe_result {
    uint64_t usec;        /* wall time the probe ended (µs since the epoch) */
    uint16_t port;        /* TCP port probed */
    bool made;            /* a connection was attempted (false: cancelled first) */
    bool ok;              /* a chain came back */
    char error[96];       /* why not, when !ok */
    size_t n_certs;       /* DER certificates below, leaf first */
    unsigned chain_total; /* certificates the server sent */
    struct snt_span certs[SNT_CERT_MAX_CHAIN];
    uint8_t *der; /* the bytes the spans point into */
};

struct snt_probe_request {
    struct snt_probe_key key;
    const struct snt_bytes *alpn; /* offered by the client */
    unsigned n_alpn;
    bool for_quic; /* the attempt was QUIC: the probe goes over TCP */
};

enum snt_probe_status {
    SNT_PROBE_WAIT,     /* queued or in flight: the result comes through snt_probes_collect */
    SNT_PROBE_ANSWERED, /* probed before: *result is the answer */
    SNT_PROBE_FILTERED, /* the server is outside every --probe-only network */
    SNT_PROBE_CAPPED,   /* --probe-max probes were asked for already */
    SNT_PROBE_FAILED,   /* out of memory */
};

typedef uint32_t snt_probe_id;

struct snt_probes;

/* Starts the worker threads (call after giving up privileges).  NULL with a
 * message in err on failure. */
struct snt_probes *snt_probes_new(const struct snt_probe_config *c, char *err, size_t errlen);
void snt_probes_free(struct snt_probes *p); /* accepts NULL; waits for running probes */

/* Ask for a probe (main thread).  WAIT sets *id; ANSWERED sets *result. */
enum snt_probe_status snt_probes_request(struct snt_probes *p, const struct snt_probe_request *rq,
                                         snt_probe_id *id, const struct snt_probe_result **result);

/* Hand every probe that finished since the last call to fn, on the calling
 * (main) thread; returns how many.  Costs one atomic load when none did. */
typedef void (*snt_probe_fn)(snt_probe_id id, const struct snt_probe_result *r, void *arg);
size_t snt_probes_collect(struct snt_probes *p, snt_probe_fn fn, void *arg);

/* Probes asked for and not yet collected. */
size_t snt_probes_outstanding(const struct snt_probes *p);

/* Sleep until a probe finishes or wait_ms passes. */
void snt_probes_wait(struct snt_probes *p, unsigned wait_ms);

/* Probes not started yet are not made: they finish with made == false. */
void snt_probes_cancel_queued(struct snt_probes *p);

/* Is a captured connection from local:local_port to server:server_port
 * one of the probes' own?  Every probe socket's addresses are remembered
 * from before its first packet until snt_probes_free (at most --probe-max
 * of them). */
bool snt_probes_own_connection(struct snt_probes *p, const struct snt_addr *local,
                               uint16_t local_port, const struct snt_addr *server,
                               uint16_t server_port);

struct snt_probe_counters {
    uint64_t sent;      /* connections made */
    uint64_t ok;        /* of those, a chain came back */
    uint64_t failed;    /* refused, timed out, no TLS, ... */
    uint64_t reused;    /* requests answered by another's probe (done or in flight) */
    uint64_t capped;    /* requests refused: --probe-max reached */
    uint64_t filtered;  /* requests refused: outside --probe-only */
    uint64_t cancelled; /* probes queued but not made: stopped first */
};
void snt_probes_counters(const struct snt_probes *p, struct snt_probe_counters *out);

#endif
