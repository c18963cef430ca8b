/* Engine internals: the state the engine's files share (connections, their
 * work, key-log and QUIC state) and the functions they call each other
 * by, layer by layer (see "who calls whom" below). */
#ifndef SNITRACE_ENGINE_INTERNAL_H
#define SNITRACE_ENGINE_INTERNAL_H

#include "snitrace/engine.h"
#include "snitrace/flow.h"
#include "snitrace/limits.h"
#include "snitrace/names.h"
#include "snitrace/quic.h"
#include "snitrace/starttls.h"
#include "snitrace/stream.h"
#include "snitrace/tls.h"
#include "snitrace/tls_decrypt.h"

#include "dlist.h"

enum { C2S = 0, S2C = 1 };

/* A TLS connection decrypted, or to be decrypted, with key-log keys. */
struct conn_keys {
    struct conn *conn;
    struct snt_dlink wait_link; /* in the engine's list of connections waiting for keys */
    uint64_t wait_until_usec;
    bool waiting;   /* no keys yet: held until wait_until_usec */
    bool active;    /* keys found: records are opened */
    bool decrypted; /* at least one record opened */
    bool server_finished, client_finished, client_data;
    /* The connection ended while waiting: how, to be said once keys came
     * or the wait ran out (client_gave_up: the client closed or reset). */
    bool deferred, deferred_client;
    enum snt_outcome deferred_outcome;
    unsigned alerts_taken[2]; /* decrypted alerts already copied into the attempt */
    bool late_derived[2];     /* the epochs after the handshake's were derived */
    uint64_t skipped[2];      /* application records passed over unopened, per side */
    struct snt_tls_decrypt dir[2];
};

/* One direction of one packet number space. */
struct quic_space {
    struct snt_traffic_keys keys;
    bool have_keys;
    int64_t largest_pn;
    struct snt_quic_stream crypto;
    uint8_t n_lens;
    uint16_t lens[SNT_INFER_MAX_RECORDS]; /* packet lengths, for the evidence */
};

struct conn_quic {
    struct snt_quic_crypto client; /* the client's Initial packets, up to its ClientHello */
    struct quic_space server_initial;
    uint8_t server_initial_dcid[SNT_QUIC_MAX_CID]; /* the DCID its keys derive from */
    uint8_t server_initial_dcid_len;
    uint32_t server_initial_version;
    struct quic_space handshake[2]; /* C2S, S2C */
    bool keys_looked;
    bool server_handshake; /* the server sent Handshake packets (its certificate flight) */
    bool client_handshake;
    bool client_finished;
    bool client_1rtt; /* the client sent a short-header (1-RTT) packet */
    bool closed;      /* a CONNECTION_CLOSE was seen */
    bool decrypted;   /* a Handshake packet opened with key-log keys */
    bool waiting;     /* live: held for keys not written yet */
    /* Handshake packets that came before their keys could be looked up (the
     * ClientHello or ServerHello was not whole yet): kept, bounded, to be
     * opened then.  Each is a direction byte, a 2-byte length and the packet. */
    uint8_t *pending;
    size_t pending_len, pending_cap;
};

/* What a connection needs while its handshake is not yet understood; freed
 * as soon as the attempt is written, so finished flows cost a few bytes. */
struct conn_work {
    struct conn_work *next_free; /* engine's list of works kept for reuse */
    struct snt_dlink lru;        /* in the engine's list of open attempts, by last activity */
    struct conn *conn;           /* whose it is; NULL while kept for reuse */
    bool in_lru;
    size_t counted; /* bytes counted in the budget for it, its streams' buffers aside */
    struct snt_attempt *attempt; /* a block of its own: handed on whole when finished;
                                  * empty (as snt_attempt_init leaves it) while the work
                                  * is kept for reuse */
    struct snt_stream stream[2];
    struct snt_tls_dir tls[2];
    struct conn_quic *quic;      /* QUIC: the packet spaces as far as they can be read */
    bool client_after_handshake; /* client sent CCS or encrypted records after the ServerHello */
    bool server_after_handshake;
    bool plaintext; /* client spoke something else first: watch for a late TLS start */
    struct snt_starttls starttls; /* the plaintext protocol's upgrade, while plaintext */
    bool handshake_done;          /* both sides went past the handshake; waiting for client data */
    size_t dns_consumed;          /* DNS over TCP: server bytes already taken as messages */
    const char *ended_by;         /* who closed or reset first ("client_fin", ...), or NULL */
    uint8_t client_random[SNT_TLS_RANDOM_LEN], server_random[SNT_TLS_RANDOM_LEN];
    bool has_client_random;
    struct conn_keys *keys; /* NULL unless a key log is used and this is TLS 1.2 or 1.3 */
    unsigned alerts_taken[2];
};

