#include "io/yamldoc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/util.h"

/* One bump allocator per stream: nodes and strings die together. */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct yamldoc_arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct yamldoc_arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (!c || c->size - c->used < n) {
		size_t size = n > 32768 ? n : 32768;

		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static char *arena_strndup(struct yamldoc_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Growable array of node pointers used while a collection is open. */
struct nodevec {
	struct ynode **v;
	size_t n, alloc;
};

static void nodevec_push(struct nodevec *nv, struct ynode *node)
{
	if (nv->n == nv->alloc) {
		nv->alloc = nv->alloc ? nv->alloc * 2 : 16;
		nv->v = xrealloc(nv->v, nv->alloc * sizeof(*nv->v));
	}
	nv->v[nv->n++] = node;
}

struct anchor {
	char *name;
	struct ynode *node;
};

struct frame {
	struct ynode *node;
	size_t base;		/* index in the item stack where its children start */
	char *anchor;
};

static int is_plain_key(const struct ynode *k, const char *s)
{
	return k->kind == YNODE_SCALAR && k->type == YSCALAR_STR && strcmp(k->str, s) == 0;
}

static int match_word(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* YAML 1.1 implicit resolution of a plain scalar, as PyYAML's SafeLoader does. */
static void resolve_plain(struct ynode *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					     "on", "On", "ON", "y", "Y", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", "no", "No", "NO",
					      "off", "Off", "OFF", "n", "N", NULL };
	const char *s = n->str;
	const char *p;
	char buf[64];
	size_t k = 0;
	int base = 10, digits = 0, dot = 0, exp = 0;

	/* most scalars are words or paths: only a few first characters can start a
	 * null, a boolean or a number */
	if (!strchr("~nNtTfFyYoO0123456789+-.", s[0]))
		return;
	if (n->len == 0 || match_word(s, nulls)) {
		n->type = YSCALAR_NULL;
		return;
	}
	/* PyYAML's 1.1 bool regexp does not include y/n; keep those strings */
	if (match_word(s, trues) && strcmp(s, "y") && strcmp(s, "Y")) {
		n->type = YSCALAR_BOOL;
		n->boolean = 1;
		return;
	}
	if (match_word(s, falses) && strcmp(s, "n") && strcmp(s, "N")) {
		n->type = YSCALAR_BOOL;
		n->boolean = 0;
		return;
	}
	if (n->len == 0 || n->len >= sizeof(buf))
		return;
	p = s;
	if (*p == '+' || *p == '-')
		buf[k++] = *p++;
	if (p[0] == '0' && p[1] == 'x') {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] == 'b') {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1] && p[1] != '.') {
		base = 8;
		p++;
	}
	for (; *p; p++) {
		if (*p == '_')
			continue;
		if (base == 16 ? isxdigit((unsigned char)*p) : base == 2 ? (*p == '0' || *p == '1')
		    : base == 8 ? (*p >= '0' && *p <= '7') : isdigit((unsigned char)*p)) {
			digits++;
		} else if (base == 10 && *p == '.' && !dot && !exp) {
			dot = 1;
		} else if (base == 10 && (*p == 'e' || *p == 'E') && dot && !exp && digits) {
			exp = 1;
			buf[k++] = *p;
			if (p[1] == '+' || p[1] == '-')
				buf[k++] = *++p;
			/* PyYAML requires a sign after the exponent marker */
			else
				return;
			continue;
		} else {
			/* ":" sexagesimal numbers and anything else stay strings */
			goto special_floats;
		}
		buf[k++] = *p;
	}
	buf[k] = '\0';
	if (!digits)
		goto special_floats;
	if (dot) {
		char *end;

		errno = 0;
		n->number = strtod(buf, &end);
		if (*end == '\0' && errno == 0) {
			n->type = YSCALAR_FLOAT;
		}
		return;
	} else {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(buf, &end, base);
		if (*end == '\0' && errno == 0) {
			n->type = YSCALAR_INT;
			n->integer = v;
		}
		return;
	}
special_floats:
	if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") ||
	    !strcmp(s, "+.inf") || !strcmp(s, "+.Inf") || !strcmp(s, "+.INF")) {
		n->type = YSCALAR_FLOAT;
		n->number = HUGE_VAL;
	} else if (!strcmp(s, "-.inf") || !strcmp(s, "-.Inf") || !strcmp(s, "-.INF")) {
		n->type = YSCALAR_FLOAT;
		n->number = -HUGE_VAL;
	} else if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		n->type = YSCALAR_FLOAT;
		n->number = NAN;
	}
}

