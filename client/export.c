/* SPDX-License-Identifier: ISC */

/*
 * schedctl export --to systemd|kubernetes [-c FILE] [-o DIR]
 * [--image IMAGE] [JOB...] (schedctl.1 EXPORT).
 *
 * Every job is read as the daemon's "job" command describes it: from a
 * running daemon, or, with -c, from "schedd -t --print-jobs -c FILE",
 * which prints the same description from the daemon's own configuration
 * reader.  Running schedd rather than linking its reader keeps one reader
 * of schedd.yaml(5) and its checks (include files, strict modes, every
 * validation message) with no second copy to drift, and keeps libyaml
 * and the daemon's code out of schedctl.  The program is SCHEDD_PATH,
 * fixed at build time; the environment variable SCHEDD_PROGRAM overrides
 * it (tests run the built one).
 *
 * What a target cannot express is written as a comment next to the job
 * and said on stderr; a job that cannot be exported at all is left out,
 * said on stderr, and makes the exit status 1.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "cron.h"
#include "export.h"
#include "util.h"
#include "xmalloc.h"

#ifndef SCHEDD_PATH
#define SCHEDD_PATH	"/usr/sbin/schedd"
#endif
#define EXPORT_WINDOW	64	/* "job" requests sent ahead of answers */

static void	 export_vnote(struct export *, const char *, const char *,
		     va_list) __attribute__((__format__(__printf__, 3, 0)));
static json_t	*export_from_file(const char *);
static int	 export_from_daemon(struct ctl *, struct args *, json_t **);
static json_t	*export_pick(json_t *, struct args *);

/* Say something about a job on stderr and keep it for its comments. */
static void
export_vnote(struct export *e, const char *job, const char *fmt, va_list ap)
{
	char	*msg, *p;

	xvasprintf(&msg, fmt, ap);
	for (p = msg; *p != '\0'; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	}
	fprintf(stderr, "schedctl: export: %s: %s\n", job, msg);
	e->notes = xreallocarray(e->notes, e->nnotes + 1, sizeof *e->notes);
	e->notes[e->nnotes++] = msg;
}

/* What a job's key becomes, or why it is not carried over. */
void
export_note(struct export *e, const char *job, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	export_vnote(e, job, fmt, ap);
	va_end(ap);
}

/* A job that cannot be exported: said, and counted for the exit status. */
void
export_drop(struct export *e, const char *job, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	export_vnote(e, job, fmt, ap);
	va_end(ap);
	e->dropped++;
}

/* Forget the notes of the job just written. */
void
export_notes_clear(struct export *e)
{
	size_t	 i;

	for (i = 0; i < e->nnotes; i++)
		free(e->notes[i]);
	free(e->notes);
	e->notes = NULL;
	e->nnotes = 0;
}

/* The notes of a job as comment lines, each after prefix ("# "). */
void
export_comments(struct export *e, FILE *f, const char *prefix)
{
	size_t	 i;

	for (i = 0; i < e->nnotes; i++)
		fprintf(f, "%s%s\n", prefix, e->notes[i]);
}

/* A string member of a definition, or NULL. */
const char *
export_str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* An integer member: 0 and *v, or -1 if absent or null. */
int
export_int(json_t *o, const char *key, json_int_t *v)
{
	json_t	*j = json_object_get(o, key);

	if (!json_is_integer(j))
		return (-1);
	*v = json_integer_value(j);
	return (0);
}

/* Is a member true? */
int
export_true(json_t *o, const char *key)
{
	return (json_is_true(json_object_get(o, key)));
}

/* Milliseconds as whole seconds, rounded up. */
uint64_t
export_ceil_s(json_int_t ms)
{
	return (ms <= 0 ? 0 : ((uint64_t)ms + 999) / 1000);
}

/* A job's cron expression parsed, or NULL having dropped the job. */
struct cron *
export_cron(struct export *e, const char *job, const char *expr)
{
	struct cron	*c;
	char		*cause = NULL;

	if (cron_parse(expr, &c, &cause, NULL) != 0) {
		export_drop(e, job, "cron \"%s\": %s", expr,
		    cause != NULL ? cause : "invalid");
		free(cause);
		return (NULL);
	}
	return (c);
}

