/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the state layer's ordering rules, with fsync and
 * fdatasync interposed (this program defines them, so the daemon's calls
 * land here) to see what is on disk when:
 *
 * - a task id is handed out only from a block whose reservation has been
 *   synced;
 * - an acknowledged change is answered (its group commit done) only once
 *   an fdatasync that began after its line was written has ended, and
 *   that sync runs in the helper thread, never in the loop;
 * - changes made in one turn share one fdatasync (group commit);
 * - a change whose sync failed is not answered until a snapshot has
 *   written it;
 * - an answer relying on a journal made by a compaction first syncs the
 *   folder entry of that journal.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

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

static pthread_mutex_t	 sync_mtx = PTHREAD_MUTEX_INITIALIZER;
static uint64_t		 synced_ids;	/* highest reservation synced */
static int		 fail_syncs;	/* fdatasync calls to fail */
static int		 dir_syncs;	/* fsyncs of a folder */
static int		 file_syncs;	/* fdatasyncs of a file, done */
static int		 loop_syncs;	/* of those, in the loop's thread */
static char		 synced_mark[64];	/* a text to look for */
static int		 mark_synced;	/* a sync began with it in the file */

/* The highest "next" of an ids line or snapshot in the file of fd. */
static uint64_t
scan_ids(int fd, int *marked)
{
	struct stat	 st;
	char		*buf, *p, path[64];
	uint64_t	 max = 0, v;
	ssize_t		 n;
	int		 rfd;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return (0);
	/* The daemon's descriptor may be write-only: read another. */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((rfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	buf = malloc((size_t)st.st_size + 1);
	n = pread(rfd, buf, (size_t)st.st_size, 0);
	close(rfd);
	if (n <= 0) {
		free(buf);
		return (0);
	}
	buf[n] = '\0';
	if (synced_mark[0] != '\0' && strstr(buf, synced_mark) != NULL)
		*marked = 1;
	for (p = buf; (p = strstr(p, "\"next\":")) != NULL; p++) {
		v = strtoull(p + 7, NULL, 10);
		if (v > max)
			max = v;
	}
	for (p = buf; (p = strstr(p, "\"next_task_id\":")) != NULL; p++) {
		v = strtoull(p + 15, NULL, 10);
		if (v > max)
			max = v;
	}
	free(buf);
	return (max);
}

/* A sync of fd that began when marked said the mark was in it ended. */
static void
note_sync(int fd, int marked)
{
	struct stat	 st;
	uint64_t	 v;
	int		 dummy = 0;

	pthread_mutex_lock(&sync_mtx);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		dir_syncs++;
	else {
		if ((v = scan_ids(fd, &dummy)) > synced_ids)
			synced_ids = v;
		file_syncs++;
		if (marked)
			mark_synced = 1;
	}
	pthread_mutex_unlock(&sync_mtx);
}

int
fdatasync(int fd)
{
	int	 fail, marked = 0;

	pthread_mutex_lock(&sync_mtx);
	fail = fail_syncs > 0;
	if (fail)
		fail_syncs--;
	if (syscall(SYS_gettid) == getpid())
		loop_syncs++;
	scan_ids(fd, &marked);
	pthread_mutex_unlock(&sync_mtx);
	if (fail) {
		errno = EIO;
		return (-1);
	}
	/* A slow disk for the helper thread: bursts outrun its syncs. */
	if (syscall(SYS_gettid) != getpid())
		usleep(20000);
	if (syscall(SYS_fdatasync, fd) == -1)
		return (-1);
	note_sync(fd, marked);
	return (0);
}

int
fsync(int fd)
{
	if (syscall(SYS_gettid) == getpid()) {
		pthread_mutex_lock(&sync_mtx);
		loop_syncs++;
		pthread_mutex_unlock(&sync_mtx);
	}
	if (syscall(SYS_fsync, fd) == -1)
		return (-1);
	note_sync(fd, 0);
	return (0);
}

/*
 * A daemon loading the given state.json and journal (NULL: none) from a
 * new folder; the first snapshot follows the rules of SCHEDD_START_FORK.
 */
static void
setup_with(const char *snapshot, const char *journal)
{
	state_test_open("test_state", snapshot, journal);
}

/* A daemon with an empty state in a new folder. */
static void
setup(void)
{
	setup_with(NULL, NULL);
	/* Count from here: opening wrote and synced a snapshot. */
	pthread_mutex_lock(&sync_mtx);
	file_syncs = loop_syncs = mark_synced = 0;
	synced_mark[0] = '\0';
	pthread_mutex_unlock(&sync_mtx);
}



START_TEST(test_ids_from_synced_blocks)
{
	uint64_t	 id, bound;
	int		 i;

	setup();
	for (i = 0; i < 45000; i++) {
		id = state_next_id();
		pthread_mutex_lock(&sync_mtx);
		bound = synced_ids;
		pthread_mutex_unlock(&sync_mtx);
		ck_assert_msg(id < bound, "id %llu handed out while only %llu "
		    "is reserved on disk", (unsigned long long)id,
		    (unsigned long long)bound);
		/* Let the helper thread's answers in, now and then. */
		if (i % 64 == 0)
			event_base_loop(sd.base, EVLOOP_NONBLOCK);
	}
	state_test_close();
}
END_TEST

/*
 * A burst of new ids on a slow disk: the blocks grow, so the loop has to
 * sync for itself only a few times, however long the burst.
 */
START_TEST(test_ids_burst_blocks_grow)
{
	uint64_t	 id, bound;
	int		 i, in_loop;

	setup();
	pthread_mutex_lock(&sync_mtx);
	loop_syncs = 0;
	pthread_mutex_unlock(&sync_mtx);
	for (i = 0; i < 400000; i++) {
		id = state_next_id();
		if (i % 1024 == 0) {
			pthread_mutex_lock(&sync_mtx);
			bound = synced_ids;
			pthread_mutex_unlock(&sync_mtx);
			ck_assert_uint_lt(id, bound);
			event_base_loop(sd.base, EVLOOP_NONBLOCK);
		}
	}
	pthread_mutex_lock(&sync_mtx);
	in_loop = loop_syncs;
	pthread_mutex_unlock(&sync_mtx);
	ck_assert_msg(in_loop <= 6, "the loop synced %d times", in_loop);
	state_test_close();
}
END_TEST

/* Mark the text whose sync is watched. */
static void
watch_mark(const char *text)
{
	pthread_mutex_lock(&sync_mtx);
	snprintf(synced_mark, sizeof synced_mark, "%s", text);
	mark_synced = 0;
	pthread_mutex_unlock(&sync_mtx);
}

START_TEST(test_ack_after_sync)
{
	struct jobdef	*def;
	uint64_t	 group;
	int		 synced;

	setup();
	watch_mark("\"acked\"");
	def = state_test_def("acked");
	ck_assert_int_eq(state_job_def(def, 0, 0), 0);
	jobdef_unref(def);
	group = state_ack_group();
	ck_assert_msg(state_ack_done() < group, "a change counted as on disk "
	    "before any sync");
	ck_assert_msg(state_test_durable(group, 5),
	    "the change never got on disk");
	pthread_mutex_lock(&sync_mtx);
	synced = mark_synced;
	ck_assert_int_eq(loop_syncs, 0);
	pthread_mutex_unlock(&sync_mtx);
	ck_assert_msg(synced, "answered before a sync that covers its line");
	state_test_close();
}
END_TEST

START_TEST(test_group_commit)
{
	struct jobdef	*def;
	uint64_t	 group;
	char		 name[32];
	int		 i, syncs;

	setup();
	/* Eight changes in one turn of the loop: one group, one sync. */
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof name, "group%d", i);
		def = state_test_def(name);
		ck_assert_int_eq(state_job_def(def, 0, 0), 0);
		jobdef_unref(def);
	}
	group = state_ack_group();
	ck_assert_msg(state_test_durable(group, 5),
	    "the group never got on disk");
	pthread_mutex_lock(&sync_mtx);
	syncs = file_syncs;
	ck_assert_int_eq(loop_syncs, 0);
	pthread_mutex_unlock(&sync_mtx);
	ck_assert_int_eq(syncs, 1);
	state_test_close();
}
END_TEST

