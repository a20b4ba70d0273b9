/* SPDX-License-Identifier: ISC */
/*
 * Small pure helpers both programs use: durations, sizes, times, names,
 * default paths.
 */
#ifndef UTIL_H
#define UTIL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NAME_MAX_LEN	64
/* What name_valid accepts, in words (schedd.yaml.5 JOBS). */
#define NAME_RULE	"letters, digits and _.@-, not starting with a " \
			"digit or one of .@-, at most 64 characters"
#define TIME_FORMAT_MAX	64	/* time_format_buf's buffer */

int	 parse_duration(const char *, uint64_t *);
int	 parse_size(const char *, uint64_t *);
char	*format_duration(uint64_t);
char	*format_size(uint64_t);
char	*format_elapsed(int64_t);
int	 name_valid(const char *);
int	 env_name_valid(const char *);
int	 signal_parse(const char *);
const char *signal_name(int);

uint64_t time_mono_ms(void);
void	 time_now(struct timespec *);
char	*time_format(const struct timespec *);
size_t	 time_format_buf(const struct timespec *, char *);
void	 time_set_local(int (*)(time_t, struct tm *));
int	 time_parse(const char *, time_t, struct timespec *);
int	 time_in_range(time_t);

/*
 * The instants schedd handles, 1970-01-01 to 9999-12-31 UTC (see TIME in
 * schedd.yaml(5)): parsers refuse others with ERANGE, so the arithmetic
 * on them never overflows.
 */
#define TIME_SEC_MIN	((time_t)0)
#define TIME_SEC_MAX	((time_t)253402300799LL) /* 9999-12-31 23:59:59 */
#define TIME_RANGE_TEXT	"1970-01-01 to 9999-12-31 UTC"

char	*path_default_socket(uid_t);
char	*path_default_state(uid_t);
char	*path_default_config(uid_t);
int	 mkdir_p(const char *, mode_t);
char	*file_read_at(int, const char *, size_t *);
size_t	 fd_read_full(int, char *, size_t);

#endif
