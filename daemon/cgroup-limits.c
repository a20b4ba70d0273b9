/* SPDX-License-Identifier: ISC */
/*
 * cgroup limits (schedd.yaml.5: the job keys memory_max to pids_max and
 * the daemon keys of the same names; schedd.8 CONTAINMENT): which
 * controllers a task's limits need, writing them into its cgroup,
 * enabling controllers for a folder's children, refusing limits whose
 * controller the daemon's cgroup does not offer, and the rule that a
 * user who is not an administrator may only tighten the daemon's
 * defaults.
 *
 * Only file writes relative to a folder descriptor: the caller (cgroup.c)
 * owns the folders, and a plain folder can stand in for a cgroup in tests.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "schedd.h"
#include "xmalloc.h"


/* Each limit's interface file in a task's cgroup and its controller. */
static const struct {
	const char	*file;
	unsigned	 controller;
} cgroup_limits_files[CGLIM_NKINDS] = {
	{ "memory.max", CGROUP_MEMORY },
	{ "memory.high", CGROUP_MEMORY },
	{ "memory.swap.max", CGROUP_MEMORY },
	{ "cpu.max", CGROUP_CPU },
	{ "cpu.weight", CGROUP_CPU },
	{ "io.weight", CGROUP_IO },
	{ "pids.max", CGROUP_PIDS },
};

static char	*cgroup_limits_text(enum cglimit_kind, uint64_t);
static void	 cgroup_limits_missing(const char *, const struct cglimit *,
		     unsigned, const char *, char ***, size_t *);

/* The controllers (CGROUP_* bits) the limits a task of def gets need. */
unsigned
cgroup_limits_needed(const struct jobdef *def, const struct settings *s)
{
	const struct cglimit	*lim;
	unsigned		 needed = 0;
	int			 k;

	for (k = 0; k < CGLIM_NKINDS; k++) {
		/* "max" is what a new cgroup has: nothing to write. */
		lim = cglimit_effective(def, s, k);
		if (lim != NULL && lim->value != CGLIM_INFINITY)
			needed |= cgroup_limits_files[k].controller;
	}
	return (needed);
}

/* A limit as its interface file takes it (cgroup-v2.rst in the kernel). */
static char *
cgroup_limits_text(enum cglimit_kind kind, uint64_t v)
{
	char	*s;

	switch (kind) {
	case CGLIM_CPU_MAX:
		xasprintf(&s, "%llu %u", (unsigned long long)v,
		    CGLIM_CPU_PERIOD_US);
		break;
	case CGLIM_IO_WEIGHT:
		xasprintf(&s, "default %llu", (unsigned long long)v);
		break;
	default:
		xasprintf(&s, "%llu", (unsigned long long)v);
		break;
	}
	return (s);
}

/*
 * Write the limits a task of def gets (its own, else the defaults of s)
 * into its cgroup, the folder dirfd.  0, or -1 and a caller-freed cause
 * naming the key, the file and the error.
 */
int
cgroup_limits_write(int dirfd, const struct jobdef *def,
    const struct settings *s, char **cause)
{
	const struct cglimit	*lim;
	char			*text;
	int			 k;

	for (k = 0; k < CGLIM_NKINDS; k++) {
		lim = cglimit_effective(def, s, k);
		if (lim == NULL || lim->value == CGLIM_INFINITY)
			continue;
		text = cgroup_limits_text(k, lim->value);
		if (cgroup_file_write(dirfd, cgroup_limits_files[k].file,
		    text) == -1) {
			xasprintf(cause, "%s: cannot write \"%s\" to %s: %s",
			    cglimit_names[k], text,
			    cgroup_limits_files[k].file, strerror(errno));
			free(text);
			return (-1);
		}
		free(text);
	}
	return (0);
}

/*
 * Enable for the children of the folder dirfd the controllers of needed
 * that it offers (its cgroup.controllers), by writing "+cpu +memory ..."
 * to its cgroup.subtree_control.  Nothing is written when none is both.
 * 0, or -1 and a caller-freed cause.
 */
int
cgroup_controllers_enable(int dirfd, unsigned needed, char **cause)
{
	char	*offered, *text = NULL, *t;
	unsigned bit, ok;

	if (needed == 0)
		return (0);
	if ((offered = cgroup_file_read(dirfd, "cgroup.controllers")) ==
	    NULL) {
		xasprintf(cause, "cannot read cgroup.controllers: %s",
		    strerror(errno));
		return (-1);
	}
	ok = cgroup_controllers_parse(offered) & needed;
	free(offered);
	for (bit = 1; bit <= CGROUP_PIDS; bit <<= 1) {
		if (!(ok & bit))
			continue;
		if (text == NULL)
			xasprintf(&text, "+%s", cgroup_controller_name(bit));
		else {
			xasprintf(&t, "%s +%s", text,
			    cgroup_controller_name(bit));
			free(text);
			text = t;
		}
	}
	if (text == NULL)
		return (0);
	if (cgroup_file_write(dirfd, "cgroup.subtree_control", text) == -1) {
		xasprintf(cause, "cannot write \"%s\" to "
		    "cgroup.subtree_control: %s", text, strerror(errno));
		free(text);
		return (-1);
	}
	free(text);
	return (0);
}

