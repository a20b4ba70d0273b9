/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for cron expressions, "at" times and the time-zone helpers:
 * parse errors with their columns, next firings with an injected clock,
 * the DST rule in three zones (one with 30-minute shifts), and a seeded
 * fuzz run.  All instants are written and compared as UTC.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "tz.h"
#include "unit.h"

#define NY	"America/New_York"
#define BERLIN	"Europe/Berlin"
#define LHI	"Australia/Lord_Howe"

/* "YYYY-MM-DDTHH:MM[:SS]" read as UTC. */
static time_t
utc(const char *s)
{
	struct tm	 tm;
	int		 Y, M, D, h, m, sec = 0;

	ck_assert_msg(sscanf(s, "%d-%d-%dT%d:%d:%d", &Y, &M, &D, &h, &m,
	    &sec) >= 5, "bad test time \"%s\"", s);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	return (timegm(&tm));
}

/* An instant as "YYYY-MM-DDTHH:MM:SSZ", in a static buffer. */
static const char *
utc_str(time_t t, int which)
{
	static char	 buf[2][32];
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf[which], sizeof buf[which], "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (buf[which]);
}

/* expr must parse. */
static struct cron *
must_parse(const char *expr)
{
	struct cron	*c = NULL;
	char		*cause = NULL;
	int		 column = 0;

	ck_assert_msg(cron_parse(expr, &c, &cause, &column) == 0,
	    "\"%s\" refused at column %d: %s", expr, column, cause);
	ck_assert_ptr_nonnull(c);
	return (c);
}

/* expr must be refused with exactly this message at this column. */
static void
must_refuse(const char *expr, const char *want, int want_column)
{
	struct cron	*c = NULL;
	char		*cause = NULL;
	int		 column = 0;

	ck_assert_msg(cron_parse(expr, &c, &cause, &column) == -1,
	    "\"%s\" accepted", expr);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strcmp(cause, want) == 0,
	    "\"%s\": got \"%s\", want \"%s\"", expr, cause, want);
	ck_assert_msg(column == want_column, "\"%s\": got column %d, want %d",
	    expr, column, want_column);
	free(cause);
}

/*
 * Starting after from, expr in tz must fire at exactly the instants in
 * want (NULL-terminated, UTC), in order.
 */
static void
must_fire(const char *tz, const char *expr, const char *from,
    const char *const *want)
{
	struct cron	*c = must_parse(expr);
	time_t		 t = utc(from), next;
	int		 i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_msg(cron_next(c, tz, t, &next) == 0,
		    "%s \"%s\" after %s: nothing", tz, expr, utc_str(t, 0));
		ck_assert_msg(next == utc(want[i]),
		    "%s \"%s\" firing %d after %s: got %s, want %s", tz, expr,
		    i + 1, utc_str(t, 0), utc_str(next, 1), want[i]);
		t = next;
	}
	cron_free(c);
}

#define FIRE(tz, expr, from, ...) do {					\
	static const char *const fire_want[] = { __VA_ARGS__, NULL };	\
	must_fire(tz, expr, from, fire_want);				\
} while (0)

/* Two expressions must fire at the same instants for a while. */
static void
must_agree(const char *a, const char *b, const char *tz, const char *from)
{
	struct cron	*ca = must_parse(a), *cb = must_parse(b);
	time_t		 ta = utc(from), tb = ta;
	int		 i;

	for (i = 0; i < 30; i++) {
		ck_assert_int_eq(cron_next(ca, tz, ta, &ta), 0);
		ck_assert_int_eq(cron_next(cb, tz, tb, &tb), 0);
		ck_assert_msg(ta == tb, "\"%s\" fires at %s, \"%s\" at %s", a,
		    utc_str(ta, 0), b, utc_str(tb, 1));
	}
	cron_free(ca);
	cron_free(cb);
}

