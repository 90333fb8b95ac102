/*
 * Unit tests for the snapshot diff (tools/lib/catalog/diff.c, detcat-diff):
 * catalogs made by the real reduce (catalog.c) from hand-made tagged rules. The
 * indicators the diff rebuilds from rule records are the catalog's own; a query
 * edit that keeps the predicates is text only; a flipped negation is logic; the
 * same snapshot twice differs in nothing; --only words; schema versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "attack/attack.h"
#include "catalog/catalog.h"
#include "catalog/diff.h"
#include "common/util.h"

static const char *const table_lines =
	"{\"kind\":\"attack\",\"version\":\"test\"}\n"
	"{\"kind\":\"tactic\",\"id\":\"TA0002\",\"shortname\":\"execution\",\"name\":\"Execution\"}\n"
	"{\"kind\":\"technique\",\"id\":\"T1059\",\"name\":\"Command and Scripting Interpreter\","
	"\"tactics\":[\"execution\"],\"parent\":null,\"subtechnique\":false,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n"
	"{\"kind\":\"technique\",\"id\":\"T1204\",\"name\":\"User Execution\","
	"\"tactics\":[\"execution\"],\"parent\":null,\"subtechnique\":false,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n"
	"{\"kind\":\"technique\",\"id\":\"T1204.002\",\"name\":\"Malicious File\","
	"\"tactics\":[\"execution\"],\"parent\":\"T1204\",\"subtechnique\":true,\"revoked\":false,"
	"\"revoked_by\":null,\"deprecated\":false}\n";

static struct attack_db *db;

static int setup(void **state)
{
	char path[] = "/tmp/detcat-test-diff-XXXXXX", *err = NULL;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	fputs(table_lines, f);
	fclose(f);
	db = attack_db_load(path, &err);
	unlink(path);
	if (!db) {
		fprintf(stderr, "table: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	attack_db_free(db);
	return 0;
}

static json_t *tech(const char *id)
{
	const char *dot = strchr(id, '.');

	return json_pack("{s:s,s:s,s:[s],s:o}", "id", id, "name", "x", "tactics", "execution",
			 "parent", dot ? json_stringn(id, (size_t)(dot - id)) : json_null());
}

/* flags: "n" negated, "x" exclusion (and negated), "c" computed */
static json_t *pred(const char *field, const char *op, const char *value, const char *flags)
{
	int x = strchr(flags, 'x') != NULL;
	json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b}", "field", field, "raw_field", field,
			      "op", op, "value", value, "ci", 1, "negated",
			      x || strchr(flags, 'n') != NULL, "exclusion", x);

	if (strchr(flags, 'c'))
		json_object_set_new(p, "computed", json_true());
	return p;
}

/* a tagged rule; techs and preds are new references, consumed */
static json_t *rule(const char *uid, const char *query, json_t *techs, json_t *preds)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:{s:s,s:[]},s:[],s:[],s:[{s:s,s:s,s:s}]}",
			 "uid", uid, "vendor", "sigma", "source", "sigma", "path", "p", "title", uid,
			 "query", query, "techniques", techs, "predicates", preds,
			 "parse", "status", "ok", "errors",
			 "tactics", "attack_issues",
			 "events", "provider", "Sysmon", "event", "1", "title", "Process creation");
}

/* the catalog of rules (consumed), as a finished snapshot */
static struct snapshot *snap(json_t **rules, size_t n)
{
	struct catalog *c = catalog_new(db);
	struct snapshot *s = snapshot_new("test");
	json_t *out, *rec;
	char *err = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(catalog_add(c, rules[i], &err), 0);
		free(err);
	}
	out = catalog_finish(c);
	json_array_foreach(out, i, rec) {
		assert_int_equal(snapshot_add(s, rec, &err), 0);
		free(err);
	}
	assert_int_equal(snapshot_finish(s, &err), 0);
	json_decref(out);
	catalog_free(c);
	for (i = 0; i < n; i++)
		json_decref(rules[i]);
	return s;
}

static json_t *compare(struct snapshot *a, struct snapshot *b, unsigned mask)
{
	char *err = NULL;
	json_t *out = diff_compare(a, b, mask, NULL, &err);

	assert_non_null(out);
	assert_null(err);
	return out;
}

