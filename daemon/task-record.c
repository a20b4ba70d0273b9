/*
 * Task records (schedd.8 CONTROL PROTOCOL): the names of states and
 * triggers, a task as the JSON record answers and the state hold, and a
 * task rebuilt from a saved record.
 */
#include <sys/types.h>
#include <sys/time.h>

#include <stdlib.h>
#include <string.h>

#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static const char *task_states[] = {
	"queued", "running", "succeeded", "failed", "timeout", "stopped",
	"cancelled", "lost"
};
static const char *task_triggers[] = {
	"schedule", "manual", "add", "retry", "catch_up"
};

static int	 task_trigger_parse(const char *);
static json_t	*task_timeval_ms(const struct timeval *);
static void	 task_record_time(json_t *, const char *, struct timespec *);

const char *
task_state_name(enum task_state s)
{
	return (task_states[s]);
}

/* A state from its name, -1 if unknown. */
int
task_state_parse(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof task_states / sizeof task_states[0]; i++) {
		if (strcmp(task_states[i], name) == 0)
			return ((int)i);
	}
	return (-1);
}

const char *
task_trigger_name(enum task_trigger t)
{
	return (task_triggers[t]);
}

static int
task_trigger_parse(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof task_triggers / sizeof task_triggers[0]; i++) {
		if (strcmp(task_triggers[i], name) == 0)
			return ((int)i);
	}
	return (-1);
}

static json_t *
task_timeval_ms(const struct timeval *tv)
{
	return (json_integer((json_int_t)tv->tv_sec * 1000 +
	    tv->tv_usec / 1000));
}

/* The full task record (schedd.8 CONTROL PROTOCOL). */
json_t *
task_record(const struct task *t)
{
	json_t	*o;

	o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I}",
	    "id", (json_int_t)t->id,
	    "job", t->job->name,
	    "state", task_state_name(t->state),
	    "trigger", task_trigger_name(t->trigger),
	    "attempt", (json_int_t)t->attempt,
	    "uid", (json_int_t)t->uid);
	json_object_set_new(o, "queued_at", sjson_time(&t->queued_at));
	json_object_set_new(o, "started_at", sjson_time(&t->started_at));
	json_object_set_new(o, "finished_at", sjson_time(&t->finished_at));
	json_object_set_new(o, "duration_ms", t->state == TASK_RUNNING ?
	    json_integer((json_int_t)(time_mono_ms() - t->start_mono_ms)) :
	    sjson_ms_or_null(t->duration_ms));
	json_object_set_new(o, "pid", t->pid != 0 ?
	    json_integer(t->pid) : json_null());
	json_object_set_new(o, "exit_code", t->exit_code >= 0 ?
	    json_integer(t->exit_code) : json_null());
	json_object_set_new(o, "signal", t->signal != 0 ?
	    json_integer(t->signal) : json_null());
	json_object_set_new(o, "error", t->error != NULL ?
	    sjson_text(t->error, strlen(t->error)) : json_null());
	if (t->have_rusage) {
		json_object_set_new(o, "user_cpu_ms",
		    task_timeval_ms(&t->rusage.ru_utime));
		json_object_set_new(o, "sys_cpu_ms",
		    task_timeval_ms(&t->rusage.ru_stime));
		json_object_set_new(o, "max_rss_kb",
		    json_integer(t->rusage.ru_maxrss));
	} else {
		json_object_set_new(o, "user_cpu_ms", json_null());
		json_object_set_new(o, "sys_cpu_ms", json_null());
		json_object_set_new(o, "max_rss_kb", json_null());
	}
	json_object_set_new(o, "output", t->state == TASK_QUEUED ?
	    json_null() : sjson_text(t->tail != NULL ? t->tail : "",
	    t->tail_len));
	json_object_set_new(o, "output_bytes", t->state == TASK_QUEUED ?
	    json_null() : sjson_uint(t->output_bytes));
	json_object_set_new(o, "log", t->log_path != NULL ?
	    json_string(t->log_path) : json_null());
	json_object_set_new(o, "memory_peak_bytes", t->memory_peak >= 0 ?
	    json_integer(t->memory_peak) : json_null());
	json_object_set_new(o, "oom_kills", t->oom_kills >= 0 ?
	    json_integer(t->oom_kills) : json_null());
	json_object_set_new(o, "frozen", json_boolean(t->state ==
	    TASK_RUNNING && t->frozen));
	return (o);
}

