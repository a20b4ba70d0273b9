/* SPDX-License-Identifier: ISC */
/*
 * What bounds the cost of a cgroup per task (doc/performance.md): times
 * the daemon's own spawn_start (daemon/spawn.c) of /bin/true, the part
 * of a dispatch during which the event loop waits, in three ways:
 *
 *   none	no cgroup, as with "cgroup: off";
 *   fresh	a new cgroup made for each process, as schedd does for
 *		each task (tasks/ID); mkdir and the spawn timed apart;
 *   reused	the same cgroup for every process, which schedd does not
 *		do (a task's cgroup carries its usage), for comparison.
 *
 * Each process is reaped and a fresh cgroup removed before the next, off
 * the clock.  Prints microseconds per spawn and each as a ratio to
 * "none", then key=value lines.  Asserts nothing.
 *
 * usage: bench/spawn -d CGROUP_FOLDER [-n N]
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "bench.h"

static void	 spawn_one(int, int, double *);
static void	 usage(void);

static char	*argv_true[] = { "true", NULL };
static char	*envp_empty[] = { NULL };

/*
 * Spawn /bin/true into the cgroup folder cgfd (-1 none) and reap it;
 * adds the seconds spawn_start took to *total.
 */
static void
spawn_one(int out_fd, int cgfd, double *total)
{
	struct spawn_req	 req;
	pid_t			 pid;
	char			*cause;
	double			 t0;
	int			 status;

	memset(&req, 0, sizeof req);
	req.path = "/bin/true";
	req.argv = argv_true;
	req.envp = envp_empty;
	req.out_fd = out_fd;
	req.cgroup_fd = cgfd;
	req.umask = -1;
	t0 = now();
	if (spawn_start(&req, &pid, &cause) == -1) {
		fprintf(stderr, "spawn: %s\n", cause);
		exit(1);
	}
	*total += now() - t0;
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "spawn: /bin/true did not succeed\n");
		exit(1);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: spawn -d cgroup-folder [-n count]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char	*dir = NULL;
	char		 path[4096];
	double		 none = 0, fresh = 0, mk = 0, reused = 0, t0;
	int		 ch, i, n = 2000, out_fd, dirfd, cgfd;

	while ((ch = getopt(argc, argv, "d:n:")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (dir == NULL || n <= 0)
		usage();
	if ((out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1 ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		perror(dir);
		return (1);
	}

	/* Rounds interleave the three, so that all see the same machine. */
	for (i = 0; i < n; i++) {
		spawn_one(out_fd, -1, &none);

		snprintf(path, sizeof path, "fresh-%d", i);
		t0 = now();
		if (mkdirat(dirfd, path, 0755) == -1) {
			perror(path);
			return (1);
		}
		mk += now() - t0;
		if ((cgfd = openat(dirfd, path, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			perror(path);
			return (1);
		}
		spawn_one(out_fd, cgfd, &fresh);
		close(cgfd);
		while (unlinkat(dirfd, path, AT_REMOVEDIR) == -1 &&
		    errno == EBUSY)
			usleep(100);	/* the exited process still leaving */

		if (mkdirat(dirfd, "reused", 0755) == -1 && errno != EEXIST) {
			perror("reused");
			return (1);
		}
		if ((cgfd = openat(dirfd, "reused", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			perror("reused");
			return (1);
		}
		spawn_one(out_fd, cgfd, &reused);
		close(cgfd);
	}
	while (unlinkat(dirfd, "reused", AT_REMOVEDIR) == -1 &&
	    errno == EBUSY)
		usleep(100);

	none = none / n * 1e6;
	fresh = fresh / n * 1e6;
	mk = mk / n * 1e6;
	reused = reused / n * 1e6;
	printf("spawn_start of /bin/true, %d each, loop blocked per spawn:\n",
	    n);
	printf("  no cgroup:          %7.1f us (1.00)\n", none);
	printf("  fresh cgroup:       %7.1f us (%.2f), mkdir %.1f us more\n",
	    fresh, fresh / none, mk);
	printf("  reused cgroup:      %7.1f us (%.2f)\n", reused,
	    reused / none);
	printf("spawn_none_us=%.1f\nspawn_fresh_us=%.1f\nspawn_mkdir_us=%.1f\n"
	    "spawn_reused_us=%.1f\n", none, fresh, mk, reused);
	return (0);
}
