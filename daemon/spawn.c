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
 * spawn_kill_tree finds a task's processes through /proc where there is
 * one: the process group and session of the leader, every descendant of
 * the leader, and orphans reparented to the daemon (a child subreaper)
 * that carry the task's SCHEDD_TASK_ID in their environment.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
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
#define SPAWN_MAX_DEPTH		256	/* ancestry walk bound */
#define SPAWN_MARK_GROUP	1	/* in the leader's group or session */
#define SPAWN_MARK_TREE		2	/* tagged, or below a marked one */

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

/* One process seen in /proc. */
struct spawn_proc {
	pid_t	pid;
	pid_t	ppid;
	pid_t	pgid;
	pid_t	sid;
	char	state;		/* R, S, D, Z, ... */
	int	mark;
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
static int	spawn_proc_cmp(const void *, const void *);
static struct spawn_proc *spawn_proc_find(struct spawn_proc *, size_t, pid_t);
static size_t	spawn_tree(pid_t, unsigned long long, int, struct spawn_proc **);
static int	spawn_proc_read(pid_t, struct spawn_proc *);
static int	spawn_proc_tagged(pid_t, const char *);
static size_t	spawn_proc_scan(struct spawn_proc **);

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
 * Drop groups, then gid, then uid, and check that each took.  On Linux
 * the raw system calls are used: libc wrappers may try to synchronise
 * threads, which a vfork child must not do.
 */
static int
spawn_child_ids(const struct spawn_req *req)
{
	uid_t	 uid = req->uid;
	gid_t	 gid = req->gid;

#if defined(__linux__) && defined(SYS_setresuid32)
	if (syscall(SYS_setgroups32, req->ngroups, req->groups) == -1)
		return (STAGE_SETGROUPS);
	if (syscall(SYS_setresgid32, gid, gid, gid) == -1)
		return (STAGE_SETGID);
	if (syscall(SYS_setresuid32, uid, uid, uid) == -1)
		return (STAGE_SETUID);
#elif defined(__linux__)
	if (syscall(SYS_setgroups, req->ngroups, req->groups) == -1)
		return (STAGE_SETGROUPS);
	if (syscall(SYS_setresgid, gid, gid, gid) == -1)
		return (STAGE_SETGID);
	if (syscall(SYS_setresuid, uid, uid, uid) == -1)
		return (STAGE_SETUID);
#else
	if (setgroups(req->ngroups, req->groups) == -1)
		return (STAGE_SETGROUPS);
	if (setgid(gid) == -1)
		return (STAGE_SETGID);
	if (setuid(uid) == -1)
		return (STAGE_SETUID);
#endif
	if (getuid() != uid || geteuid() != uid ||
	    getgid() != gid || getegid() != gid) {
		errno = EPERM;
		return (STAGE_IDCHECK);
	}
	if (uid != 0) {
#if defined(__linux__) && defined(SYS_setresuid32)
		if (syscall(SYS_setresuid32, 0, 0, 0) != -1) {
#elif defined(__linux__)
		if (syscall(SYS_setresuid, 0, 0, 0) != -1) {
#else
		if (setuid(0) != -1) {
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
#if defined(__linux__) && defined(SYS_rt_sigaction)
	struct {
		void		(*handler)(int);
		unsigned long	 flags;
		void		(*restorer)(void);
		unsigned long	 mask;
	} ksa;

	memset(&ksa, 0, sizeof ksa);
	ksa.handler = SIG_DFL;
	syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof ksa.mask);
#else
	(void)sig;
#endif
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

/* Order processes by pid for bsearch. */
static int
spawn_proc_cmp(const void *a, const void *b)
{
	const struct spawn_proc	*pa = a, *pb = b;

	if (pa->pid < pb->pid)
		return (-1);
	return (pa->pid > pb->pid);
}

/* Look a pid up in the sorted table. */
static struct spawn_proc *
spawn_proc_find(struct spawn_proc *procs, size_t n, pid_t pid)
{
	struct spawn_proc	 key;

	key.pid = pid;
	return (bsearch(&key, procs, n, sizeof *procs, spawn_proc_cmp));
}

/* Read ppid, process group and session of pid from /proc/PID/stat. */
static int
spawn_proc_read(pid_t pid, struct spawn_proc *sp)
{
	char	 path[64], buf[1024], *s;
	ssize_t	 n;
	int	 fd, ppid, pgid, sid;
	char	 state;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';

	/* The command name may hold spaces and parentheses: skip past it. */
	if ((s = strrchr(buf, ')')) == NULL)
		return (-1);
	if (sscanf(s + 1, " %c %d %d %d", &state, &ppid, &pgid, &sid) != 4)
		return (-1);
	sp->state = state;
	sp->pid = pid;
	sp->ppid = ppid;
	sp->pgid = pgid;
	sp->sid = sid;
	sp->mark = 0;
	return (0);
}

/* Does pid's environment hold exactly this NAME=VALUE entry? */
static int
spawn_proc_tagged(pid_t pid, const char *tag)
{
	char	 path[64], buf[8192], *s, *z, *end;
	size_t	 taglen = strlen(tag), keep = 0;
	ssize_t	 n;
	int	 fd, found = 0;

	snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	/* Read in chunks, carrying an incomplete last entry over. */
	while (!found) {
		n = read(fd, buf + keep, sizeof buf - keep);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		end = buf + keep + n;
		s = buf;
		for (;;) {
			if ((z = memchr(s, '\0', end - s)) == NULL)
				break;
			if ((size_t)(z - s) == taglen &&
			    memcmp(s, tag, taglen) == 0) {
				found = 1;
				break;
			}
			s = z + 1;
		}
		keep = end - s;
		if (keep == sizeof buf)
			keep = 0;	/* an entry too long to be ours */
		else
			memmove(buf, s, keep);
	}
	if (!found && keep == taglen && memcmp(buf, tag, taglen) == 0)
		found = 1;
	close(fd);
	return (found);
}

/* Read every process from /proc into a pid-sorted table. */
static size_t
spawn_proc_scan(struct spawn_proc **procsp)
{
	struct spawn_proc	*procs = NULL;
	struct dirent		*de;
	DIR			*d;
	size_t			 n = 0, size = 0;
	char			*end;
	long			 pid;

	*procsp = NULL;
	if ((d = opendir("/proc")) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		if (n == size) {
			size = size == 0 ? 256 : size * 2;
			procs = xreallocarray(procs, size, sizeof *procs);
		}
		if (spawn_proc_read((pid_t)pid, &procs[n]) == 0)
			n++;
	}
	closedir(d);
	if (n != 0)
		qsort(procs, n, sizeof *procs, spawn_proc_cmp);
	*procsp = procs;
	return (n);
}

/*
 * Find a task's processes: the leader, its group and session, everything
 * below them, and orphans of ours tagged with the task's id.  Marks them
 * in the returned table (caller frees).  flags (SPAWN_LEADER_GONE,
 * SPAWN_GROUP_GONE) say which of the leader's numbers may be matched:
 *
 * - While the leader is not reaped its pid is ours, and so are its group
 *   and session.  (A process with that pid that is not our child would
 *   mean it was reused: then only tagged processes are matched.)
 * - Once it is reaped, a process with its pid is somebody else's; but its
 *   process group and session numbers cannot be reused while a process
 *   is still in them, so members found are the task's -- until a scan
 *   has once found none (SPAWN_GROUP_GONE): from then on that number is
 *   free for anyone and is never matched again.
 */
static size_t
spawn_tree(pid_t pid, unsigned long long taskid, int flags,
    struct spawn_proc **procsp)
{
	struct spawn_proc	*procs, *sp, *pp;
	char			 tag[64];
	size_t			 n, i;
	pid_t			 self = getpid();
	int			 changed, depth, by_pid, by_group;

	snprintf(tag, sizeof tag, "SCHEDD_TASK_ID=%llu", taskid);
	n = spawn_proc_scan(&procs);
	*procsp = procs;

	by_pid = !(flags & SPAWN_LEADER_GONE);
	by_group = !(flags & SPAWN_GROUP_GONE);
	if (by_pid && n > 0 && (sp = spawn_proc_find(procs, n, pid)) != NULL &&
	    sp->ppid != self)
		by_pid = by_group = 0;

	for (i = 0; i < n; i++) {
		sp = &procs[i];
		if (sp->pid == self)
			continue;
		if ((by_pid && sp->pid == pid) ||
		    (by_group && (sp->pgid == pid || sp->sid == pid)))
			sp->mark = SPAWN_MARK_GROUP;
		else if (sp->ppid == self && spawn_proc_tagged(sp->pid, tag))
			sp->mark = SPAWN_MARK_TREE;
	}
	/* Then everything below a marked process, level by level. */
	for (depth = 0; depth < SPAWN_MAX_DEPTH; depth++) {
		changed = 0;
		for (i = 0; i < n; i++) {
			sp = &procs[i];
			if (sp->mark || sp->pid == self)
				continue;
			if ((by_pid && sp->ppid == pid) ||
			    ((pp = spawn_proc_find(procs, n,
			    sp->ppid)) != NULL && pp->mark)) {
				sp->mark = SPAWN_MARK_TREE;
				changed = 1;
			}
		}
		if (!changed)
			break;
	}
	return (n);
}

/*
 * Signal a task's process group and every process that left it.  The
 * group is signalled with killpg only while the leader is unreaped (its
 * pid, hence the group's number, is certainly the task's); otherwise
 * each process found is signalled on its own.
 */
int
spawn_kill_tree(pid_t pid, unsigned long long taskid, int flags, int sig)
{
	struct spawn_proc	*procs, *sp;
	size_t			 n, i;
	int			 count = 0, group;

	if (pid <= 1)
		return (0);
	n = spawn_tree(pid, taskid, flags, &procs);
	group = !(flags & SPAWN_LEADER_GONE) && (sp = spawn_proc_find(procs,
	    n, pid)) != NULL && sp->mark && killpg(pid, sig) == 0;
	for (i = 0; i < n; i++) {
		sp = &procs[i];
		if (!sp->mark)
			continue;
		/* killpg already reached the group: never signal twice. */
		if (group && sp->pgid == pid)
			count++;
		else if (kill(sp->pid, sig) == 0)
			count++;
	}
	free(procs);
	if (count == 0 && group)
		count = 1;
	return (count);
}

int
spawn_kill_lost(pid_t pid, unsigned long long taskid)
{
	struct spawn_proc	*procs, *sp;
	char			 tag[64];
	size_t			 n, i;
	pid_t			 self = getpid();
	int			 count = 0;

	if (pid <= 1)
		return (0);
	snprintf(tag, sizeof tag, "SCHEDD_TASK_ID=%llu", taskid);
	n = spawn_proc_scan(&procs);
	for (i = 0; i < n; i++) {
		sp = &procs[i];
		if (sp->pid == self || sp->state == 'Z')
			continue;
		if ((sp->pid == pid || sp->pgid == pid || sp->sid == pid) &&
		    spawn_proc_tagged(sp->pid, tag) && kill(sp->pid,
		    SIGKILL) == 0)
			count++;
	}
	free(procs);
	return (count);
}

/* How many of a task's processes are still alive (zombies are not). */
int
spawn_tree_alive(pid_t pid, unsigned long long taskid, int flags, int *group)
{
	struct spawn_proc	*procs;
	size_t			 n, i;
	int			 count = 0, ingroup = 0;

	if (pid > 1) {
		n = spawn_tree(pid, taskid, flags, &procs);
		for (i = 0; i < n; i++) {
			if (!procs[i].mark || procs[i].state == 'Z')
				continue;
			count++;
			if (procs[i].mark == SPAWN_MARK_GROUP)
				ingroup++;
		}
		free(procs);
	}
	if (group != NULL)
		*group = ingroup;
	return (count);
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
#if defined(__linux__) && defined(PR_SET_PDEATHSIG)
	/* Work for a daemon that died is work against the next one. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
#endif
	_exit(fn(arg));
}

/* Become a child subreaper so orphaned task processes stay ours. */
int
spawn_subreaper(void)
{
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
	return (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1 ? -1 : 0);
#else
	errno = ENOSYS;
	return (-1);
#endif
}
