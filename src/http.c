/* HTTP/1.x request heads: the request line (RFC 9112 section 3), header
 * field lines (RFC 9112 section 5) of which only Host (RFC 9110 section 7.2)
 * is kept, and the authority inside a CONNECT or absolute-form target
 * (RFC 9112 section 3.2, RFC 3986 section 3.2).  Lines may end in CRLF or a
 * bare LF (RFC 9112 section 2.2).  A request line without a version is taken
 * as HTTP/0.9, which has no header section.
 *
 * The parser is re-run on the whole prefix each time more bytes arrive, so it
 * keeps no state: every prefix of a valid head answers "need more" or, once
 * the Host line or the empty line is complete, the same answer as the whole.
 */
#include <string.h>

#include "snitrace/http.h"
#include "snitrace/limits.h"

#define HTTP_VERSION_LEN 8 /* "HTTP/" DIGIT "." DIGIT */
#define MAX_PORT         65535

/* RFC 9110 section 9 and the WebDAV, versioning and caching extensions
 * registered with IANA ("Hypertext Transfer Protocol Method Registry"). */
static const char *const methods[] = {
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "CONNECT",
    "PATCH",
    "TRACE",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "REPORT",
    "MKCALENDAR",
    "MKACTIVITY",
    "CHECKOUT",
    "CHECKIN",
    "UNCHECKOUT",
    "MERGE",
    "ACL",
    "BIND",
    "UNBIND",
    "REBIND",
    "LINK",
    "UNLINK",
    "UPDATE",
    "LABEL",
    "MKWORKSPACE",
    "ORDERPATCH",
    "BASELINE-CONTROL",
    "VERSION-CONTROL",
    "UPDATEREDIRECTREF",
    "MKREDIRECTREF",
    "QUERY",
    "PURGE",
    "NOTIFY",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
};

/* ---- byte helpers (all reads through a reader) --------------------------- */

static bool is_tchar(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_ctl(uint8_t c)
{
    return c < 0x20 || c == 0x7f;
}

static bool is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static struct snt_reader span_reader(struct snt_span s)
{
    return snt_reader_make(s.p, s.len);
}

/* Everything r still holds, as a span. */
static struct snt_span rest(struct snt_reader r)
{
    struct snt_span s = {r.p, 0};
    if (snt_reader_left(&r) > 0)
        snt_read_span(&r, snt_reader_left(&r), &s);
    return s;
}

/* Offset of the first c in what r holds, or SIZE_MAX. */
static size_t find_byte(struct snt_reader r, uint8_t c)
{
    struct snt_span all = rest(r);
    const uint8_t *hit = all.len ? memchr(all.p, c, all.len) : NULL;
    return hit ? (size_t)(hit - all.p) : SIZE_MAX;
}

/* The bytes before the first c (r left just after it); false and r
 * untouched when there is no c. */
static bool read_until(struct snt_reader *r, uint8_t c, struct snt_span *before)
{
    size_t off = find_byte(*r, c);
    if (off == SIZE_MAX)
        return false;
    snt_read_span(r, off, before);
    snt_skip(r, 1);
    return true;
}

/* Drop one trailing byte c, if there. */
static struct snt_span drop_last(struct snt_span s, uint8_t c)
{
    struct snt_reader r = span_reader(s);
    uint8_t last = 0;
    if (s.len && snt_peek_u8(&r, s.len - 1, &last) && last == c)
        snt_read_span(&r, s.len - 1, &s);
    return s;
}

static struct snt_span trim_ows(struct snt_span s)
{
    struct snt_reader r = span_reader(s);
    uint8_t c = 0;
    while (snt_peek_u8(&r, 0, &c) && is_ows(c))
        snt_skip(&r, 1);
    while (snt_reader_left(&r) && snt_peek_u8(&r, snt_reader_left(&r) - 1, &c) && is_ows(c)) {
        struct snt_reader shorter;
        snt_read_sub(&r, snt_reader_left(&r) - 1, &shorter);
        r = shorter;
    }
    return rest(r);
}

static bool all_bytes(struct snt_span s, bool (*ok)(uint8_t))
{
    struct snt_reader r = span_reader(s);
    uint8_t c;
    while (snt_read_u8(&r, &c))
        if (!ok(c))
            return false;
    return true;
}

static bool is_visible(uint8_t c)
{
    return !is_ctl(c) && c != ' ';
}

static bool span_ieq(struct snt_span s, const char *lit)
{
    struct snt_reader r = span_reader(s);
    uint8_t c;
    if (s.len != strlen(lit))
        return false;
    for (const char *l = lit; snt_read_u8(&r, &c); l++)
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (uint8_t)*l)
            return false;
    return true;
}

/* ---- sniffing ------------------------------------------------------------ */