START_TEST(test_parse_errors)
{
	must_refuse("61 * * * *", "minute 61 is out of range 0-59", 1);
	must_refuse("0 24 * * *", "hour 24 is out of range 0-23", 3);
	must_refuse("0 0 0 * *", "day-of-month 0 is out of range 1-31", 5);
	must_refuse("0 0 32 * *", "day-of-month 32 is out of range 1-31", 5);
	must_refuse("0 0 1 13 *", "month 13 is out of range 1-12", 7);
	must_refuse("0 0 * * 8", "day-of-week 8 is out of range 0-7", 9);
	must_refuse("1,2,99999999999 * * * *",
	    "minute 99999999999 is out of range 0-59", 5);
	must_refuse("0 0 * * 1-9", "day-of-week 9 is out of range 0-7", 11);
	must_refuse("*/0 * * * *", "step 0 in \"*/0\"", 1);
	must_refuse("0 1,5-10/0 * * *", "step 0 in \"5-10/0\"", 5);
	must_refuse("*/61 * * * *", "step 61 in \"*/61\" is out of range 1-59",
	    1);
	must_refuse("0 0 */31 * *",
	    "step 31 in \"*/31\" is out of range 1-30", 5);
	must_refuse("*/x * * * *", "bad step \"x\" in \"*/x\"", 3);
	must_refuse("*/ * * * *", "bad step \"\" in \"*/\"", 3);
	must_refuse("1/2/3 * * * *", "bad step \"2/3\" in \"1/2/3\"", 3);
	must_refuse("* * *", "expected 5 fields, got 3", 1);
	must_refuse("", "expected 5 fields, got 0", 1);
	must_refuse("   ", "expected 5 fields, got 0", 1);
	must_refuse("* * * * * *", "expected 5 fields, got 6", 11);
	must_refuse("0 0 * foo *", "unknown month name \"foo\"", 7);
	must_refuse("0 0 * january *", "unknown month name \"january\"", 7);
	must_refuse("0 0 * * funday", "unknown day name \"funday\"", 9);
	must_refuse("0 0 * jan-foo *", "unknown month name \"foo\"", 11);
	must_refuse("5-2 * * * *", "range 5-2 is backwards", 1);
	must_refuse("0 0 * * fri-mon", "range fri-mon is backwards", 9);
	must_refuse("0 0 * * 6-1/2", "range 6-1 is backwards", 9);
	must_refuse("0 0 * dec-jan *", "range dec-jan is backwards", 7);
	must_refuse("@weekdays", "unknown shortcut \"@weekdays\"", 1);
	must_refuse("  @reboot", "unknown shortcut \"@reboot\"", 3);
	must_refuse("@daily 5", "unexpected \"5\" after \"@daily\"", 8);
	must_refuse("1,,2 * * * *", "empty item in minute list", 3);
	must_refuse("0 1, * * *", "empty item in hour list", 5);
	must_refuse("0 ,1 * * *", "empty item in hour list", 3);
	must_refuse("abc * * * *", "minute \"abc\" is not a number", 1);
	must_refuse("0 mon * * *", "hour \"mon\" is not a number", 3);
	must_refuse("5x * * * *", "unexpected \"x\" in minute field", 2);
	must_refuse("*5 * * * *", "unexpected \"5\" in minute field", 2);
	must_refuse("1- * * * *", "missing number in minute field", 3);
	must_refuse("0 0 * * #", "unexpected \"#\" in day-of-week field", 9);
	must_refuse("0 0 \x01 * *",
	    "unexpected byte 0x01 in day-of-month field", 5);
	/* Columns count from the start of the expression, spaces too. */
	must_refuse("  0\t0 * * 9", "day-of-week 9 is out of range 0-7", 11);

	/* Days that never come, when the day of the week cannot help. */
	must_refuse("0 0 30 2 *", "never matches: day-of-month \"30\" does "
	    "not occur in month \"2\"", 5);
	must_refuse("0 0 31 4,6 *", "never matches: day-of-month \"31\" does "
	    "not occur in month \"4,6\"", 5);
	/* "*\/2" starts with "*", so it does not count as restricted. */
	must_refuse("0 0 31 4,6 */2", "never matches: day-of-month \"31\" "
	    "does not occur in month \"4,6\"", 5);
	must_refuse("0 0 30,31 feb *", "never matches: day-of-month \"30,31\" "
	    "does not occur in month \"feb\"", 5);
}
END_TEST

START_TEST(test_parse_ok)
{
	static const char *const ok[] = {
		"* * * * *", "0 0 1 1 *", "*/5 * * * *", "0-59/7 * * * *",
		"5/20 * * * *", "1,2,3-5,10-20/5 * * * *",
		"0 0 * JAN-Mar,Dec sun,MON-fri", "0 0 * * 0-7",
		"0 0 * * 7", "0 0 * * fri-sun", "0 0 * * 7/2",
		"0 0 29 2 *", "0 0 31 4,6 mon", "0 0 31 4,6 1/1",
		"0 0 */30 2 *", "\t 0  0 * * *  ", "@yearly", "@annually",
		"@monthly", "@weekly", "@daily", "@midnight", "@hourly",
		"@DAILY", "  @hourly  ", "59 23 31 12 6", NULL
	};
	struct cron	*c = NULL;
	char		*cause = (char *)"untouched";
	int		 i, column = -5;

	for (i = 0; ok[i] != NULL; i++)
		cron_free(must_parse(ok[i]));

	/* The cause and the column are left alone on success. */
	ck_assert_int_eq(cron_parse("* * * * *", &c, &cause, &column), 0);
	ck_assert_str_eq(cause, "untouched");
	ck_assert_int_eq(column, -5);
	cron_free(c);

	/* Neither is needed to be told why. */
	c = (struct cron *)&column;
	ck_assert_int_eq(cron_parse("* *", &c, NULL, NULL), -1);
	ck_assert_ptr_eq(c, (struct cron *)&column);
}
END_TEST

START_TEST(test_names)
{
	/* 2024-01-01 was a Monday. */
	must_agree("0 0 * * 7", "0 0 * * 0", "UTC", "2024-01-01T00:00");
	must_agree("0 0 * * sun", "0 0 * * 0", "UTC", "2024-01-01T00:00");
	must_agree("0 0 * * SUN", "0 0 * * 7", "UTC", "2024-01-01T00:00");
	must_agree("0 0 * * 1-5", "0 0 * * mon-fri", "UTC",
	    "2024-01-01T00:00");
	must_agree("0 0 * * 0-7", "0 0 * * *", "UTC", "2024-01-01T00:00");
	must_agree("0 0 1 jan-dec/3 *", "0 0 1 1,4,7,10 *", "UTC",
	    "2024-01-01T00:00");
	must_agree("0 0 1 mar/4 *", "0 0 1 3,7,11 *", "UTC",
	    "2024-01-01T00:00");
	must_agree("0 0 * * wed/2", "0 0 * * 3,5,0", "UTC",
	    "2024-01-01T00:00");
	must_agree("0 0 * * 7/2", "0 0 * * 0", "UTC", "2024-01-01T00:00");
	FIRE("UTC", "0 0 * * fri-sun", "2024-01-01T00:00",
	    "2024-01-05T00:00", "2024-01-06T00:00", "2024-01-07T00:00",
	    "2024-01-12T00:00");
	FIRE("UTC", "0 12 * JUN *", "2024-01-01T00:00",
	    "2024-06-01T12:00", "2024-06-02T12:00");
}
END_TEST

