/* STARTTLS in XMPP, LDAP, PostgreSQL and MySQL:
 *
 *   XMPP        RFC 6120 section 5.4.2: the client's
 *               <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> after its
 *               stream header; <proceed/> (go ahead) or <failure/> (refused)
 *               in the same namespace, section 5.4.2.2 / 5.4.2.3
 *   LDAP        RFC 4511 section 4.14: an ExtendedRequest naming
 *               1.3.6.1.4.1.1466.20037; the ExtendedResponse with the same
 *               messageID, resultCode 0 (go ahead) or another (refused).
 *               BER with definite lengths only (section 5.1, X.690 8.1.3)
 *   PostgreSQL  "Message Formats": SSLRequest (length 8, code 80877103),
 *               answered 'S' (go ahead) or 'N' (refused); a GSSENCRequest
 *               (80877104) answered 'N' may come first
 *   MySQL       "Protocol::HandshakeV10" greeting from the server, then the
 *               client's "Protocol::SSLRequest" (32 bytes, sequence 1,
 *               CLIENT_SSL set): TLS starts in both directions right there,
 *               with no answer in between
 */
#include "starttls_internal.h"

#define XMPP_TLS_NS "urn:ietf:params:xml:ns:xmpp-tls"

#define BER_SEQUENCE        0x30
#define BER_INTEGER         0x02
#define BER_ENUMERATED      0x0a
#define BER_CLASS_MASK      0xc0
#define BER_APPLICATION     0x40
#define BER_LONG_LENGTH     0x80
#define LDAP_UNBIND_REQUEST 0x42 /* [APPLICATION 2], primitive */
#define LDAP_EXTENDED_REQ   0x77 /* [APPLICATION 23], constructed */
#define LDAP_EXTENDED_RESP  0x78 /* [APPLICATION 24], constructed */
#define LDAP_REQUEST_NAME   0x80 /* [0] requestName */
#define LDAP_STARTTLS_OID   "1.3.6.1.4.1.1466.20037"
#define LDAP_UNSOLICITED_ID 0 /* notices such as Notice of Disconnection (4.4) */

#define PG_REQUEST_LEN    8
#define PG_SSL_REQUEST    80877103u
#define PG_GSSENC_REQUEST 80877104u

#define MYSQL_HEADER       4 /* 3-byte little-endian length, sequence number */
#define MYSQL_PROTOCOL_10  10
#define MYSQL_MIN_GREETING 30 /* version "x", ids, the lower capability flags */
#define MYSQL_MAX_GREETING 1024
#define MYSQL_MAX_VERSION  64
#define MYSQL_SSL_REQUEST  32 /* capabilities, max packet, charset, 23 zero bytes */
#define MYSQL_CLIENT_SSL   0x00000800u
#define MYSQL_AUTH_DATA_1  8

/* ---- shared bits ------------------------------------------------------------ */

/* Like starttls_prefix, for bytes that may hold NUL. */
static enum snt_result match_bytes(struct snt_span s, const uint8_t *lit, size_t n)
{
    size_t k = s.len < n ? s.len : n;
    if (k && memcmp(s.p, lit, k) != 0)
        return SNT_NOT_MINE;
    return k == n ? SNT_OK : SNT_NEED_MORE;
}

static bool read_u24_le(struct snt_reader *r, uint32_t *v)
{
    uint16_t lo;
    uint8_t hi;
    if (!snt_read_u16_le(r, &lo) || !snt_read_u8(r, &hi))
        return false;
    *v = (uint32_t)lo | ((uint32_t)hi << 16);
    return true;
}

/* ---- XMPP ---------------------------------------------------------------------- */

enum xml_kind { XML_START, XML_EMPTY, XML_END, XML_OTHER };

struct xml_tag {
    enum xml_kind kind;
    struct snt_span name; /* local name: after any "prefix:" */
    struct snt_span all;  /* from '<' to '>' */
};

/* Where the markup starting at '<' (offset 0 of r) ends: after its '>',
 * outside quoted attribute values; comments end at "-->". */
