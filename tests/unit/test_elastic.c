/*
 * Unit tests for the Elastic front end (tools/lib/elastic/elastic.c), metadata step:
 * small hand-written detection-rules files, one behaviour each: uid, fields,
 * [[rule.threat]] → attack, index/integration → context, query and ML rules,
 * files that are not TOML or not rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "elastic/elastic.h"
#include "rule/rule.h"
#include "common/util.h"

#define RULE_ID "7b9255ee-203d-4711-989b-c0242e84dfdb"

/* Parse one file and return its one record (new reference); *nerr gets the return value. */
static json_t *parse_path(const char *path, const char *toml, int *nerr)
{
	struct rule_list rules = { NULL, 0, 0 };
	json_t *j;
	int n;

	n = elastic_parse_file("elastic-test", path, toml, strlen(toml), NULL, &rules);
	assert_int_equal(rules.n, 1);
	assert_int_equal(n, rule_has_errors(rules.v[0]));
	if (nerr)
		*nerr = n;
	j = rule_to_json(rules.v[0]);
	rule_list_release(&rules);
	return j;
}

static json_t *parse_one(const char *toml)
{
	return parse_path("rules/windows/x.toml", toml, NULL);
}

/* The JSON text of r[key] (compact), for comparing small values in one line. */
static char *dump(const json_t *r, const char *key)
{
	return json_dumps(json_object_get(r, key), JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

static void assert_key_json(const json_t *r, const char *key, const char *want)
{
	char *got = dump(r, key);

	if (!got || strcmp(got, want) != 0)
		fail_msg("%s: want %s, got %s", key, want, got ? got : "(absent)");
	free(got);
}

static const char *str(const json_t *r, const char *key)
{
	return json_string_value(json_object_get(r, key));
}

static const char *parse_status(const json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "parse"), "status"));
}

static const json_t *first_error(const json_t *r)
{
	return json_array_get(json_object_get(json_object_get(r, "parse"), "errors"), 0);
}

static const char kuery_rule[] =
	"[metadata]\n"
	"creation_date = \"2020/03/02\"\n"
	"integration = [\"endpoint\", \"windows\"]\n"
	"maturity = \"production\"\n"
	"updated_date = \"2026/01/10\"\n"
	"\n"
	"[rule]\n"
	"author = [\"Elastic\", \"detcat\"]\n"
	"description = \"\"\"\n"
	"An Office application starts a script interpreter.\n"
	"\"\"\"\n"
	"false_positives = [\"Admins\"]\n"
	"index = [\"logs-endpoint.events.process-*\", \"winlogbeat-*\"]\n"
	"language = \"kuery\"\n"
	"name = \"Office Child Interpreter\"\n"
	"references = [\"https://example.org/a\"]\n"
	"risk_score = 47\n"
	"rule_id = \"" RULE_ID "\"\n"
	"severity = \"medium\"\n"
	"tags = [\"Domain: Endpoint\", \"Tactic: Execution\"]\n"
	"type = \"query\"\n"
	"\n"
	"query = '''\n"
	"process.parent.name:(\"winword.exe\" or excel.exe) and process.name:cmd.exe\n"
	"'''\n";

static void test_elastic_uid_is_the_rule_id(void **state)
{
	json_t *r = parse_one(kuery_rule);

	(void)state;
	assert_string_equal(str(r, "uid"), "elastic:" RULE_ID);
	assert_string_equal(str(r, "vendor"), "elastic");
	assert_string_equal(str(r, "source"), "elastic-test");
	assert_string_equal(str(r, "path"), "rules/windows/x.toml");
	json_decref(r);
}

