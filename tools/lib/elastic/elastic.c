/*
 * Elastic detection-rules files: the metadata of one TOML file into one rule
 * record (elastic.h). toml.c reads the whole file; this file picks fields out
 * of the tree and checks their types. Query languages come in later steps.
 */
#include "elastic/elastic.h"

#include <string.h>

#include "common/util.h"
#include "elastic/query.h"
#include "elastic/toml.h"
#include "rule/pattern.h"
#include "rule/predicate.h"
#include "rule/rule.h"

/* Our names for the languages detection-rules uses (SPEC §3). */
static const char *const languages[] = { "kuery", "lucene", "eql", "esql", NULL };

static void set_uid(struct rule *r, const char *id, size_t n, const char *path)
{
	char *uid = id ? xasprintf("elastic:%.*s", (int)n, id)
		: xasprintf("elastic:%s", path ? path : "?");
	json_t *j = json_string(uid);

	/* a NUL cut the id short or the path is not UTF-8: fall back to a placeholder */
	json_object_set_new(r->rec, "uid", j ? j : json_string("elastic:?"));
	free(uid);
}

/* A string-valued key of table t (named `where` in messages); NULL when absent or not a string. */
static json_t *str_at(struct rule *r, const json_t *t, const char *where, const char *key)
{
	json_t *v = json_object_get(t, key);

	if (!v || json_is_string(v))
		return v;
	rule_error(r, 0, PARSE_PARTIAL, "'%s.%s' must be a string", where, key);
	return NULL;
}

/* Copy a string (borrowed from the TOML tree, shared by reference) into the record. */
static void set_text(struct rule *r, const char *out, const json_t *t, const char *where,
		     const char *key)
{
	json_t *v = str_at(r, t, where, key);

	if (v)
		json_object_set(r->rec, out, v);
}

/* A list of strings: a string counts as a list of one; anything else is an error. */
static json_t *string_list(struct rule *r, const json_t *t, const char *where, const char *key)
{
	json_t *v = json_object_get(t, key), *a = json_array(), *e;
	size_t i;

	if (!v)
		return a;
	if (json_is_string(v)) {
		json_array_append(a, v);
		return a;
	}
	if (!json_is_array(v)) {
		rule_error(r, 0, PARSE_PARTIAL, "'%s.%s' must be a list of strings", where, key);
		return a;
	}
	json_array_foreach(v, i, e) {
		if (json_is_string(e))
			json_array_append(a, e);
		else
			rule_error(r, 0, PARSE_PARTIAL, "'%s.%s' must hold strings only", where, key);
	}
	return a;
}

/* rule.author is a list in detection-rules; Sigma's record has one string. */
static void author(struct rule *r, const json_t *rule)
{
	json_t *list = string_list(r, rule, "rule", "author"), *e;
	struct strbuf sb;
	size_t i;

	if (json_array_size(list) == 0) {
		json_object_set_new(r->rec, "author", json_null());
		json_decref(list);
		return;
	}
	strbuf_init(&sb, 64);	/* buf set even for [""] */
	json_array_foreach(list, i, e) {
		if (i)
			strbuf_addstr(&sb, ", ");
		strbuf_add(&sb, json_string_value(e), json_string_length(e));
	}
	json_object_set_new(r->rec, "author", json_stringn(sb.buf, sb.len));
	json_decref(list);
	strbuf_release(&sb);
}

static void metadata(struct rule *r, const json_t *rule, const json_t *meta)
{
	json_t *v;

	set_text(r, "title", rule, "rule", "name");
	set_text(r, "description", rule, "rule", "description");
	set_text(r, "status", meta, "metadata", "maturity");
	set_text(r, "severity", rule, "rule", "severity");
	set_text(r, "rule_type", rule, "rule", "type");
	author(r, rule);
	json_object_set_new(r->rec, "date", json_null());
	set_text(r, "date", meta, "metadata", "creation_date");
	json_object_set_new(r->rec, "modified", json_null());
	set_text(r, "modified", meta, "metadata", "updated_date");
	json_object_set_new(r->rec, "references", string_list(r, rule, "rule", "references"));
	json_object_set_new(r->rec, "falsepositives",
			    string_list(r, rule, "rule", "false_positives"));
	json_object_set_new(r->rec, "tags", string_list(r, rule, "rule", "tags"));
	if ((v = json_object_get(rule, "risk_score"))) {
		if (json_is_number(v))
			json_object_set(r->rec, "risk_score", v);
		else
			rule_error(r, 0, PARSE_PARTIAL, "'rule.risk_score' must be a number");
	}
	set_text(r, "building_block_type", rule, "rule", "building_block_type");
	set_text(r, "deprecation_date", meta, "metadata", "deprecation_date");
}

