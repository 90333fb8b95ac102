/*
 * libFuzzer target: the Splunk macro expander and SPL reader on any bytes as
 * the search, with a few macros defined (parameters, a pipeline, a predicate
 * macro, a cycle), through the predicate builder, as the front end runs them.
 * The record must serialise to valid JSON; a rule left ok carries no message,
 * one that is not ok carries at least one; every message is one line. Nothing
 * may crash, hang, leak or read out of bounds. Seeds: our golden and bad
 * Splunk searches (fuzz_spl.seeds).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "splunk/macros.h"
#include "splunk/spl.h"

#include "fuzz_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct splunk_macros *macros;

static void define(void)
{
	static const char *const two[] = { "dm", "name" };

	macros = splunk_macros_new();
	splunk_macros_define(macros, "sysmon", 0, NULL, "sourcetype=XmlWinEventLog:Microsoft-Windows-Sysmon/Operational");
	splunk_macros_define(macros, "process_cmd", 0, NULL, "(Processes.process_name=cmd.exe OR Processes.original_file_name=Cmd.Exe)");
	splunk_macros_define(macros, "proc", 2, two, "| tstats count from datamodel=Endpoint.$dm$ where $dm$.process_name=$name$ by $dm$.dest");
	splunk_macros_define(macros, "piped", 0, NULL, "type=EXECVE | eval x=if(a=\"b\", 1, 0) | where x > 0");
	splunk_macros_define(macros, "loop_a", 0, NULL, "a=1 `loop_b`");
	splunk_macros_define(macros, "loop_b", 0, NULL, "b=1 `loop_a`");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule *r = rule_new("splunk", "fuzz", "detections/endpoint/fuzz.yml");
	struct pred_builder *pb = pb_new(r, NULL, 0, NULL, NULL);
	struct splunk_expansion x;

	if (!macros)
		define();
	splunk_macros_expand(macros, (const char *)data, size, &x);
	splunk_expansion_report(&x, r, 1);
	if (!x.failed)
		spl_parse(pb, r, x.out.buf, x.out.len, 1, macros, 0, NULL, NULL);
	splunk_expansion_release(&x);
	pb_free(pb);
	fuzz_check_rule(r, NULL);	/* any one-line message */
	return 0;
}
