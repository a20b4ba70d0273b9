/* SPDX-License-Identifier: ISC */
/*
 * What the journal and the snapshot say (doc/state.md): one object per
 * job, task record and ban list, written as text from memory (no tree in
 * between: a snapshot writes every job and record); and a task line read
 * back in place, for the same reason (what is done with the lines loaded
 * is state-load.c's).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "log.h"
#include "schedd.h"
#include "state.h"
#include "util.h"
#include "xmalloc.h"

static void	 state_ban_write(struct jw *, const struct ban *);
static void	 state_def_write(struct jw *, const struct jobdef *);

/*
 * A task as saved: its record, the owner it was queued under, and
 * whether its job was removed (then it belongs to no job of that name
 * defined later).
 */
void
state_task_write(struct jw *w, const struct task *t)
{
	jw_object_open(w);
	task_record_fields(w, t);
	jw_kstring(w, "t", "task");
	jw_kstring(w, "owner", t->owner.origin == ORIGIN_CONFIG ? "config" :
	    "runtime");
	jw_kint(w, "owner_uid", t->owner.uid);
	if (t->job->removed)
		jw_kbool(w, "removed", 1);
	jw_object_close(w);
}

/*
 * A runtime job's definition as saved: as "add" takes it, without the
 * members that are null (unset; jobdef_from_json reads a missing member
 * the same way), which are most of them.
 */
static void
state_def_write(struct jw *w, const struct jobdef *def)
{
	json_t		*o, *v, *sub;
	const char	*k, *sk;
	void		*tmp, *stmp;

	o = jobdef_to_json(def, NULL);
	json_object_foreach_safe(o, tmp, k, v) {
		if (json_is_object(v)) {
			json_object_foreach_safe(v, stmp, sk, sub) {
				if (json_is_null(sub))
					json_object_del(v, sk);
			}
		}
		if (json_is_null(v) || (json_is_object(v) &&
		    json_object_size(v) == 0 && strcmp(k, "env") != 0))
			json_object_del(o, k);
	}
	sjson_write(w, o);
	json_decref(o);
}

/*
 * A job's persistent state; with_def adds a runtime job's definition.
 * paused is the flag to write: the job's, or a proposed one.
 */
void
state_job_write(struct jw *w, const struct job *j, int with_def, int paused)
{
	const struct retry	*r;

	jw_object_open(w);
	jw_kstring(w, "t", "job");
	jw_kstring(w, "name", j->name);
	jw_kstring(w, "origin", j->origin == ORIGIN_CONFIG ? "config" :
	    "runtime");
	jw_kint(w, "uid", j->uid);
	jw_kbool(w, "paused", paused);
	jw_kbool(w, "enabled", j->def->enabled);
	if (with_def && j->origin == ORIGIN_RUNTIME) {
		jw_key(w, "def");
		state_def_write(w, j->def);
	}
	jw_key(w, "counters");
	jw_object_open(w);
	jw_kint(w, "runs", (int64_t)j->counters.runs);
	jw_kint(w, "succeeded", (int64_t)j->counters.succeeded);
	jw_kint(w, "failed", (int64_t)j->counters.failed);
	jw_kint(w, "timeouts", (int64_t)j->counters.timeouts);
	jw_kint(w, "stopped", (int64_t)j->counters.stopped);
	jw_kint(w, "skipped", (int64_t)j->counters.skipped);
	jw_kint(w, "missed", (int64_t)j->counters.missed);
	jw_kint(w, "consecutive_failures",
	    (int64_t)j->counters.consecutive_failures);
	jw_object_close(w);
	jw_key(w, "last");
	jw_object_open(w);
	jw_kint(w, "task", (int64_t)j->last_task);
	jw_kstring(w, "state", task_state_name(j->last_state));
	jw_kint(w, "run_s", (int64_t)j->last_run.tv_sec);
	jw_kint(w, "run_ns", (int64_t)j->last_run.tv_nsec);
	jw_kint(w, "success_s", (int64_t)j->last_success.tv_sec);
	jw_kint(w, "success_ns", (int64_t)j->last_success.tv_nsec);
	jw_object_close(w);
	jw_key(w, "retries");
	jw_array_open(w);
	LIST_FOREACH(r, &j->retries, entry) {
		jw_object_open(w);
		jw_kint(w, "attempt", r->attempt);
		jw_kint(w, "uid", r->uid);
		jw_kint(w, "at_ms", (int64_t)(r->at_ns / 1000000));
		task_params_write(w, &r->params);
		jw_object_close(w);
	}
	jw_array_close(w);
	jw_key(w, "sched");
	jw_object_open(w);
	jw_kint(w, "last_wall", (int64_t)j->last_wall_s);
	jw_kstring(w, "at", j->def->at);
	jw_kbool(w, "at_done", j->at_done);
	jw_kint(w, "runs", (int64_t)j->sched_runs);
	jw_kbool(w, "ended", j->sched_ended);
	if (j->def->at_boot)
		jw_kstring(w, "boot_id", j->boot_id);
	jw_object_close(w);
	jw_object_close(w);
}

