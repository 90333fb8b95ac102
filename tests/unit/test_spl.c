/*
 * Unit tests for the SPL reader: how each construct becomes predicates, read
 * as one line per predicate "raw_field op value [ci] [not] [computed]", with
 * no field map (raw names), expectations written by hand from Splunk's search
 * reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "common/util.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "splunk/spl.h"

struct got {
	char *preds;		/* "f op v [ci] [not] [computed]; ..." */
	char *context;		/* compact JSON */
	char *status;
	char *error;		/* the first message, or "" */
};

static struct got parse(const char *spl)
{
	struct rule *r = rule_new("splunk", "t", "detections/endpoint/t.yml");
	struct pred_builder *pb = pb_new(r, NULL, 0, NULL, NULL);
	struct strbuf sb = STRBUF_INIT;
	struct got g;
	json_t *j, *p, *e;
	size_t i;

	spl_parse(pb, r, spl, strlen(spl), 1, NULL, 0, NULL, NULL);
	pb_free(pb);
	j = rule_to_json(r);
	strbuf_init(&sb, 256);
	json_array_foreach(json_object_get(j, "predicates"), i, p) {
		json_t *v = json_object_get(p, "value");
		const char *rf = json_string_value(json_object_get(p, "raw_field"));

		if (i)
			strbuf_addstr(&sb, "; ");
		strbuf_addf(&sb, "%s %s", rf ? rf : "-", json_string_value(json_object_get(p, "op")));
		if (json_is_string(v))
			strbuf_addf(&sb, " %s", json_string_value(v));
		else if (json_is_integer(v))
			strbuf_addf(&sb, " %lld", (long long)json_integer_value(v));
		if (json_is_true(json_object_get(p, "ci")))
			strbuf_addstr(&sb, " ci");
		if (json_is_true(json_object_get(p, "negated")))
			strbuf_addstr(&sb, " not");
		if (json_is_true(json_object_get(p, "computed")))
			strbuf_addstr(&sb, " computed");
	}
	g.preds = strbuf_detach(&sb, NULL);
	g.context = json_dumps(json_object_get(j, "context"), JSON_COMPACT);
	g.status = xstrdup(json_string_value(json_object_get(json_object_get(j, "parse"), "status")));
	e = json_array_get(json_object_get(json_object_get(j, "parse"), "errors"), 0);
	g.error = xstrdup(e ? json_string_value(json_object_get(e, "message")) : "");
	json_decref(j);
	rule_free(r);
	return g;
}

static void got_release(struct got *g)
{
	free(g->preds);
	free(g->context);
	free(g->status);
	free(g->error);
}

#define assert_preds(spl, want) do { \
		struct got g_ = parse(spl); \
		if (strcmp(g_.preds, want)) \
			fail_msg("%s\n got: %s\nwant: %s", spl, g_.preds, want); \
		assert_string_equal(g_.status, "ok"); \
		got_release(&g_); \
	} while (0)

static void test_spl_search_values_ignore_case_and_where_values_keep_it(void **state)
{
	(void)state;
	assert_preds("Image=CMD.EXE | where CommandLine=\"/C Whoami\"",
		     "Image eq cmd.exe ci; CommandLine eq /C Whoami");
	assert_preds("| where lower(User)=\"SYSTEM\"", "User eq system ci");
}

static void test_spl_not_binds_to_the_next_term_only(void **state)
{
	(void)state;
	assert_preds("NOT a=1 b=2 OR c=3", "a eq 1 ci not; b eq 2 ci; c eq 3 ci");
	assert_preds("NOT (a=1 b=2)", "a eq 1 ci not; b eq 2 ci not");
	assert_preds("a!=1 NOT(b IN (x,y))", "a eq 1 ci not; b eq x ci not; b eq y ci not");
	assert_preds("| where NOT (a=\"1\" OR b!=\"2\")", "a eq 1 not; b eq 2");
}

static void test_spl_in_lists_and_wildcards(void **state)
{
	(void)state;
	assert_preds("f IN(*a,b*, \"*c*\") g=*", "f ends_with a ci; f starts_with b ci; f contains c ci; g exists");
	assert_preds("\"quoted.field\" IN (\"x\") | where in(h, \"1\", \"2\") AND h2 IN (\"3\")",
		     "quoted.field eq x ci; h eq 1; h eq 2; h2 eq 3");
}

static void test_spl_escapes_resolve_to_the_compared_text(void **state)
{
	(void)state;
	assert_preds("p=\"C:\\\\Windows\\\\\" q=*\\\"x\\\"* r=a\\b", "p eq c:\\windows\\ ci; q contains \"x\" ci; r eq a\\b ci");
	assert_preds("s=*GetCurrent()* t=$tok$", "s contains getcurrent() ci; t eq $tok$ ci");
}

static void test_spl_comparisons_and_time_modifiers(void **state)
{
	(void)state;
	assert_preds("EventCode>=4624 earliest=-24h latest=now | where count < 10",
		     "EventCode gte 4624; count lt 10");
}

