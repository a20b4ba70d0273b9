/* SPDX-License-Identifier: ISC */
/*
 * A binary min-heap of pointers to items that keep their own position
 * (so any item can be removed or re-keyed in O(log n)).  The caller says
 * which of two items goes first and where an item keeps its index
 * (SIZE_MAX when it is not in the heap).
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap {
	void		**v;
	size_t		  n;
	size_t		  size;
	int		(*before)(const void *, const void *);
	size_t		*(*index)(void *);
};

void	 heap_init(struct heap *, int (*)(const void *, const void *),
	    size_t *(*)(void *));
void	 heap_push(struct heap *, void *);
void	 heap_remove(struct heap *, void *);
void	*heap_top(const struct heap *);
void	 heap_clear(struct heap *);

#endif