static enum snt_result markup_end(const struct snt_reader *r, size_t *end)
{
    struct snt_span rest = {r->p, snt_reader_left(r)};
    if (starttls_prefix(rest, "<!--") == SNT_OK) {
        const uint8_t *close = memmem(rest.p, rest.len, "-->", 3);
        if (!close)
            return rest.len > SNT_STARTTLS_MAX_LINE ? SNT_MALFORMED : SNT_NEED_MORE;
        *end = (size_t)(close - rest.p) + 3;
        return SNT_OK;
    }
    uint8_t c, quote = 0;
    for (size_t i = 1; i < SNT_STARTTLS_MAX_LINE; i++) {
        if (!snt_peek_u8(r, i, &c))
            return SNT_NEED_MORE;
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            *end = i + 1;
            return SNT_OK;
        }
    }
    return SNT_MALFORMED;
}

static void classify_tag(struct xml_tag *tag)
{
    struct snt_reader r = snt_reader_make(tag->all.p, tag->all.len);
    uint8_t c = 0, last = 0;
    snt_skip(&r, 1);
    snt_peek_u8(&r, 0, &c);
    snt_peek_u8(&r, snt_reader_left(&r) - 2, &last); /* the byte before '>' */
    tag->kind = c == '?' || c == '!' ? XML_OTHER : c == '/' ? XML_END : XML_START;
    if (tag->kind == XML_START && last == '/')
        tag->kind = XML_EMPTY;
    if (c == '/')
        snt_skip(&r, 1);
    size_t n = 0;
    while (snt_peek_u8(&r, n, &c) && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '/' &&
           c != '>') {
        if (c == ':') { /* the local part is what matters */
            snt_skip(&r, n + 1);
            n = 0;
            continue;
        }
        n++;
    }
    snt_read_span(&r, n, &tag->name);
}

/* The next piece of markup at or after the cursor (character data before
 * it is skipped): SNT_OK with r after it, SNT_NEED_MORE (r untouched),
 * SNT_MALFORMED. */
static enum snt_result next_tag(struct snt_reader *r, struct xml_tag *tag)
{
    struct snt_reader t = *r;
    size_t left = snt_reader_left(&t), end = 0;
    const uint8_t *lt = left ? memchr(t.p, '<', left) : NULL;
    if (!lt)
        return left > SNT_STARTTLS_MAX_LINE ? SNT_MALFORMED : SNT_NEED_MORE;
    snt_skip(&t, (size_t)(lt - t.p));
    enum snt_result res = markup_end(&t, &end);
    if (res != SNT_OK)
        return res;
    snt_read_span(&t, end, &tag->all);
    classify_tag(tag);
    *r = t;
    return SNT_OK;
}

static bool is_tls_element(const struct xml_tag *tag, const char *name)
{
    return (tag->kind == XML_START || tag->kind == XML_EMPTY) &&
           starttls_word_is(tag->name, name) && starttls_contains(tag->all, XMPP_TLS_NS);
}

/* <x ...></x> is the same element as <x .../>: SNT_OK once the end tag is
 * there too, r after it. */
static enum snt_result take_whole_element(struct snt_reader *r, const struct xml_tag *start)
{
    if (start->kind == XML_EMPTY)
        return SNT_OK;
    struct snt_reader t = *r;
    struct xml_tag end;
    enum snt_result res = next_tag(&t, &end);
    if (res != SNT_OK)
        return res;
    if (end.kind != XML_END || end.name.len != start->name.len ||
        memcmp(end.name.p, start->name.p, end.name.len) != 0)
        return SNT_MALFORMED;
    *r = t;
    return SNT_OK;
}

/* The client: its stream header, then the request as the stream's first
 * child.  Any other child (auth, a stanza) means it goes on without TLS. */
