/*
 * Unit tests for the KQL front end's containers: Sentinel YAML metadata and
 * ATT&CK, markdown blocks and technique tables, whole-file queries, the table
 * scan of a query (let, union, join, comments, strings), and files that are
 * not valid YAML or hold no query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "kusto/kusto.h"
#include "record_test.h"
#include "rule/rule.h"
#include "common/util.h"

/* Every record of one file, as a JSON array. */
static json_t *parse_file(const char *path, const char *text)
{
	struct rule_list l = { NULL, 0, 0 };
	json_t *a = json_array();
	size_t i;

	kusto_parse_file("src", path, text, strlen(text), NULL, &l);
	for (i = 0; i < l.n; i++)
		json_array_append_new(a, rule_to_json(l.v[i]));
	rule_list_release(&l);
	return a;
}

static json_t *parse_one(const char *path, const char *text)
{
	json_t *a = parse_file(path, text);
	json_t *r;

	if (json_array_size(a) != 1)
		fail_msg("expected 1 rule, got %zu", json_array_size(a));
	r = json_incref(json_array_get(a, 0));
	json_decref(a);
	return r;
}

/* The tables of one query, as compact JSON (caller frees). */
static char *tables(const char *kql)
{
	json_t *a = json_array();
	char *s;

	kusto_query_tables(kql, strlen(kql), a);
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

#define assert_tables(kql, want) do { \
		char *got_ = tables(kql); \
		if (strcmp(got_, want)) \
			fail_msg("%s\n: got %s, want %s", kql, got_, want); \
		free(got_); \
	} while (0)

static const char sentinel_rule[] =
	"id: e8f871e7-97d7-42cb-82f3-4a686488425f\n"
	"name: Run dialog history holds a pasted download command\n"
	"description: |\n  'A RunMRU value holds mshta and a URL.'\n"
	"severity: High\n"
	"status: Available\n"
	"requiredDataConnectors:\n"
	"  - connectorId: MicrosoftThreatProtection\n"
	"    dataTypes:\n      - DeviceRegistryEvents\n"
	"  - connectorId: Other\n"
	"    dataTypes:\n      - DeviceProcessEvents\n"
	"tactics:\n  - InitialAccess\n  - DefenseEvasion\n  - CommandAndControl\n"
	"  - Initial access\n  - Execution\n"
	"relevantTechniques:\n  - T1204.001\n  - ' T1059 '\n  - T1A0007\n"
	"query: |\n"
	"  DeviceRegistryEvents\n"
	"  | where RegistryKey has @\"\\Explorer\\RunMRU\"\n"
	"  | join kind=inner (DeviceNetworkEvents | where RemotePort == 443) on DeviceId\n"
	"kind: Scheduled\n";

#define SENTINEL_PATH "Solutions/X/Analytic Rules/RunMRU.yaml"

static void test_kusto_sentinel_metadata_uid_and_lower_case_severity(void **state)
{
	json_t *r = parse_one(SENTINEL_PATH, sentinel_rule);

	(void)state;
	assert_string_equal(str(r, "uid"), "kusto:src:" SENTINEL_PATH "#1");
	assert_string_equal(str(r, "vendor"), "kusto");
	assert_string_equal(str(r, "id"), "e8f871e7-97d7-42cb-82f3-4a686488425f");
	assert_string_equal(str(r, "title"), "Run dialog history holds a pasted download command");
	assert_string_equal(str(r, "description"), "'A RunMRU value holds mshta and a URL.'\n");
	assert_string_equal(str(r, "severity"), "high");
	assert_string_equal(str(r, "status"), "Available");
	assert_string_equal(str(r, "rule_type"), "Scheduled");
	assert_string_equal(str(r, "language"), "kql");
	assert_true(strncmp(str(r, "query"), "DeviceRegistryEvents\n| where", 28) == 0);
	/* the query is parsed (test_kql.c has the constructs): both filters, the join's too */
	assert_string_equal(status_of(r), "ok");
	assert_int_equal(json_array_size(json_object_get(r, "predicates")), 2);
	json_decref(r);
}

