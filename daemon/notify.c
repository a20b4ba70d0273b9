/* SPDX-License-Identifier: ISC */
/*
 * Talking to the service manager: readiness and status (sd_notify),
 * socket activation (sd_listen_fds) and idle_exit.
 *
 * With libsystemd the library speaks both protocols.  Without it this
 * file speaks them itself, since they are tiny and stable: one datagram
 * "KEY=VALUE\n..." to the AF_UNIX socket named by $NOTIFY_SOCKET (a path,
 * or "@name" for the abstract namespace), and descriptors from 3 on,
 * announced by $LISTEN_PID (ours) and $LISTEN_FDS (how many).  So schedd
 * behaves the same under systemd with or without libsystemd.
 *
 * STATUS= is rate limited to one message a second: a change inside the
 * second arms a one-shot timer that sends the counts of the moment when
 * the second is over.  Nothing is armed while nothing changes.
 *
 * idle_exit: when socket-activated, with no schedule armed, nothing
 * queued, running or stopping and no client connected, a one-shot timer
 * of idle_exit; whoever changes one of these calls notify_idle_check,
 * which disarms the timer unless still idle.  Exiting then is safe: the
 * listening socket stays with systemd, which starts schedd again on the
 * next connection.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#define NOTIFY_STATUS_MS	1000
#define NOTIFY_FDS_START	3	/* SD_LISTEN_FDS_START */

static int		 notify_fd = -2;	/* -2: not looked at yet */
static struct event	*notify_status_ev;
static uint64_t		 notify_status_at;	/* last STATUS sent */
static char		*notify_status_last;	/* its text, or NULL */
static struct event	*notify_idle_ev;

static int	 notify_enabled(void);
static void	 notify_send(const char *);
static char	*notify_status_text(void);
static void	 notify_status_sent(char *);
static void	 notify_status_fire(evutil_socket_t, short, void *);
static int	 notify_listen_count(void);
static int	 notify_socket_ok(int);
static int	 notify_idle(void);
static void	 notify_idle_fire(evutil_socket_t, short, void *);

/* Is there a service manager listening for notifications? */
static int
notify_enabled(void)
{
	const char	*s = getenv("NOTIFY_SOCKET");

	return (s != NULL && *s != '\0');
}

/* Send one notification; a failure is not worth more than a debug line. */
static void
notify_send(const char *msg)
{
#ifdef HAVE_LIBSYSTEMD
	int	 r;

	if ((r = sd_notify(0, msg)) < 0)
		log_debug("sd_notify: %s", strerror(-r));
#else
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	size_t			 len;
	int			 fd;

	if (path == NULL || *path == '\0')
		return;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof sun.sun_path) {
		log_debug("NOTIFY_SOCKET %s: not supported", path);
		return;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_debug("notify socket: %s", strerror(errno));
		return;
	}
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1)
		log_debug("notify %s: %s", path, strerror(errno));
	close(fd);
#endif
}

/* The STATUS= text: what runs, what waits, how many jobs. */
static char *
notify_status_text(void)
{
	char	*s;

	xasprintf(&s, "%srunning %u, queued %u, jobs %zu",
	    sd.shutting_down ? "shutting down: " : "", sd.nrunning,
	    sd.nqueued, sd.njobs);
	return (s);
}

/* Remember the status text just sent (takes it) and when. */
static void
notify_status_sent(char *text)
{
	free(notify_status_last);
	notify_status_last = text;
	notify_status_at = time_mono_ms();
}

/* Ready to serve: after start-up. */
void
notify_ready(void)
{
	char	*text, *msg;

	if (!notify_enabled())
		return;
	text = notify_status_text();
	xasprintf(&msg, "READY=1\nSTATUS=%s", text);
	notify_send(msg);
	free(msg);
	notify_status_sent(text);
}

