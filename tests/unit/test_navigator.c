/*
 * Unit tests for the ATT&CK Navigator layers (tools/lib/site/navigator.c): hand-made
 * catalog technique records in, layer format 4.5 out. Scores by vendor, records
 * without rules or without a technique id left out, the gradient's top,
 * showSubtechniques on parents, the comment's wording, the format's required
 * fields and their types, an empty layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "site/navigator.h"
#include "common/util.h"

/* a technique record; by_vendor is a new reference, consumed */
static json_t *tech(const char *id, long long total, json_t *by_vendor)
{
	const char *dot = strchr(id, '.');

	return json_pack("{s:s,s:s,s:s,s:[s],s:o,s:s,s:{s:I,s:o,s:[]},s:[],s:[],s:[],s:[]}",
			 "kind", "technique", "id", id, "name", "x", "tactics", "execution",
			 "parent", dot ? json_stringn(id, (size_t)(dot - id)) : json_null(),
			 "url", "https://attack.mitre.org/", "rules", "total", (json_int_t)total,
			 "by_vendor", by_vendor, "uids", "events", "fields", "indicators",
			 "exclusions");
}

/* T1204 (sigma 5, elastic 2), T1204.002 (sigma 3), T1059 (elastic 4), T1059.001
 * (kusto 1), T1566 with no rules at all */
static json_t *sample(void)
{
	return json_pack("[o,o,o,o,o]",
			 tech("T1204", 7, json_pack("{s:i,s:i}", "elastic", 2, "sigma", 5)),
			 tech("T1204.002", 3, json_pack("{s:i}", "sigma", 3)),
			 tech("T1059", 4, json_pack("{s:i}", "elastic", 4)),
			 tech("T1059.001", 1, json_pack("{s:i}", "kusto", 1)),
			 tech("T1566", 0, json_object()));
}

static json_t *entries(const json_t *layer)
{
	json_t *list = json_object_get(layer, "techniques");

	assert_true(json_is_array(list));
	return list;
}

/* the layer's entry for id, NULL when left out */
static json_t *entry(const json_t *layer, const char *id)
{
	json_t *e;
	size_t i;

	json_array_foreach(entries(layer), i, e)
		if (strcmp(json_string_value(json_object_get(e, "techniqueID")), id) == 0)
			return e;
	return NULL;
}

