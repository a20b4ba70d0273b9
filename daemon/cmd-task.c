/* SPDX-License-Identifier: ISC */
/*
 * task: one task record.
 */
#include "cmd.h"
#include "jw.h"

static enum cmd_retval
cmd_task_exec(struct cmd_ctx *ctx)
{
	struct jw	*w;

	w = cmd_answer_begin(ctx);
	jw_object_open(w);
	jw_key(w, "task");
	task_record_write(w, ctx->task);
	jw_object_close(w);
	return (cmd_answer_end(ctx, w));
}

const struct cmd_entry cmd_task_entry = {
	.name = "task",
	.target = CMD_TARGET_TASK,
	.args = { { "task", ARG_INT | ARG_REQUIRED } },
	.exec = cmd_task_exec,
};
