/*
 * Persistent state (doc/state.md) in STATE_DIR: a snapshot (state.json,
 * written by state-snap.c) plus an append-only journal (journal), both of
 * JSON lines; the folder itself is state-folder.c's.  This file writes
 * the journal.
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
 *
 * Every file is opened relative to the state folder's descriptor, never
 * through a symbolic link, and temporary files are created new (O_EXCL)
 * under a name of their writer's own: the daemon and its compaction
 * child never write the same file, and the daemon stops the child before
 * it writes a snapshot itself, so there is one writer at a time.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"
#include "state.h"

#define STATE_BUFFER_MAX	(1024 * 1024)	/* then write at once */
#define STATE_RETRY_SECS	5

int			 state_fd = -1;		/* the journal */
uint64_t		 state_jsize;
int			 state_dirty;		/* written, not yet synced */
int			 state_dirent_dirty;	/* a new journal's name too */
size_t			 state_blen;		/* bytes in state_buf */
uint64_t		 state_generation;
uint64_t		 state_ids_reserved;	/* highest reservation made */
uint64_t		 state_ids_durable;	/* highest one on disk */
static uint64_t		 state_ids_ticket;	/* its sync, if in flight */
static uint64_t		 state_ids_flying;	/* the value being synced */
static int		 state_bans_dirty;	/* the ban list to write */
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
static size_t		 state_bsize;

static int	 state_append(json_t *, int);
static int	 state_commit(void);
static void	 state_unwrite(uint64_t);
static int	 state_encode(json_t *);
static void	 state_encode_pending(void);
static void	 state_flush_soon(void);
static void	 state_pending_job(const char *);
static void	 state_pending_task(uint64_t);
static void	 state_ids_reserve(int);
static void	 state_sync_cb(evutil_socket_t, short, void *);
static void	 state_retry_cb(evutil_socket_t, short, void *);
static json_t	*state_job_json_paused(const struct job *, int, int);
static json_t	*state_ban_json(const struct ban *);
static json_t	*state_bans_json_with(const struct ban *, int);

int
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
	char	*cause, *why, *when;
	int	 lost;

	cause = NULL;
	if ((lost = state_folder_lost(&why)) != 0) {
		free(why);
		if (state_reopen(&cause) != 0) {
			log_debug("state: still failing: %s", cause);
			free(cause);
			state_failed("retry");
			return;
		}
	}
	if (state_snapshot(&cause) == 0 && state_journal_new(&cause) == 0) {
		log_info("state: written again, all is on disk");
		sd.state_ok = 1;
		free(sd.state_error);
		sd.state_error = NULL;
		if (lost) {
			when = state_now_text();
			xasprintf(&sd.state_error, "state folder %s was lost "
			    "and made again at %s; everything in memory was "
			    "saved to it", sd.state_dir, when);
			free(when);
		}
		queue_dispatch_soon();
		return;
	}
	log_debug("state: still failing: %s", cause);
	free(cause);
	state_failed("retry");
}

static void
state_sync_cb(evutil_socket_t fd, short events, void *arg)
{
	if (state_check() && state_dirty && state_fd != -1 &&
	    state_sync_async(state_fd) == 0)
		state_failed("fdatasync journal");
	state_dirty = 0;
}

/* The helper thread has synced everything up to ticket. */
void
state_synced(uint64_t ticket)
{
	if (state_ids_ticket != 0 && ticket >= state_ids_ticket) {
		if (state_ids_flying > state_ids_durable)
			state_ids_durable = state_ids_flying;
		state_ids_ticket = 0;
	}
}

/*
 * Write a reservation of task ids up to a new block end.  With sync it is
 * on disk when this returns; otherwise the helper thread syncs it and it
 * counts once that is done.  Out of order with other lines is fine:
 * replay keeps the highest.
 */
static void
state_ids_reserve(int sync)
{
	uint64_t	 next;
	char		*line;
	size_t		 len;
	int		 rc;

	next = (sd.next_task_id > state_ids_durable ? sd.next_task_id :
	    state_ids_durable) + STATE_IDS_BLOCK;
	xasprintf(&line, "{\"t\":\"ids\",\"next\":%llu}\n",
	    (unsigned long long)next);
	len = strlen(line);
	rc = state_write_all(state_fd, line, len);
	free(line);
	if (rc != 0) {
		state_failed("write journal");
		return;
	}
	state_jsize += len;
	if (next > state_ids_reserved)
		state_ids_reserved = next;
	if (sync) {
		if (fdatasync(state_fd) == -1) {
			state_failed("fdatasync journal");
			return;
		}
		state_ids_durable = next;
		return;
	}
	state_ids_flying = next;
	if ((state_ids_ticket = state_sync_async(state_fd)) == 0)
		state_failed("fdatasync journal");
}

/*
 * The next task id.  Ids never go back or repeat, even after a power
 * loss: one is handed out only from a block whose reservation is on
 * disk.  The next block is reserved in the background when half of the
 * current one is used, and at once (synced here) if a burst outran that.
 */
