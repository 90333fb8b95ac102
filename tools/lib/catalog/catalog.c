/*
 * catalog.c: the reduce of detcat-aggregate. See catalog.h.
 *
 * Each rule is boiled down once, when added, to sorted lists of distinct keys
 * (fields, field+op, field+value, indicator and exclusion triples, events), so
 * that counting a rule "at most once per row" is a plain increment per key.
 * Keys join their parts with US (0x1f), which sorts below every printable
 * character: comparing keys compares (field, op, value) in that order.
 */
#include "catalog/catalog.h"
#include "common/hashmap.h"
#include "common/util.h"
#include "rule/retired.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEP '\x1f'

/* ---- a string → row table: hash index over a vector of rows ---- */

struct row {
	char *key;
	size_t rules;
	size_t *uids;		/* rule indexes, ascending */
	size_t nuids, cap;
	const char *title;	/* events: borrowed from a rule record */
};

struct table {
	struct row *rows;
	size_t n, cap;
	struct hashmap index;	/* key → rows[]; keys are the rows' own */
};

/* the row for key, created empty when new */
static struct row *table_get(struct table *t, const char *key)
{
	size_t i;

	if (hashmap_get(&t->index, key, &i))
		return &t->rows[i];
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	t->rows[t->n].key = xstrdup(key);
	hashmap_put(&t->index, t->rows[t->n].key, t->n);
	return &t->rows[t->n++];
}

static struct row *table_find(const struct table *t, const char *key)
{
	size_t i;

	return hashmap_get(&t->index, key, &i) ? &t->rows[i] : NULL;
}

static void row_add_uid(struct row *r, size_t rule)
{
	if (r->nuids && r->uids[r->nuids - 1] == rule)
		return;
	if (r->nuids == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->uids = xrealloc(r->uids, r->cap * sizeof(*r->uids));
	}
	r->uids[r->nuids++] = rule;
}

/* sort the rows (no lookups afterwards: the index is stale) */
static void sort_rows(struct table *t, int (*cmp)(const void *, const void *))
{
	if (t->n)
		qsort(t->rows, t->n, sizeof(*t->rows), cmp);
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->rows[i].key);
		free(t->rows[i].uids);
	}
	free(t->rows);
	hashmap_release(&t->index);
	memset(t, 0, sizeof(*t));
}

/* ---- string lists ---- */

struct strlist {
	char **v;
	size_t n, cap;
};

static void strlist_add(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort and drop duplicates */
static void strlist_uniq(struct strlist *l)
{
	size_t i, k = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = 1; i < l->n; i++) {
		if (strcmp(l->v[i], l->v[k]) == 0)
			free(l->v[i]);
		else
			l->v[++k] = l->v[i];
	}
	l->n = k + 1;
}

static void strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- rules ---- */

enum { L_FIELD, L_FIELDOP, L_FIELDVAL, L_IND, L_EXCL, L_EVENT, L_TECH, NLISTS };

struct crule {
	char *uid;
	char *vendor;
	char *parse;		/* ok, partial, failed, no_query */
	int retired;		/* upstream retired it (rule/retired.h) */
	json_t *summary;	/* the `rule` record */
	json_t *events;		/* borrowed from summary */
	struct strlist keys[NLISTS];
};

enum issue { ISSUE_UNKNOWN, ISSUE_REVOKED, ISSUE_DEPRECATED, ISSUE_UNKNOWN_TACTIC, NISSUES };
static const char *const issue_names[NISSUES] = {
	"unknown", "revoked", "deprecated", "unknown_tactic"
};

