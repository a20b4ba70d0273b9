/* SPDX-License-Identifier: ISC */
/*
 * The control socket: listening, accepting clients with their peer
 * credentials, and the limits of schedd(8) CONTROL PROTOCOL on new
 * clients (client counts, and "busy" before the daemon runs so short of
 * descriptors that starting a task could fail).  client.c serves a client
 * once accepted.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "cmd.h"
#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Descriptors kept free when a client comes: starting a task takes about
 * six at once (output pipe, status pipe, log file, the user database),
 * each running task keeps two, and the state and the event loop take a
 * few more now and then.
 */
#define SERVER_FD_SPARE		16
#define SERVER_FD_PER_TASK	2
#define SERVER_INUSE_TRIES	20	/* see server_in_use */

static int		 server_fd = -1;
static struct event	*server_ev;
static char		*server_path;
static int		 server_spare = -1;	/* given up on EMFILE */
static uint64_t		 server_fd_warned_ms;	/* last warning, monotonic */

static void	server_accept(evutil_socket_t, short, void *);
static int	server_accept_spare(int);
static int	server_fd_room(int);
static void	server_fd_warn(void);
static void	server_refuse(int, enum proto_error, const char *);

/*
 * Is something already answering on this socket path?  A daemon killed a
 * moment ago may have left a process holding its socket for a little
 * longer -- a compaction child closes it first thing, but may wait for a
 * CPU to do so -- so a socket is in use only if it is still listened on
 * after SERVER_INUSE_TRIES looks, 50 ms apart.
 */
int
server_in_use(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd, rc, i;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	for (i = 0; i < SERVER_INUSE_TRIES; i++) {
		if (i > 0)
			usleep(50000);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1)
			return (0);
		rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
		close(fd);
		if (rc != 0)
			return (0);
	}
	return (1);
}

/*
 * Create the listening socket in its folder (made and checked by the
 * caller), a stale socket from a dead daemon replaced, mode and group
 * applied.  -1 with errno set, or EADDRINUSE when another daemon answers
 * there.
 */
int
server_listen(const char *path, mode_t mode, const char *group)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	struct stat		 st;
	int			 fd, saved;
	mode_t			 old;

	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if (lstat(path, &st) == 0) {
		if (server_in_use(path)) {
			errno = EADDRINUSE;
			return (-1);
		}
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			return (-1);
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return (-1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		saved = errno;
		umask(old);
		close(fd);
		errno = saved;
		return (-1);
	}
	umask(old);
	if (chmod(path, mode) == -1)
		log_warn("chmod %s", path);
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL)
			log_warnx("socket_group \"%s\": no such group", group);
		else if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
			log_warn("chown %s", path);
	}
	if (listen(fd, 128) == -1) {
		saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return (-1);
	}
	server_path = xstrdup(path);
	server_adopt(fd);
	return (0);
}

/* Serve on an already listening socket. */
void
server_adopt(int fd)
{
	/* Given up to accept (and refuse) a client when out of descriptors. */
	server_spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	server_fd = fd;
	server_ev = event_new(sd.base, fd, EV_READ | EV_PERSIST,
	    server_accept, NULL);
	event_add(server_ev, NULL);
}

/* Stop accepting and remove the socket file. */
void
server_close(void)
{
	if (server_ev != NULL) {
		event_free(server_ev);
		server_ev = NULL;
	}
	if (server_fd != -1) {
		close(server_fd);
		server_fd = -1;
	}
	if (server_spare != -1) {
		close(server_spare);
		server_spare = -1;
	}
	if (server_path != NULL) {
		unlink(server_path);
		free(server_path);
		server_path = NULL;
	}
}

/* Answer a connection we will not serve, and close it. */
static void
server_refuse(int fd, enum proto_error code, const char *msg)
{
	json_t	*a;
	char	*s;

	a = cmd_answer_error(NULL, code, msg);
	s = json_dumps(a, JSON_COMPACT);
	if (s != NULL) {
		if (write(fd, s, strlen(s)) == -1 || write(fd, "\n", 1) == -1)
			log_debug("refusing client: %s", strerror(errno));
		free(s);
	}
	json_decref(a);
	close(fd);
}

static void
server_resume(evutil_socket_t fd, short events, void *arg)
{
	if (server_ev != NULL)
		event_add(server_ev, NULL);
}

/*
 * Out of descriptors and no spare one: stop accepting for a second
 * instead of spinning on a listener that stays readable.
 */
static void
server_pause(void)
{
	struct timeval	 tv = { 1, 0 };

	log_warn("accept");
	event_del(server_ev);
	event_base_once(sd.base, -1, EV_TIMEOUT, server_resume, NULL, &tv);
}

/*
 * Does a client on descriptor fd leave the daemon enough descriptors for
 * its tasks?  Descriptors are numbered from the lowest free one, so fd
 * says how many are in use.  The reserve grows with max_running but never
 * takes more than half of the limit.
 */
