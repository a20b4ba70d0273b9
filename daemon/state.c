/*
 * Persistent state (spec section 7) in STATE_DIR: a snapshot (state.json)
 * plus an append-only journal (journal), both of JSON lines.
 *
 * Every change is one journal line, written with write(2) at once, so a
 * crash of the daemon loses nothing it wrote; the journal is fsynced
 * before "add", "remove", "ban", "unban", "pause" and "resume" answer, and
 * within a second for everything else (task records, counters).  Lines
 * are upserts of whole objects -- a job's state, a task record, the ban
 * list -- so replay is "last line wins" and a torn last line is skipped.
 *
 * At start the snapshot and the journal of the same generation are
 * replayed, and a new snapshot (temporary file, fsync, rename, fsync of
 * the folder) starts generation+1 with an empty journal.  The same
 * compaction runs when the journal grows past its limit.
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
#include "schedd.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

#define STATE_VERSION		1
#define STATE_JOURNAL_MAX	(16 * 1024 * 1024)	/* then compact */
#define STATE_IDS_BLOCK		1000
#define STATE_RETRY_SECS	5

static int		 state_fd = -1;		/* the journal */
static uint64_t		 state_generation;
static uint64_t		 state_jsize;
static int		 state_dirty;		/* written, not yet synced */
static uint64_t		 state_ids_reserved;
static struct event	*state_sync_ev;
static struct event	*state_retry_ev;
static int		 state_compacting;

static char	*state_path(const char *);
static int	 state_write_all(int, const char *, size_t);
static int	 state_append(json_t *, int);
static void	 state_failed(const char *);
static void	 state_sync_cb(evutil_socket_t, short, void *);
static void	 state_retry_cb(evutil_socket_t, short, void *);
static void	 state_compact_cb(evutil_socket_t, short, void *);
static int	 state_snapshot(char **);
static int	 state_journal_new(char **);
static void	 state_apply(json_t *, int);
static void	 state_apply_job(json_t *);
static void	 state_apply_task(json_t *);
static void	 state_apply_bans(json_t *);
static json_t	*state_job_json(const struct job *, int);
static json_t	*state_bans_json(void);
static void	 state_move_aside(const char *, const char *);

static char *
state_path(const char *name)
{
	char	*s;

	xasprintf(&s, "%s/%s", sd.state_dir, name);
	return (s);
}

