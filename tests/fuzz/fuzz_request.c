/*
 * libFuzzer harness: any bytes as a request line go through decoding, the
 * command table's checks and, for "add", the job validator.  Nothing may
 * crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cmd.h"
#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cmd_entry	*ce;
	struct jobdef		*def;
	json_t			*req;
	char			*cause = NULL;

	if (cmd_decode((const char *)data, size, &req, &cause) != 0) {
		free(cause);
		json_decref(req);
		return (0);
	}
	ce = cmd_find(json_string_value(json_object_get(req, "cmd")));
	if (ce != NULL && cmd_check(ce, req, 1, &cause) == PROTO_OK &&
	    json_object_get(req, "job") != NULL) {
		if (jobdef_from_json(json_object_get(req, "job"), &def,
		    &cause) == 0) {
			json_decref(jobdef_to_json(def, NULL));
			jobdef_unref(def);
		}
	}
	free(cause);
	json_decref(req);
	return (0);
}
