/* SPDX-License-Identifier: ISC */
/*
 * What a task's process needs before it can start (schedd.8 EXECUTION
 * ENVIRONMENT), resolved in the daemon since the child may only make
 * async-signal-safe calls: who it runs as (the job's owner, or its
 * "user" and "group") with which groups, its clean environment, its
 * folder, the path of its program, its nice and limits.
 *
 * Looking users and groups up (a parse of /etc/passwd or /etc/group per
 * call) and searching PATH cost more than the rest of a start, so their
 * answers are kept: users and groups until /etc/passwd or /etc/group
 * change (or for a minute), whether a home is a folder and where a
 * program is until the folders looked at change.  Whether they changed
 * is checked at most once per dispatch batch (task_prep_batch), so a
 * change made before a request is seen by the tasks that request starts.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "schedd.h"
#include "spawn.h"
#include "task-prep.h"
#include "util.h"
#include "xmalloc.h"

#define TASK_PATH_ROOT	"/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
			    "/usr/bin:/sbin:/bin"
#define TASK_PATH_USER	"/usr/local/bin:/usr/bin:/bin"
#define PREP_PASSWD	"/etc/passwd"
#define PREP_GROUP	"/etc/group"
#define PREP_CACHE_MAX	4096	/* entries of each kind, then start over */
#define PREP_USERS_MS	60000	/* users from elsewhere than the files */

/* What tells that a file or folder changed. */
struct prep_stamp {
	int		 ok;		/* stat succeeded */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
	struct timespec	 ctim;
};

/* A user as getpwnam or getpwuid gave it, and its groups once listed. */
struct prep_user {
	char		*key;		/* the name looked up, or NULL */
	char		*name;
	char		*dir;
	char		*shell;
	uid_t		 uid;
	gid_t		 gid;
	int		 home_ok;	/* dir is a folder */
	uint64_t	 home_gen;	/* when that was checked */
	gid_t		 groups_gid;	/* the gid the groups are for */
	int		 ngroups;	/* -1: not listed */
	gid_t		*groups;
};

/* A group name looked up. */
struct prep_group {
	char		*name;
	gid_t		 gid;
};

/* Where a program was found, and the folders looked at to find it. */
struct prep_prog {
	char		*key;		/* PATH and argv[0]: prep_prog_key */
	char		*path;
	size_t		 ndirs;
	char		**dirs;
	struct prep_stamp *stamps;
	uint64_t	 gen;		/* when the stamps were checked */
};

static struct hmap	 prep_by_name;	/* struct prep_user by key */
static struct hmap	 prep_by_uid;	/* struct prep_user by uid */
static struct hmap	 prep_groups;	/* struct prep_group by name */
static struct hmap	 prep_progs;	/* struct prep_prog by key */
static int		 prep_init;
static uint64_t		 prep_gen = 1;	/* the dispatch batch */
static uint64_t		 prep_files_gen; /* when the files were checked */
static uint64_t		 prep_users_ms;	/* when the users were first kept */
static struct prep_stamp prep_passwd;
static struct prep_stamp prep_group;

static void	 task_env_set(struct task_prep *, const char *, const char *);
static void	 task_env_list(struct task_prep *, char *const *, size_t);
static char	**task_argv(const struct task *);
static void	 prep_stamp_take(const char *, struct prep_stamp *);
static int	 prep_stamp_same(const struct prep_stamp *,
		    const struct prep_stamp *);
static void	 prep_user_free(void *);
static void	 prep_group_free(void *);
static void	 prep_users_clear(void);
static void	 prep_prog_free(void *);
static void	 prep_progs_clear(void);
static void	 prep_files_check(void);
static struct prep_user *prep_user_new(const struct passwd *, const char *);
static struct prep_user *prep_user_by_name(const char *);
static struct prep_user *prep_user_by_uid(uid_t);
static int	 prep_group_by_name(const char *, gid_t *);
static int	 prep_user_groups(struct prep_user *, gid_t, gid_t *, int);
static int	 prep_user_home(struct prep_user *);
static char	*prep_prog_key(const char *, const char *);
static int	 prep_prog_valid(struct prep_prog *);
static char	*prep_resolve(const char *, const char *);

