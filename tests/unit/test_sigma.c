/*
 * Unit tests for Sigma files and documents: metadata, uids, tags, logsource,
 * the query text, multi-document `action: global` files, correlation and
 * filter rules, and files that are not valid YAML or are hostile.
 */
#include "sigma_test.h"

static const char full_rule[] =
	"title: Suspicious Thing\n"
	"id: 5f1c3a2e-0000-4000-8000-00000000abcd\n"
	"name: suspicious_thing\n"
	"status: test\n"
	"description: Detects a thing\n"
	"references:\n    - https://example.org/a\n"
	"author: A. Author, B. Author\n"
	"date: 2024-01-02\n"
	"modified: 2024-03-04\n"
	"tags:\n"
	"    - attack.execution\n"
	"    - attack.t1059.001\n"
	"    - attack.T1204\n"
	"    - attack.s0002\n"
	"    - attack.g0007\n"
	"    - cve.2021-44228\n"
	"    - car.2013-05-004\n"
	"    - detection.emerging-threats\n"
	"related:\n    - id: 11111111-0000-4000-8000-000000000000\n      type: derived\n"
	"logsource:\n    product: windows\n    category: process_creation\n"
	"detection:\n"
	"    selection:\n"
	"        Image|endswith: '\\x.exe'\n"
	"    condition: selection  # trailing comment\n"
	"\n"
	"# a comment between blocks\n"
	"falsepositives:\n    - Admins\n"
	"level: high\n";

static void test_sigma_metadata_is_copied_into_the_record(void **state)
{
	json_t *r = parse_one(full_rule);

	(void)state;
	assert_string_equal(status_of(r), "ok");
	assert_string_equal(json_string_value(json_object_get(r, "uid")),
			    "sigma:5f1c3a2e-0000-4000-8000-00000000abcd");
	assert_string_equal(json_string_value(json_object_get(r, "vendor")), "sigma");
	assert_string_equal(json_string_value(json_object_get(r, "source")), "test");
	assert_string_equal(json_string_value(json_object_get(r, "path")), "rules/test/rule.yml");
	assert_string_equal(json_string_value(json_object_get(r, "title")), "Suspicious Thing");
	assert_string_equal(json_string_value(json_object_get(r, "status")), "test");
	assert_string_equal(json_string_value(json_object_get(r, "severity")), "high");
	assert_string_equal(json_string_value(json_object_get(r, "description")), "Detects a thing");
	assert_string_equal(json_string_value(json_object_get(r, "author")), "A. Author, B. Author");
	assert_string_equal(json_string_value(json_object_get(r, "date")), "2024-01-02");
	assert_string_equal(json_string_value(json_object_get(r, "modified")), "2024-03-04");
	assert_string_equal(json_string_value(json_object_get(r, "name")), "suspicious_thing");
	assert_string_equal(json_string_value(json_object_get(r, "rule_type")), "detection");
	assert_string_equal(json_string_value(json_object_get(r, "language")), "sigma");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "references"), 0)),
			    "https://example.org/a");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "falsepositives"), 0)),
			    "Admins");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(r, "related"), 0), "type")), "derived");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 8);
	json_decref(r);
}

static void test_sigma_tags_give_techniques_tactics_and_other_attack_ids(void **state)
{
	json_t *r = parse_one(full_rule);
	json_t *a = json_object_get(r, "attack");
	json_t *want = json_loads("{\"techniques\":[\"T1059.001\",\"T1204\"],"
				  "\"tactics\":[\"execution\"],"
				  "\"other\":[\"attack.s0002\",\"attack.g0007\"]}", 0, NULL);

	(void)state;
	if (!json_equal(a, want))
		fail_msg("attack: %s", json_dumps(a, JSON_COMPACT));
	json_decref(want);
	json_decref(r);
}

static void test_sigma_logsource_becomes_context(void **state)
{
	json_t *r = parse_one(full_rule);
	json_t *want = json_loads("{\"product\":\"windows\",\"category\":\"process_creation\"}", 0, NULL);

	(void)state;
	assert_true(json_equal(json_object_get(r, "context"), want));
	json_decref(want);
	json_decref(r);
}

