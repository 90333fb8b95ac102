/*
 * Unit tests for common/casemap.c: every letter lower-cased by Unicode's
 * simple mapping, lengths that change, bytes that are not UTF-8 kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/casemap.h"
#include "common/util.h"

static void lower_is(const char *in, const char *want)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_addstr(&sb, in);
	casemap_lower_utf8(&sb);
	assert_string_equal(sb.buf, want);
	assert_int_equal(sb.len, strlen(want));
	strbuf_release(&sb);
}

static void test_casemap_lowers_ascii_in_place(void **state)
{
	(void)state;
	lower_is("C:\\Windows\\System32\\CMD.EXE", "c:\\windows\\system32\\cmd.exe");
	lower_is("", "");
}

static void test_casemap_lowers_every_script_not_only_ascii(void **state)
{
	(void)state;
	lower_is("\\СИСТЕМА", "\\система");
	lower_is("Администратор", "администратор");
	lower_is("ΑΣ", "ασ");				/* Greek: simple mapping, no final sigma */
	lower_is("\xE2\x93\x82\xEF\xB8\x8F", "\xE2\x93\x9C\xEF\xB8\x8F");	/* Ⓜ️ → ⓜ️ */
	lower_is("ÀÉÎÕÜ", "àéîõü");
	lower_is("\xC7\x85", "\xC7\x86");		/* titlecase ǅ → ǆ */
}

static void test_casemap_lengths_may_change(void **state)
{
	(void)state;
	lower_is("\xC4\xB0stanbul", "istanbul");	/* İ (2 bytes) → i */
	lower_is("\xC8\xBA", "\xE2\xB1\xA5");		/* Ⱥ (2 bytes) → ⱥ (3 bytes) */
	assert_int_equal(casemap_lower(0x10400), 0x10428);	/* Deseret, 4 bytes */
}

static void test_casemap_keeps_bytes_that_are_not_utf8(void **state)
{
	(void)state;
	lower_is("A\xFF" "B\xC3", "a\xFF" "b\xC3");
	lower_is("\xED\xA0\x80Z", "\xED\xA0\x80z");	/* a surrogate is not UTF-8 */
}

static void test_casemap_leaves_lower_case_and_uncased_alone(void **state)
{
	(void)state;
	assert_int_equal(casemap_lower('a'), 'a');
	assert_int_equal(casemap_lower(0x4E2D), 0x4E2D);	/* 中 */
	assert_int_equal(casemap_lower(0x0101), 0x0101);	/* ā (odd of a stride-2 run) */
	assert_int_equal(casemap_lower(0x0100), 0x0101);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_casemap_lowers_ascii_in_place),
		cmocka_unit_test(test_casemap_lowers_every_script_not_only_ascii),
		cmocka_unit_test(test_casemap_lengths_may_change),
		cmocka_unit_test(test_casemap_keeps_bytes_that_are_not_utf8),
		cmocka_unit_test(test_casemap_leaves_lower_case_and_uncased_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