/* Stat a file or folder; a failure is a stamp too (ok 0). */
static void
prep_stamp_take(const char *path, struct prep_stamp *s)
{
	struct stat	 st;

	memset(s, 0, sizeof *s);
	if (stat(path, &st) == -1)
		return;
	s->ok = 1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtim = st.st_mtim;
	s->ctim = st.st_ctim;
}

static int
prep_stamp_same(const struct prep_stamp *a, const struct prep_stamp *b)
{
	if (a->ok != b->ok)
		return (0);
	if (!a->ok)
		return (1);
	return (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec &&
	    a->ctim.tv_sec == b->ctim.tv_sec &&
	    a->ctim.tv_nsec == b->ctim.tv_nsec);
}

/* Free a user entry (a struct prep_user). */
static void
prep_user_free(void *p)
{
	struct prep_user	*u = p;

	free(u->key);
	free(u->name);
	free(u->dir);
	free(u->shell);
	free(u->groups);
	free(u);
}

/* Forget every user and group looked up. */
static void
prep_users_clear(void)
{
	hmap_clear_free(&prep_by_name, prep_user_free);
	hmap_clear_free(&prep_by_uid, prep_user_free);
	hmap_clear_free(&prep_groups, prep_group_free);
	hmap_init(&prep_by_name);
	hmap_init(&prep_by_uid);
	hmap_init(&prep_groups);
}

/* Free a group entry (a struct prep_group). */
static void
prep_group_free(void *p)
{
	struct prep_group	*g = p;

	free(g->name);
	free(g);
}

/* Free a program entry (a struct prep_prog). */
static void
prep_prog_free(void *p)
{
	struct prep_prog	*pp = p;
	size_t			 i;

	for (i = 0; i < pp->ndirs; i++)
		free(pp->dirs[i]);
	free(pp->dirs);
	free(pp->stamps);
	free(pp->key);
	free(pp->path);
	free(pp);
}

/* Forget every program found. */
static void
prep_progs_clear(void)
{
	hmap_clear_free(&prep_progs, prep_prog_free);
	hmap_init(&prep_progs);
}

/* Release the caches (at exit). */
void
task_prep_cache_free(void)
{
	if (!prep_init)
		return;
	prep_users_clear();
	prep_progs_clear();
	hmap_clear(&prep_by_name);
	hmap_clear(&prep_by_uid);
	hmap_clear(&prep_groups);
	hmap_clear(&prep_progs);
	prep_init = 0;
	prep_files_gen = 0;
	memset(&prep_passwd, 0, sizeof prep_passwd);
	memset(&prep_group, 0, sizeof prep_group);
}

/* A new dispatch batch: what was kept is checked again before use. */
void
task_prep_batch(void)
{
	prep_gen++;
}

/*
 * Once per batch: if /etc/passwd or /etc/group changed, forget the users
 * and groups; and once a minute, for users and groups that come from
 * elsewhere (a directory service) and change no file.
 */
static void
prep_files_check(void)
{
	struct prep_stamp	 pw, gr;
	uint64_t		 now;

	if (!prep_init) {
		hmap_init(&prep_by_name);
		hmap_init(&prep_by_uid);
		hmap_init(&prep_groups);
		hmap_init(&prep_progs);
		prep_init = 1;
	}
	if (prep_files_gen == prep_gen)
		return;
	prep_files_gen = prep_gen;
	now = time_mono_ms();
	prep_stamp_take(PREP_PASSWD, &pw);
	prep_stamp_take(PREP_GROUP, &gr);
	if (!prep_stamp_same(&pw, &prep_passwd) ||
	    !prep_stamp_same(&gr, &prep_group) ||
	    now - prep_users_ms >= PREP_USERS_MS ||
	    prep_by_name.count + prep_by_uid.count >= PREP_CACHE_MAX ||
	    prep_groups.count >= PREP_CACHE_MAX) {
		prep_users_clear();
		prep_users_ms = now;
	}
	prep_passwd = pw;
	prep_group = gr;
}

