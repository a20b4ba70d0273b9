/* SPDX-License-Identifier: ISC */
/*
 * Pure helpers shared by schedd and schedctl: durations ("1h30m"),
 * sizes ("4KiB"), RFC 3339 times, job names, signals and the default
 * paths of schedd.yaml(5) and schedd(8).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "xmalloc.h"

static const struct {
	const char	*name;
	int		 number;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "SYS", SIGSYS },
};

/*
 * Parse a duration: a bare number of seconds, or one or more NUMBER UNIT
 * pairs with units ms, s, m, h, d ("1h30m").  Result in milliseconds.
 */
int
parse_duration(const char *s, uint64_t *out)
{
	uint64_t	 total = 0, n, mult;
	const char	*p = s;
	char		*end;
	int		 bare = 1;

	if (s == NULL || *s == '\0')
		goto bad;
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			goto bad;
		errno = 0;
		n = strtoull(p, &end, 10);
		if (errno != 0)
			goto range;
		p = end;
		if (*p == '\0') {
			if (!bare)
				goto bad;	/* "1h30" is ambiguous */
			mult = 1000;
		} else if (strncmp(p, "ms", 2) == 0) {
			mult = 1;
			p += 2;
		} else if (*p == 's') {
			mult = 1000;
			p++;
		} else if (*p == 'm') {
			mult = 60 * 1000;
			p++;
		} else if (*p == 'h') {
			mult = 3600 * 1000;
			p++;
		} else if (*p == 'd') {
			mult = 86400 * 1000;
			p++;
		} else
			goto bad;
		bare = 0;
		if (n > UINT64_MAX / mult || total > UINT64_MAX - n * mult)
			goto range;
		total += n * mult;
	}
	/* Keep durations well inside what timers and int64 can hold. */
	if (total > (uint64_t)100 * 365 * 86400 * 1000)
		goto range;
	*out = total;
	return (0);
range:
	errno = ERANGE;
	return (-1);
bad:
	errno = EINVAL;
	return (-1);
}

/* Parse a size: bytes, or with a K/M/G unit (KiB, KB and K all 1024). */
int
parse_size(const char *s, uint64_t *out)
{
	uint64_t	 n, mult = 1;
	char		*end;

	if (s == NULL || !isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return (-1);
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return (-1);
	if (*end == '\0' || strcmp(end, "B") == 0)
		mult = 1;
	else if (strcmp(end, "K") == 0 || strcmp(end, "KB") == 0 ||
	    strcmp(end, "KiB") == 0 || strcmp(end, "k") == 0)
		mult = 1024;
	else if (strcmp(end, "M") == 0 || strcmp(end, "MB") == 0 ||
	    strcmp(end, "MiB") == 0)
		mult = 1024 * 1024;
	else if (strcmp(end, "G") == 0 || strcmp(end, "GB") == 0 ||
	    strcmp(end, "GiB") == 0)
		mult = 1024 * 1024 * 1024;
	else if (strcmp(end, "T") == 0 || strcmp(end, "TB") == 0 ||
	    strcmp(end, "TiB") == 0)
		mult = (uint64_t)1024 * 1024 * 1024 * 1024;
	else {
		errno = EINVAL;
		return (-1);
	}
	if (n > UINT64_MAX / mult) {
		errno = ERANGE;
		return (-1);
	}
	*out = n * mult;
	return (0);
}

/*
 * A duration in milliseconds, short, for people and logs: "250ms",
 * "1.0s", "3m4s", "2h5m".
 */
char *
format_elapsed(int64_t ms)
{
	long long	 v = ms < 0 ? 0 : (long long)ms;
	char		*out;

	if (v < 1000)
		xasprintf(&out, "%lldms", v);
	else if (v < 60000)
		xasprintf(&out, "%lld.%llds", v / 1000, v % 1000 / 100);
	else if (v < 3600000)
		xasprintf(&out, "%lldm%llds", v / 60000, v % 60000 / 1000);
	else if (v < 86400000)
		xasprintf(&out, "%lldh%lldm", v / 3600000,
		    v % 3600000 / 60000);
	else
		xasprintf(&out, "%lldd%lldh", v / 86400000,
		    v % 86400000 / 3600000);
	return (out);
}

/*
 * Format bytes the way sizes are written: with the largest binary unit
 * that divides them ("4KiB", "1GiB"), else as a number ("1536").
 */
char *
format_size(uint64_t v)
{
	static const char	*units[] = { "TiB", "GiB", "MiB", "KiB" };
	uint64_t		 div = (uint64_t)1 << 40;
	char			*s;
	size_t			 i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (v != 0 && v % div == 0) {
			xasprintf(&s, "%llu%s", (unsigned long long)(v / div),
			    units[i]);
			return (s);
		}
		div >>= 10;
	}
	xasprintf(&s, "%llu", (unsigned long long)v);
	return (s);
}

