/* SPDX-License-Identifier: ISC */
/*
 * The table of interned strings: open addressing with linear probing over
 * slots holding a string's hash and a pointer to it (preceded by its
 * reference count), so probing and growing never touch the strings
 * themselves; a string whose count drops to zero is freed and its slot
 * emptied by moving the rest of its cluster back.  Grows at 3/4 full,
 * shrinks at 1/8 so a reload that drops many strings gives the memory
 * back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "xmalloc.h"

struct intern_str {
	uint32_t	 refs;
	char		 text[];
};

struct intern_slot {
	uint64_t		 hash;
	struct intern_str	*str;	/* NULL: empty */
};

static struct intern_slot *intern_slots;
static size_t		 intern_nslots;	/* 0 or a power of two */
static size_t		 intern_n;

static uint64_t		 intern_hash(const char *, size_t);
static struct intern_str *intern_of(char *);
static void		 intern_resize(size_t);

/* FNV-1a, mixed so the low bits index well. */
static uint64_t
intern_hash(const char *s, size_t len)
{
	uint64_t	 h = 1469598103934665603ULL;
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 32;
	return (h);
}

static struct intern_str *
intern_of(char *s)
{
	return ((struct intern_str *)(void *)(s -
	    offsetof(struct intern_str, text)));
}

/* Rehash every string into a table of n slots. */
static void
intern_resize(size_t n)
{
	struct intern_slot	*old = intern_slots;
	size_t			 oldn = intern_nslots, i, b;

	intern_slots = xcalloc(n, sizeof *intern_slots);
	intern_nslots = n;
	for (i = 0; i < oldn; i++) {
		if (old[i].str == NULL)
			continue;
		for (b = old[i].hash & (n - 1); intern_slots[b].str != NULL;
		    b = (b + 1) & (n - 1))
			;
		intern_slots[b] = old[i];
	}
	free(old);
}

/* The shared copy of s, with one more reference. */
char *
intern_get(const char *s)
{
	struct intern_str	*is;
	struct intern_slot	*sl;
	size_t			 len = strlen(s), b;
	uint64_t		 h = intern_hash(s, len);

	if (intern_nslots == 0)
		intern_resize(64);
	for (b = h & (intern_nslots - 1); (sl = &intern_slots[b])->str != NULL;
	    b = (b + 1) & (intern_nslots - 1)) {
		if (sl->hash == h && strcmp(sl->str->text, s) == 0) {
			sl->str->refs++;
			return (sl->str->text);
		}
	}
	is = xmalloc(sizeof *is + len + 1);
	is->refs = 1;
	memcpy(is->text, s, len + 1);
	sl->hash = h;
	sl->str = is;
	if (++intern_n * 4 >= intern_nslots * 3)
		intern_resize(intern_nslots * 2);
	return (is->text);
}

/* One more reference to an interned string (NULL stays NULL). */
char *
intern_ref(char *s)
{
	if (s != NULL)
		intern_of(s)->refs++;
	return (s);
}

/* Drop a reference (NULL is ignored); the last one frees the string. */
void
intern_put(char *s)
{
	struct intern_str	*is;
	size_t			 b, i, want, mask;

	if (s == NULL)
		return;
	is = intern_of(s);
	if (--is->refs != 0)
		return;
	mask = intern_nslots - 1;
	for (b = intern_hash(s, strlen(s)) & mask; intern_slots[b].str != is;
	    b = (b + 1) & mask)
		;
	intern_slots[b].str = NULL;
	free(is);
	intern_n--;
	/* Move back what probed past the emptied slot. */
	for (i = (b + 1) & mask; intern_slots[i].str != NULL;
	    i = (i + 1) & mask) {
		want = intern_slots[i].hash & mask;
		if (((i - want) & mask) >= ((i - b) & mask)) {
			intern_slots[b] = intern_slots[i];
			intern_slots[i].str = NULL;
			b = i;
		}
	}
	if (intern_n == 0) {
		free(intern_slots);
		intern_slots = NULL;
		intern_nslots = 0;
	} else if (intern_nslots > 64 && intern_n * 8 < intern_nslots)
		intern_resize(intern_nslots / 2);
}

/* How many distinct strings are interned (for tests). */
size_t
intern_count(void)
{
	return (intern_n);
}
