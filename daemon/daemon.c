/* SPDX-License-Identifier: ISC */
/*
 * The running daemon: its global state, signals (through libevent, into
 * one handler), reaping children, and shutdown.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "proctree.h"
#include "schedd.h"
#include "tz.h"
#include "util.h"

struct schedd		 sd;

static struct event	*ev_sigchld, *ev_sigterm, *ev_sigint, *ev_sighup;
static struct event	*ev_shutdown_timer;
static struct event	*ev_reload;

#define DAEMON_RELOAD_DELAY_MS	100
static int		 daemon_force;

static void	schedd_signal(evutil_socket_t, short, void *);
static void	schedd_reload(evutil_socket_t, short, void *);
static void	schedd_reap(void);
static void	schedd_shutdown_timeout(evutil_socket_t, short, void *);
static void	schedd_stop_all(void);

/* The process's own zone, whatever zone a schedule last switched to. */
static int
daemon_localtime(time_t t, struct tm *tm)
{
	return (tz_localtime(NULL, t, tm));
}

/* An empty daemon: no jobs, tasks, bans or clients; default settings. */
void
daemon_init(void)
{
	memset(&sd, 0, sizeof sd);
	TAILQ_INIT(&sd.jobs);
	TAILQ_INIT(&sd.removed_jobs);
	TAILQ_INIT(&sd.draining);
	TAILQ_INIT(&sd.running);
	TAILQ_INIT(&sd.bans);
	TAILQ_INIT(&sd.clients);
	hmap_init(&sd.job_index);
	hmap_init(&sd.removed_index);
	hmap_init(&sd.users);
	hmap_init(&sd.task_index);
	hmap_init(&sd.pid_index);
	settings_defaults(&sd.settings);
	sd.next_task_id = 1;
	sd.state_ok = 1;
	sd.lock_fd = -1;
	sd.state_dirfd = -1;
	sd.logs_dirfd = -1;
	sd.results_dirfd = -1;
	sd.uid = geteuid();
	sd.is_root = sd.uid == 0;
	time_set_local(daemon_localtime);
}

/*
 * Free the daemon's memory and close its state folder at exit, once the
 * clients, the socket and the state are closed; after it daemon_init
 * may start again (the fuzz harnesses do).
 */
void
daemon_free(void)
{
	metrics_file_stop();
	job_free_all();
	sched_free();
	queue_free();
	dep_free_all();
	task_start_free();
	task_prep_cache_free();
	cgroup_free();
	while (!TAILQ_EMPTY(&sd.bans))
		ban_remove(TAILQ_FIRST(&sd.bans));
	notify_free();
	event_base_free(sd.base);
	sd.base = NULL;
	config_free(sd.config);
	settings_free(&sd.settings);
	free(sd.config_path);
	free(sd.socket_path);
	free(sd.state_dir);
	free(sd.log_dir);
	free(sd.state_error);
	sd.config = NULL;
	sd.config_path = sd.socket_path = sd.state_dir = sd.log_dir = NULL;
	sd.state_error = NULL;
	if (sd.logs_dirfd != -1)
		close(sd.logs_dirfd);
	if (sd.results_dirfd != -1)
		close(sd.results_dirfd);
	if (sd.state_dirfd != -1)
		close(sd.state_dirfd);
	if (sd.lock_fd != -1)
		close(sd.lock_fd);
	sd.logs_dirfd = sd.results_dirfd = sd.state_dirfd = sd.lock_fd = -1;
}

/* Route the signals schedd handles into the event loop. */
void
daemon_signals(void)
{
	ev_sigchld = evsignal_new(sd.base, SIGCHLD, schedd_signal, NULL);
	ev_sigterm = evsignal_new(sd.base, SIGTERM, schedd_signal, NULL);
	ev_sigint = evsignal_new(sd.base, SIGINT, schedd_signal, NULL);
	ev_sighup = evsignal_new(sd.base, SIGHUP, schedd_signal, NULL);
	evsignal_add(ev_sigchld, NULL);
	evsignal_add(ev_sigterm, NULL);
	evsignal_add(ev_sigint, NULL);
	evsignal_add(ev_sighup, NULL);
	ev_reload = evtimer_new(sd.base, schedd_reload, NULL);
}

/* SIGHUP: the same reload as the "reload" command. */
static void
schedd_reload(evutil_socket_t fd, short events, void *arg)
{
	json_t	*result;
	char	**errors;
	size_t	 nerrors;

	notify_reloading();
	if (reload_run(0, &result, &errors, &nerrors) == 0)
		json_decref(result);
	else
		config_errors_free(errors, nerrors);
	notify_reloaded();
}

void
daemon_signals_free(void)
{
	event_free(ev_sigchld);
	event_free(ev_sigterm);
	event_free(ev_sigint);
	event_free(ev_sighup);
	event_free(ev_reload);
	if (ev_shutdown_timer != NULL)
		event_free(ev_shutdown_timer);
}

