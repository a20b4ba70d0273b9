/* SPDX-License-Identifier: ISC */

/*
 * The client side of the control protocol: one Unix stream socket, one
 * JSON object per line each way.  Requests carry an "id" and the
 * protocol version schedctl speaks; answers are matched in order and
 * event lines are passed to a stream callback or skipped.  Reads are
 * buffered and may arrive in any number of pieces.
 *
 * Before it connects, schedctl checks the socket's folder as schedd does
 * (common/dircheck.c), and after, that the daemon runs as root or as the
 * folder's owner: see schedctl(1) and schedd(8) SECURITY.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "dircheck.h"
#include "proto.h"
#include "xmalloc.h"

struct conn {
	int		 fd;
	char		*buf;
	size_t		 size;		/* allocated */
	size_t		 start;		/* first unread byte */
	size_t		 len;		/* end of the data read */
	size_t		 scan;		/* no newline before this offset */
};

static int	 conn_waiting(struct conn *);
static int	 ctl_connect(struct ctl *);
static void	 ctl_denied(const char *);
static int	 ctl_send(struct ctl *, const char *, json_t *);
static int	 ctl_error(struct ctl *, json_t *);

/*
 * Connect to the daemon's socket, once its folder passed the rule of
 * common/dircheck.c for our uid (CONN_ANY_OWNER: a socket the user named
 * may be in anyone's folder) and the daemon runs as root or as the
 * folder's owner.  Returns NULL on failure, with a caller-freed *cause
 * when the folder or the daemon was refused, else with *cause NULL and
 * errno set.
 */
struct conn *
conn_open(const char *path, int flags, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	struct ucred		 cred;
	socklen_t		 len;
	struct conn		*c;
	char			*copy, *why;
	int			 fd, dfd, saved;

	*cause = NULL;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return (NULL);
	}
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);

	copy = xstrdup(path);
	dfd = dir_open(dirname(copy), getuid(),
	    (flags & CONN_ANY_OWNER) ? DIR_CHECK_ANY_OWNER : 0, &sb, &why);
	free(copy);
	if (dfd == -1) {
		saved = errno;
		if (saved == EPERM)
			xasprintf(cause, "socket folder %s", why);
		free(why);
		errno = saved;
		return (NULL);
	}
	close(dfd);

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (NULL);
	while (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == EINTR)
			continue;
		saved = errno;
		close(fd);
		errno = saved;
		return (NULL);
	}
	/* Whoever answers must be who the folder says: root or its owner. */
	len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (NULL);
	}
	if (cred.uid != 0 && cred.uid != sb.st_uid) {
		xasprintf(cause, "the daemon on %s runs as uid %u, not as root "
		    "or as uid %u, the owner of its folder", path,
		    (unsigned)cred.uid, (unsigned)sb.st_uid);
		close(fd);
		errno = EPERM;
		return (NULL);
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	return (c);
}

/* Send one request line; -1 and errno on failure. */
int
conn_send(struct conn *c, json_t *req)
{
	char	*text, *line;
	size_t	 len, off = 0;
	ssize_t	 n;

	if ((text = json_dumps(req, JSON_COMPACT)) == NULL) {
		errno = EINVAL;
		return (-1);
	}
	len = xasprintf(&line, "%s\n", text);
	free(text);
	while (off < len) {
		n = write(c->fd, line + off, len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			free(line);
			return (-1);
		}
		off += n;
	}
	free(line);
	return (0);
}

/*
 * Read the next line, without its newline, into a caller-freed *line.
 * Returns 1 for a line, 0 at the end of the stream, -1 and errno on error
 * (EMSGSIZE for a line over CONN_MAX_LINE).
 */
