/* SPDX-License-Identifier: ISC */
/*
 * A benchmark client's connection to schedd's socket (bench/conn.h):
 * non-blocking, with an input buffer taken apart line by line.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "conn.h"
#include "xmalloc.h"

/* Connect to the socket; the descriptor is non-blocking.  -1 and errno. */
int
conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un	 sun;
	int			 saved;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		saved = errno;
		close(c->fd);
		c->fd = -1;
		errno = saved;
		return (-1);
	}
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	c->insize = 64 * 1024;
	c->in = xmalloc(c->insize);
	return (0);
}

/* Write all of buf before the deadline; -1 on error or time out. */
int
conn_send(struct conn *c, const char *buf, size_t len, double deadline)
{
	struct pollfd	 pfd;
	ssize_t		 n;

	while (len > 0) {
		n = write(c->fd, buf, len);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (now() > deadline) {
				errno = ETIMEDOUT;
				return (-1);
			}
			pfd.fd = c->fd;
			pfd.events = POLLOUT;
			poll(&pfd, 1, 100);
			continue;
		}
		if (n == -1)
			return (-1);
		buf += n;
		len -= n;
	}
	return (0);
}

/* Read what is there: 1 if the connection is open, 0 at its end, -1. */
int
conn_fill(struct conn *c)
{
	ssize_t	 n;

	for (;;) {
		if (c->insize - c->inlen < 64 * 1024) {
			c->insize *= 2;
			c->in = xreallocarray(c->in, 1, c->insize);
		}
		n = read(c->fd, c->in + c->inlen, c->insize - c->inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (1);
		if (n == -1)
			return (-1);
		if (n == 0)
			return (0);
		c->inlen += n;
	}
}

/* The first complete line (without its newline), or NULL. */
char *
conn_line(struct conn *c, size_t *len)
{
	char	*nl;

	nl = memchr(c->in + c->scanned, '\n', c->inlen - c->scanned);
	if (nl == NULL) {
		c->scanned = c->inlen;
		return (NULL);
	}
	*len = nl - c->in;
	return (c->in);
}

/* Drop the first len bytes of input and the newline after them. */
void
conn_consume(struct conn *c, size_t len)
{
	memmove(c->in, c->in + len + 1, c->inlen - len - 1);
	c->inlen -= len + 1;
	c->scanned = 0;
}

/* Close and free a connection. */
void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	free(c->in);
	c->in = NULL;
}
