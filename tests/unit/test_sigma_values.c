/*
 * Unit tests for Sigma detection values: every modifier, the escape rules,
 * null/empty/numbers, keyword searches, and how values land on canonical fields.
 * Expected predicates are written by hand.
 */
#include "sigma_test.h"

static void check(const char *detection, const char *expected)
{
	json_t *r = parse_one(detection);

	if (strcmp(status_of(r), "ok") != 0)
		fail_msg("status %s: %s", status_of(r), first_error(r));
	assert_preds(r, expected);
	json_decref(r);
}

static void check_error(const char *detection, const char *status, const char *msg_part)
{
	json_t *r = parse_one(detection);

	assert_string_equal(status_of(r), status);
	if (!strstr(first_error(r), msg_part))
		fail_msg("error '%s' does not mention '%s'", first_error(r), msg_part);
	json_decref(r);
}

static void test_sigma_plain_value_is_case_insensitive_eq(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine: 'Whoami /All'\n    condition: sel\n"),
	      "process.command_line eq \"whoami /all\" ci\n");
}

static void test_sigma_contains_startswith_endswith_set_the_operator(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine|contains: 'Foo'\n"
		   "        User|startswith: 'NT AUTHORITY'\n"
		   "        TargetFilename|endswith: '.Ps1'\n"
		   "    condition: sel\n"),
	      "process.command_line contains \"foo\" ci\n"
	      "user.name starts_with \"nt authority\" ci\n"
	      "file.path ends_with \".ps1\" ci\n");
}

static void test_sigma_executable_suffix_becomes_name_eq(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        Image|endswith: '\\cmd.exe'\n"
		   "        ParentImage|endswith: '/bash'\n"
		   "        TargetFilename|endswith: '\\evil.dll'\n"
		   "    sel2:\n"
		   "        Image|endswith: '\\Temp\\x.exe'\n"
		   "        ImageLoaded|endswith: '\\amsi.dll'\n"
		   "    condition: sel or sel2\n"),
	      "process.name eq \"cmd.exe\" ci\n"
	      "process.parent.name eq \"bash\" ci\n"
	      "file.name eq \"evil.dll\" ci\n"
	      "process.executable ends_with \"\\\\temp\\\\x.exe\" ci\n"
	      "dll.name eq \"amsi.dll\" ci\n");
}

static void test_sigma_list_is_one_predicate_per_value_and_all_keeps_each(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        Image|endswith:\n"
		   "            - '\\a.exe'\n"
		   "            - '\\b.exe'\n"
		   "        CommandLine|contains|all:\n"
		   "            - ' -x'\n"
		   "            - ' -y'\n"
		   "    condition: sel\n"),
	      "process.name eq \"a.exe\" ci\n"
	      "process.name eq \"b.exe\" ci\n"
	      "process.command_line contains \" -x\" ci\n"
	      "process.command_line contains \" -y\" ci\n");
}

static void test_sigma_backslash_escapes_only_star_question_and_backslash(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine:\n"
		   "            - 'C:\\Windows\\'\n"
		   "            - '\\*literal'\n"
		   "            - 'what\\?'\n"
		   "            - 'share\\\\*'\n"
		   "            - 'a\\nb'\n"
		   "    condition: sel\n"),
	      "process.command_line eq \"c:\\\\windows\\\\\" ci\n"
	      "process.command_line eq \"*literal\" ci\n"
	      "process.command_line eq \"what?\" ci\n"
	      "process.command_line starts_with \"share\\\\\" ci\n"
	      "process.command_line eq \"a\\\\nb\" ci\n");
}

static void test_sigma_inner_wildcards_make_a_glob_with_literals_escaped(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine:\n"
		   "            - 'cmd?.exe'\n"
		   "            - 'a*b\\*c'\n"
		   "            - '*\\\\x*y'\n"
		   "    condition: sel\n"),
	      "process.command_line wildcard \"cmd?.exe\" ci\n"
	      "process.command_line wildcard \"a*b\\\\*c\" ci\n"
	      "process.command_line wildcard \"*\\\\\\\\x*y\" ci\n");
}

static void test_sigma_null_is_a_negated_exists_and_flips_under_not(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine: null\n"
		   "    filter:\n        ParentImage: null\n"
		   "    condition: sel and not filter\n"),
	      "process.command_line exists - not\n"
	      "process.parent.executable exists -\n");
}

static void test_sigma_empty_string_number_and_boolean_values(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine: ''\n"
		   "        EventID: 4688\n"
		   "        Enabled: true\n"
		   "    condition: sel\n"),
	      "process.command_line eq \"\" ci\n"
	      "event.code eq \"4688\"\n"
	      "Enabled eq \"true\"\n");
}

