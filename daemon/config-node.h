/* SPDX-License-Identifier: ISC */
/*
 * Private to config*.c and jobdef.c: the small tree
 * both the YAML and the JSON front ends build before validation, and the
 * error list validation fills.  A node knows where it came from (file,
 * line and column, 1-based, for YAML; a key path such as "job.env.HOME"
 * for JSON), so every message can say where the problem is.
 */
#ifndef CONFIG_NODE_H
#define CONFIG_NODE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "hmap.h"

#define CNODE_MAX_DEPTH		64

enum cnode_type {
	CNODE_SCALAR,
	CNODE_SEQ,
	CNODE_MAP,
	CNODE_BAD,		/* an alias: already reported, skip quietly */
};

/* How a scalar was written, which decides what it may stand for. */
enum cscalar {
	CSCALAR_PLAIN,		/* YAML unquoted: null, bool, number or text */
	CSCALAR_STRING,		/* YAML quoted or block, or a JSON string */
	CSCALAR_NUMBER,		/* JSON number (integer or real) */
	CSCALAR_BOOL,		/* JSON true or false */
	CSCALAR_NULL,		/* JSON null */
};

struct cnode {
	enum cnode_type	 type;
	enum cscalar	 style;
	int		 skip;		/* map key: duplicate or bad, ignore */
	char		*value;		/* scalar text */
	size_t		 len;
	const char	*file;		/* YAML file, not owned, or NULL */
	int		 fileidx;
	int		 line;
	int		 column;
	char		*path;		/* JSON key path, or NULL */
	struct cnode	**child;	/* list items, or map key, value, ... */
	size_t		 nchild;
	size_t		 size;
	char		 small[32];	/* value, if short enough */
};

struct cerr {
	char		*msg;
	int		 fileidx;
	int		 line;
	int		 column;
	size_t		 seq;
};

struct cerrs {
	struct cerr	*list;
	size_t		 n;
	size_t		 size;
};

struct cnode	*cnode_new(enum cnode_type, const char *, int, int, int);
struct cnode	*cnode_new_scalar(const char *, int, int, int, const char *,
		     size_t);
void		 cnode_add(struct cnode *, struct cnode *);
void		 cnode_free(struct cnode *);
void		 cnode_mark_dups(struct cnode *, struct cerrs *,
		     const char *);
int		 cnode_is_null(const struct cnode *);
int		 cnode_texty(const struct cnode *);
const char	*cnode_describe(const struct cnode *);
int		 cnode_to_string(const struct cnode *, struct cerrs *, char **);
int		 cnode_to_intern(const struct cnode *, struct cerrs *, char **);
int		 cnode_to_list(const struct cnode *, struct cerrs *, int,
		     char ***, uint32_t *);
int		 cnode_to_bool(const struct cnode *, struct cerrs *, int *);
int		 cnode_to_int(const struct cnode *, struct cerrs *, int64_t,
		     int64_t, int64_t *);
int		 cnode_to_duration(const struct cnode *, struct cerrs *,
		     uint64_t *);
int		 cnode_to_size(const struct cnode *, struct cerrs *,
		     uint64_t *);
int		 cnode_to_octal(const struct cnode *, struct cerrs *, int,
		     int *);
int		 cnode_to_timezone(const struct cnode *, struct cerrs *,
		     char **);

/* config-json.c */
struct cnode	*cnode_from_json(const char **, const char *);
struct cnode	*cnode_from_jansson(json_t *, const char *, const char *,
		     struct cerrs *);
const struct cnode *cnode_get(const struct cnode *, const char *);
const char	*cnode_get_string(const struct cnode *, const char *);
int64_t		 cnode_get_int(const struct cnode *, const char *, int64_t);
int		 cnode_get_bool(const struct cnode *, const char *);

void		 cerr_add(struct cerrs *, const struct cnode *, const char *,
		     ...) __attribute__((__format__(__printf__, 3, 4)));
void		 cerr_addx(struct cerrs *, const char *, int, int, int,
		     const char *, ...)
		     __attribute__((__format__(__printf__, 6, 7)));
void		 cerr_sort(struct cerrs *);
void		 cerr_clear(struct cerrs *);

const char	*key_nearest(const char *, const char *const *, size_t);
void		 key_unknown(struct cerrs *, const struct cnode *,
		     const char *const *, size_t);

void		 settings_parse(struct settings *, const struct cnode *,
		     struct cerrs *);

/* One key of a file's jobs: mapping, validated as it was parsed. */
struct config_entry {
	char		*name;		/* def's, or an own copy if none */
	int		 line;
	int		 column;
	struct jobdef	*def;		/* NULL: invalid (reported) */
};

/* The jobs of one file, in file order. */
struct config_entries {
	struct config_entry *list;
	size_t		 n;
	size_t		 size;
};

/*
 * An include file as last parsed: its jobs, reused while its text stays
 * the same (schedd.yaml.5 INCLUDE).  Only files that had no errors and
 * include nothing themselves are kept.
 */
struct config_cached {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	uint64_t	 digest[2];
	struct config_entries jobs;
	int		 used;		/* by the load under way */
};

void		 config_entries_free(struct config_entries *);
struct config_cached *config_cache_find(const char *, const uint64_t[2]);
void		 config_cache_put(const char *, const struct stat *,
		     const uint64_t[2], struct config_entries *);
void		 config_cache_prune(void);
void		 config_index_reserve(struct config_index *, size_t);

const char *const *jobkey_names(size_t *);
extern const char *const joblimit_names[JOBLIM_MAX];
int		 jobdef_from_node(struct cnode *, struct jobdef **, char **);
struct jobdef	*jobdef_build(const char *, const struct cnode *,
		     const struct cnode *, struct cerrs *, int);
struct jobdef	*jobdef_new(const char *);
void		 settings_hooks_check(const struct config *, struct cerrs *);
void		 jobdef_list_add(char ***, uint32_t *, char *);
void		 jobdef_list_init(char ***);
void		 jobdef_list_free(char **);
struct joblimit	*jobdef_limits_w(struct jobdef *);
struct cglimit	*jobdef_cglimits_w(struct jobdef *);
void		 jobdef_finish(struct jobdef *);
void		 jobdef_free(struct jobdef *);
int		 cglimit_parse(enum cglimit_kind, const struct cnode *,
		     const struct cnode *, struct cerrs *, struct cglimit *);

#endif
