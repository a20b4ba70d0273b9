/* SPDX-License-Identifier: ISC */
/*
 * Tasks: one execution of a job, from queued to one of the end states.
 * A running task ends when its main process has been reaped, every
 * process it left behind is gone (killed, or waited for) and its output
 * pipe has closed, in any order (task_reaped, task_cgroup_changed,
 * task_output_closed); see schedd.8 CONTAINMENT.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "notify.h"
#include "proctree.h"
#include "schedd.h"
#include "spawn.h"
#include "task-prep.h"
#include "util.h"
#include "xmalloc.h"

#define TASK_KILL_WAIT_MS 5000	/* after SIGKILL, before giving up */

static void	 task_finish(struct task *);
static void	 task_try_finish(struct task *);
static void	 task_end(struct task *);
static void	 task_timer(evutil_socket_t, short, void *);
static void	 task_arm(struct task *, uint64_t);
static void	 task_start_failed(struct task *, char *);
static void	 task_signal(struct task *, int);
static uint64_t	 task_kill_grace_ms(const struct task *);
static int	 task_left(struct task *);
static void	 task_usage(struct task *);
static int	 task_tree_flags(const struct task *);

/*
 * A new queued task (not yet on any list) with the next id.  It belongs
 * to its job's current owner; what it runs is taken when it starts.
 */
struct task *
task_new(struct job *j, enum task_trigger trigger, uid_t uid)
{
	struct task	*t;

	t = xcalloc(1, sizeof *t);
	t->id = state_next_id();
	t->job = j;
	t->owner.origin = j->origin;
	t->owner.uid = j->uid;
	t->ridx = SIZE_MAX;
	t->cg_fd = t->cg_wd = -1;
	t->memory_peak = t->oom_kills = -1;
	t->state = TASK_QUEUED;
	t->trigger = trigger;
	t->attempt = 1;
	t->uid = uid;
	time_now(&t->queued_at);
	t->duration_ms = -1;
	t->exit_code = -1;
	t->log_fd = -1;
	t->out_fd = -1;
	LIST_INIT(&t->watches);
	hmap_iput(&sd.task_index, t->id, t);
	return (t);
}

struct task *
task_find(uint64_t id)
{
	return (hmap_iget(&sd.task_index, id));
}

/* Release a task that is on no list any more. */
void
task_free(struct task *t)
{
	hmap_idel(&sd.task_index, t->id);
	dep_forget(t);
	job_removed_forget(t);
	if (t->cg_fd != -1)
		cgroup_task_remove(t);
	if (t->pid != 0 && !t->reaped)
		hmap_idel(&sd.pid_index, (uint64_t)t->pid);
	output_close(t);
	if (t->timer_ev != NULL)
		event_free(t->timer_ev);
	jobdef_unref(t->def);
	free(t->error);
	free(t->result);
	free(t->result_error);
	task_params_free(&t->params);
	free(t->log_path);
	free(t->tail);
	free(t);
}

/*
 * A queued task (already off its queue) becomes running: it takes its
 * job's definition as it is now, and is recorded as running before its
 * process exists (see queue_dispatch).
 */
void
task_begin(struct task *t)
{
	struct job	*j = t->job;

	t->def = jobdef_ref(j->def);
	t->state = TASK_RUNNING;
	time_now(&t->started_at);
	t->start_mono_ms = time_mono_ms();
	TAILQ_INSERT_TAIL(&j->running, t, entry);
	TAILQ_INSERT_TAIL(&sd.running, t, rentry);
	j->nrunning++;
	sd.nrunning++;
	queue_update(j);
	state_task(t);
}

/* Undo task_begin: its start could not be recorded; queued again. */
void
task_unbegin(struct task *t)
{
	struct job	*j = t->job;

	TAILQ_REMOVE(&j->running, t, entry);
	TAILQ_REMOVE(&sd.running, t, rentry);
	j->nrunning--;
	sd.nrunning--;
	jobdef_unref(t->def);
	t->def = NULL;
	t->state = TASK_QUEUED;
	t->started_at.tv_sec = 0;
	t->started_at.tv_nsec = 0;
	queue_link(t);
}

/*
 * Start the process of a task task_begin made running: prepare it here,
 * spawn it off the loop (task-start.c), record it in task_started.
 */
