/*
 * diff.c: two catalog snapshots and what changed between them. See diff.h.
 *
 * Keys join their parts with US (0x1f), as catalog.c's do, so that sorting keys
 * sorts (field, op, value) and (provider, event) part by part. A predicate's
 * canonical triple is kept as its compact JSON text ({field, op, value, negated,
 * computed}): a key to compare, and the very text of the output.
 */
#include "catalog/diff.h"
#include "common/hashmap.h"
#include "common/text.h"
#include "common/util.h"
#include "io/jsonout.h"
#include "io/ndjson.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEP '\x1f'

/* ---- sorted string sets ---- */

struct strvec {
	char **v;
	size_t n, cap;
};

static void strvec_add(struct strvec *l, char *s)	/* takes s */
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strvec_uniq(struct strvec *l)
{
	size_t i, j = 0;

	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = 0; i < l->n; i++) {
		if (j && strcmp(l->v[j - 1], l->v[i]) == 0) {
			free(l->v[i]);
			continue;
		}
		l->v[j++] = l->v[i];
	}
	l->n = j;
}

static void strvec_release(struct strvec *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- a snapshot ---- */

struct drule {
	char *uid, *vendor, *source, *path, *title, *severity, *parse;
	char *status, *maturity, *level;	/* from a tagged rule; NULL when absent */
	struct strvec techs, events, preds, unmapped;
	size_t *ind, nind;		/* its indicators: indexes into the snapshot's reach_keys */
	uint64_t query;			/* hash of the query text */
	int has_query;
	int retired;			/* upstream retired it (the catalog's `retired`) */
	int status_known;		/* the catalog or a tagged rule states its status */
	json_t *cmeta, *tmeta;		/* metadata key → hash, from the catalog and the tagged rule */
	json_t *errors;			/* parse errors */
};

struct dtech {
	char *id, *name;
	json_t *by_vendor;
	long long total;
	struct strvec events;
	const char **ind;		/* indicators of its rules, ascending (the reach_keys') */
	size_t nind;
	size_t *rule_ix, nrule_ix;	/* its rules (and its sub-techniques'), indexes into rules[] */
};

struct boiled;

struct snapshot {
	char *name;
	struct drule *rules;
	size_t nrules, caprules;
	struct hashmap rule_index;	/* uid → rules[]; keys are the rules' own */
	struct dtech *techs;
	size_t ntechs, captechs;
	json_t *corpus;
	long long schema_version;
	/* reach: rules of the whole catalog with an indicator triple */
	struct strvec reach_keys;
	size_t *reach, *reach_live;	/* every rule's, the live rules' */
	int retired_counted;		/* the catalog counts retired rules (corpus rules.retired_counted; 1 when absent) */
	struct hashmap reach_index;
	json_t *event_titles;		/* "provider US event" → title */
	int tagged;			/* tagged rules were read */
	struct boiled *boiled;		/* the predicates of the record being added, boiled from its text */
};

struct snapshot *snapshot_new(const char *name)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));

	s->name = xstrdup(name ? name : "catalog");
	hashmap_init(&s->rule_index, 0);
	hashmap_init(&s->reach_index, 0);
	s->event_titles = json_object();
	s->schema_version = DIFF_SCHEMA_VERSION;
	s->retired_counted = 1;
	return s;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static char *dump(const json_t *v, size_t flags)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | flags);

	if (!t)
		msg_die("out of memory");
	return t;
}

static char *dup_or_null(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? xstrdup(v) : NULL;
}

/* keys that are not "metadata": compared on their own, derived, or made per build */
static int not_metadata(const char *key)
{
	static const char *const skip[] = {
		"kind", "uid", "vendor", "source", "path", "title", "query", "predicates", "parse",
		"techniques", "tactics", "attack", "attack_issues", "events", "status", "maturity",
		"severity", "level", "url", "similar", "line", "document", "id", "retired", "retired_why",
		"tactics_derived", NULL
	};
	size_t i;

	for (i = 0; skip[i]; i++)
		if (strcmp(key, skip[i]) == 0)
			return 1;
	return 0;
}

/* what a catalog reader leaves out of a record */
static const char *const catalog_drop_any[] = {
	"uids", "similar", "raw_field", "raw_value", "selection", "modifiers", NULL
};
static const char *const catalog_drop_top[] = {
	"indicators", "exclusions", "fields", "description", "url", NULL
};
/* a tagged rule: what the catalog gives already; the rest is its metadata */
static const char *const tagged_drop_top[] = {
	"predicates", "query", "events", "techniques", "tactics", "attack", "attack_issues",
	"parse", "similar", NULL
};

/*
 * A metadata value's hash, the same for the same JSON value however it is
 * written (white space, escapes, the order of an object's members), from
 * jansson's tree here or straight from the text (text_hash): strings by their
 * bytes, numbers by their value, arrays in order, objects as a sum over their
 * members. Members named in drop are left out at any depth.
 */
#define HASH_STRING 0x7374726e67ULL
#define HASH_ARRAY 0x6172726179ULL
#define HASH_OBJECT 0x6f626a6563ULL

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t hash_string(const char *s, size_t n)
{
	return mix(fnv1a(s, n) ^ HASH_STRING);
}

static uint64_t hash_integer(long long v)
{
	return mix((uint64_t)v ^ 0x696e74ULL);
}

static uint64_t hash_real(double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof(bits));
	return mix(bits ^ 0x7265616cULL);
}

static uint64_t hash_member(const char *k, size_t kn, uint64_t value)
{
	return mix(fnv1a(k, kn) ^ mix(value + HASH_OBJECT));
}

static int key_in(const char *k, size_t n, const char *const *list);

static uint64_t value_hash(const json_t *v, const char *const *drop)
{
	uint64_t h;
	const char *k;
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return hash_string(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return hash_integer(json_integer_value(v));
	case JSON_REAL:
		return hash_real(json_real_value(v));
	case JSON_TRUE:
		return mix(1);
	case JSON_FALSE:
		return mix(2);
	case JSON_NULL:
		return mix(3);
	case JSON_ARRAY:
		h = HASH_ARRAY;
		json_array_foreach(v, i, x)
			h = mix(h ^ value_hash(x, drop));
		return h;
	case JSON_OBJECT:
		h = 0;
		json_object_foreach((json_t *)v, k, x)
			if (!key_in(k, strlen(k), drop))
				h += hash_member(k, strlen(k), value_hash(x, drop));
		return mix(h ^ HASH_OBJECT);
	}
	return 0;
}

static json_t *metadata_hashes(const json_t *rec, const char *const *drop)
{
	json_t *m = json_object(), *v;
	const char *key;

	json_object_foreach((json_t *)rec, key, v)
		if (!not_metadata(key))
			json_object_set_new(m, key, json_integer((json_int_t)value_hash(v, drop)));
	return m;
}

/* the event (provider, event) as a key of out, its title kept for the summary */
static void event_key(struct snapshot *s, struct strvec *out, const char *prov, const char *ev,
		      const char *title)
{
	char *key;

	if (!prov || !ev)
		return;
	key = xasprintf("%s%c%s", prov, SEP, ev);
	if (title && !json_object_get(s->event_titles, key))
		json_object_set_new(s->event_titles, key, json_string(title));
	strvec_add(out, key);
}

static void event_keys(struct snapshot *s, struct strvec *out, const json_t *events)
{
	const json_t *e;
	size_t i;

	json_array_foreach(events, i, e)
		event_key(s, out, json_string_value(json_object_get(e, "provider")),
			  json_string_value(json_object_get(e, "event")),
			  json_string_value(json_object_get(e, "title")));
	strvec_uniq(out);
}

/* a value as JSON text (strings escaped by jsonout, the hot path; the rest by jansson) */
static void add_value(struct strbuf *sb, const json_t *value)
{
	if (json_is_string(value)) {
		json_append_string(sb, json_string_value(value), json_string_length(value));
	} else {
		char *t = dump(value, 0);

		strbuf_addstr(sb, t);
		free(t);
	}
}

/*
 * A rule's predicates, boiled down: their triples (the JSON text of each), its
 * indicator keys and its unmapped fields. Filled from jansson values
 * (boil_json) or straight from the catalog's text (boil_text, the fast path):
 * both give the same strings for the same predicates.
 */
struct boiled {
	struct strvec preds, inds, unmapped;
	int have;		/* boil_text ran for the record being added */
	int query_hashed;	/* its "query" is the hash of its JSON text already */
};

/* one predicate; field and op are plain strings, value canonical JSON text or NULL */
static void boil_one(struct boiled *b, const char *field, const char *op, const char *value,
		     int negated, int computed, int exclusion, int unmapped)
{
	struct strbuf t = STRBUF_INIT;

	strbuf_init(&t, 96);
	strbuf_addstr(&t, "{\"field\":");
	json_append_string(&t, field, strlen(field));
	strbuf_addstr(&t, ",\"op\":");
	json_append_string(&t, op, strlen(op));
	if (value) {
		strbuf_addstr(&t, ",\"value\":");
		strbuf_addstr(&t, value);
	}
	strbuf_addstr(&t, negated ? ",\"negated\":true" : ",\"negated\":false");
	if (computed)
		strbuf_addstr(&t, ",\"computed\":true");
	strbuf_addch(&t, '}');
	strvec_add(&b->preds, strbuf_detach(&t, NULL));
	if (computed)
		return;
	if (unmapped)
		strvec_add(&b->unmapped, xstrdup(field));
	if (value && !negated && !exclusion) {
		strbuf_init(&t, 64);
		strbuf_addstr(&t, field);
		strbuf_addch(&t, SEP);
		strbuf_addstr(&t, op);
		strbuf_addch(&t, SEP);
		strbuf_addstr(&t, value);
		strvec_add(&b->inds, strbuf_detach(&t, NULL));
	}
}

