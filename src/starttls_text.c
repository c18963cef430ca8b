/* STARTTLS in the line-based protocols where the server greets first:
 *
 *   SMTP  RFC 5321 section 4.1 (commands), 4.2 (replies, "250-" / "250 "),
 *         RFC 3207 (STARTTLS: 220 go ahead, 454 / 501 / 5xx refused)
 *   FTP   RFC 959 section 4.2 (multi-line replies), RFC 2228 / RFC 4217
 *         section 4 (AUTH TLS or AUTH SSL: 234 go ahead, 4xx / 5xx refused)
 *   IMAP  RFC 9051 sections 2.2 and 4.3 (tags, literals), 6.2.1 (STARTTLS:
 *         tagged OK go ahead, NO / BAD refused)
 *   POP3  RFC 1939 (+OK / -ERR, multi-line ended by "."), RFC 2449 (CAPA),
 *         RFC 2595 section 4 (STLS)
 *
 * Verbs are case-insensitive; lines end in CRLF or a bare LF.  Reply i
 * answers command i - 1 (reply 0 is the greeting); IMAP's tagged completion
 * answers the command with its tag.  A command other than the few that may
 * come before an upgrade means the session goes on in plaintext.
 */
#include "starttls_internal.h"

#define CODE_PRELIMINARY 1 /* 1xx: does not answer the command yet (RFC 959 4.2) */
#define CODE_POSITIVE    2 /* 2xx: go ahead */
#define MAX_LITERAL      SNT_STARTTLS_MAX_LINE

/* POP3 keeps one bit per command in st->multiline. */
_Static_assert(SNT_STARTTLS_MAX_COMMANDS <= 32, "a bit per command");

/* ---- recognition ------------------------------------------------------------ */

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* "ddd" then a space, a hyphen or the line end: an SMTP or FTP reply. */
static enum snt_result reply_code_start(struct snt_span s)
{
    struct snt_reader r = snt_reader_make(s.p, s.len);
    uint8_t c;
    for (size_t i = 0; i < 3; i++)
        if (snt_peek_u8(&r, i, &c) && !is_digit(c))
            return SNT_NOT_MINE;
    if (!snt_peek_u8(&r, 3, &c))
        return SNT_NEED_MORE;
    return c == ' ' || c == '-' || c == '\r' || c == '\n' ? SNT_OK : SNT_NOT_MINE;
}

/* "* OK", "* PREAUTH" or "* BYE" (RFC 9051 section 7.1). */
static enum snt_result imap_greeting(struct snt_span s)
{
    static const char *const greetings[] = {"* OK", "* PREAUTH", "* BYE"};
    enum snt_result best = SNT_NOT_MINE;
    for (size_t i = 0; i < sizeof greetings / sizeof greetings[0]; i++) {
        enum snt_result r = starttls_prefix(s, greetings[i]);
        if (r == SNT_OK)
            return SNT_OK;
        if (r == SNT_NEED_MORE)
            best = SNT_NEED_MORE;
    }
    return best;
}

enum snt_result starttls_text_greeting(struct snt_span server, enum starttls_family *family)
{
    enum snt_result pop3 = starttls_prefix(server, "+OK");
    enum snt_result imap = imap_greeting(server);
    enum snt_result codes = reply_code_start(server);
    if (pop3 == SNT_OK)
        *family = FAMILY_POP3;
    else if (imap == SNT_OK)
        *family = FAMILY_IMAP;
    else if (codes == SNT_OK)
        *family = FAMILY_REPLY_CODES;
    else
        return pop3 == SNT_NEED_MORE || imap == SNT_NEED_MORE || codes == SNT_NEED_MORE
                   ? SNT_NEED_MORE
                   : SNT_NOT_MINE;
    return SNT_OK;
}

static bool is_printable_line(struct snt_span s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((s.p[i] < 0x20 || s.p[i] > 0x7e) && s.p[i] != '\t' && s.p[i] != '\r')
            return false;
    return true;
}

