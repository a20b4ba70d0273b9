/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: the scheduler with an injected clock (no sleeping) -- every,
 * cron, at, jitter, max_runs, overlap, retries, pause/resume, wall-clock
 * jumps, and that "next" previews exactly what the timers then do.
 * Tasks stay queued (max_running 0), so no process is started.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cron.h"
#include "log.h"
#include "schedd.h"
#include "unit.h"
#include "util.h"

#define NS	1000000000ULL

static uint64_t		 fake_mono;
static struct timespec	 fake_real;

static uint64_t
fake_mono_ns(void)
{
	return (fake_mono);
}

static void
fake_real_ts(struct timespec *ts)
{
	*ts = fake_real;
}

/* Move both clocks forward together, as time passing does. */
static void
advance_ms(uint64_t ms)
{
	fake_mono += ms * 1000000;
	fake_real.tv_sec += (time_t)(ms / 1000);
	fake_real.tv_nsec += (long)(ms % 1000) * 1000000;
	if (fake_real.tv_nsec >= 1000000000) {
		fake_real.tv_sec++;
		fake_real.tv_nsec -= 1000000000;
	}
	sched_expire();
}

/* Set only the wall clock, as settimeofday does. */
static void
set_wall(time_t t)
{
	fake_real.tv_sec = t;
	fake_real.tv_nsec = 0;
	sched_wall_changed();
}

static void
setup(time_t wall)
{
	daemon_init();
	log_init("test", LOGLEVEL_ERROR, 0);
	sd.settings.max_running = 0;		/* nothing starts */
	sd.settings.timezone = strdup("UTC");
	fake_mono = 1000 * NS;
	fake_real.tv_sec = wall;
	fake_real.tv_nsec = 0;
	sched_mono_ns = fake_mono_ns;
	sched_real_ts = fake_real_ts;
	sd.base = event_base_new();
	sched_init();
}

static struct job *
mkjob(const char *yamlish_json)
{
	struct jobdef	*def;
	json_error_t	 err;
	json_t		*o;
	char		*cause = NULL;

	o = json_loads(yamlish_json, 0, &err);
	ck_assert_msg(o != NULL, "bad test JSON: %s", err.text);
	ck_assert_msg(jobdef_from_json(o, &def, &cause) == 0, "%s", cause);
	json_decref(o);
	return (job_create(def, ORIGIN_RUNTIME, 0));
}

/* 2026-01-05 12:02:30 UTC, a Monday. */
#define T0	((time_t)1767614550)

START_TEST(test_every)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"e\",\"command\":\"true\",\"every\":\"10s\"}");
	advance_ms(9999);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 1);
	advance_ms(10000);
	ck_assert_uint_eq(j->nqueued, 2);
	/* a stall of 35s: one firing, the skipped ones counted, no burst */
	advance_ms(35000);
	ck_assert_uint_eq(j->nqueued, 3);
	ck_assert_uint_eq(j->counters.missed, 2);
	/* and the next stays on the 10s grid */
	advance_ms(4999);
	ck_assert_uint_eq(j->nqueued, 3);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 4);
	ck_assert_int_eq(TAILQ_FIRST(&j->queue)->trigger, TRIGGER_SCHEDULE);
}
END_TEST

START_TEST(test_cron)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"c\",\"command\":\"true\","
	    "\"cron\":\"*/5 * * * *\"}");
	ck_assert_int_eq(j->next_wall_s, T0 + 150);	/* 12:05:00 */
	advance_ms(149999);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 1);
	ck_assert_int_eq(j->next_wall_s, T0 + 450);	/* 12:10:00 */
}
END_TEST

START_TEST(test_never_early_on_wall_clock)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"c\",\"command\":\"true\","
	    "\"cron\":\"*/5 * * * *\"}");
	/* the monotonic clock gets there first: the wall clock decides */
	fake_mono += 150 * NS;
	fake_real.tv_sec += 149;
	sched_expire();
	ck_assert_uint_eq(j->nqueued, 0);
	fake_mono += NS;
	fake_real.tv_sec += 1;
	sched_expire();
	ck_assert_uint_eq(j->nqueued, 1);
}
END_TEST

START_TEST(test_at)
{
	struct job	*j, *p;

	setup(T0);
	j = mkjob("{\"name\":\"a\",\"command\":\"true\","
	    "\"at\":\"2026-01-05T12:03:00Z\"}");
	advance_ms(29999);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 1);
	ck_assert(j->at_done);
	advance_ms(86400 * 1000ULL);
	ck_assert_uint_eq(j->nqueued, 1);		/* never again */

	/* a time already passed when loaded runs at once */
	p = mkjob("{\"name\":\"p\",\"command\":\"true\","
	    "\"at\":\"2020-01-01T00:00:00Z\"}");
	advance_ms(0);
	ck_assert_uint_eq(p->nqueued, 1);
}
END_TEST

