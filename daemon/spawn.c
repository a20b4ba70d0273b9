/*
 * Starting a task's process: the only place in schedd that forks (tasks
 * with vfork; spawn_worker's fork for the state's compaction).
 *
 * spawn_start uses vfork, so the cost of starting a task does not grow
 * with the daemon's memory (no page tables are copied).  The child shares
 * the daemon's memory until it calls execve, so it does only
 * async-signal-safe work on data prepared by the parent, writes nothing
 * but its own stack and, on failure, a small report into a close-on-exec
 * status pipe: the parent reads end-of-file when the exec succeeded and a
 * {stage, errno} report when it did not.  All signals are blocked around
 * the vfork so no daemon handler can run in the child.
 *
 * Finding, signalling and counting a task's processes once it runs is
 * proctree.c's work.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "xmalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

#define SPAWN_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"
#define SPAWN_FD_LOOP_MAX	65536	/* fallback loop bound, no limit */

/* Where the child failed; reported with errno through the status pipe. */
enum spawn_stage {
	STAGE_SETSID = 1,
	STAGE_SIGNALS,
	STAGE_FDS,
	STAGE_CLOEXEC,
	STAGE_NICE,
	STAGE_RLIMIT,
	STAGE_SETGROUPS,
	STAGE_SETGID,
	STAGE_SETUID,
	STAGE_IDCHECK,
	STAGE_CHDIR,
	STAGE_EXEC,
};

struct spawn_report {
	int	stage;
	int	error;
};

/* Everything the child needs, prepared by the parent before vfork. */
struct spawn_child {
	const struct spawn_req	*req;
	const char		*workdir;
	int			 null_fd;	/* /dev/null, >= 3 */
	int			 out_fd;	/* >= 3 */
	int			 status_fd;	/* write end, >= 3 */
	int			 fd_limit;	/* fallback loop bound */
	sigset_t		 empty;
};

static int	spawn_devnull = -1;

static void	spawn_child_sigdfl(int);
static void	spawn_child_fail(const struct spawn_child *, int)
		    __attribute__((__noreturn__));
static void	spawn_child_run(const struct spawn_child *)
		    __attribute__((__noreturn__));
static int	spawn_child_cloexec(const struct spawn_child *);
static int	spawn_child_ids(const struct spawn_req *);
static int	spawn_child_limits(const struct spawn_req *);
static pid_t	spawn_fork(const struct spawn_child *);
static int	spawn_fd_high(int, int *);
static int	spawn_fd_limit(void);
static char	*spawn_cause(const struct spawn_child *,
		    const struct spawn_report *);

/* Report a failed stage to the parent and leave without running atexit. */
static void
spawn_child_fail(const struct spawn_child *sc, int stage)
{
	struct spawn_report	 r;
	ssize_t			 n;

	r.stage = stage;
	r.error = errno;
	do
		n = write(sc->status_fd, &r, sizeof r);
	while (n == -1 && errno == EINTR);
	_exit(127);
}

/* Mark every descriptor above 2 close-on-exec. */
static int
spawn_child_cloexec(const struct spawn_child *sc)
{
	int	 fd, flags;

#if defined(SYS_close_range)
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return (0);
#endif
	for (fd = 3; fd < sc->fd_limit; fd++) {
		flags = fcntl(fd, F_GETFD);
		if (flags == -1 || (flags & FD_CLOEXEC))
			continue;
		if (fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1)
			return (-1);
	}
	return (0);
}

/*
 * Drop groups, then gid, then uid, and check that each took.  The raw
 * system calls are used: libc wrappers may try to synchronise threads,
 * which a vfork child must not do.
 */