static size_t add_weight(size_t a, size_t b, size_t cap)
{
	return a > cap - b ? cap : a + b;
}

/*
 * Apply `<<` merge keys of a finished map: merged pairs go first (the last
 * merged map first), the map's own pairs after them, so that ynode_get(), which
 * takes the last match, gives the map's own keys precedence as PyYAML does.
 */
static int apply_merge(struct yamldoc_arena *a, struct ynode *map, char *err, size_t errlen)
{
	struct nodevec keys = { 0 }, vals = { 0 };
	size_t i, j, k;
	int has = 0;

	for (i = 0; i < map->n; i++)
		if (is_plain_key(map->keys[i], "<<"))
			has = 1;
	if (!has)
		return 0;
	for (i = 0; i < map->n; i++) {
		const struct ynode *v = map->vals[i];

		if (!is_plain_key(map->keys[i], "<<"))
			continue;
		if (v->kind == YNODE_MAP) {
			for (k = 0; k < v->n; k++) {
				nodevec_push(&keys, v->keys[k]);
				nodevec_push(&vals, v->vals[k]);
			}
		} else if (v->kind == YNODE_SEQ) {
			for (j = v->n; j-- > 0;) {
				const struct ynode *m = v->vals[j];

				if (m->kind != YNODE_MAP) {
					snprintf(err, errlen, "merge key '<<' needs maps");
					free(keys.v);
					free(vals.v);
					return -1;
				}
				for (k = 0; k < m->n; k++) {
					nodevec_push(&keys, m->keys[k]);
					nodevec_push(&vals, m->vals[k]);
				}
			}
		} else {
			snprintf(err, errlen, "merge key '<<' needs a map");
			free(keys.v);
			free(vals.v);
			return -1;
		}
	}
	for (i = 0; i < map->n; i++) {
		if (is_plain_key(map->keys[i], "<<"))
			continue;
		nodevec_push(&keys, map->keys[i]);
		nodevec_push(&vals, map->vals[i]);
	}
	map->n = keys.n;
	map->keys = arena_alloc(a, keys.n * sizeof(*map->keys) + 1);
	map->vals = arena_alloc(a, keys.n * sizeof(*map->vals) + 1);
	if (keys.n) {
		memcpy(map->keys, keys.v, keys.n * sizeof(*map->keys));
		memcpy(map->vals, vals.v, keys.n * sizeof(*map->vals));
	}
	free(keys.v);
	free(vals.v);
	return 0;
}

struct loader {
	struct yamldoc *s;
	const struct yamldoc_limits *lim;
	struct nodevec items;		/* children of open collections */
	struct frame *frames;
	size_t nframes, aframes;
	struct anchor *anchors;		/* of the current document */
	size_t nanchors, aanchors;
	struct nodevec docs;
	unsigned *doc_lines;
	size_t adoc_lines;
};

static void set_marks(struct ynode *n, const yaml_mark_t *start)
{
	n->line = (unsigned)start->line + 1;
	n->column = (unsigned)start->column + 1;
	n->start = start->index;
}

static int fail(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct loader *l, unsigned line, const char *fmt, ...)
{
	struct yamldoc *s = l->s;
	va_list ap;

	s->failed = 1;
	s->err_line = line;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

static void clear_anchors(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->nanchors; i++)
		free(l->anchors[i].name);
	l->nanchors = 0;
}

static void add_anchor(struct loader *l, char *name, struct ynode *node)
{
	size_t i;

	/* a redefined anchor replaces the old one for later aliases */
	for (i = 0; i < l->nanchors; i++) {
		if (strcmp(l->anchors[i].name, name) == 0) {
			free(l->anchors[i].name);
			l->anchors[i].name = name;
			l->anchors[i].node = node;
			return;
		}
	}
	if (l->nanchors == l->aanchors) {
		l->aanchors = l->aanchors ? l->aanchors * 2 : 8;
		l->anchors = xrealloc(l->anchors, l->aanchors * sizeof(*l->anchors));
	}
	l->anchors[l->nanchors].name = name;
	l->anchors[l->nanchors].node = node;
	l->nanchors++;
}

/* A finished node goes to its parent collection, or becomes the document root. */
static int attach(struct loader *l, struct ynode *n)
{
	if (l->nframes == 0) {
		nodevec_push(&l->docs, n);
		return 0;
	}
	nodevec_push(&l->items, n);
	return 0;
}

static int cmp_key_same(const struct ynode *x, const struct ynode *y)
{
	return !(x->len == y->len && !memcmp(x->str, y->str, x->len));
}

