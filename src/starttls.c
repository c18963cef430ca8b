/* STARTTLS: recognising which plaintext protocol a connection speaks and
 * handing each step to that protocol's framing (see include/snitrace/
 * starttls.h for the protocols and their RFCs).
 *
 * Recognition looks at what each side says first, never at the port: the
 * server's greeting for the protocols where the server speaks first (SMTP,
 * FTP, IMAP, POP3, MySQL), the client's first bytes for the others
 * (PostgreSQL, LDAP, XMPP), and, when a client talks before any greeting
 * was seen, its first command.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "starttls_internal.h"

/* ---- helpers --------------------------------------------------------------- */

struct snt_reader starttls_reader_at(struct snt_span s, size_t at)
{
    struct snt_reader r = snt_reader_make(s.p, s.len);
    snt_skip(&r, at < s.len ? at : s.len);
    return r;
}

size_t starttls_offset(struct snt_span s, const struct snt_reader *r)
{
    return s.len - snt_reader_left(r);
}

enum snt_result starttls_take_line(struct snt_reader *r, size_t max, struct snt_span *line)
{
    size_t left = snt_reader_left(r);
    size_t look = left < max ? left : max;
    const uint8_t *lf = look ? memchr(r->p, '\n', look) : NULL;
    if (!lf)
        return left >= max ? SNT_MALFORMED : SNT_NEED_MORE;
    size_t n = (size_t)(lf - r->p);
    struct snt_span s;
    snt_read_span(r, n, &s);
    snt_skip(r, 1);
    if (s.len && s.p[s.len - 1] == '\r')
        s.len--;
    *line = s;
    return SNT_OK;
}

struct snt_span starttls_word(struct snt_reader *line)
{
    struct snt_span w = {line->p, 0};
    size_t n = 0;
    uint8_t c;
    while (snt_peek_u8(line, n, &c) && c != ' ')
        n++;
    snt_read_span(line, n, &w);
    while (snt_peek_u8(line, 0, &c) && c == ' ')
        snt_skip(line, 1);
    return w;
}

bool starttls_word_is(struct snt_span w, const char *lit)
{
    size_t n = strlen(lit);
    if (w.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower(w.p[i]) != tolower((unsigned char)lit[i]))
            return false;
    return true;
}

enum snt_result starttls_prefix(struct snt_span s, const char *lit)
{
    size_t n = strlen(lit);
    size_t k = s.len < n ? s.len : n;
    for (size_t i = 0; i < k; i++)
        if (tolower(s.p[i]) != tolower((unsigned char)lit[i]))
            return SNT_NOT_MINE;
    return k == n ? SNT_OK : SNT_NEED_MORE;
}

bool starttls_contains(struct snt_span s, const char *needle)
{
    size_t n = strlen(needle);
    return s.len >= n && memmem(s.p, s.len, needle, n) != NULL;
}

void starttls_asked(struct snt_starttls *st, enum snt_starttls_protocol protocol)
{
    st->protocol = protocol;
    st->status = SNT_STARTTLS_ASKED;
    st->ask_index = st->commands - 1;
    st->client_tls_at = st->client_seen;
}

void starttls_answered(struct snt_starttls *st, bool agreed, size_t at, size_t len, int code,
                       size_t tls_at)
{
    st->status = agreed ? SNT_STARTTLS_AGREED : SNT_STARTTLS_REFUSED;
    st->reply_at = at;
    st->reply_len = len;
    st->reply_code = code;
    if (agreed)
        st->server_tls_at = tls_at;
}

void starttls_no_upgrade(struct snt_starttls *st)
{
    st->status = SNT_STARTTLS_NO_UPGRADE;
}

bool starttls_is_final(const struct snt_starttls *st)
{
    return st->status != SNT_STARTTLS_UNDECIDED && st->status != SNT_STARTTLS_ASKED;
}

void starttls_run(struct snt_starttls *st, struct snt_span client, struct snt_span server,
                  const struct starttls_steps *steps)
{
    bool progress = true;
    while (progress && !starttls_is_final(st)) {
        progress = false;
        if (st->status == SNT_STARTTLS_UNDECIDED)
            progress = steps->command(st, client);
        if (!starttls_is_final(st))
            progress = steps->reply(st, client, server) || progress;
    }
}

/* ---- recognition ------------------------------------------------------------ */

static enum snt_result recognise_server_first(struct snt_span server, enum starttls_family *family)
{
    if (server.len == 0)
        return SNT_NOT_MINE;
    enum snt_result mysql = starttls_mysql_greeting(server);
    if (mysql == SNT_OK) {
        *family = FAMILY_MYSQL;
        return SNT_OK;
    }
    enum snt_result text = starttls_text_greeting(server, family);
    return text == SNT_OK || text == SNT_NEED_MORE ? text : mysql;
}

