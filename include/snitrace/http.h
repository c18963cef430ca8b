/* Plain HTTP/1.x request head (RFC 9112): method, target, version, Host. */
#ifndef SNITRACE_HTTP_H
#define SNITRACE_HTTP_H

#include "snitrace/reader.h"
#include "snitrace/result.h"

struct snt_http_request {
    struct snt_span method;  /* "GET", "CONNECT", ... */
    struct snt_span target;  /* request-target as sent */
    struct snt_span version; /* "HTTP/1.1"; len 0 for an HTTP/0.9 request line */
    struct snt_span host;    /* first Host header value, port stripped; len 0 if none */
    bool has_host;
    bool host_malformed;          /* the Host value breaks the grammar (NUL, control bytes,
                                   * spaces, a broken IP literal): host is the value as sent */
    bool host_from_target;        /* no usable Host header: host is the absolute-form
                                   * target's ("GET http://host/ ...") */
    struct snt_span connect_host; /* CONNECT authority's host, port stripped */
    uint16_t connect_port;        /* 0 if absent */
    bool is_connect;
};

/* Quick test on the first bytes of a stream: could this be an HTTP request
 * line ("METHOD SP")?  Returns SNT_OK (yes), SNT_NEED_MORE, or SNT_NOT_MINE. */
enum snt_result snt_http_sniff(const uint8_t *p, size_t len);

/* Parse the request head at the start of p.  SNT_OK when the head is complete
 * (ends in an empty line; for HTTP/0.9 the request line is the head) or at
 * least a non-empty Host header was seen in full;
 * SNT_NEED_MORE while neither; SNT_NOT_MINE if the request line is not HTTP;
 * SNT_MALFORMED for a broken head, or one that has not ended within
 * SNT_MAX_HTTP_HEAD bytes.  Spans borrow from p.  The method must be one
 * snt_http_sniff() knows. */
enum snt_result snt_http_parse_request(const uint8_t *p, size_t len, struct snt_http_request *out);

#endif
