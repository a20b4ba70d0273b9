/*
 * add: create (or with replace, redefine) a runtime job; a job without a
 * schedule also queues one ad-hoc task at once.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "xmalloc.h"

/* Would queueing one task for this definition exceed a limit? */
static int
cmd_add_full(struct cmd_ctx *ctx, struct job *j, const struct jobdef *def)
{
	int64_t	 limit;

	limit = def->queue_limit >= 0 ? def->queue_limit :
	    (int64_t)sd.settings.queue_limit;
	if ((j != NULL ? (int64_t)j->nqueued : 0) >= limit) {
		cmd_error(ctx, PROTO_QUEUE_FULL, "job \"%s\": queue_limit %lld "
		    "reached", def->name, (long long)limit);
		return (1);
	}
	if (sd.nqueued >= sd.settings.max_queued) {
		cmd_error(ctx, PROTO_QUEUE_FULL, "%u tasks queued in all "
		    "(max_queued)", sd.nqueued);
		return (1);
	}
	return (0);
}

static enum cmd_retval
cmd_add_exec(struct cmd_ctx *ctx)
{
	struct jobdef	*def;
	struct job	*j;
	struct task	*t = NULL;
	struct ban	*b;
	char		*cause;
	int		 replace, adhoc;

	replace = json_is_true(json_object_get(ctx->req, "replace"));
	if (jobdef_from_json(json_object_get(ctx->req, "job"), &def,
	    &cause) != 0) {
		cmd_error(ctx, PROTO_BAD_REQUEST, "%s", cause);
		free(cause);
		return (CMD_DONE);
	}
	if (!ctx->admin && (def->user != NULL || def->group != NULL)) {
		cmd_error(ctx, PROTO_PERMISSION_DENIED, "only an administrator "
		    "may set \"user\" or \"group\"; your tasks run as you");
		goto fail;
	}
	if (ctx->uid != sd.uid && !sd.is_root) {
		cmd_error(ctx, PROTO_PERMISSION_DENIED, "schedd runs as uid %u "
		    "and cannot run tasks as uid %u", (unsigned)sd.uid,
		    (unsigned)ctx->uid);
		goto fail;
	}
	if ((b = ban_match(def->name)) != NULL) {
		cmd_error(ctx, PROTO_BANNED, "job \"%s\" is banned (%s%s%s)",
		    def->name, b->name, b->reason != NULL ? ": " : "",
		    b->reason != NULL ? b->reason : "");
		goto fail;
	}
	if (sd.shutting_down) {
		cmd_error(ctx, PROTO_BUSY, "schedd is shutting down");
		goto fail;
	}
	if ((j = job_find(def->name)) != NULL) {
		if (!replace) {
			cmd_error(ctx, PROTO_EXISTS, "job \"%s\" exists (use "
			    "replace to redefine it)", def->name);
			goto fail;
		}
		if (j->origin == ORIGIN_CONFIG) {
			cmd_error(ctx, PROTO_CONFIG_JOB, "job \"%s\" comes from "
			    "the configuration file", def->name);
			goto fail;
		}
		if (!auth_may_job(ctx->uid, ctx->admin, j)) {
			cmd_error(ctx, PROTO_PERMISSION_DENIED, "job \"%s\" "
			    "belongs to uid %u", j->name, (unsigned)j->uid);
			goto fail;
		}
	}
	adhoc = !jobdef_has_schedule(def);
	if (adhoc && cmd_add_full(ctx, j, def))
		goto fail;
	if (state_job_def(def, ctx->uid, !def->enabled) != 0) {
		cmd_error(ctx, PROTO_PERSIST_FAILED, "job \"%s\" not added: "
		    "the state cannot be written", def->name);
		goto fail;
	}

	if (j != NULL) {
		j->uid = ctx->uid;
		job_set_def(j, def, 1);
	} else
		j = job_create(def, ORIGIN_RUNTIME, ctx->uid);
	log_info("job %s %s by uid %u", j->name, replace ? "replaced" :
	    "added", (unsigned)ctx->uid);
	event_emit(EV_JOB_ADDED, json_pack("{s:s}", "job", j->name));
	if (adhoc)
		t = queue_push(j, TRIGGER_ADD, ctx->uid);
	cmd_reply(ctx, json_pack("{s:s,s:o}", "job", j->name, "task",
	    t != NULL ? json_uint(t->id) : json_null()));
	queue_dispatch();
	return (CMD_DONE);
fail:
	jobdef_unref(def);
	return (CMD_DONE);
}

const struct cmd_entry cmd_add_entry = {
	"add", 0,
	{ { "job", ARG_OBJECT | ARG_REQUIRED }, { "replace", ARG_BOOL },
	  { NULL, 0 } },
	cmd_add_exec
};
