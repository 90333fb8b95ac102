/*
 * Unit tests for the KQL parser (tools/lib/kusto/kql.c): one construct each,
 * its predicates written out by hand from the KQL reference (case rules of
 * each operator, lists one predicate per value, not() pushed down), let
 * resolution, computed columns, scopes per table, and the messages of what
 * does not parse.
 *
 * The map is Kusto's shape in miniature: FolderPath is the process image in
 * DeviceProcessEvents and the file in DeviceFileEvents; ProcessCommandLine
 * and RemoteIP are mapped everywhere; other names stay as written (unlisted
 * ""), so a line shows which scope a field was mapped in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "kusto/kql.h"

#include "query_test.h"

static const char map_yaml[] =
	"vendor: kusto\n"
	"default:\n"
	"  ProcessCommandLine: process.command_line\n"
	"  RemoteIP: destination.ip\n"
	"scopes:\n"
	"  - match: {tables: DeviceProcessEvents}\n"
	"    fields: {FolderPath: process.executable, FileName: process.name}\n"
	"  - match: {tables: DeviceFileEvents}\n"
	"    fields: {FolderPath: file.path, FileName: file.name}\n"
	"unlisted: \"\"\n";

static json_t *run(const char *query)
{
	return qt_run_with("kusto", "x.kql", map_yaml, kql_parse, query);
}

static void expect(const char *query, const char *want_status, const char *want)
{
	qt_expect_rec(run(query), query, want_status, want);
}

static void expect_ok(const char *query, const char *want)
{
	expect(query, "ok", want);
}

static void expect_error(const char *query, const char *want_status, const char *want_msg)
{
	json_t *rec = run(query);

	if (strcmp(qt_status(rec), want_status) != 0)
		fail_msg("%s\nstatus %s, want %s (%s)", query, qt_status(rec), want_status, qt_error(rec, 0));
	if (strcmp(qt_error(rec, 0), want_msg) != 0)
		fail_msg("%s\nmessage: %s\nwant:    %s", query, qt_error(rec, 0), want_msg);
	json_decref(rec);
}

static void test_kql_equality_operators_and_their_case(void **state)
{
	(void)state;
	expect_ok("T | where A == \"X\"", "A eq \"X\"");
	expect_ok("T | where A =~ \"X\"", "A eq \"x\" ci");
	expect_ok("T | where A != \"X\"", "A eq \"X\" not");
	expect_ok("T | where A !~ \"X\"", "A eq \"x\" ci not");
	expect_ok("T | where A <> \"X\"", "A eq \"X\" not");
	/* an eq number is its text; an ordering keeps the number */
	expect_ok("T | where EventID == 4688", "EventID eq \"4688\"");
	expect_ok("T | where Port > 1024 and Size <= 1.5", "Port gt 1024\nSize lte 1.5");
}

static void test_kql_string_operators_and_negations(void **state)
{
	(void)state;
	expect_ok("T | where A has \"Run\" and B has_cs \"Run\"", "A match \"run\" ci\nB match \"Run\"");
	expect_ok("T | where A !has \"x\"", "A match \"x\" ci not");
	expect_ok("T | where A contains \"X\" or A contains_cs \"X\"", "A contains \"x\" ci\nA contains \"X\"");
	expect_ok("T | where A !contains \"x\"", "A contains \"x\" ci not");
	expect_ok("T | where A startswith \"Ab\" and A !endswith_cs \"Z\"",
		  "A starts_with \"ab\" ci\nA ends_with \"Z\" not");
	expect_ok("T | where A matches regex \"^a.*b$\"", "A regex_match \"^a.*b$\"");
}

static void test_kql_in_lists_give_one_predicate_per_value(void **state)
{
	(void)state;
	expect_ok("T | where A in (\"a\", \"B\")", "A eq \"a\"\nA eq \"B\"");
	expect_ok("T | where A in~ (\"a\", \"B\")", "A eq \"a\" ci\nA eq \"b\" ci");
	/* not in: each value negated (and-ed) */
	expect_ok("T | where A !in (\"a\", \"b\")", "A eq \"a\" not\nA eq \"b\" not");
	expect_ok("T | where A !in~ (\"X\")", "A eq \"x\" ci not");
	expect_ok("T | where Port in (80, 443)", "Port eq \"80\"\nPort eq \"443\"");
	expect_ok("T | where A has_any (\"x\", \"y\")", "A match \"x\" ci\nA match \"y\" ci");
	expect_ok("T | where A has_all (\"x\", \"y\")", "A match \"x\" ci\nA match \"y\" ci");
	expect_ok("T | where A has_any (dynamic([\"x\", \"y\"]))", "A match \"x\" ci\nA match \"y\" ci");
}

