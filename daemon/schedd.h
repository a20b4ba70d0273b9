/* SPDX-License-Identifier: ISC */
/*
 * schedd's core types: the daemon, jobs, tasks, clients, the ban list,
 * and the functions each module offers the others.
 */
#ifndef SCHEDD_H
#define SCHEDD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <event2/event.h>
#include <event2/bufferevent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "compat.h"
#include "config.h"
#include "heap.h"
#include "hmap.h"
#include "proto.h"

struct client;
struct client_stream;
struct cron;
struct job;
struct jw;
struct task;
struct task_prep;

/* An entry of the scheduler's heap: a job's next firing, or a retry. */
struct sched_ent {
	uint64_t	 due_ns;	/* monotonic deadline */
	size_t		 idx;		/* position in the heap, or SIZE_MAX */
	int		 kind;		/* SCHED_JOB, SCHED_RETRY */
};
#define SCHED_JOB	1
#define SCHED_RETRY	2
#define SCHED_BOOT_ID_MAX 40	/* a boot_id, "xxxxxxxx-...", and its NUL */

enum task_state {
	TASK_QUEUED = 0,
	TASK_RUNNING,
	TASK_SUCCEEDED,
	TASK_FAILED,
	TASK_TIMEOUT,
	TASK_STOPPED,
	TASK_CANCELLED,
	TASK_LOST,
};
#define TASK_ENDED(s)	((s) >= TASK_SUCCEEDED)

enum task_trigger {
	TRIGGER_SCHEDULE = 0,
	TRIGGER_MANUAL,
	TRIGGER_ADD,
	TRIGGER_RETRY,
	TRIGGER_CATCH_UP,
	TRIGGER_HOOK,
};

enum task_stop {
	STOP_NONE = 0,
	STOP_TIMEOUT,		/* ran past its timeout */
	STOP_USER,		/* stop, remove --stop, ban --stop */
	STOP_REPLACE,		/* on_overlap: replace */
	STOP_SHUTDOWN,
};

/* Someone interested in a task's output or its end (output -f, wait). */
enum task_watch_what {
	WATCH_OUTPUT,
	WATCH_END,
};
struct task_watch {
	void		(*fn)(struct task *, enum task_watch_what,
			    const char *, size_t, void *);
	void		*arg;
	LIST_ENTRY(task_watch) entry;
};
LIST_HEAD(task_watches, task_watch);

enum job_origin {
	ORIGIN_CONFIG = 0,
	ORIGIN_RUNTIME,
};

/*
 * Who a job belongs to: the configuration file, or the user who added it.
 * A queued task belongs to the owner its job had when it was queued and
 * starts only under that same owner.
 */
struct job_owner {
	enum job_origin	 origin;
	uid_t		 uid;
};

/*
 * What a task gets besides its job's definition: arguments appended to
 * its command and variables added to its environment (schedctl run, a
 * hook's SCHEDD_HOOK_*).  Own strings; see schedd.8 "run".
 */
struct task_params {
	char		**args;		/* NULL-terminated, or NULL */
	size_t		 nargs;
	char		**env;		/* "KEY=VALUE", NULL-terminated */
	size_t		 nenv;
	uint64_t	*after;		/* tasks it waits for (dep.c) */
	size_t		 nafter;
};

struct dep_link;

struct task {
	uint64_t	 id;
	struct job	*job;
	struct jobdef	*def;		/* what it runs, from its start (ref) */
	enum task_state	 state;
	enum task_trigger trigger;
	uint32_t	 attempt;
	uid_t		 uid;		/* who submitted it */
	struct job_owner owner;		/* its job's owner when queued */
	uint64_t	 seq;		/* global queue order */
	size_t		 ridx;		/* in the removed-records heap */

	struct timespec	 queued_at;
	struct timespec	 started_at;	/* tv_sec 0: not started */
	struct timespec	 finished_at;	/* tv_sec 0: not finished */
	uint64_t	 start_mono_ms;	/* monotonic start */
	int64_t		 duration_ms;	/* -1: n/a */

