/* Fuzz target for QUIC client Initials: long headers and coalesced packets
 * (RFC 9000 section 17.2), header protection and AEAD (RFC 9001 section 5),
 * the Initial frames and CRYPTO reassembly (RFC 9000 section 19).
 *
 * The input is fed three ways: as one UDP datagram; as two datagrams, split
 * where its last two bytes (big-endian, modulo the size) say, so that seeds
 * can carry a ClientHello spread over two datagrams; and as a decrypted
 * payload straight to both frame parsers, which the AEAD otherwise keeps
 * out of reach.  Every buffer is an exact-size heap copy, so AddressSanitizer
 * sees any read past its end.
 */
#include "snitrace/quic.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct snt_quic_crypto state; /* prepared afresh for each try (reset) */

static void feed_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    (void)snt_quic_sniff_initial(c, n);
    (void)snt_quic_feed_client_datagram(&state, c, n);
    free(c);
}

/* The ClientHello, when claimed, lies within what was assembled. */
static void check_hello(void)
{
    const uint8_t *body;
    size_t len;
    if (state.stream.contiguous > SNT_QUIC_MAX_CRYPTO ||
        state.stream.n_ranges > SNT_QUIC_MAX_RANGES)
        abort();
    if (snt_quic_client_hello(&state, &body, &len) != SNT_OK)
        return;
    if (body < state.stream.buf || len > state.stream.contiguous ||
        (size_t)(body - state.stream.buf) + len > state.stream.contiguous)
        abort();
}

/* The state freed and prepared again. */
static void reset(void)
{
    snt_quic_crypto_free(&state);
    snt_quic_crypto_init(&state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reset();
    feed_copy(data, size);
    check_hello();

    size_t split = size >= 2 ? ((size_t)data[size - 2] << 8 | data[size - 1]) % size : 0;
    reset();
    feed_copy(data, split);
    feed_copy(data + split, size - split);
    check_hello();

    uint8_t *c = malloc(size ? size : 1);
    if (!c)
        abort();
    if (size)
        memcpy(c, data, size);
    reset();
    (void)snt_quic_parse_frames(&state.stream, SNT_QUIC_FRAMES_IETF, c, size, NULL);
    check_hello();
    reset();
    (void)snt_quic_parse_frames(&state.stream, SNT_QUIC_FRAMES_GQUIC, c, size, NULL);
    check_hello();
    free(c);
    snt_quic_crypto_free(&state);
    return 0;
}
