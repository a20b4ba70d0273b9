/* SPDX-License-Identifier: ISC */
/*
 * Loading the saved state at start: the snapshot, then the journal of the
 * same generation, each line an upsert applied in order ("last line
 * wins"); a torn last line is skipped, an unreadable snapshot is moved
 * aside, a newer format refuses the start.  Tasks that were running are
 * lost, and what is left of them is killed.
 *
 * Both files are read through a read-only mapping, one record at a time:
 * each job, task record or journal line is parsed on its own, applied
 * (state-apply.c) and freed, so no tree of the whole state is ever built
 * and the memory a start leaves behind is what the state itself takes
 * (doc/state.md).
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config-node.h"
#include "log.h"
#include "proctree.h"
#include "schedd.h"
#include "state.h"
#include "util.h"
#include "xmalloc.h"

/* Pages read are given back every so many bytes. */
#define STATE_MAP_RELEASE	(8 * 1024 * 1024)

/* A state file mapped for reading. */
struct state_map {
	const char	*base;
	size_t		 len;
	size_t		 released;	/* pages given back below this */
};

/* Where the parts of a snapshot are (start and end of each value). */
struct state_snap_parts {
	const char	*version[2];
	const char	*generation[2];
	const char	*next_id[2];
	const char	*jobs[2];
	const char	*bans[2];
	const char	*tasks[2];
};

static uint64_t	 state_loaded;		/* bytes of state files read */
static int	 state_had_new;		/* a journal.new was there */

static int	 state_map_open(const char *, struct state_map *);
static void	 state_map_release(struct state_map *, const char *);
static void	 state_map_close(struct state_map *);
static json_int_t state_json_int(const char *const *);
static int	 state_snap_member(const char *, size_t, const char *,
		    const char *, void *);
static int	 state_snap_scan(const char *, const char *,
		    struct state_snap_parts *);
static size_t	 state_snap_each(struct state_map *, const char *const *,
		    int (*)(const char *, const char *));
static int	 state_newer(const char *, json_int_t, char **);
static int	 state_load_snapshot(const char *, char **);
static void	 state_keep_copy(const char *, const char *);
static int	 state_load_job(const char *, const char *);
static int	 state_load_task(const char *, const char *);
static void	 state_lose_running(struct job_list *);
static void	 state_cancel_foreign(void);

/* Move an unreadable file aside, loudly. */
static void
state_move_aside(const char *name, const char *why)
{
	char	*path, *to, *toname;

	path = state_path(name);
	xasprintf(&toname, "%s.corrupt-%lld", name, (long long)time(NULL));
	to = state_path(toname);
	if (renameat(sd.state_dirfd, name, sd.state_dirfd, toname) == -1)
		log_warn("state: rename %s", path);
	free(toname);
	log_errorx("STATE LOST: %s %s; moved to %s and starting without it",
	    path, why, to);
	if (sd.state_error == NULL)
		xasprintf(&sd.state_error, "%s %s; moved to %s", path, why, to);
	else {
		char	*both;

		xasprintf(&both, "%s; %s %s; moved to %s", sd.state_error,
		    path, why, to);
		free(sd.state_error);
		sd.state_error = both;
	}
	free(path);
	free(to);
}

/*
 * Map a file of the state folder for reading (never through a symbolic
 * link, nor waiting on a FIFO).  -1 and errno on failure: ENOENT none,
 * ELOOP a link, EINVAL not a regular file.  An empty file maps to
 * nothing.
 */