static void boil_json(struct boiled *b, const json_t *preds)
{
	const json_t *p;
	size_t i;

	json_array_foreach(preds, i, p) {
		const char *field = json_string_value(json_object_get(p, "field"));
		const char *op = json_string_value(json_object_get(p, "op"));
		const json_t *value = json_object_get(p, "value");
		struct strbuf vt = STRBUF_INIT;

		if (!field || !op)
			continue;
		if (value && !json_is_null(value)) {
			strbuf_init(&vt, 32);
			add_value(&vt, value);
		}
		boil_one(b, field, op, vt.buf, json_is_true(json_object_get(p, "negated")),
			 json_is_true(json_object_get(p, "computed")),
			 json_is_true(json_object_get(p, "exclusion")),
			 json_is_true(json_object_get(p, "unmapped")));
		strbuf_release(&vt);
	}
}

static void boiled_release(struct boiled *b)
{
	strvec_release(&b->preds);
	strvec_release(&b->inds);
	strvec_release(&b->unmapped);
	b->have = b->query_hashed = 0;
}

/* the rule takes the boiled predicates; its indicators are counted into reach, once per rule */
static void rule_take_boiled(struct snapshot *s, struct drule *r, struct boiled *b)
{
	size_t i;

	strvec_uniq(&b->preds);
	strvec_uniq(&b->unmapped);
	strvec_uniq(&b->inds);
	r->preds = b->preds;
	r->unmapped = b->unmapped;
	r->ind = b->inds.n ? xmalloc(b->inds.n * sizeof(*r->ind)) : NULL;
	r->nind = b->inds.n;
	for (i = 0; i < b->inds.n; i++) {
		size_t k;

		if (!hashmap_get(&s->reach_index, b->inds.v[i], &k)) {
			k = s->reach_keys.n;
			strvec_add(&s->reach_keys, b->inds.v[i]);
			b->inds.v[i] = NULL;
			s->reach = xrealloc(s->reach, s->reach_keys.cap * sizeof(*s->reach));
			s->reach_live = xrealloc(s->reach_live, s->reach_keys.cap * sizeof(*s->reach_live));
			s->reach[k] = s->reach_live[k] = 0;
			hashmap_put(&s->reach_index, s->reach_keys.v[k], k);
		}
		r->ind[i] = k;
		s->reach[k]++;
		s->reach_live[k] += !r->retired;
	}
	strvec_release(&b->inds);
	memset(b, 0, sizeof(*b));
}

static size_t reach_of(const struct snapshot *s, const char *key)
{
	size_t k;

	if (!hashmap_get(&s->reach_index, key, &k))
		return 0;
	return s->retired_counted ? s->reach[k] : s->reach_live[k];
}

/* NULL when rec has every key of its kind with the right type, else which one is wrong */
static const char *missing_key(const json_t *rec, const char *kind)
{
	static const struct { const char *kind, *key; json_type type; } need[] = {
		{ "technique", "id", JSON_STRING }, { "technique", "rules", JSON_OBJECT },
		{ "technique", "events", JSON_ARRAY },
		{ "rule", "uid", JSON_STRING }, { "rule", "vendor", JSON_STRING },
		{ "rule", "techniques", JSON_ARRAY }, { "rule", "events", JSON_ARRAY },
		{ "rule", "parse", JSON_OBJECT }, { "rule", "predicates", JSON_ARRAY },
		{ "corpus", "rules", JSON_OBJECT },
	};
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const json_t *v = json_object_get(rec, need[i].key);

		if (strcmp(kind, need[i].kind) == 0 && (!v || json_typeof(v) != need[i].type))
			return need[i].key;
	}
	return NULL;
}

static void add_technique(struct snapshot *s, const json_t *rec)
{
	const json_t *rules = json_object_get(rec, "rules"), *bv;
	struct dtech *t;

	if (s->ntechs == s->captechs) {
		s->captechs = s->captechs ? s->captechs * 2 : 64;
		s->techs = xrealloc(s->techs, s->captechs * sizeof(*s->techs));
	}
	t = &s->techs[s->ntechs++];
	memset(t, 0, sizeof(*t));
	t->id = dup_or_null(rec, "id");
	t->name = dup_or_null(rec, "name");
	t->total = json_integer_value(json_object_get(rules, "total"));
	bv = json_object_get(rules, "by_vendor");
	t->by_vendor = json_is_object(bv) ? json_deep_copy(bv) : json_object();
	event_keys(s, &t->events, json_object_get(rec, "events"));
}

/* a rule record's fields, as either reader finds them (strings and cmeta owned, the rest borrowed) */
struct rule_in {
	char *uid, *vendor, *source, *path, *title, *severity, *status, *parse;
	int status_known, retired, has_query;
	uint64_t query;			/* hash of the query's JSON text */
	struct strvec techs, events;	/* technique ids, event keys */
	const json_t *errors;
	json_t *cmeta;
};

static void rule_in_release(struct rule_in *in)
{
	free(in->uid), free(in->vendor), free(in->source), free(in->path), free(in->title);
	free(in->severity), free(in->status), free(in->parse);
	strvec_release(&in->techs);
	strvec_release(&in->events);
	json_decref(in->cmeta);
}

/* the rule in takes its place, with the predicates boiled in b (b is emptied) */
static void add_rule_in(struct snapshot *s, struct rule_in *in, struct boiled *b)
{
	struct drule *r;

	if (s->nrules == s->caprules) {
		s->caprules = s->caprules ? s->caprules * 2 : 256;
		s->rules = xrealloc(s->rules, s->caprules * sizeof(*s->rules));
	}
	r = &s->rules[s->nrules];
	memset(r, 0, sizeof(*r));
	if (!hashmap_put(&s->rule_index, in->uid, s->nrules)) {
		rule_in_release(in);	/* a duplicate uid: the catalog keeps the first */
		return;
	}
	s->nrules++;
	r->uid = in->uid, r->vendor = in->vendor, r->source = in->source, r->path = in->path;
	r->title = in->title, r->severity = in->severity, r->status = in->status;
	r->status_known = in->status_known;
	r->retired = in->retired;
	r->parse = in->parse ? in->parse : xstrdup("failed");
	r->techs = in->techs;
	strvec_uniq(&r->techs);
	r->events = in->events;
	strvec_uniq(&r->events);
	r->has_query = in->has_query;
	r->query = in->query;
	rule_take_boiled(s, r, b);
	r->cmeta = in->cmeta;
	r->errors = json_is_array(in->errors) ? json_deep_copy(in->errors) : json_array();
}

static void add_rule(struct snapshot *s, const json_t *rec)
{
	const json_t *parse = json_object_get(rec, "parse"), *q = json_object_get(rec, "query"), *e;
	struct rule_in in = { 0 };
	struct boiled own = { 0 };
	size_t i;

	in.uid = dup_or_null(rec, "uid");
	in.vendor = dup_or_null(rec, "vendor");
	in.source = dup_or_null(rec, "source");
	in.path = dup_or_null(rec, "path");
	in.title = dup_or_null(rec, "title");
	in.severity = dup_or_null(rec, "severity");
	in.retired = json_is_true(json_object_get(rec, "retired"));
	if (json_object_get(rec, "status")) {
		in.status = dup_or_null(rec, "status");
		in.status_known = 1;
	}
	in.parse = dup_or_null(parse, "status");
	json_array_foreach(json_object_get(rec, "techniques"), i, e)
		if (json_string_value(e))
			strvec_add(&in.techs, xstrdup(json_string_value(e)));
	event_keys(s, &in.events, json_object_get(rec, "events"));
	in.errors = json_object_get(parse, "errors");
	if (json_is_string(q)) {
		/* the hash of the query's JSON text, as the catalog writes it (read_ndjson hashes that text) */
		in.has_query = 1;
		if (s->boiled && s->boiled->query_hashed) {
			in.query = strtoull(json_string_value(q), NULL, 16);
		} else {
			char *t = dump(q, 0);

			in.query = fnv1a(t, strlen(t));
			free(t);
		}
	}
	in.cmeta = metadata_hashes(rec, catalog_drop_any);
	if (s->boiled && s->boiled->have) {
		add_rule_in(s, &in, s->boiled);
	} else {
		boil_json(&own, json_object_get(rec, "predicates"));
		add_rule_in(s, &in, &own);
		boiled_release(&own);
	}
}

int snapshot_add(struct snapshot *s, const json_t *rec, char **err)
{
	const char *kind = json_string_value(json_object_get(rec, "kind")), *miss;

	*err = NULL;
	if (!kind || (strcmp(kind, "technique") && strcmp(kind, "rule") && strcmp(kind, "corpus"))) {
		*err = xstrdup(kind ? "not a catalog record (an unknown kind)"
			       : "not a catalog record (no kind: a tagged rule file?)");
		return -1;
	}
	if ((miss = missing_key(rec, kind)) != NULL) {
		*err = xasprintf("a %s record without '%s': not a catalog of schema version %d",
				 kind, miss, DIFF_SCHEMA_VERSION);
		return -1;
	}
	if (strcmp(kind, "technique") == 0) {
		add_technique(s, rec);
	} else if (strcmp(kind, "rule") == 0) {
		add_rule(s, rec);
	} else {
		const json_t *v;

		if (s->corpus) {
			*err = xstrdup("a second corpus record: two catalogs in one file?");
			return -1;
		}
		s->corpus = json_deep_copy(rec);
		v = json_object_get(json_object_get(rec, "rules"), "retired_counted");
		s->retired_counted = !json_is_boolean(v) || json_is_true(v);
		v = json_object_get(rec, "schema_version");
		if (v && !json_is_integer(v)) {
			*err = xstrdup("schema_version is not an integer");
			return -1;
		}
		if (v)
			s->schema_version = json_integer_value(v);
	}
	return 0;
}

