/* Text forms shared by every output sink: RFC 3339 timestamps, IP
 * addresses, decimal numbers.  Written directly, without the printf family,
 * since every record carries several of them. */
#ifndef SNITRACE_FORMAT_H
#define SNITRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "snitrace/decode.h"

#define SNT_FORMAT_TIME_LEN 40 /* room for any snt_format_time output */
#define SNT_FORMAT_ADDR_LEN 46 /* INET6_ADDRSTRLEN */
#define SNT_FORMAT_UINT_LEN 21 /* 2^64 - 1 and its NUL */

/* RFC 3339 UTC with microseconds, "2026-11-25T14:00:00.123456Z", into buf
 * (at least SNT_FORMAT_TIME_LEN bytes).  Returns the length. */
size_t snt_format_time(uint64_t ts_usec, char *buf, size_t len);

/* An IP address as inet_ntop(3) writes it (RFC 5952 for IPv6, with the
 * dotted IPv4 tail of mapped and compatible addresses), into buf (at least
 * SNT_FORMAT_ADDR_LEN bytes).  Returns the length. */
size_t snt_format_addr(const struct snt_addr *a, char *buf, size_t len);

/* v in decimal into out (at least SNT_FORMAT_UINT_LEN bytes).  Returns the
 * length. */
size_t snt_format_uint(uint64_t v, char *out);

#endif
