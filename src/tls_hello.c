/* ClientHello and ServerHello message bodies (RFC 8446 sections 4.1.2 and
 * 4.1.3, RFC 5246 section 7.4.1) with the extensions snitrace reads:
 * server_name (RFC 6066 section 3), supported_groups and ec_point_formats
 * (RFC 8422 section 5.1), signature_algorithms (RFC 8446 section 4.2.3),
 * application_layer_protocol_negotiation (RFC 7301), supported_versions
 * (RFC 8446 section 4.2.1) and key_share (RFC 8446 section 4.2.8); and the
 * SSLv2-format ClientHello (RFC 5246 appendix E.2, RFC 6101 appendix E).
 *
 * Every length-prefixed block must be consumed exactly; a shortfall or a
 * leftover byte means the message is malformed.  Results are built in a
 * local and copied out only on success.  A ClientHello broken only in its
 * extensions can still be read up to the damage, since the name it carries
 * usually comes first (snt_tls_parse_client_hello_partial).
 */
#include "snitrace/tls.h"

#include <string.h>

#define TLS_RANDOM_LEN     SNT_TLS_RANDOM_LEN
#define TLS_MAX_SESSION_ID 32

#define EXT_SERVER_NAME        0
#define EXT_SUPPORTED_GROUPS   10
#define EXT_EC_POINT_FORMATS   11
#define EXT_SIGNATURE_ALGS     13
#define EXT_ALPN               16
#define EXT_SUPPORTED_VERSIONS 43
#define EXT_PRE_SHARED_KEY     41
#define EXT_KEY_SHARE          51
#define EXT_ECH                0xfe0d /* draft-ietf-tls-esni: encrypted_client_hello */
#define EXT_ESNI               0xffce /* the ESNI drafts before it */

#define SNI_HOST_NAME 0

#define SSL2_HEADER_FLAG     0x8000
#define SSL2_LENGTH_MASK     0x7fff
#define SSL2_MT_CLIENT_HELLO 1
#define SSL2_CIPHER_SPEC_LEN 3
#define SSL2_MIN_CHALLENGE   16
#define SSL2_MAX_CHALLENGE   32
#define U16_LIST_PIECE       128 /* bytes of a 16-bit list copied out at a time */

/* RFC 8446 section 4.1.3: SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[TLS_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ---- list helpers -------------------------------------------------------- */

/* Keep the prefix that fits; the rest is only noted, since nothing downstream
 * needs exact counts beyond the limits. */
static void push_u16(uint16_t *arr, uint16_t *n, size_t cap, uint16_t v, bool *truncated)
{
    if (*n < cap)
        arr[(*n)++] = v;
    else
        *truncated = true;
}

/* A whole block of 16-bit values (an odd byte count is malformed: the
 * values before the odd byte are kept all the same).  Copied out a piece
 * at a time, not read value by value: a ClientHello's cipher and
 * signature lists run to dozens of values. */
static bool read_u16_list(struct snt_reader *list, uint16_t *arr, uint16_t *n, size_t cap,
                          bool *truncated)
{
    uint8_t piece[U16_LIST_PIECE];
    size_t left, have = *n; /* a count of its own: arr cannot change it */
    while ((left = snt_reader_left(list)) >= 2) {
        size_t take = left < sizeof piece ? left & ~(size_t)1 : sizeof piece;
        if (!snt_read_bytes(list, take, piece))
            break; /* cannot happen (take <= left), but what was kept stays */
        size_t values = take / 2, room = cap > have ? cap - have : 0;
        size_t keep = values < room ? values : room;
        for (size_t i = 0; i < keep; i++)
            arr[have + i] = snt_load_be16(piece + 2 * i);
        have += keep;
        if (keep < values)
            *truncated = true;
    }
    *n = (uint16_t)have;
    return snt_reader_done(list); /* an odd byte left: malformed */
}

/* ---- ClientHello extensions ---------------------------------------------- */

/* struct { NameType name_type; HostName host_name<1..2^16-1>; } ServerName;
 * ServerName server_name_list<1..2^16-1>; */
static bool ext_server_name(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list, name;
    uint8_t type;
    if (!snt_read_vec16(data, &list) || !snt_reader_done(data) || snt_reader_left(&list) == 0)
        return false;
    while (snt_reader_left(&list) > 0) {
        if (!snt_read_u8(&list, &type) || !snt_read_vec16(&list, &name))
            return false;
        size_t n = snt_reader_left(&name);
        if (type == SNI_HOST_NAME && n == 0)
            return false;
        if (type == SNI_HOST_NAME && !ch->has_sni) {
            snt_read_span(&name, n, &ch->sni);
            ch->has_sni = true;
        }
    }
    return true;
}

