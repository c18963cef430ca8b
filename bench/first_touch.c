/* What fresh memory costs on this machine: the time to write once into MB
 * mebibytes just mapped, in 2 MiB pages as snitrace's heap has them
 * (src/hugepages.c), then to write all of it again.  The first is the
 * kernel zeroing pages (and, in a virtual machine, the host backing them),
 * the second the memory's own speed.  Run it a few times in a row: on the
 * project's machine the first comes out either near the second or some
 * twenty times it, run by run.
 *
 *   cc -O2 -o first_touch bench/first_touch.c && ./first_touch 100 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define PAGE      4096

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    if (mb <= 0 || mb > 65536) {
        fprintf(stderr, "usage: first_touch [MB] (1-65536)\n");
        return 2;
    }
    size_t len = (size_t)mb << 20;
    uint8_t *map =
        mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    uint8_t *p = (uint8_t *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    madvise(p, len, MADV_HUGEPAGE);
    double t0 = now_ms();
    for (size_t i = 0; i < len; i += PAGE)
        p[i] = 1;
    double t1 = now_ms();
    memset(p, 2, len);
    double t2 = now_ms();
    printf("%ld MB: first write %.1f ms (%.2f ms/MB), again %.1f ms\n", mb, t1 - t0,
           (t1 - t0) / (double)mb, t2 - t1);
    munmap(map, len + HUGE_PAGE);
    return 0;
}
