/* SPDX-License-Identifier: ISC */
/*
 * Job definitions: the table of job keys and the one validator that both
 * the YAML file (config.c) and the JSON "add" command use, so a job means
 * the same thing wherever it came from.  Also the JSON form of a job, its
 * reference count, deep comparison for reload, and its schedule in words.
 *
 * JSON input is turned into the same node tree as YAML (with a key path
 * instead of a position) and validated by the same code.  JSON input also
 * accepts null for "not set" and the *_ms keys that jobdef_to_json writes,
 * so a definition written with jobdef_to_json(def, NULL) reads back equal.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config-node.h"
#include "cron.h"
#include "config.h"
#include "intern.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

struct jobctx {
	struct jobdef		*def;
	struct cerrs		*errs;
	int			 json;
	const struct cnode	*seen[64];
	const struct cnode	*at;		/* the value of "at" */
};

struct jobkey {
	const char	*name;
	int		 json_only;	/* the *_ms forms of jobdef_to_json */
	const char	*alias_of;
	void		(*parse)(struct jobctx *, const struct cnode *,
			    const struct cnode *);
};

static void	jobkey_command(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_string(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_list(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_duration(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_ms(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_cron(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_at(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_int(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_bool(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_signal(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_leftovers(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_overlap(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_env(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_umask(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_limits(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_cglimit(struct jobctx *, const struct cnode *,
		    const struct cnode *);
static void	jobkey_timezone(struct jobctx *, const struct cnode *,
		    const struct cnode *);

/* Indexes in jobkeys[] the validator checks against each other. */
#define JOBKEY_COMMAND	0
#define JOBKEY_EVERY	3
#define JOBKEY_CRON	4
#define JOBKEY_AT	5
#define NYAMLKEYS	41	/* the keys before the JSON-only ones */
#define JOBKEY_EVERY_MS	NYAMLKEYS

/* Every job key, in the order of schedd.yaml(5) JOBS. */
static const struct jobkey jobkeys[] = {
	{ "command", 0, NULL, jobkey_command },
	{ "description", 0, NULL, jobkey_string },
	{ "tags", 0, NULL, jobkey_list },
	{ "every", 0, NULL, jobkey_duration },
	{ "cron", 0, NULL, jobkey_cron },
	{ "at", 0, NULL, jobkey_at },
	{ "jitter", 0, NULL, jobkey_duration },
	{ "max_runs", 0, NULL, jobkey_int },
	{ "auto_remove", 0, NULL, jobkey_bool },
	{ "catch_up", 0, NULL, jobkey_bool },
	{ "start_deadline", 0, NULL, jobkey_duration },
	{ "timeout", 0, NULL, jobkey_duration },
	{ "kill_signal", 0, NULL, jobkey_signal },
	{ "kill_grace", 0, NULL, jobkey_duration },
	{ "concurrency", 0, NULL, jobkey_int },
	{ "on_overlap", 0, NULL, jobkey_overlap },
	{ "on_leftovers", 0, NULL, jobkey_leftovers },
	{ "queue_limit", 0, NULL, jobkey_int },
	{ "priority", 0, NULL, jobkey_int },
	{ "retries", 0, NULL, jobkey_int },
	{ "retry_delay", 0, NULL, jobkey_duration },
	{ "ban_after_failures", 0, NULL, jobkey_int },
	{ "history", 0, NULL, jobkey_int },
	{ "on_failure", 0, NULL, jobkey_list },
	{ "on_success", 0, NULL, jobkey_list },
	{ "user", 0, NULL, jobkey_string },
	{ "group", 0, NULL, jobkey_string },
	{ "workdir", 0, NULL, jobkey_string },
	{ "env", 0, NULL, jobkey_env },
	{ "umask", 0, NULL, jobkey_umask },
	{ "nice", 0, NULL, jobkey_int },
	{ "limits", 0, NULL, jobkey_limits },
	{ "memory_max", 0, NULL, jobkey_cglimit },
	{ "memory_high", 0, NULL, jobkey_cglimit },
	{ "memory_swap_max", 0, NULL, jobkey_cglimit },
	{ "cpu_max", 0, NULL, jobkey_cglimit },
	{ "cpu_weight", 0, NULL, jobkey_cglimit },
	{ "io_weight", 0, NULL, jobkey_cglimit },
	{ "pids_max", 0, NULL, jobkey_cglimit },
	{ "timezone", 0, NULL, jobkey_timezone },
	{ "enabled", 0, NULL, jobkey_bool },
	{ "every_ms", 1, "every", jobkey_ms },
	{ "jitter_ms", 1, "jitter", jobkey_ms },
	{ "timeout_ms", 1, "timeout", jobkey_ms },
	{ "kill_grace_ms", 1, "kill_grace", jobkey_ms },
	{ "retry_delay_ms", 1, "retry_delay", jobkey_ms },
	{ "start_deadline_ms", 1, "start_deadline", jobkey_ms },
};
#define NJOBKEYS	(sizeof jobkeys / sizeof jobkeys[0])

const char *const joblimit_names[JOBLIM_MAX] = {
	"cpu", "memory", "nofile", "nproc", "core", "fsize"
};

/* The names of the YAML job keys, for suggestions and documentation. */
const char *const *
jobkey_names(size_t *n)
{
	static const char	*names[NJOBKEYS];
	size_t			 i;

	for (i = 0; i < NJOBKEYS; i++)
		names[i] = jobkeys[i].name;
	*n = NYAMLKEYS;
	return (names);
}

/* Where a duration key stores its value. */
static void
jobkey_store_ms(struct jobctx *ctx, const char *name, uint64_t ms,
    const struct cnode *val)
{
	struct jobdef	*def = ctx->def;

	if (ms == 0 && (strcmp(name, "every") == 0 ||
	    strcmp(name, "start_deadline") == 0))
		cerr_add(ctx->errs, val, "must be greater than 0");
	if (strcmp(name, "every") == 0)
		def->every_ms = ms;
	else if (strcmp(name, "jitter") == 0)
		def->jitter_ms = ms;
	else if (strcmp(name, "timeout") == 0)
		def->timeout_ms = (int64_t)ms;
	else if (strcmp(name, "kill_grace") == 0)
		def->kill_grace_ms = (int64_t)ms;
	else if (strcmp(name, "retry_delay") == 0)
		def->retry_delay_ms = ms;
	else if (strcmp(name, "start_deadline") == 0)
		def->start_deadline_ms = ms;
	else
		fatalx("%s: no duration key %s", __func__, name);
}

/* A command: one shell string, or an argv list. */
static void
jobkey_command(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct jobdef	*def = ctx->def;
	char		**argv, *s;
	size_t		 i, n;
	int		 bad = 0;

	if (val->type == CNODE_SCALAR && !cnode_is_null(val) &&
	    val->style != CSCALAR_NUMBER && val->style != CSCALAR_BOOL) {
		if (cnode_to_intern(val, ctx->errs, &s) != 0)
			return;
		if (*s == '\0') {
			cerr_add(ctx->errs, val, "command is empty");
			intern_put(s);
			return;
		}
		argv = xcalloc(4, sizeof *argv);
		argv[0] = intern_get("/bin/sh");
		argv[1] = intern_get("-c");
		argv[2] = s;
		def->argv = argv;
		def->shell = 1;
		return;
	}
	if (val->type != CNODE_SEQ) {
		if (val->type != CNODE_BAD)
			cerr_add(ctx->errs, val, "expected a string or a list "
			    "of strings, got %s", cnode_describe(val));
		return;
	}
	if ((n = val->nchild) == 0) {
		cerr_add(ctx->errs, val, "command is an empty list");
		return;
	}
	argv = xcalloc(n + 1, sizeof *argv);
	for (i = 0; i < n; i++) {
		if (cnode_to_intern(val->child[i], ctx->errs, &argv[i]) != 0) {
			argv[i] = intern_get("");
			bad = 1;
		} else if (i == 0 && *argv[0] == '\0') {
			cerr_add(ctx->errs, val->child[0],
			    "program name is empty");
			bad = 1;
		}
	}
	if (bad) {
		for (i = 0; i < n; i++)
			intern_put(argv[i]);
		free(argv);
		return;
	}
	def->argv = argv;
	def->shell = 0;
}

/* description, user, group and workdir. */
static void
jobkey_string(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct jobdef	*def = ctx->def;
	char		*s, **where;

	if (cnode_to_intern(val, ctx->errs, &s) != 0)
		return;
	if (strcmp(key->value, "description") == 0)
		where = &def->description;
	else if (strcmp(key->value, "user") == 0)
		where = &def->user;
	else if (strcmp(key->value, "group") == 0)
		where = &def->group;
	else
		where = &def->workdir;
	if (where != &def->description && *s == '\0') {
		cerr_add(ctx->errs, val, "must not be empty");
		intern_put(s);
		return;
	}
	if (where == &def->workdir && *s != '/') {
		cerr_add(ctx->errs, val, "workdir must be an absolute path");
		intern_put(s);
		return;
	}
	intern_put(*where);
	*where = s;
}

/* A list of tags, or of hook jobs (on_failure, on_success). */
static void
jobkey_list(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct jobdef	*def = ctx->def;

	if (strcmp(key->value, "tags") == 0)
		cnode_to_list(val, ctx->errs, 0, &def->tags, &def->ntags);
	else if (strcmp(key->value, "on_success") == 0)
		cnode_to_list(val, ctx->errs, 1, &def->on_success,
		    &def->non_success);
	else if (cnode_to_list(val, ctx->errs, 1, &def->on_failure,
	    &def->non_failure) == 0)
		jobdef_list_init(&def->on_failure);
}

/* every, jitter, timeout, kill_grace, retry_delay. */
static void
jobkey_duration(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	uint64_t	 ms;

	if (cnode_to_duration(val, ctx->errs, &ms) == 0)
		jobkey_store_ms(ctx, key->value, ms, val);
}

/* The JSON-only *_ms forms: an integer number of milliseconds. */
static void
jobkey_ms(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	size_t		 len = strlen(key->value) - 3;
	char		 name[32];
	int64_t		 ms;

	if (cnode_to_int(val, ctx->errs, 0, (int64_t)100 * 365 * 86400 * 1000,
	    &ms) != 0)
		return;
	snprintf(name, sizeof name, "%.*s", (int)len, key->value);
	jobkey_store_ms(ctx, name, (uint64_t)ms, val);
}

/* A cron expression. */
static void
jobkey_cron(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct cron	*c;
	char		*s, *why;
	int		 column, quote;

	if (cnode_to_string(val, ctx->errs, &s) != 0)
		return;
	if (strcmp(s, "@reboot") == 0) {	/* a synonym of "at: boot" */
		ctx->def->at_boot = 1;
		free(s);
		return;
	}
	if (cron_parse(s, &c, &why, &column) != 0) {
		/* Point at the bad field: past an opening quote, if any. */
		quote = val->file != NULL && val->style == CSCALAR_STRING;
		if (val->file != NULL)
			cerr_addx(ctx->errs, val->file, val->fileidx, val->line,
			    val->column + quote + column - 1,
			    "bad cron expression \"%s\": %s", s, why);
		else
			cerr_add(ctx->errs, val, "bad cron expression \"%s\": "
			    "%s (at column %d)", s, why, column);
		free(why);
		free(s);
		return;
	}
	cron_free(c);
	intern_put(ctx->def->cron);
	ctx->def->cron = intern_get(s);
	free(s);
}

/* Check a TIME for "at" in zone tz (NULL: the process's). */
static int
jobkey_at_check(struct jobctx *ctx, const struct cnode *val, const char *s,
    const char *tz)
{
	time_t	 t;

	if (at_parse(s, tz, time(NULL), &t) == 0)
		return (0);
	if (errno == ERANGE)
		cerr_add(ctx->errs, val, "time \"%s\" is out of range (%s)", s,
		    TIME_RANGE_TEXT);
	else
		cerr_add(ctx->errs, val, "bad time \"%s\" (expected "
		    "2026-12-01T09:00:00, with Z or +01:00, or 09:00)", s);
	return (-1);
}

/*
 * A TIME, kept as written: the daemon works out when it falls.  Checked
 * here in the process's zone and again in the job's once its timezone is
 * known (a local time near the end of the range may fall beyond it).
 */
static void
jobkey_at(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	char	*s;

	if (cnode_to_string(val, ctx->errs, &s) != 0)
		return;
	if (strcmp(s, "boot") == 0)
		ctx->def->at_boot = 1;
	else if (jobkey_at_check(ctx, val, s, NULL) == 0) {
		intern_put(ctx->def->at);
		ctx->def->at = intern_get(s);
	}
	free(s);
	ctx->at = val;
}

/* The integer keys and their ranges. */
static void
jobkey_int(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct jobdef	*def = ctx->def;
	const char	*k = key->value;
	int64_t		 v, min = 0, max = UINT32_MAX;

	if (strcmp(k, "max_runs") == 0 || strcmp(k, "concurrency") == 0)
		min = 1;
	else if (strcmp(k, "priority") == 0) {
		min = INT_MIN;
		max = INT_MAX;
	} else if (strcmp(k, "nice") == 0) {
		min = -20;
		max = 19;
	}
	if (cnode_to_int(val, ctx->errs, min, max, &v) != 0)
		return;
	if (strcmp(k, "max_runs") == 0)
		def->max_runs = (uint32_t)v;
	else if (strcmp(k, "concurrency") == 0)
		def->concurrency = (uint32_t)v;
	else if (strcmp(k, "queue_limit") == 0)
		def->queue_limit = v;
	else if (strcmp(k, "priority") == 0)
		def->priority = (int)v;
	else if (strcmp(k, "retries") == 0)
		def->retries = (uint32_t)v;
	else if (strcmp(k, "ban_after_failures") == 0)
		def->ban_after_failures = (uint32_t)v;
	else if (strcmp(k, "history") == 0)
		def->history = v;
	else if (strcmp(k, "nice") == 0) {
		def->nice = (int)v;
		def->nice_set = 1;
	} else
		fatalx("%s: no integer key %s", __func__, k);
}

/* auto_remove, catch_up, enabled. */
static void
jobkey_bool(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	int	 b;

	if (cnode_to_bool(val, ctx->errs, &b) != 0)
		return;
	if (strcmp(key->value, "auto_remove") == 0)
		ctx->def->auto_remove = b;
	else if (strcmp(key->value, "catch_up") == 0)
		ctx->def->catch_up = b;
	else
		ctx->def->enabled = b;
}

/* A signal by name ("TERM", "SIGTERM") or number. */
static void
jobkey_signal(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	int	 sig;

	if (val->type != CNODE_SCALAR || cnode_is_null(val) ||
	    val->style == CSCALAR_BOOL) {
		if (val->type != CNODE_BAD)
			cerr_add(ctx->errs, val, "expected a signal name or "
			    "number, got %s", cnode_describe(val));
		return;
	}
	if (strlen(val->value) != val->len ||
	    (sig = signal_parse(val->value)) == -1) {
		cerr_add(ctx->errs, val, "unknown signal \"%s\"", val->value);
		return;
	}
	ctx->def->kill_signal = sig;
}

/* queue, skip or replace. */
static void
jobkey_overlap(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	char	*s;

	if (cnode_to_string(val, ctx->errs, &s) != 0)
		return;
	if (strcmp(s, "queue") == 0)
		ctx->def->on_overlap = OVERLAP_QUEUE;
	else if (strcmp(s, "skip") == 0)
		ctx->def->on_overlap = OVERLAP_SKIP;
	else if (strcmp(s, "replace") == 0)
		ctx->def->on_overlap = OVERLAP_REPLACE;
	else
		cerr_add(ctx->errs, val, "bad value \"%s\" (expected queue, "
		    "skip or replace)", s);
	free(s);
}

/* kill or wait: what becomes of processes the main process left. */
static void
jobkey_leftovers(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	char	*s;

	if (cnode_to_string(val, ctx->errs, &s) != 0)
		return;
	if (strcmp(s, "kill") == 0)
		ctx->def->on_leftovers = LEFTOVERS_KILL;
	else if (strcmp(s, "wait") == 0)
		ctx->def->on_leftovers = LEFTOVERS_WAIT;
	else
		cerr_add(ctx->errs, val, "bad value \"%s\" (expected kill "
		    "or wait)", s);
	free(s);
}

/* A map of variable names to scalar values. */
static void
jobkey_env(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct jobdef		*def = ctx->def;
	const struct cnode	*k, *v;
	size_t			 i;
	char			*s;

	if (val->type != CNODE_MAP) {
		if (val->type != CNODE_BAD)
			cerr_add(ctx->errs, val, "expected a mapping of "
			    "names to values, got %s", cnode_describe(val));
		return;
	}
	cnode_mark_dups((struct cnode *)val, ctx->errs, "variable");
	for (i = 0; i + 1 < val->nchild; i += 2) {
		k = val->child[i];
		v = val->child[i + 1];
		if (k->skip)
			continue;
		if (strlen(k->value) != k->len ||
		    !env_name_valid(k->value)) {
			cerr_add(ctx->errs, k, "bad variable name \"%s\"",
			    k->value);
			continue;
		}
		/* The daemon's own: a task must not be able to hide them. */
		if (strncmp(k->value, "SCHEDD_", 7) == 0) {
			cerr_add(ctx->errs, k, "\"%s\": SCHEDD_* variables are "
			    "set by schedd, not by jobs", k->value);
			continue;
		}
		if (v->type != CNODE_SCALAR || cnode_is_null(v)) {
			if (v->type != CNODE_BAD)
				cerr_add(ctx->errs, v, "expected a string, "
				    "got %s", cnode_describe(v));
			continue;
		}
		if (strlen(v->value) != v->len) {
			cerr_add(ctx->errs, v, "contains a NUL byte");
			continue;
		}
		xasprintf(&s, "%s=%s", k->value, v->value);
		jobdef_list_add(&def->env, &def->nenv, intern_get(s));
		free(s);
	}
}

/* An octal umask. */
static void
jobkey_umask(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	int	 mask;

	if (cnode_to_octal(val, ctx->errs, 0777, &mask) == 0)
		ctx->def->umask = mask;
}

/* Resource limits: cpu (duration), sizes and counts, or "unlimited". */
static void
jobkey_limits(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	struct joblimit		*lim;
	const struct cnode	*k, *v;
	uint64_t		 u;
	int64_t			 n;
	size_t			 i;
	int			 kind;

	if (val->type != CNODE_MAP) {
		if (val->type != CNODE_BAD)
			cerr_add(ctx->errs, val, "expected a mapping, got %s",
			    cnode_describe(val));
		return;
	}
	cnode_mark_dups((struct cnode *)val, ctx->errs, "key");
	for (i = 0; i + 1 < val->nchild; i += 2) {
		k = val->child[i];
		v = val->child[i + 1];
		if (k->skip)
			continue;
		for (kind = 0; kind < JOBLIM_MAX; kind++) {
			if (strcmp(k->value, joblimit_names[kind]) == 0)
				break;
		}
		if (kind == JOBLIM_MAX) {
			key_unknown(ctx->errs, k, joblimit_names, JOBLIM_MAX);
			continue;
		}
		lim = &jobdef_limits_w(ctx->def)[kind];
		if (ctx->json && cnode_is_null(v))
			continue;
		if (v->type == CNODE_SCALAR && v->style != CSCALAR_NUMBER &&
		    (strcmp(v->value, "unlimited") == 0 ||
		    strcmp(v->value, "infinity") == 0)) {
			lim->set = 1;
			lim->value = RLIM_INFINITY;
			continue;
		}
		switch (kind) {
		case JOBLIM_CPU:
			if (cnode_to_duration(v, ctx->errs, &u) != 0)
				continue;
			u = (u + 999) / 1000;
			break;
		case JOBLIM_NOFILE:
		case JOBLIM_NPROC:
			if (cnode_to_int(v, ctx->errs, 0, INT64_MAX, &n) != 0)
				continue;
			u = (uint64_t)n;
			break;
		default:
			if (cnode_to_size(v, ctx->errs, &u) != 0)
				continue;
			break;
		}
		if (u >= (uint64_t)RLIM_INFINITY) {
			cerr_add(ctx->errs, v, "limit is too large");
			continue;
		}
		lim->set = 1;
		lim->value = (rlim_t)u;
	}
}

/* memory_max, memory_high, memory_swap_max, cpu_*, io_weight, pids_max. */
static void
jobkey_cglimit(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	int	 kind;

	for (kind = 0; kind < CGLIM_NKINDS; kind++) {
		if (strcmp(key->value, cglimit_names[kind]) == 0)
			break;
	}
	if (kind == CGLIM_NKINDS)
		fatalx("%s: no cgroup limit %s", __func__, key->value);
	cglimit_parse(kind, key, val, ctx->errs,
	    &jobdef_cglimits_w(ctx->def)[kind]);
}

/* A time zone name. */
static void
jobkey_timezone(struct jobctx *ctx, const struct cnode *key,
    const struct cnode *val)
{
	char	*tz;

	if (cnode_to_timezone(val, ctx->errs, &tz) == 0) {
		intern_put(ctx->def->timezone);
		ctx->def->timezone = intern_get(tz);
		free(tz);
	}
}

/*
 * Validate one job: name (NULL if already reported), the node it is
 * reported at, and its mapping of keys.  Adds every problem to errs and
 * returns NULL if there was any.  json allows null and the *_ms keys.
 */
struct jobdef *
jobdef_build(const char *name, const struct cnode *where,
    const struct cnode *map, struct cerrs *errs, int json)
{
	struct jobctx		 ctx;
	const struct cnode	*k, *v;
	const char		*names[NJOBKEYS];
	size_t			 i, j, before = errs->n, nnames;
	int			 every;

	/* A key added to the table without counting it would shift these. */
	if (jobkeys[NYAMLKEYS - 1].json_only || !jobkeys[NYAMLKEYS].json_only ||
	    strcmp(jobkeys[JOBKEY_EVERY_MS].name, "every_ms") != 0)
		fatalx("%s: NYAMLKEYS does not match jobkeys[]", __func__);
	memset(&ctx, 0, sizeof ctx);
	ctx.def = jobdef_new(name != NULL ? name : "");
	ctx.errs = errs;
	ctx.json = json;
	if (name != NULL && !name_valid(name))
		cerr_add(errs, where, "bad job name \"%s\" (" NAME_RULE ")",
		    name);
	if (map->type != CNODE_MAP) {
		if (cnode_is_null(map))
			cerr_add(errs, map->file == NULL ? map : where,
			    "missing required key \"command\"");
		else if (map->type != CNODE_BAD)
			cerr_add(errs, map, "expected a mapping of job keys, "
			    "got %s", cnode_describe(map));
		goto out;
	}
	cnode_mark_dups((struct cnode *)map, errs, "key");
	nnames = json ? NJOBKEYS : NYAMLKEYS;
	for (i = 0; i < nnames; i++)
		names[i] = jobkeys[i].name;
	for (i = 0; i + 1 < map->nchild; i += 2) {
		k = map->child[i];
		v = map->child[i + 1];
		if (k->skip)
			continue;
		for (j = 0; j < nnames; j++) {
			if (k->value[0] == jobkeys[j].name[0] &&
			    strcmp(k->value, jobkeys[j].name) == 0)
				break;
		}
		if (j == nnames) {
			key_unknown(errs, k, names, nnames);
			continue;
		}
		if (json && cnode_is_null(v) && j != JOBKEY_COMMAND)
			continue;
		ctx.seen[j] = k;
		jobkeys[j].parse(&ctx, k, v);
	}
	for (j = 0; j < NJOBKEYS; j++) {
		if (jobkeys[j].alias_of == NULL || ctx.seen[j] == NULL)
			continue;
		for (i = 0; i < NYAMLKEYS; i++) {
			if (strcmp(jobkeys[i].name, jobkeys[j].alias_of) == 0 &&
			    ctx.seen[i] != NULL)
				cerr_add(errs, ctx.seen[j], "\"%s\" and \"%s\" "
				    "cannot both be set", jobkeys[i].name,
				    jobkeys[j].name);
		}
	}
	if (ctx.def->argv == NULL && ctx.seen[JOBKEY_COMMAND] == NULL)
		cerr_add(errs, map->file == NULL ? map : where,
		    "missing required key \"command\"");
	every = ctx.seen[JOBKEY_EVERY] != NULL ||
	    ctx.seen[JOBKEY_EVERY_MS] != NULL;
	if (every && ctx.seen[JOBKEY_CRON] != NULL)
		cerr_add(errs, ctx.seen[JOBKEY_CRON], "\"every\" and \"cron\" "
		    "cannot both be set");
	if (ctx.seen[JOBKEY_AT] != NULL && ctx.seen[JOBKEY_CRON] != NULL)
		cerr_add(errs, ctx.seen[JOBKEY_CRON], "\"at\" cannot be "
		    "combined with \"cron\"");
	else if (every && ctx.def->at_boot)
		cerr_add(errs, ctx.seen[JOBKEY_EVERY] != NULL ?
		    ctx.seen[JOBKEY_EVERY] : ctx.seen[JOBKEY_EVERY_MS],
		    "\"every\" cannot be combined with a boot schedule");
	if (ctx.def->at != NULL && ctx.def->timezone != NULL)
		jobkey_at_check(&ctx, ctx.at, ctx.def->at, ctx.def->timezone);
out:
	if (errs->n != before) {
		jobdef_free(ctx.def);
		return (NULL);
	}
	if (where != NULL && where->file != NULL) {
		ctx.def->file = intern_get(where->file);
		ctx.def->line = where->line;
		ctx.def->column = where->column;
	}
	jobdef_finish(ctx.def);
	return (ctx.def);
}
