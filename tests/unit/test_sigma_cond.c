/*
 * Unit tests for Sigma conditions: and/or/not, parentheses, "1 of"/"all of"
 * with globs and "them", NOT pushed to the leaves, condition lists, the old
 * "| count() ... > N" aggregations, and conditions that must be refused.
 */
#include "sigma_test.h"

/* Three one-value identifiers a, b, c (and filter_x, filter_y, _hidden) */
#define IDS \
	"    a:\n        CommandLine: a\n" \
	"    b:\n        CommandLine: b\n" \
	"    c:\n        CommandLine: c\n"

static json_t *parse_detection(const char *detection)
{
	char *yaml = xasprintf("%s%s", RULE(""), detection);
	json_t *r = parse_one(yaml);

	free(yaml);
	return r;
}

static void check_cond(const char *detection, const char *expected)
{
	json_t *r = parse_detection(detection);

	if (strcmp(status_of(r), "ok") != 0)
		fail_msg("status %s: %s", status_of(r), first_error(r));
	assert_preds(r, expected);
	json_decref(r);
}

static void check_failed(const char *detection, const char *msg_part)
{
	json_t *r = parse_detection(detection);

	assert_string_equal(status_of(r), "failed");
	if (!strstr(first_error(r), msg_part))
		fail_msg("error '%s' does not mention '%s'", first_error(r), msg_part);
	json_decref(r);
}

static void test_sigma_not_1_of_filter_negates_each_value(void **state)
{
	(void)state;
	check_cond("    selection:\n        Image|endswith: '\\x.exe'\n"
		   "    filter_main:\n        CommandLine|contains:\n            - ' -a'\n"
		   "            - ' -b'\n"
		   "    filter_optional:\n        ParentImage: null\n"
		   "    condition: selection and not 1 of filter_*\n",
		   "process.name eq \"x.exe\" ci\n"
		   "process.command_line contains \" -a\" ci not\n"
		   "process.command_line contains \" -b\" ci not\n"
		   "process.parent.executable exists -\n");
}

static void test_sigma_all_of_glob_keeps_polarity(void **state)
{
	(void)state;
	check_cond("    sel_1:\n        CommandLine: a\n    sel_2:\n        CommandLine: b\n"
		   "    other:\n        CommandLine: c\n"
		   "    condition: all of sel_* and not other\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"b\" ci\n"
		   "process.command_line eq \"c\" ci not\n");
}

static void test_sigma_them_means_every_identifier_not_starting_with_underscore(void **state)
{
	(void)state;
	check_cond(IDS "    _hidden:\n        CommandLine: h\n    condition: 1 of them\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"b\" ci\n"
		   "process.command_line eq \"c\" ci\n");
	check_cond(IDS "    condition: not all of them\n",
		   "process.command_line eq \"a\" ci not\n"
		   "process.command_line eq \"b\" ci not\n"
		   "process.command_line eq \"c\" ci not\n");
}

static void test_sigma_not_over_parentheses_reaches_every_leaf(void **state)
{
	(void)state;
	check_cond(IDS "    condition: not (a or b) and c\n",
		   "process.command_line eq \"a\" ci not\n"
		   "process.command_line eq \"b\" ci not\n"
		   "process.command_line eq \"c\" ci\n");
	check_cond(IDS "    condition: not (a and not (b or not c))\n",
		   "process.command_line eq \"a\" ci not\n"
		   "process.command_line eq \"b\" ci\n"
		   "process.command_line eq \"c\" ci not\n");
}

static void test_sigma_not_binds_tighter_than_and_and_or(void **state)
{
	(void)state;
	check_cond(IDS "    condition: a or b and not c\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"b\" ci\n"
		   "process.command_line eq \"c\" ci not\n");
}

static void test_sigma_keywords_of_conditions_ignore_case(void **state)
{
	(void)state;
	check_cond(IDS "    condition: a AND NOT b Or 1 OF c\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"b\" ci not\n"
		   "process.command_line eq \"c\" ci\n");
}

static void test_sigma_double_not_is_positive(void **state)
{
	(void)state;
	check_cond(IDS "    condition: not not a\n", "process.command_line eq \"a\" ci\n");
}

static void test_sigma_identifier_used_twice_gives_its_predicates_once(void **state)
{
	(void)state;
	check_cond(IDS "    condition: (a and b) or (a and c)\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"b\" ci\n"
		   "process.command_line eq \"c\" ci\n");
	check_cond(IDS "    condition: a and not a\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"a\" ci not\n");
}

static void test_sigma_unreferenced_identifier_gives_no_predicate(void **state)
{
	(void)state;
	check_cond(IDS "    condition: a\n", "process.command_line eq \"a\" ci\n");
}

static void test_sigma_condition_list_is_any_of_its_conditions(void **state)
{
	(void)state;
	check_cond(IDS "    condition:\n        - a\n        - not b\n",
		   "process.command_line eq \"a\" ci\n"
		   "process.command_line eq \"b\" ci not\n");
}

