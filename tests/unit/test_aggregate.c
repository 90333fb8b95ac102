/*
 * Unit tests for the catalog reduce (tools/lib/catalog/catalog.c, detcat-aggregate):
 * hand-made tagged rules over a four-technique ATT&CK table. A parent counts its
 * sub-techniques' rules; a rule counts once per row; reach spans techniques;
 * exclusions and computed filters stay out of indicators; the output does not
 * depend on the order rules come in; similar rules by Jaccard overlap; partial
 * aggregates merge to the same catalog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "attack/attack.h"
#include "catalog/catalog.h"
#include "common/util.h"

static const char *const table_lines =
	"{\"kind\":\"attack\",\"version\":\"test\"}\n"
	"{\"kind\":\"tactic\",\"id\":\"TA0002\",\"shortname\":\"execution\",\"name\":\"Execution\"}\n"
	"{\"kind\":\"technique\",\"id\":\"T1059\",\"name\":\"Command and Scripting Interpreter\","
	"\"tactics\":[\"execution\"],\"parent\":null,\"subtechnique\":false,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n"
	"{\"kind\":\"technique\",\"id\":\"T1204\",\"name\":\"User Execution\","
	"\"tactics\":[\"execution\"],\"parent\":null,\"subtechnique\":false,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n"
	"{\"kind\":\"technique\",\"id\":\"T1204.001\",\"name\":\"Malicious Link\","
	"\"tactics\":[\"execution\"],\"parent\":\"T1204\",\"subtechnique\":true,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n"
	"{\"kind\":\"technique\",\"id\":\"T1204.002\",\"name\":\"Malicious File\","
	"\"tactics\":[\"execution\"],\"parent\":\"T1204\",\"subtechnique\":true,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n";

static struct attack_db *db;

static int setup(void **state)
{
	char path[] = "/tmp/detcat-test-aggregate-XXXXXX", *err = NULL;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	fputs(table_lines, f);
	fclose(f);
	db = attack_db_load(path, &err);
	unlink(path);
	if (!db) {
		fprintf(stderr, "table: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	attack_db_free(db);
	return 0;
}

/* ---- building tagged rules ---- */

static json_t *tech(const char *id)
{
	const char *dot = strchr(id, '.');

	return json_pack("{s:s,s:s,s:[s],s:o}", "id", id, "name", "x", "tactics", "execution",
			 "parent", dot ? json_stringn(id, (size_t)(dot - id)) : json_null());
}

/* field:op:value, with flags after a second colon-free part: "n" negated, "x" exclusion,
 * "c" computed; e.g. pred("process.name", "eq", "cmd.exe", "") */
static json_t *pred(const char *field, const char *op, const char *value, const char *flags)
{
	int x = strchr(flags, 'x') != NULL;
	json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b}", "field", field, "raw_field", field,
			      "op", op, "value", value, "ci", 1, "negated",
			      x || strchr(flags, 'n') != NULL, "exclusion", x);

	if (strchr(flags, 'c'))
		json_object_set_new(p, "computed", json_true());
	return p;
}

/* a tagged rule; techs and preds are new references, consumed */
static json_t *rule(const char *uid, const char *vendor, json_t *techs, json_t *preds)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:{s:s,s:[]},s:[],s:[],s:[{s:s,s:s,s:s}]}",
			 "uid", uid, "vendor", vendor, "source", vendor, "path", "p", "title", uid,
			 "techniques", techs, "predicates", preds,
			 "parse", "status", "ok", "errors",
			 "tactics", "attack_issues",
			 "events", "provider", "Sysmon", "event", "1", "title", "Process creation");
}

static json_t *run(json_t **rules, size_t n)
{
	struct catalog *c = catalog_new(db);
	json_t *out;
	size_t i;

	for (i = 0; i < n; i++) {
		char *err = NULL;

		assert_int_equal(catalog_add(c, rules[i], &err), 0);
		free(err);
	}
	out = catalog_finish(c);
	catalog_free(c);
	return out;
}