static void test_sigma_unmapped_field_keeps_raw_name_and_is_flagged(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        Foo: bar\n    condition: sel\n"));
	json_t *p = json_array_get(json_object_get(r, "predicates"), 0);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(p, "field")), "Foo");
	assert_true(json_is_true(json_object_get(p, "unmapped")));
	json_decref(r);
}

static void test_sigma_service_scope_and_unlisted_prefix_name_fields(void **state)
{
	json_t *r = parse_one("title: t\nid: 1\nlogsource:\n    product: windows\n"
			      "    service: security\n"
			      "detection:\n    sel:\n        SubjectUserName: bob\n"
			      "        ObjectName: x\n        CommandLine: y\n"
			      "    condition: sel\n");

	(void)state;
	assert_preds(r, "user.name eq \"bob\" ci\n"
		     "winlog.event_data.ObjectName eq \"x\" ci\n"
		     "process.command_line eq \"y\" ci\n");
	json_decref(r);
}

static void test_sigma_keywords_are_contains_on_the_keywords_field(void **state)
{
	(void)state;
	check(RULE("    keywords:\n"
		   "        - 'Mimikatz'\n"
		   "        - 'sekurlsa::*'\n"
		   "        - 42\n"
		   "    condition: keywords\n"),
	      "keywords contains \"mimikatz\" ci\n"
	      "keywords contains \"sekurlsa::\" ci\n"
	      "keywords contains \"42\" ci\n");
}

static void test_sigma_pipe_all_key_is_a_keyword_and(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        '|all':\n            - 'a'\n            - 'B'\n"
				   "    condition: sel\n"));
	json_t *p = json_array_get(json_object_get(r, "predicates"), 0);

	(void)state;
	assert_preds(r, "keywords contains \"a\" ci\nkeywords contains \"b\" ci\n");
	assert_true(json_is_null(json_object_get(p, "raw_field")));
	json_decref(r);
}

static void test_sigma_windash_expands_every_dash_form(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine|contains|windash: '-enc'\n    condition: sel\n"),
	      "process.command_line contains \"-enc\" ci\n"
	      "process.command_line contains \"/enc\" ci\n"
	      "process.command_line contains \"\xE2\x80\x93" "enc\" ci\n"
	      "process.command_line contains \"\xE2\x80\x94" "enc\" ci\n"
	      "process.command_line contains \"\xE2\x80\x95" "enc\" ci\n");
}

static void test_sigma_windash_only_touches_dashes_that_start_a_word(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        CommandLine|windash:\n"
				   "            - ' -a /b'\n            - 'x-y'\n"
				   "    condition: sel\n"));

	(void)state;
	/* two word-initial dashes: 5 x 5 forms; "x-y" has none */
	assert_int_equal(json_array_size(json_object_get(r, "predicates")), 26);
	json_decref(r);
}

/* base64 output is compared ignoring case like every Sigma value without |cased */
static void test_sigma_base64_encodes_then_compares_ignoring_case(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine|base64: 'cmd'\n"
		   "        User|base64|contains: 'cmd'\n"
		   "    condition: sel\n"),
	      "process.command_line eq \"y21k\" ci\n"
	      "user.name contains \"y21k\" ci\n");
}

static void test_sigma_base64offset_gives_three_shifted_encodings(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine|base64offset|contains: 'http'\n    condition: sel\n"),
	      "process.command_line contains \"ahr0c\" ci\n"
	      "process.command_line contains \"h0dh\" ci\n"
	      "process.command_line contains \"odhrw\" ci\n");
}

static void test_sigma_wide_then_base64offset_encodes_utf16le_bytes(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine|wide|base64offset|contains: 'ping'\n"
		   "    condition: sel\n"),
	      "process.command_line contains \"cabpag4azw\" ci\n"
	      "process.command_line contains \"aaaqbuagca\" ci\n"
	      "process.command_line contains \"wagkabgbna\" ci\n");
}

static void test_sigma_utf16_variants_encode_each_character(void **state)
{
	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine|wide|contains: 'aB'\n"
		   "        User|utf16be: 'ab'\n"
		   "        Image|utf16|base64: 'ab'\n"
		   "    condition: sel\n"),
	      "process.command_line contains \"a\\u0000b\\u0000\" ci\n"
	      "user.name eq \"\\u0000a\\u0000b\" ci\n"
	      "process.executable eq \"//5hagia\" ci\n");
}

