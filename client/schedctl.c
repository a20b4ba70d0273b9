/* SPDX-License-Identifier: ISC */

/*
 * schedctl: talk to schedd over its control socket.
 *
 *	schedctl [-s SOCKET] [--json] COMMAND [ARGS]
 *
 * This file finds the socket, parses the command line against the
 * command's entry in ctl_cmds (options may come before or after the
 * positional arguments, except after "--") and runs it.
 */
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#ifndef SCHEDD_VERSION
#define SCHEDD_VERSION "unknown"
#endif

static const char	*ctl_socket_arg;

static void	 usage_print(void);
static void	 list_commands(void);
static int	 args_parse(struct ctl *, const struct ctl_cmd *, int,
		     char **, struct args *);
static int	 args_option(struct ctl *, const struct ctl_cmd *,
		     struct args *, int, char **, int *);
static int	 args_find(const struct ctl_cmd *, const char *, int);
static int	 args_valued(const struct ctl_opt *);
static int	 args_multi(const struct ctl_opt *);
static void	 args_store(struct args *, int, const char *);
static void	 args_free(struct args *);
static int	 args_index(struct args *, const char *);

/* Print every command's usage to stderr. */
static void
usage_print(void)
{
	const struct ctl_cmd	*ce;

	fprintf(stderr, "usage: schedctl [-s SOCKET] [--json] COMMAND "
	    "[ARGS]\ncommands:\n");
	for (ce = ctl_cmds; ce->name != NULL; ce++) {
		if (ce->flags & CTL_HIDDEN)
			continue;
		fprintf(stderr, "  %s\n", ce->usage);
	}
}

/*
 * The hidden --list-commands: one line a command, tab-separated: name,
 * request sent ("-" for none), "hidden" or "-", and its options, each as
 * "--long" or "--long|-l".  tests/regress/cli-consistency.sh checks it
 * against the daemon, the man pages and the shell completion.
 */
static void
list_commands(void)
{
	const struct ctl_cmd	*ce;
	const struct ctl_opt	*o;

	for (ce = ctl_cmds; ce->name != NULL; ce++) {
		printf("%s\t%s\t%s\t", ce->name, ce->wire != NULL ?
		    ce->wire : "-", (ce->flags & CTL_HIDDEN) ? "hidden" : "-");
		for (o = ce->opts; o != NULL && o->name != NULL; o++) {
			printf("%s--%s", o == ce->opts ? "" : " ", o->name);
			if (o->letter != 0)
				printf("|-%c", o->letter);
		}
		printf("\n");
	}
}

/* Report a usage error for a command (or none) and return exit code 2. */
int
usage_error(const char *cmd, const char *fmt, ...)
{
	const struct ctl_cmd	*ce;
	va_list			 ap;

	if (fmt != NULL) {
		fprintf(stderr, "schedctl: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n");
	}
	if (cmd != NULL && (ce = ctl_cmd_find(cmd)) != NULL)
		fprintf(stderr, "usage: schedctl %s\n", ce->usage);
	else
		usage_print();
	return (CTL_EXIT_USAGE);
}

/* Index of a command's option by long name or letter; -1 if none. */
static int
args_find(const struct ctl_cmd *ce, const char *name, int letter)
{
	int	 i;

	if (ce->opts == NULL)
		return (-1);
	for (i = 0; i < CTL_MAX_OPTS && ce->opts[i].name != NULL; i++) {
		if (name != NULL && strcmp(ce->opts[i].name, name) == 0)
			return (i);
		if (name == NULL && letter != 0 && ce->opts[i].letter == letter)
			return (i);
	}
	return (-1);
}

/* Does an option take a value? */
static int
args_valued(const struct ctl_opt *o)
{
	switch (o->type) {
	case OPT_STRING:
	case OPT_INT:
	case OPT_CHOICE:
	case OPT_SIGNAL:
	case OPT_SCALAR:
	case OPT_ENV:
	case OPT_MAP:
	case OPT_LIST:
	case OPT_IDS:
	case OPT_LOCAL_ARG:
		return (1);
	default:
		return (0);
	}
}

/* May an option be repeated, keeping every value? */
static int
args_multi(const struct ctl_opt *o)
{
	return (o->type == OPT_ENV || o->type == OPT_MAP ||
	    o->type == OPT_LIST || o->type == OPT_IDS);
}

