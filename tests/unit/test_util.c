/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the pure helpers: durations, sizes, job names, signals and
 * times (with the clock and the time zone injected).
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "unit.h"

/* Run with a fixed time zone, whatever the machine's. */
static void
test_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* parse_duration must give ms. */
static void
test_duration_ok(const char *s, uint64_t want)
{
	uint64_t	 ms = 12345;

	ck_assert_msg(parse_duration(s, &ms) == 0, "\"%s\" refused", s);
	ck_assert_msg(ms == want, "\"%s\": got %llu, want %llu", s,
	    (unsigned long long)ms, (unsigned long long)want);
}

/* parse_duration must refuse, with errno, leaving the output alone. */
static void
test_duration_bad(const char *s, int want_errno)
{
	uint64_t	 ms = 12345;

	errno = 0;
	ck_assert_msg(parse_duration(s, &ms) == -1, "\"%s\" accepted", s);
	ck_assert_int_eq(errno, want_errno);
	ck_assert_uint_eq(ms, 12345);
}

START_TEST(test_parse_duration)
{
	test_duration_ok("250ms", 250);
	test_duration_ok("30s", 30000);
	test_duration_ok("5m", 300000);
	test_duration_ok("2h", 7200000);
	test_duration_ok("1d", 86400000);
	test_duration_ok("1h30m", 5400000);
	test_duration_ok("10", 10000);
	test_duration_ok("0", 0);
	test_duration_ok("0s", 0);
	test_duration_ok("1m30s500ms", 90500);
	test_duration_ok("90m", 5400000);

	test_duration_bad("", EINVAL);
	test_duration_bad("5x", EINVAL);
	test_duration_bad("1h30", EINVAL);
	test_duration_bad("-1", EINVAL);
	test_duration_bad("+1", EINVAL);
	test_duration_bad("1.5s", EINVAL);
	test_duration_bad("1h 30m", EINVAL);
	test_duration_bad(" 1s", EINVAL);
	test_duration_bad("s", EINVAL);
	test_duration_bad("5M", EINVAL);
	test_duration_bad("99999999999999999999999", ERANGE);
	test_duration_bad("18446744073709551615d", ERANGE);
	test_duration_bad("40000d", ERANGE);
	test_duration_ok("36500d", (uint64_t)36500 * 86400000);
}
END_TEST

/* parse_size must give bytes. */
static void
test_size_ok(const char *s, uint64_t want)
{
	uint64_t	 n = 7;

	ck_assert_msg(parse_size(s, &n) == 0, "\"%s\" refused", s);
	ck_assert_msg(n == want, "\"%s\": got %llu", s, (unsigned long long)n);
}

/* parse_size must refuse. */
static void
test_size_bad(const char *s)
{
	uint64_t	 n = 7;

	ck_assert_msg(parse_size(s, &n) == -1, "\"%s\" accepted", s);
	ck_assert_uint_eq(n, 7);
}

START_TEST(test_parse_size)
{
	test_size_ok("512", 512);
	test_size_ok("0", 0);
	test_size_ok("512B", 512);
	test_size_ok("4KiB", 4096);
	test_size_ok("4K", 4096);
	test_size_ok("4KB", 4096);
	test_size_ok("1MiB", 1048576);
	test_size_ok("2GiB", (uint64_t)2 << 30);
	test_size_ok("1T", (uint64_t)1 << 40);

	test_size_bad("");
	test_size_bad("KiB");
	test_size_bad("4XB");
	test_size_bad("-1");
	test_size_bad("4 KiB");
	test_size_bad("1.5MiB");
	test_size_bad("99999999999999999999");
	test_size_bad("99999999999T");
}
END_TEST

/* format_duration must write this. */
static void
test_format(uint64_t ms, const char *want)
{
	char	*s;

	s = format_duration(ms);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_format_duration)
{
	uint64_t	 back;
	char		*s;

	test_format(0, "0s");
	test_format(250, "250ms");
	test_format(1000, "1s");
	test_format(300000, "5m");
	test_format(5400000, "1h30m");
	test_format(86400000, "1d");
	test_format(90061001, "1d1h1m1s1ms");
	test_format(3600000 + 500, "1h500ms");

	/* What it writes reads back the same. */
	s = format_duration(123456789);
	ck_assert_int_eq(parse_duration(s, &back), 0);
	ck_assert_uint_eq(back, 123456789);
	free(s);
}
END_TEST