/* The one signal handler, run from the event loop. */
static void
schedd_signal(evutil_socket_t sig, short events, void *arg)
{
	struct timeval	 tv;

	switch (sig) {
	case SIGCHLD:
		schedd_reap();
		break;
	case SIGTERM:
	case SIGINT:
		log_notice("%s received", sig == SIGTERM ? "SIGTERM" :
		    "SIGINT");
		schedd_shutdown(sd.shutting_down);
		break;
	case SIGHUP:
		/*
		 * Reload a moment later: a burst of SIGHUPs (an editor
		 * saving, a deploy tool signalling twice) is one reload.
		 */
		if (!evtimer_pending(ev_reload, NULL)) {
			log_notice("SIGHUP received: reloading");
			tv.tv_sec = 0;
			tv.tv_usec = DAEMON_RELOAD_DELAY_MS * 1000;
			evtimer_add(ev_reload, &tv);
		}
		break;
	}
}

/*
 * Reap every child that has exited: all that are there first, then
 * their tasks, so that one look for orphans serves them all
 * (proctree_orphans).
 */
static void
schedd_reap(void)
{
	struct {
		pid_t		 pid;
		int		 status;
		struct rusage	 ru;
	}		 r[64];
	size_t		 n, i;
	pid_t		 pid;
	int		 status;

	do {
		for (n = 0; n < sizeof r / sizeof r[0]; n++) {
			while ((pid = wait4(-1, &status, WNOHANG,
			    &r[n].ru)) == -1 && errno == EINTR)
				;
			if (pid <= 0)
				break;
			r[n].pid = pid;
			r[n].status = status;
		}
		if (n > 0)
			proctree_reaped();
		for (i = 0; i < n; i++) {
			if (!state_child_reaped(r[i].pid, r[i].status))
				task_reaped(r[i].pid, r[i].status, &r[i].ru);
		}
	} while (n == sizeof r / sizeof r[0]);
}

/* Stop every running task with the kill sequence, removed jobs' too. */
static void
schedd_stop_all(void)
{
	struct task	*t, *next;

	TAILQ_FOREACH_SAFE(t, &sd.running, rentry, next)
		task_stop(t, 0, STOP_SHUTDOWN);
}

static void
schedd_shutdown_timeout(evutil_socket_t fd, short events, void *arg)
{
	log_notice("shutdown_timeout reached: stopping %u running task%s",
	    sd.nrunning, sd.nrunning == 1 ? "" : "s");
	schedd_stop_all();
}

/*
 * Begin shutting down: no new tasks start; running tasks get
 * shutdown_timeout to finish (none with force) and are then stopped.
 */
void
schedd_shutdown(int force)
{
	struct timeval	 tv;
	uint64_t	 ms = sd.settings.shutdown_timeout_ms;
	char		*d;

	notify_stopping();
	if (force) {
		if (!daemon_force)
			log_info("shutting down now, stopping %u task%s",
			    sd.nrunning, sd.nrunning == 1 ? "" : "s");
		daemon_force = 1;
		sd.shutting_down = 1;
		schedd_stop_all();
		schedd_check_exit();
		return;
	}
	if (sd.shutting_down)
		return;
	sd.shutting_down = 1;
	d = format_elapsed((int64_t)ms);
	log_info("shutting down: waiting for %u running task%s (up to %s)",
	    sd.nrunning, sd.nrunning == 1 ? "" : "s", d);
	free(d);
	ev_shutdown_timer = evtimer_new(sd.base, schedd_shutdown_timeout,
	    NULL);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev_shutdown_timer, &tv);
	schedd_check_exit();
}

/* Leave the loop once shutting down and no task runs any more. */
void
schedd_check_exit(void)
{
	if (sd.shutting_down && sd.nrunning == 0)
		event_base_loopexit(sd.base, NULL);
}

/*
 * Start a helper thread running fn, which reports to the loop through a
 * pipe: it writes to p[1], and cb runs in the loop when p[0] is
 * readable (*ev).  The thread takes no signal: they all go to the loop.
 * -1 if it cannot run; then nothing is left open.
 */
int
daemon_thread_start(pthread_t *thr, void *(*fn)(void *), int p[2],
    struct event **ev, event_callback_fn cb)
{
	sigset_t	 all, old;
	int		 rc;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return (-1);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(thr, NULL, fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(p[0]);
		close(p[1]);
		p[0] = p[1] = -1;
		return (-1);
	}
	*ev = event_new(sd.base, p[0], EV_READ | EV_PERSIST, cb, NULL);
	event_add(*ev, NULL);
	return (0);
}

/*
 * Wait for a helper thread told to end, then close its pipe and event
 * (what it reported last has been read by the caller, if it matters).
 */
void
daemon_thread_stop(pthread_t thr, int p[2], struct event **ev)
{
	pthread_join(thr, NULL);
	daemon_thread_close(p, ev);
}

/*
 * From a helper thread: report to the loop through its pipe.  A report
 * of at most PIPE_BUF bytes is written whole or not at all; a wakeup
 * byte that finds the pipe full is not needed (the loop reads every
 * report at each wakeup).
 */
void
daemon_thread_report(int p[2], const void *buf, size_t len)
{
	while (write(p[1], buf, len) == -1 && errno == EINTR)
		;
}

/* Close a joined helper thread's pipe and event. */
void
daemon_thread_close(int p[2], struct event **ev)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = NULL;
	close(p[0]);
	close(p[1]);
	p[0] = p[1] = -1;
}
