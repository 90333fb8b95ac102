/*
 * Unit tests for the front-end contract: the and/or/not tree (rule/expr.c)
 * with its one NOT push-down, and the predicate builder (rule/predicate.c):
 * field maps per scope, computed columns, canonical values, the cap, context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/util.h"
#include "rule/expr.h"
#include "rule/fieldmap.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "record_test.h"

/* ---- the tree ---- */

struct seen {
	char text[256];
};

static int note_leaf(void *ctx, size_t payload, int negated, enum expr_kind joined)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s%s%zu%s", n ? " " : "", negated ? "!" : "",
		 payload, joined == EXPR_OR ? "|" : "&");
	return 0;
}

static const char *walk(const struct expr *e, size_t root, struct seen *s)
{
	s->text[0] = '\0';
	expr_walk(e, root, note_leaf, s);
	return s->text;
}

static void test_expr_not_pushes_down_to_every_leaf_by_de_morgan(void **state)
{
	struct expr e;
	struct seen s;
	size_t a, b, c, root;

	(void)state;
	expr_init(&e);
	a = expr_leaf(&e, 1);
	b = expr_leaf(&e, 2);
	c = expr_leaf(&e, 3);
	/* not (1 or (not 2 and 3)) = !1 and (2 or !3) */
	root = expr_not(&e, expr_or(&e, a, expr_and(&e, expr_not(&e, b), c)));
	assert_string_equal(walk(&e, root, &s), "!1& 2| !3|");
	/* a double negation is no negation */
	assert_string_equal(walk(&e, expr_not(&e, expr_not(&e, a)), &s), "1&");
	expr_release(&e);
}

static void test_expr_chains_flatten_and_keep_their_order(void **state)
{
	struct expr e;
	struct seen s;
	size_t x, i, left;

	(void)state;
	expr_init(&e);
	x = expr_leaf(&e, 0);
	for (i = 1; i < 5; i++)
		x = expr_and(&e, x, expr_leaf(&e, i));
	left = x;
	assert_string_equal(walk(&e, x, &s), "0& 1& 2& 3& 4&");
	/* a node built earlier is not changed by a later one that extends it */
	x = expr_and(&e, x, expr_leaf(&e, 5));
	assert_string_equal(walk(&e, left, &s), "0& 1& 2& 3& 4&");
	assert_string_equal(walk(&e, x, &s), "0& 1& 2& 3& 4& 5&");
	assert_int_equal(expr_count_leaves(&e, x), 6);
	expr_release(&e);
}

static void test_expr_none_is_left_out_of_and_or_and_not(void **state)
{
	struct expr e;
	struct seen s;
	size_t a, kids[3];

	(void)state;
	expr_init(&e);
	a = expr_leaf(&e, 7);
	assert_int_equal(expr_and(&e, EXPR_NONE, a), a);
	assert_int_equal(expr_or(&e, a, EXPR_NONE), a);
	assert_int_equal(expr_not(&e, EXPR_NONE), EXPR_NONE);
	kids[0] = EXPR_NONE;
	kids[1] = a;
	kids[2] = EXPR_NONE;
	assert_int_equal(expr_join(&e, EXPR_OR, kids, 3), a);
	assert_string_equal(walk(&e, EXPR_NONE, &s), "");
	expr_release(&e);
}

static void test_expr_walks_a_deep_tree_without_recursion(void **state)
{
	struct expr e;
	struct seen s;
	size_t x, i;

	(void)state;
	expr_init(&e);
	x = expr_leaf(&e, 9);
	for (i = 0; i < 200001; i++)
		x = expr_not(&e, i % 2 ? expr_or(&e, x, EXPR_NONE) : x);
	assert_string_equal(walk(&e, x, &s), "!9&");
	expr_release(&e);
}

/* ---- the builder ---- */

static const char map_text[] =
	"vendor: test\n"
	"default:\n"
	"  CommandLine: process.command_line\n"
	"  Image: process.executable\n"
	"  Hashes:\n"
	"    field: process.hash\n"
	"    split: {SHA256: process.hash.sha256, MD5: process.hash.md5}\n"
	"scopes:\n"
	"  - match: {tables: DeviceProcessEvents}\n"
	"    fields: {FolderPath: process.executable, FileName: process.name}\n"
	"  - match: {tables: DeviceFileEvents}\n"
	"    fields: {FolderPath: file.path, FileName: file.name}\n"
	"text_fields: [process.command_line]\n";

