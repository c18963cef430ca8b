/* Secrets for the tables whose keys an outsider chooses (addresses, ports,
 * names, client randoms off the wire): each table hashes its keys with a
 * secret drawn when it is made, so nobody can aim many keys at one bucket. */
#ifndef SNITRACE_SECRET_H
#define SNITRACE_SECRET_H

#include <stddef.h>

/* len random bytes into out: getrandom(2), or, before the kernel has any
 * entropy (early boot), the time and an address stretched: still unknown
 * to a sender far away. */
void snt_secret_draw(void *out, size_t len);

#endif