static long long ival(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static long long max_value(const json_t *layer)
{
	return ival(json_object_get(layer, "gradient"), "maxValue");
}

static const char *comment(const json_t *layer, const char *id)
{
	json_t *e = entry(layer, id);

	assert_non_null(e);
	return json_string_value(json_object_get(e, "comment"));
}

static void test_navigator_all_vendors_scores_each_technique_by_its_total(void **state)
{
	json_t *in = sample(), *layer = navigator_layer(in, NULL, "all", "d", NULL);

	(void)state;
	assert_int_equal(ival(entry(layer, "T1204"), "score"), 7);
	assert_int_equal(ival(entry(layer, "T1204.002"), "score"), 3);
	assert_int_equal(ival(entry(layer, "T1059"), "score"), 4);
	assert_int_equal(ival(entry(layer, "T1059.001"), "score"), 1);
	json_decref(layer);
	json_decref(in);
}

static void test_navigator_one_vendor_scores_by_its_rules_only(void **state)
{
	json_t *in = sample();
	json_t *sigma = navigator_layer(in, "sigma", "s", NULL, NULL);
	json_t *elastic = navigator_layer(in, "elastic", "e", NULL, NULL);

	(void)state;
	assert_int_equal(ival(entry(sigma, "T1204"), "score"), 5);
	assert_int_equal(ival(entry(sigma, "T1204.002"), "score"), 3);
	assert_int_equal(json_array_size(entries(sigma)), 2);
	assert_int_equal(ival(entry(elastic, "T1204"), "score"), 2);
	assert_int_equal(ival(entry(elastic, "T1059"), "score"), 4);
	assert_int_equal(json_array_size(entries(elastic)), 2);
	json_decref(sigma);
	json_decref(elastic);
	json_decref(in);
}

static void test_navigator_techniques_that_score_zero_are_left_out(void **state)
{
	json_t *in = sample(), *all, *splunk, *kusto;

	(void)state;
	/* a vendor at 0, a negative count, a count that is not a number, no rules object */
	json_array_append_new(in, tech("T1098", 2, json_pack("{s:i,s:i}", "sigma", 2, "splunk", 0)));
	json_array_append_new(in, tech("T1218", -3, json_pack("{s:i}", "splunk", -3)));
	json_array_append_new(in, tech("T1105", 1, json_pack("{s:s}", "splunk", "1")));
	json_array_append_new(in, json_pack("{s:s,s:s}", "kind", "technique", "id", "T1003"));
	/* ids that name no technique, however many rules */
	json_array_append_new(in, tech("../T1", 2, json_pack("{s:i}", "sigma", 2)));
	json_array_append_new(in, tech("T1059.0011", 2, json_pack("{s:i}", "sigma", 2)));
	json_array_append_new(in, tech("T105", 2, json_pack("{s:i}", "sigma", 2)));
	all = navigator_layer(in, NULL, "all", NULL, NULL);
	splunk = navigator_layer(in, "splunk", "splunk", NULL, NULL);
	kusto = navigator_layer(in, "kusto", "kusto", NULL, NULL);
	assert_null(entry(all, "T1566"));
	assert_null(entry(all, "T1218"));
	assert_null(entry(all, "T1003"));
	assert_null(entry(all, "../T1"));
	assert_null(entry(all, "T1059.0011"));
	assert_null(entry(all, "T105"));
	assert_non_null(entry(all, "T1098"));
	assert_int_equal(json_array_size(entries(all)), 6);
	assert_int_equal(json_array_size(entries(splunk)), 0);
	assert_int_equal(json_array_size(entries(kusto)), 1);
	assert_non_null(entry(kusto, "T1059.001"));
	json_decref(all);
	json_decref(splunk);
	json_decref(kusto);
	json_decref(in);
}

static void test_navigator_max_value_is_the_highest_score_of_the_layer(void **state)
{
	json_t *in = sample();
	json_t *all = navigator_layer(in, NULL, "a", NULL, NULL);
	json_t *elastic = navigator_layer(in, "elastic", "e", NULL, NULL);
	json_t *kusto = navigator_layer(in, "kusto", "k", NULL, NULL);
	json_t *none = navigator_layer(in, "splunk", "n", NULL, NULL);
	json_t *g = json_object_get(all, "gradient");

	(void)state;
	assert_int_equal(max_value(all), 7);
	assert_int_equal(max_value(elastic), 4);
	/* maxValue must be above minValue (0), even when the top score is 1 or nothing scores */
	assert_int_equal(max_value(kusto), 1);
	assert_int_equal(max_value(none), 1);
	assert_int_equal(ival(g, "minValue"), 0);
	json_decref(all);
	json_decref(elastic);
	json_decref(kusto);
	json_decref(none);
	json_decref(in);
}

static void test_navigator_parent_shows_subtechniques_when_one_of_them_scores(void **state)
{
	json_t *in = sample();
	json_t *all = navigator_layer(in, NULL, "a", NULL, NULL);
	json_t *sigma = navigator_layer(in, "sigma", "s", NULL, NULL);
	json_t *elastic = navigator_layer(in, "elastic", "e", NULL, NULL);

	(void)state;
	assert_true(json_is_true(json_object_get(entry(all, "T1204"), "showSubtechniques")));
	assert_true(json_is_true(json_object_get(entry(all, "T1059"), "showSubtechniques")));
	assert_null(json_object_get(entry(all, "T1204.002"), "showSubtechniques"));
	assert_true(json_is_true(json_object_get(entry(sigma, "T1204"), "showSubtechniques")));
	/* T1059.001 has kusto rules only: the elastic layer keeps T1059 folded */
	assert_null(json_object_get(entry(elastic, "T1059"), "showSubtechniques"));
	/* T1204.002 has no elastic rules either */
	assert_null(json_object_get(entry(elastic, "T1204"), "showSubtechniques"));
	json_decref(all);
	json_decref(sigma);
	json_decref(elastic);
	json_decref(in);
}

static void test_navigator_comment_lists_known_vendors_in_order_then_others_by_key(void **state)
{
	json_t *in = json_pack("[o,o,o,o]",
			       tech("T1204", 12, json_pack("{s:i,s:i}", "elastic", 5, "sigma", 7)),
			       tech("T1059", 9, json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "zeta", 1,
							  "kusto", 2, "acme", 1, "splunk", 3,
							  "sigma", 2, "nothing", 0)),
			       tech("T1566", 1, json_pack("{s:i}", "splunk", 1)),
			       tech("T1098", 2, json_object()));
	json_t *all = navigator_layer(in, NULL, "a", NULL, NULL);
	json_t *kusto = navigator_layer(in, "kusto", "k", NULL, NULL);

	(void)state;
	assert_string_equal(comment(all, "T1204"), "12 rules: Sigma 7, Elastic 5");
	assert_string_equal(comment(all, "T1059"),
			    "9 rules: Sigma 2, Splunk 3, Kusto 2, acme 1, zeta 1");
	assert_string_equal(comment(all, "T1566"), "1 rule: Splunk 1");
	assert_string_equal(comment(all, "T1098"), "2 rules");
	/* a vendor's layer comments on that vendor's rules only (issue 13) */
	assert_string_equal(comment(kusto, "T1059"), "2 Kusto rules");
	json_decref(all);
	json_decref(kusto);
	json_decref(in);
}

