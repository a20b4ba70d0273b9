/* SPDX-License-Identifier: ISC */
/*
 * The configuration node tree shared by the YAML loader (config.c) and the
 * job validator (config-job.c): nodes with their positions, conversions of
 * scalars to typed values with one message per problem, the error list,
 * and the nearest-key suggestion for typos.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-node.h"
#include "config.h"
#include "intern.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CONFIG_MAX_MESSAGE		400

/*
 * Freed nodes kept for the next ones: a large file's jobs are each parsed,
 * validated and freed in turn, so a few nodes serve them all.
 */
#define CNODE_SPARE_MAX	256
static struct cnode	*cnode_spare[CNODE_SPARE_MAX];
static size_t		 cnode_nspare;

/* A new node at a position (file NULL for JSON). */
struct cnode *
cnode_new(enum cnode_type type, const char *file, int fileidx, int line,
    int column)
{
	struct cnode	*n;

	if (cnode_nspare > 0) {
		n = cnode_spare[--cnode_nspare];
		memset(n, 0, offsetof(struct cnode, small));
	} else
		n = xcalloc(1, sizeof *n);
	n->type = type;
	n->file = file;
	n->fileidx = fileidx;
	n->line = line;
	n->column = column;
	return (n);
}

/* A new scalar node holding a copy of len bytes of text. */
struct cnode *
cnode_new_scalar(const char *file, int fileidx, int line, int column,
    const char *text, size_t len)
{
	struct cnode	*n;

	n = cnode_new(CNODE_SCALAR, file, fileidx, line, column);
	n->len = len;
	n->value = len < sizeof n->small ? n->small : xmalloc(len + 1);
	memcpy(n->value, text, len);
	n->value[len] = '\0';
	return (n);
}

/* Append a child to a list or mapping. */
void
cnode_add(struct cnode *parent, struct cnode *child)
{
	if (parent->nchild == parent->size) {
		parent->size = parent->size == 0 ? 4 : parent->size * 2;
		parent->child = xreallocarray(parent->child, parent->size,
		    sizeof *parent->child);
	}
	parent->child[parent->nchild++] = child;
}

/* Free a tree. */
void
cnode_free(struct cnode *n)
{
	size_t	 i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nchild; i++)
		cnode_free(n->child[i]);
	free(n->child);
	if (n->value != n->small)
		free(n->value);
	free(n->path);
	if (cnode_nspare < CNODE_SPARE_MAX)
		cnode_spare[cnode_nspare++] = n;
	else
		free(n);
}

struct cnode_key {
	struct cnode	*node;
	size_t		 idx;
};

/* Compare two keys by text, then by order in the mapping. */
static int
cnode_key_cmp(const void *a, const void *b)
{
	const struct cnode_key	*ka = a, *kb = b;
	size_t			 la = ka->node->len, lb = kb->node->len;
	int			 c;

	if ((c = memcmp(ka->node->value, kb->node->value,
	    la < lb ? la : lb)) != 0)
		return (c);
	if (la != lb)
		return (la < lb ? -1 : 1);
	return (ka->idx < kb->idx ? -1 : (ka->idx > kb->idx));
}

