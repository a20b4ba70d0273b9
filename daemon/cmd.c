/* SPDX-License-Identifier: ISC */
/*
 * Request decoding, the command table, argument and permission checks,
 * and answers.  Handlers in cmd-VERB.c run only after cmd_check passed.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jw.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* Sorted by name. */
static const struct cmd_entry *cmd_table[] = {
	&cmd_add_entry,
	&cmd_ban_entry,
	&cmd_bans_entry,
	&cmd_cancel_entry,
	&cmd_freeze_entry,
	&cmd_get_entry,
	&cmd_hello_entry,
	&cmd_history_entry,
	&cmd_job_entry,
	&cmd_jobs_entry,
	&cmd_metrics_entry,
	&cmd_next_entry,
	&cmd_output_entry,
	&cmd_pause_entry,
	&cmd_reload_entry,
	&cmd_remove_entry,
	&cmd_resume_entry,
	&cmd_run_entry,
	&cmd_set_entry,
	&cmd_shutdown_entry,
	&cmd_status_entry,
	&cmd_stop_entry,
	&cmd_subscribe_entry,
	&cmd_task_entry,
	&cmd_thaw_entry,
	&cmd_unban_entry,
	&cmd_wait_entry,
};

static const char	*cmd_type_name(int);
static int		 cmd_type_ok(json_t *, int);
static void		 cmd_answer_head(json_t *, struct jw *);
static int		 cmd_list_fill(struct jw *, void *);
static void		 cmd_list_free(void *);

/* A listing answered a part at a time (cmd_reply_list). */
struct cmd_list {
	int	(*fill)(struct jw *, void *);
	void	(*free)(void *);
	void	*arg;
};

/* The writer of answers sent whole; its memory is kept for the next. */
static struct jw	 cmd_writer;

/* Look a command up by name. */
const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return (cmd_table[i]);
	}
	return (NULL);
}

/*
 * Decode one request line: exactly one JSON object, valid UTF-8, no
 * duplicate keys, with a string "cmd".  On failure *req is NULL and a
 * caller-freed *cause explains.  The "id", if the object parsed, is left
 * in *req even on failure so the error can echo it.
 */
int
cmd_decode(const char *line, size_t len, json_t **req, char **cause)
{
	json_error_t	 err;
	json_t		*obj, *cmd;

	*req = NULL;
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &err);
	if (obj == NULL) {
		xasprintf(cause, "invalid JSON at column %d: %s", err.column,
		    err.text);
		return (-1);
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		*cause = xstrdup("request must be a JSON object");
		return (-1);
	}
	*req = obj;
	cmd = json_object_get(obj, "cmd");
	if (cmd == NULL) {
		*cause = xstrdup("missing \"cmd\"");
		return (-1);
	}
	if (!json_is_string(cmd)) {
		*cause = xstrdup("\"cmd\" must be a string");
		return (-1);
	}
	return (0);
}

static const char *
cmd_type_name(int flags)
{
	if (flags & ARG_OBJECT)
		return ("an object");
	if ((flags & (ARG_INT | ARG_ARRAY)) == (ARG_INT | ARG_ARRAY))
		return ("an integer or a list of integers");
	if ((flags & (ARG_INT | ARG_STRING)) == (ARG_INT | ARG_STRING))
		return ("an integer or a string");
	if ((flags & (ARG_NUMBER | ARG_STRING)) == (ARG_NUMBER | ARG_STRING))
		return ("a number or a string");
	if (flags & ARG_ARRAY)
		return ("a list");
	if (flags & ARG_STRING)
		return ("a string");
	if (flags & ARG_INT)
		return ("an integer");
	if (flags & ARG_NUMBER)
		return ("a number");
	if (flags & ARG_BOOL)
		return ("true or false");
	return ("?");
}

static int
cmd_type_ok(json_t *v, int flags)
{
	if ((flags & ARG_STRING) && json_is_string(v))
		return (1);
	if ((flags & ARG_INT) && json_is_integer(v))
		return (1);
	if ((flags & ARG_NUMBER) && json_is_number(v))
		return (1);
	if ((flags & ARG_BOOL) && json_is_boolean(v))
		return (1);
	if ((flags & ARG_OBJECT) && json_is_object(v))
		return (1);
	if ((flags & ARG_ARRAY) && json_is_array(v))
		return (1);
	return (0);
}

