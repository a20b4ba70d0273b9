/* SPDX-License-Identifier: ISC */

/*
 * Human output of schedctl: the fields of answers, relative times ("in
 * 4m", "12s ago"), short durations ("1.2s", "3m4s"), the tables (with
 * table.c) and key: value detail views of the daemon, a job or a task.
 * Text that came from the daemon is stripped of control characters
 * before it reaches a terminal, except a task's own output, which is
 * printed as it is.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client.h"
#include "util.h"
#include "xmalloc.h"

/* The longest result "status ID" shows; longer ones by their size. */
#define FORMAT_RESULT_MAX	200

static int	 format_parse_time(const char *, long long *);
static char	*format_span(long long);
static void	 format_line(FILE *, const char *, const char *);
static void	 format_line_free(FILE *, const char *, char *);
static void	 format_counters(json_t *, FILE *);
static char	*format_join(json_t *, const char *, int);
static char	*format_names(json_t *);
static const char *format_job_state(json_t *);
static const char *format_task_state(json_t *);
static int	 format_job_event(const char *);
static void	 format_result(json_t *, FILE *);

/* A string member of an object, or NULL. */
const char *
field_str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* A string member of an object, or "-" to print in its place. */
const char *
field_text(json_t *o, const char *key)
{
	const char	*s;

	s = json_string_value(json_object_get(o, key));
	return (s != NULL ? s : "-");
}

/* An integer member of an object: 0 and *v, or -1 if absent or null. */
int
field_int(json_t *o, const char *key, json_int_t *v)
{
	json_t	*j;

	j = json_object_get(o, key);
	if (json_is_integer(j)) {
		*v = json_integer_value(j);
		return (0);
	}
	if (json_is_real(j)) {
		*v = (json_int_t)json_real_value(j);
		return (0);
	}
	return (-1);
}

/* Is a member of an object the boolean true? */
int
field_true(json_t *o, const char *key)
{
	return (json_is_true(json_object_get(o, key)));
}

/* A copy of s with control characters shown as '?'. */
char *
format_clean(const char *s)
{
	char	*copy, *p;

	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return (copy);
}

/* Milliseconds since the epoch of an RFC 3339 time; -1 if it is not one. */
static int
format_parse_time(const char *s, long long *ms)
{
	struct timespec	 ts;
	const char	*frac;
	long long	 extra = 0, scale = 100;

	if (s == NULL || time_parse(s, time(NULL), &ts) != 0)
		return (-1);
	/* time_parse drops the fraction of a second; keep milliseconds. */
	if ((frac = strchr(s, '.')) != NULL) {
		for (frac++; isdigit((unsigned char)*frac) && scale > 0;
		    frac++) {
			extra += (*frac - '0') * scale;
			scale /= 10;
		}
	}
	*ms = (long long)ts.tv_sec * 1000 + extra;
	return (0);
}

/* A span of time, rounded to what people care about ("4m", "3h12m"). */
static char *
format_span(long long ms)
{
	long long	 s = (ms + 500) / 1000;
	char		*out;

	/* Round to the precision that is shown, so 3m59s is "4m". */
	if (s >= 60 && s < 86400)
		s = (s + 30) / 60 * 60;
	else if (s >= 86400)
		s = (s + 1800) / 3600 * 3600;
	if (s < 60)
		xasprintf(&out, "%llds", s);
	else if (s < 3600)
		xasprintf(&out, "%lldm", s / 60);
	else if (s < 86400 && s % 3600 / 60 == 0)
		xasprintf(&out, "%lldh", s / 3600);
	else if (s < 86400)
		xasprintf(&out, "%lldh%lldm", s / 3600, s % 3600 / 60);
	else if (s % 86400 / 3600 == 0)
		xasprintf(&out, "%lldd", s / 86400);
	else
		xasprintf(&out, "%lldd%lldh", s / 86400, s % 86400 / 3600);
	return (out);
}

