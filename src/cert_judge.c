/* Certificate checks for attempts (include/snitrace/cert_judge.h).
 *
 * Threaded, each chain becomes a job: a copy of the DER bytes and of what
 * the name check needs (the SNI, the name, the server's address), queued
 * for the judging thread, which works through the queue in order with the
 * one checker.  The attempt keeps a pointer to its job; collecting waits
 * until the job is done, moves the verdict into the attempt and frees the
 * job.  The thread never frees a job, so the pointer stays good until
 * then.  The checker's counters are copied out after every job, under the
 * lock, for stats records written while the thread works.
 */
#include "snitrace/cert_judge.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct snt_cert_job {
    struct snt_cert_job *next; /* queue order */
    bool done;
    bool parsed; /* the leaf parsed */
    int64_t when;
    unsigned total;
    size_t n;
    struct snt_span certs[SNT_CERT_MAX_CHAIN];
    struct snt_attempt subject; /* name, SNI and server: the question; the verdict lands here */
    uint8_t der[];              /* the chain's bytes, which certs point into */
};

struct snt_cert_judge {
    struct snt_cert_checker *checker;
    bool threaded;
    size_t depth;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work, done, room;
    struct snt_cert_job *head, *tail; /* queued, not yet judged */
    size_t queued;                    /* jobs not yet judged */
    bool closing;
    struct snt_cert_counters counters; /* the checker's, as of the last job */
};

/* ---- judging ---------------------------------------------------------------- */

static void judge_job(struct snt_cert_checker *c, struct snt_cert_job *job)
{
    job->parsed =
        snt_attempt_judge_chain(&job->subject, c, job->certs, job->n, job->total, job->when);
}

static struct snt_cert_job *take_job(struct snt_cert_judge *j)
{
    pthread_mutex_lock(&j->lock);
    while (!j->head && !j->closing)
        pthread_cond_wait(&j->work, &j->lock);
    struct snt_cert_job *job = j->head;
    pthread_mutex_unlock(&j->lock);
    return job; /* stays queued (head) until judged: collect waits on done */
}

static void *judging_thread(void *arg)
{
    struct snt_cert_judge *j = arg;
    struct snt_cert_job *job;
    while ((job = take_job(j)) != NULL) {
        judge_job(j->checker, job);
        pthread_mutex_lock(&j->lock);
        snt_cert_counters(j->checker, &j->counters);
        job->done = true;
        j->head = job->next;
        if (!j->head)
            j->tail = NULL;
        j->queued--;
        pthread_cond_broadcast(&j->done);
        pthread_cond_signal(&j->room);
        pthread_mutex_unlock(&j->lock);
    }
    return NULL;
}

/* ---- the caller's side ----------------------------------------------------------- */

struct snt_cert_judge *snt_cert_judge_new(struct snt_cert_checker *checker, bool threaded,
                                          size_t depth)
{
    struct snt_cert_judge *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->checker = checker;
    j->threaded = threaded;
    j->depth = depth ? depth : 1;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->done, NULL);
    pthread_cond_init(&j->room, NULL);
    if (threaded && pthread_create(&j->thread, NULL, judging_thread, j) != 0) {
        j->threaded = false;
        snt_cert_judge_free(j);
        return NULL;
    }
    return j;
}

void snt_cert_judge_free(struct snt_cert_judge *j)
{
    if (!j)
        return;
    if (j->threaded) {
        pthread_mutex_lock(&j->lock);
        j->closing = true;
        pthread_cond_signal(&j->work);
        pthread_mutex_unlock(&j->lock);
        pthread_join(j->thread, NULL);
    }
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->done);
    pthread_cond_destroy(&j->room);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

