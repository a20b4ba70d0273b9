/*
 * Loading the YAML configuration (spec section 8): the file and its
 * includes become node trees carrying file, line and column; then the trees
 * are validated in one pass that collects every error, so "schedd -t" and
 * "reload" can show them all at once.  The node helpers here are shared with
 * config-job.c, which validates the jobs.
 *
 * Scalars follow YAML's spirit without its surprises: an unquoted true,
 * false, yes or no is a boolean; an unquoted decimal is a number; "~",
 * "null" and nothing at all are null; quoted text is always a string.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "config-node.h"
#include "config.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CONFIG_MAX_INCLUDE_DEPTH	8
#define CONFIG_MAX_MESSAGE		400

struct config_name {
	const char	*name;
	size_t		 idx;
	const char	*file;
	int		 line;
	int		 column;
};

struct loader {
	struct config		*conf;
	struct cerrs		 errs;
	struct {
		dev_t		 dev;
		ino_t		 ino;
	}			*seen;
	size_t			 nseen;
	struct config_name	*names;		/* name strings not owned */
	char			**namebuf;	/* owned copies */
	size_t			 nnames;
};

static void	config_file(struct loader *, const char *,
		    const struct cnode *, int);

static const char *const config_top_keys[] = { "daemon", "include", "jobs" };

static const char *const config_daemon_keys[] = {
	"socket", "socket_mode", "socket_group", "state_dir", "max_running",
	"max_queued", "queue_limit", "default_timeout", "kill_grace",
	"history", "output_tail", "log_max", "log_level", "idle_exit",
	"shutdown_timeout", "timezone"
};
#define NDAEMONKEYS \
	(sizeof config_daemon_keys / sizeof config_daemon_keys[0])

/* A new node at a position (file NULL for JSON). */
struct cnode *
cnode_new(enum cnode_type type, const char *file, int fileidx, int line,
    int column)
{
	struct cnode	*n;

	n = xcalloc(1, sizeof *n);
	n->type = type;
	n->file = file;
	n->fileidx = fileidx;
	n->line = line;
	n->column = column;
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
	if (n->def != NULL)
		jobdef_free(n->def);
	free(n->child);
	free(n->value);
	free(n->path);
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
	case CNODE_DONE:
		return ("a job");
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
static int
cnode_texty(const struct cnode *n)
{
	if (n->type != CNODE_SCALAR || cnode_is_null(n))
		return (0);
	return (n->style == CSCALAR_STRING || n->style == CSCALAR_PLAIN);
}

/* A string value. */
int
cnode_to_string(const struct cnode *n, struct cerrs *errs, char **out)
{
	if (!cnode_texty(n)) {
		if (n->type != CNODE_BAD)
			cerr_add(errs, n, "expected a string, got %s",
			    cnode_describe(n));
		return (-1);
	}
	if (strlen(n->value) != n->len) {
		cerr_add(errs, n, "contains a NUL byte");
		return (-1);
	}
	*out = xstrdup(n->value);
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

/* The daemon settings of spec section 8 with nothing configured. */
void
settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof *s);
	s->socket_mode = 0660;
	s->max_running = 10;
	s->max_queued = 1000;
	s->queue_limit = 30;
	s->default_timeout_ms = 0;
	s->kill_grace_ms = 10 * 1000;
	s->history = 60;
	s->output_tail = 4 * 1024;
	s->log_max = 1024 * 1024;
	s->log_level = LOGLEVEL_INFO;
	s->idle_exit_ms = 0;
	s->shutdown_timeout_ms = 30 * 1000;
}

/* Copy settings, with their own strings; free dst first if it had any. */
void
settings_copy(struct settings *dst, const struct settings *src)
{
	*dst = *src;
	dst->socket = src->socket != NULL ? xstrdup(src->socket) : NULL;
	dst->socket_group = src->socket_group != NULL ?
	    xstrdup(src->socket_group) : NULL;
	dst->state_dir = src->state_dir != NULL ? xstrdup(src->state_dir) :
	    NULL;
	dst->timezone = src->timezone != NULL ? xstrdup(src->timezone) : NULL;
}

