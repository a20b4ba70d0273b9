/*
 * Events for subscribers: {"event": NAME, ...} lines, never an "id".
 */
#include <string.h>

#include "schedd.h"

static const struct {
	const char	*name;
	unsigned	 class;
} event_names[] = {
	{ "task.queued", EV_TASK_QUEUED },
	{ "task.started", EV_TASK_STARTED },
	{ "task.finished", EV_TASK_FINISHED },
	{ "job.added", EV_JOB_ADDED },
	{ "job.removed", EV_JOB_REMOVED },
	{ "job.banned", EV_JOB_BANNED },
	{ "job.unbanned", EV_JOB_UNBANNED },
	{ "config.reloaded", EV_CONFIG_RELOADED },
};

/* The class bit of an event name, 0 if unknown. */
unsigned
event_class(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof event_names / sizeof event_names[0]; i++) {
		if (strcmp(event_names[i].name, name) == 0)
			return (event_names[i].class);
	}
	return (0);
}

/* The name of an event class. */
const char *
event_name(unsigned class)
{
	size_t	 i;

	for (i = 0; i < sizeof event_names / sizeof event_names[0]; i++) {
		if (event_names[i].class == class)
			return (event_names[i].name);
	}
	return ("unknown");
}

/* Send an event to every subscriber of its class; steals obj. */
void
event_emit(unsigned class, json_t *obj)
{
	struct client	*c, *next;
	json_t		*ev;

	ev = json_pack("{s:s}", "event", event_name(class));
	json_object_update(ev, obj);
	json_decref(obj);
	obj = ev;
	for (c = TAILQ_FIRST(&sd.clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!c->closed && (c->events & class))
			client_send(c, obj);
	}
	json_decref(obj);
}
