/*
 * Logging: stderr with a level prefix by default, syslog on request.
 * Library code logs at debug at most; the layer that decides logs once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char	*log_procname = "schedd";
static int		 log_level = LOGLEVEL_INFO;
static int		 log_syslog;

static const char *log_names[] = { "error", "warning", "info", "debug" };

static void	log_vwrite(int, const char *, va_list, int)
		    __attribute__((__format__(__printf__, 2, 0)));

/* Set the program name, level and destination. */
void
log_init(const char *procname, int level, int use_syslog)
{
	log_procname = procname;
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return (log_level);
}

/* Map a level name to its number, -1 if unknown. */
int
log_level_parse(const char *name)
{
	int	 i;

	for (i = 0; i < (int)(sizeof log_names / sizeof log_names[0]); i++) {
		if (strcmp(name, log_names[i]) == 0)
			return (i);
	}
	if (strcmp(name, "warn") == 0)
		return (LOGLEVEL_WARN);
	return (-1);
}

const char *
log_level_name(int level)
{
	if (level < 0 || level > LOGLEVEL_DEBUG)
		return ("unknown");
	return (log_names[level]);
}

static void
log_vwrite(int level, const char *fmt, va_list ap, int with_errno)
{
	static const int	 prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
				     LOG_DEBUG };
	char			 buf[4096];
	int			 saved = errno;

	if (level > log_level)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (log_syslog) {
		if (with_errno)
			syslog(prio[level], "%s: %s", buf, strerror(saved));
		else
			syslog(prio[level], "%s", buf);
	} else {
		if (with_errno)
			fprintf(stderr, "%s: %s: %s: %s\n", log_procname,
			    log_names[level], buf, strerror(saved));
		else
			fprintf(stderr, "%s: %s: %s\n", log_procname,
			    log_names[level], buf);
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_WARN, fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_WARN, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_ERROR, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