/*
 * A runtime job about to be defined at a client's request (the
 * acknowledged line of "add"): its name, owner, paused flag and
 * definition.
 */
void
state_def_line_write(struct jw *w, const struct jobdef *def, uid_t uid,
    int paused)
{
	jw_object_open(w);
	jw_kstring(w, "t", "job");
	jw_kstring(w, "name", def->name);
	jw_kstring(w, "origin", "runtime");
	jw_kint(w, "uid", uid);
	jw_kbool(w, "paused", paused);
	jw_key(w, "def");
	state_def_write(w, def);
	jw_object_close(w);
}

/* A runtime job removed, or its name taken by the configuration. */
void
state_job_gone_write(struct jw *w, const char *name)
{
	jw_object_open(w);
	jw_kstring(w, "t", "job-");
	jw_kstring(w, "name", name);
	jw_object_close(w);
}

static void
state_ban_write(struct jw *w, const struct ban *b)
{
	jw_object_open(w);
	jw_kstring(w, "name", b->name);
	jw_kstring(w, "reason", b->reason);
	jw_kint(w, "since_s", (int64_t)b->since.tv_sec);
	jw_kint(w, "since_ns", (int64_t)b->since.tv_nsec);
	jw_kint(w, "by", b->by);
	jw_kbool(w, "auto", b->automatic);
	jw_object_close(w);
}

/*
 * The ban list (an array, as the snapshot holds it): as it is, or as it
 * would be with the proposed entry set (or, with drop, without an entry
 * of its name).
 */
void
state_bans_list_write(struct jw *w, const struct ban *proposed, int drop)
{
	struct ban	*b;
	int		 done = 0;

	jw_array_open(w);
	TAILQ_FOREACH(b, &sd.bans, entry) {
		if (proposed == NULL || strcmp(b->name, proposed->name) != 0)
			state_ban_write(w, b);
		else if (!drop) {
			state_ban_write(w, proposed);
			done = 1;
		}
	}
	if (proposed != NULL && !drop && !done)
		state_ban_write(w, proposed);
	jw_array_close(w);
}

/* The ban list line of the journal, as state_bans_list_write. */
void
state_bans_write(struct jw *w, const struct ban *proposed, int drop)
{
	jw_object_open(w);
	jw_kstring(w, "t", "bans");
	jw_key(w, "bans");
	state_bans_list_write(w, proposed, drop);
	jw_object_close(w);
}

