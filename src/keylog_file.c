/* Key log files: read once (a capture file is traced after the fact), or
 * followed (live capture: a browser or curl appends a few lines per
 * connection while snitrace runs).
 *
 * A followed file keeps its descriptor, so it can still be read after
 * privileges are dropped.  Each refresh costs one stat() of its path: a
 * different file under the path (the writer replaced it) or a shorter one
 * (it was rewritten) is read again from the start; a longer one is read
 * from where the last read stopped.  Lines are only taken whole: the
 * unterminated end of a followed file waits for its newline, because a
 * SHA-384 secret cut short looks like a valid SHA-256 one.  Every file is
 * read at most file_cap bytes over its life, re-reads included, so a writer
 * that rewrites it in a loop cannot keep snitrace busy.  (A file cut short
 * and grown past its old length between two refreshes looks like one that
 * grew: only its new end is read.  Key log writers append; they do not do
 * that.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keylog_internal.h"

#define READ_CHUNK (64 * 1024)

/* Read from the descriptor's position to its end, the file's cap, or
 * limit bytes.  False (errno set) on a read error. */
static bool read_new(struct snt_keylog *k, struct snt_keylog_file *f, uint64_t limit)
{
    uint8_t buf[READ_CHUNK];
    uint64_t done = 0;
    while (!f->capped && done < limit) {
        uint64_t room = k->file_cap - f->total_read;
        if (room > limit - done)
            room = limit - done;
        ssize_t n = read(f->fd, buf, room < sizeof buf ? (size_t)room : sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0;
        done += (uint64_t)n;
        f->offset += (uint64_t)n;
        f->total_read += (uint64_t)n;
        k->counters.bytes_read += (uint64_t)n;
        snt_keylog_feed(k, &f->pending, buf, (size_t)n);
        if (f->total_read >= k->file_cap) {
            f->capped = true;
            k->counters.files_capped++;
        }
    }
    return true;
}

static void start_over(struct snt_keylog_file *f)
{
    f->offset = 0;
    f->pending.len = 0; /* the old end, never terminated, is dropped */
    f->pending.overlong = false;
}

static void set_identity(struct snt_keylog_file *f, const struct stat *st)
{
    f->dev = st->st_dev;
    f->ino = st->st_ino;
}

bool snt_keylog_add_file(struct snt_keylog *k, const char *path, bool follow, char *err,
                         size_t errlen)
{
    struct snt_keylog_file once = {.fd = -1};
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read key log %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool keep = follow && S_ISREG(st.st_mode);
    if (keep && k->n_files == SNT_KEYLOG_MAX_FILES) {
        snprintf(err, errlen, "cannot follow more than %d key log files", SNT_KEYLOG_MAX_FILES);
        close(fd);
        return false;
    }
    struct snt_keylog_file *f = keep ? &k->files[k->n_files] : &once;
    memset(f, 0, sizeof *f);
    f->fd = fd;
    set_identity(f, &st);
    if (!read_new(k, f, UINT64_MAX)) {
        snprintf(err, errlen, "cannot read key log %s: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    if (keep && (f->path = strdup(path)) != NULL) {
        k->n_files++;
        return true;
    }
    snt_keylog_feed_end(k, &f->pending); /* read to its end: the last line counts */
    close(fd);
    return true;
}

/* The path now names another file: follow that one, from its start.  Only
 * a regular file is taken (reading a FIFO could block the capture). */
static bool reopen(struct snt_keylog_file *f, const struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return false;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat now;
    if (fd < 0)
        return false; /* e.g. no longer readable after dropping privileges */
    if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode)) {
        close(fd);
        return false;
    }
    close(f->fd);
    f->fd = fd;
    set_identity(f, &now);
    start_over(f);
    return true;
}

static void refresh_file(struct snt_keylog *k, struct snt_keylog_file *f)
{
    struct stat st;
    if (f->capped)
        return; /* done with */
    if (stat(f->path, &st) != 0) {
        /* Missing for a moment while its writer replaces it: wait.  Out of
         * reach after dropping privileges (a directory only its owner may
         * enter): the file held open can still grow. */
        if (errno == ENOENT || fstat(f->fd, &st) != 0)
            return;
    }
    if (st.st_dev != f->dev || st.st_ino != f->ino) {
        if (!reopen(f, &st))
            return;
    } else if ((uint64_t)st.st_size < f->offset) {
        if (lseek(f->fd, 0, SEEK_SET) != 0)
            return;
        start_over(f);
    } else if ((uint64_t)st.st_size == f->offset) {
        return;
    }
    read_new(k, f, SNT_KEYLOG_REFRESH_MAX); /* a read error is retried at the next refresh */
}

bool snt_keylog_refresh(struct snt_keylog *k)
{
    uint64_t before = k->generation;
    for (size_t i = 0; i < k->n_files; i++)
        refresh_file(k, &k->files[i]);
    return k->generation != before;
}

void snt_keylog_files_close(struct snt_keylog *k)
{
    for (size_t i = 0; i < k->n_files; i++) {
        close(k->files[i].fd);
        free(k->files[i].path);
    }
    k->n_files = 0;
}
