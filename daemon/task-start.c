/* SPDX-License-Identifier: ISC */
/*
 * Starting tasks' processes from a helper thread.  spawn_start waits until
 * the child has exec'd (vfork), which on a busy machine can take
 * milliseconds -- the child waits for a CPU like any new process -- and
 * the event loop must not spend them: timers would fire late.  So the
 * loop prepares a start (task_prepare, its cgroup, its output pipe) and
 * hands it to the one helper thread, which only calls spawn_start and
 * reports the pid (or why not) through a pipe the loop watches; the loop
 * then records the start (task_started).  Handing over costs a little,
 * so a start is made in the loop when no firing is due for a while.
 *
 * Meanwhile the task runs without a pid (t->starting).  Its process may
 * even end before the loop hears of the start: the SIGCHLD handler then
 * keeps the exit status (task_start_early) until the start is taken in.
 * Without the thread (it could not be made) starts happen in the loop.
 *
 * A start also waits for the task's "running" record to be in the
 * journal: when the writer thread has it (state-write.c), the start is
 * held until the writer reports it written, and if that write fails the
 * task goes back to its queue (task_unspawn) -- it never runs unrecorded.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hmap.h"
#include "log.h"
#include "schedd.h"
#include "spawn.h"
#include "task-prep.h"
#include "xmalloc.h"

#define START_MARGIN_NS	(50 * 1000000ULL)	/* see task_start */

/* One start handed to the helper thread, and what became of it. */
struct start_req {
	uint64_t		 id;		/* the task */
	uint64_t		 seq;		/* journal bytes to wait for */
	struct task_prep	*prep;		/* owned */
	int			 wfd;		/* output write end, owned */
	pid_t			 pid;		/* 0: not started */
	char			*cause;		/* why not */
	TAILQ_ENTRY(start_req)	 entry;
};
TAILQ_HEAD(start_list, start_req);

/* The exit of a process reaped before its start was taken in. */
struct start_early {
	int			 status;
	struct rusage		 ru;
};

static pthread_t	 start_thread;
static pthread_mutex_t	 start_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 start_cv = PTHREAD_COND_INITIALIZER;
static struct start_list start_todo = TAILQ_HEAD_INITIALIZER(start_todo);
static struct start_list start_done = TAILQ_HEAD_INITIALIZER(start_done);
static struct start_list start_held = TAILQ_HEAD_INITIALIZER(start_held);
static pid_t		 start_current;	/* being started: pid_early */
static int		 start_quit;
static int		 start_tried;
static int		 start_started;
static int		 start_pipe[2] = { -1, -1 };
static struct event	*start_ev;
static size_t		 start_inflight;	/* handed over, not taken in */
static struct hmap	 start_early_map;	/* pid -> struct start_early */
static int		 start_early_init;

static void	*task_start_main(void *);
static void	 task_start_read(evutil_socket_t, short, void *);
static void	 task_start_go(struct start_req *);
static void	 task_start_take(struct start_req *);
static int	 task_start_init(void);
static void	 task_start_early_clear(void);

/* The helper thread: spawn what it is handed, in order. */
static void *
task_start_main(void *arg)
{
	struct start_req	*r;
	char			 c = 0;

	for (;;) {
		pthread_mutex_lock(&start_mtx);
		while (TAILQ_EMPTY(&start_todo) && !start_quit)
			pthread_cond_wait(&start_cv, &start_mtx);
		if ((r = TAILQ_FIRST(&start_todo)) == NULL) {
			pthread_mutex_unlock(&start_mtx);
			return (NULL);
		}
		TAILQ_REMOVE(&start_todo, r, entry);
		pthread_mutex_unlock(&start_mtx);

		r->prep->req.pid_early = &start_current;
		if (spawn_start(&r->prep->req, &r->pid, &r->cause) != 0)
			r->pid = 0;
		pthread_mutex_lock(&start_mtx);
		TAILQ_INSERT_TAIL(&start_done, r, entry);
		__atomic_store_n(&start_current, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&start_mtx);
		daemon_thread_report(start_pipe, &c, 1);
	}
}

/* Start the helper thread (once); 0 if it runs. */
static int
task_start_init(void)
{
	if (start_tried)
		return (start_started ? 0 : -1);
	start_tried = 1;
	start_quit = 0;
	if (sd.base == NULL || daemon_thread_start(&start_thread,
	    task_start_main, start_pipe, &start_ev, task_start_read) != 0)
		return (-1);
	start_started = 1;
	return (0);
}

/*
 * Start a prepared task's process: prep (allocated, with its request
 * complete) and wfd, the output pipe's write end, are taken over.
 * task_started runs once it is known how it went: later, or, without
 * the helper thread, before this returns.
 */
void
task_start(struct task *t, struct task_prep *prep, int wfd)
{
	struct start_req	*r;

	r = xcalloc(1, sizeof *r);
	r->id = t->id;
	r->prep = prep;
	r->wfd = wfd;
	r->seq = state_write_queued();
	start_inflight++;
	t->starting = 1;
	if (!TAILQ_EMPTY(&start_held) || state_write_done(r->seq) != 1) {
		TAILQ_INSERT_TAIL(&start_held, r, entry);
		return;
	}
	task_start_go(r);
}

