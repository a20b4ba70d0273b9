/* SPDX-License-Identifier: ISC */
/*
 * Task records (schedd.8 CONTROL PROTOCOL): the names of states and
 * triggers, a task as the JSON record answers and the state hold --
 * written directly (jw.h), one encoder for both.  A saved record is read
 * back by state-line.c.
 */
#include <sys/types.h>
#include <sys/time.h>

#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static const char *task_states[] = {
	"queued", "running", "succeeded", "failed", "timeout", "stopped",
	"cancelled", "lost"
};
static const char *task_triggers[] = {
	"schedule", "manual", "add", "retry", "catch_up", "hook"
};

static int64_t	 task_timeval_ms(const struct timeval *);
static void	 task_record_int(struct jw *, const char *, int64_t, int);
static void	 task_record_after(struct jw *, const struct task *);

const char *
task_state_name(enum task_state s)
{
	return (task_states[s]);
}

/* A state from its name, -1 if unknown. */
int
task_state_parse(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof task_states / sizeof task_states[0]; i++) {
		if (strcmp(task_states[i], name) == 0)
			return ((int)i);
	}
	return (-1);
}

const char *
task_trigger_name(enum task_trigger t)
{
	return (task_triggers[t]);
}

int
task_trigger_parse(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof task_triggers / sizeof task_triggers[0]; i++) {
		if (strcmp(task_triggers[i], name) == 0)
			return ((int)i);
	}
	return (-1);
}

static int64_t
task_timeval_ms(const struct timeval *tv)
{
	return ((int64_t)tv->tv_sec * 1000 + tv->tv_usec / 1000);
}

/*
 * The members of the task record (schedd.8 CONTROL PROTOCOL), into an
 * open object: for answers, and for the state's lines, which add theirs.
 */
void
task_record_fields(struct jw *w, const struct task *t)
{
	jw_kint(w, "id", (int64_t)t->id);
	jw_kstring(w, "job", t->job->name);
	jw_kstring(w, "state", task_state_name(t->state));
	jw_kstring(w, "trigger", task_trigger_name(t->trigger));
	jw_kint(w, "attempt", t->attempt);
	jw_kint(w, "uid", t->uid);
	jw_key(w, "queued_at");
	sjson_write_time(w, &t->queued_at);
	jw_key(w, "started_at");
	sjson_write_time(w, &t->started_at);
	jw_key(w, "finished_at");
	sjson_write_time(w, &t->finished_at);
	jw_key(w, "duration_ms");
	if (t->state == TASK_RUNNING)
		jw_int(w, (int64_t)(time_mono_ms() - t->start_mono_ms));
	else if (t->duration_ms >= 0)
		jw_int(w, t->duration_ms);
	else
		jw_null(w);
	task_record_int(w, "pid", t->pid, t->pid != 0);
	task_record_int(w, "exit_code", t->exit_code, t->exit_code >= 0);
	task_record_int(w, "signal", t->signal, t->signal != 0);
	jw_key(w, "error");
	if (t->error != NULL)
		jw_text(w, t->error, strlen(t->error));
	else
		jw_null(w);
	task_record_int(w, "user_cpu_ms", task_timeval_ms(&t->rusage.ru_utime),
	    t->have_rusage);
	task_record_int(w, "sys_cpu_ms", task_timeval_ms(&t->rusage.ru_stime),
	    t->have_rusage);
	task_record_int(w, "max_rss_kb", t->rusage.ru_maxrss, t->have_rusage);
	jw_key(w, "output");
	if (t->state == TASK_QUEUED)
		jw_null(w);
	else
		jw_text(w, t->tail != NULL ? t->tail : "", t->tail_len);
	task_record_int(w, "output_bytes", (int64_t)t->output_bytes,
	    t->state != TASK_QUEUED);
	jw_kstring(w, "log", t->log_path);
	task_record_int(w, "memory_peak_bytes", t->memory_peak,
	    t->memory_peak >= 0);
	task_record_int(w, "oom_kills", t->oom_kills, t->oom_kills >= 0);
	jw_kbool(w, "frozen", t->state == TASK_RUNNING && t->frozen);
	task_params_write(w, &t->params);
	jw_key(w, "result");
	if (t->result != NULL)
		jw_raw(w, t->result, strlen(t->result));
	else
		jw_null(w);
	jw_key(w, "result_error");
	if (t->result_error != NULL)
		jw_text(w, t->result_error, strlen(t->result_error));
	else
		jw_null(w);
	task_record_after(w, t);
}

