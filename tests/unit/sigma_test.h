/*
 * sigma_test.h: helpers shared by the Sigma unit tests (included once per
 * test program, so everything here is static).
 *
 * Predicates are compared as sorted lines "FIELD OP VALUE[ ci][ not]", the
 * value as JSON ("-" when absent), e.g. `process.name eq "cmd.exe" ci`.
 */
#ifndef DETCAT_SIGMA_TEST_H
#define DETCAT_SIGMA_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "rule/fieldmap.h"
#include "rule/rule.h"
#include "sigma/sigma.h"
#include "common/util.h"

/* not every test program uses every helper */
#define HELPER static __attribute__((unused))

static const char test_map_yaml[] =
	"default:\n"
	"  Image: process.executable\n"
	"  ParentImage: process.parent.executable\n"
	"  CommandLine: process.command_line\n"
	"  TargetFilename: file.path\n"
	"  ImageLoaded: dll.path\n"
	"  DestinationIp: destination.ip\n"
	"  EventID: event.code\n"
	"  User: user.name\n"
	"  Hashes:\n"
	"    field: process.hash\n"
	"    split: {SHA256: process.hash.sha256, IMPHASH: process.pe.imphash}\n"
	"scopes:\n"
	"  - match: {category: image_load}\n"
	"    fields:\n"
	"      Hashes: {field: dll.hash, split: {SHA256: dll.hash.sha256}}\n"
	"  - match: {product: windows, service: security}\n"
	"    fields: {SubjectUserName: user.name}\n"
	"    unlisted: winlog.event_data.\n";

HELPER struct fieldmap *test_map(void)
{
	char err[256];
	struct fieldmap *m = fieldmap_load_text("test-map", test_map_yaml, strlen(test_map_yaml),
						err, sizeof(err));

	if (!m)
		fail_msg("test map: %s", err);
	return m;
}

/* Every record of one file, as a JSON array; *nerr gets the return value. */
HELPER json_t *parse_file(const char *path, const char *yaml, int *nerr)
{
	struct fieldmap *m = test_map();
	struct rule_list l = { NULL, 0, 0 };
	json_t *a = json_array();
	size_t i;
	int n;

	n = sigma_parse_file("test", path, yaml, strlen(yaml), m, &l);
	if (nerr)
		*nerr = n;
	for (i = 0; i < l.n; i++)
		json_array_append_new(a, rule_to_json(l.v[i]));
	rule_list_release(&l);
	fieldmap_free(m);
	return a;
}

/* The one record of a one-rule file. */
HELPER json_t *parse_one(const char *yaml)
{
	json_t *a = parse_file("rules/test/rule.yml", yaml, NULL);
	json_t *r;

	if (json_array_size(a) != 1)
		fail_msg("expected 1 rule, got %zu", json_array_size(a));
	r = json_incref(json_array_get(a, 0));
	json_decref(a);
	return r;
}

HELPER int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The predicates of a record as sorted lines, one string (caller frees). */
HELPER char *preds_text(const json_t *rule)
{
	json_t *preds = json_object_get(rule, "predicates"), *p;
	size_t n = json_array_size(preds), i;
	char **lines = calloc(n + 1, sizeof(*lines));
	struct strbuf sb = STRBUF_INIT;

	json_array_foreach(preds, i, p) {
		json_t *v = json_object_get(p, "value");
		char *vs = v ? json_dumps(v, JSON_ENCODE_ANY) : strdup("-");

		lines[i] = xasprintf("%s %s %s%s%s", json_string_value(json_object_get(p, "field")),
				     json_string_value(json_object_get(p, "op")), vs,
				     json_is_true(json_object_get(p, "ci")) ? " ci" : "",
				     json_is_true(json_object_get(p, "negated")) ? " not" : "");
		free(vs);
		/* the contract: exclusion is negated */
		assert_true(json_equal(json_object_get(p, "negated"),
				       json_object_get(p, "exclusion")));
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	strbuf_addstr(&sb, "");
	for (i = 0; i < n; i++) {
		strbuf_addstr(&sb, lines[i]);
		strbuf_addch(&sb, '\n');
		free(lines[i]);
	}
	free(lines);
	return strbuf_detach(&sb, NULL);
}

/* expected: lines in any order, each ending with '\n' */
HELPER void assert_preds(const json_t *rule, const char *expected)
{
	char *got = preds_text(rule);
	char *want = strdup(expected);
	char **lines = NULL, *line, *save = NULL;
	size_t n = 0, i;
	struct strbuf sb = STRBUF_INIT;

	for (line = strtok_r(want, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = line;
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	strbuf_addstr(&sb, "");
	for (i = 0; i < n; i++) {
		strbuf_addstr(&sb, lines[i]);
		strbuf_addch(&sb, '\n');
	}
	if (strcmp(got, sb.buf) != 0)
		fail_msg("predicates differ\n--- got:\n%s--- want:\n%s", got, sb.buf);
	free(lines);
	free(want);
	free(got);
	strbuf_release(&sb);
}

HELPER const char *status_of(const json_t *rule)
{
	return json_string_value(json_object_get(json_object_get(rule, "parse"), "status"));
}

/* The first error message, or "" */
HELPER const char *first_error(const json_t *rule)
{
	json_t *e = json_array_get(json_object_get(json_object_get(rule, "parse"), "errors"), 0);
	const char *m = json_string_value(json_object_get(e, "message"));

	return m ? m : "";
}

/* A rule around a detection block (indented by 4). */
#define RULE(detection) \
	"title: test\n" \
	"id: 00000000-0000-4000-8000-000000000001\n" \
	"logsource:\n" \
	"    product: windows\n" \
	"    category: process_creation\n" \
	"detection:\n" detection

#endif
