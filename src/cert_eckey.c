/* EC public keys of certificates on curves made once (cert_internal.h).
 *
 * Decoding an EC subjectPublicKeyInfo, OpenSSL 3.0 builds the key's curve
 * afresh from its parameters: two Montgomery contexts, each with a modular
 * inverse, about 137,000 instructions, more than half of what decoding the
 * whole certificate costs.  Every certificate on P-256 pays it again.
 *
 * This is the same decoding with the curve copied from one made once per
 * process: the key's group is EC_GROUP_dup of a shared group, which copies
 * the Montgomery contexts instead of computing them.  The EC_KEY that comes
 * out is what OpenSSL's own decoder makes (same curve, named-curve flag,
 * point, default library context); explicit parameters and curves not
 * shared here are decoded as OpenSSL does.
 *
 * It is an EVP_PKEY_ASN1_METHOD for EVP_PKEY_EC: OpenSSL's built-in one
 * (EVP_PKEY_asn1_copy) with the public-key functions replaced.  The
 * interface sets six of them at once and offers no way to read the
 * built-in ones, so the other five are written here too, from the public EC
 * functions: encode, compare, size and bits do what the built-ins do; print
 * is left out (EVP_PKEY_print_public then says the key type is
 * unsupported; snitrace never prints these keys).  cert_decode.c hands the
 * method out through its ENGINE while one d2i_X509 runs, so only the keys
 * of certificates the checker decodes have it; their signature checks then
 * run through OpenSSL's built-in EC method, which that ENGINE also lends.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* EC_KEY: the legacy key an ASN.1 method makes */

#include "cert_internal.h"

#include <pthread.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

/* The curves nearly every certificate uses (CA/Browser Forum baseline
 * requirements, section 6.1.5). */
static const int shared_nids[] = {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1};
#define N_SHARED (sizeof shared_nids / sizeof shared_nids[0])

static EC_GROUP *shared_groups[N_SHARED]; /* read-only once made */
static EVP_PKEY_ASN1_METHOD *ec_method;
static pthread_once_t made_once = PTHREAD_ONCE_INIT;

/* A named curve's group, flagged to be written back as its name. */
static EC_GROUP *named_group(int nid)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    if (g)
        EC_GROUP_set_asn1_flag(g, OPENSSL_EC_NAMED_CURVE);
    return g;
}

static const EC_GROUP *shared_group(int nid)
{
    for (size_t i = 0; i < N_SHARED; i++)
        if (shared_nids[i] == nid)
            return shared_groups[i];
    return NULL;
}

/* The key's domain parameters from the algorithm identifier: a named
 * curve (an OID) or explicit parameters (a SEQUENCE, RFC 3279 2.3.5). */
static bool set_params(EC_KEY *k, const X509_ALGOR *alg)
{
    int ptype = 0;
    const void *pval = NULL;
    X509_ALGOR_get0(NULL, &ptype, &pval, alg);
    if (ptype == V_ASN1_OBJECT) {
        int nid = OBJ_obj2nid(pval);
        const EC_GROUP *shared = shared_group(nid);
        if (shared)
            return EC_KEY_set_group(k, shared) == 1;
        EC_GROUP *own = named_group(nid);
        bool ok = own && EC_KEY_set_group(k, own) == 1;
        EC_GROUP_free(own);
        return ok;
    }
    if (ptype == V_ASN1_SEQUENCE) {
        const ASN1_STRING *s = pval;
        const unsigned char *p = ASN1_STRING_get0_data(s);
        return d2i_ECParameters(&k, &p, ASN1_STRING_length(s)) != NULL;
    }
    return false;
}

static int ec_pub_decode(EVP_PKEY *pk, const X509_PUBKEY *pub)
{
    const unsigned char *p = NULL;
    int len = 0;
    X509_ALGOR *alg = NULL;
    if (!X509_PUBKEY_get0_param(NULL, &p, &len, &alg, pub))
        return 0;
    EC_KEY *k = EC_KEY_new();
    if (!k)
        return 0;
    if (!set_params(k, alg) || !o2i_ECPublicKey(&k, &p, len) || !EVP_PKEY_assign_EC_KEY(pk, k)) {
        EC_KEY_free(k);
        return 0;
    }
    return 1;
}

/* The key of one of this method's EVP_PKEYs: a legacy key, whose pointer
 * EVP_PKEY_get0 gives without EVP_PKEY_get0_EC_KEY's look-up of the type's
 * method (through the ENGINE table, under its lock). */
