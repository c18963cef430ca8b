/* Capture with libpcap: offline .pcap/.pcapng (also from stdin) and live
 * interfaces through libpcap's memory-mapped TPACKET_V3 ring, with a BPF
 * filter.
 *
 * Offline files are opened here and handed to libpcap as a stdio stream of
 * our own (fopencookie), so every byte read passes the pcapng secrets-block
 * scanner on its way: libpcap skips those blocks.  A file of ours whose
 * first bytes say it is not pcapng needs no scanner and goes as a plain
 * stream, as the floor's does: glibc copies a cookie stream's short reads
 * byte by byte (_IO_default_xsgetn), and libpcap reads each packet's
 * 16-byte header so (10 M more instructions on the mixed 100 MB than a
 * plain stream).  Either stream reads the file in 256 KiB pieces: with
 * stdio's default (st_blksize, 4 KiB) reading a GB takes a quarter of a
 * million read(2) calls and 2.7 times the CPU time, while from 128 KiB to
 * 4 MiB the cost is flat within noise
 * (bench/RESULTS.md, "Reading").
 *
 * A regular file in classic pcap format, in this machine's byte order and
 * version 2.4 (what tcpdump and Wireshark write), is opened by libpcap
 * (its header checks, link type, snapshot length and filter) but its
 * records are not read through it: libpcap reads each one with two fread
 * calls into a buffer of its own, a sixth of the capture thread's time on
 * the mixed GB.  Here the file is read in 128 KiB pieces and the records
 * are walked where they lie (pcap_records.c, which says what libpcap would of
 * each, damage included); the filter runs through pcap_offline_filter, as
 * libpcap runs it.  Asked to (--threads 3), the pieces are read ahead on a
 * thread of their own into a ring (readahead.c) and walked there; what is
 * walked goes back to the ring a piece at a time, between packets, as no
 * packet's bytes are used after its call.  Other files go through
 * pcap_dispatch as before. */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snitrace/capture.h"
#include "snitrace/decode.h"
#include "snitrace/pcap_records.h"
#include "readahead.h"

#define DEFAULT_SNAPLEN      262144
#define LIVE_TIMEOUT_MS      200 /* longest wait for packets: idle ticks and stops need no more */
#define LIVE_BLOCK_MS        50  /* longest a packet waits in a ring block before we see it */
#define LIVE_BATCH_PACKETS   1024
#define LIVE_BUFFER_MB       32 /* the ring without -B: about 80,000 packets of 400 bytes */
#define IDLE_INTERVAL_USEC   200000ULL
#define OFFLINE_TICK_PACKETS 16384
#define OFFLINE_BUFFER       (256u << 10)
/* A piece is read only when the records already read are walked, and is
 * walked while the kernel's copy of it is still in this CPU's cache: in
 * 128 KiB pieces the capture thread took 2-7% less time on the mixed GB
 * than in 1 MiB ones (bench/RESULTS.md, "the file read in 128 KiB
 * pieces").  The buffer holds the largest record (16 + 262,144 bytes)
 * with a piece after it. */
#define WALK_PIECE  (128u << 10)
#define WALK_BUFFER (512u << 10)
_Static_assert(WALK_BUFFER >= SNT_PCAP_RECORD_HEADER_LEN + SNT_PCAP_MAX_CAPLEN + WALK_PIECE,
               "a cut record and a piece after it fit in the walk buffer");

/* The file under an offline capture: libpcap reads it through the stream. */
struct offline_input {
    int fd;
    uint64_t pos; /* bytes read so far (stdio's buffer is at most 256 KiB ahead of libpcap) */
    bool plain;   /* read without the scanner: pos is the descriptor's offset */
    char *buffer; /* the stream's buffer: freed after the stream is closed */
    struct snt_pcapng_dsb dsb;
    void (*secrets)(void *arg, const uint8_t *p, size_t len);
    void *secrets_arg;
};

