/* SPDX-License-Identifier: ISC */
/*
 * A JSON writer: values appended as compact text to a growable buffer,
 * with no tree in between, for answers and records made often or long.
 * The text is what jansson's compact encoding writes for the same values.
 */
#ifndef JW_H
#define JW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jw {
	char	*buf;		/* not NUL-terminated */
	size_t	 len;
	size_t	 size;
	int	 more;		/* a value is before: the next needs a comma */
};

void	 jw_init(struct jw *);
void	 jw_free(struct jw *);
void	 jw_clear(struct jw *);
void	 jw_drop(struct jw *);
char	*jw_grow(struct jw *, size_t);
void	 jw_append(struct jw *, const void *, size_t);
void	 jw_object_open(struct jw *);
void	 jw_object_close(struct jw *);
void	 jw_array_open(struct jw *);
void	 jw_array_close(struct jw *);
void	 jw_key_n(struct jw *, const char *, size_t);
void	 jw_string(struct jw *, const char *);
void	 jw_text(struct jw *, const char *, size_t);
void	 jw_int(struct jw *, int64_t);
void	 jw_bool(struct jw *, int);
void	 jw_null(struct jw *);
void	 jw_raw(struct jw *, const char *, size_t);
size_t	 jw_utf8_len(const unsigned char *, size_t);

/* Room for n more bytes at buf + len; the caller adds what it used. */
static inline char *
jw_room(struct jw *w, size_t n)
{
	if (w->size - w->len >= n)
		return (w->buf + w->len);
	return (jw_grow(w, n));
}

/*
 * A member's key; its value comes next.  Inline, so that the length of a
 * literal key is known when compiling.
 */
static inline void
jw_key(struct jw *w, const char *k)
{
	jw_key_n(w, k, strlen(k));
}

static inline void
jw_kstring(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_string(w, s);
}

static inline void
jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

static inline void
jw_kbool(struct jw *w, const char *k, int v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

static inline void
jw_knull(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_null(w);
}

#endif
