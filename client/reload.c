/*
 * schedctl reload [--dry-run]: have the daemon re-read its configuration
 * file; print what was (or with --dry-run, would be) added, removed and
 * changed.  An invalid file answers invalid_config with every error, which
 * ctl_call prints, and schedctl exits 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "client.h"

const struct opt_spec reload_opts[] = {
	{ "dry-run", 0, 0 },
	{ NULL, 0, 0 }
};

/* One line of job names, if there are any. */
static void
reload_print(const char *what, json_t *list)
{
	json_t	*name;
	size_t	 i;

	if (json_array_size(list) == 0)
		return;
	printf("%-8s", what);
	json_array_foreach(list, i, name)
		printf(" %s", json_is_string(name) ? json_string_value(name) :
		    "?");
	printf("\n");
}

int
cmd_reload(struct ctl *ctl, struct args *a)
{
	json_t	*args = NULL, *res;
	int	 rc, dry = args_has(a, "dry-run");

	if (dry) {
		args = json_object();
		json_object_set_new(args, "dry_run", json_true());
	}
	if ((rc = ctl_call(ctl, "reload", args, CALL_RAW, &res)) != 0)
		return (rc);
	if (!ctl->json) {
		reload_print("added", json_object_get(res, "added"));
		reload_print("removed", json_object_get(res, "removed"));
		reload_print("changed", json_object_get(res, "changed"));
		if (json_array_size(json_object_get(res, "added")) +
		    json_array_size(json_object_get(res, "removed")) +
		    json_array_size(json_object_get(res, "changed")) == 0)
			printf("no changes\n");
		else if (dry)
			printf("(dry run: nothing applied)\n");
	}
	json_decref(res);
	return (CTL_EXIT_OK);
}
