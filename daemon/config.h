/* SPDX-License-Identifier: ISC */
/*
 * Configuration: the daemon settings and job definitions of schedd.yaml.5,
 * loaded from YAML (libyaml) or, for a runtime "add", from a JSON object.
 * Both paths share one table of job keys and one validator, so a job means
 * the same thing wherever it came from.
 *
 * A struct config is immutable once loaded: reload builds a new one and
 * swaps it in.  Job definitions are reference counted so that a running
 * task keeps the definition it started with.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <sys/types.h>
#include <sys/resource.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

#define CONFIG_MAX_FILE		(16 * 1024 * 1024)

enum overlap {
	OVERLAP_QUEUE = 0,
	OVERLAP_SKIP,
	OVERLAP_REPLACE,
};

/* What becomes of the processes a task's main process leaves behind. */
enum leftovers {
	LEFTOVERS_KILL = 0,	/* killed, the task ends */
	LEFTOVERS_WAIT,		/* the task ends when they have ended */
};

/* Indexes of jobdef.limits, in the order of the YAML "limits" keys. */
enum joblimit_kind {
	JOBLIM_CPU = 0,		/* seconds, RLIMIT_CPU */
	JOBLIM_MEMORY,		/* bytes, RLIMIT_AS */
	JOBLIM_NOFILE,		/* count, RLIMIT_NOFILE */
	JOBLIM_NPROC,		/* count, RLIMIT_NPROC */
	JOBLIM_CORE,		/* bytes, RLIMIT_CORE */
	JOBLIM_FSIZE,		/* bytes, RLIMIT_FSIZE */
	JOBLIM_MAX
};

struct joblimit {
	int		 set;
	rlim_t		 value;		/* soft and hard */
};

/*
 * cgroup limits (schedd.yaml.5 JOBS and DAEMON SETTINGS): job keys, and
 * daemon keys of the same names giving the default for every task.
 * Indexes of jobdef.cglimits and settings.cglimits, in key order.
 */
enum cglimit_kind {
	CGLIM_MEMORY_MAX = 0,	/* bytes */
	CGLIM_MEMORY_HIGH,	/* bytes */
	CGLIM_MEMORY_SWAP_MAX,	/* bytes */
	CGLIM_CPU_MAX,		/* microseconds per CGLIM_CPU_PERIOD_US */
	CGLIM_CPU_WEIGHT,	/* 1..10000 */
	CGLIM_IO_WEIGHT,	/* 1..10000 */
	CGLIM_PIDS_MAX,		/* processes */
	CGLIM_NKINDS
};

#define CGLIM_INFINITY		UINT64_MAX	/* "max": no limit */
#define CGLIM_CPU_PERIOD_US	100000
#define CGLIM_WEIGHT_DEFAULT	100		/* the kernel's */
#define CGLIM_PIDS_LIMIT	4194304		/* the kernel's PID_MAX_LIMIT */

struct cglimit {
	int		 set;
	uint64_t	 value;		/* or CGLIM_INFINITY */
	int		 line;		/* where the key is (YAML), or 0 */
	int		 column;
};

/*
 * One job's definition, exactly as configured (defaults unresolved).
 * Immutable once built and shared by reference.  Every string but the
 * name (unique anyway), and every string of argv, tags and env, is
 * interned (common/intern.h): never written to nor freed but through
 * jobdef_unref.  limits and cglimits
 * point at a shared all-unset table unless the job sets one.  digest
 * covers every field but refs, file, line and column: two definitions
 * with the same digest mean the same job.
 */
struct jobdef {
	int		 refs;
	int		 priority;	/* higher runs first; default 0 */
	char		*name;
	char		**argv;		/* NULL-terminated */
	char		*description;	/* or NULL */
	char		**tags;		/* NULL-terminated, maybe empty */
	char		*cron;		/* or NULL */
	char		*at;		/* as written, or NULL */
	char		*user;		/* or NULL */
	char		*group;		/* or NULL */
	char		*workdir;	/* or NULL: the user's home, or / */
	char		**env;		/* "KEY=VALUE", NULL-terminated */
	char		**on_failure;	/* hook jobs, or NULL: the daemon's */
	char		**on_success;	/* hook jobs, maybe empty */
	char		*timezone;	/* or NULL: the daemon's */
	char		*file;		/* where defined, or NULL (runtime) */
	const struct joblimit *limits;	/* [JOBLIM_MAX] */
	const struct cglimit *cglimits;	/* [CGLIM_NKINDS], unset: daemon's */

	uint64_t	 every_ms;	/* 0: none */
	uint64_t	 jitter_ms;
	uint64_t	 retry_delay_ms;
	int64_t		 timeout_ms;	/* -1: daemon default_timeout; 0 none */
	int64_t		 kill_grace_ms;	/* -1: daemon kill_grace */
	int64_t		 queue_limit;	/* -1: daemon queue_limit */
	int64_t		 history;	/* -1: daemon history */
	uint64_t	 start_deadline_ms; /* 0: none */
	uint64_t	 digest[2];