static void test_kql_let_lists_and_scalars_are_expanded(void **state)
{
	(void)state;
	expect_ok("let L = dynamic([\"a.exe\", \"b.exe\"]);\nT | where A in~ (L)",
		  "A eq \"a.exe\" ci\nA eq \"b.exe\" ci");
	expect_ok("let L = dynamic([\"x\"]);\nlet M = L;\nT | where A has_any (M)", "A match \"x\" ci");
	expect_ok("let v = \"evil\";\nT | where A has v", "A match \"evil\" ci");
	expect_ok("let n = 5;\nT | where Count > n", "Count gt 5");
	/* a function whose body is a list */
	expect_ok("let f = () { dynamic([\"p\"]) };\nT | where A in (f)", "A eq \"p\"");
	/* a scalar we cannot fold: as written */
	expect_ok("let start = ago(7d);\nT | where Timestamp > start", "Timestamp gt \"ago(7d)\"");
	expect_ok("T | where Timestamp between (ago(2d) .. now())",
		  "Timestamp gte \"ago(2d)\"\nTimestamp lte \"now()\"");
	expect_ok("T | where Port between (1 .. 1024)", "Port gte 1\nPort lte 1024");
	expect_ok("T | where Port !between (1 .. 1024)", "Port gte 1 not\nPort lte 1024 not");
}

static void test_kql_not_pushes_down_to_the_leaves(void **state)
{
	(void)state;
	expect_ok("T | where not(A == \"x\" or B has \"y\")", "A eq \"x\" not\nB match \"y\" ci not");
	expect_ok("T | where not(A in (\"x\", \"y\"))", "A eq \"x\" not\nA eq \"y\" not");
	expect_ok("T | where not(not(A == \"x\"))", "A eq \"x\"");
}

static void test_kql_functions_as_filters(void **state)
{
	(void)state;
	expect_ok("T | where isnotempty(A) and isempty(B)", "A exists -\nB exists - not");
	expect_ok("T | where isnull(A) or isnotnull(B)", "A exists - not\nB exists -");
	expect_ok("T | where tolower(A) == \"CMD.exe\"", "A eq \"cmd.exe\" ci");
	expect_ok("T | where ipv4_is_private(RemoteIP)",
		  "destination.ip cidr \"10.0.0.0/8\"\ndestination.ip cidr \"172.16.0.0/12\"\n"
		  "destination.ip cidr \"192.168.0.0/16\"");
	expect_ok("T | where not(ipv4_is_in_range(RemoteIP, \"10.0.0.0/8\"))",
		  "destination.ip cidr \"10.0.0.0/8\" not");
	/* any other function of the row: a computed test */
	expect_ok("T | where strlen(A) > 10", "strlen(A) gt 10 computed");
	expect_ok("T | where set_has_element(S, A)", "set_has_element(S, A) eq \"true\" computed");
	/* a boolean column */
	expect_ok("T | where IsAdmin", "IsAdmin eq \"true\"");
}

static void test_kql_string_literal_forms(void **state)
{
	(void)state;
	expect_ok("T | where A == @\"C:\\Windows\\x\"", "A eq \"C:\\\\Windows\\\\x\"");
	expect_ok("T | where A == 'it''s'", "A eq \"its\"");
	expect_ok("T | where A == @'it''s'", "A eq \"it's\"");
	expect_ok("T | where A == \"a\\\\b\\\"c\"", "A eq \"a\\\\b\\\"c\"");
	expect_ok("T | where A == h\"secret\"", "A eq \"secret\"");
	expect_ok("T | where A == ```two\nlines```", "A eq \"two\\nlines\"");
	/* // inside a string is no comment; adjacent literals are one string */
	expect_ok("T | where A has \"http://x\" // a comment\n| where B == \"a\" \"b\"",
		  "A match \"http://x\" ci\nB eq \"ab\"");
}

static void test_kql_scope_per_table_maps_folder_path(void **state)
{
	(void)state;
	expect_ok("DeviceProcessEvents | where FolderPath endswith @\"\\cmd.exe\"",
		  "process.name eq \"cmd.exe\" ci");
	expect_ok("DeviceFileEvents | where FolderPath startswith \"C:\\\\Temp\"",
		  "file.path starts_with \"c:\\\\temp\" ci");
	/* each union operand and the join's right side in its own table */
	expect_ok("union (DeviceProcessEvents | where FolderPath has \"a\"), "
		  "(DeviceFileEvents | where FolderPath has \"b\")",
		  "process.executable match \"a\" ci\nfile.path match \"b\" ci");
	expect_ok("DeviceProcessEvents | where FileName =~ \"x.exe\"\n"
		  "| join kind=inner (DeviceFileEvents | where FileName =~ \"y.txt\") on DeviceId",
		  "process.name eq \"x.exe\" ci\nfile.name eq \"y.txt\" ci");
	/* a tabular let keeps its table */
	expect_ok("let P = DeviceProcessEvents | where ProcessCommandLine has \"-enc\";\n"
		  "P | where FileName =~ \"powershell.exe\"",
		  "process.command_line match \"-enc\" ci\nprocess.name eq \"powershell.exe\" ci");
}