/* The end of a JSON string whose opening quote is before p, or NULL. */
const char *
state_json_string_end(const char *p, const char *end)
{
	const char	*start = p, *q, *b;

	while ((q = memchr(p, '"', end - p)) != NULL) {
		/* Escaped if an odd number of backslashes precede it. */
		for (b = q; b > start && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return (q + 1);
		p = q + 1;
	}
	return (NULL);
}

/*
 * The end of the JSON value that starts at p: the brackets balance and
 * the strings end.  Only the structure is checked here; jansson parses
 * the value itself.  NULL if the value is cut short or badly nested.
 */
const char *
state_json_skip(const char *p, const char *end)
{
	uint64_t	 objects = 0;	/* a bit per level: an object */
	int		 depth = 0;

	if (p == end)
		return (NULL);
	if (*p != '{' && *p != '[' && *p != '"') {
		/* A number, true, false or null. */
		while (p < end && *p != ',' && *p != '}' && *p != ']' &&
		    *p != ' ' && *p != ':' && *p != '\n' && *p != '\t' &&
		    *p != '\r')
			p++;
		return (p);
	}
	do {
		if (p == end)
			return (NULL);
		switch (*p) {
		case '"':
			if ((p = state_json_string_end(p + 1, end)) == NULL)
				return (NULL);
			continue;
		case '{':
		case '[':
			if (depth == STATE_JSON_DEPTH)
				return (NULL);
			objects = (objects << 1) | (*p == '{');
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0 || (int)(objects & 1) != (*p == '}'))
				return (NULL);
			objects >>= 1;
			depth--;
			break;
		}
		p++;
	} while (depth > 0);
	return (p);
}

const char *
state_json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return (p);
}

/*
 * Reading a task line back (state-load.c) without jansson: a snapshot or
 * journal of many records is mostly task lines, and a tree for each would
 * cost several times what the record itself does.  The line is scanned in
 * place for the members of a task record; anything else is skipped.
 */

/* The members of a task line, in the order state_task_write writes them. */
static const char *state_rec_keys[STATE_REC_MAX] = {
	"id", "job", "state", "trigger", "attempt", "uid", "queued_at",
	"started_at", "finished_at", "duration_ms", "pid", "exit_code",
	"signal", "error", "user_cpu_ms", "sys_cpu_ms", "max_rss_kb", "output",
	"output_bytes", "log", "memory_peak_bytes", "oom_kills", "frozen",
	"args", "env", "result", "result_error", "after", "waiting", "t",
	"owner", "owner_uid", "removed"
};

static int	 state_rec_key(const char *, size_t, int);
static int	 state_rec_member(const char *, size_t, const char *,
		    const char *, void *);
static char	*state_rec_str(const struct state_rec *, int, size_t *);
static void	 state_rec_time(const struct state_rec *, int,
		    struct timespec *);
static json_t	*state_rec_json(const struct state_rec *, int);
static void	 state_rec_params(const struct state_rec *, struct task *);
static void	 state_rec_after(struct task *, uint64_t);

/* Which member a key is; the one after the last is tried first. */
static int
state_rec_key(const char *k, size_t len, int next)
{
	int	 i;

	if (next < STATE_REC_MAX && strlen(state_rec_keys[next]) == len &&
	    memcmp(state_rec_keys[next], k, len) == 0)
		return (next);
	for (i = 0; i < STATE_REC_MAX; i++) {
		if (strlen(state_rec_keys[i]) == len &&
		    memcmp(state_rec_keys[i], k, len) == 0)
			return (i);
	}
	return (-1);
}

/*
 * Call fn for each member of the JSON object [p, end): its key (as
 * written, without the quotes) and where its value is.  Only the
 * structure is checked.  -1 if it is not one well-formed object, or fn
 * returned -1.
 */
