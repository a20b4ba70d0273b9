/* SPDX-License-Identifier: ISC */
/*
 * Shared by the unit tests of the state layer (test_state, test_state_write):
 * a daemon's state in a new folder, a runtime job's definition, and a
 * wait for a group commit.
 */
#ifndef UNIT_STATE_H
#define UNIT_STATE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "schedd.h"

static char	 state_test_dir[64];

/*
 * A daemon loading the given state.json and journal (NULL: none) from a
 * new folder named after prefix (/tmp/PREFIX.XXXXXX).
 */
static inline void
state_test_open(const char *prefix, const char *snapshot, const char *journal)
{
	char	*cause = NULL, path[128];
	int	 busy;
	FILE	*f;

	daemon_init();
	log_init("test", LOGLEVEL_ERROR, 0);
	snprintf(state_test_dir, sizeof state_test_dir, "/tmp/%s.XXXXXX",
	    prefix);
	ck_assert_ptr_nonnull(mkdtemp(state_test_dir));
	sd.state_dir = strdup(state_test_dir);
	if (asprintf(&sd.log_dir, "%s/logs", state_test_dir) == -1)
		ck_abort();
	sd.base = event_base_new();
	if (snapshot != NULL) {
		snprintf(path, sizeof path, "%s/state.json", state_test_dir);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(snapshot, f);
		fclose(f);
	}
	if (journal != NULL) {
		snprintf(path, sizeof path, "%s/journal", state_test_dir);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(journal, f);
		fclose(f);
	}
	ck_assert_msg(state_lock(&busy, &cause) == 0, "%s", cause);
	ck_assert_msg(state_prepare(&cause) == 0, "%s", cause);
	ck_assert_msg(state_open(&cause) == 0, "%s", cause);
}

/* Close the state and remove its folder. */
static inline void
state_test_close(void)
{
	char	 cmd[128];

	state_close();
	snprintf(cmd, sizeof cmd, "rm -rf %s", state_test_dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A runtime job's definition: "true" every hour. */
static inline struct jobdef *
state_test_def(const char *name)
{
	struct jobdef	*def;
	json_t		*o;
	char		*cause = NULL;

	o = json_pack("{s:s,s:[s],s:s}", "name", name, "command", "true",
	    "every", "1h");
	ck_assert_msg(jobdef_from_json(o, &def, &cause) == 0, "%s", cause);
	json_decref(o);
	return (def);
}

/* Run the loop until group is on disk, or about secs seconds. */
static inline int
state_test_durable(uint64_t group, int secs)
{
	int	 i;

	for (i = 0; i < secs * 100 && state_ack_done() < group; i++) {
		event_base_loop(sd.base, EVLOOP_NONBLOCK);
		usleep(10000);
	}
	return (state_ack_done() >= group);
}

#endif