static void test_elastic_metadata_fields_are_copied(void **state)
{
	json_t *r = parse_one(kuery_rule);

	(void)state;
	assert_string_equal(str(r, "title"), "Office Child Interpreter");
	assert_string_equal(str(r, "description"),
			    "An Office application starts a script interpreter.\n");
	assert_string_equal(str(r, "status"), "production");
	assert_string_equal(str(r, "severity"), "medium");
	assert_string_equal(str(r, "rule_type"), "query");
	assert_string_equal(str(r, "language"), "kuery");
	assert_string_equal(str(r, "author"), "Elastic, detcat");
	assert_string_equal(str(r, "date"), "2020/03/02");
	assert_string_equal(str(r, "modified"), "2026/01/10");
	assert_key_json(r, "references", "[\"https://example.org/a\"]");
	assert_key_json(r, "falsepositives", "[\"Admins\"]");
	assert_key_json(r, "tags", "[\"Domain: Endpoint\",\"Tactic: Execution\"]");
	assert_key_json(r, "risk_score", "47");
	json_decref(r);
}

static void test_elastic_kuery_query_is_kept_and_parsed(void **state)
{
	json_t *r = parse_one(kuery_rule);
	const json_t *preds, *p;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	(void)state;
	assert_string_equal(str(r, "query"), "process.parent.name:(\"winword.exe\" or excel.exe) and "
			    "process.name:cmd.exe\n");
	assert_string_equal(str(r, "language"), "kuery");
	assert_string_equal(parse_status(r), "ok");
	preds = json_object_get(r, "predicates");
	json_array_foreach(preds, i, p)
		strbuf_addf(&sb, "%s %s %s;", json_string_value(json_object_get(p, "field")),
			    json_string_value(json_object_get(p, "op")),
			    json_string_value(json_object_get(p, "value")));
	assert_string_equal(sb.buf, "process.parent.name eq winword.exe;process.parent.name eq excel.exe;"
			    "process.name eq cmd.exe;");
	strbuf_release(&sb);
	json_decref(r);
}

static void test_elastic_eql_and_esql_name_their_language(void **state)
{
	json_t *r = parse_one("[rule]\nrule_id = \"a\"\ntype = \"eql\"\nlanguage = \"eql\"\n"
			      "query = 'process where true'\n");

	(void)state;
	assert_string_equal(str(r, "language"), "eql");
	assert_string_equal(parse_status(r), "ok");
	json_decref(r);
	r = parse_one("[rule]\nrule_id = \"a\"\ntype = \"esql\"\nlanguage = \"esql\"\n"
		      "query = 'from logs-*'\n");
	assert_string_equal(str(r, "rule_type"), "esql");
	assert_string_equal(str(r, "language"), "esql");
	assert_string_equal(parse_status(r), "ok");
	json_decref(r);
}

static void test_elastic_threat_gives_techniques_sub_techniques_and_tactics(void **state)
{
	json_t *r = parse_one(
		"[rule]\nrule_id = \"a\"\ntype = \"eql\"\nlanguage = \"eql\"\nquery = 'x'\n"
		"[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n"
		"[[rule.threat.technique]]\nid = \"T1204\"\nname = \"User Execution\"\n"
		"[[rule.threat.technique.subtechnique]]\nid = \"T1204.002\"\n"
		"[[rule.threat.technique.subtechnique]]\nid = \" T1204.001 \"\n"
		"[[rule.threat.technique]]\nid = \"T1059\"\n"
		"[rule.threat.tactic]\nid = \"TA0002\"\nname = \"Execution\"\n"
		/* a second threat repeats a technique and adds a tactic */
		"[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n"
		"[[rule.threat.technique]]\nid = \"T1204\"\n"
		"[rule.threat.tactic]\nname = \"Initial Access\"\n"
		/* a third: the same tactic again, no technique */
		"[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n"
		"[rule.threat.tactic]\nname = \"Execution\"\n");

	(void)state;
	assert_key_json(r, "attack", "{\"techniques\":[\"T1204\",\"T1204.002\",\"T1204.001\",\"T1059\"],"
			"\"tactics\":[\"Execution\",\"Initial Access\"],\"other\":[]}");
	json_decref(r);
}

static void test_elastic_other_frameworks_and_odd_ids_go_to_other(void **state)
{
	json_t *r = parse_one(
		"[rule]\nrule_id = \"a\"\ntype = \"query\"\nlanguage = \"kuery\"\nquery = 'x'\n"
		"[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n"
		"[[rule.threat.technique]]\nid = \"t1059\"\n"
		"[[rule.threat]]\nframework = \"MITRE ATLAS\"\n"
		"[[rule.threat.technique]]\nid = \"AML.T0051\"\n"
		"[rule.threat.tactic]\nname = \"ML Attack Staging\"\n");

	(void)state;
	assert_key_json(r, "attack", "{\"techniques\":[],\"tactics\":[],"
			"\"other\":[\"t1059\",\"ML Attack Staging\",\"AML.T0051\"]}");
	json_decref(r);
}

