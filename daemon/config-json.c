/* SPDX-License-Identifier: ISC */
/*
 * JSON into the node tree of config-node.h, straight from its text: the
 * saved definitions of runtime jobs are read this way at start
 * (doc/state.md), without building jansson values first.  Only what the
 * daemon writes is taken -- objects, arrays, strings, integers, true,
 * false and null; anything else (a real number, an integer past 18
 * digits, \u0000, bytes that are not UTF-8, a key twice in an object, too
 * deep a nesting, a syntax error) makes the caller read the text with
 * jansson instead, so both readers agree on every text this one takes.
 * A jansson value becomes a node tree here too (the "add" command's
 * job), and members of a mapping are looked up.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-node.h"
#include "jw.h"
#include "xmalloc.h"

#define CJSON_MAX_DIGITS	18	/* always fits an int64_t */

static struct cnode *cjson_jansson(json_t *, const char *, int,
		    const char *, struct cerrs *);
static struct cnode *cjson_value(const char **, const char *, int);
static struct cnode *cjson_string(const char **, const char *);
static int	 cjson_hex4(const char *, const char *, uint32_t *);
static size_t	 cjson_utf8(uint32_t, char *);

static const char *
cjson_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return (p);
}

/*
 * The JSON value at *pp (with the whitespace around it) as a node tree,
 * *pp moved past it; NULL if this reader does not take it.
 */
struct cnode *
cnode_from_json(const char **pp, const char *end)
{
	struct cnode	*n;
	const char	*p;

	p = cjson_space(*pp, end);
	if ((n = cjson_value(&p, end, 0)) == NULL)
		return (NULL);
	*pp = cjson_space(p, end);
	return (n);
}

