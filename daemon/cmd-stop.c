/* SPDX-License-Identifier: ISC */
/*
 * stop: stop a running task, or every running task of a job, with the
 * kill sequence (or the given signal first).
 */
#include "cmd.h"
#include "util.h"

static enum cmd_retval
cmd_stop_exec(struct cmd_ctx *ctx)
{
	struct task	*t, *next;
	struct job	*j;
	json_t		*sv, *stopped;
	int		 sig = 0;

	sv = json_object_get(ctx->req, "signal");
	if (sv != NULL && json_is_string(sv))
		sig = signal_parse(json_string_value(sv));
	else if (sv != NULL && json_is_integer(sv))
		sig = json_integer_value(sv) > 0 && json_integer_value(sv) <
		    65 ? (int)json_integer_value(sv) : -1;
	if (sig == -1) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "stop: unknown signal");
		return (CMD_ERROR);
	}
	/*
	 * Stopping works even while the state cannot be written: a runaway
	 * task on a full disk must still be stoppable.
	 */
	t = ctx->task;
	j = ctx->job;
	stopped = json_array();
	if (t != NULL) {
		if (task_stop(t, sig, STOP_USER) == 0)
			json_array_append_new(stopped, sjson_uint(t->id));
	} else {
		TAILQ_FOREACH_SAFE(t, &j->running, entry, next) {
			if (task_stop(t, sig, STOP_USER) == 0)
				json_array_append_new(stopped,
				    sjson_uint(t->id));
		}
	}
	cmd_reply(ctx, json_pack("{s:o}", "stopped", stopped));
	return (CMD_DONE);
}

const struct cmd_entry cmd_stop_entry = {
	.name = "stop",
	.target = CMD_TARGET_TASK_OR_JOB,
	.args = {
		{ "task", ARG_INT },
		{ "name", ARG_STRING },
		{ "signal", ARG_STRING | ARG_INT },
	},
	.exec = cmd_stop_exec,
};
