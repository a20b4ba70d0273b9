/* SPDX-License-Identifier: ISC */
/*
 * schedd's dispatch benchmark: how fast a running daemon acknowledges
 * pipelined "run" requests and drains the queue of /bin/true tasks they
 * make (doc/performance.md).  Connection A subscribes to task.finished;
 * connection B adds the job and then writes N run requests as fast as
 * the daemon takes them, reading answers and events as they come (poll,
 * non-blocking writes, so neither side can deadlock the other).
 *
 * Prints human lines and key=value lines for scripts.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "conn.h"
#include "proto.h"
#include "xmalloc.h"

#define JOB_NAME	"bench"
#define WRITE_CHUNK	(256 * 1024)

struct bench {
	struct conn	 a;		/* events */
	struct conn	 b;		/* requests */
	int		 n;
	int		 acked;		/* ok answers to run */
	int		 refused;	/* error answers to run */
	int		 answers;
	int		 finished;	/* task.finished of our tasks */
	int		 task_failed;	/* finished, not succeeded */
	json_int_t	 add_task;	/* the add's ad-hoc task, or -1 */
	int		 add_done;
	int		 errors_shown;
	double		 t_first;
	double		 t_acked;
	double		 t_finished;
};

static void	 bench_open(struct conn *, const char *);
static void	 bench_send(struct conn *, const char *);
static int	 bench_fill(struct conn *);
static json_t	*bench_line(struct conn *);
static json_t	*bench_wait(struct bench *, struct conn *, double);
static void	 bench_event(struct bench *, json_t *);
static void	 bench_answer(struct bench *, json_t *);
static void	 bench_drain_events(struct bench *);
static void	 usage(void) __attribute__((__noreturn__));

static double	 deadline;

