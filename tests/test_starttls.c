/* STARTTLS parser tests: a table of conversations, each played at once,
 * byte by byte in conversation order, and cut in two at every byte
 * boundary; every way must end with the same answer.  Every feed sees
 * exact-size heap copies, so AddressSanitizer catches a read past a prefix.
 * Where TLS starts is marked in the conversation itself (CT / ST), so the
 * expected offsets are counted, not typed. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/starttls.h"
#include "testutil.h"

enum dir { C, S, CT, ST }; /* client, server, and the TLS each then starts */

struct msg {
    enum dir dir;
    const char *p;
    size_t len;
};

#define MSG(d, s)                                                                                  \
    {                                                                                              \
        d, s, sizeof(s) - 1                                                                        \
    }
#define CL(s)    MSG(C, s)
#define SV(s)    MSG(S, s)
#define TLS_C    MSG(CT, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")
#define TLS_S    MSG(ST, "\x16\x03\x03\x00\x05\x02\x00\x00\x01\x00")
#define MAX_MSGS 12

struct scase {
    const char *name;
    struct msg msgs[MAX_MSGS];
    enum snt_starttls_protocol protocol;
    enum snt_starttls_status status;
    const char *reply; /* snt_starttls_describe_reply, NULL: none */
    int code;
};

#define XMPP_C_HEAD                                                                                \
    CL("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' "      \
       "xmlns='jabber:client' to='example.test' version='1.0'>")
