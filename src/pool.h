/* Fixed-size objects handed out from chunks and taken back on a free list:
 * a table of many small entries allocates once per chunk, not once per
 * entry, and an entry given back is the next one handed out. */
#ifndef SNITRACE_POOL_H
#define SNITRACE_POOL_H

#include <stddef.h>

struct snt_pool_chunk;

struct snt_pool {
    size_t size, per_chunk;
    void *free;                    /* objects given back, linked through their first bytes */
    struct snt_pool_chunk *chunks; /* newest first */
    size_t fresh;                  /* objects of the newest chunk never handed out */
};

/* Objects of size bytes (at least a pointer's), per_chunk to a chunk. */
void snt_pool_init(struct snt_pool *p, size_t size, size_t per_chunk);

/* An object (its bytes as they were left, not cleared), or NULL when memory
 * ran out. */
void *snt_pool_get(struct snt_pool *p);
void snt_pool_put(struct snt_pool *p, void *obj);

/* Every chunk, so every object, handed out or not. */
void snt_pool_free(struct snt_pool *p);

#endif
