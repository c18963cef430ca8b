/* Growable reassembly buffers: see growbuf.h. */
#include "growbuf.h"

#include <stdlib.h>

size_t snt_buf_grown_size(size_t cap, size_t need, size_t first, size_t max)
{
    if (need <= cap)
        return cap;
    if (need > max)
        return need;
    size_t n = cap ? cap : first;
    while (n < need && n <= max / 2)
        n *= 2;
    if (n < need || n > max)
        n = max;
    return n;
}

bool snt_buf_reserve(uint8_t **buf, size_t *cap, size_t need, size_t first, size_t max)
{
    if (need <= *cap)
        return true;
    if (need > max)
        return false;
    size_t n = snt_buf_grown_size(*cap, need, first, max);
    uint8_t *nb = realloc(*buf, n);
    if (!nb)
        return false;
    *buf = nb;
    *cap = n;
    return true;
}
