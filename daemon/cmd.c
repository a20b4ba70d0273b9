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
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* Sorted by name. */
static const struct cmd_entry *cmd_table[] = {
	&cmd_add_entry,
	&cmd_ban_entry,
	&cmd_bans_entry,
	&cmd_cancel_entry,
	&cmd_get_entry,
	&cmd_hello_entry,
	&cmd_history_entry,
	&cmd_job_entry,
	&cmd_jobs_entry,
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
	&cmd_unban_entry,
	&cmd_wait_entry,
};

static const char	*cmd_type_name(int);
static int		 cmd_type_ok(json_t *, int);

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
		if (strcmp(key, "cmd") == 0 || strcmp(key, "id") == 0)
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

	msg = json_text(message, strlen(message));
	return (json_pack("{s:O?,s:b,s:{s:s,s:o}}", "id", id, "ok", 0,
	    "error", "code", proto_error_name(code), "message", msg));
}

void
cmd_reply(struct cmd_ctx *ctx, json_t *result)
{
	json_t	*a;

	a = cmd_answer_ok(ctx->id, result);
	client_send(ctx->c, a);
	json_decref(a);
}

void
cmd_error(struct cmd_ctx *ctx, enum proto_error code, const char *fmt, ...)
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
	client_send(ctx->c, a);
	json_decref(a);
	free(msg);
}

/* Decode, check and run one request line from a client. */
void
cmd_handle(struct client *c, const char *line, size_t len)
{
	const struct cmd_entry	*ce;
	struct cmd_ctx		 ctx;
	json_t			*req, *a;
	char			*cause = NULL;
	const char		*name;
	enum proto_error	 e;

	memset(&ctx, 0, sizeof ctx);
	ctx.c = c;
	ctx.uid = c->uid;
	ctx.admin = c->admin;
	if (cmd_decode(line, len, &req, &cause) != 0) {
		ctx.id = req != NULL ? json_object_get(req, "id") : NULL;
		a = cmd_answer_error(ctx.id, PROTO_BAD_REQUEST, cause);
		client_send(c, a);
		json_decref(a);
		json_decref(req);
		free(cause);
		return;
	}
	ctx.req = req;
	ctx.id = json_object_get(req, "id");
	name = json_string_value(json_object_get(req, "cmd"));
	if ((ce = cmd_find(name)) == NULL) {
		cmd_error(&ctx, PROTO_UNKNOWN_COMMAND, "unknown command \"%s\"",
		    name);
		json_decref(req);
		return;
	}
	if ((e = cmd_check(ce, req, c->admin, &cause)) != PROTO_OK) {
		cmd_error(&ctx, e, "%s", cause);
		free(cause);
		json_decref(req);
		return;
	}
	log_debug("client uid %u: %s", (unsigned)c->uid, ce->name);
	ce->exec(&ctx);
	json_decref(req);
}

/*
 * Resolve the "task" or "name" argument (exactly one), with permission.
 * Returns 0 with *t or *j set, or -1 after answering an error.
 */
int
cmd_task_or_name(struct cmd_ctx *ctx, struct task **t, struct job **j)
{
	json_t	*tv = json_object_get(ctx->req, "task");
	json_t	*nv = json_object_get(ctx->req, "name");

	*t = NULL;
	*j = NULL;
	if ((tv == NULL) == (nv == NULL)) {
		cmd_error(ctx, PROTO_BAD_REQUEST,
		    "give exactly one of \"task\" and \"name\"");
		return (-1);
	}
	if (tv != NULL) {
		if ((*t = task_find(json_integer_value(tv))) == NULL) {
			cmd_error(ctx, PROTO_NOT_FOUND, "no task %lld",
			    (long long)json_integer_value(tv));
			return (-1);
		}
		if (!auth_may_task(ctx->uid, ctx->admin, *t)) {
			cmd_error(ctx, PROTO_PERMISSION_DENIED,
			    "task %llu was not submitted by you",
			    (unsigned long long)(*t)->id);
			return (-1);
		}
		return (0);
	}
	if ((*j = cmd_job_arg(ctx, 1)) == NULL)
		return (-1);
	return (0);
}

/*
 * The job named by the "name" argument, checking that the client may act
 * on it when act is set.  Answers an error and returns NULL otherwise.
 */
struct job *
cmd_job_arg(struct cmd_ctx *ctx, int act)
{
	const char	*name;
	struct job	*j;

	name = json_string_value(json_object_get(ctx->req, "name"));
	if (name == NULL || (j = job_find(name)) == NULL) {
		cmd_error(ctx, PROTO_NOT_FOUND, "no job \"%s\"",
		    name != NULL ? name : "");
		return (NULL);
	}
	if (act && !auth_may_job(ctx->uid, ctx->admin, j)) {
		cmd_error(ctx, PROTO_PERMISSION_DENIED,
		    "job \"%s\" belongs to uid %u", j->name, (unsigned)j->uid);
		return (NULL);
	}
	return (j);
}

/*
 * Refuse a change while the state cannot be written: nothing is applied
 * that could not be kept.  Answers persist_failed and returns -1.
 */
int
cmd_state_check(struct cmd_ctx *ctx)
{
	if (sd.state_ok)
		return (0);
	cmd_error(ctx, PROTO_PERSIST_FAILED, "the state cannot be written "
	    "at the moment; nothing was changed");
	return (-1);
}