/* The job: the question (name, SNI, server) and a copy of the chain. */
static struct snt_cert_job *job_new(const struct snt_attempt *a, const struct snt_span *chain,
                                    size_t n, unsigned total, int64_t when)
{
    size_t bytes = 0;
    if (n > SNT_CERT_MAX_CHAIN)
        n = SNT_CERT_MAX_CHAIN;
    for (size_t i = 0; i < n; i++)
        bytes += chain[i].len;
    struct snt_cert_job *job = malloc(sizeof *job + bytes);
    if (!job)
        return NULL;
    job->next = NULL;
    job->done = false;
    job->parsed = false;
    job->when = when;
    job->total = total;
    job->n = n;
    snt_attempt_init(&job->subject);
    job->subject.server = a->server;
    snt_attempt_set_bytes(&job->subject, &job->subject.sni, a->sni.p, a->sni.len, a->sni.len);
    snt_attempt_set_bytes(&job->subject, &job->subject.name, a->name.p, a->name.len, a->name.len);
    uint8_t *at = job->der;
    for (size_t i = 0; i < n; i++) {
        if (chain[i].len)
            memcpy(at, chain[i].p, chain[i].len);
        job->certs[i] = (struct snt_span){at, chain[i].len};
        at += chain[i].len;
    }
    return job;
}

static void enqueue(struct snt_cert_judge *j, struct snt_cert_job *job)
{
    pthread_mutex_lock(&j->lock);
    while (j->queued >= j->depth)
        pthread_cond_wait(&j->room, &j->lock);
    if (j->tail)
        j->tail->next = job;
    else
        j->head = job;
    j->tail = job;
    j->queued++;
    pthread_cond_signal(&j->work);
    pthread_mutex_unlock(&j->lock);
}

bool snt_cert_judge_submit(struct snt_cert_judge *j, struct snt_attempt *a,
                           const struct snt_span *chain, size_t n, unsigned total, int64_t when,
                           enum snt_cert_source source)
{
    a->cert_source = source;
    if (!j->threaded) {
        /* Judged here and now, into the attempt itself. */
        return snt_attempt_judge_chain(a, j->checker, chain, n, total, when);
    }
    struct snt_cert_job *job = job_new(a, chain, n, total, when);
    if (!job) {
        /* No memory for a job: judge it here rather than not at all, once
         * the thread is idle (the checker is not to be shared). */
        pthread_mutex_lock(&j->lock);
        while (j->queued)
            pthread_cond_wait(&j->done, &j->lock);
        bool parsed = snt_attempt_judge_chain(a, j->checker, chain, n, total, when);
        snt_cert_counters(j->checker, &j->counters);
        pthread_mutex_unlock(&j->lock);
        return parsed;
    }
    a->has_cert = true; /* seen; what it says comes with the verdict */
    a->cert_job = job;
    enqueue(j, job);
    return true;
}

/* The verdict, judged on the job's own attempt, moved into a. */
static void apply(struct snt_attempt *a, struct snt_cert_job *job)
{
    struct snt_attempt *s = &job->subject;
    if (!s->has_cert)
        return;
    a->cert = s->cert; /* the info's strings change hands, no copy */
    memset(&s->cert, 0, sizeof s->cert);
    s->has_cert = false;
    a->problems |= s->problems;
}

bool snt_cert_judge_collect(struct snt_cert_judge *j, struct snt_attempt *a)
{
    struct snt_cert_job *job = a->cert_job;
    if (!job)
        return true;
    pthread_mutex_lock(&j->lock);
    while (!job->done)
        pthread_cond_wait(&j->done, &j->lock);
    pthread_mutex_unlock(&j->lock);
    bool parsed = job->parsed;
    apply(a, job);
    a->cert_job = NULL;
    snt_attempt_free(&job->subject);
    free(job);
    return parsed;
}

void snt_cert_judge_counters(struct snt_cert_judge *j, struct snt_cert_counters *out)
{
    pthread_mutex_lock(&j->lock);
    if (j->threaded)
        *out = j->counters;
    else
        snt_cert_counters(j->checker, out);
    pthread_mutex_unlock(&j->lock);
}
