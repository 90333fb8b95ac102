/*
 * record_test.h: reading rule records in the front ends' unit tests (Splunk,
 * Kusto): a string key, the parse status, the first error, and a JSON value
 * compared with its expected JSON text. Include after cmocka.h.
 */
#ifndef DETCAT_RECORD_TEST_H
#define DETCAT_RECORD_TEST_H

#include <jansson.h>
#include <stdlib.h>

#define RECORD_HELPER static __attribute__((unused))

RECORD_HELPER const char *str(const json_t *r, const char *key)
{
	return json_string_value(json_object_get(r, key));
}

RECORD_HELPER const char *status_of(const json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "parse"), "status"));
}

/* The first error message, or "" */
RECORD_HELPER const char *first_error(const json_t *r)
{
	json_t *e = json_array_get(json_object_get(json_object_get(r, "parse"), "errors"), 0);
	const char *m = json_string_value(json_object_get(e, "message"));

	return m ? m : "";
}

/* got equals the JSON of want_text (any type) */
RECORD_HELPER void assert_json(const json_t *got, const char *want_text)
{
	json_t *want = json_loads(want_text, JSON_DECODE_ANY, NULL);
	char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!want)
		fail_msg("bad expectation %s", want_text);
	if (!json_equal(got, want))
		fail_msg("got %s, want %s", g, want_text);
	free(g);
	json_decref(want);
}

#endif