static void test_elastic_index_and_integration_make_the_context(void **state)
{
	json_t *r = parse_one(kuery_rule);

	(void)state;
	assert_key_json(r, "context", "{\"index\":[\"logs-endpoint.events.process-*\",\"winlogbeat-*\"],"
			"\"integration\":[\"endpoint\",\"windows\"],\"type\":\"query\"}");
	json_decref(r);
	/* an integration written as one string; no rule.index: ES|QL names it in FROM */
	r = parse_one("[metadata]\nintegration = \"aws\"\nmaturity = \"production\"\n"
		      "[rule]\nrule_id = \"a\"\ntype = \"esql\"\nlanguage = \"esql\"\nquery = 'from x'\n");
	assert_key_json(r, "context", "{\"index\":[\"x\"],\"integration\":[\"aws\"],\"type\":\"esql\"}");
	json_decref(r);
}

static void test_elastic_machine_learning_rule_is_no_query(void **state)
{
	int nerr;
	json_t *r = parse_path("rules/ml/ml_x.toml",
			       "[metadata]\nintegration = [\"endpoint\"]\nmaturity = \"production\"\n"
			       "[rule]\nanomaly_threshold = 75\nmachine_learning_job_id = [\"a\", \"b\"]\n"
			       "name = \"Rare Process\"\nrule_id = \"" RULE_ID "\"\nseverity = \"low\"\n"
			       "type = \"machine_learning\"\n", &nerr);

	(void)state;
	assert_int_equal(nerr, 0);
	assert_string_equal(parse_status(r), "no_query");
	assert_key_json(r, "parse", "{\"status\":\"no_query\",\"errors\":[]}");
	assert_true(json_is_null(json_object_get(r, "language")));
	assert_true(json_is_null(json_object_get(r, "query")));
	assert_string_equal(str(r, "rule_type"), "machine_learning");
	json_decref(r);
}

static void test_elastic_deprecated_rule_is_kept_with_its_maturity(void **state)
{
	json_t *r = parse_path("rules/_deprecated/x.toml",
			       "[metadata]\ndeprecation_date = \"2026/01/10\"\nmaturity = \"deprecated\"\n"
			       "[rule]\nname = \"Deprecated - X\"\nrule_id = \"b\"\ntype = \"eql\"\n"
			       "language = \"eql\"\nquery = 'x'\n", NULL);

	(void)state;
	assert_string_equal(str(r, "uid"), "elastic:b");
	assert_string_equal(str(r, "status"), "deprecated");
	assert_string_equal(str(r, "deprecation_date"), "2026/01/10");
	json_decref(r);
}

