/* SPDX-License-Identifier: ISC */
/*
 * Metrics in the Prometheus text exposition format (schedd.8 METRICS):
 * a snapshot of the numbers, taken in the loop in one pass over the jobs
 * (metrics_take), then written as text a part at a time from the
 * snapshot alone (metrics_text), so that the "metrics" answer can go out
 * over several loop turns and the metrics_file thread can write it
 * without touching the daemon's state.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "metrics.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

/* Jobs taken between two looks at the timers (a power of two). */
#define METRICS_POLL	1024

/* The values of schedd_job_tasks_total's "state" label, in order. */
enum metrics_state {
	MS_SUCCEEDED, MS_FAILED, MS_TIMEOUT, MS_STOPPED, MS_SKIPPED,
	MS_MISSED, MS_COUNT
};
static const char *metrics_state_names[MS_COUNT] = {
	"succeeded", "failed", "timeout", "stopped", "skipped", "missed"
};

/* One job's numbers; -1 for a time it does not have. */
struct metrics_job {
	size_t		 name;		/* offset in names */
	uint64_t	 count[MS_COUNT];
	uint64_t	 consecutive_failures;
	uint32_t	 running;
	uint32_t	 queued;
	int64_t		 success_ms;
	int64_t		 duration_ms;
	int64_t		 next_ms;
};

/* The families written for every job, in the order written. */
enum metrics_family {
	MF_TASKS, MF_SUCCESS, MF_DURATION, MF_RUNNING, MF_QUEUED, MF_NEXT,
	MF_FAILURES, MF_COUNT
};
static const struct {
	const char	*name;
	const char	*type;
	const char	*help;
} metrics_families[MF_COUNT] = {
	{ "schedd_job_tasks_total", "counter", "Tasks of the job that ended, "
	    "by how, and scheduled firings skipped or missed." },
	{ "schedd_job_last_success_timestamp_seconds", "gauge",
	    "When the job's last successful task ended." },
	{ "schedd_job_last_duration_seconds", "gauge",
	    "How long the job's last ended task ran." },
	{ "schedd_job_running", "gauge", "Tasks of the job running now." },
	{ "schedd_job_queued", "gauge", "Tasks of the job queued now." },
	{ "schedd_job_next_run_timestamp_seconds", "gauge",
	    "When the job's schedule fires next." },
	{ "schedd_job_consecutive_failures", "gauge",
	    "Tasks of the job that failed or timed out in a row." },
};

struct metrics {
	struct metrics_job *v;
	size_t		 n;
	char		*names;
	size_t		 names_len;

	int64_t		 start_ms;
	uint64_t	 started;
	uint32_t	 running;
	uint32_t	 queued;
	size_t		 njobs;
	int		 state_ok;
	struct sched_late late;

	int		 family;	/* -1: the daemon's, not yet */
	int		 headed;	/* its HELP and TYPE are written */
	size_t		 next;		/* the job next in the family */
};

static void	 metrics_head(struct jw *, const char *, const char *,
		    const char *);
static void	 metrics_uint(struct jw *, const char *, uint64_t);
static void	 metrics_u64(struct jw *, uint64_t, int);
static void	 metrics_ms(struct jw *, int64_t);
static void	 metrics_us(struct jw *, uint64_t);
static void	 metrics_daemon(struct jw *, const struct metrics *);
static void	 metrics_job_start(struct jw *, const char *, size_t,
		    const char *);
static void	 metrics_job_line(struct jw *, const struct metrics *,
		    const struct metrics_job *, enum metrics_family);