/* Free the strings of settings (the struct itself is the caller's). */
void
settings_free(struct settings *s)
{
	free(s->socket);
	free(s->socket_group);
	free(s->state_dir);
	free(s->timezone);
	s->socket = s->socket_group = s->state_dir = s->timezone = NULL;
}

/* An absolute path setting. */
static void
config_path_setting(const struct cnode *v, struct cerrs *errs, char **out,
    size_t max)
{
	char	*s;

	if (cnode_to_string(v, errs, &s) != 0)
		return;
	if (*s != '/')
		cerr_add(errs, v, "must be an absolute path");
	else if (strlen(s) >= max)
		cerr_add(errs, v, "path is too long (at most %zu bytes)",
		    max - 1);
	else {
		free(*out);
		*out = s;
		return;
	}
	free(s);
}

/* One key of the daemon: section. */
static void
config_setting(struct loader *l, const struct cnode *k, const struct cnode *v)
{
	struct settings	*s = &l->conf->settings;
	struct cerrs	*errs = &l->errs;
	const char	*name = k->value;
	uint64_t	 u;
	int64_t		 n;
	int		 mode, level;
	char		*str;

	if (strcmp(name, "socket") == 0)
		config_path_setting(v, errs, &s->socket, 108);
	else if (strcmp(name, "state_dir") == 0)
		config_path_setting(v, errs, &s->state_dir, PATH_MAX);
	else if (strcmp(name, "socket_mode") == 0) {
		if (cnode_to_octal(v, errs, 0777, &mode) == 0)
			s->socket_mode = (mode_t)mode;
	} else if (strcmp(name, "socket_group") == 0) {
		if (cnode_to_string(v, errs, &str) != 0)
			return;
		if (*str == '\0') {
			cerr_add(errs, v, "must not be empty");
			free(str);
			return;
		}
		free(s->socket_group);
		s->socket_group = str;
	} else if (strcmp(name, "max_running") == 0) {
		if (cnode_to_int(v, errs, 1, UINT32_MAX, &n) == 0)
			s->max_running = (uint32_t)n;
	} else if (strcmp(name, "max_queued") == 0) {
		if (cnode_to_int(v, errs, 1, UINT32_MAX, &n) == 0)
			s->max_queued = (uint32_t)n;
	} else if (strcmp(name, "queue_limit") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->queue_limit = (uint32_t)n;
	} else if (strcmp(name, "history") == 0) {
		if (cnode_to_int(v, errs, 0, UINT32_MAX, &n) == 0)
			s->history = (uint32_t)n;
	} else if (strcmp(name, "default_timeout") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->default_timeout_ms = u;
	} else if (strcmp(name, "kill_grace") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->kill_grace_ms = u;
	} else if (strcmp(name, "idle_exit") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->idle_exit_ms = u;
	} else if (strcmp(name, "shutdown_timeout") == 0) {
		if (cnode_to_duration(v, errs, &u) == 0)
			s->shutdown_timeout_ms = u;
	} else if (strcmp(name, "output_tail") == 0) {
		if (cnode_to_size(v, errs, &u) != 0)
			return;
		if (u > 1024 * 1024)
			cerr_add(errs, v, "must be at most 1MiB");
		else
			s->output_tail = u;
	} else if (strcmp(name, "log_max") == 0) {
		if (cnode_to_size(v, errs, &u) == 0)
			s->log_max = u;
	} else if (strcmp(name, "log_level") == 0) {
		if (cnode_to_string(v, errs, &str) != 0)
			return;
		if ((level = log_level_parse(str)) == -1)
			cerr_add(errs, v, "bad log level \"%s\" (expected "
			    "error, warning, info or debug)", str);
		else
			s->log_level = level;
		free(str);
	} else if (strcmp(name, "timezone") == 0) {
		if (cnode_to_timezone(v, errs, &str) == 0) {
			free(s->timezone);
			s->timezone = str;
		}
	} else
		fatalx("%s: no setting %s", __func__, name);
}

