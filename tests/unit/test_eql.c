/*
 * Unit tests for the EQL parser (tools/lib/elastic/eql.c): one construct
 * each, its predicates written out by hand from the EQL syntax reference
 * (case rules, wildcards, lists, functions), sequences and their scopes,
 * and the messages of what does not parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query_test.h"

static void expect_ok(const char *query, const char *want)
{
	qt_expect(eql_parse, query, "ok", want);
}

static void assert_key(const json_t *rec, size_t n, const char *key, const char *want)
{
	char *got = qt_key(rec, n, key);

	if (strcmp(got, want) != 0)
		fail_msg("predicate %zu %s: got %s, want %s", n, key, got, want);
	free(got);
}

static void test_eql_category_goes_to_the_context_and_scopes_the_fields(void **state)
{
	json_t *rec = qt_run(eql_parse, "file where path : \"*.exe\"");
	char *ctx = json_dumps(json_object_get(rec, "context"), JSON_COMPACT);

	(void)state;
	assert_string_equal(ctx, "{\"category\":[\"file\"]}");
	free(ctx);
	json_decref(rec);
	expect_ok("file where path : \"*.exe\"", "file.path ends_with \".exe\" ci");
	expect_ok("process where path == \"C:\\\\Windows\\\\cmd.exe\"",
		  "process.executable eq \"C:\\\\Windows\\\\cmd.exe\"");
	/* the step's scope keeps the rule's language beside the category */
	expect_ok("registry where key : \"HKLM\\\\*\"", "registry.path starts_with \"hklm\\\\\" ci");
	/* a quoted category */
	expect_ok("\"my-events\" where a == \"1\"", "a eq \"1\"");
}

static void test_eql_where_true_has_no_predicate(void **state)
{
	json_t *rec = qt_run(eql_parse, "any where true");
	char *ctx = json_dumps(json_object_get(rec, "context"), JSON_COMPACT);

	(void)state;
	assert_string_equal(qt_status(rec), "ok");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	assert_string_equal(ctx, "{\"category\":[\"any\"]}");
	free(ctx);
	json_decref(rec);
}

static void test_eql_double_equals_is_case_sensitive_and_takes_no_wildcards(void **state)
{
	(void)state;
	expect_ok("process where process.name == \"CMD*.exe\"", "process.name eq \"CMD*.exe\"");
	expect_ok("process where process.name != \"Cmd.exe\"", "process.name eq \"Cmd.exe\" not");
}

static void test_eql_colon_ignores_case_and_takes_wildcards_with_lists(void **state)
{
	(void)state;
	expect_ok("process where process.name : (\"CMD.exe\", \"Power*\")",
		  "process.name eq \"cmd.exe\" ci\n"
		  "process.name starts_with \"power\" ci");
	expect_ok("process where process.name : \"a?C\"", "process.name wildcard \"a?c\" ci");
	/* no escape for a wildcard: the backslash stays, the star is one */
	expect_ok("process where process.args : \"\\\\\\\\*\"", "process.args starts_with \"\\\\\\\\\" ci");
}

static void test_eql_like_and_like_tilde_differ_only_in_case(void **state)
{
	(void)state;
	expect_ok("process where process.name like \"Cmd*\"", "process.name starts_with \"Cmd\"");
	expect_ok("process where process.name like~ (\"Cmd*\", \"*X*\")",
		  "process.name starts_with \"cmd\" ci\n"
		  "process.name contains \"x\" ci");
}

static void test_eql_regex_is_kept_as_written_with_its_case_flag(void **state)
{
	json_t *rec;

	(void)state;
	expect_ok("process where process.name regex \"Cmd\\\\.exe\"", "process.name regex_match \"Cmd\\\\.exe\"");
	rec = qt_run(eql_parse, "process where process.name regex~ \"Cmd\\\\.exe\"");
	assert_key(rec, 0, "value", "\"Cmd\\\\.exe\"");
	assert_key(rec, 0, "ci", "true");
	assert_key(rec, 0, "regex_flags", "\"i\"");
	json_decref(rec);
}

static void test_eql_in_and_not_in_give_one_predicate_per_value(void **state)
{
	(void)state;
	expect_ok("process where process.name in (\"A\", \"B\",)",
		  "process.name eq \"A\"\nprocess.name eq \"B\"");
	expect_ok("process where process.name in~ (\"A\", \"B\")",
		  "process.name eq \"a\" ci\nprocess.name eq \"b\" ci");
	expect_ok("process where process.name not in (\"A\", \"B\")",
		  "process.name eq \"A\" not\nprocess.name eq \"B\" not");
	expect_ok("process where process.name not in~ (\"A\")", "process.name eq \"a\" ci not");
}