/*
 * Add to list a message for each limit of lims (a job's, or the daemon's
 * defaults) that needs a controller not offered: at FILE:LINE:COL, or at
 * "job.KEY" for a job defined at run time (file NULL).  root NULL: schedd
 * runs without cgroups.
 */
static void
cgroup_limits_missing(const char *file, const struct cglimit *lims,
    unsigned offered, const char *root, char ***list, size_t *n)
{
	const struct cglimit	*lim;
	unsigned		 bit;
	char			*where, *msg;
	int			 k;

	for (k = 0; k < CGLIM_NKINDS; k++) {
		lim = &lims[k];
		bit = cgroup_limits_files[k].controller;
		if (!lim->set || lim->value == CGLIM_INFINITY ||
		    (root != NULL && (offered & bit)))
			continue;
		if (file != NULL)
			xasprintf(&where, "%s:%d:%d", file, lim->line,
			    lim->column);
		else
			xasprintf(&where, "job.%s", cglimit_names[k]);
		if (root == NULL)
			xasprintf(&msg, "%s: %s needs cgroups; schedd runs "
			    "without them (see cgroup in schedd.yaml(5))",
			    where, cglimit_names[k]);
		else
			xasprintf(&msg, "%s: %s needs the %s controller, which "
			    "the cgroup %s does not offer", where,
			    cglimit_names[k], cgroup_controller_name(bit),
			    root);
		free(where);
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = msg;
	}
}

/*
 * Refuse a configuration with a limit (a job's, or a daemon default)
 * whose controller is not in offered, the controllers the cgroup root
 * gives its children (root NULL: schedd runs without cgroups).  0, or -1
 * and every such limit in *errors ("FILE:LINE:COL: message"; free with
 * config_errors_free).
 */
int
cgroup_limits_check(const struct config *conf, unsigned offered,
    const char *root, char ***errors, size_t *nerrors)
{
	char	**list = NULL;
	size_t	 n = 0, i;

	cgroup_limits_missing(conf->path != NULL ? conf->path : "(none)",
	    conf->settings.cglimits, offered, root, &list, &n);
	for (i = 0; i < conf->njobs; i++)
		cgroup_limits_missing(conf->jobs[i]->file,
		    conf->jobs[i]->cglimits, offered, root, &list, &n);
	if (n == 0)
		return (0);
	*errors = list;
	*nerrors = n;
	return (-1);
}

/*
 * The same for one job defined at run time ("add"): 0, or -1 and a
 * caller-freed cause ("job.memory_max: memory_max needs ...; ...").
 */
int
cgroup_limits_check_job(const struct jobdef *def, unsigned offered,
    const char *root, char **cause)
{
	char	**list = NULL, *s, *t;
	size_t	 n = 0, i;

	cgroup_limits_missing(def->file, def->cglimits, offered, root, &list,
	    &n);
	if (n == 0)
		return (0);
	s = list[0];
	for (i = 1; i < n; i++) {
		xasprintf(&t, "%s; %s", s, list[i]);
		free(s);
		free(list[i]);
		s = t;
	}
	free(list);
	*cause = s;
	return (-1);
}

/*
 * May a user who is not an administrator set def's limits?  Only
 * tighter than the daemon's defaults (s): memory, cpu_max and pids_max
 * at most the default (anything when there is none), weights at most the
 * default or, with none, the kernel's 100.  0, or -1 and a caller-freed
 * cause naming the key and the default.
 */
int
cgroup_limits_permitted(const struct jobdef *def, const struct settings *s,
    char **cause)
{
	const struct cglimit	*lim, *dflt;
	uint64_t		 bound;
	char			*have, *most;
	int			 k, weight;

	for (k = 0; k < CGLIM_NKINDS; k++) {
		lim = &def->cglimits[k];
		dflt = s != NULL && s->cglimits[k].set ? &s->cglimits[k] :
		    NULL;
		weight = k == CGLIM_CPU_WEIGHT || k == CGLIM_IO_WEIGHT;
		if (!lim->set)
			continue;
		if (dflt != NULL)
			bound = dflt->value;
		else if (weight)
			bound = CGLIM_WEIGHT_DEFAULT;
		else
			continue;
		if (lim->value <= bound)
			continue;
		have = cglimit_format(k, lim->value);
		most = cglimit_format(k, bound);
		xasprintf(cause, "%s %s is above the %sdefault %s; only an "
		    "administrator may raise it", cglimit_names[k], have,
		    dflt != NULL ? "daemon's " : "", most);
		free(have);
		free(most);
		return (-1);
	}
	return (0);
}
