/* SPDX-License-Identifier: ISC */
/*
 * Loading the YAML configuration (schedd.yaml(5)): the file and its
 * includes become node trees carrying file, line and column; then the trees
 * are validated in one pass that collects every error, so "schedd -t" and
 * "reload" can show them all at once.  Each job is validated as soon as
 * it is parsed and its nodes freed, so a file of many jobs never holds all
 * their trees.  The node helpers are in config-node.c; config-settings.c
 * validates the daemon: section, config-job.c the jobs, and
 * config-cache.c keeps the index by name and the include files unchanged
 * since they were last parsed.
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
#include "intern.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CONFIG_MAX_INCLUDE_DEPTH	8

/*
 * Where a job name was first defined, and first in the file that last
 * defined it, to report duplicates within and across files: only for
 * names defined twice or first by an invalid job.  Other names are only
 * in the configuration's index.
 */
struct config_name {
	char		*name;		/* the key */
	const char	*file;
	int		 line;
	int		 column;
	int		 lastidx;
	int		 lastline;
	int		 lastcolumn;
};

struct loader {
	struct config		*conf;
	struct cerrs		 errs;
	struct {
		dev_t		 dev;
		ino_t		 ino;
	}			*seen;
	size_t			 nseen;
	struct hmap		 names;		/* name -> struct config_name */
	int			 nonames;	/* names not set up yet */
	struct config_entries	*entries;	/* of the file being parsed */
};


static void	config_file(struct loader *, const char *,
		    const struct cnode *, int);

static const char *const config_top_keys[] = { "daemon", "include", "jobs" };

/*
 * Take the jobs of one file into the configuration, in order, reporting
 * names defined twice in it or already in another file.
 */
static void
config_add_jobs(struct loader *l, const struct config_entries *e,
    const char *file, int fileidx)
{
	struct config		*conf = l->conf;
	const struct config_entry *ce;
	struct config_name	*cn;
	struct jobdef		*first;
	size_t			 i;

	config_index_reserve(&conf->index, conf->index.n + e->n);
	for (i = 0; i < e->n; i++) {
		ce = &e->list[i];
		first = config_find_job(conf, ce->name);
		cn = l->nonames ? NULL : hmap_sget(&l->names, ce->name);
		if (first == NULL && cn == NULL && ce->def != NULL) {
			conf->jobs = xreallocarray(conf->jobs, conf->njobs + 1,
			    sizeof *conf->jobs);
			conf->jobs[conf->njobs++] = jobdef_ref(ce->def);
			config_index_put(&conf->index, ce->def);
			continue;
		}
		if (l->nonames) {
			hmap_init(&l->names);
			l->nonames = 0;
		}
		if (cn == NULL && first != NULL) {
			/* Its first definition, a valid one, is in first. */
			cn = xmalloc(sizeof *cn);
			cn->name = xstrdup(first->name);
			cn->file = first->file;
			cn->line = first->line;
			cn->column = first->column;
			cn->lastidx = strcmp(first->file, file) == 0 ?
			    fileidx : -2;
			cn->lastline = first->line;
			cn->lastcolumn = first->column;
			hmap_sput(&l->names, cn->name, cn);
		}
		if (cn != NULL && cn->lastidx == fileidx) {
			cerr_addx(&l->errs, file, fileidx, ce->line,
			    ce->column, "duplicate job \"%s\" (first at line "
			    "%d, column %d)", ce->name, cn->lastline,
			    cn->lastcolumn);
			continue;
		}
		if (cn != NULL) {
			cerr_addx(&l->errs, file, fileidx, ce->line,
			    ce->column, "duplicate job \"%s\" (first defined "
			    "at %s:%d:%d)", ce->name, cn->file, cn->line,
			    cn->column);
		} else {
			/* First defined by an invalid job. */
			cn = xmalloc(sizeof *cn);
			cn->name = xstrdup(ce->name);
			cn->file = file;
			cn->line = ce->line;
			cn->column = ce->column;
			hmap_sput(&l->names, cn->name, cn);
		}
		cn->lastidx = fileidx;
		cn->lastline = ce->line;
		cn->lastcolumn = ce->column;
	}
}

/* The jobs: mapping of one file, its jobs validated while parsing. */
static void
config_jobs(struct loader *l, const struct cnode *map, const char *file,
    int fileidx)
{
	if (cnode_is_null(map))
		return;
	if (map->type != CNODE_MAP) {
		if (map->type != CNODE_BAD)
			cerr_add(&l->errs, map, "expected a mapping of job "
			    "names to jobs, got %s", cnode_describe(map));
		return;
	}
	/* What is left are keys that are not names. */
	cnode_mark_dups((struct cnode *)map, &l->errs, "job");
	config_add_jobs(l, l->entries, file, fileidx);
}

