/* SPDX-License-Identifier: ISC */

/*
 * export --to kubernetes: a job as a batch/v1 CronJob, written as a YAML
 * document on stdout (schedctl.1 EXPORT).  The object is built as JSON
 * and written by a small emitter whose strings are JSON strings, which
 * YAML reads as double-quoted scalars: no value needs a quoting rule of
 * its own.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "cron.h"
#include "export.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define K8S_NAME_MAX	52	/* a CronJob's name: 63 less the Job suffix */
#define K8S_MINUTE_MS	60000
#define K8S_HOUR_MS	3600000
#define K8S_DAY_MS	86400000

static void	 k8s_scalar(FILE *, json_t *);
static void	 k8s_map(FILE *, json_t *, int, int);
static void	 k8s_seq(FILE *, json_t *, int);
static void	 k8s_value(FILE *, json_t *, int);
static char	*k8s_name(const char *);
static char	*k8s_cron(struct export *, const char *, const char *);
static char	*k8s_every(struct export *, const char *, json_int_t);
static char	*k8s_schedule(struct export *, const char *, json_t *);
static json_t	*k8s_container(struct export *, const char *, json_t *,
		     const char *);
static void	 k8s_unmapped(struct export *, const char *, json_t *);

/* A scalar: strings as JSON strings (YAML double-quoted). */
static void
k8s_scalar(FILE *f, json_t *v)
{
	char	*s;

	s = json_dumps(v, JSON_ENCODE_ANY);
	fputs(s != NULL ? s : "null", f);
	free(s);
}

/* A value after "key:" or "- ", then the end of its line(s). */
static void
k8s_value(FILE *f, json_t *v, int indent)
{
	if (json_is_object(v) && json_object_size(v) > 0) {
		fputc('\n', f);
		k8s_map(f, v, indent, 0);
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		fputc('\n', f);
		k8s_seq(f, v, indent);
	} else {
		fputc(' ', f);
		if (json_is_object(v))
			fputs("{}", f);
		else if (json_is_array(v))
			fputs("[]", f);
		else
			k8s_scalar(f, v);
		fputc('\n', f);
	}
}

/* A mapping at indent; inline: its first key follows a "- " already. */
static void
k8s_map(FILE *f, json_t *o, int indent, int inline_first)
{
	const char	*key, *p;
	json_t		*v, *q;
	int		 plain;

	json_object_foreach(o, key, v) {
		if (!inline_first)
			fprintf(f, "%*s", indent, "");
		inline_first = 0;
		plain = isalpha((unsigned char)*key);
		for (p = key; *p != '\0'; p++)
			plain = plain && isalnum((unsigned char)*p);
		if (plain)
			fputs(key, f);
		else {
			q = json_string(key);
			k8s_scalar(f, q);
			json_decref(q);
		}
		fputc(':', f);
		k8s_value(f, v, indent + 2);
	}
}

/* A sequence at indent. */
static void
k8s_seq(FILE *f, json_t *a, int indent)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(a, i, v) {
		fprintf(f, "%*s-", indent, "");
		if (json_is_object(v) && json_object_size(v) > 0) {
			fputc(' ', f);
			k8s_map(f, v, indent + 2, 1);
		} else
			k8s_value(f, v, indent + 2);
	}
}

/*
 * A job name as a DNS-1123 name: lower case letters, digits and "-",
 * starting and ending with a letter or digit, at most K8S_NAME_MAX long.
 */
static char *
k8s_name(const char *job)
{
	char	*s, *p;
	size_t	 n;

	s = xstrdup(job);
	for (p = s; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p))
			*p = '-';
	}
	for (p = s; *p == '-'; p++)
		;
	memmove(s, p, strlen(p) + 1);
	if ((n = strlen(s)) > K8S_NAME_MAX)
		s[n = K8S_NAME_MAX] = '\0';
	while (n > 0 && s[n - 1] == '-')
		s[--n] = '\0';
	if (n == 0) {
		free(s);
		s = xstrdup("job");
	}
	return (s);
}

