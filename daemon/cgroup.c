/* SPDX-License-Identifier: ISC */
/*
 * Containment in cgroup v2 (schedd.8 CONTAINMENT).  schedd owns one
 * cgroup, C: its own when systemd delegated it (Delegate=yes, "cgroup:
 * auto"), or the folder the "cgroup" daemon key names.  The daemon moves
 * itself to C/supervisor (a cgroup with children may not hold processes
 * once controllers are enabled for them), and each task runs in
 * C/tasks/ID: its process joins that cgroup before it runs anything of
 * the task, so everything the task starts is in it, wherever it goes
 * (another session, a cleared environment, a double fork).
 *
 * The kernel says when a task's cgroup becomes empty: cgroup.events
 * changes ("populated 0"), which one inotify descriptor watches for every
 * task.  Usage (cpu.stat, memory.peak, memory.events) is read before the
 * cgroup is removed; cgroup.kill ends every process at once and
 * cgroup.freeze stops them all.
 */
#include <sys/types.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

#define CGROUP_FILE_MAX		65536	/* an interface file read whole */
#define CGROUP_REAP_TRIES	100	/* 10 ms apart: leftovers at start */

static char		*cg_root;		/* C, or NULL: no cgroups */
static int		 cg_rootfd = -1;
static int		 cg_tasksfd = -1;	/* C/tasks */
static unsigned		 cg_offered;		/* C's cgroup.controllers */
static unsigned		 cg_enabled;		/* in C's subtree_control */
static int		 cg_inotify = -1;
static struct event	*cg_inotify_ev;
static struct hmap	 cg_watches;		/* wd -> task id */

static const struct {
	const char	*name;
	unsigned	 bit;
} cg_controllers[] = {
	{ "cpu", CGROUP_CPU },
	{ "memory", CGROUP_MEMORY },
	{ "io", CGROUP_IO },
	{ "pids", CGROUP_PIDS },
};
#define CG_NCONTROLLERS	(sizeof cg_controllers / sizeof cg_controllers[0])

static char	*cgroup_mount(void);
static char	*cgroup_self(void);
static int	 cgroup_delegated(const char *);
static int	 cgroup_setup(const char *, char **);
static uint64_t	 cgroup_key(const char *, const char *, int *);
static void	 cgroup_events(evutil_socket_t, short, void *);
static void	 cgroup_kill_dir(int, const char *);
static int	 cgroup_file_small(int, const char *, char *, size_t);

/* The mount point of the cgroup2 file system, or NULL. */
static char *
cgroup_mount(void)
{
	char	*line = NULL, *p, *sep, *field[10];
	size_t	 size = 0;
	FILE	*f;
	int	 n;
	char	*found = NULL;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return (NULL);
	while (found == NULL && getline(&line, &size, f) != -1) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPT...] - TYPE */
		if ((sep = strstr(line, " - ")) == NULL)
			continue;
		if (strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		for (n = 0, p = line; n < 5 && p < sep; n++) {
			field[n] = p;
			if ((p = strchr(p, ' ')) == NULL)
				break;
			*p++ = '\0';
		}
		if (n == 5 && strcmp(field[3], "/") == 0)
			found = xstrdup(field[4]);
	}
	free(line);
	fclose(f);
	return (found);
}

/* The daemon's own cgroup, from /proc/self/cgroup ("0::PATH"), or NULL. */
static char *
cgroup_self(void)
{
	char	*line = NULL, *found = NULL;
	size_t	 size = 0;
	ssize_t	 n;
	FILE	*f;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return (NULL);
	while (found == NULL && (n = getline(&line, &size, f)) != -1) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		found = xstrdup(line + 3);
	}
	free(line);
	fclose(f);
	return (found);
}

/* Was this cgroup delegated to us (systemd's Delegate=yes)? */
static int
cgroup_delegated(const char *path)
{
	char	 v[8];
	ssize_t	 n;

	if ((n = getxattr(path, "trusted.delegate", v, sizeof v)) <= 0)
		n = getxattr(path, "user.delegate", v, sizeof v);
	return (n > 0 && v[0] == '1');
}