/* Format milliseconds the way durations are written ("1h30m", "250ms"). */
char *
format_duration(uint64_t ms)
{
	char		 buf[128];
	size_t		 len = 0;
	uint64_t	 d, h, m, s;

	if (ms == 0)
		return (xstrdup("0s"));
	d = ms / 86400000;
	h = ms / 3600000 % 24;
	m = ms / 60000 % 60;
	s = ms / 1000 % 60;
	ms %= 1000;
	buf[0] = '\0';
	if (d)
		len += snprintf(buf + len, sizeof buf - len, "%llud",
		    (unsigned long long)d);
	if (h)
		len += snprintf(buf + len, sizeof buf - len, "%lluh",
		    (unsigned long long)h);
	if (m)
		len += snprintf(buf + len, sizeof buf - len, "%llum",
		    (unsigned long long)m);
	if (s)
		len += snprintf(buf + len, sizeof buf - len, "%llus",
		    (unsigned long long)s);
	if (ms)
		snprintf(buf + len, sizeof buf - len, "%llums",
		    (unsigned long long)ms);
	return (xstrdup(buf));
}

/* Is this a valid job name: [A-Za-z_][A-Za-z0-9_.@-]{0,63}? */
int
name_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= NAME_MAX_LEN)
			return (0);
		if ((s[i] & 0x80) != 0)
			return (0);
		if (!isalnum((unsigned char)s[i]) && strchr("_.@-", s[i]) ==
		    NULL)
			return (0);
	}
	return (1);
}

/* Is this a name schedd sets in an environment: [A-Za-z_][A-Za-z0-9_]*? */
int
env_name_valid(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return (0);
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			return (0);
	}
	return (1);
}

/* A signal from "TERM", "SIGTERM" or "15"; -1 if unknown. */
int
signal_parse(const char *s)
{
	size_t	 i;
	char	*end;
	long	 n;

	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n >= NSIG)
			return (-1);
		return ((int)n);
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (strcasecmp(s, signals[i].name) == 0)
			return (signals[i].number);
	}
	return (-1);
}

/* The name of a signal without its SIG prefix ("TERM"). */
const char *
signal_name(int sig)
{
	size_t	 i;

	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (signals[i].number == sig)
			return (signals[i].name);
	}
	return ("UNKNOWN");
}

/* Milliseconds on the monotonic clock. */
uint64_t
time_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

void
time_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

static int	(*time_local)(time_t, struct tm *);

/*
 * Have time_format use this instead of localtime_r (the daemon switches
 * TZ for job time zones, so it must name its own zone explicitly).
 */
void
time_set_local(int (*fn)(time_t, struct tm *))
{
	time_local = fn;
}

/* RFC 3339 with milliseconds and the local offset; caller frees. */
char *
time_format(const struct timespec *ts)
{
	char	 buf[TIME_FORMAT_MAX];

	time_format_buf(ts, buf);
	return (xstrdup(buf));
}

/* Two digits of v at p. */
static void
time_put2(char *p, int v)
{
	p[0] = '0' + v / 10;
	p[1] = '0' + v % 10;
}

/*
 * time_format into buf (TIME_FORMAT_MAX bytes), without allocating: for
 * answers that hold many times.  Returns the length.
 */