struct fixture {
	struct fieldmap *map;
	struct rule *rule;
	struct pred_builder *pb;
	struct pattern pat;
	json_t *rec;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char err[256];

	f->map = fieldmap_load_text("test.yaml", map_text, strlen(map_text), err, sizeof(err));
	if (!f->map)
		fail_msg("%s", err);
	f->rule = rule_new("test", "src", "x");
	f->pb = pb_new(f->rule, f->map, 0, NULL, NULL);
	pattern_init(&f->pat);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pb_free(f->pb);
	rule_free(f->rule);
	fieldmap_free(f->map);
	pattern_release(&f->pat);
	json_decref(f->rec);
	free(f);
	return 0;
}

/* The predicates so far, as JSON. */
static const json_t *preds(struct fixture *f)
{
	json_decref(f->rec);
	f->rec = rule_to_json(f->rule);
	return json_object_get(f->rec, "predicates");
}

/* A pattern from a compact spelling: '*' and '?' are wildcards, '\x' is literal x. */
static const struct pattern *spell(struct fixture *f, const char *s)
{
	pattern_reset(&f->pat);
	for (; *s; s++) {
		if (*s == '\\' && s[1])
			pattern_add_lit(&f->pat, ++s, 1);
		else if (*s == '*' || *s == '?')
			pattern_add_wild(&f->pat, *s == '*' ? PAT_STAR : PAT_ONE);
		else
			pattern_add_lit(&f->pat, s, 1);
	}
	return &f->pat;
}

static struct pred_spec pattern_spec(struct fixture *f, const char *field, enum pred_op op,
				     const char *spelled, int ci)
{
	struct pred_spec s;

	pred_spec_init(&s);
	s.field = field;
	s.op = op;
	s.kind = PV_PATTERN;
	s.pat = spell(f, spelled);
	s.ci = ci;
	return s;
}

static void test_pb_maps_fields_and_marks_the_unmapped(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "CommandLine", PRED_EQ, "*Invoke-Mimikatz*", 1);

	assert_int_equal(pb_add(f->pb, &s), 0);
	s = pattern_spec(f, "Weird", PRED_EQ, "x", 0);
	assert_int_equal(pb_add(f->pb, &s), 0);
	assert_json(preds(f),
		    "[{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\","
		    "\"op\":\"contains\",\"value\":\"invoke-mimikatz\",\"ci\":true,"
		    "\"negated\":false,\"exclusion\":false},"
		    "{\"field\":\"Weird\",\"raw_field\":\"Weird\",\"op\":\"eq\",\"value\":\"x\","
		    "\"ci\":false,\"negated\":false,\"exclusion\":false,\"unmapped\":true}]");
	assert_int_equal(pb_unmapped(f->pb), 1);
}

static void test_pb_operators_add_their_wildcards_and_path_suffixes_become_names(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "Image", PRED_ENDS_WITH, "\\\\cmd.exe", 1);

	pb_add(f->pb, &s);
	s = pattern_spec(f, "Image", PRED_STARTS_WITH, "C:\\\\Windows\\\\", 1);
	pb_add(f->pb, &s);
	/* a literal '*' stays literal under contains */
	s = pattern_spec(f, "CommandLine", PRED_CONTAINS, "a\\*b", 0);
	pb_add(f->pb, &s);
	s = pattern_spec(f, "CommandLine", PRED_EQ, "*", 1);
	pb_add(f->pb, &s);
	assert_json(preds(f),
		    "[{\"field\":\"process.name\",\"raw_field\":\"Image\",\"op\":\"eq\","
		    "\"value\":\"cmd.exe\",\"ci\":true,\"negated\":false,\"exclusion\":false},"
		    "{\"field\":\"process.executable\",\"raw_field\":\"Image\",\"op\":\"starts_with\","
		    "\"value\":\"c:\\\\windows\\\\\",\"ci\":true,\"negated\":false,\"exclusion\":false},"
		    "{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\",\"op\":\"contains\","
		    "\"value\":\"a*b\",\"ci\":false,\"negated\":false,\"exclusion\":false},"
		    "{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\",\"op\":\"exists\","
		    "\"ci\":false,\"negated\":false,\"exclusion\":false}]");
}

static void test_pb_hash_lists_split_into_digest_fields(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "Hashes", PRED_CONTAINS,
					  "MD5=0123456789ABCDEF0123456789ABCDEF", 1);

	pb_add(f->pb, &s);
	assert_json(json_array_get(preds(f), 0),
		    "{\"field\":\"process.hash.md5\",\"raw_field\":\"Hashes\",\"op\":\"eq\","
		    "\"value\":\"0123456789abcdef0123456789abcdef\",\"ci\":true,\"negated\":false,"
		    "\"exclusion\":false}");
}

