/* DNS messages (RFC 1035, AAAA from RFC 3596): header, the first question,
 * and the A, AAAA and CNAME records of the Answer section. */
#ifndef SNITRACE_DNS_H
#define SNITRACE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/result.h"

#define SNT_DNS_MAX_ANSWERS      32
#define SNT_DNS_MAX_POINTER_HOPS 16

#define SNT_DNS_TYPE_A     1
#define SNT_DNS_TYPE_CNAME 5
#define SNT_DNS_TYPE_AAAA  28

#define SNT_DNS_RCODE_NXDOMAIN 3

/* Names are in presentation form: lower-case, no trailing dot ("" for the
 * root), bytes outside printable ASCII and '.' or '\' inside a label written
 * as \DDD (RFC 4343), so they are always printable ASCII. */
struct snt_dns_answer {
    uint16_t type; /* SNT_DNS_TYPE_A, _AAAA or _CNAME */
    uint32_t ttl;
    char owner[256];
    uint8_t addr[16];
    uint8_t addr_len; /* 4 or 16 for A/AAAA, 0 for CNAME */
    char cname[256];  /* CNAME target; "" otherwise */
};

struct snt_dns_message {
    uint16_t id;
    bool response;
    uint8_t opcode, rcode;
    bool truncated_flag; /* TC: the server cut the answer to fit UDP */
    uint16_t qdcount, ancount;
    char qname[256]; /* the first question's name; "" when QDCOUNT is 0 */
    uint16_t qtype;
    unsigned n_answers;
    struct snt_dns_answer answers[SNT_DNS_MAX_ANSWERS]; /* past n_answers: not cleared */
    unsigned answers_dropped; /* A/AAAA/CNAME answers past SNT_DNS_MAX_ANSWERS, not kept */
    unsigned answers_read;    /* records of the Answer section read whole (of ancount) */
    bool malformed;           /* _partial only: the message broke off at a damaged
                               * question or record; what is here came before it */
};

/* Parse one DNS message (a UDP payload, or one TCP message without its 2-byte
 * length).  SNT_OK, or SNT_MALFORMED when the message is cut short, a
 * compression pointer loops, points forwards or takes more than
 * SNT_DNS_MAX_POINTER_HOPS hops, a label is over 63 bytes, a name over 255
 * bytes on the wire or 255 characters in presentation form, an A/AAAA record
 * has the wrong size, or the counts run past the end.  Only class IN
 * A/AAAA/CNAME answers are kept; the authority and additional sections are
 * not read.  *out is meaningful only on SNT_OK. */
enum snt_result snt_dns_parse(const uint8_t *p, size_t len, struct snt_dns_message *out);

/* The same, but damage after the first question (a later question, a
 * record cut off or of the wrong size, counts past the end of the message)
 * ends the reading instead of failing it: SNT_OK with out->malformed set,
 * the header, the first question and the answers before the damage kept.
 * SNT_MALFORMED only when the header or the first question is broken. */
enum snt_result snt_dns_parse_partial(const uint8_t *p, size_t len, struct snt_dns_message *out);

/* DNS over TCP framing (RFC 1035 section 4.2.2): the first complete message
 * in a stream prefix.  SNT_OK with *msg and *msg_len (borrowed from p) and
 * *consumed (length prefix included), SNT_NEED_MORE, or SNT_MALFORMED for a
 * zero length. */
enum snt_result snt_dns_tcp_frame(const uint8_t *p, size_t len, const uint8_t **msg,
                                  size_t *msg_len, size_t *consumed);

/* Cheap check that a UDP payload is plausibly DNS: a whole header, QDCOUNT
 * 1..4, opcode 0..5, and room for that many questions. */
bool snt_dns_plausible(const uint8_t *p, size_t len);

#endif
