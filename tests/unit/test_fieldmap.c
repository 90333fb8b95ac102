/*
 * Unit tests for fieldmap: scope matching and precedence, case-insensitive
 * names, the `unlisted` prefix, value splits, and files that must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rule/fieldmap.h"
#include "common/util.h"

static const char map_yaml[] =
	"vendor: test\n"
	"default:\n"
	"  Image: process.executable\n"
	"  TargetFilename: file.path\n"
	"  Name: default.name\n"
	"scopes:\n"
	"  - match: {product: windows, category: image_load}\n"
	"    fields: {Image: dll.loader, Name: image_load.name}\n"
	"  - match: {category: [registry_set, registry_event]}\n"
	"    fields: {TargetObject: registry.path}\n"
	"  - match: {product: windows}\n"
	"    fields: {Name: windows.name}\n"
	"    unlisted: winlog.event_data.\n"
	"  - match: {product: linux}\n"
	"    unlisted: linux.\n";

static struct fieldmap *load(void)
{
	char err[256];
	struct fieldmap *m = fieldmap_load_text("map", map_yaml, strlen(map_yaml), err, sizeof(err));

	if (!m)
		fail_msg("%s", err);
	return m;
}

/* canonical name of raw in a scope given as "product,category,service" (empty: absent) */
static char *lookup(const struct fieldmap *m, const char *product, const char *category,
		    const char *raw)
{
	static const char *const keys[] = { "product", "category", "service" };
	const char *vals[3] = { product, category, NULL };
	struct fieldmap_view v;

	fieldmap_view_init(&v, m, 3, keys, vals);
	return fieldmap_canonical(fieldmap_lookup(&v, raw), raw);
}

static void expect(const struct fieldmap *m, const char *product, const char *category,
		   const char *raw, const char *want)
{
	char *got = lookup(m, product, category, raw);

	if (!want)
		assert_null(got);
	else if (!got || strcmp(got, want) != 0)
		fail_msg("%s in %s/%s: got %s, want %s", raw, product ? product : "-",
			 category ? category : "-", got ? got : "(unmapped)", want);
	free(got);
}

static void test_fieldmap_default_applies_when_no_scope_has_the_field(void **state)
{
	struct fieldmap *m = load();

	(void)state;
	expect(m, NULL, NULL, "Image", "process.executable");
	expect(m, "windows", "process_creation", "TargetFilename", "file.path");
	expect(m, NULL, NULL, "Nope", NULL);
	fieldmap_free(m);
}

static void test_fieldmap_a_matching_scope_wins_over_default_in_file_order(void **state)
{
	struct fieldmap *m = load();

	(void)state;
	expect(m, "windows", "image_load", "Image", "dll.loader");
	/* both image_load and windows match: the first listed wins */
	expect(m, "windows", "image_load", "Name", "image_load.name");
	expect(m, "windows", "process_creation", "Name", "windows.name");
	expect(m, "macos", "image_load", "Name", "default.name");
	fieldmap_free(m);
}

static void test_fieldmap_scope_needs_every_match_key(void **state)
{
	struct fieldmap *m = load();

	(void)state;
	/* image_load without product windows does not match the first scope */
	expect(m, NULL, "image_load", "Image", "process.executable");
	fieldmap_free(m);
}

static void test_fieldmap_match_lists_and_values_ignore_case(void **state)
{
	struct fieldmap *m = load();

	(void)state;
	expect(m, NULL, "registry_event", "TargetObject", "registry.path");
	expect(m, NULL, "REGISTRY_SET", "TargetObject", "registry.path");
	expect(m, NULL, "registry_add", "TargetObject", NULL);
	fieldmap_free(m);
}

static void test_fieldmap_field_names_ignore_case(void **state)
{
	struct fieldmap *m = load();

	(void)state;
	expect(m, NULL, NULL, "image", "process.executable");
	expect(m, NULL, NULL, "TARGETFILENAME", "file.path");
	fieldmap_free(m);
}

static void test_fieldmap_unlisted_prefix_comes_after_every_explicit_name(void **state)
{
	struct fieldmap *m = load();

	(void)state;
	expect(m, "windows", "process_creation", "ObjectName", "winlog.event_data.ObjectName");
	/* default still beats the windows prefix */
	expect(m, "windows", "process_creation", "Image", "process.executable");
	expect(m, "linux", NULL, "exe", "linux.exe");
	expect(m, "macos", NULL, "exe", NULL);
	fieldmap_free(m);
}

