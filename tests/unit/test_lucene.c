/*
 * Unit tests for the Lucene parser (tools/lib/elastic/lucene.c): the query
 * string syntax of Elasticsearch's query_string (Lucene's classic parser),
 * one construct each, the predicates written out by hand from its reference:
 * terms, phrases, wildcards, regular expressions, ranges, AND/OR/NOT and
 * +/-, escapes, _exists_, and what does not parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query_test.h"

static const char map_yaml[] =
	"vendor: elastic\n"
	"default: {}\n"
	"text_fields: [message]\n"
	"unlisted: \"\"\n";

static json_t *run(const char *query)
{
	return qt_run_with("elastic", "rules/x.toml", map_yaml, lucene_parse, query);
}

static void expect(const char *query, const char *status, const char *want)
{
	qt_expect_rec(run(query), query, status, want);
}

static void expect_ok(const char *query, const char *want)
{
	expect(query, "ok", want);
}

static void expect_error(const char *query, const char *msg)
{
	json_t *rec = run(query);

	assert_string_equal(qt_status(rec), "partial");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 0);
	assert_string_equal(qt_error(rec, 0), msg);
	json_decref(rec);
}

static void test_lucene_terms_phrases_and_wildcards(void **state)
{
	(void)state;
	expect_ok("process.name:chmod", "process.name eq \"chmod\"");
	expect_ok("process.name:\"Cmd Exe*\"", "process.name eq \"Cmd Exe*\"");
	expect_ok("process.name:cmd*", "process.name starts_with \"cmd\"");
	expect_ok("process.name:c?d.exe", "process.name wildcard \"c?d.exe\"");
	expect_ok("process.args:g+s", "process.args eq \"g+s\"");
	expect_ok("message:Failed", "message match \"failed\" ci");
	expect_ok("mimikatz", "keywords match \"mimikatz\" ci");
	expect_ok("*", "");
}

static void test_lucene_escapes_regex_and_exists(void **state)
{
	(void)state;
	expect_ok("file.path:C\\:\\\\Windows\\\\*", "file.path starts_with \"C:\\\\Windows\\\\\"");
	expect_ok("a:x\\*y", "a eq \"x*y\"");
	expect_ok("a:\"say \\\"hi\\\"\"", "a eq \"say \\\"hi\\\"\"");
	expect_ok("process.args:/2[0-9]{3}/", "process.args regex_match \"2[0-9]{3}\"");
	expect_ok("_exists_:user.name", "user.name exists -");
	expect_ok("NOT _exists_:user.name", "user.name exists - not");
}

static void test_lucene_ranges(void **state)
{
	(void)state;
	expect_ok("a:[1 TO 5]", "a gte 1\na lte 5");
	expect_ok("a:{1 TO 5]", "a gt 1\na lte 5");
	expect_ok("a:[10 TO *}", "a gte 10");
	expect_ok("a:[* TO *]", "a exists -");
	expect_ok("d:[now-1d TO now]", "d gte \"now-1d\"\nd lte \"now\"");
	expect_ok("a:>=10 AND b:<2.5", "a gte 10\nb lt 2.5");
}

static void test_lucene_boolean_operators_and_modifiers(void **state)
{
	(void)state;
	expect_ok("a:1 AND b:2", "a eq \"1\"\nb eq \"2\"");
	expect_ok("a:1 && NOT b:2", "a eq \"1\"\nb eq \"2\" not");
	expect_ok("a:1 OR b:2 || c:3", "a eq \"1\"\nb eq \"2\"\nc eq \"3\"");
	/* side by side: ORed */
	expect_ok("a:1 b:2", "a eq \"1\"\nb eq \"2\"");
	/* a required clause: the optional ones only score */
	expect_ok("a:1 +b:2", "b eq \"2\"");
	expect_ok("a:1 -b:2 !c:3", "b eq \"2\" not\nc eq \"3\" not\na eq \"1\"");
	expect_ok("a:1 AND b:2 OR c:3", "a eq \"1\"\nb eq \"2\"");
	/* only upper-case words are operators */
	expect_ok("t:(start or stop)", "t eq \"start\"\nt eq \"or\"\nt eq \"stop\"");
	expect_ok("NOT (a:1 OR b:2)", "a eq \"1\" not\nb eq \"2\" not");
	expect_ok("a:(x AND NOT y)", "a eq \"x\"\na eq \"y\" not");
	expect_ok("a:x^2", "a eq \"x\"");
}

static void test_lucene_what_does_not_parse(void **state)
{
	json_t *rec;

	(void)state;
	expect_error("a:(x OR y", "query line 1, column 3: a '(' that is never closed near '('");
	expect_error("a:\"xyz", "query line 1, column 3: an unterminated phrase near '\"xyz'");
	expect_error("a:1 AND", "query line 1, column 8: expected a clause after AND at the end of the query");
	expect_error("a:[1 5]", "query line 1, column 6: expected 'TO' in a range near '5'");
	expect_error("a:1)", "query line 1, column 4: a ')' that closes nothing near ')'");
	expect_error("a:/x", "query line 1, column 3: an unterminated regular expression near '/x'");
	rec = run("a:foo~2");
	assert_string_equal(qt_status(rec), "partial");
	assert_string_equal(qt_error(rec, 0), "query line 1, column 6: a fuzzy or proximity search has no predicate near '~2'");
	json_decref(rec);
}

static void test_lucene_deep_nesting_is_a_limit_error(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *rec;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		strbuf_addch(&sb, '(');
	strbuf_addstr(&sb, "a:1");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&sb, ')');
	rec = run(sb.buf);
	assert_string_equal(qt_status(rec), "partial");
	assert_non_null(strstr(qt_error(rec, 0), "nested deeper than 200"));
	json_decref(rec);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lucene_terms_phrases_and_wildcards),
		cmocka_unit_test(test_lucene_escapes_regex_and_exists),
		cmocka_unit_test(test_lucene_ranges),
		cmocka_unit_test(test_lucene_boolean_operators_and_modifiers),
		cmocka_unit_test(test_lucene_what_does_not_parse),
		cmocka_unit_test(test_lucene_deep_nesting_is_a_limit_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