/* The daemon: mapping. */
static void
config_settings(struct loader *l, const struct cnode *map)
{
	const struct cnode	*k;
	size_t			 i, j;

	if (cnode_is_null(map))
		return;
	if (map->type != CNODE_MAP) {
		if (map->type != CNODE_BAD)
			cerr_add(&l->errs, map, "expected a mapping of daemon "
			    "settings, got %s", cnode_describe(map));
		return;
	}
	cnode_mark_dups((struct cnode *)map, &l->errs, "key");
	for (i = 0; i + 1 < map->nchild; i += 2) {
		k = map->child[i];
		if (k->skip)
			continue;
		for (j = 0; j < NDAEMONKEYS; j++) {
			if (strcmp(k->value, config_daemon_keys[j]) == 0)
				break;
		}
		if (j == NDAEMONKEYS)
			key_unknown(&l->errs, k, config_daemon_keys,
			    NDAEMONKEYS);
		else
			config_setting(l, k, map->child[i + 1]);
	}
}

/* Validate one job of a jobs: mapping. */
static struct jobdef *
config_job(struct loader *l, const struct cnode *k, const struct cnode *v)
{
	const char	*name = k->value;

	if (strlen(name) != k->len)
		name = "\\0";		/* name_valid refuses it */
	return (jobdef_build(name, k, v, &l->errs, 0));
}

/* The jobs: mapping of one file, its jobs mostly validated already. */
static void
config_jobs(struct loader *l, const struct cnode *map)
{
	struct config		*conf = l->conf;
	struct config_name	*cn;
	struct cnode		*k, *v;
	struct jobdef		*def;
	size_t			 i;

	if (cnode_is_null(map))
		return;
	if (map->type != CNODE_MAP) {
		if (map->type != CNODE_BAD)
			cerr_add(&l->errs, map, "expected a mapping of job "
			    "names to jobs, got %s", cnode_describe(map));
		return;
	}
	cnode_mark_dups((struct cnode *)map, &l->errs, "job");
	for (i = 0; i + 1 < map->nchild; i += 2) {
		k = map->child[i];
		v = map->child[i + 1];
		if (k->skip)
			continue;
		if (v->type == CNODE_DONE) {
			def = v->def;
			v->def = NULL;
		} else
			def = config_job(l, k, v);
		if (def != NULL) {
			conf->jobs = xreallocarray(conf->jobs, conf->njobs + 1,
			    sizeof *conf->jobs);
			conf->jobs[conf->njobs++] = def;
		}
		l->names = xreallocarray(l->names, l->nnames + 1,
		    sizeof *l->names);
		l->namebuf = xreallocarray(l->namebuf, l->nnames + 1,
		    sizeof *l->namebuf);
		cn = &l->names[l->nnames];
		l->namebuf[l->nnames] = xstrdup(k->value);
		cn->name = l->namebuf[l->nnames];
		cn->idx = l->nnames++;
		cn->file = k->file;
		cn->line = k->line;
		cn->column = k->column;
	}
}

/*
 * Called as each node is complete while parsing: when it is a whole job
 * under the top-level jobs: key, validate it now and keep only the result,
 * so a file of many jobs never holds all their trees at once.  Duplicates
 * are sorted out later by config_jobs.
 */
static void
config_yaml_done(struct loader *l, struct cnode **stack, int depth)
{
	struct cnode	*root, *jobs, *k, *v, *done;

	if (depth != 2 || stack[0]->type != CNODE_MAP ||
	    stack[1]->type != CNODE_MAP)
		return;
	root = stack[0];
	jobs = stack[1];
	if (root->nchild < 2 || root->child[root->nchild - 1] != jobs ||
	    jobs->nchild < 2 || jobs->nchild % 2 != 0)
		return;
	k = root->child[root->nchild - 2];
	if (k->type != CNODE_SCALAR || strcmp(k->value, "jobs") != 0)
		return;
	k = jobs->child[jobs->nchild - 2];
	v = jobs->child[jobs->nchild - 1];
	if (k->type != CNODE_SCALAR)
		return;
	done = cnode_new(CNODE_DONE, v->file, v->fileidx, v->line, v->column);
	done->def = config_job(l, k, v);
	jobs->child[jobs->nchild - 1] = done;
	cnode_free(v);
}

