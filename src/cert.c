/* Certificates as a TLS client would judge them, through OpenSSL: decode
 * the chain a server sent (RFC 5280), describe the leaf, and find what is
 * wrong at capture time -- validity, self-signed, chain trust against a
 * store, weak keys and signatures.  The name check (RFC 6125) is in
 * cert_names.c, the verdict cache in cert_cache.c, decoding a certificate in
 * cert_decode.c.
 *
 * Decisions worth knowing:
 * - expired / not_yet_valid describe the leaf only (capture time after
 *   notAfter, before notBefore).  A chain certificate outside its validity
 *   fails verification as it would for a client: untrusted, with OpenSSL's
 *   reason and its depth.
 * - self-signed means subject == issuer and the signature verifies with the
 *   certificate's own key.  X509_check_issued is not used for this: it also
 *   demands keyCertSign, which self-signed server certificates rarely have.
 * - weak_key and weak_signature look at every certificate as sent except a
 *   self-signed one past the leaf (a root's own signature and its presence
 *   in the message are not what a client relies on).
 * - The fingerprint is SHA-256 over the bytes as sent; d2i_X509 must consume
 *   them exactly, so for DER this equals X509_digest.
 */
#include "cert_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ways.h"

#define DEFAULT_CACHE_MAX   32768
#define DEFAULT_CACHE_BYTES ((size_t)64 << 20)
#define SECONDS_PER_DAY     86400
#define MIN_RSA_DSA_BITS    2048
#define MIN_EC_BITS         224
#define MAX_DN_TEXT         1024 /* bytes of a distinguished name kept */

/* Certificates kept decoded (cert_kept.c): intermediates, as a server's
 * chain is its own leaf and the same CA certificates as thousands of
 * others'; and recent leaves, for a new name asked of a chain judged
 * before (a CDN certificate names many hosts).  The verdict cache keeps no
 * parsed certificate, so it stays small per verdict and holds many.
 *
 * Few leaves: a decoded leaf is some 5 KB in about 300 blocks, and one
 * that goes is freed block by block.  With 2,048 kept, each went after
 * 2,047 more, out of every cache, and on the mixed GB (18,000 distinct
 * leaves, 50 new names asked of a chain judged before) the misses of
 * freeing them cost 3-5% of the CPU time and 11 MB of peak memory.  With
 * 64, freeing one still took 3.3 us of a new chain's 32; with 4 the
 * certificate thread takes 3-6% less on the mixed GB and the handshakes,
 * and a leaf is still at hand for the names a client asks of it in one
 * burst. */
#define INTERMEDIATES 512
#define LEAVES        4

/* Issuer names as text, by their DER: a network's leaves share a few
 * issuers, and a name that is not plain goes through X509_NAME_print_ex,
 * about 13,000 instructions (cert_dn.c).  Subjects, one per leaf, are not
 * kept: they would only push the issuers out.  SNT_WAYS names to a set
 * (ways.h), the set chosen by the hash of the DER. */
#define ISSUER_SETS 16 /* a power of two: 64 names */

struct issuer_text {
    struct snt_cert_name_key key;
    char *text;
};

struct issuer_set {
    struct snt_ways ways;
    struct issuer_text slot[SNT_WAYS];
};

struct snt_cert_checker {
    X509_STORE *store;
    struct snt_cert_decoder *decoder;
    struct snt_cert_cache *cache;
    struct snt_cert_counters counters;
    struct snt_cert_kept *intermediates, *leaves;
    struct issuer_set issuers[ISSUER_SETS];
    uint32_t issuer_clock;
    struct snt_cert_absent_issuers *absent;
};

static int get_issuer(X509 **issuer, X509_STORE_CTX *ctx, X509 *x);

/* The chain decoded, leaf first; entries that do not decode are left out. */
struct chain {
    X509 *certs[SNT_CERT_MAX_CHAIN];
    size_t n;
};

const char *snt_cert_problem_name(unsigned bit)
{
    switch (bit) {
    case SNT_PROBLEM_NAME_MISMATCH: return "name_mismatch";
    case SNT_PROBLEM_EXPIRED: return "expired";
    case SNT_PROBLEM_NOT_YET_VALID: return "not_yet_valid";
    case SNT_PROBLEM_SELF_SIGNED: return "self_signed";
    case SNT_PROBLEM_UNTRUSTED: return "untrusted";
    case SNT_PROBLEM_WEAK_KEY: return "weak_key";
    case SNT_PROBLEM_WEAK_SIGNATURE: return "weak_signature";
    default: return NULL;
    }
}

