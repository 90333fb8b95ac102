/*
 * Unit tests for attack: the table built from our own small STIX bundle
 * (fixtures/attack/enterprise-attack-mini.json) and loaded back: revocation
 * chains, deprecation, parents, lookups by every spelling, ATT&CK order, and
 * bundles and tables that must be refused. Tiny bundles for the odd cases are
 * written here as strings.
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
#include "io/ndjson.h"
#include "common/util.h"

#define MINI "fixtures/attack/enterprise-attack-mini.json"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run from the top of the repository)", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	strbuf_grow(&sb, 0);
	return strbuf_detach(&sb, len);
}

static char *tmpname(void)
{
	char *p = xstrdup("/tmp/detcat-test-XXXXXX");
	int fd = mkstemp(p);

	assert_true(fd >= 0);
	close(fd);
	return p;
}

/* The table of one bundle text; problems (may be NULL) collects what was odd. */
static json_t *table_of(const char *text, size_t len, json_t *problems)
{
	struct attack_build *b = attack_build_new();
	char *err = NULL;
	json_t *table;

	if (attack_build_add(b, text, len, &err) < 0)
		fail_msg("bundle refused: %s", err);
	table = attack_build_table(b, problems, &err);
	if (!table)
		fail_msg("no table: %s", err);
	attack_build_free(b);
	return table;
}

static char *write_table(const json_t *table, enum ndjson_format fmt)
{
	char *path = tmpname();
	const char *err = NULL;
	struct ndjson_writer *w = ndjson_writer_open(path, fmt, &err);
	json_t *rec;
	size_t i;

	assert_non_null(w);
	json_array_foreach(table, i, rec)
		assert_int_equal(ndjson_writer_put(w, rec), 0);
	assert_int_equal(ndjson_writer_close(w), 0);
	return path;
}

static struct attack_db *load_table(const json_t *table, enum ndjson_format fmt)
{
	char *path = write_table(table, fmt), *err = NULL;
	struct attack_db *db = attack_db_load(path, &err);

	if (!db)
		fail_msg("load failed: %s", err);
	unlink(path);
	free(path);
	return db;
}

static struct attack_db *load_mini(void)
{
	size_t len;
	char *text = read_file(MINI, &len);
	json_t *table = table_of(text, len, NULL);
	struct attack_db *db = load_table(table, NDJSON_ZSTD);

	json_decref(table);
	free(text);
	return db;
}

static const struct attack_technique *technique(const struct attack_db *db, const char *id)
{
	const struct attack_technique *t = attack_db_technique(db, id);

	if (!t)
		fail_msg("technique %s not found", id);
	return t;
}

static void expect_revoked_by(const struct attack_db *db, const char *id, const char *want)
{
	const struct attack_technique *t = technique(db, id);

	assert_true(t->revoked);
	assert_non_null(t->revoked_by);
	assert_string_equal(t->revoked_by, want);
	/* the replacement is current */
	assert_false(technique(db, want)->revoked);
}

/* ---- the fixture ---- */

static void test_attack_multi_step_revocation_chains_resolve_to_the_final_current_id(void **state)
{
	struct attack_db *db = load_mini();

	(void)state;
	expect_revoked_by(db, "T1162", "T1647");	/* via T1547.011 */
	expect_revoked_by(db, "T1150", "T1647");	/* via T1547.011 */
	expect_revoked_by(db, "T1073", "T1574.001");	/* via T1574.002 */
	expect_revoked_by(db, "T1547.011", "T1647");
	expect_revoked_by(db, "T1574.002", "T1574.001");
	expect_revoked_by(db, "T1086", "T1059.001");
	assert_false(technique(db, "T1059.001")->revoked);
	assert_null(technique(db, "T1059.001")->revoked_by);
	attack_db_free(db);
}

static void test_attack_deprecated_technique_is_flagged_with_no_replacement(void **state)
{
	struct attack_db *db = load_mini();
	const struct attack_technique *t = technique(db, "T1064");

	(void)state;
	assert_true(t->deprecated);
	assert_false(t->revoked);
	assert_null(t->revoked_by);
	assert_string_equal(t->name, "Scripting");
	assert_false(technique(db, "T1059")->deprecated);
	attack_db_free(db);
}

