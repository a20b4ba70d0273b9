/* SPDX-License-Identifier: ISC */
/*
 * Starting a task's process: the only place in schedd that forks (tasks
 * with vfork; spawn_worker's fork for the state's compaction).
 *
 * spawn_start uses vfork, so the cost of starting a task does not grow
 * with the daemon's memory (no page tables are copied).  The child shares
 * the daemon's memory until it calls execve, so it does only
 * async-signal-safe work on data prepared by the parent and writes
 * nothing but its own stack and, on failure, a {stage, errno} report into
 * the parent's spawn_child (the memory is shared, and the parent runs
 * again only once the child has exec'd or exited, so no pipe is needed
 * to tell the two apart).  All signals are blocked around the vfork so no
 * daemon handler can run in the child.
 *
 * The daemon calls spawn_start from a helper thread (task-start.c), so
 * the event loop does not wait for a child to exec; one start at a time.
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
#include <sched.h>
#include <signal.h>
#include <stdint.h>
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
	STAGE_CGROUP,
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

/*
 * Everything the child needs, prepared by the parent before vfork, and
 * the child's report should it fail (stage 0: it exec'd).
 */
struct spawn_child {
	const struct spawn_req	*req;
	const char		*workdir;
	int			 null_fd;	/* /dev/null, >= 3 */
	int			 out_fd;	/* >= 3 */
	int			 procs_fd;	/* cgroup.procs, or -1 */
	int			 fd_limit;	/* fallback loop bound */
	sigset_t		 empty;
	volatile int		 stage;		/* enum spawn_stage, or 0 */
	volatile int		 error;		/* its errno */
};

/*
 * clone3 with CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP: like vfork, but
 * the child is born in its task's cgroup, which costs the daemon about
 * half what joining it does (a write to cgroup.procs takes the kernel's
 * cgroup migration lock).  The child runs on a stack of its own (the
 * parent's is in use until the child execs), so entering it takes a few
 * instructions of assembly for each architecture; elsewhere, or where
 * the kernel refuses clone3, the child joins its cgroup between vfork and
 * execve instead.  AddressSanitizer cannot follow a child onto a stack of
 * its own: its builds take the second way too (and so test it).
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPAWN_NO_CLONE3	1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SPAWN_NO_CLONE3	1
#endif
#if (defined(__x86_64__) || defined(__aarch64__)) && \
    !defined(SPAWN_NO_CLONE3)
#define SPAWN_CLONE3	1
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif
#ifndef CLONE_PARENT_SETTID
#define CLONE_PARENT_SETTID	0x00100000
#endif
#ifndef SYS_clone3
#define SYS_clone3		435
#endif
struct spawn_clone_args {		/* struct clone_args of the kernel */
	uint64_t	flags;
	uint64_t	pidfd;
	uint64_t	child_tid;
	uint64_t	parent_tid;
	uint64_t	exit_signal;
	uint64_t	stack;
	uint64_t	stack_size;
	uint64_t	tls;
	uint64_t	set_tid;
	uint64_t	set_tid_size;
	uint64_t	cgroup;
};
/* The child's stack: one child at a time, the parent waits for its exec. */
#define SPAWN_CHILD_STACK	(64 * 1024)
static unsigned char spawn_stack[SPAWN_CHILD_STACK]
    __attribute__((aligned(64)));
static int	spawn_clone3_broken;	/* the kernel refused it once */

/*
 * long spawn_clone3(struct spawn_clone_args *, size_t, void (*fn)(void *),
 * void *arg): clone3; the child calls fn(arg), which does not return.
 */
long	spawn_clone3(struct spawn_clone_args *, size_t, void (*)(void *),
	    void *);
