/* SPDX-License-Identifier: ISC */

/*
 * What waits on the daemon or streams from it: wait (and the --wait of
 * add and run), logs (-f), stop (which waits for the tasks to end),
 * shutdown --wait, and the event lines of logs -f and watch.  A wait is
 * asked for in slices; a stream prints each event line as it arrives
 * until the daemon ends it.
 */
#include <sys/types.h>
#include <sys/syscall.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "util.h"
#include "xmalloc.h"

/* A wait is asked in slices so an idle connection is never dropped. */
#define WAIT_SLICE_SECS		30

static int	 stream_flush(void);
static int	 wait_status(json_t *);
static json_t	*wait_request(json_int_t *, size_t, uint64_t);
static int	 wait_run(struct ctl *, json_int_t *, size_t, FILE *,
		     int64_t, int, int *);
static int	 target_task(struct ctl *, json_t *);
static int	 result_print(json_t *);
static void	 wait_late(json_t *);
static int	 wait_gone(json_int_t);
static void	 wait_report(json_t *, FILE *);

/* Flush what an event printed; a closed stdout ends the stream. */
static int
stream_flush(void)
{
	if (fflush(stdout) == EOF) {
		if (errno != EPIPE)
			perror("schedctl: stdout");
		return (CTL_EXIT_ERROR);
	}
	return (CTL_EXIT_OK);
}

/* Print the data of one output event (logs -f) as it arrives. */
int
logs_event(struct ctl *ctl, json_t *ev, const char *line)
{
	const char	*data;

	if (strcmp(field_text(ev, "event"), "output") != 0)
		return (CTL_EXIT_OK);
	if ((data = field_str(ev, "data")) != NULL)
		fputs(data, stdout);
	return (stream_flush());
}

/*
 * The exit status a waited task stands for: its exit code, 128+N for a
 * signal, 124 for a timeout, 127 if it could not start, 1 otherwise.
 */
static int
wait_status(json_t *task)
{
	const char	*state;
	json_int_t	 v;

	if ((state = field_str(task, "state")) == NULL)
		return (CTL_EXIT_ERROR);
	if (strcmp(state, "succeeded") == 0)
		return (0);
	if (strcmp(state, "timeout") == 0)
		return (124);
	if (strcmp(state, "failed") == 0 && field_str(task, "error") != NULL)
		return (127);
	if (field_int(task, "signal", &v) == 0 && v > 0 && v < 128)
		return (128 + (int)v);
	if (field_int(task, "exit_code", &v) == 0 && v > 0 && v < 256)
		return ((int)v);
	return (CTL_EXIT_ERROR);	/* cancelled, lost, ... */
}

/* One line on how a waited task ended. */
static void
wait_report(json_t *task, FILE *fp)
{
	json_int_t	 id = 0, v;
	char		*s;

	field_int(task, "id", &id);
	fprintf(fp, "task %lld (%s): %s", (long long)id,
	    field_text(task, "job"), field_text(task, "state"));
	if (field_int(task, "signal", &v) == 0)
		fprintf(fp, " (SIG%s)", signal_name((int)v));
	else if (field_int(task, "exit_code", &v) == 0 && v != 0)
		fprintf(fp, " (exit %lld)", (long long)v);
	if (field_int(task, "duration_ms", &v) == 0) {
		s = format_elapsed(v);
		fprintf(fp, " after %s", s);
		free(s);
	}
	if (field_str(task, "error") != NULL) {
		s = format_clean(field_str(task, "error"));
		fprintf(fp, ": %s", s);
		free(s);
	}
	fprintf(fp, "\n");
}

/*
 * The id of a job's newest task (queued, running or ended) in *id, for
 * wait JOB and logs JOB.  Returns an exit code, having said why not.
 */
int
wait_latest(struct ctl *ctl, const char *name, json_int_t *id)
{
	json_t		*req, *res, *job;
	int		 rc;

	req = json_pack("{s:s, s:[s]}", "name", name, "fields",
	    "latest_task");
	if ((rc = ctl_call(ctl, "jobs", req, 0, &res)) != 0)
		return (rc);
	job = json_array_get(json_object_get(res, "jobs"), 0);
	if (job == NULL || strcmp(field_text(job, "name"), name) != 0) {
		fprintf(stderr, "schedctl: no job \"%s\" (not_found)\n", name);
		rc = CTL_EXIT_ERROR;
	} else if (field_int(job, "latest_task", id) != 0) {
		fprintf(stderr, "schedctl: job \"%s\" has no task yet\n", name);
		rc = CTL_EXIT_ERROR;
	}
	json_decref(res);
	return (rc);
}

