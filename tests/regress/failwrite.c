/* SPDX-License-Identifier: ISC */
/*
 * Fault injection for tests/regress/state-write-fails-start.sh, loaded
 * into schedd with LD_PRELOAD: while the file named by FAILWRITE_FLAG
 * exists, a write(2) to the state folder's journal that holds a task
 * record in state "running", made by any thread but the main one (the
 * journal's writer thread, daemon/state-write.c), fails with ENOSPC, as
 * on a disk that filled up just then.  Everything else is written.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t
write(int fd, const void *buf, size_t len)
{
	const char	*flag = getenv("FAILWRITE_FLAG");
	char		 path[64], target[4096];
	ssize_t		 n;

	if (flag != NULL && syscall(SYS_gettid) != getpid() &&
	    memmem(buf, len, "\"state\":\"running\"", 17) != NULL &&
	    access(flag, F_OK) == 0) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof target - 1);
		if (n > 8) {
			target[n] = '\0';
			if (strcmp(target + n - 8, "/journal") == 0) {
				errno = ENOSPC;
				return (-1);
			}
		}
	}
	return (syscall(SYS_write, fd, buf, len));
}
