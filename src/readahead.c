/* A file read ahead on a thread of its own (see readahead.h).
 *
 * The reader reads 128 KiB at a time into the ring while there is room
 * for it; with none, it sleeps until half the ring is free again, so that
 * it is woken a few hundred times a gigabyte rather than once a piece.
 * The walker wakes it only then, and is woken itself only when it waits
 * for bytes the reader has not read yet.  `written` and `released` count
 * bytes since the start: each side writes one and reads the other's. */
#include "readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "snitrace/pcap_records.h"
#include "thread.h"

#define PIECE  (128u << 10)
#define RING   SNT_READAHEAD_RING
#define REFILL (RING / 2) /* the room the reader sleeps for */
/* A walker waiting for one more byte has released all but less than a
 * whole pcap record, so the reader always finds REFILL of room then. */
_Static_assert(RING - REFILL >= SNT_PCAP_RECORD_HEADER_LEN + SNT_PCAP_MAX_CAPLEN + 1,
               "a record and a byte fit beside REFILL");
_Static_assert(REFILL >= PIECE && RING % PIECE == 0, "pieces fit the ring");

struct snt_readahead {
    int fd;
    uint64_t offset;
    uint8_t *ring; /* RING bytes mapped twice, back to back */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t more, room;
    _Atomic uint64_t written;  /* by the reader */
    _Atomic uint64_t released; /* by the walker */
    uint64_t walked;           /* the walker's own copy of released */
    /* Under the lock: */
    bool done; /* the end of the file, or a read error */
    int error;
    bool stopping;
    bool reader_waits, walker_waits;
};

static uint8_t *map_ring(void)
{
    int fd = memfd_create("snitrace-read", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    uint8_t *base = NULL;
    if (ftruncate(fd, RING) == 0) {
        void *p = mmap(NULL, 2 * (size_t)RING, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        base = p == MAP_FAILED ? NULL : p;
    }
    for (int half = 0; base && half < 2; half++) {
        void *at = base + (size_t)half * RING;
        if (mmap(at, RING, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != at) {
            munmap(base, 2 * (size_t)RING);
            base = NULL;
        }
    }
    close(fd);
    return base;
}

/* Wait, under the lock, until half the ring is free; false when asked to
 * stop. */
static bool wait_for_room(struct snt_readahead *r, uint64_t w)
{
    pthread_mutex_lock(&r->lock);
    r->reader_waits = true;
    while (!r->stopping && RING - (w - atomic_load(&r->released)) < REFILL)
        pthread_cond_wait(&r->room, &r->lock);
    r->reader_waits = false;
    bool go_on = !r->stopping;
    pthread_mutex_unlock(&r->lock);
    return go_on;
}

/* One piece read at w; false when the reader is done. */
static bool read_piece(struct snt_readahead *r, uint64_t *w)
{
    ssize_t n;
    do
        n = pread(r->fd, r->ring + *w % RING, PIECE, (off_t)(r->offset + *w));
    while (n < 0 && errno == EINTR);
    int error = n < 0 ? errno : 0;
    pthread_mutex_lock(&r->lock);
    if (n > 0) {
        *w += (uint64_t)n;
        atomic_store_explicit(&r->written, *w, memory_order_release);
    } else {
        r->done = true;
        r->error = error;
    }
    if (r->walker_waits)
        pthread_cond_signal(&r->more);
    bool go_on = !r->done && !r->stopping;
    pthread_mutex_unlock(&r->lock);
    return go_on;
}

static void *reader(void *arg)
{
    struct snt_readahead *r = arg;
    uint64_t w = 0;
    pthread_setname_np(pthread_self(), "snitrace-read"); /* what top -H and perf show */
    for (;;) {
        uint64_t free_room = RING - (w - atomic_load_explicit(&r->released, memory_order_acquire));
        if (free_room < PIECE ? !wait_for_room(r, w) : !read_piece(r, &w))
            return NULL;
    }
}

struct snt_readahead *snt_readahead_start(int fd, uint64_t offset)
{
    struct snt_readahead *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->fd = fd;
    r->offset = offset;
    atomic_init(&r->written, 0);
    atomic_init(&r->released, 0);
    r->ring = map_ring();
    bool locks = r->ring && pthread_mutex_init(&r->lock, NULL) == 0;
    bool conds = locks && pthread_cond_init(&r->more, NULL) == 0;
    bool conds2 = conds && pthread_cond_init(&r->room, NULL) == 0;
    if (conds2 && snt_thread_start(&r->thread, reader, r) == 0)
        return r;
    if (conds2)
        pthread_cond_destroy(&r->room);
    if (conds)
        pthread_cond_destroy(&r->more);
    if (locks)
        pthread_mutex_destroy(&r->lock);
    if (r->ring)
        munmap(r->ring, 2 * (size_t)RING);
    free(r);
    return NULL;
}

const uint8_t *snt_readahead_bytes(struct snt_readahead *r, size_t need, size_t *len, int *error)
{
    uint64_t w = atomic_load_explicit(&r->written, memory_order_acquire);
    *error = 0;
    if (need > RING)
        need = RING;
    if (w - r->walked < need) {
        pthread_mutex_lock(&r->lock);
        r->walker_waits = true;
        while ((w = atomic_load_explicit(&r->written, memory_order_acquire)) - r->walked < need &&
               !r->done)
            pthread_cond_wait(&r->more, &r->lock);
        r->walker_waits = false;
        if (w - r->walked < need)
            *error = r->error;
        pthread_mutex_unlock(&r->lock);
    }
    *len = (size_t)(w - r->walked);
    return r->ring + r->walked % RING;
}

void snt_readahead_release(struct snt_readahead *r, size_t n)
{
    r->walked += n;
    atomic_store_explicit(&r->released, r->walked, memory_order_release);
    pthread_mutex_lock(&r->lock);
    if (r->reader_waits &&
        RING - (atomic_load_explicit(&r->written, memory_order_relaxed) - r->walked) >= REFILL)
        pthread_cond_signal(&r->room);
    pthread_mutex_unlock(&r->lock);
}

void snt_readahead_stop(struct snt_readahead *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stopping = true;
    pthread_cond_signal(&r->room);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->room);
    pthread_cond_destroy(&r->more);
    pthread_mutex_destroy(&r->lock);
    munmap(r->ring, 2 * (size_t)RING);
    free(r);
}
