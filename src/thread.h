/* The program's own threads (the certificate checks', the output's, the
 * file read ahead's, the probes') start with every signal blocked, so that SIGINT and SIGTERM
 * always reach the main thread: its handler sets the stop flag that only
 * it reads, and the signal interrupts its poll() at once.  A signal taken
 * by another thread would leave the flag written on one thread and read
 * on another, and the main thread asleep until its next timeout. */
#ifndef SNITRACE_THREAD_H
#define SNITRACE_THREAD_H

#include <pthread.h>

/* pthread_create(t, NULL, fn, arg) with every signal blocked in the new
 * thread; the caller's mask is as it was.  0 or an error number. */
int snt_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
