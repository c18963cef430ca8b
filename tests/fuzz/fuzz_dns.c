/* Fuzz target for the DNS message parser and DNS-over-TCP framing.  Besides
 * not crashing: every name is printable ASCII of at most 255 characters,
 * addresses are 4 or 16 bytes, and frames stay inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME_CAP 256

static void check_name(const char *s)
{
    size_t n = strnlen(s, NAME_CAP);
    if (n == NAME_CAP)
        abort();
    for (size_t i = 0; i < n; i++)
        if (s[i] < '!' || s[i] > '~')
            abort();
}

static void check_message(const struct snt_dns_message *m)
{
    if (m->n_answers > SNT_DNS_MAX_ANSWERS || m->n_answers > m->ancount)
        abort();
    check_name(m->qname);
    for (unsigned i = 0; i < m->n_answers; i++) {
        const struct snt_dns_answer *a = &m->answers[i];
        check_name(a->owner);
        check_name(a->cname);
        if (a->type == SNT_DNS_TYPE_CNAME ? a->addr_len != 0
                                          : a->addr_len != 4 && a->addr_len != 16)
            abort();
    }
}

/* The partial parser keeps at least what the strict one does, and agrees
 * with it on whole messages. */
static void parse(const uint8_t *p, size_t len)
{
    static struct snt_dns_message m, partial;
    bool strict_ok = snt_dns_parse(p, len, &m) == SNT_OK;
    if (strict_ok)
        check_message(&m);
    if (snt_dns_parse_partial(p, len, &partial) != SNT_OK) {
        if (strict_ok)
            abort();
        return;
    }
    check_message(&partial);
    if (partial.malformed == strict_ok || partial.answers_read > partial.ancount ||
        partial.n_answers > partial.answers_read)
        abort();
    if (strict_ok && (partial.n_answers != m.n_answers || strcmp(partial.qname, m.qname) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    parse(data, size);
    (void)snt_dns_plausible(data, size);
    for (;;) {
        const uint8_t *msg = NULL;
        size_t msg_len = 0, used = 0;
        if (snt_dns_tcp_frame(data + off, size - off, &msg, &msg_len, &used) != SNT_OK)
            break;
        if (used > size - off || msg != data + off + 2 || used != msg_len + 2)
            abort();
        parse(msg, msg_len);
        off += used;
    }
    return 0;
}