/* A time relative to now: "in 4m", "12s ago", "just now"; "-" for NULL. */
char *
format_reltime(const char *when)
{
	struct timespec	 now;
	long long	 t, diff;
	char		*span, *out;

	if (when == NULL)
		return (xstrdup("-"));
	if (format_parse_time(when, &t) != 0)
		return (format_clean(when));
	time_now(&now);
	diff = t - ((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	if (diff > -1000 && diff < 1000)
		return (xstrdup("just now"));
	span = format_span(diff < 0 ? -diff : diff);
	if (diff > 0)
		xasprintf(&out, "in %s", span);
	else
		xasprintf(&out, "%s ago", span);
	free(span);
	return (out);
}

/* Local time and relative form: "2026-12-01 09:00:00 (in 4m)". */
char *
format_when(const char *when)
{
	struct tm	 tm;
	long long	 t;
	time_t		 secs;
	char		 buf[64], *rel, *out;

	if (when == NULL)
		return (xstrdup("-"));
	if (format_parse_time(when, &t) != 0)
		return (format_clean(when));
	secs = (time_t)(t / 1000);
	localtime_r(&secs, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	rel = format_reltime(when);
	xasprintf(&out, "%s (%s)", buf, rel);
	free(rel);
	return (out);
}

/* How a task ended, for a table: "0", "3", "SIGKILL" or "-". */
char *
format_exit(json_t *task)
{
	json_int_t	 v;
	char		*out;

	if (field_int(task, "signal", &v) == 0) {
		xasprintf(&out, "SIG%s", signal_name((int)v));
		return (out);
	}
	if (field_int(task, "exit_code", &v) == 0) {
		xasprintf(&out, "%lld", (long long)v);
		return (out);
	}
	return (xstrdup("-"));
}

/*
 * The integers (ints) or strings of a JSON array joined by sep; other
 * members are skipped.  NULL if there are none.
 */
static char *
format_join(json_t *list, const char *sep, int ints)
{
	json_t	*item;
	size_t	 i;
	char	*out = NULL, *next, *s;

	json_array_foreach(list, i, item) {
		if (ints && json_is_integer(item))
			xasprintf(&s, "%lld",
			    (long long)json_integer_value(item));
		else if (!ints && json_is_string(item))
			s = xstrdup(json_string_value(item));
		else
			continue;
		if (out == NULL)
			next = s;
		else {
			xasprintf(&next, "%s%s%s", out, sep, s);
			free(out);
			free(s);
		}
		out = next;
	}
	return (out);
}

/* The ids in a JSON array as "42 43"; NULL if there are none. */
char *
format_ids(json_t *list)
{
	return (format_join(list, " ", 1));
}

/* Any JSON value as text: strings as they are, the rest as JSON. */
char *
format_value(json_t *v)
{
	char	*s;

	if (v == NULL || json_is_null(v))
		return (xstrdup("-"));
	if (json_is_string(v))
		return (format_clean(json_string_value(v)));
	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return (xstrdup("?"));
	return (s);
}

/* One "key: value" line of a detail view, keys aligned. */
static void
format_line(FILE *fp, const char *key, const char *value)
{
	char	*clean;

	clean = format_clean(value != NULL ? value : "-");
	fprintf(fp, "%-14s %s\n", key, clean);
	free(clean);
}

/* format_line, then free the value. */
static void
format_line_free(FILE *fp, const char *key, char *value)
{
	format_line(fp, key, value);
	free(value);
}

/* The daemon summary of "status". */
void
format_status(json_t *st, FILE *fp)
{
	json_int_t	 v, w;
	json_t		*timers;

	fprintf(fp, "%-14s %s\n", "schedd:", field_str(st, "version") ?
	    field_str(st, "version") : "?");
	if (field_int(st, "pid", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "pid:", (long long)v);
	if (field_int(st, "uptime_ms", &v) == 0)
		format_line_free(fp, "uptime:", format_elapsed(v));
	format_line(fp, "config:", field_str(st, "config"));
	if (field_int(st, "jobs", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "jobs:", (long long)v);
	if (field_int(st, "running", &v) == 0 &&
	    field_int(st, "max_running", &w) == 0)
		fprintf(fp, "%-14s %lld of %lld\n", "running:", (long long)v,
		    (long long)w);
	if (field_int(st, "queued", &v) == 0 &&
	    field_int(st, "max_queued", &w) == 0)
		fprintf(fp, "%-14s %lld of %lld\n", "queued:", (long long)v,
		    (long long)w);
	if (field_int(st, "bans", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "bans:", (long long)v);
	if (field_int(st, "tasks_started", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "tasks started:", (long long)v);
	timers = json_object_get(st, "timers");
	if (field_int(timers, "armed", &v) == 0 &&
	    field_int(timers, "late_p99_us", &w) == 0)
		fprintf(fp, "%-14s %lld armed, firings p99 %lldus late\n",
		    "timers:", (long long)v, (long long)w);
	else if (field_int(timers, "armed", &v) == 0)
		fprintf(fp, "%-14s %lld armed\n", "timers:", (long long)v);
	format_line(fp, "state:", json_is_false(json_object_get(st,
	    "state_ok")) ? "NOT SAVED: cannot write the state (see the log)" :
	    "ok");
}

/* Is an event one of "job.added", "job.changed" ... with a "job"? */
static int
format_job_event(const char *name)
{
	static const char	*names[] = { "job.added", "job.changed",
				    "job.removed", "job.paused",
				    "job.resumed" };
	size_t			 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) == 0)
			return (1);
	}
	return (0);
}

/* The state column of a job summary. */
static const char *
format_job_state(json_t *job)
{
	json_int_t	 v, w;

	const char	*sched = field_str(job, "schedule_state");
	int		 ended = sched != NULL && strcmp(sched, "ended") == 0;

	if (field_true(job, "banned"))
		return ("banned");
	if (field_true(job, "paused") && !ended)
		return ("paused");
	if (field_int(job, "running", &v) == 0 && v > 0)
		return ("running");
	if (field_int(job, "queued", &v) == 0 && v > 0)
		return (field_int(job, "waiting", &w) == 0 && w == v ?
		    "waiting" : "queued");
	return (ended ? "ended" : "idle");
}

/* The members of job summaries format_jobs reads, besides the name. */
const char *const format_jobs_fields[] = {
	"schedule", "next_run", "last_task", "last_run", "last_state",
	"runs", "banned", "paused", "running", "queued", "waiting",
	"schedule_state", NULL
};

/* A NULL-terminated list of names as a JSON array. */
json_t *
format_fields(const char *const *names)
{
	json_t	*list;

	list = json_array();
	for (; *names != NULL; names++)
		json_array_append_new(list, json_string(*names));
	return (list);
}

/*
 * The table of "jobs": NAME SCHEDULE NEXT LAST STATE RUNS, from summaries
 * with at least format_jobs_fields.
 */
void
format_jobs(json_t *jobs, FILE *fp)
{
	struct table	*t;
	json_t		*job;
	json_int_t	 v;
	size_t		 i;
	char		*next, *last, *runs;

	t = table_create(6, "NAME", "SCHEDULE", "NEXT", "LAST", "STATE",
	    "RUNS");
	table_align_right(t, 5);
	json_array_foreach(jobs, i, job) {
		next = format_reltime(field_str(job, "next_run"));
		if (field_int(job, "last_task", &v) == 0) {
			char	*when = format_reltime(field_str(job,
			    "last_run"));

			xasprintf(&last, "%s (%s #%lld)", when,
			    field_str(job, "last_state") != NULL ?
			    field_str(job, "last_state") : "?", (long long)v);
			free(when);
		} else
			last = xstrdup("-");
		if (field_int(job, "runs", &v) != 0)
			v = 0;
		xasprintf(&runs, "%lld", (long long)v);
		table_add(t, field_str(job, "name"), field_str(job, "schedule"),
		    next, last, format_job_state(job), runs);
		free(next);
		free(last);
		free(runs);
	}
	table_print(t, fp);
	table_free(t);
}

/* The counters of a job on one line. */
static void
format_counters(json_t *job, FILE *fp)
{
	static const char	*keys[] = { "succeeded", "failed", "timeouts",
				     "stopped", "skipped", "missed" };
	json_int_t		 v;
	size_t			 i;

	if (field_int(job, "runs", &v) != 0)
		v = 0;
	fprintf(fp, "%-14s %lld (", "runs:", (long long)v);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (field_int(job, keys[i], &v) != 0)
			v = 0;
		fprintf(fp, "%s%s %lld", i == 0 ? "" : ", ", keys[i],
		    (long long)v);
	}
	fprintf(fp, ")\n");
}

/* The detail view of one job ("job", "status JOB"). */
void
format_job(json_t *job, FILE *fp)
{
	json_t		*def, *v, *recent;
	json_int_t	 n, q;
	char		*s;

	format_line(fp, "name:", field_str(job, "name"));
	format_line(fp, "origin:", field_str(job, "origin"));
	if (field_int(job, "uid", &n) == 0)
		format_line_free(fp, "owner:", human_user(n));
	if (field_str(job, "description") != NULL)
		format_line(fp, "description:", field_str(job, "description"));
	v = json_object_get(job, "tags");
	if (json_is_array(v) && json_array_size(v) > 0)
		format_line_free(fp, "tags:", format_names(v));
	if (field_str(job, "schedule") == NULL)
		format_line(fp, "schedule:", "on demand");
	else {
		xasprintf(&s, "%s (%s)", field_str(job, "schedule"),
		    field_str(job, "schedule_state") != NULL ?
		    field_str(job, "schedule_state") : "?");
		format_line_free(fp, "schedule:", s);
	}
	format_line_free(fp, "next run:", format_when(field_str(job,
	    "next_run")));
	format_line(fp, "state:", format_job_state(job));
	if (field_int(job, "running", &n) != 0)
		n = 0;
	if (field_int(job, "queued", &q) != 0)
		q = 0;
	fprintf(fp, "%-14s %lld running, %lld queued", "tasks:",
	    (long long)n, (long long)q);
	if (field_int(job, "waiting", &n) == 0 && n > 0)
		fprintf(fp, " (%lld waiting)", (long long)n);
	fputc('\n', fp);
	format_counters(job, fp);
	if (field_int(job, "consecutive_failures", &n) == 0 && n > 0)
		fprintf(fp, "%-14s %lld\n", "failing:", (long long)n);
	if (field_int(job, "last_task", &n) == 0)
		fprintf(fp, "%-14s %lld (%s)\n", "last task:", (long long)n,
		    field_str(job, "last_state") != NULL ?
		    field_str(job, "last_state") : "?");

	def = json_object_get(job, "definition");
	if (json_is_object(def) && json_object_size(def) > 0) {
		fprintf(fp, "\ndefinition:\n");
		human_pairs(def, "  ", 22, 1, fp);
	}
	recent = json_object_get(job, "recent");
	if (json_is_array(recent) && json_array_size(recent) > 0) {
		fprintf(fp, "\nrecent tasks:\n");
		format_tasks(recent, fp);
	}
}

/* A task's state, "waiting" for a queued task whose dependencies run. */
static const char *
format_task_state(json_t *task)
{
	if (field_true(task, "waiting"))
		return ("waiting");
	return (field_str(task, "state"));
}

/* The detail view of one task record, with its output tail. */
void
format_task(json_t *task, FILE *fp)
{
	json_int_t	 v, w;
	const char	*out;
	char		*s;
	size_t		 len;

	if (field_int(task, "id", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "task:", (long long)v);
	format_line(fp, "job:", field_str(task, "job"));
	format_line(fp, "state:", format_task_state(task));
	if (field_true(task, "frozen"))
		format_line(fp, "frozen:", "yes");
	if (json_array_size(json_object_get(task, "after")) > 0)
		format_line_free(fp, "after:", format_ids(json_object_get(task,
		    "after")));
	format_line(fp, "trigger:", field_str(task, "trigger"));
	if (field_int(task, "attempt", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "attempt:", (long long)v);
	if (field_int(task, "uid", &v) == 0)
		format_line_free(fp, "user:", human_user(v));
	format_line_free(fp, "queued:", format_when(field_str(task,
	    "queued_at")));
	format_line_free(fp, "started:", format_when(field_str(task,
	    "started_at")));
	format_line_free(fp, "finished:", format_when(field_str(task,
	    "finished_at")));
	if (field_int(task, "duration_ms", &v) == 0)
		format_line_free(fp, "duration:", format_elapsed(v));
	if (field_int(task, "pid", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "pid:", (long long)v);
	if (field_int(task, "signal", &v) == 0)
		fprintf(fp, "%-14s SIG%s (%lld)\n", "signal:",
		    signal_name((int)v), (long long)v);
	else if (field_int(task, "exit_code", &v) == 0)
		fprintf(fp, "%-14s %lld\n", "exit code:", (long long)v);
	if (field_str(task, "error") != NULL)
		format_line(fp, "error:", field_str(task, "error"));
	if (field_int(task, "user_cpu_ms", &v) == 0 &&
	    field_int(task, "sys_cpu_ms", &w) == 0) {
		fprintf(fp, "%-14s ", "cpu:");
		s = format_elapsed(v);
		fprintf(fp, "%s user, ", s);
		free(s);
		s = format_elapsed(w);
		fprintf(fp, "%s system\n", s);
		free(s);
	}
	if (field_int(task, "max_rss_kb", &v) == 0 && v >= 0)
		format_line_free(fp, "max rss:", human_size((uint64_t)v *
		    1024));
	if (field_int(task, "output_bytes", &v) == 0 && v >= 0)
		format_line_free(fp, "output:", human_size((uint64_t)v));
	format_line(fp, "log:", field_str(task, "log"));
	format_result(task, fp);

	out = field_str(task, "output");
	if (out != NULL && *out != '\0') {
		len = strlen(out);
		fprintf(fp, "\n--- output (last %zu bytes) ---\n", len);
		fputs(out, fp);
		if (out[len - 1] != '\n')
			fputc('\n', fp);
	}
}

/* A task's result on one line: a short one whole, else its size. */
static void
format_result(json_t *task, FILE *fp)
{
	json_t		*r = json_object_get(task, "result");
	json_int_t	 id = 0;
	char		*s;
	size_t		 len;

	if (field_str(task, "result_error") != NULL)
		format_line(fp, "result error:", field_str(task,
		    "result_error"));
	if (r == NULL || json_is_null(r))
		return;
	s = human_json(r);
	if ((len = strlen(s)) > FORMAT_RESULT_MAX) {
		free(s);
		field_int(task, "id", &id);
		xasprintf(&s, "%zu bytes (schedctl result %lld)", len,
		    (long long)id);
	}
	format_line_free(fp, "result:", s);
}

/* The table of "history": ID JOB STATE TRIGGER STARTED DURATION EXIT. */
void
format_tasks(json_t *tasks, FILE *fp)
{
	struct table	*t;
	json_t		*task;
	json_int_t	 v;
	size_t		 i;
	char		*id, *started, *duration, *ex;

	t = table_create(7, "ID", "JOB", "STATE", "TRIGGER", "STARTED",
	    "DURATION", "EXIT");
	table_align_right(t, 0);
	table_align_right(t, 5);
	json_array_foreach(tasks, i, task) {
		if (field_int(task, "id", &v) != 0)
			v = 0;
		xasprintf(&id, "%lld", (long long)v);
		started = format_reltime(field_str(task, "started_at"));
		if (field_int(task, "duration_ms", &v) == 0)
			duration = format_elapsed(v);
		else
			duration = xstrdup("-");
		ex = format_exit(task);
		table_add(t, id, field_str(task, "job"),
		    format_task_state(task), field_str(task, "trigger"),
		    started, duration, ex);
		free(id);
		free(started);
		free(duration);
		free(ex);
	}
	table_print(t, fp);
	table_free(t);
}

/* The table of "bans": NAME REASON SINCE BY AUTO. */
void
format_bans(json_t *bans, FILE *fp)
{
	struct table	*t;
	json_t		*ban;
	json_int_t	 v;
	size_t		 i;
	char		*since, *by;

	t = table_create(5, "NAME", "REASON", "SINCE", "BY", "AUTO");
	json_array_foreach(bans, i, ban) {
		since = format_reltime(field_str(ban, "since"));
		if (field_int(ban, "by", &v) == 0)
			by = human_user(v);
		else
			by = format_value(json_object_get(ban, "by"));
		table_add(t, field_str(ban, "name"), field_str(ban, "reason"),
		    since, by, field_true(ban, "auto") ? "yes" : "no");
		free(since);
		free(by);
	}
	table_print(t, fp);
	table_free(t);
}

/* Names in a JSON array joined by ", ", or "-". */
static char *
format_names(json_t *list)
{
	char	*out;

	out = format_join(list, ", ", 0);
	return (out != NULL ? out : xstrdup("-"));
}

/* One event of "watch" as a line with the local time. */
void
format_event(json_t *ev, FILE *fp)
{
	struct timespec	 now;
	struct tm	 tm;
	const char	*name, *key;
	json_int_t	 task = 0, v;
	json_t		*val;
	char		 stamp[32], *text = NULL, *s, *a, *b, *c;

	time_now(&now);
	localtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	name = field_str(ev, "event");
	if (name == NULL)
		name = "?";
	field_int(ev, "task", &task);

	if (strcmp(name, "task.queued") == 0)
		xasprintf(&text, "task %lld queued: %s (%s)", (long long)task,
		    field_text(ev, "job"), field_text(ev, "trigger"));
	else if (strcmp(name, "task.started") == 0) {
		if (field_int(ev, "pid", &v) != 0)
			v = 0;
		xasprintf(&text, "task %lld started: %s (pid %lld)",
		    (long long)task, field_text(ev, "job"), (long long)v);
	} else if (strcmp(name, "task.finished") == 0) {
		s = format_exit(ev);
		if (field_int(ev, "duration_ms", &v) == 0)
			a = format_elapsed(v);
		else
			a = xstrdup("-");
		xasprintf(&text, "task %lld finished: %s %s (exit %s, %s)",
		    (long long)task, field_text(ev, "job"),
		    field_text(ev, "state"), s, a);
		free(s);
		free(a);
	} else if (strcmp(name, "task.frozen") == 0)
		xasprintf(&text, "task %lld frozen: %s", (long long)task,
		    field_text(ev, "job"));
	else if (strcmp(name, "task.thawed") == 0)
		xasprintf(&text, "task %lld thawed: %s", (long long)task,
		    field_text(ev, "job"));
	else if (strcmp(name, "hook.queued") == 0) {
		if (field_int(ev, "hook_task", &v) != 0)
			v = 0;
		xasprintf(&text, "task %lld queued: %s, hook of task %lld "
		    "(%s %s)", (long long)task, field_text(ev, "job"),
		    (long long)v, field_text(ev, "hook_job"),
		    field_text(ev, "hook_state"));
	} else if (strcmp(name, "task.retry") == 0) {
		if (field_int(ev, "attempt", &v) != 0)
			v = 0;
		a = format_reltime(field_str(ev, "at"));
		xasprintf(&text, "task %lld %s: %s retried (attempt %lld) %s",
		    (long long)task, field_text(ev, "state"),
		    field_text(ev, "job"), (long long)v, a);
		free(a);
	} else if (format_job_event(name))
		xasprintf(&text, "job %s %s", field_text(ev, "job"), name + 4);
	else if (strcmp(name, "job.banned") == 0)
		xasprintf(&text, "%s banned%s: %s", field_text(ev, "name"),
		    field_true(ev, "auto") ? " automatically" : "",
		    field_str(ev, "reason") != NULL ? field_str(ev, "reason") :
		    "no reason given");
	else if (strcmp(name, "job.unbanned") == 0)
		xasprintf(&text, "%s unbanned", field_text(ev, "name"));
	else if (strcmp(name, "config.reloaded") == 0) {
		a = format_names(json_object_get(ev, "added"));
		b = format_names(json_object_get(ev, "removed"));
		c = format_names(json_object_get(ev, "changed"));
		xasprintf(&text, "configuration reloaded: added %s; removed "
		    "%s; changed %s", a, b, c);
		free(a);
		free(b);
		free(c);
	} else {
		/* An event this schedctl does not know: show every member. */
		text = xstrdup(name);
		json_object_foreach(ev, key, val) {
			if (strcmp(key, "event") == 0)
				continue;
			s = format_value(val);
			xasprintf(&a, "%s %s=%s", text, key, s);
			free(s);
			free(text);
			text = a;
		}
	}
	s = format_clean(text);
	fprintf(fp, "%s %s\n", stamp, s);
	free(s);
	free(text);
}
