/* Key log files: read once, or followed while a writer appends in pieces,
 * rewrites the file shorter, replaces it, or passes the size cap; pipes,
 * missing files and directories. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snitrace/keylog.h"
#include "testutil.h"

#define SECRET                                                                                     \
    "0d9af0720a89c6f75493840aa6bb9e264060c10d7ae136286dc13deb1d0822aa534fe486f94fff6579f98cd3eefc" \
    "e4"                                                                                           \
    "7e"

static char dir[] = "/tmp/snt-keylog-test.XXXXXX";

/* Key log line i (176 bytes with its newline) and its client random. */
static const char *random_hex(unsigned i)
{
    static char r[65];
    snprintf(r, sizeof r, "%064x", i + 1);
    return r;
}

static const char *line(unsigned i)
{
    static char l[256];
    snprintf(l, sizeof l, "CLIENT_RANDOM %s %s\n", random_hex(i), SECRET);
    return l;
}

/* Lines first..last, one after the other, in a static buffer. */
static const char *lines(unsigned first, unsigned last)
{
    static char text[4096];
    text[0] = 0;
    for (unsigned i = first; i <= last; i++)
        strcat(text, line(i));
    return text;
}

static const char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_text(const char *name, const char *mode, const char *text, size_t len)
{
    FILE *f = fopen(path_of(name), mode);
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path_of(name));
        exit(1);
    }
}

static void append(const char *name, const char *text)
{
    write_text(name, "a", text, strlen(text));
}

static bool has_key(const struct snt_keylog *k, unsigned i)
{
    size_t n;
    uint8_t *r = snt_test_hex(random_hex(i), &n);
    struct snt_span s;
    bool found = snt_keylog_find(k, r, SNT_KEYLOG_CLIENT_RANDOM, &s);
    free(r);
    return found;
}

static struct snt_keylog_counters counters(const struct snt_keylog *k)
{
    struct snt_keylog_counters c;
    snt_keylog_counters(k, &c);
    return c;
}

static struct snt_keylog *follow(const char *name)
{
    char err[256] = "";
    struct snt_keylog *k = snt_keylog_new(0);
    CHECK(snt_keylog_add_file(k, path_of(name), true, err, sizeof err));
    return k;
}

static void test_read_once(void)
{
    char err[256] = "";
    const char *text = lines(0, 1);
    write_text("once", "w", text, strlen(text) - 1); /* no final newline */
    struct snt_keylog *k = snt_keylog_new(0);
    CHECK(snt_keylog_add_file(k, path_of("once"), false, err, sizeof err));
    CHECK(has_key(k, 0) && has_key(k, 1));
    CHECK_EQ_INT(counters(k).bytes_read, strlen(text) - 1);
    CHECK(!snt_keylog_refresh(k)); /* not followed */
    snt_keylog_free(k);
}

static void test_open_errors(void)
{
    char err[256] = "";
    struct snt_keylog *k = snt_keylog_new(0);
    CHECK(!snt_keylog_add_file(k, path_of("missing"), false, err, sizeof err));
    CHECK(strstr(err, path_of("missing")) && strstr(err, strerror(ENOENT)));
    CHECK(!snt_keylog_add_file(k, dir, true, err, sizeof err));
    CHECK(strstr(err, dir) && strstr(err, strerror(EISDIR)));
    CHECK_EQ_INT(counters(k).lines, 0);
    snt_keylog_free(k);
}

/* A browser writes half a line, then the rest: only whole lines count. */
static void test_follow_growth(void)
{
    char l0[256];
    snprintf(l0, sizeof l0, "%s", line(0));
    write_text("grow", "w", l0, 50);
    struct snt_keylog *k = follow("grow");
    CHECK_EQ_INT(counters(k).lines, 0);
    CHECK(!snt_keylog_refresh(k));
    append("grow", l0 + 50);
    CHECK(snt_keylog_refresh(k));
    CHECK(has_key(k, 0));
    CHECK(!snt_keylog_refresh(k)); /* nothing changed */
    write_text("grow", "a", lines(1, 2), strlen(l0) + 100);
    CHECK(snt_keylog_refresh(k));
    CHECK(has_key(k, 1) && !has_key(k, 2));
    append("grow", line(2) + 100);
    CHECK(snt_keylog_refresh(k));
    CHECK(has_key(k, 2));
    struct snt_keylog_counters c = counters(k);
    CHECK_EQ_INT(c.lines, 3);
    CHECK_EQ_INT(c.keys, 3);
    CHECK_EQ_INT(c.bytes_read, 3 * strlen(l0));
    snt_keylog_free(k);
}

/* Rewritten shorter in place, then replaced by another file: read again
 * from the start each time. */
