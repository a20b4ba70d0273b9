/* SPDX-License-Identifier: ISC */
/*
 * Job definitions beyond the validator: built from a JSON object (the
 * "add" command) through the same node tree and checks as YAML, written
 * back as JSON with effective values, compared, reference counted, and
 * summarised as a schedule string.
 */
#include <sys/types.h>
#include <sys/resource.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-node.h"
#include "config.h"
#include "intern.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* Join every error into one "; "-separated cause. */
static char *
jobdef_join_errors(struct cerrs *errs)
{
	char	*s = NULL, *t;
	size_t	 i;

	cerr_sort(errs);
	for (i = 0; i < errs->n; i++) {
		if (s == NULL)
			s = xstrdup(errs->list[i].msg);
		else {
			xasprintf(&t, "%s; %s", s, errs->list[i].msg);
			free(s);
			s = t;
		}
	}
	return (s);
}

/* The name of an "add" object, or NULL after an error at where. */
static const char *
jobdef_json_name(json_t *obj, struct cnode *where, struct cerrs *errs)
{
	json_t	*jname;

	free(where->path);
	where->path = xstrdup("job");
	if ((jname = json_object_get(obj, "name")) == NULL) {
		cerr_add(errs, where, "missing required key \"name\"");
		return (NULL);
	}
	free(where->path);
	where->path = xstrdup("job.name");
	if (!json_is_string(jname) ||
	    strlen(json_string_value(jname)) != json_string_length(jname)) {
		cerr_add(errs, where, "expected a string");
		return (NULL);
	}
	return (json_string_value(jname));
}

/*
 * Build a job from the JSON object of "add" (see config.h).  Nodes are
 * named by their key paths only when a definition has errors: it is
 * built a second time, then, for the messages.
 */
int
jobdef_from_json(json_t *obj, struct jobdef **out, char **cause)
{
	struct cerrs	 errs;
	struct cnode	*map = NULL, *where;
	struct jobdef	*def = NULL;
	const char	*name;
	int		 named;

	memset(&errs, 0, sizeof errs);
	where = cnode_new(CNODE_SCALAR, NULL, 0, 0, 0);
	if (!json_is_object(obj)) {
		where->path = xstrdup("job");
		cerr_add(&errs, where, "expected an object");
		goto fail;
	}
	for (named = 0;; named = 1) {
		name = jobdef_json_name(obj, where, &errs);
		map = cnode_from_jansson(obj, named ? "job" : NULL, "name",
		    &errs);
		def = jobdef_build(name, where, map, &errs, 1);
		if (def != NULL && errs.n == 0) {
			cnode_free(map);
			cnode_free(where);
			*out = def;
			return (0);
		}
		if (named)
			break;
		jobdef_free(def);
		def = NULL;
		cnode_free(map);
		map = NULL;
		cerr_clear(&errs);
	}
fail:
	jobdef_free(def);
	cnode_free(map);
	cnode_free(where);
	*cause = jobdef_join_errors(&errs);
	if (*cause == NULL)
		*cause = xstrdup("job: invalid");
	cerr_clear(&errs);
	return (-1);
}

/*
 * Build a job from its saved definition (an "add" object read by
 * cnode_from_json: its nodes name no key paths, so the messages of an
 * unusable one say what is wrong, not where).  The name member is marked
 * skipped.
 */
int
jobdef_from_node(struct cnode *map, struct jobdef **out, char **cause)
{
	struct cerrs	 errs;
	struct cnode	*where;
	struct jobdef	*def;
	const char	*name;
	size_t		 i;

	memset(&errs, 0, sizeof errs);
	where = cnode_new(CNODE_SCALAR, NULL, 0, 0, 0);
	where->path = xstrdup("job");
	if ((name = cnode_get_string(map, "name")) == NULL)
		cerr_add(&errs, where, "no name, or not a string");
	else if (strlen(name) != cnode_get(map, "name")->len)
		cerr_add(&errs, where, "a name with a NUL byte");
	for (i = 0; map->type == CNODE_MAP && i + 1 < map->nchild; i += 2) {
		if (strcmp(map->child[i]->value, "name") == 0)
			map->child[i]->skip = 1;
	}
	def = jobdef_build(name, where, map, &errs, 1);
	cnode_free(where);
	if (def != NULL && errs.n == 0) {
		*out = def;
		return (0);
	}
	jobdef_free(def);
	*cause = jobdef_join_errors(&errs);
	if (*cause == NULL)
		*cause = xstrdup("job: invalid");
	cerr_clear(&errs);
	return (-1);
}

