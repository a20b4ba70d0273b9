/*
 * Tasks: one execution of a job, from queued to one of the end states.
 * A running task ends when its process has been reaped and its output
 * pipe has closed, in either order (task_reaped, task_output_closed).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "proctree.h"
#include "schedd.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

#define TASK_PATH_ROOT	"/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
			    "/usr/bin:/sbin:/bin"
#define TASK_PATH_USER	"/usr/local/bin:/usr/bin:/bin"
#define TASK_MAX_GROUPS	256
#define TASK_KILL_WAIT_MS 5000	/* after SIGKILL, before giving up */

/* What a task needs resolved before its process can start. */
struct task_prep {
	struct spawn_req req;
	char		*path;
	char		**envp;
	size_t		 nenv;
	char		*workdir;
	gid_t		 groups[TASK_MAX_GROUPS];
};

static void	 task_finish(struct task *);
static void	 task_try_finish(struct task *);
static void	 task_end(struct task *);
static void	 task_timer(evutil_socket_t, short, void *);
static void	 task_arm(struct task *, uint64_t);
static int	 task_prepare(struct task *, struct task_prep *, char **);
static void	 task_prep_free(struct task_prep *);
static void	 task_env_set(struct task_prep *, const char *, const char *);
static void	 task_start_failed(struct task *, char *);
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
	job_removed_forget(t);
	if (t->pid != 0 && !t->reaped)
		hmap_idel(&sd.pid_index, (uint64_t)t->pid);
	output_close(t);
	if (t->timer_ev != NULL)
		event_free(t->timer_ev);
	jobdef_unref(t->def);
	free(t->error);
	free(t->log_path);
	free(t->tail);
	free(t);
}

static void
task_env_set(struct task_prep *p, const char *key, const char *value)
{
	size_t	 i, klen = strlen(key);
	char	*kv;

	xasprintf(&kv, "%s=%s", key, value);
	for (i = 0; i < p->nenv; i++) {
		if (strncmp(p->envp[i], key, klen) == 0 &&
		    p->envp[i][klen] == '=') {
			free(p->envp[i]);
			p->envp[i] = kv;
			return;
		}
	}
	p->envp = xreallocarray(p->envp, p->nenv + 2, sizeof *p->envp);
	p->envp[p->nenv++] = kv;
	p->envp[p->nenv] = NULL;
}

static void
task_prep_free(struct task_prep *p)
{
	size_t	 i;

	for (i = 0; i < p->nenv; i++)
		free(p->envp[i]);
	free(p->envp);
	free(p->path);
	free(p->workdir);
}

/*
 * Resolve everything the child needs: who it runs as, its environment,
 * folder, program path and limits.  -1 and a caller-freed cause if the
 * task cannot start.
 */