/* Compare glob results byte by byte, whatever the locale. */
static int
config_path_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* The include: list: globs, relative to the including file's folder. */
static void
config_include(struct loader *l, const struct cnode *val, int depth)
{
	const struct cnode	*item;
	glob_t			 g;
	char			*pattern, *dir, *slash;
	size_t			 i, j, n;
	int			 rc;

	if (cnode_is_null(val))
		return;
	if (val->type != CNODE_SEQ && !cnode_texty(val)) {
		if (val->type != CNODE_BAD)
			cerr_add(&l->errs, val, "expected a list of file "
			    "patterns, got %s", cnode_describe(val));
		return;
	}
	n = val->type == CNODE_SEQ ? val->nchild : 1;
	for (i = 0; i < n; i++) {
		item = val->type == CNODE_SEQ ? val->child[i] : val;
		if (cnode_to_string(item, &l->errs, &pattern) != 0)
			continue;
		if (*pattern == '\0') {
			cerr_add(&l->errs, item, "empty file pattern");
			free(pattern);
			continue;
		}
		if (*pattern != '/') {
			dir = xstrdup(item->file);
			if ((slash = strrchr(dir, '/')) != NULL) {
				slash[1] = '\0';
				xasprintf(&slash, "%s%s", dir, pattern);
				free(pattern);
				pattern = slash;
			}
			free(dir);
		}
		memset(&g, 0, sizeof g);
		rc = glob(pattern, GLOB_NOSORT, NULL, &g);
		if (rc != 0 && rc != GLOB_NOMATCH)
			cerr_add(&l->errs, item, "cannot expand \"%s\"",
			    pattern);
		else if (rc == 0) {
			qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv,
			    config_path_cmp);
			for (j = 0; j < g.gl_pathc; j++)
				config_file(l, g.gl_pathv[j], item, depth + 1);
		}
		globfree(&g);
		free(pattern);
	}
}

/* The top-level mapping of one file. */
static void
config_root(struct loader *l, const struct cnode *root, int depth)
{
	const struct cnode	*k, *v;
	size_t			 i, ntop;

	if (root == NULL || cnode_is_null(root))
		return;
	if (root->type != CNODE_MAP) {
		if (root->type != CNODE_BAD)
			cerr_add(&l->errs, root, "expected a mapping with "
			    "daemon, include and jobs, got %s",
			    cnode_describe(root));
		return;
	}
	ntop = sizeof config_top_keys / sizeof config_top_keys[0];
	cnode_mark_dups((struct cnode *)root, &l->errs, "key");
	for (i = 0; i + 1 < root->nchild; i += 2) {
		k = root->child[i];
		v = root->child[i + 1];
		if (k->skip)
			continue;
		if (strcmp(k->value, "daemon") == 0) {
			if (depth > 0)
				cerr_add(&l->errs, k, "daemon settings are "
				    "only allowed in the main file");
			else
				config_settings(l, v);
		} else if (strcmp(k->value, "include") == 0)
			config_include(l, v, depth);
		else if (strcmp(k->value, "jobs") == 0)
			config_jobs(l, v);
		else
			key_unknown(&l->errs, k, config_top_keys, ntop);
	}
}

