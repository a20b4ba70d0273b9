/*
 * The control commands: one fixed table, checked before any handler runs.
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

enum cmd_retval {
	CMD_DONE,		/* answered */
	CMD_DEFER,		/* will answer later; the client waits */
};

struct cmd_ctx {
	struct client	*c;
	json_t		*req;
	json_t		*id;		/* borrowed; null when absent */
	uid_t		 uid;
	int		 admin;
};

struct cmd_arg {
	const char	*name;
	int		 flags;
};

struct cmd_entry {
	const char	*name;
	int		 flags;
	struct cmd_arg	 args[CMD_MAX_ARGS];
	enum cmd_retval	 (*exec)(struct cmd_ctx *);
};

const struct cmd_entry *cmd_find(const char *);
int		 cmd_decode(const char *, size_t, json_t **, char **);
enum proto_error cmd_check(const struct cmd_entry *, json_t *, int, char **);
void		 cmd_handle(struct client *, const char *, size_t);
json_t		*cmd_answer_ok(json_t *, json_t *);
json_t		*cmd_answer_error(json_t *, enum proto_error, const char *);
void		 cmd_reply(struct cmd_ctx *, json_t *);
void		 cmd_error(struct cmd_ctx *, enum proto_error, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
int		 cmd_task_or_name(struct cmd_ctx *, struct task **,
		    struct job **);
struct job	*cmd_job_arg(struct cmd_ctx *, int);
int		 cmd_state_check(struct cmd_ctx *);

extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_ban_entry;
extern const struct cmd_entry cmd_bans_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_get_entry;
extern const struct cmd_entry cmd_hello_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_job_entry;
extern const struct cmd_entry cmd_jobs_entry;
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
extern const struct cmd_entry cmd_unban_entry;
extern const struct cmd_entry cmd_wait_entry;

#endif
