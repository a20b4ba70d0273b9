/* SPDX-License-Identifier: ISC */

/*
 * Settings and job definitions as people write them in schedd.yaml(5).
 * The daemon answers durations in milliseconds under "_ms" keys and sizes
 * in bytes (schedd.8 CONTROL PROTOCOL); the human views of get, set and
 * status JOB show the YAML key names, durations as "90s" or "1h", sizes
 * as "4KiB", and users by name; JSON values (results) with their
 * numbers as people wrote them.
 */
#include <sys/types.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client.h"
#include "jw.h"
#include "util.h"
#include "xmalloc.h"

static int	 human_is(const char *const *, const char *);
static char	*human_word(const char *);
static char	*human_list(json_t *);
static char	*human_object(const char *, json_t *);
static char	*human_value(const char *, const char *, json_t *);
static void	 human_json_write(struct jw *, json_t *);

/* Keys whose numbers are bytes (schedd.yaml.5: "size"). */
static const char *const human_sizes[] = {
	"output_tail", "log_max", "max_job_size", "memory_max", "memory_high",
	"memory_swap_max", NULL
};

/* Members of "limits" that are sizes, and the one in seconds. */
static const char *const human_limit_sizes[] = {
	"memory", "core", "fsize", NULL
};

/* Is key one of the NULL-terminated list? */
static int
human_is(const char *const *list, const char *key)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, key) == 0)
			return (1);
	}
	return (0);
}

/* A user by name, or by uid where the name is unknown. */
char *
human_user(json_int_t uid)
{
	struct passwd	*pw;
	char		*s;

	if (uid >= 0 && uid <= UINT32_MAX &&
	    (pw = getpwuid((uid_t)uid)) != NULL)
		return (xstrdup(pw->pw_name));
	xasprintf(&s, "uid %lld", (long long)uid);
	return (s);
}

/* A size in bytes as people write it: "4KiB", "1536B". */
char *
human_size(uint64_t v)
{
	char	*s, *out;

	s = format_size(v);
	if (s[strspn(s, "0123456789")] != '\0')
		return (s);
	xasprintf(&out, "%sB", s);
	free(s);
	return (out);
}

/* A string, in single quotes if it is empty or has a blank or a quote. */
static char *
human_word(const char *w)
{
	char	*s, *clean;

	if (*w != '\0' && strpbrk(w, " \t\n'\"\\$") == NULL)
		return (format_clean(w));
	xasprintf(&s, "'%s'", w);
	clean = format_clean(s);
	free(s);
	return (clean);
}

/* A list of words, each as human_word shows it. */
static char *
human_list(json_t *list)
{
	json_t		*item;
	char		*out = xstrdup(""), *next, *word;
	size_t		 i;

	json_array_foreach(list, i, item) {
		if (json_is_string(item))
			word = human_word(json_string_value(item));
		else
			word = human_value(NULL, "", item);
		xasprintf(&next, "%s%s%s", out, i == 0 ? "" : " ", word);
		free(word);
		free(out);
		out = next;
	}
	return (out);
}

/* An object as "key=value" words, nulls left out; "-" if none is left. */
static char *
human_object(const char *parent, json_t *o)
{
	const char	*key;
	json_t		*v;
	char		*out = NULL, *next, *s;

	json_object_foreach(o, key, v) {
		if (json_is_null(v))
			continue;
		if (json_is_string(v))
			s = human_word(json_string_value(v));
		else
			s = human_value(parent, key, v);
		if (out == NULL)
			xasprintf(&next, "%s=%s", key, s);
		else
			xasprintf(&next, "%s %s=%s", out, key, s);
		free(s);
		free(out);
		out = next;
	}
	return (out != NULL ? out : xstrdup("-"));
}

/*
 * The text of the value of key (a member of the object parent, or of the
 * top level for NULL): durations, sizes and users in the words of
 * schedd.yaml(5), the rest as it is.
 */
static char *
human_value(const char *parent, const char *key, json_t *v)
{
	json_int_t	 n;
	size_t		 len = strlen(key);
	int		 in_limits;

	in_limits = parent != NULL && strcmp(parent, "limits") == 0;
	if (json_is_null(v))
		return (xstrdup("-"));
	if (json_is_string(v))
		return (format_clean(json_string_value(v)));
	if (json_is_boolean(v))
		return (xstrdup(json_is_true(v) ? "true" : "false"));
	if (json_is_array(v))
		return (json_array_size(v) > 0 ? human_list(v) :
		    xstrdup("-"));
	if (json_is_object(v))
		return (human_object(key, v));
	if (!json_is_integer(v) || (n = json_integer_value(v)) < 0)
		return (format_value(v));
	if (len > 3 && strcmp(key + len - 3, "_ms") == 0)
		return (format_duration((uint64_t)n));
	if (in_limits && strcmp(key, "cpu") == 0)
		return (format_duration((uint64_t)n * 1000));
	if ((!in_limits && human_is(human_sizes, key)) ||
	    (in_limits && human_is(human_limit_sizes, key)))
		return (human_size((uint64_t)n));
	if (parent == NULL && strcmp(key, "uid") == 0)
		return (human_user(n));
	return (format_value(v));
}

/*
 * Print the members of an object as "key: value" lines, under the keys
 * of schedd.yaml(5) ("timeout", not "timeout_ms"): each line starts with
 * indent, and values are aligned at width if it is not 0.  Nulls are
 * left out with skip_null, else shown as "-".
 */
void
human_pairs(json_t *o, const char *indent, int width, int skip_null,
    FILE *fp)
{
	const char	*key;
	json_t		*v;
	char		*label, *s;
	size_t		 len;

	json_object_foreach(o, key, v) {
		if (skip_null && json_is_null(v))
			continue;
		len = strlen(key);
		if (len > 3 && strcmp(key + len - 3, "_ms") == 0)
			len -= 3;
		xasprintf(&label, "%s%.*s:", indent, (int)len, key);
		s = human_value(NULL, key, v);
		fprintf(fp, "%-*s %s\n", width, label, s);
		free(s);
		free(label);
	}
}

/*
 * A JSON value into w, its real numbers as short as they read back the
 * same (0.1 as "0.1", as a task wrote it, not "0.10000000000000001").
 */
static void
human_json_write(struct jw *w, json_t *v)
{
	json_t		*m;
	const char	*k;
	char		 buf[32];
	double		 d;
	size_t		 i;
	int		 n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_object_open(w);
		json_object_foreach(v, k, m) {
			jw_key(w, k);
			human_json_write(w, m);
		}
		jw_object_close(w);
		break;
	case JSON_ARRAY:
		jw_array_open(w);
		json_array_foreach(v, i, m)
			human_json_write(w, m);
		jw_array_close(w);
		break;
	case JSON_STRING:
		jw_text(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jw_int(w, json_integer_value(v));
		break;
	case JSON_REAL:
		d = json_real_value(v);
		for (n = 1; n < 17; n++) {
			snprintf(buf, sizeof buf, "%.*g", n, d);
			if (strtod(buf, NULL) == d)
				break;
		}
		snprintf(buf, sizeof buf, "%.*g", n, d);
		jw_raw(w, buf, strlen(buf));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		jw_bool(w, json_is_true(v));
		break;
	default:
		jw_null(w);
		break;
	}
}

/* A JSON value as one line of compact text (human_json_write). */
char *
human_json(json_t *v)
{
	struct jw	 w;
	char		*s;

	jw_init(&w);
	human_json_write(&w, v);
	s = xmalloc(w.len + 1);
	memcpy(s, w.buf, w.len);
	s[w.len] = '\0';
	jw_free(&w);
	return (s);
}
