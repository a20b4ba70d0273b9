/* SPDX-License-Identifier: ISC */
/*
 * JSON helpers for answers: times, text that may hold any bytes, and
 * nullable numbers, as jansson values or through a writer (jw.h).
 */
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

/* An RFC 3339 string, or null for a zero time. */
json_t *
sjson_time(const struct timespec *ts)
{
	char	 buf[TIME_FORMAT_MAX];

	if (ts->tv_sec == 0 && ts->tv_nsec == 0)
		return (json_null());
	time_format_buf(ts, buf);
	return (json_string(buf));
}

/* sjson_time through a writer. */
void
sjson_write_time(struct jw *w, const struct timespec *ts)
{
	char	 buf[TIME_FORMAT_MAX];
	size_t	 n;

	if (ts->tv_sec == 0 && ts->tv_nsec == 0) {
		jw_null(w);
		return;
	}
	n = time_format_buf(ts, buf);
	jw_text(w, buf, n);
}

static int
sjson_dump(const char *buf, size_t len, void *arg)
{
	jw_append(arg, buf, len);
	return (0);
}

/* A jansson value through a writer, as jansson encodes it; NULL: null. */
void
sjson_write(struct jw *w, const json_t *v)
{
	if (v == NULL) {
		jw_null(w);
		return;
	}
	jw_raw(w, "", 0);
	json_dump_callback(v, sjson_dump, w, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* A JSON string of arbitrary bytes; invalid UTF-8 and NUL become U+FFFD. */
json_t *
sjson_text(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*buf;
	size_t			 i = 0, o = 0, l;
	json_t			*v;

	buf = xmalloc(n * 3 + 1);
	while (i < n) {
		if ((l = jw_utf8_len(p + i, n - i)) == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(buf + o, p + i, l);
		o += l;
		i += l;
	}
	v = json_stringn(buf, o);
	free(buf);
	return (v);
}

json_t *
sjson_uint(uint64_t v)
{
	return (json_integer((json_int_t)v));
}

/* A number of milliseconds, or null when negative (n/a). */
json_t *
sjson_ms_or_null(int64_t v)
{
	if (v < 0)
		return (json_null());
	return (json_integer(v));
}

/* An integer member of an object, or dflt when absent or not an integer. */
json_int_t
sjson_get_int(json_t *obj, const char *key, json_int_t dflt)
{
	json_t	*v = json_object_get(obj, key);

	return (json_is_integer(v) ? json_integer_value(v) : dflt);
}
