/* TLS 1.3 (and its drafts) after the ServerHello: everything from there on
 * is encrypted.  Without keys, the sizes of the client's records tell what
 * it made of the certificate; the attempt stays open until they do. */
#include <string.h>

#include "engine_internal.h"

#define TLS13          0x0304
#define TLS13_DRAFT_HI 0x7f

bool engine_is_tls13(const struct snt_attempt *a)
{
    return a->has_server_hello && (a->version == TLS13 || (a->version >> 8) == TLS13_DRAFT_HI);
}

/* Copy the record lengths both sides sent into the attempt and read the
 * client's verdict from them. */
static enum snt_tls_client_verdict infer(struct conn_work *w, bool ended, bool client_ended)
{
    struct snt_attempt_inference *in = &w->attempt->inferred;
    const struct snt_tls_dir *cd = &w->tls[C2S], *sd = &w->tls[S2C];
    in->n_client = (uint8_t)(cd->n_protected < SNT_INFER_MAX_RECORDS ? cd->n_protected
                                                                     : SNT_INFER_MAX_RECORDS);
    in->n_server = (uint8_t)(sd->n_protected < SNT_INFER_MAX_RECORDS ? sd->n_protected
                                                                     : SNT_INFER_MAX_RECORDS);
    for (unsigned i = 0; i < in->n_client; i++)
        in->client_records[i] = cd->protected_len[i];
    for (unsigned i = 0; i < in->n_server; i++)
        in->server_records[i] = sd->protected_len[i];
    in->verdict = snt_tls13_infer_client_verdict(
        w->attempt->cipher, cd->protected_len, in->n_client, cd->n_protected, ended, client_ended);
    return in->verdict;
}

/* Only a certificate that was sent and not seen can be judged this way. */
static bool wants_inference(const struct conn_work *w)
{
    const struct snt_attempt *a = w->attempt;
    return engine_is_tls13(a) && !a->has_cert && !a->resumed && !engine_keys_used(w) &&
           w->tls[S2C].n_protected > 0;
}

bool engine_tls13_pending(struct snt_engine *e, struct conn *c)
{
    (void)e;
    struct conn_work *w = c->w;
    if (!wants_inference(w))
        return false;
    return infer(w, false, false) == SNT_TLS_VERDICT_NONE;
}

void engine_tls13_conclude(struct conn_work *w)
{
    struct snt_attempt *a = w->attempt;
    if (!wants_inference(w))
        return;
    a->inferred.ended_by = w->ended_by;
    bool client_ended = w->ended_by && strncmp(w->ended_by, "client", 6) == 0;
    if (infer(w, w->ended_by != NULL, client_ended) != SNT_TLS_VERDICT_REJECTED)
        return;
    /* A client offering ECH also closes this way when the server asks it to
     * retry with new keys: that is no verdict on a certificate. */
    if (!a->ech_offered)
        a->problems |= SNT_PROBLEM_CLIENT_REJECTED_INFERRED;
}
