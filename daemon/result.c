/* SPDX-License-Identifier: ISC */
/*
 * Task results (schedd.8 TASK RESULTS): each task's child makes it an
 * empty file, STATE_DIR/results/ID, owned by the user the task runs as,
 * named in SCHEDD_RESULT; when the task has ended, what the file holds
 * (at most RESULT_MAX bytes) becomes the record's "result" and the file
 * is removed.  An empty file, what most tasks leave, costs the daemon a
 * stat and an unlink.
 *
 * The folder is the daemon's and writable by it alone (mode 0711): a
 * task can write its file's content but cannot replace the file, link
 * another in or make more.  The file is still read as if it were
 * hostile: never through a symbolic link, without blocking, only if it
 * is a regular file of the expected owner, and never beyond RESULT_MAX
 * bytes -- more is an error, never a truncated result.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jw.h"
#include "log.h"
#include "schedd.h"
#include "task-prep.h"
#include "xmalloc.h"

#define RESULT_MAX	65536		/* bytes; schedd.8 TASK RESULTS */
#define RESULT_DIR	"results"
#define RESULT_PARSE	(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

static void	 result_fail(struct task *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static void	 result_set(struct task *, const char *, size_t);
static char	*result_json(const char *, size_t);
static void	 result_clear(int);
static void	 result_file_name(const struct task *, char *, size_t);
static void	 result_discard(struct task *);

/* The name of a task's result file in the results folder. */
static void
result_file_name(const struct task *t, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)t->id);
}

/* The task has no result, for this reason. */
static void
result_fail(struct task *t, const char *fmt, ...)
{
	va_list	 ap;

	free(t->result_error);
	va_start(ap, fmt);
	xvasprintf(&t->result_error, fmt, ap);
	va_end(ap);
	log_warnx("task %llu (%s): no result: %s", (unsigned long long)t->id,
	    t->job->name, t->result_error);
}

/* Remove every file left in the results folder (from before a crash). */
static void
result_clear(int dfd)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			log_debug("results: removed %s left from before",
			    de->d_name);
		else
			log_warn("results: cannot remove %s/%s/%s",
			    sd.state_dir, RESULT_DIR, de->d_name);
	}
	closedir(d);
}

/*
 * Make and open STATE_DIR/results, the daemon's and mode 0711, with no
 * file left in it.  As root, tasks run as other users must reach it, so
 * the state folder gets search permission for all (only that: its files
 * stay private).  -1 and a caller-freed cause.
 */
