/*
 * Unit tests for the ES|QL parser (tools/lib/elastic/esql.c): FROM into the
 * context, WHERE into predicates with the meanings of the ES|QL reference,
 * the columns each command makes (computed from where they stand), embedded
 * kuery, and the messages of what does not parse.
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
	qt_expect(esql_parse, query, "ok", want);
}

static void assert_context(const char *query, const char *want)
{
	json_t *rec = qt_run(esql_parse, query);
	char *ctx = json_dumps(json_object_get(rec, "context"), JSON_COMPACT);

	if (strcmp(ctx, want) != 0)
		fail_msg("%s\ncontext %s, want %s", query, ctx, want);
	free(ctx);
	json_decref(rec);
}

static void assert_partial(const char *query, const char *want_lines, const char *want_error)
{
	json_t *rec = qt_run(esql_parse, query);
	char *lines = qt_lines(rec);

	if (strcmp(qt_status(rec), "partial") != 0)
		fail_msg("%s\nstatus %s, want partial", query, qt_status(rec));
	if (strcmp(lines, want_lines) != 0)
		fail_msg("%s\ngot:\n%s\nwant:\n%s", query, lines, want_lines);
	if (strcmp(qt_error(rec, 0), want_error) != 0)
		fail_msg("%s\nerror '%s'\nwant  '%s'", query, qt_error(rec, 0), want_error);
	free(lines);
	json_decref(rec);
}

static void test_esql_from_gives_indices_and_metadata_to_the_context(void **state)
{
	(void)state;
	assert_context("FROM logs-endpoint.events.process-*, \"logs-x\", remote:logs-y METADATA _id, _index\n"
		       "| WHERE a == \"1\"",
		       "{\"index\":[\"logs-endpoint.events.process-*\",\"logs-x\",\"remote:logs-y\"],"
		       "\"metadata\":[\"_id\",\"_index\"]}");
	assert_context("from .alerts-security.* [metadata _id]",
		       "{\"index\":[\".alerts-security.*\"],\"metadata\":[\"_id\"]}");
}

static void test_esql_a_where_before_eval_is_on_the_event_and_after_it_computed(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE process.name == \"a\" | EVAL process.name = TO_LOWER(process.name)\n"
		  "| WHERE process.name == \"b\"",
		  "process.name eq \"a\"\n"
		  "process.name eq \"b\" computed");
}

static void test_esql_stats_by_a_field_keeps_it_and_its_values_are_computed(void **state)
{
	(void)state;
	expect_ok("FROM x | STATS n = COUNT(*), VALUES(host.name) WHERE a == 1\n"
		  "  BY user.name, day = DATE_TRUNC(1 day, @timestamp)\n"
		  "| WHERE n > 5 AND user.name == \"bob\" AND day IS NOT NULL AND `VALUES(host.name)` IS NOT NULL",
		  "n gt 5 computed\n"
		  "user.name eq \"bob\"\n"
		  "day exists - computed\n"
		  "VALUES(host.name) exists - computed");
	expect_ok("FROM x | INLINE STATS hosts = COUNT_DISTINCT(host.id) BY rule.name | WHERE hosts >= 2",
		  "hosts gte 2 computed");
}

static void test_esql_like_takes_wildcards_and_backslash_escapes_rlike_a_regex(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE file.path LIKE \"\"\"C:\\\\Users\\\\*\\\\a?.txt\"\"\"\n"
		  "  AND process.name LIKE (\"a*\", \"*b\") AND x NOT LIKE \"a\\\\*b\"\n"
		  "  AND url RLIKE \"http://[0-9]+\\\\.x\"",
		  "file.path wildcard \"C:\\\\\\\\Users\\\\\\\\*\\\\\\\\a?.txt\"\n"
		  "process.name starts_with \"a\"\n"
		  "process.name ends_with \"b\"\n"
		  "x eq \"a*b\" not\n"
		  "url regex_match \"http://[0-9]+\\\\.x\"");
}

static void test_esql_in_not_in_and_is_null(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE event.code IN (\"4624\", 4625) AND user.name NOT IN (\"a\") AND host.ip IS NULL "
		  "AND NOT host.name IS NOT NULL",
		  "event.code eq \"4624\"\n"
		  "event.code eq \"4625\"\n"
		  "user.name eq \"a\" not\n"
		  "host.ip exists - not\n"
		  "host.name exists - not");
}

static void test_esql_to_lower_makes_a_comparison_ignore_case(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE TO_LOWER(process.name) == \"cmd.exe\" AND TO_STRING(source.ip) IN (\"127.0.0.1\")\n"
		  "  AND process.name =~ \"PowerShell.EXE\" AND TO_UPPER(x) LIKE \"*ABC*\" AND y::string == \"Q\"",
		  "process.name eq \"cmd.exe\" ci\n"
		  "source.ip eq \"127.0.0.1\"\n"
		  "process.name eq \"powershell.exe\" ci\n"
		  "x contains \"abc\" ci\n"
		  "y eq \"Q\"");
}

static void test_esql_string_functions_become_their_operators(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE STARTS_WITH(a, \"x\") AND ENDS_WITH(TO_LOWER(file.path), \"\\\\Evil.dll\")\n"
		  "  AND CONTAINS(c, \"y\") AND CIDR_MATCH(source.ip, \"10.0.0.0/8\", \"192.168.0.0/16\")\n"
		  "  AND MV_CONTAINS(tags, \"t\")",
		  "a starts_with \"x\"\n"
		  "file.name eq \"evil.dll\" ci\n"
		  "c contains \"y\"\n"
		  "source.ip cidr \"10.0.0.0/8\"\n"
		  "source.ip cidr \"192.168.0.0/16\"\n"
		  "tags eq \"t\"");
	/* true IN (conditions): any of them */
	expect_ok("FROM x | WHERE true IN (STARTS_WITH(a, \"x\"), ENDS_WITH(a, \"y\"))",
		  "a starts_with \"x\"\na ends_with \"y\"");
}