static int
state_map_open(const char *name, struct state_map *m)
{
	struct stat	 st;
	void		*p = NULL;
	int		 fd, saved;

	if ((fd = openat(sd.state_dirfd, name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
		    0);
		if (p == MAP_FAILED)
			goto fail;
		madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	m->base = p;
	m->len = p != NULL ? (size_t)st.st_size : 0;
	m->released = 0;
	state_loaded += m->len;
	return (0);
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
}

/*
 * Everything below upto has been read: give its pages back now and then,
 * so a large file does not stay resident while the next records load.
 */
static void
state_map_release(struct state_map *m, const char *upto)
{
	size_t	 off, page = (size_t)getpagesize();

	off = (size_t)(upto - m->base) & ~(page - 1);
	if (off < m->released + STATE_MAP_RELEASE)
		return;
	madvise((char *)m->base + m->released, off - m->released,
	    MADV_DONTNEED);
	m->released = off;
}

static void
state_map_close(struct state_map *m)
{
	if (m->base != NULL)
		munmap((void *)m->base, m->len);
	m->base = NULL;
	m->len = 0;
}

/* An integer part of a snapshot, 0 if missing or not an integer. */
static json_int_t
state_json_int(const char *const *part)
{
	json_t		*v;
	json_int_t	 n;

	if (part[0] == NULL)
		return (0);
	v = json_loadb(part[0], part[1] - part[0], JSON_DECODE_ANY, NULL);
	n = json_integer_value(v);
	json_decref(v);
	return (n);
}

/* A member of a snapshot: where the value of a known one is. */
static int
state_snap_member(const char *k, size_t klen, const char *v, const char *e,
    void *arg)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} keys[] = {
		{ "version", offsetof(struct state_snap_parts, version) },
		{ "generation", offsetof(struct state_snap_parts, generation) },
		{ "next_task_id", offsetof(struct state_snap_parts, next_id) },
		{ "jobs", offsetof(struct state_snap_parts, jobs) },
		{ "bans", offsetof(struct state_snap_parts, bans) },
		{ "tasks", offsetof(struct state_snap_parts, tasks) },
	};
	const char	**part;
	size_t		  i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (klen == strlen(keys[i].key) &&
		    memcmp(k, keys[i].key, klen) == 0) {
			part = (const char **)((char *)arg + keys[i].off);
			part[0] = v;
			part[1] = e;
		}
	}
	return (0);
}

/*
 * Find the parts of a snapshot, {"version":1,"generation":N,...} (keys in
 * any order), checking its structure to the end without parsing it: a
 * snapshot that is cut short or badly nested is refused before anything
 * of it is applied.  -1 if it is not one JSON object.
 */
static int
state_snap_scan(const char *p, const char *end, struct state_snap_parts *sp)
{
	memset(sp, 0, sizeof *sp);
	return (state_json_members(p, end, state_snap_member, sp));
}

/*
 * Apply each object of an array part of a snapshot, one at a time.
 * Returns how many could not be read.
 */
static size_t
state_snap_each(struct state_map *m, const char *const *part,
    int (*fn)(const char *, const char *))
{
	const char	*p, *e, *end = part[1];
	size_t		 bad = 0;

	if (part[0] == NULL || *part[0] != '[')
		return (0);
	for (p = part[0] + 1;; p = e) {
		p = state_json_ws(p, end);
		if (p < end && *p == ',')
			p = state_json_ws(p + 1, end);
		if (p == end || *p == ']')
			break;
		if ((e = state_json_skip(p, end)) == NULL || e == p) {
			bad++;	/* no value: the rest is not a list */
			break;
		}
		if (fn(p, e) != 0)
			bad++;
		state_map_release(m, e);
	}
	return (bad);
}

/* A job of a snapshot; -1 if it does not parse. */
static int
state_load_job(const char *p, const char *end)
{
	struct cerrs	 errs;
	struct cnode	*n;
	json_t		*o;
	const char	*q = p;

	/* Read straight into nodes; what that reader leaves, by jansson. */
	if ((n = cnode_from_json(&q, end)) == NULL || q != end) {
		cnode_free(n);
		o = json_loadb(p, end - p, JSON_REJECT_DUPLICATES, NULL);
		if (o == NULL || !json_is_object(o)) {
			json_decref(o);
			return (-1);
		}
		memset(&errs, 0, sizeof errs);
		n = cnode_from_jansson(o, NULL, NULL, &errs);
		json_decref(o);
		cerr_clear(&errs);
	}
	if (n->type != CNODE_MAP) {
		cnode_free(n);
		return (-1);
	}
	state_apply_job(n);
	cnode_free(n);
	return (0);
}

/* A task record of a snapshot, read in place; -1 if it does not parse. */
static int
state_load_task(const char *p, const char *end)
{
	struct state_rec	 r;

	if (state_rec_scan(p, end, &r) != 0)
		return (-1);
	state_apply_task(&r);
	return (0);
}

/*
 * A file some of whose records could not be read is kept as it was,
 * beside the state that replaces it.
 */
