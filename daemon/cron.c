/* SPDX-License-Identifier: ISC */
/*
 * Cron expressions: five fields or an @ shortcut, parsed into bit sets,
 * and the next firing worked out in a job's time zone with cron's DST rule.
 * Also the one-shot TIME forms of "at".
 *
 * Firings are found by walking matching wall times (see tz.h) in ascending
 * order and mapping each to the real instants that show it.  A job whose
 * hour field starts with "*" follows real time: every instant showing a
 * matching wall time fires, so both passes of a repeated hour do and a
 * skipped hour does not.  Any other job fires at the first pass of a
 * repeated time only, and a matching wall time in a gap fires at the gap's
 * end.  Firings are a set of instants: however many matching wall times
 * lead to one instant, it fires once.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cron.h"
#include "tz.h"
#include "util.h"
#include "xmalloc.h"

#define CRON_FIELDS	5
#define CRON_YEARS	9	/* give up looking this far ahead */
#define CRON_SAMPLE	(7 * 3600)
#define CRON_WALL_SLACK	(26 * 3600)	/* wall times run this far ahead */

struct cron_field {
	const char		*name;
	int			 min;
	int			 max;
	int			 open_max;	/* where "*" ends (a/n: max) */
	const char *const	*names;		/* names[i] is min + i */
	const char		*kind;		/* what those names are */
};

struct cron_parser {
	const char	*expr;
	char		*cause;
	int		 column;
};

static int	 cron_error(struct cron_parser *, const char *, const char *,
		     ...) __attribute__((__format__(__printf__, 3, 4)));
static int	 cron_value(struct cron_parser *, const struct cron_field *,
		     const char **, const char *, int *);
static int	 cron_element(struct cron_parser *, const struct cron_field *,
		     const char *, const char *, uint64_t *);
static int	 cron_field(struct cron_parser *, const struct cron_field *,
		     const char *, const char *, uint64_t *);
static int	 cron_fields(struct cron_parser *, const char *,
		     struct cron *);
static int	 cron_shortcut(struct cron_parser *, const char *,
		     struct cron *);
static int	 cron_bit_next(uint64_t, int);
static int	 cron_day_match(const struct cron *, const struct tm *);
static int	 cron_wall_next(const struct cron *, time_t, time_t, time_t *);
static int	 at_digits(const char **, int, int *);
static int	 at_clock(const char **, int *, int *, int *);
static int	 at_mdays(int, int);

