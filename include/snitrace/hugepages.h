/* Transparent huge pages for the heap (glibc's malloc tunable), asked for
 * by starting the program once more with the tunable set: glibc reads it
 * only at start-up. */
#ifndef SNITRACE_HUGEPAGES_H
#define SNITRACE_HUGEPAGES_H

#include <stdbool.h>
#include <stddef.h>

/* Whether to start again with GLIBC_TUNABLES set to out (outlen bytes of
 * room): given the tunables now set (NULL: none) and the kernel's
 * transparent_hugepage "enabled" line (NULL: unknown).  Only where the
 * kernel gives huge pages to those who ask ("[madvise]"), and never when
 * glibc.malloc.hugetlb is set already (the user's choice, or this is the
 * second start). */
bool snt_hugepages_tunables(const char *tunables, const char *thp_enabled, char *out,
                            size_t outlen);

/* Start argv again with the tunable when that applies (glibc 2.35 or
 * later, nothing preloaded, such as a profiler or valgrind, that would not
 * follow); returns only when it does not, with nothing changed. */
void snt_hugepages_restart(char **argv);

/* Heap settings for the whole process (early in main): the heap keeps
 * what it grew to, and blocks up to 32 MiB come from it. */
void snt_heap_setup(void);

/* A thread's own heap grown once, at its start, by 30 MiB of address
 * space (not memory: pages come as they are touched), and marked for huge
 * pages; glibc otherwise grows a thread's heap a page at a time, one
 * system call each. */
void snt_heap_prepare_thread(void);

#endif