#if defined(__x86_64__)
__asm__(
	".text\n"
	".globl spawn_clone3\n"
	".hidden spawn_clone3\n"
	".type spawn_clone3, @function\n"
	"spawn_clone3:\n"
	/* fn and arg move to registers the call leaves alone. */
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n"		/* SYS_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"		/* the child, on its stack */
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov $127, %edi\n"
	"	mov $60, %eax\n"		/* SYS_exit, should fn return */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size spawn_clone3, .-spawn_clone3\n");
#else
__asm__(
	".text\n"
	".globl spawn_clone3\n"
	".hidden spawn_clone3\n"
	".type spawn_clone3, %function\n"
	"spawn_clone3:\n"
	/* fn and arg move to registers the call leaves alone. */
	"	mov x10, x2\n"
	"	mov x11, x3\n"
	"	mov x8, #435\n"		/* SYS_clone3 */
	"	svc #0\n"
	"	cbnz x0, 1f\n"
	"	mov x29, #0\n"			/* the child, on its stack */
	"	mov x30, #0\n"
	"	mov x0, x11\n"
	"	blr x10\n"
	"	mov x0, #127\n"
	"	mov x8, #93\n"			/* SYS_exit, should fn return */
	"	svc #0\n"
	"1:	ret\n"
	".size spawn_clone3, .-spawn_clone3\n");
#endif
#endif

static int	spawn_devnull = -1;
static int	spawn_nofile = -1;	/* spawn_fd_limit, taken once */

static void	spawn_child_sigdfl(int);
static void	spawn_child_fail(struct spawn_child *, int)
		    __attribute__((__noreturn__));
static void	spawn_child_run(struct spawn_child *)
		    __attribute__((__noreturn__));
static int	spawn_child_cloexec(const struct spawn_child *);
static int	spawn_child_ids(const struct spawn_req *);
static int	spawn_child_limits(const struct spawn_req *);
static int	spawn_child_result(const struct spawn_req *);
static pid_t	spawn_fork(struct spawn_child *);
static int	spawn_fd_high(int, int *);
static int	spawn_fd_limit(void);
static char	*spawn_cause(const struct spawn_child *);

/* Report a failed stage to the parent and leave without running atexit. */
static void
spawn_child_fail(struct spawn_child *sc, int stage)
{
	sc->error = errno;
	sc->stage = stage;
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
 * Make the task's empty result file, for its user: 0 or an errno.  The
 * folder is the daemon's alone and emptied at its start, so the name is
 * new; O_EXCL refuses anything else.
 */
static int
spawn_child_result(const struct spawn_req *req)
{
	int	 fd, saved;

	fd = openat(req->result_dirfd, req->result_name, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return (errno);
	if (req->set_ids && fchown(fd, req->uid, req->gid) == -1) {
		saved = errno;
		close(fd);
		unlinkat(req->result_dirfd, req->result_name, 0);
		return (saved);
	}
	close(fd);
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
spawn_child_run(struct spawn_child *sc)
{
	const struct spawn_req	*req = sc->req;
	struct sigaction	 sa;
	int			 i, stage;

	/*
	 * Into the task's cgroup first, unless born there ("0" is the
	 * writer itself): nothing of the task runs outside it, and all it
	 * starts is in it.
	 */
	if (sc->procs_fd != -1 && write(sc->procs_fd, "0", 1) != 1)
		spawn_child_fail(sc, STAGE_CGROUP);
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

	if (req->result_name != NULL)
		*req->result_error = spawn_child_result(req);
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

#ifdef SPAWN_CLONE3
/* The child of clone3, on its own stack. */
static void
spawn_clone3_child(void *arg)
{
	spawn_child_run(arg);
}
#endif

/*
 * Start the child: born in its cgroup by clone3 where that works, else
 * vfork (and the child joins its cgroup, if it has one).  Kept apart so
 * no local is live across vfork.
 */
static pid_t
spawn_fork(struct spawn_child *sc)
{
	pid_t	 pid;
#ifdef SPAWN_CLONE3
	struct spawn_clone_args	 ca;
	long			 rc;

	if ((sc->req->cgroup_fd != -1 || sc->req->pid_early != NULL) &&
	    !spawn_clone3_broken) {
		memset(&ca, 0, sizeof ca);
		ca.flags = CLONE_VM | CLONE_VFORK;
		if (sc->req->cgroup_fd != -1) {
			ca.flags |= CLONE_INTO_CGROUP;
			ca.cgroup = (uint64_t)sc->req->cgroup_fd;
		}
		/* The kernel writes the pid there before the child runs. */
		if (sc->req->pid_early != NULL) {
			ca.flags |= CLONE_PARENT_SETTID;
			ca.parent_tid = (uint64_t)(uintptr_t)sc->req->pid_early;
		}
		ca.exit_signal = SIGCHLD;
		ca.stack = (uint64_t)(uintptr_t)spawn_stack;
		ca.stack_size = sizeof spawn_stack;
		rc = spawn_clone3(&ca, sizeof ca, spawn_clone3_child, sc);
		if (rc >= 0)
			return ((pid_t)rc);
		/* An older kernel, or a filter: join the cgroup instead. */
		if (-rc != ENOSYS && -rc != EINVAL && -rc != EPERM &&
		    -rc != E2BIG) {
			errno = (int)-rc;
			return (-1);
		}
		spawn_clone3_broken = 1;
	}
#endif
	if (sc->req->cgroup_fd != -1 && (sc->procs_fd = openat(
	    sc->req->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC)) == -1)
		return (-1);
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

/*
 * How far the child's fallback close-on-exec loop must go (only used
 * where close_range is missing); taken once, the daemon never changes
 * its own limit.
 */
static int
spawn_fd_limit(void)
{
	struct rlimit	 rl;
	long		 n;

	if (spawn_nofile != -1)
		return (spawn_nofile);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur > INT_MAX ? INT_MAX : (long)rl.rlim_cur;
	else if ((n = sysconf(_SC_OPEN_MAX)) <= 0)
		n = SPAWN_FD_LOOP_MAX;
	if (n > SPAWN_FD_LOOP_MAX * 16)
		n = SPAWN_FD_LOOP_MAX * 16;
	spawn_nofile = (int)n;
	return (spawn_nofile);
}

/* Turn a child's report into the task's "could not start" reason. */
static char *
spawn_cause(const struct spawn_child *sc)
{
	const char	*what = NULL;
	char		*cause;

	switch (sc->stage) {
	case STAGE_SETSID:
		what = "setsid";
		break;
	case STAGE_CGROUP:
		what = "joining its cgroup";
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
		    sc->workdir, strerror(sc->error));
		return (cause);
	}
	if (what != NULL) {
		xasprintf(&cause, "could not start: %s: %s", what,
		    strerror(sc->error));
	} else
		xasprintf(&cause, "could not start: %s", strerror(sc->error));
	return (cause);
}

/* Start a task's process; see spawn.h. */
int
spawn_start(const struct spawn_req *req, pid_t *pidp, char **cause)
{
	struct spawn_child	 sc;
	sigset_t		 all, old;
	int			 fd, dup_null, dup_out, error, status;
	pid_t			 pid;

	memset(&sc, 0, sizeof sc);
	sc.req = req;
	sc.procs_fd = -1;
	sc.workdir = req->workdir != NULL ? req->workdir : "/";
	sc.fd_limit = spawn_fd_limit();
	sigemptyset(&sc.empty);
	dup_null = dup_out = -1;

	if (spawn_devnull == -1) {
		spawn_devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (spawn_devnull != -1 && spawn_devnull <= STDERR_FILENO) {
			fd = fcntl(spawn_devnull, F_DUPFD_CLOEXEC,
			    STDERR_FILENO + 1);
			close(spawn_devnull);
			spawn_devnull = fd;
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

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = spawn_fork(&sc);
	error = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (sc.procs_fd != -1)
		close(sc.procs_fd);
	if (pid == -1) {
		errno = error;
		goto fail;
	}
	if (dup_null != -1)
		close(dup_null);
	if (dup_out != -1)
		close(dup_out);

	/* The child has exec'd or exited: its report, if any, is here. */
	if (sc.stage == 0) {
		*pidp = pid;
		return (0);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		/* nothing */;
	*cause = spawn_cause(&sc);
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
