/* SPDX-License-Identifier: ISC */
/*
 * get and set: the daemon settings; set changes a few in memory only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "notify.h"
#include "util.h"

/* The settings of the first release. */
static json_t *
cmd_get_base(void)
{
	const struct settings	*s = &sd.settings;
	char			 mode[8];

	snprintf(mode, sizeof mode, "%04o", (unsigned)s->socket_mode);
	return (json_pack("{s:s,s:s,s:s?,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:s,s:I,s:I,s:s?}",
	    "socket", sd.socket_path,
	    "socket_mode", mode,
	    "socket_group", s->socket_group,
	    "state_dir", sd.state_dir,
	    "max_running", (json_int_t)s->max_running,
	    "max_queued", (json_int_t)s->max_queued,
	    "queue_limit", (json_int_t)s->queue_limit,
	    "default_timeout_ms", (json_int_t)s->default_timeout_ms,
	    "kill_grace_ms", (json_int_t)s->kill_grace_ms,
	    "history", (json_int_t)s->history,
	    "output_tail", (json_int_t)s->output_tail,
	    "log_max", (json_int_t)s->log_max,
	    "log_level", log_level_name(log_getlevel()),
	    "idle_exit_ms", (json_int_t)s->idle_exit_ms,
	    "shutdown_timeout_ms", (json_int_t)s->shutdown_timeout_ms,
	    "timezone", s->timezone));
}

/* The settings added for quotas and records of removed jobs. */
static void
cmd_get_more(json_t *o)
{
	const struct settings	*s = &sd.settings;

	json_object_set_new(o, "max_jobs_per_user",
	    json_integer((json_int_t)s->max_jobs_per_user));
	json_object_set_new(o, "max_queued_per_user",
	    json_integer((json_int_t)s->max_queued_per_user));
	json_object_set_new(o, "max_job_size",
	    json_integer((json_int_t)s->max_job_size));
	json_object_set_new(o, "removed_history",
	    json_integer((json_int_t)s->removed_history));
	json_object_set_new(o, "metrics_file", s->metrics_file != NULL ?
	    json_string(s->metrics_file) : json_null());
	json_object_set_new(o, "metrics_interval_ms",
	    json_integer((json_int_t)s->metrics_interval_ms));
}

/* The cgroup limits every task gets unless its job sets its own. */
static void
cmd_get_cglimits(json_t *o)
{
	int	 k;

	for (k = 0; k < CGLIM_NKINDS; k++)
		json_object_set_new(o, cglimit_names[k], cglimit_to_json(k,
		    &sd.settings.cglimits[k]));
}

/* Every setting, durations in milliseconds under *_ms keys. */
static json_t *
cmd_get_all(void)
{
	json_t	*o;

	o = cmd_get_base();
	cmd_get_more(o);
	cmd_get_cglimits(o);
	return (o);
}

/* The answer key of a setting: durations take "_ms". */
static const char *
cmd_get_key(const char *key)
{
	static const char	*dur[] = { "default_timeout", "kill_grace",
				    "idle_exit", "shutdown_timeout",
				    "metrics_interval" };
	static char		 buf[64];
	size_t			 i;

	for (i = 0; i < sizeof dur / sizeof dur[0]; i++) {
		if (strcmp(key, dur[i]) == 0) {
			snprintf(buf, sizeof buf, "%s_ms", key);
			return (buf);
		}
	}
	return (key);
}

static enum cmd_retval
cmd_get_exec(struct cmd_ctx *ctx)
{
	const char	*key;
	json_t		*all, *v;

	all = cmd_get_all();
	key = json_string_value(json_object_get(ctx->req, "key"));
	if (key == NULL) {
		cmd_reply(ctx, json_pack("{s:o}", "settings", all));
		return (CMD_DONE);
	}
	if ((v = json_object_get(all, cmd_get_key(key))) == NULL) {
		cmd_fail(ctx, PROTO_NOT_FOUND, "no setting \"%s\"", key);
		json_decref(all);
		return (CMD_ERROR);
	}
	cmd_reply(ctx, json_pack("{s:{s:O}}", "settings", cmd_get_key(key),
	    v));
	json_decref(all);
	return (CMD_DONE);
}