START_TEST(test_at_then_every)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"a\",\"command\":\"true\",\"every\":\"1m\","
	    "\"at\":\"2026-01-05T12:03:00Z\"}");
	advance_ms(29000);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1000);
	ck_assert_uint_eq(j->nqueued, 1);
	advance_ms(59999);
	ck_assert_uint_eq(j->nqueued, 1);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 2);
}
END_TEST

START_TEST(test_max_runs)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"m\",\"command\":\"true\",\"every\":\"1s\","
	    "\"max_runs\":2}");
	advance_ms(1000);
	advance_ms(1000);
	advance_ms(1000);
	advance_ms(1000);
	ck_assert_uint_eq(j->nqueued, 2);
	ck_assert(j->sched_ended);
	ck_assert(json_is_null(sched_next_run(j)));
}
END_TEST

START_TEST(test_jitter)
{
	struct job	*j;
	uint64_t	 base;
	int		 i, spread = 0;

	setup(T0);
	for (i = 0; i < 50; i++) {
		char	 buf[128];

		snprintf(buf, sizeof buf, "{\"name\":\"j%d\",\"command\":"
		    "\"true\",\"every\":\"10s\",\"jitter\":\"5s\"}", i);
		j = mkjob(buf);
		base = fake_mono + 10 * NS;
		ck_assert_uint_ge(j->sched.due_ns, base);
		ck_assert_uint_lt(j->sched.due_ns, base + 5 * NS);
		if (j->sched.due_ns != base)
			spread++;
	}
	ck_assert_int_gt(spread, 40);
}
END_TEST

START_TEST(test_overlap_skip)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"s\",\"command\":\"true\",\"every\":\"1s\","
	    "\"on_overlap\":\"skip\"}");
	j->nrunning = 1;		/* as if a task were running */
	advance_ms(1000);
	ck_assert_uint_eq(j->nqueued, 0);
	ck_assert_uint_eq(j->counters.skipped, 1);
	j->nrunning = 0;
	advance_ms(1000);
	ck_assert_uint_eq(j->nqueued, 1);
}
END_TEST

START_TEST(test_overlap_queue_and_ban)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"q\",\"command\":\"true\",\"every\":\"1s\"}");
	j->nrunning = 1;
	advance_ms(1000);
	ck_assert_uint_eq(j->nqueued, 1);	/* queue is the default */
	j->nrunning = 0;
	ban_add("q*", "test", 0, 0);
	advance_ms(1000);
	ck_assert_uint_eq(j->nqueued, 1);
	ck_assert_uint_eq(j->counters.skipped, 1);
}
END_TEST

START_TEST(test_pause_resume)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"p\",\"command\":\"true\",\"every\":\"10s\"}");
	advance_ms(5000);
	sched_pause(j);
	j->paused = 1;
	advance_ms(60000);
	ck_assert_uint_eq(j->nqueued, 0);
	ck_assert(json_is_null(sched_next_run(j)));
	j->paused = 0;
	sched_resume(j);
	/* recomputed from now: 10s after the resume */
	advance_ms(9999);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 1);
}
END_TEST

START_TEST(test_enabled_false)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"d\",\"command\":\"true\",\"every\":\"1s\","
	    "\"enabled\":false}");
	ck_assert(j->paused);
	advance_ms(5000);
	ck_assert_uint_eq(j->nqueued, 0);
}
END_TEST

START_TEST(test_clock_forward)
{
	struct job	*j, *k;

	setup(T0);
	j = mkjob("{\"name\":\"c\",\"command\":\"true\","
	    "\"cron\":\"*/5 * * * *\"}");
	k = mkjob("{\"name\":\"k\",\"command\":\"true\","
	    "\"cron\":\"*/5 * * * *\",\"catch_up\":true}");
	/* 12:02:30 -> 14:02:30: 24 firings passed (12:05 ... 14:00) */
	set_wall(T0 + 7200);
	advance_ms(0);
	ck_assert_uint_eq(j->counters.missed, 24);
	ck_assert_uint_eq(j->nqueued, 0);
	ck_assert_uint_eq(k->counters.missed, 24);
	ck_assert_uint_eq(k->nqueued, 1);		/* once, not 24 */
	ck_assert_int_eq(TAILQ_FIRST(&k->queue)->trigger, TRIGGER_CATCH_UP);
	ck_assert_int_eq(j->next_wall_s, T0 + 7200 + 150);
	advance_ms(150000);
	ck_assert_uint_eq(j->nqueued, 1);
}
END_TEST