int
conn_recv(struct conn *c, char **line)
{
	char	*nl;
	size_t	 want;
	ssize_t	 n;

	for (;;) {
		nl = NULL;
		if (c->len > c->scan)
			nl = memchr(c->buf + c->scan, '\n', c->len - c->scan);
		if (nl != NULL) {
			*nl = '\0';
			*line = xstrdup(c->buf + c->start);
			c->start = c->scan = nl - c->buf + 1;
			return (1);
		}
		c->scan = c->len;
		if (c->len - c->start > CONN_MAX_LINE) {
			errno = EMSGSIZE;
			return (-1);
		}

		/* Keep the partial line at the front and make room. */
		if (c->start > 0) {
			memmove(c->buf, c->buf + c->start, c->len - c->start);
			c->len -= c->start;
			c->scan -= c->start;
			c->start = 0;
		}
		if (c->size - c->len < 4096) {
			want = c->size == 0 ? 65536 : c->size * 2;
			if (want > CONN_MAX_LINE + 65536)
				want = CONN_MAX_LINE + 65536;
			c->buf = xreallocarray(c->buf, 1, want);
			c->size = want;
		}

		n = read(c->fd, c->buf + c->len, c->size - c->len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (n == 0)
			return (0);	/* a partial last line is dropped */
		c->len += n;
	}
}

/* Is there something to read, without waiting? */
static int
conn_waiting(struct conn *c)
{
	char	 b;

	if (c->len > c->start)
		return (1);
	return (recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1);
}

/* Close a connection and free it. */
void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

/*
 * Open the connection on first use; prints why it failed.  The default
 * socket must be in a folder of our own or root's; one the user named
 * (-s, SCHEDD_SOCKET) may be in anyone's.
 */
static int
ctl_connect(struct ctl *ctl)
{
	char	*cause;
	int	 saved;

	if (ctl->conn != NULL)
		return (0);
	ctl->conn = conn_open(ctl->socket,
	    ctl->socket_given ? CONN_ANY_OWNER : 0, &cause);
	if (ctl->conn != NULL)
		return (0);
	if (cause != NULL) {
		fprintf(stderr, "schedctl: %s: refusing it\n", cause);
		free(cause);
		return (-1);
	}
	saved = errno;
	fprintf(stderr, "schedctl: cannot connect to %s: %s\n", ctl->socket,
	    strerror(saved));
	if (saved == EACCES || saved == EPERM)
		ctl_denied(ctl->socket);
	else
		fprintf(stderr, "schedctl: is schedd running? start it with: "
		    "schedd (or systemctl start schedd), or pass -s SOCKET\n");
	return (-1);
}

/*
 * Say who may use a socket we may not: the members of its group, when
 * the group may write to it (socket_group, schedd.yaml.5), else its owner
 * only.
 */
static void
ctl_denied(const char *path)
{
	struct stat	 sb;
	struct group	*gr;
	struct passwd	*pw;
	char		 gid[32], uid[32];

	if (stat(path, &sb) == -1 || !S_ISSOCK(sb.st_mode))
		return;
	snprintf(gid, sizeof gid, "%u", (unsigned)sb.st_gid);
	snprintf(uid, sizeof uid, "%u", (unsigned)sb.st_uid);
	gr = getgrgid(sb.st_gid);
	pw = getpwuid(sb.st_uid);
	if (sb.st_mode & S_IWGRP)
		fprintf(stderr, "schedctl: members of group %s may use it; ask "
		    "an administrator to add you to that group\n",
		    gr != NULL ? gr->gr_name : gid);
	else
		fprintf(stderr, "schedctl: only %s may use it (no group has "
		    "access: see socket_group in schedd.yaml(5))\n",
		    pw != NULL ? pw->pw_name : uid);
}

/*
 * Send a request made of cmd, a fresh id, our protocol version and the
 * arguments in args (see schedd.8 CONTROL PROTOCOL).
 */
static int
ctl_send(struct ctl *ctl, const char *cmd, json_t *args)
{
	json_t		*req;
	int		 rc, saved;

	if (ctl_connect(ctl) != 0) {
		json_decref(args);
		return (-1);
	}
	req = json_object();
	json_object_set_new(req, "cmd", json_string(cmd));
	json_object_set_new(req, "id", json_integer(++ctl->next_id));
	json_object_set_new(req, "protocol", json_integer(PROTO_VERSION));
	if (args != NULL) {
		json_object_update(req, args);
		json_decref(args);
	}
	rc = conn_send(ctl->conn, req);
	json_decref(req);
	if (rc != 0) {
		/*
		 * The daemon may have answered without reading the request
		 * (busy) and closed: that answer is the one to report.
		 */
		saved = errno;
		if ((saved == EPIPE || saved == ECONNRESET) &&
		    conn_waiting(ctl->conn))
			return (0);
		fprintf(stderr, "schedctl: %s: %s\n", ctl->socket,
		    strerror(saved));
		return (-1);
	}
	return (0);
}

/*
 * Read and decode the next line.  Returns 1 with a caller-released *obj
 * (and caller-freed *line if line is not NULL), 0 at the end of the
 * stream, -1 after printing an error.
 */
int
ctl_read(struct ctl *ctl, json_t **obj, char **line)
{
	json_error_t	 jerr;
	char		*text;
	json_t		*o;
	int		 rc;

	rc = conn_recv(ctl->conn, &text);
	if (rc == 0)
		return (0);
	if (rc == -1) {
		if (errno == EMSGSIZE)
			fprintf(stderr, "schedctl: %s: answer line too long\n",
			    ctl->socket);
		else
			fprintf(stderr, "schedctl: %s: %s\n", ctl->socket,
			    strerror(errno));
		return (-1);
	}
	o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		fprintf(stderr, "schedctl: %s: bad answer from schedd: %s\n",
		    ctl->socket, o == NULL ? jerr.text : "not an object");
		json_decref(o);
		free(text);
		return (-1);
	}
	*obj = o;
	if (line != NULL)
		*line = text;
	else
		free(text);
	return (1);
}