/* ---- ATT&CK ---- */

static int is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Tnnnn or Tnnnn.nnn, exactly (the record's schema) */
static int is_technique_id(const char *s, size_t n)
{
	return (n == 5 || (n == 9 && s[5] == '.' && is_digits(s + 6, 3))) && s[0] == 'T' &&
		is_digits(s + 1, 4);
}

struct attack_acc {
	json_t *techniques, *tactics, *other;	/* borrowed from the record */
	json_t *seen;		/* 't', 'a' or 'o' + value → true: each once per list */
};

/* Append a trimmed copy of string v to list, once; a malformed technique id goes to other. */
static void attack_add(struct attack_acc *acc, json_t *list, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	char *key;

	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (!n)
		return;
	if (list == acc->techniques && !is_technique_id(s, n))
		list = acc->other;
	key = xmalloc(n + 2);
	key[0] = list == acc->techniques ? 't' : list == acc->tactics ? 'a' : 'o';
	memcpy(key + 1, s, n);
	key[n + 1] = '\0';
	if (!json_object_getn(acc->seen, key, n + 1)) {
		json_object_setn_new(acc->seen, key, n + 1, json_true());
		json_array_append_new(list, json_stringn(s, n));
	}
	free(key);
}

/* The ids of [[...technique]] entries and of their [[...subtechnique]] entries, in order. */
static void technique_ids(struct rule *r, struct attack_acc *acc, json_t *list, const json_t *entries,
			  int sub)
{
	const char *what = sub ? "rule.threat.technique.subtechnique" : "rule.threat.technique";
	const json_t *e;
	size_t i;

	if (!entries)
		return;
	if (!json_is_array(entries)) {
		rule_error(r, 0, PARSE_PARTIAL, "'%s' must be an array of tables", what);
		return;
	}
	json_array_foreach(entries, i, e) {
		json_t *id;

		if (!json_is_object(e)) {
			rule_error(r, 0, PARSE_PARTIAL, "'%s' must be an array of tables", what);
			continue;
		}
		if ((id = str_at(r, e, what, "id")))
			attack_add(acc, list, id);
		else if (!json_object_get(e, "id"))
			rule_error(r, 0, PARSE_PARTIAL, "a '%s' entry has no id", what);
		if (!sub)
			technique_ids(r, acc, list, json_object_get(e, "subtechnique"), 1);
	}
}

static void attack(struct rule *r, const json_t *rule)
{
	const json_t *threats = json_object_get(rule, "threat"), *t;
	json_t *rec = json_object_get(r->rec, "attack");
	struct attack_acc acc;
	size_t i;

	acc.techniques = json_object_get(rec, "techniques");
	acc.tactics = json_object_get(rec, "tactics");
	acc.other = json_array();
	acc.seen = json_object();
	json_object_set_new(rec, "other", acc.other);
	if (threats && !json_is_array(threats))
		rule_error(r, 0, PARSE_PARTIAL, "'rule.threat' must be an array of tables");
	json_array_foreach(threats, i, t) {
		const json_t *tactic = json_object_get(t, "tactic");
		json_t *fw, *name;
		int attack_fw;

		if (!json_is_object(t)) {
			rule_error(r, 0, PARSE_PARTIAL, "'rule.threat' must be an array of tables");
			continue;
		}
		/* another framework (MITRE ATLAS...): kept apart, as written */
		fw = str_at(r, t, "rule.threat", "framework");
		attack_fw = !fw || !strcmp(json_string_value(fw), "MITRE ATT&CK");
		if (tactic && !json_is_object(tactic))
			rule_error(r, 0, PARSE_PARTIAL, "'rule.threat.tactic' must be a table");
		else if ((name = str_at(r, tactic, "rule.threat.tactic", "name")))
			attack_add(&acc, attack_fw ? acc.tactics : acc.other, name);
		technique_ids(r, &acc, attack_fw ? acc.techniques : acc.other,
			      json_object_get(t, "technique"), 0);
	}
	json_decref(acc.seen);
}

/* ---- scope and query ---- */

static void context(struct rule *r, const json_t *rule, const json_t *meta)
{
	json_t *ctx = json_object_get(r->rec, "context");
	json_t *type = str_at(r, rule, "rule", "type");

	json_object_set_new(ctx, "index", string_list(r, rule, "rule", "index"));
	json_object_set_new(ctx, "integration", string_list(r, meta, "metadata", "integration"));
	json_object_set(ctx, "type", type ? type : json_null());
}

static void query(struct rule *r, struct pred_builder *pb, const json_t *rule)
{
	json_t *q = json_object_get(rule, "query");
	json_t *lang = str_at(r, rule, "rule", "language");
	const char *ours = NULL;
	const char *const *l;

	for (l = languages; lang && *l; l++)
		if (!strcmp(json_string_value(lang), *l))
			ours = *l;
	if (lang && !ours)
		rule_error(r, 0, PARSE_PARTIAL, "unknown language '%.60s'", json_string_value(lang));
	if (ours)
		json_object_set_new(r->rec, "language", json_string(ours));
	if (!q) {
		rule_set_no_query(r);	/* machine_learning rules have none */
		return;
	}
	if (!json_is_string(q)) {
		rule_error(r, 0, PARSE_FAILED, "'rule.query' must be a string");
		return;
	}
	json_object_set(r->rec, "query", q);
	if (!ours) {
		rule_error(r, 0, PARSE_FAILED, "a query in no known language is not parsed");
		return;
	}
	if (!strcmp(ours, "kuery"))
		kuery_parse(pb, r, json_string_value(q), json_string_length(q));
	else if (!strcmp(ours, "lucene"))
		lucene_parse(pb, r, json_string_value(q), json_string_length(q));
	else if (!strcmp(ours, "eql"))
		eql_parse(pb, r, json_string_value(q), json_string_length(q));
	else
		esql_parse(pb, r, json_string_value(q), json_string_length(q));
}

/* ---- [[rule.filters]]: Kibana filters ANDed with the query ---- */

/* An Elasticsearch wildcard query value: '*' any run, '?' one character, '\' escapes. */
static void wildcard_pattern(struct pattern *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			pattern_add_lit(p, s + ++i, 1);
		else if (s[i] == '*' || s[i] == '?')
			pattern_add_wild(p, s[i] == '*' ? PAT_STAR : PAT_ONE);
		else
			pattern_add_lit(p, s + i, 1);
	}
}