/* Start a process whose record is written: here, or by the thread. */
static void
task_start_go(struct start_req *r)
{
	/*
	 * Handing a start over costs a wakeup of each thread: worth it
	 * only when a timer may come due while the child is being started.
	 */
	if ((start_inflight == 1 && !sched_due_within(START_MARGIN_NS)) ||
	    task_start_init() != 0) {
		if (spawn_start(&r->prep->req, &r->pid, &r->cause) != 0)
			r->pid = 0;
		task_start_take(r);
		return;
	}
	pthread_mutex_lock(&start_mtx);
	TAILQ_INSERT_TAIL(&start_todo, r, entry);
	pthread_cond_signal(&start_cv);
	pthread_mutex_unlock(&start_mtx);
}

/*
 * The journal's writer has written its first written bytes, or failed
 * (failed): held starts whose records are in go on; the others, if it
 * failed, go back to their queues.
 */
void
task_start_written(uint64_t written, int failed)
{
	struct start_req	*r;
	struct task		*t;

	while ((r = TAILQ_FIRST(&start_held)) != NULL) {
		if (r->seq > written && !failed)
			break;
		TAILQ_REMOVE(&start_held, r, entry);
		if (r->seq <= written) {
			task_start_go(r);
			continue;
		}
		close(r->wfd);
		task_prep_free(r->prep);
		free(r->prep);
		start_inflight--;
		if ((t = task_find(r->id)) == NULL)
			fatalx("task %llu went away while starting",
			    (unsigned long long)r->id);
		t->starting = 0;
		task_unspawn(t);
		free(r);
	}
	if (start_inflight == 0)
		task_start_early_clear();
}

/* The helper thread reported starts: take them in, in order. */
static void
task_start_read(evutil_socket_t fd, short events, void *arg)
{
	struct start_list	 done = TAILQ_HEAD_INITIALIZER(done);
	struct start_req	*r;
	char			 buf[256];

	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&start_mtx);
	TAILQ_CONCAT(&done, &start_done, entry);
	pthread_mutex_unlock(&start_mtx);
	while ((r = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, r, entry);
		task_start_take(r);
	}
}

/* A start is over: record it, with an exit already reaped if any. */
static void
task_start_take(struct start_req *r)
{
	struct start_early	*e = NULL;
	struct task		*t;
	int			 rerr;

	close(r->wfd);
	rerr = r->prep->result_error;
	task_prep_free(r->prep);
	free(r->prep);
	start_inflight--;
	if (r->pid != 0 && start_early_init)
		e = hmap_idel(&start_early_map, (uint64_t)r->pid);
	/* A task being started cannot end, so it is still there. */
	if ((t = task_find(r->id)) == NULL)
		fatalx("task %llu went away while starting",
		    (unsigned long long)r->id);
	t->starting = 0;
	result_started(t, rerr);
	task_started(t, r->pid, r->cause);
	if (e != NULL) {
		task_reaped(r->pid, e->status, &e->ru);
		free(e);
	}
	if (start_inflight == 0)
		task_start_early_clear();
	free(r);
}

/*
 * The SIGCHLD handler reaped a pid no task has: if starts are under
 * way it may be one of theirs, whose exit is kept for task_start_take.
 * Returns 1 if kept.
 */
int
task_start_early(pid_t pid, int status, const struct rusage *ru)
{
	struct start_early	*e;

	if (start_inflight == 0)
		return (0);
	if (!start_early_init) {
		hmap_init(&start_early_map);
		start_early_init = 1;
	}
	e = xcalloc(1, sizeof *e);
	e->status = status;
	e->ru = *ru;
	free(hmap_idel(&start_early_map, (uint64_t)pid));
	hmap_iput(&start_early_map, (uint64_t)pid, e);
	return (1);
}

/*
 * Is pid a process the helper thread has just started, that the loop
 * does not know of yet (see proctree_orphans)?
 */
int
task_start_pending(pid_t pid)
{
	struct start_req	*r;
	int			 found = 0;

	if (start_inflight == 0)
		return (0);
	pthread_mutex_lock(&start_mtx);
	if (__atomic_load_n(&start_current, __ATOMIC_ACQUIRE) == pid)
		found = 1;
	TAILQ_FOREACH(r, &start_done, entry) {
		if (r->pid == pid)
			found = 1;
	}
	pthread_mutex_unlock(&start_mtx);
	return (found);
}

/* Exits kept for starts that never came (a failed start's child). */
static void
task_start_early_clear(void)
{
	if (!start_early_init || start_early_map.count == 0)
		return;
	hmap_clear_free(&start_early_map, NULL);
	hmap_init(&start_early_map);
}

/* At exit (no task runs): stop the helper thread. */
void
task_start_free(void)
{
	if (start_started) {
		pthread_mutex_lock(&start_mtx);
		start_quit = 1;
		pthread_cond_signal(&start_cv);
		pthread_mutex_unlock(&start_mtx);
		daemon_thread_stop(start_thread, start_pipe, &start_ev);
		start_started = 0;
	}
	start_tried = 0;
	task_start_early_clear();
	if (start_early_init) {
		hmap_clear(&start_early_map);
		start_early_init = 0;
	}
}
