/* SPDX-License-Identifier: ISC */
/*
 * run: queue a manual task of a job, maybe with arguments and variables
 * of its own, maybe after other tasks (schedd.8 "run").
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xmalloc.h"

static int	 cmd_run_args(struct cmd_ctx *, json_t *, struct task_params *);
static int	 cmd_run_env(struct cmd_ctx *, json_t *, struct task_params *);
static int	 cmd_run_size(struct cmd_ctx *, const struct task_params *);

/*
 * A user who is not an administrator may not make queued tasks hold more
 * than a job definition could (max_job_size, schedd.yaml.5).
 */
static int
cmd_run_size(struct cmd_ctx *ctx, const struct task_params *p)
{
	size_t	 i, size = 0;

	if (ctx->admin)
		return (0);
	for (i = 0; i < p->nargs; i++)
		size += strlen(p->args[i]) + 1;
	for (i = 0; i < p->nenv; i++)
		size += strlen(p->env[i]) + 1;
	if (size <= sd.settings.max_job_size)
		return (0);
	cmd_fail(ctx, PROTO_TOO_LARGE, "args and env take %zu bytes "
	    "(max_job_size %llu)", size,
	    (unsigned long long)sd.settings.max_job_size);
	return (-1);
}

/* The arguments: strings without NUL bytes. */
static int
cmd_run_args(struct cmd_ctx *ctx, json_t *args, struct task_params *p)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(args, i, v) {
		if (!json_is_string(v) ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			cmd_fail(ctx, PROTO_BAD_REQUEST, "args[%zu]: expected "
			    "a string without NUL bytes", i);
			return (-1);
		}
		task_params_add(&p->args, &p->nargs,
		    xstrdup(json_string_value(v)));
	}
	return (0);
}

/* The variables, by the rules of a job's env (schedd.yaml.5). */
static int
cmd_run_env(struct cmd_ctx *ctx, json_t *env, struct task_params *p)
{
	struct jobdef	*def;
	json_t		*o;
	char		*cause;
	uint32_t	 i;

	o = json_pack("{s:s,s:[s],s:O}", "name", ctx->job->name, "command",
	    "true", "env", env);
	if (jobdef_from_json(o, &def, &cause) != 0) {
		json_decref(o);
		cmd_fail(ctx, PROTO_BAD_REQUEST, "%s", strncmp(cause, "job.",
		    4) == 0 ? cause + 4 : cause);
		free(cause);
		return (-1);
	}
	json_decref(o);
	for (i = 0; i < def->nenv; i++)
		task_params_add(&p->env, &p->nenv, xstrdup(def->env[i]));
	jobdef_unref(def);
	return (0);
}

static enum cmd_retval
cmd_run_exec(struct cmd_ctx *ctx)
{
	struct job		*j;
	struct task		*t;
	struct task_params	 p;
	json_t			*v;
	enum proto_error	 e;
	char			*cause;

	j = ctx->job;
	memset(&p, 0, sizeof p);
	if (((v = json_object_get(ctx->req, "args")) != NULL &&
	    cmd_run_args(ctx, v, &p) != 0) ||
	    ((v = json_object_get(ctx->req, "env")) != NULL &&
	    cmd_run_env(ctx, v, &p) != 0) || cmd_run_size(ctx, &p) != 0) {
		task_params_free(&p);
		return (CMD_ERROR);
	}
	e = PROTO_OK;
	if ((v = json_object_get(ctx->req, "after")) != NULL)
		e = dep_check(v, ctx->uid, ctx->admin, &p, &cause);
	if (e != PROTO_OK ||
	    (e = admit_task(j, j->def, ctx->uid, ADMIT_ACK, &cause)) !=
	    PROTO_OK) {
		cmd_fail(ctx, e, "%s", cause);
		free(cause);
		task_params_free(&p);
		return (CMD_ERROR);
	}
	t = queue_push_params(j, TRIGGER_MANUAL, ctx->uid, &p);
	cmd_reply(ctx, json_pack("{s:I}", "task", (json_int_t)t->id));
	queue_dispatch();
	return (CMD_DONE);
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.target = CMD_TARGET_OWNED_JOB,
	.args = {
		{ "name", ARG_STRING | ARG_REQUIRED },
		{ "args", ARG_ARRAY },
		{ "env", ARG_OBJECT },
		{ "after", ARG_ARRAY },
	},
	.exec = cmd_run_exec,
};