/* A wait request for the tasks, answered after at most ms. */
static json_t *
wait_request(json_int_t *ids, size_t n, uint64_t ms)
{
	json_t	*args, *list;
	char	*tmo;
	size_t	 i;

	args = json_object();
	if (n == 1)
		json_object_set_new(args, "task", json_integer(ids[0]));
	else {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(list, json_integer(ids[i]));
		json_object_set_new(args, "task", list);
	}
	xasprintf(&tmo, "%llums", (unsigned long long)ms);
	json_object_set_new(args, "timeout", json_string(tmo));
	free(tmo);
	return (args);
}

/*
 * Wait until the tasks have ended, or timeout_ms (-1: no limit) has
 * passed, and put the exit status they stand for in *status; returns 0,
 * or an exit code when the wait itself failed (CTL_EXIT_TIMEOUT for the
 * timeout).  Each task is reported on fp, or (fp NULL) nothing is
 * printed, not even with --json.  The wait is asked for in slices so that no
 * daemon-side idle limit can cut a long wait short.
 */
static int
wait_run(struct ctl *ctl, json_int_t *ids, size_t n, FILE *fp,
    int64_t timeout_ms, int results, int *status)
{
	json_t		*answer, *res, *task;
	uint64_t	 deadline = 0, now, ms;
	size_t		 i;
	int		 rc, code, last;

	if (timeout_ms >= 0)
		deadline = time_mono_ms() + (uint64_t)timeout_ms;
	for (;;) {
		ms = (uint64_t)WAIT_SLICE_SECS * 1000;
		last = 0;
		if (timeout_ms >= 0) {
			now = time_mono_ms();
			if (now >= deadline || deadline - now <= ms) {
				ms = now < deadline ? deadline - now : 0;
				last = 1;
			}
		}
		rc = ctl_call(ctl, "wait", wait_request(ids, n, ms),
		    CALL_ANSWER, &answer);
		if (rc != 0)
			return (rc);
		res = json_object_get(answer, "result");
		if (!field_true(res, "timed_out"))
			break;
		if (last) {
			if (ctl->json && fp != NULL)
				ctl_print(answer);
			wait_late(json_object_get(res, "tasks"));
			json_decref(answer);
			return (CTL_EXIT_TIMEOUT);
		}
		json_decref(answer);
	}
	if (ctl->json && fp != NULL)
		ctl_print(answer);

	*status = 0;
	json_array_foreach(json_object_get(res, "tasks"), i, task) {
		if (!ctl->json && results)
			result_print(task);
		else if (!ctl->json && fp != NULL)
			wait_report(task, fp);
		if (*status == 0 && (code = wait_status(task)) != 0)
			*status = code;
	}
	if (json_array_size(json_object_get(res, "tasks")) != n)
		*status = CTL_EXIT_ERROR;
	json_decref(answer);
	return (0);
}

/* Say which tasks a wait that timed out still waited for. */
static void
wait_late(json_t *tasks)
{
	json_t		*task;
	json_int_t	 id;
	size_t		 i;

	fprintf(stderr, "schedctl: wait: timed out; not ended:");
	json_array_foreach(tasks, i, task) {
		if (field_str(task, "finished_at") == NULL &&
		    field_int(task, "id", &id) == 0)
			fprintf(stderr, " %lld", (long long)id);
	}
	fprintf(stderr, "\n");
}

/* As wait_run, returning the exit status the tasks stand for. */
int
wait_tasks(struct ctl *ctl, json_int_t *ids, size_t n, FILE *fp,
    int64_t timeout_ms)
{
	int	 rc, status;

	if ((rc = wait_run(ctl, ids, n, fp, timeout_ms, 0, &status)) != 0)
		return (rc);
	return (status);
}

/*
 * wait [--timeout D] [--result] ID|JOB...: wait for tasks (a job's
 * newest); exit with what the first failure stands for.  With --result,
 * print their results instead of how they ended.
 */
