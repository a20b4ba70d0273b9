/* SPDX-License-Identifier: ISC */
/*
 * What a task's process needs resolved before it starts (task-prep.c),
 * private to the task files.
 */
#ifndef TASK_PREP_H
#define TASK_PREP_H

#include <sys/types.h>

#include "spawn.h"

#define TASK_MAX_GROUPS	256

struct task;

struct task_prep {
	struct spawn_req req;
	char		*path;
	char		**argv;		/* with the task's args, or NULL */
	char		**envp;
	size_t		 nenv;
	char		*workdir;
	gid_t		 groups[TASK_MAX_GROUPS];
	char		 result_name[24];	/* its result file */
	int		 result_error;		/* -1: not made */
};

int	 task_prepare(struct task *, struct task_prep *, char **);
void	 task_prep_free(struct task_prep *);

#endif
