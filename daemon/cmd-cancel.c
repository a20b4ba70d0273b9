/* SPDX-License-Identifier: ISC */
/*
 * cancel: take a queued task, or every queued task of a job, off its queue.
 */
#include "cmd.h"

static enum cmd_retval
cmd_cancel_exec(struct cmd_ctx *ctx)
{
	struct task	*t;
	struct job	*j;
	json_t		*cancelled;

	t = ctx->task;
	j = ctx->job;
	if (!sd.state_ok)
		return (cmd_fail(ctx, PROTO_PERSIST_FAILED, "the state cannot "
		    "be written at the moment; nothing was changed"));
	cancelled = json_array();
	if (t != NULL) {
		if (t->state == TASK_QUEUED) {
			json_array_append_new(cancelled, sjson_uint(t->id));
			task_cancel(t, NULL);
		}
	} else {
		while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
			json_array_append_new(cancelled, sjson_uint(t->id));
			task_cancel(t, NULL);
		}
	}
	cmd_reply(ctx, json_pack("{s:o}", "cancelled", cancelled));
	return (CMD_DONE);
}

const struct cmd_entry cmd_cancel_entry = {
	.name = "cancel",
	.target = CMD_TARGET_TASK_OR_JOB,
	.args = {
		{ "task", ARG_INT },
		{ "name", ARG_STRING },
	},
	.exec = cmd_cancel_exec,
};
