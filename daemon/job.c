/*
 * Jobs: creation, lookup by name, removal, and their JSON views.
 * A removed job with running tasks stays allocated (unlinked, "removed")
 * until its last task ends.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static void	job_free(struct job *);

/* Create and register a job; takes the definition's reference. */
struct job *
job_create(struct jobdef *def, enum job_origin origin, uid_t uid)
{
	struct job	*j;

	j = xcalloc(1, sizeof *j);
	j->def = def;
	j->name = def->name;
	j->origin = origin;
	j->uid = uid;
	j->paused = !def->enabled;
	j->qidx = SIZE_MAX;
	TAILQ_INIT(&j->queue);
	TAILQ_INIT(&j->running);
	TAILQ_INIT(&j->history);
	TAILQ_INSERT_TAIL(&sd.jobs, j, entry);
	hmap_sput(&sd.job_index, j->name, j);
	sd.njobs++;
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

/*
 * Give a job a new definition; tasks keep the one they hold, and the
 * schedule is recomputed from the new one.  With fresh (a runtime job
 * redefined by "add --replace") the schedule starts over; otherwise (a
 * reload) what it has done stays: an at that ran stays done unless its
 * time changed, the max_runs count goes on, paused stays unless
 * "enabled" changed.
 */
void
job_set_def(struct job *j, struct jobdef *def, int fresh)
{
	struct jobdef	*old = j->def;
	int		 same_at;

	sched_job_fini(j);
	hmap_sdel(&sd.job_index, j->name);
	same_at = old->at != NULL && def->at != NULL &&
	    strcmp(old->at, def->at) == 0;
	if (fresh || old->enabled != def->enabled)
		j->paused = !def->enabled;
	if (fresh || !same_at)
		j->at_done = 0;
	if (fresh)
		j->sched_runs = 0;
	j->def = def;
	j->name = def->name;
	j->sched_ended = (def->max_runs > 0 && j->sched_runs >=
	    def->max_runs) || (def->at != NULL && def->every_ms == 0 &&
	    j->at_done);
	jobdef_unref(old);
	hmap_sput(&sd.job_index, j->name, j);
	sched_job_init(j);
	queue_update(j);	/* concurrency or priority may have changed */
}

/*
 * Unregister a job: cancel its queued tasks (ids appended to cancelled),
 * stop running ones if stop is set (ids appended to stopped), drop its
 * records.  The job is freed now, or when its last running task ends.
 */
void
job_remove(struct job *j, json_t *cancelled, json_t *stopped, int stop)
{
	struct task	*t, *next;

	sched_job_fini(j);
	while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
		if (cancelled != NULL)
			json_array_append_new(cancelled, json_uint(t->id));
		task_cancel(t);
	}
	if (stop) {
		TAILQ_FOREACH_SAFE(t, &j->running, entry, next) {
			if (task_stop(t, 0, STOP_USER) == 0 && stopped != NULL)
				json_array_append_new(stopped,
				    json_uint(t->id));
		}
	}
	while ((t = TAILQ_FIRST(&j->history)) != NULL) {
		TAILQ_REMOVE(&j->history, t, entry);
		j->nhistory--;
		if (t->log_path != NULL)
			unlink(t->log_path);
		task_free(t);
	}
	TAILQ_REMOVE(&sd.jobs, j, entry);
	hmap_sdel(&sd.job_index, j->name);
	sd.njobs--;
	j->removed = 1;
	event_emit(EV_JOB_REMOVED, json_pack("{s:s}", "job", j->name));
	notify_status();
	notify_idle_check();
	job_maybe_free(j);
}

/* Free a removed job once nothing refers to it. */
void
job_maybe_free(struct job *j)
{
	struct task	*t;

	if (!j->removed || j->nrunning != 0 || j->nqueued != 0)
		return;
	while ((t = TAILQ_FIRST(&j->history)) != NULL) {
		TAILQ_REMOVE(&j->history, t, entry);
		if (t->log_path != NULL)
			unlink(t->log_path);
		task_free(t);
	}
	job_free(j);
}

static void
job_free(struct job *j)
{
	jobdef_unref(j->def);
	free(j);
}

/* Free every job and task at exit. */
void
job_free_all(void)
{
	struct job	*j;
	struct task	*t;

	while ((j = TAILQ_FIRST(&sd.jobs)) != NULL) {
		TAILQ_REMOVE(&sd.jobs, j, entry);
		sched_job_fini(j);
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
		job_free(j);
	}
	hmap_clear(&sd.job_index);
	hmap_clear(&sd.task_index);
	hmap_clear(&sd.pid_index);
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

/* The job summary of spec section 9. */
json_t *
job_summary(const struct job *j)
{
	json_t	*o, *tags;
	char	*sched;
	size_t	 i;

	tags = json_array();
	for (i = 0; i < j->def->ntags; i++)
		json_array_append_new(tags, json_string(j->def->tags[i]));
	sched = jobdef_schedule_string(j->def);
	o = json_pack("{s:s,s:s,s:I,s:s?,s:o,s:s?,s:o,s:b,s:b,s:I,s:I}",
	    "name", j->name,
	    "origin", j->origin == ORIGIN_CONFIG ? "config" : "runtime",
	    "uid", (json_int_t)j->uid,
	    "description", j->def->description,
	    "tags", tags,
	    "schedule", sched,
	    "next_run", sched_next_run(j),
	    "paused", j->paused,
	    "banned", ban_match(j->name) != NULL,
	    "running", (json_int_t)j->nrunning,
	    "queued", (json_int_t)j->nqueued);
	free(sched);
	json_object_set_new(o, "runs", json_uint(j->counters.runs));
	json_object_set_new(o, "succeeded", json_uint(j->counters.succeeded));
	json_object_set_new(o, "failed", json_uint(j->counters.failed));
	json_object_set_new(o, "timeouts", json_uint(j->counters.timeouts));
	json_object_set_new(o, "stopped", json_uint(j->counters.stopped));
	json_object_set_new(o, "skipped", json_uint(j->counters.skipped));
	json_object_set_new(o, "missed", json_uint(j->counters.missed));
	json_object_set_new(o, "consecutive_failures",
	    json_uint(j->counters.consecutive_failures));
	if (j->last_task != 0) {
		json_object_set_new(o, "last_task", json_uint(j->last_task));
		json_object_set_new(o, "last_state",
		    json_string(task_state_name(j->last_state)));
	} else {
		json_object_set_new(o, "last_task", json_null());
		json_object_set_new(o, "last_state", json_null());
	}
	json_object_set_new(o, "last_run", json_time(&j->last_run));
	return (o);
}

/* The summary plus the definition and recent records, newest first. */
json_t *
job_full(const struct job *j)
{
	json_t		*o, *recent;
	struct task	*t;
	int		 n = 0;

	o = job_summary(j);
	json_object_set_new(o, "definition",
	    jobdef_to_json(j->def, &sd.settings));
	recent = json_array();
	TAILQ_FOREACH_REVERSE(t, &j->running, task_list, entry)
		json_array_append_new(recent, task_record(t));
	TAILQ_FOREACH_REVERSE(t, &j->history, task_list, entry) {
		if (n++ >= 10)
			break;
		json_array_append_new(recent, task_record(t));
	}
	json_object_set_new(o, "recent", recent);
	return (o);
}