static int
server_fd_room(int fd)
{
	struct rlimit	 rl;
	rlim_t		 reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return (1);
	reserve = SERVER_FD_SPARE +
	    SERVER_FD_PER_TASK * (rlim_t)sd.settings.max_running;
	if (reserve > rl.rlim_cur / 2)
		reserve = rl.rlim_cur / 2;
	return ((rlim_t)fd + reserve < rl.rlim_cur);
}

/* Say the daemon is short of descriptors, at most once a minute. */
static void
server_fd_warn(void)
{
	struct rlimit	 rl;
	uint64_t	 now = time_mono_ms();

	if (server_fd_warned_ms != 0 && now - server_fd_warned_ms < 60000)
		return;
	server_fd_warned_ms = now;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY)
		log_errorx("few file descriptors left (limit %llu): refusing "
		    "new clients with busy", (unsigned long long)rl.rlim_cur);
	else
		log_errorx("few file descriptors left: refusing new clients "
		    "with busy");
}

/*
 * accept() failed with EMFILE or ENFILE: give up the spare descriptor to
 * take the client, answer it busy, close it and take the spare back, so
 * that the listener does not stay readable with nobody answered.
 * Returns 1 when a client was refused, 0 when none was waiting (accept
 * fails with EMFILE before it looks), -1 when that was not possible.
 */
static int
server_accept_spare(int lfd)
{
	int	 fd, saved;

	if (server_spare == -1)
		return (-1);
	close(server_spare);
	server_spare = -1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	saved = errno;
	if (fd != -1) {
		server_fd_warn();
		server_refuse(fd, PROTO_BUSY, "out of file descriptors, try "
		    "again later");
	}
	server_spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd != -1)
		return (1);
	if (saved == EAGAIN || saved == ECONNABORTED || saved == EINTR)
		return (0);
	errno = saved;
	return (-1);
}

/* Take every waiting connection, or answer it busy and close it. */
static void
server_accept(evutil_socket_t lfd, short events, void *arg)
{
	struct client	*o;
	struct ucred	 cred;
	socklen_t	 len;
	int		 fd, rc, admin, same = 0;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				if ((rc = server_accept_spare(lfd)) == 1)
					continue;
				if (rc == -1)
					server_pause();
			} else if (errno != EAGAIN)
				log_warn("accept");
			return;
		}
		if (!server_fd_room(fd)) {
			server_fd_warn();
			server_refuse(fd, PROTO_BUSY,
			    "out of file descriptors, try again later");
			continue;
		}
		len = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ==
		    -1) {
			log_warn("SO_PEERCRED");
			close(fd);
			continue;
		}
		if (sd.nclients >= PROTO_MAX_CLIENTS) {
			log_debug("refusing uid %u: %d clients",
			    (unsigned)cred.uid, PROTO_MAX_CLIENTS);
			server_refuse(fd, PROTO_BUSY, "too many clients");
			continue;
		}
		admin = auth_is_admin(cred.uid, sd.uid);
		if (!admin) {
			same = 0;
			TAILQ_FOREACH(o, &sd.clients, entry) {
				if (o->uid == cred.uid)
					same++;
			}
			if (same >= PROTO_MAX_PER_UID) {
				server_refuse(fd, PROTO_BUSY,
				    "too many clients for this user");
				continue;
			}
		}
		client_new(fd, cred.uid, cred.pid, admin);
	}
}

static void
server_flush_timeout(evutil_socket_t fd, short events, void *arg)
{
	*(int *)arg = 1;
}

/*
 * Write what is pending to every client before the daemon exits, for up
 * to a second; no more requests are read meanwhile.
 */
void
server_flush_all(void)
{
	struct client	*c;
	struct event	*timer;
	struct timeval	 tv = { 1, 0 };
	int		 expired = 0, pending;

	server_close();
	TAILQ_FOREACH(c, &sd.clients, entry)
		bufferevent_disable(c->bev, EV_READ);
	timer = evtimer_new(sd.base, server_flush_timeout, &expired);
	evtimer_add(timer, &tv);
	while (!expired) {
		pending = 0;
		TAILQ_FOREACH(c, &sd.clients, entry) {
			if (c->stream != NULL || evbuffer_get_length(
			    bufferevent_get_output(c->bev)) > 0)
				pending = 1;
		}
		if (!pending)
			break;
		event_base_loop(sd.base, EVLOOP_ONCE);
	}
	event_free(timer);
}

/* Close every client (at exit). */
/*
 * Tell the clients of "shutdown --wait" how the daemon exits: its exit
 * status, and whether its state was saved (schedd.8 PROTOCOL, shutdown),
 * the last line they get.
 */
void
server_exit_notify(int status, int saved)
{
	struct client	*c;
	int		 any = 0;

	TAILQ_FOREACH(c, &sd.clients, entry) {
		if (!(c->flags & CLIENT_EXIT) || (c->flags & CLIENT_CLOSED))
			continue;
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "{\"event\":\"exit\",\"status\":%d,"
		    "\"state_saved\":%s}\n", status, saved ? "true" : "false");
		any = 1;
	}
	if (any)
		server_flush_all();
}

void
server_close_clients(void)
{
	struct client	*c;

	while ((c = TAILQ_FIRST(&sd.clients)) != NULL)
		client_close(c);
}