static void test_sigma_re_keeps_the_expression_and_its_flags(void **state)
{
	json_t *r;

	(void)state;
	check(RULE("    sel:\n"
		   "        CommandLine|re: '\\d+\\.exe'\n"
		   "        User|re|i: '^ADMIN'\n"
		   "        Image|re|m|s: 'a.b'\n"
		   "    condition: sel\n"),
	      "process.command_line regex_match \"\\\\d+\\\\.exe\"\n"
	      "user.name regex_match \"^ADMIN\" ci\n"
	      "process.executable regex_match \"a.b\"\n");
	r = parse_one(RULE("    sel:\n        Image|re|m|s: 'a.b'\n    condition: sel\n"));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(r, "predicates"), 0), "regex_flags")), "ms");
	json_decref(r);
}

static void test_sigma_cidr_is_validated_and_lowercased(void **state)
{
	(void)state;
	check(RULE("    sel:\n        DestinationIp|cidr:\n            - '10.0.0.0/8'\n"
		   "            - 'FE80::/10'\n    condition: sel\n"),
	      "destination.ip cidr \"10.0.0.0/8\"\n"
	      "destination.ip cidr \"fe80::/10\"\n");
	check_error(RULE("    sel:\n        DestinationIp|cidr: '10.0.0.0/33'\n    condition: sel\n"),
		    "partial", "not an IP network");
}

static void test_sigma_fieldref_names_the_canonical_field(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        CommandLine|fieldref: Image\n"
				   "        User|fieldref|contains: ParentImage\n    condition: sel\n"));

	(void)state;
	assert_preds(r, "process.command_line eq \"process.executable\"\n"
		     "user.name contains \"process.parent.executable\"\n");
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(r, "predicates"), 0),
						 "fieldref")));
	json_decref(r);
}

static void test_sigma_exists_true_and_false(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine|exists: true\n        User|exists: false\n"
		   "    condition: sel\n"),
	      "process.command_line exists -\n"
	      "user.name exists - not\n");
}

static void test_sigma_comparisons_keep_numbers(void **state)
{
	(void)state;
	check(RULE("    sel:\n        Count|gte: 5\n        Size|lt: 1.5\n        Len|gt: '7'\n"
		   "        Low|lte: -2\n    condition: sel\n"),
	      "Count gte 5\nSize lt 1.5\nLen gt 7\nLow lte -2\n");
}

static void test_sigma_expand_keeps_the_placeholder(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        CommandLine|expand: '%Admins%'\n"
				   "    condition: sel\n"));

	(void)state;
	assert_preds(r, "process.command_line eq \"%admins%\" ci\n");
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(r, "predicates"), 0),
						 "placeholder")));
	json_decref(r);
}

static void test_sigma_cased_turns_case_insensitivity_off(void **state)
{
	(void)state;
	check(RULE("    sel:\n        CommandLine|cased|contains: 'FooBar'\n    condition: sel\n"),
	      "process.command_line contains \"FooBar\"\n");
}

static void test_sigma_time_modifiers_compare_a_part_of_the_timestamp(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        Timestamp|hour: 3\n    condition: sel\n"));
	json_t *p = json_array_get(json_object_get(r, "predicates"), 0);

	(void)state;
	assert_preds(r, "Timestamp eq 3\n");
	assert_string_equal(json_string_value(json_object_get(p, "time_part")), "hour");
	json_decref(r);
}

static void test_sigma_neq_negates_the_item(void **state)
{
	(void)state;
	check(RULE("    sel:\n        User|neq: 'SYSTEM'\n    filter:\n        Image|neq: x\n"
		   "    condition: sel and not filter\n"),
	      "user.name eq \"system\" ci not\n"
	      "process.executable eq \"x\" ci\n");
}

static void test_sigma_hash_lists_split_into_digest_fields(void **state)
{
	json_t *r;

	(void)state;
	check(RULE("    sel:\n        Hashes|contains:\n"
		   "            - 'SHA256=8A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F809'\n"
		   "            - 'IMPHASH=12AB'\n"
		   "            - 'MD5=0'\n"
		   "    condition: sel\n"),
	      "process.hash.sha256 eq "
	      "\"8a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809\" ci\n"
	      "process.pe.imphash starts_with \"12ab\" ci\n"
	      "process.hash contains \"md5=0\" ci\n");
	r = parse_one("title: t\nid: 1\nlogsource:\n    category: image_load\n"
		      "detection:\n    sel:\n        Hashes: 'SHA256=AB'\n    condition: sel\n");
	assert_preds(r, "dll.hash.sha256 eq \"ab\" ci\n");
	json_decref(r);
}

static void test_sigma_unknown_modifier_is_an_error_on_that_rule(void **state)
{
	json_t *r = parse_one(RULE("    sel:\n        CommandLine|contains|foo: x\n"
				   "        Image: y\n    condition: sel\n"));

	(void)state;
	assert_string_equal(status_of(r), "partial");
	assert_non_null(strstr(first_error(r), "unknown modifier 'foo'"));
	/* the rest of the rule still counts */
	assert_preds(r, "process.executable eq \"y\" ci\n");
	json_decref(r);
}

