/* DNS messages (RFC 1035 section 4): the header, the questions, and the
 * A (RFC 1035 section 3.4.1), AAAA (RFC 3596 section 2.2) and CNAME
 * (RFC 1035 section 3.3.1) records of the Answer section.  Names may be
 * compressed (RFC 1035 section 4.1.4) and are rendered in presentation form,
 * lower-cased, with unprintable bytes escaped as \DDD (RFC 4343 section 2.1).
 * TCP messages carry a two-byte length prefix (RFC 1035 section 4.2.2).
 *
 * The names become JSON fields and session keys, so they are made printable
 * and case-folded here, once, rather than by every consumer.
 */
#include <stddef.h>
#include <string.h>

#include "snitrace/dns.h"
#include "snitrace/reader.h"

#define DNS_MIN_QUESTION   5 /* root name, QTYPE, QCLASS */
#define DNS_TCP_LEN_PREFIX 2

#define DNS_FLAG_QR      0x8000
#define DNS_FLAG_TC      0x0200
#define DNS_OPCODE_SHIFT 11
#define DNS_OPCODE_MASK  0x0f
#define DNS_RCODE_MASK   0x0f
#define DNS_MAX_OPCODE   5 /* UPDATE (RFC 2136); 6 and up are unassigned */
#define DNS_MAX_QDCOUNT  4

#define DNS_CLASS_IN 1

#define DNS_LABEL_KIND_MASK 0xc0
#define DNS_LABEL_POINTER   0xc0 /* the two high bits set: a compression pointer */
#define DNS_POINTER_HI_MASK 0x3f
#define DNS_MAX_LABEL       63
#define DNS_MAX_WIRE_NAME   255 /* RFC 1035 section 2.3.4, length bytes included */

#define DNS_IPV4_LEN 4
#define DNS_IPV6_LEN 16

#define NAME_CAP     256 /* the size of every name buffer in struct snt_dns_message */
#define ESCAPED_BYTE 4   /* "\DDD" */

/* ---- names ---------------------------------------------------------------- */

struct name_buf {
    char *s;
    size_t len;
    bool any_label;
};

/* Inside a label, '.' and '\' would make the presentation form ambiguous and
 * everything outside printable ASCII must not reach the output raw. */
static bool needs_escape(uint8_t c)
{
    return c <= ' ' || c >= 0x7f || c == '.' || c == '\\';
}