static void test_attack_subtechnique_parent_comes_from_its_relationship_or_else_its_id(void **state)
{
	struct attack_db *db = load_mini();
	const struct attack_technique *t;

	(void)state;
	t = technique(db, "T1204.001");
	assert_true(t->subtechnique);
	assert_string_equal(t->parent, "T1204");
	/* no subtechnique-of relationship in the bundle, as in 18.1 */
	t = technique(db, "T1547.011");
	assert_true(t->subtechnique);
	assert_string_equal(t->parent, "T1547");
	t = technique(db, "T1574.002");
	assert_string_equal(t->parent, "T1574");
	t = technique(db, "T1204");
	assert_false(t->subtechnique);
	assert_null(t->parent);
	attack_db_free(db);
}

static void test_attack_technique_carries_name_tactics_in_matrix_order_and_url(void **state)
{
	struct attack_db *db = load_mini();
	const struct attack_technique *t = technique(db, "T1574");

	(void)state;
	assert_string_equal(t->name, "Hijack Execution Flow");
	assert_int_equal(t->ntactics, 3);
	assert_string_equal(t->tactics[0], "persistence");
	assert_string_equal(t->tactics[1], "privilege-escalation");
	assert_string_equal(t->tactics[2], "defense-evasion");
	assert_string_equal(t->url, "https://attack.mitre.org/techniques/T1574");
	attack_db_free(db);
}

