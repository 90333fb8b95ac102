#include "attack/attack.h"
#include "common/hashmap.h"

#include <ctype.h>
#include "io/ndjson.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ====================================================================== */
/* Building the table from STIX bundles                                   */
/* ====================================================================== */

#define ENTERPRISE "enterprise-attack"

struct attack_build {
	json_t *objects;	/* STIX id → object, only the kinds the table needs */
	char *version;		/* x_mitre_version of the enterprise x-mitre-collection */
	int version_rank;	/* 2: an enterprise collection, 1: another one */
	char *bundle_version;	/* from a bundle id "bundle--enterprise-attack-18.1" */
};

struct attack_build *attack_build_new(void)
{
	struct attack_build *b = xcalloc(1, sizeof(*b));

	b->objects = json_object();
	return b;
}

void attack_build_free(struct attack_build *b)
{
	if (!b)
		return;
	json_decref(b->objects);
	free(b->version);
	free(b->bundle_version);
	free(b);
}

static const char *str_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int is_true(const json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

/* An object without x_mitre_domains (older bundles) counts as enterprise. */
static int in_enterprise(const json_t *obj)
{
	const json_t *domains = json_object_get(obj, "x_mitre_domains"), *d;
	size_t i;

	if (!json_is_array(domains))
		return 1;
	json_array_foreach(domains, i, d)
		if (json_is_string(d) && !strcmp(json_string_value(d), ENTERPRISE))
			return 1;
	return 0;
}

/* the mitre-attack external reference (borrowed), NULL when there is none */
static const json_t *attack_ref(const json_t *obj)
{
	const json_t *refs = json_object_get(obj, "external_references"), *r;
	size_t i;

	json_array_foreach(refs, i, r) {
		const char *src = str_of(r, "source_name");

		if (src && !strcmp(src, "mitre-attack") && str_of(r, "external_id"))
			return r;
	}
	return NULL;
}

static int wanted(const json_t *obj, const char *type)
{
	if (!strcmp(type, "attack-pattern") || !strcmp(type, "x-mitre-tactic") ||
	    !strcmp(type, "x-mitre-matrix"))
		return in_enterprise(obj) && attack_ref(obj);
	if (!strcmp(type, "relationship")) {
		const char *rt = str_of(obj, "relationship_type");

		return rt && (!strcmp(rt, "subtechnique-of") || !strcmp(rt, "revoked-by")) &&
			str_of(obj, "source_ref") && str_of(obj, "target_ref");
	}
	return 0;
}

static void note_collection(struct attack_build *b, const json_t *obj)
{
	const char *v = str_of(obj, "x_mitre_version"), *name = str_of(obj, "name");
	int rank = name && strcasestr(name, "enterprise") ? 2 : 1;

	if (!v || rank <= b->version_rank)
		return;
	free(b->version);
	b->version = xstrdup(v);
	b->version_rank = rank;
}

/* "bundle--enterprise-attack-18.1": the release, in the bundles mitre/cti builds per release */
static void note_bundle_id(struct attack_build *b, const char *id)
{
	static const char prefix[] = "bundle--" ENTERPRISE "-";
	const char *v;

	if (!id || strncmp(id, prefix, sizeof(prefix) - 1) != 0)
		return;
	v = id + sizeof(prefix) - 1;
	if (!*v || strspn(v, "0123456789.") != strlen(v) || b->bundle_version)
		return;
	b->bundle_version = xstrdup(v);
}

/* one object of a bundle: kept when the table needs it (the latest version of its STIX id) */
static void add_object(struct attack_build *b, json_t *obj)
{
	const char *id = str_of(obj, "id"), *t = str_of(obj, "type");
	const char *mod, *old_mod;
	json_t *old;

	if (!id || !t)
		return;
	if (!strcmp(t, "x-mitre-collection")) {
		note_collection(b, obj);
		return;
	}
	if (!wanted(obj, t))
		return;
	/* the same object in two bundles: keep the latest (ISO 8601 sorts as text) */
	old = json_object_get(b->objects, id);
	mod = str_of(obj, "modified");
	old_mod = str_of(old, "modified");
	if (old && (!mod || (old_mod && strcmp(old_mod, mod) >= 0)))
		return;
	json_object_set(b->objects, id, obj);
}

/* ---- a bundle read one object at a time ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * The end of the JSON value that starts at p: after its closing quote or
 * bracket, or at the first delimiter of a scalar; NULL when a string or a
 * bracket is not closed. Only the nesting is followed: jansson checks the
 * value itself when it reads it.
 */
static const char *value_end(const char *p, const char *end)
{
	size_t depth = 0;

	if (p >= end)
		return NULL;
	if (*p != '"' && *p != '{' && *p != '[') {
		while (p < end && !strchr(",]} \t\n\r", *p) && *p)
			p++;
		return p;
	}
	while (p < end) {
		switch (*p++) {
		case '"':
			while (p < end && *p != '"')
				p += *p == '\\' ? 2 : 1;
			if (p >= end)
				return NULL;
			p++;
			break;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (--depth == 0)
				return p;
			break;
		}
		if (!depth)
			return p;	/* a string at the top */
	}
	return NULL;
}

static int key_is(const json_t *key, const char *name)
{
	return json_is_string(key) && !strcmp(json_string_value(key), name);
}

/*
 * attack_build_add without the tree of the whole bundle (the 40 MB enterprise
 * bundle is 150 MB as one tree): the top level is scanned for its keys, each
 * element of "objects" is read on its own and only those the table needs are
 * kept. Returns 1 when the bundle was added, 0 when it is anything but a
 * plain bundle whose every part reads (the caller then reads it whole, for the
 * same result and the same message); b changes only on 1.
 */
static int add_streamed(struct attack_build *b, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *objs = NULL, *objs_end = NULL, *e;
	json_t *type = NULL, *id = NULL, *keys = json_array(), *kept = json_array(), *v;
	size_t i, nobjs = 0;
	int ok = 0;

	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		goto out;
	for (;;) {
		json_t *key;

		p = skip_ws(p, end);
		if (p == end || *p != '"' || !(e = value_end(p, end)) ||
		    !(key = json_loadb(p, (size_t)(e - p), JSON_DECODE_ANY, NULL)))
			goto out;
		json_array_foreach(keys, i, v)
			if (json_equal(v, key))
				break;
		json_array_append_new(keys, key);
		if (i < json_array_size(keys) - 1)
			goto out;	/* a key twice: the last one counts, as jansson reads it */
		p = skip_ws(e, end);
		if (p == end || *p++ != ':')
			goto out;
		p = skip_ws(p, end);
		if (!(e = value_end(p, end)) || e == p)
			goto out;
		if (key_is(key, "objects")) {
			objs = p;
			objs_end = e;
		} else {
			if (!(v = json_loadb(p, (size_t)(e - p), JSON_DECODE_ANY, NULL)))
				goto out;
			if (key_is(key, "type"))
				type = v;
			else if (key_is(key, "id"))
				id = v;
			else
				json_decref(v);
		}
		p = skip_ws(e, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p == end || *p++ != '}')
			goto out;
		break;
	}
	if (skip_ws(p, end) != end || !key_is(type, "bundle") || !objs || *objs != '[')
		goto out;
	/* every element, read on its own; only what the table needs is kept */
	p = skip_ws(objs + 1, objs_end);
	while (p < objs_end && *p != ']') {
		json_t *obj;
		const char *t;

		if (!(e = value_end(p, objs_end)) || e == p ||
		    !(obj = json_loadb(p, (size_t)(e - p), JSON_DECODE_ANY, NULL)))
			goto out;
		nobjs++;
		t = str_of(obj, "type");
		if (str_of(obj, "id") && t && (!strcmp(t, "x-mitre-collection") || wanted(obj, t)))
			json_array_append(kept, obj);
		json_decref(obj);
		p = skip_ws(e, objs_end);
		if (p < objs_end && *p == ',')
			p = skip_ws(p + 1, objs_end);
		else if (p >= objs_end || *p != ']')
			goto out;
	}
	if (p >= objs_end || skip_ws(p + 1, objs_end) != objs_end || !nobjs)
		goto out;
	note_bundle_id(b, json_string_value(id));
	json_array_foreach(kept, i, v)
		add_object(b, v);
	ok = 1;
out:
	json_decref(type);
	json_decref(id);
	json_decref(keys);
	json_decref(kept);
	return ok;
}

int attack_build_add(struct attack_build *b, const char *text, size_t len, char **err)
{
	json_error_t jerr;
	json_t *root, *objects, *obj;
	const char *type;
	size_t i;
	int rc = -1;

	if (add_streamed(b, text, len))
		return 0;
	root = json_loadb(text, len, 0, &jerr);
	if (!root) {
		*err = xasprintf("not valid JSON: line %d, column %d: %s", jerr.line, jerr.column,
				 jerr.text);
		return -1;
	}
	type = str_of(root, "type");
	if (!json_is_object(root) || !type || strcmp(type, "bundle") != 0) {
		*err = xstrdup("not a STIX bundle (no \"type\": \"bundle\")");
		goto out;
	}
	objects = json_object_get(root, "objects");
	if (!json_is_array(objects) || json_array_size(objects) == 0) {
		*err = xstrdup("STIX bundle without objects");
		goto out;
	}
	note_bundle_id(b, str_of(root, "id"));
	json_array_foreach(objects, i, obj)
		add_object(b, obj);
	rc = 0;
out:
	/* the objects kept hold their own references; the rest goes now */
	json_decref(root);
	return rc;
}

/* ---- the table ---- */

struct btactic {
	const json_t *obj;
	const char *stix, *id, *shortname, *name;
	size_t order;		/* position in the matrix */
};

struct btech {
	const json_t *obj;
	const char *stix, *id, *name, *url;
	int sub, revoked, deprecated;
	struct btech *parent_rel;	/* subtechnique-of target */
	struct btech *revoked_by_rel;	/* revoked-by target */
};

static void problem(json_t *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(json_t *problems, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (problems)
		json_array_append_new(problems, json_string(s));
	free(s);
}

static int cmp_btech(const void *a, const void *b)
{
	const struct btech *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	/* for one id seen twice, the current object first, then by STIX id */
	if (c)
		return c;
	if (x->revoked != y->revoked)
		return x->revoked - y->revoked;
	if (x->deprecated != y->deprecated)
		return x->deprecated - y->deprecated;
	return strcmp(x->stix, y->stix);
}

static int cmp_btactic_id(const void *a, const void *b)
{
	const struct btactic *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->stix, y->stix);
}

static int cmp_btactic_order(const void *a, const void *b)
{
	const struct btactic *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Look a STIX id up in a map of STIX id → index + 1. */
static size_t index_of(const json_t *map, const char *stix)
{
	return (size_t)json_integer_value(json_object_get(map, stix));
}

/* The enterprise matrix: the one whose external id says so, else any; lowest STIX id wins ties. */
static const json_t *find_matrix(const json_t *objects)
{
	const json_t *best = NULL, *o;
	const char *key;
	int best_rank = 0;

	json_object_foreach((json_t *)objects, key, o) {
		const char *t = str_of(o, "type");
		int rank;

		if (!t || strcmp(t, "x-mitre-matrix") != 0 || is_true(o, "revoked"))
			continue;
		rank = !strcmp(str_of(attack_ref(o), "external_id"), ENTERPRISE) ? 2 : 1;
		if (rank > best_rank || (rank == best_rank && strcmp(str_of(o, "id"), str_of(best, "id")) < 0)) {
			best = o;
			best_rank = rank;
		}
	}
	return best;
}

/* Tactics in matrix order; those the matrix does not list follow, by id. */
static struct btactic *collect_tactics(const json_t *objects, size_t *n_out, json_t *problems)
{
	struct btactic *v = NULL;
	size_t n = 0, alloc = 0, i, k;
	const json_t *o, *matrix, *refs, *ref;
	const char *key;
	json_t *by_stix = json_object();

	json_object_foreach((json_t *)objects, key, o) {
		const char *t = str_of(o, "type");
		struct btactic *bt;

		if (!t || strcmp(t, "x-mitre-tactic") != 0 || is_true(o, "revoked") ||
		    is_true(o, "x_mitre_deprecated"))
			continue;
		if (!str_of(o, "x_mitre_shortname") || !str_of(o, "name")) {
			problem(problems, "tactic '%s': no x_mitre_shortname or name: left out",
				str_of(attack_ref(o), "external_id"));
			continue;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		bt = &v[n++];
		bt->obj = o;
		bt->stix = str_of(o, "id");
		bt->id = str_of(attack_ref(o), "external_id");
		bt->shortname = str_of(o, "x_mitre_shortname");
		bt->name = str_of(o, "name");
		bt->order = SIZE_MAX;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_btactic_id);
	/* one tactic per id and per shortname */
	for (i = 0, k = 0; i < n; i++) {
		size_t j;
		int dup = 0;

		for (j = 0; j < k && !dup; j++)
			dup = !strcmp(v[j].id, v[i].id) || !strcmp(v[j].shortname, v[i].shortname);
		if (dup) {
			problem(problems, "tactic '%s' ('%s') seen twice: the first one kept",
				v[i].id, v[i].shortname);
			continue;
		}
		v[k++] = v[i];
	}
	n = k;
	for (i = 0; i < n; i++)
		json_object_set_new(by_stix, v[i].stix, json_integer((json_int_t)i + 1));

	matrix = find_matrix(objects);
	refs = json_object_get(matrix, "tactic_refs");
	if (!matrix)
		problem(problems, "no enterprise x-mitre-matrix: tactics in id order");
	json_array_foreach(refs, i, ref) {
		size_t at = json_is_string(ref) ? index_of(by_stix, json_string_value(ref)) : 0;

		if (at && v[at - 1].order == SIZE_MAX)
			v[at - 1].order = i;
	}
	for (i = 0; i < n; i++)
		if (matrix && v[i].order == SIZE_MAX)
			problem(problems, "tactic '%s' is not in the matrix: placed after it", v[i].id);
	if (n)
		qsort(v, n, sizeof(*v), cmp_btactic_order);
	json_decref(by_stix);
	*n_out = n;
	return v;
}

static struct btech *collect_techniques(const json_t *objects, size_t *n_out, json_t *problems)
{
	struct btech *v = NULL;
	size_t n = 0, alloc = 0, i, k;
	const json_t *o;
	const char *key;

	json_object_foreach((json_t *)objects, key, o) {
		const char *t = str_of(o, "type");
		const json_t *ref;
		struct btech *bt;

		if (!t || strcmp(t, "attack-pattern") != 0)
			continue;
		if (!str_of(o, "name")) {
			problem(problems, "technique '%s': no name: left out",
				str_of(attack_ref(o), "external_id"));
			continue;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		ref = attack_ref(o);
		bt = &v[n++];
		memset(bt, 0, sizeof(*bt));
		bt->obj = o;
		bt->stix = str_of(o, "id");
		bt->id = str_of(ref, "external_id");
		bt->url = str_of(ref, "url");
		bt->name = str_of(o, "name");
		bt->sub = is_true(o, "x_mitre_is_subtechnique") || strchr(bt->id, '.') != NULL;
		bt->revoked = is_true(o, "revoked");
		bt->deprecated = is_true(o, "x_mitre_deprecated");
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_btech);
	for (i = 0, k = 0; i < n; i++) {
		if (k && !strcmp(v[k - 1].id, v[i].id)) {
			problem(problems, "technique '%s' seen twice ('%s' and '%s'): the first one kept",
				v[i].id, v[k - 1].stix, v[i].stix);
			continue;
		}
		v[k++] = v[i];
	}
	*n_out = k;
	return v;
}

static void read_relationships(const json_t *objects, struct btech *techs, size_t n,
			       json_t *problems)
{
	json_t *by_stix = json_object();
	const json_t *o;
	const char *key;
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(by_stix, techs[i].stix, json_integer((json_int_t)i + 1));
	json_object_foreach((json_t *)objects, key, o) {
		const char *t = str_of(o, "type"), *rt = str_of(o, "relationship_type");
		size_t src, dst;
		struct btech **slot;

		if (!t || strcmp(t, "relationship") != 0 || is_true(o, "revoked"))
			continue;
		src = index_of(by_stix, str_of(o, "source_ref"));
		dst = index_of(by_stix, str_of(o, "target_ref"));
		if (!src || !dst)
			continue;	/* not between techniques: groups, software */
		slot = !strcmp(rt, "revoked-by") ? &techs[src - 1].revoked_by_rel
			: &techs[src - 1].parent_rel;
		if (*slot && *slot != &techs[dst - 1]) {
			/* keep the lower id, so that the table does not depend on object order */
			const char *a = (*slot)->id, *b = techs[dst - 1].id;

			problem(problems, "technique '%s': two %s relationships ('%s' and '%s'): '%s' kept",
				techs[src - 1].id, rt, a, b, strcmp(a, b) <= 0 ? a : b);
			if (strcmp(b, a) < 0)
				*slot = &techs[dst - 1];
			continue;
		}
		*slot = &techs[dst - 1];
	}
	json_decref(by_stix);
}

/*
 * The current technique that replaces a revoked one, following revoked-by
 * relationships through revoked middles (T1162 → T1547.011 → T1647). NULL with a
 * problem when the chain stops at a revoked technique or loops; a loop cannot be
 * longer than the table, which bounds the walk.
 */
static const struct btech *final_replacement(const struct btech *t, size_t ntech, json_t *problems)
{
	const struct btech *cur = t;
	size_t steps = 0;

	while (cur->revoked) {
		if (!cur->revoked_by_rel) {
			if (cur == t)
				problem(problems, "technique '%s' is revoked, but no revoked-by relationship names its replacement",
					t->id);
			else
				problem(problems, "technique '%s': revoked-by chain ends at '%s', revoked with no replacement",
					t->id, cur->id);
			return NULL;
		}
		cur = cur->revoked_by_rel;
		if (++steps > ntech) {
			problem(problems, "technique '%s': revoked-by relationships form a cycle", t->id);
			return NULL;
		}
	}
	return cur == t ? NULL : cur;
}

/* Shortnames of the technique's kill-chain phases, in matrix order (new reference). */
static json_t *technique_tactics(const struct btech *t, const struct btactic *tactics,
				 size_t ntactics, json_t *problems)
{
	const json_t *phases = json_object_get(t->obj, "kill_chain_phases"), *p;
	unsigned char *seen = xcalloc(ntactics + 1, 1);
	json_t *out = json_array(), *unknown = json_array(), *u;
	size_t i, k;

	json_array_foreach(phases, i, p) {
		const char *chain = str_of(p, "kill_chain_name"), *phase = str_of(p, "phase_name");

		if (!chain || !phase || strcmp(chain, "mitre-attack") != 0)
			continue;
		for (k = 0; k < ntactics && strcmp(tactics[k].shortname, phase) != 0; k++)
			;
		if (k < ntactics) {
			seen[k] = 1;
			continue;
		}
		json_array_foreach(unknown, k, u)
			if (!strcmp(json_string_value(u), phase))
				break;
		if (k == json_array_size(unknown)) {
			problem(problems, "technique '%s': unknown tactic '%s'", t->id, phase);
			json_array_append_new(unknown, json_string(phase));
		}
	}
	for (k = 0; k < ntactics; k++)
		if (seen[k])
			json_array_append_new(out, json_string(tactics[k].shortname));
	json_array_extend(out, unknown);
	json_decref(unknown);
	free(seen);
	return out;
}

/* at s: one of the inline HTML tags ATT&CK descriptions use for formatting; its length */
static size_t html_tag_len(const char *s)
{
	static const char *const tags[] = { "code", "b", "i", "em", "strong", "br", "p", "sup", "sub" };
	const char *p = s + 1;
	size_t i, n;

	if (*p == '/')
		p++;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		n = strlen(tags[i]);
		if (strncasecmp(p, tags[i], n) != 0)
			continue;
		p += n;
		while (*p == ' ')
			p++;
		if (*p == '/')
			p++;
		return *p == '>' ? (size_t)(p + 1 - s) : 0;
	}
	return 0;
}

/* at s, '(' : the end of the balanced parenthesis (after ')'), NULL when unbalanced */
static const char *close_paren(const char *s, const char *end)
{
	size_t depth = 0;

	for (; s < end; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0)
			return s + 1;
	}
	return NULL;
}

static void trim_trailing_space(struct strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = '\0';
}

/*
 * The first paragraph of an ATT&CK description as plain text: citations
 * "(Citation: X)" dropped, links "[text](url)" reduced to their text, inline
 * HTML formatting and "**" removed, white space collapsed (new string).
 */
static char *plain_paragraph(const char *desc)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = desc, *end, *p;

	strbuf_init(&sb, 256);
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	/* the paragraph ends at a blank line */
	for (end = s; *end; end++) {
		if (*end != '\n')
			continue;
		p = end + 1;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\n')
			break;
	}
	for (p = s; p < end;) {
		const char *q;
		size_t n;

		if (*p == '(' && !strncmp(p, "(Citation:", 10) && (q = close_paren(p, end))) {
			p = q;
			if (p == end || strchr(".,;:)", *p))
				trim_trailing_space(&sb);
			continue;
		}
		if (*p == '[' && (q = memchr(p, ']', (size_t)(end - p))) && q + 1 < end && q[1] == '(') {
			const char *after = close_paren(q + 1, end);

			if (after) {
				strbuf_add(&sb, p + 1, (size_t)(q - p - 1));
				p = after;
				continue;
			}
		}
		if (*p == '<' && (n = html_tag_len(p))) {
			p += n;
			continue;
		}
		if (p[0] == '*' && p + 1 < end && p[1] == '*') {
			p += 2;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (sb.len && sb.buf[sb.len - 1] != ' ')
				strbuf_addch(&sb, ' ');
			p++;
			continue;
		}
		strbuf_addch(&sb, *p++);
	}
	trim_trailing_space(&sb);
	return strbuf_detach(&sb, NULL);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *technique_record(const struct btech *t, const struct btactic *tactics,
				size_t ntactics, size_t ntech, json_t *problems)
{
	json_t *rec = json_object();
	const struct btech *repl = t->revoked ? final_replacement(t, ntech, problems) : NULL;
	const char *desc = str_of(t->obj, "description");
	char *parent = NULL;

	if (t->sub && t->parent_rel)
		parent = xstrdup(t->parent_rel->id);
	else if (t->sub)	/* no subtechnique-of (T1547.011 in 18.1): from the id */
		parent = xstrndup(t->id, strcspn(t->id, "."));
	else if (t->parent_rel)
		problem(problems, "technique '%s' is not a sub-technique, but subtechnique-of '%s'",
			t->id, t->parent_rel->id);
	json_object_set_new(rec, "kind", json_string("technique"));
	json_object_set_new(rec, "id", json_string(t->id));
	json_object_set_new(rec, "name", json_string(t->name));
	json_object_set_new(rec, "tactics", technique_tactics(t, tactics, ntactics, problems));
	json_object_set_new(rec, "parent", str_or_null(parent));
	json_object_set_new(rec, "subtechnique", json_boolean(t->sub));
	json_object_set_new(rec, "revoked", json_boolean(t->revoked));
	json_object_set_new(rec, "revoked_by", str_or_null(repl ? repl->id : NULL));
	json_object_set_new(rec, "deprecated", json_boolean(t->deprecated));
	json_object_set_new(rec, "url", str_or_null(t->url));
	if (desc) {
		char *plain = plain_paragraph(desc);

		json_object_set_new(rec, "description", json_string(plain));
		free(plain);
	} else {
		json_object_set_new(rec, "description", json_null());
	}
	free(parent);
	return rec;
}

json_t *attack_build_table(struct attack_build *b, json_t *problems, char **err)
{
	struct btactic *tactics;
	struct btech *techs;
	size_t ntactics, ntech, i, nsub = 0, nrevoked = 0, ndeprecated = 0;
	json_t *out, *head;

	techs = collect_techniques(b->objects, &ntech, problems);
	if (ntech == 0) {
		free(techs);
		*err = xstrdup("no enterprise ATT&CK technique (attack-pattern with a mitre-attack id) in the input");
		return NULL;
	}
	tactics = collect_tactics(b->objects, &ntactics, problems);
	read_relationships(b->objects, techs, ntech, problems);

	out = json_array();
	head = json_object();
	json_array_append_new(out, head);
	for (i = 0; i < ntactics; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "kind", "tactic",
						     "id", tactics[i].id, "shortname",
						     tactics[i].shortname, "name", tactics[i].name));
	for (i = 0; i < ntech; i++) {
		json_array_append_new(out, technique_record(&techs[i], tactics, ntactics, ntech,
							    problems));
		nsub += techs[i].sub;
		nrevoked += techs[i].revoked;
		ndeprecated += techs[i].deprecated;
	}
	json_object_set_new(head, "kind", json_string("attack"));
	json_object_set_new(head, "version",
			    str_or_null(b->version ? b->version : b->bundle_version));
	json_object_set_new(head, "techniques", json_integer((json_int_t)ntech));
	json_object_set_new(head, "tactics", json_integer((json_int_t)ntactics));
	json_object_set_new(head, "subtechniques", json_integer((json_int_t)nsub));
	json_object_set_new(head, "revoked", json_integer((json_int_t)nrevoked));
	json_object_set_new(head, "deprecated", json_integer((json_int_t)ndeprecated));
	free(tactics);
	free(techs);
	return out;
}

/* ====================================================================== */
/* The loaded table                                                       */
/* ====================================================================== */

/* Strings live in blocks freed together: the table is read once and never edited. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	char data[];
};

struct attack_db {
	struct attack_tactic *tactics;
	size_t ntactics, tactics_alloc;
	struct attack_technique *techs;
	size_t ntechs, techs_alloc;
	const char *version;
	struct hashmap tech_index;	/* upper-case id → techs[] */
	struct hashmap tactic_index;	/* every spelling, as tactic_key() makes it → tactics[] */
	struct arena_block *arena;
};