/* Remember an option's value (a copy); a repeated option keeps all. */
static void
args_store(struct args *a, int idx, const char *value)
{
	a->values[idx] = xreallocarray(a->values[idx], a->count[idx] + 2,
	    sizeof *a->values[idx]);
	a->values[idx][a->count[idx]++] = xstrdup(value != NULL ? value : "");
	a->values[idx][a->count[idx]] = NULL;
}

/*
 * Parse the option at argv[*i]; advances *i past its value.  Returns 0, or
 * an exit code after reporting the problem.
 */
static int
args_option(struct ctl *ctl, const struct ctl_cmd *ce, struct args *a,
    int argc, char **argv, int *i)
{
	const char	*arg = argv[*i], *value = NULL, *eq;
	char		*name;
	int		 idx;

	if (strcmp(arg, "--json") == 0) {
		ctl->json = 1;
		return (0);
	}
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
		return (CTL_EXIT_HELP);
	if (strcmp(arg, "-s") == 0 || strcmp(arg, "--socket") == 0) {
		if (*i + 1 >= argc)
			return (usage_error(ce->name, "%s needs a value", arg));
		ctl_socket_arg = argv[++*i];
		return (0);
	}

	if (arg[1] == '-') {
		if ((eq = strchr(arg, '=')) != NULL) {
			name = xstrndup(arg + 2, eq - arg - 2);
			value = eq + 1;
		} else
			name = xstrdup(arg + 2);
		idx = args_find(ce, name, 0);
		free(name);
	} else {
		idx = args_find(ce, NULL, (unsigned char)arg[1]);
		if (idx != -1 && arg[2] != '\0') {
			if (!args_valued(&ce->opts[idx]))
				return (usage_error(ce->name,
				    "unknown option: %s", arg));
			value = arg + 2;
		}
	}
	if (idx == -1)
		return (usage_error(ce->name, "unknown option: %s", arg));
	if (args_valued(&ce->opts[idx])) {
		if (value == NULL) {
			if (*i + 1 >= argc)
				return (usage_error(ce->name,
				    "%s needs a value", arg));
			value = argv[++*i];
		}
	} else if (value != NULL)
		return (usage_error(ce->name, "%s takes no value", arg));
	if (args_multi(&ce->opts[idx]) || a->count[idx] == 0)
		args_store(a, idx, value);
	else {
		/* A repeated single option: the last one wins. */
		free(a->values[idx][0]);
		a->values[idx][0] = xstrdup(value != NULL ? value : "");
	}
	return (0);
}

/* Split a command's arguments into positionals and options. */
static int
args_parse(struct ctl *ctl, const struct ctl_cmd *ce, int argc,
    char **argv, struct args *a)
{
	const char	*arg;
	int		 i, rc, dashdash = 0, min, max;

	memset(a, 0, sizeof *a);
	a->ndash = -1;
	a->ce = ce;
	a->argv = xcalloc(argc + 1, sizeof *a->argv);
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (dashdash || arg[0] != '-' || arg[1] == '\0') {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			dashdash = 1;
			a->ndash = a->argc;
			continue;
		}
		/* "-5" is an argument unless the command has such a letter. */
		if (arg[1] >= '0' && arg[1] <= '9' &&
		    args_find(ce, NULL, (unsigned char)arg[1]) == -1) {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if ((rc = args_option(ctl, ce, a, argc, argv, &i)) != 0)
			return (rc);
	}
	min = args_min(ce);
	max = args_max(ce);
	if (a->argc < min)
		return (usage_error(ce->name, "missing argument"));
	if (max != -1 && a->argc > max)
		return (usage_error(ce->name, "unexpected argument: %s",
		    a->argv[max]));
	return (0);
}

/* How many positional arguments a command needs. */
int
args_min(const struct ctl_cmd *ce)
{
	int	 i, n = 0;

	for (i = 0; i < CTL_MAX_POS && ce->pos[i].name != NULL; i++) {
		if (!(ce->pos[i].flags & POS_OPTIONAL))
			n++;
	}
	return (n);
}

/* How many positional arguments a command takes; -1: no limit. */
int
args_max(const struct ctl_cmd *ce)
{
	int	 i;

	for (i = 0; i < CTL_MAX_POS && ce->pos[i].name != NULL; i++) {
		if (ce->pos[i].type == POS_LIST)
			return (-1);
	}
	return (i);
}

/* Free what args_parse allocated. */
static void
args_free(struct args *a)
{
	int	 i, j;

	for (i = 0; i < CTL_MAX_OPTS; i++) {
		for (j = 0; j < a->count[i]; j++)
			free(a->values[i][j]);
		free(a->values[i]);
	}
	free(a->argv);
}

