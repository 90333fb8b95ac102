/*
 * Unit tests for the kuery parser (tools/lib/elastic/kuery.c): one construct
 * each, the predicates written out by hand from Kibana's kuery grammar and
 * Elastic's KQL reference (terms on keyword fields are case-sensitive, text
 * fields match tokens ignoring case, '*' is the only wildcard), and the
 * messages of what does not parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query_test.h"

/* query_test.h's map, with two text fields and a nested scope's field map */
static const char map_yaml[] =
	"vendor: elastic\n"
	"default: {}\n"
	"text_fields: [message, powershell.file.script_block_text]\n"
	"unlisted: \"\"\n";

static json_t *run(const char *query)
{
	return qt_run_with("elastic", "rules/x.toml", map_yaml, kuery_parse, query);
}

static void expect(const char *query, const char *status, const char *want)
{
	qt_expect_rec(run(query), query, status, want);
}

static void expect_ok(const char *query, const char *want)
{
	expect(query, "ok", want);
}

/* The query does not parse: partial, no predicate, this first message. */
static void expect_error(const char *query, const char *msg)
{
	json_t *rec = run(query);

	assert_string_equal(qt_status(rec), "partial");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	assert_string_equal(qt_error(rec, 0), msg);
	json_decref(rec);
}

static void test_kuery_terms_on_keyword_fields_are_case_sensitive(void **state)
{
	(void)state;
	expect_ok("process.name : \"CMD.exe\"", "process.name eq \"CMD.exe\"");
	expect_ok("process.name:CMD.exe", "process.name eq \"CMD.exe\"");
	expect_ok("event.code:4624", "event.code eq \"4624\"");
	expect_ok("user.domain:true", "user.domain eq \"true\"");
	/* a lower-cased keyword (Elastic Defend's .caseless) compares ignoring case */
	expect_ok("process.name.caseless:\"CMD.exe\"", "process.name.caseless eq \"cmd.exe\" ci");
}

static void test_kuery_text_fields_match_tokens_ignoring_case(void **state)
{
	(void)state;
	expect_ok("powershell.file.script_block_text : \"Invoke-Mimikatz\"",
		  "powershell.file.script_block_text match \"invoke-mimikatz\" ci");
	expect_ok("message:Failed", "message match \"failed\" ci");
	/* a wildcard on a text field: the pattern decides, still ignoring case */
	expect_ok("message:Fail*", "message starts_with \"fail\" ci");
}

static void test_kuery_unquoted_wildcards_and_quoted_stars(void **state)
{
	(void)state;
	expect_ok("process.name:cmd*", "process.name starts_with \"cmd\"");
	expect_ok("process.args:*Temp*", "process.args contains \"Temp\"");
	expect_ok("file.path:*\\\\evil.dll", "file.name eq \"evil.dll\"");
	expect_ok("process.name:a*b", "process.name wildcard \"a*b\"");
	/* in quotes a star is a star */
	expect_ok("process.name:\"a*b\"", "process.name eq \"a*b\"");
	/* '?' is no wildcard in kuery */
	expect_ok("process.name:a?b", "process.name eq \"a?b\"");
}

static void test_kuery_lone_star_is_exists(void **state)
{
	(void)state;
	expect_ok("process.parent.name:*", "process.parent.name exists -");
	expect_ok("not user.name:*", "user.name exists - not");
	/* a quoted star is the one-character value */
	expect_ok("user.name:\"*\"", "user.name eq \"*\"");
	/* free-text '*' matches every event */
	expect_ok("*", "");
	expect_ok("*:*", "");
}

static void test_kuery_multi_word_unquoted_values_are_one_value(void **state)
{
	(void)state;
	expect_ok("process.name:*S3 Browser*", "process.name contains \"S3 Browser\"");
	expect_ok("a:x  y   and b:z", "a eq \"x  y\"\nb eq \"z\"");
	/* a keyword inside a word is no keyword */
	expect_ok("a:orange and b:android", "a eq \"orange\"\nb eq \"android\"");
	/* trailing spaces are trimmed */
	expect_ok("a:(x y )", "a eq \"x y\"");
}

