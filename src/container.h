/* The struct that holds a member, from a pointer to that member: how
 * intrusive lists and tables (dlist.h, htable.h) get back to their
 * entries. */
#ifndef SNITRACE_CONTAINER_H
#define SNITRACE_CONTAINER_H

#include <stddef.h>

#define SNT_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#endif