static void test_pb_scopes_map_each_branch_with_its_own_table(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "tables" };
	static const char *const proc[] = { "DeviceProcessEvents" };
	static const char *const file[] = { "DeviceFileEvents" };
	struct pred_spec s;
	size_t a, b;

	pb_scope_push(f->pb, 1, keys, proc, 0);
	s = pattern_spec(f, "FolderPath", PRED_CONTAINS, "\\Temp\\", 1);
	a = pb_leaf(f->pb, &s);
	pb_scope_pop(f->pb);
	pb_scope_push(f->pb, 1, keys, file, 0);
	s = pattern_spec(f, "FolderPath", PRED_CONTAINS, "\\Temp\\", 1);
	b = pb_leaf(f->pb, &s);
	pb_scope_pop(f->pb);
	/* emitted after both scopes closed: each leaf keeps its own */
	pb_emit(f->pb, pb_or(f->pb, a, b));
	assert_string_equal(str(json_array_get(preds(f), 0), "field"), "process.executable");
	assert_string_equal(str(json_array_get(preds(f), 1), "field"), "file.path");
}

static void test_pb_computed_columns_are_kept_apart_and_never_mapped(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "tables" };
	static const char *const proc[] = { "DeviceProcessEvents" };
	struct pred_spec s;

	pb_computed(f->pb, "CommandLine", strlen("CommandLine"));
	s = pattern_spec(f, "CommandLine", PRED_EQ, "x", 0);
	pb_add(f->pb, &s);
	/* seen from an inner scope, not from a fresh one */
	pb_scope_push(f->pb, 1, keys, proc, 0);
	assert_true(pb_is_computed(f->pb, "CommandLine", strlen("CommandLine")));
	pb_scope_pop(f->pb);
	pb_scope_push(f->pb, 1, keys, proc, PB_SCOPE_FRESH);
	assert_false(pb_is_computed(f->pb, "CommandLine", strlen("CommandLine")));
	pb_add(f->pb, &s);
	pb_scope_pop(f->pb);
	assert_json(preds(f),
		    "[{\"field\":\"CommandLine\",\"raw_field\":\"CommandLine\",\"op\":\"eq\","
		    "\"value\":\"x\",\"ci\":false,\"negated\":false,\"exclusion\":false,"
		    "\"computed\":true},"
		    "{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\",\"op\":\"eq\","
		    "\"value\":\"x\",\"ci\":false,\"negated\":false,\"exclusion\":false}]");
	assert_int_equal(pb_unmapped(f->pb), 0);
}

static void test_pb_tree_leaves_get_their_polarity_and_exclusion(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "Image", PRED_ENDS_WITH, "\\powershell.exe", 1);
	size_t sel, filter, root;

	sel = pb_leaf(f->pb, &s);
	s = pattern_spec(f, "CommandLine", PRED_CONTAINS, "-enc", 1);
	s.negated = 1;		/* a != written by the rule: negated before any not */
	filter = pb_leaf(f->pb, &s);
	root = pb_and(f->pb, sel, pb_not(f->pb, filter));
	pb_emit(f->pb, pb_not(f->pb, root));
	/* not (sel and not (!= x)) = not sel or (!= x) */
	assert_true(json_is_true(json_object_get(json_array_get(preds(f), 0), "negated")));
	assert_true(json_is_true(json_object_get(json_array_get(preds(f), 0), "exclusion")));
	assert_true(json_is_true(json_object_get(json_array_get(preds(f), 1), "negated")));
}