size_t
time_format_buf(const struct timespec *ts, char *buf)
{
	struct tm	 tm;
	long		 off;
	int		 year;
	char		*p;

	if (time_local == NULL || time_local(ts->tv_sec, &tm) != 0)
		localtime_r(&ts->tv_sec, &tm);
	off = tm.tm_gmtoff / 60;
	year = tm.tm_year + 1900;
	if (year < 1000 || year > 9999 || labs(off) / 60 > 99) {
		p = buf + strftime(buf, TIME_FORMAT_MAX, "%Y-%m-%dT%H:%M:%S",
		    &tm);
		return (p - buf + snprintf(p, TIME_FORMAT_MAX - (p - buf),
		    ".%03ld%c%02ld:%02ld", ts->tv_nsec / 1000000,
		    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60));
	}
	/* YYYY-MM-DDTHH:MM:SS.mmm+HH:MM */
	time_put2(buf, year / 100);
	time_put2(buf + 2, year % 100);
	buf[4] = '-';
	time_put2(buf + 5, tm.tm_mon + 1);
	buf[7] = '-';
	time_put2(buf + 8, tm.tm_mday);
	buf[10] = 'T';
	time_put2(buf + 11, tm.tm_hour);
	buf[13] = ':';
	time_put2(buf + 14, tm.tm_min);
	buf[16] = ':';
	time_put2(buf + 17, tm.tm_sec);
	buf[19] = '.';
	buf[20] = '0' + ts->tv_nsec / 100000000 % 10;
	time_put2(buf + 21, (int)(ts->tv_nsec / 1000000 % 100));
	buf[23] = off < 0 ? '-' : '+';
	time_put2(buf + 24, (int)(labs(off) / 60));
	buf[26] = ':';
	time_put2(buf + 27, (int)(labs(off) % 60));
	buf[29] = '\0';
	return (29);
}

static int
time_mdays(int y, int m)
{
	static const int	 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				     31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (days[m - 1]);
}

static int
time_digits(const char **p, int n, int *out)
{
	int	 v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return (-1);
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return (0);
}

/* Is t within the times schedd handles (TIME_SEC_MIN to TIME_SEC_MAX)? */
int
time_in_range(time_t t)
{
	return (t >= TIME_SEC_MIN && t <= TIME_SEC_MAX);
}

/*
 * Parse a TIME: "2026-12-01T09:00[:00][.fff]" in local time, with "Z" or
 * "+01:00" for an explicit offset, or "09:00[:00]" for the next such local
 * time after now.  A time outside TIME_SEC_MIN..TIME_SEC_MAX is refused
 * with ERANGE.
 */
int
time_parse(const char *s, time_t now, struct timespec *out)
{
	struct tm	 tm;
	const char	*p = s;
	int		 Y, M, D, h, m, sec = 0, oh, om, sign;
	long		 nsec = 0, scale;
	time_t		 t;

	memset(&tm, 0, sizeof tm);
	if (strlen(s) <= 8 && strchr(s, ':') != NULL) {
		if (time_digits(&p, 2, &h) != 0 || *p++ != ':' ||
		    time_digits(&p, 2, &m) != 0)
			goto bad;
		if (*p == ':' && (p++, time_digits(&p, 2, &sec) != 0))
			goto bad;
		if (*p != '\0' || h > 23 || m > 59 || sec > 59)
			goto bad;
		localtime_r(&now, &tm);
		tm.tm_hour = h;
		tm.tm_min = m;
		tm.tm_sec = sec;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == -1)
			goto bad;
		if (t <= now) {
			localtime_r(&now, &tm);
			tm.tm_mday++;
			tm.tm_hour = h;
			tm.tm_min = m;
			tm.tm_sec = sec;
			tm.tm_isdst = -1;
			if ((t = mktime(&tm)) == -1)
				goto bad;
		}
		if (!time_in_range(t))
			goto range;
		out->tv_sec = t;
		out->tv_nsec = 0;
		return (0);
	}
	if (time_digits(&p, 4, &Y) != 0 || *p++ != '-' ||
	    time_digits(&p, 2, &M) != 0 || *p++ != '-' ||
	    time_digits(&p, 2, &D) != 0 || (*p != 'T' && *p != ' ' &&
	    *p != 't'))
		goto bad;
	p++;
	if (time_digits(&p, 2, &h) != 0 || *p++ != ':' ||
	    time_digits(&p, 2, &m) != 0)
		goto bad;
	if (*p == ':') {
		p++;
		if (time_digits(&p, 2, &sec) != 0)
			goto bad;
		if (*p == '.') {
			p++;
			for (scale = 100000000; isdigit((unsigned char)*p);
			    p++, scale /= 10)
				nsec += (*p - '0') * scale;
		}
	}
	if (M < 1 || M > 12 || D < 1 || D > time_mdays(Y, M) || h > 23 ||
	    m > 59 || sec > 59)
		goto bad;
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	if (*p == '\0') {
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == -1)
			goto bad;
	} else {
		if (*p == 'Z' || *p == 'z') {
			p++;
			oh = om = 0;
			sign = 1;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (time_digits(&p, 2, &oh) != 0 || *p++ != ':' ||
			    time_digits(&p, 2, &om) != 0)
				goto bad;
		} else
			goto bad;
		if (*p != '\0' || oh > 23 || om > 59)
			goto bad;
		if ((t = timegm(&tm)) == -1)
			goto bad;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (!time_in_range(t))
		goto range;
	out->tv_sec = t;
	out->tv_nsec = nsec;
	return (0);
range:
	errno = ERANGE;
	return (-1);
bad:
	errno = EINVAL;
	return (-1);
}

