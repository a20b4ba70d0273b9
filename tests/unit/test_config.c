/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the configuration: every kind of validation error with its
 * exact line and column, several errors in one pass, includes, defaults,
 * and the JSON form of a job used by "add".
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config-node.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"
#include "unit.h"

static char	 test_dir[PATH_MAX];

/* A private folder for this test's files. */
static void
test_setup(void)
{
	char	 tmpl[] = "/tmp/schedd-test-config-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	strcpy(test_dir, tmpl);
}

/* Remove the folder and what the test wrote in it. */
static void
test_teardown(void)
{
	char	*cmd;

	xasprintf(&cmd, "rm -rf '%s'", test_dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* Write text to a file under the test folder; returns its path. */
static char *
test_write(const char *name, const char *text)
{
	char	*path, *slash, *dir;
	FILE	*f;

	xasprintf(&path, "%s/%s", test_dir, name);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir_p(dir, 0700);
	free(dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	return (path);
}

/* Write text to a fresh mkstemp file; returns its path. */
static char *
test_tmpfile(const char *text)
{
	char	*path;
	int	 fd;
	size_t	 len = strlen(text);

	xasprintf(&path, "%s/conf-XXXXXX", test_dir);
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return (path);
}

/* Load text that must be valid. */
static struct config *
test_load_ok(const char *text)
{
	struct config	*conf = NULL;
	char		**errors = NULL, *path;
	size_t		 nerrors = 0, i;

	path = test_tmpfile(text);
	if (config_load(path, 1, &conf, &errors, &nerrors) != 0) {
		for (i = 0; i < nerrors; i++)
			fprintf(stderr, "unexpected: %s\n", errors[i]);
		ck_abort_msg("configuration did not load");
	}
	free(path);
	return (conf);
}

/*
 * Load text that must fail with exactly these errors, given as
 * "LINE:COLUMN: message" after the file name; NULL ends the list.
 */
static void
test_errors(const char *text, ...)
{
	struct config	*conf = NULL;
	char		**errors = NULL, *path, *want;
	size_t		 nerrors = 0, n = 0, i;
	const char	*e;
	va_list		 ap;

	path = test_tmpfile(text);
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	ck_assert_ptr_null(conf);
	va_start(ap, text);
	while ((e = va_arg(ap, const char *)) != NULL) {
		xasprintf(&want, "%s:%s", path, e);
		if (n >= nerrors)
			ck_abort_msg("missing error: %s", want);
		ck_assert_str_eq(errors[n], want);
		free(want);
		n++;
	}
	va_end(ap);
	for (i = n; i < nerrors; i++)
		fprintf(stderr, "extra error: %s\n", errors[i]);
	ck_assert_uint_eq(nerrors, n);
	config_errors_free(errors, nerrors);
	free(path);
}

START_TEST(test_defaults)
{
	struct settings	 s;
	struct config	*conf = NULL;
	char		**errors = NULL, *path;
	size_t		 nerrors = 0;

	settings_defaults(&s);
	ck_assert_ptr_null(s.socket);
	ck_assert_uint_eq(s.socket_mode, 0660);
	ck_assert_ptr_null(s.socket_group);
	ck_assert_ptr_null(s.state_dir);
	ck_assert_uint_eq(s.max_running, 10);
	ck_assert_uint_eq(s.max_queued, 1000);
	ck_assert_uint_eq(s.queue_limit, 30);
	ck_assert_uint_eq(s.default_timeout_ms, 0);
	ck_assert_uint_eq(s.kill_grace_ms, 10000);
	ck_assert_uint_eq(s.history, 60);
	ck_assert_uint_eq(s.output_tail, 4096);
	ck_assert_uint_eq(s.log_max, 1024 * 1024);
	ck_assert_int_eq(s.log_level, LOGLEVEL_INFO);
	ck_assert_uint_eq(s.idle_exit_ms, 0);
	ck_assert_uint_eq(s.shutdown_timeout_ms, 30000);
	ck_assert_ptr_null(s.timezone);

	ck_assert_int_eq(config_load(NULL, 1, &conf, &errors, &nerrors), 0);
	ck_assert_uint_eq(conf->njobs, 0);
	ck_assert_ptr_null(conf->path);
	ck_assert_uint_eq(conf->settings.max_running, 10);
	config_free(conf);

	xasprintf(&path, "%s/missing.yaml", test_dir);
	ck_assert_int_eq(config_load(path, 0, &conf, &errors, &nerrors), 0);
	ck_assert_uint_eq(conf->njobs, 0);
	config_free(conf);
	conf = NULL;
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(nerrors, 1);
	ck_assert_ptr_nonnull(strstr(errors[0], "No such file"));
	ck_assert(strncmp(errors[0], path, strlen(path)) == 0);
	config_errors_free(errors, nerrors);
	free(path);

	conf = test_load_ok("");
	ck_assert_uint_eq(conf->njobs, 0);
	ck_assert_uint_eq(conf->nfiles, 1);
	config_free(conf);
	conf = test_load_ok("# only a comment\n");
	config_free(conf);
	conf = test_load_ok("jobs:\ndaemon:\ninclude:\n");
	ck_assert_uint_eq(conf->njobs, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_job_defaults)
{
	struct config	*conf;
	struct jobdef	*j;
	int		 k;

	conf = test_load_ok("jobs:\n  a:\n    command: echo hi\n");
	ck_assert_uint_eq(conf->njobs, 1);
	j = conf->jobs[0];
	ck_assert_int_eq(j->refs, 1);
	ck_assert_str_eq(j->name, "a");
	ck_assert_int_eq(j->shell, 1);
	ck_assert_str_eq(j->argv[0], "/bin/sh");
	ck_assert_str_eq(j->argv[1], "-c");
	ck_assert_str_eq(j->argv[2], "echo hi");
	ck_assert_ptr_null(j->argv[3]);
	ck_assert_ptr_null(j->description);
	ck_assert_ptr_nonnull(j->tags);
	ck_assert_ptr_null(j->tags[0]);
	ck_assert_uint_eq(j->ntags, 0);
	ck_assert_uint_eq(j->every_ms, 0);
	ck_assert_ptr_null(j->cron);
	ck_assert_ptr_null(j->at);
	ck_assert_uint_eq(j->jitter_ms, 0);
	ck_assert_uint_eq(j->max_runs, 0);
	ck_assert_int_eq(j->auto_remove, 0);
	ck_assert_int_eq(j->catch_up, 0);
	ck_assert_int_eq(j->timeout_ms, -1);
	ck_assert_int_eq(j->kill_signal, SIGTERM);
	ck_assert_int_eq(j->kill_grace_ms, -1);
	ck_assert_uint_eq(j->concurrency, 1);
	ck_assert_int_eq(j->on_overlap, OVERLAP_QUEUE);
	ck_assert_int_eq(j->queue_limit, -1);
	ck_assert_int_eq(j->priority, 0);
	ck_assert_uint_eq(j->retries, 0);
	ck_assert_uint_eq(j->retry_delay_ms, 0);
	ck_assert_uint_eq(j->ban_after_failures, 0);
	ck_assert_ptr_null(j->user);
	ck_assert_ptr_null(j->group);
	ck_assert_ptr_null(j->workdir);
	ck_assert_ptr_nonnull(j->env);
	ck_assert_ptr_null(j->env[0]);
	ck_assert_uint_eq(j->nenv, 0);
	ck_assert_int_eq(j->umask, -1);
	ck_assert_int_eq(j->nice_set, 0);
	for (k = 0; k < JOBLIM_MAX; k++)
		ck_assert_int_eq(j->limits[k].set, 0);
	ck_assert_ptr_null(j->timezone);
	ck_assert_int_eq(j->enabled, 1);
	ck_assert_str_eq(j->file, conf->path);
	ck_assert_int_eq(j->line, 2);
	ck_assert_int_eq(j->column, 3);
	ck_assert_int_eq(jobdef_has_schedule(j), 0);
	ck_assert_ptr_null(jobdef_schedule_string(j));
	config_free(conf);
}
END_TEST

START_TEST(test_full_example)
{
	struct config	*conf;
	struct jobdef	*j;

	conf = test_load_ok(
	    "daemon:\n"
	    "  socket: /tmp/x/schedd.sock\n"
	    "  socket_mode: \"0600\"\n"
	    "  socket_group: wheel\n"
	    "  state_dir: /tmp/x/state\n"
	    "  max_running: 8\n"
	    "  max_queued: 500\n"
	    "  queue_limit: 5\n"
	    "  default_timeout: 200s\n"
	    "  kill_grace: 3s\n"
	    "  history: 10\n"
	    "  output_tail: 8KiB\n"
	    "  log_max: 2MiB\n"
	    "  log_level: debug\n"
	    "  idle_exit: 10m\n"
	    "  shutdown_timeout: 1m\n"
	    "  timezone: UTC\n"
	    "include:\n"
	    "  - /nonexistent-schedd-dir/*.yaml\n"
	    "jobs:\n"
	    "  backup:\n"
	    "    command: [\"/usr/local/bin/backup\", \"--all\"]\n"
	    "    description: Nightly backup\n"
	    "    tags: [nightly, disk]\n"
	    "    cron: \"30 2 * * *\"\n"
	    "    catch_up: true\n"
	    "    timeout: 2h\n"
	    "    kill_signal: SIGINT\n"
	    "    kill_grace: 30s\n"
	    "    on_overlap: skip\n"
	    "    retries: 2\n"
	    "    retry_delay: 5m\n"
	    "    user: backup\n"
	    "    group: backup\n"
	    "    workdir: /var/backups\n"
	    "    env:\n"
	    "      LANG: C\n"
	    "      LEVEL: 3\n"
	    "    umask: \"027\"\n"
	    "    nice: 10\n"
	    "    limits:\n"
	    "      cpu: 1h\n"
	    "      memory: 1GiB\n"
	    "      nofile: 1024\n"
	    "      nproc: 64\n"
	    "      core: 0\n"
	    "      fsize: unlimited\n"
	    "    timezone: Europe/Paris\n"
	    "  fetch-prices:\n"
	    "    command: \"curl -fsS https://example.org/ > /srv/p.json\"\n"
	    "    every: 5m\n"
	    "    at: \"2026-12-01T09:00:00\"\n"
	    "    jitter: 30s\n"
	    "    max_runs: 3\n"
	    "    auto_remove: yes\n"
	    "    timeout: 1m\n"
	    "    concurrency: 2\n"
	    "    on_overlap: replace\n"
	    "    queue_limit: 0\n"
	    "    priority: -3\n"
	    "    ban_after_failures: 3\n"
	    "    umask: 22\n"
	    "    enabled: false\n");
	ck_assert_str_eq(conf->settings.socket, "/tmp/x/schedd.sock");
	ck_assert_uint_eq(conf->settings.socket_mode, 0600);
	ck_assert_str_eq(conf->settings.socket_group, "wheel");
	ck_assert_str_eq(conf->settings.state_dir, "/tmp/x/state");
	ck_assert_uint_eq(conf->settings.max_running, 8);
	ck_assert_uint_eq(conf->settings.max_queued, 500);
	ck_assert_uint_eq(conf->settings.queue_limit, 5);
	ck_assert_uint_eq(conf->settings.default_timeout_ms, 200000);
	ck_assert_uint_eq(conf->settings.kill_grace_ms, 3000);
	ck_assert_uint_eq(conf->settings.history, 10);
	ck_assert_uint_eq(conf->settings.output_tail, 8192);
	ck_assert_uint_eq(conf->settings.log_max, 2 * 1024 * 1024);
	ck_assert_int_eq(conf->settings.log_level, LOGLEVEL_DEBUG);
	ck_assert_uint_eq(conf->settings.idle_exit_ms, 600000);
	ck_assert_uint_eq(conf->settings.shutdown_timeout_ms, 60000);
	ck_assert_str_eq(conf->settings.timezone, "UTC");
	ck_assert_uint_eq(conf->njobs, 2);

	j = conf->jobs[0];
	ck_assert_str_eq(j->name, "backup");
	ck_assert_int_eq(j->shell, 0);
	ck_assert_str_eq(j->argv[0], "/usr/local/bin/backup");
	ck_assert_str_eq(j->argv[1], "--all");
	ck_assert_ptr_null(j->argv[2]);
	ck_assert_str_eq(j->description, "Nightly backup");
	ck_assert_uint_eq(j->ntags, 2);
	ck_assert_str_eq(j->tags[1], "disk");
	ck_assert_str_eq(j->cron, "30 2 * * *");
	ck_assert_int_eq(j->catch_up, 1);
	ck_assert_int_eq(j->timeout_ms, 7200000);
	ck_assert_int_eq(j->kill_signal, SIGINT);
	ck_assert_int_eq(j->kill_grace_ms, 30000);
	ck_assert_int_eq(j->on_overlap, OVERLAP_SKIP);
	ck_assert_uint_eq(j->retries, 2);
	ck_assert_uint_eq(j->retry_delay_ms, 300000);
	ck_assert_str_eq(j->user, "backup");
	ck_assert_str_eq(j->group, "backup");
	ck_assert_str_eq(j->workdir, "/var/backups");
	ck_assert_uint_eq(j->nenv, 2);
	ck_assert_str_eq(j->env[0], "LANG=C");
	ck_assert_str_eq(j->env[1], "LEVEL=3");
	ck_assert_ptr_null(j->env[2]);
	ck_assert_int_eq(j->umask, 027);
	ck_assert_int_eq(j->nice_set, 1);
	ck_assert_int_eq(j->nice, 10);
	ck_assert_int_eq(j->limits[JOBLIM_CPU].set, 1);
	ck_assert_uint_eq(j->limits[JOBLIM_CPU].value, 3600);
	ck_assert_uint_eq(j->limits[JOBLIM_MEMORY].value, 1024 * 1024 * 1024);
	ck_assert_uint_eq(j->limits[JOBLIM_NOFILE].value, 1024);
	ck_assert_uint_eq(j->limits[JOBLIM_NPROC].value, 64);
	ck_assert_int_eq(j->limits[JOBLIM_CORE].set, 1);
	ck_assert_uint_eq(j->limits[JOBLIM_CORE].value, 0);
	ck_assert(j->limits[JOBLIM_FSIZE].value == RLIM_INFINITY);
	ck_assert_str_eq(j->timezone, "Europe/Paris");
	ck_assert_int_eq(j->enabled, 1);

	j = conf->jobs[1];
	ck_assert_str_eq(j->name, "fetch-prices");
	ck_assert_int_eq(j->shell, 1);
	ck_assert_uint_eq(j->every_ms, 300000);
	ck_assert_str_eq(j->at, "2026-12-01T09:00:00");
	ck_assert_uint_eq(j->jitter_ms, 30000);
	ck_assert_uint_eq(j->max_runs, 3);
	ck_assert_int_eq(j->auto_remove, 1);
	ck_assert_uint_eq(j->concurrency, 2);
	ck_assert_int_eq(j->on_overlap, OVERLAP_REPLACE);
	ck_assert_int_eq(j->queue_limit, 0);
	ck_assert_int_eq(j->priority, -3);
	ck_assert_uint_eq(j->ban_after_failures, 3);
	ck_assert_int_eq(j->umask, 022);
	ck_assert_int_eq(j->enabled, 0);
	ck_assert_int_eq(j->line, 49);

	ck_assert_ptr_eq(config_find_job(conf, "fetch-prices"), j);
	ck_assert_ptr_null(config_find_job(conf, "nope"));
	config_free(conf);
}
END_TEST

START_TEST(test_scalar_forms)
{
	struct config	*conf;
	struct jobdef	*j;

	conf = test_load_ok(
	    "jobs:\n"
	    "  a:\n"
	    "    command: ['true']\n"
	    "    every: 90\n"
	    "    timeout: 1.5\n"
	    "    jitter: \"250ms\"\n"
	    "    kill_grace: 0\n"
	    "    kill_signal: 9\n"
	    "    retry_delay: 1h30m\n"
	    "    catch_up: yes\n"
	    "    enabled: TRUE\n"
	    "    umask: 0o077\n"
	    "    limits: {cpu: 1500ms, memory: 512}\n");
	j = conf->jobs[0];
	ck_assert_uint_eq(j->every_ms, 90000);
	ck_assert_int_eq(j->timeout_ms, 1500);
	ck_assert_uint_eq(j->jitter_ms, 250);
	ck_assert_int_eq(j->kill_grace_ms, 0);
	ck_assert_int_eq(j->kill_signal, SIGKILL);
	ck_assert_uint_eq(j->retry_delay_ms, 5400000);
	ck_assert_int_eq(j->catch_up, 1);
	ck_assert_int_eq(j->enabled, 1);
	ck_assert_int_eq(j->umask, 077);
	ck_assert_uint_eq(j->limits[JOBLIM_CPU].value, 2);
	ck_assert_uint_eq(j->limits[JOBLIM_MEMORY].value, 512);
	config_free(conf);
}
END_TEST

START_TEST(test_unknown_keys)
{
	test_errors(
	    "daemon:\n"
	    "  max_runing: 3\n"
	    "job:\n"
	    "  x: 1\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: 'true'\n"
	    "    timout: 5m\n"
	    "    frobnicate: 1\n"
	    "    limits:\n"
	    "      memroy: 1G\n",
	    "2:3: unknown key \"max_runing\" (did you mean \"max_running\"?)",
	    "3:1: unknown key \"job\" (did you mean \"jobs\"?)",
	    "8:5: unknown key \"timout\" (did you mean \"timeout\"?)",
	    "9:5: unknown key \"frobnicate\"",
	    "11:7: unknown key \"memroy\" (did you mean \"memory\"?)",
	    NULL);
	/* The JSON-only *_ms keys are not YAML keys. */
	test_errors("jobs:\n  a:\n    command: x\n    timeout_ms: 5\n",
	    "4:5: unknown key \"timeout_ms\" (did you mean \"timeout\"?)",
	    NULL);
}
END_TEST

START_TEST(test_wrong_types)
{
	test_errors(
	    "daemon: [1]\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: {x: y}\n"
	    "    tags: nightly\n"
	    "    env: [A]\n"
	    "    enabled: maybe\n"
	    "    concurrency: two\n"
	    "    priority: \"3\"\n"
	    "    description: [x]\n"
	    "    limits: 5\n"
	    "    timeout: [1]\n"
	    "    catch_up: 1\n"
	    "    user:\n"
	    "    tags: []\n"
	    "  b: [1]\n",
	    "1:9: expected a mapping of daemon settings, got a list",
	    "4:14: expected a string or a list of strings, got a mapping",
	    "5:11: expected a list of strings, got a string",
	    "6:10: expected a mapping of names to values, got a list",
	    "7:14: expected true or false, got \"maybe\"",
	    "8:18: expected an integer, got \"two\"",
	    "9:15: expected an integer, got the string \"3\"",
	    "10:18: expected a string, got a list",
	    "11:13: expected a mapping, got a number",
	    "12:14: expected a duration, got a list",
	    "13:15: expected true or false, got \"1\"",
	    "14:10: expected a string, got null",
	    "15:5: duplicate key \"tags\" (first at line 5, column 5)",
	    "16:6: expected a mapping of job keys, got a list",
	    NULL);
	test_errors("- a\n- b\n",
	    "1:1: expected a mapping with daemon, include and jobs, got a list",
	    NULL);
	test_errors("jobs: [a]\n",
	    "1:7: expected a mapping of job names to jobs, got a list", NULL);
	test_errors("jobs:\n  a:\n    command: []\n  b:\n    command: ['']\n"
	    "  c:\n    command: ''\n  d:\n    command: [x, [y]]\n  e:\n",
	    "3:14: command is an empty list",
	    "5:15: program name is empty",
	    "7:14: command is empty",
	    "9:18: expected a string, got a list",
	    "10:3: missing required key \"command\"",
	    NULL);
}
END_TEST

START_TEST(test_duplicates)
{
	test_errors(
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    timeout: 1m\n"
	    "    timeout: 2m\n"
	    "  a:\n"
	    "    command: y\n"
	    "jobs: {}\n",
	    "5:5: duplicate key \"timeout\" (first at line 4, column 5)",
	    "6:3: duplicate job \"a\" (first at line 2, column 3)",
	    "8:1: duplicate key \"jobs\" (first at line 1, column 1)",
	    NULL);
	test_errors("jobs:\n  a:\n    command: x\n"
	    "    env: {A: 1, B: 2, A: 3}\n",
	    "4:23: duplicate variable \"A\" (first at line 4, column 11)",
	    NULL);
}
END_TEST

START_TEST(test_names)
{
	char	 yaml[512], name[80];

	test_errors("jobs:\n  9lives:\n    command: x\n  -x:\n    command: x\n"
	    "  'a b':\n    command: x\n  ok.name@host-1_x:\n    command: x\n",
	    "2:3: bad job name \"9lives\" (letters, digits and _.@-, not "
	    "starting with a digit or one of .@-, at most 64 characters)",
	    "4:3: bad job name \"-x\" (letters, digits and _.@-, not "
	    "starting with a digit or one of .@-, at most 64 characters)",
	    "6:3: bad job name \"a b\" (letters, digits and _.@-, not "
	    "starting with a digit or one of .@-, at most 64 characters)",
	    NULL);
	memset(name, 'a', 64);
	name[64] = '\0';
	snprintf(yaml, sizeof yaml, "jobs:\n  %s:\n    command: x\n", name);
	config_free(test_load_ok(yaml));
	name[64] = 'a';
	name[65] = '\0';
	snprintf(yaml, sizeof yaml, "jobs:\n  %s:\n    command: x\n", name);
	test_errors(yaml, "2:3: bad job name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" (letters, digits and _.@-, "
	    "not starting with a digit or one of .@-, at most 64 characters)",
	    NULL);
}
END_TEST

START_TEST(test_durations_sizes)
{
	test_errors(
	    "daemon:\n"
	    "  default_timeout: 5x\n"
	    "  kill_grace: -1\n"
	    "  output_tail: 4XB\n"
	    "  log_max: lots\n"
	    "  idle_exit: 1h30\n"
	    "  shutdown_timeout: 99999999999999999999999s\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    every: 0\n"
	    "    jitter: ''\n"
	    "    retry_delay: true\n"
	    "    limits: {cpu: 5q, core: 1Q, nofile: -1, nproc: 1.5}\n",
	    "2:20: bad duration \"5x\"",
	    "3:15: bad duration \"-1\"",
	    "4:16: bad size \"4XB\"",
	    "5:12: bad size \"lots\"",
	    "6:14: bad duration \"1h30\"",
	    "7:21: duration \"99999999999999999999999s\" is too long",
	    "11:12: must be greater than 0",
	    "12:13: bad duration \"\"",
	    "13:18: expected a duration, got a boolean",
	    "14:19: bad duration \"5q\"",
	    "14:29: bad size \"1Q\"",
	    "14:41: must be at least 0, got -1",
	    "14:52: expected an integer, got \"1.5\"",
	    NULL);
	test_errors("daemon:\n  output_tail: 2MiB\n",
	    "2:16: must be at most 1MiB", NULL);
}
END_TEST

START_TEST(test_ranges)
{
	test_errors(
	    "daemon:\n"
	    "  max_running: 0\n"
	    "  socket_mode: \"0999\"\n"
	    "  log_level: loud\n"
	    "  socket: relative.sock\n"
	    "  state_dir: /x\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    concurrency: 0\n"
	    "    nice: -21\n"
	    "    umask: \"0800\"\n"
	    "    on_overlap: never\n"
	    "    kill_signal: FOO\n"
	    "    max_runs: 0\n"
	    "    priority: 99999999999\n"
	    "    retries: -1\n"
	    "    workdir: tmp\n"
	    "    timezone: Mars/Olympus\n"
	    "  b:\n"
	    "    command: x\n"
	    "    nice: 20\n"
	    "    umask: 1000\n"
	    "    timezone: ../../etc/passwd\n"
	    "    kill_signal: 0\n",
	    "2:16: must be at least 1, got 0",
	    "3:16: expected an octal mode like \"022\" (at most 0777), got "
	    "\"0999\"",
	    "4:14: bad log level \"loud\" (expected error, warning, info or "
	    "debug)",
	    "5:11: must be an absolute path",
	    "10:18: must be at least 1, got 0",
	    "11:11: must be at least -20, got -21",
	    "12:12: expected an octal mode like \"022\" (at most 0777), got "
	    "\"0800\"",
	    "13:17: bad value \"never\" (expected queue, skip or replace)",
	    "14:18: unknown signal \"FOO\"",
	    "15:15: must be at least 1, got 0",
	    "16:15: must be at most 2147483647, got 99999999999",
	    "17:14: must be at least 0, got -1",
	    "18:14: workdir must be an absolute path",
	    "19:15: unknown time zone \"Mars/Olympus\"",
	    "22:11: must be at most 19, got 20",
	    "23:12: expected an octal mode like \"022\" (at most 0777), got "
	    "\"1000\"",
	    "24:15: unknown time zone \"../../etc/passwd\"",
	    "25:18: unknown signal \"0\"",
	    NULL);
}
END_TEST

START_TEST(test_schedules)
{
	test_errors(
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    every: 5m\n"
	    "    cron: '* * * * *'\n"
	    "  b:\n"
	    "    command: x\n"
	    "    cron: '* * *'\n"
	    "  c:\n"
	    "    command: x\n"
	    "    cron: '@sometimes'\n"
	    "  d:\n"
	    "    command: x\n"
	    "    at: '2026-02-30T10:00:00'\n"
	    "  e:\n"
	    "    command: x\n"
	    "    at: tomorrow\n"
	    "  f:\n"
	    "    command: x\n"
	    "    cron: '@daily'\n"
	    "    at: '10:00'\n"
	    "  g:\n"
	    "    command: x\n"
	    "    cron: '* * * * * *'\n",
	    "5:5: \"every\" and \"cron\" cannot both be set",
	    "8:12: bad cron expression \"* * *\": expected 5 fields, got 3",
	    "11:12: bad cron expression \"@sometimes\": unknown shortcut "
	    "\"@sometimes\"",
	    "14:9: bad time \"2026-02-30T10:00:00\" (expected "
	    "2026-12-01T09:00:00, with Z or +01:00, or 09:00)",
	    "17:9: bad time \"tomorrow\" (expected 2026-12-01T09:00:00, with "
	    "Z or +01:00, or 09:00)",
	    "20:5: \"at\" cannot be combined with \"cron\"",
	    "24:22: bad cron expression \"* * * * * *\": expected 5 fields, "
	    "got 6",
	    NULL);
}
END_TEST

START_TEST(test_schedule_strings)
{
	struct config	*conf;
	char		*s;

	conf = test_load_ok(
	    "jobs:\n"
	    "  a: {command: x, every: 5m}\n"
	    "  b: {command: x, cron: '30 2 * * *'}\n"
	    "  c: {command: x, at: '2026-12-01T09:00:00'}\n"
	    "  d: {command: x, at: '2026-12-01T09:00:00Z', every: 1h30m}\n"
	    "  e: {command: x}\n"
	    "  f: {command: x, cron: '@hourly', catch_up: true}\n"
	    "  g: {command: x, every: 250ms}\n");
	s = jobdef_schedule_string(conf->jobs[0]);
	ck_assert_str_eq(s, "every 5m");
	free(s);
	s = jobdef_schedule_string(conf->jobs[1]);
	ck_assert_str_eq(s, "cron 30 2 * * *");
	free(s);
	s = jobdef_schedule_string(conf->jobs[2]);
	ck_assert_str_eq(s, "at 2026-12-01T09:00:00");
	free(s);
	s = jobdef_schedule_string(conf->jobs[3]);
	ck_assert_str_eq(s, "at 2026-12-01T09:00:00Z every 1h30m");
	free(s);
	ck_assert_ptr_null(jobdef_schedule_string(conf->jobs[4]));
	ck_assert_int_eq(jobdef_has_schedule(conf->jobs[4]), 0);
	ck_assert_int_eq(jobdef_has_schedule(conf->jobs[0]), 1);
	ck_assert_int_eq(jobdef_has_schedule(conf->jobs[1]), 1);
	ck_assert_int_eq(jobdef_has_schedule(conf->jobs[2]), 1);
	s = jobdef_schedule_string(conf->jobs[5]);
	ck_assert_str_eq(s, "cron @hourly");
	free(s);
	s = jobdef_schedule_string(conf->jobs[6]);
	ck_assert_str_eq(s, "every 250ms");
	free(s);
	config_free(conf);
}
END_TEST

/* at: boot, cron's @reboot, start_deadline and history. */
START_TEST(test_boot_deadline_history)
{
	struct config	*conf;
	char		*s;

	conf = test_load_ok(
	    "jobs:\n"
	    "  a: {command: x, at: boot}\n"
	    "  b: {command: x, cron: '@reboot'}\n"
	    "  c: {command: x, cron: '@daily', start_deadline: 90s, "
	    "history: 0}\n"
	    "  d: {command: x}\n");
	s = jobdef_schedule_string(conf->jobs[0]);
	ck_assert_str_eq(s, "at boot");
	free(s);
	ck_assert_int_eq(conf->jobs[0]->at_boot, 1);
	ck_assert_ptr_null(conf->jobs[0]->at);
	ck_assert_int_eq(conf->jobs[1]->at_boot, 1);
	ck_assert_ptr_null(conf->jobs[1]->cron);
	ck_assert_int_eq(jobdef_has_schedule(conf->jobs[1]), 1);
	ck_assert_int_eq(jobdef_equal(conf->jobs[0], conf->jobs[1]), 0);
	ck_assert_uint_eq(conf->jobs[2]->start_deadline_ms, 90000);
	ck_assert_int_eq(conf->jobs[2]->history, 0);
	ck_assert_uint_eq(conf->jobs[3]->start_deadline_ms, 0);
	ck_assert_int_eq(conf->jobs[3]->history, -1);
	config_free(conf);

	test_errors(
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    at: boot\n"
	    "    every: 5m\n"
	    "  b:\n"
	    "    command: x\n"
	    "    cron: '@reboot'\n"
	    "    at: '10:00'\n"
	    "  c:\n"
	    "    command: x\n"
	    "    start_deadline: 0\n"
	    "    history: -1\n",
	    "5:5: \"every\" cannot be combined with a boot schedule",
	    "8:5: \"at\" cannot be combined with \"cron\"",
	    "12:21: must be greater than 0",
	    "13:14: must be at least 0, got -1",
	    NULL);
}
END_TEST

START_TEST(test_many_errors)
{
	/* One pass finds every error, in file order. */
	test_errors(
	    "daemon:\n"
	    "  max_running: many\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    timeout: 5x\n"
	    "    retries: -2\n"
	    "  b:\n"
	    "    comand: y\n"
	    "  c:\n"
	    "    command: z\n"
	    "    on_overlap: drop\n",
	    "2:16: expected an integer, got \"many\"",
	    "6:14: bad duration \"5x\"",
	    "7:14: must be at least 0, got -2",
	    "8:3: missing required key \"command\"",
	    "9:5: unknown key \"comand\" (did you mean \"command\"?)",
	    "12:17: bad value \"drop\" (expected queue, skip or replace)",
	    NULL);
}
END_TEST

START_TEST(test_yaml_refused)
{
	test_errors(
	    "jobs:\n"
	    "  a: &base\n"
	    "    command: x\n"
	    "  b: *base\n"
	    "  c:\n"
	    "    command: !!str y\n",
	    "2:6: YAML anchors are not allowed",
	    "4:6: YAML aliases are not allowed",
	    "6:14: YAML tags are not allowed",
	    NULL);
	test_errors("jobs:\n  a:\n    command: [x\n",
	    "4:1: YAML syntax error: did not find expected ',' or ']' (while "
	    "parsing a flow sequence at line 3, column 14)", NULL);
	test_errors("jobs:\n  a:\n   command: x\n  b: c: d\n",
	    "4:7: YAML syntax error: mapping values are not allowed in this "
	    "context", NULL);
	test_errors("jobs:\n  a:\n    command: \"\xff\xfe\"\n",
	    "3:15: bad input: invalid leading UTF-8 octet (byte 0xff)", NULL);
	test_errors("jobs:\n  a:\n    command: x\n---\njobs: {}\n",
	    "4:1: only one YAML document is allowed", NULL);
	test_errors("jobs:\n  a:\n    command: \"a\\0b\"\n",
	    "3:14: contains a NUL byte", NULL);
}
END_TEST

START_TEST(test_too_large)
{
	char	*path, **errors = NULL, *want;
	struct config *conf = NULL;
	size_t	 nerrors = 0;
	int	 fd;

	path = test_write("big.yaml", "jobs:\n");
	fd = open(path, O_WRONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(ftruncate(fd, CONFIG_MAX_FILE + 1), 0);
	close(fd);
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	ck_assert_uint_eq(nerrors, 1);
	xasprintf(&want, "%s:1:1: file is larger than 16 MiB", path);
	ck_assert_str_eq(errors[0], want);
	free(want);
	config_errors_free(errors, nerrors);
	free(path);

	/* Exactly the limit is allowed (it is all NUL bytes, so invalid). */
	path = test_write("limit.yaml", "");
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(ftruncate(fd, CONFIG_MAX_FILE), 0);
	close(fd);
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	ck_assert_ptr_null(strstr(errors[0], "larger"));
	config_errors_free(errors, nerrors);
	free(path);
}
END_TEST

START_TEST(test_include)
{
	struct config	*conf = NULL;
	char		*main_path, **errors = NULL;
	size_t		 nerrors = 0;

	free(test_write("jobs.d/b.yaml", "jobs:\n  b1: {command: x}\n"));
	free(test_write("jobs.d/a.yaml", "jobs:\n  a1: {command: x}\n"
	    "  a2: {command: x}\n"));
	free(test_write("jobs.d/c.txt", "not: [yaml\n"));
	main_path = test_write("main.yaml",
	    "jobs:\n"
	    "  m1: {command: x}\n"
	    "include:\n"
	    "  - jobs.d/*.yaml\n"
	    "  - nothing.d/*.yaml\n"
	    "jobs2: 1\n");
	ck_assert_int_eq(config_load(main_path, 1, &conf, &errors, &nerrors),
	    -1);
	ck_assert_uint_eq(nerrors, 1);
	config_errors_free(errors, nerrors);
	free(main_path);

	main_path = test_write("main.yaml",
	    "jobs:\n"
	    "  m1: {command: x}\n"
	    "include:\n"
	    "  - jobs.d/*.yaml\n"
	    "  - nothing.d/*.yaml\n");
	ck_assert_int_eq(config_load(main_path, 1, &conf, &errors, &nerrors),
	    0);
	ck_assert_uint_eq(conf->njobs, 4);
	ck_assert_str_eq(conf->jobs[0]->name, "m1");
	ck_assert_str_eq(conf->jobs[1]->name, "a1");
	ck_assert_str_eq(conf->jobs[2]->name, "a2");
	ck_assert_str_eq(conf->jobs[3]->name, "b1");
	ck_assert_uint_eq(conf->nfiles, 3);
	ck_assert_str_eq(conf->files[0], main_path);
	ck_assert_ptr_nonnull(strstr(conf->files[1], "jobs.d/a.yaml"));
	ck_assert_ptr_nonnull(strstr(conf->files[2], "jobs.d/b.yaml"));
	ck_assert_ptr_nonnull(strstr(conf->jobs[3]->file, "jobs.d/b.yaml"));
	ck_assert_int_eq(conf->jobs[3]->line, 2);
	config_free(conf);
	free(main_path);
}
END_TEST

START_TEST(test_include_errors)
{
	struct config	*conf = NULL;
	char		*main_path, *a, *b, **errors = NULL, *want;
	size_t		 nerrors = 0;

	a = test_write("inc/a.yaml", "jobs:\n  dup: {command: x}\n"
	    "daemon: {max_running: 2}\n");
	b = test_write("inc/b.yaml", "jobs:\n  other: {command: x}\n"
	    "  bad: {command: x, every: 0}\n");
	main_path = test_write("main.yaml",
	    "include:\n"
	    "  - inc/*.yaml\n"
	    "  - main.yaml\n"
	    "  - [x]\n"
	    "jobs:\n"
	    "  dup: {command: y}\n");
	ck_assert_int_eq(config_load(main_path, 1, &conf, &errors, &nerrors),
	    -1);
	ck_assert_uint_eq(nerrors, 5);
	xasprintf(&want, "%s:3:5: \"%s/main.yaml\" is already included",
	    main_path, test_dir);
	ck_assert_str_eq(errors[0], want);
	free(want);
	xasprintf(&want, "%s:4:5: expected a string, got a list", main_path);
	ck_assert_str_eq(errors[1], want);
	free(want);
	xasprintf(&want, "%s:6:3: duplicate job \"dup\" (first defined at "
	    "%s:2:3)", main_path, a);
	ck_assert_str_eq(errors[2], want);
	free(want);
	xasprintf(&want, "%s:3:1: daemon settings are only allowed in the "
	    "main file", a);
	ck_assert_str_eq(errors[3], want);
	free(want);
	xasprintf(&want, "%s:3:28: must be greater than 0", b);
	ck_assert_str_eq(errors[4], want);
	free(want);
	config_errors_free(errors, nerrors);
	free(a);
	free(b);
	free(main_path);

	/* A loop through two files is refused, not followed. */
	a = test_write("loop/a.yaml", "include: [b.yaml]\n");
	b = test_write("loop/b.yaml", "include: [a.yaml]\n");
	ck_assert_int_eq(config_load(a, 1, &conf, &errors, &nerrors), -1);
	ck_assert_uint_eq(nerrors, 1);
	xasprintf(&want, "%s:1:11: \"%s/loop/a.yaml\" is already included", b,
	    test_dir);
	ck_assert_str_eq(errors[0], want);
	free(want);
	config_errors_free(errors, nerrors);
	free(a);
	free(b);

	/* An include given as a single string, absolute. */
	b = test_write("single/b.yaml", "jobs: {j: {command: x}}\n");
	xasprintf(&want, "include: %s\n", b);
	a = test_write("single/a.yaml", want);
	free(want);
	ck_assert_int_eq(config_load(a, 1, &conf, &errors, &nerrors), 0);
	ck_assert_uint_eq(conf->njobs, 1);
	config_free(conf);
	free(a);
	free(b);
}
END_TEST

/*
 * As root, every file read must be root's and writable by no one else,
 * checked on the file a symbolic link leads to; the error says which file
 * and why, and never shows a line of it.
 */
START_TEST(test_root_strict)
{
	char		*path, *secret, *link, *want, **errors = NULL;
	struct config	*conf = NULL;
	size_t		 nerrors = 0;

	if (geteuid() != 0)
		return;
	path = test_write("open.yaml", "jobs: {}\n");
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), 0);
	config_free(conf);
	chmod(path, 0666);
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	ck_assert_uint_eq(nerrors, 1);
	xasprintf(&want, "%s: refused: writable by others", path);
	ck_assert_str_eq(errors[0], want);
	free(want);
	config_errors_free(errors, nerrors);
	chmod(path, 0620);
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	xasprintf(&want, "%s: refused: writable by its group", path);
	ck_assert_str_eq(errors[0], want);
	free(want);
	config_errors_free(errors, nerrors);
	free(path);

	/* An include that is a link to another user's file. */
	secret = test_write("private/secret.yaml", "SECRET-KEY: hunter2\n"
	    "jobs: {x: {command: SECRET-CMD, at: SECRET-AT}}\n");
	ck_assert_int_eq(chown(secret, 65534, 65534), 0);
	xasprintf(&link, "%s/inc/link.yaml", test_dir);
	mkdir_p(link, 0755);
	rmdir(link);
	ck_assert_int_eq(symlink(secret, link), 0);
	path = test_write("main.yaml", "include: [inc/*.yaml]\njobs: {}\n");
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), -1);
	ck_assert_uint_eq(nerrors, 1);
	xasprintf(&want, "%s: refused: owned by uid 65534 (resolved to %s)",
	    link, secret);
	ck_assert_str_eq(errors[0], want);
	free(want);
	config_errors_free(errors, nerrors);
	/* Root's own file through the link is read. */
	free(test_write("private/secret.yaml", "jobs: {x: {command: y}}\n"));
	ck_assert_int_eq(chown(secret, 0, 0), 0);
	ck_assert_int_eq(config_load(path, 1, &conf, &errors, &nerrors), 0);
	ck_assert_uint_eq(conf->njobs, 1);
	config_free(conf);
	free(link);
	free(secret);
	free(path);
}
END_TEST

/* Parse JSON text with jobdef_from_json; the result or NULL and cause. */
static struct jobdef *
test_json(const char *text, char **cause)
{
	json_error_t	 jerr;
	json_t		*j;
	struct jobdef	*def = NULL;
	int		 rc;

	j = json_loads(text, 0, &jerr);
	ck_assert_msg(j != NULL, "bad test JSON: %s", jerr.text);
	*cause = NULL;
	rc = jobdef_from_json(j, &def, cause);
	json_decref(j);
	if (rc == 0) {
		ck_assert_ptr_nonnull(def);
		ck_assert_ptr_null(*cause);
		return (def);
	}
	ck_assert_ptr_nonnull(*cause);
	return (NULL);
}

/* The cause of a JSON job that must be refused. */
static void
test_json_bad(const char *text, const char *want)
{
	char	*cause;

	ck_assert_ptr_null(test_json(text, &cause));
	ck_assert_str_eq(cause, want);
	free(cause);
}

START_TEST(test_json_good)
{
	struct jobdef	*def;
	char		*cause;

	def = test_json("{\"name\": \"x\", \"command\": [\"echo\", \"hi\"],"
	    "\"every\": \"5m\", \"timeout\": 30, \"jitter\": 0.5,"
	    "\"retry_delay\": \"1h\", \"tags\": [\"t\"], \"env\": {\"A\": 1,"
	    "\"B\": \"b\", \"C\": true}, \"umask\": \"022\", \"nice\": 5,"
	    "\"limits\": {\"memory\": \"1MiB\", \"nofile\": 10, \"cpu\": 2},"
	    "\"enabled\": false, \"on_overlap\": \"skip\", \"max_runs\": 2,"
	    "\"auto_remove\": true, \"kill_signal\": \"KILL\"}", &cause);
	ck_assert_str_eq(def->name, "x");
	ck_assert_int_eq(def->shell, 0);
	ck_assert_str_eq(def->argv[1], "hi");
	ck_assert_uint_eq(def->every_ms, 300000);
	ck_assert_int_eq(def->timeout_ms, 30000);
	ck_assert_uint_eq(def->jitter_ms, 500);
	ck_assert_uint_eq(def->retry_delay_ms, 3600000);
	ck_assert_str_eq(def->tags[0], "t");
	ck_assert_str_eq(def->env[0], "A=1");
	ck_assert_str_eq(def->env[1], "B=b");
	ck_assert_str_eq(def->env[2], "C=true");
	ck_assert_int_eq(def->umask, 022);
	ck_assert_int_eq(def->nice, 5);
	ck_assert_uint_eq(def->limits[JOBLIM_MEMORY].value, 1024 * 1024);
	ck_assert_uint_eq(def->limits[JOBLIM_NOFILE].value, 10);
	ck_assert_uint_eq(def->limits[JOBLIM_CPU].value, 2);
	ck_assert_int_eq(def->enabled, 0);
	ck_assert_int_eq(def->on_overlap, OVERLAP_SKIP);
	ck_assert_uint_eq(def->max_runs, 2);
	ck_assert_int_eq(def->auto_remove, 1);
	ck_assert_int_eq(def->kill_signal, SIGKILL);
	ck_assert_ptr_null(def->file);
	ck_assert_int_eq(def->refs, 1);
	jobdef_unref(def);

	def = test_json("{\"name\": \"sh\", \"command\": \"echo $HOME\","
	    "\"timeout\": null, \"timeout_ms\": 1500, \"cron\": \"@daily\"}",
	    &cause);
	ck_assert_int_eq(def->shell, 1);
	ck_assert_str_eq(def->argv[2], "echo $HOME");
	ck_assert_int_eq(def->timeout_ms, 1500);
	ck_assert_str_eq(def->cron, "@daily");
	jobdef_unref(def);
}
END_TEST

START_TEST(test_json_errors)
{
	test_json_bad("[1]", "job: expected an object");
	test_json_bad("{\"command\": \"x\"}",
	    "job: missing required key \"name\"");
	test_json_bad("{\"name\": \"x\"}",
	    "job: missing required key \"command\"");
	test_json_bad("{\"name\": 5, \"command\": \"x\"}",
	    "job.name: expected a string");
	test_json_bad("{\"name\": \"9x\", \"command\": \"x\"}",
	    "job.name: bad job name \"9x\" (letters, digits and _.@-, not "
	    "starting with a digit or one of .@-, at most 64 characters)");
	test_json_bad("{\"name\": \"x\", \"command\": \"x\","
	    "\"timeout\": \"5x\","
	    "\"timout\": 1, \"concurrency\": 0, \"every\": \"5m\","
	    "\"cron\": \"* * * * *\", \"tags\": [1], \"env\": {\"A-B\": \"x\"},"
	    "\"enabled\": \"yes\", \"priority\": 1.5, \"command\": null}",
	    "job.command: expected a string or a list of strings, got null; "
	    "job.timeout: bad duration \"5x\"; "
	    "job.timout: unknown key \"timout\" (did you mean \"timeout\"?); "
	    "job.concurrency: must be at least 1, got 0; "
	    "job.tags[0]: expected a string, got a number; "
	    "job.env.A-B: bad variable name \"A-B\"; "
	    "job.enabled: expected true or false, got \"yes\"; "
	    "job.priority: expected an integer, got \"1.5\"; "
	    "job.cron: \"every\" and \"cron\" cannot both be set");
	test_json_bad("{\"name\": \"x\", \"command\": [], \"user\": 0,"
	    "\"limits\": {\"cpu\": -1, \"mem\": 1}, \"umask\": 18}",
	    "job.command: command is an empty list; "
	    "job.user: expected a string, got a number; "
	    "job.limits.cpu: bad duration \"-1\"; "
	    "job.limits.mem: unknown key \"mem\"; "
	    "job.umask: expected an octal mode like \"022\" (at most 0777), "
	    "got \"18\"");
	test_json_bad("{\"name\": \"x\", \"command\": \"x\","
	    "\"timeout\": \"1m\","
	    "\"timeout_ms\": 5}",
	    "job.timeout_ms: \"timeout\" and \"timeout_ms\" cannot both "
	    "be set");
}
END_TEST

/*
 * SCHEDD_* names are the daemon's (SCHEDD_JOB, SCHEDD_TASK_ID, ...): a
 * job's env may not set them, from YAML or from the JSON of "add".
 */
START_TEST(test_env_reserved)
{
	struct config	*conf;
	struct jobdef	*def;
	char		*cause;

	test_errors(
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    env:\n"
	    "      OK: 1\n"
	    "      SCHEDD_TASK_ID: 7\n"
	    "      SCHEDD_JOB: b\n"
	    "  b:\n"
	    "    command: x\n"
	    "    env: {SCHEDD_SOMETHING_NEW: x, SCHEDD_: y}\n",
	    "6:7: \"SCHEDD_TASK_ID\": SCHEDD_* variables are set by schedd, "
	    "not by jobs",
	    "7:7: \"SCHEDD_JOB\": SCHEDD_* variables are set by schedd, not "
	    "by jobs",
	    "10:11: \"SCHEDD_SOMETHING_NEW\": SCHEDD_* variables are set by "
	    "schedd, not by jobs",
	    "10:36: \"SCHEDD_\": SCHEDD_* variables are set by schedd, not by "
	    "jobs",
	    NULL);
	/* Only the prefix, as written, is reserved. */
	conf = test_load_ok("jobs:\n  a:\n    command: x\n    env: "
	    "{SCHEDD: 1, schedd_task_id: 2, MY_SCHEDD_X: 3}\n");
	ck_assert_uint_eq(conf->jobs[0]->nenv, 3);
	config_free(conf);

	test_json_bad("{\"name\": \"x\", \"command\": \"x\", \"env\": "
	    "{\"A\": 1, \"SCHEDD_TASK_ID\": \"1\"}}",
	    "job.env.SCHEDD_TASK_ID: \"SCHEDD_TASK_ID\": SCHEDD_* variables "
	    "are set by schedd, not by jobs");
	def = test_json("{\"name\": \"x\", \"command\": \"x\", \"env\": "
	    "{\"SCHEDDX\": 1}}", &cause);
	ck_assert_str_eq(def->env[0], "SCHEDDX=1");
	jobdef_unref(def);
}
END_TEST

/*
 * Hooks (schedd.yaml.5 HOOKS): on_failure unset (the daemon's), set empty
 * or to names; names must be good and name jobs of the configuration.
 */
START_TEST(test_hooks)
{
	struct config		*conf;
	struct settings		 copy;
	const struct jobdef	*a, *b;

	conf = test_load_ok("daemon:\n  on_failure: [m]\njobs:\n"
	    "  m:\n    command: x\n"
	    "  a:\n    command: x\n    on_failure: []\n"
	    "    on_success: [m, a]\n"
	    "  b:\n    command: x\n");
	ck_assert_uint_eq(conf->settings.non_failure, 1);
	ck_assert_str_eq(conf->settings.on_failure[0], "m");
	a = config_find_job(conf, "a");
	b = config_find_job(conf, "b");
	ck_assert_ptr_nonnull(a->on_failure);
	ck_assert_ptr_null(a->on_failure[0]);
	ck_assert_uint_eq(a->non_success, 2);
	ck_assert_str_eq(a->on_success[1], "a");
	ck_assert_ptr_null(b->on_failure);
	ck_assert_ptr_null(b->on_success[0]);
	ck_assert(!jobdef_equal(a, b));
	settings_copy(&copy, &conf->settings);
	ck_assert_uint_eq(copy.non_failure, 1);
	ck_assert_str_eq(copy.on_failure[0], "m");
	settings_free(&copy);
	ck_assert_ptr_null(copy.on_failure);
	config_free(conf);

	test_errors("jobs:\n  a:\n    command: x\n"
	    "    on_failure: [\"bad name\", 9x]\n"
	    "    on_success: {}\n",
	    "4:18: bad job name \"bad name\"",
	    "4:30: bad job name \"9x\"",
	    "5:17: expected a list of strings, got a mapping",
	    NULL);
	test_errors("daemon:\n  on_failure: [nope]\njobs:\n  a:\n"
	    "    command: x\n    on_success: [zz]\n    on_failure: [a]\n",
	    " daemon.on_failure: no job \"nope\"",
	    "4:3: job \"a\": on_success: no job \"zz\"",
	    NULL);
}
END_TEST

START_TEST(test_json_roundtrip)
{
	struct config	*conf;
	struct settings	 s;
	struct jobdef	*back;
	json_t		*j;
	char		*cause = NULL;
	size_t		 i;

	conf = test_load_ok(
	    "jobs:\n"
	    "  a:\n"
	    "    command: [\"/bin/echo\", \"a b\"]\n"
	    "    description: hello\n"
	    "    tags: [x, y]\n"
	    "    every: 1h\n"
	    "    at: '09:00'\n"
	    "    jitter: 1s\n"
	    "    max_runs: 4\n"
	    "    auto_remove: true\n"
	    "    timeout: 0\n"
	    "    kill_signal: HUP\n"
	    "    kill_grace: 2s\n"
	    "    concurrency: 3\n"
	    "    on_overlap: replace\n"
	    "    queue_limit: 7\n"
	    "    priority: 9\n"
	    "    retries: 1\n"
	    "    retry_delay: 10s\n"
	    "    ban_after_failures: 2\n"
	    "    user: nobody\n"
	    "    group: nogroup\n"
	    "    workdir: /tmp\n"
	    "    env: {X: '1=2'}\n"
	    "    umask: '077'\n"
	    "    nice: -1\n"
	    "    limits: {cpu: 10s, fsize: unlimited, nproc: 3}\n"
	    "    timezone: UTC\n"
	    "    enabled: false\n"
	    "  b:\n"
	    "    command: echo b\n"
	    "    cron: '0 * * * *'\n"
	    "    catch_up: true\n");
	for (i = 0; i < conf->njobs; i++) {
		j = jobdef_to_json(conf->jobs[i], NULL);
		ck_assert_int_eq(jobdef_from_json(j, &back, &cause), 0);
		json_decref(j);
		ck_assert(jobdef_equal(conf->jobs[i], back));
		jobdef_unref(back);
	}

	/* With settings, daemon defaults are filled in. */
	settings_defaults(&s);
	s.default_timeout_ms = 4000;
	j = jobdef_to_json(conf->jobs[1], &s);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "timeout_ms")),
	    4000);
	ck_assert_int_eq(json_integer_value(json_object_get(j,
	    "kill_grace_ms")), 10000);
	ck_assert_int_eq(json_integer_value(json_object_get(j,
	    "queue_limit")), 30);
	ck_assert_str_eq(json_string_value(json_object_get(j, "command")),
	    "echo b");
	ck_assert_str_eq(json_string_value(json_object_get(j, "kill_signal")),
	    "TERM");
	ck_assert(json_is_null(json_object_get(j, "every_ms")));
	ck_assert(json_is_true(json_object_get(j, "catch_up")));
	json_decref(j);
	j = jobdef_to_json(conf->jobs[0], &s);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "timeout_ms")),
	    0);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "every_ms")),
	    3600000);
	ck_assert_str_eq(json_string_value(json_object_get(j, "umask")),
	    "0077");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "limits"), "fsize")), "unlimited");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "env"), "X")), "1=2");
	json_decref(j);
	j = jobdef_to_json(conf->jobs[1], NULL);
	ck_assert(json_is_null(json_object_get(j, "timeout_ms")));
	json_decref(j);
	config_free(conf);
}
END_TEST

