/* The bookkeeping of a small set-associative memo: under each hash
 * bucket a set of SNT_WAYS slots, found by the key's hash (its tag) and
 * then compared whole by the caller; a new key takes an empty slot, else
 * the least recently used one.  With one slot per bucket, two keys whose
 * hashes meet (hashes keyed per run meet in some runs, not in others)
 * would put each other out every time they come in turn.
 *
 * The slots themselves are the caller's, one array per set beside its
 * struct snt_ways.  The clock is the caller's too (one per memo). */
#ifndef SNITRACE_WAYS_H
#define SNITRACE_WAYS_H

#include <stdbool.h>
#include <stdint.h>

#define SNT_WAYS 4

struct snt_ways {
    uint32_t tag[SNT_WAYS];  /* the hash of the key each slot holds */
    uint32_t used[SNT_WAYS]; /* when last found or filled; 0: empty */
};

/* Whether way w's slot is filled with a key of this tag (to be compared
 * whole). */
static inline bool snt_ways_holds(const struct snt_ways *s, unsigned w, uint32_t tag)
{
    return s->used[w] && s->tag[w] == tag;
}

/* The clock's next tick, never 0 (which marks a slot empty). */
static inline uint32_t snt_ways_tick(uint32_t *clock)
{
    if (++*clock == 0)
        ++*clock;
    return *clock;
}

/* Way w's key was found again. */
static inline void snt_ways_touch(struct snt_ways *s, unsigned w, uint32_t *clock)
{
    s->used[w] = snt_ways_tick(clock);
}

/* The way a new key of this tag goes in (marked filled now): an empty
 * one, else the least recently used.  When the clock wraps, after four
 * billion uses, the order is wrong for a while: a poorer choice, never a
 * wrong answer, since keys are compared whole. */
static inline unsigned snt_ways_take(struct snt_ways *s, uint32_t tag, uint32_t *clock)
{
    unsigned victim = 0;
    for (unsigned w = 1; w < SNT_WAYS; w++)
        if (s->used[w] < s->used[victim])
            victim = w;
    s->tag[victim] = tag;
    s->used[victim] = snt_ways_tick(clock);
    return victim;
}

#endif