/* Sort keys: by insertion when few (most mappings), else qsort. */
static void
cnode_sort_keys(struct cnode_key *keys, size_t n)
{
	struct cnode_key	 t;
	size_t			 i, j;

	if (n > 8) {
		qsort(keys, n, sizeof *keys, cnode_key_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		t = keys[i];
		for (j = i; j > 0 && cnode_key_cmp(&keys[j - 1], &t) > 0; j--)
			keys[j] = keys[j - 1];
		keys[j] = t;
	}
}

/*
 * Mark keys to skip in a mapping: those that are not scalars, and every
 * repeat of an earlier key, each reported once.  Sorting keeps this fast
 * for the jobs mapping of a very large file.
 */
void
cnode_mark_dups(struct cnode *map, struct cerrs *errs, const char *noun)
{
	struct cnode_key	*keys;
	struct cnode		*k, *first = NULL;
	size_t			 i, n = 0;

	keys = xreallocarray(NULL, map->nchild / 2 + 1, sizeof *keys);
	for (i = 0; i + 1 < map->nchild; i += 2) {
		k = map->child[i];
		if (k->type != CNODE_SCALAR) {
			if (k->type != CNODE_BAD)
				cerr_add(errs, k, "keys must be strings, not "
				    "%s", cnode_describe(k));
			k->skip = 1;
			continue;
		}
		keys[n].node = k;
		keys[n++].idx = i;
	}
	if (n > 1)
		cnode_sort_keys(keys, n);
	for (i = 0; i < n; i++) {
		k = keys[i].node;
		if (first == NULL || k->len != first->len ||
		    memcmp(k->value, first->value, k->len) != 0) {
			first = k;
			continue;
		}
		k->skip = 1;
		if (first->file != NULL)
			cerr_add(errs, k, "duplicate %s \"%s\" (first at line "
			    "%d, column %d)", noun, k->value, first->line,
			    first->column);
		else
			cerr_add(errs, k, "duplicate %s \"%s\"", noun,
			    k->value);
	}
	free(keys);
}

/* Does a plain scalar spell a word from a list? */
static int
cnode_plain_is(const struct cnode *n, const char *const *words)
{
	for (; *words != NULL; words++) {
		if (strcmp(n->value, *words) == 0)
			return (1);
	}
	return (0);
}

static const char *const cnode_nulls[] = { "", "~", "null", "Null", "NULL",
    NULL };
static const char *const cnode_trues[] = { "true", "True", "TRUE", "yes",
    "Yes", "YES", NULL };
static const char *const cnode_falses[] = { "false", "False", "FALSE", "no",
    "No", "NO", NULL };

/* Is this node null (YAML ~, null or nothing; JSON null)? */
int
cnode_is_null(const struct cnode *n)
{
	if (n->type != CNODE_SCALAR)
		return (0);
	if (n->style == CSCALAR_NULL)
		return (1);
	return (n->style == CSCALAR_PLAIN && cnode_plain_is(n, cnode_nulls));
}

/* Is this node a boolean (YAML true/false/yes/no, JSON true/false)? */
static int
cnode_is_bool(const struct cnode *n)
{
	if (n->type != CNODE_SCALAR)
		return (0);
	if (n->style == CSCALAR_BOOL)
		return (1);
	return (n->style == CSCALAR_PLAIN && (cnode_plain_is(n, cnode_trues) ||
	    cnode_plain_is(n, cnode_falses)));
}

/* Is this text a decimal number, with an optional sign and fraction? */
static int
cnode_numeric(const char *s, int fraction)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return (0);
	while (isdigit((unsigned char)*s))
		s++;
	if (fraction && *s == '.') {
		s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return (*s == '\0');
}

/* What a node is, in words, for messages. */
const char *
cnode_describe(const struct cnode *n)
{
	switch (n->type) {
	case CNODE_MAP:
		return ("a mapping");
	case CNODE_SEQ:
		return ("a list");
	case CNODE_BAD:
		return ("an alias");
	case CNODE_SCALAR:
		break;
	}
	switch (n->style) {
	case CSCALAR_NULL:
		return ("null");
	case CSCALAR_BOOL:
		return ("a boolean");
	case CSCALAR_NUMBER:
		return ("a number");
	case CSCALAR_STRING:
		return ("a string");
	case CSCALAR_PLAIN:
		break;
	}
	if (cnode_plain_is(n, cnode_nulls))
		return ("null");
	if (cnode_plain_is(n, cnode_trues) || cnode_plain_is(n, cnode_falses))
		return ("a boolean");
	if (cnode_numeric(n->value, 1))
		return ("a number");
	return ("a string");
}

/* Is this node text (quoted, or unquoted and not null)? */
int
cnode_texty(const struct cnode *n)
{
	if (n->type != CNODE_SCALAR || cnode_is_null(n))
		return (0);
	return (n->style == CSCALAR_STRING || n->style == CSCALAR_PLAIN);
}

/* Is this node a string without NUL bytes?  If not, say why. */
static int
cnode_text_ok(const struct cnode *n, struct cerrs *errs)
{
	if (!cnode_texty(n)) {
		if (n->type != CNODE_BAD)
			cerr_add(errs, n, "expected a string, got %s",
			    cnode_describe(n));
		return (0);
	}
	if (strlen(n->value) != n->len) {
		cerr_add(errs, n, "contains a NUL byte");
		return (0);
	}
	return (1);
}

/* A string value. */
int
cnode_to_string(const struct cnode *n, struct cerrs *errs, char **out)
{
	if (!cnode_text_ok(n, errs))
		return (-1);
	*out = xstrdup(n->value);
	return (0);
}

/* A string value, interned (common/intern.h). */
int
cnode_to_intern(const struct cnode *n, struct cerrs *errs, char **out)
{
	if (!cnode_text_ok(n, errs))
		return (-1);
	*out = intern_get(n->value);
	return (0);
}

/*
 * A list of strings, interned, appended to *list: tags (not empty), or
 * with names set job names (hooks).  -1 if it is not a list; a bad item
 * is reported and left out.
 */
int
cnode_to_list(const struct cnode *n, struct cerrs *errs, int names,
    char ***list, uint32_t *count)
{
	char	*s;
	size_t	 i;

	if (n->type != CNODE_SEQ) {
		if (n->type != CNODE_BAD)
			cerr_add(errs, n, "expected a list of strings, got %s",
			    cnode_describe(n));
		return (-1);
	}
	for (i = 0; i < n->nchild; i++) {
		if (cnode_to_intern(n->child[i], errs, &s) != 0)
			continue;
		if (names ? !name_valid(s) : *s == '\0') {
			if (!names)
				cerr_add(errs, n->child[i], "tag is empty");
			else
				cerr_add(errs, n->child[i], "bad job name "
				    "\"%s\"", s);
			intern_put(s);
			continue;
		}
		jobdef_list_add(list, count, s);
	}
	return (0);
}

/* A boolean: unquoted true/false/yes/no, or JSON true/false. */
int
cnode_to_bool(const struct cnode *n, struct cerrs *errs, int *out)
{
	if (n->type == CNODE_SCALAR && (n->style == CSCALAR_BOOL ||
	    n->style == CSCALAR_PLAIN)) {
		if (cnode_plain_is(n, cnode_trues)) {
			*out = 1;
			return (0);
		}
		if (cnode_plain_is(n, cnode_falses)) {
			*out = 0;
			return (0);
		}
	}
	if (n->type == CNODE_BAD)
		return (-1);
	if (n->type == CNODE_SCALAR && !cnode_is_null(n))
		cerr_add(errs, n, "expected true or false, got \"%s\"",
		    n->value);
	else
		cerr_add(errs, n, "expected true or false, got %s",
		    cnode_describe(n));
	return (-1);
}

/* An integer between min and max, written without quotes. */
int
cnode_to_int(const struct cnode *n, struct cerrs *errs, int64_t min,
    int64_t max, int64_t *out)
{
	long long	 v;
	char		*end;

	if (n->type != CNODE_SCALAR || (n->style != CSCALAR_PLAIN &&
	    n->style != CSCALAR_NUMBER) || cnode_is_null(n) ||
	    !cnode_numeric(n->value, 0)) {
		if (n->type == CNODE_BAD)
			return (-1);
		if (n->type == CNODE_SCALAR && n->style != CSCALAR_NULL &&
		    !cnode_is_null(n))
			cerr_add(errs, n, "expected an integer, got %s\"%s\"",
			    n->style == CSCALAR_STRING ? "the string " : "",
			    n->value);
		else
			cerr_add(errs, n, "expected an integer, got %s",
			    cnode_describe(n));
		return (-1);
	}
	errno = 0;
	v = strtoll(n->value, &end, 10);
	if (errno == ERANGE || v < min) {
		if (errno == ERANGE && *n->value != '-')
			goto high;
		cerr_add(errs, n, "must be at least %lld, got %s",
		    (long long)min, n->value);
		return (-1);
	}
	if (v > max)
		goto high;
	*out = v;
	return (0);
high:
	cerr_add(errs, n, "must be at most %lld, got %s", (long long)max,
	    n->value);
	return (-1);
}

/* Seconds with a fraction ("1.5"), as milliseconds. */
static int
cnode_fraction_ms(const char *s, uint64_t *out)
{
	uint64_t	 secs = 0, ms = 0, scale = 100;

	for (; isdigit((unsigned char)*s); s++) {
		if (secs > (uint64_t)100 * 365 * 86400)
			return (-1);
		secs = secs * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.')
		s++;
	for (; isdigit((unsigned char)*s); s++) {
		ms += (uint64_t)(*s - '0') * scale;
		scale /= 10;
	}
	if (secs > (uint64_t)100 * 365 * 86400)
		return (-1);
	*out = secs * 1000 + ms;
	return (0);
}

/* A duration: "1h30m", or a number of seconds (a fraction allowed). */
int
cnode_to_duration(const struct cnode *n, struct cerrs *errs, uint64_t *out)
{
	uint64_t	 ms;

	if (n->type != CNODE_SCALAR || cnode_is_null(n) || cnode_is_bool(n)) {
		if (n->type != CNODE_BAD)
			cerr_add(errs, n, "expected a duration, got %s",
			    cnode_describe(n));
		return (-1);
	}
	if (strlen(n->value) != n->len) {
		cerr_add(errs, n, "bad duration: contains a NUL byte");
		return (-1);
	}
	if (n->style != CSCALAR_STRING && *n->value != '-' &&
	    *n->value != '+' && cnode_numeric(n->value, 1) &&
	    strchr(n->value, '.') != NULL) {
		if (cnode_fraction_ms(n->value, &ms) != 0) {
			cerr_add(errs, n, "duration \"%s\" is too long",
			    n->value);
			return (-1);
		}
		*out = ms;
		return (0);
	}
	if (parse_duration(n->value, &ms) != 0) {
		if (errno == ERANGE)
			cerr_add(errs, n, "duration \"%s\" is too long",
			    n->value);
		else
			cerr_add(errs, n, "bad duration \"%s\"", n->value);
		return (-1);
	}
	*out = ms;
	return (0);
}

/* A size: "4KiB", "1MiB", or a number of bytes. */
int
cnode_to_size(const struct cnode *n, struct cerrs *errs, uint64_t *out)
{
	uint64_t	 v;

	if (n->type != CNODE_SCALAR || cnode_is_null(n) || cnode_is_bool(n)) {
		if (n->type != CNODE_BAD)
			cerr_add(errs, n, "expected a size, got %s",
			    cnode_describe(n));
		return (-1);
	}
	if (strlen(n->value) != n->len || parse_size(n->value, &v) != 0) {
		if (strlen(n->value) == n->len && errno == ERANGE)
			cerr_add(errs, n, "size \"%s\" is too large", n->value);
		else
			cerr_add(errs, n, "bad size \"%s\"", n->value);
		return (-1);
	}
	*out = v;
	return (0);
}

/* Octal digits ("022", 022, "0o22"), at most max. */
int
cnode_to_octal(const struct cnode *n, struct cerrs *errs, int max, int *out)
{
	const char	*p;
	long		 v = 0;

	if (n->type != CNODE_SCALAR || cnode_is_null(n) || cnode_is_bool(n)) {
		if (n->type != CNODE_BAD)
			cerr_add(errs, n, "expected an octal mode like "
			    "\"022\", got %s", cnode_describe(n));
		return (-1);
	}
	p = n->value;
	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		p += 2;
	if (*p == '\0' || strlen(n->value) != n->len)
		goto bad;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			goto bad;
		v = v * 8 + (*p - '0');
		if (v > max)
			goto bad;
	}
	*out = (int)v;
	return (0);
bad:
	cerr_add(errs, n, "expected an octal mode like \"022\" (at most %04o), "
	    "got \"%s\"", (unsigned)max, n->value);
	return (-1);
}

/* A time zone that exists in the zoneinfo folder. */
int
cnode_to_timezone(const struct cnode *n, struct cerrs *errs, char **out)
{
	struct stat	 sb;
	const char	*dir;
	char		*tz, *path;
	int		 ok;

	if (cnode_to_string(n, errs, &tz) != 0)
		return (-1);
	if ((dir = getenv("TZDIR")) == NULL || *dir != '/')
		dir = "/usr/share/zoneinfo";
	ok = *tz != '\0' && *tz != '/' && strstr(tz, "..") == NULL;
	if (ok) {
		xasprintf(&path, "%s/%s", dir, tz);
		ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
		free(path);
	}
	if (!ok) {
		cerr_add(errs, n, "unknown time zone \"%s\"", tz);
		free(tz);
		return (-1);
	}
	*out = tz;
	return (0);
}

/* Add an error at a node: "FILE:LINE:COLUMN: " or "PATH: " first. */
void
cerr_add(struct cerrs *errs, const struct cnode *n, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n != NULL && n->file != NULL)
		cerr_addx(errs, n->file, n->fileidx, n->line, n->column, "%s",
		    msg);
	else if (n != NULL && n->path != NULL)
		cerr_addx(errs, n->path, -1, 0, 0, "%s", msg);
	else
		cerr_addx(errs, NULL, -1, 0, 0, "%s", msg);
	free(msg);
}