/* A reload begins; systemd wants the time it began. */
void
notify_reloading(void)
{
	struct timespec	 ts;
	char		*msg;

	if (!notify_enabled())
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	xasprintf(&msg, "RELOADING=1\nSTATUS=reloading the configuration\n"
	    "MONOTONIC_USEC=%llu", (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
	notify_send(msg);
	free(msg);
	notify_status_sent(xstrdup("reloading the configuration"));
}

/* A reload is over, applied or not: ready again. */
void
notify_reloaded(void)
{
	notify_ready();
}

/* Shutting down: systemd should not count this as a failure. */
void
notify_stopping(void)
{
	char	*text, *msg;

	if (notify_idle_ev != NULL)
		evtimer_del(notify_idle_ev);
	if (!notify_enabled())
		return;
	text = notify_status_text();
	xasprintf(&msg, "STOPPING=1\nSTATUS=%s", text);
	notify_send(msg);
	free(msg);
	notify_status_sent(text);
}

static void
notify_status_fire(evutil_socket_t fd, short events, void *arg)
{
	notify_status();
}

/*
 * The counts may have changed: send them now, or when a second has
 * passed since the last message.
 */
void
notify_status(void)
{
	struct timeval	 tv;
	uint64_t	 now, wait;
	char		*text, *msg;

	if (!notify_enabled())
		return;
	if (notify_status_ev != NULL &&
	    evtimer_pending(notify_status_ev, NULL))
		return;		/* the timer sends the latest */
	text = notify_status_text();
	if (notify_status_last != NULL &&
	    strcmp(text, notify_status_last) == 0) {
		free(text);
		return;
	}
	now = time_mono_ms();
	if (notify_status_last == NULL ||
	    now - notify_status_at >= NOTIFY_STATUS_MS) {
		xasprintf(&msg, "STATUS=%s", text);
		notify_send(msg);
		free(msg);
		notify_status_sent(text);
		return;
	}
	free(text);
	if (notify_status_ev == NULL)
		notify_status_ev = evtimer_new(sd.base, notify_status_fire,
		    NULL);
	wait = notify_status_at + NOTIFY_STATUS_MS - now;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(notify_status_ev, &tv);
}

/* How many descriptors systemd passed us (0 when not activated). */
static int
notify_listen_count(void)
{
#ifdef HAVE_LIBSYSTEMD
	int	 n;

	/* 1: unset LISTEN_* so nothing started later inherits them. */
	if ((n = sd_listen_fds(1)) < 0) {
		log_debug("sd_listen_fds: %s", strerror(-n));
		return (0);
	}
	return (n);
#else
	const char	*pid, *fds, *errstr = NULL;
	long long	 n = 0;
	char		*end;

	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	if (pid != NULL && fds != NULL) {
		errno = 0;
		if (strtoll(pid, &end, 10) != (long long)getpid() ||
		    *end != '\0' || errno != 0)
			errstr = "LISTEN_PID is not ours";
		else {
			n = strtoll(fds, &end, 10);
			if (*end != '\0' || errno != 0 || n < 0 ||
			    n > 1000) {
				errstr = "bad LISTEN_FDS";
				n = 0;
			}
		}
		if (errstr != NULL)
			log_debug("socket activation: %s", errstr);
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return ((int)n);
#endif
}

/* Is fd a listening AF_UNIX stream socket? */
static int
notify_socket_ok(int fd)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 type, acc;

	len = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM)
		return (0);
	len = sizeof acc;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1 ||
	    acc == 0)
		return (0);
	len = sizeof sun;
	memset(&sun, 0, sizeof sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1 ||
	    sun.sun_family != AF_UNIX)
		return (0);
	return (1);
}

/*
 * The socket systemd passed, close-on-exec and non-blocking, if it passed
 * exactly one listening AF_UNIX stream socket; else -1.  Looked at once.
 */
int
notify_listen_fd(void)
{
	int	 n, fd, flags;

	if (notify_fd != -2)
		return (notify_fd);
	notify_fd = -1;
	if ((n = notify_listen_count()) <= 0)
		return (-1);
	for (fd = NOTIFY_FDS_START; fd < NOTIFY_FDS_START + n; fd++) {
		if ((flags = fcntl(fd, F_GETFD)) != -1)
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	if (n != 1) {
		log_warnx("socket activation: %d sockets passed, expected one; "
		    "ignoring them", n);
		return (-1);
	}
	fd = NOTIFY_FDS_START;
	if (!notify_socket_ok(fd)) {
		log_warnx("socket activation: descriptor %d is not a listening "
		    "AF_UNIX stream socket; ignoring it", fd);
		return (-1);
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("socket activation: descriptor %d", fd);
		return (-1);
	}
	notify_fd = fd;
	return (fd);
}

/* Did systemd start us for a connection to its socket? */
int
notify_activated(void)
{
	return (notify_listen_fd() >= 0);
}

/* Nothing scheduled, queued, running, stopping or connected? */
static int
notify_idle(void)
{
	struct job	*j;

	if (sd.nqueued != 0 || sd.nrunning != 0 || sd.nclients != 0 ||
	    !TAILQ_EMPTY(&sd.draining))
		return (0);
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		if (j->sched.idx != SIZE_MAX || !LIST_EMPTY(&j->retries))
			return (0);
	}
	return (1);
}

static void
notify_idle_fire(evutil_socket_t fd, short events, void *arg)
{
	struct pollfd	 pfd;
	char		*s;

	if (sd.shutting_down || !notify_idle())
		return;
	/* A connection waiting to be accepted is activity too. */
	pfd.fd = notify_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
		return;
	s = format_duration(sd.settings.idle_exit_ms);
	log_info("idle for %s, exiting (socket activation restarts schedd on "
	    "the next connection)", s);
	free(s);
	schedd_shutdown(0);
}

/*
 * Something may have become idle or busy: arm the idle_exit timer if
 * there is nothing left to do (keeping it armed if it already is),
 * disarm it otherwise.
 */
void
notify_idle_check(void)
{
	struct timeval	 tv;
	uint64_t	 ms = sd.settings.idle_exit_ms;
	char		*d;

	if (ms == 0 || sd.shutting_down || sd.loading ||
	    !notify_activated() || !notify_idle()) {
		if (notify_idle_ev != NULL)
			evtimer_del(notify_idle_ev);
		return;
	}
	if (notify_idle_ev == NULL)
		notify_idle_ev = evtimer_new(sd.base, notify_idle_fire, NULL);
	else if (evtimer_pending(notify_idle_ev, NULL))
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(notify_idle_ev, &tv);
	d = format_elapsed((int64_t)ms);
	log_debug("idle: exiting in %s unless something happens", d);
	free(d);
}

/* Release the timers (at exit, before the event base goes). */
void
notify_free(void)
{
	if (notify_status_ev != NULL) {
		event_free(notify_status_ev);
		notify_status_ev = NULL;
	}
	if (notify_idle_ev != NULL) {
		event_free(notify_idle_ev);
		notify_idle_ev = NULL;
	}
	free(notify_status_last);
	notify_status_last = NULL;
}
