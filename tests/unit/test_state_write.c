/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the journal's writer (daemon/state-write.c), with write
 * and fdatasync interposed (this program defines them, so the daemon's
 * calls land here) to see which thread writes the journal and what is in
 * it when it is synced:
 *
 * - with the writer thread (SCHEDD_WRITE_THREAD=1) the loop never writes
 *   the journal, lines reach it in the order they were made, and an
 *   acknowledged change is answered only once a sync that began after
 *   its line was written has ended;
 * - a write the thread could not make fails the state: the change is not
 *   answered until the retry's snapshot has written it;
 * - by default, with no timer due, the loop writes itself (no wakeup of
 *   another thread for each turn).
 */
#include <sys/types.h>
#include <sys/syscall.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "schedd.h"
#include "unit.h"
#include "unit-state.h"
#include "util.h"

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static int		 loop_writes;	/* journal writes by the loop */
static int		 thread_writes;	/* by another thread */
static int		 fail_writes;	/* journal writes to fail */
static int		 slow_writes;	/* microseconds each one takes */
static char		 mark[64];	/* a line whose sync is watched */
static int		 mark_written;	/* it is in the journal */
static int		 mark_synced;	/* a sync began after that */

/* Is fd the state folder's journal (or journal.new)? */
static int
is_journal(int fd)
{
	char	 path[64], target[512];
	ssize_t	 n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((n = readlink(path, target, sizeof target - 1)) <= 0)
		return (0);
	target[n] = '\0';
	return (strstr(target, "/test_state_write.") != NULL &&
	    (strstr(target, "/journal") != NULL));
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	int	 journal, fail = 0, slow = 0;

	if ((journal = is_journal(fd))) {
		pthread_mutex_lock(&mtx);
		if (syscall(SYS_gettid) == getpid())
			loop_writes++;
		else
			thread_writes++;
		if (fail_writes > 0) {
			fail_writes--;
			fail = 1;
		}
		slow = slow_writes;
		pthread_mutex_unlock(&mtx);
	}
	if (fail) {
		errno = ENOSPC;
		return (-1);
	}
	if (slow > 0)
		usleep((useconds_t)slow);
	len = (size_t)syscall(SYS_write, fd, buf, len);
	if (journal && mark[0] != '\0' && memmem(buf, len, mark,
	    strlen(mark)) != NULL) {
		pthread_mutex_lock(&mtx);
		mark_written = 1;
		pthread_mutex_unlock(&mtx);
	}
	return ((ssize_t)len);
}

int
fdatasync(int fd)
{
	int	 written;

	pthread_mutex_lock(&mtx);
	written = mark_written;
	pthread_mutex_unlock(&mtx);
	if (syscall(SYS_fdatasync, fd) == -1)
		return (-1);
	if (written) {
		pthread_mutex_lock(&mtx);
		mark_synced = 1;
		pthread_mutex_unlock(&mtx);
	}
	return (0);
}

static void
setup(void)
{
	state_test_open("test_state_write", NULL, NULL);
	pthread_mutex_lock(&mtx);
	loop_writes = thread_writes = 0;
	pthread_mutex_unlock(&mtx);
}

/* Add a runtime job's definition to the journal, as "add" does. */
static void
add_def(const char *name)
{
	struct jobdef	*def = state_test_def(name);

	ck_assert_int_eq(state_job_def(def, 0, 0), 0);
	jobdef_unref(def);
}

START_TEST(test_thread_writes_in_order)
{
	char	 name[32], *buf, *p;
	size_t	 len;
	uint64_t group;
	int	 i, turn;

	setenv("SCHEDD_WRITE_THREAD", "1", 1);
	setup();
	pthread_mutex_lock(&mtx);
	slow_writes = 2000;
	snprintf(mark, sizeof mark, "\"w%03d\"", 99);
	pthread_mutex_unlock(&mtx);
	/* 100 changes over 10 turns of the loop; the last one's group. */
	for (turn = 0; turn < 10; turn++) {
		for (i = 0; i < 10; i++) {
			snprintf(name, sizeof name, "w%03d", turn * 10 + i);
			add_def(name);
		}
		group = state_ack_group();
		event_base_loop(sd.base, EVLOOP_NONBLOCK);
	}
	ck_assert_msg(state_test_durable(group, 10), "never on disk");
	pthread_mutex_lock(&mtx);
	ck_assert_int_eq(loop_writes, 0);
	ck_assert_int_gt(thread_writes, 0);
	ck_assert_msg(mark_synced, "answered before a sync that covers its "
	    "line");
	pthread_mutex_unlock(&mtx);
	/* Every line, in the order made. */
	buf = file_read_at(sd.state_dirfd, "journal", &len);
	ck_assert_ptr_nonnull(buf);
	p = buf;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "\"name\":\"w%03d\"", i);
		ck_assert_msg((p = strstr(p, name)) != NULL, "%s missing or "
		    "out of order", name);
	}
	free(buf);
	state_test_close();
	unsetenv("SCHEDD_WRITE_THREAD");
}
END_TEST

START_TEST(test_thread_write_fails)
{
	uint64_t	 group;

	setenv("SCHEDD_WRITE_THREAD", "1", 1);
	setup();
	pthread_mutex_lock(&mtx);
	fail_writes = 1;
	pthread_mutex_unlock(&mtx);
	add_def("unwritten");
	group = state_ack_group();
	/* The write fails: the state is broken, the answer waits... */
	ck_assert_msg(!state_test_durable(group, 1),
	    "answered although its line was never written");
	ck_assert_int_eq(sd.state_ok, 0);
	/* ... until the retry's snapshot (every 5 s) has written it. */
	ck_assert_msg(state_test_durable(group, 8),
	    "still not answered after the snapshot");
	ck_assert_int_eq(sd.state_ok, 1);
	state_test_close();
	unsetenv("SCHEDD_WRITE_THREAD");
}
END_TEST

START_TEST(test_loop_writes_when_idle)
{
	setup();
	add_def("direct");
	ck_assert(state_test_durable(state_ack_group(), 5));
	pthread_mutex_lock(&mtx);
	ck_assert_int_gt(loop_writes, 0);
	ck_assert_int_eq(thread_writes, 0);
	pthread_mutex_unlock(&mtx);
	state_test_close();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("state_write");
	TCase	*tc = tcase_create("state_write");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_thread_writes_in_order);
	tcase_add_test(tc, test_thread_write_fails);
	tcase_add_test(tc, test_loop_writes_when_idle);
	suite_add_tcase(s, tc);
	return (unit_run(s, 1));
}