void snapshot_add_tagged(struct snapshot *s, const json_t *rec)
{
	const char *uid = json_string_value(json_object_get(rec, "uid"));
	struct drule *r;
	size_t k;

	if (!uid || !hashmap_get(&s->rule_index, uid, &k))
		return;
	r = &s->rules[k];
	if (r->tmeta)
		return;		/* a duplicate uid: the catalog keeps the first */
	s->tagged = 1;
	free(r->status);
	r->status = dup_or_null(rec, "status");
	r->status_known = 1;
	r->maturity = dup_or_null(rec, "maturity");
	r->level = dup_or_null(rec, "level");
	r->tmeta = metadata_hashes(rec, NULL);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Each technique's indicators: those of its rules and of its sub-techniques'
 * rules, as the catalog counts them (catalog.h), here from the rule records, so
 * that the large indicator tables of technique records need not be read.
 */
static void technique_indicators(struct snapshot *s)
{
	struct hashmap tix;
	size_t i, j, k, m, *cap = xcalloc(s->ntechs + 1, sizeof(*cap)), *rank, **lists, *nl;
	const char **order;

	/* every indicator's rank among all: sort once, then technique lists sort by number */
	order = xmalloc((s->reach_keys.n + 1) * sizeof(*order));
	rank = xmalloc((s->reach_keys.n + 1) * sizeof(*rank));
	for (i = 0; i < s->reach_keys.n; i++)
		order[i] = s->reach_keys.v[i];
	if (s->reach_keys.n)
		qsort(order, s->reach_keys.n, sizeof(*order), cmp_key);
	for (i = 0; i < s->reach_keys.n; i++) {
		size_t k2;

		hashmap_get(&s->reach_index, order[i], &k2);
		rank[k2] = i;
	}
	lists = xcalloc(s->ntechs + 1, sizeof(*lists));
	nl = xcalloc(s->ntechs + 1, sizeof(*nl));
	hashmap_init(&tix, 0);
	for (i = 0; i < s->ntechs; i++)
		if (s->techs[i].id)
			hashmap_put(&tix, s->techs[i].id, i);
	for (i = 0; i < s->nrules; i++) {
		const struct drule *r = &s->rules[i];
		struct strvec ids = { 0 };

		for (j = 0; j < r->techs.n; j++) {
			const char *dot = strchr(r->techs.v[j], '.');

			strvec_add(&ids, xstrdup(r->techs.v[j]));
			if (dot)
				strvec_add(&ids, xstrndup(r->techs.v[j], (size_t)(dot - r->techs.v[j])));
		}
		strvec_uniq(&ids);
		for (j = 0; j < ids.n; j++) {
			if (!hashmap_get(&tix, ids.v[j], &k))
				continue;
			{
				struct dtech *tk = &s->techs[k];

				tk->rule_ix = xrealloc(tk->rule_ix, (tk->nrule_ix + 1) * sizeof(*tk->rule_ix));
				tk->rule_ix[tk->nrule_ix++] = i;
			}
			if (!r->nind || (r->retired && !s->retired_counted))
				continue;
			if (nl[k] + r->nind > cap[k]) {
				cap[k] = (nl[k] + r->nind) * 2;
				lists[k] = xrealloc(lists[k], cap[k] * sizeof(**lists));
			}
			for (m = 0; m < r->nind; m++)
				lists[k][nl[k]++] = rank[r->ind[m]];
		}
		strvec_release(&ids);
	}
	for (i = 0; i < s->ntechs; i++) {
		struct dtech *t = &s->techs[i];

		if (nl[i])
			qsort(lists[i], nl[i], sizeof(**lists), cmp_size);
		t->ind = xmalloc((nl[i] + 1) * sizeof(*t->ind));
		t->nind = 0;
		for (j = 0; j < nl[i]; j++)
			if (!j || lists[i][j - 1] != lists[i][j])
				t->ind[t->nind++] = order[lists[i][j]];
		free(lists[i]);
	}
	hashmap_release(&tix);
	free(cap), free(lists), free(nl), free(rank), free(order);
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct drule *)a)->uid, ((const struct drule *)b)->uid);
}

static int cmp_tech(const void *a, const void *b)
{
	return strcmp(((const struct dtech *)a)->id, ((const struct dtech *)b)->id);
}

int snapshot_finish(struct snapshot *s, char **err)
{
	size_t i;

	*err = NULL;
	if (!s->corpus) {
		*err = xstrdup("no corpus record: not a whole catalog (empty, or cut short?)");
		return -1;
	}
	if (s->nrules)
		qsort(s->rules, s->nrules, sizeof(*s->rules), cmp_rule);
	if (s->ntechs)
		qsort(s->techs, s->ntechs, sizeof(*s->techs), cmp_tech);
	hashmap_release(&s->rule_index);
	hashmap_init(&s->rule_index, 0);
	for (i = 0; i < s->nrules; i++)
		hashmap_put(&s->rule_index, s->rules[i].uid, i);
	technique_indicators(s);
	return 0;
}

/* ---- reading files and folders ---- */

/*
 * ---- pruning a line before it is parsed ----
 *
 * Most of a catalog's bytes are what a diff does not read: the technique
 * records' indicator, exclusion and field tables (the indicators are rebuilt
 * from the rules, technique_indicators()), uid lists, the rules' `similar`,
 * the raw spellings of predicates. A scan that copies a line without those
 * members, and with the query text replaced by its hash, leaves jansson a
 * fraction of the text. A line the scan does not understand is parsed whole,
 * so that jansson's error message is the one reported.
 */

#define PRUNE_DEPTH 64

struct prune {
	const char *const *drop_any;	/* members dropped at any depth */
	const char *const *drop_top;	/* members dropped from the record itself */
	int hash_query;			/* the record's "query" string becomes its hash */
	struct boiled *boiled;		/* NULL, or: the record's "predicates" are boiled here */
	struct strbuf out;
};

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at '"': after the closing quote, or NULL (memchr for the quote, then its backslashes) */
static const char *skip_string(const char *p, const char *e)
{
	const char *q = p + 1;

	for (;;) {
		const char *b;

		if (q >= e || !(q = memchr(q, '"', (size_t)(e - q))))
			return NULL;
		for (b = q; b > p + 1 && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)	/* an even run of backslashes escapes nothing */
			return q + 1;
		q++;
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [p, q) is true, false, null or a JSON number */
static int scalar_ok(const char *p, const char *q)
{
	size_t n = (size_t)(q - p);

	if ((n == 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4))) ||
	    (n == 5 && !memcmp(p, "false", 5)))
		return 1;
	if (p < q && *p == '-')
		p++;
	if (p < q && *p == '0')
		p++;
	else if (p < q && is_digit(*p))
		while (p < q && is_digit(*p))
			p++;
	else
		return 0;
	if (p < q && *p == '.') {
		if (++p >= q || !is_digit(*p))
			return 0;
		while (p < q && is_digit(*p))
			p++;
	}
	if (p < q && (*p == 'e' || *p == 'E')) {
		if (++p < q && (*p == '+' || *p == '-'))
			p++;
		if (p >= q || !is_digit(*p))
			return 0;
		while (p < q && is_digit(*p))
			p++;
	}
	return p == q;
}

/* after the value at p (strings, nesting), or NULL */
static const char *skip_value(const char *p, const char *e, int depth)
{
	if (p >= e || depth > PRUNE_DEPTH)
		return NULL;
	if (*p == '"')
		return skip_string(p, e);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = skip_ws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (p >= e || *p != '"' || !(p = skip_string(p, e)))
					return NULL;
				p = skip_ws(p, e);
				if (p >= e || *p != ':')
					return NULL;
				p = skip_ws(p + 1, e);
			}
			if (!(p = skip_value(p, e, depth + 1)))
				return NULL;
			p = skip_ws(p, e);
			if (p < e && *p == ',') {
				p = skip_ws(p + 1, e);
				continue;
			}
			return p < e && *p == close ? p + 1 : NULL;
		}
	}
	{
		const char *b = p;

		while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
		       *p != '\n' && *p != '\r')
			p++;
		return scalar_ok(b, p) ? p : NULL;
	}
}

static int key_in(const char *k, size_t n, const char *const *list)
{
	for (; list && *list; list++)
		if (strlen(*list) == n && memcmp(*list, k, n) == 0)
			return 1;
	return 0;
}

/* the plain string of a JSON string span: NULL when it is not one (or not valid) */
static char *span_string(const char *p, const char *q)
{
	const char *c;
	json_t *v;
	char *out;

	if (q - p < 2 || *p != '"' || q[-1] != '"')
		return NULL;
	for (c = p + 1; c < q - 1; c++)
		if (*c == '\\' || (unsigned char)*c < 0x20)
			break;
	if (c == q - 1)
		return xstrndup(p + 1, (size_t)(q - p) - 2);
	v = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	out = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
	json_decref(v);
	return out;
}

