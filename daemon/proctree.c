/* SPDX-License-Identifier: ISC */
/*
 * A task's processes after it started: found through /proc, signalled,
 * counted.  The process group and session of the leader, every
 * descendant of the leader, and orphans reparented to the daemon (a child
 * subreaper, see spawn_subreaper) that carry the task's SCHEDD_TASK_ID in
 * their environment are the task's; proctree.h says when the leader's
 * numbers may still be matched.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proctree.h"
#include "schedd.h"
#include "xmalloc.h"

#define PROCTREE_MAX_DEPTH	256	/* ancestry walk bound */
#define PROCTREE_MARK_GROUP	1	/* in the leader's group or session */
#define PROCTREE_MARK_TREE	2	/* tagged, or below a marked one */

/* One process seen in /proc. */
struct proctree_proc {
	pid_t	pid;
	pid_t	ppid;
	pid_t	pgid;
	pid_t	sid;
	char	state;		/* R, S, D, Z, ... */
	int	mark;
};

static int	proctree_proc_cmp(const void *, const void *);
static struct proctree_proc *proctree_proc_find(struct proctree_proc *,
		    size_t, pid_t);
static int	proctree_proc_read(pid_t, struct proctree_proc *);
static int	proctree_proc_tagged(pid_t, const char *);
static size_t	proctree_scan(struct proctree_proc **);
static size_t	proctree_mark(pid_t, unsigned long long, int,
		    struct proctree_proc **);

/* Order processes by pid for bsearch. */
static int
proctree_proc_cmp(const void *a, const void *b)
{
	const struct proctree_proc	*pa = a, *pb = b;

	if (pa->pid < pb->pid)
		return (-1);
	return (pa->pid > pb->pid);
}

/* Look a pid up in the sorted table. */
static struct proctree_proc *
proctree_proc_find(struct proctree_proc *procs, size_t n, pid_t pid)
{
	struct proctree_proc	 key;

	key.pid = pid;
	return (bsearch(&key, procs, n, sizeof *procs, proctree_proc_cmp));
}

/* Read ppid, process group and session of pid from /proc/PID/stat. */
static int
proctree_proc_read(pid_t pid, struct proctree_proc *sp)
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
proctree_proc_tagged(pid_t pid, const char *tag)
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
proctree_scan(struct proctree_proc **procsp)
{
	struct proctree_proc	*procs = NULL;
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
		if (proctree_proc_read((pid_t)pid, &procs[n]) == 0)
			n++;
	}
	closedir(d);
	if (n != 0)
		qsort(procs, n, sizeof *procs, proctree_proc_cmp);
	*procsp = procs;
	return (n);
}

/*
 * Find a task's processes: the leader, its group and session, everything
 * below them, and orphans of ours tagged with the task's id.  Marks them
 * in the returned table (caller frees).  flags (PROCTREE_LEADER_GONE,
 * PROCTREE_GROUP_GONE) say which of the leader's numbers may be matched:
 *
 * - While the leader is not reaped its pid is ours, and so are its group
 *   and session.  (A process with that pid that is not our child would
 *   mean it was reused: then only tagged processes are matched.)
 * - Once it is reaped, a process with its pid is somebody else's; but its
 *   process group and session numbers cannot be reused while a process
 *   is still in them, so members found are the task's -- until a scan
 *   has once found none (PROCTREE_GROUP_GONE): from then on that number
 *   is free for anyone and is never matched again.
 */
static size_t
proctree_mark(pid_t pid, unsigned long long taskid, int flags,
    struct proctree_proc **procsp)
{
	struct proctree_proc	*procs, *sp, *pp;
	char			 tag[64];
	size_t			 n, i;
	pid_t			 self = getpid();
	int			 changed, depth, by_pid, by_group;

	snprintf(tag, sizeof tag, "SCHEDD_TASK_ID=%llu", taskid);
	n = proctree_scan(&procs);
	*procsp = procs;

	by_pid = !(flags & PROCTREE_LEADER_GONE);
	by_group = !(flags & PROCTREE_GROUP_GONE);
	if (by_pid && n > 0 &&
	    (sp = proctree_proc_find(procs, n, pid)) != NULL &&
	    sp->ppid != self)
		by_pid = by_group = 0;

