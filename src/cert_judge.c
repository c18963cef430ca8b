/* Certificate checks for attempts (include/snitrace/cert_judge.h).
 *
 * Threaded, each chain becomes a job: a copy of the DER bytes and of what
 * the name check needs (the SNI, the name, the server's address), put in a
 * ring for the judging thread, which works through it in order with the
 * one checker.  The attempt keeps a pointer to its job; collecting waits
 * until the job is done, moves the verdict into the attempt and frees the
 * job.  The thread never frees a job, so the pointer stays good until
 * then.
 *
 * One thread hands jobs over and collects them, one judges them: the ring
 * is single-producer, single-consumer, its two indexes atomic, so neither
 * side takes a lock for a job.  A side with nothing to do spins a little,
 * then sleeps on a condition variable; the other wakes it only when it
 * says it sleeps (its flag, and the index, both sequentially consistent,
 * so one of the two always sees the other's change).  The checker's
 * counters are copied out after every job, for stats records written
 * while the thread works.
 */
#include "snitrace/cert_judge.h"
#include "snitrace/hugepages.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "thread.h"

struct snt_cert_job {
    atomic_bool done;
    bool parsed; /* the leaf parsed */
    int64_t when;
    unsigned total;
    size_t n;
    struct snt_span certs[SNT_CERT_MAX_CHAIN];
    struct snt_addr server;         /* the question: with the SNI and the name */
    struct snt_bytes sni, name;     /* in der[], after the chain */
    struct snt_cert_result verdict; /* the answer, once done */
    uint8_t der[];                  /* the chain's bytes, which certs point into */
};

/* A futex call to sleep or wake costs more than a cached verdict: a side
 * spins this long for work (the judging thread) or for its verdict (the
 * caller) before it sleeps.  On the bench's mixed capture a chain comes
 * about every 60 us.  While the engine waited for each verdict soon after
 * (before the report queue, include/snitrace/report.h), a judging thread
 * that slept after 5 us had to be woken for nearly every one, and 50 us
 * took the mixed GB from 2.91-2.98 s to 2.69-2.78 s (quiet machine, 2
 * CPUs).  Now that the capture thread rarely waits, 5, 20 and 50 us are
 * alike within the machine's noise.  Where the CPUs are fewer than the
 * threads (capture, this one, output), neither side spins: a spinning
 * thread keeps another from running.  The judging thread idle: on two CPUs
 * that took the mixed GB from 1.64-1.69 s to 1.57-1.62 s.  The caller: it
 * waits only when the judging thread is behind (the report queue full, a
 * few hundred times on the handshakes 200 MB, where new leaves come
 * fastest), and each wait spun the whole 50 us, on the CPU that thread
 * needed: 6% of the capture thread's time there.  Without it the capture
 * thread took 0.413 s instead of 0.431 s, all threads 0.803 s instead of
 * 0.829 s (means of 8 runs in turn); the mixed GB, which waits hardly at
 * all, measured the same. */
#define IDLE_SPIN_NSEC   50000
#define SPIN_MIN_CPUS    3
#define CALLER_SPIN_NSEC 50000
#define N_COUNTERS       6 /* the fields of struct snt_cert_counters */

struct snt_cert_judge {
    struct snt_cert_checker *checker;
    bool threaded;
    uint64_t idle_spin_nsec;   /* IDLE_SPIN_NSEC, or 0 where CPUs are few */
    uint64_t caller_spin_nsec; /* CALLER_SPIN_NSEC, or 0 where CPUs are few */
    size_t wake_batch;         /* chains waiting before a sleeping thread is woken */
    pthread_t thread;
    struct snt_cert_job **ring;
    size_t mask;               /* ring size - 1: a power of two */
    atomic_size_t head, tail;  /* next to judge, next free; head <= tail */
    atomic_bool closing;       /* no more jobs: the thread ends when the ring is empty */
    atomic_bool judge_sleeps;  /* the judging thread waits for a job */
    atomic_bool caller_sleeps; /* the caller waits for a verdict or for room */
    pthread_mutex_t lock;      /* for the condition variables */
    pthread_cond_t judge_wake, caller_wake;
    /* The checker's counters as of the last job, field by field (parsed,
     * verified, cache hits, parse errors, intermediates reused, issuers known
     * absent), for stats records written while the thread works. */
    atomic_uint_least64_t counters[N_COUNTERS];
};

/* ---- waiting without a lock per job --------------------------------------------- */

