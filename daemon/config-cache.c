/* SPDX-License-Identifier: ISC */
/*
 * What makes reloading a large configuration cheap: the index of jobs by
 * name (open addressing, no allocation per job), and the cache of include
 * files as last parsed, reused while their text stays the same
 * (schedd.yaml.5 INCLUDE, schedd.8 RELOAD).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config-node.h"
#include "config.h"
#include "hmap.h"
#include "intern.h"
#include "xmalloc.h"

static uint64_t	 config_index_hash(const char *);
static void	 config_cached_free(void *);

/* Include files by path -> struct config_cached. */
static struct hmap	 config_cache;

/* Drop a list of jobs and the references it holds. */
void
config_entries_free(struct config_entries *e)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		if (e->list[i].def == NULL)
			free(e->list[i].name);
		jobdef_unref(e->list[i].def);
	}
	free(e->list);
	memset(e, 0, sizeof *e);
}

/* Free a cached file (a struct config_cached). */
static void
config_cached_free(void *p)
{
	struct config_cached	*cc = p;

	config_entries_free(&cc->jobs);
	free(cc->path);
	free(cc);
}

/* Forget every cached include file. */
void
config_cache_clear(void)
{
	hmap_clear_free(&config_cache, config_cached_free);
}

/* Forget cached files the load that just ended did not read. */
void
config_cache_prune(void)
{
	struct hmap_iter	 it;
	struct config_cached	*cc, **gone = NULL;
	size_t			 n = 0, i;

	if (config_cache.buckets == NULL)
		return;
	hmap_iter_init(&it, &config_cache);
	while ((cc = hmap_iter_next(&it)) != NULL) {
		if (cc->used) {
			cc->used = 0;
			continue;
		}
		gone = xreallocarray(gone, n + 1, sizeof *gone);
		gone[n++] = cc;
	}
	for (i = 0; i < n; i++) {
		hmap_sdel(&config_cache, gone[i]->path);
		config_cached_free(gone[i]);
	}
	free(gone);
}

/*
 * The cached result of an include file whose text is the same as when it
 * was last parsed, or NULL.  What is read is compared by its digest, so
 * a file rewritten with the same size and time is still parsed again.
 */
struct config_cached *
config_cache_find(const char *path, const uint64_t digest[2])
{
	struct config_cached	*cc;

	if (config_cache.buckets == NULL ||
	    (cc = hmap_sget(&config_cache, path)) == NULL)
		return (NULL);
	if (cc->digest[0] != digest[0] || cc->digest[1] != digest[1])
		return (NULL);
	return (cc);
}

/* Remember the jobs of an include file parsed without errors. */
void
config_cache_put(const char *path, const struct stat *sb,
    const uint64_t digest[2], struct config_entries *e)
{
	struct config_cached	*cc;
	size_t			 i;

	if (config_cache.buckets == NULL)
		hmap_init(&config_cache);
	if ((cc = hmap_sdel(&config_cache, path)) != NULL)
		config_cached_free(cc);
	cc = xcalloc(1, sizeof *cc);
	cc->path = xstrdup(path);
	cc->dev = sb->st_dev;
	cc->ino = sb->st_ino;
	cc->size = sb->st_size;
	cc->mtime = sb->st_mtim;
	cc->digest[0] = digest[0];
	cc->digest[1] = digest[1];
	cc->jobs.list = xreallocarray(NULL, e->n + 1, sizeof *e->list);
	cc->jobs.n = cc->jobs.size = e->n;
	for (i = 0; i < e->n; i++) {
		cc->jobs.list[i].def = e->list[i].def != NULL ?
		    jobdef_ref(e->list[i].def) : NULL;
		cc->jobs.list[i].name = e->list[i].def != NULL ?
		    e->list[i].def->name : xstrdup(e->list[i].name);
		cc->jobs.list[i].line = e->list[i].line;
		cc->jobs.list[i].column = e->list[i].column;
	}
	cc->used = 1;
	hmap_sput(&config_cache, cc->path, cc);
}

/* FNV-1a of a job name, mixed so the low bits index well. */
static uint64_t
config_index_hash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (h ^ (h >> 32));
}

/* Make room in an index for n jobs in all. */
void
config_index_reserve(struct config_index *x, size_t n)
{
	struct config_slot	*old = x->slots;
	size_t			 oldn = x->nslots, i, b, size;

	for (size = x->nslots == 0 ? 64 : x->nslots; n * 2 > size; size *= 2)
		;
	if (size == x->nslots)
		return;
	x->nslots = size;
	x->slots = xcalloc(x->nslots, sizeof *x->slots);
	for (i = 0; i < oldn; i++) {
		if (old[i].def == NULL)
			continue;
		for (b = old[i].hash & (x->nslots - 1); x->slots[b].def != NULL;
		    b = (b + 1) & (x->nslots - 1))
			;
		x->slots[b] = old[i];
	}
	free(old);
}

/* Add a job to an index, or replace the one of that name. */
void
config_index_put(struct config_index *x, struct jobdef *def)
{
	struct config_slot	*sl;
	size_t			 b;
	uint64_t		 h = config_index_hash(def->name);

	config_index_reserve(x, x->n + 1);
	for (b = h & (x->nslots - 1); (sl = &x->slots[b])->def != NULL;
	    b = (b + 1) & (x->nslots - 1)) {
		if (sl->hash == h && strcmp(sl->def->name, def->name) == 0) {
			sl->def = def;
			return;
		}
	}
	sl->hash = h;
	sl->def = def;
	x->n++;
}

/* A job by name, or NULL. */
struct jobdef *
config_find_job(const struct config *conf, const char *name)
{
	const struct config_index	*x = &conf->index;
	const struct config_slot	*sl;
	size_t				 b;
	uint64_t			 h;

	if (x->nslots == 0)
		return (NULL);
	h = config_index_hash(name);
	for (b = h & (x->nslots - 1); (sl = &x->slots[b])->def != NULL;
	    b = (b + 1) & (x->nslots - 1)) {
		if (sl->hash == h && strcmp(sl->def->name, name) == 0)
			return (sl->def);
	}
	return (NULL);
}