	uint32_t	 ntags;
	uint32_t	 nenv;
	uint32_t	 non_failure;
	uint32_t	 non_success;
	uint32_t	 max_runs;	/* 0: unlimited */
	uint32_t	 concurrency;	/* default 1, >= 1 */
	uint32_t	 retries;
	uint32_t	 ban_after_failures;
	int		 line;
	int		 column;
	int		 kill_signal;	/* default SIGTERM */
	int		 umask;		/* -1: inherit */
	int		 nice;
	enum overlap	 on_overlap;
	enum leftovers	 on_leftovers;	/* default LEFTOVERS_KILL */
	unsigned char	 shell;		/* argv is {"/bin/sh", "-c", command} */
	unsigned char	 auto_remove;
	unsigned char	 catch_up;
	unsigned char	 at_boot;	/* at: boot (cron @reboot); at NULL */
	unsigned char	 nice_set;
	unsigned char	 enabled;	/* default 1; 0 = loaded but paused */
};

/* The daemon: section.  Command-line flags override these. */
struct settings {
	char		*socket;	/* NULL: default for the uid */
	mode_t		 socket_mode;	/* 0660 */
	char		*socket_group;	/* or NULL */
	char		*state_dir;	/* NULL: default for the uid */
	uint32_t	 max_running;	/* 10 */
	uint32_t	 max_queued;	/* 1000 */
	uint32_t	 queue_limit;	/* 30 */
	uint64_t	 default_timeout_ms; /* 0 */
	uint64_t	 kill_grace_ms;	/* 10s */
	uint32_t	 history;	/* 60 */
	uint64_t	 output_tail;	/* 4KiB */
	uint64_t	 log_max;	/* 1MiB */
	int		 log_level;	/* LOGLEVEL_INFO */
	uint64_t	 idle_exit_ms;	/* 0: never */
	uint64_t	 shutdown_timeout_ms; /* 30s */
	char		*timezone;	/* or NULL: the system's */
	char		**on_failure;	/* hook jobs of jobs setting none */
	uint32_t	 non_failure;
	char		*cgroup;	/* auto, off, a path; NULL: auto */
	uint32_t	 max_jobs_per_user;	/* runtime jobs, users: 100 */
	uint32_t	 max_queued_per_user;	/* queued tasks, users: 1000 */
	uint64_t	 max_job_size;	/* encoded definition, non-admins */
	uint32_t	 removed_history; /* records of removed jobs: 1000 */
	struct cglimit	 cglimits[CGLIM_NKINDS];	/* defaults: none */
	char		*metrics_file;	/* or NULL: none */
	uint64_t	 metrics_interval_ms; /* 15s */
};

/* Jobs by name: open addressing, no allocation per job. */
struct config_slot {
	uint64_t	 hash;
	struct jobdef	*def;		/* NULL: empty */
};
struct config_index {
	struct config_slot *slots;
	size_t		 nslots;	/* 0 or a power of two */
	size_t		 n;
};

struct config {
	char		*path;		/* main file, or NULL (none) */
	struct settings	 settings;
	struct jobdef	**jobs;		/* in file order */
	size_t		 njobs;
	struct config_index index;	/* name -> job */
	char		**files;	/* every file read, main first */
	size_t		 nfiles;
	size_t		 nparsed;	/* files parsed by this load */
	size_t		 nreused;	/* include files unchanged since */
};

void		 settings_defaults(struct settings *);
void		 settings_copy(struct settings *, const struct settings *);
void		 settings_free(struct settings *);
void		 settings_copy_hooks(struct settings *,
		     const struct settings *);

/*
 * Load and validate a configuration file and its includes.  Returns 0 and
 * *out, or -1 and every error found ("FILE:LINE:COLUMN: message") in
 * *errors (caller frees with config_errors_free).  With path NULL, or a
 * missing file and must_exist 0, the result is an empty configuration.
 */
int		 config_load(const char *, int, struct config **, char ***,
		     size_t *);
void		 config_free(struct config *);
void		 config_errors_free(char **, size_t);
void		 config_cache_clear(void);
struct jobdef	*config_find_job(const struct config *, const char *);
void		 config_index_put(struct config_index *, struct jobdef *);

/*
 * Build a job from a JSON object (the "job" argument of "add"): "name" plus
 * any job keys, with the same rules as YAML.  Durations may be strings
 * ("5m") or numbers of seconds.  Returns -1 and a caller-freed *cause
 * listing every problem ("job.timeout: ...; job.cron: ...").
 */
int		 jobdef_from_json(json_t *, struct jobdef **, char **);

/* Every job key with its effective value (defaults from settings). */
json_t		*jobdef_to_json(const struct jobdef *, const struct settings *);
struct jobdef	*jobdef_ref(struct jobdef *);
void		 jobdef_unref(struct jobdef *);
int		 jobdef_equal(const struct jobdef *, const struct jobdef *);
int		 jobdef_same(const struct jobdef *, const struct jobdef *);
int		 jobdef_has_schedule(const struct jobdef *);
int		 joblimit_resource(enum joblimit_kind);

/*
 * cgroup limits: the key names; the limit a task of def gets (its own,
 * else the daemon's default from s, which may be NULL), or NULL; a value
 * as JSON (null when unset) and in words ("1GiB", "50%", "max").
 */
extern const char *const cglimit_names[CGLIM_NKINDS];
const struct cglimit *cglimit_effective(const struct jobdef *,
		     const struct settings *, enum cglimit_kind);
json_t		*cglimit_to_json(enum cglimit_kind, const struct cglimit *);
char		*cglimit_format(enum cglimit_kind, uint64_t);
char		*jobdef_schedule_string(const struct jobdef *);

#endif