/* A time from a record: RFC 3339, or null (zero). */
static void
task_record_time(json_t *rec, const char *key, struct timespec *ts)
{
	const char	*s = json_string_value(json_object_get(rec, key));

	if (s == NULL || time_parse(s, 0, ts) != 0) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
	}
}

/*
 * A task rebuilt from a saved record (not on any list yet); like any
 * queued task it takes its job's definition only when it starts.  NULL if
 * the record is unusable.
 */
struct task *
task_from_record(struct job *j, json_t *rec)
{
	struct task	*t;
	const char	*s;
	json_int_t	 ms;
	int		 state, trigger;
	size_t		 len;

	s = json_string_value(json_object_get(rec, "state"));
	if (s == NULL || (state = task_state_parse(s)) == -1)
		return (NULL);
	s = json_string_value(json_object_get(rec, "trigger"));
	if (s == NULL || (trigger = task_trigger_parse(s)) == -1)
		return (NULL);
	t = xcalloc(1, sizeof *t);
	t->id = (uint64_t)sjson_get_int(rec, "id", 0);
	t->job = j;
	t->ridx = SIZE_MAX;
	/* Saved before owners were recorded: its job's. */
	t->owner.origin = j->origin;
	t->owner.uid = j->uid;
	if ((s = json_string_value(json_object_get(rec, "owner"))) != NULL) {
		t->owner.origin = strcmp(s, "config") == 0 ? ORIGIN_CONFIG :
		    ORIGIN_RUNTIME;
		t->owner.uid = (uid_t)sjson_get_int(rec, "owner_uid", 0);
	}
	t->state = state;
	t->trigger = trigger;
	t->attempt = (uint32_t)sjson_get_int(rec, "attempt", 1);
	t->uid = (uid_t)sjson_get_int(rec, "uid", 0);
	t->seq = t->id;
	task_record_time(rec, "queued_at", &t->queued_at);
	task_record_time(rec, "started_at", &t->started_at);
	task_record_time(rec, "finished_at", &t->finished_at);
	t->duration_ms = sjson_get_int(rec, "duration_ms", -1);
	t->pid = (pid_t)sjson_get_int(rec, "pid", 0);
	t->exit_code = (int)sjson_get_int(rec, "exit_code", -1);
	t->signal = (int)sjson_get_int(rec, "signal", 0);
	if ((s = json_string_value(json_object_get(rec, "error"))) != NULL)
		t->error = xstrdup(s);
	if ((ms = sjson_get_int(rec, "user_cpu_ms", -1)) >= 0) {
		t->have_rusage = 1;
		t->rusage.ru_utime.tv_sec = ms / 1000;
		t->rusage.ru_utime.tv_usec = (ms % 1000) * 1000;
		ms = sjson_get_int(rec, "sys_cpu_ms", 0);
		t->rusage.ru_stime.tv_sec = ms / 1000;
		t->rusage.ru_stime.tv_usec = (ms % 1000) * 1000;
		t->rusage.ru_maxrss = sjson_get_int(rec, "max_rss_kb", 0);
	}
	t->memory_peak = sjson_get_int(rec, "memory_peak_bytes", -1);
	t->oom_kills = sjson_get_int(rec, "oom_kills", -1);
	t->cg_fd = t->cg_wd = -1;
	t->tail_cap = sd.settings.output_tail;
	if ((s = json_string_value(json_object_get(rec, "output"))) != NULL &&
	    (len = strlen(s)) > 0 && t->tail_cap > 0) {
		if (len > t->tail_cap) {
			s += len - t->tail_cap;
			len = t->tail_cap;
		}
		t->tail = xmalloc(t->tail_cap);
		memcpy(t->tail, s, len);
		t->tail_len = len;
	}
	t->output_bytes = (uint64_t)sjson_get_int(rec, "output_bytes", 0);
	if ((s = json_string_value(json_object_get(rec, "log"))) != NULL)
		t->log_path = xstrdup(s);
	t->log_fd = -1;
	t->out_fd = -1;
	/* A queued task gets its process and pipe when it starts. */
	if (t->state != TASK_QUEUED)
		t->reaped = t->out_closed = 1;
	LIST_INIT(&t->watches);
	hmap_iput(&sd.task_index, t->id, t);
	return (t);
}
