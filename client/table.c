/* SPDX-License-Identifier: ISC */

/*
 * Aligned tables for schedctl's human output: a header row and rows of
 * cells, columns two spaces apart, numbers aligned to the right.  Cells
 * are stripped of control characters.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "client.h"
#include "xmalloc.h"

struct table {
	int		 ncols;
	char		**head;
	int		*right;		/* align column to the right */
	char		***rows;
	size_t		 nrows;
};

static size_t	 table_width(const char *);

/* Start a table with ncols column headers given as strings. */
struct table *
table_create(int ncols, ...)
{
	struct table	*t;
	va_list		 ap;
	int		 i;

	t = xcalloc(1, sizeof *t);
	t->ncols = ncols;
	t->head = xcalloc(ncols, sizeof *t->head);
	t->right = xcalloc(ncols, sizeof *t->right);
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		t->head[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	return (t);
}

/* Align a column (numbers) to the right. */
void
table_align_right(struct table *t, int col)
{
	if (col >= 0 && col < t->ncols)
		t->right[col] = 1;
}

/* Add a row of ncols strings; NULL shows as "-".  The table copies them. */
void
table_add(struct table *t, ...)
{
	va_list		 ap;
	const char	*s;
	char		**row;
	int		 i;

	row = xcalloc(t->ncols, sizeof *row);
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		s = va_arg(ap, const char *);
		row[i] = format_clean(s != NULL ? s : "-");
	}
	va_end(ap);
	t->rows = xreallocarray(t->rows, t->nrows + 1, sizeof *t->rows);
	t->rows[t->nrows++] = row;
}

/* Display width of UTF-8 text, one column per code point. */
static size_t
table_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/* Print the table with columns two spaces apart. */
void
table_print(struct table *t, FILE *fp)
{
	size_t	*width, w, r;
	char	**row;
	int	 i, last;

	width = xcalloc(t->ncols, sizeof *width);
	for (i = 0; i < t->ncols; i++) {
		width[i] = table_width(t->head[i]);
		for (r = 0; r < t->nrows; r++) {
			if ((w = table_width(t->rows[r][i])) > width[i])
				width[i] = w;
		}
	}
	for (r = 0; r <= t->nrows; r++) {
		row = r == 0 ? t->head : t->rows[r - 1];
		for (i = 0; i < t->ncols; i++) {
			last = i == t->ncols - 1;
			w = table_width(row[i]);
			if (t->right[i])
				fprintf(fp, "%*s", (int)(width[i] - w), "");
			fputs(row[i], fp);
			if (!last && !t->right[i])
				fprintf(fp, "%*s", (int)(width[i] - w), "");
			fputs(last ? "\n" : "  ", fp);
		}
	}
	free(width);
}

/* Free a table and its cells. */
void
table_free(struct table *t)
{
	size_t	 r;
	int	 i;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	for (i = 0; i < t->ncols; i++)
		free(t->head[i]);
	free(t->rows);
	free(t->head);
	free(t->right);
	free(t);
}
