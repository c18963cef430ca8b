/* TLS Certificate Compression (RFC 8879): the CompressedCertificate
 * message, and its three algorithms through their reference libraries:
 * zlib (RFC 1950), brotli (RFC 7932) and zstd (RFC 8878).
 *
 * struct {
 *     CertificateCompressionAlgorithm algorithm;
 *     uint24 uncompressed_length;
 *     opaque compressed_certificate_message<1..2^24-1>;
 * } CompressedCertificate;
 *
 * The result must be exactly uncompressed_length bytes (section 4), which
 * bounds the work: nothing is ever inflated past the caller's buffer.
 */
#include "snitrace/tls.h"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#define ALG_ZLIB   1
#define ALG_BROTLI 2
#define ALG_ZSTD   3

static bool inflate_zlib(struct snt_span in, uint8_t *out, size_t want)
{
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return false;
    z.next_in = (Bytef *)in.p;
    z.avail_in = (uInt)in.len;
    z.next_out = out;
    z.avail_out = (uInt)want;
    int rc = inflate(&z, Z_FINISH);
    bool ok = rc == Z_STREAM_END && z.total_out == want && z.avail_in == 0;
    inflateEnd(&z);
    return ok;
}

static bool inflate_brotli(struct snt_span in, uint8_t *out, size_t want)
{
    size_t got = want;
    return BrotliDecoderDecompress(in.len, in.p, &got, out) == BROTLI_DECODER_RESULT_SUCCESS &&
           got == want;
}

static bool inflate_zstd(struct snt_span in, uint8_t *out, size_t want)
{
    size_t got = ZSTD_decompress(out, want, in.p, in.len);
    return !ZSTD_isError(got) && got == want;
}

enum snt_result snt_tls_decompress_certificate(const uint8_t *body, size_t len, uint8_t *out,
                                               size_t cap, size_t *out_len, uint16_t *algorithm)
{
    struct snt_reader r = snt_reader_make(body, len), data;
    uint16_t alg;
    uint32_t want;
    struct snt_span in;
    if (!snt_read_u16(&r, &alg) || !snt_read_u24(&r, &want) || !snt_read_vec24(&r, &data) ||
        !snt_reader_done(&r) || snt_reader_left(&data) == 0)
        return SNT_MALFORMED;
    snt_read_span(&data, snt_reader_left(&data), &in);
    *algorithm = alg;
    if (want == 0 || want > cap || in.len > UINT32_MAX)
        return SNT_MALFORMED;
    bool ok;
    switch (alg) {
    case ALG_ZLIB: ok = inflate_zlib(in, out, want); break;
    case ALG_BROTLI: ok = inflate_brotli(in, out, want); break;
    case ALG_ZSTD: ok = inflate_zstd(in, out, want); break;
    default: return SNT_NOT_MINE;
    }
    if (!ok)
        return SNT_MALFORMED;
    *out_len = want;
    return SNT_OK;
}
