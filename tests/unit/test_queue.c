/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: queue ordering with job concurrency, max_running, priority,
 * queue_limit and max_queued, without starting any process.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "schedd.h"
#include "unit.h"
#include "xmalloc.h"

static void
setup(void)
{
	daemon_init();
	log_init("test", LOGLEVEL_ERROR, 0);
}

static struct job *
mkjob(const char *name, int concurrency, int priority, int queue_limit)
{
	struct jobdef	*def;
	json_t		*o;
	char		*cause = NULL;

	o = json_pack("{s:s,s:[s],s:i,s:i}", "name", name, "command", "true",
	    "concurrency", concurrency, "priority", priority);
	if (queue_limit >= 0)
		json_object_set_new(o, "queue_limit",
		    json_integer(queue_limit));
	ck_assert_msg(jobdef_from_json(o, &def, &cause) == 0, "%s", cause);
	json_decref(o);
	return (job_create(def, ORIGIN_CONFIG, 0));
}

/* What queue_dispatch does, minus the process. */
static struct task *
start_next(void)
{
	struct task	*t;

	if ((t = queue_pick()) == NULL)
		return (NULL);
	queue_remove(t);
	t->state = TASK_RUNNING;
	TAILQ_INSERT_TAIL(&t->job->running, t, entry);
	t->job->nrunning++;
	sd.nrunning++;
	queue_update(t->job);
	return (t);
}

static void
finish(struct task *t)
{
	TAILQ_REMOVE(&t->job->running, t, entry);
	t->job->nrunning--;
	sd.nrunning--;
	queue_update(t->job);
	t->state = TASK_SUCCEEDED;
	TAILQ_INSERT_TAIL(&t->job->history, t, entry);
	t->job->nhistory++;
}

/* A task of job j queued after task dep (run --after). */
static struct task *
push_after(struct job *j, struct task *dep)
{
	struct task_params	 p;

	memset(&p, 0, sizeof p);
	p.after = xcalloc(1, sizeof *p.after);
	p.after[0] = dep->id;
	p.nafter = 1;
	return (queue_push_params(j, TRIGGER_MANUAL, 0, &p));
}

/*
 * A waiting task holds no slot and tasks of its job queued after it pass
 * it; once released it goes before those still queued after it.
 */
START_TEST(test_waiting_passed)
{
	struct job	*a, *b;
	struct task	*d, *w, *t3, *t4;

	setup();
	sd.settings.max_running = 2;
	a = mkjob("a", 1, 0, -1);
	b = mkjob("b", 1, 0, -1);
	d = queue_push(b, TRIGGER_MANUAL, 0);
	ck_assert_ptr_eq(start_next(), d);
	w = push_after(a, d);
	t3 = queue_push(a, TRIGGER_MANUAL, 0);
	t4 = queue_push(a, TRIGGER_MANUAL, 0);
	ck_assert_uint_eq(w->nwait, 1);
	ck_assert_uint_eq(a->nqueued, 3);
	ck_assert_ptr_eq(start_next(), t3);
	ck_assert_ptr_null(start_next());
	finish(t3);
	finish(d);
	dep_ended(d);
	ck_assert_uint_eq(w->nwait, 0);
	ck_assert_ptr_eq(start_next(), w);
	finish(w);
	ck_assert_ptr_eq(start_next(), t4);
}
END_TEST

START_TEST(test_same_job_fifo)
{
	struct job	*a;
	struct task	*t1, *t2, *t3, *s;

	setup();
	a = mkjob("a", 1, 0, -1);
	t1 = queue_push(a, TRIGGER_MANUAL, 0);
	t2 = queue_push(a, TRIGGER_MANUAL, 0);
	t3 = queue_push(a, TRIGGER_MANUAL, 0);
	ck_assert_ptr_eq(start_next(), t1);
	/* concurrency 1: nothing else may start while t1 runs */
	ck_assert_ptr_null(start_next());
	finish(t1);
	ck_assert_ptr_eq((s = start_next()), t2);
	finish(s);
	ck_assert_ptr_eq(start_next(), t3);
	ck_assert_uint_eq(sd.nqueued, 0);
}
END_TEST

