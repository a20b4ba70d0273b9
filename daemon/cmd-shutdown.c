/* SPDX-License-Identifier: ISC */
/*
 * shutdown: stop the daemon, gracefully or (force) at once.
 */
#include "cmd.h"
#include "log.h"

static enum cmd_retval
cmd_shutdown_exec(struct cmd_ctx *ctx)
{
	int	 force;

	force = json_is_true(json_object_get(ctx->req, "force"));
	/* The connection stays open until the "exit" line (server.c). */
	if (json_is_true(json_object_get(ctx->req, "wait")))
		ctx->c->flags |= CLIENT_EXIT;
	log_notice("shutdown%s requested by uid %u", force ? " (force)" : "",
	    (unsigned)ctx->uid);
	cmd_reply(ctx, json_object());
	schedd_shutdown(force);
	return (CMD_DONE);
}

const struct cmd_entry cmd_shutdown_entry = {
	.name = "shutdown",
	.flags = CMD_ADMIN,
	.args = { { "force", ARG_BOOL }, { "wait", ARG_BOOL } },
	.exec = cmd_shutdown_exec,
};