static int
state_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* fsync a folder, so a rename in it is durable. */
static int
state_sync_dir(void)
{
	int	 fd, rc;

	if ((fd = open(sd.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return (-1);
	rc = fsync(fd);
	close(fd);
	return (rc);
}

/*
 * Writing failed: mark the state broken, say so once, and retry a full
 * snapshot every few seconds until one succeeds.
 */
static void
state_failed(const char *what)
{
	struct timeval	 tv = { STATE_RETRY_SECS, 0 };

	if (sd.state_ok)
		log_warn("state: %s; changes are refused until it can be "
		    "written again", what);
	sd.state_ok = 0;
	if (state_retry_ev != NULL && !evtimer_pending(state_retry_ev, NULL))
		evtimer_add(state_retry_ev, &tv);
}

static void
state_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*cause;

	if (state_snapshot(&cause) == 0 && state_journal_new(&cause) == 0) {
		log_info("state: written again, all is on disk");
		sd.state_ok = 1;
		free(sd.state_error);
		sd.state_error = NULL;
		return;
	}
	log_debug("state: still failing: %s", cause);
	free(cause);
	state_failed("retry");
}

static void
state_sync_cb(evutil_socket_t fd, short events, void *arg)
{
	if (state_dirty && state_fd != -1 && fdatasync(state_fd) == -1)
		state_failed("fdatasync journal");
	state_dirty = 0;
}

static void
state_compact_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*cause;

	state_compacting = 0;
	if (state_snapshot(&cause) != 0 || state_journal_new(&cause) != 0) {
		state_failed(cause);
		free(cause);
	}
}

/*
 * Append one line to the journal.  With sync it is on disk when this
 * returns 0; otherwise within a second.  -1 if it could not be written.
 */
static int
state_append(json_t *rec, int sync)
{
	struct timeval	 tv = { 1, 0 };
	char		*s;
	size_t		 len;
	int		 rc = 0;

	if (state_fd == -1) {
		json_decref(rec);
		return (sd.state_dir == NULL ? 0 : -1);
	}
	s = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (s == NULL)
		return (-1);
	len = strlen(s);
	s[len] = '\n';
	if (!sd.state_ok) {
		/* Until a snapshot succeeds, nothing may be half-written. */
		free(s);
		return (-1);
	}
	if (state_write_all(state_fd, s, len + 1) != 0) {
		free(s);
		state_failed("write journal");
		return (-1);
	}
	free(s);
	state_jsize += len + 1;
	if (sync) {
		if (fdatasync(state_fd) == -1) {
			state_failed("fdatasync journal");
			return (-1);
		}
		state_dirty = 0;
	} else if (!state_dirty) {
		state_dirty = 1;
		evtimer_add(state_sync_ev, &tv);
	}
	if (state_jsize > STATE_JOURNAL_MAX && !state_compacting) {
		state_compacting = 1;
		tv.tv_sec = 0;
		event_base_once(sd.base, -1, EV_TIMEOUT, state_compact_cb,
		    NULL, &tv);
	}
	return (rc);
}

/* A job's persistent state; with_def adds a runtime job's definition. */
static json_t *
state_job_json(const struct job *j, int with_def)
{
	json_t	*o;

	o = json_pack("{s:s,s:s,s:s,s:I,s:b}", "t", "job", "name", j->name,
	    "origin", j->origin == ORIGIN_CONFIG ? "config" : "runtime",
	    "uid", (json_int_t)j->uid, "paused", j->paused);
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
	json_object_set_new(o, "sched", json_pack("{s:I,s:s?,s:b,s:I,s:b}",
	    "last_wall", (json_int_t)j->last_wall,
	    "at", j->def->at,
	    "at_done", j->at_done,
	    "runs", (json_int_t)j->sched_runs,
	    "ended", j->sched_ended));
	return (o);
}

static json_t *
state_bans_json(void)
{
	struct ban	*b;
	json_t		*list;

	list = json_array();
	TAILQ_FOREACH(b, &sd.bans, entry) {
		json_array_append_new(list, json_pack("{s:s,s:s?,s:I,s:I,"
		    "s:I,s:b}", "name", b->name, "reason", b->reason,
		    "since_s", (json_int_t)b->since.tv_sec,
		    "since_ns", (json_int_t)b->since.tv_nsec,
		    "by", (json_int_t)b->by, "auto", b->automatic));
	}
	return (json_pack("{s:s,s:o}", "t", "bans", "bans", list));
}

/*
 * A job is about to be added or redefined at run time: durable before it
 * is applied and answered.
 */
int
state_job_def(const struct jobdef *def, uid_t uid, int paused)
{
	return (state_append(json_pack("{s:s,s:s,s:s,s:I,s:b,s:o}", "t",
	    "job", "name", def->name, "origin", "runtime", "uid",
	    (json_int_t)uid, "paused", paused, "def", jobdef_to_json(def,
	    NULL)), 1));
}

/* A job's flags, counters or schedule changed (sync: before answering). */
int
state_job(const struct job *j, int sync)
{
	return (state_append(state_job_json(j, 0), sync));
}

/* A runtime job was removed: durable before the answer. */
int
state_job_remove(const char *name)
{
	return (state_append(json_pack("{s:s,s:s}", "t", "job-", "name",
	    name), 1));
}

/* The ban list changed: durable before the answer. */
int
state_bans(void)
{
	return (state_append(state_bans_json(), 1));
}

/* A task was queued, started or ended: on disk within a second. */
void
state_task(const struct task *t)
{
	json_t	*rec;

	/* Ids never go back, even after a power loss: reserve ahead. */
	if (t->id >= state_ids_reserved && state_fd != -1) {
		state_ids_reserved = t->id + STATE_IDS_BLOCK;
		state_append(json_pack("{s:s,s:I}", "t", "ids", "next",
		    (json_int_t)state_ids_reserved), 1);
	}
	rec = task_record(t);
	json_object_set_new(rec, "t", json_string("task"));
	state_append(rec, 0);
}

/* Write the whole state as a new snapshot of the next generation. */
static int
state_snapshot(char **cause)
{
	struct job	*j;
	struct task	*t;
	json_t		*o, *jobs, *tasks, *bans, *list;
	char		*tmp, *path, *s;
	int		 fd, saved;

	bans = state_bans_json();
	list = json_incref(json_object_get(bans, "bans"));
	json_decref(bans);
	jobs = json_array();
	tasks = json_array();
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		json_array_append_new(jobs, state_job_json(j, 1));
		TAILQ_FOREACH(t, &j->history, entry)
			json_array_append_new(tasks, task_record(t));
		TAILQ_FOREACH(t, &j->running, entry)
			json_array_append_new(tasks, task_record(t));
		TAILQ_FOREACH(t, &j->queue, entry)
			json_array_append_new(tasks, task_record(t));
	}
	o = json_pack("{s:i,s:I,s:I,s:o,s:o,s:o}", "version", STATE_VERSION,
	    "generation", (json_int_t)(state_generation + 1),
	    "next_task_id", (json_int_t)(sd.next_task_id > state_ids_reserved ?
	    sd.next_task_id : state_ids_reserved),
	    "jobs", jobs, "bans", list, "tasks", tasks);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL) {
		*cause = xstrdup("cannot encode the state");
		return (-1);
	}
	tmp = state_path("state.json.tmp");
	path = state_path("state.json");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || state_write_all(fd, s, strlen(s)) != 0 ||
	    state_write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlink(tmp);
		xasprintf(cause, "write %s: %s", tmp, strerror(saved));
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) == -1 || state_sync_dir() == -1) {
		xasprintf(cause, "rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	state_generation++;
	free(s);
	free(tmp);
	free(path);
	return (0);
fail:
	free(s);
	free(tmp);
	free(path);
	return (-1);
}

/* Start an empty journal for the current generation. */
static int
state_journal_new(char **cause)
{
	char	*tmp, *path, *s;
	int	 fd, saved;

	tmp = state_path("journal.tmp");
	path = state_path("journal");
	xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n", STATE_VERSION,
	    (unsigned long long)state_generation);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || state_write_all(fd, s, strlen(s)) != 0 ||
	    fsync(fd) != 0 || rename(tmp, path) == -1 ||
	    state_sync_dir() == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlink(tmp);
		xasprintf(cause, "write %s: %s", path, strerror(saved));
		free(s);
		free(tmp);
		free(path);
		return (-1);
	}
	if (state_fd != -1)
		close(state_fd);
	/* Appends go to the renamed file: the descriptor follows it. */
	state_fd = fd;
	if (lseek(state_fd, 0, SEEK_END) == -1) {
		xasprintf(cause, "seek %s: %s", path, strerror(errno));
		free(s);
		free(tmp);
		free(path);
		return (-1);
	}
	state_jsize = strlen(s);
	state_dirty = 0;
	free(s);
	free(tmp);
	free(path);
	return (0);
}