static const char *const cron_months[] = { "jan", "feb", "mar", "apr",
    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const cron_days[] = { "sun", "mon", "tue", "wed", "thu",
    "fri", "sat", NULL };

static const struct cron_field cron_table[CRON_FIELDS] = {
	{ "minute", 0, 59, 59, NULL, NULL },
	{ "hour", 0, 23, 23, NULL, NULL },
	{ "day-of-month", 1, 31, 31, NULL, NULL },
	{ "month", 1, 12, 12, cron_months, "month" },
	{ "day-of-week", 0, 7, 6, cron_days, "day" },
};

static const struct {
	const char	*name;
	const char	*expr;
} cron_shortcuts[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* Longest month lengths, February as in a leap year. */
static const int cron_mlen[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30,
    31, 30, 31 };

/* Record a parse error found at at; always returns -1. */
static int
cron_error(struct cron_parser *p, const char *at, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	xvasprintf(&p->cause, fmt, ap);
	va_end(ap);
	p->column = (int)(at - p->expr) + 1;
	return (-1);
}

/* Read one number or name at *s (before e), moving *s past it. */
static int
cron_value(struct cron_parser *p, const struct cron_field *f,
    const char **s, const char *e, int *out)
{
	const char	*start = *s, *q = *s;
	int		 i, n = 0, len;

	if (q < e && isdigit((unsigned char)*q)) {
		for (; q < e && isdigit((unsigned char)*q); q++) {
			if (n < 100000)
				n = n * 10 + (*q - '0');
		}
		len = (int)(q - start);
		if (n < f->min || n > f->max)
			return (cron_error(p, start, "%s %.*s is out of range "
			    "%d-%d", f->name, len, start, f->min, f->max));
	} else if (q < e && isalpha((unsigned char)*q)) {
		while (q < e && isalpha((unsigned char)*q))
			q++;
		len = (int)(q - start);
		if (f->names == NULL)
			return (cron_error(p, start, "%s \"%.*s\" is not a "
			    "number", f->name, len, start));
		for (i = 0; f->names[i] != NULL; i++) {
			if (len == 3 && strncasecmp(f->names[i], start, 3) == 0)
				break;
		}
		if (f->names[i] == NULL)
			return (cron_error(p, start, "unknown %s name \"%.*s\"",
			    f->kind, len, start));
		n = f->min + i;
	} else if (q == e)
		return (cron_error(p, q, "missing number in %s field",
		    f->name));
	else if (isprint((unsigned char)*q))
		return (cron_error(p, q, "unexpected \"%c\" in %s field", *q,
		    f->name));
	else
		return (cron_error(p, q, "unexpected byte 0x%02x in %s field",
		    (unsigned char)*q, f->name));
	*s = q;
	*out = n;
	return (0);
}

/* Parse one list item, "*", "a" or "a-b" with an optional "/step". */
static int
cron_element(struct cron_parser *p, const struct cron_field *f,
    const char *s, const char *e, uint64_t *bits)
{
	const char	*q = s, *st;
	int		 lo, hi, step = 1, single = 0, v;

	if (*q == '*') {
		q++;
		lo = f->min;
		hi = f->open_max;
	} else {
		if (cron_value(p, f, &q, e, &lo) != 0)
			return (-1);
		if (q < e && *q == '-') {
			st = ++q;
			if (cron_value(p, f, &q, e, &hi) != 0)
				return (-1);
			/* "fri-sun" means Friday to Sunday. */
			if (f->names == cron_days && hi == 0 && lo > 0 &&
			    isalpha((unsigned char)*st))
				hi = 7;
			if (hi < lo)
				return (cron_error(p, s, "range %.*s is "
				    "backwards", (int)(q - s), s));
		} else {
			hi = lo;
			single = 1;
		}
	}
	if (q < e && *q == '/') {
		st = ++q;
		step = 0;
		for (q = st; q < e && isdigit((unsigned char)*q); q++) {
			if (step < 100000)
				step = step * 10 + (*q - '0');
		}
		if (q == st || q != e)
			return (cron_error(p, st, "bad step \"%.*s\" in "
			    "\"%.*s\"", (int)(e - st), st, (int)(e - s), s));
		if (step == 0)
			return (cron_error(p, s, "step 0 in \"%.*s\"",
			    (int)(e - s), s));
		if (step > f->open_max - f->min)
			return (cron_error(p, s, "step %.*s in \"%.*s\" is out "
			    "of range 1-%d", (int)(e - st), st, (int)(e - s),
			    s, f->open_max - f->min));
		/*
		 * "a/n" runs from a to the field's end (schedd.yaml(5)); in
		 * day-of-week that is 7, so Sunday is reached too.
		 */
		if (single)
			hi = f->max;
	}
	if (q != e) {
		if (isprint((unsigned char)*q))
			return (cron_error(p, q, "unexpected \"%c\" in %s "
			    "field", *q, f->name));
		return (cron_error(p, q, "unexpected byte 0x%02x in %s field",
		    (unsigned char)*q, f->name));
	}
	for (v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << v;
	return (0);
}

/* Parse one field, a comma list of items, into a bit set. */
static int
cron_field(struct cron_parser *p, const struct cron_field *f,
    const char *s, const char *e, uint64_t *bits)
{
	const char	*q = s, *c;

	*bits = 0;
	for (;;) {
		if ((c = memchr(q, ',', e - q)) == NULL)
			c = e;
		if (c == q)
			return (cron_error(p, q, "empty item in %s list",
			    f->name));
		if (cron_element(p, f, q, c, bits) != 0)
			return (-1);
		if (c == e)
			break;
		q = c + 1;
	}
	if (f->names == cron_days && (*bits & ((uint64_t)1 << 7))) {
		*bits &= ~((uint64_t)1 << 7);
		*bits |= 1;
	}
	return (0);
}

/* Parse the five fields of s and refuse a day that can never come. */
static int
cron_fields(struct cron_parser *p, const char *s, struct cron *c)
{
	const char	*start[CRON_FIELDS], *end[CRON_FIELDS], *six = NULL;
	uint64_t	 bits[CRON_FIELDS];
	int		 n = 0, i, m, d;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (n < CRON_FIELDS)
			start[n] = s;
		else if (n == CRON_FIELDS)
			six = s;
		while (*s != '\0' && !isspace((unsigned char)*s))
			s++;
		if (n < CRON_FIELDS)
			end[n] = s;
		n++;
	}
	if (n != CRON_FIELDS)
		return (cron_error(p, six != NULL ? six : p->expr,
		    "expected 5 fields, got %d", n));
	for (i = 0; i < CRON_FIELDS; i++) {
		if (cron_field(p, &cron_table[i], start[i], end[i],
		    &bits[i]) != 0)
			return (-1);
	}
	c->minutes = bits[0];
	c->hours = bits[1];
	c->mdays = bits[2];
	c->months = bits[3];
	c->wdays = bits[4];
	c->hour_star = *start[1] == '*';
	c->dom_star = *start[2] == '*';
	c->dow_star = *start[4] == '*';

	if (c->dom_star || !c->dow_star)
		return (0);
	for (m = 1; m <= 12; m++) {
		if (!(c->months & ((uint64_t)1 << m)))
			continue;
		for (d = 1; d <= cron_mlen[m]; d++) {
			if (c->mdays & ((uint64_t)1 << d))
				return (0);
		}
	}
	return (cron_error(p, start[2], "never matches: day-of-month \"%.*s\" "
	    "does not occur in month \"%.*s\"", (int)(end[2] - start[2]),
	    start[2], (int)(end[3] - start[3]), start[3]));
}

/* Parse an @ shortcut at s, alone but for spaces. */
static int
cron_shortcut(struct cron_parser *p, const char *s, struct cron *c)
{
	struct cron_parser	 sub;
	const char		*e = s, *rest;
	size_t			 i, len;

	while (*e != '\0' && !isspace((unsigned char)*e))
		e++;
	len = e - s;
	for (rest = e; isspace((unsigned char)*rest); rest++)
		/* nothing */;
	if (*rest != '\0')
		return (cron_error(p, rest, "unexpected \"%s\" after \"%.*s\"",
		    rest, (int)len, s));
	for (i = 0; i < sizeof cron_shortcuts / sizeof cron_shortcuts[0];
	    i++) {
		if (strlen(cron_shortcuts[i].name) == len &&
		    strncasecmp(cron_shortcuts[i].name, s, len) == 0)
			break;
	}
	if (i == sizeof cron_shortcuts / sizeof cron_shortcuts[0])
		return (cron_error(p, s, "unknown shortcut \"%.*s\"", (int)len,
		    s));
	memset(&sub, 0, sizeof sub);
	sub.expr = cron_shortcuts[i].expr;
	if (cron_fields(&sub, sub.expr, c) != 0) {
		/* Cannot happen: the table is fixed. */
		free(sub.cause);
		return (cron_error(p, s, "bad shortcut \"%.*s\"", (int)len, s));
	}
	return (0);
}

/*
 * Parse a cron expression.  On failure, *cause (caller frees) says why and
 * *column is where, 1-based within expr.
 */
int
cron_parse(const char *expr, struct cron **out, char **cause, int *column)
{
	struct cron_parser	 p;
	struct cron		 c;
	const char		*s = expr;
	int			 rc;

	memset(&p, 0, sizeof p);
	memset(&c, 0, sizeof c);
	p.expr = expr;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '@')
		rc = cron_shortcut(&p, s, &c);
	else
		rc = cron_fields(&p, s, &c);
	if (rc != 0) {
		if (cause != NULL)
			*cause = p.cause;
		else
			free(p.cause);
		if (column != NULL)
			*column = p.column;
		return (-1);
	}
	*out = xmalloc(sizeof **out);
	**out = c;
	return (0);
}

/* Free a parsed expression. */
void
cron_free(struct cron *c)
{
	free(c);
}

/* First bit at or above from, or -1. */
static int
cron_bit_next(uint64_t bits, int from)
{
	bits >>= from;
	if (bits == 0)
		return (-1);
	return (from + __builtin_ctzll(bits));
}

/* Does the day of tm match, by cron's either-or rule for two day fields? */
static int
cron_day_match(const struct cron *c, const struct tm *tm)
{
	int	 dom, dow;

	dom = (c->mdays >> tm->tm_mday) & 1;
	dow = (c->wdays >> tm->tm_wday) & 1;
	if (!c->dom_star && !c->dow_star)
		return (dom || dow);
	return (dom && dow);
}

/* First matching wall time at or after from, not beyond limit. */
static int
cron_wall_next(const struct cron *c, time_t from, time_t limit, time_t *out)
{
	struct tm	 tm;
	time_t		 w = from, day;
	int		 r, h, m;

	r = (int)(((w % 60) + 60) % 60);
	if (r != 0)
		w += 60 - r;
	while (w <= limit) {
		if (gmtime_r(&w, &tm) == NULL)
			return (-1);
		day = w - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
		if (!((c->months >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
			w = timegm(&tm);
			continue;
		}
		if (!cron_day_match(c, &tm)) {
			w = day + 86400;
			continue;
		}
		if ((h = cron_bit_next(c->hours, tm.tm_hour)) == -1) {
			w = day + 86400;
			continue;
		}
		if (h != tm.tm_hour) {
			w = day + h * 3600;
			continue;
		}
		if ((m = cron_bit_next(c->minutes, tm.tm_min)) == -1) {
			w = day + (h + 1) * 3600;
			continue;
		}
		*out = day + h * 3600 + m * 60;
		return (0);
	}
	return (-1);
}

/*
 * The first firing strictly after after, in zone tz (NULL: the process's).
 * Matching wall times are walked from the earliest that could show after
 * after; once one fires, later wall times are looked at only while their
 * instants could still come before it (in a repeated hour they can).
 * Firings are looked for up to TIME_SEC_MAX only: ENOENT when there is
 * none by then (or within CRON_YEARS), ERANGE for an after outside it.
 */
int
cron_next(const struct cron *c, const char *tz, time_t after, time_t *out)
{
	struct tz_wall	 m;
	time_t		 w, limit, best = 0, t;
	long		 off, lo = 0, omax = LONG_MIN;
	int		 i, have = 0, found;

	if (!time_in_range(after)) {
		errno = ERANGE;
		return (-1);
	}
	for (i = 0; i < 3; i++) {
		if (tz_offset(tz, after + i * CRON_SAMPLE, &off) != 0)
			return (-1);
		if (i == 0 || off < lo)
			lo = off;
	}
	w = after + lo;
	limit = w + (time_t)CRON_YEARS * 366 * 86400;
	if (limit > TIME_SEC_MAX + CRON_WALL_SLACK)
		limit = TIME_SEC_MAX + CRON_WALL_SLACK;
	for (;;) {
		if (cron_wall_next(c, w, limit, &w) != 0)
			break;
		if (have && w - omax >= best)
			break;
		if (tz_wall_map(tz, w, &m) != 0)
			return (-1);
		if (m.off_max > omax)
			omax = m.off_max;
		found = 0;
		t = 0;
		if (c->hour_star) {
			for (i = 0; i < m.n && !found; i++) {
				if (m.t[i] > after) {
					t = m.t[i];
					found = 1;
				}
			}
		} else if (m.n > 0) {
			if (m.t[0] > after) {
				t = m.t[0];
				found = 1;
			}
		} else if (m.gap && m.gap_end > after) {
			t = m.gap_end;
			found = 1;
		}
		if (found && t > TIME_SEC_MAX)
			found = 0;
		if (found && (!have || t < best)) {
			best = t;
			have = 1;
		}
		w += 60;
	}
	if (!have) {
		errno = ENOENT;
		return (-1);
	}
	*out = best;
	return (0);
}

/* Read exactly n digits. */
static int
at_digits(const char **s, int n, int *out)
{
	int	 v = 0;

	for (; n > 0; n--, (*s)++) {
		if (!isdigit((unsigned char)**s))
			return (-1);
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return (0);
}

/* Read HH:MM with optional :SS. */
static int
at_clock(const char **s, int *h, int *m, int *sec)
{
	*sec = 0;
	if (at_digits(s, 2, h) != 0 || *(*s)++ != ':' ||
	    at_digits(s, 2, m) != 0)
		return (-1);
	if (**s == ':') {
		(*s)++;
		if (at_digits(s, 2, sec) != 0)
			return (-1);
	}
	if (*h > 23 || *m > 59 || *sec > 59)
		return (-1);
	return (0);
}

/* Days in month m of year y. */
static int
at_mdays(int y, int m)
{
	if (m == 2 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return (28);
	return (cron_mlen[m]);
}

/*
 * Parse a TIME for "at": a date and time, local to tz unless it ends in Z
 * or an offset, or a time of day meaning the next such local time strictly
 * after now.  A local time the clocks skip means the end of the skip; one
 * they show twice means the first pass.  EINVAL if s is not a TIME, ERANGE
 * if it falls outside TIME_SEC_MIN..TIME_SEC_MAX.
 */
int
at_parse(const char *s, const char *tz, time_t now, time_t *out)
{
	struct tm	 tm, d;
	const char	*p = s;
	int		 Y, M, D, h, m, sec, oh, om, i;
	time_t		 wall, t;

	if (s[0] != '\0' && s[1] != '\0' && s[2] == ':') {
		if (at_clock(&p, &h, &m, &sec) != 0 || *p != '\0')
			goto bad;
		if (tz_localtime(tz, now, &tm) != 0)
			return (-1);
		for (i = 0; i < 3; i++) {
			memset(&d, 0, sizeof d);
			d.tm_year = tm.tm_year;
			d.tm_mon = tm.tm_mon;
			d.tm_mday = tm.tm_mday + i;
			d.tm_hour = h;
			d.tm_min = m;
			d.tm_sec = sec;
			wall = timegm(&d);
			if (tz_wall_first(tz, wall, &t) != 0)
				return (-1);
			if (t > now) {
				if (!time_in_range(t))
					goto range;
				*out = t;
				return (0);
			}
		}
		goto bad;
	}
	if (at_digits(&p, 4, &Y) != 0 || *p++ != '-' ||
	    at_digits(&p, 2, &M) != 0 || *p++ != '-' ||
	    at_digits(&p, 2, &D) != 0 || (*p != 'T' && *p != 't' && *p != ' '))
		goto bad;
	p++;
	if (at_clock(&p, &h, &m, &sec) != 0)
		goto bad;
	if (M < 1 || M > 12 || D < 1 || D > at_mdays(Y, M))
		goto bad;
	memset(&d, 0, sizeof d);
	d.tm_year = Y - 1900;
	d.tm_mon = M - 1;
	d.tm_mday = D;
	d.tm_hour = h;
	d.tm_min = m;
	d.tm_sec = sec;
	wall = timegm(&d);
	if (*p == '\0') {
		if (tz_wall_first(tz, wall, &t) != 0)
			return (-1);
	} else if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		t = wall;
	else if (*p == '+' || *p == '-') {
		i = *p++ == '-' ? -1 : 1;
		if (at_digits(&p, 2, &oh) != 0 || *p++ != ':' ||
		    at_digits(&p, 2, &om) != 0 || *p != '\0' || oh > 23 ||
		    om > 59)
			goto bad;
		t = wall - i * (oh * 3600 + om * 60);
	} else
		goto bad;
	if (!time_in_range(t))
		goto range;
	*out = t;
	return (0);

range:
	errno = ERANGE;
	return (-1);
bad:
	errno = EINVAL;
	return (-1);
}