START_TEST(test_clock_backward)
{
	struct job	*j;

	setup(T0);
	j = mkjob("{\"name\":\"c\",\"command\":\"true\","
	    "\"cron\":\"*/5 * * * *\"}");
	advance_ms(150000);			/* 12:05:00 fired */
	ck_assert_uint_eq(j->nqueued, 1);
	/* back to 12:01:00: 12:05 must not fire a second time */
	set_wall(T0 - 90);
	advance_ms(240000);			/* 12:05:00 again */
	ck_assert_uint_eq(j->nqueued, 1);
	advance_ms(300000);			/* 12:10:00 */
	ck_assert_uint_eq(j->nqueued, 2);
	ck_assert_uint_eq(j->counters.missed, 0);
}
END_TEST

START_TEST(test_retries)
{
	struct job	*j;
	struct task	*t, *r;

	setup(T0);
	j = mkjob("{\"name\":\"r\",\"command\":\"true\",\"retries\":2,"
	    "\"retry_delay\":\"30s\"}");
	t = queue_push(j, TRIGGER_MANUAL, 1000);
	queue_remove(t);
	t->def = jobdef_ref(j->def);	/* as task_begin does */
	t->state = TASK_FAILED;
	TAILQ_INSERT_TAIL(&j->history, t, entry);
	j->nhistory++;
	sched_task_ended(t);
	advance_ms(29999);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 1);
	r = TAILQ_FIRST(&j->queue);
	ck_assert_int_eq(r->trigger, TRIGGER_RETRY);
	ck_assert_uint_eq(r->attempt, 2);
	ck_assert_uint_eq(r->uid, 1000);

	/* the last allowed attempt is not retried again */
	queue_remove(r);
	r->def = jobdef_ref(j->def);
	r->state = TASK_TIMEOUT;
	r->attempt = 3;
	TAILQ_INSERT_TAIL(&j->history, r, entry);
	j->nhistory++;
	sched_task_ended(r);
	advance_ms(60000);
	ck_assert_uint_eq(j->nqueued, 0);
	ck_assert(LIST_EMPTY(&j->retries));
}
END_TEST

START_TEST(test_preview_is_the_truth)
{
	struct job	*j;
	int64_t		 v[8];
	size_t		 n, i;

	setup(T0);
	j = mkjob("{\"name\":\"c\",\"command\":\"true\","
	    "\"cron\":\"7,31 */3 * * *\"}");
	ck_assert_int_eq(sched_preview(j, (int64_t)T0 * 1000, 8, v, &n), 0);
	ck_assert_uint_eq(n, 8);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq((int64_t)j->next_wall_s * 1000, v[i]);
		advance_ms((uint64_t)(j->next_wall_s - fake_real.tv_sec) *
		    1000);
		ck_assert_uint_eq(j->nqueued, i + 1);
	}

	j = mkjob("{\"name\":\"e\",\"command\":\"true\",\"every\":\"90s\","
	    "\"max_runs\":3}");
	ck_assert_int_eq(sched_preview(j, (int64_t)fake_real.tv_sec * 1000,
	    8, v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[0], (int64_t)(fake_real.tv_sec + 90) * 1000);
	ck_assert_int_eq(v[2] - v[1], 90000);
}
END_TEST

START_TEST(test_burst_loses_nothing)
{
	struct job	*j[1000];
	int		 i;

	setup(T0);
	for (i = 0; i < 1000; i++) {
		char	 buf[128];

		snprintf(buf, sizeof buf, "{\"name\":\"b%d\",\"command\":"
		    "\"true\",\"cron\":\"* * * * *\",\"queue_limit\":5}", i);
		j[i] = mkjob(buf);
	}
	sd.settings.max_queued = 100000;
	advance_ms(30000);			/* 12:03:00 */
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(j[i]->nqueued, 1);
	ck_assert_uint_eq(sd.nqueued, 1000);
}
END_TEST

/* The instant of a next_run value (NULL-safe: -1 for null). */
static time_t
next_run_sec(const struct job *j)
{
	struct timespec	 ts;
	json_t		*v = sched_next_run(j);

	if (json_is_null(v)) {
		json_decref(v);
		return (-1);
	}
	ck_assert_int_eq(time_parse(json_string_value(v), 0, &ts), 0);
	json_decref(v);
	return (ts.tv_sec);
}

/*
 * Times up to 9999-12-31 UTC: an "at" far beyond what uint64 ns hold
 * (2554) is shown and previewed exactly, and its timer is armed as a long
 * wait that, when it runs out, checks the wall clock again: never early.
 * A cron job near the end previews what it finds, then ends.
 */
