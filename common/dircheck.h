/* SPDX-License-Identifier: ISC */
/*
 * Whom a folder belongs to: the one rule schedd and schedctl apply to the
 * socket folder (and schedd, as root, to its state folder) before they
 * trust what is in it.  See schedd(8) SECURITY.
 */
#ifndef DIRCHECK_H
#define DIRCHECK_H

#include <sys/types.h>
#include <sys/stat.h>

#define DIR_CHECK_PARENTS	0x1	/* every folder above it too */
#define DIR_CHECK_ANY_OWNER	0x2	/* the folder itself: any owner */
#define DIR_CHECK_ABOVE		0x4	/* dir_check_stat: a folder above */
#define DIR_CHECK_STICKY	0x8	/* the folder itself may be like /tmp */

int	 dir_check_stat(const char *, const struct stat *, uid_t, int,
	     char **);
int	 dir_open(const char *, uid_t, int, struct stat *, char **);
int	 dir_check(const char *, uid_t, int, char **);

#endif