/*
 * "a/n" runs from a to the field's end, step n, in every field; in
 * day-of-week the end is 7, Sunday, so "1/1" is every day and "1/2" the
 * same as "1-7/2" (as croniter, cron-parser and crontab(5) read them),
 * while "*\/n" still starts from 0 and ends at 6.
 */
START_TEST(test_steps_from)
{
	const char	*jan1 = "2024-01-01T00:00";	/* a Monday */

	must_agree("50/5 * * * *", "50,55 * * * *", "UTC", jan1);
	must_agree("0 20/2 * * *", "0 20,22 * * *", "UTC", jan1);
	must_agree("0 0 25/3 * *", "0 0 25,28,31 * *", "UTC", jan1);
	must_agree("0 0 1 10/1 *", "0 0 1 10-12 *", "UTC", jan1);
	must_agree("0 0 1 oct/2 *", "0 0 1 10,12 *", "UTC", jan1);
	must_agree("0 0 * * 1/1", "0 0 * * *", "UTC", jan1);
	must_agree("0 0 * * 1/1", "0 0 * * 1-7", "UTC", jan1);
	must_agree("0 0 * * mon/1", "0 0 * * 0-6", "UTC", jan1);
	must_agree("0 0 * * 1/2", "0 0 * * 1-7/2", "UTC", jan1);
	must_agree("0 0 * * 1/2", "0 0 * * 0,1,3,5", "UTC", jan1);
	must_agree("0 0 * * 6/1", "0 0 * * sat,sun", "UTC", jan1);
	must_agree("0 0 * * 5/2", "0 0 * * fri,sun", "UTC", jan1);
	must_agree("0 0 * * 0/3", "0 0 * * 0,3,6", "UTC", jan1);
	must_agree("0 0 * * 2/6", "0 0 * * 2", "UTC", jan1);
	must_agree("0 0 * * sun/1", "0 0 * * *", "UTC", jan1);
	/* "*\/n" is unchanged: 0 to 6. */
	must_agree("0 0 * * */2", "0 0 * * 0,2,4,6", "UTC", jan1);
	must_agree("0 0 * * */6", "0 0 * * 0,6", "UTC", jan1);
	FIRE("UTC", "0 0 * * 1/1", "2024-01-05T12:00", "2024-01-06T00:00",
	    "2024-01-07T00:00", "2024-01-08T00:00");
	/* Both day fields restricted: either will do, Sundays included. */
	FIRE("UTC", "0 0 13 * 6/1", "2024-01-08T00:00", "2024-01-13T00:00",
	    "2024-01-14T00:00", "2024-01-20T00:00");
	must_refuse("0 0 * * 1/7", "step 7 in \"1/7\" is out of range 1-6",
	    9);
}
END_TEST

START_TEST(test_shortcuts)
{
	must_agree("@yearly", "0 0 1 1 *", "UTC", "2024-05-05T05:05");
	must_agree("@annually", "0 0 1 1 *", NY, "2024-05-05T05:05");
	must_agree("@monthly", "0 0 1 * *", BERLIN, "2024-05-05T05:05");
	must_agree("@weekly", "0 0 * * 0", "UTC", "2024-05-05T05:05");
	must_agree("@daily", "0 0 * * *", NY, "2024-05-05T05:05");
	must_agree("@midnight", "0 0 * * *", "UTC", "2024-05-05T05:05");
	must_agree("@hourly", "0 * * * *", LHI, "2024-05-05T05:05");
	FIRE("UTC", "@weekly", "2024-01-01T00:00", "2024-01-07T00:00",
	    "2024-01-14T00:00");
}
END_TEST

START_TEST(test_next_basic)
{
	FIRE("UTC", "* * * * *", "2024-01-01T10:00:30", "2024-01-01T10:01",
	    "2024-01-01T10:02");
	/* Strictly after: a firing instant itself gives the next one. */
	FIRE("UTC", "*/15 * * * *", "2024-01-01T10:00", "2024-01-01T10:15",
	    "2024-01-01T10:30", "2024-01-01T10:45", "2024-01-01T11:00");
	FIRE("UTC", "5/20 * * * *", "2024-01-01T10:50", "2024-01-01T11:05",
	    "2024-01-01T11:25", "2024-01-01T11:45", "2024-01-01T12:05");
	FIRE("UTC", "0 9,17 * * mon-fri", "2024-01-05T12:00",
	    "2024-01-05T17:00", "2024-01-08T09:00", "2024-01-08T17:00");
	FIRE("UTC", "10-20/5 8-9 * * *", "2024-01-01T00:00",
	    "2024-01-01T08:10", "2024-01-01T08:15", "2024-01-01T08:20",
	    "2024-01-01T09:10", "2024-01-01T09:15", "2024-01-01T09:20",
	    "2024-01-02T08:10");
	/* Both day fields restricted: either will do. */
	FIRE("UTC", "0 0 13 * fri", "2024-01-01T00:00", "2024-01-05T00:00",
	    "2024-01-12T00:00", "2024-01-13T00:00", "2024-01-19T00:00");
	/* Only one restricted ("*" first): both must hold. */
	FIRE("UTC", "0 0 */2 * mon", "2024-01-01T00:00", "2024-01-15T00:00",
	    "2024-01-29T00:00", "2024-02-05T00:00", "2024-02-19T00:00");
	FIRE("UTC", "0 0 * 2 */3", "2024-01-01T00:00", "2024-02-03T00:00",
	    "2024-02-04T00:00", "2024-02-07T00:00", "2024-02-10T00:00");
	/* Month ends. */
	FIRE("UTC", "0 0 31 * *", "2024-01-31T01:00", "2024-03-31T00:00",
	    "2024-05-31T00:00", "2024-07-31T00:00", "2024-08-31T00:00",
	    "2024-10-31T00:00", "2024-12-31T00:00", "2025-01-31T00:00");
	FIRE("UTC", "0 0 30 * *", "2024-01-30T01:00", "2024-03-30T00:00");
	/* February 29 only in leap years, and 2100 is not one. */
	FIRE("UTC", "0 0 29 2 *", "2024-03-01T00:00", "2028-02-29T00:00",
	    "2032-02-29T00:00");
	FIRE("UTC", "0 0 29 2 *", "2096-03-01T00:00", "2104-02-29T00:00");
	/* Year rollover. */
	FIRE("UTC", "59 23 31 12 *", "2024-12-31T23:59", "2025-12-31T23:59");
	FIRE("UTC", "0 0 1 1 *", "2024-12-31T23:59:59", "2025-01-01T00:00",
	    "2026-01-01T00:00");
	FIRE("UTC", "*/30 * * * *", "1999-12-31T23:45", "2000-01-01T00:00",
	    "2000-01-01T00:30");
	/* In a zone without DST, and in the process's zone (Asia/Tokyo). */
	FIRE("Asia/Kolkata", "0 9 * * *", "2024-01-01T00:00",
	    "2024-01-01T03:30", "2024-01-02T03:30");
	FIRE(NULL, "0 9 * * *", "2024-01-01T00:00", "2024-01-02T00:00");
	FIRE("UTC", "0 9 * * *", "2024-01-01T00:00", "2024-01-01T09:00");
	FIRE(NULL, "0 9 * * *", "2024-01-01T00:00", "2024-01-02T00:00");
}
END_TEST

