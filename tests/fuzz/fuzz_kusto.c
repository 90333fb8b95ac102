/*
 * libFuzzer target: the Kusto and Splunk front ends on any bytes. The first
 * byte picks the kind of file (markdown, Sentinel YAML, .txt, .kql, Splunk
 * detection); the rest is its text. Nothing may crash, leak or read out of
 * bounds, whatever the YAML, markdown fences or KQL lexer meet.
 */
#include <stddef.h>
#include <stdint.h>

#include "kusto/kusto.h"
#include "rule/rule.h"
#include "splunk/splunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "a.md", "a.yaml", "a.txt", "a.kql" };
	struct rule_list l = { NULL, 0, 0 };
	size_t i;

	if (!size)
		return 0;
	if (data[0] % 5 == 4)
		splunk_parse_file("s", "detections/x.yml", (const char *)data + 1, size - 1, NULL, NULL, &l);
	else
		kusto_parse_file("s", paths[data[0] % 5], (const char *)data + 1, size - 1, NULL, &l);
	for (i = 0; i < l.n; i++)
		rule_freeze(l.v[i]);
	rule_list_release(&l);
	return 0;
}