/* ---- the checker ---------------------------------------------------------- */

static void openssl_error(char *err, size_t errlen, const char *what, const char *where)
{
    char reason[160] = "no certificates found";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, reason, sizeof reason);
    if (err && errlen)
        snprintf(err, errlen, "%s %s: %s", what, where, reason);
    snt_cert_forget_errors();
}

static bool load_trust(X509_STORE *store, const struct snt_cert_checker_opts *o, char *err,
                       size_t errlen)
{
    struct stat st;
    if (!o->ca_file && !o->ca_path) {
        /* The hashed directory, whose certificates are read only when an
         * issuer is looked up, so a run that verifies little pays little;
         * the bundle file only where there is no such directory.  Not
         * X509_STORE_set_default_paths: in OpenSSL 3 it also adds a store
         * lookup that lists the whole directory on every issuer search. */
        /* A machine without a system trust store trusts nothing: every
         * chain is reported untrusted, which is the truth for its clients. */
        const char *file = X509_get_default_cert_file(), *dir = X509_get_default_cert_dir();
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            X509_STORE_load_path(store, dir);
        else if (stat(file, &st) == 0)
            X509_STORE_load_file(store, file);
        snt_cert_forget_errors();
        return true;
    }
    if (o->ca_file && X509_STORE_load_file(store, o->ca_file) != 1) {
        openssl_error(err, errlen, "cannot load CA file", o->ca_file);
        return false;
    }
    /* A hashed directory is only read when an issuer is looked up, so check
     * now that it is there at all. */
    if (o->ca_path && (stat(o->ca_path, &st) != 0 || !S_ISDIR(st.st_mode) ||
                       X509_STORE_load_path(store, o->ca_path) != 1)) {
        openssl_error(err, errlen, "cannot use CA directory", o->ca_path);
        return false;
    }
    return true;
}

struct snt_cert_checker *snt_cert_checker_new(const struct snt_cert_checker_opts *o, char *err,
                                              size_t errlen)
{
    struct snt_cert_checker_opts none = {0};
    struct snt_cert_checker *c = calloc(1, sizeof *c);
    if (!o)
        o = &none;
    if (c) {
        c->store = X509_STORE_new();
        c->decoder = snt_cert_decoder_new();
        c->absent = snt_cert_absent_issuers_new();
        c->intermediates = snt_cert_kept_new(INTERMEDIATES);
        c->leaves = snt_cert_kept_new(LEAVES);
        c->cache =
            snt_cert_cache_new(o->cache_max ? o->cache_max : DEFAULT_CACHE_MAX,
                               o->cache_bytes_max ? o->cache_bytes_max : DEFAULT_CACHE_BYTES);
    }
    if (!c || !c->store || !c->decoder || !c->absent || !c->intermediates || !c->leaves ||
        !c->cache) {
        if (err && errlen)
            snprintf(err, errlen, "cannot set up certificate checks: out of memory");
        snt_cert_forget_errors();
        snt_cert_checker_free(c);
        return NULL;
    }
    if (!load_trust(c->store, o, err, errlen)) {
        snt_cert_checker_free(c);
        return NULL;
    }
    X509_STORE_set_get_issuer(c->store, get_issuer);
    return c;
}

void snt_cert_checker_free(struct snt_cert_checker *c)
{
    if (!c)
        return;
    snt_cert_cache_free(c->cache);
    snt_cert_kept_free(c->intermediates);
    snt_cert_kept_free(c->leaves);
    for (size_t i = 0; i < ISSUER_SETS; i++)
        for (unsigned w = 0; w < SNT_WAYS; w++)
            free(c->issuers[i].slot[w].text);
    snt_cert_decoder_free(c->decoder);
    snt_cert_absent_issuers_free(c->absent);
    X509_STORE_free(c->store);
    free(c);
}

void snt_cert_counters(const struct snt_cert_checker *c, struct snt_cert_counters *out)
{
    *out = c->counters;
    out->issuers_known_absent = snt_cert_absent_issuers_answered(c->absent);
}

