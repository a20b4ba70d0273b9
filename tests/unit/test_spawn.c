/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for spawn.c and proctree.c: what a task's process starts
 * with (session, descriptors, signals, environment, limits, ids), how a
 * failure to start is reported, and that proctree_kill reaches processes
 * that left the task's process group.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proctree.h"
#include "spawn.h"
#include "unit.h"

#define TEST_PATH	"/usr/local/bin:/usr/bin:/bin"

static char	*test_env[] = { "PATH=" TEST_PATH, NULL };

static void	 test_req_init(struct spawn_req *, char *const *);
static char	*test_run(struct spawn_req *, int *);
static char	*test_sh(const char *, int *);
static char	*test_read_line(int);
static int	 test_count_fds(void);
static void	 test_wait_gone(pid_t);
static void	 test_wait_sid(pid_t);

/* Fill a request for argv with the test environment and no output. */
static void
test_req_init(struct spawn_req *req, char *const *argv)
{
	memset(req, 0, sizeof *req);
	req->cgroup_fd = -1;
	req->path = argv[0];
	req->argv = argv;
	req->envp = test_env;
	req->out_fd = -1;
	req->umask = -1;
}

/* Start req with its output on a pipe; return the output and the status. */
static char *
test_run(struct spawn_req *req, int *status)
{
	char	*out = NULL, *cause = NULL;
	size_t	 len = 0, size = 0;
	ssize_t	 n;
	pid_t	 pid;
	int	 p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	req->out_fd = p[1];
	if (spawn_start(req, &pid, &cause) != 0)
		ck_abort_msg("spawn_start failed: %s", cause);
	close(p[1]);
	for (;;) {
		if (size - len < 512) {
			size = size == 0 ? 4096 : size * 2;
			out = realloc(out, size);
			ck_assert_ptr_nonnull(out);
		}
		n = read(p[0], out + len, size - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		len += n;
	}
	out[len] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, status, 0), pid);
	return (out);
}

/* Run a shell command line as a task; return its output. */
static char *
test_sh(const char *cmd, int *status)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/sh", "-c", NULL, NULL };

	argv[2] = (char *)cmd;
	test_req_init(&req, argv);
	return (test_run(&req, status));
}

/* Read one line (without its newline) from fd, byte by byte. */
static char *
test_read_line(int fd)
{
	static char	 line[256];
	size_t		 len = 0;
	ssize_t		 n;

	while (len < sizeof line - 1) {
		n = read(fd, line + len, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return (line);
}

/* How many descriptors this process has open. */
static int
test_count_fds(void)
{
	int	 fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	}
	return (n);
}

/* Wait (bounded) until pid no longer exists, reaping it if it is ours. */
static void
test_wait_gone(pid_t pid)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int		 i, status;

	for (i = 0; i < 500; i++) {
		waitpid(pid, &status, WNOHANG);
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("process %ld still exists", (long)pid);
}

/*
 * Wait (bounded) until pid leads its own session, i.e. setsid took, and
 * runs sleep: until its exec is done its environment may read as empty.
 */
static void
test_wait_sid(pid_t pid)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	char		 path[64], comm[32];
	FILE		*f;
	int		 i, ok;

	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	for (i = 0; i < 500; i++) {
		ok = 0;
		if (getsid(pid) == pid && (f = fopen(path, "r")) != NULL) {
			ok = fgets(comm, sizeof comm, f) != NULL &&
			    strcmp(comm, "sleep\n") == 0;
			fclose(f);
		}
		if (ok)
			return;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("process %ld never called setsid and ran sleep",
	    (long)pid);
}

START_TEST(test_exit_code)
{
	char	*out;
	int	 status;

	out = test_sh("echo hello; echo err >&2; exit 7", &status);
	ck_assert_str_eq(out, "hello\nerr\n");
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 7);
	free(out);
}
END_TEST