/* a value span as canonical JSON text (as add_value writes it); NULL for null, or when invalid */
static char *span_value(const char *p, const char *q, int *bad)
{
	struct strbuf sb = STRBUF_INIT;
	const char *c;
	json_t *v;

	*bad = 0;
	if (q - p == 4 && memcmp(p, "null", 4) == 0)
		return NULL;
	if (*p == '"') {
		for (c = p + 1; c < q - 1; c++)
			if (*c == '\\' || (unsigned char)*c < 0x20)
				break;
		if (q - p >= 2 && q[-1] == '"' && c == q - 1)
			return xstrndup(p, (size_t)(q - p));
	} else if (*p == '-' || (*p >= '0' && *p <= '9') || *p == 't' || *p == 'f') {
		v = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		if (json_is_number(v) || json_is_boolean(v)) {
			json_decref(v);
			return xstrndup(p, (size_t)(q - p));	/* jansson's own text */
		}
		json_decref(v);
		*bad = 1;
		return NULL;
	}
	v = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!v) {
		*bad = 1;
		return NULL;
	}
	add_value(&sb, v);
	json_decref(v);
	return strbuf_detach(&sb, NULL);
}

static int span_is(const char *p, const char *q, const char *lit)
{
	return p && (size_t)(q - p) == strlen(lit) && memcmp(p, lit, (size_t)(q - p)) == 0;
}

/*
 * The predicates array at p, boiled straight from the text into b (no jansson
 * values for the bulk of a catalog); after it, or NULL when it is not the
 * array of objects it should be.
 */
static const char *boil_text(struct boiled *b, const char *p, const char *e)
{
	enum { K_FIELD, K_OP, K_VALUE, K_NEG, K_COMP, K_EXCL, K_UNM, NK };
	static const char *const names[NK] = { "field", "op", "value", "negated", "computed",
					       "exclusion", "unmapped" };

	if (p >= e || *p != '[')
		return NULL;
	p = skip_ws(p + 1, e);
	if (p < e && *p == ']')
		return p + 1;
	for (;;) {
		const char *from[NK] = { NULL }, *to[NK] = { NULL };
		char *field, *op, *value;
		int k, bad;

		if (p >= e || *p != '{')
			return NULL;
		p = skip_ws(p + 1, e);
		if (p < e && *p == '}')
			p++;
		else
			for (;;) {
				const char *key = p, *q, *v;

				if (p >= e || *p != '"' || !(q = skip_string(p, e)))
					return NULL;
				p = skip_ws(q, e);
				if (p >= e || *p != ':')
					return NULL;
				v = skip_ws(p + 1, e);
				if (!(p = skip_value(v, e, 2)))
					return NULL;
				for (k = 0; k < NK; k++)
					if ((size_t)(q - key) - 2 == strlen(names[k]) &&
					    memcmp(key + 1, names[k], (size_t)(q - key) - 2) == 0) {
						from[k] = v, to[k] = p;
						break;
					}
				p = skip_ws(p, e);
				if (p < e && *p == ',') {
					p = skip_ws(p + 1, e);
					continue;
				}
				if (p >= e || *p != '}')
					return NULL;
				p++;
				break;
			}
		field = from[K_FIELD] ? span_string(from[K_FIELD], to[K_FIELD]) : NULL;
		op = from[K_OP] ? span_string(from[K_OP], to[K_OP]) : NULL;
		value = from[K_VALUE] ? span_value(from[K_VALUE], to[K_VALUE], &bad) : (bad = 0, NULL);
		if (bad) {
			free(field), free(op);
			return NULL;
		}
		if (field && op)
			boil_one(b, field, op, value, span_is(from[K_NEG], to[K_NEG], "true"),
				 span_is(from[K_COMP], to[K_COMP], "true"),
				 span_is(from[K_EXCL], to[K_EXCL], "true"),
				 span_is(from[K_UNM], to[K_UNM], "true"));
		free(field), free(op), free(value);
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		return p < e && *p == ']' ? p + 1 : NULL;
	}
}

/* copy the value at p into pr->out, less the dropped members; after it, or NULL */
static const char *prune_value(struct prune *pr, const char *p, const char *e, int depth)
{
	const char *q;

	if (p >= e || depth > PRUNE_DEPTH)
		return NULL;
	if (*p == '[') {
		strbuf_addch(&pr->out, '[');
		p = skip_ws(p + 1, e);
		if (p < e && *p == ']') {
			strbuf_addch(&pr->out, ']');
			return p + 1;
		}
		for (;;) {
			if (!(p = prune_value(pr, p, e, depth + 1)))
				return NULL;
			p = skip_ws(p, e);
			if (p < e && *p == ',') {
				strbuf_addch(&pr->out, ',');
				p = skip_ws(p + 1, e);
				continue;
			}
			if (p >= e || *p != ']')
				return NULL;
			strbuf_addch(&pr->out, ']');
			return p + 1;
		}
	}
	if (*p == '{') {
		int first = 1;

		strbuf_addch(&pr->out, '{');
		p = skip_ws(p + 1, e);
		if (p < e && *p == '}') {
			strbuf_addch(&pr->out, '}');
			return p + 1;
		}
		for (;;) {
			const char *k = p, *v;
			size_t kn;

			if (p >= e || *p != '"' || !(q = skip_string(p, e)))
				return NULL;
			kn = (size_t)(q - k) - 2;
			p = skip_ws(q, e);
			if (p >= e || *p != ':')
				return NULL;
			v = skip_ws(p + 1, e);
			if (key_in(k + 1, kn, pr->drop_any) || (depth == 0 && key_in(k + 1, kn, pr->drop_top))) {
				if (!(p = skip_value(v, e, depth + 1)))
					return NULL;
			} else {
				if (!first)
					strbuf_addch(&pr->out, ',');
				first = 0;
				strbuf_add(&pr->out, k, (size_t)(q - k));
				strbuf_addch(&pr->out, ':');
				if (depth == 0 && pr->boiled && v < e && *v == '[' && kn == 10 &&
				    memcmp(k + 1, "predicates", 10) == 0) {
					if (!(p = boil_text(pr->boiled, v, e)))
						return NULL;
					pr->boiled->have = 1;
					strbuf_addstr(&pr->out, "[]");
				} else if (depth == 0 && pr->hash_query && v < e && *v == '"' && kn == 5 &&
				    memcmp(k + 1, "query", 5) == 0) {
					if (!(p = skip_string(v, e)))
						return NULL;
					strbuf_addf(&pr->out, "\"%016llx\"",
						    (unsigned long long)fnv1a(v, (size_t)(p - v)));
					if (pr->boiled)
						pr->boiled->query_hashed = 1;
				} else if (!(p = prune_value(pr, v, e, depth + 1))) {
					return NULL;
				}
			}
			p = skip_ws(p, e);
			if (p < e && *p == ',') {
				p = skip_ws(p + 1, e);
				continue;
			}
			if (p >= e || *p != '}')
				return NULL;
			strbuf_addch(&pr->out, '}');
			return p + 1;
		}
	}
	if (!(q = skip_value(p, e, depth)) || q == p)
		return NULL;
	strbuf_add(&pr->out, p, (size_t)(q - p));
	return q;
}

/* the line less what the diff does not read, parsed: a new reference, or NULL with jerr */
static json_t *prune_parse(struct prune *pr, const char *line, size_t len, char *jerr, size_t jlen)
{
	const char *e = line + len, *end;
	json_error_t je;
	json_t *rec;

	strbuf_reset(&pr->out);
	end = prune_value(pr, skip_ws(line, e), e, 0);
	if (end && skip_ws(end, e) == e) {
		rec = json_loadb(pr->out.buf, pr->out.len, JSON_ALLOW_NUL, &je);
	} else {
		if (pr->boiled)
			boiled_release(pr->boiled);	/* parsed whole: boiled from the values */
		rec = json_loadb(line, len, JSON_ALLOW_NUL, &je);
	}
	if (rec && !json_is_object(rec)) {
		json_decref(rec);
		snprintf(jerr, jlen, "not a JSON object");
		return NULL;
	}
	if (!rec)
		snprintf(jerr, jlen, "invalid JSON: %s", je.text);
	return rec;
}


/*
 * A catalog's rule records, the bulk of it, are read straight from their
 * text: members found by the scan, strings copied, the predicates boiled, the
 * query and each metadata value hashed; jansson parses only the small parse
 * status and events. A line the scan does not take whole (not a rule, an
 * escaped key, invalid UTF-8, a type a rule may not have) goes the general
 * way, which reports what is wrong with it.
 */

#define RULE_MEMBERS 64

struct member {
	const char *k, *v, *e;	/* the key (no escapes, unquoted: kn bytes), the value's span */
	size_t kn;
};

/*
 * The members of the object at p (at most max) into m; *end after it, or NULL
 * when the scan does not take it. With b, a "predicates" array is boiled into
 * it on the way (its text is most of a rule's: it is read once).
 */
static size_t scan_object(struct member *m, size_t max, const char *p, const char *e, const char **end,
			  struct boiled *b)
{
	size_t n = 0;

	*end = NULL;
	if (p >= e || *p != '{')
		return 0;
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}') {
		*end = p + 1;
		return 0;
	}
	for (;;) {
		const char *k = p, *q, *v;

		if (n == max || p >= e || *p != '"' || !(q = skip_string(p, e)) ||
		    memchr(k + 1, '\\', (size_t)(q - k) - 2))
			return 0;
		p = skip_ws(q, e);
		if (p >= e || *p != ':')
			return 0;
		v = skip_ws(p + 1, e);
		if (b && q - k == 12 && !memcmp(k + 1, "predicates", 10) && v < e && *v == '[') {
			if (b->have || !(p = boil_text(b, v, e)))
				return 0;	/* twice: jansson keeps the last, let it read the line */
			b->have = 1;
		} else if (!(p = skip_value(v, e, 1))) {
			return 0;
		}
		m[n].k = k + 1, m[n].kn = (size_t)(q - k) - 2, m[n].v = v, m[n].e = p;
		n++;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p >= e || *p != '}')
			return 0;
		*end = p + 1;
		return n;
	}
}