static void
state_keep_copy(const char *name, const char *why)
{
	char	*toname, *to;

	xasprintf(&toname, "%s.corrupt-%lld", name, (long long)time(NULL));
	to = state_path(toname);
	if (linkat(sd.state_dirfd, name, sd.state_dirfd, toname, 0) == -1)
		log_warn("state: link %s", to);
	log_warnx("state: %s/%s %s; a copy is kept as %s", sd.state_dir, name,
	    why, to);
	if (sd.state_error == NULL)
		xasprintf(&sd.state_error, "%s/%s %s; a copy is kept as %s",
		    sd.state_dir, name, why, to);
	free(toname);
	free(to);
}

/*
 * A file of a newer format than this schedd knows: it must not start,
 * and leaves the file as it is (a downgrade never destroys a newer
 * state).  1 and a cause.
 */
static int
state_newer(const char *name, json_int_t version, char **cause)
{
	char	*path;

	if (version <= STATE_VERSION)
		return (0);
	path = state_path(name);
	xasprintf(cause, "%s has format version %lld; this schedd knows %d: "
	    "refusing to start (the file is left as it is)", path,
	    (long long)version, STATE_VERSION);
	free(path);
	return (1);
}

/*
 * Load the snapshot, record by record.  -1 and a cause if the daemon must
 * not start; a snapshot that is no schedd state is moved aside.
 */
static int
state_load_snapshot(const char *name, char **cause)
{
	struct state_map	 m;
	struct state_snap_parts	 sp;
	json_int_t		 version, v;
	char			*path, *why;
	size_t			 bad;

	if (state_map_open(name, &m) == -1) {
		if (errno == ELOOP || errno == EINVAL) {
			/* A link or something else planted there. */
			state_move_aside(name, "is not a regular file");
			state_move_aside("journal", "belongs to it");
			return (0);
		}
		if (errno == ENOENT)
			return (0);
		path = state_path(name);
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	if (state_snap_scan(m.base, m.base + m.len, &sp) != 0) {
		state_map_close(&m);
		state_move_aside(name, "does not parse");
		state_move_aside("journal", "belongs to it");
		return (0);
	}
	if (state_newer(name, version = state_json_int(sp.version), cause)) {
		state_map_close(&m);
		return (-1);
	}
	if (version < 1) {
		state_map_close(&m);
		state_move_aside(name, "is not a schedd state");
		state_move_aside("journal", "belongs to it");
		return (0);
	}
	state_generation = state_json_int(sp.generation);
	if ((v = state_json_int(sp.next_id)) > 0)
		sd.next_task_id = v;
	state_ids_reserved = sd.next_task_id;
	if (sp.bans[0] != NULL) {
		json_t	*bans;

		bans = json_loadb(sp.bans[0], sp.bans[1] - sp.bans[0],
		    JSON_REJECT_DUPLICATES, NULL);
		state_apply_bans(bans);
		json_decref(bans);
	}
	bad = state_snap_each(&m, sp.jobs, state_load_job);
	bad += state_snap_each(&m, sp.tasks, state_load_task);
	state_map_close(&m);
	if (bad > 0) {
		xasprintf(&why, "had %zu unreadable record%s, skipped", bad,
		    bad == 1 ? "" : "s");
		state_keep_copy(name, why);
		free(why);
	}
	return (0);
}

/*
 * Replay a journal of the snapshot's generation or a later one; an older
 * one is already in the snapshot.  A torn tail is skipped.
 */
static int
state_replay(const char *name, char **cause)
{
	struct state_map	 m;
	struct state_rec	 r;
	json_t			*o;
	const char		*line, *nl, *end;
	size_t			 lines = 0, bad = 0;
	json_int_t		 v;
	uint64_t		 gen;

	if (state_map_open(name, &m) == -1) {
		if (errno == ELOOP || errno == EINVAL) {
			state_move_aside(name, "is not a regular file");
			return (0);
		}
		return (errno == ENOENT ? 0 : -1);
	}
	end = m.base + m.len;
	for (line = m.base; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL) {
			log_warnx("state: journal ends in a partial line "
			    "(a write cut short); ignored");
			break;
		}
		state_map_release(&m, nl);
		/* Most lines are task records: read them in place. */
		if (lines > 0 && state_rec_scan(line, nl, &r) == 0 &&
		    state_rec_is(&r, STATE_REC_T, "task")) {
			state_apply_task(&r);
			continue;
		}
		o = json_loadb(line, nl - line, JSON_REJECT_DUPLICATES, NULL);
		if (o == NULL) {
			bad++;
			continue;
		}
		if (lines++ == 0) {
			v = json_integer_value(json_object_get(o, "journal"));
			gen = (uint64_t)json_integer_value(json_object_get(o,
			    "generation"));
			json_decref(o);
			if (state_newer(name, v, cause)) {
				state_map_close(&m);
				return (-2);
			}
			if (gen < state_generation)
				break;	/* already part of the snapshot */
			continue;
		}
		state_apply(o, 1);
		json_decref(o);
	}
	if (bad > 0)
		log_warnx("state: %zu unreadable journal line%s skipped", bad,
		    bad == 1 ? "" : "s");
	state_map_close(&m);
	return (0);
}

