/* SPDX-License-Identifier: ISC */
/*
 * The JSON writer of jw.h.  The caller writes well-formed JSON (keys only
 * in objects, each followed by one value); commas are the writer's.
 * Strings are written as jansson writes them compactly: '"', '\\' and the
 * controls escaped (\b \f \n \r \t, else \u00XX), '/', DEL and non-ASCII
 * as they are.  Bytes that are not UTF-8 (and NUL) become U+FFFD, as
 * sjson_text makes them for jansson, which refuses such strings.
 */
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "xmalloc.h"

#define JW_FFFD		"\xef\xbf\xbd"

static void	 jw_sep(struct jw *);
static void	 jw_open(struct jw *, char);
static void	 jw_close(struct jw *, char);
static void	 jw_quote(struct jw *, const unsigned char *, size_t);

void
jw_init(struct jw *w)
{
	memset(w, 0, sizeof *w);
}

void
jw_free(struct jw *w)
{
	free(w->buf);
	jw_init(w);
}

/* Empty the buffer for a new value; the memory stays for reuse. */
void
jw_clear(struct jw *w)
{
	w->len = 0;
	w->more = 0;
}

/*
 * Forget what is in the buffer (it was sent) but not where the writer
 * stands: what comes next continues the same value.
 */
void
jw_drop(struct jw *w)
{
	w->len = 0;
}

/* jw_room when the buffer is too small: make it larger. */
char *
jw_grow(struct jw *w, size_t n)
{
	size_t	 size;

	size = w->size == 0 ? 4096 : w->size;
	while (size - w->len < n)
		size *= 2;
	w->buf = xreallocarray(w->buf, size, 1);
	w->size = size;
	return (w->buf + w->len);
}

/* Raw bytes, no separator: a newline between lines, say. */
void
jw_append(struct jw *w, const void *p, size_t n)
{
	memcpy(jw_room(w, n), p, n);
	w->len += n;
}

/* A value starts: a comma if one came before it at this level. */
static void
jw_sep(struct jw *w)
{
	if (w->more) {
		*jw_room(w, 1) = ',';
		w->len++;
	}
	w->more = 1;
}

/* An object or array starts (c is '{' or '['): no comma inside yet. */
static void
jw_open(struct jw *w, char c)
{
	jw_sep(w);
	*jw_room(w, 1) = c;
	w->len++;
	w->more = 0;
}

/* It ends: what follows it at its level needs a comma. */
static void
jw_close(struct jw *w, char c)
{
	*jw_room(w, 1) = c;
	w->len++;
	w->more = 1;
}

void
jw_object_open(struct jw *w)
{
	jw_open(w, '{');
}

void
jw_object_close(struct jw *w)
{
	jw_close(w, '}');
}

void
jw_array_open(struct jw *w)
{
	jw_open(w, '[');
}

void
jw_array_close(struct jw *w)
{
	jw_close(w, ']');
}

/* A member's key of n bytes (jw_key). */
void
jw_key_n(struct jw *w, const char *k, size_t n)
{
	jw_sep(w);
	jw_quote(w, (const unsigned char *)k, n);
	jw_append(w, ":", 1);
	w->more = 0;
}

/* A NUL-terminated string, or null for NULL. */
void
jw_string(struct jw *w, const char *s)
{
	jw_sep(w);
	if (s == NULL)
		jw_append(w, "null", 4);
	else
		jw_quote(w, (const unsigned char *)s, strlen(s));
}

/* n bytes of anything as a string (sjson_text). */
void
jw_text(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	jw_quote(w, (const unsigned char *)s, n);
}

void
jw_int(struct jw *w, int64_t v)
{
	char		 buf[24], *p = buf + sizeof buf;
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = '0' + u % 10;
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	jw_sep(w);
	jw_append(w, p, buf + sizeof buf - p);
}

void
jw_bool(struct jw *w, int v)
{
	jw_sep(w);
	if (v)
		jw_append(w, "true", 4);
	else
		jw_append(w, "false", 5);
}

void
jw_null(struct jw *w)
{
	jw_sep(w);
	jw_append(w, "null", 4);
}

/* A value encoded already (by jansson, say). */
void
jw_raw(struct jw *w, const char *p, size_t n)
{
	jw_sep(w);
	jw_append(w, p, n);
}

/*
 * Length of a valid UTF-8 sequence at p (at most n bytes), 0 if there is
 * none: a bad lead or continuation byte, an overlong form, a surrogate,
 * past U+10FFFF, or NUL.
 */
size_t
jw_utf8_len(const unsigned char *p, size_t n)
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

/*
 * n bytes as a quoted string.  At most 6 bytes come out of one
 * ("\u001F"), so room for all of it is made at once.
 */
static void
jw_quote(struct jw *w, const unsigned char *p, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*end = p + n;
	char			*o, *o0;
	unsigned char		 c;
	size_t			 l;

	o = o0 = jw_room(w, n * 6 + 2);
	*o++ = '"';
	while (p < end) {
		c = *p;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			*o++ = (char)c;
			p++;
			continue;
		}
		if (c >= 0x80 || c == 0) {
			if ((l = jw_utf8_len(p, end - p)) == 0) {
				memcpy(o, JW_FFFD, 3);
				o += 3;
				p++;
			} else {
				memcpy(o, p, l);
				o += l;
				p += l;
			}
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 0xf];
			o += 5;
			break;
		}
		p++;
	}
	*o++ = '"';
	w->len += o - o0;
}