void
task_spawn(struct task *t)
{
	struct job		*j = t->job;
	struct task_prep	*prep;
	char			*cause = NULL;
	int			 wfd;

	j->counters.runs++;
	j->last_run = t->started_at;
	sd.tasks_started++;

	prep = xmalloc(sizeof *prep);
	if (task_prepare(t, prep, &cause) != 0)
		goto fail;
	/* Limits saved with a job before cgroups went away: not ignored. */
	if (!cgroup_enabled() &&
	    cgroup_limits_needed(t->def, &sd.settings) != 0) {
		cause = xstrdup("could not start: its limits need cgroups, "
		    "and schedd runs without them");
		goto fail;
	}
	if (cgroup_enabled() && cgroup_task_create(t) == -1) {
		xasprintf(&cause, "could not start: its cgroup: %s",
		    strerror(errno));
		goto fail;
	}
	prep->req.cgroup_fd = t->cg_fd;
	if ((wfd = output_start(t)) == -1) {
		xasprintf(&cause, "could not start: output pipe: %s",
		    strerror(errno));
		goto fail;
	}
	prep->req.out_fd = wfd;
	task_start(t, prep, wfd);
	return;

fail:
	task_prep_free(prep);
	free(prep);
	task_start_failed(t, cause);
}

/*
 * A task's process started (pid), or could not (pid 0, and why): now it
 * runs, with its timeout; a stop asked for meanwhile is carried out.
 */
void
task_started(struct task *t, pid_t pid, char *cause)
{
	struct job	*j = t->job;
	int64_t		 timeout;

	if (pid == 0) {
		task_start_failed(t, cause);
		return;
	}
	t->pid = pid;
	hmap_iput(&sd.pid_index, (uint64_t)pid, t);
	task_log(t, LOGLEVEL_DEBUG, "task %llu (%s) started, pid %ld",
	    (unsigned long long)t->id, j->name, (long)pid);

	timeout = t->def->timeout_ms >= 0 ? t->def->timeout_ms :
	    (int64_t)sd.settings.default_timeout_ms;
	if (timeout > 0) {
		t->timeout_due_ms = time_mono_ms() + (uint64_t)timeout;
		task_arm(t, (uint64_t)timeout);
	}
	state_task(t);
	state_job(j);
	notify_status();
	if (sub_wanted(SUB_TASK_STARTED))
		sub_emit(SUB_TASK_STARTED, json_pack("{s:I,s:s,s:I}", "task",
		    (json_int_t)t->id, "job", j->name, "pid",
		    (json_int_t)pid));
	if (t->stop != STOP_NONE)
		task_stop(t, t->stop_sig, t->stop);
}

/*
 * Undo task_spawn before its process was started: its "running" record
 * could not be written, so it waits in its queue again (for the retry
 * snapshot of the state; a task asked to stop meanwhile is cancelled).
 */
void
task_unspawn(struct task *t)
{
	struct job	*j = t->job;

	output_close(t);
	cgroup_task_remove(t);
	j->counters.runs--;
	sd.tasks_started--;
	if (t->stop != STOP_NONE) {
		task_start_failed(t, xstrdup("cancelled before it started: "
		    "the state could not be written"));
		return;
	}
	log_info("task %llu (%s): not started, queued again: the state "
	    "could not be written", (unsigned long long)t->id, j->name);
	task_unbegin(t);
}

/* A task that never got a process: failed, with the reason. */
static void
task_start_failed(struct task *t, char *cause)
{
	task_log(t, LOGLEVEL_INFO, "task %llu (%s): %s",
	    (unsigned long long)t->id, t->job->name, cause);
	t->error = cause;
	t->reaped = 1;
	output_close(t);
	t->out_closed = 1;
	sub_emit(SUB_TASK_STARTED, json_pack("{s:I,s:s,s:n}", "task",
	    (json_int_t)t->id, "job", t->job->name, "pid"));
	task_finish(t);
}

/* What proctree may match of a task's processes by its leader's pid. */
static int
task_tree_flags(const struct task *t)
{
	return ((t->reaped ? PROCTREE_LEADER_GONE : 0) |
	    (t->group_gone ? PROCTREE_GROUP_GONE : 0));
}

static void
task_arm(struct task *t, uint64_t ms)
{
	struct timeval	 tv;

	if (t->timer_ev == NULL)
		t->timer_ev = evtimer_new(sd.base, task_timer, t);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(t->timer_ev, &tv);
}

/* Timeout reached, or kill grace over. */
static void
task_timer(evutil_socket_t fd, short events, void *arg)
{
	struct task	*t = arg;

	if (t->state != TASK_RUNNING)
		return;
	if (t->stop == STOP_NONE && !t->leftovers) {
		/* Logged once, when it has ended (task_log_end). */
		log_debug("task %llu (%s): timeout reached, stopping it",
		    (unsigned long long)t->id, t->job->name);
		task_stop(t, 0, STOP_TIMEOUT);
		return;
	}
	if (!t->killing) {
		t->killing = 1;
		log_info("task %llu (%s) still running after kill grace, "
		    "sending KILL", (unsigned long long)t->id, t->job->name);
		task_signal(t, SIGKILL);
		if (t->draining) {
			task_arm(t, TASK_KILL_WAIT_MS);
			task_try_finish(t);
		}
		return;
	}
	if (t->draining) {
		log_warnx("task %llu (%s): processes survive SIGKILL; "
		    "recording the task as ended", (unsigned long long)t->id,
		    t->job->name);
		task_finish(t);
	}
}