/*
 * Skip what the daemon sends until it closes the connection: 0, or -1
 * after printing an error.
 */
int
ctl_drain(struct ctl *ctl)
{
	json_t	*obj;
	int	 rc;

	while ((rc = ctl_read(ctl, &obj, NULL)) == 1)
		json_decref(obj);
	return (rc);
}

/* Print an answer or event as one compact JSON line. */
void
ctl_print(json_t *obj)
{
	char	*text;

	if ((text = json_dumps(obj, JSON_COMPACT)) == NULL)
		return;
	printf("%s\n", text);
	fflush(stdout);
	free(text);
}

/*
 * Report an error answer as "schedctl: message (code)" (schedctl.1 EXIT
 * STATUS), then any details.
 */
static int
ctl_error(struct ctl *ctl, json_t *answer)
{
	json_t		*error, *list, *item;
	const char	*code, *message;
	char		*clean;
	size_t		 i;

	error = json_object_get(answer, "error");
	code = field_str(error, "code");
	message = field_str(error, "message");
	clean = format_clean(message != NULL ? message : "unknown error");
	fprintf(stderr, "schedctl: %s (%s)\n", clean,
	    code != NULL ? code : "internal");
	free(clean);

	/*
	 * Some errors (invalid_config) may list every problem; a lone one
	 * is the message itself, printed already.
	 */
	list = json_object_get(error, "errors");
	json_array_foreach(list, i, item) {
		if (!json_is_string(item) || (message != NULL &&
		    strcmp(json_string_value(item), message) == 0))
			continue;
		fprintf(stderr, "schedctl:   %s\n", json_string_value(item));
	}
	/* The daemon's message says which protocol it speaks. */
	if (code != NULL && strcmp(code, "protocol_mismatch") == 0)
		fprintf(stderr, "schedctl: schedctl speaks protocol %d; use "
		    "the schedctl that came with this schedd\n",
		    PROTO_VERSION);
	return (CTL_EXIT_ERROR);
}

/*
 * Send one request and return its result (caller-released) in *result.
 * Events that arrive meanwhile are skipped.  Returns an exit code, having
 * printed any error; with --json and CALL_RAW the answer is printed too.
 */
int
ctl_call(struct ctl *ctl, const char *cmd, json_t *args, int flags,
    json_t **result)
{
	if (ctl_request(ctl, cmd, args) != 0)
		return (CTL_EXIT_UNREACH);
	return (ctl_answer(ctl, flags, result));
}

