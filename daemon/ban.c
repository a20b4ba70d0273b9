/* SPDX-License-Identifier: ISC */
/*
 * The ban list: job names or fnmatch patterns with a reason, a time and
 * the banning uid.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

/* The first ban entry matching a job name, or NULL. */
struct ban *
ban_match(const char *name)
{
	struct ban	*b;

	TAILQ_FOREACH(b, &sd.bans, entry) {
		if (strcmp(b->name, name) == 0 ||
		    fnmatch(b->name, name, 0) == 0)
			return (b);
	}
	return (NULL);
}

/* The entry with exactly this name or pattern, or NULL. */
struct ban *
ban_find(const char *name)
{
	struct ban	*b;

	TAILQ_FOREACH(b, &sd.bans, entry) {
		if (strcmp(b->name, name) == 0)
			return (b);
	}
	return (NULL);
}

/*
 * Fill b with an entry as of now, pointing at name and reason (not
 * copied): what ban_set takes, and what a proposed change is.
 */
void
ban_propose(struct ban *b, const char *name, const char *reason, uid_t by,
    int automatic)
{
	memset(b, 0, sizeof *b);
	b->name = (char *)name;
	b->reason = (char *)reason;
	time_now(&b->since);
	b->by = by;
	b->automatic = automatic;
}

/* Add an entry, or update the reason of an existing one, as of now. */
struct ban *
ban_add(const char *name, const char *reason, uid_t by, int automatic)
{
	struct ban	 proposed;

	ban_propose(&proposed, name, reason, by, automatic);
	return (ban_set(&proposed));
}

/*
 * Make the list hold an entry as proposed (its strings are copied): a new
 * one at the end, or the one of that name updated.
 */
struct ban *
ban_set(const struct ban *proposed)
{
	struct ban	*b;

	if ((b = ban_find(proposed->name)) == NULL) {
		b = xcalloc(1, sizeof *b);
		b->name = xstrdup(proposed->name);
		TAILQ_INSERT_TAIL(&sd.bans, b, entry);
		sd.nbans++;
	}
	free(b->reason);
	b->reason = proposed->reason != NULL ? xstrdup(proposed->reason) :
	    NULL;
	b->since = proposed->since;
	b->by = proposed->by;
	b->automatic = proposed->automatic;
	return (b);
}

void
ban_remove(struct ban *b)
{
	TAILQ_REMOVE(&sd.bans, b, entry);
	sd.nbans--;
	free(b->name);
	free(b->reason);
	free(b);
}

/* {"name", "reason", "since", "by", "auto"} */
json_t *
ban_json(const struct ban *b)
{
	return (json_pack("{s:s,s:s?,s:o,s:I,s:b}", "name", b->name,
	    "reason", b->reason, "since", sjson_time(&b->since), "by",
	    (json_int_t)b->by, "auto", b->automatic));
}

/*
 * Enforce a new ban entry: cancel the queued tasks of every matching job
 * and, with stop, stop its running ones.  Ids go to the arrays if given.
 */
void
ban_enforce(const struct ban *b, int stop, json_t *cancelled, json_t *stopped)
{
	struct job	*j;
	struct task	*t, *next;

	TAILQ_FOREACH(j, &sd.jobs, entry) {
		if (strcmp(b->name, j->name) != 0 &&
		    fnmatch(b->name, j->name, 0) != 0)
			continue;
		while ((t = TAILQ_FIRST(&j->queue)) != NULL) {
			if (cancelled != NULL)
				json_array_append_new(cancelled,
				    sjson_uint(t->id));
			task_cancel(t, NULL);
		}
		if (!stop)
			continue;
		TAILQ_FOREACH_SAFE(t, &j->running, entry, next) {
			if (task_stop(t, 0, STOP_USER) == 0 && stopped != NULL)
				json_array_append_new(stopped,
				    sjson_uint(t->id));
		}
	}
}
