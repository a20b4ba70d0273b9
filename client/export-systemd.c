/* SPDX-License-Identifier: ISC */

/*
 * export --to systemd: a job as schedd-JOB.service and schedd-JOB.timer
 * (schedctl.1 EXPORT, systemd.timer(5), systemd.service(5)).
 *
 * A cron expression is written from the sets of values it matches, so
 * names, ranges and steps come out as systemd's lists and ranges.  When
 * both day fields are restricted cron runs on a day matching either,
 * while systemd needs both: such a job gets two OnCalendar= lines.
 *
 * Around a daylight saving change systemd runs a timer at the first
 * instant of each matching local time and never in a skipped hour, while
 * schedd follows cron (schedd.yaml.5 cron): a fixed time that a change
 * skips runs at the end of the gap, and a job whose hour field is "*"
 * runs in both passes of a repeated hour.  Each change of the job's zone
 * within a year is checked by working out both rules; a difference is
 * reported.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "cron.h"
#include "export.h"
#include "log.h"
#include "tz.h"
#include "util.h"
#include "xmalloc.h"

#define SD_YEAR		(366 * 86400)
#define SD_STEP		3600	/* zone changes are further apart */
#define SD_MAX_RUNS	512	/* firings compared around one change */

/* The changes of one zone's UTC offset within a year of now. */
struct sd_zone {
	char		*name;		/* NULL: the local zone */
	time_t		*at;		/* first instant of the new offset */
	long		*before;
	long		*after;
	size_t		 n;
};

/* Job keys of numbers (or "unlimited", "max") and their directives. */
struct sd_map {
	const char	*key;
	const char	*directive;
};
static const struct sd_map sd_rlimits[] = {
	{ "cpu", "LimitCPU" }, { "memory", "LimitAS" },
	{ "nofile", "LimitNOFILE" }, { "nproc", "LimitNPROC" },
	{ "core", "LimitCORE" }, { "fsize", "LimitFSIZE" },
};
static const struct sd_map sd_cglimits[] = {
	{ "memory_max", "MemoryMax" }, { "memory_high", "MemoryHigh" },
	{ "memory_swap_max", "MemorySwapMax" },
	{ "cpu_weight", "CPUWeight" }, { "io_weight", "IOWeight" },
	{ "pids_max", "TasksMax" },
};

static struct sd_zone	*sd_zones;
static size_t		 sd_nzones;

static void	 sd_quote(FILE *, const char *, int);
static void	 sd_plain(FILE *, const char *);
static void	 sd_env(FILE *, const char *, const char *);
static void	 sd_numbers(FILE *, json_t *, const struct sd_map *,
		     size_t);
static void	 sd_weekdays(FILE *, uint64_t);
static void	 sd_calendar(FILE *, const struct cron *, int, int,
		     const char *);
static struct sd_zone *sd_zone(const char *, time_t);
static size_t	 sd_runs_cron(const struct cron *, const char *, time_t,
		     time_t, time_t *);
static size_t	 sd_runs_wall(const struct cron *, time_t, time_t, long,
		     time_t *, size_t);
static void	 sd_dst(struct export *, const char *, const struct cron *,
		     const char *);
static void	 sd_schedule(struct export *, const char *, json_t *,
		     FILE *);
static void	 sd_service(struct export *, const char *, json_t *,
		     FILE *);
static void	 sd_unmapped(struct export *, const char *, json_t *);
static char	*sd_unit(const char *);
static int	 sd_write(struct export *, const char *, const char *,
		     const char *, size_t);

/*
 * A word in double quotes as systemd reads it: backslash escapes, "%%"
 * for a percent sign (specifiers) and, in a command line, "$$" for a
 * dollar sign (variable expansion).
 */
