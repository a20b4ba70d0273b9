/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the JSON writer (common/jw.h) and the daemon's writers
 * built on it: what it writes must be what jansson writes for the same
 * values -- strings byte for byte, whatever bytes they hold -- and times
 * what time_format always wrote; and the metrics text's label values.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jw.h"
#include "metrics.h"
#include "schedd.h"
#include "unit.h"
#include "util.h"

/* What the writer holds, as a string the caller frees. */
static char *
test_text(const struct jw *w)
{
	char	*s;

	s = malloc(w->len + 1);
	memcpy(s, w->buf, w->len);
	s[w->len] = '\0';
	return (s);
}

/* jansson's compact text of v (taken). */
static char *
test_jansson(json_t *v)
{
	char	*s;

	ck_assert_ptr_nonnull(v);
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	return (s);
}

/* The writer's text of n bytes as a string. */
static char *
test_jw_text(const char *p, size_t n)
{
	struct jw	 w;
	char		*s;

	jw_init(&w);
	jw_text(&w, p, n);
	s = test_text(&w);
	jw_free(&w);
	return (s);
}

/*
 * One string: where jansson takes it (valid UTF-8, no NUL) the writer
 * writes what jansson writes; anyway it writes what jansson writes for
 * sjson_text's string, and JSON that jansson reads back.
 */
static void
test_one_string(const unsigned char *p, size_t n)
{
	json_t	*v;
	char	*mine, *theirs;

	mine = test_jw_text((const char *)p, n);
	if (memchr(p, '\0', n) == NULL &&
	    (v = json_stringn((const char *)p, n)) != NULL) {
		theirs = test_jansson(v);
		ck_assert_str_eq(mine, theirs);
		free(theirs);
	}
	theirs = test_jansson(sjson_text((const char *)p, n));
	ck_assert_str_eq(mine, theirs);
	free(theirs);
	v = json_loads(mine, JSON_DECODE_ANY, NULL);
	ck_assert_msg(v != NULL, "not JSON: %s", mine);
	json_decref(v);
	free(mine);
}

START_TEST(test_jw_bytes)
{
	unsigned char	 b[2];
	int		 i;

	for (i = 0; i < 256; i++) {
		b[0] = (unsigned char)i;
		test_one_string(b, 1);
		b[1] = 'x';
		test_one_string(b, 2);
	}
	test_one_string((const unsigned char *)"", 0);
}
END_TEST

START_TEST(test_jw_escapes)
{
	struct jw	 w;
	char		*s;

	jw_init(&w);
	jw_string(&w, "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f\xc3\xa9"
	    "\xf0\x9f\x98\x80");
	s = test_text(&w);
	ck_assert_str_eq(s, "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001F"
	    "\x7f\xc3\xa9\xf0\x9f\x98\x80\"");
	free(s);
	/* Not UTF-8: an overlong '/', a surrogate, past U+10FFFF, cut. */
	jw_clear(&w);
	jw_text(&w, "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82", 14);
	s = test_text(&w);
	ck_assert_str_eq(s, "\"\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd\"");
	free(s);
	jw_free(&w);
}
END_TEST

/* Random strings of the bytes where encoders differ, against jansson. */
START_TEST(test_jw_random)
{
	static const unsigned char	 alphabet[] = { 0x00, 0x01, 0x08, 0x09,
	    0x0a, 0x1f, 0x20, '"', '\\', '/', 'a', 0x7f, 0x80, 0x8f, 0x90,
	    0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
	    0xf4, 0xf5, 0xf8, 0xff };
	unsigned char			 b[12];
	size_t				 n, i;
	int				 k;

	srandom(10);
	for (k = 0; k < 200000; k++) {
		n = (size_t)random() % sizeof b;
		for (i = 0; i < n; i++)
			b[i] = alphabet[(size_t)random() % sizeof alphabet];
		test_one_string(b, n);
	}
}
END_TEST

START_TEST(test_jw_numbers)
{
	static const int64_t	 v[] = { 0, 1, -1, 9, 10, -10, 123456789,
	    INT32_MAX, INT32_MIN, (int64_t)UINT32_MAX + 1, INT64_MAX,
	    INT64_MIN, INT64_MIN + 1 };
	struct jw		 w;
	size_t			 i;
	char			*mine, *theirs;

	jw_init(&w);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		jw_clear(&w);
		jw_int(&w, v[i]);
		mine = test_text(&w);
		theirs = test_jansson(json_integer(v[i]));
		ck_assert_str_eq(mine, theirs);
		free(mine);
		free(theirs);
	}
	jw_free(&w);
}
END_TEST

/*
 * Objects, arrays, nesting and the commas between, sent in parts (the
 * buffer emptied between two, as a stream does) and whole.
 */