/* Does r start with method m and a space?  NEED_MORE while it still could. */
static enum snt_result match_method(struct snt_reader r, const char *m)
{
    size_t n = strlen(m);
    for (size_t i = 0; i <= n; i++) {
        uint8_t c;
        if (!snt_read_u8(&r, &c))
            return SNT_NEED_MORE;
        if (c != (i < n ? (uint8_t)m[i] : ' '))
            return SNT_NOT_MINE;
    }
    return SNT_OK;
}

enum snt_result snt_http_sniff(const uint8_t *p, size_t len)
{
    struct snt_reader r = snt_reader_make(p, len);
    bool maybe = false;
    uint8_t first = 0;
    /* Every method is upper-case letters: anything else (a TLS record's
     * 0x16, say) is told at its first byte. */
    if (snt_peek_u8(&r, 0, &first) && (first < 'A' || first > 'Z'))
        return SNT_NOT_MINE;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        enum snt_result st = match_method(r, methods[i]);
        if (st == SNT_OK)
            return SNT_OK;
        maybe = maybe || st == SNT_NEED_MORE;
    }
    return maybe ? SNT_NEED_MORE : SNT_NOT_MINE;
}

/* ---- authorities --------------------------------------------------------- */

/* host [":" port], the host possibly an IP literal in brackets.  A bare IPv6
 * address (more than one colon, no brackets) is all host.  false when the
 * brackets don't close or something other than a port follows them. */
static bool split_authority(struct snt_span a, struct snt_span *host, struct snt_span *port,
                            bool *has_port)
{
    struct snt_reader r = span_reader(a);
    uint8_t c = 0;
    *has_port = false;
    port->p = NULL;
    port->len = 0;
    if (snt_peek_u8(&r, 0, &c) && c == '[') {
        snt_skip(&r, 1);
        if (!read_until(&r, ']', host))
            return false;
        if (snt_reader_left(&r) == 0)
            return true;
        if (!snt_read_u8(&r, &c) || c != ':')
            return false;
        *has_port = true;
        *port = rest(r);
        return true;
    }
    size_t colon = find_byte(r, ':');
    struct snt_reader after = r;
    if (colon == SIZE_MAX || (snt_skip(&after, colon + 1) && find_byte(after, ':') != SIZE_MAX)) {
        *host = a;
        return true;
    }
    read_until(&r, ':', host);
    *has_port = true;
    *port = rest(r);
    return true;
}

/* 1 to 5 digits, at most 65535. */
static bool parse_port(struct snt_span s, uint16_t *port)
{
    struct snt_reader r = span_reader(s);
    uint32_t v = 0;
    uint8_t c;
    if (s.len == 0 || s.len > 5)
        return false;
    while (snt_read_u8(&r, &c)) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (uint32_t)(c - '0');
    }
    if (v > MAX_PORT)
        return false;
    *port = (uint16_t)v;
    return true;
}

/* CONNECT's authority-form target: host and (normally) port. */
static enum snt_result connect_target(struct snt_http_request *out)
{
    struct snt_span port;
    bool has_port;
    if (!split_authority(out->target, &out->connect_host, &port, &has_port) ||
        out->connect_host.len == 0 || !all_bytes(out->connect_host, is_visible))
        return SNT_MALFORMED;
    if (has_port && !parse_port(port, &out->connect_port))
        return SNT_MALFORMED;
    return SNT_OK;
}

/* absolute-form: scheme "://" [userinfo "@"] host [":" port] path...  Gives
 * the host when there is one. */
static bool absolute_form_host(struct snt_span target, struct snt_span *host)
{
    struct snt_reader r = span_reader(target);
    struct snt_span scheme = {NULL, 0}, authority = {NULL, 0}, port;
    bool has_port;
    uint8_t c = 0;
    if (!read_until(&r, ':', &scheme) || scheme.len == 0 || !all_bytes(scheme, is_tchar))
        return false;
    if (!snt_read_u8(&r, &c) || c != '/' || !snt_read_u8(&r, &c) || c != '/')
        return false;
    size_t end = snt_reader_left(&r);
    for (const char *stop = "/?#"; *stop; stop++) {
        size_t off = find_byte(r, (uint8_t)*stop);
        end = off < end ? off : end;
    }
    snt_read_span(&r, end, &authority);
    struct snt_reader a = span_reader(authority);
    struct snt_span userinfo;
    while (read_until(&a, '@', &userinfo))
        ;
    if (!split_authority(rest(a), host, &port, &has_port))
        return false;
    return host->len > 0 && all_bytes(*host, is_visible);
}

/* ---- request line and header fields -------------------------------------- */