static void test_pb_text_numbers_regexes_fields_and_keywords(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s;

	pred_spec_init(&s);
	s.field = "CommandLine";
	s.op = PRED_REGEX;
	s.kind = PV_TEXT;
	s.text = "A.*B";
	s.len = 4;
	s.ci = 1;		/* a regular expression keeps its case */
	pb_add(f->pb, &s);
	pred_spec_init(&s);
	s.field = "EventID";
	s.op = PRED_GTE;
	s.kind = PV_NUMBER;
	s.is_int = 1;
	s.integer = 4688;
	pb_add(f->pb, &s);
	pred_spec_init(&s);
	s.field = "Image";
	s.kind = PV_FIELD;
	s.text = "CommandLine";
	s.len = strlen(s.text);
	pb_add(f->pb, &s);
	s = pattern_spec(f, NULL, PRED_CONTAINS, "Mimikatz", 1);
	pb_add(f->pb, &s);
	assert_json(preds(f),
		    "[{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\","
		    "\"op\":\"regex_match\",\"value\":\"A.*B\",\"ci\":true,\"negated\":false,"
		    "\"exclusion\":false},"
		    "{\"field\":\"EventID\",\"raw_field\":\"EventID\",\"op\":\"gte\",\"value\":4688,"
		    "\"ci\":false,\"negated\":false,\"exclusion\":false,\"unmapped\":true},"
		    "{\"field\":\"process.executable\",\"raw_field\":\"Image\",\"op\":\"eq\","
		    "\"value\":\"process.command_line\",\"ci\":false,\"negated\":false,"
		    "\"exclusion\":false,\"fieldref\":true},"
		    "{\"field\":\"keywords\",\"raw_field\":null,\"op\":\"contains\","
		    "\"value\":\"mimikatz\",\"ci\":true,\"negated\":false,\"exclusion\":false}]");
}

static void test_pb_extras_follow_in_a_fixed_order(void **state)
{
	struct fixture *f = *state;
	struct pred_str mods[] = { { "contains", 8 }, { "all", 3 } };
	struct pred_extra x = { "step", PX_STR, "1", 1, 0 };
	struct pred_spec s = pattern_spec(f, "CommandLine", PRED_EQ, "*a*", 1);

	s.selection = "sel";
	s.modifiers = mods;
	s.nmodifiers = 2;
	s.raw_value = "a";
	s.raw_value_len = 1;
	s.extras = &x;
	s.nextras = 1;
	pb_leaf(f->pb, &s);	/* copied: the leaf outlives these buffers */
	pb_emit(f->pb, 0);
	assert_json(json_array_get(preds(f), 0),
		    "{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\","
		    "\"op\":\"contains\",\"value\":\"a\",\"ci\":true,\"negated\":false,"
		    "\"exclusion\":false,\"selection\":\"sel\",\"modifiers\":[\"contains\",\"all\"],"
		    "\"raw_value\":\"a\",\"step\":\"1\"}");
}

static void test_pb_caps_a_rule_and_says_so_once(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "CommandLine", PRED_EQ, "x", 0);
	size_t i;

	for (i = 0; i < PB_MAX_PREDICATES + 10; i++)
		pb_add(f->pb, &s);
	assert_int_equal(json_array_size(preds(f)), PB_MAX_PREDICATES);
	assert_string_equal(status_of(f->rec), "partial");
	assert_int_equal(json_array_size(json_object_get(json_object_get(f->rec, "parse"),
							 "errors")), 1);
}

static void test_pb_refuses_a_value_that_is_not_utf8(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "CommandLine", PRED_EQ, "\xff", 0);

	assert_int_equal(pb_add(f->pb, &s), -1);
	assert_int_equal(json_array_size(preds(f)), 0);
	assert_string_equal(first_error(f->rec), "value of 'CommandLine' is not valid UTF-8");
}

static void test_pb_context_lists_hold_each_value_once(void **state)
{
	struct fixture *f = *state;

	pb_context_add(f->pb, "tables", "DeviceProcessEvents", 19);
	pb_context_add(f->pb, "tables", "DeviceFileEvents", 16);
	pb_context_add(f->pb, "tables", "DeviceProcessEvents", 19);
	pb_context_set(f->pb, "category", "process", 7);
	json_decref(f->rec);
	f->rec = rule_to_json(f->rule);
	assert_json(json_object_get(f->rec, "context"),
		    "{\"tables\":[\"DeviceProcessEvents\",\"DeviceFileEvents\"],"
		    "\"category\":\"process\"}");
}

static void test_pb_text_fields_are_known_by_their_canonical_name(void **state)
{
	struct fixture *f = *state;

	assert_true(pb_is_text_field(f->pb, "CommandLine", 11));
	assert_false(pb_is_text_field(f->pb, "Image", 5));
	assert_false(pb_is_text_field(f->pb, "Unknown", 7));
}