struct catalog {
	const struct attack_db *db;
	struct crule *rules;
	size_t n, cap;
	struct table uids;	/* uid → seen */
	struct table unmapped;	/* field → occurrences (rules field counts predicates) */
	size_t issues[NISSUES];
	int include_retired;	/* count retired rules with the live ones */
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

static void boil_predicates(struct catalog *c, struct crule *r, const json_t *preds)
{
	const json_t *p;
	size_t i;

	json_array_foreach(preds, i, p) {
		const char *field = json_string_value(json_object_get(p, "field"));
		const char *op = json_string_value(json_object_get(p, "op"));
		const json_t *value = json_object_get(p, "value");
		int negated = json_is_true(json_object_get(p, "negated"));
		int exclusion = json_is_true(json_object_get(p, "exclusion"));
		char *label, *vt = NULL;

		if (!field || !op || json_is_true(json_object_get(p, "computed")))
			continue;
		if (json_is_true(json_object_get(p, "unmapped")))
			table_get(&c->unmapped, field)->rules++;
		strlist_add(&r->keys[L_FIELD], xstrdup(field));
		label = op_label(op, negated);
		strlist_add(&r->keys[L_FIELDOP], xasprintf("%s%c%s", field, SEP, label));
		free(label);
		if (value && !json_is_null(value)) {
			vt = value_text(value);
			/* sample values are what rules look for, never what they exclude */
			if (!negated && !exclusion)
				strlist_add(&r->keys[L_FIELDVAL], xasprintf("%s%c%s", field, SEP, vt));
			if (exclusion)
				strlist_add(&r->keys[L_EXCL],
					    xasprintf("%s%c%s%c%s", field, SEP, op, SEP, vt));
			else if (!negated)
				strlist_add(&r->keys[L_IND],
					    xasprintf("%s%c%s%c%s", field, SEP, op, SEP, vt));
			free(vt);
		}
	}
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

static int cmp_rule(const void *a, const void *b);

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

int catalog_add(struct catalog *c, const json_t *rec, char **err)
{
	const char *uid = json_string_value(json_object_get(rec, "uid"));
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	int summary = kind && strcmp(kind, "rule") == 0;
	const json_t *techs = json_object_get(rec, "techniques"), *e, *preds;
	struct row *seen;
	struct crule *r;
	json_t *s;
	size_t i;

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
	seen = table_get(&c->uids, uid);
	if (seen->rules++) {
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
	r->vendor = xstrdup(str_or(rec, "vendor", "unknown"));
	r->parse = xstrdup(str_or(json_object_get(rec, "parse"), "status", "failed"));

	if (summary) {
		/* from a partial or a catalog: the summary as it is, less what finish adds */
		s = json_deep_copy(rec);
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
	r->summary = s;
	r->events = json_object_get(s, "events");

	json_array_foreach(json_object_get(s, "attack_issues"), i, e) {
		const char *issue = json_string_value(json_object_get(e, "issue"));
		int k;

		for (k = 0; issue && k < NISSUES; k++)
			if (strcmp(issue, issue_names[k]) == 0)
				c->issues[k]++;
	}
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
		strlist_add(&r->keys[L_TECH], xstrdup(id));
		if (parent)
			strlist_add(&r->keys[L_TECH], xstrdup(parent));
	}
	json_array_foreach(r->events, i, e) {
		const char *prov = json_string_value(json_object_get(e, "provider"));
		const char *ev = json_string_value(json_object_get(e, "event"));

		if (prov && ev)
			strlist_add(&r->keys[L_EVENT], xasprintf("%s%c%s", prov, SEP, ev));
	}
	boil_predicates(c, r, json_object_get(s, "predicates"));
	for (i = 0; i < NLISTS; i++)
		strlist_uniq(&r->keys[i]);
	return 0;
}

json_t *catalog_partial(struct catalog *c)
{
	json_t *out = json_array();
	size_t i;

	if (c->n)
		qsort(c->rules, c->n, sizeof(*c->rules), cmp_rule);
	for (i = 0; i < c->n; i++)
		json_array_append(out, c->rules[i].summary);
	return out;
}

/* ---- output ---- */

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct crule *)a)->uid, ((const struct crule *)b)->uid);
}

static int cmp_row_rules(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rules != y->rules)
		return x->rules > y->rules ? -1 : 1;
	return strcmp(x->key, y->key);
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
static int cmp_row_event(const void *a, const void *b)
{
	const char *x = ((const struct row *)a)->key, *y = ((const struct row *)b)->key;
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

static json_t *parse_value(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v ? v : json_string(text);
}

static json_t *uids_json(const struct catalog *c, const struct row *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->nuids; i++)
		json_array_append_new(a, json_string(c->rules[r->uids[i]].uid));
	return a;
}

