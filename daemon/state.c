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
 * At start (state-load.c) the snapshot and the journal of the same
 * generation are replayed, and a new snapshot (temporary file, fsync,
 * rename, fsync of the folder) starts generation+1 with an empty journal.
 * The same compaction runs when the journal grows past its limit.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
#include "state.h"


#define STATE_JOURNAL_MAX	(16 * 1024 * 1024)	/* then compact */
#define STATE_BUFFER_MAX	(1024 * 1024)	/* then write at once */
#define STATE_RETRY_SECS	5

static int		 state_fd = -1;		/* the journal */
static uint64_t		 state_jsize;
static int		 state_dirty;		/* written, not yet synced */
static int		 state_compacting;
static pid_t		 state_compact_pid;	/* compaction child */
static int		 state_compact_fds[2];	/* journals it syncs */
static uint64_t		 state_journal_max = STATE_JOURNAL_MAX;
uint64_t		 state_generation;
uint64_t		 state_ids_reserved;
static struct event	*state_sync_ev;
static struct event	*state_retry_ev;
static struct event	*state_flush_ev;
static char		*state_buf;		/* lines not yet written */
static char		**state_pjobs;		/* jobs changed this turn */
static size_t		 state_njobs;
static size_t		 state_sjobs;
static uint64_t		*state_ptasks;		/* tasks changed this turn */
static size_t		 state_ntasks;
static size_t		 state_stasks;
static size_t		 state_blen;
static size_t		 state_bsize;

static int	 state_write_all(int, const char *, size_t);
static int	 state_append(json_t *, int);
static int	 state_encode(json_t *);
static void	 state_encode_pending(void);
static void	 state_flush_soon(void);
static void	 state_pending_job(const char *);
static void	 state_pending_task(uint64_t);
static void	 state_drop_pending(void);
static int	 state_snapshot_write(uint64_t, char **);
static int	 state_compact_child(void *);
static void	 state_compact_abandon(void);
static int	 state_flush(void);
static void	 state_sync_cb(evutil_socket_t, short, void *);
static void	 state_retry_cb(evutil_socket_t, short, void *);
static void	 state_compact_cb(evutil_socket_t, short, void *);
static json_t	*state_job_json(const struct job *, int);
static json_t	*state_bans_json(void);

char *
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
void
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
	if (state_dirty && state_fd != -1 && state_sync_async(state_fd) == -1)
		state_failed("fdatasync journal");
	state_dirty = 0;
}

/*
 * Compaction without stopping the loop: a new journal (journal.new, the
 * next generation) takes every change from now on, and a forked child
 * writes the snapshot of that generation from its copy of memory.  When
 * it has, journal.new becomes the journal.  Until then a restart replays
 * both journals; if the child fails, a snapshot is written here instead.
 */
static void
state_compact_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*cause, *path, *s;
	uint64_t gen = state_generation + 1;
	int	 nfd;

	if (state_compact_pid != 0 || !sd.state_ok || state_fd == -1) {
		state_compacting = 0;
		return;
	}
	state_flush();
	path = state_path("journal.new");
	xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n",
	    STATE_VERSION, (unsigned long long)gen);
	nfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
	    0600);
	if (nfd == -1 || state_write_all(nfd, s, strlen(s)) != 0) {
		if (nfd != -1)
			close(nfd);
		unlink(path);
		free(path);
		free(s);
		goto sync;
	}
	free(path);
	/* The child syncs both journals before writing the snapshot. */
	state_compact_fds[0] = state_fd;
	state_compact_fds[1] = nfd;
	state_compact_pid = spawn_worker(state_compact_child, &gen);
	if (state_compact_pid == -1) {
		state_compact_pid = 0;
		close(nfd);
		free(s);
		goto sync;
	}
	close(state_fd);
	state_fd = nfd;
	state_generation = gen;
	state_jsize = strlen(s);
	state_dirty = 0;
	free(s);
	log_debug("state: compacting in process %ld", (long)state_compact_pid);
	return;
sync:
	state_compacting = 0;
	if (state_snapshot(&cause) != 0 || state_journal_new(&cause) != 0) {
		state_failed(cause);
		free(cause);
	}
}