/*
 * Called as each node is complete while parsing: when it is a whole job
 * under the first top-level jobs: key, validate it now, keep only the
 * result and free its nodes, so a file of many jobs never holds all their
 * trees at once.  Duplicates are sorted out by config_add_jobs.
 */
static void
config_yaml_done(struct loader *l, struct cnode **stack, int depth)
{
	struct cnode		*root, *jobs, *k, *v;
	struct config_entries	*e = l->entries;
	struct config_entry	*ce;
	const char		*name;
	size_t			 i;

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
	/* A second jobs: key is reported and skipped as a duplicate. */
	for (i = 0; i + 2 < root->nchild; i += 2) {
		if (root->child[i]->type == CNODE_SCALAR &&
		    strcmp(root->child[i]->value, "jobs") == 0)
			return;
	}
	k = jobs->child[jobs->nchild - 2];
	v = jobs->child[jobs->nchild - 1];
	if (k->type != CNODE_SCALAR)
		return;
	if (e->n == e->size) {
		e->size = e->size == 0 ? 64 : e->size * 2;
		e->list = xreallocarray(e->list, e->size, sizeof *e->list);
	}
	ce = &e->list[e->n++];
	name = strlen(k->value) != k->len ? "\\0" : k->value;
	ce->def = jobdef_build(name, k, v, &l->errs, 0);
	ce->name = ce->def != NULL ? ce->def->name : xstrdup(k->value);
	ce->line = k->line;
	ce->column = k->column;
	jobs->nchild -= 2;
	cnode_free(k);
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
			config_jobs(l, v, root->file, root->fileidx);
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
			n = cnode_new_scalar(file, fileidx, line, col,
			    (const char *)ev.data.scalar.value,
			    ev.data.scalar.length);
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

/* Does a parsed file name other files to include? */
static int
config_has_include(const struct cnode *root)
{
	size_t	 i;

	if (root == NULL || root->type != CNODE_MAP)
		return (0);
	for (i = 0; i + 1 < root->nchild; i += 2) {
		if (root->child[i]->type == CNODE_SCALAR &&
		    strcmp(root->child[i]->value, "include") == 0)
			return (1);
	}
	return (0);
}

/*
 * Load one file: the main one (from NULL), or an include (from the item
 * naming it), refusing loops and, as root, files others may write.  The
 * descriptor that was checked is the one read.  An include file whose
 * text did not change since it was last parsed is not parsed again.
 */
static void
config_file(struct loader *l, const char *path, const struct cnode *from,
    int depth)
{
	struct config		*conf = l->conf;
	struct config_entries	 entries, *outer;
	struct config_cached	*cc;
	struct hmap_digest	 hd;
	struct stat		 sb;
	struct cnode		*root;
	unsigned char		*buf;
	uint64_t		 digest[2];
	size_t			 len, i, before;
	int			 fd, toobig, failed, fileidx;
	const char		*file;

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
	hmap_digest_init(&hd);
	hmap_digest_add(&hd, buf, len);
	hmap_digest_final(&hd, digest);
	if (depth > 0 && (cc = config_cache_find(path, digest)) != NULL) {
		free(buf);
		cc->used = 1;
		conf->nreused++;
		log_debug("%s: unchanged, not parsed again", file);
		config_add_jobs(l, &cc->jobs, file, fileidx);
		return;
	}

	conf->nparsed++;
	memset(&entries, 0, sizeof entries);
	outer = l->entries;
	l->entries = &entries;
	before = l->errs.n;
	root = config_yaml_tree(l, file, fileidx, buf, len, &failed);
	free(buf);
	if (!failed)
		config_root(l, root, depth);
	l->entries = outer;
	if (depth > 0 && !failed && l->errs.n == before &&
	    !config_has_include(root))
		config_cache_put(path, &sb, digest, &entries);
	cnode_free(root);
	config_entries_free(&entries);
}

/* Load and validate a configuration (see config.h). */
int
config_load(const char *path, int must_exist, struct config **out,
    char ***errors, size_t *nerrors)
{
	struct loader		 l;
	struct config		*conf;
	struct hmap_iter	 it;
	struct config_name	*cn;
	size_t			 i;

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
	l.nonames = 1;
	config_file(&l, path, NULL, 0);
	config_cache_prune();
	free(l.seen);
	if (!l.nonames) {
		hmap_iter_init(&it, &l.names);
		while ((cn = hmap_iter_next(&it)) != NULL) {
			free(cn->name);
			free(cn);
		}
		hmap_clear(&l.names);
	}
	/* Names of jobs that failed to load would only add noise. */
	if (l.errs.n == 0)
		settings_hooks_check(conf, &l.errs);
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
	free(conf->index.slots);
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