static const json_t *technique(const json_t *out, const char *id)
{
	const json_t *r;
	size_t i;

	json_array_foreach(out, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "kind")), "technique") &&
		    !strcmp(json_string_value(json_object_get(r, "id")), id))
			return r;
	return NULL;
}

static const json_t *row(const json_t *t, const char *list, const char *field, const char *op,
			 const char *value)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(t, list), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "field")), field) &&
		    (!op || !strcmp(json_string_value(json_object_get(r, "op")), op)) &&
		    (!value || !strcmp(json_string_value(json_object_get(r, "value")), value)))
			return r;
	return NULL;
}

static long long ival(const json_t *o, const char *key)
{
	assert_non_null(o);
	return json_integer_value(json_object_get(o, key));
}

static void free_rules(json_t **rules, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_decref(rules[i]);
}

/* ---- tests ---- */

static void test_aggregate_parent_counts_its_subtechniques_rules_once(void **state)
{
	json_t *rules[3], *out;
	const json_t *t;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1204.001")), json_array());
	rules[1] = rule("elastic:b", "elastic", json_pack("[o]", tech("T1204.002")), json_array());
	rules[2] = rule("sigma:c", "sigma", json_pack("[o,o]", tech("T1204"), tech("T1204.001")),
			json_array());
	out = run(rules, 3);
	t = technique(out, "T1204");
	assert_int_equal(ival(json_object_get(t, "rules"), "total"), 3);
	assert_int_equal(ival(json_object_get(json_object_get(t, "rules"), "by_vendor"), "sigma"), 2);
	assert_int_equal(ival(json_object_get(json_object_get(t, "rules"), "by_vendor"), "elastic"), 1);
	assert_int_equal(ival(json_array_get(json_object_get(t, "events"), 0), "rules"), 3);
	assert_int_equal(ival(json_object_get(technique(out, "T1204.001"), "rules"), "total"), 2);
	assert_int_equal(ival(json_object_get(technique(out, "T1204.002"), "rules"), "total"), 1);
	assert_null(technique(out, "T1059"));	/* no rule, no record */
	/* ATT&CK order: T1204, T1204.001, T1204.002, then rules by uid, then corpus */
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "id")), "T1204");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 2), "id")),
			    "T1204.002");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 3), "uid")),
			    "elastic:b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 6), "kind")),
			    "corpus");
	assert_int_equal(json_array_size(out), 7);
	json_decref(out);
	free_rules(rules, 3);
}

static void test_aggregate_rule_counts_once_per_row_with_two_predicates_on_one_triple(void **state)
{
	json_t *rules[2], *out;
	const json_t *t, *f;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1059")),
			json_pack("[o,o,o]", pred("process.name", "eq", "cmd.exe", ""),
				  pred("process.name", "eq", "cmd.exe", ""),
				  pred("process.name", "contains", "cmd", "")));
	rules[1] = rule("sigma:b", "sigma", json_pack("[o]", tech("T1059")),
			json_pack("[o]", pred("process.name", "eq", "pwsh.exe", "")));
	out = run(rules, 2);
	t = technique(out, "T1059");
	assert_int_equal(ival(row(t, "indicators", "process.name", "eq", "cmd.exe"), "rules"), 1);
	assert_int_equal(ival(row(t, "indicators", "process.name", "eq", "cmd.exe"), "reach"), 1);
	f = row(t, "fields", "process.name", NULL, NULL);
	assert_int_equal(ival(f, "rules"), 2);
	assert_int_equal(ival(json_object_get(f, "ops"), "eq"), 2);
	assert_int_equal(ival(json_object_get(f, "ops"), "contains"), 1);
	assert_int_equal(json_array_size(json_object_get(f, "samples")), 3);
	assert_int_equal(json_array_size(json_object_get(t, "indicators")), 3);
	json_decref(out);
	free_rules(rules, 2);
}