static void test_sigma_query_is_the_detection_block_as_written(void **state)
{
	json_t *r = parse_one(full_rule);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(r, "query")),
			    "detection:\n"
			    "    selection:\n"
			    "        Image|endswith: '\\x.exe'\n"
			    "    condition: selection  # trailing comment");
	json_decref(r);
}

static void test_sigma_missing_id_is_an_error_and_uid_comes_from_path(void **state)
{
	json_t *r = parse_one("title: t\ndetection:\n    s:\n        a: b\n    condition: s\n");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(r, "uid")), "sigma:rules/test/rule.yml");
	assert_string_equal(status_of(r), "partial");
	assert_string_equal(first_error(r), "missing id");
	json_decref(r);
}

static void test_sigma_duplicate_uids_across_files_are_made_unique_stably(void **state)
{
	struct fieldmap *m = test_map();
	const char *yaml = "title: t\nid: dup\ndetection:\n    s:\n        a: b\n    condition: s\n";
	struct rule_list l = { NULL, 0, 0 };

	(void)state;
	/* added in reverse path order: the result must not depend on it */
	sigma_parse_file("test", "rules/b.yml", yaml, strlen(yaml), m, &l);
	sigma_parse_file("test", "rules/a.yml", yaml, strlen(yaml), m, &l);
	assert_int_equal(rules_make_uids_unique(&l), 1);
	assert_string_equal(rule_uid(l.v[0]), "sigma:dup");
	assert_string_equal(rule_path(l.v[0]), "rules/a.yml");
	assert_string_equal(rule_uid(l.v[1]), "sigma:dup@rules/b.yml");
	assert_int_equal(rule_status(l.v[1]), PARSE_PARTIAL);
	assert_int_equal(rule_status(l.v[0]), PARSE_OK);
	rule_list_release(&l);
	fieldmap_free(m);
}

static void test_sigma_global_action_documents_merge_into_each_rule(void **state)
{
	const char *yaml =
		"action: global\n"
		"title: Multi\n"
		"id: 22222222-0000-4000-8000-000000000000\n"
		"detection:\n"
		"    filter:\n        User: admin\n"
		"    condition: selection and not filter\n"
		"---\n"
		"logsource:\n    product: windows\n    category: process_creation\n"
		"detection:\n    selection:\n        Image|endswith: '\\a.exe'\n"
		"---\n"
		"logsource:\n    product: windows\n    service: security\n"
		"detection:\n    selection:\n        EventID: 4688\n";
	int nerr = -1;
	json_t *a = parse_file("unsupported/windows/multi.yml", yaml, &nerr);
	json_t *r1 = json_array_get(a, 0), *r2 = json_array_get(a, 1);

	(void)state;
	assert_int_equal(nerr, 0);
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_object_get(r1, "uid")),
			    "sigma:22222222-0000-4000-8000-000000000000");
	assert_string_equal(json_string_value(json_object_get(r2, "uid")),
			    "sigma:22222222-0000-4000-8000-000000000000#2");
	assert_string_equal(json_string_value(json_object_get(r1, "title")), "Multi");
	assert_int_equal(json_integer_value(json_object_get(r2, "document")), 3);
	assert_preds(r1, "process.name eq \"a.exe\" ci\nuser.name eq \"admin\" ci not\n");
	assert_preds(r2, "event.code eq \"4688\"\nuser.name eq \"admin\" ci not\n");
	json_decref(a);
}

static void test_sigma_correlation_rule_records_type_rules_and_condition(void **state)
{
	json_t *r = parse_one("title: Many failures\n"
			      "id: 33333333-0000-4000-8000-000000000000\n"
			      "correlation:\n"
			      "    type: value_count\n"
			      "    rules:\n        - failed_logon\n        - other_rule\n"
			      "    group-by:\n        - User\n"
			      "    timespan: 15m\n"
			      "    condition:\n        gte: 10\n        field: TargetHost\n"
			      "level: high\n");
	json_t *c = json_object_get(r, "correlation");
	json_t *p = json_array_get(json_object_get(r, "predicates"), 0);

	(void)state;
	assert_string_equal(status_of(r), "ok");
	assert_string_equal(json_string_value(json_object_get(r, "rule_type")), "correlation");
	assert_string_equal(json_string_value(json_object_get(c, "type")), "value_count");
	assert_int_equal(json_array_size(json_object_get(c, "rules")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "rules"), 1)),
			    "other_rule");
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "group_by"), 0)),
			    "User");
	assert_string_equal(json_string_value(json_object_get(c, "timespan")), "15m");
	assert_preds(r, "value_count gte 10\n");
	assert_true(json_is_true(json_object_get(p, "computed")));
	assert_string_equal(json_string_value(json_object_get(p, "raw_field")), "TargetHost");
	assert_non_null(strstr(json_string_value(json_object_get(r, "query")), "correlation:\n"));
	json_decref(r);
}

