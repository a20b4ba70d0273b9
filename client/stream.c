/* SPDX-License-Identifier: ISC */

/*
 * What waits on the daemon or streams from it: wait (and the --wait of
 * add and run), and the event lines of logs -f and watch.  A wait is
 * asked for in slices; a stream prints each event line as it arrives
 * until the daemon ends it.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "util.h"
#include "xmalloc.h"

/* A wait is asked in slices so an idle connection is never dropped. */
#define WAIT_SLICE_SECS		30

static int	 stream_flush(void);
static int	 wait_status(json_t *);
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
 * Wait until the tasks have ended and return the exit status they stand
 * for; report each on fp.  The wait is asked for in slices so that no
 * daemon-side idle limit can cut a long wait short.
 */
int
wait_tasks(struct ctl *ctl, json_int_t *ids, size_t n, FILE *fp)
{
	json_t	*args, *answer, *res, *list, *task;
	size_t	 i;
	int	 rc, code;

	for (;;) {
		args = json_object();
		if (n == 1)
			json_object_set_new(args, "task", json_integer(ids[0]));
		else {
			list = json_array();
			for (i = 0; i < n; i++)
				json_array_append_new(list,
				    json_integer(ids[i]));
			json_object_set_new(args, "task", list);
		}
		json_object_set_new(args, "timeout",
		    json_integer(WAIT_SLICE_SECS));
		rc = ctl_call(ctl, "wait", args, CALL_ANSWER, &answer);
		if (rc != 0)
			return (rc);
		res = json_object_get(answer, "result");
		if (!field_true(res, "timed_out"))
			break;
		json_decref(answer);
	}
	if (ctl->json)
		ctl_print(answer);

	rc = 0;
	json_array_foreach(json_object_get(res, "tasks"), i, task) {
		if (!ctl->json)
			wait_report(task, fp);
		if (rc == 0 && (code = wait_status(task)) != 0)
			rc = code;
	}
	if (json_array_size(json_object_get(res, "tasks")) != n && rc == 0)
		rc = CTL_EXIT_ERROR;
	json_decref(answer);
	return (rc);
}

/* wait ID...: wait for tasks; exit with what the first failure stands for. */
int
ctl_wait(struct ctl *ctl, struct args *a)
{
	json_int_t	*ids;
	int		 i, rc;

	ids = xcalloc(a->argc, sizeof *ids);
	for (i = 0; i < a->argc; i++) {
		if ((rc = run_task_id("wait", a->argv[i], &ids[i])) != 0) {
			free(ids);
			return (rc);
		}
	}
	rc = wait_tasks(ctl, ids, a->argc, stdout);
	free(ids);
	return (rc);
}

/* Print one event of watch as a line. */
int
watch_event(struct ctl *ctl, json_t *ev, const char *line)
{
	format_event(ev, stdout);
	return (stream_flush());
}
