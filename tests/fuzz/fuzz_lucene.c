/*
 * libFuzzer target: the Lucene parser on any bytes as the query, through the
 * predicate builder. The record must serialise to valid JSON; a rule left
 * ok carries no message, one that is not ok carries at least one; every
 * message is one line and names the query's line and column (or says the
 * query has more problems, or that a cap was reached). Nothing may crash,
 * hang, leak or read out of bounds. Seed it with our golden Lucene queries.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "elastic/query.h"
#include "rule/predicate.h"
#include "rule/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule *r = rule_new("elastic", "fuzz", "rules/fuzz.toml");
	struct pred_builder *pb = pb_new(r, NULL, 0, NULL, NULL);
	struct strbuf line = STRBUF_INIT;
	const struct rule_msg *m;
	size_t i, n;
	json_t *j;

	lucene_parse(pb, r, (const char *)data, size);
	pb_free(pb);
	m = rule_messages(r, &n);
	if ((rule_status(r) == PARSE_OK) != (n == 0))
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (strchr(m[i].text, '\n') ||
		    (strncmp(m[i].text, "query line ", 11) != 0 && strncmp(m[i].text, "query: ", 7) != 0 &&
		     strncmp(m[i].text, "more than ", 10) != 0 && !strstr(m[i].text, "not valid UTF-8") &&
		     !strstr(m[i].text, "not parsed yet")))
			__builtin_trap();
	rule_serialize(r, &line);
	j = json_loadb(line.buf, line.len, JSON_ALLOW_NUL, NULL);
	if (!j)
		__builtin_trap();
	json_decref(j);
	strbuf_release(&line);
	rule_free(r);
	return 0;
}