static const json_t *record(const json_t *out, const char *change, const char *key, const char *val)
{
	const json_t *r;
	size_t i;

	json_array_foreach(out, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "change")), change) &&
		    !strcmp(json_string_value(json_object_get(r, key)), val))
			return r;
	return NULL;
}

static void test_diff_indicators_rebuilt_from_rules_are_the_catalogs_own(void **state)
{
	json_t *rules[3], *cat, *t, *ind;
	struct catalog *c = catalog_new(db);
	struct snapshot *empty, *full;
	char *err = NULL;
	size_t i, j;

	(void)state;
	/* the same rules twice: once for the catalog we compare against, once for the snapshot */
	for (j = 0; j < 2; j++) {
		rules[0] = rule("sigma:a", "q", json_pack("[o]", tech("T1204.002")),
				json_pack("[o,o,o,o]", pred("process.name", "eq", "winword.exe", ""),
					  pred("process.parent.name", "eq", "explorer.exe", ""),
					  pred("process.command_line", "contains", "/c", "x"),
					  pred("count", "gt", "5", "c")));
		rules[1] = rule("sigma:b", "q", json_pack("[o,o]", tech("T1204"), tech("T1059")),
				json_pack("[o,o]", pred("process.name", "eq", "winword.exe", ""),
					  pred("process.name", "eq", "cmd.exe", "n")));
		rules[2] = rule("sigma:c", "q", json_pack("[o]", tech("T1059")),
				json_pack("[o]", pred("file.name", "ends_with", ".hta", "")));
		if (j == 0) {
			for (i = 0; i < 3; i++) {
				assert_int_equal(catalog_add(c, rules[i], &err), 0);
				json_decref(rules[i]);
			}
		}
	}
	cat = catalog_finish(c);
	full = snap(rules, 3);
	empty = snap(NULL, 0);
	{
		json_t *out = compare(empty, full, DIFF_TECHNIQUE);
		size_t ntech = 0;

		json_array_foreach(cat, i, t) {
			const json_t *r, *gained;

			if (strcmp(json_string_value(json_object_get(t, "kind")), "technique"))
				continue;
			ntech++;
			r = record(out, "technique", "id", json_string_value(json_object_get(t, "id")));
			assert_non_null(r);
			gained = json_object_get(json_object_get(r, "indicators"), "gained");
			assert_int_equal(json_array_size(gained),
					 json_array_size(json_object_get(t, "indicators")));
			/* same triples, same reach (the orders differ: rules first vs by key) */
			json_array_foreach(json_object_get(t, "indicators"), j, ind) {
				const json_t *g;
				size_t k;
				int found = 0;

				json_array_foreach(gained, k, g)
					if (json_equal(json_object_get(g, "field"), json_object_get(ind, "field")) &&
					    json_equal(json_object_get(g, "op"), json_object_get(ind, "op")) &&
					    json_equal(json_object_get(g, "value"), json_object_get(ind, "value"))) {
						found = 1;
						assert_int_equal(json_integer_value(json_object_get(g, "reach_after")),
								 json_integer_value(json_object_get(ind, "reach")));
						assert_int_equal(json_integer_value(json_object_get(g, "reach_before")), 0);
					}
				assert_true(found);
			}
		}
		assert_int_equal(ntech, 3);	/* T1059, T1204, T1204.002 */
		assert_int_equal(json_array_size(out), ntech);
		json_decref(out);
	}
	json_decref(cat);
	catalog_free(c);
	snapshot_free(empty);
	snapshot_free(full);
}