/*
 * Check a decoded request against its table entry: permission first, then
 * unknown arguments, missing and mistyped ones.
 */
enum proto_error
cmd_check(const struct cmd_entry *ce, json_t *req, int admin, char **cause)
{
	const struct cmd_arg	*a;
	const char		*key;
	json_t			*v;
	int			 i;

	if ((ce->flags & CMD_ADMIN) && !admin) {
		xasprintf(cause, "%s: only an administrator may do this",
		    ce->name);
		return (PROTO_PERMISSION_DENIED);
	}
	json_object_foreach(req, key, v) {
		if (strcmp(key, "cmd") == 0 || strcmp(key, "id") == 0 ||
		    strcmp(key, "protocol") == 0)
			continue;
		for (i = 0; i < CMD_MAX_ARGS && ce->args[i].name != NULL; i++) {
			if (strcmp(ce->args[i].name, key) == 0)
				break;
		}
		if (i == CMD_MAX_ARGS || ce->args[i].name == NULL) {
			xasprintf(cause, "%s: unknown argument \"%s\"",
			    ce->name, key);
			return (PROTO_BAD_REQUEST);
		}
	}
	for (i = 0; i < CMD_MAX_ARGS && ce->args[i].name != NULL; i++) {
		a = &ce->args[i];
		v = json_object_get(req, a->name);
		if (v == NULL || json_is_null(v)) {
			if (a->flags & ARG_REQUIRED) {
				xasprintf(cause, "%s: missing argument \"%s\"",
				    ce->name, a->name);
				return (PROTO_BAD_REQUEST);
			}
			continue;
		}
		if (!cmd_type_ok(v, a->flags)) {
			xasprintf(cause, "%s: \"%s\" must be %s", ce->name,
			    a->name, cmd_type_name(a->flags));
			return (PROTO_BAD_REQUEST);
		}
	}
	return (PROTO_OK);
}

/* Build {"id", "ok": true, "result"}; steals result. */
json_t *
cmd_answer_ok(json_t *id, json_t *result)
{
	return (json_pack("{s:O?,s:b,s:o}", "id", id, "ok", 1, "result",
	    result != NULL ? result : json_object()));
}

/* Build {"id", "ok": false, "error": {"code", "message"}}. */
json_t *
cmd_answer_error(json_t *id, enum proto_error code, const char *message)
{
	json_t	*msg;

	msg = sjson_text(message, strlen(message));
	return (json_pack("{s:O?,s:b,s:{s:s,s:o}}", "id", id, "ok", 0,
	    "error", "code", proto_error_name(code), "message", msg));
}

/* Answer the request with a result (steals it). */
enum cmd_retval
cmd_reply(struct cmd_ctx *ctx, json_t *result)
{
	return (cmd_answer(ctx, cmd_answer_ok(ctx->id, result)));
}

/* Send a whole answer object (steals it): for answers of their own shape. */
enum cmd_retval
cmd_answer(struct cmd_ctx *ctx, json_t *a)
{
	int	 ok = json_is_true(json_object_get(a, "ok"));

	client_send(ctx->c, a);
	json_decref(a);
	ctx->answered = 1;
	return (ok ? CMD_DONE : CMD_ERROR);
}

/* Answer the request with an error. */
enum cmd_retval
cmd_fail(struct cmd_ctx *ctx, enum proto_error code, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	json_t	*a;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	log_debug("client uid %u: %s: %s", (unsigned)ctx->uid,
	    proto_error_name(code), msg);
	a = cmd_answer_error(ctx->id, code, msg);
	free(msg);
	return (cmd_answer(ctx, a));
}

/*
 * Answer later: the client waits (its next requests are not read) until
 * the handler's callback answers and calls client_undefer; cancel runs if
 * the client goes first.
 */
enum cmd_retval
cmd_defer(struct cmd_ctx *ctx, void (*cancel)(struct client *, void *),
    void *arg)
{
	ctx->defer.cancel = cancel;
	ctx->defer.arg = arg;
	return (CMD_DEFER);
}

/* {"id":ID,"ok":true,"result": -- as cmd_answer_ok, the result to come. */
static void
cmd_answer_head(json_t *id, struct jw *w)
{
	jw_object_open(w);
	jw_key(w, "id");
	sjson_write(w, id);
	jw_kbool(w, "ok", 1);
	jw_key(w, "result");
}

