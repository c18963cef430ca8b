/* SipHash (J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast short-input
 * PRF", 2012): a keyed 64-bit hash for tables whose keys an outsider
 * chooses.  With a random key nobody can aim many keys at one bucket, so
 * lookups stay short whatever the traffic.  It does not replace comparing
 * the keys themselves: a match of hashes is only a candidate.
 *
 * Incremental: bytes may arrive in any number of pieces, and a state may be
 * copied to finish several messages that share a prefix. */
#ifndef SNITRACE_SIPHASH_H
#define SNITRACE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SNT_SIPHASH_KEY_LEN 16

struct snt_siphash {
    uint64_t v[4];
    uint64_t tail;  /* bytes not yet in a whole word, little-endian */
    uint64_t total; /* bytes so far (only the low 8 bits are used) */
    unsigned c_rounds, d_rounds;
};

/* SipHash-c-d: 1-3 for tables (fast), 2-4 for the paper's test vectors. */
#define SNT_SIPHASH_TABLE_C 1
#define SNT_SIPHASH_TABLE_D 3
void snt_siphash_init(struct snt_siphash *s, const uint8_t key[SNT_SIPHASH_KEY_LEN],
                      unsigned c_rounds, unsigned d_rounds);
void snt_siphash_update(struct snt_siphash *s, const void *p, size_t len);
void snt_siphash_u64(struct snt_siphash *s, uint64_t v); /* 8 bytes, little-endian */
uint64_t snt_siphash_final(const struct snt_siphash *s); /* s stays usable */

#endif