/* A plain pcap file whose records are walked here (see the top). */
struct record_walk {
    bool on;
    struct snt_pcap_file file;
    uint32_t snapshot; /* libpcap's, from the header */
    uint8_t *buf;      /* the file from offset `at` - `end`: WALK_BUFFER bytes of our own, or
                        * the read-ahead ring's bytes not yet released */
    struct snt_readahead *ahead; /* NULL: the walk reads the file itself */
    size_t start, end;           /* the bytes not yet walked */
    uint64_t at;                 /* file offset of buf[end] */
    bool eof;                    /* read() said the file ends at `at` */
    bool has_filter;
    struct bpf_program filter;
    char err[PCAP_ERRBUF_SIZE];
};

struct snt_capture {
    pcap_t *pcap;
    struct offline_input in;
    struct record_walk walk;
    bool live;
    int linktype;
    int fd;             /* live: selectable descriptor, or -1 */
    uint64_t file_size; /* 0: unknown (stdin, live) */
};

static uint64_t wall_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void found_secrets(void *arg, uint32_t type, const uint8_t *data, size_t len)
{
    struct offline_input *in = arg;
    if (type == SNT_PCAPNG_SECRETS_TLS && in->secrets)
        in->secrets(in->secrets_arg, data, len);
}

static ssize_t input_read(void *cookie, char *buf, size_t size)
{
    struct offline_input *in = cookie;
    ssize_t n;
    do
        n = read(in->fd, buf, size);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        in->pos += (uint64_t)n;
        /* Quiet after the first bytes of a file that is not pcapng. */
        snt_pcapng_dsb_feed(&in->dsb, (const uint8_t *)buf, (size_t)n, found_secrets, in);
    }
    return n;
}

static int input_close(void *cookie)
{
    struct offline_input *in = cookie;
    int rc = in->fd > STDIN_FILENO ? close(in->fd) : 0;
    in->fd = -1;
    return rc;
}

#define PCAPNG_HEAD_LEN 12 /* enough for the scanner to tell pcapng or not */

/* A regular file opened here (at its start, unlike standard input) whose
 * first bytes are not a pcapng Section Header Block: the scanner is told
 * so and the file goes to libpcap as a plain stream.  Shorter files and
 * unreadable ones take the scanning stream, which reports as before.
 * *walk: the file's records can be walked here (its header says so). */
static FILE *open_plain(struct offline_input *in, struct snt_pcap_file *file, bool *walk)
{
    uint8_t head[SNT_PCAP_FILE_HEADER_LEN];
    struct stat st;
    ssize_t got = 0;
    *walk = false;
    if (in->fd == STDIN_FILENO || fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (got = pread(in->fd, head, sizeof head, 0)) < PCAPNG_HEAD_LEN)
        return NULL;
    if (snt_pcapng_dsb_feed(&in->dsb, head, PCAPNG_HEAD_LEN, found_secrets, in) != SNT_NOT_MINE) {
        /* pcapng: the scanner reads it again from its first byte */
        snt_pcapng_dsb_release(&in->dsb);
        snt_pcapng_dsb_init(&in->dsb);
        return NULL;
    }
    FILE *f = fdopen(in->fd, "rb");
    in->plain = f != NULL;
    *walk = f && snt_pcap_file_header(head, (size_t)got, file) == SNT_OK &&
            snt_pcap_file_walkable(file);
    return f;
}

/* The file as a stream that libpcap reads and the scanner watches. */
static FILE *open_input(struct offline_input *in, const char *file, const char *shown,
                        struct record_walk *walk, char *err, size_t errlen)
{
    in->fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (in->fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", shown, strerror(errno));
        return NULL;
    }
    cookie_io_functions_t io = {.read = input_read, .close = input_close};
    FILE *f = open_plain(in, &walk->file, &walk->on);
    if (!f)
        f = fopencookie(in, "r", io);
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", shown, strerror(errno));
        input_close(in);
        return NULL;
    }
    in->buffer =
        walk->on ? NULL : malloc(OFFLINE_BUFFER); /* walked: libpcap reads the header only */
    if (in->buffer)
        setvbuf(f, in->buffer, _IOFBF, OFFLINE_BUFFER);
    return f;
}

