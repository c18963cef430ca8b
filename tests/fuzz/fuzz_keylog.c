/* Fuzz target for the key log line parser and the store.  Besides not
 * crashing: a key has a label snitrace uses and a secret of a length it
 * allows; the store sees the same lines as a plain split on newlines, its
 * counters add up, it holds no more clients than it may, and the last key
 * of the input is found with its secret. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CLIENTS 8 /* small, so the ring turns */

static void check_line(const struct snt_keylog_line *l, size_t len)
{
    if ((unsigned)l->label >= SNT_KEYLOG_N_LABELS || len > SNT_KEYLOG_LINE_MAX)
        abort();
    if (l->secret_len != 48 && (l->secret_len != 32 || l->label == SNT_KEYLOG_CLIENT_RANDOM))
        abort();
}

/* Keys in the input, split here independently of the store; the last one in *last. */
static uint64_t count_keys(const uint8_t *data, size_t size, struct snt_keylog_line *last)
{
    uint64_t keys = 0;
    size_t start = 0;
    while (start < size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
        struct snt_keylog_line l;
        if (snt_keylog_parse_line(data + start, len, &l) == SNT_OK) {
            check_line(&l, len);
            *last = l;
            keys++;
        }
        start += len + 1;
    }
    return keys;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_keylog_line whole, last;
    if (snt_keylog_parse_line(data, size, &whole) == SNT_OK)
        check_line(&whole, size);
    uint64_t keys = count_keys(data, size, &last);

    struct snt_keylog *k = snt_keylog_new(MAX_CLIENTS);
    struct snt_keylog_counters c;
    struct snt_span secret;
    if (!k)
        return 0;
    snt_keylog_add_text(k, data, size);
    snt_keylog_counters(k, &c);
    if (c.keys != keys || c.lines != c.keys + c.malformed + c.ignored || c.clients > MAX_CLIENTS)
        abort();
    if (keys && (!snt_keylog_find(k, last.client_random, last.label, &secret) ||
                 secret.len != last.secret_len || memcmp(secret.p, last.secret, secret.len) != 0))
        abort();
    snt_keylog_free(k);
    return 0;
}
