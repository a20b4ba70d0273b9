/* SPDX-License-Identifier: ISC */
/*
 * What a record of the saved state does to memory at start (doc/state.md):
 * a job's state or runtime definition, a removal, a task record onto its
 * job's lists, the ban list, a block of task ids.  Reading the files is
 * state-load.c's.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-node.h"
#include "log.h"
#include "schedd.h"
#include "state.h"
#include "util.h"
#include "xmalloc.h"

static uint64_t	 state_max_id;		/* highest task id loaded */

static void	 state_drop_task(struct task *);
static void	 state_apply_params(const struct cnode *, struct task_params *);

/* A saved retry's arguments and variables (task_params_write). */
static void
state_apply_params(const struct cnode *o, struct task_params *p)
{
	const struct cnode	*l;
	size_t			 i;

	if ((l = cnode_get(o, "args")) != NULL && l->type == CNODE_SEQ) {
		for (i = 0; i < l->nchild; i++) {
			if (l->child[i]->type == CNODE_SCALAR)
				task_params_add(&p->args, &p->nargs,
				    xstrdup(l->child[i]->value));
		}
	}
	if ((l = cnode_get(o, "env")) != NULL && l->type == CNODE_MAP) {
		for (i = 0; i + 1 < l->nchild; i += 2) {
			if (l->child[i + 1]->type == CNODE_SCALAR)
				task_params_env(p, l->child[i]->value,
				    l->child[i + 1]->value);
		}
	}
}

/* A load begins: no task read yet. */
void
state_apply_begin(void)
{
	state_max_id = 0;
}

/* Apply one snapshot or journal object. */
void
state_apply(json_t *o, int from_journal)
{
	const char	*t = json_string_value(json_object_get(o, "t"));
	json_int_t	 next;

	if (t == NULL)
		return;
	if (strcmp(t, "job") == 0) {
		struct cerrs	 errs;
		struct cnode	*n;

		memset(&errs, 0, sizeof errs);
		n = cnode_from_jansson(o, NULL, NULL, &errs);
		state_apply_job(n);
		cnode_free(n);
		cerr_clear(&errs);
	}
	else if (strcmp(t, "job-") == 0) {
		struct job	*j;
		const char	*name;

		name = json_string_value(json_object_get(o, "name"));
		if (name != NULL && (j = job_find(name)) != NULL &&
		    j->origin == ORIGIN_RUNTIME)
			job_remove(j, NULL, NULL, JOB_KEEP_RUNNING);
	} else if (strcmp(t, "task") == 0) {
		/* Written otherwise than schedd does: read as text too. */
		char		*s;
		struct state_rec r;

		if ((s = json_dumps(o, JSON_COMPACT)) != NULL &&
		    state_rec_scan(s, s + strlen(s), &r) == 0)
			state_apply_task(&r);
		free(s);
	}
	else if (strcmp(t, "bans") == 0)
		state_apply_bans(json_object_get(o, "bans"));
	else if (strcmp(t, "ids") == 0) {
		next = json_integer_value(json_object_get(o, "next"));
		if (next > 0 && (uint64_t)next > sd.next_task_id)
			sd.next_task_id = (uint64_t)next;
		if (next > 0 && (uint64_t)next > state_ids_reserved)
			state_ids_reserved = (uint64_t)next;
	} else if (from_journal)
		log_warnx("state: unknown journal record \"%s\" skipped", t);
}

