/* The sink interface of include/snitrace/output.h: calls go to whichever
 * sink main chose (JSON, text, or the queue in front of one). */
#include "snitrace/output.h"

bool snt_sink_attempt(struct snt_sink *s, const struct snt_attempt *a)
{
    return s->ops->attempt(s, a);
}

bool snt_sink_attempt_give(struct snt_sink *s, struct snt_attempt **block)
{
    if (s->ops->attempt_give)
        return s->ops->attempt_give(s, block);
    bool ok = s->ops->attempt(s, *block);
    snt_attempt_free(*block); /* written: the block stays the caller's, empty */
    return ok;
}

bool snt_sink_session(struct snt_sink *s, const struct snt_session *x)
{
    return s->ops->session(s, x);
}

bool snt_sink_flag(struct snt_sink *s, const struct snt_flag *fl, enum snt_flag_event ev)
{
    return s->ops->flag(s, fl, ev);
}

bool snt_sink_scan(struct snt_sink *s, const struct snt_scan_record *r)
{
    return s->ops->scan(s, r);
}

bool snt_sink_stats(struct snt_sink *s, const struct snt_stats *st, uint64_t ts_usec, bool final)
{
    return s->ops->stats(s, st, ts_usec, final);
}

bool snt_sink_flush(struct snt_sink *s)
{
    return s->ops->flush(s);
}

int snt_sink_error(const struct snt_sink *s)
{
    return s->error;
}

void snt_sink_free(struct snt_sink *s)
{
    if (!s)
        return;
    s->ops->flush(s);
    s->ops->destroy(s);
}