static void test_diff_same_snapshot_twice_has_no_differences(void **state)
{
	json_t *r1[1], *r2[1], *out;
	struct snapshot *a, *b;

	(void)state;
	r1[0] = rule("sigma:a", "q", json_pack("[o]", tech("T1059")),
		     json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	r2[0] = json_deep_copy(r1[0]);
	a = snap(r1, 1);
	b = snap(r2, 1);
	out = compare(a, b, DIFF_ALL);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	snapshot_free(a);
	snapshot_free(b);
}

static void test_diff_query_edit_with_the_same_predicates_is_text_only(void **state)
{
	json_t *r1[1], *r2[1], *out, *aspects;
	const json_t *c;
	struct snapshot *a, *b;

	(void)state;
	r1[0] = rule("sigma:a", "Image|endswith: cmd.exe", json_pack("[o]", tech("T1059")),
		     json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	r2[0] = rule("sigma:a", "Image|endswith: 'cmd.exe'", json_pack("[o]", tech("T1059")),
		     json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	a = snap(r1, 1);
	b = snap(r2, 1);
	out = compare(a, b, DIFF_ALL);
	assert_int_equal(json_array_size(out), 1);
	c = record(out, "changed", "uid", "sigma:a");
	assert_non_null(c);
	aspects = json_object_get(c, "aspects");
	assert_int_equal(json_array_size(aspects), 1);
	assert_string_equal(json_string_value(json_array_get(aspects, 0)), "text");
	assert_null(json_object_get(c, "logic"));
	json_decref(out);
	snapshot_free(a);
	snapshot_free(b);
}

static void test_diff_flipped_negation_is_a_logic_change(void **state)
{
	json_t *r1[1], *r2[1], *out;
	const json_t *c, *logic;
	struct snapshot *a, *b;

	(void)state;
	r1[0] = rule("sigma:a", "q", json_pack("[o]", tech("T1059")),
		     json_pack("[o]", pred("process.name", "eq", "cmd.exe", "")));
	r2[0] = rule("sigma:a", "q", json_pack("[o]", tech("T1059")),
		     json_pack("[o]", pred("process.name", "eq", "cmd.exe", "n")));
	a = snap(r1, 1);
	b = snap(r2, 1);
	out = compare(a, b, DIFF_CHANGED | DIFF_ASPECTS);
	c = record(out, "changed", "uid", "sigma:a");
	assert_non_null(c);
	logic = json_object_get(c, "logic");
	assert_int_equal(json_array_size(json_object_get(logic, "removed")), 1);
	assert_int_equal(json_array_size(json_object_get(logic, "added")), 1);
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(logic, "removed"), 0), "negated")));
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(logic, "added"), 0), "negated")));
	json_decref(out);
	/* a technique filter alone keeps rule records out */
	out = compare(a, b, DIFF_TECHNIQUE);
	assert_null(record(out, "changed", "uid", "sigma:a"));
	json_decref(out);
	snapshot_free(a);
	snapshot_free(b);
}

/* the catalog read from its text (the fast path) is the catalog added as values */
static void test_diff_catalog_read_from_a_file_equals_the_same_records_added(void **state)
{
	char path[] = "/tmp/detcat-test-diff-cat-XXXXXX", *err = NULL;
	json_t *rules[2], *copy[2], *cat, *rec, *out;
	struct catalog *c = catalog_new(db);
	struct snapshot *text = snapshot_new("file"), *values;
	int fd = mkstemp(path);
	FILE *f;
	size_t i;

	(void)state;
	assert_true(fd >= 0);
	rules[0] = rule("sigma:a", "Image|endswith: '\\cmd.exe'\n\"quoted\" \u00e9",
			json_pack("[o]", tech("T1059")),
			json_pack("[o,o,o]", pred("process.executable", "ends_with", "\\system32\\cmd.exe", ""),
				  pred("process.command_line", "contains", "caf\u00e9 \"x\"", "x"),
				  pred("count", "gt", "5", "c")));
	json_object_set_new(json_array_get(json_object_get(rules[0], "predicates"), 0), "unmapped", json_true());
	json_array_append_new(json_object_get(rules[0], "predicates"),
			      json_pack("{s:s,s:s,s:i,s:b,s:b}", "field", "event.code", "op", "eq", "value", 4688,
					"negated", 0, "exclusion", 0));
	rules[1] = rule("sigma:b", "q", json_pack("[o]", tech("T1204.002")),
			json_pack("[o]", pred("file.name", "ends_with", ".hta", "")));
	for (i = 0; i < 2; i++) {
		copy[i] = json_deep_copy(rules[i]);
		assert_int_equal(catalog_add(c, rules[i], &err), 0);
		json_decref(rules[i]);
	}
	cat = catalog_finish(c);
	f = fdopen(fd, "w");
	json_array_foreach(cat, i, rec) {
		char *line = json_dumps(rec, JSON_COMPACT);

		fprintf(f, "%s\n", line);
		free(line);
	}
	fclose(f);
	assert_int_equal(snapshot_load(text, path, &err), 0);
	unlink(path);
	values = snap(copy, 2);
	out = compare(text, values, DIFF_ALL);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	/* and the file against nothing: the escaped values come back as they were */
	{
		struct snapshot *empty = snap(NULL, 0);
		const json_t *r, *g;
		int found = 0;

		out = compare(empty, text, DIFF_TECHNIQUE);
		r = record(out, "technique", "id", "T1059");
		assert_non_null(r);
		json_array_foreach(json_object_get(json_object_get(r, "indicators"), "gained"), i, g)
			if (json_is_string(json_object_get(g, "value")) &&
			    strcmp(json_string_value(json_object_get(g, "value")), "\\system32\\cmd.exe") == 0)
				found = 1;
		assert_true(found);
		json_decref(out);
		snapshot_free(empty);
	}
	json_decref(cat);
	catalog_free(c);
	snapshot_free(text);
	snapshot_free(values);
}

