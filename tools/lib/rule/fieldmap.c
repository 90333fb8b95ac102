#include "rule/fieldmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hashmap.h"
#include "common/util.h"
#include "io/yamldoc.h"

struct fm_slot {
	char *raw;
	struct fieldmap_entry e;
};

/* The names in the order read, indexed ignoring ASCII case. */
struct fm_table {
	struct fm_slot *slots;
	size_t n, alloc;
	struct hashmap index;	/* raw name → slots[]; keys are the slots' raw */
};

struct fm_match {
	char *key;
	size_t nvals;
	char **vals;
};

struct fm_scope {
	size_t nmatch;
	struct fm_match *match;
	struct fm_table fields;
	struct fieldmap_entry unlisted;	/* field NULL: none */
};

struct fieldmap {
	struct fm_table def;
	struct fieldmap_entry unlisted;	/* the top-level `unlisted`; field NULL: none */
	struct fm_table text;		/* `text_fields`: canonical names */
	size_t nscopes;
	struct fm_scope *scopes;
};

static struct fm_slot *table_find(const struct fm_table *t, const char *raw)
{
	size_t i;

	return t->n && hashmap_get(&t->index, raw, &i) ? &t->slots[i] : NULL;
}

/* The slot of raw, made empty when new; valid until the next insert. */
static struct fm_slot *table_insert(struct fm_table *t, const char *raw)
{
	struct fm_slot *s = table_find(t, raw);

	if (s)
		return s;	/* a repeated name: the later one wins */
	if (!t->n)
		hashmap_init(&t->index, 1);
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->slots = xrealloc(t->slots, t->alloc * sizeof(*t->slots));
	}
	s = &t->slots[t->n];
	memset(s, 0, sizeof(*s));
	s->raw = xstrdup(raw);
	hashmap_put(&t->index, s->raw, t->n++);
	return s;
}

static void entry_release(struct fieldmap_entry *e)
{
	size_t i;

	free((char *)e->field);
	for (i = 0; i < e->nsplit; i++) {
		free((char *)e->split_keys[i]);
		free((char *)e->split_fields[i]);
	}
	free((void *)e->split_keys);
	free((void *)e->split_fields);
	memset(e, 0, sizeof(*e));
}

static void table_release(struct fm_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->slots[i].raw);
		entry_release(&t->slots[i].e);
	}
	free(t->slots);
	if (t->n)
		hashmap_release(&t->index);
	memset(t, 0, sizeof(*t));
}

void fieldmap_free(struct fieldmap *map)
{
	size_t i, j, k;

	if (!map)
		return;
	table_release(&map->def);
	for (i = 0; i < map->nscopes; i++) {
		struct fm_scope *sc = &map->scopes[i];

		for (j = 0; j < sc->nmatch; j++) {
			free(sc->match[j].key);
			for (k = 0; k < sc->match[j].nvals; k++)
				free(sc->match[j].vals[k]);
			free(sc->match[j].vals);
		}
		free(sc->match);
		table_release(&sc->fields);
		entry_release(&sc->unlisted);
	}
	free(map->scopes);
	entry_release(&map->unlisted);
	table_release(&map->text);
	free(map);
}

#define LOAD_ERR(node, ...) do { \
		int n_ = snprintf(err, errlen, "%s:%u: ", name, (node) ? (node)->line : 0); \
		if (n_ > 0 && (size_t)n_ < errlen) \
			snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__); \
		return -1; \
	} while (0)

