/* An index over a list of distinct strings that only grows (a session's
 * names, the names asked of a flagged server), for O(1) "is it there":
 * the first few are compared in turn, past them a hash table in the
 * owner's arena finds them.  The list and its strings are the owner's. */
#ifndef SNITRACE_STRINDEX_H
#define SNITRACE_STRINDEX_H

#include <stdbool.h>

#include "arena.h"

struct snt_strindex {
    unsigned short *slots; /* NULL while the list is short; else index + 1, 0 for free */
    unsigned n_slots;      /* a power of two, at least twice the list's bound */
    bool nocase;           /* ASCII letters compared without case (as strcasecmp) */
};

/* An empty index for a list of at most max strings. */
void snt_strindex_init(struct snt_strindex *x, unsigned max, bool nocase);

/* Where s is in list (n strings), or -1. */
int snt_strindex_find(const struct snt_strindex *x, char *const *list, unsigned n, const char *s);

/* list[n - 1] was just appended.  Without memory for the table the index
 * goes on comparing in turn: slower, never wrong. */
void snt_strindex_added(struct snt_strindex *x, struct snt_arena *a, char *const *list, unsigned n);

#endif