/* NamedGroup named_group_list<2..2^16-1>; */
static bool ext_supported_groups(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list;
    return snt_read_vec16(data, &list) && snt_reader_done(data) &&
           read_u16_list(&list, ch->groups, &ch->n_groups, SNT_MAX_GROUPS, &ch->truncated_lists);
}

/* ECPointFormat ec_point_format_list<1..2^8-1>; */
static bool ext_point_formats(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list;
    uint8_t v;
    if (!snt_read_vec8(data, &list) || !snt_reader_done(data))
        return false;
    while (snt_read_u8(&list, &v)) {
        if (ch->n_point_formats < SNT_MAX_POINT_FORMATS)
            ch->point_formats[ch->n_point_formats++] = v;
        else
            ch->truncated_lists = true;
    }
    return true;
}

/* SignatureScheme supported_signature_algorithms<2..2^16-2>; */
static bool ext_signature_algs(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list;
    return snt_read_vec16(data, &list) && snt_reader_done(data) &&
           read_u16_list(&list, ch->sigalgs, &ch->n_sigalgs, SNT_MAX_SIGALGS, &ch->truncated_lists);
}

/* opaque ProtocolName<1..2^8-1>; ProtocolName protocol_name_list<2..2^16-1>;
 * An empty name is tolerated: JA4 defines what it means. */
static bool ext_alpn(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list, name;
    if (!snt_read_vec16(data, &list) || !snt_reader_done(data))
        return false;
    while (snt_reader_left(&list) > 0) {
        if (!snt_read_vec8(&list, &name))
            return false;
        if (ch->n_alpn < SNT_MAX_ALPN)
            snt_read_span(&name, snt_reader_left(&name), &ch->alpn[ch->n_alpn++]);
        else
            ch->truncated_lists = true;
    }
    return true;
}

/* ProtocolVersion versions<2..254>; (the ClientHello form) */
static bool ext_supported_versions(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list;
    ch->has_supported_versions = true;
    return snt_read_vec8(data, &list) && snt_reader_done(data) &&
           read_u16_list(&list, ch->versions, &ch->n_versions, SNT_MAX_VERSIONS,
                         &ch->truncated_lists);
}

/* struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 * KeyShareEntry client_shares<0..2^16-1>; */
static bool ext_key_share(struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    struct snt_reader list, key;
    uint16_t group;
    if (!snt_read_vec16(data, &list) || !snt_reader_done(data))
        return false;
    while (snt_reader_left(&list) > 0) {
        if (!snt_read_u16(&list, &group) || !snt_read_vec16(&list, &key))
            return false;
        push_u16(ch->key_share_groups, &ch->n_key_shares, SNT_MAX_KEY_SHARES, group,
                 &ch->truncated_lists);
    }
    return true;
}

static bool client_ext(uint16_t type, struct snt_reader *data, struct snt_tls_client_hello *ch)
{
    switch (type) {
    case EXT_SERVER_NAME: return ext_server_name(data, ch);
    case EXT_SUPPORTED_GROUPS: return ext_supported_groups(data, ch);
    case EXT_EC_POINT_FORMATS: return ext_point_formats(data, ch);
    case EXT_SIGNATURE_ALGS: return ext_signature_algs(data, ch);
    case EXT_ALPN: return ext_alpn(data, ch);
    case EXT_SUPPORTED_VERSIONS: return ext_supported_versions(data, ch);
    case EXT_KEY_SHARE: return ext_key_share(data, ch);
    case EXT_ECH: ch->has_ech = true; return true;
    case EXT_ESNI: ch->has_esni = true; return true;
    default: return true;
    }
}

/* struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } */
static bool client_exts(struct snt_reader *exts, struct snt_tls_client_hello *ch)
{
    uint16_t type;
    struct snt_reader data;
    while (snt_reader_left(exts) > 0) {
        if (!snt_read_u16(exts, &type) || !snt_read_vec16(exts, &data))
            return false;
        push_u16(ch->exts, &ch->n_exts, SNT_MAX_EXTENSIONS, type, &ch->truncated_lists);
        if (!client_ext(type, &data, ch))
            return false;
    }
    return true;
}

/* ---- ClientHello --------------------------------------------------------- */

/* The fields before the extensions; false when they do not parse. */
static bool client_hello_fixed(struct snt_reader *r, struct snt_tls_client_hello *ch)
{
    struct snt_reader sid, suites, comp;
    struct snt_span random;
    if (!snt_read_u16(r, &ch->legacy_version) || !snt_read_span(r, TLS_RANDOM_LEN, &random) ||
        !snt_read_vec8(r, &sid) || snt_reader_left(&sid) > TLS_MAX_SESSION_ID)
        return false;
    memcpy(ch->random, random.p, TLS_RANDOM_LEN);
    if (!snt_read_vec16(r, &suites) || snt_reader_left(&suites) == 0 ||
        !read_u16_list(&suites, ch->ciphers, &ch->n_ciphers, SNT_MAX_CIPHERS, &ch->truncated_lists))
        return false;
    return snt_read_vec8(r, &comp) && snt_reader_left(&comp) > 0;
}