static int
spawn_child_ids(const struct spawn_req *req)
{
	uid_t	 uid = req->uid;
	gid_t	 gid = req->gid;

	/* 32-bit ids have their own calls where the old ones took 16 bits. */
#if defined(SYS_setresuid32)
	if (syscall(SYS_setgroups32, req->ngroups, req->groups) == -1)
		return (STAGE_SETGROUPS);
	if (syscall(SYS_setresgid32, gid, gid, gid) == -1)
		return (STAGE_SETGID);
	if (syscall(SYS_setresuid32, uid, uid, uid) == -1)
		return (STAGE_SETUID);
#else
	if (syscall(SYS_setgroups, req->ngroups, req->groups) == -1)
		return (STAGE_SETGROUPS);
	if (syscall(SYS_setresgid, gid, gid, gid) == -1)
		return (STAGE_SETGID);
	if (syscall(SYS_setresuid, uid, uid, uid) == -1)
		return (STAGE_SETUID);
#endif
	if (getuid() != uid || geteuid() != uid ||
	    getgid() != gid || getegid() != gid) {
		errno = EPERM;
		return (STAGE_IDCHECK);
	}
	if (uid != 0) {
#if defined(SYS_setresuid32)
		if (syscall(SYS_setresuid32, 0, 0, 0) != -1) {
#else
		if (syscall(SYS_setresuid, 0, 0, 0) != -1) {
#endif
			errno = EPERM;
			return (STAGE_IDCHECK);
		}
	}
	return (0);
}

/* Apply nice and resource limits; the failed stage, or 0. */
static int
spawn_child_limits(const struct spawn_req *req)
{
	int	 i;

	if (req->nice_set && setpriority(PRIO_PROCESS, 0, req->nice) == -1)
		return (STAGE_NICE);
	for (i = 0; i < req->nlimits; i++) {
		if (setrlimit(req->limits[i].resource,
		    &req->limits[i].rl) == -1)
			return (STAGE_RLIMIT);
	}
	return (0);
}

/*
 * Reset a signal the C library keeps for itself (it refuses sigaction on
 * its internal real-time signals), so an ignored one is not inherited.
 */
static void
spawn_child_sigdfl(int sig)
{
	struct {
		void		(*handler)(int);
		unsigned long	 flags;
		void		(*restorer)(void);
		unsigned long	 mask;
	} ksa;

	memset(&ksa, 0, sizeof ksa);
	ksa.handler = SIG_DFL;
	syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof ksa.mask);
}

/* The child between vfork and execve: async-signal-safe calls only. */
static void
spawn_child_run(const struct spawn_child *sc)
{
	const struct spawn_req	*req = sc->req;
	struct sigaction	 sa;
	int			 i, stage;

	if (setsid() == -1)
		spawn_child_fail(sc, STAGE_SETSID);

	/* Still blocked, so no daemon handler runs here; EINVAL is fine. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 1; i < NSIG; i++) {
		if (sigaction(i, &sa, NULL) == -1)
			spawn_child_sigdfl(i);
	}

	if (dup2(sc->null_fd, STDIN_FILENO) == -1 ||
	    dup2(sc->out_fd, STDOUT_FILENO) == -1 ||
	    dup2(sc->out_fd, STDERR_FILENO) == -1)
		spawn_child_fail(sc, STAGE_FDS);
	if (spawn_child_cloexec(sc) == -1)
		spawn_child_fail(sc, STAGE_CLOEXEC);

	if (req->umask != -1)
		umask((mode_t)req->umask);
	/*
	 * An administrator's job may lower nice and raise limits, so those
	 * come while the privileges are there; a user's job gets them after
	 * the drop, where the kernel holds them to the user's own bounds.
	 */
	if (!req->limits_as_user && (stage = spawn_child_limits(req)) != 0)
		spawn_child_fail(sc, stage);
	if (req->set_ids && (stage = spawn_child_ids(req)) != 0)
		spawn_child_fail(sc, stage);
	if (req->limits_as_user && (stage = spawn_child_limits(req)) != 0)
		spawn_child_fail(sc, stage);

	if (chdir(sc->workdir) == -1)
		spawn_child_fail(sc, STAGE_CHDIR);

	if (sigprocmask(SIG_SETMASK, &sc->empty, NULL) == -1)
		spawn_child_fail(sc, STAGE_SIGNALS);
	execve(req->path, req->argv, req->envp);
	spawn_child_fail(sc, STAGE_EXEC);
}

