/* SPDX-License-Identifier: ISC */
/*
 * ban, unban, bans: the ban list.  Banning cancels the queued tasks of
 * every matching job at once and, with "stop", stops running ones.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static int
cmd_ban_valid(const char *s)
{
	size_t	 i;

	if (*s == '\0' || strlen(s) > 256)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	}
	return (1);
}

static enum cmd_retval
cmd_ban_exec(struct cmd_ctx *ctx)
{
	const char	*name, *reason;
	struct ban	*b;
	json_t		*cancelled, *stopped;
	int		 stop;

	name = json_string_value(json_object_get(ctx->req, "name"));
	reason = json_string_value(json_object_get(ctx->req, "reason"));
	stop = json_is_true(json_object_get(ctx->req, "stop"));
	if (!cmd_ban_valid(name)) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "ban: \"%s\" is not a job "
		    "name or pattern", name);
		return (CMD_ERROR);
	}
	if ((b = change_ban(name, reason, ctx->uid)) == NULL)
		return (cmd_fail(ctx, PROTO_PERSIST_FAILED, "\"%s\" not "
		    "banned: the state cannot be written", name));
	log_notice("ban %s by uid %u%s%s", name, (unsigned)ctx->uid,
	    reason != NULL ? ": " : "", reason != NULL ? reason : "");
	cancelled = json_array();
	stopped = json_array();
	ban_enforce(b, stop, cancelled, stopped);
	sub_emit(SUB_JOB_BANNED, json_pack("{s:s,s:s?,s:b}", "name", b->name,
	    "reason", b->reason, "auto", 0));
	cmd_reply(ctx, json_pack("{s:o,s:o,s:o}", "ban", ban_json(b),
	    "cancelled", cancelled, "stopped", stopped));
	return (CMD_DONE);
}

static enum cmd_retval
cmd_unban_exec(struct cmd_ctx *ctx)
{
	const char	*name;
	struct ban	*b;
	json_t		*entry;

	name = json_string_value(json_object_get(ctx->req, "name"));
	if ((b = ban_find(name)) == NULL) {
		cmd_fail(ctx, PROTO_NOT_FOUND, "\"%s\" is not banned", name);
		return (CMD_ERROR);
	}
	entry = ban_json(b);
	if (change_unban(b) != 0) {
		json_decref(entry);
		return (cmd_fail(ctx, PROTO_PERSIST_FAILED, "\"%s\" not "
		    "unbanned: the state cannot be written", name));
	}
	log_notice("unban %s by uid %u", name, (unsigned)ctx->uid);
	sub_emit(SUB_JOB_UNBANNED, json_pack("{s:s}", "name", name));
	return (cmd_reply(ctx, json_pack("{s:o}", "ban", entry)));
}

static enum cmd_retval
cmd_bans_exec(struct cmd_ctx *ctx)
{
	struct ban	*b;
	json_t		*list;

	list = json_array();
	TAILQ_FOREACH(b, &sd.bans, entry)
		json_array_append_new(list, ban_json(b));
	cmd_reply(ctx, json_pack("{s:o}", "bans", list));
	return (CMD_DONE);
}

const struct cmd_entry cmd_ban_entry = {
	.name = "ban",
	.flags = CMD_ADMIN,
	.args = {
		{ "name", ARG_STRING | ARG_REQUIRED },
		{ "reason", ARG_STRING },
		{ "stop", ARG_BOOL },
	},
	.exec = cmd_ban_exec,
};

const struct cmd_entry cmd_unban_entry = {
	.name = "unban",
	.flags = CMD_ADMIN,
	.args = { { "name", ARG_STRING | ARG_REQUIRED } },
	.exec = cmd_unban_exec,
};

const struct cmd_entry cmd_bans_entry = {
	.name = "bans",
	.exec = cmd_bans_exec,
};
