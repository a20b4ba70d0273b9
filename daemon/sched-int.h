/*
 * Private to the scheduler's files (sched.c, sched-heap.c, sched-view.c).
 */
#ifndef SCHED_INT_H
#define SCHED_INT_H

#include <stdint.h>
#include <time.h>

#include "schedd.h"

#define NS		1000000000ULL
#define MS		1000000ULL

#include "heap.h"

extern struct heap	 sched_heap;

void		 sched_heap_push(struct sched_ent *);
void		 sched_heap_remove(struct sched_ent *);
void		 sched_heap_free(void);
struct sched_ent *sched_heap_top(void);
uint64_t	 sched_now_real_ns(void);
time_t		 sched_now_wall(void);
const char	*sched_tz(const struct job *);
int		 sched_wall_phase(const struct job *);

#endif