/* the members of the object that is the whole of [p, e); 0 when the scan does not take it */
static size_t scan_members(struct member *m, const char *p, const char *e, struct boiled *b)
{
	const char *end;
	size_t n = scan_object(m, RULE_MEMBERS, skip_ws(p, e), e, &end, b);

	return end && skip_ws(end, e) == e ? n : 0;
}

/* the member named key (the last, as jansson keeps the last of a repeated key), or NULL */
static const struct member *member_get(const struct member *m, size_t n, const char *key)
{
	size_t kn = strlen(key);

	while (n--)
		if (m[n].kn == kn && !memcmp(m[n].k, key, kn))
			return &m[n];
	return NULL;
}

static int member_is(const struct member *m, char c)
{
	return m && *m->v == c;
}

/* *out ← the member's string; NULL when absent or not a string; -1 for a string jansson would refuse */
static int member_string(const struct member *m, char **out)
{
	*out = NULL;
	if (!member_is(m, '"'))
		return 0;
	return (*out = span_string(m->v, m->e)) ? 0 : -1;
}

/* the member's value parsed (a new reference), or NULL */
static json_t *member_json(const struct member *m)
{
	return m ? json_loadb(m->v, (size_t)(m->e - m->v), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
}

/* *h ← value_hash of the value at p, straight from the text; after it, or NULL when it is not valid */
static const char *text_hash(const char *p, const char *e, const char *const *drop, int depth, uint64_t *h)
{
	const char *q;

	p = skip_ws(p, e);
	if (p >= e || depth > PRUNE_DEPTH)
		return NULL;
	if (*p == '"') {
		char *t;

		if (!(q = skip_string(p, e)))
			return NULL;
		if (!memchr(p + 1, '\\', (size_t)(q - p) - 2)) {
			const char *c;

			for (c = p + 1; c < q - 1; c++)
				if ((unsigned char)*c < 0x20)
					return NULL;
			*h = hash_string(p + 1, (size_t)(q - p) - 2);
			return q;
		}
		if (!(t = span_string(p, q)))		/* escapes: jansson reads them */
			return NULL;
		*h = hash_string(t, strlen(t));		/* a \u0000 inside ends it here as there */
		free(t);
		return q;
	}
	if (*p == '[' || *p == '{') {
		int obj = *p == '{';
		uint64_t acc = obj ? 0 : HASH_ARRAY;

		p = skip_ws(p + 1, e);
		if (p < e && *p == (obj ? '}' : ']')) {
			*h = obj ? mix(acc ^ HASH_OBJECT) : acc;
			return p + 1;
		}
		for (;;) {
			const char *k = NULL;
			uint64_t x;
			char *key = NULL;

			if (obj) {
				if (p >= e || *p != '"' || !(q = skip_string(p, e)))
					return NULL;
				k = p;
				p = skip_ws(q, e);
				if (p >= e || *p != ':')
					return NULL;
				p++;
			}
			if (!(p = text_hash(p, e, drop, depth + 1, &x)))
				return NULL;
			if (!obj) {
				acc = mix(acc ^ x);
			} else if (!memchr(k + 1, '\\', (size_t)(q - k) - 2)) {
				if (!key_in(k + 1, (size_t)(q - k) - 2, drop))
					acc += hash_member(k + 1, (size_t)(q - k) - 2, x);
			} else {
				if (!(key = span_string(k, q)))
					return NULL;
				if (!key_in(key, strlen(key), drop))
					acc += hash_member(key, strlen(key), x);
				free(key);
			}
			p = skip_ws(p, e);
			if (p < e && *p == ',') {
				p++;
				continue;
			}
			if (p >= e || *p != (obj ? '}' : ']'))
				return NULL;
			*h = obj ? mix(acc ^ HASH_OBJECT) : acc;
			return p + 1;
		}
	}
	if (!(q = skip_value(p, e, depth)))
		return NULL;
	if (*p == 't' || *p == 'f' || *p == 'n') {
		*h = mix(*p == 't' ? 1 : *p == 'f' ? 2 : 3);
		return q;
	}
	{
		/* a number as jansson reads it: an integer unless it has a fraction or an exponent */
		char buf[64], *end;
		size_t n = (size_t)(q - p);

		if (n >= sizeof(buf))
			return NULL;
		memcpy(buf, p, n);
		buf[n] = '\0';
		errno = 0;
		if (!strpbrk(buf, ".eE")) {
			long long v = strtoll(buf, &end, 10);

			if (errno || *end)
				return NULL;
			*h = hash_integer(v);
		} else {
			double d = strtod(buf, &end);

			if (errno == ERANGE && (d > 1 || d < -1))
				return NULL;	/* jansson: real number overflow */
			if (*end)
				return NULL;
			*h = hash_real(d);
		}
		return q;
	}
}

/*
 * The elements of the array at [p, e), each given to fn with its span: 0, or
 * -1 when it is not an array the scan takes or fn says no.
 */
static int text_each(const char *p, const char *e,
		     int (*fn)(const char *v, const char *ve, void *ctx), void *ctx)
{
	if (p >= e || *p != '[')
		return -1;
	p = skip_ws(p + 1, e);
	if (p < e && *p == ']')
		return 0;
	for (;;) {
		const char *q = skip_value(p, e, 2);

		if (!q || fn(p, q, ctx) < 0)
			return -1;
		p = skip_ws(q, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		return p < e && *p == ']' ? 0 : -1;
	}
}

/* a technique id (a string; other values are passed over, as the tree's reader does) */
static int text_technique(const char *v, const char *ve, void *ctx)
{
	char *t;

	if (*v != '"')
		return 0;
	if (!(t = span_string(v, ve)))
		return -1;
	strvec_add(ctx, t);
	return 0;
}

struct text_events {
	struct snapshot *s;
	struct strvec *out;
};

static int text_event(const char *v, const char *ve, void *ctx)
{
	struct text_events *te = ctx;
	struct member m[8];
	const char *end;
	char *prov = NULL, *ev = NULL, *title = NULL;
	size_t n;
	int bad;

	if (*v != '{')
		return 0;
	n = scan_object(m, 8, v, ve, &end, NULL);
	if (end != ve)
		return -1;
	bad = member_string(member_get(m, n, "provider"), &prov) |
	      member_string(member_get(m, n, "event"), &ev) |
	      member_string(member_get(m, n, "title"), &title);
	if (!bad)
		event_key(te->s, te->out, prov, ev, title);
	free(prov), free(ev), free(title);
	return bad ? -1 : 0;
}

static int is_metadata(const struct member *m)
{
	char key[64];

	if (m->kn >= sizeof(key))
		return !key_in(m->k, m->kn, catalog_drop_any) && !key_in(m->k, m->kn, catalog_drop_top);
	memcpy(key, m->k, m->kn);
	key[m->kn] = '\0';
	return !not_metadata(key) && !key_in(m->k, m->kn, catalog_drop_any) &&
	       !key_in(m->k, m->kn, catalog_drop_top);
}

/* A rule record added straight from its text: 1, or 0 when the line is to be read the general way. */
static int add_rule_text(struct snapshot *s, const char *line, size_t len, struct boiled *b)
{
	struct member m[RULE_MEMBERS];
	size_t n = scan_members(m, line, line + len, b), i;
	const struct member *kind, *parse, *query, *ret;
	json_t *pj = NULL;
	struct rule_in in = { 0 };
	int bad = 0;

	if (!n || !(kind = member_get(m, n, "kind")) || !span_is(kind->v, kind->e, "\"rule\"") ||
	    !member_is(member_get(m, n, "uid"), '"') || !member_is(member_get(m, n, "vendor"), '"') ||
	    !member_is(member_get(m, n, "techniques"), '[') || !member_is(member_get(m, n, "events"), '[') ||
	    !member_is(parse = member_get(m, n, "parse"), '{') ||
	    !member_is(member_get(m, n, "predicates"), '[') ||
	    utf8_invalid_at(line, len) != UTF8_VALID || !b->have) {
		boiled_release(b);
		return 0;
	}
	bad |= member_string(member_get(m, n, "uid"), &in.uid) || !in.uid;
	bad |= member_string(member_get(m, n, "vendor"), &in.vendor) || !in.vendor;
	bad |= member_string(member_get(m, n, "source"), &in.source);
	bad |= member_string(member_get(m, n, "path"), &in.path);
	bad |= member_string(member_get(m, n, "title"), &in.title);
	bad |= member_string(member_get(m, n, "severity"), &in.severity);
	if (member_get(m, n, "status")) {
		bad |= member_string(member_get(m, n, "status"), &in.status);
		in.status_known = 1;
	}
	if ((ret = member_get(m, n, "retired")))
		in.retired = span_is(ret->v, ret->e, "true");
	if (!bad) {
		const struct member *ps = NULL, *pe = NULL;
		struct member pm[8];
		const char *end;
		struct text_events te = { s, &in.events };
		size_t pn = scan_object(pm, 8, parse->v, parse->e, &end, NULL);

		if (end != parse->e)
			bad = 1;
		else
			ps = member_get(pm, pn, "status"), pe = member_get(pm, pn, "errors");
		if (!bad)
			bad = member_string(ps, &in.parse) < 0;
		/* errors are few: jansson reads them, when there are any */
		if (!bad && pe && !span_is(pe->v, pe->e, "[]"))
			bad = !(pj = member_json(pe));
		in.errors = pj;
		if (!bad)
			bad = text_each(member_get(m, n, "techniques")->v, member_get(m, n, "techniques")->e,
					text_technique, &in.techs) < 0 ||
			      text_each(member_get(m, n, "events")->v, member_get(m, n, "events")->e,
					text_event, &te) < 0;
	}
	if (!bad) {
		if (member_is(query = member_get(m, n, "query"), '"')) {
			in.has_query = 1;
			in.query = fnv1a(query->v, (size_t)(query->e - query->v));
		}
		in.cmeta = json_object();
		for (i = 0; i < n && !bad; i++) {
			uint64_t h;
			char *key;

			if (!is_metadata(&m[i]))
				continue;
			if (text_hash(m[i].v, m[i].e, catalog_drop_any, 1, &h) != m[i].e) {
				bad = 1;
				break;
			}
			key = xstrndup(m[i].k, m[i].kn);
			json_object_set_new(in.cmeta, key, json_integer((json_int_t)h));
			free(key);
		}
	}
	if (bad) {
		rule_in_release(&in);
		boiled_release(b);
	} else {
		add_rule_in(s, &in, b);
	}
	json_decref(pj);
	return !bad;
}

/* every record of r (named path in messages); closes r */
static int read_stream(struct snapshot *s, struct ndjson_reader *r, const char *path, int tagged, char **err)
{
	struct prune pr = { NULL, NULL, 0, NULL, STRBUF_INIT };
	struct boiled boiled = { 0 };
	const char *line;
	char jerr[256];
	json_t *rec;
	size_t len;
	int rc, status = 0;

	if (tagged) {
		pr.drop_top = tagged_drop_top;
	} else {
		pr.drop_any = catalog_drop_any;
		pr.drop_top = catalog_drop_top;
		pr.hash_query = 1;
		pr.boiled = &boiled;
		s->boiled = &boiled;
	}
	strbuf_init(&pr.out, 4096);
	while ((rc = ndjson_reader_next(r, &line, &len)) != 0) {
		char *e = NULL;

		if (rc < 0) {
			*err = xasprintf("%s: %s", path, ndjson_reader_error(r));
			status = -1;
			break;
		}
		if (!tagged && add_rule_text(s, line, len, &boiled)) {
			boiled_release(&boiled);	/* a duplicate's */
			continue;
		}
		if (!(rec = prune_parse(&pr, line, len, jerr, sizeof(jerr)))) {
			*err = xasprintf("%s:%zu: %s", path, ndjson_reader_lineno(r), jerr);
			status = -1;
			break;
		}
		if (tagged)
			snapshot_add_tagged(s, rec);
		else if (snapshot_add(s, rec, &e) < 0) {
			*err = xasprintf("%s:%zu: %s", path, ndjson_reader_lineno(r), e);
			free(e);
			status = -1;
		}
		json_decref(rec);
		boiled_release(&boiled);	/* what a record did not take (not a rule, a duplicate) */
		if (status)
			break;
	}
	boiled_release(&boiled);
	s->boiled = NULL;
	strbuf_release(&pr.out);
	ndjson_reader_close(r);
	return status;
}

static int read_ndjson(struct snapshot *s, const char *path, int tagged, char **err)
{
	const char *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);

	if (!r) {
		*err = xasprintf("%s: %s", path, oerr);
		return -1;
	}
	return read_stream(s, r, path, tagged, err);
}

int snapshot_read(struct snapshot *s, FILE *f, const char *name, char **err)
{
	char *e = NULL;

	*err = NULL;
	if (read_stream(s, ndjson_reader_fdopen(f, name), name, 0, err))
		return -1;
	if (snapshot_finish(s, &e) < 0) {
		*err = xasprintf("%s: %s", name, e);
		free(e);
		return -1;
	}
	return 0;
}

static int is_ndjson_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 11 && strcmp(name + n - 11, ".ndjson.zst") == 0) ||
				  (n > 7 && strcmp(name + n - 7, ".ndjson") == 0));
}

