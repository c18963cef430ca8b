/* Probe internals shared by probe.c (queue, workers, dedup) and probe_tls.c
 * (one connection). */
#ifndef SNITRACE_PROBE_INTERNAL_H
#define SNITRACE_PROBE_INTERNAL_H

#include <openssl/ssl.h>

#include "snitrace/probe.h"

/* The client context every probe shares: TLS 1.2 and 1.3, no verification,
 * no session resumption (each probe sees a full handshake), no security
 * level (a weak certificate must come back so it can be reported). */
SSL_CTX *probe_tls_context(char *err, size_t errlen);

/* Called on the worker once the socket has its local address and port,
 * before the first packet is sent, so the capture can recognise it. */
typedef void (*probe_bound_fn)(void *arg, const struct snt_addr *local, uint16_t local_port);

/* Connect to k->server:k->port, handshake with k's SNI and the ALPN list
 * (wire form), take the chain, close.  Everything within timeout_ms.
 * Fills out (usec, made, ok or error, the chain). */
void probe_tls_run(SSL_CTX *ctx, const struct snt_probe_key *k, const uint8_t *alpn,
                   size_t alpn_len, unsigned timeout_ms, probe_bound_fn bound, void *arg,
                   struct snt_probe_result *out);

#endif