/* In the forked child: write the snapshot, and say how it went. */
static int
state_compact_child(void *arg)
{
	char	*cause;

	/*
	 * Not the lock: if the daemon dies, a new one must be able to take
	 * the state folder at once.
	 */
	if (sd.lock_fd != -1)
		close(sd.lock_fd);
	if (fdatasync(state_compact_fds[0]) != 0 ||
	    fdatasync(state_compact_fds[1]) != 0 || state_sync_dir() != 0) {
		log_warn("state: compaction: fdatasync");
		return (1);
	}
	if (state_snapshot_write(*(uint64_t *)arg, &cause) != 0) {
		log_warnx("state: compaction: %s", cause);
		return (1);
	}
	return (0);
}

/*
 * The compaction child ended: on success the new journal becomes the
 * journal; otherwise the snapshot is written here.  Returns 0 if pid was
 * not the compaction child.
 */
int
state_child_reaped(pid_t pid, int status)
{
	char	*cause, *from, *to;

	if (pid != state_compact_pid || pid == 0)
		return (0);
	state_compact_pid = 0;
	state_compacting = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		from = state_path("journal.new");
		to = state_path("journal");
		if (rename(from, to) == 0 && state_sync_dir() == 0) {
			free(from);
			free(to);
			return (1);
		}
		log_warn("state: rename %s", from);
		free(from);
		free(to);
	} else
		log_warnx("state: compaction process failed; writing the "
		    "snapshot here");
	if (state_snapshot(&cause) != 0 || state_journal_new(&cause) != 0) {
		state_failed(cause);
		free(cause);
	}
	return (1);
}

/*
 * A snapshot written here covers everything: a compaction still running
 * is of no use any more.
 */
static void
state_compact_abandon(void)
{
	char	*path;
	int	 status;

	if (state_compact_pid != 0) {
		kill(state_compact_pid, SIGKILL);
		waitpid(state_compact_pid, &status, 0);
		state_compact_pid = 0;
		state_compacting = 0;
	}
	path = state_path("journal.new");
	unlink(path);
	free(path);
}

/* Collect an encoded line in the write buffer. */
static int
state_dump(const char *buf, size_t len, void *arg)
{
	if (state_blen + len > state_bsize) {
		while (state_blen + len > state_bsize)
			state_bsize = state_bsize == 0 ? 65536 :
			    state_bsize * 2;
		state_buf = xreallocarray(state_buf, state_bsize, 1);
	}
	memcpy(state_buf + state_blen, buf, len);
	state_blen += len;
	return (0);
}

/*
 * Write the buffered lines with one write(2): after that a crash of the
 * daemon loses none of them; they are fsynced within a second.
 */
static int
state_flush(void)
{
	struct timeval	 tv = { 1, 0 };
	int		 reserve = 0;

	if (sd.state_ok && state_fd != -1) {
		state_encode_pending();
		/* Half of the id block is used: reserve the next one now. */
		if (sd.next_task_id + STATE_IDS_BLOCK / 2 >
		    state_ids_reserved) {
			state_ids_reserved = sd.next_task_id + STATE_IDS_BLOCK;
			state_encode(json_pack("{s:s,s:I}", "t", "ids", "next",
			    (json_int_t)state_ids_reserved));
			reserve = 1;
		}
	}
	if (state_blen == 0)
		return (0);
	if (!sd.state_ok || state_fd == -1) {
		state_blen = 0;
		return (-1);
	}
	if (state_write_all(state_fd, state_buf, state_blen) != 0) {
		state_blen = 0;
		state_failed("write journal");
		return (-1);
	}
	state_jsize += state_blen;
	state_blen = 0;
	if (reserve) {
		if (state_sync_async(state_fd) == -1) {
			state_failed("fdatasync journal");
			return (-1);
		}
		state_dirty = 0;
	} else if (!state_dirty) {
		state_dirty = 1;
		evtimer_add(state_sync_ev, &tv);
	}
	if (state_jsize > state_journal_max && !state_compacting) {
		state_compacting = 1;
		tv.tv_sec = 0;
		event_base_once(sd.base, -1, EV_TIMEOUT, state_compact_cb,
		    NULL, &tv);
	}
	return (0);
}

