/* Made by tests/fuzz/make_tls_crypto_corpus.py --header: sealed with Python's
 * cryptography package from the fixed secrets 0x40, 0x41, ... (one hash
 * length).  No RFC has examples for these suites. */
#ifndef SNITRACE_TEST_TLS_SUITE_VECTORS_H
#define SNITRACE_TEST_TLS_SUITE_VECTORS_H

#define SUITE_RECORD_SEQ   1 /* every record below */
#define SUITE_SHORT_PN     7
#define SUITE_HANDSHAKE_PN 3

/* TLS 1.3 record, suite 0x1301: record_content(), type 22, padding 2 */
static const char tls13_record_1301[] =
    "170303003992cf26ae99ee0e120e6e164e8ffa9edf778116fcf55e80929646e311269b48"
    "b0a6decf1f59e8b8b65855c420bace1baeb0c99c02b96c41759a";

/* TLS 1.3 record, suite 0x1302: record_content(), type 22, padding 2 */
static const char tls13_record_1302[] =
    "170303003969223c0fb1be945232ab3103c300473d44cff1daed1c721e544f75d951667e"
    "1167f1b0fe5bc9459a520caba6ac29ef23e960a25098e3fc1aa6";

/* TLS 1.3 record, suite 0x1303: record_content(), type 22, padding 2 */
static const char tls13_record_1303[] =
    "17030300390d130680047b9461ef8b49b4d4f80b7245fa9744ca770deb96720cfaebcc83"
    "ee091a556b526aa05798a769f0b13b08b5975efc1a62a5d4935e";

/* TLS 1.3 record, suite 0x1304: record_content(), type 22, padding 2 */
static const char tls13_record_1304[] =
    "1703030039575d87bebe175b324b9bc230dcd9d1c5a49ff715fc6e104f9bd84ed7e6b997"
    "28649492d5107190fcab075c96d55e401e7b3d17e1864ee0fd26";

/* TLS 1.3 record, suite 0x1305: record_content(), type 22, padding 2 */
static const char tls13_record_1305[] =
    "1703030031575d87bebe175b324b9bc230dcd9d1c5a49ff715fc6e104f9bd84ed7e6b997"
    "28649492d5107090fcaba6f55aedf1e2feea";

/* TLS 1.3 record, suite 0x1301: nothing but zeros inside */
static const char tls13_record_no_type[] = "1703030013e1a14f0a255d80afa406a5d599c66539aea0e9";

/* QUIC v1 short header, suite 0x1301: SHORT_PAYLOAD */
static const char quic_short_1301[] =
    "474352fde2782e28f6587c1b906a6fd554d64636b4da4cc08abfa59bde81eff8288826d6"
    "543ace67730865";

/* QUIC v1 short header, suite 0x1302: SHORT_PAYLOAD */
static const char quic_short_1302[] =
    "562ccbf931c212fc8f5b685f8ef8a3f1f8b660d969ee6cb22181dcd435201447929e5ade"
    "f38c6afe48e01f";

/* QUIC v1 short header, suite 0x1303: SHORT_PAYLOAD */
static const char quic_short_1303[] =
    "5db0ce46a21889bd4f595910b2abf106cfed3c40ded4ad3455040a631f61e9de8d04f280"
    "d3d812c65ed723";

/* QUIC v1 short header, suite 0x1304: SHORT_PAYLOAD */
static const char quic_short_1304[] =
    "5545b18c1da93dfd3452488da6f0f0046cb357d989ee783f4701519cf460f3a81c7d04f0"
    "a88b5566ec9081";

/* QUIC v1 Handshake, suite 0x1302: HANDSHAKE_PAYLOAD */
static const char quic_handshake_1302[] =
    "e800000001046463696404736369644026fc93a217bcb4b7bdfb19db6c16851b429fe4fa"
    "92ad27549980bb2de662108e853accab31dc66";

/* QUIC v2 Handshake, suite 0x1301: HANDSHAKE_PAYLOAD */
static const char quic_v2_handshake_1301[] =
    "fd6b3343cf046463696404736369644026697ee36c1f2295896824f8baacc078422f6795"
    "5c3fb7a5fe6bb2c5b6b7964c6e3980fe679fd0";

#endif
