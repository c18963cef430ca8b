/* Certificate checks for attempts, on the caller's thread or on a thread
 * of their own.
 *
 * The engine hands over each chain as soon as the Certificate message is
 * read (--probe hands over what a probe fetched) and goes on parsing; the
 * verdict is put into the attempt when it is written
 * (snt_cert_judge_collect), which waits for it if the checks are behind;
 * the report queue (include/snitrace/report.h) holds a finished attempt
 * until snt_cert_judge_ready says it need not.
 * Chains are judged one at a time in the order they were handed over, by
 * the one certificate checker, so the verdicts, the cache and its counters
 * are exactly those of judging each chain where it was handed over.
 */
#ifndef SNITRACE_CERT_JUDGE_H
#define SNITRACE_CERT_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/cert.h"
#include "snitrace/reader.h"

struct snt_cert_judge;

/* checker is borrowed and used by no one else from now on.  threaded:
 * judge on a thread of its own, at most `depth` chains behind the caller
 * (who then waits); else judge at once, on the caller's thread.  NULL when
 * memory or the thread cannot be had. */
struct snt_cert_judge *snt_cert_judge_new(struct snt_cert_checker *checker, bool threaded,
                                          size_t depth);

/* Wake a sleeping judging thread only once `chains` chains wait (default
 * 1), or when the caller waits for a verdict: offline, where no one
 * watches verdicts come, a wake-up per chain costs more than the wait. */
void snt_cert_judge_set_wake_batch(struct snt_cert_judge *j, size_t chains);
void snt_cert_judge_free(struct snt_cert_judge *j); /* waits for the thread; accepts NULL */

/* The chain (DER, leaf first; n kept of `total` sent) the attempt's server
 * presented, to be judged as of `when` (seconds) against the name the
 * attempt has now (its SNI, else its name, else its server's address).
 * The attempt is marked as having a certificate (has_cert, cert_source) at
 * once; its certificate fields and problems are filled in by
 * snt_cert_judge_collect.  Returns false when the leaf does not parse (the
 * attempt then says so); threaded, that is only known at collection. */
bool snt_cert_judge_submit(struct snt_cert_judge *j, struct snt_attempt *a,
                           const struct snt_span *chain, size_t n, unsigned total, int64_t when,
                           enum snt_cert_source source);

/* The attempt is finished (or thrown away): its verdict, if one is
 * pending, is put into it now.  Returns false when the leaf did not parse
 * (counted once, here or at submission). */
bool snt_cert_judge_collect(struct snt_cert_judge *j, struct snt_attempt *a);

/* The attempt's verdict is in, or none is pending: collecting it now
 * would not wait. */
bool snt_cert_judge_ready(const struct snt_attempt *a);

/* The checker's counters, as of the chains judged so far. */
void snt_cert_judge_counters(struct snt_cert_judge *j, struct snt_cert_counters *out);

#endif
