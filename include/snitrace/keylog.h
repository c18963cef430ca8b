/* TLS key logs: the NSS key log format (SSLKEYLOGFILE) that curl, Firefox,
 * Chrome, OpenSSL (-keylogfile), GnuTLS and Python's ssl module write, one
 * secret a line:
 *
 *     LABEL <client_random: 64 hex digits> <secret: hex>
 *
 * with '#' comments, blank lines and CRLF line ends tolerated.  The store
 * keeps, per client random, the secrets of the labels snitrace uses; its
 * inputs are key log files (--keylog, optionally followed while a browser
 * appends) and pcapng Decryption Secrets Blocks (include/snitrace/pcapng_dsb.h).
 * Every bound is in docs/limits.md.
 */
#ifndef SNITRACE_KEYLOG_H
#define SNITRACE_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/reader.h"
#include "snitrace/result.h"

#define SNT_KEYLOG_RANDOM_LEN 32
#define SNT_KEYLOG_SECRET_MAX 48 /* master secret and SHA-384 secrets */

#define SNT_KEYLOG_LINE_MAX        1024                   /* longer lines are malformed */
#define SNT_KEYLOG_DEFAULT_CLIENTS 65536                  /* client randoms held at once */
#define SNT_KEYLOG_FILE_CAP        (256ull * 1024 * 1024) /* bytes read per file, ever */
#define SNT_KEYLOG_MAX_FILES       16                     /* files followed at once */
#define SNT_KEYLOG_REFRESH_MAX     (4u * 1024 * 1024)     /* bytes per file per refresh */

enum snt_keylog_label {
    SNT_KEYLOG_CLIENT_RANDOM = 0, /* TLS <= 1.2: the 48-byte master secret */
    SNT_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET,
    SNT_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    SNT_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
    SNT_KEYLOG_CLIENT_TRAFFIC_SECRET_0,
    SNT_KEYLOG_SERVER_TRAFFIC_SECRET_0,
    SNT_KEYLOG_EXPORTER_SECRET,
    SNT_KEYLOG_EARLY_EXPORTER_SECRET,
    SNT_KEYLOG_N_LABELS,
};

struct snt_keylog_line {
    enum snt_keylog_label label;
    uint8_t client_random[SNT_KEYLOG_RANDOM_LEN];
    uint8_t secret[SNT_KEYLOG_SECRET_MAX];
    size_t secret_len;
};

/* The label as the key log spells it ("CLIENT_RANDOM"); NULL out of range. */
const char *snt_keylog_label_name(enum snt_keylog_label label);

/* One line without its newline (a trailing CR is allowed).  SNT_OK: a key; SNT_NOT_MINE: blank,
 * comment, or a label snitrace does not use (RSA, CLIENT_TRAFFIC_SECRET_1..., etc.);
 * SNT_MALFORMED otherwise (bad hex, wrong random length, secret length not 32/48 for TLS 1.3 labels
 * or not 48 for CLIENT_RANDOM, extra fields, longer than SNT_KEYLOG_LINE_MAX...).  *out untouched
 * on failure.  Pure function. */
enum snt_result snt_keylog_parse_line(const uint8_t *p, size_t len, struct snt_keylog_line *out);

struct snt_keylog;

struct snt_keylog *snt_keylog_new(size_t max_clients); /* 0: a default; bounded memory */
void snt_keylog_free(struct snt_keylog *k);            /* accepts NULL */

/* Bytes read per file over its whole life (re-reads included); 0: the default,
 * SNT_KEYLOG_FILE_CAP.  For tests and embedders; set it before adding files. */
void snt_keylog_set_file_cap(struct snt_keylog *k, uint64_t bytes);

/* A complete key log text (e.g. a pcapng secrets block): every line, the last one even without
 * newline. */
void snt_keylog_add_text(struct snt_keylog *k, const uint8_t *p, size_t len);

/* Read a key log file now.  follow=false: read it all (an unterminated last line counts).
 * follow=true (live capture): remember the offset and hold an unterminated last line until
 * snt_keylog_refresh brings the rest (only regular files are followed; a pipe is read to its
 * end).  false + message in err when it cannot be opened. */
bool snt_keylog_add_file(struct snt_keylog *k, const char *path, bool follow, char *err,
                         size_t errlen);

/* Re-read followed files that grew (a browser still appending); a file that shrank or was replaced
 * is read again from the start.  Bounded: total bytes read per file capped (counted when hit), and
 * at most SNT_KEYLOG_REFRESH_MAX bytes per file per call, so a capture loop never stalls (the rest
 * comes with the next call).  true when new keys arrived.  Cheap when nothing changed (one stat
 * per file). */
bool snt_keylog_refresh(struct snt_keylog *k);

/* The secret for (client random, label), borrowed until the next add/refresh. */
bool snt_keylog_find(const struct snt_keylog *k, const uint8_t random[SNT_KEYLOG_RANDOM_LEN],
                     enum snt_keylog_label label, struct snt_span *secret);

/* Changes whenever a key is added: callers waiting for keys compare it. */
uint64_t snt_keylog_generation(const struct snt_keylog *k);

struct snt_keylog_counters {
    uint64_t lines;           /* lines seen: keys + malformed + ignored */
    uint64_t keys;            /* lines stored (a replacement counts again) */
    uint64_t malformed;       /* lines skipped as broken or too long */
    uint64_t ignored;         /* blank lines, comments, labels snitrace does not use */
    uint64_t clients;         /* client randoms held now */
    uint64_t clients_evicted; /* oldest client randoms dropped because the store was full */
    uint64_t bytes_read;      /* from files */
    uint64_t files_capped;    /* files no longer read: SNT_KEYLOG_FILE_CAP reached */
};
void snt_keylog_counters(const struct snt_keylog *k, struct snt_keylog_counters *out);

#endif
