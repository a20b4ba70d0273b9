/* SPDX-License-Identifier: ISC */
/*
 * The cgroup limits of a job or of the daemon's defaults (schedd.yaml.5
 * CGROUP LIMITS): their names, their values parsed from YAML or JSON,
 * the effective value of a job, and their JSON and text forms.
 * cgroup-limits.c writes them into a task's cgroup.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-node.h"
#include "config.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static int	 cglimit_is_max(const struct cnode *);
static int	 cglimit_parse_cpu(const struct cnode *, struct cerrs *,
		    uint64_t *);

const char *const cglimit_names[CGLIM_NKINDS] = {
	"memory_max", "memory_high", "memory_swap_max", "cpu_max",
	"cpu_weight", "io_weight", "pids_max"
};

/* Is a scalar the word "max" (no limit)? */
static int
cglimit_is_max(const struct cnode *v)
{
	return (v->type == CNODE_SCALAR && (v->style == CSCALAR_PLAIN ||
	    v->style == CSCALAR_STRING) && strlen(v->value) == v->len &&
	    strcmp(v->value, "max") == 0);
}

/*
 * cpu_max: a percentage of one CPU ("50%", "12.5%") or a number of CPUs
 * ("2", "1.5"), as microseconds per period, from 1% to every CPU.
 */
static int
cglimit_parse_cpu(const struct cnode *v, struct cerrs *errs, uint64_t *out)
{
	const char	*p;
	uint64_t	 whole = 0, frac = 0, unit, quota, top;
	size_t		 len;
	long		 ncpu;
	int		 pct, places, ndigits = 0, nfrac = 0;

	if (v->type != CNODE_SCALAR || cnode_is_null(v) ||
	    v->style == CSCALAR_BOOL) {
		if (v->type != CNODE_BAD)
			cerr_add(errs, v, "expected a percentage of one CPU or "
			    "a number of CPUs, got %s", cnode_describe(v));
		return (-1);
	}
	len = strlen(v->value);
	if (len != v->len)
		goto bad;
	/* One unit of the last decimal place kept is one microsecond. */
	pct = len > 0 && v->value[len - 1] == '%';
	unit = pct ? CGLIM_CPU_PERIOD_US / 100 : CGLIM_CPU_PERIOD_US;
	places = pct ? 3 : 5;
	for (p = v->value; isdigit((unsigned char)*p); p++) {
		if (++ndigits <= 9)
			whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (ndigits == 0)
		goto bad;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (++nfrac <= places)
				frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (nfrac == 0)
			goto bad;
	}
	if (pct ? (p[0] != '%' || p[1] != '\0') : *p != '\0')
		goto bad;
	for (; nfrac < places; nfrac++)
		frac *= 10;
	quota = whole * unit + frac;
	if ((ncpu = sysconf(_SC_NPROCESSORS_CONF)) < 1)
		ncpu = 1;
	top = (uint64_t)ncpu * CGLIM_CPU_PERIOD_US;
	if (ndigits > 9 || quota < CGLIM_CPU_PERIOD_US / 100 || quota > top) {
		cerr_add(errs, v, "must be between 1%% and %ld%% (%ld CPU%s), "
		    "got \"%s\"", ncpu * 100, ncpu, ncpu == 1 ? "" : "s",
		    v->value);
		return (-1);
	}
	*out = quota;
	return (0);
bad:
	cerr_add(errs, v, "bad cpu_max \"%s\" (expected a percentage of one "
	    "CPU like 50%%, a number of CPUs like 1.5, or max)", v->value);
	return (-1);
}

/*
 * One cgroup limit, a job key or its daemon default (config-settings.c):
 * a size or "max" for memory_*, cpu_max as above, weights 1..10000,
 * pids_max a count or "max".  Where the key is written is kept for
 * cgroup_limits_check.  0, or -1 with the problem added to errs.
 */
