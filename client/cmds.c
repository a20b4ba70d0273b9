/*
 * The commands of schedctl, one table mirroring the daemon's (spec
 * section 10).  Each entry turns its command line into one or more
 * requests and prints the answer: tables and detail views for people, or
 * with --json the daemon's answer line as it is.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client.h"
#include "util.h"
#include "xmalloc.h"

static int	 cmd_status(struct ctl *, struct args *);
static int	 cmd_jobs(struct ctl *, struct args *);
static int	 cmd_add(struct ctl *, struct args *);
static int	 cmd_remove(struct ctl *, struct args *);
static int	 cmd_run(struct ctl *, struct args *);
static int	 cmd_stop(struct ctl *, struct args *);
static int	 cmd_cancel(struct ctl *, struct args *);
static int	 cmd_ban(struct ctl *, struct args *);
static int	 cmd_unban(struct ctl *, struct args *);
static int	 cmd_bans(struct ctl *, struct args *);
static int	 cmd_pause(struct ctl *, struct args *);
static int	 cmd_history(struct ctl *, struct args *);
static int	 cmd_next(struct ctl *, struct args *);
static int	 cmd_get(struct ctl *, struct args *);
static int	 cmd_set(struct ctl *, struct args *);
static int	 cmd_shutdown(struct ctl *, struct args *);
static int	 cmd_help(struct ctl *, struct args *);
static int	 cmd_names(struct ctl *, struct args *);

static void	 settings_print(json_t *);
static int	 target_parse(const char *, const char *, json_t *);
static void	 ids_print(const char *, json_t *, const char *);

static const struct opt_spec opts_jobs[] = {
	{ "tag", 't', OPT_ARG },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_add[] = {
	{ "every", 0, OPT_ARG },
	{ "cron", 0, OPT_ARG },
	{ "at", 0, OPT_ARG },
	{ "jitter", 0, OPT_ARG },
	{ "max-runs", 0, OPT_ARG },
	{ "timeout", 0, OPT_ARG },
	{ "concurrency", 0, OPT_ARG },
	{ "on-overlap", 0, OPT_ARG },
	{ "queue-limit", 0, OPT_ARG },
	{ "priority", 0, OPT_ARG },
	{ "retries", 0, OPT_ARG },
	{ "retry-delay", 0, OPT_ARG },
	{ "ban-after-failures", 0, OPT_ARG },
	{ "workdir", 0, OPT_ARG },
	{ "env", 0, OPT_ARG|OPT_MULTI },
	{ "tag", 0, OPT_ARG|OPT_MULTI },
	{ "description", 0, OPT_ARG },
	{ "shell", 0, 0 },
	{ "replace", 0, 0 },
	{ "wait", 0, 0 },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_stop_flag[] = {
	{ "stop", 0, 0 },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_run[] = {
	{ "wait", 0, 0 },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_stop[] = {
	{ "signal", 0, OPT_ARG },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_ban[] = {
	{ "reason", 0, OPT_ARG },
	{ "stop", 0, 0 },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_history[] = {
	{ "state", 0, OPT_ARG },
	{ "limit", 'n', OPT_ARG },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_next[] = {
	{ "count", 'n', OPT_ARG },
	{ "from", 0, OPT_ARG },
	{ NULL, 0, 0 }
};
static const struct opt_spec opts_shutdown[] = {
	{ "force", 0, 0 },
	{ NULL, 0, 0 }
};

/* In the order of spec section 10; the man page follows it. */
const struct cmd_entry cmd_table[] = {
	{ "status", "status [JOB|ID]", NULL, 0, 1, 0, cmd_status },
	{ "jobs", "jobs [--tag T] [PATTERN]", opts_jobs, 0, 1, 0, cmd_jobs },
	{ "add", "add NAME [--every D | --cron EXPR | --at TIME] "
	    "[--jitter D]\n"
	    "      [--max-runs N] [--timeout D] [--concurrency N]\n"
	    "      [--on-overlap queue|skip|replace] [--queue-limit N] "
	    "[--priority N]\n"
	    "      [--retries N] [--retry-delay D] [--ban-after-failures N]\n"
	    "      [--workdir DIR] [--env K=V]... [--tag T]... "
	    "[--description TEXT]\n"
	    "      [--shell] [--replace] [--wait] -- COMMAND [ARG...]",
	    opts_add, 1, -1, 0, cmd_add },
	{ "remove", "remove JOB [--stop]", opts_stop_flag, 1, 1, 0,
	    cmd_remove },
	{ "run", "run JOB [--wait]", opts_run, 1, 1, 0, cmd_run },
	{ "stop", "stop ID|JOB [--signal SIG]", opts_stop, 1, 1, 0,
	    cmd_stop },
	{ "cancel", "cancel ID|JOB", NULL, 1, 1, 0, cmd_cancel },
	{ "ban", "ban JOB|PATTERN [--reason TEXT] [--stop]", opts_ban, 1, 1,
	    0, cmd_ban },
	{ "unban", "unban JOB|PATTERN", NULL, 1, 1, 0, cmd_unban },
	{ "bans", "bans", NULL, 0, 0, 0, cmd_bans },
	{ "pause", "pause JOB", NULL, 1, 1, 0, cmd_pause },
	{ "resume", "resume JOB", NULL, 1, 1, 0, cmd_pause },
	{ "history", "history [JOB] [--state S] [-n N]", opts_history, 0, 1,
	    0, cmd_history },
	{ "next", "next JOB [-n N] [--from TIME]", opts_next, 1, 1, 0,
	    cmd_next },
	{ "logs", "logs ID [-f]", stream_opts_logs, 1, 1, 0, cmd_logs },
	{ "wait", "wait ID...", NULL, 1, -1, 0, cmd_wait },
	{ "reload", "reload [--dry-run]", reload_opts, 0, 0, 0, cmd_reload },
	{ "get", "get [KEY]", NULL, 0, 1, 0, cmd_get },
	{ "set", "set KEY VALUE", NULL, 2, 2, 0, cmd_set },
	{ "shutdown", "shutdown [--force]", opts_shutdown, 0, 0, 0,
	    cmd_shutdown },
	{ "watch", "watch [EVENT...]", NULL, 0, -1, 0, cmd_watch },
	{ "help", "help [COMMAND]", NULL, 0, 1, 0, cmd_help },
	{ "_names", "_names", NULL, 0, 0, CMD_HIDDEN, cmd_names },
	{ NULL, NULL, NULL, 0, 0, 0, NULL }
};

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

