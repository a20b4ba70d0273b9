/* SPDX-License-Identifier: ISC */
/*
 * A running task's output: one pipe for stdout and stderr, read by the
 * event loop, written to STATE_DIR/logs/JOB/ID.log (created at the first
 * byte, so a silent task has no log) up to log_max (the
 * rest counted, dropped, and noted in the log), the last output_tail bytes
 * kept for the record, and passed on to anyone following it.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#define OUTPUT_CHUNK	65536

static void	output_read(evutil_socket_t, short, void *);
static void	output_take(struct task *, const char *, size_t);
static void	output_open_log(struct task *);
static int	output_job_dir(const char *, int);

/*
 * Open the task's output pipe.  Returns the pipe's write end for the
 * child (the caller closes it after spawning), -1 on error.
 */
int
output_start(struct task *t)
{
	int	 fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return (-1);
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1) {
		close(fds[0]);
		close(fds[1]);
		return (-1);
	}
	t->out_fd = fds[0];
	t->out_ev = event_new(sd.base, fds[0], EV_READ | EV_PERSIST,
	    output_read, t);
	event_add(t->out_ev, NULL);

	t->tail_cap = sd.settings.output_tail;
	return (fds[1]);
}

/*
 * The folder of a job's logs, opened without following a symbolic link
 * (and created with create set).  -1 and errno on failure.
 */
static int
output_job_dir(const char *job, int create)
{
	int	 fd;

	if (sd.logs_dirfd == -1) {
		errno = ENOENT;
		return (-1);
	}
	fd = openat(sd.logs_dirfd, job, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create) {
		if (mkdirat(sd.logs_dirfd, job, 0750) == -1 && errno != EEXIST)
			return (-1);
		fd = openat(sd.logs_dirfd, job, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	}
	return (fd);
}

/*
 * Create the log file at the first output: a task that prints nothing
 * costs no file (creating and pruning inodes dominates short tasks).
 * Logs live in STATE_DIR/logs/JOB/ID.log and are opened relative to the
 * logs folder, never through a symbolic link, always as a new file: a
 * file that is there already (from before a crash) is replaced.
 */
static void
output_open_log(struct task *t)
{
	char	 name[32];
	int	 dfd;

	snprintf(name, sizeof name, "%llu.log", (unsigned long long)t->id);
	if ((dfd = output_job_dir(t->job->name, 1)) == -1) {
		log_warn("task %llu: log folder %s/%s",
		    (unsigned long long)t->id, sd.log_dir, t->job->name);
		return;
	}
	t->log_fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0640);
	if (t->log_fd == -1 && errno == EEXIST && unlinkat(dfd, name, 0) == 0)
		t->log_fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0640);
	if (t->log_fd == -1)
		log_warn("task %llu: open %s/%s/%s", (unsigned long long)t->id,
		    sd.log_dir, t->job->name, name);
	else
		xasprintf(&t->log_path, "%s/%s/%s", sd.log_dir, t->job->name,
		    name);
	close(dfd);
}

/*
 * Delete a task's log, found by its job and id (never by the path in a
 * record, which a damaged state could make point anywhere).
 */
void
output_log_unlink(struct task *t)
{
	char	 name[32];
	int	 dfd;

	if (t->log_path == NULL)
		return;
	snprintf(name, sizeof name, "%llu.log", (unsigned long long)t->id);
	if ((dfd = output_job_dir(t->job->name, 0)) == -1)
		return;
	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT)
		log_warn("unlink %s/%s/%s", sd.log_dir, t->job->name, name);
	close(dfd);
}

/* Close the pipe and the log, noting dropped bytes in the log. */
void
output_close(struct task *t)
{
	char	 note[128];
	int	 n;

	if (t->out_ev != NULL) {
		event_free(t->out_ev);
		t->out_ev = NULL;
	}
	if (t->out_fd != -1) {
		close(t->out_fd);
		t->out_fd = -1;
	}
	if (t->log_fd != -1) {
		if (t->log_dropped > 0) {
			n = snprintf(note, sizeof note, "\n[schedd: log_max "
			    "reached, %llu more bytes dropped]\n",
			    (unsigned long long)t->log_dropped);
			if (write(t->log_fd, note, n) != n)
				log_warn("write %s", t->log_path);
		}
		close(t->log_fd);
		t->log_fd = -1;
	}
}

/* The pipe is readable: take one chunk, or notice end of file. */
static void
output_read(evutil_socket_t fd, short events, void *arg)
{
	struct task	*t = arg;
	char		 buf[OUTPUT_CHUNK];
	ssize_t		 n;

	n = read(fd, buf, sizeof buf);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		log_warn("task %llu: read output", (unsigned long long)t->id);
	}
	if (n <= 0) {
		event_free(t->out_ev);
		t->out_ev = NULL;
		close(t->out_fd);
		t->out_fd = -1;
		task_output_closed(t);
		return;
	}
	output_take(t, buf, (size_t)n);
}

/* Account for new output: log, tail, followers. */
static void
output_take(struct task *t, const char *buf, size_t len)
{
	struct task_watch	*w, *next;
	uint64_t		 room;
	size_t			 keep;
	ssize_t			 n;

	if (t->output_bytes == 0)
		output_open_log(t);
	t->output_bytes += len;
	if (t->log_fd != -1) {
		room = sd.settings.log_max > t->log_written ?
		    sd.settings.log_max - t->log_written : 0;
		keep = len < room ? len : (size_t)room;
		if (keep > 0) {
			n = write(t->log_fd, buf, keep);
			if (n < 0) {
				log_warn("write %s", t->log_path);
				n = 0;
			}
			t->log_written += (uint64_t)n;
		}
		t->log_dropped += len - keep;
	}
	if (t->tail_cap > 0) {
		if (t->tail == NULL)
			t->tail = xmalloc(t->tail_cap);
		if (len >= t->tail_cap) {
			memcpy(t->tail, buf + len - t->tail_cap, t->tail_cap);
			t->tail_len = t->tail_cap;
		} else {
			if (t->tail_len + len > t->tail_cap) {
				keep = t->tail_cap - len;
				memmove(t->tail, t->tail + t->tail_len - keep,
				    keep);
				t->tail_len = keep;
			}
			memcpy(t->tail + t->tail_len, buf, len);
			t->tail_len += len;
		}
	}
	LIST_FOREACH_SAFE(w, &t->watches, entry, next)
		w->fn(t, WATCH_OUTPUT, buf, len, w->arg);
}

/* The log file's contents; caller frees.  NULL if there is none. */
char *
output_read_log(const struct task *t, size_t *lenp)
{
	char		 name[32], *text;
	int		 dfd, saved;

	if (t->log_path == NULL)
		return (NULL);
	snprintf(name, sizeof name, "%llu.log", (unsigned long long)t->id);
	if ((dfd = output_job_dir(t->job->name, 0)) == -1)
		return (NULL);
	text = file_read_at(dfd, name, lenp);
	saved = errno;
	close(dfd);
	errno = saved;
	return (text);
}