/*
 * Send a request without waiting for its answer (ctl_answer reads the
 * answers in the order of the requests): -1 if it cannot be sent, having
 * said why.
 */
int
ctl_request(struct ctl *ctl, const char *cmd, json_t *args)
{
	return (ctl_send(ctl, cmd, args));
}

/* The answer to the oldest request not yet answered, as ctl_call. */
int
ctl_answer(struct ctl *ctl, int flags, json_t **result)
{
	json_t	*obj, *res;
	int	 rc;

	for (;;) {
		rc = ctl_read(ctl, &obj, NULL);
		if (rc == -1)
			return (CTL_EXIT_UNREACH);
		if (rc == 0) {
			fprintf(stderr, "schedctl: %s: connection closed by "
			    "schedd\n", ctl->socket);
			return (CTL_EXIT_UNREACH);
		}
		if (json_object_get(obj, "event") == NULL)
			break;
		json_decref(obj);
	}

	if (ctl->json && ((flags & CALL_RAW) || !field_true(obj, "ok")))
		ctl_print(obj);
	if (!field_true(obj, "ok")) {
		rc = ctl_error(ctl, obj);
		json_decref(obj);
		return (rc);
	}
	if (flags & CALL_ANSWER) {
		if (result != NULL)
			*result = obj;
		else
			json_decref(obj);
		return (CTL_EXIT_OK);
	}
	res = json_object_get(obj, "result");
	if (!json_is_object(res))
		res = NULL;
	if (result != NULL)
		*result = res != NULL ? json_incref(res) : json_object();
	json_decref(obj);
	return (CTL_EXIT_OK);
}

/*
 * Send a request whose answer is a stream: event lines go to cb (or are
 * printed as they are with --json).  If until_eof is zero the answer ends
 * the stream (output with follow); otherwise the stream runs until the
 * daemon closes it (subscribe), which is exit status 3: the daemon has
 * gone away.  Returns an exit code; if it is 0 and result is not NULL,
 * *result holds the final answer's result (caller-released, may be
 * NULL).
 */
int
ctl_stream(struct ctl *ctl, const char *cmd, json_t *args, int until_eof,
    ctl_event_cb cb, json_t **result)
{
	json_t	*obj;
	char	*line;
	int	 rc, answered = 0;

	if (ctl_send(ctl, cmd, args) != 0)
		return (CTL_EXIT_UNREACH);
	for (;;) {
		rc = ctl_read(ctl, &obj, &line);
		if (rc == -1)
			return (CTL_EXIT_UNREACH);
		if (rc == 0 && answered) {
			/* Only a daemon that goes away ends a watch. */
			fprintf(stderr, "schedctl: %s: schedd closed the "
			    "connection (it stopped or restarted)\n",
			    ctl->socket);
			return (CTL_EXIT_UNREACH);
		}
		if (rc == 0) {
			fprintf(stderr, "schedctl: %s: connection closed by "
			    "schedd\n", ctl->socket);
			return (CTL_EXIT_UNREACH);
		}
		if (json_object_get(obj, "event") != NULL) {
			rc = CTL_EXIT_OK;
			if (ctl->json)
				ctl_print(obj);
			else
				rc = cb(ctl, obj, line);
			json_decref(obj);
			free(line);
			if (rc != CTL_EXIT_OK)
				return (rc);
			continue;
		}
		free(line);
		if (ctl->json)
			ctl_print(obj);
		if (!field_true(obj, "ok")) {
			rc = ctl_error(ctl, obj);
			json_decref(obj);
			return (rc);
		}
		if (!until_eof && result != NULL)
			*result = json_incref(json_object_get(obj, "result"));
		json_decref(obj);
		if (!until_eof)
			return (CTL_EXIT_OK);
		answered = 1;
	}
}

/* Close the connection, if any. */
void
ctl_close(struct ctl *ctl)
{
	conn_close(ctl->conn);
	ctl->conn = NULL;
}