static int is_color(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t i;

	if (!s || strlen(s) != 7 || s[0] != '#')
		return 0;
	for (i = 1; i < 7; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

/* layer format 4.5: the keys the format requires, and the types of the others we write */
static void check_layer(const json_t *layer, const char *name, const char *description)
{
	json_t *versions = json_object_get(layer, "versions"), *g = json_object_get(layer, "gradient");
	json_t *layout = json_object_get(layer, "layout"), *colors = json_object_get(g, "colors"), *v;
	size_t i;

	assert_true(json_is_object(layer));
	assert_string_equal(json_string_value(json_object_get(layer, "name")), name);
	assert_string_equal(json_string_value(json_object_get(layer, "domain")), "enterprise-attack");
	assert_string_equal(json_string_value(json_object_get(layer, "description")), description);
	/* versions: navigator and layer required; attack left out */
	assert_true(json_is_object(versions));
	assert_string_equal(json_string_value(json_object_get(versions, "layer")), "4.5");
	assert_true(json_is_string(json_object_get(versions, "navigator")));
	assert_null(json_object_get(versions, "attack"));
	assert_true(json_is_integer(json_object_get(layer, "sorting")));
	assert_true(json_is_object(layout));
	assert_true(json_is_string(json_object_get(layout, "layout")));
	assert_true(json_is_false(json_object_get(layout, "showAggregateScores")));
	assert_true(json_is_false(json_object_get(layer, "hideDisabled")));
	assert_true(json_is_true(json_object_get(layer, "selectTechniquesAcrossTactics")));
	assert_true(json_is_false(json_object_get(layer, "selectSubtechniquesWithParent")));
	assert_true(json_is_array(json_object_get(layer, "legendItems")));
	assert_true(json_is_array(json_object_get(layer, "metadata")));
	/* gradient: colors (at least two), minValue and maxValue required, max > min */
	assert_true(json_is_object(g));
	assert_true(json_is_array(colors));
	assert_true(json_array_size(colors) >= 2);
	json_array_foreach(colors, i, v)
		assert_true(is_color(v));
	assert_string_equal(json_string_value(json_array_get(colors, 0)), "#eef4fc");
	assert_string_equal(json_string_value(json_array_get(colors, json_array_size(colors) - 1)),
			    "#5b8fd9");
	assert_true(json_is_integer(json_object_get(g, "minValue")));
	assert_true(max_value(layer) > ival(g, "minValue"));
	/* techniques: techniqueID required; no tactic, so every tactic of the technique */
	json_array_foreach(entries(layer), i, v) {
		json_t *show = json_object_get(v, "showSubtechniques");

		assert_true(json_is_string(json_object_get(v, "techniqueID")));
		assert_null(json_object_get(v, "tactic"));
		assert_true(ival(v, "score") > 0);
		assert_true(json_is_true(json_object_get(v, "enabled")));
		assert_true(json_is_string(json_object_get(v, "comment")));
		assert_true(!show || json_is_true(show));
	}
}

static void test_navigator_layer_has_the_required_fields_with_their_types(void **state)
{
	json_t *in = sample();
	json_t *all = navigator_layer(in, NULL, "detcat: all vendors", "Rules per technique", NULL);
	json_t *sigma = navigator_layer(in, "sigma", "detcat: Sigma", NULL, NULL);

	(void)state;
	check_layer(all, "detcat: all vendors", "Rules per technique");
	check_layer(sigma, "detcat: Sigma", "");
	json_decref(all);
	json_decref(sigma);
	json_decref(in);
}

static void test_navigator_empty_input_gives_a_valid_layer_without_techniques(void **state)
{
	json_t *in = json_array();
	json_t *empty = navigator_layer(in, NULL, "empty", "none", NULL);
	json_t *null = navigator_layer(NULL, "sigma", NULL, NULL, NULL);

	(void)state;
	check_layer(empty, "empty", "none");
	check_layer(null, "", "");
	assert_int_equal(json_array_size(entries(empty)), 0);
	assert_int_equal(json_array_size(entries(null)), 0);
	assert_int_equal(max_value(empty), 1);
	json_decref(empty);
	json_decref(null);
	json_decref(in);
}

static void test_navigator_keeps_the_order_given_and_leaves_its_input_alone(void **state)
{
	json_t *in = sample(), *a, *b, *e;
	char *before = json_dumps(in, JSON_COMPACT), *after, *ta, *tb;
	static const char *const order[] = { "T1204", "T1204.002", "T1059", "T1059.001" };
	size_t i;

	(void)state;
	a = navigator_layer(in, NULL, "a", "d", NULL);
	b = navigator_layer(in, NULL, "a", "d", NULL);
	json_array_foreach(entries(a), i, e)
		assert_string_equal(json_string_value(json_object_get(e, "techniqueID")), order[i]);
	assert_int_equal(json_array_size(entries(a)), 4);
	ta = json_dumps(a, JSON_COMPACT);
	tb = json_dumps(b, JSON_COMPACT);
	assert_string_equal(ta, tb);
	after = json_dumps(in, JSON_COMPACT);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	json_decref(in);
}

static void test_navigator_names_the_attack_release_when_the_catalog_does(void **state)
{
	json_t *in = sample(), *with = navigator_layer(in, NULL, "all", "", "18.1");
	json_t *without = navigator_layer(in, NULL, "all", "", NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_object_get(with, "versions"),
							      "attack")), "18.1");
	assert_null(json_object_get(json_object_get(without, "versions"), "attack"));
	json_decref(with);
	json_decref(without);
	json_decref(in);
}

