/*
 * The scheduler's min-heap of deadlines: job firings and retries, each
 * entry knowing its own position so it can be removed or re-keyed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sched-int.h"
#include "xmalloc.h"

struct sched_ent	**sched_heap;
size_t			  sched_n;
static size_t		  sched_size;

static void	 sched_heap_up(size_t);
static void	 sched_heap_down(size_t);

/* Heap of entries by due time; idx kept in each entry. */
static void
sched_heap_up(size_t i)
{
	struct sched_ent	*e = sched_heap[i];
	size_t			 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (sched_heap[parent]->due <= e->due)
			break;
		sched_heap[i] = sched_heap[parent];
		sched_heap[i]->idx = i;
		i = parent;
	}
	sched_heap[i] = e;
	e->idx = i;
}

static void
sched_heap_down(size_t i)
{
	struct sched_ent	*e = sched_heap[i];
	size_t			 child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= sched_n)
			break;
		if (child + 1 < sched_n &&
		    sched_heap[child + 1]->due < sched_heap[child]->due)
			child++;
		if (sched_heap[child]->due >= e->due)
			break;
		sched_heap[i] = sched_heap[child];
		sched_heap[i]->idx = i;
		i = child;
	}
	sched_heap[i] = e;
	e->idx = i;
}

void
sched_heap_push(struct sched_ent *e)
{
	if (sched_n == sched_size) {
		sched_size = sched_size == 0 ? 64 : sched_size * 2;
		sched_heap = xreallocarray(sched_heap, sched_size,
		    sizeof *sched_heap);
	}
	sched_heap[sched_n] = e;
	e->idx = sched_n++;
	sched_heap_up(e->idx);
}

void
sched_heap_remove(struct sched_ent *e)
{
	size_t	 i = e->idx;

	if (i == SIZE_MAX)
		return;
	e->idx = SIZE_MAX;
	if (i == --sched_n)
		return;
	sched_heap[i] = sched_heap[sched_n];
	sched_heap[i]->idx = i;
	if (i > 0 && sched_heap[(i - 1) / 2]->due > sched_heap[i]->due)
		sched_heap_up(i);
	else
		sched_heap_down(i);
}


void
sched_heap_free(void)
{
	free(sched_heap);
	sched_heap = NULL;
	sched_n = sched_size = 0;
}
