/* SPDX-License-Identifier: ISC */
/*
 * Logging: stderr with a level prefix by default, syslog on request.
 * When stderr is the journal ($JOURNAL_STREAM names its device and
 * inode), each line starts with its syslog priority as "<N>" instead,
 * which journald takes as the line's priority (schedd.8 LOGGING).
 * Library code logs at debug at most; the layer that decides logs once.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char	*log_name = "schedd";
static int		 log_level = LOGLEVEL_INFO;
static int		 log_syslog;
static int		 log_stream;	/* stderr is the journal */

static const char *log_names[] = {
	"error", "warning", "notice", "info", "debug"
};
static const int log_prios[] = {
	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
};

static int	log_stream_number(const char **, char,
		    unsigned long long *);
static int	log_stderr_journal(void);
static void	log_vwrite(int, const char *, va_list, int)
		    __attribute__((__format__(__printf__, 2, 0)));

/* Set the program name, level and destination. */
void
log_init(const char *procname, int level, int use_syslog)
{
	log_name = procname;
	log_level = level;
	log_syslog = use_syslog;
	log_stream = !use_syslog && log_stderr_journal();
	if (use_syslog)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* One decimal number of $JOURNAL_STREAM, ending in end; 0 or -1. */
static int
log_stream_number(const char **sp, char end, unsigned long long *n)
{
	const char	*s = *sp;

	if (*s < '0' || *s > '9')
		return (-1);
	for (*n = 0; *s >= '0' && *s <= '9'; s++) {
		if (*n > (~0ULL - 9) / 10)
			return (-1);
		*n = *n * 10 + (unsigned long long)(*s - '0');
	}
	if (*s != end)
		return (-1);
	*sp = s + 1;
	return (0);
}

/*
 * Is stderr the journal?  systemd says so with "DEVICE:INODE" of the
 * stream it connects; a descriptor inherited by something else (stderr
 * sent to a file or a terminal) is not that stream.
 */
static int
log_stderr_journal(void)
{
	const char		*s = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;

	if (s == NULL || log_stream_number(&s, ':', &dev) != 0 ||
	    log_stream_number(&s, '\0', &ino) != 0)
		return (0);
	if (fstat(STDERR_FILENO, &st) == -1)
		return (0);
	return ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino);
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

/* Is a message at level logged, to stderr, and is stderr the journal? */
int
log_journal(int level)
{
	return (log_stream && level <= log_level);
}

/* The syslog priority of a level. */
int
log_priority(int level)
{
	return (log_prios[level]);
}

const char *
log_procname(void)
{
	return (log_name);
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
	char	 buf[4096], *nl;
	int	 saved = errno;

	if (level > log_level)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	/* One message, one journal entry: no line of it without "<N>". */
	if (log_stream) {
		for (nl = buf; (nl = strchr(nl, '\n')) != NULL; nl++)
			*nl = ' ';
	}
	if (log_syslog) {
		if (with_errno)
			syslog(log_prios[level], "%s: %s", buf,
			    strerror(saved));
		else
			syslog(log_prios[level], "%s", buf);
	} else if (log_stream) {
		/* The journal knows the program; the priority says the rest. */
		if (with_errno)
			fprintf(stderr, "<%d>%s: %s\n", log_prios[level], buf,
			    strerror(saved));
		else
			fprintf(stderr, "<%d>%s\n", log_prios[level], buf);
	} else {
		if (with_errno)
			fprintf(stderr, "%s: %s: %s: %s\n", log_name,
			    log_names[level], buf, strerror(saved));
		else
			fprintf(stderr, "%s: %s: %s\n", log_name,
			    log_names[level], buf);
	}
	errno = saved;
}

/* A message at level, as log_warnx and the others write it. */
void
log_vmsg(int level, const char *fmt, va_list ap)
{
	log_vwrite(level, fmt, ap, 0);
}

void
log_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_ERROR, fmt, ap, 1);
	va_end(ap);
}

void
log_errorx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
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
log_notice(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOGLEVEL_NOTICE, fmt, ap, 0);
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