static int load_fields(struct fm_table *t, const struct ynode *fields, const char *name,
		       char *err, size_t errlen)
{
	size_t i, k;

	if (!fields || ynode_is_null(fields))
		return 0;
	if (fields->kind != YNODE_MAP)
		LOAD_ERR(fields, "fields must be a map of raw name to canonical name");
	for (i = 0; i < fields->n; i++) {
		const struct ynode *v = fields->vals[i];
		struct fm_slot *s;
		const struct ynode *split, *f, *sep;

		if (v->kind == YNODE_SCALAR) {
			if (v->type != YSCALAR_STR || v->len == 0)
				LOAD_ERR(v, "'%s' must map to a field name", fields->keys[i]->str);
			s = table_insert(t, fields->keys[i]->str);
			entry_release(&s->e);
			s->e.field = xstrdup(v->str);
			continue;
		}
		if (v->kind != YNODE_MAP)
			LOAD_ERR(v, "'%s' must map to a field name or {field, split}",
				 fields->keys[i]->str);
		f = ynode_get(v, "field");
		split = ynode_get(v, "split");
		sep = ynode_get(v, "separator");
		if (!ynode_str(f))
			LOAD_ERR(v, "'%s' needs a 'field'", fields->keys[i]->str);
		if (split && split->kind != YNODE_MAP)
			LOAD_ERR(split, "'split' must be a map of value prefix to field");
		if (sep && (!ynode_str(sep) || sep->len != 1))
			LOAD_ERR(sep, "'separator' must be one character");
		s = table_insert(t, fields->keys[i]->str);
		entry_release(&s->e);
		s->e.field = xstrdup(f->str);
		s->e.split_sep = sep ? sep->str[0] : '=';
		if (split) {
			const char **keys = xcalloc(split->n + 1, sizeof(*keys));
			const char **vals = xcalloc(split->n + 1, sizeof(*vals));

			s->e.split_keys = keys;
			s->e.split_fields = vals;
			for (k = 0; k < split->n; k++) {
				if (!ynode_str(split->vals[k]))
					LOAD_ERR(split->vals[k], "split target must be a field name");
				keys[k] = xstrdup(split->keys[k]->str);
				vals[k] = xstrdup(split->vals[k]->str);
				s->e.nsplit++;
			}
		}
	}
	return 0;
}

static int load_scope(struct fm_scope *sc, const struct ynode *item, const char *name,
		      char *err, size_t errlen)
{
	const struct ynode *match = ynode_get(item, "match");
	size_t i, k;

	if (item->kind != YNODE_MAP)
		LOAD_ERR(item, "a scope must be a map with 'match' and 'fields'");
	if (!match || match->kind != YNODE_MAP || match->n == 0)
		LOAD_ERR(item, "a scope needs a non-empty 'match' map");
	sc->match = xcalloc(match->n, sizeof(*sc->match));
	for (i = 0; i < match->n; i++) {
		const struct ynode *v = match->vals[i];
		struct fm_match *m = &sc->match[sc->nmatch++];

		m->key = xstrdup(match->keys[i]->str);
		if (v->kind == YNODE_SCALAR) {
			m->vals = xcalloc(1, sizeof(*m->vals));
			m->vals[m->nvals++] = xstrdup(v->str);
		} else if (v->kind == YNODE_SEQ) {
			m->vals = xcalloc(v->n + 1, sizeof(*m->vals));
			for (k = 0; k < v->n; k++) {
				if (v->vals[k]->kind != YNODE_SCALAR)
					LOAD_ERR(v->vals[k], "match values must be scalars");
				m->vals[m->nvals++] = xstrdup(v->vals[k]->str);
			}
		} else {
			LOAD_ERR(v, "match values must be scalars or lists of scalars");
		}
	}
	if (ynode_get(item, "unlisted")) {
		const struct ynode *u = ynode_get(item, "unlisted");

		if (!ynode_str(u))
			LOAD_ERR(u, "'unlisted' must be a field name prefix");
		sc->unlisted.field = xstrdup(u->str);
		sc->unlisted.append_raw = 1;
	}
	return load_fields(&sc->fields, ynode_get(item, "fields"), name, err, errlen);
}

