/* SPDX-License-Identifier: ISC */
/*
 * reload: re-read the configuration file (see reload.c); with dry_run,
 * report the difference without applying it.
 */
#include <stdlib.h>

#include "cmd.h"
#include "notify.h"

static enum cmd_retval
cmd_reload_exec(struct cmd_ctx *ctx)
{
	json_t		*result, *a, *list;
	char		**errors;
	size_t		 nerrors, i;
	int		 dry_run;

	dry_run = json_is_true(json_object_get(ctx->req, "dry_run"));
	if (!dry_run)
		notify_reloading();
	if (reload_run(dry_run, &result, &errors, &nerrors) != 0) {
		if (!dry_run)
			notify_reloaded();
		list = json_array();
		for (i = 0; i < nerrors; i++)
			json_array_append_new(list, json_string(errors[i]));
		a = cmd_answer_error(ctx->id, PROTO_INVALID_CONFIG,
		    nerrors == 1 ? errors[0] : "the configuration has errors");
		json_object_set_new(json_object_get(a, "error"), "errors",
		    list);
		config_errors_free(errors, nerrors);
		return (cmd_answer(ctx, a));
	}
	if (!dry_run)
		notify_reloaded();
	cmd_reply(ctx, result);
	return (CMD_DONE);
}

const struct cmd_entry cmd_reload_entry = {
	.name = "reload",
	.flags = CMD_ADMIN,
	.args = { { "dry_run", ARG_BOOL } },
	.exec = cmd_reload_exec,
};
