/* Issuer names the trust store does not hold, remembered so a chain's
 * issuer search does not ask the hashed directory again.  Without it every
 * distinct chain whose intermediate is not a root (nearly every chain on a
 * real network) costs the directory lookup a name hash and a failed stat()
 * per missing issuer: on a busy capture, thousands of system calls and
 * about 10,000 instructions each.
 *
 * A name is taken as absent only when the store, asked through all its
 * lookups, has no certificate of that subject at all, so a name whose
 * certificates merely did not issue one chain is asked again the next
 * time.  The answer holds while the trust directory does not change under
 * a run, which is what loading it once at start-up assumes too.
 *
 * Direct-mapped by a hash of the name's DER; a name is known only when its
 * DER is byte for byte the one kept; longer names are not kept.
 */
#include "cert_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "htable.h"

#define ABSENT_SLOTS    256 /* a power of two */
#define ABSENT_NAME_DER 256

struct absent_name {
    uint32_t tag;
    size_t der_len; /* 0: empty */
    uint8_t der[ABSENT_NAME_DER];
};

struct snt_cert_absent_issuers {
    struct absent_name slots[ABSENT_SLOTS];
    uint64_t answered; /* searches answered from memory */
};

struct snt_cert_absent_issuers *snt_cert_absent_issuers_new(void)
{
    return calloc(1, sizeof(struct snt_cert_absent_issuers));
}

void snt_cert_absent_issuers_free(struct snt_cert_absent_issuers *a)
{
    free(a);
}

/* The name's DER and its slot; false when the name is not one to keep. */
static bool name_slot(struct snt_cert_absent_issuers *a, const X509_NAME *name,
                      const unsigned char **der, size_t *len, struct absent_name **slot,
                      uint32_t *tag)
{
    if (!a || !name || X509_NAME_get0_der(name, der, len) != 1 || *len == 0 ||
        *len > ABSENT_NAME_DER)
        return false;
    *tag = snt_hash_bytes(*der, *len);
    *slot = &a->slots[*tag & (ABSENT_SLOTS - 1)];
    return true;
}

static bool known_absent(struct snt_cert_absent_issuers *a, const X509_NAME *name)
{
    const unsigned char *der = NULL;
    size_t len = 0;
    struct absent_name *s = NULL;
    uint32_t tag = 0;
    return name_slot(a, name, &der, &len, &s, &tag) && s->der_len == len && s->tag == tag &&
           memcmp(s->der, der, len) == 0;
}

static void note_absent(struct snt_cert_absent_issuers *a, const X509_NAME *name)
{
    const unsigned char *der = NULL;
    size_t len = 0;
    struct absent_name *s = NULL;
    uint32_t tag = 0;
    if (!name_slot(a, name, &der, &len, &s, &tag))
        return;
    s->tag = tag;
    s->der_len = len;
    memcpy(s->der, der, len);
}

/* Whether the store has any certificate whose subject is name. */
static bool store_has_subject(X509_STORE_CTX *ctx, const X509_NAME *name)
{
    X509_OBJECT *o = X509_STORE_CTX_get_obj_by_subject(ctx, X509_LU_X509, (X509_NAME *)name);
    X509_OBJECT_free(o);
    snt_cert_forget_errors();
    return o != NULL;
}

int snt_cert_get_issuer(struct snt_cert_absent_issuers *a, X509 **issuer, X509_STORE_CTX *ctx,
                        X509 *x)
{
    const X509_NAME *name = X509_get_issuer_name(x);
    *issuer = NULL;
    if (known_absent(a, name)) {
        a->answered++;
        return 0;
    }
    int rc = X509_STORE_CTX_get1_issuer(issuer, ctx, x);
    if (rc == 0 && !store_has_subject(ctx, name))
        note_absent(a, name);
    return rc;
}

uint64_t snt_cert_absent_issuers_answered(const struct snt_cert_absent_issuers *a)
{
    return a ? a->answered : 0;
}
