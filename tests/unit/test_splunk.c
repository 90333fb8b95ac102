/*
 * Unit tests for the Splunk front end: uid, metadata, ATT&CK ids, data
 * sources, the data model scan of the search, its predicates, and files that
 * are not valid YAML or not detections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "record_test.h"
#include "rule/rule.h"
#include "splunk/splunk.h"
#include "common/util.h"

#define PATH "detections/endpoint/test.yml"

/* The one record of a file. */
static json_t *parse_one(const char *yaml)
{
	struct rule_list l = { NULL, 0, 0 };
	json_t *r;

	splunk_parse_file("splunk", PATH, yaml, strlen(yaml), NULL, NULL, &l);
	if (l.n != 1)
		fail_msg("expected 1 rule, got %zu", l.n);
	r = rule_to_json(l.v[0]);
	rule_list_release(&l);
	return r;
}

/* The data models of one search, as compact JSON (caller frees). */
static char *models(const char *spl)
{
	json_t *a = json_array();
	char *s;

	splunk_datamodels(spl, strlen(spl), a);
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

#define assert_models(spl, want) do { \
		char *got_ = models(spl); \
		if (strcmp(got_, want)) \
			fail_msg("%s: got %s, want %s", spl, got_, want); \
		free(got_); \
	} while (0)

static const char detection[] =
	"name: Office Spawning Cmd\n"
	"id: 134cd614-2ac3-4078-8d93-b54b738ebd5d\n"
	"version: 3\n"
	"date: '2024-01-02'\n"
	"status: production\n"
	"type: TTP\n"
	"description: Office starts cmd.\n"
	"data_source:\n- Sysmon EventID 1\n- Windows Event Log Security 4688\n"
	"search: '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe\n"
	"  by Processes.dest | `drop_dm_object_name(Processes)`'\n"
	"tags:\n"
	"  mitre_attack_id:\n  - ' T1204.002 '\n  - T1204\n  - TA0002\n"
	"  security_domain: endpoint\n";

static void test_splunk_metadata_and_uid_come_from_the_detection(void **state)
{
	json_t *r = parse_one(detection);

	(void)state;
	assert_string_equal(str(r, "uid"), "splunk:134cd614-2ac3-4078-8d93-b54b738ebd5d");
	assert_string_equal(str(r, "vendor"), "splunk");
	assert_string_equal(str(r, "source"), "splunk");
	assert_string_equal(str(r, "path"), PATH);
	assert_string_equal(str(r, "title"), "Office Spawning Cmd");
	assert_string_equal(str(r, "description"), "Office starts cmd.");
	assert_string_equal(str(r, "status"), "production");
	assert_true(json_is_null(json_object_get(r, "severity")));
	assert_string_equal(str(r, "rule_type"), "TTP");
	assert_string_equal(str(r, "language"), "spl");
	assert_string_equal(str(r, "query"),
			    "| tstats count from datamodel=Endpoint.Processes where "
			    "Processes.process_name=cmd.exe by Processes.dest | "
			    "`drop_dm_object_name(Processes)`");
	json_decref(r);
}

static void test_splunk_search_becomes_predicates(void **state)
{
	json_t *r = parse_one(detection);

	(void)state;
	assert_string_equal(status_of(r), "ok");
	assert_int_equal(json_array_size(json_object_get(json_object_get(r, "parse"), "errors")), 0);
	assert_json(json_object_get(r, "predicates"),
		    "[{\"field\":\"Processes.process_name\",\"raw_field\":\"Processes.process_name\","
		    "\"op\":\"eq\",\"value\":\"cmd.exe\",\"ci\":true,\"negated\":false,"
		    "\"exclusion\":false,\"raw_value\":\"cmd.exe\",\"unmapped\":true}]");
	json_decref(r);
}

static void test_splunk_mitre_attack_ids_are_trimmed_techniques(void **state)
{
	json_t *r = parse_one(detection);

	(void)state;
	assert_json(json_object_get(r, "attack"),
		    "{\"techniques\":[\"T1204.002\",\"T1204\"],\"tactics\":[],\"other\":[\"TA0002\"]}");
	json_decref(r);
}

static void test_splunk_context_has_data_sources_and_data_models(void **state)
{
	json_t *r = parse_one(detection);

	(void)state;
	assert_json(json_object_get(r, "context"),
		    "{\"data_source\":[\"Sysmon EventID 1\",\"Windows Event Log Security 4688\"],"
		    "\"datamodel\":[\"Endpoint.Processes\"],\"macros\":[\"drop_dm_object_name(1)\"],"
		    "\"commands\":[\"tstats\",\"rename\"]}");
	json_decref(r);
}

static void test_splunk_explicit_severity_is_copied(void **state)
{
	json_t *r = parse_one("id: a1\nname: n\nseverity: high\nsearch: index=x\n");

	(void)state;
	assert_string_equal(str(r, "severity"), "high");
	assert_json(json_object_get(json_object_get(r, "context"), "data_source"), "[]");
	json_decref(r);
}