void
state_apply_job(const struct cnode *o)
{
	struct jobdef		*def;
	struct job		*j;
	struct retry		*r;
	const struct cnode	*c, *l, *s, *rl, *rv;
	struct cnode		*dv;
	size_t			 i;
	const char		*name, *origin, *at, *st;
	char			*cause;
	int			 state, enabled;

	name = cnode_get_string(o, "name");
	origin = cnode_get_string(o, "origin");
	if (name == NULL || origin == NULL)
		return;
	j = job_find(name);
	dv = (struct cnode *)cnode_get(o, "def");
	if (strcmp(origin, "runtime") == 0 && dv != NULL) {
		if (j != NULL && j->origin == ORIGIN_CONFIG) {
			log_warnx("job %s: the configuration defines it; the "
			    "saved runtime job of that name is dropped", name);
			return;
		}
		if (jobdef_from_node(dv, &def, &cause) != 0) {
			log_warnx("job %s: saved definition unusable: %s", name,
			    cause);
			free(cause);
			return;
		}
		/* The job is known by the line's name: one job a name. */
		if (strcmp(def->name, name) != 0) {
			log_warnx("job %s: saved definition is of job %s; "
			    "dropped", name, def->name);
			jobdef_unref(def);
			return;
		}
		if (j == NULL)
			j = job_create(def, ORIGIN_RUNTIME,
			    (uid_t)cnode_get_int(o, "uid", 0));
		else	/* replayed as "add --replace" did it */
			job_set_def(j, def, JOB_DEF_REPLACE);
	}
	if (j == NULL || (j->origin == ORIGIN_CONFIG) !=
	    (strcmp(origin, "config") == 0))
		return;
	/* Replayed as it happened: a new owner cancels what was queued. */
	if (j->origin == ORIGIN_RUNTIME)
		job_set_owner(j, ORIGIN_RUNTIME,
		    (uid_t)cnode_get_int(o, "uid", 0));
	/*
	 * The saved paused flag stands, unless "enabled" was changed in the
	 * configuration since: then the file says.
	 */
	if ((enabled = cnode_get_bool(o, "enabled")) != -1 &&
	    enabled != j->def->enabled)
		j->paused = !j->def->enabled;
	else
		j->paused = cnode_get_bool(o, "paused") == 1;
	if ((c = cnode_get(o, "counters")) != NULL) {
		j->counters.runs = cnode_get_int(c, "runs", 0);
		j->counters.succeeded = cnode_get_int(c, "succeeded", 0);
		j->counters.failed = cnode_get_int(c, "failed", 0);
		j->counters.timeouts = cnode_get_int(c, "timeouts", 0);
		j->counters.stopped = cnode_get_int(c, "stopped", 0);
		j->counters.skipped = cnode_get_int(c, "skipped", 0);
		j->counters.missed = cnode_get_int(c, "missed", 0);
		j->counters.consecutive_failures = cnode_get_int(c,
		    "consecutive_failures", 0);
	}
	if ((l = cnode_get(o, "last")) != NULL) {
		j->last_task = cnode_get_int(l, "task", 0);
		st = cnode_get_string(l, "state");
		if (st != NULL && (state = task_state_parse(st)) != -1)
			j->last_state = state;
		j->last_run.tv_sec = cnode_get_int(l, "run_s", 0);
		j->last_run.tv_nsec = cnode_get_int(l, "run_ns", 0);
		j->last_success.tv_sec = cnode_get_int(l, "success_s", 0);
		j->last_success.tv_nsec = cnode_get_int(l, "success_ns", 0);
	}
	if ((rl = cnode_get(o, "retries")) != NULL &&
	    rl->type == CNODE_SEQ) {
		/* The saved list replaces what an earlier line planned. */
		while ((r = LIST_FIRST(&j->retries)) != NULL)
			sched_retry_cancel(r);
		for (i = 0; i < rl->nchild; i++) {
			rv = rl->child[i];
			r = sched_retry_add(j, (uint32_t)cnode_get_int(rv,
			    "attempt", 0), (uid_t)cnode_get_int(rv, "uid", 0),
			    (uint64_t)cnode_get_int(rv, "at_ms", 0) * 1000000);
			state_apply_params(rv, &r->params);
		}
	}
	if ((s = cnode_get(o, "sched")) != NULL) {
		j->restored = 1;
		j->last_wall_s = cnode_get_int(s, "last_wall", 0);
		j->sched_runs = cnode_get_int(s, "runs", 0);
		j->sched_ended = cnode_get_bool(s, "ended") == 1;
		if ((at = cnode_get_string(s, "boot_id")) != NULL)
			snprintf(j->boot_id, sizeof j->boot_id, "%s", at);
		/* An at that ran stays done unless its time was changed. */
		at = cnode_get_string(s, "at");
		j->at_done = cnode_get_bool(s, "at_done") == 1 &&
		    at != NULL && j->def->at != NULL &&
		    strcmp(at, j->def->at) == 0;
		if (j->def->at != NULL && (at == NULL ||
		    strcmp(at, j->def->at) != 0)) {
			/* A changed at is a new one: as if first loaded. */
			j->sched_runs = 0;
			j->sched_ended = 0;
			j->restored = 0;
		}
	}
}

