/* SPDX-License-Identifier: ISC */
/*
 * The control commands: one fixed table, checked before any handler runs:
 * permission, arguments and the command's target (schedd.8 CONTROL
 * PROTOCOL).
 */
#ifndef CMD_H
#define CMD_H

#include <jansson.h>

#include "schedd.h"

#define ARG_STRING	0x01
#define ARG_INT		0x02
#define ARG_BOOL	0x04
#define ARG_OBJECT	0x08
#define ARG_ARRAY	0x10
#define ARG_NUMBER	0x20	/* integer or real */
#define ARG_REQUIRED	0x100

#define CMD_ADMIN	0x1	/* admins only */

#define CMD_MAX_ARGS	6

/* A listing's fill writes about this many bytes a call (cmd_reply_list). */
#define CMD_LIST_PART	(32 * 1024)

/*
 * What a command acts on, found and authorised by cmd_handle before the
 * handler runs (into cmd_ctx's job or task): "name" names a job, "task" a
 * task id; an owned target is one the client may act on (schedd.8
 * PERMISSIONS), the others may be read by anyone.
 */
enum cmd_target {
	CMD_TARGET_NONE = 0,
	CMD_TARGET_JOB,		/* "name" */
	CMD_TARGET_OWNED_JOB,	/* "name", the client may act on it */
	CMD_TARGET_TASK,	/* "task" */
	CMD_TARGET_OWNED_TASK,	/* "task", the client may act on it */
	CMD_TARGET_TASK_OR_JOB,	/* exactly one of them, may act on it */
};

/* What a handler did; cmd_handle acts on it. */
enum cmd_retval {
	CMD_DONE,	/* answered (cmd_reply) */
	CMD_ERROR,	/* answered with an error (cmd_fail) */
	CMD_DEFER,	/* answers later (cmd_defer): the client waits */
};

struct cmd_ctx {
	struct client	*c;
	json_t		*req;
	json_t		*id;		/* borrowed; null when absent */
	uid_t		 uid;
	int		 admin;
	struct job	*job;		/* the target, if a job */
	struct task	*task;		/* the target, if a task */
	int		 answered;	/* cmd_reply or cmd_fail ran */
	struct client_defer defer;	/* what cmd_defer set */
};

struct cmd_arg {
	const char	*name;
	int		 flags;
};

struct cmd_entry {
	const char	*name;
	int		 flags;
	enum cmd_target	 target;
	struct cmd_arg	 args[CMD_MAX_ARGS];
	enum cmd_retval	 (*exec)(struct cmd_ctx *);
};

const struct cmd_entry *cmd_find(const char *);
int		 cmd_decode(const char *, size_t, json_t **, char **);
enum proto_error cmd_check(const struct cmd_entry *, json_t *, int, char **);
void		 cmd_handle(struct client *, const char *, size_t);
json_t		*cmd_answer_ok(json_t *, json_t *);
json_t		*cmd_answer_error(json_t *, enum proto_error, const char *);
enum cmd_retval	 cmd_reply(struct cmd_ctx *, json_t *);
enum cmd_retval	 cmd_answer(struct cmd_ctx *, json_t *);
enum cmd_retval	 cmd_fail(struct cmd_ctx *, enum proto_error, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
enum cmd_retval	 cmd_defer(struct cmd_ctx *, void (*)(struct client *, void *),
		    void *);
struct jw	*cmd_answer_start(json_t *);
void		 cmd_answer_finish(struct jw *);
struct jw	*cmd_answer_begin(struct cmd_ctx *);
enum cmd_retval	 cmd_answer_end(struct cmd_ctx *, struct jw *);
enum cmd_retval	 cmd_reply_list(struct cmd_ctx *, const char *,
		    int (*)(struct jw *, void *), void (*)(void *), void *);
void		 cmd_job_summary(struct jw *, const struct job *);

extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_ban_entry;
extern const struct cmd_entry cmd_bans_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_freeze_entry;
extern const struct cmd_entry cmd_get_entry;
extern const struct cmd_entry cmd_hello_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_job_entry;
extern const struct cmd_entry cmd_jobs_entry;
extern const struct cmd_entry cmd_metrics_entry;
extern const struct cmd_entry cmd_next_entry;
extern const struct cmd_entry cmd_output_entry;
extern const struct cmd_entry cmd_pause_entry;
extern const struct cmd_entry cmd_reload_entry;
extern const struct cmd_entry cmd_remove_entry;
extern const struct cmd_entry cmd_resume_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_shutdown_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_stop_entry;
extern const struct cmd_entry cmd_subscribe_entry;
extern const struct cmd_entry cmd_task_entry;
extern const struct cmd_entry cmd_thaw_entry;
extern const struct cmd_entry cmd_unban_entry;
extern const struct cmd_entry cmd_wait_entry;

#endif