static struct cnode *
cjson_value(const char **pp, const char *end, int depth)
{
	struct cnode	*n, *k, *v;
	const char	*p = *pp, *start;
	char		 close;

	if (p >= end)
		return (NULL);
	switch (*p) {
	case '{':
	case '[':
		if (depth >= CNODE_MAX_DEPTH)
			return (NULL);
		close = *p == '{' ? '}' : ']';
		n = cnode_new(*p == '{' ? CNODE_MAP : CNODE_SEQ, NULL, 0, 0,
		    0);
		p = cjson_space(p + 1, end);
		if (p < end && *p == close) {
			*pp = p + 1;
			return (n);
		}
		for (;;) {
			if (close == '}') {
				if (p >= end || *p != '"' ||
				    (k = cjson_string(&p, end)) == NULL)
					break;
				/* Jansson refuses a key twice: so does this. */
				if (cnode_get(n, k->value) != NULL) {
					cnode_free(k);
					break;
				}
				cnode_add(n, k);
				p = cjson_space(p, end);
				if (p >= end || *p != ':')
					break;
				p = cjson_space(p + 1, end);
			}
			if ((v = cjson_value(&p, end, depth + 1)) == NULL)
				break;
			cnode_add(n, v);
			p = cjson_space(p, end);
			if (p < end && *p == ',') {
				p = cjson_space(p + 1, end);
				continue;
			}
			if (p < end && *p == close) {
				*pp = p + 1;
				return (n);
			}
			break;
		}
		cnode_free(n);
		return (NULL);
	case '"':
		if ((n = cjson_string(&p, end)) != NULL)
			*pp = p;
		return (n);
	case 't':
	case 'f':
	case 'n':
		start = p;
		while (p < end && *p >= 'a' && *p <= 'z')
			p++;
		if (p - start == 4 && memcmp(start, "true", 4) == 0)
			n = cnode_new_scalar(NULL, 0, 0, 0, "true", 4);
		else if (p - start == 5 && memcmp(start, "false", 5) == 0)
			n = cnode_new_scalar(NULL, 0, 0, 0, "false", 5);
		else if (p - start == 4 && memcmp(start, "null", 4) == 0) {
			n = cnode_new_scalar(NULL, 0, 0, 0, "null", 4);
			n->style = CSCALAR_NULL;
			*pp = p;
			return (n);
		} else
			return (NULL);
		n->style = CSCALAR_BOOL;
		*pp = p;
		return (n);
	default:
		/* An integer as jansson writes it: -?(0|[1-9][0-9]*). */
		start = p;
		if (*p == '-')
			p++;
		if (p >= end || *p < '0' || *p > '9' ||
		    (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9'))
			return (NULL);
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p - start - (*start == '-') > CJSON_MAX_DIGITS ||
		    (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
			return (NULL);
		n = cnode_new_scalar(NULL, 0, 0, 0, start, p - start);
		n->style = CSCALAR_NUMBER;
		*pp = p;
		return (n);
	}
}

/* A string at *pp (its opening quote), *pp moved past its end. */
static struct cnode *
cjson_string(const char **pp, const char *end)
{
	struct cnode	*n;
	const char	*p = *pp + 1, *start = p;
	char		*buf, *o;
	uint32_t	 cp, lo;
	size_t		 len;

	/* Most strings have no escape: taken as they are. */
	while (p < end && *p != '"' && *p != '\\' &&
	    (unsigned char)*p >= 0x20) {
		if ((unsigned char)*p < 0x80)
			p++;
		else if ((len = jw_utf8_len((const unsigned char *)p,
		    end - p)) == 0)
			return (NULL);
		else
			p += len;
	}
	if (p >= end || (unsigned char)*p < 0x20)
		return (NULL);
	if (*p == '"') {
		n = cnode_new_scalar(NULL, 0, 0, 0, start, p - start);
		n->style = CSCALAR_STRING;
		*pp = p + 1;
		return (n);
	}

	/* An escape: decoded into a copy, never longer than the text. */
	o = buf = xmalloc(end - start + 1);
	memcpy(o, start, p - start);
	o += p - start;
	while (p < end && *p != '"') {
		if ((unsigned char)*p < 0x20)
			goto fail;
		if (*p != '\\') {
			if ((unsigned char)*p < 0x80)
				len = 1;
			else if ((len = jw_utf8_len((const unsigned char *)p,
			    end - p)) == 0)
				goto fail;
			memcpy(o, p, len);
			o += len;
			p += len;
			continue;
		}
		if (++p >= end)
			goto fail;
		switch (*p++) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '/':
			*o++ = '/';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (cjson_hex4(p, end, &cp) != 0)
				goto fail;
			p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto fail;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p < 6 || p[0] != '\\' ||
				    p[1] != 'u' ||
				    cjson_hex4(p + 2, end, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto fail;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0)
				goto fail;
			o += cjson_utf8(cp, o);
			break;
		default:
			goto fail;
		}
	}
	if (p >= end)
		goto fail;
	n = cnode_new_scalar(NULL, 0, 0, 0, buf, o - buf);
	n->style = CSCALAR_STRING;
	free(buf);
	*pp = p + 1;
	return (n);
fail:
	free(buf);
	return (NULL);
}

static int
cjson_hex4(const char *p, const char *end, uint32_t *cp)
{
	int	 i;

	if (end - p < 4)
		return (-1);
	*cp = 0;
	for (i = 0; i < 4; i++) {
		*cp <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			*cp |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			*cp |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			*cp |= p[i] - 'A' + 10;
		else
			return (-1);
	}
	return (0);
}

/* A code point as UTF-8 (at most 4 bytes, fewer than its escape). */
static size_t
cjson_utf8(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = cp;
		return (1);
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return (2);
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return (3);
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return (4);
}

/*
 * A jansson value into a node tree; with a path, each node is named by
 * its key path (for error messages), else nodes carry no name, which
 * saves most of the work.  A key named skip is left out at the top.
 */
static struct cnode *
cjson_jansson(json_t *j, const char *path, int depth, const char *skip,
    struct cerrs *errs)
{
	struct cnode	*n, *k;
	const char	*key;
	json_t		*v;
	size_t		 i;
	char		*sub = NULL, num[64];
	int		 len;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		n = cnode_new(CNODE_MAP, NULL, 0, 0, 0);
		break;
	case JSON_ARRAY:
		n = cnode_new(CNODE_SEQ, NULL, 0, 0, 0);
		break;
	case JSON_STRING:
		n = cnode_new_scalar(NULL, 0, 0, 0, json_string_value(j),
		    json_string_length(j));
		n->style = CSCALAR_STRING;
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		if (json_is_integer(j))
			len = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(j));
		else
			len = snprintf(num, sizeof num, "%.17g",
			    json_real_value(j));
		n = cnode_new_scalar(NULL, 0, 0, 0, num, (size_t)len);
		n->style = CSCALAR_NUMBER;
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		n = cnode_new_scalar(NULL, 0, 0, 0, json_is_true(j) ? "true" :
		    "false", json_is_true(j) ? 4 : 5);
		n->style = CSCALAR_BOOL;
		break;
	default:
		n = cnode_new_scalar(NULL, 0, 0, 0, "null", 4);
		n->style = CSCALAR_NULL;
		break;
	}
	if (path != NULL)
		n->path = xstrdup(path);
	if ((json_is_object(j) || json_is_array(j)) &&
	    depth >= CNODE_MAX_DEPTH) {
		cerr_add(errs, n, "nested too deeply");
		n->type = CNODE_BAD;
		return (n);
	}
	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if (depth == 0 && skip != NULL &&
			    strcmp(key, skip) == 0)
				continue;
			if (path != NULL)
				xasprintf(&sub, "%s.%s", path, key);
			k = cnode_new_scalar(NULL, 0, 0, 0, key, strlen(key));
			k->style = CSCALAR_STRING;
			if (sub != NULL)
				k->path = xstrdup(sub);
			cnode_add(n, k);
			cnode_add(n, cjson_jansson(v, sub, depth + 1, NULL,
			    errs));
			free(sub);
			sub = NULL;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (path != NULL)
				xasprintf(&sub, "%s[%zu]", path, i);
			cnode_add(n, cjson_jansson(v, sub, depth + 1, NULL,
			    errs));
			free(sub);
			sub = NULL;
		}
	}
	return (n);
}

