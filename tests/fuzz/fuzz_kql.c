/*
 * libFuzzer target: the KQL parser on any bytes as the query, through the
 * predicate builder and a Kusto-shaped field map (scopes per table). The
 * record must serialise to valid JSON; a rule left ok carries no message,
 * one that is not ok carries at least one; every message is one line and
 * names the query's line and column (or says that a cap was reached, or
 * that a value is not UTF-8: the builder's message).
 * Nothing may crash, hang, leak or read out of bounds. Seed it with our bad
 * inputs and golden KQL queries (fuzz_kql.seeds).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kusto/kql.h"
#include "rule/fieldmap.h"
#include "rule/predicate.h"
#include "rule/rule.h"

#include "fuzz_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char map_yaml[] =
	"vendor: kusto\n"
	"default: {ProcessCommandLine: process.command_line}\n"
	"scopes:\n"
	"  - match: {tables: DeviceProcessEvents}\n"
	"    fields: {FolderPath: process.executable, FileName: process.name}\n"
	"  - match: {tables: DeviceFileEvents}\n"
	"    fields: {FolderPath: file.path}\n"
	"unlisted: \"\"\n";

/* the builder's own message, cut where the bytes stop being UTF-8, starts "value of '" */
static const char *const prefixes[] = { "query line ", "more than ", "value of '", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fieldmap *map;
	struct rule *r = rule_new("kusto", "fuzz", "fuzz.kql");
	struct pred_builder *pb;
	char err[256];

	if (!map && !(map = fieldmap_load_text("fuzz.yaml", map_yaml, strlen(map_yaml), err, sizeof(err))))
		__builtin_trap();
	pb = pb_new(r, map, 0, NULL, NULL);
	kql_parse(pb, r, (const char *)data, size);
	pb_free(pb);
	fuzz_check_rule(r, prefixes);
	return 0;
}
