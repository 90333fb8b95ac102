/* libFuzzer target: the TOML reader, then the Elastic front end on the same
 * bytes. An accepted document must be valid UTF-8 and give a tree no deeper
 * than TOML_MAX_DEPTH whose strings and keys are valid UTF-8; a rejected one
 * must name a line that exists and say something. The front end must give
 * exactly one rule that serialises to valid JSON. Nothing may crash, hang
 * or leak. Seed the corpus with fixtures/elastic. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elastic/elastic.h"
#include "rule/rule.h"
#include "common/text.h"
#include "elastic/toml.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tree(json_t *j, unsigned depth)
{
	const char *key;
	json_t *v;
	size_t i, n;

	if (depth > TOML_MAX_DEPTH + 1)
		__builtin_trap();
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		json_object_keylen_foreach(j, key, n, v) {
			if (utf8_invalid_at(key, n) != UTF8_VALID)
				__builtin_trap();
			check_tree(v, depth + 1);
		}
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			check_tree(v, depth + 1);
		break;
	case JSON_STRING:
		if (utf8_invalid_at(json_string_value(j), json_string_length(j)) != UTF8_VALID)
			__builtin_trap();
		break;
	default:
		break;
	}
}

static void check_toml(const uint8_t *data, size_t size)
{
	struct toml_error e;
	json_t *j;
	size_t i, lines = 1;

	if (toml_load((const char *)data, size, &j, &e) == 0) {
		if (utf8_invalid_at((const char *)data, size) != UTF8_VALID)
			__builtin_trap();
		check_tree(j, 0);
		json_decref(j);
		return;
	}
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (j || e.line < 1 || e.line > lines || !e.msg[0] ||
	    utf8_invalid_at(e.msg, strlen(e.msg)) != UTF8_VALID)
		__builtin_trap();
}

static void check_elastic(const uint8_t *data, size_t size)
{
	struct rule_list rules = { NULL, 0, 0 };
	struct strbuf line = STRBUF_INIT;
	json_t *j;

	elastic_parse_file("fuzz", "rules/fuzz.toml", (const char *)data, size, NULL, &rules);
	if (rules.n != 1)
		__builtin_trap();
	rule_serialize(rules.v[0], &line);
	j = json_loadb(line.buf, line.len, JSON_ALLOW_NUL, NULL);	/* TOML escapes may give U+0000 */
	if (!j || !json_is_string(json_object_get(j, "uid")))
		__builtin_trap();
	json_decref(j);
	strbuf_release(&line);
	rule_list_release(&rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_toml(data, size);
	check_elastic(data, size);
	return 0;
}