/* indicator or exclusion rows; reach NULL for exclusions */
static json_t *triples_json(const struct catalog *c, struct table *t, const struct table *reach)
{
	json_t *out = json_array();
	size_t i;

	sort_rows(t, cmp_row_rules);
	for (i = 0; i < t->n; i++) {
		const struct row *r = &t->rows[i];
		const char *f = r->key, *o = strchr(f, SEP) + 1, *v = strchr(o, SEP) + 1;
		json_t *row = json_object();

		json_object_set_new(row, "field", json_stringn(f, (size_t)(o - 1 - f)));
		json_object_set_new(row, "op", json_stringn(o, (size_t)(v - 1 - o)));
		json_object_set_new(row, "value", parse_value(v));
		json_object_set_new(row, "rules", json_integer((json_int_t)r->rules));
		if (reach) {
			const struct row *g = table_find(reach, r->key);

			json_object_set_new(row, "reach", json_integer(g ? (json_int_t)g->rules : 0));
		}
		json_object_set_new(row, "uids", uids_json(c, r));
		json_array_append_new(out, row);
	}
	return out;
}

static json_t *fields_json(struct table *fields, struct table *fieldops, struct table *fieldvals)
{
	json_t *out = json_array(), *byname = json_object();
	size_t i;

	sort_rows(fields, cmp_row_rules);
	for (i = 0; i < fields->n; i++) {
		json_t *row = json_pack("{s:s,s:I,s:{},s:[]}", "field", fields->rows[i].key,
					"rules", (json_int_t)fields->rows[i].rules, "ops", "samples");

		json_array_append_new(out, row);
		json_object_set(byname, fields->rows[i].key, row);
	}
	/* ops by name within a field */
	sort_rows(fieldops, cmp_str);
	for (i = 0; i < fieldops->n; i++) {
		const char *k = fieldops->rows[i].key, *op = strrchr(k, SEP) + 1;
		char *f = xstrndup(k, (size_t)(op - 1 - k));
		json_t *row = json_object_get(byname, f);

		json_object_set_new(json_object_get(row, "ops"), op,
				    json_integer((json_int_t)fieldops->rows[i].rules));
		free(f);
	}
	/* samples: the values most rules use, then by value */
	sort_rows(fieldvals, cmp_row_rules);
	for (i = 0; i < fieldvals->n; i++) {
		const char *k = fieldvals->rows[i].key, *v = strchr(k, SEP) + 1;
		char *f = xstrndup(k, (size_t)(v - 1 - k));
		json_t *samples = json_object_get(json_object_get(byname, f), "samples");

		if (json_array_size(samples) < CATALOG_SAMPLES)
			json_array_append_new(samples, parse_value(v));
		free(f);
	}
	json_decref(byname);
	return out;
}

static json_t *by_vendor_json(struct table *vendors)
{
	json_t *o = json_object();
	size_t i;

	sort_rows(vendors, cmp_str);
	for (i = 0; i < vendors->n; i++)
		json_object_set_new(o, vendors->rows[i].key,
				    json_integer((json_int_t)vendors->rows[i].rules));
	return o;
}

static void count_keys(struct table *t, const struct strlist *l, size_t rule, int keep_uids)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct row *r = table_get(t, l->v[i]);

		r->rules++;
		if (keep_uids)
			row_add_uid(r, rule);
	}
}

/*
 * rules: the rules counted (live ones, or every one with include_retired);
 * retired: the retired rules left out of the counts, listed apart.
 */