/* The index of an option that was given, by long name; -1 if not given. */
static int
args_index(struct args *a, const char *name)
{
	const struct ctl_opt	*o = a->ce->opts;
	int			 idx;

	for (idx = 0; o != NULL && o[idx].name != NULL; idx++) {
		if (a->count[idx] > 0 && strcmp(o[idx].name, name) == 0)
			return (idx);
	}
	return (-1);
}

/* The value of an option given once (the last one), or NULL. */
const char *
args_get(struct args *a, const char *name)
{
	int	 idx;

	if ((idx = args_index(a, name)) == -1)
		return (NULL);
	return (a->values[idx][a->count[idx] - 1]);
}

/* Was an option given? */
int
args_has(struct args *a, const char *name)
{
	return (args_index(a, name) != -1);
}

/* Every value of a repeatable option, and how many there are. */
char **
args_all(struct args *a, const char *name, int *n)
{
	int	 idx;

	if ((idx = args_index(a, name)) == -1) {
		*n = 0;
		return (NULL);
	}
	*n = a->count[idx];
	return (a->values[idx]);
}

/* Was an option of this type given? */
int
args_given(struct args *a, enum ctl_opt_type type)
{
	const struct ctl_opt	*o = a->ce->opts;
	int			 idx;

	for (idx = 0; o != NULL && o[idx].name != NULL; idx++) {
		if (a->count[idx] > 0 && o[idx].type == type)
			return (1);
	}
	return (0);
}

/* Find the socket, parse the command line and run the command. */
int
main(int argc, char **argv)
{
	const struct ctl_cmd	*ce;
	struct ctl		 ctl;
	struct args		 a;
	const char		*env;
	char			*socket = NULL;
	int			 i, rc;

	log_init("schedctl", LOGLEVEL_WARN, 0);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A hash seed of our own: jansson would read /dev/urandom for one,
	 * a cost on every call that a client reading its daemon's answers
	 * has no use for.
	 */
	json_object_seed((size_t)getpid());
	memset(&ctl, 0, sizeof ctl);

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0';
	    i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			ctl.json = 1;
		else if (strcmp(argv[i], "-s") == 0 ||
		    strcmp(argv[i], "--socket") == 0) {
			if (++i >= argc)
				return (usage_error(NULL, "%s needs a value",
				    argv[i - 1]));
			ctl_socket_arg = argv[i];
		} else if (strncmp(argv[i], "-s", 2) == 0)
			ctl_socket_arg = argv[i] + 2;
		else if (strncmp(argv[i], "--socket=", 9) == 0)
			ctl_socket_arg = argv[i] + 9;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return (help_print(NULL));
		else if (strcmp(argv[i], "--version") == 0) {
			printf("schedctl %s\n", SCHEDD_VERSION);
			return (CTL_EXIT_OK);
		} else if (strcmp(argv[i], "--list-commands") == 0) {
			list_commands();
			return (CTL_EXIT_OK);
		} else
			return (usage_error(NULL, "unknown option: %s",
			    argv[i]));
	}
	if (i >= argc)
		return (usage_error(NULL, "no command given"));
	if ((ce = ctl_cmd_find(argv[i])) == NULL)
		return (usage_error(NULL, "unknown command: %s", argv[i]));

	if ((rc = args_parse(&ctl, ce, argc - i - 1, argv + i + 1, &a)) != 0) {
		args_free(&a);
		if (rc == CTL_EXIT_HELP)
			return (help_print(ce->name));
		return (rc);
	}

	ctl.socket_given = 1;
	if (ctl_socket_arg != NULL && *ctl_socket_arg != '\0')
		ctl.socket = ctl_socket_arg;
	else if ((env = getenv("SCHEDD_SOCKET")) != NULL && *env != '\0')
		ctl.socket = env;
	else {
		ctl.socket = socket = path_default_socket(getuid());
		ctl.socket_given = 0;
	}

	rc = ce->exec != NULL ? ce->exec(&ctl, &a) : ctl_run(&ctl, &a);

	if (fflush(stdout) == EOF && rc == CTL_EXIT_OK) {
		if (errno != EPIPE)
			perror("schedctl: stdout");
		rc = CTL_EXIT_ERROR;
	}
	ctl_close(&ctl);
	args_free(&a);
	free(socket);
	return (rc);
}
