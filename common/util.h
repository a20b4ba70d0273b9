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

int	 parse_duration(const char *, uint64_t *);
int	 parse_size(const char *, uint64_t *);
char	*format_duration(uint64_t);
int	 name_valid(const char *);
int	 signal_parse(const char *);
const char *signal_name(int);

uint64_t time_mono_ms(void);
void	 time_now(struct timespec *);
char	*time_format(const struct timespec *);
void	 time_set_local(int (*)(time_t, struct tm *));
int	 time_parse(const char *, time_t, struct timespec *);

char	*path_default_socket(uid_t);
char	*path_default_state(uid_t);
char	*path_default_config(uid_t);
int	 mkdir_p(const char *, mode_t);

#endif
