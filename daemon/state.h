/*
 * Private to the state files (state.c writes, state-load.c loads).
 */
#ifndef STATE_H
#define STATE_H

#include <stdint.h>

#define STATE_VERSION		1
#define STATE_IDS_BLOCK		10000

extern uint64_t		 state_generation;
extern uint64_t		 state_ids_reserved;

char	*state_path(const char *);
int	 state_snapshot(char **);
int	 state_journal_new(char **);
void	 state_timers_init(void);
void	 state_failed(const char *);
void	 state_sync_init(void);
uint64_t state_sync_async(int);
void	 state_synced(uint64_t);
void	 state_sync_stop(void);

#endif