/* FOLDER/catalog.ndjson.zst (or .ndjson), then FOLDER/tagged/ *.ndjson[.zst] by name */
static int read_folder(struct snapshot *s, const char *dir, char **err)
{
	char *cat = xasprintf("%s/catalog.ndjson.zst", dir), *tdir;
	struct strvec names = { 0 };
	struct stat st;
	DIR *d;
	size_t i;
	int status;

	if (stat(cat, &st) != 0) {
		free(cat);
		cat = xasprintf("%s/catalog.ndjson", dir);
		if (stat(cat, &st) != 0) {
			*err = xasprintf("%s: no catalog.ndjson.zst in this folder", dir);
			free(cat);
			return -1;
		}
	}
	status = read_ndjson(s, cat, 0, err);
	free(cat);
	if (status)
		return status;
	tdir = xasprintf("%s/tagged", dir);
	d = opendir(tdir);
	if (d) {
		struct dirent *de;

		while ((de = readdir(d)) != NULL)
			if (is_ndjson_name(de->d_name))
				strvec_add(&names, xasprintf("%s/%s", tdir, de->d_name));
		closedir(d);
	}
	strvec_uniq(&names);
	for (i = 0; i < names.n && !status; i++)
		status = read_ndjson(s, names.v[i], 1, err);
	strvec_release(&names);
	free(tdir);
	return status;
}

int snapshot_load(struct snapshot *s, const char *path, char **err)
{
	struct stat st;
	char *e = NULL;
	int status;

	*err = NULL;
	if (stat(path, &st) != 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	status = S_ISDIR(st.st_mode) ? read_folder(s, path, err) : read_ndjson(s, path, 0, err);
	if (status)
		return status;
	if (snapshot_finish(s, &e) < 0) {
		*err = xasprintf("%s: %s", path, e);
		free(e);
		return -1;
	}
	return 0;
}

static void rule_release(struct drule *r)
{
	free(r->uid); free(r->vendor); free(r->source); free(r->path); free(r->title);
	free(r->severity); free(r->parse); free(r->status); free(r->maturity); free(r->level);
	strvec_release(&r->techs);
	strvec_release(&r->events);
	strvec_release(&r->preds);
	strvec_release(&r->unmapped);
	free(r->ind);
	json_decref(r->cmeta);
	json_decref(r->tmeta);
	json_decref(r->errors);
}

void snapshot_free(struct snapshot *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nrules; i++)
		rule_release(&s->rules[i]);
	free(s->rules);
	for (i = 0; i < s->ntechs; i++) {
		free(s->techs[i].id);
		free(s->techs[i].name);
		json_decref(s->techs[i].by_vendor);
		strvec_release(&s->techs[i].events);
		free(s->techs[i].ind);
		free(s->techs[i].rule_ix);
	}
	free(s->techs);
	hashmap_release(&s->rule_index);
	hashmap_release(&s->reach_index);
	strvec_release(&s->reach_keys);
	free(s->reach);
	free(s->reach_live);
	json_decref(s->corpus);
	json_decref(s->event_titles);
	free(s->name);
	free(s);
}

/* ---- --only ---- */

static const struct { const char *word; unsigned bit; } only_words[] = {
	{ "added", DIFF_ADDED }, { "removed", DIFF_REMOVED }, { "moved", DIFF_MOVED },
	{ "changed", DIFF_CHANGED }, { "parse", DIFF_PARSE }, { "technique", DIFF_TECHNIQUE },
	{ "corpus", DIFF_CORPUS }, { "logic", DIFF_LOGIC }, { "text", DIFF_TEXT },
	{ "attack", DIFF_ATTACK }, { "events", DIFF_EVENTS }, { "status", DIFF_STATUS },
	{ "severity", DIFF_SEVERITY }, { "level", DIFF_LEVEL }, { "metadata", DIFF_METADATA },
};
#define NONLY (sizeof(only_words) / sizeof(only_words[0]))

int diff_parse_only(const char *list, unsigned *mask, char **err)
{
	char *copy = xstrdup(list), *save = NULL, *w;
	size_t i;

	*mask = 0;
	*err = NULL;
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NONLY; i++)
			if (strcmp(w, only_words[i].word) == 0)
				break;
		if (i == NONLY) {
			*err = xasprintf("--only: unknown kind '%s'", w);
			free(copy);
			return -1;
		}
		*mask |= only_words[i].bit;
	}
	free(copy);
	/* "changed" is every aspect; an aspect implies changed records */
	if (*mask & DIFF_CHANGED)
		*mask |= DIFF_ASPECTS;
	if (*mask & DIFF_ASPECTS)
		*mask |= DIFF_CHANGED;
	if (!*mask) {
		*err = xstrdup("--only: no kind given");
		return -1;
	}
	return 0;
}

/* ---- comparing ---- */

typedef json_t *(*key_fn)(const char *key, const void *ctx);

/*
 * The keys of sorted set a missing from b go to gone, those of b missing from a
 * to came (each through conv); returns how many differ.
 */
static size_t keys_delta(const char *const *a, size_t na, const char *const *b, size_t nb,
			 json_t *gone, json_t *came, key_fn conv, const void *ctx)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);

		if (c == 0) {
			i++, j++;
			continue;
		}
		n++;
		if (c < 0)
			json_array_append_new(gone, conv(a[i++], ctx));
		else
			json_array_append_new(came, conv(b[j++], ctx));
	}
	return n;
}

static size_t set_delta(const struct strvec *a, const struct strvec *b, json_t *gone, json_t *came,
			key_fn conv, const void *ctx)
{
	return keys_delta((const char *const *)a->v, a->n, (const char *const *)b->v, b->n,
			  gone, came, conv, ctx);
}

static json_t *conv_string(const char *key, const void *ctx)
{
	(void)ctx;
	return json_string(key);
}