int
state_json_members(const char *p, const char *end, int (*fn)(const char *,
    size_t, const char *, const char *, void *), void *arg)
{
	const char	*k, *ke, *v;

	p = state_json_ws(p, end);
	if (p == end || *p != '{')
		return (-1);
	p = state_json_ws(p + 1, end);
	if (p < end && *p == '}')
		return (state_json_ws(p + 1, end) == end ? 0 : -1);
	for (;;) {
		if (p == end || *p != '"' ||
		    (ke = state_json_string_end(p + 1, end)) == NULL)
			return (-1);
		k = p + 1;
		p = state_json_ws(ke, end);
		if (p == end || *p != ':')
			return (-1);
		v = state_json_ws(p + 1, end);
		if ((p = state_json_skip(v, end)) == NULL || p == v ||
		    fn(k, ke - 1 - k, v, p, arg) != 0)
			return (-1);
		p = state_json_ws(p, end);
		if (p < end && *p == ',') {
			p = state_json_ws(p + 1, end);
			continue;
		}
		if (p == end || *p != '}')
			return (-1);
		return (state_json_ws(p + 1, end) == end ? 0 : -1);
	}
}

/* A member of a task line: where its value is (a member twice: -1). */
static int
state_rec_member(const char *k, size_t klen, const char *v, const char *e,
    void *arg)
{
	struct state_rec	*r = arg;
	int			 i;

	if ((i = state_rec_key(k, klen, r->next)) == -1)
		return (0);
	if (r->v[i] != NULL)
		return (-1);
	r->v[i] = v;
	r->len[i] = e - v;
	r->next = i + 1;
	return (0);
}

/*
 * Scan one JSON object, [p, end), for the members of a task line: where
 * each value is; other members are skipped.  -1 if it is not one
 * well-formed object, or has a member twice.
 */
int
state_rec_scan(const char *p, const char *end, struct state_rec *r)
{
	memset(r, 0, sizeof *r);
	return (state_json_members(p, end, state_rec_member, r));
}

/* An integer member; -1 if it is missing or not an integer. */
int
state_rec_int(const struct state_rec *r, int i, int64_t *out)
{
	const char	*p = r->v[i], *end;
	uint64_t	 n = 0;
	int		 neg = 0;

	if (p == NULL)
		return (-1);
	end = p + r->len[i];
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || end - p > 19 || (*p == '0' && end - p > 1))
		return (-1);
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > (uint64_t)INT64_MAX)
		return (-1);
	*out = neg ? -(int64_t)n : (int64_t)n;
	return (0);
}

/*
 * A string member, NUL-terminated, caller frees (its length in lenp);
 * NULL if it is missing or not a string.
 */
static char *
state_rec_str(const struct state_rec *r, int i, size_t *lenp)
{
	const char	*p = r->v[i];
	size_t		 len = r->len[i];
	json_t		*v;
	char		*s;

	if (p == NULL || *p != '"')
		return (NULL);
	if (memchr(p, '\\', len) == NULL) {
		s = xmalloc(len - 1);
		memcpy(s, p + 1, len - 2);
		s[len - 2] = '\0';
		*lenp = len - 2;
		return (s);
	}
	/* Escapes are rare: jansson undoes them. */
	if ((v = json_loadb(p, len, JSON_DECODE_ANY, NULL)) == NULL ||
	    !json_is_string(v)) {
		json_decref(v);
		return (NULL);
	}
	*lenp = json_string_length(v);
	s = xmalloc(*lenp + 1);
	memcpy(s, json_string_value(v), *lenp + 1);
	json_decref(v);
	return (s);
}

/* Is a member this plain string (no escapes)? */
int
state_rec_is(const struct state_rec *r, int i, const char *s)
{
	size_t	 len = strlen(s);

	return (r->v[i] != NULL && r->len[i] == len + 2 &&
	    memcmp(r->v[i] + 1, s, len) == 0 && r->v[i][0] == '"');
}

/*
 * A short string member into buf (size bytes, NUL-terminated): a name, a
 * state, a time.  -1 if it is missing, not a string or too long.
 */