enum snt_result starttls_text_first_command(struct snt_span client, enum starttls_family *family)
{
    struct snt_reader r = snt_reader_make(client.p, client.len);
    struct snt_span line;
    if (client.len == 0)
        return SNT_NOT_MINE;
    enum snt_result res = starttls_take_line(&r, STARTTLS_MAX_FIRST_LINE, &line);
    if (res == SNT_NEED_MORE)
        return is_printable_line(client) ? SNT_NEED_MORE : SNT_NOT_MINE;
    if (res != SNT_OK)
        return SNT_NOT_MINE;
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span verb = starttls_word(&words);
    struct snt_span second = starttls_word(&words);
    if (starttls_word_is(verb, "EHLO") || starttls_word_is(verb, "HELO") ||
        starttls_word_is(verb, "LHLO") || starttls_word_is(verb, "FEAT") ||
        starttls_word_is(verb, "AUTH"))
        *family = FAMILY_REPLY_CODES;
    else if (starttls_word_is(verb, "CAPA") || starttls_word_is(verb, "STLS"))
        *family = FAMILY_POP3;
    else if (starttls_word_is(second, "CAPABILITY") || starttls_word_is(second, "STARTTLS"))
        *family = FAMILY_IMAP;
    else
        return SNT_NOT_MINE;
    return SNT_OK;
}

/* ---- SMTP and FTP ----------------------------------------------------------- */

/* The code of a reply line, or -1; *more when it is "ddd-" (more lines follow). */
static int line_code(struct snt_span line, bool *more)
{
    enum snt_result start = reply_code_start(line);
    *more = false;
    /* "250" alone is a whole last line (RFC 5321 section 4.2, Reply-line). */
    if (start != SNT_OK && !(start == SNT_NEED_MORE && line.len == 3))
        return -1;
    *more = line.len > 3 && line.p[3] == '-';
    return (line.p[0] - '0') * 100 + (line.p[1] - '0') * 10 + (line.p[2] - '0');
}

/* One whole reply: SNT_OK with its code and first line (r after it),
 * SNT_NEED_MORE (r untouched), SNT_MALFORMED when it is not a reply. */
static enum snt_result take_coded_reply(struct snt_reader *r, int *code, struct snt_span *first)
{
    struct snt_reader t = *r;
    struct snt_span line;
    bool more = false, again = false;
    enum snt_result res = starttls_take_line(&t, SNT_STARTTLS_MAX_LINE, &line);
    if (res != SNT_OK)
        return res;
    int c = line_code(line, &more);
    if (c < 0)
        return SNT_MALFORMED;
    *first = line;
    /* RFC 959: the reply ends at the line starting with the same code and a
     * space; lines between may hold anything (SMTP's all start "ddd-"). */
    while (more) {
        res = starttls_take_line(&t, SNT_STARTTLS_MAX_LINE, &line);
        if (res != SNT_OK)
            return res;
        more = line_code(line, &again) != c || again;
    }
    *r = t;
    *code = c;
    return SNT_OK;
}

enum command_kind {
    CMD_NEUTRAL, /* may come before an upgrade in either protocol */
    CMD_SMTP,    /* says it is SMTP */
    CMD_FTP,     /* says it is FTP */
    CMD_UPGRADE_SMTP,
    CMD_UPGRADE_FTP,
    CMD_PLAINTEXT, /* anything else: the session goes on without TLS */
};

static bool verb_in(struct snt_span verb, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (starttls_word_is(verb, list[i]))
            return true;
    return false;
}

/* RFC 4217 section 4 names TLS (and, for old clients, SSL); its drafts had
 * TLS-C and TLS-P. */
static bool is_ftp_tls_mechanism(struct snt_span arg)
{
    static const char *const mechanisms[] = {"TLS", "SSL", "TLS-C", "TLS-P"};
    return verb_in(arg, mechanisms, sizeof mechanisms / sizeof mechanisms[0]);
}

static enum command_kind classify_command(struct snt_span line)
{
    static const char *const neutral[] = {"NOOP", "RSET", "HELP"};
    static const char *const smtp[] = {"EHLO", "HELO", "LHLO"};
    /* What an FTP client may send before logging in (RFC 2389 FEAT and
     * OPTS, RFC 7151 HOST, RFC 2640 LANG). */
    static const char *const ftp[] = {"FEAT", "SYST", "HOST", "CLNT", "OPTS", "LANG"};
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span verb = starttls_word(&words);
    struct snt_span arg = starttls_word(&words);
    if (starttls_word_is(verb, "STARTTLS") && arg.len == 0)
        return CMD_UPGRADE_SMTP;
    if (starttls_word_is(verb, "AUTH") && is_ftp_tls_mechanism(arg))
        return CMD_UPGRADE_FTP;
    if (verb_in(verb, neutral, sizeof neutral / sizeof neutral[0]))
        return CMD_NEUTRAL;
    if (verb_in(verb, smtp, sizeof smtp / sizeof smtp[0]))
        return CMD_SMTP;
    if (verb_in(verb, ftp, sizeof ftp / sizeof ftp[0]))
        return CMD_FTP;
    return CMD_PLAINTEXT;
}