/* The only key of an object, or NULL (with *key) when it has not exactly one. */
static json_t *only_member(const json_t *o, const char **key)
{
	const char *k;
	json_t *v, *found = NULL;
	size_t n = 0;

	json_object_foreach((json_t *)o, k, v) {
		*key = k;
		found = v;
		n++;
	}
	return n == 1 ? found : NULL;
}

/*
 * One filter: meta.negate makes its predicate an exclusion; meta.disabled
 * leaves it out. Understood: query.wildcard.FIELD {value, case_insensitive},
 * exists {field} and query.exists {field}, query.match_phrase.FIELD (a
 * string or {query}). Anything else is a partial error naming it.
 */
static void filter(struct rule *r, struct pred_builder *pb, const json_t *f, size_t index)
{
	const json_t *meta = json_object_get(f, "meta"), *qy = json_object_get(f, "query");
	const json_t *ex = json_object_get(f, "exists"), *v, *body;
	struct pred_spec s;
	struct pattern pat;
	const char *field = NULL, *kind = NULL;

	if (!json_is_object(f)) {
		rule_error_at(r, 0, 0, PARSE_PARTIAL, RC_METADATA, "'rule.filters' must be an array of tables");
		return;
	}
	if (json_is_true(json_object_get(meta, "disabled")))
		return;
	pred_spec_init(&s);
	pattern_init(&pat);
	s.negated = json_is_true(json_object_get(meta, "negate"));
	if (!ex && json_is_object(qy))
		ex = json_object_get(qy, "exists");
	if (ex) {
		v = json_object_get(ex, "field");
		if (json_is_string(v)) {
			s.field = json_string_value(v);
			s.op = PRED_EXISTS;
			pb_add(pb, &s);
			goto out;
		}
		kind = "exists";
	} else if (json_is_object(qy) && (body = json_object_get(qy, "wildcard"))) {
		const json_t *w = json_is_object(body) ? only_member(body, &field) : NULL;

		v = json_is_object(w) ? json_object_get(w, "value") : w;
		if (field && json_is_string(v)) {
			wildcard_pattern(&pat, json_string_value(v), json_string_length(v));
			s.field = field;
			s.kind = PV_PATTERN;
			s.pat = &pat;
			s.ci = json_is_object(w) && json_is_true(json_object_get(w, "case_insensitive"));
			s.raw_value = json_string_value(v);
			s.raw_value_len = json_string_length(v);
			pb_add(pb, &s);
			goto out;
		}
		kind = "wildcard";
	} else if (json_is_object(qy) && (body = json_object_get(qy, "match_phrase"))) {
		const json_t *m = json_is_object(body) ? only_member(body, &field) : NULL;

		v = json_is_object(m) ? json_object_get(m, "query") : m;
		if (field && json_is_string(v)) {
			pattern_add_lit(&pat, json_string_value(v), json_string_length(v));
			s.field = field;
			s.op = PRED_MATCH;
			s.kind = PV_PATTERN;
			s.pat = &pat;
			s.raw_value = json_string_value(v);
			s.raw_value_len = json_string_length(v);
			pb_add(pb, &s);
			goto out;
		}
		kind = "match_phrase";
	}
	rule_error_at(r, 0, 0, PARSE_PARTIAL, RC_UNSUPPORTED,
		      "filter %zu of 'rule.filters' is not understood%s%s%s", index + 1,
		      kind ? " (a '" : "", kind ? kind : "", kind ? "' without its field or value)" : "");
out:
	pattern_release(&pat);
}