static void
state_flush_cb(evutil_socket_t fd, short events, void *arg)
{
	state_flush();
}

/*
 * Append one line to the journal.  With sync it is on disk when this
 * returns 0.  Otherwise it is written at the end of this turn of the loop
 * (before any answer of this turn reaches its client) and on disk within
 * a second.  -1 if it cannot be written.
 */
static int
state_append(json_t *rec, int sync)
{
	if (state_fd == -1) {
		json_decref(rec);
		return (sd.state_dir == NULL ? 0 : -1);
	}
	if (!sd.state_ok) {
		/* Until a snapshot succeeds, nothing may be half-written. */
		json_decref(rec);
		return (-1);
	}
	/* Lines of this turn first, so the order on disk is the real one. */
	state_encode_pending();
	if (state_encode(rec) != 0)
		return (-1);
	if (sync) {
		if (state_flush() != 0)
			return (-1);
		if (fdatasync(state_fd) == -1) {
			state_failed("fdatasync journal");
			return (-1);
		}
		state_dirty = 0;
		return (0);
	}
	if (state_blen >= STATE_BUFFER_MAX)
		return (state_flush());
	state_flush_soon();
	return (0);
}

/* Forget what changed this turn: a snapshot has just saved it all. */
static void
state_drop_pending(void)
{
	struct task	*t;
	struct job	*j;
	size_t		 i;

	for (i = 0; i < state_ntasks; i++) {
		if ((t = task_find(state_ptasks[i])) != NULL)
			t->state_dirty = 0;
	}
	for (i = 0; i < state_njobs; i++) {
		if ((j = job_find(state_pjobs[i])) != NULL)
			j->state_dirty = 0;
		free(state_pjobs[i]);
	}
	state_ntasks = state_njobs = 0;
}

/* One object as one line in the write buffer; takes rec. */
static int
state_encode(json_t *rec)
{
	int	 rc;

	rc = json_dump_callback(rec, state_dump, NULL, JSON_COMPACT);
	json_decref(rec);
	if (rc != 0)
		return (-1);
	return (state_dump("\n", 1, NULL));
}

/* Write what this turn changed at the end of the turn. */
static void
state_flush_soon(void)
{
	if (state_flush_ev != NULL &&
	    !event_pending(state_flush_ev, EV_TIMEOUT, NULL))
		event_active(state_flush_ev, EV_TIMEOUT, 0);
}

/* A job's persistent state; with_def adds a runtime job's definition. */
static json_t *
state_job_json(const struct job *j, int with_def)
{
	const struct retry	*r;
	json_t			*o, *retries;

	o = json_pack("{s:s,s:s,s:s,s:I,s:b,s:b}", "t", "job", "name",
	    j->name, "origin", j->origin == ORIGIN_CONFIG ? "config" :
	    "runtime", "uid", (json_int_t)j->uid, "paused", j->paused,
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
		    "attempt", (json_int_t)r->attempt, "uid", (json_int_t)r->uid,
		    "at_ms", (json_int_t)(r->at / 1000000)));
	json_object_set_new(o, "retries", retries);
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
	if (sync)
		return (state_append(state_job_json(j, 0), 1));
	/* Written once at the end of this turn, however often it changed. */
	if (!j->state_dirty && state_fd != -1) {
		((struct job *)j)->state_dirty = 1;
		state_pending_job(j->name);
	}
	return (0);
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
	/*
	 * Ids never go back, even after a power loss: they are reserved in
	 * blocks ahead (state_flush); a burst that outruns the reservation
	 * reserves here, at once.
	 */
	if (t->id >= state_ids_reserved && state_fd != -1) {
		state_ids_reserved = t->id + STATE_IDS_BLOCK;
		state_append(json_pack("{s:s,s:I}", "t", "ids", "next",
		    (json_int_t)state_ids_reserved), 1);
	}
	if (!t->state_dirty && state_fd != -1) {
		((struct task *)t)->state_dirty = 1;
		state_pending_task(t->id);
	}
}

