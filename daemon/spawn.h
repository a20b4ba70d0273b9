/* SPDX-License-Identifier: ISC */
/*
 * Starting a task's process.  spawn.c is the only file that forks.
 *
 * Everything is resolved by the caller before spawn_start: the absolute
 * program path, argv, envp, ids and groups, limits.  The child does only
 * async-signal-safe work, reports a failure before exec in the memory it
 * shares with the daemon until then, and never runs the command with
 * privileges it was asked to drop.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>
#include <sys/resource.h>

#define SPAWN_MAX_LIMITS	8

struct spawn_req {
	const char	*path;		/* absolute program path to execve */
	char *const	*argv;
	char *const	*envp;
	const char	*workdir;	/* chdir here; NULL: stay in / */
	int		 out_fd;	/* becomes stdout and stderr */
	int		 cgroup_fd;	/* its cgroup's folder, or -1 */
	/* Where the kernel can, *pid_early has the pid before the exec. */
	pid_t		*pid_early;	/* or NULL */

	int		 set_ids;	/* drop to uid/gid/groups */
	uid_t		 uid;
	gid_t		 gid;
	const gid_t	*groups;
	int		 ngroups;

	int		 umask;		/* -1: leave as is */
	int		 nice_set;
	int		 nice;
	int		 limits_as_user; /* nice, limits after dropping ids */
	struct {
		int		 resource;	/* RLIMIT_* */
		struct rlimit	 rl;
	}		 limits[SPAWN_MAX_LIMITS];
	int		 nlimits;

	/*
	 * A task's result file (schedd.8 TASK RESULTS): the child makes it,
	 * empty, in result_dirfd and gives it to uid and gid before it drops
	 * its privileges, and stores 0 or the errno in *result_error.
	 */
	const char	*result_name;	/* NULL: none */
	int		 result_dirfd;
	int		*result_error;
};

/*
 * Start the process in a new session.  Returns 0 and *pid, or -1 and a
 * caller-freed *cause such as "could not start: No such file or directory"
 * (the process, if one was created, has been reaped or will be reaped by
 * the SIGCHLD handler as an unknown pid).
 */
int	 spawn_start(const struct spawn_req *, pid_t *, char **);

/*
 * Find the absolute path of argv[0] using PATH from envp (execvp rules);
 * returns a caller-freed path, or NULL and errno.
 */
char	*spawn_resolve(const char *, const char *);

/*
 * Run fn(arg) in a forked child that exits with its return value: for
 * work on a copy of the daemon's memory (a snapshot).  The child gets
 * default signal dispositions.  Returns the pid, or -1.
 */
pid_t	 spawn_worker(int (*)(void *), void *);

/*
 * Become a child subreaper, so orphaned task processes stay ours (see
 * proctree.h); -1 and errno if the kernel refuses.
 */
int	 spawn_subreaper(void);

#endif
