/* SPDX-License-Identifier: ISC */
/*
 * One client of the control socket, from accept to close: reading its
 * newline-delimited JSON requests, sending answers and events, and the
 * limits of schedd(8) CONTROL PROTOCOL on a connection (line size, idle
 * clients, unread output).  A deferred request (wait, output --follow)
 * holds the client's next lines until it has answered; so does a long
 * answer, written a part at a time as the client reads it (a stream).
 * server.c accepts the connection.
 */
#include <sys/types.h>

#include <stdlib.h>

#include <event2/buffer.h>

#include "cmd.h"
#include "jw.h"
#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "xmalloc.h"

static void	client_read(struct bufferevent *, void *);
static void	client_write(struct bufferevent *, void *);
static void	client_event(struct bufferevent *, short, void *);
static void	client_idle(evutil_socket_t, short, void *);
static void	client_resume(evutil_socket_t, short, void *);
static void	client_free(evutil_socket_t, short, void *);
static void	client_process(struct client *);
static void	client_close_after_flush(struct client *);
static void	client_arm_idle(struct client *);
static void	client_hold_cancel(struct client *, void *);
static struct evbuffer *client_out(struct client *);
static int	client_check_pending(struct client *);
static int	client_stream_run(struct client *);
static void	client_stream_free(struct client *);

/*
 * A long answer (a listing) goes out a part at a time: once
 * CLIENT_STREAM_HIGH bytes wait for the socket it pauses, and goes on
 * when fewer than CLIENT_STREAM_LOW do, so neither the daemon's memory
 * nor the loop's time per turn grows with the answer.
 */
#define CLIENT_STREAM_HIGH	(256 * 1024)
#define CLIENT_STREAM_LOW	(64 * 1024)

struct client_stream {
	struct jw	 w;		/* the part being written */
	int		(*fill)(struct jw *, void *);	/* 1: it ended */
	void		(*free)(void *);
	void		*arg;
	size_t		 unread;	/* output left at the last idle check */
};

/* Serve an accepted connection (fd, close-on-exec and non-blocking). */
void
client_new(int fd, uid_t uid, pid_t pid, int admin)
{
	struct client	*c;

	c = xcalloc(1, sizeof *c);
	c->uid = uid;
	c->pid = pid;
	if (admin)
		c->flags |= CLIENT_ADMIN;
	c->bev = bufferevent_socket_new(sd.base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, client_read, client_write, client_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, PROTO_MAX_LINE + 2);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->idle_ev = evtimer_new(sd.base, client_idle, c);
	c->resume_ev = event_new(sd.base, -1, 0, client_resume, c);
	TAILQ_INSERT_TAIL(&sd.clients, c, entry);
	sd.nclients++;
	client_arm_idle(c);
	notify_idle_check();
	log_debug("client connected: uid %u pid %ld%s", (unsigned)c->uid,
	    (long)c->pid, (c->flags & CLIENT_ADMIN) ? " (admin)" : "");
}

static void
client_arm_idle(struct client *c)
{
	struct timeval	 tv = { PROTO_IDLE_SECS, 0 };

	evtimer_add(c->idle_ev, &tv);
}

/*
 * Nothing complete for a while: drop the client unless it is waiting --
 * but not one that has read nothing of a long answer for as long.
 */
static void
client_idle(evutil_socket_t fd, short events, void *arg)
{
	struct client	*c = arg;
	size_t		 unread;

	if (c->stream != NULL) {
		unread = evbuffer_get_length(bufferevent_get_output(c->bev));
		if (unread != c->stream->unread) {
			c->stream->unread = unread;
			client_arm_idle(c);
			return;
		}
	} else if (c->events != 0 || c->defer.cancel != NULL) {
		client_arm_idle(c);
		return;
	}
	log_debug("client uid %u idle, dropped", (unsigned)c->uid);
	client_close(c);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	client_process(arg);
}

