/* SPDX-License-Identifier: ISC */

/*
 * YAML text that schedctl writes (schedctl.1 IMPORT): scalars quoted so
 * that a YAML reader gives back exactly the string they were made from,
 * whatever it holds, and comments a YAML reader accepts whatever bytes
 * they were made from.  A string that is not UTF-8 has no YAML form.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "xmalloc.h"

static int	 yout_plain(const char *);
static int	 yout_ascii(const char *, const char *);
static int	 yout_shown(uint32_t);

/* Words a YAML 1.1 reader may take for something other than a string. */
static const char *const yout_words[] = { "y", "n", "yes", "no", "true",
    "false", "on", "off", "null", NULL };

/*
 * Decode one UTF-8 character of s (len bytes available): its length, or
 * 0 if it is not valid (overlong, a surrogate, beyond U+10FFFF).
 */
size_t
yout_utf8(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c, min;
	size_t			 n, i;

	if (len == 0)
		return (0);
	if (u[0] < 0x80) {
		*cp = u[0];
		return (1);
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		c = u[0] & 0x1f;
		min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		c = u[0] & 0x0f;
		min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		c = u[0] & 0x07;
		min = 0x10000;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

/* Is s valid UTF-8 throughout? */
int
yout_valid(const char *s)
{
	uint32_t	 cp;
	size_t		 len = strlen(s), n;

	for (; len > 0; s += n, len -= n) {
		if ((n = yout_utf8(s, len, &cp)) == 0)
			return (0);
	}
	return (1);
}

/*
 * May code point c stand as it is in YAML text?  Not the controls, nor
 * what a YAML reader takes for a line break (U+0085, U+2028, U+2029) or
 * a byte order mark, nor the non-characters U+FFFE and U+FFFF.
 */
static int
yout_shown(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return (0);
	if (c == 0x2028 || c == 0x2029 || c == 0xfeff || c == 0xfffe ||
	    c == 0xffff)
		return (0);
	return (1);
}

/* Can s go unquoted: a word of safe characters that reads as a string? */
static int
yout_plain(const char *s)
{
	const char	*p;
	int		 i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '/' || *s == '_'))
		return (0);
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_./@+-", *p) != NULL))
			return (0);
	}
	for (i = 0; yout_words[i] != NULL; i++) {
		if (strcasecmp(s, yout_words[i]) == 0)
			return (0);
	}
	return (1);
}

/* Is s printable ASCII with none of the bytes of not? */
static int
yout_ascii(const char *s, const char *not)
{
	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s > 0x7e || strchr(not, *s) != NULL)
			return (0);
	}
	return (1);
}

/*
 * s as a YAML scalar (caller frees), or NULL if s is not UTF-8: plain if
 * that is safe, else in double quotes, in single quotes if it holds a
 * double quote or backslash, and in double quotes with escapes if it
 * holds anything but printable ASCII.
 */
char *
yout_scalar(const char *s)
{
	char		*out, *o;
	const char	*p;
	uint32_t	 c;
	size_t		 len = strlen(s), n;

	if (!yout_valid(s))
		return (NULL);
	if (yout_plain(s))
		return (xstrdup(s));
	if (yout_ascii(s, "\"\\")) {
		xasprintf(&out, "\"%s\"", s);
		return (out);
	}
	/* A byte grows at most to four, a control character as \xNN. */
	o = out = xmalloc(len * 4 + 3);
	if (yout_ascii(s, "")) {
		*o++ = '\'';
		for (p = s; *p != '\0'; p++) {
			if (*p == '\'')
				*o++ = '\'';
			*o++ = *p;
		}
		*o++ = '\'';
		*o = '\0';
		return (out);
	}
	*o++ = '"';
	for (p = s; len > 0; p += n, len -= n) {
		n = yout_utf8(p, len, &c);
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = *p;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : (c == '\t' ? 't' : 'r');
		} else if (yout_shown(c)) {
			memcpy(o, p, n);
			o += n;
		} else if (c < 0x100)
			o += sprintf(o, "\\x%02x", (unsigned)c);
		else
			o += sprintf(o, "\\u%04x", (unsigned)c);
	}
	*o++ = '"';
	*o = '\0';
	return (out);
}

/*
 * Write "INDENT#TEXT": what a YAML reader cannot take in a comment (a
 * control character, a byte that is not UTF-8, a line break) becomes "?".
 */
void
yout_comment(FILE *fp, const char *indent, const char *text)
{
	const char	*p = text;
	uint32_t	 c;
	size_t		 len = strlen(text), n;

	fprintf(fp, "%s#", indent);
	for (; len > 0; p += n, len -= n) {
		if ((n = yout_utf8(p, len, &c)) == 0) {
			n = 1;
			c = 0;
		}
		if (c == '\t' || yout_shown(c))
			fwrite(p, 1, n, fp);
		else
			fputc('?', fp);
	}
	fputc('\n', fp);
}