static int
task_prepare(struct task *t, struct task_prep *p, char **cause)
{
	const struct jobdef	*def = t->def;
	struct passwd		*pw;
	struct group		*gr;
	struct stat		 st;
	const char		*path;
	char			 idbuf[32];
	int			 ngroups, i;
	size_t			 k;
	uid_t			 uid = sd.uid;

	memset(p, 0, sizeof *p);
	p->envp = xcalloc(1, sizeof *p->envp);
	p->req.umask = def->umask;
	p->req.nice_set = def->nice_set;
	p->req.nice = def->nice;
	/*
	 * A user's job gets its nice and limits after the privileges are
	 * dropped, so the kernel holds them to that user's own bounds.
	 */
	p->req.limits_as_user = t->owner.origin == ORIGIN_RUNTIME &&
	    !auth_is_admin(t->owner.uid, sd.uid);

	if (def->user != NULL) {
		errno = 0;
		if ((pw = getpwnam(def->user)) == NULL) {
			if (errno != 0 && errno != ENOENT && errno != ESRCH)
				xasprintf(cause, "could not start: looking up "
				    "user \"%s\": %s", def->user,
				    strerror(errno));
			else
				xasprintf(cause, "could not start: unknown "
				    "user \"%s\"", def->user);
			return (-1);
		}
	} else {
		/* The owner's identity, taken at the start like the def. */
		if (t->owner.origin == ORIGIN_RUNTIME)
			uid = t->owner.uid;
		errno = 0;
		if ((pw = getpwuid(uid)) == NULL) {
			if (errno != 0 && errno != ENOENT && errno != ESRCH)
				xasprintf(cause, "could not start: looking up "
				    "uid %u: %s", (unsigned)uid,
				    strerror(errno));
			else
				xasprintf(cause, "could not start: no user "
				    "with uid %u", (unsigned)uid);
			return (-1);
		}
	}
	if (pw->pw_uid != sd.uid || def->group != NULL) {
		if (!sd.is_root) {
			xasprintf(cause, "could not start: cannot run as "
			    "user \"%s\": schedd is not running as root",
			    pw->pw_name);
			return (-1);
		}
		p->req.set_ids = 1;
		p->req.uid = pw->pw_uid;
		p->req.gid = pw->pw_gid;
		if (def->group != NULL) {
			errno = 0;
			if ((gr = getgrnam(def->group)) == NULL) {
				if (errno != 0 && errno != ENOENT &&
				    errno != ESRCH)
					xasprintf(cause, "could not start: "
					    "looking up group \"%s\": %s",
					    def->group, strerror(errno));
				else
					xasprintf(cause, "could not start: "
					    "unknown group \"%s\"", def->group);
				return (-1);
			}
			p->req.gid = gr->gr_gid;
		}
		ngroups = TASK_MAX_GROUPS;
		if (getgrouplist(pw->pw_name, p->req.gid, p->groups,
		    &ngroups) == -1)
			ngroups = TASK_MAX_GROUPS;
		p->req.groups = p->groups;
		p->req.ngroups = ngroups;
	}

	task_env_set(p, "PATH", pw->pw_uid == 0 ? TASK_PATH_ROOT :
	    TASK_PATH_USER);
	task_env_set(p, "HOME", pw->pw_dir);
	task_env_set(p, "USER", pw->pw_name);
	task_env_set(p, "LOGNAME", pw->pw_name);
	task_env_set(p, "SHELL", pw->pw_shell != NULL && *pw->pw_shell != '\0' ?
	    pw->pw_shell : "/bin/sh");
	task_env_set(p, "SCHEDD_JOB", t->job->name);
	snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)t->id);
	task_env_set(p, "SCHEDD_TASK_ID", idbuf);
	for (k = 0; k < def->nenv; k++) {
		char	*key = xstrdup(def->env[k]), *eq;

		if ((eq = strchr(key, '=')) != NULL) {
			*eq = '\0';
			task_env_set(p, key, eq + 1);
		}
		free(key);
	}

	if (def->workdir != NULL)
		p->workdir = xstrdup(def->workdir);
	else if (stat(pw->pw_dir, &st) == 0 && S_ISDIR(st.st_mode))
		p->workdir = xstrdup(pw->pw_dir);
	else
		p->workdir = xstrdup("/");

	path = "";
	for (k = 0; k < p->nenv; k++) {
		if (strncmp(p->envp[k], "PATH=", 5) == 0)
			path = p->envp[k] + 5;
	}
	if ((p->path = spawn_resolve(def->argv[0], path)) == NULL) {
		xasprintf(cause, "could not start: %s: %s", def->argv[0],
		    strerror(errno));
		return (-1);
	}

	for (i = 0; i < JOBLIM_MAX; i++) {
		if (!def->limits[i].set)
			continue;
		p->req.limits[p->req.nlimits].resource =
		    joblimit_resource(i);
		p->req.limits[p->req.nlimits].rl.rlim_cur =
		    def->limits[i].value;
		p->req.limits[p->req.nlimits].rl.rlim_max =
		    def->limits[i].value;
		p->req.nlimits++;
	}
	p->req.path = p->path;
	p->req.argv = def->argv;
	p->req.envp = p->envp;
	p->req.workdir = p->workdir;
	return (0);
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

/* Start the process of a task task_begin made running. */
void
task_spawn(struct task *t)
{
	struct job		*j = t->job;
	struct task_prep	 prep;
	char			*cause = NULL;
	int			 wfd;
	pid_t			 pid;
	int64_t			 timeout;

	j->counters.runs++;
	j->last_run = t->started_at;
	sd.tasks_started++;

	if (task_prepare(t, &prep, &cause) != 0) {
		task_prep_free(&prep);
		task_start_failed(t, cause);
		return;
	}
	if ((wfd = output_start(t)) == -1) {
		task_prep_free(&prep);
		xasprintf(&cause, "could not start: output pipe: %s",
		    strerror(errno));
		task_start_failed(t, cause);
		return;
	}
	prep.req.out_fd = wfd;
	if (spawn_start(&prep.req, &pid, &cause) != 0) {
		close(wfd);
		task_prep_free(&prep);
		task_start_failed(t, cause);
		return;
	}
	close(wfd);
	task_prep_free(&prep);
	t->pid = pid;
	hmap_iput(&sd.pid_index, (uint64_t)pid, t);
	log_debug("task %llu (%s) started, pid %ld",
	    (unsigned long long)t->id, j->name, (long)pid);

	timeout = t->def->timeout_ms >= 0 ? t->def->timeout_ms :
	    (int64_t)sd.settings.default_timeout_ms;
	if (timeout > 0)
		task_arm(t, (uint64_t)timeout);
	state_task(t);
	state_job(j);
	notify_status();
	sub_emit(SUB_TASK_STARTED, json_pack("{s:I,s:s,s:I}", "task",
	    (json_int_t)t->id, "job", j->name, "pid", (json_int_t)pid));
}