/* "HTTP/" DIGIT "." DIGIT; while the line is incomplete, a prefix of that. */
static bool version_ok(struct snt_span v, bool complete)
{
    static const char shape[] = "HTTP/9.9";
    struct snt_reader r = span_reader(v);
    uint8_t c;
    if (v.len > HTTP_VERSION_LEN || (complete && v.len != HTTP_VERSION_LEN))
        return false;
    for (size_t i = 0; snt_read_u8(&r, &c); i++) {
        bool digit = c >= '0' && c <= '9';
        if (shape[i] == '9' ? !digit : c != (uint8_t)shape[i])
            return false;
    }
    return true;
}

/* method SP request-target [SP HTTP-version], without the line ending; the
 * method is one sniffing knows.  OK or MALFORMED for a complete line,
 * NEED_MORE or MALFORMED for the start of one. */
static enum snt_result request_line(struct snt_span line, bool complete,
                                    struct snt_http_request *out)
{
    struct snt_reader r = span_reader(line);
    read_until(&r, ' ', &out->method);
    if (!read_until(&r, ' ', &out->target)) {
        /* HTTP/0.9, or the version has not arrived yet. */
        out->target = rest(r);
        if (!all_bytes(out->target, is_visible) || (complete && out->target.len == 0))
            return SNT_MALFORMED;
        return complete ? SNT_OK : SNT_NEED_MORE;
    }
    out->version = rest(r);
    if (out->target.len == 0 || !all_bytes(out->target, is_visible) ||
        !version_ok(out->version, complete))
        return SNT_MALFORMED;
    return complete ? SNT_OK : SNT_NEED_MORE;
}

/* The Host value, port dropped.  One the grammar does not allow (NUL or
 * other control bytes, whitespace inside, a broken IP literal) is still
 * the name the client sent: it is kept whole, as sent, and marked. */
static void host_value(struct snt_span v, struct snt_http_request *out)
{
    struct snt_span port;
    bool has_port;
    out->has_host = true;
    if (all_bytes(v, is_visible) && split_authority(v, &out->host, &port, &has_port))
        return;
    out->host = v;
    out->host_malformed = true;
}

/* field-name ":" OWS field-value OWS.  Whitespace before the colon is not
 * allowed (RFC 9112 section 5.1). */
static enum snt_result header_line(struct snt_span line, struct snt_http_request *out)
{
    struct snt_reader r = span_reader(line);
    struct snt_span name;
    uint8_t first = 0;
    /* obs-fold continues the previous field; that is never a Host we kept,
     * since a non-empty Host ends the parse. */
    if (snt_peek_u8(&r, 0, &first) && is_ows(first))
        return SNT_OK;
    if (!read_until(&r, ':', &name) || name.len == 0 || !all_bytes(name, is_tchar))
        return SNT_MALFORMED;
    if (out->has_host || !span_ieq(name, "host"))
        return SNT_OK;
    host_value(trim_ows(rest(r)), out);
    return SNT_OK;
}

/* The empty line arrived: without a usable Host, an absolute-form target
 * may name the host. */
static enum snt_result head_complete(struct snt_http_request *out)
{
    if (out->host.len == 0 && !out->is_connect && absolute_form_host(out->target, &out->host)) {
        out->has_host = true;
        out->host_from_target = true;
    }
    return SNT_OK;
}

static enum snt_result header_section(struct snt_reader *r, bool at_limit,
                                      struct snt_http_request *out)
{
    struct snt_span line;
    while (read_until(r, '\n', &line)) {
        line = drop_last(line, '\r');
        if (line.len == 0)
            return head_complete(out);
        enum snt_result st = header_line(line, out);
        if (st != SNT_OK)
            return st;
        if (out->host.len > 0)
            return SNT_OK; /* the Host line is all we came for */
    }
    return at_limit ? SNT_MALFORMED : SNT_NEED_MORE;
}

enum snt_result snt_http_parse_request(const uint8_t *p, size_t len, struct snt_http_request *out)
{
    bool at_limit = len >= SNT_MAX_HTTP_HEAD;
    struct snt_reader r = snt_reader_make(p, at_limit ? SNT_MAX_HTTP_HEAD : len);
    struct snt_span line;
    memset(out, 0, sizeof *out);
    enum snt_result st = snt_http_sniff(p, len);
    if (st != SNT_OK)
        return st;
    if (!read_until(&r, '\n', &line)) {
        st = request_line(drop_last(rest(r), '\r'), false, out);
        return st == SNT_NEED_MORE && at_limit ? SNT_MALFORMED : st;
    }
    st = request_line(drop_last(line, '\r'), true, out);
    if (st != SNT_OK)
        return st;
    out->is_connect = span_ieq(out->method, "connect");
    if (out->is_connect && connect_target(out) != SNT_OK)
        return SNT_MALFORMED;
    if (out->version.len == 0)
        return head_complete(out); /* HTTP/0.9 has no header section */
    return header_section(&r, at_limit, out);
}