static void filters(struct rule *r, struct pred_builder *pb, const json_t *rule)
{
	const json_t *fs = json_object_get(rule, "filters"), *f;
	size_t i;

	if (!fs)
		return;
	if (!json_is_array(fs)) {
		rule_error_at(r, 0, 0, PARSE_PARTIAL, RC_METADATA, "'rule.filters' must be an array of tables");
		return;
	}
	json_array_foreach(fs, i, f)
		filter(r, pb, f, i);
}

/*
 * For a file that is not TOML: the first line `rule_id = "<uuid>"` still
 * names the record, so that one broken file keeps its uid across releases.
 */
static const char *scan_rule_id(const char *text, size_t len, size_t *n)
{
	static const char id_chars[] = "0123456789abcdefABCDEF-";
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end, *q = p + 7, *id;

		if (le - p > 7 && !memcmp(p, "rule_id", 7)) {
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (q < le && *q++ == '=') {
				while (q < le && (*q == ' ' || *q == '\t'))
					q++;
				if (q < le && *q == '"') {
					for (id = ++q; q < le && *q && strchr(id_chars, *q); q++)
						;
					if (q < le && *q == '"' && q > id) {
						*n = (size_t)(q - id);
						return id;
					}
				}
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

int elastic_parse_file(const char *source, const char *path, const char *text, size_t len,
		       const struct fieldmap *map, struct rule_list *rules_out)
{
	struct rule *r = rule_new("elastic", source, path);
	struct toml_error e;
	json_t *doc = NULL, *rule, *meta, *id;
	const char *sid;
	size_t n = 0;
	int errors;

	if (toml_load(text, len, &doc, &e) < 0) {
		sid = scan_rule_id(text, len, &n);
		set_uid(r, sid, n, path);
		rule_error(r, e.line, PARSE_FAILED, "invalid TOML: %s", e.msg);
		goto out;
	}
	rule = json_object_get(doc, "rule");
	if (!json_is_object(rule)) {
		set_uid(r, NULL, 0, path);
		rule_error(r, 0, PARSE_FAILED, "not a rule: no [rule] table");
		goto out;
	}
	meta = json_object_get(doc, "metadata");
	if (meta && !json_is_object(meta)) {
		rule_error(r, 0, PARSE_PARTIAL, "'metadata' must be a table");
		meta = NULL;
	}
	id = str_at(r, rule, "rule", "rule_id");
	if (id && json_string_length(id) > 0 && !memchr(json_string_value(id), '\0', json_string_length(id))) {
		set_uid(r, json_string_value(id), json_string_length(id), path);
	} else {
		set_uid(r, NULL, 0, path);
		rule_error(r, 0, PARSE_FAILED, "missing rule_id");
	}
	metadata(r, rule, meta);
	attack(r, rule);
	context(r, rule, meta);
	{
		static const char *const keys[] = { "language", "type" };
		const char *vals[2];
		struct pred_builder *pb;

		vals[0] = json_string_value(json_object_get(rule, "language"));
		vals[1] = json_string_value(json_object_get(rule, "type"));
		pb = pb_new(r, map, 2, keys, vals);
		query(r, pb, rule);
		filters(r, pb, rule);
		pb_free(pb);
	}
out:
	json_decref(doc);
	errors = rule_has_errors(r);
	rule_list_push(rules_out, r);
	return errors;
}

/* ---- the front end ---- */

/* A .toml file under a rules* folder, or anywhere with a top-level [rule] table. */
static enum fe_kind classify(const char *path, const char *text, size_t len)
{
	if (!fe_has_suffix(path, ".toml"))
		return FE_SKIP;
	if (fe_first_folder_is(path, "rules", 1) || fe_has_line(text, len, "[rule]"))
		return FE_RULE;
	return FE_SKIP;
}

static int parse(const struct fe_input *in, struct rule_list *out)
{
	return elastic_parse_file(in->source, in->path, in->text, in->len, in->map, out);
}

const struct frontend elastic_frontend = { "elastic", classify, NULL, NULL, NULL, parse };
