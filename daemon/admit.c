/* SPDX-License-Identifier: ISC */
/*
 * Admission: the one place that decides whether a task may be queued --
 * for "run", an ad-hoc "add", a schedule's firing or a retry -- and
 * whether a job definition submitted at run time may be accepted, with
 * the per-user quotas (schedd.8 SECURITY, schedd.yaml.5 daemon keys).
 *
 * Every path asks here, in the same order, so a rule added or changed is
 * added or changed for all of them.  Per-user counts of runtime jobs and
 * queued tasks are kept here too, updated where jobs and queues change.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "config-node.h"
#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#define ADMIT_MAX_DESCRIPTION	1024

/* What one uid has: runtime jobs it owns, tasks it has queued. */
struct usage {
	uid_t		 uid;
	uint32_t	 jobs;
	uint32_t	 queued;
};

static struct usage	*usage_get(uid_t, int);

static struct usage *
usage_get(uid_t uid, int create)
{
	struct usage	*u;

	if ((u = hmap_iget(&sd.users, (uint64_t)uid)) != NULL || !create)
		return (u);
	u = xcalloc(1, sizeof *u);
	u->uid = uid;
	hmap_iput(&sd.users, (uint64_t)uid, u);
	return (u);
}

/* A runtime job owned by uid was created (delta 1) or went (-1). */
void
usage_jobs(uid_t uid, int delta)
{
	struct usage	*u = usage_get(uid, 1);

	if (delta < 0 && u->jobs == 0)
		fatalx("%s: uid %u owns no job", __func__, (unsigned)uid);
	u->jobs += delta;
}

/* A task submitted by uid was queued (1) or left its queue (-1). */
void
usage_queued(uid_t uid, int delta)
{
	struct usage	*u = usage_get(uid, 1);

	if (delta < 0 && u->queued == 0)
		fatalx("%s: uid %u has nothing queued", __func__,
		    (unsigned)uid);
	u->queued += delta;
}

/* Forget every count (at exit). */
void
usage_free_all(void)
{
	hmap_clear_free(&sd.users, NULL);
}

/*
 * May a task of this job (j, or NULL for a job not created yet, with the
 * definition def it will have) be queued for uid?  flags: ADMIT_ACK when
 * the caller answers a client, so the change must be kept on disk.
 * PROTO_OK, or an error code and a caller-freed cause.
 */
enum proto_error
admit_task(const struct job *j, const struct jobdef *def, uid_t uid,
    int flags, char **cause)
{
	const struct ban	*b;
	const struct usage	*u;
	uint32_t		 nqueued, limit;

	if (sd.shutting_down) {
		*cause = xstrdup("schedd is shutting down");
		return (PROTO_BUSY);
	}
	if ((b = ban_match(def->name)) != NULL) {
		xasprintf(cause, "job \"%s\" is banned (%s%s%s)", def->name,
		    b->name, b->reason != NULL ? ": " : "",
		    b->reason != NULL ? b->reason : "");
		return (PROTO_BANNED);
	}
	if ((flags & ADMIT_ACK) && !sd.state_ok) {
		*cause = xstrdup("the state cannot be written at the moment; "
		    "nothing was changed");
		return (PROTO_PERSIST_FAILED);
	}
	nqueued = j != NULL ? j->nqueued : 0;
	limit = def->queue_limit >= 0 ? (uint32_t)def->queue_limit :
	    sd.settings.queue_limit;
	if (nqueued >= limit) {
		xasprintf(cause, "job \"%s\" has %u tasks queued (queue_limit "
		    "%u)", def->name, nqueued, limit);
		return (PROTO_QUEUE_FULL);
	}
	if (sd.nqueued >= sd.settings.max_queued) {
		xasprintf(cause, "%u tasks queued in all (max_queued %u)",
		    sd.nqueued, sd.settings.max_queued);
		return (PROTO_QUEUE_FULL);
	}
	if (!auth_is_admin(uid, sd.uid) && (u = usage_get(uid, 0)) != NULL &&
	    u->queued >= sd.settings.max_queued_per_user) {
		xasprintf(cause, "uid %u has %u tasks queued "
		    "(max_queued_per_user %u)", (unsigned)uid, u->queued,
		    sd.settings.max_queued_per_user);
		return (PROTO_QUOTA_EXCEEDED);
	}
	return (PROTO_OK);
}

/*
 * Is a limit one the user could set themselves: not above the hard limit
 * tasks inherit from the daemon?
 */
