/* An intrusive doubly-linked list in arrival order (an LRU when entries
 * are pushed again on use): links embedded in the entries, O(1) push and
 * unlink, the oldest entry at the head. */
#ifndef SNITRACE_DLIST_H
#define SNITRACE_DLIST_H

#include <stddef.h>

#include "container.h"

struct snt_dlink {
    struct snt_dlink *older, *newer;
};

struct snt_dlist {
    struct snt_dlink *oldest, *newest;
};

static inline void snt_dlist_push(struct snt_dlist *l, struct snt_dlink *x)
{
    x->older = l->newest;
    x->newer = NULL;
    if (l->newest)
        l->newest->newer = x;
    else
        l->oldest = x;
    l->newest = x;
}

static inline void snt_dlist_unlink(struct snt_dlist *l, struct snt_dlink *x)
{
    if (x->newer)
        x->newer->older = x->older;
    else
        l->newest = x->older;
    if (x->older)
        x->older->newer = x->newer;
    else
        l->oldest = x->newer;
    x->older = x->newer = NULL;
}

/* The entry (of type type, linked through its member member) that is the
 * oldest in list l, NULL when l is empty. */
#define SNT_DLIST_OLDEST(l, type, member)                                                          \
    ((l)->oldest ? SNT_CONTAINER_OF((l)->oldest, type, member) : NULL)

/* Make x the newest. */
static inline void snt_dlist_touch(struct snt_dlist *l, struct snt_dlink *x)
{
    if (l->newest != x) {
        snt_dlist_unlink(l, x);
        snt_dlist_push(l, x);
    }
}

#endif