/* as written, trimmed, once each: ATT&CK names are resolved by detcat-tag */
static void test_kusto_sentinel_tactics_are_kept_as_written(void **state)
{
	json_t *r = parse_one(SENTINEL_PATH, sentinel_rule);

	(void)state;
	assert_json(json_object_get(json_object_get(r, "attack"), "tactics"),
		    "[\"InitialAccess\",\"DefenseEvasion\",\"CommandAndControl\","
		    "\"Initial access\",\"Execution\"]");
	json_decref(r);
}

static void test_kusto_sentinel_techniques_are_trimmed_and_odd_ids_kept_apart(void **state)
{
	json_t *r = parse_one(SENTINEL_PATH, sentinel_rule);
	json_t *a = json_object_get(r, "attack");

	(void)state;
	assert_json(json_object_get(a, "techniques"), "[\"T1204.001\",\"T1059\"]");
	assert_json(json_object_get(a, "other"), "[\"T1A0007\"]");
	json_decref(r);
}

static void test_kusto_sentinel_tables_are_data_types_then_the_query_s(void **state)
{
	json_t *r = parse_one(SENTINEL_PATH, sentinel_rule);

	(void)state;
	assert_json(json_object_get(r, "context"),
		    "{\"tables\":[\"DeviceRegistryEvents\",\"DeviceProcessEvents\","
		    "\"DeviceNetworkEvents\"]}");
	json_decref(r);
}

static void test_kusto_sentinel_rule_type_without_kind(void **state)
{
	json_t *r = parse_one("Hunting Queries/SecurityEvent/h.yaml",
			      "id: a\nname: h\nquery: SecurityEvent\n");

	(void)state;
	assert_string_equal(str(r, "rule_type"), "hunting");
	assert_true(json_is_null(json_object_get(r, "severity")));
	assert_true(json_is_null(json_object_get(r, "status")));
	json_decref(r);
	r = parse_one("Detections/x.yaml", "id: a\nname: d\nqueryFrequency: 1h\nquery: SecurityEvent\n");
	assert_string_equal(str(r, "rule_type"), "Scheduled");
	json_decref(r);
	r = parse_one("Detections/x.yaml", "id: a\nname: d\nkind: NRT\nquery: SecurityEvent\n");
	assert_string_equal(str(r, "rule_type"), "NRT");
	json_decref(r);
}