START_TEST(test_equal_and_refs)
{
	struct config	*c1, *c2;
	struct jobdef	*def;
	const char	*base = "jobs:\n  a:\n    command: [x, y]\n"
			    "    env: {A: 1}\n    every: 5m\n";

	c1 = test_load_ok(base);
	c2 = test_load_ok(base);
	ck_assert(jobdef_equal(c1->jobs[0], c2->jobs[0]));
	config_free(c2);

	c2 = test_load_ok("\n\njobs:\n  a: {command: [x, y], env: {A: 1}, "
	    "every: 300}\n");
	ck_assert(jobdef_equal(c1->jobs[0], c2->jobs[0]));
	config_free(c2);

	c2 = test_load_ok("jobs:\n  a: {command: [x, z], env: {A: 1}, "
	    "every: 5m}\n");
	ck_assert(!jobdef_equal(c1->jobs[0], c2->jobs[0]));
	config_free(c2);
	c2 = test_load_ok("jobs:\n  a: {command: [x, y], env: {A: 2}, "
	    "every: 5m}\n");
	ck_assert(!jobdef_equal(c1->jobs[0], c2->jobs[0]));
	config_free(c2);
	c2 = test_load_ok("jobs:\n  a: {command: [x, y], env: {A: 1}, "
	    "every: 5m, nice: 0}\n");
	ck_assert(!jobdef_equal(c1->jobs[0], c2->jobs[0]));
	config_free(c2);
	c2 = test_load_ok("jobs:\n  a: {command: 'x y', env: {A: 1}, "
	    "every: 5m}\n");
	ck_assert(!jobdef_equal(c1->jobs[0], c2->jobs[0]));
	config_free(c2);

	/* A reference outlives the configuration. */
	def = jobdef_ref(c1->jobs[0]);
	ck_assert_int_eq(def->refs, 2);
	config_free(c1);
	ck_assert_int_eq(def->refs, 1);
	ck_assert_str_eq(def->name, "a");
	jobdef_unref(def);
}
END_TEST