	pid_t		 pid;		/* 0: none */
	int		 exit_code;	/* -1: n/a */
	int		 signal;	/* 0: n/a */
	char		*error;		/* could not start: ... */
	struct task_params params;
	char		*result;	/* its result as JSON text, or NULL */
	char		*result_error;	/* why it has none, or NULL */
	uid_t		 result_uid;	/* the owner of its result file */
	int		 result_file;	/* its result file was made */
	struct dep_link	*links;		/* one per dependency, or NULL */
	uint32_t	 nwait;		/* dependencies not yet succeeded */
	int		 have_rusage;
	struct rusage	 rusage;

	char		*log_path;
	int		 log_fd;
	uint64_t	 log_written;
	uint64_t	 log_dropped;
	char		*tail;		/* last output_tail bytes */
	size_t		 tail_len;
	size_t		 tail_cap;
	uint64_t	 output_bytes;

	int		 out_fd;
	struct event	*out_ev;
	struct event	*timer_ev;	/* timeout, then kill grace */
	int		 reaped;
	int		 out_closed;
	enum task_stop	 stop;
	int		 killing;	/* SIGKILL already sent */
	int		 draining;	/* waiting for processes left behind */
	int		 group_gone;	/* its group was seen empty */
	int		 leftovers;	/* killing what the main process left */
	int		 frozen;
	int		 starting;	/* its process is being started */
	int		 stop_sig;	/* a stop's signal, while starting */
	uint64_t	 timeout_due_ms;	/* monotonic; 0: no timeout */
	uint64_t	 timeout_left_ms;	/* while frozen */
	int		 cg_fd;		/* its cgroup, or -1 */
	int		 cg_wd;		/* inotify watch of it, or -1 */
	int64_t		 memory_peak;	/* bytes, -1: unknown */
	int64_t		 oom_kills;	/* -1: unknown */
	int		 state_dirty;	/* its record is to be written */

	struct task_watches watches;
	TAILQ_ENTRY(task) entry;	/* job's queue, running or history */
	TAILQ_ENTRY(task) qentry;	/* job's ready queue */
	TAILQ_ENTRY(task) dentry;	/* daemon's draining list */
	TAILQ_ENTRY(task) rentry;	/* daemon's running list */
};
TAILQ_HEAD(task_list, task);

struct job_counters {
	uint64_t	 runs;
	uint64_t	 succeeded;
	uint64_t	 failed;
	uint64_t	 timeouts;
	uint64_t	 stopped;
	uint64_t	 skipped;
	uint64_t	 missed;
	uint64_t	 consecutive_failures;
};

struct job {
	char		*name;		/* own copy */
	struct jobdef	*def;		/* NULL for a removed job read back */
	enum job_origin	 origin;
	uid_t		 uid;		/* owner */
	enum task_state	 last_state;
	uint32_t	 nqueued;
	uint32_t	 nrunning;
	uint32_t	 nhistory;
	/* Flags, 0 or 1, packed: a daemon may hold many jobs. */
	unsigned char	 paused;
	unsigned char	 removed;	/* keeps only records; see job_remove */
	unsigned char	 pinned;	/* being removed: not freed yet */
	unsigned char	 at_done;	/* the at time has fired (sched.c) */
	unsigned char	 restored;	/* schedule state came from disk */
	unsigned char	 state_dirty;	/* its state is to be written */
	unsigned char	 sched_ended;	/* max_runs reached, or at done */

	struct job_counters counters;
	uint64_t	 last_task;	/* 0: none */
	struct timespec	 last_run;	/* start of the last task started */
	struct timespec	 last_success;	/* end of the last that succeeded */

	struct task_list queue;		/* queued, FIFO, waiting or not */
	struct task_list ready;		/* queued and not waiting, FIFO */
	uint32_t	 nready;
	struct task_list running;
	struct task_list history;	/* ended, oldest first */

	size_t		 qidx;		/* in the ready heap, or SIZE_MAX */

