/*
 * Unit tests for events: the scope mapping of mappings/events.yaml (Sigma
 * logsources, narrowing by named events, provider names, open providers), the
 * shapes other vendors will use (index globs, data_source patterns, tables and
 * ActionType), and files that must be refused. Rules are small JSON records
 * written here; the repository's own catalog is tested where it matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalog/events.h"
#include "common/util.h"

static const char small_yaml[] =
	"version: 1\n"
	"providers:\n"
	"  Sysmon:\n"
	"    log: Microsoft-Windows-Sysmon/Operational\n"
	"    events: {1: Process creation, 3: Network connection, 10: ProcessAccess,\n"
	"             12: RegistryEvent (Object create and delete), 13: RegistryEvent (Value Set),\n"
	"             14: RegistryEvent (Key and Value Rename), any: Any Sysmon event}\n"
	"  Security-Auditing:\n"
	"    log: Security\n"
	"    events: {4624: An account was successfully logged on., 4688: A new process has been created.,\n"
	"             any: Any event of the Security log}\n"
	"  System:\n"
	"    log: System\n"
	"    names: [Service Control Manager]\n"
	"    events: {7045: A service was installed in the system., any: Any event of the System log}\n"
	"  Kernel-General:\n"
	"    log: System\n"
	"    events: {16: The access history in a registry hive was cleared.}\n"
	"  Kerberos-Key-Distribution-Center:\n"
	"    log: System\n"
	"    events: {16: No suitable key (TGS)., 42: RC4 downgrade.}\n"
	"  AWS-CloudTrail:\n"
	"    unlisted: \"{event} API call\"\n"
	"    events: {ConsoleLogin: Console sign-in, DeleteTrail: Trail deleted,\n"
	"             DeleteBucket: Bucket deleted, any: Any CloudTrail event}\n"
	"  Defender-DeviceProcessEvents:\n"
	"    events: {ProcessCreated: Process created, any: Process activity (any)}\n"
	"  Defender-DeviceFileEvents:\n"
	"    events: {FileCreated: File created, FileRenamed: File renamed, any: File activity (any)}\n"
	"  Elastic-Endpoint:\n"
	"    events: {process-start: Process started}\n"
	"scopes:\n"
	"  sigma:\n"
	"    - match: {product: windows, category: process_creation}\n"
	"      events: {Sysmon: [1], Security-Auditing: [4688]}\n"
	"      narrow: {field: event.code}\n"
	"    - match: {product: windows, category: registry_event}\n"
	"      events: {Sysmon: [12, 13, 14]}\n"
	"      narrow: {field: event.code}\n"
	"    - match: {product: windows, service: security}\n"
	"      events: {Security-Auditing: [any]}\n"
	"      narrow: {field: event.code}\n"
	"    - match: {product: windows, service: system}\n"
	"      events: {System: [any]}\n"
	"      narrow: {field: event.code, logs: [System], provider_field: winlog.provider_name}\n"
	"    - match: {product: aws, service: cloudtrail}\n"
	"      events: {AWS-CloudTrail: [any]}\n"
	"      narrow: {field: event.action}\n"
	"    - match: {product: null, category: proc*}\n"
	"      events: {Sysmon: [10]}\n"
	"  elastic:\n"
	"    - match: {index: [\"logs-endpoint.events.*\"]}\n"
	"      where: {event.category: process, event.type: start}\n"
	"      events: {Elastic-Endpoint: [process-start]}\n"
	"    - match: {index: [\"winlogbeat-*\", \"logs-windows.sysmon_operational-*\"], event.category: process}\n"
	"      events: {Sysmon: [1]}\n"
	"      narrow: {field: event.code}\n"
	"  splunk:\n"
	"    - match: {data_source: \"*Sysmon EventID *\"}\n"
	"      narrow: {context: data_source, split: \" AND \", pattern: \"Sysmon EventID {event}\",\n"
	"               providers: [Sysmon]}\n"
	"    - match: {datamodel.node: Processes}\n"
	"      events: {Sysmon: [1], Security-Auditing: [4688]}\n"
	"  kusto:\n"
	"    - match: {tables: DeviceProcessEvents}\n"
	"      events: {Defender-DeviceProcessEvents: [any]}\n"
	"      narrow: {raw_field: ActionType}\n"
	"    - match: {tables: DeviceFileEvents}\n"
	"      events: {Defender-DeviceFileEvents: [any]}\n"
	"      narrow: {raw_field: ActionType}\n";

static struct events *load_small(void)
{
	char err[256];
	struct events *ev = events_load_text("small", small_yaml, strlen(small_yaml), err,
					     sizeof(err));

	if (!ev)
		fail_msg("%s", err);
	return ev;
}

/* "Provider/event Provider/event" for a rule given as JSON text */
static char *events_of(const struct events *ev, const char *json)
{
	json_error_t jerr;
	json_t *rule = json_loads(json, 0, &jerr);
	struct event_list l = EVENT_LIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!rule)
		fail_msg("bad test rule: %s: %s", jerr.text, json);
	events_for_rule(ev, rule, &l);
	strbuf_init(&sb, 64);
	for (i = 0; i < l.n; i++)
		strbuf_addf(&sb, "%s%s/%s", i ? " " : "", l.v[i].provider, l.v[i].event);
	event_list_release(&l);
	json_decref(rule);
	return strbuf_detach(&sb, NULL);
}