/* Move an unreadable file aside, loudly. */
static void
state_move_aside(const char *name, const char *why)
{
	char	*path, *to;

	path = state_path(name);
	xasprintf(&to, "%s.corrupt-%lld", path, (long long)time(NULL));
	if (rename(path, to) == -1)
		log_warn("state: rename %s", path);
	log_warnx("STATE LOST: %s %s; moved to %s and starting without it",
	    path, why, to);
	free(sd.state_error);
	xasprintf(&sd.state_error, "%s %s; moved to %s", path, why, to);
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
			job_remove(j, NULL, NULL, 0);
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
	json_t		*c, *l, *s, *dv;
	const char	*name, *origin, *at;
	char		*cause;

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
			job_set_def(j, def);
	}
	if (j == NULL || (j->origin == ORIGIN_CONFIG) !=
	    (strcmp(origin, "config") == 0))
		return;
	if (j->origin == ORIGIN_RUNTIME)
		j->uid = (uid_t)json_integer_value(json_object_get(o, "uid"));
	j->paused = json_is_true(json_object_get(o, "paused"));
	if ((c = json_object_get(o, "counters")) != NULL) {
		j->counters.runs = json_integer_value(json_object_get(c,
		    "runs"));
		j->counters.succeeded = json_integer_value(json_object_get(c,
		    "succeeded"));
		j->counters.failed = json_integer_value(json_object_get(c,
		    "failed"));
		j->counters.timeouts = json_integer_value(json_object_get(c,
		    "timeouts"));
		j->counters.stopped = json_integer_value(json_object_get(c,
		    "stopped"));
		j->counters.skipped = json_integer_value(json_object_get(c,
		    "skipped"));
		j->counters.missed = json_integer_value(json_object_get(c,
		    "missed"));
		j->counters.consecutive_failures = json_integer_value(
		    json_object_get(c, "consecutive_failures"));
	}
	if ((l = json_object_get(o, "last")) != NULL) {
		j->last_task = json_integer_value(json_object_get(l, "task"));
		if (json_is_string(json_object_get(l, "state")) &&
		    task_state_parse(json_string_value(json_object_get(l,
		    "state"))) != -1)
			j->last_state = task_state_parse(json_string_value(
			    json_object_get(l, "state")));
		j->last_run.tv_sec = json_integer_value(json_object_get(l,
		    "run_s"));
		j->last_run.tv_nsec = json_integer_value(json_object_get(l,
		    "run_ns"));
	}
	if ((s = json_object_get(o, "sched")) != NULL) {
		j->restored = 1;
		j->last_wall = json_integer_value(json_object_get(s,
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
			j->sched_runs = 0;
			j->sched_ended = 0;
		}
	}
}

