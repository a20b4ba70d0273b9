/* SPDX-License-Identifier: ISC */

/*
 * The runner of schedctl's commands: it turns a parsed command line into
 * the request its entry in ctl_cmds describes, sends it, and prints the
 * answer with the entry's printer, follows a stream, or waits for the
 * task the answer names.  Arguments are checked in order, positionals
 * first, then options in table order; the first bad one is reported as a
 * usage error (exit 2).
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "util.h"
#include "xmalloc.h"

static void	 run_set(json_t *, const char *, json_t *);
static int	 run_pos(struct args *, const struct ctl_pos *, int,
		     json_t *);
static int	 run_opt(struct args *, int, json_t *);
static int	 run_choice(struct args *, const struct ctl_opt *,
		     const char *);
static int	 run_env(struct args *, const struct ctl_opt *, json_t **);
static json_t	*run_scalar(const char *);
static int	 run_task(struct ctl *, struct args *, json_t *);

/* Parse a decimal integer within [min, max]; -1 if it is not one. */
int
number_parse(const char *s, long long min, long long max, json_int_t *out)
{
	long long	 v;
	char		*end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* A task id argument of a command; a usage error (exit 2) if it is not. */
int
run_task_id(const char *cmd, const char *arg, json_int_t *id)
{
	if (number_parse(arg, 0, INT64_MAX, id) != 0)
		return (usage_error(cmd, "bad task id: %s", arg));
	return (0);
}

/* Put a value (stolen) under key in req; "job.x" is member x of "job". */
static void
run_set(json_t *req, const char *key, json_t *value)
{
	const char	*dot;
	json_t		*sub;
	char		*outer;

	if ((dot = strchr(key, '.')) == NULL) {
		json_object_set_new(req, key, value);
		return;
	}
	outer = xstrndup(key, dot - key);
	if ((sub = json_object_get(req, outer)) == NULL) {
		sub = json_object();
		json_object_set_new(req, outer, sub);
	}
	json_object_set_new(sub, dot + 1, value);
	free(outer);
}

/* A value of digits only as a number, anything else as a string. */
static json_t *
run_scalar(const char *arg)
{
	const char	*s;
	json_int_t	 n;

	for (s = arg; isdigit((unsigned char)*s); s++)
		;
	if (*arg != '\0' && *s == '\0' &&
	    number_parse(arg, 0, INT64_MAX, &n) == 0)
		return (json_integer(n));
	return (json_string(arg));
}

/* Put the positional argument at argv[i] (and on, for a list) in req. */
static int
run_pos(struct args *a, const struct ctl_pos *p, int i, json_t *req)
{
	const char	*arg = a->argv[i];
	json_t		*list;
	json_int_t	 n;
	int		 rc;

	switch (p->type) {
	case POS_STRING:
		run_set(req, p->key, json_string(arg));
		break;
	case POS_TASK:
		if ((rc = run_task_id(a->ce->name, arg, &n)) != 0)
			return (rc);
		run_set(req, p->key, json_integer(n));
		break;
	case POS_TARGET:
		/* Job names never start with a digit. */
		if (!isdigit((unsigned char)*arg)) {
			run_set(req, "name", json_string(arg));
			break;
		}
		if ((rc = run_task_id(a->ce->name, arg, &n)) != 0)
			return (rc);
		run_set(req, "task", json_integer(n));
		break;
	case POS_SCALAR:
		run_set(req, p->key, run_scalar(arg));
		break;
	case POS_LIST:
		list = json_array();
		for (; i < a->argc; i++)
			json_array_append_new(list, json_string(a->argv[i]));
		run_set(req, p->key, list);
		break;
	}
	return (0);
}

/*
 * Is v one of an option's choices, "a|b|c"?  If not, say which it must
 * be, "a, b or c", and return the usage exit code.
 */
static int
run_choice(struct args *a, const struct ctl_opt *o, const char *v)
{
	char	*copy, *w, *next, *text = NULL, *s;
	int	 rc = 0;

	copy = xstrdup(o->choices);
	for (w = copy; w != NULL; w = next) {
		if ((next = strchr(w, '|')) != NULL)
			*next++ = '\0';
		if (strcmp(w, v) == 0)
			goto out;
		if (text == NULL)
			s = xstrdup(w);
		else
			xasprintf(&s, "%s%s%s", text, next != NULL ? ", " :
			    " or ", w);
		free(text);
		text = s;
	}
	rc = usage_error(a->ce->name, "--%s must be %s", o->name, text);
out:
	free(text);
	free(copy);
	return (rc);
}

/* The KEY=VALUE values of an option as an object in *out. */
static int
run_env(struct args *a, const struct ctl_opt *o, json_t **out)
{
	json_t	*env;
	char	**list, *eq, *key;
	int	 i, count;

	list = args_all(a, o->name, &count);
	env = json_object();
	for (i = 0; i < count; i++) {
		if ((eq = strchr(list[i], '=')) == NULL || eq == list[i]) {
			json_decref(env);
			return (usage_error(a->ce->name, "--%s needs "
			    "KEY=VALUE: %s", o->name, list[i]));
		}
		key = xstrndup(list[i], eq - list[i]);
		json_object_set_new(env, key, o->type == OPT_MAP ?
		    run_scalar(eq + 1) : json_string(eq + 1));
		free(key);
	}
	*out = env;
	return (0);
}

/* Put the option at index idx, if it was given, in req. */
static int
run_opt(struct args *a, int idx, json_t *req)
{
	const struct ctl_opt	*o = &a->ce->opts[idx];
	const char		*v;
	json_t			*list = NULL;
	json_int_t		 n;
	int			 i, rc;

	if (a->count[idx] == 0 || o->key == NULL)
		return (0);
	v = a->values[idx][a->count[idx] - 1];
	switch (o->type) {
	case OPT_FLAG:
	case OPT_FOLLOW:
		run_set(req, o->key, json_true());
		break;
	case OPT_NOFLAG:
		run_set(req, o->key, json_false());
		break;
	case OPT_STRING:
		run_set(req, o->key, json_string(v));
		break;
	case OPT_INT:
		if (number_parse(v, o->min, o->max, &n) != 0) {
			if (o->letter != 0)
				return (usage_error(a->ce->name, "-%c: %s: %s",
				    o->letter, o->bad != NULL ? o->bad :
				    "bad number", v));
			return (usage_error(a->ce->name, "--%s: %s: %s",
			    o->name, o->bad != NULL ? o->bad : "bad number",
			    v));
		}
		run_set(req, o->key, json_integer(n));
		break;
	case OPT_CHOICE:
		if ((rc = run_choice(a, o, v)) != 0)
			return (rc);
		run_set(req, o->key, json_string(v));
		break;
	case OPT_SIGNAL:
		if (signal_parse(v) == -1)
			return (usage_error(a->ce->name, "unknown signal: %s",
			    v));
		if (number_parse(v, 1, 1000, &n) == 0)
			run_set(req, o->key, json_integer(n));
		else
			run_set(req, o->key, json_string(v));
		break;
	case OPT_SCALAR:
		run_set(req, o->key, run_scalar(v));
		break;
	case OPT_ENV:
	case OPT_MAP:
		if ((rc = run_env(a, o, &list)) != 0)
			return (rc);
		run_set(req, o->key, list);
		break;
	case OPT_LIST:
		list = json_array();
		for (i = 0; i < a->count[idx]; i++)
			json_array_append_new(list,
			    json_string(a->values[idx][i]));
		run_set(req, o->key, list);
		break;
	case OPT_IDS:
		list = json_array();
		for (i = 0; i < a->count[idx]; i++) {
			if (number_parse(a->values[idx][i], 1, INT64_MAX,
			    &n) != 0) {
				json_decref(list);
				return (usage_error(a->ce->name, "--%s: bad "
				    "task id: %s", o->name,
				    a->values[idx][i]));
			}
			json_array_append_new(list, json_integer(n));
		}
		run_set(req, o->key, list);
		break;
	case OPT_WAIT:
	case OPT_LOCAL:
	case OPT_LOCAL_ARG:
		break;
	}
	return (0);
}

/*
 * Fill req from the command line as the command's entry says: its
 * positional arguments, then its options.  Returns 0 or an exit code.
 */
int
run_args(struct args *a, json_t *req)
{
	const struct ctl_cmd	*ce = a->ce;
	const struct ctl_pos	*p;
	int			 i, idx, rc;

	for (i = 0; i < CTL_MAX_POS && ce->pos[i].name != NULL; i++) {
		p = &ce->pos[i];
		if (i >= a->argc || (p->flags & POS_LOCAL))
			continue;
		if ((rc = run_pos(a, p, i, req)) != 0)
			return (rc);
	}
	for (idx = 0; ce->opts != NULL && ce->opts[idx].name != NULL; idx++) {
		if ((rc = run_opt(a, idx, req)) != 0)
			return (rc);
	}
	return (0);
}

/*
 * The task an answer names: print its id and, with the command's
 * OPT_WAIT option, wait for it, reporting how it ended on stderr.
 */
static int
run_task(struct ctl *ctl, struct args *a, json_t *res)
{
	json_int_t	 task;

	if (field_int(res, "task", &task) != 0) {
		if (a->ce->flags & CTL_TASK_MAYBE)
			return (CTL_EXIT_OK);
		fprintf(stderr, "schedctl: no task id in the answer\n");
		return (CTL_EXIT_ERROR);
	}
	if (!ctl->json) {
		printf("%lld\n", (long long)task);
		fflush(stdout);
	}
	if (args_given(a, OPT_WAIT))
		return (wait_tasks(ctl, &task, 1, stderr, -1));
	return (CTL_EXIT_OK);
}

/*
 * Send one request (req is stolen) and print its result with print
 * unless --json; with --json the answer line is printed as it is.
 */
int
run_request(struct ctl *ctl, struct args *a, const char *wire, json_t *req,
    ctl_print_cb print)
{
	json_t	*res;
	int	 rc;

	if ((rc = ctl_call(ctl, wire, req, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json && print != NULL)
		print(res, a);
	if (a->ce->flags & CTL_TASK)
		rc = run_task(ctl, a, res);
	json_decref(res);
	return (rc);
}

/* Carry out a command as its entry in ctl_cmds describes. */
int
ctl_run(struct ctl *ctl, struct args *a)
{
	const struct ctl_cmd	*ce = a->ce;
	json_t			*req;
	int			 rc;

	if (ce->flags & CTL_HUMAN)
		ctl->json = 0;
	req = json_object();
	rc = ce->build != NULL ? ce->build(a, req) : 0;
	if (rc != 0 || (rc = run_args(a, req)) != 0) {
		json_decref(req);
		return (rc);
	}
	if (ce->fields != NULL && !ctl->json)
		json_object_set_new(req, "fields", format_fields(ce->fields));
	if ((ce->flags & CTL_STREAM) || args_given(a, OPT_FOLLOW))
		return (ctl_stream(ctl, ce->wire, req,
		    (ce->flags & CTL_STREAM) != 0, ce->event, NULL));
	return (run_request(ctl, a, ce->wire, req, ce->print));
}