/* format_size and format_elapsed must write this. */
static void
test_text(char *got, const char *want)
{
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_format_size_elapsed)
{
	uint64_t	 back;
	char		*s;

	test_text(format_size(0), "0");
	test_text(format_size(1536), "1536");
	test_text(format_size(4096), "4KiB");
	test_text(format_size(1048576), "1MiB");
	test_text(format_size((uint64_t)3 << 30), "3GiB");
	test_text(format_size((uint64_t)1 << 40), "1TiB");
	/* What format_size writes reads back the same. */
	s = format_size(65536);
	ck_assert_int_eq(parse_size(s, &back), 0);
	ck_assert_uint_eq(back, 65536);
	free(s);

	test_text(format_elapsed(-5), "0ms");
	test_text(format_elapsed(250), "250ms");
	test_text(format_elapsed(1000), "1.0s");
	test_text(format_elapsed(1250), "1.2s");
	test_text(format_elapsed(184000), "3m4s");
	test_text(format_elapsed(7500000), "2h5m");
	test_text(format_elapsed(90000000), "1d1h");
}
END_TEST

START_TEST(test_name_valid)
{
	char	 name[80];

	memset(name, 'a', sizeof name);
	name[64] = '\0';
	ck_assert(name_valid(name));
	name[64] = 'a';
	name[65] = '\0';
	ck_assert(!name_valid(name));
	name[0] = '_';
	name[64] = '\0';
	ck_assert(name_valid(name));

	ck_assert(name_valid("backup"));
	ck_assert(name_valid("a"));
	ck_assert(name_valid("_"));
	ck_assert(name_valid("fetch-prices"));
	ck_assert(name_valid("job@host.example-1_x"));
	ck_assert(name_valid("Z9"));

	ck_assert(!name_valid(""));
	ck_assert(!name_valid(NULL));
	ck_assert(!name_valid("9lives"));
	ck_assert(!name_valid("42"));
	ck_assert(!name_valid("-x"));
	ck_assert(!name_valid(".x"));
	ck_assert(!name_valid("@x"));
	ck_assert(!name_valid("a b"));
	ck_assert(!name_valid("a/b"));
	ck_assert(!name_valid("a*"));
	ck_assert(!name_valid("caf\xc3\xa9"));
	ck_assert(!name_valid("a\n"));
}
END_TEST

START_TEST(test_signal)
{
	ck_assert_int_eq(signal_parse("TERM"), SIGTERM);
	ck_assert_int_eq(signal_parse("SIGTERM"), SIGTERM);
	ck_assert_int_eq(signal_parse("sigterm"), SIGTERM);
	ck_assert_int_eq(signal_parse("kill"), SIGKILL);
	ck_assert_int_eq(signal_parse("HUP"), SIGHUP);
	ck_assert_int_eq(signal_parse("USR1"), SIGUSR1);
	ck_assert_int_eq(signal_parse("15"), 15);
	ck_assert_int_eq(signal_parse("9"), 9);

	ck_assert_int_eq(signal_parse("0"), -1);
	ck_assert_int_eq(signal_parse("-1"), -1);
	ck_assert_int_eq(signal_parse("1000"), -1);
	ck_assert_int_eq(signal_parse("15x"), -1);
	ck_assert_int_eq(signal_parse("FOO"), -1);
	ck_assert_int_eq(signal_parse("SIG"), -1);
	ck_assert_int_eq(signal_parse(""), -1);

	ck_assert_str_eq(signal_name(SIGTERM), "TERM");
	ck_assert_str_eq(signal_name(SIGKILL), "KILL");
	ck_assert_str_eq(signal_name(0), "UNKNOWN");
}
END_TEST

/* time_parse must give this instant. */
static void
test_time_ok(const char *s, time_t now, time_t want)
{
	struct timespec	 ts;

	memset(&ts, 0, sizeof ts);
	ck_assert_msg(time_parse(s, now, &ts) == 0, "\"%s\" refused", s);
	ck_assert_msg(ts.tv_sec == want, "\"%s\": got %lld, want %lld", s,
	    (long long)ts.tv_sec, (long long)want);
}

/* time_parse must refuse. */
static void
test_time_bad(const char *s)
{
	struct timespec	 ts;

	ts.tv_sec = 42;
	ck_assert_msg(time_parse(s, 0, &ts) == -1, "\"%s\" accepted", s);
	ck_assert_int_eq(ts.tv_sec, 42);
}

