/* A bump allocator in chunks, for many small strings and arrays that live
 * and die together (one session's): an allocation per chunk instead of one
 * per item.  Its first chunk may be a buffer inside the owner, so an owner
 * whose needs fit it allocates nothing at all; otherwise a reset keeps the
 * largest chunk for the next use. */
#ifndef SNITRACE_ARENA_H
#define SNITRACE_ARENA_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

struct snt_arena_chunk;

struct snt_arena {
    struct snt_arena_chunk *chunk; /* the newest and largest; older ones behind it */
    struct snt_arena_chunk *own;   /* the owner's buffer (never freed here), or NULL */
    size_t used;                   /* bytes of the newest taken */
};

/* Chunks double from SNT_ARENA_FIRST_CHUNK bytes (or the owner's buffer's
 * size), their header included. */
#define SNT_ARENA_FIRST_CHUNK 1024

/* An empty arena; with a buffer (aligned as alignas(max_align_t) gives, of
 * size bytes, more than a chunk header) as its first chunk. */
void snt_arena_init(struct snt_arena *a);
void snt_arena_init_inline(struct snt_arena *a, void *buf, size_t size);

/* n bytes aligned for any type, or NULL when memory ran out. */
void *snt_arena_alloc(struct snt_arena *a, size_t n);

/* Room for one more element in an array kept in the arena (*arr holds n
 * of *cap elements of size bytes): when full, a copy first elements long,
 * then twice as long, up to max, the old one left to the arena.  false
 * when max elements are there or memory ran out. */
bool snt_arena_array_room(struct snt_arena *a, void **arr, unsigned n, unsigned *cap,
                          unsigned first, unsigned max, size_t size);

/* A NUL-terminated copy of len bytes; NULL when memory ran out. */
char *snt_arena_memdup(struct snt_arena *a, const void *p, size_t len);

/* Forget every allocation.  With an owner's buffer, back to it alone;
 * else the largest chunk is kept, unless it is over SNT_ARENA_KEEP_MAX
 * bytes (an owner that needed that much is rare, and a pool of them would
 * hold on to it). */
#define SNT_ARENA_KEEP_MAX (16 * 1024)
void snt_arena_reset(struct snt_arena *a);

/* Every chunk but the owner's buffer; accepts an arena never used. */
void snt_arena_free(struct snt_arena *a);

#endif