/* Walk the records of a file whose header said so (open_plain) with the
 * snapshot length libpcap set from it (records are cut to it); without
 * memory for the buffer, libpcap reads them. */
static void start_walk(struct snt_capture *c, bool read_ahead)
{
    struct record_walk *w = &c->walk;
    int snapshot = pcap_snapshot(c->pcap);
    w->on = w->on && snapshot > 0 && (uint32_t)snapshot <= SNT_PCAP_MAX_CAPLEN;
    if (w->on && read_ahead)
        w->ahead = snt_readahead_start(c->in.fd, SNT_PCAP_FILE_HEADER_LEN);
    w->on = w->on && (w->ahead || (w->buf = malloc(WALK_BUFFER)) != NULL);
    if (!w->on)
        return;
    w->snapshot = (uint32_t)snapshot;
    w->at = SNT_PCAP_FILE_HEADER_LEN;
    c->in.pos = w->at;
}

static enum snt_capture_error open_offline(struct snt_capture *c, const struct snt_capture_opts *o,
                                           char *err, size_t errlen)
{
    const char *shown = strcmp(o->file, "-") ? o->file : "standard input";
    snt_pcapng_dsb_init(&c->in.dsb);
    c->in.secrets = o->secrets;
    c->in.secrets_arg = o->secrets_arg;
    FILE *f = open_input(&c->in, o->file, shown, &c->walk, err, errlen);
    if (!f)
        return SNT_CAPTURE_ERR_OPEN;
    struct stat st;
    if (fstat(c->in.fd, &st) == 0 && S_ISREG(st.st_mode))
        c->file_size = (uint64_t)st.st_size;
    char perr[PCAP_ERRBUF_SIZE] = "";
    c->pcap = pcap_fopen_offline(f, perr);
    if (!c->pcap) {
        fclose(f); /* libpcap leaves a stream it could not read to its owner */
        snprintf(err, errlen, "cannot read %s: %s", shown, perr);
        return SNT_CAPTURE_ERR_OPEN;
    }
    start_walk(c, o->read_ahead);
    return SNT_CAPTURE_OK;
}

static enum snt_capture_error activate_error(pcap_t *p, int rc, const char *iface, char *err,
                                             size_t errlen)
{
    const char *detail = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, errlen, "no such interface: %s (%s)", iface, detail);
        return SNT_CAPTURE_ERR_OPEN;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        snprintf(err, errlen,
                 "no permission to capture on %s (%s); run as root or grant "
                 "CAP_NET_RAW and CAP_NET_ADMIN",
                 iface, detail);
        return SNT_CAPTURE_ERR_PERM;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "interface %s is not up", iface);
        return SNT_CAPTURE_ERR_OPEN;
    default:
        snprintf(err, errlen, "cannot capture on %s: %s", iface,
                 detail && *detail ? detail : pcap_statustostr(rc));
        return SNT_CAPTURE_ERR_OPEN;
    }
}

/* Live captures read libpcap's memory-mapped TPACKET_V3 ring, its default
 * on Linux.  Immediate mode would defeat it: libpcap then falls back to
 * TPACKET_V2, whose ring is cut into fixed frames sized for the largest
 * packet (65 KiB on an interface with segmentation offload), so that the
 * default 2 MiB ring holds a few dozen packets, each with its own wake-up.
 * TPACKET_V3 packs packets of any size into 256 KiB blocks and hands over
 * a block when it is full or LIVE_BLOCK_MS after its first packet: that
 * (pcap_set_timeout sets it) is as late as a packet is seen.  The ring's
 * size is -B (pcap_set_buffer_size), else LIVE_BUFFER_MB: libpcap's 2 MiB
 * holds a tenth of a second of 40,000 packets/s, less than the time a burst
 * of new certificates can take, and dropped packets where 32 MiB did not
 * (bench/RESULTS.md, "Live capture"). */