START_TEST(test_jw_document)
{
	struct jw	 w;
	json_t		*id;
	char		*whole = NULL, *theirs, *parts;
	size_t		 plen = 0;
	int		 round, i;

	id = json_pack("[i,{s:f,s:[]},s,n,b]", 7, "r", 1.5, "e", "x", 1);
	parts = calloc(1, 4096);
	for (round = 0; round < 2; round++) {
		jw_init(&w);
		jw_object_open(&w);
		jw_key(&w, "id");
		sjson_write(&w, id);
		jw_kbool(&w, "ok", 1);
		jw_key(&w, "result");
		jw_object_open(&w);
		jw_key(&w, "list");
		jw_array_open(&w);
		for (i = 0; i < 4; i++) {
			if (round == 1) {
				memcpy(parts + plen, w.buf, w.len);
				plen += w.len;
				jw_drop(&w);
			}
			jw_object_open(&w);
			jw_kint(&w, "i", i);
			jw_kstring(&w, "s", i % 2 ? NULL : "v");
			jw_knull(&w, "n");
			jw_key(&w, "a");
			jw_array_open(&w);
			jw_array_close(&w);
			jw_key(&w, "o");
			jw_object_open(&w);
			jw_object_close(&w);
			jw_object_close(&w);
		}
		jw_array_close(&w);
		jw_key(&w, "empty");
		jw_array_open(&w);
		jw_array_close(&w);
		jw_object_close(&w);
		jw_object_close(&w);
		if (round == 0)
			whole = test_text(&w);
		else {
			memcpy(parts + plen, w.buf, w.len);
			plen += w.len;
		}
		jw_free(&w);
	}
	theirs = test_jansson(json_pack("{s:O,s:b,s:{s:[{s:i,s:s,s:n,s:[],"
	    "s:{}},{s:i,s:n,s:n,s:[],s:{}},{s:i,s:s,s:n,s:[],s:{}},"
	    "{s:i,s:n,s:n,s:[],s:{}}],s:[]}}", "id", id, "ok", 1, "result",
	    "list", "i", 0, "s", "v", "n", "a", "o", "i", 1, "s", "n", "a",
	    "o", "i", 2, "s", "v", "n", "a", "o", "i", 3, "s", "n", "a", "o",
	    "empty"));
	ck_assert_str_eq(whole, theirs);
	ck_assert_str_eq(parts, theirs);
	json_decref(id);
	free(whole);
	free(parts);
	free(theirs);
}
END_TEST

/* time_format_buf against strftime, in zones east and west, DST on/off. */
static void
test_time_zone(const char *tz)
{
	static const time_t	 t[] = { 0, 1, 59, 86399, 951782400,
	    1700000000, 1711846800, 1730000000, 4102444800LL,
	    TIME_SEC_MAX - 86400, TIME_SEC_MAX };
	struct timespec		 ts;
	struct tm		 tm;
	char			 want[128], date[64], buf[TIME_FORMAT_MAX];
	char			*s;
	long			 off;
	size_t			 i, k, n;

	setenv("TZ", tz, 1);
	tzset();
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (k = 0; k < 3; k++) {
			ts.tv_sec = t[i];
			ts.tv_nsec = k == 0 ? 0 : k == 1 ? 7000000 : 999999999;
			localtime_r(&ts.tv_sec, &tm);
			strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
			off = tm.tm_gmtoff / 60;
			snprintf(want, sizeof want, "%s.%03ld%c%02ld:%02ld",
			    date, ts.tv_nsec / 1000000, off < 0 ? '-' : '+',
			    labs(off) / 60, labs(off) % 60);
			n = time_format_buf(&ts, buf);
			ck_assert_str_eq(buf, want);
			ck_assert_uint_eq(n, strlen(want));
			s = time_format(&ts);
			ck_assert_str_eq(s, want);
			free(s);
		}
	}
}

START_TEST(test_jw_times)
{
	test_time_zone("UTC");
	test_time_zone("America/New_York");
	test_time_zone("Asia/Kolkata");
	test_time_zone("Australia/Lord_Howe");
	test_time_zone("Pacific/Kiritimati");
}
END_TEST

/*
 * A label value of the metrics text (schedd.8 METRICS): backslash,
 * double quote and newline escaped, every other byte as it is.
 */
START_TEST(test_jw_metrics_label)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "backup", "\"backup\"" },
		{ "", "\"\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "two\nlines", "\"two\\nlines\"" },
		{ "tab\there \xc3\xa9", "\"tab\there \xc3\xa9\"" },
	};
	struct jw	 w;
	char		*s;
	size_t		 i;

	jw_init(&w);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		jw_clear(&w);
		metrics_label(&w, cases[i].in);
		s = test_text(&w);
		ck_assert_str_eq(s, cases[i].want);
		free(s);
	}
	jw_free(&w);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("jw");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_jw_bytes);
	tcase_add_test(tc, test_jw_escapes);
	tcase_add_test(tc, test_jw_random);
	tcase_add_test(tc, test_jw_numbers);
	tcase_add_test(tc, test_jw_document);
	tcase_add_test(tc, test_jw_times);
	tcase_add_test(tc, test_jw_metrics_label);
	suite_add_tcase(s, tc);
	return (unit_run(s, 1));
}
