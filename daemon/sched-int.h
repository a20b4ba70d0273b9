/* SPDX-License-Identifier: ISC */
/*
 * Private to the scheduler's files (sched.c, sched-heap.c, sched-retry.c,
 * sched-view.c).
 */
#ifndef SCHED_INT_H
#define SCHED_INT_H

#include <stdint.h>
#include <time.h>

#include "schedd.h"

#define NS		1000000000ULL
#define MS		1000000ULL

/*
 * The longest wait armed at once.  A wall time further away (up to
 * 9999-12-31) is armed this far and checked again against the wall
 * clock when the timer fires, so the ns arithmetic never overflows.
 */
#define SCHED_WAIT_MAX_NS ((uint64_t)200 * 365 * 86400 * NS)

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
void		 sched_arm_timer(void);
void		 sched_maybe_auto_remove(struct job *);
void		 sched_retry_fire(struct retry *);

#endif
