/* The chunked bump allocator of src/arena.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ALIGN alignof(max_align_t)

struct snt_arena_chunk {
    struct snt_arena_chunk *older;
    size_t cap;
    alignas(max_align_t) unsigned char bytes[];
};

static size_t round_up(size_t n)
{
    return (n + ALIGN - 1) & ~(ALIGN - 1);
}

void snt_arena_init(struct snt_arena *a)
{
    a->chunk = a->own = NULL;
    a->used = 0;
}

void snt_arena_init_inline(struct snt_arena *a, void *buf, size_t size)
{
    struct snt_arena_chunk *c = buf;
    c->older = NULL;
    c->cap = size - sizeof *c;
    a->chunk = a->own = c;
    a->used = 0;
}

/* Chunk sizes count the header, so a small chunk is a size malloc keeps
 * ready (glibc's per-thread cache takes up to a kilobyte). */
static struct snt_arena_chunk *chunk_new(struct snt_arena *a, size_t n)
{
    size_t size = a->chunk ? (sizeof *a->chunk + a->chunk->cap) * 2 : SNT_ARENA_FIRST_CHUNK;
    while (size - sizeof *a->chunk < n)
        size *= 2;
    struct snt_arena_chunk *c = malloc(size);
    if (!c)
        return NULL;
    c->older = a->chunk;
    c->cap = size - sizeof *c;
    a->chunk = c;
    a->used = 0;
    return c;
}

void *snt_arena_alloc(struct snt_arena *a, size_t n)
{
    if (n > SIZE_MAX / 4)
        return NULL;
    n = round_up(n ? n : 1);
    if ((!a->chunk || a->chunk->cap - a->used < n) && !chunk_new(a, n))
        return NULL;
    void *p = a->chunk->bytes + a->used;
    a->used += n;
    return p;
}

bool snt_arena_array_room(struct snt_arena *a, void **arr, unsigned n, unsigned *cap,
                          unsigned first, unsigned max, size_t size)
{
    if (n >= max)
        return false;
    if (n < *cap)
        return true;
    unsigned want = *cap ? *cap * 2 : first;
    if (want > max)
        want = max;
    void *grown = snt_arena_alloc(a, (size_t)want * size);
    if (!grown)
        return false;
    if (n)
        memcpy(grown, *arr, (size_t)n * size);
    *arr = grown;
    *cap = want;
    return true;
}

char *snt_arena_memdup(struct snt_arena *a, const void *p, size_t len)
{
    char *s = snt_arena_alloc(a, len + 1);
    if (!s)
        return NULL;
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* The chunks from c on, the owner's buffer left alone. */
static void free_from(struct snt_arena *a, struct snt_arena_chunk *c)
{
    while (c) {
        struct snt_arena_chunk *older = c->older;
        if (c != a->own)
            free(c);
        c = older;
    }
}

void snt_arena_free(struct snt_arena *a)
{
    free_from(a, a->chunk);
    a->chunk = a->own;
    a->used = 0;
}

void snt_arena_reset(struct snt_arena *a)
{
    if (a->own || (a->chunk && a->chunk->cap > SNT_ARENA_KEEP_MAX)) {
        snt_arena_free(a);
        return;
    }
    if (a->chunk) {
        free_from(a, a->chunk->older);
        a->chunk->older = NULL;
    }
    a->used = 0;
}