	/* The schedule (sched.c). */
	struct sched_ent sched;		/* next firing, when armed */
	struct cron	*cron;		/* parsed def->cron, or NULL */
	time_t		 at_time_s;	/* def->at resolved, or 0 */
	uint64_t	 nominal_ns;	/* every: nominal due, monotonic */
	time_t		 next_wall_s;	/* cron/at: nominal wall time, or 0 */
	time_t		 last_wall_s;	/* cron: last wall time fired/passed */
	uint64_t	 sched_runs;	/* tasks started by the schedule */
	char		 boot_id[SCHED_BOOT_ID_MAX]; /* at boot: last seen */
	LIST_HEAD(, retry) retries;	/* pending retries */

	TAILQ_ENTRY(job) entry;		/* all jobs, in creation order */
};
TAILQ_HEAD(job_list, job);

/* How job_set_def and job_remove treat what a job has done and runs. */
enum job_def_how {
	JOB_DEF_FRESH,		/* the schedule starts over */
	JOB_DEF_REPLACE,	/* what the schedule did stays, paused
				   follows enabled (add --replace) */
	JOB_DEF_KEEP,		/* what the schedule did stays (reload) */
};
enum job_remove_how {
	JOB_KEEP_RUNNING,	/* running tasks finish */
	JOB_STOP_RUNNING,	/* running tasks are stopped */
};

/* A failed task waiting for retry_delay before its next attempt. */
struct retry {
	struct sched_ent ent;		/* first: the heap holds &ent */
	struct job	*job;
	uint32_t	 attempt;
	uid_t		 uid;
	uint64_t	 at_ns;		/* wall time it is due */
	struct task_params params;	/* the failed task's */
	LIST_ENTRY(retry) entry;
};

struct ban {
	char		*name;		/* job name or fnmatch pattern */
	char		*reason;	/* or NULL */
	struct timespec	 since;
	uid_t		 by;
	int		 automatic;
	TAILQ_ENTRY(ban) entry;
};
TAILQ_HEAD(ban_list, ban);

/* Event classes a subscriber may ask for. */
#define SUB_TASK_QUEUED		0x01
#define SUB_TASK_STARTED		0x02
#define SUB_TASK_FINISHED	0x04
#define SUB_JOB_ADDED		0x08
#define SUB_JOB_REMOVED		0x10
#define SUB_JOB_BANNED		0x20
#define SUB_JOB_UNBANNED		0x40
#define SUB_CONFIG_RELOADED	0x80
#define SUB_TASK_FROZEN		0x100
#define SUB_TASK_THAWED		0x200
#define SUB_JOB_CHANGED		0x400
#define SUB_JOB_PAUSED		0x800
#define SUB_JOB_RESUMED		0x1000
#define SUB_TASK_RETRY		0x2000
#define SUB_HOOK_QUEUED		0x4000
#define SUB_ALL			0x7fff

/* A request that answers later (wait, output --follow). */
struct client_defer {
	void		(*cancel)(struct client *, void *);
	void		*arg;
};

/* A client of the control socket (client.c). */
#define CLIENT_ADMIN	0x1	/* root or the daemon's uid */
#define CLIENT_EOF	0x2	/* it shut down its side: no more requests */
#define CLIENT_CLOSING	0x4	/* closes once its output is written */
#define CLIENT_CLOSED	0x8	/* torn down; freed at the next loop turn */
#define CLIENT_EXIT	0x10	/* told how the daemon exits (shutdown) */
struct client {
	struct bufferevent *bev;
	uid_t		 uid;
	pid_t		 pid;
	int		 flags;		/* CLIENT_* */
	unsigned	 events;	/* subscribed classes, 0: none */
	struct client_defer defer;	/* fn NULL: none */
	uint64_t	 hold_group;	/* answers wait for it, 0: none */
	struct client_stream *stream;	/* a long answer being sent, or NULL */
	struct evbuffer	*later;		/* events sent after it, or NULL */
	struct event	*idle_ev;
	struct event	*resume_ev;	/* goes on after client_undefer */
	TAILQ_ENTRY(client) entry;
};
TAILQ_HEAD(client_list, client);

