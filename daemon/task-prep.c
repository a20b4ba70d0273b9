/*
 * What a task's process needs before it can start (schedd.8 EXECUTION
 * ENVIRONMENT), resolved in the daemon since the child may only make
 * async-signal-safe calls: who it runs as (the job's owner, or its
 * "user" and "group") with which groups, its clean environment, its
 * folder, the path of its program, its nice and limits.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedd.h"
#include "spawn.h"
#include "task-prep.h"
#include "xmalloc.h"

#define TASK_PATH_ROOT	"/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
			    "/usr/bin:/sbin:/bin"
#define TASK_PATH_USER	"/usr/local/bin:/usr/bin:/bin"

static void	 task_env_set(struct task_prep *, const char *, const char *);

static void
task_env_set(struct task_prep *p, const char *key, const char *value)
{
	size_t	 i, klen = strlen(key);
	char	*kv;

	xasprintf(&kv, "%s=%s", key, value);
	for (i = 0; i < p->nenv; i++) {
		if (strncmp(p->envp[i], key, klen) == 0 &&
		    p->envp[i][klen] == '=') {
			free(p->envp[i]);
			p->envp[i] = kv;
			return;
		}
	}
	p->envp = xreallocarray(p->envp, p->nenv + 2, sizeof *p->envp);
	p->envp[p->nenv++] = kv;
	p->envp[p->nenv] = NULL;
}

void
task_prep_free(struct task_prep *p)
{
	size_t	 i;

	for (i = 0; i < p->nenv; i++)
		free(p->envp[i]);
	free(p->envp);
	free(p->path);
	free(p->workdir);
}

/*
 * Resolve everything the child needs: who it runs as, its environment,
 * folder, program path and limits.  -1 and a caller-freed cause if the
 * task cannot start.
 */
int
task_prepare(struct task *t, struct task_prep *p, char **cause)
{
	const struct jobdef	*def = t->def;
	struct passwd		*pw;
	struct group		*gr;
	struct stat		 st;
	const char		*path;
	char			 idbuf[32];
	int			 ngroups, i;
	size_t			 k;
	uid_t			 uid = sd.uid;

	memset(p, 0, sizeof *p);
	p->req.cgroup_fd = -1;
	p->envp = xcalloc(1, sizeof *p->envp);
	p->req.umask = def->umask;
	p->req.nice_set = def->nice_set;
	p->req.nice = def->nice;
	/*
	 * A user's job gets its nice and limits after the privileges are
	 * dropped, so the kernel holds them to that user's own bounds.
	 */
	p->req.limits_as_user = t->owner.origin == ORIGIN_RUNTIME &&
	    !auth_is_admin(t->owner.uid, sd.uid);

	if (def->user != NULL) {
		errno = 0;
		if ((pw = getpwnam(def->user)) == NULL) {
			if (errno != 0 && errno != ENOENT && errno != ESRCH)
				xasprintf(cause, "could not start: looking up "
				    "user \"%s\": %s", def->user,
				    strerror(errno));
			else
				xasprintf(cause, "could not start: unknown "
				    "user \"%s\"", def->user);
			return (-1);
		}
	} else {
		/* The owner's identity, taken at the start like the def. */
		if (t->owner.origin == ORIGIN_RUNTIME)
			uid = t->owner.uid;
		errno = 0;
		if ((pw = getpwuid(uid)) == NULL) {
			if (errno != 0 && errno != ENOENT && errno != ESRCH)
				xasprintf(cause, "could not start: looking up "
				    "uid %u: %s", (unsigned)uid,
				    strerror(errno));
			else
				xasprintf(cause, "could not start: no user "
				    "with uid %u", (unsigned)uid);
			return (-1);
		}
	}
	if (pw->pw_uid != sd.uid || def->group != NULL) {
		if (!sd.is_root) {
			xasprintf(cause, "could not start: cannot run as "
			    "user \"%s\": schedd is not running as root",
			    pw->pw_name);
			return (-1);
		}
		p->req.set_ids = 1;
		p->req.uid = pw->pw_uid;
		p->req.gid = pw->pw_gid;
		if (def->group != NULL) {
			errno = 0;
			if ((gr = getgrnam(def->group)) == NULL) {
				if (errno != 0 && errno != ENOENT &&
				    errno != ESRCH)
					xasprintf(cause, "could not start: "
					    "looking up group \"%s\": %s",
					    def->group, strerror(errno));
				else
					xasprintf(cause, "could not start: "
					    "unknown group \"%s\"", def->group);
				return (-1);
			}
			p->req.gid = gr->gr_gid;
		}
		ngroups = TASK_MAX_GROUPS;
		if (getgrouplist(pw->pw_name, p->req.gid, p->groups,
		    &ngroups) == -1)
			ngroups = TASK_MAX_GROUPS;
		p->req.groups = p->groups;
		p->req.ngroups = ngroups;
	}

	task_env_set(p, "PATH", pw->pw_uid == 0 ? TASK_PATH_ROOT :
	    TASK_PATH_USER);
	task_env_set(p, "HOME", pw->pw_dir);
	task_env_set(p, "USER", pw->pw_name);
	task_env_set(p, "LOGNAME", pw->pw_name);
	task_env_set(p, "SHELL", pw->pw_shell != NULL && *pw->pw_shell != '\0' ?
	    pw->pw_shell : "/bin/sh");
	task_env_set(p, "SCHEDD_JOB", t->job->name);
	snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)t->id);
	task_env_set(p, "SCHEDD_TASK_ID", idbuf);
	for (k = 0; k < def->nenv; k++) {
		char	*key = xstrdup(def->env[k]), *eq;

		if ((eq = strchr(key, '=')) != NULL) {
			*eq = '\0';
			task_env_set(p, key, eq + 1);
		}
		free(key);
	}

	if (def->workdir != NULL)
		p->workdir = xstrdup(def->workdir);
	else if (stat(pw->pw_dir, &st) == 0 && S_ISDIR(st.st_mode))
		p->workdir = xstrdup(pw->pw_dir);
	else
		p->workdir = xstrdup("/");

	path = "";
	for (k = 0; k < p->nenv; k++) {
		if (strncmp(p->envp[k], "PATH=", 5) == 0)
			path = p->envp[k] + 5;
	}
	if ((p->path = spawn_resolve(def->argv[0], path)) == NULL) {
		xasprintf(cause, "could not start: %s: %s", def->argv[0],
		    strerror(errno));
		return (-1);
	}

	for (i = 0; i < JOBLIM_MAX; i++) {
		if (!def->limits[i].set)
			continue;
		p->req.limits[p->req.nlimits].resource =
		    joblimit_resource(i);
		p->req.limits[p->req.nlimits].rl.rlim_cur =
		    def->limits[i].value;
		p->req.limits[p->req.nlimits].rl.rlim_max =
		    def->limits[i].value;
		p->req.nlimits++;
	}
	p->req.path = p->path;
	p->req.argv = def->argv;
	p->req.envp = p->envp;
	p->req.workdir = p->workdir;
	return (0);
}