START_TEST(test_failed_sync_held)
{
	struct jobdef	*def;
	uint64_t	 group;

	setup();
	pthread_mutex_lock(&sync_mtx);
	fail_syncs = 1;
	pthread_mutex_unlock(&sync_mtx);
	def = state_test_def("unsynced");
	ck_assert_int_eq(state_job_def(def, 0, 0), 0);
	jobdef_unref(def);
	group = state_ack_group();
	/* The sync fails: the state is broken, the answer waits... */
	ck_assert_msg(!state_test_durable(group, 1),
	    "answered although its sync failed");
	ck_assert_int_eq(sd.state_ok, 0);
	/* ... until the retry's snapshot (every 5 s) has written it. */
	ck_assert_msg(state_test_durable(group, 8),
	    "still not answered after the snapshot");
	ck_assert_int_eq(sd.state_ok, 1);
	state_test_close();
}
END_TEST

START_TEST(test_new_journal_entry_synced)
{
	struct jobdef	*def;
	struct stat	 st;
	char		 path[128];
	int		 before, i;

	setenv("SCHEDD_JOURNAL_MAX", "1000", 1);
	setup();
	/* Grow the journal past its limit: a compaction starts. */
	for (i = 0; i < 20; i++) {
		def = state_test_def("grow");
		ck_assert_int_eq(state_job_def(def, 0, 0), 0);
		jobdef_unref(def);
	}
	snprintf(path, sizeof path, "%s/journal.new", state_test_dir);
	for (i = 0; i < 100 && stat(path, &st) == -1; i++)
		event_base_loop(sd.base, EVLOOP_NONBLOCK);
	ck_assert_msg(stat(path, &st) == 0, "no compaction started");
	pthread_mutex_lock(&sync_mtx);
	before = dir_syncs;
	pthread_mutex_unlock(&sync_mtx);
	def = state_test_def("after");
	ck_assert_int_eq(state_job_def(def, 0, 0), 0);
	jobdef_unref(def);
	ck_assert(state_test_durable(state_ack_group(), 5));
	pthread_mutex_lock(&sync_mtx);
	ck_assert_msg(dir_syncs > before, "an answer relied on journal.new "
	    "before its folder entry was synced");
	pthread_mutex_unlock(&sync_mtx);
	state_test_close();
	unsetenv("SCHEDD_JOURNAL_MAX");
}
END_TEST

