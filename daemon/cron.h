/* SPDX-License-Identifier: ISC */
/*
 * Cron expressions and one-shot times: parsing, and the next firing in a
 * job's time zone.  Pure logic: every "now" is a parameter.  schedctl
 * links this file and tz.c too (schedctl export).
 */
#ifndef CRON_H
#define CRON_H

#include <stdint.h>
#include <time.h>

/*
 * A parsed expression: bit sets of the values each field matches.  Also
 * read by schedctl export, which writes them in other schedulers' terms.
 */
struct cron {
	uint64_t	 minutes;	/* bit n set: minute n matches */
	uint64_t	 hours;
	uint64_t	 mdays;		/* bits 1-31 */
	uint64_t	 months;	/* bits 1-12 */
	uint64_t	 wdays;		/* bits 0-6, 0 is Sunday */
	int		 dom_star;	/* the field starts with "*" */
	int		 dow_star;
	int		 hour_star;
};

int	 cron_parse(const char *, struct cron **, char **, int *);
int	 cron_next(const struct cron *, const char *, time_t, time_t *);
void	 cron_free(struct cron *);

int	 at_parse(const char *, const char *, time_t, time_t *);

#endif