static void test_eql_null_comparisons_are_exists(void **state)
{
	(void)state;
	expect_ok("process where process.parent.name == null", "process.parent.name exists - not");
	expect_ok("process where ?process.parent.name != null", "process.parent.name exists -");
	expect_ok("process where null != process.parent.name", "process.parent.name exists -");
}

static void test_eql_numbers_compared_for_equality_are_text_and_ranges_numbers(void **state)
{
	(void)state;
	expect_ok("network where destination.port == 445 and source.port > 1024 and "
		  "x <= 1.5 and y != -1 and 5 < z and b == true",
		  "destination.port eq \"445\"\n"
		  "source.port gt 1024\n"
		  "x lte 1.5\n"
		  "y eq \"-1\" not\n"
		  "z gt 5\n"
		  "b eq \"true\"");
	expect_ok("network where destination.port in (80, 443)",
		  "destination.port eq \"80\"\ndestination.port eq \"443\"");
}

static void test_eql_string_functions_become_their_operators(void **state)
{
	(void)state;
	expect_ok("process where stringContains(process.command_line, \"Enc\") and "
		  "startsWith~(process.name, \"PS\") and endsWith(process.name, \".EXE\")",
		  "process.command_line contains \"Enc\"\n"
		  "process.name starts_with \"ps\" ci\n"
		  "process.name ends_with \".EXE\"");
	/* a path suffix that is a file name is the name field (SPEC 4) */
	expect_ok("file where endsWith~(file.path, \"\\\\Evil.dll\")", "file.name eq \"evil.dll\" ci");
	expect_ok("process where wildcard(process.name, \"a*b\", \"c\")",
		  "process.name wildcard \"a*b\"\nprocess.name eq \"c\"");
	/* function names are read in any case */
	expect_ok("process where STARTSWITH(process.name, \"a\")", "process.name starts_with \"a\"");
}

static void test_eql_cidrmatch_gives_one_cidr_per_block(void **state)
{
	(void)state;
	expect_ok("network where not cidrMatch(source.ip, \"10.0.0.0/8\", \"FE80::/10\")",
		  "source.ip cidr \"10.0.0.0/8\" not\n"
		  "source.ip cidr \"fe80::/10\" not");
}

static void test_eql_length_and_other_values_are_computed(void **state)
{
	json_t *rec;

	(void)state;
	expect_ok("process where length(process.command_line) > 50",
		  "length(process.command_line) gt 50 computed");
	expect_ok("process where length(a) - (length(b) + 1) == 0",
		  "length(a) - (length(b) + 1) eq \"0\" computed");
	rec = qt_run(eql_parse, "process where startsWith~(host.name, substring(user.name, 0, -1))");
	assert_string_equal(qt_status(rec), "ok");
	assert_key(rec, 0, "field", "\"host.name\"");
	assert_key(rec, 0, "op", "\"starts_with\"");
	assert_key(rec, 0, "value", "\"substring(user.name, 0, -1)\"");
	assert_key(rec, 0, "computed", "true");
	assert_key(rec, 0, "fieldref", "true");
	json_decref(rec);
	rec = qt_run(eql_parse, "process where length(process.name) > 5");
	assert_key(rec, 0, "raw_field", "null");
	json_decref(rec);
}

static void test_eql_field_against_field_is_a_fieldref(void **state)
{
	json_t *rec = qt_run(eql_parse, "process where process.name == process.parent.name");

	(void)state;
	assert_key(rec, 0, "value", "\"process.parent.name\"");
	assert_key(rec, 0, "fieldref", "true");
	assert_key(rec, 0, "computed", "absent");
	json_decref(rec);
}

static void test_eql_sequence_steps_map_with_their_own_category(void **state)
{
	const char *q = "sequence by host.id with maxspan=30s\n"
			"  [process where path : \"*\\\\tmp\\\\*\"] by process.pid\n"
			"  [file where path == \"x\"] by process.pid\n";
	json_t *rec = qt_run(eql_parse, q);
	char *ctx = json_dumps(json_object_get(rec, "context"), JSON_COMPACT);

	(void)state;
	assert_string_equal(ctx, "{\"category\":[\"process\",\"file\"]}");
	free(ctx);
	json_decref(rec);
	expect_ok(q, "process.executable contains \"\\\\tmp\\\\\" ci\nfile.path eq \"x\"");
	/* with maxspan before by, per-step by with several keys */
	expect_ok("sequence with maxspan=5m by user.name [process where a == \"1\"] by a, b "
		  "[process where b == \"2\"]", "a eq \"1\"\nb eq \"2\"");
}