/* Remember a job whose state must be written at the end of the turn. */
static void
state_pending_job(const char *name)
{
	if (state_njobs == state_sjobs) {
		state_sjobs = state_sjobs == 0 ? 64 : state_sjobs * 2;
		state_pjobs = xreallocarray(state_pjobs, state_sjobs,
		    sizeof *state_pjobs);
	}
	state_pjobs[state_njobs++] = xstrdup(name);
	state_flush_soon();
}

/* Remember a task whose record must be written at the end of the turn. */
static void
state_pending_task(uint64_t id)
{
	if (state_ntasks == state_stasks) {
		state_stasks = state_stasks == 0 ? 256 : state_stasks * 2;
		state_ptasks = xreallocarray(state_ptasks, state_stasks,
		    sizeof *state_ptasks);
	}
	state_ptasks[state_ntasks++] = id;
	state_flush_soon();
}

/*
 * Encode the tasks and jobs that changed this turn, each once, as it is
 * now.  One that is gone by now (a task pruned, a job removed) needs no
 * line: the state no longer has it.
 */
static void
state_encode_pending(void)
{
	struct task	*t;
	struct job	*j;
	json_t		*rec;
	size_t		 i;

	for (i = 0; i < state_ntasks; i++) {
		if ((t = task_find(state_ptasks[i])) == NULL ||
		    !t->state_dirty)
			continue;
		t->state_dirty = 0;
		rec = task_record(t);
		json_object_set_new(rec, "t", json_string("task"));
		state_encode(rec);
	}
	state_ntasks = 0;
	for (i = 0; i < state_njobs; i++) {
		if ((j = job_find(state_pjobs[i])) != NULL && j->state_dirty) {
			j->state_dirty = 0;
			state_encode(state_job_json(j, 0));
		}
		free(state_pjobs[i]);
	}
	state_njobs = 0;
}

/* Write the whole state as a new snapshot of the next generation. */
int
state_snapshot(char **cause)
{
	if (state_snapshot_write(state_generation + 1, cause) != 0)
		return (-1);
	state_generation++;
	return (0);
}

/* Write the whole state as the snapshot of generation gen. */
static int
state_snapshot_write(uint64_t gen, char **cause)
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
	    "generation", (json_int_t)gen,
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
int
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
	state_blen = 0;		/* the snapshot just written holds them */
	state_compact_abandon();
	state_drop_pending();
	free(s);
	free(tmp);
	free(path);
	return (0);
}

/*
 * The sync and retry timers (armed only when needed), and the journal
 * size that starts a compaction (SCHEDD_JOURNAL_MAX, in bytes, lets the
 * tests make it small).
 */
void
state_timers_init(void)
{
	const char	*e;
	uint64_t	 n;

	if ((e = getenv("SCHEDD_JOURNAL_MAX")) != NULL &&
	    parse_size(e, &n) == 0 && n > 0)
		state_journal_max = n;
	state_sync_init();
	state_sync_ev = evtimer_new(sd.base, state_sync_cb, NULL);
	state_retry_ev = evtimer_new(sd.base, state_retry_cb, NULL);
	state_flush_ev = event_new(sd.base, -1, 0, state_flush_cb, NULL);
}

/* At exit: one last snapshot, so the next start replays nothing. */
void
state_close(void)
{
	char	*cause;

	if (state_fd == -1)
		return;
	state_flush();
	if (state_snapshot(&cause) == 0 && state_journal_new(&cause) == 0)
		log_debug("state: saved");
	else {
		log_warnx("state: could not save at exit: %s (the journal "
		    "has everything)", cause);
		free(cause);
	}
	state_sync_stop();
	if (state_dirty)
		fdatasync(state_fd);
	close(state_fd);
	state_fd = -1;
	if (state_sync_ev != NULL)
		event_free(state_sync_ev);
	if (state_retry_ev != NULL)
		event_free(state_retry_ev);
	if (state_flush_ev != NULL)
		event_free(state_flush_ev);
	state_sync_ev = state_retry_ev = state_flush_ev = NULL;
	free(state_buf);
	state_buf = NULL;
	state_blen = state_bsize = 0;
	state_drop_pending();
	free(state_pjobs);
	free(state_ptasks);
	state_pjobs = NULL;
	state_ptasks = NULL;
}
