/* SPDX-License-Identifier: ISC */
/*
 * Persistent state (doc/state.md) in STATE_DIR: a snapshot (state.json,
 * written by state-snap.c) plus an append-only journal (journal), both of
 * JSON lines; the folder itself is state-folder.c's.  This file writes
 * the journal.
 *
 * Every change is one journal line, written at the end of the turn (an
 * acknowledged one at once) with one write(2) for all of them, by the
 * loop or, when a timer is due soon, by a helper thread
 * (state-write.c); a task's "running" line is in the journal before its
 * process exists.  Lines are upserts of whole
 * objects -- a job's state, a task record, the ban list -- so replay is
 * "last line wins" and a torn last line is skipped.  The journal is
 * fsynced by a helper thread (state-sync.c): within a second for task
 * records and counters, and at the end of the turn for the acknowledged
 * changes ("add", "remove", "ban", "unban", "pause", "resume"), whose
 * answers wait until it is done.  One fdatasync thus covers every change
 * made while the previous one ran: group commit.
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

#include "jw.h"
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
static uint64_t		 state_synced_ticket;	/* highest sync done */
static uint64_t		 state_ack_seq;		/* acknowledged lines written */
static uint64_t		 state_ack_epoch = 1;	/* the open group commit */
static uint64_t		 state_ack_durable;	/* highest epoch on disk */
static int		 state_ack_open;	/* the open one has lines */
static struct {
	uint64_t	 epoch;
	uint64_t	 ticket;
}			*state_ack_flying;	/* epochs being synced */
static size_t		 state_ack_nflying;
static size_t		 state_ack_sflying;
static uint64_t		 state_ids_flying;	/* the value being synced */
static uint64_t		 state_ids_block = STATE_IDS_BLOCK; /* next size */
static uint64_t		 state_ids_last_ms;	/* when the last was made */
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
static struct jw	 state_line;		/* a line being encoded */
static struct jw	 state_ack_line;	/* an acknowledged one */

static int	 state_append(struct jw *, int);
static void	 state_ack_sync(void);
static void	 state_ack_advance(void);
static void	 state_ack_all_durable(void);
static void	 state_encode_line(struct jw *);
static void	 state_encode_pending(void);
static void	 state_flush_soon(void);
static void	 state_pending_job(const char *);
static void	 state_pending_task(uint64_t);
static void	 state_ids_reserve(int);
static void	 state_sync_cb(evutil_socket_t, short, void *);
static void	 state_retry_cb(evutil_socket_t, short, void *);

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
		log_error("state: %s; changes are refused until it can be "
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
		log_notice("state: written again, all is on disk");
		sd.state_ok = 1;
		state_ack_all_durable();
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
	    state_sync_async(state_fd, -1) == 0)
		state_failed("fdatasync journal");
	state_dirty = 0;
}

/* The helper thread has synced everything up to ticket. */
void
state_synced(uint64_t ticket)
{
	if (ticket > state_synced_ticket)
		state_synced_ticket = ticket;
	if (state_ids_ticket != 0 && ticket >= state_ids_ticket) {
		if (state_ids_flying > state_ids_durable)
			state_ids_durable = state_ids_flying;
		state_ids_ticket = 0;
	}
	state_ack_advance();
}

/*
 * The open group commit has lines: have them synced, with the folder if
 * a new journal's name must reach the disk too, and open the next one.
 * Called at the end of the turn, after its lines were written.
 */
static void
state_ack_sync(void)
{
	uint64_t	 ticket;

	if (!state_ack_open || state_fd == -1 || !sd.state_ok)
		return;
	ticket = state_sync_async(state_fd, state_dirent_dirty ?
	    sd.state_dirfd : -1);
	if (ticket == 0) {
		state_failed("fdatasync journal");
		return;
	}
	state_dirent_dirty = 0;
	if (state_ack_nflying == state_ack_sflying) {
		state_ack_sflying = state_ack_sflying == 0 ? 8 :
		    state_ack_sflying * 2;
		state_ack_flying = xreallocarray(state_ack_flying,
		    state_ack_sflying, sizeof *state_ack_flying);
	}
	state_ack_flying[state_ack_nflying].epoch = state_ack_epoch;
	state_ack_flying[state_ack_nflying].ticket = ticket;
	state_ack_nflying++;
	state_ack_epoch++;
	state_ack_open = 0;
	state_ack_advance();
}

