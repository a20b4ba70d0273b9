/* SPDX-License-Identifier: ISC */
/*
 * Unit tests: request decoding, the command table's argument checks, and
 * permission decisions.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "schedd.h"
#include "unit.h"

static enum proto_error
check_line(const char *line, int admin, char **cause)
{
	const struct cmd_entry	*ce;
	json_t			*req;
	enum proto_error	 e;

	*cause = NULL;
	if (cmd_decode(line, strlen(line), &req, cause) != 0) {
		json_decref(req);
		return (PROTO_BAD_REQUEST);
	}
	ce = cmd_find(json_string_value(json_object_get(req, "cmd")));
	if (ce == NULL) {
		json_decref(req);
		return (PROTO_UNKNOWN_COMMAND);
	}
	e = cmd_check(ce, req, admin, cause);
	json_decref(req);
	return (e);
}

static void
expect(const char *line, int admin, enum proto_error want, const char *msg)
{
	char			*cause;
	enum proto_error	 e;

	e = check_line(line, admin, &cause);
	ck_assert_msg(e == want, "%s: got %s, want %s (%s)", line,
	    proto_error_name(e), proto_error_name(want),
	    cause != NULL ? cause : "");
	if (msg != NULL) {
		ck_assert_ptr_nonnull(cause);
		ck_assert_msg(strstr(cause, msg) != NULL, "cause \"%s\" lacks "
		    "\"%s\"", cause, msg);
	}
	free(cause);
}

START_TEST(test_decode_ok)
{
	json_t	*req;
	char	*cause = NULL;
	const char *line = "{\"cmd\":\"status\",\"id\":7}";

	ck_assert_int_eq(cmd_decode(line, strlen(line), &req, &cause), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(req, "id")), 7);
	json_decref(req);
}
END_TEST

START_TEST(test_decode_bad)
{
	expect("not json", 1, PROTO_BAD_REQUEST, "invalid JSON");
	expect("[1,2]", 1, PROTO_BAD_REQUEST, "JSON object");
	expect("\"status\"", 1, PROTO_BAD_REQUEST, "JSON object");
	expect("{\"cmd\":\"status\",\"cmd\":\"hello\"}", 1, PROTO_BAD_REQUEST,
	    "duplicate");
	expect("{\"cmd\":\"st\xff\"}", 1, PROTO_BAD_REQUEST, NULL);
	expect("{\"id\":1}", 1, PROTO_BAD_REQUEST, "missing \"cmd\"");
	expect("{\"cmd\":5}", 1, PROTO_BAD_REQUEST, "must be a string");
	expect("{\"cmd\":\"status\"} {}", 1, PROTO_BAD_REQUEST, NULL);
	expect("{\"cmd\":\"st\\u0000atus\"}", 1, PROTO_BAD_REQUEST, NULL);
}
END_TEST

START_TEST(test_decode_deep)
{
	const char	*head = "{\"cmd\":\"status\",\"x\":";
	char		*line, *p;
	size_t		 i, n = 100000;

	line = malloc(strlen(head) + 2 * n + 2);
	p = stpcpy(line, head);
	for (i = 0; i < n; i++)
		*p++ = '[';
	for (i = 0; i < n; i++)
		*p++ = ']';
	*p++ = '}';
	*p = '\0';
	expect(line, 1, PROTO_BAD_REQUEST, NULL);
	free(line);
}
END_TEST

START_TEST(test_unknown_command)
{
	expect("{\"cmd\":\"frobnicate\"}", 1, PROTO_UNKNOWN_COMMAND, NULL);
	ck_assert_ptr_null(cmd_find("STATUS"));
	ck_assert_ptr_nonnull(cmd_find("status"));
}
END_TEST

START_TEST(test_arguments)
{
	expect("{\"cmd\":\"status\",\"verbose\":true}", 1, PROTO_BAD_REQUEST,
	    "unknown argument \"verbose\"");
	expect("{\"cmd\":\"run\"}", 1, PROTO_BAD_REQUEST,
	    "missing argument \"name\"");
	expect("{\"cmd\":\"run\",\"name\":5}", 1, PROTO_BAD_REQUEST,
	    "\"name\" must be a string");
	expect("{\"cmd\":\"task\",\"task\":\"5\"}", 1, PROTO_BAD_REQUEST,
	    "must be an integer");
	expect("{\"cmd\":\"task\",\"task\":1.5}", 1, PROTO_BAD_REQUEST, NULL);
	expect("{\"cmd\":\"wait\",\"task\":[1,2]}", 1, PROTO_OK, NULL);
	expect("{\"cmd\":\"wait\",\"task\":{}}", 1, PROTO_BAD_REQUEST, NULL);
	expect("{\"cmd\":\"add\",\"job\":[]}", 1, PROTO_BAD_REQUEST,
	    "must be an object");
	expect("{\"cmd\":\"remove\",\"name\":\"x\",\"stop\":\"yes\"}", 1,
	    PROTO_BAD_REQUEST, "true or false");
	expect("{\"cmd\":\"stop\",\"task\":3,\"signal\":\"KILL\"}", 1,
	    PROTO_OK, NULL);
	expect("{\"cmd\":\"set\",\"key\":\"history\",\"value\":5}", 1,
	    PROTO_OK, NULL);
	expect("{\"cmd\":\"status\",\"id\":{\"any\":[1]}}", 1, PROTO_OK,
	    NULL);
}
END_TEST

START_TEST(test_permissions_table)
{
	const char	*admin_only[] = { "ban", "unban", "set", "shutdown" };
	const char	*anyone[] = { "hello", "status", "jobs", "job", "task",
			    "history", "output", "wait", "bans", "get",
			    "subscribe", "add", "run", "stop", "cancel",
			    "remove", "pause", "resume" };
	size_t		 i;

	for (i = 0; i < sizeof admin_only / sizeof admin_only[0]; i++)
		ck_assert_msg(cmd_find(admin_only[i])->flags & CMD_ADMIN,
		    "%s should be admin only", admin_only[i]);
	for (i = 0; i < sizeof anyone / sizeof anyone[0]; i++)
		ck_assert_msg(!(cmd_find(anyone[i])->flags & CMD_ADMIN),
		    "%s should be open", anyone[i]);
	expect("{\"cmd\":\"ban\",\"name\":\"x\"}", 0,
	    PROTO_PERMISSION_DENIED, "administrator");
	expect("{\"cmd\":\"ban\",\"name\":\"x\"}", 1, PROTO_OK, NULL);
	/* Permission is decided before the arguments are looked at. */
	expect("{\"cmd\":\"shutdown\",\"bogus\":1}", 0,
	    PROTO_PERMISSION_DENIED, NULL);
}
END_TEST

