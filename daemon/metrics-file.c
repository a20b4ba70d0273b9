/* SPDX-License-Identifier: ISC */
/*
 * The metrics_file of schedd.yaml.5: every metrics_interval the loop
 * takes the numbers (metrics.c) and hands them to one helper thread,
 * which writes the text to a temporary file in the same folder and
 * renames it over the file, so that a reader (node_exporter's textfile
 * collector) sees the old text or the new, whole.  A slow disk delays
 * the thread, never the loop, and the thread runs at a lower priority
 * than the loop; an interval that comes while a write is under way is
 * passed over.  Nothing is armed without a metrics_file.
 * A failure is logged once, and again only when it changes; the file is
 * removed when schedd stops or the setting goes.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jw.h"
#include "log.h"
#include "metrics.h"
#include "schedd.h"
#include "xmalloc.h"

#define METRICS_FILE_PART	(64 * 1024)

/* What the thread tells the loop: a write done, and how. */
struct mf_done {
	int		 error;		/* errno, 0: written */
	int		 step;		/* MF_STEP_* that failed */
};
#define MF_STEP_CREATE	0
#define MF_STEP_WRITE	1
#define MF_STEP_RENAME	2

static const char *mf_steps[] = {
	"cannot create a temporary file beside it", "cannot write it",
	"cannot rename the temporary file over it"
};

static pthread_t	 mf_thread;
static pthread_mutex_t	 mf_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 mf_cv = PTHREAD_COND_INITIALIZER;
static struct metrics	*mf_next;	/* handed to the thread */
static char		*mf_next_path;
static int		 mf_quit;
static int		 mf_started;
static int		 mf_pipe[2] = { -1, -1 };
static struct event	*mf_ev;

/* The loop's side. */
static struct event	*mf_timer;
static char		*mf_path;	/* the file kept, or NULL */
static uint64_t		 mf_interval_ms;
static int		 mf_busy;	/* a write is under way */
static char		*mf_busy_path;	/* to what */
static int		 mf_logged;	/* the failure last logged, or 0 */
static int		 mf_logged_step;

static void	*metrics_file_main(void *);
static int	 metrics_file_write(const char *, struct metrics *, int *);
static void	 metrics_file_done(evutil_socket_t, short, void *);
static void	 metrics_file_tick(evutil_socket_t, short, void *);
static void	 metrics_file_gone(const char *);

/* Write the text to a temporary file beside path, then rename it. */
static int
metrics_file_write(const char *path, struct metrics *m, int *step)
{
	const char	*slash = strrchr(path, '/');
	struct jw	 w;
	char		*tmp;
	size_t		 off;
	ssize_t		 n;
	int		 fd, done = 0, error = 0;

	xasprintf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path,
	    slash + 1);
	*step = MF_STEP_CREATE;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		error = errno;
		free(tmp);
		return (error);
	}
	*step = MF_STEP_WRITE;
	jw_init(&w);
	/* Readable by the collector, which runs as another user. */
	if (fchmod(fd, 0644) == -1)
		error = errno;
	while (error == 0 && !done) {
		jw_clear(&w);
		done = metrics_text(m, &w, METRICS_FILE_PART);
		for (off = 0; off < w.len; off += (size_t)n) {
			if ((n = write(fd, w.buf + off, w.len - off)) == -1) {
				if (errno == EINTR) {
					n = 0;
					continue;
				}
				error = errno;
				break;
			}
		}
	}
	jw_free(&w);
	if (close(fd) == -1 && error == 0)
		error = errno;
	if (error == 0) {
		*step = MF_STEP_RENAME;
		if (rename(tmp, path) == -1)
			error = errno;
	}
	if (error != 0)
		unlink(tmp);
	free(tmp);
	return (error);
}

static void *
metrics_file_main(void *arg)
{
	struct mf_done	 d;
	struct metrics	*m;
	char		*path;

	/* On a busy machine the loop (timers) goes first. */
	setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
	for (;;) {
		pthread_mutex_lock(&mf_mtx);
		while (mf_next == NULL && !mf_quit)
			pthread_cond_wait(&mf_cv, &mf_mtx);
		m = mf_next;
		path = mf_next_path;
		mf_next = NULL;
		mf_next_path = NULL;
		pthread_mutex_unlock(&mf_mtx);
		if (m == NULL)
			return (NULL);
		d.step = 0;
		d.error = metrics_file_write(path, m, &d.step);
		metrics_free(m);
		free(path);
		daemon_thread_report(mf_pipe, &d, sizeof d);
	}
}

