/* SPDX-License-Identifier: ISC */
/*
 * Snapshots (doc/state.md): the whole state written as state.json of a
 * new generation with an empty journal -- in the loop at start, after a
 * failure and at exit, or beside the loop by a forked child when the
 * journal grows past its limit (compaction) or a large state was loaded
 * at start, while journal.new takes the changes.  A snapshot is written
 * a record at a time through a buffer; no tree of the whole state is
 * built.  There is one writer at a time: the daemon stops the child
 * before it writes a snapshot itself, and each writes temporary files of
 * its own name.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jw.h"
#include "log.h"
#include "schedd.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"
#include "state.h"

#define STATE_JOURNAL_MAX	(16 * 1024 * 1024)	/* then compact */
#define STATE_START_FORK	(4 * 1024 * 1024)	/* at start: beside */
#define STATE_OUT_SIZE		(256 * 1024)		/* write buffer */
#define STATE_FD_LOOP_MAX	65536	/* without close_range */

/* A snapshot being written: a record at a time, through a buffer. */
struct state_out {
	int		 fd;
	struct jw	 w;		/* written out past STATE_OUT_SIZE */
	int		 error;		/* errno of the first failed write */
};

static int		 state_compacting;
static pid_t		 state_compact_pid;	/* compaction child */
static int		 state_compact_fds[2];	/* journals it syncs */
static uint64_t		 state_compact_ids;	/* the next id it saves */
static uint64_t		 state_compact_gen;	/* the generation it saves */
static int		 state_fork_due;	/* a start left it to fork */
static uint64_t		 state_journal_max = STATE_JOURNAL_MAX;
static uint64_t		 state_start_fork = STATE_START_FORK;

static char	*state_tmp_name(const char *, pid_t);
static void	 state_compact_cb(evutil_socket_t, short, void *);
static void	 state_compact_due(evutil_socket_t, short, void *);
static int	 state_compact_journal(int, size_t *);
static int	 state_compact_fork(int, int);
static int	 state_compact_start(void);
static int	 state_compact_child(void *);
static void	 state_close_range(int, int);
static void	 state_compact_close_fds(void);
static void	 state_out_flush(struct state_out *);
static void	 state_out_raw(struct state_out *, const char *);
static void	 state_out_sep(struct state_out *, int *);
static void	 state_snapshot_tasks(struct state_out *, const struct job *,
		    int *);
static int	 state_snapshot_write(uint64_t, uint64_t, char **);
static int	 state_tmp_open(const char *, char **, char **);
static int	 state_tmp_commit(int, char *, const char *, int, int,
		    char **);

/*
 * The journal size that starts a compaction (SCHEDD_JOURNAL_MAX, in
 * bytes, lets the tests make it small), and the size of a loaded state
 * whose first snapshot is written beside the loop (SCHEDD_START_FORK).
 */
void
state_compact_init(void)
{
	const char	*e;
	uint64_t	 n;

	if ((e = getenv("SCHEDD_JOURNAL_MAX")) != NULL &&
	    parse_size(e, &n) == 0 && n > 0)
		state_journal_max = n;
	if ((e = getenv("SCHEDD_START_FORK")) != NULL &&
	    parse_size(e, &n) == 0)
		state_start_fork = n;
}

/* The journal grew: start a compaction beside the loop when it is due. */
void
state_compact_check(void)
{
	struct timeval	 tv = { 0, 0 };

	if (state_jsize > state_journal_max && !state_compacting) {
		state_compacting = 1;
		event_base_once(sd.base, -1, EV_TIMEOUT, state_compact_cb,
		    NULL, &tv);
	}
}

/* The name of a temporary file of this process: no other writes it. */
static char *
state_tmp_name(const char *name, pid_t pid)
{
	char	*s;

	xasprintf(&s, "%s.tmp.%ld", name, (long)pid);
	return (s);
}

/*
 * Compaction without stopping the loop: a new journal (journal.new, the
 * next generation) takes every change from now on, and a forked child
 * writes the snapshot of that generation from its copy of memory.  When
 * it has, it renames journal.new to the journal itself (the daemon's
 * descriptor does not care, and the loop never waits for the folder's
 * fsync).  Until then a restart replays both journals; if the child
 * fails, a snapshot is written here instead.
 */
