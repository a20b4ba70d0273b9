/* SPDX-License-Identifier: ISC */
/*
 * pause and resume: stop or restart a job's schedule without banning it.
 * Manual runs still work while paused; resume computes the next run from
 * now, and is refused with "ended" (changing nothing) once the schedule
 * has ended.
 */
#include "cmd.h"
#include "jw.h"
#include "log.h"

static enum cmd_retval
cmd_pause_set(struct cmd_ctx *ctx, int paused)
{
	struct job	*j;
	struct jw	*w;

	j = ctx->job;
	if (!paused && j->sched_ended)
		return (cmd_fail(ctx, PROTO_ENDED, "job \"%s\": its schedule "
		    "has ended and does not fire again", j->name));
	if (j->paused != paused) {
		if (change_job_pause(j, paused) != 0)
			return (cmd_fail(ctx, PROTO_PERSIST_FAILED,
			    "job \"%s\" not %s: the state cannot be written",
			    j->name,
			    paused ? "paused" : "resumed"));
		log_notice("job %s %s by uid %u", j->name, paused ? "paused" :
		    "resumed", (unsigned)ctx->uid);
		sub_emit(paused ? SUB_JOB_PAUSED : SUB_JOB_RESUMED,
		    json_pack("{s:s}", "job", j->name));
	}
	w = cmd_answer_begin(ctx);
	jw_object_open(w);
	jw_key(w, "job");
	cmd_job_summary(w, j);
	jw_object_close(w);
	return (cmd_answer_end(ctx, w));
}

static enum cmd_retval
cmd_pause_exec(struct cmd_ctx *ctx)
{
	return (cmd_pause_set(ctx, 1));
}

static enum cmd_retval
cmd_resume_exec(struct cmd_ctx *ctx)
{
	return (cmd_pause_set(ctx, 0));
}

const struct cmd_entry cmd_pause_entry = {
	.name = "pause",
	.target = CMD_TARGET_OWNED_JOB,
	.args = { { "name", ARG_STRING | ARG_REQUIRED } },
	.exec = cmd_pause_exec,
};

const struct cmd_entry cmd_resume_entry = {
	.name = "resume",
	.target = CMD_TARGET_OWNED_JOB,
	.args = { { "name", ARG_STRING | ARG_REQUIRED } },
	.exec = cmd_resume_exec,
};
