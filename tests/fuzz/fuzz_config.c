/* SPDX-License-Identifier: ISC */

/*
 * Fuzz target: any bytes as a configuration file through the YAML loader
 * and validator (schedd.yaml.5).  A line "#--- jobs.d/a.yaml" splits the
 * input: what follows it is a second file, jobs.d/a.yaml, that the first
 * may include.  Nothing may crash, leak or hang, and every job that loads
 * must survive the trip through JSON that a saved runtime job takes:
 * jobdef_from_json(jobdef_to_json(def)) is the same job.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "xmalloc.h"

#define FUZZ_SPLIT	"\n#--- jobs.d/a.yaml\n"

static char	*fuzz_dir;
static char	*fuzz_jobs_dir;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	fuzz_dir = fuzz_tmpdir();
	xasprintf(&fuzz_jobs_dir, "%s/jobs.d", fuzz_dir);
	return (0);
}

/* A loaded job must come back the same from its JSON form. */
static void
fuzz_config_roundtrip(const struct jobdef *def)
{
	struct jobdef	*back;
	json_t		*o;
	char		*cause, *s;

	o = jobdef_to_json(def, NULL);
	/* The name is an argument of "add", not one of the job's keys. */
	json_object_set_new(o, "name", json_string(def->name));
	if (jobdef_from_json(o, &back, &cause) != 0) {
		s = json_dumps(o, JSON_COMPACT);
		fuzz_fail("job %s: its JSON form %s does not load: %s",
		    def->name, s, cause);
	}
	if (!jobdef_equal(def, back)) {
		s = json_dumps(o, JSON_COMPACT);
		fuzz_fail("job %s: its JSON form %s loads as another job",
		    def->name, s);
	}
	jobdef_unref(back);
	json_decref(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*conf;
	const uint8_t	*split;
	char		**errors, *path, *inc;
	size_t		 nerrors, main_len = size, i;

	fuzz_clear(fuzz_dir);
	split = memmem(data, size, FUZZ_SPLIT, strlen(FUZZ_SPLIT));
	if (split != NULL) {
		main_len = (size_t)(split - data);
		mkdir(fuzz_jobs_dir, 0700);
		inc = fuzz_write(fuzz_jobs_dir, "a.yaml", split +
		    strlen(FUZZ_SPLIT), size - main_len - strlen(FUZZ_SPLIT));
		free(inc);
	}
	path = fuzz_write(fuzz_dir, "schedd.yaml", data, main_len);
	if (config_load(path, 1, &conf, &errors, &nerrors) == 0) {
		for (i = 0; i < conf->njobs; i++)
			fuzz_config_roundtrip(conf->jobs[i]);
		config_free(conf);
	} else
		config_errors_free(errors, nerrors);
	free(path);
	return (0);
}