static void expect(const struct events *ev, const char *json, const char *want)
{
	char *got = events_of(ev, json);

	if (strcmp(got, want) != 0)
		fail_msg("rule %s\n  events '%s'\n  wanted '%s'", json, got, want);
	free(got);
}

#define PRED(field, op, value, negated) \
	"{\"field\":\"" field "\",\"raw_field\":\"x\",\"op\":\"" op "\",\"value\":" value \
	",\"negated\":" negated "}"

static void test_events_a_sigma_logsource_reads_its_events(void **state)
{
	struct events *ev = load_small();

	(void)state;
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"category\":\"process_creation\"}}",
	       "Sysmon/1 Security-Auditing/4688");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"Windows\",\"category\":\"REGISTRY_EVENT\"}}",
	       "Sysmon/12 Sysmon/13 Sysmon/14");
	/* another vendor's rule, or no context: nothing */
	expect(ev, "{\"vendor\":\"splunk\",\"context\":{\"product\":\"windows\",\"category\":\"process_creation\"}}", "");
	expect(ev, "{\"vendor\":\"sigma\"}", "");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"category\":\"webserver\"}}", "");
	events_free(ev);
}

static void test_events_a_positive_eventid_narrows_a_broad_scope(void **state)
{
	struct events *ev = load_small();

	(void)state;
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"security\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "\"4688\"", "false") "]}",
	       "Security-Auditing/4688");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"security\"}}",
	       "Security-Auditing/any");
	/* a number as well as a string; several ids, in catalog order */
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"security\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "4688", "false") ","
	       PRED("event.code", "eq", "4624", "false") "]}",
	       "Security-Auditing/4624 Security-Auditing/4688");
	/* the explicit id restricts a scope with several events */
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"category\":\"registry_event\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "13", "false") "]}",
	       "Sysmon/13");
	events_free(ev);
}

static void test_events_negated_or_computed_predicates_do_not_narrow(void **state)
{
	struct events *ev = load_small();

	(void)state;
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"category\":\"registry_event\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "13", "true") "]}",
	       "Sysmon/12 Sysmon/13 Sysmon/14");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"category\":\"registry_event\"},"
	       "\"predicates\":[{\"field\":\"event.code\",\"op\":\"eq\",\"value\":\"13\",\"negated\":false,"
	       "\"computed\":true}]}",
	       "Sysmon/12 Sysmon/13 Sysmon/14");
	events_free(ev);
}

static void test_events_ids_not_in_the_catalog_fall_back_and_are_reported(void **state)
{
	struct events *ev = load_small();
	json_t *rule = json_loads("{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"security\"},"
				  "\"predicates\":[" PRED("event.code", "eq", "9999", "false") "]}", 0, NULL);
	struct event_list l = EVENT_LIST_INIT;

	(void)state;
	assert_int_equal(events_for_rule(ev, rule, &l), 1);
	assert_string_equal(l.v[0].event, "any");
	assert_int_equal(l.nunresolved, 1);
	assert_string_equal(l.unresolved[0], "Security-Auditing: 9999");
	assert_int_equal(l.scopes, 1);
	/* the list is emptied by the next call */
	json_object_set_new(rule, "predicates", json_array());
	assert_int_equal(events_for_rule(ev, rule, &l), 1);
	assert_int_equal(l.nunresolved, 0);
	event_list_release(&l);
	json_decref(rule);
	events_free(ev);
}

