/* SPDX-License-Identifier: ISC */
/*
 * freeze, thaw: suspend a running task, or every running task of a job,
 * and let it go on again (schedd.8 CONTROL PROTOCOL).  The answer names
 * the tasks whose state changed; a task that is not running, or is
 * already frozen (thawed), is left out.
 */
#include "cmd.h"

static void		 cmd_freeze_one(struct task *, int, json_t *);
static enum cmd_retval	 cmd_freeze_set(struct cmd_ctx *, int);
static enum cmd_retval	 cmd_freeze_exec(struct cmd_ctx *);
static enum cmd_retval	 cmd_thaw_exec(struct cmd_ctx *);

/* Freeze or thaw one task; add its id if that changed it. */
static void
cmd_freeze_one(struct task *t, int frozen, json_t *changed)
{
	if (task_freeze(t, frozen) == 1)
		json_array_append_new(changed, sjson_uint(t->id));
}

/* Freeze (frozen 1) or thaw (0) the target and answer the ids changed. */
static enum cmd_retval
cmd_freeze_set(struct cmd_ctx *ctx, int frozen)
{
	struct task	*t, *next;
	json_t		*changed;

	/* Like stop, this works while the state cannot be written. */
	changed = json_array();
	if (ctx->task != NULL)
		cmd_freeze_one(ctx->task, frozen, changed);
	else {
		TAILQ_FOREACH_SAFE(t, &ctx->job->running, entry, next)
			cmd_freeze_one(t, frozen, changed);
	}
	cmd_reply(ctx, json_pack("{s:o}", frozen ? "frozen" : "thawed",
	    changed));
	return (CMD_DONE);
}

static enum cmd_retval
cmd_freeze_exec(struct cmd_ctx *ctx)
{
	return (cmd_freeze_set(ctx, 1));
}

static enum cmd_retval
cmd_thaw_exec(struct cmd_ctx *ctx)
{
	return (cmd_freeze_set(ctx, 0));
}

const struct cmd_entry cmd_freeze_entry = {
	.name = "freeze",
	.target = CMD_TARGET_TASK_OR_JOB,
	.args = {
		{ "task", ARG_INT },
		{ "name", ARG_STRING },
	},
	.exec = cmd_freeze_exec,
};

const struct cmd_entry cmd_thaw_entry = {
	.name = "thaw",
	.target = CMD_TARGET_TASK_OR_JOB,
	.args = {
		{ "task", ARG_INT },
		{ "name", ARG_STRING },
	},
	.exec = cmd_thaw_exec,
};