static void
sd_quote(FILE *f, const char *s, int command)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '%')
			fputs("%%", f);
		else if (*s == '$' && command)
			fputs("$$", f);
		else if ((unsigned char)*s < ' ' || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* A value unquoted: "%%" for "%", a space for a control character. */
static void
sd_plain(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '%')
			fputs("%%", f);
		else if ((unsigned char)*s < ' ' || *s == 0x7f)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* An Environment= line. */
static void
sd_env(FILE *f, const char *key, const char *value)
{
	char	*kv;

	xasprintf(&kv, "%s=%s", key, value);
	fputs("Environment=", f);
	sd_quote(f, kv, 0);
	fputc('\n', f);
	free(kv);
}

/* The members of o that map names, as directives; a string: no limit. */
static void
sd_numbers(FILE *f, json_t *o, const struct sd_map *map, size_t n)
{
	json_t	*v;
	size_t	 i;

	for (i = 0; i < n; i++) {
		v = json_object_get(o, map[i].key);
		if (json_is_integer(v))
			fprintf(f, "%s=%lld\n", map[i].directive,
			    (long long)json_integer_value(v));
		else if (json_is_string(v))
			fprintf(f, "%s=infinity\n", map[i].directive);
	}
}

/* Days of the week (bit 0 Sunday) as "Mon..Fri,Sun". */
static void
sd_weekdays(FILE *f, uint64_t wdays)
{
	static const char *const names[] = { "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat", "Sun" };
	int	 d, end, first = 1;

	/* Monday first, as systemd counts, so that runs do not wrap. */
	wdays = (wdays >> 1) | ((wdays & 1) << 6);
	for (d = 0; d < 7; d++) {
		if (!((wdays >> d) & 1))
			continue;
		for (end = d; end < 6 && ((wdays >> (end + 1)) & 1); end++)
			;
		fprintf(f, "%s%s", first ? "" : ",", names[d]);
		if (end > d)
			fprintf(f, "%s%s", end > d + 1 ? ".." : ",",
			    names[end]);
		first = 0;
		d = end;
	}
}

/* One OnCalendar= line; dom and dow say which day fields it carries. */
static void
sd_calendar(FILE *f, const struct cron *c, int dom, int dow, const char *tz)
{
	fputs("OnCalendar=", f);
	if (dow && c->wdays != 0x7f) {
		sd_weekdays(f, c->wdays);
		fputc(' ', f);
	}
	fputs("*-", f);
	export_set(f, c->months, 1, 12, 2, "..", 0);
	fputc('-', f);
	export_set(f, dom ? c->mdays : ~0ULL, 1, 31, 2, "..", 0);
	fputc(' ', f);
	export_set(f, c->hours, 0, 23, 2, "..", 0);
	fputc(':', f);
	export_set(f, c->minutes, 0, 59, 2, "..", 0);
	fputs(":00", f);
	if (tz != NULL)
		fprintf(f, " %s", tz);
	fputc('\n', f);
}

/*
 * The offset changes of a zone (NULL: the local one) within a year of
 * now, worked out once per zone: an hourly walk, then a bisection.
 */
static struct sd_zone *
sd_zone(const char *name, time_t now)
{
	struct sd_zone	*z;
	time_t		 t, lo, hi, mid;
	long		 prev, off, o;
	size_t		 i;

	for (i = 0; i < sd_nzones; i++) {
		z = &sd_zones[i];
		if ((z->name == NULL && name == NULL) || (z->name != NULL &&
		    name != NULL && strcmp(z->name, name) == 0))
			return (z);
	}
	sd_zones = xreallocarray(sd_zones, sd_nzones + 1, sizeof *sd_zones);
	z = &sd_zones[sd_nzones++];
	memset(z, 0, sizeof *z);
	z->name = name != NULL ? xstrdup(name) : NULL;
	if (tz_offset(name, now, &prev) != 0)
		return (z);
	for (t = now + SD_STEP; t < now + SD_YEAR; t += SD_STEP) {
		if (tz_offset(name, t, &off) != 0 || off == prev)
			continue;
		lo = t - SD_STEP;
		hi = t;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (tz_offset(name, mid, &o) == 0 && o == prev)
				lo = mid;
			else
				hi = mid;
		}
		z->at = xreallocarray(z->at, z->n + 1, sizeof *z->at);
		z->before = xreallocarray(z->before, z->n + 1,
		    sizeof *z->before);
		z->after = xreallocarray(z->after, z->n + 1,
		    sizeof *z->after);
		z->at[z->n] = hi;
		z->before[z->n] = prev;
		z->after[z->n++] = off;
		prev = off;
	}
	return (z);
}

/* schedd's firings in [from, to): cron's rule, the daemon's own code. */
static size_t
sd_runs_cron(const struct cron *c, const char *tz, time_t from, time_t to,
    time_t *out)
{
	time_t	 t = from - 1;
	size_t	 n = 0;

	while (n < SD_MAX_RUNS && cron_next(c, tz, t, &t) == 0 && t < to)
		out[n++] = t;
	return (n);
}