static void test_events_provider_names_choose_among_the_providers_of_a_log(void **state)
{
	struct events *ev = load_small();

	(void)state;
	/* 16 belongs to two providers of the System log: Provider_Name decides */
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"system\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "16", "false") ","
	       PRED("winlog.provider_name", "eq", "\"microsoft-windows-kerberos-key-distribution-center\"", "false") "]}",
	       "Kerberos-Key-Distribution-Center/16");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"system\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "16", "false") ","
	       PRED("winlog.provider_name", "eq", "\"Microsoft-Windows-Kernel-General\"", "false") "]}",
	       "Kernel-General/16");
	/* an alias: Service Control Manager writes 7045 */
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"system\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "7045", "false") ","
	       PRED("winlog.provider_name", "eq", "\"service control manager\"", "false") "]}",
	       "System/7045");
	/* no provider named: the first provider of the log that has the id */
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"system\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "42", "false") "]}",
	       "Kerberos-Key-Distribution-Center/42");
	events_free(ev);
}

static void test_events_an_open_provider_adds_unlisted_events_as_the_rule_spells_them(void **state)
{
	struct events *ev = load_small();
	json_t *rule = json_loads("{\"vendor\":\"sigma\",\"context\":{\"product\":\"aws\",\"service\":\"cloudtrail\"},"
				  "\"predicates\":[{\"field\":\"event.action\",\"raw_field\":\"eventName\",\"op\":\"eq\","
				  "\"value\":\"createaccesskey\",\"raw_value\":\"CreateAccessKey\",\"ci\":true,\"negated\":false},"
				  "{\"field\":\"event.action\",\"op\":\"eq\",\"value\":\"consolelogin\",\"ci\":true,\"negated\":false}]}",
				  0, NULL);
	struct event_list l = EVENT_LIST_INIT;
	json_t *j;

	(void)state;
	assert_int_equal(events_for_rule(ev, rule, &l), 2);
	/* listed first, in the catalog's spelling; then the made-up one */
	assert_string_equal(l.v[0].event, "ConsoleLogin");
	assert_true(l.v[0].listed);
	assert_string_equal(l.v[1].event, "CreateAccessKey");
	assert_string_equal(l.v[1].title, "CreateAccessKey API call");
	assert_false(l.v[1].listed);
	j = event_list_json(&l);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "provider")),
			    "AWS-CloudTrail");
	json_decref(j);
	event_list_release(&l);
	json_decref(rule);
	events_free(ev);
}

static void test_events_wildcard_predicates_select_listed_events(void **state)
{
	struct events *ev = load_small();

	(void)state;
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"aws\",\"service\":\"cloudtrail\"},"
	       "\"predicates\":[" PRED("event.action", "starts_with", "\"delete\"", "false") "]}",
	       "AWS-CloudTrail/DeleteTrail AWS-CloudTrail/DeleteBucket");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"aws\",\"service\":\"cloudtrail\"},"
	       "\"predicates\":[" PRED("event.action", "wildcard", "\"*bu?ket\"", "false") "]}",
	       "AWS-CloudTrail/DeleteBucket");
	/* a pattern that fits nothing listed: the scope's own events */
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"aws\",\"service\":\"cloudtrail\"},"
	       "\"predicates\":[" PRED("event.action", "ends_with", "\"nothing\"", "false") "]}",
	       "AWS-CloudTrail/any");
	events_free(ev);
}

static void test_events_null_match_means_the_key_is_absent_and_globs_apply(void **state)
{
	struct events *ev = load_small();

	(void)state;
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"category\":\"process_access\"}}", "Sysmon/10");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"\",\"category\":\"process_access\"}}",
	       "Sysmon/10");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"category\":\"process_access\"}}", "");
	events_free(ev);
}

