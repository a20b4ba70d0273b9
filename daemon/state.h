/* SPDX-License-Identifier: ISC */
/*
 * Private to the state files: the journal (state.c), what its lines say
 * (state-line.c), snapshots and compaction (state-snap.c), the folder
 * (state-folder.c), loading (state-load.c) and what the records loaded do
 * (state-apply.c), and the background sync (state-sync.c).  doc/state.md
 * describes them.
 */
#ifndef STATE_H
#define STATE_H

#include <sys/types.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_VERSION		1
#define STATE_IDS_BLOCK		10000
#define STATE_IDS_BLOCK_MAX	(STATE_IDS_BLOCK * 64)
#define STATE_FILE_FLAGS	(O_NOFOLLOW | O_CLOEXEC)
#define STATE_JSON_DEPTH	64	/* deeper is no schedd state */

/* The members of a task line (state_rec_scan): where each value is. */
enum {
	STATE_REC_ID, STATE_REC_JOB, STATE_REC_STATE, STATE_REC_TRIGGER,
	STATE_REC_ATTEMPT, STATE_REC_UID, STATE_REC_QUEUED_AT,
	STATE_REC_STARTED_AT, STATE_REC_FINISHED_AT, STATE_REC_DURATION_MS,
	STATE_REC_PID, STATE_REC_EXIT_CODE, STATE_REC_SIGNAL, STATE_REC_ERROR,
	STATE_REC_USER_CPU_MS, STATE_REC_SYS_CPU_MS, STATE_REC_MAX_RSS_KB,
	STATE_REC_OUTPUT, STATE_REC_OUTPUT_BYTES, STATE_REC_LOG,
	STATE_REC_MEMORY_PEAK, STATE_REC_OOM_KILLS, STATE_REC_FROZEN,
	STATE_REC_ARGS, STATE_REC_ENV, STATE_REC_RESULT,
	STATE_REC_RESULT_ERROR, STATE_REC_AFTER, STATE_REC_WAITING,
	STATE_REC_T, STATE_REC_OWNER,
	STATE_REC_OWNER_UID, STATE_REC_REMOVED,
	STATE_REC_MAX
};
struct state_rec {
	const char	*v[STATE_REC_MAX];	/* value as written, or NULL */
	size_t		 len[STATE_REC_MAX];
	int		 next;			/* the member expected next */
};

struct ban;
struct cnode;
struct job;
struct jw;
struct task;

extern int		 state_fd;		/* the journal, or -1 */
extern uint64_t		 state_jsize;		/* its size */
extern int		 state_dirty;		/* written, not yet synced */
extern int		 state_dirent_dirty;	/* a new journal's name too */
extern size_t		 state_blen;		/* lines not yet written */
extern uint64_t		 state_generation;
extern uint64_t		 state_ids_reserved;	/* highest reservation made */
extern uint64_t		 state_ids_durable;	/* highest one on disk */

/* state.c */
int	 state_write_all(int, const char *, size_t);
int	 state_flush(void);
void	 state_drop_pending(void);
void	 state_failed(const char *);
void	 state_timers_init(void);

/* state-line.c */
void	 state_job_write(struct jw *, const struct job *, int, int);
void	 state_task_write(struct jw *, const struct task *);
void	 state_def_line_write(struct jw *, const struct jobdef *, uid_t, int);
void	 state_job_gone_write(struct jw *, const char *);
void	 state_bans_list_write(struct jw *, const struct ban *, int);
void	 state_bans_write(struct jw *, const struct ban *, int);
const char *state_json_ws(const char *, const char *);
const char *state_json_string_end(const char *, const char *);
const char *state_json_skip(const char *, const char *);
int	 state_json_members(const char *, const char *, int (*)(const char *,
	    size_t, const char *, const char *, void *), void *);
int	 state_rec_scan(const char *, const char *, struct state_rec *);
int	 state_rec_int(const struct state_rec *, int, int64_t *);
int	 state_rec_is(const struct state_rec *, int, const char *);
int	 state_rec_word(const struct state_rec *, int, char *, size_t);
struct task *state_task_read(struct job *, const struct state_rec *);

/* state-apply.c */
void	 state_apply_begin(void);
void	 state_apply(json_t *, int);
void	 state_apply_job(const struct cnode *);
void	 state_apply_task(const struct state_rec *);
void	 state_apply_bans(json_t *);
void	 state_history_insert(struct task *);

/* state-snap.c */
void	 state_compact_init(void);
void	 state_compact_check(void);
void	 state_compact_stop(void);
int	 state_compact_at_start(uint64_t, int);
int	 state_snapshot(char **);
int	 state_journal_new(char **);

/* state-folder.c */
char	*state_path(const char *);
char	*state_now_text(void);
int	 state_sync_dir(void);
int	 state_folder_lost(char **);
int	 state_reopen(char **);

/* state-write.c */
int	 state_write_put(const char *, size_t);
int	 state_write_wait(uint64_t);
int	 state_write_drain(void);
void	 state_journal_set(int);
void	 state_write_stop(void);

/* state-sync.c */
void	 state_sync_init(void);
uint64_t state_sync_async(int, int);
void	 state_synced(uint64_t);
void	 state_sync_stop(void);

#endif
