/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the folder rule (common/dircheck.c): the decision on a
 * stat, then real folders made under /tmp (symbolic links, modes, folders
 * above, and other owners when run as root).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dircheck.h"
#include "unit.h"

/* A stat of a folder: mode (with the type bits added) and owner. */
static struct stat
fake(mode_t mode, uid_t uid)
{
	struct stat	 sb;

	memset(&sb, 0, sizeof sb);
	sb.st_mode = (mode & S_IFMT) != 0 ? mode : (S_IFDIR | mode);
	sb.st_uid = uid;
	return (sb);
}

/* dir_check_stat must accept. */
static void
stat_ok(mode_t mode, uid_t uid, uid_t owner, int flags)
{
	struct stat	 sb = fake(mode, uid);
	char		*cause = NULL;

	ck_assert_msg(dir_check_stat("/f", &sb, owner, flags, &cause) == 0,
	    "mode %o uid %u owner %u flags %d refused: %s", (unsigned)mode,
	    (unsigned)uid, (unsigned)owner, flags, cause);
}

/* dir_check_stat must refuse with errno and exactly this cause. */
static void
stat_bad(mode_t mode, uid_t uid, uid_t owner, int flags, int want_errno,
    const char *want)
{
	struct stat	 sb = fake(mode, uid);
	char		*cause = NULL;

	errno = 0;
	ck_assert_msg(dir_check_stat("/f", &sb, owner, flags, &cause) == -1,
	    "mode %o uid %u owner %u flags %d accepted", (unsigned)mode,
	    (unsigned)uid, (unsigned)owner, flags);
	ck_assert_int_eq(errno, want_errno);
	ck_assert_str_eq(cause, want);
	free(cause);
}

START_TEST(test_stat_rule)
{
	/* The folder itself: owner or root, nobody else writes. */
	stat_ok(0700, 1000, 1000, 0);
	stat_ok(0755, 1000, 1000, 0);
	stat_ok(0755, 0, 1000, 0);
	stat_ok(0700, 0, 0, 0);
	stat_bad(0700, 1001, 1000, 0, EPERM,
	    "/f is owned by uid 1001, not by uid 1000 or root");
	stat_bad(0700, 1001, 0, 0, EPERM,
	    "/f is owned by uid 1001, not by root");
	stat_bad(0777, 1000, 1000, 0, EPERM,
	    "/f is writable by its group and others (mode 0777)");
	stat_bad(0770, 1000, 1000, 0, EPERM,
	    "/f is writable by its group (mode 0770)");
	stat_bad(0703, 1000, 1000, 0, EPERM,
	    "/f is writable by others (mode 0703)");
	/* Sticky is no excuse for the folder itself. */
	stat_bad(01777, 0, 0, 0, EPERM,
	    "/f is writable by its group and others (mode 1777)");
	stat_bad(S_IFLNK | 0777, 1000, 1000, 0, EPERM,
	    "/f is a symbolic link");
	stat_bad(S_IFREG | 0600, 1000, 1000, 0, ENOTDIR, "/f is not a folder");

	/* Any owner: chosen by the user, still nobody else writes. */
	stat_ok(0700, 1001, 1000, DIR_CHECK_ANY_OWNER);
	stat_bad(0777, 1001, 1000, DIR_CHECK_ANY_OWNER, EPERM,
	    "/f is writable by its group and others (mode 0777)");

	/* Above: a sticky root folder (/tmp) is fine, nothing else. */
	stat_ok(0755, 0, 1000, DIR_CHECK_ABOVE);
	stat_ok(0700, 1000, 1000, DIR_CHECK_ABOVE);
	stat_ok(01777, 0, 1000, DIR_CHECK_ABOVE);
	stat_ok(01777, 0, 0, DIR_CHECK_ABOVE);
	stat_bad(01777, 1001, 1001, DIR_CHECK_ABOVE, EPERM,
	    "/f is writable by its group and others (mode 1777)");
	stat_bad(0777, 0, 1000, DIR_CHECK_ABOVE, EPERM,
	    "/f is writable by its group and others (mode 0777)");
	stat_bad(0755, 1001, 1000, DIR_CHECK_ABOVE, EPERM,
	    "/f is owned by uid 1001, not by uid 1000 or root");
	/* Any owner is for the folder itself, never for those above. */
	stat_bad(0755, 1001, 1000, DIR_CHECK_ABOVE | DIR_CHECK_ANY_OWNER,
	    EPERM, "/f is owned by uid 1001, not by uid 1000 or root");
}
END_TEST

