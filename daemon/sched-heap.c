/* SPDX-License-Identifier: ISC */
/*
 * The scheduler's min-heap of deadlines: job firings and retries, each
 * entry knowing its own position so it can be removed or re-keyed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heap.h"
#include "sched-int.h"

struct heap	 sched_heap;

static int
sched_heap_before(const void *a, const void *b)
{
	return (((const struct sched_ent *)a)->due_ns <
	    ((const struct sched_ent *)b)->due_ns);
}

static size_t *
sched_heap_index(void *e)
{
	return (&((struct sched_ent *)e)->idx);
}

void
sched_heap_push(struct sched_ent *e)
{
	if (sched_heap.before == NULL)
		heap_init(&sched_heap, sched_heap_before, sched_heap_index);
	heap_push(&sched_heap, e);
}

void
sched_heap_remove(struct sched_ent *e)
{
	if (sched_heap.before != NULL)
		heap_remove(&sched_heap, e);
}

/* The earliest deadline, or NULL. */
struct sched_ent *
sched_heap_top(void)
{
	return (heap_top(&sched_heap));
}

void
sched_heap_free(void)
{
	heap_clear(&sched_heap);
}
