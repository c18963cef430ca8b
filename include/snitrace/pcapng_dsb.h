/* pcapng Decryption Secrets Blocks, found in the raw bytes of a capture file
 * as they are read (libpcap skips these blocks).
 *
 * An incremental scanner over the block framing of pcapng (the IETF draft
 * draft-ietf-opsawg-pcapng): it follows Section Header Blocks and their byte
 * order, steps over every block by its length without keeping it, checks
 * each block's trailing length, and buffers only Decryption Secrets Block
 * bodies (bounded) to hand their secrets to a callback.  Nothing else of
 * pcapng is read here; libpcap reads the packets.
 */
#ifndef SNITRACE_PCAPNG_DSB_H
#define SNITRACE_PCAPNG_DSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/result.h"

#define SNT_PCAPNG_SECRETS_TLS 0x544c534bu         /* "TLSK": an NSS key log */
#define SNT_PCAPNG_DSB_MAX     (16u * 1024 * 1024) /* largest secrets block body kept */

typedef void (*snt_pcapng_secrets_fn)(void *arg, uint32_t secrets_type, const uint8_t *data,
                                      size_t len);

struct snt_pcapng_dsb_counters {
    uint64_t sections;          /* Section Header Blocks */
    uint64_t blocks;            /* blocks of every type, sections included */
    uint64_t secrets;           /* secrets blocks handed to the callback */
    uint64_t secrets_oversized; /* bodies over SNT_PCAPNG_DSB_MAX: skipped */
    uint64_t secrets_malformed; /* secrets length past the block: skipped */
    uint64_t framing_errors;    /* broken framing: the scanner went quiet */
};

/* Private: the scanner's state.  Embed it and use the functions below. */
struct snt_pcapng_dsb {
    int state;
    uint8_t head[12]; /* block type, total length, and a section's byte-order magic */
    size_t have;      /* bytes of head, or of the trailer, collected */
    bool big_endian;  /* the current section's byte order */
    uint32_t type, total;
    uint64_t skip; /* body bytes still to step over */
    uint8_t *body; /* a secrets block body being collected */
    size_t body_len, body_have;
    enum snt_result status; /* SNT_OK while scanning; else why it went quiet */
    struct snt_pcapng_dsb_counters counters;
};

void snt_pcapng_dsb_init(struct snt_pcapng_dsb *s);
/* Free a body being collected; the scanner may be initialised again. */
void snt_pcapng_dsb_release(struct snt_pcapng_dsb *s);

/* The next bytes of the file, in order, in pieces of any size.  Calls fn for
 * every complete secrets block (its trailer checked), data borrowed for the
 * call.  SNT_OK: scanning; SNT_NOT_MINE: the file is not pcapng; SNT_MALFORMED:
 * broken framing (counted).  After either of those the scanner is quiet and
 * returns the same answer. */
enum snt_result snt_pcapng_dsb_feed(struct snt_pcapng_dsb *s, const uint8_t *p, size_t len,
                                    snt_pcapng_secrets_fn fn, void *arg);

/* True once a Section Header Block was seen: the file is pcapng. */
bool snt_pcapng_dsb_is_pcapng(const struct snt_pcapng_dsb *s);

#endif
