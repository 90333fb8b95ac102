/*
 * catalog.c: the reduce of detcat-aggregate. See catalog.h.
 *
 * Each rule is boiled down once, when added, to its summary record as compact
 * JSON text and sorted lists of distinct keys (fields, field+op, field+value,
 * indicator and exclusion triples, techniques), each key an interned string
 * named by a number; the JSON tree of the rule is dropped at once, so memory
 * holds text and numbers, not a tree per predicate. Counting a rule "at most
 * once per row" is then an increment in an array indexed by key number, and
 * the technique records are written as text straight from those counts.
 * Keys join their parts with US (0x1f), which sorts below every printable
 * character: comparing keys compares (field, op, value) in that order.
 *
 * The text written is the text jansson writes for the same values (compact,
 * keys in insertion order, \uXXXX in upper case for control characters), so
 * catalog_finish() can hand back JSON values and the bytes do not depend on
 * which of the two wrote them.
 */
#include "catalog/catalog.h"
#include "common/hashmap.h"
#include "common/util.h"
#include "rule/retired.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEP '\x1f'
#define NONE UINT32_MAX

/* ---- interned strings: each distinct key once, named by its number ---- */

struct intern {
	struct hashmap index;	/* string → number */
	char **s;		/* number → string (in the arena) */
	uint32_t *parent;	/* number → the field's number of a "field SEP ..." key, or NONE */
	size_t n, cap;
	char *block;		/* arena: strings are never freed one by one */
	size_t used, size;
	char **blocks;
	size_t nblocks;
};

static char *arena_copy(struct intern *in, const char *s, size_t len)
{
	char *p;

	if (len + 1 > in->size - in->used) {
		size_t size = len + 1 > (1u << 16) ? len + 1 : (1u << 18);

		in->blocks = xrealloc(in->blocks, (in->nblocks + 1) * sizeof(*in->blocks));
		in->blocks[in->nblocks++] = in->block = xmalloc(size);
		in->size = size;
		in->used = 0;
	}
	p = in->block + in->used;
	memcpy(p, s, len);
	p[len] = '\0';
	in->used += len + 1;
	return p;
}

static uint32_t intern_id(struct intern *in, const char *s, uint32_t parent)
{
	size_t v;

	if (hashmap_get(&in->index, s, &v))
		return (uint32_t)v;
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 1024;
		in->s = xrealloc(in->s, in->cap * sizeof(*in->s));
		in->parent = xrealloc(in->parent, in->cap * sizeof(*in->parent));
	}
	in->s[in->n] = arena_copy(in, s, strlen(s));
	in->parent[in->n] = parent;
	hashmap_put(&in->index, in->s[in->n], in->n);
	return (uint32_t)in->n++;
}

/* the interned copy of s, or NULL for NULL */
static const char *intern_str(struct intern *in, const char *s)
{
	uint32_t id;

	if (!s)
		return NULL;
	id = intern_id(in, s, NONE);	/* it may move in->s */
	return in->s[id];
}

static void intern_release(struct intern *in)
{
	size_t i;

	for (i = 0; i < in->nblocks; i++)
		free(in->blocks[i]);
	free(in->blocks);
	free(in->s);
	free(in->parent);
	hashmap_release(&in->index);
	memset(in, 0, sizeof(*in));
}

/* ---- a string → count table, for the corpus record's unmapped fields ---- */

struct row {
	const char *key;	/* interned */
	size_t rules;
};

struct table {
	struct row *rows;
	size_t n, cap;
	struct hashmap index;	/* key → rows[] */
};

static struct row *table_get(struct table *t, struct intern *in, const char *key)
{
	size_t i;

	if (hashmap_get(&t->index, key, &i))
		return &t->rows[i];
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	t->rows[t->n].key = intern_str(in, key);
	t->rows[t->n].rules = 0;
	hashmap_put(&t->index, t->rows[t->n].key, t->n);
	return &t->rows[t->n++];
}

static void table_free(struct table *t)
{
	free(t->rows);
	hashmap_release(&t->index);
	memset(t, 0, sizeof(*t));
}

/* ---- number lists ---- */

struct idlist {
	uint32_t *v;
	size_t n, cap;
};