/* ---- decoding ------------------------------------------------------------- */

/* A certificate after the leaf: kept from an earlier chain (a reference of
 * its own for the caller), else decoded and kept. */
static X509 *decode_intermediate(struct snt_cert_checker *c, const struct snt_span *s)
{
    X509 *x = snt_cert_kept_find(c->intermediates, s);
    if (x) {
        c->counters.intermediates_reused++;
        return x;
    }
    x = snt_cert_decode(c->decoder, s);
    snt_cert_remember_signature(x); /* checked once per issuer key while kept */
    snt_cert_kept_put(c->intermediates, s, x);
    return x;
}

static bool decode_chain(struct snt_cert_checker *c, const struct snt_span *spans, size_t n,
                         struct chain *ch)
{
    ch->n = 0;
    for (size_t i = 0; i < n && i < SNT_CERT_MAX_CHAIN; i++) {
        uint64_t reused = c->counters.intermediates_reused;
        X509 *x =
            i == 0 ? snt_cert_decode(c->decoder, &spans[i]) : decode_intermediate(c, &spans[i]);
        if (!x) {
            c->counters.parse_errors++;
            if (i == 0)
                return false;
            continue;
        }
        if (reused == c->counters.intermediates_reused)
            c->counters.parsed++;
        ch->certs[ch->n++] = x;
    }
    return true;
}

static void free_chain(struct chain *ch)
{
    for (size_t i = 0; i < ch->n; i++)
        X509_free(ch->certs[i]);
    ch->n = 0;
}

/* ---- describing the leaf -------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no time zone or time_t width gets involved. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool time_of(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        snt_cert_forget_errors();
        return false;
    }
    *out = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * SECONDS_PER_DAY +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return true;
}

/* An issuer's text, from the memo when its DER is there; a copy the
 * caller owns, NULL when memory ran out. */
static char *issuer_text(struct snt_cert_checker *c, const X509_NAME *name)
{
    struct snt_cert_name_key key;
    if (!snt_cert_name_key(name, &key))
        return snt_cert_dn_text(name, MAX_DN_TEXT, NULL);
    struct issuer_set *set = &c->issuers[key.tag & (ISSUER_SETS - 1)];
    for (unsigned w = 0; w < SNT_WAYS; w++) {
        if (snt_ways_holds(&set->ways, w, key.tag) &&
            snt_cert_name_key_eq(&set->slot[w].key, &key)) {
            snt_ways_touch(&set->ways, w, &c->issuer_clock);
            return strdup(set->slot[w].text);
        }
    }
    char *text = snt_cert_dn_text(name, MAX_DN_TEXT, NULL);
    char *kept = text ? strdup(text) : NULL;
    if (kept) {
        struct issuer_text *m = &set->slot[snt_ways_take(&set->ways, key.tag, &c->issuer_clock)];
        free(m->text);
        m->text = kept;
        m->key = key;
    }
    return text;
}