/* Handle every complete line, unless a deferred request holds the client. */
static void
client_process(struct client *c)
{
	struct evbuffer		*in;
	struct evbuffer_ptr	 p;
	size_t			 eol;
	char			*line;
	json_t			*a;

	while (!(c->flags & (CLIENT_CLOSED | CLIENT_CLOSING)) &&
	    c->defer.cancel == NULL) {
		in = bufferevent_get_input(c->bev);
		p = evbuffer_search_eol(in, NULL, &eol, EVBUFFER_EOL_LF);
		if (p.pos == -1 || p.pos > PROTO_MAX_LINE) {
			if (evbuffer_get_length(in) <= PROTO_MAX_LINE &&
			    p.pos == -1)
				break;
			log_info("client uid %u: request line over %d bytes",
			    (unsigned)c->uid, PROTO_MAX_LINE);
			a = cmd_answer_error(NULL, PROTO_TOO_LARGE,
			    "request line over 1 MiB");
			client_send(c, a);
			json_decref(a);
			client_close_after_flush(c);
			return;
		}
		line = xmalloc((size_t)p.pos + 1);
		evbuffer_remove(in, line, (size_t)p.pos + 1);
		line[p.pos] = '\0';
		client_arm_idle(c);
		if (p.pos > 0 && !(p.pos == 1 && line[0] == '\r'))
			cmd_handle(c, line, (size_t)p.pos);
		free(line);
	}
	if (!(c->flags & (CLIENT_CLOSED | CLIENT_CLOSING)) &&
	    (c->flags & CLIENT_EOF) && c->defer.cancel == NULL)
		client_close_after_flush(c);
}

static void
client_write(struct bufferevent *bev, void *arg)
{
	struct client	*c = arg;

	if (c->stream != NULL) {
		if (client_stream_run(c))
			client_undefer(c);
		return;
	}
	if ((c->flags & CLIENT_CLOSING) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_close(c);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct client	*c = arg;

	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		/* Half-closed: finish what was asked, then close. */
		c->flags |= CLIENT_EOF;
		bufferevent_disable(bev, EV_READ);
		client_process(c);
		return;
	}
	client_close(c);
}

/* Close once everything queued for the client has been written. */
static void
client_close_after_flush(struct client *c)
{
	c->flags |= CLIENT_CLOSING;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_close(c);
}

static int
client_dump(const char *buf, size_t len, void *arg)
{
	return (evbuffer_add(arg, buf, len));
}

/* Where a line for the client goes: after a stream, once it ends. */
static struct evbuffer *
client_out(struct client *c)
{
	if (c->stream == NULL)
		return (bufferevent_get_output(c->bev));
	if (c->later == NULL)
		c->later = evbuffer_new();
	return (c->later);
}

/* Drop a client that stopped reading; 0 if it was. */
static int
client_check_pending(struct client *c)
{
	size_t	 n;

	n = evbuffer_get_length(bufferevent_get_output(c->bev));
	if (c->later != NULL)
		n += evbuffer_get_length(c->later);
	if (n <= PROTO_MAX_PENDING)
		return (1);
	log_info("client uid %u pid %ld: over %d bytes unread, dropped",
	    (unsigned)c->uid, (long)c->pid, PROTO_MAX_PENDING);
	client_close(c);
	return (0);
}

/* Queue one JSON line for the client; drop it if it stopped reading. */
void
client_send(struct client *c, json_t *obj)
{
	struct evbuffer	*out;

	if (c->flags & CLIENT_CLOSED)
		return;
	out = client_out(c);
	if (json_dump_callback(obj, client_dump, out, JSON_COMPACT) == -1 ||
	    evbuffer_add(out, "\n", 1) == -1) {
		log_errorx("client uid %u: cannot encode answer",
		    (unsigned)c->uid);
		client_close(c);
		return;
	}
	client_check_pending(c);
}

/* Queue a line encoded already (with its newline), as client_send. */
void
client_send_raw(struct client *c, const char *buf, size_t len)
{
	if (c->flags & CLIENT_CLOSED)
		return;
	evbuffer_add(client_out(c), buf, len);
	client_check_pending(c);
}

/*
 * Send a long answer: what w holds (taken), then what fill writes, a
 * part a call, until it returns 1; free(arg) at the end, or when the
 * client goes first.  Fill must not keep pointers to jobs or tasks from
 * one call to the next: the loop turns in between.  Returns 1 if the
 * whole answer was queued now; 0 if it goes on as the client reads: the
 * caller defers the request (cmd_defer with client_stream_cancel), and
 * the client's next lines wait for the end.
 */
