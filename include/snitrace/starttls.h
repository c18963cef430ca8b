/* STARTTLS: an upgrade to TLS inside a plaintext protocol, recognised from
 * the plaintext exchange itself (never from the port):
 *
 *   SMTP        STARTTLS, 220                       (RFC 3207, RFC 5321)
 *   IMAP        tag STARTTLS, tag OK                (RFC 9051 section 6.2.1)
 *   POP3        STLS, +OK                           (RFC 2595 section 4)
 *   FTP         AUTH TLS / AUTH SSL, 234            (RFC 4217 section 4, RFC 2228)
 *   XMPP        <starttls xmlns=...xmpp-tls/>, <proceed/>   (RFC 6120 section 5)
 *   LDAP        ExtendedRequest 1.3.6.1.4.1.1466.20037, resultCode 0  (RFC 4511 4.14)
 *   PostgreSQL  SSLRequest 80877103, 'S'            (PostgreSQL protocol, "SSL Session Encryption")
 *   MySQL       SSL Request with CLIENT_SSL after the server's greeting
 *
 * The parser is fed the whole in-order plaintext prefix of each direction
 * seen so far, every time either grows (as snt_tls_dir_feed is); it keeps
 * how far it got, so each byte is looked at about once, and it never
 * allocates.  Commands and replies are paired by their order (IMAP: by
 * tag, LDAP: by message ID), so pipelining and replies that share a TCP
 * segment with what follows them are no different from anything else.
 */
#ifndef SNITRACE_STARTTLS_H
#define SNITRACE_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/reader.h"

/* Bytes of one direction looked at before giving up on an upgrade. */
#define SNT_STARTTLS_MAX_BYTES    (16u * 1024)
#define SNT_STARTTLS_MAX_COMMANDS 32   /* client commands before the upgrade */
#define SNT_STARTTLS_MAX_LINE     8192 /* one command or reply line */
#define SNT_STARTTLS_MAX_TAG      32   /* an IMAP tag */

enum snt_starttls_status {
    SNT_STARTTLS_UNDECIDED = 0, /* not enough bytes to tell yet */
    SNT_STARTTLS_ASKED,         /* the client asked to upgrade; no answer yet */
    SNT_STARTTLS_AGREED,        /* TLS starts at client_tls_at / server_tls_at */
    SNT_STARTTLS_REFUSED,       /* the server said no: reply_* hold its answer */
    SNT_STARTTLS_NO_UPGRADE,    /* none of these protocols, or one that goes on in plaintext */
};

/* Parser state and result.  Zeroed (snt_starttls_init) it is UNDECIDED. */
struct snt_starttls {
    /* ---- the result ---- */
    enum snt_starttls_protocol protocol; /* NONE until recognised */
    enum snt_starttls_status status;
    size_t client_tls_at; /* ASKED and later: the client's TLS starts here (after its command) */
    size_t server_tls_at; /* AGREED: the server's TLS starts here (after its positive reply) */
    size_t reply_at, reply_len; /* AGREED/REFUSED: the server's answer within its stream
                                 * (text protocols: its first line without the line end) */
    int reply_code;             /* SMTP/FTP reply code, LDAP resultCode, PostgreSQL's byte;
                                 * -1 when the protocol has none */

    /* ---- progress (private to the parser) ---- */
    uint8_t family;             /* how commands and replies are framed */
    size_t client_seen;         /* client bytes taken as whole commands */
    size_t server_seen;         /* server bytes taken as whole replies */
    unsigned commands, replies; /* taken so far; replies count the greeting */
    unsigned ask_index;         /* which command asked to upgrade */
    uint32_t multiline;         /* POP3: bit i set when command i's +OK reply has more lines */
    uint32_t ldap_message_id;
    uint32_t mysql_capabilities; /* from the server's greeting */
    size_t tag_at, tag_len;      /* IMAP: the upgrade command's tag in the client stream */
    uint8_t xmpp_depth;          /* XMPP: client element nesting, the stream header is 1 */
};

void snt_starttls_init(struct snt_starttls *st);

/* Take what is new in the two prefixes (each must only ever grow) and
 * return the status.  Once AGREED, REFUSED or NO_UPGRADE the answer is
 * final and further calls change nothing. */
enum snt_starttls_status snt_starttls_feed(struct snt_starttls *st, struct snt_span client,
                                           struct snt_span server);

/* A short description of the server's answer for people ("454 4.7.0 TLS
 * not available", "resultCode 52", "'N'") into buf; the bytes may be
 * anything the server sent (the output stage makes them valid UTF-8).
 * Returns its length (0 when there is no answer). */
size_t snt_starttls_describe_reply(const struct snt_starttls *st, struct snt_span server, char *buf,
                                   size_t len);

#endif
