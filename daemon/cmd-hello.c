/* SPDX-License-Identifier: ISC */
/*
 * hello: version, protocol, pid, the caller's uid and whether it is admin.
 */
#include <unistd.h>

#include "cmd.h"

static enum cmd_retval
cmd_hello_exec(struct cmd_ctx *ctx)
{
	cmd_reply(ctx, json_pack("{s:s,s:i,s:I,s:I,s:b}", "version",
	    SCHEDD_VERSION, "protocol", PROTO_VERSION, "pid",
	    (json_int_t)getpid(), "uid", (json_int_t)ctx->uid, "admin",
	    ctx->admin));
	return (CMD_DONE);
}

const struct cmd_entry cmd_hello_entry = {
	.name = "hello",
	.exec = cmd_hello_exec,
};
