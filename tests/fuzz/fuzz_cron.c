/* SPDX-License-Identifier: ISC */

/*
 * Fuzz target: schedules and the small parsers of times, durations and
 * sizes (schedd.yaml.5: cron, at, every, durations and sizes).
 *
 * The input is "NOW [ZONE]\nTEXT" (without a first line, NOW is fixed and
 * the zone is the process's): TEXT goes through cron_parse, at_parse,
 * parse_duration, parse_size, time_parse and the name and signal checks.
 * Nothing may crash or hang, and:
 * - a cron firing after NOW is later than NOW, and not past 9999-12-31
 *   (schedd.yaml.5: times are bounded); the one after it is later still;
 *   and asked again from any instant before that firing (the one just
 *   before it, and halfway), cron_next finds the same firing: firings are
 *   a set of instants, whatever instant the search starts from;
 * - a parse error's column lies within the expression;
 * - "at" with a time of day is strictly after NOW;
 * - a duration reads back the same from format_duration's words.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "fuzz.h"
#include "util.h"
#include "xmalloc.h"

#define FUZZ_NOW	((time_t)1700000000)	/* 2023-11-14T22:13:20Z */
#define FUZZ_TIME_MAX	((time_t)253402300799)	/* 9999-12-31T23:59:59Z */

static void	 fuzz_cron(const char *, const char *, time_t);
static void	 fuzz_cron_same(const struct cron *, const char *, const char *,
		     time_t, time_t);
static void	 fuzz_at(const char *, const char *, time_t);
static void	 fuzz_duration(const char *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return (0);
}

/* From any instant before next (and not before from), the same firing. */
static void
fuzz_cron_same(const struct cron *c, const char *expr, const char *tz,
    time_t t, time_t next)
{
	time_t	 again;

	if (cron_next(c, tz, t, &again) != 0)
		fuzz_fail("cron \"%s\" zone %s: %lld fires at %lld, but "
		    "nothing is found after %lld (errno %d)", expr,
		    tz != NULL ? tz : "(local)", (long long)t, (long long)next,
		    (long long)t, errno);
	if (again != next)
		fuzz_fail("cron \"%s\" zone %s: the firing after %lld is %lld, "
		    "but an earlier search found %lld", expr,
		    tz != NULL ? tz : "(local)", (long long)t, (long long)again,
		    (long long)next);
}

static void
fuzz_cron(const char *expr, const char *tz, time_t now)
{
	struct cron	*c;
	time_t		 next, after;
	char		*cause;
	int		 column;

	if (cron_parse(expr, &c, &cause, &column) != 0) {
		if (column < 1 || (size_t)column > strlen(expr) + 1)
			fuzz_fail("cron \"%s\": error column %d: %s", expr,
			    column, cause);
		free(cause);
		return;
	}
	if (cron_next(c, tz, now, &next) == 0) {
		if (next <= now)
			fuzz_fail("cron \"%s\" zone %s: after %lld comes %lld",
			    expr, tz != NULL ? tz : "(local)", (long long)now,
			    (long long)next);
		if (next > FUZZ_TIME_MAX)
			fuzz_fail("cron \"%s\" zone %s: after %lld comes %lld, "
			    "past 9999-12-31", expr, tz != NULL ? tz :
			    "(local)", (long long)now, (long long)next);
		fuzz_cron_same(c, expr, tz, next - 1, next);
		fuzz_cron_same(c, expr, tz, now + (next - now) / 2, next);
		if (cron_next(c, tz, next, &after) == 0 && after <= next)
			fuzz_fail("cron \"%s\" zone %s: after %lld comes %lld",
			    expr, tz != NULL ? tz : "(local)", (long long)next,
			    (long long)after);
	}
	cron_free(c);
}

static void
fuzz_at(const char *s, const char *tz, time_t now)
{
	time_t	 t;

	if (at_parse(s, tz, now, &t) != 0)
		return;
	/* "HH:MM[:SS]" is the next such time strictly after now. */
	if (s[0] != '\0' && s[1] != '\0' && s[2] == ':' && t <= now)
		fuzz_fail("at \"%s\" zone %s: %lld is not after %lld", s,
		    tz != NULL ? tz : "(local)", (long long)t, (long long)now);
}

static void
fuzz_duration(const char *s)
{
	struct timespec	 ts;
	uint64_t	 ms, back, n;
	char		*words;

	if (parse_duration(s, &ms) == 0) {
		words = format_duration(ms);
		if (parse_duration(words, &back) != 0 || back != ms)
			fuzz_fail("duration \"%s\" is %llums, written \"%s\", "
			    "which reads back as %llums", s,
			    (unsigned long long)ms, words,
			    (unsigned long long)back);
		free(words);
	}
	parse_size(s, &n);
	time_parse(s, FUZZ_NOW, &ts);
	signal_parse(s);
	name_valid(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *text, *nl, *tz = NULL, *end;
	long long	 now = FUZZ_NOW;

	in = fuzz_strndup(data, size);
	text = in;
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		text = nl + 1;
		errno = 0;
		now = strtoll(in, &end, 10);
		if (end == in || errno != 0)
			now = FUZZ_NOW;
		while (*end == ' ')
			end++;
		if (*end != '\0')
			tz = end;
	}
	fuzz_cron(text, tz, (time_t)now);
	fuzz_at(text, tz, (time_t)now);
	fuzz_duration(text);
	free(in);
	return (0);
}
