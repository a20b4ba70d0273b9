/* SPDX-License-Identifier: ISC */
/*
 * What the scheduler will do, for job summaries and "next": computed from
 * the same state and the same cron code the timers use.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "cron.h"
#include "sched-int.h"
#include "util.h"

/*
 * When the job fires next (jitter included): 0 and *ts, or -1 if it is
 * not armed.  A cron or at time is the armed wall time itself, the one
 * "next" shows first, not converted back from the monotonic deadline:
 * exact, and in seconds so that no time up to TIME_SEC_MAX overflows.
 */
int
sched_next_run_ts(const struct job *j, struct timespec *ts)
{
	uint64_t	 real, mono, at, jitter;

	if (j->sched.idx == SIZE_MAX)
		return (-1);
	if (sched_wall_phase(j)) {
		jitter = j->sched.due_ns > j->nominal_ns ?
		    j->sched.due_ns - j->nominal_ns : 0;
		ts->tv_sec = j->next_wall_s + (time_t)(jitter / NS);
		ts->tv_nsec = (long)(jitter % NS);
		return (0);
	}
	real = sched_now_real_ns();
	mono = sched_mono_ns();
	at = real + (j->sched.due_ns > mono ? j->sched.due_ns - mono : 0);
	ts->tv_sec = (time_t)(at / NS);
	ts->tv_nsec = (long)(at % NS);
	return (0);
}

/* sched_next_run_ts as a time string, or null. */
json_t *
sched_next_run(const struct job *j)
{
	struct timespec	 ts;

	if (sched_next_run_ts(j, &ts) != 0)
		return (json_null());
	return (sjson_time(&ts));
}

/*
 * The next run times of a job's schedule after "from" (nominal: jitter is
 * added to each), computed as the timers compute them, in milliseconds
 * since the epoch.  A negative from means now, as the timers stand: a
 * cron or at job's first time is then its armed wall time, the one
 * next_run shows (after the clock was set back it stays later than the
 * expression's next).  Up to max times, none after TIME_SEC_MAX; *np is
 * how many.  -1 if the schedule cannot be evaluated.
 */
int
sched_preview(const struct job *j, int64_t from, size_t max, int64_t *out,
    size_t *np)
{
	uint64_t	 left = UINT64_MAX, mono, real;
	int64_t		 t, every = (int64_t)j->def->every_ms, end;
	time_t		 c;
	size_t		 n = 0;
	int		 armed;

	*np = 0;
	/* A boot schedule has no time that can be told in advance. */
	if (j->paused || j->sched_ended || !jobdef_has_schedule(j->def) ||
	    j->def->at_boot)
		return (0);
	armed = from < 0 && j->sched.idx != SIZE_MAX && sched_wall_phase(j);
	if (from < 0)
		from = (int64_t)(sched_now_real_ns() / MS);
	end = (int64_t)TIME_SEC_MAX * 1000 + 999;
	if (j->def->max_runs > 0)
		left = j->def->max_runs - j->sched_runs;
	if (left < max)
		max = (size_t)left;
	if (j->def->at != NULL && !j->at_done) {
		t = (int64_t)j->at_time_s * 1000;
		if (n < max && (armed || t > from || j->sched.idx != SIZE_MAX))
			out[n++] = armed || t > from ? t : from;
		if (every == 0) {
			*np = n;
			return (0);
		}
		t += every;
	} else if (j->cron != NULL) {
		c = (time_t)(from / 1000);
		if (armed && n < max) {
			out[n++] = (int64_t)j->next_wall_s * 1000;
			c = j->next_wall_s;
		}
		while (n < max) {
			if (cron_next(j->cron, sched_tz(j), c, &c) != 0) {
				/* The end of the range: what was found. */
				if (errno == ENOENT || errno == ERANGE)
					break;
				return (-1);
			}
			out[n++] = (int64_t)c * 1000;
		}
		*np = n;
		return (0);
	} else {
		/* every: from the armed deadline on */
		real = sched_now_real_ns();
		mono = sched_mono_ns();
		t = (int64_t)((real + (j->nominal_ns > mono ?
		    j->nominal_ns - mono : 0)) / MS);
	}
	if (t <= from)
		t += ((from - t) / every + 1) * every;
	while (n < max && t <= end) {
		out[n++] = t;
		t += every;
	}
	*np = n;
	return (0);
}