START_TEST(test_different_jobs_parallel)
{
	struct job	*a, *b;
	struct task	*ta, *tb;

	setup();
	a = mkjob("a", 1, 0, -1);
	b = mkjob("b", 1, 0, -1);
	ta = queue_push(a, TRIGGER_MANUAL, 0);
	tb = queue_push(b, TRIGGER_MANUAL, 0);
	ck_assert_ptr_eq(start_next(), ta);
	ck_assert_ptr_eq(start_next(), tb);
	ck_assert_uint_eq(sd.nrunning, 2);
}
END_TEST

START_TEST(test_concurrency)
{
	struct job	*a;
	int		 i;

	setup();
	a = mkjob("a", 3, 0, -1);
	for (i = 0; i < 5; i++)
		queue_push(a, TRIGGER_MANUAL, 0);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(start_next());
	ck_assert_ptr_null(start_next());
	ck_assert_uint_eq(a->nrunning, 3);
	ck_assert_uint_eq(a->nqueued, 2);
}
END_TEST

START_TEST(test_max_running_priority)
{
	struct job	*lo, *hi, *mid;
	struct task	*l1, *h1, *m1, *first;

	setup();
	sd.settings.max_running = 1;
	lo = mkjob("lo", 1, 0, -1);
	hi = mkjob("hi", 1, 10, -1);
	mid = mkjob("mid", 1, 5, -1);
	l1 = queue_push(lo, TRIGGER_MANUAL, 0);
	first = start_next();
	ck_assert_ptr_eq(first, l1);
	m1 = queue_push(mid, TRIGGER_MANUAL, 0);
	h1 = queue_push(hi, TRIGGER_MANUAL, 0);
	queue_push(lo, TRIGGER_MANUAL, 0);
	ck_assert_ptr_null(start_next());	/* no global slot */
	finish(first);
	ck_assert_ptr_eq((first = start_next()), h1);
	finish(first);
	ck_assert_ptr_eq((first = start_next()), m1);
	finish(first);
	ck_assert_ptr_eq(start_next()->job, lo);
}
END_TEST

START_TEST(test_ties_in_queue_order)
{
	struct job	*a, *b, *c;
	struct task	*tb, *tc, *ta, *t;

	setup();
	sd.settings.max_running = 1;
	a = mkjob("a", 1, 0, -1);
	b = mkjob("b", 1, 0, -1);
	c = mkjob("c", 1, 0, -1);
	t = queue_push(a, TRIGGER_MANUAL, 0);
	ck_assert_ptr_eq(start_next(), t);
	tc = queue_push(c, TRIGGER_MANUAL, 0);
	tb = queue_push(b, TRIGGER_MANUAL, 0);
	ta = queue_push(a, TRIGGER_MANUAL, 0);
	finish(t);
	ck_assert_ptr_eq((t = start_next()), tc);
	finish(t);
	ck_assert_ptr_eq((t = start_next()), tb);
	finish(t);
	ck_assert_ptr_eq(start_next(), ta);
}
END_TEST

START_TEST(test_busy_job_does_not_starve)
{
	struct job	*busy, *other;
	struct task	*t, *o;
	int		 i, started = 0;

	setup();
	sd.settings.max_running = 2;
	busy = mkjob("busy", 2, 0, 100);
	other = mkjob("other", 1, 0, -1);
	for (i = 0; i < 5; i++)
		queue_push(busy, TRIGGER_MANUAL, 0);
	o = queue_push(other, TRIGGER_MANUAL, 0);
	/* busy keeps queueing after o: those must not jump ahead of it */
	for (i = 0; i < 50; i++)
		queue_push(busy, TRIGGER_MANUAL, 0);
	while ((t = start_next()) != NULL) {
		started++;
		if (t == o)
			break;
		if (sd.nrunning == sd.settings.max_running)
			finish(TAILQ_FIRST(&busy->running));
	}
	ck_assert_ptr_eq(t, o);
	ck_assert_int_eq(started, 6);
}
END_TEST

