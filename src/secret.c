/* Secrets for keyed tables (src/secret.h). */
#include "secret.h"

#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* SplitMix64's step: a different well-mixed word for each call. */
static uint64_t next_word(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void snt_secret_draw(void *out, size_t len)
{
    if (getrandom(out, len, GRND_NONBLOCK) == (ssize_t)len)
        return;
    uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
    for (size_t at = 0; at < len; at += sizeof x) {
        uint64_t w = next_word(&x);
        memcpy((uint8_t *)out + at, &w, len - at < sizeof w ? len - at : sizeof w);
    }
}