START_TEST(test_far_future)
{
	const time_t	 end = (time_t)253402214400LL;	/* 9999-12-31 */
	struct job	*j;
	int64_t		 v[1000];
	size_t		 n, i;

	setup(T0);
	j = mkjob("{\"name\":\"far\",\"command\":\"true\","
	    "\"at\":\"9999-12-31T00:00:00Z\"}");
	ck_assert_int_eq(j->next_wall_s, end);
	ck_assert_int_eq(next_run_sec(j), end);
	ck_assert_int_eq(sched_preview(j, -1, 5, v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0], (int64_t)end * 1000);
	/* 201 years pass: the long wait ran out, the wall clock said no. */
	advance_ms((uint64_t)201 * 365 * 86400 * 1000);
	ck_assert_uint_eq(j->nqueued, 0);
	ck_assert_uint_ne(j->sched.idx, SIZE_MAX);
	ck_assert_int_eq(next_run_sec(j), end);
	/* The clock set to the day before: it fires a day later. */
	set_wall(end - 86400);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(86400 * 1000 - 1);
	ck_assert_uint_eq(j->nqueued, 0);
	advance_ms(1);
	ck_assert_uint_eq(j->nqueued, 1);

	/* The last minutes of 9999: nine left of a thousand asked for. */
	set_wall(end + 86400 - 600);			/* 23:50:00 */
	j = mkjob("{\"name\":\"last\",\"command\":\"true\","
	    "\"cron\":\"* * * * *\"}");
	ck_assert_int_eq(next_run_sec(j), end + 86400 - 540);
	ck_assert_int_eq(sched_preview(j, -1, 1000, v, &n), 0);
	ck_assert_uint_eq(n, 9);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(v[i], (int64_t)(end + 86400 - 540 + 60 *
		    (time_t)i) * 1000);
	ck_assert_int_eq(sched_preview(j, (int64_t)(end + 86400 - 1) * 1000,
	    1000, v, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* The last one fires, and then there is no next time. */
	for (i = 0; i < 10; i++)
		advance_ms(60 * 1000);
	ck_assert_uint_eq(j->nqueued, 9);
	ck_assert_uint_eq(j->counters.missed, 0);
	ck_assert_int_eq(next_run_sec(j), -1);
}
END_TEST

/*
 * "next" starts where next_run is: after the wall clock was set back, the
 * armed firing stays (nothing fires twice), and the preview shows it, not
 * the earlier time the expression alone would give.
 */
START_TEST(test_preview_is_next_run)
{
	struct job	*j;
	int64_t		 v[3];
	size_t		 n;

	setup(T0);
	j = mkjob("{\"name\":\"c\",\"command\":\"true\","
	    "\"cron\":\"0 13 * * *\"}");
	ck_assert_int_eq(next_run_sec(j), T0 + 3450);	/* 13:00 */
	set_wall(T0 - 86400);
	ck_assert_int_eq(next_run_sec(j), T0 + 3450);
	ck_assert_int_eq(sched_preview(j, -1, 3, v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[0], (int64_t)(T0 + 3450) * 1000);
	ck_assert_int_eq(v[1], (int64_t)(T0 + 3450 + 86400) * 1000);
	/* An explicit "from" asks about the expression alone. */
	ck_assert_int_eq(sched_preview(j, (int64_t)(T0 - 86400) * 1000, 3, v,
	    &n), 0);
	ck_assert_int_eq(v[0], (int64_t)(T0 + 3450 - 86400) * 1000);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sched");
	TCase	*tc = tcase_create("sched");

	tcase_add_test(tc, test_every);
	tcase_add_test(tc, test_cron);
	tcase_add_test(tc, test_never_early_on_wall_clock);
	tcase_add_test(tc, test_at);
	tcase_add_test(tc, test_at_then_every);
	tcase_add_test(tc, test_max_runs);
	tcase_add_test(tc, test_jitter);
	tcase_add_test(tc, test_overlap_skip);
	tcase_add_test(tc, test_overlap_queue_and_ban);
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_enabled_false);
	tcase_add_test(tc, test_clock_forward);
	tcase_add_test(tc, test_clock_backward);
	tcase_add_test(tc, test_retries);
	tcase_add_test(tc, test_preview_is_the_truth);
	tcase_add_test(tc, test_burst_loses_nothing);
	tcase_add_test(tc, test_far_future);
	tcase_add_test(tc, test_preview_is_next_run);
	suite_add_tcase(s, tc);
	return (unit_run(s, 0));
}