START_TEST(test_next_errors)
{
	struct cron	*c = must_parse("* * * * *");
	time_t		 t = 12345;

	errno = 0;
	ck_assert_int_eq(cron_next(c, "Nowhere/Zone", 0, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cron_next(c, "../../etc/passwd", 0, &t), -1);
	ck_assert_int_eq(t, 12345);
	/* The zone that failed must not stick. */
	ck_assert_int_eq(cron_next(c, "UTC", 0, &t), 0);
	ck_assert_int_eq(t, 60);
	cron_free(c);
}
END_TEST

START_TEST(test_dst_new_york)
{
	/* 2024-03-10 02:00 EST -> 03:00 EDT at 07:00Z. */
	FIRE(NY, "30 2 * * *", "2024-03-09T12:00", "2024-03-10T07:00",
	    "2024-03-11T06:30", "2024-03-12T06:30");
	FIRE(NY, "0 2,3 * * *", "2024-03-09T12:00", "2024-03-10T07:00",
	    "2024-03-11T06:00", "2024-03-11T07:00");
	FIRE(NY, "*/20 2 * * *", "2024-03-09T12:00", "2024-03-10T07:00",
	    "2024-03-11T06:00");
	FIRE(NY, "30 * * * *", "2024-03-10T05:00", "2024-03-10T05:30",
	    "2024-03-10T06:30", "2024-03-10T07:30", "2024-03-10T08:30");
	FIRE(NY, "*/15 * * * *", "2024-03-10T06:40", "2024-03-10T06:45",
	    "2024-03-10T07:00", "2024-03-10T07:15");
	FIRE(NY, "*/20 */2 * * *", "2024-03-10T05:00", "2024-03-10T05:20",
	    "2024-03-10T05:40", "2024-03-10T08:00", "2024-03-10T08:20");
	FIRE(NY, "0 1-3/1 * * *", "2024-03-10T05:00", "2024-03-10T06:00",
	    "2024-03-10T07:00", "2024-03-11T05:00", "2024-03-11T06:00");

	/* 2024-11-03 02:00 EDT -> 01:00 EST at 06:00Z. */
	FIRE(NY, "30 1 * * *", "2024-11-02T12:00", "2024-11-03T05:30",
	    "2024-11-04T06:30");
	FIRE(NY, "30 1 * * *", "2024-11-03T05:30", "2024-11-04T06:30");
	FIRE(NY, "30 1 * * *", "2024-11-03T05:45", "2024-11-04T06:30");
	FIRE(NY, "30 * * * *", "2024-11-03T03:00", "2024-11-03T03:30",
	    "2024-11-03T04:30", "2024-11-03T05:30", "2024-11-03T06:30",
	    "2024-11-03T07:30");
	FIRE(NY, "30 * * * *", "2024-11-03T05:45", "2024-11-03T06:30");
	FIRE(NY, "*/15 * * * *", "2024-11-03T05:40", "2024-11-03T05:45",
	    "2024-11-03T06:00", "2024-11-03T06:15");
	FIRE(NY, "*/20 */2 * * *", "2024-11-03T03:30", "2024-11-03T04:00",
	    "2024-11-03T04:20", "2024-11-03T04:40", "2024-11-03T07:00");
	FIRE(NY, "0 1-3/1 * * *", "2024-11-03T04:00", "2024-11-03T05:00",
	    "2024-11-03T07:00", "2024-11-03T08:00", "2024-11-04T06:00");
}
END_TEST

START_TEST(test_dst_berlin)
{
	/* 2024-03-31 02:00 CET -> 03:00 CEST at 01:00Z. */
	FIRE(BERLIN, "30 2 * * *", "2024-03-30T12:00", "2024-03-31T01:00",
	    "2024-04-01T00:30");
	FIRE(BERLIN, "30 * * * *", "2024-03-30T22:00", "2024-03-30T22:30",
	    "2024-03-30T23:30", "2024-03-31T00:30", "2024-03-31T01:30");
	FIRE(BERLIN, "*/15 * * * *", "2024-03-31T00:40", "2024-03-31T00:45",
	    "2024-03-31T01:00", "2024-03-31T01:15");
	FIRE(BERLIN, "*/20 */2 * * *", "2024-03-30T23:30",
	    "2024-03-30T23:40", "2024-03-31T02:00", "2024-03-31T02:20");
	FIRE(BERLIN, "0 1-3/1 * * *", "2024-03-30T23:00", "2024-03-31T00:00",
	    "2024-03-31T01:00", "2024-03-31T23:00", "2024-04-01T00:00");
	FIRE(BERLIN, "15,45 2 * * *", "2024-03-30T23:00", "2024-03-31T01:00",
	    "2024-04-01T00:15", "2024-04-01T00:45");

	/* 2024-10-27 03:00 CEST -> 02:00 CET at 01:00Z. */
	FIRE(BERLIN, "30 2 * * *", "2024-10-26T12:00", "2024-10-27T00:30",
	    "2024-10-28T01:30", "2024-10-29T01:30");
	FIRE(BERLIN, "30 2 * * *", "2024-10-27T00:30", "2024-10-28T01:30");
	FIRE(BERLIN, "*/15 * * * *", "2024-10-26T23:50", "2024-10-27T00:00",
	    "2024-10-27T00:15", "2024-10-27T00:30", "2024-10-27T00:45",
	    "2024-10-27T01:00", "2024-10-27T01:15", "2024-10-27T01:30",
	    "2024-10-27T01:45", "2024-10-27T02:00");
	FIRE(BERLIN, "30 * * * *", "2024-10-26T23:45", "2024-10-27T00:30",
	    "2024-10-27T01:30", "2024-10-27T02:30");
	FIRE(BERLIN, "*/20 */2 * * *", "2024-10-26T23:00",
	    "2024-10-27T00:00", "2024-10-27T00:20", "2024-10-27T00:40",
	    "2024-10-27T01:00", "2024-10-27T01:20", "2024-10-27T01:40",
	    "2024-10-27T03:00");
	FIRE(BERLIN, "0 1-3/1 * * *", "2024-10-26T23:00", "2024-10-27T00:00",
	    "2024-10-27T02:00", "2024-10-28T00:00", "2024-10-28T01:00");
}
END_TEST

START_TEST(test_dst_lord_howe)
{
	/* 2024-04-07 02:00 +11 -> 01:30 +10:30 at 15:00Z on the 6th. */
	FIRE(LHI, "30 1 * * *", "2024-04-06T12:00", "2024-04-06T14:30",
	    "2024-04-07T15:00", "2024-04-08T15:00");
	FIRE(LHI, "45 1 * * *", "2024-04-06T12:00", "2024-04-06T14:45",
	    "2024-04-07T15:15");
	FIRE(LHI, "*/15 * * * *", "2024-04-06T14:10", "2024-04-06T14:15",
	    "2024-04-06T14:30", "2024-04-06T14:45", "2024-04-06T15:00",
	    "2024-04-06T15:15", "2024-04-06T15:30", "2024-04-06T15:45");
	FIRE(LHI, "30 * * * *", "2024-04-06T13:00", "2024-04-06T13:30",
	    "2024-04-06T14:30", "2024-04-06T15:00", "2024-04-06T16:00");
	FIRE(LHI, "*/20 */2 * * *", "2024-04-06T14:00", "2024-04-06T15:30",
	    "2024-04-06T15:50", "2024-04-06T16:10", "2024-04-06T17:30");
	FIRE(LHI, "0 1-3/1 * * *", "2024-04-06T12:00", "2024-04-06T14:00",
	    "2024-04-06T15:30", "2024-04-06T16:30", "2024-04-07T14:30");

	/* 2024-10-06 02:00 +10:30 -> 02:30 +11 at 15:30Z on the 5th. */
	FIRE(LHI, "30 2 * * *", "2024-10-05T12:00", "2024-10-05T15:30",
	    "2024-10-06T15:30");
	FIRE(LHI, "15 2 * * *", "2024-10-05T12:00", "2024-10-05T15:30",
	    "2024-10-06T15:15");
	FIRE(LHI, "0,15,30,45 2 * * *", "2024-10-05T12:00",
	    "2024-10-05T15:30", "2024-10-05T15:45", "2024-10-06T15:00");
	FIRE(LHI, "*/15 * * * *", "2024-10-05T15:00", "2024-10-05T15:15",
	    "2024-10-05T15:30", "2024-10-05T15:45");
	FIRE(LHI, "*/20 */2 * * *", "2024-10-05T15:00", "2024-10-05T15:40",
	    "2024-10-05T17:00");
	FIRE(LHI, "0 1-3/1 * * *", "2024-10-05T12:00", "2024-10-05T14:30",
	    "2024-10-05T15:30", "2024-10-05T16:00", "2024-10-06T14:00");
}
END_TEST

/* at_parse must give want (UTC). */
static void
at_ok(const char *s, const char *tz, const char *now, const char *want)
{
	time_t	 t = 0;

	ck_assert_msg(at_parse(s, tz, utc(now), &t) == 0, "\"%s\" refused", s);
	ck_assert_msg(t == utc(want), "\"%s\" in %s at %s: got %s, want %s",
	    s, tz, now, utc_str(t, 0), want);
}

/* at_parse must refuse s, leaving the output alone. */
static void
at_bad(const char *s, const char *tz)
{
	time_t	 t = 12345;

	errno = 0;
	ck_assert_msg(at_parse(s, tz, utc("2026-01-01T00:00"), &t) == -1,
	    "\"%s\" accepted", s);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(t, 12345);
}

START_TEST(test_at)
{
	const char	*now = "2026-06-01T10:00";

	at_ok("2026-12-01T09:00", BERLIN, now, "2026-12-01T08:00");
	at_ok("2026-12-01T09:00:30", BERLIN, now, "2026-12-01T08:00:30");
	at_ok("2026-07-01 09:00", BERLIN, now, "2026-07-01T07:00");
	at_ok("2026-12-01T09:00", NY, now, "2026-12-01T14:00");
	at_ok("2026-12-01T09:00", NULL, now, "2026-12-01T00:00");
	at_ok("2026-12-01T09:00Z", BERLIN, now, "2026-12-01T09:00");
	at_ok("2026-12-01T09:00:00z", NY, now, "2026-12-01T09:00");
	at_ok("2026-12-01T09:00:00+01:00", NY, now, "2026-12-01T08:00");
	at_ok("2026-12-01T09:00-05:30", BERLIN, now, "2026-12-01T14:30");
	/* A date in the past is still that date. */
	at_ok("2020-02-29T12:00", "UTC", now, "2020-02-29T12:00");
	/* In a gap: the end of the gap; in an overlap: the first pass. */
	at_ok("2024-03-10T02:30", NY, now, "2024-03-10T07:00");
	at_ok("2024-11-03T01:30", NY, now, "2024-11-03T05:30");
	at_ok("2024-03-31T02:59:59", BERLIN, now, "2024-03-31T01:00");
	at_ok("2024-10-27T02:00", BERLIN, now, "2024-10-27T00:00");
	at_ok("2024-10-06T02:10", LHI, now, "2024-10-05T15:30");
	at_ok("2024-04-07T01:45", LHI, now, "2024-04-06T14:45");

	/* A time of day: the next one strictly after now. */
	at_ok("09:00", BERLIN, "2026-06-01T06:00", "2026-06-01T07:00");
	at_ok("09:00", BERLIN, "2026-06-01T07:00", "2026-06-02T07:00");
	at_ok("09:00:01", BERLIN, "2026-06-01T07:00", "2026-06-01T07:00:01");
	at_ok("09:00", BERLIN, "2026-06-01T10:00", "2026-06-02T07:00");
	at_ok("00:00", "UTC", "2026-12-31T23:59", "2027-01-01T00:00");
	at_ok("23:30", NY, "2026-06-01T02:00", "2026-06-01T03:30");
	at_ok("09:00", NULL, "2026-06-01T10:00", "2026-06-02T00:00");
	at_ok("02:30", NY, "2024-03-10T05:00", "2024-03-10T07:00");
	at_ok("02:30", NY, "2024-03-10T07:00", "2024-03-11T06:30");
	at_ok("01:30", NY, "2024-11-03T05:00", "2024-11-03T05:30");
	at_ok("01:30", NY, "2024-11-03T05:45", "2024-11-04T06:30");
	at_ok("02:15", LHI, "2024-10-05T12:00", "2024-10-05T15:30");

	at_bad("", BERLIN);
	at_bad("9:00", BERLIN);
	at_bad("09:60", BERLIN);
	at_bad("24:00", BERLIN);
	at_bad("09:00:60", BERLIN);
	at_bad("09:00 ", BERLIN);
	at_bad("2026-12-01", BERLIN);
	at_bad("2026-12-01T9:00", BERLIN);
	at_bad("2026-02-29T09:00", BERLIN);
	at_bad("2026-13-01T09:00", BERLIN);
	at_bad("2026-00-01T09:00", BERLIN);
	at_bad("2026-12-00T09:00", BERLIN);
	at_bad("2026-12-01T09:00+1", BERLIN);
	at_bad("2026-12-01T09:00+0100", BERLIN);
	at_bad("2026-12-01T09:00+01:60", BERLIN);
	at_bad("2026-12-01T09:00Zx", BERLIN);
	at_bad("2026-12-01T09:00:00.5", BERLIN);
	at_bad("2026-12-01T09:00", "Nowhere/Zone");
	at_bad("09:00", "Nowhere/Zone");
}
END_TEST

/* at_parse must refuse s as out of range, leaving the output alone. */
static void
at_range(const char *s, const char *tz, const char *now)
{
	time_t	 t = 12345;

	errno = 0;
	ck_assert_msg(at_parse(s, tz, utc(now), &t) == -1, "\"%s\" accepted",
	    s);
	ck_assert_msg(errno == ERANGE, "\"%s\": errno %d, not ERANGE", s,
	    errno);
	ck_assert_int_eq(t, 12345);
}

/*
 * cron_next from after must find exactly the instants in want (UTC), then
 * nothing ("no next time") before the end of 9999.
 */
static void
must_end(const char *tz, const char *expr, const char *from,
    const char *const *want)
{
	struct cron	*c = must_parse(expr);
	time_t		 t = utc(from), next = 12345;
	int		 i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_msg(cron_next(c, tz, t, &t) == 0, "%s \"%s\": "
		    "nothing, want %s", tz, expr, want[i]);
		ck_assert_msg(t == utc(want[i]), "%s \"%s\": got %s, want %s",
		    tz, expr, utc_str(t, 0), want[i]);
	}
	errno = 0;
	ck_assert_msg(cron_next(c, tz, t, &next) == -1, "%s \"%s\" after %s: "
	    "got %s", tz, expr, utc_str(t, 0), utc_str(next, 1));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(next, 12345);
	cron_free(c);
}