static void test_kql_filters_on_computed_columns_are_marked(void **state)
{
	(void)state;
	expect_ok("T | extend L = tolower(A) | where L == \"x\"", "L eq \"x\" computed");
	expect_ok("T | summarize Count = count() by DeviceId | where Count > 5 and DeviceId == \"d\"",
		  "Count gt 5 computed\nDeviceId eq \"d\"");
	expect_ok("T | summarize count() by A | where count_ > 1", "count_ gt 1 computed");
	expect_ok("T | summarize dcount(B) by A | where dcount_B > 1", "dcount_B gt 1 computed");
	expect_ok("T | project X = A, B | where X == \"1\" and B == \"2\"", "X eq \"1\" computed\nB eq \"2\"");
	expect_ok("T | project-rename X = A | where X == \"1\"", "X eq \"1\" computed");
	expect_ok("T | parse A with * \"user=\" U \" \" * | where U == \"x\"", "U eq \"x\" computed");
	expect_ok("T | mv-expand E = Entities | where E has \"x\"", "E match \"x\" ci computed");
	/* a filter before the extend stays on the event's column */
	expect_ok("T | where L == \"a\" | extend L = 1", "L eq \"a\"");
	/* a path under a computed column */
	expect_ok("T | extend P = parse_json(F) | where P.k == \"v\"", "P.k eq \"v\" computed");
	/* a join brings the right side's projected columns */
	expect_ok("A | join (B | project DeviceId, Z = Q) on DeviceId | where Z == \"1\" and DeviceId == \"2\"",
		  "Z eq \"1\" computed\nDeviceId eq \"2\"");
}

static void test_kql_values_from_a_table_are_computed(void **state)
{
	(void)state;
	expect_ok("let Bad = externaldata(H: string) [@\"https://x/y.csv\"] with (format=\"csv\");\n"
		  "DeviceFileEvents | where SHA256 in (Bad)", "SHA256 eq \"(Bad)\" computed");
	expect_ok("T | where A in ((U | where B == \"z\" | project A))",
		  "B eq \"z\"\nA eq \"((U | where B == \\\"z\\\" | project A))\" computed");
	expect_ok("let S = toscalar(U | summarize make_set(A));\nT | where A in (S)",
		  "A eq \"S\" computed");
}

static void test_kql_search_terms_match_any_column(void **state)
{
	(void)state;
	expect_ok("search \"mimikatz\"", "keywords match \"mimikatz\" ci");
	expect_ok("search in (DeviceProcessEvents) \"a\" and FileName:\"x.exe\"",
		  "keywords match \"a\" ci\nprocess.name match \"x.exe\" ci");
}

static void test_kql_operators_without_filters_keep_the_rule_ok(void **state)
{
	(void)state;
	expect_ok("set truncationmaxsize=1;\ndeclare query_parameters(x:string = \"a\");\n"
		  "T | where A == \"1\" | sort by B desc | top 10 by C | take 5 | render table\n"
		  "| distinct A | project-away B | evaluate bag_unpack(D) | as X | count", "A eq \"1\"");
	expect_ok("T | make-series n = count() on Timestamp step 1h by A | where n > 1",
		  "n gt 1 computed");
	/* a datatable's rows are the query's own data, no log's */
	expect_ok("datatable(a: string) [\"x\", \"y\"] | where a == \"x\"", "a eq \"x\" computed");
	expect_ok("let f = (T:(*), v:string) { T | where A == v };\nf(DeviceProcessEvents, \"q\")",
		  "A eq \"v\"");
	expect_ok("T | where A == \"1\" | lookup kind=leftouter (U | where B == \"2\") on K", "A eq \"1\"\nB eq \"2\"");
	expect_ok("T | mvexpand A | where A == \"1\"", "A eq \"1\"");
}