static void test_aggregate_reach_counts_rules_of_every_technique_and_none(void **state)
{
	json_t *rules[3], *out;
	const json_t *i1, *i2;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1059")),
			json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	rules[1] = rule("splunk:b", "splunk", json_pack("[o]", tech("T1204.002")),
			json_pack("[o,o]", pred("process.name", "eq", "cmd.exe", ""),
				  pred("process.name", "eq", "rare.exe", "")));
	rules[2] = rule("kusto:c", "kusto", json_array(),
			json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	out = run(rules, 3);
	i1 = row(technique(out, "T1059"), "indicators", "process.name", "eq", "cmd.exe");
	i2 = row(technique(out, "T1204"), "indicators", "process.name", "eq", "cmd.exe");
	assert_int_equal(ival(i1, "rules"), 1);
	assert_int_equal(ival(i1, "reach"), 3);
	assert_int_equal(ival(i2, "rules"), 1);
	assert_int_equal(ival(i2, "reach"), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(i2, "uids"), 0)),
			    "splunk:b");
	assert_int_equal(ival(row(technique(out, "T1204"), "indicators", "process.name", "eq",
				  "rare.exe"), "reach"), 1);
	json_decref(out);
	free_rules(rules, 3);
}

static void test_aggregate_exclusions_are_apart_from_indicators(void **state)
{
	json_t *rules[2], *out;
	const json_t *t, *x;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o,o,o]", pred("process.name", "eq", "cmd.exe", ""),
				  pred("process.parent.name", "eq", "explorer.exe", "x"),
				  pred("process.command_line", "contains", "/safe", "n")));
	rules[1] = rule("sigma:b", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o,o]", pred("process.parent.name", "eq", "explorer.exe", "x"),
				  pred("process.parent.name", "eq", "explorer.exe", "x")));
	out = run(rules, 2);
	t = technique(out, "T1204");
	x = row(t, "exclusions", "process.parent.name", "eq", "explorer.exe");
	assert_int_equal(ival(x, "rules"), 2);
	assert_null(json_object_get(x, "reach"));
	assert_int_equal(json_array_size(json_object_get(t, "exclusions")), 1);
	assert_null(row(t, "indicators", "process.parent.name", NULL, NULL));
	assert_null(row(t, "indicators", "process.command_line", NULL, NULL));	/* negated */
	assert_int_equal(json_array_size(json_object_get(t, "indicators")), 1);
	/* the fields still show them, with their negation in "How" */
	assert_int_equal(ival(json_object_get(row(t, "fields", "process.parent.name", NULL, NULL),
					      "ops"), "ne"), 2);
	assert_int_equal(ival(json_object_get(row(t, "fields", "process.command_line", NULL, NULL),
					      "ops"), "not_contains"), 1);
	json_decref(out);
	free_rules(rules, 2);
}

static void test_aggregate_computed_predicates_are_left_out(void **state)
{
	json_t *rules[1], *out;
	const json_t *t;

	(void)state;
	rules[0] = rule("splunk:a", "splunk", json_pack("[o]", tech("T1059")),
			json_pack("[o,o]", pred("count", "gt", "20", "c"),
				  pred("process.name", "eq", "cmd.exe", "")));
	out = run(rules, 1);
	t = technique(out, "T1059");
	assert_null(row(t, "indicators", "count", NULL, NULL));
	assert_null(row(t, "fields", "count", NULL, NULL));
	assert_int_equal(json_array_size(json_object_get(t, "indicators")), 1);
	assert_int_equal(json_array_size(json_object_get(t, "fields")), 1);
	json_decref(out);
	free_rules(rules, 1);
}

static void test_aggregate_rows_sort_by_rules_then_field_op_value(void **state)
{
	json_t *rules[3], *out;
	const json_t *ind;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1059")),
			json_pack("[o,o]", pred("b", "eq", "2", ""), pred("a", "eq", "9", "")));
	rules[1] = rule("sigma:b", "sigma", json_pack("[o]", tech("T1059")),
			json_pack("[o,o]", pred("b", "eq", "2", ""), pred("a", "eq", "1", "")));
	rules[2] = rule("sigma:c", "sigma", json_pack("[o]", tech("T1059")),
			json_pack("[o]", pred("a", "contains", "1", "")));
	out = run(rules, 3);
	ind = json_object_get(technique(out, "T1059"), "indicators");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ind, 0), "field")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ind, 1), "op")),
			    "contains");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ind, 2), "value")), "1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ind, 3), "value")), "9");
	json_decref(out);
	free_rules(rules, 3);
}