static void
state_compact_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*cause;

	if (state_compact_pid != 0 || !sd.state_ok || state_fd == -1) {
		state_compacting = 0;
		return;
	}
	state_flush();
	if (state_compact_start() == 0)
		return;
	state_compacting = 0;
	if (state_snapshot(&cause) != 0 || state_journal_new(&cause) != 0) {
		state_failed(cause);
		free(cause);
	}
}

/*
 * At start, after loading: a large state's first snapshot is written by a
 * compaction child too, so that the daemon answers without waiting for
 * it.  journal.new (reserving task ids, synced) is the journal from now
 * on; the child is forked in the first turn of the loop, once the
 * schedules are set up, so that what start-up changes in every job is
 * not copied for it.  Not when a journal.new was loaded (an earlier
 * compaction did not end): its lines are in no snapshot yet, and it must
 * not be replaced.  0 if that was done; -1 and the caller writes the
 * snapshot.
 */
int
state_compact_at_start(uint64_t loaded, int had_new)
{
	struct timeval	 tv = { 0, 0 };
	size_t		 len;
	int		 nfd;

	if (loaded < state_start_fork || state_start_fork == 0 || had_new)
		return (-1);
	if ((nfd = state_compact_journal(1, &len)) == -1)
		return (-1);
	state_journal_set(nfd);
	state_generation++;
	state_jsize = len;
	state_dirty = 0;
	state_dirent_dirty = 0;
	state_ids_durable = state_compact_ids;
	if (state_compact_ids > state_ids_reserved)
		state_ids_reserved = state_compact_ids;
	state_compacting = state_fork_due = 1;
	event_base_once(sd.base, -1, EV_TIMEOUT, state_compact_due, NULL,
	    &tv);
	return (0);
}

/* The first turn of the loop: fork the child a start left to fork. */
static void
state_compact_due(evutil_socket_t fd, short events, void *arg)
{
	char	*cause;

	if (!state_fork_due)
		return;		/* a snapshot was written meanwhile */
	state_fork_due = 0;
	state_compact_gen = state_generation;
	if (state_compact_fork(-1, state_fd) == 0)
		return;
	state_compacting = 0;
	if (state_snapshot(&cause) != 0 || state_journal_new(&cause) != 0) {
		state_failed(cause);
		free(cause);
	}
}

/*
 * Make journal.new of the next generation: its descriptor, and the size
 * written in lenp.  With reserve (at start, when no journal is open) it
 * starts with a reservation of task ids and is synced with its folder
 * entry, so that ids may be handed out.  -1 if it could not be made.
 */
static int
state_compact_journal(int reserve, size_t *lenp)
{
	uint64_t	 gen = state_generation + 1;
	char		*s;
	int		 nfd;

	state_compact_ids = sd.next_task_id + STATE_IDS_BLOCK;
	if (state_compact_ids < state_ids_durable)
		state_compact_ids = state_ids_durable;
	if (reserve)
		xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n"
		    "{\"t\":\"ids\",\"next\":%llu}\n", STATE_VERSION,
		    (unsigned long long)gen,
		    (unsigned long long)state_compact_ids);
	else
		xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n",
		    STATE_VERSION, (unsigned long long)gen);
	*lenp = strlen(s);
	unlinkat(sd.state_dirfd, "journal.new", 0);
	nfd = openat(sd.state_dirfd, "journal.new", O_WRONLY | O_CREAT |
	    O_EXCL | O_APPEND | STATE_FILE_FLAGS, 0600);
	if (nfd == -1 || state_write_all(nfd, s, *lenp) != 0 ||
	    (reserve && (fdatasync(nfd) != 0 || state_sync_dir() != 0))) {
		if (nfd != -1)
			close(nfd);
		unlinkat(sd.state_dirfd, "journal.new", 0);
		nfd = -1;
	}
	free(s);
	return (nfd);
}