/*
 * A small interface file of the folder dirfd, NUL-terminated, caller
 * frees; or NULL and errno.  Interface files say their size is 0: read to
 * the end.
 */
char *
cgroup_file_read(int dirfd, const char *name)
{
	char	*buf;
	size_t	 off;
	int	 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return (NULL);
	buf = xmalloc(CGROUP_FILE_MAX + 1);
	off = fd_read_full(fd, buf, CGROUP_FILE_MAX);
	close(fd);
	buf[off] = '\0';
	return (buf);
}

/*
 * A small interface file of the folder dirfd read into buf (at most size
 * - 1 bytes), NUL-terminated: for the files read for every task, which
 * are short.  -1 and errno.
 */
static int
cgroup_file_small(int dirfd, const char *name, char *buf, size_t size)
{
	size_t	 off;
	int	 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return (-1);
	off = fd_read_full(fd, buf, size - 1);
	close(fd);
	buf[off] = '\0';
	return (0);
}

/*
 * Write an interface file of the folder dirfd: the kernel takes its value
 * in one write.  -1 and errno.
 */
int
cgroup_file_write(int dirfd, const char *name, const char *value)
{
	size_t	 len = strlen(value);
	ssize_t	 n;
	int	 fd, saved;

	if ((fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return (-1);
	n = write(fd, value, len);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n == -1 ? saved : EIO;
		return (-1);
	}
	return (0);
}

/* The number after "KEY " in a flat-keyed file's text; *found if there. */
static uint64_t
cgroup_key(const char *text, const char *key, int *found)
{
	const char	*p = text;
	size_t		 len = strlen(key);

	*found = 0;
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, len) == 0 && p[len] == ' ') {
			*found = 1;
			return (strtoull(p + len + 1, NULL, 10));
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return (0);
}

/*
 * Take C: the folder path is a cgroup (made if missing); the daemon moves
 * to C/supervisor, tasks will go to C/tasks.  -1 and a cause.
 */
static int
cgroup_setup(const char *path, char **cause)
{
	struct statfs	 sfs;
	char		*text, pid[32];
	int		 fd;

	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		xasprintf(cause, "cgroup %s: %s", path, strerror(errno));
		return (-1);
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "cgroup %s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstatfs(fd, &sfs) == -1 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		xasprintf(cause, "cgroup %s: not in a cgroup v2 file system",
		    path);
		close(fd);
		return (-1);
	}
	if ((mkdirat(fd, "supervisor", 0755) == -1 && errno != EEXIST) ||
	    (mkdirat(fd, "tasks", 0755) == -1 && errno != EEXIST)) {
		xasprintf(cause, "cgroup %s: mkdir: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	if ((cg_tasksfd = openat(fd, "tasks", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    cgroup_file_write(fd, "supervisor/cgroup.procs", pid) == -1) {
		xasprintf(cause, "cgroup %s: moving schedd to its supervisor "
		    "cgroup: %s", path, strerror(errno));
		if (cg_tasksfd != -1)
			close(cg_tasksfd);
		cg_tasksfd = -1;
		close(fd);
		return (-1);
	}
	cg_offered = 0;
	if ((text = cgroup_file_read(fd, "cgroup.controllers")) != NULL) {
		cg_offered = cgroup_controllers_parse(text);
		free(text);
	}
	cg_rootfd = fd;
	cg_root = xstrdup(path);
	/* The memory controller gives every task memory.peak and OOM kills. */
	cg_enabled = 0;
	if ((cg_offered & CGROUP_MEMORY) &&
	    cgroup_controllers_enable(cg_rootfd, CGROUP_MEMORY, &text) == 0 &&
	    cgroup_controllers_enable(cg_tasksfd, CGROUP_MEMORY, &text) == 0)
		cg_enabled = CGROUP_MEMORY;
	else if (cg_offered & CGROUP_MEMORY) {
		log_warnx("cgroups: %s: memory usage is not recorded", text);
		free(text);
	}
	return (0);
}

