/* When snitrace starts itself again for huge pages (src/hugepages.c): only
 * where the kernel gives them on request, never over a setting of the
 * tunable already there, and with the other tunables kept. */
#include <string.h>

#include "snitrace/hugepages.h"
#include "testutil.h"

static const char *tunables(const char *old, const char *thp)
{
    static char out[256];
    return snt_hugepages_tunables(old, thp, out, sizeof out) ? out : NULL;
}

static void check_eq(const char *got, const char *want)
{
    CHECK(got != NULL && strcmp(got, want) == 0);
}

int main(void)
{
    const char *madvise = "always [madvise] never\n";
    check_eq(tunables(NULL, madvise), "glibc.malloc.hugetlb=1:glibc.malloc.tcache_count=1000");
    check_eq(tunables("", madvise), "glibc.malloc.hugetlb=1:glibc.malloc.tcache_count=1000");
    check_eq(tunables("glibc.malloc.arena_max=2", madvise),
             "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:glibc.malloc.tcache_count=1000");
    /* A tcache size of the user's own is kept. */
    check_eq(tunables("glibc.malloc.tcache_count=50", madvise),
             "glibc.malloc.tcache_count=50:glibc.malloc.hugetlb=1");
    /* Set already: by the user (0 declines), or by the first start. */
    CHECK(tunables("glibc.malloc.hugetlb=0", madvise) == NULL);
    CHECK(tunables("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", madvise) == NULL);
    /* The kernel gives them to everyone, to no one, or cannot be asked. */
    CHECK(tunables(NULL, "[always] madvise never\n") == NULL);
    CHECK(tunables(NULL, "always madvise [never]\n") == NULL);
    CHECK(tunables(NULL, NULL) == NULL);
    /* No room for the result: no restart rather than a cut value. */
    char small[8];
    CHECK(!snt_hugepages_tunables(NULL, madvise, small, sizeof small));
    return snt_test_finish("hugepages");
}
