/* SPDX-License-Identifier: ISC */
/*
 * Writing the journal beside the event loop (doc/state.md).  A write(2)
 * to a file blocks for milliseconds while the disk is busy -- the kernel
 * throttles whoever dirties pages -- and the loop must not spend them:
 * timers would fire late.  So when a firing is due soon, or lines are
 * already waiting, the loop hands a turn's lines to the one writer
 * thread, which writes them in order; otherwise it writes them itself,
 * which costs no wakeup.  Everything is counted in bytes handed over
 * ("queued") and bytes in the journal ("written"), one sequence for
 * both ways.
 *
 * Whoever needs lines in the journal before going on waits for them:
 * a task's start (its "running" record first: task-start.c holds the
 * start until this file reports the bytes written), a sync (state-sync.c
 * waits before its fdatasync, so an answer never outruns its line), and
 * the loop itself only before it changes or closes the journal.
 *
 * A failed write stops the writer: nothing after it is written, until the
 * loop, told through the pipe, has written the state again whole (the
 * retry snapshot of state_failed) and set a new journal.
 */
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "schedd.h"
#include "state.h"
#include "xmalloc.h"

#define WRITE_MARGIN_NS	(50 * 1000000ULL)	/* see state_write_put */

static pthread_t	 w_thread;
static pthread_mutex_t	 w_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 w_work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t	 w_done_cv = PTHREAD_COND_INITIALIZER;
static char		*w_buf;		/* queued, not yet taken */
static size_t		 w_len;
static size_t		 w_size;
static char		*w_spare;	/* the other buffer */
static size_t		 w_spare_size;
static int		 w_busy;	/* the thread is writing */
static int		 w_fd = -1;	/* the journal, the loop's state_fd */
static int		 w_error;	/* errno of a failed write */
static int		 w_told;	/* the loop heard of it */
static uint64_t		 w_queued;	/* bytes handed over */
static uint64_t		 w_written;	/* bytes in the journal */
static int		 w_mode = -1;	/* SCHEDD_WRITE_THREAD, -1: unset */
static int		 w_quit;
static int		 w_tried;
static int		 w_started;
static int		 w_pipe[2] = { -1, -1 };
static struct event	*w_ev;

static void	*state_write_main(void *);
static void	 state_write_read(evutil_socket_t, short, void *);
static int	 state_write_init(void);
static int	 state_write_here(void);

/* The writer thread: write what is queued, in order, until told to end. */
static void *
state_write_main(void *arg)
{
	char	*buf, c = 0;
	size_t	 len, size;
	int	 fd, error;

	for (;;) {
		pthread_mutex_lock(&w_mtx);
		while (w_len == 0 && !w_quit)
			pthread_cond_wait(&w_work_cv, &w_mtx);
		if (w_len == 0) {
			pthread_mutex_unlock(&w_mtx);
			return (NULL);
		}
		/* Take the queued buffer; the loop fills the other. */
		buf = w_buf;
		len = w_len;
		size = w_size;
		w_buf = w_spare;
		w_size = w_spare_size;
		w_len = 0;
		w_busy = 1;
		fd = w_fd;
		error = w_error;
		pthread_mutex_unlock(&w_mtx);

		if (error == 0 && state_write_all(fd, buf, len) != 0)
			error = errno;

		pthread_mutex_lock(&w_mtx);
		w_spare = buf;
		w_spare_size = size;
		w_busy = 0;
		if (error != 0)
			w_error = error;
		else
			w_written += len;
		pthread_cond_broadcast(&w_done_cv);
		pthread_mutex_unlock(&w_mtx);
		daemon_thread_report(w_pipe, &c, 1);
	}
}

/* Start the writer thread (once); 0 if it runs. */
static int
state_write_init(void)
{
	if (w_tried)
		return (w_started ? 0 : -1);
	if (sd.base == NULL)
		return (-1);
	w_tried = 1;
	w_quit = 0;
	if (daemon_thread_start(&w_thread, state_write_main, w_pipe, &w_ev,
	    state_write_read) != 0)
		return (-1);
	w_started = 1;
	return (0);
}

/*
 * The writer reported: a failed write fails the state (once); written
 * bytes release the starts that waited for them.
 */
static void
state_write_read(evutil_socket_t fd, short events, void *arg)
{
	char		 buf[256];
	uint64_t	 written;
	int		 error, tell;

	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&w_mtx);
	written = w_written;
	error = w_error;
	tell = error != 0 && !w_told;
	if (tell)
		w_told = 1;
	pthread_mutex_unlock(&w_mtx);
	if (tell) {
		errno = error;
		state_failed("write journal");
	}
	task_start_written(written, error != 0);
}