/* ---- framing shared by the four protocols ----------------------------------- */

typedef enum snt_result (*take_fn)(struct snt_reader *r, struct snt_span *first);

static enum snt_result take_plain_line(struct snt_reader *r, struct snt_span *line)
{
    return starttls_take_line(r, SNT_STARTTLS_MAX_LINE, line);
}

/* The client's next command: SNT_OK with its first line, which started at
 * *at (st->client_seen is then after it); SNT_NEED_MORE; SNT_MALFORMED when
 * it cannot be a command here (st then says no upgrade). */
static enum snt_result next_command(struct snt_starttls *st, struct snt_span client, take_fn take,
                                    struct snt_span *line, size_t *at)
{
    struct snt_reader r = starttls_reader_at(client, st->client_seen);
    enum snt_result res = take(&r, line);
    if (res == SNT_NEED_MORE)
        return res;
    *at = st->client_seen;
    st->client_seen = starttls_offset(client, &r);
    if (res != SNT_OK || ++st->commands > SNT_STARTTLS_MAX_COMMANDS) {
        starttls_no_upgrade(st);
        return SNT_MALFORMED;
    }
    return SNT_OK;
}

/* ---- SMTP and FTP ------------------------------------------------------------ */

static bool codes_command(struct snt_starttls *st, struct snt_span client)
{
    struct snt_span line;
    size_t at;
    if (next_command(st, client, take_plain_line, &line, &at) != SNT_OK)
        return st->status == SNT_STARTTLS_NO_UPGRADE;
    switch (classify_command(line)) {
    case CMD_UPGRADE_SMTP: starttls_asked(st, SNT_STARTTLS_SMTP); break;
    case CMD_UPGRADE_FTP: starttls_asked(st, SNT_STARTTLS_FTP); break;
    case CMD_SMTP: st->protocol = SNT_STARTTLS_SMTP; break;
    case CMD_FTP: st->protocol = SNT_STARTTLS_FTP; break;
    case CMD_NEUTRAL: break;
    case CMD_PLAINTEXT: starttls_no_upgrade(st); break;
    }
    return true;
}

/* A reply as the ordered protocols see it. */
struct reply {
    bool positive;    /* go ahead */
    bool preliminary; /* does not answer yet (FTP 1xx) */
    int code;         /* -1 when the protocol has none */
    struct snt_span first;
};
typedef enum snt_result (*reply_fn)(const struct snt_starttls *st, struct snt_reader *r,
                                    struct reply *out);

/* Take the server's next reply, where reply n answers command n - 1 (reply
 * 0 is the greeting): true when one was taken. */
static bool take_ordered_reply(struct snt_starttls *st, struct snt_span server, reply_fn take)
{
    if (st->replies > st->commands)
        return false; /* a reply cannot come before the command it answers */
    struct snt_reader r = starttls_reader_at(server, st->server_seen);
    size_t at = st->server_seen;
    struct reply rp = {false, false, -1, {NULL, 0}};
    enum snt_result res = take(st, &r, &rp);
    if (res == SNT_NEED_MORE)
        return false;
    if (res != SNT_OK) {
        starttls_no_upgrade(st);
        return true;
    }
    st->server_seen = starttls_offset(server, &r);
    if (rp.preliminary)
        return true;
    unsigned n = st->replies++;
    if (st->status == SNT_STARTTLS_ASKED && n == st->ask_index + 1)
        starttls_answered(st, rp.positive, at, rp.first.len, rp.code, st->server_seen);
    return true;
}

static enum snt_result coded_reply(const struct snt_starttls *st, struct snt_reader *r,
                                   struct reply *out)
{
    enum snt_result res = take_coded_reply(r, &out->code, &out->first);
    out->positive = out->code / 100 == CODE_POSITIVE;
    out->preliminary = out->code / 100 == CODE_PRELIMINARY;
    return res;
}

