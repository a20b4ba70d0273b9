/* SPDX-License-Identifier: ISC */
/*
 * Interned strings: one reference-counted copy of each distinct text,
 * shared by whoever asks for it.  An interned string must never be
 * written to or passed to free(); intern_put gives it back.
 */
#ifndef INTERN_H
#define INTERN_H

#include <stddef.h>

char	*intern_get(const char *);
char	*intern_ref(char *);
void	 intern_put(char *);
size_t	 intern_count(void);

#endif
