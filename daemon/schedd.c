/* SPDX-License-Identifier: ISC */
/*
 * schedd: main, options, start-up and exit.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "dircheck.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "schedd.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

static void	schedd_usage(void) __attribute__((__noreturn__));
static int	schedd_check(const char *, int, int);
static void	schedd_print_jobs(const struct config *);
static void	schedd_load_jobs(void);
static void	schedd_socket_dir(void);
static void	schedd_listen(void);

static void
schedd_usage(void)
{
	fprintf(stderr, "usage: schedd [-tv] [-c file] [-d state_dir] "
	    "[-s socket] [--print-jobs]\n"
	    "              [--syslog] [--version]\n");
	exit(2);
}

/*
 * --print-jobs: the jobs of a configuration as the daemon's "job"
 * command describes them (schedd.8 CONTROL PROTOCOL), one JSON object on
 * stdout.  This is how schedctl export reads a file without a daemon
 * (schedctl.1 EXPORT): the daemon's own reader, never a second one.
 */
static void
schedd_print_jobs(const struct config *conf)
{
	json_t	*jobs, *o;
	size_t	 i;

	jobs = json_array();
	for (i = 0; i < conf->njobs; i++) {
		o = json_object();
		json_object_set_new(o, "name",
		    json_string(conf->jobs[i]->name));
		json_object_set_new(o, "origin", json_string("config"));
		json_object_set_new(o, "paused",
		    json_boolean(!conf->jobs[i]->enabled));
		json_object_set_new(o, "definition",
		    jobdef_to_json(conf->jobs[i], &conf->settings));
		json_array_append_new(jobs, o);
	}
	o = json_pack("{s:o}", "jobs", jobs);
	if (json_dumpf(o, stdout, JSON_COMPACT) == -1 ||
	    fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		fatal("stdout");
	json_decref(o);
}

/*
 * -t: check the configuration, print every error, exit 0 or 1; with
 * print set, print the jobs instead of the summary line.
 */
static int
schedd_check(const char *path, int must_exist, int print)
{
	struct config	*conf;
	char		**errors;
	size_t		 nerrors, i;

	if (config_load(path, must_exist, &conf, &errors, &nerrors) != 0) {
		for (i = 0; i < nerrors; i++)
			fprintf(stderr, "%s\n", errors[i]);
		fprintf(stderr, "schedd: %zu error%s\n", nerrors,
		    nerrors == 1 ? "" : "s");
		config_errors_free(errors, nerrors);
		return (1);
	}
	if (print)
		schedd_print_jobs(conf);
	else
		printf("%s: configuration ok, %zu job%s\n",
		    path != NULL ? path : "(none)", conf->njobs,
		    conf->njobs == 1 ? "" : "s");
	config_free(conf);
	return (0);
}

/* Create a job for every job of the configuration. */
static void
schedd_load_jobs(void)
{
	size_t	 i;

	for (i = 0; i < sd.config->njobs; i++)
		job_create(jobdef_ref(sd.config->jobs[i]), ORIGIN_CONFIG,
		    sd.uid);
}

/*
 * Make the socket's folder if it is missing, then refuse it unless it is
 * ours: owned by our uid (or root), not a symbolic link, and nobody else
 * may write in it or in a folder above it (schedd(8) SECURITY).  Checked
 * after making it, on the folder opened, so that another user cannot
 * have made it first or swap it.  A socket systemd passed is not ours to
 * check.
 */
static void
schedd_socket_dir(void)
{
	char	*copy, *dir, *cause;

	copy = xstrdup(sd.socket_path);
	dir = dirname(copy);
	if (mkdir_p(dir, sd.is_root ? 0755 : 0700) == -1)
		fatal("socket folder %s", dir);
	if (dir_check(dir, sd.uid, DIR_CHECK_PARENTS, &cause) == -1)
		fatalx("socket folder %s: refusing it", cause);
	free(copy);
}

/*
 * Serve the control socket: the one systemd passed (socket activation),
 * which wins over -s and the configuration, or our own.  A passed socket
 * belongs to systemd: it is not unlinked at exit (server_listen alone
 * records a path to unlink).
 */
static void
schedd_listen(void)
{
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof sun;
	int			 fd;

	if ((fd = notify_listen_fd()) != -1) {
		memset(&sun, 0, sizeof sun);
		if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
		    len > offsetof(struct sockaddr_un, sun_path) &&
		    sun.sun_path[0] != '\0') {
			free(sd.socket_path);
			sd.socket_path = xstrndup(sun.sun_path,
			    len - offsetof(struct sockaddr_un, sun_path));
		}
		log_info("socket activation: serving the socket systemd "
		    "passed (%s)", sd.socket_path);
		server_adopt(fd);
		return;
	}
	if (server_listen(sd.socket_path, sd.settings.socket_mode,
	    sd.settings.socket_group) == -1) {
		if (errno == EADDRINUSE)
			fatalx("already running: a daemon answers on %s",
			    sd.socket_path);
		fatal("socket %s", sd.socket_path);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "print-jobs", no_argument, NULL, 'P' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*conf_path = NULL, *sock_path = NULL;
	const char		*state_path = NULL;
	struct event_config	*ecfg;
	struct config		*conf;
	char			**errors, *def_conf, *cause;
	size_t			 nerrors, i;
	int			 ch, test = 0, verbose = 0, use_syslog = 0;
	int			 must_exist, busy, saved, print = 0;

	while ((ch = getopt_long(argc, argv, "c:d:hs:tv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			state_path = optarg;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'P':
			test = print = 1;
			break;
		case 'S':
			use_syslog = 1;
			break;
		case 'V':
			printf("schedd %s (protocol %d)\n", SCHEDD_VERSION,
			    PROTO_VERSION);
			exit(0);
		default:
			schedd_usage();
		}
	}
	if (optind != argc)
		schedd_usage();

	log_init("schedd", verbose > 0 ? LOGLEVEL_DEBUG : LOGLEVEL_INFO,
	    use_syslog);
	daemon_init();

	/* A file named with -c must exist; the default one is optional. */
	must_exist = conf_path != NULL;
	def_conf = path_default_config(sd.uid);
	if (conf_path == NULL && access(def_conf, F_OK) == 0)
		conf_path = def_conf;
	if (test) {
		ch = schedd_check(conf_path, must_exist, print);
		free(def_conf);
		exit(ch);
	}
	if (config_load(conf_path, must_exist, &conf, &errors,
	    &nerrors) != 0) {
		for (i = 0; i < nerrors; i++)
			log_errorx("%s", errors[i]);
		config_errors_free(errors, nerrors);
		fatalx("configuration has errors, not starting");
	}
	sd.config = conf;
	sd.config_path = conf_path != NULL ? xstrdup(conf_path) : NULL;
	free(def_conf);
	settings_free(&sd.settings);
	settings_copy(&sd.settings, &conf->settings);
	if (!verbose)
		log_setlevel(sd.settings.log_level);

	if (sock_path != NULL)
		sd.socket_path = xstrdup(sock_path);
	else if (sd.settings.socket != NULL)
		sd.socket_path = xstrdup(sd.settings.socket);
	else
		sd.socket_path = path_default_socket(sd.uid);
	if (state_path != NULL)
		sd.state_dir = xstrdup(state_path);
	else if (sd.settings.state_dir != NULL)
		sd.state_dir = xstrdup(sd.settings.state_dir);
	else
		sd.state_dir = path_default_state(sd.uid);
	xasprintf(&sd.log_dir, "%s/logs", sd.state_dir);
	if (state_lock(&busy, &cause) != 0)
		fatalx("%s", cause);
	/*
	 * Before the state is touched: the socket's folder must be ours, and
	 * another daemon may own the socket.
	 */
	if (notify_listen_fd() == -1) {
		schedd_socket_dir();
		if (server_in_use(sd.socket_path))
			fatalx("already running: a daemon answers on %s",
			    sd.socket_path);
	}
	if (state_prepare(&cause) != 0)
		fatalx("%s", cause);

	signal(SIGPIPE, SIG_IGN);
	ecfg = event_config_new();
	/*
	 * Timers on time: the precise monotonic clock, and no cached "now"
	 * (libevent would compute the next wait from the time the loop
	 * woke, before this turn's work, and fire that much late).
	 */
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_NO_CACHE_TIME);
	sd.base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (sd.base == NULL)
		fatalx("cannot create the event loop");
	/* 0: the scheduler's timer; 1: everything else. */
	event_base_priority_init(sd.base, 2);

	time_now(&sd.started);
	sd.started_mono_ms = time_mono_ms();

	if (spawn_subreaper() == -1)
		log_debug("no child subreaper on this system");
	/* Before the state is read: what a crashed daemon left is killed. */
	if (cgroup_init(sd.settings.cgroup, &cause) != 0)
		fatalx("%s", cause);
	/* Limits need controllers that only now are known (schedd.yaml.5). */
	if (cgroup_limits_check(sd.config, cgroup_controllers(),
	    cgroup_root(), &errors, &nerrors) != 0) {
		for (i = 0; i < nerrors; i++)
			log_errorx("%s", errors[i]);
		config_errors_free(errors, nerrors);
		fatalx("configuration has errors, not starting");
	}
	cgroup_reap_leftovers();
	sd.loading = 1;
	sched_init();
	schedd_load_jobs();
	if (state_open(&cause) != 0)
		fatalx("state: %s", cause);
	sd.loading = 0;
	sched_restore_all();
	hook_fire_lost();

	schedd_listen();

	daemon_signals();

	log_notice("schedd %s started: pid %ld, socket %s, state %s, "
	    "config %s, %zu job%s", SCHEDD_VERSION, (long)getpid(),
	    sd.socket_path, sd.state_dir,
	    sd.config_path != NULL ? sd.config_path : "(none)", sd.njobs,
	    sd.njobs == 1 ? "" : "s");

	queue_dispatch();
	metrics_file_apply();
	notify_idle_check();
	notify_ready();
	event_base_dispatch(sd.base);

	state_ack_finish();
	server_flush_all();
	saved = state_close() == 0;
	server_exit_notify(0, saved);
	server_close_clients();
	server_close();
	event_base_loop(sd.base, EVLOOP_NONBLOCK);
	daemon_signals_free();
	daemon_free();
	log_notice("schedd stopped");
	return (0);
}

