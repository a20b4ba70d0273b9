/* SPDX-License-Identifier: ISC */
/*
 * job and jobs: one job in full, or summaries filtered by tag and name,
 * sorted by name (schedd.8 CONTROL PROTOCOL), written directly (jw.h).
 * A long list of jobs goes out as the client reads it.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jw.h"
#include "xmalloc.h"

/* A job to list, with the key it is sorted by. */
struct cmd_jobs_ent {
	uint64_t	 key;		/* cmd_jobs_key */
	struct job	*j;
};

/*
 * A jobs answer being written: the jobs to list, sorted by name.  While
 * the answer is written in the turn it was asked in, v holds the jobs
 * themselves; before the loop turns the names left are copied
 * (cmd_jobs_keep), and each is looked up again when its turn comes: a
 * job removed meanwhile is left out.
 */
struct cmd_jobs {
	struct cmd_jobs_ent *v;		/* this turn only */
	char		**names;	/* afterwards: into buf */
	char		 *buf;
	size_t		  n;
	size_t		  next;
	unsigned	  fields;	/* of cmd_job_field_names */
};

static int	 cmd_jobs_cmp(const void *, const void *);
static uint64_t	 cmd_jobs_key(const char *);
static int	 cmd_jobs_has_tag(const struct job *, const char *);
static int	 cmd_jobs_fill(struct jw *, void *);
static void	 cmd_jobs_keep(struct cmd_jobs *);
static void	 cmd_jobs_free(void *);
static void	 cmd_job_fields(struct jw *, const struct job *, unsigned);
static uint64_t	 cmd_job_latest(const struct job *);
static int	 cmd_jobs_mask(struct cmd_ctx *, unsigned *);

/*
 * By name, as strcmp orders them; most names differ in their first 8
 * bytes, compared as one number without reaching into the jobs.
 */
static int
cmd_jobs_cmp(const void *a, const void *b)
{
	const struct cmd_jobs_ent	*ea = a, *eb = b;

	if (ea->key != eb->key)
		return (ea->key < eb->key ? -1 : 1);
	return (strcmp(ea->j->name, eb->j->name));
}

/* The sort key of a name: its first 8 bytes (NUL-padded), big-endian. */
static uint64_t
cmd_jobs_key(const char *name)
{
	uint64_t	 k = 0;
	size_t		 i;

	for (i = 0; i < 8; i++) {
		k <<= 8;
		if (*name != '\0')
			k |= (unsigned char)*name++;
	}
	return (k);
}

static int
cmd_jobs_has_tag(const struct job *j, const char *tag)
{
	size_t	 i;

	for (i = 0; i < j->def->ntags; i++) {
		if (strcmp(j->def->tags[i], tag) == 0)
			return (1);
	}
	return (0);
}

/*
 * The members of a job's summary, in the order written; a jobs request
 * may ask for some of them ("fields"), the name always comes.  The names
 * are in the order of enum cmd_job_field.
 */
enum cmd_job_field {
	JF_NAME, JF_ORIGIN, JF_UID, JF_DESCRIPTION, JF_TAGS, JF_SCHEDULE,
	JF_NEXT_RUN, JF_PAUSED, JF_BANNED, JF_RUNNING, JF_QUEUED, JF_WAITING,
	JF_RUNS,
	JF_SUCCEEDED, JF_FAILED, JF_TIMEOUTS, JF_STOPPED, JF_SKIPPED, JF_MISSED,
	JF_CONSECUTIVE_FAILURES, JF_LAST_TASK, JF_LAST_STATE, JF_LAST_RUN,
	JF_SCHEDULE_STATE, JF_LATEST_TASK, JF_COUNT
};
static const char *cmd_job_field_names[JF_COUNT] = {
	"name", "origin", "uid", "description", "tags", "schedule",
	"next_run", "paused", "banned", "running", "queued", "waiting", "runs",
	"succeeded", "failed", "timeouts", "stopped", "skipped", "missed",
	"consecutive_failures", "last_task", "last_state", "last_run",
	"schedule_state", "latest_task"
};
#define CMD_JOB_ALL	((1U << JF_COUNT) - 1)
#define CMD_JOB_WANT(mask, f)	(((mask) >> (f)) & 1)