static bool xmpp_command(struct snt_starttls *st, struct snt_span client)
{
    struct snt_reader r = starttls_reader_at(client, st->client_seen);
    struct xml_tag tag;
    enum snt_result res = next_tag(&r, &tag);
    if (res == SNT_OK && is_tls_element(&tag, "starttls") && st->xmpp_depth == 1)
        res = take_whole_element(&r, &tag);
    if (res == SNT_NEED_MORE)
        return false;
    st->client_seen = starttls_offset(client, &r);
    st->commands++;
    if (res != SNT_OK || st->commands > SNT_STARTTLS_MAX_COMMANDS)
        starttls_no_upgrade(st);
    else if (tag.kind == XML_OTHER)
        st->commands--; /* the XML declaration, a comment */
    else if (st->xmpp_depth == 0 && tag.kind == XML_START && starttls_word_is(tag.name, "stream"))
        st->xmpp_depth = 1;
    else if (st->xmpp_depth == 1 && is_tls_element(&tag, "starttls"))
        starttls_asked(st, SNT_STARTTLS_XMPP);
    else
        starttls_no_upgrade(st);
    return true;
}

/* The server, once asked: its stream header and features come first; the
 * answer is <proceed/> or <failure/> in the TLS namespace (a stream error
 * or the stream's end say no as well). */
static bool xmpp_reply(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    if (st->status != SNT_STARTTLS_ASKED)
        return false;
    struct snt_reader r = starttls_reader_at(server, st->server_seen);
    struct xml_tag tag;
    enum snt_result res = next_tag(&r, &tag);
    bool proceed = res == SNT_OK && is_tls_element(&tag, "proceed");
    if (proceed)
        res = take_whole_element(&r, &tag);
    if (res == SNT_NEED_MORE)
        return false;
    size_t at = st->server_seen;
    st->server_seen = starttls_offset(server, &r);
    if (res != SNT_OK)
        starttls_no_upgrade(st);
    else if (proceed)
        starttls_answered(st, true, at, st->server_seen - at, -1, st->server_seen);
    else if (is_tls_element(&tag, "failure") ||
             (tag.kind == XML_END && starttls_word_is(tag.name, "stream")) ||
             (tag.kind != XML_END && starttls_word_is(tag.name, "error")))
        starttls_answered(st, false, at, st->server_seen - at, -1, 0);
    return true;
}

void starttls_xmpp_step(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    static const struct starttls_steps xmpp = {xmpp_command, xmpp_reply};
    starttls_run(st, client, server, &xmpp);
}

/* ---- LDAP ---------------------------------------------------------------------- */

/* A BER identifier (one byte: LDAP uses no high tag numbers) and a
 * definite length of at most four bytes. */
static enum snt_result ber_header(struct snt_reader *r, uint8_t *tag, size_t *len)
{
    uint8_t t, first, b;
    if (!snt_read_u8(r, &t) || !snt_read_u8(r, &first))
        return SNT_NEED_MORE;
    size_t v = first, n = first & 0x7fu;
    if (first & BER_LONG_LENGTH) {
        if (n == 0 || n > 4)
            return SNT_MALFORMED; /* indefinite, or longer than we keep */
        for (v = 0; n > 0; n--) {
            if (!snt_read_u8(r, &b))
                return SNT_NEED_MORE;
            v = (v << 8) | b;
        }
    }
    *tag = t;
    *len = v;
    return SNT_OK;
}

struct ldap_message {
    uint32_t id;
    uint8_t op;
    struct snt_reader body; /* the protocolOp's contents */
};

/* LDAPMessage ::= SEQUENCE { messageID INTEGER (0 .. maxInt), protocolOp
 * CHOICE { ... }, controls [0] OPTIONAL } (section 4.1.1). */
static enum snt_result parse_ldap_message(struct snt_reader *msg, struct ldap_message *m)
{
    uint8_t tag, b;
    size_t len;
    if (ber_header(msg, &tag, &len) != SNT_OK || tag != BER_INTEGER || len == 0 || len > 4)
        return SNT_MALFORMED;
    m->id = 0;
    for (; len > 0 && snt_read_u8(msg, &b); len--)
        m->id = (m->id << 8) | b;
    if (ber_header(msg, &tag, &len) != SNT_OK || (tag & BER_CLASS_MASK) != BER_APPLICATION)
        return SNT_MALFORMED;
    m->op = tag;
    return snt_read_sub(msg, len, &m->body) ? SNT_OK : SNT_MALFORMED;
}

/* One whole message: SNT_OK (r after it), SNT_NEED_MORE (r untouched), or
 * SNT_MALFORMED.  A prefix is judged as far as it goes. */
