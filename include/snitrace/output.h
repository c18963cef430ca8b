/* Output: the last stage.  Everything upstream hands finished records to a
 * sink, in the order they are to be written; nothing here looks back.
 *
 * Two sinks write: JSON (NDJSON, schema version 1, docs/schema.md) and the
 * text view for people.  A third, the queue, hands records to an output
 * thread that feeds one of those, so serialising and writing never hold up
 * capture and parsing; the order stays the same.
 *
 * Every call returns false once writing has failed (snt_sink_error says
 * why); the records passed are borrowed: a sink copies what it keeps,
 * except an attempt given with snt_sink_attempt_give.
 */
#ifndef SNITRACE_OUTPUT_H
#define SNITRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "snitrace/attempt.h"
#include "snitrace/flags.h"
#include "snitrace/scan.h"
#include "snitrace/scan.h"
#include "snitrace/session.h"
#include "snitrace/stats.h"

enum snt_format { SNT_FORMAT_JSON, SNT_FORMAT_TEXT };

/* Why a host flag is handed to the sink. */
enum snt_flag_event {
    SNT_FLAG_FIRST,   /* its first failed name: JSON writes it now */
    SNT_FLAG_UPDATE,  /* end of input, names were added since: JSON writes it again */
    SNT_FLAG_SUMMARY, /* end of input, every flag written: the text view lists them */
};

struct snt_sink;

struct snt_sink_ops {
    bool (*attempt)(struct snt_sink *s, const struct snt_attempt *a);
    /* Optional (snt_sink_attempt_give writes a copy without it). */
    bool (*attempt_give)(struct snt_sink *s, struct snt_attempt **block);
    bool (*session)(struct snt_sink *s, const struct snt_session *x);
    bool (*flag)(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev);
    bool (*scan)(struct snt_sink *s, const struct snt_scan_record *r);
    bool (*stats)(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec, bool final);
    /* Everything handed over so far is written (and flushed) when it returns. */
    bool (*flush)(struct snt_sink *s);
    void (*destroy)(struct snt_sink *s);
};

struct snt_sink {
    const struct snt_sink_ops *ops;
    int error; /* errno of the first failed write; 0 while all is well */
};

/* Writers on f (not closed by the sink).  live: every record is flushed as
 * soon as it is written, for people and pipes watching. */
struct snt_sink *snt_sink_json_new(FILE *f, bool live);
struct snt_sink *snt_sink_text_new(FILE *f, bool live, bool color);

/* Records go to `inner` (owned from now on) on an output thread, through a
 * queue of at most `depth` records; a full queue makes the caller wait.
 * live: the inner sink is flushed whenever the queue runs empty.  NULL
 * when the thread cannot start (inner is then destroyed too). */
struct snt_sink *snt_sink_queue_new(struct snt_sink *inner, size_t depth, bool live);

bool snt_sink_attempt(struct snt_sink *s, const struct snt_attempt *a);
/* Write the attempt in *block, a block malloc'd with the size of an
 * attempt, giving it to the sink, strings and all, instead of having it
 * copied (the queue keeps it until written).  *block becomes a block of
 * the same size with nothing in it, for the caller to fill or free, or
 * NULL. */
bool snt_sink_attempt_give(struct snt_sink *s, struct snt_attempt **block);
bool snt_sink_session(struct snt_sink *s, const struct snt_session *x);
bool snt_sink_flag(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev);
bool snt_sink_scan(struct snt_sink *s, const struct snt_scan_record *r);
bool snt_sink_stats(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec, bool final);
bool snt_sink_flush(struct snt_sink *s);
int snt_sink_error(const struct snt_sink *s);
void snt_sink_free(struct snt_sink *s); /* flushes first; accepts NULL */

/* Write DIR/<server>-<port>.cnf, an openssl req configuration whose
 * subjectAltNames are the flag's suggested names; the path goes to path.
 * Returns false (errno set) when the file cannot be written. */
bool snt_write_openssl_config(const char *dir, const struct snt_flag *fl, char *path, size_t len);

#endif
