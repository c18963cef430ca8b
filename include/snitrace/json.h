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
/* Keep the first len bytes (at most those written) and start a new record
 * after them: records written one after the other in one buffer, and a
 * record that failed dropped. */
void snt_json_truncate(struct snt_json *j, size_t len);

/* Each call below takes a member's key (NULL inside an array).  They are
 * inline wrappers that pass the key's length along with it: for a literal
 * key the compiler counts it, so no strlen runs per field.  The _k
 * functions behind them are the writer itself. */
#define SNT_JSON_KEY_LEN(key) ((key) ? __builtin_strlen(key) : 0)

void snt_json_begin_object_k(struct snt_json *j, const char *key, size_t klen);
void snt_json_end_object(struct snt_json *j);
void snt_json_begin_array_k(struct snt_json *j, const char *key, size_t klen);
void snt_json_end_array(struct snt_json *j);
void snt_json_string_k(struct snt_json *j, const char *key, size_t klen, const char *s, size_t len);
void snt_json_wire_string_k(struct snt_json *j, const char *key, size_t klen, const uint8_t *p,
                            size_t len);
void snt_json_uint_k(struct snt_json *j, const char *key, size_t klen, uint64_t v);
void snt_json_bool_k(struct snt_json *j, const char *key, size_t klen, bool v);
void snt_json_hex_k(struct snt_json *j, const char *key, size_t klen, const uint8_t *p, size_t len);

static inline void snt_json_begin_object(struct snt_json *j, const char *key)
{
    snt_json_begin_object_k(j, key, SNT_JSON_KEY_LEN(key));
}

static inline void snt_json_begin_array(struct snt_json *j, const char *key)
{
    snt_json_begin_array_k(j, key, SNT_JSON_KEY_LEN(key));
}

/* s[0, len) as a JSON string (valid UTF-8 assumed). */
static inline void snt_json_string_n(struct snt_json *j, const char *key, const char *s, size_t len)
{
    snt_json_string_k(j, key, SNT_JSON_KEY_LEN(key), s, len);
}

static inline void snt_json_string(struct snt_json *j, const char *key, const char *s)
{
    snt_json_string_k(j, key, SNT_JSON_KEY_LEN(key), s, __builtin_strlen(s));
}

/* Untrusted bytes: made valid UTF-8 first (invalid bytes and NUL become
 * U+FFFD, as snt_utf8_sanitize does). */
static inline void snt_json_wire_string(struct snt_json *j, const char *key, const uint8_t *p,
                                        size_t len)
{
    snt_json_wire_string_k(j, key, SNT_JSON_KEY_LEN(key), p, len);
}

static inline void snt_json_uint(struct snt_json *j, const char *key, uint64_t v)
{
    snt_json_uint_k(j, key, SNT_JSON_KEY_LEN(key), v);
}

static inline void snt_json_bool(struct snt_json *j, const char *key, bool v)
{
    snt_json_bool_k(j, key, SNT_JSON_KEY_LEN(key), v);
}

/* p[0, len) as a string of lowercase hex digits. */
static inline void snt_json_hex(struct snt_json *j, const char *key, const uint8_t *p, size_t len)
{
    snt_json_hex_k(j, key, SNT_JSON_KEY_LEN(key), p, len);
}

/* Members written before (text of the form "key":value,... as this writer
 * wrote them), as the next members of the object being written. */
void snt_json_members_raw(struct snt_json *j, const char *text, size_t len);

/* Bytes as they are, outside any value (a record's closing newline). */
void snt_json_raw(struct snt_json *j, const char *p, size_t len);

/* The record so far; false when writing it failed. */
bool snt_json_ok(const struct snt_json *j);
/* Whether nothing failed yet (the record may still be open). */
bool snt_json_ok_so_far(const struct snt_json *j);

#endif