static json_t *technique_json(const struct catalog *c, const char *id, const size_t *rules,
			      size_t n, const size_t *retired, size_t nretired,
			      const struct table *reach, const unsigned char *close)
{
	const struct attack_technique *t = attack_db_technique(c->db, id);
	struct table vendors = { 0 }, events = { 0 }, fields = { 0 }, fieldops = { 0 },
		     fieldvals = { 0 }, inds = { 0 }, excls = { 0 };
	json_t *o = json_object(), *tactics = json_array(), *uids = json_array(), *evs;
	json_t *ruids = json_array();
	size_t i, j, close_other = 0, close_same = 0, ri = 0;

	for (i = 0; t && i < t->ntactics; i++)
		json_array_append_new(tactics, json_string(t->tactics[i]));
	for (i = 0; i < n; i++) {
		const struct crule *r = &c->rules[rules[i]];
		const json_t *e;

		table_get(&vendors, r->vendor)->rules++;
		json_array_append_new(uids, json_string(r->uid));
		if (r->retired) {	/* included: still listed apart */
			json_array_append_new(ruids, json_string(r->uid));
			ri++;
		}
		close_other += close[rules[i]] & 1;
		close_same += (close[rules[i]] & 2) >> 1;
		json_array_foreach(r->events, j, e) {
			const char *prov = json_string_value(json_object_get(e, "provider"));
			const char *ev = json_string_value(json_object_get(e, "event"));
			struct row *row;
			char *k;

			if (!prov || !ev)
				continue;
			k = xasprintf("%s%c%s", prov, SEP, ev);
			row = table_get(&events, k);
			free(k);
			if (row->nuids && row->uids[row->nuids - 1] == rules[i])
				continue;	/* the rule names the event twice */
			row_add_uid(row, rules[i]);
			row->rules++;
			if (!row->title)
				row->title = json_string_value(json_object_get(e, "title"));
		}
		count_keys(&fields, &r->keys[L_FIELD], rules[i], 0);
		count_keys(&fieldops, &r->keys[L_FIELDOP], rules[i], 0);
		count_keys(&fieldvals, &r->keys[L_FIELDVAL], rules[i], 0);
		count_keys(&inds, &r->keys[L_IND], rules[i], 1);
		count_keys(&excls, &r->keys[L_EXCL], rules[i], 1);
	}
	json_object_set_new(o, "kind", json_string("technique"));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "name", t ? json_string(t->name) : json_null());
	json_object_set_new(o, "tactics", tactics);
	json_object_set_new(o, "parent", t && t->parent ? json_string(t->parent) : json_null());
	json_object_set_new(o, "description", t && t->description ? json_string(t->description) : json_null());
	json_object_set_new(o, "url", t && t->url ? json_string(t->url) : json_null());
	if (t && t->deprecated)	/* rules still state it (an attack_issue each) */
		json_object_set_new(o, "deprecated", json_true());
	if (t && t->revoked)
		json_object_set_new(o, "revoked", json_true());
	for (i = 0; i < nretired; i++)
		json_array_append_new(ruids, json_string(c->rules[retired[i]].uid));
	if (ri && nretired) {	/* both kinds: keep uids ascending */
		json_t *sorted = json_array();
		const char **v = xmalloc(json_array_size(ruids) * sizeof(*v));
		const json_t *e;

		json_array_foreach(ruids, i, e)
			v[i] = json_string_value(e);
		qsort(v, json_array_size(ruids), sizeof(*v), cmp_str);
		for (i = 0; i < json_array_size(ruids); i++)
			json_array_append_new(sorted, json_string(v[i]));
		free(v);
		json_decref(ruids);
		ruids = sorted;
	}
	json_object_set_new(o, "rules", json_pack("{s:I,s:o,s:o,s:{s:I,s:b,s:o}}", "total", (json_int_t)n,
						  "by_vendor", by_vendor_json(&vendors),
						  "uids", uids, "retired", "total",
						  (json_int_t)json_array_size(ruids), "counted",
						  c->include_retired, "uids", ruids));
	evs = json_array();
	sort_rows(&events, cmp_row_event);
	for (i = 0; i < events.n; i++) {
		const char *k = events.rows[i].key, *ev = strchr(k, SEP) + 1;

		json_array_append_new(evs, json_pack("{s:s%,s:s,s:s?,s:I}",
						     "provider", k, (size_t)(ev - 1 - k),
						     "event", ev, "title", events.rows[i].title,
						     "rules", (json_int_t)events.rows[i].rules));
	}
	json_object_set_new(o, "events", evs);
	json_object_set_new(o, "fields", fields_json(&fields, &fieldops, &fieldvals));
	json_object_set_new(o, "indicators", triples_json(c, &inds, reach));
	json_object_set_new(o, "exclusions", triples_json(c, &excls, NULL));
	json_object_set_new(o, "similar", json_pack("{s:I,s:I,s:I}", "min_percent",
						    (json_int_t)SIMILAR_CLOSE_PCT, "other_vendors",
						    (json_int_t)close_other, "same_vendor",
						    (json_int_t)close_same));
	table_free(&vendors);
	table_free(&events);
	table_free(&fields);
	table_free(&fieldops);
	table_free(&fieldvals);
	table_free(&inds);
	table_free(&excls);
	return o;
}