START_TEST(test_queue_limits)
{
	struct job	*a, *b;
	char		*cause = NULL;

	setup();
	a = mkjob("a", 1, 0, 2);
	ck_assert_int_eq(admit_task(a, a->def, 0, 0, &cause), PROTO_OK);
	queue_push(a, TRIGGER_MANUAL, 0);
	queue_push(a, TRIGGER_MANUAL, 0);
	ck_assert_int_eq(admit_task(a, a->def, 0, 0, &cause),
	    PROTO_QUEUE_FULL);
	ck_assert_ptr_nonnull(strstr(cause, "queue_limit"));
	free(cause);
	cause = NULL;

	sd.settings.max_queued = 3;
	b = mkjob("b", 1, 0, -1);
	ck_assert_int_eq(admit_task(b, b->def, 0, 0, &cause), PROTO_OK);
	queue_push(b, TRIGGER_MANUAL, 0);
	ck_assert_int_eq(admit_task(b, b->def, 0, 0, &cause),
	    PROTO_QUEUE_FULL);
	ck_assert_ptr_nonnull(strstr(cause, "max_queued"));
	free(cause);
	/* the default per-job limit comes from the settings */
	ck_assert_uint_eq(job_queue_limit(b), sd.settings.queue_limit);
}
END_TEST

/* Queued tasks per non-admin uid are bounded; admins are not. */
START_TEST(test_queue_per_user_quota)
{
	struct job	*a, *b;
	char		*cause = NULL;
	uid_t		 user = 4242;

	setup();
	if (sd.uid == user)
		user++;
	sd.settings.max_queued_per_user = 2;
	a = mkjob("a", 1, 0, -1);
	b = mkjob("b", 1, 0, -1);
	queue_push(a, TRIGGER_MANUAL, user);
	queue_push(b, TRIGGER_MANUAL, user);
	ck_assert_int_eq(admit_task(a, a->def, user, 0, &cause),
	    PROTO_QUOTA_EXCEEDED);
	ck_assert_ptr_nonnull(strstr(cause, "max_queued_per_user 2"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(admit_task(a, a->def, sd.uid, 0, &cause), PROTO_OK);
	/* a task leaving its queue gives its place back */
	queue_remove(TAILQ_FIRST(&a->queue));
	ck_assert_int_eq(admit_task(a, a->def, user, 0, &cause), PROTO_OK);
}
END_TEST

/* A ban, shutting down and an unwritable state come first, in order. */
START_TEST(test_admission_order)
{
	struct job	*a;
	char		*cause = NULL;

	setup();
	a = mkjob("a", 1, 0, 0);	/* queue_limit 0: always full */
	ck_assert_int_eq(admit_task(a, a->def, 0, 0, &cause),
	    PROTO_QUEUE_FULL);
	free(cause);
	sd.state_ok = 0;
	ck_assert_int_eq(admit_task(a, a->def, 0, ADMIT_ACK, &cause),
	    PROTO_PERSIST_FAILED);
	free(cause);
	ban_add("a*", "test", 0, 0);
	ck_assert_int_eq(admit_task(a, a->def, 0, ADMIT_ACK, &cause),
	    PROTO_BANNED);
	free(cause);
	sd.shutting_down = 1;
	ck_assert_int_eq(admit_task(a, a->def, 0, ADMIT_ACK, &cause),
	    PROTO_BUSY);
	free(cause);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("queue");
	TCase	*tc = tcase_create("queue");

	tcase_add_test(tc, test_same_job_fifo);
	tcase_add_test(tc, test_waiting_passed);
	tcase_add_test(tc, test_different_jobs_parallel);
	tcase_add_test(tc, test_concurrency);
	tcase_add_test(tc, test_max_running_priority);
	tcase_add_test(tc, test_ties_in_queue_order);
	tcase_add_test(tc, test_busy_job_does_not_starve);
	tcase_add_test(tc, test_queue_limits);
	tcase_add_test(tc, test_queue_per_user_quota);
	tcase_add_test(tc, test_admission_order);
	suite_add_tcase(s, tc);
	return (unit_run(s, 0));
}
