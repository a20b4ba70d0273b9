/*
 * run: queue a manual task of a job.
 */
#include <stdlib.h>

#include "cmd.h"

static enum cmd_retval
cmd_run_exec(struct cmd_ctx *ctx)
{
	struct job		*j;
	struct task		*t;
	enum proto_error	 e;
	char			*cause;

	j = ctx->job;
	if ((e = admit_task(j, j->def, ctx->uid, ADMIT_ACK, &cause)) !=
	    PROTO_OK) {
		cmd_fail(ctx, e, "%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	t = queue_push(j, TRIGGER_MANUAL, ctx->uid);
	cmd_reply(ctx, json_pack("{s:I}", "task", (json_int_t)t->id));
	queue_dispatch();
	return (CMD_DONE);
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.target = CMD_TARGET_OWNED_JOB,
	.args = { { "name", ARG_STRING | ARG_REQUIRED } },
	.exec = cmd_run_exec,
};
