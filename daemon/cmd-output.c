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
	    (json_int_t)t->id, "data", json_text(buf, len));
	client_send(c, ev);
	json_decref(ev);
}

static json_t *
cmd_output_final(json_t *id, struct task *t, const char *text, size_t len)
{
	return (cmd_answer_ok(id, json_pack("{s:I,s:s,s:o}", "task",
	    (json_int_t)t->id, "state", task_state_name(t->state), "text",
	    json_text(text, len))));
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
	a = cmd_output_final(f->id, t, "", 0);
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
	struct task	*t;
	struct follow	*f;
	json_int_t	 id;
	json_t		*a;
	char		*text;
	size_t		 len = 0, off;

	id = json_integer_value(json_object_get(ctx->req, "task"));
	if ((t = task_find((uint64_t)id)) == NULL) {
		cmd_error(ctx, PROTO_NOT_FOUND, "no task %lld", (long long)id);
		return (CMD_DONE);
	}
	text = output_read_log(t, &len);
	if (text == NULL && t->tail != NULL) {
		text = xmalloc(t->tail_len + 1);
		memcpy(text, t->tail, t->tail_len);
		len = t->tail_len;
	}
	if (!json_is_true(json_object_get(ctx->req, "follow"))) {
		a = cmd_output_final(ctx->id, t, text != NULL ? text : "", len);
		client_send(ctx->c, a);
		json_decref(a);
		free(text);
		return (CMD_DONE);
	}
	for (off = 0; off < len && !ctx->c->closed;
	    off += OUTPUT_EVENT_CHUNK) {
		cmd_output_event(ctx->c, t, text + off,
		    len - off < OUTPUT_EVENT_CHUNK ? len - off :
		    OUTPUT_EVENT_CHUNK);
	}
	free(text);
	if (ctx->c->closed)
		return (CMD_DONE);
	if (TASK_ENDED(t->state)) {
		a = cmd_output_final(ctx->id, t, "", 0);
		client_send(ctx->c, a);
		json_decref(a);
		return (CMD_DONE);
	}
	f = xcalloc(1, sizeof *f);
	f->c = ctx->c;
	f->id = ctx->id != NULL ? json_incref(ctx->id) : NULL;
	f->t = t;
	f->w.fn = cmd_output_watch;
	f->w.arg = f;
	task_watch_add(t, &f->w);
	ctx->c->defer.cancel = cmd_output_cancel;
	ctx->c->defer.arg = f;
	return (CMD_DEFER);
}

const struct cmd_entry cmd_output_entry = {
	"output", 0,
	{ { "task", ARG_INT | ARG_REQUIRED }, { "follow", ARG_BOOL },
	  { NULL, 0 } },
	cmd_output_exec
};