/*
 * Add an error in a file at a position (line 0: none).  Control characters
 * become '?' and long messages are cut, so values quoted from the file are
 * safe to log.
 */
void
cerr_addx(struct cerrs *errs, const char *where, int fileidx, int line,
    int column, const char *fmt, ...)
{
	struct cerr	*e;
	va_list		 ap;
	char		*msg, *full;
	size_t		 i;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (strlen(msg) > CONFIG_MAX_MESSAGE)
		memcpy(msg + CONFIG_MAX_MESSAGE - 3, "...", 4);
	for (i = 0; msg[i] != '\0'; i++) {
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	}
	if (where != NULL && line > 0)
		xasprintf(&full, "%s:%d:%d: %s", where, line, column, msg);
	else if (where != NULL)
		xasprintf(&full, "%s: %s", where, msg);
	else
		full = xstrdup(msg);
	free(msg);
	if (errs->n == errs->size) {
		errs->size = errs->size == 0 ? 8 : errs->size * 2;
		errs->list = xreallocarray(errs->list, errs->size,
		    sizeof *errs->list);
	}
	e = &errs->list[errs->n];
	e->msg = full;
	e->fileidx = fileidx;
	e->line = line;
	e->column = column;
	e->seq = errs->n++;
}

/* Order errors by file, line, column, then as found. */
static int
cerr_cmp(const void *a, const void *b)
{
	const struct cerr	*ea = a, *eb = b;

	if (ea->fileidx != eb->fileidx)
		return (ea->fileidx < eb->fileidx ? -1 : 1);
	if (ea->line != eb->line)
		return (ea->line < eb->line ? -1 : 1);
	if (ea->column != eb->column)
		return (ea->column < eb->column ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : (ea->seq > eb->seq));
}