static void test_spl_cidr_values_in_search_are_networks(void **state)
{
	(void)state;
	/* search compares IP fields with CIDR networks; where compares the text */
	assert_preds("src=10.0.0.0/8 dst!=fe80::/10 x=1.2.3.4 | where y=\"10.0.0.0/8\"",
		     "src cidr 10.0.0.0/8; dst cidr fe80::/10 not; x eq 1.2.3.4 ci; y eq 10.0.0.0/8");
}

static void test_spl_like_is_a_function_or_an_operator(void **state)
{
	(void)state;
	assert_preds("| where LIKE (a, \"%x_y%\") OR b LIKE \"p%\" OR like(c, \"%q\")",
		     "a wildcard *x?y*; b starts_with p; c ends_with q");
}

static void test_spl_free_text_is_a_keyword_predicate(void **state)
{
	(void)state;
	assert_preds("\"access denied\" err* NOT TERM(ok)", "- match access denied ci; - starts_with err ci; - match ok ci not");
}

static void test_spl_columns_the_pipeline_makes_are_computed(void **state)
{
	(void)state;
	assert_preds("| tstats count values(P.x) as xs from datamodel=E.P where P.a=1 by P.b P.c as c2"
		     " | where count > 1 AND xs=\"v\" AND 'P.b'=\"w\" AND c2=\"u\"",
		     "P.a eq 1 ci; count gt 1 computed; xs eq v computed; P.b eq w; c2 eq u computed");
	assert_preds("a=1 | eval n=len(a), m=1 | rex field=a \"(?<part>\\d+)\" | where n > 3 AND part=\"7\" AND a=\"2\"",
		     "a eq 1 ci; n gt 3 computed; part eq 7 computed; a eq 2");
	assert_preds("| rename P.* AS * | rename b AS d | lookup t k OUTPUT o AS p | where b=\"1\" AND d=\"2\" AND p=\"3\"",
		     "b eq 1; d eq 2 computed; p eq 3 computed");
}

static void test_spl_a_filter_before_a_column_is_made_stays_on_the_event(void **state)
{
	(void)state;
	assert_preds("| where x=\"1\" | eval x=2 | where x=\"3\"", "x eq 1; x eq 3 computed");
}

static void test_spl_where_on_anything_else_is_a_computed_filter(void **state)
{
	(void)state;
	assert_preds("| where len(a) > 10", "- eq true computed");
}

static void test_spl_context_takes_what_the_search_reads_positively(void **state)
{
	struct got g = parse("sourcetype=st1 NOT source=s2 EventCode=4688 index=main | search eventtype=et");

	(void)state;
	assert_string_equal(g.context,
			    "{\"sourcetype\":[\"st1\"],\"EventCode\":[\"4688\"],\"index\":[\"main\"],"
			    "\"commands\":[\"search\"],\"eventtype\":[\"et\"]}");
	got_release(&g);
}

static void test_spl_subsearches_are_read_with_their_own_columns(void **state)
{
	(void)state;
	/* x is computed outside; inside the join's subsearch it is an event field again */
	assert_preds("a=1 | eval x=1 | join k [search b=2 x=3] | search x=4",
		     "a eq 1 ci; b eq 2 ci; x eq 3 ci; x eq 4 ci computed");
}

static void test_spl_unknown_command_makes_the_rule_partial(void **state)
{
	struct got g = parse("a=1 | frobnicate b=2");

	(void)state;
	assert_string_equal(g.status, "partial");
	assert_string_equal(g.error, "command 'frobnicate' is not read");
	assert_string_equal(g.preds, "a eq 1 ci");
	got_release(&g);
}

static void test_spl_syntax_error_fails_and_emits_nothing(void **state)
{
	struct got g = parse("a=1 (b=2 | stats count");

	(void)state;
	assert_string_equal(g.status, "failed");
	assert_string_equal(g.error, "a '(' without its ')'");
	assert_string_equal(g.preds, "");
	got_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spl_search_values_ignore_case_and_where_values_keep_it),
		cmocka_unit_test(test_spl_not_binds_to_the_next_term_only),
		cmocka_unit_test(test_spl_in_lists_and_wildcards),
		cmocka_unit_test(test_spl_escapes_resolve_to_the_compared_text),
		cmocka_unit_test(test_spl_comparisons_and_time_modifiers),
		cmocka_unit_test(test_spl_cidr_values_in_search_are_networks),
		cmocka_unit_test(test_spl_like_is_a_function_or_an_operator),
		cmocka_unit_test(test_spl_free_text_is_a_keyword_predicate),
		cmocka_unit_test(test_spl_columns_the_pipeline_makes_are_computed),
		cmocka_unit_test(test_spl_a_filter_before_a_column_is_made_stays_on_the_event),
		cmocka_unit_test(test_spl_where_on_anything_else_is_a_computed_filter),
		cmocka_unit_test(test_spl_context_takes_what_the_search_reads_positively),
		cmocka_unit_test(test_spl_subsearches_are_read_with_their_own_columns),
		cmocka_unit_test(test_spl_unknown_command_makes_the_rule_partial),
		cmocka_unit_test(test_spl_syntax_error_fails_and_emits_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