/* How many files of the state folder start with prefix. */
static int
count_files(const char *prefix)
{
	char	 cmd[256];
	FILE	*p;
	int	 n = -1;

	snprintf(cmd, sizeof cmd, "ls -1 %s | grep -c '^%s'", state_test_dir,
	    prefix);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return (n);
}

#define SNAP_JOB	"{\"t\":\"job\",\"name\":\"rt\","	\
	"\"origin\":\"runtime\",\"uid\":0,\"paused\":false,"	\
	"\"def\":{\"name\":\"rt\",\"command\":[\"true\"],"		\
	"\"every_ms\":3600000}}"
#define SNAP_TASK(id, st, err) "{\"id\":" #id ",\"job\":\"rt\",\"state\":" \
	"\"" st "\",\"trigger\":\"manual\",\"attempt\":1,\"uid\":0,"	\
	"\"queued_at\":\"2026-01-02T03:04:05.678+00:00\",\"error\":" err \
	",\"output\":\"x\\\\y\\\"z\",\"t\":\"task\"}"

/*
 * A snapshot of job rt and more jobs, with task records 3 and 4 and more
 * between them, then end.
 */
static void
snap_text(char *buf, size_t size, const char *jobs, const char *tasks,
    const char *end)
{
	snprintf(buf, size, "{\"version\":1,\"generation\":3,\"jobs\":[%s%s],"
	    "\"bans\":[],\"tasks\":[\n%s,\n%s%s%s", SNAP_JOB, jobs,
	    SNAP_TASK(3, "succeeded", "null"), tasks,
	    SNAP_TASK(4, "failed", "null"), end);
}

/*
 * A snapshot is read by its structure, not its layout: members in any
 * order (tasks before jobs), spaces and newlines anywhere, strings that
 * hold brackets, quotes and escaped backslashes.
 */