START_TEST(test_enoent)
{
	struct spawn_req	 req;
	char			*argv[] = { "/nonexistent/prog", NULL };
	char			*cause = NULL;
	pid_t			 pid = 0;

	test_req_init(&req, argv);
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), -1);
	ck_assert_str_eq(cause, "could not start: No such file or directory");
	ck_assert_int_eq(pid, 0);
	/* The failed child has been reaped already. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	free(cause);
}
END_TEST

START_TEST(test_eacces)
{
	struct spawn_req	 req;
	char			*argv[] = { "/dev/null", NULL };
	char			*cause = NULL;
	pid_t			 pid;

	test_req_init(&req, argv);
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), -1);
	ck_assert_str_eq(cause, "could not start: Permission denied");
	free(cause);
}
END_TEST

START_TEST(test_bad_workdir)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/true", NULL };
	char			*cause = NULL;
	pid_t			 pid;

	test_req_init(&req, argv);
	req.workdir = "/nonexistent-dir";
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), -1);
	ck_assert_str_eq(cause, "could not start: chdir /nonexistent-dir: "
	    "No such file or directory");
	free(cause);
}
END_TEST

START_TEST(test_workdir)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/pwd", NULL };
	char			*out;
	int			 status;

	test_req_init(&req, argv);
	out = test_run(&req, &status);
	ck_assert_str_eq(out, "/\n");
	free(out);

	test_req_init(&req, argv);
	req.workdir = "/tmp";
	out = test_run(&req, &status);
	ck_assert_str_eq(out, "/tmp\n");
	free(out);
}
END_TEST

START_TEST(test_env_exact)
{
	struct spawn_req	 req;
	char			*argv[] = { "/usr/bin/env", NULL };
	char			*envp[] = { "A=1", "B=two words", "C=",
	    NULL };
	char			*out;
	int			 status;

	setenv("SCHEDD_TEST_LEAK", "1", 1);
	test_req_init(&req, argv);
	req.envp = envp;
	out = test_run(&req, &status);
	ck_assert_str_eq(out, "A=1\nB=two words\nC=\n");
	ck_assert_int_eq(status, 0);
	free(out);
}
END_TEST

START_TEST(test_fds_closed)
{
	char	*out;
	int	 status, fd, before;

	/* Descriptors without close-on-exec, as a careless library leaves. */
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 3);
	ck_assert_int_eq(dup2(fd, 50), 50);

	out = test_sh("ls /proc/self/fd", &status);
	/* 0, 1, 2 and the descriptor ls reads the directory with. */
	ck_assert_str_eq(out, "0\n1\n2\n3\n");
	free(out);

	/* The parent keeps its own descriptors and leaks none. */
	ck_assert_int_ne(fcntl(50, F_GETFD), -1);
	ck_assert_int_eq(fcntl(50, F_GETFD) & FD_CLOEXEC, 0);
	before = test_count_fds();
	out = test_sh("true", &status);
	free(out);
	ck_assert_int_eq(test_count_fds(), before);
}
END_TEST

START_TEST(test_stdin_null)
{
	char	*out;
	int	 status;

	close(STDIN_FILENO);	/* spawn_start must not care */
	out = test_sh("readlink /proc/self/fd/0; cat; echo end", &status);
	ck_assert_str_eq(out, "/dev/null\nend\n");
	free(out);
}
END_TEST

START_TEST(test_session)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/sleep", "10", NULL };
	char			*cause = NULL;
	pid_t			 pid;
	int			 status;

	test_req_init(&req, argv);
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), 0);
	ck_assert_int_eq(getsid(pid), pid);
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_ne(getsid(0), pid);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
}
END_TEST

