/* SPDX-License-Identifier: ISC */
/*
 * Chained hash map with string or integer keys; grows at load 1.
 */
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "xmalloc.h"

static uint64_t	 hmap_shash(const char *);
static uint64_t	 hmap_ihash(uint64_t);
static void	 hmap_grow(struct hmap *);
static void	 hmap_insert(struct hmap *, struct hnode *);
static void	*hmap_remove(struct hmap *, uint64_t, const char *, uint64_t);
static void	 hmap_digest_word(struct hmap_digest *, uint64_t);
static uint64_t	 hmap_fmix(uint64_t);

/* FNV-1a over the string. */
static uint64_t
hmap_shash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

/* A 64-bit mix so sequential ids spread over the buckets. */
static uint64_t
hmap_ihash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (k);
}

void
hmap_init(struct hmap *m)
{
	m->nbuckets = 16;
	m->buckets = xcalloc(m->nbuckets, sizeof *m->buckets);
	m->count = 0;
}

/* Free the nodes (not the values). */
void
hmap_clear(struct hmap *m)
{
	struct hnode	*n, *next;
	size_t		 i;

	for (i = 0; i < m->nbuckets; i++) {
		for (n = m->buckets[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = m->count = 0;
}

/* Free every value with fn (NULL: free(3)), then the nodes. */
void
hmap_clear_free(struct hmap *m, void (*fn)(void *))
{
	struct hnode	*n;
	size_t		 i;

	for (i = 0; i < m->nbuckets; i++) {
		for (n = m->buckets[i]; n != NULL; n = n->next) {
			if (fn != NULL)
				fn(n->value);
			else
				free(n->value);
		}
	}
	hmap_clear(m);
}

static void
hmap_insert(struct hmap *m, struct hnode *n)
{
	size_t	 b = n->hash & (m->nbuckets - 1);

	n->next = m->buckets[b];
	m->buckets[b] = n;
}

static void
hmap_grow(struct hmap *m)
{
	struct hnode	**old = m->buckets, *n, *next;
	size_t		 oldn = m->nbuckets, i;

	m->nbuckets *= 2;
	m->buckets = xcalloc(m->nbuckets, sizeof *m->buckets);
	for (i = 0; i < oldn; i++) {
		for (n = old[i]; n != NULL; n = next) {
			next = n->next;
			hmap_insert(m, n);
		}
	}
	free(old);
}

static void *
hmap_remove(struct hmap *m, uint64_t h, const char *skey, uint64_t ikey)
{
	struct hnode	**pp, *n;
	void		*v;

	for (pp = &m->buckets[h & (m->nbuckets - 1)]; (n = *pp) != NULL;
	    pp = &n->next) {
		if (n->hash != h)
			continue;
		if (skey != NULL ? strcmp(n->skey, skey) != 0 :
		    n->ikey != ikey)
			continue;
		*pp = n->next;
		v = n->value;
		free(n);
		m->count--;
		return (v);
	}
	return (NULL);
}

void *
hmap_sget(const struct hmap *m, const char *key)
{
	struct hnode	*n;
	uint64_t	 h = hmap_shash(key);

	for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->next) {
		if (n->hash == h && strcmp(n->skey, key) == 0)
			return (n->value);
	}
	return (NULL);
}

/* Insert or replace. */
void
hmap_sput(struct hmap *m, const char *key, void *value)
{
	struct hnode	*n;
	uint64_t	 h = hmap_shash(key);

	for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->next) {
		if (n->hash == h && strcmp(n->skey, key) == 0) {
			n->skey = key;
			n->value = value;
			return;
		}
	}
	if (m->count >= m->nbuckets)
		hmap_grow(m);
	n = xcalloc(1, sizeof *n);
	n->hash = h;
	n->skey = key;
	n->value = value;
	hmap_insert(m, n);
	m->count++;
}

void *
hmap_sdel(struct hmap *m, const char *key)
{
	return (hmap_remove(m, hmap_shash(key), key, 0));
}

void *
hmap_iget(const struct hmap *m, uint64_t key)
{
	struct hnode	*n;
	uint64_t	 h = hmap_ihash(key);

	for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->next) {
		if (n->hash == h && n->ikey == key)
			return (n->value);
	}
	return (NULL);
}