/* Who closed or reset a connection first (struct conn's ended). */
enum { END_NONE, END_CLIENT_FIN, END_CLIENT_RST, END_SERVER_FIN, END_SERVER_RST };

/* One tracked connection.  Until it shows life (the client acknowledges a
 * SYN-ACK, or payload comes) it is only this record: no work, no session,
 * so a flood of SYNs costs a flow entry and this much per SYN. */
struct conn {
    struct snt_dlink syn_link; /* in the engine's queue of SYNs still unanswered */
    struct conn_work *w;       /* NULL while embryonic, and once the attempt was written */
    struct snt_flow *flow;     /* its flow: the endpoints and when it began */
    uint64_t syn_usec;
    uint32_t client_isn;
    uint32_t server_isn[SNT_MAX_SYNACK_ISNS]; /* the SYN-ACKs' ISNs, first seen first */
    uint32_t next_seq[2];                     /* per role: the next sequence number expected */
    uint8_t n_server_isn, server_isn_chosen;  /* server_isn[chosen] + 1 is stream byte 0 */
    uint8_t client_side;                      /* which side of the flow key is the client (0/1) */
    uint8_t proto;                            /* SNT_IPPROTO_* */
    uint8_t ended; /* who closed or reset first, before a work was taken: END_* */
    bool syn_seen, synack_seen, fin_c, fin_s, rst;
    bool in_syn_queue;
    bool seq_known[2]; /* next_seq[role] was seen */
    bool alive;        /* showed life: past the handshake, or payload */
    bool starved;      /* showed life when the reassembly memory was spent: no work */
    bool written;      /* the attempt was written, or summarised as part of a scan or flood */
};

struct snt_engine {
    struct snt_engine_config cfg;
    struct snt_flow_table *flows;
    snt_attempt_fn emit;
    void *emit_arg;
    struct snt_stats stats;
    uint64_t now_usec, last_sweep_usec;
    struct snt_dlist syns;        /* SYNs still unanswered (struct conn), oldest first */
    struct conn_work *free_works; /* recycled, buffers kept */
    struct snt_dlist works;       /* open attempts (struct conn_work), by last activity */
    struct snt_budget budget;     /* reassembly memory: works and their buffers */
    struct snt_names *names;      /* DNS answers, for naming connections */
    struct snt_scans *scans;      /* attempts that never got past the SYN */
    struct snt_dlist key_waits;   /* conn_keys waiting for key-log keys, by deadline */
    unsigned n_free_works;
};

/* ---- who calls whom ----------------------------------------------------------
 *
 * Calls run one way, from the dispatcher down:
 *
 *   engine.c          the dispatcher: frames to DNS, TCP, QUIC; the clock;
 *                     late key-log keys to the connections that waited
 *   engine_tcp.c      TCP state and reassembly        engine_quic.c  QUIC
 *   engine_app.c      what a TCP client speaks: TLS, HTTP, STARTTLS
 *   engine_dns.c      DNS answers learnt (UDP, and DNS over TCP)
 *   engine_keys.c     key-log decryption of TLS records
 *   engine_conn.c     connections and their work: begin, finish, memory
 *   engine_attempt.c  an attempt's hellos, certificate and DNS name
 *   engine_tls13.c    what TLS 1.3 records without keys suggest
 *
 * A file calls only files listed below it (engine_quic.c, beside
 * engine_tcp.c, calls engine_keys.c and what is below it);
 * engine_tls13.c calls none.  Shared state is the structs of this
 * header. */