/* The thread wrote the file, or could not: log a change of outcome. */
static void
metrics_file_done(evutil_socket_t fd, short events, void *arg)
{
	struct mf_done	 d;

	while (read(fd, &d, sizeof d) == (ssize_t)sizeof d) {
		mf_busy = 0;
		if (mf_path == NULL || strcmp(mf_path, mf_busy_path) != 0) {
			/* The setting changed meanwhile: the new file now. */
			metrics_file_gone(mf_busy_path);
			free(mf_busy_path);
			mf_busy_path = NULL;
			metrics_file_tick(-1, 0, NULL);
			continue;
		}
		if (d.error != 0 && (d.error != mf_logged ||
		    d.step != mf_logged_step)) {
			errno = d.error;
			log_warn("metrics_file %s: %s", mf_path,
			    mf_steps[d.step]);
			mf_logged = d.error;
			mf_logged_step = d.step;
		} else if (d.error != 0)
			log_debug("metrics_file %s: %s: %s, again", mf_path,
			    mf_steps[d.step], strerror(d.error));
		else if (mf_logged != 0) {
			log_info("metrics_file %s: written again", mf_path);
			mf_logged = 0;
		}
		free(mf_busy_path);
		mf_busy_path = NULL;
	}
}

/* Hand the numbers of now to the thread, unless it is still writing. */
static void
metrics_file_tick(evutil_socket_t fd, short events, void *arg)
{
	struct metrics	*m;

	if (mf_path == NULL || !mf_started)
		return;
	if (mf_busy) {
		log_debug("metrics_file %s: the last write is not done, "
		    "this interval is passed over", mf_path);
		return;
	}
	m = metrics_take();
	mf_busy = 1;
	mf_busy_path = xstrdup(mf_path);
	pthread_mutex_lock(&mf_mtx);
	mf_next = m;
	mf_next_path = xstrdup(mf_path);
	pthread_cond_signal(&mf_cv);
	pthread_mutex_unlock(&mf_mtx);
}

/* A file schedd no longer keeps: remove it, it would only go stale. */
static void
metrics_file_gone(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("metrics_file %s: cannot remove it", path);
}

/*
 * Follow the settings (at start and after a reload): keep the file they
 * name, every metrics_interval, or none.  A file no longer named is
 * removed; the new one is written at once.
 */
void
metrics_file_apply(void)
{
	const char	*path = sd.settings.metrics_file;
	uint64_t	 ms = sd.settings.metrics_interval_ms;
	struct timeval	 tv;

	if (mf_path != NULL && (path == NULL || strcmp(path, mf_path) != 0)) {
		if (!mf_busy)
			metrics_file_gone(mf_path);
		free(mf_path);
		mf_path = NULL;
		mf_logged = 0;
	}
	if (path == NULL) {
		if (mf_timer != NULL)
			evtimer_del(mf_timer);
		return;
	}
	if (!mf_started) {
		mf_quit = 0;
		if (daemon_thread_start(&mf_thread, metrics_file_main,
		    mf_pipe, &mf_ev, metrics_file_done) != 0) {
			log_warn("metrics_file %s: cannot start its thread",
			    path);
			return;
		}
		mf_started = 1;
	}
	if (mf_timer == NULL)
		mf_timer = event_new(sd.base, -1, EV_PERSIST,
		    metrics_file_tick, NULL);
	if (mf_path != NULL && ms == mf_interval_ms &&
	    evtimer_pending(mf_timer, NULL))
		return;
	if (mf_path == NULL)
		mf_path = xstrdup(path);
	mf_interval_ms = ms;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(mf_timer, &tv);
	metrics_file_tick(-1, 0, NULL);
}

/* At exit: end the thread after its write, and remove the file. */
void
metrics_file_stop(void)
{
	if (mf_timer != NULL)
		event_free(mf_timer);
	mf_timer = NULL;
	if (mf_started) {
		pthread_mutex_lock(&mf_mtx);
		mf_quit = 1;
		pthread_cond_signal(&mf_cv);
		pthread_mutex_unlock(&mf_mtx);
		pthread_join(mf_thread, NULL);
		mf_started = 0;
		metrics_free(mf_next);
		free(mf_next_path);
		mf_next = NULL;
		mf_next_path = NULL;
		metrics_file_done(mf_pipe[0], EV_READ, NULL);
		daemon_thread_close(mf_pipe, &mf_ev);
	}
	if (mf_path != NULL)
		metrics_file_gone(mf_path);
	free(mf_path);
	free(mf_busy_path);
	mf_path = mf_busy_path = NULL;
	mf_busy = 0;
}
