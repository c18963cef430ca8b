/* Every resource an outsider controls has a limit here.  Hitting a limit is
 * counted in stats, never a crash. */
#ifndef SNITRACE_LIMITS_H
#define SNITRACE_LIMITS_H

#define SNT_DEFAULT_MAX_FLOWS        (1u << 18)   /* flows tracked at once */
#define SNT_DEFAULT_C2S_BYTES        (16u * 1024) /* client->server reassembly */
#define SNT_DEFAULT_S2C_BYTES        (64u * 1024) /* server->client reassembly */
#define SNT_DEFAULT_REASSEMBLY_BYTES (96u << 20)  /* every connection's work and buffers */
#define SNT_MAX_OOO_SEGMENTS         32           /* out-of-order segments held per direction */
#define SNT_MAX_SYNACK_ISNS          4 /* SYN-ACKs with different ISNs remembered per connection */
#define SNT_MAX_HANDSHAKE_MSG        (64u * 1024) /* one TLS handshake message */
#define SNT_MAX_DECODE_DEPTH         32 /* nested encapsulations (src/decode_internal.h) */
#define SNT_MAX_MPLS_LABELS          16 /* labels in one MPLS stack */
#define SNT_MAX_HTTP_HEAD            (16u * 1024)
#define SNT_MAX_CIPHERS              256
#define SNT_MAX_EXTENSIONS           96
#define SNT_MAX_GROUPS               64
#define SNT_MAX_SIGALGS              64
#define SNT_MAX_VERSIONS             32
#define SNT_MAX_ALPN                 16
#define SNT_MAX_POINT_FORMATS        16
#define SNT_MAX_KEY_SHARES           16
#define SNT_MAX_NAME_LEN             255
#define SNT_QUIC_MAX_CRYPTO          (16u * 1024) /* client Initial CRYPTO stream bytes kept */
#define SNT_QUIC_MAX_HS_CRYPTO       (64u * 1024) /* a server's Handshake CRYPTO: certificate chains */
#define SNT_QUIC_MAX_CID             20
#define SNT_SCAN_MAX_FOLLOWED        65536 /* clients, and servers, followed for scan records */

#endif