/* Take a task out of whatever list of its job it is on, and free it. */
static void
state_drop_task(struct task *t)
{
	struct job	*j = t->job;

	switch (t->state) {
	case TASK_QUEUED:
		queue_remove(t);
		break;
	case TASK_RUNNING:
		TAILQ_REMOVE(&j->running, t, entry);
		j->nrunning--;
		sd.nrunning--;
		break;
	default:
		TAILQ_REMOVE(&j->history, t, entry);
		j->nhistory--;
		break;
	}
	task_free(t);
}

static void
state_apply_task(json_t *rec)
{
	struct task	*t, *old, *o;
	struct job	*j;
	json_int_t	 id;
	const char	*name;

	id = json_integer_value(json_object_get(rec, "id"));
	name = json_string_value(json_object_get(rec, "job"));
	if (id <= 0 || name == NULL)
		return;
	if ((uint64_t)id >= sd.next_task_id)
		sd.next_task_id = (uint64_t)id + 1;
	if ((old = task_find((uint64_t)id)) != NULL)
		state_drop_task(old);
	if ((j = job_find(name)) == NULL)
		return;
	if ((t = task_from_record(j, rec)) == NULL)
		return;
	switch (t->state) {
	case TASK_QUEUED:
		/* in id order, which is the order they were queued */
		t->seq = t->id;
		for (o = TAILQ_LAST(&j->queue, task_list); o != NULL &&
		    o->id > t->id; o = TAILQ_PREV(o, task_list, entry))
			;
		if (o == NULL)
			TAILQ_INSERT_HEAD(&j->queue, t, entry);
		else
			TAILQ_INSERT_AFTER(&j->queue, o, t, entry);
		j->nqueued++;
		sd.nqueued++;
		if (!j->waiting) {
			TAILQ_INSERT_TAIL(&sd.waiting, j, wentry);
			j->waiting = 1;
		}
		break;
	case TASK_RUNNING:
		TAILQ_INSERT_TAIL(&j->running, t, entry);
		j->nrunning++;
		sd.nrunning++;
		break;
	default:
		for (o = TAILQ_LAST(&j->history, task_list); o != NULL &&
		    o->id > t->id; o = TAILQ_PREV(o, task_list, entry))
			;
		if (o == NULL)
			TAILQ_INSERT_HEAD(&j->history, t, entry);
		else
			TAILQ_INSERT_AFTER(&j->history, o, t, entry);
		j->nhistory++;
		break;
	}
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

/* Read a whole file; NULL and errno on failure (ENOENT: none). */
static char *
state_read(const char *path, size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	if (fstat(fd, &st) == -1) {
		close(fd);
		return (NULL);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*lenp = off;
	return (buf);
}

/* Replay the journal of the current generation; a torn tail is skipped. */
static int
state_replay(char **cause)
{
	json_error_t	 err;
	json_t		*o;
	char		*path, *buf, *line, *nl;
	size_t		 len, lines = 0, bad = 0;
	json_int_t	 v;

	path = state_path("journal");
	if ((buf = state_read(path, &len)) == NULL) {
		free(path);
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
			    "generation")) != state_generation) {
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
 * Load the saved state over the configured jobs, turn tasks that were
 * running into "lost" (killing what is left of them), and start a new
 * snapshot and journal.  -1 and a cause if the daemon must not start.
 */
int
state_open(char **cause)
{
	json_error_t	 err;
	json_t		*o, *v;
	struct job	*j;
	struct task	*t;
	char		*path, *buf;
	size_t		 len, i;
	json_int_t	 version;
	int		 rc;

	state_sync_ev = evtimer_new(sd.base, state_sync_cb, NULL);
	state_retry_ev = evtimer_new(sd.base, state_retry_cb, NULL);
	path = state_path("state.json");
	if ((buf = state_read(path, &len)) == NULL && errno != ENOENT) {
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
	if ((rc = state_replay(cause)) == -2)
		return (-1);
	if (rc != 0) {
		xasprintf(cause, "journal: %s", strerror(errno));
		return (-1);
	}

	/* What was running when the daemon died is lost. */
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		while ((t = TAILQ_FIRST(&j->running)) != NULL) {
			TAILQ_REMOVE(&j->running, t, entry);
			j->nrunning--;
			sd.nrunning--;
			if (t->pid > 0 && spawn_kill_lost(t->pid, t->id) > 0)
				log_warnx("task %llu (%s): killed what was left "
				    "of it", (unsigned long long)t->id,
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
			TAILQ_INSERT_TAIL(&j->history, t, entry);
			j->nhistory++;
		}
		task_prune(j);
	}
	if (state_snapshot(cause) != 0 || state_journal_new(cause) != 0)
		return (-1);
	return (0);
}

/* At exit: one last snapshot, so the next start replays nothing. */
void
state_close(void)
{
	char	*cause;

	if (state_fd == -1)
		return;
	if (state_snapshot(&cause) == 0 && state_journal_new(&cause) == 0)
		log_debug("state: saved");
	else {
		log_warnx("state: could not save at exit: %s (the journal "
		    "has everything)", cause);
		free(cause);
	}
	if (state_dirty)
		fdatasync(state_fd);
	close(state_fd);
	state_fd = -1;
	if (state_sync_ev != NULL)
		event_free(state_sync_ev);
	if (state_retry_ev != NULL)
		event_free(state_retry_ev);
	state_sync_ev = state_retry_ev = NULL;
}
