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
	struct ban	*b, old;
	json_t		*cancelled, *stopped;
	int		 stop, existed;

	name = json_string_value(json_object_get(ctx->req, "name"));
	reason = json_string_value(json_object_get(ctx->req, "reason"));
	stop = json_is_true(json_object_get(ctx->req, "stop"));
	if (!cmd_ban_valid(name)) {
		cmd_error(ctx, PROTO_BAD_REQUEST, "ban: \"%s\" is not a job "
		    "name or pattern", name);
		return (CMD_DONE);
	}
	if ((b = ban_find(name)) != NULL) {
		/* Only the reason, time and author change: keep the old. */
		old = *b;
		old.name = NULL;
		old.reason = b->reason != NULL ? xstrdup(b->reason) : NULL;
	}
	existed = b != NULL;
	b = ban_add(name, reason, ctx->uid, 0);
	if (state_bans() != 0) {
		if (existed) {
			free(b->reason);
			b->reason = old.reason;
			b->since = old.since;
			b->by = old.by;
			b->automatic = old.automatic;
		} else
			ban_remove(b);
		cmd_error(ctx, PROTO_PERSIST_FAILED, "\"%s\" not banned: the "
		    "state cannot be written", name);
		return (CMD_DONE);
	}
	if (existed)
		free(old.reason);
	log_info("ban %s by uid %u%s%s", name, (unsigned)ctx->uid,
	    reason != NULL ? ": " : "", reason != NULL ? reason : "");
	cancelled = json_array();
	stopped = json_array();
	ban_enforce(b, stop, cancelled, stopped);
	event_emit(EV_JOB_BANNED, json_pack("{s:s,s:s?,s:b}", "name", b->name,
	    "reason", b->reason, "auto", 0));
	cmd_reply(ctx, json_pack("{s:o,s:o,s:o}", "ban", ban_json(b),
	    "cancelled", cancelled, "stopped", stopped));
	return (CMD_DONE);
}

static enum cmd_retval
cmd_unban_exec(struct cmd_ctx *ctx)
{
	const char	*name;
	struct ban	*b, *prev;
	json_t		*entry;

	name = json_string_value(json_object_get(ctx->req, "name"));
	if ((b = ban_find(name)) == NULL) {
		cmd_error(ctx, PROTO_NOT_FOUND, "\"%s\" is not banned", name);
		return (CMD_DONE);
	}
	/* Out of the list while the new list is written; back on failure. */
	prev = TAILQ_PREV(b, ban_list, entry);
	TAILQ_REMOVE(&sd.bans, b, entry);
	if (state_bans() != 0) {
		if (prev == NULL)
			TAILQ_INSERT_HEAD(&sd.bans, b, entry);
		else
			TAILQ_INSERT_AFTER(&sd.bans, prev, b, entry);
		cmd_error(ctx, PROTO_PERSIST_FAILED, "\"%s\" not unbanned: the "
		    "state cannot be written", name);
		return (CMD_DONE);
	}
	TAILQ_INSERT_TAIL(&sd.bans, b, entry);
	entry = ban_json(b);
	log_info("unban %s by uid %u", name, (unsigned)ctx->uid);
	event_emit(EV_JOB_UNBANNED, json_pack("{s:s}", "name", b->name));
	ban_remove(b);
	cmd_reply(ctx, json_pack("{s:o}", "ban", entry));
	return (CMD_DONE);
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
	"ban", CMD_ADMIN,
	{ { "name", ARG_STRING | ARG_REQUIRED }, { "reason", ARG_STRING },
	  { "stop", ARG_BOOL }, { NULL, 0 } },
	cmd_ban_exec
};

const struct cmd_entry cmd_unban_entry = {
	"unban", CMD_ADMIN,
	{ { "name", ARG_STRING | ARG_REQUIRED }, { NULL, 0 } },
	cmd_unban_exec
};

const struct cmd_entry cmd_bans_entry = {
	"bans", 0, { { NULL, 0 } }, cmd_bans_exec
};
