/* SPDX-License-Identifier: ISC */
/*
 * Shared by the check unit-test programs: run a suite, exit status for
 * the harness.
 */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdlib.h>

/* Run every test of s (in a child each when fork is set) and say how. */
static inline int
unit_run(Suite *s, int fork)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	if (fork)
		srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

#endif
