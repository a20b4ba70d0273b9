/* SPDX-License-Identifier: ISC */
/*
 * Reload (schedd.8 RELOAD): SIGHUP and the "reload" command share this
 * path.  The whole new configuration is parsed and validated first; on
 * any error the running one stays.  Otherwise the difference is applied
 * by job name: new jobs are scheduled, removed ones unscheduled with their
 * queued tasks cancelled (running tasks finish), changed ones take the new
 * definition from their next task on.  An unchanged job keeps its next run
 * time; runtime jobs, bans, queues and history are untouched; a config job
 * of the same name replaces a runtime job.
 *
 * Jobs are matched by name through hash maps and compared by the digests
 * of their definitions, so an unchanged job costs a lookup and a compare
 * and the whole reload takes about as long as parsing the file.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "log.h"
#include "metrics.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static int	 reload_same_schedule(const struct jobdef *,
		    const struct jobdef *);
static void	 reload_settings(const struct settings *);
static int	 reload_streq(const char *, const char *);
static void	 reload_files(json_t *, size_t, size_t);

/* How many files were parsed, and how many were unchanged and reused. */
static void
reload_files(json_t *result, size_t nparsed, size_t nreused)
{
	json_object_set_new(result, "files", json_pack("{s:I,s:I}",
	    "parsed", (json_int_t)nparsed, "unchanged", (json_int_t)nreused));
}

static int
reload_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Would the timers compute the same next run for both definitions? */
static int
reload_same_schedule(const struct jobdef *a, const struct jobdef *b)
{
	return (a->every_ms == b->every_ms && reload_streq(a->cron, b->cron) &&
	    reload_streq(a->at, b->at) && a->jitter_ms == b->jitter_ms &&
	    a->max_runs == b->max_runs && reload_streq(a->timezone,
	    b->timezone) && a->enabled == b->enabled);
}

/* Take the new daemon settings that can change while running. */
static void
reload_settings(const struct settings *n)
{
	struct settings	*s = &sd.settings;
	struct job	*j;
	uint32_t	 history = s->history;

	if (!reload_streq(n->socket, s->socket) ||
	    !reload_streq(n->state_dir, s->state_dir) ||
	    !reload_streq(n->socket_group, s->socket_group) ||
	    n->socket_mode != s->socket_mode ||
	    !reload_streq(n->cgroup, s->cgroup))
		log_warnx("reload: socket, state_dir and cgroup settings take "
		    "effect at the next start");
	s->max_running = n->max_running;
	s->max_queued = n->max_queued;
	s->queue_limit = n->queue_limit;
	s->default_timeout_ms = n->default_timeout_ms;
	s->kill_grace_ms = n->kill_grace_ms;
	s->history = n->history;
	s->output_tail = n->output_tail;
	s->log_max = n->log_max;
	s->log_level = n->log_level;
	s->idle_exit_ms = n->idle_exit_ms;
	s->shutdown_timeout_ms = n->shutdown_timeout_ms;
	s->max_jobs_per_user = n->max_jobs_per_user;
	s->max_queued_per_user = n->max_queued_per_user;
	s->max_job_size = n->max_job_size;
	s->removed_history = n->removed_history;
	free(s->metrics_file);
	s->metrics_file = n->metrics_file != NULL ?
	    xstrdup(n->metrics_file) : NULL;
	s->metrics_interval_ms = n->metrics_interval_ms;
	memcpy(s->cglimits, n->cglimits, sizeof s->cglimits);
	free(s->timezone);
	s->timezone = n->timezone != NULL ? xstrdup(n->timezone) : NULL;
	settings_copy_hooks(s, n);
	log_setlevel(s->log_level);
	if (s->history < history) {
		TAILQ_FOREACH(j, &sd.jobs, entry)
			task_prune(j);
	}
}

/*
 * Reload the configuration file.  Returns 0 and the added, removed and
 * changed names (applied unless dry_run), or -1 and every error.
 */
