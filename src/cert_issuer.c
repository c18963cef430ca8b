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
 * SNT_WAYS names to a set (ways.h), the set chosen by a hash of the name's
 * DER; a name is known only when its DER is byte for byte the one kept;
 * longer names are not kept.
 */
#include "cert_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "ways.h"

#define ABSENT_SETS 64 /* a power of two: 256 names */

struct absent_set {
    struct snt_ways ways;
    struct snt_cert_name_key slot[SNT_WAYS];
};

struct snt_cert_absent_issuers {
    struct absent_set sets[ABSENT_SETS];
    uint32_t clock;
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

/* Whether key's name is known to be absent (and now the most recently
 * asked of its set). */
static bool known_absent(struct snt_cert_absent_issuers *a, const struct snt_cert_name_key *key)
{
    struct absent_set *set = &a->sets[key->tag & (ABSENT_SETS - 1)];
    for (unsigned w = 0; w < SNT_WAYS; w++) {
        if (snt_ways_holds(&set->ways, w, key->tag) && snt_cert_name_key_eq(&set->slot[w], key)) {
            snt_ways_touch(&set->ways, w, &a->clock);
            return true;
        }
    }
    return false;
}

static void remember_absent(struct snt_cert_absent_issuers *a, const struct snt_cert_name_key *key)
{
    struct absent_set *set = &a->sets[key->tag & (ABSENT_SETS - 1)];
    set->slot[snt_ways_take(&set->ways, key->tag, &a->clock)] = *key;
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
    struct snt_cert_name_key key;
    bool keyed = a && snt_cert_name_key(name, &key);
    *issuer = NULL;
    if (keyed && known_absent(a, &key)) {
        a->answered++;
        return 0;
    }
    int rc = X509_STORE_CTX_get1_issuer(issuer, ctx, x);
    if (keyed && rc == 0 && !store_has_subject(ctx, name))
        remember_absent(a, &key);
    return rc;
}

uint64_t snt_cert_absent_issuers_answered(const struct snt_cert_absent_issuers *a)
{
    return a ? a->answered : 0;
}
