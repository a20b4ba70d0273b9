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

	if ((j = cmd_job_arg(ctx, 1)) == NULL)
		return (CMD_DONE);
	if ((e = admit_task(j, j->def, ctx->uid, ADMIT_ACK, &cause)) !=
	    PROTO_OK) {
		cmd_error(ctx, e, "%s", cause);
		free(cause);
		return (CMD_DONE);
	}
	t = queue_push(j, TRIGGER_MANUAL, ctx->uid);
	cmd_reply(ctx, json_pack("{s:I}", "task", (json_int_t)t->id));
	queue_dispatch();
	return (CMD_DONE);
}

const struct cmd_entry cmd_run_entry = {
	"run", 0,
	{ { "name", ARG_STRING | ARG_REQUIRED }, { NULL, 0 } },
	cmd_run_exec
};
