/*
 * Splunk detections: the YAML fields a record needs, the data models the
 * search names, and the search itself, its macros expanded (macros.c), read
 * into predicates (spl.c).
 */
#include "splunk/splunk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule/rule.h"
#include "common/util.h"
#include "io/yamldoc.h"
#include "rule/meta.h"
#include "rule/yamlrule.h"
#include "splunk/macros.h"
#include "splunk/spl.h"

/* a string onto the array ctx (invalid UTF-8 is left out) */
static void add_string(struct rule *r, void *ctx, const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);

	(void)r;
	if (v)
		json_array_append_new(ctx, v);
}

/* a technique id as stated: rule/meta's one policy (trimmed, once each) */
static void add_technique(struct rule *r, void *ctx, const char *s, size_t n)
{
	(void)ctx;
	meta_technique(r, s, n);
}

static int is_word_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Names a search may contribute (each is checked against all before it). */
#define SPLUNK_MAX_DATAMODELS 1000

static void add_unique(json_t *a, const char *s, size_t n)
{
	json_t *e;
	size_t i;

	if (json_array_size(a) >= SPLUNK_MAX_DATAMODELS)
		return;

	json_array_foreach(a, i, e)
		if (json_string_length(e) == n && memcmp(json_string_value(e), s, n) == 0)
			return;
	add_string(NULL, a, s, n);
}

/*
 * A lexical scan, not an SPL parse: words are read outside double-quoted
 * strings (SPL's only string literal; '...' names a field, backticks call a
 * macro), so `search "datamodel=X"` names no data model. The name after
 * datamodel= may itself be quoted: `from datamodel="Endpoint.Processes"`.
 */
void splunk_datamodels(const char *s, size_t n, json_t *names)
{
	size_t i = 0, pw = 0, pe = 0;	/* the word before: [pw, pe) */

	while (i < n) {
		size_t b, j, k;
		int after_from;

		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\' && i + 1 < n)
					i++;
			i++;
			continue;
		}
		if (!is_word_char(s[i])) {
			i++;
			continue;
		}
		for (b = i; i < n && is_word_char(s[i]); i++)
			;
		after_from = pe - pw == 4 && strncasecmp(s + pw, "from", 4) == 0;
		for (k = pe; after_from && k < b; k++)
			if (!isspace((unsigned char)s[k]))
				after_from = 0;
		pw = b;
		pe = i;
		/* a field such as Processes.datamodel is not the argument */
		if (i - b != 9 || strncasecmp(s + b, "datamodel", 9) != 0 || (b && s[b - 1] == '.'))
			continue;
		j = i;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < n && (s[j] == '=' || s[j] == ':')) {
			j++;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
		} else if (!after_from || j == i) {
			continue;
		}
		if (j < n && s[j] == '"') {
			for (k = ++j; k < n && s[k] != '"' && s[k] != '\n'; k++)
				;
			if (k > j)
				add_unique(names, s + j, k - j);
			i = k < n && s[k] == '"' ? k + 1 : k;
		} else {
			for (k = j; k < n && (is_word_char(s[k]) || s[k] == '.'); k++)
				;
			while (k > j && s[k - 1] == '.')
				k--;
			if (k > j)
				add_unique(names, s + j, k - j);
			i = k;
		}
		pw = pe = i;
	}
}

static void set_uid(struct rule *r, const char *path, const struct ynode *root)
{
	const struct ynode *n = ynode_get(root, "id");
	const char *id = yamlrule_text(n);
	char *uid;

	if (id && *id) {
		uid = xasprintf("splunk:%s", id);
	} else {
		rule_error(r, n ? n->line : 0, PARSE_PARTIAL, "missing id");
		uid = xasprintf("splunk:%s", path);
	}
	rule_set_str(r, "uid", uid);
	free(uid);
}

/*
 * The search with its macros expanded into x (the macros named go to the
 * context): 0, or -1 when the expansion failed (the rule failed with why).
 * An undefined macro makes the rule partial, naming it.
 */
