/* SPDX-License-Identifier: ISC */

/*
 * The commands of schedctl: one table, in the order of schedctl.1
 * COMMANDS.  Most entries are data that ctl_run (run.c) carries out; the
 * printers below turn a result into human output (with --json the
 * daemon's answer line is printed as it is instead).  status, wait,
 * logs, stop, shutdown (stream.c) and help (help.c) have code of their
 * own, add a build hook for its "--" command.
 *
 * Adding a simple command: one entry here (and, if its output is new, a
 * printer), the daemon's cmd-VERB.c, an ".It Cm" entry in schedctl.1 and
 * schedd.8, and its name, options and arguments in both completions,
 * contrib/schedctl.bash-completion and contrib/_schedctl;
 * tests/regress/cli-consistency.sh checks that they agree.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client.h"
#include "util.h"
#include "xmalloc.h"

static int	 ctl_status(struct ctl *, struct args *);
static int	 ctl_help(struct ctl *, struct args *);
static int	 add_build(struct args *, json_t *);
static int	 add_at(struct args *, json_t *);

static void	 ids_print(const char *, json_t *, const char *);
static void	 print_jobs(json_t *, struct args *);
static void	 print_remove(json_t *, struct args *);
static void	 print_stop(json_t *, struct args *);
static void	 print_cancel(json_t *, struct args *);
static void	 print_freeze(json_t *, struct args *);
static void	 print_thaw(json_t *, struct args *);
static void	 print_ban(json_t *, struct args *);
static void	 print_unban(json_t *, struct args *);
static void	 print_bans(json_t *, struct args *);
static void	 print_pause(json_t *, struct args *);
static void	 print_resume(json_t *, struct args *);
static void	 print_history(json_t *, struct args *);
static void	 print_next(json_t *, struct args *);
static void	 print_output(json_t *, struct args *);
static void	 print_reload_list(const char *, json_t *);
static void	 print_reload(json_t *, struct args *);
static void	 print_settings(json_t *, struct args *);
static void	 print_job(json_t *, struct args *);
static void	 print_task(json_t *, struct args *);
static void	 print_members(json_t *, const char *);
static void	 print_names(json_t *, struct args *);
static void	 print_metrics(json_t *, struct args *);
static void	 print_ban_names(json_t *, struct args *);
static void	 print_task_ids(json_t *, struct args *);

static const struct ctl_opt opts_jobs[] = {
	{ .name = "tag", .letter = 't', .type = OPT_STRING, .key = "tag",
	  .arg = "T", .help = "only the jobs tagged T" },
	{ .name = NULL }
};
/* Checked in this order: the first bad one is reported. */
static const struct ctl_opt opts_add[] = {
	{ .name = "on-overlap", .type = OPT_CHOICE, .key = "job.on_overlap",
	  .choices = "queue|skip|replace", .arg = "WHAT",
	  .help = "a run due while one runs: queue|skip|replace" },
	{ .name = "every", .type = OPT_STRING, .key = "job.every",
	  .arg = "D", .help = "run every duration D (90s, 5m, 1h)" },
	{ .name = "cron", .type = OPT_STRING, .key = "job.cron",
	  .arg = "EXPR", .help = "run at the times of a cron expression" },
	{ .name = "at", .type = OPT_STRING,	/* add_at */
	  .arg = "TIME", .help = "run once, at TIME (or now, +5m, boot)" },
	{ .name = "jitter", .type = OPT_STRING, .key = "job.jitter",
	  .arg = "D", .help = "start each run up to D late, at random" },
	{ .name = "max-runs", .type = OPT_INT, .key = "job.max_runs",
	  .min = 0, .max = INT32_MAX, .arg = "N",
	  .help = "end the schedule after N runs (0: no limit)" },
	{ .name = "auto-remove", .type = OPT_FLAG, .key = "job.auto_remove",
	  .help = "remove the job once its schedule has ended" },
	{ .name = "catch-up", .type = OPT_FLAG, .key = "job.catch_up",
	  .help = "run once for firings missed while down" },
	{ .name = "start-deadline", .type = OPT_STRING,
	  .key = "job.start_deadline", .arg = "D",
	  .help = "skip a firing that cannot start within D" },
	{ .name = "timeout", .type = OPT_STRING, .key = "job.timeout",
	  .arg = "D", .help = "stop a task still running after D" },
	{ .name = "kill-signal", .type = OPT_SIGNAL, .key = "job.kill_signal",
	  .arg = "SIG", .help = "the signal that stops a task" },
	{ .name = "kill-grace", .type = OPT_STRING, .key = "job.kill_grace",
	  .arg = "D", .help = "SIGKILL a stopped task still alive after D" },
	{ .name = "concurrency", .type = OPT_INT, .key = "job.concurrency",
	  .min = 1, .max = INT32_MAX, .arg = "N",
	  .help = "at most N tasks of the job at once" },
	{ .name = "on-leftovers", .type = OPT_CHOICE,
	  .key = "job.on_leftovers", .choices = "kill|wait", .arg = "WHAT",
	  .help = "processes a task leaves behind: kill|wait" },
	{ .name = "queue-limit", .type = OPT_INT, .key = "job.queue_limit",
	  .min = 0, .max = INT32_MAX, .arg = "N",
	  .help = "at most N tasks of the job queued" },
	{ .name = "priority", .type = OPT_INT, .key = "job.priority",
	  .min = INT32_MIN, .max = INT32_MAX, .arg = "N",
	  .help = "queued tasks of higher N start first" },
	{ .name = "retries", .type = OPT_INT, .key = "job.retries",
	  .min = 0, .max = INT32_MAX, .arg = "N",
	  .help = "run a failed task again, up to N times" },
	{ .name = "retry-delay", .type = OPT_STRING, .key = "job.retry_delay",
	  .arg = "D", .help = "wait D before a retry" },
	{ .name = "ban-after-failures", .type = OPT_INT,
	  .key = "job.ban_after_failures", .min = 0, .max = INT32_MAX,
	  .arg = "N", .help = "ban the job after N failures in a row" },
	{ .name = "history", .type = OPT_INT, .key = "job.history",
	  .min = 0, .max = UINT32_MAX, .arg = "N",
	  .help = "keep the records of N ended tasks" },
	{ .name = "user", .type = OPT_STRING, .key = "job.user",
	  .arg = "U", .help = "run tasks as user U (admins)" },
	{ .name = "group", .type = OPT_STRING, .key = "job.group",
	  .arg = "G", .help = "run tasks with group G (admins)" },
	{ .name = "workdir", .type = OPT_STRING, .key = "job.workdir",
	  .arg = "DIR", .help = "run the command in DIR" },
	{ .name = "umask", .type = OPT_STRING, .key = "job.umask",
	  .arg = "MODE", .help = "the tasks' umask (octal)" },
	{ .name = "nice", .type = OPT_INT, .key = "job.nice",
	  .min = -20, .max = 19, .arg = "N",
	  .help = "the tasks' nice value (below 0: admins)" },
	{ .name = "limit", .type = OPT_MAP, .key = "job.limits",
	  .arg = "NAME=VALUE", .help = "a resource limit (repeatable)" },
	{ .name = "memory-max", .type = OPT_SCALAR, .key = "job.memory_max",
	  .arg = "SIZE", .help = "cgroup memory.max of each task" },
	{ .name = "memory-high", .type = OPT_SCALAR,
	  .key = "job.memory_high", .arg = "SIZE",
	  .help = "cgroup memory.high of each task" },
	{ .name = "memory-swap-max", .type = OPT_SCALAR,
	  .key = "job.memory_swap_max", .arg = "SIZE",
	  .help = "cgroup memory.swap.max of each task" },
	{ .name = "cpu-max", .type = OPT_SCALAR, .key = "job.cpu_max",
	  .arg = "C", .help = "CPUs each task may use (1.5, 50%)" },
	{ .name = "cpu-weight", .type = OPT_SCALAR, .key = "job.cpu_weight",
	  .arg = "N", .help = "cgroup cpu.weight of each task" },
	{ .name = "io-weight", .type = OPT_SCALAR, .key = "job.io_weight",
	  .arg = "N", .help = "cgroup io.weight of each task" },
	{ .name = "pids-max", .type = OPT_SCALAR, .key = "job.pids_max",
	  .arg = "N", .help = "at most N processes in each task" },
	{ .name = "timezone", .type = OPT_STRING, .key = "job.timezone",
	  .arg = "TZ", .help = "the time zone of cron and at times" },
	{ .name = "disabled", .type = OPT_NOFLAG, .key = "job.enabled",
	  .help = "add the job paused" },
	{ .name = "description", .type = OPT_STRING,
	  .key = "job.description", .arg = "TEXT",
	  .help = "a line on what the job is for" },
	{ .name = "env", .type = OPT_ENV, .key = "job.env", .arg = "K=V",
	  .help = "set variable K to V (repeatable)" },
	{ .name = "tag", .type = OPT_LIST, .key = "job.tags", .arg = "T",
	  .help = "tag the job T (repeatable)" },
	{ .name = "on-failure", .type = OPT_LIST, .key = "job.on_failure",
	  .arg = "JOB", .help = "run JOB when a task fails (repeatable)" },
	{ .name = "on-success", .type = OPT_LIST, .key = "job.on_success",
	  .arg = "JOB", .help = "run JOB when a task succeeds (repeatable)" },
	{ .name = "shell", .type = OPT_LOCAL,
	  .help = "COMMAND is one string for /bin/sh -c" },
	{ .name = "replace", .type = OPT_FLAG, .key = "replace",
	  .help = "replace a job of the same name" },
	{ .name = "after", .type = OPT_IDS, .key = "after", .arg = "ID",
	  .help = "start once task ID succeeded (repeatable)" },
	{ .name = "no-run", .type = OPT_NOFLAG, .key = "run",
	  .help = "define a job with no schedule without running it" },
	{ .name = "wait", .type = OPT_WAIT,
	  .help = "wait for the task; exit with its status" },
	{ .name = NULL }
};
static const struct ctl_opt opts_remove[] = {
	{ .name = "stop", .type = OPT_FLAG, .key = "stop",
	  .help = "stop its running tasks too" },
	{ .name = NULL }
};
static const struct ctl_opt opts_run[] = {
	{ .name = "env", .type = OPT_ENV, .key = "env", .arg = "K=V",
	  .help = "set variable K to V for this task (repeatable)" },
	{ .name = "after", .type = OPT_IDS, .key = "after", .arg = "ID",
	  .help = "start once task ID succeeded (repeatable)" },
	{ .name = "wait", .type = OPT_WAIT,
	  .help = "wait for the task; exit with its status" },
	{ .name = NULL }
};
static const struct ctl_opt opts_stop[] = {
	{ .name = "signal", .type = OPT_SIGNAL, .key = "signal",
	  .arg = "SIG", .help = "send SIG instead of the job's kill signal" },
	{ .name = "no-wait", .type = OPT_LOCAL,
	  .help = "return once signalled, not once ended" },
	{ .name = NULL }
};
static const struct ctl_opt opts_ban[] = {
	{ .name = "reason", .type = OPT_STRING, .key = "reason",
	  .arg = "TEXT", .help = "why, shown by bans" },
	{ .name = "stop", .type = OPT_FLAG, .key = "stop",
	  .help = "stop the running tasks too" },
	{ .name = NULL }
};
static const struct ctl_opt opts_history[] = {
	{ .name = "state", .type = OPT_STRING, .key = "state",
	  .arg = "S", .help = "only tasks that ended in state S" },
	{ .name = "limit", .letter = 'n', .type = OPT_INT, .key = "limit",
	  .min = 1, .max = INT32_MAX, .arg = "N",
	  .help = "only the N latest tasks" },
	{ .name = NULL }
};
static const struct ctl_opt opts_next[] = {
	{ .name = "count", .letter = 'n', .type = OPT_INT, .key = "count",
	  .min = 1, .max = 1000, .bad = "not a number from 1 to 1000",
	  .arg = "N", .help = "the N next times (1 to 1000)" },
	{ .name = "from", .type = OPT_STRING, .key = "from", .arg = "TIME",
	  .help = "the times after TIME instead of now" },
	{ .name = NULL }
};
static const struct ctl_opt opts_logs[] = {
	{ .name = "follow", .letter = 'f', .type = OPT_FOLLOW,
	  .key = "follow", .help = "print output as it comes, until the end" },
	{ .name = NULL }
};
static const struct ctl_opt opts_wait[] = {
	{ .name = "timeout", .type = OPT_LOCAL_ARG, .arg = "D",
	  .help = "give up after D (exit 4)" },
	{ .name = "result", .type = OPT_LOCAL,
	  .help = "print their results, not how they ended" },
	{ .name = NULL }
};
static const struct ctl_opt opts_reload[] = {
	{ .name = "dry-run", .type = OPT_FLAG, .key = "dry_run",
	  .help = "say what would change; change nothing" },
	{ .name = NULL }
};
static const struct ctl_opt opts_export[] = {
	{ .name = "to", .type = OPT_LOCAL_ARG, .arg = "TARGET",
	  .help = "systemd or kubernetes" },
	{ .name = "config", .letter = 'c', .type = OPT_LOCAL_ARG,
	  .arg = "FILE", .help = "the jobs of FILE, not of the daemon" },
	{ .name = "output", .letter = 'o', .type = OPT_LOCAL_ARG,
	  .arg = "DIR", .help = "systemd: write the units into DIR" },
	{ .name = "image", .type = OPT_LOCAL_ARG, .arg = "IMAGE",
	  .help = "kubernetes: the container image" },
	{ .name = NULL }
};
static const struct ctl_opt opts_import[] = {
	{ .name = "system", .type = OPT_LOCAL,
	  .help = "a system crontab: a user field before the command" },
	{ .name = "user", .type = OPT_LOCAL_ARG, .arg = "NAME",
	  .help = "give the jobs of a user crontab user: NAME" },
	{ .name = NULL }
};
static const struct ctl_opt opts_shutdown[] = {
	{ .name = "force", .type = OPT_FLAG, .key = "force",
	  .help = "stop running tasks at once, not waiting" },
	{ .name = "wait", .type = OPT_FLAG, .key = "wait",
	  .help = "return once the daemon has exited, with its status" },
	{ .name = NULL }
};