/* Elastic, Splunk and KQL scopes are entries of the same shape: no code of their own. */
static void test_events_other_vendors_scopes_are_data_of_the_same_shape(void **state)
{
	struct events *ev = load_small();

	(void)state;
	/* Elastic: index patterns (globs against the rule's own patterns), event.category
	 * in the context, event.type among the predicates, event.code narrowing */
	expect(ev, "{\"vendor\":\"elastic\",\"context\":{\"index\":[\"logs-endpoint.events.process-*\"]},"
	       "\"predicates\":[" PRED("event.category", "eq", "\"process\"", "false") ","
	       PRED("event.type", "eq", "\"start\"", "false") "]}",
	       "Elastic-Endpoint/process-start");
	expect(ev, "{\"vendor\":\"elastic\",\"context\":{\"index\":[\"logs-endpoint.events.process-*\"]},"
	       "\"predicates\":[" PRED("event.category", "eq", "\"process\"", "false") "]}", "");
	expect(ev, "{\"vendor\":\"elastic\",\"context\":{\"index\":[\"winlogbeat-*\"],\"event\":{\"category\":[\"process\"]}}}",
	       "Sysmon/1");
	expect(ev, "{\"vendor\":\"elastic\",\"context\":{\"index\":[\"winlogbeat-*\",\"logs-endpoint.events.*\"],"
	       "\"event.category\":\"process\"},\"predicates\":[" PRED("event.category", "eq", "\"process\"", "false") ","
	       PRED("event.type", "eq", "\"start\"", "false") "]}",
	       "Sysmon/1 Elastic-Endpoint/process-start");
	/* Splunk: data_source names, compound ones split, the id inside the name */
	expect(ev, "{\"vendor\":\"splunk\",\"context\":{\"data_source\":[\"Sysmon EventID 1\"]}}", "Sysmon/1");
	expect(ev, "{\"vendor\":\"splunk\",\"context\":{\"data_source\":[\"Windows Event Log Security 4688 AND Sysmon EventID 10\"]}}",
	       "Sysmon/10");
	expect(ev, "{\"vendor\":\"splunk\",\"context\":{\"datamodel\":{\"node\":\"Processes\"}}}",
	       "Sysmon/1 Security-Auditing/4688");
	/* KQL: a table, narrowed by ActionType as written */
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"DeviceFileEvents\"]}}",
	       "Defender-DeviceFileEvents/any");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"DeviceFileEvents\",\"DeviceProcessEvents\"]},"
	       "\"predicates\":[{\"field\":\"event.action\",\"raw_field\":\"ActionType\",\"op\":\"match\","
	       "\"value\":\"FileCreated\",\"negated\":false}]}",
	       "Defender-DeviceProcessEvents/any Defender-DeviceFileEvents/FileCreated");
	events_free(ev);
}

static void test_events_malformed_files_are_refused_with_file_and_line(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "providers: {P: {events: {1: One}}}\nscopes: {sigma: [{match: {a: b}, events: {Q: [1]}}]}\n",
		  "bad:2: unknown provider 'Q'" },
		{ "providers: {P: {events: {1: One}}}\nscopes: {sigma: [{match: {a: b}, events: {P: [2]}}]}\n",
		  "bad:2: 'P' has no event '2'" },
		{ "providers:\n  P:\n    events:\n      1: One\n      1: Again\n",
		  "bad:4: event '1' of 'P' repeated" },
		{ "providers: {P: {events: {1: One}, colour: red}}\n", "bad:1: unknown key 'colour'" },
		{ "providers: {P: {events: {1: ''}}}\n", "bad:1: event '1' of 'P' needs a title" },
		{ "providers: {P: {events: {1: One}}}\nscopes: {sigma: [{match: {a: b}, narrow: {field: x}}]}\n",
		  "bad:2: 'narrow' needs 'providers' or 'logs'" },
		{ "providers: {P: {events: {1: One}}}\nscopes: {sigma: [{match: {a: b}}]}\n",
		  "bad:2: a scope needs 'events' or 'narrow'" },
		{ "providers: {P: {events: {1: One}, unlisted: no placeholder}}\n",
		  "bad:1: 'unlisted' must be a title holding {event}" },
		{ "providers: {P: {events: {1: One}}}\nscopes: {sigma: [{match: {a: b}, events: {P: [1]},"
		  " narrow: {field: x, pattern: 'no placeholder'}}]}\n",
		  "bad:2: 'pattern' must hold {event} once" },
		{ "providers: {P: {events: {1: One}}}\nscopes: {sigma: [{match: {a: b}, events: {P: [1]},"
		  " narrow: {logs: [L]}}]}\n",
		  "bad:2: 'narrow' needs a 'field'" },
		{ "providers: {P: {events: {a: One, A: Two}}}\n", "bad: event 'A' of 'P' listed twice" },
		{ "providers: [P]\n", "bad:1: 'providers' must be a non-empty map" },
		{ "- just a list\n", "bad: expected one YAML map" },
		{ "providers: {P: {events: {1: [One\n", "bad:" },
	};
	size_t i;
	char err[256];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct events *ev = events_load_text("bad", cases[i].text, strlen(cases[i].text), err,
						     sizeof(err));

		if (ev)
			fail_msg("case %zu loaded: %s", i, cases[i].text);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: '%s', wanted '%s...'", i, err, cases[i].want);
	}
	assert_null(events_load("/nonexistent/events.yaml", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/events.yaml"));
}

static void test_events_a_match_list_of_many_values_is_indexed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct events *ev;
	char err[256];
	int i;

	(void)state;
	strbuf_addstr(&sb, "providers: {P: {events: {1: One, 2: Two}}}\nscopes:\n  sigma:\n"
		      "    - match: {service: [");
	for (i = 0; i < 300; i++)
		strbuf_addf(&sb, "%ss%d", i ? ", " : "", i);
	strbuf_addstr(&sb, "]}\n      events: {P: [1]}\n"
		      "    - match: {service: s299, product: p}\n      events: {P: [2]}\n");
	ev = events_load_text("many", sb.buf, sb.len, err, sizeof(err));
	if (!ev)
		fail_msg("%s", err);
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"service\":\"s0\"}}", "P/1");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"service\":\"S299\",\"product\":\"p\"}}", "P/1 P/2");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"service\":\"s300\"}}", "");
	events_free(ev);
	strbuf_release(&sb);
}

