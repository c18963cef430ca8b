/* Sessions: one client's burst of attempts, grouped by an idle gap in
 * capture time.  An attempt joins its client's open session when it starts
 * within the gap of the session's latest attempt start; a session is
 * written when the gap has passed and every attempt in it has been written
 * (or at the end of input).  Every event is O(1) and, once sessions are
 * being recycled, allocates nothing.
 */
#ifndef SNITRACE_SESSION_H
#define SNITRACE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/dns.h"
#include "snitrace/format.h"

#define SNT_SESSION_MAX_ATTEMPTS     512   /* attempts listed per session (more are counted) */
#define SNT_SESSION_MAX_NAMES        128   /* distinct names listed per session */
#define SNT_SESSION_MAX_CLIENTS      65536 /* open sessions; the oldest is closed early */
#define SNT_SESSION_MAX_LOOKUPS      128   /* DNS lookups listed per session */
#define SNT_SESSION_LOOKUP_ADDRS     8     /* addresses and CNAME targets listed per lookup */
#define SNT_DEFAULT_SESSION_GAP_USEC (30ull * 1000000u)

/* What a session keeps of one attempt.  Its strings belong to the
 * session: valid while the session is being written. */
struct snt_session_attempt {
    uint64_t ts_usec;
    struct snt_addr server;
    uint16_t server_port;
    enum snt_protocol protocol;
    enum snt_starttls_protocol starttls; /* the plaintext protocol TLS was asked for in */
    bool starttls_refused;
    enum snt_name_source name_source;
    enum snt_outcome outcome;
    unsigned problems;
    char *name;    /* readable form; NULL when none */
    char *cert_cn; /* first subject CN of the certificate, NULL when none */
    enum snt_cert_source cert_source;
    char *probe_error;   /* --probe found no certificate: why; NULL otherwise */
    const char *version; /* "TLS1.2", NULL when none */
};

/* A DNS response the client received. */
struct snt_session_lookup {
    uint64_t ts_usec;
    char *question;
    uint16_t qtype;
    uint8_t rcode;
    struct snt_addr *answers; /* the A and AAAA addresses, in answer order (written as
                               * text only by the sinks); NULL when none */
    unsigned n_answers;
    char *chain;    /* CNAME targets, comma-separated; NULL when none */
    bool truncated; /* the server set TC: it cut its answer to fit */
    bool malformed; /* the response broke off; the answers are those before the damage */
};

/* A session as it is written.  Every array and string in it belongs to the
 * session and is recycled with it once it has been written. */
struct snt_session {
    uint64_t id;
    struct snt_addr client;
    uint64_t start_usec, end_usec; /* first and latest attempt start */
    unsigned n_attempts, attempts_total, problem_count;
    struct snt_session_attempt *attempts; /* in start-time order, up to SNT_SESSION_MAX_ATTEMPTS */
    char **names;                         /* distinct, first-seen order */
    unsigned n_names;
    struct snt_session_lookup *lookups; /* up to SNT_SESSION_MAX_LOOKUPS */
    unsigned n_lookups, lookups_total;
};

/* A lookup's addresses as text, comma-separated, as inet_ntop(3) writes
 * each: into out (cap bytes; SNT_SESSION_LOOKUP_ANSWERS_TEXT, room for a
 * comma and the longest text of each, is enough for any); as many whole
 * addresses as fit, the text always ended.  Returns its length, 0 when it
 * has none. */
#define SNT_SESSION_LOOKUP_ANSWERS_TEXT (SNT_SESSION_LOOKUP_ADDRS * (SNT_FORMAT_ADDR_LEN + 1))
size_t snt_session_lookup_answers_text(const struct snt_session_lookup *l, char *out, size_t cap);

typedef void (*snt_session_fn)(const struct snt_session *s, void *arg);

struct snt_sessions;

struct snt_sessions *snt_sessions_new(uint64_t gap_usec, snt_session_fn emit, void *arg);
void snt_sessions_free(struct snt_sessions *s); /* accepts NULL; writes nothing */

/* An attempt began (its client, start time): sets a->session_id. */
void snt_sessions_attempt_started(struct snt_sessions *s, struct snt_attempt *a);

/* An attempt was written: remember it in its session, and write the
 * session when it was waiting only for this attempt. */
void snt_sessions_attempt_finished(struct snt_sessions *s, const struct snt_attempt *a);

/* The same in two steps, for a caller that writes the attempt between
 * them (and may no longer read it then): the first remembers a and
 * returns the id of its session when that is now complete (0: none), the
 * second writes that session. */
uint64_t snt_sessions_attempt_note(struct snt_sessions *s, const struct snt_attempt *a);
void snt_sessions_close_complete(struct snt_sessions *s, uint64_t id);

/* The client received a DNS response: it joins (or starts) its session. */
void snt_sessions_dns(struct snt_sessions *s, const struct snt_addr *client,
                      const struct snt_dns_message *m, uint64_t ts_usec);

/* Capture time moved: write the sessions whose gap has passed. */
void snt_sessions_advance(struct snt_sessions *s, uint64_t now_usec);

/* End of input: write every session, in the order they were opened. */
void snt_sessions_finish(struct snt_sessions *s);

uint64_t snt_sessions_written(const struct snt_sessions *s);

#endif
