/* SPDX-License-Identifier: ISC */
/*
 * A small client of schedd's control protocol (schedd(8), CONTROL
 * PROTOCOL) for the benchmark scripts, in C so that the client's own cost
 * stays out of the figures (doc/performance.md):
 *
 *   wait          connect and say hello until the daemon answers; prints
 *                 the wall-clock time of that first answer (-p: give up
 *                 when that process has gone);
 *   call JSON     send one request COUNT times, one at a time, on one
 *                 connection; prints how long each whole answer took to
 *                 arrive, its size and the number of entries of the first
 *                 list in the last answer.  A daemon that closes the
 *                 connection or does not answer in time is reported, not
 *                 fatal (-a: print the last answer if it is short);
 *   add PREFIX JOB
 *                 COUNT "add" requests of jobs PREFIX0, PREFIX1, ... with
 *                 the keys of the object JOB ("%N" in it becomes the job's
 *                 number), over CLIENTS connections with up to WINDOW
 *                 requests in flight on each; prints acknowledged adds per
 *                 second.
 *
 * Prints key=value lines.  Exits 0 when every answer was ok, 1 when one was
 * not, 2 on a usage error, 3 when the daemon closed the connection or did
 * not answer in time.
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
#include "xmalloc.h"

static int	 request_wait(const char *, pid_t, double);
static int	 request_call(const char *, const char *, int, int, double);
static int	 request_add(const char *, const char *, const char *, int,
		    int, int, double);
static char	*request_job(const char *, const char *, int);
static int	 request_ok(const char *, size_t, size_t *);
static int	 request_cmp(const void *, const void *);
static void	 usage(void) __attribute__((__noreturn__));

/*
 * Whether an answer line says ok; *entries is the length of the first
 * list in its result (0 if none).  Prints a refusal's error.
 */
static int
request_ok(const char *line, size_t len, size_t *entries)
{
	json_error_t	 jerr;
	json_t		*j, *result, *v, *err;
	const char	*key;

	*entries = 0;
	if ((j = json_loadb(line, len, 0, &jerr)) == NULL) {
		fprintf(stderr, "request: bad answer: %s\n", jerr.text);
		return (0);
	}
	if (!json_is_true(json_object_get(j, "ok"))) {
		err = json_object_get(j, "error");
		fprintf(stderr, "request: refused: %s: %s\n",
		    json_string_value(json_object_get(err, "code")),
		    json_string_value(json_object_get(err, "message")));
		json_decref(j);
		return (0);
	}
	result = json_object_get(j, "result");
	json_object_foreach(result, key, v) {
		if (json_is_array(v)) {
			*entries = json_array_size(v);
			break;
		}
	}
	json_decref(j);
	return (1);
}

/*
 * Say hello until the daemon answers, retrying every millisecond; give up
 * if process pid (when not 0) has gone.
 */
