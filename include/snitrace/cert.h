/* Certificates: X.509 through OpenSSL (never hand-written DER or name
 * matching).  Parses the chain a server sent, judges the leaf against the
 * name the client meant at capture time, verifies the chain against a trust
 * store at capture time, and caches verdicts so a certificate seen on many
 * connections is examined once per distinct question.
 */
#ifndef SNITRACE_CERT_H
#define SNITRACE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snitrace/reader.h"

#define SNT_CERT_MAX_CHAIN 16   /* certificates per chain looked at */
#define SNT_CERT_MAX_NAMES 1024 /* entries kept per list (CN, DNS SAN, IP SAN) */

/* Problem bits; names as in the output contract. */
enum snt_cert_problem {
    SNT_PROBLEM_NAME_MISMATCH = 1u << 0,
    SNT_PROBLEM_EXPIRED = 1u << 1,
    SNT_PROBLEM_NOT_YET_VALID = 1u << 2,
    SNT_PROBLEM_SELF_SIGNED = 1u << 3,
    SNT_PROBLEM_UNTRUSTED = 1u << 4,
    SNT_PROBLEM_WEAK_KEY = 1u << 5,
    SNT_PROBLEM_WEAK_SIGNATURE = 1u << 6,
};

/* "name_mismatch", ... for one bit; NULL for none or several. */
const char *snt_cert_problem_name(unsigned bit);

struct snt_cert_strings;

/* What the leaf certificate says.  Strings are UTF-8, NUL-terminated and
 * immutable: the lists and DNs live in one reference-counted block
 * (strings), shared by every copy, so a copy costs no allocation.  An info
 * put together by hand, with strings NULL, owns its allocations instead;
 * its copies get a block of their own. */
struct snt_cert_info {
    char **subject_cn;
    size_t n_subject_cn;
    char **dns_names; /* subjectAltName dNSName, in certificate order */
    size_t n_dns_names;
    char **ip_addresses; /* subjectAltName iPAddress as text */
    size_t n_ip_addresses;
    size_t dns_names_total, ip_addresses_total; /* in the certificate, kept or not */
    char *subject_dn, *issuer_dn;               /* RFC 2253 form */
    int64_t not_before, not_after;              /* seconds since the epoch, UTC */
    char sha256_hex[65];                        /* uppercase hex of SHA-256 over the DER */
    char key_type[16];                          /* "RSA", "EC", "DSA", "ED25519", ... */
    int key_bits;
    char signature_algorithm[64];     /* OpenSSL long name, e.g. "sha256WithRSAEncryption" */
    unsigned chain_length;            /* certificates as sent */
    struct snt_cert_strings *strings; /* holds the lists and DNs above; NULL: the struct's own */
};

/* A verdict for (chain, expected name, capture day). */
struct snt_cert_verdict {
    unsigned problems;      /* SNT_PROBLEM_* bits */
    char verify_error[160]; /* OpenSSL's reason when SNT_PROBLEM_UNTRUSTED; "" otherwise */
    char name_check[320];   /* which names were compared and which rule decided */
};

struct snt_cert_result {
    struct snt_cert_info info;
    struct snt_cert_verdict verdict;
};

/* A copy of certificate information that shares its strings (a reference
 * more), and its release (accepts zeroed).  Thread-safe between copies. */
void snt_cert_info_copy(struct snt_cert_info *dst, const struct snt_cert_info *src);
void snt_cert_info_free(struct snt_cert_info *ci);

/* A reference to ci's strings alone, for keeping one of them (say the
 * first CN) without the rest of the struct; NULL when ci has no shared
 * block (then copy what you keep).  Release accepts NULL. */
struct snt_cert_strings *snt_cert_info_hold(const struct snt_cert_info *ci);
void snt_cert_strings_release(struct snt_cert_strings *s);

struct snt_cert_checker;

struct snt_cert_checker_opts {
    const char *ca_file; /* NULL: the system default trust store */
    const char *ca_path;
    size_t cache_max;       /* distinct questions remembered; 0: a default (32768) */
    size_t cache_bytes_max; /* memory the remembered results may use; 0: 64 MiB */
};

/* NULL with a message in err when the trust store cannot be loaded. */
struct snt_cert_checker *snt_cert_checker_new(const struct snt_cert_checker_opts *o, char *err,
                                              size_t errlen);
void snt_cert_checker_free(struct snt_cert_checker *c); /* accepts NULL */

/* Examine a chain as sent (DER certificates, leaf first; only the first
 * SNT_CERT_MAX_CHAIN are looked at).  name may be NULL or "" (no name known:
 * no name check, name_check "").  capture_time is the packet time in
 * seconds.  Returns a result owned by the checker's cache, valid until the
 * next snt_cert_check call or snt_cert_checker_free (the entry may be
 * evicted or replaced then: copy what you keep), or NULL when the leaf is
 * not exactly one DER certificate.
 *
 * expired / not_yet_valid are about the leaf; a chain certificate outside
 * its validity makes the chain untrusted ("certificate has expired (depth
 * 1)").  weak_key / weak_signature cover every certificate as sent except a
 * self-signed one after the leaf.  A checker is not thread-safe. */
const struct snt_cert_result *snt_cert_check(struct snt_cert_checker *c,
                                             const struct snt_span *chain, size_t n,
                                             const char *name, int64_t capture_time);

/* For a leaf snt_cert_check could not parse: a result that says so (its
 * SHA-256, the chain length, untrusted with the reason), so the attempt
 * still shows that the server sent something in place of a certificate.
 * Free with snt_cert_info_free(&out->info). */
void snt_cert_describe_unparsed(const struct snt_span *leaf, unsigned chain_length,
                                struct snt_cert_result *out);

/* A thread other than the checker's that works with OpenSSL keys (a TLS
 * handshake, say) does so between these two calls.  Decoding certificates
 * briefly changes OpenSSL's process-wide ENGINE tables, which another
 * thread must not see (src/cert_decode.c); while any thread is between
 * them, certificates are decoded the slower way instead. */
void snt_cert_openssl_enter(void);
void snt_cert_openssl_leave(void);

/* Counters for stats: certificates decoded (leaf and intermediates, on cache
 * misses), chain verifications run, cache hits, certificates that did not
 * decode (an intermediate that does not decode is left out of the chain). */
struct snt_cert_counters {
    uint64_t parsed, verified, cache_hits, parse_errors;
    uint64_t intermediates_reused; /* chain certificates taken decoded from an earlier chain */
    uint64_t issuers_known_absent; /* issuer searches answered "not in the store" from memory */
};
void snt_cert_counters(const struct snt_cert_checker *c, struct snt_cert_counters *out);

#endif
