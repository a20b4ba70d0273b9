/*
 * schedctl, the command-line client of schedd.
 *
 * schedctl.c parses the command line against one table of commands
 * (cmds.c) that mirrors the daemon's; stream.c holds the commands that
 * wait on the daemon or follow its events; conn.c speaks the line
 * protocol of common/proto.h over the Unix socket; format.c turns
 * answers into aligned tables, relative times and detail views.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <stdio.h>

#include <jansson.h>

/* Exit codes (spec section 10). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_ERROR		1	/* the daemon answered an error */
#define CTL_EXIT_USAGE		2
#define CTL_EXIT_UNREACH	3	/* the daemon cannot be reached */

/* Longest answer or event line schedctl accepts. */
#define CONN_MAX_LINE		(16 * 1024 * 1024)

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
int		 ctl_stream(struct ctl *, const char *, json_t *, int,
		     ctl_event_cb);
void		 ctl_print(json_t *);
void		 ctl_close(struct ctl *);

/* Command-line options of one command. */
#define OPT_ARG		0x1	/* takes a value */
#define OPT_MULTI	0x2	/* may be repeated; every value is kept */

struct opt_spec {
	const char	*name;		/* long name, without "--" */
	int		 letter;	/* short letter, or 0 */
	int		 flags;
};

#define ARGS_MAX_OPTS	32

/* A parsed command line: positional arguments and option values. */
struct args {
	const char	*cmd;		/* the command's name */
	const struct opt_spec *spec;	/* the command's options */
	int		 argc;
	char		**argv;
	int		 ndash;		/* positionals before "--", or -1 */
	int		 count[ARGS_MAX_OPTS];
	char		**values[ARGS_MAX_OPTS];
};

/* Flags of a command entry. */
#define CMD_HIDDEN	0x1	/* not listed in the usage */

struct cmd_entry {
	const char		*name;
	const char		*usage;
	const struct opt_spec	*opts;
	int			 minargs;
	int			 maxargs;	/* -1: no limit */
	int			 flags;
	int			 (*exec)(struct ctl *, struct args *);
};

extern const struct cmd_entry	 cmd_table[];

const struct cmd_entry *cmd_find(const char *);
const char	*args_get(struct args *, const char *);
int		 args_has(struct args *, const char *);
char		**args_all(struct args *, const char *, int *);
int		 usage_error(const char *, const char *, ...)
		     __attribute__((__format__(__printf__, 2, 3)));
int		 number_parse(const char *, long long, long long,
		     json_int_t *);

/* stream.c */
extern const struct opt_spec	 stream_opts_logs[];

int		 cmd_logs(struct ctl *, struct args *);
int		 cmd_wait(struct ctl *, struct args *);
int		 cmd_watch(struct ctl *, struct args *);
int		 cmd_reload(struct ctl *, struct args *);
extern const struct opt_spec	 reload_opts[];
int		 wait_tasks(struct ctl *, json_int_t *, size_t, FILE *);

/* format.c */
struct table;

struct table	*table_create(int, ...);
void		 table_align_right(struct table *, int);
void		 table_add(struct table *, ...);
void		 table_print(struct table *, FILE *);
void		 table_free(struct table *);

const char	*field_str(json_t *, const char *);
const char	*field_text(json_t *, const char *);
int		 field_int(json_t *, const char *, json_int_t *);
int		 field_true(json_t *, const char *);
char		*format_reltime(const char *);
char		*format_when(const char *);
char		*format_elapsed(json_int_t);
char		*format_exit(json_t *);
char		*format_ids(json_t *);
char		*format_clean(const char *);
void		 format_status(json_t *, FILE *);
void		 format_jobs(json_t *, FILE *);
void		 format_job(json_t *, FILE *);
void		 format_task(json_t *, FILE *);
void		 format_tasks(json_t *, FILE *);
void		 format_bans(json_t *, FILE *);
void		 format_event(json_t *, FILE *);

#endif
