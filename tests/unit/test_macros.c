/*
 * Unit tests for Splunk macro expansion: arguments and arity, nesting,
 * cycles and depth, pipelines spliced, comments, the names security_content
 * leaves undefined, and macro files that are not macros.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "splunk/macros.h"

/* Expand spl with m; the expansion with runs of spaces squeezed, trimmed (caller frees). */
static char *expand(const struct splunk_macros *m, const char *spl, struct splunk_expansion *x)
{
	char *out, *o;
	const char *p;
	int sp = 1;

	splunk_macros_expand(m, spl, strlen(spl), x);
	out = o = malloc(x->out.len + 1);
	for (p = x->out.buf; *p; p++) {
		if (*p == ' ') {
			if (!sp)
				*o++ = ' ';
			sp = 1;
			continue;
		}
		*o++ = *p;
		sp = 0;
	}
	if (o > out && o[-1] == ' ')
		o--;
	*o = 0;
	return out;
}

#define assert_expands(m, spl, want) do { \
		struct splunk_expansion x_; \
		char *got_ = expand(m, spl, &x_); \
		if (strcmp(got_, want)) \
			fail_msg("%s: got '%s', want '%s'", spl, got_, want); \
		assert_int_equal(x_.failed, 0); \
		free(got_); \
		splunk_expansion_release(&x_); \
	} while (0)

static struct splunk_macros *set(void)
{
	static const char *const one[] = { "field" };
	static const char *const two[] = { "a", "b" };
	struct splunk_macros *m = splunk_macros_new();

	assert_int_equal(splunk_macros_define(m, "sysmon", 0, NULL, "sourcetype=xmlwineventlog"), 0);
	assert_int_equal(splunk_macros_define(m, "process_cmd", 0, NULL,
					      "(Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe)"), 0);
	assert_int_equal(splunk_macros_define(m, "ctime", 1, one, "convert ctime($field$)"), 0);
	assert_int_equal(splunk_macros_define(m, "pair", 2, two, "$a$=$b$ $a$!=x"), 0);
	/* the same name with another arity is another macro */
	assert_int_equal(splunk_macros_define(m, "pair", 0, NULL, "nothing=here"), 0);
	assert_int_equal(splunk_macros_define(m, "outer", 0, NULL, "`sysmon` `process_cmd`"), 0);
	assert_int_equal(splunk_macros_define(m, "piped", 0, NULL, "type=EXECVE | eval x=1"), 0);
	assert_int_equal(splunk_macros_define(m, "loop_a", 0, NULL, "a=1 `loop_b`"), 0);
	assert_int_equal(splunk_macros_define(m, "loop_b", 0, NULL, "b=1 `loop_a`"), 0);
	return m;
}

static void test_macros_expand_plain_and_with_arguments(void **state)
{
	struct splunk_macros *m = set();

	(void)state;
	assert_expands(m, "`sysmon` EventCode=1", "sourcetype=xmlwineventlog EventCode=1");
	assert_expands(m, "x | `ctime(firstTime)`", "x | convert ctime(firstTime)");
	assert_expands(m, "`pair(user, \"a,b\")`", "user=\"a,b\" user!=x");
	assert_expands(m, "`pair`", "nothing=here");
	splunk_macros_free(m);
}

static void test_macros_nested_macros_expand_and_pipelines_are_spliced(void **state)
{
	struct splunk_macros *m = set();
	struct splunk_expansion x;
	char *got;

	(void)state;
	assert_expands(m, "`outer`",
		       "sourcetype=xmlwineventlog (Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe)");
	assert_expands(m, "`piped` | stats count", "type=EXECVE | eval x=1 | stats count");
	got = expand(m, "`outer`", &x);
	assert_int_equal(x.expanded, 3);
	assert_int_equal(x.nused, 3);
	assert_string_equal(x.used[0], "outer");
	free(got);
	splunk_expansion_release(&x);
	splunk_macros_free(m);
}

static void test_macros_cycle_is_a_clear_error(void **state)
{
	struct splunk_macros *m = set();
	struct splunk_expansion x;

	(void)state;
	assert_int_equal(splunk_macros_expand(m, "`loop_a`", 8, &x), -1);
	assert_int_equal(x.failed, 1);
	assert_string_equal(x.err, "macro cycle: 'loop_a' reaches itself");
	splunk_expansion_release(&x);
	splunk_macros_free(m);
}