static bool codes_reply(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    return take_ordered_reply(st, server, coded_reply);
}

void starttls_reply_codes_step(struct snt_starttls *st, struct snt_span client,
                               struct snt_span server)
{
    static const struct starttls_steps codes = {codes_command, codes_reply};
    starttls_run(st, client, server, &codes);
}

/* ---- IMAP -------------------------------------------------------------------- */

/* "{n}" or "{n+}" (RFC 7888) ending a line: n bytes of literal follow. */
static bool literal_length(struct snt_span line, size_t *n)
{
    size_t end = line.len, digits = 0, v = 0;
    if (end < 3 || line.p[end - 1] != '}')
        return false;
    end--;
    if (line.p[end - 1] == '+')
        end--;
    while (end > 0 && digits < 10 && is_digit(line.p[end - 1])) {
        end--;
        digits++;
    }
    if (digits == 0 || digits >= 10 || end == 0 || line.p[end - 1] != '{')
        return false;
    for (size_t i = end; i < end + digits; i++)
        v = v * 10 + (size_t)(line.p[i] - '0');
    *n = v;
    return true;
}

/* A line with the literals it announces (RFC 9051 section 4.3): after n
 * bytes of literal the line goes on.  *first is its first physical line. */
static enum snt_result take_imap_line(struct snt_reader *r, struct snt_span *first)
{
    struct snt_reader t = *r;
    struct snt_span line;
    size_t n;
    enum snt_result res = starttls_take_line(&t, SNT_STARTTLS_MAX_LINE, first);
    line = *first;
    while (res == SNT_OK && literal_length(line, &n)) {
        if (n > MAX_LITERAL)
            return SNT_MALFORMED;
        if (snt_reader_left(&t) < n)
            return SNT_NEED_MORE;
        snt_skip(&t, n);
        res = starttls_take_line(&t, SNT_STARTTLS_MAX_LINE, &line);
    }
    if (res == SNT_OK)
        *r = t;
    return res;
}

/* tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 section 9). */
static bool is_tag(struct snt_span w)
{
    if (w.len == 0 || w.len > SNT_STARTTLS_MAX_TAG)
        return false;
    for (size_t i = 0; i < w.len; i++)
        if (w.p[i] <= 0x20 || w.p[i] >= 0x7f || strchr("(){%*\"\\+", w.p[i]))
            return false;
    return true;
}

static bool imap_command(struct snt_starttls *st, struct snt_span client)
{
    static const char *const before_tls[] = {"CAPABILITY", "NOOP", "ID"};
    struct snt_span line;
    size_t at;
    if (next_command(st, client, take_imap_line, &line, &at) != SNT_OK)
        return st->status == SNT_STARTTLS_NO_UPGRADE;
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span tag = starttls_word(&words);
    struct snt_span verb = starttls_word(&words);
    if (!is_tag(tag)) {
        starttls_no_upgrade(st);
    } else if (starttls_word_is(verb, "STARTTLS") && snt_reader_left(&words) == 0) {
        st->tag_at = at;
        st->tag_len = tag.len;
        starttls_asked(st, SNT_STARTTLS_IMAP);
    } else if (!verb_in(verb, before_tls, sizeof before_tls / sizeof before_tls[0])) {
        starttls_no_upgrade(st);
    }
    return true;
}

static bool same_tag(const struct snt_starttls *st, struct snt_span client, struct snt_span tag)
{
    struct snt_reader r = starttls_reader_at(client, st->tag_at);
    struct snt_span asked;
    return tag.len == st->tag_len && snt_read_span(&r, st->tag_len, &asked) &&
           memcmp(asked.p, tag.p, tag.len) == 0;
}

/* A tagged completion (RFC 9051 section 7.1): true when it was taken. */
static bool imap_completion(struct snt_starttls *st, struct snt_span client, struct snt_span line,
                            size_t at)
{
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span tag = starttls_word(&words);
    struct snt_span status = starttls_word(&words);
    unsigned n = st->replies - 1; /* completions before this one */
    if (n >= st->commands)
        return false; /* it must answer a command already seen */
    st->replies++;
    if (st->status == SNT_STARTTLS_ASKED && n >= st->ask_index && same_tag(st, client, tag))
        starttls_answered(st, starttls_word_is(status, "OK"), at, line.len, -1, 0);
    return true;
}

