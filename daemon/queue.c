/*
 * Queueing (spec section 3): a FIFO per job limited by the job's
 * concurrency, a global max_running, and when a slot frees the waiting
 * task with the highest priority starts first, ties in queue order.
 *
 * Only the head of a job's queue can start, so the choice is among the
 * heads of the jobs that may start one more task ("ready": something
 * queued and below their concurrency).  Those are kept in a heap ordered
 * by their head's priority, then queue order, so picking is O(1) and
 * every change O(log ready jobs).
 */
#include <stdio.h>
#include <stdlib.h>

#include "heap.h"
#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "xmalloc.h"

#define QUEUE_BATCH	16	/* tasks started per turn of the loop */

static struct heap	 queue_heap;

static int	 queue_before(const void *, const void *);
static size_t	*queue_index(void *);

/* Does a's head go before b's: higher priority, then queued first? */
static int
queue_before(const void *a, const void *b)
{
	const struct job	*ja = a, *jb = b;
	const struct task	*ta = TAILQ_FIRST(&ja->queue);
	const struct task	*tb = TAILQ_FIRST(&jb->queue);

	if (ta->def->priority != tb->def->priority)
		return (ta->def->priority > tb->def->priority);
	return (ta->seq < tb->seq);
}

static size_t *
queue_index(void *j)
{
	return (&((struct job *)j)->qidx);
}

/*
 * A job's queue, running count or definition changed: put it in the
 * ready heap, move it, or take it out.
 */
void
queue_update(struct job *j)
{
	if (queue_heap.before == NULL)
		heap_init(&queue_heap, queue_before, queue_index);
	heap_remove(&queue_heap, j);
	if (j->nqueued > 0 && j->nrunning < job_concurrency(j))
		heap_push(&queue_heap, j);
}
/*
 * May one more task be queued for this job?  PROTO_OK, or
 * PROTO_QUEUE_FULL with a caller-freed cause.
 */
enum proto_error
queue_check(const struct job *j, char **cause)
{
	if (j->nqueued >= job_queue_limit(j)) {
		xasprintf(cause, "job \"%s\" has %u tasks queued (queue_limit)",
		    j->name, j->nqueued);
		return (PROTO_QUEUE_FULL);
	}
	if (sd.nqueued >= sd.settings.max_queued) {
		xasprintf(cause, "%u tasks queued in all (max_queued)",
		    sd.nqueued);
		return (PROTO_QUEUE_FULL);
	}
	return (PROTO_OK);
}

/* Queue a new task at the tail of its job's queue. */
struct task *
queue_push(struct job *j, enum task_trigger trigger, uid_t uid)
{
	struct task	*t;

	t = task_new(j, trigger, uid);
	t->seq = t->id;		/* ids are handed out in queue order */
	TAILQ_INSERT_TAIL(&j->queue, t, entry);
	j->nqueued++;
	sd.nqueued++;
	if (j->nqueued == 1)
		queue_update(j);
	state_task(t);
	notify_status();
	event_emit(EV_TASK_QUEUED, json_pack("{s:I,s:s,s:s}", "task",
	    (json_int_t)t->id, "job", j->name, "trigger",
	    task_trigger_name(trigger)));
	return (t);
}

/* Take a queued task off its job's queue. */
void
queue_remove(struct task *t)
{
	struct job	*j = t->job;

	TAILQ_REMOVE(&j->queue, t, entry);
	j->nqueued--;
	sd.nqueued--;
	queue_update(j);
}

/*
 * The task that should start next, or NULL: none waiting, no global slot,
 * or every waiting job at its concurrency limit.
 */
struct task *
queue_pick(void)
{
	struct job	*j;

	if (sd.nrunning >= sd.settings.max_running ||
	    (j = heap_top(&queue_heap)) == NULL)
		return (NULL);
	return (TAILQ_FIRST(&j->queue));
}
static struct event	*queue_ev;

static void
queue_dispatch_cb(evutil_socket_t fd, short events, void *arg)
{
	queue_dispatch();
}

/*
 * Dispatch at the loop's next turn: a burst of firings is queued first,
 * at once, and started after.
 */
void
queue_dispatch_soon(void)
{
	if (sd.base == NULL)
		return;
	if (queue_ev == NULL)
		queue_ev = event_new(sd.base, -1, 0, queue_dispatch_cb, NULL);
	if (!event_pending(queue_ev, EV_TIMEOUT, NULL))
		event_active(queue_ev, EV_TIMEOUT, 0);
}

void
queue_free(void)
{
	heap_clear(&queue_heap);
	if (queue_ev != NULL)
		event_free(queue_ev);
	queue_ev = NULL;
}

/* Start tasks while there are slots and eligible tasks. */
void
queue_dispatch(void)
{
	static int	 dispatching;
	struct task	*t;

	int		 n = 0;

	/* A task that fails to start ends inside task_start: no recursion. */
	if (sd.shutting_down || dispatching)
		return;
	dispatching = 1;
	while ((t = queue_pick()) != NULL) {
		/*
		 * Start a bounded batch per turn of the loop, so a long queue
		 * does not hold up timers and clients; the rest next turn.
		 */
		if (n++ == QUEUE_BATCH) {
			queue_dispatch_soon();
			break;
		}
		queue_remove(t);
		task_start(t);
	}
	dispatching = 0;
}
