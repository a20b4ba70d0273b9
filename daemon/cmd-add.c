/* SPDX-License-Identifier: ISC */
/*
 * add: create (or with replace, redefine) a runtime job; a job without a
 * schedule also queues one ad-hoc task at once, unless "run" is false
 * (schedd.8 CONTROL PROTOCOL).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "xmalloc.h"

static enum cmd_retval
cmd_add_exec(struct cmd_ctx *ctx)
{
	struct jobdef		*def;
	struct job		*j;
	struct task		*t = NULL;
	struct task_params	 p;
	json_t			*after;
	enum proto_error	 e;
	char			*cause;
	int			 replace, adhoc, run, existed;

	replace = json_is_true(json_object_get(ctx->req, "replace"));
	run = !json_is_false(json_object_get(ctx->req, "run"));
	if (jobdef_from_json(json_object_get(ctx->req, "job"), &def,
	    &cause) != 0) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	memset(&p, 0, sizeof p);
	if ((j = job_find(def->name)) != NULL) {
		if (!replace) {
			cmd_fail(ctx, PROTO_EXISTS, "job \"%s\" exists (use "
			    "replace to redefine it)", def->name);
			goto fail;
		}
		if (j->origin == ORIGIN_CONFIG) {
			cmd_fail(ctx, PROTO_CONFIG_JOB, "job \"%s\" comes from "
			    "the configuration file", def->name);
			goto fail;
		}
		if (!auth_may_job(ctx->uid, ctx->admin, j)) {
			cmd_fail(ctx, PROTO_PERMISSION_DENIED, "job \"%s\" "
			    "belongs to uid %u", j->name, (unsigned)j->uid);
			goto fail;
		}
	}
	if ((e = admit_job(j, def, ctx->uid, ctx->admin, &cause)) !=
	    PROTO_OK) {
		cmd_fail(ctx, e, "%s", cause);
		free(cause);
		goto fail;
	}
	/*
	 * The ad-hoc task of a job without a schedule is admitted with the
	 * job, by the same rules as "run"; a job with a schedule, or one
	 * defined without running, is refused while banned or shutting down
	 * as well.
	 */
	adhoc = run && !jobdef_has_schedule(def);
	if ((after = json_object_get(ctx->req, "after")) != NULL) {
		if (!adhoc) {
			cmd_fail(ctx, PROTO_BAD_REQUEST, "after: only for a "
			    "job that runs at once (no schedule, not no-run)");
			goto fail;
		}
		if ((e = dep_check(after, ctx->uid, ctx->admin, &p,
		    &cause)) != PROTO_OK) {
			cmd_fail(ctx, e, "%s", cause);
			free(cause);
			goto fail;
		}
	}
	e = admit_task(adhoc ? j : NULL, def, ctx->uid, ADMIT_ACK, &cause);
	if (e != PROTO_OK && (adhoc || e == PROTO_BANNED || e == PROTO_BUSY ||
	    e == PROTO_PERSIST_FAILED)) {
		cmd_fail(ctx, e, "%s", cause);
		free(cause);
		goto fail;
	}
	if (e != PROTO_OK)
		free(cause);
	existed = j != NULL;
	if ((j = change_job_define(j, def, ctx->uid)) == NULL) {
		cmd_fail(ctx, PROTO_PERSIST_FAILED, "job \"%s\" not added: "
		    "the state cannot be written", def->name);
		goto fail;
	}
	log_notice("job %s %s by uid %u", j->name, existed ? "replaced" :
	    "added", (unsigned)ctx->uid);
	sub_emit(existed ? SUB_JOB_CHANGED : SUB_JOB_ADDED,
	    json_pack("{s:s}", "job", j->name));
	if (adhoc)
		t = queue_push_params(j, TRIGGER_ADD, ctx->uid, &p);
	cmd_reply(ctx, json_pack("{s:s,s:o}", "job", j->name, "task",
	    t != NULL ? sjson_uint(t->id) : json_null()));
	queue_dispatch();
	return (CMD_DONE);
fail:
	task_params_free(&p);
	jobdef_unref(def);
	return (CMD_ERROR);
}

const struct cmd_entry cmd_add_entry = {
	.name = "add",
	.args = {
		{ "job", ARG_OBJECT | ARG_REQUIRED },
		{ "replace", ARG_BOOL },
		{ "run", ARG_BOOL },
		{ "after", ARG_ARRAY },
	},
	.exec = cmd_add_exec,
};