static void idlist_add(struct idlist *l, uint32_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = id;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* sort, drop duplicates, shrink to fit */
static void idlist_uniq(struct idlist *l)
{
	size_t i, k = 0;

	if (!l->n) {
		free(l->v);
		memset(l, 0, sizeof(*l));
		return;
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
	for (i = 1; i < l->n; i++)
		if (l->v[i] != l->v[k])
			l->v[++k] = l->v[i];
	l->n = l->cap = k + 1;
	l->v = xrealloc(l->v, l->n * sizeof(*l->v));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- JSON text, as jansson writes it ---- */

static void put_str(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *run;

	strbuf_addch(sb, '"');
	for (;;) {
		for (run = p; *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		if (p > run)
			strbuf_add(sb, run, (size_t)(p - run));
		if (!*p)
			break;
		strbuf_addch(sb, '\\');
		switch (*p) {
		case '"': strbuf_addch(sb, '"'); break;
		case '\\': strbuf_addch(sb, '\\'); break;
		case '\b': strbuf_addch(sb, 'b'); break;
		case '\f': strbuf_addch(sb, 'f'); break;
		case '\n': strbuf_addch(sb, 'n'); break;
		case '\r': strbuf_addch(sb, 'r'); break;
		case '\t': strbuf_addch(sb, 't'); break;
		default:
			strbuf_add(sb, "u00", 3);
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
		p++;
	}
	strbuf_addch(sb, '"');
}

static void put_strn(struct strbuf *sb, const char *s, size_t n)
{
	char *t = xstrndup(s, n);

	put_str(sb, t);
	free(t);
}

static void put_str_or_null(struct strbuf *sb, const char *s)
{
	if (s)
		put_str(sb, s);
	else
		strbuf_add(sb, "null", 4);
}

/* ,"key": (no comma after an opening bracket) */
static void put_key(struct strbuf *sb, const char *key)
{
	char last = sb->len ? sb->buf[sb->len - 1] : '{';

	if (last != '{' && last != '[')
		strbuf_addch(sb, ',');
	strbuf_addch(sb, '"');
	strbuf_addstr(sb, key);
	strbuf_add(sb, "\":", 2);
}

static void put_num(struct strbuf *sb, size_t n)
{
	char buf[24], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + n % 10);
	while (n /= 10);
	strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/* a canonical value's JSON text as the catalog writes it: itself, read back and written again */
static void put_value(struct strbuf *sb, const char *text)
{
	json_t *v;
	char *s;

	if (!strstr(text, "\\u0000")) {	/* jansson reads every other text it wrote back to itself */
		strbuf_addstr(sb, text);
		return;
	}
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	if (!v)
		v = json_string(text);
	s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	strbuf_addstr(sb, s ? s : "null");
	free(s);
	json_decref(v);
}

/* ---- rules ---- */

enum { L_FIELD, L_FIELDOP, L_FIELDVAL, L_IND, L_EXCL, L_TECH, NLISTS };

struct cevent {
	uint32_t key;		/* "provider SEP event" */
	const char *title;	/* interned, or NULL */
};

struct match {
	uint32_t rule, shared, uni;	/* |A ∩ B|, |A ∪ B| */
};

struct crule {
	char *uid;
	const char *vendor;	/* interned, as the rule said it or "unknown" */
	const char *parse;	/* interned: ok, partial, failed, no_query */
	const char *source;	/* interned: the record's source and vendor strings, or NULL */
	const char *rec_vendor;
	int retired;		/* upstream retired it (rule/retired.h) */
	char *text;		/* the `rule` record as compact JSON, less `similar` */
	size_t len;
	struct cevent *events;
	size_t nevents;
	uint32_t *keys[NLISTS];
	uint32_t nkeys[NLISTS];
	struct match similar[2][SIMILAR_MAX];	/* [0] other vendors, [1] its own */
	unsigned char nsimilar[2];
};

enum issue { ISSUE_UNKNOWN, ISSUE_REVOKED, ISSUE_DEPRECATED, ISSUE_UNKNOWN_TACTIC, NISSUES };
static const char *const issue_names[NISSUES] = {
	"unknown", "revoked", "deprecated", "unknown_tactic"
};

struct catalog {
	const struct attack_db *db;
	struct intern in;
	struct crule *rules;
	size_t n, cap;
	struct hashmap uids;	/* uid → seen (keys are the rules' own uids) */
	struct table unmapped;	/* field → occurrences (rules field counts predicates) */
	size_t issues[NISSUES];
	int include_retired;	/* count retired rules with the live ones */
	size_t ntech;		/* technique records with counted rules */
	size_t ntech_records;	/* technique records written */
	int sorted;
};

struct catalog *catalog_new(const struct attack_db *db)
{
	struct catalog *c = xcalloc(1, sizeof(*c));

	c->db = db;
	return c;
}

void catalog_include_retired(struct catalog *c, int yes)
{
	c->include_retired = yes;
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

/* the canonical value as JSON text: "cmd.exe" and 20 stay apart */
static char *value_text(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s)
		msg_die("out of memory");
	return s;
}

/* "eq", "ne" for a negated eq, "not_OP" for another negated operator */
static char *op_label(const char *op, int negated)
{
	if (!negated)
		return xstrdup(op);
	if (strcmp(op, "eq") == 0)
		return xstrdup("ne");
	return xasprintf("not_%s", op);
}

static json_t *ids_of(const json_t *list, const char *key)
{
	json_t *out = json_array();
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const char *s = json_string_value(json_object_get(e, key));

		if (s)
			json_array_append_new(out, json_string(s));
	}
	return out;
}

/* a new reference: v when it is an array, else an empty one */
static json_t *array_or_empty(const json_t *v)
{
	return json_is_array(v) ? json_incref((json_t *)v) : json_array();
}

static void set_copy(json_t *dst, const json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	json_object_set(dst, key, v ? v : json_null());
}

/* the `rule` summary of a tagged rule: what the report needs, nothing more */
static json_t *summarize(const json_t *rec, const char *uid, const char *vendor, const char *status)
{
	static const char *const meta[] = {
		"description", "author", "date", "modified", "references", "falsepositives", "context",
		"risk_score"
	};
	const json_t *parse = json_object_get(rec, "parse");
	json_t *s = json_object();
	size_t i;

	json_object_set_new(s, "kind", json_string("rule"));
	json_object_set_new(s, "uid", json_string(uid));
	json_object_set_new(s, "vendor", json_string(vendor));
	set_copy(s, rec, "source");
	set_copy(s, rec, "path");
	if (json_string_value(json_object_get(rec, "url")))
		set_copy(s, rec, "url");
	set_copy(s, rec, "title");
	set_copy(s, rec, "status");
	set_copy(s, rec, "severity");
	set_copy(s, rec, "rule_type");
	set_copy(s, rec, "language");
	json_object_set_new(s, "techniques", ids_of(json_object_get(rec, "techniques"), "id"));
	json_object_set_new(s, "tactics", ids_of(json_object_get(rec, "tactics"), "shortname"));
	if (json_is_true(json_object_get(rec, "tactics_derived")))
		json_object_set_new(s, "tactics_derived", json_true());
	for (i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
		if (json_object_get(rec, meta[i]) && !json_is_null(json_object_get(rec, meta[i])))
			set_copy(s, rec, meta[i]);
	set_copy(s, rec, "events");
	json_object_set_new(s, "parse", json_pack("{s:s,s:o}", "status", status, "errors",
						  array_or_empty(json_object_get(parse, "errors"))));
	json_object_set_new(s, "attack_issues", array_or_empty(json_object_get(rec, "attack_issues")));
	set_copy(s, rec, "query");
	json_object_set_new(s, "predicates", array_or_empty(json_object_get(rec, "predicates")));
	return s;
}

static int all_strings(const json_t *a)
{
	const json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (!json_is_string(e))
			return 0;
	return 1;
}

static void add_key(struct catalog *c, struct idlist *l, struct strbuf *sb, uint32_t parent)
{
	idlist_add(l, intern_id(&c->in, sb->buf, parent));
}

static void boil_predicates(struct catalog *c, struct idlist *keys, const json_t *preds)
{
	struct strbuf sb = STRBUF_INIT;
	const json_t *p;
	size_t i;

	json_array_foreach(preds, i, p) {
		const char *field = json_string_value(json_object_get(p, "field"));
		const char *op = json_string_value(json_object_get(p, "op"));
		const json_t *value = json_object_get(p, "value");
		int negated = json_is_true(json_object_get(p, "negated"));
		int exclusion = json_is_true(json_object_get(p, "exclusion"));
		uint32_t fid;
		char *label, *vt;

		if (!field || !op || json_is_true(json_object_get(p, "computed")))
			continue;
		if (json_is_true(json_object_get(p, "unmapped")))
			table_get(&c->unmapped, &c->in, field)->rules++;
		fid = intern_id(&c->in, field, NONE);
		idlist_add(&keys[L_FIELD], fid);
		label = op_label(op, negated);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%c%s", field, SEP, label);
		add_key(c, &keys[L_FIELDOP], &sb, fid);
		free(label);
		if (!value || json_is_null(value))
			continue;
		vt = value_text(value);
		/* sample values are what rules look for, never what they exclude */
		if (!negated && !exclusion) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s%c%s", field, SEP, vt);
			add_key(c, &keys[L_FIELDVAL], &sb, fid);
		}
		if (exclusion || !negated) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s%c%s%c%s", field, SEP, op, SEP, vt);
			add_key(c, &keys[exclusion ? L_EXCL : L_IND], &sb, fid);
		}
		free(vt);
	}
	strbuf_release(&sb);
}

int catalog_add(struct catalog *c, const json_t *rec, char **err)
{
	const char *uid = json_string_value(json_object_get(rec, "uid"));
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	int summary = kind && strcmp(kind, "rule") == 0;
	const json_t *techs = json_object_get(rec, "techniques"), *e, *preds, *events;
	struct idlist keys[NLISTS];
	struct crule *r;
	json_t *s;
	size_t i, seen;

	*err = NULL;
	if (!json_is_object(rec) || !uid || !*uid) {
		*err = xstrdup(summary ? "not a rule record (no uid)" : "not a tagged rule (no uid)");
		return -1;
	}
	if (kind && !summary) {
		*err = xasprintf("%s: a %s record, not a rule", uid, kind);
		return -1;
	}
	if (!json_is_array(techs) || !json_is_array(json_object_get(rec, "events"))) {
		*err = xasprintf(summary ? "%s: not a rule record (no techniques or events)"
				 : "%s: not a tagged rule (no techniques or events: run detcat-tag first)", uid);
		return -1;
	}
	if (summary && !all_strings(techs)) {
		*err = xasprintf("%s: techniques of a rule record are ids", uid);
		return -1;
	}
	preds = json_object_get(rec, "predicates");
	if (preds && !json_is_array(preds)) {
		*err = xasprintf("%s: predicates is not an array", uid);
		return -1;
	}
	if (hashmap_get(&c->uids, uid, &seen)) {
		*err = xasprintf("%s: duplicate uid (the first one is kept)", uid);
		return 1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->rules = xrealloc(c->rules, c->cap * sizeof(*c->rules));
	}
	r = &c->rules[c->n++];
	memset(r, 0, sizeof(*r));
	r->uid = xstrdup(uid);
	hashmap_put(&c->uids, r->uid, c->n - 1);
	r->vendor = intern_str(&c->in, str_or(rec, "vendor", "unknown"));
	r->parse = intern_str(&c->in, str_or(json_object_get(rec, "parse"), "status", "failed"));

	if (summary) {
		/* from a partial or a catalog: the summary as it is, less what finish adds */
		s = json_copy((json_t *)rec);
		json_object_del(s, "similar");
		json_object_set_new(s, "parse", json_pack("{s:s,s:o}", "status", r->parse, "errors",
			array_or_empty(json_object_get(json_object_get(rec, "parse"), "errors"))));
		json_object_set_new(s, "attack_issues", array_or_empty(json_object_get(rec, "attack_issues")));
		json_object_set_new(s, "predicates", array_or_empty(preds));
	} else {
		s = summarize(rec, uid, r->vendor, r->parse);
	}
	{
		const char *why = rule_retired(r->vendor, json_string_value(json_object_get(s, "path")),
					       json_string_value(json_object_get(s, "status")));

		r->retired = why != NULL;
		json_object_set_new(s, "retired", json_boolean(r->retired));
		if (why)
			json_object_set_new(s, "retired_why", json_string(why));
		else
			json_object_del(s, "retired_why");
	}
	r->source = intern_str(&c->in, json_string_value(json_object_get(s, "source")));
	r->rec_vendor = intern_str(&c->in, json_string_value(json_object_get(s, "vendor")));

	json_array_foreach(json_object_get(s, "attack_issues"), i, e) {
		const char *issue = json_string_value(json_object_get(e, "issue"));
		int k;

		for (k = 0; issue && k < NISSUES; k++)
			if (strcmp(issue, issue_names[k]) == 0)
				c->issues[k]++;
	}
	memset(keys, 0, sizeof(keys));
	/* the rule's techniques and their parents (a parent counts its sub-techniques' rules) */
	json_array_foreach(techs, i, e) {
		const char *id = summary ? json_string_value(e) : json_string_value(json_object_get(e, "id"));
		const char *parent;

		if (!id)
			continue;
		if (summary) {
			const struct attack_technique *t = attack_db_technique(c->db, id);

			parent = t ? t->parent : NULL;
		} else {
			parent = json_string_value(json_object_get(e, "parent"));
		}
		idlist_add(&keys[L_TECH], intern_id(&c->in, id, NONE));
		if (parent)
			idlist_add(&keys[L_TECH], intern_id(&c->in, parent, NONE));
	}
	events = json_object_get(s, "events");
	r->events = xmalloc((json_array_size(events) ? json_array_size(events) : 1) * sizeof(*r->events));
	json_array_foreach(events, i, e) {
		const char *prov = json_string_value(json_object_get(e, "provider"));
		const char *ev = json_string_value(json_object_get(e, "event"));
		char *k;

		if (!prov || !ev)
			continue;
		k = xasprintf("%s%c%s", prov, SEP, ev);
		r->events[r->nevents].key = intern_id(&c->in, k, NONE);
		r->events[r->nevents++].title = intern_str(&c->in,
			json_string_value(json_object_get(e, "title")));
		free(k);
	}
	boil_predicates(c, keys, json_object_get(s, "predicates"));
	for (i = 0; i < NLISTS; i++) {
		idlist_uniq(&keys[i]);
		r->keys[i] = keys[i].v;
		r->nkeys[i] = (uint32_t)keys[i].n;
	}
	r->text = json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!r->text)
		msg_die("%s: cannot write the rule record as JSON", uid);
	r->len = strlen(r->text);
	json_decref(s);
	return 0;
}

/* ---- output ---- */

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct crule *)a)->uid, ((const struct crule *)b)->uid);
}