static void test_attack_technique_ids_ignore_case_and_surrounding_spaces(void **state)
{
	struct attack_db *db = load_mini();
	const struct attack_technique *t = technique(db, "T1059.001");
	char longid[300];

	(void)state;
	assert_ptr_equal(attack_db_technique(db, "t1059.001"), t);
	assert_ptr_equal(attack_db_technique(db, "  T1059.001\t"), t);
	assert_null(attack_db_technique(db, "T9999"));
	assert_null(attack_db_technique(db, "T1059.0"));
	assert_null(attack_db_technique(db, "T1059 .001"));
	assert_null(attack_db_technique(db, ""));
	assert_null(attack_db_technique(db, "   "));
	assert_null(attack_db_technique(db, NULL));
	memset(longid, 'T', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_null(attack_db_technique(db, longid));
	attack_db_free(db);
}

static void test_attack_tactics_are_found_by_id_shortname_sigma_style_camel_case_and_name(void **state)
{
	struct attack_db *db = load_mini();
	const struct attack_tactic *t = attack_db_tactic(db, "TA0005");

	(void)state;
	assert_non_null(t);
	assert_string_equal(t->shortname, "defense-evasion");
	assert_string_equal(t->name, "Defense Evasion");
	assert_ptr_equal(attack_db_tactic(db, "ta0005"), t);
	assert_ptr_equal(attack_db_tactic(db, "defense-evasion"), t);
	assert_ptr_equal(attack_db_tactic(db, "defense_evasion"), t);
	assert_ptr_equal(attack_db_tactic(db, "Defense Evasion"), t);
	assert_ptr_equal(attack_db_tactic(db, " DEFENSE EVASION "), t);
	assert_string_equal(attack_db_tactic(db, "privilege_escalation")->id, "TA0004");
	assert_string_equal(attack_db_tactic(db, "Initial Access")->id, "TA0001");
	assert_string_equal(attack_db_tactic(db, "execution")->id, "TA0002");
	/* as Sentinel, Sigma tags and Bert-JanP's tables write them */
	assert_ptr_equal(attack_db_tactic(db, "DefenseEvasion"), t);
	assert_ptr_equal(attack_db_tactic(db, "attack.defense-evasion"), t);
	assert_ptr_equal(attack_db_tactic(db, "TA0005 - Defense Evasion"), t);
	assert_ptr_equal(attack_db_tactic(db, "Defense Evasion - TA0005"), t);
	assert_string_equal(attack_db_tactic(db, "PrivilegeEscalation")->id, "TA0004");
	/* Sigma's newer tactic, unknown to 18.1 */
	assert_null(attack_db_tactic(db, "stealth"));
	assert_null(attack_db_tactic(db, "TA0006"));
	assert_null(attack_db_tactic(db, ""));
	assert_null(attack_db_tactic(db, "_ -"));
	assert_null(attack_db_tactic(db, NULL));
	attack_db_free(db);
}

/* the matrix position of a technique's first tactic; ntactics when it has none */
static size_t first_tactic(const struct attack_db *db, const struct attack_technique *t)
{
	size_t best = attack_db_ntactics(db), i, k;

	for (k = 0; k < t->ntactics; k++)
		for (i = 0; i < attack_db_ntactics(db); i++)
			if (!strcmp(attack_db_tactic_at(db, i)->shortname, t->tactics[k]) && i < best)
				best = i;
	return best;
}

static void test_attack_iteration_follows_the_matrix_then_the_id(void **state)
{
	static const char *const order[] = { "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0007" };
	struct attack_db *db = load_mini();
	size_t i;

	(void)state;
	assert_int_equal(attack_db_ntactics(db), 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(attack_db_tactic_at(db, i)->id, order[i]);
	assert_null(attack_db_tactic_at(db, 6));
	assert_int_equal(attack_db_ntechniques(db), 25);
	assert_string_equal(attack_db_technique_at(db, 0)->id, "T1566");
	assert_string_equal(attack_db_technique_at(db, 1)->id, "T1566.002");
	assert_string_equal(attack_db_technique_at(db, 2)->id, "T1059");
	for (i = 1; i < attack_db_ntechniques(db); i++) {
		const struct attack_technique *a = attack_db_technique_at(db, i - 1);
		const struct attack_technique *b = attack_db_technique_at(db, i);
		size_t ra = first_tactic(db, a), rb = first_tactic(db, b);

		assert_true(ra <= rb);
		if (ra == rb)
			assert_true(strcmp(a->id, b->id) < 0);
		/* the index points at the same struct */
		assert_ptr_equal(attack_db_technique(db, b->id), b);
	}
	assert_null(attack_db_technique_at(db, 25));
	attack_db_free(db);
}

static void test_attack_table_reads_plain_ndjson_as_well_as_zstd(void **state)
{
	size_t len;
	char *text = read_file(MINI, &len);
	json_t *table = table_of(text, len, NULL);
	struct attack_db *db = load_table(table, NDJSON_PLAIN);

	(void)state;
	assert_int_equal(attack_db_ntechniques(db), 25);
	expect_revoked_by(db, "T1162", "T1647");
	attack_db_free(db);
	json_decref(table);
	free(text);
}

static void test_attack_table_head_counts_the_records_and_fixture_has_no_problems(void **state)
{
	size_t len;
	char *text = read_file(MINI, &len);
	json_t *problems = json_array();
	json_t *table = table_of(text, len, problems);
	json_t *head = json_array_get(table, 0);

	(void)state;
	assert_int_equal(json_array_size(problems), 0);
	assert_string_equal(json_string_value(json_object_get(head, "kind")), "attack");
	/* the fixture has no x-mitre-collection and a random bundle id */
	assert_true(json_is_null(json_object_get(head, "version")));
	assert_int_equal(json_integer_value(json_object_get(head, "techniques")), 25);
	assert_int_equal(json_integer_value(json_object_get(head, "tactics")), 6);
	assert_int_equal(json_integer_value(json_object_get(head, "subtechniques")), 11);
	assert_int_equal(json_integer_value(json_object_get(head, "revoked")), 6);
	assert_int_equal(json_integer_value(json_object_get(head, "deprecated")), 1);
	assert_int_equal(json_array_size(table), 1 + 6 + 25);
	json_decref(problems);
	json_decref(table);
	free(text);
}

static void test_attack_table_does_not_depend_on_object_order(void **state)
{
	size_t len, i, n;
	char *text = read_file(MINI, &len), *a, *b, *rtext;
	json_t *bundle = json_loadb(text, len, 0, NULL), *objects, *rev, *t1, *t2;

	(void)state;
	assert_non_null(bundle);
	objects = json_object_get(bundle, "objects");
	n = json_array_size(objects);
	rev = json_array();
	for (i = n; i-- > 0;)
		json_array_append(rev, json_array_get(objects, i));
	json_object_set_new(bundle, "objects", rev);
	rtext = json_dumps(bundle, 0);
	t1 = table_of(text, len, NULL);
	t2 = table_of(rtext, strlen(rtext), NULL);
	a = json_dumps(t1, JSON_COMPACT);
	b = json_dumps(t2, JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(rtext);
	json_decref(t1);
	json_decref(t2);
	json_decref(bundle);
	free(text);
}

/* ---- tiny hand-made bundles ---- */

#define TECH(stix, ext, extra)                                                            \
	"{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--" stix "\",\"name\":\"N " ext \
	"\",\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"" ext \
	"\"}],\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\",\"phase_name\":"  \
	"\"execution\"}]" extra "}"
#define REVOKED_BY(n, src, dst)                                                           \
	"{\"type\":\"relationship\",\"id\":\"relationship--" n "\",\"relationship_type\":"    \
	"\"revoked-by\",\"source_ref\":\"attack-pattern--" src "\",\"target_ref\":"          \
	"\"attack-pattern--" dst "\"}"
#define TACTIC_EXECUTION                                                                  \
	"{\"type\":\"x-mitre-tactic\",\"id\":\"x-mitre-tactic--e\",\"name\":\"Execution\","    \
	"\"x_mitre_shortname\":\"execution\",\"external_references\":[{\"source_name\":"     \
	"\"mitre-attack\",\"external_id\":\"TA0002\"}]}"
#define MATRIX                                                                            \
	"{\"type\":\"x-mitre-matrix\",\"id\":\"x-mitre-matrix--m\",\"name\":\"M\","           \
	"\"tactic_refs\":[\"x-mitre-tactic--e\"],\"external_references\":[{\"source_name\":" \
	"\"mitre-attack\",\"external_id\":\"enterprise-attack\"}]}"

static const json_t *record(const json_t *table, const char *id)
{
	const json_t *rec;
	size_t i;

	json_array_foreach(table, i, rec) {
		const char *rid = json_string_value(json_object_get(rec, "id"));

		if (rid && !strcmp(rid, id))
			return rec;
	}
	fail_msg("no record %s", id);
	return NULL;
}

static int problems_mention(const json_t *problems, const char *what)
{
	const json_t *p;
	size_t i;

	json_array_foreach(problems, i, p)
		if (strstr(json_string_value(p), what))
			return 1;
	return 0;
}

static void test_attack_revocation_cycle_is_reported_and_does_not_hang(void **state)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":["
		MATRIX "," TACTIC_EXECUTION ","
		TECH("a", "T1000", ",\"revoked\":true") ","
		TECH("b", "T1001", ",\"revoked\":true") ","
		TECH("c", "T1002", ",\"revoked\":true") ","
		TECH("d", "T1003", ",\"revoked\":true") ","
		TECH("e", "T1004", "") ","
		REVOKED_BY("1", "a", "b") "," REVOKED_BY("2", "b", "a") ","
		REVOKED_BY("3", "c", "a") "]}";
	json_t *problems = json_array();
	json_t *table = table_of(bundle, strlen(bundle), problems);

	(void)state;
	/* T1000 ↔ T1001 loop, T1002 runs into the loop, T1003 has no replacement */
	assert_true(json_is_null(json_object_get(record(table, "T1000"), "revoked_by")));
	assert_true(json_is_null(json_object_get(record(table, "T1001"), "revoked_by")));
	assert_true(json_is_null(json_object_get(record(table, "T1002"), "revoked_by")));
	assert_true(json_is_null(json_object_get(record(table, "T1003"), "revoked_by")));
	assert_true(json_is_true(json_object_get(record(table, "T1000"), "revoked")));
	assert_true(problems_mention(problems, "'T1000': revoked-by relationships form a cycle"));
	assert_true(problems_mention(problems, "'T1002': revoked-by relationships form a cycle"));
	assert_true(problems_mention(problems, "'T1003' is revoked, but no revoked-by"));
	assert_int_equal(json_array_size(problems), 4);
	json_decref(problems);
	json_decref(table);
}

static void test_attack_chain_that_ends_at_a_revoked_technique_has_no_replacement(void **state)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":["
		MATRIX "," TACTIC_EXECUTION ","
		TECH("a", "T1000", ",\"revoked\":true") ","
		TECH("b", "T1001", ",\"revoked\":true") ","
		REVOKED_BY("1", "a", "b") "]}";
	json_t *problems = json_array();
	json_t *table = table_of(bundle, strlen(bundle), problems);

	(void)state;
	assert_true(json_is_null(json_object_get(record(table, "T1000"), "revoked_by")));
	assert_true(problems_mention(problems, "'T1000': revoked-by chain ends at 'T1001'"));
	json_decref(problems);
	json_decref(table);
}

static void test_attack_only_enterprise_objects_with_mitre_attack_ids_are_kept(void **state)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"id\":\"bundle--enterprise-attack-99.2\",\"objects\":["
		MATRIX "," TACTIC_EXECUTION ","
		TECH("a", "T1000", ",\"x_mitre_domains\":[\"enterprise-attack\",\"mobile-attack\"]") ","
		TECH("b", "T1001", ",\"x_mitre_domains\":[\"mobile-attack\"]") ","
		"{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--c\",\"name\":\"capec only\","
		"\"external_references\":[{\"source_name\":\"capec\",\"external_id\":\"CAPEC-1\"}]},"
		"{\"type\":\"malware\",\"id\":\"malware--m\",\"name\":\"S\"}]}";
	json_t *table = table_of(bundle, strlen(bundle), NULL);
	json_t *head = json_array_get(table, 0);

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(head, "techniques")), 1);
	assert_string_equal(json_string_value(json_object_get(record(table, "T1000"), "name")),
			    "N T1000");
	/* no x-mitre-collection: the release comes from the bundle id */
	assert_string_equal(json_string_value(json_object_get(head, "version")), "99.2");
	json_decref(table);
}

