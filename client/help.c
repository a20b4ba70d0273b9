/* SPDX-License-Identifier: ISC */

/*
 * schedctl's help: "schedctl help", "help COMMAND", "--help" and
 * "COMMAND --help" print to standard output the usage of every command
 * (or of one), what it does and one line per option, all read from the
 * table of commands (cmds.c), so help cannot drift from what is parsed.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "client.h"

/* Width of the option column, "-t, --tag T". */
#define HELP_OPT_WIDTH	27

static void	 help_option(const struct ctl_opt *, FILE *);
static void	 help_command(const struct ctl_cmd *, int, FILE *);

/* The options every command takes, in the form of a command's own. */
static const struct ctl_opt help_globals[] = {
	{ .name = "socket", .letter = 's', .arg = "SOCKET",
	  .help = "the daemon's socket (see schedctl(1) FILES)" },
	{ .name = "json", .help = "print the daemon's answers as JSON lines" },
	{ .name = "help", .letter = 'h', .help = "print this help" },
	{ .name = "version", .help = "print the version of schedctl" },
	{ .name = NULL }
};

/* One line of an option: "  -n, --count N    what it does". */
static void
help_option(const struct ctl_opt *o, FILE *fp)
{
	char	 head[80];

	snprintf(head, sizeof head, "%s%c%s--%s%s%s", o->letter != 0 ?
	    "-" : " ", o->letter != 0 ? o->letter : ' ', o->letter != 0 ?
	    ", " : "  ", o->name, o->arg != NULL ? " " : "",
	    o->arg != NULL ? o->arg : "");
	fprintf(fp, "    %-*s %s\n", HELP_OPT_WIDTH - 1, head,
	    o->help != NULL ? o->help : "");
}

/* What a command does and its options, after its usage if asked. */
static void
help_command(const struct ctl_cmd *ce, int usage, FILE *fp)
{
	const struct ctl_opt	*o;

	if (usage)
		fprintf(fp, "  %s\n", ce->usage);
	if (ce->help != NULL)
		fprintf(fp, "    %s\n", ce->help);
	for (o = ce->opts; o != NULL && o->name != NULL; o++)
		help_option(o, fp);
}

/*
 * Print the help of one command, or (cmd NULL) of schedctl and every
 * command, to standard output; returns exit code 0.
 */
int
help_print(const char *cmd)
{
	const struct ctl_cmd	*ce;
	const struct ctl_opt	*o;

	if (cmd != NULL && (ce = ctl_cmd_find(cmd)) != NULL) {
		printf("usage: schedctl %s\n\n", ce->usage);
		help_command(ce, 0, stdout);
		return (CTL_EXIT_OK);
	}
	printf("usage: schedctl [-s SOCKET] [--json] COMMAND [ARGS]\n\n"
	    "options:\n");
	for (o = help_globals; o->name != NULL; o++)
		help_option(o, stdout);
	printf("\ncommands:\n");
	for (ce = ctl_cmds; ce->name != NULL; ce++) {
		if (!(ce->flags & CTL_HIDDEN))
			help_command(ce, 1, stdout);
	}
	printf("\nSee schedctl(1) for more.\n");
	return (CTL_EXIT_OK);
}
