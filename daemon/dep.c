/* SPDX-License-Identifier: ISC */
/*
 * Dependencies between tasks (schedd.8 "run", protocol "after"): a task
 * queued after other tasks waits until they have all succeeded, and is
 * cancelled when one of them ends otherwise.
 *
 * Each task waited for has a head in an index by its id, listing the
 * links of its waiters, so a task's end finds its waiters at once and a
 * waiter leaves every list it is on at once (one link per dependency,
 * allocated with it).  Waiters cancelled in turn are resolved from a
 * list, not by recursion, so a long chain does not use the stack.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schedd.h"
#include "xmalloc.h"

#define DEP_MAX		64	/* dependencies of one task */

struct dep_head;
struct dep_link {
	struct task		*task;	/* the waiter */
	struct dep_head		*head;	/* NULL once resolved */
	LIST_ENTRY(dep_link)	 entry;
};
struct dep_head {
	uint64_t		 id;	/* the task waited for */
	enum task_state		 state;	/* how it ended, once it has */
	LIST_HEAD(, dep_link)	 links;
};

static struct hmap	 dep_index;	/* id -> struct dep_head */
static struct dep_head	**dep_pending;	/* ended, waiters to resolve */
static size_t		 dep_npending;
static size_t		 dep_pending_cap;
static int		 dep_resolving;

static char	*dep_why(uint64_t, int);
static int	 dep_visible(const struct task *, uid_t, int);
static void	 dep_resolve(struct dep_head *);
static int	 dep_cmp(const void *, const void *);

/* Why a task can never run after task id, which ended so (-1: unknown). */
static char *
dep_why(uint64_t id, int state)
{
	char	*why;

	if (state == TASK_FAILED)
		xasprintf(&why, "dependency %llu failed",
		    (unsigned long long)id);
	else if (state == TASK_TIMEOUT)
		xasprintf(&why, "dependency %llu timed out",
		    (unsigned long long)id);
	else
		xasprintf(&why, "dependency %llu %s", (unsigned long long)id,
		    state == -1 ? "is unknown" : state == TASK_LOST ?
		    "was lost" : state == TASK_STOPPED ? "was stopped" :
		    "was cancelled");
	return (why);
}

/* May uid name task t: its own, or a task of its own job? */
static int
dep_visible(const struct task *t, uid_t uid, int admin)
{
	if (auth_may_task(uid, admin, t))
		return (1);
	return (t->owner.origin == ORIGIN_RUNTIME && t->owner.uid == uid);
}

/*
 * Check a request's "after" list and put its ids (each once) in p: the
 * tasks must exist, be visible to uid, and not have ended unsuccessfully.
 */
enum proto_error
dep_check(json_t *after, uid_t uid, int admin, struct task_params *p,
    char **cause)
{
	struct task		*t;
	json_t			*v;
	uint64_t		*ids, id;
	size_t			 i, k, n = 0;
	enum proto_error	 e = PROTO_BAD_REQUEST;

	if (json_array_size(after) > DEP_MAX) {
		xasprintf(cause, "after: at most %d tasks", DEP_MAX);
		return (PROTO_BAD_REQUEST);
	}
	ids = xreallocarray(NULL, json_array_size(after) + 1, sizeof *ids);
	json_array_foreach(after, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			xasprintf(cause, "after[%zu]: expected a task id", i);
			goto fail;
		}
		id = (uint64_t)json_integer_value(v);
		if ((t = task_find(id)) == NULL) {
			xasprintf(cause, "no task %llu",
			    (unsigned long long)id);
			e = PROTO_NOT_FOUND;
			goto fail;
		}
		if (!dep_visible(t, uid, admin)) {
			xasprintf(cause, "task %llu belongs to uid %u",
			    (unsigned long long)id, (unsigned)t->uid);
			e = PROTO_PERMISSION_DENIED;
			goto fail;
		}
		if (TASK_ENDED(t->state) && t->state != TASK_SUCCEEDED) {
			xasprintf(cause, "task %llu ended %s",
			    (unsigned long long)id, task_state_name(t->state));
			goto fail;
		}
		for (k = 0; k < n && ids[k] != id; k++)
			;
		if (k == n)
			ids[n++] = id;
	}
	if (n == 0) {
		free(ids);
		return (PROTO_OK);
	}
	p->after = ids;
	p->nafter = n;
	return (PROTO_OK);
fail:
	free(ids);
	return (e);
}

/*
 * Link a queued task (not on its queue yet) to the tasks it waits for
 * and count those.  NULL, or why it can never run: then it waits for
 * nothing but is not ready, and the caller cancels it.
 */
