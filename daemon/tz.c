/* SPDX-License-Identifier: ISC */
/*
 * Time zones by IANA name: validation, local time and UTC offset at an
 * instant, and the reverse mapping from a wall time to the real instants
 * that show it (none in a spring-forward gap, two in a repeated hour).
 *
 * The C library knows one zone at a time, so a zone is selected by setting
 * TZ to the zone file's full path and calling tzset().  The selection is
 * cached and never undone; see tz.h.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tz.h"
#include "xmalloc.h"

#define TZ_STEP		(7 * 3600)	/* transitions are further apart */

static int	 tz_select(const char *);
static int	 tz_wall_after(const char *, time_t, time_t, int *);

static int	 tz_started;	/* tz_orig holds TZ as it was first seen */
static char	*tz_orig;	/* NULL if TZ was unset */
static int	 tz_chosen;	/* tz_current is what TZ now says */
static char	*tz_current;	/* NULL for the process's own zone */

/* Make tz the zone the C library uses, unless it already is. */
static int
tz_select(const char *tz)
{
	const char	*s;
	char		*value;

	if (!tz_started) {
		s = getenv("TZ");
		tz_orig = s == NULL ? NULL : xstrdup(s);
		tz_started = 1;
	}
	if (tz_chosen) {
		if (tz == NULL && tz_current == NULL)
			return (0);
		if (tz != NULL && tz_current != NULL &&
		    strcmp(tz, tz_current) == 0)
			return (0);
	}
	if (tz != NULL) {
		if (!tz_valid(tz)) {
			errno = EINVAL;
			return (-1);
		}
		xasprintf(&value, ":%s/%s", TZ_DIR, tz);
		if (setenv("TZ", value, 1) != 0) {
			free(value);
			return (-1);
		}
		free(value);
	} else if (tz_orig != NULL) {
		if (setenv("TZ", tz_orig, 1) != 0)
			return (-1);
	} else if (unsetenv("TZ") != 0)
		return (-1);
	tzset();
	free(tz_current);
	tz_current = tz == NULL ? NULL : xstrdup(tz);
	tz_chosen = 1;
	return (0);
}

/* Is name a zone file under TZ_DIR, named without escaping it? */
int
tz_valid(const char *name)
{
	struct stat	 sb;
	char		 path[PATH_MAX], magic[4];
	const char	*p;
	int		 fd, ok;

	if (name == NULL || *name == '\0' || *name == '/' ||
	    strstr(name, "..") != NULL || strlen(name) > 255)
		return (0);
	for (p = name; *p != '\0'; p++) {
		if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z') &&
		    (*p < '0' || *p > '9') && strchr("/_-+", *p) == NULL)
			return (0);
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", TZ_DIR, name) >=
	    sizeof path)
		return (0);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK)) == -1)
		return (0);
	ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
	    memcmp(magic, "TZif", sizeof magic) == 0;
	close(fd);
	return (ok);
}

/* Break t down as the clocks of zone tz show it. */
int
tz_localtime(const char *tz, time_t t, struct tm *out)
{
	struct tm	 tm;

	if (tz_select(tz) != 0)
		return (-1);
	if (localtime_r(&t, &tm) == NULL) {
		errno = EOVERFLOW;
		return (-1);
	}
	*out = tm;
	return (0);
}

/* Seconds zone tz is ahead of UTC at t. */
int
tz_offset(const char *tz, time_t t, long *gmtoff)
{
	struct tm	 tm;

	if (tz_localtime(tz, t, &tm) != 0)
		return (-1);
	*gmtoff = tm.tm_gmtoff;
	return (0);
}

/* Is the wall time at t later than wall? */
static int
tz_wall_after(const char *tz, time_t t, time_t wall, int *after)
{
	long	 off;

	if (tz_offset(tz, t, &off) != 0)
		return (-1);
	*after = t + off > wall;
	return (0);
}

/*
 * Find the instants showing wall time wall in zone tz.  Each offset in
 * force within 14 hours (sampled every 7) gives one candidate, kept if
 * the zone really has that offset then.  With none, the wall time is in a
 * gap, which ends at the first instant whose wall time is later.
 */
int
tz_wall_map(const char *tz, time_t wall, struct tz_wall *out)
{
	struct tz_wall	 w;
	long		 offs[5], off;
	time_t		 t, lo, hi, mid;
	int		 i, j, n = 0, after;

	memset(&w, 0, sizeof w);
	for (i = -2; i <= 2; i++) {
		if (tz_offset(tz, wall + i * TZ_STEP, &off) != 0)
			return (-1);
		for (j = 0; j < n; j++) {
			if (offs[j] == off)
				break;
		}
		if (j == n)
			offs[n++] = off;
		if (i == -2 || off < w.off_min)
			w.off_min = off;
		if (i == -2 || off > w.off_max)
			w.off_max = off;
	}
	for (i = 0; i < n; i++) {
		t = wall - offs[i];
		if (tz_offset(tz, t, &off) != 0)
			return (-1);
		if (off != offs[i])
			continue;
		for (j = w.n; j > 0 && w.t[j - 1] > t; j--)
			w.t[j] = w.t[j - 1];
		w.t[j] = t;
		w.n++;
	}
	if (w.n == 0) {
		lo = wall - w.off_max;
		hi = wall - w.off_min;
		if (tz_wall_after(tz, hi, wall, &after) != 0)
			return (-1);
		if (after) {
			while (lo < hi) {
				mid = lo + (hi - lo) / 2;
				if (tz_wall_after(tz, mid, wall, &after) != 0)
					return (-1);
				if (after)
					hi = mid;
				else
					lo = mid + 1;
			}
			w.gap = 1;
			w.gap_end = lo;
		}
	}
	*out = w;
	return (0);
}

/*
 * The instant a local time names: its first pass if the clocks show it
 * twice, the end of the gap if they skip it.
 */
int
tz_wall_first(const char *tz, time_t wall, time_t *out)
{
	struct tz_wall	 w;

	if (tz_wall_map(tz, wall, &w) != 0)
		return (-1);
	if (w.n > 0)
		*out = w.t[0];
	else if (w.gap)
		*out = w.gap_end;
	else {
		errno = EINVAL;
		return (-1);
	}
	return (0);
}
