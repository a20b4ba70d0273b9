/*
 * What the journal and the snapshot say (doc/state.md): one object per
 * job, task record and ban list, built from memory.  Loading them back
 * is state-load.c's.
 */
#include <sys/types.h>

#include <string.h>

#include "schedd.h"
#include "state.h"

static json_t	*state_ban_json(const struct ban *);

/*
 * A task as saved: its record, the owner it was queued under, and
 * whether its job was removed (then it belongs to no job of that name
 * defined later).
 */
json_t *
state_task_json(const struct task *t)
{
	json_t	*rec;

	rec = task_record(t);
	json_object_set_new(rec, "t", json_string("task"));
	json_object_set_new(rec, "owner", json_string(t->owner.origin ==
	    ORIGIN_CONFIG ? "config" : "runtime"));
	json_object_set_new(rec, "owner_uid",
	    json_integer((json_int_t)t->owner.uid));
	if (t->job->removed)
		json_object_set_new(rec, "removed", json_true());
	return (rec);
}

/*
 * A job's persistent state; with_def adds a runtime job's definition.
 * paused is the flag to write: the job's, or a proposed one.
 */
json_t *
state_job_json_paused(const struct job *j, int with_def, int paused)
{
	const struct retry	*r;
	json_t			*o, *retries;

	o = json_pack("{s:s,s:s,s:s,s:I,s:b,s:b}", "t", "job", "name",
	    j->name, "origin", j->origin == ORIGIN_CONFIG ? "config" :
	    "runtime", "uid", (json_int_t)j->uid, "paused", paused,
	    "enabled", j->def->enabled);
	if (with_def && j->origin == ORIGIN_RUNTIME)
		json_object_set_new(o, "def", jobdef_to_json(j->def, NULL));
	json_object_set_new(o, "counters", json_pack("{s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I}",
	    "runs", (json_int_t)j->counters.runs,
	    "succeeded", (json_int_t)j->counters.succeeded,
	    "failed", (json_int_t)j->counters.failed,
	    "timeouts", (json_int_t)j->counters.timeouts,
	    "stopped", (json_int_t)j->counters.stopped,
	    "skipped", (json_int_t)j->counters.skipped,
	    "missed", (json_int_t)j->counters.missed,
	    "consecutive_failures",
	    (json_int_t)j->counters.consecutive_failures));
	json_object_set_new(o, "last", json_pack("{s:I,s:s,s:I,s:I}",
	    "task", (json_int_t)j->last_task,
	    "state", task_state_name(j->last_state),
	    "run_s", (json_int_t)j->last_run.tv_sec,
	    "run_ns", (json_int_t)j->last_run.tv_nsec));
	retries = json_array();
	LIST_FOREACH(r, &j->retries, entry)
		json_array_append_new(retries, json_pack("{s:I,s:I,s:I}",
		    "attempt", (json_int_t)r->attempt,
		    "uid", (json_int_t)r->uid,
		    "at_ms", (json_int_t)(r->at_ns / 1000000)));
	json_object_set_new(o, "retries", retries);
	json_object_set_new(o, "sched", json_pack("{s:I,s:s?,s:b,s:I,s:b}",
	    "last_wall", (json_int_t)j->last_wall_s,
	    "at", j->def->at,
	    "at_done", j->at_done,
	    "runs", (json_int_t)j->sched_runs,
	    "ended", j->sched_ended));
	return (o);
}

json_t *
state_job_json(const struct job *j, int with_def)
{
	return (state_job_json_paused(j, with_def, j->paused));
}

static json_t *
state_ban_json(const struct ban *b)
{
	return (json_pack("{s:s,s:s?,s:I,s:I,s:I,s:b}", "name", b->name,
	    "reason", b->reason, "since_s", (json_int_t)b->since.tv_sec,
	    "since_ns", (json_int_t)b->since.tv_nsec, "by", (json_int_t)b->by,
	    "auto", b->automatic));
}

/*
 * The ban list line: as it is, or as it would be with the proposed entry
 * set (or, with drop, without an entry of its name).
 */
json_t *
state_bans_json_with(const struct ban *proposed, int drop)
{
	struct ban	*b;
	json_t		*list;
	int		 done = 0;

	list = json_array();
	TAILQ_FOREACH(b, &sd.bans, entry) {
		if (proposed == NULL || strcmp(b->name, proposed->name) != 0)
			json_array_append_new(list, state_ban_json(b));
		else if (!drop) {
			json_array_append_new(list, state_ban_json(proposed));
			done = 1;
		}
	}
	if (proposed != NULL && !drop && !done)
		json_array_append_new(list, state_ban_json(proposed));
	return (json_pack("{s:s,s:o}", "t", "bans", "bans", list));
}

json_t *
state_bans_json(void)
{
	return (state_bans_json_with(NULL, 0));
}