static void test_pb_computed_names_are_not_seen_by_leaves_made_before_them(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "CommandLine", PRED_EQ, "before", 0);
	size_t before, after;

	/* WHERE CommandLine == "before" | EVAL CommandLine = ... | WHERE CommandLine == "after" */
	before = pb_leaf(f->pb, &s);
	assert_false(pb_is_computed(f->pb, "CommandLine", strlen("CommandLine")));
	pb_computed(f->pb, "CommandLine", strlen("CommandLine"));
	assert_true(pb_is_computed(f->pb, "CommandLine", strlen("CommandLine")));
	s = pattern_spec(f, "CommandLine", PRED_EQ, "after", 0);
	after = pb_leaf(f->pb, &s);
	pb_emit(f->pb, pb_and(f->pb, before, after));
	assert_json(preds(f),
		    "[{\"field\":\"process.command_line\",\"raw_field\":\"CommandLine\",\"op\":\"eq\","
		    "\"value\":\"before\",\"ci\":false,\"negated\":false,\"exclusion\":false},"
		    "{\"field\":\"CommandLine\",\"raw_field\":\"CommandLine\",\"op\":\"eq\","
		    "\"value\":\"after\",\"ci\":false,\"negated\":false,\"exclusion\":false,"
		    "\"computed\":true}]");
}

static void test_pb_capture_keeps_an_embedded_query_as_a_subtree(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s = pattern_spec(f, "Image", PRED_EQ, "a", 0);
	size_t outer, inner, root;

	outer = pb_leaf(f->pb, &s);
	pb_capture_begin(f->pb);
	/* what an embedded parser does: one tree emitted, one predicate added */
	s = pattern_spec(f, "CommandLine", PRED_EQ, "b", 0);
	pb_emit(f->pb, pb_not(f->pb, pb_leaf(f->pb, &s)));
	s = pattern_spec(f, "CommandLine", PRED_EQ, "c", 0);
	assert_int_equal(pb_add(f->pb, &s), 0);
	inner = pb_capture_end(f->pb);
	assert_int_equal(json_array_size(preds(f)), 0);
	/* Image == a and not (not b and c) = Image == a and (b or not c) */
	root = pb_and(f->pb, outer, pb_not(f->pb, inner));
	pb_emit(f->pb, root);
	assert_int_equal(json_array_size(preds(f)), 3);
	assert_string_equal(str(json_array_get(preds(f), 1), "value"), "b");
	assert_false(json_is_true(json_object_get(json_array_get(preds(f), 1), "negated")));
	assert_string_equal(str(json_array_get(preds(f), 2), "value"), "c");
	assert_true(json_is_true(json_object_get(json_array_get(preds(f), 2), "negated")));
	/* an empty capture is nothing */
	pb_capture_begin(f->pb);
	assert_int_equal(pb_capture_end(f->pb), EXPR_NONE);
}

static void test_pb_tree_leaves_keep_their_patterns_however_many_there_are(void **state)
{
	struct fixture *f = *state;
	struct pred_spec s;
	size_t i, root = EXPR_NONE;
	char v[16];

	/* enough leaves for the builder to grow its leaf array several times */
	for (i = 0; i < 100; i++) {
		snprintf(v, sizeof(v), "v%zu*", i);
		s = pattern_spec(f, "CommandLine", PRED_EQ, v, 0);
		root = pb_or(f->pb, root, pb_leaf(f->pb, &s));
	}
	pb_emit(f->pb, root);
	assert_int_equal(json_array_size(preds(f)), 100);
	assert_string_equal(str(json_array_get(preds(f), 0), "value"), "v0");
	assert_string_equal(str(json_array_get(preds(f), 0), "op"), "starts_with");
	assert_string_equal(str(json_array_get(preds(f), 99), "value"), "v99");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expr_not_pushes_down_to_every_leaf_by_de_morgan),
		cmocka_unit_test(test_expr_chains_flatten_and_keep_their_order),
		cmocka_unit_test(test_expr_none_is_left_out_of_and_or_and_not),
		cmocka_unit_test(test_expr_walks_a_deep_tree_without_recursion),
		cmocka_unit_test_setup_teardown(test_pb_maps_fields_and_marks_the_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_operators_add_their_wildcards_and_path_suffixes_become_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_hash_lists_split_into_digest_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_scopes_map_each_branch_with_its_own_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pb_computed_columns_are_kept_apart_and_never_mapped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_tree_leaves_get_their_polarity_and_exclusion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pb_text_numbers_regexes_fields_and_keywords, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pb_extras_follow_in_a_fixed_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_caps_a_rule_and_says_so_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_refuses_a_value_that_is_not_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_context_lists_hold_each_value_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_text_fields_are_known_by_their_canonical_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pb_computed_names_are_not_seen_by_leaves_made_before_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pb_capture_keeps_an_embedded_query_as_a_subtree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pb_tree_leaves_keep_their_patterns_however_many_there_are,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
