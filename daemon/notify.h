/* SPDX-License-Identifier: ISC */
/*
 * The service manager's side of schedd: readiness and status
 * notifications (sd_notify), socket activation (sd_listen_fds) and
 * idle_exit.  Everything is a no-op when schedd was not started by a
 * service manager.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

void	 notify_ready(void);
void	 notify_reloading(void);
void	 notify_reloaded(void);
void	 notify_stopping(void);
void	 notify_status(void);
int	 notify_listen_fd(void);
int	 notify_activated(void);
void	 notify_idle_check(void);
void	 notify_free(void);

#endif
