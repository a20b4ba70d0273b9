/* SPDX-License-Identifier: ISC */
/*
 * What the benchmark clients (bench/request, bench/dispatch) share: a
 * connection to schedd's socket (bench/conn.c).
 */
#ifndef CONN_H
#define CONN_H

#include <stddef.h>

struct conn {
	int	 fd;
	char	*in;
	size_t	 inlen;
	size_t	 insize;
	size_t	 scanned;	/* bytes of in known to hold no newline */
	int	 inflight;	/* requests not yet answered */
};

int	 conn_open(struct conn *, const char *);
int	 conn_send(struct conn *, const char *, size_t, double);
int	 conn_fill(struct conn *);
char	*conn_line(struct conn *, size_t *);
void	 conn_consume(struct conn *, size_t);
void	 conn_close(struct conn *);

#endif
