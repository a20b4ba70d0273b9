/* SPDX-License-Identifier: ISC */
/*
 * Queueing (schedd.8 DESCRIPTION): a FIFO per job limited by the job's
 * concurrency, a global max_running, and when a slot frees the waiting
 * task with the highest priority starts first, ties in queue order.
 *
 * Only the head of a job's queue can start, so the choice is among the
 * heads of the jobs that may start one more task ("ready": something
 * queued and below their concurrency).  Those are kept in a heap ordered
 * by their head's priority, then queue order, so picking is O(1) and
 * every change O(log ready jobs).
 *
 * A task waiting for other tasks (dep.c) is on its job's queue but not
 * on its ready queue: it holds no slot and other tasks of its job pass
 * it.  When its dependencies have succeeded it joins the ready queue in
 * the order it was queued, ahead of tasks queued after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#define QUEUE_BATCH	16	/* tasks started per turn of the loop */

/*
 * Insert task t in list head (through field) in id order, looking from
 * the tail: a new task goes last at once, a released one passes the
 * tasks of its job queued after it (at most its queue_limit).
 */
#define QUEUE_INSERT(head, t, field) do {				\
	struct task	*o_;						\
									\
	for (o_ = TAILQ_LAST(head, task_list);				\
	    o_ != NULL && o_->id > (t)->id;				\
	    o_ = TAILQ_PREV(o_, task_list, field))			\
		;							\
	if (o_ == NULL)							\
		TAILQ_INSERT_HEAD(head, t, field);			\
	else								\
		TAILQ_INSERT_AFTER(head, o_, t, field);			\
} while (0)

static struct heap	 queue_heap;

static int	 queue_before(const void *, const void *);
static size_t	*queue_index(void *);
static int	 queue_too_late(struct task *);
static void	 queue_ready(struct task *);

/* Does a's head go before b's: higher priority, then queued first? */
static int
queue_before(const void *a, const void *b)
{
	const struct job	*ja = a, *jb = b;

	if (ja->def->priority != jb->def->priority)
		return (ja->def->priority > jb->def->priority);
	return (TAILQ_FIRST(&ja->ready)->seq < TAILQ_FIRST(&jb->ready)->seq);
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
	if (j->nready > 0 && j->nrunning < job_concurrency(j))
		heap_push(&queue_heap, j);
}

/*
 * Put a queued task on its job's queue in id order (the order tasks were
 * queued in): at the tail for a new one, further up for one read back
 * from disk or put back.
 */
void
queue_link(struct task *t)
{
	struct job	*j = t->job;

	t->seq = t->id;		/* ids are handed out in queue order */
	QUEUE_INSERT(&j->queue, t, entry);
	j->nqueued++;
	sd.nqueued++;
	usage_queued(t->uid, 1);
	if (t->nwait == 0)
		queue_ready(t);
}

/* Put a queued task that waits for nothing on its job's ready queue. */
static void
queue_ready(struct task *t)
{
	struct job	*j = t->job;

	QUEUE_INSERT(&j->ready, t, qentry);
	j->nready++;
	queue_update(j);
}

/* A waiting task's dependencies have all succeeded: it may start. */
void
queue_release(struct task *t)
{
	queue_ready(t);
	queue_dispatch_soon();
}

/*
 * Queue a new task at the tail of its job's queue; admit_task said it
 * may be.
 */
struct task *
queue_push(struct job *j, enum task_trigger trigger, uid_t uid)
{
	return (queue_push_params(j, trigger, uid, NULL));
}

/* The same with arguments and variables (p, or NULL), now the task's. */
struct task *
queue_push_params(struct job *j, enum task_trigger trigger, uid_t uid,
    struct task_params *p)
{
	struct task	*t;
	char		*why;

	t = task_new(j, trigger, uid);
	if (p != NULL) {
		t->params = *p;
		memset(p, 0, sizeof *p);
	}
	why = dep_attach(t);
	queue_link(t);
	state_task(t);
	notify_status();
	if (sub_wanted(SUB_TASK_QUEUED))
		sub_emit(SUB_TASK_QUEUED, json_pack("{s:I,s:s,s:s}", "task",
		    (json_int_t)t->id, "job", j->name, "trigger",
		    task_trigger_name(trigger)));
	if (why != NULL) {
		/* What it waits for ended while it was being admitted. */
		log_info("task %llu (%s) cancelled: %s",
		    (unsigned long long)t->id, j->name, why);
		task_cancel(t, why);
		free(why);
	}
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
	usage_queued(t->uid, -1);
	if (t->nwait == 0) {
		TAILQ_REMOVE(&j->ready, t, qentry);
		j->nready--;
	} else
		dep_forget(t);
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
	return (TAILQ_FIRST(&j->ready));
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

/*
 * Start tasks while there are slots and eligible tasks, a bounded batch
 * per turn of the loop so a long queue does not hold up timers and
 * clients (the rest go next turn).
 *
 * No task ever runs twice, even after a crash: the batch is marked
 * running and those records are written to the journal with one write(2)
 * before any of its processes exists, so a restart finds them running
 * (then lost), never queued.  While the state cannot be written nothing
 * starts; queued tasks wait until it can.
 */
void
queue_dispatch(void)
{
	static int	 dispatching;
	struct task	*batch[QUEUE_BATCH], *t;
	size_t		 n = 0, i;

	/* A task that fails to start ends inside task_spawn: no recursion. */
	if (sd.shutting_down || dispatching || !sd.state_ok)
		return;
	dispatching = 1;
	while (n < QUEUE_BATCH && (t = queue_pick()) != NULL) {
		if (!job_owned_by(t->job, &t->owner)) {
			task_cancel(t, "job replaced by another owner");
			continue;
		}
		if (queue_too_late(t))
			continue;
		queue_remove(t);
		task_begin(t);
		batch[n++] = t;
	}
	if (n > 0 && state_write_now() != 0) {
		/* Not recorded: back to their queues, in order. */
		for (i = n; i-- > 0;)
			task_unbegin(batch[i]);
		dispatching = 0;
		return;
	}
	task_prep_batch();
	for (i = 0; i < n; i++) {
		task_spawn(batch[i]);
		/* A spawn takes a while: timers due meanwhile go first. */
		sched_poll();
	}
	dispatching = 0;
	if (queue_pick() != NULL)
		queue_dispatch_soon();
}

/*
 * A scheduled firing that could not start within its job's start_deadline
 * (schedd.yaml.5) is skipped: cancelled and counted missed.  Its due time
 * is when it was queued; a catch-up's downtime is judged by the schedule.
 */
static int
queue_too_late(struct task *t)
{
	struct job	*j = t->job;
	struct timespec	 now;
	uint64_t	 limit = j->def->start_deadline_ms;
	int64_t		 late;
	char		*why;

	if (limit == 0 || (t->trigger != TRIGGER_SCHEDULE &&
	    t->trigger != TRIGGER_CATCH_UP))
		return (0);
	time_now(&now);
	late = ((int64_t)now.tv_sec - t->queued_at.tv_sec) * 1000 +
	    (now.tv_nsec - t->queued_at.tv_nsec) / 1000000;
	if (late <= (int64_t)limit)
		return (0);
	xasprintf(&why, "not started within start_deadline (%llums) of its "
	    "due time", (unsigned long long)limit);
	log_info("task %llu (%s) skipped: %s", (unsigned long long)t->id,
	    j->name, why);
	j->counters.missed++;
	task_cancel(t, why);
	free(why);
	return (1);
}