int
state_rec_word(const struct state_rec *r, int i, char *buf, size_t size)
{
	char	*s;
	size_t	 len;

	if (r->v[i] != NULL && *r->v[i] == '"' &&
	    memchr(r->v[i], '\\', r->len[i]) == NULL) {
		if ((len = r->len[i] - 2) >= size ||
		    memchr(r->v[i] + 1, '\0', len) != NULL)
			return (-1);
		memcpy(buf, r->v[i] + 1, len);
		buf[len] = '\0';
		return (0);
	}
	if ((s = state_rec_str(r, i, &len)) == NULL)
		return (-1);
	if (len >= size || strlen(s) != len) {
		free(s);
		return (-1);
	}
	memcpy(buf, s, len + 1);
	free(s);
	return (0);
}

/* A time member: RFC 3339, or null (zero). */
static void
state_rec_time(const struct state_rec *r, int i, struct timespec *ts)
{
	char	 buf[64];

	if (state_rec_word(r, i, buf, sizeof buf) != 0 ||
	    time_parse(buf, 0, ts) != 0) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
	}
}

/* A member that is a list or object (few tasks have one), or NULL. */
static json_t *
state_rec_json(const struct state_rec *r, int i)
{
	if (r->v[i] == NULL || (*r->v[i] != '{' && *r->v[i] != '['))
		return (NULL);
	return (json_loadb(r->v[i], r->len[i], 0, NULL));
}

/* A task's own arguments and variables. */
static void
state_rec_params(const struct state_rec *r, struct task *t)
{
	json_t		*o, *v;
	const char	*k;
	size_t		 i;

	if ((o = state_rec_json(r, STATE_REC_ARGS)) != NULL) {
		json_array_foreach(o, i, v) {
			if (json_is_string(v))
				task_params_add(&t->params.args,
				    &t->params.nargs,
				    xstrdup(json_string_value(v)));
		}
		json_decref(o);
	}
	if ((o = state_rec_json(r, STATE_REC_ENV)) != NULL) {
		json_object_foreach(o, k, v) {
			if (json_is_string(v))
				task_params_env(&t->params, k,
				    json_string_value(v));
		}
		json_decref(o);
	}
	if ((o = state_rec_json(r, STATE_REC_AFTER)) != NULL) {
		json_array_foreach(o, i, v) {
			if (json_is_integer(v) && json_integer_value(v) > 0)
				state_rec_after(t, (uint64_t)
				    json_integer_value(v));
		}
		json_decref(o);
	}
	/* Off its ready queue until dep_restore has looked. */
	t->nwait = t->state == TASK_QUEUED && t->params.nafter > 0;
}

/* One more task t waits for. */
static void
state_rec_after(struct task *t, uint64_t id)
{
	t->params.after = xreallocarray(t->params.after,
	    t->params.nafter + 1, sizeof *t->params.after);
	t->params.after[t->params.nafter++] = id;
}

/*
 * A task rebuilt from a scanned task line, for job j (not on any list
 * yet); like any queued task it takes its job's definition only when it
 * starts.  NULL if the record is unusable.
 */