static bool append_byte(struct name_buf *b, uint8_t c)
{
    size_t need = needs_escape(c) ? ESCAPED_BYTE : 1;
    if (b->len + need > NAME_CAP - 1)
        return false;
    if (need == 1) {
        b->s[b->len++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        return true;
    }
    b->s[b->len++] = '\\';
    b->s[b->len++] = (char)('0' + c / 100);
    b->s[b->len++] = (char)('0' + c / 10 % 10);
    b->s[b->len++] = (char)('0' + c % 10);
    return true;
}

static bool append_label(struct name_buf *b, struct snt_span label)
{
    struct snt_reader r = snt_reader_make(label.p, label.len);
    uint8_t c;
    if (b->any_label) {
        if (b->len + 1 > NAME_CAP - 1)
            return false;
        b->s[b->len++] = '.';
    }
    b->any_label = true;
    while (snt_read_u8(&r, &c))
        if (!append_byte(b, c))
            return false;
    return true;
}

/* Offset of cur's position in the message; cur must share msg's end. */
static size_t msg_offset(const struct snt_reader *msg, const struct snt_reader *cur)
{
    return snt_reader_left(msg) - snt_reader_left(cur);
}

/* Follow the compression pointer hi,lo found at label_off.  Pointers must go
 * strictly backwards, which by itself rules out loops; the hop limit bounds
 * the work a hostile chain of backward pointers can cause. */
static bool follow_pointer(const struct snt_reader *msg, struct snt_reader *cur, uint8_t hi,
                           uint8_t lo, size_t label_off, unsigned *hops)
{
    size_t target = ((size_t)(hi & DNS_POINTER_HI_MASK) << 8) | lo;
    if (target >= label_off || ++*hops > SNT_DNS_MAX_POINTER_HOPS)
        return false;
    *cur = *msg;
    return snt_skip(cur, target);
}

/* Read a possibly compressed name at r (a reader over the rest of msg) into
 * out[NAME_CAP].  r ends up after the name's bytes at its original place;
 * *pointers is how many compression pointers it followed. */
static bool read_name_counting(const struct snt_reader *msg, struct snt_reader *r, char *out,
                               unsigned *pointers)
{
    struct name_buf b = {out, 0, false};
    struct snt_reader cur = *r;
    unsigned hops = 0;
    size_t wire = 0;
    for (;;) {
        size_t label_off = msg_offset(msg, &cur);
        uint8_t len;
        struct snt_span label;
        if (!snt_read_u8(&cur, &len))
            return false;
        if ((len & DNS_LABEL_KIND_MASK) == DNS_LABEL_POINTER) {
            uint8_t lo;
            if (!snt_read_u8(&cur, &lo))
                return false;
            if (hops == 0)
                *r = cur; /* the name's own bytes end with its first pointer */
            if (!follow_pointer(msg, &cur, len, lo, label_off, &hops))
                return false;
            continue;
        }
        /* 0x40 and 0x80 are the obsolete extended label types (RFC 6891). */
        if (len > DNS_MAX_LABEL)
            return false;
        wire += 1 + (size_t)len;
        if (wire > DNS_MAX_WIRE_NAME)
            return false;
        if (len == 0)
            break;
        if (!snt_read_span(&cur, len, &label) || !append_label(&b, label))
            return false;
    }
    if (hops == 0)
        *r = cur;
    out[b.len] = '\0';
    *pointers = hops;
    return true;
}

static bool read_name(const struct snt_reader *msg, struct snt_reader *r, char *out)
{
    unsigned pointers;
    return read_name_counting(msg, r, out, &pointers);
}

/* The first question's name starts right after the header. */
#define QUESTION_OFFSET 12u

/* An answer's owner name.  Most are a pointer to the first question's name
 * (0xC0 0x0C); when that name followed no pointer of its own, reading it
 * there again gives the same name, so it is taken from out->qname (the
 * pointer is valid: it points back, one hop). */
static bool read_owner(const struct snt_reader *msg, struct snt_reader *r,
                       const struct snt_dns_message *out, bool plain_question, char *owner)
{
    uint8_t hi, lo;
    if (plain_question && snt_peek_u8(r, 0, &hi) && snt_peek_u8(r, 1, &lo) &&
        hi == DNS_LABEL_POINTER && lo == QUESTION_OFFSET) {
        memcpy(owner, out->qname, strlen(out->qname) + 1);
        return snt_skip(r, 2);
    }
    return read_name(msg, r, owner);
}

/* ---- sections ------------------------------------------------------------- */

struct dns_header {
    uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

static bool read_header(struct snt_reader *r, struct dns_header *h)
{
    return snt_read_u16(r, &h->id) && snt_read_u16(r, &h->flags) && snt_read_u16(r, &h->qdcount) &&
           snt_read_u16(r, &h->ancount) && snt_read_u16(r, &h->nscount) &&
           snt_read_u16(r, &h->arcount);
}

static uint8_t header_opcode(const struct dns_header *h)
{
    return (uint8_t)((h->flags >> DNS_OPCODE_SHIFT) & DNS_OPCODE_MASK);
}

/* Every question is read so the answers can be found; the first is kept,
 * and *plain says whether its name followed no compression pointer.
 * Returns how many were read whole. */
static unsigned read_questions(const struct snt_reader *msg, struct snt_reader *r,
                               struct snt_dns_message *out, bool *plain)
{
    char name[NAME_CAP];
    *plain = false;
    for (unsigned i = 0; i < out->qdcount; i++) {
        uint16_t qtype, qclass;
        unsigned pointers;
        if (!read_name_counting(msg, r, name, &pointers) || !snt_read_u16(r, &qtype) ||
            !snt_read_u16(r, &qclass))
            return i;
        if (i == 0) {
            memcpy(out->qname, name, sizeof name);
            out->qtype = qtype;
            *plain = pointers == 0;
        }
    }
    return out->qdcount;
}

/* RDATA of a kept type into a; false when it does not fit the type.  at is
 * a reader over the rest of the message at the RDATA, since a CNAME target
 * may point back into earlier records; after is the message just past it. */
static bool read_rdata(const struct snt_reader *msg, struct snt_reader at,
                       const struct snt_reader *after, struct snt_dns_answer *a)
{
    size_t want = a->type == SNT_DNS_TYPE_A ? DNS_IPV4_LEN : DNS_IPV6_LEN;
    struct snt_span addr;
    if (a->type == SNT_DNS_TYPE_CNAME)
        return read_name(msg, &at, a->cname) && snt_reader_left(&at) == snt_reader_left(after);
    if (snt_reader_left(&at) - snt_reader_left(after) != want || !snt_read_span(&at, want, &addr))
        return false;
    memcpy(a->addr, addr.p, want);
    a->addr_len = (uint8_t)want;
    return true;
}

static bool is_kept_type(uint16_t type)
{
    return type == SNT_DNS_TYPE_A || type == SNT_DNS_TYPE_AAAA || type == SNT_DNS_TYPE_CNAME;
}

/* A record is read straight into the next free slot (or, once the slots
 * are full, into scratch space, to be checked and counted) and kept by
 * counting it: no copy of a 530-byte answer per record. */
static bool read_answer(const struct snt_reader *msg, struct snt_reader *r,
                        struct snt_dns_message *out, bool plain_question)
{
    struct snt_dns_answer scratch;
    bool full = out->n_answers == SNT_DNS_MAX_ANSWERS;
    struct snt_dns_answer *a = full ? &scratch : &out->answers[out->n_answers];
    uint16_t rrclass, rdlength;
    memset(a->addr, 0, sizeof a->addr);
    a->addr_len = 0;
    a->cname[0] = '\0';
    if (!read_owner(msg, r, out, plain_question, a->owner) || !snt_read_u16(r, &a->type) ||
        !snt_read_u16(r, &rrclass) || !snt_read_u32(r, &a->ttl) || !snt_read_u16(r, &rdlength))
        return false;
    struct snt_reader at = *r;
    if (!snt_skip(r, rdlength))
        return false;
    if (rrclass != DNS_CLASS_IN || !is_kept_type(a->type))
        return true;
    if (!read_rdata(msg, at, r, a))
        return false;
    if (full)
        out->answers_dropped++;
    else
        out->n_answers++;
    return true;
}

/* Everything but the answers: only the first n_answers of those are ever
 * read, and clearing all 32 (17 KiB) cost more than parsing the message. */
static void message_clear(struct snt_dns_message *m)
{
    memset(m, 0, offsetof(struct snt_dns_message, answers));
    m->answers_dropped = 0;
    m->answers_read = 0;
    m->malformed = false;
}

/* Read up to the first damage.  A server that cut its answer to fit (TC),
 * counts no message can hold, or a record cut off still leave the question
 * and every record before the damage whole: those are kept, and the rest
 * is only noted (malformed). */
enum snt_result snt_dns_parse_partial(const uint8_t *p, size_t len, struct snt_dns_message *out)
{
    const struct snt_reader msg = snt_reader_make(p, len);
    struct snt_reader r = msg;
    struct dns_header h;
    message_clear(out);
    if (!read_header(&r, &h))
        return SNT_MALFORMED;
    out->id = h.id;
    out->response = (h.flags & DNS_FLAG_QR) != 0;
    out->opcode = header_opcode(&h);
    out->truncated_flag = (h.flags & DNS_FLAG_TC) != 0;
    out->rcode = (uint8_t)(h.flags & DNS_RCODE_MASK);
    out->qdcount = h.qdcount;
    out->ancount = h.ancount;
    bool plain_question;
    unsigned questions = read_questions(&msg, &r, out, &plain_question);
    if (out->qdcount > 0 && questions == 0)
        return SNT_MALFORMED; /* nothing worth keeping */
    out->malformed = questions < out->qdcount;
    for (unsigned i = 0; i < out->ancount && !out->malformed; i++) {
        out->malformed = !read_answer(&msg, &r, out, plain_question);
        if (!out->malformed)
            out->answers_read++;
    }
    return SNT_OK;
}

enum snt_result snt_dns_parse(const uint8_t *p, size_t len, struct snt_dns_message *out)
{
    enum snt_result st = snt_dns_parse_partial(p, len, out);
    return st == SNT_OK && out->malformed ? SNT_MALFORMED : st;
}

/* ---- framing and sniffing ------------------------------------------------- */

enum snt_result snt_dns_tcp_frame(const uint8_t *p, size_t len, const uint8_t **msg,
                                  size_t *msg_len, size_t *consumed)
{
    struct snt_reader r = snt_reader_make(p, len);
    struct snt_span body;
    uint16_t n;
    if (!snt_read_u16(&r, &n))
        return SNT_NEED_MORE;
    if (n == 0)
        return SNT_MALFORMED;
    if (!snt_read_span(&r, n, &body))
        return SNT_NEED_MORE;
    *msg = body.p;
    *msg_len = body.len;
    *consumed = DNS_TCP_LEN_PREFIX + body.len;
    return SNT_OK;
}

/* The record counts are not held against the length: a message that claims
 * more records than it holds still has a question, and the parser keeps
 * what is there. */
bool snt_dns_plausible(const uint8_t *p, size_t len)
{
    struct snt_reader r = snt_reader_make(p, len);
    struct dns_header h;
    if (!read_header(&r, &h))
        return false;
    return h.qdcount >= 1 && h.qdcount <= DNS_MAX_QDCOUNT && header_opcode(&h) <= DNS_MAX_OPCODE &&
           (size_t)h.qdcount * DNS_MIN_QUESTION <= snt_reader_left(&r);
}