/* The daemon. */
struct schedd {
	struct event_base *base;
	struct config	*config;
	struct settings	 settings;	/* effective, "set" changes it */
	uid_t		 uid;
	int		 is_root;
	char		*config_path;
	char		*socket_path;
	char		*state_dir;
	char		*log_dir;
	struct timespec	 started;
	uint64_t	 started_mono_ms;
	uint64_t	 next_task_id;
	uint64_t	 tasks_started;
	uint32_t	 nrunning;
	uint32_t	 nqueued;
	int		 shutting_down;
	int		 loading;	/* start-up: schedules not armed yet */
	int		 state_ok;
	char		*state_error;	/* why the saved state was dropped */
	int		 lock_fd;	/* holds STATE_DIR/lock */
	int		 state_dirfd;	/* STATE_DIR, or -1 */
	int		 logs_dirfd;	/* STATE_DIR/logs, or -1 */
	int		 results_dirfd;	/* STATE_DIR/results, or -1 */

	struct job_list	 jobs;
	struct hmap	 job_index;	/* name -> job */
	size_t		 njobs;
	struct job_list	 removed_jobs;	/* holding records of removed jobs */
	struct hmap	 removed_index;	/* name -> latest removed job */
	struct heap	 removed_heap;	/* their ended tasks, oldest first */
	struct hmap	 users;		/* uid -> struct usage */
	struct hmap	 task_index;	/* id -> task */
	struct hmap	 pid_index;	/* pid -> running task */
	struct task_list draining;	/* stopping, waiting for escapees */
	struct task_list running;	/* every running task, any job */
	struct ban_list	 bans;
	size_t		 nbans;
	struct client_list clients;
	size_t		 nclients;
};

extern struct schedd	 sd;

/* change.c */
struct job	*change_job_define(struct job *, struct jobdef *, uid_t);
int		 change_job_remove(struct job *, json_t *, json_t *,
		    enum job_remove_how);
void		 change_job_to_config(struct job *, struct jobdef *);
int		 change_job_pause(struct job *, int);
struct ban	*change_ban(const char *, const char *, uid_t);
int		 change_unban(struct ban *);

/* daemon.c */
void		 daemon_init(void);
void		 daemon_signals(void);
void		 daemon_signals_free(void);
void		 daemon_free(void);
void		 schedd_shutdown(int);
void		 schedd_check_exit(void);
int		 daemon_thread_start(pthread_t *, void *(*)(void *), int [2],
		    struct event **, event_callback_fn);
void		 daemon_thread_stop(pthread_t, int [2], struct event **);
void		 daemon_thread_close(int [2], struct event **);
void		 daemon_thread_report(int [2], const void *, size_t);

/* admit.c */
#define ADMIT_ACK	0x1	/* answered: the state must be writable */
enum proto_error admit_task(const struct job *, const struct jobdef *, uid_t,
		    int, char **);
enum proto_error admit_job(const struct job *, const struct jobdef *, uid_t,
		    int, char **);
void		 usage_jobs(uid_t, int);
void		 usage_queued(uid_t, int);
void		 usage_free_all(void);

/* cgroup-limits.c: limits of schedd.yaml.5, CGROUP_* bits of cgroup.h */
unsigned	 cgroup_limits_needed(const struct jobdef *,
		     const struct settings *);
int		 cgroup_limits_write(int, const struct jobdef *,
		     const struct settings *, char **);
int		 cgroup_controllers_enable(int, unsigned, char **);
int		 cgroup_limits_check(const struct config *, unsigned,
		     const char *, char ***, size_t *);
int		 cgroup_limits_check_job(const struct jobdef *, unsigned,
		     const char *, char **);
int		 cgroup_limits_permitted(const struct jobdef *,
		     const struct settings *, char **);

/* dep.c */
enum proto_error dep_check(json_t *, uid_t, int, struct task_params *,
		    char **);
char		*dep_attach(struct task *);
void		 dep_forget(struct task *);
void		 dep_ended(const struct task *);
void		 dep_restore(void);
void		 dep_free_all(void);

/* hook.c */
enum proto_error hook_check(const struct jobdef *, uid_t, char **);
void		 hook_fire(const struct task *);
void		 hook_lost(const struct task *);
void		 hook_fire_lost(void);

