/* SPDX-License-Identifier: ISC */
/*
 * The daemon: section of schedd.yaml(5): the settings with nothing
 * configured, and the validation of that section for config.c, every
 * problem added to the loader's error list.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config-node.h"
#include "config.h"
#include "intern.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

static void	settings_path(const struct cnode *, struct cerrs *, char **,
		    size_t);
static void	settings_one(struct settings *, const struct cnode *,
		    const struct cnode *, struct cerrs *);

static const char *const settings_keys[] = {
	"socket", "socket_mode", "socket_group", "state_dir", "max_running",
	"max_queued", "queue_limit", "default_timeout", "kill_grace",
	"history", "output_tail", "log_max", "log_level", "idle_exit",
	"shutdown_timeout", "timezone", "max_jobs_per_user",
	"max_queued_per_user", "max_job_size", "removed_history", "cgroup",
	"on_failure", "metrics_file", "metrics_interval"
};
#define SETTINGS_NKEYS (sizeof settings_keys / sizeof settings_keys[0])
/* And the cgroup limits, defaults for every task: cglimit_names[]. */

/* The daemon settings of schedd.yaml(5) with nothing configured. */
void
settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof *s);
	s->socket_mode = 0660;
	s->max_running = 10;
	s->max_queued = 1000;
	s->queue_limit = 30;
	s->default_timeout_ms = 0;
	s->kill_grace_ms = 10 * 1000;
	s->history = 60;
	s->output_tail = 4 * 1024;
	s->log_max = 1024 * 1024;
	s->log_level = LOGLEVEL_INFO;
	s->idle_exit_ms = 0;
	s->shutdown_timeout_ms = 30 * 1000;
	s->max_jobs_per_user = 100;
	s->max_queued_per_user = 1000;
	s->max_job_size = 64 * 1024;
	s->removed_history = 1000;
	s->metrics_interval_ms = 15 * 1000;
}

/* Copy settings, with their own strings; free dst first if it had any. */
void
settings_copy(struct settings *dst, const struct settings *src)
{
	*dst = *src;
	dst->socket = src->socket != NULL ? xstrdup(src->socket) : NULL;
	dst->socket_group = src->socket_group != NULL ?
	    xstrdup(src->socket_group) : NULL;
	dst->state_dir = src->state_dir != NULL ? xstrdup(src->state_dir) :
	    NULL;
	dst->timezone = src->timezone != NULL ? xstrdup(src->timezone) : NULL;
	dst->cgroup = src->cgroup != NULL ? xstrdup(src->cgroup) : NULL;
	dst->metrics_file = src->metrics_file != NULL ?
	    xstrdup(src->metrics_file) : NULL;
	dst->on_failure = NULL;
	dst->non_failure = 0;
	settings_copy_hooks(dst, src);
}

/* Take a copy of src's on_failure in place of dst's (reload too). */
void
settings_copy_hooks(struct settings *dst, const struct settings *src)
{
	char		**old = dst->on_failure;
	uint32_t	 i;

	dst->on_failure = NULL;
	dst->non_failure = 0;
	for (i = 0; i < src->non_failure; i++)
		jobdef_list_add(&dst->on_failure, &dst->non_failure,
		    intern_get(src->on_failure[i]));
	jobdef_list_free(old);
}

/* Free the strings of settings (the struct itself is the caller's). */
void
settings_free(struct settings *s)
{
	free(s->socket);
	free(s->socket_group);
	free(s->state_dir);
	free(s->timezone);
	free(s->cgroup);
	free(s->metrics_file);
	jobdef_list_free(s->on_failure);
	s->on_failure = NULL;
	s->non_failure = 0;
	s->socket = s->socket_group = s->state_dir = s->timezone = NULL;
	s->cgroup = s->metrics_file = NULL;
}

/* An absolute path setting. */
static void
settings_path(const struct cnode *v, struct cerrs *errs, char **out,
    size_t max)
{
	char	*s;

	if (cnode_to_string(v, errs, &s) != 0)
		return;
	if (*s != '/')
		cerr_add(errs, v, "must be an absolute path");
	else if (strlen(s) >= max)
		cerr_add(errs, v, "path is too long (at most %zu bytes)",
		    max - 1);
	else {
		free(*out);
		*out = s;
		return;
	}
	free(s);
}

/* One key of the daemon: section. */
static void
settings_one(struct settings *s, const struct cnode *k, const struct cnode *v,
    struct cerrs *errs)
{
	const char	*name = k->value;
	uint64_t	 u;
	int64_t		 n;
	int		 mode, level, kind;
	char		*str;

