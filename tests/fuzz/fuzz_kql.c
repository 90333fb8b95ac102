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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fieldmap *map;
	struct rule *r = rule_new("kusto", "fuzz", "fuzz.kql");
	struct pred_builder *pb;
	struct strbuf line = STRBUF_INIT;
	const struct rule_msg *m;
	char err[256];
	size_t i, n;
	json_t *j;

	if (!map && !(map = fieldmap_load_text("fuzz.yaml", map_yaml, strlen(map_yaml), err, sizeof(err))))
		__builtin_trap();
	pb = pb_new(r, map, 0, NULL, NULL);
	kql_parse(pb, r, (const char *)data, size);
	pb_free(pb);
	m = rule_messages(r, &n);
	if ((rule_status(r) == PARSE_OK) != (n == 0))
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (strchr(m[i].text, '\n') ||
		    (strncmp(m[i].text, "query line ", 11) != 0 && strncmp(m[i].text, "more than ", 10) != 0 &&
		     /* the builder's own, cut where the bytes stop being UTF-8 */
		     strncmp(m[i].text, "value of '", 10) != 0))
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
