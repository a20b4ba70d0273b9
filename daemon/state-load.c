/*
 * Loading the saved state at start: the snapshot, then the journal of the
 * same generation, each line an upsert applied in order ("last line
 * wins"); a torn last line is skipped, an unreadable snapshot is moved
 * aside, a newer format refuses the start.  Tasks that were running are
 * lost, and what is left of them is killed.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proctree.h"
#include "schedd.h"
#include "state.h"
#include "util.h"
#include "xmalloc.h"

static void	 state_apply(json_t *, int);
static void	 state_apply_job(json_t *);
static void	 state_apply_task(json_t *);
static void	 state_apply_bans(json_t *);
static void	 state_lose_running(struct job_list *);
static void	 state_history_insert(struct task *);
static void	 state_cancel_foreign(void);

/* Move an unreadable file aside, loudly. */
static void
state_move_aside(const char *name, const char *why)
{
	char	*path, *to, *toname;

	path = state_path(name);
	xasprintf(&toname, "%s.corrupt-%lld", name, (long long)time(NULL));
	to = state_path(toname);
	if (renameat(sd.state_dirfd, name, sd.state_dirfd, toname) == -1)
		log_warn("state: rename %s", path);
	free(toname);
	log_warnx("STATE LOST: %s %s; moved to %s and starting without it",
	    path, why, to);
	if (sd.state_error == NULL)
		xasprintf(&sd.state_error, "%s %s; moved to %s", path, why, to);
	else {
		char	*both;

		xasprintf(&both, "%s; %s %s; moved to %s", sd.state_error,
		    path, why, to);
		free(sd.state_error);
		sd.state_error = both;
	}
	free(path);
	free(to);
}