static void test_eql_missing_and_until_steps_are_negated_and_marked(void **state)
{
	json_t *rec = qt_run(eql_parse,
			     "sequence by host.id with maxspan=1h\n"
			     "  [authentication where event.code : \"4624\"]\n"
			     "  ![authentication where event.code : \"4647\"]\n"
			     "until [process where event.type == \"end\"]");
	char *lines = qt_lines(rec);

	(void)state;
	assert_string_equal(qt_status(rec), "ok");
	assert_string_equal(lines, "event.code eq \"4624\" ci\n"
			    "event.code eq \"4647\" ci not\n"
			    "event.type eq \"end\" not");
	assert_key(rec, 0, "step", "absent");
	assert_key(rec, 1, "step", "\"missing\"");
	assert_key(rec, 1, "exclusion", "true");
	assert_key(rec, 2, "step", "\"until\"");
	free(lines);
	json_decref(rec);
}

static void test_eql_sample_and_runs_read_every_step_once(void **state)
{
	(void)state;
	expect_ok("sample by host.id [process where a == \"1\"] [file where b == \"2\"]",
		  "a eq \"1\"\nb eq \"2\"");
	expect_ok("sequence [process where a == \"1\"] with runs=3 [file where b == \"2\"]",
		  "a eq \"1\"\nb eq \"2\"");
}

static void test_eql_descendant_of_keeps_its_subquery_with_a_relation(void **state)
{
	json_t *rec = qt_run(eql_parse, "process where process.name == \"a\" and "
				       "not child of [process where process.name == \"b\"]");

	(void)state;
	assert_string_equal(qt_status(rec), "ok");
	assert_key(rec, 0, "relation", "absent");
	assert_key(rec, 1, "value", "\"b\"");
	assert_key(rec, 1, "negated", "true");
	assert_key(rec, 1, "relation", "\"child_of\"");
	json_decref(rec);
}

static void test_eql_optional_and_backtick_fields_are_named_plainly(void **state)
{
	(void)state;
	expect_ok("process where ?process.pe.original_file_name == \"a\" and "
		  "`my-field`.`x y` == \"b\" and process.args[0] == \"c\" and `a``b` == \"d\"",
		  "process.pe.original_file_name eq \"a\"\n"
		  "my-field.x y eq \"b\"\n"
		  "process.args[0] eq \"c\"\n"
		  "a`b eq \"d\"");
}

static void test_eql_raw_and_escaped_strings_give_the_literal_value(void **state)
{
	json_t *rec;

	(void)state;
	expect_ok("process where a == \"\"\"C:\\raw\\\"\"\"", "a eq \"C:\\\\raw\\\\\"");
	expect_ok("process where a == \"\"\"say \"hi\"\"\"\"", "a eq \"say \\\"hi\\\"\"");
	expect_ok("process where a == \"tab\\there \\\"q\\\" \\u{41}\\u{e9}\"",
		  "a eq \"tab\\there \\\"q\\\" A\xc3\xa9\"");
	expect_ok("process where a == ?\"C:\\x\\\"y\"", "a eq \"C:\\\\x\\\"y\"");
	/* raw_value is the string as the engine sees it, before lower-casing */
	rec = qt_run(eql_parse, "process where a : \"AB*\"");
	assert_key(rec, 0, "raw_value", "\"AB*\"");
	assert_key(rec, 0, "value", "\"ab\"");
	json_decref(rec);
}

static void test_eql_not_is_pushed_down_to_each_leaf(void **state)
{
	(void)state;
	expect_ok("process where not (a == \"1\" or b : \"2\") and not not c == \"3\"",
		  "a eq \"1\" not\nb eq \"2\" ci not\nc eq \"3\"");
	/* comments anywhere */
	expect_ok("process where /* one */ a == \"1\" // two\n and b == \"2\"", "a eq \"1\"\nb eq \"2\"");
}

static void test_eql_syntax_errors_name_line_column_and_token(void **state)
{
	json_t *rec = qt_run(eql_parse, "process where\n  a == \"1\" and\n  b === \"2\"");

	(void)state;
	assert_string_equal(qt_status(rec), "partial");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	assert_string_equal(qt_error(rec, 0),
			    "query line 3, column 7: expected a value, a field or '(' near '='");
	json_decref(rec);
	rec = qt_run(eql_parse, "process where (a == \"1\"");
	assert_string_equal(qt_error(rec, 0), "query line 1, column 24: expected ')' at the end of the query");
	json_decref(rec);
	rec = qt_run(eql_parse, "process where a == \"abc");
	assert_string_equal(qt_error(rec, 0), "query line 1, column 20: an unterminated string near '\"abc'");
	json_decref(rec);
	rec = qt_run(eql_parse, "process where a == \"x\\qy\"");
	assert_string_equal(qt_error(rec, 0), "query line 1, column 22: an escape that EQL does not know near '\\q'");
	json_decref(rec);
	rec = qt_run(eql_parse, "process a == \"1\"");
	assert_string_equal(qt_error(rec, 0),
			    "query line 1, column 9: expected 'where' after the event category near 'a'");
	json_decref(rec);
	rec = qt_run(eql_parse, "");
	assert_string_equal(qt_status(rec), "partial");
	json_decref(rec);
}