static void test_kql_unread_filters_make_the_rule_partial(void **state)
{
	json_t *rec;

	(void)state;
	expect_error("T | where A == \"1\" | scan with (step s: B == 2;)", "partial",
		     "query line 1, column 22: scan's step conditions are not read near 'scan'");
	expect_error("T | fork (where A == 1) (where B == 2)", "partial",
		     "query line 1, column 5: a filter inside this operator is not read near 'fork'");
	expect_error("find where A == 1", "partial", "query line 1, column 1: find is not read near 'find'");
	/* externaldata is recorded, not fetched */
	rec = run("externaldata(H: string) [@\"https://example.org/iocs.csv\"] with (format=\"csv\") | take 1");
	assert_string_equal(qt_status(rec), "ok");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(rec, "context"),
									       "externaldata"), 0)),
			    "https://example.org/iocs.csv");
	json_decref(rec);
}

/* the ActionType values a query asks for, as the events mapping reads them; not the excluded ones */
static void test_kql_action_types_go_to_the_context(void **state)
{
	json_t *rec = run("DeviceEvents | where ActionType in (\"PowerShellCommand\", \"AmsiScriptDetection\")\n"
			  "| where ActionType != \"Other\" and not(ActionType == \"Third\")");
	char *ctx = json_dumps(json_object_get(rec, "context"), JSON_COMPACT);

	(void)state;
	assert_string_equal(ctx, "{\"action_types\":[\"PowerShellCommand\",\"AmsiScriptDetection\"]}");
	free(ctx);
	json_decref(rec);
}

static void test_kql_syntax_errors_fail_with_where_they_are(void **state)
{
	(void)state;
	expect_error("| where A == 1", "failed",
		     "query line 1, column 1: the query starts with '|' near '|'");
	expect_error("T | where A == \"x", "failed", "query line 1, column 16: unterminated string near '\"x'");
	expect_error("T | where A == @'x", "failed",
		     "query line 1, column 16: unterminated verbatim string near '@'x'");
	expect_error("T | where A == ```x\ny", "failed",
		     "query line 1, column 16: unterminated multi-line string near '```x'");
	expect_error("T | where (A == 1", "failed", "query line 1, column 18: expected ')' at the end of the query");
	expect_error("T | frobnicate", "failed", "query line 1, column 5: unknown operator near 'frobnicate'");
	expect_error("let x = 5\nT | where A == x", "failed",
		     "query line 2, column 1: expected ';' or the end of the query near 'T'");
	expect_error("T | where A == 1 B == 2", "failed",
		     "query line 1, column 18: expected '|' or the end of the query near 'B'");
	expect_error("This is prose, not a query.", "failed",
		     "query line 1, column 6: expected ';' or the end of the query near 'is'");
}

static void test_kql_deep_nesting_is_refused_not_overflowed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *rec;
	size_t i;

	(void)state;
	strbuf_addstr(&sb, "T | where ");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&sb, '(');
	strbuf_addstr(&sb, "A == 1");
	for (i = 0; i < 10000; i++)
		strbuf_addch(&sb, ')');
	rec = run(sb.buf);
	assert_string_equal(qt_status(rec), "failed");
	assert_non_null(strstr(qt_error(rec, 0), "nested more than 200 deep"));
	json_decref(rec);
	/* a long chain of or is no nesting */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "T | where A == 0");
	for (i = 1; i < 5000; i++)
		strbuf_addf(&sb, " or A == %zu", i);
	rec = run(sb.buf);
	assert_string_equal(qt_status(rec), "ok");
	assert_int_equal(json_array_size(json_object_get(rec, "predicates")), 5000);
	json_decref(rec);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kql_equality_operators_and_their_case),
		cmocka_unit_test(test_kql_string_operators_and_negations),
		cmocka_unit_test(test_kql_in_lists_give_one_predicate_per_value),
		cmocka_unit_test(test_kql_let_lists_and_scalars_are_expanded),
		cmocka_unit_test(test_kql_not_pushes_down_to_the_leaves),
		cmocka_unit_test(test_kql_functions_as_filters),
		cmocka_unit_test(test_kql_string_literal_forms),
		cmocka_unit_test(test_kql_scope_per_table_maps_folder_path),
		cmocka_unit_test(test_kql_filters_on_computed_columns_are_marked),
		cmocka_unit_test(test_kql_values_from_a_table_are_computed),
		cmocka_unit_test(test_kql_search_terms_match_any_column),
		cmocka_unit_test(test_kql_operators_without_filters_keep_the_rule_ok),
		cmocka_unit_test(test_kql_unread_filters_make_the_rule_partial),
		cmocka_unit_test(test_kql_action_types_go_to_the_context),
		cmocka_unit_test(test_kql_syntax_errors_fail_with_where_they_are),
		cmocka_unit_test(test_kql_deep_nesting_is_refused_not_overflowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
