/*
 * Unit tests for coverage: the telemetry profile reader (events by provider,
 * `any` for a whole provider, names checked against the event catalog with a
 * warning that names the file and line, shapes that are refused with an
 * error that does too) and what a profile runs (coverage_compute on a few
 * rules written here). Profiles are written to temporary files, as the tools
 * read them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog/coverage.h"
#include "catalog/events.h"
#include "common/util.h"

static const char catalog_yaml[] =
	"version: 1\n"
	"providers:\n"
	"  Sysmon:\n"
	"    events: {1: Process creation, 3: Network connection, 11: FileCreate,\n"
	"             13: RegistryEvent (Value Set), any: Any Sysmon event}\n"
	"  Security-Auditing:\n"
	"    events: {4688: A new process has been created., any: Any event of the Security log}\n"
	"  auditd:\n"
	"    events: {EXECVE: Program execution, any: Any auditd record}\n"
	"scopes:\n"
	"  sigma:\n"
	"    - match: {product: windows, category: process_creation}\n"
	"      events: {Sysmon: [1], Security-Auditing: [4688]}\n";

static struct events *load_catalog(void)
{
	char err[256];
	struct events *ev = events_load_text("catalog", catalog_yaml, strlen(catalog_yaml), err, sizeof(err));

	if (!ev)
		fail_msg("%s", err);
	return ev;
}

struct loaded {
	char path[64];		/* the profile's file */
	struct profile *p;
	char err[512];		/* profile_load's error */
	char *warnings;		/* what it wrote on stderr (malloc'd) */
};

/* write text to a new temporary file, load it as a profile, capture stderr */
static void load(struct loaded *l, const struct events *ev, const char *text)
{
	FILE *cap = tmpfile(), *f;
	int fd, saved;
	long n;

	strcpy(l->path, "/tmp/detcat-profile-XXXXXX");
	fd = mkstemp(l->path);
	if (fd < 0 || !cap)
		fail_msg("cannot make temporary files");
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	l->err[0] = '\0';
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(cap), 2);
	l->p = profile_load(l->path, ev, l->err, sizeof(l->err));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = ftell(cap);
	l->warnings = xcalloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(cap);
	if (n > 0 && fread(l->warnings, 1, (size_t)n, cap) != (size_t)n)
		fail_msg("cannot read the captured messages");
	fclose(cap);
}

static void unload(struct loaded *l)
{
	profile_free(l->p);
	free(l->warnings);
	unlink(l->path);
}

/* profile_json as compact text (malloc'd) */
static char *json_text(const struct profile *p)
{
	json_t *j = profile_json(p);
	char *t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	return t;
}

static void test_coverage_a_good_profile_covers_its_events_and_no_other(void **state)
{
	struct events *ev = load_catalog();
	struct loaded l;
	char *t;

	(void)state;
	load(&l, ev, "# a fleet\n"
	     "name: Test fleet\n"
	     "description: what we collect\n"
	     "events:\n"
	     "  Sysmon: [1, 3, \"11\"]\n"
	     "  Security-Auditing: [4688]\n");
	assert_non_null(l.p);
	assert_string_equal(l.warnings, "");
	assert_string_equal(profile_name(l.p), "Test fleet");
	assert_true(profile_covers(l.p, "Sysmon", "1"));
	assert_true(profile_covers(l.p, "Sysmon", "3"));
	assert_true(profile_covers(l.p, "Sysmon", "11"));	/* a number or a string: the same event */
	assert_false(profile_covers(l.p, "Sysmon", "13"));
	assert_true(profile_covers(l.p, "Security-Auditing", "4688"));
	assert_false(profile_covers(l.p, "Security-Auditing", "4624"));
	assert_false(profile_covers(l.p, "auditd", "EXECVE"));	/* a provider it does not name */
	/* a rule that reads "any Sysmon event" may read an event the profile lacks */
	assert_false(profile_covers(l.p, "Sysmon", "any"));
	t = json_text(l.p);
	assert_string_equal(t, "{\"events\":{\"Security-Auditing\":[\"4688\"],\"Sysmon\":[\"1\",\"11\",\"3\"]},"
			    "\"name\":\"Test fleet\"}");
	free(t);
	unload(&l);
	events_free(ev);
}

static void test_coverage_a_profile_without_a_name_is_named_by_its_file(void **state)
{
	struct events *ev = load_catalog();
	struct loaded l;

	(void)state;
	load(&l, ev, "events: {Sysmon: [1]}\n");
	assert_non_null(l.p);
	/* mkstemp's name has no .yaml: the whole base name */
	assert_string_equal(profile_name(l.p), strrchr(l.path, '/') + 1);
	unload(&l);
	events_free(ev);
}