/*
 * Every task that was running when the daemon stopped is lost, whatever
 * became of its job since, and what is left of its processes is killed:
 * a task never runs twice, and none stays "running" for ever.
 */
static void
state_lose_running(struct job_list *list)
{
	struct job	*j, *next;
	struct task	*t;

	TAILQ_FOREACH_SAFE(j, list, entry, next) {
		while ((t = TAILQ_FIRST(&j->running)) != NULL) {
			TAILQ_REMOVE(&j->running, t, entry);
			j->nrunning--;
			sd.nrunning--;
			if (t->pid > 0 &&
			    proctree_kill_lost(t->pid, t->id) > 0)
				log_warnx("task %llu (%s): killed what was "
				    "left of it", (unsigned long long)t->id,
				    j->name);
			t->state = TASK_LOST;
			task_log(t, LOGLEVEL_WARN, "task %llu (%s) lost: it "
			    "was running when schedd stopped",
			    (unsigned long long)t->id, j->name);
			time_now(&t->finished_at);
			if (t->started_at.tv_sec != 0)
				t->duration_ms = (t->finished_at.tv_sec -
				    t->started_at.tv_sec) * 1000 +
				    (t->finished_at.tv_nsec -
				    t->started_at.tv_nsec) / 1000000;
			state_history_insert(t);
			hook_lost(t);
		}
		if (!j->removed) {
			queue_update(j);
			task_prune(j);
		}
	}
}

/*
 * A queued task belongs to the owner its job had when it was queued: if
 * the job has another owner now (the configuration took its name while
 * schedd was down, say), the task is cancelled, never run as somebody
 * else.
 */
static void
state_cancel_foreign(void)
{
	struct job	*j;
	struct task	*t, *next;

	TAILQ_FOREACH(j, &sd.jobs, entry) {
		TAILQ_FOREACH_SAFE(t, &j->queue, entry, next) {
			if (job_owned_by(j, &t->owner))
				continue;
			log_warnx("task %llu (%s) cancelled: job replaced by "
			    "another owner", (unsigned long long)t->id,
			    j->name);
			task_cancel(t, "job replaced by another owner");
		}
	}
}

/*
 * Load the saved state over the configured jobs, turn tasks that were
 * running into "lost" (killing what is left of them), and start a new
 * snapshot and journal.  -1 and a cause if the daemon must not start.
 */
int
state_open(char **cause)
{
	int		 rc;

	state_timers_init();
	state_loaded = 0;
	state_apply_begin();
	state_had_new = faccessat(sd.state_dirfd, "journal.new", F_OK,
	    AT_SYMLINK_NOFOLLOW) == 0;
	if (state_load_snapshot("state.json", cause) != 0)
		return (-1);
	/*
	 * The journal, then a newer one a compaction had started (its
	 * snapshot may or may not have been written when schedd stopped).
	 */
	if ((rc = state_replay("journal", cause)) == 0)
		rc = state_replay("journal.new", cause);
	if (rc == -2)
		return (-1);
	if (rc != 0) {
		xasprintf(cause, "journal: %s", strerror(errno));
		return (-1);
	}

	state_lose_running(&sd.jobs);
	state_lose_running(&sd.removed_jobs);
	state_cancel_foreign();
	dep_restore();
	job_prune_removed();
	/* A large state is written beside the loop; the daemon answers. */
	if (state_compact_at_start(state_loaded, state_had_new) == 0)
		return (0);
	/* The snapshot also reserves the first block of task ids. */
	if (state_snapshot(cause) != 0 || state_journal_new(cause) != 0)
		return (-1);
	return (0);
}