static void sort_rules(struct catalog *c)
{
	if (!c->sorted && c->n)
		qsort(c->rules, c->n, sizeof(*c->rules), cmp_rule);
	c->sorted = 1;
}

/* a key counted over a technique's rules */
struct krow {
	uint32_t id;
	uint32_t rules;		/* distinct rules */
	uint32_t off;		/* its rules in scratch.uids (indicators, exclusions) */
	uint32_t group;		/* field rows: ops and samples, the field's row */
	const char *key;
	const char *title;	/* events */
};

struct krows {
	struct krow *v;
	size_t n, cap;
};

/* what a technique record is counted in, kept from one technique to the next */
struct scratch {
	uint32_t *cnt;		/* key number → count or cursor; all zero between uses */
	uint32_t *pos;		/* key number → row + 1; all zero between uses */
	size_t nkeys;
	uint32_t *uids;		/* rule numbers of the rows with rules */
	size_t nuids, cap;
	struct krows rows[NLISTS], events;
};

static struct krow *krows_add(struct krows *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* most rules first, then by key */
static int cmp_krow_rules(const void *a, const void *b)
{
	const struct krow *x = a, *y = b;

	if (x->rules != y->rules)
		return x->rules > y->rules ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* within a field (its row), by key */
static int cmp_krow_group_key(const void *a, const void *b)
{
	const struct krow *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* within a field (its row), most rules first, then by key */
static int cmp_krow_group_rules(const void *a, const void *b)
{
	const struct krow *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return cmp_krow_rules(a, b);
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* events: provider, then event (numbers as numbers) */
static int cmp_krow_event(const void *a, const void *b)
{
	const char *x = ((const struct krow *)a)->key, *y = ((const struct krow *)b)->key;
	const char *xs = strchr(x, SEP), *ys = strchr(y, SEP);
	size_t xl = (size_t)(xs - x), yl = (size_t)(ys - y);
	int d = strncmp(x, y, xl < yl ? xl : yl);

	if (d)
		return d;
	if (xl != yl)
		return xl < yl ? -1 : 1;
	xs++, ys++;
	if (is_number(xs) && is_number(ys) && strlen(xs) != strlen(ys))
		return strlen(xs) < strlen(ys) ? -1 : 1;
	return strcmp(xs, ys);
}

/*
 * the distinct keys of list k over rules[], each with the number of rules that
 * have it and, with_uids, those rules (ascending) from scratch.uids[off]
 */
static void count_keys(const struct catalog *c, struct scratch *w, int k, const uint32_t *rules,
		       size_t n, int with_uids)
{
	struct krows *out = &w->rows[k];
	size_t i, j, total = 0;

	out->n = 0;
	for (i = 0; i < n; i++) {
		const struct crule *r = &c->rules[rules[i]];

		for (j = 0; j < r->nkeys[k]; j++)
			if (!w->cnt[r->keys[k][j]]++)
				krows_add(out)->id = r->keys[k][j];
	}
	for (i = 0; i < out->n; i++) {
		struct krow *row = &out->v[i];

		row->rules = w->cnt[row->id];
		row->key = c->in.s[row->id];
		row->off = (uint32_t)w->nuids + (uint32_t)total;
		total += row->rules;
		w->cnt[row->id] = with_uids ? row->off : 0;
	}
	if (!with_uids)
		return;
	if (w->nuids + total > w->cap) {
		w->cap = (w->nuids + total) * 2;
		w->uids = xrealloc(w->uids, w->cap * sizeof(*w->uids));
	}
	for (i = 0; i < n; i++) {
		const struct crule *r = &c->rules[rules[i]];

		for (j = 0; j < r->nkeys[k]; j++)
			w->uids[w->cnt[r->keys[k][j]]++] = rules[i];
	}
	w->nuids += total;
	for (i = 0; i < out->n; i++)
		w->cnt[out->v[i].id] = 0;
}

static void put_uids(struct strbuf *sb, const struct catalog *c, const uint32_t *rules, size_t n)
{
	size_t i;

	strbuf_addch(sb, '[');
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		put_str(sb, c->rules[rules[i]].uid);
	}
	strbuf_addch(sb, ']');
}

/* indicator or exclusion rows; reach NULL for exclusions */
static void put_triples(struct strbuf *sb, const struct catalog *c, const struct scratch *w,
			struct krows *rows, const uint32_t *reach)
{
	size_t i;

	if (rows->n)
		qsort(rows->v, rows->n, sizeof(*rows->v), cmp_krow_rules);
	strbuf_addch(sb, '[');
	for (i = 0; i < rows->n; i++) {
		const struct krow *r = &rows->v[i];
		const char *f = r->key, *o = strchr(f, SEP) + 1, *v = strchr(o, SEP) + 1;

		strbuf_add(sb, i ? ",{" : "{", i ? 2 : 1);
		put_key(sb, "field");
		put_strn(sb, f, (size_t)(o - 1 - f));
		put_key(sb, "op");
		put_strn(sb, o, (size_t)(v - 1 - o));
		put_key(sb, "value");
		put_value(sb, v);
		put_key(sb, "rules");
		put_num(sb, r->rules);
		if (reach) {
			put_key(sb, "reach");
			put_num(sb, reach[r->id]);
		}
		put_key(sb, "uids");
		put_uids(sb, c, w->uids + r->off, r->rules);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
}

/* fields by rules, each with its ops by name and its most used values */
static uint32_t field_row(const struct catalog *c, const struct scratch *w, uint32_t id)
{
	uint32_t f = c->in.parent[id];

	return f == NONE ? NONE : w->pos[f] - 1;	/* NONE when a hostile key names another field */
}

static void put_fields(struct strbuf *sb, const struct catalog *c, struct scratch *w)
{
	struct krows *fields = &w->rows[L_FIELD], *ops = &w->rows[L_FIELDOP], *vals = &w->rows[L_FIELDVAL];
	size_t i, o = 0, v = 0;

	if (fields->n)
		qsort(fields->v, fields->n, sizeof(*fields->v), cmp_krow_rules);
	for (i = 0; i < fields->n; i++)
		w->pos[fields->v[i].id] = (uint32_t)i + 1;
	for (i = 0; i < ops->n; i++)
		ops->v[i].group = field_row(c, w, ops->v[i].id);
	for (i = 0; i < vals->n; i++)
		vals->v[i].group = field_row(c, w, vals->v[i].id);
	for (i = 0; i < fields->n; i++)
		w->pos[fields->v[i].id] = 0;
	if (ops->n)
		qsort(ops->v, ops->n, sizeof(*ops->v), cmp_krow_group_key);
	if (vals->n)
		qsort(vals->v, vals->n, sizeof(*vals->v), cmp_krow_group_rules);
	strbuf_addch(sb, '[');
	for (i = 0; i < fields->n; i++) {
		size_t nsamples = 0;

		strbuf_add(sb, i ? ",{" : "{", i ? 2 : 1);
		put_key(sb, "field");
		put_str(sb, fields->v[i].key);
		put_key(sb, "rules");
		put_num(sb, fields->v[i].rules);
		put_key(sb, "ops");
		strbuf_addch(sb, '{');
		for (; o < ops->n && ops->v[o].group == i; o++) {
			if (sb->buf[sb->len - 1] != '{')
				strbuf_addch(sb, ',');
			put_str(sb, strrchr(ops->v[o].key, SEP) + 1);
			strbuf_addch(sb, ':');
			put_num(sb, ops->v[o].rules);
		}
		strbuf_addch(sb, '}');
		put_key(sb, "samples");
		strbuf_addch(sb, '[');
		for (; v < vals->n && vals->v[v].group == i; v++) {
			if (nsamples++ >= CATALOG_SAMPLES)
				continue;
			if (nsamples > 1)
				strbuf_addch(sb, ',');
			put_value(sb, strchr(vals->v[v].key, SEP) + 1);
		}
		strbuf_add(sb, "]}", 2);
	}
	strbuf_addch(sb, ']');
}

static int cmp_row_rules(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rules != y->rules)
		return x->rules > y->rules ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct vcount {
	const char *vendor;
	size_t rules;
};

static int cmp_vcount(const void *a, const void *b)
{
	return strcmp(((const struct vcount *)a)->vendor, ((const struct vcount *)b)->vendor);
}

/*
 * the `technique` record of id as one line of JSON into sb.
 * rules: the rules counted (live ones, or every one with include_retired);
 * retired: the retired rules left out of the counts, listed apart.
 */
static void put_technique(struct strbuf *sb, const struct catalog *c, struct scratch *w, const char *id,
			  const uint32_t *rules, size_t n, const uint32_t *retired, size_t nretired,
			  const uint32_t *reach, const unsigned char *close)
{
	const struct attack_technique *t = attack_db_technique(c->db, id);
	struct vcount vendors[16], *vv = vendors;
	size_t nvendors = 0, vcap = 16, i, j, close_other = 0, close_same = 0, nruids = 0;
	const char **ruids = xmalloc((n + nretired + 1) * sizeof(*ruids));
	struct krows *evs = &w->events;

	w->nuids = 0;
	evs->n = 0;
	for (i = 0; i < n; i++) {
		const struct crule *r = &c->rules[rules[i]];

		for (j = 0; j < nvendors && vv[j].vendor != r->vendor; j++)
			;
		if (j == nvendors) {
			if (nvendors == vcap) {
				struct vcount *big = xmalloc(2 * vcap * sizeof(*big));

				memcpy(big, vv, nvendors * sizeof(*big));
				if (vv != vendors)
					free(vv);
				vv = big;
				vcap *= 2;
			}
			vv[nvendors].vendor = r->vendor;
			vv[nvendors++].rules = 0;
		}
		vv[j].rules++;
		if (r->retired)	/* included: still listed apart */
			ruids[nruids++] = r->uid;
		close_other += close[rules[i]] & 1;
		close_same += (close[rules[i]] & 2) >> 1;
		for (j = 0; j < r->nevents; j++) {
			uint32_t k = r->events[j].key;
			struct krow *row;

			if (!w->pos[k]) {
				row = krows_add(evs);
				row->id = k;
				row->key = c->in.s[k];
				row->off = NONE;	/* the last rule counted */
				w->pos[k] = (uint32_t)evs->n;
			}
			row = &evs->v[w->pos[k] - 1];
			if (row->off == rules[i])
				continue;	/* the rule names the event twice */
			row->off = rules[i];
			row->rules++;
			if (!row->title)
				row->title = r->events[j].title;
		}
	}
	for (i = 0; i < evs->n; i++)
		w->pos[evs->v[i].id] = 0;
	count_keys(c, w, L_FIELD, rules, n, 0);
	count_keys(c, w, L_FIELDOP, rules, n, 0);
	count_keys(c, w, L_FIELDVAL, rules, n, 0);
	count_keys(c, w, L_IND, rules, n, 1);
	count_keys(c, w, L_EXCL, rules, n, 1);

	strbuf_reset(sb);
	strbuf_add(sb, "{\"kind\":\"technique\",\"id\":", 25);
	put_str(sb, id);
	put_key(sb, "name");
	put_str_or_null(sb, t ? t->name : NULL);
	put_key(sb, "tactics");
	strbuf_addch(sb, '[');
	for (i = 0; t && i < t->ntactics; i++) {
		if (i)
			strbuf_addch(sb, ',');
		put_str(sb, t->tactics[i]);
	}
	strbuf_addch(sb, ']');
	put_key(sb, "parent");
	put_str_or_null(sb, t ? t->parent : NULL);
	put_key(sb, "description");
	put_str_or_null(sb, t ? t->description : NULL);
	put_key(sb, "url");
	put_str_or_null(sb, t ? t->url : NULL);
	if (t && t->deprecated)	/* rules still state it (an attack_issue each) */
		strbuf_addstr(sb, ",\"deprecated\":true");
	if (t && t->revoked)
		strbuf_addstr(sb, ",\"revoked\":true");
	{
		int both = nruids && nretired;

		for (i = 0; i < nretired; i++)
			ruids[nruids++] = c->rules[retired[i]].uid;
		if (both)	/* both kinds: keep uids ascending */
			qsort(ruids, nruids, sizeof(*ruids), cmp_str);
	}
	put_key(sb, "rules");
	strbuf_add(sb, "{\"total\":", 9);
	put_num(sb, n);
	put_key(sb, "by_vendor");
	if (nvendors)
		qsort(vv, nvendors, sizeof(*vv), cmp_vcount);
	strbuf_addch(sb, '{');
	for (i = 0; i < nvendors; i++) {
		if (i)
			strbuf_addch(sb, ',');
		put_str(sb, vv[i].vendor);
		strbuf_addch(sb, ':');
		put_num(sb, vv[i].rules);
	}
	strbuf_addch(sb, '}');
	put_key(sb, "uids");
	put_uids(sb, c, rules, n);
	put_key(sb, "retired");
	strbuf_add(sb, "{\"total\":", 9);
	put_num(sb, nruids);
	strbuf_addstr(sb, c->include_retired ? ",\"counted\":true,\"uids\":[" : ",\"counted\":false,\"uids\":[");
	for (i = 0; i < nruids; i++) {
		if (i)
			strbuf_addch(sb, ',');
		put_str(sb, ruids[i]);
	}
	strbuf_add(sb, "]}}", 3);
	put_key(sb, "events");
	if (evs->n)
		qsort(evs->v, evs->n, sizeof(*evs->v), cmp_krow_event);
	strbuf_addch(sb, '[');
	for (i = 0; i < evs->n; i++) {
		const char *k = evs->v[i].key, *ev = strchr(k, SEP) + 1;

		strbuf_add(sb, i ? ",{" : "{", i ? 2 : 1);
		put_key(sb, "provider");
		put_strn(sb, k, (size_t)(ev - 1 - k));
		put_key(sb, "event");
		put_str(sb, ev);
		put_key(sb, "title");
		put_str_or_null(sb, evs->v[i].title);
		put_key(sb, "rules");
		put_num(sb, evs->v[i].rules);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
	put_key(sb, "fields");
	put_fields(sb, c, w);
	put_key(sb, "indicators");
	put_triples(sb, c, w, &w->rows[L_IND], reach);
	put_key(sb, "exclusions");
	put_triples(sb, c, w, &w->rows[L_EXCL], NULL);
	put_key(sb, "similar");
	strbuf_add(sb, "{\"min_percent\":", 15);
	put_num(sb, SIMILAR_CLOSE_PCT);
	put_key(sb, "other_vendors");
	put_num(sb, close_other);
	put_key(sb, "same_vendor");
	put_num(sb, close_same);
	strbuf_add(sb, "}}", 2);
	if (vv != vendors)
		free(vv);
	free(ruids);
}

static void put_matches(struct strbuf *sb, const struct catalog *c, const struct match *m, size_t n)
{
	size_t i;

	strbuf_addch(sb, '[');
	for (i = 0; i < n; i++) {
		const struct crule *r = &c->rules[m[i].rule];

		strbuf_add(sb, i ? ",{\"uid\":" : "{\"uid\":", i ? 8 : 7);
		put_str(sb, r->uid);
		put_key(sb, "vendor");
		put_str(sb, r->vendor);
		put_key(sb, "shared");
		put_num(sb, m[i].shared);
		put_key(sb, "union");
		put_num(sb, m[i].uni);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
}

/* the `rule` record of rule i: its summary, with `similar` unless a partial */
static void put_rule(struct strbuf *sb, const struct catalog *c, size_t i, int partial)
{
	const struct crule *r = &c->rules[i];

	strbuf_reset(sb);
	if (partial) {
		strbuf_add(sb, r->text, r->len);
		return;
	}
	strbuf_add(sb, r->text, r->len - 1);	/* less its closing brace */
	strbuf_add(sb, ",\"similar\":{\"other_vendors\":", 28);
	put_matches(sb, c, r->similar[0], r->nsimilar[0]);
	strbuf_add(sb, ",\"same_vendor\":", 15);
	put_matches(sb, c, r->similar[1], r->nsimilar[1]);
	strbuf_add(sb, "}}", 2);
}

static json_t *corpus_json(struct catalog *c, size_t ntech)
{
	static const char *const statuses[] = { "ok", "partial", "failed", "no_query" };
	json_t *o = json_object(), *parse = json_object(), *unmapped = json_array(), *issues;
	json_t *by_vendor = json_object();
	struct vcount *vv = xmalloc((c->n ? c->n : 1) * sizeof(*vv));
	size_t i, k, counts[4] = { 0 }, other = 0, retired = 0, nvendors = 0;

	for (i = 0; i < c->n; i++) {
		retired += c->rules[i].retired != 0;
		for (k = 0; k < nvendors && vv[k].vendor != c->rules[i].vendor; k++)
			;
		if (k == nvendors) {
			vv[nvendors].vendor = c->rules[i].vendor;
			vv[nvendors++].rules = 0;
		}
		vv[k].rules++;
		for (k = 0; k < 4; k++)
			if (strcmp(c->rules[i].parse, statuses[k]) == 0)
				break;
		if (k < 4)
			counts[k]++;
		else
			other++;
	}
	if (nvendors)
		qsort(vv, nvendors, sizeof(*vv), cmp_vcount);
	for (i = 0; i < nvendors; i++)
		json_object_set_new(by_vendor, vv[i].vendor, json_integer((json_int_t)vv[i].rules));
	free(vv);
	for (k = 0; k < 4; k++)
		json_object_set_new(parse, statuses[k], json_integer((json_int_t)counts[k]));
	if (other)
		json_object_set_new(parse, "other", json_integer((json_int_t)other));
	{
		struct table *u = &c->unmapped;

		if (u->n)	/* the rows move: no lookups from here on */
			qsort(u->rows, u->n, sizeof(*u->rows), cmp_row_rules);
		for (i = 0; i < u->n && i < CATALOG_UNMAPPED; i++)
			json_array_append_new(unmapped, json_pack("{s:s,s:I}", "field", u->rows[i].key,
								  "occurrences",
								  (json_int_t)u->rows[i].rules));
	}
	issues = json_object();
	for (k = 0; k < NISSUES; k++)
		json_object_set_new(issues, issue_names[k], json_integer((json_int_t)c->issues[k]));
	json_object_set_new(o, "kind", json_string("corpus"));
	json_object_set_new(o, "schema_version", json_integer(CATALOG_SCHEMA_VERSION));
	if (c->db && attack_db_version(c->db))
		json_object_set_new(o, "attack_version", json_string(attack_db_version(c->db)));
	json_object_set_new(o, "rules", json_pack("{s:I,s:o,s:I,s:b}", "total", (json_int_t)c->n,
						  "by_vendor", by_vendor,
						  "retired", (json_int_t)retired,
						  "retired_counted", c->include_retired));
	json_object_set_new(o, "parse", parse);
	json_object_set_new(o, "techniques_with_rules", json_integer((json_int_t)ntech));
	json_object_set_new(o, "unmapped_fields", unmapped);
	json_object_set_new(o, "unmapped_fields_distinct", json_integer((json_int_t)c->unmapped.n));
	json_object_set_new(o, "attack_issues", issues);
	return o;
}

/* ---- similar rules: Jaccard overlap of indicator sets ---- */

/* a before b: higher Jaccard, then more shared, then by uid */
static int match_before(const struct match *a, const struct match *b)
{
	uint64_t x = (uint64_t)a->shared * b->uni, y = (uint64_t)b->shared * a->uni;

	if (x != y)
		return x > y;
	if (a->shared != b->shared)
		return a->shared > b->shared;
	return a->rule < b->rule;
}

static void top_insert(struct match *top, unsigned char *n, const struct match *m)
{
	size_t i = *n < SIMILAR_MAX ? (*n)++ : SIMILAR_MAX;

	if (i == SIMILAR_MAX && !match_before(m, &top[SIMILAR_MAX - 1]))
		return;
	if (i == SIMILAR_MAX)
		i--;
	while (i > 0 && match_before(m, &top[i - 1])) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *m;
}

/* the rules (counted ones, ascending) with each indicator: rules[off[k] .. off[k + 1]) */
struct postings {
	uint32_t *off, *rules;
};

/*
 * For every rule, the rules whose indicator sets overlap its own most (Jaccard
 * |A ∩ B| / |A ∪ B| at least SIMILAR_MIN_PCT %): the SIMILAR_MAX best of other
 * vendors (counterparts) and of its own (near-duplicates), into the rule's
 * `similar`. close[i] gets bit 1 when rule i has another vendor's rule at
 * SIMILAR_CLOSE_PCT % or more, bit 2 for its own vendor's. Exact: the
 * intersections are counted through the postings of each indicator, so only
 * pairs that share one are ever looked at.
 */
static void find_similar(struct catalog *c, const struct postings *p, unsigned char *close)
{
	uint32_t *cnt = xcalloc(c->n ? c->n : 1, sizeof(*cnt));
	uint32_t *touched = xmalloc((c->n ? c->n : 1) * sizeof(*touched));
	size_t i, k, u;

	for (i = 0; i < c->n; i++) {
		struct crule *a = &c->rules[i];
		size_t nt = 0;

		for (k = 0; k < a->nkeys[L_IND]; k++) {
			uint32_t id = a->keys[L_IND][k];

			for (u = p->off[id]; u < p->off[id + 1]; u++)
				if (p->rules[u] != i && !cnt[p->rules[u]]++)
					touched[nt++] = p->rules[u];
		}
		for (k = 0; k < nt; k++) {
			uint32_t j = touched[k];
			struct match m = { j, cnt[j], a->nkeys[L_IND] + c->rules[j].nkeys[L_IND] - cnt[j] };
			int own = a->vendor == c->rules[j].vendor;

			cnt[j] = 0;
			if ((uint64_t)m.shared * 100 < (uint64_t)m.uni * SIMILAR_MIN_PCT)
				continue;
			if ((uint64_t)m.shared * 100 >= (uint64_t)m.uni * SIMILAR_CLOSE_PCT)
				close[i] |= own ? 2 : 1;
			top_insert(a->similar[own], &a->nsimilar[own], &m);
		}
	}
	free(cnt);
	free(touched);
}

struct techlist {
	uint32_t *rules;
	size_t n, cap;
	uint32_t *retired;	/* retired rules left out of the counts */
	size_t nr, rcap;
};

static void u32_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

int catalog_write(struct catalog *c, int partial, catalog_line_fn emit, void *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	struct scratch w;
	struct postings p = { NULL, NULL };
	struct techlist *techs;	/* by key number of the technique id */
	uint32_t *reach, *order;
	unsigned char *close, *done;
	size_t i, j, norder = 0, nk;
	int rc = 0;

	sort_rules(c);
	c->ntech = 0;
	if (partial) {
		for (i = 0; i < c->n && !rc; i++) {
			put_rule(&sb, c, i, 1);
			rc = emit(sb.buf, sb.len, ctx);
		}
		strbuf_release(&sb);
		return rc;
	}
	nk = c->in.n;
	memset(&w, 0, sizeof(w));
	w.cnt = xcalloc(nk + 1, sizeof(*w.cnt));
	w.pos = xcalloc(nk + 1, sizeof(*w.pos));
	w.nkeys = nk;
	techs = xcalloc(nk + 1, sizeof(*techs));
	order = xmalloc((nk + 1) * sizeof(*order));
	/* reach and postings over the counted rules, rules per technique (ascending) */
	reach = xcalloc(nk + 1, sizeof(*reach));
	p.off = xcalloc(nk + 2, sizeof(*p.off));
	for (i = 0; i < c->n; i++) {
		const struct crule *r = &c->rules[i];
		int apart = r->retired && !c->include_retired;

		if (!apart)
			for (j = 0; j < r->nkeys[L_IND]; j++)
				reach[r->keys[L_IND][j]]++;
		for (j = 0; j < r->nkeys[L_TECH]; j++) {
			struct techlist *t = &techs[r->keys[L_TECH][j]];

			if (!t->n && !t->nr)
				order[norder++] = r->keys[L_TECH][j];
			if (apart)
				u32_push(&t->retired, &t->nr, &t->rcap, (uint32_t)i);
			else
				u32_push(&t->rules, &t->n, &t->cap, (uint32_t)i);
		}
	}
	for (i = 0; i < nk; i++)
		p.off[i + 1] = p.off[i] + reach[i];
	p.rules = xmalloc((p.off[nk] ? p.off[nk] : 1) * sizeof(*p.rules));
	{
		uint32_t *fill = xmalloc((nk + 1) * sizeof(*fill));

		memcpy(fill, p.off, (nk + 1) * sizeof(*fill));
		for (i = 0; i < c->n; i++) {
			const struct crule *r = &c->rules[i];

			if (r->retired && !c->include_retired)
				continue;
			for (j = 0; j < r->nkeys[L_IND]; j++)
				p.rules[fill[r->keys[L_IND][j]]++] = (uint32_t)i;
		}
		free(fill);
	}
	close = xcalloc(c->n ? c->n : 1, 1);
	find_similar(c, &p, close);
	free(p.off);
	free(p.rules);
	/* ATT&CK order first, then ids the table does not know, by id */
	done = xcalloc(nk + 1, 1);
	for (i = 0; i < attack_db_ntechniques(c->db) && !rc; i++) {
		const struct attack_technique *at = attack_db_technique_at(c->db, i);
		size_t id;
		const struct techlist *t;

		if (!hashmap_get(&c->in.index, at->id, &id))
			continue;
		t = &techs[id];
		if ((!t->n && !t->nr) || done[id]++)
			continue;
		put_technique(&sb, c, &w, at->id, t->rules, t->n, t->retired, t->nr, reach, close);
		rc = emit(sb.buf, sb.len, ctx);
		c->ntech += t->n > 0;	/* with live rules */
		c->ntech_records++;
	}
	{
		const char **rest = xmalloc((norder ? norder : 1) * sizeof(*rest));
		size_t nrest = 0;

		for (i = 0; i < norder; i++)
			if (!done[order[i]])
				rest[nrest++] = c->in.s[order[i]];
		if (nrest)
			qsort(rest, nrest, sizeof(*rest), cmp_str);
		for (i = 0; i < nrest && !rc; i++) {
			size_t id;
			const struct techlist *t;

			hashmap_get(&c->in.index, rest[i], &id);
			t = &techs[id];
			put_technique(&sb, c, &w, rest[i], t->rules, t->n, t->retired, t->nr, reach, close);
			rc = emit(sb.buf, sb.len, ctx);
			c->ntech += t->n > 0;
			c->ntech_records++;
		}
		free(rest);
	}
	for (i = 0; i < c->n && !rc; i++) {
		put_rule(&sb, c, i, 0);
		rc = emit(sb.buf, sb.len, ctx);
	}
	for (i = 0; i < nk; i++) {
		free(techs[i].rules);
		free(techs[i].retired);
	}
	free(techs);
	free(order);
	free(done);
	free(reach);
	free(close);
	free(w.cnt);
	free(w.pos);
	free(w.uids);
	for (i = 0; i < NLISTS; i++)
		free(w.rows[i].v);
	free(w.events.v);
	strbuf_release(&sb);
	return rc;
}

json_t *catalog_corpus(struct catalog *c)
{
	return corpus_json(c, c->ntech);
}

size_t catalog_nrules(const struct catalog *c)
{
	return c->n;
}

size_t catalog_ntechniques(const struct catalog *c)
{
	return c->ntech_records;
}

void catalog_rule_origin(struct catalog *c, size_t i, const char **source, const char **vendor)
{
	sort_rules(c);
	*source = c->rules[i].source;
	*vendor = c->rules[i].rec_vendor;
}

static int to_array(const char *line, size_t len, void *ctx)
{
	json_error_t jerr;
	json_t *v = json_loadb(line, len, 0, &jerr);

	if (!v)
		msg_die("catalog: a record does not read back: %s", jerr.text);
	json_array_append_new(ctx, v);
	return 0;
}

json_t *catalog_partial(struct catalog *c)
{
	json_t *out = json_array();

	catalog_write(c, 1, to_array, out);
	return out;
}

json_t *catalog_finish(struct catalog *c)
{
	json_t *out = json_array();

	catalog_write(c, 0, to_array, out);
	json_array_append_new(out, catalog_corpus(c));
	return out;
}

void catalog_free(struct catalog *c)
{
	size_t i, k;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		struct crule *r = &c->rules[i];

		free(r->uid);
		free(r->text);
		free(r->events);
		for (k = 0; k < NLISTS; k++)
			free(r->keys[k]);
	}
	free(c->rules);
	hashmap_release(&c->uids);
	table_free(&c->unmapped);
	intern_release(&c->in);
	free(c);
}
