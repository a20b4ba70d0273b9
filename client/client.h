/* SPDX-License-Identifier: ISC */

/*
 * schedctl, the command-line client of schedd.
 *
 * schedctl.c parses the command line against one table of commands
 * (cmds.c), each a piece of data: the request it sends, how its
 * positional arguments and options fill that request, and how the answer
 * is printed.  run.c is the one runner of those entries; stream.c holds
 * what waits on the daemon or follows its events; conn.c speaks the line
 * protocol of common/proto.h over the Unix socket; format.c (with
 * table.c) turns answers into aligned tables, relative times and detail
 * views.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Exit codes (schedctl.1 EXIT STATUS). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_ERROR		1	/* the daemon answered an error */
#define CTL_EXIT_USAGE		2
#define CTL_EXIT_UNREACH	3	/* the daemon cannot be reached */
#define CTL_EXIT_TIMEOUT	4	/* wait --timeout passed */
#define CTL_EXIT_HELP		-1	/* not an exit code: print the help */

/* Longest answer or event line schedctl accepts. */
#define CONN_MAX_LINE		(1024 * 1024 * 1024)

/* One connection to the daemon. */
struct conn;

/* Flags of conn_open. */
#define CONN_ANY_OWNER	0x1	/* a path the user chose: any folder owner */

struct conn	*conn_open(const char *, int, char **);
int		 conn_send(struct conn *, json_t *);
int		 conn_recv(struct conn *, char **);
void		 conn_close(struct conn *);

/* State of one schedctl invocation. */
struct ctl {
	const char	*socket;	/* path tried */
	int		 socket_given;	/* by -s or SCHEDD_SOCKET */
	int		 json;		/* --json */
	struct conn	*conn;		/* opened on the first request */
	json_int_t	 next_id;
};

/* Flags of ctl_call. */
#define CALL_RAW	0x1	/* with --json, print the answer line */
#define CALL_ANSWER	0x2	/* return the whole answer, not its result */

/* Called for each event line of a stream; returns 0 or an exit code. */
typedef int (*ctl_event_cb)(struct ctl *, json_t *, const char *);

int		 ctl_call(struct ctl *, const char *, json_t *, int, json_t **);
int		 ctl_request(struct ctl *, const char *, json_t *);
int		 ctl_answer(struct ctl *, int, json_t **);
int		 ctl_stream(struct ctl *, const char *, json_t *, int,
		     ctl_event_cb, json_t **);
int		 ctl_read(struct ctl *, json_t **, char **);
int		 ctl_drain(struct ctl *);
void		 ctl_print(json_t *);
void		 ctl_close(struct ctl *);

/*
 * How an option fills the request.  Its key may name a member of an
 * object member, "job.every"; a NULL key is not sent.
 */
enum ctl_opt_type {
	OPT_FLAG,	/* no value; the key is true */
	OPT_NOFLAG,	/* no value; the key is false */
	OPT_STRING,	/* the value as it is */
	OPT_INT,	/* a decimal integer within [min, max] */
	OPT_CHOICE,	/* one of the words of choices, "a|b|c" */
	OPT_SIGNAL,	/* a signal name, sent as is, or number */
	OPT_SCALAR,	/* digits only: a number, else a string */
	OPT_ENV,	/* KEY=VALUE, repeated: an object */
	OPT_MAP,	/* KEY=VALUE, repeated: an object of OPT_SCALARs */
	OPT_LIST,	/* repeated: a list of strings */
	OPT_IDS,	/* repeated: a list of task ids */
	OPT_FOLLOW,	/* a flag that makes the answer a stream */
	OPT_WAIT,	/* not sent: wait for the task the answer names */
	OPT_LOCAL,	/* not sent: read by the command's own code */
	OPT_LOCAL_ARG,	/* the same, with a value */
};

/* One option of a command. */
struct ctl_opt {
	const char	*name;		/* long name, without "--" */
	int		 letter;	/* short letter, or 0 */
	enum ctl_opt_type type;
	const char	*key;		/* request key, or NULL */
	long long	 min;		/* OPT_INT */
	long long	 max;
	const char	*bad;		/* OPT_INT: error text, "bad number" */
	const char	*choices;	/* OPT_CHOICE */
	const char	*arg;		/* its value in the help, "D" */
	const char	*help;		/* one line for the help */
};

/* How a positional argument fills the request. */
enum ctl_pos_type {
	POS_STRING,	/* the argument as it is */
	POS_TASK,	/* a task id: an integer */
	POS_TARGET,	/* a task id as "task", or a job name as "name" */
	POS_SCALAR,	/* digits only: a number, else a string */
	POS_LIST,	/* this and every further argument, a list */
};

/* Flags of a positional argument. */
#define POS_OPTIONAL	0x1
#define POS_LOCAL	0x2	/* not sent: read by the command's own code */

/* One positional argument of a command. */
struct ctl_pos {
	const char	*name;		/* as in the usage, "JOB" */
	const char	*key;		/* request key (not for POS_TARGET) */
	enum ctl_pos_type type;
	int		 flags;
};

