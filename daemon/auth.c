/* SPDX-License-Identifier: ISC */
/*
 * Who may do what (schedd.8 PERMISSIONS): root and the daemon's own uid are
 * admins; other users act only on the jobs and tasks they submitted.
 */
#include <sys/types.h>

#include "schedd.h"

/* Is a peer with this uid an admin of a daemon running as daemon_uid? */
int
auth_is_admin(uid_t peer, uid_t daemon_uid)
{
	return (peer == 0 || peer == daemon_uid);
}

/* May the peer run, stop, cancel, remove, pause or resume this job? */
int
auth_may_job(uid_t peer, int admin, const struct job *j)
{
	if (admin)
		return (1);
	return (j->origin == ORIGIN_RUNTIME && j->uid == peer);
}

/* May the peer stop or cancel this task? */
int
auth_may_task(uid_t peer, int admin, const struct task *t)
{
	if (admin)
		return (1);
	return (t->uid == peer);
}
