/*
 * query_test.h: running one query parser (elastic/query.h, kusto/kql.h: the
 * same signature) on a query, for the unit tests of every query language.
 * Include after cmocka.h. qt_run() uses the Elastic map below; qt_run_with()
 * takes a vendor, a rule path and a map of the test's own.
 *
 * The field map is Elastic's shape (ECS names are canonical: unlisted "")
 * with two scopes keyed on the EQL category, so that a test can see which
 * scope a field was mapped in: `path` is file.path for file events and
 * process.executable for process events; `key` is registry.path for EQL's
 * registry events (a scope that also names the rule's language).
 *
 * Predicates come back as lines, in the order they were emitted:
 *   FIELD OP VALUE[ ci][ not][ computed]
 * the value as JSON ("-" when absent), e.g. `process.name eq "cmd.exe" ci`.
 */
#ifndef DETCAT_QUERY_TEST_H
#define DETCAT_QUERY_TEST_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "elastic/query.h"
#include "rule/fieldmap.h"
#include "rule/predicate.h"
#include "rule/rule.h"

#define QT_HELPER static __attribute__((unused))

static const char qt_map_yaml[] =
	"vendor: elastic\n"
	"default: {}\n"
	"scopes:\n"
	"  - match: {category: file}\n"
	"    fields: {path: file.path}\n"
	"  - match: {category: process}\n"
	"    fields: {path: process.executable}\n"
	"  - match: {category: registry, language: eql}\n"
	"    fields: {key: registry.path}\n"
	"unlisted: \"\"\n";

typedef void (*qt_parser)(struct pred_builder *, struct rule *, const char *, size_t);

/* The record of a vendor's rule at path after parsing query with map_yaml (new reference). */
QT_HELPER json_t *qt_run_with(const char *vendor, const char *path, const char *map_yaml,
			      qt_parser parse, const char *query)
{
	char err[256];
	struct fieldmap *map = fieldmap_load_text("t.yaml", map_yaml, strlen(map_yaml), err, sizeof(err));
	struct rule *r = rule_new(vendor, "test", path);
	struct pred_builder *pb;
	json_t *j;

	if (!map)
		fail_msg("%s", err);
	pb = pb_new(r, map, 0, NULL, NULL);
	parse(pb, r, query, strlen(query));
	pb_free(pb);
	j = rule_to_json(r);
	rule_free(r);
	fieldmap_free(map);
	return j;
}

/* The record after parsing query with the Elastic map above (new reference). */
QT_HELPER json_t *qt_run(qt_parser parse, const char *query)
{
	return qt_run_with("elastic", "rules/x.toml", qt_map_yaml, parse, query);
}

/* The predicates of rec as lines (caller frees). */
QT_HELPER char *qt_lines(const json_t *rec)
{
	struct strbuf sb = STRBUF_INIT;
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(rec, "predicates"), i, p) {
		const json_t *v = json_object_get(p, "value");
		char *vt = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

		strbuf_addf(&sb, "%s%s %s %s%s%s%s", i ? "\n" : "",
			    json_string_value(json_object_get(p, "field")),
			    json_string_value(json_object_get(p, "op")), vt ? vt : "-",
			    json_is_true(json_object_get(p, "ci")) ? " ci" : "",
			    json_is_true(json_object_get(p, "negated")) ? " not" : "",
			    json_is_true(json_object_get(p, "computed")) ? " computed" : "");
		free(vt);
	}
	strbuf_addch(&sb, '\0');
	return strbuf_detach(&sb, NULL);
}

QT_HELPER const char *qt_status(const json_t *rec)
{
	return json_string_value(json_object_get(json_object_get(rec, "parse"), "status"));
}

/* The n-th error message, or "" */
QT_HELPER const char *qt_error(const json_t *rec, size_t n)
{
	const json_t *e = json_array_get(json_object_get(json_object_get(rec, "parse"), "errors"), n);
	const char *m = json_string_value(json_object_get(e, "message"));

	return m ? m : "";
}

/* rec (taken), the record of query: check the status, compare the predicate lines with want. */
QT_HELPER void qt_expect_rec(json_t *rec, const char *query, const char *status, const char *want)
{
	char *got = qt_lines(rec);

	if (strcmp(qt_status(rec), status) != 0)
		fail_msg("%s\nstatus %s, want %s (%s)", query, qt_status(rec), status, qt_error(rec, 0));
	if (strcmp(got, want) != 0)
		fail_msg("%s\ngot:\n%s\nwant:\n%s", query, got, want);
	free(got);
	json_decref(rec);
}

/* Parse with the Elastic map, then qt_expect_rec(). */
QT_HELPER void qt_expect(qt_parser parse, const char *query, const char *status, const char *want)
{
	qt_expect_rec(qt_run(parse, query), query, status, want);
}

/* The JSON of one key of the n-th predicate, compact ("absent" when it is not there; caller frees). */
QT_HELPER char *qt_key(const json_t *rec, size_t n, const char *key)
{
	const json_t *v = json_object_get(json_array_get(json_object_get(rec, "predicates"), n), key);

	return v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : xstrdup("absent");
}

#endif