#define END(tz, expr, from, ...) do {					\
	static const char *const end_want[] = { __VA_ARGS__ };		\
	must_end(tz, expr, from, end_want);				\
} while (0)

/*
 * Times are bounded to 1970-01-01..9999-12-31 UTC: "at" refuses others
 * (2600 used to wrap the uint64 ns and fire at once, 1960 to wait for
 * ever), and cron_next never searches past the end.
 */
START_TEST(test_bounds)
{
	struct cron	*c;
	time_t		 t = 12345;

	at_ok("9999-12-31T23:59:59Z", "UTC", "2026-01-01T00:00",
	    "9999-12-31T23:59:59");
	at_ok("9999-12-31T23:59:59", "Asia/Tokyo", "2026-01-01T00:00",
	    "9999-12-31T14:59:59");
	at_ok("2600-01-01T00:00:00Z", NY, "2026-01-01T00:00",
	    "2600-01-01T00:00");
	at_ok("1970-01-01T00:00:00Z", NY, "2026-01-01T00:00",
	    "1970-01-01T00:00");
	at_ok("1970-01-01T01:00:00+01:00", NY, "2026-01-01T00:00",
	    "1970-01-01T00:00");
	at_range("1969-12-31T23:59:59Z", "UTC", "2026-01-01T00:00");
	at_range("1960-01-01T00:00:00", "UTC", "2026-01-01T00:00");
	at_range("0000-01-01T00:00:00Z", "UTC", "2026-01-01T00:00");
	at_range("1970-01-01T00:00:00", BERLIN, "2026-01-01T00:00");
	at_range("9999-12-31T23:59:59-00:01", "UTC", "2026-01-01T00:00");
	at_range("9999-12-31T19:00", NY, "2026-01-01T00:00");
	/* The next such time of day would be in year 10000. */
	at_range("00:30", "UTC", "9999-12-31T12:00");
	at_ok("13:00", "UTC", "9999-12-31T12:00", "9999-12-31T13:00");
	at_bad("10000-01-01T00:00:00Z", "UTC");

	/* The last firings, then ENOENT. */
	END("UTC", "* * * * *", "9999-12-31T23:57:30", "9999-12-31T23:58",
	    "9999-12-31T23:59", NULL);
	END("UTC", "0 0 1 1 *", "9999-01-01T00:00", NULL);
	END("UTC", "0 0 29 2 *", "9996-02-29T00:00", NULL);
	END("UTC", "59 23 31 12 *", "9999-06-01T00:00", "9999-12-31T23:59",
	    NULL);
	/* Local midnight in Tokyo is still 9999 in UTC; 20:00 in NY is not. */
	END("Asia/Tokyo", "0 0 1 1 *", "9999-06-01T00:00",
	    "9999-12-31T15:00", NULL);
	END(NY, "0 20 31 12 *", "9999-06-01T00:00", NULL);
	END(NY, "0 18 31 12 *", "9999-06-01T00:00", "9999-12-31T23:00",
	    NULL);
	/* Outside the range: ERANGE. */
	c = must_parse("* * * * *");
	errno = 0;
	ck_assert_int_eq(cron_next(c, "UTC", utc("9999-12-31T23:59:59") + 1,
	    &t), -1);
	ck_assert_int_eq(errno, ERANGE);
	errno = 0;
	ck_assert_int_eq(cron_next(c, "UTC", -1, &t), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(t, 12345);
	ck_assert_int_eq(cron_next(c, "UTC", 0, &t), 0);
	ck_assert_int_eq(t, 60);
	cron_free(c);
}
END_TEST

START_TEST(test_tz)
{
	struct tm	 tm;
	long		 off;
	int		 i;

	ck_assert(tz_valid("Europe/Berlin"));
	ck_assert(tz_valid("UTC"));
	ck_assert(tz_valid(LHI));
	ck_assert(tz_valid("Etc/GMT+5"));
	ck_assert(!tz_valid(NULL));
	ck_assert(!tz_valid(""));
	ck_assert(!tz_valid("Nowhere/Zone"));
	ck_assert(!tz_valid("Europe"));
	ck_assert(!tz_valid("Europe/"));
	ck_assert(!tz_valid("../../../etc/passwd"));
	ck_assert(!tz_valid("Europe/../Europe/Berlin"));
	ck_assert(!tz_valid("/usr/share/zoneinfo/UTC"));
	ck_assert(!tz_valid("zone.tab"));
	ck_assert(!tz_valid("Europe/Berlin "));

	/* Switching back and forth must give each zone's answer. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(tz_offset(BERLIN, utc("2024-07-01T00:00"),
		    &off), 0);
		ck_assert_int_eq(off, 7200);
		ck_assert_int_eq(tz_offset(LHI, utc("2024-07-01T00:00"), &off),
		    0);
		ck_assert_int_eq(off, 37800);
		ck_assert_int_eq(tz_offset(NY, utc("2024-01-01T00:00"), &off),
		    0);
		ck_assert_int_eq(off, -18000);
		ck_assert_int_eq(tz_offset(NULL, 0, &off), 0);
		ck_assert_int_eq(off, 32400);
	}
	ck_assert_int_eq(tz_localtime(LHI, utc("2024-10-05T15:30"), &tm), 0);
	ck_assert_int_eq(tm.tm_year, 124);
	ck_assert_int_eq(tm.tm_mon, 9);
	ck_assert_int_eq(tm.tm_mday, 6);
	ck_assert_int_eq(tm.tm_hour, 2);
	ck_assert_int_eq(tm.tm_min, 30);
	ck_assert_int_eq(tm.tm_isdst, 1);
	off = 1;
	errno = 0;
	ck_assert_int_eq(tz_offset("Nowhere/Zone", 0, &off), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(off, 1);
}
END_TEST

/* A small seeded generator, so a failure can be replayed. */
static uint64_t
fuzz_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (*state);
}

/* Append one random, usually plausible, token for field f. */
static void
fuzz_token(uint64_t *st, int f, char *buf, size_t len)
{
	static const int	 max[] = { 59, 23, 31, 12, 7 };
	static const char *const words[] = { "jan", "FEB", "dec", "sun", "Mon",
	    "sat", "foo", "x", "", "-", "/", ",", "*", "**", "1-", "-1", "7",
	    "0", "60", "32", "/0" };
	char			 tok[64];
	int			 a, b;
	unsigned int		 kind = fuzz_rand(st) % 40;

	/* Now and then one past the end of the field. */
	a = (int)(fuzz_rand(st) % (max[f] + (kind == 0 ? 3 : 1)));
	b = (int)(fuzz_rand(st) % (max[f] + (kind == 1 ? 3 : 1)));
	kind %= 20;
	switch (kind) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
		snprintf(tok, sizeof tok, "*");
		break;
	case 6:
	case 7:
	case 8:
	case 9:
	case 10:
		snprintf(tok, sizeof tok, "%d", a);
		break;
	case 11:
	case 12:
		snprintf(tok, sizeof tok, "%d-%d", a < b ? a : b,
		    a < b ? b : a);
		break;
	case 13:
	case 14:
		snprintf(tok, sizeof tok, "*/%d", 1 + b % (max[f] + 1));
		break;
	case 15:
		snprintf(tok, sizeof tok, "%d-%d/%d", a < b ? a : b,
		    a < b ? b : a, b % 9);
		break;
	case 16:
		snprintf(tok, sizeof tok, "%d/%d", a, 1 + b % 20);
		break;
	case 17:
		snprintf(tok, sizeof tok, "%d,%d", a, b);
		break;
	case 18:
		snprintf(tok, sizeof tok, "%d-%d", a, b);
		break;
	default:
		snprintf(tok, sizeof tok, "%s",
		    words[fuzz_rand(st) % (sizeof words / sizeof words[0])]);
		break;
	}
	strncat(buf, tok, len - strlen(buf) - 1);
}

