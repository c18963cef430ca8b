/* The object pool of src/pool.h. */
#include <stdalign.h>
#include <stdlib.h>

#include "pool.h"

struct snt_pool_chunk {
    struct snt_pool_chunk *next;
    alignas(max_align_t) unsigned char bytes[];
};

void snt_pool_init(struct snt_pool *p, size_t size, size_t per_chunk)
{
    size_t align = alignof(max_align_t);
    if (size < sizeof(void *))
        size = sizeof(void *);
    p->size = (size + align - 1) & ~(align - 1);
    p->per_chunk = per_chunk ? per_chunk : 1;
    p->free = NULL;
    p->chunks = NULL;
    p->fresh = 0;
}

void *snt_pool_get(struct snt_pool *p)
{
    if (p->free) {
        void *obj = p->free;
        p->free = *(void **)obj;
        return obj;
    }
    if (p->fresh == 0) {
        struct snt_pool_chunk *c = malloc(sizeof *c + p->size * p->per_chunk);
        if (!c)
            return NULL;
        c->next = p->chunks;
        p->chunks = c;
        p->fresh = p->per_chunk;
    }
    return p->chunks->bytes + p->size * (p->per_chunk - p->fresh--);
}

void snt_pool_put(struct snt_pool *p, void *obj)
{
    if (!obj)
        return;
    *(void **)obj = p->free;
    p->free = obj;
}

void snt_pool_free(struct snt_pool *p)
{
    while (p->chunks) {
        struct snt_pool_chunk *next = p->chunks->next;
        free(p->chunks);
        p->chunks = next;
    }
    p->free = NULL;
    p->fresh = 0;
}