/* A task that never got a process: failed, with the reason. */
static void
task_start_failed(struct task *t, char *cause)
{
	log_info("task %llu (%s): %s", (unsigned long long)t->id,
	    t->job->name, cause);
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
	if (t->stop == STOP_NONE) {
		log_info("task %llu (%s) timed out", (unsigned long long)t->id,
		    t->job->name);
		task_stop(t, 0, STOP_TIMEOUT);
		return;
	}
	if (!t->killing) {
		t->killing = 1;
		log_info("task %llu (%s) still running after kill grace, "
		    "sending KILL", (unsigned long long)t->id, t->job->name);
		proctree_kill(t->pid, t->id, task_tree_flags(t), SIGKILL);
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
 * Stop a running task: sig (0: the job's kill_signal) to its process
 * tree, then KILL after kill_grace.  -1 if it is not running.
 */
int
task_stop(struct task *t, int sig, enum task_stop why)
{
	int64_t	 grace;

	if (t->state != TASK_RUNNING || t->pid == 0)
		return (-1);
	if (t->stop == STOP_NONE)
		t->stop = why;
	if (sig == 0)
		sig = t->def->kill_signal > 0 ? t->def->kill_signal : SIGTERM;
	proctree_kill(t->pid, t->id, task_tree_flags(t), sig);
	if (sig == SIGKILL) {
		t->killing = 1;
		return (0);
	}
	if (!t->killing) {
		grace = t->def->kill_grace_ms >= 0 ? t->def->kill_grace_ms :
		    (int64_t)sd.settings.kill_grace_ms;
		task_arm(t, (uint64_t)grace);
	}
	return (0);
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

/*
 * Finish once the process is reaped and the output closed; a task being
 * stopped also waits until every process that left its group is gone
 * (the kill grace timer sends them SIGKILL).
 */
static void
task_try_finish(struct task *t)
{
	int	 alive, ingroup;

	if (t->state != TASK_RUNNING || !t->reaped || !t->out_closed)
		return;
	alive = 0;
	if (t->stop != STOP_NONE && t->pid != 0) {
		alive = proctree_alive(t->pid, t->id, task_tree_flags(t),
		    &ingroup);
		/* Its group's number is free from now on: never used again. */
		if (ingroup == 0)
			t->group_gone = 1;
	}
	if (alive > 0) {
		if (!t->draining) {
			log_info("task %llu (%s): waiting for processes that "
			    "left its group", (unsigned long long)t->id,
			    t->job->name);
			t->draining = 1;
			TAILQ_INSERT_TAIL(&sd.draining, t, dentry);
		}
		return;
	}
	task_finish(t);
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
	if (t->state == TASK_SUCCEEDED)
		log_debug("task %llu (%s) succeeded",
		    (unsigned long long)t->id, j->name);
	else
		log_info("task %llu (%s) %s", (unsigned long long)t->id,
		    j->name, task_state_name(t->state));
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
	queue_dispatch();
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
	sub_emit(SUB_TASK_FINISHED, json_pack("{s:I,s:s,s:s,s:o,s:o,s:o}",
	    "task", (json_int_t)t->id, "job", j->name, "state",
	    task_state_name(t->state),
	    "exit_code", t->exit_code >= 0 ? json_integer(t->exit_code) :
	    json_null(),
	    "signal", t->signal != 0 ? json_integer(t->signal) : json_null(),
	    "duration_ms", sjson_ms_or_null(t->duration_ms)));
	while ((w = LIST_FIRST(&t->watches)) != NULL) {
		LIST_REMOVE(w, entry);
		w->fn(t, WATCH_END, NULL, 0, w->arg);
	}
	sched_task_ended(t);
	notify_status();
	notify_idle_check();
	task_prune(j);
	job_prune_removed();
	job_maybe_free(j);
}

/* Keep at most "history" records per job; delete older ones and logs. */
void
task_prune(struct job *j)
{
	struct task	*t;

	while (j->nhistory > sd.settings.history &&
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