static int
request_wait(const char *path, pid_t pid, double timeout)
{
	struct conn	 c;
	struct timespec	 ts, rt;
	struct pollfd	 pfd;
	const char	*hello = "{\"cmd\":\"hello\"}\n";
	double		 deadline = now() + timeout;
	size_t		 len, entries;
	char		*line;
	int		 tries = 0, r;

	ts.tv_sec = 0;
	ts.tv_nsec = 1000 * 1000;
	for (;;) {
		if (now() > deadline) {
			printf("wait_status=timeout\nwait_tries=%d\n", tries);
			return (3);
		}
		if (pid > 0 && kill(pid, 0) == -1 && errno == ESRCH) {
			printf("wait_status=exited\nwait_tries=%d\n", tries);
			return (3);
		}
		tries++;
		if (conn_open(&c, path) == -1) {
			nanosleep(&ts, NULL);
			continue;
		}
		if (conn_send(&c, hello, strlen(hello), deadline) == -1) {
			conn_close(&c);
			nanosleep(&ts, NULL);
			continue;
		}
		while ((line = conn_line(&c, &len)) == NULL) {
			pfd.fd = c.fd;
			pfd.events = POLLIN;
			poll(&pfd, 1, 100);
			if ((r = conn_fill(&c)) != 1 || now() > deadline)
				break;
		}
		if (line != NULL)
			break;
		conn_close(&c);
		nanosleep(&ts, NULL);
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	r = request_ok(line, len, &entries);
	conn_close(&c);
	printf("wait_status=%s\n", r ? "ok" : "refused");
	printf("wait_tries=%d\n", tries);
	printf("wait_answer_at=%lld.%09ld\n", (long long)rt.tv_sec,
	    rt.tv_nsec);
	return (r ? 0 : 1);
}

/* Compare doubles for qsort. */
static int
request_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Send req count times, one at a time; time each whole answer.  With
 * show, print the last answer if it is short.
 */
static int
request_call(const char *path, const char *req, int count, int show,
    double timeout)
{
	struct conn	 c;
	struct pollfd	 pfd;
	const char	*status = "ok";
	double		*t, t0, deadline, sum = 0;
	size_t		 len = 0, entries = 0, reqlen;
	char		*line, *out;
	int		 i, done = 0, r, ok = 1;

	if (conn_open(&c, path) == -1) {
		fprintf(stderr, "request: %s: %s\n", path, strerror(errno));
		printf("call_status=closed\n");
		return (3);
	}
	xasprintf(&out, "%s\n", req);
	reqlen = strlen(out);
	t = xreallocarray(NULL, count, sizeof *t);
	for (i = 0; i < count && ok; i++) {
		t0 = now();
		deadline = t0 + timeout;
		if (conn_send(&c, out, reqlen, deadline) == -1) {
			status = errno == ETIMEDOUT ? "timeout" : "closed";
			break;
		}
		for (;;) {
			while ((line = conn_line(&c, &len)) != NULL &&
			    strncmp(line, "{\"event\"", 8) == 0)
				conn_consume(&c, len);
			if (line != NULL)
				break;
			if (now() > deadline) {
				status = "timeout";
				break;
			}
			pfd.fd = c.fd;
			pfd.events = POLLIN;
			poll(&pfd, 1, 100);
			if ((r = conn_fill(&c)) != 1) {
				status = "closed";
				break;
			}
		}
		if (line == NULL)
			break;
		t[done] = now() - t0;
		sum += t[done];
		done++;
		/* Only the last answer is decoded, out of the timing. */
		if (i == count - 1 || strstr(line, "\"ok\":false") != NULL) {
			if (!request_ok(line, len, &entries)) {
				status = "refused";
				ok = 0;
			}
			if (show && len < 4096)
				printf("call_answer=%.*s\n", (int)len, line);
		}
		conn_consume(&c, len);
	}
	printf("call_status=%s\n", status);
	printf("call_count=%d\n", count);
	printf("call_answered=%d\n", done);
	if (strcmp(status, "closed") == 0 || strcmp(status, "timeout") == 0)
		printf("call_bytes_received=%zu\n", c.inlen);
	else
		printf("call_bytes=%zu\n", len + 1);
	printf("call_entries=%zu\n", entries);
	if (done > 0) {
		qsort(t, done, sizeof *t, request_cmp);
		printf("call_median_s=%.6f\n", t[done / 2]);
		printf("call_mean_s=%.6f\n", sum / done);
		printf("call_min_s=%.6f\n", t[0]);
		printf("call_max_s=%.6f\n", t[done - 1]);
	}
	free(t);
	free(out);
	conn_close(&c);
	if (strcmp(status, "ok") == 0)
		return (0);
	return (strcmp(status, "refused") == 0 ? 1 : 3);
}

/* The add request of job PREFIX<i> made of the keys of the object job. */
static char *
request_job(const char *prefix, const char *job, int i)
{
	const char	*p, *body = job + 1;
	char		*out;
	size_t		 len, cap, nlen;
	char		 num[32];

	snprintf(num, sizeof num, "%d", i);
	nlen = strlen(num);
	cap = strlen(prefix) + strlen(job) * (nlen + 1) + 64;
	out = xmalloc(cap);
	len = snprintf(out, cap, "{\"cmd\":\"add\",\"job\":"
	    "{\"name\":\"%s%s\"%s", prefix, num, *body == '}' ? "" : ",");
	for (p = body; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'N') {
			memcpy(out + len, num, nlen);
			len += nlen;
			p++;
		} else
			out[len++] = *p;
	}
	out[len++] = '}';
	out[len++] = '\n';
	out[len] = '\0';
	return (out);
}