static void test_coverage_any_covers_the_whole_provider(void **state)
{
	struct events *ev = load_catalog();
	struct loaded l;
	char *t, *want;

	(void)state;
	load(&l, ev, "events:\n"
	     "  auditd: any\n"
	     "  Sysmon: [1, any]\n");
	assert_non_null(l.p);
	assert_string_equal(l.warnings, "");
	assert_true(profile_covers(l.p, "auditd", "EXECVE"));
	assert_true(profile_covers(l.p, "auditd", "any"));
	assert_true(profile_covers(l.p, "auditd", "SYSCALL"));	/* any event, listed or not */
	assert_true(profile_covers(l.p, "Sysmon", "13"));	/* `any` in the list: the whole provider too */
	assert_true(profile_covers(l.p, "Sysmon", "any"));
	assert_false(profile_covers(l.p, "Security-Auditing", "any"));
	t = json_text(l.p);
	want = xasprintf("{\"events\":{\"Sysmon\":\"any\",\"auditd\":\"any\"},\"name\":\"%s\"}",
			 strrchr(l.path, '/') + 1);
	assert_string_equal(t, want);
	free(want);
	free(t);
	unload(&l);
	events_free(ev);
}

static void test_coverage_unknown_provider_or_event_is_a_warning_naming_file_and_line(void **state)
{
	struct events *ev = load_catalog();
	struct loaded l;
	char *want;

	(void)state;
	load(&l, ev, "name: typo\n"
	     "events:\n"
	     "  Sysmon: [1,\n"
	     "           99]\n"
	     "  Symson: [1]\n");
	assert_non_null(l.p);	/* a warning, not fatal */
	want = xasprintf("detcat-test: %s:4: event '99' of provider 'Sysmon' is not in the event catalog\n"
			 "detcat-test: %s:5: provider 'Symson' is not in the event catalog\n", l.path, l.path);
	assert_string_equal(l.warnings, want);
	free(want);
	/* what the profile says is still what it covers */
	assert_true(profile_covers(l.p, "Sysmon", "99"));
	assert_true(profile_covers(l.p, "Symson", "1"));
	unload(&l);
	events_free(ev);
}

static void test_coverage_without_an_event_catalog_nothing_is_checked(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, NULL, "events: {Anything: [x], Other: any}\n");
	assert_non_null(l.p);
	assert_string_equal(l.warnings, "");
	assert_true(profile_covers(l.p, "Anything", "x"));
	assert_true(profile_covers(l.p, "Other", "y"));
	unload(&l);
}

/* a profile of the wrong shape: NULL, and err is "FILE:LINE: what" */
static void expect_refused(const struct events *ev, const char *text, unsigned line, const char *what)
{
	struct loaded l;
	char *want;

	load(&l, ev, text);
	want = xasprintf("%s:%u: %s", l.path, line, what);
	if (l.p)
		fail_msg("accepted: %s", text);
	if (strcmp(l.err, want) != 0)
		fail_msg("profile %s\n  error '%s'\n  wanted '%s'", text, l.err, want);
	free(want);
	unload(&l);
}

static void test_coverage_a_profile_of_the_wrong_shape_is_an_error_naming_file_and_line(void **state)
{
	struct events *ev = load_catalog();

	(void)state;
	expect_refused(ev, "- Sysmon\n- 1\n", 1, "expected a map with 'events'");
	expect_refused(ev, "name: x\n", 1, "'events' must be a map of provider to events");
	expect_refused(ev, "name: x\nevents:\n  - Sysmon\n", 3, "'events' must be a map of provider to events");
	expect_refused(ev, "events:\n  Sysmon: {1: yes}\n", 2,
		       "provider 'Sysmon': expected a list of events or 'any'");
	expect_refused(ev, "events:\n  Sysmon: all\n", 2,
		       "provider 'Sysmon': expected a list of events or 'any'");
	expect_refused(ev, "events:\n  Sysmon: [1,\n    true]\n", 3,
		       "provider 'Sysmon': an event is a number or a name");
	expect_refused(ev, "events:\n  Sysmon: [[1]]\n", 2,
		       "provider 'Sysmon': an event is a number or a name");
	expect_refused(ev, "events:\n  Sysmon: [1.5]\n", 2,
		       "provider 'Sysmon': an event is a number or a name");
	expect_refused(ev, "events:\n  Sysmon: [1]\ncollects: []\n", 3,
		       "unknown key 'collects' (a profile has name, description, events)");
	expect_refused(ev, "name: ''\nevents: {Sysmon: [1]}\n", 1, "'name' is a string");
	expect_refused(ev, "events: {Sysmon: [1]}\n---\nevents: {}\n", 1, "one YAML document expected");
	events_free(ev);
}

