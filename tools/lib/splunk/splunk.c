/*
 * Splunk detections, metadata only: the YAML fields a record needs and the
 * data models the search names. The SPL itself is kept as written until there
 * is an SPL parser (spl.c, with macros.c for the `macro` expansions).
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
#include "rule/yamlrule.h"

#define NOT_PARSED "SPL queries are not parsed yet: metadata only"

/* a string onto the array ctx (invalid UTF-8 is left out) */
static void add_string(struct rule *r, void *ctx, const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);

	(void)r;
	if (v)
		json_array_append_new(ctx, v);
}

/* T####[.###] after trimming → attack.techniques; anything else → attack.other */
static void add_technique(struct rule *r, void *ctx, const char *s, size_t n)
{
	json_t *attack = ctx;
	char id[10];

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (rule_technique_id(s, n, id)) {
		json_array_append_new(json_object_get(attack, "techniques"), json_string(id));
		return;
	}
	if (n)
		add_string(r, json_object_get(attack, "other"), s, n);
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

static void detection(struct rule *r, const char *path, const struct ynode *root)
{
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
	rule_error_at(r, 0, 0, PARSE_FAILED, RC_NOT_PARSED, NOT_PARSED);
}

int splunk_parse_file(const char *source, const char *path, const char *text, size_t len,
		      const struct fieldmap *map, struct rule_list *rules_out)
{
	struct rule *r = rule_new("splunk", source, path);
	struct yamldoc ys;
	const struct ynode *root = NULL;
	size_t i;

	(void)map;
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
	detection(r, path, root);
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
	return splunk_parse_file(in->source, in->path, in->text, in->len, in->map, out);
}

const struct frontend splunk_frontend = { "splunk", classify, NULL, NULL, NULL, parse };