/*
 * systemd's firings for the local times [wfrom, wto) shown at offset
 * off, appended to out: every matching local time, once.  Matching is
 * cron_next in UTC, where local and real time are one.
 */
static size_t
sd_runs_wall(const struct cron *c, time_t wfrom, time_t wto, long off,
    time_t *out, size_t n)
{
	time_t	 w = wfrom - 1;

	while (n < SD_MAX_RUNS && cron_next(c, "UTC", w, &w) == 0 &&
	    w < wto)
		out[n++] = w - off;
	return (n);
}

/* Report where the timer would run at other times than schedd. */
static void
sd_dst(struct export *e, const char *job, const struct cron *c,
    const char *tz)
{
	struct sd_zone	*z;
	time_t		 a[SD_MAX_RUNS], b[SD_MAX_RUNS], from, to, t;
	size_t		 i, j, k, na, nb;
	long		 o1, o2, gap;
	int		 timer;
	struct tm	 tm;
	char		 when[64];

	z = sd_zone(tz, e->now);
	for (k = 0; k < z->n; k++) {
		t = z->at[k];
		o1 = z->before[k];
		o2 = z->after[k];
		gap = o2 > o1 ? o2 - o1 : o1 - o2;
		from = t - gap - 3600;
		to = t + gap + 3600;
		na = sd_runs_cron(c, tz, from, to, a);
		nb = sd_runs_wall(c, from + o1, t + o1, o1, b, 0);
		nb = sd_runs_wall(c, t + (o2 > o1 ? o2 : o1), to + o2, o2, b,
		    nb);
		for (i = 0, j = 0; i < na || j < nb; ) {
			if (i < na && j < nb && a[i] == b[j]) {
				i++;
				j++;
				continue;
			}
			timer = j < nb && (i >= na || b[j] < a[i]);
			t = timer ? b[j++] : a[i++];
			if (tz_localtime(tz, t, &tm) != 0 || strftime(when,
			    sizeof when, "%Y-%m-%d %H:%M %Z", &tm) == 0)
				snprintf(when, sizeof when, "%lld",
				    (long long)t);
			export_note(e, job, "daylight saving time: %s runs "
			    "it at %s, %s does not", timer ? "systemd" :
			    "schedd", when, timer ? "schedd" : "systemd");
		}
	}
}

/* The [Timer] lines of a job's schedule. */
static void
sd_schedule(struct export *e, const char *job, json_t *def, FILE *f)
{
	const char	*cron, *at, *tz;
	struct cron	*c;
	json_int_t	 every, jitter;
	time_t		 t;
	struct tm	 tm;
	char		 buf[32];

	cron = export_str(def, "cron");
	at = export_str(def, "at");
	tz = export_str(def, "timezone");
	if (export_int(def, "every_ms", &every) != 0)
		every = 0;
	if (cron != NULL) {
		if ((c = export_cron(e, job, cron)) == NULL)
			return;
		switch (export_cron_days(c)) {
		case EXPORT_DAYS_ANY:
			sd_calendar(f, c, 0, 0, tz);
			break;
		case EXPORT_DAYS_AND:
			sd_calendar(f, c, 1, 1, tz);
			break;
		case EXPORT_DAYS_OR:
			sd_calendar(f, c, 1, 0, tz);
			sd_calendar(f, c, 0, 1, tz);
			break;
		}
		sd_dst(e, job, c, tz);
		cron_free(c);
	} else if (at != NULL && strcmp(at, "boot") == 0)
		fputs("OnBootSec=0\n", f);
	else if (at != NULL) {
		if (at_parse(at, tz, e->now, &t) != 0) {
			export_drop(e, job, "at \"%s\" is not a time", at);
			return;
		}
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "OnCalendar=%s UTC\n", buf);
		if (strchr(at, '-') == NULL)
			export_note(e, job, "at \"%s\" (the next such time) "
			    "is written as the time it stands for now, %s "
			    "UTC", at, buf);
		else if (t <= e->now)
			export_note(e, job, "at %s UTC has passed: the timer "
			    "never fires", buf);
	}
	if (every > 0) {
		if (at == NULL)
			fprintf(f, "OnActiveSec=%llums\n", (long long)every);
		fprintf(f, "OnUnitActiveSec=%llums\n", (long long)every);
	}
	if (cron == NULL && at == NULL && every == 0)
		export_note(e, job, "no schedule: the timer never fires "
		    "(start the service to run the job)");
	fputs("AccuracySec=1s\n", f);
	if (export_int(def, "jitter_ms", &jitter) == 0 && jitter > 0)
		fprintf(f, "RandomizedDelaySec=%llums\n", (long long)jitter);
	if (export_true(def, "catch_up"))
		fputs("Persistent=true\n", f);
}