struct fieldmap *fieldmap_load_text(const char *name, const char *text, size_t len,
				    char *err, size_t errlen)
{
	struct yamldoc ys;
	struct fieldmap *map = xcalloc(1, sizeof(*map));
	const struct ynode *root, *scopes;
	size_t i;

	if (yamldoc_load(&ys, text, len, NULL) < 0) {
		snprintf(err, errlen, "%s:%u: %s", name, ys.err_line, ys.err);
		goto fail;
	}
	root = ys.ndocs ? ys.docs[0] : NULL;
	if (ys.ndocs != 1 || !root || root->kind != YNODE_MAP) {
		snprintf(err, errlen, "%s: expected one YAML map", name);
		goto fail;
	}
	if (load_fields(&map->def, ynode_get(root, "default"), name, err, errlen) < 0)
		goto fail;
	if (ynode_get(root, "unlisted")) {
		const struct ynode *u = ynode_get(root, "unlisted");

		if (!ynode_is_scalar(u) || u->type == YSCALAR_NULL) {
			snprintf(err, errlen, "%s:%u: 'unlisted' must be a field name prefix", name,
				 u->line);
			goto fail;
		}
		map->unlisted.field = xstrdup(u->str);
		map->unlisted.append_raw = 1;
	}
	if (ynode_get(root, "text_fields")) {
		const struct ynode *tf = ynode_get(root, "text_fields");

		if (tf->kind != YNODE_SEQ) {
			snprintf(err, errlen, "%s:%u: 'text_fields' must be a list of field names", name,
				 tf->line);
			goto fail;
		}
		for (i = 0; i < tf->n; i++) {
			struct fm_slot *s;

			if (!ynode_str(tf->vals[i])) {
				snprintf(err, errlen, "%s:%u: 'text_fields' must be a list of field names",
					 name, tf->vals[i]->line);
				goto fail;
			}
			s = table_insert(&map->text, tf->vals[i]->str);
			entry_release(&s->e);
			s->e.field = xstrdup(tf->vals[i]->str);
		}
	}
	scopes = ynode_get(root, "scopes");
	if (scopes && !ynode_is_null(scopes)) {
		if (scopes->kind != YNODE_SEQ) {
			snprintf(err, errlen, "%s:%u: 'scopes' must be a list", name, scopes->line);
			goto fail;
		}
		map->scopes = xcalloc(scopes->n + 1, sizeof(*map->scopes));
		for (i = 0; i < scopes->n; i++) {
			map->nscopes++;
			if (load_scope(&map->scopes[i], scopes->vals[i], name, err, errlen) < 0)
				goto fail;
		}
	}
	yamldoc_release(&ys);
	return map;
fail:
	yamldoc_release(&ys);
	fieldmap_free(map);
	return NULL;
}

struct fieldmap *fieldmap_load(const char *path, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	struct fieldmap *map;

	if (strbuf_read_file(&sb, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	map = fieldmap_load_text(path, sb.buf, sb.len, err, errlen);
	strbuf_release(&sb);
	return map;
}

static int scope_matches(const struct fm_scope *sc, size_t n, const char *const *keys,
			 const char *const *vals)
{
	size_t i, j, k;

	for (i = 0; i < sc->nmatch; i++) {
		const struct fm_match *m = &sc->match[i];
		int ok = 0;

		for (j = 0; j < n && !ok; j++) {
			if (!vals[j] || strcmp(keys[j], m->key) != 0)
				continue;
			for (k = 0; k < m->nvals && !ok; k++)
				ok = strcasecmp(m->vals[k], vals[j]) == 0;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

void fieldmap_view_init(struct fieldmap_view *v, const struct fieldmap *map, size_t n,
			const char *const *keys, const char *const *vals)
{
	size_t i;

	v->map = map;
	v->n = 0;
	if (!map)
		return;
	for (i = 0; i < map->nscopes && v->n < FIELDMAP_VIEW_MAX; i++)
		if (scope_matches(&map->scopes[i], n, keys, vals))
			v->idx[v->n++] = (unsigned)i;
}

const struct fieldmap_entry *fieldmap_lookup(const struct fieldmap_view *v, const char *raw)
{
	const struct fm_slot *s;
	size_t i;

	if (!v->map)
		return NULL;
	for (i = 0; i < v->n; i++) {
		s = table_find(&v->map->scopes[v->idx[i]].fields, raw);
		if (s)
			return &s->e;
	}
	s = table_find(&v->map->def, raw);
	if (s)
		return &s->e;
	for (i = 0; i < v->n; i++)
		if (v->map->scopes[v->idx[i]].unlisted.field)
			return &v->map->scopes[v->idx[i]].unlisted;
	if (v->map->unlisted.field)
		return &v->map->unlisted;
	return NULL;
}

int fieldmap_is_text(const struct fieldmap *map, const char *canonical)
{
	return map && table_find(&map->text, canonical) != NULL;
}

char *fieldmap_canonical(const struct fieldmap_entry *e, const char *raw)
{
	if (!e)
		return NULL;
	return e->append_raw ? xasprintf("%s%s", e->field, raw) : xstrdup(e->field);
}

const char *fieldmap_split(const struct fieldmap_entry *e, const char *value, size_t len,
			   size_t *skip)
{
	size_t i;

	for (i = 0; e && i < e->nsplit; i++) {
		size_t k = strlen(e->split_keys[i]);

		if (len > k + 1 && strncasecmp(value, e->split_keys[i], k) == 0 &&
		    value[k] == e->split_sep) {
			*skip = k + 1;
			return e->split_fields[i];
		}
	}
	return NULL;
}