/*
 * Read a whole regular file name of the folder dirfd, never through a
 * symbolic link (nor waiting on a FIFO); NUL-terminated, caller frees.
 * NULL and errno on failure: ENOENT none, ELOOP a link, EINVAL not a
 * regular file.
 */
char *
file_read_at(int dirfd, const char *name, size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	size_t		 off;
	int		 fd, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return (NULL);
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (NULL);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return (NULL);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	off = fd_read_full(fd, buf, (size_t)st.st_size);
	close(fd);
	buf[off] = '\0';
	*lenp = off;
	return (buf);
}

/*
 * Read fd into buf until its end or cap bytes, going on after signals;
 * the number of bytes read.  An error ends the read like the end does.
 */
size_t
fd_read_full(int fd, char *buf, size_t cap)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < cap) {
		n = read(fd, buf + off, cap - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	return (off);
}

/* Create a folder and its parents; existing ones are fine. */
int
mkdir_p(const char *path, mode_t mode)
{
	char	*copy, *p;
	int	 rc = 0;

	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, mode) == -1 && errno != EEXIST)
		rc = -1;
	free(copy);
	return (rc);
}

static const char *
path_home(uid_t uid)
{
	struct passwd	*pw;
	const char	*home;

	if ((home = getenv("HOME")) != NULL && *home == '/')
		return (home);
	if ((pw = getpwuid(uid)) != NULL)
		return (pw->pw_dir);
	return ("/");
}

/* Default control socket for a uid (schedd(8) FILES). */
char *
path_default_socket(uid_t uid)
{
	const char	*xdg;
	char		*s;

	if (uid == 0)
		return (xstrdup("/run/schedd/schedd.sock"));
	if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && *xdg == '/')
		xasprintf(&s, "%s/schedd/schedd.sock", xdg);
	else
		xasprintf(&s, "/tmp/schedd-%u/schedd.sock", (unsigned)uid);
	return (s);
}

/*
 * A per-user path under an XDG base folder ($ENV, else ~/HOME_REL), or the
 * system path for root.
 */
static char *
path_xdg(uid_t uid, const char *root, const char *env, const char *home_rel,
    const char *leaf)
{
	const char	*xdg;
	char		*s;

	if (uid == 0)
		return (xstrdup(root));
	if ((xdg = getenv(env)) != NULL && *xdg == '/')
		xasprintf(&s, "%s/%s", xdg, leaf);
	else
		xasprintf(&s, "%s/%s/%s", path_home(uid), home_rel, leaf);
	return (s);
}

/* Default state folder for a uid. */
char *
path_default_state(uid_t uid)
{
	return (path_xdg(uid, "/var/lib/schedd", "XDG_STATE_HOME",
	    ".local/state", "schedd"));
}

/* Default configuration file; optional when not root. */
char *
path_default_config(uid_t uid)
{
	return (path_xdg(uid, "/etc/schedd/schedd.yaml", "XDG_CONFIG_HOME",
	    ".config", "schedd/schedd.yaml"));
}
