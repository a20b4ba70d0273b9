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

	if (cmd_task_or_name(ctx, &t, &j) != 0)
		return (CMD_DONE);
	if (cmd_state_check(ctx) != 0)
		return (CMD_DONE);
	cancelled = json_array();
	if (t != NULL) {
		if (t->state == TASK_QUEUED) {
			json_array_append_new(cancelled, json_uint(t->id));
			task_cancel(t, NULL);
		}
	} else {
		while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
			json_array_append_new(cancelled, json_uint(t->id));
			task_cancel(t, NULL);
		}
	}
	cmd_reply(ctx, json_pack("{s:o}", "cancelled", cancelled));
	return (CMD_DONE);
}

const struct cmd_entry cmd_cancel_entry = {
	"cancel", 0,
	{ { "task", ARG_INT }, { "name", ARG_STRING }, { NULL, 0 } },
	cmd_cancel_exec
};
