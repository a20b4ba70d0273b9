/*
 * Snapshots (doc/state.md): the whole state written as state.json of a
 * new generation with an empty journal -- in the loop at start, after a
 * failure and at exit, or beside the loop by a forked child when the
 * journal grows past its limit (compaction), while journal.new takes the
 * changes.  There is one writer at a time: the daemon stops the child
 * before it writes a snapshot itself, and each writes temporary files of
 * its own name.
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
#include <unistd.h>

#include "log.h"
#include "schedd.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"
#include "state.h"

#define STATE_JOURNAL_MAX	(16 * 1024 * 1024)	/* then compact */

static int		 state_compacting;
static pid_t		 state_compact_pid;	/* compaction child */
static int		 state_compact_fds[2];	/* journals it syncs */
static uint64_t		 state_compact_ids;	/* the next id it saves */
static uint64_t		 state_journal_max = STATE_JOURNAL_MAX;

static char	*state_tmp_name(const char *, pid_t);
static void	 state_compact_cb(evutil_socket_t, short, void *);
static int	 state_compact_child(void *);
static void	 state_snapshot_tasks(json_t *, const struct job *);
static int	 state_snapshot_write(uint64_t, uint64_t, char **);
static int	 state_write_file(const char *, const char *, size_t, int,
		    char **);

/*
 * The journal size that starts a compaction (SCHEDD_JOURNAL_MAX, in
 * bytes, lets the tests make it small).
 */
