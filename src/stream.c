/* Bounded in-order reassembly of the first bytes of a TCP direction
 * (RFC 9293 sequence space, modulo 2^32).  See include/snitrace/stream.h for
 * the overlap policy. */
#include <stdlib.h>
#include <string.h>

#include "snitrace/stream.h"

#include "growbuf.h"

#define STREAM_FIRST_ALLOCATION 2048

void snt_stream_init(struct snt_stream *s, size_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
}

void snt_stream_reset(struct snt_stream *s, size_t max)
{
    if (s->cap > max)
        snt_stream_free(s);
    uint8_t *buf = s->buf;
    size_t cap = s->cap;
    struct snt_budget *budget = s->budget;
    snt_stream_init(s, max);
    s->buf = buf;
    s->cap = cap;
    s->budget = budget;
}

void snt_stream_free(struct snt_stream *s)
{
    if (s->budget)
        s->budget->used -= s->cap;
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

/* Room for need bytes, within the budget: false with memory_wanted set
 * when the budget has not got the bytes the buffer must grow by. */
static bool reserve(struct snt_stream *s, size_t need)
{
    size_t old = s->cap;
    size_t grown = snt_buf_grown_size(old, need, STREAM_FIRST_ALLOCATION, s->max);
    struct snt_budget *b = s->budget;
    if (b && grown > old && grown - old > (b->used < b->max ? b->max - b->used : 0)) {
        s->memory_wanted = grown - old;
        return false;
    }
    if (!snt_buf_reserve(&s->buf, &s->cap, need, STREAM_FIRST_ALLOCATION, s->max))
        return false;
    if (b)
        b->used += s->cap - old;
    return true;
}

void snt_stream_set_base(struct snt_stream *s, uint32_t seq)
{
    s->base = seq;
    s->have_base = true;
}

bool snt_stream_has_gap(const struct snt_stream *s)
{
    return s->n_ranges > 0;
}

/* Copy the parts of [lo, hi) no range covers yet: the first copy wins. */
static void copy_uncovered(struct snt_stream *s, uint32_t lo, uint32_t hi, const uint8_t *src)
{
    uint32_t at = lo;
    for (unsigned i = 0; i < s->n_ranges && at < hi; i++) {
        const struct snt_stream_range *r = &s->ranges[i];
        if (r->hi <= at)
            continue;
        if (r->lo >= hi)
            break;
        if (r->lo > at)
            memcpy(s->buf + at, src + (at - lo), r->lo - at);
        at = r->hi;
    }
    if (at < hi)
        memcpy(s->buf + at, src + (at - lo), hi - at);
}

/* Merge [lo, hi) into the sorted range list.  False when the list is full. */
static bool insert_range(struct snt_stream *s, uint32_t lo, uint32_t hi)
{
    unsigned i = 0;
    while (i < s->n_ranges && s->ranges[i].hi < lo)
        i++;
    unsigned j = i;
    while (j < s->n_ranges && s->ranges[j].lo <= hi) {
        if (s->ranges[j].lo < lo)
            lo = s->ranges[j].lo;
        if (s->ranges[j].hi > hi)
            hi = s->ranges[j].hi;
        j++;
    }
    unsigned merged = j - i;
    if (merged == 0 && s->n_ranges == SNT_MAX_OOO_SEGMENTS)
        return false;
    size_t tail = s->n_ranges - j;
    if (merged == 0)
        memmove(&s->ranges[i + 1], &s->ranges[i], tail * sizeof s->ranges[0]);
    else if (merged > 1)
        memmove(&s->ranges[i + 1], &s->ranges[j], tail * sizeof s->ranges[0]);
    s->ranges[i].lo = lo;
    s->ranges[i].hi = hi;
    s->n_ranges = s->n_ranges + 1 - merged;
    return true;
}

/* Deliver what has become contiguous. */
static bool advance(struct snt_stream *s)
{
    size_t before = s->contiguous;
    while (s->n_ranges && s->ranges[0].lo <= s->contiguous) {
        if (s->ranges[0].hi > s->contiguous)
            s->contiguous = s->ranges[0].hi;
        memmove(&s->ranges[0], &s->ranges[1], (s->n_ranges - 1) * sizeof s->ranges[0]);
        s->n_ranges--;
    }
    return s->contiguous > before;
}

bool snt_stream_add(struct snt_stream *s, uint32_t seq, const uint8_t *p, size_t len)
{
    s->memory_wanted = 0;
    if (!s->have_base || len == 0)
        return false;
    uint32_t off = seq - s->base;
    if (off > 0x80000000u) { /* starts before the base: keep the part after it */
        uint32_t before = (uint32_t)0 - off;
        if (before >= len)
            return false;
        p += before;
        len -= before;
        off = 0;
    }
    if (off >= s->max) {
        s->hit_limit = true;
        return false;
    }
    size_t hi = (size_t)off + len;
    if (hi > s->max) {
        s->hit_limit = true;
        hi = s->max;
    }
    if (hi <= s->contiguous)
        return false; /* a retransmission of delivered bytes */
    size_t lo = off < s->contiguous ? s->contiguous : off;
    if (!reserve(s, hi)) {
        s->hit_limit = s->hit_limit || !s->memory_wanted;
        return false;
    }
    copy_uncovered(s, (uint32_t)lo, (uint32_t)hi, p + (lo - off));
    if (!insert_range(s, (uint32_t)lo, (uint32_t)hi)) {
        s->hit_limit = true;
        return false;
    }
    return advance(s);
}