/* Job summaries with their names only, or with their newest task too. */
static const char *const names_fields[] = { NULL };
static const char *const tasks_fields[] = { "last_task", NULL };

const struct ctl_cmd ctl_cmds[] = {
	{ .name = "status", .usage = "status [JOB|ID]",
	  .help = "the daemon and its jobs, one job, or one task",
	  .wire = "status",
	  .pos = { { "JOB|ID", NULL, POS_TARGET, POS_OPTIONAL } },
	  .exec = ctl_status },
	{ .name = "jobs", .usage = "jobs [--tag T] [PATTERN]",
	  .help = "list the jobs (PATTERN: a shell pattern)",
	  .wire = "jobs",
	  .pos = { { "PATTERN", "name", POS_STRING, POS_OPTIONAL } },
	  .opts = opts_jobs, .print = print_jobs,
	  .fields = format_jobs_fields },
	{ .name = "metrics", .usage = "metrics",
	  .help = "the daemon's and jobs' numbers for Prometheus",
	  .wire = "metrics",
	  .print = print_metrics },
	{ .name = "add", .usage = "add NAME [--every D | --cron EXPR | "
	    "--at TIME] [--jitter D]\n"
	    "      [--max-runs N] [--auto-remove] [--catch-up] "
	    "[--start-deadline D]\n"
	    "      [--timeout D] [--kill-signal SIG] [--kill-grace D] "
	    "[--concurrency N]\n"
	    "      [--on-overlap queue|skip|replace] "
	    "[--on-leftovers kill|wait]\n"
	    "      [--queue-limit N] [--priority N] [--retries N] "
	    "[--retry-delay D]\n"
	    "      [--ban-after-failures N] [--history N] [--user U] "
	    "[--group G]\n"
	    "      [--workdir DIR] [--env K=V]... [--umask MODE] [--nice N]\n"
	    "      [--limit NAME=VALUE]... [--memory-max SIZE] "
	    "[--memory-high SIZE]\n"
	    "      [--memory-swap-max SIZE] [--cpu-max C] [--cpu-weight N]\n"
	    "      [--io-weight N] [--pids-max N] [--timezone TZ] "
	    "[--disabled]\n"
	    "      [--tag T]... [--description TEXT] [--on-failure JOB]...\n"
	    "      [--on-success JOB]... [--shell] [--replace] "
	    "[--after ID]...\n"
	    "      [--no-run | --wait] -- COMMAND [ARG...]",
	  .help = "add a job that runs COMMAND",
	  .wire = "add",
	  .pos = { { "NAME", "job.name", POS_STRING, 0 },
	    { "COMMAND", "job.command", POS_LIST, POS_OPTIONAL | POS_LOCAL } },
	  .opts = opts_add, .flags = CTL_TASK | CTL_TASK_MAYBE,
	  .build = add_build },
	{ .name = "remove", .usage = "remove JOB [--stop]",
	  .help = "remove a job",
	  .wire = "remove",
	  .pos = { { "JOB", "name", POS_STRING, 0 } },
	  .opts = opts_remove, .print = print_remove },
	{ .name = "run", .usage = "run JOB [--env K=V]... [--after ID]... "
	    "[--wait] [-- ARG...]",
	  .help = "start a task of a job now; print its id",
	  .wire = "run",
	  .pos = { { "JOB", "name", POS_STRING, 0 },
	    { "ARG", "args", POS_LIST, POS_OPTIONAL } },
	  .opts = opts_run, .flags = CTL_TASK },
	{ .name = "stop", .usage = "stop ID|JOB [--signal SIG] [--no-wait]",
	  .help = "stop a task, or every running task of a job",
	  .wire = "stop",
	  .pos = { { "ID|JOB", NULL, POS_TARGET, 0 } },
	  .opts = opts_stop, .print = print_stop, .exec = ctl_stop },
	{ .name = "cancel", .usage = "cancel ID|JOB",
	  .help = "cancel a queued task, or every queued task of a job",
	  .wire = "cancel",
	  .pos = { { "ID|JOB", NULL, POS_TARGET, 0 } },
	  .print = print_cancel },
	{ .name = "freeze", .usage = "freeze ID|JOB",
	  .help = "suspend a running task, or those of a job",
	  .wire = "freeze",
	  .pos = { { "ID|JOB", NULL, POS_TARGET, 0 } },
	  .print = print_freeze },
	{ .name = "thaw", .usage = "thaw ID|JOB",
	  .help = "resume a frozen task, or those of a job",
	  .wire = "thaw",
	  .pos = { { "ID|JOB", NULL, POS_TARGET, 0 } },
	  .print = print_thaw },
	{ .name = "ban", .usage = "ban JOB|PATTERN [--reason TEXT] [--stop]",
	  .help = "let no task of the jobs start",
	  .wire = "ban",
	  .pos = { { "JOB|PATTERN", "name", POS_STRING, 0 } },
	  .opts = opts_ban, .print = print_ban },
	{ .name = "unban", .usage = "unban JOB|PATTERN",
	  .help = "lift a ban",
	  .wire = "unban",
	  .pos = { { "JOB|PATTERN", "name", POS_STRING, 0 } },
	  .print = print_unban },
	{ .name = "bans", .usage = "bans",
	  .help = "list the bans",
	  .wire = "bans",
	  .print = print_bans },
	{ .name = "pause", .usage = "pause JOB",
	  .help = "stop scheduling a job (run still starts it)",
	  .wire = "pause",
	  .pos = { { "JOB", "name", POS_STRING, 0 } },
	  .print = print_pause },
	{ .name = "resume", .usage = "resume JOB",
	  .help = "schedule a paused job again",
	  .wire = "resume",
	  .pos = { { "JOB", "name", POS_STRING, 0 } },
	  .print = print_resume },
	{ .name = "history", .usage = "history [JOB] [--state S] [-n N]",
	  .help = "the tasks that ended, newest first",
	  .wire = "history",
	  .pos = { { "JOB", "name", POS_STRING, POS_OPTIONAL } },
	  .opts = opts_history, .print = print_history },
	{ .name = "next", .usage = "next JOB [-n N] [--from TIME]",
	  .help = "the next times a job will run",
	  .wire = "next",
	  .pos = { { "JOB", "name", POS_STRING, 0 } },
	  .opts = opts_next, .print = print_next },
	{ .name = "logs", .usage = "logs ID|JOB [-f]",
	  .help = "the output of a task, or of a job's newest task",
	  .wire = "output",
	  .pos = { { "ID|JOB", NULL, POS_TARGET, 0 } },
	  .opts = opts_logs, .print = print_output, .event = logs_event,
	  .exec = ctl_logs },
	{ .name = "wait", .usage = "wait [--timeout D] [--result] ID|JOB...",
	  .help = "wait for tasks (a job's newest); exit with their status",
	  .wire = "wait",
	  .pos = { { "ID|JOB", "task", POS_LIST, POS_LOCAL } },
	  .opts = opts_wait, .exec = ctl_wait },
	{ .name = "result", .usage = "result ID|JOB",
	  .help = "the result a task (a job's newest) left",
	  .wire = "task",
	  .pos = { { "ID|JOB", NULL, POS_TARGET, 0 } },
	  .exec = ctl_result },
	{ .name = "reload", .usage = "reload [--dry-run]",
	  .help = "read the configuration again",
	  .wire = "reload",
	  .opts = opts_reload, .print = print_reload },
	{ .name = "get", .usage = "get [KEY]",
	  .help = "the daemon's settings, or one",
	  .wire = "get",
	  .pos = { { "KEY", "key", POS_STRING, POS_OPTIONAL } },
	  .print = print_settings },
	{ .name = "set", .usage = "set KEY VALUE",
	  .help = "change a setting until a reload or restart",
	  .wire = "set",
	  .pos = { { "KEY", "key", POS_STRING, 0 },
	    { "VALUE", "value", POS_SCALAR, 0 } },
	  .print = print_settings },
	{ .name = "shutdown", .usage = "shutdown [--force] [--wait]",
	  .help = "stop the daemon (running tasks first)",
	  .wire = "shutdown",
	  .opts = opts_shutdown, .exec = ctl_shutdown },
	{ .name = "watch", .usage = "watch [EVENT...]",
	  .help = "print events as they happen (all, or those named)",
	  .wire = "subscribe",
	  .pos = { { "EVENT", "events", POS_LIST, POS_OPTIONAL } },
	  .flags = CTL_STREAM, .event = watch_event },
	{ .name = "export", .usage = "export --to systemd|kubernetes "
	    "[-c FILE] [-o DIR] [--image IMAGE]\n"
	    "      [JOB...]",
	  .help = "write jobs as systemd timers or Kubernetes CronJobs",
	  .pos = { { "JOB", NULL, POS_LIST, POS_OPTIONAL | POS_LOCAL } },
	  .opts = opts_export, .exec = ctl_export },
	{ .name = "import", .usage = "import crontab [--system] [--user NAME] "
	    "[FILE|-]",
	  .help = "print a crontab as schedd.yaml jobs (no daemon needed)",
	  .pos = { { "crontab", NULL, POS_STRING, POS_LOCAL },
	    { "FILE", NULL, POS_STRING, POS_OPTIONAL | POS_LOCAL } },
	  .opts = opts_import, .exec = ctl_import },
	{ .name = "help", .usage = "help [COMMAND]",
	  .help = "this help, or that of one command",
	  .pos = { { "COMMAND", NULL, POS_STRING, POS_OPTIONAL | POS_LOCAL } },
	  .exec = ctl_help },
	/*
	 * For shell completion, one per line: job names, the newest task of
	 * each job, banned names.
	 */
	{ .name = "_names", .usage = "_names", .wire = "jobs",
	  .flags = CTL_HIDDEN | CTL_HUMAN, .print = print_names,
	  .fields = names_fields },
	{ .name = "_tasks", .usage = "_tasks", .wire = "jobs",
	  .flags = CTL_HIDDEN | CTL_HUMAN, .print = print_task_ids,
	  .fields = tasks_fields },
	{ .name = "_bans", .usage = "_bans", .wire = "bans",
	  .flags = CTL_HIDDEN | CTL_HUMAN, .print = print_ban_names },
	{ .name = NULL }
};