/*
 * Start an answer written directly (jw.h) to the request of that id: the
 * caller writes the result into the writer returned, then
 * cmd_answer_finish ends the line.  The writer is the same for every
 * answer: the line is sent before the next is started.
 */
struct jw *
cmd_answer_start(json_t *id)
{
	jw_clear(&cmd_writer);
	cmd_answer_head(id, &cmd_writer);
	return (&cmd_writer);
}

void
cmd_answer_finish(struct jw *w)
{
	jw_object_close(w);
	jw_append(w, "\n", 1);
}

/* cmd_answer_start for the request being handled. */
struct jw *
cmd_answer_begin(struct cmd_ctx *ctx)
{
	return (cmd_answer_start(ctx->id));
}

/* Send the answer of cmd_answer_begin, its result written. */
enum cmd_retval
cmd_answer_end(struct cmd_ctx *ctx, struct jw *w)
{
	cmd_answer_finish(w);
	client_send_raw(ctx->c, w->buf, w->len);
	ctx->answered = 1;
	return (CMD_DONE);
}

/*
 * Answer with the result {key: [...]}, the list written by fill a part
 * (about CMD_LIST_PART bytes) a call until it returns 1 after the last
 * entry; then, or if the client goes first, free(arg).  A long list goes
 * out as the client reads it (client_stream): between two calls of fill
 * the loop turns, so fill finds its entries again by name or id, never by
 * a pointer kept from the call before.
 */
enum cmd_retval
cmd_reply_list(struct cmd_ctx *ctx, const char *key,
    int (*fill)(struct jw *, void *), void (*freefn)(void *), void *arg)
{
	struct cmd_list	*l;
	struct jw	 w;

	l = xmalloc(sizeof *l);
	l->fill = fill;
	l->free = freefn;
	l->arg = arg;
	jw_init(&w);
	cmd_answer_head(ctx->id, &w);
	jw_object_open(&w);
	jw_key(&w, key);
	jw_array_open(&w);
	if (client_stream(ctx->c, &w, cmd_list_fill, cmd_list_free, l)) {
		ctx->answered = 1;
		return (CMD_DONE);
	}
	return (cmd_defer(ctx, client_stream_cancel, NULL));
}

static int
cmd_list_fill(struct jw *w, void *arg)
{
	struct cmd_list	*l = arg;

	if (!l->fill(w, l->arg))
		return (0);
	jw_array_close(w);
	jw_object_close(w);
	jw_object_close(w);
	jw_append(w, "\n", 1);
	return (1);
}

static void
cmd_list_free(void *arg)
{
	struct cmd_list	*l = arg;

	l->free(l->arg);
	free(l);
}

/* The job named by "name", or NULL after answering not_found. */
static struct job *
cmd_target_job(struct cmd_ctx *ctx)
{
	const char	*name;
	struct job	*j;

	name = json_string_value(json_object_get(ctx->req, "name"));
	if (name == NULL || (j = job_find(name)) == NULL) {
		cmd_fail(ctx, PROTO_NOT_FOUND, "no job \"%s\"",
		    name != NULL ? name : "");
		return (NULL);
	}
	return (j);
}

/* The task named by "task", or NULL after answering not_found. */
static struct task *
cmd_target_task(struct cmd_ctx *ctx)
{
	struct task	*t;
	json_int_t	 id;

	id = json_integer_value(json_object_get(ctx->req, "task"));
	if ((t = task_find((uint64_t)id)) == NULL) {
		cmd_fail(ctx, PROTO_NOT_FOUND, "no task %lld", (long long)id);
		return (NULL);
	}
	return (t);
}

/*
 * Find and authorise the command's target into ctx.  -1 after answering
 * an error.
 */