static void test_sigma_correlation_problems_are_reported(void **state)
{
	json_t *r = parse_one("title: t\nid: 4\ncorrelation:\n    type: event_sum\n"
			      "    rules: x\n    timespan: 1h\n    condition: {gte: 2}\n");

	(void)state;
	assert_string_equal(status_of(r), "partial");
	assert_non_null(strstr(first_error(r), "unknown correlation type 'event_sum'"));
	json_decref(r);
	r = parse_one("title: t\nid: 4\ncorrelation:\n    type: temporal\n    rules: [a, b]\n");
	assert_string_equal(status_of(r), "partial");
	assert_non_null(strstr(first_error(r), "no 'timespan'"));
	json_decref(r);
}

static void test_sigma_filter_rule_names_its_rules_and_excludes(void **state)
{
	json_t *r = parse_one("title: Not our admin box\n"
			      "id: 44444444-0000-4000-8000-000000000000\n"
			      "logsource:\n    product: windows\n    category: process_creation\n"
			      "filter:\n"
			      "    rules:\n        - 5f1c3a2e-0000-4000-8000-00000000abcd\n"
			      "    selection:\n        User: 'ADMIN'\n"
			      "    condition: not selection\n");
	json_t *f = json_object_get(r, "filter");

	(void)state;
	assert_string_equal(status_of(r), "ok");
	assert_string_equal(json_string_value(json_object_get(r, "rule_type")), "filter");
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "rules"), 0)),
			    "5f1c3a2e-0000-4000-8000-00000000abcd");
	assert_preds(r, "user.name eq \"admin\" ci not\n");
	json_decref(r);
	r = parse_one("title: t\nid: 5\nlogsource:\n    product: windows\n"
		      "filter:\n    rules: any\n    s:\n        User: x\n    condition: not s\n");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "filter"), "rules")),
			    "any");
	json_decref(r);
}

static void test_sigma_invalid_yaml_gives_one_failed_record_named_by_its_id(void **state)
{
	int nerr = 0;
	json_t *a = parse_file("rules/x.yml", "title: Broken\nid: 5555aaaa-0000\ndetection: [\n", &nerr);
	json_t *r = json_array_get(a, 0);
	json_t *e = json_array_get(json_object_get(json_object_get(r, "parse"), "errors"), 0);

	(void)state;
	assert_int_equal(nerr, 1);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(status_of(r), "failed");
	assert_string_equal(json_string_value(json_object_get(r, "uid")), "sigma:5555aaaa-0000");
	assert_string_equal(json_string_value(json_object_get(r, "title")), "Broken");
	assert_non_null(strstr(first_error(r), "invalid YAML"));
	assert_true(json_integer_value(json_object_get(e, "line")) > 0);
	json_decref(a);
}

static void test_sigma_alias_bomb_is_refused_quickly(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *r;
	char prev = 'a';
	int i;

	(void)state;
	strbuf_addstr(&sb, "title: bomb\nid: 6\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 12; i++) {
		char cur = (char)('a' + i);

		strbuf_addf(&sb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
			    cur, cur, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev);
		prev = cur;
	}
	strbuf_addf(&sb, "detection:\n    s:\n        Image: *%c\n    condition: s\n", prev);
	r = parse_one(sb.buf);
	assert_string_equal(status_of(r), "failed");
	assert_non_null(strstr(first_error(r), "alias bomb"));
	json_decref(r);
	strbuf_release(&sb);
}

