/* SPDX-License-Identifier: ISC */
/*
 * The scheduler (schedd.yaml.5 SCHEDULES).  Every armed job's next firing and
 * every pending retry sit in one min-heap ordered by monotonic deadline,
 * and one timer is armed for the earliest: no periodic tick, and an idle
 * daemon sleeps in the kernel.
 *
 * "every" counts on the monotonic clock.  "cron" and "at" are wall-clock
 * times: their deadline is the wall time converted to the monotonic clock
 * when armed, re-checked against the wall clock when the timer fires (so
 * nothing fires early), and recomputed when the wall clock is set (a
 * CLOCK_REALTIME timerfd with TFD_TIMER_CANCEL_ON_SET tells us).  Firings
 * a jump skips are counted as missed and run once with catch_up; nothing
 * fires twice for one wall time.  Retries are planned in sched-retry.c.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cron.h"
#include "sched-int.h"
#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#define SCHED_MAX_MISSED 100000		/* missed firings counted one by one */
#define SCHED_LATE_SAMPLES 8192

static uint64_t	 sched_clock_mono(void);
static void	 sched_clock_real(struct timespec *);

uint64_t	 (*sched_mono_ns)(void) = sched_clock_mono;
void		 (*sched_real_ts)(struct timespec *) = sched_clock_real;

static struct event	 *sched_ev;
static int		  sched_tfd = -1;
static struct event	 *sched_tfd_ev;
static uint64_t		  sched_rand_state;

/* Lateness of recent firings, for "status". */
static uint32_t		  sched_late[SCHED_LATE_SAMPLES];	/* us */
static size_t		  sched_nlate;
static uint64_t		  sched_fired;
static uint64_t		  sched_late_sum;			/* us */

static void	 sched_timer(evutil_socket_t, short, void *);
static void	 sched_fire_job(struct job *, uint64_t);
static void	 sched_fire_next(struct job *, uint64_t);
static int	 sched_trigger(struct job *, enum task_trigger);
static int	 sched_catch_up(struct job *, time_t);
static void	 sched_start(struct job *);
static void	 sched_arm_wall(struct job *);
static uint64_t	 sched_wall_wait(time_t);
static void	 sched_arm_mono(struct job *);
static uint64_t	 sched_jitter(const struct job *);
static void	 sched_tfd_arm(void);
static void	 sched_tfd_read(evutil_socket_t, short, void *);
static void	 sched_auto_remove(evutil_socket_t, short, void *);

static uint64_t
sched_clock_mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec);
}

