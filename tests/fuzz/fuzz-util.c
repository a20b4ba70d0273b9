/* SPDX-License-Identifier: ISC */

/*
 * Helpers of the fuzz harnesses.  A daemon is started and stopped in the
 * order of schedd's main(), without signals, socket or child processes of
 * its own, and so that no task can ever start: max_running is 0 and the
 * log folder does not exist (a fuzzed job's command must never run).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "notify.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

static char	*fuzz_top;		/* this process's temporary folder */

static void	 fuzz_cleanup(void);
static int	 fuzz_unlink(const char *, const struct stat *, int,
		     struct FTW *);

/*
 * Jobs of every kind of schedule, so that requests and saved records have
 * jobs to name.  Their commands never run.
 */
const char fuzz_config_yaml[] =
    "daemon:\n"
    "  history: 5\n"
    "  max_queued: 50\n"
    "jobs:\n"
    "  backup:\n"
    "    command: [/bin/true]\n"
    "    cron: \"0 3 * * *\"\n"
    "    timezone: Europe/London\n"
    "    retries: 2\n"
    "    retry_delay: 1m\n"
    "  poll:\n"
    "    command: \"exit 0\"\n"
    "    every: 5m\n"
    "    concurrency: 2\n"
    "    on_overlap: skip\n"
    "    tags: [net, poll]\n"
    "  once:\n"
    "    command: [/bin/true]\n"
    "    at: \"2031-01-01T00:00:00Z\"\n"
    "  manual:\n"
    "    command: [/bin/true]\n"
    "    ban_after_failures: 2\n"
    "  paused:\n"
    "    command: [/bin/true]\n"
    "    cron: \"@hourly\"\n"
    "    catch_up: true\n"
    "    enabled: false\n";

/* Fail loudly: the fuzzer reports an abort() as a crash. */
void
fuzz_fail(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fuzz_cleanup();
	abort();
}

/* Quiet logging, unless FUZZ_VERBOSE is set. */
void
fuzz_init(void)
{
	log_init("schedd", getenv("FUZZ_VERBOSE") != NULL ?
	    LOGLEVEL_DEBUG : -1, 0);
}

static int
fuzz_unlink(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	if (ftw->level > 0)
		remove(path);
	return (0);
}

/* Empty a folder, keeping the folder itself. */
void
fuzz_clear(const char *dir)
{
	nftw(dir, fuzz_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fuzz_cleanup(void)
{
	if (fuzz_top != NULL) {
		fuzz_clear(fuzz_top);
		rmdir(fuzz_top);
	}
}

/*
 * A private folder (mode 0700), removed at exit: in /dev/shm when it can
 * be, so that the state's fsync calls cost nothing.  The caller frees.
 */
char *
fuzz_tmpdir(void)
{
	struct stat	 sb;
	const char	*base;

	if (fuzz_top == NULL) {
		base = getenv("TMPDIR");
		if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    access("/dev/shm", W_OK) == 0)
			base = "/dev/shm";
		else if (base == NULL || *base == '\0')
			base = "/tmp";
		xasprintf(&fuzz_top, "%s/schedd-fuzz.XXXXXX", base);
		if (mkdtemp(fuzz_top) == NULL)
			fuzz_fail("mkdtemp %s: %s", fuzz_top, strerror(errno));
		atexit(fuzz_cleanup);
	}
	return (xstrdup(fuzz_top));
}

/* Write dir/name with exactly these bytes; returns the path. */
char *
fuzz_write(const char *dir, const char *name, const void *buf, size_t len)
{
	char	*path;
	int	 fd;

	xasprintf(&path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (len > 0 && write(fd, buf, len) != (ssize_t)len))
		fuzz_fail("write %s: %s", path, strerror(errno));
	close(fd);
	return (path);
}

/* The input as a C string (it may hold NUL bytes: the string ends there). */
char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return (s);
}

/*
 * Start a daemon as schedd's main() does, up to creating the configured
 * jobs (sd.loading is still set): conf is the configuration file, dir a
 * private folder.  With state, dir is the state folder, locked and
 * prepared (state_open is the caller's); without, nothing is saved.
 */
void
fuzz_daemon_start(const char *conf, const char *dir, int state)
{
	struct config	*config;
	char		**errors, *cause;
	size_t		 nerrors, i;
	int		 busy;

	daemon_init();
	if (config_load(conf, 1, &config, &errors, &nerrors) != 0)
		fuzz_fail("the harness's configuration does not load: %s",
		    nerrors > 0 ? errors[0] : "?");
	sd.config = config;
	sd.config_path = xstrdup(conf);
	settings_free(&sd.settings);
	settings_copy(&sd.settings, &config->settings);
	/* No task may start: the queue never has a free slot. */
	sd.settings.max_running = 0;
	if (state) {
		sd.state_dir = xstrdup(dir);
		xasprintf(&sd.log_dir, "%s/logs", dir);
		if (state_lock(&busy, &cause) != 0 ||
		    state_prepare(&cause) != 0)
			fuzz_fail("state folder %s: %s", dir, cause);
	} else {
		/* Never created: a task that started anyway could not run. */
		xasprintf(&sd.log_dir, "%s/no-logs/logs", dir);
	}

	if ((sd.base = event_base_new()) == NULL)
		fuzz_fail("event_base_new");
	event_base_priority_init(sd.base, 2);
	time_now(&sd.started);
	sd.started_mono_ms = time_mono_ms();
	sd.loading = 1;
	sched_init();
	for (i = 0; i < config->njobs; i++)
		job_create(jobdef_ref(config->jobs[i]), ORIGIN_CONFIG, sd.uid);
}

/* Stop the daemon in the order of schedd's main() and free everything. */
void
fuzz_daemon_stop(void)
{
	/* (Tasks read back as running are no sign: they never started.) */
	if (sd.tasks_started != 0)
		fuzz_fail("a task started: the harness must prevent that");
	server_close_clients();
	server_close();
	state_close();
	event_base_loop(sd.base, EVLOOP_NONBLOCK);
	daemon_free();
}
