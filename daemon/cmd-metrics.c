/* SPDX-License-Identifier: ISC */
/*
 * metrics: the Prometheus text exposition of schedd.8 METRICS, one line
 * per string of "lines".  Its numbers are taken at once (metrics.c); the
 * text goes out a part at a time as the client reads it, so that a
 * daemon with many jobs neither holds it whole nor spends one long loop
 * turn on it.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jw.h"
#include "metrics.h"
#include "xmalloc.h"

/* An answer being written: the snapshot and a part of its text. */
struct cmd_metrics {
	struct metrics	*m;
	struct jw	 text;
};

static int	 cmd_metrics_fill(struct jw *, void *);
static void	 cmd_metrics_free(void *);

/* A part of the text, each line as a string of the list. */
static int
cmd_metrics_fill(struct jw *w, void *arg)
{
	struct cmd_metrics	*cm = arg;
	const char		*p, *end, *nl;
	int			 done;

	/* Timers come first, even within a long answer's turn. */
	sched_poll();
	jw_clear(&cm->text);
	done = metrics_text(cm->m, &cm->text, CMD_LIST_PART);
	p = cm->text.buf;
	end = p + cm->text.len;
	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		jw_text(w, p, nl - p);
		p = nl + 1;
	}
	return (done);
}

static void
cmd_metrics_free(void *arg)
{
	struct cmd_metrics	*cm = arg;

	metrics_free(cm->m);
	jw_free(&cm->text);
	free(cm);
}

static enum cmd_retval
cmd_metrics_exec(struct cmd_ctx *ctx)
{
	struct cmd_metrics	*cm;

	state_check();		/* as status: a lost state folder shows */
	cm = xcalloc(1, sizeof *cm);
	cm->m = metrics_take();
	jw_init(&cm->text);
	return (cmd_reply_list(ctx, "lines", cmd_metrics_fill,
	    cmd_metrics_free, cm));
}

const struct cmd_entry cmd_metrics_entry = {
	.name = "metrics",
	.exec = cmd_metrics_exec,
};
