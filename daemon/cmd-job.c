/*
 * job and jobs: one job in full, or summaries filtered by tag and name.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"

static int
cmd_jobs_cmp(const void *a, const void *b)
{
	const struct job	*ja = *(struct job *const *)a;
	const struct job	*jb = *(struct job *const *)b;

	return (strcmp(ja->name, jb->name));
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

static enum cmd_retval
cmd_jobs_exec(struct cmd_ctx *ctx)
{
	const char	*tag, *pattern;
	struct job	*j, **v;
	json_t		*list;
	size_t		 n = 0, i;

	tag = json_string_value(json_object_get(ctx->req, "tag"));
	pattern = json_string_value(json_object_get(ctx->req, "name"));
	v = xcalloc(sd.njobs + 1, sizeof *v);
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		if (tag != NULL && !cmd_jobs_has_tag(j, tag))
			continue;
		if (pattern != NULL && fnmatch(pattern, j->name, 0) != 0)
			continue;
		v[n++] = j;
	}
	qsort(v, n, sizeof *v, cmd_jobs_cmp);
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, job_summary(v[i]));
	free(v);
	cmd_reply(ctx, json_pack("{s:o}", "jobs", list));
	return (CMD_DONE);
}

static enum cmd_retval
cmd_job_exec(struct cmd_ctx *ctx)
{
	struct job	*j;

	j = ctx->job;
	cmd_reply(ctx, json_pack("{s:o}", "job", job_full(j)));
	return (CMD_DONE);
}

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.args = {
		{ "tag", ARG_STRING },
		{ "name", ARG_STRING },
	},
	.exec = cmd_jobs_exec,
};

const struct cmd_entry cmd_job_entry = {
	.name = "job",
	.target = CMD_TARGET_JOB,
	.args = { { "name", ARG_STRING | ARG_REQUIRED } },
	.exec = cmd_job_exec,
};
