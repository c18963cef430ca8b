/* Plain HTTP/1.x request head (RFC 9112): method, target, version, Host. */
#ifndef SNITRACE_HTTP_H
#define SNITRACE_HTTP_H

#include "snitrace/reader.h"
#include "snitrace/result.h"

struct snt_http_request {
    struct snt_span method;  /* "GET", "CONNECT", ... */
    struct snt_span target;  /* request-target as sent */
    struct snt_span version; /* "HTTP/1.1" */
    struct snt_span host;    /* first Host header value, port stripped; len 0 if none */
    bool has_host;
    struct snt_span connect_host; /* CONNECT authority's host, port stripped */
    uint16_t connect_port;        /* 0 if absent */
    bool is_connect;
};

/* Quick test on the first bytes of a stream: could this be an HTTP request
 * line ("METHOD SP")?  Returns SNT_OK (yes), SNT_NEED_MORE, or SNT_NOT_MINE. */
enum snt_result snt_http_sniff(const uint8_t *p, size_t len);

/* Parse the request head at the start of p.  SNT_OK when the head is complete
 * (ends in an empty line) or at least the Host header was seen in full;
 * SNT_NEED_MORE while neither; SNT_NOT_MINE if the request line is not HTTP;
 * SNT_MALFORMED for a broken head.  Spans borrow from p. */
enum snt_result snt_http_parse_request(const uint8_t *p, size_t len,
                                       struct snt_http_request *out);

#endif