START_TEST(test_load_any_layout)
{
	struct task	*t;
	char		 snap[2048];

	snprintf(snap, sizeof snap, "{ \"tasks\" : [\n %s ,\n%s ] ,\n"
	    "\"bans\":[{\"name\":\"b]\\\"[\",\"since_s\":1}], \"jobs\":[ %s ],"
	    "\n\"generation\" : 7, \"next_task_id\":50, \"version\":1 }\n",
	    SNAP_TASK(3, "succeeded", "\"a \\\"]}\\\\\""),
	    SNAP_TASK(4, "failed", "null"), SNAP_JOB);
	setup_with(snap, NULL);
	ck_assert_ptr_nonnull(job_find("rt"));
	ck_assert_ptr_nonnull(t = task_find(3));
	ck_assert_str_eq(t->error, "a \"]}\\");
	ck_assert_int_eq(t->state, TASK_SUCCEEDED);
	ck_assert_int_eq(t->tail_len, 5);
	ck_assert(memcmp(t->tail, "x\\y\"z", 5) == 0);
	ck_assert_int_eq(t->queued_at.tv_sec, 1767323045);
	ck_assert_int_eq(t->queued_at.tv_nsec, 678000000);
	ck_assert_ptr_nonnull(t = task_find(4));
	ck_assert_ptr_null(t->error);
	ck_assert_int_eq(t->job->nhistory, 2);
	ck_assert_ptr_nonnull(TAILQ_FIRST(&sd.bans));
	ck_assert_str_eq(TAILQ_FIRST(&sd.bans)->name, "b]\"[");
	ck_assert(sd.next_task_id >= 50);
	ck_assert_ptr_null(sd.state_error);
	ck_assert_int_eq(count_files("state.json.corrupt"), 0);
	state_test_close();
}
END_TEST

/*
 * A snapshot cut short is refused whole, before anything of it is
 * applied: moved aside, and the daemon starts without it.
 */
START_TEST(test_load_cut_short)
{
	char	 snap[2048];

	snap_text(snap, sizeof snap, "", "", "]}\n");
	snap[strlen(snap) - 20] = '\0';
	setup_with(snap, NULL);
	ck_assert_ptr_null(job_find("rt"));
	ck_assert_ptr_null(task_find(3));
	ck_assert_ptr_nonnull(sd.state_error);
	ck_assert_int_eq(count_files("state.json.corrupt"), 1);
	state_test_close();
}
END_TEST

/*
 * A record that does not parse on its own is skipped, the others load,
 * and the file is kept as it was beside the new snapshot.
 */
START_TEST(test_load_bad_record)
{
	char	 snap[2048];

	/* A job whose definition is of another name is dropped too. */
	snap_text(snap, sizeof snap, ",{\"t\":\"job\",\"t\":1},{\"t\":\"job\","
	    "\"name\":\"alias\",\"origin\":\"runtime\",\"def\":{\"name\":"
	    "\"rt2\",\"command\":[\"true\"]}}",
	    "{\"id\":9,\"id\":10},\n{\"id\":},\n", "]}\n");
	setup_with(snap, NULL);
	ck_assert_ptr_nonnull(job_find("rt"));
	ck_assert_ptr_null(job_find("alias"));
	ck_assert_ptr_null(job_find("rt2"));
	ck_assert_ptr_nonnull(task_find(3));
	ck_assert_ptr_nonnull(task_find(4));
	ck_assert_ptr_null(task_find(9));
	ck_assert_ptr_nonnull(sd.state_error);
	ck_assert_msg(strstr(sd.state_error, "3 unreadable") != NULL, "%s",
	    sd.state_error);
	ck_assert_int_eq(count_files("state.json.corrupt"), 1);
	state_test_close();
}
END_TEST