/* The [Service] lines of a job. */
static void
sd_service(struct export *e, const char *job, json_t *def, FILE *f)
{
	json_t		*cmd, *v;
	const char	*s, *key;
	json_int_t	 n;
	size_t		 i;
	double		 pct;

	fputs("Type=exec\n", f);
	cmd = json_object_get(def, "command");
	fputs("ExecStart=", f);
	if (json_is_string(cmd)) {
		fputs("/bin/sh -c ", f);
		sd_quote(f, json_string_value(cmd), 1);
	} else {
		json_array_foreach(cmd, i, v) {
			if (i > 0)
				fputc(' ', f);
			sd_quote(f, json_string_value(v), 1);
		}
	}
	fputc('\n', f);
	if ((s = export_str(def, "user")) != NULL) {
		fputs("User=", f);
		sd_plain(f, s);
		fputc('\n', f);
	}
	if ((s = export_str(def, "group")) != NULL) {
		fputs("Group=", f);
		sd_plain(f, s);
		fputc('\n', f);
	}
	if ((s = export_str(def, "workdir")) != NULL) {
		fputs("WorkingDirectory=", f);
		sd_plain(f, s);
		fputc('\n', f);
	} else
		fputs("WorkingDirectory=~\n", f);
	sd_env(f, "SCHEDD_JOB", job);
	json_object_foreach(json_object_get(def, "env"), key, v)
		sd_env(f, key, json_string_value(v));
	if ((s = export_str(def, "umask")) != NULL)
		fprintf(f, "UMask=%s\n", s);
	if (export_int(def, "nice", &n) == 0)
		fprintf(f, "Nice=%lld\n", (long long)n);
	sd_numbers(f, json_object_get(def, "limits"), sd_rlimits,
	    sizeof sd_rlimits / sizeof sd_rlimits[0]);
	if (export_int(def, "timeout_ms", &n) == 0 && n > 0)
		fprintf(f, "RuntimeMaxSec=%lldms\n", (long long)n);
	if ((s = export_str(def, "kill_signal")) != NULL)
		fprintf(f, "KillSignal=SIG%s\n", s);
	if (export_int(def, "kill_grace_ms", &n) == 0)
		fprintf(f, "TimeoutStopSec=%lldms\n", (long long)n);
	sd_numbers(f, def, sd_cglimits, sizeof sd_cglimits /
	    sizeof sd_cglimits[0]);
	if ((s = export_str(def, "cpu_max")) != NULL) {
		if (strcmp(s, "max") == 0)
			fputs("CPUQuota=\n", f);
		else if (sscanf(s, "%lf%%", &pct) == 1)
			fprintf(f, "CPUQuota=%.2f%%\n", pct);
	}
	if (export_str(def, "on_leftovers") != NULL &&
	    strcmp(export_str(def, "on_leftovers"), "wait") == 0)
		export_note(e, job, "on_leftovers wait has no equivalent: "
		    "processes left when the command exits are stopped");
}

/* Notes for the keys a unit cannot carry. */
static void
sd_unmapped(struct export *e, const char *job, json_t *def)
{
	const char	*overlap;
	json_int_t	 n;

	overlap = export_str(def, "on_overlap");
	if (overlap != NULL && strcmp(overlap, "queue") == 0)
		export_note(e, job, "on_overlap queue (and queue_limit) has "
		    "no equivalent: a timer skips a run due while the "
		    "service runs, as on_overlap skip");
	else if (overlap != NULL && strcmp(overlap, "replace") == 0)
		export_note(e, job, "on_overlap replace has no equivalent: "
		    "a timer skips a run due while the service runs");
	if (export_int(def, "concurrency", &n) == 0 && n > 1)
		export_note(e, job, "concurrency %lld has no equivalent: "
		    "one run at a time", (long long)n);
	if (export_int(def, "max_runs", &n) == 0)
		export_note(e, job, "max_runs %lld has no equivalent",
		    (long long)n);
	if (export_true(def, "auto_remove"))
		export_note(e, job, "auto_remove has no equivalent");
	if (export_int(def, "start_deadline_ms", &n) == 0)
		export_note(e, job, "start_deadline has no equivalent");
	if (export_int(def, "retries", &n) == 0 && n > 0)
		export_note(e, job, "retries %lld (retry_delay) have no "
		    "equivalent", (long long)n);
	if (export_int(def, "ban_after_failures", &n) == 0 && n > 0)
		export_note(e, job, "ban_after_failures %lld has no "
		    "equivalent (bans are schedd's)", (long long)n);
	if (export_int(def, "priority", &n) == 0 && n != 0)
		export_note(e, job, "priority %lld has no equivalent",
		    (long long)n);
	if (json_array_size(json_object_get(def, "on_failure")) > 0 ||
	    json_array_size(json_object_get(def, "on_success")) > 0)
		export_note(e, job, "on_failure and on_success hooks have no "
		    "equivalent (OnFailure= can start a unit of your own)");
	if (export_true(def, "paused") || !export_true(def, "enabled"))
		export_note(e, job, "paused in schedd: enable the timer when "
		    "the job should run");
}