static enum snt_result take_ldap_message(struct snt_reader *r, struct ldap_message *m)
{
    struct snt_reader t = *r, msg;
    uint8_t tag, next;
    size_t len;
    enum snt_result res = ber_header(&t, &tag, &len);
    if (res == SNT_NEED_MORE && snt_peek_u8(r, 0, &tag) && tag != BER_SEQUENCE)
        return SNT_MALFORMED;
    if (res != SNT_OK)
        return res;
    if (tag != BER_SEQUENCE || len > SNT_STARTTLS_MAX_BYTES)
        return SNT_MALFORMED;
    if (snt_peek_u8(&t, 0, &next) && next != BER_INTEGER)
        return SNT_MALFORMED;
    if (!snt_read_sub(&t, len, &msg))
        return SNT_NEED_MORE;
    if (parse_ldap_message(&msg, m) != SNT_OK)
        return SNT_MALFORMED;
    *r = t;
    return SNT_OK;
}

static bool is_starttls_request(const struct ldap_message *m)
{
    struct snt_reader body = m->body;
    struct snt_span name;
    uint8_t tag;
    size_t len;
    if (m->op != LDAP_EXTENDED_REQ || ber_header(&body, &tag, &len) != SNT_OK ||
        tag != LDAP_REQUEST_NAME || !snt_read_span(&body, len, &name))
        return false;
    return name.len == strlen(LDAP_STARTTLS_OID) &&
           starttls_prefix(name, LDAP_STARTTLS_OID) == SNT_OK;
}

static bool ldap_command(struct snt_starttls *st, struct snt_span client)
{
    struct snt_reader r = starttls_reader_at(client, st->client_seen);
    struct ldap_message m;
    enum snt_result res = take_ldap_message(&r, &m);
    if (res == SNT_NEED_MORE)
        return false;
    st->client_seen = starttls_offset(client, &r);
    if (res != SNT_OK || ++st->commands > SNT_STARTTLS_MAX_COMMANDS ||
        m.op == LDAP_UNBIND_REQUEST) {
        starttls_no_upgrade(st);
    } else if (is_starttls_request(&m)) {
        st->ldap_message_id = m.id;
        starttls_asked(st, SNT_STARTTLS_LDAP);
    }
    return true;
}

/* ExtendedResponse ::= [APPLICATION 24] SEQUENCE { COMPONENTS OF LDAPResult
 * (resultCode ENUMERATED first), ... } */
static int result_code(const struct ldap_message *m)
{
    struct snt_reader body = m->body;
    uint8_t tag, b;
    size_t len;
    int code = 0;
    if (ber_header(&body, &tag, &len) != SNT_OK || tag != BER_ENUMERATED || len == 0 || len > 3)
        return -1;
    for (; len > 0 && snt_read_u8(&body, &b); len--)
        code = (code << 8) | b;
    return code;
}

static bool ldap_reply(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    if (st->status != SNT_STARTTLS_ASKED)
        return false;
    struct snt_reader r = starttls_reader_at(server, st->server_seen);
    struct ldap_message m;
    size_t at = st->server_seen;
    enum snt_result res = take_ldap_message(&r, &m);
    if (res == SNT_NEED_MORE)
        return false;
    st->server_seen = starttls_offset(server, &r);
    bool ours = m.id == st->ldap_message_id || m.id == LDAP_UNSOLICITED_ID;
    if (res != SNT_OK) {
        starttls_no_upgrade(st);
    } else if (m.op == LDAP_EXTENDED_RESP && ours) {
        int code = result_code(&m);
        bool agreed = code == 0 && m.id == st->ldap_message_id;
        starttls_answered(st, agreed, at, st->server_seen - at, code, st->server_seen);
    }
    return true;
}

void starttls_ldap_step(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    static const struct starttls_steps ldap = {ldap_command, ldap_reply};
    starttls_run(st, client, server, &ldap);
}

/* ---- PostgreSQL ---------------------------------------------------------------- */

