/* Attempts waiting for their probe (--probe), on the main thread.
 *
 * An attempt whose certificate could not be seen (TLS 1.3, QUIC) is copied
 * and held while its probe runs.  When the probe answers, or gives up, the
 * chain is judged with the same checks as a chain seen on the wire, at the
 * probe's time, and the attempt is written.  Every other attempt passes
 * straight through.  A held attempt is reported finished (to sessions,
 * flags, output) only when written, so its session stays open until then.
 */
#ifndef SNITRACE_PROBE_HOLD_H
#define SNITRACE_PROBE_HOLD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "snitrace/attempt.h"
#include "snitrace/cert.h"
#include "snitrace/cert_judge.h"
#include "snitrace/stats.h"
#include "snitrace/probe.h"

#define SNT_PROBE_MAX_HELD 4096 /* attempts held at once; more are written unprobed */

/* Where attempts go once they are ready to be written. */
typedef void (*snt_probe_write_fn)(const struct snt_attempt *a, void *arg);

struct snt_probe_hold;

/* probes and certs are borrowed; max_probes as given to the prober. */
struct snt_probe_hold *snt_probe_hold_new(struct snt_probes *probes, struct snt_cert_judge *certs,
                                          unsigned max_probes, bool live, snt_probe_write_fn write,
                                          void *arg);
void snt_probe_hold_free(struct snt_probe_hold *h); /* accepts NULL; held attempts are dropped */

/* The attempt's certificate could not be seen and a probe could show it. */
bool snt_probe_wanted(const struct snt_attempt *a);

/* Live: the attempt is one of the probes' own connections (never reported). */
bool snt_probe_hold_is_own(struct snt_probe_hold *h, const struct snt_attempt *a);

/* A finished attempt: written now, held for its probe, or (a probe's own
 * connection) dropped and counted. */
void snt_probe_hold_attempt(struct snt_probe_hold *h, const struct snt_attempt *a);

/* Write the attempts whose probes answered since last time; cheap when
 * none did (call it between packets and when idle). */
void snt_probe_hold_poll(struct snt_probe_hold *h);

/* Stopped by a signal: no new probes; those not started are cancelled. */
void snt_probe_hold_stop(struct snt_probe_hold *h);

/* End of input: wait for every outstanding probe (each bounded by the probe
 * timeout) and write the attempts that waited.  When *stop becomes
 * non-zero meanwhile, probes not yet started are cancelled. */
void snt_probe_hold_finish(struct snt_probe_hold *h, volatile sig_atomic_t *stop);

/* The probe counters for the stats record. */
void snt_probe_hold_stats(const struct snt_probe_hold *h, struct snt_stats_probe *out);

#endif