START_TEST(test_signals_reset)
{
	struct spawn_req	 req;
	struct sigaction	 sa, cur;
	sigset_t		 set, now;
	char			*argv[] = { "/usr/bin/grep", "-E",
	    "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	char			*out;
	int			 status;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	test_req_init(&req, argv);
	out = test_run(&req, &status);
	ck_assert_str_eq(out, "SigBlk:\t0000000000000000\n"
	    "SigIgn:\t0000000000000000\n");
	free(out);

	/* The daemon's own mask and dispositions are as they were. */
	sigprocmask(SIG_BLOCK, NULL, &now);
	ck_assert(sigismember(&now, SIGTERM));
	ck_assert(sigismember(&now, SIGUSR2));
	ck_assert(!sigismember(&now, SIGCHLD));
	sigaction(SIGINT, NULL, &cur);
	ck_assert(cur.sa_handler == SIG_IGN);
}
END_TEST

START_TEST(test_rlimit_umask_nice)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/sh", "-c",
	    "ulimit -n; ulimit -c; umask; nice", NULL };
	char			*out;
	int			 status;

	/* Keep the hard limit: valgrind refuses to change it. */
	test_req_init(&req, argv);
	req.limits[0].resource = RLIMIT_NOFILE;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &req.limits[0].rl), 0);
	req.limits[0].rl.rlim_cur = 64;
	req.limits[1].resource = RLIMIT_CORE;
	req.limits[1].rl.rlim_cur = req.limits[1].rl.rlim_max = 0;
	req.nlimits = 2;
	req.umask = 027;
	req.nice_set = 1;
	req.nice = 5;
	out = test_run(&req, &status);
	ck_assert_str_eq(out, "64\n0\n0027\n5\n");
	free(out);
}
END_TEST

START_TEST(test_set_ids)
{
	struct spawn_req	 req;
	gid_t			 groups[] = { 65534 };
	char			*argv[] = { "/bin/sh", "-c",
	    "id -u; id -g; id -G", NULL };
	char			*out;
	int			 status;

	if (getuid() != 0) {
		printf("SKIP test_set_ids: needs root\n");
		return;
	}
	test_req_init(&req, argv);
	req.set_ids = 1;
	req.uid = 65534;
	req.gid = 65534;
	req.groups = groups;
	req.ngroups = 1;
	out = test_run(&req, &status);
	ck_assert_str_eq(out, "65534\n65534\n65534\n");
	ck_assert_int_eq(status, 0);
	free(out);
	ck_assert_int_eq(getuid(), 0);
	ck_assert_int_eq(geteuid(), 0);
}
END_TEST

START_TEST(test_set_ids_fail)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/true", NULL };
	char			*cause = NULL;
	pid_t			 pid;

	if (getuid() == 0) {
		printf("SKIP test_set_ids_fail: needs a non-root user\n");
		return;
	}
	test_req_init(&req, argv);
	req.set_ids = 1;
	req.uid = 0;
	req.gid = 0;
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), -1);
	ck_assert_str_eq(cause, "could not start: setgroups: "
	    "Operation not permitted");
	free(cause);
}
END_TEST

START_TEST(test_kill_tree)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/sh", "-c",
	    "trap '' TERM; setsid sleep 100 >/dev/null 2>&1 & echo $!; "
	    "exec sleep 100", NULL };
	char			*cause = NULL;
	char			*envp[] = { "PATH=" TEST_PATH,
	    "SCHEDD_TASK_ID=42", NULL };
	pid_t			 pid, gpid;
	int			 p[2], status;

	ck_assert_int_eq(spawn_subreaper(), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	test_req_init(&req, argv);
	req.envp = envp;
	req.out_fd = p[1];
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), 0);
	close(p[1]);
	gpid = atoi(test_read_line(p[0]));
	ck_assert_int_gt(gpid, 1);
	test_wait_sid(gpid);
	ck_assert_int_ne(getpgid(gpid), pid);

	/* Both ignore TERM: they are signalled and stay. */
	ck_assert_int_ge(proctree_kill(pid, 42, 0, SIGTERM), 2);
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_int_eq(kill(gpid, 0), 0);

	ck_assert_int_ge(proctree_kill(pid, 42, 0, SIGKILL), 2);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
	test_wait_gone(gpid);
	close(p[0]);
}
END_TEST

