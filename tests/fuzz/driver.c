/* SPDX-License-Identifier: ISC */

/*
 * A main() for the fuzz harnesses when they are not built with libFuzzer:
 * every file named (or every file in a folder named) goes through the
 * harness once.  Without arguments, the harness's seeds:
 * $SRCDIR/tests/fuzz/seeds/NAME, NAME being the program's name.  This is
 * how "make check" keeps the harnesses building and their seeds passing
 * with any compiler; tests/fuzz/run.sh does the fuzzing.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "xmalloc.h"

static size_t	 driver_runs;

static int	 driver_file(const char *);
static int	 driver_path(const char *);
static int	 driver_name_cmp(const void *, const void *);

/* Run one file through the harness. */
static int
driver_file(const char *path)
{
	struct stat	 sb;
	uint8_t		*buf;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	/* One byte more, so that an empty file is a valid buffer too. */
	buf = xmalloc((size_t)sb.st_size + 1);
	while (off < (size_t)sb.st_size &&
	    (n = read(fd, buf + off, (size_t)sb.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	LLVMFuzzerTestOneInput(buf, off);
	free(buf);
	driver_runs++;
	return (0);
}

static int
driver_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* A file, or every file of a folder in name order. */
static int
driver_path(const char *path)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*d;
	char		**names = NULL, *p;
	size_t		 n = 0, i;
	int		 rc = 0;

	if (stat(path, &sb) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode))
		return (driver_file(path));
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, driver_name_cmp);
	for (i = 0; i < n; i++) {
		xasprintf(&p, "%s/%s", path, names[i]);
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    driver_file(p) != 0)
			rc = -1;
		free(p);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		fprintf(stderr, "%s: no inputs\n", path);
		rc = -1;
	}
	return (rc);
}

int
main(int argc, char **argv)
{
	const char	*name, *srcdir;
	char		*seeds;
	int		 i, rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	name = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	if (argc < 2) {
		if ((srcdir = getenv("SRCDIR")) == NULL)
			srcdir = ".";
		xasprintf(&seeds, "%s/tests/fuzz/seeds/%s", srcdir, name);
		rc = driver_path(seeds);
		free(seeds);
	}
	for (i = 1; i < argc; i++) {
		if (driver_path(argv[i]) != 0)
			rc = -1;
	}
	printf("%s: %zu input%s run%s\n", name, driver_runs,
	    driver_runs == 1 ? "" : "s", rc == 0 ? ", no failure" :
	    "; some could not be read");
	return (rc == 0 ? 0 : 1);
}