static void test_eql_unknown_function_and_pipe_make_the_rule_partial(void **state)
{
	json_t *rec = qt_run(eql_parse, "process where foo(a, \"b\") and c == \"d\"");
	char *lines = qt_lines(rec);

	(void)state;
	assert_string_equal(qt_status(rec), "partial");
	assert_string_equal(lines, "c eq \"d\"");
	assert_string_equal(qt_error(rec, 0), "query line 1, column 15: a function EQL does not define near 'foo'");
	free(lines);
	json_decref(rec);
	rec = qt_run(eql_parse, "process where a == \"1\" | unique a");
	assert_string_equal(qt_status(rec), "partial");
	assert_string_equal(qt_error(rec, 0), "query line 1, column 26: a pipe Elasticsearch EQL does not run "
			    "(only head and tail) near 'unique'");
	json_decref(rec);
	expect_ok("process where a == \"1\" | head 5 | tail 2", "a eq \"1\"");
}

static void test_eql_deep_nesting_is_a_limit_error_not_a_crash(void **state)
{
	struct strbuf q = STRBUF_INIT;
	json_t *rec;
	int i;

	(void)state;
	strbuf_addstr(&q, "process where ");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&q, '(');
	strbuf_addstr(&q, "a == \"1\"");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&q, ')');
	rec = qt_run(eql_parse, q.buf);
	assert_string_equal(qt_status(rec), "partial");
	assert_non_null(strstr(qt_error(rec, 0), "nested deeper than 200"));
	json_decref(rec);
	strbuf_release(&q);
}

static void test_eql_bytes_that_are_not_utf8_are_named_not_copied(void **state)
{
	json_t *rec = qt_run(eql_parse, "process where a == \"\xff\"");

	(void)state;
	assert_string_equal(qt_status(rec), "partial");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	/* the message quotes nothing of the bad byte, so it stays UTF-8 */
	assert_string_equal(qt_error(rec, 0), "query line 1, column 21: bytes that are not UTF-8 near ''");
	json_decref(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eql_category_goes_to_the_context_and_scopes_the_fields),
		cmocka_unit_test(test_eql_where_true_has_no_predicate),
		cmocka_unit_test(test_eql_double_equals_is_case_sensitive_and_takes_no_wildcards),
		cmocka_unit_test(test_eql_colon_ignores_case_and_takes_wildcards_with_lists),
		cmocka_unit_test(test_eql_like_and_like_tilde_differ_only_in_case),
		cmocka_unit_test(test_eql_regex_is_kept_as_written_with_its_case_flag),
		cmocka_unit_test(test_eql_in_and_not_in_give_one_predicate_per_value),
		cmocka_unit_test(test_eql_null_comparisons_are_exists),
		cmocka_unit_test(test_eql_numbers_compared_for_equality_are_text_and_ranges_numbers),
		cmocka_unit_test(test_eql_string_functions_become_their_operators),
		cmocka_unit_test(test_eql_cidrmatch_gives_one_cidr_per_block),
		cmocka_unit_test(test_eql_length_and_other_values_are_computed),
		cmocka_unit_test(test_eql_field_against_field_is_a_fieldref),
		cmocka_unit_test(test_eql_sequence_steps_map_with_their_own_category),
		cmocka_unit_test(test_eql_missing_and_until_steps_are_negated_and_marked),
		cmocka_unit_test(test_eql_sample_and_runs_read_every_step_once),
		cmocka_unit_test(test_eql_descendant_of_keeps_its_subquery_with_a_relation),
		cmocka_unit_test(test_eql_optional_and_backtick_fields_are_named_plainly),
		cmocka_unit_test(test_eql_raw_and_escaped_strings_give_the_literal_value),
		cmocka_unit_test(test_eql_not_is_pushed_down_to_each_leaf),
		cmocka_unit_test(test_eql_syntax_errors_name_line_column_and_token),
		cmocka_unit_test(test_eql_unknown_function_and_pipe_make_the_rule_partial),
		cmocka_unit_test(test_eql_deep_nesting_is_a_limit_error_not_a_crash),
		cmocka_unit_test(test_eql_bytes_that_are_not_utf8_are_named_not_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