START_TEST(test_time_parse)
{
	/* 2026-03-01T10:00:00Z */
	const time_t	 now = 1772359200;

	test_tz("UTC");
	test_time_ok("2026-12-01T09:00:00", now, 1796115600);
	test_time_ok("2026-12-01T09:00", now, 1796115600);
	test_time_ok("2026-12-01 09:00:00", now, 1796115600);
	test_time_ok("2026-12-01T09:00:00.250", now, 1796115600);
	test_time_ok("2026-12-01T09:00:00Z", now, 1796115600);
	test_time_ok("2026-12-01T10:00:00+01:00", now, 1796115600);
	test_time_ok("2026-12-01T04:30:00-04:30", now, 1796115600);
	test_time_ok("2024-02-29T00:00:00Z", now, 1709164800);

	/* HH:MM is the next such time after now. */
	test_time_ok("11:30", now, 1772364600);
	test_time_ok("09:00", now, 1772442000);
	test_time_ok("10:00", now, 1772359200 + 86400);
	test_time_ok("10:00:01", now, 1772359201);

	/* Local times follow TZ; explicit offsets do not. */
	test_tz("Europe/Paris");
	test_time_ok("2026-07-01T12:00:00", now, 1782900000);
	test_time_ok("2026-07-01T10:00:00Z", now, 1782900000);
	test_time_ok("2026-12-01T10:00:00", now, 1796115600);
	/* 2026-03-01 is winter in Paris: 12:00 local is 11:00Z. */
	test_time_ok("12:00", now, 1772359200 + 3600);
	test_tz("UTC");

	test_time_bad("");
	test_time_bad("tomorrow");
	test_time_bad("2026-02-30T10:00:00");
	test_time_bad("2023-02-29T10:00:00");
	test_time_bad("2026-13-01T10:00:00");
	test_time_bad("2026-00-01T10:00:00");
	test_time_bad("2026-04-31T10:00:00");
	test_time_bad("2026-12-01T24:00:00");
	test_time_bad("2026-12-01T09:60:00");
	test_time_bad("2026-12-01T09:00:00+1");
	test_time_bad("2026-12-01T09:00:00Zjunk");
	test_time_bad("2026-12-01");
	test_time_bad("25:00");
	test_time_bad("9:00");
	test_time_bad("09:61");
	test_time_bad("09:00x");
}
END_TEST

/* time_parse must refuse s as out of range. */
static void
test_time_range(const char *s, time_t now)
{
	struct timespec	 ts;

	ts.tv_sec = 42;
	errno = 0;
	ck_assert_msg(time_parse(s, now, &ts) == -1, "\"%s\" accepted", s);
	ck_assert_msg(errno == ERANGE, "\"%s\": errno %d, not ERANGE", s,
	    errno);
	ck_assert_int_eq(ts.tv_sec, 42);
}

/*
 * Times are bounded to 1970-01-01..9999-12-31 UTC (uint64 ns end in 2554):
 * the parsers refuse others with ERANGE rather than wrap.
 */
START_TEST(test_time_bounds)
{
	test_tz("UTC");
	ck_assert_int_eq(TIME_SEC_MAX, 253402300799LL);
	ck_assert_int_eq(time_in_range(0), 1);
	ck_assert_int_eq(time_in_range(-1), 0);
	ck_assert_int_eq(time_in_range(TIME_SEC_MAX), 1);
	ck_assert_int_eq(time_in_range(TIME_SEC_MAX + 1), 0);
	test_time_ok("1970-01-01T00:00:00Z", 0, 0);
	test_time_ok("1970-01-01T00:00:00", 0, 0);
	test_time_ok("9999-12-31T23:59:59Z", 0, TIME_SEC_MAX);
	test_time_ok("9999-12-31T23:59:59.999", 0, TIME_SEC_MAX);
	test_time_ok("2600-01-01T00:00:00Z", 0, 19880899200LL);
	test_time_range("1969-12-31T23:59:58Z", 0);
	test_time_range("1960-01-01T00:00:00", 0);
	test_time_range("0000-01-01T00:00:00Z", 0);
	test_time_range("1970-01-01T00:30:00+01:00", 0);
	test_time_range("9999-12-31T23:00:00-01:00", 0);
	/* The next 00:30 after the last day's noon is in year 10000. */
	test_time_range("00:30", TIME_SEC_MAX - 12 * 3600);
	test_tz("Asia/Tokyo");
	test_time_ok("9999-12-31T23:59:59", 0, TIME_SEC_MAX - 9 * 3600);
	test_tz("America/New_York");
	test_time_range("9999-12-31T19:00:00", 0);
	test_tz("UTC");
	/* Too short to be a year 10000: not a time at all. */
	test_time_bad("10000-01-01T00:00:00Z");
}
END_TEST

START_TEST(test_time_format)
{
	struct timespec	 ts;
	char		*s;

	test_tz("UTC");
	ts.tv_sec = 1796115600;
	ts.tv_nsec = 250000000;
	s = time_format(&ts);
	ck_assert_str_eq(s, "2026-12-01T09:00:00.250+00:00");
	free(s);
	test_tz("Europe/Paris");
	s = time_format(&ts);
	ck_assert_str_eq(s, "2026-12-01T10:00:00.250+01:00");
	free(s);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("util");
	tc = tcase_create("util");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_parse_size);
	tcase_add_test(tc, test_format_duration);
	tcase_add_test(tc, test_format_size_elapsed);
	tcase_add_test(tc, test_name_valid);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_time_parse);
	tcase_add_test(tc, test_time_bounds);
	tcase_add_test(tc, test_time_format);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (unit_run(util_suite(), 0));
}
