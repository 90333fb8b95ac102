/*
 * fuzz_rule.h: what every query-parser fuzz target asks of the rule a parser
 * leaves behind, whatever the bytes were. A rule left ok carries no message,
 * one that is not ok carries at least one; every message is one line and, when
 * prefixes is given, starts with one of them (NULL-terminated) or contains
 * "not valid UTF-8" (the builder's own); the record serialises to valid JSON.
 * A broken promise traps, so libFuzzer keeps the input. Frees the rule.
 */
#ifndef DETCAT_FUZZ_RULE_H
#define DETCAT_FUZZ_RULE_H

#include <jansson.h>
#include <string.h>

#include "common/util.h"
#include "rule/rule.h"

static int fuzz_msg_ok(const char *text, const char *const *prefixes)
{
	size_t k;

	if (strchr(text, '\n'))
		return 0;
	if (!prefixes || strstr(text, "not valid UTF-8"))
		return 1;
	for (k = 0; prefixes[k]; k++)
		if (strncmp(text, prefixes[k], strlen(prefixes[k])) == 0)
			return 1;
	return 0;
}

static void fuzz_check_rule(struct rule *r, const char *const *prefixes)
{
	struct strbuf line = STRBUF_INIT;
	const struct rule_msg *m = NULL;
	size_t i, n = 0;
	json_t *j;

	m = rule_messages(r, &n);
	if ((rule_status(r) == PARSE_OK) != (n == 0))
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (!fuzz_msg_ok(m[i].text, prefixes))
			__builtin_trap();
	rule_serialize(r, &line);
	j = json_loadb(line.buf, line.len, JSON_ALLOW_NUL, NULL);
	if (!j)
		__builtin_trap();
	json_decref(j);
	strbuf_release(&line);
	rule_free(r);
}

#endif
