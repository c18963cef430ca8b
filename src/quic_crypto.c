/* QUIC packet protection: the per-version Initial salts, Initial key
 * derivation (RFC 9001 section 5.2, RFC 9369 section 3.3), header protection
 * removal for long and short headers (RFC 9001 section 5.4) and payload
 * decryption (RFC 9001 section 5.3), on the AEAD and HKDF of tls_crypto.c.
 *
 * Initial keys are derived from public values only, so any observer can
 * read a client's first flight.  That is the whole point here.
 */
#include "snitrace/quic.h"

#include <string.h>

#include "snitrace/reader.h"
#include "snitrace/tls_crypto.h"

#define INITIAL_SUITE     0x1301 /* TLS_AES_128_GCM_SHA256 (RFC 9001 section 5.2) */
#define INITIAL_HASH      "SHA256"
#define SHA256_LEN        32
#define HP_SAMPLE_LEN     16
#define HP_SAMPLE_OFFSET  4 /* the sample assumes a 4-byte packet number */
#define HP_MASK_LEN       5
#define LONG_HEADER_FORM  0x80
#define LONG_HEADER_BITS  0x0f /* reserved bits and packet number length */
#define SHORT_HEADER_BITS 0x1f /* reserved bits, key phase and packet number length */
#define PN_LEN_MASK       0x03
#define MAX_PN_LEN        4
#define PN_MAX            ((uint64_t)1 << 62)

/* RFC 9001 section 5.2. */
static const uint8_t salt_v1[SNT_QUIC_SALT_LEN] = {
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
/* RFC 9369 section 3.3.1. */
static const uint8_t salt_v2[SNT_QUIC_SALT_LEN] = {
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};
/* draft-ietf-quic-tls-29 to -32. */
static const uint8_t salt_draft29[SNT_QUIC_SALT_LEN] = {
    0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
    0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};
/* draft-ietf-quic-tls-23 to -28; also mvfst's own versions. */
static const uint8_t salt_draft23[SNT_QUIC_SALT_LEN] = {
    0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
    0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
};
/* draft-ietf-quic-tls-21 and -22; mvfst 0xfaceb001 kept it. */
static const uint8_t salt_draft21[SNT_QUIC_SALT_LEN] = {
    0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
    0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a,
};
/* Google QUIC with TLS 1.3 inside, versions T050 and T051. */
static const uint8_t salt_t050[SNT_QUIC_SALT_LEN] = {
    0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
    0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10,
};
static const uint8_t salt_t051[SNT_QUIC_SALT_LEN] = {
    0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
    0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d,
};

#define V2_INITIAL_TYPE 1 /* RFC 9369 section 3.2: Initial is 0b01 in v2 */

/* Every version whose Initial protection is public.  Drafts 33 and 34
 * already used the final RFC 9001 salt. */
static const struct snt_quic_version versions[] = {
    {SNT_QUIC_VERSION_1, "1", 0, false, false, salt_v1, SNT_QUIC_FRAMES_IETF},
    {SNT_QUIC_VERSION_2, "2", V2_INITIAL_TYPE, false, true, salt_v2, SNT_QUIC_FRAMES_IETF},
    {0xff000015u, "draft-21", 0, true, false, salt_draft21, SNT_QUIC_FRAMES_IETF},
    {0xff000016u, "draft-22", 0, false, false, salt_draft21, SNT_QUIC_FRAMES_IETF},
    {0xff000017u, "draft-23", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff000018u, "draft-24", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff000019u, "draft-25", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001au, "draft-26", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001bu, "draft-27", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001cu, "draft-28", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xff00001du, "draft-29", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff00001eu, "draft-30", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff00001fu, "draft-31", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff000020u, "draft-32", 0, false, false, salt_draft29, SNT_QUIC_FRAMES_IETF},
    {0xff000021u, "draft-33", 0, false, false, salt_v1, SNT_QUIC_FRAMES_IETF},
    {0xff000022u, "draft-34", 0, false, false, salt_v1, SNT_QUIC_FRAMES_IETF},
    {0xfaceb001u, "mvfst-d24", 0, false, false, salt_draft21, SNT_QUIC_FRAMES_IETF},
    {0xfaceb002u, "mvfst", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0xfaceb00eu, "mvfst-experimental", 0, false, false, salt_draft23, SNT_QUIC_FRAMES_IETF},
    {0x54303530u, "T050", 0, false, false, salt_t050, SNT_QUIC_FRAMES_GQUIC},
    {0x54303531u, "T051", 0, false, false, salt_t051, SNT_QUIC_FRAMES_GQUIC},
};

const struct snt_quic_version *snt_quic_version_lookup(uint32_t version)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i].number == version)
            return &versions[i];
    return NULL;
}