/* Keep a user getpwnam (key) or getpwuid (key NULL) gave. */
static struct prep_user *
prep_user_new(const struct passwd *pw, const char *key)
{
	struct prep_user	*u;

	u = xcalloc(1, sizeof *u);
	u->name = xstrdup(pw->pw_name);
	u->dir = xstrdup(pw->pw_dir != NULL ? pw->pw_dir : "/");
	u->shell = xstrdup(pw->pw_shell != NULL && *pw->pw_shell != '\0' ?
	    pw->pw_shell : "/bin/sh");
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->ngroups = -1;
	if (key != NULL) {
		u->key = xstrdup(key);
		hmap_sput(&prep_by_name, u->key, u);
	} else
		hmap_iput(&prep_by_uid, u->uid, u);
	return (u);
}

/*
 * The user called name, or NULL and errno (0 or ENOENT: there is none).
 * Not finding one is not kept: the next task looks again.
 */
static struct prep_user *
prep_user_by_name(const char *name)
{
	struct prep_user	*u;
	struct passwd		*pw;

	if ((u = hmap_sget(&prep_by_name, name)) != NULL)
		return (u);
	errno = 0;
	if ((pw = getpwnam(name)) == NULL)
		return (NULL);
	return (prep_user_new(pw, name));
}

/* The user with uid, or NULL and errno as prep_user_by_name. */
static struct prep_user *
prep_user_by_uid(uid_t uid)
{
	struct prep_user	*u;
	struct passwd		*pw;

	if ((u = hmap_iget(&prep_by_uid, uid)) != NULL)
		return (u);
	errno = 0;
	if ((pw = getpwuid(uid)) == NULL)
		return (NULL);
	return (prep_user_new(pw, NULL));
}

/* The gid of the group called name: 0, or -1 and errno as above. */
static int
prep_group_by_name(const char *name, gid_t *gid)
{
	struct prep_group	*g;
	struct group		*gr;

	if ((g = hmap_sget(&prep_groups, name)) == NULL) {
		errno = 0;
		if ((gr = getgrnam(name)) == NULL)
			return (-1);
		g = xcalloc(1, sizeof *g);
		g->name = xstrdup(name);
		g->gid = gr->gr_gid;
		hmap_sput(&prep_groups, g->name, g);
	}
	*gid = g->gid;
	return (0);
}

/* The user's groups with gid as its primary one, at most max of them. */
static int
prep_user_groups(struct prep_user *u, gid_t gid, gid_t *groups, int max)
{
	int	 n;

	if (u->ngroups == -1 || u->groups_gid != gid) {
		free(u->groups);
		u->groups = xreallocarray(NULL, max, sizeof *u->groups);
		n = max;
		if (getgrouplist(u->name, gid, u->groups, &n) == -1)
			n = max;
		u->ngroups = n;
		u->groups_gid = gid;
	}
	memcpy(groups, u->groups, u->ngroups * sizeof *groups);
	return (u->ngroups);
}

/* Is the user's home a folder (checked once per batch)? */
static int
prep_user_home(struct prep_user *u)
{
	struct stat	 st;

	if (u->home_gen != prep_gen) {
		u->home_gen = prep_gen;
		u->home_ok = stat(u->dir, &st) == 0 && S_ISDIR(st.st_mode);
	}
	return (u->home_ok);
}

/* A program's key: PATH's length, PATH, then argv[0]; caller frees. */
static char *
prep_prog_key(const char *file, const char *path)
{
	char	*key;

	xasprintf(&key, "%zu:%s%s", strlen(path), path, file);
	return (key);
}