static const char *key_type(EVP_PKEY *k)
{
    static const char *const known[] = {"RSA", "RSA-PSS", "EC", "DSA", "ED25519", "ED448", "SM2"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (EVP_PKEY_is_a(k, known[i]))
            return known[i];
    const char *name = EVP_PKEY_get0_type_name(k);
    return name ? name : "unknown";
}

static void describe_key_and_signature(X509 *x, struct snt_cert_info *in)
{
    EVP_PKEY *k = X509_get0_pubkey(x);
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *oid = NULL;
    int nid = X509_get_signature_nid(x);
    snprintf(in->key_type, sizeof in->key_type, "%s", k ? key_type(k) : "unknown");
    in->key_bits = k ? EVP_PKEY_get_bits(k) : 0;
    if (nid != NID_undef && OBJ_nid2ln(nid)) {
        snprintf(in->signature_algorithm, sizeof in->signature_algorithm, "%s", OBJ_nid2ln(nid));
    } else {
        /* An algorithm OpenSSL has no name for: the dotted OID says what it is. */
        X509_get0_signature(NULL, &alg, x);
        if (alg)
            X509_ALGOR_get0(&oid, NULL, NULL, alg);
        if (!oid ||
            OBJ_obj2txt(in->signature_algorithm, sizeof in->signature_algorithm, oid, 1) <= 0)
            snprintf(in->signature_algorithm, sizeof in->signature_algorithm, "unknown");
    }
    snt_cert_forget_errors();
}

/* The leaf's SHA-256 (the chain's identity read it: src/cert_cache.c) as
 * the fingerprint's hex. */
static void fingerprint(const uint8_t md[SNT_CERT_CHAIN_ID_LEN], char hex[65])
{
    static const char digits[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < SNT_CERT_CHAIN_ID_LEN; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

/* Fill in everything the leaf says; *times_ok is false when its validity
 * dates cannot be read (verification then reports it). */
static bool describe_leaf(struct snt_cert_checker *c, X509 *x,
                          const uint8_t sha256[SNT_CERT_CHAIN_ID_LEN], struct snt_cert_info *in,
                          bool *times_ok)
{
    if (!snt_cert_collect_names(x, in))
        return false;
    fingerprint(sha256, in->sha256_hex);
    in->subject_dn = snt_cert_dn_text(X509_get_subject_name(x), MAX_DN_TEXT, NULL);
    in->issuer_dn = issuer_text(c, X509_get_issuer_name(x));
    if (!in->subject_dn || !in->issuer_dn)
        return false;
    *times_ok = time_of(X509_get0_notBefore(x), &in->not_before);
    if (!time_of(X509_get0_notAfter(x), &in->not_after))
        *times_ok = false;
    describe_key_and_signature(x, in);
    return true;
}

/* ---- judging --------------------------------------------------------------- */

static bool is_self_signed(X509 *x)
{
    EVP_PKEY *k = X509_get0_pubkey(x);
    bool ss = k && X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0 &&
              X509_verify(x, k) == 1;
    snt_cert_forget_errors();
    return ss;
}

static bool weak_key(X509 *x)
{
    EVP_PKEY *k = X509_get0_pubkey(x);
    snt_cert_forget_errors();
    if (!k)
        return false;
    if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS") || EVP_PKEY_is_a(k, "DSA"))
        return EVP_PKEY_get_bits(k) < MIN_RSA_DSA_BITS;
    if (EVP_PKEY_is_a(k, "EC"))
        return EVP_PKEY_get_bits(k) < MIN_EC_BITS;
    return false;
}

static bool weak_signature(X509 *x)
{
    int md = NID_undef;
    /* The OID table names the digest of most signatures (sha256WithRSA,
     * ecdsa-with-SHA256, ...), and then X509_get_signature_info says the
     * same: it starts from that table.  It is asked only for those whose
     * OID names none (RSA-PSS, its digest in the parameters; Ed25519): it
     * caches every extension first, a SHA-1 of the re-encoded certificate
     * among them, an eighth of the certificate thread's time when nothing
     * else needs them (a chain whose issuer is known to be absent). */
    if ((!OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, NULL) || md == NID_undef) &&
        X509_get_signature_info(x, &md, NULL, NULL, NULL) != 1)
        md = NID_undef; /* a digest it cannot read (bad PSS parameters) */
    snt_cert_forget_errors();
    return md == NID_md5 || md == NID_sha1 || md == NID_md4 || md == NID_md2;
}

static void judge_algorithms(const struct chain *ch, unsigned *problems)
{
    for (size_t i = 0; i < ch->n; i++) {
        X509 *x = ch->certs[i];
        if (i > 0 && is_self_signed(x))
            continue;
        if (weak_key(x))
            *problems |= SNT_PROBLEM_WEAK_KEY;
        if (weak_signature(x))
            *problems |= SNT_PROBLEM_WEAK_SIGNATURE;
    }
}

/* The first verification error other than the leaf's own validity dates,
 * which are reported as expired / not_yet_valid instead. */
struct verify_state {
    int err, depth;
    struct snt_cert_absent_issuers *absent;
};

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct verify_state *st = X509_STORE_CTX_get_app_data(ctx);
    int err = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
    if (ok)
        return 1;
    if (depth == 0 && (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID))
        return 1;
    if (st && st->err == X509_V_OK) {
        st->err = err;
        st->depth = depth;
    }
    return 0;
}

static int get_issuer(X509 **issuer, X509_STORE_CTX *ctx, X509 *x)
{
    struct verify_state *st = X509_STORE_CTX_get_app_data(ctx);
    return snt_cert_get_issuer(st ? st->absent : NULL, issuer, ctx, x);
}

static int run_verify(struct snt_cert_checker *c, const struct chain *ch, int64_t t,
                      struct verify_state *st)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *rest = sk_X509_new_null();
    int rc = -1;
    bool ok = ctx && rest;
    for (size_t i = 1; ok && i < ch->n; i++)
        ok = sk_X509_push(rest, ch->certs[i]) > 0;
    if (ok && X509_STORE_CTX_init(ctx, c->store, ch->certs[0], rest) == 1) {
        X509_STORE_CTX_set_default(ctx, "ssl_server");
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)t);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        X509_STORE_CTX_set_verify(ctx, snt_cert_verify_signatures);
        X509_STORE_CTX_set_app_data(ctx, st);
        c->counters.verified++;
        rc = X509_verify_cert(ctx);
        if (rc != 1 && st->err == X509_V_OK) {
            st->err = X509_STORE_CTX_get_error(ctx);
            st->depth = X509_STORE_CTX_get_error_depth(ctx);
        }
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(rest); /* the certificates stay the chain's */
    snt_cert_forget_errors();
    return rc;
}

