/* SPDX-License-Identifier: ISC */

/*
 * Boot schedules (schedd.yaml.5 "at: boot", cron's "@reboot"): a job
 * fires at the first start of the daemon after each boot of the system.
 * A boot is told by the kernel's boot_id; each job keeps the one it last
 * fired in (or was defined in) in the saved state.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sched-int.h"

#define SCHED_BOOT_ID_PATH	"/proc/sys/kernel/random/boot_id"

static char	 sched_boot_id[SCHED_BOOT_ID_MAX];

/* Read this boot's id; without one, boot schedules never fire. */
void
sched_boot_init(void)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(SCHED_BOOT_ID_PATH, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s: boot schedules will not fire",
		    SCHED_BOOT_ID_PATH);
		return;
	}
	n = read(fd, sched_boot_id, sizeof sched_boot_id - 1);
	close(fd);
	if (n <= 0) {
		log_warnx("%s: empty; boot schedules will not fire",
		    SCHED_BOOT_ID_PATH);
		n = 0;
	}
	sched_boot_id[n] = '\0';
	sched_boot_id[strcspn(sched_boot_id, "\n")] = '\0';
}

/*
 * A job defined while the daemon runs waits for the next boot: it is
 * marked as having seen this one.
 */
void
sched_boot_define(struct job *j)
{
	if (j->def->at_boot && !sd.loading)
		snprintf(j->boot_id, sizeof j->boot_id, "%s", sched_boot_id);
}

/*
 * At start: has the system booted since the job last saw a boot?  Marks
 * this boot as seen either way.
 */
int
sched_boot_due(struct job *j)
{
	if (!j->def->at_boot || sched_boot_id[0] == '\0' ||
	    strcmp(j->boot_id, sched_boot_id) == 0)
		return (0);
	snprintf(j->boot_id, sizeof j->boot_id, "%s", sched_boot_id);
	return (1);
}