/* The extensions block, read up to any damage: what came before it stays in
 * ch.  A block that claims more bytes than the message has is read as far
 * as the message goes.  False when anything was wrong. */
static bool client_hello_extensions(struct snt_reader *r, struct snt_tls_client_hello *ch)
{
    struct snt_reader exts;
    uint16_t claimed = 0;
    if (snt_reader_left(r) == 0)
        return true; /* no extensions: fine before TLS 1.3 */
    if (!snt_read_u16(r, &claimed))
        return false;
    bool whole = claimed <= snt_reader_left(r);
    snt_read_sub(r, whole ? claimed : snt_reader_left(r), &exts);
    bool ok = client_exts(&exts, ch);
    return ok && whole && snt_reader_done(r);
}

/* struct {
 *     ProtocolVersion legacy_version;
 *     Random random;
 *     opaque legacy_session_id<0..32>;
 *     CipherSuite cipher_suites<2..2^16-2>;
 *     opaque legacy_compression_methods<1..2^8-1>;
 *     Extension extensions<8..2^16-1>;      (absent before TLS 1.3 is fine)
 * } ClientHello; */
enum snt_result snt_tls_parse_client_hello(const uint8_t *body, size_t len,
                                           struct snt_tls_client_hello *out)
{
    struct snt_tls_client_hello ch;
    if (snt_tls_parse_client_hello_partial(body, len, &ch) != SNT_OK || ch.malformed)
        return SNT_MALFORMED;
    *out = ch;
    return SNT_OK;
}

enum snt_result snt_tls_parse_client_hello_partial(const uint8_t *body, size_t len,
                                                   struct snt_tls_client_hello *out)
{
    struct snt_tls_client_hello ch;
    struct snt_reader r = snt_reader_make(body, len);
    memset(&ch, 0, sizeof ch);
    if (!client_hello_fixed(&r, &ch))
        return SNT_MALFORMED;
    ch.malformed = !client_hello_extensions(&r, &ch);
    *out = ch;
    return SNT_OK;
}

/* ---- SSLv2-format ClientHello -------------------------------------------- */

/* V2CipherSpec is three bytes; those starting with 0 carry a TLS suite. */
static bool sslv2_cipher_specs(struct snt_reader *specs, struct snt_tls_client_hello *ch)
{
    uint8_t kind;
    uint16_t suite;
    while (snt_reader_left(specs) > 0) {
        if (!snt_read_u8(specs, &kind) || !snt_read_u16(specs, &suite))
            return false;
        if (kind == 0)
            push_u16(ch->ciphers, &ch->n_ciphers, SNT_MAX_CIPHERS, suite, &ch->truncated_lists);
    }
    return true;
}

/* uint16 msg_length (high bit set); uint8 msg_type = 1; Version version;
 * uint16 cipher_spec_length, session_id_length, challenge_length;
 * V2CipherSpec cipher_specs[]; opaque session_id[]; opaque challenge[]; */
enum snt_result snt_tls_parse_sslv2_client_hello(const uint8_t *p, size_t len,
                                                 struct snt_tls_client_hello *out)
{
    struct snt_tls_client_hello ch;
    struct snt_reader r = snt_reader_make(p, len), msg, specs;
    uint16_t header, spec_len, sid_len, chal_len;
    uint8_t type;
    memset(&ch, 0, sizeof ch);
    if (!snt_read_u16(&r, &header) || !(header & SSL2_HEADER_FLAG) ||
        !snt_read_sub(&r, header & SSL2_LENGTH_MASK, &msg))
        return SNT_MALFORMED;
    if (!snt_read_u8(&msg, &type) || type != SSL2_MT_CLIENT_HELLO ||
        !snt_read_u16(&msg, &ch.legacy_version) || !snt_read_u16(&msg, &spec_len) ||
        !snt_read_u16(&msg, &sid_len) || !snt_read_u16(&msg, &chal_len))
        return SNT_MALFORMED;
    if (spec_len % SSL2_CIPHER_SPEC_LEN || sid_len > TLS_MAX_SESSION_ID ||
        chal_len < SSL2_MIN_CHALLENGE || chal_len > SSL2_MAX_CHALLENGE)
        return SNT_MALFORMED;
    if (!snt_read_sub(&msg, spec_len, &specs) || !snt_skip(&msg, (size_t)sid_len + chal_len) ||
        !snt_reader_done(&msg) || !sslv2_cipher_specs(&specs, &ch))
        return SNT_MALFORMED;
    ch.sslv2 = true;
    *out = ch;
    return SNT_OK;
}