static void test_aggregate_output_does_not_depend_on_input_order(void **state)
{
	json_t *rules[4], *rev[4], *a, *b;
	char *ta, *tb;
	size_t i;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1204.001")),
			json_pack("[o,o]", pred("process.name", "eq", "cmd.exe", ""),
				  pred("file.name", "ends_with", ".lnk", "x")));
	rules[1] = rule("elastic:b", "elastic", json_pack("[o,o]", tech("T1059"), tech("T1204")),
			json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	rules[2] = rule("splunk:c", "splunk", json_pack("[o]", tech("T1204.002")),
			json_pack("[o,o]", pred("process.name", "eq", "wscript.exe", ""),
				  pred("file.name", "ends_with", ".lnk", "x")));
	rules[3] = rule("kusto:d", "kusto", json_array(), json_array());
	for (i = 0; i < 4; i++)
		rev[i] = rules[3 - i];
	a = run(rules, 4);
	b = run(rev, 4);
	ta = json_dumps(a, JSON_COMPACT);
	tb = json_dumps(b, JSON_COMPACT);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	free_rules(rules, 4);
}

static void test_aggregate_duplicate_uids_and_non_rules_are_refused(void **state)
{
	struct catalog *c = catalog_new(db);
	json_t *r = rule("sigma:a", "sigma", json_array(), json_array());
	json_t *bad = json_pack("{s:s}", "uid", "sigma:x"), *out;
	char *err = NULL;

	(void)state;
	assert_int_equal(catalog_add(c, r, &err), 0);
	assert_int_equal(catalog_add(c, r, &err), 1);
	assert_non_null(strstr(err, "duplicate uid"));
	free(err);
	assert_int_equal(catalog_add(c, bad, &err), -1);
	assert_non_null(strstr(err, "detcat-tag"));
	free(err);
	out = catalog_finish(c);
	assert_int_equal(json_array_size(out), 2);	/* one rule, the corpus */
	assert_int_equal(ival(json_object_get(json_array_get(out, 1), "rules"), "total"), 1);
	json_decref(out);
	catalog_free(c);
	json_decref(r);
	json_decref(bad);
}

static const json_t *rule_rec(const json_t *out, const char *uid)
{
	const json_t *r;
	size_t i;

	json_array_foreach(out, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "kind")), "rule") &&
		    !strcmp(json_string_value(json_object_get(r, "uid")), uid))
			return r;
	return NULL;
}

static json_t *preds3(const char *a, const char *b, const char *c)
{
	json_t *l = json_array();

	if (a)
		json_array_append_new(l, pred("process.name", "eq", a, ""));
	if (b)
		json_array_append_new(l, pred("process.name", "eq", b, ""));
	if (c)
		json_array_append_new(l, pred("process.name", "eq", c, ""));
	return l;
}

/*
 * sigma:a {x,y,z}; elastic:b {x,y,z} (Jaccard 1); splunk:c {x,y,w} (2/4 = 50 %);
 * sigma:d {x, not-y as an exclusion} (indicators {x}: 1/3 with a, under 50 %);
 * kusto:e {q} shares nothing. Exclusions are not part of the sets.
 */