static int cmp_key_index(const void *a, const void *b)
{
	const struct ynode *const *x = a, *const *y = b;
	size_t n = (*x)->len < (*y)->len ? (*x)->len : (*y)->len;
	int c = memcmp((*x)->str, (*y)->str, n);

	if (c)
		return c;
	if ((*x)->len != (*y)->len)
		return (*x)->len < (*y)->len ? -1 : 1;
	/* the same key: in the order written (keys are distinct nodes, laid out by
	 * position in the text) */
	return (*x)->start < (*y)->start ? -1 : (*x)->start > (*y)->start;
}

static void add_dup(struct loader *l, const struct ynode *first, const struct ynode *later)
{
	struct yamldoc *s = l->s;

	if (s->ndups < YAML_MAX_DUPS) {
		if (!s->dups)
			s->dups = xcalloc(YAML_MAX_DUPS, sizeof(*s->dups));
		s->dups[s->ndups].doc = l->docs.n;	/* the open document's root comes next */
		s->dups[s->ndups].line = later->line;
		s->dups[s->ndups].first_line = first->line;
		s->dups[s->ndups].key = later->str;
	}
	s->ndups++;
}

/* Keys written twice in a finished map (before merge keys are applied: a key
 * over a merged one is no duplicate). Sorting keeps a 100,000-key map cheap. */
static void find_duplicates(struct loader *l, const struct ynode *map)
{
	const struct ynode **v;
	size_t i;

	if (map->n < 2)
		return;
	if (map->n <= 16) {
		size_t j;

		for (i = 1; i < map->n; i++)
			for (j = 0; j < i; j++)
				if (map->keys[j]->len == map->keys[i]->len &&
				    !memcmp(map->keys[j]->str, map->keys[i]->str, map->keys[i]->len) &&
				    !is_plain_key(map->keys[i], "<<")) {
					add_dup(l, map->keys[j], map->keys[i]);
					break;
				}
		return;
	}
	v = xmalloc(map->n * sizeof(*v));
	for (i = 0; i < map->n; i++)
		v[i] = map->keys[i];
	qsort(v, map->n, sizeof(*v), cmp_key_index);
	for (i = 1; i < map->n; i++)
		if (!cmp_key_same(v[i - 1], v[i]) && !is_plain_key(v[i], "<<"))
			add_dup(l, v[i - 1], v[i]);
	free(v);
}

static const struct ynode *const *sort_keys;