uint64_t
state_next_id(void)
{
	if (state_fd != -1 && sd.state_ok) {
		if (sd.next_task_id >= state_ids_durable)
			state_ids_reserve(1);
		else if (state_ids_ticket == 0 && sd.next_task_id +
		    STATE_IDS_BLOCK / 2 >= state_ids_durable)
			state_ids_reserve(0);
	}
	return (sd.next_task_id++);
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
int
state_flush(void)
{
	struct timeval	 tv = { 1, 0 };

	if (sd.state_ok && state_fd != -1)
		state_encode_pending();
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
	if (!state_dirty) {
		state_dirty = 1;
		evtimer_add(state_sync_ev, &tv);
	}
	state_compact_check();
	return (0);
}

static void
state_flush_cb(evutil_socket_t fd, short events, void *arg)
{
	state_flush();
}

/*
 * Write what this turn changed now, not at the end of the turn: tasks
 * about to start are on disk as running before their processes exist.
 * -1 if it cannot be written.
 */
int
state_write_now(void)
{
	if (state_fd == -1)
		return (sd.state_dir == NULL ? 0 : -1);
	if (!sd.state_ok)
		return (-1);
	return (state_flush());
}

/*
 * Take back lines written since the journal was size bytes long: their
 * sync failed, so they were never acknowledged and must not come back at
 * a restart.  If even that fails, the snapshot the retry writes replaces
 * the journal.
 */
static void
state_unwrite(uint64_t size)
{
	if (ftruncate(state_fd, (off_t)size) == -1)
		log_warn("state: cannot take back an unsynced journal line");
	else
		state_jsize = size;
}

/*
 * Everything written so far is on disk, in the folder the daemon owns,
 * before an answer relies on it.  -1 (the state marked broken, and the
 * journal as it was) if not.
 */
static int
state_commit(void)
{
	uint64_t	 size = state_jsize;

	if (state_flush() != 0)
		return (-1);
	if (fdatasync(state_fd) == -1) {
		state_unwrite(size);
		state_failed("fdatasync journal");
		return (-1);
	}
	if (state_dirent_dirty) {
		if (state_sync_dir() == -1) {
			state_unwrite(size);
			state_failed("fsync state folder");
			return (-1);
		}
		state_dirent_dirty = 0;
	}
	state_dirty = 0;
	if (!state_check())
		return (-1);
	return (0);
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
	if (sync)
		return (state_commit());
	if (state_blen >= STATE_BUFFER_MAX)
		return (state_flush());
	state_flush_soon();
	return (0);
}

/* Forget what changed this turn: a snapshot has just saved it all. */
void
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
	state_bans_dirty = 0;
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
static json_t *
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
static json_t *
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

/*
 * A job is about to be paused or resumed at a client's request: the job
 * as it will be is durable before the change is applied and answered.
 */
int
state_job_paused(const struct job *j, int paused)
{
	return (state_append(state_job_json_paused(j, 0, paused), 1));
}

/*
 * A job's flags, counters or schedule changed: written once at the end
 * of this turn, however often it changed, and on disk within a second.
 */
void
state_job(const struct job *j)
{
	if (j->removed)
		return;
	if (!j->state_dirty && state_fd != -1) {
		((struct job *)j)->state_dirty = 1;
		state_pending_job(j->name);
	}
}

/*
 * A runtime job was removed, or its name was taken over by the
 * configuration: durable before the answer, so that no replay brings it
 * back.
 */
int
state_job_remove(const char *name)
{
	return (state_append(json_pack("{s:s,s:s}", "t", "job-", "name",
	    name), 1));
}

/*
 * An entry is about to be set in the ban list (or, with drop, taken out
 * of it): the list as it will be is durable before the change is applied
 * and answered.
 */
int
state_bans_propose(const struct ban *proposed, int drop)
{
	state_bans_dirty = 0;
	return (state_append(state_bans_json_with(proposed, drop), 1));
}

/*
 * The ban list changed with nobody to answer (an automatic ban): written
 * at the end of the turn like task records, and, while the state cannot
 * be written, kept in memory for the snapshot that will.
 */
void
state_bans_later(void)
{
	state_bans_dirty = 1;
	state_flush_soon();
}

/* A task was queued, started or ended: on disk within a second. */
void
state_task(const struct task *t)
{
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
 * Encode the tasks, jobs and ban list that changed this turn, each once,
 * as it is now.  One that is gone by now (a task pruned, a job removed)
 * needs no line: the state no longer has it.
 */
static void
state_encode_pending(void)
{
	struct task	*t;
	struct job	*j;
	size_t		 i;

	for (i = 0; i < state_ntasks; i++) {
		if ((t = task_find(state_ptasks[i])) == NULL ||
		    !t->state_dirty)
			continue;
		t->state_dirty = 0;
		state_encode(state_task_json(t));
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
	if (state_bans_dirty) {
		state_bans_dirty = 0;
		state_encode(state_bans_json());
	}
}

/* The sync and retry timers (armed only when needed), and compaction's. */
void
state_timers_init(void)
{
	state_compact_init();
	state_sync_init();
	state_sync_ev = evtimer_new(sd.base, state_sync_cb, NULL);
	state_retry_ev = evtimer_new(sd.base, state_retry_cb, NULL);
	state_flush_ev = event_new(sd.base, -1, 0, state_flush_cb, NULL);
}

/*
 * At exit: one last snapshot, so the next start replays nothing; then
 * release what state_timers_init and state_open set up (also after a
 * state_open that failed).
 */
void
state_close(void)
{
	char	*cause, *why;

	if (state_fd != -1) {
		state_flush();
		if (state_folder_lost(&why)) {
			log_warnx("state: not saved at exit: the state folder "
			    "%s %s", sd.state_dir, why);
			free(why);
			state_compact_stop();
		} else if (state_snapshot(&cause) == 0 &&
		    state_journal_new(&cause) == 0)
			log_debug("state: saved");
		else {
			log_warnx("state: could not save at exit: %s (the "
			    "journal has everything acknowledged)", cause);
			free(cause);
		}
	}
	state_sync_stop();
	if (state_fd != -1) {
		if (state_dirty)
			fdatasync(state_fd);
		close(state_fd);
		state_fd = -1;
	}
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