	for (kind = 0; kind < CGLIM_NKINDS; kind++) {
		if (strcmp(name, cglimit_names[kind]) == 0) {
			cglimit_parse(kind, k, v, errs, &s->cglimits[kind]);
			return;
		}
	}
	if (strcmp(name, "socket") == 0)
		settings_path(v, errs, &s->socket, 108);
	else if (strcmp(name, "state_dir") == 0)
		settings_path(v, errs, &s->state_dir, PATH_MAX);
	else if (strcmp(name, "socket_mode") == 0) {
		if (cnode_to_octal(v, errs, 0777, &mode) == 0)
			s->socket_mode = (mode_t)mode;
	} else if (strcmp(name, "socket_group") == 0) {
		if (cnode_to_string(v, errs, &str) != 0)
			return;
		if (*str == '\0') {
			cerr_add(errs, v, "must not be empty");
			free(str);
			return;
		}
		free(s->socket_group);
		s->socket_group = str;
	} else if (strcmp(name, "max_running") == 0) {
		if (cnode_to_int(v, errs, 1, UINT32_MAX, &n) == 0)
			s->max_running = (uint32_t)n;
	} else if (strcmp(name, "max_queued") == 0) {
		if (cnode_to_int(v, errs, 1, UINT32_MAX, &n) == 0)
			s->max_queued = (uint32_t)n;
	} else if (strcmp(name, "queue_limit") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->queue_limit = (uint32_t)n;
	} else if (strcmp(name, "history") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->history = (uint32_t)n;
	} else if (strcmp(name, "removed_history") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->removed_history = (uint32_t)n;
	} else if (strcmp(name, "max_jobs_per_user") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->max_jobs_per_user = (uint32_t)n;
	} else if (strcmp(name, "max_queued_per_user") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->max_queued_per_user = (uint32_t)n;
	} else if (strcmp(name, "max_job_size") == 0) {
		if (cnode_to_size(v, errs, &u) != 0)
			return;
		if (u < 1024 || u > PROTO_MAX_LINE)
			cerr_add(errs, v, "must be between 1KiB and 1MiB");
		else
			s->max_job_size = u;
	} else if (strcmp(name, "default_timeout") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->default_timeout_ms = u;
	} else if (strcmp(name, "kill_grace") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->kill_grace_ms = u;
	} else if (strcmp(name, "idle_exit") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->idle_exit_ms = u;
	} else if (strcmp(name, "shutdown_timeout") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->shutdown_timeout_ms = u;
	} else if (strcmp(name, "output_tail") == 0) {
		if (cnode_to_size(v, errs, &u) != 0)
			return;
		if (u > 1024 * 1024)
			cerr_add(errs, v, "must be at most 1MiB");
		else
			s->output_tail = u;
	} else if (strcmp(name, "log_max") == 0) {
		if (cnode_to_size(v, errs, &u) == 0)
			s->log_max = u;
	} else if (strcmp(name, "log_level") == 0) {
		if (cnode_to_string(v, errs, &str) != 0)
			return;
		if ((level = log_level_parse(str)) == -1)
			cerr_add(errs, v, "bad log level \"%s\" (expected "
			    "error, warning, info or debug)", str);
		else
			s->log_level = level;
		free(str);
	} else if (strcmp(name, "timezone") == 0) {
		if (cnode_to_timezone(v, errs, &str) == 0) {
			free(s->timezone);
			s->timezone = str;
		}
	} else if (strcmp(name, "cgroup") == 0) {
		if (cnode_to_string(v, errs, &str) != 0)
			return;
		if (strcmp(str, "auto") != 0 && strcmp(str, "off") != 0 &&
		    (*str != '/' || strlen(str) >= PATH_MAX)) {
			cerr_add(errs, v, "must be auto, off or the absolute "
			    "path of a cgroup v2 folder");
			free(str);
			return;
		}
		free(s->cgroup);
		s->cgroup = str;
	} else if (strcmp(name, "on_failure") == 0)
		cnode_to_list(v, errs, 1, &s->on_failure, &s->non_failure);
	else if (strcmp(name, "metrics_file") == 0)
		settings_path(v, errs, &s->metrics_file, PATH_MAX);
	else if (strcmp(name, "metrics_interval") == 0) {
		if (cnode_to_duration(v, errs, &u) != 0)
			return;
		if (u < 1000)
			cerr_add(errs, v, "must be at least 1s");
		else
			s->metrics_interval_ms = u;
	} else
		fatalx("%s: no setting %s", __func__, name);
}

/* Validate the daemon: mapping into s, adding any errors to errs. */
void
settings_parse(struct settings *s, const struct cnode *map,
    struct cerrs *errs)
{
	const char		*names[SETTINGS_NKEYS + CGLIM_NKINDS];
	const struct cnode	*k;
	size_t			 i, j, n = 0;

	if (cnode_is_null(map))
		return;
	if (map->type != CNODE_MAP) {
		if (map->type != CNODE_BAD)
			cerr_add(errs, map, "expected a mapping of daemon "
			    "settings, got %s", cnode_describe(map));
		return;
	}
	for (j = 0; j < SETTINGS_NKEYS; j++)
		names[n++] = settings_keys[j];
	for (j = 0; j < CGLIM_NKINDS; j++)
		names[n++] = cglimit_names[j];
	cnode_mark_dups((struct cnode *)map, errs, "key");
	for (i = 0; i + 1 < map->nchild; i += 2) {
		k = map->child[i];
		if (k->skip)
			continue;
		for (j = 0; j < n; j++) {
			if (strcmp(k->value, names[j]) == 0)
				break;
		}
		if (j == n)
			key_unknown(errs, k, names, n);
		else
			settings_one(s, k, map->child[i + 1], errs);
	}
}

/*
 * Every hook job a configuration names must be one of its jobs: errors
 * added to errs, at the job (or the main file for the daemon's key).
 */
void
settings_hooks_check(const struct config *conf, struct cerrs *errs)
{
	const struct jobdef	*def;
	char			**list;
	size_t			 i, k;
	int			 pass;

	list = conf->settings.on_failure;
	for (k = 0; k < conf->settings.non_failure; k++) {
		if (config_find_job(conf, list[k]) == NULL)
			cerr_addx(errs, conf->path, 0, 0, 0,
			    "daemon.on_failure: no job \"%s\"", list[k]);
	}
	for (i = 0; i < conf->njobs; i++) {
		def = conf->jobs[i];
		for (pass = 0; pass < 2; pass++) {
			list = pass == 0 ? def->on_failure : def->on_success;
			for (k = 0; list != NULL && list[k] != NULL; k++) {
				if (config_find_job(conf, list[k]) != NULL)
					continue;
				cerr_addx(errs, def->file, 0, def->line,
				    def->column, "job \"%s\": %s: no job "
				    "\"%s\"", def->name, pass == 0 ?
				    "on_failure" : "on_success", list[k]);
			}
		}
	}
}
