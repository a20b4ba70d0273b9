/* SPDX-License-Identifier: ISC */
/*
 * Log lines about a task.  When stderr is the journal and schedd is
 * built with libsystemd, they go to the journal as entries with the
 * task's fields (SCHEDD_JOB, SCHEDD_TASK_ID, SCHEDD_STATE, and how it
 * ended); otherwise as any other line.  See schedd.8 LOGGING.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "log.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

#define TASK_LOG_FIELDS	8
#define TASK_LOG_SOCKET	"/run/systemd/journal/socket"

#ifdef HAVE_LIBSYSTEMD
static int	task_log_native(void);
static int	task_log_send(const struct task *, int, const char *,
		    va_list) __attribute__((__format__(__printf__, 3, 0)));

/*
 * May entries go to the journal's own socket?  Not when it is missing
 * (libsystemd would drop them without a word), nor with
 * SCHEDD_LOG_FIELDS=0 (schedd.8 ENVIRONMENT).  Asked once.
 */
static int
task_log_native(void)
{
	static int	 native = -1;
	const char	*s;
	struct stat	 st;

	if (native == -1) {
		s = getenv("SCHEDD_LOG_FIELDS");
		native = (s == NULL || strcmp(s, "0") != 0) &&
		    stat(TASK_LOG_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode);
	}
	return (native);
}

/*
 * One journal entry with the task's fields; -1 if it could not be sent
 * (it then goes to stderr).  Like a write to the journal's stream, the
 * send blocks while journald's queue is full.
 */
static int
task_log_send(const struct task *t, int level, const char *fmt, va_list ap)
{
	struct iovec	 iov[TASK_LOG_FIELDS];
	char		*f[TASK_LOG_FIELDS], *msg;
	int		 i, n = 0, rc;

	xvasprintf(&msg, fmt, ap);
	xasprintf(&f[n++], "MESSAGE=%s", msg);
	free(msg);
	xasprintf(&f[n++], "PRIORITY=%d", log_priority(level));
	xasprintf(&f[n++], "SYSLOG_IDENTIFIER=%s", log_procname());
	xasprintf(&f[n++], "SCHEDD_JOB=%s", t->job->name);
	xasprintf(&f[n++], "SCHEDD_TASK_ID=%llu", (unsigned long long)t->id);
	xasprintf(&f[n++], "SCHEDD_STATE=%s", task_state_name(t->state));
	if (TASK_ENDED(t->state) && t->exit_code >= 0)
		xasprintf(&f[n++], "SCHEDD_EXIT_CODE=%d", t->exit_code);
	if (TASK_ENDED(t->state) && t->signal != 0)
		xasprintf(&f[n++], "SCHEDD_SIGNAL=SIG%s",
		    signal_name(t->signal));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = f[i];
		iov[i].iov_len = strlen(f[i]);
	}
	rc = sd_journal_sendv(iov, n);
	for (i = 0; i < n; i++)
		free(f[i]);
	return (rc < 0 ? -1 : 0);
}
#endif

/*
 * Log a line about task t at level; fmt says which task as the other
 * lines do ("task 12 (backup) ...").
 */
void
task_log(const struct task *t, int level, const char *fmt, ...)
{
	va_list	 ap;
#ifdef HAVE_LIBSYSTEMD
	va_list	 ap2;
	int	 sent;

	if (log_journal(level) && task_log_native()) {
		va_start(ap2, fmt);
		sent = task_log_send(t, level, fmt, ap2);
		va_end(ap2);
		if (sent == 0)
			return;
	}
#endif
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/*
 * The one log line of an ended task, with how long it ran and how it
 * ended: a failure or a timeout at warning, with its exit code or signal,
 * a stop at notice, a success at info (schedd.8 LOGGING).
 */
void
task_log_end(const struct task *t)
{
	unsigned long long	 id = t->id;
	const char		*name = t->job->name;
	char			*d, *how;

	d = format_elapsed(t->duration_ms);
	if (t->signal != 0)
		xasprintf(&how, "killed by SIG%s", signal_name(t->signal));
	else if (t->exit_code >= 0)
		xasprintf(&how, "exit code %d", t->exit_code);
	else
		how = xstrdup("no exit status");
	switch (t->state) {
	case TASK_SUCCEEDED:
		task_log(t, LOGLEVEL_INFO, "task %llu (%s) succeeded after %s",
		    id, name, d);
		break;
	case TASK_FAILED:
		task_log(t, LOGLEVEL_WARN, "task %llu (%s) failed after %s: "
		    "%s%s%s", id, name, d, how, t->error != NULL ? ": " : "",
		    t->error != NULL ? t->error : "");
		break;
	case TASK_TIMEOUT:
		task_log(t, LOGLEVEL_WARN, "task %llu (%s) timed out after "
		    "%s: %s", id, name, d, how);
		break;
	default:
		task_log(t, LOGLEVEL_NOTICE, "task %llu (%s) %s after %s: %s",
		    id, name, task_state_name(t->state), d, how);
		break;
	}
	free(how);
	free(d);
}