/*
 * Put a task id or job name into args: an argument that starts with a
 * digit is a task id ("task"), anything else a job name ("name").
 */
static int
target_parse(const char *cmd, const char *arg, json_t *args)
{
	json_int_t	 id;

	if (isdigit((unsigned char)*arg)) {
		if (number_parse(arg, 0, INT64_MAX, &id) != 0)
			return (usage_error(cmd, "bad task id: %s", arg));
		json_object_set_new(args, "task", json_integer(id));
	} else
		json_object_set_new(args, "name", json_string(arg));
	return (0);
}

/* Print "WHAT ids" if the list has any, else the fallback (if any). */
static void
ids_print(const char *what, json_t *list, const char *none)
{
	char	*ids;

	if ((ids = format_ids(list)) != NULL) {
		printf("%s %s\n", what, ids);
		free(ids);
	} else if (none != NULL)
		printf("%s\n", none);
}

/* status [JOB|ID]: the daemon and its jobs, one job, or one task. */
static int
cmd_status(struct ctl *ctl, struct args *a)
{
	json_t	*args, *res, *jobs;
	int	 rc;

	if (a->argc == 1) {
		args = json_object();
		if ((rc = target_parse("status", a->argv[0], args)) != 0) {
			json_decref(args);
			return (rc);
		}
		if (json_object_get(args, "task") != NULL) {
			rc = ctl_call(ctl, "task", args, CALL_RAW, &res);
			if (rc == 0 && !ctl->json)
				format_task(json_object_get(res, "task"),
				    stdout);
		} else {
			rc = ctl_call(ctl, "job", args, CALL_RAW, &res);
			if (rc == 0 && !ctl->json)
				format_job(json_object_get(res, "job"),
				    stdout);
		}
		if (rc == 0)
			json_decref(res);
		return (rc);
	}

	if ((rc = ctl_call(ctl, "status", NULL, CALL_RAW, &res)) != 0)
		return (rc);
	if (ctl->json) {
		json_decref(res);
		return (CTL_EXIT_OK);
	}
	format_status(res, stdout);
	json_decref(res);
	if ((rc = ctl_call(ctl, "jobs", NULL, 0, &res)) != 0)
		return (rc);
	jobs = json_object_get(res, "jobs");
	if (json_array_size(jobs) > 0) {
		printf("\n");
		format_jobs(jobs, stdout);
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* jobs [--tag T] [PATTERN]: the jobs table. */
static int
cmd_jobs(struct ctl *ctl, struct args *a)
{
	json_t	*args, *res;
	int	 rc;

	args = json_object();
	if (args_get(a, "tag") != NULL)
		json_object_set_new(args, "tag", json_string(args_get(a,
		    "tag")));
	if (a->argc == 1)
		json_object_set_new(args, "name", json_string(a->argv[0]));
	if ((rc = ctl_call(ctl, "jobs", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		format_jobs(json_object_get(res, "jobs"), stdout);
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* _names: job names one per line, for shell completion. */
static int
cmd_names(struct ctl *ctl, struct args *a)
{
	json_t		*res, *job;
	const char	*name;
	size_t		 i;
	int		 rc;

	ctl->json = 0;
	if ((rc = ctl_call(ctl, "jobs", NULL, 0, &res)) != 0)
		return (rc);
	json_array_foreach(json_object_get(res, "jobs"), i, job) {
		if ((name = field_str(job, "name")) != NULL)
			printf("%s\n", name);
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* add NAME [OPTIONS] -- COMMAND [ARG...]: define a job at run time. */
static int
cmd_add(struct ctl *ctl, struct args *a)
{
	static const struct {
		const char	*opt;
		const char	*key;
		int		 number;	/* else a string */
		long long	 min;
	} map[] = {
		{ "every", "every", 0, 0 },
		{ "cron", "cron", 0, 0 },
		{ "at", "at", 0, 0 },
		{ "jitter", "jitter", 0, 0 },
		{ "max-runs", "max_runs", 1, 0 },
		{ "timeout", "timeout", 0, 0 },
		{ "concurrency", "concurrency", 1, 1 },
		{ "on-overlap", "on_overlap", 0, 0 },
		{ "queue-limit", "queue_limit", 1, 0 },
		{ "priority", "priority", 1, INT32_MIN },
		{ "retries", "retries", 1, 0 },
		{ "retry-delay", "retry_delay", 0, 0 },
		{ "ban-after-failures", "ban_after_failures", 1, 0 },
		{ "workdir", "workdir", 0, 0 },
		{ "description", "description", 0, 0 },
	};
	json_t		*job, *args, *argv, *env, *tags, *res;
	json_int_t	 n, task;
	const char	*v, *name = a->argv[0], *ov;
	char		**list, *eq, *key, *shell, *next;
	int		 i, count, rc;
	size_t		 k;

	if (a->ndash > 1)
		return (usage_error("add", "unexpected argument: %s",
		    a->argv[1]));
	if (a->argc < 2)
		return (usage_error("add", "missing COMMAND after --"));
	if (!name_valid(name))
		return (usage_error("add", "bad job name: %s", name));
	ov = args_get(a, "on-overlap");
	if (ov != NULL && strcmp(ov, "queue") != 0 && strcmp(ov, "skip") != 0 &&
	    strcmp(ov, "replace") != 0)
		return (usage_error("add", "--on-overlap must be queue, skip "
		    "or replace"));

	job = json_object();
	json_object_set_new(job, "name", json_string(name));
	if (args_has(a, "shell")) {
		/* One shell string; several words are joined like ssh does. */
		shell = xstrdup(a->argv[1]);
		for (i = 2; i < a->argc; i++) {
			xasprintf(&next, "%s %s", shell, a->argv[i]);
			free(shell);
			shell = next;
		}
		json_object_set_new(job, "command", json_string(shell));
		free(shell);
	} else {
		argv = json_array();
		for (i = 1; i < a->argc; i++)
			json_array_append_new(argv, json_string(a->argv[i]));
		json_object_set_new(job, "command", argv);
	}

	for (k = 0; k < sizeof map / sizeof map[0]; k++) {
		if ((v = args_get(a, map[k].opt)) == NULL)
			continue;
		if (!map[k].number) {
			json_object_set_new(job, map[k].key, json_string(v));
			continue;
		}
		if (number_parse(v, map[k].min, INT32_MAX, &n) != 0) {
			json_decref(job);
			return (usage_error("add", "--%s: bad number: %s",
			    map[k].opt, v));
		}
		json_object_set_new(job, map[k].key, json_integer(n));
	}

	list = args_all(a, "env", &count);
	if (count > 0) {
		env = json_object();
		for (i = 0; i < count; i++) {
			if ((eq = strchr(list[i], '=')) == NULL ||
			    eq == list[i]) {
				json_decref(env);
				json_decref(job);
				return (usage_error("add", "--env needs "
				    "KEY=VALUE: %s", list[i]));
			}
			key = xstrndup(list[i], eq - list[i]);
			json_object_set_new(env, key, json_string(eq + 1));
			free(key);
		}
		json_object_set_new(job, "env", env);
	}
	list = args_all(a, "tag", &count);
	if (count > 0) {
		tags = json_array();
		for (i = 0; i < count; i++)
			json_array_append_new(tags, json_string(list[i]));
		json_object_set_new(job, "tags", tags);
	}

	args = json_object();
	json_object_set_new(args, "job", job);
	if (args_has(a, "replace"))
		json_object_set_new(args, "replace", json_true());
	if ((rc = ctl_call(ctl, "add", args, CALL_RAW, &res)) != 0)
		return (rc);
	rc = CTL_EXIT_OK;
	if (field_int(res, "task", &task) == 0) {
		if (!ctl->json) {
			printf("%lld\n", (long long)task);
			fflush(stdout);
		}
		if (args_has(a, "wait"))
			rc = wait_tasks(ctl, &task, 1, stderr);
	}
	json_decref(res);
	return (rc);
}

/* remove JOB [--stop]: delete a runtime job. */
static int
cmd_remove(struct ctl *ctl, struct args *a)
{
	json_t	*args, *res;
	int	 rc;

	args = json_object();
	json_object_set_new(args, "name", json_string(a->argv[0]));
	if (args_has(a, "stop"))
		json_object_set_new(args, "stop", json_true());
	if ((rc = ctl_call(ctl, "remove", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json) {
		printf("removed %s\n", field_text(res, "removed"));
		ids_print("stopped", json_object_get(res, "stopped"), NULL);
		ids_print("cancelled", json_object_get(res, "cancelled"),
		    NULL);
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* run JOB [--wait]: queue a task now; print its id. */
static int
cmd_run(struct ctl *ctl, struct args *a)
{
	json_t		*args, *res;
	json_int_t	 task;
	int		 rc;

	args = json_object();
	json_object_set_new(args, "name", json_string(a->argv[0]));
	if ((rc = ctl_call(ctl, "run", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (field_int(res, "task", &task) != 0) {
		json_decref(res);
		fprintf(stderr, "schedctl: no task id in the answer\n");
		return (CTL_EXIT_ERROR);
	}
	json_decref(res);
	if (!ctl->json) {
		printf("%lld\n", (long long)task);
		fflush(stdout);
	}
	if (args_has(a, "wait"))
		return (wait_tasks(ctl, &task, 1, stderr));
	return (CTL_EXIT_OK);
}

/* stop ID|JOB [--signal SIG]: stop a running task or a job's tasks. */
static int
cmd_stop(struct ctl *ctl, struct args *a)
{
	json_t		*args, *res;
	json_int_t	 n;
	const char	*sig;
	int		 rc;

	args = json_object();
	if ((rc = target_parse("stop", a->argv[0], args)) != 0) {
		json_decref(args);
		return (rc);
	}
	if ((sig = args_get(a, "signal")) != NULL) {
		if (signal_parse(sig) == -1) {
			json_decref(args);
			return (usage_error("stop", "unknown signal: %s", sig));
		}
		if (number_parse(sig, 1, 1000, &n) == 0)
			json_object_set_new(args, "signal", json_integer(n));
		else
			json_object_set_new(args, "signal", json_string(sig));
	}
	if ((rc = ctl_call(ctl, "stop", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		ids_print("stopped", json_object_get(res, "stopped"),
		    "nothing to stop");
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* cancel ID|JOB: take queued tasks off the queue. */
static int
cmd_cancel(struct ctl *ctl, struct args *a)
{
	json_t	*args, *res;
	int	 rc;

	args = json_object();
	if ((rc = target_parse("cancel", a->argv[0], args)) != 0) {
		json_decref(args);
		return (rc);
	}
	if ((rc = ctl_call(ctl, "cancel", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		ids_print("cancelled", json_object_get(res, "cancelled"),
		    "nothing to cancel");
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* ban JOB|PATTERN [--reason TEXT] [--stop]. */
static int
cmd_ban(struct ctl *ctl, struct args *a)
{
	json_t	*args, *res;
	int	 rc;

	args = json_object();
	json_object_set_new(args, "name", json_string(a->argv[0]));
	if (args_get(a, "reason") != NULL)
		json_object_set_new(args, "reason", json_string(args_get(a,
		    "reason")));
	if (args_has(a, "stop"))
		json_object_set_new(args, "stop", json_true());
	if ((rc = ctl_call(ctl, "ban", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json) {
		printf("banned %s\n", field_text(json_object_get(res, "ban"),
		    "name"));
		ids_print("cancelled", json_object_get(res, "cancelled"),
		    NULL);
		ids_print("stopped", json_object_get(res, "stopped"), NULL);
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* unban JOB|PATTERN. */
static int
cmd_unban(struct ctl *ctl, struct args *a)
{
	json_t	*args, *res;
	int	 rc;

	args = json_object();
	json_object_set_new(args, "name", json_string(a->argv[0]));
	if ((rc = ctl_call(ctl, "unban", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		printf("unbanned %s\n", field_str(json_object_get(res, "ban"),
		    "name") != NULL ? field_str(json_object_get(res, "ban"),
		    "name") : a->argv[0]);
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* bans: the ban list. */
static int
cmd_bans(struct ctl *ctl, struct args *a)
{
	json_t	*res;
	int	 rc;

	if ((rc = ctl_call(ctl, "bans", NULL, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		format_bans(json_object_get(res, "bans"), stdout);
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* pause JOB and resume JOB (the command name tells which). */
static int
cmd_pause(struct ctl *ctl, struct args *a)
{
	json_t		*args, *res, *job;
	const char	*cmd;
	char		*next;
	int		 rc;

	cmd = a->cmd;
	args = json_object();
	json_object_set_new(args, "name", json_string(a->argv[0]));
	if ((rc = ctl_call(ctl, cmd, args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json) {
		job = json_object_get(res, "job");
		if (strcmp(cmd, "pause") == 0)
			printf("paused %s\n", field_text(job, "name"));
		else if (field_str(job, "next_run") != NULL) {
			next = format_reltime(field_str(job, "next_run"));
			printf("resumed %s, next run %s\n",
			    field_text(job, "name"), next);
			free(next);
		} else
			printf("resumed %s\n", field_text(job, "name"));
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* history [JOB] [--state S] [-n N]: task records, newest first. */
static int
cmd_history(struct ctl *ctl, struct args *a)
{
	json_t		*args, *res;
	json_int_t	 n;
	const char	*v;
	int		 rc;

	args = json_object();
	if (a->argc == 1)
		json_object_set_new(args, "name", json_string(a->argv[0]));
	if ((v = args_get(a, "state")) != NULL)
		json_object_set_new(args, "state", json_string(v));
	if ((v = args_get(a, "limit")) != NULL) {
		if (number_parse(v, 1, INT32_MAX, &n) != 0) {
			json_decref(args);
			return (usage_error("history", "-n: bad number: %s",
			    v));
		}
		json_object_set_new(args, "limit", json_integer(n));
	}
	if ((rc = ctl_call(ctl, "history", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		format_tasks(json_object_get(res, "tasks"), stdout);
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* next JOB [-n N] [--from TIME]: the coming run times of a schedule. */
static int
cmd_next(struct ctl *ctl, struct args *a)
{
	struct timespec	 ts;
	struct tm	 tm;
	json_t		*args, *res, *times, *item;
	json_int_t	 n;
	const char	*v;
	char		 buf[64], *rel;
	size_t		 i;
	int		 rc;

	args = json_object();
	json_object_set_new(args, "name", json_string(a->argv[0]));
	if ((v = args_get(a, "count")) != NULL) {
		if (number_parse(v, 1, 1000, &n) != 0) {
			json_decref(args);
			return (usage_error("next", "-n: not a number from 1 "
			    "to 1000: %s", v));
		}
		json_object_set_new(args, "count", json_integer(n));
	}
	if ((v = args_get(a, "from")) != NULL)
		json_object_set_new(args, "from", json_string(v));
	if ((rc = ctl_call(ctl, "next", args, CALL_RAW, &res)) != 0)
		return (rc);
	times = json_object_get(res, "times");
	if (!ctl->json && json_array_size(times) == 0)
		printf("no upcoming runs\n");
	json_array_foreach(times, i, item) {
		if (ctl->json || (v = json_string_value(item)) == NULL)
			continue;
		/* Local time, then how far away: "2026-11-23 16:05:00  in 4m". */
		if (time_parse(v, time(NULL), &ts) != 0 ||
		    localtime_r(&ts.tv_sec, &tm) == NULL ||
		    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(buf, sizeof buf, "?");
		rel = format_reltime(v);
		printf("%s  %s\n", buf, rel);
		free(rel);
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* Print settings as "key: value" lines. */
static void
settings_print(json_t *settings)
{
	const char	*key;
	json_t		*v;
	char		*s;

	json_object_foreach(settings, key, v) {
		if (json_is_string(v))
			s = format_clean(json_string_value(v));
		else
			s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s: %s\n", key, s != NULL ? s : "?");
		free(s);
	}
}

/* get [KEY]: daemon settings. */
static int
cmd_get(struct ctl *ctl, struct args *a)
{
	json_t	*args = NULL, *res;
	int	 rc;

	if (a->argc == 1) {
		args = json_object();
		json_object_set_new(args, "key", json_string(a->argv[0]));
	}
	if ((rc = ctl_call(ctl, "get", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		settings_print(json_object_get(res, "settings"));
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* set KEY VALUE: change a setting in memory; digits go as a number. */
static int
cmd_set(struct ctl *ctl, struct args *a)
{
	json_t		*args, *res;
	json_int_t	 n;
	const char	*v = a->argv[1], *p;
	int		 rc;

	args = json_object();
	json_object_set_new(args, "key", json_string(a->argv[0]));
	for (p = v; isdigit((unsigned char)*p); p++)
		;
	if (*v != '\0' && *p == '\0' && number_parse(v, 0, INT64_MAX,
	    &n) == 0)
		json_object_set_new(args, "value", json_integer(n));
	else
		json_object_set_new(args, "value", json_string(v));
	if ((rc = ctl_call(ctl, "set", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json)
		settings_print(json_object_get(res, "settings"));
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* shutdown [--force]: stop the daemon. */
static int
cmd_shutdown(struct ctl *ctl, struct args *a)
{
	json_t	*args = NULL, *res;
	int	 rc;

	if (args_has(a, "force")) {
		args = json_object();
		json_object_set_new(args, "force", json_true());
	}
	if ((rc = ctl_call(ctl, "shutdown", args, CALL_RAW, &res)) != 0)
		return (rc);
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* help [COMMAND]: usage on stderr. */
static int
cmd_help(struct ctl *ctl, struct args *a)
{
	if (a->argc == 1 && cmd_find(a->argv[0]) != NULL)
		return (usage_error(a->argv[0], NULL));
	return (usage_error(NULL, NULL));
}