/*
 * Send sig to every process of a task: all of its cgroup (SIGKILL through
 * cgroup.kill), or what the process tree search finds without one.
 */
static void
task_signal(struct task *t, int sig)
{
	if (t->cg_fd == -1)
		proctree_kill(t->pid, t->id, task_tree_flags(t), sig);
	else if (sig != SIGKILL || cgroup_task_kill(t) == -1)
		cgroup_task_signal(t, sig);
}

/* The job's kill_grace, or the daemon's. */
static uint64_t
task_kill_grace_ms(const struct task *t)
{
	return (t->def->kill_grace_ms >= 0 ? (uint64_t)t->def->kill_grace_ms :
	    sd.settings.kill_grace_ms);
}

/*
 * Stop a running task: sig (0: the job's kill_signal) to its process
 * tree, then KILL after kill_grace.  -1 if it is not running.
 */
int
task_stop(struct task *t, int sig, enum task_stop why)
{
	if (t->state != TASK_RUNNING)
		return (-1);
	/* Still being started: stopped once it has a pid. */
	if (t->starting) {
		if (t->stop == STOP_NONE) {
			t->stop = why;
			t->stop_sig = sig;
		}
		return (0);
	}
	if (t->pid == 0)
		return (-1);
	if (t->stop == STOP_NONE)
		t->stop = why;
	/* A stopped process would not act on the signal until thawed. */
	if (t->frozen)
		task_freeze(t, 0);
	if (sig == 0)
		sig = t->def->kill_signal > 0 ? t->def->kill_signal : SIGTERM;
	task_signal(t, sig);
	if (sig == SIGKILL) {
		t->killing = 1;
		return (0);
	}
	if (!t->killing)
		task_arm(t, task_kill_grace_ms(t));
	return (0);
}

/*
 * Freeze a running task (every process of it stops where it is) or thaw
 * it; the time it spends frozen does not count toward its timeout.
 * Returns 1 if it changed, 0 if it was so already, -1 if it does not run
 * (or has ended but for processes it left behind).
 */
int
task_freeze(struct task *t, int frozen)
{
	uint64_t	 now = time_mono_ms();

	if (t->state != TASK_RUNNING || t->pid == 0 || t->reaped)
		return (-1);
	if (t->frozen == frozen)
		return (0);
	if (t->cg_fd == -1 || cgroup_task_freeze(t, frozen) == -1)
		proctree_kill(t->pid, t->id, task_tree_flags(t),
		    frozen ? SIGSTOP : SIGCONT);
	t->frozen = frozen;
	/* The timeout waits while frozen; the kill grace does not. */
	if (t->timeout_due_ms != 0 && t->stop == STOP_NONE) {
		if (frozen) {
			t->timeout_left_ms = t->timeout_due_ms > now ?
			    t->timeout_due_ms - now : 0;
			evtimer_del(t->timer_ev);
		} else {
			t->timeout_due_ms = now + t->timeout_left_ms;
			task_arm(t, t->timeout_left_ms);
		}
	}
	task_log(t, LOGLEVEL_INFO, "task %llu (%s) %s",
	    (unsigned long long)t->id, t->job->name,
	    frozen ? "frozen" : "thawed");
	state_task(t);
	sub_emit(frozen ? SUB_TASK_FROZEN : SUB_TASK_THAWED,
	    json_pack("{s:I,s:s}", "task", (json_int_t)t->id, "job",
	    t->job->name));
	return (1);
}

/* Take a queued task off its queue: cancelled, why (or NULL) recorded. */
void
task_cancel(struct task *t, const char *why)
{
	if (t->state != TASK_QUEUED)
		return;
	queue_remove(t);
	if (why != NULL && t->error == NULL)
		t->error = xstrdup(why);
	t->state = TASK_CANCELLED;
	time_now(&t->finished_at);
	task_end(t);
}