static void test_aggregate_similar_rules_by_jaccard_of_indicators(void **state)
{
	json_t *rules[5], *out;
	const json_t *a, *sim, *m, *t;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1204")), preds3("x", "y", "z"));
	rules[1] = rule("elastic:b", "elastic", json_pack("[o]", tech("T1204")), preds3("z", "y", "x"));
	rules[2] = rule("splunk:c", "splunk", json_pack("[o]", tech("T1059")), preds3("x", "y", "w"));
	rules[3] = rule("sigma:d", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o,o]", pred("process.name", "eq", "x", ""),
				  pred("process.name", "eq", "y", "x")));
	rules[4] = rule("kusto:e", "kusto", json_array(), preds3("q", NULL, NULL));
	out = run(rules, 5);

	a = rule_rec(out, "sigma:a");
	sim = json_object_get(a, "similar");
	assert_int_equal(json_array_size(json_object_get(sim, "other_vendors")), 2);
	m = json_array_get(json_object_get(sim, "other_vendors"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "uid")), "elastic:b");
	assert_int_equal(ival(m, "shared"), 3);
	assert_int_equal(ival(m, "union"), 3);
	m = json_array_get(json_object_get(sim, "other_vendors"), 1);
	assert_string_equal(json_string_value(json_object_get(m, "uid")), "splunk:c");
	assert_int_equal(ival(m, "shared"), 2);
	assert_int_equal(ival(m, "union"), 4);
	/* d: {x} against {x,y,z} is 1/3: listed (from 25 %), not close */
	m = json_array_get(json_object_get(sim, "same_vendor"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "uid")), "sigma:d");
	assert_int_equal(ival(m, "shared"), 1);
	assert_int_equal(ival(m, "union"), 3);
	assert_int_equal(json_array_size(json_object_get(json_object_get(rule_rec(out, "kusto:e"),
		"similar"), "other_vendors")), 0);

	/* T1204: a and b have a close counterpart, d has none; no close same-vendor pair */
	t = technique(out, "T1204");
	assert_int_equal(ival(json_object_get(t, "similar"), "other_vendors"), 2);
	assert_int_equal(ival(json_object_get(t, "similar"), "same_vendor"), 0);
	assert_int_equal(ival(json_object_get(t, "similar"), "min_percent"), 50);
	json_decref(out);
	free_rules(rules, 5);
}

/* partials of any split, merged, give the catalog of all the rules at once */
static void test_aggregate_partials_merge_to_the_same_catalog(void **state)
{
	json_t *rules[4], *whole, *parts[2], *merged;
	struct catalog *c;
	char *tw, *tm, *err = NULL;
	size_t i, k;
	const json_t *r;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1204.001")), preds3("x", "y", NULL));
	rules[1] = rule("elastic:b", "elastic", json_pack("[o]", tech("T1204")), preds3("x", "y", NULL));
	rules[2] = rule("splunk:c", "splunk", json_pack("[o]", tech("T1059")),
			json_pack("[o]", pred("file.name", "ends_with", ".lnk", "x")));
	rules[3] = rule("sigma:d", "sigma", json_array(), preds3("x", NULL, NULL));
	whole = run(rules, 4);
	for (k = 0; k < 2; k++) {
		c = catalog_new(db);
		for (i = k; i < 4; i += 2)
			assert_int_equal(catalog_add(c, rules[i], &err), 0);
		parts[k] = catalog_partial(c);
		catalog_free(c);
		json_array_foreach(parts[k], i, r) {
			assert_string_equal(json_string_value(json_object_get(r, "kind")), "rule");
			assert_null(json_object_get(r, "similar"));
		}
	}
	c = catalog_new(db);
	for (k = 2; k-- > 0;)
		json_array_foreach(parts[k], i, r)
			assert_int_equal(catalog_add(c, r, &err), 0);
	merged = catalog_finish(c);
	catalog_free(c);
	tw = json_dumps(whole, JSON_COMPACT);
	tm = json_dumps(merged, JSON_COMPACT);
	assert_string_equal(tw, tm);

	/* a whole catalog's rule records merge to itself (their `similar` is recomputed) */
	c = catalog_new(db);
	json_array_foreach(whole, i, r) {
		int rule_kind = !strcmp(json_string_value(json_object_get(r, "kind")), "rule");

		assert_int_equal(catalog_add(c, r, &err), rule_kind ? 0 : -1);
		free(err);
		err = NULL;
	}
	json_decref(merged);
	merged = catalog_finish(c);
	catalog_free(c);
	free(tm);
	tm = json_dumps(merged, JSON_COMPACT);
	assert_string_equal(tw, tm);
	free(tw);
	free(tm);
	json_decref(whole);
	json_decref(merged);
	json_decref(parts[0]);
	json_decref(parts[1]);
	free_rules(rules, 4);
}

