/*
 * Unit tests for rule/meta.c: ATT&CK as rules state it, one policy for every
 * front end: trimmed, each value once, ids with a 't' of either case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/util.h"
#include "rule/meta.h"
#include "rule/rule.h"
#include "record_test.h"

static json_t *attack_of(struct rule *r)
{
	json_t *j = rule_to_json(r), *a = json_incref(json_object_get(j, "attack"));

	json_decref(j);
	return a;
}

static void test_meta_technique_ids_are_trimmed_upper_cased_and_kept_once(void **state)
{
	struct rule *r = rule_new("test", "s", "p");
	json_t *a;

	(void)state;
	meta_technique(r, " T1059.001\n", 11);
	meta_technique(r, "t1059.001", 9);
	meta_technique(r, "t1204", 5);
	meta_technique(r, "T1A0007", 7);
	meta_technique(r, "   ", 3);
	a = attack_of(r);
	assert_json(json_object_get(a, "techniques"), "[\"T1059.001\",\"T1204\"]");
	assert_json(json_object_get(a, "other"), "[\"T1A0007\"]");
	json_decref(a);
	rule_free(r);
}

static void test_meta_tactics_stay_as_written_once_each(void **state)
{
	struct rule *r = rule_new("test", "s", "p");
	json_t *a;

	(void)state;
	meta_tactic(r, "DefenseEvasion", 14);
	meta_tactic(r, " TA0007 - Discovery ", 20);
	meta_tactic(r, "DefenseEvasion", 14);
	meta_other(r, "attack.g0016", 12);
	a = attack_of(r);
	assert_json(json_object_get(a, "tactics"), "[\"DefenseEvasion\",\"TA0007 - Discovery\"]");
	assert_json(json_object_get(a, "other"), "[\"attack.g0016\"]");
	json_decref(a);
	rule_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_technique_ids_are_trimmed_upper_cased_and_kept_once),
		cmocka_unit_test(test_meta_tactics_stay_as_written_once_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