int
client_stream(struct client *c, struct jw *w, int (*fill)(struct jw *, void *),
    void (*freefn)(void *), void *arg)
{
	struct client_stream	*s;

	s = xcalloc(1, sizeof *s);
	s->w = *w;
	jw_init(w);
	s->fill = fill;
	s->free = freefn;
	s->arg = arg;
	c->stream = s;
	if (c->flags & CLIENT_CLOSED) {
		client_stream_free(c);
		return (1);
	}
	return (client_stream_run(c));
}

/*
 * Write parts of the stream until enough waits for the socket or it
 * ended (then 1, and it is freed).
 */
static int
client_stream_run(struct client *c)
{
	struct client_stream	*s = c->stream;
	struct evbuffer		*out;
	int			 done = 0;

	out = bufferevent_get_output(c->bev);
	for (;;) {
		if (s->w.len > 0) {
			evbuffer_add(out, s->w.buf, s->w.len);
			jw_drop(&s->w);
		}
		if (done)
			break;
		if (evbuffer_get_length(out) >= CLIENT_STREAM_HIGH) {
			/* The write callback goes on below the low mark. */
			bufferevent_setwatermark(c->bev, EV_WRITE,
			    CLIENT_STREAM_LOW, 0);
			s->unread = evbuffer_get_length(out);
			client_arm_idle(c);
			return (0);
		}
		done = s->fill(&s->w, s->arg);
	}
	client_stream_free(c);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	if (c->later != NULL) {
		evbuffer_add_buffer(out, c->later);
		evbuffer_free(c->later);
		c->later = NULL;
	}
	client_arm_idle(c);
	return (1);
}

static void
client_stream_free(struct client *c)
{
	struct client_stream	*s = c->stream;

	if (s == NULL)
		return;
	c->stream = NULL;
	s->free(s->arg);
	jw_free(&s->w);
	free(s);
}

/* The client went while a stream was being sent (its defer cancel). */
void
client_stream_cancel(struct client *c, void *arg)
{
	client_stream_free(c);
}

/* A deferred request has answered: go on with the client's next lines. */
void
client_undefer(struct client *c)
{
	c->defer.cancel = NULL;
	c->defer.arg = NULL;
	if (!(c->flags & CLIENT_CLOSED))
		event_active(c->resume_ev, 0, 0);
}

static void
client_resume(evutil_socket_t fd, short events, void *arg)
{
	client_process(arg);
}

/*
 * The client's request made an acknowledged change whose group commit
 * (doc/state.md) is not on disk yet: its answer, and anything after it,
 * stays queued -- and its next lines unread -- until client_durable says
 * the group is.  Held like a deferred request.
 */
void
client_hold(struct client *c, uint64_t group)
{
	if ((c->flags & CLIENT_CLOSED) || c->defer.cancel != NULL)
		return;
	c->hold_group = group;
	c->defer.cancel = client_hold_cancel;
	c->defer.arg = NULL;
	bufferevent_disable(c->bev, EV_WRITE);
}

static void
client_hold_cancel(struct client *c, void *arg)
{
	c->hold_group = 0;
}

/* Every group commit up to group is on disk: release their answers. */
void
client_durable(uint64_t group)
{
	struct client	*c;

	TAILQ_FOREACH(c, &sd.clients, entry) {
		if (c->hold_group == 0 || c->hold_group > group)
			continue;
		c->hold_group = 0;
		bufferevent_enable(c->bev, EV_WRITE);
		client_undefer(c);
	}
}

/* Tear the client down now; memory goes at the next loop turn. */
void
client_close(struct client *c)
{
	struct timeval	 tv = { 0, 0 };

	if (c->flags & CLIENT_CLOSED)
		return;
	c->flags |= CLIENT_CLOSED;
	if (c->defer.cancel != NULL) {
		c->defer.cancel(c, c->defer.arg);
		c->defer.cancel = NULL;
	}
	client_stream_free(c);
	if (c->later != NULL)
		evbuffer_free(c->later);
	c->later = NULL;
	TAILQ_REMOVE(&sd.clients, c, entry);
	sd.nclients--;
	bufferevent_free(c->bev);
	c->bev = NULL;
	event_free(c->idle_ev);
	event_free(c->resume_ev);
	log_debug("client uid %u closed", (unsigned)c->uid);
	event_base_once(sd.base, -1, EV_TIMEOUT, client_free, c, &tv);
	notify_idle_check();
	schedd_check_exit();
}

static void
client_free(evutil_socket_t fd, short events, void *arg)
{
	free(arg);
}