static void judge_trust(struct snt_cert_checker *c, const struct chain *ch, int64_t t,
                        struct snt_cert_verdict *v)
{
    struct verify_state st = {X509_V_OK, 0, c->absent};
    if (run_verify(c, ch, t, &st) == 1)
        return;
    v->problems |= SNT_PROBLEM_UNTRUSTED;
    if (st.err == X509_V_OK)
        snprintf(v->verify_error, sizeof v->verify_error, "verification could not run");
    else
        snprintf(v->verify_error, sizeof v->verify_error, "%s (depth %d)",
                 X509_verify_cert_error_string(st.err), st.depth);
}

static void judge(struct snt_cert_checker *c, const struct chain *ch,
                  const struct snt_cert_name *nm, int64_t t, bool times_ok,
                  struct snt_cert_result *r)
{
    struct snt_cert_verdict *v = &r->verdict;
    if (times_ok && t > r->info.not_after)
        v->problems |= SNT_PROBLEM_EXPIRED;
    if (times_ok && t < r->info.not_before)
        v->problems |= SNT_PROBLEM_NOT_YET_VALID;
    if (is_self_signed(ch->certs[0]))
        v->problems |= SNT_PROBLEM_SELF_SIGNED;
    judge_algorithms(ch, &v->problems);
    judge_trust(c, ch, t, v);
    snt_cert_check_name(ch->certs[0], &r->info, nm, v);
}

/* ---- the question --------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The capture times around t for which the verdict cannot change: the day,
 * cut at every validity boundary of a certificate in the chain. */
static void stable_window(const struct chain *ch, int64_t t, int64_t *from, int64_t *to)
{
    *from = floor_div(t, SECONDS_PER_DAY) * SECONDS_PER_DAY;
    *to = *from + SECONDS_PER_DAY;
    for (size_t i = 0; i < ch->n; i++) {
        int64_t b[4];
        if (!time_of(X509_get0_notBefore(ch->certs[i]), &b[0]) ||
            !time_of(X509_get0_notAfter(ch->certs[i]), &b[2]))
            continue;
        b[1] = b[0] + 1;
        b[3] = b[2] + 1;
        for (size_t k = 0; k < 4; k++) {
            if (b[k] <= t && b[k] > *from)
                *from = b[k];
            else if (b[k] > t && b[k] < *to)
                *to = b[k];
        }
    }
}

/* A name asked of a chain already judged without one: the chain's verdict
 * (trust, validity, algorithms) stands, only the name is checked against
 * the leaf x. */
static const struct snt_cert_result *add_name(struct snt_cert_checker *c,
                                              const struct snt_cert_result *chain_only,
                                              const struct snt_cert_question *q, X509 *x)
{
    struct snt_cert_result r;
    int64_t from, to;
    memset(&r, 0, sizeof r);
    snt_cert_cache_window(chain_only, &from, &to);
    snt_cert_info_copy(&r.info, &chain_only->info);
    r.verdict = chain_only->verdict;
    snt_cert_check_name(x, &r.info, q->name, &r.verdict);
    return snt_cert_cache_put(c->cache, q, &r, snt_cert_result_bytes(&r), from, to);
}

