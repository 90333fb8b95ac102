/*
 * Unit tests for canon: operators from wildcard positions, the glob form of
 * inner wildcards, ci lower-casing, path suffixes that are file names, and the
 * split of "KEY=value" hash lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rule/canon.h"
#include "rule/fieldmap.h"
#include "common/util.h"

/* A pattern from a compact spelling: '*' and '?' are wildcards, '\x' is literal x. */
static void spell(struct pattern *p, const char *s)
{
	pattern_reset(p);
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			pattern_add_lit(p, ++s, 1);
		} else if (*s == '*' || *s == '?') {
			pattern_add_wild(p, *s == '*' ? PAT_STAR : PAT_ONE);
		} else {
			pattern_add_lit(p, s, 1);
		}
	}
}

static void check(const char *spelled, int ci, const char *op, const char *value)
{
	struct pattern p;
	struct canon_value v;

	pattern_init(&p);
	canon_value_init(&v);
	spell(&p, spelled);
	canon_pattern(&p, ci, &v);
	assert_string_equal(v.op, op);
	if (value)
		assert_string_equal(v.value.buf, value);
	pattern_release(&p);
	canon_value_release(&v);
}

static void test_canon_value_without_wildcards_is_eq(void **state)
{
	(void)state;
	check("cmd.exe", 0, OP_EQ, "cmd.exe");
	check("", 0, OP_EQ, "");
}

static void test_canon_wildcards_only_at_the_ends_choose_the_operator(void **state)
{
	(void)state;
	check("*abc*", 0, OP_CONTAINS, "abc");
	check("**abc***", 0, OP_CONTAINS, "abc");
	check("*abc", 0, OP_ENDS_WITH, "abc");
	check("abc*", 0, OP_STARTS_WITH, "abc");
}

static void test_canon_inner_wildcard_keeps_a_glob_with_literals_escaped(void **state)
{
	(void)state;
	check("a*b", 0, OP_WILDCARD, "a*b");
	check("*a*b*", 0, OP_WILDCARD, "*a*b*");
	check("a?b", 0, OP_WILDCARD, "a?b");
	check("?ab", 0, OP_WILDCARD, "?ab");
	check("a\\*b*c", 0, OP_WILDCARD, "a\\*b*c");
	check("C:\\\\x\\?*y", 0, OP_WILDCARD, "C:\\\\x\\?*y");
}

static void test_canon_literal_specials_stay_plain_outside_globs(void **state)
{
	(void)state;
	check("a\\*b", 0, OP_EQ, "a*b");
	check("*\\?*", 0, OP_CONTAINS, "?");
}

static void test_canon_only_stars_means_the_field_exists(void **state)
{
	(void)state;
	check("*", 0, OP_EXISTS, NULL);
	check("***", 1, OP_EXISTS, NULL);
}

static void test_canon_ci_lowercases_every_letter(void **state)
{
	(void)state;
	check("*C:\\\\Windows\\\\\xC3\x84X*", 1, OP_CONTAINS, "c:\\windows\\\xC3\xA4x");
	check("\xD0\xA1\xD0\x98\xD0\xA1", 1, OP_EQ, "\xD1\x81\xD0\xB8\xD1\x81");	/* СИС */
	check("ABC", 0, OP_EQ, "ABC");
}

static void rewrite(const char *field, const char *op, const char *value, int want,
		    const char *want_field, const char *want_op, const char *want_value)
{
	struct canon_value v;
	const char *f = field;

	canon_value_init(&v);
	v.op = op;
	strbuf_addstr(&v.value, value);
	assert_int_equal(canon_path_suffix(&f, &v), want);
	assert_string_equal(f, want_field);
	assert_string_equal(v.op, want_op);
	assert_string_equal(v.value.buf, want_value);
	canon_value_release(&v);
}

static void test_canon_path_suffix_that_is_a_file_name_moves_to_the_name_field(void **state)
{
	(void)state;
	rewrite("process.executable", OP_ENDS_WITH, "\\cmd.exe", 1, "process.name", OP_EQ, "cmd.exe");
	rewrite("process.parent.executable", OP_ENDS_WITH, "/bash", 1, "process.parent.name", OP_EQ,
		"bash");
	rewrite("file.path", OP_ENDS_WITH, "\\a.lnk", 1, "file.name", OP_EQ, "a.lnk");
	rewrite("dll.path", OP_ENDS_WITH, "/libc.so.6", 1, "dll.name", OP_EQ, "libc.so.6");
}