/* ---- engine_conn.c: connections and their work ---------------------------- */

/* A new connection on flow f; UDP ones (QUIC) begin their attempt at once,
 * TCP ones when they show life (engine_conn_begin). */
struct conn *engine_conn_new(struct snt_engine *e, struct snt_flow *f, const struct snt_packet *p,
                             uint8_t client_side);
/* The connection shows life: its attempt begins (work taken, endpoints,
 * DNS name, session).  Within the budget, older attempts may be finished
 * to make room; false when no work could be had. */
bool engine_conn_begin(struct snt_engine *e, struct conn *c, bool within_budget);
/* How an attempt still open ends when its flow goes away. */
enum snt_outcome engine_outcome_when_dropped(const struct snt_engine *e, const struct conn *c);
/* Write the attempt (an embryonic one may be summarised instead). */
void engine_finish(struct snt_engine *e, struct conn *c, enum snt_outcome outcome);
void engine_drop_flow(struct snt_engine *e, struct snt_flow *f);
void engine_syn_queue_push(struct snt_engine *e, struct conn *c);
void engine_syn_queue_unlink(struct snt_engine *e, struct conn *c);
/* "client_fin", ... for END_*; NULL for END_NONE. */
const char *engine_end_name(uint8_t end);

/* Works, counted against the reassembly memory budget. */
struct conn_work *engine_work_get(struct snt_engine *e, struct conn *c, bool within_budget);
void engine_work_release(struct snt_engine *e, struct conn_work *w);
void engine_work_destroy(struct snt_engine *e, struct conn_work *w);
void engine_works_free(struct snt_engine *e); /* the works kept for reuse */
/* The work had a packet: it becomes the most recently active. */
void engine_work_touch(struct snt_engine *e, struct conn_work *w);
/* Count what the connection's work holds now; over the budget, make room. */
void engine_work_account(struct snt_engine *e, struct conn *c);
/* Make room for need more bytes, finishing the least recently active
 * attempts other than keep's as they stand; false when not enough. */
bool engine_work_make_room(struct snt_engine *e, size_t need, const struct conn *keep);

/* The engine's list of connections waiting for key-log keys, by deadline,
 * and a work's key-log state freed (it leaves the list). */
void engine_keys_wait_push(struct snt_engine *e, struct conn_keys *k);
void engine_keys_wait_unlink(struct snt_engine *e, struct conn_keys *k);
void engine_keys_release(struct snt_engine *e, struct conn_work *w);
/* A work's QUIC state freed, and the bytes it holds (0 for TCP). */
void engine_quic_release(struct conn_work *w);
size_t engine_quic_bytes(const struct conn_work *w);

/* ---- engine_attempt.c: what an attempt is ---------------------------------- */

/* The attempt's fields from a parsed ClientHello (transport 't' TCP, 'q'
 * QUIC, for JA4) and ServerHello. */
void engine_attempt_client_hello(struct snt_attempt *a, const struct snt_tls_client_hello *ch,
                                 char transport);
void engine_attempt_server_hello(struct snt_attempt *a, const struct snt_tls_server_hello *sh);
/* A server Certificate message body (source: how it was seen): handed to
 * the certificate checks for the attempt. */
void engine_attempt_certificate(struct snt_engine *e, struct conn_work *w, struct snt_span body,
                                enum snt_cert_source source);
/* The DNS name and CNAME chain the client resolved to this server. */
void engine_attempt_dns_names(struct snt_engine *e, struct snt_attempt *a);
/* The DNS name, when the attempt has no other. */
void engine_attempt_fallback_name(struct snt_attempt *a);

/* ---- engine_tls13.c: after a TLS 1.3 ServerHello ----------------------------- */

bool engine_is_tls13(const struct snt_attempt *a);
/* Both sides went past the handshake: true while what the client made of
 * the certificate is still to be seen. */
bool engine_tls13_pending(struct snt_engine *e, struct conn *c);
/* The attempt is being finished: settle what can be inferred. */
void engine_tls13_conclude(struct conn_work *w);

