/* SPDX-License-Identifier: ISC */

/*
 * Unit tests for the YAML that schedctl writes (client/yamlout.c): every
 * UTF-8 string, quoted, reads back from libyaml exactly, as a mapping
 * value and in a flow list; what is not UTF-8 has no quoted form; and a
 * comment made of any bytes is one YAML comment line.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "client.h"
#include "unit.h"

#define RANDOM_ROUNDS	20000

/*
 * Parse text and return the n-th scalar's value (caller frees), or NULL
 * if libyaml refuses the text or it has fewer scalars.
 */
static char *
yaml_nth_scalar(const char *text, int n)
{
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	char		*out = NULL;
	int		 done = 0, i = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text,
	    strlen(text));
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			free(out);
			out = NULL;
			break;
		}
		if (ev.type == YAML_SCALAR_EVENT && i++ == n && out == NULL) {
			out = malloc(ev.data.scalar.length + 1);
			memcpy(out, ev.data.scalar.value,
			    ev.data.scalar.length);
			out[ev.data.scalar.length] = '\0';
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return (out);
}

/* s written as q, a value or (list) twice in a list, must read back. */
static void
roundtrip_in(int list, const char *s, const char *q)
{
	char	*text, *got;
	int	 rc;

	if (list)
		rc = asprintf(&text, "key: [%s, %s]\n", q, q);
	else
		rc = asprintf(&text, "key: %s\n", q);
	if (rc == -1)
		ck_abort();
	got = yaml_nth_scalar(text, list ? 2 : 1);
	ck_assert_msg(got != NULL && strcmp(got, s) == 0,
	    "\"%s\" written as %s in \"%s\" read back as \"%s\"", s, q,
	    text, got != NULL ? got : "(refused)");
	free(got);
	free(text);
}

/* s quoted must read back as s, as a value and in a flow list. */
static void
roundtrip(const char *s)
{
	char	*q;

	q = yout_scalar(s);
	ck_assert_msg(q != NULL, "\"%s\" has no YAML form", s);
	roundtrip_in(0, s, q);
	roundtrip_in(1, s, q);
	free(q);
}

/* The form chosen: plain, double-quoted or single-quoted as it should. */
static void
quoted_as(const char *s, const char *want)
{
	char	*q = yout_scalar(s);

	ck_assert_msg(q != NULL && strcmp(q, want) == 0,
	    "\"%s\": got %s, want %s", s, q != NULL ? q : "NULL", want);
	free(q);
	roundtrip(s);
}

START_TEST(test_forms)
{
	quoted_as("backup", "backup");
	quoted_as("/usr/bin/backup", "/usr/bin/backup");
	quoted_as("mail-root@example.org", "mail-root@example.org");
	quoted_as("", "\"\"");
	quoted_as("yes", "\"yes\"");
	quoted_as("No", "\"No\"");
	quoted_as("NULL", "\"NULL\"");
	quoted_as("~", "\"~\"");
	quoted_as("123", "\"123\"");
	quoted_as("1e3", "\"1e3\"");
	quoted_as(".inf", "\".inf\"");
	quoted_as("-c", "\"-c\"");
	quoted_as("30 2 * * *", "\"30 2 * * *\"");
	quoted_as("a: b # c", "\"a: b # c\"");
	quoted_as("/usr/bin:/bin", "\"/usr/bin:/bin\"");
	quoted_as("say \"hi\"", "'say \"hi\"'");
	quoted_as("it's \\n", "'it''s \\n'");
	quoted_as("a\nb", "\"a\\nb\"");
	quoted_as("tab\there", "\"tab\\there\"");
	quoted_as("cr\r", "\"cr\\r\"");
	quoted_as("\x01\x7f", "\"\\x01\\x7f\"");
	quoted_as("\"q\"\n", "\"\\\"q\\\"\\n\"");
	quoted_as("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	quoted_as("nel\xc2\x85", "\"nel\\x85\"");
	quoted_as("ls\xe2\x80\xa8", "\"ls\\u2028\"");
	quoted_as("\xef\xbb\xbf" "bom", "\"\\ufeffbom\"");
}
END_TEST