/* the catalog of rules (consumed) written to a temporary file, each record dumped with flags */
static char *catalog_file(json_t **rules, size_t n, size_t flags, const char *from, const char *to)
{
	char *path = xstrdup("/tmp/detcat-test-diff-text-XXXXXX"), *err = NULL;
	struct catalog *c = catalog_new(db);
	int fd = mkstemp(path);
	json_t *cat, *rec;
	FILE *f;
	size_t i;

	assert_true(fd >= 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(catalog_add(c, rules[i], &err), 0);
		json_decref(rules[i]);
	}
	cat = catalog_finish(c);
	f = fdopen(fd, "w");
	json_array_foreach(cat, i, rec) {
		char *line = json_dumps(rec, flags), *at;

		/* one edit of the text, where asked: from → to, once */
		if (from && (at = strstr(line, from)) != NULL) {
			fprintf(f, "%.*s%s%s\n", (int)(at - line), line, to, at + strlen(from));
			from = NULL;
		} else {
			fprintf(f, "%s\n", line);
		}
		free(line);
	}
	fclose(f);
	json_decref(cat);
	catalog_free(c);
	return path;
}

static json_t *text_rule(void)
{
	json_t *r = rule("sigma:a", "Image|endswith: '\\cmd.exe'", json_pack("[o]", tech("T1059")),
			 json_pack("[o,o]", pred("process.executable", "ends_with", "\\cmd.exe", ""),
				   pred("process.command_line", "contains", "caf\u00e9", "n")));

	json_object_set_new(r, "author", json_string("J\u00f6rg \"the\" author"));
	json_object_set_new(r, "context", json_pack("{s:s,s:s,s:[i,f,b,n]}", "product", "windows",
						    "category", "process_creation", "x", 7, 2.5, 1));
	json_object_set_new(r, "references", json_pack("[s,s]", "https://a/1", "https://b/2"));
	return r;
}

/*
 * Rule records are read from their text, not through a tree: the same catalog
 * written another way (spaces, sorted keys, non-ASCII escaped) is the same
 * catalog, and what is not valid JSON is still refused.
 */
static void test_diff_rule_text_read_the_same_however_written(void **state)
{
	json_t *one = text_rule(), *two = text_rule();
	char *compact = catalog_file(&one, 1, JSON_COMPACT, NULL, NULL);
	char *spaced = catalog_file(&two, 1, JSON_SORT_KEYS | JSON_ENSURE_ASCII, NULL, NULL);
	struct snapshot *a = snapshot_new("a"), *b = snapshot_new("b");
	char *err = NULL;
	json_t *out;

	(void)state;
	assert_int_equal(snapshot_load(a, compact, &err), 0);
	assert_int_equal(snapshot_load(b, spaced, &err), 0);
	out = compare(a, b, DIFF_ALL);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	snapshot_free(b);
	unlink(spaced);
	free(spaced);

	/* a metadata value changed, in the middle of an object: metadata only */
	two = text_rule();
	json_object_set_new(json_object_get(two, "context"), "category", json_string("file_event"));
	spaced = catalog_file(&two, 1, JSON_SORT_KEYS, NULL, NULL);
	b = snapshot_new("b");
	assert_int_equal(snapshot_load(b, spaced, &err), 0);
	out = compare(a, b, DIFF_ALL);
	{
		const json_t *r = record(out, "changed", "uid", "sigma:a");

		assert_non_null(r);
		assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aspects"), 0)), "metadata");
		assert_int_equal(json_array_size(json_object_get(r, "aspects")), 1);
	}
	json_decref(out);
	snapshot_free(b);
	unlink(spaced);
	free(spaced);
	snapshot_free(a);
	unlink(compact);
	free(compact);
}