static void *arena_alloc(struct attack_db *db, size_t n, size_t align)
{
	struct arena_block *a = db->arena;
	size_t at = a ? (a->used + align - 1) & ~(align - 1) : 0;

	if (!a || at + n > a->size) {
		size_t size = n > 60000 ? n : 60000;

		a = xmalloc(sizeof(*a) + size);
		a->next = db->arena;
		a->size = size;
		a->used = 0;
		db->arena = a;
		at = 0;
	}
	a->used = at + n;
	return a->data + at;
}

static const char *arena_strdup(struct attack_db *db, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(arena_alloc(db, n, 1), s, n);
}

#define KEY_MAX 128

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A technique id as the index keeps it: trimmed, upper case. 0 when it does not fit. */
static int tech_key(const char *in, char *out)
{
	const char *end;
	size_t n = 0;

	while (is_space((unsigned char)*in))
		in++;
	end = in + strlen(in);
	while (end > in && is_space((unsigned char)end[-1]))
		end--;
	if (end == in || (size_t)(end - in) >= KEY_MAX)
		return 0;
	for (; in < end; in++)
		out[n++] = (char)(*in >= 'a' && *in <= 'z' ? *in - 'a' + 'A' : *in);
	out[n] = '\0';
	return 1;
}

/*
 * A tactic spelling as the index keeps it: trimmed, lower case, each run of
 * spaces, '_' and '-' as one '-', and a word break where a lower-case letter
 * meets an upper-case one. "Credential Access", "credential_access",
 * "CredentialAccess", "attack.credential-access" all become
 * "credential-access"; "TA0006" and "TA0006 - Credential Access" become
 * "ta0006". The one place where tactic spellings are resolved: front ends
 * keep tactics as the rule writes them.
 */