/*
 * A cron expression as the CronJob controller reads one: written from
 * its sets, so that names, 7 for Sunday and "a/n" mean what schedd
 * means.  The controller ANDs the day fields only when one is "*": a job
 * whose restricted day fields must both match cannot be written.
 */
static char *
k8s_cron(struct export *e, const char *job, const char *expr)
{
	struct cron	*c;
	FILE		*f;
	char		*s;
	size_t		 len;
	uint64_t	 mdays, wdays;

	if ((c = export_cron(e, job, expr)) == NULL)
		return (NULL);
	mdays = c->mdays;
	wdays = c->wdays;
	switch (export_cron_days(c)) {
	case EXPORT_DAYS_ANY:
		mdays = 0xfffffffeULL;
		wdays = 0x7f;
		break;
	case EXPORT_DAYS_AND:
		if (mdays != 0xfffffffeULL && wdays != 0x7f) {
			export_drop(e, job, "cron \"%s\": a day must match "
			    "both day fields, which a CronJob schedule "
			    "cannot say", expr);
			cron_free(c);
			return (NULL);
		}
		break;
	case EXPORT_DAYS_OR:
		break;
	}
	if ((f = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	export_set(f, c->minutes, 0, 59, 0, "-", 1);
	fputc(' ', f);
	export_set(f, c->hours, 0, 23, 0, "-", 1);
	fputc(' ', f);
	export_set(f, mdays, 1, 31, 0, "-", 1);
	fputc(' ', f);
	export_set(f, c->months, 1, 12, 0, "-", 1);
	fputc(' ', f);
	export_set(f, wdays, 0, 6, 0, "-", 1);
	fclose(f);
	cron_free(c);
	return (s);
}

/* An interval as a schedule, if it divides an hour or a day evenly. */
static char *
k8s_every(struct export *e, const char *job, json_int_t ms)
{
	char	*s = NULL, *d;

	if (ms % K8S_MINUTE_MS == 0 && K8S_HOUR_MS % ms == 0) {
		if (ms == K8S_HOUR_MS)
			s = xstrdup("0 * * * *");
		else if (ms == K8S_MINUTE_MS)
			s = xstrdup("* * * * *");
		else
			xasprintf(&s, "*/%lld * * * *",
			    (long long)(ms / K8S_MINUTE_MS));
	} else if (ms % K8S_HOUR_MS == 0 && K8S_DAY_MS % ms == 0) {
		if (ms == K8S_DAY_MS)
			s = xstrdup("0 0 * * *");
		else
			xasprintf(&s, "0 */%lld * * *",
			    (long long)(ms / K8S_HOUR_MS));
	}
	if (s == NULL) {
		d = format_duration((uint64_t)ms);
		export_drop(e, job, "every %s does not divide an hour or a "
		    "day evenly: no CronJob schedule", d);
		free(d);
	}
	else
		export_note(e, job, "every is written as \"%s\": at fixed "
		    "times of the clock, not counted from the job's load", s);
	return (s);
}

/* The schedule of a job, or NULL having dropped it. */
static char *
k8s_schedule(struct export *e, const char *job, json_t *def)
{
	const char	*cron, *at;
	json_int_t	 every;

	cron = export_str(def, "cron");
	at = export_str(def, "at");
	if (cron != NULL)
		return (k8s_cron(e, job, cron));
	if (export_int(def, "every_ms", &every) == 0) {
		if (at != NULL)
			export_note(e, job, "at (the first run of every) has "
			    "no equivalent");
		return (k8s_every(e, job, every));
	}
	if (at != NULL)
		export_drop(e, job, "at: a one-shot has no CronJob "
		    "equivalent");
	else
		export_drop(e, job, "no schedule: nothing for a CronJob");
	return (NULL);
}

/* The container of a job's pods. */
static json_t *
k8s_container(struct export *e, const char *job, json_t *def,
    const char *name)
{
	json_t		*c, *cmd, *env, *v, *res;
	const char	*key, *s;
	json_int_t	 n;
	double		 pct;

	c = json_pack("{s:s, s:s}", "name", name, "image", e->image);
	cmd = json_object_get(def, "command");
	if (json_is_string(cmd))
		json_object_set_new(c, "command", json_pack("[s,s,O]",
		    "/bin/sh", "-c", cmd));
	else
		json_object_set(c, "command", cmd);
	env = json_array();
	json_array_append_new(env, json_pack("{s:s, s:s}", "name",
	    "SCHEDD_JOB", "value", job));
	json_object_foreach(json_object_get(def, "env"), key, v)
		json_array_append_new(env, json_pack("{s:s, s:O}", "name",
		    key, "value", v));
	json_object_set_new(c, "env", env);
	if ((s = export_str(def, "workdir")) != NULL)
		json_object_set_new(c, "workingDir", json_string(s));
	res = json_object();
	if (export_int(def, "memory_max", &n) == 0)
		json_object_set_new(res, "memory", json_sprintf("%lld",
		    (long long)n));
	if ((s = export_str(def, "cpu_max")) != NULL &&
	    sscanf(s, "%lf%%", &pct) == 1)
		json_object_set_new(res, "cpu", json_sprintf("%lldm",
		    (long long)(pct * 10 + 0.5)));
	if (json_object_size(res) > 0)
		json_object_set_new(c, "resources", json_pack("{s:o}",
		    "limits", res));
	else
		json_decref(res);
	return (c);
}

/* Notes for the keys a CronJob cannot carry. */
static void
k8s_unmapped(struct export *e, const char *job, json_t *def)
{
	static const char *const keys[] = { "memory_high", "memory_swap_max",
	    "cpu_weight", "io_weight", "pids_max", "user", "group", "umask",
	    "nice", "max_runs" };
	const char	*key, *s;
	json_t		*v;
	json_int_t	 n;
	size_t		 i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = json_object_get(def, keys[i]);
		if (v != NULL && !json_is_null(v))
			export_note(e, job, "%s has no equivalent%s", keys[i],
			    strcmp(keys[i], "user") == 0 || strcmp(keys[i],
			    "group") == 0 ? " (set the pod's securityContext "
			    "to numeric ids)" : "");
	}
	json_object_foreach(json_object_get(def, "limits"), key, v) {
		if (!json_is_null(v))
			export_note(e, job, "limits: %s has no equivalent",
			    key);
	}
	if ((s = export_str(def, "on_overlap")) != NULL &&
	    strcmp(s, "queue") == 0)
		export_note(e, job, "on_overlap queue has no equivalent: "
		    "concurrencyPolicy Forbid skips a run due while one runs");
	if (export_int(def, "concurrency", &n) == 0 && n > 1)
		export_note(e, job, "concurrency %lld has no equivalent",
		    (long long)n);
	if (export_int(def, "jitter_ms", &n) == 0 && n > 0)
		export_note(e, job, "jitter has no equivalent");
	if (export_int(def, "retry_delay_ms", &n) == 0 && n > 0)
		export_note(e, job, "retry_delay has no equivalent (a Job "
		    "backs off exponentially)");
	if (export_int(def, "ban_after_failures", &n) == 0 && n > 0)
		export_note(e, job, "ban_after_failures has no equivalent");
	if (export_int(def, "priority", &n) == 0 && n != 0)
		export_note(e, job, "priority has no equivalent");
	if (export_true(def, "auto_remove"))
		export_note(e, job, "auto_remove has no equivalent");
	if ((s = export_str(def, "kill_signal")) != NULL &&
	    strcmp(s, "TERM") != 0)
		export_note(e, job, "kill_signal %s has no equivalent "
		    "(pods are stopped with SIGTERM)", s);
	if ((s = export_str(def, "on_leftovers")) != NULL &&
	    strcmp(s, "wait") == 0)
		export_note(e, job, "on_leftovers wait has no equivalent");
	if (json_array_size(json_object_get(def, "on_failure")) > 0 ||
	    json_array_size(json_object_get(def, "on_success")) > 0)
		export_note(e, job, "on_failure and on_success hooks have no "
		    "equivalent");
}

/* export --to kubernetes of one job: a CronJob document on stdout. */
int
export_k8s(struct export *e, json_t *job)
{
	json_t		*def, *spec, *pod, *cj;
	const char	*name, *s;
	char		*k8s, *sched;
	json_int_t	 n;

	def = json_object_get(job, "definition");
	name = export_str(job, "name");
	k8s = k8s_name(name);
	if (json_object_get(e->names, k8s) != NULL) {
		export_drop(e, name, "its Kubernetes name \"%s\" is taken by "
		    "job \"%s\"", k8s, export_str(e->names, k8s));
		free(k8s);
		return (0);
	}
	if ((sched = k8s_schedule(e, name, def)) == NULL) {
		free(k8s);
		return (0);
	}
	json_object_set_new(e->names, k8s, json_string(name));
	if (strcmp(k8s, name) != 0)
		export_note(e, name, "named \"%s\" in Kubernetes", k8s);

	pod = json_pack("{s:s, s:[o]}", "restartPolicy", "Never",
	    "containers", k8s_container(e, name, def, k8s));
	if (export_int(def, "kill_grace_ms", &n) == 0)
		json_object_set_new(pod, "terminationGracePeriodSeconds",
		    json_integer((json_int_t)export_ceil_s(n)));
	spec = json_pack("{s:o}", "template", json_pack("{s:o}", "spec",
	    pod));
	json_object_set_new(spec, "backoffLimit", json_integer(
	    export_int(def, "retries", &n) == 0 ? n : 0));
	if (export_int(def, "timeout_ms", &n) == 0 && n > 0)
		json_object_set_new(spec, "activeDeadlineSeconds",
		    json_integer((json_int_t)export_ceil_s(n)));

	cj = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s}}",
	    "apiVersion", "batch/v1", "kind", "CronJob",
	    "metadata", "name", k8s, "annotations", "schedd/job", name,
	    "spec", "schedule", sched);
	free(sched);
	json_object_set_new(json_object_get(cj, "spec"), "timeZone",
	    json_deep_copy(json_object_get(def, "timezone")));
	spec = json_pack("{s:o}", "spec", spec);
	s = export_str(def, "on_overlap");
	json_object_set_new(json_object_get(cj, "spec"), "concurrencyPolicy",
	    json_string(s != NULL && strcmp(s, "replace") == 0 ? "Replace" :
	    "Forbid"));
	if (export_int(def, "start_deadline_ms", &n) == 0)
		json_object_set_new(json_object_get(cj, "spec"),
		    "startingDeadlineSeconds",
		    json_integer((json_int_t)export_ceil_s(n)));
	json_object_set_new(json_object_get(cj, "spec"), "suspend",
	    json_boolean(export_true(job, "paused") ||
	    !export_true(def, "enabled")));
	if (export_int(def, "history", &n) == 0) {
		json_object_set_new(json_object_get(cj, "spec"),
		    "successfulJobsHistoryLimit", json_integer(n));
		json_object_set_new(json_object_get(cj, "spec"),
		    "failedJobsHistoryLimit", json_integer(n));
	}
	json_object_set_new(json_object_get(cj, "spec"), "jobTemplate", spec);
	if (json_is_null(json_object_get(json_object_get(cj, "spec"),
	    "timeZone")))
		json_object_del(json_object_get(cj, "spec"), "timeZone");
	k8s_unmapped(e, name, def);

	if (e->ndocs++ > 0)
		fputs("---\n", stdout);
	printf("# schedd job \"%s\" (schedctl export)\n", name);
	export_comments(e, stdout, "# ");
	k8s_map(stdout, cj, 0, 0);
	json_decref(cj);
	free(k8s);
	return (0);
}
