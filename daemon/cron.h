/*
 * Cron expressions and one-shot times: parsing, and the next firing in a
 * job's time zone.  Pure logic: every "now" is a parameter.
 */
#ifndef CRON_H
#define CRON_H

#include <time.h>

struct cron;

int	 cron_parse(const char *, struct cron **, char **, int *);
int	 cron_next(const struct cron *, const char *, time_t, time_t *);
void	 cron_free(struct cron *);

int	 at_parse(const char *, const char *, time_t, time_t *);

#endif
