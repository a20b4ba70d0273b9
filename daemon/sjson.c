/*
 * JSON helpers for answers: times, text that may hold any bytes, and
 * nullable numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "schedd.h"
#include "util.h"
#include "xmalloc.h"

/* An RFC 3339 string, or null for a zero time. */
json_t *
sjson_time(const struct timespec *ts)
{
	json_t	*v;
	char	*s;

	if (ts->tv_sec == 0 && ts->tv_nsec == 0)
		return (json_null());
	s = time_format(ts);
	v = json_string(s);
	free(s);
	return (v);
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t
json_utf8_len(const unsigned char *p, size_t n)
{
	size_t		 len, i;
	uint32_t	 cp;

	if (p[0] < 0x80)
		return (p[0] == 0 ? 0 : 1);
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (len);
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
		if ((l = json_utf8_len(p + i, n - i)) == 0) {
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