static enum snt_capture_error open_live(struct snt_capture *c, const struct snt_capture_opts *o,
                                        char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    c->in.fd = -1;
    c->pcap = pcap_create(o->iface, perr);
    if (!c->pcap) {
        snprintf(err, errlen, "cannot capture on %s: %s", o->iface, perr);
        return SNT_CAPTURE_ERR_OPEN;
    }
    c->live = true;
    pcap_set_snaplen(c->pcap, o->snaplen > 0 ? o->snaplen : DEFAULT_SNAPLEN);
    pcap_set_promisc(c->pcap, o->promisc);
    pcap_set_timeout(c->pcap, LIVE_BLOCK_MS);
    pcap_set_buffer_size(c->pcap, (o->buffer_mb > 0 ? o->buffer_mb : LIVE_BUFFER_MB) * 1024 * 1024);
    int rc = pcap_activate(c->pcap);
    if (rc < 0)
        return activate_error(c->pcap, rc, o->iface, err, errlen);
    if (rc > 0)
        fprintf(stderr, "snitrace: warning: %s: %s\n", o->iface, pcap_geterr(c->pcap));
    char nberr[PCAP_ERRBUF_SIZE];
    c->fd = pcap_setnonblock(c->pcap, 1, nberr) == 0 ? pcap_get_selectable_fd(c->pcap) : -1;
    return SNT_CAPTURE_OK;
}

static enum snt_capture_error set_filter(struct snt_capture *c, const char *filter, char *err,
                                         size_t errlen)
{
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad filter expression '%s': %s", filter, pcap_geterr(c->pcap));
        return SNT_CAPTURE_ERR_FILTER;
    }
    int rc = pcap_setfilter(c->pcap, &prog);
    if (rc == 0 && c->walk.on) {
        c->walk.filter = prog; /* walked records are filtered with it */
        c->walk.has_filter = true;
    } else {
        pcap_freecode(&prog);
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot set filter: %s", pcap_geterr(c->pcap));
        return SNT_CAPTURE_ERR_FILTER;
    }
    return SNT_CAPTURE_OK;
}

enum snt_capture_error snt_capture_open(struct snt_capture **out, const struct snt_capture_opts *o,
                                        char *err, size_t errlen)
{
    struct snt_capture *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return SNT_CAPTURE_ERR_OPEN;
    }
    enum snt_capture_error rc =
        o->file ? open_offline(c, o, err, errlen) : open_live(c, o, err, errlen);
    if (rc == SNT_CAPTURE_OK) {
        c->linktype = pcap_datalink(c->pcap);
        if (!snt_decode_linktype_supported(c->linktype)) {
            const char *name = pcap_datalink_val_to_name(c->linktype);
            snprintf(err, errlen, "unsupported link type %d (%s)", c->linktype,
                     name ? name : "unknown");
            rc = SNT_CAPTURE_ERR_LINKTYPE;
        }
    }
    if (rc == SNT_CAPTURE_OK && o->filter && *o->filter)
        rc = set_filter(c, o->filter, err, errlen);
    if (rc != SNT_CAPTURE_OK) {
        snt_capture_close(c);
        return rc;
    }
    *out = c;
    return SNT_CAPTURE_OK;
}

void snt_capture_close(struct snt_capture *c)
{
    if (!c)
        return;
    if (c->pcap)
        pcap_close(c->pcap); /* closes an offline file's stream too */
    if (c->walk.has_filter)
        pcap_freecode(&c->walk.filter);
    if (c->walk.ahead)
        snt_readahead_stop(c->walk.ahead);
    else
        free(c->walk.buf);
    free(c->in.buffer);
    snt_pcapng_dsb_release(&c->in.dsb);
    free(c);
}

int snt_capture_linktype(const struct snt_capture *c)
{
    return c->linktype;
}

const char *snt_capture_linktype_name(const struct snt_capture *c)
{
    const char *n = pcap_datalink_val_to_name(c->linktype);
    return n ? n : "unknown";
}

bool snt_capture_is_live(const struct snt_capture *c)
{
    return c->live;
}