int
ctl_wait(struct ctl *ctl, struct args *a)
{
	const char	*tmo;
	json_int_t	*ids;
	uint64_t	 ms;
	int64_t		 limit = -1;
	int		 i, rc = 0, status;

	if ((tmo = args_get(a, "timeout")) != NULL) {
		if (parse_duration(tmo, &ms) != 0 || ms > INT64_MAX)
			return (usage_error("wait", "--timeout: bad duration: "
			    "%s", tmo));
		limit = (int64_t)ms;
	}
	ids = xcalloc(a->argc, sizeof *ids);
	for (i = 0; i < a->argc && rc == 0; i++) {
		if (isdigit((unsigned char)*a->argv[i]))
			rc = run_task_id("wait", a->argv[i], &ids[i]);
		else
			rc = wait_latest(ctl, a->argv[i], &ids[i]);
	}
	if (rc == 0 && (rc = wait_run(ctl, ids, a->argc, stdout, limit,
	    args_has(a, "result"), &status)) == 0)
		rc = status;
	free(ids);
	return (rc);
}

/*
 * A request naming a job ("name") names its newest task ("task")
 * instead.  Returns an exit code, having said why not.
 */
static int
target_task(struct ctl *ctl, json_t *req)
{
	const char	*name;
	json_int_t	 id;
	int		 rc;

	if ((name = field_str(req, "name")) == NULL)
		return (CTL_EXIT_OK);
	if ((rc = wait_latest(ctl, name, &id)) != 0)
		return (rc);
	json_object_del(req, "name");
	json_object_set_new(req, "task", json_integer(id));
	return (CTL_EXIT_OK);
}

/*
 * Print a task's result: a string as it is (with a newline if it has
 * none at its end), any other value as one line of JSON.  1 if it has
 * none, having said why.
 */
static int
result_print(json_t *task)
{
	json_t		*v = json_object_get(task, "result");
	const char	*s;
	char		*text;
	json_int_t	 id = 0;
	size_t		 len;

	field_int(task, "id", &id);
	if (v == NULL || json_is_null(v)) {
		s = field_text(task, "state");
		if (field_str(task, "result_error") != NULL) {
			text = format_clean(field_str(task, "result_error"));
			fprintf(stderr, "schedctl: task %lld: no result: %s\n",
			    (long long)id, text);
			free(text);
		} else if (strcmp(s, "queued") == 0 ||
		    strcmp(s, "running") == 0)
			fprintf(stderr, "schedctl: task %lld is %s: no result "
			    "yet\n", (long long)id, s);
		else
			fprintf(stderr, "schedctl: task %lld has no result\n",
			    (long long)id);
		return (CTL_EXIT_ERROR);
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
		fwrite(s, 1, len, stdout);
		if (len == 0 || s[len - 1] != '\n')
			putchar('\n');
		return (CTL_EXIT_OK);
	}
	text = human_json(v);
	puts(text);
	free(text);
	return (CTL_EXIT_OK);
}

