/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the cgroup limits (cgroup-limits.c): the exact values
 * written to a task's interface files, what cgroup.subtree_control is
 * given, the controllers a job needs, the configuration errors when a
 * controller is missing, and what a user who is not an administrator may
 * set.  A plain temporary folder with empty files named like the cgroup
 * interface files stands in for a cgroup.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "schedd.h"
#include "xmalloc.h"
#include "unit.h"

#define ALL	(CGROUP_CPU | CGROUP_MEMORY | CGROUP_IO | CGROUP_PIDS)

static const char *const test_files[] = {
	"memory.max", "memory.high", "memory.swap.max", "cpu.max",
	"cpu.weight", "io.weight", "pids.max", "cgroup.subtree_control",
};

static char	 test_dir[PATH_MAX];
static int	 test_fd = -1;

/* A folder standing in for a cgroup, with its interface files empty. */
static void
test_setup(void)
{
	char	 tmpl[] = "/tmp/schedd-test-limits-XXXXXX";
	size_t	 i;
	int	 fd;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	strcpy(test_dir, tmpl);
	test_fd = open(test_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ne(test_fd, -1);
	for (i = 0; i < sizeof test_files / sizeof test_files[0]; i++) {
		fd = openat(test_fd, test_files[i], O_WRONLY | O_CREAT |
		    O_EXCL | O_CLOEXEC, 0644);
		ck_assert_int_ne(fd, -1);
		close(fd);
	}
}

static void
test_teardown(void)
{
	char	*cmd;

	close(test_fd);
	xasprintf(&cmd, "rm -rf '%s'", test_dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* The content of a file of the stand-in folder. */
static char *
test_read(const char *name)
{
	char	 buf[256];
	ssize_t	 n;
	int	 fd;

	fd = openat(test_fd, name, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "%s: %s", name, strerror(errno));
	n = read(fd, buf, sizeof buf - 1);
	ck_assert_int_ge(n, 0);
	close(fd);
	buf[n] = '\0';
	return (xstrdup(buf));
}

/* A file of the stand-in folder must hold exactly want. */
static void
test_content(const char *name, const char *want)
{
	char	*got;

	got = test_read(name);
	ck_assert_msg(strcmp(got, want) == 0, "%s: expected \"%s\", got "
	    "\"%s\"", name, want, got);
	free(got);
}

/* Replace a file of the stand-in folder with text. */
static void
test_put(const char *name, const char *text)
{
	int	 fd;

	fd = openat(test_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, strlen(text)),
	    (ssize_t)strlen(text));
	close(fd);
}

/* A job from the JSON of "add". */
static struct jobdef *
test_job(const char *text)
{
	json_error_t	 jerr;
	struct jobdef	*def = NULL;
	json_t		*j;
	char		*cause = NULL;

	j = json_loads(text, 0, &jerr);
	ck_assert_msg(j != NULL, "bad test JSON: %s", jerr.text);
	ck_assert_msg(jobdef_from_json(j, &def, &cause) == 0, "%s", cause);
	json_decref(j);
	return (def);
}

/* A configuration file that must load; its path in *path. */
static struct config *
test_config(const char *text, char **path)
{
	struct config	*conf = NULL;
	char		**errors = NULL;
	size_t		 nerrors = 0, i;
	FILE		*f;

	xasprintf(path, "%s/schedd.yaml", test_dir);
	f = fopen(*path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	if (config_load(*path, 1, &conf, &errors, &nerrors) != 0) {
		for (i = 0; i < nerrors; i++)
			fprintf(stderr, "unexpected: %s\n", errors[i]);
		ck_abort_msg("configuration did not load");
	}
	return (conf);
}

/* One limit of settings. */
static void
test_default(struct settings *s, enum cglimit_kind kind, uint64_t value)
{
	s->cglimits[kind].set = 1;
	s->cglimits[kind].value = value;
}

START_TEST(test_write_all)
{
	struct jobdef	*def;
	struct settings	 s;
	char		*cause = NULL;

	settings_defaults(&s);
	def = test_job("{\"name\": \"a\", \"command\": \"x\", "
	    "\"memory_max\": \"1GiB\", \"memory_high\": 1000000, "
	    "\"memory_swap_max\": 0, \"cpu_max\": \"50%\", "
	    "\"cpu_weight\": 1, \"io_weight\": 10000, \"pids_max\": 64}");
	ck_assert_uint_eq(cgroup_limits_needed(def, &s), ALL);
	ck_assert_int_eq(cgroup_limits_write(test_fd, def, &s, &cause), 0);
	ck_assert_ptr_null(cause);
	test_content("memory.max", "1073741824");
	test_content("memory.high", "1000000");
	test_content("memory.swap.max", "0");
	test_content("cpu.max", "50000 100000");
	test_content("cpu.weight", "1");
	test_content("io.weight", "default 10000");
	test_content("pids.max", "64");
	test_content("cgroup.subtree_control", "");
	jobdef_unref(def);
	settings_free(&s);
}
END_TEST

/*
 * The daemon's defaults fill in what a job does not set; "max" (the job's
 * or the default's) is what a new cgroup has, so nothing is written and
 * no controller is needed for it.
 */
START_TEST(test_write_defaults)
{
	struct jobdef	*def;
	struct settings	 s;
	char		*cause = NULL;

	settings_defaults(&s);
	test_default(&s, CGLIM_MEMORY_MAX, (uint64_t)512 << 20);
	test_default(&s, CGLIM_CPU_MAX, 150000);
	test_default(&s, CGLIM_PIDS_MAX, CGLIM_INFINITY);
	test_default(&s, CGLIM_IO_WEIGHT, 50);
	def = test_job("{\"name\": \"a\", \"command\": \"x\", "
	    "\"cpu_max\": 2, \"memory_max\": \"max\"}");
	ck_assert_uint_eq(cgroup_limits_needed(def, &s),
	    CGROUP_CPU | CGROUP_IO);
	ck_assert_uint_eq(cgroup_limits_needed(def, NULL), CGROUP_CPU);
	ck_assert_uint_eq(cgroup_limits_needed(NULL, &s),
	    CGROUP_CPU | CGROUP_MEMORY | CGROUP_IO);
	ck_assert_int_eq(cgroup_limits_write(test_fd, def, &s, &cause), 0);
	test_content("memory.max", "");
	test_content("cpu.max", "200000 100000");
	test_content("io.weight", "default 50");
	test_content("pids.max", "");
	jobdef_unref(def);

	/* Nothing set anywhere: nothing needed, nothing written. */
	settings_free(&s);
	settings_defaults(&s);
	def = test_job("{\"name\": \"a\", \"command\": \"x\"}");
	ck_assert_uint_eq(cgroup_limits_needed(def, &s), 0);
	ck_assert_int_eq(cgroup_limits_write(test_fd, def, &s, &cause), 0);
	test_content("cpu.max", "200000 100000");	/* from before */
	test_content("memory.high", "");
	jobdef_unref(def);
	settings_free(&s);
}
END_TEST

/* A file missing or a symbolic link: refused, naming key and file. */
START_TEST(test_write_errors)
{
	struct jobdef	*def;
	char		*cause = NULL;

	def = test_job("{\"name\": \"a\", \"command\": \"x\", "
	    "\"memory_swap_max\": \"1MiB\"}");
	ck_assert_int_eq(unlinkat(test_fd, "memory.swap.max", 0), 0);
	ck_assert_int_eq(cgroup_limits_write(test_fd, def, NULL, &cause), -1);
	ck_assert_str_eq(cause, "memory_swap_max: cannot write \"1048576\" to "
	    "memory.swap.max: No such file or directory");
	free(cause);
	ck_assert_int_eq(symlinkat("memory.max", test_fd, "memory.swap.max"),
	    0);
	ck_assert_int_eq(cgroup_limits_write(test_fd, def, NULL, &cause), -1);
	ck_assert_str_eq(cause, "memory_swap_max: cannot write \"1048576\" to "
	    "memory.swap.max: Too many levels of symbolic links");
	free(cause);
	test_content("memory.max", "");
	jobdef_unref(def);
}
END_TEST

/* Only what is both needed and offered goes to cgroup.subtree_control. */
START_TEST(test_enable)
{
	char	*cause = NULL;

	test_put("cgroup.controllers", "cpuset cpu io memory hugetlb pids "
	    "rdma misc\n");
	ck_assert_int_eq(cgroup_controllers_enable(test_fd, 0, &cause), 0);
	test_content("cgroup.subtree_control", "");
	ck_assert_int_eq(cgroup_controllers_enable(test_fd,
	    CGROUP_PIDS | CGROUP_MEMORY | CGROUP_CPU, &cause), 0);
	test_content("cgroup.subtree_control", "+cpu +memory +pids");
	test_put("cgroup.subtree_control", "");
	ck_assert_int_eq(cgroup_controllers_enable(test_fd, ALL, &cause), 0);
	test_content("cgroup.subtree_control", "+cpu +memory +io +pids");

	/* "cpu" is not "cpuset": names match whole. */
	test_put("cgroup.subtree_control", "");
	test_put("cgroup.controllers", "cpuset hugetlb memory\n");
	ck_assert_int_eq(cgroup_controllers_enable(test_fd, ALL, &cause), 0);
	test_content("cgroup.subtree_control", "+memory");

	test_put("cgroup.subtree_control", "");
	test_put("cgroup.controllers", "hugetlb\n");
	ck_assert_int_eq(cgroup_controllers_enable(test_fd, ALL, &cause), 0);
	test_content("cgroup.subtree_control", "");

	ck_assert_int_eq(unlinkat(test_fd, "cgroup.controllers", 0), 0);
	ck_assert_int_eq(cgroup_controllers_enable(test_fd, CGROUP_CPU,
	    &cause), -1);
	ck_assert_str_eq(cause, "cannot read cgroup.controllers: No such file "
	    "or directory");
	free(cause);
}
END_TEST

/*
 * A limit whose controller is not offered is an error at the key, in a
 * job or in the daemon: section; "max" needs nothing.
 */
START_TEST(test_check)
{
	struct config	*conf;
	char		**errors = NULL, *path, *want;
	size_t		 nerrors = 0;

	conf = test_config(
	    "daemon:\n"
	    "  pids_max: 100\n"
	    "  memory_high: max\n"
	    "jobs:\n"
	    "  a:\n"
	    "    command: x\n"
	    "    memory_max: 1G\n"
	    "    io_weight: 5\n"
	    "  b:\n"
	    "    command: x\n"
	    "    cpu_max: max\n"
	    "  c: {command: x, cpu_weight: 5}\n", &path);
	ck_assert_int_eq(cgroup_limits_check(conf, ALL, "/sys/fs/cgroup/s",
	    &errors, &nerrors), 0);
	ck_assert_int_eq(cgroup_limits_check(conf, 0, "/sys/fs/cgroup/s",
	    &errors, &nerrors), -1);
	ck_assert_uint_eq(nerrors, 4);
	xasprintf(&want, "%s:2:3: pids_max needs the pids controller, which "
	    "the cgroup /sys/fs/cgroup/s does not offer", path);
	ck_assert_str_eq(errors[0], want);
	free(want);
	xasprintf(&want, "%s:7:5: memory_max needs the memory controller, "
	    "which the cgroup /sys/fs/cgroup/s does not offer", path);
	ck_assert_str_eq(errors[1], want);
	free(want);
	xasprintf(&want, "%s:8:5: io_weight needs the io controller, which "
	    "the cgroup /sys/fs/cgroup/s does not offer", path);
	ck_assert_str_eq(errors[2], want);
	free(want);
	xasprintf(&want, "%s:12:19: cpu_weight needs the cpu controller, "
	    "which the cgroup /sys/fs/cgroup/s does not offer", path);
	ck_assert_str_eq(errors[3], want);
	free(want);
	config_errors_free(errors, nerrors);

	/* Only memory and cpu offered. */
	ck_assert_int_eq(cgroup_limits_check(conf, CGROUP_MEMORY | CGROUP_CPU,
	    "/c", &errors, &nerrors), -1);
	ck_assert_uint_eq(nerrors, 2);
	xasprintf(&want, "%s:2:3: pids_max needs the pids controller, which "
	    "the cgroup /c does not offer", path);
	ck_assert_str_eq(errors[0], want);
	free(want);
	xasprintf(&want, "%s:8:5: io_weight needs the io controller, which "
	    "the cgroup /c does not offer", path);
	ck_assert_str_eq(errors[1], want);
	free(want);
	config_errors_free(errors, nerrors);

	/* Without cgroups, whatever is offered. */
	ck_assert_int_eq(cgroup_limits_check(conf, ALL, NULL, &errors,
	    &nerrors), -1);
	ck_assert_uint_eq(nerrors, 4);
	xasprintf(&want, "%s:7:5: memory_max needs cgroups; schedd runs "
	    "without them (see cgroup in schedd.yaml(5))", path);
	ck_assert_str_eq(errors[1], want);
	free(want);
	config_errors_free(errors, nerrors);
	config_free(conf);
	free(path);

	conf = test_config("jobs:\n  a: {command: x, memory_max: max}\n",
	    &path);
	ck_assert_int_eq(cgroup_limits_check(conf, 0, NULL, &errors,
	    &nerrors), 0);
	config_free(conf);
	free(path);
}
END_TEST

/* The same for a job of "add", at "job.KEY". */
START_TEST(test_check_job)
{
	struct jobdef	*def;
	char		*cause = NULL;

	def = test_job("{\"name\": \"a\", \"command\": \"x\", "
	    "\"memory_max\": \"1GiB\", \"pids_max\": 5, \"cpu_max\": \"max\"}");
	ck_assert_int_eq(cgroup_limits_check_job(def, ALL, "/c", &cause), 0);
	ck_assert_int_eq(cgroup_limits_check_job(def, CGROUP_PIDS, "/c",
	    &cause), -1);
	ck_assert_str_eq(cause, "job.memory_max: memory_max needs the memory "
	    "controller, which the cgroup /c does not offer");
	free(cause);
	ck_assert_int_eq(cgroup_limits_check_job(def, 0, NULL, &cause), -1);
	ck_assert_str_eq(cause, "job.memory_max: memory_max needs cgroups; "
	    "schedd runs without them (see cgroup in schedd.yaml(5)); "
	    "job.pids_max: pids_max needs cgroups; schedd runs without them "
	    "(see cgroup in schedd.yaml(5))");
	free(cause);
	jobdef_unref(def);
}
END_TEST

/* A user who is not an administrator may only tighten the defaults. */
START_TEST(test_permitted)
{
	static const struct {
		const char	*job;
		const char	*cause;	/* NULL: permitted */
	} cases[] = {
		{ "\"memory_max\": \"1GiB\"", NULL },
		{ "\"memory_max\": \"1023MiB\"", NULL },
		{ "\"memory_max\": \"2GiB\"", "memory_max 2GiB is above the "
		  "daemon's default 1GiB; only an administrator may raise it" },
		{ "\"memory_max\": \"max\"", "memory_max max is above the "
		  "daemon's default 1GiB; only an administrator may raise it" },
		{ "\"memory_high\": \"max\"", NULL },	/* no default */
		{ "\"memory_swap_max\": \"1TiB\"", NULL },
		{ "\"cpu_max\": \"50%\"", NULL },
		{ "\"cpu_max\": \"50.001%\"", "cpu_max 50.001% is above the "
		  "daemon's default 50%; only an administrator may raise it" },
		{ "\"cpu_weight\": 100", NULL },
		{ "\"cpu_weight\": 101", "cpu_weight 101 is above the default "
		  "100; only an administrator may raise it" },
		{ "\"io_weight\": 20", NULL },
		{ "\"io_weight\": 21", "io_weight 21 is above the daemon's "
		  "default 20; only an administrator may raise it" },
		{ "\"pids_max\": 1000", NULL },		/* default max */
		{ "\"pids_max\": \"max\"", NULL },
	};
	struct jobdef	*def;
	struct settings	 s;
	char		*text, *cause;
	size_t		 i;

	settings_defaults(&s);
	test_default(&s, CGLIM_MEMORY_MAX, (uint64_t)1 << 30);
	test_default(&s, CGLIM_CPU_MAX, 50000);
	test_default(&s, CGLIM_IO_WEIGHT, 20);
	test_default(&s, CGLIM_PIDS_MAX, CGLIM_INFINITY);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		xasprintf(&text, "{\"name\": \"a\", \"command\": \"x\", %s}",
		    cases[i].job);
		def = test_job(text);
		cause = NULL;
		if (cases[i].cause == NULL)
			ck_assert_msg(cgroup_limits_permitted(def, &s,
			    &cause) == 0, "%s: %s", text, cause);
		else {
			ck_assert_msg(cgroup_limits_permitted(def, &s,
			    &cause) == -1, "%s: permitted", text);
			ck_assert_str_eq(cause, cases[i].cause);
			free(cause);
		}
		jobdef_unref(def);
		free(text);
	}
	/* No defaults at all: anything but a weight above 100. */
	def = test_job("{\"name\": \"a\", \"command\": \"x\", "
	    "\"memory_max\": \"max\", \"cpu_max\": 1, \"pids_max\": 99999}");
	ck_assert_int_eq(cgroup_limits_permitted(def, NULL, &cause), 0);
	jobdef_unref(def);
	settings_free(&s);
}
END_TEST

static Suite *
limits_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("limits");
	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_write_all);
	tcase_add_test(tc, test_write_defaults);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_enable);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_check_job);
	tcase_add_test(tc, test_permitted);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (unit_run(limits_suite(), 1));
}
