/* The DNS name cache: which name a client last resolved to an address, and
 * the CNAME chain that led there, so a connection without SNI or Host can be
 * named by what the client meant.  Per client, with a shared fallback (the
 * most recent answer for the address to any client); bounded, LRU.
 * Storing and looking up are O(1) and allocate nothing once the cache has
 * grown to the size the traffic needs.
 */
#ifndef SNITRACE_NAMES_H
#define SNITRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "snitrace/decode.h"
#include "snitrace/dns.h"

#define SNT_NAMES_MAX_CHAIN   8
#define SNT_NAMES_DEFAULT_MAX 65536

struct snt_name_entry {
    struct snt_addr client; /* family 0: the shared fallback */
    struct snt_addr server;
    uint64_t ts_usec;
    const char *qname; /* what the client asked for (the entry's own) */
    const char *chain; /* the CNAME targets in order, each NUL-terminated, one after the other */
    unsigned n_chain;  /* at most SNT_NAMES_MAX_CHAIN */
};

/* The i-th CNAME target of e (i < e->n_chain). */
const char *snt_name_entry_chain(const struct snt_name_entry *e, unsigned i);

struct snt_names;

struct snt_names *snt_names_new(size_t max_entries);
void snt_names_free(struct snt_names *n); /* accepts NULL */

/* Remember the addresses a DNS response gave this client (A/AAAA answers
 * reached from the question through CNAMEs).  Returns how many. */
unsigned snt_names_learn(struct snt_names *n, const struct snt_addr *client,
                         const struct snt_dns_message *m, uint64_t ts_usec);

/* The name this client last resolved to server, else any client's; NULL.
 * Valid until the next snt_names_learn. */
const struct snt_name_entry *snt_names_lookup(struct snt_names *n, const struct snt_addr *client,
                                              const struct snt_addr *server);

uint64_t snt_names_evictions(const struct snt_names *n);

#endif
