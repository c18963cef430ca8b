/* Transparent huge pages for the heap.  snitrace's memory is many small
 * allocations made as traffic comes (connections, sessions, DNS names,
 * certificate verdicts): on 4 KiB pages that is tens of thousands of page
 * faults and TLB misses for a busy capture.  glibc asks the kernel for
 * 2 MiB pages for its heap when its tunable glibc.malloc.hugetlb is 1
 * (glibc 2.35 and later), which matters where the kernel gives them only
 * to those who ask (transparent_hugepage "madvise", the default of many
 * distributions).  glibc reads tunables only at start-up, so snitrace
 * starts itself once more with the tunable added to GLIBC_TUNABLES, and
 * with it a larger per-thread cache of freed blocks (glibc.malloc.
 * tcache_count) unless that is set.  Setting glibc.malloc.hugetlb
 * yourself (0 to decline) is respected: then nothing is added. */
#include "snitrace/hugepages.h"

#include <gnu/libc-version.h>
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUNABLE "glibc.malloc.hugetlb"
/* Freed blocks a thread keeps per size for its next allocations (glibc's
 * default is 7): a certificate decoded and freed is some 340 small
 * blocks, most of them past 7 of a size, which then go back through the
 * heap's bins.  1,000 took about 6% off the CPU time of the mixed and
 * handshakes captures. */
#define TCACHE_TUNABLE "glibc.malloc.tcache_count"
#define TCACHE_COUNT   "1000"
#define THP_ENABLED    "/sys/kernel/mm/transparent_hugepage/enabled"
#define GLIBC_MAJOR    2
#define GLIBC_MINOR    35 /* the first with the tunable */
#define TUNABLES_MAX   4096

bool snt_hugepages_tunables(const char *tunables, const char *thp_enabled, char *out, size_t outlen)
{
    if (!thp_enabled || !strstr(thp_enabled, "[madvise]"))
        return false;
    if (tunables && strstr(tunables, TUNABLE))
        return false;
    const char *old = tunables ? tunables : "";
    bool tcache = !strstr(old, TCACHE_TUNABLE);
    int n = snprintf(out, outlen, "%s%s" TUNABLE "=1%s", old, *old ? ":" : "",
                     tcache ? ":" TCACHE_TUNABLE "=" TCACHE_COUNT : "");
    return n > 0 && (size_t)n < outlen;
}

static bool glibc_has_tunable(void)
{
    int major = 0, minor = 0;
    return sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) == 2 &&
           (major > GLIBC_MAJOR || (major == GLIBC_MAJOR && minor >= GLIBC_MINOR));
}

/* The kernel's line, e.g. "always [madvise] never"; false when unknown. */
static bool read_thp_enabled(char *line, size_t len)
{
    FILE *f = fopen(THP_ENABLED, "r");
    if (!f)
        return false;
    bool ok = fgets(line, (int)len, f) != NULL;
    fclose(f);
    return ok;
}

void snt_hugepages_restart(char **argv)
{
    char line[128], tunables[TUNABLES_MAX];
    const char *preload = getenv("LD_PRELOAD");
    if ((preload && *preload) || !glibc_has_tunable() || !read_thp_enabled(line, sizeof line))
        return;
    const char *old = getenv("GLIBC_TUNABLES");
    char *kept = old ? strdup(old) : NULL;
    if ((old && !kept) || !snt_hugepages_tunables(old, line, tunables, sizeof tunables) ||
        setenv("GLIBC_TUNABLES", tunables, 1) != 0) {
        free(kept);
        return;
    }
    /* By its own path, not /proc/self/exe: the process keeps its name
     * (what ps, top and ss -p show). */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self);
    if (n > 0 && (size_t)n < sizeof self) { /* a cut path could name another file */
        self[n] = '\0';
        execv(self, argv);
    }
    /* Not restarted (no /proc, or the file is gone): go on as started. */
    if (kept)
        setenv("GLIBC_TUNABLES", kept, 1);
    else
        unsetenv("GLIBC_TUNABLES");
    free(kept);
}

/* ---- the heaps of threads ------------------------------------------------ */

#define HEAP_MMAP_THRESHOLD (32u << 20) /* glibc's largest: blocks below come from the heap */
#define HEAP_TRIM_THRESHOLD (256u << 20)
#define THREAD_HEAP_BLOCK   (30u << 20)
#define THREAD_HEAP_BLOCKS  2 /* a thread heap is at most 64 MiB */
#define HUGE_PAGE           (2u << 20)

void snt_heap_setup(void)
{
    mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD);
    mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD);
}

void snt_heap_prepare_thread(void)
{
    uint8_t *p[THREAD_HEAP_BLOCKS];
    for (size_t i = 0; i < THREAD_HEAP_BLOCKS; i++) {
        p[i] = malloc(THREAD_HEAP_BLOCK);
        if (!p[i])
            continue;
        uintptr_t from = ((uintptr_t)p[i] + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
        uintptr_t to = ((uintptr_t)p[i] + THREAD_HEAP_BLOCK) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (to > from)
            madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
    for (size_t i = 0; i < THREAD_HEAP_BLOCKS; i++)
        free(p[i]);
}