/* Report a libyaml error at its position. */
static void
config_yaml_error(struct loader *l, yaml_parser_t *p, const char *file,
    int fileidx, const unsigned char *buf, size_t len)
{
	const char	*problem = p->problem != NULL ? p->problem : "error";
	size_t		 off, i;
	int		 line = 1, column = 1;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fatalx("libyaml: out of memory");
	case YAML_READER_ERROR:
		off = p->problem_offset < len ? p->problem_offset : len;
		for (i = 0; i < off; i++) {
			if (buf[i] == '\n') {
				line++;
				column = 1;
			} else if ((buf[i] & 0xc0) != 0x80)
				column++;
		}
		if (p->problem_value != -1)
			cerr_addx(&l->errs, file, fileidx, line, column,
			    "bad input: %s (byte 0x%02x)", problem,
			    (unsigned)p->problem_value & 0xff);
		else
			cerr_addx(&l->errs, file, fileidx, line, column,
			    "bad input: %s", problem);
		break;
	default:
		if (p->context != NULL)
			cerr_addx(&l->errs, file, fileidx,
			    (int)p->problem_mark.line + 1,
			    (int)p->problem_mark.column + 1, "YAML syntax "
			    "error: %s (%s at line %d, column %d)", problem,
			    p->context, (int)p->context_mark.line + 1,
			    (int)p->context_mark.column + 1);
		else
			cerr_addx(&l->errs, file, fileidx,
			    (int)p->problem_mark.line + 1,
			    (int)p->problem_mark.column + 1, "YAML syntax "
			    "error: %s", problem);
		break;
	}
}

/* Refuse what YAML allows but we do not: anchors and tags. */
static void
config_yaml_props(struct loader *l, const struct cnode *n,
    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL)
		cerr_add(&l->errs, n, "YAML anchors are not allowed");
	if (tag != NULL)
		cerr_add(&l->errs, n, "YAML tags are not allowed");
}

/* Parse a file's text into a node tree, or NULL if empty or broken. */
static struct cnode *
config_yaml_tree(struct loader *l, const char *file, int fileidx,
    const unsigned char *buf, size_t len, int *failed)
{
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	struct cnode	*root = NULL, *stack[CNODE_MAX_DEPTH], *n;
	int		 depth = 0, done = 0, ndocs = 0, line, col;
	size_t		 before = l->errs.n;

	*failed = 0;
	if (!yaml_parser_initialize(&p))
		fatalx("libyaml: cannot initialise parser");
	yaml_parser_set_input_string(&p, buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			/* What came before may be cut short: say only this. */
			while (l->errs.n > before)
				free(l->errs.list[--l->errs.n].msg);
			config_yaml_error(l, &p, file, fileidx, buf, len);
			*failed = 1;
			break;
		}
		line = (int)ev.start_mark.line + 1;
		col = (int)ev.start_mark.column + 1;
		n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				cerr_addx(&l->errs, file, fileidx, line, col,
				    "only one YAML document is allowed");
				*failed = done = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			n = cnode_new(CNODE_BAD, file, fileidx, line, col);
			cerr_add(&l->errs, n, "YAML aliases are not allowed");
			break;
		case YAML_SCALAR_EVENT:
			n = cnode_new(CNODE_SCALAR, file, fileidx, line, col);
			n->len = ev.data.scalar.length;
			n->value = xmalloc(n->len + 1);
			memcpy(n->value, ev.data.scalar.value, n->len);
			n->value[n->len] = '\0';
			n->style = ev.data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE ? CSCALAR_PLAIN :
			    CSCALAR_STRING;
			config_yaml_props(l, n, ev.data.scalar.anchor,
			    ev.data.scalar.tag);
			break;
		case YAML_SEQUENCE_START_EVENT:
			n = cnode_new(CNODE_SEQ, file, fileidx, line, col);
			config_yaml_props(l, n, ev.data.sequence_start.anchor,
			    ev.data.sequence_start.tag);
			break;
		case YAML_MAPPING_START_EVENT:
			n = cnode_new(CNODE_MAP, file, fileidx, line, col);
			config_yaml_props(l, n, ev.data.mapping_start.anchor,
			    ev.data.mapping_start.tag);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			config_yaml_done(l, stack, depth);
			break;
		default:
			break;
		}
		if (n != NULL) {
			if (depth == 0)
				root = n;
			else
				cnode_add(stack[depth - 1], n);
			if (n->type == CNODE_SEQ || n->type == CNODE_MAP) {
				if (depth == CNODE_MAX_DEPTH) {
					cerr_add(&l->errs, n, "nested too "
					    "deeply (at most %d levels)",
					    CNODE_MAX_DEPTH);
					*failed = done = 1;
				} else
					stack[depth++] = n;
			} else
				config_yaml_done(l, stack, depth);
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (*failed) {
		cnode_free(root);
		return (NULL);
	}
	return (root);
}