/*
 * Is a set within lo..hi the values start, start + step, ... up to hi,
 * at least three, step at least 2 (what "start/step" means in cron and in
 * systemd)?
 */
int
export_step(uint64_t bits, int lo, int hi, int *start, int *step)
{
	int	 a, b, v;

	for (a = lo; a <= hi && !((bits >> a) & 1); a++)
		;
	for (b = a + 1; b <= hi && !((bits >> b) & 1); b++)
		;
	if (b > hi || b - a < 2)
		return (0);
	for (v = a; v <= hi; v++) {
		if ((int)((bits >> v) & 1) != ((v - a) % (b - a) == 0))
			return (0);
	}
	if (a + 2 * (b - a) > hi)
		return (0);
	*start = a;
	*step = b - a;
	return (1);
}

/*
 * A cron field's set of values within lo..hi as a target writes it: "*"
 * for all, "start/step" ("*\/step" from lo with star_step), else values
 * and runs joined by range ("-", ".."), each at least width digits.
 */
void
export_set(FILE *f, uint64_t bits, int lo, int hi, int width,
    const char *range, int star_step)
{
	int	 v, end, step, first = 1;

	for (v = lo; v <= hi && ((bits >> v) & 1); v++)
		;
	if (v > hi) {
		fputc('*', f);
		return;
	}
	if (export_step(bits, lo, hi, &v, &step)) {
		if (v == lo && star_step)
			fprintf(f, "*/%d", step);
		else
			fprintf(f, "%0*d/%d", width, v, step);
		return;
	}
	for (v = lo; v <= hi; v++) {
		if (!((bits >> v) & 1))
			continue;
		for (end = v; end < hi && ((bits >> (end + 1)) & 1); end++)
			;
		fprintf(f, "%s%0*d", first ? "" : ",", width, v);
		if (end > v)
			fprintf(f, "%s%0*d", end > v + 1 ? range : ",", width,
			    end);
		first = 0;
		v = end;
	}
}

/* How the day fields combine (schedd.yaml.5 cron: either, or both). */
enum export_days
export_cron_days(const struct cron *c)
{
	int	 all_dom, all_dow;

	all_dom = c->mdays == 0xfffffffeULL;
	all_dow = c->wdays == 0x7fULL;
	if (!c->dom_star && !c->dow_star) {
		if (all_dom || all_dow)
			return (EXPORT_DAYS_ANY);
		return (EXPORT_DAYS_OR);
	}
	if (all_dom && all_dow)
		return (EXPORT_DAYS_ANY);
	return (EXPORT_DAYS_AND);
}

/*
 * The jobs of a file: {"jobs": [...]} as schedd --print-jobs prints it.
 * schedd's own messages go to our stderr.
 */