/* The SIGCHLD handler found this pid. */
void
task_reaped(pid_t pid, int status, const struct rusage *ru)
{
	struct task	*t, *next;

	if ((t = hmap_idel(&sd.pid_index, (uint64_t)pid)) == NULL) {
		/* A task's, reaped before its start was taken in? */
		task_start_early(pid, status, ru);
		/* An orphan: maybe the last process of a stopped task. */
		TAILQ_FOREACH_SAFE(t, &sd.draining, dentry, next)
			task_try_finish(t);
		return;
	}
	t->reaped = 1;
	t->rusage = *ru;
	t->have_rusage = 1;
	if (WIFEXITED(status))
		t->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		t->signal = WTERMSIG(status);
	task_try_finish(t);
}

/* The output pipe reached end of file. */
void
task_output_closed(struct task *t)
{
	t->out_closed = 1;
	task_try_finish(t);
}

/* The task's cgroup changed (its last process may be gone). */
void
task_cgroup_changed(struct task *t)
{
	task_try_finish(t);
}

/*
 * How many processes of the task are left once its main process is
 * reaped: its cgroup's, or without one what the process tree search
 * finds (a search only made when the daemon has children that are no
 * task's main process: what a task leaves behind is reparented to it).
 */
static int
task_left(struct task *t)
{
	int	 alive, ingroup;

	/*
	 * A cgroup is watched only once something is left in it; looked
	 * at again after, in case it emptied before the watch was made.
	 */
	if (t->cg_fd != -1) {
		if ((alive = cgroup_task_populated(t)) > 0 &&
		    t->cg_wd == -1 && cgroup_task_watch(t) == 0)
			alive = cgroup_task_populated(t);
		return (alive);
	}
	if (t->pid == 0 || (!t->draining && !t->stop && !proctree_orphans()))
		return (0);
	alive = proctree_alive(t->pid, t->id, task_tree_flags(t), &ingroup);
	/* Its group's number is free from now on: never used again. */
	if (ingroup == 0)
		t->group_gone = 1;
	return (alive);
}

/*
 * A task ends when its main process has been reaped, every process it
 * left behind is gone and its output is closed.  Processes left behind
 * are killed (on_leftovers: kill, with the kill sequence) or waited for
 * (wait: the timeout still applies); a stopped task waits until the kill
 * sequence has ended them.
 */
static void
task_try_finish(struct task *t)
{
	int	 left;

	if (t->state != TASK_RUNNING || !t->reaped)
		return;
	if ((left = task_left(t)) > 0) {
		if (t->stop == STOP_NONE && !t->leftovers &&
		    t->def->on_leftovers == LEFTOVERS_KILL) {
			t->leftovers = 1;
			if (t->cg_fd != -1)
				left = cgroup_task_signal(t, 0);
			log_info("task %llu (%s): killing %d process%s its "
			    "main process left behind",
			    (unsigned long long)t->id, t->job->name, left,
			    left == 1 ? "" : "es");
			task_signal(t, t->def->kill_signal > 0 ?
			    t->def->kill_signal : SIGTERM);
			task_arm(t, task_kill_grace_ms(t));
		}
		if (!t->draining) {
			if (t->stop != STOP_NONE || t->leftovers)
				log_info("task %llu (%s): waiting for its last "
				    "processes", (unsigned long long)t->id,
				    t->job->name);
			t->draining = 1;
			TAILQ_INSERT_TAIL(&sd.draining, t, dentry);
		}
		return;
	}
	if (!t->out_closed)
		return;
	task_finish(t);
}

/*
 * What the task used, from its cgroup when it has one (the whole tree,
 * not only what its main process waited for), which is then removed.  A
 * task the OOM killer hit failed "out of memory".
 */
static void
task_usage(struct task *t)
{
	struct cgroup_usage	 u;

	if (t->cg_fd == -1)
		return;
	cgroup_task_usage(t, &u);
	cgroup_task_remove(t);
	if (u.have_cpu) {
		t->have_rusage = 1;
		t->rusage.ru_utime.tv_sec = u.user_usec / 1000000;
		t->rusage.ru_utime.tv_usec = u.user_usec % 1000000;
		t->rusage.ru_stime.tv_sec = u.system_usec / 1000000;
		t->rusage.ru_stime.tv_usec = u.system_usec % 1000000;
	}
	if (u.have_memory_peak)
		t->memory_peak = (int64_t)u.memory_peak;
	if (u.have_oom) {
		t->oom_kills = (int64_t)u.oom_kills;
		if (u.oom_kills > 0 && t->stop == STOP_NONE &&
		    t->error == NULL && (t->signal != 0 || t->exit_code != 0))
			t->error = xstrdup("out of memory");
	}
}