static void test_diff_rule_text_that_is_not_json_is_refused(void **state)
{
	static const char *const edits[][2] = {
		{ "\"negated\":false", "\"negated\":fals" },	/* not a literal */
		{ "\"https://a/1\"", "\"https://a/\xff\"" },	/* not UTF-8 */
		{ "\"https://a/1\"", "\"https://a/\t\"" },	/* a raw control character */
		{ "\"x\":[7,", "\"x\":[07," },			/* a leading zero */
		{ "\"https://a/1\"", "\"\\q\"" },		/* an unknown escape */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		json_t *r = text_rule();
		char *path = catalog_file(&r, 1, JSON_COMPACT, edits[i][0], edits[i][1]), *err = NULL;
		struct snapshot *s = snapshot_new("s");

		if (snapshot_load(s, path, &err) == 0)
			fail_msg("edit %zu (%s) was read as a catalog", i, edits[i][1]);
		assert_non_null(strstr(err, "invalid JSON"));
		free(err);
		snapshot_free(s);
		unlink(path);
		free(path);
	}
}

static void test_diff_only_takes_kinds_and_aspects_and_refuses_others(void **state)
{
	unsigned mask;
	char *err = NULL;

	(void)state;
	assert_int_equal(diff_parse_only("added,removed", &mask, &err), 0);
	assert_int_equal(mask, DIFF_ADDED | DIFF_REMOVED);
	assert_int_equal(diff_parse_only("logic", &mask, &err), 0);
	assert_true(mask & DIFF_CHANGED);
	assert_false(mask & DIFF_TEXT);
	assert_int_equal(diff_parse_only("changed", &mask, &err), 0);
	assert_int_equal(mask & DIFF_ASPECTS, DIFF_ASPECTS);
	assert_int_equal(diff_parse_only("added,bogus", &mask, &err), -1);
	assert_non_null(strstr(err, "'bogus'"));
	free(err);
	assert_int_equal(diff_parse_only(",", &mask, &err), -1);
	free(err);
}

static void test_diff_refuses_catalogs_of_different_schema_versions(void **state)
{
	struct snapshot *a = snapshot_new("a"), *b = snapshot_new("b");
	json_t *c1 = json_pack("{s:s,s:{s:i,s:{}}}", "kind", "corpus", "rules", "total", 0, "by_vendor");
	json_t *c2 = json_pack("{s:s,s:i,s:{s:i,s:{}}}", "kind", "corpus", "schema_version", 2,
			       "rules", "total", 0, "by_vendor");
	char *err = NULL;

	(void)state;
	assert_int_equal(snapshot_add(a, c1, &err), 0);
	assert_int_equal(snapshot_add(b, c2, &err), 0);
	assert_int_equal(snapshot_finish(a, &err), 0);
	assert_int_equal(snapshot_finish(b, &err), 0);
	assert_null(diff_compare(a, b, DIFF_ALL, NULL, &err));
	assert_non_null(strstr(err, "different schema versions (1 and 2)"));
	free(err);
	/* a catalog without its corpus record is not whole */
	snapshot_free(a);
	a = snapshot_new("a");
	assert_int_equal(snapshot_finish(a, &err), -1);
	assert_non_null(strstr(err, "no corpus record"));
	free(err);
	json_decref(c1);
	json_decref(c2);
	snapshot_free(a);
	snapshot_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_indicators_rebuilt_from_rules_are_the_catalogs_own),
		cmocka_unit_test(test_diff_same_snapshot_twice_has_no_differences),
		cmocka_unit_test(test_diff_query_edit_with_the_same_predicates_is_text_only),
		cmocka_unit_test(test_diff_flipped_negation_is_a_logic_change),
		cmocka_unit_test(test_diff_catalog_read_from_a_file_equals_the_same_records_added),
		cmocka_unit_test(test_diff_rule_text_read_the_same_however_written),
		cmocka_unit_test(test_diff_rule_text_that_is_not_json_is_refused),
		cmocka_unit_test(test_diff_only_takes_kinds_and_aspects_and_refuses_others),
		cmocka_unit_test(test_diff_refuses_catalogs_of_different_schema_versions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