#define XMPP_S_HEAD                                                                                \
    SV("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                                \
       "xmlns:stream='http://etherx.jabber.org/streams' id='c2s_1' from='example.test' "           \
       "version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"         \
       "<required/></starttls></stream:features>")
#define LDAP_STARTTLS                                                                              \
    CL("\x30\x1d\x02\x01\x01\x77\x18\x80\x16"                                                      \
       "1.3.6.1.4.1.1466.20037")
#define PG_SSL    CL("\x00\x00\x00\x08\x04\xd2\x16\x2f")
#define PG_GSSENC CL("\x00\x00\x00\x08\x04\xd2\x16\x30")
/* Protocol::HandshakeV10 from "8.0.36", capabilities 0xdfffffff or without CLIENT_SSL */
#define MYSQL_GREETING(lower)                                                                      \
    SV("\x4a\x00\x00\x00\x0a"                                                                      \
       "8.0.36\x00\x01\x00\x00\x00"                                                                \
       "abcdefgh\x00" lower "\xff\x02\x00\xff\xdf\x15\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"     \
       "ijklmnopqrst\x00"                                                                          \
       "caching_sha2_password\x00")
#define MYSQL_SSL_REQUEST                                                                          \
    CL("\x20\x00\x00\x01\x05\xae\xff\x01\x00\x00\x00\x01\xff"                                      \
       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"                                          \
       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")

static const struct scase cases[] = {
    /* ---- SMTP ---- */
    {"smtp",
     {SV("220 mail.example.test ESMTP\r\n"), CL("EHLO client.example.test\r\n"),
      SV("250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"),
      CL("STARTTLS\r\n"), SV("220 2.0.0 Ready to start TLS\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_AGREED,
     "220 2.0.0 Ready to start TLS",
     220},
    {"smtp refused 454",
     {SV("220 mail.example.test ESMTP\r\n"), CL("EHLO c\r\n"), SV("250-m\r\n250 STARTTLS\r\n"),
      CL("STARTTLS\r\n"), SV("454 4.7.0 TLS not available due to temporary reason\r\n"),
      CL("QUIT\r\n")},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_REFUSED,
     "454 4.7.0 TLS not available due to temporary reason",
     454},
    {"smtp refused 502 multi-line",
     {SV("220 m\r\n"), CL("EHLO c\r\n"), SV("250 m\r\n"), CL("STARTTLS\r\n"),
      SV("502-5.5.1 no\r\n502 5.5.1 not here\r\n")},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_REFUSED,
     "502-5.5.1 no",
     502},
    {"smtp bare LF, lower case",
     {SV("220 m\n"), CL("ehlo c\n"), SV("250-m\n250 starttls\n"), CL("starttls\n"), SV("220 go\n"),
      TLS_C, TLS_S},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_AGREED,
     "220 go",
     220},
    {"smtp multi-line greeting, bare codes",
     {SV("220-first\r\n220-second\r\n220\r\n"), CL("HELO c\r\n"), SV("250\r\n"), CL("NOOP\r\n"),
      SV("250 ok\r\n"), CL("STARTTLS \r\n"), SV("220\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_AGREED,
     "220",
     220},
    {"smtp client before greeting",
     {CL("EHLO early\r\n"), SV("220 m\r\n250 m\r\n"), CL("STARTTLS\r\n"), SV("220 go\r\n"), TLS_C,
      TLS_S},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_AGREED,
     "220 go",
     220},
    {"smtp asked, no answer yet",
     {SV("220 m\r\n"), CL("EHLO c\r\n"), SV("250 m\r\n"), CL("STARTTLS\r\n"), TLS_C},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_ASKED,
     NULL,
     -1},
    {"smtp in plaintext",
     {SV("220 m\r\n"), CL("EHLO c\r\n"), SV("250 m\r\n"), CL("MAIL FROM:<a@example.test>\r\n")},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"smtp AUTH before TLS",
     {SV("220 m\r\n"), CL("EHLO c\r\n"), SV("250 m\r\n"), CL("AUTH PLAIN AGEAYg==\r\n")},
     SNT_STARTTLS_SMTP,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"smtp STARTTLS with an argument is not the command",
     {SV("220 m\r\n"), CL("STARTTLS now\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- FTP ---- */
    {"ftp auth tls",
     {SV("220 ProFTPD Server (Debian) [192.0.2.2]\r\n"), CL("AUTH TLS\r\n"),
      SV("234 AUTH TLS successful\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_FTP,
     SNT_STARTTLS_AGREED,
     "234 AUTH TLS successful",
     234},
    {"ftp feat then auth ssl, free-form lines",
     {SV("220-Welcome\r\nthis server is for tests\r\n220 ready\r\n"), CL("FEAT\r\n"),
      SV("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n"), CL("auth ssl\r\n"),
      SV("234 go\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_FTP,
     SNT_STARTTLS_AGREED,
     "234 go",
     234},
    {"ftp preliminary reply",
     {SV("120 soon\r\n220 now\r\n"), CL("AUTH TLS-C\r\n"), SV("234 ok\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_FTP,
     SNT_STARTTLS_AGREED,
     "234 ok",
     234},
    {"ftp refused",
     {SV("220 ftp\r\n"), CL("AUTH TLS\r\n"), SV("504 Unknown AUTH type\r\n")},
     SNT_STARTTLS_FTP,
     SNT_STARTTLS_REFUSED,
     "504 Unknown AUTH type",
     504},
    {"ftp login in plaintext",
     {SV("220 ftp\r\n"), CL("USER anonymous\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- IMAP ---- */
    {"imap",
     {SV("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"), CL("a001 CAPABILITY\r\n"),
      SV("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na001 OK done\r\n"),
      CL("a002 STARTTLS\r\n"), SV("a002 OK Begin TLS negotiation now\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_AGREED,
     "a002 OK Begin TLS negotiation now",
     -1},
    {"imap pipelined, lower case",
     {SV("* OK ready\n"), CL(". capability\n. starttls\n"),
      SV("* CAPABILITY IMAP4rev1 STARTTLS\n. OK done\n. ok go\n"), TLS_C, TLS_S},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_AGREED,
     ". ok go",
     -1},
    {"imap literal in a response",
     {SV("* OK ready\r\n"), CL("A1 ID NIL\r\n"),
      SV("* ID (\"name\" {13}\r\nA2 OK fooled\n)\r\nA1 OK\r\n"), CL("A2 STARTTLS\r\n"),
      SV("* OK still\r\nA2 OK go\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_AGREED,
     "A2 OK go",
     -1},
    {"imap refused NO",
     {SV("* OK ready\r\n"), CL("x STARTTLS\r\n"), SV("x NO [PRIVACYREQUIRED] not now\r\n")},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_REFUSED,
     "x NO [PRIVACYREQUIRED] not now",
     -1},
    {"imap refused BAD",
     {SV("* OK ready\r\n"), CL("x STARTTLS\r\n"), SV("x BAD unknown command\r\n")},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_REFUSED,
     "x BAD unknown command",
     -1},
    {"imap BYE instead",
     {SV("* OK ready\r\n"), CL("x STARTTLS\r\n"), SV("* BYE going away\r\n")},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_REFUSED,
     "* BYE going away",
     -1},
    {"imap login in plaintext",
     {SV("* OK ready\r\n"), CL("a LOGIN user pass\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- POP3 ---- */
    {"pop3",
     {SV("+OK Dovecot ready.\r\n"), CL("CAPA\r\n"),
      SV("+OK\r\nCAPA\r\n..dot-stuffed\r\nSTLS\r\nUSER\r\n.\r\n"), CL("STLS\r\n"),
      SV("+OK Begin TLS negotiation now.\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_POP3,
     SNT_STARTTLS_AGREED,
     "+OK Begin TLS negotiation now.",
     -1},
    {"pop3 lower case, bare LF",
     {SV("+OK hi\n"), CL("stls\n"), SV("+OK\n"), TLS_C, TLS_S},
     SNT_STARTTLS_POP3,
     SNT_STARTTLS_AGREED,
     "+OK",
     -1},
    {"pop3 refused",
     {SV("+OK hi\r\n"), CL("STLS\r\n"), SV("-ERR TLS not available\r\n")},
     SNT_STARTTLS_POP3,
     SNT_STARTTLS_REFUSED,
     "-ERR TLS not available",
     -1},
    {"pop3 AUTH list probe, CAPA, STLS",
     {SV("+OK lavad\r\n"), CL("AUTH\r\n"), SV("-ERR Unrecognized command.\r\n"), CL("AUTH\r\n"),
      SV("+OK\r\nPLAIN\r\n.\r\n"), CL("CAPA\r\n"), SV("+OK Capabilities follow.\r\nSTLS\r\n.\r\n"),
      CL("STLS\r\n"), SV("+OK Ready to start TLS negotiation.\r\n"), TLS_C, TLS_S},
     SNT_STARTTLS_POP3,
     SNT_STARTTLS_AGREED,
     "+OK Ready to start TLS negotiation.",
     -1},
    {"pop3 CAPA refused, then STLS",
     {SV("+OK hi\r\n"), CL("CAPA\r\n"), SV("-ERR no\r\n"), CL("STLS\r\n"), SV("+OK go\r\n"), TLS_C,
      TLS_S},
     SNT_STARTTLS_POP3,
     SNT_STARTTLS_AGREED,
     "+OK go",
     -1},
    {"pop3 login in plaintext",
     {SV("+OK hi\r\n"), CL("USER alice\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- XMPP ---- */
    {"xmpp",
     {XMPP_C_HEAD, XMPP_S_HEAD, CL("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
      SV("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), TLS_C, TLS_S},
     SNT_STARTTLS_XMPP,
     SNT_STARTTLS_AGREED,
     "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
     -1},
    {"xmpp start and end tags, double quotes",
     {CL("\n<stream:stream to=\"a>b\" version=\"1.0\">\n"), XMPP_S_HEAD,
      CL("<!-- hi --><starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></starttls>"),
      SV("<proceed xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></proceed>"), TLS_C, TLS_S},
     SNT_STARTTLS_XMPP,
     SNT_STARTTLS_AGREED,
     "<proceed xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"></proceed>",
     -1},
    {"xmpp failure",
     {XMPP_C_HEAD, XMPP_S_HEAD, CL("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
      SV("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")},
     SNT_STARTTLS_XMPP,
     SNT_STARTTLS_REFUSED,
     "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
     -1},
    {"xmpp sasl in plaintext",
     {XMPP_C_HEAD, XMPP_S_HEAD,
      CL("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- LDAP ---- */
    {"ldap",
     {LDAP_STARTTLS, SV("\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"), TLS_C, TLS_S},
     SNT_STARTTLS_LDAP,
     SNT_STARTTLS_AGREED,
     "resultCode 0",
     0},
    {"ldap search first, long lengths, response name",
     {CL("\x30\x25\x02\x01\x01\x63\x20\x04\x00\x0a\x01\x00\x0a\x01\x00\x02\x01\x00\x02\x01\x00"
         "\x01\x01\x00\x87\x0bobjectClass\x30\x00"),
      SV("\x30\x81\x0c\x02\x01\x01\x64\x07\x04\x00\x30\x03\x30\x01\x00"
         "\x30\x0c\x02\x01\x01\x65\x07\x0a\x01\x00\x04\x00\x04\x00"),
      CL("\x30\x84\x00\x00\x00\x1d\x02\x01\x02\x77\x18\x80\x16"
         "1.3.6.1.4.1.1466.20037"),
      SV("\x30\x24\x02\x01\x02\x78\x1f\x0a\x01\x00\x04\x00\x04\x00\x8a\x16"
         "1.3.6.1.4.1.1466.20037"),
      TLS_C, TLS_S},
     SNT_STARTTLS_LDAP,
     SNT_STARTTLS_AGREED,
     "resultCode 0",
     0},
    {"ldap refused",
     {LDAP_STARTTLS, SV("\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x34\x04\x00\x04\x00")},
     SNT_STARTTLS_LDAP,
     SNT_STARTTLS_REFUSED,
     "resultCode 52",
     52},
    {"ldap unbind",
     {CL("\x30\x05\x02\x01\x01\x42\x00")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- PostgreSQL ---- */
    {"postgresql",
     {PG_SSL, SV("S"), TLS_C, TLS_S},
     SNT_STARTTLS_POSTGRESQL,
     SNT_STARTTLS_AGREED,
     "'S'",
     'S'},
    {"postgresql refused",
     {PG_SSL, SV("N"), CL("\x00\x00\x00\x09\x00\x03\x00\x00\x00")},
     SNT_STARTTLS_POSTGRESQL,
     SNT_STARTTLS_REFUSED,
     "'N'",
     'N'},
    {"postgresql gssenc refused, then ssl",
     {PG_GSSENC, SV("N"), PG_SSL, SV("S"), TLS_C, TLS_S},
     SNT_STARTTLS_POSTGRESQL,
     SNT_STARTTLS_AGREED,
     "'S'",
     'S'},
    {"postgresql gssapi encryption",
     {PG_GSSENC, SV("G")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"postgresql startup in plaintext",
     {CL("\x00\x00\x00\x29\x00\x03\x00\x00user\x00postgres\x00")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- MySQL ---- */
    {"mysql",
     {MYSQL_GREETING("\xff\xff"), MYSQL_SSL_REQUEST, TLS_C, TLS_S},
     SNT_STARTTLS_MYSQL,
     SNT_STARTTLS_AGREED,
     NULL,
     -1},
    {"mysql server without ssl",
     {MYSQL_GREETING("\xff\xf7"), MYSQL_SSL_REQUEST},
     SNT_STARTTLS_MYSQL,
     SNT_STARTTLS_REFUSED,
     "greeting without CLIENT_SSL",
     -1},
    {"mysql login in plaintext",
     {MYSQL_GREETING("\xff\xff"), CL("\x50\x00\x00\x01\x05\xa6\x0f\x00")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    /* ---- not these protocols ---- */
    {"socks5",
     {CL("\x05\x01\x00"), SV("\x05\x00")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"irc",
     {CL("NICK alice\r\nUSER alice 0 * :A\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"ssh",
     {SV("SSH-2.0-OpenSSH_9.2\r\n"), CL("SSH-2.0-OpenSSH_9.2\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"ssh, client first",
     {CL("SSH-2.0-OpenSSH_9.2\r\n"), SV("SSH-2.0-OpenSSH_9.2\r\n")},
     SNT_STARTTLS_NONE,
     SNT_STARTTLS_NO_UPGRADE,
     NULL,
     -1},
    {"imap-looking tag that starts like BER",
     {SV("* OK hi\r\n"), CL("0001 STARTTLS\r\n")},
     SNT_STARTTLS_IMAP,
     SNT_STARTTLS_ASKED,
     NULL,
     -1},
    {"nothing yet", {SV("22")}, SNT_STARTTLS_NONE, SNT_STARTTLS_UNDECIDED, NULL, -1},
};

/* ---- playing a conversation ---------------------------------------------------- */

struct play {
    uint8_t buf[2][4096];
    size_t len[2];
    size_t tls_at[2]; /* where CT / ST started; SIZE_MAX when absent */
};

static void build(const struct scase *c, struct play *pl)
{
    memset(pl, 0, sizeof *pl);
    pl->tls_at[0] = pl->tls_at[1] = SIZE_MAX;
    for (const struct msg *m = c->msgs; m < c->msgs + MAX_MSGS && m->p; m++) {
        int d = m->dir == C || m->dir == CT ? 0 : 1;
        if ((m->dir == CT || m->dir == ST) && pl->tls_at[d] == SIZE_MAX)
            pl->tls_at[d] = pl->len[d];
        memcpy(pl->buf[d] + pl->len[d], m->p, m->len);
        pl->len[d] += m->len;
    }
}

/* Feed exact-size copies of the first n[0] client and n[1] server bytes. */
static enum snt_starttls_status feed(struct snt_starttls *st, const struct play *pl,
                                     const size_t n[2])
{
    uint8_t *cb = snt_test_exact_copy(pl->buf[0], n[0]);
    uint8_t *sb = snt_test_exact_copy(pl->buf[1], n[1]);
    struct snt_span client = {cb, n[0]}, server = {sb, n[1]};
    enum snt_starttls_status s = snt_starttls_feed(st, client, server);
    CHECK(st->client_tls_at <= n[0] && st->server_tls_at <= n[1]);
    free(cb);
    free(sb);
    return s;
}

static bool same_answer(const struct snt_starttls *a, const struct snt_starttls *b)
{
    return a->protocol == b->protocol && a->status == b->status &&
           a->client_tls_at == b->client_tls_at && a->server_tls_at == b->server_tls_at &&
           a->reply_at == b->reply_at && a->reply_len == b->reply_len &&
           a->reply_code == b->reply_code;
}

static bool is_final(enum snt_starttls_status s)
{
    return s == SNT_STARTTLS_AGREED || s == SNT_STARTTLS_REFUSED || s == SNT_STARTTLS_NO_UPGRADE;
}

/* The bytes of the conversation in order, one at a time, as one side or
 * the other gets them; a final answer, once given, never changes.  With
 * split = k, the first k bytes go in one feed, the rest in a second. */
static void play_in_order(const struct scase *c, const struct play *pl, size_t split,
                          struct snt_starttls *st)
{
    size_t n[2] = {0, 0}, total = 0;
    snt_starttls_init(st);
    struct snt_starttls first_final;
    bool have_final = false;
    for (const struct msg *m = c->msgs; m < c->msgs + MAX_MSGS && m->p; m++) {
        int d = m->dir == C || m->dir == CT ? 0 : 1;
        for (size_t i = 0; i < m->len; i++) {
            n[d]++;
            total++;
            if (split != SIZE_MAX && total != split)
                continue;
            if (is_final(feed(st, pl, n)) && !have_final) {
                first_final = *st;
                have_final = true;
            }
        }
    }
    feed(st, pl, n);
    if (have_final)
        CHECK(same_answer(&first_final, st));
}

static void check_expected(const struct scase *c, const struct play *pl,
                           const struct snt_starttls *st)
{
    CHECK_EQ_INT(st->status, c->status);
    CHECK_EQ_INT(st->protocol, c->protocol);
    if (st->status == SNT_STARTTLS_ASKED || st->status == SNT_STARTTLS_AGREED)
        CHECK_EQ_INT(st->client_tls_at, pl->tls_at[0] == SIZE_MAX ? pl->len[0] : pl->tls_at[0]);
    if (st->status == SNT_STARTTLS_AGREED)
        CHECK_EQ_INT(st->server_tls_at, pl->tls_at[1]);
    char reply[256];
    struct snt_span server = {pl->buf[1], pl->len[1]};
    size_t n = snt_starttls_describe_reply(st, server, reply, sizeof reply);
    if (c->reply)
        CHECK(n == strlen(c->reply) && strcmp(reply, c->reply) == 0);
    else if (st->status != SNT_STARTTLS_AGREED)
        CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(st->reply_code, c->code);
}

static void run_case(const struct scase *c)
{
    int before = snt_test_failures;
    struct play pl;
    build(c, &pl);
    struct snt_starttls whole, st;
    snt_starttls_init(&whole);
    size_t all[2] = {pl.len[0], pl.len[1]};
    feed(&whole, &pl, all);
    check_expected(c, &pl, &whole);
    play_in_order(c, &pl, SIZE_MAX, &st);
    CHECK(same_answer(&st, &whole));
    for (size_t k = 0; k <= pl.len[0] + pl.len[1]; k++) {
        play_in_order(c, &pl, k, &st);
        CHECK(same_answer(&st, &whole));
    }
    if (snt_test_failures != before)
        fprintf(stderr, "  ^ in case \"%s\" (status %d protocol %d client_at %zu server_at %zu)\n",
                c->name, whole.status, whole.protocol, whole.client_tls_at, whole.server_tls_at);
}

/* ---- limits and garbage ------------------------------------------------------- */

/* A command line that never ends gives up once the window is full. */
static void test_window(void)
{
    static uint8_t client[SNT_STARTTLS_MAX_BYTES + 10];
    static const char greeting[] = "220 m\r\n";
    memset(client, 'a', sizeof client);
    struct snt_starttls st;
    snt_starttls_init(&st);
    struct snt_span server = {(const uint8_t *)greeting, sizeof greeting - 1};
    for (size_t n = 100; n <= sizeof client; n += 4000) {
        struct snt_span c = {client, n};
        snt_starttls_feed(&st, c, server);
    }
    CHECK_EQ_INT(st.status, SNT_STARTTLS_NO_UPGRADE);
    /* Many commands before the upgrade: given up after SNT_STARTTLS_MAX_COMMANDS. */
    static char noops[64 * 6];
    size_t len = 0;
    for (int i = 0; i < 64; i++)
        len += (size_t)snprintf(noops + len, sizeof noops - len, "NOOP\r\n");
    snt_starttls_init(&st);
    struct snt_span c = {(const uint8_t *)noops, len};
    snt_starttls_feed(&st, c, server);
    CHECK_EQ_INT(st.status, SNT_STARTTLS_NO_UPGRADE);
}

/* Random bytes after every protocol's opening: whatever the answer, the
 * offsets stay within what was fed, and nothing reads past it. */
static void test_garbage(void)
{
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct play pl;
        build(&cases[i], &pl);
        for (int round = 0; round < 40; round++) {
            struct play g = pl;
            for (int d = 0; d < 2; d++) {
                size_t keep = g.len[d] ? (seed = seed * 1103515245u + 12345u) % g.len[d] : 0;
                size_t extra = (seed = seed * 1103515245u + 12345u) % 300;
                for (size_t k = keep; k < keep + extra && k < sizeof g.buf[d]; k++)
                    g.buf[d][k] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
                g.len[d] = keep + extra;
            }
            struct snt_starttls st;
            snt_starttls_init(&st);
            size_t n[2] = {0, 0};
            while (n[0] < g.len[0] || n[1] < g.len[1]) {
                for (int d = 0; d < 2; d++)
                    n[d] = n[d] + 7 < g.len[d] ? n[d] + 7 : g.len[d];
                feed(&st, &g, n);
            }
            char reply[64];
            struct snt_span server = {g.buf[1], g.len[1]};
            snt_starttls_describe_reply(&st, server, reply, sizeof reply);
            CHECK(strlen(reply) < sizeof reply);
        }
    }
}

static void test_names(void)
{
    CHECK(snt_starttls_name(SNT_STARTTLS_NONE) == NULL);
    CHECK(strcmp(snt_starttls_name(SNT_STARTTLS_SMTP), "smtp") == 0);
    CHECK(strcmp(snt_starttls_name(SNT_STARTTLS_POSTGRESQL), "postgresql") == 0);
    CHECK(strcmp(snt_starttls_name(SNT_STARTTLS_MYSQL), "mysql") == 0);
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    test_window();
    test_garbage();
    test_names();
    return snt_test_finish("starttls");
}