static void test_fieldmap_split_entries_load_with_their_separator(void **state)
{
	static const char yaml[] =
		"default:\n  Hashes:\n    field: process.hash\n    separator: ':'\n"
		"    split: {SHA1: process.hash.sha1}\n";
	char err[128];
	struct fieldmap *m = fieldmap_load_text("t", yaml, strlen(yaml), err, sizeof(err));
	struct fieldmap_view v;
	const struct fieldmap_entry *e;
	size_t skip = 0;

	(void)state;
	assert_non_null(m);
	fieldmap_view_init(&v, m, 0, NULL, NULL);
	e = fieldmap_lookup(&v, "Hashes");
	assert_non_null(e);
	assert_string_equal(e->field, "process.hash");
	assert_string_equal(fieldmap_split(e, "sha1:ab", 7, &skip), "process.hash.sha1");
	assert_int_equal(skip, 5);
	assert_null(fieldmap_split(e, "sha1=ab", 7, &skip));
	assert_null(fieldmap_split(e, "sha1:", 5, &skip));
	fieldmap_free(m);
}

static void refused(const char *yaml, const char *msg_part)
{
	char err[256];
	struct fieldmap *m = fieldmap_load_text("bad.yaml", yaml, strlen(yaml), err, sizeof(err));

	assert_null(m);
	if (!strstr(err, msg_part))
		fail_msg("message '%s' does not mention '%s'", err, msg_part);
}

static void test_fieldmap_malformed_files_are_refused_with_file_and_line(void **state)
{
	(void)state;
	refused("default: [a, b]\n", "bad.yaml:1: fields must be a map");
	refused("default:\n  A: [x]\n", "bad.yaml:2: 'A' must map to");
	refused("scopes:\n  - fields: {A: b}\n", "needs a non-empty 'match'");
	refused("scopes: {a: b}\n", "'scopes' must be a list");
	refused("default: {A: {split: {X: y}}}\n", "needs a 'field'");
	refused("default: [\n", "bad.yaml:");
	refused("- a\n- b\n", "expected one YAML map");
}

static void test_fieldmap_without_a_map_nothing_is_mapped(void **state)
{
	struct fieldmap_view v;

	(void)state;
	fieldmap_view_init(&v, NULL, 0, NULL, NULL);
	assert_null(fieldmap_lookup(&v, "Image"));
}

static void test_fieldmap_the_sigma_mapping_of_the_repository_loads(void **state)
{
	char err[512];
	struct fieldmap *m = fieldmap_load("mappings/fields/sigma.yaml", err, sizeof(err));

	(void)state;
	if (!m) {
		/* run from elsewhere than the repository's top folder */
		if (strstr(err, "No such file"))
			skip();
		fail_msg("%s", err);
	}
	expect(m, "windows", "image_load", "ImageLoaded", "dll.path");
	expect(m, "windows", "process_creation", "Image", "process.executable");
	expect(m, "windows", "file_event", "TargetFilename", "file.path");
	expect(m, "windows", "registry_set", "TargetObject", "registry.path");
	expect(m, "windows", "registry_set", "Details", "registry.data.strings");
	expect(m, "windows", "dns_query", "QueryName", "dns.question.name");
	expect(m, "windows", "ps_script", "ScriptBlockText", "powershell.file.script_block_text");
	expect(m, NULL, "webserver", "cs-uri-query", "url.query");
	expect(m, NULL, "proxy", "c-uri", "url.original");
	expect(m, "aws", NULL, "eventName", "event.action");
	fieldmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fieldmap_default_applies_when_no_scope_has_the_field),
		cmocka_unit_test(test_fieldmap_a_matching_scope_wins_over_default_in_file_order),
		cmocka_unit_test(test_fieldmap_scope_needs_every_match_key),
		cmocka_unit_test(test_fieldmap_match_lists_and_values_ignore_case),
		cmocka_unit_test(test_fieldmap_field_names_ignore_case),
		cmocka_unit_test(test_fieldmap_unlisted_prefix_comes_after_every_explicit_name),
		cmocka_unit_test(test_fieldmap_split_entries_load_with_their_separator),
		cmocka_unit_test(test_fieldmap_malformed_files_are_refused_with_file_and_line),
		cmocka_unit_test(test_fieldmap_without_a_map_nothing_is_mapped),
		cmocka_unit_test(test_fieldmap_the_sigma_mapping_of_the_repository_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