/* a rule upstream retired, by folder or by status */
static json_t *retired_rule(const char *uid, const char *vendor, const char *path, const char *status,
			    json_t *techs, json_t *preds)
{
	json_t *r = rule(uid, vendor, techs, preds);

	json_object_set_new(r, "path", json_string(path));
	json_object_set_new(r, "status", json_string(status));
	return r;
}

static const json_t *rule_record(const json_t *out, const char *uid)
{
	const json_t *r;
	size_t i;

	json_array_foreach(out, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "kind")), "rule") &&
		    !strcmp(json_string_value(json_object_get(r, "uid")), uid))
			return r;
	return NULL;
}

static void test_aggregate_retired_rules_are_listed_apart_and_not_counted(void **state)
{
	json_t *rules[4], *out;
	const json_t *t, *rt, *corpus;

	(void)state;
	rules[0] = rule("sigma:live", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	rules[1] = retired_rule("sigma:old", "sigma", "deprecated/windows/x.yml", "test",
				json_pack("[o]", tech("T1204")),
				json_pack("[o,o]", pred("process.name", "eq", "cmd.exe", ""),
					  pred("process.name", "eq", "old.exe", "")));
	rules[2] = retired_rule("elastic:old", "elastic", "rules/windows/x.toml", "deprecated",
				json_pack("[o]", tech("T1204.001")),
				json_pack("[o]", pred("file.name", "eq", "x.lnk", "")));
	rules[3] = retired_rule("splunk:old", "splunk", "detections/endpoint/x.yml", "deprecated",
				json_pack("[o]", tech("T1059")), json_array());
	out = run(rules, 4);
	t = technique(out, "T1204");
	assert_int_equal(ival(json_object_get(t, "rules"), "total"), 1);
	assert_int_equal(json_array_size(json_object_get(json_object_get(t, "rules"), "uids")), 1);
	assert_null(json_object_get(json_object_get(json_object_get(t, "rules"), "by_vendor"), "elastic"));
	rt = json_object_get(json_object_get(t, "rules"), "retired");
	assert_int_equal(ival(rt, "total"), 2);
	assert_false(json_is_true(json_object_get(rt, "counted")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(rt, "uids"), 0)), "elastic:old");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rt, "uids"), 1)), "sigma:old");
	/* nothing of the retired rules in fields, indicators or reach */
	assert_null(row(t, "indicators", "process.name", "eq", "old.exe"));
	assert_null(row(t, "fields", "file.name", NULL, NULL));
	assert_int_equal(ival(row(t, "indicators", "process.name", "eq", "cmd.exe"), "reach"), 1);
	assert_int_equal(ival(row(t, "fields", "process.name", NULL, NULL), "rules"), 1);
	/* a technique with only retired rules keeps its record, with 0 live rules */
	assert_int_equal(ival(json_object_get(technique(out, "T1059"), "rules"), "total"), 0);
	assert_int_equal(ival(json_object_get(json_object_get(technique(out, "T1059"), "rules"), "retired"),
			      "total"), 1);
	/* each rule record says whether and why */
	assert_true(json_is_true(json_object_get(rule_record(out, "sigma:old"), "retired")));
	assert_string_equal(json_string_value(json_object_get(rule_record(out, "sigma:old"), "retired_why")),
			    "in the deprecated/ folder");
	assert_string_equal(json_string_value(json_object_get(rule_record(out, "elastic:old"), "status")),
			    "deprecated");
	assert_false(json_is_true(json_object_get(rule_record(out, "sigma:live"), "retired")));
	assert_null(json_object_get(rule_record(out, "sigma:live"), "retired_why"));
	corpus = json_array_get(out, json_array_size(out) - 1);
	assert_int_equal(ival(json_object_get(corpus, "rules"), "total"), 4);
	assert_int_equal(ival(json_object_get(corpus, "rules"), "retired"), 3);
	assert_int_equal(ival(corpus, "techniques_with_rules"), 1);	/* T1204 only has live rules */
	json_decref(out);
	free_rules(rules, 4);
}