static bool postgresql_command(struct snt_starttls *st, struct snt_span client)
{
    struct snt_reader r = starttls_reader_at(client, st->client_seen);
    uint32_t len = 0, code = 0;
    /* A GSSENCRequest waits for its 'N' before anything else is sent. */
    if (st->commands > st->replies || !snt_read_u32(&r, &len) || !snt_read_u32(&r, &code))
        return false;
    st->client_seen = starttls_offset(client, &r);
    st->commands++;
    if (len == PG_REQUEST_LEN && code == PG_SSL_REQUEST)
        starttls_asked(st, SNT_STARTTLS_POSTGRESQL);
    else if (!(len == PG_REQUEST_LEN && code == PG_GSSENC_REQUEST && st->commands == 1))
        starttls_no_upgrade(st); /* a StartupMessage: on in plaintext */
    return true;
}

static bool postgresql_reply(struct snt_starttls *st, struct snt_span client,
                             struct snt_span server)
{
    struct snt_reader r = starttls_reader_at(server, st->server_seen);
    uint8_t answer;
    if (st->replies >= st->commands || !snt_read_u8(&r, &answer))
        return false;
    size_t at = st->server_seen;
    st->server_seen = starttls_offset(server, &r);
    unsigned n = st->replies++;
    if (st->status != SNT_STARTTLS_ASKED || n != st->ask_index) {
        if (answer != 'N') /* 'G': GSSAPI encryption, not TLS */
            starttls_no_upgrade(st);
    } else if (answer == 'S' || answer == 'N' || answer == 'E') {
        /* 'E': an ErrorResponse from a server too old to know SSLRequest */
        starttls_answered(st, answer == 'S', at, 1, answer, st->server_seen);
    } else {
        starttls_no_upgrade(st);
    }
    return true;
}

void starttls_postgresql_step(struct snt_starttls *st, struct snt_span client,
                              struct snt_span server)
{
    static const struct starttls_steps postgresql = {postgresql_command, postgresql_reply};
    starttls_run(st, client, server, &postgresql);
}

/* ---- MySQL --------------------------------------------------------------------- */

/* The greeting's header and payload up to the capability flags, as far as
 * the prefix goes: SNT_OK with *caps and *end (after the packet). */
static enum snt_result parse_mysql_greeting(struct snt_span server, uint32_t *caps, size_t *end)
{
    struct snt_reader r = snt_reader_make(server.p, server.len), body;
    uint32_t len = 0, conn_id;
    uint8_t seq = 0, protocol = 0, c = 1;
    uint16_t lower, upper = 0;
    if (!read_u24_le(&r, &len))
        return server.len >= 3 ? SNT_NOT_MINE : SNT_NEED_MORE;
    if (len < MYSQL_MIN_GREETING || len > MYSQL_MAX_GREETING)
        return SNT_NOT_MINE;
    if (snt_read_u8(&r, &seq) && seq != 0)
        return SNT_NOT_MINE;
    if (snt_peek_u8(&r, 0, &protocol) && protocol != MYSQL_PROTOCOL_10)
        return SNT_NOT_MINE;
    if (!snt_read_sub(&r, len, &body))
        return SNT_NEED_MORE;
    snt_skip(&body, 1);
    /* server_version: a NUL-terminated printable string */
    for (size_t n = 0; snt_read_u8(&body, &c) && c != 0; n++)
        if (c < 0x20 || c > 0x7e || n >= MYSQL_MAX_VERSION)
            return SNT_NOT_MINE;
    if (c != 0 || !snt_read_u32_le(&body, &conn_id) || !snt_skip(&body, MYSQL_AUTH_DATA_1 + 1) ||
        !snt_read_u16_le(&body, &lower))
        return SNT_NOT_MINE;
    /* character set and status flags, then the upper capability flags */
    if (snt_skip(&body, 3))
        snt_read_u16_le(&body, &upper);
    *caps = (uint32_t)lower | ((uint32_t)upper << 16);
    *end = starttls_offset(server, &r);
    return SNT_OK;
}

enum snt_result starttls_mysql_greeting(struct snt_span server)
{
    uint32_t caps;
    size_t end;
    return parse_mysql_greeting(server, &caps, &end);
}

