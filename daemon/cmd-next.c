/* SPDX-License-Identifier: ISC */
/*
 * next: the coming run times of a job's schedule, computed by the same
 * code the timers use, so a preview is what will happen.
 */
#include <errno.h>
#include <stdlib.h>

#include "cmd.h"
#include "cron.h"
#include "util.h"
#include "xmalloc.h"

#define NEXT_DEFAULT	5
#define NEXT_MAX	1000

static enum cmd_retval
cmd_next_exec(struct cmd_ctx *ctx)
{
	struct job	*j;
	struct timespec	 now, ts;
	json_t		*cv, *times;
	const char	*from;
	int64_t		*v, start;
	time_t		 t;
	size_t		 count = NEXT_DEFAULT, n, i;

	j = ctx->job;
	if ((cv = json_object_get(ctx->req, "count")) != NULL) {
		if (json_integer_value(cv) < 1 ||
		    json_integer_value(cv) > NEXT_MAX) {
			cmd_fail(ctx, PROTO_BAD_REQUEST, "next: count must be "
			    "1 to %d", NEXT_MAX);
			return (CMD_ERROR);
		}
		count = (size_t)json_integer_value(cv);
	}
	/* Without "from": from now, as the timers stand (see sched_preview). */
	start = -1;
	from = json_string_value(json_object_get(ctx->req, "from"));
	if (from != NULL) {
		sched_real_ts(&now);
		if (at_parse(from, j->def->timezone != NULL ?
		    j->def->timezone : sd.settings.timezone, now.tv_sec,
		    &t) != 0) {
			if (errno == ERANGE)
				cmd_fail(ctx, PROTO_BAD_REQUEST, "next: "
				    "\"%s\" is out of range (%s)", from,
				    TIME_RANGE_TEXT);
			else
				cmd_fail(ctx, PROTO_BAD_REQUEST, "next: "
				    "\"%s\" is not a time", from);
			return (CMD_ERROR);
		}
		start = (int64_t)t * 1000;
	}
	v = xreallocarray(NULL, count, sizeof *v);
	if (sched_preview(j, start, count, v, &n) != 0) {
		free(v);
		cmd_fail(ctx, PROTO_INTERNAL, "job \"%s\": the schedule "
		    "cannot be evaluated", j->name);
		return (CMD_ERROR);
	}
	times = json_array();
	for (i = 0; i < n; i++) {
		ts.tv_sec = (time_t)(v[i] / 1000);
		ts.tv_nsec = (long)(v[i] % 1000) * 1000000;
		json_array_append_new(times, sjson_time(&ts));
	}
	free(v);
	cmd_reply(ctx, json_pack("{s:o}", "times", times));
	return (CMD_DONE);
}

const struct cmd_entry cmd_next_entry = {
	.name = "next",
	.target = CMD_TARGET_JOB,
	.args = {
		{ "name", ARG_STRING | ARG_REQUIRED },
		{ "count", ARG_INT },
		{ "from", ARG_STRING },
	},
	.exec = cmd_next_exec,
};
