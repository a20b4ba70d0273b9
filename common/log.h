/* SPDX-License-Identifier: ISC */
/*
 * Logging to stderr or syslog, with levels; see schedd.8 LOGGING.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

#define LOGLEVEL_ERROR	0
#define LOGLEVEL_WARN	1
#define LOGLEVEL_NOTICE	2
#define LOGLEVEL_INFO	3
#define LOGLEVEL_DEBUG	4

#define ATTR_PRINTF(a, b) __attribute__((__format__(__printf__, a, b)))

void	log_init(const char *, int, int);
void	log_setlevel(int);
int	log_getlevel(void);
int	log_level_parse(const char *);
const char *log_level_name(int);
int	log_journal(int);
int	log_priority(int);
const char *log_procname(void);
void	log_vmsg(int, const char *, va_list) ATTR_PRINTF(2, 0);
void	log_error(const char *, ...) ATTR_PRINTF(1, 2);
void	log_errorx(const char *, ...) ATTR_PRINTF(1, 2);
void	log_warn(const char *, ...) ATTR_PRINTF(1, 2);
void	log_warnx(const char *, ...) ATTR_PRINTF(1, 2);
void	log_notice(const char *, ...) ATTR_PRINTF(1, 2);
void	log_info(const char *, ...) ATTR_PRINTF(1, 2);
void	log_debug(const char *, ...) ATTR_PRINTF(1, 2);
void	fatal(const char *, ...) ATTR_PRINTF(1, 2)
	    __attribute__((__noreturn__));
void	fatalx(const char *, ...) ATTR_PRINTF(1, 2)
	    __attribute__((__noreturn__));

#endif