START_TEST(test_settings_copy)
{
	struct settings	 a, b;

	settings_defaults(&a);
	a.socket = xstrdup("/run/x.sock");
	a.timezone = xstrdup("UTC");
	a.max_running = 3;
	settings_copy(&b, &a);
	ck_assert_ptr_ne(a.socket, b.socket);
	ck_assert_str_eq(b.socket, "/run/x.sock");
	ck_assert_str_eq(b.timezone, "UTC");
	ck_assert_ptr_null(b.state_dir);
	ck_assert_uint_eq(b.max_running, 3);
	settings_free(&a);
	ck_assert_ptr_null(a.socket);
	ck_assert_str_eq(b.socket, "/run/x.sock");
	settings_free(&b);
	settings_free(&b);
}
END_TEST

/*
 * The cgroup limit keys of a job and their daemon defaults: every form,
 * the values kept, and the errors with their positions.
 */
START_TEST(test_cglimits)
{
	struct config		*conf;
	const struct jobdef	*a, *b;
	const struct settings	*s;

	conf = test_load_ok(
	    "daemon:\n"
	    "  memory_max: 1GiB\n"
	    "  cpu_weight: 50\n"
	    "  pids_max: max\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    memory_max: 512MiB\n"
	    "    memory_high: 400M\n"
	    "    memory_swap_max: 0\n"
	    "    cpu_max: 50%\n"
	    "    cpu_weight: 1\n"
	    "    io_weight: 10000\n"
	    "    pids_max: 64\n"
	    "  b:\n"
	    "    command: x\n"
	    "    memory_max: max\n"
	    "    cpu_max: 1.5\n"
	    "    memory_high: \"1048576\"\n");
	s = &conf->settings;
	ck_assert(s->cglimits[CGLIM_MEMORY_MAX].set);
	ck_assert_uint_eq(s->cglimits[CGLIM_MEMORY_MAX].value,
	    (uint64_t)1 << 30);
	ck_assert_int_eq(s->cglimits[CGLIM_MEMORY_MAX].line, 2);
	ck_assert_int_eq(s->cglimits[CGLIM_MEMORY_MAX].column, 3);
	ck_assert_uint_eq(s->cglimits[CGLIM_CPU_WEIGHT].value, 50);
	ck_assert_uint_eq(s->cglimits[CGLIM_PIDS_MAX].value, CGLIM_INFINITY);
	ck_assert(!s->cglimits[CGLIM_IO_WEIGHT].set);
	a = conf->jobs[0];
	ck_assert_uint_eq(a->cglimits[CGLIM_MEMORY_MAX].value, 512 << 20);
	ck_assert_int_eq(a->cglimits[CGLIM_MEMORY_MAX].line, 8);
	ck_assert_int_eq(a->cglimits[CGLIM_MEMORY_MAX].column, 5);
	ck_assert_uint_eq(a->cglimits[CGLIM_MEMORY_HIGH].value, 400 << 20);
	ck_assert(a->cglimits[CGLIM_MEMORY_SWAP_MAX].set);
	ck_assert_uint_eq(a->cglimits[CGLIM_MEMORY_SWAP_MAX].value, 0);
	ck_assert_uint_eq(a->cglimits[CGLIM_CPU_MAX].value, 50000);
	ck_assert_uint_eq(a->cglimits[CGLIM_CPU_WEIGHT].value, 1);
	ck_assert_uint_eq(a->cglimits[CGLIM_IO_WEIGHT].value, 10000);
	ck_assert_uint_eq(a->cglimits[CGLIM_PIDS_MAX].value, 64);
	b = conf->jobs[1];
	ck_assert_uint_eq(b->cglimits[CGLIM_MEMORY_MAX].value,
	    CGLIM_INFINITY);
	ck_assert_uint_eq(b->cglimits[CGLIM_CPU_MAX].value, 150000);
	ck_assert_uint_eq(b->cglimits[CGLIM_MEMORY_HIGH].value, 1 << 20);
	ck_assert(!b->cglimits[CGLIM_PIDS_MAX].set);
	/* Effective: the job's own, else the daemon's, else none. */
	ck_assert_ptr_eq(cglimit_effective(b, s, CGLIM_MEMORY_MAX),
	    &b->cglimits[CGLIM_MEMORY_MAX]);
	ck_assert_ptr_eq(cglimit_effective(b, s, CGLIM_CPU_WEIGHT),
	    &s->cglimits[CGLIM_CPU_WEIGHT]);
	ck_assert_ptr_null(cglimit_effective(b, s, CGLIM_IO_WEIGHT));
	ck_assert_ptr_null(cglimit_effective(b, NULL, CGLIM_CPU_WEIGHT));
	config_free(conf);
}
END_TEST

