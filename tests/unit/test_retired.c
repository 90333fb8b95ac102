/*
 * Unit tests for rule/retired.c: which rules upstream has retired, per vendor,
 * from their folder and their lifecycle status (issue 13).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "rule/retired.h"

static void test_retired_sigma_folders_and_statuses(void **state)
{
	(void)state;
	assert_string_equal(rule_retired("sigma", "deprecated/windows/x.yml", "test"),
			    "in the deprecated/ folder");
	assert_string_equal(rule_retired("sigma", "unsupported/windows/x.yml", "test"),
			    "in the unsupported/ folder");
	assert_string_equal(rule_retired("sigma", "rules-placeholder/windows/x.yml", "test"),
			    "in the rules-placeholder/ folder");
	assert_string_equal(rule_retired("sigma", "rules/windows/x.yml", "deprecated"), "status deprecated");
	assert_string_equal(rule_retired("sigma", "rules/windows/x.yml", "Unsupported"), "status unsupported");
	assert_null(rule_retired("sigma", "rules/windows/x.yml", "test"));
	assert_null(rule_retired("sigma", "rules/windows/x.yml", NULL));
	/* only the top folder counts: a rule about deprecated things is live */
	assert_null(rule_retired("sigma", "rules/windows/deprecated/x.yml", "stable"));
	assert_null(rule_retired("sigma", "deprecated.yml", "stable"));
}

static void test_retired_elastic_deprecated_folder_or_maturity(void **state)
{
	(void)state;
	assert_string_equal(rule_retired("elastic", "rules/_deprecated/x.toml", "production"),
			    "in a _deprecated/ folder");
	assert_string_equal(rule_retired("elastic", "rules/windows/x.toml", "deprecated"),
			    "maturity deprecated");
	/* a file name with "deprecated" in it is not a folder */
	assert_null(rule_retired("elastic", "rules/network/credential_access_tls_deprecated_cipher.toml",
				 "production"));
	assert_null(rule_retired("elastic", "rules/windows/x.toml", "production"));
}

static void test_retired_splunk_and_kusto_deprecated_status_or_folder(void **state)
{
	(void)state;
	assert_string_equal(rule_retired("splunk", "detections/endpoint/x.yml", "deprecated"),
			    "status deprecated");
	assert_string_equal(rule_retired("splunk", "detections/deprecated/x.yml", "production"),
			    "in a deprecated/ folder");
	assert_null(rule_retired("splunk", "detections/endpoint/x.yml", "production"));
	assert_null(rule_retired("kusto", "Threat Hunting/Deprecated Feeds/x.md", NULL));
	assert_null(rule_retired(NULL, "deprecated/x.yml", "deprecated"));
	assert_null(rule_retired("other", "deprecated/x.yml", "deprecated"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retired_sigma_folders_and_statuses),
		cmocka_unit_test(test_retired_elastic_deprecated_folder_or_maturity),
		cmocka_unit_test(test_retired_splunk_and_kusto_deprecated_status_or_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