/*
 * Group commits whose sync is done are durable -- if the state folder is
 * still the daemon's: then their clients get their answers.  One that
 * was replaced meanwhile waits for the snapshot the retry writes.
 */
static void
state_ack_advance(void)
{
	size_t	 n = 0;

	while (n < state_ack_nflying &&
	    state_ack_flying[n].ticket <= state_synced_ticket)
		n++;
	if (n == 0 || !state_check())
		return;
	state_ack_durable = state_ack_flying[n - 1].epoch;
	memmove(state_ack_flying, state_ack_flying + n,
	    (state_ack_nflying - n) * sizeof *state_ack_flying);
	state_ack_nflying -= n;
	client_durable(state_ack_durable);
}

/*
 * A snapshot has written everything in memory: every acknowledged change
 * made so far is on disk, whatever became of its own sync.
 */
static void
state_ack_all_durable(void)
{
	state_ack_nflying = 0;
	state_ack_open = 0;
	state_ack_durable = state_ack_epoch++;
	client_durable(state_ack_durable);
}

/*
 * At exit: what is acknowledged but not yet synced is synced here, so
 * that the answers still queued can go out.
 */
void
state_ack_finish(void)
{
	if (state_fd == -1 || !sd.state_ok || (!state_ack_open &&
	    state_ack_nflying == 0))
		return;
	if (state_flush() != 0)
		return;
	if (state_write_drain() != 0 || fdatasync(state_fd) == -1 ||
	    (state_dirent_dirty && state_sync_dir() == -1)) {
		state_failed("fdatasync journal");
		return;
	}
	state_dirent_dirty = 0;
	if (state_check())
		state_ack_all_durable();
}

/*
 * For answers: how many acknowledged changes have been written, and the
 * group commit that holds the last of them (see client_hold).
 */
uint64_t
state_ack_count(void)
{
	return (state_ack_seq);
}

uint64_t
state_ack_group(void)
{
	return (state_ack_open ? state_ack_epoch : state_ack_durable);
}

/* The last group commit known to be on disk. */
uint64_t
state_ack_done(void)
{
	return (state_ack_durable);
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
	uint64_t	 next, now_ms;
	char		*line;
	size_t		 len;
	int		 rc;

	/*
	 * Blocks used up within a second of each other double (up to
	 * STATE_IDS_BLOCK_MAX), so that a burst outruns the helper thread's
	 * sync -- and the loop syncs -- at most a few times.
	 */
	now_ms = time_mono_ms();
	if (state_ids_last_ms != 0 && now_ms - state_ids_last_ms < 1000) {
		if (state_ids_block < STATE_IDS_BLOCK_MAX)
			state_ids_block *= 2;
	} else
		state_ids_block = STATE_IDS_BLOCK;
	state_ids_last_ms = now_ms;
	next = (sd.next_task_id > state_ids_durable ? sd.next_task_id :
	    state_ids_durable) + state_ids_block;
	xasprintf(&line, "{\"t\":\"ids\",\"next\":%llu}\n",
	    (unsigned long long)next);
	len = strlen(line);
	rc = state_write_put(line, len);
	free(line);
	if (rc != 0) {
		state_failed("write journal");
		return;
	}
	state_jsize += len;
	if (next > state_ids_reserved)
		state_ids_reserved = next;
	if (sync) {
		if (state_write_drain() != 0 || fdatasync(state_fd) == -1) {
			state_failed("fdatasync journal");
			return;
		}
		state_ids_durable = next;
		return;
	}
	state_ids_flying = next;
	if ((state_ids_ticket = state_sync_async(state_fd, -1)) == 0)
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
		    state_ids_block / 2 >= state_ids_durable)
			state_ids_reserve(0);
	}
	return (sd.next_task_id++);
}


/*
 * Write the buffered lines with one write(2), here or by the writer
 * thread (state_write_put); they are fsynced within a second.
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
	if (state_write_put(state_buf, state_blen) != 0) {
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

/* The end of a turn: write its lines, sync the acknowledged ones. */
static void
state_flush_cb(evutil_socket_t fd, short events, void *arg)
{
	if (state_flush() == 0)
		state_ack_sync();
}

/*
 * Write what this turn changed now, not at the end of the turn: tasks
 * about to start are on disk as running before their processes exist
 * (a start waits until the writer has written this, task_start).  -1 if
 * it cannot be written.
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
 * Append a line (written by state-line.c; line is reset) to the
 * journal.  Otherwise it is written at the end of this turn of the loop
 * (before any answer of this turn reaches its client) and on disk within
 * a second.  An acknowledged change (ack) is written now, after a check
 * that the state folder is still the daemon's, and synced at the end of
 * the turn with the others of its group; its answer waits for that
 * (client_hold).  -1 if it cannot be written: then the caller changes
 * nothing.
 */