static void test_esql_match_and_colon_are_full_text_matches(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE message : \"failed login\" AND MATCH(user.name, \"bob\", {\"operator\": \"AND\"})",
		  "message match \"failed login\"\nuser.name match \"bob\"");
}

static void test_esql_other_values_are_computed(void **state)
{
	(void)state;
	expect_ok("FROM x | WHERE LENGTH(process.command_line) > 100 AND @timestamp > NOW() - 1 hour\n"
		  "  AND DATE_DIFF(\"seconds\", a, b) <= 60",
		  "LENGTH(process.command_line) gt 100 computed\n"
		  "@timestamp gt \"NOW() - 1 hour\" computed\n"
		  "DATE_DIFF(\"seconds\", a, b) lte 60 computed");
}

static void test_esql_grok_and_dissect_names_are_computed_columns(void **state)
{
	(void)state;
	expect_ok("FROM x | GROK message \"%{IP:client.ip} %{WORD:verb:keyword} (?<rest>.*)\"\n"
		  "| DISSECT msg \"%{a} %{?skip} %{+a} %{b->}\" APPEND_SEPARATOR = \" \"\n"
		  "| WHERE client.ip == \"1.2.3.4\" AND verb == \"GET\" AND rest == \"x\" AND a == \"y\"\n"
		  "  AND b == \"z\" AND skip == \"s\"",
		  "client.ip eq \"1.2.3.4\" computed\n"
		  "verb eq \"GET\" computed\n"
		  "rest eq \"x\" computed\n"
		  "a eq \"y\" computed\n"
		  "b eq \"z\" computed\n"
		  "skip eq \"s\"");
}

static void test_esql_rename_mv_expand_enrich_and_completion_make_columns(void **state)
{
	(void)state;
	expect_ok("FROM x | RENAME a AS b | MV_EXPAND c | ENRICH my-policy ON host.name WITH owner = user, team\n"
		  "| COMPLETION verdict = prompt WITH {\"inference_id\": \"x\"} | SORT b DESC | LIMIT 5 | KEEP b*\n"
		  "| WHERE b == \"1\" AND c == \"2\" AND owner == \"3\" AND team == \"4\" AND verdict == \"5\" AND a == \"6\"",
		  "b eq \"1\" computed\n"
		  "c eq \"2\" computed\n"
		  "owner eq \"3\" computed\n"
		  "team eq \"4\" computed\n"
		  "verdict eq \"5\" computed\n"
		  "a eq \"6\"");
}

static void test_esql_kql_is_read_by_the_kuery_parser_where_it_stands(void **state)
{
	json_t *rec = qt_run(esql_parse, "FROM x | WHERE a == \"1\" AND NOT KQL(\"\"\"b : \"c\" \"\"\")");
	const json_t *preds = json_object_get(rec, "predicates"), *p;
	size_t i, n;
	int seen = 0;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_array_get(preds, 0), "field")), "a");
	if (!strcmp(qt_status(rec), "ok")) {
		/* a kuery parser: its predicate under our NOT */
		json_array_foreach(preds, i, p)
			if (!strcmp(json_string_value(json_object_get(p, "field")), "b"))
				seen = json_is_true(json_object_get(p, "negated"));
		assert_true(seen);
	} else {
		/* the kuery parser said why; we say where */
		n = json_array_size(json_object_get(json_object_get(rec, "parse"), "errors"));
		for (i = 0; i < n; i++)
			seen |= !strcmp(qt_error(rec, i), "query line 1, column 33: the kuery query given here "
					"is not read whole (see the message before) near 'KQL'");
		assert_true(seen);
	}
	json_decref(rec);
}