static int
admit_limit_ok(enum joblimit_kind kind, rlim_t value, rlim_t *hard)
{
	struct rlimit	 rl;

	if (getrlimit(joblimit_resource(kind), &rl) == -1)
		return (0);
	*hard = rl.rlim_max;
	return (rl.rlim_max == RLIM_INFINITY || value <= rl.rlim_max);
}

/*
 * May uid (admin or not) define def at run time, j being the job it
 * replaces or NULL?  A user may submit only settings they could apply
 * themselves, within the quotas.  PROTO_OK, or an error and a
 * caller-freed cause.
 */
enum proto_error
admit_job(const struct job *j, const struct jobdef *def, uid_t uid,
    int admin, char **cause)
{
	const struct usage	*u;
	enum proto_error	 e;
	json_t			*o;
	size_t			 size;
	rlim_t			 hard = 0;
	int			 i;

	if (!sd.is_root && uid != sd.uid) {
		xasprintf(cause, "schedd runs as uid %u and cannot run tasks "
		    "as uid %u", (unsigned)sd.uid, (unsigned)uid);
		return (PROTO_PERMISSION_DENIED);
	}
	/*
	 * cgroup limits: a user's only tighten the daemon's defaults; then,
	 * for everyone, their controllers must be there, as for a
	 * configuration job (schedd.yaml.5).
	 */
	if (!admin && cgroup_limits_permitted(def, &sd.settings, cause) != 0)
		return (PROTO_PERMISSION_DENIED);
	if (cgroup_limits_check_job(def, cgroup_controllers(), cgroup_root(),
	    cause) != 0)
		return (PROTO_BAD_REQUEST);
	/* Its hook jobs exist and are the owner's to name (hook.c). */
	if ((e = hook_check(def, uid, cause)) != PROTO_OK)
		return (e);
	if (admin)
		return (PROTO_OK);
	if (def->user != NULL || def->group != NULL) {
		*cause = xstrdup("only an administrator may set \"user\" or "
		    "\"group\"; your tasks run as you");
		return (PROTO_PERMISSION_DENIED);
	}
	if (def->nice_set && def->nice < 0) {
		xasprintf(cause, "only an administrator may set a negative "
		    "nice (%d)", def->nice);
		return (PROTO_PERMISSION_DENIED);
	}
	/* Records cost the daemon memory and disk: the admins' budget. */
	if (def->history > (int64_t)sd.settings.history) {
		xasprintf(cause, "only an administrator may keep more records "
		    "than the daemon's history (%u)",
		    (unsigned)sd.settings.history);
		return (PROTO_PERMISSION_DENIED);
	}
	for (i = 0; i < JOBLIM_MAX; i++) {
		if (def->limits[i].set && !admit_limit_ok(i,
		    def->limits[i].value, &hard)) {
			xasprintf(cause, "limits.%s %llu is above the hard "
			    "limit %llu; only an administrator may raise it",
			    joblimit_names[i],
			    (unsigned long long)def->limits[i].value,
			    (unsigned long long)hard);
			return (PROTO_PERMISSION_DENIED);
		}
	}
	if (def->description != NULL &&
	    strlen(def->description) > ADMIT_MAX_DESCRIPTION) {
		xasprintf(cause, "description is %zu bytes (at most %d)",
		    strlen(def->description), ADMIT_MAX_DESCRIPTION);
		return (PROTO_TOO_LARGE);
	}
	o = jobdef_to_json(def, NULL);
	size = json_dumpb(o, NULL, 0, JSON_COMPACT);
	json_decref(o);
	if (size > sd.settings.max_job_size) {
		xasprintf(cause, "job \"%s\" is %zu bytes encoded "
		    "(max_job_size %llu)", def->name, size,
		    (unsigned long long)sd.settings.max_job_size);
		return (PROTO_TOO_LARGE);
	}
	/* A job replaced by its own owner is not one more. */
	if ((j == NULL || j->origin != ORIGIN_RUNTIME || j->uid != uid) &&
	    (u = usage_get(uid, 0)) != NULL &&
	    u->jobs >= sd.settings.max_jobs_per_user) {
		xasprintf(cause, "uid %u owns %u jobs (max_jobs_per_user %u)",
		    (unsigned)uid, u->jobs, sd.settings.max_jobs_per_user);
		return (PROTO_QUOTA_EXCEEDED);
	}
	return (PROTO_OK);
}
