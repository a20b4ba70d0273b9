/* SPDX-License-Identifier: ISC */
/*
 * Events for subscribers: {"event": NAME, ...} lines, never an "id".
 */
#include <string.h>

#include "schedd.h"

static const struct {
	const char	*name;
	unsigned	 class;
} sub_names[] = {
	{ "task.queued", SUB_TASK_QUEUED },
	{ "task.started", SUB_TASK_STARTED },
	{ "task.finished", SUB_TASK_FINISHED },
	{ "job.added", SUB_JOB_ADDED },
	{ "job.removed", SUB_JOB_REMOVED },
	{ "job.banned", SUB_JOB_BANNED },
	{ "job.unbanned", SUB_JOB_UNBANNED },
	{ "config.reloaded", SUB_CONFIG_RELOADED },
	{ "task.frozen", SUB_TASK_FROZEN },
	{ "task.thawed", SUB_TASK_THAWED },
	{ "job.changed", SUB_JOB_CHANGED },
	{ "job.paused", SUB_JOB_PAUSED },
	{ "job.resumed", SUB_JOB_RESUMED },
	{ "task.retry", SUB_TASK_RETRY },
	{ "hook.queued", SUB_HOOK_QUEUED },
};

/* The class bit of an event name, 0 if unknown. */
unsigned
sub_class(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof sub_names / sizeof sub_names[0]; i++) {
		if (strcmp(sub_names[i].name, name) == 0)
			return (sub_names[i].class);
	}
	return (0);
}

/* The name of an event class. */
const char *
sub_name(unsigned class)
{
	size_t	 i;

	for (i = 0; i < sizeof sub_names / sizeof sub_names[0]; i++) {
		if (sub_names[i].class == class)
			return (sub_names[i].name);
	}
	return ("unknown");
}

/*
 * Does any client subscribe to the class?  Callers on hot paths ask
 * before they build an event nobody would get.
 */
int
sub_wanted(unsigned class)
{
	struct client	*c;

	TAILQ_FOREACH(c, &sd.clients, entry) {
		if (!(c->flags & CLIENT_CLOSED) && (c->events & class))
			return (1);
	}
	return (0);
}

/* Send an event to every subscriber of its class; steals obj. */
void
sub_emit(unsigned class, json_t *obj)
{
	struct client	*c, *next;
	json_t		*ev;

	ev = json_pack("{s:s}", "event", sub_name(class));
	json_object_update(ev, obj);
	json_decref(obj);
	obj = ev;
	for (c = TAILQ_FIRST(&sd.clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!(c->flags & CLIENT_CLOSED) && (c->events & class))
			client_send(c, obj);
	}
	json_decref(obj);
}