/* 7 rules at most: 1 → shade 1, 3 → shade 3 (3^4 >= 7^2), 4 → 3, 7 → 5; the matrix's shades */
static void test_navigator_colours_follow_the_matrix_logarithmic_shades(void **state)
{
	json_t *in = sample(), *layer = navigator_layer(in, NULL, "all", "", NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(entry(layer, "T1204"), "color")), "#5b8fd9");
	assert_string_equal(json_string_value(json_object_get(entry(layer, "T1204.002"), "color")), "#a9c8f0");
	assert_string_equal(json_string_value(json_object_get(entry(layer, "T1059"), "color")), "#a9c8f0");
	assert_string_equal(json_string_value(json_object_get(entry(layer, "T1059.001"), "color")), "#eef4fc");
	json_decref(layer);
	json_decref(in);
}

/* a name that is not UTF-8 is shown with U+FFFD, never the end of the run (SPEC §8) */
static void test_navigator_bad_utf8_in_a_name_is_replaced_not_fatal(void **state)
{
	json_t *in = sample(), *layer = navigator_layer(in, NULL, "bad \xff name", "ok", NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(layer, "name")), "bad \xEF\xBF\xBD name");
	json_decref(layer);
	json_decref(in);
}

static void test_navigator_leaves_out_deprecated_and_revoked_techniques(void **state)
{
	json_t *in = sample(), *layer;

	(void)state;
	json_object_set_new(json_array_get(in, 2), "deprecated", json_true());	/* T1059 */
	json_object_set_new(json_array_get(in, 1), "revoked", json_true());	/* T1204.002 */
	layer = navigator_layer(in, NULL, "a", NULL, NULL);
	assert_null(entry(layer, "T1059"));
	assert_null(entry(layer, "T1204.002"));
	assert_non_null(entry(layer, "T1059.001"));
	assert_non_null(entry(layer, "T1204"));
	/* no scored sub-technique is left under T1204 */
	assert_null(json_object_get(entry(layer, "T1204"), "showSubtechniques"));
	json_decref(layer);
	json_decref(in);
}

