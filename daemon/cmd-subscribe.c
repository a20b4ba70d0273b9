/* SPDX-License-Identifier: ISC */
/*
 * subscribe: turn the connection into a stream of events.
 */
#include "cmd.h"

static enum cmd_retval
cmd_subscribe_exec(struct cmd_ctx *ctx)
{
	json_t		*list, *v, *names;
	unsigned	 mask = 0, class;
	size_t		 i;

	list = json_object_get(ctx->req, "events");
	names = json_array();
	if (list == NULL || json_array_size(list) == 0)
		mask = SUB_ALL;
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) ||
		    (class = sub_class(json_string_value(v))) == 0) {
			cmd_fail(ctx, PROTO_BAD_REQUEST, "subscribe: unknown "
			    "event %s", json_is_string(v) ?
			    json_string_value(v) : "(not a string)");
			json_decref(names);
			return (CMD_ERROR);
		}
		mask |= class;
	}
	for (class = 1; class <= SUB_ALL; class <<= 1) {
		if (mask & class)
			json_array_append_new(names,
			    json_string(sub_name(class)));
	}
	ctx->c->events = mask;
	cmd_reply(ctx, json_pack("{s:o}", "events", names));
	return (CMD_DONE);
}

const struct cmd_entry cmd_subscribe_entry = {
	.name = "subscribe",
	.args = { { "events", ARG_ARRAY } },
	.exec = cmd_subscribe_exec,
};