/* job.c */
struct job	*job_create(struct jobdef *, enum job_origin, uid_t);
struct job	*job_find(const char *);
int		 job_owned_by(const struct job *, const struct job_owner *);
void		 job_set_owner(struct job *, enum job_origin, uid_t);
void		 job_set_def(struct job *, struct jobdef *, enum job_def_how);
void		 job_remove(struct job *, json_t *, json_t *,
		    enum job_remove_how);
struct job	*job_holder(const char *);
void		 job_removed_record(struct task *);
void		 job_removed_forget(struct task *);
void		 job_prune_removed(void);
void		 job_maybe_free(struct job *);
uint32_t	 job_concurrency(const struct job *);
uint32_t	 job_queue_limit(const struct job *);
const char	*job_schedule_state(const struct job *);
void		 job_free_all(void);

/* task.c */
struct task	*task_new(struct job *, enum task_trigger, uid_t);
struct task	*task_find(uint64_t);
void		 task_begin(struct task *);
void		 task_unbegin(struct task *);
void		 task_spawn(struct task *);
void		 task_cancel(struct task *, const char *);
int		 task_stop(struct task *, int, enum task_stop);
void		 task_reaped(pid_t, int, const struct rusage *);
json_t		*task_record(const struct task *);
void		 task_record_write(struct jw *, const struct task *);
void		 task_record_fields(struct jw *, const struct task *);
void		 task_params_add(char ***, size_t *, char *);
void		 task_params_env(struct task_params *, const char *,
		    const char *);
void		 task_params_free(struct task_params *);
void		 task_params_copy(struct task_params *,
		    const struct task_params *);
void		 task_params_write(struct jw *, const struct task_params *);
void		 task_watch_add(struct task *, struct task_watch *);
void		 task_watch_remove(struct task *, struct task_watch *);
void		 task_free(struct task *);
const char	*task_state_name(enum task_state);
int		 task_state_parse(const char *);
int		 task_trigger_parse(const char *);
const char	*task_trigger_name(enum task_trigger);
void		 task_prune(struct job *);
void		 task_output_closed(struct task *);
void		 task_cgroup_changed(struct task *);
int		 task_freeze(struct task *, int);
void		 task_prep_batch(void);
void		 task_prep_cache_free(void);
void		 task_started(struct task *, pid_t, char *);
void		 task_start(struct task *, struct task_prep *, int);
void		 task_start_written(uint64_t, int);
void		 task_unspawn(struct task *);
int		 task_start_early(pid_t, int, const struct rusage *);
int		 task_start_pending(pid_t);
void		 task_start_free(void);