/* A count from a number or a digit string; -1 if not one. */
static int
cmd_set_count(json_t *v, uint64_t max, uint64_t *out)
{
	uint64_t	 n;
	char		*end;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return (-1);
		n = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		n = strtoull(json_string_value(v), &end, 10);
		if (*json_string_value(v) == '\0' || *end != '\0')
			return (-1);
	} else
		return (-1);
	if (n > max)
		return (-1);
	*out = n;
	return (0);
}

static int
cmd_set_duration(json_t *v, uint64_t *out)
{
	double	 d;

	if (json_is_string(v))
		return (parse_duration(json_string_value(v), out));
	if (!json_is_number(v))
		return (-1);
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > 1e10)
		return (-1);
	*out = (uint64_t)(d * 1000);
	return (0);
}

static enum cmd_retval
cmd_set_exec(struct cmd_ctx *ctx)
{
	struct settings	*s = &sd.settings;
	struct job	*j;
	const char	*key;
	json_t		*v, *all, *nv;
	uint64_t	 n;
	int		 bad = 0, level;

	key = json_string_value(json_object_get(ctx->req, "key"));
	v = json_object_get(ctx->req, "value");
	if (strcmp(key, "max_running") == 0) {
		if (!(bad = cmd_set_count(v, UINT32_MAX, &n) || n == 0))
			s->max_running = (uint32_t)n;
	} else if (strcmp(key, "max_queued") == 0) {
		if (!(bad = cmd_set_count(v, UINT32_MAX, &n)))
			s->max_queued = (uint32_t)n;
	} else if (strcmp(key, "queue_limit") == 0) {
		if (!(bad = cmd_set_count(v, UINT32_MAX, &n)))
			s->queue_limit = (uint32_t)n;
	} else if (strcmp(key, "history") == 0) {
		if (!(bad = cmd_set_count(v, 1000000, &n) || n == 0))
			s->history = (uint32_t)n;
	} else if (strcmp(key, "default_timeout") == 0) {
		if (!(bad = cmd_set_duration(v, &n)))
			s->default_timeout_ms = n;
	} else if (strcmp(key, "kill_grace") == 0) {
		if (!(bad = cmd_set_duration(v, &n)))
			s->kill_grace_ms = n;
	} else if (strcmp(key, "idle_exit") == 0) {
		if (!(bad = cmd_set_duration(v, &n))) {
			s->idle_exit_ms = n;
			notify_idle_check();
		}
	} else if (strcmp(key, "log_level") == 0) {
		level = json_is_string(v) ?
		    log_level_parse(json_string_value(v)) : -1;
		if (!(bad = level == -1)) {
			s->log_level = level;
			log_setlevel(level);
		}
	} else {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "set: \"%s\" cannot be set at "
		    "run time (max_running, max_queued, queue_limit, "
		    "default_timeout, kill_grace, history, log_level, "
		    "idle_exit can)", key);
		return (CMD_ERROR);
	}
	if (bad) {
		cmd_fail(ctx, PROTO_BAD_REQUEST, "set: bad value for \"%s\"",
		    key);
		return (CMD_ERROR);
	}
	log_notice("setting %s changed by uid %u", key, (unsigned)ctx->uid);
	if (strcmp(key, "history") == 0) {
		TAILQ_FOREACH(j, &sd.jobs, entry)
			task_prune(j);
	}
	all = cmd_get_all();
	nv = json_object_get(all, cmd_get_key(key));
	cmd_reply(ctx, json_pack("{s:{s:O}}", "settings", cmd_get_key(key),
	    nv));
	json_decref(all);
	queue_dispatch();
	return (CMD_DONE);
}

const struct cmd_entry cmd_get_entry = {
	.name = "get",
	.args = { { "key", ARG_STRING } },
	.exec = cmd_get_exec,
};

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.flags = CMD_ADMIN,
	.args = {
		{ "key", ARG_STRING | ARG_REQUIRED },
		{ "value", ARG_STRING | ARG_NUMBER | ARG_REQUIRED },
	},
	.exec = cmd_set_exec,
};
