/* SPDX-License-Identifier: ISC */
/*
 * Time zones by IANA name, for schedules evaluated in a job's own zone.
 *
 * These helpers switch the TZ environment variable and call tzset(), and
 * restore nothing: the daemon is single-threaded, and every caller that
 * needs a zone (including the process's own, as NULL) must go through them
 * rather than calling localtime() or mktime() directly.  A NULL zone means
 * the process's zone as TZ stood at the first call (possibly unset).
 *
 * A "wall time" is a local broken-down time flattened with timegm(): the
 * seconds since 1970-01-01 00:00 of the local calendar, with no zone.
 */
#ifndef TZ_H
#define TZ_H

#include <time.h>

#define TZ_DIR		"/usr/share/zoneinfo"
#define TZ_MAXPASS	5	/* most real instants one wall time may have */

/* The real instants at which a zone's clocks show one wall time. */
struct tz_wall {
	time_t		 t[TZ_MAXPASS];	/* ascending */
	int		 n;		/* 0 in a gap, 2 in a repeated hour */
	int		 gap;		/* n == 0 and the gap's end was found */
	time_t		 gap_end;	/* first valid instant after the gap */
	long		 off_min;	/* UTC offsets in force within 14h */
	long		 off_max;
};

int	 tz_valid(const char *);
int	 tz_localtime(const char *, time_t, struct tm *);
int	 tz_offset(const char *, time_t, long *);
int	 tz_wall_map(const char *, time_t, struct tz_wall *);
int	 tz_wall_first(const char *, time_t, time_t *);

#endif
