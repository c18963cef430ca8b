/* Attempts held for their probe, and released when it answers.
 *
 * Held attempts are deep copies (the engine reuses its own as soon as the
 * emit callback returns), kept in one queue in the order they finished.
 * While anything is held, later attempts queue behind it, probed or not,
 * so records come out in the same order whatever order the probes answer
 * in: an attempt leaves when everything before it has.  The probed chain
 * is judged by the same certificate checks as the chains on the wire
 * (include/snitrace/cert_judge.h), in their order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/probe_hold.h"

#define WAIT_SLICE_MS 200 /* end of input: how often the stop flag is looked at */

struct held {
    struct held *next;
    snt_probe_id id;
    bool waiting; /* for probe id; once false, it leaves when it is first */
    struct snt_attempt a;
};

struct snt_probe_hold {
    struct snt_probes *probes;
    struct snt_cert_judge *certs;
    bool live;
    bool stopped;
    snt_probe_write_fn write;
    void *arg;
    struct held *head, *tail; /* in the order the attempts finished */
    size_t n_held;
    uint64_t own_connections, not_awaited, refused_stopped;
};

struct snt_probe_hold *snt_probe_hold_new(struct snt_probes *probes, struct snt_cert_judge *certs,
                                          unsigned max_probes, bool live, snt_probe_write_fn write,
                                          void *arg)
{
    (void)max_probes;
    struct snt_probe_hold *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->probes = probes;
    h->certs = certs;
    h->live = live;
    h->write = write;
    h->arg = arg;
    return h;
}

static void held_free(struct held *x)
{
    snt_attempt_free(&x->a);
    free(x);
}

void snt_probe_hold_free(struct snt_probe_hold *h)
{
    if (!h)
        return;
    for (struct held *x = h->head, *next; x; x = next) {
        next = x->next;
        held_free(x);
    }
    free(h);
}

/* TLS that began after plaintext (STARTTLS, a CONNECT tunnel through a
 * proxy) is not probed: a ClientHello sent straight to that port would not
 * reach the same handshake, only a mail server's banner or the proxy. */
bool snt_probe_wanted(const struct snt_attempt *a)
{
    bool encrypted = a->protocol == SNT_PROTO_TLS || a->protocol == SNT_PROTO_QUIC;
    return encrypted && a->has_client_hello && !a->tls_after_plaintext && a->certificate_known &&
           !a->certificate_visible && !a->has_cert;
}

bool snt_probe_hold_is_own(struct snt_probe_hold *h, const struct snt_attempt *a)
{
    /* A capture file was made before this run: none of its connections
     * can be ours. */
    return h->live && a->transport == SNT_IPPROTO_TCP &&
           snt_probes_own_connection(h->probes, &a->client, a->client_port, &a->server,
                                     a->server_port);
}

/* What the probe found becomes the attempt's certificate, judged at the
 * probe's time: the certificate is the one served then, not at capture. */
static void apply_result(struct snt_probe_hold *h, struct snt_attempt *a,
                         const struct snt_probe_result *r)
{
    if (!r->made)
        return; /* cancelled: no probe to speak of */
    a->probe.done = true;
    a->probe.usec = r->usec;
    a->probe.port = r->port;
    a->probe.tcp_for_quic = a->protocol == SNT_PROTO_QUIC;
    a->probe.live = h->live;
    snprintf(a->probe.error, sizeof a->probe.error, "%s", r->ok ? "" : r->error);
    if (!r->ok)
        return;
    snt_cert_judge_submit(h->certs, a, r->certs, r->n_certs, r->chain_total,
                          (int64_t)(r->usec / 1000000u), SNT_CERT_SOURCE_PROBE);
    snt_cert_judge_collect(h->certs, a);
}

/* Write what may leave: the queue's head, as long as it is not waiting. */
static void flush(struct snt_probe_hold *h)
{
    while (h->head && !h->head->waiting) {
        struct held *x = h->head;
        h->head = x->next;
        if (!h->head)
            h->tail = NULL;
        h->n_held--;
        h->write(&x->a, h->arg);
        held_free(x);
    }
}

/* Queue a copy (waiting for probe id, or only behind what waits); with
 * nothing queued an attempt that waits for nothing goes out at once.
 * false when the queue is full: the caller writes it now. */