static bool mysql_command(struct snt_starttls *st, struct snt_span client)
{
    struct snt_reader r = starttls_reader_at(client, st->client_seen);
    uint32_t len = 0, caps = 0;
    uint8_t seq = 0;
    if (st->replies == 0)
        return false; /* the greeting comes first */
    if (!read_u24_le(&r, &len) || !snt_read_u8(&r, &seq))
        return false;
    if (seq == 1 && len == MYSQL_SSL_REQUEST && !snt_read_u32_le(&r, &caps))
        return false;
    bool ssl = seq == 1 && len == MYSQL_SSL_REQUEST && (caps & MYSQL_CLIENT_SSL);
    if (ssl && !snt_skip(&r, MYSQL_SSL_REQUEST - 4))
        return false;
    st->client_seen = starttls_offset(client, &r);
    st->commands++;
    if (!ssl) { /* a HandshakeResponse: the login goes on in plaintext */
        starttls_no_upgrade(st);
        return true;
    }
    starttls_asked(st, SNT_STARTTLS_MYSQL);
    /* No answer follows: the server's TLS starts right after its greeting
     * (a greeting without CLIENT_SSL means it cannot). */
    bool agreed = st->mysql_capabilities & MYSQL_CLIENT_SSL;
    starttls_answered(st, agreed, 0, st->server_seen, -1, st->server_seen);
    return true;
}

static bool mysql_reply(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    size_t end = 0;
    if (st->replies > 0)
        return false;
    enum snt_result res = parse_mysql_greeting(server, &st->mysql_capabilities, &end);
    if (res == SNT_NEED_MORE)
        return false;
    if (res != SNT_OK) {
        starttls_no_upgrade(st);
        return true;
    }
    st->server_seen = end;
    st->replies = 1;
    return true;
}

void starttls_mysql_step(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    static const struct starttls_steps mysql = {mysql_command, mysql_reply};
    starttls_run(st, client, server, &mysql);
}

/* ---- protocols where the client speaks first ------------------------------------ */

static enum snt_result postgresql_first(struct snt_span client)
{
    static const uint8_t ssl[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
    static const uint8_t gssenc[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30};
    enum snt_result a = match_bytes(client, ssl, sizeof ssl);
    enum snt_result b = match_bytes(client, gssenc, sizeof gssenc);
    return a == SNT_OK || b == SNT_OK                 ? SNT_OK
           : a == SNT_NEED_MORE || b == SNT_NEED_MORE ? SNT_NEED_MORE
                                                      : SNT_NOT_MINE;
}

/* "<?xml" or "<stream:stream", after any white space. */
static enum snt_result xmpp_first(struct snt_span client)
{
    struct snt_reader r = snt_reader_make(client.p, client.len);
    uint8_t c;
    while (snt_peek_u8(&r, 0, &c) && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
        snt_skip(&r, 1);
    struct snt_span rest = {r.p, snt_reader_left(&r)};
    if (rest.len == 0)
        return SNT_NEED_MORE;
    enum snt_result a = starttls_prefix(rest, "<?xml");
    enum snt_result b = starttls_prefix(rest, "<stream:stream");
    return a == SNT_OK || b == SNT_OK                 ? SNT_OK
           : a == SNT_NEED_MORE || b == SNT_NEED_MORE ? SNT_NEED_MORE
                                                      : SNT_NOT_MINE;
}

static enum snt_result ldap_first(struct snt_span client)
{
    struct snt_reader r = snt_reader_make(client.p, client.len);
    struct ldap_message m;
    enum snt_result res = take_ldap_message(&r, &m);
    return res == SNT_MALFORMED ? SNT_NOT_MINE : res;
}

enum snt_result starttls_client_first(struct snt_span client, enum starttls_family *family)
{
    static const struct {
        enum snt_result (*first)(struct snt_span);
        enum starttls_family family;
    } firsts[] = {
        {postgresql_first, FAMILY_POSTGRESQL},
        {ldap_first, FAMILY_LDAP},
        {xmpp_first, FAMILY_XMPP},
    };
    enum snt_result best = SNT_NOT_MINE;
    if (client.len == 0)
        return SNT_NOT_MINE;
    for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        enum snt_result r = firsts[i].first(client);
        if (r == SNT_OK) {
            *family = firsts[i].family;
            return SNT_OK;
        }
        if (r == SNT_NEED_MORE)
            best = SNT_NEED_MORE;
    }
    return best;
}