/* The tasks it waits for (dep.c), and whether it still does. */
static void
task_record_after(struct jw *w, const struct task *t)
{
	size_t	 i;

	jw_key(w, "after");
	if (t->params.nafter == 0)
		jw_null(w);
	else {
		jw_array_open(w);
		for (i = 0; i < t->params.nafter; i++)
			jw_int(w, (int64_t)t->params.after[i]);
		jw_array_close(w);
	}
	jw_kbool(w, "waiting", t->state == TASK_QUEUED && t->nwait > 0);
}

/* A task's own arguments, a list, and variables, an object, or nulls. */
void
task_params_write(struct jw *w, const struct task_params *p)
{
	const char	*eq;
	size_t		 i;

	jw_key(w, "args");
	if (p->nargs == 0)
		jw_null(w);
	else {
		jw_array_open(w);
		for (i = 0; i < p->nargs; i++)
			jw_text(w, p->args[i], strlen(p->args[i]));
		jw_array_close(w);
	}
	jw_key(w, "env");
	if (p->nenv == 0) {
		jw_null(w);
		return;
	}
	jw_object_open(w);
	for (i = 0; i < p->nenv; i++) {
		if ((eq = strchr(p->env[i], '=')) == NULL)
			continue;
		jw_key_n(w, p->env[i], (size_t)(eq - p->env[i]));
		jw_text(w, eq + 1, strlen(eq + 1));
	}
	jw_object_close(w);
}

/* A member that is a number, or null when there is none (!have). */
static void
task_record_int(struct jw *w, const char *key, int64_t v, int have)
{
	if (have)
		jw_kint(w, key, v);
	else
		jw_knull(w, key);
}

/* The task record as one object. */
void
task_record_write(struct jw *w, const struct task *t)
{
	jw_object_open(w);
	task_record_fields(w, t);
	jw_object_close(w);
}

/* The task record as a jansson value, for answers built as such. */
json_t *
task_record(const struct task *t)
{
	struct jw	 w;
	json_t		*o;

	jw_init(&w);
	task_record_write(&w, t);
	o = json_loadb(w.buf, w.len, 0, NULL);
	jw_free(&w);
	if (o == NULL)
		fatalx("%s: cannot read back task %llu", __func__,
		    (unsigned long long)t->id);
	return (o);
}

/* Append s (now the list's) to a task's arguments or variables. */
void
task_params_add(char ***list, size_t *n, char *s)
{
	*list = xreallocarray(*list, *n + 2, sizeof **list);
	(*list)[(*n)++] = s;
	(*list)[*n] = NULL;
}

/* Add KEY=VALUE to a task's variables. */
void
task_params_env(struct task_params *p, const char *key, const char *value)
{
	char	*s;

	xasprintf(&s, "%s=%s", key, value);
	task_params_add(&p->env, &p->nenv, s);
}

void
task_params_free(struct task_params *p)
{
	while (p->nargs > 0)
		free(p->args[--p->nargs]);
	free(p->args);
	while (p->nenv > 0)
		free(p->env[--p->nenv]);
	free(p->env);
	free(p->after);
	memset(p, 0, sizeof *p);
}

/* A copy of src's arguments and variables in dst (empty before). */
void
task_params_copy(struct task_params *dst, const struct task_params *src)
{
	size_t	 i;

	memset(dst, 0, sizeof *dst);
	for (i = 0; i < src->nargs; i++)
		task_params_add(&dst->args, &dst->nargs,
		    xstrdup(src->args[i]));
	for (i = 0; i < src->nenv; i++)
		task_params_add(&dst->env, &dst->nenv, xstrdup(src->env[i]));
}