static void test_kuery_value_lists_keep_and_or_not_with_nesting(void **state)
{
	(void)state;
	expect_ok("process.name:(cmd.exe or \"powershell.exe\")",
		  "process.name eq \"cmd.exe\"\nprocess.name eq \"powershell.exe\"");
	expect_ok("source.ip:(* and not (127.0.0.1 or \"::1\"))",
		  "source.ip exists -\nsource.ip eq \"127.0.0.1\" not\nsource.ip eq \"::1\" not");
	expect_ok("a:(x and not y or z)", "a eq \"x\"\na eq \"y\" not\na eq \"z\"");
	expect_ok("a : ( ( x ) )", "a eq \"x\"");
}

static void test_kuery_not_and_or_and_parentheses_at_any_depth(void **state)
{
	(void)state;
	/* and binds tighter than or; not applies to what follows; De Morgan at the leaves */
	expect_ok("a:1 or b:2 and not c:3", "a eq \"1\"\nb eq \"2\"\nc eq \"3\" not");
	expect_ok("not (a:1 or not (b:2 and c:3))", "a eq \"1\" not\nb eq \"2\"\nc eq \"3\"");
	expect_ok("((((a:1))))", "a eq \"1\"");
	expect_ok("A:1 AND NOT B:2 Or C:3", "A eq \"1\"\nB eq \"2\" not\nC eq \"3\"");
	expect_ok("  a:1\n\tand\r\nb:2  ", "a eq \"1\"\nb eq \"2\"");
	expect_ok("", "");
}

static void test_kuery_ranges_compare_numbers_or_text(void **state)
{
	(void)state;
	expect_ok("process.args_count >= 10", "process.args_count gte 10");
	expect_ok("a>1.5 and b<-2 and c<=3 and d > \"2\"",
		  "a gt 1.5\nb lt -2\nc lte 3\nd gt \"2\"");
	expect_ok("@timestamp < now-1d", "@timestamp lt \"now-1d\"");
}

static void test_kuery_escapes_are_resolved(void **state)
{
	(void)state;
	expect_ok("file.path:C\\:\\\\Windows\\\\*", "file.path starts_with \"C:\\\\Windows\\\\\"");
	expect_ok("a:\\*x", "a eq \"*x\"");
	expect_ok("a:x\\*", "a eq \"x*\"");
	expect_ok("a:\"say \\\"hi\\\" \\\\ here\"", "a eq \"say \\\"hi\\\" \\\\ here\"");
	/* in quotes, a backslash before another character stays */
	expect_ok("a:\"C:\\Windows\"", "a eq \"C:\\\\Windows\"");
	expect_ok("a:x\\ty\\u00e9", "a eq \"x\\ty\u00e9\"");
	expect_ok("a:\\or and b:\\NOT", "a eq \"or\"\nb eq \"NOT\"");
	expect_ok("a:(x\\(1\\) or y\\{\\})", "a eq \"x(1)\"\na eq \"y{}\"");
}

static void test_kuery_nested_queries_prefix_their_fields(void **state)
{
	(void)state;
	expect_ok("user:{ first:Alice and not last:\"White\" }",
		  "user.first eq \"Alice\"\nuser.last eq \"White\" not");
	expect_ok("a:{ b:{ c:1 } or d >= 2 }", "a.b.c eq \"1\"\na.d gte 2");
}

static void test_kuery_free_text_searches_every_field(void **state)
{
	(void)state;
	expect_ok("mimikatz", "keywords match \"mimikatz\" ci");
	expect_ok("\"Invoke Thing\" and a:1", "keywords match \"invoke thing\" ci\na eq \"1\"");
	expect_ok("*Mimi*", "keywords contains \"mimi\" ci");
}

