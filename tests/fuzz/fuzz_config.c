/*
 * libFuzzer harness: any bytes as a configuration file through the YAML
 * loader and validator.  Nothing may crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 path[] = "/tmp/schedd-fuzz-config.XXXXXX";
	static int	 fd = -1;
	struct config	*conf;
	char		**errors;
	size_t		 nerrors;

	if (fd == -1 && (fd = mkstemp(path)) == -1)
		abort();
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	if (config_load(path, 1, &conf, &errors, &nerrors) == 0)
		config_free(conf);
	else
		config_errors_free(errors, nerrors);
	return (0);
}
