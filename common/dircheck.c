/* SPDX-License-Identifier: ISC */
/*
 * Whom a folder belongs to (schedd(8) SECURITY).  A folder is trusted
 * when it is not a symbolic link, is owned by root or by the expected
 * user, and nobody else may write in it; with DIR_CHECK_PARENTS every
 * folder above it must be owned by root or that user too and not be
 * writable by others, except a sticky folder owned by root (/tmp), where
 * others may create entries but not rename or remove ours.
 *
 * The folder is opened first, without following a symbolic link, and the
 * checks are made on what was opened (fstat), so that nothing can be
 * swapped between the check and its use; the folders above are reached
 * from it through "..", the ones the path itself goes through (those that
 * hold a symbolic link of the path) are checked as well.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dircheck.h"
#include "xmalloc.h"

/* How far ".." is followed before giving up (a loop would be a bug). */
#define DIR_CHECK_MAX_DEPTH	4096

static char	*dir_clean(const char *);
static char	*dir_fd_name(int);
static int	 dir_check_prefix(const char *, const char *, uid_t, char **);
static int	 dir_check_path(const char *, uid_t, char **);
static int	 dir_check_above(const char *, int, uid_t, char **);

/*
 * Apply the rule to one folder's stat: NAME, as it appears in *cause, is
 * the folder itself, or one above it with DIR_CHECK_ABOVE.  Returns 0, or
 * -1 with errno EPERM (ENOTDIR for something that is not a folder) and a
 * caller-freed *cause.
 */
int
dir_check_stat(const char *name, const struct stat *sb, uid_t owner,
    int flags, char **cause)
{
	const char	*who;
	mode_t		 w;
	int		 above = (flags & DIR_CHECK_ABOVE) != 0;

	if (S_ISLNK(sb->st_mode)) {
		xasprintf(cause, "%s is a symbolic link", name);
		errno = EPERM;
		return (-1);
	}
	if (!S_ISDIR(sb->st_mode)) {
		xasprintf(cause, "%s is not a folder", name);
		errno = ENOTDIR;
		return (-1);
	}
	if ((above || !(flags & DIR_CHECK_ANY_OWNER)) && sb->st_uid != 0 &&
	    sb->st_uid != owner) {
		if (owner == 0)
			xasprintf(cause, "%s is owned by uid %u, not by root",
			    name, (unsigned)sb->st_uid);
		else
			xasprintf(cause, "%s is owned by uid %u, not by uid %u "
			    "or root", name, (unsigned)sb->st_uid,
			    (unsigned)owner);
		errno = EPERM;
		return (-1);
	}
	w = sb->st_mode & (S_IWGRP | S_IWOTH);
	if (w == 0)
		return (0);
	/* Others may add to a sticky root folder, but not take ours away. */
	if ((above || (flags & DIR_CHECK_STICKY)) &&
	    (sb->st_mode & S_ISVTX) && sb->st_uid == 0)
		return (0);
	if (w == (S_IWGRP | S_IWOTH))
		who = "its group and others";
	else if (w == S_IWGRP)
		who = "its group";
	else
		who = "others";
	xasprintf(cause, "%s is writable by %s (mode %04o)", name, who,
	    (unsigned)(sb->st_mode & 07777));
	errno = EPERM;
	return (-1);
}

/* A copy of path without trailing slashes ("/" stays, "" is "."). */
static char *
dir_clean(const char *path)
{
	char	*s;
	size_t	 len;

	if (*path == '\0')
		return (xstrdup("."));
	s = xstrdup(path);
	len = strlen(s);
	while (len > 1 && s[len - 1] == '/')
		s[--len] = '\0';
	return (s);
}

/* The path of an open folder, for messages. */
static char *
dir_fd_name(int fd)
{
	char	 link[64], buf[PATH_MAX];
	ssize_t	 n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof buf - 1);
	if (n <= 0)
		return (xstrdup("a folder above it"));
	buf[n] = '\0';
	return (xstrdup(buf));
}

/* One folder the path goes through, named as the path writes it. */
static int
dir_check_prefix(const char *path, const char *name, uid_t owner,
    char **cause)
{
	struct stat	 sb;
	char		*why;
	int		 saved;

	if (stat(name, &sb) == -1) {
		saved = errno;
		xasprintf(cause, "%s: %s: %s", path, name, strerror(saved));
		errno = saved;
		return (-1);
	}
	if (dir_check_stat(name, &sb, owner, DIR_CHECK_ABOVE, &why) == -1) {
		saved = errno;
		xasprintf(cause, "%s: parent folder %s", path, why);
		free(why);
		errno = saved;
		return (-1);
	}
	return (0);
}

/*
 * The folders the path goes through as written: a symbolic link in it
 * (say /var/run) is as safe as the folder that holds it.
 */