static void test_sigma_modifiers_that_cannot_apply_are_errors(void **state)
{
	(void)state;
	check_error(RULE("    sel:\n        CommandLine|base64: 'a*'\n    condition: sel\n"),
		    "partial", "wildcards");
	check_error(RULE("    sel:\n        CommandLine|contains|re: 'a'\n    condition: sel\n"),
		    "partial", "'re' must come before");
	check_error(RULE("    sel:\n        CommandLine|i: 'a'\n    condition: sel\n"),
		    "partial", "needs 're'");
	check_error(RULE("    sel:\n        CommandLine|re: 'a(b'\n    condition: sel\n"),
		    "partial", "invalid regular expression at offset 3");
	check_error(RULE("    sel:\n        CommandLine|gt: 'abc'\n    condition: sel\n"),
		    "partial", "does not apply");
	check_error(RULE("    sel:\n        '|exists': true\n    condition: sel\n"),
		    "partial", "needs a field");
	check_error(RULE("    sel:\n        CommandLine|wide: 'caf\xC3\xA9'\n    condition: sel\n"),
		    "partial", "ASCII");
	check_error(RULE("    sel:\n        CommandLine:\n            - {a: b}\n    condition: sel\n"),
		    "partial", "not a scalar");
}

static void test_sigma_predicates_record_selection_modifiers_and_raw_value(void **state)
{
	json_t *r = parse_one(RULE("    selection_img:\n        Image|endswith: '\\CMD.exe'\n"
				   "    condition: selection_img\n"));
	json_t *p = json_array_get(json_object_get(r, "predicates"), 0);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(p, "selection")), "selection_img");
	assert_string_equal(json_string_value(json_object_get(p, "raw_field")), "Image");
	assert_string_equal(json_string_value(json_object_get(p, "raw_value")), "\\CMD.exe");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "modifiers"), 0)),
			    "endswith");
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigma_plain_value_is_case_insensitive_eq),
		cmocka_unit_test(test_sigma_contains_startswith_endswith_set_the_operator),
		cmocka_unit_test(test_sigma_executable_suffix_becomes_name_eq),
		cmocka_unit_test(test_sigma_list_is_one_predicate_per_value_and_all_keeps_each),
		cmocka_unit_test(test_sigma_backslash_escapes_only_star_question_and_backslash),
		cmocka_unit_test(test_sigma_inner_wildcards_make_a_glob_with_literals_escaped),
		cmocka_unit_test(test_sigma_null_is_a_negated_exists_and_flips_under_not),
		cmocka_unit_test(test_sigma_empty_string_number_and_boolean_values),
		cmocka_unit_test(test_sigma_unmapped_field_keeps_raw_name_and_is_flagged),
		cmocka_unit_test(test_sigma_service_scope_and_unlisted_prefix_name_fields),
		cmocka_unit_test(test_sigma_keywords_are_contains_on_the_keywords_field),
		cmocka_unit_test(test_sigma_pipe_all_key_is_a_keyword_and),
		cmocka_unit_test(test_sigma_windash_expands_every_dash_form),
		cmocka_unit_test(test_sigma_windash_only_touches_dashes_that_start_a_word),
		cmocka_unit_test(test_sigma_base64_encodes_then_compares_ignoring_case),
		cmocka_unit_test(test_sigma_base64offset_gives_three_shifted_encodings),
		cmocka_unit_test(test_sigma_wide_then_base64offset_encodes_utf16le_bytes),
		cmocka_unit_test(test_sigma_utf16_variants_encode_each_character),
		cmocka_unit_test(test_sigma_re_keeps_the_expression_and_its_flags),
		cmocka_unit_test(test_sigma_cidr_is_validated_and_lowercased),
		cmocka_unit_test(test_sigma_fieldref_names_the_canonical_field),
		cmocka_unit_test(test_sigma_exists_true_and_false),
		cmocka_unit_test(test_sigma_comparisons_keep_numbers),
		cmocka_unit_test(test_sigma_expand_keeps_the_placeholder),
		cmocka_unit_test(test_sigma_cased_turns_case_insensitivity_off),
		cmocka_unit_test(test_sigma_time_modifiers_compare_a_part_of_the_timestamp),
		cmocka_unit_test(test_sigma_neq_negates_the_item),
		cmocka_unit_test(test_sigma_hash_lists_split_into_digest_fields),
		cmocka_unit_test(test_sigma_unknown_modifier_is_an_error_on_that_rule),
		cmocka_unit_test(test_sigma_modifiers_that_cannot_apply_are_errors),
		cmocka_unit_test(test_sigma_predicates_record_selection_modifiers_and_raw_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