static int64_t
metrics_ts_ms(const struct timespec *ts)
{
	if (ts->tv_sec <= 0)
		return (-1);
	return ((int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000);
}

/*
 * Take the numbers of the daemon and of every job, now.  Timers that
 * come due during a long pass fire on the way (sched_poll): a firing
 * queues a task but never takes a job out of the list (a schedule that
 * ended removes its job later, sched.c), so the pass goes on safely.
 */
struct metrics *
metrics_take(void)
{
	struct metrics		*m;
	struct metrics_job	*mj;
	struct job		*j;
	struct task		*t;
	struct timespec		 ts;
	size_t			 size = 0, len;

	m = xcalloc(1, sizeof *m);
	m->family = -1;
	m->start_ms = metrics_ts_ms(&sd.started);
	m->started = sd.tasks_started;
	m->running = sd.nrunning;
	m->queued = sd.nqueued;
	m->njobs = sd.njobs;
	m->state_ok = sd.state_ok;
	sched_late_stats(&m->late);

	TAILQ_FOREACH(j, &sd.jobs, entry)
		size += strlen(j->name) + 1;
	m->v = xreallocarray(NULL, sd.njobs + 1, sizeof *m->v);
	m->names = xmalloc(size + 1);
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		if ((m->n & (METRICS_POLL - 1)) == METRICS_POLL - 1)
			sched_poll();
		mj = &m->v[m->n++];
		len = strlen(j->name) + 1;
		memcpy(m->names + m->names_len, j->name, len);
		mj->name = m->names_len;
		m->names_len += len;
		mj->count[MS_SUCCEEDED] = j->counters.succeeded;
		mj->count[MS_FAILED] = j->counters.failed;
		mj->count[MS_TIMEOUT] = j->counters.timeouts;
		mj->count[MS_STOPPED] = j->counters.stopped;
		mj->count[MS_SKIPPED] = j->counters.skipped;
		mj->count[MS_MISSED] = j->counters.missed;
		mj->consecutive_failures = j->counters.consecutive_failures;
		mj->running = j->nrunning;
		mj->queued = j->nqueued;
		mj->success_ms = metrics_ts_ms(&j->last_success);
		mj->duration_ms = -1;
		if (j->last_task != 0 &&
		    (t = task_find(j->last_task)) != NULL)
			mj->duration_ms = t->duration_ms;
		mj->next_ms = -1;
		if (sched_next_run_ts(j, &ts) == 0)
			mj->next_ms = metrics_ts_ms(&ts);
	}
	return (m);
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m->names);
	free(m);
}

/* A family's HELP and TYPE lines. */
static void
metrics_head(struct jw *w, const char *name, const char *type,
    const char *help)
{
	char	 buf[512];
	int	 n;

	n = snprintf(buf, sizeof buf, "# HELP %s %s\n# TYPE %s %s\n", name,
	    help, name, type);
	jw_append(w, buf, (size_t)n);
}

/* A sample without labels, an integer. */
static void
metrics_uint(struct jw *w, const char *name, uint64_t v)
{
	jw_append(w, name, strlen(name));
	jw_append(w, " ", 1);
	metrics_u64(w, v, 0);
	jw_append(w, "\n", 1);
}

/*
 * A number in decimal, with at least width digits (zeros first): a
 * million of them go out per scrape, printf would be most of its cost.
 */
static void
metrics_u64(struct jw *w, uint64_t v, int width)
{
	char	 buf[24], *p = buf + sizeof buf;

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	while (buf + sizeof buf - p < width)
		*--p = '0';
	jw_append(w, p, (size_t)(buf + sizeof buf - p));
}

/* Milliseconds as seconds: no floating point, exact. */
static void
metrics_ms(struct jw *w, int64_t ms)
{
	if (ms < 0) {
		jw_append(w, "-", 1);
		ms = -ms;
	}
	metrics_u64(w, (uint64_t)ms / 1000, 0);
	jw_append(w, ".", 1);
	metrics_u64(w, (uint64_t)ms % 1000, 3);
}

/* Microseconds as seconds. */
static void
metrics_us(struct jw *w, uint64_t us)
{
	metrics_u64(w, us / 1000000, 0);
	jw_append(w, ".", 1);
	metrics_u64(w, us % 1000000, 6);
}