/*
 * Fork the child that writes the snapshot of the generation of nfd (the
 * journal that takes the changes meanwhile), after syncing oldfd (the
 * journal before it, or -1) and nfd.  -1 if it could not be forked.
 */
static int
state_compact_fork(int oldfd, int nfd)
{
	struct timespec	 t0, t1;

	/* The child syncs them: what they were handed must be in them. */
	state_write_drain();
	state_compact_fds[0] = oldfd;
	state_compact_fds[1] = nfd;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	state_compact_pid = spawn_worker(state_compact_child, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (state_compact_pid == -1) {
		state_compact_pid = 0;
		return (-1);
	}
	/* The fork copies the page tables: it grows with the heap. */
	log_debug("state: compacting in process %ld (fork: %.1f ms)",
	    (long)state_compact_pid, (t1.tv_sec - t0.tv_sec) * 1e3 +
	    (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return (0);
}

/*
 * A compaction while the daemon runs: journal.new, then the child, then
 * journal.new is the journal.  -1 if that could not be done: nothing
 * changed.
 */
static int
state_compact_start(void)
{
	size_t	 len;
	int	 nfd;

	if ((nfd = state_compact_journal(0, &len)) == -1)
		return (-1);
	state_compact_gen = state_generation + 1;
	if (state_compact_fork(state_fd, nfd) != 0) {
		close(nfd);
		unlinkat(sd.state_dirfd, "journal.new", 0);
		return (-1);
	}
	state_journal_set(nfd);
	state_generation++;
	state_jsize = len;
	state_dirty = 0;
	/* An answer relying on journal.new first syncs its entry. */
	state_dirent_dirty = 1;
	return (0);
}

/* Close the descriptors from lo to hi (-1: all above lo). */
static void
state_close_range(int lo, int hi)
{
	long	 fd, max;

#if defined(SYS_close_range)
	if (syscall(SYS_close_range, (unsigned)lo, hi == -1 ? ~0U :
	    (unsigned)hi, 0U) == 0)
		return;
#endif
	if ((max = hi) == -1 && ((max = sysconf(_SC_OPEN_MAX) - 1) < 0 ||
	    max >= STATE_FD_LOOP_MAX))
		max = STATE_FD_LOOP_MAX - 1;
	for (fd = lo; fd <= max; fd++)
		close((int)fd);
}

/*
 * In the child: close every descriptor but the standard ones, the state
 * folder and the journals.  A client connection the daemon closes must
 * end for its client then, not when the child exits; nor may the child
 * hold the listening socket, task pipes or the lock.
 */
static void
state_compact_close_fds(void)
{
	int	 keep[3], n = 0, i, j, t, lo = 3;

	keep[n++] = sd.state_dirfd;
	keep[n++] = state_compact_fds[0];
	keep[n++] = state_compact_fds[1];
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	}
	for (i = 0; i < n; i++) {
		if (keep[i] < lo)
			continue;	/* -1, 0 to 2, or twice */
		if (keep[i] > lo)
			state_close_range(lo, keep[i] - 1);
		lo = keep[i] + 1;
	}
	state_close_range(lo, -1);
}

/* In the forked child: write the snapshot, and say how it went. */
static int
state_compact_child(void *arg)
{
	char	*cause;
	int	 i;

	/*
	 * Not the lock either: if the daemon dies, a new one must be able to
	 * take the state folder at once.
	 */
	state_compact_close_fds();
	for (i = 0; i < 2; i++) {
		if (state_compact_fds[i] != -1 &&
		    fdatasync(state_compact_fds[i]) != 0) {
			log_warn("state: compaction: fdatasync");
			return (1);
		}
	}
	if (state_sync_dir() != 0) {
		log_warn("state: compaction: fsync");
		return (1);
	}
	if (state_snapshot_write(state_compact_gen, state_compact_ids,
	    &cause) != 0) {
		log_warnx("state: compaction: %s", cause);
		return (1);
	}
	/* The snapshot is in place: journal.new is the journal now. */
	if (renameat(sd.state_dirfd, "journal.new", sd.state_dirfd,
	    "journal") != 0 || state_sync_dir() != 0) {
		log_warn("state: compaction: rename %s/journal.new",
		    sd.state_dir);
		return (1);
	}
	return (0);
}

/*
 * The compaction child ended: on success it made the new journal the
 * journal; otherwise the snapshot is written here.  Returns 0 if pid was
 * not the compaction child.
 */
int
state_child_reaped(pid_t pid, int status)
{
	char	*cause;

	if (pid != state_compact_pid || pid == 0)
		return (0);
	state_compact_pid = 0;
	state_compacting = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* It renamed the journal and synced the folder. */
		state_dirent_dirty = 0;
		return (1);
	}
	log_warnx("state: compaction process failed; writing the snapshot "
	    "here");
	if (state_snapshot(&cause) != 0 || state_journal_new(&cause) != 0) {
		state_failed(cause);
		free(cause);
	}
	return (1);
}

/*
 * Stop a compaction child still writing, and remove what it wrote: the
 * daemon is about to write a snapshot itself, which covers everything,
 * and two writers of the state never run at once.
 */
void
state_compact_stop(void)
{
	char	*tmp;
	int	 status;

	if (state_fork_due)
		state_fork_due = state_compacting = 0;
	if (state_compact_pid == 0)
		return;
	kill(state_compact_pid, SIGKILL);
	while (waitpid(state_compact_pid, &status, 0) == -1 && errno == EINTR)
		;
	tmp = state_tmp_name("state.json", state_compact_pid);
	unlinkat(sd.state_dirfd, tmp, 0);
	free(tmp);
	state_compact_pid = 0;
	state_compacting = 0;
}

/*
 * Write the whole state as a new snapshot of the next generation, here
 * in the loop: a compaction child still at work is stopped first.
 */
int
state_snapshot(char **cause)
{
	uint64_t	 ids;

	state_compact_stop();
	/* The snapshot also reserves the next block of task ids. */
	ids = sd.next_task_id + STATE_IDS_BLOCK;
	if (ids < state_ids_durable)
		ids = state_ids_durable;
	if (state_snapshot_write(state_generation + 1, ids, cause) != 0)
		return (-1);
	state_generation++;
	state_ids_durable = ids;
	if (ids > state_ids_reserved)
		state_ids_reserved = ids;
	return (0);
}

/* Write out what the buffer holds; the first error is kept. */
static void
state_out_flush(struct state_out *out)
{
	if (out->w.len > 0 && out->error == 0 &&
	    state_write_all(out->fd, out->w.buf, out->w.len) != 0)
		out->error = errno;
	jw_drop(&out->w);
}

/* Text between the values; the next value needs no comma of its own. */
static void
state_out_raw(struct state_out *out, const char *s)
{
	if (out->w.len >= STATE_OUT_SIZE)
		state_out_flush(out);
	jw_append(&out->w, s, strlen(s));
	out->w.more = 0;
}

/* Before each element of a list: a line of its own. */
static void
state_out_sep(struct state_out *out, int *n)
{
	state_out_raw(out, (*n)++ == 0 ? "\n" : ",\n");
}

/* A job's tasks, every list, one record a line. */
static void
state_snapshot_tasks(struct state_out *out, const struct job *j, int *n)
{
	const struct task_list	*lists[3];
	const struct task	*t;
	size_t			 i;

	lists[0] = &j->history;
	lists[1] = &j->running;
	lists[2] = &j->queue;
	for (i = 0; i < 3; i++) {
		TAILQ_FOREACH(t, lists[i], entry) {
			state_out_sep(out, n);
			state_task_write(&out->w, t);
		}
	}
}

/*
 * Write the whole state as the snapshot of generation gen, with ids as
 * the next task id (ids below it may have been handed out).  It is one
 * JSON object (doc/state.md) with a job or a task record a line, each
 * written as text on its own through a buffer: no tree of the whole
 * state is built, and the buffer is all the memory it takes.
 */
static int
state_snapshot_write(uint64_t gen, uint64_t ids, char **cause)
{
	struct state_out	 out;
	struct job		*j;
	char			*tmp, *s;
	int			 n = 0;

	if ((out.fd = state_tmp_open("state.json", &tmp, cause)) == -1)
		return (-1);
	jw_init(&out.w);
	out.error = 0;
	xasprintf(&s, "{\"version\":%d,\"generation\":%llu,"
	    "\"next_task_id\":%llu,\"jobs\":[", STATE_VERSION,
	    (unsigned long long)gen, (unsigned long long)ids);
	state_out_raw(&out, s);
	free(s);
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		state_out_sep(&out, &n);
		state_job_write(&out.w, j, 1, j->paused);
	}
	state_out_raw(&out, "],\n\"bans\":");
	state_bans_list_write(&out.w, NULL, 0);
	state_out_raw(&out, ",\n\"tasks\":[");
	n = 0;
	TAILQ_FOREACH(j, &sd.jobs, entry)
		state_snapshot_tasks(&out, j, &n);
	TAILQ_FOREACH(j, &sd.removed_jobs, entry)
		state_snapshot_tasks(&out, j, &n);
	state_out_raw(&out, "]}\n");
	state_out_flush(&out);
	jw_free(&out.w);
	return (state_tmp_commit(out.fd, tmp, "state.json", 0, out.error,
	    cause) == -1 ? -1 : 0);
}