static json_t *conv_json(const char *key, const void *ctx)
{
	json_t *v = json_loads(key, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

	(void)ctx;
	return v ? v : json_string(key);
}

struct sides {
	const struct snapshot *old, *new;
};

static json_t *conv_event(const char *key, const void *ctx)
{
	const struct sides *sd = ctx;
	const char *sep = strchr(key, SEP);
	json_t *title = json_object_get(sd->new->event_titles, key), *e;

	if (!title)
		title = json_object_get(sd->old->event_titles, key);
	e = json_object();
	json_object_set_new(e, "provider", json_stringn(key, sep ? (size_t)(sep - key) : strlen(key)));
	json_object_set_new(e, "event", json_string(sep ? sep + 1 : ""));
	if (title)
		json_object_set(e, "title", title);
	return e;
}

static json_t *conv_indicator(const char *key, const void *ctx)
{
	const struct sides *sd = ctx;
	const char *s1 = strchr(key, SEP), *s2 = s1 ? strchr(s1 + 1, SEP) : NULL;
	json_t *o = json_object(), *v;

	if (!s2)
		return json_string(key);
	v = json_loads(s2 + 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_object_set_new(o, "field", json_stringn(key, (size_t)(s1 - key)));
	json_object_set_new(o, "op", json_stringn(s1 + 1, (size_t)(s2 - s1 - 1)));
	json_object_set_new(o, "value", v ? v : json_string(s2 + 1));
	json_object_set_new(o, "reach_before", json_integer((json_int_t)reach_of(sd->old, key)));
	json_object_set_new(o, "reach_after", json_integer((json_int_t)reach_of(sd->new, key)));
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static json_t *before_after(const char *a, const char *b)
{
	return json_pack("{s:o,s:o}", "before", str_or_null(a), "after", str_or_null(b));
}

static json_t *rule_head(const char *change, const struct drule *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "change", json_string(change));
	json_object_set_new(o, "uid", json_string(r->uid));
	json_object_set_new(o, "vendor", str_or_null(r->vendor));
	json_object_set_new(o, "source", str_or_null(r->source));
	json_object_set_new(o, "path", str_or_null(r->path));
	json_object_set_new(o, "title", str_or_null(r->title));
	return o;
}

static json_t *added_or_removed(const char *change, const struct drule *r)
{
	json_t *o = rule_head(change, r), *t = json_array();
	size_t i;

	for (i = 0; i < r->techs.n; i++)
		json_array_append_new(t, json_string(r->techs.v[i]));
	json_object_set_new(o, "techniques", t);
	json_object_set_new(o, "parse", json_string(r->parse));
	json_object_set_new(o, "retired", json_boolean(r->retired));
	return o;
}

/* the keys whose hashes differ, or that one side lacks, into k */
static void meta_delta(const json_t *a, const json_t *b, struct strvec *k)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)a, key, v)
		if (!json_equal(v, json_object_get(b, key)))
			strvec_add(k, xstrdup(key));
	json_object_foreach((json_t *)b, key, v)
		if (!json_object_get(a, key))
			strvec_add(k, xstrdup(key));
}

static int parse_rank(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return 0;
	if (strcmp(status, "partial") == 0)
		return 1;
	if (strcmp(status, "failed") == 0)
		return 2;
	return -1;	/* no_query, or another: neither better nor worse */
}

/* append the rule records of one uid (a in old, b in new, either NULL) that pass mask */
static void compare_rule(const struct sides *sd, const struct drule *a, const struct drule *b,
			 unsigned mask, json_t *out)
{
	json_t *o, *aspects, *gone, *came;
	unsigned have = 0;

	if (!a || !b) {
		if (mask & (a ? DIFF_REMOVED : DIFF_ADDED))
			json_array_append_new(out, added_or_removed(a ? "removed" : "added", a ? a : b));
		return;
	}
	if (!same_str(a->path, b->path) || !same_str(a->title, b->title)) {
		if (mask & DIFF_MOVED) {
			o = json_object();
			json_object_set_new(o, "change", json_string("moved"));
			json_object_set_new(o, "uid", json_string(b->uid));
			json_object_set_new(o, "vendor", str_or_null(b->vendor));
			json_object_set_new(o, "source", str_or_null(b->source));
			json_object_set_new(o, "path", before_after(a->path, b->path));
			json_object_set_new(o, "title", before_after(a->title, b->title));
			json_array_append_new(out, o);
		}
	}

	o = rule_head("changed", b);
	aspects = json_array();
	json_object_set_new(o, "aspects", aspects);	/* o holds it; filled below */
	gone = json_array(), came = json_array();
	if (set_delta(&a->preds, &b->preds, gone, came, conv_json, NULL)) {
		have |= DIFF_LOGIC;
		json_array_append_new(aspects, json_string("logic"));
		json_object_set_new(o, "logic", json_pack("{s:o,s:o}", "removed", gone, "added", came));
	} else {
		json_decref(gone), json_decref(came);
		if (a->has_query != b->has_query || a->query != b->query) {
			have |= DIFF_TEXT;
			json_array_append_new(aspects, json_string("text"));
		}
	}
	gone = json_array(), came = json_array();
	if (set_delta(&a->techs, &b->techs, gone, came, conv_string, NULL)) {
		have |= DIFF_ATTACK;
		json_array_append_new(aspects, json_string("attack"));
		json_object_set_new(o, "attack", json_pack("{s:o,s:o}", "removed", gone, "added", came));
	} else {
		json_decref(gone), json_decref(came);
	}
	gone = json_array(), came = json_array();
	if (set_delta(&a->events, &b->events, gone, came, conv_event, sd)) {
		have |= DIFF_EVENTS;
		json_array_append_new(aspects, json_string("events"));
		json_object_set_new(o, "events", json_pack("{s:o,s:o}", "lost", gone, "gained", came));
	} else {
		json_decref(gone), json_decref(came);
	}
	/* lifecycle: from the tagged rules, when both sides have them */
	/* lifecycle: the status from the catalog or the tagged rules, maturity from the tagged rules */
	if (a->status_known && b->status_known && !same_str(a->status, b->status)) {
		have |= DIFF_STATUS;
		json_array_append_new(aspects, json_string("status"));
		json_object_set_new(o, "status", before_after(a->status, b->status));
	}
	if (a->tmeta && b->tmeta && !same_str(a->maturity, b->maturity)) {
		have |= DIFF_STATUS;
		json_array_append_new(aspects, json_string("maturity"));
		json_object_set_new(o, "maturity", before_after(a->maturity, b->maturity));
	}
	if (a->retired != b->retired) {
		have |= DIFF_STATUS;
		json_array_append_new(aspects, json_string("retired"));
		json_object_set_new(o, "retired", json_pack("{s:b,s:b}", "before", a->retired, "after", b->retired));
	}
	if (!same_str(a->severity, b->severity)) {
		have |= DIFF_SEVERITY;
		json_array_append_new(aspects, json_string("severity"));
		json_object_set_new(o, "severity", before_after(a->severity, b->severity));
	}
	if (a->tmeta && b->tmeta && !same_str(a->level, b->level)) {
		have |= DIFF_LEVEL;
		json_array_append_new(aspects, json_string("level"));
		json_object_set_new(o, "level", before_after(a->level, b->level));
	}
	{
		struct strvec k = { 0 };
		size_t i;

		meta_delta(a->cmeta, b->cmeta, &k);
		if (a->tmeta && b->tmeta)
			meta_delta(a->tmeta, b->tmeta, &k);
		strvec_uniq(&k);
		if (k.n) {
			json_t *keys = json_array();

			for (i = 0; i < k.n; i++)
				json_array_append_new(keys, json_string(k.v[i]));
			have |= DIFF_METADATA;
			json_array_append_new(aspects, json_string("metadata"));
			json_object_set_new(o, "metadata", keys);
		}
		strvec_release(&k);
	}
	if (mask & have)
		json_array_append_new(out, o);
	else
		json_decref(o);

	if (strcmp(a->parse, b->parse) != 0 && (mask & DIFF_PARSE)) {
		int ra = parse_rank(a->parse), rb = parse_rank(b->parse);

		o = rule_head("parse", b);
		json_object_set_new(o, "before", json_string(a->parse));
		json_object_set_new(o, "after", json_string(b->parse));
		json_object_set_new(o, "worse", json_boolean(ra >= 0 && rb > ra));
		json_object_set_new(o, "errors", json_deep_copy(b->errors));
		json_array_append_new(out, o);
	}
}

static int vendor_ok(const struct drule *r, const char *vendor)
{
	return !vendor || (r->vendor && strcmp(r->vendor, vendor) == 0);
}

static void compare_rules(const struct sides *sd, unsigned mask, const char *vendor, json_t *out)
{
	size_t i = 0, j = 0;

	while (i < sd->old->nrules || j < sd->new->nrules) {
		const struct drule *a = i < sd->old->nrules ? &sd->old->rules[i] : NULL;
		const struct drule *b = j < sd->new->nrules ? &sd->new->rules[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->uid, b->uid);

		if (c < 0)
			b = NULL, i++;
		else if (c > 0)
			a = NULL, j++;
		else
			i++, j++;
		if (vendor_ok(a ? a : b, vendor) || (a && b && vendor_ok(b, vendor)))
			compare_rule(sd, a, b, mask, out);
	}
}

/* a technique's rule counts, of every vendor or of one */
static json_t *tech_counts(const struct dtech *t, const char *vendor)
{
	json_t *bv;

	if (!t)
		return json_pack("{s:i,s:{}}", "total", 0, "by_vendor");
	if (!vendor)
		return json_pack("{s:I,s:O}", "total", (json_int_t)t->total, "by_vendor", t->by_vendor);
	bv = json_object_get(t->by_vendor, vendor);
	return json_pack("{s:I,s:o}", "total", (json_int_t)json_integer_value(bv), "by_vendor",
			 bv ? json_pack("{s:O}", vendor, bv) : json_object());
}