/* Connect to the daemon's socket, or exit. */
static void
bench_open(struct conn *c, const char *path)
{
	if (conn_open(c, path) == -1) {
		fprintf(stderr, "dispatch: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Write a whole request, or exit. */
static void
bench_send(struct conn *c, const char *msg)
{
	if (conn_send(c, msg, strlen(msg), deadline) == -1) {
		fprintf(stderr, "dispatch: write: %s\n", strerror(errno));
		exit(1);
	}
}

/* Read what is there; 0 at end of file, 1 otherwise. */
static int
bench_fill(struct conn *c)
{
	int	 rc;

	if ((rc = conn_fill(c)) == -1) {
		fprintf(stderr, "dispatch: read: %s\n", strerror(errno));
		exit(1);
	}
	return (rc);
}

/* Take one complete line off the input as JSON, or NULL if none. */
static json_t *
bench_line(struct conn *c)
{
	json_error_t	 jerr;
	json_t		*j;
	char		*line;
	size_t		 len;

	if ((line = conn_line(c, &len)) == NULL)
		return (NULL);
	if ((j = json_loadb(line, len, 0, &jerr)) == NULL) {
		fprintf(stderr, "dispatch: bad line from daemon: %s\n",
		    jerr.text);
		exit(1);
	}
	conn_consume(c, len);
	return (j);
}

/* Wait for the next answer (not event) on c; events on A are counted. */
static json_t *
bench_wait(struct bench *b, struct conn *c, double limit)
{
	struct pollfd	 pfd;
	json_t		*j;

	for (;;) {
		while ((j = bench_line(c)) != NULL) {
			if (json_object_get(j, "event") == NULL)
				return (j);
			if (c == &b->a)
				bench_event(b, j);
			json_decref(j);
		}
		if (now() > limit) {
			fprintf(stderr, "dispatch: no answer from daemon\n");
			exit(1);
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, 1000);
		if ((pfd.revents & (POLLIN | POLLHUP)) && !bench_fill(c)) {
			fprintf(stderr, "dispatch: daemon closed connection\n");
			exit(1);
		}
	}
}

/* Count a task.finished event if it is one of ours. */
static void
bench_event(struct bench *b, json_t *j)
{
	const char	*ev, *job, *state;
	json_int_t	 task;

	ev = json_string_value(json_object_get(j, "event"));
	job = json_string_value(json_object_get(j, "job"));
	if (ev == NULL || strcmp(ev, "task.finished") != 0 || job == NULL ||
	    strcmp(job, JOB_NAME) != 0)
		return;
	task = json_integer_value(json_object_get(j, "task"));
	if (!b->add_done) {
		if (task == b->add_task)
			b->add_done = 1;
		return;
	}
	if (task == b->add_task)
		return;
	state = json_string_value(json_object_get(j, "state"));
	if (state == NULL || strcmp(state, "succeeded") != 0)
		b->task_failed++;
	b->finished++;
	b->t_finished = now();
}

/* Count an answer to a run request. */
static void
bench_answer(struct bench *b, json_t *j)
{
	json_t	*err;

	b->answers++;
	if (json_is_true(json_object_get(j, "ok"))) {
		b->acked++;
		b->t_acked = now();
		return;
	}
	b->refused++;
	if (b->errors_shown++ < 5) {
		err = json_object_get(j, "error");
		fprintf(stderr, "dispatch: run refused: %s: %s\n",
		    json_string_value(json_object_get(err, "code")),
		    json_string_value(json_object_get(err, "message")));
	}
}

/* Handle every complete event line on connection A. */
static void
bench_drain_events(struct bench *b)
{
	json_t	*j;

	while ((j = bench_line(&b->a)) != NULL) {
		bench_event(b, j);
		json_decref(j);
	}
}

/* Say how to call us and leave. */
static void
usage(void)
{
	fprintf(stderr, "usage: dispatch -s socket [-n count] [-c concurrency]"
	    " [-t timeout]\n");
	exit(2);
}

/* Add the job, pipeline the runs, count answers and finished tasks. */
int
main(int argc, char **argv)
{
	struct bench	 b;
	struct pollfd	 pfd[2];
	const char	*sock = NULL, *msg, *run = "{\"cmd\":\"run\","
	    "\"name\":\"" JOB_NAME "\"}\n";
	json_t		*add, *j, *task;
	char		*out, *s;
	size_t		 outlen, outoff = 0, runlen = strlen(run), chunk;
	ssize_t		 w;
	double		 t_submit, t_drain;
	int		 ch, i, conc = 8, timeout = 300, b_eof = 0;

	memset(&b, 0, sizeof b);
	b.n = 5000;
	while ((ch = getopt(argc, argv, "c:n:s:t:")) != -1) {
		switch (ch) {
		case 'c':
			conc = atoi(optarg);
			break;
		case 'n':
			b.n = atoi(optarg);
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (sock == NULL || b.n <= 0 || conc <= 0 || timeout <= 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	deadline = now() + timeout;

	bench_open(&b.a, sock);
	bench_open(&b.b, sock);

	msg = "{\"cmd\":\"subscribe\",\"events\":[\"task.finished\"]}\n";
	bench_send(&b.a, msg);
	j = bench_wait(&b, &b.a, deadline);
	if (!json_is_true(json_object_get(j, "ok"))) {
		s = json_dumps(j, 0);
		fprintf(stderr, "dispatch: subscribe failed: %s\n", s);
		exit(1);
	}
	json_decref(j);

	add = json_pack("{s:s, s:{s:s, s:[s], s:i, s:i}, s:b}", "cmd", "add",
	    "job", "name", JOB_NAME, "command", "/bin/true", "concurrency",
	    conc, "queue_limit", b.n, "replace", 1);
	s = json_dumps(add, JSON_COMPACT);
	json_decref(add);
	xasprintf(&out, "%s\n", s);
	free(s);
	bench_send(&b.b, out);
	free(out);
	j = bench_wait(&b, &b.b, deadline);
	if (!json_is_true(json_object_get(j, "ok"))) {
		s = json_dumps(j, 0);
		fprintf(stderr, "dispatch: add failed: %s\n", s);
		exit(1);
	}
	/* An add without a schedule runs once: let that task finish first. */
	task = json_object_get(json_object_get(j, "result"), "task");
	b.add_task = json_is_integer(task) ? json_integer_value(task) : -1;
	b.add_done = (b.add_task == -1);
	json_decref(j);
	while (!b.add_done) {
		pfd[0].fd = b.a.fd;
		pfd[0].events = POLLIN;
		poll(pfd, 1, 1000);
		if ((pfd[0].revents & (POLLIN | POLLHUP)) &&
		    !bench_fill(&b.a)) {
			fprintf(stderr, "dispatch: daemon closed connection\n");
			exit(1);
		}
		bench_drain_events(&b);
		if (now() > deadline) {
			fprintf(stderr, "dispatch: the add's task never "
			    "finished\n");
			exit(1);
		}
	}

	outlen = runlen * b.n;
	out = xmalloc(outlen);
	for (i = 0; i < b.n; i++)
		memcpy(out + (size_t)i * runlen, run, runlen);

	b.t_first = now();
	while (b.answers < b.n || b.finished < b.acked) {
		pfd[0].fd = b_eof ? -1 : b.b.fd;
		pfd[0].events = POLLIN | (outoff < outlen ? POLLOUT : 0);
		pfd[1].fd = b.a.fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 1000) == -1 && errno != EINTR) {
			perror("poll");
			exit(1);
		}
		if ((pfd[0].revents & POLLOUT) && outoff < outlen) {
			chunk = outlen - outoff;
			if (chunk > WRITE_CHUNK)
				chunk = WRITE_CHUNK;
			w = write(b.b.fd, out + outoff, chunk);
			if (w > 0)
				outoff += w;
			else if (w == -1 && errno != EAGAIN && errno != EINTR) {
				perror("dispatch: write");
				exit(1);
			}
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP)) && !bench_fill(&b.b))
			b_eof = 1;
		while ((j = bench_line(&b.b)) != NULL) {
			if (json_object_get(j, "event") == NULL)
				bench_answer(&b, j);
			json_decref(j);
		}
		if ((pfd[1].revents & (POLLIN | POLLHUP)) &&
		    !bench_fill(&b.a)) {
			fprintf(stderr, "dispatch: daemon closed connection\n");
			exit(1);
		}
		bench_drain_events(&b);
		if (b_eof && b.answers < b.n) {
			fprintf(stderr, "dispatch: daemon closed connection\n");
			exit(1);
		}
		if (now() > deadline) {
			fprintf(stderr, "dispatch: timed out: %d/%d answered, "
			    "%d/%d finished\n", b.answers, b.n, b.finished,
			    b.acked);
			exit(1);
		}
	}
	free(out);

	t_submit = (b.acked > 0 ? b.t_acked : now()) - b.t_first;
	t_drain = (b.finished > 0 ? b.t_finished : now()) - b.t_first;
	printf("dispatch submit: %.0f runs/s (%d acknowledged in %.3f s)\n",
	    b.acked / t_submit, b.acked, t_submit);
	printf("dispatch drain: %.0f tasks/s (%d finished in %.3f s)\n",
	    b.finished / t_drain, b.finished, t_drain);
	printf("dispatch failures: %d refused, %d tasks not succeeded\n",
	    b.refused, b.task_failed);
	printf("dispatch_n=%d\n", b.n);
	printf("dispatch_concurrency=%d\n", conc);
	printf("dispatch_submit_rate=%.0f\n", b.acked / t_submit);
	printf("dispatch_drain_rate=%.0f\n", b.finished / t_drain);
	printf("dispatch_refused=%d\n", b.refused);
	printf("dispatch_task_failures=%d\n", b.task_failed);

	msg = "{\"cmd\":\"remove\",\"name\":\"" JOB_NAME "\"}\n";
	bench_send(&b.b, msg);
	j = bench_wait(&b, &b.b, now() + 10);
	json_decref(j);

	close(b.a.fd);
	close(b.b.fd);
	free(b.a.in);
	free(b.b.in);
	return (b.refused == 0 && b.task_failed == 0 ? 0 : 1);
}
