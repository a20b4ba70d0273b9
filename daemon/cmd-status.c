/* SPDX-License-Identifier: ISC */
/*
 * status: the daemon summary.
 */
#include <unistd.h>

#include "cmd.h"
#include "util.h"

static enum cmd_retval
cmd_status_exec(struct cmd_ctx *ctx)
{
	json_t	*o;

	state_check();		/* a lost state folder shows at once */
	o = json_pack("{s:s,s:I,s:I,s:s?,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}",
	    "version", SCHEDD_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime_ms", (json_int_t)(time_mono_ms() - sd.started_mono_ms),
	    "config", sd.config_path,
	    "jobs", (json_int_t)sd.njobs,
	    "running", (json_int_t)sd.nrunning,
	    "queued", (json_int_t)sd.nqueued,
	    "max_running", (json_int_t)sd.settings.max_running,
	    "max_queued", (json_int_t)sd.settings.max_queued,
	    "bans", (json_int_t)sd.nbans,
	    "tasks_started", (json_int_t)sd.tasks_started,
	    "state_ok", sd.state_ok);
	json_object_set_new(o, "socket", json_string(sd.socket_path));
	json_object_set_new(o, "state_dir", json_string(sd.state_dir));
	json_object_set_new(o, "shutting_down",
	    json_boolean(sd.shutting_down));
	json_object_set_new(o, "timers", sched_stats());
	json_object_set_new(o, "state_error", sd.state_error != NULL ?
	    json_string(sd.state_error) : json_null());
	cmd_reply(ctx, o);
	return (CMD_DONE);
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.exec = cmd_status_exec,
};
