/* Fuzz target for the HTTP request-head parser.  Besides not crashing:
 * every span borrows from the input, and the input minus its last byte
 * answers "need more" or the same as the whole input. */
#include <stdint.h>
#include <stdlib.h>

#include "snitrace/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct snt_span s, const uint8_t *data, size_t size)
{
    if (s.len == 0)
        return;
    if (s.p < data || s.len > size || (size_t)(s.p - data) > size - s.len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snt_http_request r;
    enum snt_result st = snt_http_parse_request(data, size, &r);
    enum snt_result sniff = snt_http_sniff(data, size);
    if (st == SNT_OK) {
        check_span(r.method, data, size);
        check_span(r.target, data, size);
        check_span(r.version, data, size);
        check_span(r.host, data, size);
        check_span(r.connect_host, data, size);
        if (sniff != SNT_OK)
            abort();
    }
    if (size > 0) {
        struct snt_http_request shorter;
        enum snt_result st2 = snt_http_parse_request(data, size - 1, &shorter);
        if (st2 != SNT_NEED_MORE && st2 != st)
            abort();
    }
    return 0;
}