/* The command entry of a name, or NULL. */
const struct ctl_cmd *
ctl_cmd_find(const char *name)
{
	const struct ctl_cmd	*ce;

	for (ce = ctl_cmds; ce->name != NULL; ce++) {
		if (strcmp(ce->name, name) == 0)
			return (ce);
	}
	return (NULL);
}

/*
 * status [JOB|ID]: one task ("task") or one job ("job"), else the daemon
 * summary followed by the jobs table.
 */
static int
ctl_status(struct ctl *ctl, struct args *a)
{
	json_t	*req, *res, *jobs;
	int	 rc;

	req = json_object();
	if ((rc = run_args(a, req)) != 0) {
		json_decref(req);
		return (rc);
	}
	if (json_object_get(req, "task") != NULL)
		return (run_request(ctl, a, "task", req, print_task));
	if (json_object_get(req, "name") != NULL)
		return (run_request(ctl, a, "job", req, print_job));

	/* Both requests at once: one round trip, not two. */
	if (ctl_request(ctl, a->ce->wire, req) != 0 || (!ctl->json &&
	    ctl_request(ctl, "jobs", json_pack("{s:o}", "fields",
	    format_fields(format_jobs_fields))) != 0))
		return (CTL_EXIT_UNREACH);
	if ((rc = ctl_answer(ctl, CALL_RAW, &res)) != 0)
		return (rc);
	if (ctl->json) {
		json_decref(res);
		return (CTL_EXIT_OK);
	}
	format_status(res, stdout);
	json_decref(res);
	if ((rc = ctl_answer(ctl, 0, &res)) != 0)
		return (rc);
	jobs = json_object_get(res, "jobs");
	if (json_array_size(jobs) > 0) {
		printf("\n");
		format_jobs(jobs, stdout);
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}

/* help [COMMAND]: the help of schedctl or of one command, on stdout. */
static int
ctl_help(struct ctl *ctl, struct args *a)
{
	if (a->argc == 1 && ctl_cmd_find(a->argv[0]) == NULL)
		return (usage_error("help", "unknown command: %s",
		    a->argv[0]));
	return (help_print(a->argc == 1 ? a->argv[0] : NULL));
}

/*
 * add NAME [OPTIONS] -- COMMAND [ARG...]: check the name and put the
 * command in the job, as a list of words or, with --shell, one string
 * (several words are joined like ssh does).
 */
static int
add_build(struct args *a, json_t *req)
{
	json_t	*job, *argv;
	char	*shell, *next;
	int	 i;

	if (a->ndash > 1)
		return (usage_error("add", "unexpected argument: %s",
		    a->argv[1]));
	if (a->argc < 2)
		return (usage_error("add", "missing COMMAND after --"));
	if (!name_valid(a->argv[0]))
		return (usage_error("add", "bad job name: %s (%s)",
		    a->argv[0], NAME_RULE));
	if (args_has(a, "no-run") && args_has(a, "wait"))
		return (usage_error("add", "--no-run starts no task to wait "
		    "for"));

	job = json_object();
	if (args_has(a, "shell")) {
		shell = xstrdup(a->argv[1]);
		for (i = 2; i < a->argc; i++) {
			xasprintf(&next, "%s %s", shell, a->argv[i]);
			free(shell);
			shell = next;
		}
		json_object_set_new(job, "command", json_string(shell));
		free(shell);
	} else {
		argv = json_array();
		for (i = 1; i < a->argc; i++)
			json_array_append_new(argv, json_string(a->argv[i]));
		json_object_set_new(job, "command", argv);
	}
	json_object_set_new(req, "job", job);
	return (add_at(a, job));
}

/*
 * --at TIME as the daemon reads it, or relative to now ("now", "+5m",
 * "+1h30m"), which is sent as the absolute time it means.
 */
static int
add_at(struct args *a, json_t *job)
{
	const char	*v = args_get(a, "at");
	uint64_t	 ms = 0;
	time_t		 t;
	struct tm	 tm;
	char		 buf[32];

	if (v == NULL)
		return (0);
	if (strcmp(v, "now") != 0 && *v != '+') {
		json_object_set_new(job, "at", json_string(v));
		return (0);
	}
	if (*v == '+' && parse_duration(v + 1, &ms) != 0)
		return (usage_error("add", "--at: bad duration: %s", v));
	t = time(NULL) + (time_t)(ms / 1000);
	if (!time_in_range(t) || gmtime_r(&t, &tm) == NULL)
		return (usage_error("add", "--at: out of range: %s", v));
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(job, "at", json_string(buf));
	return (0);
}

/* Print "WHAT ids" if the list has any, else the fallback (if any). */
static void
ids_print(const char *what, json_t *list, const char *none)
{
	char	*ids;

	if ((ids = format_ids(list)) != NULL) {
		printf("%s %s\n", what, ids);
		free(ids);
	} else if (none != NULL)
		printf("%s\n", none);
}

static void
print_jobs(json_t *res, struct args *a)
{
	format_jobs(json_object_get(res, "jobs"), stdout);
}

static void
print_remove(json_t *res, struct args *a)
{
	printf("removed %s\n", field_text(res, "removed"));
	ids_print("stopped", json_object_get(res, "stopped"), NULL);
	ids_print("cancelled", json_object_get(res, "cancelled"), NULL);
}

static void
print_stop(json_t *res, struct args *a)
{
	ids_print("stopped", json_object_get(res, "stopped"),
	    "nothing to stop");
}

static void
print_cancel(json_t *res, struct args *a)
{
	ids_print("cancelled", json_object_get(res, "cancelled"),
	    "nothing to cancel");
}

static void
print_freeze(json_t *res, struct args *a)
{
	ids_print("frozen", json_object_get(res, "frozen"),
	    "nothing to freeze");
}

static void
print_thaw(json_t *res, struct args *a)
{
	ids_print("thawed", json_object_get(res, "thawed"), "nothing to thaw");
}

static void
print_ban(json_t *res, struct args *a)
{
	printf("banned %s\n", field_text(json_object_get(res, "ban"), "name"));
	ids_print("cancelled", json_object_get(res, "cancelled"), NULL);
	ids_print("stopped", json_object_get(res, "stopped"), NULL);
}

static void
print_unban(json_t *res, struct args *a)
{
	const char	*name;

	name = field_str(json_object_get(res, "ban"), "name");
	printf("unbanned %s\n", name != NULL ? name : a->argv[0]);
}

static void
print_bans(json_t *res, struct args *a)
{
	format_bans(json_object_get(res, "bans"), stdout);
}

static void
print_pause(json_t *res, struct args *a)
{
	printf("paused %s\n", field_text(json_object_get(res, "job"),
	    "name"));
}

/* "resumed JOB, next run in 4m". */
static void
print_resume(json_t *res, struct args *a)
{
	json_t	*job = json_object_get(res, "job");
	char	*next;

	if (field_str(job, "next_run") == NULL) {
		printf("resumed %s\n", field_text(job, "name"));
		return;
	}
	next = format_reltime(field_str(job, "next_run"));
	printf("resumed %s, next run %s\n", field_text(job, "name"), next);
	free(next);
}

static void
print_history(json_t *res, struct args *a)
{
	format_tasks(json_object_get(res, "tasks"), stdout);
}

/* Run times: local time, then how far, "2026-11-23 16:05:00  in 4m". */
static void
print_next(json_t *res, struct args *a)
{
	struct timespec	 ts;
	struct tm	 tm;
	json_t		*times, *item;
	const char	*v;
	char		 buf[64], *rel;
	size_t		 i;

	times = json_object_get(res, "times");
	if (json_array_size(times) == 0)
		printf("no upcoming runs\n");
	json_array_foreach(times, i, item) {
		if ((v = json_string_value(item)) == NULL)
			continue;
		if (time_parse(v, time(NULL), &ts) != 0 ||
		    localtime_r(&ts.tv_sec, &tm) == NULL ||
		    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(buf, sizeof buf, "?");
		rel = format_reltime(v);
		printf("%s  %s\n", buf, rel);
		free(rel);
	}
}

/* A task's log, as it is. */
static void
print_output(json_t *res, struct args *a)
{
	const char	*text;

	if ((text = field_str(res, "text")) != NULL)
		fputs(text, stdout);
}

/* One line of job names, if there are any. */
static void
print_reload_list(const char *what, json_t *list)
{
	json_t	*name;
	size_t	 i;

	if (json_array_size(list) == 0)
		return;
	printf("%-8s", what);
	json_array_foreach(list, i, name)
		printf(" %s", json_is_string(name) ? json_string_value(name) :
		    "?");
	printf("\n");
}

/*
 * What reload added, removed and changed (or with --dry-run would).  An
 * invalid file answers invalid_config with every error, which ctl_call
 * prints.
 */
static void
print_reload(json_t *res, struct args *a)
{
	print_reload_list("added", json_object_get(res, "added"));
	print_reload_list("removed", json_object_get(res, "removed"));
	print_reload_list("changed", json_object_get(res, "changed"));
	if (json_array_size(json_object_get(res, "added")) +
	    json_array_size(json_object_get(res, "removed")) +
	    json_array_size(json_object_get(res, "changed")) == 0)
		printf("no changes\n");
	else if (args_has(a, "dry-run"))
		printf("(dry run: nothing applied)\n");
}

/* Settings as "key: value" lines, in the words of schedd.yaml(5). */
static void
print_settings(json_t *res, struct args *a)
{
	human_pairs(json_object_get(res, "settings"), "", 0, 0, stdout);
}

static void
print_job(json_t *res, struct args *a)
{
	format_job(json_object_get(res, "job"), stdout);
}

static void
print_task(json_t *res, struct args *a)
{
	format_task(json_object_get(res, "task"), stdout);
}

/*
 * Each element of LIST on a line: its member KEY (a string or an
 * integer), or without KEY the element itself.
 */
static void
print_members(json_t *list, const char *key)
{
	json_t		*e;
	const char	*str;
	size_t		 i;

	json_array_foreach(list, i, e) {
		if (key != NULL)
			e = json_object_get(e, key);
		if ((str = json_string_value(e)) != NULL)
			printf("%s\n", str);
		else if (json_is_integer(e))
			printf("%lld\n", (long long)json_integer_value(e));
	}
}

static void
print_names(json_t *res, struct args *a)
{
	print_members(json_object_get(res, "jobs"), "name");
}

/* The Prometheus text of "metrics": its lines, each ended. */
static void
print_metrics(json_t *res, struct args *a)
{
	print_members(json_object_get(res, "lines"), NULL);
}

static void
print_ban_names(json_t *res, struct args *a)
{
	print_members(json_object_get(res, "bans"), "name");
}

static void
print_task_ids(json_t *res, struct args *a)
{
	print_members(json_object_get(res, "jobs"), "last_task");
}
