/*
 * Persistent state (doc/state.md) in STATE_DIR: a snapshot (state.json)
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
 *
 * Every file is opened relative to the state folder's descriptor, never
 * through a symbolic link, and temporary files are created new (O_EXCL)
 * under a name of their writer's own: the daemon and its compaction
 * child never write the same file, and the daemon stops the child before
 * it writes a snapshot itself, so there is one writer at a time.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dircheck.h"
#include "log.h"
#include "schedd.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"
#include "state.h"

#define STATE_JOURNAL_MAX	(16 * 1024 * 1024)	/* then compact */
#define STATE_BUFFER_MAX	(1024 * 1024)	/* then write at once */
#define STATE_RETRY_SECS	5
#define STATE_FILE_FLAGS	(O_NOFOLLOW | O_CLOEXEC)

static int		 state_fd = -1;		/* the journal */
static uint64_t		 state_jsize;
static int		 state_dirty;		/* written, not yet synced */
static int		 state_dirent_dirty;	/* a new journal's name too */
static int		 state_compacting;
static pid_t		 state_compact_pid;	/* compaction child */
static int		 state_compact_fds[2];	/* journals it syncs */
static uint64_t		 state_compact_ids;	/* the next id it saves */
static uint64_t		 state_journal_max = STATE_JOURNAL_MAX;
uint64_t		 state_generation;
uint64_t		 state_ids_reserved;	/* highest id reservation made */
static uint64_t		 state_ids_durable;	/* highest one on disk */
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
static size_t		 state_blen;
static size_t		 state_bsize;

static int	 state_write_all(int, const char *, size_t);
static int	 state_append(json_t *, int);
static int	 state_commit(void);
static void	 state_unwrite(uint64_t);
static int	 state_encode(json_t *);
static void	 state_encode_pending(void);
static void	 state_flush_soon(void);
static void	 state_pending_job(const char *);
static void	 state_pending_task(uint64_t);
static void	 state_drop_pending(void);
static int	 state_snapshot_write(uint64_t, uint64_t, char **);
static int	 state_write_file(const char *, const char *, size_t, int,
		    char **);
static int	 state_compact_child(void *);
static void	 state_compact_stop(void);
static int	 state_flush(void);
static int	 state_sync_dir(void);
static void	 state_ids_reserve(int);
static int	 state_folder_lost(char **);
static int	 state_reopen(char **);
static void	 state_sync_cb(evutil_socket_t, short, void *);
static void	 state_retry_cb(evutil_socket_t, short, void *);
static void	 state_compact_cb(evutil_socket_t, short, void *);
static json_t	*state_job_json(const struct job *, int);
static json_t	*state_bans_json(void);

/* A state file's full path, for messages. */
char *
state_path(const char *name)
{
	char	*s;

	xasprintf(&s, "%s/%s", sd.state_dir, name);
	return (s);
}

/* Now, as an RFC 3339 string for messages; caller frees. */
static char *
state_now_text(void)
{
	struct timespec	 ts;

	time_now(&ts);
	return (time_format(&ts));
}