START_TEST(test_fuzz)
{
	static const char *const zones[] = { "UTC", NY, BERLIN, LHI,
	    "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham",
	    "Pacific/Apia", "Africa/Casablanca", "America/Santiago", NULL };
	static const char *const shortcuts[] = { "@daily", "@hourly",
	    "@weekly", "@monthly", "@yearly", "@nope", "@", "@daily *" };
	const time_t	 lo = 0, hi = utc("2100-01-01T00:00");
	uint64_t	 st = 0x5ced5eedULL;
	struct cron	*c;
	struct tm	 tm;
	char		 expr[256], *cause;
	const char	*tz;
	time_t		 after, t, prev, mid, again;
	int		 i, j, f, k, n, column, accepted = 0, fired = 0;

	for (i = 0; i < 20000; i++) {
		expr[0] = '\0';
		if (fuzz_rand(&st) % 20 == 0)
			snprintf(expr, sizeof expr, "%s", shortcuts[fuzz_rand(
			    &st) % (sizeof shortcuts / sizeof shortcuts[0])]);
		else {
			n = fuzz_rand(&st) % 16 == 0 ?
			    (int)(fuzz_rand(&st) % 8) : 5;
			for (f = 0; f < n; f++) {
				if (f > 0)
					strcat(expr, fuzz_rand(&st) % 8 ?
					    " " : " \t ");
				k = 1 + (int)(fuzz_rand(&st) % 3);
				for (j = 0; j < k; j++) {
					if (j > 0)
						strcat(expr, ",");
					fuzz_token(&st, f % 5, expr,
					    sizeof expr);
				}
			}
		}
		c = NULL;
		cause = NULL;
		column = 0;
		if (cron_parse(expr, &c, &cause, &column) != 0) {
			ck_assert_ptr_null(c);
			ck_assert_msg(cause != NULL && *cause != '\0',
			    "\"%s\": no cause", expr);
			ck_assert_msg(column >= 1 &&
			    column <= (int)strlen(expr) + 1,
			    "\"%s\": column %d", expr, column);
			free(cause);
			continue;
		}
		accepted++;
		tz = zones[fuzz_rand(&st) % (sizeof zones / sizeof zones[0])];
		after = lo + (time_t)(fuzz_rand(&st) % (uint64_t)(hi - lo));
		prev = after;
		for (j = 0; j < 50; j++) {
			if (cron_next(c, tz, prev, &t) != 0)
				break;
			ck_assert_msg(t > prev, "\"%s\" in %s after %lld: %lld",
			    expr, tz, (long long)prev, (long long)t);
			/* From anywhere in between, the same firing is next. */
			mid = prev + (time_t)(fuzz_rand(&st) %
			    (uint64_t)(t - prev));
			ck_assert_int_eq(cron_next(c, tz, mid, &again), 0);
			ck_assert_msg(again == t, "\"%s\" in %s after %lld: "
			    "%lld, but after %lld: %lld", expr, tz,
			    (long long)prev, (long long)t, (long long)mid,
			    (long long)again);
			ck_assert_int_eq(tz_localtime(tz, t, &tm), 0);
			ck_assert_msg(tm.tm_sec == 0, "\"%s\" in %s: %lld "
			    "is not on a minute", expr, tz, (long long)t);
			prev = t;
			fired++;
		}
		/* Accepted expressions always fire within nine years. */
		ck_assert_msg(j > 0, "\"%s\" in %s after %lld: never", expr, tz,
		    (long long)after);
		cron_free(c);
	}
	ck_assert_int_gt(accepted, 3000);
	ck_assert_int_gt(fired, 100000);
}
END_TEST

static Suite *
cron_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("cron");
	tc = tcase_create("cron");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_steps_from);
	tcase_add_test(tc, test_shortcuts);
	tcase_add_test(tc, test_next_basic);
	tcase_add_test(tc, test_next_errors);
	tcase_add_test(tc, test_dst_new_york);
	tcase_add_test(tc, test_dst_berlin);
	tcase_add_test(tc, test_dst_lord_howe);
	tcase_add_test(tc, test_at);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_tz);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	/* The process's own zone, which a NULL zone stands for. */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	return (unit_run(cron_suite(), 0));
}
