/* SPDX-License-Identifier: ISC */

/*
 * schedctl export (schedctl.1 EXPORT): jobs as the native objects of
 * another scheduler.  export.c gathers the jobs, each as the daemon's
 * "job" command describes it, and reports what cannot be carried over;
 * export-systemd.c and export-k8s.c write one job each.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

struct cron;

/* One run of export. */
struct export {
	const char	*dir;		/* systemd: the folder written */
	const char	*image;		/* kubernetes: the container image */
	time_t		 now;
	int		 dropped;	/* jobs not exported */
	char		**notes;	/* the current job's, for comments */
	size_t		 nnotes;
	json_t		*names;		/* kubernetes: names given out */
	int		 ndocs;		/* kubernetes: documents written */
};

void		 export_note(struct export *, const char *, const char *,
		     ...) __attribute__((__format__(__printf__, 3, 4)));
void		 export_drop(struct export *, const char *, const char *,
		     ...) __attribute__((__format__(__printf__, 3, 4)));
void		 export_notes_clear(struct export *);
void		 export_comments(struct export *, FILE *, const char *);
const char	*export_str(json_t *, const char *);
int		 export_int(json_t *, const char *, json_int_t *);
int		 export_true(json_t *, const char *);
struct cron	*export_cron(struct export *, const char *, const char *);
uint64_t	 export_ceil_s(json_int_t);
int		 export_step(uint64_t, int, int, int *, int *);
void		 export_set(FILE *, uint64_t, int, int, int, const char *,
		     int);

/* The day fields of a cron expression, as another scheduler reads them. */
enum export_days {
	EXPORT_DAYS_ANY,	/* every day */
	EXPORT_DAYS_AND,	/* both fields must match */
	EXPORT_DAYS_OR,		/* either field matching is enough */
};
enum export_days export_cron_days(const struct cron *);

int		 export_systemd(struct export *, json_t *);
int		 export_k8s(struct export *, json_t *);

#endif