static uint64_t now_nsec(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Spin until ready(arg) or nsec have passed; true when it came true. */
static bool spin_until(bool (*ready)(void *), void *arg, uint64_t nsec)
{
    uint64_t end = 0;
    for (unsigned i = 0;; i++) {
        if (ready(arg))
            return true;
        if ((i & 63) == 0) {
            uint64_t t = now_nsec();
            if (!end)
                end = t + nsec;
            else if (t >= end)
                return false;
        }
        cpu_relax();
    }
}

/* Sleep on cond until ready(arg), saying so in *sleeps meanwhile. */
static void sleep_until(struct snt_cert_judge *j, pthread_cond_t *cond, atomic_bool *sleeps,
                        bool (*ready)(void *), void *arg)
{
    pthread_mutex_lock(&j->lock);
    atomic_store(sleeps, true);
    while (!ready(arg))
        pthread_cond_wait(cond, &j->lock);
    atomic_store(sleeps, false);
    pthread_mutex_unlock(&j->lock);
}

/* Wake the other side if it says it sleeps (after the change it waits for). */
static void wake(struct snt_cert_judge *j, pthread_cond_t *cond, atomic_bool *sleeps)
{
    if (!atomic_load(sleeps))
        return;
    pthread_mutex_lock(&j->lock);
    pthread_cond_broadcast(cond);
    pthread_mutex_unlock(&j->lock);
}

static void wait_for(struct snt_cert_judge *j, bool judge_side, bool (*ready)(void *), void *arg,
                     uint64_t spin_nsec)
{
    if (spin_until(ready, arg, spin_nsec))
        return;
    if (judge_side)
        sleep_until(j, &j->judge_wake, &j->judge_sleeps, ready, arg);
    else
        sleep_until(j, &j->caller_wake, &j->caller_sleeps, ready, arg);
}

/* ---- judging ---------------------------------------------------------------- */

static bool work_or_closing(void *arg)
{
    struct snt_cert_judge *j = arg;
    return atomic_load(&j->head) != atomic_load(&j->tail) || atomic_load(&j->closing);
}

static void publish_counters(struct snt_cert_judge *j)
{
    struct snt_cert_counters c;
    snt_cert_counters(j->checker, &c);
    const uint64_t v[N_COUNTERS] = {c.parsed,
                                    c.verified,
                                    c.cache_hits,
                                    c.parse_errors,
                                    c.intermediates_reused,
                                    c.issuers_known_absent};
    for (int i = 0; i < N_COUNTERS; i++)
        atomic_store_explicit(&j->counters[i], v[i], memory_order_relaxed);
}

static void *judging_thread(void *arg)
{
    struct snt_cert_judge *j = arg;
    pthread_setname_np(pthread_self(), "snitrace-certs"); /* what top -H and perf show */
    snt_heap_prepare_thread(); /* the verdict cache grows in this thread */
    for (;;) {
        wait_for(j, true, work_or_closing, j, j->idle_spin_nsec);
        size_t head = atomic_load(&j->head);
        if (head == atomic_load(&j->tail))
            return NULL; /* closing, and nothing left */
        struct snt_cert_job *job = j->ring[head & j->mask];
        job->parsed = snt_judge_chain(j->checker, &job->sni, &job->name, &job->server, job->certs,
                                      job->n, job->total, job->when, &job->verdict);
        publish_counters(j);
        atomic_store(&job->done, true);
        atomic_store(&j->head, head + 1);
        wake(j, &j->caller_wake, &j->caller_sleeps);
    }
}

/* ---- the caller's side ----------------------------------------------------------- */

struct snt_cert_judge *snt_cert_judge_new(struct snt_cert_checker *checker, bool threaded,
                                          size_t depth)
{
    struct snt_cert_judge *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    size_t size = 2;
    while (size < depth)
        size <<= 1;
    j->checker = checker;
    j->mask = size - 1;
    bool spin = sysconf(_SC_NPROCESSORS_ONLN) >= SPIN_MIN_CPUS;
    j->idle_spin_nsec = spin ? IDLE_SPIN_NSEC : 0;
    j->caller_spin_nsec = spin ? CALLER_SPIN_NSEC : 0;
    j->wake_batch = 1;
    atomic_init(&j->head, 0);
    atomic_init(&j->tail, 0);
    atomic_init(&j->closing, false);
    atomic_init(&j->judge_sleeps, false);
    atomic_init(&j->caller_sleeps, false);
    for (int i = 0; i < N_COUNTERS; i++)
        atomic_init(&j->counters[i], 0);
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->judge_wake, NULL);
    pthread_cond_init(&j->caller_wake, NULL);
    j->ring = threaded ? calloc(size, sizeof *j->ring) : NULL;
    if (threaded && (!j->ring || snt_thread_start(&j->thread, judging_thread, j) != 0)) {
        snt_cert_judge_free(j);
        return NULL;
    }
    j->threaded = threaded;
    return j;
}

void snt_cert_judge_free(struct snt_cert_judge *j)
{
    if (!j)
        return;
    if (j->threaded) {
        atomic_store(&j->closing, true);
        wake(j, &j->judge_wake, &j->judge_sleeps);
        pthread_join(j->thread, NULL);
    }
    pthread_cond_destroy(&j->judge_wake);
    pthread_cond_destroy(&j->caller_wake);
    pthread_mutex_destroy(&j->lock);
    free(j->ring);
    free(j);
}

