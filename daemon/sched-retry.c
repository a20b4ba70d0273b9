/* SPDX-License-Identifier: ISC */
/*
 * Retries (schedd.yaml.5 retries, retry_delay): a failed task's next
 * attempt waits in the scheduler's heap until its delay is over, then is
 * queued under the uid that submitted the failed one, with its arguments
 * and variables.  The state saves the wall time a retry is due at, so
 * one planned before a restart is still due when it was.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "sched-int.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static void	 sched_retry_emit(const struct task *, const struct retry *);

/*
 * Plan attempt number "attempt" of a job for the wall time "at" (ns; a
 * retry saved before a restart may be due already).
 */
struct retry *
sched_retry_add(struct job *j, uint32_t attempt, uid_t uid, uint64_t at)
{
	struct retry	*r;
	uint64_t	 real = sched_now_real_ns(), wait;

	/* Retry delays are at most 100 years: only a damaged time is cut. */
	wait = at > real ? at - real : 0;
	if (wait > SCHED_WAIT_MAX_NS)
		wait = SCHED_WAIT_MAX_NS;
	r = xcalloc(1, sizeof *r);
	r->ent.kind = SCHED_RETRY;
	r->ent.idx = SIZE_MAX;
	r->ent.due_ns = sched_mono_ns() + wait;
	r->at_ns = at;
	r->job = j;
	r->attempt = attempt;
	r->uid = uid;
	LIST_INSERT_HEAD(&j->retries, r, entry);
	sched_heap_push(&r->ent);
	sched_arm_timer();
	return (r);
}

/* Forget a pending retry. */
void
sched_retry_cancel(struct retry *r)
{
	LIST_REMOVE(r, entry);
	sched_heap_remove(&r->ent);
	task_params_free(&r->params);
	free(r);
}

/* Drop a job's pending retries (removal, or a new owner). */
void
sched_retries_cancel(struct job *j)
{
	struct retry	*r;

	while ((r = LIST_FIRST(&j->retries)) != NULL)
		sched_retry_cancel(r);
	sched_arm_timer();
}

/* A retry's delay is over: queue the next attempt. */
void
sched_retry_fire(struct retry *r)
{
	struct job	*j = r->job;
	struct task	*t;
	char		*cause;

	LIST_REMOVE(r, entry);
	state_job(j);
	if (admit_task(j, j->def, r->uid, 0, &cause) != PROTO_OK) {
		log_info("job %s: retry %u dropped: %s", j->name, r->attempt,
		    cause);
		free(cause);
	} else {
		t = queue_push_params(j, TRIGGER_RETRY, r->uid, &r->params);
		t->attempt = r->attempt;
		queue_dispatch_soon();
	}
	task_params_free(&r->params);
	free(r);
	sched_maybe_auto_remove(j);
}

/*
 * Tell subscribers a retry is planned: the task that failed, the attempt
 * to come and when (schedd.8 CONTROL PROTOCOL, subscribe).
 */
static void
sched_retry_emit(const struct task *t, const struct retry *r)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)(r->at_ns / 1000000000);
	ts.tv_nsec = (long)(r->at_ns % 1000000000);
	sub_emit(SUB_TASK_RETRY, json_pack("{s:I,s:s,s:s,s:I,s:o}", "task",
	    (json_int_t)t->id, "job", r->job->name, "state",
	    task_state_name(t->state), "attempt", (json_int_t)r->attempt,
	    "at", sjson_time(&ts)));
}

/* A task ended: retry a failure, maybe remove a finished runtime job. */
void
sched_task_ended(struct task *t)
{
	struct job	*j = t->job;
	struct retry	*r;
	char		*d;

	if ((t->state == TASK_FAILED || t->state == TASK_TIMEOUT) &&
	    t->attempt <= t->def->retries && !j->removed) {
		r = sched_retry_add(j, t->attempt + 1, t->uid,
		    sched_now_real_ns() + t->def->retry_delay_ms * MS);
		/* The same arguments and variables as the failed attempt. */
		task_params_copy(&r->params, &t->params);
		state_job(j);
		d = format_elapsed((int64_t)t->def->retry_delay_ms);
		log_info("task %llu (%s) %s: attempt %u in %s",
		    (unsigned long long)t->id, j->name,
		    task_state_name(t->state), r->attempt, d);
		free(d);
		if (sub_wanted(SUB_TASK_RETRY))
			sched_retry_emit(t, r);
		return;
	}
	sched_maybe_auto_remove(j);
}