struct vendor_keys {
	const char **ev, **ind;
	size_t nev, nind;
};

static int cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* sort and drop repeats: the strings are shared, so equal ones are one pointer or equal text */
static size_t keys_uniq(const char **v, size_t n)
{
	size_t i, k = 0;

	if (n)
		qsort(v, n, sizeof(*v), cmp_ptr);
	for (i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	return k;
}

/* the events and indicators of vendor's rules under technique t (NULL: none), sorted */
static void vendor_keys(const struct snapshot *s, const struct dtech *t, const char *vendor,
			struct vendor_keys *out)
{
	size_t i, k, ne = 0, ni = 0;

	memset(out, 0, sizeof(*out));
	if (!t)
		return;
	for (i = 0; i < t->nrule_ix; i++) {
		const struct drule *r = &s->rules[t->rule_ix[i]];

		if (vendor_ok(r, vendor) && (!r->retired || s->retired_counted))
			ne += r->events.n, ni += r->nind;
	}
	out->ev = xmalloc((ne + 1) * sizeof(*out->ev));
	out->ind = xmalloc((ni + 1) * sizeof(*out->ind));
	for (i = 0; i < t->nrule_ix; i++) {
		const struct drule *r = &s->rules[t->rule_ix[i]];

		if (!vendor_ok(r, vendor) || (r->retired && !s->retired_counted))
			continue;
		for (k = 0; k < r->events.n; k++)
			out->ev[out->nev++] = r->events.v[k];
		for (k = 0; k < r->nind; k++)
			out->ind[out->nind++] = s->reach_keys.v[r->ind[k]];
	}
	out->nev = keys_uniq(out->ev, out->nev);
	out->nind = keys_uniq(out->ind, out->nind);
}

static void compare_techniques(const struct sides *sd, const char *vendor, json_t *out)
{
	static const struct strvec none = { 0 };
	size_t i = 0, j = 0;

	while (i < sd->old->ntechs || j < sd->new->ntechs) {
		const struct dtech *a = i < sd->old->ntechs ? &sd->old->techs[i] : NULL;
		const struct dtech *b = j < sd->new->ntechs ? &sd->new->techs[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->id, b->id);
		json_t *o, *before, *after, *lost = json_array(), *gained = json_array();
		json_t *ilost = json_array(), *igained = json_array();
		size_t nev = 0, nind = 0;
		int counts;

		if (c < 0)
			b = NULL, i++;
		else if (c > 0)
			a = NULL, j++;
		else
			i++, j++;
		before = tech_counts(a, vendor);
		after = tech_counts(b, vendor);
		counts = !json_equal(before, after);
		if (!vendor) {
			nev = set_delta(a ? &a->events : &none, b ? &b->events : &none, lost, gained,
					conv_event, sd);
			nind = keys_delta(a ? a->ind : NULL, a ? a->nind : 0, b ? b->ind : NULL,
					  b ? b->nind : 0, ilost, igained, conv_indicator, sd);
		} else {
			/* one vendor's: the events and indicators of its rules under the technique */
			struct vendor_keys va, vb;

			vendor_keys(sd->old, a, vendor, &va);
			vendor_keys(sd->new, b, vendor, &vb);
			nev = keys_delta(va.ev, va.nev, vb.ev, vb.nev, lost, gained, conv_event, sd);
			nind = keys_delta(va.ind, va.nind, vb.ind, vb.nind, ilost, igained, conv_indicator, sd);
			free(va.ev), free(va.ind), free(vb.ev), free(vb.ind);
		}
		if (!counts && !nev && !nind) {
			json_decref(before), json_decref(after);
			json_decref(lost), json_decref(gained), json_decref(ilost), json_decref(igained);
			continue;
		}
		o = json_object();
		json_object_set_new(o, "change", json_string("technique"));
		json_object_set_new(o, "id", json_string(b ? b->id : a->id));
		json_object_set_new(o, "name", str_or_null(b && b->name ? b->name : a ? a->name : NULL));
		json_object_set_new(o, "rules", json_pack("{s:o,s:o}", "before", before, "after", after));
		json_object_set_new(o, "events", json_pack("{s:o,s:o}", "lost", lost, "gained", gained));
		json_object_set_new(o, "indicators", json_pack("{s:o,s:o}", "lost", ilost, "gained", igained));
		json_array_append_new(out, o);
	}
}

/* corpus totals of one side, from its rule records (one vendor's when vendor is set) */
static json_t *corpus_side(const struct snapshot *s, const char *vendor, struct strvec *unmapped)
{
	json_t *bv = json_object(), *parse = json_pack("{s:i,s:i,s:i,s:i}", "ok", 0, "partial", 0,
						       "failed", 0, "no_query", 0), *v;
	size_t i, k, total = 0, retired = 0;

	for (i = 0; i < s->nrules; i++) {
		const struct drule *r = &s->rules[i];
		const char *vn = r->vendor ? r->vendor : "unknown";

		if (!vendor_ok(r, vendor))
			continue;
		total++;
		retired += r->retired != 0;
		v = json_object_get(bv, vn);
		json_object_set_new(bv, vn, json_integer(json_integer_value(v) + 1));
		v = json_object_get(parse, r->parse);
		json_object_set_new(parse, r->parse, json_integer(json_integer_value(v) + 1));
		for (k = 0; k < r->unmapped.n; k++)
			strvec_add(unmapped, xstrdup(r->unmapped.v[k]));
	}
	strvec_uniq(unmapped);
	{
		/* keys ascending, as the catalog writes them */
		json_t *sorted = json_object();
		struct strvec keys = { 0 };
		const char *key;

		json_object_foreach(bv, key, v)
			strvec_add(&keys, xstrdup(key));
		strvec_uniq(&keys);
		for (k = 0; k < keys.n; k++)
			json_object_set(sorted, keys.v[k], json_object_get(bv, keys.v[k]));
		strvec_release(&keys);
		json_decref(bv);
		bv = sorted;
	}
	return json_pack("{s:I,s:o,s:o,s:I}", "total", (json_int_t)total, "by_vendor", bv, "parse", parse,
			 "retired", (json_int_t)retired);
}

static void compare_corpus(const struct sides *sd, const char *vendor, json_t *out)
{
	struct strvec ua = { 0 }, ub = { 0 };
	json_t *a = corpus_side(sd->old, vendor, &ua), *b = corpus_side(sd->new, vendor, &ub);
	json_t *lost = json_array(), *gained = json_array(), *o = json_object();
	json_t *ta = json_object_get(sd->old->corpus, "techniques_with_rules");
	json_t *tb = json_object_get(sd->new->corpus, "techniques_with_rules");
	const char *va = json_string_value(json_object_get(sd->old->corpus, "attack_version"));
	const char *vb = json_string_value(json_object_get(sd->new->corpus, "attack_version"));
	size_t nu = set_delta(&ua, &ub, lost, gained, conv_string, NULL);
	/* json_equal(NULL, NULL) is 0: two catalogs without the count agree */
	int same_t = (!ta && !tb) || (ta && tb && json_equal(ta, tb));
	int differs = nu || !json_equal(a, b) || (!vendor && (!same_t || !same_str(va, vb)));

	json_object_set_new(o, "change", json_string("corpus"));
	if (vendor)
		json_object_set_new(o, "vendor", json_string(vendor));
	json_object_set_new(o, "rules", json_pack("{s:O,s:O}", "before", json_object_get(a, "total"),
						  "after", json_object_get(b, "total")));
	json_object_set_new(o, "by_vendor", json_pack("{s:O,s:O}", "before", json_object_get(a, "by_vendor"),
						      "after", json_object_get(b, "by_vendor")));
	json_object_set_new(o, "parse", json_pack("{s:O,s:O}", "before", json_object_get(a, "parse"),
						  "after", json_object_get(b, "parse")));
	json_object_set_new(o, "retired", json_pack("{s:O,s:O}", "before", json_object_get(a, "retired"),
						    "after", json_object_get(b, "retired")));
	if (!vendor) {
		json_object_set_new(o, "techniques_with_rules",
				    json_pack("{s:O,s:O}", "before", ta ? ta : json_null(), "after", tb ? tb : json_null()));
		json_object_set_new(o, "attack_version", before_after(va, vb));
	}
	json_object_set_new(o, "unmapped_fields", json_pack("{s:o,s:o}", "lost", lost, "gained", gained));
	if (differs)
		json_array_append_new(out, o);
	else
		json_decref(o);
	json_decref(a), json_decref(b);
	strvec_release(&ua), strvec_release(&ub);
}

json_t *diff_compare(const struct snapshot *old, const struct snapshot *new,
		     unsigned mask, const char *vendor, char **err)
{
	struct sides sd = { old, new };
	json_t *out;

	*err = NULL;
	if (old->schema_version != new->schema_version) {
		*err = xasprintf("%s and %s are catalogs of different schema versions (%lld and %lld): "
				 "build both with the same detcat", old->name, new->name,
				 old->schema_version, new->schema_version);
		return NULL;
	}
	if (old->schema_version != DIFF_SCHEMA_VERSION) {
		*err = xasprintf("%s: catalog schema version %lld; this detcat-diff reads version %d",
				 old->name, old->schema_version, DIFF_SCHEMA_VERSION);
		return NULL;
	}
	out = json_array();
	if (mask & DIFF_CORPUS)
		compare_corpus(&sd, vendor, out);
	if (mask & DIFF_TECHNIQUE)
		compare_techniques(&sd, vendor, out);
	compare_rules(&sd, mask, vendor, out);
	return out;
}
