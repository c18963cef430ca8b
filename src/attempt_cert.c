/* The certificate verdict of an attempt: which name the chain must cover
 * and the checker's answer copied into the attempt.  Shared by the chain
 * seen on the wire (engine_app.c) and the one a probe fetched
 * (probe_hold.c), so both are judged alike. */
#include <stdlib.h>

#include "snitrace/attempt.h"
#include "snitrace/format.h"

/* The name a certificate must cover: the SNI, else whatever name the
 * attempt has (an HTTP CONNECT target; later a DNS answer), in its
 * readable form, so a name with NUL in it is never cut short to one that
 * matches.  Free it. */
static char *expected_name(const struct snt_bytes *sni, const struct snt_bytes *name)
{
    return snt_bytes_readable(sni->len ? sni : name);
}

bool snt_judge_chain(struct snt_cert_checker *c, const struct snt_bytes *sni,
                     const struct snt_bytes *name, const struct snt_addr *server,
                     const struct snt_span *chain, size_t n, unsigned chain_total, int64_t when,
                     struct snt_cert_result *out)
{
    char ip[64];
    char *expected = expected_name(sni, name);
    const struct snt_cert_result *r = snt_cert_check(c, chain, n, expected, when);
    /* With no name at all, a client that connected by address (which never
     * sends SNI, RFC 6066 section 3) is checked against the server's
     * address, but only when the certificate lists addresses: otherwise
     * nothing can be judged. */
    if (r && !expected && r->info.n_ip_addresses) {
        snt_format_addr(server, ip, sizeof ip);
        r = snt_cert_check(c, chain, n, ip, when);
    }
    free(expected);
    if (!r) {
        struct snt_cert_result unparsed;
        snt_cert_describe_unparsed(&chain[0], chain_total, &unparsed);
        out->verdict = unparsed.verdict;
        snt_cert_info_copy(&out->info, &unparsed.info);
        return false;
    }
    out->verdict = r->verdict;
    snt_cert_info_copy(&out->info, &r->info);
    out->info.chain_length = chain_total;
    return true;
}

bool snt_attempt_judge_chain(struct snt_attempt *a, struct snt_cert_checker *c,
                             const struct snt_span *chain, size_t n, unsigned chain_total,
                             int64_t when)
{
    struct snt_cert_result r;
    bool parsed =
        snt_judge_chain(c, &a->sni, &a->name, &a->server, chain, n, chain_total, when, &r);
    snt_attempt_take_cert(a, &r);
    return parsed;
}