START_TEST(test_kill_tree_orphan)
{
	struct spawn_req	 req;
	char			*argv[] = { "/bin/sh", "-c",
	    "setsid sleep 100 >/dev/null 2>&1 & echo $!", NULL };
	char			*cause = NULL;
	char			*env42[] = { "PATH=" TEST_PATH,
	    "SCHEDD_TASK_ID=42", NULL };
	char			*env4[] = { "PATH=" TEST_PATH,
	    "SCHEDD_TASK_ID=4", NULL };
	pid_t			 pid, gpid, other, opid;
	int			 p[2], status;

	ck_assert_int_eq(spawn_subreaper(), 0);

	/* Another task whose orphan must survive: its id is a prefix. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	test_req_init(&req, argv);
	req.envp = env4;
	req.out_fd = p[1];
	ck_assert_int_eq(spawn_start(&req, &other, &cause), 0);
	close(p[1]);
	opid = atoi(test_read_line(p[0]));
	close(p[0]);
	ck_assert_int_eq(waitpid(other, &status, 0), other);
	test_wait_sid(opid);

	/* The task's leader exits; its daemonised child is ours now. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	test_req_init(&req, argv);
	req.envp = env42;
	req.out_fd = p[1];
	ck_assert_int_eq(spawn_start(&req, &pid, &cause), 0);
	close(p[1]);
	gpid = atoi(test_read_line(p[0]));
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	test_wait_sid(gpid);

	ck_assert_int_eq(proctree_kill(pid, 42, PROCTREE_LEADER_GONE,
	    SIGKILL), 1);
	test_wait_gone(gpid);
	ck_assert_int_eq(kill(opid, 0), 0);
	kill(opid, SIGKILL);
	test_wait_gone(opid);
}
END_TEST

START_TEST(test_resolve)
{
	char	 dir[] = "/tmp/test_spawn.XXXXXX", path[PATH_MAX], *s;
	int	 fd;

	s = spawn_resolve("sh", "/nonexistent::/bin");
	ck_assert_str_eq(s, "/bin/sh");
	free(s);
	s = spawn_resolve("/bin/sh", "/nonexistent");
	ck_assert_str_eq(s, "/bin/sh");
	free(s);
	s = spawn_resolve("./script", "/bin");
	ck_assert_str_eq(s, "./script");
	free(s);

	errno = 0;
	ck_assert_ptr_null(spawn_resolve("no-such-program-xyz", "/bin"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(spawn_resolve("/nonexistent/x", "/bin"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(spawn_resolve("", "/bin"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(spawn_resolve("/tmp", "/bin"));
	ck_assert_int_eq(errno, EACCES);

	/* Not executable, then a directory: skipped, the later one wins. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/prog", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_ptr_null(spawn_resolve("prog", dir));
	ck_assert_int_eq(errno, EACCES);
	snprintf(path, sizeof path, "%s:/bin", dir);
	ck_assert_ptr_null(spawn_resolve("prog", path));
	ck_assert_int_eq(errno, EACCES);
	snprintf(path, sizeof path, "%s/prog", dir);
	chmod(path, 0755);
	s = spawn_resolve("prog", dir);
	ck_assert_str_eq(s, path);
	free(s);
	unlink(path);

	snprintf(path, sizeof path, "%s/true", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s:/bin", dir);
	s = spawn_resolve("true", path);
	ck_assert_str_eq(s, "/bin/true");
	free(s);
	snprintf(path, sizeof path, "%s/true", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* Collect the tests. */
static Suite *
spawn_suite(void)
{
	Suite	*s = suite_create("spawn");
	TCase	*tc = tcase_create("spawn");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_exit_code);
	tcase_add_test(tc, test_enoent);
	tcase_add_test(tc, test_eacces);
	tcase_add_test(tc, test_bad_workdir);
	tcase_add_test(tc, test_workdir);
	tcase_add_test(tc, test_env_exact);
	tcase_add_test(tc, test_fds_closed);
	tcase_add_test(tc, test_stdin_null);
	tcase_add_test(tc, test_session);
	tcase_add_test(tc, test_signals_reset);
	tcase_add_test(tc, test_rlimit_umask_nice);
	tcase_add_test(tc, test_set_ids);
	tcase_add_test(tc, test_set_ids_fail);
	tcase_add_test(tc, test_kill_tree);
	tcase_add_test(tc, test_kill_tree_orphan);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (unit_run(spawn_suite(), 1));
}