/* The members of a job's summary in mask, into an open object. */
static void
cmd_job_fields(struct jw *w, const struct job *j, unsigned mask)
{
	const struct job_counters	*k = &j->counters;
	int64_t				 count[JF_COUNT];
	struct timespec			 ts;
	uint64_t			 latest;
	char				*sched;
	size_t				 i;

	jw_kstring(w, "name", j->name);
	if (CMD_JOB_WANT(mask, JF_ORIGIN))
		jw_kstring(w, "origin", j->origin == ORIGIN_CONFIG ?
		    "config" : "runtime");
	if (CMD_JOB_WANT(mask, JF_UID))
		jw_kint(w, "uid", j->uid);
	if (CMD_JOB_WANT(mask, JF_DESCRIPTION))
		jw_kstring(w, "description", j->def->description);
	if (CMD_JOB_WANT(mask, JF_TAGS)) {
		jw_key(w, "tags");
		jw_array_open(w);
		for (i = 0; i < j->def->ntags; i++)
			jw_string(w, j->def->tags[i]);
		jw_array_close(w);
	}
	if (CMD_JOB_WANT(mask, JF_SCHEDULE)) {
		sched = jobdef_schedule_string(j->def);
		jw_kstring(w, "schedule", sched);
		free(sched);
	}
	if (CMD_JOB_WANT(mask, JF_NEXT_RUN)) {
		jw_key(w, "next_run");
		if (sched_next_run_ts(j, &ts) == 0)
			sjson_write_time(w, &ts);
		else
			jw_null(w);
	}
	if (CMD_JOB_WANT(mask, JF_PAUSED))
		jw_kbool(w, "paused", j->paused);
	if (CMD_JOB_WANT(mask, JF_BANNED))
		jw_kbool(w, "banned", ban_match(j->name) != NULL);

	count[JF_RUNNING] = j->nrunning;
	count[JF_QUEUED] = j->nqueued;
	count[JF_WAITING] = j->nqueued - j->nready;
	count[JF_RUNS] = (int64_t)k->runs;
	count[JF_SUCCEEDED] = (int64_t)k->succeeded;
	count[JF_FAILED] = (int64_t)k->failed;
	count[JF_TIMEOUTS] = (int64_t)k->timeouts;
	count[JF_STOPPED] = (int64_t)k->stopped;
	count[JF_SKIPPED] = (int64_t)k->skipped;
	count[JF_MISSED] = (int64_t)k->missed;
	count[JF_CONSECUTIVE_FAILURES] = (int64_t)k->consecutive_failures;
	for (i = JF_RUNNING; i <= JF_CONSECUTIVE_FAILURES; i++) {
		if (CMD_JOB_WANT(mask, i))
			jw_kint(w, cmd_job_field_names[i], count[i]);
	}

	if (CMD_JOB_WANT(mask, JF_LAST_TASK)) {
		if (j->last_task != 0)
			jw_kint(w, "last_task", (int64_t)j->last_task);
		else
			jw_knull(w, "last_task");
	}
	if (CMD_JOB_WANT(mask, JF_LAST_STATE)) {
		if (j->last_task != 0)
			jw_kstring(w, "last_state",
			    task_state_name(j->last_state));
		else
			jw_knull(w, "last_state");
	}
	if (CMD_JOB_WANT(mask, JF_LAST_RUN)) {
		jw_key(w, "last_run");
		sjson_write_time(w, &j->last_run);
	}
	if (CMD_JOB_WANT(mask, JF_SCHEDULE_STATE))
		jw_kstring(w, "schedule_state", job_schedule_state(j));
	if (CMD_JOB_WANT(mask, JF_LATEST_TASK)) {
		if ((latest = cmd_job_latest(j)) != 0)
			jw_kint(w, "latest_task", (int64_t)latest);
		else
			jw_knull(w, "latest_task");
	}
}

/*
 * The id of a job's newest task, queued, running or ended (what schedctl
 * wait JOB and logs JOB act on); 0 if it has none.  Ids only grow, so it
 * is the largest.  The queued tasks of all jobs are bounded by max_queued.
 */
static uint64_t
cmd_job_latest(const struct job *j)
{
	struct task	*t;
	uint64_t	 id = j->last_task;

	TAILQ_FOREACH(t, &j->queue, entry) {
		if (t->id > id)
			id = t->id;
	}
	TAILQ_FOREACH(t, &j->running, entry) {
		if (t->id > id)
			id = t->id;
	}
	return (id);
}

/* The mask of a jobs request's "fields", or -1 after an answer. */
static int
cmd_jobs_mask(struct cmd_ctx *ctx, unsigned *mask)
{
	json_t		*list, *v;
	const char	*name;
	size_t		 i, k;

	if ((list = json_object_get(ctx->req, "fields")) == NULL) {
		*mask = CMD_JOB_ALL;
		return (0);
	}
	*mask = 1;
	json_array_foreach(list, i, v) {
		name = json_string_value(v);
		for (k = 0; name != NULL && k < JF_COUNT; k++) {
			if (strcmp(name, cmd_job_field_names[k]) == 0)
				break;
		}
		if (name == NULL) {
			cmd_fail(ctx, PROTO_BAD_REQUEST,
			    "jobs: fields are names (strings)");
			return (-1);
		}
		if (k == JF_COUNT) {
			cmd_fail(ctx, PROTO_BAD_REQUEST,
			    "jobs: unknown field \"%s\"", name);
			return (-1);
		}
		*mask |= 1U << k;
	}
	return (0);
}