void
state_compact_init(void)
{
	const char	*e;
	uint64_t	 n;

	if ((e = getenv("SCHEDD_JOURNAL_MAX")) != NULL &&
	    parse_size(e, &n) == 0 && n > 0)
		state_journal_max = n;
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
 * it has, journal.new becomes the journal.  Until then a restart replays
 * both journals; if the child fails, a snapshot is written here instead.
 */
static void
state_compact_cb(evutil_socket_t fd, short events, void *arg)
{
	char	*cause, *s;
	uint64_t gen = state_generation + 1;
	int	 nfd;

	if (state_compact_pid != 0 || !sd.state_ok || state_fd == -1) {
		state_compacting = 0;
		return;
	}
	state_flush();
	xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n",
	    STATE_VERSION, (unsigned long long)gen);
	unlinkat(sd.state_dirfd, "journal.new", 0);
	nfd = openat(sd.state_dirfd, "journal.new", O_WRONLY | O_CREAT |
	    O_EXCL | O_APPEND | STATE_FILE_FLAGS, 0600);
	if (nfd == -1 || state_write_all(nfd, s, strlen(s)) != 0) {
		if (nfd != -1)
			close(nfd);
		unlinkat(sd.state_dirfd, "journal.new", 0);
		free(s);
		goto sync;
	}
	/* The child syncs both journals before writing the snapshot. */
	state_compact_fds[0] = state_fd;
	state_compact_fds[1] = nfd;
	state_compact_ids = sd.next_task_id + STATE_IDS_BLOCK;
	if (state_compact_ids < state_ids_durable)
		state_compact_ids = state_ids_durable;
	state_compact_pid = spawn_worker(state_compact_child, &gen);
	if (state_compact_pid == -1) {
		state_compact_pid = 0;
		close(nfd);
		unlinkat(sd.state_dirfd, "journal.new", 0);
		free(s);
		goto sync;
	}
	close(state_fd);
	state_fd = nfd;
	state_generation = gen;
	state_jsize = strlen(s);
	state_dirty = 0;
	/* An answer relying on journal.new first syncs its folder entry. */
	state_dirent_dirty = 1;
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
	if (state_snapshot_write(*(uint64_t *)arg, state_compact_ids,
	    &cause) != 0) {
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
	char	*cause;

	if (pid != state_compact_pid || pid == 0)
		return (0);
	state_compact_pid = 0;
	state_compacting = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (renameat(sd.state_dirfd, "journal.new", sd.state_dirfd,
		    "journal") == 0 && state_sync_dir() == 0) {
			state_dirent_dirty = 0;
			return (1);
		}
		log_warn("state: rename %s/journal.new", sd.state_dir);
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
 * Stop a compaction child still writing, and remove what it wrote: the
 * daemon is about to write a snapshot itself, which covers everything,
 * and two writers of the state never run at once.
 */
void
state_compact_stop(void)
{
	char	*tmp;
	int	 status;

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

/* Add a job's tasks, every list, to a snapshot's array. */
static void
state_snapshot_tasks(json_t *tasks, const struct job *j)
{
	const struct task	*t;

	TAILQ_FOREACH(t, &j->history, entry)
		json_array_append_new(tasks, state_task_json(t));
	TAILQ_FOREACH(t, &j->running, entry)
		json_array_append_new(tasks, state_task_json(t));
	TAILQ_FOREACH(t, &j->queue, entry)
		json_array_append_new(tasks, state_task_json(t));
}

/*
 * Write the whole state as the snapshot of generation gen, with ids as
 * the next task id (ids below it may have been handed out).
 */
static int
state_snapshot_write(uint64_t gen, uint64_t ids, char **cause)
{
	struct job	*j;
	json_t		*o, *jobs, *tasks, *bans, *list;
	char		*s;
	int		 rc;

	bans = state_bans_json();
	list = json_incref(json_object_get(bans, "bans"));
	json_decref(bans);
	jobs = json_array();
	tasks = json_array();
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		json_array_append_new(jobs, state_job_json(j, 1));
		state_snapshot_tasks(tasks, j);
	}
	TAILQ_FOREACH(j, &sd.removed_jobs, entry)
		state_snapshot_tasks(tasks, j);
	o = json_pack("{s:i,s:I,s:I,s:o,s:o,s:o}", "version", STATE_VERSION,
	    "generation", (json_int_t)gen, "next_task_id", (json_int_t)ids,
	    "jobs", jobs, "bans", list, "tasks", tasks);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL) {
		*cause = xstrdup("cannot encode the state");
		return (-1);
	}
	rc = state_write_file("state.json", s, strlen(s), 0, cause);
	free(s);
	return (rc);
}

/*
 * Write a state file whole: a temporary file of this process's own,
 * created new, written, fsynced, renamed over name, and the folder
 * fsynced.  With keep the temporary file's descriptor becomes the
 * journal (appends go on in the renamed file).  -1 and a cause.
 */
static int
state_write_file(const char *name, const char *data, size_t len, int keep,
    char **cause)
{
	char	*tmp;
	int	 fd, saved;

	tmp = state_tmp_name(name, getpid());
	unlinkat(sd.state_dirfd, tmp, 0);
	fd = openat(sd.state_dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_APPEND | STATE_FILE_FLAGS, 0600);
	if (fd == -1 || state_write_all(fd, data, len) != 0 ||
	    (!keep && state_write_all(fd, "\n", 1) != 0) || fsync(fd) != 0) {
		saved = errno;
		xasprintf(cause, "write %s/%s: %s", sd.state_dir, tmp,
		    strerror(saved));
		goto fail;
	}
	if (renameat(sd.state_dirfd, tmp, sd.state_dirfd, name) == -1 ||
	    state_sync_dir() == -1) {
		saved = errno;
		xasprintf(cause, "rename %s/%s: %s", sd.state_dir, tmp,
		    strerror(saved));
		goto fail;
	}
	free(tmp);
	if (keep)
		return (fd);
	close(fd);
	return (0);
fail:
	if (fd != -1)
		close(fd);
	unlinkat(sd.state_dirfd, tmp, 0);
	free(tmp);
	return (-1);
}

/* Start an empty journal for the current generation. */
int
state_journal_new(char **cause)
{
	char	*s;
	int	 fd;

	xasprintf(&s, "{\"journal\":%d,\"generation\":%llu}\n", STATE_VERSION,
	    (unsigned long long)state_generation);
	fd = state_write_file("journal", s, strlen(s), 1, cause);
	if (fd == -1) {
		free(s);
		return (-1);
	}
	if (state_fd != -1)
		close(state_fd);
	state_fd = fd;
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
