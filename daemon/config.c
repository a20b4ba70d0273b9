/*
 * Loading the YAML configuration (schedd.yaml(5)): the file and its
 * includes become node trees carrying file, line and column; then the trees
 * are validated in one pass that collects every error, so "schedd -t" and
 * "reload" can show them all at once.  The node helpers are in
 * config-node.c; config-settings.c validates the daemon: section and
 * config-job.c the jobs.
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
#include "dircheck.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CONFIG_MAX_INCLUDE_DEPTH	8

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
				settings_parse(&l->conf->settings, v,
				    &l->errs);
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
 * The folder a configuration file is named in, and every folder above
 * it, must be writable by root alone (a sticky folder owned by root, such
 * as /tmp, where the kernel does not follow others' links, may hold it):
 * otherwise another user could put there a link to a file of root's that
 * is none of theirs, and read it back in error messages.  NULL, or why
 * not (caller frees).
 */
static char *
config_folder_untrusted(const char *path)
{
	char	*copy, *slash, *cause, *why;

	copy = xstrdup(path);
	if ((slash = strrchr(copy, '/')) == NULL) {
		free(copy);
		copy = xstrdup(".");
	} else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (dir_check(copy, 0, DIR_CHECK_PARENTS | DIR_CHECK_STICKY,
	    &cause) == 0) {
		free(copy);
		return (NULL);
	}
	xasprintf(&why, "its folder is not root's alone: %s", cause);
	free(cause);
	free(copy);
	return (why);
}

/*
 * As root, every file read for the configuration must be root's and
 * writable by no one else, in a folder that is root's alone
 * (schedd.yaml(5) INCLUDE).  The file's rule is checked on the opened
 * descriptor, so it holds for the file that is read, wherever symbolic
 * links led, and the refusal names the file and why but never shows what
 * it holds.  Returns -1 (and adds the error) if refused.
 */
static int
config_file_trusted(struct loader *l, const char *path, int fd,
    const struct stat *sb, const struct cnode *from)
{
	char	 link[64], target[PATH_MAX], *why, *resolved = NULL;
	ssize_t	 n;

	if (geteuid() != 0)
		return (0);
	if ((why = config_folder_untrusted(path)) != NULL)
		;
	else if (sb->st_uid != 0)
		xasprintf(&why, "owned by uid %lu", (unsigned long)sb->st_uid);
	else if (sb->st_mode & S_IWOTH)
		why = xstrdup("writable by others");
	else if (sb->st_mode & S_IWGRP)
		why = xstrdup("writable by its group");
	else
		return (0);
	/* The file actually opened, if a link or ".." led elsewhere. */
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, target, sizeof target - 1)) > 0) {
		target[n] = '\0';
		if (strcmp(target, path) != 0)
			xasprintf(&resolved, " (resolved to %s)", target);
	}
	cerr_addx(&l->errs, path, from != NULL ? from->fileidx : 0, 0, 0,
	    "refused: %s%s", why, resolved != NULL ? resolved : "");
	free(resolved);
	free(why);
	return (-1);
}

/*
 * Load one file: the main one (from NULL), or an include (from the item
 * naming it), refusing loops and, as root, files others may write.  The
 * descriptor that was checked is the one read.
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
	if (i != l->nseen || !S_ISREG(sb.st_mode) ||
	    config_file_trusted(l, path, fd, &sb, from) != 0) {
		if (i != l->nseen)
			cerr_add(&l->errs, from, "\"%s\" is already included",
			    path);
		else if (!S_ISREG(sb.st_mode) && from != NULL)
			cerr_add(&l->errs, from, "\"%s\" is not a regular file",
			    path);
		else if (!S_ISREG(sb.st_mode))
			cerr_addx(&l->errs, path, 0, 0, 0,
			    "not a regular file");
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
