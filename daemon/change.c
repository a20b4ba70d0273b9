/* SPDX-License-Identifier: ISC */
/*
 * Changes that are acknowledged (doc/state.md): a runtime job defined or
 * removed, a job paused or resumed, a name banned or unbanned, a runtime
 * job's name taken by the configuration.  Each goes through here in the
 * same order: the state layer journals the change as proposed, and only
 * then memory changes; the answer waits until the line is on disk
 * (client_hold).  When the journal cannot take it, nothing changes and
 * the caller answers persist_failed; there is nothing to undo.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schedd.h"
#include "util.h"

/*
 * Define a runtime job for uid: new, or j redefined (the owner may change;
 * see job_set_owner).  Takes def's reference on success.  NULL if the
 * state cannot be written.
 */
struct job *
change_job_define(struct job *j, struct jobdef *def, uid_t uid)
{
	if (state_job_def(def, uid, !def->enabled) != 0)
		return (NULL);
	if (j == NULL)
		return (job_create(def, ORIGIN_RUNTIME, uid));
	job_set_owner(j, ORIGIN_RUNTIME, uid);
	job_set_def(j, def, JOB_DEF_REPLACE);
	return (j);
}

/*
 * Remove a runtime job (see job_remove for cancelled, stopped and stop).
 * -1 if the state cannot be written.
 */
int
change_job_remove(struct job *j, json_t *cancelled, json_t *stopped,
    enum job_remove_how stop)
{
	if (state_job_remove(j->name) != 0)
		return (-1);
	job_remove(j, cancelled, stopped, stop);
	return (0);
}

/*
 * The configuration takes a runtime job's name: the runtime job is gone
 * for good, so that no replay brings it back.  Applied even when the
 * state cannot be written (the configuration file holds the truth; the
 * snapshot the retry writes has it).
 */
void
change_job_to_config(struct job *j, struct jobdef *def)
{
	if (state_job_remove(j->name) != 0)
		log_warnx("reload: job %s: the state cannot be written; it is "
		    "saved when it can", j->name);
	job_set_owner(j, ORIGIN_CONFIG, sd.uid);
	job_set_def(j, def, JOB_DEF_FRESH);
	state_job(j);
}

/* Pause or resume a job's schedule.  -1 if the state cannot be written. */
int
change_job_pause(struct job *j, int paused)
{
	if (j->paused == paused)
		return (0);
	if (state_job_paused(j, paused) != 0)
		return (-1);
	j->paused = paused;
	if (paused)
		sched_pause(j);
	else
		sched_resume(j);
	return (0);
}

/*
 * Ban a name or pattern (or give an existing entry a new reason, time and
 * author).  NULL if the state cannot be written.
 */
struct ban *
change_ban(const char *name, const char *reason, uid_t by)
{
	struct ban	 proposed;

	ban_propose(&proposed, name, reason, by, 0);
	if (state_bans_propose(&proposed, 0) != 0)
		return (NULL);
	return (ban_set(&proposed));
}

/*
 * Lift a ban entry; b is freed.  -1 if the state cannot be written (b
 * stays).
 */
int
change_unban(struct ban *b)
{
	if (state_bans_propose(b, 1) != 0)
		return (-1);
	ban_remove(b);
	return (0);
}
