/* One certificate probe: a TCP connection and a TLS handshake (RFC 8446,
 * RFC 5246) through OpenSSL, on a worker thread, within one deadline.
 *
 * The socket is non-blocking and every wait is a poll() bounded by what is
 * left of the deadline, so a server that accepts and never speaks, or one
 * that never answers the SYN, costs at most the timeout.  The chain is
 * taken as the server sent it and never verified: judging it is the main
 * thread's business.  The connection ends with close_notify and a FIN, not
 * a reset, and the probe reads what is still in flight before closing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "probe_internal.h"
#include "snitrace/cert.h"

#define DRAIN_MS 250 /* how long a clean close may wait for the server's side, past the timeout */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t wall_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

SSL_CTX *probe_tls_context(char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    bool ok = ctx && SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
              SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
              SSL_CTX_set_cipher_list(ctx, "ALL:!aNULL:@SECLEVEL=0") == 1;
    if (!ok) {
        snprintf(err, errlen, "cannot set up the TLS client for --probe");
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    return ctx;
}

static socklen_t server_sockaddr(const struct snt_probe_key *k, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (k->server.family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(k->port);
        memcpy(&s6->sin6_addr, k->server.b, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(k->port);
    memcpy(&s4->sin_addr, k->server.b, 4);
    return sizeof *s4;
}

/* The socket's local address and port; port 0 when it has none. */
static uint16_t local_end(int fd, struct sockaddr_storage *ss, struct snt_addr *addr)
{
    socklen_t len = sizeof *ss;
    memset(addr, 0, sizeof *addr);
    if (getsockname(fd, (struct sockaddr *)ss, &len) != 0)
        return 0;
    if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        addr->family = 6;
        memcpy(addr->b, &s6->sin6_addr, 16);
        return ntohs(s6->sin6_port);
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    addr->family = 4;
    memcpy(addr->b, &s4->sin_addr, 4);
    return ntohs(s4->sin_port);
}

/* The source address the routing table picks for the server, with port 0:
 * connect() on a UDP socket only chooses the route, it sends nothing. */
static bool route_source(const struct sockaddr_storage *server, socklen_t len,
                         struct sockaddr_storage *local)
{
    struct snt_addr unused;
    int fd = socket(server->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, (const struct sockaddr *)server, len) == 0 &&
              local_end(fd, local, &unused) != 0;
    if (fd >= 0)
        close(fd);
    if (ok && local->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)local)->sin6_port = 0;
    else if (ok)
        ((struct sockaddr_in *)local)->sin_port = 0;
    return ok;
}

/* A non-blocking socket bound to its source address and an ephemeral port,
 * announced through bound() before connect() sends the SYN, so the capture
 * can tell the probe's connection from a client's; -1 with errno. */
static int open_socket(const struct sockaddr_storage *server, socklen_t len, probe_bound_fn bound,
                       void *arg)
{
    struct sockaddr_storage local;
    if (!route_source(server, len, &local))
        return -1;
    int fd = socket(server->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct snt_addr addr;
    uint16_t port = 0;
    if (bind(fd, (struct sockaddr *)&local, len) != 0 || !(port = local_end(fd, &local, &addr))) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    bound(arg, &addr, port);
    return fd;
}

/* 1 when fd is ready for events, 0 when the deadline passed, -1 on error. */
static int wait_fd(int fd, short events, uint64_t deadline_ms)
{
    for (;;) {
        uint64_t now = mono_ms();
        if (now >= deadline_ms)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int rc = poll(&pfd, 1, (int)(deadline_ms - now));
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

static void set_errno_error(struct snt_probe_result *out, const char *what, int err)
{
    char buf[64];
    const char *s = strerror_r(err, buf, sizeof buf);
    snprintf(out->error, sizeof out->error, "%s: %s", what, s);
}

static bool connect_within(int fd, const struct sockaddr_storage *ss, socklen_t len,
                           uint64_t deadline_ms, unsigned timeout_ms, struct snt_probe_result *out)
{
    if (connect(fd, (const struct sockaddr *)ss, len) != 0 && errno != EINPROGRESS) {
        set_errno_error(out, "connect", errno);
        return false;
    }
    int rc = wait_fd(fd, POLLOUT, deadline_ms);
    if (rc == 0) {
        snprintf(out->error, sizeof out->error, "connect: no answer within %u ms", timeout_ms);
        return false;
    }
    int soerr = 0;
    socklen_t elen = sizeof soerr;
    if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) != 0)
        soerr = errno;
    if (soerr) {
        set_errno_error(out, "connect", soerr);
        return false;
    }
    return true;
}

static void handshake_error(SSL *ssl, int rc, struct snt_probe_result *out)
{
    int e = SSL_get_error(ssl, rc);
    unsigned long code = ERR_peek_last_error();
    char reason[80] = "";
    if (code)
        ERR_error_string_n(code, reason, sizeof reason);
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !code && errno == 0))
        snprintf(out->error, sizeof out->error, "TLS handshake: the server closed the connection");
    else if (e == SSL_ERROR_SYSCALL && !code)
        set_errno_error(out, "TLS handshake", errno);
    else
        snprintf(out->error, sizeof out->error, "TLS handshake: %s", reason);
}

static bool handshake_within(SSL *ssl, int fd, uint64_t deadline_ms, unsigned timeout_ms,
                             struct snt_probe_result *out)
{
    for (;;) {
        ERR_clear_error();
        errno = 0;
        snt_cert_openssl_enter(); /* keys are made and used in there */
        int rc = SSL_connect(ssl);
        snt_cert_openssl_leave();
        if (rc == 1)
            return true;
        int e = SSL_get_error(ssl, rc);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            handshake_error(ssl, rc, out);
            return false;
        }
        int w = wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms);
        if (w <= 0) {
            snprintf(out->error, sizeof out->error, "TLS handshake: no answer within %u ms",
                     timeout_ms);
            return false;
        }
    }
}