static void test_events_the_catalog_is_listed_in_file_order(void **state)
{
	struct events *ev = load_small();
	const struct event_ref *e;

	(void)state;
	assert_true(events_count(ev) > 10);
	e = events_at(ev, 0);
	assert_string_equal(e->provider, "Sysmon");
	assert_string_equal(e->event, "1");
	assert_null(events_at(ev, events_count(ev)));
	e = events_find(ev, "Security-Auditing", "4688");
	assert_non_null(e);
	assert_string_equal(e->title, "A new process has been created.");
	assert_non_null(events_find(ev, "AWS-CloudTrail", "consolelogin"));
	assert_null(events_find(ev, "AWS-CloudTrail", "CreateAccessKey"));
	assert_null(events_find(ev, "Nope", "1"));
	events_free(ev);
}

/* The repository's catalog: the mappings the issue and the reference pages name. */
static void test_events_the_repository_catalog_maps_the_sigma_logsources(void **state)
{
	char err[512];
	struct events *ev = events_load("mappings/events.yaml", err, sizeof(err));

	(void)state;
	if (!ev) {
		if (strstr(err, "No such file"))
			skip();	/* run from elsewhere than the repository's top folder */
		fail_msg("%s", err);
	}
#define SIGMA(ctx) "{\"vendor\":\"sigma\",\"context\":{" ctx "}}"
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"process_creation\""),
	       "Sysmon/1 Security-Auditing/4688");
	expect(ev, SIGMA("\"product\":\"macos\",\"category\":\"process_creation\""), "ESF/exec");
	expect(ev, SIGMA("\"product\":\"linux\",\"category\":\"process_creation\""),
	       "auditd/EXECVE Sysmon-Linux/1");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"registry_set\""), "Sysmon/13");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"registry_event\""),
	       "Sysmon/12 Sysmon/13 Sysmon/14");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"registry_add\""), "Sysmon/12");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"registry_delete\""), "Sysmon/12");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"file_event\""), "Sysmon/11");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"image_load\""), "Sysmon/7");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"network_connection\""),
	       "Sysmon/3 Security-Auditing/5156");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"dns_query\""), "Sysmon/22");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"ps_script\""), "PowerShell/4104");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"ps_module\""), "PowerShell/4103");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"pipe_created\""), "Sysmon/17 Sysmon/18");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"process_access\""), "Sysmon/10");
	expect(ev, SIGMA("\"product\":\"windows\",\"category\":\"create_remote_thread\""), "Sysmon/8");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"system\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "\"7045\"", "false") ","
	       PRED("winlog.provider_name", "eq", "\"service control manager\"", "false") "]}",
	       "System/7045");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"security\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "\"4688\"", "false") "]}",
	       "Security-Auditing/4688");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"windows\",\"service\":\"applocker\"},"
	       "\"predicates\":[" PRED("event.code", "eq", "8004", "false") ","
	       PRED("event.code", "eq", "8025", "false") "]}",
	       "AppLocker/8004 AppLocker/8025");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"aws\",\"service\":\"cloudtrail\"},"
	       "\"predicates\":[{\"field\":\"event.action\",\"op\":\"eq\",\"value\":\"createaccesskey\","
	       "\"raw_value\":\"CreateAccessKey\",\"negated\":false}]}",
	       "AWS-CloudTrail/CreateAccessKey");
	expect(ev, "{\"vendor\":\"sigma\",\"context\":{\"product\":\"okta\",\"service\":\"okta\"},"
	       "\"predicates\":[" PRED("event.action", "eq", "\"user.mfa.factor.deactivate\"", "false") "]}",
	       "Okta/user.mfa.factor.deactivate");
	assert_string_equal(events_find(ev, "ESF", "exec")->title, "Process Execution (Notify)");
	assert_string_equal(events_find(ev, "Security-Auditing", "5156")->title,
			    "The Windows Filtering Platform has permitted a connection.");
	assert_string_equal(events_find(ev, "Sysmon", "13")->title, "RegistryEvent (Value Set)");
	events_free(ev);