/* cpu_max in its two forms, to the microsecond, within 1%..every CPU. */
START_TEST(test_cglimit_cpu)
{
	static const struct {
		const char	*text;
		uint64_t	 us;
	} good[] = {
		{ "1%", 1000 }, { "50%", 50000 }, { "12.5%", 12500 },
		{ "12.345%", 12345 }, { "12.3456%", 12345 }, { "100%", 100000 },
		{ "1", 100000 }, { "0.5", 50000 }, { "0.01", 1000 },
		{ "0.123456", 12345 },
	};
	struct config	*conf;
	char		*text, *want, *e1, *e2, *e3, *e4;
	long		 ncpu;
	size_t		 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		xasprintf(&text, "jobs:\n  a: {command: x, cpu_max: '%s'}\n",
		    good[i].text);
		conf = test_load_ok(text);
		ck_assert_msg(conf->jobs[0]->cglimits[CGLIM_CPU_MAX].value ==
		    good[i].us, "cpu_max %s: %llu", good[i].text,
		    (unsigned long long)
		    conf->jobs[0]->cglimits[CGLIM_CPU_MAX].value);
		config_free(conf);
		free(text);
	}
	if ((ncpu = sysconf(_SC_NPROCESSORS_CONF)) < 1)
		ncpu = 1;
	xasprintf(&text, "jobs:\n  a: {command: x, cpu_max: %ld}\n", ncpu);
	conf = test_load_ok(text);
	ck_assert_uint_eq(conf->jobs[0]->cglimits[CGLIM_CPU_MAX].value,
	    (uint64_t)ncpu * 100000);
	config_free(conf);
	free(text);

	xasprintf(&text,
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    cpu_max: 0.5%%\n"
	    "  b:\n"
	    "    command: x\n"
	    "    cpu_max: %ld.1\n"
	    "  c:\n"
	    "    command: x\n"
	    "    cpu_max: 0.00001\n"
	    "  d:\n"
	    "    command: x\n"
	    "    cpu_max: 9999999999%%\n", ncpu);
	xasprintf(&want, "must be between 1%% and %ld%% (%ld CPU%s)",
	    ncpu * 100, ncpu, ncpu == 1 ? "" : "s");
	xasprintf(&e1, "4:14: %s, got \"0.5%%\"", want);
	xasprintf(&e2, "7:14: %s, got \"%ld.1\"", want, ncpu);
	xasprintf(&e3, "10:14: %s, got \"0.00001\"", want);
	xasprintf(&e4, "13:14: %s, got \"9999999999%%\"", want);
	test_errors(text, e1, e2, e3, e4, NULL);
	free(e1);
	free(e2);
	free(e3);
	free(e4);
	free(want);
	free(text);
	test_errors(
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    cpu_max: 50 %\n"
	    "  b: {command: x, cpu_max: half}\n"
	    "  c: {command: x, cpu_max: '%'}\n"
	    "  d: {command: x, cpu_max: 1.}\n"
	    "  e: {command: x, cpu_max: true}\n"
	    "  f: {command: x, cpu_max: [1]}\n"
	    "  g: {command: x, cpu_max: -1}\n"
	    "  h: {command: x, cpu_max: 50%%}\n",
	    "4:14: bad cpu_max \"50 %\" (expected a percentage of one CPU like "
	    "50%, a number of CPUs like 1.5, or max)",
	    "5:28: bad cpu_max \"half\" (expected a percentage of one CPU like "
	    "50%, a number of CPUs like 1.5, or max)",
	    "6:28: bad cpu_max \"%\" (expected a percentage of one CPU like "
	    "50%, a number of CPUs like 1.5, or max)",
	    "7:28: bad cpu_max \"1.\" (expected a percentage of one CPU like "
	    "50%, a number of CPUs like 1.5, or max)",
	    "8:28: bad cpu_max \"true\" (expected a percentage of one CPU "
	    "like 50%, a number of CPUs like 1.5, or max)",
	    "9:28: expected a percentage of one CPU or a number of CPUs, got "
	    "a list",
	    "10:28: bad cpu_max \"-1\" (expected a percentage of one CPU like "
	    "50%, a number of CPUs like 1.5, or max)",
	    "11:28: bad cpu_max \"50%%\" (expected a percentage of one CPU "
	    "like 50%, a number of CPUs like 1.5, or max)",
	    NULL);
}
END_TEST