static json_t *corpus_json(const struct catalog *c, size_t ntech)
{
	static const char *const statuses[] = { "ok", "partial", "failed", "no_query" };
	struct table vendors = { 0 };
	json_t *o = json_object(), *parse = json_object(), *unmapped = json_array(), *issues;
	size_t i, k, counts[4] = { 0 }, other = 0, retired = 0;

	for (i = 0; i < c->n; i++) {
		retired += c->rules[i].retired != 0;
		table_get(&vendors, c->rules[i].vendor)->rules++;
		for (k = 0; k < 4; k++)
			if (strcmp(c->rules[i].parse, statuses[k]) == 0)
				break;
		if (k < 4)
			counts[k]++;
		else
			other++;
	}
	for (k = 0; k < 4; k++)
		json_object_set_new(parse, statuses[k], json_integer((json_int_t)counts[k]));
	if (other)
		json_object_set_new(parse, "other", json_integer((json_int_t)other));
	{
		struct table *u = (struct table *)&c->unmapped;

		sort_rows(u, cmp_row_rules);
		/* the rows moved: no lookups from here on */
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
						  "by_vendor", by_vendor_json(&vendors),
						  "retired", (json_int_t)retired,
						  "retired_counted", c->include_retired));
	json_object_set_new(o, "parse", parse);
	json_object_set_new(o, "techniques_with_rules", json_integer((json_int_t)ntech));
	json_object_set_new(o, "unmapped_fields", unmapped);
	json_object_set_new(o, "unmapped_fields_distinct", json_integer((json_int_t)c->unmapped.n));
	json_object_set_new(o, "attack_issues", issues);
	table_free(&vendors);
	return o;
}

/* ---- similar rules: Jaccard overlap of indicator sets ---- */

struct match {
	size_t rule, shared, uni;	/* |A ∩ B|, |A ∪ B| */
};

/* a before b: higher Jaccard, then more shared, then by uid */
static int match_before(const struct match *a, const struct match *b)
{
	size_t x = a->shared * b->uni, y = b->shared * a->uni;

	if (x != y)
		return x > y;
	if (a->shared != b->shared)
		return a->shared > b->shared;
	return a->rule < b->rule;
}

static void top_insert(struct match *top, size_t *n, const struct match *m)
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

static json_t *matches_json(const struct catalog *c, const struct match *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I}", "uid", c->rules[m[i].rule].uid,
						   "vendor", c->rules[m[i].rule].vendor,
						   "shared", (json_int_t)m[i].shared,
						   "union", (json_int_t)m[i].uni));
	return a;
}

/*
 * For every rule, the rules whose indicator sets overlap its own most (Jaccard
 * |A ∩ B| / |A ∪ B| at least SIMILAR_MIN_PCT %): the SIMILAR_MAX best of other
 * vendors (counterparts) and of its own (near-duplicates), into the summary's
 * `similar`. close[i] gets bit 1 when rule i has another vendor's rule at
 * SIMILAR_CLOSE_PCT % or more, bit 2 for its own vendor's. Exact: the
 * intersections are counted through the postings of each indicator, so only
 * pairs that share one are ever looked at.
 */
static void find_similar(struct catalog *c, const struct table *postings, unsigned char *close)
{
	size_t *cnt = xcalloc(c->n ? c->n : 1, sizeof(*cnt));
	size_t *touched = xmalloc((c->n ? c->n : 1) * sizeof(*touched));
	size_t i, k, u;

	for (i = 0; i < c->n; i++) {
		const struct strlist *a = &c->rules[i].keys[L_IND];
		struct match other[SIMILAR_MAX], same[SIMILAR_MAX];
		size_t nt = 0, nother = 0, nsame = 0;
		json_t *o;

		for (k = 0; k < a->n; k++) {
			const struct row *r = table_find(postings, a->v[k]);

			for (u = 0; r && u < r->nuids; u++)
				if (r->uids[u] != i && !cnt[r->uids[u]]++)
					touched[nt++] = r->uids[u];
		}
		for (k = 0; k < nt; k++) {
			size_t j = touched[k];
			struct match m = { j, cnt[j], a->n + c->rules[j].keys[L_IND].n - cnt[j] };
			int own = strcmp(c->rules[i].vendor, c->rules[j].vendor) == 0;

			cnt[j] = 0;
			if (m.shared * 100 < m.uni * SIMILAR_MIN_PCT)
				continue;
			if (m.shared * 100 >= m.uni * SIMILAR_CLOSE_PCT)
				close[i] |= own ? 2 : 1;
			if (own)
				top_insert(same, &nsame, &m);
			else
				top_insert(other, &nother, &m);
		}
		o = json_object();
		json_object_set_new(o, "other_vendors", matches_json(c, other, nother));
		json_object_set_new(o, "same_vendor", matches_json(c, same, nsame));
		json_object_set_new(c->rules[i].summary, "similar", o);
	}
	free(cnt);
	free(touched);
}

