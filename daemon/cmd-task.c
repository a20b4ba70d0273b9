/*
 * task: one task record.
 */
#include "cmd.h"

static enum cmd_retval
cmd_task_exec(struct cmd_ctx *ctx)
{
	struct task	*t;
	json_int_t	 id;

	id = json_integer_value(json_object_get(ctx->req, "task"));
	if ((t = task_find((uint64_t)id)) == NULL) {
		cmd_error(ctx, PROTO_NOT_FOUND, "no task %lld", (long long)id);
		return (CMD_DONE);
	}
	cmd_reply(ctx, json_pack("{s:o}", "task", task_record(t)));
	return (CMD_DONE);
}

const struct cmd_entry cmd_task_entry = {
	"task", 0,
	{ { "task", ARG_INT | ARG_REQUIRED }, { NULL, 0 } },
	cmd_task_exec
};