/* Which family, if any; SNT_NEED_MORE while a prefix could still be one. */
static enum snt_result recognise(struct snt_span client, struct snt_span server,
                                 enum starttls_family *family)
{
    enum snt_result by_server = recognise_server_first(server, family);
    if (by_server == SNT_OK)
        return SNT_OK;
    enum snt_result by_client = starttls_client_first(client, family);
    if (by_client == SNT_OK)
        return SNT_OK;
    /* A client that talks before the greeting (or to a server whose
     * greeting was not captured) says what it speaks with its command. */
    enum snt_result early = starttls_text_first_command(client, family);
    if (early == SNT_OK)
        return SNT_OK;
    /* Where the server speaks first the client waits for its whole
     * greeting: once the client spoke, a short server prefix is no reason
     * to wait. */
    bool wait = client.len == 0 || by_client == SNT_NEED_MORE || early == SNT_NEED_MORE;
    return wait ? SNT_NEED_MORE : SNT_NOT_MINE;
}

/* ---- the entry points ------------------------------------------------------- */

void snt_starttls_init(struct snt_starttls *st)
{
    memset(st, 0, sizeof *st);
    st->reply_code = -1;
}

static void step(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    switch ((enum starttls_family)st->family) {
    case FAMILY_REPLY_CODES: starttls_reply_codes_step(st, client, server); break;
    case FAMILY_IMAP: starttls_imap_step(st, client, server); break;
    case FAMILY_POP3: starttls_pop3_step(st, client, server); break;
    case FAMILY_XMPP: starttls_xmpp_step(st, client, server); break;
    case FAMILY_LDAP: starttls_ldap_step(st, client, server); break;
    case FAMILY_POSTGRESQL: starttls_postgresql_step(st, client, server); break;
    case FAMILY_MYSQL: starttls_mysql_step(st, client, server); break;
    case FAMILY_NONE: break;
    }
}

enum snt_starttls_status snt_starttls_feed(struct snt_starttls *st, struct snt_span client,
                                           struct snt_span server)
{
    if (starttls_is_final(st))
        return st->status;
    if (client.len > SNT_STARTTLS_MAX_BYTES)
        client.len = SNT_STARTTLS_MAX_BYTES;
    if (server.len > SNT_STARTTLS_MAX_BYTES)
        server.len = SNT_STARTTLS_MAX_BYTES;
    if (st->family == FAMILY_NONE) {
        enum starttls_family family = FAMILY_NONE;
        enum snt_result r = recognise(client, server, &family);
        if (r == SNT_NOT_MINE)
            starttls_no_upgrade(st);
        if (r != SNT_OK)
            return st->status;
        st->family = (uint8_t)family;
    }
    step(st, client, server);
    /* A window that filled up without the awaited command or answer will
     * not bring it later. */
    bool client_full = client.len >= SNT_STARTTLS_MAX_BYTES;
    bool server_full = server.len >= SNT_STARTTLS_MAX_BYTES;
    if ((st->status == SNT_STARTTLS_UNDECIDED && (client_full || server_full)) ||
        (st->status == SNT_STARTTLS_ASKED && server_full))
        starttls_no_upgrade(st);
    return st->status;
}

static size_t describe_binary(const struct snt_starttls *st, char *buf, size_t len)
{
    int n = 0;
    switch (st->protocol) {
    case SNT_STARTTLS_LDAP: n = snprintf(buf, len, "resultCode %d", st->reply_code); break;
    case SNT_STARTTLS_POSTGRESQL:
        n = isprint(st->reply_code) ? snprintf(buf, len, "'%c'", st->reply_code)
                                    : snprintf(buf, len, "0x%02x", st->reply_code);
        break;
    case SNT_STARTTLS_MYSQL: n = snprintf(buf, len, "greeting without CLIENT_SSL"); break;
    default: break;
    }
    return n > 0 ? ((size_t)n < len ? (size_t)n : len - 1) : 0;
}

size_t snt_starttls_describe_reply(const struct snt_starttls *st, struct snt_span server, char *buf,
                                   size_t len)
{
    if (len == 0)
        return 0;
    buf[0] = '\0';
    if (st->status != SNT_STARTTLS_AGREED && st->status != SNT_STARTTLS_REFUSED)
        return 0;
    if (st->protocol == SNT_STARTTLS_LDAP || st->protocol == SNT_STARTTLS_POSTGRESQL ||
        st->protocol == SNT_STARTTLS_MYSQL)
        return describe_binary(st, buf, len);
    struct snt_reader r = starttls_reader_at(server, st->reply_at);
    struct snt_span reply = {NULL, 0};
    size_t n = st->reply_len < len - 1 ? st->reply_len : len - 1;
    if (!snt_read_span(&r, n, &reply) || n == 0)
        return 0;
    memcpy(buf, reply.p, n);
    buf[n] = '\0';
    return n;
}
