/*
 * wait: answer when every given task has ended, with their records in the
 * order given, or when the timeout passes (timed_out: true).
 */
#include <math.h>
#include <stdlib.h>

#include "cmd.h"
#include "util.h"
#include "xmalloc.h"

struct waiter;

struct wait_one {
	struct waiter	*wt;
	struct task	*t;		/* NULL once ended */
	json_t		*record;	/* set once ended */
	struct task_watch w;
};

struct waiter {
	struct client	*c;
	json_t		*id;
	struct wait_one	*v;
	size_t		 n;
	size_t		 pending;
	struct event	*timer;
};

static void	cmd_wait_answer(struct waiter *, int);
static void	cmd_wait_free(struct waiter *);

static void
cmd_wait_free(struct waiter *wt)
{
	size_t	 i;

	for (i = 0; i < wt->n; i++) {
		if (wt->v[i].t != NULL)
			task_watch_remove(wt->v[i].t, &wt->v[i].w);
		json_decref(wt->v[i].record);
	}
	if (wt->timer != NULL)
		event_free(wt->timer);
	json_decref(wt->id);
	free(wt->v);
	free(wt);
}

/* Send the answer and release the waiter. */
static void
cmd_wait_answer(struct waiter *wt, int timed_out)
{
	struct client	*c = wt->c;
	json_t		*list, *a;
	size_t		 i;

	list = json_array();
	for (i = 0; i < wt->n; i++) {
		if (wt->v[i].record != NULL)
			json_array_append(list, wt->v[i].record);
		else
			json_array_append_new(list, task_record(wt->v[i].t));
	}
	a = cmd_answer_ok(wt->id, json_pack("{s:o,s:b}", "tasks", list,
	    "timed_out", timed_out));
	cmd_wait_free(wt);
	if (c != NULL) {
		client_undefer(c);
		client_send(c, a);
	}
	json_decref(a);
}

static void
cmd_wait_watch(struct task *t, enum task_watch_what what, const char *buf,
    size_t len, void *arg)
{
	struct wait_one	*one = arg;
	struct waiter	*wt = one->wt;

	if (what != WATCH_END)
		return;
	one->record = task_record(t);
	one->t = NULL;
	if (--wt->pending == 0)
		cmd_wait_answer(wt, 0);
}

static void
cmd_wait_timeout(evutil_socket_t fd, short events, void *arg)
{
	cmd_wait_answer(arg, 1);
}

static void
cmd_wait_cancel(struct client *c, void *arg)
{
	cmd_wait_free(arg);
}

/* The timeout argument: seconds as a number, or a duration string. */
static int
cmd_wait_timeout_ms(json_t *v, uint64_t *ms)
{
	double	 d;

	if (json_is_string(v))
		return (parse_duration(json_string_value(v), ms));
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > 1e9)
		return (-1);
	*ms = (uint64_t)(d * 1000);
	return (0);
}

static enum cmd_retval
cmd_wait_exec(struct cmd_ctx *ctx)
{
	struct waiter	*wt;
	struct task	*t;
	struct timeval	 tv;
	json_t		*arg, *tov, *v, *list;
	uint64_t	 ms = 0;
	size_t		 i, n;

	arg = json_object_get(ctx->req, "task");
	n = json_is_array(arg) ? json_array_size(arg) : 1;
	if (n == 0 || n > 10000) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "wait: give 1 to 10000 tasks");
		return (CMD_ERROR);
	}
	tov = json_object_get(ctx->req, "timeout");
	if (tov != NULL && cmd_wait_timeout_ms(tov, &ms) != 0) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "wait: bad timeout");
		return (CMD_ERROR);
	}
	for (i = 0; i < n; i++) {
		v = json_is_array(arg) ? json_array_get(arg, i) : arg;
		if (!json_is_integer(v)) {
			cmd_fail(ctx, PROTO_BAD_REQUEST, "wait: \"task\" must "
			    "be an integer or a list of integers");
			return (CMD_ERROR);
		}
		if (task_find((uint64_t)json_integer_value(v)) == NULL) {
			cmd_fail(ctx, PROTO_NOT_FOUND, "no task %lld",
			    (long long)json_integer_value(v));
			return (CMD_ERROR);
		}
	}
	wt = xcalloc(1, sizeof *wt);
	wt->c = ctx->c;
	wt->id = ctx->id != NULL ? json_incref(ctx->id) : NULL;
	wt->n = n;
	wt->v = xcalloc(n, sizeof *wt->v);
	for (i = 0; i < n; i++) {
		v = json_is_array(arg) ? json_array_get(arg, i) : arg;
		t = task_find((uint64_t)json_integer_value(v));
		wt->v[i].wt = wt;
		if (TASK_ENDED(t->state)) {
			wt->v[i].record = task_record(t);
			continue;
		}
		wt->v[i].t = t;
		wt->v[i].w.fn = cmd_wait_watch;
		wt->v[i].w.arg = &wt->v[i];
		task_watch_add(t, &wt->v[i].w);
		wt->pending++;
	}
	if (wt->pending == 0) {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append(list, wt->v[i].record);
		cmd_wait_free(wt);
		return (cmd_reply(ctx, json_pack("{s:o,s:b}", "tasks", list,
		    "timed_out", 0)));
	}
	if (tov != NULL) {
		wt->timer = evtimer_new(sd.base, cmd_wait_timeout, wt);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(wt->timer, &tv);
	}
	return (cmd_defer(ctx, cmd_wait_cancel, wt));
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.args = {
		{ "task", ARG_INT | ARG_ARRAY | ARG_REQUIRED },
		{ "timeout", ARG_NUMBER | ARG_STRING },
	},
	.exec = cmd_wait_exec,
};