char *
dep_attach(struct task *t)
{
	struct dep_head	*h;
	struct dep_link	*l;
	struct task	*d;
	size_t		 i;

	t->nwait = 0;
	for (i = 0; i < t->params.nafter; i++) {
		d = task_find(t->params.after[i]);
		if (d == NULL || (TASK_ENDED(d->state) &&
		    d->state != TASK_SUCCEEDED)) {
			t->nwait = 1;
			return (dep_why(t->params.after[i],
			    d != NULL ? (int)d->state : -1));
		}
	}
	for (i = 0; i < t->params.nafter; i++) {
		d = task_find(t->params.after[i]);
		if (d->state == TASK_SUCCEEDED)
			continue;
		if (t->links == NULL)
			t->links = xcalloc(t->params.nafter, sizeof *t->links);
		if (dep_index.buckets == NULL)
			hmap_init(&dep_index);
		if ((h = hmap_iget(&dep_index, d->id)) == NULL) {
			h = xcalloc(1, sizeof *h);
			h->id = d->id;
			LIST_INIT(&h->links);
			hmap_iput(&dep_index, h->id, h);
		}
		l = &t->links[i];
		l->task = t;
		l->head = h;
		LIST_INSERT_HEAD(&h->links, l, entry);
		t->nwait++;
	}
	return (NULL);
}

/* A task leaves the lists of what it waited for (cancelled, freed). */
void
dep_forget(struct task *t)
{
	size_t	 i;

	if (t->links == NULL)
		return;
	for (i = 0; i < t->params.nafter; i++) {
		if (t->links[i].head != NULL)
			LIST_REMOVE(&t->links[i], entry);
	}
	free(t->links);
	t->links = NULL;
}

/* A task ended: resolve its waiters, and theirs if they are cancelled. */
void
dep_ended(const struct task *t)
{
	struct dep_head	*h;

	if (dep_index.buckets == NULL ||
	    (h = hmap_idel(&dep_index, t->id)) == NULL)
		return;
	h->state = t->state;
	if (dep_npending == dep_pending_cap) {
		dep_pending_cap = dep_pending_cap * 2 + 8;
		dep_pending = xreallocarray(dep_pending, dep_pending_cap,
		    sizeof *dep_pending);
	}
	dep_pending[dep_npending++] = h;
	if (dep_resolving)
		return;
	dep_resolving = 1;
	while (dep_npending > 0)
		dep_resolve(dep_pending[--dep_npending]);
	dep_resolving = 0;
	free(dep_pending);
	dep_pending = NULL;
	dep_pending_cap = 0;
}

/* The waiters of one ended task. */
static void
dep_resolve(struct dep_head *h)
{
	struct dep_link	*l;
	struct task	*w;
	char		*why;

	while ((l = LIST_FIRST(&h->links)) != NULL) {
		LIST_REMOVE(l, entry);
		l->head = NULL;
		w = l->task;
		if (h->state == TASK_SUCCEEDED) {
			if (--w->nwait == 0) {
				dep_forget(w);
				queue_release(w);
			}
			continue;
		}
		why = dep_why(h->id, (int)h->state);
		log_info("task %llu (%s) cancelled: %s",
		    (unsigned long long)w->id, w->job->name, why);
		task_cancel(w, why);
		free(why);
	}
	free(h);
}

/* Task ids in increasing order, for qsort. */
static int
dep_cmp(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * At start, once every task is read and those that were running are
 * lost: link each waiting task again, or cancel it if what it waited
 * for ended otherwise while schedd was down.  In id order, so a task is
 * resolved before the tasks that wait for it.
 */
void
dep_restore(void)
{
	struct job	*j;
	struct task	*t;
	uint64_t	*ids;
	size_t		 n = 0, i;
	char		*why;

	/* Every waiting task is queued, on the queue of a job. */
	ids = xreallocarray(NULL, sd.nqueued + 1, sizeof *ids);
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		TAILQ_FOREACH(t, &j->queue, entry) {
			if (t->nwait != 0 && n < sd.nqueued)
				ids[n++] = t->id;
		}
	}
	if (n > 1)
		qsort(ids, n, sizeof *ids, dep_cmp);
	for (i = 0; i < n; i++) {
		if ((t = task_find(ids[i])) == NULL ||
		    t->state != TASK_QUEUED)
			continue;
		if ((why = dep_attach(t)) != NULL) {
			log_warnx("task %llu (%s) cancelled: %s",
			    (unsigned long long)t->id, t->job->name, why);
			task_cancel(t, why);
			free(why);
		} else if (t->nwait == 0)
			queue_release(t);
	}
	free(ids);
}

/* Free the index at exit, after the tasks (their links are theirs). */
void
dep_free_all(void)
{
	hmap_clear_free(&dep_index, NULL);
}