static void test_esql_keywords_in_any_case_comments_and_pipes_in_strings(void **state)
{
	(void)state;
	expect_ok("from x // a comment | not a command\n"
		  "| where A.b == \"p|q\" /* | */ and c != \"\\\"\" | keep A.b",
		  "A.b eq \"p|q\"\nc eq \"\\\"\" not");
}

static void test_esql_a_comparison_with_null_is_partial(void **state)
{
	(void)state;
	assert_partial("FROM x | WHERE a == null AND b == \"1\"", "b eq \"1\"",
		       "query line 1, column 21: a comparison with null, which is never true (IS NULL is) near 'null'");
}

static void test_esql_syntax_errors_name_line_column_and_token(void **state)
{
	(void)state;
	assert_partial("FROM x | WHERE (a == \"1\"", "",
		       "query line 1, column 25: expected ')' at the end of the query");
	assert_partial("FROM x\n| WHERE a == \"1\"\n| BOGUS y", "a eq \"1\"",
		       "query line 3, column 3: a command this reader does not know near 'BOGUS'");
	assert_partial("FROM x | WHERE a = \"1\"", "",
		       "query line 1, column 18: expected AND, OR or the end of the command near '='");
	assert_partial("WHERE a == \"1\"", "",
		       "query line 1, column 1: expected FROM or ROW to start the query near 'WHERE'");
	assert_partial("FROM x | WHERE a == \"abc", "",
		       "query line 1, column 21: an unterminated string near '\"abc'");
	assert_partial("FROM x |", "", "query line 1, column 9: expected a command after '|' at the end of the query");
}

static void test_esql_deep_nesting_is_a_limit_error_not_a_crash(void **state)
{
	struct strbuf q = STRBUF_INIT;
	json_t *rec;
	int i;

	(void)state;
	strbuf_addstr(&q, "FROM x | WHERE ");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&q, '(');
	strbuf_addstr(&q, "a == 1");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&q, ')');
	rec = qt_run(esql_parse, q.buf);
	assert_string_equal(qt_status(rec), "partial");
	assert_non_null(strstr(qt_error(rec, 0), "nested deeper than 200"));
	json_decref(rec);
	strbuf_release(&q);
}

static void test_esql_bytes_that_are_not_utf8_are_named_not_copied(void **state)
{
	json_t *rec = qt_run(esql_parse, "FROM x | WHERE a == \"\xff\"");

	(void)state;
	assert_string_equal(qt_status(rec), "partial");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	/* the message quotes nothing of the bad byte, so it stays UTF-8 */
	assert_string_equal(qt_error(rec, 0), "query line 1, column 22: bytes that are not UTF-8 near ''");
	json_decref(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esql_from_gives_indices_and_metadata_to_the_context),
		cmocka_unit_test(test_esql_a_where_before_eval_is_on_the_event_and_after_it_computed),
		cmocka_unit_test(test_esql_stats_by_a_field_keeps_it_and_its_values_are_computed),
		cmocka_unit_test(test_esql_like_takes_wildcards_and_backslash_escapes_rlike_a_regex),
		cmocka_unit_test(test_esql_in_not_in_and_is_null),
		cmocka_unit_test(test_esql_to_lower_makes_a_comparison_ignore_case),
		cmocka_unit_test(test_esql_string_functions_become_their_operators),
		cmocka_unit_test(test_esql_match_and_colon_are_full_text_matches),
		cmocka_unit_test(test_esql_other_values_are_computed),
		cmocka_unit_test(test_esql_grok_and_dissect_names_are_computed_columns),
		cmocka_unit_test(test_esql_rename_mv_expand_enrich_and_completion_make_columns),
		cmocka_unit_test(test_esql_kql_is_read_by_the_kuery_parser_where_it_stands),
		cmocka_unit_test(test_esql_keywords_in_any_case_comments_and_pipes_in_strings),
		cmocka_unit_test(test_esql_a_comparison_with_null_is_partial),
		cmocka_unit_test(test_esql_syntax_errors_name_line_column_and_token),
		cmocka_unit_test(test_esql_deep_nesting_is_a_limit_error_not_a_crash),
		cmocka_unit_test(test_esql_bytes_that_are_not_utf8_are_named_not_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