struct techlist {
	char *id;
	size_t *rules;
	size_t n, cap;
	size_t *retired;	/* retired rules left out of the counts */
	size_t nr, rcap;
};

json_t *catalog_finish(struct catalog *c)
{
	json_t *out = json_array();
	struct table reach = { 0 }, techidx = { 0 }, done = { 0 };
	struct techlist *techs = NULL;
	size_t ntechs = 0, i, j, nrows = 0;
	unsigned char *close;

	if (c->n)
		qsort(c->rules, c->n, sizeof(*c->rules), cmp_rule);
	/* rule indexes per technique id (rules ascending), reach over every rule */
	for (i = 0; i < c->n; i++) {
		const struct strlist *l = &c->rules[i].keys[L_TECH];
		int apart = c->rules[i].retired && !c->include_retired;

		if (!apart)
			count_keys(&reach, &c->rules[i].keys[L_IND], i, 1);
		for (j = 0; j < l->n; j++) {
			struct row *r = table_get(&techidx, l->v[j]);
			struct techlist *t;

			if (!r->rules) {
				r->rules = ++ntechs;	/* index + 1 */
				techs = xrealloc(techs, ntechs * sizeof(*techs));
				memset(&techs[ntechs - 1], 0, sizeof(*techs));
				techs[ntechs - 1].id = r->key;
			}
			t = &techs[r->rules - 1];
			if (apart) {
				if (t->nr == t->rcap) {
					t->rcap = t->rcap ? t->rcap * 2 : 4;
					t->retired = xrealloc(t->retired, t->rcap * sizeof(*t->retired));
				}
				t->retired[t->nr++] = i;
				continue;
			}
			if (t->n == t->cap) {
				t->cap = t->cap ? t->cap * 2 : 8;
				t->rules = xrealloc(t->rules, t->cap * sizeof(*t->rules));
			}
			t->rules[t->n++] = i;
		}
	}
	close = xcalloc(c->n ? c->n : 1, 1);
	find_similar(c, &reach, close);
	/* ATT&CK order first, then ids the table does not know, by id */
	for (i = 0; i < attack_db_ntechniques(c->db); i++) {
		const struct attack_technique *at = attack_db_technique_at(c->db, i);
		const struct row *r = table_find(&techidx, at->id);
		struct row *d;

		if (!r)
			continue;
		d = table_get(&done, at->id);
		if (d->rules++)
			continue;
		json_array_append_new(out, technique_json(c, at->id, techs[r->rules - 1].rules,
							  techs[r->rules - 1].n, techs[r->rules - 1].retired,
							  techs[r->rules - 1].nr, &reach, close));
		nrows += techs[r->rules - 1].n > 0;	/* with live rules */
	}
	{
		struct strlist rest = { 0 };

		for (i = 0; i < ntechs; i++)
			if (!table_find(&done, techs[i].id))
				strlist_add(&rest, xstrdup(techs[i].id));
		strlist_uniq(&rest);
		for (i = 0; i < rest.n; i++) {
			const struct techlist *t = &techs[table_find(&techidx, rest.v[i])->rules - 1];

			json_array_append_new(out, technique_json(c, t->id, t->rules, t->n, t->retired, t->nr,
								  &reach, close));
			nrows += t->n > 0;
		}
		strlist_free(&rest);
	}
	for (i = 0; i < c->n; i++)
		json_array_append(out, c->rules[i].summary);
	json_array_append_new(out, corpus_json(c, nrows));
	for (i = 0; i < ntechs; i++) {
		free(techs[i].rules);
		free(techs[i].retired);
	}
	free(techs);
	table_free(&techidx);
	table_free(&done);
	table_free(&reach);
	free(close);
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
		free(r->vendor);
		free(r->parse);
		json_decref(r->summary);
		for (k = 0; k < NLISTS; k++)
			strlist_free(&r->keys[k]);
	}
	free(c->rules);
	table_free(&c->uids);
	table_free(&c->unmapped);
	free(c);
}