static int
state_append(struct jw *line, int ack)
{
	if (state_fd == -1) {
		jw_clear(line);
		return (sd.state_dir == NULL ? 0 : -1);
	}
	if (!sd.state_ok || (ack && !state_check())) {
		/* Until a snapshot succeeds, nothing may be half-written. */
		jw_clear(line);
		return (-1);
	}
	/* Lines of this turn first, so the order on disk is the real one. */
	state_encode_pending();
	state_encode_line(line);
	if (ack) {
		if (state_flush() != 0)
			return (-1);
		state_ack_seq++;
		state_ack_open = 1;
		state_flush_soon();
		return (0);
	}
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

/* A line (state-line.c wrote it) into the write buffer; line is reset. */
static void
state_encode_line(struct jw *line)
{
	jw_append(line, "\n", 1);
	if (state_blen + line->len > state_bsize) {
		while (state_blen + line->len > state_bsize)
			state_bsize = state_bsize == 0 ? 65536 :
			    state_bsize * 2;
		state_buf = xreallocarray(state_buf, state_bsize, 1);
	}
	memcpy(state_buf + state_blen, line->buf, line->len);
	state_blen += line->len;
	jw_clear(line);
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
 * A job is about to be added or redefined at run time: written before it
 * is applied, answered once on disk.
 */
int
state_job_def(const struct jobdef *def, uid_t uid, int paused)
{
	state_def_line_write(&state_ack_line, def, uid, paused);
	return (state_append(&state_ack_line, 1));
}

/*
 * A job is about to be paused or resumed at a client's request: the job
 * as it will be is written before the change is applied, and answered
 * once on disk.
 */
int
state_job_paused(const struct job *j, int paused)
{
	state_job_write(&state_ack_line, j, 0, paused);
	return (state_append(&state_ack_line, 1));
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
 * configuration: written at once and on disk before the answer, so that
 * no replay brings it back.
 */
int
state_job_remove(const char *name)
{
	state_job_gone_write(&state_ack_line, name);
	return (state_append(&state_ack_line, 1));
}

/*
 * An entry is about to be set in the ban list (or, with drop, taken out
 * of it): the list as it will be is written before the change is
 * applied, and answered once on disk.
 */
int
state_bans_propose(const struct ban *proposed, int drop)
{
	state_bans_dirty = 0;
	state_bans_write(&state_ack_line, proposed, drop);
	return (state_append(&state_ack_line, 1));
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
		state_task_write(&state_line, t);
		state_encode_line(&state_line);
	}
	state_ntasks = 0;
	for (i = 0; i < state_njobs; i++) {
		if ((j = job_find(state_pjobs[i])) != NULL && j->state_dirty) {
			j->state_dirty = 0;
			state_job_write(&state_line, j, 0, j->paused);
			state_encode_line(&state_line);
		}
		free(state_pjobs[i]);
	}
	state_njobs = 0;
	if (state_bans_dirty) {
		state_bans_dirty = 0;
		state_bans_write(&state_line, NULL, 0);
		state_encode_line(&state_line);
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
 * state_open that failed).  0 if the state was saved, -1 if not (the
 * journal still has everything acknowledged).
 */
int
state_close(void)
{
	char	*cause, *why;
	int	 rc = 0;

	if (state_fd != -1) {
		state_flush();
		if (state_folder_lost(&why)) {
			log_errorx("state: not saved at exit: the state folder "
			    "%s %s", sd.state_dir, why);
			free(why);
			state_compact_stop();
			rc = -1;
		} else if (state_snapshot(&cause) == 0 &&
		    state_journal_new(&cause) == 0)
			log_debug("state: saved");
		else {
			log_errorx("state: could not save at exit: %s (the "
			    "journal has everything acknowledged)", cause);
			free(cause);
			rc = -1;
		}
	}
	state_sync_stop();
	if (state_fd != -1 && state_write_drain() == 0 && state_dirty)
		fdatasync(state_fd);
	state_journal_set(-1);
	state_write_stop();
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
	jw_free(&state_line);
	jw_free(&state_ack_line);
	state_drop_pending();
	free(state_pjobs);
	free(state_ptasks);
	state_pjobs = NULL;
	state_ptasks = NULL;
	return (rc);
}