/* Every other cgroup limit's errors, in a job and in the daemon: section. */
START_TEST(test_cglimit_errors)
{
	test_errors(
	    "daemon:\n"
	    "  memory_max: lots\n"
	    "  cpu_weight: 0\n"
	    "  io_weight: max\n"
	    "  pids_max: 0\n"
	    "  memory_maxx: 1\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    memory_max: 0\n"
	    "    memory_high: 16EiB\n"
	    "    memory_swap_max: 9223372036854775808\n"
	    "    cpu_weight: 10001\n"
	    "    io_weight: 1.5\n"
	    "    pids_max: 4194305\n"
	    "    memory_hihg: 1G\n"
	    "    memory_max: 1G\n",
	    "2:15: bad size \"lots\"",
	    "3:15: must be at least 1, got 0",
	    "4:14: expected an integer, got \"max\"",
	    "5:13: must be at least 1, got 0",
	    "6:3: unknown key \"memory_maxx\" (did you mean \"memory_max\"?)",
	    "10:17: must be greater than 0",
	    "11:18: bad size \"16EiB\"",
	    "12:22: size \"9223372036854775808\" is too large",
	    "13:17: must be at most 10000, got 10001",
	    "14:16: expected an integer, got \"1.5\"",
	    "15:15: must be at most 4194304, got 4194305",
	    "16:5: unknown key \"memory_hihg\" (did you mean \"memory_high\"?)",
	    "17:5: duplicate key \"memory_max\" (first at line 10, column 5)",
	    NULL);
}
END_TEST