int
cglimit_parse(enum cglimit_kind kind, const struct cnode *k,
    const struct cnode *v, struct cerrs *errs, struct cglimit *out)
{
	uint64_t	 u = 0;
	int64_t		 n;

	if (kind != CGLIM_CPU_WEIGHT && kind != CGLIM_IO_WEIGHT &&
	    cglimit_is_max(v)) {
		u = CGLIM_INFINITY;
		goto done;
	}
	switch (kind) {
	case CGLIM_MEMORY_MAX:
	case CGLIM_MEMORY_HIGH:
	case CGLIM_MEMORY_SWAP_MAX:
		if (cnode_to_size(v, errs, &u) != 0)
			return (-1);
		if (u > INT64_MAX) {
			cerr_add(errs, v, "size \"%s\" is too large", v->value);
			return (-1);
		}
		/* No swap is a choice; no memory at all is a mistake. */
		if (u == 0 && kind != CGLIM_MEMORY_SWAP_MAX) {
			cerr_add(errs, v, "must be greater than 0");
			return (-1);
		}
		break;
	case CGLIM_CPU_MAX:
		if (cglimit_parse_cpu(v, errs, &u) != 0)
			return (-1);
		break;
	case CGLIM_CPU_WEIGHT:
	case CGLIM_IO_WEIGHT:
		if (cnode_to_int(v, errs, 1, 10000, &n) != 0)
			return (-1);
		u = (uint64_t)n;
		break;
	case CGLIM_PIDS_MAX:
		if (cnode_to_int(v, errs, 1, CGLIM_PIDS_LIMIT, &n) != 0)
			return (-1);
		u = (uint64_t)n;
		break;
	default:
		fatalx("%s: no cgroup limit %d", __func__, (int)kind);
	}
done:
	out->set = 1;
	out->value = u;
	out->line = k->line;
	out->column = k->column;
	return (0);
}

/* The cgroup limit a task of def gets: its own, or the daemon's default. */
const struct cglimit *
cglimit_effective(const struct jobdef *def, const struct settings *s,
    enum cglimit_kind kind)
{
	if (def != NULL && def->cglimits[kind].set)
		return (&def->cglimits[kind]);
	if (s != NULL && s->cglimits[kind].set)
		return (&s->cglimits[kind]);
	return (NULL);
}

/*
 * A cgroup limit as JSON, in a form jobdef_from_json reads back: bytes
 * and counts as integers, cpu_max as a percentage string, "max", or null
 * (lim NULL or unset).
 */
json_t *
cglimit_to_json(enum cglimit_kind kind, const struct cglimit *lim)
{
	json_t	*j;
	char	*s;

	if (lim == NULL || !lim->set)
		return (json_null());
	if (lim->value == CGLIM_INFINITY)
		return (json_string("max"));
	if (kind != CGLIM_CPU_MAX)
		return (json_integer((json_int_t)lim->value));
	s = cglimit_format(kind, lim->value);
	j = json_string(s);
	free(s);
	return (j);
}

/*
 * A cgroup limit in the words of schedd.yaml.5: "max", sizes with the
 * largest binary unit that divides them ("1GiB", "1536"), cpu_max as a
 * percentage of one CPU ("50%", "12.345%"), counts as numbers.
 */
char *
cglimit_format(enum cglimit_kind kind, uint64_t v)
{
	char	*s, *p;

	if (v == CGLIM_INFINITY)
		return (xstrdup("max"));
	switch (kind) {
	case CGLIM_MEMORY_MAX:
	case CGLIM_MEMORY_HIGH:
	case CGLIM_MEMORY_SWAP_MAX:
		return (format_size(v));
	case CGLIM_CPU_MAX:
		/* 1% of the period is 1000 microseconds. */
		xasprintf(&s, "%llu.%03llu", (unsigned long long)(v / 1000),
		    (unsigned long long)(v % 1000));
		p = s + strlen(s);
		while (p[-1] == '0')
			*--p = '\0';
		if (p[-1] == '.')
			*--p = '\0';
		xasprintf(&p, "%s%%", s);
		free(s);
		return (p);
	default:
		break;
	}
	xasprintf(&s, "%llu", (unsigned long long)v);
	return (s);
}
