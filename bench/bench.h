/* SPDX-License-Identifier: ISC */
/*
 * What the benchmark programs share (doc/performance.md).
 */
#ifndef BENCH_H
#define BENCH_H

#include <time.h>

/* Seconds on the monotonic clock. */
static inline double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

#endif