static int
dir_check_path(const char *path, uid_t owner, char **cause)
{
	char	*copy, *p;
	int	 rc;

	/* The root, or the working folder for a relative path. */
	if (dir_check_prefix(path, *path == '/' ? "/" : ".", owner,
	    cause) == -1)
		return (-1);
	copy = xstrdup(path);
	p = copy;
	rc = 0;
	while (*p == '/')
		p++;
	while (rc == 0 && (p = strchr(p, '/')) != NULL) {
		*p = '\0';
		rc = dir_check_prefix(path, copy, owner, cause);
		*p = '/';
		while (*p == '/')
			p++;
	}
	free(copy);
	return (rc);
}

/* Every folder above the open folder fd, up to the root. */
static int
dir_check_above(const char *path, int fd, uid_t owner, char **cause)
{
	struct stat	 cur, up;
	char		*name, *why;
	int		 ufd, depth, saved;

	if (fstat(fd, &cur) == -1)
		goto failed;
	fd = dup(fd);
	if (fd == -1)
		goto failed;
	for (depth = 0; depth < DIR_CHECK_MAX_DEPTH; depth++) {
		ufd = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (ufd == -1 || fstat(ufd, &up) == -1) {
			saved = errno;
			if (ufd != -1)
				close(ufd);
			close(fd);
			errno = saved;
			goto failed;
		}
		close(fd);
		fd = ufd;
		if (up.st_dev == cur.st_dev && up.st_ino == cur.st_ino)
			break;		/* the root is its own parent */
		name = dir_fd_name(fd);
		if (dir_check_stat(name, &up, owner, DIR_CHECK_ABOVE,
		    &why) == -1) {
			saved = errno;
			xasprintf(cause, "%s: parent folder %s", path, why);
			free(why);
			free(name);
			close(fd);
			errno = saved;
			return (-1);
		}
		free(name);
		cur = up;
	}
	close(fd);
	if (depth == DIR_CHECK_MAX_DEPTH) {
		xasprintf(cause, "%s: too many folders above it", path);
		errno = ELOOP;
		return (-1);
	}
	return (0);

failed:
	saved = errno;
	xasprintf(cause, "%s: %s", path, strerror(saved));
	errno = saved;
	return (-1);
}

/*
 * Open a folder that passes the rule, for openat() and fstat() (an
 * O_PATH descriptor, close-on-exec), and fill *sb if not NULL.  OWNER is
 * the user besides root who may own it; DIR_CHECK_ANY_OWNER lets the
 * folder itself (not the ones above) be anyone's.  Returns the
 * descriptor, or -1 with a caller-freed *cause naming the folder and
 * errno EPERM when the rule refuses it, ENOTDIR for something that is
 * not a folder, or why it could not be looked at (ENOENT, EACCES...).
 */
int
dir_open(const char *path, uid_t owner, int flags, struct stat *sb,
    char **cause)
{
	struct stat	 st;
	char		*clean;
	int		 fd, saved;

	clean = dir_clean(path);
	if (lstat(clean, &st) == -1) {
		saved = errno;
		xasprintf(cause, "%s: %s", clean, strerror(saved));
		goto fail;
	}
	if (dir_check_stat(clean, &st, owner, flags & (DIR_CHECK_ANY_OWNER |
	    DIR_CHECK_STICKY), cause) == -1) {
		saved = errno;
		goto fail;
	}
	/* What counts is what is opened: it may have changed since lstat. */
	fd = open(clean, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		if (saved == ENOTDIR || saved == ELOOP) {
			xasprintf(cause, "%s is a symbolic link or not a "
			    "folder", clean);
			saved = EPERM;
		} else
			xasprintf(cause, "%s: %s", clean, strerror(saved));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		xasprintf(cause, "%s: %s", clean, strerror(saved));
		close(fd);
		goto fail;
	}
	if (dir_check_stat(clean, &st, owner, flags & (DIR_CHECK_ANY_OWNER |
	    DIR_CHECK_STICKY), cause) == -1 ||
	    ((flags & DIR_CHECK_PARENTS) &&
	    (dir_check_path(clean, owner, cause) == -1 ||
	    dir_check_above(clean, fd, owner, cause) == -1))) {
		saved = errno;
		close(fd);
		goto fail;
	}
	free(clean);
	if (sb != NULL)
		*sb = st;
	return (fd);

fail:
	free(clean);
	errno = saved;
	return (-1);
}

/* Does the folder pass the rule?  0, or -1 as dir_open. */
int
dir_check(const char *path, uid_t owner, int flags, char **cause)
{
	int	 fd;

	if ((fd = dir_open(path, owner, flags, NULL, cause)) == -1)
		return (-1);
	close(fd);
	return (0);
}