/* Live captures are non-blocking: a blocking read would not let the clock,
 * the stats or a stop signal through while no packets come. */
static void wait_for_packets(struct snt_capture *c, int timeout_ms)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (c->fd >= 0)
        poll(&pfd, 1, timeout_ms);
    else
        nanosleep(&(struct timespec){0, timeout_ms * 1000000L}, NULL);
}

struct dispatch {
    pcap_t *pcap;
    snt_packet_fn packet;
    void *arg;
    volatile sig_atomic_t *stop; /* NULL: do not stop inside a batch */
};

/* pcap_dispatch hands packets over where they lie (the ring, libpcap's
 * buffer); pcap_next_ex would copy each one out of the ring first. */
static void dispatch_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct dispatch *d = (struct dispatch *)user;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
    d->packet(d->arg, ts, data, h->caplen, h->len);
    if (d->stop && *d->stop)
        pcap_breakloop(d->pcap); /* the callback itself may ask to stop */
}

/* After a stop, the packets that reached the ring before it: those in the
 * block the kernel still holds come within LIVE_BLOCK_MS. */
static void drain_ring(struct snt_capture *c, struct dispatch *d)
{
    d->stop = NULL;
    uint64_t until = wall_usec() + 2 * LIVE_BLOCK_MS * 1000u;
    for (uint64_t now = wall_usec(); now < until; now = wall_usec()) {
        int n = pcap_dispatch(c->pcap, LIVE_BATCH_PACKETS, dispatch_packet, (u_char *)d);
        if (n < 0)
            break; /* stopping anyway: the error changes nothing */
        if (n == 0)
            wait_for_packets(c, (int)((until - now) / 1000u) + 1);
    }
}

/* The bytes walked go back to the read-ahead ring, and w sees what it
 * holds now (at least `need` bytes when the file has them).  False on a
 * read error (the message, libpcap's words, in w->err). */
static bool ahead_sync(struct record_walk *w, size_t need)
{
    size_t left = w->end - w->start, len = 0;
    int error = 0;
    snt_readahead_release(w->ahead, w->start);
    w->buf = (uint8_t *)snt_readahead_bytes(w->ahead, need, &len, &error);
    w->start = 0;
    w->at += len - left;
    w->end = len;
    if (error) {
        snprintf(w->err, sizeof w->err, "error reading dump file: %s", strerror(error));
        return false;
    }
    if (need)
        w->eof = len < need;
    return true;
}

/* More of the file after the bytes not yet walked; false on a read error
 * (the message, libpcap's words, in w->err). */
static bool walk_fill(struct record_walk *w, int fd)
{
    if (w->ahead)
        return ahead_sync(w, w->end - w->start + 1);
    size_t left = w->end - w->start;
    memmove(w->buf, w->buf + w->start, left);
    w->start = 0;
    w->end = left;
    size_t room = WALK_BUFFER - w->end; /* never 0: see WALK_BUFFER */
    ssize_t n;
    do
        n = pread(fd, w->buf + w->end, room < WALK_PIECE ? room : WALK_PIECE, (off_t)w->at);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(w->err, sizeof w->err, "error reading dump file: %s", strerror(errno));
        return false;
    }
    w->end += (size_t)n;
    w->at += (uint64_t)n;
    w->eof = n == 0;
    return true;
}

/* pcap_dispatch for a walked file: up to cnt packets that pass the filter,
 * 0 at the end of the file, PCAP_ERROR on damage or a read error (the
 * packets before it were handed on). */