/* See cgroup.h. */
int
cgroup_init(const char *setting, char **cause)
{
	char	*mnt, *self, *path;

	if (setting != NULL && strcmp(setting, "off") == 0) {
		log_info("cgroups: off (the cgroup setting); tasks are tracked "
		    "by process group, session and subreaper");
		return (0);
	}
	if (setting != NULL && strcmp(setting, "auto") != 0) {
		if (cgroup_setup(setting, cause) != 0)
			return (-1);
	} else {
		mnt = cgroup_mount();
		self = cgroup_self();
		if (mnt == NULL || self == NULL) {
			log_notice("cgroups: no cgroup v2 file system; tasks "
			    "are tracked by process group, session and "
			    "subreaper");
			free(mnt);
			free(self);
			return (0);
		}
		xasprintf(&path, "%s%s", mnt, strcmp(self, "/") == 0 ? "" :
		    self);
		free(mnt);
		free(self);
		if (!cgroup_delegated(path)) {
			log_notice("cgroups: %s was not delegated to schedd "
			    "(systemd's Delegate=yes); tasks are tracked by "
			    "process group, session and subreaper", path);
			free(path);
			return (0);
		}
		if (cgroup_setup(path, cause) != 0) {
			free(path);
			return (-1);
		}
		free(path);
	}
	hmap_init(&cg_watches);
	cg_inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (cg_inotify == -1)
		log_warn("cgroups: inotify: the end of a task's last process "
		    "is noticed only when its main process ends");
	else {
		cg_inotify_ev = event_new(sd.base, cg_inotify, EV_READ |
		    EV_PERSIST, cgroup_events, NULL);
		event_add(cg_inotify_ev, NULL);
	}
	log_info("cgroups: tasks run in %s/tasks", cg_root);
	return (0);
}

int
cgroup_enabled(void)
{
	return (cg_root != NULL);
}

const char *
cgroup_root(void)
{
	return (cg_root);
}

unsigned
cgroup_controllers(void)
{
	return (cg_offered);
}

/* The controllers (CGROUP_* bits) a cgroup.controllers text names. */
unsigned
cgroup_controllers_parse(const char *text)
{
	char		*copy, *tok, *save;
	unsigned	 bits = 0;
	size_t		 i;

	copy = xstrdup(text);
	for (tok = strtok_r(copy, " \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n", &save)) {
		for (i = 0; i < CG_NCONTROLLERS; i++) {
			if (strcmp(tok, cg_controllers[i].name) == 0)
				bits |= cg_controllers[i].bit;
		}
	}
	free(copy);
	return (bits);
}

/* The kernel's name of one controller bit. */
const char *
cgroup_controller_name(unsigned bit)
{
	size_t	 i;

	for (i = 0; i < CG_NCONTROLLERS; i++) {
		if (cg_controllers[i].bit == bit)
			return (cg_controllers[i].name);
	}
	return ("?");
}

/* See cgroup.h. */
unsigned
cgroup_missing(const struct jobdef *def, const struct settings *s)
{
	return (cgroup_limits_needed(def, s) & ~(cg_root != NULL ?
	    cg_offered : 0));
}

/* Kill everything in the cgroup name of the folder dirfd and remove it. */
static void
cgroup_kill_dir(int dirfd, const char *name)
{
	char	*ev;
	int	 fd, i, found;

	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	cgroup_file_write(fd, "cgroup.freeze", "0");
	cgroup_file_write(fd, "cgroup.kill", "1");
	for (i = 0; i < CGROUP_REAP_TRIES; i++) {
		if ((ev = cgroup_file_read(fd, "cgroup.events")) == NULL)
			break;
		found = 0;
		if (cgroup_key(ev, "populated", &found) == 0 && found) {
			free(ev);
			break;
		}
		free(ev);
		usleep(10000);
	}
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) == -1)
		log_warn("cgroups: remove %s/tasks/%s", cg_root, name);
}