static void test_coverage_unreadable_or_malformed_files_are_errors(void **state)
{
	char err[512];
	struct loaded l;

	(void)state;
	assert_null(profile_load("/nonexistent/profile.yaml", NULL, err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/profile.yaml: cannot read the profile");
	load(&l, NULL, "events:\n  Sysmon: [1\n");	/* unclosed flow sequence */
	assert_null(l.p);
	assert_true(strncmp(l.err, l.path, strlen(l.path)) == 0 && l.err[strlen(l.path)] == ':');
	unload(&l);
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (!v)
		fail_msg("bad test JSON: %s: %s", jerr.text, text);
	return v;
}

/*
 * Three live rules and a retired one under two techniques: a rule runs when
 * one of its events is covered; the next events are ranked by rules, then
 * techniques gained.
 */
static void test_coverage_runnable_rules_and_the_next_event_to_collect(void **state)
{
	struct events *ev = load_catalog();
	json_t *rules = parse(
		"{\"s:a\":{\"vendor\":\"sigma\",\"events\":[{\"provider\":\"Sysmon\",\"event\":\"1\"},"
		"{\"provider\":\"Security-Auditing\",\"event\":\"4688\"}]},"
		" \"s:b\":{\"vendor\":\"sigma\",\"events\":[{\"provider\":\"Security-Auditing\",\"event\":\"4688\"}]},"
		" \"e:c\":{\"vendor\":\"elastic\",\"events\":[{\"provider\":\"auditd\",\"event\":\"EXECVE\"}]},"
		" \"e:d\":{\"vendor\":\"elastic\",\"events\":[{\"provider\":\"Sysmon\",\"event\":\"any\"}]},"
		" \"s:old\":{\"vendor\":\"sigma\",\"retired\":true,\"events\":[{\"provider\":\"Sysmon\",\"event\":\"1\"}]}}");
	json_t *techs = parse(
		"[{\"id\":\"T1\",\"name\":\"One\",\"rules\":{\"uids\":[\"s:a\",\"s:b\"]}},"
		" {\"id\":\"T2\",\"name\":\"Two\",\"rules\":{\"uids\":[\"s:b\",\"e:c\",\"e:d\"]}}]");
	json_t *cov, *idx, *next;
	struct loaded l;
	char *t;

	(void)state;
	load(&l, ev, "name: p\nevents: {Sysmon: [1, 3]}\n");
	assert_non_null(l.p);
	cov = coverage_compute(l.p, ev, techs, rules);
	t = json_dumps(json_object_get(cov, "runnable"), JSON_COMPACT | JSON_SORT_KEYS);
	/* s:old is runnable too (for a catalog that counts retired rules), but not counted below */
	assert_string_equal(t, "{\"s:a\":true,\"s:old\":true}");
	free(t);
	t = json_dumps(json_object_get(cov, "rules"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(t, "{\"by_vendor\":{\"elastic\":{\"rules\":2,\"runnable\":0},"
			    "\"sigma\":{\"rules\":2,\"runnable\":1}},\"runnable\":1,\"total\":4,\"with_events\":4}");
	free(t);
	idx = coverage_technique_index(cov);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(idx, "T1"), "runnable")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(idx, "T2"), "runnable")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(idx, "T2"), "rules")), 3);
	json_decref(idx);
	/* Security 4688 and its any: s:b (1 rule; T2 newly covered, T1 is already);
	 * auditd EXECVE and its any: e:c (1 rule, T2); Sysmon any: e:d (1 rule, T2);
	 * then by provider, then event ("4688" < "any"); events no rule reads: 0, 0 */
	next = json_object_get(cov, "next");
	t = json_dumps(json_array_get(next, 0), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(t, "{\"event\":\"4688\",\"kind\":\"next_event\",\"provider\":\"Security-Auditing\","
			    "\"rank\":1,\"rules_gained\":1,\"techniques_gained\":1,"
			    "\"title\":\"A new process has been created.\"}");
	free(t);
	{
		static const char *const order[][2] = {
			{ "Security-Auditing", "4688" }, { "Security-Auditing", "any" }, { "Sysmon", "any" },
			{ "auditd", "EXECVE" }, { "auditd", "any" }, { "Sysmon", "11" }, { "Sysmon", "13" },
		};
		size_t i;

		assert_int_equal(json_array_size(next), 7);
		for (i = 0; i < 7; i++) {
			const json_t *e = json_array_get(next, i);

			assert_string_equal(json_string_value(json_object_get(e, "provider")), order[i][0]);
			assert_string_equal(json_string_value(json_object_get(e, "event")), order[i][1]);
			assert_int_equal(json_integer_value(json_object_get(e, "rules_gained")), i < 5 ? 1 : 0);
			assert_int_equal(json_integer_value(json_object_get(e, "techniques_gained")), i < 5 ? 1 : 0);
		}
	}
	json_decref(cov);
	json_decref(rules);
	json_decref(techs);
	unload(&l);
	events_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage_a_good_profile_covers_its_events_and_no_other),
		cmocka_unit_test(test_coverage_a_profile_without_a_name_is_named_by_its_file),
		cmocka_unit_test(test_coverage_any_covers_the_whole_provider),
		cmocka_unit_test(test_coverage_unknown_provider_or_event_is_a_warning_naming_file_and_line),
		cmocka_unit_test(test_coverage_without_an_event_catalog_nothing_is_checked),
		cmocka_unit_test(test_coverage_a_profile_of_the_wrong_shape_is_an_error_naming_file_and_line),
		cmocka_unit_test(test_coverage_unreadable_or_malformed_files_are_errors),
		cmocka_unit_test(test_coverage_runnable_rules_and_the_next_event_to_collect),
	};

	msg_setprog("detcat-test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