static int expand_macros(struct rule *r, const struct splunk_macros *macros, const struct ynode *search,
			 struct splunk_expansion *x)
{
	json_t *ctx = json_object_get(r->rec, "context");
	json_t *names = json_array();
	size_t i;

	splunk_macros_expand(macros, search->str, search->len, x);
	for (i = 0; i < x->nused; i++)
		add_string(r, names, x->used[i], strlen(x->used[i]));
	json_object_set_new(ctx, "macros", names);
	splunk_expansion_report(x, r, search->line);
	return x->failed ? -1 : 0;
}

#define SPLUNK_MAX_SCOPE 32

/*
 * The search's predicates. Its fields are named in the scope of what it reads
 * (sourcetype, source, eventtype: the same field means different things in a
 * CloudTrail and a Windows event), which only a first reading finds out:
 * the search is read twice, first into a probe rule that is thrown away.
 */
static void predicates(struct rule *r, const struct fieldmap *map, const struct splunk_macros *macros,
		       unsigned line, const struct strbuf *spl)
{
	static const char *const scope_keys[] = { "sourcetype", "source", "eventtype" };
	const char *keys[SPLUNK_MAX_SCOPE], *vals[SPLUNK_MAX_SCOPE];
	struct rule *probe = rule_new("splunk", NULL, NULL);
	struct pred_builder *pb = pb_new(probe, NULL, 0, NULL, NULL);
	json_t *ctx, *v;
	size_t n = 0, i, k;

	spl_parse(pb, probe, spl->buf, spl->len, line, macros, 0, NULL, NULL);
	pb_free(pb);
	ctx = json_object_get(probe->rec, "context");
	for (k = 0; k < 3; k++)
		json_array_foreach(json_object_get(ctx, scope_keys[k]), i, v)
			if (n < SPLUNK_MAX_SCOPE) {
				keys[n] = scope_keys[k];
				vals[n++] = json_string_value(v);
			}
	pb = pb_new(r, map, n, keys, vals);
	spl_parse(pb, r, spl->buf, spl->len, line, macros, n, keys, vals);
	pb_free(pb);
	rule_free(probe);
}

static void detection(struct rule *r, const char *path, const struct ynode *root,
		      const struct fieldmap *map, const struct splunk_macros *macros)
{
	struct splunk_expansion x;
	const struct ynode *search = ynode_get(root, "search");
	const struct ynode *ds = ynode_get(root, "data_source");
	json_t *attack = json_object_get(r->rec, "attack");
	json_t *ctx = json_object_get(r->rec, "context");
	json_t *sources = json_array(), *models = json_array();

	set_uid(r, path, root);
	yamlrule_meta(r, "title", root, "name");
	yamlrule_meta(r, "description", root, "description");
	yamlrule_meta(r, "status", root, "status");
	yamlrule_meta(r, "severity", root, "severity");
	yamlrule_meta(r, "rule_type", root, "type");
	/* what a detection engineer reads first, as the detection states it (issue 13) */
	yamlrule_meta(r, "author", root, "author");
	yamlrule_meta(r, "date", root, "date");
	json_object_set_new(r->rec, "references", json_array());
	yamlrule_each(r, ynode_get(root, "references"), "references", add_string,
		      json_object_get(r->rec, "references"));
	json_object_set_new(r->rec, "falsepositives", json_array());
	yamlrule_each(r, ynode_get(root, "known_false_positives"), "known_false_positives", add_string,
		      json_object_get(r->rec, "falsepositives"));
	{	/* Splunk states no severity: its risk score is what ranks a detection */
		const char *rs = yamlrule_text(ynode_get(ynode_get(root, "tags"), "risk_score"));
		char *end;
		long long v = rs ? strtoll(rs, &end, 10) : 0;

		if (rs && *rs && !*end)
			json_object_set_new(r->rec, "risk_score", json_integer(v));
	}
	json_object_set_new(attack, "other", json_array());
	yamlrule_each(r, ynode_get(ynode_get(root, "tags"), "mitre_attack_id"), "mitre_attack_id",
		    add_technique, attack);
	if (!ds)
		ds = ynode_get(root, "data_sources");
	yamlrule_each(r, ds, "data_source", add_string, sources);
	json_object_set_new(ctx, "data_source", sources);
	json_object_set_new(ctx, "datamodel", models);
	if (!search || ynode_is_null(search)) {
		rule_error(r, 0, PARSE_FAILED, "not a detection: no 'search'");
		return;
	}
	if (!yamlrule_text(search)) {
		rule_error(r, search->line, PARSE_FAILED, "'search' must be text");
		return;
	}
	json_object_set_new(r->rec, "query", json_stringn(search->str, search->len));
	splunk_datamodels(search->str, search->len, models);
	if (expand_macros(r, macros, search, &x) == 0)
		predicates(r, map, macros, search->line, &x.out);
	splunk_expansion_release(&x);
}

