/* SPDX-License-Identifier: ISC */

/*
 * Shared by the fuzz harnesses: a private temporary folder, writing an
 * input into it, and a daemon started and stopped the way schedd's main()
 * does it.  How to run them: README.md, "Fuzzing".
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* What libFuzzer (or tests/fuzz/driver.c) calls. */
int	 LLVMFuzzerInitialize(int *, char ***);
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The jobs every daemon harness starts with (tests/fuzz/fuzz-util.c). */
extern const char	 fuzz_config_yaml[];

void	 fuzz_init(void);
char	*fuzz_tmpdir(void);
void	 fuzz_clear(const char *);
char	*fuzz_write(const char *, const char *, const void *, size_t);
char	*fuzz_strndup(const uint8_t *, size_t);
void	 fuzz_daemon_start(const char *, const char *, int);
void	 fuzz_daemon_stop(void);
void	 fuzz_fail(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2), __noreturn__));

#endif