/* The JSON of "add": the same keys and rules, errors at "job.KEY". */
START_TEST(test_cglimit_json)
{
	struct jobdef	*def;
	char		*cause, *want, *text;
	long		 ncpu;

	def = test_json("{\"name\": \"x\", \"command\": \"x\", "
	    "\"memory_max\": 1048576, \"memory_high\": \"1MiB\", "
	    "\"memory_swap_max\": \"max\", \"cpu_max\": 0.25, "
	    "\"cpu_weight\": 7, \"io_weight\": null, \"pids_max\": \"max\"}",
	    &cause);
	ck_assert_uint_eq(def->cglimits[CGLIM_MEMORY_MAX].value, 1 << 20);
	ck_assert_uint_eq(def->cglimits[CGLIM_MEMORY_HIGH].value, 1 << 20);
	ck_assert_uint_eq(def->cglimits[CGLIM_MEMORY_SWAP_MAX].value,
	    CGLIM_INFINITY);
	ck_assert_uint_eq(def->cglimits[CGLIM_CPU_MAX].value, 25000);
	ck_assert_uint_eq(def->cglimits[CGLIM_CPU_WEIGHT].value, 7);
	ck_assert(!def->cglimits[CGLIM_IO_WEIGHT].set);
	ck_assert_uint_eq(def->cglimits[CGLIM_PIDS_MAX].value,
	    CGLIM_INFINITY);
	ck_assert_int_eq(def->cglimits[CGLIM_CPU_WEIGHT].line, 0);
	jobdef_unref(def);

	if ((ncpu = sysconf(_SC_NPROCESSORS_CONF)) < 1)
		ncpu = 1;
	xasprintf(&want, "job.memory_max: bad size \"-1\"; "
	    "job.cpu_max: must be between 1%% and %ld%% (%ld CPU%s), got "
	    "\"%ld\"; "
	    "job.cpu_weight: expected an integer, got the string \"max\"; "
	    "job.pids_max: must be at least 1, got 0; "
	    "job.memory_high: expected a size, got a boolean", ncpu * 100,
	    ncpu, ncpu == 1 ? "" : "s", ncpu + 1);
	xasprintf(&text, "{\"name\": \"x\", \"command\": \"x\", "
	    "\"memory_max\": -1, \"cpu_max\": \"%ld\", "
	    "\"cpu_weight\": \"max\", \"pids_max\": 0, "
	    "\"memory_high\": true}", ncpu + 1);
	test_json_bad(text, want);
	free(text);
	free(want);
}
END_TEST