/*
 * A temporary file of this process's own for a state file, created new:
 * its descriptor, and its name in tmpp.  -1 and a cause.
 */
static int
state_tmp_open(const char *name, char **tmpp, char **cause)
{
	char	*tmp;
	int	 fd;

	tmp = state_tmp_name(name, getpid());
	unlinkat(sd.state_dirfd, tmp, 0);
	fd = openat(sd.state_dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_APPEND | STATE_FILE_FLAGS, 0600);
	if (fd == -1) {
		xasprintf(cause, "write %s/%s: %s", sd.state_dir, tmp,
		    strerror(errno));
		free(tmp);
		return (-1);
	}
	*tmpp = tmp;
	return (fd);
}

/*
 * Put a written temporary file in place: fsynced, renamed over name, and
 * the folder fsynced.  error is the errno of a write that failed (then
 * the file is removed).  With keep the descriptor is returned (appends go
 * on in the renamed file); otherwise 0.  Frees tmp.  -1 and a cause.
 */
static int
state_tmp_commit(int fd, char *tmp, const char *name, int keep, int error,
    char **cause)
{
	if (error == 0 && fsync(fd) != 0)
		error = errno;
	if (error != 0) {
		xasprintf(cause, "write %s/%s: %s", sd.state_dir, tmp,
		    strerror(error));
		goto fail;
	}
	if (renameat(sd.state_dirfd, tmp, sd.state_dirfd, name) == -1 ||
	    state_sync_dir() == -1) {
		xasprintf(cause, "rename %s/%s: %s", sd.state_dir, tmp,
		    strerror(errno));
		goto fail;
	}
	free(tmp);
	if (keep)
		return (fd);
	close(fd);
	return (0);
fail:
	close(fd);
	unlinkat(sd.state_dirfd, tmp, 0);
	free(tmp);
	return (-1);
}

/* Start an empty journal for the current generation. */
int
state_journal_new(char **cause)
{
	char	*s, *tmp;
	int	 fd, error;

	xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n", STATE_VERSION,
	    (unsigned long long)state_generation);
	if ((fd = state_tmp_open("journal", &tmp, cause)) == -1) {
		free(s);
		return (-1);
	}
	error = state_write_all(fd, s, strlen(s)) != 0 ? errno : 0;
	if ((fd = state_tmp_commit(fd, tmp, "journal", 1, error,
	    cause)) == -1) {
		free(s);
		return (-1);
	}
	state_journal_set(fd);
	state_jsize = strlen(s);
	state_dirty = 0;
	state_dirent_dirty = 0;
	state_blen = 0;		/* the snapshot just written holds them */
	/* A journal.new of a compaction is older than that snapshot. */
	unlinkat(sd.state_dirfd, "journal.new", 0);
	state_drop_pending();
	free(s);
	return (0);
}