static void test_splunk_datamodel_forms_are_found_in_order_without_repeats(void **state)
{
	(void)state;
	assert_models("| tstats count from datamodel=Endpoint.Processes by x", "[\"Endpoint.Processes\"]");
	assert_models("| tstats count FROM DataModel = Web where Web.url=*", "[\"Web\"]");
	assert_models("| from datamodel:Network_Traffic.All_Traffic", "[\"Network_Traffic.All_Traffic\"]");
	assert_models("| from datamodel Alerts.Alerts | search app=x", "[\"Alerts.Alerts\"]");
	assert_models("| tstats count from datamodel=\"Endpoint.Processes\" by x",
		      "[\"Endpoint.Processes\"]");
	assert_models("| tstats count from datamodel=Endpoint.Registry by x "
		      "| append [| tstats count from datamodel=Endpoint.Processes by x] "
		      "| append [| tstats count from datamodel=Endpoint.Registry.]",
		      "[\"Endpoint.Registry\",\"Endpoint.Processes\"]");
	assert_models("`sysmon` EventCode=1 | stats count", "[]");
}

static void test_splunk_datamodel_inside_a_quoted_string_does_not_count(void **state)
{
	(void)state;
	assert_models("index=main \"datamodel=Fake.Thing\" | tstats count from datamodel=Real.One",
		      "[\"Real.One\"]");
	assert_models("search msg=\"a \\\" datamodel=Fake.Two\" | from datamodel Real.Two",
		      "[\"Real.Two\"]");
	assert_models("eval x=\"from datamodel Fake.Three\"", "[]");
}

static void test_splunk_fields_named_like_datamodel_are_not_one(void **state)
{
	(void)state;
	assert_models("search Processes.datamodel=Fake mydatamodel=Fake2 datamodel_name=Fake3", "[]");
	/* `datamodel X` without `from` is a search term, not the command's argument */
	assert_models("search datamodel Fake4", "[]");
}

static void test_splunk_missing_id_gives_a_uid_from_the_path(void **state)
{
	json_t *r = parse_one("name: No Id\nsearch: index=x\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "splunk:" PATH);
	assert_string_equal(first_error(r), "missing id");
	assert_string_equal(status_of(r), "partial");
	json_decref(r);
}

static void test_splunk_invalid_yaml_gives_one_failed_record(void **state)
{
	json_t *r = parse_one("id: x\nname: [unclosed\nsearch: index=x\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "splunk:" PATH);
	assert_string_equal(status_of(r), "failed");
	assert_true(strncmp(first_error(r), "invalid YAML: ", 14) == 0);
	assert_string_equal(str(r, "language"), "spl");
	json_decref(r);
}

static void test_splunk_yaml_without_search_is_not_a_detection(void **state)
{
	json_t *r = parse_one("id: 0f1e062d\nname: A Story\nnarrative: text\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "splunk:0f1e062d");
	assert_string_equal(status_of(r), "failed");
	assert_string_equal(first_error(r), "not a detection: no 'search'");
	assert_true(json_is_null(json_object_get(r, "query")));
	json_decref(r);
	r = parse_one("- just\n- a list\n");
	assert_string_equal(first_error(r), "not a detection: not a map");
	json_decref(r);
	r = parse_one("");
	assert_string_equal(first_error(r), "not a detection: empty file");
	json_decref(r);
}

static void test_splunk_author_date_references_false_positives_and_risk_score(void **state)
{
	json_t *r = parse_one("id: a2\nname: n\nauthor: A. Author, Splunk\ndate: '2024-09-30'\n"
			      "references:\n- https://example.org/a\n- https://example.org/b\n"
			      "known_false_positives: Admins running scripts.\n"
			      "tags:\n  risk_score: 49\n  mitre_attack_id: [T1059]\nsearch: index=x\n");
	char *refs, *fps;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(r, "author")), "A. Author, Splunk");
	assert_string_equal(json_string_value(json_object_get(r, "date")), "2024-09-30");
	refs = json_dumps(json_object_get(r, "references"), JSON_COMPACT);
	fps = json_dumps(json_object_get(r, "falsepositives"), JSON_COMPACT);
	assert_string_equal(refs, "[\"https://example.org/a\",\"https://example.org/b\"]");
	assert_string_equal(fps, "[\"Admins running scripts.\"]");
	assert_int_equal(json_integer_value(json_object_get(r, "risk_score")), 49);
	free(refs);
	free(fps);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splunk_metadata_and_uid_come_from_the_detection),
		cmocka_unit_test(test_splunk_search_becomes_predicates),
		cmocka_unit_test(test_splunk_mitre_attack_ids_are_trimmed_techniques),
		cmocka_unit_test(test_splunk_context_has_data_sources_and_data_models),
		cmocka_unit_test(test_splunk_explicit_severity_is_copied),
		cmocka_unit_test(test_splunk_author_date_references_false_positives_and_risk_score),
		cmocka_unit_test(test_splunk_datamodel_forms_are_found_in_order_without_repeats),
		cmocka_unit_test(test_splunk_datamodel_inside_a_quoted_string_does_not_count),
		cmocka_unit_test(test_splunk_fields_named_like_datamodel_are_not_one),
		cmocka_unit_test(test_splunk_missing_id_gives_a_uid_from_the_path),
		cmocka_unit_test(test_splunk_invalid_yaml_gives_one_failed_record),
		cmocka_unit_test(test_splunk_yaml_without_search_is_not_a_detection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
