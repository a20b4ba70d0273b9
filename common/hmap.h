/* SPDX-License-Identifier: ISC */
/*
 * A small chained hash map from a string or an integer key to a pointer.
 * Keys are borrowed: the caller keeps them alive while the entry exists.
 * Also a 128-bit digest of bytes, to tell whether two texts or encodings
 * are the same without keeping both (not for hostile input).
 */
#ifndef HMAP_H
#define HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode	*next;
	uint64_t	 hash;
	uint64_t	 ikey;
	const char	*skey;
	void		*value;
};

struct hmap {
	struct hnode	**buckets;
	size_t		 nbuckets;
	size_t		 count;
};

/* A 128-bit digest of a byte stream: equal input, equal digest. */
struct hmap_digest {
	uint64_t	 a;
	uint64_t	 b;
	uint64_t	 len;
	unsigned char	 buf[8];
	size_t		 nbuf;
};

struct hmap_iter {
	const struct hmap *map;
	size_t		 bucket;
	struct hnode	*node;
};

void	 hmap_init(struct hmap *);
void	 hmap_clear(struct hmap *);
void	 hmap_clear_free(struct hmap *, void (*)(void *));
void	*hmap_sget(const struct hmap *, const char *);
void	 hmap_sput(struct hmap *, const char *, void *);
void	*hmap_sdel(struct hmap *, const char *);
void	*hmap_iget(const struct hmap *, uint64_t);
void	 hmap_iput(struct hmap *, uint64_t, void *);
void	*hmap_idel(struct hmap *, uint64_t);
void	 hmap_iter_init(struct hmap_iter *, const struct hmap *);
void	*hmap_iter_next(struct hmap_iter *);
void	 hmap_digest_init(struct hmap_digest *);
void	 hmap_digest_add(struct hmap_digest *, const void *, size_t);
void	 hmap_digest_u64(struct hmap_digest *, uint64_t);
void	 hmap_digest_final(struct hmap_digest *, uint64_t[2]);

#endif
