/* Which thread frees what another thread allocated: loaded with LD_PRELOAD
 * into snitrace, it counts, per thread and call site, the blocks a thread
 * frees that come from another heap than its own, and writes the counts to
 * stderr at exit.
 *
 *   cc -O2 -shared -fPIC -o cross_free.so bench/cross_free.c
 *   LD_PRELOAD=./cross_free.so build/snitrace -r CAPTURE -o /dev/null
 *
 * glibc keeps a heap per thread; a block freed by another thread goes back
 * under its own heap's lock, so the two threads wait on each other.  While
 * a capture is read, no thread frees what another allocated: a line here
 * is a regression, but for what the capture thread frees at exit, when the
 * other threads are done (the output sink's memo of certificate texts in
 * json_destroy, 256 blocks; the last references to certificates' strings
 * in snt_flags_free, a few per flag).
 *
 * It reads glibc's block header (x86-64 glibc 2.26 and later): bit 1 of the
 * size word marks a block of its own mapping, bit 2 one from a thread's
 * heap, whose arena pointer begins the 64 MiB-aligned heap it lies in.  A
 * thread's own heap is that of a block it allocates itself when it first
 * frees one.  A diagnostic, not a test. */
#define _GNU_SOURCE
#include <execinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void __libc_free(void *p);
extern void *__libc_malloc(size_t n);

#define HEAP_ALIGN    ((uintptr_t)64 << 20)
#define SIZE_MMAPPED  2
#define SIZE_NON_MAIN 4
#define MAX_SITES     256
#define REPORT_MIN    100 /* sites with fewer frees are not written */

struct site {
    void *caller;
    char thread[16];
    long frees;
};

static struct site sites[MAX_SITES];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The main heap is 1; a thread heap, its arena's address. */
static uintptr_t heap_of(const void *p)
{
    size_t size = ((const size_t *)p)[-1];
    if (!(size & SIZE_NON_MAIN))
        return 1;
    return *(const uintptr_t *)((uintptr_t)p & ~(HEAP_ALIGN - 1));
}

static void count(void *caller, const char *thread)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_SITES; i++) {
        if (!sites[i].caller) {
            sites[i].caller = caller;
            snprintf(sites[i].thread, sizeof sites[i].thread, "%s", thread);
        }
        if (sites[i].caller == caller && strcmp(sites[i].thread, thread) == 0) {
            sites[i].frees++;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

/* The heap glibc gives this thread's own blocks. */
static uintptr_t own_heap(void)
{
    static __thread uintptr_t heap; /* 0: not known yet */
    if (!heap) {
        void *probe = __libc_malloc(16);
        heap = probe ? heap_of(probe) : 1;
        __libc_free(probe);
    }
    return heap;
}

void free(void *p)
{
    static __thread int inside; /* backtrace may free */
    char thread[16] = "";
    if (p && !inside && !(((size_t *)p)[-1] & SIZE_MMAPPED) &&
        pthread_getname_np(pthread_self(), thread, sizeof thread) == 0 &&
        heap_of(p) != own_heap()) {
        void *frames[2];
        inside = 1;
        if (backtrace(frames, 2) == 2)
            count(frames[1], thread);
        inside = 0;
    }
    __libc_free(p);
}

__attribute__((destructor)) static void report(void)
{
    for (int i = 0; i < MAX_SITES && sites[i].caller; i++) {
        if (sites[i].frees < REPORT_MIN)
            continue;
        char **name = backtrace_symbols(&sites[i].caller, 1);
        fprintf(stderr, "cross_free: %s freed %ld blocks of another heap at %s\n", sites[i].thread,
                sites[i].frees, name ? name[0] : "?");
    }
}
