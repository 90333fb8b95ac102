/*
 * libFuzzer target: the EQL parser on any bytes as the query, through the
 * predicate builder; fuzz_rule.h says what the rule it leaves must be (every
 * message names the query's line and column, says the query has more
 * problems, or that a cap was reached). Nothing may crash, hang, leak or read
 * out of bounds. Seed it with our golden EQL queries.
 */
#include <stdint.h>

#include "elastic/query.h"
#include "rule/predicate.h"
#include "rule/rule.h"

#include "fuzz_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const prefixes[] = { "query line ", "query: ", "more than ", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule *r = rule_new("elastic", "fuzz", "rules/fuzz.toml");
	struct pred_builder *pb = pb_new(r, NULL, 0, NULL, NULL);

	eql_parse(pb, r, (const char *)data, size);
	pb_free(pb);
	fuzz_check_rule(r, prefixes);
	return 0;
}