/*
 * May the loop write itself?  Not while earlier lines wait for the
 * thread (the order on disk is the order handed over), and not when a
 * firing is due within WRITE_MARGIN_NS: the loop must be free for it.
 * SCHEDD_WRITE_THREAD (schedd(8)), meant for tests, says always (1) or
 * never (0).
 */
static int
state_write_here(void)
{
	const char	*e;
	int		 idle;

	if (w_mode == -1) {
		e = getenv("SCHEDD_WRITE_THREAD");
		w_mode = e == NULL || *e == '\0' ? 2 : *e == '0' ? 0 : 1;
	}
	pthread_mutex_lock(&w_mtx);
	idle = !w_busy && w_len == 0 && w_error == 0;
	pthread_mutex_unlock(&w_mtx);
	if (!idle)
		return (0);
	if (w_mode != 2)
		return (w_mode == 0);
	return (!sched_due_within(WRITE_MARGIN_NS));
}

/*
 * Append buf to the journal: here, or by the writer thread (see
 * state_write_here).  -1 if a write made here failed; the thread's
 * failures are reported later (state_write_read).
 */
int
state_write_put(const char *buf, size_t len)
{
	if (len == 0)
		return (0);
	if (state_write_here() || state_write_init() != 0) {
		if (state_write_all(state_fd, buf, len) != 0)
			return (-1);
		pthread_mutex_lock(&w_mtx);
		w_queued += len;
		w_written += len;
		pthread_mutex_unlock(&w_mtx);
		return (0);
	}
	pthread_mutex_lock(&w_mtx);
	if (w_len + len > w_size) {
		while (w_len + len > w_size)
			w_size = w_size == 0 ? 65536 : w_size * 2;
		w_buf = xreallocarray(w_buf, w_size, 1);
	}
	memcpy(w_buf + w_len, buf, len);
	w_len += len;
	w_queued += len;
	pthread_cond_signal(&w_work_cv);
	pthread_mutex_unlock(&w_mtx);
	return (0);
}

/* Bytes handed over so far: what a start or a sync waits for. */
uint64_t
state_write_queued(void)
{
	uint64_t	 n;

	pthread_mutex_lock(&w_mtx);
	n = w_queued;
	pthread_mutex_unlock(&w_mtx);
	return (n);
}

/* Are the first seq bytes in the journal (1), or will they never be (-1)? */
int
state_write_done(uint64_t seq)
{
	int	 rc;

	pthread_mutex_lock(&w_mtx);
	rc = w_written >= seq ? 1 : w_error != 0 ? -1 : 0;
	pthread_mutex_unlock(&w_mtx);
	return (rc);
}

/*
 * Wait until the first seq bytes are in the journal (from any thread).
 * -1 and errno if a write failed before they were.
 */
int
state_write_wait(uint64_t seq)
{
	int	 error = 0;

	pthread_mutex_lock(&w_mtx);
	while (w_written < seq && w_error == 0)
		pthread_cond_wait(&w_done_cv, &w_mtx);
	if (w_written < seq)
		error = w_error;
	pthread_mutex_unlock(&w_mtx);
	if (error != 0) {
		errno = error;
		return (-1);
	}
	return (0);
}

/* Wait until everything handed over is written (in the loop). */
int
state_write_drain(void)
{
	return (state_write_wait(state_write_queued()));
}

/*
 * The loop changes the journal (a new one, or none: fd -1): what the old
 * one was handed is written first (or dropped after a failure: the
 * snapshot that comes with a new journal holds it), then the old
 * descriptor is closed and fd takes writes from now on.  Starts held
 * for dropped lines go on with a new journal (that snapshot has them
 * running) and back to their queues without one.
 */
void
state_journal_set(int fd)
{
	uint64_t	 queued, written;

	state_write_drain();
	pthread_mutex_lock(&w_mtx);
	while (w_busy)
		pthread_cond_wait(&w_done_cv, &w_mtx);
	written = w_written;
	/* Dropped bytes count as written: nothing waits for them now. */
	w_len = 0;
	w_written = w_queued;
	w_error = 0;
	w_told = 0;
	w_fd = fd;
	queued = w_queued;
	pthread_mutex_unlock(&w_mtx);
	if (state_fd != -1 && state_fd != fd)
		close(state_fd);
	state_fd = fd;
	if (fd == -1)
		task_start_written(written, 1);
	else
		task_start_written(queued, 0);
}

/* At exit, after the last write: stop the writer thread. */
void
state_write_stop(void)
{
	if (w_started) {
		pthread_mutex_lock(&w_mtx);
		w_quit = 1;
		pthread_cond_signal(&w_work_cv);
		pthread_mutex_unlock(&w_mtx);
		daemon_thread_stop(w_thread, w_pipe, &w_ev);
		w_started = 0;
	}
	w_tried = 0;
	free(w_buf);
	free(w_spare);
	w_buf = w_spare = NULL;
	w_size = w_spare_size = w_len = 0;
}
