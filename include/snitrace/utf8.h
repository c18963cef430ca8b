/* Untrusted bytes made fit for JSON and people: valid UTF-8 without NUL. */
#ifndef SNITRACE_UTF8_H
#define SNITRACE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make untrusted bytes valid UTF-8: valid sequences are kept, every invalid
 * byte becomes U+FFFD, NUL becomes U+FFFD too.  Returns a malloc'd string. */
char *snt_utf8_sanitize(const uint8_t *p, size_t len);

/* The same into out, which holds SNT_UTF8_SANITIZED_MAX(len) bytes; returns
 * the length written (a NUL follows). */
#define SNT_UTF8_SANITIZED_MAX(len) ((len)*3 + 1)
size_t snt_utf8_sanitize_into(const uint8_t *p, size_t len, char *out);

/* Length of the well-formed UTF-8 sequence at p (1..4; NUL is none), or 0
 * when the byte at p starts none. */
size_t snt_utf8_sequence_len(const uint8_t *p, size_t left);

/* True when snt_utf8_sanitize would keep p as it is: well-formed UTF-8
 * without NUL.  Otherwise the sanitized form has lost bytes. */
bool snt_utf8_is_clean(const uint8_t *p, size_t len);

#endif