static json_t *
export_from_file(const char *path)
{
	json_error_t	 jerr;
	json_t		*o;
	const char	*prog;
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 fds[2], status;

	if ((prog = getenv("SCHEDD_PROGRAM")) == NULL || *prog == '\0')
		prog = SCHEDD_PATH;
	if (pipe(fds) == -1) {
		fprintf(stderr, "schedctl: pipe: %s\n", strerror(errno));
		return (NULL);
	}
	switch ((pid = fork())) {
	case -1:
		fprintf(stderr, "schedctl: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return (NULL);
	case 0:
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		if (fds[1] != STDOUT_FILENO)
			close(fds[1]);
		execl(prog, "schedd", "-t", "--print-jobs", "-c", path,
		    (char *)NULL);
		fprintf(stderr, "schedctl: %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fds[0], buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "schedctl: export: %s: not exported (schedd "
		    "-t failed)\n", path);
		free(buf);
		return (NULL);
	}
	o = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!json_is_array(json_object_get(o, "jobs"))) {
		fprintf(stderr, "schedctl: export: %s: unexpected output of "
		    "%s -t --print-jobs\n", path, prog);
		json_decref(o);
		return (NULL);
	}
	return (o);
}

/*
 * The jobs of the daemon: the names from "jobs" (or those given), then
 * each job's "job" answer, EXPORT_WINDOW requests ahead of the answers
 * so that many jobs do not cost a round trip each.
 */
static int
export_from_daemon(struct ctl *ctl, struct args *a, json_t **out)
{
	json_t		*names, *res, *jobs, *job;
	size_t		 i, sent = 0, got = 0, n;
	int		 rc = 0;

	names = json_array();
	if (a->argc > 0) {
		for (i = 0; i < (size_t)a->argc; i++)
			json_array_append_new(names, json_string(a->argv[i]));
	} else {
		if ((rc = ctl_call(ctl, "jobs", json_pack("{s:[]}", "fields"),
		    0, &res)) != 0) {
			json_decref(names);
			return (rc);
		}
		json_array_foreach(json_object_get(res, "jobs"), i, job)
			json_array_append(names, json_object_get(job, "name"));
		json_decref(res);
	}
	n = json_array_size(names);
	jobs = json_array();
	while (got < n && rc == 0) {
		while (sent < n && sent - got < EXPORT_WINDOW) {
			if (ctl_request(ctl, "job", json_pack("{s:O}", "name",
			    json_array_get(names, sent))) != 0) {
				rc = CTL_EXIT_UNREACH;
				break;
			}
			sent++;
		}
		if (rc != 0 || (rc = ctl_answer(ctl, 0, &res)) != 0)
			break;
		json_array_append(jobs, json_object_get(res, "job"));
		json_decref(res);
		got++;
	}
	json_decref(names);
	if (rc != 0) {
		json_decref(jobs);
		return (rc);
	}
	*out = json_pack("{s:o}", "jobs", jobs);
	return (0);
}

/* The jobs named on the command line (all without names), or NULL. */
static json_t *
export_pick(json_t *all, struct args *a)
{
	json_t	*list, *out, *job;
	size_t	 i;
	int	 k, found;

	list = json_object_get(all, "jobs");
	if (a->argc == 0)
		return (json_incref(list));
	out = json_array();
	for (k = 0; k < a->argc; k++) {
		found = 0;
		json_array_foreach(list, i, job) {
			if (strcmp(a->argv[k], export_str(job, "name")) == 0) {
				json_array_append(out, job);
				found = 1;
				break;
			}
		}
		if (!found) {
			fprintf(stderr, "schedctl: export: no such job: %s\n",
			    a->argv[k]);
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

/* export: write each job for the target; see the top of this file. */
int
ctl_export(struct ctl *ctl, struct args *a)
{
	struct export	 e;
	const char	*to, *file;
	json_t		*all, *jobs, *job;
	size_t		 i;
	int		 k8s, rc = CTL_EXIT_OK;

	if ((to = args_get(a, "to")) == NULL)
		return (usage_error("export", "--to is required"));
	if (strcmp(to, "systemd") == 0)
		k8s = 0;
	else if (strcmp(to, "kubernetes") == 0)
		k8s = 1;
	else
		return (usage_error("export", "--to: systemd or kubernetes, "
		    "not %s", to));
	memset(&e, 0, sizeof e);
	e.dir = args_get(a, "output");
	e.image = args_get(a, "image");
	e.now = time(NULL);
	if (!k8s && e.dir == NULL)
		return (usage_error("export", "--to systemd needs -o DIR"));
	if (!k8s && e.image != NULL)
		return (usage_error("export", "--image is for kubernetes"));
	if (k8s && e.image == NULL)
		return (usage_error("export", "--to kubernetes needs "
		    "--image IMAGE"));
	if (k8s && e.dir != NULL)
		return (usage_error("export", "-o is for systemd (kubernetes "
		    "objects go to stdout)"));

	if ((file = args_get(a, "config")) != NULL) {
		if ((all = export_from_file(file)) == NULL)
			return (CTL_EXIT_ERROR);
	} else if ((rc = export_from_daemon(ctl, a, &all)) != 0)
		return (rc);
	jobs = export_pick(all, a);
	json_decref(all);
	if (jobs == NULL)
		return (CTL_EXIT_ERROR);

	e.names = json_object();
	json_array_foreach(jobs, i, job) {
		rc = k8s ? export_k8s(&e, job) : export_systemd(&e, job);
		export_notes_clear(&e);
		if (rc != 0)
			break;
	}
	json_decref(e.names);
	json_decref(jobs);
	if (rc == 0 && e.dropped != 0) {
		fprintf(stderr, "schedctl: export: %d job%s not exported\n",
		    e.dropped, e.dropped == 1 ? "" : "s");
		rc = CTL_EXIT_ERROR;
	}
	return (rc);
}
