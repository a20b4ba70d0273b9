/* SPDX-License-Identifier: ISC */
/*
 * Background fdatasync of the journal (doc/state.md): a flush on a busy
 * disk takes tens of milliseconds, which the event loop must not spend
 * waiting.  The one helper thread only ever syncs a duplicate of the
 * journal descriptor it is handed (and of the state folder's, when a new
 * journal's name must reach the disk too), once the lines handed to the
 * writer thread before the request are written (state-write.c), and
 * reports each request done (or failed) through a pipe the loop watches;
 * it touches nothing else.
 * Both the lines that may take up to a second (task records, counters,
 * id reservations) and the acknowledged changes (add, remove, ban, ...)
 * are synced here: the answers to the latter wait until it is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "schedd.h"
#include "state.h"

/* What the helper thread tells the loop: a request done, and how. */
struct sync_done {
	uint64_t	 ticket;
	int		 error;
};

static pthread_t	 sync_thread;
static pthread_mutex_t	 sync_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 sync_cv = PTHREAD_COND_INITIALIZER;
static int		 sync_fd = -1;		/* to sync next, owned */
static int		 sync_dirfd = -1;	/* its folder too, owned */
static uint64_t		 sync_ticket;		/* its ticket */
static uint64_t		 sync_seq;		/* bytes it must cover */
static uint64_t		 sync_last;		/* last ticket handed out */
static int		 sync_quit;
static int		 sync_started;
static int		 sync_pipe[2] = { -1, -1 };
static struct event	*sync_ev;

static void	*state_sync_main(void *);
static void	 state_sync_read(evutil_socket_t, short, void *);

static void *
state_sync_main(void *arg)
{
	struct sync_done	 d;
	uint64_t		 seq;
	int			 fd, dirfd;

	for (;;) {
		pthread_mutex_lock(&sync_mtx);
		while (sync_fd == -1 && !sync_quit)
			pthread_cond_wait(&sync_cv, &sync_mtx);
		fd = sync_fd;
		dirfd = sync_dirfd;
		d.ticket = sync_ticket;
		seq = sync_seq;
		sync_fd = sync_dirfd = -1;
		pthread_mutex_unlock(&sync_mtx);
		if (fd == -1)
			return (NULL);
		/* Lines handed to the writer thread are written first. */
		d.error = state_write_wait(seq) == -1 || fdatasync(fd) == -1 ?
		    errno : 0;
		if (d.error == 0 && dirfd != -1 && fsync(dirfd) == -1)
			d.error = errno;
		close(fd);
		if (dirfd != -1)
			close(dirfd);
		daemon_thread_report(sync_pipe, &d, sizeof d);
	}
}

/* The helper thread finished requests: tell the state layer. */
static void
state_sync_read(evutil_socket_t fd, short events, void *arg)
{
	struct sync_done	 d;

	while (read(fd, &d, sizeof d) == (ssize_t)sizeof d) {
		if (d.error != 0) {
			errno = d.error;
			state_failed("fdatasync journal (background)");
		} else
			state_synced(d.ticket);
	}
}

/* Start the helper thread; without it, syncs happen in the loop. */
void
state_sync_init(void)
{
	if (sync_started)
		return;
	sync_quit = 0;
	if (daemon_thread_start(&sync_thread, state_sync_main, sync_pipe,
	    &sync_ev, state_sync_read) == 0)
		sync_started = 1;
}

/*
 * Have fd synced soon, with every line handed over so far, and the
 * folder dirfd (-1: none) after it, without waiting.  Returns a ticket:
 * when the helper thread has synced it, state_synced(ticket) runs in the
 * loop (a later ticket done means every
 * earlier one is: a request still pending is replaced, since syncing the
 * file once covers both).  Without the thread the sync is done here, at
 * once, and state_synced runs before this returns.  0 if that failed.
 */
uint64_t
state_sync_async(int fd, int dirfd)
{
	uint64_t	 ticket = ++sync_last, seq = state_write_queued();
	int		 dup_fd = -1, dup_dirfd = -1, old, old_dir;

	if (!sync_started || (dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (dirfd != -1 && (dup_dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3)) ==
	    -1)) {
		if (dup_fd != -1)
			close(dup_fd);
		if (state_write_wait(seq) == -1 || fdatasync(fd) == -1 ||
		    (dirfd != -1 && fsync(dirfd) == -1))
			return (0);
		state_synced(ticket);
		return (ticket);
	}
	pthread_mutex_lock(&sync_mtx);
	old = sync_fd;
	old_dir = sync_dirfd;
	sync_fd = dup_fd;
	/* A replaced request's folder sync is still owed. */
	if (dup_dirfd == -1 && old_dir != -1) {
		dup_dirfd = old_dir;
		old_dir = -1;
	}
	sync_dirfd = dup_dirfd;
	sync_ticket = ticket;
	sync_seq = seq;
	pthread_cond_signal(&sync_cv);
	pthread_mutex_unlock(&sync_mtx);
	if (old != -1)
		close(old);
	if (old_dir != -1)
		close(old_dir);
	return (ticket);
}

/* Stop the helper thread after its last sync. */
void
state_sync_stop(void)
{
	if (!sync_started)
		return;
	pthread_mutex_lock(&sync_mtx);
	sync_quit = 1;
	pthread_cond_signal(&sync_cv);
	pthread_mutex_unlock(&sync_mtx);
	pthread_join(sync_thread, NULL);
	sync_started = 0;
	if (sync_fd != -1)
		close(sync_fd);
	if (sync_dirfd != -1)
		close(sync_dirfd);
	sync_fd = sync_dirfd = -1;
	/* What it finished last still counts. */
	state_sync_read(sync_pipe[0], EV_READ, NULL);
	daemon_thread_close(sync_pipe, &sync_ev);
}
