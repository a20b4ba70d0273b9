/* SPDX-License-Identifier: ISC */
/*
 * output: a task's log; with "follow", the log so far and then new output
 * as events, and a final answer when the task has ended.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"

#define OUTPUT_EVENT_CHUNK	65536

struct follow {
	struct client	*c;
	json_t		*id;
	struct task	*t;
	struct task_watch w;
};

static void
cmd_output_event(struct client *c, struct task *t, const char *buf,
    size_t len)
{
	json_t	*ev;

	ev = json_pack("{s:s,s:I,s:o}", "event", "output", "task",
	    (json_int_t)t->id, "data", sjson_text(buf, len));
	client_send(c, ev);
	json_decref(ev);
}

static json_t *
cmd_output_final(struct task *t, const char *text, size_t len)
{
	return (json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "task",
	    (json_int_t)t->id, "state", task_state_name(t->state), "text",
	    sjson_text(text, len), "exit_code", t->exit_code >= 0 ?
	    json_integer(t->exit_code) : json_null(), "signal", t->signal != 0 ?
	    json_integer(t->signal) : json_null(), "error", t->error != NULL ?
	    json_string(t->error) : json_null()));
}

static void
cmd_output_watch(struct task *t, enum task_watch_what what, const char *buf,
    size_t len, void *arg)
{
	struct follow	*f = arg;
	struct client	*c = f->c;
	json_t		*a;

	if (what == WATCH_OUTPUT) {
		/* May drop the client, which frees f: touch nothing after. */
		cmd_output_event(c, t, buf, len);
		return;
	}
	a = cmd_answer_ok(f->id, cmd_output_final(t, "", 0));
	json_decref(f->id);
	free(f);
	client_undefer(c);
	client_send(c, a);
	json_decref(a);
}

static void
cmd_output_cancel(struct client *c, void *arg)
{
	struct follow	*f = arg;

	task_watch_remove(f->t, &f->w);
	json_decref(f->id);
	free(f);
}

static enum cmd_retval
cmd_output_exec(struct cmd_ctx *ctx)
{
	struct task	*t = ctx->task;
	struct follow	*f;
	json_t		*result;
	char		*text;
	size_t		 len = 0, off;

	text = output_read_log(t, &len);
	if (text == NULL && t->tail != NULL) {
		text = xmalloc(t->tail_len + 1);
		memcpy(text, t->tail, t->tail_len);
		len = t->tail_len;
	}
	if (!json_is_true(json_object_get(ctx->req, "follow"))) {
		result = cmd_output_final(t, text != NULL ? text : "", len);
		free(text);
		return (cmd_reply(ctx, result));
	}
	for (off = 0; off < len && !(ctx->c->flags & CLIENT_CLOSED);
	    off += OUTPUT_EVENT_CHUNK) {
		cmd_output_event(ctx->c, t, text + off,
		    len - off < OUTPUT_EVENT_CHUNK ? len - off :
		    OUTPUT_EVENT_CHUNK);
	}
	free(text);
	/* Gone while its output was sent: nobody to answer. */
	if (ctx->c->flags & CLIENT_CLOSED) {
		ctx->answered = 1;
		return (CMD_DONE);
	}
	if (TASK_ENDED(t->state))
		return (cmd_reply(ctx, cmd_output_final(t, "", 0)));
	f = xcalloc(1, sizeof *f);
	f->c = ctx->c;
	f->id = ctx->id != NULL ? json_incref(ctx->id) : NULL;
	f->t = t;
	f->w.fn = cmd_output_watch;
	f->w.arg = f;
	task_watch_add(t, &f->w);
	return (cmd_defer(ctx, cmd_output_cancel, f));
}

const struct cmd_entry cmd_output_entry = {
	.name = "output",
	.target = CMD_TARGET_TASK,
	.args = {
		{ "task", ARG_INT | ARG_REQUIRED },
		{ "follow", ARG_BOOL },
	},
	.exec = cmd_output_exec,
};