#undef SIGMA
}

/* The repository's catalog for the other vendors: the context their front ends write. */
static void test_events_the_repository_catalog_maps_elastic_splunk_and_kusto(void **state)
{
	char err[512];
	struct events *ev = events_load("mappings/events.yaml", err, sizeof(err));

	(void)state;
	if (!ev) {
		if (strstr(err, "No such file"))
			skip();	/* run from elsewhere than the repository's top folder */
		fail_msg("%s", err);
	}
#define RULE(vendor, ctx) "{\"vendor\":\"" vendor "\",\"context\":{" ctx "}}"
	/* Elastic: the index names the source, and for Elastic Defend the kind of event */
	expect(ev, RULE("elastic", "\"index\":[\"logs-endpoint.events.process-*\"],"
			"\"integration\":[\"endpoint\"],\"type\":\"eql\""),
	       "Elastic-Endpoint/process");
	expect(ev, RULE("elastic", "\"index\":[\"logs-endpoint.events.file*\",\"logs-endpoint.events.network-*\"],"
			"\"type\":\"eql\""),
	       "Elastic-Endpoint/file Elastic-Endpoint/network");
	expect(ev, RULE("elastic", "\"index\":[\"logs-endpoint.events.*\"],\"type\":\"eql\""),
	       "Elastic-Endpoint/any");
	expect(ev, RULE("elastic", "\"index\":[\"logs-windows.sysmon_operational-*\",\"winlogbeat-*\"],"
			"\"type\":\"eql\""),
	       "Sysmon/any");
	expect(ev, RULE("elastic", "\"index\":[\"logs-aws.cloudtrail-*\",\"filebeat-*\"],\"type\":\"query\""),
	       "AWS-CloudTrail/any");
	/* an ES|QL rule with no index: its integration; a machine learning rule reads no event */
	expect(ev, RULE("elastic", "\"integration\":[\"endpoint\"],\"type\":\"esql\""),
	       "Elastic-Endpoint/any");
	expect(ev, RULE("elastic", "\"integration\":[\"endpoint\"],\"type\":\"machine_learning\""), "");
	/* event.category narrows; Defender XDR's one data stream reads only by category */
	expect(ev, "{\"vendor\":\"elastic\",\"context\":{\"index\":[\"logs-endpoint.events.*\","
	       "\"logs-m365_defender.event-*\"],\"type\":\"eql\"},\"predicates\":["
	       PRED("event.category", "eq", "\"process\"", "false") "]}",
	       "Defender-DeviceProcessEvents/ProcessCreated Elastic-Endpoint/process");
	expect(ev, "{\"vendor\":\"elastic\",\"context\":{\"index\":[\"winlogbeat-*\",\"logs-system.security*\"],"
	       "\"type\":\"query\"},\"predicates\":[" PRED("event.code", "eq", "\"4624\"", "false") "]}",
	       "Security-Auditing/4624");

	/* Splunk: data_source names the events */
	expect(ev, RULE("splunk", "\"data_source\":[\"Sysmon EventID 1\"]"), "Sysmon/1");
	expect(ev, RULE("splunk", "\"data_source\":[\"Sysmon EventID 1\",\"Windows Event Log Security 4688\","
			"\"CrowdStrike ProcessRollup2\"],\"datamodel\":[\"Endpoint.Processes\"]"),
	       "Sysmon/1 Security-Auditing/4688 CrowdStrike-FDR/ProcessRollup2");
	expect(ev, RULE("splunk", "\"data_source\":[\"Sysmon EventID 1 AND Sysmon EventID 11\"]"),
	       "Sysmon/1 Sysmon/11");
	expect(ev, RULE("splunk", "\"data_source\":[\"Sysmon for Linux EventID 1\"]"), "Sysmon-Linux/1");
	expect(ev, RULE("splunk", "\"data_source\":[\"Powershell Script Block Logging 4104\","
			"\"Windows Event Log System 7045\"]"),
	       "System/7045 PowerShell/4104");
	expect(ev, RULE("splunk", "\"data_source\":[\"AWS CloudTrail CreateAccessKey\"]"),
	       "AWS-CloudTrail/CreateAccessKey");
	expect(ev, RULE("splunk", "\"data_source\":[\"O365 Universal Audit Log\"]"), "M365-Audit/any");
	/* a datamodel stands in only where no data_source is given */
	expect(ev, RULE("splunk", "\"datamodel\":[\"Endpoint.Processes\"]"),
	       "Sysmon/1 Security-Auditing/4688 CrowdStrike-FDR/ProcessRollup2");
	expect(ev, RULE("splunk", "\"data_source\":[\"Sysmon EventID 13\"],\"datamodel\":[\"Endpoint.Registry\"]"),
	       "Sysmon/13");

	/* KQL: tables */
	expect(ev, RULE("kusto", "\"tables\":[\"DeviceProcessEvents\"]"),
	       "Defender-DeviceProcessEvents/ProcessCreated");
	/* no ActionType named: every kind of file event the table holds */
	expect(ev, RULE("kusto", "\"tables\":[\"DeviceFileEvents\"]"),
	       "Defender-DeviceFileEvents/FileCreated Defender-DeviceFileEvents/FileModified "
	       "Defender-DeviceFileEvents/FileRenamed Defender-DeviceFileEvents/FileDeleted");
	expect(ev, RULE("kusto", "\"tables\":[\"CloudAppEvents\"]"), "Defender-CloudAppEvents/any");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"DeviceFileEvents\"]},\"predicates\":["
	       "{\"field\":\"ActionType\",\"raw_field\":\"ActionType\",\"op\":\"eq\",\"value\":\"FileCreated\","
	       "\"negated\":false}]}",
	       "Defender-DeviceFileEvents/FileCreated");
	expect(ev, RULE("kusto", "\"tables\":[\"SecurityEvent\"]"), "Security-Auditing/any");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"SecurityEvent\"]},\"predicates\":["
	       PRED("event.code", "eq", "4688", "false") "]}",
	       "Security-Auditing/4688");
	/* the Event table holds any channel: only the events a query names */
	expect(ev, RULE("kusto", "\"tables\":[\"Event\"]"), "");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"Event\"]},\"predicates\":["
	       PRED("event.code", "eq", "7045", "false") "]}",
	       "System/7045");
	expect(ev, RULE("kusto", "\"tables\":[\"SigninLogs\",\"AuditLogs\"]"),
	       "Azure-AuditLogs/any Azure-SigninLogs/SigninLogs");
	/* a table whose every row is one kind of event reads that event whatever
	 * the query filters on; its ActionType values narrow it */
	expect(ev, RULE("kusto", "\"tables\":[\"DeviceNetworkEvents\"]"),
	       "Defender-DeviceNetworkEvents/NetworkConnection");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"DeviceNetworkEvents\"]},\"predicates\":["
	       "{\"field\":\"ActionType\",\"raw_field\":\"ActionType\",\"op\":\"eq\",\"value\":\"ConnectionSuccess\","
	       "\"negated\":false}]}",
	       "Defender-DeviceNetworkEvents/ConnectionSuccess");
	/* an excluded ActionType does not narrow */
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"DeviceNetworkEvents\"]},\"predicates\":["
	       "{\"field\":\"ActionType\",\"raw_field\":\"ActionType\",\"op\":\"eq\",\"value\":\"ConnectionFailed\","
	       "\"negated\":true}]}",
	       "Defender-DeviceNetworkEvents/NetworkConnection");
	expect(ev, RULE("kusto", "\"tables\":[\"EmailEvents\",\"EmailAttachmentInfo\",\"DeviceLogonEvents\"]"),
	       "Defender-DeviceLogonEvents/Logon Defender-EmailEvents/Email Defender-EmailAttachmentInfo/Attachment");
	expect(ev, RULE("kusto", "\"tables\":[\"AADSignInEventsBeta\",\"AADNonInteractiveUserSignInLogs\"]"),
	       "Defender-EntraIdSignInEvents/SignIn Azure-SigninLogs/AADNonInteractiveUserSignInLogs");
	/* tables of many kinds: the ActionType named, listed or not, else any */
	expect(ev, RULE("kusto", "\"tables\":[\"CloudAppEvents\"]"), "Defender-CloudAppEvents/any");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"CloudAppEvents\"]},\"predicates\":["
	       "{\"field\":\"ActionType\",\"raw_field\":\"ActionType\",\"op\":\"eq\",\"value\":\"Set-Mailbox\","
	       "\"negated\":false}]}",
	       "Defender-CloudAppEvents/Set-Mailbox");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"IdentityDirectoryEvents\"]},\"predicates\":["
	       "{\"field\":\"ActionType\",\"raw_field\":\"ActionType\",\"op\":\"eq\",\"value\":\"SMB file copy\","
	       "\"negated\":false}]}",
	       "Defender-IdentityDirectoryEvents/SMB file copy");
	/* AuditLogs and AzureActivity by the operation's display name too; Syslog by facility */
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"AuditLogs\"]},\"predicates\":["
	       "{\"field\":\"ActivityDisplayName\",\"raw_field\":\"ActivityDisplayName\",\"op\":\"eq\","
	       "\"value\":\"Add user\",\"negated\":false}]}",
	       "Azure-AuditLogs/Add user");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"Syslog\"]},\"predicates\":["
	       "{\"field\":\"Facility\",\"raw_field\":\"Facility\",\"op\":\"eq\",\"value\":\"authpriv\","
	       "\"negated\":false}]}",
	       "Syslog/authpriv");
	/* only 4688 of the Security log has a command line: a SecurityEvent query on it reads 4688 */
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"SecurityEvent\"]},\"predicates\":["
	       PRED("process.command_line", "match", "\"auditpol\"", "false") "]}",
	       "Security-Auditing/4688 Security-Auditing/any");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"SecurityEvent\"]},\"predicates\":["
	       PRED("process.command_line", "match", "\"auditpol\"", "true") "]}",
	       "Security-Auditing/any");
	expect(ev, RULE("kusto", "\"tables\":[\"LAQueryLogs\",\"Heartbeat\"]"),
	       "Azure-LAQueryLogs/Query Azure-Heartbeat/Heartbeat");
	expect(ev, "{\"vendor\":\"kusto\",\"context\":{\"tables\":[\"CloudAuditEvents\"]},\"predicates\":["
	       "{\"field\":\"ActionType\",\"raw_field\":\"ActionType\",\"op\":\"eq\",\"value\":\"CloudAuditEventDelete\","
	       "\"negated\":false}]}",
	       "Defender-CloudAuditEvents/CloudAuditEventDelete");
	/* an inventory or state table is an event of its own: what must be collected for the query */
	expect(ev, RULE("kusto", "\"tables\":[\"DeviceInfo\"]"), "Defender-DeviceInfo/Inventory");
	expect(ev, RULE("kusto", "\"tables\":[\"DeviceTvmSoftwareVulnerabilities\",\"DeviceTvmSoftwareVulnerabilitiesKB\"]"),
	       "Defender-DeviceTvmSoftwareVulnerabilities/Assessment "
	       "Defender-DeviceTvmSoftwareVulnerabilitiesKB/Knowledge");
	expect(ev, RULE("kusto", "\"tables\":[\"SecurityIncident\"]"), "Sentinel-SecurityIncident/Incident");
	/* a table the catalog does not know reads no event */
	expect(ev, RULE("kusto", "\"tables\":[\"MyCustomTable_CL\"]"), "");
	assert_string_equal(events_find(ev, "Elastic-Endpoint", "process")->title,
			    "Process event (start, end, fork, exec)");
	events_free(ev);