static void test_sigma_aliases_within_limits_are_followed(void **state)
{
	json_t *r = parse_one("title: t\nid: 7\nx: &v ['\\a.exe', '\\b.exe']\n"
			      "detection:\n    s:\n        Image|endswith: *v\n    condition: s\n");

	(void)state;
	assert_preds(r, "process.name eq \"a.exe\" ci\nprocess.name eq \"b.exe\" ci\n");
	json_decref(r);
}

static void test_sigma_deep_yaml_nesting_is_refused(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *r;
	int i;

	(void)state;
	strbuf_addstr(&sb, "title: t\nid: 8\nx: ");
	for (i = 0; i < 100000; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < 100000; i++)
		strbuf_addch(&sb, ']');
	strbuf_addch(&sb, '\n');
	r = parse_one(sb.buf);
	assert_string_equal(status_of(r), "failed");
	assert_non_null(strstr(first_error(r), "nesting deeper"));
	json_decref(r);
	strbuf_release(&sb);
}

static void test_sigma_documents_that_are_no_rules_still_give_records(void **state)
{
	json_t *a = parse_file("rules/e.yml", "", NULL);

	(void)state;
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(status_of(json_array_get(a, 0)), "failed");
	json_decref(a);
	a = parse_file("rules/s.yml", "just text\n", NULL);
	assert_string_equal(first_error(json_array_get(a, 0)), "document 1 is not a map");
	json_decref(a);
	a = parse_file("rules/n.yml", "title: t\nid: 9\n", NULL);
	assert_string_equal(status_of(json_array_get(a, 0)), "failed");
	assert_string_equal(first_error(json_array_get(a, 0)), "no 'detection'");
	json_decref(a);
}

static void test_sigma_yaml_11_scalars_resolve_like_pyyaml(void **state)
{
	json_t *r = parse_one(RULE("    s:\n"
				   "        A: yes\n"
				   "        B: 0x1F\n"
				   "        C: '0x1F'\n"
				   "        D: ~\n"
				   "        E: 1_000\n"
				   "        F: y\n"
				   "    condition: s\n"));

	(void)state;
	assert_preds(r, "A eq \"true\"\nB eq \"31\"\nC eq \"0x1f\" ci\nD exists - not\n"
		     "E eq \"1000\"\nF eq \"y\" ci\n");
	json_decref(r);
}

static void test_sigma_merge_keys_are_applied(void **state)
{
	json_t *r = parse_one("title: t\nid: 10\nbase: &b\n    Image: x\n    User: u\n"
			      "detection:\n    s:\n        <<: *b\n        User: v\n    condition: s\n");

	(void)state;
	assert_preds(r, "process.executable eq \"x\" ci\nuser.name eq \"v\" ci\n");
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigma_metadata_is_copied_into_the_record),
		cmocka_unit_test(test_sigma_tags_give_techniques_tactics_and_other_attack_ids),
		cmocka_unit_test(test_sigma_logsource_becomes_context),
		cmocka_unit_test(test_sigma_query_is_the_detection_block_as_written),
		cmocka_unit_test(test_sigma_missing_id_is_an_error_and_uid_comes_from_path),
		cmocka_unit_test(test_sigma_duplicate_uids_across_files_are_made_unique_stably),
		cmocka_unit_test(test_sigma_global_action_documents_merge_into_each_rule),
		cmocka_unit_test(test_sigma_correlation_rule_records_type_rules_and_condition),
		cmocka_unit_test(test_sigma_correlation_problems_are_reported),
		cmocka_unit_test(test_sigma_filter_rule_names_its_rules_and_excludes),
		cmocka_unit_test(test_sigma_invalid_yaml_gives_one_failed_record_named_by_its_id),
		cmocka_unit_test(test_sigma_alias_bomb_is_refused_quickly),
		cmocka_unit_test(test_sigma_aliases_within_limits_are_followed),
		cmocka_unit_test(test_sigma_deep_yaml_nesting_is_refused),
		cmocka_unit_test(test_sigma_documents_that_are_no_rules_still_give_records),
		cmocka_unit_test(test_sigma_yaml_11_scalars_resolve_like_pyyaml),
		cmocka_unit_test(test_sigma_merge_keys_are_applied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
