/*
 * Background fdatasync for the journal lines that may take up to a second
 * to reach the disk (task records, counters, id reservations): a flush
 * on a busy disk takes tens of milliseconds, which the event loop must
 * not spend waiting.  The one helper thread only ever syncs a duplicate
 * of the journal descriptor it is handed and reports a failure through an
 * eventfd-like pipe the loop watches; it touches nothing else.  Changes
 * that are answered (add, remove, ban, ...) are still synced in the loop,
 * before the answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "schedd.h"
#include "state.h"

static pthread_t	 sync_thread;
static pthread_mutex_t	 sync_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 sync_cv = PTHREAD_COND_INITIALIZER;
static int		 sync_fd = -1;		/* to sync next, owned */
static int		 sync_quit;
static int		 sync_started;
static int		 sync_pipe[2] = { -1, -1 };
static struct event	*sync_ev;

static void	*state_sync_main(void *);
static void	 state_sync_failed(evutil_socket_t, short, void *);

static void *
state_sync_main(void *arg)
{
	int	 fd, err;
	char	 c = 1;

	for (;;) {
		pthread_mutex_lock(&sync_mtx);
		while (sync_fd == -1 && !sync_quit)
			pthread_cond_wait(&sync_cv, &sync_mtx);
		fd = sync_fd;
		sync_fd = -1;
		pthread_mutex_unlock(&sync_mtx);
		if (fd == -1)
			return (NULL);
		err = fdatasync(fd) == -1 ? errno : 0;
		close(fd);
		if (err != 0 && write(sync_pipe[1], &c, 1) == -1)
			continue;
	}
}

/* The helper thread could not sync: the state is not safe on disk. */
static void
state_sync_failed(evutil_socket_t fd, short events, void *arg)
{
	char	 buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
	errno = EIO;
	state_failed("fdatasync journal (background)");
}

/* Start the helper thread; without it, syncs happen in the loop. */
void
state_sync_init(void)
{
	sigset_t	 all, old;

	if (pipe2(sync_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return;
	/* The thread takes no signal: they all go to the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&sync_thread, NULL, state_sync_main, NULL) == 0)
		sync_started = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!sync_started) {
		close(sync_pipe[0]);
		close(sync_pipe[1]);
		sync_pipe[0] = sync_pipe[1] = -1;
		return;
	}
	sync_ev = event_new(sd.base, sync_pipe[0], EV_READ | EV_PERSIST,
	    state_sync_failed, NULL);
	event_add(sync_ev, NULL);
}

/*
 * Have fd synced soon, without waiting.  A request still pending is
 * replaced: syncing the file once covers both.  Falls back to syncing
 * here.  -1 if that failed.
 */
int
state_sync_async(int fd)
{
	int	 dup_fd, old;

	if (!sync_started || (dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return (fdatasync(fd));
	pthread_mutex_lock(&sync_mtx);
	old = sync_fd;
	sync_fd = dup_fd;
	pthread_cond_signal(&sync_cv);
	pthread_mutex_unlock(&sync_mtx);
	if (old != -1)
		close(old);
	return (0);
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
	sync_fd = -1;
	event_free(sync_ev);
	sync_ev = NULL;
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	sync_pipe[0] = sync_pipe[1] = -1;
}