START_TEST(test_nasty)
{
	static const char *const s[] = { " lead", "trail ", "  ", "#", "# c",
	    "-", "- x", "--- x", "...", "? x", ": x", "x:", "x: ", "[a]",
	    "{a: b}", "a, b", "&anchor", "*alias", "!tag", "|", ">", "%x",
	    "@x", "`x`", "'", "\"", "\\", "''", "\\\"", "x\\", "\t", "\n",
	    "\n\n", " \n ", "a\r\nb", "\xc2\xa0nbsp", "\xe2\x80\xa9",
	    "\xef\xbf\xbe", "\xef\xbf\xbf", "\xf0\x9f\x98\x80",
	    "\xc2\x80\xc2\x9f", "true", "False", "on", "OFF", "y", "N",
	    "0x1F", "0o17", "+1", "-1", ".5", "1_000", "2026-01-01", NULL };
	size_t	 i;

	for (i = 0; s[i] != NULL; i++)
		roundtrip(s[i]);
}
END_TEST

/* Random strings of pieces YAML treats specially. */
START_TEST(test_random)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "\t", "\n",
	    "\r", ":", "#", "'", "\"", "\\", "-", "?", "[", "]", "{", "}",
	    ",", "&", "*", "!", "|", ">", "%", "@", "`", "~", "\x01", "\x1b",
	    "\x7f", "\xc3\xa9", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xa8",
	    "\xe2\x80\xa9", "\xef\xbb\xbf", "\xef\xbf\xbe", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", "\xc2\x80", NULL };
	char	 buf[256];
	size_t	 npieces, len, k;
	int	 i, n;

	for (npieces = 0; pieces[npieces] != NULL; npieces++)
		/* nothing */;
	srandom(13);
	for (i = 0; i < RANDOM_ROUNDS; i++) {
		len = 0;
		buf[0] = '\0';
		for (n = random() % 12; n > 0; n--) {
			k = random() % npieces;
			memcpy(buf + len, pieces[k], strlen(pieces[k]) + 1);
			len += strlen(pieces[k]);
		}
		roundtrip(buf);
	}
}
END_TEST

START_TEST(test_not_utf8)
{
	static const char *const s[] = { "\xff", "a\x80", "\xc0\x80",
	    "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
	    "\xf8\x88\x80\x80\x80", NULL };
	size_t	 i;

	for (i = 0; s[i] != NULL; i++) {
		ck_assert_msg(!yout_valid(s[i]), "string %zu taken as UTF-8",
		    i);
		ck_assert_ptr_null(yout_scalar(s[i]));
	}
	ck_assert(yout_valid("\xf4\x8f\xbf\xbf"));
}
END_TEST

/* A comment of any bytes is one line that YAML reads as a comment. */
START_TEST(test_comment)
{
	static const char *const s[] = { "plain", "", "x\ny", "x\rz",
	    "\xff\xfe bytes", "nel\xc2\x85", "ls\xe2\x80\xa8", "\x01\x7f",
	    "tab\tok", "caf\xc3\xa9", "\xe2\x82", NULL };
	char	*text, *got, *c;
	size_t	 i, len, lines;
	FILE	*fp;

	for (i = 0; s[i] != NULL; i++) {
		fp = open_memstream(&text, &len);
		yout_comment(fp, "  ", s[i]);
		fputs("key: value\n", fp);
		fclose(fp);
		for (lines = 0, c = text; (c = strchr(c, '\n')) != NULL; c++)
			lines++;
		ck_assert_msg(lines == 2, "comment %zu: %zu lines", i, lines);
		ck_assert_msg(strncmp(text, "  #", 3) == 0, "comment %zu", i);
		got = yaml_nth_scalar(text, 1);
		ck_assert_msg(got != NULL && strcmp(got, "value") == 0,
		    "comment %zu: \"%s\" not read as a comment", i, text);
		free(got);
		free(text);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("yamlout");
	TCase	*tc = tcase_create("yamlout");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_nasty);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_not_utf8);
	tcase_add_test(tc, test_comment);
	suite_add_tcase(s, tc);
	return (unit_run(s, 1));
}
