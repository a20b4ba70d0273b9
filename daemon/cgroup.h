/* SPDX-License-Identifier: ISC */
/*
 * Containment in cgroup v2 (schedd.8 CONTAINMENT): the daemon's cgroup C
 * (delegated by systemd, or given by the "cgroup" daemon key), the daemon
 * itself in C/supervisor, each task in C/tasks/ID.
 */
#ifndef CGROUP_H
#define CGROUP_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct jobdef;
struct settings;
struct task;

/* Controllers a limit needs (bits of cgroup_controllers()). */
#define CGROUP_CPU	0x01
#define CGROUP_MEMORY	0x02
#define CGROUP_IO	0x04
#define CGROUP_PIDS	0x08

/* What a task's cgroup measured, read before it is removed. */
struct cgroup_usage {
	int		 have_cpu;
	uint64_t	 user_usec;
	uint64_t	 system_usec;
	int		 have_memory_peak;
	uint64_t	 memory_peak;	/* bytes */
	int		 have_oom;
	uint64_t	 oom_kills;
};

/*
 * Set up containment as the "cgroup" setting says (auto, off or a path):
 * 0 with cgroups in use or deliberately off, -1 and a caller-freed cause
 * when a path was given and cannot be used.
 */
int	 cgroup_init(const char *, char **);
int	 cgroup_enabled(void);
const char *cgroup_root(void);		/* C, or NULL */
unsigned cgroup_controllers(void);	/* offered to C's children */
const char *cgroup_controller_name(unsigned);
unsigned cgroup_controllers_parse(const char *);
char	*cgroup_file_read(int, const char *);
int	 cgroup_file_write(int, const char *, const char *);

/*
 * The controllers def's limits (with the daemon's defaults) need that C
 * does not offer: 0, or their bits.
 */
unsigned cgroup_missing(const struct jobdef *, const struct settings *);

/* At start: kill and remove what a crashed daemon left in C/tasks. */
void	 cgroup_reap_leftovers(void);

/*
 * A task's cgroup: made (limits written) before its process starts, into
 * t->cg_fd, which spawn_start enters it through.  -1 and errno on failure.
 */
int	 cgroup_task_create(struct task *);
int	 cgroup_task_watch(struct task *);
int	 cgroup_task_populated(const struct task *);
int	 cgroup_task_signal(const struct task *, int);
int	 cgroup_task_kill(const struct task *);
int	 cgroup_task_freeze(const struct task *, int);
void	 cgroup_task_usage(const struct task *, struct cgroup_usage *);
void	 cgroup_task_remove(struct task *);

void	 cgroup_free(void);

/*
 * Limits (cgroup-limits.c): the controllers a definition's effective
 * limits need, writing them into a task's cgroup folder, enabling
 * controllers in a folder's cgroup.subtree_control, and the check of a
 * configuration against what is offered (at start and reload).
 */
struct config;
unsigned cgroup_limits_needed(const struct jobdef *, const struct settings *);
int	 cgroup_limits_write(int, const struct jobdef *,
	     const struct settings *, char **);
int	 cgroup_controllers_enable(int, unsigned, char **);
int	 cgroup_limits_check(const struct config *, unsigned, const char *,
	     char ***, size_t *);

#endif
