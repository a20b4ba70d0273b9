/* SPDX-License-Identifier: ISC */
/*
 * wait: answer when every given task has ended, with their records in the
 * order given, or when the timeout passes (timed_out: true).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jw.h"
#include "util.h"
#include "xmalloc.h"

struct waiter;

struct wait_one {
	struct waiter	*wt;
	struct task	*t;		/* NULL once ended */
	char		*record;	/* its record (jw.h) once ended */
	size_t		 reclen;
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
static void	cmd_wait_keep(struct wait_one *, struct task *);
static void	cmd_wait_result(struct jw *, struct waiter *, int);

static void
cmd_wait_free(struct waiter *wt)
{
	size_t	 i;

	for (i = 0; i < wt->n; i++) {
		if (wt->v[i].t != NULL)
			task_watch_remove(wt->v[i].t, &wt->v[i].w);
		free(wt->v[i].record);
	}
	if (wt->timer != NULL)
		event_free(wt->timer);
	json_decref(wt->id);
	free(wt->v);
	free(wt);
}

/* An ended task's record, kept as it was then: it may be pruned. */
static void
cmd_wait_keep(struct wait_one *one, struct task *t)
{
	struct jw	 w;

	jw_init(&w);
	task_record_write(&w, t);
	one->record = xmalloc(w.len);
	memcpy(one->record, w.buf, w.len);
	one->reclen = w.len;
	jw_free(&w);
}

/* The result: the records in the order asked, and timed_out. */
static void
cmd_wait_result(struct jw *w, struct waiter *wt, int timed_out)
{
	size_t	 i;

	jw_object_open(w);
	jw_key(w, "tasks");
	jw_array_open(w);
	for (i = 0; i < wt->n; i++) {
		if (wt->v[i].record != NULL)
			jw_raw(w, wt->v[i].record, wt->v[i].reclen);
		else
			task_record_write(w, wt->v[i].t);
	}
	jw_array_close(w);
	jw_kbool(w, "timed_out", timed_out);
	jw_object_close(w);
}

/* Send the answer and release the waiter. */
static void
cmd_wait_answer(struct waiter *wt, int timed_out)
{
	struct client	*c = wt->c;
	struct jw	*w;

	w = cmd_answer_start(wt->id);
	cmd_wait_result(w, wt, timed_out);
	cmd_answer_finish(w);
	cmd_wait_free(wt);
	if (c != NULL) {
		client_undefer(c);
		client_send_raw(c, w->buf, w->len);
	}
}

static void
cmd_wait_watch(struct task *t, enum task_watch_what what, const char *buf,
    size_t len, void *arg)
{
	struct wait_one	*one = arg;
	struct waiter	*wt = one->wt;

	if (what != WATCH_END)
		return;
	cmd_wait_keep(one, t);
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
	struct jw	*w;
	json_t		*arg, *tov, *v;
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
			cmd_wait_keep(&wt->v[i], t);
			continue;
		}
		wt->v[i].t = t;
		wt->v[i].w.fn = cmd_wait_watch;
		wt->v[i].w.arg = &wt->v[i];
		task_watch_add(t, &wt->v[i].w);
		wt->pending++;
	}
	if (wt->pending == 0) {
		w = cmd_answer_begin(ctx);
		cmd_wait_result(w, wt, 0);
		cmd_wait_free(wt);
		return (cmd_answer_end(ctx, w));
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