int
result_prepare(char **cause)
{
	struct stat	 st;
	int		 fd;

	if (sd.is_root && fstat(sd.state_dirfd, &st) == 0 &&
	    (st.st_mode & 0011) != 0011) {
		if (fchmod(sd.state_dirfd, (st.st_mode & 07777) | 0011) == -1) {
			xasprintf(cause, "state folder %s: chmod: %s",
			    sd.state_dir, strerror(errno));
			return (-1);
		}
		log_info("state folder %s made searchable by all, for tasks' "
		    "result files", sd.state_dir);
	}
	if (mkdirat(sd.state_dirfd, RESULT_DIR, 0711) == -1 &&
	    errno != EEXIST) {
		xasprintf(cause, "%s/%s: %s", sd.state_dir, RESULT_DIR,
		    strerror(errno));
		return (-1);
	}
	fd = openat(sd.state_dirfd, RESULT_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		xasprintf(cause, "%s/%s: %s", sd.state_dir, RESULT_DIR,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	if (st.st_uid != sd.uid) {
		xasprintf(cause, "%s/%s: belongs to uid %u, not schedd's",
		    sd.state_dir, RESULT_DIR, (unsigned)st.st_uid);
		close(fd);
		return (-1);
	}
	if ((st.st_mode & 07777) != 0711 && fchmod(fd, 0711) == -1) {
		xasprintf(cause, "%s/%s: chmod: %s", sd.state_dir, RESULT_DIR,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	result_clear(fd);
	if (sd.results_dirfd != -1)
		close(sd.results_dirfd);
	sd.results_dirfd = fd;
	return (0);
}

/*
 * Name a task's result file in its start: the child makes it, empty and
 * the task user's, before it drops its privileges (spawn.c), so that
 * making it costs the daemon nothing.  Returns its path, for
 * SCHEDD_RESULT (caller frees), or NULL when there is no results folder:
 * the task then runs without one, and its record says why.
 */
char *
result_name(struct task *t, struct task_prep *p)
{
	char	*path;

	free(t->result);
	free(t->result_error);
	t->result = t->result_error = NULL;
	t->result_file = 0;
	p->result_error = -1;
	if (sd.results_dirfd == -1) {
		result_fail(t, "the results folder is not open");
		return (NULL);
	}
	result_file_name(t, p->result_name, sizeof p->result_name);
	p->req.result_name = p->result_name;
	p->req.result_dirfd = sd.results_dirfd;
	p->req.result_error = &p->result_error;
	t->result_uid = p->req.set_ids ? p->req.uid : sd.uid;
	xasprintf(&path, "%s/%s/%s", sd.state_dir, RESULT_DIR,
	    p->result_name);
	return (path);
}

/*
 * A task's start is over: error is what making its result file gave (0
 * made, -1 not tried: the start failed before).
 */
void
result_started(struct task *t, int error)
{
	if (error == 0)
		t->result_file = 1;
	else if (error > 0)
		result_fail(t, "cannot make its file: %s", strerror(error));
}

/* Remove a task's result file, once read. */
static void
result_discard(struct task *t)
{
	char	 name[32];

	if (!t->result_file)
		return;
	t->result_file = 0;
	result_file_name(t, name, sizeof name);
	if (unlinkat(sd.results_dirfd, name, 0) == -1 && errno != ENOENT)
		log_warn("results: cannot remove %s/%s/%s", sd.state_dir,
		    RESULT_DIR, name);
}

/*
 * The JSON value [p, p + len) as the task wrote it (its numbers as
 * written, not as a double prints them), without the white space
 * between tokens, so that it is one line of a record.  NULL if it is
 * not one JSON value.
 */
static char *
result_json(const char *p, size_t len)
{
	json_t	*v;
	char	*s, *o;
	size_t	 i;
	int	 in = 0, esc = 0;

	if ((v = json_loadb(p, len, RESULT_PARSE, NULL)) == NULL)
		return (NULL);
	json_decref(v);
	o = s = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (in) {
			if (esc)
				esc = 0;
			else if (p[i] == '\\')
				esc = 1;
			else if (p[i] == '"')
				in = 0;
		} else if (p[i] == '"')
			in = 1;
		else if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
		    p[i] == '\n')
			continue;
		*o++ = p[i];
	}
	*o = '\0';
	return (s);
}

/*
 * The content of a result file as the record keeps it: the JSON value
 * it is, else a string; nothing if it is empty.
 */
static void
result_set(struct task *t, const char *buf, size_t len)
{
	struct jw	 w;

	if (len == 0)
		return;
	if ((t->result = result_json(buf, len)) != NULL) {
		/* null is no result. */
		if (strcmp(t->result, "null") == 0) {
			free(t->result);
			t->result = NULL;
		}
		return;
	}
	jw_init(&w);
	jw_text(&w, buf, len);
	t->result = xmalloc(w.len + 1);
	memcpy(t->result, w.buf, w.len);
	t->result[w.len] = '\0';
	jw_free(&w);
}

/*
 * The task has ended: read its result file, if it has one, into its
 * record, and remove it.  A file that is not what the daemon made, or
 * is too large, leaves an error in the record and the task's state as
 * it is.
 */
void
result_take(struct task *t)
{
	struct stat	 st;
	char		 name[32], *buf = NULL;
	size_t		 len = 0;
	ssize_t		 n = 0;
	int		 fd = -1;

	if (!t->result_file)
		return;
	result_file_name(t, name, sizeof name);
	/* Most tasks leave it empty: a look and its removal are then all. */
	if (fstatat(sd.results_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size == 0 &&
	    st.st_uid == t->result_uid)
		goto out;
	fd = openat(sd.results_dirfd, name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		result_fail(t, "cannot open its file: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		result_fail(t, "cannot stat its file: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != t->result_uid) {
		result_fail(t, "its file was replaced");
		goto out;
	}
	buf = xmalloc(RESULT_MAX + 1);
	while (len < RESULT_MAX + 1) {
		n = read(fd, buf + len, RESULT_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n == -1)
		result_fail(t, "cannot read its file: %s", strerror(errno));
	else if (len > RESULT_MAX)
		result_fail(t, "larger than %d bytes (%lld bytes)", RESULT_MAX,
		    (long long)st.st_size);
	else
		result_set(t, buf, len);
out:
	free(buf);
	if (fd != -1)
		close(fd);
	result_discard(t);
}

/*
 * A result read back from the state: the JSON value [p, p + len) as
 * compact text, or NULL for null or what does not parse.
 */
char *
result_load(const char *p, size_t len)
{
	if (p == NULL || (len == 4 && memcmp(p, "null", 4) == 0))
		return (NULL);
	return (result_json(p, len));
}

/*
 * A task's result for a hook's SCHEDD_HOOK_RESULT, as "schedctl result"
 * prints it: a string as it is (unless it holds a NUL), any other value
 * as JSON text, "" if there is none.  Caller frees.
 */
char *
result_text(const struct task *t)
{
	json_t	*v;
	char	*s;

	if (t->result == NULL)
		return (xstrdup(""));
	if (*t->result != '"' || (v = json_loads(t->result, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, NULL)) == NULL)
		return (xstrdup(t->result));
	if (strlen(json_string_value(v)) == json_string_length(v))
		s = xstrdup(json_string_value(v));
	else
		s = xstrdup(t->result);
	json_decref(v);
	return (s);
}