/* Apply one snapshot or journal object. */
static void
state_apply(json_t *o, int from_journal)
{
	const char	*t = json_string_value(json_object_get(o, "t"));
	json_int_t	 next;

	if (t == NULL)
		return;
	if (strcmp(t, "job") == 0)
		state_apply_job(o);
	else if (strcmp(t, "job-") == 0) {
		struct job	*j;
		const char	*name;

		name = json_string_value(json_object_get(o, "name"));
		if (name != NULL && (j = job_find(name)) != NULL &&
		    j->origin == ORIGIN_RUNTIME)
			job_remove(j, NULL, NULL, JOB_KEEP_RUNNING);
	} else if (strcmp(t, "task") == 0)
		state_apply_task(o);
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

static void
state_apply_job(json_t *o)
{
	struct jobdef	*def;
	struct job	*j;
	struct retry	*r;
	json_t		*c, *l, *s, *dv, *rl, *rv;
	size_t		 i;
	const char	*name, *origin, *at, *st;
	char		*cause;
	int		 state;

	name = json_string_value(json_object_get(o, "name"));
	origin = json_string_value(json_object_get(o, "origin"));
	if (name == NULL || origin == NULL)
		return;
	j = job_find(name);
	dv = json_object_get(o, "def");
	if (strcmp(origin, "runtime") == 0 && dv != NULL) {
		if (j != NULL && j->origin == ORIGIN_CONFIG) {
			log_warnx("job %s: the configuration defines it; the "
			    "saved runtime job of that name is dropped", name);
			return;
		}
		if (jobdef_from_json(dv, &def, &cause) != 0) {
			log_warnx("job %s: saved definition unusable: %s", name,
			    cause);
			free(cause);
			return;
		}
		if (j == NULL)
			j = job_create(def, ORIGIN_RUNTIME,
			    (uid_t)json_integer_value(json_object_get(o,
			    "uid")));
		else
			job_set_def(j, def, JOB_DEF_FRESH);
	}
	if (j == NULL || (j->origin == ORIGIN_CONFIG) !=
	    (strcmp(origin, "config") == 0))
		return;
	/* Replayed as it happened: a new owner cancels what was queued. */
	if (j->origin == ORIGIN_RUNTIME)
		job_set_owner(j, ORIGIN_RUNTIME,
		    (uid_t)json_integer_value(json_object_get(o, "uid")));
	/*
	 * The saved paused flag stands, unless "enabled" was changed in the
	 * configuration since: then the file says.
	 */
	if (json_is_boolean(json_object_get(o, "enabled")) &&
	    json_is_true(json_object_get(o, "enabled")) != j->def->enabled)
		j->paused = !j->def->enabled;
	else
		j->paused = json_is_true(json_object_get(o, "paused"));
	if ((c = json_object_get(o, "counters")) != NULL) {
		j->counters.runs = sjson_get_int(c, "runs", 0);
		j->counters.succeeded = sjson_get_int(c, "succeeded", 0);
		j->counters.failed = sjson_get_int(c, "failed", 0);
		j->counters.timeouts = sjson_get_int(c, "timeouts", 0);
		j->counters.stopped = sjson_get_int(c, "stopped", 0);
		j->counters.skipped = sjson_get_int(c, "skipped", 0);
		j->counters.missed = sjson_get_int(c, "missed", 0);
		j->counters.consecutive_failures = sjson_get_int(c,
		    "consecutive_failures", 0);
	}
	if ((l = json_object_get(o, "last")) != NULL) {
		j->last_task = sjson_get_int(l, "task", 0);
		st = json_string_value(json_object_get(l, "state"));
		if (st != NULL && (state = task_state_parse(st)) != -1)
			j->last_state = state;
		j->last_run.tv_sec = sjson_get_int(l, "run_s", 0);
		j->last_run.tv_nsec = sjson_get_int(l, "run_ns", 0);
	}
	if ((rl = json_object_get(o, "retries")) != NULL) {
		/* The saved list replaces what an earlier line planned. */
		while ((r = LIST_FIRST(&j->retries)) != NULL)
			sched_retry_cancel(r);
		json_array_foreach(rl, i, rv) {
			sched_retry_add(j, (uint32_t)json_integer_value(
			    json_object_get(rv, "attempt")),
			    (uid_t)json_integer_value(json_object_get(rv,
			    "uid")),
			    (uint64_t)json_integer_value(json_object_get(rv,
			    "at_ms")) * 1000000);
		}
	}
	if ((s = json_object_get(o, "sched")) != NULL) {
		j->restored = 1;
		j->last_wall_s = json_integer_value(json_object_get(s,
		    "last_wall"));
		j->sched_runs = json_integer_value(json_object_get(s, "runs"));
		j->sched_ended = json_is_true(json_object_get(s, "ended"));
		/* An at that ran stays done unless its time was changed. */
		at = json_string_value(json_object_get(s, "at"));
		j->at_done = json_is_true(json_object_get(s, "at_done")) &&
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
static void
state_apply_task(json_t *rec)
{
	struct task	*t, *old;
	struct job	*j;
	json_int_t	 id;
	const char	*name;

	id = json_integer_value(json_object_get(rec, "id"));
	name = json_string_value(json_object_get(rec, "job"));
	if (id <= 0 || name == NULL || !name_valid(name))
		return;
	if ((uint64_t)id >= sd.next_task_id)
		sd.next_task_id = (uint64_t)id + 1;
	if ((old = task_find((uint64_t)id)) != NULL)
		state_drop_task(old);
	if (json_is_true(json_object_get(rec, "removed")) ||
	    (j = job_find(name)) == NULL)
		j = job_holder(name);
	if ((t = task_from_record(j, rec)) == NULL) {
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
static void
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

static void
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

/*
 * Read a whole file of the state folder (never through a symbolic link);
 * NULL and errno on failure (ENOENT: none).
 */
static char *
state_read(const char *name, size_t *lenp)
{
	return (file_read_at(sd.state_dirfd, name, lenp));
}

/*
 * Replay a journal of the snapshot's generation or a later one; an older
 * one is already in the snapshot.  A torn tail is skipped.
 */
static int
state_replay(const char *name, char **cause)
{
	json_error_t	 err;
	json_t		*o;
	char		*path, *buf, *line, *nl;
	size_t		 len, lines = 0, bad = 0;
	json_int_t	 v;

	path = state_path(name);
	if ((buf = state_read(name, &len)) == NULL) {
		free(path);
		if (errno == ELOOP || errno == EINVAL) {
			state_move_aside(name, "is not a regular file");
			return (0);
		}
		return (errno == ENOENT ? 0 : -1);
	}
	line = buf;
	for (; line < buf + len; line = nl + 1) {
		if ((nl = memchr(line, '\n', buf + len - line)) == NULL) {
			log_warnx("state: journal ends in a partial line "
			    "(a write cut short); ignored");
			break;
		}
		*nl = '\0';
		o = json_loads(line, JSON_REJECT_DUPLICATES, &err);
		if (o == NULL) {
			bad++;
			continue;
		}
		if (lines++ == 0) {
			v = json_integer_value(json_object_get(o, "journal"));
			if (v > STATE_VERSION) {
				xasprintf(cause, "%s has format version %lld; "
				    "this schedd knows %d: refusing to start",
				    path, (long long)v, STATE_VERSION);
				json_decref(o);
				free(buf);
				free(path);
				return (-2);
			}
			if ((uint64_t)json_integer_value(json_object_get(o,
			    "generation")) < state_generation) {
				/* Already part of the snapshot. */
				json_decref(o);
				break;
			}
			json_decref(o);
			continue;
		}
		state_apply(o, 1);
		json_decref(o);
	}
	if (bad > 0)
		log_warnx("state: %zu unreadable journal line%s skipped", bad,
		    bad == 1 ? "" : "s");
	free(buf);
	free(path);
	return (0);
}

/*
 * Every task that was running when the daemon stopped is lost, whatever
 * became of its job since, and what is left of its processes is killed:
 * a task never runs twice, and none stays "running" for ever.
 */
static void
state_lose_running(struct job_list *list)
{
	struct job	*j, *next;
	struct task	*t;

	TAILQ_FOREACH_SAFE(j, list, entry, next) {
		while ((t = TAILQ_FIRST(&j->running)) != NULL) {
			TAILQ_REMOVE(&j->running, t, entry);
			j->nrunning--;
			sd.nrunning--;
			if (t->pid > 0 &&
			    proctree_kill_lost(t->pid, t->id) > 0)
				log_warnx("task %llu (%s): killed what was "
				    "left of it", (unsigned long long)t->id,
				    j->name);
			log_warnx("task %llu (%s) lost: it was running when "
			    "schedd stopped", (unsigned long long)t->id,
			    j->name);
			t->state = TASK_LOST;
			time_now(&t->finished_at);
			if (t->started_at.tv_sec != 0)
				t->duration_ms = (t->finished_at.tv_sec -
				    t->started_at.tv_sec) * 1000 +
				    (t->finished_at.tv_nsec -
				    t->started_at.tv_nsec) / 1000000;
			state_history_insert(t);
		}
		if (!j->removed) {
			queue_update(j);
			task_prune(j);
		}
	}
}

/*
 * A queued task belongs to the owner its job had when it was queued: if
 * the job has another owner now (the configuration took its name while
 * schedd was down, say), the task is cancelled, never run as somebody
 * else.
 */
static void
state_cancel_foreign(void)
{
	struct job	*j;
	struct task	*t, *next;

	TAILQ_FOREACH(j, &sd.jobs, entry) {
		TAILQ_FOREACH_SAFE(t, &j->queue, entry, next) {
			if (job_owned_by(j, &t->owner))
				continue;
			log_warnx("task %llu (%s) cancelled: job replaced by "
			    "another owner", (unsigned long long)t->id,
			    j->name);
			task_cancel(t, "job replaced by another owner");
		}
	}
}

/*
 * Load the saved state over the configured jobs, turn tasks that were
 * running into "lost" (killing what is left of them), and start a new
 * snapshot and journal.  -1 and a cause if the daemon must not start.
 */
int
state_open(char **cause)
{
	json_error_t	 err;
	json_t		*o, *v;
	char		*path, *buf;
	size_t		 len, i;
	json_int_t	 version;
	int		 rc;

	state_timers_init();
	path = state_path("state.json");
	if ((buf = state_read("state.json", &len)) == NULL &&
	    (errno == ELOOP || errno == EINVAL)) {
		/* A link or something else planted there: never followed. */
		state_move_aside("state.json", "is not a regular file");
		state_move_aside("journal", "belongs to it");
	} else if (buf == NULL && errno != ENOENT) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	if (buf != NULL) {
		o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
		version = o != NULL ? json_integer_value(json_object_get(o,
		    "version")) : 0;
		if (o != NULL && version > STATE_VERSION) {
			xasprintf(cause, "%s has format version %lld; this "
			    "schedd knows %d: refusing to start (the file is "
			    "left as it is)", path, (long long)version,
			    STATE_VERSION);
			json_decref(o);
			free(buf);
			free(path);
			return (-1);
		}
		if (o == NULL || !json_is_object(o) || version < 1) {
			json_decref(o);
			state_move_aside("state.json", o == NULL ?
			    "does not parse" : "is not a schedd state");
			state_move_aside("journal", "belongs to it");
		} else {
			state_generation = json_integer_value(json_object_get(o,
			    "generation"));
			v = json_object_get(o, "next_task_id");
			if (json_integer_value(v) > 0)
				sd.next_task_id = json_integer_value(v);
			state_ids_reserved = sd.next_task_id;
			state_apply_bans(json_object_get(o, "bans"));
			json_array_foreach(json_object_get(o, "jobs"), i, v)
				state_apply_job(v);
			json_array_foreach(json_object_get(o, "tasks"), i, v)
				state_apply_task(v);
			json_decref(o);
		}
		free(buf);
	}
	free(path);
	/*
	 * The journal, then a newer one a compaction had started (its
	 * snapshot may or may not have been written when schedd stopped).
	 */
	if ((rc = state_replay("journal", cause)) == 0)
		rc = state_replay("journal.new", cause);
	if (rc == -2)
		return (-1);
	if (rc != 0) {
		xasprintf(cause, "journal: %s", strerror(errno));
		return (-1);
	}

	state_lose_running(&sd.jobs);
	state_lose_running(&sd.removed_jobs);
	state_cancel_foreign();
	job_prune_removed();
	/* The snapshot also reserves the first block of task ids. */
	if (state_snapshot(cause) != 0 || state_journal_new(cause) != 0)
		return (-1);
	return (0);
}

