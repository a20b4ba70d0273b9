/* SPDX-License-Identifier: ISC */
/*
 * remove: delete a runtime job; queued tasks are cancelled, running ones
 * finish (or are stopped with "stop").
 */
#include "cmd.h"
#include "log.h"

static enum cmd_retval
cmd_remove_exec(struct cmd_ctx *ctx)
{
	struct job	*j;
	json_t		*cancelled, *stopped, *result;
	int		 stop;

	j = ctx->job;
	if (j->origin == ORIGIN_CONFIG) {
		cmd_fail(ctx, PROTO_CONFIG_JOB, "job \"%s\" comes from the "
		    "configuration file; remove it there and reload", j->name);
		return (CMD_ERROR);
	}
	stop = json_is_true(json_object_get(ctx->req, "stop"));
	cancelled = json_array();
	stopped = json_array();
	result = json_pack("{s:s,s:o,s:o}", "removed", j->name, "stopped",
	    stopped, "cancelled", cancelled);
	if (change_job_remove(j, cancelled, stopped, stop ? JOB_STOP_RUNNING :
	    JOB_KEEP_RUNNING) != 0) {
		json_decref(result);
		return (cmd_fail(ctx, PROTO_PERSIST_FAILED, "job \"%s\" not "
		    "removed: the state cannot be written", j->name));
	}
	/* j may be gone now: its name is in the answer. */
	log_notice("job %s removed by uid %u", json_string_value(
	    json_object_get(result, "removed")), (unsigned)ctx->uid);
	return (cmd_reply(ctx, result));
}

const struct cmd_entry cmd_remove_entry = {
	.name = "remove",
	.target = CMD_TARGET_OWNED_JOB,
	.args = {
		{ "name", ARG_STRING | ARG_REQUIRED },
		{ "stop", ARG_BOOL },
	},
	.exec = cmd_remove_exec,
};
