/* A JSON writer for one record at a time: objects, arrays, strings, whole
 * numbers and booleans appended to one reusable buffer, no allocation per
 * field and no printf.  The bytes are exactly what cJSON_PrintUnformatted
 * writes for the same tree (the same escapes, numbers as cJSON prints
 * them), so the output contract and its golden files do not depend on
 * which of the two wrote a record.
 *
 * Strings are taken as given: the caller makes untrusted bytes valid UTF-8
 * first (snt_utf8_sanitize, or snt_json_wire_string).  A key is NULL for a
 * value inside an array.
 */
#ifndef SNITRACE_JSON_H
#define SNITRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNT_JSON_MAX_DEPTH 16

struct snt_json {
    char *buf;
    size_t len, cap;
    unsigned depth;
    bool first[SNT_JSON_MAX_DEPTH]; /* no member written yet at this level */
    bool failed;                    /* out of memory, or nesting too deep */
};

void snt_json_init(struct snt_json *j);
void snt_json_free(struct snt_json *j);
/* Start a new record, keeping the buffer. */
void snt_json_reset(struct snt_json *j);

void snt_json_begin_object(struct snt_json *j, const char *key);
void snt_json_end_object(struct snt_json *j);
void snt_json_begin_array(struct snt_json *j, const char *key);
void snt_json_end_array(struct snt_json *j);

/* s[0, len) as a JSON string (valid UTF-8 assumed). */
void snt_json_string_n(struct snt_json *j, const char *key, const char *s, size_t len);
void snt_json_string(struct snt_json *j, const char *key, const char *s);
/* Untrusted bytes: made valid UTF-8 first (invalid bytes and NUL become
 * U+FFFD, as snt_utf8_sanitize does). */
void snt_json_wire_string(struct snt_json *j, const char *key, const uint8_t *p, size_t len);
void snt_json_uint(struct snt_json *j, const char *key, uint64_t v);
void snt_json_bool(struct snt_json *j, const char *key, bool v);
/* p[0, len) as a string of lowercase hex digits. */
void snt_json_hex(struct snt_json *j, const char *key, const uint8_t *p, size_t len);
/* Bytes as they are, outside any value (a record's closing newline). */
void snt_json_raw(struct snt_json *j, const char *p, size_t len);

/* The record so far; false when writing it failed. */
bool snt_json_ok(const struct snt_json *j);

#endif
