/* A file read ahead on a thread of its own (src/readahead.c): every byte
 * comes in order and in one piece however the ring wraps, from the offset
 * asked; the end of the file and a read error are told apart; a reader
 * with no room left stops when asked. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/readahead.h"
#include "testutil.h"

#define FILE_BYTES ((size_t)5 * SNT_READAHEAD_RING + 12345)

static uint8_t byte_at(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

/* A file of FILE_BYTES known bytes, already unlinked; -1 on failure. */
static int made_file(void)
{
    char path[] = "/tmp/snt-readahead-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    uint8_t *b = malloc(FILE_BYTES);
    for (size_t i = 0; b && i < FILE_BYTES; i++)
        b[i] = byte_at(i);
    bool ok = b && write(fd, b, FILE_BYTES) == (ssize_t)FILE_BYTES;
    free(b);
    if (!ok) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool same_as_file(const uint8_t *p, size_t len, size_t at)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != byte_at(at + i))
            return false;
    return true;
}

/* Walked as the capture walks it: ask for more than is there (a record
 * that goes on), release in odd amounts, sometimes ask without waiting. */
static void test_whole_file(int fd, uint64_t offset)
{
    struct snt_readahead *r = snt_readahead_start(fd, offset);
    CHECK(r != NULL);
    if (!r)
        return;
    size_t at = (size_t)offset, step = 1;
    bool in_order = true, ended = false;
    for (unsigned round = 0; round < 100000 && !ended; round++) {
        size_t len = 0;
        int error = -1;
        size_t need = round % 3 == 0 ? 0 : round % 3 == 1 ? 1 : 300000;
        const uint8_t *p = snt_readahead_bytes(r, need, &len, &error);
        CHECK_EQ_INT(error, 0);
        CHECK(len <= SNT_READAHEAD_RING);
        if (!same_as_file(p, len, at))
            in_order = false;
        if (need && len < need) { /* the end of the file */
            ended = true;
            CHECK_EQ_INT(at + len, FILE_BYTES);
            break;
        }
        step = step * 7 % 100003 + 1;
        size_t n = step < len ? step : len;
        snt_readahead_release(r, n);
        at += n;
    }
    CHECK(in_order);
    CHECK(ended);
    snt_readahead_stop(r);
}

/* A descriptor pread cannot read: the error, not the end. */
static void test_read_error(void)
{
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    struct snt_readahead *r = fd >= 0 ? snt_readahead_start(fd, 0) : NULL;
    CHECK(r != NULL);
    if (r) {
        size_t len = 1;
        int error = 0;
        snt_readahead_bytes(r, 1, &len, &error);
        CHECK_EQ_INT(len, 0);
        CHECK_EQ_INT(error, EISDIR);
        snt_readahead_stop(r);
    }
    if (fd >= 0)
        close(fd);
}

/* Nothing released: the reader fills the ring and waits for room, and
 * stops when asked all the same. */
static void test_stop_when_full(int fd)
{
    struct snt_readahead *r = snt_readahead_start(fd, 0);
    CHECK(r != NULL);
    if (!r)
        return;
    size_t len = 0;
    int error = 0;
    const uint8_t *p = snt_readahead_bytes(r, SNT_READAHEAD_RING, &len, &error);
    CHECK_EQ_INT(len, SNT_READAHEAD_RING);
    CHECK(same_as_file(p, len, 0));
    snt_readahead_stop(r);
    snt_readahead_stop(NULL);
}

/* An empty file ends at once. */
static void test_empty(void)
{
    char path[] = "/tmp/snt-readahead-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    unlink(path);
    struct snt_readahead *r = snt_readahead_start(fd, 0);
    CHECK(r != NULL);
    if (r) {
        size_t len = 1;
        int error = -1;
        snt_readahead_bytes(r, 1, &len, &error);
        CHECK_EQ_INT(len, 0);
        CHECK_EQ_INT(error, 0);
        snt_readahead_stop(r);
    }
    close(fd);
}

int main(void)
{
    int fd = made_file();
    CHECK(fd >= 0);
    if (fd >= 0) {
        test_whole_file(fd, 0);
        test_whole_file(fd, 24);
        test_stop_when_full(fd);
        close(fd);
    }
    test_read_error();
    test_empty();
    return snt_test_finish("readahead");
}