/* Read a whole file of at most CONFIG_MAX_FILE bytes. */
static unsigned char *
config_read(int fd, size_t *len, int *toobig)
{
	unsigned char	*buf = NULL;
	size_t		 size = 0, used = 0;
	ssize_t		 n;

	*toobig = 0;
	for (;;) {
		if (used == size) {
			if (size > CONFIG_MAX_FILE) {
				*toobig = 1;
				free(buf);
				return (NULL);
			}
			size = size == 0 ? 65536 : size * 2;
			buf = xreallocarray(buf, size, 1);
		}
		n = read(fd, buf + used, size - used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return (NULL);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > CONFIG_MAX_FILE) {
		*toobig = 1;
		free(buf);
		return (NULL);
	}
	*len = used;
	return (buf);
}

/*
 * Load one file: the main one (from NULL), or an include (from the item
 * naming it), refusing loops and, as root, files others may write.
 */
static void
config_file(struct loader *l, const char *path, const struct cnode *from,
    int depth)
{
	struct config	*conf = l->conf;
	struct stat	 sb;
	struct cnode	*root;
	unsigned char	*buf;
	size_t		 len, i;
	int		 fd, toobig, failed, fileidx;
	const char	*file;

	if (depth > CONFIG_MAX_INCLUDE_DEPTH) {
		cerr_add(&l->errs, from, "includes nested too deeply (at most "
		    "%d levels)", CONFIG_MAX_INCLUDE_DEPTH);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &sb) == -1) {
		if (from != NULL)
			cerr_add(&l->errs, from, "cannot read \"%s\": %s",
			    path, strerror(errno));
		else
			cerr_addx(&l->errs, path, 0, 0, 0, "%s",
			    strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	for (i = 0; i < l->nseen; i++) {
		if (l->seen[i].dev == sb.st_dev && l->seen[i].ino == sb.st_ino)
			break;
	}
	if (i != l->nseen || !S_ISREG(sb.st_mode) || (geteuid() == 0 &&
	    (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0))) {
		if (i != l->nseen)
			cerr_add(&l->errs, from, "\"%s\" is already included",
			    path);
		else if (!S_ISREG(sb.st_mode) && from != NULL)
			cerr_add(&l->errs, from, "\"%s\" is not a regular file",
			    path);
		else if (!S_ISREG(sb.st_mode))
			cerr_addx(&l->errs, path, 0, 0, 0,
			    "not a regular file");
		else if (from != NULL)
			cerr_add(&l->errs, from, "\"%s\" may be written by "
			    "others than root: refused", path);
		else
			cerr_addx(&l->errs, path, 0, 0, 0, "may be written by "
			    "others than root: refused");
		close(fd);
		return;
	}
	l->seen = xreallocarray(l->seen, l->nseen + 1, sizeof *l->seen);
	l->seen[l->nseen].dev = sb.st_dev;
	l->seen[l->nseen++].ino = sb.st_ino;

	conf->files = xreallocarray(conf->files, conf->nfiles + 1,
	    sizeof *conf->files);
	conf->files[conf->nfiles] = xstrdup(path);
	file = conf->files[conf->nfiles];
	fileidx = (int)conf->nfiles++;

	if ((size_t)sb.st_size > CONFIG_MAX_FILE)
		buf = NULL, toobig = 1;
	else
		buf = config_read(fd, &len, &toobig);
	close(fd);
	if (buf == NULL) {
		if (toobig)
			cerr_addx(&l->errs, file, fileidx, 1, 1, "file is "
			    "larger than %d MiB", CONFIG_MAX_FILE >> 20);
		else
			cerr_addx(&l->errs, file, fileidx, 0, 0, "%s",
			    strerror(errno));
		return;
	}
	root = config_yaml_tree(l, file, fileidx, buf, len, &failed);
	free(buf);
	if (!failed)
		config_root(l, root, depth);
	cnode_free(root);
}

/* Compare job names, then definition order. */
static int
config_name_cmp(const void *a, const void *b)
{
	const struct config_name	*na = a, *nb = b;
	int				 c;

	if ((c = strcmp(na->name, nb->name)) != 0)
		return (c);
	return (na->idx < nb->idx ? -1 : (na->idx > nb->idx));
}

/* Report job names defined in more than one file. */
static void
config_check_names(struct loader *l)
{
	struct config_name	*first = NULL, *cn;
	struct cnode		 at;
	size_t			 i, fi;

	if (l->nnames > 1)
		qsort(l->names, l->nnames, sizeof *l->names, config_name_cmp);
	for (i = 0; i < l->nnames; i++) {
		cn = &l->names[i];
		if (i == 0 || strcmp(cn->name, first->name) != 0) {
			first = cn;
			continue;
		}
		memset(&at, 0, sizeof at);
		at.file = cn->file;
		for (fi = 0; fi < l->conf->nfiles; fi++) {
			if (l->conf->files[fi] == cn->file)
				at.fileidx = (int)fi;
		}
		at.line = cn->line;
		at.column = cn->column;
		cerr_add(&l->errs, &at, "duplicate job \"%s\" (first defined "
		    "at %s:%d:%d)", cn->name, first->file, first->line,
		    first->column);
	}
}

/* Load and validate a configuration (see config.h). */
int
config_load(const char *path, int must_exist, struct config **out,
    char ***errors, size_t *nerrors)
{
	struct loader	 l;
	struct config	*conf;
	size_t		 i;

	conf = xcalloc(1, sizeof *conf);
	settings_defaults(&conf->settings);
	if (path == NULL || (!must_exist && access(path, F_OK) == -1 &&
	    errno == ENOENT)) {
		*out = conf;
		return (0);
	}
	conf->path = xstrdup(path);
	memset(&l, 0, sizeof l);
	l.conf = conf;
	config_file(&l, path, NULL, 0);
	config_check_names(&l);
	free(l.seen);
	free(l.names);
	for (i = 0; i < l.nnames; i++)
		free(l.namebuf[i]);
	free(l.namebuf);
	if (l.errs.n == 0) {
		*out = conf;
		return (0);
	}
	cerr_sort(&l.errs);
	*errors = xreallocarray(NULL, l.errs.n, sizeof **errors);
	for (i = 0; i < l.errs.n; i++)
		(*errors)[i] = l.errs.list[i].msg;
	*nerrors = l.errs.n;
	free(l.errs.list);
	config_free(conf);
	return (-1);
}

/* Free a configuration; jobs still referenced elsewhere stay alive. */
void
config_free(struct config *conf)
{
	size_t	 i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->njobs; i++)
		jobdef_unref(conf->jobs[i]);
	free(conf->jobs);
	for (i = 0; i < conf->nfiles; i++)
		free(conf->files[i]);
	free(conf->files);
	settings_free(&conf->settings);
	free(conf->path);
	free(conf);
}

void
config_errors_free(char **errors, size_t n)
{
	size_t	 i;

	if (errors == NULL)
		return;
	for (i = 0; i < n; i++)
		free(errors[i]);
	free(errors);
}

/* A job by name, or NULL. */
struct jobdef *
config_find_job(const struct config *conf, const char *name)
{
	size_t	 i;

	for (i = 0; i < conf->njobs; i++) {
		if (strcmp(conf->jobs[i]->name, name) == 0)
			return (conf->jobs[i]);
	}
	return (NULL);
}