static void test_sigma_bad_conditions_fail_the_rule_with_a_reason(void **state)
{
	(void)state;
	check_failed(IDS "    condition: a and d\n", "'d', which is not a search identifier");
	check_failed(IDS "    condition: 1 of x*\n", "no search identifier matches 'x*'");
	check_failed(IDS "    condition: (a and b\n", "missing ')'");
	check_failed(IDS "    condition: a and\n", "ends too early");
	check_failed(IDS "    condition: a b\n", "unexpected 'b'");
	check_failed(IDS "    condition: 1 of\n", "'of' needs");
	check_failed(IDS, "no condition");
}

static void test_sigma_deep_condition_nesting_is_refused_not_recursed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *r;
	int i;

	(void)state;
	strbuf_addstr(&sb, RULE(IDS "    condition: "));
	for (i = 0; i < 5000; i++)
		strbuf_addch(&sb, '(');
	strbuf_addch(&sb, 'a');
	for (i = 0; i < 5000; i++)
		strbuf_addch(&sb, ')');
	strbuf_addch(&sb, '\n');
	r = parse_one(sb.buf);
	assert_string_equal(status_of(r), "failed");
	assert_non_null(strstr(first_error(r), "nested too deeply"));
	json_decref(r);
	strbuf_release(&sb);
}

static void test_sigma_long_and_chains_are_fine(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *r;
	int i;

	(void)state;
	strbuf_addstr(&sb, RULE(IDS "    condition: a"));
	for (i = 0; i < 20000; i++)
		strbuf_addstr(&sb, i % 2 ? " and b" : " or not c");
	strbuf_addch(&sb, '\n');
	r = parse_one(sb.buf);
	assert_string_equal(status_of(r), "ok");
	assert_preds(r, "process.command_line eq \"a\" ci\n"
		     "process.command_line eq \"b\" ci\n"
		     "process.command_line eq \"c\" ci not\n");
	json_decref(r);
	strbuf_release(&sb);
}

static void test_sigma_old_count_aggregation_is_kept_as_computed_predicate(void **state)
{
	json_t *r = parse_one(RULE(IDS "    timeframe: 5m\n"
				   "    condition: a | count(User) by Computer > 5\n"));
	json_t *agg = json_object_get(r, "aggregation");
	json_t *p;
	size_t i;
	int seen = 0;

	(void)state;
	assert_string_equal(status_of(r), "ok");
	assert_string_equal(json_string_value(json_object_get(r, "rule_type")), "aggregation");
	assert_string_equal(json_string_value(json_object_get(r, "timeframe")), "5m");
	assert_string_equal(json_string_value(json_object_get(agg, "function")), "count");
	assert_string_equal(json_string_value(json_object_get(agg, "field")), "User");
	assert_string_equal(json_string_value(json_object_get(agg, "group_by")), "Computer");
	assert_string_equal(json_string_value(json_object_get(agg, "op")), "gt");
	assert_int_equal(json_integer_value(json_object_get(agg, "value")), 5);
	assert_preds(r, "process.command_line eq \"a\" ci\ncount gt 5\n");
	json_array_foreach(json_object_get(r, "predicates"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "field")), "count") == 0) {
			assert_true(json_is_true(json_object_get(p, "computed")));
			assert_string_equal(json_string_value(json_object_get(p, "raw_field")),
					    "count(User)");
			seen = 1;
		}
	}
	assert_true(seen);
	json_decref(r);
}

static void test_sigma_near_aggregation_uses_its_identifiers(void **state)
{
	json_t *r = parse_one(RULE(IDS "    condition: a | near b and not c\n"));

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "aggregation"),
							       "function")), "near");
	assert_preds(r, "process.command_line eq \"a\" ci\n"
		     "process.command_line eq \"b\" ci\n"
		     "process.command_line eq \"c\" ci not\n");
	json_decref(r);
}

static void test_sigma_unparsable_aggregation_is_partial(void **state)
{
	json_t *r = parse_one(RULE(IDS "    condition: a | count() by\n"));

	(void)state;
	assert_string_equal(status_of(r), "partial");
	assert_non_null(strstr(first_error(r), "cannot parse aggregation"));
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigma_not_1_of_filter_negates_each_value),
		cmocka_unit_test(test_sigma_all_of_glob_keeps_polarity),
		cmocka_unit_test(test_sigma_them_means_every_identifier_not_starting_with_underscore),
		cmocka_unit_test(test_sigma_not_over_parentheses_reaches_every_leaf),
		cmocka_unit_test(test_sigma_not_binds_tighter_than_and_and_or),
		cmocka_unit_test(test_sigma_keywords_of_conditions_ignore_case),
		cmocka_unit_test(test_sigma_double_not_is_positive),
		cmocka_unit_test(test_sigma_identifier_used_twice_gives_its_predicates_once),
		cmocka_unit_test(test_sigma_unreferenced_identifier_gives_no_predicate),
		cmocka_unit_test(test_sigma_condition_list_is_any_of_its_conditions),
		cmocka_unit_test(test_sigma_bad_conditions_fail_the_rule_with_a_reason),
		cmocka_unit_test(test_sigma_deep_condition_nesting_is_refused_not_recursed),
		cmocka_unit_test(test_sigma_long_and_chains_are_fine),
		cmocka_unit_test(test_sigma_old_count_aggregation_is_kept_as_computed_predicate),
		cmocka_unit_test(test_sigma_near_aggregation_uses_its_identifiers),
		cmocka_unit_test(test_sigma_unparsable_aggregation_is_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
