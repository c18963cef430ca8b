/* Host flags: servers whose certificate does not cover a name clients asked
 * of it.  One entry per (server address, port, certificate SHA-256); every
 * name asked of it is remembered (bounded) so the suggested subjectAltNames
 * cover them all, plus what the certificate already covers.  Noting a name
 * is O(1): names are compared case-insensitively through a hash table.
 */
#ifndef SNITRACE_FLAGS_H
#define SNITRACE_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/attempt.h"
#include "snitrace/cert.h"
#include "snitrace/decode.h"

#define SNT_FLAG_MAX_NAMES 256 /* names remembered per server and certificate */

struct snt_flag {
    struct snt_addr server;
    uint16_t port;
    uint64_t first_usec, last_usec;
    struct snt_cert_info cert; /* a copy */
    char **cert_names; /* DNS SANs, else the CNs; then IP SANs: what it covers (into cert) */
    size_t n_cert_names;
    unsigned problems;           /* SNT_PROBLEM_* seen on any attempt */
    enum snt_cert_source source; /* probe only while no attempt saw the certificate otherwise */
    char **asked;                /* every name asked, first-seen order (the flag's own) */
    size_t n_asked;
    char **failed; /* names that did not match, first-seen order (the flag's own) */
    size_t n_failed;
    bool suspected;     /* no certificate seen: clients seemed to turn it down (inferred) */
    bool names_dropped; /* SNT_FLAG_MAX_NAMES was reached */
    bool written;       /* a flag record was written */
    bool changed;       /* names were added since it was written */
};

struct snt_flags;

struct snt_flags *snt_flags_new(size_t max_entries);
void snt_flags_free(struct snt_flags *f); /* accepts NULL */

/* Record that a client asked `name` of this server and got `cert` (from
 * `source`).  Returns the flag when it must be written now (the first
 * failed name), else NULL. */
struct snt_flag *snt_flags_note(struct snt_flags *f, const struct snt_addr *server, uint16_t port,
                                const struct snt_cert_result *cert, enum snt_cert_source source,
                                const char *name, uint64_t ts_usec);

/* A client turned down (or seemed to: problems says which) the
 * certificate of a server it asked `name` of, but the certificate itself
 * could not be seen: a suspected flag, one per server, with no certificate
 * fields.  Returns it when it must be written now, else NULL. */
struct snt_flag *snt_flags_note_suspected(struct snt_flags *f, const struct snt_addr *server,
                                          uint16_t port, unsigned problems, const char *name,
                                          uint64_t ts_usec);

/* What a finished attempt tells about its server: snt_flags_note for a
 * certificate, snt_flags_note_suspected for a rejection inferred without
 * one, under the name the client asked (its SNI, else its name, in the
 * readable form).  Returns the flag when it must be written now. */
struct snt_flag *snt_flags_note_attempt(struct snt_flags *f, const struct snt_attempt *a);

/* Every flag written earlier that has changed since, then marked unchanged. */
void snt_flags_each_changed(struct snt_flags *f, void (*fn)(struct snt_flag *, void *), void *arg);

/* Every flag that was written (for summaries and --openssl-config). */
void snt_flags_each_written(struct snt_flags *f, void (*fn)(struct snt_flag *, void *), void *arg);

/* The suggested subjectAltNames: every name asked, then every name the
 * certificate covers, without duplicates (case-insensitive).  Returns the
 * count; names point into the flag. */
size_t snt_flag_suggested_names(const struct snt_flag *fl, const char **out, size_t max);

uint64_t snt_flags_count(const struct snt_flags *f);   /* flags written */
uint64_t snt_flags_dropped(const struct snt_flags *f); /* servers not tracked: table full */

#endif