struct cnode *
cnode_from_jansson(json_t *j, const char *path, const char *skip,
    struct cerrs *errs)
{
	return (cjson_jansson(j, path, 0, skip, errs));
}

/* The value of a mapping's member (the last of that key), or NULL. */
const struct cnode *
cnode_get(const struct cnode *map, const char *key)
{
	const struct cnode	*v = NULL;
	size_t			 i;

	if (map == NULL || map->type != CNODE_MAP)
		return (NULL);
	for (i = 0; i + 1 < map->nchild; i += 2) {
		if (map->child[i]->value[0] == key[0] &&
		    strcmp(map->child[i]->value, key) == 0)
			v = map->child[i + 1];
	}
	return (v);
}

/* A member's text if it is a string, else NULL. */
const char *
cnode_get_string(const struct cnode *map, const char *key)
{
	const struct cnode	*v = cnode_get(map, key);

	if (v == NULL || v->type != CNODE_SCALAR ||
	    v->style != CSCALAR_STRING)
		return (NULL);
	return (v->value);
}

/* A member's integer, or dflt if it is none. */
int64_t
cnode_get_int(const struct cnode *map, const char *key, int64_t dflt)
{
	const struct cnode	*v = cnode_get(map, key);

	const char		*p;

	if (v == NULL || v->type != CNODE_SCALAR ||
	    v->style != CSCALAR_NUMBER)
		return (dflt);
	for (p = v->value + (*v->value == '-'); *p >= '0' && *p <= '9'; p++)
		;
	if (*p != '\0' || p == v->value + (*v->value == '-') ||
	    p - v->value > CJSON_MAX_DIGITS + 1)
		return (dflt);
	return (strtoll(v->value, NULL, 10));
}

/* A member's boolean: 1 true, 0 false, -1 none or not a boolean. */
int
cnode_get_bool(const struct cnode *map, const char *key)
{
	const struct cnode	*v = cnode_get(map, key);

	if (v == NULL || v->type != CNODE_SCALAR || v->style != CSCALAR_BOOL)
		return (-1);
	return (strcmp(v->value, "true") == 0);
}