/* count adds over clients connections, window requests in flight each. */
static int
request_add(const char *path, const char *prefix, const char *job,
    int count, int clients, int window, double timeout)
{
	struct conn	*c;
	struct pollfd	*pfd;
	double		 t0, t, deadline;
	size_t		 len, entries;
	char		*line, *req;
	int		 i, sent = 0, answered = 0, acked = 0, r, closed = 0;

	if (job[0] != '{' || job[strlen(job) - 1] != '}')
		usage();
	c = xcalloc(clients, sizeof *c);
	pfd = xcalloc(clients, sizeof *pfd);
	for (i = 0; i < clients; i++) {
		if (conn_open(&c[i], path) == -1) {
			fprintf(stderr, "request: %s: %s\n", path,
			    strerror(errno));
			return (3);
		}
	}
	t0 = now();
	deadline = t0 + timeout;
	while (answered < count && !closed) {
		for (i = 0; i < clients; i++) {
			while (c[i].inflight < window && sent < count) {
				req = request_job(prefix, job, sent);
				if (conn_send(&c[i], req, strlen(req),
				    deadline) == -1) {
					closed = 1;
					free(req);
					break;
				}
				free(req);
				c[i].inflight++;
				sent++;
			}
			pfd[i].fd = c[i].fd;
			pfd[i].events = POLLIN;
		}
		if (closed || now() > deadline)
			break;
		if (poll(pfd, clients, 100) == -1 && errno != EINTR)
			break;
		for (i = 0; i < clients; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((r = conn_fill(&c[i])) != 1)
				closed = 1;
			while ((line = conn_line(&c[i], &len)) != NULL) {
				if (strncmp(line, "{\"event\"", 8) != 0) {
					answered++;
					c[i].inflight--;
					if (strstr(line, "\"ok\":true") !=
					    NULL)
						acked++;
					else if (answered - acked <= 3)
						request_ok(line, len, &entries);
				}
				conn_consume(&c[i], len);
			}
		}
	}
	t = now() - t0;
	printf("add_status=%s\n", answered == count ? "ok" :
	    closed ? "closed" : "timeout");
	printf("add_count=%d\n", count);
	printf("add_clients=%d\n", clients);
	printf("add_window=%d\n", window);
	printf("add_acked=%d\n", acked);
	printf("add_refused=%d\n", answered - acked);
	printf("add_seconds=%.3f\n", t);
	printf("add_rate=%.0f\n", acked / t);
	for (i = 0; i < clients; i++)
		conn_close(&c[i]);
	free(c);
	free(pfd);
	if (answered < count)
		return (3);
	return (acked == count ? 0 : 1);
}

/* Say how to call us and leave. */
static void
usage(void)
{
	fprintf(stderr, "usage: request -s socket [-p pid] [-t timeout] wait\n"
	    "       request -s socket [-a] [-n count] [-t timeout] call json\n"
	    "       request -s socket [-c clients] [-n count] [-t timeout] "
	    "[-w window]\n"
	    "               add prefix job-json\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char	*sock = NULL;
	double		 timeout = 120;
	pid_t		 pid = 0;
	int		 ch, count = 1, clients = 1, window = 1, show = 0;

	while ((ch = getopt(argc, argv, "ac:n:p:s:t:w:")) != -1) {
		switch (ch) {
		case 'a':
			show = 1;
			break;
		case 'c':
			clients = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'p':
			pid = atoi(optarg);
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'w':
			window = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (sock == NULL || argc < 1 || count <= 0 || clients <= 0 ||
	    window <= 0 || timeout <= 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[0], "wait") == 0 && argc == 1)
		return (request_wait(sock, pid, timeout));
	if (strcmp(argv[0], "call") == 0 && argc == 2)
		return (request_call(sock, argv[1], count, show,
		    timeout));
	if (strcmp(argv[0], "add") == 0 && argc == 3)
		return (request_add(sock, argv[1], argv[2], count, clients,
		    window, timeout));
	usage();
}
