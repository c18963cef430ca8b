/* Inside the key log store: shared by keylog.c (lines, store) and
 * keylog_file.c (files read and followed). */
#ifndef SNITRACE_KEYLOG_INTERNAL_H
#define SNITRACE_KEYLOG_INTERNAL_H

#include <sys/types.h>

#include "snitrace/keylog.h"

/* An unterminated line held until its newline arrives: bounded, so an
 * endless line costs SNT_KEYLOG_LINE_MAX bytes and one malformed count. */
struct snt_keylog_pending {
    uint8_t buf[SNT_KEYLOG_LINE_MAX];
    size_t len;
    bool overlong; /* passed the bound: skipped up to its newline */
};

struct snt_keylog_file {
    char *path;
    int fd;
    dev_t dev; /* which file: a new one under the same path is read again */
    ino_t ino;
    uint64_t offset;     /* bytes of it read so far */
    uint64_t total_read; /* over its whole life, re-reads included */
    bool capped;         /* total_read reached the cap: no longer read */
    struct snt_keylog_pending pending;
};

struct snt_keylog_client;

struct snt_keylog {
    struct snt_keylog_client *clients; /* ring in insertion order, grown up to max */
    size_t allocated, count, max;
    size_t oldest;     /* when full, the slot the next client replaces */
    uint32_t *buckets; /* client index + 1; 0: empty */
    size_t mask;
    uint64_t seed; /* keys the hash: client randoms in a file are untrusted */
    uint64_t generation;
    uint64_t file_cap;
    struct snt_keylog_counters counters;
    struct snt_keylog_file files[SNT_KEYLOG_MAX_FILES];
    size_t n_files;
};

/* Split bytes into lines: each complete one goes to the store, an
 * unterminated rest is held in *pending. */
void snt_keylog_feed(struct snt_keylog *k, struct snt_keylog_pending *pending, const uint8_t *p,
                     size_t len);
/* The input ended: a held last line counts as a line. */
void snt_keylog_feed_end(struct snt_keylog *k, struct snt_keylog_pending *pending);

/* Release the followed files (keylog_file.c). */
void snt_keylog_files_close(struct snt_keylog *k);

#endif