void
hmap_iput(struct hmap *m, uint64_t key, void *value)
{
	struct hnode	*n;
	uint64_t	 h = hmap_ihash(key);

	for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->next) {
		if (n->hash == h && n->ikey == key) {
			n->value = value;
			return;
		}
	}
	if (m->count >= m->nbuckets)
		hmap_grow(m);
	n = xcalloc(1, sizeof *n);
	n->hash = h;
	n->ikey = key;
	n->value = value;
	hmap_insert(m, n);
	m->count++;
}

void *
hmap_idel(struct hmap *m, uint64_t key)
{
	return (hmap_remove(m, hmap_ihash(key), NULL, key));
}

void
hmap_iter_init(struct hmap_iter *it, const struct hmap *m)
{
	it->map = m;
	it->bucket = 0;
	it->node = NULL;
}

/* The next value, or NULL at the end; the map must not change meanwhile. */
void *
hmap_iter_next(struct hmap_iter *it)
{
	if (it->node != NULL)
		it->node = it->node->next;
	while (it->node == NULL) {
		if (it->bucket >= it->map->nbuckets)
			return (NULL);
		it->node = it->map->buckets[it->bucket++];
	}
	return (it->node->value);
}

void
hmap_digest_init(struct hmap_digest *d)
{
	d->a = 0x243f6a8885a308d3ULL;
	d->b = 0x13198a2e03707344ULL;
	d->len = 0;
	d->nbuf = 0;
}

/*
 * Two lanes, each a bijection of its state for a given word, so one
 * changed word always changes both; the second lane also depends on the
 * first, so swapped words do not cancel out.
 */
static void
hmap_digest_word(struct hmap_digest *d, uint64_t w)
{
	d->a = (d->a ^ w) * 0x9e3779b97f4a7c15ULL;
	d->a ^= d->a >> 32;
	d->b = (d->b + w) * 0xc2b2ae3d27d4eb4fULL;
	d->b = ((d->b << 27) | (d->b >> 37)) ^ d->a;
}

/* Add a 64-bit integer: quicker when what came before fills whole words. */
void
hmap_digest_u64(struct hmap_digest *d, uint64_t v)
{
	if (d->nbuf != 0) {
		hmap_digest_add(d, &v, sizeof v);
		return;
	}
	d->len += sizeof v;
	hmap_digest_word(d, v);
}

void
hmap_digest_add(struct hmap_digest *d, const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint64_t		 w;

	d->len += len;
	while (len > 0 && d->nbuf != 0) {
		d->buf[d->nbuf++] = *s++;
		len--;
		if (d->nbuf == 8) {
			memcpy(&w, d->buf, 8);
			hmap_digest_word(d, w);
			d->nbuf = 0;
		}
	}
	if (len == 0)
		return;
	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		hmap_digest_word(d, w);
	}
	memcpy(d->buf, s, len);
	d->nbuf = len;
}

/* The final avalanche of a 64-bit value. */
static uint64_t
hmap_fmix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (k);
}

void
hmap_digest_final(struct hmap_digest *d, uint64_t out[2])
{
	uint64_t	 w = 0;

	if (d->nbuf != 0) {
		memcpy(&w, d->buf, d->nbuf);
		hmap_digest_word(d, w);
	}
	hmap_digest_word(d, d->len);
	out[0] = hmap_fmix(d->a ^ ((d->b << 17) | (d->b >> 47)));
	out[1] = hmap_fmix(d->b + out[0] * 0x9e3779b97f4a7c15ULL);
}