/*
 * cgroup limits in the JSON of a job: effective values (the daemon's
 * defaults filled in, null when there is none), read back equal; the
 * place a key was written does not make two jobs different.
 */
START_TEST(test_cglimit_roundtrip)
{
	struct config	*conf, *c2;
	struct settings	 s;
	struct jobdef	*back;
	json_t		*j;
	char		*cause = NULL;
	size_t		 i;

	conf = test_load_ok(
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    memory_max: 1GiB\n"
	    "    memory_high: max\n"
	    "    memory_swap_max: 0\n"
	    "    cpu_max: 12.345%\n"
	    "    cpu_weight: 20\n"
	    "    io_weight: 300\n"
	    "    pids_max: 100\n"
	    "  b:\n"
	    "    command: x\n"
	    "    cpu_max: 1\n");
	for (i = 0; i < conf->njobs; i++) {
		j = jobdef_to_json(conf->jobs[i], NULL);
		ck_assert_int_eq(jobdef_from_json(j, &back, &cause), 0);
		json_decref(j);
		ck_assert(jobdef_equal(conf->jobs[i], back));
		jobdef_unref(back);
	}
	j = jobdef_to_json(conf->jobs[0], NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "memory_max")),
	    1 << 30);
	ck_assert_str_eq(json_string_value(json_object_get(j, "memory_high")),
	    "max");
	ck_assert(json_is_integer(json_object_get(j, "memory_swap_max")));
	ck_assert_int_eq(json_integer_value(json_object_get(j,
	    "memory_swap_max")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "cpu_max")),
	    "12.345%");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "io_weight")),
	    300);
	json_decref(j);

	/* b: its own cpu_max, the daemon's memory_max, no io_weight. */
	settings_defaults(&s);
	s.cglimits[CGLIM_MEMORY_MAX].set = 1;
	s.cglimits[CGLIM_MEMORY_MAX].value = 1536;
	j = jobdef_to_json(conf->jobs[1], &s);
	ck_assert_str_eq(json_string_value(json_object_get(j, "cpu_max")),
	    "100%");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "memory_max")),
	    1536);
	ck_assert(json_is_null(json_object_get(j, "io_weight")));
	json_decref(j);
	j = jobdef_to_json(conf->jobs[1], NULL);
	ck_assert(json_is_null(json_object_get(j, "memory_max")));
	json_decref(j);

	/* Equal wherever written; different by value or by being set. */
	c2 = test_load_ok("\n\njobs:\n  b: {cpu_max: 100%, command: x}\n");
	ck_assert(jobdef_equal(conf->jobs[1], c2->jobs[0]));
	config_free(c2);
	c2 = test_load_ok("jobs:\n  b: {command: x, cpu_max: 99%}\n");
	ck_assert(!jobdef_equal(conf->jobs[1], c2->jobs[0]));
	config_free(c2);
	c2 = test_load_ok("jobs:\n  b: {command: x, cpu_max: 1, "
	    "pids_max: max}\n");
	ck_assert(!jobdef_equal(conf->jobs[1], c2->jobs[0]));
	config_free(c2);
	config_free(conf);

	/* The words of messages. */
	cause = cglimit_format(CGLIM_MEMORY_MAX, (uint64_t)3 << 30);
	ck_assert_str_eq(cause, "3GiB");
	free(cause);
	cause = cglimit_format(CGLIM_MEMORY_HIGH, 1536);
	ck_assert_str_eq(cause, "1536");
	free(cause);
	cause = cglimit_format(CGLIM_CPU_MAX, 150000);
	ck_assert_str_eq(cause, "150%");
	free(cause);
	cause = cglimit_format(CGLIM_CPU_MAX, 1010);
	ck_assert_str_eq(cause, "1.01%");
	free(cause);
	cause = cglimit_format(CGLIM_PIDS_MAX, CGLIM_INFINITY);
	ck_assert_str_eq(cause, "max");
	free(cause);
}
END_TEST

/*
 * The digest reload compares tells apart definitions that differ in any
 * one key, and only those: jobdef_same agrees with jobdef_equal.
 */
START_TEST(test_digest)
{
	static const char *const variants[] = {
		"command: [x, y]",
		"command: [x, y, z]",
		"command: [xy]",
		"command: 'x y'",
		"command: [x, y]\n    description: d",
		"command: [x, y]\n    description: ''",
		"command: [x, y]\n    tags: [a]",
		"command: [x, y]\n    tags: [a, b]",
		"command: [x, y]\n    every: 5m",
		"command: [x, y]\n    every: 6m",
		"command: [x, y]\n    cron: '0 * * * *'",
		"command: [x, y]\n    at: '2030-01-01T00:00:00Z'",
		"command: [x, y]\n    every: 5m\n    jitter: 1s",
		"command: [x, y]\n    every: 5m\n    max_runs: 2",
		"command: [x, y]\n    every: 5m\n    auto_remove: true",
		"command: [x, y]\n    every: 5m\n    catch_up: true",
		"command: [x, y]\n    timeout: 0",
		"command: [x, y]\n    timeout: 1s",
		"command: [x, y]\n    kill_signal: KILL",
		"command: [x, y]\n    kill_grace: 1s",
		"command: [x, y]\n    concurrency: 2",
		"command: [x, y]\n    on_overlap: skip",
		"command: [x, y]\n    on_leftovers: wait",
		"command: [x, y]\n    queue_limit: 3",
		"command: [x, y]\n    priority: -1",
		"command: [x, y]\n    retries: 1",
		"command: [x, y]\n    retries: 1\n    retry_delay: 2s",
		"command: [x, y]\n    ban_after_failures: 1",
		"command: [x, y]\n    user: nobody",
		"command: [x, y]\n    group: nogroup",
		"command: [x, y]\n    workdir: /tmp",
		"command: [x, y]\n    env: {A: 1}",
		"command: [x, y]\n    env: {A: 2}",
		"command: [x, y]\n    env: {A: 1, B: 1}",
		"command: [x, y]\n    umask: '022'",
		"command: [x, y]\n    nice: 0",
		"command: [x, y]\n    nice: 1",
		"command: [x, y]\n    limits: {nofile: 10}",
		"command: [x, y]\n    limits: {nofile: 11}",
		"command: [x, y]\n    limits: {nproc: 10}",
		"command: [x, y]\n    memory_max: 1GiB",
		"command: [x, y]\n    memory_max: max",
		"command: [x, y]\n    pids_max: 10",
		"command: [x, y]\n    timezone: UTC",
		"command: [x, y]\n    enabled: false",
	};
	enum { N = sizeof variants / sizeof variants[0] };
	struct config	*c[N], *moved;
	char		*text;
	size_t		 i, j;

	for (i = 0; i < N; i++) {
		xasprintf(&text, "jobs:\n  a:\n    %s\n", variants[i]);
		c[i] = test_load_ok(text);
		free(text);
	}
	for (i = 0; i < N; i++) {
		for (j = 0; j < N; j++) {
			ck_assert_msg(jobdef_same(c[i]->jobs[0],
			    c[j]->jobs[0]) == (i == j), "%zu and %zu", i, j);
			ck_assert_int_eq(jobdef_equal(c[i]->jobs[0],
			    c[j]->jobs[0]), i == j);
		}
	}
	/* Where a job is written, and how, does not matter. */
	moved = test_load_ok("\n\njobs:\n  z: {command: x}\n"
	    "  a: {command: [x, y], memory_max: 1024MiB}\n");
	ck_assert(jobdef_same(moved->jobs[1], c[40]->jobs[0]));
	ck_assert(moved->jobs[1]->line != c[40]->jobs[0]->line);
	ck_assert(!jobdef_same(moved->jobs[0], c[0]->jobs[0]));
	config_free(moved);
	for (i = 0; i < N; i++)
		config_free(c[i]);
}
END_TEST

/* Jobs are found by name, whatever their number. */
START_TEST(test_find_many)
{
	struct config	*conf;
	char		*text, name[32];
	size_t		 i, len, size = 5000 * 32;

	text = xmalloc(size);
	len = (size_t)snprintf(text, size, "jobs:\n");
	for (i = 0; i < 5000; i++)
		len += (size_t)snprintf(text + len, size - len,
		    "  j%zu: {command: x}\n", i);
	ck_assert_uint_lt(len, size);
	conf = test_load_ok(text);
	free(text);
	ck_assert_uint_eq(conf->njobs, 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "j%zu", i);
		ck_assert_ptr_eq(config_find_job(conf, name), conf->jobs[i]);
	}
	ck_assert_ptr_null(config_find_job(conf, "j5000"));
	ck_assert_ptr_null(config_find_job(conf, ""));
	config_free(conf);
}
END_TEST

/*
 * An include file whose text did not change is not parsed again: its
 * jobs are the very same definitions.  A changed file is parsed again
 * even at the same size; a file with errors, or one that includes
 * others, is always parsed.
 */
