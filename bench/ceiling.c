/* SPDX-License-Identifier: ISC */
/*
 * The machine's raw spawn ceiling: how many fork+exec+wait of /bin/true
 * it does per second, one at a time and with several in flight, with
 * fork, vfork and posix_spawn; and how fork slows down in a process that
 * has touched a lot of memory while vfork does not.  schedd's dispatch
 * rate is judged against these figures (doc/performance.md).
 *
 * Prints human lines and key=value lines for scripts.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

extern char	**environ;

enum method {
	M_FORK,
	M_VFORK,
	M_POSIX_SPAWN,
};

static const char	*method_names[] = { "fork", "vfork", "posix_spawn" };
static char		*true_argv[] = { "true", NULL };
static const char	*true_path = "/bin/true";

static pid_t	 start_one(enum method);
static void	 reap_one(void);
static double	 measure(enum method, int, int);
static void	 usage(void) __attribute__((__noreturn__));

/* Start /bin/true with the given method; exits on failure. */
static pid_t
start_one(enum method m)
{
	pid_t	 pid;
	int	 error;

	switch (m) {
	case M_FORK:
		if ((pid = fork()) == 0) {
			execve(true_path, true_argv, environ);
			_exit(127);
		}
		break;
	case M_VFORK:
		if ((pid = vfork()) == 0) {
			execve(true_path, true_argv, environ);
			_exit(127);
		}
		break;
	case M_POSIX_SPAWN:
		error = posix_spawn(&pid, true_path, NULL, NULL, true_argv,
		    environ);
		if (error != 0) {
			errno = error;
			pid = -1;
		}
		break;
	default:
		abort();
	}
	if (pid == -1) {
		perror(method_names[m]);
		exit(1);
	}
	return (pid);
}

/* Wait for any child and check it succeeded. */
static void
reap_one(void)
{
	int	 status;

	while (wait(&status) == -1) {
		if (errno != EINTR) {
			perror("wait");
			exit(1);
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ceiling: %s failed\n", true_path);
		exit(1);
	}
}

/* Spawns per second for n runs with at most inflight at once. */
static double
measure(enum method m, int n, int inflight)
{
	double	 t0, t;
	int	 started = 0, running = 0;

	t0 = now();
	while (started < n) {
		while (running < inflight && started < n) {
			start_one(m);
			started++;
			running++;
		}
		reap_one();
		running--;
	}
	while (running > 0) {
		reap_one();
		running--;
	}
	t = now() - t0;
	return (n / t);
}

/* Say how to call us and leave. */
static void
usage(void)
{
	fprintf(stderr, "usage: ceiling [-n count] [-j inflight] [-m MB]\n");
	exit(2);
}

/* Measure each method serially and in parallel, then with big memory. */
int
main(int argc, char **argv)
{
	double	 serial[3], par[3], big_fork, big_vfork;
	char	*mem;
	size_t	 size, i;
	int	 ch, n = 2000, jobs = 8, mb = 200, m;

	while ((ch = getopt(argc, argv, "j:m:n:")) != -1) {
		switch (ch) {
		case 'j':
			jobs = atoi(optarg);
			break;
		case 'm':
			mb = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (n <= 0 || jobs <= 0 || mb < 0)
		usage();
	if (access(true_path, X_OK) != 0)
		true_path = "/usr/bin/true";

	/* Warm up the page cache and the dynamic loader's files. */
	measure(M_FORK, n / 20 + 1, 1);

	for (m = M_FORK; m <= M_POSIX_SPAWN; m++) {
		serial[m] = measure(m, n, 1);
		par[m] = measure(m, n, jobs);
		printf("%-11s serial: %8.0f spawns/s  parallel%d: %8.0f "
		    "spawns/s\n", method_names[m], serial[m], jobs, par[m]);
	}
	printf("ceiling serial: %.0f spawns/s\n", serial[M_FORK]);
	printf("ceiling parallel%d: %.0f spawns/s\n", jobs, par[M_FORK]);

	printf("ceiling_n=%d\n", n);
	printf("ceiling_jobs=%d\n", jobs);
	printf("ceiling_serial=%.0f\n", serial[M_FORK]);
	printf("ceiling_parallel=%.0f\n", par[M_FORK]);
	for (m = M_FORK; m <= M_POSIX_SPAWN; m++) {
		printf("%s_serial=%.0f\n", method_names[m], serial[m]);
		printf("%s_parallel=%.0f\n", method_names[m], par[m]);
	}
	fflush(stdout);

	if (mb == 0)
		return (0);
	size = (size_t)mb * 1024 * 1024;
	if ((mem = malloc(size)) == NULL) {
		perror("malloc");
		return (1);
	}
	/* Touch every page so fork has page tables to copy. */
	for (i = 0; i < size; i += 4096)
		mem[i] = (char)i;
	n = n / 4 + 1;
	big_fork = measure(M_FORK, n, 1);
	big_vfork = measure(M_VFORK, n, 1);
	printf("with %d MB touched: fork %.0f spawns/s, vfork %.0f spawns/s "
	    "(fork at %.0f%% of its small-process rate, vfork at %.0f%%)\n",
	    mb, big_fork, big_vfork, 100 * big_fork / serial[M_FORK],
	    100 * big_vfork / serial[M_VFORK]);
	printf("bigmem_mb=%d\n", mb);
	printf("fork_serial_bigmem=%.0f\n", big_fork);
	printf("vfork_serial_bigmem=%.0f\n", big_vfork);
	free(mem);
	return (0);
}