static void test_attack_version_comes_from_the_collection(void **state)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"id\":\"bundle--enterprise-attack-1.0\",\"objects\":["
		"{\"type\":\"x-mitre-collection\",\"id\":\"x-mitre-collection--1\","
		"\"name\":\"Enterprise ATT&CK\",\"x_mitre_version\":\"18.1\"},"
		MATRIX "," TACTIC_EXECUTION "," TECH("a", "T1000", "") "]}";
	json_t *table = table_of(bundle, strlen(bundle), NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_array_get(table, 0), "version")),
			    "18.1");
	json_decref(table);
}

static void test_attack_description_is_its_first_paragraph_as_plain_text(void **state)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":["
		MATRIX "," TACTIC_EXECUTION ","
		TECH("a", "T1000", ",\"description\":\"\\n**Note:** tools such as "
		     "[Thing](https://attack.mitre.org/software/S0001) run <code>a.exe</code>"
		     " in C:\\\\Users\\\\<username>  (Citation: One)(Citation: Two (2020)).\\n"
		     "Same paragraph.\\n\\nSecond paragraph.\"") "]}";
	json_t *table = table_of(bundle, strlen(bundle), NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(record(table, "T1000"), "description")),
			    "Note: tools such as Thing run a.exe in C:\\Users\\<username>. Same paragraph.");
	json_decref(table);
}