#undef RULE
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_a_sigma_logsource_reads_its_events),
		cmocka_unit_test(test_events_a_positive_eventid_narrows_a_broad_scope),
		cmocka_unit_test(test_events_negated_or_computed_predicates_do_not_narrow),
		cmocka_unit_test(test_events_ids_not_in_the_catalog_fall_back_and_are_reported),
		cmocka_unit_test(test_events_provider_names_choose_among_the_providers_of_a_log),
		cmocka_unit_test(test_events_an_open_provider_adds_unlisted_events_as_the_rule_spells_them),
		cmocka_unit_test(test_events_wildcard_predicates_select_listed_events),
		cmocka_unit_test(test_events_null_match_means_the_key_is_absent_and_globs_apply),
		cmocka_unit_test(test_events_other_vendors_scopes_are_data_of_the_same_shape),
		cmocka_unit_test(test_events_malformed_files_are_refused_with_file_and_line),
		cmocka_unit_test(test_events_a_match_list_of_many_values_is_indexed),
		cmocka_unit_test(test_events_the_catalog_is_listed_in_file_order),
		cmocka_unit_test(test_events_the_repository_catalog_maps_the_sigma_logsources),
		cmocka_unit_test(test_events_the_repository_catalog_maps_elastic_splunk_and_kusto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
