/* SPDX-License-Identifier: ISC */
/*
 * Metrics (schedd.8 METRICS): a snapshot, its text, and the metrics_file
 * of schedd.yaml.5 written by a helper thread.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

struct jw;
struct metrics;

/* metrics.c */
struct metrics	*metrics_take(void);
int		 metrics_text(struct metrics *, struct jw *, size_t);
void		 metrics_free(struct metrics *);
void		 metrics_label(struct jw *, const char *);

/* metrics-file.c */
void		 metrics_file_apply(void);
void		 metrics_file_stop(void);

#endif
