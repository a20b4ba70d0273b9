/* SPDX-License-Identifier: ISC */
/*
 * history: task records, newest first, filtered by job, state and id.
 * The ids to answer are chosen first, at a cost that grows with the limit
 * rather than with the records kept; the records follow as the client
 * reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jw.h"
#include "xmalloc.h"

#define HISTORY_DEFAULT_LIMIT	20

/* A history answer: the ids chosen, newest first, and the filter. */
struct cmd_history {
	const char	*name;		/* NULL: any job */
	int		 state;		/* -1: any */
	uint64_t	 before;	/* 0: any */
	uint64_t	*ids;
	size_t		 n;
	size_t		 size;
	size_t		 next;
};

static int	 cmd_history_cmp(const void *, const void *);
static int	 cmd_history_match(const struct cmd_history *,
		    const struct task *);
static void	 cmd_history_add(struct cmd_history *, uint64_t);
static void	 cmd_history_sort(struct cmd_history *, size_t);
static void	 cmd_history_job(struct cmd_history *, const struct job *);
static void	 cmd_history_named(struct cmd_history *, size_t);
static int	 cmd_history_newest(struct cmd_history *, size_t);
static void	 cmd_history_all(struct cmd_history *, size_t);
static int	 cmd_history_fill(struct jw *, void *);
static void	 cmd_history_free(void *);

static int
cmd_history_cmp(const void *a, const void *b)
{
	uint64_t	 ia = *(const uint64_t *)a, ib = *(const uint64_t *)b;

	return (ia < ib ? 1 : ia > ib ? -1 : 0);
}

static int
cmd_history_match(const struct cmd_history *h, const struct task *t)
{
	if (h->name != NULL && strcmp(t->job->name, h->name) != 0)
		return (0);
	if (h->state != -1 && (int)t->state != h->state)
		return (0);
	if (h->before > 0 && t->id >= h->before)
		return (0);
	return (1);
}

static void
cmd_history_add(struct cmd_history *h, uint64_t id)
{
	if (h->n == h->size) {
		h->size = h->size == 0 ? 64 : h->size * 2;
		h->ids = xreallocarray(h->ids, h->size, sizeof *h->ids);
	}
	h->ids[h->n++] = id;
}

/* Newest first, no more than limit. */
static void
cmd_history_sort(struct cmd_history *h, size_t limit)
{
	if (h->n > 1)
		qsort(h->ids, h->n, sizeof *h->ids, cmd_history_cmp);
	if (h->n > limit)
		h->n = limit;
}

/* The matching tasks of one job: queued, running and ended. */
static void
cmd_history_job(struct cmd_history *h, const struct job *j)
{
	const struct task	*t;

	TAILQ_FOREACH(t, &j->queue, entry) {
		if (cmd_history_match(h, t))
			cmd_history_add(h, t->id);
	}
	TAILQ_FOREACH(t, &j->running, entry) {
		if (cmd_history_match(h, t))
			cmd_history_add(h, t->id);
	}
	TAILQ_FOREACH(t, &j->history, entry) {
		if (cmd_history_match(h, t))
			cmd_history_add(h, t->id);
	}
}

/*
 * One name: the records of the job so named and of removed jobs that
 * were; as many as that name has, whatever the others have.
 */
static void
cmd_history_named(struct cmd_history *h, size_t limit)
{
	const struct job	*j;

	if ((j = job_find(h->name)) != NULL)
		cmd_history_job(h, j);
	TAILQ_FOREACH(j, &sd.removed_jobs, entry) {
		if (strcmp(j->name, h->name) == 0)
			cmd_history_job(h, j);
	}
	cmd_history_sort(h, limit);
}

/*
 * Any name: ids counted down from the newest, which finds the newest
 * records of a history that is mostly kept in a few steps each.  Gives up
 * (0) after as many steps as there are tasks: then cmd_history_all is no
 * dearer.
 */
static int
cmd_history_newest(struct cmd_history *h, size_t limit)
{
	const struct task	*t;
	uint64_t		 id;
	size_t			 steps = 0;

	id = sd.next_task_id;
	if (h->before > 0 && h->before < id)
		id = h->before;
	while (id > 1 && h->n < limit) {
		if (++steps > sd.task_index.count)
			return (0);
		id--;
		if ((t = task_find(id)) != NULL && cmd_history_match(h, t))
			cmd_history_add(h, id);
	}
	return (1);
}

/* Any name, the long way: every task looked at. */
static void
cmd_history_all(struct cmd_history *h, size_t limit)
{
	struct hmap_iter	 it;
	const struct task	*t;

	h->n = 0;
	hmap_iter_init(&it, &sd.task_index);
	while ((t = hmap_iter_next(&it)) != NULL) {
		if (cmd_history_match(h, t))
			cmd_history_add(h, t->id);
	}
	cmd_history_sort(h, limit);
}

/*
 * Write records until a part is full or the list ends (then 1).  A task
 * gone since it was chosen (pruned) is left out, and so is one whose state
 * no longer matches.
 */
static int
cmd_history_fill(struct jw *w, void *arg)
{
	struct cmd_history	*h = arg;
	const struct task	*t;

	while (h->next < h->n) {
		if (w->len >= CMD_LIST_PART)
			return (0);
		t = task_find(h->ids[h->next++]);
		if (t != NULL && (h->state == -1 || (int)t->state == h->state))
			task_record_write(w, t);
	}
	return (1);
}

static void
cmd_history_free(void *arg)
{
	struct cmd_history	*h = arg;

	free(h->ids);
	free(h);
}

static enum cmd_retval
cmd_history_exec(struct cmd_ctx *ctx)
{
	struct cmd_history	*h;
	const char		*state_name, *name;
	json_t			*lv, *bv;
	json_int_t		 limit = HISTORY_DEFAULT_LIMIT, before = 0;
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
	if ((size_t)limit > sd.task_index.count)
		limit = (json_int_t)sd.task_index.count;
	h = xcalloc(1, sizeof *h);
	h->name = name;
	h->state = state;
	h->before = before > 0 ? (uint64_t)before : 0;
	if (name != NULL)
		cmd_history_named(h, (size_t)limit);
	else if (!cmd_history_newest(h, (size_t)limit))
		cmd_history_all(h, (size_t)limit);
	h->name = NULL;		/* the request's, gone after this turn */
	return (cmd_reply_list(ctx, "tasks", cmd_history_fill,
	    cmd_history_free, h));
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