/* See cgroup.h. */
void
cgroup_reap_leftovers(void)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, n = 0;

	if (cg_tasksfd == -1 || (fd = dup(cg_tasksfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		log_warnx("cgroups: task %s: killed what was left of it in its "
		    "cgroup", de->d_name);
		cgroup_kill_dir(cg_tasksfd, de->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		log_info("cgroups: %d cgroup%s of tasks of an earlier schedd "
		    "removed", n, n == 1 ? "" : "s");
}

/* See cgroup.h. */
int
cgroup_task_create(struct task *t)
{
	char	 name[32], *cause = NULL;
	unsigned need;
	int	 fd, saved;

	snprintf(name, sizeof name, "%llu", (unsigned long long)t->id);
	need = cgroup_limits_needed(t->def, &sd.settings) & cg_offered;
	if ((need & ~cg_enabled) != 0) {
		/* Enabled for C's children, then for tasks' children. */
		if (cgroup_controllers_enable(cg_rootfd, need | cg_enabled,
		    &cause) != 0 || cgroup_controllers_enable(cg_tasksfd,
		    need | cg_enabled, &cause) != 0) {
			log_warnx("cgroups: %s", cause);
			free(cause);
			errno = EPERM;
			return (-1);
		}
		cg_enabled |= need;
	}
	if (mkdirat(cg_tasksfd, name, 0755) == -1) {
		if (errno != EEXIST)
			return (-1);
		cgroup_kill_dir(cg_tasksfd, name);
		if (mkdirat(cg_tasksfd, name, 0755) == -1)
			return (-1);
	}
	if ((fd = openat(cg_tasksfd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		goto fail;
	if (cgroup_limits_write(fd, t->def, &sd.settings, &cause) != 0) {
		log_warnx("task %llu: cgroup limits: %s",
		    (unsigned long long)t->id, cause);
		free(cause);
		close(fd);
		errno = EINVAL;
		goto fail;
	}
	t->cg_fd = fd;
	return (0);
fail:
	saved = errno;
	unlinkat(cg_tasksfd, name, AT_REMOVEDIR);
	errno = saved;
	return (-1);
}

/*
 * cgroup.events changed for some tasks: a cgroup may have become empty,
 * which may end its task.
 */
static void
cgroup_events(evutil_socket_t fd, short events, void *arg)
{
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ie;
	struct task			*t;
	ssize_t				 n;
	char				*p;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return;
		for (p = buf; p < buf + n; p += sizeof *ie + ie->len) {
			ie = (const struct inotify_event *)p;
			if ((t = hmap_iget(&cg_watches,
			    (uint64_t)ie->wd)) != NULL)
				task_cgroup_changed(t);
		}
	}
}

/*
 * Have the task's cgroup watched: cgroup_events hears when it becomes
 * empty.  Only tasks that leave processes behind need it, so the watch
 * is made then, not for every task.  -1 and errno.
 */
int
cgroup_task_watch(struct task *t)
{
	char	*path;
	int	 wd;

	if (t->cg_wd != -1)
		return (0);
	if (t->cg_fd == -1 || cg_inotify == -1) {
		errno = ENOENT;
		return (-1);
	}
	xasprintf(&path, "%s/tasks/%llu/cgroup.events", cg_root,
	    (unsigned long long)t->id);
	wd = inotify_add_watch(cg_inotify, path, IN_MODIFY);
	free(path);
	if (wd == -1)
		return (-1);
	t->cg_wd = wd;
	hmap_iput(&cg_watches, (uint64_t)wd, t);
	return (0);
}

/* Is anything left in the task's cgroup? */
int
cgroup_task_populated(const struct task *t)
{
	char	 ev[256];
	uint64_t v;
	int	 found;

	if (t->cg_fd == -1 || cgroup_file_small(t->cg_fd, "cgroup.events",
	    ev, sizeof ev) == -1)
		return (0);
	v = cgroup_key(ev, "populated", &found);
	return (found && v != 0);
}

/*
 * Send sig to every process of the task's cgroup.  Returns how many were
 * signalled.
 */
int
cgroup_task_signal(const struct task *t, int sig)
{
	char	*procs, *p, *end;
	long	 pid;
	int	 n = 0;

	if (t->cg_fd == -1 || (procs = cgroup_file_read(t->cg_fd,
	    "cgroup.procs")) == NULL)
		return (0);
	for (p = procs; *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 1 && kill((pid_t)pid, sig) == 0)
			n++;
		while (*end == '\n')
			end++;
	}
	free(procs);
	return (n);
}

/* SIGKILL everything in the task's cgroup at once.  -1 and errno. */
int
cgroup_task_kill(const struct task *t)
{
	if (t->cg_fd == -1) {
		errno = ENOENT;
		return (-1);
	}
	return (cgroup_file_write(t->cg_fd, "cgroup.kill", "1"));
}

/* Freeze or thaw the task's cgroup.  -1 and errno. */
int
cgroup_task_freeze(const struct task *t, int frozen)
{
	if (t->cg_fd == -1) {
		errno = ENOENT;
		return (-1);
	}
	return (cgroup_file_write(t->cg_fd, "cgroup.freeze", frozen ? "1" :
	    "0"));
}

/* What the task's cgroup measured, whole tree; absent files stay unset. */
void
cgroup_task_usage(const struct task *t, struct cgroup_usage *u)
{
	char	 text[1024];
	int	 a, b;

	memset(u, 0, sizeof *u);
	if (t->cg_fd == -1)
		return;
	if (cgroup_file_small(t->cg_fd, "cpu.stat", text, sizeof text) == 0) {
		u->user_usec = cgroup_key(text, "user_usec", &a);
		u->system_usec = cgroup_key(text, "system_usec", &b);
		u->have_cpu = a && b;
	}
	/* Only where the memory controller is on: else they are missing. */
	if (!(cg_enabled & CGROUP_MEMORY))
		return;
	if (cgroup_file_small(t->cg_fd, "memory.peak", text,
	    sizeof text) == 0 && *text >= '0' && *text <= '9') {
		u->memory_peak = strtoull(text, NULL, 10);
		u->have_memory_peak = 1;
	}
	if (cgroup_file_small(t->cg_fd, "memory.events", text,
	    sizeof text) == 0)
		u->oom_kills = cgroup_key(text, "oom_kill", &u->have_oom);
}

/* Remove the task's (empty) cgroup. */
void
cgroup_task_remove(struct task *t)
{
	char	 name[32];

	if (t->cg_fd == -1)
		return;
	if (t->cg_wd != -1) {
		hmap_idel(&cg_watches, (uint64_t)t->cg_wd);
		inotify_rm_watch(cg_inotify, t->cg_wd);
		t->cg_wd = -1;
	}
	close(t->cg_fd);
	t->cg_fd = -1;
	snprintf(name, sizeof name, "%llu", (unsigned long long)t->id);
	if (unlinkat(cg_tasksfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT) {
		log_warn("cgroups: remove %s/tasks/%s", cg_root, name);
		/* Something is still in it: kill it and try once more. */
		cgroup_kill_dir(cg_tasksfd, name);
	}
}

/* At exit. */
void
cgroup_free(void)
{
	if (cg_inotify_ev != NULL)
		event_free(cg_inotify_ev);
	cg_inotify_ev = NULL;
	if (cg_inotify != -1)
		close(cg_inotify);
	cg_inotify = -1;
	if (cg_tasksfd != -1)
		close(cg_tasksfd);
	if (cg_rootfd != -1)
		close(cg_rootfd);
	cg_tasksfd = cg_rootfd = -1;
	hmap_clear(&cg_watches);
	free(cg_root);
	cg_root = NULL;
	cg_offered = cg_enabled = 0;
}