static int walk_dispatch(struct snt_capture *c, int cnt, struct dispatch *d)
{
    struct record_walk *w = &c->walk;
    int n = 0;
    while (n < cnt) {
        struct snt_pcap_record r;
        /* The packets before are handed on: their room can be read into. */
        if (w->ahead && w->start >= WALK_PIECE) {
            if (!ahead_sync(w, 0))
                return PCAP_ERROR;
            c->in.pos = w->at;
        }
        const uint8_t *p = w->buf + w->start;
        size_t len = w->end - w->start;
        enum snt_result st = snt_pcap_record_next(&w->file, w->snapshot, p, len, &r);
        if (st == SNT_NEED_MORE && !w->eof) {
            if (!walk_fill(w, c->in.fd))
                return PCAP_ERROR;
            c->in.pos = w->at;
            continue;
        }
        if (st == SNT_NEED_MORE && len == 0)
            return n; /* the end, between records */
        if (st != SNT_OK) {
            snt_pcap_record_damage(&w->file, w->snapshot, p, len, w->err, sizeof w->err);
            return PCAP_ERROR;
        }
        w->start += SNT_PCAP_RECORD_HEADER_LEN + r.stored;
        struct pcap_pkthdr h = {.caplen = r.caplen, .len = r.wirelen};
        h.ts.tv_sec = (time_t)r.ts_sec;
        h.ts.tv_usec = (suseconds_t)r.ts_usec;
        if (w->has_filter && !pcap_offline_filter(&w->filter, &h, r.data))
            continue;
        dispatch_packet((u_char *)d, &h, r.data);
        n++;
        if (d->stop && *d->stop)
            break;
    }
    return n;
}

enum snt_capture_error snt_capture_loop(struct snt_capture *c, snt_packet_fn packet,
                                        snt_idle_fn idle, void *arg, volatile sig_atomic_t *stop,
                                        char *err, size_t errlen)
{
    struct dispatch d = {.pcap = c->pcap, .packet = packet, .arg = arg, .stop = stop};
    int batch = c->live ? LIVE_BATCH_PACKETS : OFFLINE_TICK_PACKETS;
    uint64_t last_idle = c->live ? wall_usec() : 0;
    while (!*stop) {
        int n = c->walk.on ? walk_dispatch(c, batch, &d)
                           : pcap_dispatch(c->pcap, batch, dispatch_packet, (u_char *)&d);
        if (n == PCAP_ERROR) {
            snprintf(err, errlen, "%s", c->walk.on ? c->walk.err : pcap_geterr(c->pcap));
            return SNT_CAPTURE_ERR_READ;
        }
        if (n == 0 && !c->live)
            return SNT_CAPTURE_OK; /* end of file */
        if (n == 0)
            wait_for_packets(c, LIVE_TIMEOUT_MS); /* a signal or the timeout ends the wait */
        /* Live: often, so idle timeouts fire; offline: after each batch,
         * for progress reports, without a clock read per packet. */
        if (idle) {
            uint64_t now = wall_usec();
            if (now - last_idle >= IDLE_INTERVAL_USEC) {
                idle(arg, now);
                last_idle = now;
            }
        }
    }
    if (c->live)
        drain_ring(c, &d);
    return SNT_CAPTURE_OK;
}

void snt_capture_drops(struct snt_capture *c, uint64_t *kernel, uint64_t *iface)
{
    struct pcap_stat st;
    *kernel = *iface = 0;
    if (!c->live || pcap_stats(c->pcap, &st) != 0)
        return;
    *kernel = st.ps_drop;
    *iface = st.ps_ifdrop;
}

bool snt_capture_progress(struct snt_capture *c, uint64_t *done, uint64_t *total)
{
    if (c->live || !c->file_size)
        return false;
    *total = c->file_size;
    if (c->in.plain && !c->walk.on) {
        off_t at = lseek(c->in.fd, 0, SEEK_CUR);
        c->in.pos = at > 0 ? (uint64_t)at : c->in.pos;
    }
    *done = c->in.pos < c->file_size ? c->in.pos : c->file_size;
    return true;
}

bool snt_capture_is_pcapng(const struct snt_capture *c)
{
    return !c->live && snt_pcapng_dsb_is_pcapng(&c->in.dsb);
}

void snt_capture_secrets_counters(const struct snt_capture *c, struct snt_pcapng_dsb_counters *out)
{
    memset(out, 0, sizeof *out);
    if (!c->live)
        *out = c->in.dsb.counters;
}