/* result ID|JOB: the result of a task (a job's newest). */
int
ctl_result(struct ctl *ctl, struct args *a)
{
	json_t	*req, *res;
	int	 rc;

	req = json_object();
	if ((rc = run_args(a, req)) != 0 || (rc = target_task(ctl, req)) != 0) {
		json_decref(req);
		return (rc);
	}
	if ((rc = ctl_call(ctl, a->ce->wire, req, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		rc = result_print(json_object_get(res, "task"));
	json_decref(res);
	return (rc);
}

/*
 * logs ID|JOB [-f]: a task's log (a job's newest task); with -f, follow
 * it and exit with the task's status, as wait does.
 */
int
ctl_logs(struct ctl *ctl, struct args *a)
{
	json_t		*req, *res = NULL;
	int		 rc;

	req = json_object();
	if ((rc = run_args(a, req)) != 0 || (rc = target_task(ctl, req)) != 0)
		goto fail;
	if (!args_has(a, "follow"))
		return (run_request(ctl, a, a->ce->wire, req, a->ce->print));
	if ((rc = ctl_stream(ctl, a->ce->wire, req, 0, a->ce->event,
	    &res)) != 0)
		return (rc);
	/* The final answer says how the task ended. */
	rc = wait_status(res);
	json_decref(res);
	return (rc);
fail:
	json_decref(req);
	return (rc);
}

/*
 * stop ID|JOB [--signal SIG] [--no-wait]: stop tasks and, unless
 * --no-wait, report them once they have ended.
 */
int
ctl_stop(struct ctl *ctl, struct args *a)
{
	json_t		*req, *res, *list, *v;
	json_int_t	*ids;
	size_t		 i, n;
	int		 rc, status;

	req = json_object();
	if ((rc = run_args(a, req)) != 0) {
		json_decref(req);
		return (rc);
	}
	if ((rc = ctl_call(ctl, a->ce->wire, req, CALL_RAW, &res)) != 0)
		return (rc);
	list = json_object_get(res, "stopped");
	if ((n = json_array_size(list)) > 0 && !args_has(a, "no-wait")) {
		ids = xcalloc(n, sizeof *ids);
		json_array_foreach(list, i, v)
			ids[i] = json_integer_value(v);
		rc = wait_run(ctl, ids, n, NULL, -1, 0, &status);
		free(ids);
	}
	if (rc == 0 && !ctl->json)
		a->ce->print(res, a);
	json_decref(res);
	return (rc);
}

/* Wait until the process pid is gone: 0, or an exit code. */
static int
wait_gone(json_int_t pid)
{
	struct pollfd	 pfd;
	int		 fd;

	if (pid <= 0 || pid > INT32_MAX)
		return (CTL_EXIT_OK);
	if ((fd = syscall(SYS_pidfd_open, (pid_t)pid, 0)) == -1) {
		if (errno == ESRCH)
			return (CTL_EXIT_OK);
		fprintf(stderr, "schedctl: pidfd_open %lld: %s\n",
		    (long long)pid, strerror(errno));
		return (CTL_EXIT_ERROR);
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
		;
	close(fd);
	return (CTL_EXIT_OK);
}

/*
 * shutdown [--force] [--wait]: stop the daemon; with --wait, return once
 * it has closed the connection and its process is gone: 0 if it said it
 * exits with status 0, 1 if it said otherwise or went away without
 * saying (schedctl.1).
 */
int
ctl_shutdown(struct ctl *ctl, struct args *a)
{
	json_t		*req, *res, *obj;
	json_int_t	 pid = 0, status = -1;
	int		 rc, saved = 1;

	if (!args_has(a, "wait"))
		return (ctl_run(ctl, a));
	if ((rc = ctl_call(ctl, "hello", NULL, 0, &res)) != 0)
		return (rc);
	field_int(res, "pid", &pid);
	json_decref(res);
	req = json_object();
	if ((rc = run_args(a, req)) != 0) {
		json_decref(req);
		return (rc);
	}
	if ((rc = ctl_call(ctl, a->ce->wire, req, CALL_RAW, NULL)) != 0)
		return (rc);
	/* The daemon's last line says how it exits. */
	while ((rc = ctl_read(ctl, &obj, NULL)) == 1) {
		if (strcmp(field_text(obj, "event"), "exit") == 0) {
			field_int(obj, "status", &status);
			saved = !json_is_false(json_object_get(obj,
			    "state_saved"));
			if (ctl->json)
				ctl_print(obj);
		}
		json_decref(obj);
	}
	if (rc != 0)
		return (CTL_EXIT_UNREACH);
	if ((rc = wait_gone(pid)) != CTL_EXIT_OK)
		return (rc);
	if (status == -1) {
		fprintf(stderr, "schedctl: schedd (pid %lld) has exited "
		    "without saying its exit status (see its log)\n",
		    (long long)pid);
		return (CTL_EXIT_ERROR);
	}
	if (!saved)
		fprintf(stderr, "schedctl: schedd could not save its state at "
		    "exit (its journal has every acknowledged change)\n");
	if (!ctl->json)
		printf("schedd (pid %lld) has exited with status %lld\n",
		    (long long)pid, (long long)status);
	return (status == 0 ? CTL_EXIT_OK : CTL_EXIT_ERROR);
}

/* Print one event of watch as a line. */
int
watch_event(struct ctl *ctl, json_t *ev, const char *line)
{
	format_event(ev, stdout);
	return (stream_flush());
}
