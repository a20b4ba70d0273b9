/*
 * history: task records, newest first, filtered by job, state and id.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"

#define HISTORY_DEFAULT_LIMIT	20

static int
cmd_history_cmp(const void *a, const void *b)
{
	const struct task	*ta = *(struct task *const *)a;
	const struct task	*tb = *(struct task *const *)b;

	return (ta->id < tb->id ? 1 : ta->id > tb->id ? -1 : 0);
}

static enum cmd_retval
cmd_history_exec(struct cmd_ctx *ctx)
{
	struct hmap_iter	 it;
	struct task		*t, **v;
	const char		*state_name, *name;
	json_t			*list, *lv, *bv;
	json_int_t		 limit = HISTORY_DEFAULT_LIMIT, before = 0;
	size_t			 n = 0, i;
	int			 state = -1;

	/* A job's name: its records, and those of removed jobs so named. */
	name = json_string_value(json_object_get(ctx->req, "name"));
	if (name != NULL && job_find(name) == NULL &&
	    hmap_sget(&sd.removed_index, name) == NULL) {
		cmd_fail(ctx, PROTO_NOT_FOUND, "no job \"%s\"", name);
		return (CMD_ERROR);
	}
	state_name = json_string_value(json_object_get(ctx->req, "state"));
	if (state_name != NULL && (state = task_state_parse(state_name)) ==
	    -1) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "history: unknown state "
		    "\"%s\"", state_name);
		return (CMD_ERROR);
	}
	if ((lv = json_object_get(ctx->req, "limit")) != NULL)
		limit = json_integer_value(lv);
	if ((bv = json_object_get(ctx->req, "before")) != NULL)
		before = json_integer_value(bv);
	if (limit < 0) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "history: negative limit");
		return (CMD_ERROR);
	}
	v = xcalloc(sd.task_index.count + 1, sizeof *v);
	hmap_iter_init(&it, &sd.task_index);
	while ((t = hmap_iter_next(&it)) != NULL) {
		if (name != NULL && strcmp(t->job->name, name) != 0)
			continue;
		if (state != -1 && (int)t->state != state)
			continue;
		if (before > 0 && t->id >= (uint64_t)before)
			continue;
		v[n++] = t;
	}
	qsort(v, n, sizeof *v, cmd_history_cmp);
	list = json_array();
	for (i = 0; i < n && (json_int_t)i < limit; i++)
		json_array_append_new(list, task_record(v[i]));
	free(v);
	cmd_reply(ctx, json_pack("{s:o}", "tasks", list));
	return (CMD_DONE);
}

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.args = {
		{ "name", ARG_STRING },
		{ "state", ARG_STRING },
		{ "limit", ARG_INT },
		{ "before", ARG_INT },
	},
	.exec = cmd_history_exec,
};