static int
cmd_target(struct cmd_ctx *ctx, enum cmd_target target)
{
	int	 has_task, has_name;

	if (target == CMD_TARGET_TASK_OR_JOB) {
		has_task = json_object_get(ctx->req, "task") != NULL;
		has_name = json_object_get(ctx->req, "name") != NULL;
		if (has_task == has_name) {
			cmd_fail(ctx, PROTO_BAD_REQUEST,
			    "give exactly one of \"task\" and \"name\"");
			return (-1);
		}
		target = has_task ? CMD_TARGET_OWNED_TASK :
		    CMD_TARGET_OWNED_JOB;
	}
	switch (target) {
	case CMD_TARGET_NONE:
	case CMD_TARGET_TASK_OR_JOB:
		return (0);
	case CMD_TARGET_JOB:
	case CMD_TARGET_OWNED_JOB:
		if ((ctx->job = cmd_target_job(ctx)) == NULL)
			return (-1);
		if (target == CMD_TARGET_OWNED_JOB &&
		    !auth_may_job(ctx->uid, ctx->admin, ctx->job)) {
			cmd_fail(ctx, PROTO_PERMISSION_DENIED, "job \"%s\" "
			    "belongs to uid %u", ctx->job->name,
			    (unsigned)ctx->job->uid);
			return (-1);
		}
		return (0);
	case CMD_TARGET_TASK:
	case CMD_TARGET_OWNED_TASK:
		if ((ctx->task = cmd_target_task(ctx)) == NULL)
			return (-1);
		if (target == CMD_TARGET_OWNED_TASK &&
		    !auth_may_task(ctx->uid, ctx->admin, ctx->task)) {
			cmd_fail(ctx, PROTO_PERMISSION_DENIED, "task %llu was "
			    "not submitted by you",
			    (unsigned long long)ctx->task->id);
			return (-1);
		}
		return (0);
	}
	return (0);
}

/*
 * A request may say which protocol version it speaks ("protocol"); one
 * the daemon does not speak is refused with protocol_mismatch.
 */
static int
cmd_protocol_ok(struct cmd_ctx *ctx)
{
	json_t	*v = json_object_get(ctx->req, "protocol");

	if (v == NULL || (json_is_integer(v) &&
	    json_integer_value(v) == PROTO_VERSION))
		return (1);
	if (json_is_integer(v))
		cmd_fail(ctx, PROTO_PROTOCOL_MISMATCH, "schedd speaks protocol "
		    "%d, the request protocol %lld", PROTO_VERSION,
		    (long long)json_integer_value(v));
	else
		cmd_fail(ctx, PROTO_PROTOCOL_MISMATCH, "schedd speaks protocol "
		    "%d; \"protocol\" must be that number", PROTO_VERSION);
	return (0);
}

/* Decode, check and run one request line from a client. */
void
cmd_handle(struct client *c, const char *line, size_t len)
{
	const struct cmd_entry	*ce;
	struct cmd_ctx		 ctx;
	json_t			*req;
	char			*cause = NULL;
	const char		*name;
	enum proto_error	 e;
	uint64_t		 acks;

	memset(&ctx, 0, sizeof ctx);
	ctx.c = c;
	ctx.uid = c->uid;
	ctx.admin = (c->flags & CLIENT_ADMIN) != 0;
	if (cmd_decode(line, len, &req, &cause) != 0) {
		ctx.id = req != NULL ? json_object_get(req, "id") : NULL;
		cmd_answer(&ctx, cmd_answer_error(ctx.id, PROTO_BAD_REQUEST,
		    cause));
		json_decref(req);
		free(cause);
		return;
	}
	ctx.req = req;
	ctx.id = json_object_get(req, "id");
	if (!cmd_protocol_ok(&ctx)) {
		json_decref(req);
		return;
	}
	name = json_string_value(json_object_get(req, "cmd"));
	if ((ce = cmd_find(name)) == NULL) {
		cmd_fail(&ctx, PROTO_UNKNOWN_COMMAND, "unknown command \"%s\"",
		    name);
		json_decref(req);
		return;
	}
	if ((e = cmd_check(ce, req, ctx.admin, &cause)) != PROTO_OK) {
		cmd_fail(&ctx, e, "%s", cause);
		free(cause);
		json_decref(req);
		return;
	}
	if (cmd_target(&ctx, ce->target) != 0) {
		json_decref(req);
		return;
	}
	log_debug("client uid %u: %s", (unsigned)c->uid, ce->name);
	acks = state_ack_count();
	switch (ce->exec(&ctx)) {
	case CMD_DEFER:
		c->defer = ctx.defer;
		break;
	case CMD_DONE:
	case CMD_ERROR:
		if (!ctx.answered) {
			log_errorx("%s: the handler answered nothing",
			    ce->name);
			cmd_fail(&ctx, PROTO_INTERNAL, "%s: no answer",
			    ce->name);
		}
		/* An acknowledged change answers once it is on disk. */
		if (state_ack_count() != acks)
			client_hold(c, state_ack_group());
		break;
	}
	json_decref(req);
}