static void test_canon_path_suffix_stays_when_it_is_not_a_whole_name(void **state)
{
	(void)state;
	/* a folder in the suffix, no separator, a bare separator, another operator */
	rewrite("process.executable", OP_ENDS_WITH, "\\temp\\x.exe", 0, "process.executable",
		OP_ENDS_WITH, "\\temp\\x.exe");
	rewrite("process.executable", OP_ENDS_WITH, "cmd.exe", 0, "process.executable",
		OP_ENDS_WITH, "cmd.exe");
	rewrite("process.executable", OP_ENDS_WITH, "\\", 0, "process.executable", OP_ENDS_WITH,
		"\\");
	rewrite("process.executable", OP_CONTAINS, "\\cmd.exe", 0, "process.executable",
		OP_CONTAINS, "\\cmd.exe");
	/* a field without a name field */
	rewrite("registry.path", OP_ENDS_WITH, "\\Run", 0, "registry.path", OP_ENDS_WITH, "\\Run");
}

static void test_canon_name_field_pairs_follow_the_spec(void **state)
{
	(void)state;
	assert_string_equal(canon_name_field("process.executable"), "process.name");
	assert_string_equal(canon_name_field("process.parent.executable"), "process.parent.name");
	assert_string_equal(canon_name_field("file.path"), "file.name");
	assert_string_equal(canon_name_field("dll.path"), "dll.name");
	assert_null(canon_name_field("process.name"));
}

static void split(const char *op, const char *value, const char *want_field, const char *want_op,
		  const char *want_value)
{
	static const char yaml[] =
		"default:\n  Hashes:\n    field: process.hash\n"
		"    split: {SHA256: process.hash.sha256, IMPHASH: process.pe.imphash}\n";
	char err[128];
	struct fieldmap *m = fieldmap_load_text("t", yaml, strlen(yaml), err, sizeof(err));
	struct fieldmap_view view;
	struct canon_value v;
	const char *f = "process.hash";

	assert_non_null(m);
	fieldmap_view_init(&view, m, 0, NULL, NULL);
	canon_value_init(&v);
	v.op = op;
	strbuf_addstr(&v.value, value);
	canon_split_value(fieldmap_lookup(&view, "Hashes"), &f, &v);
	assert_string_equal(f, want_field);
	assert_string_equal(v.op, want_op);
	assert_string_equal(v.value.buf, want_value);
	canon_value_release(&v);
	fieldmap_free(m);
}

static void test_canon_hash_lists_split_by_algorithm(void **state)
{
	const char *full = "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

	(void)state;
	split(OP_CONTAINS, full, "process.hash.sha256", OP_EQ, full + 7);
	split(OP_CONTAINS, "imphash=0123", "process.pe.imphash", OP_STARTS_WITH, "0123");
	split(OP_EQ, "IMPHASH=ab", "process.pe.imphash", OP_EQ, "ab");
	split(OP_ENDS_WITH, "IMPHASH=ab", "process.pe.imphash", OP_EQ, "ab");
	/* not a known key, or a glob: unchanged */
	split(OP_CONTAINS, "md5=ab", "process.hash", OP_CONTAINS, "md5=ab");
	split(OP_WILDCARD, "sha256=a*b", "process.hash", OP_WILDCARD, "sha256=a*b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon_value_without_wildcards_is_eq),
		cmocka_unit_test(test_canon_wildcards_only_at_the_ends_choose_the_operator),
		cmocka_unit_test(test_canon_inner_wildcard_keeps_a_glob_with_literals_escaped),
		cmocka_unit_test(test_canon_literal_specials_stay_plain_outside_globs),
		cmocka_unit_test(test_canon_only_stars_means_the_field_exists),
		cmocka_unit_test(test_canon_ci_lowercases_every_letter),
		cmocka_unit_test(test_canon_path_suffix_that_is_a_file_name_moves_to_the_name_field),
		cmocka_unit_test(test_canon_path_suffix_stays_when_it_is_not_a_whole_name),
		cmocka_unit_test(test_canon_name_field_pairs_follow_the_spec),
		cmocka_unit_test(test_canon_hash_lists_split_by_algorithm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