/* The name of a temporary file of this process: no other writes it. */
static char *
state_tmp_name(const char *name, pid_t pid)
{
	char	*s;

	xasprintf(&s, "%s.tmp.%ld", name, (long)pid);
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

/* fsync the state folder, so a rename or a new file in it is durable. */
static int
state_sync_dir(void)
{
	return (fsync(sd.state_dirfd));
}

/*
 * Open the state folder.  When schedd runs as root, the folder and every
 * folder above it must be root's and writable by root alone (a user able
 * to plant a link or a file in it could make root overwrite anything);
 * see schedd.8 SECURITY.  -1 and a cause.
 */
static int
state_folder_open(char **cause)
{
	char	*why;
	int	 pfd, dfd, saved;

	if (!sd.is_root) {
		dfd = open(sd.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd == -1)
			xasprintf(cause, "state folder %s: %s", sd.state_dir,
			    strerror(errno));
		return (dfd);
	}
	if ((pfd = dir_open(sd.state_dir, 0, DIR_CHECK_PARENTS, NULL,
	    &why)) == -1) {
		xasprintf(cause, "state folder refused: %s", why);
		free(why);
		return (-1);
	}
	dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	close(pfd);
	if (dfd == -1)
		xasprintf(cause, "state folder %s: %s", sd.state_dir,
		    strerror(saved));
	return (dfd);
}

/*
 * Take the state folder: create it if missing, open it, and hold an
 * exclusive lock on STATE_DIR/lock for the daemon's lifetime (one daemon
 * per state folder).  Returns 0, or -1 and a cause; with busy set when
 * another daemon holds the lock.
 */
int
state_lock(int *busy, char **cause)
{
	int	 dfd, fd;

	*busy = 0;
	if (mkdir_p(sd.state_dir, 0700) == -1) {
		xasprintf(cause, "state folder %s: %s", sd.state_dir,
		    strerror(errno));
		return (-1);
	}
	if ((dfd = state_folder_open(cause)) == -1)
		return (-1);
	fd = openat(dfd, "lock", O_RDWR | O_CREAT | STATE_FILE_FLAGS, 0600);
	if (fd == -1 || flock(fd, LOCK_EX | LOCK_NB) == -1) {
		*busy = fd != -1 && errno == EWOULDBLOCK;
		if (*busy)
			xasprintf(cause, "already running: another schedd "
			    "uses the state folder %s", sd.state_dir);
		else
			xasprintf(cause, "lock %s/lock: %s", sd.state_dir,
			    strerror(errno));
		if (fd != -1)
			close(fd);
		close(dfd);
		return (-1);
	}
	if (sd.state_dirfd != -1)
		close(sd.state_dirfd);
	if (sd.lock_fd != -1)
		close(sd.lock_fd);
	sd.state_dirfd = dfd;
	sd.lock_fd = fd;
	return (0);
}

/*
 * Make and open STATE_DIR/logs, and remove temporary files a writer that
 * died left behind (the lock says no writer is alive).  -1 and a cause.
 */
int
state_prepare(char **cause)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, lfd;

	if (mkdirat(sd.state_dirfd, "logs", 0750) == -1 && errno != EEXIST) {
		xasprintf(cause, "log folder %s: %s", sd.log_dir,
		    strerror(errno));
		return (-1);
	}
	lfd = openat(sd.state_dirfd, "logs", O_RDONLY | O_DIRECTORY |
	    STATE_FILE_FLAGS);
	if (lfd == -1) {
		xasprintf(cause, "log folder %s: %s", sd.log_dir,
		    strerror(errno));
		return (-1);
	}
	if (sd.logs_dirfd != -1)
		close(sd.logs_dirfd);
	sd.logs_dirfd = lfd;

	if ((fd = dup(sd.state_dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return (0);
	}
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".tmp") == NULL ||
		    (strncmp(de->d_name, "state.json.tmp", 14) != 0 &&
		    strncmp(de->d_name, "journal.tmp", 11) != 0))
			continue;
		if (unlinkat(sd.state_dirfd, de->d_name, 0) == 0)
			log_debug("state: removed %s left by a writer that "
			    "died", de->d_name);
	}
	closedir(d);
	return (0);
}

/*
 * Is the state folder still the one the daemon opened?  A folder deleted
 * or replaced under it must be noticed before anything else is
 * acknowledged: 1 and a caller-freed reason if it is gone.
 */
static int
state_folder_lost(char **why)
{
	struct stat	 a, b;

	if (sd.state_dirfd == -1)
		return (0);
	if (fstat(sd.state_dirfd, &a) == -1) {
		xasprintf(why, "cannot be checked: %s", strerror(errno));
		return (1);
	}
	if (a.st_nlink == 0) {
		*why = xstrdup("was removed");
		return (1);
	}
	if (stat(sd.state_dir, &b) == -1) {
		xasprintf(why, "is gone (%s)", strerror(errno));
		return (1);
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		*why = xstrdup("was replaced by another folder");
		return (1);
	}
	return (0);
}

/*
 * Check the folder now (status asks): if it is gone the state is broken
 * until it has been made again.  Returns sd.state_ok.
 */
int
state_check(void)
{
	char	*why, *when;

	if (!state_folder_lost(&why))
		return (sd.state_ok);
	when = state_now_text();
	free(sd.state_error);
	xasprintf(&sd.state_error, "state folder %s %s (noticed %s); "
	    "nothing is saved until it is made again", sd.state_dir, why,
	    when);
	if (sd.state_ok)
		log_warnx("STATE FOLDER LOST: %s %s; changes are refused "
		    "until it has been made again", sd.state_dir, why);
	free(when);
	free(why);
	errno = ENOENT;
	state_failed("state folder lost");
	return (0);
}

/*
 * Make the state folder again after it was deleted or replaced: create
 * it, take its lock (if another daemon took it meanwhile, it is theirs:
 * stay broken), open its logs folder.  The caller writes the snapshot.
 */
static int
state_reopen(char **cause)
{
	int	 busy;

	if (state_lock(&busy, cause) != 0)
		return (-1);
	if (state_prepare(cause) != 0)
		return (-1);
	if (state_fd != -1) {
		close(state_fd);
		state_fd = -1;
	}
	log_warnx("state: folder %s made again; saving everything in "
	    "memory to it", sd.state_dir);
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
static void
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
static json_t *
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
	if (j->removed)
		return (0);
	if (sync)
		return (state_append(state_job_json(j, 0), 1));
	/* Written once at the end of this turn, however often it changed. */
	if (!j->state_dirty && state_fd != -1) {
		((struct job *)j)->state_dirty = 1;
		state_pending_job(j->name);
	}
	return (0);
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

/* The ban list changed: durable before the answer. */
int
state_bans(void)
{
	state_bans_dirty = 0;
	return (state_append(state_bans_json(), 1));
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