	for (i = 0; i < n; i++) {
		sp = &procs[i];
		if (sp->pid == self)
			continue;
		if ((by_pid && sp->pid == pid) ||
		    (by_group && (sp->pgid == pid || sp->sid == pid)))
			sp->mark = PROCTREE_MARK_GROUP;
		else if (sp->ppid == self && proctree_proc_tagged(sp->pid, tag))
			sp->mark = PROCTREE_MARK_TREE;
	}
	/* Then everything below a marked process, level by level. */
	for (depth = 0; depth < PROCTREE_MAX_DEPTH; depth++) {
		changed = 0;
		for (i = 0; i < n; i++) {
			sp = &procs[i];
			if (sp->mark || sp->pid == self)
				continue;
			if ((by_pid && sp->ppid == pid) ||
			    ((pp = proctree_proc_find(procs, n,
			    sp->ppid)) != NULL && pp->mark)) {
				sp->mark = PROCTREE_MARK_TREE;
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
proctree_kill(pid_t pid, unsigned long long taskid, int flags, int sig)
{
	struct proctree_proc	*procs, *sp;
	size_t			 n, i;
	int			 count = 0, group;

	if (pid <= 1)
		return (0);
	n = proctree_mark(pid, taskid, flags, &procs);
	group = !(flags & PROCTREE_LEADER_GONE) &&
	    (sp = proctree_proc_find(procs, n, pid)) != NULL && sp->mark &&
	    killpg(pid, sig) == 0;
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

/* SIGKILL the tagged remains of a previous daemon's task. */
int
proctree_kill_lost(pid_t pid, unsigned long long taskid)
{
	struct proctree_proc	*procs, *sp;
	char			 tag[64];
	size_t			 n, i;
	pid_t			 self = getpid();
	int			 count = 0;

	if (pid <= 1)
		return (0);
	snprintf(tag, sizeof tag, "SCHEDD_TASK_ID=%llu", taskid);
	n = proctree_scan(&procs);
	for (i = 0; i < n; i++) {
		sp = &procs[i];
		if (sp->pid == self || sp->state == 'Z')
			continue;
		if ((sp->pid == pid || sp->pgid == pid || sp->sid == pid) &&
		    proctree_proc_tagged(sp->pid, tag) && kill(sp->pid,
		    SIGKILL) == 0)
			count++;
	}
	free(procs);
	return (count);
}

/* How many of a task's processes are still alive (zombies are not). */
int
proctree_alive(pid_t pid, unsigned long long taskid, int flags, int *group)
{
	struct proctree_proc	*procs;
	size_t			 n, i;
	int			 count = 0, ingroup = 0;

	if (pid > 1) {
		n = proctree_mark(pid, taskid, flags, &procs);
		for (i = 0; i < n; i++) {
			if (!procs[i].mark || procs[i].state == 'Z')
				continue;
			count++;
			if (procs[i].mark == PROCTREE_MARK_GROUP)
				ingroup++;
		}
		free(procs);
	}
	if (group != NULL)
		*group = ingroup;
	return (count);
}

/*
 * See proctree.h.  The kernel hands orphans to a subreaper's main
 * thread, so its children file is the whole list; it is opened once and
 * read again from the start (pread at offset 0 makes the kernel list the
 * children anew).  What it said holds until the daemon reaps a process
 * (proctree_reaped): a task's processes become the daemon's children
 * when their parent exits, and a task's end is looked at only once its
 * main process is reaped, so one reading serves every task whose main
 * process was reaped before it.
 */
static int	 proctree_known = -1;	/* the last answer, -1: none */

void
proctree_reaped(void)
{
	proctree_known = -1;
}

int
proctree_orphans(void)
{
	static int	 fd = -1;
	char		 path[64], buf[4096], *p, *end;
	ssize_t		 n;
	long		 pid;

	if (proctree_known != -1)
		return (proctree_known);
	proctree_known = 1;
	if (fd == -1) {
		snprintf(path, sizeof path, "/proc/self/task/%ld/children",
		    (long)getpid());
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return (1);
	}
	while ((n = pread(fd, buf, sizeof buf - 1, 0)) == -1 && errno == EINTR)
		/* nothing */;
	if (n < 0)
		return (1);
	/* A list too long for the buffer: assume the worst. */
	if ((size_t)n == sizeof buf - 1)
		return (1);
	buf[n] = '\0';
	for (p = buf; ; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (hmap_iget(&sd.pid_index, (uint64_t)pid) == NULL &&
		    !task_start_pending((pid_t)pid))
			return (1);
	}
	return (proctree_known = 0);
}