static char	 top[64];

/* A private folder under /tmp for one test; removed by the next run. */
static void
fs_setup(void)
{
	snprintf(top, sizeof top, "/tmp/test-dircheck.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
}

static void
fs_teardown(void)
{
	char	*cmd;

	if (top[0] == '\0')
		return;
	if (asprintf(&cmd, "rm -rf '%s'", top) != -1) {
		if (system(cmd) == -1)
			perror("rm");
		free(cmd);
	}
}

/* path (under top) must pass with these flags. */
static void
fs_ok(const char *rel, uid_t owner, int flags)
{
	char	 path[PATH_MAX], *cause = NULL;

	snprintf(path, sizeof path, "%s%s", top, rel);
	ck_assert_msg(dir_check(path, owner, flags, &cause) == 0,
	    "%s (flags %d) refused: %s", path, flags, cause);
}

/*
 * path (under top) must be refused with errno, and a cause that contains
 * want with "@" standing for top.
 */
static void
fs_bad(const char *rel, uid_t owner, int flags, int want_errno,
    const char *want)
{
	char		 path[PATH_MAX], expect[PATH_MAX], *cause = NULL;
	const char	*w;
	size_t		 n = 0;

	snprintf(path, sizeof path, "%s%s", top, rel);
	for (w = want; *w != '\0' && n < sizeof expect - 1; w++) {
		if (*w == '@') {
			n += snprintf(expect + n, sizeof expect - n, "%s", top);
			if (n >= sizeof expect)
				n = sizeof expect - 1;
		} else
			expect[n++] = *w;
	}
	expect[n] = '\0';
	errno = 0;
	ck_assert_msg(dir_check(path, owner, flags, &cause) == -1,
	    "%s (flags %d) accepted", path, flags);
	ck_assert_msg(errno == want_errno, "%s: errno %d, want %d (%s)",
	    path, errno, want_errno, cause);
	ck_assert_msg(strstr(cause, expect) != NULL,
	    "%s: cause \"%s\" lacks \"%s\"", path, cause, expect);
	free(cause);
}

/* mkdir, then chmod (mkdir is subject to the umask). */
static void
fs_mkdir(const char *rel, mode_t mode)
{
	char	 path[PATH_MAX];

	snprintf(path, sizeof path, "%s%s", top, rel);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(test_fs_rule)
{
	uid_t		 me = geteuid();
	struct stat	 sb;
	char		 path[PATH_MAX], *cause = NULL;
	int		 fd;

	/* Under /tmp (sticky, root's) and /: fine, alone or with parents. */
	fs_ok("", me, 0);
	fs_ok("", me, DIR_CHECK_PARENTS);
	fs_ok("/", me, DIR_CHECK_PARENTS);

	/* Squatted: anyone may write in it. */
	fs_mkdir("/open", 0777);
	fs_bad("/open", me, 0, EPERM,
	    "@/open is writable by its group and others (mode 0777)");
	fs_bad("/open", me, DIR_CHECK_ANY_OWNER, EPERM, "(mode 0777)");

	/* A good folder in a bad one: only the parents check sees it. */
	fs_mkdir("/open/mine", 0700);
	fs_ok("/open/mine", me, 0);
	fs_bad("/open/mine", me, DIR_CHECK_PARENTS, EPERM,
	    "@/open/mine: parent folder @/open is writable by its group and "
	    "others (mode 0777)");

	/* A symbolic link is refused, whatever it points at. */
	fs_mkdir("/real", 0700);
	snprintf(path, sizeof path, "%s/link", top);
	ck_assert_int_eq(symlink("real", path), 0);
	fs_bad("/link", me, 0, EPERM, "@/link is a symbolic link");
	fs_bad("/link/", me, 0, EPERM, "@/link is a symbolic link");
	/* ... but the path may go through one held by a good folder. */
	fs_mkdir("/real/sub", 0700);
	fs_ok("/link/sub", me, DIR_CHECK_PARENTS);
	/* ... not through one held by a folder anyone may write in. */
	snprintf(path, sizeof path, "%s/open/link", top);
	ck_assert_int_eq(symlink("../real", path), 0);
	fs_bad("/open/link/sub", me, DIR_CHECK_PARENTS, EPERM,
	    "parent folder @/open is writable");

	/* Missing, or not a folder. */
	fs_bad("/none", me, 0, ENOENT, "@/none: No such file or directory");
	snprintf(path, sizeof path, "%s/file", top);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ne(fd, -1);
	close(fd);
	fs_bad("/file", me, 0, ENOTDIR, "@/file is not a folder");

	/* Trailing slashes, and a relative path. */
	fs_ok("/real//", me, DIR_CHECK_PARENTS);
	ck_assert_int_eq(chdir(top), 0);
	ck_assert_int_eq(dir_check("real/sub", me, DIR_CHECK_PARENTS,
	    &cause), 0);
	ck_assert_int_eq(dir_check("real", me, DIR_CHECK_PARENTS,
	    &cause), 0);
	ck_assert_int_eq(dir_check("open/mine", me, DIR_CHECK_PARENTS,
	    &cause), -1);
	free(cause);

	/* dir_open gives the folder itself, and its owner. */
	snprintf(path, sizeof path, "%s/real", top);
	fd = dir_open(path, me, DIR_CHECK_PARENTS, &sb, &cause);
	ck_assert_int_ne(fd, -1);
	ck_assert_uint_eq(sb.st_uid, me);
	ck_assert_int_eq(fstatat(fd, "sub", &sb, 0), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	close(fd);
}
END_TEST

/* As root: folders of another user (skipped otherwise). */
START_TEST(test_fs_owner)
{
	const uid_t	 other = 54321;
	char		 path[PATH_MAX];

	if (geteuid() != 0)
		return;
	fs_mkdir("/theirs", 0700);
	snprintf(path, sizeof path, "%s/theirs", top);
	ck_assert_int_eq(chown(path, other, (gid_t)-1), 0);
	fs_bad("/theirs", 1000, 0, EPERM,
	    "@/theirs is owned by uid 54321, not by uid 1000 or root");
	fs_bad("/theirs", 0, 0, EPERM,
	    "@/theirs is owned by uid 54321, not by root");
	fs_ok("/theirs", other, 0);
	fs_ok("/theirs", 1000, DIR_CHECK_ANY_OWNER);

	/* Ours, in theirs: fine alone, not with the parents. */
	fs_mkdir("/theirs/ours", 0700);
	fs_ok("/theirs/ours", 0, 0);
	fs_bad("/theirs/ours", 0, DIR_CHECK_PARENTS, EPERM,
	    "@/theirs/ours: parent folder @/theirs is owned by uid 54321, "
	    "not by root");
	fs_ok("/theirs/ours", other, DIR_CHECK_PARENTS);

	/* A sticky folder is fine above only when root owns it. */
	fs_mkdir("/sticky", 01777);
	fs_mkdir("/sticky/ours", 0700);
	fs_ok("/sticky/ours", 0, DIR_CHECK_PARENTS);
	snprintf(path, sizeof path, "%s/sticky", top);
	ck_assert_int_eq(chown(path, other, (gid_t)-1), 0);
	fs_bad("/sticky/ours", other, DIR_CHECK_PARENTS, EPERM,
	    "parent folder @/sticky is writable by its group and others "
	    "(mode 1777)");
}
END_TEST

static Suite *
dircheck_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("dircheck");
	tc = tcase_create("stat");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stat_rule);
	suite_add_tcase(s, tc);

	tc = tcase_create("fs");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, fs_setup, fs_teardown);
	tcase_add_test(tc, test_fs_rule);
	tcase_add_test(tc, test_fs_owner);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (unit_run(dircheck_suite(), 1));
}
