/*
 * remove: delete a runtime job; queued tasks are cancelled, running ones
 * finish (or are stopped with "stop").
 */
#include "cmd.h"
#include "log.h"

static enum cmd_retval
cmd_remove_exec(struct cmd_ctx *ctx)
{
	struct job	*j;
	json_t		*cancelled, *stopped, *result;
	int		 stop;

	if ((j = cmd_job_arg(ctx, 1)) == NULL)
		return (CMD_DONE);
	if (j->origin == ORIGIN_CONFIG) {
		cmd_error(ctx, PROTO_CONFIG_JOB, "job \"%s\" comes from the "
		    "configuration file; remove it there and reload", j->name);
		return (CMD_DONE);
	}
	if (state_job_remove(j->name) != 0) {
		cmd_error(ctx, PROTO_PERSIST_FAILED, "job \"%s\" not removed: "
		    "the state cannot be written", j->name);
		return (CMD_DONE);
	}
	stop = json_is_true(json_object_get(ctx->req, "stop"));
	cancelled = json_array();
	stopped = json_array();
	result = json_pack("{s:s,s:o,s:o}", "removed", j->name, "stopped",
	    stopped, "cancelled", cancelled);
	log_info("job %s removed by uid %u", j->name, (unsigned)ctx->uid);
	job_remove(j, cancelled, stopped, stop);
	cmd_reply(ctx, result);
	return (CMD_DONE);
}

const struct cmd_entry cmd_remove_entry = {
	"remove", 0,
	{ { "name", ARG_STRING | ARG_REQUIRED }, { "stop", ARG_BOOL },
	  { NULL, 0 } },
	cmd_remove_exec
};