static void test_attack_malformed_bundles_are_refused_with_a_clear_error(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "this is not JSON", "not valid JSON: line 1" },
		{ "{\"type\":\"bundle\",\"objects\":[", "not valid JSON" },
		{ "[1, 2]", "not a STIX bundle" },
		{ "{\"type\":\"attack-pattern\"}", "not a STIX bundle" },
		{ "{\"type\":\"bundle\"}", "STIX bundle without objects" },
		{ "{\"type\":\"bundle\",\"objects\":[]}", "STIX bundle without objects" },
		{ "{\"type\":\"bundle\",\"objects\":{}}", "STIX bundle without objects" },
		/* read one object at a time: a bad element after good ones adds none of them */
		{ "{\"type\":\"bundle\",\"objects\":[" MATRIX "," TACTIC_EXECUTION ",{\"a\":\"]\\\"}\"},{\"x\":}]}",
		  "not valid JSON" },
		{ "{\"objects\":[" MATRIX "],\"type\":\"bundle\"} x", "not valid JSON" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct attack_build *b = attack_build_new();
		char *err = NULL;

		assert_int_equal(attack_build_add(b, cases[i].text, strlen(cases[i].text), &err), -1);
		assert_non_null(err);
		if (!strstr(err, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].text, err, cases[i].want);
		free(err);
		/* nothing was added: no table */
		assert_null(attack_build_table(b, NULL, &err));
		assert_non_null(strstr(err, "no enterprise ATT&CK technique"));
		free(err);
		attack_build_free(b);
	}
}