/* The chain as the server sent it, leaf first, re-encoded to DER. */
static bool take_chain(SSL *ssl, struct snt_probe_result *out)
{
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    int n = chain ? sk_X509_num(chain) : 0;
    size_t total = 0, keep = 0;
    for (int i = 0; i < n && keep < SNT_CERT_MAX_CHAIN; i++, keep++) {
        int len = i2d_X509(sk_X509_value(chain, i), NULL);
        if (len <= 0 || total + (size_t)len > SNT_PROBE_MAX_CHAIN_BYTES)
            break;
        total += (size_t)len;
    }
    if (keep == 0 || !(out->der = malloc(total)))
        return false;
    unsigned char *at = out->der;
    for (size_t i = 0; i < keep; i++) {
        out->certs[i].p = at;
        out->certs[i].len = (size_t)i2d_X509(sk_X509_value(chain, (int)i), &at);
    }
    out->n_certs = keep;
    out->chain_total = (unsigned)n;
    return true;
}

/* close_notify, then our FIN; read what the server still sends (tickets,
 * its own close_notify) for a moment, so the kernel does not answer it
 * with a reset. */
static void close_cleanly(SSL *ssl, int fd)
{
    if (ssl && SSL_is_init_finished(ssl))
        SSL_shutdown(ssl);
    shutdown(fd, SHUT_WR);
    uint64_t until = mono_ms() + DRAIN_MS;
    char sink[4096];
    while (wait_fd(fd, POLLIN, until) > 0 && read(fd, sink, sizeof sink) > 0)
        ;
    close(fd);
}

static bool configure(SSL *ssl, int fd, const struct snt_probe_key *k, const uint8_t *alpn,
                      size_t alpn_len)
{
    if (SSL_set_fd(ssl, fd) != 1)
        return false;
    if (k->name_len && SSL_set_tlsext_host_name(ssl, k->name) != 1)
        return false;
    /* SSL_set_alpn_protos returns 0 on success. */
    return !alpn_len || SSL_set_alpn_protos(ssl, alpn, (unsigned)alpn_len) == 0;
}

void probe_tls_run(SSL_CTX *ctx, const struct snt_probe_key *k, const uint8_t *alpn,
                   size_t alpn_len, unsigned timeout_ms, probe_bound_fn bound, void *arg,
                   struct snt_probe_result *out)
{
    uint64_t deadline = mono_ms() + timeout_ms;
    out->port = k->port;
    out->made = true;
    struct sockaddr_storage server;
    socklen_t len = server_sockaddr(k, &server);
    int fd = open_socket(&server, len, bound, arg);
    if (fd < 0) {
        set_errno_error(out, "connect", errno);
        out->usec = wall_usec();
        return;
    }
    SSL *ssl = NULL;
    bool shook = false;
    if (connect_within(fd, &server, len, deadline, timeout_ms, out)) {
        ssl = SSL_new(ctx);
        if (!ssl || !configure(ssl, fd, k, alpn, alpn_len))
            snprintf(out->error, sizeof out->error, "cannot set up the TLS connection");
        else
            shook = handshake_within(ssl, fd, deadline, timeout_ms, out);
    }
    /* A handshake that failed after the Certificate still showed the chain. */
    out->ok = ssl && take_chain(ssl, out);
    if (out->ok)
        out->error[0] = '\0';
    else if (shook)
        snprintf(out->error, sizeof out->error, "the server sent no certificate");
    out->usec = wall_usec();
    close_cleanly(ssl, fd);
    SSL_free(ssl);
    ERR_clear_error();
}