void
cerr_sort(struct cerrs *errs)
{
	if (errs->n > 1)
		qsort(errs->list, errs->n, sizeof *errs->list, cerr_cmp);
}

void
cerr_clear(struct cerrs *errs)
{
	size_t	 i;

	for (i = 0; i < errs->n; i++)
		free(errs->list[i].msg);
	free(errs->list);
	memset(errs, 0, sizeof *errs);
}

/* Edit distance, with a swap of neighbours counting as one edit. */
static size_t
key_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, c, v;
	size_t	 d[65][65];

	if (la > 64 || lb > 64)
		return (SIZE_MAX);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			c = a[i - 1] != b[j - 1];
			v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return (d[la][lb]);
}

/* The known key nearest to a misspelt one, or NULL if none is close. */
const char *
key_nearest(const char *key, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = SIZE_MAX, len = strlen(key), limit;

	limit = len <= 3 ? 1 : (len <= 6 ? 2 : 3);
	for (i = 0; i < n; i++) {
		d = key_distance(key, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	if (bestd > limit)
		return (NULL);
	return (best);
}

/* Report an unknown key, suggesting the nearest known one. */
void
key_unknown(struct cerrs *errs, const struct cnode *key,
    const char *const *names, size_t n)
{
	const char	*near;

	if (strlen(key->value) == key->len &&
	    (near = key_nearest(key->value, names, n)) != NULL)
		cerr_add(errs, key, "unknown key \"%s\" (did you mean \"%s\"?)",
		    key->value, near);
	else
		cerr_add(errs, key, "unknown key \"%s\"", key->value);
}