/* Take a task out of whatever list of its job it is on, and free it. */
static void
state_drop_task(struct task *t)
{
	struct job	*j = t->job;

	job_removed_forget(t);
	switch (t->state) {
	case TASK_QUEUED:
		queue_remove(t);
		break;
	case TASK_RUNNING:
		TAILQ_REMOVE(&j->running, t, entry);
		j->nrunning--;
		sd.nrunning--;
		queue_update(j);
		break;
	default:
		TAILQ_REMOVE(&j->history, t, entry);
		j->nhistory--;
		break;
	}
	task_free(t);
	job_maybe_free(j);
}

/*
 * A task record: onto its job's queue, running list or history.  The
 * record of a removed job (marked so, or naming a job that no longer
 * exists) goes with the records of removed jobs; nothing of it runs.
 */
void
state_apply_task(const struct state_rec *r)
{
	struct task	*t, *old;
	struct job	*j;
	int64_t		 id;
	char		 name[NAME_MAX_LEN + 1];

	if (state_rec_int(r, STATE_REC_ID, &id) != 0 || id <= 0 ||
	    state_rec_word(r, STATE_REC_JOB, name, sizeof name) != 0 ||
	    !name_valid(name))
		return;
	if ((uint64_t)id >= sd.next_task_id)
		sd.next_task_id = (uint64_t)id + 1;
	/* Only records make tasks while loading: a new highest id is new. */
	if ((uint64_t)id <= state_max_id &&
	    (old = task_find((uint64_t)id)) != NULL)
		state_drop_task(old);
	if ((uint64_t)id > state_max_id)
		state_max_id = (uint64_t)id;
	if ((r->v[STATE_REC_REMOVED] != NULL &&
	    r->len[STATE_REC_REMOVED] == 4 &&
	    memcmp(r->v[STATE_REC_REMOVED], "true", 4) == 0) ||
	    (j = job_find(name)) == NULL)
		j = job_holder(name);
	if ((t = state_task_read(j, r)) == NULL) {
		job_maybe_free(j);
		return;
	}
	if (j->removed && t->state == TASK_QUEUED) {
		t->state = TASK_CANCELLED;
		if (t->error == NULL)
			t->error = xstrdup("job removed");
	}
	switch (t->state) {
	case TASK_QUEUED:
		queue_link(t);
		break;
	case TASK_RUNNING:
		TAILQ_INSERT_TAIL(&j->running, t, entry);
		j->nrunning++;
		sd.nrunning++;
		break;
	default:
		state_history_insert(t);
		break;
	}
}

/*
 * An ended task into its job's history, in id order (pruning drops the
 * first, taken to be the oldest).
 */
void
state_history_insert(struct task *t)
{
	struct job	*j = t->job;
	struct task	*o;

	for (o = TAILQ_LAST(&j->history, task_list); o != NULL &&
	    o->id > t->id; o = TAILQ_PREV(o, task_list, entry))
		;
	if (o == NULL)
		TAILQ_INSERT_HEAD(&j->history, t, entry);
	else
		TAILQ_INSERT_AFTER(&j->history, o, t, entry);
	j->nhistory++;
	if (j->removed)
		job_removed_record(t);
}

void
state_apply_bans(json_t *list)
{
	struct ban	*b;
	json_t		*e;
	size_t		 i;
	const char	*name;

	while ((b = TAILQ_FIRST(&sd.bans)) != NULL)
		ban_remove(b);
	json_array_foreach(list, i, e) {
		name = json_string_value(json_object_get(e, "name"));
		if (name == NULL)
			continue;
		b = ban_add(name, json_string_value(json_object_get(e,
		    "reason")), (uid_t)json_integer_value(json_object_get(e,
		    "by")), json_is_true(json_object_get(e, "auto")));
		b->since.tv_sec = json_integer_value(json_object_get(e,
		    "since_s"));
		b->since.tv_nsec = json_integer_value(json_object_get(e,
		    "since_ns"));
	}
}
