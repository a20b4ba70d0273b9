/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/hmap.c and common/intern.c: the digest (same
 * input in any pieces, same digest; any change, another), and interned
 * strings (one copy per text, counted references, the table staying
 * consistent while strings come and go).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "intern.h"
#include "xmalloc.h"
#include "unit.h"

/* The digest of len bytes, added in pieces of step bytes. */
static void
test_digest_of(const void *p, size_t len, size_t step, uint64_t out[2])
{
	struct hmap_digest	 d;
	const unsigned char	*s = p;
	size_t			 n;

	hmap_digest_init(&d);
	while (len > 0) {
		n = len < step ? len : step;
		hmap_digest_add(&d, s, n);
		s += n;
		len -= n;
	}
	hmap_digest_final(&d, out);
}

static int	 freed;

static void
count_free(void *v)
{
	freed++;
	free(v);
}

/* hmap_clear_free hands every value to its function once, then empties. */
START_TEST(test_clear_free)
{
	struct hmap	 m;
	char		 key[16];
	int		 i;

	hmap_init(&m);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		if (i % 2)
			hmap_sput(&m, key, xstrdup(key));
		else
			hmap_iput(&m, (uint64_t)i, xstrdup(key));
	}
	freed = 0;
	hmap_clear_free(&m, count_free);
	ck_assert_int_eq(freed, 1000);
	ck_assert_uint_eq(m.count, 0);
	/* A cleared map again (no-op), then free(3) by default. */
	hmap_clear_free(&m, NULL);
	hmap_init(&m);
	hmap_iput(&m, 7, xstrdup("x"));
	hmap_clear_free(&m, NULL);
}
END_TEST

START_TEST(test_digest_pieces)
{
	char		 buf[300];
	uint64_t	 whole[2], part[2];
	size_t		 i, step;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (char)(i * 7 + 3);
	for (i = 0; i <= sizeof buf; i += 13) {
		test_digest_of(buf, i, sizeof buf, whole);
		for (step = 1; step < 20; step++) {
			test_digest_of(buf, i, step, part);
			ck_assert(whole[0] == part[0] && whole[1] == part[1]);
		}
	}
}
END_TEST

START_TEST(test_digest_differs)
{
	unsigned char	 buf[64];
	uint64_t	 a[2], b[2];
	size_t		 i, bit;

	memset(buf, 0, sizeof buf);
	test_digest_of(buf, sizeof buf, sizeof buf, a);
	/* Every single flipped bit changes both halves. */
	for (i = 0; i < sizeof buf; i++) {
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (unsigned char)(1u << bit);
			test_digest_of(buf, sizeof buf, sizeof buf, b);
			ck_assert(a[0] != b[0] && a[1] != b[1]);
			buf[i] ^= (unsigned char)(1u << bit);
		}
	}
	/* Trailing zeros count: the length is part of the digest. */
	test_digest_of(buf, sizeof buf - 1, sizeof buf, b);
	ck_assert(a[0] != b[0] || a[1] != b[1]);
	/* Swapped words differ. */
	memcpy(buf, "AAAAAAAABBBBBBBB", 16);
	test_digest_of(buf, 16, 16, a);
	memcpy(buf, "BBBBBBBBAAAAAAAA", 16);
	test_digest_of(buf, 16, 16, b);
	ck_assert(a[0] != b[0] || a[1] != b[1]);
}
END_TEST

START_TEST(test_intern_share)
{
	char	*a, *b, *c, buf[] = "hello";

	ck_assert_uint_eq(intern_count(), 0);
	a = intern_get("hello");
	b = intern_get(buf);
	c = intern_get("other");
	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_ne(a, c);
	ck_assert_ptr_ne(a, buf);
	ck_assert_str_eq(a, "hello");
	ck_assert_uint_eq(intern_count(), 2);
	ck_assert_ptr_eq(intern_ref(a), a);
	ck_assert_ptr_null(intern_ref(NULL));
	intern_put(a);
	intern_put(b);
	ck_assert_uint_eq(intern_count(), 2);
	ck_assert_str_eq(a, "hello");
	intern_put(a);
	ck_assert_uint_eq(intern_count(), 1);
	intern_put(NULL);
	intern_put(c);
	ck_assert_uint_eq(intern_count(), 0);
	a = intern_get("");
	ck_assert_str_eq(a, "");
	intern_put(a);
	ck_assert_uint_eq(intern_count(), 0);
}
END_TEST

/* Many strings in and out, in an order that moves clusters around. */
START_TEST(test_intern_churn)
{
	enum { N = 20000 };
	char	**s, name[32];
	size_t	 i, round;

	s = xcalloc(N, sizeof *s);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			snprintf(name, sizeof name, "s%zu", i);
			s[i] = intern_get(name);
		}
		ck_assert_uint_eq(intern_count(), N);
		for (i = 0; i < N; i += 3)
			intern_put(s[i]);
		for (i = 0; i < N; i++) {
			snprintf(name, sizeof name, "s%zu", i);
			if (i % 3 == 0)
				s[i] = intern_get(name);
			else {
				ck_assert_ptr_eq(intern_get(name), s[i]);
				intern_put(s[i]);
			}
			ck_assert_str_eq(s[i], name);
		}
		ck_assert_uint_eq(intern_count(), N);
		for (i = 0; i < N; i++)
			intern_put(s[(i * 7919) % N]);
		ck_assert_uint_eq(intern_count(), 0);
	}
	free(s);
}
END_TEST

static Suite *
hmap_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("hmap");
	tc = tcase_create("hmap");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_clear_free);
	tcase_add_test(tc, test_digest_pieces);
	tcase_add_test(tc, test_digest_differs);
	tcase_add_test(tc, test_intern_share);
	tcase_add_test(tc, test_intern_churn);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (unit_run(hmap_suite(), 1));
}