struct task *
state_task_read(struct job *j, const struct state_rec *r)
{
	struct task	*t;
	char		 buf[32], *s;
	int64_t		 n;
	int		 state, trigger;
	size_t		 len;

	if (state_rec_word(r, STATE_REC_STATE, buf, sizeof buf) != 0 ||
	    (state = task_state_parse(buf)) == -1)
		return (NULL);
	if (state_rec_word(r, STATE_REC_TRIGGER, buf, sizeof buf) != 0 ||
	    (trigger = task_trigger_parse(buf)) == -1)
		return (NULL);
	t = xcalloc(1, sizeof *t);
	t->id = state_rec_int(r, STATE_REC_ID, &n) == 0 ? (uint64_t)n : 0;
	t->job = j;
	t->ridx = SIZE_MAX;
	/* Saved before owners were recorded: its job's. */
	t->owner.origin = j->origin;
	t->owner.uid = j->uid;
	if (r->v[STATE_REC_OWNER] != NULL && *r->v[STATE_REC_OWNER] == '"') {
		t->owner.origin = state_rec_is(r, STATE_REC_OWNER, "config") ?
		    ORIGIN_CONFIG : ORIGIN_RUNTIME;
		t->owner.uid = state_rec_int(r, STATE_REC_OWNER_UID, &n) == 0 ?
		    (uid_t)n : 0;
	}
	t->state = state;
	t->trigger = trigger;
	t->attempt = state_rec_int(r, STATE_REC_ATTEMPT, &n) == 0 ?
	    (uint32_t)n : 1;
	t->uid = state_rec_int(r, STATE_REC_UID, &n) == 0 ? (uid_t)n : 0;
	t->seq = t->id;
	state_rec_time(r, STATE_REC_QUEUED_AT, &t->queued_at);
	state_rec_time(r, STATE_REC_STARTED_AT, &t->started_at);
	state_rec_time(r, STATE_REC_FINISHED_AT, &t->finished_at);
	t->duration_ms = state_rec_int(r, STATE_REC_DURATION_MS, &n) == 0 ?
	    n : -1;
	t->pid = state_rec_int(r, STATE_REC_PID, &n) == 0 ? (pid_t)n : 0;
	t->exit_code = state_rec_int(r, STATE_REC_EXIT_CODE, &n) == 0 ?
	    (int)n : -1;
	t->signal = state_rec_int(r, STATE_REC_SIGNAL, &n) == 0 ? (int)n : 0;
	t->error = state_rec_str(r, STATE_REC_ERROR, &len);
	if (state_rec_int(r, STATE_REC_USER_CPU_MS, &n) == 0 && n >= 0) {
		t->have_rusage = 1;
		t->rusage.ru_utime.tv_sec = n / 1000;
		t->rusage.ru_utime.tv_usec = (n % 1000) * 1000;
		if (state_rec_int(r, STATE_REC_SYS_CPU_MS, &n) != 0)
			n = 0;
		t->rusage.ru_stime.tv_sec = n / 1000;
		t->rusage.ru_stime.tv_usec = (n % 1000) * 1000;
		if (state_rec_int(r, STATE_REC_MAX_RSS_KB, &n) != 0)
			n = 0;
		t->rusage.ru_maxrss = n;
	}
	t->memory_peak = state_rec_int(r, STATE_REC_MEMORY_PEAK, &n) == 0 ?
	    n : -1;
	t->oom_kills = state_rec_int(r, STATE_REC_OOM_KILLS, &n) == 0 ?
	    n : -1;
	t->cg_fd = t->cg_wd = -1;
	t->tail_cap = sd.settings.output_tail;
	/*
	 * The last output_tail bytes, in a buffer of their size: an ended
	 * task's output never grows, and a queued one has none yet.
	 */
	if ((s = state_rec_str(r, STATE_REC_OUTPUT, &len)) != NULL &&
	    (len = strlen(s)) > 0 && t->tail_cap > 0) {
		if (len > t->tail_cap) {
			memmove(s, s + len - t->tail_cap, t->tail_cap);
			len = t->tail_cap;
		}
		t->tail = xreallocarray(s, len, 1);
		t->tail_len = len;
		s = NULL;
	}
	free(s);
	t->output_bytes = state_rec_int(r, STATE_REC_OUTPUT_BYTES, &n) == 0 ?
	    (uint64_t)n : 0;
	t->log_path = state_rec_str(r, STATE_REC_LOG, &len);
	state_rec_params(r, t);
	t->result = result_load(r->v[STATE_REC_RESULT],
	    r->len[STATE_REC_RESULT]);
	t->result_error = state_rec_str(r, STATE_REC_RESULT_ERROR, &len);
	t->log_fd = -1;
	t->out_fd = -1;
	/* A queued task gets its process and pipe when it starts. */
	if (t->state != TASK_QUEUED)
		t->reaped = t->out_closed = 1;
	LIST_INIT(&t->watches);
	hmap_iput(&sd.task_index, t->id, t);
	return (t);
}