START_TEST(test_auth)
{
	struct job	 j;
	struct task	 t;

	ck_assert(auth_is_admin(0, 1000));
	ck_assert(auth_is_admin(1000, 1000));
	ck_assert(!auth_is_admin(1001, 1000));
	ck_assert(auth_is_admin(0, 0));
	ck_assert(!auth_is_admin(1000, 0));

	memset(&j, 0, sizeof j);
	j.origin = ORIGIN_RUNTIME;
	j.uid = 1001;
	ck_assert(auth_may_job(1001, 0, &j));
	ck_assert(!auth_may_job(1002, 0, &j));
	ck_assert(auth_may_job(0, 1, &j));
	j.origin = ORIGIN_CONFIG;
	j.uid = 1001;
	ck_assert(!auth_may_job(1001, 0, &j));

	memset(&t, 0, sizeof t);
	t.uid = 1001;
	ck_assert(auth_may_task(1001, 0, &t));
	ck_assert(!auth_may_task(1002, 0, &t));
	ck_assert(auth_may_task(1002, 1, &t));
}
END_TEST

START_TEST(test_answers)
{
	json_t	*a, *id = json_integer(9);
	char	*s;

	a = cmd_answer_error(id, PROTO_QUEUE_FULL, "full");
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"error\":{\"code\":\"queue_full\","
	    "\"message\":\"full\"},\"id\":9,\"ok\":false}");
	free(s);
	json_decref(a);
	a = cmd_answer_ok(NULL, json_object());
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"id\":null,\"ok\":true,\"result\":{}}");
	free(s);
	json_decref(a);
	json_decref(id);
	ck_assert_str_eq(proto_error_name(PROTO_CONFIG_JOB), "config_job");
	ck_assert_str_eq(proto_error_name(PROTO_PERSIST_FAILED),
	    "persist_failed");
}
END_TEST

START_TEST(test_json_text)
{
	json_t	*v;

	v = sjson_text("ok\xff\xc3\xa9\0x", 7);
	ck_assert_str_eq(json_string_value(v), "ok\xef\xbf\xbd\xc3\xa9"
	    "\xef\xbf\xbdx");
	json_decref(v);
	v = sjson_text("\xe2\x82", 2);	/* truncated sequence */
	ck_assert_str_eq(json_string_value(v), "\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(v);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("proto");
	TCase	*tc = tcase_create("proto");

	tcase_add_test(tc, test_decode_ok);
	tcase_add_test(tc, test_decode_bad);
	tcase_add_test(tc, test_decode_deep);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_arguments);
	tcase_add_test(tc, test_permissions_table);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_answers);
	tcase_add_test(tc, test_json_text);
	suite_add_tcase(s, tc);
	return (unit_run(s, 0));
}
