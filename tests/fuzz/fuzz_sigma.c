/* libFuzzer target: the Sigma front end on arbitrary YAML, with the real field
 * map (mappings/fields/sigma.yaml, read once). Every input must give at least
 * one rule record that serialises to valid JSON; nothing may crash, hang or
 * leak. Seed the corpus with rule files of our own (fixtures/sigma). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rule/fieldmap.h"
#include "rule/rule.h"
#include "sigma/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fieldmap *map;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_list rules = { NULL, 0, 0 };
	struct strbuf line = STRBUF_INIT;
	char err[256];
	size_t i;

	if (!map && !(map = fieldmap_load("mappings/fields/sigma.yaml", err, sizeof(err)))) {
		fprintf(stderr, "fuzz_sigma: %s (run from the repository)\n", err);
		abort();
	}
	sigma_parse_file("fuzz", "rules/fuzz.yml", (const char *)data, size, map, &rules);
	if (rules.n == 0)
		__builtin_trap();
	rules_make_uids_unique(&rules);
	for (i = 0; i < rules.n; i++) {
		json_t *j;

		strbuf_reset(&line);
		rule_serialize(rules.v[i], &line);
		j = json_loadb(line.buf, line.len, JSON_ALLOW_NUL, NULL);	/* |wide values hold NULs */
		if (!j)
			__builtin_trap();
		json_decref(j);
	}
	strbuf_release(&line);
	rule_list_release(&rules);
	return 0;
}