static void test_attack_bundle_with_objects_but_no_technique_gives_no_table(void **state)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"objects\":[" MATRIX "," TACTIC_EXECUTION ",1,\"x\",{}]}";
	struct attack_build *b = attack_build_new();
	char *err = NULL;

	(void)state;
	assert_int_equal(attack_build_add(b, bundle, strlen(bundle), &err), 0);
	assert_null(attack_build_table(b, NULL, &err));
	assert_non_null(strstr(err, "no enterprise ATT&CK technique"));
	free(err);
	attack_build_free(b);
}

static void expect_load_error(const char *content, const char *want)
{
	char *path = tmpname(), *err = NULL;
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
	assert_null(attack_db_load(path, &err));
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("'%s': got '%s', want '%s'", content, err, want);
	free(err);
	unlink(path);
	free(path);
}

static void test_attack_db_load_refuses_files_that_are_not_a_table(void **state)
{
	char *err = NULL;

	(void)state;
	assert_null(attack_db_load("/nonexistent/attack.ndjson.zst", &err));
	assert_non_null(strstr(err, "/nonexistent/attack.ndjson.zst"));
	free(err);
	expect_load_error("", "no technique records");
	expect_load_error("{\"kind\":\"attack\",\"version\":\"18.1\"}\n", "no technique records");
	/* a first line that is no table record is read as a STIX bundle */
	expect_load_error("not json\n", "neither the table of detcat-attack nor a STIX bundle");
	expect_load_error("{\"kind\":\"tactic\"}\n", ":1: tactic record without");
	expect_load_error("{\"kind\":\"attack\"}\n{\"kind\":\"technique\",\"name\":\"x\"}\n",
			  ":2: technique record without string id");
	expect_load_error("{\"kind\":\"technique\",\"id\":\"T1\",\"name\":\"x\",\"revoked\":\"yes\"}\n",
			  "not a boolean");
	expect_load_error("{\"kind\":\"technique\",\"id\":\"T1\",\"name\":\"x\",\"tactics\":[1]}\n",
			  "a tactic is not a string");
	expect_load_error("{\"kind\":\"technique\",\"id\":\"T1\",\"name\":\"x\"}\n"
			  "{\"kind\":\"technique\",\"id\":\"t1\",\"name\":\"y\"}\n",
			  "technique 't1' appears twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attack_multi_step_revocation_chains_resolve_to_the_final_current_id),
		cmocka_unit_test(test_attack_deprecated_technique_is_flagged_with_no_replacement),
		cmocka_unit_test(test_attack_subtechnique_parent_comes_from_its_relationship_or_else_its_id),
		cmocka_unit_test(test_attack_technique_carries_name_tactics_in_matrix_order_and_url),
		cmocka_unit_test(test_attack_technique_ids_ignore_case_and_surrounding_spaces),
		cmocka_unit_test(test_attack_tactics_are_found_by_id_shortname_sigma_style_camel_case_and_name),
		cmocka_unit_test(test_attack_iteration_follows_the_matrix_then_the_id),
		cmocka_unit_test(test_attack_table_reads_plain_ndjson_as_well_as_zstd),
		cmocka_unit_test(test_attack_table_head_counts_the_records_and_fixture_has_no_problems),
		cmocka_unit_test(test_attack_table_does_not_depend_on_object_order),
		cmocka_unit_test(test_attack_revocation_cycle_is_reported_and_does_not_hang),
		cmocka_unit_test(test_attack_chain_that_ends_at_a_revoked_technique_has_no_replacement),
		cmocka_unit_test(test_attack_only_enterprise_objects_with_mitre_attack_ids_are_kept),
		cmocka_unit_test(test_attack_version_comes_from_the_collection),
		cmocka_unit_test(test_attack_description_is_its_first_paragraph_as_plain_text),
		cmocka_unit_test(test_attack_malformed_bundles_are_refused_with_a_clear_error),
		cmocka_unit_test(test_attack_bundle_with_objects_but_no_technique_gives_no_table),
		cmocka_unit_test(test_attack_db_load_refuses_files_that_are_not_a_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