static int cmp_key_at(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = cmp_key_same(sort_keys[x], sort_keys[y]) ?
		strcmp(sort_keys[x]->str, sort_keys[y]->str) : 0;

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* Which keys of a big map a later one repeats, so that ynode_key_overridden()
 * stays O(1) on a 100,000-key map (walking it pair by pair would hang). */
static void mark_overridden(struct yamldoc_arena *a, struct ynode *map)
{
	size_t *ix, i;
	unsigned char *over;

	if (map->n <= 16)
		return;
	ix = xmalloc(map->n * sizeof(*ix));
	for (i = 0; i < map->n; i++)
		ix[i] = i;
	sort_keys = (const struct ynode *const *)map->keys;
	qsort(ix, map->n, sizeof(*ix), cmp_key_at);
	over = arena_alloc(a, map->n);
	memset(over, 0, map->n);
	for (i = 0; i + 1 < map->n; i++)
		if (!cmp_key_same(map->keys[ix[i]], map->keys[ix[i + 1]]))
			over[ix[i]] = 1;
	map->overridden = over;
	free(ix);
}

static int close_collection(struct loader *l, const yaml_mark_t *end)
{
	struct frame *f = &l->frames[--l->nframes];
	struct ynode *n = f->node;
	size_t count = l->items.n - f->base, i;
	/* no item yet: v may be NULL, and NULL + 0 is undefined */
	struct ynode **kids = l->items.v ? l->items.v + f->base : NULL;
	size_t w = 1, cap = l->lim->max_expanded + 1;
	char err[128];

	n->end = end->index;
	if (n->kind == YNODE_MAP) {
		if (count % 2)
			return fail(l, n->line, "odd map");
		n->n = count / 2;
		n->keys = arena_alloc(l->s->arena, n->n * sizeof(*n->keys) + 1);
		n->vals = arena_alloc(l->s->arena, n->n * sizeof(*n->vals) + 1);
		for (i = 0; i < n->n; i++) {
			n->keys[i] = kids[2 * i];
			n->vals[i] = kids[2 * i + 1];
			if (n->keys[i]->kind != YNODE_SCALAR) {
				l->items.n = f->base;
				free(f->anchor);
				return fail(l, n->keys[i]->line, "a map key must be a scalar");
			}
		}
		find_duplicates(l, n);
		if (apply_merge(l->s->arena, n, err, sizeof(err)) < 0) {
			l->items.n = f->base;
			free(f->anchor);
			return fail(l, n->line, "%s", err);
		}
		mark_overridden(l->s->arena, n);
		for (i = 0; i < n->n; i++) {
			w = add_weight(w, n->keys[i]->weight, cap);
			w = add_weight(w, n->vals[i]->weight, cap);
		}
	} else {
		n->n = count;
		n->vals = arena_alloc(l->s->arena, count * sizeof(*n->vals) + 1);
		for (i = 0; i < count; i++) {
			n->vals[i] = kids[i];
			w = add_weight(w, kids[i]->weight, cap);
		}
	}
	n->weight = w;
	l->items.n = f->base;
	if (w > l->lim->max_expanded) {
		free(f->anchor);
		return fail(l, n->line, "more than %zu nodes once aliases are expanded (alias bomb?)", l->lim->max_expanded);
	}
	if (f->anchor)
		add_anchor(l, f->anchor, n);
	return attach(l, n);
}

static int open_collection(struct loader *l, enum ynode_kind kind, const yaml_event_t *ev,
			   const yaml_char_t *anchor)
{
	struct ynode *n = arena_alloc(l->s->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	set_marks(n, &ev->start_mark);
	if (l->nframes >= l->lim->max_depth)
		return fail(l, n->line, "nesting deeper than %zu levels", l->lim->max_depth);
	if (l->nframes == l->aframes) {
		l->aframes = l->aframes ? l->aframes * 2 : 16;
		l->frames = xrealloc(l->frames, l->aframes * sizeof(*l->frames));
	}
	l->frames[l->nframes].node = n;
	l->frames[l->nframes].base = l->items.n;
	l->frames[l->nframes].anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	l->nframes++;
	return 0;
}

static int on_scalar(struct loader *l, const yaml_event_t *ev)
{
	struct ynode *n = arena_alloc(l->s->arena, sizeof(*n));
	const char *tag = (const char *)ev->data.scalar.tag;

	memset(n, 0, sizeof(*n));
	n->kind = YNODE_SCALAR;
	n->type = YSCALAR_STR;
	set_marks(n, &ev->start_mark);
	n->end = ev->end_mark.index;
	n->str = arena_strndup(l->s->arena, (const char *)ev->data.scalar.value,
			       ev->data.scalar.length);
	n->len = ev->data.scalar.length;
	n->weight = 1;
	if (ev->data.scalar.plain_implicit && !tag)
		resolve_plain(n);
	else if (tag && strcmp(tag, "tag:yaml.org,2002:str") && strcmp(tag, "!"))
		resolve_plain(n);
	if (ev->data.scalar.anchor)
		add_anchor(l, xstrdup((const char *)ev->data.scalar.anchor), n);
	return attach(l, n);
}

static int on_alias(struct loader *l, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i;

	for (i = l->nanchors; i-- > 0;)
		if (strcmp(l->anchors[i].name, name) == 0)
			return attach(l, l->anchors[i].node);
	/* an anchor of a collection that is still open is not registered yet */
	return fail(l, (unsigned)ev->start_mark.line + 1, "unknown or recursive alias '*%s'", name);
}

int yamldoc_load(struct yamldoc *s, const char *text, size_t len,
		     const struct yamldoc_limits *limits)
{
	static const struct yamldoc_limits deflim = YAML_LIMITS_DEFAULT;
	struct loader l;
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;
	unsigned doc_line = 1;
	size_t doc_first = 0, i;

	memset(s, 0, sizeof(*s));
	memset(&l, 0, sizeof(l));
	s->arena = xcalloc(1, sizeof(*s->arena));
	l.s = s;
	l.lim = limits ? limits : &deflim;
	s->text = text;
	s->len = len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		s->bom = 3;
	s->ascii = 1;
	for (i = 0; i < len && s->ascii; i++)
		s->ascii = (unsigned char)text[i] < 0x80;
	if (!yaml_parser_initialize(&parser))
		msg_die("out of memory initialising libyaml");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			s->failed = 1;
			s->err_line = (unsigned)(parser.problem_mark.line + 1);
			if (parser.context)
				snprintf(s->err, sizeof(s->err), "%s %s", parser.context,
					 parser.problem ? parser.problem : "syntax error");
			else
				snprintf(s->err, sizeof(s->err), "%s",
					 parser.problem ? parser.problem : "syntax error");
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			doc_line = (unsigned)ev.start_mark.line + 1;
			doc_first = l.docs.n;
			clear_anchors(&l);
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* a document with no content gets a NULL root */
			if (l.docs.n == doc_first)
				nodevec_push(&l.docs, NULL);
			if (l.adoc_lines < l.docs.n) {
				l.adoc_lines = l.docs.n * 2;
				l.doc_lines = xrealloc(l.doc_lines, l.adoc_lines * sizeof(*l.doc_lines));
			}
			l.doc_lines[l.docs.n - 1] = doc_line;
			s->ndocs = l.docs.n;
			/* where the next document starts, if its start cannot be parsed */
			doc_line = (unsigned)ev.end_mark.line + 1;
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(&l, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(&l, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = open_collection(&l, YNODE_SEQ, &ev, ev.data.sequence_start.anchor);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = open_collection(&l, YNODE_MAP, &ev, ev.data.mapping_start.anchor);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = close_collection(&l, &ev.end_mark);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc < 0)
		s->err_doc_line = doc_line;
	while (l.nframes > 0)
		free(l.frames[--l.nframes].anchor);
	free(l.frames);
	clear_anchors(&l);
	free(l.anchors);
	free(l.items.v);
	s->docs = l.docs.v;
	s->doc_lines = l.doc_lines;
	return rc < 0 ? -1 : 0;
}

void yamldoc_release(struct yamldoc *s)
{
	struct arena_chunk *c, *next;

	if (!s->arena)
		return;
	for (c = s->arena->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(s->arena);
	free(s->docs);
	free(s->doc_lines);
	free(s->dups);
	memset(s, 0, sizeof(*s));
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (i = map->n; i-- > 0;)
		if (strcmp(map->keys[i]->str, key) == 0)
			return map->vals[i];
	return NULL;
}

const char *ynode_str(const struct ynode *n)
{
	if (!n || n->kind != YNODE_SCALAR || n->type != YSCALAR_STR)
		return NULL;
	return n->str;
}

int ynode_is_scalar(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR;
}

int ynode_is_null(const struct ynode *n)
{
	return !n || (n->kind == YNODE_SCALAR && n->type == YSCALAR_NULL);
}

int ynode_key_overridden(const struct ynode *map, size_t i)
{
	size_t j;

	if (map->overridden)
		return map->overridden[i];
	for (j = i + 1; j < map->n; j++)
		if (strcmp(map->keys[j]->str, map->keys[i]->str) == 0)
			return 1;
	return 0;
}

long ynode_find(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != YNODE_MAP)
		return -1;
	for (i = map->n; i-- > 0;)
		if (strcmp(map->keys[i]->str, key) == 0)
			return (long)i;
	return -1;
}

const struct ynode *yamldoc_merge(struct yamldoc *s, const struct ynode *base,
			       const struct ynode *over)
{
	struct ynode *m;
	size_t i, n = 0;

	if (!base || !over || base->kind != YNODE_MAP || over->kind != YNODE_MAP)
		return over ? over : base;
	m = arena_alloc(s->arena, sizeof(*m));
	*m = *over;
	m->overridden = NULL;	/* a merged map repeats no key */
	m->keys = arena_alloc(s->arena, (base->n + over->n) * sizeof(*m->keys) + 1);
	m->vals = arena_alloc(s->arena, (base->n + over->n) * sizeof(*m->vals) + 1);
	for (i = 0; i < base->n; i++) {
		const struct ynode *o;

		if (ynode_key_overridden(base, i))
			continue;
		o = ynode_get(over, base->keys[i]->str);
		m->keys[n] = base->keys[i];
		m->vals[n] = (struct ynode *)(o ? yamldoc_merge(s, base->vals[i], o) : base->vals[i]);
		n++;
	}
	for (i = 0; i < over->n; i++) {
		if (ynode_key_overridden(over, i) || ynode_get(base, over->keys[i]->str))
			continue;
		m->keys[n] = over->keys[i];
		m->vals[n] = over->vals[i];
		n++;
	}
	m->n = n;
	m->weight = base->weight + over->weight;
	return m;
}

/*
 * libyaml marks count characters (a CRLF as two), not bytes, and not a
 * leading byte order mark. Most rules are ASCII; others are walked once per call.
 */
size_t yamldoc_offset(const struct yamldoc *s, size_t chars)
{
	const unsigned char *t = (const unsigned char *)s->text + s->bom;
	size_t n = s->len - s->bom, b = 0, c = 0;

	if (s->ascii)
		return chars < s->len ? chars : s->len;
	while (c < chars && b < n) {
		b++;
		while (b < n && (t[b] & 0xC0) == 0x80)
			b++;
		c++;
	}
	return s->bom + b;
}