/* Key-log keys opened the connection's records. */
static inline bool engine_keys_used(const struct conn_work *w)
{
    return w->keys && w->keys->active;
}

/* The attempt's certificate verdict, if one is pending, into it now (the
 * checks may run on a thread of their own); a leaf that did not parse is a
 * parse error. */
static inline void engine_cert_collect(struct snt_engine *e, struct snt_attempt *a)
{
    if (a->cert_job && !snt_cert_judge_collect(e->cfg.certs, a))
        e->stats.parse_errors++;
}

/* ---- engine_keys.c: key-log keys ----------------------------------------------- */

bool engine_keys_may_come(const struct snt_engine *e);
void engine_keys_server_hello(struct snt_engine *e, struct conn *c);
/* Open what arrived in one direction and read the handshake messages in it. */
void engine_keys_stream(struct snt_engine *e, struct conn *c, int role);
bool engine_keys_pending(const struct conn_work *w);
/* Put a connection on the list of those waiting for key-log keys (live
 * only: false when no wait is configured). */
bool engine_keys_hold(struct snt_engine *e, struct conn *c);
/* A FIN or RST while the handshake waits for its keys: remember it and
 * keep the attempt open (its bytes are still here) instead of ending it
 * now.  false when nothing waits: end it as usual. */
bool engine_keys_defer_end(struct conn *c, enum snt_outcome outcome, bool client_gave_up);
/* A decrypted server handshake message (TLS 1.3 over TCP or QUIC):
 * EncryptedExtensions, Certificate, CompressedCertificate. */
void engine_keys_server_message(struct snt_engine *e, struct conn_work *w, uint8_t type,
                                struct snt_span body);
/* A TLS connection waiting for its keys: look them up again (true when
 * they came), and, when they did, stop waiting. */
bool engine_keys_look_up_again(struct snt_engine *e, struct conn *c);
void engine_keys_activate(struct snt_engine *e, struct conn *c);

/* ---- engine_dns.c: DNS answers --------------------------------------------------- */

bool engine_dns_udp(struct snt_engine *e, const struct snt_packet *p, uint64_t ts_usec);
/* DNS over TCP: the query names the attempt, the answers are learnt. */
void engine_dns_stream(struct snt_engine *e, struct conn *c, int role);

/* ---- engine_app.c: what a TCP client speaks --------------------------------------- */

/* A direction's in-order bytes grew. */
void engine_app_stream(struct snt_engine *e, struct conn *c, int role);
/* A client segment of a plaintext connection starting at stream offset off:
 * a ClientHello there means the connection upgraded to TLS in a protocol
 * the STARTTLS parser does not know (SOCKS, IRC, ...). */
void engine_app_plaintext_segment(struct conn *c, size_t off, const uint8_t *p, size_t len);
bool engine_app_recognised_start(const uint8_t *p, size_t len);
/* The client closed (FIN) or reset the connection: decide the outcome. */
void engine_app_client_gave_up(struct snt_engine *e, struct conn *c, enum snt_outcome outcome);
/* Decide, from what both sides have sent, whether a TLS attempt is
 * understood; finishes it if so. */
void engine_app_tls_decide(struct snt_engine *e, struct conn *c);
/* The keys a TLS handshake waited for came (its records are opened now),
 * or its wait ran out; either way an end that came meanwhile is said. */
void engine_app_keys_came(struct snt_engine *e, struct conn *c);
void engine_app_keys_missing(struct snt_engine *e, struct conn *c);

/* ---- engine_tcp.c, engine_quic.c: the transports ------------------------------------ */

void engine_tcp_packet(struct snt_engine *e, struct snt_flow *f, const struct snt_packet *p,
                       int dir);
bool engine_tcp_starts_flow(const struct snt_packet *p);

/* One UDP datagram of a QUIC connection. */
void engine_quic_packet(struct snt_engine *e, struct conn *c, const struct snt_packet *p, int role);
/* New keys came while this connection waited: true when they were its own. */
bool engine_quic_keys_arrived(struct snt_engine *e, struct conn *c);
/* Its wait for keys is over without them. */
void engine_quic_keys_missing(struct snt_engine *e, struct conn *c);

#endif