static bool enqueue(struct snt_probe_hold *h, const struct snt_attempt *a, bool waiting,
                    snt_probe_id id, const struct snt_probe_result *r)
{
    if (!waiting && !h->head && !r)
        return false;
    struct held *x = h->n_held < SNT_PROBE_MAX_HELD ? malloc(sizeof *x) : NULL;
    if (!x)
        return false;
    snt_attempt_copy(&x->a, a);
    if (r)
        apply_result(h, &x->a, r);
    x->next = NULL;
    x->id = id;
    x->waiting = waiting;
    if (h->tail)
        h->tail->next = x;
    else
        h->head = x;
    h->tail = x;
    h->n_held++;
    flush(h);
    return true;
}

/* An attempt that waits for no probe: behind the queue, if there is one. */
static void pass(struct snt_probe_hold *h, const struct snt_attempt *a)
{
    if (!enqueue(h, a, false, 0, NULL))
        h->write(a, h->arg);
}

static bool make_request(const struct snt_attempt *a, struct snt_probe_request *rq)
{
    memset(rq, 0, sizeof *rq);
    rq->alpn = a->alpn;
    rq->n_alpn = a->n_alpn;
    rq->for_quic = a->protocol == SNT_PROTO_QUIC;
    return snt_probe_key_make(&rq->key, &a->server, a->server_port, a->sni.p, a->sni.len);
}

void snt_probe_hold_attempt(struct snt_probe_hold *h, const struct snt_attempt *a)
{
    if (snt_probe_hold_is_own(h, a)) {
        h->own_connections++;
        return;
    }
    struct snt_probe_request rq;
    if (!snt_probe_wanted(a) || !make_request(a, &rq)) {
        pass(h, a);
        return;
    }
    if (h->stopped) {
        h->refused_stopped++;
        pass(h, a);
        return;
    }
    snt_probe_id id = 0;
    const struct snt_probe_result *r = NULL;
    switch (snt_probes_request(h->probes, &rq, &id, &r)) {
    case SNT_PROBE_WAIT:
        if (!enqueue(h, a, true, id, NULL)) {
            h->not_awaited++;
            h->write(a, h->arg);
        }
        break;
    case SNT_PROBE_ANSWERED:
        if (!enqueue(h, a, false, 0, r)) {
            struct snt_attempt copy;
            snt_attempt_copy(&copy, a);
            apply_result(h, &copy, r);
            h->write(&copy, h->arg);
            snt_attempt_free(&copy);
        }
        break;
    default: pass(h, a); break;
    }
}

static void release(snt_probe_id id, const struct snt_probe_result *r, void *arg)
{
    struct snt_probe_hold *h = arg;
    for (struct held *x = h->head; x; x = x->next)
        if (x->waiting && x->id == id) {
            apply_result(h, &x->a, r);
            x->waiting = false;
        }
    flush(h);
}

void snt_probe_hold_poll(struct snt_probe_hold *h)
{
    snt_probes_collect(h->probes, release, h);
}

void snt_probe_hold_stop(struct snt_probe_hold *h)
{
    h->stopped = true;
    snt_probes_cancel_queued(h->probes);
}

void snt_probe_hold_finish(struct snt_probe_hold *h, volatile sig_atomic_t *stop)
{
    for (;;) {
        snt_probe_hold_poll(h);
        if (!snt_probes_outstanding(h->probes)) {
            /* Nothing will answer any more: whatever still waits goes out
             * as it is, so nothing read is lost. */
            for (struct held *x = h->head; x; x = x->next)
                x->waiting = false;
            flush(h);
            return;
        }
        if (stop && *stop && !h->stopped)
            snt_probe_hold_stop(h);
        snt_probes_wait(h->probes, WAIT_SLICE_MS);
    }
}

void snt_probe_hold_stats(const struct snt_probe_hold *h, struct snt_stats_probe *out)
{
    struct snt_probe_counters c;
    snt_probes_counters(h->probes, &c);
    memset(out, 0, sizeof *out);
    out->on = true;
    out->sent = c.sent;
    out->ok = c.ok;
    out->failed = c.failed;
    out->reused = c.reused;
    out->capped = c.capped;
    out->filtered = c.filtered;
    out->cancelled = c.cancelled + h->refused_stopped;
    out->own_connections = h->own_connections;
    out->not_awaited = h->not_awaited;
    out->waiting = h->n_held;
}