static void test_kusto_invalid_yaml_gives_one_failed_record_named_by_its_lines(void **state)
{
	json_t *r = parse_one("Detections/broken.yaml",
			      "id: d189d802-a255-40c3-aaae-42c9ed1f7263\n"
			      "name: 'Broken rule'\n"
			      "tactics:\n  - Execution\n relevantTechniques:\n  - T1059\n"
			      "query: SecurityEvent\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "kusto:src:Detections/broken.yaml#1");
	assert_string_equal(str(r, "title"), "Broken rule");
	assert_string_equal(str(r, "id"), "d189d802-a255-40c3-aaae-42c9ed1f7263");
	assert_string_equal(status_of(r), "failed");
	assert_true(strncmp(first_error(r), "invalid YAML: ", 14) == 0);
	json_decref(r);
}

static void test_kusto_rule_stub_without_query_is_no_query(void **state)
{
	json_t *r = parse_one("Detections/moved.yaml",
			      "id: 07a9cf67\nname: Moved rule\ndescription: moved to a solution\n");

	(void)state;
	assert_string_equal(status_of(r), "no_query");
	assert_string_equal(str(r, "title"), "Moved rule");
	assert_true(json_is_null(json_object_get(r, "query")));
	json_decref(r);
	r = parse_one("Detections/empty-query.yaml", "id: 1\nname: n\nquery:\n");
	assert_string_equal(status_of(r), "no_query");
	json_decref(r);
}

static void test_kusto_yaml_that_is_no_rule_is_not_a_query(void **state)
{
	json_t *r = parse_one("Solutions/X/Data Connectors/c.yaml",
			      "connectorUiConfig:\n  title: A connector\n");

	(void)state;
	assert_string_equal(status_of(r), "failed");
	assert_string_equal(first_error(r), "not a query: no 'query'");
	json_decref(r);
}

static const char markdown[] =
	"# Office Application Starting an Interpreter\n"
	"\n"
	"## Query Information\n"
	"\n"
	"#### MITRE ATT&CK Technique(s)\n"
	"\n"
	"| Technique ID | Title    | Link    |\n"
	"| ---  | --- | --- |\n"
	"| T1204.002 | User Execution: Malicious File | https://attack.mitre.org/techniques/T1204/002/ |\n"
	"| T1059 | Command and Scripting Interpreter | https://attack.mitre.org/techniques/T1059/ |\n"
	"\n"
	"#### Description\n"
	"Office starts an interpreter (see T1566 in prose: not a table).\n"
	"\n"
	"#### References\n"
	"| Ref | T9999 |\n"
	"\n"
	"## Manual check\n"
	"```PowerShell\n"
	"Get-Process | Where-Object Name -eq cmd\n"
	"```\n"
	"## Defender XDR\n"
	"```KQL\n"
	"DeviceProcessEvents\n"
	"| where InitiatingProcessFileName in~ (\"winword.exe\")\n"
	"```\n"
	"## Sentinel\n"
	"~~~kusto\n"
	"SecurityEvent\n"
	"| where EventID == 4688\n"
	"~~~\n";

#define MD_PATH "Defender For Endpoint/OfficeChild.md"

static void test_kusto_markdown_two_kql_blocks_give_records_1_and_2(void **state)
{
	json_t *a = parse_file(MD_PATH, markdown);
	json_t *r1 = json_array_get(a, 0), *r2 = json_array_get(a, 1);

	(void)state;
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(str(r1, "uid"), "kusto:src:" MD_PATH "#1");
	assert_string_equal(str(r2, "uid"), "kusto:src:" MD_PATH "#2");
	assert_string_equal(str(r1, "query"),
			    "DeviceProcessEvents\n| where InitiatingProcessFileName in~ (\"winword.exe\")");
	assert_string_equal(str(r2, "query"), "SecurityEvent\n| where EventID == 4688");
	assert_string_equal(str(r1, "section"), "Defender XDR");
	assert_string_equal(str(r2, "section"), "Sentinel");
	assert_json(json_object_get(r1, "context"), "{\"tables\":[\"DeviceProcessEvents\"]}");
	assert_json(json_object_get(r2, "context"), "{\"tables\":[\"SecurityEvent\"]}");
	assert_string_equal(str(r1, "title"), "Office Application Starting an Interpreter");
	assert_string_equal(str(r1, "description"),
			    "Office starts an interpreter (see T1566 in prose: not a table).");
	assert_string_equal(str(r1, "rule_type"), "hunting");
	assert_string_equal(status_of(r2), "ok");
	json_decref(a);
}

static void test_kusto_markdown_techniques_come_from_the_attack_table(void **state)
{
	json_t *a = parse_file(MD_PATH, markdown);

	(void)state;
	assert_json(json_object_get(json_array_get(a, 0), "attack"),
		    "{\"techniques\":[\"T1204.002\",\"T1059\"],\"tactics\":[],\"other\":[]}");
	assert_json(json_object_get(json_array_get(a, 1), "attack"),
		    "{\"techniques\":[\"T1204.002\",\"T1059\"],\"tactics\":[],\"other\":[]}");
	json_decref(a);
}

static void test_kusto_markdown_table_without_technique_column_gives_any_id(void **state)
{
	json_t *r = parse_one("x.md", "# T\n## MITRE ATT&CK\n| Tactic | Techniques |\n|---|---|\n"
			      "| Execution | T1059.001, T1204 |\n```kql\nT | take 1\n```\n");

	(void)state;
	assert_json(json_object_get(json_object_get(r, "attack"), "techniques"),
		    "[\"T1059.001\",\"T1204\"]");
	json_decref(r);
}

/* another collection's template: technique and sub-technique in two columns, a tactic column */
static void test_kusto_markdown_sub_technique_column_joins_the_technique(void **state)
{
	json_t *r = parse_one("x.md", "# T\n## MITRE ATT&CK\n"
			      "| Tactic | Technique ID | Sub-technique | Name |\n|---|---|---|---|\n"
			      "| Discovery | T1069 | 003 | Cloud Groups |\n"
			      "| Discovery, Collection | T1087 | - | Account Discovery |\n"
			      "| Execution | T1059 | .001 | PowerShell |\n"
			      "```kql\nT | take 1\n```\n");

	(void)state;
	assert_json(json_object_get(r, "attack"),
		    "{\"techniques\":[\"T1069.003\",\"T1087\",\"T1059.001\"],"
		    "\"tactics\":[\"Discovery\",\"Collection\",\"Execution\"],\"other\":[]}");
	json_decref(r);
}

static void test_kusto_markdown_tactic_only_table_gives_tactics(void **state)
{
	json_t *r = parse_one("x.md", "# T\n### MITRE ATT&CK Tactics\n| Tactic |\n|:--|\n| Persistence |\n"
			      "| Privilege Escalation |\n```kql\nT | take 1\n```\n");

	(void)state;
	assert_json(json_object_get(r, "attack"),
		    "{\"techniques\":[],\"tactics\":[\"Persistence\",\"Privilege Escalation\"],\"other\":[]}");
	json_decref(r);
}

/* several queries in one block with only a comment line between them */
static void test_kusto_markdown_comment_header_splits_queries(void **state)
{
	json_t *a = parse_file("x.md", "# T\n```kql\n// Defender XDR\nDeviceProcessEvents\n"
			       "| where FileName == \"a.exe\"\n// Sentinel\nSecurityEvent\n| where EventID == 4688\n"
			       "// a comment inside\n| project Computer\n```\n");

	(void)state;
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(str(json_array_get(a, 0), "query"),
			    "// Defender XDR\nDeviceProcessEvents\n| where FileName == \"a.exe\"");
	assert_string_equal(str(json_array_get(a, 1), "query"),
			    "// Sentinel\nSecurityEvent\n| where EventID == 4688\n// a comment inside\n| project Computer");
	assert_string_equal(status_of(json_array_get(a, 1)), "ok");
	json_decref(a);
}

/*
 * A comment wrapped over two lines leaves a column name alone on a line: not the
 * header of a second query, since the query before reads that name as a column.
 * A second query on the same table as the first still splits.
 */
static void test_kusto_markdown_wrapped_comment_does_not_split_a_query(void **state)
{
	json_t *a = parse_file("x.md", "# T\n```kql\nDeviceEvents\n"
			       "| extend Host = extract(@'(.*?)\\.', 1, DeviceName)\n"
			       "// keep the rows where the domain is the\nDeviceName\n"
			       "| where AccountDomain =~ Host\n"
			       "// the same table again\nDeviceEvents\n| where ActionType == 'X'\n```\n");

	(void)state;
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(str(json_array_get(a, 0), "query"),
			    "DeviceEvents\n| extend Host = extract(@'(.*?)\\.', 1, DeviceName)\n"
			    "// keep the rows where the domain is the\nDeviceName\n"
			    "| where AccountDomain =~ Host");
	assert_string_not_equal(status_of(json_array_get(a, 0)), "ok");
	assert_string_equal(str(json_array_get(a, 1), "query"),
			    "// the same table again\nDeviceEvents\n| where ActionType == 'X'");
	assert_string_equal(status_of(json_array_get(a, 1)), "ok");
	json_decref(a);
}

/* a block of bindings only names values for the query after it: no query of its own */
static void test_kusto_markdown_block_of_lets_only_is_no_query(void **state)
{
	json_t *a = parse_file("x.md", "# T\n```KQL\nlet VictimDeviceId = \"x\";\nlet TopX = 15; // how many\n```\n"
			       "```KQL\nlet Hits = DeviceEvents | where ActionType == 'X';\n```\n"
			       "```KQL\nlet Ids = dynamic([\"a\"]);\nDeviceEvents\n| where DeviceId in (Ids)\n```\n");

	(void)state;
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(status_of(json_array_get(a, 0)), "no_query");
	assert_string_equal(str(json_array_get(a, 0), "query"),
			    "let VictimDeviceId = \"x\";\nlet TopX = 15; // how many");
	/* a tabular binding reads a table: a query (a fragment, but one) */
	assert_string_not_equal(status_of(json_array_get(a, 1)), "no_query");
	assert_string_equal(status_of(json_array_get(a, 2)), "ok");
	json_decref(a);
}

static void test_kusto_markdown_unlabelled_block_counts_when_it_looks_like_a_query(void **state)
{
	json_t *a = parse_file("DFIR/IPLookup.md",
			       "# IP Lookup\n#### Description\nCommand lines such as:\n"
			       "```\nrundll32.exe \\\\10.10.10.10\\share\\payload.dll,EntryPoint\n```\n"
			       "## Defender XDR\n"
			       "```\n// Set the IP\nlet LookupIP = \"127.0.0.1\";\n"
			       "DeviceNetworkEvents\n| where RemoteIP == LookupIP\n```\n");

	(void)state;
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(str(json_array_get(a, 0), "uid"), "kusto:src:DFIR/IPLookup.md#1");
	assert_string_equal(str(json_array_get(a, 0), "section"), "Defender XDR");
	assert_json(json_object_get(json_array_get(a, 0), "context"),
		    "{\"tables\":[\"DeviceNetworkEvents\"]}");
	json_decref(a);
}

static void test_kusto_markdown_block_with_two_queries_gives_two_records(void **state)
{
	json_t *a = parse_file("two.md",
			       "# Two\n```KQL\n"
			       "let Threshold = 3;\n\n"		/* after `;`: the same query */
			       "DeviceProcessEvents\n| where FileName =~ \"mshta.exe\"\n\n"
			       "| project DeviceName\n\n"		/* a pipe: the same query */
			       "// the second hunt\n"
			       "DeviceNetworkEvents\n| summarize Connections = count() by DeviceName\n"
			       "| where Connections > Threshold\n```\n");

	(void)state;
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(str(json_array_get(a, 0), "query"),
			    "let Threshold = 3;\n\nDeviceProcessEvents\n"
			    "| where FileName =~ \"mshta.exe\"\n\n| project DeviceName");
	assert_string_equal(str(json_array_get(a, 1), "query"),
			    "// the second hunt\nDeviceNetworkEvents\n"
			    "| summarize Connections = count() by DeviceName\n"
			    "| where Connections > Threshold");
	assert_string_equal(str(json_array_get(a, 1), "uid"), "kusto:src:two.md#2");
	json_decref(a);
}

static void test_kusto_markdown_without_query_is_one_no_query_record(void **state)
{
	json_t *r = parse_one("README.md", "# KQL queries\n\n- [Sentinel](./Sentinel)\n"
			      "```PowerShell\nGet-Help\n```\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "kusto:src:README.md#1");
	assert_string_equal(status_of(r), "no_query");
	assert_string_equal(str(r, "title"), "KQL queries");
	json_decref(r);
	r = parse_one("t.md", "## Second level\n# Hunting in C# ##\n");
	assert_string_equal(str(r, "title"), "Hunting in C#");
	json_decref(r);
	r = parse_one("Queries/No Heading.md", "just text\n");
	assert_string_equal(str(r, "title"), "No Heading");
	json_decref(r);
}

static void test_kusto_markdown_unclosed_fence_runs_to_the_end(void **state)
{
	json_t *r = parse_one("open.md", "# Open\n```kql\nSigninLogs\n| take 10\n");

	(void)state;
	assert_string_equal(str(r, "query"), "SigninLogs\n| take 10");
	json_decref(r);
}

static void test_kusto_text_file_is_one_query(void **state)
{
	json_t *r = parse_one("Threat Hunting/Sentinel/Encoded.txt",
			      "let Lookback = 1d;\nDeviceProcessEvents\n| where TimeGenerated > ago(Lookback)\n");

	(void)state;
	assert_string_equal(str(r, "uid"), "kusto:src:Threat Hunting/Sentinel/Encoded.txt#1");
	assert_string_equal(str(r, "title"), "Encoded");
	assert_string_equal(str(r, "rule_type"), "hunting");
	assert_json(json_object_get(json_object_get(r, "attack"), "techniques"), "[]");
	assert_json(json_object_get(r, "context"), "{\"tables\":[\"DeviceProcessEvents\"]}");
	json_decref(r);
}

static void test_kusto_text_file_that_is_no_query_fails(void **state)
{
	json_t *r = parse_one("Living Off The Land/lots.txt",
			      "### SOURCE:\nWebsite,Tags\ngithub.com,\"Phishing\"\n");

	(void)state;
	assert_string_equal(status_of(r), "failed");
	assert_string_equal(first_error(r), "not a query: the text does not look like KQL");
	json_decref(r);
	r = parse_one("empty.kql", " \n\n");
	assert_string_equal(status_of(r), "no_query");
	json_decref(r);
}

static void test_kusto_tables_let_values_and_variables(void **state)
{
	(void)state;
	assert_tables("let Threshold = 5;\nlet Binaries = dynamic([\"a\", \"b\"]);\n"
		      "let Since = ago(7d);\nlet Name = \"x\";\n"
		      "let Procs = DeviceProcessEvents | where FileName in~ (Binaries);\n"
		      "let Counted = Procs | summarize count() by DeviceId;\n"
		      "Counted | where count_ > Threshold",
		      "[\"DeviceProcessEvents\"]");
	assert_tables("let Net = materialize(DeviceNetworkEvents | take 10);\n"
		      "let Top = toscalar(DeviceEvents | count);\nNet",
		      "[\"DeviceNetworkEvents\"]");
	assert_tables("SecurityEvent\n| where EventID == 4688\n| project Computer", "[\"SecurityEvent\"]");
}

static void test_kusto_tables_union_operands_and_options(void **state)
{
	(void)state;
	assert_tables("union kind=outer withsource=TableName isfuzzy=true SigninLogs, "
		      "AADNonInteractiveUserSignInLogs\n| summarize count() by TableName",
		      "[\"SigninLogs\",\"AADNonInteractiveUserSignInLogs\"]");
	assert_tables("let A = DeviceEvents | take 1;\n"
		      "(union isfuzzy=true (A), (DeviceFileEvents | where x == 1), EmailEvents)\n"
		      "| take 10",
		      "[\"DeviceEvents\",\"DeviceFileEvents\",\"EmailEvents\"]");
	assert_tables("DeviceInfo | union DeviceNetworkInfo", "[\"DeviceInfo\",\"DeviceNetworkInfo\"]");
	assert_tables("union *\n| distinct Type", "[]");
}

static void test_kusto_tables_join_and_lookup_right_sides(void **state)
{
	(void)state;
	assert_tables("DeviceProcessEvents\n"
		      "| join kind=inner hint.strategy=shuffle (DeviceNetworkEvents\n"
		      "    | where RemotePort == 443) on DeviceId\n"
		      "| join kind=leftouter IdentityInfo on AccountUpn\n"
		      "| lookup (DeviceInfo | project DeviceId, OSPlatform) on DeviceId",
		      "[\"DeviceProcessEvents\",\"DeviceNetworkEvents\",\"IdentityInfo\",\"DeviceInfo\"]");
}

static void test_kusto_tables_skip_comments_and_string_literals(void **state)
{
	(void)state;
	assert_tables("// SecurityEvent | where x\n"
		      "DeviceEvents // AuditLogs\n"
		      "| where A == \"SigninLogs | x\" or B == 'OfficeActivity;'\n"
		      "| where C has @\"C:\\Temp\\\" and D == @'it''s' and E == h\"secret\"\n"
		      "| where F == ```\nSyslog\n| take 1\n```\n"
		      "| where G == \"a \\\" union Fake\"",
		      "[\"DeviceEvents\"]");
}

static void test_kusto_tables_in_functions_but_not_parameters(void **state)
{
	(void)state;
	assert_tables("let Lookup = (T:(DeviceId:string), Since:timespan) {\n"
		      "    T | join (DeviceInfo | where Timestamp > ago(Since)) on DeviceId\n};\n"
		      "let Recent = () { AlertInfo | take 5 };\n"
		      "Lookup(DeviceEvents, 1d)",
		      "[\"DeviceInfo\",\"AlertInfo\"]");
	assert_tables("search in (DeviceFileEvents, DeviceEvents) \"ntds\" | take 1",
		      "[\"DeviceFileEvents\",\"DeviceEvents\"]");
}

/* table("T"), a function that reads the table its argument names, Azure Resource Graph */
static void test_kusto_tables_named_by_strings(void **state)
{
	(void)state;
	assert_tables("table(\"SigninLogs\") | where ResultType == 0", "[\"SigninLogs\"]");
	assert_tables("let f = (tableName: string, email: string) {\n table(tableName)\n"
		      " | where UserPrincipalName == email\n};\n"
		      "let a = f(\"SigninLogs\", \"x@y\");\nlet b = f('AADNonInteractiveUserSignInLogs', \"x@y\");\n"
		      "union isfuzzy=true a, b",
		      "[\"SigninLogs\",\"AADNonInteractiveUserSignInLogs\"]");
	/* the parameter read is the second one: the first argument is no table */
	assert_tables("let f = (who: string, t: string) { table(t) | where A == who };\nf(\"bob\", \"Syslog\")",
		      "[\"Syslog\"]");
	/* an argument that is not a plain string names nothing */
	assert_tables("let f = (t: string) { table(t) };\nf(strcat(\"Sig\", \"ninLogs\"))", "[]");
	assert_tables("arg(\"\").Resources\n| where type == \"microsoft.compute/virtualmachines\"",
		      "[\"Resources\"]");
}

static void test_kusto_tables_hostile_input_stays_bounded(void **state)
{
	static const char unit[] = "let f=(){let g=(){ T | union (T";
	size_t n = 200000, i;
	char *q = malloc(n + 1);

	(void)state;
	for (i = 0; i < n; i++)
		q[i] = i < n / 2 ? '(' : ')';
	q[n] = '\0';
	assert_tables(q, "[]");
	for (i = 0; i + strlen(unit) < n; i += strlen(unit))
		memcpy(q + i, unit, strlen(unit));
	q[i] = '\0';
	free(tables(q));
	/* operands nested deeper than any query: followed only so far */
	for (i = 0; i + 7 < n; i += 7)
		memcpy(q + i, "union (", 7);
	q[i] = '\0';
	assert_tables(q, "[]");
	/* many names: the list is capped, the time with it */
	memcpy(q, "union ", 6);
	for (i = 6; i + 8 < n; i += 8)
		snprintf(q + i, 9, "T%05zu, ", i / 8 % 100000);
	q[i - 2] = '\0';
	free(tables(q));
	/* a string ends at the end of its line at the latest */
	assert_tables("SecurityEvent\n| where A == \"unterminated\n| union Syslog",
		      "[\"SecurityEvent\",\"Syslog\"]");
	assert_tables("@'x\n``` never closed", "[]");
	free(q);
}

static void test_kusto_looks_like_query(void **state)
{
	static const char *const yes[] = {
		"DeviceEvents\n| take 1", "let x = 1;", "// c\nunion A, B", "(DeviceEvents)",
		"SigninLogs", "search \"x\"", NULL
	};
	static const char *const no[] = {
		"rundll32.exe \\\\host\\share", "HKLM:\\SOFTWARE\\Run", "Bar Chart:\nSigninLogs",
		"powershell -exec bypass", "{HTTP method} https://graph", "", "let 2022Most = 1", NULL
	};
	const char *const *s;

	(void)state;
	for (s = yes; *s; s++)
		if (!kusto_looks_like_query(*s, strlen(*s)))
			fail_msg("should look like a query: %s", *s);
	for (s = no; *s; s++)
		if (kusto_looks_like_query(*s, strlen(*s)))
			fail_msg("should not look like a query: %s", *s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kusto_sentinel_metadata_uid_and_lower_case_severity),
		cmocka_unit_test(test_kusto_sentinel_tactics_are_kept_as_written),
		cmocka_unit_test(test_kusto_sentinel_techniques_are_trimmed_and_odd_ids_kept_apart),
		cmocka_unit_test(test_kusto_sentinel_tables_are_data_types_then_the_query_s),
		cmocka_unit_test(test_kusto_sentinel_rule_type_without_kind),
		cmocka_unit_test(test_kusto_invalid_yaml_gives_one_failed_record_named_by_its_lines),
		cmocka_unit_test(test_kusto_rule_stub_without_query_is_no_query),
		cmocka_unit_test(test_kusto_yaml_that_is_no_rule_is_not_a_query),
		cmocka_unit_test(test_kusto_markdown_two_kql_blocks_give_records_1_and_2),
		cmocka_unit_test(test_kusto_markdown_techniques_come_from_the_attack_table),
		cmocka_unit_test(test_kusto_markdown_table_without_technique_column_gives_any_id),
		cmocka_unit_test(test_kusto_markdown_sub_technique_column_joins_the_technique),
		cmocka_unit_test(test_kusto_markdown_tactic_only_table_gives_tactics),
		cmocka_unit_test(test_kusto_markdown_comment_header_splits_queries),
		cmocka_unit_test(test_kusto_markdown_wrapped_comment_does_not_split_a_query),
		cmocka_unit_test(test_kusto_markdown_block_of_lets_only_is_no_query),
		cmocka_unit_test(test_kusto_markdown_unlabelled_block_counts_when_it_looks_like_a_query),
		cmocka_unit_test(test_kusto_markdown_block_with_two_queries_gives_two_records),
		cmocka_unit_test(test_kusto_markdown_without_query_is_one_no_query_record),
		cmocka_unit_test(test_kusto_markdown_unclosed_fence_runs_to_the_end),
		cmocka_unit_test(test_kusto_text_file_is_one_query),
		cmocka_unit_test(test_kusto_text_file_that_is_no_query_fails),
		cmocka_unit_test(test_kusto_tables_let_values_and_variables),
		cmocka_unit_test(test_kusto_tables_union_operands_and_options),
		cmocka_unit_test(test_kusto_tables_join_and_lookup_right_sides),
		cmocka_unit_test(test_kusto_tables_skip_comments_and_string_literals),
		cmocka_unit_test(test_kusto_tables_in_functions_but_not_parameters),
		cmocka_unit_test(test_kusto_tables_named_by_strings),
		cmocka_unit_test(test_kusto_tables_hostile_input_stays_bounded),
		cmocka_unit_test(test_kusto_looks_like_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
