/* The string index of src/strindex.h: linear probing over FNV-1a of the
 * string (case-folded when asked to). */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "strindex.h"

#define SCANNED 8 /* strings compared in turn before a table is kept */

void snt_strindex_init(struct snt_strindex *x, unsigned max, bool nocase)
{
    unsigned n = 16;
    while (n < 2 * max)
        n *= 2;
    x->slots = NULL;
    x->n_slots = n;
    x->nocase = nocase;
}

static uint32_t hash(const struct snt_strindex *x, const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        uint8_t c = (uint8_t)*s;
        if (x->nocase && c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + ('a' - 'A'));
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static bool same(const struct snt_strindex *x, const char *a, const char *b)
{
    return (x->nocase ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

int snt_strindex_find(const struct snt_strindex *x, char *const *list, unsigned n, const char *s)
{
    if (!x->slots) {
        for (unsigned i = 0; i < n; i++)
            if (same(x, list[i], s))
                return (int)i;
        return -1;
    }
    unsigned mask = x->n_slots - 1;
    for (uint32_t slot = hash(x, s) & mask; x->slots[slot]; slot = (slot + 1) & mask)
        if (same(x, list[x->slots[slot] - 1], s))
            return x->slots[slot] - 1;
    return -1;
}

static void slot_add(struct snt_strindex *x, char *const *list, unsigned index)
{
    unsigned mask = x->n_slots - 1;
    uint32_t slot = hash(x, list[index]) & mask;
    while (x->slots[slot])
        slot = (slot + 1) & mask;
    x->slots[slot] = (unsigned short)(index + 1);
}

void snt_strindex_added(struct snt_strindex *x, struct snt_arena *a, char *const *list, unsigned n)
{
    if (x->slots) {
        slot_add(x, list, n - 1);
        return;
    }
    if (n < SCANNED || !(x->slots = snt_arena_alloc(a, x->n_slots * sizeof *x->slots)))
        return;
    memset(x->slots, 0, x->n_slots * sizeof *x->slots);
    for (unsigned i = 0; i < n; i++)
        slot_add(x, list, i);
}
