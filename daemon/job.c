/* SPDX-License-Identifier: ISC */
/*
 * Jobs: creation, lookup by name, owners, removal, and their JSON views.
 * A removed job stays allocated, unlinked and marked "removed", while it
 * has running tasks or records; the records of all removed jobs are kept
 * up to the daemon's removed_history, oldest dropped first.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static void	 job_free(struct job *);
static int	 job_removed_before(const void *, const void *);
static size_t	*job_removed_index(void *);
static void	 job_unlink_removed(struct job *);

/* Create and register a job; takes the definition's reference. */
struct job *
job_create(struct jobdef *def, enum job_origin origin, uid_t uid)
{
	struct job	*j;

	j = xcalloc(1, sizeof *j);
	j->def = def;
	j->name = xstrdup(def->name);
	j->origin = origin;
	j->uid = uid;
	j->paused = !def->enabled;
	j->qidx = SIZE_MAX;
	TAILQ_INIT(&j->queue);
	TAILQ_INIT(&j->ready);
	TAILQ_INIT(&j->running);
	TAILQ_INIT(&j->history);
	TAILQ_INSERT_TAIL(&sd.jobs, j, entry);
	hmap_sput(&sd.job_index, j->name, j);
	sd.njobs++;
	if (origin == ORIGIN_RUNTIME)
		usage_jobs(uid, 1);
	sched_job_init(j);
	notify_status();
	notify_idle_check();
	return (j);
}

struct job *
job_find(const char *name)
{
	return (hmap_sget(&sd.job_index, name));
}

/* Is this the job's owner? */
int
job_owned_by(const struct job *j, const struct job_owner *o)
{
	return (j->origin == o->origin && j->uid == o->uid);
}

/*
 * Give a job another owner (the configuration taking a runtime job's
 * name, or another user replacing it).  What was queued or waiting for a
 * retry under the old owner is cancelled: it never runs as somebody else.
 * Running tasks finish as they started.
 */
void
job_set_owner(struct job *j, enum job_origin origin, uid_t uid)
{
	struct task	*t;

	if (j->origin == origin && j->uid == uid)
		return;
	while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
		log_info("task %llu (%s) cancelled: job replaced by another "
		    "owner", (unsigned long long)t->id, j->name);
		task_cancel(t, "job replaced by another owner");
	}
	sched_retries_cancel(j);
	if (j->origin == ORIGIN_RUNTIME)
		usage_jobs(j->uid, -1);
	if (origin == ORIGIN_RUNTIME)
		usage_jobs(uid, 1);
	j->origin = origin;
	j->uid = uid;
	state_job(j);
}

/*
 * Give a job a new definition; running tasks keep the one they started
 * with, queued tasks and retries take the new one when they start, and
 * the schedule is recomputed from it.  With JOB_DEF_FRESH (a runtime job
 * taken by the configuration) the schedule starts over; otherwise what it
 * has done stays (schedd.yaml.5 RELOAD, schedctl.1 add --replace): an at
 * that ran stays done unless its time changed, the max_runs count goes
 * on.  With JOB_DEF_KEEP (a reload) paused stays unless "enabled"
 * changed; with JOB_DEF_REPLACE it follows "enabled".
 */
void
job_set_def(struct job *j, struct jobdef *def, enum job_def_how how)
{
	struct jobdef	*old = j->def;
	int		 same_at, fresh = how == JOB_DEF_FRESH;

	sched_job_fini(j);
	same_at = old->at != NULL && def->at != NULL &&
	    strcmp(old->at, def->at) == 0;
	if (how != JOB_DEF_KEEP || old->enabled != def->enabled)
		j->paused = !def->enabled;
	if (fresh || !same_at)
		j->at_done = 0;
	if (fresh)
		j->sched_runs = 0;
	j->def = def;
	j->sched_ended = (def->max_runs > 0 && j->sched_runs >=
	    def->max_runs) || (def->at != NULL && def->every_ms == 0 &&
	    j->at_done);
	jobdef_unref(old);
	sched_job_init(j);
	queue_update(j);	/* concurrency or priority may have changed */
	if (!sd.loading)
		task_prune(j);	/* and history */
}

/*
 * Unregister a job: cancel its queued tasks (ids appended to cancelled),
 * with JOB_STOP_RUNNING stop running ones (ids appended to stopped).  The job
 * then only holds records: its ended tasks stay answerable ("task",
 * "history NAME") among the records of removed jobs, the oldest dropped
 * beyond removed_history; running tasks end into them too.
 */
void
job_remove(struct job *j, json_t *cancelled, json_t *stopped,
    enum job_remove_how stop)
{
	struct task	*t, *next;

	sched_job_fini(j);
	sched_retries_cancel(j);
	TAILQ_REMOVE(&sd.jobs, j, entry);
	hmap_sdel(&sd.job_index, j->name);
	sd.njobs--;
	if (j->origin == ORIGIN_RUNTIME)
		usage_jobs(j->uid, -1);
	j->removed = 1;
	j->pinned = 1;		/* not freed by the cancellations below */
	TAILQ_INSERT_TAIL(&sd.removed_jobs, j, entry);
	hmap_sput(&sd.removed_index, j->name, j);
	TAILQ_FOREACH(t, &j->history, entry)
		job_removed_record(t);
	while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
		if (cancelled != NULL)
			json_array_append_new(cancelled, sjson_uint(t->id));
		task_cancel(t, "job removed");
	}
	if (stop == JOB_STOP_RUNNING) {
		TAILQ_FOREACH_SAFE(t, &j->running, entry, next) {
			if (task_stop(t, 0, STOP_USER) == 0 && stopped != NULL)
				json_array_append_new(stopped,
				    sjson_uint(t->id));
		}
	}
	sub_emit(SUB_JOB_REMOVED, json_pack("{s:s}", "job", j->name));
	notify_status();
	notify_idle_check();
	j->pinned = 0;
	job_prune_removed();
	job_maybe_free(j);
}