/* Process gone and output closed: decide the end state. */
static void
task_finish(struct task *t)
{
	struct job	*j = t->job;
	struct ban	*b;
	char		*reason;

	if (t->draining) {
		TAILQ_REMOVE(&sd.draining, t, dentry);
		t->draining = 0;
	}
	time_now(&t->finished_at);
	t->duration_ms = (int64_t)(time_mono_ms() - t->start_mono_ms);
	if (t->timer_ev != NULL)
		evtimer_del(t->timer_ev);
	output_close(t);
	task_usage(t);
	result_take(t);
	if (t->stop == STOP_TIMEOUT)
		t->state = TASK_TIMEOUT;
	else if (t->stop != STOP_NONE)
		t->state = TASK_STOPPED;
	else if (t->error == NULL && t->signal == 0 && t->exit_code == 0)
		t->state = TASK_SUCCEEDED;
	else
		t->state = TASK_FAILED;

	TAILQ_REMOVE(&j->running, t, entry);
	TAILQ_REMOVE(&sd.running, t, rentry);
	j->nrunning--;
	sd.nrunning--;
	queue_update(j);
	switch (t->state) {
	case TASK_SUCCEEDED:
		j->counters.succeeded++;
		j->counters.consecutive_failures = 0;
		j->last_success = t->finished_at;
		break;
	case TASK_FAILED:
		j->counters.failed++;
		j->counters.consecutive_failures++;
		break;
	case TASK_TIMEOUT:
		j->counters.timeouts++;
		j->counters.consecutive_failures++;
		break;
	default:
		j->counters.stopped++;
		break;
	}
	task_log_end(t);
	if (!j->removed && t->def->ban_after_failures > 0 &&
	    j->counters.consecutive_failures >= t->def->ban_after_failures &&
	    ban_match(j->name) == NULL) {
		xasprintf(&reason, "%llu consecutive failures",
		    (unsigned long long)j->counters.consecutive_failures);
		b = ban_add(j->name, reason, sd.uid, 1);
		free(reason);
		log_warnx("job %s banned: %s", j->name, b->reason);
		/* Written like task records; kept in memory until it is. */
		state_bans_later();
		ban_enforce(b, 0, NULL, NULL);
		sub_emit(SUB_JOB_BANNED, json_pack("{s:s,s:s,s:b}", "name",
		    b->name, "reason", b->reason, "auto", 1));
	}
	task_end(t);
	/* Later in this turn: tasks that end together start others as one. */
	queue_dispatch_soon();
	schedd_check_exit();
}

/*
 * An ended task: into its job's history, tell watchers and subscribers,
 * drop the oldest records beyond the history bound.
 */
static void
task_end(struct task *t)
{
	struct job		*j = t->job;
	struct task_watch	*w;

	j->last_task = t->id;
	j->last_state = t->state;
	TAILQ_INSERT_TAIL(&j->history, t, entry);
	j->nhistory++;
	state_task(t);
	if (j->removed)
		job_removed_record(t);
	else
		state_job(j);
	if (sub_wanted(SUB_TASK_FINISHED))
		sub_emit(SUB_TASK_FINISHED, json_pack("{s:I,s:s,s:s,s:o,s:o,"
		    "s:o}", "task", (json_int_t)t->id, "job", j->name, "state",
		    task_state_name(t->state), "exit_code", t->exit_code >= 0 ?
		    json_integer(t->exit_code) : json_null(), "signal",
		    t->signal != 0 ? json_integer(t->signal) : json_null(),
		    "duration_ms", sjson_ms_or_null(t->duration_ms)));
	while ((w = LIST_FIRST(&t->watches)) != NULL) {
		LIST_REMOVE(w, entry);
		w->fn(t, WATCH_END, NULL, 0, w->arg);
	}
	sched_task_ended(t);
	hook_fire(t);
	dep_ended(t);
	notify_status();
	notify_idle_check();
	task_prune(j);
	job_prune_removed();
	job_maybe_free(j);
}

/*
 * Keep at most "history" records per job (its own, else the daemon's);
 * delete older ones and logs.
 */
void
task_prune(struct job *j)
{
	struct task	*t;
	uint64_t	 keep;

	keep = j->def->history >= 0 ? (uint64_t)j->def->history :
	    sd.settings.history;
	while (j->nhistory > keep &&
	    (t = TAILQ_FIRST(&j->history)) != NULL) {
		TAILQ_REMOVE(&j->history, t, entry);
		j->nhistory--;
		output_log_unlink(t);
		task_free(t);
	}
}

void
task_watch_add(struct task *t, struct task_watch *w)
{
	LIST_INSERT_HEAD(&t->watches, w, entry);
}

void
task_watch_remove(struct task *t, struct task_watch *w)
{
	LIST_REMOVE(w, entry);
}