/* ---- key derivation ------------------------------------------------------ */

bool snt_quic_initial_keys(const struct snt_quic_version *v, const uint8_t *dcid, size_t dcid_len,
                           bool server, struct snt_traffic_keys *out)
{
    uint8_t initial[SHA256_LEN], side[SHA256_LEN];
    return snt_hkdf_extract(INITIAL_HASH, v->salt, SNT_QUIC_SALT_LEN, dcid, dcid_len, initial,
                            sizeof initial) &&
           snt_tls13_expand_label(INITIAL_HASH, initial, sizeof initial,
                                  server ? "server in" : "client in", NULL, 0, side, sizeof side) &&
           snt_quic_packet_keys(INITIAL_SUITE, v->v2_labels, side, sizeof side, out);
}

/* ---- header protection and AEAD ------------------------------------------ */

/* RFC 9000 appendix A.3: the full packet number closest to the next one
 * expected. */
static uint64_t decode_pn(int64_t largest_pn, uint64_t truncated, size_t pn_len)
{
    uint64_t expected = (uint64_t)(largest_pn + 1);
    uint64_t win = (uint64_t)1 << (8 * pn_len), hwin = win / 2, mask = win - 1;
    uint64_t candidate = (expected & ~mask) | truncated;
    if (candidate + hwin <= expected && candidate < PN_MAX - win)
        return candidate + win;
    if (candidate > expected + hwin && candidate >= win)
        return candidate - win;
    return candidate;
}

/* The unprotected header, authenticated as three pieces: the first byte
 * and the packet number unmasked, the bytes between them as sent. */
struct header {
    uint8_t first;
    struct snt_span middle;
    uint8_t pn[MAX_PN_LEN];
    size_t pn_len;
    uint64_t truncated_pn;
};

/* RFC 9001 section 5.4.1: the mask covers 4 bits of a long header's first
 * byte and 5 of a short one's, then the packet number. */
static enum snt_result remove_hp(const struct snt_traffic_keys *k, struct snt_reader *r,
                                 size_t pn_offset, struct header *h)
{
    struct snt_span sample, pn_bytes;
    uint8_t mask[HP_MASK_LEN];
    if (pn_offset < 1 || !snt_read_u8(r, &h->first) || !snt_read_span(r, pn_offset - 1, &h->middle))
        return SNT_MALFORMED;
    struct snt_reader s = *r;
    if (!snt_skip(&s, HP_SAMPLE_OFFSET) || !snt_read_span(&s, HP_SAMPLE_LEN, &sample))
        return SNT_MALFORMED;
    if (!snt_quic_hp_mask(k, sample.p, mask))
        return SNT_NOT_MINE;
    h->first ^= mask[0] & (h->first & LONG_HEADER_FORM ? LONG_HEADER_BITS : SHORT_HEADER_BITS);
    h->pn_len = (size_t)(h->first & PN_LEN_MASK) + 1;
    if (!snt_read_span(r, h->pn_len, &pn_bytes))
        return SNT_MALFORMED;
    h->truncated_pn = 0;
    for (size_t i = 0; i < h->pn_len; i++) {
        h->pn[i] = pn_bytes.p[i] ^ mask[1 + i];
        h->truncated_pn = h->truncated_pn << 8 | h->pn[i];
    }
    return SNT_OK;
}

enum snt_result snt_quic_unprotect(const struct snt_traffic_keys *k, const uint8_t *pkt,
                                   size_t pkt_len, size_t pn_offset, int64_t largest_pn,
                                   uint8_t *plain, size_t plain_cap, size_t *plain_len,
                                   uint64_t *pn)
{
    struct snt_reader r = snt_reader_make(pkt, pkt_len);
    struct header h;
    struct snt_span payload;
    size_t n = 0;
    enum snt_result hr = remove_hp(k, &r, pn_offset, &h);
    if (hr != SNT_OK)
        return hr;
    size_t left = snt_reader_left(&r);
    if (left < k->tag_len || left - k->tag_len > plain_cap || !snt_read_span(&r, left, &payload))
        return SNT_MALFORMED;
    const struct snt_span aad[3] = {{&h.first, 1}, h.middle, {h.pn, h.pn_len}};
    uint64_t full = decode_pn(largest_pn, h.truncated_pn, h.pn_len);
    if (!snt_aead_open_parts(k, full, aad, 3, payload.p, payload.len, plain, &n))
        return SNT_NOT_MINE;
    *plain_len = n;
    *pn = full;
    return SNT_OK;
}