/*
 * The removed job of this name that holds records read back from disk,
 * made if there is none.  It has no definition: nothing of it runs again.
 */
struct job *
job_holder(const char *name)
{
	struct job	*j;

	if ((j = hmap_sget(&sd.removed_index, name)) != NULL)
		return (j);
	j = xcalloc(1, sizeof *j);
	j->name = xstrdup(name);
	j->removed = 1;
	j->qidx = SIZE_MAX;
	j->sched.idx = SIZE_MAX;
	TAILQ_INIT(&j->queue);
	TAILQ_INIT(&j->ready);
	TAILQ_INIT(&j->running);
	TAILQ_INIT(&j->history);
	LIST_INIT(&j->retries);
	TAILQ_INSERT_TAIL(&sd.removed_jobs, j, entry);
	hmap_sput(&sd.removed_index, j->name, j);
	return (j);
}

/* Removed records go oldest (lowest id) first. */
static int
job_removed_before(const void *a, const void *b)
{
	return (((const struct task *)a)->id < ((const struct task *)b)->id);
}

static size_t *
job_removed_index(void *t)
{
	return (&((struct task *)t)->ridx);
}

/* An ended task of a removed job joins the records of removed jobs. */
void
job_removed_record(struct task *t)
{
	if (sd.removed_heap.before == NULL)
		heap_init(&sd.removed_heap, job_removed_before,
		    job_removed_index);
	if (t->ridx == SIZE_MAX)
		heap_push(&sd.removed_heap, t);
}

/* A record leaves the records of removed jobs (pruned or replaced). */
void
job_removed_forget(struct task *t)
{
	if (t->ridx != SIZE_MAX)
		heap_remove(&sd.removed_heap, t);
}

/* Keep at most removed_history records of removed jobs, oldest go. */
void
job_prune_removed(void)
{
	struct task	*t;
	struct job	*j;

	while (sd.removed_heap.n > sd.settings.removed_history) {
		t = heap_top(&sd.removed_heap);
		j = t->job;
		heap_remove(&sd.removed_heap, t);
		TAILQ_REMOVE(&j->history, t, entry);
		j->nhistory--;
		output_log_unlink(t);
		task_free(t);
		job_maybe_free(j);
	}
}

/* Take a removed job off the list and index of removed jobs. */
static void
job_unlink_removed(struct job *j)
{
	struct job	*o;

	TAILQ_REMOVE(&sd.removed_jobs, j, entry);
	if (hmap_sget(&sd.removed_index, j->name) != j)
		return;
	hmap_sdel(&sd.removed_index, j->name);
	/* An older removed job of that name may still hold records. */
	TAILQ_FOREACH_REVERSE(o, &sd.removed_jobs, job_list, entry) {
		if (strcmp(o->name, j->name) == 0) {
			hmap_sput(&sd.removed_index, o->name, o);
			break;
		}
	}
}

/* Free a removed job once it holds nothing. */
void
job_maybe_free(struct job *j)
{
	if (!j->removed || j->pinned || j->nrunning != 0 || j->nqueued != 0 ||
	    j->nhistory != 0)
		return;
	job_unlink_removed(j);
	job_free(j);
}

static void
job_free(struct job *j)
{
	jobdef_unref(j->def);
	free(j->name);
	free(j);
}

/* Free one job's tasks, whatever list they are on (at exit). */
static void
job_free_tasks(struct job *j)
{
	struct task	*t;

	while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
		TAILQ_REMOVE(&j->queue, t, entry);
		task_free(t);
	}
	while ((t = TAILQ_FIRST(&j->running)) != NULL) {
		TAILQ_REMOVE(&j->running, t, entry);
		task_free(t);
	}
	while ((t = TAILQ_FIRST(&j->history)) != NULL) {
		TAILQ_REMOVE(&j->history, t, entry);
		task_free(t);
	}
}

/* Free every job and task at exit. */
void
job_free_all(void)
{
	struct job	*j;

	while ((j = TAILQ_FIRST(&sd.jobs)) != NULL) {
		TAILQ_REMOVE(&sd.jobs, j, entry);
		sched_job_fini(j);
		sched_retries_cancel(j);
		job_free_tasks(j);
		job_free(j);
	}
	while ((j = TAILQ_FIRST(&sd.removed_jobs)) != NULL) {
		TAILQ_REMOVE(&sd.removed_jobs, j, entry);
		job_free_tasks(j);
		job_free(j);
	}
	heap_clear(&sd.removed_heap);
	hmap_clear(&sd.job_index);
	hmap_clear(&sd.removed_index);
	hmap_clear(&sd.task_index);
	hmap_clear(&sd.pid_index);
	usage_free_all();
}

uint32_t
job_concurrency(const struct job *j)
{
	return (j->def->concurrency > 0 ? j->def->concurrency : 1);
}

uint32_t
job_queue_limit(const struct job *j)
{
	if (j->def->queue_limit >= 0)
		return ((uint32_t)j->def->queue_limit);
	return (sd.settings.queue_limit);
}

/*
 * A job's schedule_state (schedd.8 CONTROL PROTOCOL): "ended" once it
 * will not fire again, "paused", "active"; NULL without a schedule.
 */
const char *
job_schedule_state(const struct job *j)
{
	if (!jobdef_has_schedule(j->def))
		return (NULL);
	if (j->sched_ended)
		return ("ended");
	return (j->paused ? "paused" : "active");
}