/* Journal task lines, read in place: the last line of an id wins. */
START_TEST(test_journal_tasks_last_wins)
{
	struct task	*t;
	char		 snap[1024], jnl[2048];

	snprintf(snap, sizeof snap, "{\"version\":1,\"generation\":3,"
	    "\"jobs\":[%s],\"bans\":[],\"tasks\":[]}\n", SNAP_JOB);
	snprintf(jnl, sizeof jnl, "{\"journal\":1,\"generation\":3}\n"
	    "%s\n%s\n%s\n", SNAP_TASK(5, "queued", "null"),
	    SNAP_TASK(6, "queued", "null"),
	    SNAP_TASK(5, "failed", "\"it \\u00e9\\nfailed\""));
	setup_with(snap, jnl);
	ck_assert_ptr_nonnull(t = task_find(5));
	ck_assert_int_eq(t->state, TASK_FAILED);
	ck_assert_str_eq(t->error, "it \xc3\xa9\nfailed");
	ck_assert_ptr_nonnull(t = task_find(6));
	ck_assert_int_eq(t->state, TASK_QUEUED);
	ck_assert_int_eq(t->job->nhistory, 1);
	ck_assert_int_eq(t->job->nqueued, 1);
	state_test_close();
}
END_TEST

/*
 * A large state's first snapshot is written by a child: the journal is
 * journal.new until the child is done, its ids are reserved and synced
 * before any is handed out, and then the snapshot holds everything.
 */
START_TEST(test_start_snapshot_beside)
{
	struct stat	 st;
	char		 snap[2048], path[128], *buf;
	uint64_t	 gen, id;
	size_t		 len;
	pid_t		 pid;
	int		 status, fd;

	setenv("SCHEDD_START_FORK", "1", 1);
	snprintf(snap, sizeof snap, "{\"version\":1,\"generation\":3,"
	    "\"next_task_id\":20,\"jobs\":[%s],\"bans\":[],\"tasks\":["
	    "%s]}\n", SNAP_JOB, SNAP_TASK(3, "succeeded", "null"));
	setup_with(snap, NULL);
	snprintf(path, sizeof path, "%s/journal.new", state_test_dir);
	ck_assert_msg(stat(path, &st) == 0, "no journal.new after the start");
	/* The reservation is on disk before the first id is handed out. */
	id = state_next_id();
	pthread_mutex_lock(&sync_mtx);
	ck_assert_uint_gt(synced_ids, id);
	pthread_mutex_unlock(&sync_mtx);
	/* The child is forked in the first turn of the loop. */
	pthread_mutex_lock(&sync_mtx);
	loop_syncs = 0;
	pthread_mutex_unlock(&sync_mtx);
	event_base_loop(sd.base, EVLOOP_NONBLOCK);
	ck_assert_int_gt(pid = wait(&status), 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(state_child_reaped(pid, status), 1);
	ck_assert_msg(stat(path, &st) == -1, "journal.new is still there");
	/* The child renamed it and synced the folder: the loop did not. */
	pthread_mutex_lock(&sync_mtx);
	ck_assert_int_eq(loop_syncs, 0);
	pthread_mutex_unlock(&sync_mtx);
	ck_assert_int_ge(fd = open(state_test_dir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_ptr_nonnull(buf = file_read_at(fd, "state.json", &len));
	close(fd);
	ck_assert_msg(strstr(buf, "\"generation\":4,") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "\"name\":\"rt\"") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "{\"id\":3,") != NULL, "%s", buf);
	free(buf);
	gen = 0;
	ck_assert_int_eq(sscanf(strstr(buf = file_read_at(sd.state_dirfd,
	    "journal", &len), "generation") + 12, "%llu",
	    (unsigned long long *)&gen), 1);
	free(buf);
	ck_assert_uint_eq(gen, 4);
	state_test_close();
	unsetenv("SCHEDD_START_FORK");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("state");
	TCase	*tc = tcase_create("state");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ids_from_synced_blocks);
	tcase_add_test(tc, test_ids_burst_blocks_grow);
	tcase_add_test(tc, test_ack_after_sync);
	tcase_add_test(tc, test_group_commit);
	tcase_add_test(tc, test_failed_sync_held);
	tcase_add_test(tc, test_new_journal_entry_synced);
	tcase_add_test(tc, test_load_any_layout);
	tcase_add_test(tc, test_load_cut_short);
	tcase_add_test(tc, test_load_bad_record);
	tcase_add_test(tc, test_journal_tasks_last_wins);
	tcase_add_test(tc, test_start_snapshot_beside);
	suite_add_tcase(s, tc);
	return (unit_run(s, 1));
}