static bool imap_reply(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    struct snt_reader r = starttls_reader_at(server, st->server_seen);
    size_t at = st->server_seen;
    struct snt_span line;
    enum snt_result res = take_imap_line(&r, &line);
    if (res == SNT_NEED_MORE)
        return false;
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span first = starttls_word(&words);
    struct snt_span second = starttls_word(&words);
    bool untagged = starttls_word_is(first, "*"), continuation = starttls_word_is(first, "+");
    if (res != SNT_OK || (st->replies == 0 && (!untagged || imap_greeting(line) != SNT_OK))) {
        starttls_no_upgrade(st);
        return true;
    }
    if (st->replies == 0)
        st->replies = 1; /* the greeting */
    else if (!untagged && !continuation && !imap_completion(st, client, line, at))
        return false;
    st->server_seen = starttls_offset(server, &r);
    if (st->status == SNT_STARTTLS_AGREED)
        st->server_tls_at = st->server_seen;
    else if (st->status == SNT_STARTTLS_ASKED && untagged && starttls_word_is(second, "BYE"))
        starttls_answered(st, false, at, line.len, -1, 0); /* closing instead (7.1.5) */
    return true;
}

void starttls_imap_step(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    static const struct starttls_steps imap = {imap_command, imap_reply};
    starttls_run(st, client, server, &imap);
}

/* ---- POP3 -------------------------------------------------------------------- */

static bool pop3_command(struct snt_starttls *st, struct snt_span client)
{
    struct snt_span line;
    size_t at;
    if (next_command(st, client, take_plain_line, &line, &at) != SNT_OK)
        return st->status == SNT_STARTTLS_NO_UPGRADE;
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span verb = starttls_word(&words);
    bool bare = snt_reader_left(&words) == 0;
    if (starttls_word_is(verb, "STLS") && bare)
        starttls_asked(st, SNT_STARTTLS_POP3);
    else if ((starttls_word_is(verb, "CAPA") || starttls_word_is(verb, "AUTH")) && bare)
        /* CAPA (RFC 2449 section 5) and, in many servers, AUTH without a
         * mechanism answer +OK with a list ended by "." */
        st->multiline |= 1u << (st->commands - 1);
    else
        starttls_no_upgrade(st);
    return true;
}

/* "+OK" or "-ERR", then a space or the line end: SNT_OK and *ok. */
static enum snt_result pop3_status(struct snt_span line, bool *ok)
{
    struct snt_reader words = snt_reader_make(line.p, line.len);
    struct snt_span w = starttls_word(&words);
    *ok = starttls_word_is(w, "+OK");
    return *ok || starttls_word_is(w, "-ERR") ? SNT_OK : SNT_MALFORMED;
}

/* One whole reply; multi-line ones end with a line holding only "." (RFC
 * 1939 section 3; other lines starting with "." are dot-stuffed). */
static enum snt_result take_pop3_reply(struct snt_reader *r, bool multiline, bool *ok,
                                       struct snt_span *first)
{
    struct snt_reader t = *r;
    struct snt_span line;
    enum snt_result res = starttls_take_line(&t, SNT_STARTTLS_MAX_LINE, first);
    if (res == SNT_OK)
        res = pop3_status(*first, ok);
    if (res == SNT_OK && multiline && *ok) {
        do
            res = starttls_take_line(&t, SNT_STARTTLS_MAX_LINE, &line);
        while (res == SNT_OK && !(line.len == 1 && line.p[0] == '.'));
    }
    if (res == SNT_OK)
        *r = t;
    return res;
}

static enum snt_result pop3_reply_of(const struct snt_starttls *st, struct snt_reader *r,
                                     struct reply *out)
{
    unsigned n = st->replies; /* answers command n - 1 */
    bool multiline = n > 0 && (st->multiline & (1u << (n - 1)));
    return take_pop3_reply(r, multiline, &out->positive, &out->first);
}

static bool pop3_reply(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    return take_ordered_reply(st, server, pop3_reply_of);
}

void starttls_pop3_step(struct snt_starttls *st, struct snt_span client, struct snt_span server)
{
    static const struct starttls_steps pop3 = {pop3_command, pop3_reply};
    starttls_run(st, client, server, &pop3);
}
