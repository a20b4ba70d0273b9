/*
 * pause and resume: stop or restart a job's schedule without banning it.
 * Manual runs still work while paused; resume computes the next run from
 * now.
 */
#include "cmd.h"
#include "log.h"

static enum cmd_retval
cmd_pause_set(struct cmd_ctx *ctx, int paused)
{
	struct job	*j;

	if ((j = cmd_job_arg(ctx, 1)) == NULL)
		return (CMD_DONE);
	if (j->paused != paused) {
		j->paused = paused;
		if (state_job(j, 1) != 0) {
			j->paused = !paused;
			cmd_error(ctx, PROTO_PERSIST_FAILED, "job \"%s\" not "
			    "%s: the state cannot be written", j->name,
			    paused ? "paused" : "resumed");
			return (CMD_DONE);
		}
		log_info("job %s %s by uid %u", j->name, paused ? "paused" :
		    "resumed", (unsigned)ctx->uid);
		if (paused)
			sched_pause(j);
		else
			sched_resume(j);
	}
	cmd_reply(ctx, json_pack("{s:o}", "job", job_summary(j)));
	return (CMD_DONE);
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
	"pause", 0,
	{ { "name", ARG_STRING | ARG_REQUIRED }, { NULL, 0 } },
	cmd_pause_exec
};

const struct cmd_entry cmd_resume_entry = {
	"resume", 0,
	{ { "name", ARG_STRING | ARG_REQUIRED }, { NULL, 0 } },
	cmd_resume_exec
};