static void test_kuery_syntax_errors_name_line_column_and_token(void **state)
{
	(void)state;
	expect_error("a:(x or y", "query line 1, column 3: a '(' that is never closed near '('");
	expect_error("(a:1 or b:2", "query line 1, column 1: a '(' that is never closed near '('");
	expect_error("a:1)", "query line 1, column 4: unexpected text after the query near ')'");
	expect_error("a:1 and\nb:\"xyz", "query line 2, column 3: an unterminated string near '\"xyz'");
	expect_error("a:x\\q", "query line 1, column 4: an escape kuery does not know (a backslash before "
		     "a character that is not special) near '\\q'");
	expect_error("a:()", "query line 1, column 4: expected a value near ')'");
	expect_error("a:1 and ", "query line 1, column 9: expected a query at the end of the query");
	expect_error("a:{ b:1", "query line 1, column 3: a '{' that is never closed near '{'");
	expect_error("a >= ", "query line 1, column 6: expected a value after the range operator "
		     "at the end of the query");
	/* 'not' and a space end an unquoted value, even inside a word (Kibana's grammar) */
	expect_error("a:x\\udc00", "query line 1, column 4: a \\u escape that is no character (NUL or a surrogate) near '\\udc00'");
	expect_error("a:cannot find", "query line 1, column 6: unexpected text after the query near 'not'");
}

static void test_kuery_deep_nesting_is_a_limit_error_not_a_crash(void **state)
{
	static const char *const shapes[][3] = {
		{ "", "(", ")" }, { "a:", "(", ")" }, { "", "not ", "" }, { "", "a:{", "}" }, { "a:(", "not ", "" },
	};
	size_t depth = 10000, k, i;

	(void)state;
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		struct strbuf sb = STRBUF_INIT;
		json_t *rec;

		strbuf_addstr(&sb, shapes[k][0]);
		for (i = 0; i < depth; i++)
			strbuf_addstr(&sb, shapes[k][1]);
		strbuf_addstr(&sb, *shapes[k][0] ? "x" : "x:1");
		for (i = 0; i < depth; i++)
			strbuf_addstr(&sb, shapes[k][2]);
		if (!strcmp(shapes[k][0], "a:("))
			strbuf_addch(&sb, ')');
		rec = run(sb.buf);
		assert_string_equal(qt_status(rec), "partial");
		assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
		assert_non_null(strstr(qt_error(rec, 0), "nested deeper than 200"));
		json_decref(rec);
		strbuf_release(&sb);
	}
}

static void test_kuery_bytes_that_are_not_utf8_stop_the_parse(void **state)
{
	json_t *rec = run("a:\"x\xff\"");

	(void)state;
	assert_string_equal(qt_status(rec), "partial");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	json_decref(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kuery_terms_on_keyword_fields_are_case_sensitive),
		cmocka_unit_test(test_kuery_text_fields_match_tokens_ignoring_case),
		cmocka_unit_test(test_kuery_unquoted_wildcards_and_quoted_stars),
		cmocka_unit_test(test_kuery_lone_star_is_exists),
		cmocka_unit_test(test_kuery_multi_word_unquoted_values_are_one_value),
		cmocka_unit_test(test_kuery_value_lists_keep_and_or_not_with_nesting),
		cmocka_unit_test(test_kuery_not_and_or_and_parentheses_at_any_depth),
		cmocka_unit_test(test_kuery_ranges_compare_numbers_or_text),
		cmocka_unit_test(test_kuery_escapes_are_resolved),
		cmocka_unit_test(test_kuery_nested_queries_prefix_their_fields),
		cmocka_unit_test(test_kuery_free_text_searches_every_field),
		cmocka_unit_test(test_kuery_syntax_errors_name_line_column_and_token),
		cmocka_unit_test(test_kuery_deep_nesting_is_a_limit_error_not_a_crash),
		cmocka_unit_test(test_kuery_bytes_that_are_not_utf8_stop_the_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
