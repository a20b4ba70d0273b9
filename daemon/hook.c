/* SPDX-License-Identifier: ISC */
/*
 * Hooks (schedd.yaml.5 on_failure and on_success): when a task ends, each
 * job its definition names gets a task of its own (trigger "hook") told
 * about it in SCHEDD_HOOK_* variables.  A hook task's end starts none.
 *
 * Who may name which job: the configuration names configuration jobs; an
 * admin's runtime job any job; a user's runtime job only that user's own
 * runtime jobs, so no user gets another's job (or root's) to run with
 * their data.  The daemon's on_failure is the admin's choice for all.
 * The configuration's own check is settings_hooks_check.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schedd.h"
#include "xmalloc.h"

static int	 hook_may(enum job_origin, uid_t, const struct job *);
static int	 hook_task(const struct task *);
static void	 hook_queue(const struct task *, const char *, int);

/* Tasks found lost at start, whose hooks wait until the state is open. */
static uint64_t	*hook_lost_ids;
static size_t	 hook_nlost;

/* May a job of this origin and owner name hj as a hook? */
static int
hook_may(enum job_origin origin, uid_t uid, const struct job *hj)
{
	if (origin == ORIGIN_CONFIG)
		return (hj->origin == ORIGIN_CONFIG);
	if (auth_is_admin(uid, sd.uid))
		return (1);
	return (hj->origin == ORIGIN_RUNTIME && hj->uid == uid);
}

/*
 * Is t a hook's task, or a retry of one (which keeps its SCHEDD_HOOK_*
 * variables; no one else can set them)?
 */
static int
hook_task(const struct task *t)
{
	size_t	 i;

	if (t->trigger == TRIGGER_HOOK)
		return (1);
	for (i = 0; i < t->params.nenv; i++) {
		if (strncmp(t->params.env[i], "SCHEDD_HOOK_TASK_ID=", 20) == 0)
			return (1);
	}
	return (0);
}

/*
 * May a runtime job def, owned by uid, name its hooks?  PROTO_OK, or an
 * error and a caller-freed cause (an unknown job, or one not permitted).
 */
enum proto_error
hook_check(const struct jobdef *def, uid_t uid, char **cause)
{
	const struct job	*hj;
	char			**list;
	size_t			 k;
	int			 pass;

	for (pass = 0; pass < 2; pass++) {
		list = pass == 0 ? def->on_failure : def->on_success;
		for (k = 0; list != NULL && list[k] != NULL; k++) {
			/* A job naming itself is allowed: hooks never loop. */
			if (strcmp(list[k], def->name) == 0)
				continue;
			if ((hj = job_find(list[k])) == NULL) {
				xasprintf(cause, "%s: no job \"%s\"",
				    pass == 0 ? "on_failure" : "on_success",
				    list[k]);
				return (PROTO_NOT_FOUND);
			}
			if (!hook_may(ORIGIN_RUNTIME, uid, hj)) {
				xasprintf(cause, "%s: job \"%s\" is not yours",
				    pass == 0 ? "on_failure" : "on_success",
				    list[k]);
				return (PROTO_PERMISSION_DENIED);
			}
		}
	}
	return (PROTO_OK);
}

/*
 * Queue a task of hook job name about t, unless that job is gone, not
 * permitted (checked again: owners change), or cannot take a task now.
 */
static void
hook_queue(const struct task *t, const char *name, int dflt)
{
	struct job		*hj;
	struct task		*ht;
	enum proto_error	 e;
	struct task_params	 p;
	char			*cause, *result, buf[32];

	if ((hj = job_find(name)) == NULL || hj->def == NULL) {
		log_warnx("task %llu (%s): hook job %s does not exist",
		    (unsigned long long)t->id, t->job->name, name);
		return;
	}
	if (!dflt && !hook_may(t->owner.origin, t->owner.uid, hj)) {
		log_warnx("task %llu (%s): hook job %s is not its owner's",
		    (unsigned long long)t->id, t->job->name, name);
		return;
	}
	if ((e = admit_task(hj, hj->def, hj->uid, 0, &cause)) != PROTO_OK) {
		log_warnx("task %llu (%s): hook job %s not queued: %s",
		    (unsigned long long)t->id, t->job->name, name, cause);
		free(cause);
		return;
	}
	memset(&p, 0, sizeof p);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)t->id);
	task_params_env(&p, "SCHEDD_HOOK_TASK_ID", buf);
	task_params_env(&p, "SCHEDD_HOOK_JOB", t->job->name);
	task_params_env(&p, "SCHEDD_HOOK_STATE", task_state_name(t->state));
	buf[0] = '\0';
	if (t->exit_code >= 0)
		snprintf(buf, sizeof buf, "%d", t->exit_code);
	task_params_env(&p, "SCHEDD_HOOK_EXIT_CODE", buf);
	buf[0] = '\0';
	if (t->signal != 0)
		snprintf(buf, sizeof buf, "%d", t->signal);
	task_params_env(&p, "SCHEDD_HOOK_SIGNAL", buf);
	task_params_env(&p, "SCHEDD_HOOK_LOG",
	    t->log_path != NULL ? t->log_path : "");
	result = result_text(t);
	task_params_env(&p, "SCHEDD_HOOK_RESULT", result);
	free(result);
	ht = queue_push_params(hj, TRIGGER_HOOK, hj->uid, &p);
	log_info("task %llu (%s): hook task %llu (%s) queued",
	    (unsigned long long)t->id, t->job->name,
	    (unsigned long long)ht->id, name);
	if (sub_wanted(SUB_HOOK_QUEUED))
		sub_emit(SUB_HOOK_QUEUED, json_pack("{s:I,s:s,s:I,s:s,s:s}",
		    "task", (json_int_t)ht->id, "job", name, "hook_task",
		    (json_int_t)t->id, "hook_job", t->job->name, "hook_state",
		    task_state_name(t->state)));
}

/* A task ended: queue the hooks its state calls for. */
void
hook_fire(const struct task *t)
{
	const struct jobdef	*def;
	char			**list;
	size_t			 k;
	int			 dflt = 0;

	if (hook_task(t))
		return;
	if ((def = t->def != NULL ? t->def : t->job->def) == NULL)
		return;
	switch (t->state) {
	case TASK_SUCCEEDED:
		list = def->on_success;
		break;
	case TASK_FAILED:
	case TASK_TIMEOUT:
	case TASK_LOST:
		if ((list = def->on_failure) == NULL) {
			list = sd.settings.on_failure;
			dflt = 1;
		}
		break;
	default:
		return;
	}
	for (k = 0; list != NULL && list[k] != NULL; k++)
		hook_queue(t, list[k], dflt);
	queue_dispatch_soon();
}

/* A task found lost while the state is read: its hooks come later. */
void
hook_lost(const struct task *t)
{
	hook_lost_ids = xreallocarray(hook_lost_ids, hook_nlost + 1,
	    sizeof *hook_lost_ids);
	hook_lost_ids[hook_nlost++] = t->id;
}

/* The state is open: queue the hooks of the tasks found lost. */
void
hook_fire_lost(void)
{
	struct task	*t;
	size_t		 i;

	for (i = 0; i < hook_nlost; i++) {
		if ((t = task_find(hook_lost_ids[i])) != NULL)
			hook_fire(t);
	}
	free(hook_lost_ids);
	hook_lost_ids = NULL;
	hook_nlost = 0;
}