/* ---- ServerHello --------------------------------------------------------- */

/* ProtocolVersion selected_version; (the ServerHello form) */
static bool server_supported_versions(struct snt_reader *data, struct snt_tls_server_hello *sh)
{
    return snt_read_u16(data, &sh->selected_version) && snt_reader_done(data);
}

/* RFC 7301 section 3.1: the server's list holds exactly one name. */
static bool selected_alpn(struct snt_reader *data, struct snt_span *alpn)
{
    struct snt_reader list, name;
    if (!snt_read_vec16(data, &list) || !snt_reader_done(data) || !snt_read_vec8(&list, &name) ||
        !snt_reader_done(&list) || snt_reader_left(&name) == 0)
        return false;
    snt_read_span(&name, snt_reader_left(&name), alpn);
    return true;
}

static bool server_alpn(struct snt_reader *data, struct snt_tls_server_hello *sh)
{
    sh->has_alpn = selected_alpn(data, &sh->alpn);
    return sh->has_alpn;
}

static bool server_exts(struct snt_reader *exts, struct snt_tls_server_hello *sh)
{
    uint16_t type;
    struct snt_reader data;
    while (snt_reader_left(exts) > 0) {
        if (!snt_read_u16(exts, &type) || !snt_read_vec16(exts, &data))
            return false;
        if (type == EXT_SUPPORTED_VERSIONS && !server_supported_versions(&data, sh))
            return false;
        if (type == EXT_ALPN && !server_alpn(&data, sh))
            return false;
        if (type == EXT_PRE_SHARED_KEY)
            sh->psk = true;
    }
    return true;
}

/* struct {
 *     ProtocolVersion legacy_version;
 *     Random random;
 *     opaque legacy_session_id_echo<0..32>;
 *     CipherSuite cipher_suite;
 *     uint8 legacy_compression_method;
 *     Extension extensions<6..2^16-1>;      (absent before TLS 1.3 is fine)
 * } ServerHello; */
enum snt_result snt_tls_parse_server_hello(const uint8_t *body, size_t len,
                                           struct snt_tls_server_hello *out)
{
    struct snt_tls_server_hello sh;
    struct snt_reader r = snt_reader_make(body, len), sid, exts;
    struct snt_span random;
    uint8_t compression;
    memset(&sh, 0, sizeof sh);
    if (!snt_read_u16(&r, &sh.legacy_version) || !snt_read_span(&r, TLS_RANDOM_LEN, &random) ||
        !snt_read_vec8(&r, &sid) || snt_reader_left(&sid) > TLS_MAX_SESSION_ID ||
        !snt_read_u16(&r, &sh.cipher) || !snt_read_u8(&r, &compression))
        return SNT_MALFORMED;
    if (snt_reader_left(&r) > 0) {
        if (!snt_read_vec16(&r, &exts) || !snt_reader_done(&r) || !server_exts(&exts, &sh))
            return SNT_MALFORMED;
    }
    memcpy(sh.random, random.p, TLS_RANDOM_LEN);
    sh.hello_retry_request = memcmp(random.p, hrr_random, TLS_RANDOM_LEN) == 0;
    *out = sh;
    return SNT_OK;
}

uint16_t snt_tls_server_hello_version(const struct snt_tls_server_hello *sh)
{
    return sh->selected_version ? sh->selected_version : sh->legacy_version;
}

/* ---- EncryptedExtensions ------------------------------------------------- */

/* struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; */
enum snt_result snt_tls_parse_encrypted_extensions(const uint8_t *body, size_t len,
                                                   struct snt_tls_encrypted_extensions *out)
{
    struct snt_tls_encrypted_extensions ee;
    struct snt_reader r = snt_reader_make(body, len), exts, data;
    uint16_t type;
    memset(&ee, 0, sizeof ee);
    if (!snt_read_vec16(&r, &exts) || !snt_reader_done(&r))
        return SNT_MALFORMED;
    while (snt_reader_left(&exts) > 0) {
        if (!snt_read_u16(&exts, &type) || !snt_read_vec16(&exts, &data))
            return SNT_MALFORMED;
        if (type == EXT_ALPN && !(ee.has_alpn = selected_alpn(&data, &ee.alpn)))
            return SNT_MALFORMED;
        if (type == EXT_ECH)
            ee.ech_retry_configs = true;
    }
    *out = ee;
    return SNT_OK;
}
