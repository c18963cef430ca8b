/* Fuzz target for the STARTTLS parser.  The input is a 2-byte big-endian
 * client length, the client's bytes, then the server's.  Both prefixes are
 * fed growing, in steps the input chooses, then whole.  Besides not
 * crashing: offsets stay within what was fed, a final answer never changes,
 * and a second feed of the same bytes changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snitrace/starttls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_final(enum snt_starttls_status s)
{
    return s == SNT_STARTTLS_AGREED || s == SNT_STARTTLS_REFUSED || s == SNT_STARTTLS_NO_UPGRADE;
}

static bool same(const struct snt_starttls *a, const struct snt_starttls *b)
{
    return a->status == b->status && a->protocol == b->protocol &&
           a->client_tls_at == b->client_tls_at && a->server_tls_at == b->server_tls_at &&
           a->reply_at == b->reply_at && a->reply_len == b->reply_len &&
           a->reply_code == b->reply_code;
}

static void check(const struct snt_starttls *st, struct snt_span c, struct snt_span s)
{
    if (st->client_tls_at > c.len || st->server_tls_at > s.len)
        abort();
    if ((st->status == SNT_STARTTLS_AGREED || st->status == SNT_STARTTLS_REFUSED) &&
        (st->reply_at > s.len || st->reply_len > s.len - st->reply_at))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t split = (size_t)data[0] << 8 | data[1];
    const uint8_t *rest = data + 2;
    size_t n = size - 2;
    if (split > n)
        split = n;
    /* Exact-size copies: a read past either prefix is caught. */
    uint8_t *client = malloc(split ? split : 1), *server = malloc(n - split ? n - split : 1);
    if (!client || !server)
        abort();
    memcpy(client, rest, split);
    memcpy(server, rest + split, n - split);
    struct snt_span c = {client, 0}, s = {server, 0};
    struct snt_starttls st, final;
    snt_starttls_init(&final);
    snt_starttls_init(&st);
    bool have_final = false;
    size_t step = split ? (size_t)(client[0] % 16) + 1 : 1;
    while (c.len < split || s.len < n - split) {
        c.len = c.len + step < split ? c.len + step : split;
        s.len = s.len + step < n - split ? s.len + step : n - split;
        snt_starttls_feed(&st, c, s);
        check(&st, c, s);
        if (have_final && !same(&final, &st))
            abort();
        if (!have_final && is_final(st.status)) {
            final = st;
            have_final = true;
        }
    }
    struct snt_starttls again = st;
    snt_starttls_feed(&again, c, s);
    if (!same(&again, &st))
        abort();
    char reply[128];
    snt_starttls_describe_reply(&st, s, reply, sizeof reply);
    if (strlen(reply) >= sizeof reply)
        abort();
    free(client);
    free(server);
    return 0;
}
