/* SPDX-License-Identifier: ISC */
/*
 * The state folder (doc/state.md): made, opened and locked at start
 * (one daemon per folder), checked as root against other users, cleared
 * of temporary files a dead writer left, watched while schedd runs (a
 * folder deleted or replaced is noticed before the next acknowledgement)
 * and made again after that.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dircheck.h"
#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"
#include "state.h"

static int	 state_folder_open(char **);

/* A state file's full path, for messages. */
char *
state_path(const char *name)
{
	char	*s;

	xasprintf(&s, "%s/%s", sd.state_dir, name);
	return (s);
}

/* Now, as an RFC 3339 string for messages; caller frees. */
char *
state_now_text(void)
{
	struct timespec	 ts;

	time_now(&ts);
	return (time_format(&ts));
}

/* fsync the state folder, so a rename or a new file in it is durable. */
int
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
 * Make and open STATE_DIR/logs and STATE_DIR/results (result.c), and
 * remove temporary files a writer that died left behind (the lock says
 * no writer is alive).  -1 and a cause.
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
	if (result_prepare(cause) != 0)
		return (-1);

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
int
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
		log_errorx("STATE FOLDER LOST: %s %s; changes are refused "
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
int
state_reopen(char **cause)
{
	int	 busy;

	if (state_lock(&busy, cause) != 0)
		return (-1);
	if (state_prepare(cause) != 0)
		return (-1);
	state_journal_set(-1);
	log_warnx("state: folder %s made again; saving everything in "
	    "memory to it", sd.state_dir);
	return (0);
}