/* vfork and run the child; kept apart so no local is live across vfork. */
static pid_t
spawn_fork(const struct spawn_child *sc)
{
	pid_t	 pid;

	pid = vfork();
	if (pid == 0)
		spawn_child_run(sc);
	return (pid);
}

/* Make sure fd is above 2, duplicating it if needed; *dup gets the copy. */
static int
spawn_fd_high(int fd, int *dupfd)
{
	*dupfd = -1;
	if (fd > STDERR_FILENO)
		return (fd);
	if ((*dupfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) == -1)
		return (-1);
	return (*dupfd);
}

/* How far the child's fallback close-on-exec loop must go. */
static int
spawn_fd_limit(void)
{
	struct rlimit	 rl;
	long		 n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur > INT_MAX ? INT_MAX : (long)rl.rlim_cur;
	else if ((n = sysconf(_SC_OPEN_MAX)) <= 0)
		n = SPAWN_FD_LOOP_MAX;
	if (n > SPAWN_FD_LOOP_MAX * 16)
		n = SPAWN_FD_LOOP_MAX * 16;
	return ((int)n);
}

/* Turn a child's report into the task's "could not start" reason. */
static char *
spawn_cause(const struct spawn_child *sc, const struct spawn_report *r)
{
	const char	*what = NULL;
	char		*cause;

	switch (r->stage) {
	case STAGE_SETSID:
		what = "setsid";
		break;
	case STAGE_SIGNALS:
		what = "sigprocmask";
		break;
	case STAGE_FDS:
		what = "dup2";
		break;
	case STAGE_CLOEXEC:
		what = "close-on-exec";
		break;
	case STAGE_NICE:
		what = "setpriority";
		break;
	case STAGE_RLIMIT:
		what = "setrlimit";
		break;
	case STAGE_SETGROUPS:
		what = "setgroups";
		break;
	case STAGE_SETGID:
		what = "setgid";
		break;
	case STAGE_SETUID:
	case STAGE_IDCHECK:
		what = "setuid";
		break;
	case STAGE_CHDIR:
		xasprintf(&cause, "could not start: chdir %s: %s",
		    sc->workdir, strerror(r->error));
		return (cause);
	}
	if (what != NULL) {
		xasprintf(&cause, "could not start: %s: %s", what,
		    strerror(r->error));
	} else
		xasprintf(&cause, "could not start: %s", strerror(r->error));
	return (cause);
}