/* A job's summary (schedd.8 CONTROL PROTOCOL), for jobs, pause, resume. */
void
cmd_job_summary(struct jw *w, const struct job *j)
{
	jw_object_open(w);
	cmd_job_fields(w, j, CMD_JOB_ALL);
	jw_object_close(w);
}

/* Write summaries until a part is full or the list ends (then 1). */
static int
cmd_jobs_fill(struct jw *w, void *arg)
{
	struct cmd_jobs	*l = arg;
	struct job	*j;

	while (l->next < l->n) {
		if (w->len >= CMD_LIST_PART)
			return (0);
		if (l->v != NULL)
			j = l->v[l->next++].j;
		else if ((j = job_find(l->names[l->next++])) == NULL)
			continue;
		jw_object_open(w);
		cmd_job_fields(w, j, l->fields);
		jw_object_close(w);
	}
	return (1);
}

/* The loop is about to turn: keep the names left, not the jobs. */
static void
cmd_jobs_keep(struct cmd_jobs *l)
{
	size_t	 i, size = 0, len;
	char	*p;

	for (i = l->next; i < l->n; i++)
		size += strlen(l->v[i].j->name) + 1;
	l->names = xreallocarray(NULL, l->n - l->next + 1,
	    sizeof *l->names);
	p = l->buf = xmalloc(size + 1);
	for (i = l->next; i < l->n; i++) {
		len = strlen(l->v[i].j->name) + 1;
		memcpy(p, l->v[i].j->name, len);
		l->names[i - l->next] = p;
		p += len;
	}
	l->n -= l->next;
	l->next = 0;
	free(l->v);
	l->v = NULL;
}

static void
cmd_jobs_free(void *arg)
{
	struct cmd_jobs	*l = arg;

	free(l->v);
	free(l->names);
	free(l->buf);
	free(l);
}

static enum cmd_retval
cmd_jobs_exec(struct cmd_ctx *ctx)
{
	const char	*tag, *pattern;
	struct cmd_jobs	*l;
	struct job	*j;
	enum cmd_retval	 rv;
	unsigned	 fields;

	if (cmd_jobs_mask(ctx, &fields) != 0)
		return (CMD_ERROR);
	tag = json_string_value(json_object_get(ctx->req, "tag"));
	pattern = json_string_value(json_object_get(ctx->req, "name"));
	l = xcalloc(1, sizeof *l);
	l->fields = fields;
	l->v = xcalloc(sd.njobs + 1, sizeof *l->v);
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		if (tag != NULL && !cmd_jobs_has_tag(j, tag))
			continue;
		if (pattern != NULL && fnmatch(pattern, j->name, 0) != 0)
			continue;
		l->v[l->n].key = cmd_jobs_key(j->name);
		l->v[l->n++].j = j;
	}
	qsort(l->v, l->n, sizeof *l->v, cmd_jobs_cmp);
	rv = cmd_reply_list(ctx, "jobs", cmd_jobs_fill, cmd_jobs_free, l);
	if (rv == CMD_DEFER)
		cmd_jobs_keep(l);
	return (rv);
}

/* A job's summary, its definition and its recent records, newest first. */
static enum cmd_retval
cmd_job_exec(struct cmd_ctx *ctx)
{
	struct job	*j = ctx->job;
	struct task	*t;
	struct jw	*w;
	json_t		*def;
	int		 n = 0;

	w = cmd_answer_begin(ctx);
	jw_object_open(w);
	jw_key(w, "job");
	jw_object_open(w);
	cmd_job_fields(w, j, CMD_JOB_ALL);
	jw_key(w, "definition");
	def = jobdef_to_json(j->def, &sd.settings);
	sjson_write(w, def);
	json_decref(def);
	jw_key(w, "recent");
	jw_array_open(w);
	TAILQ_FOREACH_REVERSE(t, &j->running, task_list, entry)
		task_record_write(w, t);
	TAILQ_FOREACH_REVERSE(t, &j->history, task_list, entry) {
		if (n++ >= 10)
			break;
		task_record_write(w, t);
	}
	jw_array_close(w);
	jw_object_close(w);
	jw_object_close(w);
	return (cmd_answer_end(ctx, w));
}

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.args = {
		{ "tag", ARG_STRING },
		{ "name", ARG_STRING },
		{ "fields", ARG_ARRAY },
	},
	.exec = cmd_jobs_exec,
};

const struct cmd_entry cmd_job_entry = {
	.name = "job",
	.target = CMD_TARGET_JOB,
	.args = { { "name", ARG_STRING | ARG_REQUIRED } },
	.exec = cmd_job_exec,
};
