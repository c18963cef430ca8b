/* Shared by the STARTTLS parser's files: starttls.c (recognition and
 * dispatch), starttls_text.c (SMTP, FTP, IMAP, POP3) and starttls_binary.c
 * (XMPP, LDAP, PostgreSQL, MySQL). */
#ifndef SNITRACE_STARTTLS_INTERNAL_H
#define SNITRACE_STARTTLS_INTERNAL_H

#include "snitrace/result.h"
#include "snitrace/starttls.h"

/* How a protocol frames its commands and replies (st->family). */
enum starttls_family {
    FAMILY_NONE = 0,
    FAMILY_REPLY_CODES, /* SMTP and FTP: command lines, 3-digit replies */
    FAMILY_IMAP,
    FAMILY_POP3,
    FAMILY_XMPP,
    FAMILY_LDAP,
    FAMILY_POSTGRESQL,
    FAMILY_MYSQL,
};

/* The first line of a stream is looked at this far to recognise a protocol. */
#define STARTTLS_MAX_FIRST_LINE 1024

/* ---- helpers (starttls.c) ---- */

/* A reader over s, its cursor at offset at (clamped to s.len). */
struct snt_reader starttls_reader_at(struct snt_span s, size_t at);
/* Where r's cursor is within s (r must read s). */
size_t starttls_offset(struct snt_span s, const struct snt_reader *r);
/* One line ending in LF: *line without its CR LF (or bare LF), r after it.
 * SNT_NEED_MORE (r untouched) while there is no LF, SNT_MALFORMED when the
 * line passes max bytes without one. */
enum snt_result starttls_take_line(struct snt_reader *r, size_t max, struct snt_span *line);
/* The next space-separated word of a line (r then after the spaces). */
struct snt_span starttls_word(struct snt_reader *line);
/* ASCII case-insensitive equality with a literal. */
bool starttls_word_is(struct snt_span w, const char *lit);
/* SNT_OK when s starts with lit (ASCII case-insensitive), SNT_NEED_MORE
 * while s is shorter than lit and agrees with it, else SNT_NOT_MINE. */
enum snt_result starttls_prefix(struct snt_span s, const char *lit);
/* Does s hold needle anywhere? */
bool starttls_contains(struct snt_span s, const char *needle);

/* The command just taken (the last of st->commands, ending at
 * st->client_seen) asks to upgrade: the client's TLS starts after it. */
void starttls_asked(struct snt_starttls *st, enum snt_starttls_protocol protocol);
/* The server answered the upgrade with the bytes [at, at + len) of its
 * stream (code as in reply_code); when agreed its TLS starts at tls_at. */
void starttls_answered(struct snt_starttls *st, bool agreed, size_t at, size_t len, int code,
                       size_t tls_at);
void starttls_no_upgrade(struct snt_starttls *st);

/* AGREED, REFUSED or NO_UPGRADE: nothing more to learn. */
bool starttls_is_final(const struct snt_starttls *st);

/* A protocol's two halves: take the client's next command, take the
 * server's next reply; each says whether it took anything. */
struct starttls_steps {
    bool (*command)(struct snt_starttls *st, struct snt_span client);
    bool (*reply)(struct snt_starttls *st, struct snt_span client, struct snt_span server);
};
/* Alternate the two until neither makes progress or the answer is final.
 * Commands stop once the client asked: what follows the request is TLS. */
void starttls_run(struct snt_starttls *st, struct snt_span client, struct snt_span server,
                  const struct starttls_steps *steps);

/* ---- recognisers: SNT_OK (it is this family), SNT_NEED_MORE, SNT_NOT_MINE ---- */

/* starttls_text.c: a server greeting, or an early client's first command. */
enum snt_result starttls_text_greeting(struct snt_span server, enum starttls_family *family);
enum snt_result starttls_text_first_command(struct snt_span client, enum starttls_family *family);
/* starttls_binary.c */
enum snt_result starttls_mysql_greeting(struct snt_span server);
enum snt_result starttls_client_first(struct snt_span client, enum starttls_family *family);

/* ---- one step per family: take what is new, update st ---- */

void starttls_reply_codes_step(struct snt_starttls *st, struct snt_span client,
                               struct snt_span server);
void starttls_imap_step(struct snt_starttls *st, struct snt_span client, struct snt_span server);
void starttls_pop3_step(struct snt_starttls *st, struct snt_span client, struct snt_span server);
void starttls_xmpp_step(struct snt_starttls *st, struct snt_span client, struct snt_span server);
void starttls_ldap_step(struct snt_starttls *st, struct snt_span client, struct snt_span server);
void starttls_postgresql_step(struct snt_starttls *st, struct snt_span client,
                              struct snt_span server);
void starttls_mysql_step(struct snt_starttls *st, struct snt_span client, struct snt_span server);

#endif