int
reload_run(int dry_run, json_t **result, char ***errors, size_t *nerrors)
{
	struct config	*conf;
	struct jobdef	*def;
	struct job	*j, *next;
	json_t		*added, *removed, *changed;
	size_t		 i, nparsed, nreused;
	int		 same;

	*errors = NULL;
	*nerrors = 0;
	/* Limits need controllers the running cgroup offers (schedd.yaml.5). */
	conf = NULL;
	if (config_load(sd.config_path, sd.config_path != NULL, &conf, errors,
	    nerrors) != 0 || cgroup_limits_check(conf, cgroup_controllers(),
	    cgroup_root(), errors, nerrors) != 0) {
		config_free(conf);
		log_warnx("reload of %s refused: %zu error%s; the running "
		    "configuration stays", sd.config_path != NULL ?
		    sd.config_path : "(none)", *nerrors,
		    *nerrors == 1 ? "" : "s");
		for (i = 0; i < *nerrors; i++)
			log_warnx("%s", (*errors)[i]);
		malloc_trim(0);
		return (-1);
	}
	added = json_array();
	removed = json_array();
	changed = json_array();

	/* Removed: config jobs the new file no longer has. */
	TAILQ_FOREACH_SAFE(j, &sd.jobs, entry, next) {
		if (j->origin != ORIGIN_CONFIG ||
		    config_find_job(conf, j->name) != NULL)
			continue;
		json_array_append_new(removed, json_string(j->name));
		if (!dry_run) {
			log_info("reload: job %s removed", j->name);
			job_remove(j, NULL, NULL, JOB_KEEP_RUNNING);
		}
	}
	for (i = 0; i < conf->njobs; i++) {
		def = conf->jobs[i];
		j = job_find(def->name);
		if (j == NULL || j->origin == ORIGIN_RUNTIME) {
			json_array_append_new(added, json_string(def->name));
			if (dry_run)
				continue;
			if (j != NULL) {
				log_warnx("reload: config job %s replaces the "
				    "runtime job of that name", def->name);
				change_job_to_config(j, jobdef_ref(def));
			} else {
				log_info("reload: job %s added", def->name);
				job_create(jobdef_ref(def), ORIGIN_CONFIG,
				    sd.uid);
			}
			sub_emit(SUB_JOB_ADDED, json_pack("{s:s}", "job",
			    def->name));
			continue;
		}
		if (jobdef_same(j->def, def)) {
			if (dry_run || j->def == def)
				continue;
			/* Keep one copy, the job's unless it moved. */
			if (reload_streq(j->def->file, def->file) &&
			    j->def->line == def->line &&
			    j->def->column == def->column) {
				config_index_put(&conf->index, j->def);
				conf->jobs[i] = jobdef_ref(j->def);
				jobdef_unref(def);
			} else {
				jobdef_unref(j->def);
				j->def = jobdef_ref(def);
			}
			continue;
		}
		json_array_append_new(changed, json_string(def->name));
		if (dry_run)
			continue;
		log_info("reload: job %s changed", def->name);
		sub_emit(SUB_JOB_CHANGED, json_pack("{s:s}", "job",
		    def->name));
		same = reload_same_schedule(j->def, def);
		if (!same) {
			job_set_def(j, jobdef_ref(def), JOB_DEF_KEEP);
			continue;
		}
		/* Same schedule: the next run time stays as it is. */
		jobdef_unref(j->def);
		j->def = jobdef_ref(def);
		queue_update(j);
	}

	*result = json_pack("{s:o,s:o,s:o}", "added", added, "removed",
	    removed, "changed", changed);
	nparsed = conf->nparsed;
	nreused = conf->nreused;
	if (dry_run) {
		config_free(conf);
		reload_files(*result, nparsed, nreused);
		malloc_trim(0);
		return (0);
	}
	reload_settings(&conf->settings);
	metrics_file_apply();
	config_free(sd.config);
	sd.config = conf;
	log_notice("configuration reloaded: %zu added, %zu removed, %zu "
	    "changed", json_array_size(added), json_array_size(removed),
	    json_array_size(changed));
	sub_emit(SUB_CONFIG_RELOADED, json_deep_copy(*result));
	reload_files(*result, nparsed, nreused);
	queue_dispatch();
	/*
	 * The definitions of unchanged jobs just parsed were dropped for the
	 * running ones: give back the memory they leave free (about half of
	 * what a large configuration takes).
	 */
	malloc_trim(0);
	return (0);
}