START_TEST(test_include_cache)
{
	struct config	*c1, *c2, *c3;
	char		*main_path, *a, *b, *n, **errors = NULL;
	size_t		 nerrors = 0;

	a = test_write("inc/a.yaml", "jobs:\n  a1: {command: x}\n"
	    "  a2: {command: y}\n");
	b = test_write("inc/b.yaml", "jobs:\n  b1: {command: x}\n");
	n = test_write("nest/n.yaml", "include: [../inc/b.yaml]\n"
	    "jobs:\n  n1: {command: x}\n");
	main_path = test_write("main.yaml", "jobs:\n  m1: {command: x}\n"
	    "include: [inc/a.yaml, nest/n.yaml]\n");
	ck_assert_int_eq(config_load(main_path, 1, &c1, &errors, &nerrors),
	    0);
	ck_assert_uint_eq(c1->nparsed, 4);
	ck_assert_uint_eq(c1->nreused, 0);
	ck_assert_uint_eq(c1->njobs, 5);

	ck_assert_int_eq(config_load(main_path, 1, &c2, &errors, &nerrors),
	    0);
	ck_assert_uint_eq(c2->nparsed, 2);	/* main.yaml and n.yaml */
	ck_assert_uint_eq(c2->nreused, 2);
	ck_assert_uint_eq(c2->njobs, 5);
	ck_assert_ptr_eq(config_find_job(c2, "a1"), config_find_job(c1, "a1"));
	ck_assert_ptr_eq(config_find_job(c2, "b1"), config_find_job(c1, "b1"));
	ck_assert_ptr_ne(config_find_job(c2, "m1"), config_find_job(c1, "m1"));
	ck_assert_str_eq(c2->jobs[1]->name, "a1");
	ck_assert_str_eq(c2->jobs[1]->file, a);
	ck_assert_int_eq(c2->jobs[2]->line, 3);
	config_free(c2);

	/* Same size, other text. */
	free(test_write("inc/a.yaml", "jobs:\n  a1: {command: z}\n"
	    "  a2: {command: y}\n"));
	ck_assert_int_eq(config_load(main_path, 1, &c2, &errors, &nerrors),
	    0);
	ck_assert_uint_eq(c2->nparsed, 3);
	ck_assert_uint_eq(c2->nreused, 1);
	ck_assert_str_eq(config_find_job(c2, "a1")->argv[2], "z");
	ck_assert(!jobdef_same(config_find_job(c2, "a1"),
	    config_find_job(c1, "a1")));
	ck_assert_ptr_ne(config_find_job(c2, "a2"), config_find_job(c1, "a2"));
	ck_assert(jobdef_same(config_find_job(c2, "a2"),
	    config_find_job(c1, "a2")));

	/* A duplicate in a reused file is still reported. */
	free(test_write("main.yaml", "jobs:\n  b1: {command: x}\n"
	    "include: [inc/a.yaml, nest/n.yaml]\n"));
	ck_assert_int_eq(config_load(main_path, 1, &c3, &errors, &nerrors),
	    -1);
	ck_assert_uint_eq(nerrors, 1);
	ck_assert_ptr_nonnull(strstr(errors[0], "duplicate job \"b1\""));
	config_errors_free(errors, nerrors);

	/* A file with errors is parsed every time, and says so. */
	free(test_write("inc/a.yaml", "jobs:\n  a1: {command: x, every: 0}\n"));
	free(test_write("main.yaml", "jobs:\n  m1: {command: x}\n"
	    "include: [inc/a.yaml, nest/n.yaml]\n"));
	ck_assert_int_eq(config_load(main_path, 1, &c3, &errors, &nerrors),
	    -1);
	config_errors_free(errors, nerrors);
	ck_assert_int_eq(config_load(main_path, 1, &c3, &errors, &nerrors),
	    -1);
	ck_assert_uint_eq(nerrors, 1);
	ck_assert_ptr_nonnull(strstr(errors[0], "must be greater than 0"));
	config_errors_free(errors, nerrors);

	config_free(c1);
	config_free(c2);
	config_cache_clear();
	free(main_path);
	free(a);
	free(b);
	free(n);
}
END_TEST

/* The error is the message fmt formats. */
static void
test_error_is(const char *got, const char *fmt, ...)
{
	va_list	 ap;
	char	*want;

	va_start(ap, fmt);
	xvasprintf(&want, fmt, ap);
	va_end(ap);
	ck_assert_str_eq(got, want);
	free(want);
}

/* A name first defined by an invalid job is still a duplicate later. */
START_TEST(test_duplicate_of_invalid)
{
	struct config	*conf = NULL;
	char		*main_path, *x, **errors = NULL;
	size_t		 nerrors = 0;

	x = test_write("x/x.yaml", "jobs:\n  q: {command: x, every: 0}\n"
	    "  r: {command: x}\n");
	main_path = test_write("main.yaml", "include: [x/x.yaml]\n"
	    "jobs:\n  q: {command: y}\n  r: {command: y}\n  q: {command: z}\n");
	ck_assert_int_eq(config_load(main_path, 1, &conf, &errors, &nerrors),
	    -1);
	ck_assert_uint_eq(nerrors, 4);
	test_error_is(errors[0], "%s:3:3: duplicate job \"q\" (first defined "
	    "at %s:2:3)", main_path, x);
	test_error_is(errors[1], "%s:4:3: duplicate job \"r\" (first defined "
	    "at %s:3:3)", main_path, x);
	test_error_is(errors[2], "%s:5:3: duplicate job \"q\" (first at line "
	    "3, column 3)", main_path);
	ck_assert_ptr_nonnull(strstr(errors[3], "must be greater than 0"));
	config_errors_free(errors, nerrors);
	free(main_path);
	free(x);
}
END_TEST

/* Two node trees hold the same values. */
static void
nodes_equal(const struct cnode *a, const struct cnode *b)
{
	size_t	 i;

	ck_assert_int_eq(a->type, b->type);
	if (a->type == CNODE_SCALAR) {
		ck_assert_int_eq(a->style, b->style);
		ck_assert_uint_eq(a->len, b->len);
		ck_assert(memcmp(a->value, b->value, a->len) == 0);
	}
	ck_assert_uint_eq(a->nchild, b->nchild);
	for (i = 0; i < a->nchild; i++)
		nodes_equal(a->child[i], b->child[i]);
}

/* A random string: ASCII, control characters, UTF-8 of every length. */
static json_t *
random_string(void)
{
	static const char *const pieces[] = { "a", "Z", "\"", "\\", "/",
	    "\n", "\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", " ", "name", "" };
	char	 buf[64];	/* 7 pieces of at most 4 bytes */
	size_t	 n;

	buf[0] = '\0';
	for (n = random() % 8; n > 0; n--)
		strcat(buf, pieces[random() % 16]);
	return (json_string(buf));
}

static json_t *
random_value(int depth)
{
	json_t	*v;
	int	 i, n;
	char	 key[16];

	switch (depth > 3 ? random() % 4 : random() % 6) {
	case 0:
		return (json_integer((json_int_t)(random() - RAND_MAX / 2) *
		    (random() % 2 ? 1 : 100003)));
	case 1:
		return (random_string());
	case 2:
		return (random() % 2 ? json_true() : random() % 2 ?
		    json_false() : json_null());
	case 3:
		return (json_integer(0));
	case 4:
		v = json_array();
		for (n = random() % 5, i = 0; i < n; i++)
			json_array_append_new(v, random_value(depth + 1));
		return (v);
	default:
		v = json_object();
		for (n = random() % 6, i = 0; i < n; i++) {
			snprintf(key, sizeof key, "k%d\xc3\xa9", i);
			json_object_set_new(v, key, random_value(depth + 1));
		}
		return (v);
	}
}

/*
 * JSON text read straight into nodes (saved definitions at start) gives
 * the same tree as through jansson, escapes and surrogate pairs
 * included; what it does not take it leaves to jansson.
 */
START_TEST(test_json_nodes)
{
	static const char *const refused[] = { "1.5", "1e3", "-0.0",
	    "12345678901234567890", "\"a\\u0000b\"", "\"\xff\"",
	    "\"\xc3\"", "{\"a\":1,\"a\":2}", "[1,]", "{\"a\" 1}", "tru",
	    "\"\\ud800\"", "\"\\udc00x\"", "\"a\x01\"", "01", "-", "" };
	struct cerrs	 errs;
	struct cnode	*a, *b;
	json_t		*v, *back;
	const char	*p;
	char		*text, deep[200];
	size_t		 i, flags;

	memset(&errs, 0, sizeof errs);
	srandom(7);
	for (i = 0; i < 3000; i++) {
		v = random_value(0);
		flags = JSON_ENCODE_ANY | JSON_COMPACT |
		    (i % 2 ? JSON_ENSURE_ASCII : 0) |
		    (i % 3 ? 0 : JSON_INDENT(2));
		text = json_dumps(v, flags);
		p = text;
		a = cnode_from_json(&p, text + strlen(text));
		ck_assert_msg(a != NULL && *p == '\0', "not taken: %s", text);
		back = json_loads(text, JSON_DECODE_ANY, NULL);
		ck_assert_ptr_nonnull(back);
		b = cnode_from_jansson(back, NULL, NULL, &errs);
		nodes_equal(a, b);
		cnode_free(a);
		cnode_free(b);
		json_decref(back);
		json_decref(v);
		free(text);
	}
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		p = refused[i];
		a = cnode_from_json(&p, p + strlen(p));
		ck_assert_msg(a == NULL, "taken: %s", refused[i]);
	}
	/* Nested deeper than the node tree allows. */
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	p = deep;
	ck_assert_ptr_null(cnode_from_json(&p, deep + sizeof deep));
	ck_assert_uint_eq(errs.n, 0);
	cerr_clear(&errs);
}
END_TEST

/* A saved definition read as nodes builds the same job as from jansson. */
START_TEST(test_def_from_nodes)
{
	static const char *text = "{\"name\":\"n1\",\"command\":[\"/bin/sh\","
	    "\"-c\",\"echo \\u00e9 \\\"x\\\"\"],\"every_ms\":3600000,"
	    "\"timeout_ms\":5000,\"tags\":[\"a\",\"b\"],\"env\":{\"K\":\"v\"},"
	    "\"description\":null,\"enabled\":true}";
	struct jobdef	*a, *b;
	struct cnode	*n;
	json_t		*o;
	const char	*p = text;
	char		*cause = NULL;

	n = cnode_from_json(&p, text + strlen(text));
	ck_assert_ptr_nonnull(n);
	ck_assert_msg(jobdef_from_node(n, &a, &cause) == 0, "%s", cause);
	cnode_free(n);
	o = json_loads(text, 0, NULL);
	ck_assert_msg(jobdef_from_json(o, &b, &cause) == 0, "%s", cause);
	json_decref(o);
	ck_assert_str_eq(a->name, "n1");
	ck_assert(jobdef_same(a, b));
	jobdef_unref(a);
	jobdef_unref(b);

	/* An unusable one says why. */
	p = "{\"name\":\"n2\",\"command\":[],\"every_ms\":\"x\"}";
	n = cnode_from_json(&p, p + strlen(p));
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(jobdef_from_node(n, &a, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cnode_free(n);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");
	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_job_defaults);
	tcase_add_test(tc, test_full_example);
	tcase_add_test(tc, test_scalar_forms);
	tcase_add_test(tc, test_unknown_keys);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_durations_sizes);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_schedules);
	tcase_add_test(tc, test_hooks);
	tcase_add_test(tc, test_schedule_strings);
	tcase_add_test(tc, test_boot_deadline_history);
	tcase_add_test(tc, test_many_errors);
	tcase_add_test(tc, test_yaml_refused);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_include_errors);
	tcase_add_test(tc, test_root_strict);
	tcase_add_test(tc, test_json_good);
	tcase_add_test(tc, test_json_errors);
	tcase_add_test(tc, test_env_reserved);
	tcase_add_test(tc, test_json_roundtrip);
	tcase_add_test(tc, test_equal_and_refs);
	tcase_add_test(tc, test_settings_copy);
	tcase_add_test(tc, test_cglimits);
	tcase_add_test(tc, test_cglimit_cpu);
	tcase_add_test(tc, test_cglimit_errors);
	tcase_add_test(tc, test_cglimit_json);
	tcase_add_test(tc, test_cglimit_roundtrip);
	tcase_add_test(tc, test_digest);
	tcase_add_test(tc, test_find_many);
	tcase_add_test(tc, test_include_cache);
	tcase_add_test(tc, test_duplicate_of_invalid);
	tcase_add_test(tc, test_json_nodes);
	tcase_add_test(tc, test_def_from_nodes);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (unit_run(config_suite(), 0));
}
