/*
 * Private to the state files: the journal (state.c), what its lines say
 * (state-line.c), snapshots and compaction (state-snap.c), the folder
 * (state-folder.c), loading (state-load.c) and the background sync
 * (state-sync.c).  doc/state.md describes them.
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

struct ban;
struct job;
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
json_t	*state_job_json(const struct job *, int);
json_t	*state_job_json_paused(const struct job *, int, int);
json_t	*state_task_json(const struct task *);
json_t	*state_bans_json(void);
json_t	*state_bans_json_with(const struct ban *, int);

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

/* state-sync.c */
void	 state_sync_init(void);
uint64_t state_sync_async(int, int);
void	 state_synced(uint64_t);
void	 state_sync_stop(void);

#endif