/* A string of the question into the job, NUL-terminated, at *at. */
static void job_string(struct snt_bytes *dst, const struct snt_bytes *src, uint8_t **at)
{
    *dst = (struct snt_bytes){src->len, src->truncated, NULL};
    if (!src->len)
        return;
    dst->p = *at;
    memcpy(*at, src->p, src->len);
    (*at)[src->len] = 0;
    *at += src->len + 1;
}

/* The job: the question (name, SNI, server) and a copy of the chain, in
 * one block a few hundred bytes more than the chain. */
static struct snt_cert_job *job_new(const struct snt_attempt *a, const struct snt_span *chain,
                                    size_t n, unsigned total, int64_t when)
{
    size_t bytes = (size_t)a->sni.len + 1 + a->name.len + 1;
    if (n > SNT_CERT_MAX_CHAIN)
        n = SNT_CERT_MAX_CHAIN;
    for (size_t i = 0; i < n; i++)
        bytes += chain[i].len;
    struct snt_cert_job *job = malloc(sizeof *job + bytes);
    if (!job)
        return NULL;
    atomic_init(&job->done, false);
    job->parsed = false;
    job->when = when;
    job->total = total;
    job->n = n;
    job->server = a->server;
    memset(&job->verdict, 0, sizeof job->verdict);
    uint8_t *at = job->der;
    for (size_t i = 0; i < n; i++) {
        if (chain[i].len)
            memcpy(at, chain[i].p, chain[i].len);
        job->certs[i] = (struct snt_span){at, chain[i].len};
        at += chain[i].len;
    }
    job_string(&job->sni, &a->sni, &at);
    job_string(&job->name, &a->name, &at);
    return job;
}

static bool ring_has_room(void *arg)
{
    struct snt_cert_judge *j = arg;
    return atomic_load(&j->tail) - atomic_load(&j->head) <= j->mask;
}

static bool ring_empty(void *arg)
{
    struct snt_cert_judge *j = arg;
    return atomic_load(&j->tail) == atomic_load(&j->head);
}

/* Before the caller waits on the thread: it may sleep with fewer chains
 * than a batch waiting. */
static void wake_judge(struct snt_cert_judge *j)
{
    wake(j, &j->judge_wake, &j->judge_sleeps);
}

static void enqueue(struct snt_cert_judge *j, struct snt_cert_job *job)
{
    if (!ring_has_room(j))
        wake_judge(j);
    wait_for(j, false, ring_has_room, j, j->caller_spin_nsec);
    size_t tail = atomic_load(&j->tail);
    j->ring[tail & j->mask] = job;
    atomic_store(&j->tail, tail + 1);
    if (tail + 1 - atomic_load(&j->head) >= j->wake_batch)
        wake(j, &j->judge_wake, &j->judge_sleeps);
}

void snt_cert_judge_set_wake_batch(struct snt_cert_judge *j, size_t chains)
{
    j->wake_batch = chains ? chains : 1;
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
        wake_judge(j);
        wait_for(j, false, ring_empty, j, j->caller_spin_nsec);
        bool parsed = snt_attempt_judge_chain(a, j->checker, chain, n, total, when);
        publish_counters(j);
        return parsed;
    }
    a->has_cert = true; /* seen; what it says comes with the verdict */
    a->cert_job = job;
    enqueue(j, job);
    return true;
}

/* Whether the thread has judged the job (its verdict is then in it). */
static bool job_done(void *arg)
{
    struct snt_cert_job *job = arg;
    return atomic_load(&job->done);
}

bool snt_cert_judge_collect(struct snt_cert_judge *j, struct snt_attempt *a)
{
    struct snt_cert_job *job = a->cert_job;
    if (!job)
        return true;
    if (!job_done(job))
        wake_judge(j);
    wait_for(j, false, job_done, job, j->caller_spin_nsec);
    bool parsed = job->parsed;
    snt_attempt_take_cert(a, &job->verdict);
    a->cert_job = NULL;
    free(job);
    return parsed;
}

bool snt_cert_judge_ready(const struct snt_attempt *a)
{
    return !a->cert_job || atomic_load(&a->cert_job->done);
}

void snt_cert_judge_counters(struct snt_cert_judge *j, struct snt_cert_counters *out)
{
    if (!j->threaded) {
        snt_cert_counters(j->checker, out);
        return;
    }
    uint64_t v[N_COUNTERS];
    for (int i = 0; i < N_COUNTERS; i++)
        v[i] = atomic_load_explicit(&j->counters[i], memory_order_relaxed);
    *out = (struct snt_cert_counters){v[0], v[1], v[2], v[3], v[4], v[5]};
}