static void test_elastic_missing_rule_id_fails_with_the_path_as_uid(void **state)
{
	json_t *r = parse_one("[rule]\nname = \"No Id\"\ntype = \"query\"\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "elastic:rules/windows/x.toml");
	assert_string_equal(str(r, "title"), "No Id");
	assert_string_equal(parse_status(r), "failed");
	assert_string_equal(json_string_value(json_object_get(first_error(r), "message")),
			    "missing rule_id");
	json_decref(r);
}

static void test_elastic_invalid_toml_fails_with_its_line(void **state)
{
	int nerr;
	json_t *r = parse_path("rules/windows/bad.toml",
			       "[metadata]\nmaturity = \"production\"\n\n[rule]\n"
			       "rule_id = \"" RULE_ID "\"\nname = \"x\"\nname = \"y\"\n", &nerr);
	const json_t *e;

	(void)state;
	assert_int_equal(nerr, 1);
	assert_string_equal(parse_status(r), "failed");
	e = first_error(r);
	assert_int_equal(json_integer_value(json_object_get(e, "line")), 7);
	assert_string_equal(json_string_value(json_object_get(e, "message")),
			    "invalid TOML: duplicate key 'name'");
	/* the rule_id line still names the record */
	assert_string_equal(str(r, "uid"), "elastic:" RULE_ID);
	assert_true(json_is_null(json_object_get(r, "title")));
	json_decref(r);
	/* without one, the path does */
	r = parse_path("rules/windows/bad.toml", "[rule]\nname = 'x\n", NULL);
	assert_string_equal(str(r, "uid"), "elastic:rules/windows/bad.toml");
	assert_int_equal(json_integer_value(json_object_get(first_error(r), "line")), 2);
	assert_string_equal(json_string_value(json_object_get(first_error(r), "message")),
			    "invalid TOML: unterminated string");
	json_decref(r);
}

static void test_elastic_file_without_rule_table_is_not_a_rule(void **state)
{
	json_t *r = parse_path("rules/README.toml", "[metadata]\nmaturity = \"production\"\n", NULL);

	(void)state;
	assert_string_equal(str(r, "uid"), "elastic:rules/README.toml");
	assert_string_equal(parse_status(r), "failed");
	assert_string_equal(json_string_value(json_object_get(first_error(r), "message")),
			    "not a rule: no [rule] table");
	json_decref(r);
	r = parse_path("rules/x.toml", "rule = 1\n", NULL);
	assert_string_equal(json_string_value(json_object_get(first_error(r), "message")),
			    "not a rule: no [rule] table");
	json_decref(r);
	r = parse_path("rules/empty.toml", "", NULL);
	assert_string_equal(parse_status(r), "failed");
	json_decref(r);
}

static void test_elastic_values_of_the_wrong_type_are_partial_errors(void **state)
{
	json_t *r = parse_one("[metadata]\nintegration = 3\n"
			      "[rule]\nrule_id = \"a\"\nname = 5\nindex = [\"x\", 1]\n"
			      "type = \"machine_learning\"\nthreat = 'none'\n");
	const json_t *errs = json_object_get(json_object_get(r, "parse"), "errors");

	(void)state;
	assert_true(json_is_null(json_object_get(r, "title")));
	assert_key_json(r, "context", "{\"index\":[\"x\"],\"integration\":[],\"type\":\"machine_learning\"}");
	/* no_query (an ML rule) outranks partial; the errors stay */
	assert_string_equal(parse_status(r), "no_query");
	assert_int_equal(json_array_size(errs), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "message")),
			    "'rule.name' must be a string");
	json_decref(r);
}

static void test_elastic_unknown_language_is_named(void **state)
{
	json_t *r = parse_one("[rule]\nrule_id = \"a\"\ntype = \"query\"\nlanguage = \"sql\"\nquery = 'x'\n");

	(void)state;
	assert_true(json_is_null(json_object_get(r, "language")));
	assert_string_equal(json_string_value(json_object_get(first_error(r), "message")),
			    "unknown language 'sql'");
	assert_string_equal(parse_status(r), "failed");
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elastic_uid_is_the_rule_id),
		cmocka_unit_test(test_elastic_metadata_fields_are_copied),
		cmocka_unit_test(test_elastic_kuery_query_is_kept_and_parsed),
		cmocka_unit_test(test_elastic_eql_and_esql_name_their_language),
		cmocka_unit_test(test_elastic_threat_gives_techniques_sub_techniques_and_tactics),
		cmocka_unit_test(test_elastic_other_frameworks_and_odd_ids_go_to_other),
		cmocka_unit_test(test_elastic_index_and_integration_make_the_context),
		cmocka_unit_test(test_elastic_machine_learning_rule_is_no_query),
		cmocka_unit_test(test_elastic_deprecated_rule_is_kept_with_its_maturity),
		cmocka_unit_test(test_elastic_missing_rule_id_fails_with_the_path_as_uid),
		cmocka_unit_test(test_elastic_invalid_toml_fails_with_its_line),
		cmocka_unit_test(test_elastic_file_without_rule_table_is_not_a_rule),
		cmocka_unit_test(test_elastic_values_of_the_wrong_type_are_partial_errors),
		cmocka_unit_test(test_elastic_unknown_language_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
