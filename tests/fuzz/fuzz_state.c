/* SPDX-License-Identifier: ISC */

/*
 * Fuzz target: loading the saved state at start (doc/state.md): the
 * snapshot, then the journal and journal.new replayed over the jobs of
 * fuzz_config_yaml, as schedd's main() does it.
 *
 * The input is state.json, then optionally a line "--- journal" and the
 * journal, then optionally a line "--- journal.new" and that file; an
 * empty part is no file at all.  Nothing may crash, leak or hang, and
 * what the daemon saves must be what it loaded: when the state loads,
 * the daemon is stopped (writing its snapshot) and started again on its
 * own files, and that second start must load without moving anything
 * aside, to the same jobs, tasks and bans.
 *
 * The harness starts no task; a task that was running in the input
 * becomes "lost", and what is left of it is looked for and killed by its
 * SCHEDD_TASK_ID, as the daemon does.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "schedd.h"
#include "state.h"
#include "xmalloc.h"

#define FUZZ_JOURNAL		"\n--- journal\n"
#define FUZZ_JOURNAL_NEW	"\n--- journal.new\n"

static char	*fuzz_dir;	/* the state folder */
static char	*fuzz_conf;

static int	 fuzz_state_load(char **);
static char	*fuzz_state_digest(void);
static json_t	*fuzz_state_tasks(const struct job *);
static void	 fuzz_state_file(const char *, const uint8_t *,
		     const uint8_t *);
static void	 fuzz_state_files(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*top;

	fuzz_init();
	/* Never compact while loading: no child process. */
	setenv("SCHEDD_JOURNAL_MAX", "1073741824", 1);
	setenv("SCHEDD_START_FORK", "0", 1);
	top = fuzz_tmpdir();
	fuzz_conf = fuzz_write(top, "schedd.yaml", fuzz_config_yaml,
	    strlen(fuzz_config_yaml));
	xasprintf(&fuzz_dir, "%s/state", top);
	free(top);
	return (0);
}

/* Write one part of the input as a file of the state folder. */
static void
fuzz_state_file(const char *name, const uint8_t *from, const uint8_t *to)
{
	char	*path;

	if (from == NULL || to <= from)
		return;
	path = fuzz_write(fuzz_dir, name, from, (size_t)(to - from));
	free(path);
}

/* Lay out the state folder from the input. */
static void
fuzz_state_files(const uint8_t *data, size_t size)
{
	const uint8_t	*end = data + size, *state_end = end, *j = NULL;
	const uint8_t	*j_end = end, *jn = NULL, *p;
	size_t		 jlen = strlen(FUZZ_JOURNAL);
	size_t		 jnlen = strlen(FUZZ_JOURNAL_NEW);

	fuzz_clear(fuzz_dir);
	if (mkdir(fuzz_dir, 0700) == -1 && errno != EEXIST)
		fuzz_fail("mkdir %s: %s", fuzz_dir, strerror(errno));
	/* The separator's newline may be the start of the input. */
	if (size >= jlen - 1 && memcmp(data, &FUZZ_JOURNAL[1], jlen - 1) == 0) {
		state_end = data;
		j = data + jlen - 1;
	} else if ((p = memmem(data, size, FUZZ_JOURNAL, jlen)) != NULL) {
		state_end = p;
		j = p + jlen;
	}
	p = j != NULL ? j : data;
	if ((p = memmem(p, (size_t)(end - p), FUZZ_JOURNAL_NEW, jnlen)) !=
	    NULL) {
		if (j != NULL)
			j_end = p;
		else
			state_end = p;
		jn = p + jnlen;
	}
	fuzz_state_file("state.json", data, state_end);
	fuzz_state_file("journal", j, j_end);
	fuzz_state_file("journal.new", jn, end);
}

/*
 * Start a daemon on the state folder as schedd's main() does.  Returns
 * what state_open returns.
 */
static int
fuzz_state_load(char **cause)
{
	int	 rc;

	fuzz_daemon_start(fuzz_conf, fuzz_dir, 1);
	rc = state_open(cause);
	sd.loading = 0;
	/* schedd exits here; the harness releases what was set up. */
	if (rc != 0)
		state_close();
	return (rc);
}

/* A job's tasks, every list, in the order the lists hold them. */
static json_t *
fuzz_state_tasks(const struct job *j)
{
	const struct task	*t;
	json_t			*tasks;

	tasks = json_array();
	TAILQ_FOREACH(t, &j->history, entry)
		json_array_append_new(tasks, task_record(t));
	TAILQ_FOREACH(t, &j->running, entry)
		json_array_append_new(tasks, task_record(t));
	TAILQ_FOREACH(t, &j->queue, entry)
		json_array_append_new(tasks, task_record(t));
	return (tasks);
}

/* What must survive a stop and a start: jobs, their tasks, the bans. */
static char *
fuzz_state_digest(void)
{
	struct job	*j;
	struct task	*t;
	struct ban	*b;
	json_t		*o, *jobs, *tasks, *bans, *removed;
	char		*s, key[32];

	jobs = json_array();
	TAILQ_FOREACH(j, &sd.jobs, entry) {
		tasks = fuzz_state_tasks(j);
		json_array_append_new(jobs, json_pack("{s:s,s:b,s:I,s:b,"
		    "s:[I,I,I,I,I,I,I,I],s:I,s:o}", "name", j->name,
		    "config", j->origin == ORIGIN_CONFIG, "uid",
		    (json_int_t)j->uid, "paused", j->paused, "counters",
		    (json_int_t)j->counters.runs,
		    (json_int_t)j->counters.succeeded,
		    (json_int_t)j->counters.failed,
		    (json_int_t)j->counters.timeouts,
		    (json_int_t)j->counters.stopped,
		    (json_int_t)j->counters.skipped,
		    (json_int_t)j->counters.missed,
		    (json_int_t)j->counters.consecutive_failures,
		    "last_task", (json_int_t)j->last_task, "tasks", tasks));
	}
	/*
	 * The records of removed jobs, keyed by id: which removed job of a
	 * name holds them is not kept over a restart, nor needs to be.
	 */
	removed = json_object();
	TAILQ_FOREACH(j, &sd.removed_jobs, entry) {
		TAILQ_FOREACH(t, &j->history, entry) {
			snprintf(key, sizeof key, "%llu",
			    (unsigned long long)t->id);
			json_object_set_new(removed, key, task_record(t));
		}
	}
	bans = json_array();
	TAILQ_FOREACH(b, &sd.bans, entry)
		json_array_append_new(bans, ban_json(b));
	o = json_pack("{s:o,s:o,s:o}", "jobs", jobs, "removed", removed,
	    "bans", bans);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return (s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*cause = NULL, *first, *again;

	fuzz_state_files(data, size);
	if (fuzz_state_load(&cause) != 0) {
		free(cause);
		fuzz_daemon_stop();
		return (0);
	}
	first = fuzz_state_digest();
	fuzz_daemon_stop();

	/* Started again on what it wrote: the same state, nothing lost. */
	if (fuzz_state_load(&cause) != 0)
		fuzz_fail("the state written does not load: %s", cause);
	if (sd.state_error != NULL)
		fuzz_fail("the state written is not readable: %s",
		    sd.state_error);
	again = fuzz_state_digest();
	if (strcmp(first, again) != 0)
		fuzz_fail("the state changed over a restart:\nbefore: %s\n"
		    "after:  %s", first, again);
	free(first);
	free(again);
	fuzz_daemon_stop();
	return (0);
}
