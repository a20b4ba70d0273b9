/*
 * What the scheduler will do, for job summaries and "next": computed from
 * the same state and the same cron code the timers use.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cron.h"
#include "sched-int.h"

/*
 * When the job fires next (jitter included), or null.  A cron or at time
 * is shown from the wall time itself, not converted back from the
 * monotonic deadline, so it is exact.
 */
json_t *
sched_next_run(const struct job *j)
{
	struct timespec	 ts;
	uint64_t	 real, mono, at;

	if (j->sched.idx == SIZE_MAX)
		return (json_null());
	if (sched_wall_phase(j))
		at = (uint64_t)j->next_wall * NS + (j->sched.due > j->nominal ?
		    j->sched.due - j->nominal : 0);
	else {
		real = sched_now_real_ns();
		mono = sched_mono_ns();
		at = real + (j->sched.due > mono ? j->sched.due - mono : 0);
	}
	ts.tv_sec = (time_t)(at / NS);
	ts.tv_nsec = (long)(at % NS);
	return (json_time(&ts));
}

/*
 * The next run times of a job's schedule after "from" (nominal: jitter is
 * added to each), computed as the timers compute them, in milliseconds
 * since the epoch.  Up to max times; *np is how many.  -1 if the
 * schedule cannot be evaluated.
 */
int
sched_preview(const struct job *j, int64_t from, size_t max, int64_t *out,
    size_t *np)
{
	uint64_t	 left = UINT64_MAX, mono, real;
	int64_t		 t, every = (int64_t)j->def->every_ms;
	time_t		 c;
	size_t		 n = 0;

	*np = 0;
	if (j->paused || j->sched_ended || !jobdef_has_schedule(j->def))
		return (0);
	if (j->def->max_runs > 0)
		left = j->def->max_runs - j->sched_runs;
	if (left < max)
		max = (size_t)left;
	if (j->def->at != NULL && !j->at_done) {
		t = (int64_t)j->at_time * 1000;
		if (n < max && (t > from || j->sched.idx != SIZE_MAX))
			out[n++] = t > from ? t : from;
		if (every == 0) {
			*np = n;
			return (0);
		}
		t += every;
	} else if (j->cron != NULL) {
		c = (time_t)(from / 1000);
		while (n < max) {
			if (cron_next(j->cron, sched_tz(j), c, &c) != 0)
				return (-1);
			out[n++] = (int64_t)c * 1000;
		}
		*np = n;
		return (0);
	} else {
		/* every: from the armed deadline on */
		real = sched_now_real_ns();
		mono = sched_mono_ns();
		t = (int64_t)((real + (j->nominal > mono ? j->nominal - mono :
		    0)) / MS);
	}
	if (t <= from)
		t += ((from - t) / every + 1) * every;
	while (n < max) {
		out[n++] = t;
		t += every;
	}
	*np = n;
	return (0);
}