static void test_navigator_legend_gives_each_shade_its_rule_counts(void **state)
{
	json_t *in = json_pack("[o,o]", tech("T1204", 81, json_pack("{s:i}", "sigma", 81)),
			       tech("T1059", 1, json_pack("{s:i}", "sigma", 1)));
	json_t *layer = navigator_layer(in, NULL, "a", NULL, NULL);
	json_t *sigma = navigator_layer(in, "sigma", "s", NULL, NULL);
	json_t *items = json_object_get(layer, "legendItems");
	char *text;

	(void)state;
	/* shade k + 1 from 81^(k/4): 1-2, 3-8, 9-26, 27-80, 81 */
	text = json_dumps(items, JSON_COMPACT);
	assert_string_equal(text, "[{\"label\":\"1-2 rules\",\"color\":\"#eef4fc\"},"
			    "{\"label\":\"3-8 rules\",\"color\":\"#d3e3f8\"},"
			    "{\"label\":\"9-26 rules\",\"color\":\"#a9c8f0\"},"
			    "{\"label\":\"27-80 rules\",\"color\":\"#7eaae6\"},"
			    "{\"label\":\"81 rules\",\"color\":\"#5b8fd9\"}]");
	free(text);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(sigma, "legendItems"), 0), "label")), "1-2 Sigma rules");
	json_decref(layer);
	json_decref(sigma);
	json_decref(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_navigator_all_vendors_scores_each_technique_by_its_total),
		cmocka_unit_test(test_navigator_one_vendor_scores_by_its_rules_only),
		cmocka_unit_test(test_navigator_techniques_that_score_zero_are_left_out),
		cmocka_unit_test(test_navigator_max_value_is_the_highest_score_of_the_layer),
		cmocka_unit_test(test_navigator_parent_shows_subtechniques_when_one_of_them_scores),
		cmocka_unit_test(test_navigator_comment_lists_known_vendors_in_order_then_others_by_key),
		cmocka_unit_test(test_navigator_leaves_out_deprecated_and_revoked_techniques),
		cmocka_unit_test(test_navigator_legend_gives_each_shade_its_rule_counts),
		cmocka_unit_test(test_navigator_layer_has_the_required_fields_with_their_types),
		cmocka_unit_test(test_navigator_empty_input_gives_a_valid_layer_without_techniques),
		cmocka_unit_test(test_navigator_keeps_the_order_given_and_leaves_its_input_alone),
		cmocka_unit_test(test_navigator_colours_follow_the_matrix_logarithmic_shades),
		cmocka_unit_test(test_navigator_names_the_attack_release_when_the_catalog_does),
		cmocka_unit_test(test_navigator_bad_utf8_in_a_name_is_replaced_not_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
