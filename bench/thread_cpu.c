/* The CPU time of each thread of a program, for bench/threads.sh: loaded
 * with LD_PRELOAD, it wraps pthread_create so that every thread, when its
 * function returns, appends a line to the file $SNT_THREAD_CPU_OUT:
 *
 *     NAME user SECONDS sys SECONDS
 *
 * NAME is the thread's name (pthread_setname_np; the program's for the main
 * thread), and the main thread writes its line at exit (of the process
 * it was loaded in, not of a child that process forked).  getrusage
 * (RUSAGE_THREAD) gives the times; a thread that never returns (killed,
 * or still running at exit) writes nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

struct start {
    void *(*fn)(void *);
    void *arg;
};

static double seconds(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

static void write_times(void)
{
    const char *path = getenv("SNT_THREAD_CPU_OUT");
    struct rusage u;
    char name[32] = "?";
    if (!path || getrusage(RUSAGE_THREAD, &u) != 0)
        return;
    pthread_getname_np(pthread_self(), name, sizeof name);
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    fprintf(f, "%s user %.3f sys %.3f\n", name, seconds(u.ru_utime), seconds(u.ru_stime));
    fclose(f);
}

static void *run(void *p)
{
    struct start s = *(struct start *)p;
    free(p);
    void *ret = s.fn(s.arg);
    write_times();
    return ret;
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    *(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
    if (!real)
        return EAGAIN;
    struct start *s = malloc(sizeof *s);
    if (!s)
        return real(t, attr, fn, arg);
    s->fn = fn;
    s->arg = arg;
    int rc = real(t, attr, run, s);
    if (rc != 0)
        free(s);
    return rc;
}

static pid_t loaded_in;

__attribute__((constructor)) static void note_process(void)
{
    loaded_in = getpid();
}

/* Only in the process it was loaded in, not in a child it forked. */
__attribute__((destructor)) static void main_times(void)
{
    if (getpid() == loaded_in)
        write_times();
}