static void test_aggregate_include_retired_counts_them_still_listed_apart(void **state)
{
	struct catalog *c = catalog_new(db);
	json_t *rules[2], *out;
	const json_t *t, *rt;
	size_t i;

	(void)state;
	rules[0] = rule("sigma:live", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	rules[1] = retired_rule("sigma:old", "sigma", "rules/windows/x.yml", "unsupported",
				json_pack("[o]", tech("T1204")),
				json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	catalog_include_retired(c, 1);
	for (i = 0; i < 2; i++) {
		char *err = NULL;

		assert_int_equal(catalog_add(c, rules[i], &err), 0);
		free(err);
	}
	out = catalog_finish(c);
	catalog_free(c);
	t = technique(out, "T1204");
	assert_int_equal(ival(json_object_get(t, "rules"), "total"), 2);
	assert_int_equal(ival(row(t, "indicators", "process.name", "eq", "cmd.exe"), "reach"), 2);
	rt = json_object_get(json_object_get(t, "rules"), "retired");
	assert_int_equal(ival(rt, "total"), 1);
	assert_true(json_is_true(json_object_get(rt, "counted")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(rt, "uids"), 0)), "sigma:old");
	json_decref(out);
	free_rules(rules, 2);
}

static void test_aggregate_sample_values_leave_out_what_rules_exclude(void **state)
{
	json_t *rules[2], *out;
	const json_t *f;

	(void)state;
	rules[0] = rule("sigma:a", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o,o]", pred("url.domain", "ends_with", ".zip", ""),
				  pred("url.domain", "ends_with", ".adobe.com", "x")));
	rules[1] = rule("sigma:b", "sigma", json_pack("[o]", tech("T1204")),
			json_pack("[o,o]", pred("dns.question.name", "ends_with", ".adobe.com", "x"),
				  pred("process.name", "eq", "safe.exe", "n")));
	out = run(rules, 2);
	f = row(technique(out, "T1204"), "fields", "url.domain", NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(f, "samples")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "samples"), 0)), ".zip");
	/* a field filtered only in exclusions is listed, with no sample */
	f = row(technique(out, "T1204"), "fields", "dns.question.name", NULL, NULL);
	assert_int_equal(ival(f, "rules"), 1);
	assert_int_equal(json_array_size(json_object_get(f, "samples")), 0);
	f = row(technique(out, "T1204"), "fields", "process.name", NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(f, "samples")), 0);
	json_decref(out);
	free_rules(rules, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate_parent_counts_its_subtechniques_rules_once),
		cmocka_unit_test(test_aggregate_rule_counts_once_per_row_with_two_predicates_on_one_triple),
		cmocka_unit_test(test_aggregate_reach_counts_rules_of_every_technique_and_none),
		cmocka_unit_test(test_aggregate_exclusions_are_apart_from_indicators),
		cmocka_unit_test(test_aggregate_computed_predicates_are_left_out),
		cmocka_unit_test(test_aggregate_rows_sort_by_rules_then_field_op_value),
		cmocka_unit_test(test_aggregate_output_does_not_depend_on_input_order),
		cmocka_unit_test(test_aggregate_duplicate_uids_and_non_rules_are_refused),
		cmocka_unit_test(test_aggregate_similar_rules_by_jaccard_of_indicators),
		cmocka_unit_test(test_aggregate_partials_merge_to_the_same_catalog),
		cmocka_unit_test(test_aggregate_retired_rules_are_listed_apart_and_not_counted),
		cmocka_unit_test(test_aggregate_include_retired_counts_them_still_listed_apart),
		cmocka_unit_test(test_aggregate_sample_values_leave_out_what_rules_exclude),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