static void test_follow_rewrite(void)
{
    const char *text = lines(0, 1);
    write_text("rewrite", "w", text, strlen(text));
    struct snt_keylog *k = follow("rewrite");
    CHECK_EQ_INT(counters(k).keys, 2);
    write_text("rewrite", "w", line(3), strlen(line(3)));
    CHECK(snt_keylog_refresh(k));
    CHECK(has_key(k, 3));
    CHECK_EQ_INT(counters(k).keys, 3);

    text = lines(4, 6);
    write_text("rewrite.new", "w", text, strlen(text));
    char to[256];
    snprintf(to, sizeof to, "%s", path_of("rewrite"));
    CHECK(rename(path_of("rewrite.new"), to) == 0);
    CHECK(snt_keylog_refresh(k));
    CHECK(has_key(k, 4) && has_key(k, 5) && has_key(k, 6));
    CHECK_EQ_INT(counters(k).keys, 6);
    unlink(to); /* gone for a while: kept, nothing read */
    CHECK(!snt_keylog_refresh(k));
    snt_keylog_free(k);
}

static void test_follow_cap(void)
{
    char err[256] = "";
    const char *text = lines(0, 2);
    write_text("capped", "w", text, strlen(text));
    struct snt_keylog *k = snt_keylog_new(0);
    snt_keylog_set_file_cap(k, 200);
    CHECK(snt_keylog_add_file(k, path_of("capped"), true, err, sizeof err));
    struct snt_keylog_counters c = counters(k);
    CHECK_EQ_INT(c.bytes_read, 200);
    CHECK_EQ_INT(c.files_capped, 1);
    CHECK_EQ_INT(c.keys, 1); /* the second line is cut: never whole */
    append("capped", line(3));
    CHECK(!snt_keylog_refresh(k));
    CHECK_EQ_INT(counters(k).bytes_read, 200);
    snt_keylog_free(k);
}

/* Megabytes appended at once arrive over several refreshes, none of them
 * longer than SNT_KEYLOG_REFRESH_MAX. */
static void test_follow_large_append(void)
{
    write_text("large", "w", "", 0);
    struct snt_keylog *k = follow("large");
    FILE *f = fopen(path_of("large"), "a");
    unsigned n = 0;
    for (; f && n * strlen(line(0)) < SNT_KEYLOG_REFRESH_MAX + 100000; n++)
        fputs(line(n), f);
    CHECK(f && fclose(f) == 0);
    CHECK(snt_keylog_refresh(k));
    CHECK_EQ_INT(counters(k).bytes_read, SNT_KEYLOG_REFRESH_MAX);
    CHECK(snt_keylog_refresh(k));
    struct snt_keylog_counters c = counters(k);
    CHECK_EQ_INT(c.bytes_read, n * strlen(line(0)));
    CHECK_EQ_INT(c.keys, n);
    CHECK_EQ_INT(c.malformed, 0);
    CHECK(has_key(k, 0) && has_key(k, n - 1));
    snt_keylog_free(k);
}

/* A line past the bound, written in pieces: one malformed line, no more. */
static void test_follow_overlong(void)
{
    char big[3000];
    memset(big, 'x', sizeof big);
    write_text("long", "w", big, sizeof big);
    struct snt_keylog *k = follow("long");
    append("long", "xxxx");
    CHECK(!snt_keylog_refresh(k));
    append("long", "\n");
    append("long", line(7));
    CHECK(snt_keylog_refresh(k));
    struct snt_keylog_counters c = counters(k);
    CHECK_EQ_INT(c.malformed, 1);
    CHECK_EQ_INT(c.keys, 1);
    snt_keylog_free(k);
}

/* A pipe cannot be followed: it is read to its end, last line included. */
static void test_pipe(void)
{
    int fds[2];
    char err[256] = "", path[64];
    const char *l = line(8);
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], l, strlen(l) - 1) == (ssize_t)strlen(l) - 1);
    close(fds[1]);
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    struct snt_keylog *k = snt_keylog_new(0);
    CHECK(snt_keylog_add_file(k, path, true, err, sizeof err));
    CHECK(has_key(k, 8));
    CHECK(!snt_keylog_refresh(k));
    close(fds[0]);
    snt_keylog_free(k);
}

static void test_too_many_followed(void)
{
    char err[256] = "";
    struct snt_keylog *k = snt_keylog_new(0);
    write_text("many", "w", "", 0);
    for (int i = 0; i < SNT_KEYLOG_MAX_FILES; i++)
        CHECK(snt_keylog_add_file(k, path_of("many"), true, err, sizeof err));
    CHECK(!snt_keylog_add_file(k, path_of("many"), true, err, sizeof err));
    CHECK(strstr(err, "16") != NULL);
    CHECK(snt_keylog_add_file(k, path_of("many"), false, err, sizeof err)); /* read once: fine */
    snt_keylog_free(k);
}

static void remove_dir(void)
{
    const char *names[] = {"once",   "grow",  "rewrite", "rewrite.new",
                           "capped", "large", "long",    "many"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(path_of(names[i]));
    rmdir(dir);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_read_once();
    test_open_errors();
    test_follow_growth();
    test_follow_rewrite();
    test_follow_cap();
    test_follow_large_append();
    test_follow_overlong();
    test_pipe();
    test_too_many_followed();
    remove_dir();
    return snt_test_finish("keylog_file");
}
