/* SPDX-License-Identifier: ISC */
/*
 * A task's process tree once it has started: finding its processes
 * through /proc, signalling and counting them.  spawn.h starts them.
 */
#ifndef PROCTREE_H
#define PROCTREE_H

#include <sys/types.h>

/*
 * What is known of a task's leader: PROCTREE_LEADER_GONE once it has been
 * reaped (its pid may now be anybody's), PROCTREE_GROUP_GONE once no
 * process was left in its process group or session either (then that
 * number may be anybody's too).  Only tagged processes and their
 * descendants are matched beyond what these allow.
 */
#define PROCTREE_LEADER_GONE	0x1
#define PROCTREE_GROUP_GONE	0x2

/*
 * Send a signal to a task's whole process group and to every descendant
 * that left it (found through /proc by ancestry or by the task's
 * SCHEDD_TASK_ID in its environment).  Returns how many processes were
 * signalled.
 */
int	 proctree_kill(pid_t, unsigned long long, int, int);

/*
 * How many of the task's processes (as above) are alive, zombies aside;
 * *group (if not NULL) gets how many of those are in the leader's process
 * group or session.
 */
int	 proctree_alive(pid_t, unsigned long long, int, int *);

/*
 * After a restart: SIGKILL what is left of a task of a previous daemon --
 * only processes of its group or session that carry its SCHEDD_TASK_ID,
 * so a reused pid is never hit.  Returns how many were signalled.
 */
int	 proctree_kill_lost(pid_t, unsigned long long);

/*
 * Does the daemon have a child that is not a task's main process?  What a
 * task leaves behind when its main process ends is reparented to the
 * daemon (a child subreaper), so without one there is nothing to look
 * for.  Cheap: /proc/self/task/TID/children only.
 */
int	 proctree_orphans(void);
void	 proctree_reaped(void);

#endif