/* task-log.c */
void		 task_log(const struct task *, int, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
void		 task_log_end(const struct task *);

/* output.c */
int		 output_start(struct task *);
void		 output_close(struct task *);
void		 output_log_unlink(struct task *);
char		*output_read_log(const struct task *, size_t *);

/* result.c */
int		 result_prepare(char **);
char		*result_name(struct task *, struct task_prep *);
void		 result_started(struct task *, int);
void		 result_take(struct task *);
char		*result_load(const char *, size_t);
char		*result_text(const struct task *);

/* queue.c */
void		 queue_link(struct task *);
struct task	*queue_push(struct job *, enum task_trigger, uid_t);
struct task	*queue_push_params(struct job *, enum task_trigger, uid_t,
		    struct task_params *);
void		 queue_remove(struct task *);
void		 queue_release(struct task *);
void		 queue_update(struct job *);
struct task	*queue_pick(void);
void		 queue_dispatch(void);
void		 queue_dispatch_soon(void);
void		 queue_free(void);

/* sched.c */
struct sched_late {
	uint64_t	 fired;		/* firings since start */
	uint64_t	 sum_us;	/* their lateness */
	size_t		 samples;	/* recent firings the quantiles cover */
	uint32_t	 p50_us, p90_us, p99_us, max_us;
};
void		 sched_init(void);
void		 sched_boot_init(void);
void		 sched_boot_define(struct job *);
int		 sched_boot_due(struct job *);
void		 sched_free(void);
void		 sched_job_init(struct job *);
void		 sched_job_fini(struct job *);
void		 sched_retries_cancel(struct job *);
void		 sched_pause(struct job *);
void		 sched_resume(struct job *);
void		 sched_task_ended(struct task *);
json_t		*sched_next_run(const struct job *);
int		 sched_next_run_ts(const struct job *, struct timespec *);
json_t		*sched_stats(void);
void		 sched_late_stats(struct sched_late *);
void		 sched_expire(void);
void		 sched_poll(void);
int		 sched_due_within(uint64_t);
void		 sched_wall_changed(void);
void		 sched_restore_all(void);
struct retry	*sched_retry_add(struct job *, uint32_t, uid_t, uint64_t);
void		 sched_retry_cancel(struct retry *);
int		 sched_preview(const struct job *, int64_t, size_t, int64_t *,
		    size_t *);
extern uint64_t	 (*sched_mono_ns)(void);
extern void	 (*sched_real_ts)(struct timespec *);

/* reload.c */
int		 reload_run(int, json_t **, char ***, size_t *);

/* state.c */
int		 state_lock(int *, char **);
int		 state_prepare(char **);
int		 state_open(char **);
int		 state_close(void);
int		 state_check(void);
uint64_t	 state_next_id(void);
int		 state_write_now(void);
uint64_t	 state_write_queued(void);
int		 state_write_done(uint64_t);
uint64_t	 state_ack_count(void);
uint64_t	 state_ack_group(void);
uint64_t	 state_ack_done(void);
void		 state_ack_finish(void);
void		 state_bans_later(void);
int		 state_job_def(const struct jobdef *, uid_t, int);
void		 state_job(const struct job *);
int		 state_job_paused(const struct job *, int);
int		 state_job_remove(const char *);
int		 state_bans_propose(const struct ban *, int);
void		 state_task(const struct task *);
int		 state_child_reaped(pid_t, int);

/* ban.c */
struct ban	*ban_match(const char *);
struct ban	*ban_find(const char *);
void		 ban_propose(struct ban *, const char *, const char *, uid_t,
		    int);
struct ban	*ban_add(const char *, const char *, uid_t, int);
struct ban	*ban_set(const struct ban *);
void		 ban_remove(struct ban *);
json_t		*ban_json(const struct ban *);
void		 ban_enforce(const struct ban *, int, json_t *, json_t *);

/* auth.c */
int		 auth_is_admin(uid_t, uid_t);
int		 auth_may_job(uid_t, int, const struct job *);
int		 auth_may_task(uid_t, int, const struct task *);

/* sub.c */
unsigned	 sub_class(const char *);
const char	*sub_name(unsigned);
int		 sub_wanted(unsigned);
void		 sub_emit(unsigned, json_t *);

/* server.c */
int		 server_listen(const char *, mode_t, const char *);
int		 server_in_use(const char *);
void		 server_close(void);
void		 server_adopt(int);
void		 server_flush_all(void);
void		 server_close_clients(void);
void		 server_exit_notify(int, int);

/* client.c */
void		 client_new(int, uid_t, pid_t, int);
void		 client_send(struct client *, json_t *);
void		 client_send_raw(struct client *, const char *, size_t);
int		 client_stream(struct client *, struct jw *,
		    int (*)(struct jw *, void *), void (*)(void *), void *);
void		 client_stream_cancel(struct client *, void *);
void		 client_close(struct client *);
void		 client_undefer(struct client *);
void		 client_hold(struct client *, uint64_t);
void		 client_durable(uint64_t);

/* sjson.c */
json_t		*sjson_time(const struct timespec *);
void		 sjson_write_time(struct jw *, const struct timespec *);
void		 sjson_write(struct jw *, const json_t *);
json_t		*sjson_text(const char *, size_t);
json_t		*sjson_uint(uint64_t);
json_t		*sjson_ms_or_null(int64_t);
json_int_t	 sjson_get_int(json_t *, const char *, json_int_t);

#endif