/* Are the folders a program was found through as they were? */
static int
prep_prog_valid(struct prep_prog *pp)
{
	struct prep_stamp	 st;
	size_t			 i;

	if (pp->gen == prep_gen)
		return (1);
	for (i = 0; i < pp->ndirs; i++) {
		prep_stamp_take(pp->dirs[i], &st);
		if (!prep_stamp_same(&st, &pp->stamps[i]))
			return (0);
	}
	pp->gen = prep_gen;
	return (1);
}

/*
 * spawn_resolve, with its answers kept.  What decides an answer is the
 * list of folders looked in up to the one that has the program (all of
 * PATH when none has it, which is not kept): a program added to an
 * earlier folder or taken away changes the mtime of a folder in it.  A
 * program made not executable changes none, but then execve fails and
 * says so.  A relative path with a slash is left to execve.
 */
static char *
prep_resolve(const char *file, const char *path)
{
	struct prep_prog	*pp;
	const char		*p, *end, *slash;
	char			*key, *found, *dir;
	size_t			 len, n = 0, size = 0, flen = strlen(file);
	int			 error;

	if (strchr(file, '/') != NULL && *file != '/')
		return (spawn_resolve(file, path));
	key = prep_prog_key(file, path);
	if ((pp = hmap_sget(&prep_progs, key)) != NULL) {
		if (prep_prog_valid(pp)) {
			free(key);
			return (xstrdup(pp->path));
		}
		hmap_sdel(&prep_progs, key);
		prep_prog_free(pp);
	}
	if (prep_progs.count >= PREP_CACHE_MAX)
		prep_progs_clear();

	/* The folders first, then the search: a change between is seen. */
	pp = xcalloc(1, sizeof *pp);
	pp->key = key;
	pp->gen = prep_gen;
	n = 0;
	if (*file == '/') {
		slash = strrchr(file, '/');
		dir = slash == file ? xstrdup("/") :
		    xstrndup(file, slash - file);
		pp->dirs = xcalloc(1, sizeof *pp->dirs);
		pp->stamps = xcalloc(1, sizeof *pp->stamps);
		pp->dirs[0] = dir;
		prep_stamp_take(dir, &pp->stamps[0]);
		n = 1;
	} else {
		for (p = path; ; p = end + 1) {
			end = strchrnul(p, ':');
			len = end - p;
			/* The entries spawn_resolve searches. */
			if (len != 0 && len + 1 + flen < PATH_MAX) {
				if (n == size) {
					size = size == 0 ? 8 : size * 2;
					pp->dirs = xreallocarray(pp->dirs,
					    size, sizeof *pp->dirs);
					pp->stamps = xreallocarray(pp->stamps,
					    size, sizeof *pp->stamps);
				}
				pp->dirs[n] = xstrndup(p, len);
				prep_stamp_take(pp->dirs[n], &pp->stamps[n]);
				n++;
			}
			if (*end == '\0')
				break;
		}
	}
	pp->ndirs = n;
	if ((found = spawn_resolve(file, path)) == NULL) {
		error = errno;
		prep_prog_free(pp);
		errno = error;
		return (NULL);
	}
	/* Only the folders up to the one it was found in matter. */
	if (*file != '/') {
		len = strlen(found) - flen - 1;
		for (n = 0; n < pp->ndirs; n++) {
			if (strlen(pp->dirs[n]) == len &&
			    strncmp(pp->dirs[n], found, len) == 0)
				break;
		}
		while (pp->ndirs > n + 1)
			free(pp->dirs[--pp->ndirs]);
	}
	pp->path = found;
	hmap_sput(&prep_progs, pp->key, pp);
	return (xstrdup(found));
}

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
	free(p->argv);		/* its strings are the def's and task's */
	free(p->path);
	free(p->workdir);
}

/*
 * The command with the task's arguments: after a list command's, or as
 * $1... of a shell command ($0 stays /bin/sh).  NULL without any.
 */