static void test_macros_nesting_deeper_than_the_limit_fails(void **state)
{
	struct splunk_macros *m = splunk_macros_new();
	struct splunk_expansion x;
	char name[16], def[32];
	int i;

	(void)state;
	for (i = 0; i < SPLUNK_MACRO_DEPTH + 2; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		snprintf(def, sizeof(def), "`m%d`", i + 1);
		splunk_macros_define(m, name, 0, NULL, def);
	}
	assert_int_equal(splunk_macros_expand(m, "`m0`", 4, &x), -1);
	assert_non_null(strstr(x.err, "nested too deep"));
	splunk_expansion_release(&x);
	splunk_macros_free(m);
}

static void test_macros_undefined_special_names_mean_what_they_mean(void **state)
{
	struct splunk_macros *m = set();
	struct splunk_expansion x;
	char *got;

	(void)state;
	assert_expands(m, "`sysmon` | `office_child_filter`", "sourcetype=xmlwineventlog |");
	assert_expands(m, "| `drop_dm_object_name(Processes)`", "| rename Processes.* AS *");
	assert_expands(m, "| `security_content_ctime(lastTime)`",
		       "| convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(lastTime)");
	assert_expands(m, "| tstats `security_content_summariesonly` count",
		       "| tstats summariesonly=false allow_old_summaries=true fillnull_value=null count");
	got = expand(m, "`sysmon` `nowhere` `nowhere` `nowhere(1)` | `x_filter`", &x);
	assert_int_equal(x.failed, 0);
	assert_int_equal(x.nundefined, 2);
	assert_string_equal(x.undefined[0], "nowhere");
	assert_string_equal(x.undefined[1], "nowhere(1)");
	free(got);
	splunk_expansion_release(&x);
	splunk_macros_free(m);
}

static void test_macros_comments_and_quoted_backticks(void **state)
{
	(void)state;
	assert_expands(NULL, "a=1 ```a `comment` here``` b=2", "a=1 b=2");
	assert_expands(NULL, "a=\"`not a macro`\"", "a=\"`not a macro`\"");
	assert_expands(NULL, "a=1 ```unclosed", "a=1");
}

static void test_macros_unclosed_backtick_fails(void **state)
{
	struct splunk_expansion x;

	(void)state;
	assert_int_equal(splunk_macros_expand(NULL, "a=1 `sysmon", 11, &x), -1);
	assert_string_equal(x.err, "a macro reference without its closing backtick");
	splunk_expansion_release(&x);
}

static void test_macros_files_are_loaded_and_bad_ones_reported(void **state)
{
	struct splunk_macros *m = splunk_macros_new();
	struct fe_msg msg;
	struct splunk_expansion x;
	char *got;
	static const char ok[] = "arguments:\n  - field\ndefinition: 'lower($field$)'\n"
				 "description: d\nname: low\n";
	static const char conf[] = "definition: '$x$=1'\nargs: [x]\nname: one(1)\n";

	(void)state;
	assert_int_equal(splunk_macros_add(m, "macros/low.yml", ok, strlen(ok), &msg), 0);
	assert_int_equal(splunk_macros_add(m, "macros/one.yml", conf, strlen(conf), &msg), 0);
	assert_int_equal(splunk_macros_add(m, "macros/low2.yml", ok, strlen(ok), &msg), -1);
	assert_non_null(strstr(msg.text, "defined twice"));
	assert_int_equal(splunk_macros_add(m, "macros/bad.yml", "name: [", 7, &msg), -1);
	assert_non_null(strstr(msg.text, "invalid YAML"));
	assert_int_equal(splunk_macros_add(m, "macros/nodef.yml", "name: x\n", 8, &msg), -1);
	assert_string_equal(msg.text, "a macro needs a 'definition'");
	assert_int_equal(splunk_macros_count(m), 2);
	got = expand(m, "`low(a)` `one(b)`", &x);
	assert_string_equal(got, "lower(a) b=1");
	free(got);
	splunk_expansion_release(&x);
	splunk_macros_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macros_expand_plain_and_with_arguments),
		cmocka_unit_test(test_macros_nested_macros_expand_and_pipelines_are_spliced),
		cmocka_unit_test(test_macros_cycle_is_a_clear_error),
		cmocka_unit_test(test_macros_nesting_deeper_than_the_limit_fails),
		cmocka_unit_test(test_macros_undefined_special_names_mean_what_they_mean),
		cmocka_unit_test(test_macros_comments_and_quoted_backticks),
		cmocka_unit_test(test_macros_unclosed_backtick_fails),
		cmocka_unit_test(test_macros_files_are_loaded_and_bad_ones_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
