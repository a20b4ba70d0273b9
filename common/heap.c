/* SPDX-License-Identifier: ISC */
/*
 * Binary min-heap of self-indexing items.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heap.h"
#include "xmalloc.h"

static void	heap_up(struct heap *, size_t);
static void	heap_down(struct heap *, size_t);

void
heap_init(struct heap *h, int (*before)(const void *, const void *),
    size_t *(*index)(void *))
{
	h->v = NULL;
	h->n = h->size = 0;
	h->before = before;
	h->index = index;
}

/* Put v[i] where it belongs above i. */
static void
heap_up(struct heap *h, size_t i)
{
	void	*e = h->v[i];
	size_t	 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!h->before(e, h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		*h->index(h->v[i]) = i;
		i = parent;
	}
	h->v[i] = e;
	*h->index(e) = i;
}

/* Put v[i] where it belongs below i. */
static void
heap_down(struct heap *h, size_t i)
{
	void	*e = h->v[i];
	size_t	 child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= h->n)
			break;
		if (child + 1 < h->n && h->before(h->v[child + 1],
		    h->v[child]))
			child++;
		if (!h->before(h->v[child], e))
			break;
		h->v[i] = h->v[child];
		*h->index(h->v[i]) = i;
		i = child;
	}
	h->v[i] = e;
	*h->index(e) = i;
}

void
heap_push(struct heap *h, void *e)
{
	if (h->n == h->size) {
		h->size = h->size == 0 ? 64 : h->size * 2;
		h->v = xreallocarray(h->v, h->size, sizeof *h->v);
	}
	h->v[h->n] = e;
	*h->index(e) = h->n++;
	heap_up(h, h->n - 1);
}

/* Take an item out; one that is not in the heap is left alone. */
void
heap_remove(struct heap *h, void *e)
{
	size_t	 i = *h->index(e);
	void	*moved;

	if (i == SIZE_MAX)
		return;
	*h->index(e) = SIZE_MAX;
	if (i == --h->n)
		return;
	/* The last item fills the hole, then finds its place. */
	moved = h->v[h->n];
	h->v[i] = moved;
	*h->index(moved) = i;
	heap_up(h, i);
	heap_down(h, *h->index(moved));
}

/* The first item, or NULL. */
void *
heap_top(const struct heap *h)
{
	return (h->n > 0 ? h->v[0] : NULL);
}

void
heap_clear(struct heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->size = 0;
}