static int tactic_key(const char *in, char *out)
{
	size_t n = 0;
	int sep = 0, prev = 0;

	while (is_space((unsigned char)*in))
		in++;
	if (strncasecmp(in, "attack.", 7) == 0)
		in += 7;
	if ((in[0] == 'T' || in[0] == 't') && (in[1] == 'A' || in[1] == 'a') &&
	    isdigit((unsigned char)in[2]) && isdigit((unsigned char)in[3]) &&
	    isdigit((unsigned char)in[4]) && isdigit((unsigned char)in[5]) &&
	    !isalnum((unsigned char)in[6])) {
		memcpy(out, "ta", 2);
		memcpy(out + 2, in + 2, 4);
		out[6] = '\0';
		return 1;
	}
	for (; *in; in++) {
		int c = (unsigned char)*in;

		if (is_space(c) || c == '_' || c == '-') {
			sep = 1;
			prev = 0;
			continue;
		}
		if (n + 2 >= KEY_MAX)
			return 0;
		if ((sep || (c >= 'A' && c <= 'Z' && prev >= 'a' && prev <= 'z')) && n)
			out[n++] = '-';
		sep = 0;
		prev = c;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[n] = '\0';
	return n > 0;
}

/* a string member, or NULL; -1 when present but neither a string nor null */
static int get_str(const json_t *rec, const char *key, const char **out)
{
	const json_t *v = json_object_get(rec, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int get_bool(const json_t *rec, const char *key, int *out)
{
	const json_t *v = json_object_get(rec, key);

	*out = json_is_true(v);
	return !v || json_is_boolean(v) ? 0 : -1;
}

static const char *load_tactic(struct attack_db *db, const json_t *rec)
{
	const char *id, *shortname, *name;
	struct attack_tactic *t;

	if (get_str(rec, "id", &id) < 0 || get_str(rec, "shortname", &shortname) < 0 ||
	    get_str(rec, "name", &name) < 0 || !id || !shortname || !name)
		return "tactic record without string id, shortname and name";
	if (db->ntactics == db->tactics_alloc) {
		db->tactics_alloc = db->tactics_alloc ? db->tactics_alloc * 2 : 16;
		db->tactics = xrealloc(db->tactics, db->tactics_alloc * sizeof(*db->tactics));
	}
	t = &db->tactics[db->ntactics++];
	t->id = arena_strdup(db, id);
	t->shortname = arena_strdup(db, shortname);
	t->name = arena_strdup(db, name);
	return NULL;
}

static const char *load_technique(struct attack_db *db, const json_t *rec)
{
	const char *id, *name, *parent, *revoked_by, *url, *description;
	const json_t *tactics = json_object_get(rec, "tactics"), *v;
	struct attack_technique *t;
	int sub, revoked, deprecated;
	size_t i;

	if (get_str(rec, "id", &id) < 0 || get_str(rec, "name", &name) < 0 || !id || !name)
		return "technique record without string id and name";
	if (get_str(rec, "parent", &parent) < 0 || get_str(rec, "revoked_by", &revoked_by) < 0 ||
	    get_str(rec, "url", &url) < 0 || get_str(rec, "description", &description) < 0)
		return "technique record: parent, revoked_by, url or description is neither a string nor null";
	if (get_bool(rec, "subtechnique", &sub) < 0 || get_bool(rec, "revoked", &revoked) < 0 ||
	    get_bool(rec, "deprecated", &deprecated) < 0)
		return "technique record: subtechnique, revoked or deprecated is not a boolean";
	if (tactics && !json_is_array(tactics))
		return "technique record: tactics is not an array";
	json_array_foreach(tactics, i, v)
		if (!json_is_string(v))
			return "technique record: a tactic is not a string";
	if (db->ntechs == db->techs_alloc) {
		db->techs_alloc = db->techs_alloc ? db->techs_alloc * 2 : 1024;
		db->techs = xrealloc(db->techs, db->techs_alloc * sizeof(*db->techs));
	}
	t = &db->techs[db->ntechs++];
	memset(t, 0, sizeof(*t));
	t->id = arena_strdup(db, id);
	t->name = arena_strdup(db, name);
	t->parent = parent ? arena_strdup(db, parent) : NULL;
	t->revoked_by = revoked_by ? arena_strdup(db, revoked_by) : NULL;
	t->url = url ? arena_strdup(db, url) : NULL;
	t->description = description ? arena_strdup(db, description) : NULL;
	t->subtechnique = sub;
	t->revoked = revoked;
	t->deprecated = deprecated;
	t->ntactics = json_array_size(tactics);
	if (t->ntactics) {
		t->tactics = arena_alloc(db, t->ntactics * sizeof(*t->tactics), sizeof(void *));
		json_array_foreach(tactics, i, v)
			t->tactics[i] = arena_strdup(db, json_string_value(v));
	}
	return NULL;
}

struct ranked {
	size_t rank;	/* matrix position of the technique's first tactic */
	struct attack_technique t;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->t.id, y->t.id);
}

/* ATT&CK order, then the indexes. Returns an error message or NULL. */
static char *db_finish(struct attack_db *db, const char *name)
{
	struct ranked *r;
	char key[KEY_MAX];
	size_t i, k, at;

	if (db->ntechs == 0)
		return xasprintf("%s: no technique records: not a table written by detcat-attack", name);
	for (i = 0; i < db->ntactics; i++) {
		const struct attack_tactic *t = &db->tactics[i];
		const char *spellings[3] = { t->id, t->shortname, t->name };

		/* the first tactic to claim a spelling keeps it */
		for (k = 0; k < 3; k++)
			if (tactic_key(spellings[k], key))
				hashmap_put(&db->tactic_index, arena_strdup(db, key), i);
	}
	r = xmalloc(db->ntechs * sizeof(*r));
	for (i = 0; i < db->ntechs; i++) {
		r[i].t = db->techs[i];
		r[i].rank = db->ntactics;
		for (k = 0; k < r[i].t.ntactics; k++)
			if (tactic_key(r[i].t.tactics[k], key) &&
			    hashmap_get(&db->tactic_index, key, &at) && at < r[i].rank)
				r[i].rank = at;
	}
	qsort(r, db->ntechs, sizeof(*r), cmp_ranked);
	for (i = 0; i < db->ntechs; i++) {
		db->techs[i] = r[i].t;
		if (!tech_key(db->techs[i].id, key) ||
		    !hashmap_put(&db->tech_index, arena_strdup(db, key), i)) {
			char *e = xasprintf("%s: technique '%s' appears twice", name, db->techs[i].id);

			free(r);
			return e;
		}
	}
	free(r);
	return NULL;
}

/* One record of the table into db; NULL or what is wrong with it. */
static const char *db_add_record(struct attack_db *db, const json_t *rec)
{
	const char *kind = str_of(rec, "kind"), *v;

	if (!kind)
		return "record without a kind";
	if (!strcmp(kind, "technique"))
		return load_technique(db, rec);
	if (!strcmp(kind, "tactic"))
		return load_tactic(db, rec);
	if (!strcmp(kind, "attack") && !db->version && (v = str_of(rec, "version")))
		db->version = arena_strdup(db, v);
	/* other kinds: for later versions of the table; not ours to read */
	return NULL;
}

/*
 * The input is a STIX bundle (as downloaded: enterprise-attack.json, plain or
 * zstd), not the table: first the rest of its text, after the first line, then
 * the table built from it as detcat-attack builds it.
 */
static char *db_from_bundle(struct attack_db *db, struct ndjson_reader *rd, const char *first, size_t len)
{
	struct strbuf text = STRBUF_INIT;
	struct attack_build *b = attack_build_new();
	json_t *problems = json_array(), *table, *rec;
	const char *line;
	char *err = NULL;
	size_t i;
	int rc;

	strbuf_add(&text, first, len);
	while ((rc = ndjson_reader_next(rd, &line, &len)) == 1) {
		strbuf_addch(&text, '\n');
		strbuf_add(&text, line, len);
	}
	if (rc < 0)
		err = xasprintf("%s: %s", ndjson_reader_name(rd), ndjson_reader_error(rd));
	else if (attack_build_add(b, text.buf, text.len, &err) < 0) {
		char *e = xasprintf("%s: neither the table of detcat-attack nor a STIX bundle: %s",
				    ndjson_reader_name(rd), err);

		free(err);
		err = e;
	}
	strbuf_release(&text);
	table = err ? NULL : attack_build_table(b, problems, &err);
	json_array_foreach(table, i, rec) {
		const char *bad = db_add_record(db, rec);

		if (bad && !err)
			err = xasprintf("%s: %s", ndjson_reader_name(rd), bad);
	}
	json_decref(table);
	json_decref(problems);	/* detcat-attack reports them; the table is complete anyway */
	attack_build_free(b);
	return err;
}

struct attack_db *attack_db_load(const char *path, char **err)
{
	const char *e = NULL, *line;
	struct ndjson_reader *rd = ndjson_reader_open(path, &e);
	struct attack_db *db;
	json_error_t jerr;
	json_t *rec;
	size_t len;
	int rc;

	*err = NULL;
	if (!rd) {
		*err = xasprintf("%s: %s", path && strcmp(path, "-") ? path : "standard input", e);
		return NULL;
	}
	db = xcalloc(1, sizeof(*db));
	while (!*err && (rc = ndjson_reader_next(rd, &line, &len)) != 0) {
		const char *bad;

		if (rc == -1) {
			*err = xasprintf("%s: %s", ndjson_reader_name(rd), ndjson_reader_error(rd));
			break;
		}
		rec = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
		if (ndjson_reader_lineno(rd) == 1 && (!json_is_object(rec) || !str_of(rec, "kind"))) {
			/* a first line that is no table record: a bundle ("{" on its own, or all of it) */
			json_decref(rec);
			*err = db_from_bundle(db, rd, line, len);
			break;
		}
		if (!json_is_object(rec)) {
			*err = xasprintf("%s:%zu: %s%s", ndjson_reader_name(rd), ndjson_reader_lineno(rd),
					 rec ? "record is not a JSON object" : "invalid JSON: ", rec ? "" : jerr.text);
			json_decref(rec);
			break;
		}
		bad = db_add_record(db, rec);
		if (bad)
			*err = xasprintf("%s:%zu: %s", ndjson_reader_name(rd),
					 ndjson_reader_lineno(rd), bad);
		json_decref(rec);
	}
	if (!*err)
		*err = db_finish(db, ndjson_reader_name(rd));
	ndjson_reader_close(rd);
	if (*err) {
		attack_db_free(db);
		return NULL;
	}
	return db;
}

void attack_db_free(struct attack_db *db)
{
	struct arena_block *a, *next;

	if (!db)
		return;
	for (a = db->arena; a; a = next) {
		next = a->next;
		free(a);
	}
	hashmap_release(&db->tech_index);
	hashmap_release(&db->tactic_index);
	free(db->tactics);
	free(db->techs);
	free(db);
}

const struct attack_technique *attack_db_technique(const struct attack_db *db, const char *id)
{
	char key[KEY_MAX];
	size_t i;

	if (!id || !tech_key(id, key) || !hashmap_get(&db->tech_index, key, &i))
		return NULL;
	return &db->techs[i];
}

static const struct attack_tactic *tactic_by_key(const struct attack_db *db, const char *s)
{
	char key[KEY_MAX];
	size_t i;

	if (!tactic_key(s, key) || !hashmap_get(&db->tactic_index, key, &i))
		return NULL;
	return &db->tactics[i];
}

/* Also "Discovery - TA0007" and "TA0007 - Discovery" (FalconFriday): either side. */
const struct attack_tactic *attack_db_tactic(const struct attack_db *db, const char *name_or_id)
{
	const struct attack_tactic *t;
	const char *dash;

	if (!name_or_id)
		return NULL;
	t = tactic_by_key(db, name_or_id);
	if (!t && (dash = strstr(name_or_id, " - "))) {
		char *left = xstrndup(name_or_id, (size_t)(dash - name_or_id));

		t = tactic_by_key(db, left);
		if (!t)
			t = tactic_by_key(db, dash + 3);
		free(left);
	}
	return t;
}

size_t attack_db_ntechniques(const struct attack_db *db)
{
	return db->ntechs;
}

const struct attack_technique *attack_db_technique_at(const struct attack_db *db, size_t i)
{
	return i < db->ntechs ? &db->techs[i] : NULL;
}

size_t attack_db_ntactics(const struct attack_db *db)
{
	return db->ntactics;
}

const struct attack_tactic *attack_db_tactic_at(const struct attack_db *db, size_t i)
{
	return i < db->ntactics ? &db->tactics[i] : NULL;
}

const char *attack_db_version(const struct attack_db *db)
{
	return db->version;
}