/* Start a task's process; see spawn.h. */
int
spawn_start(const struct spawn_req *req, pid_t *pidp, char **cause)
{
	struct spawn_child	 sc;
	struct spawn_report	 r;
	sigset_t		 all, old;
	int			 p[2], hi[2], dup_null, dup_out, dup_st[2];
	int			 error, status;
	ssize_t			 n;
	size_t			 got;
	pid_t			 pid;

	memset(&sc, 0, sizeof sc);
	sc.req = req;
	sc.workdir = req->workdir != NULL ? req->workdir : "/";
	sc.fd_limit = spawn_fd_limit();
	sigemptyset(&sc.empty);
	dup_null = dup_out = dup_st[0] = dup_st[1] = -1;

	if (spawn_devnull == -1) {
		spawn_devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (spawn_devnull != -1 && spawn_devnull <= STDERR_FILENO) {
			hi[0] = fcntl(spawn_devnull, F_DUPFD_CLOEXEC,
			    STDERR_FILENO + 1);
			close(spawn_devnull);
			spawn_devnull = hi[0];
		}
		if (spawn_devnull == -1)
			goto fail;
	}
	if ((sc.null_fd = spawn_fd_high(spawn_devnull, &dup_null)) == -1)
		goto fail;
	if (req->out_fd < 0)
		sc.out_fd = sc.null_fd;
	else if ((sc.out_fd = spawn_fd_high(req->out_fd, &dup_out)) == -1)
		goto fail;

	if (pipe2(p, O_CLOEXEC) == -1)
		goto fail;
	hi[0] = spawn_fd_high(p[0], &dup_st[0]);
	hi[1] = spawn_fd_high(p[1], &dup_st[1]);
	if (hi[0] == -1 || hi[1] == -1) {
		error = errno;
		close(p[0]);
		close(p[1]);
		if (dup_st[0] != -1)
			close(dup_st[0]);
		if (dup_st[1] != -1)
			close(dup_st[1]);
		errno = error;
		goto fail;
	}
	if (hi[0] != p[0])
		close(p[0]);
	if (hi[1] != p[1])
		close(p[1]);
	sc.status_fd = hi[1];

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = spawn_fork(&sc);
	error = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(hi[1]);

	if (pid == -1) {
		close(hi[0]);
		errno = error;
		goto fail;
	}

	/* The child has exec'd or exited: the report, if any, is there. */
	got = 0;
	while (got < sizeof r) {
		n = read(hi[0], (char *)&r + got, sizeof r - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(hi[0]);
	if (dup_null != -1)
		close(dup_null);
	if (dup_out != -1)
		close(dup_out);

	if (got == 0) {
		*pidp = pid;
		return (0);
	}
	if (got != sizeof r) {
		r.stage = STAGE_EXEC;
		r.error = EIO;
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		/* nothing */;
	*cause = spawn_cause(&sc, &r);
	return (-1);

fail:
	error = errno;
	if (dup_null != -1)
		close(dup_null);
	if (dup_out != -1)
		close(dup_out);
	xasprintf(cause, "could not start: %s", strerror(error));
	return (-1);
}

/* Find the absolute path of a program with the rules of execvp. */
char *
spawn_resolve(const char *file, const char *path)
{
	struct stat	 sb;
	const char	*p, *end;
	char		*try;
	size_t		 len, flen;
	int		 error = ENOENT;

	if (file == NULL || *file == '\0') {
		errno = ENOENT;
		return (NULL);
	}
	if (strchr(file, '/') != NULL) {
		/* A relative path is left to execve in the task's workdir. */
		if (*file != '/')
			return (xstrdup(file));
		if (stat(file, &sb) == -1)
			return (NULL);
		if (!S_ISREG(sb.st_mode) || access(file, X_OK) == -1) {
			errno = EACCES;
			return (NULL);
		}
		return (xstrdup(file));
	}

	if (path == NULL)
		path = SPAWN_DEFAULT_PATH;
	flen = strlen(file);
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		len = end - p;
		/* Empty entries (the current directory) are not searched. */
		if (len != 0 && len + 1 + flen < PATH_MAX) {
			xasprintf(&try, "%.*s/%s", (int)len, p, file);
			if (stat(try, &sb) == 0) {
				if (S_ISREG(sb.st_mode) &&
				    access(try, X_OK) == 0)
					return (try);
				error = EACCES;
			} else if (errno == EACCES)
				error = EACCES;
			free(try);
		}
		if (*end == '\0')
			break;
	}
	errno = error;
	return (NULL);
}

pid_t
spawn_worker(int (*fn)(void *), void *arg)
{
	struct sigaction	 sa;
	sigset_t		 all, old;
	pid_t			 pid, parent;
	int			 i;

	/* No daemon handler may run in the child: block, fork, reset. */
	parent = getpid();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == -1) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return (-1);
	}
	if (pid != 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return (pid);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Work for a daemon that died is work against the next one. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
	_exit(fn(arg));
}

/* Become a child subreaper so orphaned task processes stay ours. */
int
spawn_subreaper(void)
{
	return (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1 ? -1 : 0);
}