static const EC_KEY *ec_of(const EVP_PKEY *pk)
{
    return EVP_PKEY_get0(pk);
}

/* The algorithm's parameters for writing: the curve's OID when it has a
 * name and is flagged so, else the explicit parameters. */
static bool params_of(const EC_KEY *k, int *ptype, void **pval)
{
    const EC_GROUP *g = EC_KEY_get0_group(k);
    int nid = g ? EC_GROUP_get_curve_name(g) : NID_undef;
    if (!g)
        return false;
    if (EC_GROUP_get_asn1_flag(g) && nid != NID_undef) {
        ASN1_OBJECT *oid = OBJ_nid2obj(nid);
        if (!oid || OBJ_length(oid) == 0)
            return false;
        *ptype = V_ASN1_OBJECT;
        *pval = oid;
        return true;
    }
    unsigned char *der = NULL;
    int len = i2d_ECParameters(k, &der);
    ASN1_STRING *s = len > 0 ? ASN1_STRING_new() : NULL;
    if (!s) {
        OPENSSL_free(der);
        return false;
    }
    ASN1_STRING_set0(s, der, len);
    *ptype = V_ASN1_SEQUENCE;
    *pval = s;
    return true;
}

static void free_params(int ptype, void *pval)
{
    if (ptype == V_ASN1_SEQUENCE)
        ASN1_STRING_free(pval);
    else
        ASN1_OBJECT_free(pval);
}

static int ec_pub_encode(X509_PUBKEY *pub, const EVP_PKEY *pk)
{
    const EC_KEY *k = ec_of(pk);
    int ptype = 0;
    void *pval = NULL;
    unsigned char *point = NULL;
    if (!k || !params_of(k, &ptype, &pval))
        return 0;
    int len = i2o_ECPublicKey(k, &point);
    if (len > 0 && X509_PUBKEY_set0_param(pub, OBJ_nid2obj(EVP_PKEY_EC), ptype, pval, point, len))
        return 1;
    free_params(ptype, pval);
    OPENSSL_free(point);
    return 0;
}

/* 1 the same public key, 0 not, -2 cannot tell (EVP_PKEY_eq). */
static int ec_pub_cmp(const EVP_PKEY *a, const EVP_PKEY *b)
{
    const EC_KEY *ka = ec_of(a), *kb = ec_of(b);
    const EC_GROUP *g = kb ? EC_KEY_get0_group(kb) : NULL;
    const EC_POINT *pa = ka ? EC_KEY_get0_public_key(ka) : NULL;
    const EC_POINT *pb = kb ? EC_KEY_get0_public_key(kb) : NULL;
    if (!g || !pa || !pb)
        return -2;
    int r = EC_POINT_cmp(g, pa, pb, NULL);
    return r == 0 ? 1 : r == 1 ? 0 : -2;
}

static int ec_pkey_size(const EVP_PKEY *pk)
{
    const EC_KEY *k = ec_of(pk);
    return k ? ECDSA_size(k) : 0;
}

static int ec_pkey_bits(const EVP_PKEY *pk)
{
    const EC_KEY *k = ec_of(pk);
    const EC_GROUP *g = k ? EC_KEY_get0_group(k) : NULL;
    return g ? EC_GROUP_order_bits(g) : 0;
}

static void make_once(void)
{
    for (size_t i = 0; i < N_SHARED; i++)
        shared_groups[i] = named_group(shared_nids[i]);
    const EVP_PKEY_ASN1_METHOD *builtin = EVP_PKEY_asn1_find(NULL, EVP_PKEY_EC);
    EVP_PKEY_ASN1_METHOD *m =
        builtin ? EVP_PKEY_asn1_new(EVP_PKEY_EC, 0, "EC", "EC, curves made once") : NULL;
    if (m) {
        EVP_PKEY_asn1_copy(m, builtin);
        EVP_PKEY_asn1_set_public(m, ec_pub_decode, ec_pub_encode, ec_pub_cmp, NULL, ec_pkey_size,
                                 ec_pkey_bits);
    }
    ec_method = m;
    snt_cert_forget_errors();
}

/* Made once and kept for the life of the process: keys made with it point
 * at it, and may outlive any one checker. */
EVP_PKEY_ASN1_METHOD *snt_cert_ec_method(void)
{
    pthread_once(&made_once, make_once);
    return ec_method;
}
