/* A bump allocator in chunks, for many small strings and arrays that live
 * and die together (one session's): an allocation per chunk instead of one
 * per item, and a reset that keeps the largest chunk, so a recycled owner
 * of the same size allocates nothing at all. */
#ifndef SNITRACE_ARENA_H
#define SNITRACE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct snt_arena_chunk;

struct snt_arena {
    struct snt_arena_chunk *chunk; /* the newest and largest; older ones behind it */
    size_t used;                   /* bytes of it taken */
    size_t last;                   /* where in it the latest allocation starts */
};

/* n bytes aligned for any type, or NULL when memory ran out.  Chunks
 * double from SNT_ARENA_FIRST_CHUNK bytes, their header included. */
#define SNT_ARENA_FIRST_CHUNK 1024
void *snt_arena_alloc(struct snt_arena *a, size_t n);

/* Room for one more element in an array kept in the arena (*arr holds n
 * of *cap elements of size bytes): when full, a copy first elements long,
 * then twice as long, up to max, the old one left to the arena.  false
 * when max elements are there or memory ran out. */
bool snt_arena_array_room(struct snt_arena *a, void **arr, unsigned n, unsigned *cap,
                          unsigned first, unsigned max, size_t size);

/* A NUL-terminated copy of len bytes; NULL when memory ran out. */
char *snt_arena_memdup(struct snt_arena *a, const void *p, size_t len);

/* Give back the end of p, keeping its first n bytes, when p is the latest
 * allocation (for a string written into room reserved for the worst
 * case); otherwise nothing happens. */
void snt_arena_shrink(struct snt_arena *a, void *p, size_t n);

/* Forget every allocation; keep the largest chunk for what comes next,
 * unless it is over SNT_ARENA_KEEP_MAX bytes (an owner that needed that
 * much is rare, and a pool of them would hold on to it). */
#define SNT_ARENA_KEEP_MAX (16 * 1024)
void snt_arena_reset(struct snt_arena *a);

void snt_arena_free(struct snt_arena *a); /* accepts an arena never used */

#endif