#define CTL_MAX_POS	2
#define CTL_MAX_OPTS	48

/* A parsed command line: positional arguments and option values. */
struct args {
	const struct ctl_cmd *ce;	/* the command */
	int		 argc;
	char		**argv;
	int		 ndash;		/* positionals before "--", or -1 */
	int		 count[CTL_MAX_OPTS];
	char		**values[CTL_MAX_OPTS];
};

/* Flags of a command. */
#define CTL_HIDDEN	0x01	/* not listed in the usage */
#define CTL_HUMAN	0x02	/* human output even with --json */
#define CTL_STREAM	0x04	/* the answer is a stream until the daemon
				   closes it */
#define CTL_TASK	0x08	/* the answer names the task started: print
				   its id; OPT_WAIT waits for it */
#define CTL_TASK_MAYBE	0x10	/* ... or may name none */

/* Human output of an answer's result. */
typedef void (*ctl_print_cb)(json_t *, struct args *);

/*
 * One command of schedctl.  A simple command is data that ctl_run
 * carries out: send wire with what pos and opts put in the request, then
 * print the result (or follow the stream with event).  A command that
 * needs more has a build hook, or its own exec.  A listing's printer may
 * name the members of its entries it reads (fields): only those are
 * asked for, unless the answer is printed as it is (--json).
 */
struct ctl_cmd {
	const char		*name;
	const char		*usage;
	const char		*help;		/* one line: what it does */
	const char		*wire;		/* the request's "cmd" */
	struct ctl_pos		 pos[CTL_MAX_POS];
	const struct ctl_opt	*opts;
	int			 flags;
	ctl_print_cb		 print;
	const char *const	*fields;	/* NULL-terminated, or NULL */
	ctl_event_cb		 event;		/* a stream's event lines */
	int			 (*build)(struct args *, json_t *);
	int			 (*exec)(struct ctl *, struct args *);
};

/* cmds.c */
extern const struct ctl_cmd	 ctl_cmds[];

const struct ctl_cmd *ctl_cmd_find(const char *);

/* schedctl.c */
const char	*args_get(struct args *, const char *);
int		 args_has(struct args *, const char *);
char		**args_all(struct args *, const char *, int *);
int		 args_given(struct args *, enum ctl_opt_type);
int		 args_min(const struct ctl_cmd *);
int		 args_max(const struct ctl_cmd *);
int		 usage_error(const char *, const char *, ...)
		     __attribute__((__format__(__printf__, 2, 3)));

/* human.c */
char		*human_user(json_int_t);
char		*human_size(uint64_t);
void		 human_pairs(json_t *, const char *, int, int, FILE *);
char		*human_json(json_t *);

/* export.c */
int		 ctl_export(struct ctl *, struct args *);

/* help.c */
int		 help_print(const char *);

/* import.c */
int		 ctl_import(struct ctl *, struct args *);

/* yamlout.c */
size_t		 yout_utf8(const char *, size_t, uint32_t *);
int		 yout_valid(const char *);
char		*yout_scalar(const char *);
void		 yout_comment(FILE *, const char *, const char *);

/* run.c */
int		 ctl_run(struct ctl *, struct args *);
int		 run_args(struct args *, json_t *);
int		 run_request(struct ctl *, struct args *, const char *,
		     json_t *, ctl_print_cb);
int		 run_task_id(const char *, const char *, json_int_t *);
int		 number_parse(const char *, long long, long long,
		     json_int_t *);

/* stream.c */
int		 logs_event(struct ctl *, json_t *, const char *);
int		 watch_event(struct ctl *, json_t *, const char *);
int		 wait_latest(struct ctl *, const char *, json_int_t *);
int		 wait_tasks(struct ctl *, json_int_t *, size_t, FILE *,
		     int64_t);
int		 ctl_wait(struct ctl *, struct args *);
int		 ctl_logs(struct ctl *, struct args *);
int		 ctl_result(struct ctl *, struct args *);
int		 ctl_stop(struct ctl *, struct args *);
int		 ctl_shutdown(struct ctl *, struct args *);

/* table.c */
struct table;

struct table	*table_create(int, ...);
void		 table_align_right(struct table *, int);
void		 table_add(struct table *, ...);
void		 table_print(struct table *, FILE *);
void		 table_free(struct table *);

/* format.c */
const char	*field_str(json_t *, const char *);
const char	*field_text(json_t *, const char *);
int		 field_int(json_t *, const char *, json_int_t *);
int		 field_true(json_t *, const char *);
char		*format_reltime(const char *);
char		*format_when(const char *);
char		*format_exit(json_t *);
char		*format_ids(json_t *);
char		*format_clean(const char *);
char		*format_value(json_t *);
void		 format_status(json_t *, FILE *);
extern const char *const format_jobs_fields[];
void		 format_jobs(json_t *, FILE *);
json_t		*format_fields(const char *const *);
void		 format_job(json_t *, FILE *);
void		 format_task(json_t *, FILE *);
void		 format_tasks(json_t *, FILE *);
void		 format_bans(json_t *, FILE *);
void		 format_event(json_t *, FILE *);

#endif
