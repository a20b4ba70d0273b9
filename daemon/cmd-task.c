/*
 * task: one task record.
 */
#include "cmd.h"

static enum cmd_retval
cmd_task_exec(struct cmd_ctx *ctx)
{
	return (cmd_reply(ctx, json_pack("{s:o}", "task",
	    task_record(ctx->task))));
}

const struct cmd_entry cmd_task_entry = {
	.name = "task",
	.target = CMD_TARGET_TASK,
	.args = { { "task", ARG_INT | ARG_REQUIRED } },
	.exec = cmd_task_exec,
};