/* The daemon-wide families. */
static void
metrics_daemon(struct jw *w, const struct metrics *m)
{
	static const struct {
		const char	*q;
		size_t		 off;
	} qs[] = {
		{ "0.5", offsetof(struct sched_late, p50_us) },
		{ "0.9", offsetof(struct sched_late, p90_us) },
		{ "0.99", offsetof(struct sched_late, p99_us) },
		{ "1", offsetof(struct sched_late, max_us) },
	};
	const char	*name = "schedd_timer_lateness_seconds";
	size_t		 i;
	uint32_t	 v;

	metrics_head(w, "schedd_up", "gauge", "1 while schedd runs.");
	metrics_uint(w, "schedd_up", 1);
	metrics_head(w, "schedd_state_ok", "gauge",
	    "1 while the state folder can be written, else 0.");
	metrics_uint(w, "schedd_state_ok", m->state_ok ? 1 : 0);
	metrics_head(w, "schedd_start_time_seconds", "gauge",
	    "When schedd started.");
	jw_append(w, "schedd_start_time_seconds ", 26);
	metrics_ms(w, m->start_ms);
	jw_append(w, "\n", 1);
	metrics_head(w, "schedd_tasks_started_total", "counter",
	    "Tasks started since schedd started.");
	metrics_uint(w, "schedd_tasks_started_total", m->started);
	metrics_head(w, "schedd_jobs", "gauge", "Jobs defined.");
	metrics_uint(w, "schedd_jobs", m->njobs);
	metrics_head(w, "schedd_tasks_running", "gauge",
	    "Tasks running now.");
	metrics_uint(w, "schedd_tasks_running", m->running);
	metrics_head(w, "schedd_tasks_queued", "gauge", "Tasks queued now.");
	metrics_uint(w, "schedd_tasks_queued", m->queued);

	metrics_head(w, name, "summary", "How late timers fired: quantiles "
	    "over the recent firings, sum and count since schedd started.");
	for (i = 0; m->late.samples > 0 && i < sizeof qs / sizeof qs[0]; i++) {
		memcpy(&v, (const char *)&m->late + qs[i].off, sizeof v);
		jw_append(w, name, strlen(name));
		jw_append(w, "{quantile=\"", 11);
		jw_append(w, qs[i].q, strlen(qs[i].q));
		jw_append(w, "\"} ", 3);
		metrics_us(w, v);
		jw_append(w, "\n", 1);
	}
	jw_append(w, "schedd_timer_lateness_seconds_sum ", 34);
	metrics_us(w, m->late.sum_us);
	jw_append(w, "\n", 1);
	metrics_uint(w, "schedd_timer_lateness_seconds_count", m->late.fired);
}

/* A label value in quotes, escaped as the format says. */
void
metrics_label(struct jw *w, const char *s)
{
	char	*p;

	jw_append(w, "\"", 1);
	for (; *s != '\0'; s++) {
		p = jw_room(w, 2);
		if (*s == '\\' || *s == '"') {
			p[0] = '\\';
			p[1] = *s;
			w->len += 2;
		} else if (*s == '\n') {
			p[0] = '\\';
			p[1] = 'n';
			w->len += 2;
		} else {
			p[0] = *s;
			w->len++;
		}
	}
	jw_append(w, "\"", 1);
}

/* The start of a job's sample: the name and its job label, open. */
static void
metrics_job_start(struct jw *w, const char *name, size_t len,
    const char *job)
{
	jw_append(w, name, len);
	jw_append(w, "{job=", 5);
	metrics_label(w, job);
}

/* The sample(s) of one job in one family; none for a time it lacks. */
static void
metrics_job_line(struct jw *w, const struct metrics *m,
    const struct metrics_job *mj, enum metrics_family f)
{
	const char	*name = metrics_families[f].name;
	const char	*job = m->names + mj->name;
	size_t		 len = strlen(name);
	int64_t		 ms;
	int		 s;

	switch (f) {
	case MF_TASKS:
		for (s = 0; s < MS_COUNT; s++) {
			metrics_job_start(w, name, len, job);
			jw_append(w, ",state=\"", 8);
			jw_append(w, metrics_state_names[s],
			    strlen(metrics_state_names[s]));
			jw_append(w, "\"} ", 3);
			metrics_u64(w, mj->count[s], 0);
			jw_append(w, "\n", 1);
		}
		return;
	case MF_SUCCESS:
	case MF_DURATION:
	case MF_NEXT:
		ms = f == MF_SUCCESS ? mj->success_ms : f == MF_DURATION ?
		    mj->duration_ms : mj->next_ms;
		if (ms < 0)
			return;
		metrics_job_start(w, name, len, job);
		jw_append(w, "} ", 2);
		metrics_ms(w, ms);
		break;
	default:
		metrics_job_start(w, name, len, job);
		jw_append(w, "} ", 2);
		metrics_u64(w, f == MF_RUNNING ? mj->running : f == MF_QUEUED ?
		    mj->queued : mj->consecutive_failures, 0);
		break;
	}
	jw_append(w, "\n", 1);
}

/*
 * Append the text to w until it holds at least part bytes (0: no limit)
 * or the text ended: then 1.  Lines are whole.
 */
int
metrics_text(struct metrics *m, struct jw *w, size_t part)
{
	if (m->family == -1) {
		metrics_daemon(w, m);
		m->family = 0;
		m->next = 0;
	}
	while (m->family < MF_COUNT) {
		if (!m->headed)
			metrics_head(w, metrics_families[m->family].name,
			    metrics_families[m->family].type,
			    metrics_families[m->family].help);
		m->headed = 1;
		while (m->next < m->n) {
			if (part != 0 && w->len >= part)
				return (0);
			metrics_job_line(w, m, &m->v[m->next++], m->family);
		}
		m->family++;
		m->next = 0;
		m->headed = 0;
	}
	return (1);
}