int splunk_parse_file(const char *source, const char *path, const char *text, size_t len,
		      const struct fieldmap *map, const struct splunk_macros *macros,
		      struct rule_list *rules_out)
{
	struct rule *r = rule_new("splunk", source, path);
	struct yamldoc ys;
	const struct ynode *root = NULL;
	size_t i;

	json_object_set_new(r->rec, "language", json_string("spl"));
	if (yamldoc_load(&ys, text, len, NULL) < 0) {
		char *uid = xasprintf("splunk:%s", path);

		rule_set_str(r, "uid", uid);
		free(uid);
		rule_error(r, ys.err_line, PARSE_FAILED, "invalid YAML: %s", ys.err);
		goto out;
	}
	/* security_content keeps one detection per file; a second document is not expected */
	for (i = 0; i < ys.ndocs && !root; i++)
		root = ys.docs[i];
	if (!root || root->kind != YNODE_MAP) {
		char *uid = xasprintf("splunk:%s", path);

		rule_set_str(r, "uid", uid);
		free(uid);
		rule_error(r, root ? root->line : 0, PARSE_FAILED,
			   root ? "not a detection: not a map" : "not a detection: empty file");
		goto out;
	}
	detection(r, path, root, map, macros);
out:
	yamldoc_release(&ys);
	rule_list_push(rules_out, r);
	return rule_has_errors(r);
}

/* ---- the front end ---- */

/*
 * A detection: a .yml file in detections/, or a YAML file anywhere else with
 * a top-level `search:` that is not a baseline. Macro definitions (macros/,
 * or `definition:` files elsewhere) are support files.
 */
static enum fe_kind classify(const char *path, const char *text, size_t len)
{
	if (!fe_has_suffix(path, ".yml") && !fe_has_suffix(path, ".yaml"))
		return FE_SKIP;
	if (fe_first_folder_is(path, "detections", 0))
		return fe_has_suffix(path, ".yml") ? FE_RULE : FE_SKIP;
	if (fe_first_folder_is(path, "macros", 0))
		return FE_SUPPORT;
	if (fe_has_line(text, len, "search:") && !fe_has_line(text, len, "type: Baseline"))
		return FE_RULE;
	if (fe_has_line(text, len, "definition:") && fe_has_line(text, len, "name:"))
		return FE_SUPPORT;
	return FE_SKIP;
}

static int parse(const struct fe_input *in, struct rule_list *out)
{
	return splunk_parse_file(in->source, in->path, in->text, in->len, in->map, in->support, out);
}

static void *support_new(void)
{
	return splunk_macros_new();
}

static int support_add(void *support, const char *path, const char *text, size_t len,
		       struct fe_msg *msg)
{
	return splunk_macros_add(support, path, text, len, msg);
}

static void support_free(void *support)
{
	splunk_macros_free(support);
}

const struct frontend splunk_frontend = {
	"splunk", classify, support_new, support_add, support_free, parse
};