static void
sched_clock_real(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

/* The wall clock, ns (saturated: it cannot be set past 2262 anyway). */
uint64_t
sched_now_real_ns(void)
{
	struct timespec	 ts;

	sched_real_ts(&ts);
	if (ts.tv_sec < 0)
		return (0);
	if ((uint64_t)ts.tv_sec >= UINT64_MAX / NS)
		return (UINT64_MAX);
	return ((uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec);
}

time_t
sched_now_wall(void)
{
	struct timespec	 ts;

	sched_real_ts(&ts);
	return (ts.tv_sec);
}

/* The zone a job's cron and at are evaluated in (NULL: the system's). */
const char *
sched_tz(const struct job *j)
{
	if (j->def->timezone != NULL)
		return (j->def->timezone);
	return (sd.settings.timezone);
}

/* Is the job's next firing a wall-clock time (cron, or a pending at)? */
int
sched_wall_phase(const struct job *j)
{
	return (j->cron != NULL || (j->def->at != NULL && !j->at_done));
}

/* xorshift64*, seeded from the kernel: jitter needs no more. */
static uint64_t
sched_random(void)
{
	uint64_t	 x;

	if (sched_rand_state == 0) {
		if (getrandom(&sched_rand_state, sizeof sched_rand_state,
		    0) != sizeof sched_rand_state)
			sched_rand_state = sched_clock_mono() ^
			    ((uint64_t)getpid() << 32);
		sched_rand_state |= 1;
	}
	x = sched_rand_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sched_rand_state = x;
	return (x * 0x2545F4914F6CDD1DULL);
}

/* A uniform delay in [0, jitter), ns. */
static uint64_t
sched_jitter(const struct job *j)
{
	if (j->def->jitter_ms == 0)
		return (0);
	return (sched_random() % (j->def->jitter_ms * MS));
}

/* Arm the one timer for the earliest deadline, or disarm it. */
void
sched_arm_timer(void)
{
	struct sched_ent	*top;
	struct timeval		 tv;
	uint64_t		 now, wait;

	if (sched_ev == NULL)
		return;
	/* idle_exit waits while anything is scheduled */
	notify_idle_check();
	if ((top = sched_heap_top()) == NULL) {
		evtimer_del(sched_ev);
		return;
	}
	now = sched_mono_ns();
	wait = top->due_ns > now ? top->due_ns - now : 0;
	/* Round up to whole microseconds: never early. */
	wait = (wait + 999) / 1000;
	tv.tv_sec = wait / 1000000;
	tv.tv_usec = wait % 1000000;
	evtimer_add(sched_ev, &tv);
}

/* Create the timer and the clock-change watch. */
void
sched_init(void)
{
	sched_boot_init();
	sched_ev = evtimer_new(sd.base, sched_timer, NULL);
	/* Firings come before any other work waiting in the loop. */
	event_priority_set(sched_ev, 0);
	sched_tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sched_tfd == -1)
		log_warn("timerfd: wall clock changes will not be noticed");
	else {
		sched_tfd_arm();
		sched_tfd_ev = event_new(sd.base, sched_tfd, EV_READ |
		    EV_PERSIST, sched_tfd_read, NULL);
		event_add(sched_tfd_ev, NULL);
	}
	sched_arm_timer();
}

void
sched_free(void)
{
	if (sched_tfd_ev != NULL)
		event_free(sched_tfd_ev);
	if (sched_tfd != -1)
		close(sched_tfd);
	if (sched_ev != NULL)
		event_free(sched_ev);
	sched_tfd_ev = NULL;
	sched_tfd = -1;
	sched_ev = NULL;
	sched_heap_free();
}

/*
 * A far-future absolute CLOCK_REALTIME timer that the kernel cancels
 * (read fails with ECANCELED) whenever the wall clock is set.
 */
static void
sched_tfd_arm(void)
{
	struct itimerspec	 its;

	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = sched_now_wall() + 100L * 365 * 86400;
	if (timerfd_settime(sched_tfd, TFD_TIMER_ABSTIME |
	    TFD_TIMER_CANCEL_ON_SET, &its, NULL) == -1)
		log_warn("timerfd_settime");
}

static void
sched_tfd_read(evutil_socket_t fd, short events, void *arg)
{
	uint64_t	 n;

	if (read(fd, &n, sizeof n) == -1 && errno == ECANCELED) {
		log_info("wall clock changed: recomputing cron and at times");
		sched_tfd_arm();
		sched_wall_changed();
		return;
	}
	sched_tfd_arm();
}

/*
 * How long until the wall clock shows wall, ns: 0 if it has, at most
 * SCHED_WAIT_MAX_NS.  Worked out in seconds first, so any time_t will do.
 */
static uint64_t
sched_wall_wait(time_t wall)
{
	struct timespec	 ts;

	sched_real_ts(&ts);
	if (wall <= ts.tv_sec)
		return (0);
	if ((uint64_t)(wall - ts.tv_sec) >= SCHED_WAIT_MAX_NS / NS)
		return (SCHED_WAIT_MAX_NS);
	return ((uint64_t)(wall - ts.tv_sec) * NS - (uint64_t)ts.tv_nsec);
}

/* Put a wall-clock firing (next_wall) in the heap, with jitter. */
static void
sched_arm_wall(struct job *j)
{
	j->nominal_ns = sched_mono_ns() + sched_wall_wait(j->next_wall_s);
	j->sched.due_ns = j->nominal_ns + sched_jitter(j);
	sched_heap_remove(&j->sched);
	sched_heap_push(&j->sched);
}

/* Put a monotonic firing (nominal) in the heap, with jitter. */
static void
sched_arm_mono(struct job *j)
{
	j->sched.due_ns = j->nominal_ns + sched_jitter(j);
	sched_heap_remove(&j->sched);
	sched_heap_push(&j->sched);
}

/*
 * Plan the first firing from now: at (passed: at once), the next cron
 * time, or one interval from now.
 */
static void
sched_start(struct job *j)
{
	time_t	 now = sched_now_wall();

	if (j->sched_ended || !jobdef_has_schedule(j->def))
		return;
	if (j->def->at != NULL && !j->at_done) {
		j->next_wall_s = j->at_time_s;
		sched_arm_wall(j);
	} else if (j->cron != NULL) {
		if (j->last_wall_s < now)
			j->last_wall_s = now;
		if (cron_next(j->cron, sched_tz(j), j->last_wall_s,
		    &j->next_wall_s) != 0) {
			log_warnx("job %s: no next time for \"%s\"", j->name,
			    j->def->cron);
			return;
		}
		sched_arm_wall(j);
	} else if (j->def->every_ms > 0) {
		j->nominal_ns = sched_mono_ns() + j->def->every_ms * MS;
		sched_arm_mono(j);
	} else
		return;
	sched_arm_timer();
}

/* Set up a new job's schedule (paused jobs are not armed). */
void
sched_job_init(struct job *j)
{
	char	*cause = NULL;
	int	 column;

	j->sched.kind = SCHED_JOB;
	j->sched.idx = SIZE_MAX;
	LIST_INIT(&j->retries);
	j->last_wall_s = sched_now_wall();
	if (j->def->cron != NULL && cron_parse(j->def->cron, &j->cron, &cause,
	    &column) != 0) {
		log_warnx("job %s: cron \"%s\": %s", j->name, j->def->cron,
		    cause);
		free(cause);
		j->cron = NULL;
	}
	if (j->def->at != NULL && at_parse(j->def->at, sched_tz(j),
	    j->last_wall_s, &j->at_time_s) != 0) {
		log_warnx("job %s: at \"%s\" is not a time", j->name,
		    j->def->at);
		j->at_done = 1;
	}
	sched_boot_define(j);
	if (!j->paused && !sd.loading)
		sched_start(j);
}

/*
 * After start-up has restored the saved state: firings due while the
 * daemon was down are counted as missed and, with catch_up, run once;
 * then every schedule is armed.
 */
void
sched_restore_all(void)
{
	struct job	*j;
	time_t		 now = sched_now_wall(), n, due;
	size_t		 missed;

	TAILQ_FOREACH(j, &sd.jobs, entry) {
		/* A boot seen while paused or ended is passed over. */
		if (sched_boot_due(j)) {
			if (!j->paused && !j->sched_ended &&
			    sched_trigger(j, TRIGGER_SCHEDULE))
				j->sched_runs++;
			if (j->def->max_runs > 0 &&
			    j->sched_runs >= j->def->max_runs)
				j->sched_ended = 1;
			state_job(j);
		}
		if (j->paused || j->sched_ended || !j->restored ||
		    !sched_wall_phase(j)) {
			if (!j->paused)
				sched_start(j);
			continue;
		}
		missed = 0;
		due = 0;
		if (j->cron != NULL) {
			n = j->last_wall_s;
			while (cron_next(j->cron, sched_tz(j), n, &n) == 0 &&
			    n <= now && missed < SCHED_MAX_MISSED) {
				due = n;
				missed++;
			}
		} else if (j->at_time_s <= now) {
			due = j->at_time_s;
			missed = 1;
			j->at_done = 1;
			if (j->def->every_ms == 0)
				j->sched_ended = 1;
		}
		if (missed > 0) {
			j->counters.missed += missed;
			log_info("job %s: %zu firing%s missed while schedd was "
			    "down%s", j->name, missed, missed == 1 ? "" : "s",
			    j->def->catch_up ? ", catching up once" : "");
			if (sched_catch_up(j, due))
				j->sched_runs++;
			if (j->def->max_runs > 0 &&
			    j->sched_runs >= j->def->max_runs)
				j->sched_ended = 1;
		}
		j->last_wall_s = now;
		sched_start(j);
		state_job(j);
	}
}

/*
 * Drop a job's schedule (removal or redefinition).  Pending retries stay:
 * they take the job's new definition when they run.
 */
void
sched_job_fini(struct job *j)
{
	sched_heap_remove(&j->sched);
	if (j->cron != NULL) {
		cron_free(j->cron);
		j->cron = NULL;
	}
	sched_arm_timer();
}

void
sched_pause(struct job *j)
{
	sched_heap_remove(&j->sched);
	sched_arm_timer();
}

/* Resume: the next run is computed from now. */
void
sched_resume(struct job *j)
{
	j->last_wall_s = sched_now_wall();
	sched_start(j);
}

/*
 * Queue a task for a firing, as on_overlap and the ban list say.  Returns
 * 1 if a task was queued.
 */
static int
sched_trigger(struct job *j, enum task_trigger trigger)
{
	struct task		*t;
	enum proto_error	 e;
	char			*cause;
	int			 overlap;

	overlap = j->nrunning >= job_concurrency(j);
	if (overlap && j->def->on_overlap == OVERLAP_SKIP) {
		j->counters.skipped++;
		log_info("job %s: still running, firing skipped", j->name);
		return (0);
	}
	if ((e = admit_task(j, j->def, j->uid, 0, &cause)) != PROTO_OK) {
		j->counters.skipped++;
		if (e == PROTO_BANNED || e == PROTO_BUSY)
			log_debug("job %s: firing dropped: %s", j->name, cause);
		else
			log_warnx("job %s: firing skipped: %s", j->name, cause);
		free(cause);
		return (0);
	}
	/* Replace only once the new task is certain to be queued. */
	if (overlap && j->def->on_overlap == OVERLAP_REPLACE) {
		t = TAILQ_FIRST(&j->running);
		if (t->stop == STOP_NONE) {
			log_info("job %s: replacing task %llu", j->name,
			    (unsigned long long)t->id);
			task_stop(t, 0, STOP_REPLACE);
		}
	}
	queue_push(j, trigger, j->uid);
	queue_dispatch_soon();
	return (1);
}

/*
 * Catch up once (catch_up) for a firing that was due at due and missed,
 * unless that is already further past than the job's start_deadline:
 * then it stays missed.  Returns 1 if a task was queued.
 */
static int
sched_catch_up(struct job *j, time_t due)
{
	uint64_t	 limit = j->def->start_deadline_ms;
	time_t		 now = sched_now_wall();

	if (!j->def->catch_up)
		return (0);
	if (limit > 0 && now > due && (uint64_t)(now - due) * 1000 > limit) {
		log_info("job %s: no catch-up: its firing is past its "
		    "start_deadline", j->name);
		return (0);
	}
	return (sched_trigger(j, TRIGGER_CATCH_UP));
}

/* A job's firing is due. */
static void
sched_fire_job(struct job *j, uint64_t mono)
{
	uint64_t	 wait, jitter;

	if (sched_wall_phase(j)) {
		/*
		 * The wall clock has the last word: never early.  Early
		 * means the clocks drifted apart or the wait was longer
		 * than SCHED_WAIT_MAX_NS: wait the rest, with the same
		 * jitter.
		 */
		if ((wait = sched_wall_wait(j->next_wall_s)) > 0) {
			jitter = j->sched.due_ns > j->nominal_ns ?
			    j->sched.due_ns - j->nominal_ns : 0;
			j->nominal_ns = mono + wait;
			j->sched.due_ns = j->nominal_ns + jitter;
			sched_heap_push(&j->sched);
			return;
		}
	}
	if (sched_trigger(j, TRIGGER_SCHEDULE))
		j->sched_runs++;
	sched_fire_next(j, mono);
	state_job(j);
}

/* Plan the firing after the one just handled. */
static void
sched_fire_next(struct job *j, uint64_t mono)
{
	uint64_t	 every = j->def->every_ms * MS;
	time_t		 n;
	size_t		 missed = 0;
	int		 was_at;

	if (j->def->max_runs > 0 && j->sched_runs >= j->def->max_runs) {
		j->sched_ended = 1;
		if (j->def->at != NULL)
			j->at_done = 1;
		log_info("job %s: max_runs reached, schedule ended", j->name);
		sched_maybe_auto_remove(j);
		return;
	}

	was_at = j->def->at != NULL && !j->at_done;
	if (was_at) {
		j->at_done = 1;
		j->last_wall_s = j->next_wall_s;
		if (j->def->every_ms == 0) {
			j->sched_ended = 1;
			sched_maybe_auto_remove(j);
			return;
		}
		j->nominal_ns = mono + every;
		sched_arm_mono(j);
		return;
	}
	if (j->cron != NULL) {
		j->last_wall_s = j->next_wall_s;
		n = j->next_wall_s;
		for (;;) {
			if (cron_next(j->cron, sched_tz(j), n, &n) != 0) {
				log_warnx("job %s: no next time", j->name);
				return;
			}
			if (n > sched_now_wall() || missed >= SCHED_MAX_MISSED)
				break;
			missed++;
		}
		j->counters.missed += missed;
		j->next_wall_s = n;
		sched_arm_wall(j);
		return;
	}
	/* every: drift-free, but no burst after a stall */
	j->nominal_ns += every;
	while (j->nominal_ns <= mono) {
		j->nominal_ns += every;
		j->counters.missed++;
	}
	sched_arm_mono(j);
}

static void
sched_timer(evutil_socket_t fd, short events, void *arg)
{
	sched_expire();
}

/* Is a firing due within ns from now? */
int
sched_due_within(uint64_t ns)
{
	struct sched_ent	*e;

	return ((e = sched_heap_top()) != NULL &&
	    e->due_ns <= sched_mono_ns() + ns);
}

/*
 * Fire what has come due while the loop is busy with a long piece of
 * work (a batch of spawns): timers need not wait for its end.
 */
void
sched_poll(void)
{
	struct sched_ent	*e;

	if ((e = sched_heap_top()) != NULL && e->due_ns <= sched_mono_ns())
		sched_expire();
}

/* Run everything that is due now, then arm the timer for the next. */
void
sched_expire(void)
{
	struct sched_ent	*e;
	uint64_t		 now, late;

	/* The clock is read per entry: handling one delays the next. */
	while ((e = sched_heap_top()) != NULL &&
	    e->due_ns <= (now = sched_mono_ns())) {
		sched_heap_remove(e);
		late = (now - e->due_ns) / 1000;
		sched_late[sched_nlate++ % SCHED_LATE_SAMPLES] =
		    late > UINT32_MAX ? UINT32_MAX : (uint32_t)late;
		sched_late_sum += late;
		sched_fired++;
		if (e->kind == SCHED_RETRY)
			sched_retry_fire((struct retry *)e);
		else
			sched_fire_job((struct job *)((char *)e -
			    offsetof(struct job, sched)), now);
	}
	sched_arm_timer();
}

/*
 * The wall clock was set: every cron and at time is recomputed.  Times a
 * forward jump passed are counted as missed (and run once with catch_up);
 * after a backward jump the next time stays, so none fires twice.
 */
void
sched_wall_changed(void)
{
	struct job	*j;
	time_t		 now = sched_now_wall(), n, due;
	size_t		 missed;

	TAILQ_FOREACH(j, &sd.jobs, entry) {
		if (j->sched.idx == SIZE_MAX || !sched_wall_phase(j))
			continue;
		if (j->next_wall_s > now) {
			sched_arm_wall(j);
			continue;
		}
		missed = 1;
		due = j->next_wall_s;
		if (j->cron != NULL) {
			n = j->next_wall_s;
			while (cron_next(j->cron, sched_tz(j), n, &n) == 0 &&
			    n <= now && missed < SCHED_MAX_MISSED) {
				due = n;
				missed++;
			}
			j->next_wall_s = n;
			j->last_wall_s = now;
		}
		j->counters.missed += missed;
		log_info("job %s: %zu firing%s missed by the clock change%s",
		    j->name, missed, missed == 1 ? "" : "s",
		    j->def->catch_up ? ", catching up once" : "");
		if (sched_catch_up(j, due))
			j->sched_runs++;
		if (j->def->max_runs > 0 && j->sched_runs >= j->def->max_runs) {
			sched_heap_remove(&j->sched);
			j->sched_ended = 1;
			sched_maybe_auto_remove(j);
			continue;
		}
		state_job(j);
		if (j->cron != NULL) {
			sched_arm_wall(j);
			continue;
		}
		/* a passed at */
		j->at_done = 1;
		sched_heap_remove(&j->sched);
		if (j->def->every_ms > 0) {
			j->nominal_ns = sched_mono_ns() + j->def->every_ms * MS;
			sched_arm_mono(j);
		} else {
			j->sched_ended = 1;
			sched_maybe_auto_remove(j);
		}
	}
	sched_arm_timer();
}

/*
 * A runtime job with auto_remove whose schedule has ended goes once its
 * last task has ended; removal waits for the loop's next turn since this
 * runs inside the task's own end.
 */
void
sched_maybe_auto_remove(struct job *j)
{
	struct timeval	 tv = { 0, 0 };

	if (!j->sched_ended || !j->def->auto_remove || j->removed ||
	    j->origin != ORIGIN_RUNTIME || j->nqueued > 0 || j->nrunning > 0 ||
	    !LIST_EMPTY(&j->retries))
		return;
	event_base_once(sd.base, -1, EV_TIMEOUT, sched_auto_remove,
	    xstrdup(j->name), &tv);
}

static void
sched_auto_remove(evutil_socket_t fd, short events, void *arg)
{
	struct job	*j;
	char		*name = arg;

	if ((j = job_find(name)) != NULL && j->sched_ended &&
	    j->def->auto_remove && j->nqueued == 0 && j->nrunning == 0 &&
	    LIST_EMPTY(&j->retries)) {
		log_info("job %s: schedule ended, removed (auto_remove)",
		    j->name);
		job_remove(j, NULL, NULL, JOB_KEEP_RUNNING);
	}
	free(name);
}

/* Lateness of recent timer firings, for "status": microseconds. */
static int
sched_late_cmp(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The lateness of the recent firings (the last SCHED_LATE_SAMPLES), in
 * microseconds, for "status" and "metrics" (schedd.8): its quantiles,
 * and the sum and count of every firing since start.
 */
void
sched_late_stats(struct sched_late *sl)
{
	uint32_t	*v;
	size_t		 n = sched_nlate < SCHED_LATE_SAMPLES ? sched_nlate :
			    SCHED_LATE_SAMPLES;

	memset(sl, 0, sizeof *sl);
	sl->fired = sched_fired;
	sl->sum_us = sched_late_sum;
	sl->samples = n;
	if (n == 0)
		return;
	v = xreallocarray(NULL, n, sizeof *v);
	memcpy(v, sched_late, n * sizeof *v);
	qsort(v, n, sizeof *v, sched_late_cmp);
	sl->p50_us = v[n / 2];
	sl->p90_us = v[n * 9 / 10];
	sl->p99_us = v[n * 99 / 100];
	sl->max_us = v[n - 1];
	free(v);
}

json_t *
sched_stats(void)
{
	struct sched_late	 sl;
	json_t			*o;

	sched_late_stats(&sl);
	o = json_pack("{s:I,s:I,s:n,s:n,s:n,s:I}", "fired",
	    (json_int_t)sl.fired, "armed", (json_int_t)sched_heap.n,
	    "late_p50_us", "late_p99_us", "late_max_us", "samples",
	    (json_int_t)sl.samples);
	if (sl.samples == 0)
		return (o);
	json_object_set_new(o, "late_p50_us", json_integer(sl.p50_us));
	json_object_set_new(o, "late_p99_us", json_integer(sl.p99_us));
	json_object_set_new(o, "late_max_us", json_integer(sl.max_us));
	return (o);
}