static char **
task_argv(const struct task *t)
{
	const struct jobdef	*def = t->def;
	char			**argv;
	size_t			 n, i, k = 0;

	if (t->params.nargs == 0)
		return (NULL);
	for (n = 0; def->argv[n] != NULL; n++)
		;
	argv = xcalloc(n + 1 + t->params.nargs + 1, sizeof *argv);
	for (i = 0; i < n; i++)
		argv[k++] = def->argv[i];
	if (def->shell)
		argv[k++] = def->argv[0];	/* $0, as without them */
	for (i = 0; i < t->params.nargs; i++)
		argv[k++] = t->params.args[i];
	return (argv);
}

/* Set each KEY=VALUE of a list. */
static void
task_env_list(struct task_prep *p, char *const *list, size_t n)
{
	char	*key, *eq;
	size_t	 k;

	for (k = 0; k < n; k++) {
		key = xstrdup(list[k]);
		if ((eq = strchr(key, '=')) != NULL) {
			*eq = '\0';
			task_env_set(p, key, eq + 1);
		}
		free(key);
	}
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
	struct prep_user	*u;
	const char		*path;
	char			 idbuf[32], *rpath;
	int			 i;
	size_t			 k;
	uid_t			 uid = sd.uid;
	gid_t			 gid;

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

	prep_files_check();
	if (def->user != NULL) {
		if ((u = prep_user_by_name(def->user)) == NULL) {
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
		if ((u = prep_user_by_uid(uid)) == NULL) {
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
	if (u->uid != sd.uid || def->group != NULL) {
		if (!sd.is_root) {
			xasprintf(cause, "could not start: cannot run as "
			    "user \"%s\": schedd is not running as root",
			    u->name);
			return (-1);
		}
		p->req.set_ids = 1;
		p->req.uid = u->uid;
		gid = u->gid;
		if (def->group != NULL &&
		    prep_group_by_name(def->group, &gid) == -1) {
			if (errno != 0 && errno != ENOENT && errno != ESRCH)
				xasprintf(cause, "could not start: looking up "
				    "group \"%s\": %s", def->group,
				    strerror(errno));
			else
				xasprintf(cause, "could not start: unknown "
				    "group \"%s\"", def->group);
			return (-1);
		}
		p->req.gid = gid;
		p->req.groups = p->groups;
		p->req.ngroups = prep_user_groups(u, gid, p->groups,
		    TASK_MAX_GROUPS);
	}

	task_env_set(p, "PATH", u->uid == 0 ? TASK_PATH_ROOT :
	    TASK_PATH_USER);
	task_env_set(p, "HOME", u->dir);
	task_env_set(p, "USER", u->name);
	task_env_set(p, "LOGNAME", u->name);
	task_env_set(p, "SHELL", u->shell);
	task_env_set(p, "SCHEDD_JOB", t->job->name);
	snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)t->id);
	task_env_set(p, "SCHEDD_TASK_ID", idbuf);
	/* The job's variables, then the task's own (see schedd.8). */
	task_env_list(p, def->env, def->nenv);
	task_env_list(p, t->params.env, t->params.nenv);

	if (def->workdir != NULL)
		p->workdir = xstrdup(def->workdir);
	else if (prep_user_home(u))
		p->workdir = xstrdup(u->dir);
	else
		p->workdir = xstrdup("/");

	path = "";
	for (k = 0; k < p->nenv; k++) {
		if (strncmp(p->envp[k], "PATH=", 5) == 0)
			path = p->envp[k] + 5;
	}
	if ((p->path = prep_resolve(def->argv[0], path)) == NULL) {
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
	/* Its result file (schedd.8 TASK RESULTS), named last: it wins. */
	if ((rpath = result_name(t, p)) != NULL) {
		task_env_set(p, "SCHEDD_RESULT", rpath);
		free(rpath);
	}
	p->req.path = p->path;
	p->argv = task_argv(t);
	p->req.argv = p->argv != NULL ? p->argv : def->argv;
	p->req.envp = p->envp;
	p->req.workdir = p->workdir;
	return (0);
}
