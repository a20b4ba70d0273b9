/* SPDX-License-Identifier: ISC */
/*
 * The machine's floor for timer lateness under load: a bare loop that
 * sleeps to a deadline every period (clock_nanosleep, absolute, on the
 * monotonic clock) and records how late it woke, while a second process
 * starts /bin/true at a given rate (vfork, as schedd does) -- the load a
 * daemon running that many tasks per second puts on the machine.  What
 * else loads it (a busy disk) is the caller's.  schedd's lateness with
 * the same load is judged against these figures (doc/performance.md):
 * no event loop can wake earlier than this one.
 *
 * Prints human lines and key=value lines for scripts.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char	**environ;

static char	*true_argv[] = { "true", NULL };
static const char *true_path = "/bin/true";

static void	 tick(struct timespec *, long);
static int	 cmp_long(const void *, const void *);
static void	 spawner(long);
static void	 usage(void) __attribute__((__noreturn__));

/* Move ts on by ns nanoseconds. */
static void
tick(struct timespec *ts, long ns)
{
	ts->tv_nsec += ns;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_nsec -= 1000000000L;
		ts->tv_sec++;
	}
}

static int
cmp_long(const void *a, const void *b)
{
	long	 x = *(const long *)a, y = *(const long *)b;

	return (x < y ? -1 : x > y);
}

/* The load: start /bin/true rate times a second until killed. */
static void
spawner(long rate)
{
	struct timespec	 next;
	pid_t		 pid;

	/* The children are reaped by the kernel. */
	signal(SIGCHLD, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		tick(&next, 1000000000L / rate);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
		    NULL) == EINTR)
			;
		if ((pid = vfork()) == 0) {
			execve(true_path, true_argv, environ);
			_exit(127);
		}
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: timerfloor [-p period_us] [-r spawns/s] "
	    "[-s seconds]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct timespec	 due, woke;
	long		*late, period_us = 1000, rate = 1000;
	double		 secs = 10;
	size_t		 n, i;
	pid_t		 load = -1;
	int		 ch;

	while ((ch = getopt(argc, argv, "p:r:s:")) != -1) {
		switch (ch) {
		case 'p':
			period_us = atol(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (period_us <= 0 || rate < 0 || secs <= 0)
		usage();
	if (access(true_path, X_OK) != 0)
		true_path = "/usr/bin/true";
	n = (size_t)(secs * 1e6 / period_us);
	if (n == 0 || (late = calloc(n, sizeof *late)) == NULL)
		usage();

	if (rate > 0) {
		if ((load = fork()) == -1) {
			perror("fork");
			return (1);
		}
		if (load == 0) {
			spawner(rate);
			_exit(0);
		}
		/* Let the load settle. */
		usleep(200000);
	}
	clock_gettime(CLOCK_MONOTONIC, &due);
	for (i = 0; i < n; i++) {
		tick(&due, period_us * 1000);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due,
		    NULL) == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &woke);
		late[i] = ((woke.tv_sec - due.tv_sec) * 1000000000L +
		    (woke.tv_nsec - due.tv_nsec)) / 1000;
	}
	if (load > 0) {
		kill(load, SIGKILL);
		waitpid(load, NULL, 0);
	}
	qsort(late, n, sizeof *late, cmp_long);
	printf("a bare timer every %ld us for %.1f s, %ld spawns/s beside: "
	    "lateness p50 %ld us, p99 %ld us, max %ld us\n", period_us, secs,
	    rate, late[n / 2], late[n * 99 / 100], late[n - 1]);
	printf("floor_samples=%zu\n", n);
	printf("floor_late_p50_us=%ld\n", late[n / 2]);
	printf("floor_late_p99_us=%ld\n", late[n * 99 / 100]);
	printf("floor_late_max_us=%ld\n", late[n - 1]);
	free(late);
	return (0);
}