/* A duration in ms, or null if unset (-1 with no settings to resolve). */
static json_t *
jobdef_json_ms(int64_t ms, uint64_t dflt, const struct settings *s)
{
	if (ms >= 0)
		return (json_integer(ms));
	if (s == NULL)
		return (json_null());
	return (json_integer((json_int_t)dflt));
}

/* A string or null. */
static json_t *
jobdef_json_str(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

/* A list of strings, or null (NULL: unset). */
static json_t *
jobdef_json_list(char *const *list)
{
	json_t	*a;

	if (list == NULL)
		return (json_null());
	a = json_array();
	for (; *list != NULL; list++)
		json_array_append_new(a, json_string(*list));
	return (a);
}

/*
 * Every job key with its effective value; with settings NULL, keys that
 * follow a daemon default are null, and the object reads back equal with
 * jobdef_from_json.
 */
json_t *
jobdef_to_json(const struct jobdef *def, const struct settings *s)
{
	json_t		*o, *a, *env, *lim;
	char		 buf[16], *eq;
	size_t		 i;
	int		 k;

	o = json_object();
	json_object_set_new(o, "name", json_string(def->name));
	if (def->shell && def->argv != NULL)
		json_object_set_new(o, "command", json_string(def->argv[2]));
	else {
		a = json_array();
		for (i = 0; def->argv != NULL && def->argv[i] != NULL; i++)
			json_array_append_new(a, json_string(def->argv[i]));
		json_object_set_new(o, "command", a);
	}
	json_object_set_new(o, "description",
	    jobdef_json_str(def->description));
	json_object_set_new(o, "tags", jobdef_json_list(def->tags));
	json_object_set_new(o, "every_ms", def->every_ms != 0 ?
	    json_integer((json_int_t)def->every_ms) : json_null());
	json_object_set_new(o, "cron", jobdef_json_str(def->cron));
	json_object_set_new(o, "at", jobdef_json_str(def->at_boot ? "boot" :
	    def->at));
	json_object_set_new(o, "jitter_ms",
	    json_integer((json_int_t)def->jitter_ms));
	json_object_set_new(o, "max_runs", def->max_runs != 0 ?
	    json_integer(def->max_runs) : json_null());
	json_object_set_new(o, "auto_remove", json_boolean(def->auto_remove));
	json_object_set_new(o, "catch_up", json_boolean(def->catch_up));
	json_object_set_new(o, "start_deadline_ms",
	    def->start_deadline_ms != 0 ?
	    json_integer((json_int_t)def->start_deadline_ms) : json_null());
	json_object_set_new(o, "timeout_ms", jobdef_json_ms(def->timeout_ms,
	    s != NULL ? s->default_timeout_ms : 0, s));
	json_object_set_new(o, "kill_signal",
	    json_string(signal_name(def->kill_signal)));
	json_object_set_new(o, "kill_grace_ms",
	    jobdef_json_ms(def->kill_grace_ms,
	    s != NULL ? s->kill_grace_ms : 0, s));
	json_object_set_new(o, "concurrency", json_integer(def->concurrency));
	json_object_set_new(o, "on_overlap", json_string(
	    def->on_overlap == OVERLAP_SKIP ? "skip" :
	    def->on_overlap == OVERLAP_REPLACE ? "replace" : "queue"));
	json_object_set_new(o, "on_leftovers", json_string(
	    def->on_leftovers == LEFTOVERS_WAIT ? "wait" : "kill"));
	if (def->queue_limit >= 0)
		json_object_set_new(o, "queue_limit",
		    json_integer(def->queue_limit));
	else if (s != NULL)
		json_object_set_new(o, "queue_limit",
		    json_integer(s->queue_limit));
	else
		json_object_set_new(o, "queue_limit", json_null());
	json_object_set_new(o, "priority", json_integer(def->priority));
	json_object_set_new(o, "retries", json_integer(def->retries));
	json_object_set_new(o, "retry_delay_ms",
	    json_integer((json_int_t)def->retry_delay_ms));
	json_object_set_new(o, "ban_after_failures",
	    json_integer(def->ban_after_failures));
	if (def->history >= 0 || s != NULL)
		json_object_set_new(o, "history", json_integer(def->history >=
		    0 ? def->history : (json_int_t)s->history));
	else
		json_object_set_new(o, "history", json_null());
	json_object_set_new(o, "on_failure", jobdef_json_list(
	    def->on_failure == NULL && s != NULL ? s->on_failure :
	    def->on_failure));
	json_object_set_new(o, "on_success", jobdef_json_list(def->on_success));
	json_object_set_new(o, "user", jobdef_json_str(def->user));
	json_object_set_new(o, "group", jobdef_json_str(def->group));
	json_object_set_new(o, "workdir", jobdef_json_str(def->workdir));
	env = json_object();
	for (i = 0; i < def->nenv; i++) {
		if ((eq = strchr(def->env[i], '=')) == NULL)
			continue;
		json_object_setn_new(env, def->env[i],
		    (size_t)(eq - def->env[i]), json_string(eq + 1));
	}
	json_object_set_new(o, "env", env);
	if (def->umask >= 0) {
		snprintf(buf, sizeof buf, "%04o", (unsigned)def->umask);
		json_object_set_new(o, "umask", json_string(buf));
	} else
		json_object_set_new(o, "umask", json_null());
	json_object_set_new(o, "nice", def->nice_set ?
	    json_integer(def->nice) : json_null());
	lim = json_object();
	for (k = 0; k < JOBLIM_MAX; k++) {
		if (!def->limits[k].set)
			json_object_set_new(lim, joblimit_names[k],
			    json_null());
		else if (def->limits[k].value == RLIM_INFINITY)
			json_object_set_new(lim, joblimit_names[k],
			    json_string("unlimited"));
		else
			json_object_set_new(lim, joblimit_names[k],
			    json_integer((json_int_t)def->limits[k].value));
	}
	json_object_set_new(o, "limits", lim);
	for (k = 0; k < CGLIM_NKINDS; k++)
		json_object_set_new(o, cglimit_names[k], cglimit_to_json(k,
		    cglimit_effective(def, s, k)));
	if (def->timezone != NULL || s == NULL)
		json_object_set_new(o, "timezone",
		    jobdef_json_str(def->timezone));
	else
		json_object_set_new(o, "timezone",
		    jobdef_json_str(s->timezone));
	json_object_set_new(o, "enabled", json_boolean(def->enabled));
	return (o);
}

/* Take a reference. */
struct jobdef *
jobdef_ref(struct jobdef *def)
{
	def->refs++;
	return (def);
}

/* Drop a reference; the last one frees. */
void
jobdef_unref(struct jobdef *def)
{
	if (def != NULL && --def->refs <= 0)
		jobdef_free(def);
}

/* Compare two strings that may be NULL. */
static int
jobdef_str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Compare two NULL-terminated string lists that may be NULL. */
static int
jobdef_list_equal(char *const *a, char *const *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	for (; *a != NULL && *b != NULL; a++, b++) {
		if (strcmp(*a, *b) != 0)
			return (0);
	}
	return (*a == NULL && *b == NULL);
}

/* Do two definitions mean the same job (where they came from aside)? */
int
jobdef_equal(const struct jobdef *a, const struct jobdef *b)
{
	int	 k;

	if (!jobdef_str_equal(a->name, b->name) ||
	    !jobdef_list_equal(a->argv, b->argv) || a->shell != b->shell ||
	    !jobdef_str_equal(a->description, b->description) ||
	    a->ntags != b->ntags || !jobdef_list_equal(a->tags, b->tags))
		return (0);
	if (a->every_ms != b->every_ms || !jobdef_str_equal(a->cron, b->cron) ||
	    !jobdef_str_equal(a->at, b->at) || a->jitter_ms != b->jitter_ms ||
	    a->max_runs != b->max_runs || a->auto_remove != b->auto_remove ||
	    a->catch_up != b->catch_up || a->at_boot != b->at_boot ||
	    a->start_deadline_ms != b->start_deadline_ms)
		return (0);
	if (a->timeout_ms != b->timeout_ms ||
	    a->kill_signal != b->kill_signal ||
	    a->kill_grace_ms != b->kill_grace_ms ||
	    a->concurrency != b->concurrency ||
	    a->on_overlap != b->on_overlap ||
	    a->on_leftovers != b->on_leftovers ||
	    a->queue_limit != b->queue_limit || a->priority != b->priority ||
	    a->retries != b->retries ||
	    a->retry_delay_ms != b->retry_delay_ms ||
	    a->ban_after_failures != b->ban_after_failures ||
	    a->history != b->history ||
	    !jobdef_list_equal(a->on_failure, b->on_failure) ||
	    !jobdef_list_equal(a->on_success, b->on_success))
		return (0);
	if (!jobdef_str_equal(a->user, b->user) ||
	    !jobdef_str_equal(a->group, b->group) ||
	    !jobdef_str_equal(a->workdir, b->workdir) || a->nenv != b->nenv ||
	    !jobdef_list_equal(a->env, b->env) || a->umask != b->umask ||
	    a->nice_set != b->nice_set || (a->nice_set && a->nice != b->nice) ||
	    !jobdef_str_equal(a->timezone, b->timezone) ||
	    a->enabled != b->enabled)
		return (0);
	for (k = 0; k < JOBLIM_MAX; k++) {
		if (a->limits[k].set != b->limits[k].set ||
		    (a->limits[k].set &&
		    a->limits[k].value != b->limits[k].value))
			return (0);
	}
	/* Where a limit was written does not matter, only its value. */
	for (k = 0; k < CGLIM_NKINDS; k++) {
		if (a->cglimits[k].set != b->cglimits[k].set ||
		    (a->cglimits[k].set &&
		    a->cglimits[k].value != b->cglimits[k].value))
			return (0);
	}
	return (1);
}

/* Does the job run by itself, or only on demand? */
int
jobdef_has_schedule(const struct jobdef *def)
{
	return (def->every_ms != 0 || def->cron != NULL || def->at != NULL ||
	    def->at_boot);
}

/* The schedule in words ("every 5m", "cron 30 2 * * *"), or NULL. */
char *
jobdef_schedule_string(const struct jobdef *def)
{
	char	*s, *every = NULL;

	if (def->every_ms != 0)
		every = format_duration(def->every_ms);
	if (def->at != NULL && every != NULL)
		xasprintf(&s, "at %s every %s", def->at, every);
	else if (def->at != NULL)
		xasprintf(&s, "at %s", def->at);
	else if (every != NULL)
		xasprintf(&s, "every %s", every);
	else if (def->cron != NULL)
		xasprintf(&s, "cron %s", def->cron);
	else if (def->at_boot)
		s = xstrdup("at boot");
	else
		s = NULL;
	free(every);
	return (s);
}

/* The rlimit resource of a "limits" key. */
int
joblimit_resource(enum joblimit_kind kind)
{
	static const int	 rlim[JOBLIM_MAX] = { RLIMIT_CPU, RLIMIT_AS,
				     RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE,
				     RLIMIT_FSIZE };

	return (rlim[kind]);
}

/* Shared by every definition that has no tags, env or limits. */
static char			*jobdef_nolist[1];
static const struct joblimit	 jobdef_nolimits[JOBLIM_MAX];
static const struct cglimit	 jobdef_nocglimits[CGLIM_NKINDS];

/* A job with every key at its default. */
struct jobdef *
jobdef_new(const char *name)
{
	struct jobdef	*def;

	def = xcalloc(1, sizeof *def);
	def->refs = 1;
	def->name = xstrdup(name);
	def->tags = jobdef_nolist;
	def->env = jobdef_nolist;
	def->on_success = jobdef_nolist;
	def->limits = jobdef_nolimits;
	def->cglimits = jobdef_nocglimits;
	def->timeout_ms = -1;
	def->kill_signal = SIGTERM;
	def->kill_grace_ms = -1;
	def->concurrency = 1;
	def->on_overlap = OVERLAP_QUEUE;
	def->queue_limit = -1;
	def->history = -1;
	def->umask = -1;
	def->enabled = 1;
	return (def);
}

/* Append an interned string to a definition's list (tags, env). */
void
jobdef_list_add(char ***list, uint32_t *n, char *s)
{
	if (*list == jobdef_nolist)
		*list = NULL;
	*list = xreallocarray(*list, (size_t)*n + 2, sizeof **list);
	(*list)[(*n)++] = s;
	(*list)[*n] = NULL;
}

/* Mark a list that may be unset (NULL: on_failure) as set, empty. */
void
jobdef_list_init(char ***list)
{
	if (*list == NULL)
		*list = jobdef_nolist;
}

/* The limits of a definition being built, to write. */
struct joblimit *
jobdef_limits_w(struct jobdef *def)
{
	if (def->limits == jobdef_nolimits)
		def->limits = xcalloc(JOBLIM_MAX, sizeof *def->limits);
	return ((struct joblimit *)def->limits);
}

/* The cgroup limits of a definition being built, to write. */
struct cglimit *
jobdef_cglimits_w(struct jobdef *def)
{
	if (def->cglimits == jobdef_nocglimits)
		def->cglimits = xcalloc(CGLIM_NKINDS, sizeof *def->cglimits);
	return ((struct cglimit *)def->cglimits);
}

/* Drop an interned list and the strings in it. */
void
jobdef_list_free(char **list)
{
	char	**pp;

	if (list == NULL || list == jobdef_nolist)
		return;
	for (pp = list; *pp != NULL; pp++)
		intern_put(*pp);
	free(list);
}

/* Add an integer to a digest, whatever its type. */
static void
jobdef_digest_int(struct hmap_digest *d, int64_t v)
{
	hmap_digest_u64(d, (uint64_t)v);
}

/*
 * Add a string that may be NULL, told apart from "": its length (-1 for
 * NULL), its bytes, zeros to a whole number of words.
 */
static void
jobdef_digest_str(struct hmap_digest *d, const char *s)
{
	static const char	 zeros[8];
	size_t			 len = s == NULL ? 0 : strlen(s);

	jobdef_digest_int(d, s == NULL ? -1 : (int64_t)len);
	if (s == NULL)
		return;
	hmap_digest_add(d, s, len);
	if (len % 8 != 0)
		hmap_digest_add(d, zeros, 8 - len % 8);
}

/* Add a NULL-terminated list (maybe NULL). */
static void
jobdef_digest_list(struct hmap_digest *d, char *const *list)
{
	int64_t	 n = 0;

	if (list == NULL) {
		jobdef_digest_int(d, -1);
		return;
	}
	while (list[n] != NULL)
		n++;
	jobdef_digest_int(d, n);
	for (; *list != NULL; list++)
		jobdef_digest_str(d, *list);
}

/*
 * Finish a definition that has been built: unused limit tables go back
 * to the shared one and the digest is computed over a canonical encoding
 * of every field that jobdef_equal compares.
 */
void
jobdef_finish(struct jobdef *def)
{
	struct hmap_digest	 d;
	int			 k, any;

	for (k = 0, any = 0; k < JOBLIM_MAX; k++)
		any |= def->limits[k].set;
	if (!any && def->limits != jobdef_nolimits) {
		free((void *)def->limits);
		def->limits = jobdef_nolimits;
	}
	for (k = 0, any = 0; k < CGLIM_NKINDS; k++)
		any |= def->cglimits[k].set;
	if (!any && def->cglimits != jobdef_nocglimits) {
		free((void *)def->cglimits);
		def->cglimits = jobdef_nocglimits;
	}

	hmap_digest_init(&d);
	jobdef_digest_str(&d, def->name);
	jobdef_digest_list(&d, def->argv);
	jobdef_digest_int(&d, def->shell);
	jobdef_digest_str(&d, def->description);
	jobdef_digest_list(&d, def->tags);
	jobdef_digest_int(&d, (int64_t)def->every_ms);
	jobdef_digest_str(&d, def->cron);
	jobdef_digest_str(&d, def->at);
	jobdef_digest_int(&d, (int64_t)def->jitter_ms);
	jobdef_digest_int(&d, def->max_runs);
	jobdef_digest_int(&d, def->auto_remove);
	jobdef_digest_int(&d, def->catch_up);
	jobdef_digest_int(&d, def->at_boot);
	jobdef_digest_int(&d, (int64_t)def->start_deadline_ms);
	jobdef_digest_int(&d, def->timeout_ms);
	jobdef_digest_int(&d, def->kill_signal);
	jobdef_digest_int(&d, def->kill_grace_ms);
	jobdef_digest_int(&d, def->concurrency);
	jobdef_digest_int(&d, def->on_overlap);
	jobdef_digest_int(&d, def->on_leftovers);
	jobdef_digest_int(&d, def->queue_limit);
	jobdef_digest_int(&d, def->priority);
	jobdef_digest_int(&d, def->retries);
	jobdef_digest_int(&d, (int64_t)def->retry_delay_ms);
	jobdef_digest_int(&d, def->ban_after_failures);
	jobdef_digest_int(&d, def->history);
	jobdef_digest_list(&d, def->on_failure);
	jobdef_digest_list(&d, def->on_success);
	jobdef_digest_str(&d, def->user);
	jobdef_digest_str(&d, def->group);
	jobdef_digest_str(&d, def->workdir);
	jobdef_digest_list(&d, def->env);
	jobdef_digest_int(&d, def->umask);
	jobdef_digest_int(&d, def->nice_set);
	jobdef_digest_int(&d, def->nice_set ? def->nice : 0);
	jobdef_digest_str(&d, def->timezone);
	jobdef_digest_int(&d, def->enabled);
	/* Tables with nothing set are the shared ones (see above). */
	jobdef_digest_int(&d, def->limits != jobdef_nolimits);
	for (k = 0; def->limits != jobdef_nolimits && k < JOBLIM_MAX; k++) {
		jobdef_digest_int(&d, def->limits[k].set);
		jobdef_digest_int(&d, def->limits[k].set ?
		    (int64_t)def->limits[k].value : 0);
	}
	/* Where a limit was written does not matter, only its value. */
	jobdef_digest_int(&d, def->cglimits != jobdef_nocglimits);
	for (k = 0; def->cglimits != jobdef_nocglimits && k < CGLIM_NKINDS;
	    k++) {
		jobdef_digest_int(&d, def->cglimits[k].set);
		jobdef_digest_int(&d, def->cglimits[k].set ?
		    (int64_t)def->cglimits[k].value : 0);
	}
	hmap_digest_final(&d, def->digest);
}

/*
 * Do two finished definitions mean the same job?  By their digests: what
 * reload uses to leave an unchanged job alone without comparing it.
 */
int
jobdef_same(const struct jobdef *a, const struct jobdef *b)
{
	return (a == b || (a->digest[0] == b->digest[0] &&
	    a->digest[1] == b->digest[1]));
}

/* Free a definition regardless of its count. */
void
jobdef_free(struct jobdef *def)
{
	if (def == NULL)
		return;
	free(def->name);
	jobdef_list_free(def->argv);
	intern_put(def->description);
	jobdef_list_free(def->tags);
	intern_put(def->cron);
	intern_put(def->at);
	intern_put(def->user);
	intern_put(def->group);
	intern_put(def->workdir);
	jobdef_list_free(def->env);
	jobdef_list_free(def->on_failure);
	jobdef_list_free(def->on_success);
	intern_put(def->timezone);
	intern_put(def->file);
	if (def->limits != jobdef_nolimits)
		free((void *)def->limits);
	if (def->cglimits != jobdef_nocglimits)
		free((void *)def->cglimits);
	free(def);
}