/* Judge a chain not seen (q asks no name) and remember the verdict; with
 * named, also the verdict for that name, while the leaf is at hand.  The
 * parsed certificates are not kept: a verdict is a few hundred bytes, a
 * parsed leaf several kilobytes, and the cache holds more verdicts for it.
 * Returns named's verdict when asked, else q's. */
static const struct snt_cert_result *examine(struct snt_cert_checker *c,
                                             const struct snt_cert_question *q, int64_t t,
                                             const struct snt_cert_question *named)
{
    const struct snt_span *spans = q->chain;
    size_t n = q->n;
    struct chain ch;
    struct snt_cert_result r;
    bool times_ok = false;
    int64_t from, to;
    memset(&r, 0, sizeof r);
    memset(&ch, 0, sizeof ch);
    if (!decode_chain(c, spans, n, &ch))
        return NULL;
    snt_cert_kept_put(c->leaves, &spans[0], ch.certs[0]); /* for names asked later */
    if (!describe_leaf(c, ch.certs[0], q->leaf_sha256, &r.info, &times_ok)) {
        snt_cert_result_clear(&r);
        free_chain(&ch);
        return NULL;
    }
    r.info.chain_length = n > UINT_MAX ? UINT_MAX : (unsigned)n;
    judge(c, &ch, q->name, t, times_ok, &r);
    snt_cert_info_share(&r.info); /* else every copy makes its own */
    stable_window(&ch, t, &from, &to);
    const struct snt_cert_result *out =
        snt_cert_cache_put(c->cache, q, &r, snt_cert_result_bytes(&r), from, to);
    if (out && named)
        out = add_name(c, out, named, ch.certs[0]);
    free_chain(&ch);
    return out;
}

/* A new name for a chain judged before: its leaf from the recent ones,
 * else decoded again (and kept), as the verdicts do not keep it. */
static const struct snt_cert_result *add_name_decoding(struct snt_cert_checker *c,
                                                       const struct snt_cert_result *chain_only,
                                                       const struct snt_cert_question *q)
{
    X509 *x = snt_cert_kept_find(c->leaves, &q->chain[0]);
    if (!x) {
        x = snt_cert_decode(c->decoder, &q->chain[0]);
        if (!x)
            return NULL;
        c->counters.parsed++;
        snt_cert_kept_put(c->leaves, &q->chain[0], x);
    }
    const struct snt_cert_result *out = add_name(c, chain_only, q, x);
    X509_free(x);
    return out;
}

const struct snt_cert_result *snt_cert_check(struct snt_cert_checker *c,
                                             const struct snt_span *chain, size_t n,
                                             const char *name, int64_t capture_time)
{
    struct snt_cert_name nm, none;
    const struct snt_cert_result *hit;
    if (!c || !chain || n == 0)
        return NULL;
    snt_cert_name_normalize(name, &nm);
    snt_cert_name_normalize(NULL, &none);
    int64_t day = floor_div(capture_time, SECONDS_PER_DAY);
    struct snt_cert_question q = {.chain = chain, .n = n, .name = &nm, .day = day};
    if (!snt_cert_cache_chain_id(c->cache, &q))
        return NULL; /* without an identity no verdict can be remembered or found */
    struct snt_cert_question chain_only = q;
    chain_only.name = &none;
    snt_cert_cache_hash(c->cache, &q);
    hit = snt_cert_cache_get(c->cache, &q, capture_time);
    if (hit) {
        c->counters.cache_hits++;
        return hit;
    }
    /* The costly part, verifying the chain, does not depend on the name:
     * it is done once per chain and day, and each name is checked on top. */
    if (nm.kind == SNT_CERT_NAME_NONE)
        return examine(c, &q, capture_time, NULL);
    snt_cert_cache_hash(c->cache, &chain_only);
    hit = snt_cert_cache_get(c->cache, &chain_only, capture_time);
    if (!hit)
        return examine(c, &chain_only, capture_time, &q);
    return add_name_decoding(c, hit, &q);
}