/*
 * A job's unit name prefix, "schedd-NAME": "@" (a template in systemd)
 * escaped as systemd-escape(1) would.  Job names allow no other character
 * that a unit name does not.
 */
static char *
sd_unit(const char *job)
{
	char	*s, *p;

	s = xmalloc(strlen("schedd-") + 4 * strlen(job) + 1);
	p = s + sprintf(s, "schedd-");
	for (; *job != '\0'; job++) {
		if (*job == '@')
			p += sprintf(p, "\\x40");
		else
			*p++ = *job;
	}
	*p = '\0';
	return (s);
}

/* export --to systemd of one job: the .service and .timer files. */
int
export_systemd(struct export *e, json_t *job)
{
	json_t		*def;
	const char	*name, *desc;
	FILE		*svc, *tmr;
	char		*sbuf = NULL, *tbuf = NULL, *unit, *head, *file;
	size_t		 slen = 0, tlen = 0;
	int		 dropped = e->dropped, rc;

	def = json_object_get(job, "definition");
	name = export_str(job, "name");
	json_object_set(def, "paused", json_object_get(job, "paused"));
	unit = sd_unit(name);
	svc = open_memstream(&sbuf, &slen);
	tmr = open_memstream(&tbuf, &tlen);
	if (svc == NULL || tmr == NULL)
		fatal("open_memstream");
	fputs("\n[Unit]\nDescription=", svc);
	desc = export_str(def, "description");
	sd_plain(svc, desc != NULL ? desc : name);
	fputs("\n\n[Service]\n", svc);
	sd_service(e, name, def, svc);
	fprintf(tmr, "\n[Unit]\nDescription=Timer of %s.service\n\n"
	    "[Timer]\nUnit=%s.service\n", unit, unit);
	sd_schedule(e, name, def, tmr);
	fputs("\n[Install]\nWantedBy=timers.target\n", tmr);
	sd_unmapped(e, name, def);
	fclose(svc);
	fclose(tmr);
	rc = 0;
	if (e->dropped == dropped) {
		xasprintf(&head, "# schedd job \"%s\" (schedctl export)\n",
		    name);
		xasprintf(&file, "%s.service", unit);
		rc = sd_write(e, file, head, sbuf, slen);
		free(file);
		xasprintf(&file, "%s.timer", unit);
		if (rc == 0)
			rc = sd_write(e, file, head, tbuf, tlen);
		free(file);
		free(head);
	}
	free(sbuf);
	free(tbuf);
	free(unit);
	return (rc);
}

/* Write one file of the output folder. */
static int
sd_write(struct export *e, const char *name, const char *head,
    const char *body, size_t len)
{
	FILE	*f;
	char	*path;
	int	 fd, rc = 0;

	/* Not through a symbolic link someone left in the folder. */
	xasprintf(&path, "%s/%s", e->dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		fprintf(stderr, "schedctl: export: %s: %s\n", path,
		    strerror(errno));
		free(path);
		return (CTL_EXIT_ERROR);
	}
	fputs(head, f);
	export_comments(e, f, "# ");
	fwrite(body, 1, len, f);
	if (ferror(f) | (fclose(f) == EOF)) {
		fprintf(stderr, "schedctl: export: %s: %s\n", path,
		    strerror(errno));
		rc = CTL_EXIT_ERROR;
	}
	free(path);
	return (rc);
}
